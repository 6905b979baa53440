/* compliance.c - the meetings fed to the rules engine: /api/v1/compliance (table), /compliance/status (green/yellow/red), /todo (findings in scope). */
#include <stdlib.h>
#include <string.h>
#include "meetings.h"
#include "meetings_internal.h"
#include "../rules/findings.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/pathidx.h"
#include "../../base/date.h"

#define IDLE_DAYS 30		/* "no activity for 30 days" (domain.md: silence turns a branch yellow) */
#define RECORD_MARGIN 400	/* days of meetings read around the range: grace days and idleness */

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

void compliance_eval_free(struct compliance_eval *e)
{
	free(e->orgs);
	free(e->rorgs);
	rule_result_free(&e->res);
	json_decref(e->labels);
}

int compliance_evaluate(struct db *db, struct arena *arena, const struct scope *s,
			const char *like, int64_t from, int64_t to, int64_t as_of,
			struct compliance_eval *e)
{
	const char *sc = scope_sql(arena, s, "o.path");
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

	st = db_prepare(db, arena_printf(arena, SQL_ORGS, sc));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		idx = scope_bind(st, 1, s);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx, like);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		if (e->norg == ocap) {
			size_t nc = ocap ? ocap * 2 : 32;
			struct compliance_org *a = realloc(e->orgs, nc * sizeof(*a));
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
		e->orgs[e->norg] = (struct compliance_org){ db_col_int(st, 0),
						  arena_strdup(arena, db_col_text(st, 1)),
						  arena_strdup(arena, db_col_text(st, 2)),
						  arena_strdup(arena, db_col_text(st, 3)) };
		e->rorgs[e->norg] = (struct rule_org){ e->orgs[e->norg].id, e->orgs[e->norg].kind,
						       arena_strdup(arena, db_col_text(st, 4)) };
		e->norg++;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;

	nreq = rules_load(db, arena, "meeting", &e->reqs);
	if (nreq < 0) {
		rc = (int)nreq;
		goto fail;
	}
	e->nreq = (size_t)nreq;

	day_text(from - RECORD_MARGIN, lo);
	day_text(to + RECORD_MARGIN, hi);
	st = db_prepare(db, arena_printf(arena, SQL_RECORDS, sc));
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
						     arena_strdup(arena, db_col_text(st, 1)),
						     date_to_days(d) };
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	rc = rules_evaluate(e->reqs, e->nreq, e->rorgs, e->norg, recs, nrec, from, to, as_of,
			    IDLE_DAYS, &e->res) == 0 ? DB_OK : DB_EGENERIC;
	free(recs);
	if (rc != DB_OK)
		compliance_eval_free(e);
	return rc;
fail:
	free(recs);
	compliance_eval_free(e);
	return rc < 0 ? rc : DB_EGENERIC;
}

static const char *what_label(const struct compliance_eval *e, const char *what)
{
	const char *l = json_string_value(json_object_get(e->labels, what));
	return l ? l : what;
}

static const char *const sev_labels[] = { "一般", "较重", "严重" };

/* A cell as JSON; with `text`, a sentence for the to-do and the reasons. */
static json_t *cell_json(struct req *r, const struct compliance_eval *e, const struct rule_cell *c)
{
	const struct rule_req *q = &e->reqs[c->req];
	const struct compliance_org *o = &e->orgs[c->org];
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

/*
 * GET /compliance?org=&from=&to=: per org x requirement x period (month,
 * quarter, year) intersecting [from, to] (default: this year): expected,
 * done, late and the finding, judged today; plus each org's last activity.
 */
void compliance_http_table(struct req *r)
{
	struct zb_fail f;
	struct scope s;
	struct compliance_eval e;
	struct ymd t = date_today_cn();
	int64_t today = date_to_days(t), from, to;
	const char *path;
	json_t *orgs;
	char a[16], b[16], c[16];
	int rc;

	zb_fail_init(&f);
	scope_for(req_ctx(r), "meeting.read", &s);
	path = meetings_org_param(r, &s, &f);
	from = req_query_day(r, "from", "起始日期", date_to_days((struct ymd){ t.y, 1, 1 }), &f);
	to = req_query_day(r, "to", "截止日期", date_to_days((struct ymd){ t.y, 12, 31 }), &f);
	if (!f.err && from > to)
		zb_fail_field(&f, "to", "截止日期不能早于起始日期");
	else if (!f.err && to - from > 3 * 366)
		zb_fail_field(&f, "to", "查询范围不能超过3年");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	rc = compliance_evaluate(req_ctx(r)->db, &r->arena, &s,
				 path ? arena_printf(&r->arena, "%s%%", path) : NULL, from, to, today, &e);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return;
	}
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
	/* the cells are written one by one: a county's ~11,000 never exist as one JSON tree */
	resp_json_begin(r, 200, json_pack("{s:s, s:s, s:s, s:o}", "from", a, "to", b, "as_of", c,
					  "orgs", orgs), "items");
	for (size_t i = 0; i < e.res.ncells; i++)
		resp_json_item(r, cell_json(r, &e, &e.res.cells[i]));
	resp_json_end(r);
	compliance_eval_free(&e);
}

/*
 * The meetings' findings for the status and the to-do: the year of as_of up
 * to it, judged on it. A missing meeting is of its rule's severity, at least
 * medium (two missing meetings turn a branch red); late and incomplete ones
 * and a branch with no meeting in the 30 days before as_of (its party
 * groups' meetings count) are low. Periods not over on as_of are not
 * findings yet.
 */
int meetings_findings(const struct findings_query *q, struct findings *out)
{
	struct compliance_eval e;
	struct ymd d = date_from_days(q->as_of);
	int64_t *branch_last = NULL;
	struct path_index branches = { 0 };
	int rc;

	rc = compliance_evaluate(q->db, q->a, q->s, q->path_like, date_to_days((struct ymd){ d.y, 1, 1 }),
				 q->as_of, q->as_of, &e);
	if (rc != DB_OK)
		return rc;
	for (size_t i = 0; rc == DB_OK && i < e.res.ncells; i++) {
		const struct rule_cell *c = &e.res.cells[i];
		const struct rule_req *rq = &e.reqs[c->req];
		const struct compliance_org *o = &e.orgs[c->org];
		char start[16], label[32];
		if (c->finding == RF_NONE || c->finding == RF_PENDING)
			continue;
		day_text(c->start, start);
		rule_period_label(rq->freq, c->start, label);
		struct finding f = {
			.org_id = o->id, .org_path = o->path, .org_name = o->name,
			.subject = "meeting", .code = rule_finding_code(c->finding),
			.label = rule_finding_label(c->finding),
			.severity = c->finding == RF_MISSING ?
				(rq->severity == RULE_HIGH ? RULE_HIGH : RULE_MEDIUM) : RULE_LOW,
			.text = arena_printf(q->a, "%s%s：%s%s（应%d次，按时%d次%s）", o->name, label,
					     what_label(&e, rq->what), rule_finding_label(c->finding),
					     c->expected, c->done, c->late ? "，逾期补开" : ""),
			.link = arena_printf(q->a, "/meetings?org=%lld", (long long)o->id),
			.date = start, .what = rq->what, .what_label = what_label(&e, rq->what),
			.period = label,
		};
		if (findings_add(out, &f) != 0)
			rc = DB_EGENERIC;
	}
	/*
	 * Idleness per branch, its party groups' meetings included: each org's
	 * latest meeting is folded into its branch once (not per branch pair,
	 * which was cubic in the number of orgs).
	 */
	branch_last = rc == DB_OK ? malloc((e.norg ? e.norg : 1) * sizeof(*branch_last)) : NULL;
	if (rc == DB_OK && (!branch_last || path_index_init(&branches, e.norg) != 0))
		rc = DB_EGENERIC;
	for (size_t o = 0; rc == DB_OK && o < e.norg; o++) {
		branch_last[o] = INT64_MIN;
		if (strcmp(e.orgs[o].kind, "party_group") != 0)
			path_index_add(&branches, e.orgs[o].path, (long)o);
	}
	path_index_sort(&branches);
	for (size_t o = 0; rc == DB_OK && o < e.norg; o++) {
		/* an org's branch: the deepest org above it (itself included) that is not a party group */
		long b = path_index_deepest(&branches, e.orgs[o].path);
		if (b >= 0 && e.res.last_activity[o] > branch_last[b])
			branch_last[b] = e.res.last_activity[o];
	}
	for (size_t b = 0; rc == DB_OK && b < e.norg; b++) {
		int64_t last = branch_last[b];
		char l[16] = "", today[16];
		if (strcmp(e.orgs[b].kind, "party_group") == 0)
			continue;
		if (last != INT64_MIN && q->as_of - last <= IDLE_DAYS)
			continue;
		if (last != INT64_MIN)
			day_text(last, l);
		day_text(q->as_of, today);
		struct finding f = {
			.org_id = e.orgs[b].id, .org_path = e.orgs[b].path, .org_name = e.orgs[b].name,
			.subject = "meeting", .code = "idle", .label = "长期无活动", .severity = RULE_LOW,
			.text = last == INT64_MIN ?
				arena_printf(q->a, "%s：%d天内无会议记录", e.orgs[b].name, IDLE_DAYS) :
				arena_printf(q->a, "%s：%d天内无会议记录（最近一次：%s）", e.orgs[b].name,
					     IDLE_DAYS, l),
			.link = arena_printf(q->a, "/meetings?org=%lld", (long long)e.orgs[b].id),
			.date = today,
		};
		if (findings_add(out, &f) != 0)
			rc = DB_EGENERIC;
	}
	free(branch_last);
	path_index_free(&branches);
	compliance_eval_free(&e);
	return rc;
}
