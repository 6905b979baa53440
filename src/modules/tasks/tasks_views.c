/* tasks_views.c - the views over task lists (my items, a branch board, the township overview) and the tasks' findings for the rules engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tasks.h"
#include "tasks_internal.h"
#include "../orgs/orgs.h"
#include "../rules/findings.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"

/* ---------------------------------------------------------------- findings */

/* days -> "YYYY-MM-DD" in the arena. */
static const char *day_str(struct arena *a, int64_t days)
{
	char buf[11];

	date_format(date_from_days(days), buf);
	return arena_strdup(a, buf);
}

static int64_t text_days(const char *s)
{
	struct ymd d;
	char day[11];

	if (!s || strlen(s) < 10)
		return -1;
	memcpy(day, s, 10);
	day[10] = '\0';
	return date_parse_iso(day, &d) == 0 ? date_to_days(d) : -1;
}

static const char SQL_OPEN_ITEMS[] =
	"SELECT i.id, i.code, i.title, i.due_on, i.last_report_on, i.start_on, i.created_at,"
	" o.id, o.path, o.name, l.year, lo.name"
	" FROM task_items i JOIN task_lists l ON l.id = i.list_id JOIN orgs lo ON lo.id = l.org_id"
	" JOIN orgs o ON o.id = COALESCE(i.owner_org_id, l.org_id)"
	" WHERE i.archived_at IS NULL AND i.status IN ('not_started', 'in_progress')"
	" AND i.progress_source = 'reported'"
	/* a leaf, and no sub-item answers it (both lists built once, see tasks.h) */
	" AND" TASK_ITEM_IS_LEAF("i")
	" AND i.id NOT IN (SELECT c.answers_item_id FROM task_items c WHERE c.answers_item_id IS NOT NULL"
	" AND c.archived_at IS NULL)"
	" AND %s AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT)) ORDER BY o.path, i.id";

static const char SQL_LATE_RECTS[] =
	"SELECT r.id, r.requirement, r.deadline, i.id, i.code, i.title, o.id, o.path, o.name"
	" FROM task_rectifications r JOIN task_items i ON i.id = r.item_id"
	" JOIN task_lists l ON l.id = i.list_id JOIN orgs o ON o.id = COALESCE(i.owner_org_id, l.org_id)"
	" WHERE r.done_on IS NULL AND r.deadline < ? AND i.archived_at IS NULL"
	" AND %s AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT)) ORDER BY o.path, r.id";

/*
 * Leaf items still open: overdue when the due day has passed, else stale
 * when nothing was reported for tasks_stale_days (counted from the last
 * report, the start day or the day it was created). Then rectifications
 * past their deadline.
 */
int tasks_findings(const struct findings_query *q, struct findings *out)
{
	struct task_clock tc;
	struct db_stmt *st;
	const char *today = day_str(q->a, q->as_of);
	int rc, idx;

	task_clock_load(q->db, &tc);
	st = db_prepare(q->db, arena_printf(q->a, SQL_OPEN_ITEMS, scope_sql(q->a, q->s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		idx = scope_bind(st, 1, q->s);
		db_bind_text(st, idx++, q->path_like);
		db_bind_text(st, idx, q->path_like);
	}
	while (rc >= 0 && (rc = db_step(st)) == DB_ROW) {
		struct finding f;
		int64_t due = text_days(db_col_text(st, 3)), since = text_days(db_col_text(st, 4));
		int64_t start = text_days(db_col_text(st, 5));

		if (since < 0)
			since = start >= 0 ? start : text_days(db_col_text(st, 6));
		memset(&f, 0, sizeof(f));
		f.org_id = db_col_int(st, 7);
		f.org_path = db_col_text(st, 8);
		f.org_name = db_col_text(st, 9);
		f.subject = "task";
		f.what = db_col_text(st, 1);
		f.what_label = db_col_text(st, 2);
		f.period = arena_printf(q->a, "%lld年", (long long)db_col_int(st, 10));
		f.link = arena_printf(q->a, "/tasks/items/%lld", (long long)db_col_int(st, 0));
		if (due >= 0 && due < q->as_of) {
			f.code = "overdue";
			f.label = "逾期";
			f.severity = q->as_of - due > 30 ? RULE_HIGH : RULE_MEDIUM;
			f.date = db_col_text(st, 3);
			f.text = arena_printf(q->a, "%s：任务“%s %s”（%s清单）完成时限 %s 已过，尚未完成",
					      f.org_name, f.what, f.what_label, db_col_text(st, 11), f.date);
		} else if (since >= 0 && (start < 0 || start <= q->as_of) &&
			   q->as_of - since > tc.stale_days) {
			f.code = "stale";
			f.label = "未报进度";
			f.severity = RULE_LOW;
			f.date = day_str(q->a, since + tc.stale_days);
			f.text = arena_printf(q->a, "%s：任务“%s %s”已超过%d天未报告进度",
					      f.org_name, f.what, f.what_label, tc.stale_days);
		} else {
			continue;
		}
		if (findings_add(out, &f) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;

	st = db_prepare(q->db, arena_printf(q->a, SQL_LATE_RECTS, scope_sql(q->a, q->s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		db_bind_text(st, 1, today);
		idx = scope_bind(st, 2, q->s);
		db_bind_text(st, idx++, q->path_like);
		db_bind_text(st, idx, q->path_like);
	}
	while (rc >= 0 && (rc = db_step(st)) == DB_ROW) {
		struct finding f;

		memset(&f, 0, sizeof(f));
		f.org_id = db_col_int(st, 6);
		f.org_path = db_col_text(st, 7);
		f.org_name = db_col_text(st, 8);
		f.subject = "task";
		f.code = "rectification_overdue";
		f.label = "整改逾期";
		f.severity = RULE_HIGH;
		f.date = db_col_text(st, 2);
		f.what = db_col_text(st, 4);
		f.what_label = db_col_text(st, 5);
		f.link = arena_printf(q->a, "/tasks/items/%lld", (long long)db_col_int(st, 3));
		f.text = arena_printf(q->a, "%s：任务“%s %s”督查整改“%s”时限 %s 已过，尚未整改完成",
				      f.org_name, f.what, f.what_label, db_col_text(st, 1), f.date);
		if (findings_add(out, &f) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* ---------------------------------------------------------------- views */

/* The year asked for, else the latest year of a list in scope (else this year). */
static int64_t view_year(struct req *r, const struct scope *s, struct zb_fail *f)
{
	int64_t y = req_query_int(r, "year", 0, 2000, 2100, f), latest = 0;
	struct db_stmt *st;

	if (y)
		return y;
	st = db_prepare(req_ctx(r)->db, arena_printf(&r->arena, "SELECT MAX(l.year) FROM task_lists l JOIN orgs o"
			" ON o.id = l.org_id WHERE %s", scope_sql(&r->arena, s, "o.path")));
	if (st) {
		scope_bind(st, 1, s);
		if (db_step(st) == DB_ROW)
			latest = db_col_int(st, 0);
	}
	db_finalize(st);
	return latest ? latest : date_today_cn().y;
}

/*
 * GET /tasks/my?year=: the open items (not accepted, not archived) owned by
 * the caller's orgs - the account's own org and the orgs of its grants - in
 * the caller's scope, due first. Accounts are not linked to people, so
 * "mine" is by org.
 */
void tasks_http_my(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct task_clock tc;
	struct zb_fail f;
	struct scope s;
	struct db_stmt *st;
	struct db_params p = { 0 };
	struct buf in;
	int64_t year, uorg = 0;
	json_t *items = json_array();
	int rc;

	zb_fail_init(&f);
	scope_for(c, "task.read", &s);
	year = req_query_int(r, "year", 0, 2000, 2100, &f);
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	db_query_int(c->db, &uorg, "SELECT org_id FROM users WHERE id = ?", "i", c->user_id);
	buf_init(&in, 4096);
	buf_puts(&in, "?");
	db_param_int(&p, uorg);
	for (int i = 0; i < c->ngrants; i++) {
		buf_puts(&in, ", ?");
		db_param_int(&p, c->grants[i].org_id);
	}
	task_clock_load(c->db, &tc);
	st = db_prepare(c->db, arena_printf(&r->arena, "%sWHERE i.archived_at IS NULL AND i.status <> 'accepted'"
		" AND COALESCE(i.owner_org_id, l.org_id) IN (%s) AND %s AND (CAST(? AS INTEGER) = 0 OR l.year = ?)"
		" ORDER BY CASE WHEN i.due_on IS NULL THEN 1 ELSE 0 END, i.due_on, i.id LIMIT 300",
		TASK_ITEM_SELECT, in.data, scope_sql(&r->arena, &s, "lo.path")));
	buf_release(&in);
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		int idx = db_params_bind(st, &p);
		idx = scope_bind(st, idx, &s);
		db_bind_int(st, idx++, year);
		db_bind_int(st, idx, year);
	}
	while (rc >= 0 && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, task_row_json(st, &tc));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items)));
}

/* Totals of an array of item JSON: progress of the top items, counts by status, overdue, light. */
static json_t *totals(const json_t *items, int64_t rect_late)
{
	struct rollup_child ch[512];
	struct rollup_result rr;
	size_t n = 0, i;
	int64_t by[4] = { 0, 0, 0, 0 }, overdue = 0, yellow = 0, total = 0;
	json_t *it;

	json_array_foreach(items, i, it) {
		int s = task_status_parse(json_string_value(json_object_get(it, "status")));
		const json_t *w = json_object_get(it, "weight");
		if (!json_is_null(json_object_get(it, "archived_at")))
			continue;
		total++;
		if (s >= 0)
			by[s]++;
		overdue += json_is_true(json_object_get(it, "overdue"));
		yellow += strcmp(json_string_value(json_object_get(it, "light")), "yellow") == 0;
		if (json_is_null(json_object_get(it, "parent_id")) && n < 512) {
			ch[n].progress = (int)json_integer_value(json_object_get(it, "progress"));
			ch[n].status = s < 0 ? TS_NOT_STARTED : (enum task_status)s;
			ch[n].has_weight = json_is_integer(w);
			ch[n].weight = json_integer_value(w);
			ch[n].archived = 0;
			n++;
		}
	}
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
			 "progress", task_rollup(ch, n, &rr) == 0 ? rr.progress : 0,
			 "items", (json_int_t)total, "not_started", (json_int_t)by[0],
			 "in_progress", (json_int_t)by[1], "done", (json_int_t)by[2],
			 "accepted", (json_int_t)by[3], "overdue", (json_int_t)overdue,
			 "rectifications_overdue", (json_int_t)rect_late,
			 "light", overdue > 0 || rect_late > 0 ? "red" : yellow > 0 ? "yellow" : "green");
}

/* The live items of a list as JSON, and its rectifications past their deadline. */
static json_t *list_items(struct db *db, struct arena *a, int64_t list_id, int64_t *rect_late, int *rc)
{
	struct task_clock tc;
	struct db_stmt *st;
	json_t *arr = json_array();
	char today[11];

	task_clock_load(db, &tc);
	date_format(date_from_days(tc.today), today);
	st = db_prepare(db, arena_printf(a, "%sWHERE i.list_id = ? AND i.archived_at IS NULL ORDER BY i.sort, i.id",
					 TASK_ITEM_SELECT));
	*rc = st ? db_bind_int(st, 1, list_id) : DB_EGENERIC;
	while (*rc >= 0 && (*rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, task_row_json(st, &tc));
	db_finalize(st);
	*rc = *rc == DB_DONE ? DB_OK : *rc < 0 ? *rc : DB_EGENERIC;
	*rect_late = 0;
	if (*rc == DB_OK && db_query_int(db, rect_late, "SELECT COUNT(*) FROM task_rectifications r JOIN task_items i"
					" ON i.id = r.item_id WHERE i.list_id = ? AND r.done_on IS NULL AND r.deadline < ?"
					" AND i.archived_at IS NULL", "is", list_id, today) < 0)
		*rc = DB_EGENERIC;
	return arr;
}

/*
 * GET /tasks/board?org=&year=: one org's list (default: the caller's own
 * org) grouped by status - columns not_started, in_progress, done,
 * accepted - with its totals. 404 when the org is outside the scope or has
 * no list that year.
 */
void tasks_http_board(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct org o;
	int64_t org_id, year, list = 0, late = 0;
	json_t *items, *cols, *it;
	size_t i;
	int rc;

	zb_fail_init(&f);
	scope_for(c, "task.read", &s);
	org_id = req_query_int(r, "org", 0, 1, INT64_MAX, &f);
	year = view_year(r, &s, &f);
	if (!org_id)
		db_query_int(c->db, &org_id, "SELECT org_id FROM users WHERE id = ?", "i", c->user_id);
	if (!f.err && (org_load(c->db, org_id, &o) != 1 || !scope_contains(&s, o.path)))
		zb_fail_set(&f, ZB_ENOTFOUND, "组织不存在");
	if (!f.err && db_query_int(c->db, &list, "SELECT id FROM task_lists WHERE org_id = ? AND year = ?", "ii",
				   org_id, year) >= 0 && !list)
		zb_fail_set(&f, ZB_ENOTFOUND, "该组织%lld年尚无任务清单", (long long)year);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	items = list_items(c->db, &r->arena, list, &late, &rc);
	if (rc != DB_OK) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	cols = json_pack("{s:[], s:[], s:[], s:[]}", "not_started", "in_progress", "done", "accepted");
	json_array_foreach(items, i, it)
		json_array_append(json_object_get(cols, json_string_value(json_object_get(it, "status"))), it);
	resp_json(r, 200, json_pack("{s:I, s:I, s:s, s:I, s:o, s:o, s:b}", "list_id", (json_int_t)list,
				    "org_id", (json_int_t)org_id, "org_name", o.name, "year", (json_int_t)year,
				    "totals", totals(items, late), "columns", cols,
				    "can_write", perm_has(c, "task.write", o.path)));
	json_decref(items);
}

/*
 * GET /tasks/overview?year=: for the township. by_branch: every list in
 * scope that year with its totals and light, in org order. by_task: the
 * top items of the lists of the caller's top orgs, each with the items
 * answering it in the branches (progress, status, overdue, light).
 */
void tasks_http_overview(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct db_stmt *st;
	struct task_clock tc;
	int64_t year, ids[512], top_lists[CTX_MAX_GRANTS];
	int n = 0, ntop = 0, rc;
	json_t *by_branch = json_array(), *by_task = json_array();

	zb_fail_init(&f);
	scope_for(c, "task.read", &s);
	year = view_year(r, &s, &f);
	if (f.err) {
		json_decref(by_branch);
		json_decref(by_task);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT l.id, o.path FROM task_lists l JOIN orgs o ON o.id = l.org_id"
		" WHERE %s AND l.year = ? ORDER BY o.path", scope_sql(&r->arena, &s, "o.path")));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		int idx = scope_bind(st, 1, &s);
		db_bind_int(st, idx, year);
	}
	while (rc >= 0 && (rc = db_step(st)) == DB_ROW && n < 512) {
		ids[n++] = db_col_int(st, 0);
		for (int k = 0; k < s.n && ntop < CTX_MAX_GRANTS; k++)
			if (strcmp(s.paths[k], db_col_text(st, 1)) == 0)
				top_lists[ntop++] = db_col_int(st, 0);
	}
	db_finalize(st);
	rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
	for (int i = 0; rc == DB_OK && i < n; i++) {
		int64_t late = 0;
		json_t *items = list_items(c->db, &r->arena, ids[i], &late, &rc);
		struct db_stmt *ls;
		if (rc != DB_OK) {
			json_decref(items);
			break;
		}
		ls = db_prepare(c->db, "SELECT l.org_id, o.name, o.kind, l.title FROM task_lists l JOIN orgs o"
				" ON o.id = l.org_id WHERE l.id = ?");
		if (ls && db_bind_int(ls, 1, ids[i]) == DB_OK && db_step(ls) == DB_ROW) {
			json_t *t = totals(items, late);
			json_object_set_new(t, "list_id", json_integer(ids[i]));
			json_object_set_new(t, "org_id", json_integer(db_col_int(ls, 0)));
			json_object_set_new(t, "org_name", json_string(db_col_text(ls, 1)));
			json_object_set_new(t, "org_kind", json_string(db_col_text(ls, 2)));
			json_object_set_new(t, "title", json_string(db_col_text(ls, 3)));
			json_array_append_new(by_branch, t);
		}
		db_finalize(ls);
		json_decref(items);
	}
	task_clock_load(c->db, &tc);
	for (int i = 0; rc == DB_OK && i < ntop; i++) {
		json_t *tops = json_array();
		st = db_prepare(c->db, arena_printf(&r->arena, "%sWHERE i.list_id = ? AND i.parent_id IS NULL AND"
			" i.archived_at IS NULL ORDER BY i.sort, i.id", TASK_ITEM_SELECT));
		rc = st ? db_bind_int(st, 1, top_lists[i]) : DB_EGENERIC;
		while (rc >= 0 && (rc = db_step(st)) == DB_ROW)
			json_array_append_new(tops, task_row_json(st, &tc));
		db_finalize(st);
		rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
		for (size_t k = 0; rc == DB_OK && k < json_array_size(tops); k++) {
			json_t *t = json_array_get(tops, k), *ans = json_array();
			int64_t od = 0, fin = 0;
			st = db_prepare(c->db, arena_printf(&r->arena, "%sWHERE i.answers_item_id = ? AND"
				" i.archived_at IS NULL ORDER BY lo.path", TASK_ITEM_SELECT));
			rc = st ? db_bind_int(st, 1, json_integer_value(json_object_get(t, "id"))) : DB_EGENERIC;
			while (rc >= 0 && (rc = db_step(st)) == DB_ROW) {
				json_t *a = task_row_json(st, &tc);
				int as = task_status_parse(json_string_value(json_object_get(a, "status")));
				od += json_is_true(json_object_get(a, "overdue"));
				fin += as >= TS_DONE;
				json_array_append_new(ans, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
					"id", json_object_get(a, "id"), "org_id", json_object_get(a, "list_org_id"),
					"org_name", json_object_get(a, "list_org_name"),
					"progress", json_object_get(a, "progress"), "status", json_object_get(a, "status"),
					"status_label", json_object_get(a, "status_label"),
					"overdue", json_object_get(a, "overdue"), "light", json_object_get(a, "light")));
				json_decref(a);
			}
			db_finalize(st);
			rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
			json_object_set_new(t, "answered_by", ans);
			json_object_set_new(t, "branches", json_integer((json_int_t)json_array_size(ans)));
			json_object_set_new(t, "branches_overdue", json_integer(od));
			json_object_set_new(t, "branches_finished", json_integer(fin));
			if (od > 0)
				json_object_set_new(t, "light", json_string("red"));
		}
		json_array_extend(by_task, tops);
		json_decref(tops);
	}
	if (rc != DB_OK) {
		json_decref(by_branch);
		json_decref(by_task);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:I, s:o, s:o}", "year", (json_int_t)year, "by_branch", by_branch,
				    "by_task", by_task));
}
