/* report_dash.c - the dashboard: one query per panel over an org subtree and a period, every number with the link to its records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report_internal.h"
#include "../orgs/orgs.h"
#include "../rules/findings.h"
#include "../eval/metrics.h"
#include "../tasks/tasks.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/pathidx.h"

/* Reads people, orgs, dict_items (0003): active people of the subtree by political status. */
static const char SQL_MEMBERS[] =
	"SELECT pe.political_status, COALESCE(MIN(d.label_zh), pe.political_status), COUNT(*)"
	" FROM people pe JOIN orgs o ON o.id = pe.org_id"
	" LEFT JOIN dict_items d ON d.dict = 'political_status' AND d.code = pe.political_status"
	" WHERE o.path LIKE ? AND pe.status = 'active' GROUP BY pe.political_status"
	" ORDER BY MIN(COALESCE(d.sort, 999)), pe.political_status";

/* Reads meetings, meeting_types, dict_items (0006): meetings held in the period by month and type (current versions). */
static const char SQL_MEETINGS[] =
	"SELECT substr(m.held_on, 1, 7), t.type, COALESCE(MIN(d.label_zh), t.type), COUNT(*)"
	" FROM meetings m JOIN orgs o ON o.id = m.org_id JOIN meeting_types t ON t.meeting_id = m.id"
	" LEFT JOIN dict_items d ON d.dict = 'meeting_type' AND d.code = t.type"
	" WHERE o.path LIKE ? AND m.superseded_by IS NULL AND m.held_on >= ? AND m.held_on <= ?"
	" GROUP BY substr(m.held_on, 1, 7), t.type ORDER BY 1, 2";

/*
 * Reads task_items (0009): leaf items of the subtree due in the period by
 * status, and of them the ones overdue on the given day (not done, due
 * before it). Parameters: day, path LIKE, from, to.
 */
static const char SQL_TASKS[] =
	"SELECT ti.status, COUNT(*), COALESCE(SUM(CASE WHEN ti.status NOT IN ('done', 'accepted')"
	" AND ti.due_on < CAST(? AS TEXT) THEN 1 ELSE 0 END), 0)"
	" FROM task_items ti JOIN orgs o ON o.id = ti.owner_org_id WHERE o.path LIKE ?"
	" AND ti.archived_at IS NULL AND ti.due_on >= ? AND ti.due_on <= ?"
	" AND" TASK_ITEM_IS_LEAF("ti")
	" GROUP BY ti.status ORDER BY ti.status";

/*
 * Reads deeds, dict_items (0010): the deeds done in the period (closed as
 * solved, as GET /deeds/stats counts them), each with its month, category
 * and the days from received to closed.
 */
static const char SQL_DEEDS[] =
	"SELECT d.closed_on, d.category, COALESCE(c.label_zh, d.category), d.received_on"
	" FROM deeds d JOIN orgs o ON o.id = d.org_id"
	" LEFT JOIN dict_items c ON c.dict = 'deed_category' AND c.code = d.category"
	" WHERE o.path LIKE ? AND d.close_reason = 'solved' AND d.status IN ('closed', 'followed_up')"
	" AND d.closed_on >= ? AND d.closed_on <= ? ORDER BY d.closed_on";

/* Reads eval_entries, eval_rounds (0013): published yearly results ending in the period, by stars. */
static const char SQL_STARS[] =
	"SELECT COALESCE(e.stars, 0), COUNT(*) FROM eval_entries e JOIN eval_rounds r ON r.id = e.round_id"
	" JOIN orgs o ON o.id = e.org_id WHERE o.path LIKE ? AND r.status = 'published'"
	" AND r.to_on >= ? AND r.to_on <= ? GROUP BY COALESCE(e.stars, 0) ORDER BY 1 DESC";

/* Reads honour_nominations, honour_rounds, dict_items (0014): honours awarded for the period's years. */
static const char SQL_HONOURS[] =
	"SELECT r.category, COALESCE(MIN(d.label_zh), r.category), COUNT(*)"
	" FROM honour_nominations n JOIN honour_rounds r ON r.id = n.round_id JOIN orgs o ON o.id = n.org_id"
	" LEFT JOIN dict_items d ON d.dict = 'honour_category' AND d.code = r.category"
	" WHERE n.status = 'awarded' AND o.path LIKE ? AND r.year >= ? AND r.year <= ?"
	" GROUP BY r.category ORDER BY MIN(COALESCE(d.sort, 999)), r.category";

/* Reasons shown per branch in the status panel (a county has hundreds of branches). */
#define DASH_REASONS 3
/*
 * Above this many branches the status and training panels list the org's
 * children (townships of a county, counties of a region) with their counts,
 * each opening that child's dashboard, instead of every branch.
 */
#define DASH_BRANCH_LIST 100

/* Reads orgs (0002): the org's active children, in tree order. */
static const char SQL_CHILDREN[] =
	"SELECT id, name, path FROM orgs WHERE parent_id = ? AND status = 'active' ORDER BY sort_key";

/* One child of the dashboard's org and what its branches add up to. */
struct child {
	int64_t id;
	const char *name, *path;
	int64_t status[3];	/* its branches: green, yellow, red */
	int64_t orgs, orgs_trained, members, trained;	/* training coverage */
};

struct dash {
	struct db *db;
	struct arena *a;
	const struct org *o;
	const char *from, *to, *like;
	long long id;
	const struct findings_query *q;	/* the findings of the subtree on the period's last day */
	const struct findings *fs;
	struct child *kids;		/* the org's children (arena), for big subtrees */
	size_t nkids;
	struct path_index kid_index;	/* child paths -> index in kids */
};

static int done(int rc)
{
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* Load the org's children and index their paths. DB_OK or a DB_E*. */
static int load_children(struct dash *d)
{
	struct db_stmt *st = db_prepare(d->db, SQL_CHILDREN);
	size_t cap = 0;
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, d->id);
	while ((rc = db_step(st)) == DB_ROW) {
		if (d->nkids == cap) {
			struct child *v = arena_alloc(d->a, (cap ? cap * 2 : 16) * sizeof(*v));
			if (d->nkids)
				memcpy(v, d->kids, d->nkids * sizeof(*v));
			d->kids = v;
			cap = cap ? cap * 2 : 16;
		}
		d->kids[d->nkids++] = (struct child){ db_col_int(st, 0), arena_strdup(d->a, db_col_text(st, 1)),
						      arena_strdup(d->a, db_col_text(st, 2)), { 0, 0, 0 }, 0, 0, 0, 0 };
	}
	db_finalize(st);
	if ((rc = done(rc)) != DB_OK)
		return rc;
	path_index_on(&d->kid_index, arena_alloc(d->a, (d->nkids ? d->nkids : 1) * sizeof(struct path_key)),
		      d->nkids);
	for (size_t i = 0; i < d->nkids; i++)
		path_index_add(&d->kid_index, d->kids[i].path, (long)i);
	path_index_sort(&d->kid_index);
	return DB_OK;
}

/* The child holding path, or NULL (a branch directly under the org is its own child). */
static struct child *child_of(struct dash *d, const char *path)
{
	long k = path_index_deepest(&d->kid_index, path);

	return k >= 0 ? &d->kids[k] : NULL;
}

/* The web route of a child's own dashboard over the same period. */
static const char *child_link(struct dash *d, const struct child *k)
{
	return arena_printf(d->a, "/dashboard?org=%lld&from=%s&to=%s", (long long)k->id, d->from, d->to);
}

static json_t *item(const char *key, const char *label, int64_t value, const char *link)
{
	return json_pack("{s:s, s:s, s:I, s:s}", "key", key, "label", label, "value",
			 (json_int_t)value, "link", link);
}

/* The last day (28..31) of the month "YYYY-MM", for links ending on that day. */
static int month_last(const char *month)
{
	int y = (int)strtol(month, NULL, 10), m = (int)strtol(month + 5, NULL, 10), d = 31;

	while (d > 28 && !date_valid(y, m, d))
		d--;
	return d;
}

static int members_panel(struct dash *d, json_t *panels)
{
	struct db_stmt *st = db_prepare(d->db, SQL_MEMBERS);
	json_t *items = json_array();
	int64_t total = 0, team[4];
	const char *base;
	int rc;

	json_object_set_new(panels, "members", json_pack("{s:o}", "items", items));
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, d->like);
	while ((rc = db_step(st)) == DB_ROW) {
		total += db_col_int(st, 2);
		json_array_append_new(items, item(db_col_text(st, 0), db_col_text(st, 1), db_col_int(st, 2),
			arena_printf(d->a, "/people?org=%lld&political_status=%s", d->id, db_col_text(st, 0))));
	}
	db_finalize(st);
	if ((rc = done(rc)) != DB_OK)
		return rc;
	json_object_set_new(json_object_get(panels, "members"), "total", json_integer(total));
	rc = report_team(d->db, d->a, d->o->path, d->to, team);
	if (rc != DB_OK)
		return rc;
	base = arena_printf(d->a, "/people?org=%lld&position=two_committees&as_of=%s&status=all", d->id, d->to);
	json_object_set_new(panels, "team", json_pack("{s:s, s:o, s:o, s:o, s:o}", "as_of", d->to,
		"members", item("members", "“两委”成员", team[0], base),
		"born_1980s", item("born_1980s", "80后", team[1], arena_printf(d->a, "%s&born_from=1980&born_to=1989", base)),
		"born_1990s", item("born_1990s", "90后", team[2], arena_printf(d->a, "%s&born_from=1990&born_to=1999", base)),
		"college_or_above", item("college_or_above", "大专及以上", team[3],
					 arena_printf(d->a, "%s&education=college_or_above", base))));
	return DB_OK;
}

/* A metric of the registry over the period as {value, numerator, denominator, formula, link}. */
static json_t *metric_json(struct dash *d, const char *code, int *rc)
{
	const struct metric *m = metric_find(code);
	struct metric_value mv;
	struct ymd f, t;
	json_t *j;

	memset(&mv, 0, sizeof(mv));
	date_parse_iso(d->from, &f);
	date_parse_iso(d->to, &t);
	*rc = m ? m->fn(d->db, d->a, d->o->id, d->o->path, date_to_days(f), date_to_days(t), &mv) : DB_EGENERIC;
	if (*rc != DB_OK) {
		json_decref(mv.inputs);
		return NULL;
	}
	j = json_pack("{s:s, s:o, s:O?, s:O?, s:s, s:s}", "label", m->label,
		      "value", mv.has_value ? json_real((double)(int64_t)(mv.value * 1000 + 0.5) / 1000.0) : json_null(),
		      "numerator", json_object_get(mv.inputs, "numerator"),
		      "denominator", json_object_get(mv.inputs, "denominator"), "formula", m->formula,
		      "link", mv.link ? mv.link : "");
	json_decref(mv.inputs);
	return j;
}

/* Find or add {key, label, value, link} in arr by key; returns it. */
static json_t *bucket(json_t *arr, const char *key, const char *label, const char *link)
{
	json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
		if (strcmp(json_string_value(json_object_get(x, "key")), key) == 0)
			return x;
	x = item(key, label, 0, link);
	json_array_append_new(arr, x);
	return x;
}

static void bump(json_t *x)
{
	json_object_set_new(x, "value", json_integer(json_integer_value(json_object_get(x, "value")) + 1));
}

/* The subtree's scope and the day findings are judged on: the period's end, today at most. */
static void findings_q(struct dash *d, struct scope *s, struct findings_query *q)
{
	struct ymd t, today = date_today_cn();

	memset(s, 0, sizeof(*s));
	s->n = 1;
	s->paths[0] = d->o->path;
	memset(q, 0, sizeof(*q));
	q->db = d->db;
	q->a = d->a;
	q->s = s;
	date_parse_iso(d->to, &t);
	q->as_of = date_to_days(t) < date_to_days(today) ? date_to_days(t) : date_to_days(today);
}

/*
 * Meeting findings (missing, late, incomplete) by the period they judge
 * ("2022年3月"), from the rules engine: the organizational-life compliance
 * problems month by month.
 */
static void meeting_findings(struct dash *d, json_t *panel)
{
	json_t *by = json_array();

	for (size_t i = 0; i < d->fs->n; i++) {
		const char *period = d->fs->v[i].period ? d->fs->v[i].period : "";
		if (!d->fs->v[i].subject || strcmp(d->fs->v[i].subject, "meeting") != 0)
			continue;
		bump(bucket(by, period, period, arena_printf(d->a, "/compliance?org=%lld", d->id)));
	}
	json_object_set_new(panel, "findings_by_period", by);
}

static int meetings_panel(struct dash *d, json_t *panels)
{
	struct db_stmt *st = db_prepare(d->db, SQL_MEETINGS);
	json_t *by = json_array(), *panel;
	int rc;

	panel = json_pack("{s:o}", "by_month", by);
	json_object_set_new(panels, "meetings", panel);
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "sss", d->like, d->from, d->to);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *month = db_col_text(st, 0);
		json_array_append_new(by, json_pack("{s:s, s:s, s:s, s:I, s:s}", "month", month,
			"type", db_col_text(st, 1), "label", db_col_text(st, 2), "value",
			(json_int_t)db_col_int(st, 3), "link",
			arena_printf(d->a, "/meetings?org=%lld&type=%s&from=%s-01&to=%s-%02d", d->id,
				     db_col_text(st, 1), month, month, month_last(month))));
	}
	db_finalize(st);
	if ((rc = done(rc)) != DB_OK)
		return rc;
	json_object_set_new(panel, "compliance", metric_json(d, "meeting_compliance", &rc));
	if (rc != DB_OK)
		return rc;
	meeting_findings(d, panel);
	return DB_OK;
}

static int training_panel(struct dash *d, json_t *panels)
{
	struct report_cov cov;
	int year = (int)strtol(d->to, NULL, 10);
	int rc = report_coverage_orgs(d->db, d->a, d->o->path, year, &cov);
	json_t *items, *panel;

	if (rc != DB_OK)
		return rc;
	items = json_array();
	for (int i = 0; i < cov.n; i++) {
		int all = cov.orgs[i].members > 0 && cov.orgs[i].trained == cov.orgs[i].members;
		struct child *k = cov.n > DASH_BRANCH_LIST ? child_of(d, cov.paths[i]) : NULL;
		if (k) {
			k->orgs++;
			k->orgs_trained += all;
			k->members += cov.orgs[i].members;
			k->trained += cov.orgs[i].trained;
		}
		if (cov.n <= DASH_BRANCH_LIST)
			json_array_append_new(items, json_pack("{s:I, s:s, s:I, s:I, s:b, s:s}", "org_id",
				(json_int_t)cov.orgs[i].id, "org_name", cov.orgs[i].name, "members",
				(json_int_t)cov.orgs[i].members, "trained", (json_int_t)cov.orgs[i].trained,
				"all_trained", all, "link", arena_printf(d->a, "/trainings/coverage?org=%lld&year=%d",
									  (long long)cov.orgs[i].id, year)));
	}
	panel = json_pack("{s:i, s:I, s:i, s:o, s:s}", "year", year, "orgs_fully_trained",
			  (json_int_t)cov.all_trained, "orgs", cov.n, "items", items, "link",
			  arena_printf(d->a, "/trainings/coverage?org=%lld&year=%d", d->id, year));
	if (cov.n > DASH_BRANCH_LIST) {
		json_t *by = json_array();
		for (size_t i = 0; i < d->nkids; i++)
			if (d->kids[i].orgs)
				json_array_append_new(by, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:s}",
					"org_id", (json_int_t)d->kids[i].id, "org_name", d->kids[i].name,
					"orgs", (json_int_t)d->kids[i].orgs, "orgs_fully_trained",
					(json_int_t)d->kids[i].orgs_trained, "members", (json_int_t)d->kids[i].members,
					"trained", (json_int_t)d->kids[i].trained, "link",
					child_link(d, &d->kids[i])));
		json_object_set_new(panel, "by_child", by);
	}
	json_object_set_new(panels, "training", panel);
	return DB_OK;
}

static int tasks_panel(struct dash *d, json_t *panels)
{
	struct db_stmt *st = db_prepare(d->db, SQL_TASKS);
	struct ymd today = date_today_cn();
	char day[11];
	json_t *items = json_array();
	int64_t total = 0, overdue = 0;
	int rc;

	json_object_set_new(panels, "tasks", json_pack("{s:o}", "by_status", items));
	if (!st)
		return DB_EGENERIC;
	date_format(today, day);
	db_bindf(st, "ssss", day, d->like, d->from, d->to);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *s = db_col_text(st, 0);
		int code = task_status_parse(s);
		total += db_col_int(st, 1);
		overdue += db_col_int(st, 2);
		json_array_append_new(items, item(s, code >= 0 ? task_status_label((enum task_status)code) : s,
			db_col_int(st, 1), arena_printf(d->a, "/tasks?org=%lld&status=%s&due_from=%s&due_to=%s",
							d->id, s, d->from, d->to)));
	}
	db_finalize(st);
	if ((rc = done(rc)) != DB_OK)
		return rc;
	json_object_set_new(json_object_get(panels, "tasks"), "total", json_integer(total));
	json_object_set_new(json_object_get(panels, "tasks"), "overdue", item("overdue", "逾期", overdue,
		arena_printf(d->a, "/tasks?org=%lld&overdue=1", d->id)));
	return DB_OK;
}

static int deeds_panel(struct dash *d, json_t *panels)
{
	struct db_stmt *st = db_prepare(d->db, SQL_DEEDS);
	json_t *months = json_array(), *cats = json_array();
	int64_t n = 0, days = 0;
	int rc;

	json_object_set_new(panels, "deeds", json_pack("{s:o, s:o}", "by_month", months, "by_category", cats));
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "sss", d->like, d->from, d->to);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *closed = db_col_text(st, 0), *cat = db_col_text(st, 1);
		char month[8];
		struct ymd a, b;
		snprintf(month, sizeof(month), "%.7s", closed);
		bump(bucket(months, month, month, arena_printf(d->a,
			"/deeds?status=done&org=%lld&from=%s-01&to=%s-%02d", d->id, month, month,
			month_last(month))));
		bump(bucket(cats, cat, db_col_text(st, 2), arena_printf(d->a,
			"/deeds?status=done&org=%lld&category=%s&from=%s&to=%s", d->id, cat, d->from, d->to)));
		if (date_parse_iso(closed, &a) == 0 && date_parse_iso(db_col_text(st, 3), &b) == 0)
			days += date_to_days(a) - date_to_days(b);
		n++;
	}
	db_finalize(st);
	if ((rc = done(rc)) != DB_OK)
		return rc;
	json_object_set_new(json_object_get(panels, "deeds"), "done", json_integer(n));
	json_object_set_new(json_object_get(panels, "deeds"), "average_days_to_close",
			    n ? json_real((double)(days * 10 / n) / 10.0) : json_null());
	json_object_set_new(json_object_get(panels, "deeds"), "link", json_string(arena_printf(d->a,
		"/deeds?status=done&org=%lld&from=%s&to=%s", d->id, d->from, d->to)));
	return DB_OK;
}

static int eval_panel(struct dash *d, json_t *panels)
{
	struct db_stmt *st = db_prepare(d->db, SQL_STARS);
	json_t *items = json_array();
	int rc;

	json_object_set_new(panels, "evaluation", json_pack("{s:o}", "by_stars", items));
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "sss", d->like, d->from, d->to);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t stars = db_col_int(st, 0);
		json_array_append_new(items, item(arena_printf(d->a, "%lld", (long long)stars),
			stars ? arena_printf(d->a, "%lld星", (long long)stars) : "未定星", db_col_int(st, 1),
			arena_printf(d->a, "/eval/rounds?org=%lld&stars=%lld", d->id, (long long)stars)));
	}
	db_finalize(st);
	return done(rc);
}

static int honours_panel(struct dash *d, json_t *panels)
{
	struct db_stmt *st = db_prepare(d->db, SQL_HONOURS);
	json_t *items = json_array();
	int64_t y1 = strtol(d->from, NULL, 10), y2 = strtol(d->to, NULL, 10);
	int rc;

	json_object_set_new(panels, "honours", json_pack("{s:o}", "items", items));
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "sii", d->like, y1, y2);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, item(db_col_text(st, 0), db_col_text(st, 1), db_col_int(st, 2),
			arena_printf(d->a, "/honours/register?org=%lld&category=%s&year_from=%lld&year_to=%lld",
				     d->id, db_col_text(st, 0), (long long)y1, (long long)y2)));
	db_finalize(st);
	return done(rc);
}

/* Every branch's red / yellow / green on the period's last day (today at most), with reasons. */
static int status_panel(struct dash *d, json_t *panels)
{
	json_t *st, *x;
	char day[11];
	size_t i;
	int rc;

	date_format(date_from_days(d->q->as_of), day);
	st = findings_status_json(d->q, d->fs, &rc);
	if (!st)
		return rc < 0 ? rc : DB_EGENERIC;
	json_array_foreach(json_object_get(st, "items"), i, x)
		json_object_set_new(x, "link", json_string(arena_printf(d->a, "/todo?org=%lld&date=%s",
			(long long)json_integer_value(json_object_get(x, "org_id")), day)));
	if (json_array_size(json_object_get(st, "items")) > DASH_BRANCH_LIST) {
		/* too many to list: each child's counts, and its own dashboard one click away */
		json_t *by = json_array();
		json_array_foreach(json_object_get(st, "items"), i, x) {
			struct child *k = child_of(d, json_string_value(json_object_get(x, "path")));
			const char *c = json_string_value(json_object_get(x, "status"));
			if (k)
				k->status[c[0] == 'g' ? 0 : c[0] == 'y' ? 1 : 2]++;
		}
		for (i = 0; i < d->nkids; i++)
			if (d->kids[i].status[0] + d->kids[i].status[1] + d->kids[i].status[2])
				json_array_append_new(by, json_pack("{s:I, s:s, s:{s:I, s:I, s:I}, s:s}",
					"org_id", (json_int_t)d->kids[i].id, "org_name", d->kids[i].name,
					"counts", "green", (json_int_t)d->kids[i].status[0], "yellow",
					(json_int_t)d->kids[i].status[1], "red", (json_int_t)d->kids[i].status[2], "link",
					child_link(d, &d->kids[i])));
		json_object_set_new(st, "branches", json_integer((json_int_t)json_array_size(
			json_object_get(st, "items"))));
		json_object_set_new(st, "items", json_array());
		json_object_set_new(st, "by_child", by);
	}
	json_object_set_new(panels, "status", st);
	return DB_OK;
}

json_t *report_dashboard(struct db *db, struct arena *a, const struct org *o, const char *from,
			 const char *to, int *rc)
{
	struct dash d = { db, a, o, from, to, arena_printf(a, "%s%%", o->path), (long long)o->id, NULL, NULL, NULL, 0,
			  { NULL, 0, 0, 0 } };
	struct scope s;
	struct findings_query q;
	struct findings fs;
	json_t *panels = json_object(), *disc;

	/* every module's findings once: the meetings panel and the status panel share them */
	findings_q(&d, &s, &q);
	q.reasons_max = DASH_REASONS;	/* the rest is one click away: the branch's to-do */
	findings_init(&fs, a);
	d.q = &q;
	d.fs = &fs;
	if ((*rc = load_children(&d)) != DB_OK || (*rc = findings_collect(NULL, &q, NULL, &fs)) != DB_OK)
		goto fail;
	if ((*rc = members_panel(&d, panels)) != DB_OK || (*rc = meetings_panel(&d, panels)) != DB_OK ||
	    (*rc = training_panel(&d, panels)) != DB_OK || (*rc = tasks_panel(&d, panels)) != DB_OK ||
	    (*rc = deeds_panel(&d, panels)) != DB_OK || (*rc = eval_panel(&d, panels)) != DB_OK ||
	    (*rc = honours_panel(&d, panels)) != DB_OK || (*rc = status_panel(&d, panels)) != DB_OK)
		goto fail;
	disc = metric_json(&d, "disclosure_completeness", rc);
	if (!disc)
		goto fail;
	json_object_set_new(disc, "link", json_string(arena_printf(a, "/disclosure/supervision?org=%lld",
								     (long long)o->id)));
	json_object_set_new(panels, "disclosure", disc);
	findings_free(&fs);
	return json_pack("{s:I, s:s, s:s, s:s, s:o}", "org_id", (json_int_t)o->id, "org_name", o->name,
			 "from", from, "to", to, "panels", panels);
fail:
	findings_free(&fs);
	json_decref(panels);
	if (*rc >= 0)
		*rc = DB_EGENERIC;
	return NULL;
}
