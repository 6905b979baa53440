/* compliance.c - the meetings fed to the rules engine: /api/v1/compliance (table), /compliance/status (green/yellow/red), /todo (findings in scope). */
#include <stdlib.h>
#include <string.h>
#include "meetings.h"
#include "meetings_internal.h"
#include "../rules/rules.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"

#define IDLE_DAYS 30		/* "no activity for 30 days" (domain.md: silence turns a branch yellow) */
#define RECORD_MARGIN 400	/* days of meetings read around the range: grace days and idleness */

/* An org evaluated, with what the answers show of it. */
struct eorg {
	int64_t id;
	const char *path, *name, *kind;
};

/* One evaluation: orgs in a subtree of the scope, the meeting rules, the result. */
struct eval {
	struct eorg *orgs;
	struct rule_org *rorgs;
	size_t norg;
	struct rule_req *reqs;
	size_t nreq;
	struct rule_result res;
	json_t *labels;		/* meeting_type code -> 中文 */
	int64_t from, to, as_of;
};

static const char SQL_ORGS[] =
	"SELECT o.id, o.path, o.name, o.kind, o.category FROM orgs o WHERE o.status = 'active'"
	" AND o.kind IN ('branch', 'general_branch', 'party_group') AND %s"
	" AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT)) ORDER BY o.path";
static const char SQL_RECORDS[] =
	"SELECT m.org_id, t.type, m.held_on FROM meetings m JOIN meeting_types t ON t.meeting_id = m.id"
	" JOIN orgs o ON o.id = m.org_id WHERE m.superseded_by IS NULL AND m.held_on >= ?"
	" AND m.held_on <= ? AND %s AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT))";
static const char SQL_LABELS[] =
	"SELECT code, label_zh FROM dict_items WHERE dict = 'meeting_type'";

static void day_text(int64_t day, char out[16])
{
	date_format(date_from_days(day), out);
}

static void eval_free(struct eval *e)
{
	free(e->orgs);
	free(e->rorgs);
	rule_result_free(&e->res);
	json_decref(e->labels);
}

/*
 * Evaluate the meeting rules for the orgs in scope s under `path` (NULL =
 * the whole scope) over [from, to] judged on as_of. DB_OK or DB_E*; on
 * error e is released.
 */
static int evaluate(struct req *r, const struct scope *s, const char *path, int64_t from,
		    int64_t to, int64_t as_of, struct eval *e)
{
	struct db *db = req_ctx(r)->db;
	const char *like = path ? arena_printf(&r->arena, "%s%%", path) : NULL;
	const char *sc = scope_sql(&r->arena, s, "o.path");
	struct rule_record *recs = NULL;
	size_t nrec = 0, cap = 0, ocap = 0;
	struct db_stmt *st;
	char lo[16], hi[16];
	long nreq;
	int rc, idx;

	memset(e, 0, sizeof(*e));
	e->from = from;
	e->to = to;
	e->as_of = as_of;
	e->labels = json_object();
	st = db_prepare(db, SQL_LABELS);
	while (st && db_step(st) == DB_ROW)
		json_object_set_new(e->labels, db_col_text(st, 0), json_string(db_col_text(st, 1)));
	db_finalize(st);

	st = db_prepare(db, arena_printf(&r->arena, SQL_ORGS, sc));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		idx = scope_bind(st, 1, s);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx, like);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		if (e->norg == ocap) {
			size_t nc = ocap ? ocap * 2 : 32;
			struct eorg *a = realloc(e->orgs, nc * sizeof(*a));
			struct rule_org *b = a ? realloc(e->rorgs, nc * sizeof(*b)) : NULL;
			if (a)
				e->orgs = a;
			if (!a || !b) {
				rc = DB_EGENERIC;
				break;
			}
			e->rorgs = b;
			ocap = nc;
		}
		e->orgs[e->norg] = (struct eorg){ db_col_int(st, 0),
						  arena_strdup(&r->arena, db_col_text(st, 1)),
						  arena_strdup(&r->arena, db_col_text(st, 2)),
						  arena_strdup(&r->arena, db_col_text(st, 3)) };
		e->rorgs[e->norg] = (struct rule_org){ e->orgs[e->norg].id, e->orgs[e->norg].kind,
						       arena_strdup(&r->arena, db_col_text(st, 4)) };
		e->norg++;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;

	nreq = rules_load(db, &r->arena, "meeting", &e->reqs);
	if (nreq < 0) {
		rc = (int)nreq;
		goto fail;
	}
	e->nreq = (size_t)nreq;

	day_text(from - RECORD_MARGIN, lo);
	day_text(to + RECORD_MARGIN, hi);
	st = db_prepare(db, arena_printf(&r->arena, SQL_RECORDS, sc));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		db_bind_text(st, 1, lo);
		db_bind_text(st, 2, hi);
		idx = scope_bind(st, 3, s);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx, like);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		struct ymd d;
		if (nrec == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct rule_record *g = realloc(recs, nc * sizeof(*g));
			if (!g) {
				rc = DB_EGENERIC;
				break;
			}
			recs = g;
			cap = nc;
		}
		if (date_parse_iso(db_col_text(st, 2), &d) != 0)
			continue;
		recs[nrec++] = (struct rule_record){ db_col_int(st, 0), "meeting",
						     arena_strdup(&r->arena, db_col_text(st, 1)),
						     date_to_days(d) };
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	rc = rules_evaluate(e->reqs, e->nreq, e->rorgs, e->norg, recs, nrec, from, to, as_of,
			    IDLE_DAYS, &e->res) == 0 ? DB_OK : DB_EGENERIC;
	free(recs);
	if (rc != DB_OK)
		eval_free(e);
	return rc;
fail:
	free(recs);
	eval_free(e);
	return rc < 0 ? rc : DB_EGENERIC;
}

static const char *what_label(const struct eval *e, const char *what)
{
	const char *l = json_string_value(json_object_get(e->labels, what));
	return l ? l : what;
}

static const char *const sev_labels[] = { "一般", "较重", "严重" };

/* A cell as JSON; with `text`, a sentence for the to-do and the reasons. */
static json_t *cell_json(struct req *r, const struct eval *e, const struct rule_cell *c)
{
	const struct rule_req *q = &e->reqs[c->req];
	const struct eorg *o = &e->orgs[c->org];
	char s[16], en[16], label[32];

	day_text(c->start, s);
	day_text(c->end, en);
	rule_period_label(q->freq, c->start, label);
	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:s, s:s, s:s, s:s}",
			 "org_id", (json_int_t)o->id, "org_name", o->name, "org_kind", o->kind,
			 "requirement_id", (json_int_t)q->id, "what", q->what,
			 "what_label", what_label(e, q->what), "frequency", rule_freq_code(q->freq),
			 "period", label, "start", s, "end", en, "expected", c->expected,
			 "done", c->done, "late", c->late, "finding", rule_finding_code(c->finding),
			 "finding_label", rule_finding_label(c->finding),
			 "severity", rule_severity_code(q->severity),
			 "severity_label", sev_labels[q->severity],
			 "text", arena_printf(&r->arena, "%s%s：%s%s（应%d次，按时%d次%s）", o->name,
					      label, what_label(e, q->what),
					      rule_finding_label(c->finding), c->expected, c->done,
					      c->late ? "，逾期补开" : ""));
}

/* A date parameter as a day, dflt when absent; bad ones into f. */
static int64_t day_param(struct req *r, const char *name, const char *label, int64_t dflt,
			 struct zb_fail *f)
{
	const char *v = req_query(r, name);
	struct ymd d;

	if (!v || !*v)
		return dflt;
	if (date_parse_iso(v, &d) != 0) {
		zb_fail_field(f, name, "%s应为 YYYY-MM-DD 格式的日期", label);
		return dflt;
	}
	return date_to_days(d);
}

/*
 * GET /compliance?org=&from=&to=: per org x requirement x period (month,
 * quarter, year) intersecting [from, to] (default: this year): expected,
 * done, late and the finding, judged today; plus each org's last activity.
 */
void compliance_http_table(struct req *r)
{
	struct zb_fail f;
	struct scope s;
	struct eval e;
	struct ymd t = date_today_cn();
	int64_t today = date_to_days(t), from, to;
	const char *path;
	json_t *items, *orgs;
	char a[16], b[16], c[16];
	int rc;

	zb_fail_init(&f);
	scope_for(req_ctx(r), "meeting.read", &s);
	path = meetings_org_param(r, &s, &f);
	from = day_param(r, "from", "起始日期", date_to_days((struct ymd){ t.y, 1, 1 }), &f);
	to = day_param(r, "to", "截止日期", date_to_days((struct ymd){ t.y, 12, 31 }), &f);
	if (!f.err && from > to)
		zb_fail_field(&f, "to", "截止日期不能早于起始日期");
	else if (!f.err && to - from > 3 * 366)
		zb_fail_field(&f, "to", "查询范围不能超过3年");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	rc = evaluate(r, &s, path, from, to, today, &e);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < e.res.ncells; i++)
		json_array_append_new(items, cell_json(r, &e, &e.res.cells[i]));
	orgs = json_array();
	for (size_t i = 0; i < e.norg; i++) {
		if (e.res.last_activity[i] != INT64_MIN)
			day_text(e.res.last_activity[i], c);
		json_array_append_new(orgs, json_pack("{s:I, s:s, s:s, s:o, s:b}",
			"org_id", (json_int_t)e.orgs[i].id, "name", e.orgs[i].name,
			"kind", e.orgs[i].kind,
			"last_activity", e.res.last_activity[i] == INT64_MIN ? json_null() : json_string(c),
			"idle", e.res.idle[i]));
	}
	day_text(from, a);
	day_text(to, b);
	day_text(today, c);
	eval_free(&e);
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:o, s:o}", "from", a, "to", b, "as_of", c,
				    "orgs", orgs, "items", items));
}

/* The status evaluation: the year of `date` up to it, judged on it. */
static int eval_on(struct req *r, const struct scope *s, const char *path, int64_t date,
		   struct eval *e)
{
	struct ymd d = date_from_days(date);

	return evaluate(r, s, path, date_to_days((struct ymd){ d.y, 1, 1 }), date, date, e);
}

/* Index of the branch (branch / general branch) an org belongs to, or -1. */
static long branch_of(const struct eval *e, size_t o)
{
	long best = -1;

	for (size_t i = 0; i < e->norg; i++)
		if (strcmp(e->orgs[i].kind, "party_group") != 0 &&
		    strncmp(e->orgs[o].path, e->orgs[i].path, strlen(e->orgs[i].path)) == 0 &&
		    (best < 0 || strlen(e->orgs[i].path) > strlen(e->orgs[best].path)))
			best = (long)i;
	return best;
}

/*
 * GET /compliance/status?org=&date=: each branch (and general branch) in
 * scope on `date` (default today), judged over the periods of that year up to
 * it, with its party groups' findings counted as its own:
 *   red    = a missing meeting of severity high, or two or more missing;
 *   yellow = any other finding (late, incomplete, one missing of lower
 *            severity), or no meeting recorded in the 30 days before `date`;
 *   green  = otherwise.
 * Periods not over (with their grace days) on `date` are not findings yet.
 */
void compliance_http_status(struct req *r)
{
	struct zb_fail f;
	struct scope s;
	struct eval e;
	int64_t date;
	const char *path;
	json_t *items;
	int counts[3] = { 0, 0, 0 };
	long *bidx;
	char ds[16];
	int rc;

	zb_fail_init(&f);
	scope_for(req_ctx(r), "meeting.read", &s);
	path = meetings_org_param(r, &s, &f);
	date = day_param(r, "date", "日期", date_to_days(date_today_cn()), &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	rc = eval_on(r, &s, path, date, &e);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return;
	}
	bidx = calloc(e.norg ? e.norg : 1, sizeof(*bidx));
	if (!bidx) {
		eval_free(&e);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	for (size_t o = 0; o < e.norg; o++)
		bidx[o] = branch_of(&e, o);
	items = json_array();
	for (size_t b = 0; b < e.norg; b++) {
		json_t *reasons = json_array();
		int missing = 0, high = 0, other = 0, idle = 1;
		int64_t last = INT64_MIN;
		const char *status;
		if (strcmp(e.orgs[b].kind, "party_group") == 0) {
			json_decref(reasons);
			continue;
		}
		for (size_t i = 0; i < e.res.ncells; i++) {
			const struct rule_cell *c = &e.res.cells[i];
			if (c->finding == RF_NONE || c->finding == RF_PENDING ||
			    bidx[c->org] != (long)b)
				continue;
			if (c->finding == RF_MISSING) {
				missing++;
				high += e.reqs[c->req].severity == RULE_HIGH;
			} else {
				other++;
			}
			json_array_append_new(reasons, cell_json(r, &e, c));
		}
		for (size_t o = 0; o < e.norg; o++)
			if (bidx[o] == (long)b && e.res.last_activity[o] != INT64_MIN &&
			    (last == INT64_MIN || e.res.last_activity[o] > last))
				last = e.res.last_activity[o];
		idle = last == INT64_MIN || date - last > IDLE_DAYS;
		if (idle) {
			char l[16] = "";
			if (last != INT64_MIN)
				day_text(last, l);
			json_array_append_new(reasons, json_pack("{s:s, s:s, s:s, s:s}",
				"finding", "idle", "finding_label", "长期无活动", "severity", "low",
				"text", last == INT64_MIN ?
				arena_printf(&r->arena, "%s：%d天内无会议记录", e.orgs[b].name, IDLE_DAYS) :
				arena_printf(&r->arena, "%s：%d天内无会议记录（最近一次：%s）",
					     e.orgs[b].name, IDLE_DAYS, l)));
		}
		status = high || missing >= 2 ? "red" : missing || other || idle ? "yellow" : "green";
		counts[status[0] == 'g' ? 0 : status[0] == 'y' ? 1 : 2]++;
		if (last != INT64_MIN)
			day_text(last, ds);
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o}",
			"org_id", (json_int_t)e.orgs[b].id, "name", e.orgs[b].name, "kind", e.orgs[b].kind,
			"status", status,
			"status_label", status[0] == 'g' ? "绿" : status[0] == 'y' ? "黄" : "红",
			"last_activity", last == INT64_MIN ? json_null() : json_string(ds),
			"reasons", reasons));
	}
	free(bidx);
	eval_free(&e);
	day_text(date, ds);
	resp_json(r, 200, json_pack("{s:s, s:o, s:{s:i, s:i, s:i}, s:s}", "date", ds, "items", items,
				    "counts", "green", counts[0], "yellow", counts[1], "red", counts[2],
				    "rule", "红：缺少严重程度为“严重”的会议，或缺少两次及以上；黄：其他问题（逾期、次数不足、缺少一次一般会议）或30天无会议记录；绿：其余"));
}

static int by_newest(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *xs = json_string_value(json_object_get(x, "start"));
	const char *ys = json_string_value(json_object_get(y, "start"));
	int c = strcmp(ys ? ys : "9999", xs ? xs : "9999");

	if (c)
		return c;
	return strcmp(json_string_value(json_object_get(x, "org_path")),
		      json_string_value(json_object_get(y, "org_path")));
}

/*
 * GET /todo?date=: the caller's findings in their meeting.read scope for the
 * year of `date` (default today) up to it: missing, late and incomplete
 * meetings, newest period first, then in tree order; idle orgs first of all.
 */
void compliance_http_todo(struct req *r)
{
	struct zb_fail f;
	struct scope s;
	struct eval e;
	int64_t date;
	json_t **v, *items;
	size_t n = 0;
	char ds[16];
	int rc;

	zb_fail_init(&f);
	scope_for(req_ctx(r), "meeting.read", &s);
	date = day_param(r, "date", "日期", date_to_days(date_today_cn()), &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	rc = eval_on(r, &s, NULL, date, &e);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return;
	}
	v = malloc((e.res.ncells + e.norg + 1) * sizeof(*v));
	for (size_t o = 0; v && o < e.norg; o++) {
		if (!e.res.idle[o] || strcmp(e.orgs[o].kind, "party_group") == 0)
			continue;
		v[n] = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}",
				 "org_id", (json_int_t)e.orgs[o].id, "org_name", e.orgs[o].name,
				 "org_path", e.orgs[o].path, "finding", "idle",
				 "finding_label", "长期无活动", "severity", "low",
				 "text", arena_printf(&r->arena, "%s：%d天内无会议记录", e.orgs[o].name, IDLE_DAYS));
		n++;
	}
	for (size_t i = 0; v && i < e.res.ncells; i++) {
		const struct rule_cell *c = &e.res.cells[i];
		if (c->finding == RF_NONE || c->finding == RF_PENDING)
			continue;
		v[n] = cell_json(r, &e, c);
		json_object_set_new(v[n], "org_path", json_string(e.orgs[c->org].path));
		n++;
	}
	if (v)
		qsort(v, n, sizeof(*v), by_newest);
	items = json_array();
	for (size_t i = 0; v && i < n; i++) {
		json_object_del(v[i], "org_path");
		json_array_append_new(items, v[i]);
	}
	free(v);
	eval_free(&e);
	day_text(date, ds);
	resp_json(r, 200, json_pack("{s:s, s:o, s:I}", "date", ds, "items", items,
				    "total", (json_int_t)json_array_size(items)));
}
