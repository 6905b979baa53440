/* meetings_http.c - /api/v1/meetings: list with filters, one meeting, record, update while open, close (lock), correct as a new version. */
#include <stdlib.h>
#include <string.h>
#include "meetings.h"
#include "meetings_internal.h"
#include "../files/files.h"
#include "../orgs/orgs.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

#define MEETING_BODY_FIELDS \
	{ "held_on", JF_DATE, 1, 0, 0, 0, "会议日期" }, \
	{ "types", JF_ARRAY, 1, 0, 0, 0, "会议类型" }, \
	{ "place", JF_STRING, 0, 1, 0, 100, "会议地点" }, \
	{ "host_id", JF_INT, 0, 1, 1, INT64_MAX, "主持人" }, \
	{ "topic", JF_STRING, 1, 0, 1, 200, "会议主题" }, \
	{ "agenda", JF_STRING, 0, 1, 0, 5000, "议程" }, \
	{ "minutes", JF_STRING, 0, 1, 0, 20000, "会议记录" }, \
	{ "vote", JF_BOOL, 0, 1, 0, 0, "是否表决" }, \
	{ "attendance", JF_ARRAY, 0, 1, 0, 0, "出席情况" }, \
	{ "files", JF_ARRAY, 0, 1, 0, 0, "附件" }

static const struct json_field create_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "组织" },
	MEETING_BODY_FIELDS,
	{ 0 }
};
static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	MEETING_BODY_FIELDS,
	{ 0 }
};
static const struct json_field correct_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "reason", JF_STRING, 1, 0, 1, 500, "更正原因" },
	MEETING_BODY_FIELDS,
	{ 0 }
};
static const struct json_field close_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ 0 }
};

#define MAX_TYPES 16
#define MAX_ATT 500

/* The `files` of a body: ids of uploaded files to link to the meeting. */
struct body_files {
	int64_t *ids;
	size_t n;
	int present;	/* the body had `files`: it is the whole list (a file left out is unlinked) */
};

/* The body's `files` into bf (arena); a malformed list into f. */
static void read_files(struct req *r, const json_t *body, struct body_files *bf, struct zb_fail *f)
{
	const json_t *arr = json_object_get(body, "files");
	long n;

	memset(bf, 0, sizeof(*bf));
	if (!json_is_array(arr))
		return;
	bf->present = 1;
	n = files_ids_from_json(arr, &r->arena, &bf->ids, "files", f);
	bf->n = n > 0 ? (size_t)n : 0;
}

/*
 * When the body had `files`, make them the meeting's whole list of files (a
 * correction starts from its predecessor's, copied before this), inside the
 * open transaction. 1 to go on; 0 when refused or failed (rolled back, answered).
 */
static int attach_files(struct req *r, const struct audit_who *who, int64_t id,
			const char *org_path, const struct body_files *bf, struct zb_fail *f)
{
	struct db *db = req_ctx(r)->db;
	long rc;

	if (!bf->present)
		return 1;
	rc = files_set(db, &r->app->keys, who, "meeting", id, org_path, bf->ids, bf->n, "files", f);
	if (f->err) {
		db_rollback(db);
		resp_fail(r, f);
		return 0;
	}
	if (rc < 0) {
		app_db_fail(r, (int)rc, 1);
		return 0;
	}
	return 1;
}

/* The body's meeting fields into in (arena copies); malformed types / attendance into f. */
static void read_in(struct req *r, const json_t *body, struct meeting_in *in, struct zb_fail *f)
{
	const json_t *types = json_object_get(body, "types");
	const json_t *att = json_object_get(body, "attendance");
	const char **tv;
	struct meeting_att *av;

	memset(in, 0, sizeof(*in));
	in->org_id = json_int(body, "org_id", 0);
	in->held_on = json_str_trim(&r->arena, body, "held_on", NULL);
	in->place = json_str_trim(&r->arena, body, "place", NULL);
	in->host_id = json_int(body, "host_id", 0);
	in->topic = json_str_trim(&r->arena, body, "topic", NULL);
	in->agenda = json_str_trim(&r->arena, body, "agenda", NULL);
	in->minutes = json_str_trim(&r->arena, body, "minutes", NULL);
	in->vote = json_is_true(json_object_get(body, "vote"));
	if (json_is_array(types)) {
		size_t n = json_array_size(types);
		if (n > MAX_TYPES) {
			zb_fail_field(f, "types", "会议类型不能超过%d种", MAX_TYPES);
			n = 0;
		}
		tv = arena_alloc(&r->arena, (n + 1) * sizeof(*tv));
		for (size_t i = 0; i < n; i++) {
			const char *s = json_string_value(json_array_get(types, i));
			if (!s || strlen(s) > 40) {
				zb_fail_field(f, "types", "会议类型应为字典中的代码");
				break;
			}
			tv[in->ntypes++] = arena_strdup(&r->arena, s);
		}
		in->types = tv;
	}
	if (json_is_array(att)) {
		size_t n = json_array_size(att);
		if (n > MAX_ATT) {
			zb_fail_field(f, "attendance", "出席情况不能超过%d条", MAX_ATT);
			n = 0;
		}
		av = arena_alloc(&r->arena, (n + 1) * sizeof(*av));
		for (size_t i = 0; i < n; i++) {
			const json_t *e = json_array_get(att, i);
			const json_t *pid = json_object_get(e, "person_id");
			const json_t *reason = json_object_get(e, "reason");
			if (!json_is_object(e) || !json_is_integer(pid) ||
			    !json_is_string(json_object_get(e, "status")) ||
			    (reason && !json_is_null(reason) && !json_is_string(reason)) ||
			    (json_is_string(reason) && utf8_len(json_string_value(reason)) > 200)) {
				zb_fail_field(f, "attendance", "第%zu条：应为 {person_id, status, reason}，原因不超过200字", i + 1);
				break;
			}
			av[in->natt].person_id = json_integer_value(pid);
			av[in->natt].status = arena_strdup(&r->arena, json_string_value(json_object_get(e, "status")));
			av[in->natt].reason = json_str_trim(&r->arena, e, "reason", NULL);
			in->natt++;
		}
		in->att = av;
	}
}

/*
 * The meeting :id readable with meeting.read (else 404, like a missing one);
 * with `write` also meeting.write on its org (403). o gets its org, *out the
 * meeting's JSON (owned by the caller). Returns 1 when it may go on.
 */
static int load_meeting(struct req *r, int write, struct org *o, json_t **out)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, "id");
	json_t *j = id ? meeting_json(c->db, id) : NULL;

	*out = NULL;
	scope_for(c, "meeting.read", &s);
	if (!j || org_load(c->db, json_integer_value(json_object_get(j, "org_id")), o) != 1 ||
	    !scope_contains(&s, o->path)) {
		json_decref(j);
		resp_error(r, ZB_ENOTFOUND, "会议记录不存在");
		return 0;
	}
	if (write && !perm_has(c, "meeting.write", o->path)) {
		json_decref(j);
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该组织的会议记录");
		return 0;
	}
	*out = j;
	return 1;
}

/* Commit and answer the meeting id (status), or the database error. */
static void commit_answer(struct req *r, int status, int64_t id)
{
	struct db *db = req_ctx(r)->db;
	json_t *j = meeting_json(db, id);
	int rc = j ? db_commit(db) : DB_EGENERIC;

	if (rc != DB_OK) {
		json_decref(j);
		app_db_fail(r, rc, 1);
		return;
	}
	json_object_set_new(j, "can_write", json_boolean(1));
	resp_json(r, status, j);
}

/* ---------------------------------------------------------------- list */

static const char SQL_LIST_WHERE[] =
	" FROM meetings m JOIN orgs o ON o.id = m.org_id WHERE %s"
	" AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT))"
	" AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM meeting_types t"
	" WHERE t.meeting_id = m.id AND t.type = CAST(? AS TEXT)))"
	" AND (CAST(? AS TEXT) IS NULL OR m.held_on >= CAST(? AS TEXT))"
	" AND (CAST(? AS TEXT) IS NULL OR m.held_on <= CAST(? AS TEXT))"
	" AND (CAST(? AS INTEGER) = 1 OR m.superseded_by IS NULL)";

/*
 * The `org` query parameter as a path inside the caller's scope for
 * `action`; NULL when absent. Outside the scope (or missing): 404 in f.
 */
const char *meetings_org_param(struct req *r, const struct scope *s, struct zb_fail *f)
{
	return org_scope_param(r, "org", s, f);
}

/* Bind the list filters from idx; returns the next index. */
static int bind_filters(struct db_stmt *st, int idx, const struct scope *s, const char *like,
			const char *type, const char *from, const char *to, int all)
{
	idx = scope_bind(st, idx, s);
	db_bind_text(st, idx++, like);
	db_bind_text(st, idx++, like);
	db_bind_text(st, idx++, type);
	db_bind_text(st, idx++, type);
	db_bind_text(st, idx++, from);
	db_bind_text(st, idx++, from);
	db_bind_text(st, idx++, to);
	db_bind_text(st, idx++, to);
	db_bind_int(st, idx++, all);
	return idx;
}

/*
 * GET /meetings?org=&type=&from=&to=&all=1&page=&page_size=: the meetings in
 * the caller's scope, newest first; superseded versions only with all=1.
 */
void meetings_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	const char *path, *type, *from, *to, *like = NULL, *where;
	int64_t page, page_size, total = 0;
	int all = req_query(r, "all") && strcmp(req_query(r, "all"), "1") == 0;
	struct db_stmt *st;
	json_t *items;
	int rc;

	zb_fail_init(&f);
	scope_for(c, "meeting.read", &s);
	path = meetings_org_param(r, &s, &f);
	type = req_query(r, "type");
	if (type && !*type)
		type = NULL;
	from = req_query_date(r, "from", "起始日期", &f);
	to = req_query_date(r, "to", "截止日期", &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 100, &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (path)
		like = arena_printf(&r->arena, "%s%%", path);
	where = arena_printf(&r->arena, SQL_LIST_WHERE, scope_sql(&r->arena, &s, "o.path"));

	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT COUNT(*)%s", where));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		bind_filters(st, 1, &s, like, type, from, to, all);
		rc = db_step(st);
		total = db_col_int(st, 0);
	}
	db_finalize(st);
	if (rc != DB_ROW) {
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT m.id%s ORDER BY m.held_on DESC, m.id DESC LIMIT ? OFFSET ?", where));
	items = json_array();
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		int idx = bind_filters(st, 1, &s, like, type, from, to, all);
		db_bind_int(st, idx++, page_size);
		db_bind_int(st, idx, (page - 1) * page_size);
	}
	{
		int64_t ids[100];
		int n = 0;
		while (st && n < 100 && (rc = db_step(st)) == DB_ROW)
			ids[n++] = db_col_int(st, 0);
		if (n == 100)
			rc = DB_DONE;
		db_finalize(st);
		for (int i = 0; rc == DB_DONE && i < n; i++) {
			json_t *j = meeting_json(c->db, ids[i]);
			if (j)
				json_array_append_new(items, j);
		}
	}
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
				    "page", (json_int_t)page, "page_size", (json_int_t)page_size));
}

/* GET /meetings/:id: the meeting with its types, attendance, quorum and can_write. */
void meetings_http_get(struct req *r)
{
	struct org o;
	json_t *j;

	if (!load_meeting(r, 0, &o, &j))
		return;
	json_object_set_new(j, "can_write", json_boolean(perm_has(req_ctx(r), "meeting.write", o.path)));
	resp_json(r, 200, j);
}

/* ---------------------------------------------------------------- writes */

/* POST /meetings: record a meeting (open) with its types and attendance. */
void meetings_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct meeting_in in;
	struct body_files bf;
	struct zb_fail f;
	struct scope s;
	struct org o;
	json_t *body;
	int64_t id;
	int rc;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, create_fields, 0, &f);
	read_in(r, body, &in, &f);
	read_files(r, body, &bf, &f);
	json_decref(body);
	scope_for(c, "meeting.read", &s);
	if (in.org_id > 0 && (org_load(c->db, in.org_id, &o) != 1 || !scope_contains(&s, o.path)))
		zb_fail_field(&f, "org_id", "组织不存在");
	else if (in.org_id > 0 && !perm_has(c, "meeting.write", o.path))
		zb_fail_field(&f, "org_id", "您无权登记该组织的会议");
	if (f.fields && json_object_get(f.fields, "org_id")) {
		resp_fail(r, &f);
		return;
	}
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		zb_fail_release(&f);
		app_db_fail(r, rc, 0);
		return;
	}
	app_who(r, &who);
	/* meeting_insert adds its own checks to f and writes nothing when f holds any */
	id = meeting_insert(c->db, &r->app->keys, &who, &in, 0, 0, NULL, &f);
	if (id == 0 || f.err) {
		db_rollback(c->db);
		resp_fail(r, &f);
		return;
	}
	if (id < 0) {
		zb_fail_release(&f);
		app_db_fail(r, (int)id, 1);
		return;
	}
	if (!attach_files(r, &who, id, o.path, &bf, &f))
		return;
	zb_fail_release(&f);
	commit_answer(r, 201, id);
}

/* Parse a body for update / correct: 1 when it may go on (answered otherwise). */
static int read_body(struct req *r, const struct json_field *fields, const struct org *o,
		     struct meeting_in *in, struct body_files *bf, int64_t *version,
		     const char **reason, struct zb_fail *f)
{
	json_t *body = req_json(r, f);

	if (!body) {
		resp_fail(r, f);
		return 0;
	}
	json_check(body, fields, 0, f);
	read_in(r, body, in, f);
	read_files(r, body, bf, f);
	in->org_id = o->id;
	*version = json_int(body, "version", 0);
	if (reason)
		*reason = json_str_trim(&r->arena, body, "reason", NULL);
	json_decref(body);
	return 1;
}

/* PUT /meetings/:id: replace an open meeting's record with the version read; a closed one is locked (409). */
void meetings_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct meeting_in in;
	struct body_files bf;
	struct zb_fail f;
	struct org o;
	json_t *cur;
	int64_t id, version;
	int rc;

	if (!load_meeting(r, 1, &o, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	if (strcmp(json_string_value(json_object_get(cur, "status")), "open") != 0) {
		app_conflict(r, "会议记录已关闭并锁定，如需修改请提交更正", cur);
		return;
	}
	json_decref(cur);
	zb_fail_init(&f);
	if (!read_body(r, update_fields, &o, &in, &bf, &version, NULL, &f))
		return;
	if (f.err) {
		/* run the meeting's own checks too, so one answer names every bad field */
		meeting_check(c->db, &in, &f);
		resp_fail(r, &f);
		return;
	}
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		zb_fail_release(&f);
		app_db_fail(r, rc, 0);
		return;
	}
	app_who(r, &who);
	rc = meeting_update(c->db, &r->app->keys, &who, id, version, &in, &f);
	if (rc == MW_INVALID) {
		db_rollback(c->db);
		resp_fail(r, &f);
		return;
	}
	if (rc == MW_STALE) {
		zb_fail_release(&f);
		db_rollback(c->db);
		app_conflict(r, "会议记录已被他人修改或已关闭，请刷新后重试", meeting_json(c->db, id));
		return;
	}
	if (rc != DB_OK) {
		zb_fail_release(&f);
		app_db_fail(r, rc, 1);
		return;
	}
	if (!attach_files(r, &who, id, o.path, &bf, &f))
		return;
	zb_fail_release(&f);
	commit_answer(r, 200, id);
}

/* POST /meetings/:id/close {version}: lock the record. */
void meetings_http_close(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	struct org o;
	json_t *cur, *body;
	int64_t id, version;
	int rc;

	if (!load_meeting(r, 1, &o, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	json_decref(cur);
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, close_fields, 0, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	version = json_int(body, "version", 0);
	json_decref(body);
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return;
	}
	app_who(r, &who);
	rc = meeting_close(c->db, &r->app->keys, &who, id, version);
	if (rc == MW_STALE) {
		db_rollback(c->db);
		app_conflict(r, "会议记录已被他人修改或已关闭，请刷新后重试", meeting_json(c->db, id));
		return;
	}
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	commit_answer(r, 200, id);
}

/*
 * POST /meetings/:id/correct {version, reason, ...the whole record}: a closed
 * meeting is corrected by a new version (closed, linked to it, with the
 * reason); the old record stays, marked superseded. Answers the new one (201).
 */
void meetings_http_correct(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct meeting_in in;
	struct body_files bf;
	struct zb_fail f;
	struct org o;
	json_t *cur;
	const char *reason = NULL;
	int64_t id, version, new_id;
	int rc;

	if (!load_meeting(r, 1, &o, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	if (strcmp(json_string_value(json_object_get(cur, "status")), "closed") != 0 ||
	    !json_is_null(json_object_get(cur, "superseded_by"))) {
		app_conflict(r, json_is_null(json_object_get(cur, "superseded_by")) ?
				"会议记录尚未关闭，可直接修改" : "该记录已有更正版本，请更正最新版本", cur);
		return;
	}
	json_decref(cur);
	zb_fail_init(&f);
	if (!read_body(r, correct_fields, &o, &in, &bf, &version, &reason, &f))
		return;
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		zb_fail_release(&f);
		app_db_fail(r, rc, 0);
		return;
	}
	app_who(r, &who);
	new_id = meeting_correct(c->db, &r->app->keys, &who, id, version, &in, reason, &f);
	if (new_id == 0 || f.err) {
		db_rollback(c->db);
		resp_fail(r, &f);
		return;
	}
	if (new_id == MW_STALE_ID) {
		zb_fail_release(&f);
		db_rollback(c->db);
		app_conflict(r, "会议记录已被他人修改，请刷新后重试", meeting_json(c->db, id));
		return;
	}
	if (new_id < 0) {
		zb_fail_release(&f);
		app_db_fail(r, (int)new_id, 1);
		return;
	}
	if (!attach_files(r, &who, new_id, o.path, &bf, &f))
		return;
	zb_fail_release(&f);
	commit_answer(r, 201, new_id);
}
