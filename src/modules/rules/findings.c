/* findings.c - the table of findings providers (one line per module) and what every caller shares: collecting, copying, and a branch's status from its findings. */
#include <stdlib.h>
#include <string.h>
#include "findings.h"
#include "../../base/arena.h"
#include "../../base/pathidx.h"
#include "../meetings/meetings.h"
#include "../tasks/tasks.h"
#include "../grid/grid.h"
#include "../disclosure/disclosure.h"
#include "../eval/eval.h"
#include "../honours/honours.h"
#include "../members/members.h"

/* Each module's provider: the subjects of its findings, the action that lets a caller read them. */
static const struct provider {
	const char *subject;
	const char *action;
	findings_provider fn;
} providers[] = {
	{ "meeting", "meeting.read", meetings_findings },
	{ "task", "task.read", tasks_findings },
	{ "deed,visit", "grid.read", grid_findings },
	{ "disclosure", "disclosure.read", disclosure_findings },
	{ "eval", "eval.read", eval_findings },
	{ "honour", "honour.read", honours_findings },
	{ "member", "member.read", members_findings },
};

const char FINDINGS_STATUS_RULE[] =
	"红：存在严重问题（如缺开支部党员大会、应公开未公开），或两项及以上较重问题（如缺开月度会议、任务或诉求逾期）；"
	"黄：存在其他问题（逾期补开、次数不足、长期无活动、久未联系的农户等）；绿：无问题";

void findings_init(struct findings *fs, struct arena *a)
{
	memset(fs, 0, sizeof(*fs));
	fs->a = a;
}

void findings_free(struct findings *fs)
{
	free(fs->v);
	fs->v = NULL;
	fs->n = fs->cap = 0;
}

static const char *copy(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

int findings_add(struct findings *fs, const struct finding *f)
{
	struct finding *d;

	if (fs->n == fs->cap) {
		size_t nc = fs->cap ? fs->cap * 2 : 64;
		struct finding *v = realloc(fs->v, nc * sizeof(*v));
		if (!v)
			return -1;
		fs->v = v;
		fs->cap = nc;
	}
	d = &fs->v[fs->n];
	*d = *f;
	d->org_path = copy(fs->a, f->org_path);
	d->org_name = copy(fs->a, f->org_name);
	d->subject = copy(fs->a, f->subject);
	d->code = copy(fs->a, f->code);
	d->label = copy(fs->a, f->label);
	d->text = copy(fs->a, f->text);
	d->link = copy(fs->a, f->link);
	d->date = copy(fs->a, f->date);
	d->what = copy(fs->a, f->what);
	d->what_label = copy(fs->a, f->what_label);
	d->period = copy(fs->a, f->period);
	if ((f->org_path && !d->org_path) || (f->text && !d->text))
		return -1;
	fs->n++;
	return 0;
}

/* 1 when the comma lists a and b share an item. */
static int lists_meet(const char *a, const char *b)
{
	char item[32];

	while (*a) {
		size_t n = strcspn(a, ",");
		if (n < sizeof(item)) {
			memcpy(item, a, n);
			item[n] = '\0';
			if (rule_list_has(b, item))
				return 1;
		}
		a += n + (a[n] == ',');
	}
	return 0;
}

int findings_collect(const struct ctx *c, const struct findings_query *q, const char *subjects,
		     struct findings *out)
{
	int filter = subjects && *subjects;

	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		struct findings_query pq = *q;
		struct scope s;
		size_t from = out->n, kept;
		int rc;

		if (filter && !lists_meet(providers[i].subject, subjects))
			continue;
		pq.ctx = c;
		if (c) {
			scope_for(c, providers[i].action, &s);
			if (s.n == 0)
				continue;
			pq.s = &s;
		}
		rc = providers[i].fn(&pq, out);
		if (rc != DB_OK)
			return rc;
		/* a provider of several subjects: keep only the ones asked for */
		kept = from;
		for (size_t k = from; k < out->n; k++)
			if (!filter || rule_list_has(subjects, out->v[k].subject))
				out->v[kept++] = out->v[k];
		out->n = kept;
	}
	return DB_OK;
}

const char *findings_status(const struct finding *const *v, size_t n)
{
	size_t medium = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i]->severity == RULE_HIGH)
			return "red";
		medium += v[i]->severity == RULE_MEDIUM;
	}
	return medium >= 2 ? "red" : n ? "yellow" : "green";
}

static const char *const sev_labels[] = { "一般", "较重", "严重" };

json_t *finding_json(const struct finding *f)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			      "org_id", (json_int_t)f->org_id, "org_name", f->org_name ? f->org_name : "",
			      "subject", f->subject ? f->subject : "", "finding", f->code ? f->code : "",
			      "finding_label", f->label ? f->label : "",
			      "severity", rule_severity_code(f->severity),
			      "severity_label", sev_labels[f->severity], "text", f->text ? f->text : "",
			      "date", f->date ? f->date : "");

	if (!j)
		return NULL;
	json_object_set_new(j, "link", f->link ? json_string(f->link) : json_null());
	if (f->what)
		json_object_set_new(j, "what", json_string(f->what));
	if (f->what_label)
		json_object_set_new(j, "what_label", json_string(f->what_label));
	if (f->period) {
		json_object_set_new(j, "period", json_string(f->period));
		json_object_set_new(j, "start", json_string(f->date ? f->date : ""));
	}
	return j;
}

/* The branches (and general branches) in scope under path_like, in tree order. */
static const char SQL_BRANCHES[] =
	"SELECT o.id, o.path, o.name, o.kind FROM orgs o WHERE o.status = 'active'"
	" AND o.kind IN ('branch', 'general_branch') AND %s"
	" AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT)) ORDER BY o.sort_key";

struct branch {
	int64_t id;
	const char *path, *name, *kind;
};

/*
 * Findings grouped by owning branch: order[first[i] .. first[i + 1]) are the
 * indexes of branch i's findings, most severe first and otherwise in the
 * providers' order. first has nb + 1 entries.
 */
static int group_by_branch(const struct findings *fs, const long *owner, size_t nb, size_t *first,
			   size_t *order)
{
	size_t *fill = calloc(nb + 1, sizeof(*fill));

	if (!fill)
		return -1;
	memset(first, 0, (nb + 1) * sizeof(*first));
	for (size_t k = 0; k < fs->n; k++)
		if (owner[k] >= 0)
			first[owner[k] + 1]++;
	for (size_t i = 0; i < nb; i++)
		first[i + 1] += first[i];
	for (int sev = RULE_HIGH; sev >= RULE_LOW; sev--)
		for (size_t k = 0; k < fs->n; k++)
			if (owner[k] >= 0 && (int)fs->v[k].severity == sev)
				order[first[owner[k]] + fill[owner[k]]++] = k;
	free(fill);
	return 0;
}

json_t *findings_branch_status(const struct ctx *c, const struct findings_query *q,
			       const char *subjects, int *rc)
{
	struct findings fs;
	json_t *j;

	findings_init(&fs, q->a);
	*rc = findings_collect(c, q, subjects, &fs);
	j = *rc == DB_OK ? findings_status_json(q, &fs, rc) : NULL;
	findings_free(&fs);
	return j;
}

json_t *findings_status_json(const struct findings_query *q, const struct findings *given, int *rc)
{
	const struct findings fs = *given;
	struct branch *b = NULL;
	struct path_index branches = { 0 };
	size_t nb = 0, cap = 0, *first = NULL, *order = NULL;
	const struct finding **mine = NULL;
	long *owner = NULL;
	struct db_stmt *st;
	json_t *items = NULL;
	int counts[3] = { 0, 0, 0 }, idx;

	st = db_prepare(q->db, arena_printf(q->a, SQL_BRANCHES, scope_sql(q->a, q->s, "o.path")));
	*rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		idx = scope_bind(st, 1, q->s);
		db_bind_text(st, idx++, q->path_like);
		db_bind_text(st, idx, q->path_like);
	}
	while (st && (*rc = db_step(st)) == DB_ROW) {
		if (nb == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct branch *v = realloc(b, nc * sizeof(*v));
			if (!v) {
				*rc = DB_EGENERIC;
				break;
			}
			b = v;
			cap = nc;
		}
		b[nb++] = (struct branch){ db_col_int(st, 0), arena_strdup(q->a, db_col_text(st, 1)),
					   arena_strdup(q->a, db_col_text(st, 2)),
					   arena_strdup(q->a, db_col_text(st, 3)) };
	}
	db_finalize(st);
	if (*rc != DB_DONE)
		goto out;
	owner = malloc((fs.n ? fs.n : 1) * sizeof(*owner));
	mine = malloc((fs.n ? fs.n : 1) * sizeof(*mine));
	order = malloc((fs.n ? fs.n : 1) * sizeof(*order));
	first = malloc((nb + 1) * sizeof(*first));
	if (!owner || !mine || !order || !first) {
		*rc = DB_EGENERIC;
		goto out;
	}
	/* each finding belongs to the deepest branch above its org; rows stay in tree order */
	if (path_index_init(&branches, nb) != 0) {
		*rc = DB_EGENERIC;
		goto out;
	}
	for (size_t i = 0; i < nb; i++)
		path_index_add(&branches, b[i].path, (long)i);
	path_index_sort(&branches);
	for (size_t i = 0; i < fs.n; i++)
		owner[i] = path_index_deepest(&branches, fs.v[i].org_path);
	if (group_by_branch(&fs, owner, nb, first, order) != 0) {
		*rc = DB_EGENERIC;
		goto out;
	}
	items = json_array();
	for (size_t i = 0; i < nb; i++) {
		json_t *reasons = json_array();
		const char *status;
		size_t n = first[i + 1] - first[i];
		for (size_t k = 0; k < n; k++) {
			mine[k] = &fs.v[order[first[i] + k]];
			if (!q->reasons_max || k < q->reasons_max)
				json_array_append_new(reasons, finding_json(mine[k]));
		}
		status = findings_status(mine, n);
		counts[status[0] == 'g' ? 0 : status[0] == 'y' ? 1 : 2]++;
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I}",
			"org_id", (json_int_t)b[i].id, "name", b[i].name, "kind", b[i].kind,
			"path", b[i].path, "status", status,
			"status_label", status[0] == 'g' ? "绿" : status[0] == 'y' ? "黄" : "红",
			"reasons", reasons, "reasons_total", (json_int_t)n));
	}
	*rc = DB_OK;
out:
	free(owner);
	free(mine);
	free(order);
	free(first);
	path_index_free(&branches);
	free(b);
	if (*rc != DB_OK) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:o, s:{s:i, s:i, s:i}, s:s}", "items", items, "counts", "green",
			 counts[0], "yellow", counts[1], "red", counts[2], "rule", FINDINGS_STATUS_RULE);
}
