/* training_http.c - /api/v1/trainings and /api/v1/training-sessions: classes, sessions, attendance. */
#include <string.h>
#include "training.h"
#include "training_internal.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/json.h"

/*
 * Permissions: training.read (staff, secretary, discipline) reads the classes
 * visible from the caller's subtrees; training.write (township staff only)
 * creates and edits classes and sessions and records attendance, on classes
 * organised inside its subtree. Secretaries read their branch's attendance.
 */

#define MAX_ATTENDANCE 5000

static const struct json_field class_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "主办组织" },
	{ "title", JF_STRING, 1, 0, 1, 200, "培训班名称" },
	{ "year", JF_INT, 1, 0, 2000, 2100, "年度" },
	{ "audience", JF_STRING, 0, 1, 0, 500, "培训对象" },
	{ "start_on", JF_DATE, 1, 0, 0, 0, "开始日期" },
	{ "end_on", JF_DATE, 1, 0, 0, 0, "结束日期" },
	{ 0 }
};

static const struct json_field class_update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "title", JF_STRING, 1, 0, 1, 200, "培训班名称" },
	{ "year", JF_INT, 1, 0, 2000, 2100, "年度" },
	{ "audience", JF_STRING, 0, 1, 0, 500, "培训对象" },
	{ "start_on", JF_DATE, 1, 0, 0, 0, "开始日期" },
	{ "end_on", JF_DATE, 1, 0, 0, 0, "结束日期" },
	{ 0 }
};

static const struct json_field session_fields[] = {
	{ "version", JF_INT, 0, 0, 1, INT64_MAX, "版本号" },
	{ "held_on", JF_DATE, 1, 0, 0, 0, "日期" },
	{ "topic", JF_STRING, 1, 0, 1, 200, "主题" },
	{ "lecturer", JF_STRING, 0, 1, 0, 100, "授课人" },
	{ "place", JF_STRING, 0, 1, 0, 200, "地点" },
	{ "makeup_of", JF_INT, 0, 1, 1, INT64_MAX, "被补课的场次" },
	{ 0 }
};

static const struct json_field attendance_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "person_ids", JF_ARRAY, 1, 0, 0, MAX_ATTENDANCE, "出席人员" },
	{ 0 }
};

/* ---------------------------------------------------------------- shared steps */

/* 1 when the class organised at org_path is visible to the caller (inside or above a subtree). */
static int class_visible(const struct ctx *c, const char *org_path)
{
	struct scope s;

	scope_for(c, "training.read", &s);
	for (int i = 0; i < s.n; i++)
		if (strncmp(org_path, s.paths[i], strlen(s.paths[i])) == 0 ||
		    strncmp(s.paths[i], org_path, strlen(org_path)) == 0)
			return 1;
	return 0;
}

/*
 * The class :id (or class_id) visible to the caller (else 404); with
 * `write`, training.write on its organiser too (403). 1 when it may go on.
 */
static int class_for(struct req *r, int64_t id, int write, struct tclass_ref *out)
{
	struct ctx *c = req_ctx(r);
	int rc = id > 0 ? tclass_load(c->db, id, out) : 0;

	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	if (rc == 0 || !class_visible(c, out->org_path)) {
		resp_error(r, ZB_ENOTFOUND, "培训班不存在");
		return 0;
	}
	if (write && !perm_has(c, "training.write", out->org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该培训班");
		return 0;
	}
	return 1;
}

/* The same for the class of session :id. */
static int session_for(struct req *r, int write, int64_t *sid, struct tclass_ref *out)
{
	struct ctx *c = req_ctx(r);
	int64_t class_id = 0;
	int rc;

	*sid = req_param_id(r, "id");
	rc = *sid ? tsession_class(c->db, *sid, &class_id) : 0;
	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	if (rc == 0) {
		resp_error(r, ZB_ENOTFOUND, "场次不存在");
		return 0;
	}
	return class_for(r, class_id, write, out);
}

static void class_in_from(struct req *r, const json_t *body, struct training_class_in *in)
{
	in->org_id = json_int(body, "org_id", 0);
	in->title = json_str_trim(&r->arena, body, "title", NULL);
	in->year = json_int(body, "year", 0);
	in->audience = json_str_trim(&r->arena, body, "audience", NULL);
	in->start_on = json_str_trim(&r->arena, body, "start_on", NULL);
	in->end_on = json_str_trim(&r->arena, body, "end_on", NULL);
}

static void session_in_from(struct req *r, const json_t *body, struct training_session_in *in)
{
	in->held_on = json_str_trim(&r->arena, body, "held_on", NULL);
	in->topic = json_str_trim(&r->arena, body, "topic", NULL);
	in->lecturer = json_str_trim(&r->arena, body, "lecturer", NULL);
	in->place = json_str_trim(&r->arena, body, "place", NULL);
	in->makeup_of = json_int(body, "makeup_of", 0);
}

/* ---------------------------------------------------------------- classes */

/*
 * GET /trainings?year=&org=&page=&page_size=: the classes visible to the
 * caller (organised inside or above its subtrees; with org, inside or above
 * that org), newest first.
 */
void training_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct db_params b = { 0 };
	struct buf sql;
	struct db_stmt *st;
	struct org *o = NULL;
	int64_t year, org_id, page, size, total = 0;
	json_t *items;
	int rc;

	zb_fail_init(&f);
	year = req_query_int(r, "year", 0, 2000, 2100, &f);
	org_id = req_query_int(r, "org", 0, 1, INT64_MAX, &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	size = req_query_int(r, "page_size", 20, 1, 200, &f);
	scope_for(c, "training.read", &s);
	if (!f.err && org_id) {
		o = arena_alloc(&r->arena, sizeof(*o));
		if (org_load(c->db, org_id, o) != 1 || !scope_contains(&s, o->path))
			zb_fail_set(&f, ZB_ENOTFOUND, "组织不存在");
	}
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	buf_init(&sql, 0);
	buf_puts(&sql, " FROM training_classes c JOIN orgs o ON o.id = c.org_id WHERE ");
	if (o)
		tb_visible(&r->arena, &sql, &b, "o.path", o->path);
	else
		tb_visible_scope(&r->arena, &sql, &b, "o.path", &s);
	if (year)
		buf_printf(&sql, " AND c.year = %lld", (long long)year);
	if (sql.err) {
		buf_release(&sql);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT COUNT(*)%s", sql.data));
	if (st) {
		db_params_bind(st, &b);
		if (db_step(st) == DB_ROW)
			total = db_col_int(st, 0);
		db_finalize(st);
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT c.id%s ORDER BY c.start_on DESC,"
					    " c.id DESC LIMIT %lld OFFSET %lld", sql.data,
					    (long long)size, (long long)((page - 1) * size)));
	buf_release(&sql);
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_params_bind(st, &b);
	items = json_array();
	{
		int64_t ids[200];
		int n = 0;
		while ((rc = db_step(st)) == DB_ROW && n < 200)
			ids[n++] = db_col_int(st, 0);
		db_finalize(st);
		if (rc != DB_DONE && rc != DB_ROW) {
			json_decref(items);
			app_db_fail(r, rc, 0);
			return;
		}
		for (int i = 0; i < n; i++) {
			json_t *j = tclass_json(c->db, ids[i], 0);
			if (j)
				json_array_append_new(items, j);
		}
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
				    (json_int_t)total, "page", (json_int_t)page, "page_size",
				    (json_int_t)size));
}

/* GET /trainings/:id: the class with its sessions. */
void training_http_get(struct req *r)
{
	struct tclass_ref t;
	json_t *j;

	if (!class_for(r, req_param_id(r, "id"), 0, &t))
		return;
	j = tclass_json(req_ctx(r)->db, t.id, 1);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, j);
}

/* POST /trainings: a class organised by an org inside the caller's training.write scope. */
void training_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct training_class_in in;
	struct audit_who who;
	struct zb_fail f;
	struct scope s;
	struct org o;
	json_t *body;
	int64_t id;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, class_fields, 0, &f);
	class_in_from(r, body, &in);
	json_decref(body);
	scope_for(c, "training.read", &s);
	if (in.org_id > 0) {
		int rc = org_load(c->db, in.org_id, &o);
		if (rc < 0) {
			zb_fail_release(&f);
			app_db_fail(r, rc, 0);
			return;
		}
		if (rc == 0 || !scope_contains(&s, o.path))
			zb_fail_field(&f, "org_id", "组织不存在");
		else if (!perm_has(c, "training.write", o.path))
			zb_fail_field(&f, "org_id", "您无权为该组织举办培训班");
	}
	/* on bad fields the writer adds its own checks, then writes nothing */
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	id = training_class_insert(c->db, &r->app->keys, &who, &in, &f);
	if (id <= 0 || f.err) {
		db_rollback(c->db);
		if (id < 0 && !f.err) {
			zb_fail_release(&f);
			app_db_fail(r, (int)id, 0);
			return;
		}
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	app_commit_answer(r, 201, tclass_json(c->db, id, 1));
}

/* PUT /trainings/:id: title, year, audience and dates with the version read (the organiser stays). */
void training_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct training_class_in in;
	struct tclass_ref t;
	struct audit_who who;
	struct zb_fail f;
	json_t *body;
	int64_t version;
	int rc;

	if (!class_for(r, req_param_id(r, "id"), 1, &t))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, class_update_fields, 0, &f);
	class_in_from(r, body, &in);
	in.org_id = t.org_id;
	version = json_int(body, "version", 0);
	json_decref(body);
	/* on bad fields the writer adds its own checks, then writes nothing */
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = tclass_update(c->db, &r->app->keys, &who, t.id, version, &in, &f);
	if (rc == TW_INVALID) {
		db_rollback(c->db);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (rc == TW_STALE) {
		db_rollback(c->db);
		app_conflict(r, "该培训班已被他人修改，请刷新后重试", tclass_json(c->db, t.id, 1));
		return;
	}
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, tclass_json(c->db, t.id, 1));
}

/* ---------------------------------------------------------------- sessions */

/* POST /trainings/:id/sessions: a session (a make-up one names makeup_of). */
void training_http_session_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct training_session_in in;
	struct tclass_ref t;
	struct audit_who who;
	struct zb_fail f;
	json_t *body;
	int64_t id;

	if (!class_for(r, req_param_id(r, "id"), 1, &t))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, session_fields, 0, &f);
	if (json_object_get(body, "version"))
		zb_fail_field(&f, "version", "新建场次不需要版本号");
	session_in_from(r, body, &in);
	json_decref(body);
	/* on bad fields the writer adds its own checks, then writes nothing */
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	id = training_session_insert(c->db, &r->app->keys, &who, t.id, &in, &f);
	if (id <= 0 || f.err) {
		db_rollback(c->db);
		if (id < 0 && !f.err) {
			zb_fail_release(&f);
			app_db_fail(r, (int)id, 0);
			return;
		}
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	app_commit_answer(r, 201, tsession_json(c->db, id));
}

/* PUT /training-sessions/:id: the session's fields with the version read. */
void training_http_session_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct training_session_in in;
	struct tclass_ref t;
	struct audit_who who;
	struct zb_fail f;
	json_t *body;
	int64_t sid, version;
	int rc;

	if (!session_for(r, 1, &sid, &t))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, session_fields, 0, &f);
	if (!json_object_get(body, "version") && !(f.fields && json_object_get(f.fields, "version")))
		zb_fail_field(&f, "version", "版本号不能为空");
	session_in_from(r, body, &in);
	version = json_int(body, "version", 0);
	json_decref(body);
	/* on bad fields the writer adds its own checks, then writes nothing */
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = tsession_update(c->db, &r->app->keys, &who, sid, version, &in, &f);
	app_finish_write(r, rc, &f, 200, "该场次已被他人修改，请刷新后重试", tsession_json, sid);
}

/* ---------------------------------------------------------------- attendance */

/* The people present at session `sid` inside the caller's training.read scope, by org then name. */
static json_t *attendance_list(struct req *r, int64_t sid)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct db_stmt *st;
	json_t *items;
	int rc;

	scope_for(c, "training.read", &s);
	st = db_prepare(c->db, arena_printf(&r->arena,
		"SELECT v.person_id, v.name, v.org_id, v.org_name, v.political_status"
		" FROM training_attendance a JOIN %s v ON v.person_id = a.person_id"
		" WHERE a.session_id = ? AND %s ORDER BY v.org_path, v.name, v.person_id",
		people_view_sql(), scope_sql(&r->arena, &s, "v.org_path")));
	if (!st)
		return NULL;
	db_bind_int(st, 1, sid);
	scope_bind(st, 2, &s);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:I, s:s, s:s}",
			"person_id", (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1),
			"org_id", (json_int_t)db_col_int(st, 2), "org_name", db_col_text(st, 3),
			"political_status", db_col_text(st, 4)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		return NULL;
	}
	return items;
}

static json_t *attendance_json(struct req *r, int64_t sid)
{
	json_t *items = attendance_list(r, sid), *session = tsession_json(req_ctx(r)->db, sid);

	if (!items || !session) {
		json_decref(items);
		json_decref(session);
		return NULL;
	}
	return json_pack("{s:o, s:I, s:o}", "items", items, "total",
			 (json_int_t)json_array_size(items), "session", session);
}

/* GET /training-sessions/:id/attendance: who was present, within the caller's scope. */
void training_http_attendance_get(struct req *r)
{
	struct tclass_ref t;
	int64_t sid;
	json_t *j;

	if (!session_for(r, 0, &sid, &t))
		return;
	j = attendance_json(r, sid);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, j);
}

/*
 * PUT /training-sessions/:id/attendance {version, person_ids}: the people
 * present among those the caller may write (people of other subtrees keep
 * their rows). Every id must be an active person inside the caller's
 * training.write scope, once; any bad one refuses the whole list.
 */
void training_http_attendance_put(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct tclass_ref t;
	struct audit_who who;
	struct zb_fail f;
	struct scope ws;
	json_t *body, *list;
	int64_t sid, version, *ids = NULL;
	size_t n = 0;
	int rc;

	if (!session_for(r, 1, &sid, &t))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, attendance_fields, 0, &f);
	version = json_int(body, "version", 0);
	list = json_object_get(body, "person_ids");
	scope_for(c, "training.write", &ws);
	if (json_is_array(list) && json_array_size(list) <= MAX_ATTENDANCE) {
		n = json_array_size(list);
		ids = arena_alloc(&r->arena, (n ? n : 1) * sizeof(*ids));
		for (size_t i = 0; i < n; i++) {
			json_t *v = json_array_get(list, i);
			struct person_where p;
			int found;

			if (!json_is_integer(v) || json_integer_value(v) <= 0) {
				zb_fail_field(&f, arena_printf(&r->arena, "person_ids[%zu]", i),
					      "第%zu项应为人员编号（正整数）", i + 1);
				continue;
			}
			ids[i] = json_integer_value(v);
			for (size_t j = 0; j < i; j++)
				if (ids[j] == ids[i]) {
					zb_fail_field(&f, arena_printf(&r->arena, "person_ids[%zu]", i),
						      "第%zu项与第%zu项重复", i + 1, j + 1);
					break;
				}
			found = person_where_load(c->db, ids[i], &p);
			if (found < 0) {
				json_decref(body);
				zb_fail_release(&f);
				app_db_fail(r, found, 0);
				return;
			}
			if (found == 0 || !scope_contains(&ws, p.org_path))
				zb_fail_field(&f, arena_printf(&r->arena, "person_ids[%zu]", i),
					      "第%zu项：人员不存在或不在您的管理范围内", i + 1);
			else if (strcmp(p.status, "active") != 0)
				zb_fail_field(&f, arena_printf(&r->arena, "person_ids[%zu]", i),
					      "第%zu项：该人员已归档", i + 1);
		}
	}
	json_decref(body);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	zb_fail_release(&f);
	app_who(r, &who);
	rc = tattendance_set(c->db, &r->app->keys, &who, sid, version, &ws, ids, n);
	if (rc == TW_STALE) {
		db_rollback(c->db);
		app_conflict(r, "该场次已被他人修改，请刷新后重试", tsession_json(c->db, sid));
		return;
	}
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, attendance_json(r, sid));
}
