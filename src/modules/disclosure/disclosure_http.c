/* disclosure_http.c - /api/v1/disclosures and /disclosure-versions: list, record, edit drafts, the review steps, publish, correct; the catalogue and the org settings. */
#include <stdlib.h>
#include <string.h>
#include "disclosure.h"
#include "disclosure_internal.h"
#include "../files/files.h"
#include "../orgs/orgs.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

#define VERSION_FIELDS \
	{ "title", JF_STRING, 1, 0, 1, 200, "标题" }, \
	{ "content", JF_STRING, 0, 1, 0, 50000, "正文" }, \
	{ "finance", JF_OBJECT, 0, 1, 0, 0, "收支明细表" }, \
	{ "files", JF_ARRAY, 0, 1, 0, 0, "附件" }

static const struct json_field create_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "组织" },
	{ "item", JF_STRING, 1, 0, 1, 40, "公开事项" },
	{ "period", JF_STRING, 1, 0, 4, 10, "公开期间" },
	VERSION_FIELDS,
	{ 0 }
};
static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	VERSION_FIELDS,
	{ 0 }
};
static const struct json_field correct_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "reason", JF_STRING, 1, 0, 1, 500, "更正原因" },
	VERSION_FIELDS,
	{ 0 }
};
static const struct json_field step_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "reason", JF_STRING, 0, 1, 0, 500, "原因" },
	{ 0 }
};

/* The body's version fields into in; files into ids/n. */
static void read_in(struct req *r, const json_t *body, struct dver_in *in, int64_t **ids, size_t *n,
		    struct zb_fail *f)
{
	const json_t *files = json_object_get(body, "files");

	in->title = json_str_trim(&r->arena, body, "title", NULL);
	in->content = json_str(body, "content", "");
	in->finance = json_object_get(body, "finance");
	*ids = NULL;
	*n = 0;
	if (json_is_array(files)) {
		long k = files_ids_from_json(files, &r->arena, ids, "files", f);
		*n = k > 0 ? (size_t)k : 0;
	}
}

/*
 * The staff detail of disclosure id: disclosure_json with what the caller
 * may do next on its org (`can`) and the stored findings about it with their
 * rectification state. Every answer carrying the detail (GET, each workflow
 * step, the 409 `current`) goes through here. NULL when missing.
 */
static json_t *detail_json(struct req *r, int64_t id)
{
	struct ctx *c = req_ctx(r);
	json_t *j = disclosure_json(c->db, &r->arena, id, 0);
	const char *path;

	if (!j)
		return NULL;
	path = json_string_value(json_object_get(j, "org_path"));
	if (!path)
		path = "";
	json_object_set_new(j, "can", json_pack("{s:b, s:b, s:b, s:b}",
		"write", perm_has(c, "disclosure.write", path), "check", perm_has(c, "disclosure.check", path),
		"review", perm_has(c, "disclosure.review", path),
		"supervise", perm_has(c, "disclosure.supervise", path)));
	json_object_set_new(j, "findings", dfinding_about(c->db, &r->arena, id,
		json_integer_value(json_object_get(j, "org_id")),
		json_string_value(json_object_get(j, "item")),
		json_string_value(json_object_get(j, "period"))));
	return j;
}

/*
 * The version :id readable with disclosure.read (else 404); `action` (may be
 * NULL) must be allowed on its org (else 403). 1 to go on.
 */
static int load_version(struct req *r, const char *action, struct dver *v)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, "id");
	int rc = id ? dver_load(c->db, &r->arena, id, v) : 0;

	scope_for(c, "disclosure.read", &s);
	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	if (rc == 0 || !scope_contains(&s, v->org_path)) {
		resp_error(r, ZB_ENOTFOUND, "公开记录不存在");
		return 0;
	}
	if (action && !perm_has(c, action, v->org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权对该组织的公开记录执行此操作");
		return 0;
	}
	return 1;
}

/* Answer a write's outcome inside the open transaction; commits on DB_OK. */
static void finish(struct req *r, int rc, struct zb_fail *f, int64_t disclosure_id, int status)
{
	struct ctx *c = req_ctx(r);

	if (rc == DV_INVALID || (rc == DB_OK && f->err)) {
		db_rollback(c->db);
		resp_fail(r, f);
		return;
	}
	if (rc == DV_STALE) {
		db_rollback(c->db);
		app_conflict(r, f->message[0] ? f->message : "记录已被他人修改或状态已变化，请刷新后重试",
			     detail_json(r, disclosure_id));
		zb_fail_release(f);
		return;
	}
	zb_fail_release(f);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, status, detail_json(r, disclosure_id));
}

/* ---------------------------------------------------------------- list, get */

static const char SQL_LIST_WHERE[] =
	" FROM disclosures d JOIN orgs o ON o.id = d.org_id"
	" JOIN disclosure_versions v ON v.disclosure_id = d.id"
	" AND v.seq = (SELECT MAX(x.seq) FROM disclosure_versions x WHERE x.disclosure_id = d.id)"
	" LEFT JOIN disclosure_catalog c ON c.code = d.item WHERE %s";

/*
 * GET /disclosures?org=&item=&affair=&period=&state=&year=&page=&page_size=:
 * disclosures in scope with their latest version, newest period first.
 */
void disclosure_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct db_params p = { 0 };
	struct buf where;
	const char *path, *item = req_query(r, "item"), *affair = req_query(r, "affair");
	const char *period = req_query(r, "period"), *state = req_query(r, "state");
	int64_t page, page_size, year, total = 0;
	struct db_stmt *st;
	json_t *items;
	int rc;

	zb_fail_init(&f);
	scope_for(c, "disclosure.read", &s);
	path = org_scope_param(r, "org", &s, &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 200, &f);
	year = req_query_int(r, "year", 0, 1990, 2200, &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	buf_init(&where, 0);
	buf_printf(&where, SQL_LIST_WHERE, scope_sql(&r->arena, &s, "o.path"));
	for (int i = 0; i < s.n; i++)
		db_param_text(&p, arena_printf(&r->arena, "%s%%", s.paths[i]));
	if (path) {
		buf_puts(&where, " AND o.path LIKE ?");
		db_param_text(&p, arena_printf(&r->arena, "%s%%", path));
	}
	if (item && *item) {
		buf_puts(&where, " AND d.item = ?");
		db_param_text(&p, item);
	}
	if (affair && *affair) {
		buf_puts(&where, " AND c.affair = ?");
		db_param_text(&p, affair);
	}
	if (period && *period) {
		buf_puts(&where, " AND d.period = ?");
		db_param_text(&p, period);
	}
	if (state && *state) {
		buf_puts(&where, " AND v.state = ?");
		db_param_text(&p, state);
	}
	if (year) {
		buf_puts(&where, " AND d.period LIKE ?");
		db_param_text(&p, arena_printf(&r->arena, "%04d%%", (int)year));
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT COUNT(*)%s", where.data));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		db_params_bind(st, &p);
		rc = db_step(st);
		total = db_col_int(st, 0);
	}
	db_finalize(st);
	if (rc != DB_ROW) {
		buf_release(&where);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	st = db_prepare(c->db, arena_printf(&r->arena,
		"SELECT d.id, d.org_id, o.name, d.item, d.period, v.id, v.seq, v.state, v.title, v.version,"
		" (SELECT MIN(q.published_on) FROM disclosure_versions q WHERE q.disclosure_id = d.id"
		" AND q.state = 'published'), c.name, c.affair%s"
		" ORDER BY d.period DESC, o.path, d.item LIMIT ? OFFSET ?",
		arena_printf(&r->arena, "%s", where.data)));
	buf_release(&where);
	items = json_array();
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		int idx = db_params_bind(st, &p);
		db_bind_int(st, idx++, page_size);
		db_bind_int(st, idx, (page - 1) * page_size);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		const char *vs = db_col_text(st, 7);
		json_array_append_new(items, json_pack(
			"{s:I, s:I, s:s, s:s, s:s, s:s?, s:s?, s:s, s:o, s:{s:I, s:I, s:s, s:s, s:s, s:I}}",
			"id", (json_int_t)db_col_int(st, 0), "org_id", (json_int_t)db_col_int(st, 1),
			"org_name", db_col_text(st, 2), "item", db_col_text(st, 3),
			"period", db_col_text(st, 4), "item_name", db_col_text(st, 11),
			"affair", db_col_text(st, 12),
			"affair_label", disclosure_affair_label(db_col_text(st, 12)),
			"published_on", db_col_isnull(st, 10) ? json_null() : json_string(db_col_text(st, 10)),
			"latest", "id", (json_int_t)db_col_int(st, 5), "seq", (json_int_t)db_col_int(st, 6),
			"state", vs, "state_label", disclosure_state_label(vs), "title", db_col_text(st, 8),
			"version", (json_int_t)db_col_int(st, 9)));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
				    "page", (json_int_t)page, "page_size", (json_int_t)page_size));
}

static const char SQL_D_ORG[] =
	"SELECT o.path FROM disclosures d JOIN orgs o ON o.id = d.org_id WHERE d.id = ?";

/* GET /disclosures/:id: every version, its files, what the caller may do, the findings about it. */
void disclosure_http_get(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, "id");
	struct db_stmt *st = db_prepare(c->db, SQL_D_ORG);
	const char *path = NULL;
	json_t *j;

	if (st) {
		db_bind_int(st, 1, id);
		if (db_step(st) == DB_ROW)
			path = arena_strdup(&r->arena, db_col_text(st, 0));
	}
	db_finalize(st);
	scope_for(c, "disclosure.read", &s);
	if (!path || !scope_contains(&s, path) || !(j = detail_json(r, id))) {
		resp_error(r, ZB_ENOTFOUND, "公开记录不存在");
		return;
	}
	resp_json(r, 200, j);
}

/* ---------------------------------------------------------------- writes */

/* POST /disclosures: a new disclosure with its first version as a draft. */
void disclosure_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct dver_in in;
	struct zb_fail f;
	struct scope s;
	struct org o;
	json_t *body;
	int64_t *ids, id, org_id;
	size_t nids;
	const char *item, *period;
	int rc;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, create_fields, 0, &f);
	read_in(r, body, &in, &ids, &nids, &f);
	org_id = json_int(body, "org_id", 0);
	item = json_str_trim(&r->arena, body, "item", NULL);
	period = json_str_trim(&r->arena, body, "period", NULL);
	scope_for(c, "disclosure.read", &s);
	if (org_id > 0 && (org_load(c->db, org_id, &o) != 1 || !scope_contains(&s, o.path)))
		zb_fail_field(&f, "org_id", "组织不存在");
	else if (org_id > 0 && !perm_has(c, "disclosure.write", o.path))
		zb_fail_field(&f, "org_id", "您无权登记该组织的公开");
	if (f.err) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		json_decref(body);
		zb_fail_release(&f);
		app_db_fail(r, rc, 0);
		return;
	}
	app_who(r, &who);
	id = disclosure_create(c->db, &r->app->keys, &who, &r->arena, org_id, o.path, item, period,
			       &in, ids, nids, &f);
	json_decref(body);
	if (id == 0 || f.err) {
		db_rollback(c->db);
		resp_fail(r, &f);
		return;
	}
	finish(r, id < 0 ? (int)id : DB_OK, &f, id, 201);
}

/* Parse a body against fields: 1 to go on (answered otherwise). */
static int read_body(struct req *r, const struct json_field *fields, struct dver_in *in,
		     int64_t **ids, size_t *nids, int64_t *version, const char **reason,
		     json_t **keep, struct zb_fail *f)
{
	json_t *body = req_json(r, f);

	if (!body) {
		resp_fail(r, f);
		return 0;
	}
	json_check(body, fields, 0, f);
	if (in)
		read_in(r, body, in, ids, nids, f);
	*version = json_int(body, "version", 0);
	*reason = json_str_trim(&r->arena, body, "reason", NULL);
	if (f->err) {
		json_decref(body);
		resp_fail(r, f);
		return 0;
	}
	*keep = body;	/* in->finance points into it */
	return 1;
}

/* PUT /disclosure-versions/:id: edit a draft or returned version. */
void disclosure_http_version_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct dver v;
	struct dver_in in;
	struct zb_fail f;
	json_t *body;
	int64_t *ids, version;
	size_t nids;
	const char *reason;
	int rc;

	if (!load_version(r, "disclosure.write", &v))
		return;
	zb_fail_init(&f);
	if (!read_body(r, update_fields, &in, &ids, &nids, &version, &reason, &body, &f))
		return;
	if (strcmp(v.state, "draft") != 0 && strcmp(v.state, "returned") != 0) {
		json_decref(body);
		zb_fail_release(&f);
		app_conflict(r, "已提交或已公开的版本不能修改；已公开的请提交更正",
			     detail_json(r, v.disclosure_id));
		return;
	}
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		json_decref(body);
		app_db_fail(r, rc, 0);
		return;
	}
	app_who(r, &who);
	rc = dver_update(c->db, &r->app->keys, &who, &r->arena, &v, version, &in, ids, nids, &f);
	json_decref(body);
	finish(r, rc, &f, v.disclosure_id, 200);
}

/* One review step on the version :id: the action required, the step's state. */
static void step(struct req *r, const char *action, const char *to)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct dver v;
	struct zb_fail f;
	json_t *body;
	int64_t version;
	const char *reason;
	int rc;

	if (!load_version(r, action, &v))
		return;
	zb_fail_init(&f);
	if (!read_body(r, step_fields, NULL, NULL, NULL, &version, &reason, &body, &f))
		return;
	json_decref(body);
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return;
	}
	app_who(r, &who);
	if (strcmp(to, "published") == 0)
		rc = dver_publish(c->db, &r->app->keys, &who, &v, version, NULL, &f);
	else
		rc = dver_step(c->db, &r->app->keys, &who, &r->arena, &v, version, to, reason, &f);
	finish(r, rc, &f, v.disclosure_id, 200);
}

/* POST /disclosure-versions/:id/submit {version}: the personal-data guard, required fields, finance checks. */
void disclosure_http_submit(struct req *r)
{
	step(r, "disclosure.write", "submitted");
}

/* POST /disclosure-versions/:id/check {version}: the village finance group (民主理财小组) checked a 财务 disclosure. */
void disclosure_http_check(struct req *r)
{
	step(r, "disclosure.check", "checked");
}

/* POST /disclosure-versions/:id/review {version}: the township approved it. */
void disclosure_http_review(struct req *r)
{
	step(r, "disclosure.review", "reviewed");
}

/* POST /disclosure-versions/:id/publish {version}: publish and append to the transparency log. */
void disclosure_http_publish(struct req *r)
{
	step(r, "disclosure.review", "published");
}

/* POST /disclosure-versions/:id/return {version, reason}: back to the branch with the reason. */
void disclosure_http_return(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct dver v;

	if (!load_version(r, NULL, &v))
		return;
	/* the finance group returns what it checks; the township anything */
	if (!perm_has(c, "disclosure.review", v.org_path) &&
	    !(strcmp(v.state, "submitted") == 0 && perm_has(c, "disclosure.check", v.org_path))) {
		resp_error(r, ZB_EFORBIDDEN, "您无权退回该公开");
		return;
	}
	step(r, NULL, "returned");
}

/* POST /disclosure-versions/:id/correct {version, reason, title, content, finance?, files?}: a new version of a published one. */
void disclosure_http_correct(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct dver v;
	struct dver_in in;
	struct zb_fail f;
	json_t *body;
	int64_t *ids, version, nid;
	size_t nids;
	const char *reason;
	int rc;

	if (!load_version(r, "disclosure.write", &v))
		return;
	zb_fail_init(&f);
	if (!read_body(r, correct_fields, &in, &ids, &nids, &version, &reason, &body, &f))
		return;
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		json_decref(body);
		app_db_fail(r, rc, 0);
		return;
	}
	app_who(r, &who);
	nid = dver_correct(c->db, &r->app->keys, &who, &r->arena, &v, version, reason, &in, ids, nids, &f);
	json_decref(body);
	if (nid == 0) {
		finish(r, DV_INVALID, &f, v.disclosure_id, 201);
		return;
	}
	finish(r, nid == DV_STALE_ID ? DV_STALE : nid < 0 ? (int)nid : DB_OK, &f, v.disclosure_id, 201);
}

/* ---------------------------------------------------------------- catalogue */

static const char SQL_REQ_CURRENT[] =
	"SELECT id, frequency, grace_days, severity, version, valid_from FROM requirements"
	" WHERE subject = 'disclosure' AND what = ? AND valid_to IS NULL ORDER BY id DESC";

/* The catalogue row at st (SQL_CAT_ALL's columns) with its current requirement. */
static json_t *cat_json(struct db *db, struct db_stmt *st)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I}",
			      "id", (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1),
			      "affair", db_col_text(st, 2),
			      "affair_label", disclosure_affair_label(db_col_text(st, 2)),
			      "name", db_col_text(st, 3), "frequency", db_col_text(st, 4),
			      "within_days", (json_int_t)db_col_int(st, 5), "required", db_col_text(st, 6),
			      "transactions", db_col_text(st, 7), "org_kinds", db_col_text(st, 8),
			      "org_categories", db_col_text(st, 9), "basis", db_col_text(st, 10),
			      "sort", (json_int_t)db_col_int(st, 11), "version", (json_int_t)db_col_int(st, 12));
	struct db_stmt *q;

	if (!j)
		return NULL;
	json_object_set_new(j, "status", json_string(db_col_text(st, 13)));
	q = db_prepare(db, SQL_REQ_CURRENT);
	if (q) {
		db_bind_text(q, 1, db_col_text(st, 1));
		if (db_step(q) == DB_ROW)
			json_object_set_new(j, "rule", json_pack("{s:I, s:s, s:I, s:s, s:I, s:s}",
				"id", (json_int_t)db_col_int(q, 0), "frequency", db_col_text(q, 1),
				"due_days", (json_int_t)db_col_int(q, 2), "severity", db_col_text(q, 3),
				"version", (json_int_t)db_col_int(q, 4), "valid_from", db_col_text(q, 5)));
	}
	db_finalize(q);
	if (!json_object_get(j, "rule"))
		json_object_set_new(j, "rule", json_null());
	return j;
}

#define SQL_CAT_COLS "id, code, affair, name, frequency, within_days, required, transactions," \
	" org_kinds, org_categories, basis, sort, version, status"

/* GET /disclosure/catalog: every item with its rule (due days after the period, severity). */
void disclosure_http_catalog_list(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	struct db_stmt *st = db_prepare(db, "SELECT " SQL_CAT_COLS " FROM disclosure_catalog ORDER BY sort, id");
	json_t *items = json_array();
	int rc = st ? DB_OK : DB_EGENERIC;

	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, cat_json(db, st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static json_t *cat_one(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, "SELECT " SQL_CAT_COLS " FROM disclosure_catalog WHERE id = ?");
	json_t *j = NULL;

	if (st) {
		db_bind_int(st, 1, id);
		if (db_step(st) == DB_ROW)
			j = cat_json(db, st);
	}
	db_finalize(st);
	return j;
}

static const struct json_field cat_fields[] = {
	{ "version", JF_INT, 0, 0, 1, INT64_MAX, "版本号" },
	{ "code", JF_STRING, 1, 0, 2, 40, "事项代码" },
	{ "affair", JF_STRING, 1, 0, 1, 10, "公开类别" },
	{ "name", JF_STRING, 1, 0, 1, 100, "事项名称" },
	{ "frequency", JF_STRING, 1, 0, 1, 10, "公开频次" },
	{ "within_days", JF_INT, 0, 1, 0, 365, "事项发生后公开天数" },
	{ "required", JF_STRING, 0, 1, 0, 100, "必填内容" },
	{ "transactions", JF_STRING, 0, 1, 0, 10, "适用范围（收支业务量）" },
	{ "org_categories", JF_STRING, 0, 1, 0, 200, "适用组织类别" },
	{ "basis", JF_STRING, 0, 1, 0, 500, "依据" },
	{ "sort", JF_INT, 0, 1, 0, 10000, "排序" },
	{ "status", JF_STRING, 0, 1, 0, 10, "状态" },
	{ "due_days", JF_INT, 0, 1, 0, 365, "期末后公开期限（天）" },
	{ "severity", JF_STRING, 0, 1, 0, 10, "问题严重程度" },
	{ "from", JF_DATE, 0, 1, 0, 0, "规则生效日期" },
	{ 0 }
};

/* Values of a catalogue body checked beyond the field table. */
static void cat_check(const json_t *b, struct zb_fail *f)
{
	const char *a = json_str(b, "affair", NULL), *fr = json_str(b, "frequency", NULL);
	const char *t = json_str(b, "transactions", NULL), *st = json_str(b, "status", NULL);
	const char *req = json_str(b, "required", NULL), *sev = json_str(b, "severity", NULL);
	const char *code = json_str(b, "code", NULL);

	if (a && strcmp(a, "party") && strcmp(a, "village") && strcmp(a, "finance"))
		zb_fail_field(f, "affair", "公开类别应为 party（党务）、village（村务）或 finance（财务）");
	if (fr && strcmp(fr, "event") && rule_freq_parse(fr) < 0)
		zb_fail_field(f, "frequency", "公开频次应为 monthly、quarterly、yearly 或 event");
	if (t && strcmp(t, "any") && strcmp(t, "many") && strcmp(t, "few"))
		zb_fail_field(f, "transactions", "适用范围应为 any、many 或 few");
	if (st && strcmp(st, "active") && strcmp(st, "archived"))
		zb_fail_field(f, "status", "状态应为 active 或 archived");
	if (sev && rule_severity_parse(sev) < 0)
		zb_fail_field(f, "severity", "严重程度应为 low、medium 或 high");
	if (code)
		for (const char *p = code; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
				zb_fail_field(f, "code", "事项代码只能包含小写字母、数字和下划线");
				break;
			}
	if (req) {
		char tmp[128];
		snprintf(tmp, sizeof(tmp), "%s", req);
		for (char *p = tmp, *e; p && *p; p = e) {
			e = strchr(p, ',');
			if (e)
				*e++ = '\0';
			if (strcmp(p, "content") && strcmp(p, "finance") && strcmp(p, "attachments") &&
			    strcmp(p, "event_date")) {
				zb_fail_field(f, "required", "必填内容只能是 content、finance、attachments、event_date 的组合");
				break;
			}
		}
	}
}

static const char SQL_CAT_INSERT[] =
	"INSERT INTO disclosure_catalog (code, affair, name, frequency, within_days, required, transactions,"
	" org_categories, basis, sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_REQ_INSERT[] =
	"INSERT INTO requirements (subject, what, org_kinds, org_categories, frequency, per_period, grace_days,"
	" severity, valid_from, note, previous_id, created_at, updated_at)"
	" VALUES ('disclosure', ?, 'branch,general_branch', ?, ?, 1, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_REQ_CLOSE[] =
	"UPDATE requirements SET valid_to = ?, version = version + 1, updated_at = ? WHERE id = ? AND valid_to IS NULL";

/* POST /disclosure/catalog: a new item (and its rule when periodic, from `from`, default today). */
void disclosure_http_catalog_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	json_t *b, *after;
	int64_t id = 0, rid = 0, dup = 0;
	char now[24], today[11];
	const char *fr;
	int rc;

	zb_fail_init(&f);
	b = req_json(r, &f);
	if (!b) {
		resp_fail(r, &f);
		return;
	}
	json_check(b, cat_fields, 0, &f);
	cat_check(b, &f);
	if (!f.err && db_query_int(c->db, &dup, "SELECT COUNT(*) FROM disclosure_catalog WHERE code = ?",
				   "s", json_str(b, "code", "")) == DB_ROW && dup)
		zb_fail_field(&f, "code", "事项代码已存在");
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	ts_now(now);
	date_format(date_today_cn(), today);
	fr = json_str(b, "frequency", "");
	if (!app_begin_write(r)) {
		json_decref(b);
		return;
	}
	rc = db_query_int(c->db, &id, SQL_CAT_INSERT, "ssssissssiss", json_str(b, "code", ""),
			  json_str(b, "affair", ""), json_str(b, "name", ""), fr,
			  json_int(b, "within_days", 0), json_str(b, "required", "content"),
			  json_str(b, "transactions", "any"), json_str(b, "org_categories", "village,community"),
			  json_str(b, "basis", ""), json_int(b, "sort", 100), now, now);
	if (rc == DB_ROW && strcmp(fr, "event") != 0)
		rc = db_query_int(c->db, &rid, SQL_REQ_INSERT, "sssisssnss", json_str(b, "code", ""),
				  json_str(b, "org_categories", "village,community"), fr,
				  json_int(b, "due_days", 10), json_str(b, "severity", "medium"),
				  json_str(b, "from", today), json_str(b, "basis", ""), now, now);
	if (rc == DB_ROW) {
		after = cat_one(c->db, id);
		rc = app_audit(r, "disclosure_catalog", id, "create", NULL, after);
		json_decref(after);
	}
	json_decref(b);
	if (rc != DB_OK && rc != DB_ROW) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 201, cat_one(c->db, id));
}

static const char SQL_CAT_UPDATE[] =
	"UPDATE disclosure_catalog SET name = ?, within_days = ?, required = ?, transactions = ?,"
	" org_categories = ?, basis = ?, sort = ?, status = ?, version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ?";

/*
 * PUT /disclosure/catalog/:id {version, ...}: edit an item. A change of a
 * periodic item's frequency, due days or severity closes its rule on `from`
 * (default today) and opens a new one, so earlier periods keep their rule.
 */
void disclosure_http_catalog_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id"), changed = 0;
	json_t *cur = id ? cat_one(c->db, id) : NULL, *b, *rule, *after;
	struct zb_fail f;
	char now[24], today[11];
	const char *fr, *sev, *from, *code;
	int64_t due;
	int rc;

	if (!cur) {
		resp_error(r, ZB_ENOTFOUND, "公开事项不存在");
		return;
	}
	zb_fail_init(&f);
	b = req_json(r, &f);
	if (!b) {
		json_decref(cur);
		resp_fail(r, &f);
		return;
	}
	json_check(b, cat_fields, 1, &f);
	cat_check(b, &f);
	if (!json_has(b, "version"))
		zb_fail_field(&f, "version", "版本号不能为空");
	if (json_has(b, "code") && strcmp(json_str(b, "code", ""), json_str(cur, "code", "")) != 0)
		zb_fail_field(&f, "code", "事项代码不能修改");
	if (json_has(b, "affair") && strcmp(json_str(b, "affair", ""), json_str(cur, "affair", "")) != 0)
		zb_fail_field(&f, "affair", "公开类别不能修改，请新建事项");
	fr = json_str(b, "frequency", json_str(cur, "frequency", ""));
	if ((strcmp(fr, "event") == 0) != (strcmp(json_str(cur, "frequency", ""), "event") == 0))
		zb_fail_field(&f, "frequency", "定期事项与随时公开事项不能互换，请新建事项");
	if (f.err) {
		json_decref(b);
		json_decref(cur);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	ts_now(now);
	date_format(date_today_cn(), today);
	if (!app_begin_write(r)) {
		json_decref(b);
		json_decref(cur);
		return;
	}
	rc = db_run_changes(c->db, &changed, SQL_CAT_UPDATE, "sissssissii",
			    json_str(b, "name", json_str(cur, "name", "")),
			    json_int(b, "within_days", json_int(cur, "within_days", 0)),
			    json_str(b, "required", json_str(cur, "required", "content")),
			    json_str(b, "transactions", json_str(cur, "transactions", "any")),
			    json_str(b, "org_categories", json_str(cur, "org_categories", "")),
			    json_str(b, "basis", json_str(cur, "basis", "")),
			    json_int(b, "sort", json_int(cur, "sort", 0)),
			    json_str(b, "status", json_str(cur, "status", "active")), now, id,
			    json_int(b, "version", 0));
	if (rc == DB_OK && changed == 0) {
		json_decref(b);
		db_rollback(c->db);
		app_conflict(r, "公开事项已被他人修改，请刷新后重试", cur);
		return;
	}
	rule = json_object_get(cur, "rule");
	code = json_str(cur, "code", "");
	sev = json_str(b, "severity", json_str(rule, "severity", "medium"));
	due = json_int(b, "due_days", json_int(rule, "due_days", 10));
	from = json_str(b, "from", today);
	if (rc == DB_OK && json_is_object(rule) &&
	    (strcmp(fr, json_str(rule, "frequency", "")) || strcmp(sev, json_str(rule, "severity", "")) ||
	     due != json_int(rule, "due_days", 0))) {
		int64_t rid = 0;
		rc = db_run(c->db, SQL_REQ_CLOSE, "ssi", from, now, json_int(rule, "id", 0));
		if (rc == DB_OK)
			rc = db_query_int(c->db, &rid, SQL_REQ_INSERT, "sssisssiss", code,
					  json_str(b, "org_categories", json_str(cur, "org_categories", "")),
					  fr, due, sev, from, "", json_int(rule, "id", 0), now, now);
		if (rc == DB_ROW)
			rc = DB_OK;
	}
	json_decref(b);
	if (rc == DB_OK) {
		after = cat_one(c->db, id);
		rc = app_audit(r, "disclosure_catalog", id, "update", cur, after);
		json_decref(after);
	}
	json_decref(cur);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, cat_one(c->db, id));
}

/* ---------------------------------------------------------------- org settings */

static const char SQL_SETTINGS[] =
	"SELECT o.id, o.name, o.category, COALESCE(s.many_transactions, 0), COALESCE(s.version, 0)"
	" FROM orgs o LEFT JOIN disclosure_org_settings s ON s.org_id = o.id"
	" WHERE o.status = 'active' AND o.kind IN ('branch', 'general_branch')"
	" AND o.category IN ('village', 'community') AND %s ORDER BY o.path";

/* GET /disclosure/org-settings: the village and community branches in scope, and whether finances are monthly. */
void disclosure_http_settings_get(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct db_stmt *st;
	json_t *items = json_array();
	int rc;

	scope_for(c, "disclosure.read", &s);
	st = db_prepare(c->db, arena_printf(&r->arena, SQL_SETTINGS, scope_sql(&r->arena, &s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st)
		scope_bind(st, 1, &s);
	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s?, s:b, s:I}",
			"org_id", (json_int_t)db_col_int(st, 0), "org_name", db_col_text(st, 1),
			"category", db_col_text(st, 2), "many_transactions", (int)db_col_int(st, 3),
			"version", (json_int_t)db_col_int(st, 4)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* PUT /disclosure/org-settings/:id {many_transactions}: monthly (true) or quarterly finance disclosure. */
void disclosure_http_settings_put(struct req *r)
{
	static const struct json_field fields[] = {
		{ "many_transactions", JF_BOOL, 1, 0, 0, 0, "收支业务较多" },
		{ "version", JF_INT, 0, 1, 0, INT64_MAX, "版本号" },
		{ 0 }
	};
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id"), n = 0;
	struct zb_fail f;
	struct scope s;
	struct org o;
	json_t *b, *after;
	char now[24];
	int many, rc;

	scope_for(c, "disclosure.catalog", &s);
	if (!id || org_load(c->db, id, &o) != 1 || !scope_contains(&s, o.path)) {
		resp_error(r, ZB_ENOTFOUND, "组织不存在");
		return;
	}
	zb_fail_init(&f);
	b = req_json(r, &f);
	if (!b || json_check(b, fields, 0, &f) != 0) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	many = json_is_true(json_object_get(b, "many_transactions"));
	json_decref(b);
	ts_now(now);
	if (!app_begin_write(r))
		return;
	rc = db_query_int(c->db, &n, "SELECT COUNT(*) FROM disclosure_org_settings WHERE org_id = ?", "i", id);
	if (rc == DB_ROW)
		rc = db_run(c->db, n ? "UPDATE disclosure_org_settings SET many_transactions = ?, version = version + 1,"
				       " updated_at = ? WHERE org_id = ?" :
				       "INSERT INTO disclosure_org_settings (many_transactions, updated_at, org_id) VALUES (?, ?, ?)",
			    "isi", (int64_t)many, now, id);
	after = json_pack("{s:b}", "many_transactions", many);
	if (rc == DB_OK)
		rc = app_audit(r, "disclosure_org_settings", id, "update", NULL, after);
	if (rc != DB_OK) {
		json_decref(after);
		app_db_fail(r, rc, 1);
		return;
	}
	json_object_set_new(after, "org_id", json_integer(id));
	app_commit_answer(r, 200, after);
}
