/* admin_http.c - the three administrators' API: accounts and grants, security policy, audit log; dictionaries. */
#include <inttypes.h>
#include <string.h>
#include "admin.h"
#include "../orgs/orgs.h"
#include "../../auth/password.h"
#include "../../auth/perm.h"
#include "../../auth/session.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_USER_SCOPE[] =
	"SELECT o.path, u.version FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?";
static const char SQL_UPDATE[] =
	"UPDATE users SET display_name = ?, org_id = ?, updated_at = ?, version = version + 1"
	" WHERE id = ? AND version = ?";
/* Takes the row's lock and checks the version read, changing nothing. */
static const char SQL_CHECK_VERSION[] =
	"UPDATE users SET version = version WHERE id = ? AND version = ?";
static const char SQL_BUMP[] =
	"UPDATE users SET updated_at = ?, version = version + 1 WHERE id = ?";
static const char SQL_GRANTS_CLEAR[] = "DELETE FROM role_grants WHERE user_id = ?";

/* ---------------------------------------------------------------- accounts */

/* Account id from :id if its org lies in the caller's user.admin scope; else answers 404. */
static int64_t load_user_scoped(struct req *r, int64_t *version)
{
	struct ctx *c = req_ctx(r);
	struct db_stmt *st;
	struct scope s;
	int64_t id = req_param_id(r, "id");
	int ok = 0;

	scope_for(c, "user.admin", &s);
	st = id ? db_prepare(c->db, SQL_USER_SCOPE) : NULL;
	if (st) {
		db_bind_int(st, 1, id);
		if (db_step(st) == DB_ROW) {
			ok = scope_contains(&s, db_col_text(st, 0));
			*version = db_col_int(st, 1);
		}
		db_finalize(st);
	}
	if (!ok) {
		resp_error(r, ZB_ENOTFOUND, "账户不存在");
		return 0;
	}
	return id;
}

/* Org id must exist, be active and lie in the caller's user.admin scope. */
static int org_in_admin_scope(struct req *r, int64_t org_id, struct org *o)
{
	struct scope s;

	scope_for(req_ctx(r), "user.admin", &s);
	return org_load(req_ctx(r)->db, org_id, o) == 1 && strcmp(o->status, "active") == 0 &&
	       scope_contains(&s, o->path);
}

static void user_conflict(struct req *r, int64_t id)
{
	struct zb_fail f;

	zb_fail_init(&f);
	zb_fail_set(&f, ZB_ECONFLICT, "该账户已被他人修改，请刷新后重试");
	f.current = user_json(req_ctx(r)->db, id);
	resp_fail(r, &f);
}

void users_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	const char *q = req_query(r, "q"), *status = req_query(r, "status");
	int64_t page, page_size, total = 0;
	int rc;

	zb_fail_init(&f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 200, &f);
	if (status && strcmp(status, "active") && strcmp(status, "locked") && strcmp(status, "disabled"))
		zb_fail_field(&f, "status", "status 应为 active、locked 或 disabled");
	if (q && utf8_len(q) > 50)
		zb_fail_field(&f, "q", "搜索词不能超过50个字");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	scope_for(c, "user.admin", &s);
	const char *where = arena_printf(&r->arena, "FROM users u JOIN orgs o ON o.id = u.org_id"
		" WHERE %s%s%s", scope_sql(&r->arena, &s, "o.path"),
		status ? " AND u.status = ?" : "",
		q && *q ? " AND (u.username LIKE ? ESCAPE '!' OR u.display_name LIKE ? ESCAPE '!')" : "");
	const char *like = q ? db_like_contains(&r->arena, q) : NULL;

	for (int pass = 0; pass < 2; pass++) {
		const char *sql = pass == 0 ? arena_printf(&r->arena, "SELECT COUNT(*) %s", where)
			: arena_printf(&r->arena, "SELECT u.id %s ORDER BY u.id LIMIT ? OFFSET ?", where);
		struct db_stmt *st = db_prepare(c->db, sql);
		if (!st) {
			app_db_fail(r, DB_EGENERIC, 0);
			return;
		}
		int idx = scope_bind(st, 1, &s);
		if (status)
			db_bind_text(st, idx++, status);
		if (q && *q) {
			db_bind_text(st, idx++, like);
			db_bind_text(st, idx++, like);
		}
		if (pass == 0) {
			if (db_step(st) == DB_ROW)
				total = db_col_int(st, 0);
			db_finalize(st);
			continue;
		}
		db_bind_int(st, idx++, page_size);
		db_bind_int(st, idx++, (page - 1) * page_size);
		int64_t ids[200];
		int n = 0;
		while ((rc = db_step(st)) == DB_ROW && n < 200)
			ids[n++] = db_col_int(st, 0);
		db_finalize(st);
		if (rc != DB_DONE && rc != DB_ROW) {
			app_db_fail(r, rc, 0);
			return;
		}
		json_t *items = json_array();
		for (int i = 0; i < n; i++) {
			json_t *u = user_json(c->db, ids[i]);
			if (u)
				json_array_append_new(items, u);
		}
		resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items,
					    "total", (json_int_t)total, "page", (json_int_t)page,
					    "page_size", (json_int_t)page_size));
	}
}

void users_http_get(struct req *r)
{
	int64_t version, id = load_user_scoped(r, &version);

	if (id)
		resp_json(r, 200, user_json(req_ctx(r)->db, id));
}

static const struct json_field create_fields[] = {
	{ "username", JF_STRING, 1, 0, 3, 32, "用户名" },
	{ "display_name", JF_STRING, 1, 0, 1, 50, "姓名" },
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "所属组织" },
	{ "roles", JF_ARRAY, 0, 0, 0, 0, "角色" },
	{ 0 }
};

static const struct json_field grant_fields[] = {
	{ "role", JF_STRING, 1, 0, 1, 20, "角色" },
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "授权组织" },
	{ 0 }
};

/*
 * Check a "roles" array: each {role, org_id} a known role on an org in the
 * caller's scope. Field errors are keyed "roles[i].role" / "roles[i].org_id".
 */
static void check_roles(struct req *r, const json_t *roles, struct zb_fail *f)
{
	size_t i;
	json_t *g;
	struct org o;

	const char *names[CTX_MAX_GRANTS];
	int n = 0;

	if (json_array_size(roles) > CTX_MAX_GRANTS) {
		zb_fail_field(f, "roles", "角色不能超过%d个", CTX_MAX_GRANTS);
		return;
	}
	json_array_foreach(roles, i, g)
		if (role_valid(json_str(g, "role", NULL)))
			names[n++] = json_str(g, "role", NULL);
	const char *why = roles_compatible(names, n);
	if (why)
		zb_fail_field(f, "roles", "%s", why);
	json_array_foreach(roles, i, g) {
		struct zb_fail gf;
		zb_fail_init(&gf);
		if (!json_is_object(g) || json_check(g, grant_fields, 0, &gf) != 0) {
			zb_fail_field(f, arena_printf(&r->arena, "roles[%zu]", i),
				      "每个角色应为 {role, org_id}");
			zb_fail_release(&gf);
			continue;
		}
		zb_fail_release(&gf);
		if (!role_valid(json_str(g, "role", "")))
			zb_fail_field(f, arena_printf(&r->arena, "roles[%zu].role", i),
				      "未知角色“%s”", json_str(g, "role", ""));
		if (!org_in_admin_scope(r, json_int(g, "org_id", 0), &o))
			zb_fail_field(f, arena_printf(&r->arena, "roles[%zu].org_id", i),
				      "授权组织不存在或不在您的管理范围内");
	}
}

static int apply_roles(struct req *r, int64_t user_id, const json_t *roles)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	size_t i;
	json_t *g;
	int rc = DB_OK;

	app_who(r, &who);
	json_array_foreach(roles, i, g) {
		rc = user_grant(c->db, &r->app->keys, &who, user_id, json_str(g, "role", ""),
				json_int(g, "org_id", 0));
		if (rc != DB_OK)
			break;
	}
	return rc;
}

void users_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct org o;
	struct audit_who who;
	json_t *body;
	char otp[24];
	const char *why;
	int64_t id;
	int rc;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body)
		goto bad;
	/* Go on after a failed check, so that one answer names every bad field. */
	json_check(body, create_fields, 0, &f);
	why = username_check(json_str(body, "username", ""));
	if (why)
		zb_fail_field(&f, "username", "%s", why);
	if (!org_in_admin_scope(r, json_int(body, "org_id", 0), &o))
		zb_fail_field(&f, "org_id", "所属组织不存在或不在您的管理范围内");
	check_roles(r, json_object_get(body, "roles"), &f);
	if (f.err)
		goto bad;
	password_generate(otp, sizeof(otp));
	app_who(r, &who);
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		json_decref(body);
		app_db_fail(r, rc, 0);
		return;
	}
	id = user_create(c->db, &r->app->keys, &who, json_str(body, "username", ""),
			 json_str(body, "display_name", ""), o.id, otp, 1, &f);
	if (id == 0) {
		db_rollback(c->db);
		goto bad;
	}
	rc = id < 0 ? (int)id : apply_roles(r, id, json_object_get(body, "roles"));
	if (rc == DB_OK)
		rc = db_commit(c->db);
	json_decref(body);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	resp_json(r, 201, json_pack("{s:o, s:s}", "user", user_json(c->db, id),
				    "one_time_password", otp));
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "display_name", JF_STRING, 1, 0, 1, 50, "姓名" },
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "所属组织" },
	{ 0 }
};

void users_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct org o;
	json_t *body, *before;
	int64_t version, id = load_user_scoped(r, &version);
	char now[24];
	int rc;

	if (!id)
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, update_fields, 0, &f) != 0)
		goto bad;
	if (!org_in_admin_scope(r, json_int(body, "org_id", 0), &o)) {
		zb_fail_field(&f, "org_id", "所属组织不存在或不在您的管理范围内");
		goto bad;
	}
	before = user_json(c->db, id);
	ts_now(now);
	int64_t changed = 0;
	rc = db_begin(c->db);
	if (rc == DB_OK)
		rc = db_run_changes(c->db, &changed, SQL_UPDATE, "sisii",
				    json_str(body, "display_name", ""), o.id, now, id,
				    json_int(body, "version", 0));
	json_decref(body);
	if (rc != DB_OK) {
		json_decref(before);
		app_db_fail(r, rc, 1);
		return;
	}
	if (changed == 0) {
		db_rollback(c->db);
		json_decref(before);
		user_conflict(r, id);
		return;
	}
	json_t *after = user_json(c->db, id);
	rc = app_audit(r, "user", id, "update", before, after);
	json_decref(before);
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		json_decref(after);
		app_db_fail(r, rc, 1);
		return;
	}
	resp_json(r, 200, after);
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

static const struct json_field roles_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "roles", JF_ARRAY, 1, 0, 0, 0, "角色" },
	{ 0 }
};

static const struct json_field version_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ 0 }
};

/*
 * Begin a transaction in which the account still has the version the caller
 * read; the action that follows bumps it. Returns DB_OK, 1 when stale
 * (rolled back), or DB_E*.
 */
static int begin_versioned(struct req *r, int64_t id, int64_t version)
{
	struct db *db = req_ctx(r)->db;
	int64_t changed = 0;
	int rc = db_begin(db);

	if (rc == DB_OK)
		rc = db_run_changes(db, &changed, SQL_CHECK_VERSION, "ii", id, version);
	if (rc == DB_OK && changed == 0) {
		db_rollback(db);
		return 1;
	}
	return rc;
}

/* PUT /users/:id/roles: replace the account's grants. Nobody changes their own. */
void users_http_roles(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	json_t *body, *before;
	int64_t version, id = load_user_scoped(r, &version);
	int rc;

	if (!id)
		return;
	zb_fail_init(&f);
	if (id == c->user_id) {
		zb_fail_set(&f, ZB_EFORBIDDEN, "不能修改自己的角色（三员分立）");
		resp_fail(r, &f);
		return;
	}
	body = req_json(r, &f);
	if (!body || json_check(body, roles_fields, 0, &f) != 0)
		goto bad;
	check_roles(r, json_object_get(body, "roles"), &f);
	if (f.err)
		goto bad;
	before = user_json(c->db, id);
	rc = begin_versioned(r, id, json_int(body, "version", 0));
	if (rc == 1) {
		json_decref(before);
		json_decref(body);
		user_conflict(r, id);
		return;
	}
	char now[24];
	ts_now(now);
	if (rc == DB_OK)
		rc = db_run(c->db, SQL_BUMP, "si", now, id);
	if (rc == DB_OK)
		rc = db_run(c->db, SQL_GRANTS_CLEAR, "i", id);
	if (rc == DB_OK)
		rc = apply_roles(r, id, json_object_get(body, "roles"));
	json_decref(body);
	json_t *after = user_json(c->db, id);
	if (rc == DB_OK)
		rc = app_audit(r, "user", id, "roles", before, after);
	json_decref(before);
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		json_decref(after);
		app_db_fail(r, rc, 1);
		return;
	}
	resp_json(r, 200, after);
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

/* The shared shape of reset-password, lock and unlock: version check, one action, audit. */
static void account_action(struct req *r, const char *action)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct audit_who who;
	json_t *body;
	int64_t version, id = load_user_scoped(r, &version);
	char otp[24] = "";
	int rc;

	if (!id)
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, version_fields, 0, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	if (id == c->user_id) {
		/* Your own password is changed with the old one (PUT /session/password). */
		json_decref(body);
		resp_error(r, ZB_EFORBIDDEN, "不能对自己的账户执行此操作");
		return;
	}
	rc = begin_versioned(r, id, json_int(body, "version", 0));
	json_decref(body);
	if (rc == 1) {
		user_conflict(r, id);
		return;
	}
	app_who(r, &who);
	if (rc == DB_OK && strcmp(action, "reset") == 0) {
		password_generate(otp, sizeof(otp));
		rc = user_set_password(c->db, &r->app->keys, &who, id, otp, 1);
	} else if (rc == DB_OK) {
		rc = user_set_status(c->db, &r->app->keys, &who, id,
				     strcmp(action, "lock") == 0 ? "locked" : "active");
	}
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	json_t *out = json_pack("{s:o}", "user", user_json(c->db, id));
	if (*otp)
		json_object_set_new(out, "one_time_password", json_string(otp));
	resp_json(r, 200, out);
}

void users_http_reset_password(struct req *r)
{
	account_action(r, "reset");
}

void users_http_lock(struct req *r)
{
	account_action(r, "lock");
}

void users_http_unlock(struct req *r)
{
	account_action(r, "unlock");
}

void roles_http_list(struct req *r)
{
	static const char *const all[] = { "sysadmin", "secadmin", "auditadmin", "staff",
					   "secretary", "discipline", "member", "gridworker" };
	json_t *items = json_array();

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		json_t *acts = json_array();
		for (const char *const *a = role_actions(all[i]); *a; a++)
			json_array_append_new(acts, json_string(*a));
		json_array_append_new(items, json_pack("{s:s, s:s, s:b, s:o}", "role", all[i],
			"label", role_label(all[i]), "admin", role_is_admin(all[i]), "actions", acts));
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------- policy */

void policy_http_get(struct req *r)
{
	struct policy p;

	if (policy_load(req_ctx(r)->db, &p) != 0) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, policy_json(&p));
}

void policy_http_put(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct policy p, before;
	json_t *body;
	int rc;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (body && policy_load(c->db, &p) != 0) {
		json_decref(body);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	if (!body || policy_from_json(body, &p, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	json_decref(body);
	policy_load(c->db, &before);
	rc = db_begin(c->db);
	if (rc == DB_OK)
		rc = policy_save(c->db, &p);
	if (rc == 1) {
		db_rollback(c->db);
		zb_fail_set(&f, ZB_ECONFLICT, "安全策略已被他人修改，请刷新后重试");
		f.current = policy_json(&before);
		resp_fail(r, &f);
		return;
	}
	if (rc == DB_OK) {
		json_t *bj = policy_json(&before);
		policy_load(c->db, &p);
		json_t *aj = policy_json(&p);
		rc = app_audit(r, "security_policy", 0, "update", bj, aj);
		json_decref(bj);
		json_decref(aj);
	}
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	resp_json(r, 200, policy_json(&p));
}

/* ---------------------------------------------------------------- audit */

/*
 * GET /audit: newest first, filtered by entity, entity_id, username, action
 * and a date range (from/to, YYYY-MM-DD, UTC). Pages by `before` = seq
 * (keyset) as well as page/page_size.
 */
void audit_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct ymd d;
	const char *entity = req_query(r, "entity"), *user = req_query(r, "username");
	const char *action = req_query(r, "action"), *from = req_query(r, "from");
	const char *to = req_query(r, "to");
	int64_t entity_id, page, page_size, before, total = 0;
	struct buf where;
	int rc;

	zb_fail_init(&f);
	entity_id = req_query_int(r, "entity_id", 0, 1, INT64_MAX, &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 200, &f);
	before = req_query_int(r, "before", 0, 1, INT64_MAX, &f);
	if (from && date_parse_iso(from, &d) != 0)
		zb_fail_field(&f, "from", "开始日期应为 YYYY-MM-DD");
	if (to && date_parse_iso(to, &d) != 0)
		zb_fail_field(&f, "to", "结束日期应为 YYYY-MM-DD");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	buf_init(&where, 0);
	buf_puts(&where, " FROM audit_log WHERE 1=1");
	if (entity)
		buf_puts(&where, " AND entity = ?");
	if (entity_id)
		buf_puts(&where, " AND entity_id = ?");
	if (user)
		buf_puts(&where, " AND username = ?");
	if (action)
		buf_puts(&where, " AND action = ?");
	if (from)
		buf_puts(&where, " AND at >= ?");
	if (to)
		buf_puts(&where, " AND at < ?");
	if (before)
		buf_puts(&where, " AND seq < ?");
	const char *w = arena_strdup(&r->arena, where.data);
	buf_release(&where);
	const char *to_next = NULL;
	if (to) {
		date_parse_iso(to, &d);
		char *t = arena_alloc(&r->arena, 16);
		date_format(date_from_days(date_to_days(d) + 1), t);
		to_next = t;
	}

	json_t *items = json_array();
	for (int pass = 0; pass < 2; pass++) {
		const char *sql = pass == 0 ? arena_printf(&r->arena, "SELECT COUNT(*)%s", w) :
			arena_printf(&r->arena, "SELECT id, seq, at, user_id, username, ip, request_id,"
				     " entity, entity_id, action, before_json, after_json, hash%s"
				     " ORDER BY seq DESC LIMIT ? OFFSET ?", w);
		struct db_stmt *st = db_prepare(c->db, sql);
		int idx = 1;
		if (!st) {
			json_decref(items);
			app_db_fail(r, DB_EGENERIC, 0);
			return;
		}
		if (entity)
			db_bind_text(st, idx++, entity);
		if (entity_id)
			db_bind_int(st, idx++, entity_id);
		if (user)
			db_bind_text(st, idx++, user);
		if (action)
			db_bind_text(st, idx++, action);
		if (from)
			db_bind_text(st, idx++, from);
		if (to)
			db_bind_text(st, idx++, to_next);
		if (before)
			db_bind_int(st, idx++, before);
		if (pass == 0) {
			if (db_step(st) == DB_ROW)
				total = db_col_int(st, 0);
			db_finalize(st);
			continue;
		}
		db_bind_int(st, idx++, page_size);
		db_bind_int(st, idx++, before ? 0 : (page - 1) * page_size);
		while ((rc = db_step(st)) == DB_ROW) {
			json_t *row = json_object();
			json_object_set_new(row, "id", json_integer(db_col_int(st, 0)));
			json_object_set_new(row, "seq", json_integer(db_col_int(st, 1)));
			json_object_set_new(row, "at", json_string(db_col_text(st, 2)));
			json_object_set_new(row, "user_id", db_col_isnull(st, 3) ? json_null() :
					    json_integer(db_col_int(st, 3)));
			json_object_set_new(row, "username", json_string(db_col_text(st, 4)));
			json_object_set_new(row, "ip", json_string(db_col_text(st, 5)));
			json_object_set_new(row, "request_id", json_string(db_col_text(st, 6)));
			json_object_set_new(row, "entity", json_string(db_col_text(st, 7)));
			json_object_set_new(row, "entity_id", db_col_isnull(st, 8) ? json_null() :
					    json_integer(db_col_int(st, 8)));
			json_object_set_new(row, "action", json_string(db_col_text(st, 9)));
			json_object_set_new(row, "before", db_col_text(st, 10) ?
					    json_loads(db_col_text(st, 10), 0, NULL) : json_null());
			json_object_set_new(row, "after", db_col_text(st, 11) ?
					    json_loads(db_col_text(st, 11), 0, NULL) : json_null());
			json_object_set_new(row, "hash", json_string(db_col_text(st, 12)));
			json_array_append_new(items, row);
		}
		db_finalize(st);
		if (rc != DB_DONE) {
			json_decref(items);
			app_db_fail(r, rc, 0);
			return;
		}
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
				    (json_int_t)total, "page", (json_int_t)page,
				    "page_size", (json_int_t)page_size));
}

/* GET /audit/verify: walk the chain now and list every broken link. */
void audit_http_verify(struct req *r)
{
	char *text = NULL;
	size_t len = 0;
	int64_t rows = 0;
	FILE *mem = open_memstream(&text, &len);
	int problems;

	if (!mem) {
		resp_error(r, ZB_EINTERNAL, "服务器内部错误");
		return;
	}
	problems = audit_verify(req_ctx(r)->db, &r->app->keys, mem, &rows);
	fclose(mem);
	json_t *list = json_array();
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (*line)
			json_array_append_new(list, json_string(line));
		if (!nl)
			break;
	}
	free(text);
	if (problems < 0) {
		json_decref(list);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:b, s:I, s:o}", "ok", problems == 0, "rows", (json_int_t)rows,
				    "problems", list));
}

/* ---------------------------------------------------------------- dictionaries */

void dicts_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	const char *dict = req_param(r, "dict");
	const char *all = req_query(r, "all");
	struct db_stmt *st;
	json_t *items;
	int rc;

	if (strlen(dict) > 40) {
		resp_error(r, ZB_ENOTFOUND, "字典不存在");
		return;
	}
	/* Archived items stay readable (?all=1) for records that still carry them. */
	st = db_prepare(c->db, all && strcmp(all, "1") == 0 ?
		"SELECT id, code, label_zh, label_en, sort, status, version, tags FROM dict_items"
		" WHERE dict = ? ORDER BY sort, id" :
		"SELECT id, code, label_zh, label_en, sort, status, version, tags FROM dict_items"
		" WHERE dict = ? AND status = 'active' ORDER BY sort, id");
	items = json_array();
	if (!st) {
		json_decref(items);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_bind_text(st, 1, dict);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:o}",
			"id", (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1),
			"label", db_col_text(st, 2), "label_en", db_col_text(st, 3),
			"sort", (json_int_t)db_col_int(st, 4), "status", db_col_text(st, 5),
			"version", (json_int_t)db_col_int(st, 6),
			"tags", dict_tags_json(db_col_text(st, 7))));
	db_finalize(st);
	resp_json(r, 200, json_pack("{s:s, s:o}", "dict", dict, "items", items));
}
