/* deeds_http.c - /api/v1/deeds (list, intake, one request, its actions, figures, due periods) and the public request page's /api/v1/public/requests. */
#include <stdlib.h>
#include <string.h>
#include "grid.h"
#include "grid_internal.h"
#include "deeds_internal.h"
#include "../orgs/orgs.h"
#include "../../auth/perm.h"
#include "../../base/date.h"
#include "../../base/json.h"

/* ---------------------------------------------------------------- access */

/*
 * The deed :id readable by the caller (404 otherwise, like a missing one);
 * with `write`, the caller must also be able to handle it (403): staff and
 * secretaries in their subtree, grid workers on their own grids; members
 * take requests in but do not handle them.
 */
static int load_deed(struct req *r, int write, struct deed_ref *d)
{
	struct db *db = req_ctx(r)->db;
	int64_t id = req_param_id(r, "id");
	int rc = id ? deed_ref_load(db, id, d) : 0;

	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	if (rc == 0 || !grid_can(r, "deed.read", d->org_path, d->grid_id, d->created_by, 0)) {
		resp_error(r, ZB_ENOTFOUND, "诉求不存在");
		return 0;
	}
	if (write && !grid_can(r, "deed.write", d->org_path, d->grid_id, 0, 0)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权办理该诉求");
		return 0;
	}
	return 1;
}

static json_t *deed_for(struct req *r, int64_t id)
{
	struct deed_ref d;
	json_t *j = deed_json(req_ctx(r)->db, id, 1);

	if (j && deed_ref_load(req_ctx(r)->db, id, &d) == 1)
		json_object_set_new(j, "can_write", json_boolean(grid_can(r, "deed.write", d.org_path,
									  d.grid_id, 0, 0)));
	return j;
}

/* ---------------------------------------------------------------- list */

/* GET /deeds?org=&grid=&household=&status=&category=&from=&to=&overdue=1&q=&page=&page_size= */
void deeds_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct db_params p = { 0 };
	struct zb_fail f;
	const char *path, *from, *to, *status = req_query(r, "status"), *cat = req_query(r, "category");
	const char *q = req_query(r, "q"), *scope, *overdue = req_query(r, "overdue");
	int64_t page, page_size, grid, hh, total = 0;
	char today[11];
	struct buf w;
	struct db_stmt *st;
	json_t *items = json_array();
	int64_t ids[100];
	int n = 0, rc;

	zb_fail_init(&f);
	path = grid_org_param(r, "deed.read", &f);
	grid = req_query_int(r, "grid", 0, 0, INT64_MAX, &f);
	hh = req_query_int(r, "household", 0, 0, INT64_MAX, &f);
	from = req_query_date(r, "from", "起始日期", &f);
	to = req_query_date(r, "to", "截止日期", &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 100, &f);
	if (status && *status && strcmp(status, "open") != 0 && strcmp(status, "done") != 0 &&
	    !deed_status_label(status))
		zb_fail_field(&f, "status", "状态应为 registered、accepted、in_progress、closed、followed_up、open 或 done");
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	grid_today(today);
	scope = grid_scope_sql(r, "deed.read", "o.path", "d.grid_id", "d.created_by", &p);
	buf_init(&w, 0);
	buf_printf(&w, " FROM deeds d JOIN orgs o ON o.id = d.org_id WHERE %s", scope);
	if (path) {
		buf_puts(&w, " AND o.path LIKE ?");
		db_param_text(&p, arena_printf(&r->arena, "%s%%", path));
	}
	if (grid) {
		buf_puts(&w, " AND d.grid_id = ?");
		db_param_int(&p, grid);
	}
	if (hh) {
		buf_puts(&w, " AND d.household_id = ?");
		db_param_int(&p, hh);
	}
	if (status && strcmp(status, "open") == 0)
		buf_puts(&w, " AND d.status IN ('registered', 'accepted', 'in_progress')");
	else if (status && strcmp(status, "done") == 0)
		buf_puts(&w, " AND d.close_reason = 'solved' AND d.status IN ('closed', 'followed_up')");
	else if (status && *status) {
		buf_puts(&w, " AND d.status = ?");
		db_param_text(&p, status);
	}
	if (cat && *cat) {
		buf_puts(&w, " AND d.category = ?");
		db_param_text(&p, cat);
	}
	if (from) {
		buf_puts(&w, " AND d.received_on >= ?");
		db_param_text(&p, from);
	}
	if (to) {
		buf_puts(&w, " AND d.received_on <= ?");
		db_param_text(&p, to);
	}
	if (overdue && strcmp(overdue, "1") == 0) {
		buf_puts(&w, " AND d.status IN ('registered', 'accepted', 'in_progress') AND d.due_on < ?");
		db_param_text(&p, arena_strdup(&r->arena, today));
	}
	if (q && *q) {
		const char *like = db_like_contains(&r->arena, q);
		buf_puts(&w, " AND (d.title LIKE ? ESCAPE '!' OR d.code LIKE ? ESCAPE '!')");
		db_param_text(&p, like);
		db_param_text(&p, like);
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT COUNT(*)%s", w.data));
	rc = st ? db_params_bind(st, &p), db_step(st) : DB_EGENERIC;
	total = st ? db_col_int(st, 0) : 0;
	db_finalize(st);
	if (rc == DB_ROW) {
		st = db_prepare(c->db, arena_printf(&r->arena, "SELECT d.id%s ORDER BY d.received_on DESC, d.id DESC"
						    " LIMIT %lld OFFSET %lld", w.data, (long long)page_size,
						    (long long)((page - 1) * page_size)));
		rc = st ? db_params_bind(st, &p), DB_OK : DB_EGENERIC;
		while (st && n < 100 && (rc = db_step(st)) == DB_ROW)
			ids[n++] = db_col_int(st, 0);
		db_finalize(st);
	}
	buf_release(&w);
	if (rc != DB_DONE && !(rc == DB_ROW && n == 100)) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	for (int i = 0; i < n; i++) {
		json_t *j = deed_json(c->db, ids[i], 0);
		if (j)
			json_array_append_new(items, j);
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
				    "page", (json_int_t)page, "page_size", (json_int_t)page_size));
}

/* GET /deeds/:id: with its history and can_write. */
void deeds_http_get(struct req *r)
{
	struct deed_ref d;
	json_t *j;

	if (!load_deed(r, 0, &d))
		return;
	j = deed_for(r, d.id);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, j);
}

/* ---------------------------------------------------------------- intake */

#define TITLE_MAX 60
#define CONTENT_MAX 1000
#define PLACE_MAX 100	/* characters of `place` (地点) */

static const struct json_field intake_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "所属党组织" },
	{ "grid_id", JF_INT, 0, 1, 1, INT64_MAX, "网格" },
	{ "household_id", JF_INT, 0, 1, 1, INT64_MAX, "住户" },
	{ "category", JF_STRING, 1, 0, 1, 40, "诉求类别" },
	{ "channel", JF_STRING, 1, 0, 1, 40, "受理渠道" },
	{ "title", JF_STRING, 1, 0, 1, TITLE_MAX, "诉求标题" },
	{ "content", JF_STRING, 0, 1, 0, CONTENT_MAX, "诉求内容" },
	{ "resident_name", JF_STRING, 0, 1, 0, 20, "群众称呼" },
	{ "place", JF_STRING, 0, 1, 0, PLACE_MAX, "地点" },
	{ "phone", JF_STRING, 0, 1, 0, 20, "联系电话" },
	{ "member_id", JF_INT, 0, 1, 1, INT64_MAX, "经办党员" },
	{ "received_on", JF_DATE, 0, 1, 0, 0, "登记日期" },
	{ 0 }
};

static void read_intake(struct req *r, const json_t *body, struct deed_in *in)
{
	memset(in, 0, sizeof(*in));
	in->org_id = json_int(body, "org_id", 0);
	in->grid_id = json_int(body, "grid_id", 0);
	in->household_id = json_int(body, "household_id", 0);
	in->member_id = json_int(body, "member_id", 0);
	in->category = json_str_trim(&r->arena, body, "category", NULL);
	in->channel = json_str_trim(&r->arena, body, "channel", NULL);
	in->title = json_str_trim(&r->arena, body, "title", NULL);
	in->content = json_str_trim(&r->arena, body, "content", "");
	in->resident_name = json_str_trim(&r->arena, body, "resident_name", "");
	in->place = json_str_trim(&r->arena, body, "place", "");
	in->phone = json_str_trim(&r->arena, body, "phone", NULL);
	in->received_on = json_str_trim(&r->arena, body, "received_on", NULL);
}

/* A timestamp for a request received on `on` (today: now; a past day: 09:00 China time). */
static const char *received_at(struct req *r, const char *on)
{
	char today[11], now[24];

	grid_today(today);
	ts_now(now);
	if (!on || strcmp(on, today) == 0)
		return arena_strdup(&r->arena, now);
	return arena_printf(&r->arena, "%sT01:00:00Z", on);
}

/*
 * POST /deeds: a grid worker or member takes in a request on behalf of a
 * resident, with the channel. The org must be writable by the caller (a grid
 * worker: a grid of its own must be given).
 */
void deeds_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct deed_in in;
	struct zb_fail f;
	struct scope s;
	struct org o;
	json_t *body;
	char today[11];
	int64_t id;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, intake_fields, 0, &f);
	read_intake(r, body, &in);
	json_decref(body);
	grid_today(today);
	if (in.received_on && strcmp(in.received_on, today) > 0)
		zb_fail_field(&f, "received_on", "登记日期不能晚于今天");
	scope_for(c, "deed.read", &s);
	if (in.org_id > 0 && (org_load(c->db, in.org_id, &o) != 1 || !scope_contains(&s, o.path)))
		zb_fail_field(&f, "org_id", "党组织不存在");
	else if (in.org_id > 0 && !grid_can(r, "deed.write", o.path, in.grid_id, 0, 1))
		zb_fail_field(&f, in.grid_id ? "grid_id" : "org_id", "您无权为该%s登记诉求",
			      in.grid_id ? "网格" : "党组织（网格员请选择自己的网格）");
	deed_check(c->db, &in, &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	id = deed_insert(c->db, &r->app->keys, &who, &in, received_at(r, in.received_on), &f);
	if (id == 0 || f.err) {
		db_rollback(c->db);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	app_commit_answer(r, 201, deed_for(r, id));
}

/* ---------------------------------------------------------------- actions */

static const struct json_field note_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "note", JF_STRING, 0, 1, 0, 1000, "说明" },
	{ 0 }
};
static const struct json_field close_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "reason", JF_STRING, 1, 0, 1, 20, "办结原因" },
	{ "note", JF_STRING, 1, 0, 1, 1000, "办理结果" },
	{ 0 }
};
static const struct json_field follow_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "solved", JF_BOOL, 1, 0, 0, 0, "群众是否认可解决" },
	{ "satisfaction", JF_INT, 0, 1, 1, 5, "满意度" },
	{ "note", JF_STRING, 0, 1, 0, 1000, "回访情况" },
	{ 0 }
};
static const struct json_field route_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "level", JF_STRING, 1, 0, 1, 20, "转派层级" },
	{ "grid_id", JF_INT, 0, 1, 1, INT64_MAX, "网格" },
	{ "reason", JF_STRING, 1, 0, 1, 1000, "转派或上报原因" },
	{ 0 }
};

/*
 * Run one action on the deed :id for a signed-in caller: parse and check the
 * body against `fields`, apply it with the version read, answer the deed, a
 * 409 naming why the status refuses it, or a 409 with the current deed.
 */
static void act(struct req *r, const char *action, const struct json_field *fields)
{
	struct ctx *c = req_ctx(r);
	struct deed_action a;
	struct audit_who who;
	struct deed_ref d;
	struct zb_fail f;
	json_t *body;
	int64_t version;
	char now[24];
	int rc;

	if (!load_deed(r, 1, &d))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, fields, 0, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.action = action;
	a.a = &r->arena;
	a.note = json_str_trim(&r->arena, body, strcmp(action, "route") == 0 ? "reason" : "note", "");
	a.reason = json_str_trim(&r->arena, body, "reason", NULL);
	a.solved = json_is_true(json_object_get(body, "solved"));
	a.satisfaction = (int)json_int(body, "satisfaction", 0);
	a.level = json_str_trim(&r->arena, body, "level", NULL);
	a.grid_id = json_int(body, "grid_id", 0);
	if (strcmp(action, "route") == 0)
		a.reason = NULL;
	version = json_int(body, "version", 0);
	json_decref(body);
	grid_text_check(&f, strcmp(action, "route") == 0 ? "reason" : "note", "说明", a.note);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (strcmp(action, "route") == 0 && a.grid_id && strcmp(a.level ? a.level : "", "grid") == 0) {
		struct deed_ref tmp = d;
		tmp.grid_id = a.grid_id;
		if (!grid_can(r, "deed.write", tmp.org_path, a.grid_id, 0, 0) &&
		    !grid_can(r, "deed.write", d.org_path, 0, 0, 0)) {
			resp_error(r, ZB_EFORBIDDEN, "您无权转派到该网格");
			return;
		}
	}
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	ts_now(now);
	rc = deed_act(c->db, &r->app->keys, &who, d.id, version, &a, now, &f);
	if (rc == DW_REFUSED) {
		db_rollback(c->db);
		if (f.err == ZB_ECONFLICT) {
			char msg[256];
			snprintf(msg, sizeof(msg), "%s", f.message);
			zb_fail_release(&f);
			app_conflict(r, msg, deed_for(r, d.id));
			return;
		}
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (rc == DW_STALE) {
		db_rollback(c->db);
		app_conflict(r, "诉求已被他人办理或修改，请刷新后重试", deed_for(r, d.id));
		return;
	}
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, deed_for(r, d.id));
}

void deeds_http_accept(struct req *r) { act(r, "accept", note_fields); }
void deeds_http_start(struct req *r) { act(r, "start", note_fields); }
void deeds_http_close(struct req *r) { act(r, "close", close_fields); }
void deeds_http_follow_up(struct req *r) { act(r, "follow_up", follow_fields); }
void deeds_http_route(struct req *r) { act(r, "route", route_fields); }

/* ---------------------------------------------------------------- figures */

#define SATISFACTION_MIN_ANSWERS 5

/* Hours between two ISO timestamps collected by a query of (start, end) pairs; median in hours. */
static int median_hours(struct db *db, const char *sql, const struct db_params *p, json_t **out)
{
	struct db_stmt *st = db_prepare(db, sql);
	int64_t *v = NULL;
	size_t n = 0, cap = 0;
	int rc = st ? DB_OK : DB_EGENERIC;

	if (st)
		db_params_bind(st, p);
	while (st && (rc = db_step(st)) == DB_ROW) {
		int64_t a, b;
		if (ts_parse(db_col_text(st, 0), &a) != 0 || ts_parse(db_col_text(st, 1), &b) != 0 || b < a)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			int64_t *x = realloc(v, nc * sizeof(*x));
			if (!x) {
				rc = DB_EGENERIC;
				break;
			}
			v = x;
			cap = nc;
		}
		v[n++] = b - a;
	}
	db_finalize(st);
	if (rc == DB_DONE) {
		double h = median_i64(v, n) / 3600.0;
		*out = n ? json_real((double)(int64_t)(h * 10 + 0.5) / 10.0) : json_null();
		rc = DB_OK;
	}
	free(v);
	return rc;
}

/* Run a grouped count: rows of (key, label, count) into an array of objects. */
static int grouped(struct db *db, const char *sql, const struct db_params *p, const char *k1,
		   const char *k2, int int_key, json_t *out)
{
	struct db_stmt *st = db_prepare(db, sql);
	int rc = st ? DB_OK : DB_EGENERIC;

	if (st)
		db_params_bind(st, p);
	while (st && (rc = db_step(st)) == DB_ROW) {
		json_t *o = json_object();
		json_object_set_new(o, k1, int_key ? json_integer(db_col_int(st, 0)) : json_string(db_col_text(st, 0)));
		if (k2)
			json_object_set_new(o, k2, grid_text_or_null(st, 1));
		json_object_set_new(o, "done", json_integer(db_col_int(st, 2)));
		json_array_append_new(out, o);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* The scope and filters shared by every figure: `base` holds the WHERE. */
struct stats_q {
	struct db_params p;
	const char *where;
};

static void stats_where(struct req *r, const char *path, struct stats_q *s)
{
	const char *scope;

	memset(&s->p, 0, sizeof(s->p));
	scope = grid_scope_sql(r, "deed.read", "o.path", "d.grid_id", "d.created_by", &s->p);
	if (path) {
		s->where = arena_printf(&r->arena, " FROM deeds d JOIN orgs o ON o.id = d.org_id WHERE %s AND o.path LIKE ?", scope);
		db_param_text(&s->p, arena_printf(&r->arena, "%s%%", path));
	} else {
		s->where = arena_printf(&r->arena, " FROM deeds d JOIN orgs o ON o.id = d.org_id WHERE %s", scope);
	}
}

static const char DONE_COND[] =
	" AND d.close_reason = 'solved' AND d.status IN ('closed', 'followed_up')"
	" AND d.closed_on >= ? AND d.closed_on <= ?";

/*
 * GET /deeds/stats?org=&from=&to=: deeds done (closed as solved and not
 * reopened since) by month, category and org, counted by the day closed;
 * requests received, open, overdue and reopened among those received in the
 * period; median response (登记→受理) and resolution (登记→办结) times in
 * hours; satisfaction only from SATISFACTION_MIN_ANSWERS answers up.
 */
void deeds_http_stats(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct stats_q s;
	const char *path, *from, *to;
	char today[11], year_from[11];
	json_t *j = NULL, *by_month = json_array(), *by_cat = json_array(), *by_org = json_array();
	json_t *resp_h = NULL, *res_h = NULL;
	int64_t received = 0, done = 0, open = 0, overdue = 0, reopened = 0, answers = 0, sum = 0;
	int rc;

	zb_fail_init(&f);
	path = grid_org_param(r, "deed.read", &f);
	from = req_query_date(r, "from", "起始日期", &f);
	to = req_query_date(r, "to", "截止日期", &f);
	if (from && to && strcmp(from, to) > 0)
		zb_fail_field(&f, "to", "截止日期不能早于起始日期");
	if (f.err) {
		json_decref(by_month);
		json_decref(by_cat);
		json_decref(by_org);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	grid_today(today);
	snprintf(year_from, sizeof(year_from), "%.4s-01-01", today);
	if (!from)
		from = arena_strdup(&r->arena, year_from);
	if (!to)
		to = arena_strdup(&r->arena, today);
	stats_where(r, path, &s);
	{
		struct db_params p = s.p;
		db_param_text(&p, from);
		db_param_text(&p, to);
		rc = grouped(c->db, arena_printf(&r->arena, "SELECT SUBSTR(d.closed_on, 1, 7), NULL, COUNT(*)%s%s"
						 " GROUP BY SUBSTR(d.closed_on, 1, 7) ORDER BY 1", s.where, DONE_COND),
			     &p, "month", NULL, 0, by_month);
		if (rc == DB_OK)
			rc = grouped(c->db, arena_printf(&r->arena, "SELECT d.category, (SELECT x.label_zh FROM dict_items x"
							 " WHERE x.dict = 'deed_category' AND x.code = d.category), COUNT(*)%s%s"
							 " GROUP BY d.category ORDER BY 3 DESC, 1", s.where, DONE_COND),
				     &p, "category", "label", 0, by_cat);
		if (rc == DB_OK)
			rc = grouped(c->db, arena_printf(&r->arena, "SELECT o.id, MAX(o.name), COUNT(*)%s%s"
							 " GROUP BY o.id, o.sort_key ORDER BY o.sort_key", s.where, DONE_COND),
				     &p, "org_id", "org_name", 1, by_org);
		if (rc == DB_OK)
			rc = median_hours(c->db, arena_printf(&r->arena, "SELECT d.received_at, d.closed_at%s%s",
							      s.where, DONE_COND), &p, &res_h);
	}
	if (rc == DB_OK) {
		struct db_params p = { 0 };
		struct db_stmt *st;
		/* the due-date mark comes first, in the select list */
		db_param_text(&p, arena_strdup(&r->arena, today));
		for (int i = 0; i < s.p.n; i++) {
			if (s.p.v[i].is_int)
				db_param_int(&p, s.p.v[i].i);
			else
				db_param_text(&p, s.p.v[i].s);
		}
		db_param_text(&p, from);
		db_param_text(&p, to);
		st = db_prepare(c->db, arena_printf(&r->arena,
			"SELECT COUNT(*), SUM(CASE WHEN d.status IN ('registered', 'accepted', 'in_progress') THEN 1 ELSE 0 END),"
			" SUM(CASE WHEN d.status IN ('registered', 'accepted', 'in_progress') AND d.due_on < ? THEN 1 ELSE 0 END),"
			" SUM(CASE WHEN d.reopened > 0 THEN 1 ELSE 0 END)%s AND d.received_on >= ? AND d.received_on <= ?",
			s.where));
		rc = st ? db_params_bind(st, &p), db_step(st) : DB_EGENERIC;
		if (rc == DB_ROW) {
			received = db_col_int(st, 0);
			open = db_col_int(st, 1);
			overdue = db_col_int(st, 2);
			reopened = db_col_int(st, 3);
			rc = DB_OK;
		}
		db_finalize(st);
	}
	if (rc == DB_OK) {
		struct db_params p = s.p;
		db_param_text(&p, from);
		db_param_text(&p, to);
		rc = median_hours(c->db, arena_printf(&r->arena, "SELECT d.received_at, d.accepted_at%s"
						      " AND d.accepted_at IS NOT NULL AND d.received_on >= ? AND d.received_on <= ?",
						      s.where), &p, &resp_h);
	}
	if (rc == DB_OK) {
		struct db_params p = s.p;
		struct db_stmt *st;
		db_param_text(&p, from);
		db_param_text(&p, to);
		st = db_prepare(c->db, arena_printf(&r->arena, "SELECT COUNT(*), SUM(d.satisfaction)%s"
						    " AND d.satisfaction IS NOT NULL AND d.followed_up_on >= ? AND d.followed_up_on <= ?",
						    s.where));
		rc = st ? db_params_bind(st, &p), db_step(st) : DB_EGENERIC;
		if (rc == DB_ROW) {
			answers = db_col_int(st, 0);
			sum = db_col_int(st, 1);
			rc = DB_OK;
		}
		db_finalize(st);
	}
	for (size_t i = 0; i < json_array_size(by_month); i++)
		done += json_integer_value(json_object_get(json_array_get(by_month, i), "done"));
	if (rc != DB_OK) {
		json_decref(by_month);
		json_decref(by_cat);
		json_decref(by_org);
		json_decref(resp_h);
		json_decref(res_h);
		app_db_fail(r, rc, 0);
		return;
	}
	j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
		      "from", from, "to", to, "received", (json_int_t)received, "done", (json_int_t)done,
		      "open", (json_int_t)open, "overdue", (json_int_t)overdue, "reopened", (json_int_t)reopened,
		      "by_month", by_month, "by_category", by_cat, "by_org", by_org,
		      "response_hours", resp_h ? resp_h : json_null(),
		      "resolution_hours", res_h ? res_h : json_null());
	json_object_set_new(j, "satisfaction", json_pack("{s:I, s:I, s:o, s:s}",
		"answers", (json_int_t)answers, "min_answers", (json_int_t)SATISFACTION_MIN_ANSWERS,
		"average", answers >= SATISFACTION_MIN_ANSWERS ?
			json_real((double)(int64_t)((double)sum * 100 / (double)answers + 0.5) / 100.0) : json_null(),
		"note", answers >= SATISFACTION_MIN_ANSWERS ? "" :
			"回访满意度答复不足5条，为保护群众隐私并避免以偏概全，暂不显示"));
	resp_json(r, 200, j);
}

/* ---------------------------------------------------------------- due periods */

/* GET /deeds/due-periods */
void deeds_http_due_list(struct req *r)
{
	struct db_stmt *st = db_prepare(req_ctx(r)->db,
		"SELECT p.category, d.label_zh, p.working_days, p.version FROM deed_due_periods p"
		" LEFT JOIN dict_items d ON d.dict = 'deed_category' AND d.code = p.category ORDER BY d.sort, p.category");
	json_t *items = json_array();
	int rc = st ? DB_OK : DB_EGENERIC;

	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:s, s:o, s:I, s:I}", "category", db_col_text(st, 0),
			"label", grid_text_or_null(st, 1), "working_days", (json_int_t)db_col_int(st, 2),
			"version", (json_int_t)db_col_int(st, 3)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:s}", "items", items, "note", "办理期限按工作日计算，不含周六、周日和法定节假日"));
}

static const struct json_field due_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "working_days", JF_INT, 1, 0, 1, 365, "办理期限（工作日）" },
	{ 0 }
};

/* PUT /deeds/due-periods/:category {version, working_days}: township staff only. */
void deeds_http_due_put(struct req *r)
{
	struct ctx *c = req_ctx(r);
	const char *cat = req_param(r, "category");
	struct zb_fail f;
	json_t *body, *after;
	int64_t changes = 0, days, version, old = 0;
	char now[24], label[128];
	int rc, staff = 0;

	for (int i = 0; i < c->ngrants; i++)
		staff |= strcmp(c->grants[i].role, "staff") == 0;
	if (!staff) {
		resp_error(r, ZB_EFORBIDDEN, "只有镇党建办工作人员可以修改办理期限");
		return;
	}
	if (!cat || !grid_dict_label(c->db, "deed_category", cat, label, sizeof(label)) ||
	    db_query_int(c->db, &old, "SELECT working_days FROM deed_due_periods WHERE category = ?", "s", cat) != DB_ROW) {
		resp_error(r, ZB_ENOTFOUND, "诉求类别不存在");
		return;
	}
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, due_fields, 0, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	days = json_int(body, "working_days", 0);
	version = json_int(body, "version", 0);
	json_decref(body);
	if (!app_begin_write(r))
		return;
	ts_now(now);
	rc = db_run_changes(c->db, &changes, "UPDATE deed_due_periods SET working_days = ?, version = version + 1,"
			    " updated_at = ? WHERE category = ? AND version = ?", "issi", days, now, cat, version);
	if (rc == DB_OK && changes == 0) {
		db_rollback(c->db);
		app_conflict(r, "办理期限已被他人修改，请刷新后重试", NULL);
		return;
	}
	after = json_pack("{s:s, s:s, s:I, s:I}", "category", cat, "label", label, "working_days", (json_int_t)days,
			  "version", (json_int_t)(version + 1));
	if (rc == DB_OK) {
		json_t *before = json_pack("{s:s, s:I}", "category", cat, "working_days", (json_int_t)old);
		rc = app_audit(r, "deed_due_period", 0, "update", before, after);
		json_decref(before);
	}
	if (rc != DB_OK) {
		json_decref(after);
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, after);
}

/* ---------------------------------------------------------------- public */


/* GET /public/requests/targets: the villages and communities (and their grids) a resident may choose. */
void public_requests_http_targets(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	struct db_stmt *st = db_prepare(db,
		"SELECT o.id, o.name, g.id, g.name FROM orgs o LEFT JOIN grids g ON g.org_id = o.id AND g.status = 'active'"
		" WHERE o.status = 'active' AND o.kind IN ('branch', 'general_branch')"
		" AND o.category IN ('village', 'community') ORDER BY o.sort_key, g.id");
	json_t *items = json_array(), *cats = json_array(), *cur = NULL;
	int64_t last = 0;
	int rc = st ? DB_OK : DB_EGENERIC;

	while (st && (rc = db_step(st)) == DB_ROW) {
		if (!cur || db_col_int(st, 0) != last) {
			last = db_col_int(st, 0);
			cur = json_pack("{s:I, s:s, s:[]}", "org_id", (json_int_t)last, "org_name", db_col_text(st, 1), "grids");
			json_array_append_new(items, cur);
		}
		if (!db_col_isnull(st, 2))
			json_array_append_new(json_object_get(cur, "grids"), json_pack("{s:I, s:s}",
				"id", (json_int_t)db_col_int(st, 2), "name", db_col_text(st, 3)));
	}
	db_finalize(st);
	st = rc == DB_DONE ? db_prepare(db, "SELECT code, label_zh, COALESCE(label_en, '') FROM dict_items"
				       " WHERE dict = 'deed_category' AND status = 'active' ORDER BY sort, code") : NULL;
	while (st && (rc = db_step(st)) == DB_ROW) {
		const char *en = db_col_text(st, 2);
		json_array_append_new(cats, json_pack("{s:s, s:s, s:s}", "code", db_col_text(st, 0),
			"label", db_col_text(st, 1), "label_en", en && *en ? en : db_col_text(st, 1)));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		json_decref(cats);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:o}", "items", items, "categories", cats));
}

static const struct json_field public_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "所在村（社区）" },
	{ "grid_id", JF_INT, 0, 1, 1, INT64_MAX, "所在网格" },
	{ "category", JF_STRING, 1, 0, 1, 40, "诉求类别" },
	{ "title", JF_STRING, 1, 0, 1, TITLE_MAX, "诉求标题" },
	{ "content", JF_STRING, 1, 0, 1, CONTENT_MAX, "诉求内容" },
	{ "resident_name", JF_STRING, 0, 1, 0, 20, "称呼" },
	{ "place", JF_STRING, 0, 1, 0, PLACE_MAX, "地点" },
	{ "phone", JF_STRING, 0, 1, 0, 20, "联系电话" },
	{ 0 }
};

/*
 * POST /public/requests: a resident without an account. Counted against the
 * address's budget before anything else, so refused attempts count too.
 * Markup, control characters and over-long text are refused field by field;
 * nothing is stored unless every field is clean. Answers the tracking code.
 */
void public_requests_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who = { 0, "public", r->ip ? r->ip : "", r->id };
	struct deed_in in;
	struct zb_fail f;
	struct org o;
	json_t *body, *j;
	char now[24];
	int64_t id;

	if (!app_public_allowed(r, 1))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, public_fields, 0, &f);
	memset(&in, 0, sizeof(in));
	in.org_id = json_int(body, "org_id", 0);
	in.grid_id = json_int(body, "grid_id", 0);
	in.category = json_str_trim(&r->arena, body, "category", NULL);
	in.title = json_str_trim(&r->arena, body, "title", NULL);
	in.content = json_str_trim(&r->arena, body, "content", NULL);
	in.resident_name = json_str_trim(&r->arena, body, "resident_name", "");
	in.place = json_str_trim(&r->arena, body, "place", "");
	in.phone = json_str_trim(&r->arena, body, "phone", NULL);
	in.channel = "online";
	in.public_intake = 1;
	json_decref(body);
	if (in.org_id > 0 && (org_load(c->db, in.org_id, &o) != 1 || strcmp(o.status, "active") != 0)) {
		zb_fail_field(&f, "org_id", "所选村（社区）不存在");
		in.org_id = 0;
	}
	deed_check(c->db, &in, &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	ts_now(now);
	id = deed_insert(c->db, &r->app->keys, &who, &in, now, &f);
	if (id == 0 || f.err) {
		db_rollback(c->db);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	j = deed_public_json(c->db, id);
	if (j)
		json_object_set_new(j, "message", json_string("已收到您的诉求，请保存查询码，可凭查询码查看办理进度"));
	app_commit_answer(r, 201, j);
}

/* The request by the :code in the path (normalised); 0 when none (answered 404). */
static int64_t public_find(struct req *r)
{
	char code[DEED_CODE_LEN + 1];
	int64_t id = 0;

	if (deed_code_normalize(req_param(r, "code"), code) != 0 ||
	    db_query_int(req_ctx(r)->db, &id, "SELECT id FROM deeds WHERE code = ?", "s", code) != DB_ROW) {
		resp_error(r, ZB_ENOTFOUND, "查询码不存在，请核对后重试");
		return 0;
	}
	return id;
}

/* GET /public/requests/:code */
void public_requests_http_get(struct req *r)
{
	int64_t id;
	json_t *j;

	if (!app_public_allowed(r, 0) || !(id = public_find(r)))
		return;
	j = deed_public_json(req_ctx(r)->db, id);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, j);
}

static const struct json_field confirm_fields[] = {
	{ "solved", JF_BOOL, 1, 0, 0, 0, "是否已解决" },
	{ "satisfaction", JF_INT, 0, 1, 1, 5, "满意度" },
	{ "comment", JF_STRING, 0, 1, 0, 500, "意见" },
	{ 0 }
};

/* POST /public/requests/:code/confirm {solved, satisfaction?, comment?}: the resident's own follow-up. */
void public_requests_http_confirm(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who = { 0, "public", r->ip ? r->ip : "", r->id };
	struct deed_action a;
	struct deed_ref d;
	struct zb_fail f;
	json_t *body;
	char now[24];
	int64_t id;
	int rc;

	if (!app_public_allowed(r, 0) || !(id = public_find(r)))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, confirm_fields, 0, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.action = "follow_up";
	a.a = &r->arena;
	a.solved = json_is_true(json_object_get(body, "solved"));
	a.satisfaction = (int)json_int(body, "satisfaction", 0);
	a.note = json_str_trim(&r->arena, body, "comment", "");
	json_decref(body);
	grid_text_check(&f, "comment", "意见", a.note);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	a.note = arena_printf(&r->arena, "群众网上回访：%s%s%s", a.solved ? "已解决" : "未解决",
			      *a.note ? "。" : "", a.note);
	if (!app_begin_write(r))
		return;
	rc = deed_ref_load(c->db, id, &d);
	ts_now(now);
	rc = rc == 1 ? deed_act(c->db, &r->app->keys, &who, id, d.version, &a, now, &f) : rc < 0 ? rc : DB_EGENERIC;
	if (rc == DW_REFUSED || rc == DW_STALE) {
		db_rollback(c->db);
		if (rc == DW_STALE)
			zb_fail_set(&f, ZB_ECONFLICT, "诉求状态已变化，请刷新后重试");
		if (f.err == ZB_ECONFLICT)
			snprintf(f.message, sizeof(f.message), "该诉求尚未办结或已回访，暂不能确认");
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, deed_public_json(c->db, id));
}
