/* eval_weak.c - strongest-branch designations (nominated -> reviewed -> designated) and weak and lax branches: candidates by rule, rectification plans, follow-up, lifting; the findings provider. */
#include <stdlib.h>
#include <string.h>
#include "eval.h"
#include "eval_internal.h"
#include "../orgs/orgs.h"
#include "../rules/findings.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_DESIG_INSERT[] =
	"INSERT INTO eval_designations (org_id, year, level, round_id, note, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_DESIG_SET[] =
	"UPDATE eval_designations SET status = ?, version = version + 1, updated_at = ? WHERE id = ?";
static const char SQL_DESIG_STEP[] =
	"INSERT INTO eval_designation_steps (designation_id, status, on_day, by_name, note, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_DESIG_LIST[] =
	"SELECT d.id, d.org_id, o.name, o.path, d.year, d.level, d.status, d.round_id, d.note, d.version"
	" FROM eval_designations d JOIN orgs o ON o.id = d.org_id WHERE %s"
	" AND (CAST(? AS INTEGER) = 0 OR d.year = CAST(? AS INTEGER))"
	" AND (CAST(? AS TEXT) IS NULL OR d.level = CAST(? AS TEXT))"
	" ORDER BY d.year DESC, d.level, o.sort_key, d.id";
static const char SQL_DESIG_ONE[] =
	"SELECT d.id, d.org_id, o.name, o.path, d.year, d.level, d.status, d.round_id, d.note, d.version"
	" FROM eval_designations d JOIN orgs o ON o.id = d.org_id WHERE d.id = ?";
static const char SQL_DESIG_STEPS[] =
	"SELECT status, on_day, by_name, note FROM eval_designation_steps WHERE designation_id = ? ORDER BY id";
static const char SQL_DESIG_DUP[] =
	"SELECT COUNT(*) FROM eval_designations WHERE org_id = ? AND year = ? AND level = ? AND status <> 'withdrawn'";
static const char SQL_DESIG_ADVANCE[] =
	"UPDATE eval_designations SET status = ?, version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ? AND status = ?";

static const char SQL_WEAK_INSERT[] =
	"INSERT INTO eval_weak (org_id, year, source, rules, reason, flagged_on, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_WEAK_LIST[] =
	"SELECT w.id FROM eval_weak w JOIN orgs o ON o.id = w.org_id WHERE %s"
	" AND (CAST(? AS TEXT) IS NULL OR w.status = CAST(? AS TEXT)) ORDER BY w.flagged_on DESC, w.id DESC";
static const char SQL_WEAK_ONE[] =
	"SELECT w.id, w.org_id, o.name, o.path, w.year, w.source, w.rules, w.reason, w.flagged_on, w.status,"
	" w.lifted_on, w.lift_reason, w.version FROM eval_weak w JOIN orgs o ON o.id = w.org_id WHERE w.id = ?";
static const char SQL_WEAK_STEPS[] =
	"SELECT id, action, owner, deadline, done_on, version FROM eval_weak_steps WHERE weak_id = ? ORDER BY deadline, id";
static const char SQL_WEAK_FOLLOWUPS[] =
	"SELECT id, step_id, on_day, note, by_name FROM eval_weak_followups WHERE weak_id = ? ORDER BY id";
static const char SQL_WEAK_STEP_INSERT[] =
	"INSERT INTO eval_weak_steps (weak_id, action, owner, deadline, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_WEAK_FU_INSERT[] =
	"INSERT INTO eval_weak_followups (weak_id, step_id, on_day, note, by_name, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_WEAK_STEP_DONE[] =
	"UPDATE eval_weak_steps SET done_on = ?, version = version + 1, updated_at = ? WHERE id = ? AND weak_id = ? AND done_on IS NULL";
static const char SQL_WEAK_OPEN_STEPS[] =
	"SELECT COUNT(*) FROM eval_weak_steps WHERE weak_id = ? AND done_on IS NULL";
static const char SQL_WEAK_LIFT[] =
	"UPDATE eval_weak SET status = 'lifted', lifted_on = ?, lift_reason = ?, version = version + 1,"
	" updated_at = ? WHERE id = ? AND version = ? AND status = 'rectifying'";
static const char SQL_WEAK_BUMP[] =
	"UPDATE eval_weak SET version = version + 1, updated_at = ? WHERE id = ?";
static const char SQL_WEAK_ACTIVE[] =
	"SELECT COUNT(*) FROM eval_weak WHERE org_id = ? AND status = 'rectifying'";
/* overdue steps of weak branches under rectification (findings) */
static const char SQL_WEAK_OVERDUE[] =
	"SELECT w.id, o.id, o.path, o.name, s.action, s.owner, s.deadline FROM eval_weak w"
	" JOIN orgs o ON o.id = w.org_id JOIN eval_weak_steps s ON s.weak_id = w.id"
	" WHERE w.status = 'rectifying' AND s.done_on IS NULL AND s.deadline < ? AND %s"
	" AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT)) ORDER BY s.deadline";

/* candidates */
static const char SQL_SETTING[] = "SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?";
/*
 * Reads orgs, positions (0002, 0003): each branch in scope with whether it
 * has a secretary in post on the day and the last day a secretary left.
 */
static const char SQL_CAND_BRANCHES[] =
	"SELECT o.id, o.name, o.path, o.created_at,"
	" (SELECT COUNT(*) FROM positions p WHERE p.org_id = o.id AND p.title = 'party_secretary'"
	"  AND p.started_on <= CAST(? AS TEXT) AND (p.ended_on IS NULL OR p.ended_on > CAST(? AS TEXT))),"
	" (SELECT MAX(p.ended_on) FROM positions p WHERE p.org_id = o.id AND p.title = 'party_secretary'"
	"  AND p.ended_on <= CAST(? AS TEXT))"
	" FROM orgs o WHERE o.status = 'active' AND o.kind IN ('branch', 'general_branch') AND %s"
	" ORDER BY o.sort_key, o.id";
/* Reads dict_items (0003): a person flag marking 发展对象, if a region defined one. */
static const char SQL_DEV_FLAG[] =
	"SELECT COUNT(*) FROM dict_items WHERE dict = 'person_flag' AND code IN ('development_target', 'development_object')";
/* Reads person_flags, people, orgs (0003): 发展对象 flags of the subtree started since the day. */
static const char SQL_DEV_RECENT[] =
	"SELECT COUNT(*) FROM person_flags f JOIN people p ON p.id = f.person_id JOIN orgs o ON o.id = p.org_id"
	" WHERE o.path LIKE ? AND f.flag IN ('development_target', 'development_object') AND f.started_on >= ?";
/*
 * Reads join_records, orgs (0015, the members module, issue 14): whether the
 * joining records exist at all, and the subtree's people made 发展对象
 * (step candidate_chosen, not voided) from the first day to the second.
 */
static const char SQL_JOIN_PROBE[] = "SELECT COUNT(*) FROM join_records WHERE 1 = 0";
static const char SQL_DEV_JOIN[] =
	"SELECT COUNT(*) FROM join_records j JOIN orgs o ON o.id = j.org_id WHERE o.path LIKE ?"
	" AND j.step = 'candidate_chosen' AND j.status = 'active' AND j.done_on >= ? AND j.done_on <= ?";
/* the last place of the year's latest published round containing the org */
static const char SQL_LAST_PLACE[] =
	"SELECT e.rank, (SELECT MAX(e2.rank) FROM eval_entries e2 WHERE e2.round_id = e.round_id), r.name"
	" FROM eval_entries e JOIN eval_rounds r ON r.id = e.round_id"
	" WHERE e.org_id = ? AND r.year = ? AND r.status = 'published' ORDER BY r.quarter DESC, r.id DESC LIMIT 1";

static const struct json_field desig_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "组织" },
	{ "year", JF_INT, 1, 0, 2000, 2100, "年度" },
	{ "level", JF_STRING, 1, 0, 1, 20, "级别" },
	{ "round_id", JF_INT, 0, 1, 1, INT64_MAX, "依据的考评" },
	{ "note", JF_STRING, 0, 1, 0, 500, "说明" },
	{ 0 }
};
static const struct json_field advance_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "to", JF_STRING, 1, 0, 1, 20, "下一步" },
	{ "note", JF_STRING, 0, 1, 0, 500, "说明" },
	{ 0 }
};
static const struct json_field weak_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "组织" },
	{ "year", JF_INT, 1, 0, 2000, 2100, "年度" },
	{ "reason", JF_STRING, 1, 0, 1, 1000, "认定理由" },
	{ "rules", JF_STRING, 0, 1, 0, 200, "依据的规则" },
	{ 0 }
};
static const struct json_field step_fields[] = {
	{ "action", JF_STRING, 1, 0, 1, 500, "整改措施" },
	{ "owner", JF_STRING, 1, 0, 1, 100, "责任人" },
	{ "deadline", JF_DATE, 1, 0, 0, 0, "完成期限" },
	{ 0 }
};
static const struct json_field followup_fields[] = {
	{ "note", JF_STRING, 1, 0, 1, 2000, "跟踪记录" },
	{ "step_id", JF_INT, 0, 1, 1, INT64_MAX, "整改步骤" },
	{ "step_done", JF_BOOL, 0, 1, 0, 0, "步骤已完成" },
	{ 0 }
};
static const struct json_field lift_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "reason", JF_STRING, 1, 0, 1, 1000, "摘帽理由" },
	{ 0 }
};

static const char *level_label(const char *l)
{
	return strcmp(l, "banner") == 0 ? "旗级" : "镇级";
}

static const char *desig_status_label(const char *s)
{
	return strcmp(s, "nominated") == 0 ? "已推荐" : strcmp(s, "reviewed") == 0 ? "已审核" :
	       strcmp(s, "designated") == 0 ? "已命名" : "已撤回";
}

static void today_text(char out[11])
{
	date_format(date_today_cn(), out);
}

/* Parse the body against fields; NULL when answered. */
static json_t *body_of(struct req *r, const struct json_field *fields)
{
	struct zb_fail f;
	json_t *b;

	zb_fail_init(&f);
	b = req_json(r, &f);
	if (b && json_check(b, fields, 0, &f) == 0) {
		zb_fail_release(&f);
		return b;
	}
	json_decref(b);
	resp_fail(r, &f);
	return NULL;
}

/* ---------------------------------------------------------------- designations */

int64_t ev_designation_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			      int64_t org_id, int year, const char *level, int64_t round_id,
			      const char *note, const char *day)
{
	char now[32];
	int64_t id = 0;
	struct db_stmt *st = db_prepare(db, SQL_DESIG_INSERT);
	int rc;
	json_t *after;

	if (!st)
		return DB_EGENERIC;
	ts_now(now);
	db_bindf(st, "iis", org_id, (int64_t)year, level);
	if (round_id > 0)
		db_bind_int(st, 4, round_id);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, note ? note : "");
	db_bind_text(st, 6, now);
	db_bind_text(st, 7, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = db_run(db, SQL_DESIG_STEP, "isssss", id, "nominated", day, who->username ? who->username : "",
		    note ? note : "", now);
	after = json_pack("{s:I, s:i, s:s, s:s}", "org_id", (json_int_t)org_id, "year", year, "level", level,
			  "status", "nominated");
	if (rc == DB_OK)
		rc = audit_append(db, k, who, "eval_designation", id, "nominate", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int ev_designation_step(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t id, const char *to, const char *note, const char *day)
{
	char now[32];
	int rc;
	json_t *after;

	ts_now(now);
	rc = db_run(db, SQL_DESIG_SET, "ssi", to, now, id);
	if (rc == DB_OK)
		rc = db_run(db, SQL_DESIG_STEP, "isssss", id, to, day, who->username ? who->username : "",
			    note ? note : "", now);
	after = json_pack("{s:s, s:s?}", "status", to, "note", note);
	if (rc == DB_OK)
		rc = audit_append(db, k, who, "eval_designation", id, to, NULL, after);
	json_decref(after);
	return rc;
}

/* A designation row (from SQL_DESIG_LIST / ONE) with its history. */
static json_t *desig_json(struct db *db, struct db_stmt *st)
{
	int64_t id = db_col_int(st, 0);
	json_t *hist = json_array();
	struct db_stmt *h = db_prepare(db, SQL_DESIG_STEPS);
	json_t *j;

	if (h) {
		db_bind_int(h, 1, id);
		while (db_step(h) == DB_ROW)
			json_array_append_new(hist, json_pack("{s:s, s:s, s:s, s:s, s:s}",
				"status", db_col_text(h, 0), "status_label", desig_status_label(db_col_text(h, 0)),
				"on", db_col_text(h, 1), "by", db_col_text(h, 2), "note", db_col_text(h, 3)));
	}
	db_finalize(h);
	j = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:o}",
		      "id", (json_int_t)id, "org_id", (json_int_t)db_col_int(st, 1),
		      "org_name", db_col_text(st, 2), "year", (json_int_t)db_col_int(st, 4),
		      "level", db_col_text(st, 5), "level_label", level_label(db_col_text(st, 5)),
		      "status", db_col_text(st, 6), "status_label", desig_status_label(db_col_text(st, 6)),
		      "round_id", db_col_isnull(st, 7) ? json_null() : json_integer(db_col_int(st, 7)),
		      "note", db_col_text(st, 8), "version", (json_int_t)db_col_int(st, 9), "history", hist);
	return j;
}

/* GET /eval/designations?year=&level=: designations with their route; counts of designated ones. */
void eval_http_designations(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	const char *level = req_query(r, "level");
	int64_t year, ntown = 0, nbanner = 0;
	struct db_stmt *st;
	json_t *items = json_array();
	int rc, idx;

	zb_fail_init(&f);
	year = req_query_int(r, "year", 0, 2000, 2100, &f);
	if (level && *level && strcmp(level, "township") != 0 && strcmp(level, "banner") != 0)
		zb_fail_field(&f, "level", "级别应为 township（镇级）或 banner（旗级）");
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (level && !*level)
		level = NULL;
	scope_for(c, "eval.read", &s);
	st = db_prepare(c->db, arena_printf(&r->arena, SQL_DESIG_LIST, scope_sql(&r->arena, &s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		idx = scope_bind(st, 1, &s);
		db_bind_int(st, idx++, year);
		db_bind_int(st, idx++, year);
		db_bind_text(st, idx++, level);
		db_bind_text(st, idx, level);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		json_t *j = desig_json(c->db, st);
		if (strcmp(db_col_text(st, 6), "designated") == 0) {
			if (strcmp(db_col_text(st, 5), "banner") == 0)
				nbanner++;
			else
				ntown++;
		}
		json_array_append_new(items, j);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:{s:I, s:I}}", "items", items, "counts",
				    "township", (json_int_t)ntown, "banner", (json_int_t)nbanner));
}

/* Answer the designation id (status) after commit. */
static void desig_answer(struct req *r, int status, int64_t id)
{
	struct db *db = req_ctx(r)->db;
	struct db_stmt *st = db_prepare(db, SQL_DESIG_ONE);
	json_t *j = NULL;

	if (st) {
		db_bind_int(st, 1, id);
		if (db_step(st) == DB_ROW)
			j = desig_json(db, st);
	}
	db_finalize(st);
	app_commit_answer(r, status, j);
}

/* POST /eval/designations {org_id, year, level, round_id?, note?}: a nomination. */
void eval_http_designation_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	json_t *body = body_of(r, desig_fields);
	struct audit_who who;
	struct zb_fail f;
	struct org o;
	const char *level;
	int64_t id, n = 0;
	char day[11];

	if (!body)
		return;
	zb_fail_init(&f);
	level = json_str_trim(&r->arena, body, "level", "");
	if (strcmp(level, "township") != 0 && strcmp(level, "banner") != 0)
		zb_fail_field(&f, "level", "级别应为 township（镇级）或 banner（旗级）");
	if (org_load(c->db, json_int(body, "org_id", 0), &o) != 1 || !perm_has(c, "eval.read", o.path))
		zb_fail_field(&f, "org_id", "组织不存在");
	else if (strcmp(o.kind, "branch") != 0 && strcmp(o.kind, "general_branch") != 0)
		zb_fail_field(&f, "org_id", "只能推荐党支部或党总支");
	else if (!perm_has(c, "eval.review", o.path))
		zb_fail_field(&f, "org_id", "您无权推荐该组织");
	else if (db_query_int(c->db, &n, SQL_DESIG_DUP, "iis", o.id, json_int(body, "year", 0), level) == DB_ROW && n > 0)
		zb_fail_field(&f, "org_id", "该组织本年度已被推荐为%s最强党支部", level_label(level));
	if (f.err) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	app_who(r, &who);
	today_text(day);
	id = ev_designation_insert(c->db, &r->app->keys, &who, o.id, (int)json_int(body, "year", 0), level,
				   json_int(body, "round_id", 0), json_str_trim(&r->arena, body, "note", ""), day);
	json_decref(body);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	desig_answer(r, 201, id);
}

/* POST /eval/designations/:id/advance {version, to, note?}: nominated -> reviewed -> designated, or withdrawn. */
void eval_http_designation_advance(struct req *r)
{
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id"), changed = 0;
	struct db_stmt *st = id ? db_prepare(c->db, SQL_DESIG_ONE) : NULL;
	struct audit_who who;
	struct scope s;
	char path[256] = "", status[16] = "", day[11], now[32];
	int64_t version = 0;
	const char *to, *next;
	json_t *body;
	int rc = DB_DONE;

	if (st) {
		db_bind_int(st, 1, id);
		rc = db_step(st);
		if (rc == DB_ROW) {
			snprintf(path, sizeof(path), "%s", db_col_text(st, 3));
			snprintf(status, sizeof(status), "%s", db_col_text(st, 6));
			version = db_col_int(st, 9);
		}
	}
	db_finalize(st);
	scope_for(c, "eval.read", &s);
	if (rc != DB_ROW || !scope_contains(&s, path)) {
		if (rc < 0)
			app_db_fail(r, rc, 0);
		else
			resp_error(r, ZB_ENOTFOUND, "推荐记录不存在");
		return;
	}
	if (!perm_has(c, "eval.review", path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权审核或命名最强党支部");
		return;
	}
	body = body_of(r, advance_fields);
	if (!body)
		return;
	to = json_str_trim(&r->arena, body, "to", "");
	next = strcmp(status, "nominated") == 0 ? "reviewed" : strcmp(status, "reviewed") == 0 ? "designated" : NULL;
	if (strcmp(to, "withdrawn") != 0 && strcmp(to, "reviewed") != 0 && strcmp(to, "designated") != 0) {
		struct zb_fail f;
		zb_fail_init(&f);
		zb_fail_field(&f, "to", "下一步应为 reviewed（审核）、designated（命名）或 withdrawn（撤回）");
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	if (json_int(body, "version", 0) != version ||
	    (strcmp(to, "withdrawn") == 0 ? strcmp(status, "withdrawn") == 0 : (!next || strcmp(next, to) != 0))) {
		int stale = json_int(body, "version", 0) != version;
		json_decref(body);
		app_conflict(r, stale ? "推荐记录已被他人修改，请刷新后重试"
			     : arena_printf(&r->arena, "当前状态为“%s”，不能直接转为该状态（推荐→审核→命名）",
					    desig_status_label(status)), NULL);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	app_who(r, &who);
	today_text(day);
	ts_now(now);
	rc = db_run_changes(c->db, &changed, SQL_DESIG_ADVANCE, "ssiis", to, now, id, version, status);
	if (rc == DB_OK && changed != 1) {
		json_decref(body);
		db_rollback(c->db);
		app_conflict(r, "推荐记录已被他人修改，请刷新后重试", NULL);
		return;
	}
	if (rc == DB_OK)
		rc = ev_designation_step(c->db, &r->app->keys, &who, id, to,
					 json_str_trim(&r->arena, body, "note", ""), day);
	json_decref(body);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	desig_answer(r, 200, id);
}

/* ---------------------------------------------------------------- weak and lax branches */

int64_t ev_weak_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t org_id, int year, const char *source, const char *rules,
		       const char *reason, const char *day)
{
	char now[32];
	int64_t id = 0;
	int rc;
	json_t *after;

	ts_now(now);
	rc = db_query_int(db, &id, SQL_WEAK_INSERT, "iissssss", org_id, (int64_t)year, source,
			  rules ? rules : "", reason, day, now, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	after = json_pack("{s:I, s:i, s:s, s:s, s:s}", "org_id", (json_int_t)org_id, "year", year,
			  "source", source, "rules", rules ? rules : "", "reason", reason);
	rc = audit_append(db, k, who, "eval_weak", id, "flag", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int64_t ev_weak_step_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			    int64_t weak_id, const char *action, const char *owner, const char *deadline)
{
	char now[32];
	int64_t id = 0;
	int rc;
	json_t *after;

	ts_now(now);
	rc = db_query_int(db, &id, SQL_WEAK_STEP_INSERT, "isssss", weak_id, action, owner, deadline, now, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = db_run(db, SQL_WEAK_BUMP, "si", now, weak_id);
	after = json_pack("{s:I, s:s, s:s, s:s}", "weak_id", (json_int_t)weak_id, "action", action,
			  "owner", owner, "deadline", deadline);
	if (rc == DB_OK)
		rc = audit_append(db, k, who, "eval_weak_step", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int64_t ev_weak_followup_insert(struct db *db, const struct keys *k, const struct audit_who *who,
				int64_t weak_id, int64_t step_id, int step_done, const char *note,
				const char *day)
{
	char now[32];
	int64_t id = 0;
	struct db_stmt *st = db_prepare(db, SQL_WEAK_FU_INSERT);
	int rc;
	json_t *after;

	if (!st)
		return DB_EGENERIC;
	ts_now(now);
	db_bind_int(st, 1, weak_id);
	if (step_id > 0)
		db_bind_int(st, 2, step_id);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, day);
	db_bind_text(st, 4, note);
	db_bind_text(st, 5, who->username ? who->username : "");
	db_bind_text(st, 6, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = DB_OK;
	if (step_id > 0 && step_done)
		rc = db_run(db, SQL_WEAK_STEP_DONE, "ssii", day, now, step_id, weak_id);
	if (rc == DB_OK)
		rc = db_run(db, SQL_WEAK_BUMP, "si", now, weak_id);
	after = json_pack("{s:I, s:I, s:b, s:s}", "weak_id", (json_int_t)weak_id, "step_id",
			  (json_int_t)step_id, "step_done", step_done, "note", note);
	if (rc == DB_OK)
		rc = audit_append(db, k, who, "eval_weak_followup", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

/* The weak flag id with its steps and follow-ups; NULL when missing. *path gets its org's path (arena). */
static json_t *weak_json(struct db *db, struct arena *a, int64_t id, const char **path)
{
	struct db_stmt *st = db_prepare(db, SQL_WEAK_ONE);
	json_t *j = NULL, *steps, *fus;
	char today[11];
	int overdue = 0;

	if (!st)
		return NULL;
	today_text(today);
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		if (path)
			*path = arena_strdup(a, db_col_text(st, 3));
		j = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:I}",
			      "id", (json_int_t)id, "org_id", (json_int_t)db_col_int(st, 1),
			      "org_name", db_col_text(st, 2), "year", (json_int_t)db_col_int(st, 4),
			      "source", db_col_text(st, 5), "rules", db_col_text(st, 6),
			      "reason", db_col_text(st, 7), "flagged_on", db_col_text(st, 8),
			      "status", db_col_text(st, 9),
			      "status_label", strcmp(db_col_text(st, 9), "lifted") == 0 ? "已摘帽" : "整顿中",
			      "lifted_on", db_col_text(st, 10), "lift_reason", db_col_text(st, 11),
			      "version", (json_int_t)db_col_int(st, 12));
	}
	db_finalize(st);
	if (!j)
		return NULL;
	steps = json_array();
	st = db_prepare(db, SQL_WEAK_STEPS);
	if (st) {
		db_bind_int(st, 1, id);
		while (db_step(st) == DB_ROW) {
			int od = db_col_isnull(st, 4) && strcmp(db_col_text(st, 3), today) < 0;
			overdue += od;
			json_array_append_new(steps, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:b, s:I}",
				"id", (json_int_t)db_col_int(st, 0), "action", db_col_text(st, 1),
				"owner", db_col_text(st, 2), "deadline", db_col_text(st, 3),
				"done_on", db_col_text(st, 4), "overdue", od, "version", (json_int_t)db_col_int(st, 5)));
		}
	}
	db_finalize(st);
	fus = json_array();
	st = db_prepare(db, SQL_WEAK_FOLLOWUPS);
	if (st) {
		db_bind_int(st, 1, id);
		while (db_step(st) == DB_ROW)
			json_array_append_new(fus, json_pack("{s:I, s:o, s:s, s:s, s:s}",
				"id", (json_int_t)db_col_int(st, 0),
				"step_id", db_col_isnull(st, 1) ? json_null() : json_integer(db_col_int(st, 1)),
				"on", db_col_text(st, 2), "note", db_col_text(st, 3), "by", db_col_text(st, 4)));
	}
	db_finalize(st);
	json_object_set_new(j, "steps", steps);
	json_object_set_new(j, "followups", fus);
	json_object_set_new(j, "overdue_steps", json_integer(overdue));
	return j;
}

/* The weak flag :id readable by the caller; NULL with 404 answered. */
static json_t *load_weak(struct req *r, const char **path)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, "id");
	json_t *j = id ? weak_json(c->db, &r->arena, id, path) : NULL;

	scope_for(c, "eval.read", &s);
	if (!j || !scope_contains(&s, *path)) {
		json_decref(j);
		resp_error(r, ZB_ENOTFOUND, "软弱涣散整顿记录不存在");
		return NULL;
	}
	return j;
}

/* GET /eval/weak?status=rectifying|lifted */
void eval_http_weak_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	const char *status = req_query(r, "status");
	struct db_stmt *st;
	int64_t ids[200];
	size_t n = 0;
	json_t *items = json_array();
	int rc, idx;

	if (status && !*status)
		status = NULL;
	scope_for(c, "eval.read", &s);
	st = db_prepare(c->db, arena_printf(&r->arena, SQL_WEAK_LIST, scope_sql(&r->arena, &s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		idx = scope_bind(st, 1, &s);
		db_bind_text(st, idx++, status);
		db_bind_text(st, idx, status);
		while (n < 200 && (rc = db_step(st)) == DB_ROW)
			ids[n++] = db_col_int(st, 0);
		if (rc == DB_ROW)
			rc = DB_DONE;
	}
	db_finalize(st);
	for (size_t i = 0; rc == DB_DONE && i < n; i++) {
		json_t *j = weak_json(c->db, &r->arena, ids[i], NULL);
		if (j)
			json_array_append_new(items, j);
	}
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /eval/weak/:id */
void eval_http_weak_get(struct req *r)
{
	const char *path = NULL;
	json_t *j = load_weak(r, &path);

	if (!j)
		return;
	json_object_set_new(j, "can_manage", json_boolean(perm_has(req_ctx(r), "eval.review", path)));
	json_object_set_new(j, "can_follow_up", json_boolean(perm_has(req_ctx(r), "eval.write", path)));
	resp_json(r, 200, j);
}

/* POST /eval/weak {org_id, year, reason, rules?}: flag a branch (by hand or from a candidate). */
void eval_http_weak_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	json_t *body = body_of(r, weak_fields);
	struct audit_who who;
	struct zb_fail f;
	struct org o;
	int64_t id, n = 0;
	const char *rules;
	char day[11];

	if (!body)
		return;
	zb_fail_init(&f);
	if (org_load(c->db, json_int(body, "org_id", 0), &o) != 1 || !perm_has(c, "eval.read", o.path))
		zb_fail_field(&f, "org_id", "组织不存在");
	else if (strcmp(o.kind, "branch") != 0 && strcmp(o.kind, "general_branch") != 0)
		zb_fail_field(&f, "org_id", "只能认定党支部或党总支");
	else if (!perm_has(c, "eval.review", o.path))
		zb_fail_field(&f, "org_id", "您无权认定软弱涣散党组织");
	else if (db_query_int(c->db, &n, SQL_WEAK_ACTIVE, "i", o.id) == DB_ROW && n > 0)
		zb_fail_field(&f, "org_id", "该组织已在整顿中");
	if (f.err) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	app_who(r, &who);
	today_text(day);
	rules = json_str_trim(&r->arena, body, "rules", "");
	id = ev_weak_insert(c->db, &r->app->keys, &who, o.id, (int)json_int(body, "year", 0),
			    *rules ? "rule" : "manual", rules, json_str_trim(&r->arena, body, "reason", ""), day);
	json_decref(body);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	app_commit_answer(r, 201, weak_json(c->db, &r->arena, id, NULL));
}

/* The weak flag :id under rectification that the caller may act on with `action`; 0 when answered. */
static int64_t weak_for_write(struct req *r, const char *action, int64_t *version)
{
	const char *path = NULL;
	json_t *j = load_weak(r, &path);
	int64_t id;

	if (!j)
		return 0;
	id = json_integer_value(json_object_get(j, "id"));
	*version = json_integer_value(json_object_get(j, "version"));
	if (!perm_has(req_ctx(r), action, path)) {
		json_decref(j);
		resp_error(r, ZB_EFORBIDDEN, "您无权处理该软弱涣散党组织的整顿");
		return 0;
	}
	if (strcmp(json_string_value(json_object_get(j, "status")), "rectifying") != 0) {
		app_conflict(r, "该组织已摘帽，整顿已结束", j);
		return 0;
	}
	json_decref(j);
	return id;
}

/* POST /eval/weak/:id/steps {action, owner, deadline} */
void eval_http_weak_step(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	int64_t version, id = weak_for_write(r, "eval.review", &version), sid;
	json_t *body;

	if (!id || !(body = body_of(r, step_fields)))
		return;
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	app_who(r, &who);
	sid = ev_weak_step_insert(c->db, &r->app->keys, &who, id, json_str_trim(&r->arena, body, "action", ""),
				  json_str_trim(&r->arena, body, "owner", ""),
				  json_str_trim(&r->arena, body, "deadline", ""));
	json_decref(body);
	if (sid < 0) {
		app_db_fail(r, (int)sid, 1);
		return;
	}
	app_commit_answer(r, 201, weak_json(c->db, &r->arena, id, NULL));
}

/* POST /eval/weak/:id/followups {note, step_id?, step_done?} */
void eval_http_weak_followup(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	int64_t version, id = weak_for_write(r, "eval.write", &version), fid, step, ok = 0;
	json_t *body;
	char day[11];

	if (!id || !(body = body_of(r, followup_fields)))
		return;
	step = json_int(body, "step_id", 0);
	if (step > 0 && (db_query_int(c->db, &ok, "SELECT COUNT(*) FROM eval_weak_steps WHERE id = ? AND weak_id = ?",
				      "ii", step, id) != DB_ROW || ok == 0)) {
		struct zb_fail f;
		zb_fail_init(&f);
		zb_fail_field(&f, "step_id", "整改步骤不存在");
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	app_who(r, &who);
	today_text(day);
	fid = ev_weak_followup_insert(c->db, &r->app->keys, &who, id, step,
				      json_is_true(json_object_get(body, "step_done")),
				      json_str_trim(&r->arena, body, "note", ""), day);
	json_decref(body);
	if (fid < 0) {
		app_db_fail(r, (int)fid, 1);
		return;
	}
	app_commit_answer(r, 201, weak_json(c->db, &r->arena, id, NULL));
}

/* POST /eval/weak/:id/lift {version, reason}: every step done, the flag lifted with the reason. */
void eval_http_weak_lift(struct req *r)
{
	struct ctx *c = req_ctx(r);
	int64_t version, id = weak_for_write(r, "eval.review", &version), open = 0, changed = 0;
	json_t *body, *after;
	char day[11], now[32];
	int rc;

	if (!id || !(body = body_of(r, lift_fields)))
		return;
	if (db_query_int(c->db, &open, SQL_WEAK_OPEN_STEPS, "i", id) == DB_ROW && open > 0) {
		struct zb_fail f;
		zb_fail_init(&f);
		zb_fail_field(&f, "reason", "尚有%lld项整改措施未完成，不能摘帽", (long long)open);
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	if (json_int(body, "version", 0) != version) {
		json_decref(body);
		app_conflict(r, "整顿记录已被他人修改，请刷新后重试", weak_json(c->db, &r->arena, id, NULL));
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	today_text(day);
	ts_now(now);
	rc = db_run_changes(c->db, &changed, SQL_WEAK_LIFT, "sssii", day,
			    json_str_trim(&r->arena, body, "reason", ""), now, id, version);
	if (rc == DB_OK && changed != 1) {
		json_decref(body);
		db_rollback(c->db);
		app_conflict(r, "整顿记录已被他人修改，请刷新后重试", NULL);
		return;
	}
	after = json_pack("{s:s, s:s}", "status", "lifted", "reason", json_str_trim(&r->arena, body, "reason", ""));
	json_decref(body);
	if (rc == DB_OK)
		rc = app_audit(r, "eval_weak", id, "lift", NULL, after);
	json_decref(after);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, weak_json(c->db, &r->arena, id, NULL));
}

/* ---------------------------------------------------------------- candidates */

static int64_t setting(struct db *db, const char *key, int64_t dflt)
{
	int64_t v = dflt;

	db_query_int(db, &v, SQL_SETTING, "s", key);
	return v;
}

/* A reason appended to a candidate's list. */
static void reason_add(json_t *reasons, const char *rule, const char *label, const char *text)
{
	json_array_append_new(reasons, json_pack("{s:s, s:s, s:s}", "rule", rule, "label", label, "text", text));
}

/*
 * GET /eval/weak/candidates?year=: the branches the weak-and-lax rules point
 * at for the year (judged on its last day, or today when earlier), each
 * with its reasons; the rules with whether each can be measured from the
 * records held today.
 */
void eval_http_weak_candidates(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct db_stmt *st;
	int64_t year, from, to, today = date_to_days(date_today_cn()), dev = 0;
	int64_t vacant_days, missing_max, dev_years, sat_pct;
	char as_of[11], dev_since[11];
	json_t *items = json_array(), *rules, *orgs = json_array();
	size_t i;
	json_t *o;
	int rc;

	zb_fail_init(&f);
	year = req_query_int(r, "year", date_today_cn().y, 2000, 2100, &f);
	if (f.err) {
		json_decref(items);
		json_decref(orgs);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	ev_period((int)year, 0, &from, &to);
	if (to > today)
		to = today;
	date_format(date_from_days(to), as_of);
	vacant_days = setting(c->db, "eval_weak_secretary_vacant_days", 90);
	missing_max = setting(c->db, "eval_weak_missing_meetings", 3);
	dev_years = setting(c->db, "eval_weak_no_candidate_years", 2);
	sat_pct = setting(c->db, "eval_weak_satisfaction_pct", 60);
	{
		struct ymd d = date_from_days(to);
		d.y -= (int)dev_years;
		if (!date_valid(d.y, d.m, d.d))
			d.d = 28;
		date_format(d, dev_since);
	}
	/* 发展对象: the joining records when the members module's tables exist, else a person flag if defined */
	if (db_query_int(c->db, &dev, SQL_JOIN_PROBE, "") == DB_ROW)
		dev = 2;
	else if (db_query_int(c->db, &dev, SQL_DEV_FLAG, "") == DB_ROW)
		dev = dev > 0 ? 1 : 0;
	rules = json_pack("[{s:s, s:s, s:b, s:s}, {s:s, s:s, s:b, s:s}, {s:s, s:s, s:b, s:s}, {s:s, s:s, s:b, s:s}, {s:s, s:s, s:b, s:s}]",
		"code", "secretary_vacant", "label", "书记长期空缺", "measurable", 1,
		"note", arena_printf(&r->arena, "党支部书记空缺超过%lld天（人员任职记录）", (long long)vacant_days),
		"code", "meetings_missing", "label", "组织生活不正常", "measurable", 1,
		"note", arena_printf(&r->arena, "全年缺开应开会议%lld期及以上（会议规则与会议记录）", (long long)missing_max),
		"code", "no_development", "label", "长期未发展党员", "measurable", dev > 0,
		"note", dev == 2 ? arena_printf(&r->arena, "%lld年内未确定发展对象（发展党员记录）", (long long)dev_years)
			: dev > 0 ? arena_printf(&r->arena, "%lld年内无发展对象（人员标记）", (long long)dev_years)
				: arena_printf(&r->arena, "%lld年内无发展对象：系统尚未登记发展对象（发展党员模块未上线），暂无法依据记录判断", (long long)dev_years),
		"code", "last_place", "label", "考评排名末位", "measurable", 1,
		"note", "本年度已公布考评中排名最后",
		"code", "satisfaction_low", "label", "群众满意度低", "measurable", 1,
		"note", arena_printf(&r->arena, "群众回访满意率低于%lld%%（办实事回访评价）", (long long)sat_pct));
	scope_for(c, "eval.read", &s);
	st = db_prepare(c->db, arena_printf(&r->arena, SQL_CAND_BRANCHES, scope_sql(&r->arena, &s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		db_bind_text(st, 1, as_of);
		db_bind_text(st, 2, as_of);
		db_bind_text(st, 3, as_of);
		scope_bind(st, 4, &s);
		while ((rc = db_step(st)) == DB_ROW)
			json_array_append_new(orgs, json_pack("{s:I, s:s, s:s, s:s?, s:I, s:s?}",
				"id", (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1),
				"path", db_col_text(st, 2), "created", db_col_text(st, 3),
				"has_secretary", (json_int_t)db_col_int(st, 4), "left", db_col_text(st, 5)));
	}
	db_finalize(st);
	json_array_foreach(orgs, i, o) {
		int64_t oid = json_integer_value(json_object_get(o, "id"));
		const char *path = json_string_value(json_object_get(o, "path"));
		const char *left = json_string_value(json_object_get(o, "left"));
		json_t *reasons = json_array();
		struct metric_value mv;
		int64_t rank = 0, last = 0, n = 0, active = 0;
		struct ymd d;
		if (rc != DB_DONE)
			break;
		/* secretary post empty */
		if (json_integer_value(json_object_get(o, "has_secretary")) == 0) {
			int64_t since = left && date_parse_iso(left, &d) == 0 ? date_to_days(d) : INT64_MIN;
			if (since == INT64_MIN || to - since > vacant_days)
				reason_add(reasons, "secretary_vacant", "书记长期空缺",
					   since == INT64_MIN ? "无党支部书记任职记录"
					   : arena_printf(&r->arena, "党支部书记自%s起空缺，已%lld天", left, (long long)(to - since)));
		}
		/* required meetings not held */
		memset(&mv, 0, sizeof(mv));
		rc = metric_meeting_compliance(c->db, &r->arena, oid, path, from, to, &mv);
		if (rc == DB_OK && json_integer_value(json_object_get(mv.inputs, "missing")) >= missing_max)
			reason_add(reasons, "meetings_missing", "组织生活不正常",
				   arena_printf(&r->arena, "全年缺开应开会议%lld期（应开%lld期）",
						(long long)json_integer_value(json_object_get(mv.inputs, "missing")),
						(long long)json_integer_value(json_object_get(mv.inputs, "denominator"))));
		json_decref(mv.inputs);
		if (rc != DB_OK)
			break;
		/* no 发展对象 for N years, when measurable */
		if (dev == 2 && db_query_int(c->db, &n, SQL_DEV_JOIN, "sss", arena_printf(&r->arena, "%s%%", path),
					     dev_since, as_of) == DB_ROW && n == 0)
			reason_add(reasons, "no_development", "长期未发展党员",
				   arena_printf(&r->arena, "%s至%s未确定发展对象", dev_since, as_of));
		else if (dev == 1 && db_query_int(c->db, &n, SQL_DEV_RECENT, "ss",
						  arena_printf(&r->arena, "%s%%", path), dev_since) == DB_ROW && n == 0)
			reason_add(reasons, "no_development", "长期未发展党员",
				   arena_printf(&r->arena, "%s以来无发展对象", dev_since));
		/* last place */
		{
			struct db_stmt *q = db_prepare(c->db, SQL_LAST_PLACE);
			const char *rname = NULL;
			if (q) {
				db_bindf(q, "ii", oid, year);
				if (db_step(q) == DB_ROW) {
					rank = db_col_int(q, 0);
					last = db_col_int(q, 1);
					rname = arena_strdup(&r->arena, db_col_text(q, 2));
				}
			}
			db_finalize(q);
			if (rank > 1 && rank == last)
				reason_add(reasons, "last_place", "考评排名末位",
					   arena_printf(&r->arena, "“%s”中排名第%lld（末位）", rname, (long long)rank));
		}
		/* resident satisfaction */
		memset(&mv, 0, sizeof(mv));
		rc = metric_deed_satisfaction(c->db, &r->arena, oid, path, from, to, &mv);
		if (rc == DB_OK && mv.has_value && mv.value * 100 < (double)sat_pct)
			reason_add(reasons, "satisfaction_low", "群众满意度低",
				   arena_printf(&r->arena, "群众回访满意率%.0f%%（%lld/%lld）", mv.value * 100,
						(long long)json_integer_value(json_object_get(mv.inputs, "numerator")),
						(long long)json_integer_value(json_object_get(mv.inputs, "denominator"))));
		json_decref(mv.inputs);
		if (rc != DB_OK)
			break;
		rc = DB_DONE;
		if (json_array_size(reasons) == 0) {
			json_decref(reasons);
			continue;
		}
		db_query_int(c->db, &active, SQL_WEAK_ACTIVE, "i", oid);
		json_array_append_new(items, json_pack("{s:I, s:s, s:o, s:b}", "org_id", (json_int_t)oid,
			"org_name", json_string_value(json_object_get(o, "name")), "reasons", reasons,
			"under_rectification", active > 0));
	}
	json_decref(orgs);
	if (rc != DB_DONE) {
		json_decref(items);
		json_decref(rules);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:I, s:s, s:o, s:o}", "year", (json_int_t)year, "as_of", as_of,
				    "rules", rules, "items", items));
}

/* ---------------------------------------------------------------- findings */

int eval_findings(const struct findings_query *q, struct findings *out)
{
	char today[11];
	struct db_stmt *st;
	int rc, idx;

	date_format(date_from_days(q->as_of), today);
	st = db_prepare(q->db, arena_printf(q->a, SQL_WEAK_OVERDUE, scope_sql(q->a, q->s, "o.path")));
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, today);
	idx = scope_bind(st, 2, q->s);
	db_bind_text(st, idx++, q->path_like);
	db_bind_text(st, idx, q->path_like);
	while ((rc = db_step(st)) == DB_ROW) {
		struct finding fd;
		memset(&fd, 0, sizeof(fd));
		fd.org_id = db_col_int(st, 1);
		fd.org_path = db_col_text(st, 2);
		fd.org_name = db_col_text(st, 3);
		fd.subject = "eval";
		fd.code = "rectification_overdue";
		fd.label = "整改逾期";
		fd.severity = RULE_MEDIUM;
		fd.text = arena_printf(q->a, "%s软弱涣散整顿：整改措施“%s”（责任人%s）已过期限%s仍未完成",
				       db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5), db_col_text(st, 6));
		fd.link = arena_printf(q->a, "/eval/weak/%lld", (long long)db_col_int(st, 0));
		fd.date = db_col_text(st, 6);
		if (findings_add(out, &fd) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : (rc < 0 ? rc : DB_EGENERIC);
}
