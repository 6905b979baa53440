/* dicts_http.c - township staff edit dictionaries: POST /dicts/:dict and PUT /dicts/:dict/:id (codes never change). */
#include <inttypes.h>
#include <string.h>
#include "admin.h"
#include "../../auth/perm.h"
#include "../../base/json.h"

static const char SQL_DICT_SIZE[] = "SELECT COUNT(*) FROM dict_items WHERE dict = ?";
static const char SQL_CODE_TAKEN[] = "SELECT COUNT(*) FROM dict_items WHERE dict = ? AND code = ?";
static const char SQL_ITEM[] =
	"SELECT id, dict, code, label_zh, label_en, sort, status, version, tags FROM dict_items"
	" WHERE id = ?";
static const char SQL_INSERT[] =
	"INSERT INTO dict_items (dict, code, label_zh, label_en, sort, tags)"
	" VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_UPDATE[] =
	"UPDATE dict_items SET label_zh = ?, label_en = ?, sort = ?, status = ?, tags = ?,"
	" version = version + 1 WHERE id = ? AND version = ?";

/*
 * Dictionaries whose codes the program itself interprets beyond a label:
 * people.gender is constrained to male/female by the schema, and the org
 * kinds drive the nesting rules. They are read-only here.
 */
static const char *const system_dicts[] = { "gender", "org_kind" };

#define MAX_TAGS 10

static const struct json_field create_fields[] = {
	{ "code", JF_STRING, 1, 0, 1, 40, "编码" },
	{ "label", JF_STRING, 1, 0, 1, 50, "名称" },
	{ "label_en", JF_STRING, 0, 1, 0, 100, "英文名称" },
	{ "sort", JF_INT, 0, 0, 0, 99999, "排序号" },
	{ 0 }
};

static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "label", JF_STRING, 1, 0, 1, 50, "名称" },
	{ "label_en", JF_STRING, 0, 1, 0, 100, "英文名称" },
	{ "sort", JF_INT, 0, 0, 0, 99999, "排序号" },
	{ "status", JF_STRING, 0, 0, 1, 20, "状态" },
	{ 0 }
};

/* [a-z0-9_]{1,40}: codes, tags and dictionary names. */
static int word_ok(const char *s, size_t n)
{
	if (n == 0 || n > 40)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

json_t *dict_tags_json(const char *tags)
{
	json_t *a = json_array();

	for (const char *p = tags; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p = end ? end + 1 : NULL;
	}
	return a;
}

/* The item as API JSON; NULL when missing. */
static json_t *item_json(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_ITEM);
	json_t *j = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:o}",
			      "id", (json_int_t)db_col_int(st, 0), "dict", db_col_text(st, 1),
			      "code", db_col_text(st, 2), "label", db_col_text(st, 3),
			      "label_en", db_col_text(st, 4), "sort", (json_int_t)db_col_int(st, 5),
			      "status", db_col_text(st, 6), "version", (json_int_t)db_col_int(st, 7),
			      "tags", dict_tags_json(db_col_text(st, 8)));
	db_finalize(st);
	return j;
}

/*
 * The tags of a body: an array of words, or one comma-separated string
 * (the form they are stored in). Writes "a,b" into out (from the arena);
 * problems go to f under "tags".
 */
static const char *read_tags(struct req *r, const json_t *v, struct zb_fail *f)
{
	struct buf b;
	json_t *list;
	const char *out;
	size_t i;
	json_t *t;

	if (json_is_string(v))
		list = dict_tags_json(json_string_value(v));
	else if (json_is_array(v))
		list = json_incref((json_t *)v);
	else {
		zb_fail_field(f, "tags", "标签应为字符串数组");
		return NULL;
	}
	if (json_array_size(list) > MAX_TAGS) {
		zb_fail_field(f, "tags", "标签不能超过%d个", MAX_TAGS);
		json_decref(list);
		return NULL;
	}
	buf_init(&b, 0);
	json_array_foreach(list, i, t) {
		const char *s = json_string_value(t);
		if (!s || !word_ok(s, strlen(s))) {
			zb_fail_field(f, "tags", "标签只能由小写字母、数字和下划线组成（1-40个字符）");
			break;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(json_string_value(json_array_get(list, j)), s) == 0) {
				zb_fail_field(f, "tags", "标签“%s”重复", s);
				break;
			}
		buf_printf(&b, "%s%s", i ? "," : "", s);
	}
	out = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	json_decref(list);
	return out;
}

/*
 * The dictionary named by :dict, if staff may edit it: an existing one
 * (404 otherwise) that is not one of the system's own (403). 1 to go on.
 */
static int editable_dict(struct req *r, const char **dict)
{
	int64_t n = 0;

	*dict = req_param(r, "dict");
	if (!*dict || !word_ok(*dict, strlen(*dict)) ||
	    db_query_int(req_ctx(r)->db, &n, SQL_DICT_SIZE, "s", *dict) < 0 || n == 0) {
		resp_error(r, ZB_ENOTFOUND, "字典不存在");
		return 0;
	}
	for (size_t i = 0; i < sizeof(system_dicts) / sizeof(system_dicts[0]); i++)
		if (strcmp(system_dicts[i], *dict) == 0) {
			resp_error(r, ZB_EFORBIDDEN, "该字典由系统维护，不能修改");
			return 0;
		}
	return 1;
}

/* Check the body against the table with "tags" handled apart (it takes two shapes). */
static void check_body(struct req *r, const json_t *body, const struct json_field *fields,
		       const char **tags, struct zb_fail *f)
{
	json_t *rest = json_copy((json_t *)body);
	json_t *t = json_object_get(body, "tags");

	json_object_del(rest, "tags");
	json_check(rest, fields, 0, f);
	json_decref(rest);
	*tags = t && !json_is_null(t) ? read_tags(r, t, f) : NULL;
}

/* Audit, commit, answer with the item. */
static void finish(struct req *r, int64_t id, const char *action, json_t *before, int status)
{
	struct ctx *c = req_ctx(r);
	json_t *after = item_json(c->db, id);
	int rc = after ? app_audit(r, "dict_item", id, action, before, after) : DB_EGENERIC;

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

/* POST /dicts/:dict: a new item with a code unique in its dictionary, audited. */
void dicts_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	const char *dict, *code, *label, *label_en, *tags;
	json_t *body;
	int64_t n = 0, id = 0;
	int rc;

	if (!editable_dict(r, &dict))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	check_body(r, body, create_fields, &tags, &f);
	code = json_str_trim(&r->arena, body, "code", NULL);
	label = json_str_trim(&r->arena, body, "label", NULL);
	label_en = json_str_trim(&r->arena, body, "label_en", "");
	if (code && !word_ok(code, strlen(code)))
		zb_fail_field(&f, "code", "编码只能由小写字母、数字和下划线组成（1-40个字符）");
	else if (code && db_query_int(c->db, &n, SQL_CODE_TAKEN, "ss", dict, code) >= 0 && n > 0)
		zb_fail_field(&f, "code", "编码“%s”已存在", code);
	if (f.err) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	rc = db_begin(c->db);
	struct db_stmt *st = rc == DB_OK ? db_prepare(c->db, SQL_INSERT) : NULL;
	if (!st) {
		json_decref(body);
		app_db_fail(r, rc ? rc : DB_EGENERIC, rc == DB_OK);
		return;
	}
	db_bindf(st, "ssssis", dict, code, label, label_en, json_int(body, "sort", 0),
		 tags ? tags : "");
	json_decref(body);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc == DB_ECONSTRAINT) {
		db_rollback(c->db);
		zb_fail_init(&f);
		zb_fail_field(&f, "code", "编码“%s”已存在", code);
		resp_fail(r, &f);
		return;
	}
	if (rc != DB_ROW) {
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 1);
		return;
	}
	finish(r, id, "create", NULL, 201);
}

/*
 * PUT /dicts/:dict/:id: label is required; label_en, sort, status and tags
 * keep their stored values when omitted (a partial form must not drop the
 * tags that decide who counts as the leadership team).
 */
void dicts_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	const char *dict, *label, *label_en, *status, *tags;
	json_t *body, *before;
	int64_t id = req_param_id(r, "id"), sort, changed;
	int rc;

	if (!editable_dict(r, &dict))
		return;
	before = id ? item_json(c->db, id) : NULL;
	if (!before || strcmp(json_string_value(json_object_get(before, "dict")), dict) != 0) {
		json_decref(before);
		resp_error(r, ZB_ENOTFOUND, "字典条目不存在");
		return;
	}
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		json_decref(before);
		resp_fail(r, &f);
		return;
	}
	check_body(r, body, update_fields, &tags, &f);
	label = json_str_trim(&r->arena, body, "label", NULL);
	label_en = json_object_get(body, "label_en") ?
		json_str_trim(&r->arena, body, "label_en", "") :
		json_string_value(json_object_get(before, "label_en"));
	sort = json_object_get(body, "sort") ? json_int(body, "sort", 0) :
		json_integer_value(json_object_get(before, "sort"));
	status = json_str_trim(&r->arena, body, "status", NULL);
	if (!status)
		status = json_string_value(json_object_get(before, "status"));
	else if (strcmp(status, "active") != 0 && strcmp(status, "archived") != 0)
		zb_fail_field(&f, "status", "状态应为 active（启用）或 archived（停用）");
	if (!json_object_get(body, "tags")) {
		json_t *old = json_object_get(before, "tags");
		tags = read_tags(r, old, &f);
	}
	if (f.err) {
		json_decref(before);
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	rc = db_begin(c->db);
	struct db_stmt *st = rc == DB_OK ? db_prepare(c->db, SQL_UPDATE) : NULL;
	if (!st) {
		json_decref(before);
		json_decref(body);
		app_db_fail(r, rc ? rc : DB_EGENERIC, rc == DB_OK);
		return;
	}
	db_bindf(st, "ssissii", label, label_en, sort, status, tags ? tags : "", id,
		 json_int(body, "version", 0));
	json_decref(body);
	rc = db_step(st);
	changed = db_changes(st);
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(before);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 1);
		return;
	}
	if (changed == 0) {
		db_rollback(c->db);
		json_decref(before);
		zb_fail_init(&f);
		zb_fail_set(&f, ZB_ECONFLICT, "该字典条目已被他人修改，请刷新后重试");
		f.current = item_json(c->db, id);
		resp_fail(r, &f);
		return;
	}
	finish(r, id, "update", before, 200);
}
