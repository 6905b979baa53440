/* metrics_records.c - metrics that are one count query each: training coverage, tasks, deeds, team structure, member development. */
#include <stdio.h>
#include <string.h>
#include "metrics.h"
#include "metrics_internal.h"
#include "../tasks/tasks.h"
#include "../../base/arena.h"
#include "../../base/date.h"

/*
 * Reads people, orgs, training_sessions, training_attendance (0003, 0007).
 * Parameters: org path LIKE, from, to. Party members (full and probationary)
 * now active in the subtree, and how many of them attended a session held
 * in the period.
 */
static const char SQL_TRAINING_COVERAGE[] =
	"SELECT COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM training_attendance ta"
	" JOIN training_sessions ts ON ts.id = ta.session_id WHERE ta.person_id = p.id"
	" AND ts.held_on >= CAST(? AS TEXT) AND ts.held_on <= CAST(? AS TEXT)) THEN p.id END), COUNT(DISTINCT p.id)"
	" FROM people p JOIN orgs o ON o.id = p.org_id WHERE o.path LIKE ?"
	" AND p.status = 'active' AND p.political_status IN ('member', 'probationary')";

/*
 * Reads task_items, orgs (0009). Leaf items (no sub-items) owned by an org in
 * the subtree, not archived, due in the period: done or accepted ones, all.
 */
static const char SQL_TASK_COMPLETION[] =
	"SELECT COALESCE(SUM(CASE WHEN ti.status IN ('done', 'accepted') THEN 1 ELSE 0 END), 0), COUNT(*)"
	" FROM task_items ti JOIN orgs o ON o.id = ti.owner_org_id WHERE o.path LIKE ?"
	" AND ti.archived_at IS NULL AND ti.due_on >= ? AND ti.due_on <= ?"
	" AND" TASK_ITEM_IS_LEAF("ti");

/*
 * Reads task_supervisions, task_items, orgs (0009). Supervision ratings of
 * the subtree's items in the period: sum of percents (好 100, 较好 80,
 * 一般 60, 差 30) and 100 x their count.
 */
static const char SQL_TASK_FOLLOWUP[] =
	"SELECT COALESCE(SUM(CASE s.rating WHEN 'good' THEN 100 WHEN 'fairly_good' THEN 80"
	" WHEN 'average' THEN 60 ELSE 30 END), 0), 100 * COUNT(*)"
	" FROM task_supervisions s JOIN task_items ti ON ti.id = s.item_id"
	" JOIN orgs o ON o.id = ti.owner_org_id WHERE o.path LIKE ?"
	" AND s.held_on >= ? AND s.held_on <= ?";

/*
 * Reads deeds, orgs (0010). Deeds and requests of the subtree closed as
 * solved in the period (second column: all closed in the period).
 */
static const char SQL_DEEDS_DONE[] =
	"SELECT COALESCE(SUM(CASE WHEN d.close_reason = 'solved' THEN 1 ELSE 0 END), 0), COUNT(*)"
	" FROM deeds d JOIN orgs o ON o.id = d.org_id WHERE o.path LIKE ?"
	" AND d.status IN ('closed', 'followed_up') AND d.closed_on >= ? AND d.closed_on <= ?";

/*
 * Reads deeds, orgs (0010). Follow-up ratings (1-5) of the subtree's deeds
 * given in the period: satisfied (4 or 5), all rated.
 */
static const char SQL_DEED_SATISFACTION[] =
	"SELECT COALESCE(SUM(CASE WHEN d.satisfaction >= 4 THEN 1 ELSE 0 END), 0), COUNT(*)"
	" FROM deeds d JOIN orgs o ON o.id = d.org_id WHERE o.path LIKE ?"
	" AND d.satisfaction IS NOT NULL AND d.followed_up_on >= ? AND d.followed_up_on <= ?";

/*
 * Reads people, orgs (0003). People of the subtree who joined the Party
 * (joined_on, the day they became probationary members) in the period.
 */
static const char SQL_MEMBER_DEVELOPMENT[] =
	"SELECT COUNT(*), COUNT(*) FROM people p JOIN orgs o ON o.id = p.org_id WHERE o.path LIKE ?"
	" AND p.joined_on >= ? AND p.joined_on <= ?";

/*
 * Reads positions, people, orgs, dict_items (0003). The 两委 members (posts
 * tagged two_committees) of the subtree in post on the last day: how many,
 * how many born on or after the given day (45 or younger), how many with
 * 大专 or higher. Parameters: path LIKE, last day, last day, born-after day.
 */
static const char SQL_TEAM_STRUCTURE[] =
	"SELECT COUNT(DISTINCT pe.id),"
	" COUNT(DISTINCT CASE WHEN pe.birth_date >= CAST(? AS TEXT) THEN pe.id END),"
	" COUNT(DISTINCT CASE WHEN pe.education IN ('postgraduate', 'bachelor', 'college') THEN pe.id END)"
	" FROM positions ps JOIN people pe ON pe.id = ps.person_id JOIN orgs o ON o.id = ps.org_id"
	" WHERE o.path LIKE ? AND ps.started_on <= ? AND (ps.ended_on IS NULL OR ps.ended_on > ?)"
	" AND ps.title IN (SELECT d.code FROM dict_items d WHERE d.dict = 'position'"
	" AND d.tags LIKE '%two_committees%')";

int metric_training_coverage(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			     int64_t from_day, int64_t to_day, struct metric_value *out)
{
	char from[11], to[11];
	struct db_stmt *st = db_prepare(db, SQL_TRAINING_COVERAGE);
	int64_t num = 0, den = 0;
	int rc;

	(void)org_id;
	if (!st)
		return DB_EGENERIC;
	metric_day_text(from_day, from);
	metric_day_text(to_day, to);
	db_bind_text(st, 1, from);
	db_bind_text(st, 2, to);
	db_bind_text(st, 3, arena_printf(a, "%s%%", org_path));
	rc = db_step(st);
	if (rc == DB_ROW) {
		num = db_col_int(st, 0);
		den = db_col_int(st, 1);
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK)
		return rc < 0 ? rc : DB_EGENERIC;
	metric_share(out, num, den, "参加培训的党员", "党员总数");
	out->link = arena_printf(a, "/trainings/coverage?org=%lld&year=%d", (long long)org_id,
				 date_from_days(to_day).y);
	return DB_OK;
}

/* A share metric from a two-column query. */
static int pair_share(struct db *db, struct arena *a, const char *sql, const char *org_path,
		      int64_t from_day, int64_t to_day, const char *nl, const char *dl,
		      struct metric_value *out)
{
	int64_t num = 0, den = 0;
	int rc = metric_pair(db, a, sql, org_path, from_day, to_day, &num, &den);

	if (rc != DB_OK)
		return rc;
	metric_share(out, num, den, nl, dl);
	return DB_OK;
}

int metric_task_completion(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			   int64_t from_day, int64_t to_day, struct metric_value *out)
{
	int rc = pair_share(db, a, SQL_TASK_COMPLETION, org_path, from_day, to_day,
			    "已完成或已验收的任务", "期内到期的任务", out);

	out->link = arena_printf(a, "/tasks?org=%lld&year=%d", (long long)org_id,
				 date_from_days(to_day).y);
	return rc;
}

int metric_task_followup(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			 int64_t from_day, int64_t to_day, struct metric_value *out)
{
	int rc = pair_share(db, a, SQL_TASK_FOLLOWUP, org_path, from_day, to_day,
			    "督查评价得分（百分制之和）", "督查评价次数×100", out);

	out->link = arena_printf(a, "/tasks?org=%lld&year=%d", (long long)org_id,
				 date_from_days(to_day).y);
	return rc;
}

/* The deeds list of the org over the period (the web route behind the deeds metrics). */
static const char *metric_deeds_link(struct arena *a, int64_t org_id, int64_t from_day,
				     int64_t to_day)
{
	char from[11], to[11];

	metric_day_text(from_day, from);
	metric_day_text(to_day, to);
	return arena_printf(a, "/deeds?org=%lld&from=%s&to=%s", (long long)org_id, from, to);
}

int metric_deed_satisfaction(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			     int64_t from_day, int64_t to_day, struct metric_value *out)
{
	int rc = pair_share(db, a, SQL_DEED_SATISFACTION, org_path, from_day, to_day,
			    "满意（4分及以上）的回访", "回访评价件数", out);

	out->link = metric_deeds_link(a, org_id, from_day, to_day);
	return rc;
}

/* A count metric from a two-column query (the first column counted). */
static int pair_count(struct db *db, struct arena *a, const char *sql, const char *org_path,
		      int64_t from_day, int64_t to_day, const char *nl, const char *dl,
		      struct metric_value *out)
{
	int64_t num = 0, den = 0;
	int rc = metric_pair(db, a, sql, org_path, from_day, to_day, &num, &den);

	if (rc != DB_OK)
		return rc;
	out->is_count = 1;
	out->has_value = 1;
	out->value = (double)num;
	out->inputs = json_pack("{s:I, s:I, s:s, s:s}", "numerator", (json_int_t)num,
				"denominator", (json_int_t)den, "numerator_label", nl,
				"denominator_label", dl);
	return DB_OK;
}

int metric_deeds_done(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
		      int64_t from_day, int64_t to_day, struct metric_value *out)
{
	int rc = pair_count(db, a, SQL_DEEDS_DONE, org_path, from_day, to_day,
			    "办结且已解决的件数", "期内办结的件数", out);

	out->link = metric_deeds_link(a, org_id, from_day, to_day);
	return rc;
}

int metric_member_development(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			      int64_t from_day, int64_t to_day, struct metric_value *out)
{
	int rc = pair_count(db, a, SQL_MEMBER_DEVELOPMENT, org_path, from_day, to_day,
			    "期内入党人数", "期内入党人数", out);

	out->link = arena_printf(a, "/people?org=%lld", (long long)org_id);
	return rc;
}

int metric_team_structure(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			  int64_t from_day, int64_t to_day, struct metric_value *out)
{
	char to[11], born[11];
	struct ymd d = date_from_days(to_day);
	struct db_stmt *st = db_prepare(db, SQL_TEAM_STRUCTURE);
	int64_t n = 0, young = 0, edu = 0;
	int rc;

	(void)from_day;
	if (!st)
		return DB_EGENERIC;
	metric_day_text(to_day, to);
	/* 45 or younger on the last day: born after the same day 46 years before */
	d.y -= 46;
	if (!date_valid(d.y, d.m, d.d))
		d.d = 28;
	date_format(date_from_days(date_to_days(d) + 1), born);
	db_bind_text(st, 1, born);
	db_bind_text(st, 2, arena_printf(a, "%s%%", org_path));
	db_bind_text(st, 3, to);
	db_bind_text(st, 4, to);
	rc = db_step(st);
	if (rc == DB_ROW) {
		n = db_col_int(st, 0);
		young = db_col_int(st, 1);
		edu = db_col_int(st, 2);
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK)
		return rc < 0 ? rc : DB_EGENERIC;
	out->is_count = 0;
	out->has_value = n > 0;
	out->value = n > 0 ? (double)(young + edu) / (double)(2 * n) : 0;
	out->inputs = json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:s}",
				"numerator", (json_int_t)(young + edu), "denominator", (json_int_t)(2 * n),
				"numerator_label", "45周岁及以下人数 + 大专及以上人数",
				"denominator_label", "两委成员数×2", "members", (json_int_t)n,
				"young", (json_int_t)young, "born_on_or_after", born);
	json_object_set_new(out->inputs, "college_or_higher", json_integer(edu));
	out->link = arena_printf(a, "/structure?org=%lld&date=%s", (long long)org_id, to);
	return DB_OK;
}
