/* tasks_http.c - /api/v1/tasks lists and items: create, read, update, archive, split, move, push down, progress, acceptance, supervision, rectification, history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tasks.h"
#include "tasks_internal.h"
#include "../files/files.h"
#include "../orgs/orgs.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

#define ITEM_FIELDS \
	{ "parent_id", JF_INT, 0, 1, 1, INT64_MAX, "上级事项" }, \
	{ "code", JF_STRING, 0, 1, 1, 60, "编号" }, \
	{ "title", JF_STRING, 1, 0, 1, 200, "任务/事项" }, \
	{ "owner_org_id", JF_INT, 0, 1, 1, INT64_MAX, "责任单位" }, \
	{ "person_id", JF_INT, 0, 1, 1, INT64_MAX, "责任人" }, \
	{ "start_on", JF_DATE, 0, 1, 0, 0, "开始日期" }, \
	{ "due_on", JF_DATE, 0, 1, 0, 0, "完成时限" }, \
	{ "weight", JF_INT, 0, 1, 0, 1000, "权重" }, \
	{ "criteria", JF_STRING, 0, 1, 0, 2000, "完成标准" }

static const struct json_field item_fields[] = { ITEM_FIELDS, { 0 } };
static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	ITEM_FIELDS,
	{ 0 }
};
static const struct json_field list_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "组织" },
	{ "year", JF_INT, 1, 0, 2000, 2100, "年度" },
	{ "title", JF_STRING, 0, 1, 1, 200, "清单名称" },
	{ 0 }
};
static const struct json_field version_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "reason", JF_STRING, 0, 1, 0, 500, "原因" },
	{ "note", JF_STRING, 0, 1, 0, 500, "验收意见" },
	{ 0 }
};
static const struct json_field split_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "parts", JF_ARRAY, 1, 0, 0, 0, "拆分的子事项" },
	{ 0 }
};
static const struct json_field part_fields[] = {
	{ "title", JF_STRING, 1, 0, 1, 200, "任务/事项" },
	{ "code", JF_STRING, 0, 1, 1, 60, "编号" },
	{ "owner_org_id", JF_INT, 0, 1, 1, INT64_MAX, "责任单位" },
	{ "person_id", JF_INT, 0, 1, 1, INT64_MAX, "责任人" },
	{ "start_on", JF_DATE, 0, 1, 0, 0, "开始日期" },
	{ "due_on", JF_DATE, 0, 1, 0, 0, "完成时限" },
	{ "weight", JF_INT, 0, 1, 0, 1000, "权重" },
	{ "criteria", JF_STRING, 0, 1, 0, 2000, "完成标准" },
	{ 0 }
};
static const struct json_field move_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "parent_id", JF_INT, 0, 1, 1, INT64_MAX, "上级事项" },
	{ "position", JF_INT, 0, 1, 0, 100000, "位置" },
	{ 0 }
};
static const struct json_field push_fields[] = {
	{ "org_ids", JF_ARRAY, 1, 0, 0, 0, "下发组织" },
	{ "due_on", JF_DATE, 0, 1, 0, 0, "完成时限" },
	{ 0 }
};
static const struct json_field progress_fields[] = {
	{ "reported_on", JF_DATE, 1, 0, 0, 0, "报告日期" },
	{ "progress", JF_INT, 0, 1, 0, 100, "完成进度" },
	{ "status", JF_STRING, 0, 1, 1, 20, "状态" },
	{ "text", JF_STRING, 1, 0, 1, 2000, "进展情况" },
	{ "reason", JF_STRING, 0, 1, 0, 500, "进度回退原因" },
	{ "files", JF_ARRAY, 0, 1, 0, 0, "佐证材料" },
	{ 0 }
};
static const struct json_field supervise_fields[] = {
	{ "held_on", JF_DATE, 1, 0, 0, 0, "督查日期" },
	{ "inspector", JF_STRING, 1, 0, 1, 100, "督查人" },
	{ "found", JF_STRING, 1, 0, 1, 2000, "发现的问题" },
	{ "rating", JF_STRING, 1, 0, 1, 20, "成效评价" },
	{ "rectification", JF_OBJECT, 0, 1, 0, 0, "整改" },
	{ 0 }
};
static const struct json_field rect_fields[] = {
	{ "requirement", JF_STRING, 1, 0, 1, 2000, "整改要求" },
	{ "deadline", JF_DATE, 1, 0, 0, 0, "整改时限" },
	{ 0 }
};
static const struct json_field complete_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "outcome", JF_STRING, 1, 0, 1, 2000, "整改结果" },
	{ "done_on", JF_DATE, 1, 0, 0, 0, "完成日期" },
	{ 0 }
};

#define MAX_PUSH 200
#define MAX_PARTS 50

/* ---------------------------------------------------------------- shared */

/* Today in Asia/Shanghai as "YYYY-MM-DD". */
static void today_str(char out[11])
{
	date_format(date_today_cn(), out);
}

/*
 * The item :id (or `id` when nonzero) readable with task.read, else 404 like
 * a missing one; with `write` also task.write on its list's org (403).
 * *out gets the item JSON (owned). 1 when it may go on (answered otherwise).
 */
static int load_item(struct req *r, int64_t id, int write, json_t **out)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	json_t *j;
	const char *path;

	*out = NULL;
	if (!id)
		id = req_param_id(r, "id");
	j = id ? task_item_json(c->db, id) : NULL;
	path = j ? json_string_value(json_object_get(j, "list_org_path")) : NULL;
	scope_for(c, "task.read", &s);
	if (!j || !scope_contains(&s, path)) {
		json_decref(j);
		resp_error(r, ZB_ENOTFOUND, "任务事项不存在");
		return 0;
	}
	if (write && !perm_has(c, "task.write", path)) {
		json_decref(j);
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该组织的任务清单");
		return 0;
	}
	*out = j;
	return 1;
}

/* The item's path (borrowed from j). */
static const char *item_path(const json_t *j)
{
	return json_string_value(json_object_get(j, "list_org_path"));
}

/* Items of a query (TASK_ITEM_SELECT + where, one int parameter) as a JSON array. */
static json_t *items_where(struct db *db, struct arena *a, const char *where, int64_t arg, int *rc)
{
	struct task_clock tc;
	struct db_stmt *st = db_prepare(db, arena_printf(a, "%s%s", TASK_ITEM_SELECT, where));
	json_t *arr = json_array();

	task_clock_load(db, &tc);
	*rc = st ? db_bind_int(st, 1, arg) : DB_EGENERIC;
	while (*rc >= 0 && (*rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, task_row_json(st, &tc));
	db_finalize(st);
	if (*rc == DB_DONE)
		*rc = DB_OK;
	return arr;
}

/* Put `items` (flat) in tree order with a "depth" each; returns a new array, steals items. */
static json_t *tree_order(json_t *items)
{
	size_t n = json_array_size(items);
	json_t *out = json_array();
	int64_t stack_parent[64];
	size_t stack_pos[64];
	int depth = 0;
	char *used = calloc(n + 1, 1);

	if (!used)
		return items;
	/* roots: no parent, or a parent not in the set */
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(items, i);
		int64_t p = json_integer_value(json_object_get(it, "parent_id"));
		int found = 0;
		if (used[i])
			continue;
		for (size_t k = 0; p && k < n && !found; k++)
			found = json_integer_value(json_object_get(json_array_get(items, k), "id")) == p;
		if (found)
			continue;
		used[i] = 1;
		json_object_set_new(it, "depth", json_integer(0));
		json_array_append(out, it);
		depth = 0;
		stack_parent[0] = json_integer_value(json_object_get(it, "id"));
		stack_pos[0] = 0;
		while (depth >= 0) {
			size_t k;
			for (k = stack_pos[depth]; k < n; k++) {
				json_t *ch = json_array_get(items, k);
				if (!used[k] && json_integer_value(json_object_get(ch, "parent_id")) ==
						 stack_parent[depth])
					break;
			}
			if (k >= n) {
				depth--;
				continue;
			}
			stack_pos[depth] = k + 1;
			used[k] = 1;
			json_object_set_new(json_array_get(items, k), "depth", json_integer(depth + 1));
			json_array_append(out, json_array_get(items, k));
			if (depth + 1 < 64) {
				depth++;
				stack_parent[depth] = json_integer_value(json_object_get(json_array_get(items, k), "id"));
				stack_pos[depth] = 0;
			}
		}
	}
	free(used);
	json_decref(items);
	return out;
}

/* The item with its children, answering items, reports, supervisions and the caller's rights. */
static json_t *item_detail(struct req *r, int64_t id)
{
	struct ctx *c = req_ctx(r);
	struct db *db = c->db;
	json_t *j = task_item_json(db, id), *reps, *sups;
	struct db_stmt *st;
	int rc = DB_OK;
	const char *path;

	if (!j)
		return NULL;
	path = item_path(j);
	json_object_set_new(j, "children", items_where(db, &r->arena,
		"WHERE i.parent_id = ? ORDER BY i.sort, i.id", id, &rc));
	if (rc == DB_OK)
		json_object_set_new(j, "answered_by", items_where(db, &r->arena,
			"WHERE i.answers_item_id = ? ORDER BY lo.path, i.id", id, &rc));
	reps = json_array();
	st = db_prepare(db, "SELECT id, reported_on, progress, status, text, reason, reporter_name,"
			" created_at FROM task_progress WHERE item_id = ? ORDER BY reported_on DESC, id DESC");
	if (st && db_bind_int(st, 1, id) == DB_OK) {
		while (db_step(st) == DB_ROW) {
			int s = task_status_parse(db_col_text(st, 3));
			json_array_append_new(reps, json_pack("{s:I, s:s, s:o, s:s?, s:s?, s:s, s:s?, s:s, s:s}",
				"id", (json_int_t)db_col_int(st, 0), "reported_on", db_col_text(st, 1),
				"progress", db_col_isnull(st, 2) ? json_null() : json_integer(db_col_int(st, 2)),
				"status", db_col_text(st, 3),
				"status_label", s >= 0 ? task_status_label((enum task_status)s) : NULL,
				"text", db_col_text(st, 4), "reason", db_col_text(st, 5),
				"reporter", db_col_text(st, 6), "created_at", db_col_text(st, 7)));
		}
	}
	db_finalize(st);
	for (size_t i = 0; i < json_array_size(reps); i++) {
		json_t *e = json_array_get(reps, i);
		json_object_set_new(e, "files", files_list_json(db, "task_progress",
			json_integer_value(json_object_get(e, "id"))));
	}
	json_object_set_new(j, "reports", reps);
	sups = json_array();
	st = db_prepare(db, "SELECT s.id, s.held_on, s.inspector, s.found, s.rating, r.id, r.requirement,"
			" r.deadline, r.outcome, r.done_on, r.version FROM task_supervisions s"
			" LEFT JOIN task_rectifications r ON r.supervision_id = s.id"
			" WHERE s.item_id = ? ORDER BY s.held_on DESC, s.id DESC, r.id");
	if (st && db_bind_int(st, 1, id) == DB_OK) {
		char today[11];
		today_str(today);
		while (db_step(st) == DB_ROW) {
			json_t *rect = json_null();
			if (!db_col_isnull(st, 5)) {
				const char *dl = db_col_text(st, 7);
				rect = json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:I, s:b}",
					"id", (json_int_t)db_col_int(st, 5), "requirement", db_col_text(st, 6),
					"deadline", dl, "outcome", db_col_text(st, 8),
					"done_on", db_col_text(st, 9), "version", (json_int_t)db_col_int(st, 10),
					"overdue", db_col_isnull(st, 9) && dl && strcmp(dl, today) < 0);
			}
			json_array_append_new(sups, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:o}",
				"id", (json_int_t)db_col_int(st, 0), "held_on", db_col_text(st, 1),
				"inspector", db_col_text(st, 2), "found", db_col_text(st, 3),
				"rating", db_col_text(st, 4), "rating_label", task_rating_label(db_col_text(st, 4)),
				"rectification", rect));
		}
	}
	db_finalize(st);
	json_object_set_new(j, "supervisions", sups);
	json_object_set_new(j, "can_write", json_boolean(perm_has(c, "task.write", path)));
	json_object_set_new(j, "can_accept", json_boolean(perm_has(c, "task.accept", path)));
	if (rc != DB_OK) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Answer a refused write: roll back and send f. */
static void refuse(struct req *r, struct zb_fail *f)
{
	db_rollback(req_ctx(r)->db);
	resp_fail(r, f);
}

/* Parse and check the body: NULL when answered (400). */
static json_t *body_checked(struct req *r, const struct json_field *fields, int partial,
			    struct zb_fail *f)
{
	json_t *body;

	zb_fail_init(f);
	body = req_json(r, f);
	if (!body) {
		resp_fail(r, f);
		return NULL;
	}
	json_check(body, fields, partial, f);
	return body;
}

/* An item body into in (arena copies); fields absent stay as they are in `in`. */
static void read_item(struct req *r, const json_t *body, struct task_in *in)
{
	struct arena *a = &r->arena;

	if (json_object_get(body, "parent_id"))
		in->parent_id = json_int(body, "parent_id", 0);
	if (json_object_get(body, "code"))
		in->code = json_str_trim(a, body, "code", NULL);
	if (json_object_get(body, "title"))
		in->title = json_str_trim(a, body, "title", NULL);
	if (json_object_get(body, "owner_org_id"))
		in->owner_org_id = json_int(body, "owner_org_id", 0);
	if (json_object_get(body, "person_id"))
		in->person_id = json_int(body, "person_id", 0);
	if (json_object_get(body, "start_on"))
		in->start_on = json_str_trim(a, body, "start_on", NULL);
	if (json_object_get(body, "due_on"))
		in->due_on = json_str_trim(a, body, "due_on", NULL);
	if (json_object_get(body, "weight")) {
		in->has_weight = json_is_integer(json_object_get(body, "weight"));
		in->weight = json_int(body, "weight", 0);
	}
	if (json_object_get(body, "criteria"))
		in->criteria = json_str_trim(a, body, "criteria", NULL);
}

/* ---------------------------------------------------------------- lists */

/* Progress (roll-up of the top items), item count, overdue and done counts of a list. */
static int list_stats(struct db *db, int64_t list_id, const char *today, json_t *j)
{
	struct rollup_child ch[512];
	struct rollup_result rr;
	size_t n = 0;
	int64_t items = 0, overdue = 0, finished = 0;
	struct db_stmt *st = db_prepare(db, "SELECT progress, status, weight FROM task_items"
					" WHERE list_id = ? AND parent_id IS NULL AND archived_at IS NULL");
	int rc = st ? db_bind_int(st, 1, list_id) : DB_EGENERIC;

	while (rc >= 0 && (rc = db_step(st)) == DB_ROW && n < 512) {
		int s = task_status_parse(db_col_text(st, 1));
		ch[n].progress = (int)db_col_int(st, 0);
		ch[n].status = s < 0 ? TS_NOT_STARTED : (enum task_status)s;
		ch[n].has_weight = !db_col_isnull(st, 2);
		ch[n].weight = db_col_int(st, 2);
		ch[n].archived = 0;
		n++;
	}
	db_finalize(st);
	if (rc < 0)
		return rc;
	rc = db_query_int(db, &items, "SELECT COUNT(*) FROM task_items WHERE list_id = ? AND archived_at IS NULL",
			  "i", list_id);
	if (rc >= 0)
		rc = db_query_int(db, &overdue, "SELECT COUNT(*) FROM task_items WHERE list_id = ? AND"
				  " archived_at IS NULL AND status IN ('not_started', 'in_progress') AND"
				  " due_on IS NOT NULL AND due_on < ?", "is", list_id, today);
	if (rc >= 0)
		rc = db_query_int(db, &finished, "SELECT COUNT(*) FROM task_items WHERE list_id = ? AND"
				  " archived_at IS NULL AND status IN ('done', 'accepted')", "i", list_id);
	if (rc < 0)
		return rc;
	json_object_set_new(j, "progress", json_integer(task_rollup(ch, n, &rr) == 0 ? rr.progress : 0));
	json_object_set_new(j, "items", json_integer(items));
	json_object_set_new(j, "overdue", json_integer(overdue));
	json_object_set_new(j, "finished", json_integer(finished));
	return DB_OK;
}

/* A list row as JSON with its totals; NULL when missing. */
static json_t *list_json(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, "SELECT l.id, l.org_id, o.name, o.path, l.year, l.title, l.version,"
					" l.created_at FROM task_lists l JOIN orgs o ON o.id = l.org_id WHERE l.id = ?");
	json_t *j = NULL;
	char today[11];

	if (st && db_bind_int(st, 1, id) == DB_OK && db_step(st) == DB_ROW)
		j = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:I, s:s}", "id", (json_int_t)db_col_int(st, 0),
			      "org_id", (json_int_t)db_col_int(st, 1), "org_name", db_col_text(st, 2),
			      "org_path", db_col_text(st, 3), "year", (json_int_t)db_col_int(st, 4),
			      "title", db_col_text(st, 5), "version", (json_int_t)db_col_int(st, 6),
			      "created_at", db_col_text(st, 7));
	db_finalize(st);
	today_str(today);
	if (j && list_stats(db, id, today, j) != DB_OK) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* GET /tasks/lists?org=&year=: the lists in scope (org = that org's subtree), newest year first. */
void tasks_http_lists(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct db_stmt *st;
	const char *path, *like = NULL;
	int64_t year, ids[500];
	int n = 0, rc;
	json_t *items;

	zb_fail_init(&f);
	scope_for(c, "task.read", &s);
	year = req_query_int(r, "year", 0, 0, 2100, &f);
	path = org_scope_param(r, "org", &s, &f);
	if (path)
		like = arena_printf(&r->arena, "%s%%", path);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT l.id FROM task_lists l JOIN orgs o ON o.id = l.org_id"
		" WHERE %s AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT))"
		" AND (CAST(? AS INTEGER) = 0 OR l.year = ?) ORDER BY l.year DESC, o.path LIMIT 500",
		scope_sql(&r->arena, &s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		int idx = scope_bind(st, 1, &s);
		db_bind_text(st, idx++, like);
		db_bind_text(st, idx++, like);
		db_bind_int(st, idx++, year);
		db_bind_int(st, idx, year);
		while ((rc = db_step(st)) == DB_ROW && n < 500)
			ids[n++] = db_col_int(st, 0);
	}
	db_finalize(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	items = json_array();
	for (int i = 0; i < n; i++) {
		json_t *j = list_json(c->db, ids[i]);
		if (j)
			json_array_append_new(items, j);
	}
	resp_json(r, 200, json_pack("{s:o, s:i}", "items", items, "total", n));
}

/* POST /tasks/lists {org_id, year, title?}: a new list (409 when the org has one for the year). */
void tasks_http_list_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	struct scope s;
	struct org o;
	json_t *body = body_checked(r, list_fields, 0, &f);
	int64_t org_id, year, existing = 0, id;
	const char *title;

	if (!body)
		return;
	org_id = json_int(body, "org_id", 0);
	year = json_int(body, "year", 0);
	title = json_str_trim(&r->arena, body, "title", NULL);
	json_decref(body);
	scope_for(c, "task.read", &s);
	if (org_id && (org_load(c->db, org_id, &o) != 1 || !scope_contains(&s, o.path)))
		zb_fail_field(&f, "org_id", "组织不存在");
	else if (org_id && !perm_has(c, "task.write", o.path))
		zb_fail_field(&f, "org_id", "您无权为该组织制定任务清单");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (db_query_int(c->db, &existing, "SELECT id FROM task_lists WHERE org_id = ? AND year = ?", "ii",
			 org_id, year) < 0) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	if (existing) {
		app_conflict(r, "该组织本年度的任务清单已存在", list_json(c->db, existing));
		return;
	}
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	id = task_list_ensure(c->db, &r->app->keys, &who, org_id, (int)year, title);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	app_commit_answer(r, 201, list_json(c->db, id));
}

/* The list :id in the caller's task.read scope, else 404 (answered): its JSON, owned. */
static json_t *load_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, "id");
	json_t *j = id ? list_json(c->db, id) : NULL;

	scope_for(c, "task.read", &s);
	if (!j || !scope_contains(&s, json_string_value(json_object_get(j, "org_path")))) {
		json_decref(j);
		resp_error(r, ZB_ENOTFOUND, "任务清单不存在");
		return NULL;
	}
	return j;
}

/* GET /tasks/lists/:id?archived=1: the list with its items in tree order (archived ones only with archived=1). */
void tasks_http_list_get(struct req *r)
{
	struct ctx *c = req_ctx(r);
	json_t *j = load_list(r), *items;
	const char *arch = req_query(r, "archived");
	int rc;

	if (!j)
		return;
	items = items_where(c->db, &r->arena, arch && strcmp(arch, "1") == 0 ?
			    "WHERE i.list_id = ? ORDER BY i.sort, i.id" :
			    "WHERE i.list_id = ? AND i.archived_at IS NULL ORDER BY i.sort, i.id",
			    json_integer_value(json_object_get(j, "id")), &rc);
	if (rc != DB_OK) {
		json_decref(items);
		json_decref(j);
		app_db_fail(r, rc, 0);
		return;
	}
	json_object_set_new(j, "items_tree", tree_order(items));
	json_object_set_new(j, "can_write", json_boolean(perm_has(c, "task.write",
		json_string_value(json_object_get(j, "org_path")))));
	json_object_set_new(j, "can_accept", json_boolean(perm_has(c, "task.accept",
		json_string_value(json_object_get(j, "org_path")))));
	resp_json(r, 200, j);
}

/* Finish a write on item id: -> commit and answer its detail, or the error. */
static void finish(struct req *r, int rc, int64_t id, int status, struct zb_fail *f,
		   const char *stale_msg)
{
	struct db *db = req_ctx(r)->db;

	if (rc == TW_INVALID || (f && f->err)) {
		refuse(r, f);
		return;
	}
	if (f)
		zb_fail_release(f);
	if (rc == TW_STALE) {
		db_rollback(db);
		app_conflict(r, stale_msg, task_item_json(db, id));
		return;
	}
	if (rc < 0) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, status, item_detail(r, id));
}

/* POST /tasks/lists/:id/items: add an item (at the end of its parent's children). */
void tasks_http_item_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct task_in in;
	struct zb_fail f;
	json_t *l = load_list(r), *body;
	int64_t id;

	if (!l)
		return;
	if (!perm_has(c, "task.write", json_string_value(json_object_get(l, "org_path")))) {
		json_decref(l);
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该组织的任务清单");
		return;
	}
	memset(&in, 0, sizeof(in));
	in.list_id = json_integer_value(json_object_get(l, "id"));
	json_decref(l);
	body = body_checked(r, item_fields, 0, &f);
	if (!body)
		return;
	read_item(r, body, &in);
	json_decref(body);
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	if (f.err) {	/* add the module's own checks so one answer names every field */
		task_check(c->db, &in, 0, &f);
		refuse(r, &f);
		return;
	}
	app_who(r, &who);
	id = task_insert(c->db, &r->app->keys, &who, &in, &f);
	finish(r, id < 0 ? (int)id : id == 0 ? TW_INVALID : TW_OK, id, 201, &f, "");
}

/* ---------------------------------------------------------------- one item */

/* GET /tasks/items/:id */
void tasks_http_item_get(struct req *r)
{
	json_t *j, *d;

	if (!load_item(r, 0, 0, &j))
		return;
	d = item_detail(r, json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	if (!d) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, d);
}

/* The current item as a task_in (strings borrowed from j). */
static void in_from_json(const json_t *j, struct task_in *in)
{
	const json_t *w = json_object_get(j, "weight");

	memset(in, 0, sizeof(*in));
	in->list_id = json_integer_value(json_object_get(j, "list_id"));
	in->parent_id = json_integer_value(json_object_get(j, "parent_id"));
	in->code = json_string_value(json_object_get(j, "code"));
	in->title = json_string_value(json_object_get(j, "title"));
	in->owner_org_id = json_integer_value(json_object_get(j, "owner_org_id"));
	in->person_id = json_integer_value(json_object_get(j, "person_id"));
	in->start_on = json_string_value(json_object_get(j, "start_on"));
	in->due_on = json_string_value(json_object_get(j, "due_on"));
	in->has_weight = json_is_integer(w);
	in->weight = json_integer_value(w);
	in->criteria = json_string_value(json_object_get(j, "criteria"));
	in->answers_item_id = json_integer_value(json_object_get(j, "answers_item_id"));
}

/* PUT /tasks/items/:id {version, ...}: change the fields given (parent via /move). */
void tasks_http_item_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct task_in in;
	struct zb_fail f;
	json_t *cur, *body, *after;
	int64_t id, version, changes = 0;
	char now[32];
	int rc;

	if (!load_item(r, 0, 1, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	body = body_checked(r, update_fields, 1, &f);
	if (!body) {
		json_decref(cur);
		return;
	}
	if (!json_object_get(body, "version"))
		zb_fail_field(&f, "version", "版本号不能为空");
	if (json_object_get(body, "parent_id"))
		zb_fail_field(&f, "parent_id", "调整上级事项请使用“移动”");
	in_from_json(cur, &in);
	read_item(r, body, &in);
	version = json_int(body, "version", 0);
	json_decref(body);
	if (!json_is_null(json_object_get(cur, "archived_at")))
		zb_fail_field(&f, "item", "该事项已归档，不能修改");
	else if (strcmp(json_string_value(json_object_get(cur, "status")), "accepted") == 0)
		zb_fail_field(&f, "status", "该事项已验收，不能修改");
	if (!app_begin_write(r)) {
		json_decref(cur);
		zb_fail_release(&f);
		return;
	}
	rc = task_check(c->db, &in, id, &f);
	if (rc < 0 && !f.err) {
		json_decref(cur);
		app_db_fail(r, rc, 1);
		return;
	}
	if (f.err) {
		json_decref(cur);
		refuse(r, &f);
		return;
	}
	if (json_integer_value(json_object_get(cur, "version")) != version) {
		json_decref(cur);
		finish(r, TW_STALE, id, 200, &f, "任务事项已被他人修改，请刷新后重试");
		return;
	}
	ts_now(now);
	{
		struct db_stmt *st = db_prepare(c->db, "UPDATE task_items SET code = ?, title = ?, owner_org_id = ?,"
			" person_id = ?, start_on = ?, due_on = ?, weight = ?, criteria = ?, version = version + 1,"
			" updated_at = ? WHERE id = ? AND version = ?");
		rc = st ? DB_OK : DB_EGENERIC;
		if (st) {
			db_bind_text(st, 1, in.code);
			db_bind_text(st, 2, in.title);
			in.owner_org_id ? db_bind_int(st, 3, in.owner_org_id) : db_bind_null(st, 3);
			in.person_id ? db_bind_int(st, 4, in.person_id) : db_bind_null(st, 4);
			db_bind_text(st, 5, in.start_on);
			db_bind_text(st, 6, in.due_on);
			in.has_weight ? db_bind_int(st, 7, in.weight) : db_bind_null(st, 7);
			db_bind_text(st, 8, in.criteria ? in.criteria : "");
			db_bind_text(st, 9, now);
			db_bind_int(st, 10, id);
			db_bind_int(st, 11, version);
			rc = db_step(st);
			changes = db_changes(st);
			rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
		}
		db_finalize(st);
	}
	if (rc == DB_OK && changes == 0)
		rc = TW_STALE;
	app_who(r, &who);
	if (rc == DB_OK) {
		after = task_item_json(c->db, id);
		rc = task_log(c->db, &r->app->keys, &who, id, "update", cur, after);
		json_decref(after);
	}
	json_decref(cur);
	if (rc == DB_OK)
		rc = task_rollup_from(c->db, &r->app->keys, &who, id);
	finish(r, rc, id, 200, &f, "任务事项已被他人修改，请刷新后重试");
}

/* Read {version, ...} for a simple state change: 1 to go on. */
static int read_version(struct req *r, const struct json_field *fields, int64_t *version,
			const char **reason, const char **note)
{
	struct zb_fail f;
	json_t *body = body_checked(r, fields, 0, &f);

	if (!body)
		return 0;
	if (f.err) {
		json_decref(body);
		resp_fail(r, &f);
		return 0;
	}
	zb_fail_release(&f);
	*version = json_int(body, "version", 0);
	if (reason)
		*reason = json_str_trim(&r->arena, body, "reason", NULL);
	if (note)
		*note = json_str_trim(&r->arena, body, "note", NULL);
	json_decref(body);
	return 1;
}

/* POST /tasks/items/:id/archive {version, reason?}: the item and its sub-items are archived. */
void tasks_http_item_archive(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	json_t *cur;
	int64_t id, version, ids[1024];
	const char *reason = NULL;
	size_t n = 0, head = 0;
	char now[32];
	int rc = DB_OK;

	if (!load_item(r, 0, 1, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	if (!read_version(r, version_fields, &version, &reason, NULL)) {
		json_decref(cur);
		return;
	}
	if (!json_is_null(json_object_get(cur, "archived_at")) ||
	    json_integer_value(json_object_get(cur, "version")) != version) {
		app_conflict(r, "任务事项已被他人修改或已归档，请刷新后重试", cur);
		return;
	}
	json_decref(cur);
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	ids[n++] = id;
	while (rc == DB_OK && head < n) {
		struct db_stmt *st = db_prepare(c->db, "SELECT id FROM task_items WHERE parent_id = ?"
						" AND archived_at IS NULL");
		rc = st ? db_bind_int(st, 1, ids[head++]) : DB_EGENERIC;
		while (rc >= 0 && (rc = db_step(st)) == DB_ROW && n < 1024)
			ids[n++] = db_col_int(st, 0);
		db_finalize(st);
		rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
	}
	ts_now(now);
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		json_t *before = task_item_json(c->db, ids[i]), *after;
		rc = db_run(c->db, "UPDATE task_items SET archived_at = ?, version = version + 1, updated_at = ?"
			    " WHERE id = ? AND archived_at IS NULL", "ssi", now, now, ids[i]);
		if (rc == DB_OK) {
			after = task_item_json(c->db, ids[i]);
			if (reason)
				json_object_set_new(after, "reason", json_string(reason));
			rc = task_log(c->db, &r->app->keys, &who, ids[i], "archive", before, after);
			json_decref(after);
		}
		json_decref(before);
	}
	if (rc == DB_OK)
		rc = task_rollup_from(c->db, &r->app->keys, &who, id);
	finish(r, rc, id, 200, NULL, "");
}

/* POST /tasks/items/:id/split {version, parts:[...]}: the parts become the item's children. */
void tasks_http_item_split(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	json_t *cur, *body, *parts;
	int64_t id, version, kids = 0;
	struct task_in base, *ins;
	size_t n;
	int rc = DB_OK;

	if (!load_item(r, 0, 1, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	body = body_checked(r, split_fields, 0, &f);
	if (!body) {
		json_decref(cur);
		return;
	}
	version = json_int(body, "version", 0);
	parts = json_object_get(body, "parts");
	n = json_array_size(parts);
	if (json_is_array(parts) && (n < 2 || n > MAX_PARTS))
		zb_fail_field(&f, "parts", "拆分的子事项应为2到%d项", MAX_PARTS);
	in_from_json(cur, &base);
	base.parent_id = id;
	base.code = NULL;
	base.has_weight = 0;
	base.criteria = NULL;
	base.answers_item_id = 0;
	ins = arena_alloc(&r->arena, (n + 1) * sizeof(*ins));
	for (size_t i = 0; json_is_array(parts) && i < n && i < MAX_PARTS; i++) {
		json_t *p = json_array_get(parts, i);
		struct zb_fail pf;

		zb_fail_init(&pf);
		ins[i] = base;
		if (!json_is_object(p)) {
			zb_fail_field(&f, arena_printf(&r->arena, "parts[%zu]", i), "应为对象");
			continue;
		}
		json_check(p, part_fields, 0, &pf);
		read_item(r, p, &ins[i]);
		if (pf.fields) {
			const char *k;
			json_t *v;
			json_object_foreach(pf.fields, k, v)
				zb_fail_field(&f, arena_printf(&r->arena, "parts[%zu].%s", i, k), "%s",
					      json_string_value(v));
		}
		zb_fail_release(&pf);
	}
	json_decref(body);
	if (!json_is_null(json_object_get(cur, "archived_at")) ||
	    strcmp(json_string_value(json_object_get(cur, "status")), "accepted") == 0)
		zb_fail_field(&f, "item", "已归档或已验收的事项不能拆分");
	if (db_query_int(c->db, &kids, "SELECT COUNT(*) FROM task_items WHERE (parent_id = ? OR answers_item_id = ?)"
			 " AND archived_at IS NULL", "ii", id, id) < 0)
		rc = DB_EGENERIC;
	if (kids > 0)
		zb_fail_field(&f, "parts", "该事项已有子事项或已下发，请直接添加子事项");
	if (f.err || rc != DB_OK) {
		json_decref(cur);
		if (rc != DB_OK) {
			zb_fail_release(&f);
			app_db_fail(r, rc, 0);
		} else {
			resp_fail(r, &f);
		}
		return;
	}
	if (json_integer_value(json_object_get(cur, "version")) != version) {
		zb_fail_release(&f);
		app_conflict(r, "任务事项已被他人修改，请刷新后重试", cur);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(cur);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		struct zb_fail pf;
		int64_t cid;

		zb_fail_init(&pf);
		cid = task_insert(c->db, &r->app->keys, &who, &ins[i], &pf);
		if (cid < 0)
			rc = (int)cid;
		if (pf.fields) {
			const char *k;
			json_t *v;
			json_object_foreach(pf.fields, k, v)
				zb_fail_field(&f, arena_printf(&r->arena, "parts[%zu].%s", i, k), "%s",
					      json_string_value(v));
		}
		zb_fail_release(&pf);
	}
	if (rc == DB_OK && !f.err) {
		json_t *after;
		rc = db_run(c->db, "UPDATE task_items SET progress_source = 'rollup', version = version + 1"
			    " WHERE id = ?", "i", id);
		after = task_item_json(c->db, id);
		if (rc == DB_OK)
			rc = task_log(c->db, &r->app->keys, &who, id, "split", cur, after);
		json_decref(after);
	}
	json_decref(cur);
	finish(r, f.err ? TW_INVALID : rc, id, 200, &f, "");
}

/* POST /tasks/items/:id/move {version, parent_id?, position?}: re-parent within the list and/or reorder. */
void tasks_http_item_move(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	json_t *cur, *body, *after;
	int64_t id, version, list, old_parent, parent, pos, sib[2048];
	int has_parent, has_pos, rc = DB_OK;
	size_t n = 0;
	char now[32];

	if (!load_item(r, 0, 1, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	list = json_integer_value(json_object_get(cur, "list_id"));
	old_parent = json_integer_value(json_object_get(cur, "parent_id"));
	body = body_checked(r, move_fields, 0, &f);
	if (!body) {
		json_decref(cur);
		return;
	}
	has_parent = json_object_get(body, "parent_id") != NULL;
	has_pos = json_is_integer(json_object_get(body, "position"));
	parent = has_parent ? json_int(body, "parent_id", 0) : old_parent;
	pos = json_int(body, "position", 100000);
	version = json_int(body, "version", 0);
	json_decref(body);
	if (!has_parent && !has_pos)
		zb_fail_field(&f, "parent_id", "请指定新的上级事项或位置");
	/* the new parent: same list, live, not the item nor below it */
	for (int64_t p = parent, steps = 0; p && !f.err && steps < 256; steps++) {
		struct db_stmt *st = db_prepare(c->db, "SELECT list_id, parent_id, archived_at FROM task_items WHERE id = ?");
		int found = 0;
		if (p == id) {
			zb_fail_field(&f, "parent_id", "不能移到该事项自身或其子事项之下");
			db_finalize(st);
			break;
		}
		if (st && db_bind_int(st, 1, p) == DB_OK && db_step(st) == DB_ROW) {
			found = 1;
			if (db_col_int(st, 0) != list || (p == parent && !db_col_isnull(st, 2)))
				found = 0;
			p = db_col_int(st, 1);
		}
		db_finalize(st);
		if (!found) {
			zb_fail_field(&f, "parent_id", "上级事项不存在、已归档或不在本清单中");
			break;
		}
	}
	if (f.err) {
		json_decref(cur);
		resp_fail(r, &f);
		return;
	}
	if (json_integer_value(json_object_get(cur, "version")) != version ||
	    !json_is_null(json_object_get(cur, "archived_at"))) {
		zb_fail_release(&f);
		app_conflict(r, "任务事项已被他人修改或已归档，请刷新后重试", cur);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(cur);
		zb_fail_release(&f);
		return;
	}
	{
		struct db_stmt *st = db_prepare(c->db, "SELECT id FROM task_items WHERE list_id = ? AND id <> ? AND"
			" (CASE WHEN CAST(? AS INTEGER) = 0 THEN parent_id IS NULL ELSE parent_id = ? END)"
			" ORDER BY sort, id");
		rc = st ? DB_OK : DB_EGENERIC;
		if (st) {
			db_bindf(st, "iiii", list, id, parent, parent);
			while ((rc = db_step(st)) == DB_ROW && n < 2047)
				sib[n++] = db_col_int(st, 0);
			rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
		}
		db_finalize(st);
	}
	if (pos > (int64_t)n)
		pos = (int64_t)n;
	memmove(sib + pos + 1, sib + pos, (n - (size_t)pos) * sizeof(sib[0]));
	sib[pos] = id;
	n++;
	ts_now(now);
	for (size_t i = 0; rc == DB_OK && i < n; i++)
		if (sib[i] != id)
			rc = db_run(c->db, "UPDATE task_items SET sort = ? WHERE id = ?", "ii",
				    (int64_t)(i + 1) * 10, sib[i]);
	if (rc == DB_OK) {
		int64_t changes = 0;
		if (parent)
			rc = db_run_changes(c->db, &changes, "UPDATE task_items SET parent_id = ?, sort = ?,"
					    " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
					    "iisii", parent, (int64_t)(pos + 1) * 10, now, id, version);
		else
			rc = db_run_changes(c->db, &changes, "UPDATE task_items SET parent_id = NULL, sort = ?,"
					    " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
					    "isii", (int64_t)(pos + 1) * 10, now, id, version);
		if (rc == DB_OK && changes == 0)
			rc = TW_STALE;
	}
	app_who(r, &who);
	if (rc == DB_OK) {
		after = task_item_json(c->db, id);
		rc = task_log(c->db, &r->app->keys, &who, id, "move", cur, after);
		json_decref(after);
	}
	json_decref(cur);
	if (rc == DB_OK && old_parent && old_parent != parent)
		rc = task_rollup_at(c->db, &r->app->keys, &who, old_parent);
	if (rc == DB_OK)
		rc = task_rollup_from(c->db, &r->app->keys, &who, id);
	finish(r, rc, id, 200, &f, "任务事项已被他人修改，请刷新后重试");
}

/* The scope check task_push asks for each org. */
static int can_write_org(void *arg, const char *path)
{
	return perm_has(req_ctx((struct req *)arg), "task.write", path);
}

/* POST /tasks/items/:id/push {org_ids, due_on?}: one answering item in each org's list, at once. */
void tasks_http_item_push(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	json_t *cur, *body, *arr, *out;
	int64_t id, orgs[MAX_PUSH], made[MAX_PUSH];
	const char *due;
	size_t n = 0;
	int rc;

	if (!load_item(r, 0, 1, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	json_decref(cur);
	body = body_checked(r, push_fields, 0, &f);
	if (!body)
		return;
	arr = json_object_get(body, "org_ids");
	if (json_is_array(arr) && json_array_size(arr) > MAX_PUSH)
		zb_fail_field(&f, "org_ids", "一次最多下发%d个组织", MAX_PUSH);
	for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr) && i < MAX_PUSH; i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			zb_fail_field(&f, "org_ids", "下发组织应为组织编号的列表");
			break;
		}
		orgs[n++] = json_integer_value(v);
	}
	due = json_str_trim(&r->arena, body, "due_on", NULL);
	json_decref(body);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = task_push(c->db, &r->app->keys, &who, id, orgs, n, due, can_write_org, r, made, &f);
	if (rc == TW_INVALID || f.err) {
		refuse(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (rc < 0) {
		app_db_fail(r, rc, 1);
		return;
	}
	out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, task_item_json(c->db, made[i]));
	app_commit_answer(r, 201, json_pack("{s:o, s:o}", "items", out, "item", item_detail(r, id)));
}

/* POST /tasks/items/:id/progress: a progress report with optional evidence files. */
void tasks_http_item_progress(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct task_report rep;
	struct zb_fail f;
	json_t *cur, *body;
	int64_t id, rid, *files = NULL;
	long nf = 0;

	if (!load_item(r, 0, 1, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	json_decref(cur);
	body = body_checked(r, progress_fields, 0, &f);
	if (!body)
		return;
	memset(&rep, 0, sizeof(rep));
	rep.reported_on = json_str_trim(&r->arena, body, "reported_on", NULL);
	rep.has_progress = json_is_integer(json_object_get(body, "progress"));
	rep.progress = (int)json_int(body, "progress", 0);
	rep.status = json_str_trim(&r->arena, body, "status", NULL);
	rep.text = json_str_trim(&r->arena, body, "text", NULL);
	rep.reason = json_str_trim(&r->arena, body, "reason", NULL);
	if (json_is_array(json_object_get(body, "files"))) {
		nf = files_ids_from_json(json_object_get(body, "files"), &r->arena, &files, "files", &f);
		if (nf > 0) {
			rep.files = files;
			rep.nfiles = (size_t)nf;
		}
	}
	json_decref(body);
	if (f.err && !(f.fields && json_object_size(f.fields) > 0)) {
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	{
		struct ymd t = date_today_cn();
		rid = task_report_add(c->db, &r->app->keys, &who, id, &rep, date_to_days(t), &f);
	}
	if (rid == 0 || f.err) {
		refuse(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (rid < 0) {
		app_db_fail(r, (int)rid, 1);
		return;
	}
	app_commit_answer(r, 201, json_pack("{s:I, s:o}", "report_id", (json_int_t)rid,
					    "item", item_detail(r, id)));
}

/* POST /tasks/items/:id/accept {version, note?}: the township accepts a done item. */
void tasks_http_item_accept(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	json_t *cur;
	int64_t id, version;
	const char *note = NULL;
	char today[11];
	int rc;

	if (!load_item(r, 0, 0, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	if (!perm_has(c, "task.accept", item_path(cur))) {
		json_decref(cur);
		zb_fail_init(&f);
		zb_fail_set(&f, ZB_EFORBIDDEN, "只有镇党委可以验收任务事项");
		zb_fail_field(&f, "status", "只有镇党委可以验收，支部可报告完成");
		f.err = ZB_EFORBIDDEN;
		resp_fail(r, &f);
		return;
	}
	json_decref(cur);
	if (!read_version(r, version_fields, &version, NULL, &note))
		return;
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	today_str(today);
	zb_fail_init(&f);
	rc = task_accept(c->db, &r->app->keys, &who, id, version, today, note, &f);
	finish(r, rc, id, 200, &f, "任务事项已被他人修改，请刷新后重试");
}

/* POST /tasks/items/:id/supervisions: a supervision (township only), optionally demanding a rectification. */
void tasks_http_item_supervise(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct task_supervision sv;
	struct zb_fail f;
	json_t *cur, *body, *rect;
	int64_t id, sid;

	if (!load_item(r, 0, 0, &cur))
		return;
	id = json_integer_value(json_object_get(cur, "id"));
	if (!perm_has(c, "task.accept", item_path(cur))) {
		json_decref(cur);
		resp_error(r, ZB_EFORBIDDEN, "只有镇党委可以登记督查");
		return;
	}
	json_decref(cur);
	body = body_checked(r, supervise_fields, 0, &f);
	if (!body)
		return;
	memset(&sv, 0, sizeof(sv));
	sv.held_on = json_str_trim(&r->arena, body, "held_on", NULL);
	sv.inspector = json_str_trim(&r->arena, body, "inspector", NULL);
	sv.found = json_str_trim(&r->arena, body, "found", NULL);
	sv.rating = json_str_trim(&r->arena, body, "rating", NULL);
	rect = json_object_get(body, "rectification");
	if (json_is_object(rect)) {
		struct zb_fail rf;
		zb_fail_init(&rf);
		json_check(rect, rect_fields, 0, &rf);
		if (rf.fields) {
			const char *k;
			json_t *v;
			json_object_foreach(rf.fields, k, v)
				zb_fail_field(&f, arena_printf(&r->arena, "rectification.%s", k), "%s",
					      json_string_value(v));
		}
		zb_fail_release(&rf);
		sv.requirement = json_str_trim(&r->arena, rect, "requirement", "");
		sv.deadline = json_str_trim(&r->arena, rect, "deadline", NULL);
	}
	json_decref(body);
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	if (f.err) {
		task_supervise(c->db, &r->app->keys, &who, id, &sv, &f);
		refuse(r, &f);
		return;
	}
	sid = task_supervise(c->db, &r->app->keys, &who, id, &sv, &f);
	finish(r, sid < 0 ? (int)sid : sid == 0 ? TW_INVALID : TW_OK, id, 201, &f, "");
}

/* POST /tasks/rectifications/:id/complete {version, outcome, done_on}: the branch records the outcome. */
void tasks_http_rect_complete(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	json_t *cur, *body, *after;
	int64_t rid = req_param_id(r, "id"), item = 0, version, changes = 0;
	const char *outcome, *done_on;
	char now[32];
	int rc;

	if (rid && db_query_int(c->db, &item, "SELECT item_id FROM task_rectifications WHERE id = ?", "i",
				rid) < 0) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	if (!item) {
		resp_error(r, ZB_ENOTFOUND, "整改记录不存在");
		return;
	}
	if (!load_item(r, item, 1, &cur))
		return;
	body = body_checked(r, complete_fields, 0, &f);
	if (!body) {
		json_decref(cur);
		return;
	}
	version = json_int(body, "version", 0);
	outcome = json_str_trim(&r->arena, body, "outcome", NULL);
	done_on = json_str_trim(&r->arena, body, "done_on", NULL);
	json_decref(body);
	if (done_on) {
		char today[11];
		today_str(today);
		if (strcmp(done_on, today) > 0)
			zb_fail_field(&f, "done_on", "完成日期不能晚于今天");
	}
	if (f.err) {
		json_decref(cur);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(cur);
		zb_fail_release(&f);
		return;
	}
	ts_now(now);
	rc = db_run_changes(c->db, &changes, "UPDATE task_rectifications SET outcome = ?, done_on = ?,"
			    " version = version + 1, updated_at = ? WHERE id = ? AND version = ?", "sssii",
			    outcome, done_on, now, rid, version);
	if (rc == DB_OK && changes == 0)
		rc = TW_STALE;
	app_who(r, &who);
	if (rc == DB_OK) {
		after = json_pack("{s:I, s:s, s:s}", "rectification_id", (json_int_t)rid, "outcome", outcome,
				  "done_on", done_on);
		rc = task_log(c->db, &r->app->keys, &who, item, "rectified", NULL, after);
		json_decref(after);
	}
	json_decref(cur);
	finish(r, rc, item, 200, &f, "整改记录已被他人修改，请刷新后重试");
}

/* GET /tasks/items/:id/history: every change of the item, newest first. */
void tasks_http_item_history(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct db_stmt *st;
	json_t *cur, *items = json_array();
	int64_t id;
	int rc;

	if (!load_item(r, 0, 0, &cur)) {
		json_decref(items);
		return;
	}
	id = json_integer_value(json_object_get(cur, "id"));
	json_decref(cur);
	st = db_prepare(c->db, "SELECT id, at, username, action, before_json, after_json FROM task_history"
			" WHERE item_id = ? ORDER BY id DESC LIMIT 1000");
	rc = st ? db_bind_int(st, 1, id) : DB_EGENERIC;
	while (rc >= 0 && (rc = db_step(st)) == DB_ROW) {
		const char *b = db_col_text(st, 4), *a = db_col_text(st, 5);
		json_t *bj = b ? json_loads(b, 0, NULL) : NULL, *aj = a ? json_loads(a, 0, NULL) : NULL;
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}",
			"id", (json_int_t)db_col_int(st, 0), "at", db_col_text(st, 1),
			"username", db_col_text(st, 2), "action", db_col_text(st, 3),
			"before", bj ? bj : json_null(), "after", aj ? aj : json_null()));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items)));
}
