/* orgs_http.c - /api/v1/orgs: list (tree or flat), get, create, update, move, archive, restore. */
#include <inttypes.h>
#include <string.h>
#include "orgs.h"
#include "orgs_internal.h"
#include "../people/people.h"
#include "../../auth/perm.h"
#include "../../base/check.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_UPDATE[] =
	"UPDATE orgs SET name = ?, short_name = ?, kind = ?, category = ?, credit_code = ?,"
	" established_on = ?, sort = ?, updated_at = ?, version = version + 1"
	" WHERE id = ? AND version = ?";
static const char SQL_MOVE_SUBTREE[] =
	"UPDATE orgs SET path = CAST(? AS TEXT) || substr(path, CAST(? AS INTEGER)),"
	" depth = depth + CAST(? AS INTEGER) WHERE path LIKE ?";
static const char SQL_MOVE_SELF[] =
	"UPDATE orgs SET parent_id = ?, updated_at = ?, version = version + 1"
	" WHERE id = ? AND version = ?";
static const char SQL_STATUS[] =
	"UPDATE orgs SET status = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?";
static const char SQL_ACTIVE_CHILDREN[] =
	"SELECT COUNT(*) FROM orgs WHERE parent_id = ? AND status = 'active'";
static const char SQL_LONGEST_PATH[] = "SELECT MAX(LENGTH(path)) FROM orgs WHERE path LIKE ?";
static const char SQL_USERS_IN[] =
	"SELECT COUNT(*) FROM users WHERE org_id = ? AND status = 'active'";

static const struct json_field create_fields[] = {
	{ "parent_id", JF_INT, 1, 0, 1, INT64_MAX, "上级组织" },
	{ "name", JF_STRING, 1, 0, 1, 100, "组织名称" },
	{ "short_name", JF_STRING, 0, 1, 0, 30, "简称" },
	{ "kind", JF_STRING, 1, 0, 1, 40, "组织类型" },
	{ "category", JF_STRING, 0, 1, 1, 40, "组织类别" },
	{ "credit_code", JF_STRING, 0, 1, 0, 18, "统一社会信用代码" },
	{ "established_on", JF_DATE, 0, 1, 0, 0, "成立日期" },
	{ "sort", JF_INT, 0, 0, 0, 99999, "排序号" },
	{ 0 }
};

static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "name", JF_STRING, 1, 0, 1, 100, "组织名称" },
	{ "short_name", JF_STRING, 0, 1, 0, 30, "简称" },
	{ "kind", JF_STRING, 1, 0, 1, 40, "组织类型" },
	{ "category", JF_STRING, 0, 1, 1, 40, "组织类别" },
	{ "credit_code", JF_STRING, 0, 1, 0, 18, "统一社会信用代码" },
	{ "established_on", JF_DATE, 0, 1, 0, 0, "成立日期" },
	{ "sort", JF_INT, 0, 0, 0, 99999, "排序号" },
	{ 0 }
};

static const struct json_field move_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "parent_id", JF_INT, 1, 0, 1, INT64_MAX, "新的上级组织" },
	{ 0 }
};

static const struct json_field version_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ 0 }
};

/*
 * Load the org named by the :id path parameter if the caller may read it.
 * Out of scope and missing answer the same 404. Returns 1 when found.
 */
static int load_scoped(struct req *r, struct org *o)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, "id");
	int rc;

	if (!id) {
		resp_error(r, ZB_ENOTFOUND, "组织不存在");
		return 0;
	}
	rc = org_load(c->db, id, o);
	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	scope_for(c, "org.read", &s);
	if (rc == 0 || !scope_contains(&s, o->path)) {
		resp_error(r, ZB_ENOTFOUND, "组织不存在");
		return 0;
	}
	return 1;
}

/* Read the shared editable fields and check them against the dictionaries. */
static void read_fields(struct req *r, const json_t *body, struct org_fields *v, struct zb_fail *f)
{
	struct ctx *c = req_ctx(r);

	/* What is stored is what was checked: trimmed, blank optional text as none. */
	v->name = json_str_trim(&r->arena, body, "name", NULL);
	v->short_name = json_str_trim(&r->arena, body, "short_name", "");
	v->kind = json_str_trim(&r->arena, body, "kind", NULL);
	v->category = json_str_trim(&r->arena, body, "category", NULL);
	v->credit_code = json_str_trim(&r->arena, body, "credit_code", NULL);
	v->established_on = json_str_trim(&r->arena, body, "established_on", NULL);
	v->sort = json_int(body, "sort", 0);

	if (v->kind && !org_dict_has(c->db, "org_kind", v->kind))
		zb_fail_field(f, "kind", "组织类型“%s”不在字典中", v->kind);
	if (v->category && !org_dict_has(c->db, "org_category", v->category))
		zb_fail_field(f, "category", "组织类别“%s”不在字典中", v->category);
	if (v->kind && !v->category &&
	    (strcmp(v->kind, "branch") == 0 || strcmp(v->kind, "general_branch") == 0))
		zb_fail_field(f, "category", "党支部、党总支须选择组织类别（村、社区、机关等）");
	if (v->credit_code && *v->credit_code) {
		char *norm = arena_alloc(&r->arena, 19);
		const char *why = credit_code_check(v->credit_code, norm);
		if (why)
			zb_fail_field(f, "credit_code", "%s", why);
		else
			v->credit_code = norm;
	} else {
		v->credit_code = NULL;
	}
	if (v->established_on) {
		struct ymd d, today = date_today_cn();
		if (date_parse_iso(v->established_on, &d) == 0 &&
		    date_to_days(d) > date_to_days(today))
			zb_fail_field(f, "established_on", "成立日期不能晚于今天");
	}
}

/* Answer 409 with the row as it is now. */
static void conflict(struct req *r, int64_t id)
{
	struct zb_fail f;

	zb_fail_init(&f);
	zb_fail_set(&f, ZB_ECONFLICT, "该组织已被他人修改，请刷新后重试");
	f.current = org_row_json(req_ctx(r)->db, id);
	resp_fail(r, &f);
}

/*
 * After a versioned UPDATE inside an open transaction: on a database error or
 * a stale version (nothing changed), roll back, answer (409 with the current
 * row when stale), drop `before` and return 1. Otherwise 0: carry on.
 */
static int write_failed(struct req *r, int rc, int64_t changed, int64_t id, json_t *before)
{
	if (rc == DB_OK && changed > 0)
		return 0;
	json_decref(before);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return 1;
	}
	db_rollback(req_ctx(r)->db);
	conflict(r, id);
	return 1;
}

/* Audit with the row before and after, commit, answer with the row. */
static void finish_write(struct req *r, int64_t id, const char *action, json_t *before, int status)
{
	struct ctx *c = req_ctx(r);
	json_t *after = org_row_json(c->db, id);
	int rc = app_audit(r, "org", id, action, before, after);

	if (rc == DB_OK)
		rc = db_commit(c->db);
	json_decref(before);
	if (rc != DB_OK) {
		json_decref(after);
		app_db_fail(r, rc, 1);
		return;
	}
	resp_json(r, status, after);
}

/* ---------------------------------------------------------------- read */

/* Deepest nesting write_tree keeps open: a path fits struct org's 256 bytes, at least "N/" a level. */
#define ORG_MAX_DEPTH 128

/* ,"key": then column i as a JSON string or an integer, null when NULL. KEY is a literal. */
#define PUT_TEXT(b, KEY, st, i) \
	(buf_puts((b), ",\"" KEY "\":"), json_put_string((b), db_col_isnull((st), (i)) ? NULL : db_col_text((st), (i))))
#define PUT_INT(b, KEY, st, i) \
	(buf_puts((b), ",\"" KEY "\":"), db_col_isnull((st), (i)) ? buf_puts((b), "null") : buf_put_i64((b), db_col_int((st), (i))))

/* One row of org_row_sql as the members of org_json_from_row's object, in its order, without braces. */
static void put_org(struct buf *b, struct db_stmt *st)
{
	buf_puts(b, "\"id\":");
	buf_put_i64(b, db_col_int(st, 0));
	PUT_INT(b, "parent_id", st, 1);
	PUT_TEXT(b, "path", st, 2);
	PUT_INT(b, "depth", st, 3);
	PUT_TEXT(b, "name", st, 4);
	PUT_TEXT(b, "short_name", st, 5);
	PUT_TEXT(b, "kind", st, 6);
	PUT_TEXT(b, "kind_label", st, 7);
	PUT_TEXT(b, "category", st, 8);
	PUT_TEXT(b, "category_label", st, 9);
	PUT_TEXT(b, "credit_code", st, 10);
	PUT_TEXT(b, "established_on", st, 11);
	PUT_INT(b, "sort", st, 12);
	PUT_TEXT(b, "status", st, 13);
	PUT_INT(b, "version", st, 14);
	PUT_TEXT(b, "created_at", st, 15);
	PUT_TEXT(b, "updated_at", st, 16);
	PUT_INT(b, "children_count", st, 17);
}

/*
 * Write the rows (in tree order: ORDER BY sort_key, each parent before its
 * subtree) as {"items":[...]} with every org nested under its parent when
 * the parent is among the rows, else at the top. Written as text, row by
 * row: a county's ~370 orgs as jansson objects cost ~80% of the request.
 * The open orgs on the current path are a stack; an org whose parent is not
 * on it closes the orgs above until it is (or goes to the top).
 */
static int write_tree(struct db_stmt *st, struct buf *b)
{
	struct open_org {
		int64_t id;
		int children;	/* children written so far */
	} stack[ORG_MAX_DEPTH + 1];
	int depth = 0, roots = 0, rc;

	buf_puts(b, "{\"items\":[");
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t parent = db_col_isnull(st, 1) ? 0 : db_col_int(st, 1);
		while (depth > 0 && (parent == 0 || stack[depth - 1].id != parent)) {
			buf_puts(b, "]}");
			depth--;
		}
		if (depth > 0 ? stack[depth - 1].children++ : roots++)
			buf_putc(b, ',');
		buf_putc(b, '{');
		put_org(b, st);
		buf_puts(b, ",\"children\":[");
		if (depth == ORG_MAX_DEPTH) {
			buf_puts(b, "]}");	/* deeper than the tree allows: a leaf (never happens) */
			continue;
		}
		stack[depth++] = (struct open_org){ db_col_int(st, 0), 0 };
	}
	while (depth-- > 0)
		buf_puts(b, "]}");
	buf_puts(b, "]}");
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

void orgs_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct buf sql;
	const char *format = req_query(r, "format");
	const char *status = req_query(r, "status");
	const char *q = req_query(r, "q");
	int64_t page, page_size, total = 0;
	int tree, idx = 1, rc;

	zb_fail_init(&f);
	tree = !format || strcmp(format, "tree") == 0;
	if (format && !tree && strcmp(format, "flat") != 0)
		zb_fail_field(&f, "format", "format 应为 tree 或 flat");
	if (!status)
		status = "active";
	if (strcmp(status, "active") && strcmp(status, "archived") && strcmp(status, "all"))
		zb_fail_field(&f, "status", "status 应为 active、archived 或 all");
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 200, &f);
	if (q && utf8_len(q) > 50)
		zb_fail_field(&f, "q", "搜索词不能超过50个字");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);

	scope_for(c, "org.read", &s);
	/* the tree is the same for every page the web app opens: kept until the next write */
	struct buf key;
	int64_t head = -1;
	buf_init(&key, 0);
	if (tree) {
		buf_printf(&key, "orgs.tree\x1f%s\x1f%s", status, q ? q : "");
		for (int i = 0; i < s.n; i++)
			buf_printf(&key, "\x1f%s", s.paths[i]);
		if (app_memo_answer(r, key.err ? NULL : key.data, &head)) {
			buf_release(&key);
			return;
		}
	}
	const char *where = scope_sql(&r->arena, &s, "o.path");
	buf_init(&sql, 0);
	buf_printf(&sql, " WHERE %s", where);
	if (strcmp(status, "all") != 0)
		buf_puts(&sql, " AND o.status = ?");
	if (q && *q)
		buf_puts(&sql, " AND (o.name LIKE ? ESCAPE '!' OR o.short_name LIKE ? ESCAPE '!')");

	/* total, for the flat list */
	if (!tree) {
		char *count_sql = arena_printf(&r->arena, "SELECT COUNT(*) FROM orgs o%s", sql.data);
		struct db_stmt *st = db_prepare(c->db, count_sql);
		if (!st) {
			buf_release(&sql);
			app_db_fail(r, DB_EGENERIC, 0);
			return;
		}
		idx = scope_bind(st, 1, &s);
		if (strcmp(status, "all") != 0)
			db_bind_text(st, idx++, status);
		if (q && *q) {
			const char *like = db_like_contains(&r->arena, q);
			db_bind_text(st, idx++, like);
			db_bind_text(st, idx++, like);
		}
		if (db_step(st) == DB_ROW)
			total = db_col_int(st, 0);
		db_finalize(st);
	}

	buf_puts(&sql, " ORDER BY o.sort_key");
	if (!tree)
		buf_puts(&sql, " LIMIT ? OFFSET ?");
	char *full = arena_printf(&r->arena, "%s%s", org_row_sql(), sql.data);
	buf_release(&sql);
	struct db_stmt *st = db_prepare(c->db, full);
	if (!st) {
		buf_release(&key);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	idx = scope_bind(st, 1, &s);
	if (strcmp(status, "all") != 0)
		db_bind_text(st, idx++, status);
	if (q && *q) {
		const char *like = db_like_contains(&r->arena, q);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx++, like);
	}
	if (!tree) {
		db_bind_int(st, idx++, page_size);
		db_bind_int(st, idx++, (page - 1) * page_size);
	}
	if (tree) {
		struct buf out;
		buf_init(&out, 0);
		rc = write_tree(st, &out);
		db_finalize(st);
		if (rc != DB_OK || out.err) {
			app_db_fail(r, rc != DB_OK ? rc : DB_EGENERIC, 0);
		} else {
			resp_text(r, 200, "application/json; charset=utf-8", out.data, out.len);
			app_memo_keep(r, key.err ? NULL : key.data, head);
		}
		buf_release(&out);
		buf_release(&key);
		return;
	}
	json_t *rows = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(rows, org_json_from_row(st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(rows);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", rows, "total", (json_int_t)total,
				    "page", (json_int_t)page, "page_size", (json_int_t)page_size));
}

void orgs_http_get(struct req *r)
{
	struct org o;

	if (!load_scoped(r, &o))
		return;
	resp_json(r, 200, org_row_json(req_ctx(r)->db, o.id));
}

/* ---------------------------------------------------------------- write */

void orgs_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct org parent;
	struct org_fields v;
	struct scope s;
	json_t *body;
	int64_t id;
	int rc;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body)
		goto bad;
	/* Go on after a failed check, so that one answer names every bad field. */
	json_check(body, create_fields, 0, &f);
	rc = org_load(c->db, json_int(body, "parent_id", 0), &parent);
	scope_for(c, "org.read", &s);
	if (rc != 1 || !scope_contains(&s, parent.path)) {
		zb_fail_field(&f, "parent_id", "上级组织不存在");
		goto bad;
	}
	if (!perm_has(c, "org.write", parent.path)) {
		zb_fail_set(&f, ZB_EFORBIDDEN, "您无权在“%s”下新建组织", parent.name);
		goto bad;
	}
	if (strcmp(parent.status, "active") != 0)
		zb_fail_field(&f, "parent_id", "上级组织已归档，不能在其下新建组织");
	read_fields(r, body, &v, &f);
	if (v.kind && !f.fields && !org_nesting_ok(parent.kind, v.kind))
		zb_fail_field(&f, "kind", "该类型的组织不能设在“%s”之下", parent.name);
	if (v.name && org_sibling_name_taken(c->db, parent.id, v.name, 0))
		zb_fail_field(&f, "name", "同一上级组织下已有名为“%s”的组织", v.name);
	if (f.err)
		goto bad;

	rc = db_begin(c->db);
	if (rc != DB_OK) {
		json_decref(body);
		app_db_fail(r, rc, 0);
		return;
	}
	id = org_insert(c->db, &v, &parent);
	json_decref(body);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	finish_write(r, id, "create", NULL, 201);
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

void orgs_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct org o, parent = { 0 };
	struct org_fields v;
	json_t *body = NULL, *before;
	char now[24];
	int rc;

	zb_fail_init(&f);
	if (!load_scoped(r, &o))
		return;
	if (!perm_has(c, "org.write", o.path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该组织");
		return;
	}
	body = req_json(r, &f);
	if (!body)
		goto bad;
	json_check(body, update_fields, 0, &f);
	read_fields(r, body, &v, &f);
	if (o.parent_id && org_load(c->db, o.parent_id, &parent) == 1 && v.kind && !f.fields &&
	    !org_nesting_ok(parent.kind, v.kind))
		zb_fail_field(&f, "kind", "该类型的组织不能设在“%s”之下", parent.name);
	if (v.name && org_sibling_name_taken(c->db, o.parent_id, v.name, o.id))
		zb_fail_field(&f, "name", "同一上级组织下已有名为“%s”的组织", v.name);
	if (f.err)
		goto bad;

	before = org_row_json(c->db, o.id);
	ts_now(now);
	int64_t changed = 0;
	rc = db_begin(c->db);
	if (rc == DB_OK)
		rc = db_run_changes(c->db, &changed, SQL_UPDATE, "ssssssisii", v.name, v.short_name,
				    v.kind, v.category, v.credit_code, v.established_on, v.sort, now,
				    o.id, json_int(body, "version", 0));
	json_decref(body);
	if (rc == DB_OK && changed > 0)
		rc = org_rekey(c->db, o.id);	/* the sort number may have changed */
	if (write_failed(r, rc, changed, o.id, before))
		return;
	finish_write(r, o.id, "update", before, 200);
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

void orgs_http_move(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct org o, old_parent, np;
	struct scope s;
	json_t *body = NULL, *before;
	char now[24], newpath[300];
	int rc;

	zb_fail_init(&f);
	if (!load_scoped(r, &o))
		return;
	if (!o.parent_id || org_load(c->db, o.parent_id, &old_parent) != 1 ||
	    !perm_has(c, "org.write", old_parent.path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权移动该组织");
		return;
	}
	body = req_json(r, &f);
	if (!body || json_check(body, move_fields, 0, &f) != 0)
		goto bad;
	rc = org_load(c->db, json_int(body, "parent_id", 0), &np);
	scope_for(c, "org.read", &s);
	if (rc != 1 || !scope_contains(&s, np.path)) {
		zb_fail_field(&f, "parent_id", "新的上级组织不存在");
		goto bad;
	}
	if (!perm_has(c, "org.write", np.path)) {
		zb_fail_set(&f, ZB_EFORBIDDEN, "您无权把组织移到“%s”之下", np.name);
		goto bad;
	}
	if (strncmp(np.path, o.path, strlen(o.path)) == 0) {
		zb_fail_field(&f, "parent_id", "不能移动到自身或其下级组织之下");
		goto bad;
	}
	if (strcmp(np.status, "active") != 0)
		zb_fail_field(&f, "parent_id", "新的上级组织已归档");
	else if (!org_nesting_ok(np.kind, o.kind))
		zb_fail_field(&f, "parent_id", "“%s”之下不能设置该类型的组织", np.name);
	else if (org_sibling_name_taken(c->db, np.id, o.name, o.id))
		zb_fail_field(&f, "parent_id", "“%s”下已有同名组织", np.name);
	if (f.err)
		goto bad;

	snprintf(newpath, sizeof(newpath), "%s%" PRId64 "/", np.path, o.id);
	int64_t longest = 0;
	db_query_int(c->db, &longest, SQL_LONGEST_PATH, "s", arena_printf(&r->arena, "%s%%", o.path));
	if ((size_t)longest - strlen(o.path) + strlen(newpath) >= sizeof(o.path)) {
		zb_fail_field(&f, "parent_id", "移动后组织层级过深");
		goto bad;
	}
	before = org_row_json(c->db, o.id);
	ts_now(now);
	int64_t changed = 0;
	rc = db_begin(c->db);
	if (rc == DB_OK)
		rc = db_run_changes(c->db, &changed, SQL_MOVE_SELF, "isii", np.id, now, o.id,
				    json_int(body, "version", 0));
	json_decref(body);
	if (rc == DB_OK && changed > 0)
		rc = db_run(c->db, SQL_MOVE_SUBTREE, "siis", newpath, (int64_t)strlen(o.path) + 1,
			    (int64_t)(np.depth + 1 - o.depth),
			    arena_printf(&r->arena, "%s%%", o.path));
	if (rc == DB_OK && changed > 0)
		rc = org_rekey(c->db, o.id);
	if (write_failed(r, rc, changed, o.id, before))
		return;
	finish_write(r, o.id, "move", before, 200);
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

/* Archive or restore: a status change with the version the caller read. */
static void set_status(struct req *r, const char *status)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct org o, parent;
	json_t *body = NULL, *before;
	int64_t n = 0;
	char now[24];
	int archive = strcmp(status, "archived") == 0, rc;

	zb_fail_init(&f);
	if (!load_scoped(r, &o))
		return;
	if (!o.parent_id || org_load(c->db, o.parent_id, &parent) != 1 ||
	    !perm_has(c, "org.write", parent.path)) {
		resp_error(r, ZB_EFORBIDDEN, archive ? "您无权归档该组织" : "您无权恢复该组织");
		return;
	}
	body = req_json(r, &f);
	if (!body || json_check(body, version_fields, 0, &f) != 0)
		goto bad;
	if (strcmp(o.status, status) == 0) {
		zb_fail_set(&f, ZB_ECONFLICT, archive ? "该组织已归档" : "该组织未归档");
		goto bad;
	}
	if (archive) {
		db_query_int(c->db, &n, SQL_ACTIVE_CHILDREN, "i", o.id);
		if (n > 0) {
			zb_fail_set(&f, ZB_ECONFLICT, "该组织还有%" PRId64 "个未归档的下级组织，请先处理下级组织", n);
			goto bad;
		}
		n = 0;
		db_query_int(c->db, &n, SQL_USERS_IN, "i", o.id);
		if (n > 0) {
			zb_fail_set(&f, ZB_ECONFLICT, "该组织还有%" PRId64 "个在用账户，请先调整这些账户的所属组织", n);
			goto bad;
		}
		n = people_active_in_org(c->db, o.id);
		if (n > 0) {
			zb_fail_set(&f, ZB_ECONFLICT, "该组织还有%" PRId64 "名在册人员，请先把他们转到其他组织或归档", n);
			goto bad;
		}
	} else if (strcmp(parent.status, "active") != 0) {
		zb_fail_set(&f, ZB_ECONFLICT, "上级组织已归档，请先恢复上级组织");
		goto bad;
	} else if (org_sibling_name_taken(c->db, parent.id, o.name, o.id)) {
		zb_fail_set(&f, ZB_ECONFLICT, "上级组织下已有同名组织，请先改名");
		goto bad;
	}
	before = org_row_json(c->db, o.id);
	ts_now(now);
	int64_t changed = 0;
	rc = db_begin(c->db);
	if (rc == DB_OK)
		rc = db_run_changes(c->db, &changed, SQL_STATUS, "ssii", status, now, o.id,
				    json_int(body, "version", 0));
	json_decref(body);
	if (write_failed(r, rc, changed, o.id, before))
		return;
	finish_write(r, o.id, archive ? "archive" : "restore", before, 200);
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

void orgs_http_archive(struct req *r)
{
	set_status(r, "archived");
}

void orgs_http_restore(struct req *r)
{
	set_status(r, "active");
}
