/* disclosure_eval.c - judging every branch x item x period through the rules engine: the supervision grid (and its xlsx), the ranking, the findings provider. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "disclosure.h"
#include "disclosure_internal.h"
#include "../orgs/orgs.h"
#include "../rules/findings.h"
#include "../../auth/crypt.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/log.h"

/* An org judged. */
struct eorg {
	int64_t id;
	const char *path, *name, *kind, *category;
	int many;
};

/* A disclosure as the evaluation sees it. */
struct drec {
	int64_t id, org_id, cur_vid;
	const char *item, *period, *content, *finance;
	int64_t first_pub;	/* day of first publication, INT64_MIN none */
	char pub_text[11];
};

static const char SQL_ORGS[] =
	"SELECT o.id, o.path, o.name, o.kind, COALESCE(o.category, ''), COALESCE(s.many_transactions, 0)"
	" FROM orgs o LEFT JOIN disclosure_org_settings s ON s.org_id = o.id"
	" WHERE o.status = 'active' AND o.kind IN ('branch', 'general_branch') AND %s"
	" AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT)) ORDER BY o.path";
static const char SQL_RECS[] =
	"SELECT d.id, d.org_id, d.item, d.period,"
	" (SELECT MIN(p.published_on) FROM disclosure_versions p WHERE p.disclosure_id = d.id AND p.state = 'published'),"
	" cv.id, cv.content, cv.finance"
	" FROM disclosures d JOIN orgs o ON o.id = d.org_id"
	" LEFT JOIN disclosure_versions cv ON cv.disclosure_id = d.id AND cv.state = 'published' AND cv.superseded_by IS NULL"
	" WHERE %s AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT))"
	/* every period name starts with its year ("2025", "2025-Q1", "2025-03", an event's day) */
	" AND substr(d.period, 1, 4) >= CAST(? AS TEXT) AND substr(d.period, 1, 4) <= CAST(? AS TEXT)";

void dgrid_free(struct dgrid *g)
{
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static struct dcell *grid_add(struct dgrid *g)
{
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 256;
		struct dcell *v = realloc(g->v, nc * sizeof(*v));
		if (!v)
			return NULL;
		g->v = v;
		g->cap = nc;
	}
	memset(&g->v[g->n], 0, sizeof(g->v[0]));
	return &g->v[g->n++];
}

static int64_t day_of(const char *s)
{
	struct ymd d;

	return s && date_parse_iso(s, &d) == 0 ? date_to_days(d) : INT64_MIN;
}

static void day_text(int64_t day, char out[11])
{
	date_format(date_from_days(day), out);
}

/* Load the orgs in scope and their disclosures of the years from..to. DB_OK or DB_E*. */
static int load(struct db *db, struct arena *a, const struct scope *s, const char *like, int64_t from,
		int64_t to, struct eorg **orgs, size_t *norg, struct drec **recs, size_t *nrec)
{
	char y1[8], y2[8];
	const char *sc = scope_sql(a, s, "o.path");
	struct db_stmt *st = db_prepare(db, arena_printf(a, SQL_ORGS, sc));
	size_t cap = 32, n = 0;
	struct eorg *ov = arena_alloc(a, cap * sizeof(*ov));
	struct drec *rv;
	int rc = st ? DB_OK : DB_EGENERIC, idx;

	if (st) {
		idx = scope_bind(st, 1, s);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx, like);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			struct eorg *g = arena_alloc(a, cap * 2 * sizeof(*g));
			memcpy(g, ov, n * sizeof(*ov));
			ov = g;
			cap *= 2;
		}
		ov[n++] = (struct eorg){ db_col_int(st, 0), arena_strdup(a, db_col_text(st, 1)),
					 arena_strdup(a, db_col_text(st, 2)), arena_strdup(a, db_col_text(st, 3)),
					 arena_strdup(a, db_col_text(st, 4)), (int)db_col_int(st, 5) };
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	*orgs = ov;
	*norg = n;

	st = db_prepare(db, arena_printf(a, SQL_RECS, sc));
	rc = st ? DB_OK : DB_EGENERIC;
	cap = 256;
	n = 0;
	rv = arena_alloc(a, cap * sizeof(*rv));
	snprintf(y1, sizeof(y1), "%04d", date_from_days(from).y % 10000);
	snprintf(y2, sizeof(y2), "%04d", date_from_days(to).y % 10000);
	if (st) {
		idx = scope_bind(st, 1, s);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx++, y1);
		db_bind_text(st, idx, y2);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		struct drec *d;
		if (n == cap) {
			struct drec *g = arena_alloc(a, cap * 2 * sizeof(*g));
			memcpy(g, rv, n * sizeof(*rv));
			rv = g;
			cap *= 2;
		}
		d = &rv[n++];
		d->id = db_col_int(st, 0);
		d->org_id = db_col_int(st, 1);
		d->item = arena_strdup(a, db_col_text(st, 2));
		d->period = arena_strdup(a, db_col_text(st, 3));
		d->first_pub = day_of(db_col_text(st, 4));
		snprintf(d->pub_text, sizeof(d->pub_text), "%s", db_col_text(st, 4) ? db_col_text(st, 4) : "");
		d->cur_vid = db_col_int(st, 5);
		d->content = arena_strdup(a, db_col_text(st, 6));
		d->finance = arena_strdup(a, db_col_text(st, 7));
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	*recs = rv;
	*nrec = n;
	return DB_OK;
}

/* Order of the records' index: by org, catalogue item, period. */
static int rec_cmp(int64_t org, const char *item, const char *period, const struct drec *d)
{
	int c;

	if (org != d->org_id)
		return org < d->org_id ? -1 : 1;
	c = strcmp(item, d->item);
	return c ? c : strcmp(period, d->period);
}

static int by_key(const void *x, const void *y)
{
	const struct drec *a = *(const struct drec *const *)x, *b = *(const struct drec *const *)y;
	int c = rec_cmp(a->org_id, a->item, a->period, b);

	/* the first loaded (lowest id) first among equals, as the linear search found it */
	return c ? c : a->id < b->id ? -1 : a->id > b->id;
}

/* The records sorted for rec_find (arena): a county has ~15,000, a region ~1.5 million. */
static const struct drec **rec_index(struct arena *a, const struct drec *v, size_t n)
{
	const struct drec **ix = arena_alloc(a, (n + 1) * sizeof(*ix));

	for (size_t i = 0; i < n; i++)
		ix[i] = &v[i];
	qsort(ix, n, sizeof(*ix), by_key);
	return ix;
}

/* The disclosure of org for item and period, or NULL: a binary search of the index. */
static const struct drec *rec_find(const struct drec *const *ix, size_t n, int64_t org, const char *item,
				   const char *period)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rec_cmp(org, item, period, ix[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && rec_cmp(org, item, period, ix[lo]) == 0 ? ix[lo] : NULL;
}

static int org_by_id(const void *x, const void *y)
{
	int64_t a = (*(const struct eorg *const *)x)->id, b = (*(const struct eorg *const *)y)->id;

	return a < b ? -1 : a > b;
}

/* The judged org with this id, or NULL: byid is sorted by id. */
static const struct eorg *org_find(const struct eorg *const *byid, size_t n, int64_t id)
{
	struct eorg key = { .id = id };
	const struct eorg *k = &key, *const *hit = bsearch(&k, byid, n, sizeof(*byid), org_by_id);

	return hit ? *hit : NULL;
}

/* The catalogue applies to org o (kind, category, transactions). */
static int applies(const struct dcat *c, const struct eorg *o)
{
	if (strcmp(c->status, "active") != 0)
		return 0;
	if (!rule_list_has(c->org_kinds, o->kind) || !rule_list_has(c->org_categories, o->category))
		return 0;
	if (strcmp(c->transactions, "many") == 0)
		return o->many;
	if (strcmp(c->transactions, "few") == 0)
		return !o->many;
	return 1;
}

/* Fill the published / late / incomplete facts of a cell from its disclosure. */
static void fill_published(struct db *db, struct arena *a, const struct dcat *c, struct dcell *x,
			   const struct drec *d, int64_t due)
{
	x->disclosure_id = d->id;
	snprintf(x->published_on, sizeof(x->published_on), "%s", d->pub_text);
	x->late = d->first_pub > due;
	x->state = x->late ? "late" : "published";
	if (d->cur_vid) {
		x->missing_fields = dver_missing_fields(db, a, c, d->cur_vid, d->content, d->finance);
		if (*x->missing_fields)
			x->state = "incomplete";
	}
}

int disclosure_evaluate(struct db *db, struct arena *a, const struct scope *s, const char *path_like,
			int64_t from, int64_t to, int64_t as_of, struct dgrid *out)
{
	static const enum rule_freq freqs[] = { RULE_MONTHLY, RULE_QUARTERLY, RULE_YEARLY };
	struct eorg *orgs;
	struct drec *recs;
	struct dcat *cats;
	struct rule_req *reqs;
	struct rule_org *rorgs;
	const struct drec **rix;
	const struct eorg **byid;
	size_t norg, nrec;
	long ncat, nreq;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load(db, a, s, path_like, from, to, &orgs, &norg, &recs, &nrec);
	if (rc != DB_OK)
		return rc;
	ncat = dcat_load(db, a, &cats);
	if (ncat < 0)
		return (int)ncat;
	nreq = rules_load(db, a, "disclosure", &reqs);
	if (nreq < 0)
		return (int)nreq;
	rorgs = arena_alloc(a, (norg + 1) * sizeof(*rorgs));
	for (size_t i = 0; i < norg; i++)
		rorgs[i] = (struct rule_org){ orgs[i].id, orgs[i].kind, orgs[i].category };
	rix = rec_index(a, recs, nrec);
	byid = arena_alloc(a, (norg + 1) * sizeof(*byid));
	for (size_t i = 0; i < norg; i++)
		byid[i] = &orgs[i];
	qsort(byid, norg, sizeof(*byid), org_by_id);

	/* periodic items: one engine run per period, fed only that period's disclosures */
	for (size_t fi = 0; fi < sizeof(freqs) / sizeof(freqs[0]); fi++) {
		struct rule_req *fr = arena_alloc(a, ((size_t)nreq + 1) * sizeof(*fr));
		struct rule_record *rr = arena_alloc(a, (nrec + 1) * sizeof(*rr));
		size_t nfr = 0;
		int64_t ps, pe;

		for (long i = 0; i < nreq; i++)
			if (reqs[i].freq == freqs[fi])
				fr[nfr++] = reqs[i];
		if (nfr == 0)
			continue;
		rule_period_of(freqs[fi], from, &ps, &pe);
		for (; ps <= to && ps <= as_of; rule_period_of(freqs[fi], pe + 1, &ps, &pe)) {
			struct rule_result res;
			char pname[16];
			size_t nrr = 0;

			disclosure_period_name(freqs[fi], ps, pname);
			for (size_t i = 0; i < nrec; i++) {
				int grace = -1;
				if (strcmp(recs[i].period, pname) != 0 || recs[i].first_pub == INT64_MIN)
					continue;
				for (size_t q = 0; q < nfr; q++)
					if (strcmp(fr[q].what, recs[i].item) == 0 && fr[q].valid_from <= ps &&
					    ps < fr[q].valid_to)
						grace = fr[q].grace_days;
				if (grace < 0)
					continue;
				/* on time by the due day counts inside the period; later as late */
				rr[nrr++] = (struct rule_record){ recs[i].org_id, "disclosure", recs[i].item,
								  recs[i].first_pub <= pe + grace ? ps : pe + 1 };
			}
			if (rules_evaluate(fr, nfr, rorgs, norg, rr, nrr, ps, ps, as_of, 36500, &res) != 0) {
				dgrid_free(out);
				return DB_EGENERIC;
			}
			for (size_t ci = 0; ci < res.ncells; ci++) {
				const struct rule_cell *cell = &res.cells[ci];
				const struct rule_req *q = &fr[cell->req];
				const struct eorg *o = &orgs[cell->org];
				const struct dcat *c = dcat_find(cats, (size_t)ncat, q->what);
				const struct drec *d;
				struct dcell *x;
				int64_t due = cell->end + q->grace_days;

				if (!c || strcmp(c->frequency, rule_freq_code(q->freq)) != 0 || !applies(c, o))
					continue;
				x = grid_add(out);
				if (!x) {
					rule_result_free(&res);
					dgrid_free(out);
					return DB_EGENERIC;
				}
				x->org_id = o->id;
				x->org_name = o->name;
				x->org_path = o->path;
				x->item = c->code;
				x->item_name = c->name;
				x->affair = c->affair;
				x->severity = q->severity;
				x->missing_fields = "";
				snprintf(x->period, sizeof(x->period), "%s", pname);
				day_text(due, x->due);
				d = rec_find(rix, nrec, o->id, c->code, pname);
				if (d && d->first_pub != INT64_MIN)
					fill_published(db, a, c, x, d, due);
				else
					x->state = cell->finding == RF_PENDING ? "pending" : "missing";
				if (d && !x->disclosure_id)
					x->disclosure_id = d->id;
			}
			rule_result_free(&res);
		}
	}

	/* event items: due within_days after the event; known only from their disclosures */
	for (size_t i = 0; i < nrec; i++) {
		const struct dcat *c = dcat_find(cats, (size_t)ncat, recs[i].item);
		const struct eorg *o = NULL;
		int64_t ev = day_of(recs[i].period), due;
		struct dcell *x;

		if (!c || strcmp(c->frequency, "event") != 0 || ev == INT64_MIN || ev < from || ev > to)
			continue;
		o = org_find(byid, norg, recs[i].org_id);
		if (!o || !applies(c, o))
			continue;
		due = ev + c->within_days;
		x = grid_add(out);
		if (!x) {
			dgrid_free(out);
			return DB_EGENERIC;
		}
		x->org_id = o->id;
		x->org_name = o->name;
		x->org_path = o->path;
		x->item = c->code;
		x->item_name = c->name;
		x->affair = c->affair;
		x->severity = RULE_MEDIUM;
		x->missing_fields = "";
		x->disclosure_id = recs[i].id;
		snprintf(x->period, sizeof(x->period), "%s", recs[i].period);
		day_text(due, x->due);
		if (recs[i].first_pub != INT64_MIN)
			fill_published(db, a, c, x, &recs[i], due);
		else
			x->state = due < as_of ? "missing" : "pending";
	}
	return DB_OK;
}

/* ---------------------------------------------------------------- the grid */

/* The year (query `year`, default this year) as [from, to]; 0 or -1 with f set. */
static int year_range(struct req *r, int64_t *year, int64_t *from, int64_t *to, struct zb_fail *f)
{
	struct ymd today = date_today_cn();

	*year = req_query_int(r, "year", today.y, 1990, 2200, f);
	*from = date_to_days((struct ymd){ (int)*year, 1, 1 });
	*to = date_to_days((struct ymd){ (int)*year, 12, 31 });
	return f->err ? -1 : 0;
}

static const char *const sev_codes[] = { "low", "medium", "high" };

static json_t *cell_json(const struct dcell *x)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:b}",
			 "item", x->item, "item_name", x->item_name, "affair", x->affair,
			 "period", x->period, "due", x->due, "state", x->state,
			 "state_label", disclosure_state_label(x->state),
			 "disclosure_id", x->disclosure_id ? json_integer(x->disclosure_id) : json_null(),
			 "published_on", x->published_on[0] ? json_string(x->published_on) : json_null(),
			 "missing_fields", x->missing_fields ? x->missing_fields : "",
			 "severity", sev_codes[x->severity], "late", x->late);
}

/* Evaluate for a request: scope of action, org / year / affair filters. 1 to go on (answered otherwise). */
static int evaluate_req(struct req *r, const char *action, struct dgrid *g, int64_t *year,
			const char **affair)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	const char *path;
	int64_t from, to;
	int rc;

	zb_fail_init(&f);
	scope_for(c, action, &s);
	path = org_scope_param(r, "org", &s, &f);
	year_range(r, year, &from, &to, &f);
	*affair = req_query(r, "affair");
	if (*affair && !**affair)
		*affair = NULL;
	if (f.err) {
		resp_fail(r, &f);
		return 0;
	}
	zb_fail_release(&f);
	rc = disclosure_evaluate(c->db, &r->arena, &s, path ? arena_printf(&r->arena, "%s%%", path) : NULL,
				 from, to, date_to_days(date_today_cn()), g);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	return 1;
}

/*
 * GET /disclosure/grid?year=&org=&affair=: per branch, every item x period
 * with its state (published, late, missing, pending, incomplete), and the
 * counts of each state.
 */
void disclosure_http_grid(struct req *r)
{
	struct dgrid g;
	int64_t year;
	const char *affair;
	json_t *rows = json_array(), *row = NULL, *counts = json_object();
	int64_t last = 0;

	if (!evaluate_req(r, "disclosure.read", &g, &year, &affair)) {
		json_decref(rows);
		json_decref(counts);
		return;
	}
	for (size_t i = 0; i < g.n; i++) {
		const struct dcell *x = &g.v[i];
		if (affair && strcmp(affair, x->affair) != 0)
			continue;
		if (!row || last != x->org_id) {
			/* cells come grouped by period then org: find the org's row */
			row = NULL;
			for (size_t k = 0; k < json_array_size(rows); k++)
				if (json_integer_value(json_object_get(json_array_get(rows, k), "org_id")) == x->org_id)
					row = json_array_get(rows, k);
			if (!row) {
				row = json_pack("{s:I, s:s, s:[]}", "org_id", (json_int_t)x->org_id,
						"org_name", x->org_name, "cells");
				json_array_append_new(rows, row);
			}
			last = x->org_id;
		}
		json_array_append_new(json_object_get(row, "cells"), cell_json(x));
		json_object_set_new(counts, x->state, json_integer(json_integer_value(json_object_get(counts, x->state)) + 1));
	}
	dgrid_free(&g);
	resp_json(r, 200, json_pack("{s:I, s:o, s:o}", "year", (json_int_t)year, "rows", rows, "counts", counts));
}

/* Per-org figures of a grid. */
struct rank {
	int64_t org_id;
	const char *name;
	int expected, published, on_time, complete, missing, late, incomplete;
};

static int rank_cmp(const void *pa, const void *pb)
{
	const struct rank *a = pa, *b = pb;
	/* completeness, then timeliness, by cross-multiplication (no rounding) */
	int64_t ca = (int64_t)a->complete * (b->expected ? b->expected : 1);
	int64_t cb = (int64_t)b->complete * (a->expected ? a->expected : 1);
	int64_t ta, tb;

	if (ca != cb)
		return ca > cb ? -1 : 1;
	ta = (int64_t)a->on_time * (b->published ? b->published : 1);
	tb = (int64_t)b->on_time * (a->published ? a->published : 1);
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return a->org_id < b->org_id ? -1 : a->org_id > b->org_id;
}

/*
 * GET /disclosure/ranking?year=&org=: branches by completeness (complete
 * disclosures / those due) then timeliness (on time / published).
 */
void disclosure_http_ranking(struct req *r)
{
	struct dgrid g;
	int64_t year;
	const char *affair;
	struct rank *rk;
	size_t nr = 0;
	json_t *items = json_array();

	if (!evaluate_req(r, "disclosure.read", &g, &year, &affair)) {
		json_decref(items);
		return;
	}
	rk = arena_alloc(&r->arena, (g.n + 1) * sizeof(*rk));
	for (size_t i = 0; i < g.n; i++) {
		const struct dcell *x = &g.v[i];
		struct rank *k = NULL;
		if (strcmp(x->state, "pending") == 0 || (affair && strcmp(affair, x->affair) != 0))
			continue;
		for (size_t j = 0; j < nr; j++)
			if (rk[j].org_id == x->org_id)
				k = &rk[j];
		if (!k) {
			k = &rk[nr++];
			k->org_id = x->org_id;
			k->name = x->org_name;
		}
		k->expected++;
		if (strcmp(x->state, "missing") == 0) {
			k->missing++;
			continue;
		}
		k->published++;
		if (!x->late)
			k->on_time++;
		else
			k->late++;
		if (strcmp(x->state, "incomplete") == 0)
			k->incomplete++;
		else
			k->complete++;
	}
	qsort(rk, nr, sizeof(*rk), rank_cmp);
	for (size_t i = 0; i < nr; i++)
		json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f}",
			"rank", (json_int_t)(i + 1), "org_id", (json_int_t)rk[i].org_id, "org_name", rk[i].name,
			"expected", rk[i].expected, "published", rk[i].published, "on_time", rk[i].on_time,
			"missing", rk[i].missing, "late", rk[i].late, "incomplete", rk[i].incomplete,
			"completeness", rk[i].expected ? (double)rk[i].complete / rk[i].expected : 1.0,
			"timeliness", rk[i].published ? (double)rk[i].on_time / rk[i].published : 1.0));
	dgrid_free(&g);
	resp_json(r, 200, json_pack("{s:I, s:o}", "year", (json_int_t)year, "items", items));
}

/* The file's bytes into the answer as an attachment; removes it. */
static void send_xlsx(struct req *r, const char *path, const char *name)
{
	FILE *fp = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;

	buf_init(&b, 64 << 20);
	while (fp && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	if (fp)
		fclose(fp);
	unlink(path);
	if (!fp || b.err) {
		buf_release(&b);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	resp_attachment(r, "disclosure-grid.xlsx", name);
	resp_text(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b.data, b.len);
	buf_release(&b);
}

/* GET /disclosure/grid.xlsx?year=&org=&affair=: the grid as a workbook, one row per branch x item x period. */
void disclosure_http_grid_xlsx(struct req *r)
{
	static const char *const heads[] = { "组织", "类别", "公开事项", "期间", "应公开日期", "状态",
					     "公开日期", "缺少内容" };
	struct dgrid g;
	int64_t year;
	const char *affair;
	char dir[512], path[600], rnd[33];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold;
	uint32_t row = 1;

	if (!evaluate_req(r, "disclosure.read", &g, &year, &affair))
		return;
	snprintf(dir, sizeof(dir), "%s/tmp", r->app->cfg.files_dir);
	mkdir(r->app->cfg.files_dir, 0700);
	mkdir(dir, 0700);
	random_token(rnd, 16);
	snprintf(path, sizeof(path), "%s/disclosure-%s.xlsx", dir, rnd);
	wb = workbook_new(path);
	ws = wb ? workbook_add_worksheet(wb, "三务公开") : NULL;
	if (!ws) {
		if (wb)
			workbook_close(wb);
		unlink(path);
		dgrid_free(&g);
		log_error("request %s: cannot write %s", r->id, path);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	for (lxw_col_t c = 0; c < sizeof(heads) / sizeof(heads[0]); c++)
		worksheet_write_string(ws, 0, c, heads[c], bold);
	worksheet_set_column(ws, 0, 0, 24, NULL);
	worksheet_set_column(ws, 2, 2, 30, NULL);
	for (size_t i = 0; i < g.n && row < 1048575; i++) {
		const struct dcell *x = &g.v[i];
		if (affair && strcmp(affair, x->affair) != 0)
			continue;
		worksheet_write_string(ws, row, 0, x->org_name, NULL);
		worksheet_write_string(ws, row, 1, disclosure_affair_label(x->affair), NULL);
		worksheet_write_string(ws, row, 2, x->item_name, NULL);
		worksheet_write_string(ws, row, 3, x->period, NULL);
		worksheet_write_string(ws, row, 4, x->due, NULL);
		worksheet_write_string(ws, row, 5, disclosure_state_label(x->state), NULL);
		worksheet_write_string(ws, row, 6, x->published_on, NULL);
		worksheet_write_string(ws, row, 7, x->missing_fields ? x->missing_fields : "", NULL);
		row++;
	}
	dgrid_free(&g);
	if (workbook_close(wb) != LXW_NO_ERROR) {
		unlink(path);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	send_xlsx(r, path, arena_printf(&r->arena, "三务公开监督-%lld.xlsx", (long long)year));
}

/* ---------------------------------------------------------------- the findings provider */

static const char SQL_STORED_OPEN[] =
	"SELECT f.id, f.org_id, o.path, o.name, f.kind, f.severity, f.text, f.deadline, f.found_on, f.item, f.period"
	" FROM disclosure_findings f JOIN orgs o ON o.id = f.org_id WHERE f.status = 'open' AND %s"
	" AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT)) ORDER BY f.id";

int disclosure_findings(const struct findings_query *q, struct findings *out)
{
	struct ymd d = date_from_days(q->as_of);
	struct dgrid g;
	struct db_stmt *st;
	char today[11];
	int rc;

	day_text(q->as_of, today);
	rc = disclosure_evaluate(q->db, q->a, q->s, q->path_like, date_to_days((struct ymd){ d.y, 1, 1 }),
				 q->as_of, q->as_of, &g);
	if (rc != DB_OK)
		return rc;
	for (size_t i = 0; i < g.n; i++) {
		const struct dcell *x = &g.v[i];
		struct finding f;
		int missing = strcmp(x->state, "missing") == 0;
		if (!missing && strcmp(x->state, "incomplete") != 0)
			continue;
		memset(&f, 0, sizeof(f));
		f.org_id = x->org_id;
		f.org_path = x->org_path;
		f.org_name = x->org_name;
		f.subject = "disclosure";
		f.code = missing ? "missing" : "incomplete";
		f.label = missing ? "应公开未公开" : "公开不到位";
		f.severity = missing ? x->severity : RULE_MEDIUM;
		f.text = missing ? arena_printf(q->a, "%s %s（%s）应于%s前公开，至今未公开", x->org_name,
						x->item_name, x->period, x->due) :
				   arena_printf(q->a, "%s %s（%s）公开不到位：缺少%s", x->org_name,
						x->item_name, x->period, x->missing_fields);
		f.link = x->disclosure_id ? arena_printf(q->a, "/disclosures/%lld", (long long)x->disclosure_id) :
					    "/disclosure/supervision";
		f.date = missing ? x->due : today;
		if (findings_add(out, &f) != 0) {
			dgrid_free(&g);
			return DB_EGENERIC;
		}
	}
	dgrid_free(&g);

	/* stored: fake disclosures and residents' reports, and every rectification past its deadline */
	st = db_prepare(q->db, arena_printf(q->a, SQL_STORED_OPEN, scope_sql(q->a, q->s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		int idx = scope_bind(st, 1, q->s);
		db_bind_text(st, idx++, q->path_like);
		db_bind_text(st, idx, q->path_like);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		const char *kind = db_col_text(st, 4), *deadline = db_col_text(st, 7);
		int overdue = strcmp(deadline, today) < 0;
		struct finding f;
		int sev;
		if (!overdue && strcmp(kind, "fake") != 0 && strcmp(kind, "question") != 0)
			continue;	/* the live evaluation above already says it */
		memset(&f, 0, sizeof(f));
		sev = rule_severity_parse(db_col_text(st, 5));
		f.org_id = db_col_int(st, 1);
		f.org_path = db_col_text(st, 2);
		f.org_name = db_col_text(st, 3);
		f.subject = "disclosure";
		f.code = overdue ? "rectification_overdue" : kind;
		f.label = overdue ? "整改逾期" : disclosure_kind_label(kind);
		f.severity = overdue ? RULE_HIGH : sev < 0 ? RULE_MEDIUM : (enum rule_severity)sev;
		f.text = overdue ? arena_printf(q->a, "%s：%s（整改期限%s，已逾期）", db_col_text(st, 3),
						db_col_text(st, 6), deadline) :
				   arena_printf(q->a, "%s：%s", db_col_text(st, 3), db_col_text(st, 6));
		f.link = arena_printf(q->a, "/disclosure/findings/%lld", (long long)db_col_int(st, 0));
		f.date = overdue ? deadline : db_col_text(st, 8);
		if (findings_add(out, &f) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}
