/* orgs.c - the org tree's SQL and rules: kinds, nesting, sibling names, materialized-path moves. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "orgs.h"
#include "orgs_internal.h"
#include "../../auth/audit.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"

static const char SQL_LOAD[] =
	"SELECT id, parent_id, path, depth, name, kind, status, version FROM orgs WHERE id = ?";
static const char SQL_ROW[] =
	"SELECT o.id, o.parent_id, o.path, o.depth, o.name, o.short_name, o.kind, k.label_zh,"
	" o.category, c.label_zh, o.credit_code, o.established_on, o.sort, o.status, o.version,"
	" o.created_at, o.updated_at,"
	" (SELECT COUNT(*) FROM orgs ch WHERE ch.parent_id = o.id AND ch.status = 'active')"
	" FROM orgs o"
	" LEFT JOIN dict_items k ON k.dict = 'org_kind' AND k.code = o.kind"
	" LEFT JOIN dict_items c ON c.dict = 'org_category' AND c.code = o.category";
static const char SQL_DICT_HAS[] =
	"SELECT COUNT(*) FROM dict_items WHERE dict = ? AND code = ? AND status = 'active'";
static const char SQL_SIBLING_NAME[] =
	"SELECT COUNT(*) FROM orgs WHERE parent_id = ? AND name = ? AND status = 'active' AND id <> ?";
static const char SQL_INSERT[] =
	"INSERT INTO orgs (parent_id, path, depth, name, short_name, kind, category, credit_code,"
	" established_on, sort, created_at, updated_at) VALUES (?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	" RETURNING id";
static const char SQL_SET_PATH[] = "UPDATE orgs SET path = ? WHERE id = ?";
static const char SQL_KEY_OF[] =
	"SELECT o.sort_key, o.sort, o.path, COALESCE(p.sort_key, '/') FROM orgs o"
	" LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.id = ?";
/*
 * The subtree as a range of paths, [prefix, prefix with its last '/' raised
 * to '0'): an index range in both databases, where SQLite's LIKE (case-
 * insensitive) scanned every org for each insert and move.
 */
static const char SQL_REKEY_SUBTREE[] =
	"UPDATE orgs SET sort_key = CAST(? AS TEXT) || substr(sort_key, CAST(? AS INTEGER))"
	" WHERE path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT)";

/*
 * Which kinds may sit under which: a party group only inside a branch or
 * general branch, branches under a committee or general branch.
 */
static const struct { const char *parent, *child; } nesting[] = {
	{ "banner_committee", "township_committee" },
	{ "banner_committee", "general_branch" },
	{ "banner_committee", "branch" },
	{ "township_committee", "general_branch" },
	{ "township_committee", "branch" },
	{ "general_branch", "branch" },
	{ "general_branch", "party_group" },
	{ "branch", "party_group" },
};

int org_nesting_ok(const char *parent_kind, const char *child_kind)
{
	for (size_t i = 0; i < sizeof(nesting) / sizeof(nesting[0]); i++)
		if (strcmp(nesting[i].parent, parent_kind) == 0 &&
		    strcmp(nesting[i].child, child_kind) == 0)
			return 1;
	return 0;
}

int org_load(struct db *db, int64_t id, struct org *o)
{
	struct db_stmt *st = db_prepare(db, SQL_LOAD);
	int rc;

	memset(o, 0, sizeof(*o));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		o->id = db_col_int(st, 0);
		o->parent_id = db_col_isnull(st, 1) ? 0 : db_col_int(st, 1);
		snprintf(o->path, sizeof(o->path), "%s", db_col_text(st, 2));
		o->depth = (int)db_col_int(st, 3);
		snprintf(o->name, sizeof(o->name), "%s", db_col_text(st, 4));
		snprintf(o->kind, sizeof(o->kind), "%s", db_col_text(st, 5));
		snprintf(o->status, sizeof(o->status), "%s", db_col_text(st, 6));
		o->version = db_col_int(st, 7);
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

static const char SQL_WALK[] =
	"SELECT id, parent_id, path, depth, name, kind, status, version FROM orgs"
	" WHERE path LIKE ? ORDER BY sort_key";

int orgs_walk(struct db *db, const char *path_prefix,
	      int (*fn)(void *arg, const struct org *o), void *arg)
{
	char pattern[300];
	struct db_stmt *st;
	struct org o;
	int rc;

	/* paths hold digits and slashes only: nothing to escape */
	snprintf(pattern, sizeof(pattern), "%s%%", path_prefix);
	st = db_prepare(db, SQL_WALK);
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, pattern);
	while ((rc = db_step(st)) == DB_ROW) {
		memset(&o, 0, sizeof(o));
		o.id = db_col_int(st, 0);
		o.parent_id = db_col_isnull(st, 1) ? 0 : db_col_int(st, 1);
		snprintf(o.path, sizeof(o.path), "%s", db_col_text(st, 2));
		o.depth = (int)db_col_int(st, 3);
		snprintf(o.name, sizeof(o.name), "%s", db_col_text(st, 4));
		snprintf(o.kind, sizeof(o.kind), "%s", db_col_text(st, 5));
		snprintf(o.status, sizeof(o.status), "%s", db_col_text(st, 6));
		o.version = db_col_int(st, 7);
		if (fn(arg, &o) != 0) {
			rc = DB_DONE;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static json_t *text_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_string(db_col_text(st, i));
}

/* One row of SQL_ROW as JSON. */
json_t *org_json_from_row(struct db_stmt *st)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "parent_id", db_col_isnull(st, 1) ? json_null() :
			    json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "path", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "depth", json_integer(db_col_int(st, 3)));
	json_object_set_new(j, "name", json_string(db_col_text(st, 4)));
	json_object_set_new(j, "short_name", json_string(db_col_text(st, 5)));
	json_object_set_new(j, "kind", json_string(db_col_text(st, 6)));
	json_object_set_new(j, "kind_label", text_or_null(st, 7));
	json_object_set_new(j, "category", text_or_null(st, 8));
	json_object_set_new(j, "category_label", text_or_null(st, 9));
	json_object_set_new(j, "credit_code", text_or_null(st, 10));
	json_object_set_new(j, "established_on", text_or_null(st, 11));
	json_object_set_new(j, "sort", json_integer(db_col_int(st, 12)));
	json_object_set_new(j, "status", json_string(db_col_text(st, 13)));
	json_object_set_new(j, "version", json_integer(db_col_int(st, 14)));
	json_object_set_new(j, "created_at", json_string(db_col_text(st, 15)));
	json_object_set_new(j, "updated_at", json_string(db_col_text(st, 16)));
	json_object_set_new(j, "children_count", json_integer(db_col_int(st, 17)));
	return j;
}

const char *org_row_sql(void)
{
	return SQL_ROW;
}

json_t *org_row_json(struct db *db, int64_t id)
{
	char sql[sizeof(SQL_ROW) + 32];
	struct db_stmt *st;
	json_t *j = NULL;

	snprintf(sql, sizeof(sql), "%s WHERE o.id = ?", SQL_ROW);
	st = db_prepare(db, sql);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		j = org_json_from_row(st);
	db_finalize(st);
	return j;
}

int org_dict_has(struct db *db, const char *dict, const char *code)
{
	int64_t n = 0;

	db_query_int(db, &n, SQL_DICT_HAS, "ss", dict, code);
	return n > 0;
}

int org_sibling_name_taken(struct db *db, int64_t parent_id, const char *name, int64_t self_id)
{
	int64_t n = 0;

	db_query_int(db, &n, SQL_SIBLING_NAME, "isi", parent_id, name, self_id);
	return n > 0;
}

/*
 * Insert a row and give it its path (parent path + id + "/"), in the caller's
 * transaction. Returns the new id or a negative DB_E*.
 */
int64_t org_insert(struct db *db, const struct org_fields *v, const struct org *parent)
{
	char now[24], path[300];
	int64_t id = 0;
	int rc;

	ts_now(now);
	struct db_stmt *st = db_prepare(db, SQL_INSERT);
	if (!st)
		return DB_EGENERIC;
	if (parent->id)
		db_bind_int(st, 1, parent->id);
	else
		db_bind_null(st, 1);
	db_bind_int(st, 2, parent->id ? parent->depth + 1 : 0);
	db_bind_text(st, 3, v->name);
	db_bind_text(st, 4, v->short_name ? v->short_name : "");
	db_bind_text(st, 5, v->kind);
	db_bind_text(st, 6, v->category);
	db_bind_text(st, 7, v->credit_code);
	db_bind_text(st, 8, v->established_on);
	db_bind_int(st, 9, v->sort);
	db_bind_text(st, 10, now);
	db_bind_text(st, 11, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	snprintf(path, sizeof(path), "%s%" PRId64 "/", parent->id ? parent->path : "/", id);
	if (strlen(path) >= sizeof(parent->path))	/* struct org cannot hold it: refuse */
		return DB_ECONSTRAINT;
	rc = db_run(db, SQL_SET_PATH, "si", path, id);
	if (rc == DB_OK)
		rc = org_rekey(db, id);
	return rc == DB_OK ? id : rc;
}

/*
 * Give org `id` the sort key its parent and sort number call for, and carry
 * the change to its whole subtree (whose keys start with the old one).
 */
int org_rekey(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_KEY_OF);
	char oldkey[1024] = "", newkey[1100] = "", from[300] = "", to[300] = "";
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(oldkey, sizeof(oldkey), "%s", db_col_text(st, 0));
		snprintf(newkey, sizeof(newkey), "%s%05" PRId64 "%010" PRId64 "/", db_col_text(st, 3),
			 db_col_int(st, 1), id);
		snprintf(from, sizeof(from), "%s", db_col_text(st, 2));
		snprintf(to, sizeof(to), "%s", from);
		if (*to)
			to[strlen(to) - 1] = '/' + 1;	/* paths end in '/': "/1/4/" .. "/1/40" */
	}
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	if (strcmp(oldkey, newkey) == 0)
		return DB_OK;
	return db_run(db, SQL_REKEY_SUBTREE, "siss", newkey, (int64_t)strlen(oldkey) + 1, from, to);
}

int64_t org_create_system(struct db *db, const struct keys *k, int64_t parent_id,
			  const char *name, const char *kind, const char *category)
{
	struct org parent = { 0 };
	struct org_fields v = { 0 };
	struct audit_who who = { 0, "system", "", "" };
	int64_t id;

	if (parent_id && org_load(db, parent_id, &parent) != 1)
		return DB_EGENERIC;
	v.name = name;
	v.kind = kind;
	v.category = category;
	id = org_insert(db, &v, &parent);
	if (id > 0) {
		json_t *after = org_row_json(db, id);
		int rc = audit_append(db, k, &who, "org", id, "create", NULL, after);
		json_decref(after);
		if (rc != DB_OK)
			return rc;
	}
	return id;
}

const char *org_scope_param(struct req *r, const char *name, const struct scope *s,
			    struct zb_fail *f)
{
	const char *v = req_query(r, name);
	struct org o;
	char *end = NULL;
	long long id;

	if (!v || !*v)
		return NULL;
	id = strtoll(v, &end, 10);
	if (!end || *end || id <= 0 || org_load(req_ctx(r)->db, id, &o) != 1 ||
	    !scope_contains(s, o.path)) {
		zb_fail_set(f, ZB_ENOTFOUND, "组织不存在");
		return NULL;
	}
	return arena_strdup(&r->arena, o.path);
}
