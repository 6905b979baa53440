/* metrics_rules.c - metrics judged by the general rules engine: meeting compliance, disclosure completeness and timeliness. */
#include <stdlib.h>
#include <string.h>
#include "metrics.h"
#include "metrics_internal.h"
#include "../rules/rules.h"
#include "../../base/arena.h"
#include "../../base/date.h"

/*
 * Reads orgs (0002). The active orgs of the subtree that requirement rules
 * may apply to. Parameter: path LIKE.
 */
static const char SQL_RULE_ORGS[] =
	"SELECT o.id, o.kind, o.category FROM orgs o WHERE o.status = 'active' AND o.path LIKE ?"
	" AND o.kind IN ('branch', 'general_branch', 'party_group') ORDER BY o.path";

/*
 * Reads meetings, meeting_types, orgs (0006). The current (not superseded)
 * meetings of the subtree held from the first to the second day, one row
 * per type. Parameters: path LIKE, from, to.
 */
static const char SQL_MEETING_RECORDS[] =
	"SELECT m.org_id, t.type, m.held_on FROM meetings m JOIN meeting_types t ON t.meeting_id = m.id"
	" JOIN orgs o ON o.id = m.org_id WHERE o.path LIKE ? AND m.superseded_by IS NULL"
	" AND m.held_on >= ? AND m.held_on <= ?";

/*
 * Reads disclosures, disclosure_versions, orgs (0012). Each disclosure of the
 * subtree with its item, period and first publication day. Parameter: path LIKE.
 */
static const char SQL_DISCLOSURE_RECORDS[] =
	"SELECT d.org_id, d.item, d.period, MIN(v.published_on) FROM disclosures d"
	" JOIN disclosure_versions v ON v.disclosure_id = d.id AND v.state = 'published'"
	" JOIN orgs o ON o.id = d.org_id WHERE o.path LIKE ?"
	" GROUP BY d.id, d.org_id, d.item, d.period";

/* Records grown with realloc. */
struct recs {
	struct rule_record *v;
	size_t n, cap;
};

static int recs_add(struct recs *r, int64_t org, const char *subject, const char *what, int64_t day)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 128;
		struct rule_record *v = realloc(r->v, nc * sizeof(*v));
		if (!v)
			return -1;
		r->v = v;
		r->cap = nc;
	}
	r->v[r->n++] = (struct rule_record){ org, subject, what, day };
	return 0;
}

/* The subtree's orgs for the rules (arena). Count or DB_E*. */
static long load_orgs(struct db *db, struct arena *a, const char *like, struct rule_org **out)
{
	struct db_stmt *st = db_prepare(db, SQL_RULE_ORGS);
	size_t n = 0, cap = 16;
	struct rule_org *v = arena_alloc(a, cap * sizeof(*v));
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, like);
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			struct rule_org *g = arena_alloc(a, 2 * cap * sizeof(*g));
			memcpy(g, v, n * sizeof(*v));
			v = g;
			cap *= 2;
		}
		v[n].id = db_col_int(st, 0);
		v[n].kind = arena_strdup(a, db_col_text(st, 1));
		v[n].category = arena_strdup(a, db_col_text(st, 2));
		n++;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	*out = v;
	return (long)n;
}

/* Cell tallies of one evaluation. */
struct tally {
	int64_t ok, late, missing, incomplete, judged;
};

/* Evaluate reqs over the orgs and records, and count the judged cells (pending ones left out). */
static int judge(const struct rule_req *reqs, size_t nreq, const struct rule_org *orgs, size_t norg,
		 const struct recs *r, int64_t from, int64_t to, struct tally *t)
{
	struct rule_result res;
	int64_t today = date_to_days(date_today_cn());

	memset(t, 0, sizeof(*t));
	if (rules_evaluate(reqs, nreq, orgs, norg, r->v, r->n, from, to, today, 30, &res) != 0)
		return DB_EGENERIC;
	for (size_t i = 0; i < res.ncells; i++) {
		const struct rule_cell *c = &res.cells[i];
		/* only periods lying inside the round count */
		if (c->start < from || c->end > to || c->finding == RF_PENDING)
			continue;
		t->judged++;
		if (c->finding == RF_NONE)
			t->ok++;
		else if (c->finding == RF_LATE)
			t->late++;
		else if (c->finding == RF_MISSING)
			t->missing++;
		else
			t->incomplete++;
	}
	rule_result_free(&res);
	return DB_OK;
}

int metric_meeting_compliance(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			      int64_t from_day, int64_t to_day, struct metric_value *out)
{
	const char *like = arena_printf(a, "%s%%", org_path);
	struct rule_req *reqs = NULL;
	struct rule_org *orgs = NULL;
	struct recs r = { 0 };
	struct tally t;
	char from[11], to[11];
	long nreq, norg;
	struct db_stmt *st;
	int rc;

	nreq = rules_load(db, a, "meeting", &reqs);
	if (nreq < 0)
		return (int)nreq;
	norg = load_orgs(db, a, like, &orgs);
	if (norg < 0)
		return (int)norg;
	/* a month of margin each side, for records done within grace days */
	metric_day_text(from_day - 31, from);
	metric_day_text(to_day + 62, to);
	st = db_prepare(db, SQL_MEETING_RECORDS);
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, like);
	db_bind_text(st, 2, from);
	db_bind_text(st, 3, to);
	while ((rc = db_step(st)) == DB_ROW) {
		struct ymd d;
		if (date_parse_iso(db_col_text(st, 2), &d) != 0)
			continue;
		if (recs_add(&r, db_col_int(st, 0), "meeting", arena_strdup(a, db_col_text(st, 1)),
			     date_to_days(d)) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	if (rc == DB_DONE)
		rc = judge(reqs, (size_t)nreq, orgs, (size_t)norg, &r, from_day, to_day, &t);
	free(r.v);
	if (rc != DB_OK)
		return rc < 0 ? rc : DB_EGENERIC;
	out->is_count = 0;
	out->has_value = t.judged > 0;
	out->value = t.judged > 0 ? ((double)t.ok + 0.5 * (double)t.late) / (double)t.judged : 0;
	out->inputs = json_pack("{s:f, s:I, s:s, s:s, s:I, s:I, s:I, s:I}",
				"numerator", (double)t.ok + 0.5 * (double)t.late,
				"denominator", (json_int_t)t.judged,
				"numerator_label", "按时召开的期数 + 逾期补开期数×0.5",
				"denominator_label", "已到期的应开会议期数",
				"on_time", (json_int_t)t.ok, "late", (json_int_t)t.late,
				"missing", (json_int_t)t.missing, "incomplete", (json_int_t)t.incomplete);
	out->link = arena_printf(a, "/compliance?org=%lld&year=%d", (long long)org_id,
				 date_from_days(to_day).y);
	return DB_OK;
}

/* The first and last day of a disclosure period "2022-03", "2022-Q1" or "2022"; -1 when malformed. */
static int period_days(const char *p, int64_t *start, int64_t *end)
{
	char *e;
	long y, n;

	if (!p || strlen(p) < 4)
		return -1;
	y = strtol(p, &e, 10);
	if (e != p + 4 || y < 1900 || y > 2200)
		return -1;
	if (*e == 0) {
		*start = date_to_days((struct ymd){ (int)y, 1, 1 });
		*end = date_to_days((struct ymd){ (int)y, 12, 31 });
		return 0;
	}
	if (e[0] == '-' && e[1] == 'Q') {
		n = strtol(e + 2, &e, 10);
		if (*e || n < 1 || n > 4)
			return -1;
		*start = date_to_days((struct ymd){ (int)y, (int)(n - 1) * 3 + 1, 1 });
		*end = (n == 4 ? date_to_days((struct ymd){ (int)y + 1, 1, 1 })
			       : date_to_days((struct ymd){ (int)y, (int)n * 3 + 1, 1 })) - 1;
		return 0;
	}
	if (e[0] == '-') {
		n = strtol(e + 1, &e, 10);
		if (*e || n < 1 || n > 12)
			return -1;
		*start = date_to_days((struct ymd){ (int)y, (int)n, 1 });
		*end = (n == 12 ? date_to_days((struct ymd){ (int)y + 1, 1, 1 })
				: date_to_days((struct ymd){ (int)y, (int)n + 1, 1 })) - 1;
		return 0;
	}
	return -1;
}

/* The grace days of the requirement for `what` valid on `day`; -1 when none. */
static int grace_of(const struct rule_req *reqs, long nreq, const char *what, int64_t day)
{
	for (long i = 0; i < nreq; i++)
		if (strcmp(reqs[i].what, what) == 0 && reqs[i].valid_from <= day && day < reqs[i].valid_to)
			return reqs[i].grace_days;
	return -1;
}

/*
 * Both disclosure metrics. Completeness: each published disclosure counts
 * for its own period (a record on the period's first day), judged by the
 * rules engine. Timeliness: of the published disclosures of periods inside
 * the round that a requirement asks for, those first published by the
 * period's end plus the requirement's grace days.
 */
static int disclosure_measure(struct db *db, struct arena *a, const char *org_path, int64_t from_day,
			      int64_t to_day, struct tally *t, int64_t *timely, int64_t *published)
{
	const char *like = arena_printf(a, "%s%%", org_path);
	struct rule_req *reqs = NULL;
	struct rule_org *orgs = NULL;
	struct recs r = { 0 };
	long nreq, norg;
	struct db_stmt *st;
	int rc;

	*timely = *published = 0;
	nreq = rules_load(db, a, "disclosure", &reqs);
	if (nreq < 0)
		return (int)nreq;
	norg = load_orgs(db, a, like, &orgs);
	if (norg < 0)
		return (int)norg;
	st = db_prepare(db, SQL_DISCLOSURE_RECORDS);
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, like);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t s, e;
		struct ymd pd;
		int g;
		if (period_days(db_col_text(st, 2), &s, &e) != 0 || s < from_day || e > to_day)
			continue;
		if (recs_add(&r, db_col_int(st, 0), "disclosure", arena_strdup(a, db_col_text(st, 1)), s) != 0) {
			rc = DB_EGENERIC;
			break;
		}
		g = grace_of(reqs, nreq, db_col_text(st, 1), s);
		if (g < 0 || date_parse_iso(db_col_text(st, 3), &pd) != 0)
			continue;
		(*published)++;
		if (date_to_days(pd) <= e + g)
			(*timely)++;
	}
	db_finalize(st);
	if (rc == DB_DONE)
		rc = judge(reqs, (size_t)nreq, orgs, (size_t)norg, &r, from_day, to_day, t);
	free(r.v);
	return rc == DB_OK ? DB_OK : (rc < 0 ? rc : DB_EGENERIC);
}

int metric_disclosure_completeness(struct db *db, struct arena *a, int64_t org_id,
				   const char *org_path, int64_t from_day, int64_t to_day,
				   struct metric_value *out)
{
	struct tally t;
	int64_t timely, published;
	int rc = disclosure_measure(db, a, org_path, from_day, to_day, &t, &timely, &published);

	if (rc != DB_OK)
		return rc;
	metric_share(out, t.ok + t.late, t.judged, "已公开的应公开期数", "已到期的应公开期数");
	json_object_set_new(out->inputs, "missing", json_integer(t.missing));
	out->link = arena_printf(a, "/disclosure/supervision?tab=grid&org=%lld&year=%d",
				 (long long)org_id, date_from_days(to_day).y);
	return DB_OK;
}

int metric_disclosure_timeliness(struct db *db, struct arena *a, int64_t org_id,
				 const char *org_path, int64_t from_day, int64_t to_day,
				 struct metric_value *out)
{
	struct tally t;
	int64_t timely, published;
	int rc = disclosure_measure(db, a, org_path, from_day, to_day, &t, &timely, &published);

	if (rc != DB_OK)
		return rc;
	metric_share(out, timely, published, "按期公开的事项数", "已公开的应公开事项数");
	out->link = arena_printf(a, "/disclosure/supervision?tab=grid&org=%lld&year=%d",
				 (long long)org_id, date_from_days(to_day).y);
	return DB_OK;
}
