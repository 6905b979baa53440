/* honours_http.c - /api/v1/honours: categories, rounds and quotas, nominations with their records, review, the notice, objections and the decision. */
#include <stdlib.h>
#include <string.h>
#include "honours_internal.h"
#include "../orgs/orgs.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

#define MAX_LINKS 50
#define MAX_QUOTA_ROWS 200

static int64_t today(void)
{
	return date_to_days(date_today_cn());
}

/* Answer the outcome of a write done inside the open transaction (HW_*, DB_* and f). 1 when it went well (still open). */
static int write_ok(struct req *r, int rc, struct zb_fail *f)
{
	struct db *db = req_ctx(r)->db;

	if (rc == HW_REFUSED || f->err) {
		db_rollback(db);
		if (!f->err)
			zb_fail_set(f, ZB_EVALIDATION, "提交的内容有误");
		resp_fail(r, f);
		return 0;
	}
	if (rc < 0) {
		zb_fail_release(f);
		app_db_fail(r, rc, 1);
		return 0;
	}
	zb_fail_release(f);
	return 1;
}

/* Begin the write transaction; 1 to go on. f is released when it fails. */
static int begin(struct req *r, struct zb_fail *f)
{
	int rc = db_begin(req_ctx(r)->db);

	if (rc != DB_OK) {
		zb_fail_release(f);
		app_db_fail(r, rc, 0);
		return 0;
	}
	return 1;
}

/* The body as JSON checked against fields; NULL when answered. */
static json_t *body_checked(struct req *r, const struct json_field *fields, struct zb_fail *f)
{
	json_t *b = req_json(r, f);

	if (!b) {
		resp_fail(r, f);
		return NULL;
	}
	if (json_check(b, fields, 0, f) != 0) {
		json_decref(b);
		resp_fail(r, f);
		return NULL;
	}
	return b;
}

/*
 * The round :id visible to the caller (else 404); with `action` also that
 * action on the round's org (403). 1 when it may go on.
 */
static int load_round(struct req *r, const char *action, struct hround *rd)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, "id");

	scope_for(c, "honour.read", &s);
	if (!id || hround_load(c->db, id, rd) != 1 || !hround_visible(&s, rd->org_path)) {
		resp_error(r, ZB_ENOTFOUND, "评选不存在");
		return 0;
	}
	if (action && !perm_has(c, action, rd->org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权办理本轮评选");
		return 0;
	}
	return 1;
}

/* The nomination `id` in the caller's honour.read scope (else 404); with `action` that action on its org (403). */
static int load_nom(struct req *r, int64_t id, const char *action, struct hnom *nm)
{
	struct ctx *c = req_ctx(r);
	struct scope s;

	scope_for(c, "honour.read", &s);
	if (!id || hnom_load(c->db, id, nm) != 1 || !scope_contains(&s, nm->org_path)) {
		resp_error(r, ZB_ENOTFOUND, "推荐记录不存在");
		return 0;
	}
	if (action && !perm_has(c, action, nm->org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权办理该推荐");
		return 0;
	}
	return 1;
}

/* A round's JSON for the caller: scoped nominations and what they may do. */
static json_t *round_for(struct req *r, const struct hround *rd, int detail)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	json_t *j;

	scope_for(c, "honour.read", &s);
	j = hround_json(c->db, rd, &s, detail);
	if (j) {
		json_object_set_new(j, "can_review", json_boolean(perm_has(c, "honour.review", rd->org_path)));
		json_object_set_new(j, "can_nominate", json_boolean(strcmp(rd->status, "open") == 0 &&
								     perm_any(c, "honour.write")));
	}
	return j;
}

/* Commit and answer round id. */
static void answer_round(struct req *r, int status, int64_t id)
{
	struct hround rd;

	if (hround_load(req_ctx(r)->db, id, &rd) != 1) {
		app_db_fail(r, DB_EGENERIC, 1);
		return;
	}
	app_commit_answer(r, status, round_for(r, &rd, 1));
}

/* Commit and answer nomination id. */
static void answer_nom(struct req *r, int status, int64_t id)
{
	struct ctx *c = req_ctx(r);
	struct hnom nm;
	json_t *j = hnom_json(c->db, id, 1);

	if (j && hnom_load(c->db, id, &nm) == 1) {
		json_object_set_new(j, "can_write", json_boolean(perm_has(c, "honour.write", nm.org_path)));
		json_object_set_new(j, "can_review", json_boolean(perm_has(c, "honour.review", nm.org_path)));
	}
	app_commit_answer(r, status, j);
}

/* ---------------------------------------------------------------- categories */

/* GET /honours/categories: the active categories with who may be nominated and the rule. */
void honours_http_categories(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	struct db_stmt *st = db_prepare(db, "SELECT code, label_zh, tags FROM dict_items"
					    " WHERE dict = 'honour_category' AND status = 'active' ORDER BY sort, code");
	json_t *items = json_array();
	int rc = st ? DB_OK : DB_EGENERIC;

	while (st && (rc = db_step(st)) == DB_ROW) {
		struct hcat c;
		char lsql[] = "SELECT label_zh FROM dict_items WHERE dict = 'honour_level' AND code = ?";
		struct db_stmt *l;
		const char *ll = "";
		json_t *e;
		memset(&c, 0, sizeof(c));
		hcat_parse_tags(db_col_text(st, 2), &c);
		e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", db_col_text(st, 0),
			      "label", db_col_text(st, 1), "nominee_kind", c.kind,
			      "nominee_kind_label", honour_kind_label(c.kind), "level", c.level,
			      "rule", c.rule, "rule_label", hcat_rule_label(c.rule));
		l = db_prepare(db, lsql);
		if (l) {
			db_bind_text(l, 1, c.level);
			if (db_step(l) == DB_ROW && db_col_text(l, 0))
				ll = db_col_text(l, 0);
			json_object_set_new(e, "level_label", json_string(ll));
		}
		db_finalize(l);
		json_array_append_new(items, e);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:i}", "items", items, "notice_min_days", honour_notice_min(db)));
}

/* ---------------------------------------------------------------- rounds */

/* GET /honours/rounds?year=&category=&status=: the rounds the caller sees, newest first. */
void honours_http_rounds(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	const char *cat = req_query(r, "category"), *status = req_query(r, "status");
	int64_t year, ids[500];
	int n = 0, rc;
	struct db_stmt *st;
	json_t *items = json_array();

	zb_fail_init(&f);
	year = req_query_int(r, "year", 0, 0, 2200, &f);
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (cat && !*cat)
		cat = NULL;
	if (status && !*status)
		status = NULL;
	scope_for(c, "honour.read", &s);
	st = db_prepare(c->db, "SELECT id FROM honour_rounds WHERE (CAST(? AS INTEGER) = 0 OR year = CAST(? AS INTEGER))"
			       " AND (CAST(? AS TEXT) IS NULL OR category = CAST(? AS TEXT))"
			       " AND (CAST(? AS TEXT) IS NULL OR status = CAST(? AS TEXT))"
			       " ORDER BY year DESC, id DESC LIMIT 500");
	rc = st ? db_bindf(st, "iissss", year, year, cat, cat, status, status) : DB_EGENERIC;
	while (rc >= 0 && n < 500 && (rc = db_step(st)) == DB_ROW)
		ids[n++] = db_col_int(st, 0);
	db_finalize(st);
	if (rc < 0) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct hround rd;
		if (hround_load(c->db, ids[i], &rd) == 1 && hround_visible(&s, rd.org_path))
			json_array_append_new(items, round_for(r, &rd, 0));
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct json_field round_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "评选组织" },
	{ "year", JF_INT, 1, 0, 1949, 2200, "年度" },
	{ "category", JF_STRING, 1, 0, 1, 48, "荣誉类别" },
	{ "title", JF_STRING, 0, 1, 0, 100, "评选名称" },
	{ "notice_days", JF_INT, 0, 1, 1, 60, "公示天数" },
	{ "note", JF_STRING, 0, 1, 0, 2000, "说明" },
	{ "quotas", JF_ARRAY, 0, 1, 0, 0, "名额分配" },
	{ 0 }
};
static const struct json_field round_update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "title", JF_STRING, 0, 1, 0, 100, "评选名称" },
	{ "notice_days", JF_INT, 0, 1, 1, 60, "公示天数" },
	{ "note", JF_STRING, 0, 1, 0, 2000, "说明" },
	{ "quotas", JF_ARRAY, 0, 1, 0, 0, "名额分配" },
	{ 0 }
};

/* The body's quotas into in (arena); malformed rows into f. */
static void read_quotas(struct req *r, const json_t *b, struct hround_in *in, struct zb_fail *f)
{
	const json_t *q = json_object_get(b, "quotas");
	int64_t *orgs, *quota;
	size_t n;

	if (!json_is_array(q))
		return;
	n = json_array_size(q);
	if (n > MAX_QUOTA_ROWS) {
		zb_fail_field(f, "quotas", "名额分配不能超过%d条", MAX_QUOTA_ROWS);
		return;
	}
	orgs = arena_alloc(&r->arena, (n + 1) * sizeof(*orgs));
	quota = arena_alloc(&r->arena, (n + 1) * sizeof(*quota));
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(q, i);
		const json_t *o = json_object_get(e, "org_id"), *v = json_object_get(e, "quota");
		if (!json_is_integer(o) || !json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 10000) {
			zb_fail_field(f, "quotas", "第%zu条：应为 {org_id, quota}，名额为0至10000的整数", i + 1);
			return;
		}
		orgs[i] = json_integer_value(o);
		quota[i] = json_integer_value(v);
	}
	in->quota_org = orgs;
	in->quota = quota;
	in->nquotas = n;
}

/* POST /honours/rounds: open a round of a category for a year, with quotas. */
void honours_http_round_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct hround_in in;
	struct zb_fail f;
	struct scope s;
	struct org o;
	json_t *b;
	int64_t id;

	zb_fail_init(&f);
	if (!(b = body_checked(r, round_fields, &f)))
		return;
	memset(&in, 0, sizeof(in));
	in.org_id = json_int(b, "org_id", 0);
	in.year = json_int(b, "year", 0);
	in.category = json_str_trim(&r->arena, b, "category", "");
	in.title = json_str_trim(&r->arena, b, "title", NULL);
	in.notice_days = json_int(b, "notice_days", 0);
	in.note = json_str_trim(&r->arena, b, "note", "");
	read_quotas(r, b, &in, &f);
	json_decref(b);
	honour_text_check(&f, "title", "评选名称", in.title);
	scope_for(c, "honour.read", &s);
	if (org_load(c->db, in.org_id, &o) != 1 || !scope_contains(&s, o.path)) {
		zb_fail_field(&f, "org_id", "组织不存在");
	} else if (!perm_has(c, "honour.review", o.path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权在该组织发起评选");
		zb_fail_release(&f);
		return;
	}
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!begin(r, &f))
		return;
	app_who(r, &who);
	id = hround_insert(c->db, &r->app->keys, &who, &in, &f);
	if (!write_ok(r, id == 0 ? HW_REFUSED : id < 0 ? (int)id : DB_OK, &f))
		return;
	answer_round(r, 201, id);
}

/* GET /honours/rounds/:id: the round with its quotas and the nominations in the caller's scope. */
void honours_http_round_get(struct req *r)
{
	struct hround rd;
	json_t *j;

	if (!load_round(r, NULL, &rd))
		return;
	j = round_for(r, &rd, 1);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, j);
}

/* PUT /honours/rounds/:id: title, notice days, note, quotas while nominating. */
void honours_http_round_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct hround_in in;
	struct hround rd;
	struct zb_fail f;
	int64_t version;
	json_t *b;
	int rc;

	if (!load_round(r, "honour.review", &rd))
		return;
	zb_fail_init(&f);
	if (!(b = body_checked(r, round_update_fields, &f)))
		return;
	memset(&in, 0, sizeof(in));
	version = json_int(b, "version", 0);
	in.title = json_str_trim(&r->arena, b, "title", NULL);
	in.notice_days = json_int(b, "notice_days", 0);
	in.note = json_str_trim(&r->arena, b, "note", "");
	read_quotas(r, b, &in, &f);
	json_decref(b);
	honour_text_check(&f, "title", "评选名称", in.title);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!begin(r, &f))
		return;
	app_who(r, &who);
	rc = hround_update(c->db, &r->app->keys, &who, &rd, version, &in, &f);
	if (!write_ok(r, rc, &f))
		return;
	answer_round(r, 200, rd.id);
}

/* ---------------------------------------------------------------- nominations */

static const struct json_field nominate_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "推荐组织" },
	{ "nominee_id", JF_INT, 1, 0, 1, INT64_MAX, "被推荐对象" },
	{ "reason", JF_STRING, 1, 0, 1, 5000, "推荐理由（主要事迹）" },
	{ "links", JF_ARRAY, 0, 1, 0, 0, "关联记录" },
	{ 0 }
};

/* POST /honours/rounds/:id/nominations: a branch puts a nominee forward. */
void honours_http_nominate(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct hnom_in in;
	struct hround rd;
	struct zb_fail f;
	struct scope s;
	struct org o;
	const json_t *links;
	struct hlink *lv = NULL;
	json_t *b;
	int64_t id;

	if (!load_round(r, NULL, &rd))
		return;
	zb_fail_init(&f);
	if (!(b = body_checked(r, nominate_fields, &f)))
		return;
	memset(&in, 0, sizeof(in));
	in.org_id = json_int(b, "org_id", 0);
	in.nominee_id = json_int(b, "nominee_id", 0);
	in.reason = json_str_trim(&r->arena, b, "reason", NULL);
	links = json_object_get(b, "links");
	if (json_is_array(links)) {
		size_t n = json_array_size(links);
		if (n > MAX_LINKS) {
			zb_fail_field(&f, "links", "关联记录不能超过%d条", MAX_LINKS);
			n = 0;
		}
		lv = arena_alloc(&r->arena, (n + 1) * sizeof(*lv));
		for (size_t i = 0; i < n; i++) {
			const json_t *e = json_array_get(links, i);
			const char *kind = json_string_value(json_object_get(e, "kind"));
			const json_t *lid = json_object_get(e, "id");
			if (!kind || !json_is_integer(lid) || strlen(kind) > 20) {
				zb_fail_field(&f, "links", "第%zu条：应为 {kind: meeting|deed|task, id}", i + 1);
				break;
			}
			lv[in.nlinks].kind = arena_strdup(&r->arena, kind);
			lv[in.nlinks].id = json_integer_value(lid);
			in.nlinks++;
		}
		in.links = lv;
	}
	json_decref(b);
	honour_text_check(&f, "reason", "推荐理由", in.reason);
	scope_for(c, "honour.read", &s);
	if (org_load(c->db, in.org_id, &o) != 1 || !scope_contains(&s, o.path)) {
		zb_fail_field(&f, "org_id", "组织不存在");
	} else if (!perm_has(c, "honour.write", o.path)) {
		zb_fail_release(&f);
		resp_error(r, ZB_EFORBIDDEN, "您无权以该组织名义推荐");
		return;
	}
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!begin(r, &f))
		return;
	app_who(r, &who);
	id = hnom_insert(c->db, &r->app->keys, &who, &rd, &in, &f);
	if (!write_ok(r, id == 0 ? HW_REFUSED : id < 0 ? (int)id : DB_OK, &f))
		return;
	answer_nom(r, 201, id);
}

/* GET /honours/nominations/:id: one nomination with its records and objections. */
void honours_http_nomination_get(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct hnom nm;
	json_t *j;

	if (!load_nom(r, req_param_id(r, "id"), NULL, &nm))
		return;
	j = hnom_json(c->db, nm.id, 1);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	json_object_set_new(j, "can_write", json_boolean(perm_has(c, "honour.write", nm.org_path)));
	json_object_set_new(j, "can_review", json_boolean(perm_has(c, "honour.review", nm.org_path)));
	resp_json(r, 200, j);
}

static const struct json_field review_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "decision", JF_STRING, 1, 0, 1, 16, "审核结果" },
	{ "note", JF_STRING, 0, 1, 0, 1000, "审核意见" },
	{ 0 }
};

/* POST /honours/nominations/:id/review {version, decision: approve|reject, note}: the township's review. */
void honours_http_review(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	struct hnom nm;
	const char *decision, *note;
	int64_t version;
	json_t *b;
	int rc;

	if (!load_nom(r, req_param_id(r, "id"), "honour.review", &nm))
		return;
	zb_fail_init(&f);
	if (!(b = body_checked(r, review_fields, &f)))
		return;
	version = json_int(b, "version", 0);
	decision = json_str_trim(&r->arena, b, "decision", "");
	note = json_str_trim(&r->arena, b, "note", NULL);
	json_decref(b);
	if (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0)
		zb_fail_field(&f, "decision", "审核结果应为 approve（通过）或 reject（不通过）");
	honour_text_check(&f, "note", "审核意见", note);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!begin(r, &f))
		return;
	app_who(r, &who);
	rc = hnom_review(c->db, &r->app->keys, &who, nm.id, version, strcmp(decision, "approve") == 0, note,
			 today(), &f);
	if (!write_ok(r, rc, &f))
		return;
	answer_nom(r, 200, nm.id);
}

static const struct json_field withdraw_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "reason", JF_STRING, 1, 0, 1, 1000, "撤销原因" },
	{ 0 }
};

/* POST /honours/nominations/:id/withdraw {version, reason}. */
void honours_http_withdraw(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	struct hnom nm;
	const char *reason;
	int64_t version;
	json_t *b;
	int rc;

	if (!load_nom(r, req_param_id(r, "id"), "honour.write", &nm))
		return;
	zb_fail_init(&f);
	if (!(b = body_checked(r, withdraw_fields, &f)))
		return;
	version = json_int(b, "version", 0);
	reason = json_str_trim(&r->arena, b, "reason", NULL);
	json_decref(b);
	honour_text_check(&f, "reason", "撤销原因", reason);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!begin(r, &f))
		return;
	app_who(r, &who);
	rc = hnom_withdraw(c->db, &r->app->keys, &who, nm.id, version, reason, &f);
	if (!write_ok(r, rc, &f))
		return;
	answer_nom(r, 200, nm.id);
}

/* ---------------------------------------------------------------- notice, decision */

static const struct json_field notice_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "notice_from", JF_DATE, 0, 1, 0, 0, "公示开始日期" },
	{ 0 }
};
static const struct json_field decide_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ 0 }
};

/*
 * POST /honours/rounds/:id/notice {version, notice_from?}: put the approved
 * nominees on public notice for the round's working days. notice_from
 * defaults to today; a notice already posted on paper may be recorded with
 * its real start (up to 60 days back).
 */
void honours_http_notice(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct hround rd;
	struct zb_fail f;
	struct ymd d;
	const char *from;
	int64_t version, day = today();
	json_t *b;
	int rc;

	if (!load_round(r, "honour.review", &rd))
		return;
	zb_fail_init(&f);
	if (!(b = body_checked(r, notice_fields, &f)))
		return;
	version = json_int(b, "version", 0);
	from = json_str_trim(&r->arena, b, "notice_from", NULL);
	json_decref(b);
	if (from && date_parse_iso(from, &d) == 0)
		day = date_to_days(d);
	if (!begin(r, &f))
		return;
	app_who(r, &who);
	rc = hround_notice(c->db, &r->app->keys, &who, &rd, version, day, today(), &f);
	if (!write_ok(r, rc, &f))
		return;
	answer_round(r, 200, rd.id);
}

/* POST /honours/rounds/:id/decide {version}: award the approved nominees once the notice has ended. */
void honours_http_decide(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct hround rd;
	struct zb_fail f;
	int64_t version;
	json_t *b;
	int rc;

	if (!load_round(r, "honour.review", &rd))
		return;
	zb_fail_init(&f);
	if (!(b = body_checked(r, decide_fields, &f)))
		return;
	version = json_int(b, "version", 0);
	json_decref(b);
	if (!begin(r, &f))
		return;
	app_who(r, &who);
	rc = hround_decide(c->db, &r->app->keys, &who, &rd, version, today(), &f);
	if (!write_ok(r, rc, &f))
		return;
	answer_round(r, 200, rd.id);
}

/* ---------------------------------------------------------------- objections */

static const struct json_field objection_fields[] = {
	{ "text", JF_STRING, 1, 0, 1, 2000, "异议内容" },
	{ "received_on", JF_DATE, 0, 1, 0, 0, "收到日期" },
	{ 0 }
};
static const struct json_field handle_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "decision", JF_STRING, 1, 0, 1, 16, "处理结果" },
	{ "reason", JF_STRING, 1, 0, 1, 1000, "处理理由" },
	{ 0 }
};

/* POST /honours/nominations/:id/objections {text, received_on?}: staff record an objection received during the notice. */
void honours_http_objection_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	struct hnom nm;
	struct ymd d;
	const char *text, *on;
	int64_t id, day = today();
	json_t *b;

	if (!load_nom(r, req_param_id(r, "id"), "honour.review", &nm))
		return;
	zb_fail_init(&f);
	if (!(b = body_checked(r, objection_fields, &f)))
		return;
	text = json_str_trim(&r->arena, b, "text", NULL);
	on = json_str_trim(&r->arena, b, "received_on", NULL);
	json_decref(b);
	if (on && date_parse_iso(on, &d) == 0)
		day = date_to_days(d);
	if (day > today()) {
		zb_fail_field(&f, "received_on", "收到日期不能晚于今天");
		resp_fail(r, &f);
		return;
	}
	if (!begin(r, &f))
		return;
	app_who(r, &who);
	id = hobj_insert(c->db, &r->app->keys, &who, nm.id, "staff", text, day, &f);
	if (!write_ok(r, id == 0 ? HW_REFUSED : id < 0 ? (int)id : DB_OK, &f))
		return;
	answer_nom(r, 201, nm.id);
}

/* POST /honours/objections/:id/handle {version, decision: upheld|dismissed, reason}. */
void honours_http_objection_handle(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	struct hnom nm;
	const char *decision, *reason;
	int64_t oid = req_param_id(r, "id"), nom = 0, version;
	json_t *b;
	int rc;

	if (oid)
		db_query_int(c->db, &nom, "SELECT nomination_id FROM honour_objections WHERE id = ?", "i", oid);
	if (!nom) {
		resp_error(r, ZB_ENOTFOUND, "异议不存在");
		return;
	}
	if (!load_nom(r, nom, "honour.review", &nm))
		return;
	zb_fail_init(&f);
	if (!(b = body_checked(r, handle_fields, &f)))
		return;
	version = json_int(b, "version", 0);
	decision = json_str_trim(&r->arena, b, "decision", "");
	reason = json_str_trim(&r->arena, b, "reason", NULL);
	json_decref(b);
	if (strcmp(decision, "upheld") != 0 && strcmp(decision, "dismissed") != 0)
		zb_fail_field(&f, "decision", "处理结果应为 upheld（异议成立）或 dismissed（异议不成立）");
	honour_text_check(&f, "reason", "处理理由", reason);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!begin(r, &f))
		return;
	app_who(r, &who);
	rc = hobj_handle(c->db, &r->app->keys, &who, oid, version, strcmp(decision, "upheld") == 0, reason,
			 today(), &f);
	if (!write_ok(r, rc, &f))
		return;
	answer_nom(r, 200, nm.id);
}
