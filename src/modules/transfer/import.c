/* import.c - the people import: header matching, cell values, the org index, rows checked against the stored people, dry run and commit. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "transfer_internal.h"
#include "../orgs/orgs.h"
#include "../../base/arena.h"
#include "../../base/check.h"
#include "../../base/date.h"
#include "../../base/hash.h"
#include "../../base/json.h"

const struct people_column people_columns[PC_COUNT] = {
	[PC_NAME] = { "姓名", "name", 10 },
	[PC_GENDER] = { "性别", "gender", 6 },
	[PC_ETHNICITY] = { "民族", "ethnicity", 9 },
	[PC_BIRTH] = { "出生日期", "birth_date", 12 },
	[PC_ID] = { "身份证号", "id_number", 21 },
	[PC_PHONE] = { "联系电话", "phone", 15 },
	[PC_EDUCATION] = { "学历", "education", 11 },
	[PC_POLITICAL] = { "政治面貌", "political_status", 13 },
	[PC_JOINED] = { "入党时间", "joined_on", 12 },
	[PC_FULL] = { "转正时间", "full_member_on", 12 },
	[PC_ORG] = { "所在支部", "org_id", 30 },
};

/* Compared after cell_normalize(CELL_NORM_HEADER): "身份证号码（必填）" is "身份证号码". */
const struct header_syn people_header_syns[] = {
	{ PC_NAME, "姓名" },
	{ PC_GENDER, "性别" },
	{ PC_ETHNICITY, "民族" },
	{ PC_BIRTH, "出生日期|出生年月|出生年月日|出生时间|生日" },
	{ PC_ID, "身份证号|身份证号码|公民身份号码|公民身份证号码|身份证|证件号码" },
	{ PC_PHONE, "联系电话|手机号|手机号码|手机|电话|电话号码|联系方式" },
	{ PC_EDUCATION, "学历|文化程度|最高学历" },
	{ PC_POLITICAL, "政治面貌" },
	{ PC_JOINED, "入党时间|入党日期|入党年月" },
	{ PC_FULL, "转正时间|转正日期|转正年月" },
	{ PC_ORG, "所在支部|所属支部|所在党支部|所属组织|所在组织|党组织|所在党组织" },
	{ -1, NULL },
};

/* The header must be among the first this many non-empty rows (title rows above it). */
#define HEADER_SEARCH_ROWS 10
/* Errors one row can carry; more are dropped (the user sees the first ones). */
#define ROW_MAX_ERRORS 24
/* Bytes of a cell quoted back in an error. */
#define VALUE_QUOTE_MAX 200

void transfer_col_name(size_t col, char out[8])
{
	char tmp[8];
	size_t n = 0, i;

	col++;
	while (col > 0 && n < sizeof(tmp) - 1) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* Cut s to at most max bytes at a UTF-8 character boundary, in place. */
static void utf8_cut(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	s[n] = '\0';
}

/* ---------------------------------------------------------------- the org index */

/* cell_normalize for names compared between a sheet and the tree: full-width forms and spaces do not count. */
static void name_norm(const char *in, char *out, size_t outsz)
{
	cell_normalize(in, CELL_NORM_TRIM | CELL_NORM_HALFWIDTH | CELL_NORM_NOSPACE, out, outsz);
}

int org_index_add(struct org_index *ix, const struct org *o)
{
	char norm[sizeof(o->name)];
	struct org_ent *e;

	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 64;
		struct org_ent *v = realloc(ix->v, cap * sizeof(*v));
		if (!v)
			return -1;
		ix->v = v;
		ix->cap = cap;
	}
	name_norm(o->name, norm, sizeof(norm));
	e = &ix->v[ix->n];
	memset(e, 0, sizeof(*e));
	e->id = o->id;
	e->parent_id = o->parent_id;
	e->parent = ORG_NONE;
	e->active = strcmp(o->status, "active") == 0;
	ix->n++;
	e->name = strdup(o->name);
	e->norm = strdup(norm);
	e->path = strdup(o->path);
	return e->name && e->norm && e->path ? 0 : -1;
}

static int ent_by_id(const void *a, const void *b)
{
	const struct org_ent *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* qsort_r's comparison: indexes into the entries, by normalised name, then id. */
static int idx_by_name(const void *a, const void *b, void *arg)
{
	const struct org_ent *v = arg;
	const struct org_ent *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];
	int c = strcmp(x->norm, y->norm);

	return c ? c : x->id < y->id ? -1 : x->id > y->id;
}

int org_index_finish(struct org_index *ix)
{
	if (ix->n == 0)
		return 0;
	qsort(ix->v, ix->n, sizeof(ix->v[0]), ent_by_id);
	ix->by_name = malloc(ix->n * sizeof(size_t));
	ix->labels = calloc(ix->n, sizeof(char *));
	if (!ix->by_name || !ix->labels)
		return -1;
	for (size_t i = 0; i < ix->n; i++) {
		const struct org_ent *p = ix->v[i].parent_id ? org_index_get(ix, ix->v[i].parent_id) : NULL;
		ix->v[i].parent = p ? (size_t)(p - ix->v) : ORG_NONE;
		ix->by_name[i] = i;
	}
	qsort_r(ix->by_name, ix->n, sizeof(size_t), idx_by_name, ix->v);
	return 0;
}

/* orgs_walk's callback. */
static int org_push(void *arg, const struct org *o)
{
	struct org_index *ix = arg;

	if (org_index_add(ix, o) != 0) {
		ix->failed = 1;
		return 1;
	}
	return 0;
}

int org_index_load(struct org_index *ix, struct db *db)
{
	int rc;

	memset(ix, 0, sizeof(*ix));
	rc = orgs_walk(db, "/", org_push, ix);
	if (rc != DB_OK)
		return rc;
	if (ix->failed || org_index_finish(ix) != 0)
		return DB_EGENERIC;
	return DB_OK;
}

void org_index_release(struct org_index *ix)
{
	for (size_t i = 0; i < ix->n; i++) {
		free(ix->v[i].name);
		free(ix->v[i].norm);
		free(ix->v[i].path);
		if (ix->labels)
			free(ix->labels[i]);
	}
	free(ix->v);
	free(ix->by_name);
	free(ix->labels);
	memset(ix, 0, sizeof(*ix));
}

const struct org_ent *org_index_get(const struct org_index *ix, int64_t id)
{
	struct org_ent key;

	if (ix->n == 0)
		return NULL;
	key.id = id;
	return bsearch(&key, ix->v, ix->n, sizeof(ix->v[0]), ent_by_id);
}

/* The first position in by_name whose name is not below `norm`. */
static size_t name_lower_bound(const struct org_index *ix, const char *norm)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->v[ix->by_name[mid]].norm, norm) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int path_within(const char *path, const char *const *paths, int npaths)
{
	for (int i = 0; i < npaths; i++)
		if (strncmp(path, paths[i], strlen(paths[i])) == 0)
			return 1;
	return 0;
}

/*
 * Do the ancestors of v[i] carry the names segs[0..n-1], the parent being
 * segs[n-1], its parent segs[n-2], and so on?
 */
static int ancestors_match(const struct org_index *ix, size_t i, char **segs, int n)
{
	size_t cur = ix->v[i].parent;

	for (int k = n - 1; k >= 0; k--) {
		if (cur == ORG_NONE || strcmp(ix->v[cur].norm, segs[k]) != 0)
			return 0;
		cur = ix->v[cur].parent;
	}
	return 1;
}

/* Candidates named `last` whose ancestors are segs[0..n-1], within paths. Fills *best; returns how many. */
static size_t resolve_among(const struct org_index *ix, const char *last, char **segs, int n,
			    const char *const *paths, int npaths, const struct org_ent **best,
			    size_t *active)
{
	size_t count = 0;

	*active = 0;
	for (size_t p = name_lower_bound(ix, last);
	     p < ix->n && strcmp(ix->v[ix->by_name[p]].norm, last) == 0; p++) {
		size_t i = ix->by_name[p];
		if (!path_within(ix->v[i].path, paths, npaths) || !ancestors_match(ix, i, segs, n))
			continue;
		count++;
		if (ix->v[i].active) {
			(*active)++;
			if (*active == 1)
				*best = &ix->v[i];
		} else if (count == 1) {
			*best = &ix->v[i];
		}
	}
	return count;
}

int org_index_resolve(const struct org_index *ix, const char *text, const char *const *paths,
		      int npaths, const struct org_ent **out, size_t *count)
{
	char norm[1024], *segs[16], *p;
	size_t n, active;
	int nseg = 0;

	*out = NULL;
	*count = 0;
	name_norm(text, norm, sizeof(norm));
	if (!*norm)
		return 0;
	/* the whole text as one name first: a name may itself contain '/' */
	n = resolve_among(ix, norm, NULL, 0, paths, npaths, out, &active);
	if (n == 0 && strchr(norm, '/')) {
		for (p = norm; p && nseg < 16; nseg++) {
			segs[nseg] = p;
			p = strchr(p, '/');
			if (p)
				*p++ = '\0';
		}
		if (p)
			return 0;	/* deeper than any tree */
		for (int i = 0; i < nseg; i++)
			if (!*segs[i])
				return 0;
		n = resolve_among(ix, segs[nseg - 1], segs, nseg - 1, paths, npaths, out, &active);
	}
	*count = n;
	if (n == 1 || active == 1)
		return 1;
	*out = NULL;
	return n == 0 ? 0 : -1;
}

/* Do orgs i and j carry the same names for themselves and their first k-1 ancestors? */
static int chains_equal(const struct org_index *ix, size_t i, size_t j, int k)
{
	for (int d = 0; d < k; d++) {
		if (i == ORG_NONE || j == ORG_NONE)
			return i == j;
		if (strcmp(ix->v[i].norm, ix->v[j].norm) != 0)
			return 0;
		i = ix->v[i].parent;
		j = ix->v[j].parent;
	}
	return 1;
}

const char *org_index_label(struct org_index *ix, const struct org_ent *o)
{
	size_t i = (size_t)(o - ix->v), first = name_lower_bound(ix, o->norm), cur;
	struct buf b;
	int k, depth = 0;

	if (ix->labels[i])
		return ix->labels[i];
	for (cur = i; cur != ORG_NONE; cur = ix->v[cur].parent)
		depth++;
	/* the fewest names, counted from the org upwards, that no other org shares */
	for (k = 1; k < depth; k++) {
		int clash = 0;
		for (size_t p = first; p < ix->n && strcmp(ix->v[ix->by_name[p]].norm, o->norm) == 0;
		     p++)
			if (ix->by_name[p] != i && chains_equal(ix, i, ix->by_name[p], k))
				clash = 1;
		if (!clash)
			break;
	}
	{
		size_t chain[64];
		int n = 0;
		for (cur = i; cur != ORG_NONE && n < k && n < 64; cur = ix->v[cur].parent)
			chain[n++] = cur;
		buf_init(&b, 0);
		for (int d = n - 1; d >= 0; d--) {
			buf_puts(&b, ix->v[chain[d]].name);
			if (d)
				buf_putc(&b, '/');
		}
	}
	if (b.err) {
		buf_release(&b);
		return o->name;
	}
	ix->labels[i] = buf_detach(&b);
	return ix->labels[i];
}

/* ---------------------------------------------------------------- dictionaries */

struct dict_item {
	char *code;
	char *label;
	char *norm;	/* the label, normalised */
	int active;
};

struct dict {
	const char *name;	/* "gender" */
	const char *label;	/* "性别" */
	struct dict_item *v;
	size_t n, cap;
	int failed;
};

static int dict_push(void *arg, const char *code, const char *label, int active)
{
	struct dict *d = arg;
	char norm[512];

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct dict_item *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			d->failed = 1;
			return 1;
		}
		d->v = v;
		d->cap = cap;
	}
	name_norm(label, norm, sizeof(norm));
	d->v[d->n].code = strdup(code);
	d->v[d->n].label = strdup(label);
	d->v[d->n].norm = strdup(norm);
	d->v[d->n].active = active;
	d->n++;
	if (!d->v[d->n - 1].code || !d->v[d->n - 1].label || !d->v[d->n - 1].norm) {
		d->failed = 1;
		return 1;
	}
	return 0;
}

static void dict_release(struct dict *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].code);
		free(d->v[i].label);
		free(d->v[i].norm);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

/*
 * The item a sheet means: its label (full-width forms and spaces aside), its
 * code, or - for ethnic groups - the label without the final 族 ("蒙古").
 */
static const struct dict_item *dict_find(const struct dict *d, const char *value)
{
	char norm[512];
	size_t i;

	name_norm(value, norm, sizeof(norm));
	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].norm, norm) == 0)
			return &d->v[i];
	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].code, norm) == 0)
			return &d->v[i];
	if (strcmp(d->name, "ethnicity") == 0 && strlen(norm) + sizeof("族") <= sizeof(norm)) {
		memcpy(norm + strlen(norm), "族", sizeof("族"));
		for (i = 0; i < d->n; i++)
			if (strcmp(d->v[i].norm, norm) == 0)
				return &d->v[i];
	}
	return NULL;
}

/* "男、女" - the active labels for a message, or "" when they would not fit. */
static void dict_allowed(const struct dict *d, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < d->n; i++) {
		int w;
		if (!d->v[i].active)
			continue;
		w = snprintf(out + len, outsz - len, "%s%s", len ? "、" : "", d->v[i].label);
		if (w < 0 || (size_t)w >= outsz - len) {
			out[0] = '\0';
			return;
		}
		len += (size_t)w;
	}
}

/* ---------------------------------------------------------------- ID numbers seen */

/* Open addressing over the normalised numbers: which row gave each one first. */
struct idset {
	struct idslot {
		char id[19];
		size_t row;	/* 0 = empty slot */
	} *v;
	size_t cap, n;
};


static int idset_grow(struct idset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	struct idslot *v = calloc(cap, sizeof(*v));

	if (!v)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		size_t j;
		if (!s->v[i].row)
			continue;
		for (j = fnv1a(s->v[i].id) & (cap - 1); v[j].row; j = (j + 1) & (cap - 1))
			;
		v[j] = s->v[i];
	}
	free(s->v);
	s->v = v;
	s->cap = cap;
	return 0;
}

/* Add id for `row`: 0 when new, the earlier row when seen, (size_t)-1 out of memory. */
static size_t idset_add(struct idset *s, const char *id, size_t row)
{
	size_t j;

	if ((s->n + 1) * 2 > s->cap && idset_grow(s) != 0)
		return (size_t)-1;
	for (j = fnv1a(id) & (s->cap - 1); s->v[j].row; j = (j + 1) & (s->cap - 1))
		if (strcmp(s->v[j].id, id) == 0)
			return s->v[j].row;
	snprintf(s->v[j].id, sizeof(s->v[j].id), "%s", id);
	s->v[j].row = row;
	s->n++;
	return 0;
}

/* ---------------------------------------------------------------- the run */

enum { D_GENDER, D_ETHNICITY, D_EDUCATION, D_POLITICAL, D_COUNT };

struct imp {
	struct db *db;
	const struct import_opts *o;
	const struct import_hooks *h;
	struct import_result *res;
	struct arena a;			/* one row's strings; reset per row */
	int col[PC_COUNT];		/* the sheet column of each field, -1 when absent */
	char *header[PC_COUNT];		/* the header as written, malloc'd */
	struct dict dicts[D_COUNT];
	struct org_index orgs;
	const char *bound[CTX_MAX_GRANTS];	/* subtrees names are matched and people updated in */
	int nbound;
	int64_t default_org;
	struct idset seen;
	/* the people calls of this run: org and dictionary checks and the blind index asked once */
	struct person_batch pb;
	int writing;			/* commit and no error so far: rows are written */
};

struct row_error {
	int pc;			/* enum people_col, -1 for the row as a whole */
	const char *reason;	/* from the row arena */
};

/* One data row as read, and what is wrong with it. */
struct row {
	size_t num;
	const char *raw[PC_COUNT];	/* the cell's text; "" when empty or the column is absent */
	const char *val[PC_COUNT];	/* trimmed; "" when empty */
	unsigned flags[PC_COUNT];
	struct row_error err[ROW_MAX_ERRORS];
	int nerr;
	unsigned bad;			/* bit pc set: that field already has an error */
};

static void row_fail(struct imp *m, struct row *rw, int pc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Record an error of the row against column pc (-1: the row). */
static void row_fail(struct imp *m, struct row *rw, int pc, const char *fmt, ...)
{
	va_list ap;

	if (pc >= 0)
		rw->bad |= 1u << pc;
	if (rw->nerr == ROW_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	rw->err[rw->nerr].reason = arena_vprintf(&m->a, fmt, ap);
	va_end(ap);
	rw->err[rw->nerr].pc = pc;
	rw->nerr++;
}

/* Order of a row's errors: by sheet column, errors without a column last, else as found. */
static int err_rank(const struct imp *m, const struct row_error *re)
{
	return re->pc >= 0 && m->col[re->pc] >= 0 ? m->col[re->pc] : 1 << 20;
}

/* Hand the row's errors to the hook, each with its column, header and cell. */
static void row_report(struct imp *m, struct row *rw)
{
	/* a stable insertion sort of at most ROW_MAX_ERRORS entries */
	for (int i = 1; i < rw->nerr; i++) {
		struct row_error t = rw->err[i];
		int j = i;
		while (j > 0 && err_rank(m, &rw->err[j - 1]) > err_rank(m, &t)) {
			rw->err[j] = rw->err[j - 1];
			j--;
		}
		rw->err[j] = t;
	}
	for (int i = 0; i < rw->nerr; i++) {
		const struct row_error *re = &rw->err[i];
		struct import_error e;
		char value[VALUE_QUOTE_MAX + 8];

		e.row = rw->num;
		e.col = re->pc >= 0 ? m->col[re->pc] : -1;
		e.header = re->pc < 0 ? "" : m->col[re->pc] >= 0 ? m->header[re->pc] :
			people_columns[re->pc].header;
		e.field = re->pc >= 0 ? people_columns[re->pc].field : "";
		snprintf(value, sizeof(value), "%s", re->pc >= 0 ? rw->raw[re->pc] : "");
		utf8_cut(value, VALUE_QUOTE_MAX);
		e.value = value;
		e.reason = re->reason;
		m->res->errors++;
		if (m->h && m->h->error)
			m->h->error(m->h->arg, &e);
	}
}

static int dict_load_all(struct imp *m)
{
	static const struct { const char *name, *label; } names[D_COUNT] = {
		[D_GENDER] = { "gender", "性别" },
		[D_ETHNICITY] = { "ethnicity", "民族" },
		[D_EDUCATION] = { "education", "学历" },
		[D_POLITICAL] = { "political_status", "政治面貌" },
	};

	for (int i = 0; i < D_COUNT; i++) {
		int rc;
		m->dicts[i].name = names[i].name;
		m->dicts[i].label = names[i].label;
		rc = people_dict_walk(m->db, names[i].name, dict_push, &m->dicts[i]);
		if (rc != DB_OK)
			return rc;
		if (m->dicts[i].failed)
			return DB_EGENERIC;
	}
	return DB_OK;
}

/* Fail a file-level problem: the import stops before any row. */
static int file_fail(struct imp *m, enum sheet_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int file_fail(struct imp *m, enum sheet_errcode code, const char *fmt, ...)
{
	va_list ap;

	char *msg = m->res->file.msg;
	int n;

	m->res->file.code = code;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(m->res->file.msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(m->res->file.msg)) {
		/* cut short (a long header quoted): drop the last, maybe partial, character */
		size_t len = strlen(msg);
		while (len > 0 && ((unsigned char)msg[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0 && ((unsigned char)msg[len - 1] & 0x80))
			len--;
		msg[len] = '\0';
	}
	return IMPORT_EFILE;
}

/*
 * Is this row the header? 1 (columns recorded), 0 (not a header), or
 * IMPORT_EFILE when it is one but unusable (a field given twice, no ID
 * number column). A header names at least two known columns, one of them
 * 姓名 or 身份证号.
 */
static int take_header(struct imp *m, const struct sheet_row *sr)
{
	int col[PC_COUNT], matched = 0, dup_a = -1, dup_b = -1;
	char a[8], b[8];

	for (int i = 0; i < PC_COUNT; i++)
		col[i] = -1;
	for (size_t c = 0; c < sr->ncells; c++) {
		int f = header_match(people_header_syns, sr->cells[c].text);
		if (f < 0)
			continue;
		if (col[f] >= 0) {
			if (dup_a < 0) {
				dup_a = col[f];
				dup_b = (int)c;
			}
			continue;
		}
		col[f] = (int)c;
		matched++;
	}
	if (matched < 2 || (col[PC_NAME] < 0 && col[PC_ID] < 0))
		return 0;
	m->res->header_row = sr->num;
	if (dup_a >= 0) {
		transfer_col_name((size_t)dup_a, a);
		transfer_col_name((size_t)dup_b, b);
		return file_fail(m, SHEET_EFORMAT,
				 "第 %zu 行表头：%s 列“%s”与 %s 列“%s”是同一项，请删除其中一列",
				 sr->num, a, sr->cells[dup_a].text, b, sr->cells[dup_b].text);
	}
	if (col[PC_ID] < 0)
		return file_fail(m, SHEET_EFORMAT,
				 "第 %zu 行表头缺少“身份证号”列：导入按身份证号识别人员", sr->num);
	for (int i = 0; i < PC_COUNT; i++) {
		m->col[i] = col[i];
		if (col[i] >= 0) {
			m->header[i] = strdup(sr->cells[col[i]].text);
			if (!m->header[i])
				return file_fail(m, SHEET_EIO, "内存不足");
		}
	}
	return 1;
}

/* A person's name as typed: trimmed; a name without Latin letters also loses inner spaces ("王  芳"). */
static const char *clean_name(struct imp *m, const char *s)
{
	size_t n = strlen(s) + 1;
	char *out = arena_alloc(&m->a, n);
	int latin = 0;

	for (const char *p = s; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			latin = 1;
	cell_normalize(s, latin ? CELL_NORM_TRIM : CELL_NORM_TRIM | CELL_NORM_NOSPACE, out, n);
	return out;
}

/* Text without spaces and with full-width forms made ASCII: ID numbers, phones. */
static const char *compact(struct imp *m, const char *s)
{
	size_t n = strlen(s) + 1;
	char *out = arena_alloc(&m->a, n);

	cell_normalize(s, CELL_NORM_TRIM | CELL_NORM_HALFWIDTH | CELL_NORM_NOSPACE, out, n);
	return out;
}

/* Do a and b differ in white space and full-width forms only? */
static int same_spaced(struct imp *m, const char *a, const char *b)
{
	return strcmp(compact(m, a), compact(m, b)) == 0;
}

/* A number cell written in scientific notation has lost digits (Excel keeps 15). */
static int lost_digits(const struct row *rw, int pc)
{
	return (rw->flags[pc] & SHEET_CELL_NUMBER) &&
	       (strchr(rw->val[pc], 'E') || strchr(rw->val[pc], 'e') || strchr(rw->val[pc], '.'));
}

/*
 * A dictionary cell: the code, or NULL with the error recorded. An archived
 * item is accepted only when it is what the person already has.
 */
static const char *dict_cell(struct imp *m, struct row *rw, int pc, int d, const char *stored)
{
	const struct dict *dc = &m->dicts[d];
	const struct dict_item *it = dict_find(dc, rw->val[pc]);
	char allowed[400];

	if (!it) {
		dict_allowed(dc, allowed, sizeof(allowed));
		if (*allowed && strlen(allowed) < 200)
			row_fail(m, rw, pc, "%s“%s”无法识别，应为：%s", dc->label, rw->val[pc], allowed);
		else
			row_fail(m, rw, pc, "%s“%s”无法识别，请按模板“说明”表中的名称填写", dc->label,
				 rw->val[pc]);
		return NULL;
	}
	if (!it->active && !(stored && strcmp(stored, it->code) == 0)) {
		row_fail(m, rw, pc, "%s“%s”已停用", dc->label, it->label);
		return NULL;
	}
	return it->code;
}

/* A date cell as YYYY-MM-DD (from the row arena), or NULL with the error recorded. */
static const char *date_cell(struct imp *m, struct row *rw, int pc, unsigned *how)
{
	struct ymd d;
	const char *why = cell_parse_date(rw->val[pc], (rw->flags[pc] & SHEET_CELL_DATE) != 0, &d, how);
	char *out;

	if (why) {
		row_fail(m, rw, pc, "%s“%s”：%s", people_columns[pc].header, rw->val[pc], why);
		return NULL;
	}
	out = arena_alloc(&m->a, 11);
	date_format(d, out);
	return out;
}

/* Empty text as NULL. */
static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

static int same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Does the row say nothing the stored person does not already hold? */
static int unchanged(const struct person_in *in, const struct person_stored *st)
{
	return in->org_id == st->org_id && same(in->name, st->name) &&
	       same(in->gender, st->gender) && same(in->ethnicity, st->ethnicity) &&
	       same(in->birth_date, st->birth_date) && same(in->phone, st->phone) &&
	       same(in->education, st->education) &&
	       same(in->political_status, st->political_status) &&
	       same(in->joined_on, st->joined_on) && same(in->full_member_on, st->full_member_on);
}

/* The column of a person field named in a zb_fail ("org_id" is the org column). */
static int field_col(const char *field)
{
	for (int i = 0; i < PC_COUNT; i++)
		if (strcmp(people_columns[i].field, field) == 0)
			return i;
	return -1;
}

/*
 * Turn the rule errors of person_validate / _insert / _update into row
 * errors, except on fields whose cell was already refused (their value was
 * left out, so the rules would only repeat it), and the 转正 rules when the
 * 入党 date was refused.
 */
static void merge_fields(struct imp *m, struct row *rw, const struct zb_fail *f)
{
	const char *field;
	json_t *msg;

	if (!f->fields) {
		if (f->err != ZB_OK)
			row_fail(m, rw, -1, "%s", *f->message ? f->message : "数据有误");
		return;
	}
	json_object_foreach(f->fields, field, msg) {
		int pc = field_col(field);
		if (pc >= 0 && (rw->bad & (1u << pc)))
			continue;
		if (pc == PC_FULL && (rw->bad & (1u << PC_JOINED)))
			continue;
		/* 只有党员才填写入党/转正日期: moot while 政治面貌 itself is wrong or missing */
		if ((pc == PC_JOINED || pc == PC_FULL) && (rw->bad & (1u << PC_POLITICAL)))
			continue;
		row_fail(m, rw, pc, "%s", json_string_value(msg) ? json_string_value(msg) : "数据有误");
	}
}

/* Required fields with no value for a new person: name the missing column, or the empty cell. */
static void require(struct imp *m, struct row *rw, const struct person_in *in, int found)
{
	static const int req[] = { PC_NAME, PC_GENDER, PC_ETHNICITY, PC_BIRTH, PC_POLITICAL, PC_ORG };
	const void *have[] = { in->name, in->gender, in->ethnicity, in->birth_date,
			       in->political_status, in->org_id ? "" : NULL };

	if (found)
		return;
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		int pc = req[i];
		if (have[i] || (rw->bad & (1u << pc)))
			continue;
		if (m->col[pc] < 0 && pc == PC_ORG)
			row_fail(m, rw, pc, "缺少“%s”列：请加上该列，或在导入时选择所属组织",
				 people_columns[pc].header);
		else if (m->col[pc] < 0)
			row_fail(m, rw, pc, "缺少“%s”列：新增人员须填写%s", people_columns[pc].header,
				 people_columns[pc].header);
		else
			row_fail(m, rw, pc, "%s不能为空", people_columns[pc].header);
	}
}

/*
 * One data row: read the cells, match the stored person, build the record
 * and check it (dry run) or write it (commit). Returns 0, or a negative DB_E*
 * that ends the import.
 */
static int take_row(struct imp *m, const struct sheet_row *sr)
{
	struct row rw;
	struct person_in in;
	struct person_stored st;
	struct zb_fail f;
	struct ymd idbirth = { 0, 0, 0 };
	char norm[19];
	const char *why;
	int found = 0, id_ok = 0, male = 0, any = 0, blocked = 0, rc;
	unsigned how = 0;

	memset(&rw, 0, sizeof(rw));
	memset(&in, 0, sizeof(in));
	rw.num = sr->num;
	for (int pc = 0; pc < PC_COUNT; pc++) {
		int c = m->col[pc];
		const char *t = c >= 0 && (size_t)c < sr->ncells ? sr->cells[c].text : "";
		size_t n = strlen(t) + 1;
		char *v = arena_alloc(&m->a, n);

		rw.raw[pc] = t;
		rw.flags[pc] = c >= 0 && (size_t)c < sr->ncells ? sr->cells[c].flags : 0;
		cell_normalize(t, CELL_NORM_TRIM, v, n);
		rw.val[pc] = v;
		any |= *v != '\0';
	}
	if (!any)
		return 0;	/* nothing in a known column: a note or a footer line */
	m->res->total++;

	/* the ID number: the key */
	if (!*rw.val[PC_ID]) {
		row_fail(m, &rw, PC_ID, "身份证号不能为空：导入按身份证号识别人员");
	} else if (strchr(rw.val[PC_ID], '*')) {
		row_fail(m, &rw, PC_ID, "身份证号是打码的（含 *），无法识别人员：请导出完整身份证号后再导入");
	} else if (lost_digits(&rw, PC_ID)) {
		row_fail(m, &rw, PC_ID, "身份证号被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写");
	} else if ((why = idcard_check(compact(m, rw.val[PC_ID]), norm, &idbirth, &male))) {
		row_fail(m, &rw, PC_ID, "%s", why);
	} else if (strcmp(norm, TEMPLATE_EXAMPLE_ID) == 0) {
		row_fail(m, &rw, -1, "这是模板中的示例行，请删除后再导入");
		blocked = 1;
	} else {
		size_t prev = idset_add(&m->seen, norm, rw.num);
		if (prev == (size_t)-1)
			return DB_EGENERIC;
		if (prev) {
			row_fail(m, &rw, PC_ID, "与第%zu行的身份证号重复", prev);
		} else {
			id_ok = 1;
			found = person_batch_find(&m->pb, norm, &st);
			if (found < 0)
				return found;
		}
	}
	if (found && !path_within(st.org_path, m->bound, m->nbound)) {
		if (m->o->org_id)
			row_fail(m, &rw, PC_ID, "该身份证号已登记在本次导入的组织范围之外，不能在此修改");
		else
			row_fail(m, &rw, PC_ID, "该身份证号已登记，其所属组织不在您的管理范围内");
		found = 0;
		blocked = 1;
	}

	/* the other cells; a required field left empty keeps what is stored */
	if (*rw.val[PC_NAME])
		in.name = clean_name(m, rw.val[PC_NAME]);
	if (found && (!in.name || same_spaced(m, in.name, st.name)))
		in.name = st.name;	/* "王 芳" stored stays so, it is the same name */

	if (*rw.val[PC_GENDER])
		in.gender = dict_cell(m, &rw, PC_GENDER, D_GENDER, found ? st.gender : NULL);
	else if (id_ok)
		in.gender = male ? "male" : "female";
	else if (found)
		in.gender = st.gender;

	if (*rw.val[PC_ETHNICITY])
		in.ethnicity = dict_cell(m, &rw, PC_ETHNICITY, D_ETHNICITY, found ? st.ethnicity : NULL);
	else if (found)
		in.ethnicity = st.ethnicity;

	if (*rw.val[PC_BIRTH]) {
		in.birth_date = date_cell(m, &rw, PC_BIRTH, &how);
		/* 出生年月 gives a month: the ID number gives the day */
		if (in.birth_date && (how & CELL_DATE_MONTH_ONLY) && id_ok) {
			char ym[8];
			snprintf(ym, sizeof(ym), "%04d-%02d", idbirth.y, idbirth.m);
			if (strncmp(in.birth_date, ym, 7) == 0) {
				char *d = arena_alloc(&m->a, 11);
				date_format(idbirth, d);
				in.birth_date = d;
			}
		}
	} else if (id_ok) {
		char *d = arena_alloc(&m->a, 11);
		date_format(idbirth, d);
		in.birth_date = d;
	} else if (found) {
		in.birth_date = st.birth_date;
	}

	/* optional fields: an empty cell clears, a missing column keeps */
	if (*rw.val[PC_PHONE]) {
		if (strchr(rw.val[PC_PHONE], '*'))
			row_fail(m, &rw, PC_PHONE, "联系电话是打码的（含 *）：请填写完整号码，或删去该列以保留系统中的号码");
		else if (lost_digits(&rw, PC_PHONE))
			row_fail(m, &rw, PC_PHONE, "联系电话被存成了数字，已丢失位数：请把该列设为文本格式后重新填写");
		else
			in.phone = compact(m, rw.val[PC_PHONE]);
		if (found && in.phone && same_spaced(m, in.phone, st.phone))
			in.phone = st.phone;
	} else if (m->col[PC_PHONE] < 0 && found) {
		in.phone = nz(st.phone);
	}

	if (*rw.val[PC_EDUCATION])
		in.education = dict_cell(m, &rw, PC_EDUCATION, D_EDUCATION, found ? st.education : NULL);
	else if (m->col[PC_EDUCATION] < 0 && found)
		in.education = nz(st.education);

	if (*rw.val[PC_POLITICAL])
		in.political_status = dict_cell(m, &rw, PC_POLITICAL, D_POLITICAL,
						found ? st.political_status : NULL);
	else if (found)
		in.political_status = st.political_status;

	if (*rw.val[PC_JOINED])
		in.joined_on = date_cell(m, &rw, PC_JOINED, NULL);
	else if (m->col[PC_JOINED] < 0 && found)
		in.joined_on = nz(st.joined_on);

	if (*rw.val[PC_FULL])
		in.full_member_on = date_cell(m, &rw, PC_FULL, NULL);
	else if (m->col[PC_FULL] < 0 && found)
		in.full_member_on = nz(st.full_member_on);

	if (*rw.val[PC_ORG]) {
		const struct org_ent *o;
		size_t count;
		int r = org_index_resolve(&m->orgs, rw.val[PC_ORG], m->bound, m->nbound, &o, &count);
		if (r == 1)
			in.org_id = o->id;
		else if (r == 0)
			row_fail(m, &rw, PC_ORG, "组织“%s”不存在，或不在%s", rw.val[PC_ORG],
				 m->o->org_id ? "本次导入的组织范围内" : "您的管理范围内");
		else
			row_fail(m, &rw, PC_ORG, "名为“%s”的组织有 %zu 个，请写成“上级组织/%s”",
				 rw.val[PC_ORG], count, rw.val[PC_ORG]);
	} else if (found) {
		in.org_id = st.org_id;
	} else {
		in.org_id = m->default_org;
	}
	if (id_ok && !found)
		in.id_number = arena_strdup(&m->a, norm);

	if (blocked)
		goto report;
	require(m, &rw, &in, found);
	if (found && rw.nerr == 0 && unchanged(&in, &st)) {
		m->res->unchanged++;
		return 0;
	}
	if (found && rw.nerr == 0 && strcmp(st.status, "active") != 0) {
		row_fail(m, &rw, -1, "该人员已归档，请先在系统中恢复后再导入修改");
		goto report;
	}

	zb_fail_init(&f);
	if (m->writing && rw.nerr == 0) {
		if (found) {
			rc = person_batch_update(&m->pb, st.id, st.version, &in, &f);
			if (rc == 2)
				row_fail(m, &rw, -1, "该人员的信息刚被他人修改，请重新导入");
		} else {
			int64_t id = person_batch_insert(&m->pb, &in, &f);
			rc = id > 0 ? 0 : id == 0 ? 1 : (int)id;
		}
	} else {
		rc = person_batch_validate(&m->pb, &in, found ? st.id : 0, &f);
	}
	if (rc < 0) {
		zb_fail_release(&f);
		return rc;
	}
	if (rc == 1 || f.err != ZB_OK)
		merge_fields(m, &rw, &f);
	zb_fail_release(&f);
	if (rw.nerr == 0) {
		if (found)
			m->res->updated++;
		else
			m->res->added++;
		return 0;
	}
report:
	m->res->error_rows++;
	m->writing = 0;
	row_report(m, &rw);
	return 0;
}

static void progress(struct imp *m, struct sheet *s, size_t rows)
{
	uint64_t done = 0, total = 0;

	if (!m->h || !m->h->progress)
		return;
	sheet_progress(s, &done, &total);
	m->h->progress(m->h->arg, rows, done, total);
}

/* The subtrees of the run: org_id's, else the caller's scope, else the whole tree. */
static int set_bounds(struct imp *m)
{
	if (m->o->org_id) {
		const struct org_ent *o = org_index_get(&m->orgs, m->o->org_id);
		if (!o)
			return file_fail(m, SHEET_EFORMAT, "导入的目标组织不存在");
		m->bound[0] = o->path;
		m->nbound = 1;
		m->default_org = o->id;
	} else if (m->o->scope) {
		for (int i = 0; i < m->o->scope->n && i < CTX_MAX_GRANTS; i++)
			m->bound[m->nbound++] = m->o->scope->paths[i];
	} else {
		m->bound[0] = "/";
		m->nbound = 1;
	}
	return 0;
}

/* The audit row of a committed import: what, how many, where. */
static int audit_import(struct imp *m)
{
	json_t *after = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}",
				  "source", m->o->source ? m->o->source : "",
				  "total", (json_int_t)m->res->total, "added", (json_int_t)m->res->added,
				  "updated", (json_int_t)m->res->updated,
				  "unchanged", (json_int_t)m->res->unchanged, "file", m->res->kind);
	int rc;

	if (!after)
		return DB_EGENERIC;
	if (m->o->org_id)
		json_object_set_new(after, "org_id", json_integer(m->o->org_id));
	rc = audit_append(m->db, m->o->k, m->o->who, "import", 0, "import_people", NULL, after);
	json_decref(after);
	return rc;
}

static void imp_release(struct imp *m)
{
	for (int i = 0; i < PC_COUNT; i++)
		free(m->header[i]);
	for (int i = 0; i < D_COUNT; i++)
		dict_release(&m->dicts[i]);
	org_index_release(&m->orgs);
	free(m->seen.v);
	arena_release(&m->a);
}

int import_people(struct db *db, const char *path, const struct import_opts *o,
		  const struct import_hooks *h, struct import_result *res)
{
	struct sheet_limits lim;
	struct sheet_error e;
	struct sheet_row sr;
	struct sheet *s;
	struct imp m;
	size_t seen_rows = 0, rows = 0;
	int rc, got, header = 0, in_tx = 0;

	memset(res, 0, sizeof(*res));
	memset(&m, 0, sizeof(m));
	m.db = db;
	m.o = o;
	m.h = h;
	m.res = res;
	arena_init(&m.a, 0);
	/* one run: one transaction (commit) or one dry run, as a batch must be */
	person_batch_init(&m.pb, db, o->k, o->who);
	for (int i = 0; i < PC_COUNT; i++)
		m.col[i] = -1;

	sheet_limits_default(&lim);
	lim.max_file_bytes = TRANSFER_MAX_UPLOAD;
	s = sheet_open(path, &lim, &e);
	if (!s) {
		res->file = e;
		imp_release(&m);
		return IMPORT_EFILE;
	}
	snprintf(res->kind, sizeof(res->kind), "%s", sheet_describe(s));
	rc = dict_load_all(&m);
	if (rc == DB_OK)
		rc = org_index_load(&m.orgs, db);
	if (rc == DB_OK)
		rc = set_bounds(&m);
	if (rc == DB_OK && o->commit) {
		rc = db_begin(db);
		in_tx = rc == DB_OK;
		m.writing = 1;
	}
	while (rc == DB_OK && (got = sheet_next(s, &sr, &e)) == 1) {
		if (sr.ncells > res->width)
			res->width = sr.ncells;
		arena_reset(&m.a);
		if (!header) {
			if (++seen_rows > HEADER_SEARCH_ROWS)
				break;
			header = take_header(&m, &sr);
			if (header == IMPORT_EFILE)
				rc = IMPORT_EFILE;
			continue;
		}
		rc = take_row(&m, &sr);
		if (++rows % IMPORT_PROGRESS_ROWS == 0)
			progress(&m, s, rows);
	}
	if (rc == DB_OK && got < 0) {
		res->file = e;
		rc = IMPORT_EFILE;
	}
	if (rc == DB_OK && header != 1)
		rc = file_fail(&m, SHEET_EFORMAT,
			       "未找到表头：前 %d 行中应有一行列名，至少包括“姓名”“身份证号”（可下载导入模板对照）",
			       HEADER_SEARCH_ROWS);
	if (rc == DB_OK && res->total == 0)
		rc = file_fail(&m, SHEET_EFORMAT, "第 %zu 行表头之后没有数据行", res->header_row);
	progress(&m, s, rows);
	sheet_close(s);
	if (rc == DB_OK && res->error_rows > 0)
		rc = IMPORT_EROWS;
	if (rc == DB_OK && in_tx) {
		rc = audit_import(&m);
		if (rc == DB_OK)
			rc = db_commit(db);
		if (rc == DB_OK)
			in_tx = 0;
	}
	if (in_tx)
		db_rollback(db);
	imp_release(&m);
	return rc;
}

/* ---------------------------------------------------------------- error lines */

void import_error_lines_init(struct import_error_lines *l, FILE *fp)
{
	memset(l, 0, sizeof(*l));
	l->fp = fp;
}

static void lines_flush(struct import_error_lines *l)
{
	if (l->row && fprintf(l->fp, "%zu\t%s\n", l->row, l->line) < 0)
		l->failed = 1;
	l->row = 0;
	l->len = 0;
	l->line[0] = '\0';
}

/*
 * Append s with tabs and line breaks made spaces. What does not fit the
 * line's buffer is dropped, at a character boundary so the line stays UTF-8.
 */
static void lines_put(struct import_error_lines *l, const char *s)
{
	for (; *s && l->len + 1 < sizeof(l->line); s++)
		l->line[l->len++] = *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s;
	if (((unsigned char)*s & 0xc0) == 0x80) {
		/* cut inside a character: drop its first bytes too */
		while (l->len > 0 && ((unsigned char)l->line[l->len - 1] & 0xc0) == 0x80)
			l->len--;
		if (l->len > 0 && ((unsigned char)l->line[l->len - 1] & 0xc0) == 0xc0)
			l->len--;
	}
	l->line[l->len] = '\0';
}

void import_error_lines_add(struct import_error_lines *l, const struct import_error *e)
{
	if (e->row != l->row)
		lines_flush(l);
	l->row = e->row;
	if (l->len)
		lines_put(l, "；");
	if (*e->header) {
		lines_put(l, e->header);
		lines_put(l, "：");
	}
	lines_put(l, e->reason);
}

int import_error_lines_end(struct import_error_lines *l)
{
	lines_flush(l);
	if (fflush(l->fp) != 0)
		l->failed = 1;
	return l->failed ? -1 : 0;
}

void import_error_text(const struct import_error *e, char *out, size_t outsz)
{
	char col[8];

	if (e->col >= 0) {
		transfer_col_name((size_t)e->col, col);
		snprintf(out, outsz, "第%zu行 列%s（%s）：%s", e->row, col, e->header, e->reason);
	} else if (*e->header) {
		snprintf(out, outsz, "第%zu行（%s）：%s", e->row, e->header, e->reason);
	} else {
		snprintf(out, outsz, "第%zu行：%s", e->row, e->reason);
	}
}
