/* disclosure_findings.c - stored findings as rectification orders (立行立改): dispatching the automatic ones, fake disclosures, done or overdue, accountability records (约谈、通报、追责), the list of branches due a talk. */
#include <stdlib.h>
#include <string.h>
#include "disclosure.h"
#include "disclosure_internal.h"
#include "../orgs/orgs.h"
#include "../../auth/audit.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

#define DEFAULT_DEADLINE_DAYS 7
#define TALK_THRESHOLD 2	/* unrectified findings that put a branch on the talk list */

static const char SQL_F_INSERT[] =
	"INSERT INTO disclosure_findings (org_id, item, period, kind, source, severity, disclosure_id, text,"
	" evidence, found_on, found_by, deadline, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_F_EXISTS[] =
	"SELECT COUNT(*) FROM disclosure_findings WHERE org_id = ? AND item = ? AND period = ? AND kind = ?"
	" AND source = 'auto'";
static const char SQL_F_COLS[] =
	"SELECT f.id, f.org_id, o.name, f.item, f.period, f.kind, f.source, f.severity, f.disclosure_id,"
	" f.text, f.evidence, f.found_on, f.found_by, f.deadline, f.status, f.done_on, f.done_by,"
	" f.done_note, f.version, o.path, c.name"
	" FROM disclosure_findings f JOIN orgs o ON o.id = f.org_id"
	" LEFT JOIN disclosure_catalog c ON c.code = f.item";
static const char SQL_ACC_INSERT[] =
	"INSERT INTO disclosure_accountability (org_id, finding_id, kind, subject_person, done_by, done_on,"
	" note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_ACC_OF[] =
	"SELECT id, kind, subject_person, done_by, done_on, note FROM disclosure_accountability"
	" WHERE finding_id = ? ORDER BY done_on, id";

int64_t dfinding_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			const struct dfinding_in *in)
{
	char now[24];
	int64_t id = 0;
	int rc;
	json_t *after;

	struct db_stmt *st = db_prepare(db, SQL_F_INSERT);

	if (!st)
		return DB_EGENERIC;
	ts_now(now);
	db_bindf(st, "isssss", in->org_id, in->item, in->period, in->kind, in->source, in->severity);
	if (in->disclosure_id)
		db_bind_int(st, 7, in->disclosure_id);
	else
		db_bind_null(st, 7);
	db_bind_text(st, 8, in->text);
	db_bind_text(st, 9, in->evidence ? in->evidence : "");
	db_bind_text(st, 10, in->found_on);
	db_bind_text(st, 11, in->found_by);
	db_bind_text(st, 12, in->deadline);
	db_bind_text(st, 13, now);
	db_bind_text(st, 14, now);
	rc = db_step(st);
	id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = DB_OK;
	after = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "org_id", (json_int_t)in->org_id, "item",
			  in->item, "period", in->period, "kind", in->kind, "text", in->text,
			  "deadline", in->deadline);
	if (rc == DB_OK)
		rc = audit_append(db, k, who, "disclosure_finding", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int64_t dfinding_accountability(struct db *db, const struct keys *k, const struct audit_who *who,
				int64_t org_id, int64_t finding_id, const char *kind, const char *person,
				const char *by, const char *on, const char *note)
{
	char now[24];
	int64_t id = 0;
	json_t *after;
	int rc;

	ts_now(now);
	rc = db_query_int(db, &id, SQL_ACC_INSERT, "iissssss", org_id, finding_id, kind, person, by, on,
			  note ? note : "", now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	after = json_pack("{s:I, s:s, s:s, s:s, s:s}", "finding_id", (json_int_t)finding_id, "kind", kind,
			  "subject_person", person, "done_by", by, "done_on", on);
	rc = audit_append(db, k, who, "disclosure_accountability", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int dfinding_done(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		  int64_t version, const char *on, const char *note)
{
	char now[24];
	int64_t changed = 0;
	json_t *after;
	int rc;

	ts_now(now);
	rc = db_run_changes(db, &changed,
			    "UPDATE disclosure_findings SET status = 'done', done_on = ?, done_by = ?, done_note = ?,"
			    " version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'open'",
			    "ssssii", on, who->username ? who->username : "system", note, now, id, version);
	if (rc != DB_OK)
		return rc;
	if (changed == 0)
		return DV_STALE;
	after = json_pack("{s:s, s:s}", "status", "done", "note", note ? note : "");
	rc = audit_append(db, k, who, "disclosure_finding", id, "done", NULL, after);
	json_decref(after);
	return rc;
}

/* The finding row at st (SQL_F_COLS) as JSON, with its rectification state and accountability records. */
static json_t *finding_json(struct db *db, struct db_stmt *st, const char *today)
{
	const char *status = db_col_text(st, 14), *deadline = db_col_text(st, 13);
	const char *rect = strcmp(status, "done") == 0 ? "done" : strcmp(deadline, today) < 0 ? "overdue" : "open";
	json_t *acc = json_array();
	struct db_stmt *q = db_prepare(db, SQL_ACC_OF);
	json_t *j;

	if (q) {
		db_bind_int(q, 1, db_col_int(st, 0));
		while (db_step(q) == DB_ROW)
			json_array_append_new(acc, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}",
				"id", (json_int_t)db_col_int(q, 0), "kind", db_col_text(q, 1),
				"kind_label", disclosure_kind_label(db_col_text(q, 1)),
				"subject_person", db_col_text(q, 2), "done_by", db_col_text(q, 3),
				"done_on", db_col_text(q, 4), "note", db_col_text(q, 5)));
	}
	db_finalize(q);
	j = json_pack("{s:I, s:I, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:I}",
		      "id", (json_int_t)db_col_int(st, 0), "org_id", (json_int_t)db_col_int(st, 1),
		      "org_name", db_col_text(st, 2), "item", db_col_text(st, 3),
		      "item_name", db_col_text(st, 20), "period", db_col_text(st, 4),
		      "kind", db_col_text(st, 5), "kind_label", disclosure_kind_label(db_col_text(st, 5)),
		      "source", db_col_text(st, 6), "severity", db_col_text(st, 7),
		      "disclosure_id", db_col_isnull(st, 8) ? json_null() : json_integer(db_col_int(st, 8)),
		      "text", db_col_text(st, 9), "evidence", db_col_text(st, 10),
		      "found_on", db_col_text(st, 11), "found_by", db_col_text(st, 12),
		      "version", (json_int_t)db_col_int(st, 18));
	if (!j) {
		json_decref(acc);
		return NULL;
	}
	json_object_set_new(j, "rectification", json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}",
		"deadline", deadline, "status", rect, "status_label", disclosure_state_label(rect),
		"done_on", db_col_isnull(st, 15) ? json_null() : json_string(db_col_text(st, 15)),
		"done_by", db_col_isnull(st, 16) ? json_null() : json_string(db_col_text(st, 16)),
		"note", db_col_isnull(st, 17) ? json_null() : json_string(db_col_text(st, 17))));
	json_object_set_new(j, "accountability", acc);
	return j;
}

static json_t *finding_one(struct db *db, struct arena *a, int64_t id, const char **path)
{
	struct db_stmt *st = db_prepare(db, arena_printf(a, "%s WHERE f.id = ?", SQL_F_COLS));
	char today[11];
	json_t *j = NULL;

	date_format(date_today_cn(), today);
	if (st) {
		db_bind_int(st, 1, id);
		if (db_step(st) == DB_ROW) {
			j = finding_json(db, st, today);
			if (path)
				*path = arena_strdup(a, db_col_text(st, 19));
		}
	}
	db_finalize(st);
	return j;
}

json_t *dfinding_about(struct db *db, struct arena *a, int64_t disclosure_id, int64_t org_id,
		      const char *item, const char *period)
{
	struct db_stmt *st = db_prepare(db, arena_printf(a, "%s WHERE f.disclosure_id = ?"
		" OR (f.org_id = ? AND f.item = ? AND f.period = ?) ORDER BY f.found_on DESC, f.id DESC",
		SQL_F_COLS));
	json_t *items = json_array();
	char today[11];

	date_format(date_today_cn(), today);
	if (!st)
		return items;
	db_bind_int(st, 1, disclosure_id);
	db_bind_int(st, 2, org_id);
	db_bind_text(st, 3, item ? item : "");
	db_bind_text(st, 4, period ? period : "");
	while (db_step(st) == DB_ROW)
		json_array_append_new(items, finding_json(db, st, today));
	db_finalize(st);
	return items;
}

/* GET /disclosure/findings?org=&status=open|done|overdue&kind=&year=: the rectification orders in scope. */
void disclosure_http_findings(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct db_params p = { 0 };
	struct buf sql;
	const char *path, *status = req_query(r, "status"), *kind = req_query(r, "kind");
	char today[11];
	int64_t year;
	struct db_stmt *st;
	json_t *items = json_array();
	int rc;

	zb_fail_init(&f);
	scope_for(c, "disclosure.read", &s);
	path = org_scope_param(r, "org", &s, &f);
	year = req_query_int(r, "year", 0, 1990, 2200, &f);
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	date_format(date_today_cn(), today);
	buf_init(&sql, 0);
	buf_printf(&sql, "%s WHERE %s", SQL_F_COLS, scope_sql(&r->arena, &s, "o.path"));
	for (int i = 0; i < s.n; i++)
		db_param_text(&p, arena_printf(&r->arena, "%s%%", s.paths[i]));
	if (path) {
		buf_puts(&sql, " AND o.path LIKE ?");
		db_param_text(&p, arena_printf(&r->arena, "%s%%", path));
	}
	if (kind && *kind) {
		buf_puts(&sql, " AND f.kind = ?");
		db_param_text(&p, kind);
	}
	if (year) {
		buf_puts(&sql, " AND f.period LIKE ?");
		db_param_text(&p, arena_printf(&r->arena, "%04d%%", (int)year));
	}
	if (status && strcmp(status, "done") == 0) {
		buf_puts(&sql, " AND f.status = 'done'");
	} else if (status && strcmp(status, "open") == 0) {
		buf_puts(&sql, " AND f.status = 'open'");
	} else if (status && strcmp(status, "overdue") == 0) {
		buf_puts(&sql, " AND f.status = 'open' AND f.deadline < ?");
		db_param_text(&p, today);
	}
	buf_puts(&sql, " ORDER BY f.found_on DESC, f.id DESC LIMIT 1000");
	st = db_prepare(c->db, arena_strdup(&r->arena, sql.data));
	buf_release(&sql);
	rc = st ? DB_OK : DB_EGENERIC;
	if (st)
		db_params_bind(st, &p);
	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, finding_json(c->db, st, today));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items)));
}

static const char *const sev_codes[] = { "low", "medium", "high" };

/*
 * POST /disclosure/findings/scan {year?, deadline_days?}: evaluate the
 * supervisor's scope for the year and store every missing, late or
 * incomplete cell not stored yet as a rectification order with a deadline.
 */
/*
 * Turn every automatic finding of `year` in scope s (missing, late,
 * incomplete, judged on today) that has no order yet into a rectification
 * order due in `days` days, inside the caller's open transaction. *n gets the
 * number dispatched. DB_OK or DB_E*.
 */
static int dispatch(struct db *db, const struct keys *k, const struct audit_who *who,
		    struct arena *a, const struct scope *s, int64_t year, int64_t days, int64_t *n)
{
	struct dgrid g;
	struct ymd t = date_today_cn();
	int64_t today_d = date_to_days(t);
	char today[11], deadline[11];
	int rc;

	*n = 0;
	date_format(t, today);
	date_format(date_from_days(today_d + days), deadline);
	rc = disclosure_evaluate(db, a, s, NULL, date_to_days((struct ymd){ (int)year, 1, 1 }),
				 date_to_days((struct ymd){ (int)year, 12, 31 }), today_d, &g);
	if (rc != DB_OK)
		return rc;
	for (size_t i = 0; rc == DB_OK && i < g.n; i++) {
		const struct dcell *x = &g.v[i];
		struct dfinding_in in;
		int64_t exists = 0;
		if (strcmp(x->state, "missing") && strcmp(x->state, "late") && strcmp(x->state, "incomplete"))
			continue;
		rc = db_query_int(db, &exists, SQL_F_EXISTS, "isss", x->org_id, x->item, x->period, x->state);
		if (rc != DB_ROW)
			break;
		rc = DB_OK;
		if (exists)
			continue;
		memset(&in, 0, sizeof(in));
		in.org_id = x->org_id;
		in.item = x->item;
		in.period = x->period;
		in.kind = x->state;
		in.source = "auto";
		in.severity = strcmp(x->state, "late") == 0 ? "low" : sev_codes[x->severity];
		in.disclosure_id = x->disclosure_id;
		in.text = strcmp(x->state, "missing") == 0 ?
			arena_printf(a, "%s %s（%s）应于%s前公开，至今未公开（应公开未公开）", x->org_name,
				     x->item_name, x->period, x->due) :
			strcmp(x->state, "late") == 0 ?
			arena_printf(a, "%s %s（%s）应于%s前公开，实际%s公开（逾期公开）", x->org_name,
				     x->item_name, x->period, x->due, x->published_on) :
			arena_printf(a, "%s %s（%s）公开不到位：缺少%s", x->org_name, x->item_name,
				     x->period, x->missing_fields);
		in.found_on = today;
		in.found_by = "zhibu";
		in.deadline = deadline;
		{
			int64_t id = dfinding_insert(db, k, who, &in);
			rc = id < 0 ? (int)id : DB_OK;
		}
		(*n)++;
	}
	dgrid_free(&g);
	return rc;
}

void disclosure_http_scan(struct req *r)
{
	static const struct json_field fields[] = {
		{ "year", JF_INT, 0, 1, 1990, 2200, "年度" },
		{ "deadline_days", JF_INT, 0, 1, 1, 90, "整改期限（天）" },
		{ 0 }
	};
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	struct scope s;
	json_t *b;
	struct ymd t = date_today_cn();
	int64_t year, days, n = 0;
	char deadline[11];
	int rc;

	zb_fail_init(&f);
	b = req_json(r, &f);
	if (!b || json_check(b, fields, 0, &f) != 0) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	year = json_int(b, "year", t.y);
	days = json_int(b, "deadline_days", DEFAULT_DEADLINE_DAYS);
	json_decref(b);
	date_format(date_from_days(date_to_days(t) + days), deadline);
	scope_for(c, "disclosure.supervise", &s);
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	rc = dispatch(c->db, &r->app->keys, &who, &r->arena, &s, year, days, &n);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, json_pack("{s:I, s:I, s:s}", "year", (json_int_t)year, "dispatched",
					    (json_int_t)n, "deadline", deadline));
}

int disclosure_scan_job(const struct app *app, struct db *db, const char *day, char *detail,
			size_t detail_len)
{
	struct audit_who who = { .user_id = 0, .username = "zhibu", .ip = "", .request_id = "job" };
	struct scope s = { .n = 1, .paths = { "/" } };
	struct arena a;
	struct ymd d;
	int64_t n = 0;
	int rc;

	if (date_parse_iso(day, &d) != 0)
		return -1;
	arena_init(&a, 0);
	rc = db_begin(db);
	if (rc == DB_OK)
		rc = dispatch(db, &app->keys, &who, &a, &s, d.y, DEFAULT_DEADLINE_DAYS, &n);
	rc = rc == DB_OK ? db_commit(db) : (db_rollback(db), rc);
	arena_release(&a);
	snprintf(detail, detail_len, "%d年新发现%lld条应公开未公开、逾期公开或公开不到位，已下达整改",
		 d.y, (long long)n);
	return rc == DB_OK ? 0 : -1;
}

/*
 * POST /disclosure/findings {org_id, item, period, disclosure_id?, kind, text, evidence, deadline?}:
 * a discipline reviewer's finding (假公开 needs evidence).
 */
void disclosure_http_finding_create(struct req *r)
{
	static const struct json_field fields[] = {
		{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "组织" },
		{ "item", JF_STRING, 1, 0, 1, 40, "公开事项" },
		{ "period", JF_STRING, 1, 0, 4, 10, "公开期间" },
		{ "disclosure_id", JF_INT, 0, 1, 1, INT64_MAX, "公开记录" },
		{ "kind", JF_STRING, 1, 0, 1, 20, "问题类型" },
		{ "text", JF_STRING, 1, 0, 1, 500, "问题描述" },
		{ "evidence", JF_STRING, 0, 1, 0, 2000, "证据" },
		{ "severity", JF_STRING, 0, 1, 0, 10, "严重程度" },
		{ "deadline", JF_DATE, 0, 1, 0, 0, "整改期限" },
		{ 0 }
	};
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct dfinding_in in;
	struct zb_fail f;
	struct scope s;
	struct org o;
	json_t *b;
	char today[11], deadline[11];
	int64_t id, did, dorg = 0;
	const char *kind, *evidence;

	zb_fail_init(&f);
	b = req_json(r, &f);
	if (!b) {
		resp_fail(r, &f);
		return;
	}
	json_check(b, fields, 0, &f);
	scope_for(c, "disclosure.supervise", &s);
	kind = json_str(b, "kind", "");
	evidence = json_str_trim(&r->arena, b, "evidence", "");
	if (json_int(b, "org_id", 0) > 0 &&
	    (org_load(c->db, json_int(b, "org_id", 0), &o) != 1 || !scope_contains(&s, o.path)))
		zb_fail_field(&f, "org_id", "组织不存在");
	if (*kind && strcmp(kind, "fake") && strcmp(kind, "missing") && strcmp(kind, "incomplete") &&
	    strcmp(kind, "late"))
		zb_fail_field(&f, "kind", "问题类型应为 fake（假公开）、missing、late 或 incomplete");
	if (strcmp(kind, "fake") == 0 && !*evidence)
		zb_fail_field(&f, "evidence", "认定假公开必须写明证据");
	if (json_has(b, "severity") && rule_severity_parse(json_str(b, "severity", "")) < 0)
		zb_fail_field(&f, "severity", "严重程度应为 low、medium 或 high");
	did = json_int(b, "disclosure_id", 0);
	if (did && (db_query_int(c->db, &dorg, "SELECT org_id FROM disclosures WHERE id = ?", "i", did) != DB_ROW ||
		    dorg != json_int(b, "org_id", 0)))
		zb_fail_field(&f, "disclosure_id", "该组织没有这条公开记录");
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	date_format(date_today_cn(), today);
	date_format(date_from_days(date_to_days(date_today_cn()) + DEFAULT_DEADLINE_DAYS), deadline);
	memset(&in, 0, sizeof(in));
	in.org_id = o.id;
	in.item = json_str_trim(&r->arena, b, "item", "");
	in.period = json_str_trim(&r->arena, b, "period", "");
	in.kind = arena_strdup(&r->arena, kind);
	in.source = "manual";
	in.severity = arena_strdup(&r->arena, json_str(b, "severity", strcmp(kind, "fake") == 0 ? "high" : "medium"));
	in.disclosure_id = did;
	in.text = json_str_trim(&r->arena, b, "text", "");
	in.evidence = evidence;
	in.found_on = today;
	in.found_by = c->username ? c->username : "";
	in.deadline = arena_strdup(&r->arena, json_str(b, "deadline", deadline));
	json_decref(b);
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	id = dfinding_insert(c->db, &r->app->keys, &who, &in);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	app_commit_answer(r, 201, finding_one(c->db, &r->arena, id, NULL));
}

/* The finding :id in the caller's read scope (else 404). 1 to go on. */
static int load_finding(struct req *r, int64_t *id, const char **path, json_t **cur)
{
	struct ctx *c = req_ctx(r);
	struct scope s;

	*id = req_param_id(r, "id");
	*cur = *id ? finding_one(c->db, &r->arena, *id, path) : NULL;
	scope_for(c, "disclosure.read", &s);
	if (!*cur || !scope_contains(&s, *path)) {
		json_decref(*cur);
		resp_error(r, ZB_ENOTFOUND, "问题记录不存在");
		return 0;
	}
	return 1;
}

/* POST /disclosure/findings/:id/done {version, note}: rectified (the branch or the supervisor says how). */
void disclosure_http_finding_done(struct req *r)
{
	static const struct json_field fields[] = {
		{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
		{ "note", JF_STRING, 1, 0, 1, 1000, "整改情况" },
		{ 0 }
	};
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	const char *path, *note;
	char today[11];
	json_t *cur, *b;
	int64_t id, version;
	int rc;

	if (!load_finding(r, &id, &path, &cur))
		return;
	if (!perm_has(c, "disclosure.write", path) && !perm_has(c, "disclosure.supervise", path)) {
		json_decref(cur);
		resp_error(r, ZB_EFORBIDDEN, "您无权办结该整改");
		return;
	}
	zb_fail_init(&f);
	b = req_json(r, &f);
	if (!b || json_check(b, fields, 0, &f) != 0) {
		json_decref(b);
		json_decref(cur);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	version = json_int(b, "version", 0);
	note = json_str_trim(&r->arena, b, "note", "");
	json_decref(b);
	date_format(date_today_cn(), today);
	if (!app_begin_write(r)) {
		json_decref(cur);
		return;
	}
	app_who(r, &who);
	rc = dfinding_done(c->db, &r->app->keys, &who, id, version, today, note);
	if (rc == DV_STALE) {
		db_rollback(c->db);
		app_conflict(r, "该整改已办结或已被他人修改，请刷新后重试", cur);
		return;
	}
	json_decref(cur);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, finding_one(c->db, &r->arena, id, NULL));
}

/* POST /disclosure/findings/:id/accountability {kind, subject_person, done_on, note}: 约谈, 通报 or 追责. */
void disclosure_http_accountability_create(struct req *r)
{
	static const struct json_field fields[] = {
		{ "kind", JF_STRING, 1, 0, 1, 20, "问责方式" },
		{ "subject_person", JF_STRING, 1, 0, 1, 100, "被问责人" },
		{ "done_on", JF_DATE, 1, 0, 0, 0, "日期" },
		{ "note", JF_STRING, 0, 1, 0, 1000, "说明" },
		{ 0 }
	};
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	const char *path, *kind;
	json_t *cur, *b;
	int64_t id, aid, org_id;

	if (!load_finding(r, &id, &path, &cur))
		return;
	org_id = json_int(cur, "org_id", 0);
	json_decref(cur);
	if (!perm_has(c, "disclosure.supervise", path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权登记问责");
		return;
	}
	zb_fail_init(&f);
	b = req_json(r, &f);
	if (!b) {
		resp_fail(r, &f);
		return;
	}
	json_check(b, fields, 0, &f);
	kind = json_str(b, "kind", "");
	if (*kind && strcmp(kind, "talk") && strcmp(kind, "notice") && strcmp(kind, "accountability"))
		zb_fail_field(&f, "kind", "问责方式应为 talk（约谈）、notice（通报）或 accountability（追责）");
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r)) {
		json_decref(b);
		return;
	}
	app_who(r, &who);
	aid = dfinding_accountability(c->db, &r->app->keys, &who, org_id, id, kind,
				      json_str_trim(&r->arena, b, "subject_person", ""),
				      c->username ? c->username : "", json_str(b, "done_on", ""),
				      json_str_trim(&r->arena, b, "note", ""));
	json_decref(b);
	if (aid < 0) {
		app_db_fail(r, (int)aid, 1);
		return;
	}
	app_commit_answer(r, 201, finding_one(c->db, &r->arena, id, NULL));
}

/* GET /disclosure/accountability?org=: every accountability record in scope, newest first. */
void disclosure_http_accountability_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	const char *path, *like;
	struct db_stmt *st;
	json_t *items = json_array();
	int rc, idx;

	zb_fail_init(&f);
	scope_for(c, "disclosure.read", &s);
	path = org_scope_param(r, "org", &s, &f);
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	like = path ? arena_printf(&r->arena, "%s%%", path) : NULL;
	st = db_prepare(c->db, arena_printf(&r->arena,
		"SELECT a.id, a.org_id, o.name, a.finding_id, a.kind, a.subject_person, a.done_by, a.done_on, a.note"
		" FROM disclosure_accountability a JOIN orgs o ON o.id = a.org_id WHERE %s"
		" AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT)) ORDER BY a.done_on DESC, a.id DESC",
		scope_sql(&r->arena, &s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		idx = scope_bind(st, 1, &s);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx, like);
	}
	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s}",
			"id", (json_int_t)db_col_int(st, 0), "org_id", (json_int_t)db_col_int(st, 1),
			"org_name", db_col_text(st, 2),
			"finding_id", db_col_isnull(st, 3) ? json_null() : json_integer(db_col_int(st, 3)),
			"kind", db_col_text(st, 4), "kind_label", disclosure_kind_label(db_col_text(st, 4)),
			"subject_person", db_col_text(st, 5), "done_by", db_col_text(st, 6),
			"done_on", db_col_text(st, 7), "note", db_col_text(st, 8)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
 * GET /disclosure/talks?org=: branches with TALK_THRESHOLD or more
 * unrectified findings (open, overdue counted apart), with their talks so far.
 */
void disclosure_http_talks(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	const char *path, *like;
	char today[11];
	struct db_stmt *st;
	json_t *items = json_array();
	int rc, idx;

	zb_fail_init(&f);
	scope_for(c, "disclosure.read", &s);
	path = org_scope_param(r, "org", &s, &f);
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	like = path ? arena_printf(&r->arena, "%s%%", path) : NULL;
	date_format(date_today_cn(), today);
	st = db_prepare(c->db, arena_printf(&r->arena,
		"SELECT f.org_id, o.name, COUNT(*), SUM(CASE WHEN f.deadline < ? THEN 1 ELSE 0 END),"
		" (SELECT COUNT(*) FROM disclosure_accountability a WHERE a.org_id = f.org_id AND a.kind = 'talk'),"
		" (SELECT MAX(a.done_on) FROM disclosure_accountability a WHERE a.org_id = f.org_id AND a.kind = 'talk')"
		" FROM disclosure_findings f JOIN orgs o ON o.id = f.org_id WHERE f.status = 'open' AND %s"
		" AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT))"
		" GROUP BY f.org_id, o.name HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, f.org_id",
		scope_sql(&r->arena, &s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		db_bind_text(st, 1, today);
		idx = scope_bind(st, 2, &s);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx++, like);
		db_bind_int(st, idx, TALK_THRESHOLD);
	}
	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:I, s:I, s:I, s:o}",
			"org_id", (json_int_t)db_col_int(st, 0), "org_name", db_col_text(st, 1),
			"unrectified", (json_int_t)db_col_int(st, 2), "overdue", (json_int_t)db_col_int(st, 3),
			"talks", (json_int_t)db_col_int(st, 4),
			"last_talk", db_col_isnull(st, 5) ? json_null() : json_string(db_col_text(st, 5))));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:i, s:s}", "items", items, "threshold", TALK_THRESHOLD, "rule",
				    "未整改问题达到2个及以上的党支部列入约谈名单"));
}
