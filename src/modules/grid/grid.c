/* grid.c - grids of branches and their settings, and the helpers the grid module's files share (scope filters, settings, dictionary labels, text checks). */
#include <stdlib.h>
#include <string.h>
#include "grid.h"
#include "grid_internal.h"
#include "../admin/admin.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../auth/perm.h"
#include "../../base/check.h"
#include "../../base/date.h"
#include "../../base/json.h"

/* ================================================================ shared helpers */

/* Roles whose sight is narrower than their subtree. */
enum limit { LIM_SUBTREE, LIM_OWN_GRIDS, LIM_OWN_ROWS };

static enum limit role_limit(const char *role)
{
	if (strcmp(role, "gridworker") == 0)
		return LIM_OWN_GRIDS;
	if (strcmp(role, "member") == 0)
		return LIM_OWN_ROWS;
	return LIM_SUBTREE;
}

static const char SQL_WORKS_GRID[] =
	"SELECT COUNT(*) FROM grid_workers WHERE grid_id = ? AND user_id = ?";

const char *grid_scope_sql(struct req *r, const char *action, const char *org_col,
			   const char *grid_col, const char *creator_col, struct db_params *p)
{
	struct ctx *c = req_ctx(r);
	struct buf b;
	const char *out;
	int n = 0;

	buf_init(&b, 0);
	for (int i = 0; i < c->ngrants; i++) {
		const struct grant *g = &c->grants[i];
		enum limit lim;

		if (!g->org_path || !role_allows(g->role, action))
			continue;
		lim = role_limit(g->role);
		if (lim == LIM_OWN_ROWS && !creator_col)
			continue;
		buf_printf(&b, "%s(%s LIKE ?", n++ ? " OR " : "(", org_col);
		db_param_text(p, arena_printf(&r->arena, "%s%%", g->org_path));
		if (lim == LIM_OWN_GRIDS) {
			buf_printf(&b, " AND %s IN (SELECT gw.grid_id FROM grid_workers gw WHERE gw.user_id = ?)",
				   grid_col);
			db_param_int(p, c->user_id);
		} else if (lim == LIM_OWN_ROWS) {
			buf_printf(&b, " AND %s = ?", creator_col);
			db_param_int(p, c->user_id);
		}
		buf_putc(&b, ')');
	}
	if (n == 0) {
		buf_release(&b);
		return "1=0";
	}
	buf_putc(&b, ')');
	out = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	return out;
}

static int path_under(const char *path, const char *root)
{
	return path && root && strncmp(path, root, strlen(root)) == 0;
}

int grid_can(struct req *r, const char *action, const char *org_path, int64_t grid_id,
	     int64_t created_by, int intake)
{
	struct ctx *c = req_ctx(r);

	for (int i = 0; i < c->ngrants; i++) {
		const struct grant *g = &c->grants[i];
		int64_t n = 0;

		if (!role_allows(g->role, action) || !path_under(org_path, g->org_path))
			continue;
		switch (role_limit(g->role)) {
		case LIM_SUBTREE:
			return 1;
		case LIM_OWN_GRIDS:
			if (grid_id > 0 && db_query_int(c->db, &n, SQL_WORKS_GRID, "ii", grid_id,
							 c->user_id) == DB_ROW && n > 0)
				return 1;
			break;
		case LIM_OWN_ROWS:
			if (intake || (created_by == c->user_id && strstr(action, ".read")))
				return 1;
			break;
		}
	}
	return 0;
}

int64_t grid_setting(struct db *db, const char *key, int64_t dflt)
{
	struct db_stmt *st = db_prepare(db, "SELECT value FROM settings WHERE key = ?");
	int64_t v = dflt;

	if (st && db_bind_text(st, 1, key) == DB_OK && db_step(st) == DB_ROW) {
		const char *s = db_col_text(st, 0);
		char *end = NULL;
		long long x = s ? strtoll(s, &end, 10) : 0;
		if (s && end && !*end && x > 0)
			v = x;
	}
	db_finalize(st);
	return v;
}

int grid_dict_label(struct db *db, const char *dict, const char *code, char *out, size_t len)
{
	struct db_stmt *st;
	int found = 0;

	if (!code)
		return 0;
	st = db_prepare(db, "SELECT label_zh FROM dict_items WHERE dict = ? AND code = ? AND status = 'active'");
	if (st && db_bindf(st, "ss", dict, code) == DB_OK && db_step(st) == DB_ROW) {
		snprintf(out, len, "%s", db_col_text(st, 0));
		found = 1;
	}
	db_finalize(st);
	return found;
}

int64_t *grid_holidays(struct db *db, size_t *n)
{
	struct db_stmt *st = db_prepare(db, "SELECT day FROM holidays ORDER BY day");
	int64_t *v = NULL;
	size_t cap = 0;

	*n = 0;
	while (st && db_step(st) == DB_ROW) {
		struct ymd d;
		if (date_parse_iso(db_col_text(st, 0), &d) != 0)
			continue;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			int64_t *g = realloc(v, nc * sizeof(*g));
			if (!g)
				break;
			v = g;
			cap = nc;
		}
		v[(*n)++] = date_to_days(d);
	}
	db_finalize(st);
	return v;
}

int grid_due_on(struct db *db, const char *category, int64_t received, char due[11])
{
	int64_t days = 10;
	size_t nh = 0;
	int64_t *h;
	int rc = db_query_int(db, &days, "SELECT working_days FROM deed_due_periods WHERE category = ?",
			      "s", category);

	if (rc < 0)
		return rc;
	h = grid_holidays(db, &nh);
	date_format(date_from_days(workdays_add(received, (int)days, h, nh)), due);
	free(h);
	return DB_OK;
}

void grid_text_check(struct zb_fail *f, const char *field, const char *label, const char *s)
{
	if (!s)
		return;
	if (text_has_markup(s))
		zb_fail_field(f, field, "%s不能包含 HTML 标签或脚本，请只填写文字", label);
	else if (text_has_control(s))
		zb_fail_field(f, field, "%s含有不可见的控制字符，请删除后重试", label);
}

int64_t grid_today(char out[11])
{
	struct ymd t = date_today_cn();

	date_format(t, out);
	return date_to_days(t);
}

const char *grid_org_param(struct req *r, const char *action, struct zb_fail *f)
{
	struct scope s;

	scope_for(req_ctx(r), action, &s);
	return org_scope_param(r, "org", &s, f);
}

json_t *grid_text_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_string(db_col_text(st, i));
}

json_t *grid_int_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_integer(db_col_int(st, i));
}

/* ================================================================ grids */

static const char SQL_GRID_REF[] =
	"SELECT g.id, g.org_id, o.path, g.status, g.version FROM grids g JOIN orgs o ON o.id = g.org_id"
	" WHERE g.id = ?";

int grid_ref_load(struct db *db, int64_t id, struct grid_ref *g)
{
	struct db_stmt *st = db_prepare(db, SQL_GRID_REF);
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		g->id = db_col_int(st, 0);
		g->org_id = db_col_int(st, 1);
		snprintf(g->org_path, sizeof(g->org_path), "%s", db_col_text(st, 2));
		snprintf(g->status, sizeof(g->status), "%s", db_col_text(st, 3));
		g->version = db_col_int(st, 4);
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

static const char SQL_GRID_ONE[] =
	"SELECT g.id, g.org_id, o.name, g.name, g.area, g.leader_id, p.name, g.status, g.version,"
	" g.created_at, g.updated_at,"
	" (SELECT COUNT(*) FROM households h WHERE h.grid_id = g.id AND h.status = 'active')"
	" FROM grids g JOIN orgs o ON o.id = g.org_id LEFT JOIN people p ON p.id = g.leader_id"
	" WHERE g.id = ?";
static const char SQL_GRID_WORKERS[] =
	"SELECT w.id, w.person_id, p.name, w.user_id, u.username, u.display_name FROM grid_workers w"
	" LEFT JOIN people p ON p.id = w.person_id LEFT JOIN users u ON u.id = w.user_id"
	" WHERE w.grid_id = ? ORDER BY w.id";

/* A grid as API JSON with its workers, without the silent count (audit rows); NULL when missing. */
static json_t *grid_json_base(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_GRID_ONE);
	json_t *j = NULL, *w;

	if (!st || db_bind_int(st, 1, id) != DB_OK || db_step(st) != DB_ROW) {
		db_finalize(st);
		return NULL;
	}
	j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o, s:s, s:I, s:s, s:s, s:I}",
		      "id", (json_int_t)db_col_int(st, 0), "org_id", (json_int_t)db_col_int(st, 1),
		      "org_name", db_col_text(st, 2), "name", db_col_text(st, 3),
		      "area", db_col_text(st, 4), "leader_id", grid_int_or_null(st, 5),
		      "leader_name", grid_text_or_null(st, 6), "status", db_col_text(st, 7),
		      "version", (json_int_t)db_col_int(st, 8), "created_at", db_col_text(st, 9),
		      "updated_at", db_col_text(st, 10), "households", (json_int_t)db_col_int(st, 11));
	db_finalize(st);
	if (!j)
		return NULL;
	w = json_array();
	st = db_prepare(db, SQL_GRID_WORKERS);
	if (st && db_bind_int(st, 1, id) == DB_OK)
		while (db_step(st) == DB_ROW)
			json_array_append_new(w, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}",
				"id", (json_int_t)db_col_int(st, 0), "person_id", grid_int_or_null(st, 1),
				"person_name", grid_text_or_null(st, 2), "user_id", grid_int_or_null(st, 3),
				"username", grid_text_or_null(st, 4), "display_name", grid_text_or_null(st, 5)));
	db_finalize(st);
	json_object_set_new(j, "workers", w);
	return j;
}

/*
 * The silent households today (grid_silent_cond, setting grid_silent_days)
 * of the n grids ids, in one query: silent[i] gets the count of ids[i].
 * DB_OK or DB_E*.
 */
static int grid_silent_counts(struct db *db, struct arena *a, const int64_t *ids, int n,
			      int64_t *silent /* OUT */)
{
	int64_t days = grid_setting(db, "grid_silent_days", 90);
	char as_of[11], cutoff[11];
	struct buf q;
	struct db_stmt *st;
	int rc, idx;

	for (int i = 0; i < n; i++)
		silent[i] = 0;
	if (n == 0)
		return DB_OK;
	date_format(date_from_days(grid_today(as_of) - days), cutoff);
	buf_init(&q, 0);
	buf_printf(&q, "SELECT h.grid_id, COUNT(*) FROM households h WHERE h.status = 'active' AND %s"
		   " AND h.grid_id IN (", grid_silent_cond());
	for (int i = 0; i < n; i++)
		buf_puts(&q, i ? ", ?" : "?");
	buf_puts(&q, ") GROUP BY h.grid_id");
	st = q.err ? NULL : db_prepare(db, arena_strdup(a, q.data));
	buf_release(&q);
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "ssss", cutoff, as_of, cutoff, as_of);
	idx = 5;
	for (int i = 0; i < n; i++)
		db_bind_int(st, idx++, ids[i]);
	while ((rc = db_step(st)) == DB_ROW)
		for (int i = 0; i < n; i++)
			if (ids[i] == db_col_int(st, 0))
				silent[i] = db_col_int(st, 1);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* A grid as API JSON with its workers and its silent households today; NULL when missing. */
static json_t *grid_json(struct db *db, int64_t id)
{
	json_t *j = grid_json_base(db, id);
	int64_t silent = 0;
	struct arena a;

	if (!j)
		return NULL;
	arena_init(&a, 0);
	if (grid_silent_counts(db, &a, &id, 1, &silent) != DB_OK) {
		json_decref(j);
		j = NULL;
	} else {
		json_object_set_new(j, "silent", json_integer(silent));
	}
	arena_release(&a);
	return j;
}

/*
 * The grid :id readable by the caller (else 404); with `write` also writable
 * (else 403), answered here. See grid_internal.h.
 */
int grid_load_checked(struct req *r, int64_t id, int write, struct grid_ref *g, json_t **out)
{
	struct ctx *c = req_ctx(r);
	int rc = id > 0 ? grid_ref_load(c->db, id, g) : 0;

	*out = NULL;
	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	if (rc == 0 || !grid_can(r, "grid.read", g->org_path, g->id, 0, 0)) {
		resp_error(r, ZB_ENOTFOUND, "网格不存在");
		return 0;
	}
	if (write && !grid_can(r, "grid.write", g->org_path, g->id, 0, 0)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该网格");
		return 0;
	}
	*out = grid_json(c->db, id);
	if (!*out) {
		app_db_fail(r, DB_EGENERIC, 0);
		return 0;
	}
	return 1;
}

#define MAX_WORKERS 20

static const struct json_field grid_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "所属党组织" },
	{ "version", JF_INT, 0, 0, 1, INT64_MAX, "版本号" },
	{ "name", JF_STRING, 1, 0, 1, 60, "网格名称" },
	{ "area", JF_STRING, 0, 1, 0, 500, "网格范围" },
	{ "leader_id", JF_INT, 0, 1, 1, INT64_MAX, "网格长" },
	{ "workers", JF_ARRAY, 0, 1, 0, MAX_WORKERS, "网格员" },
	{ "status", JF_STRING, 0, 0, 1, 16, "状态" },
	{ 0 }
};

struct grid_in {
	int64_t org_id;
	const char *name, *area, *status;
	int64_t leader_id;
	int nworkers;
	int64_t wp[MAX_WORKERS], wu[MAX_WORKERS];
};

int grid_person_in(struct db *db, int64_t id, const char *path)
{
	struct person_where w;

	return person_where_load(db, id, &w) == 1 && strcmp(w.status, "active") == 0 &&
	       path_under(w.org_path, path);
}

/* Read and check a grid body (org already known for updates: org_path). */
static void grid_read(struct req *r, const json_t *body, const char *org_path, struct grid_in *in,
		      struct zb_fail *f)
{
	struct db *db = req_ctx(r)->db;
	const json_t *w = json_object_get(body, "workers");

	memset(in, 0, sizeof(*in));
	in->name = json_str_trim(&r->arena, body, "name", NULL);
	in->area = json_str_trim(&r->arena, body, "area", "");
	in->status = json_str_trim(&r->arena, body, "status", "active");
	in->leader_id = json_int(body, "leader_id", 0);
	grid_text_check(f, "name", "网格名称", in->name);
	grid_text_check(f, "area", "网格范围", in->area);
	if (strcmp(in->status, "active") != 0 && strcmp(in->status, "archived") != 0)
		zb_fail_field(f, "status", "状态应为 active（在用）或 archived（已撤销）");
	if (org_path && in->leader_id && !grid_person_in(db, in->leader_id, org_path))
		zb_fail_field(f, "leader_id", "网格长须为本党组织的人员");
	if (json_is_array(w) && json_array_size(w) <= MAX_WORKERS) {
		for (size_t i = 0; i < json_array_size(w); i++) {
			const json_t *e = json_array_get(w, i);
			int64_t p = json_int(e, "person_id", 0), u = json_int(e, "user_id", 0);
			json_t *uj;
			if (!json_is_object(e) || (p <= 0 && u <= 0)) {
				zb_fail_field(f, "workers", "第%zu个网格员应为 {person_id} 或 {user_id}", i + 1);
				break;
			}
			if (p > 0 && org_path && !grid_person_in(db, p, org_path)) {
				zb_fail_field(f, "workers", "第%zu个网格员不是本党组织的人员", i + 1);
				break;
			}
			if (u > 0 && !(uj = user_json(db, u))) {
				zb_fail_field(f, "workers", "第%zu个网格员的账户不存在", i + 1);
				break;
			} else if (u > 0) {
				json_decref(uj);
			}
			in->wp[in->nworkers] = p;
			in->wu[in->nworkers] = u;
			in->nworkers++;
		}
	}
}

static int grid_write_workers(struct db *db, int64_t id, const struct grid_in *in)
{
	int rc = db_run(db, "DELETE FROM grid_workers WHERE grid_id = ?", "i", id);

	for (int i = 0; rc == DB_OK && i < in->nworkers; i++) {
		struct db_stmt *st = db_prepare(db, "INSERT INTO grid_workers (grid_id, person_id, user_id) VALUES (?, ?, ?)");
		if (!st)
			return DB_EGENERIC;
		db_bind_int(st, 1, id);
		if (in->wp[i] > 0)
			db_bind_int(st, 2, in->wp[i]);
		else
			db_bind_null(st, 2);
		if (in->wu[i] > 0)
			db_bind_int(st, 3, in->wu[i]);
		else
			db_bind_null(st, 3);
		rc = db_step(st);
		db_finalize(st);
		rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
	}
	return rc;
}

/* Insert a grid (checked) with its workers and an audit row; the new id or <0. */
static int64_t grid_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			   const struct grid_in *in)
{
	struct db_stmt *st = db_prepare(db, "INSERT INTO grids (org_id, name, area, leader_id, status,"
					" created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?) RETURNING id");
	char now[24];
	int64_t id = 0;
	int rc;
	json_t *after;

	if (!st)
		return DB_EGENERIC;
	ts_now(now);
	db_bindf(st, "issnss", in->org_id, in->name, in->area, now, now);
	if (in->leader_id)
		db_bind_int(st, 4, in->leader_id);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = grid_write_workers(db, id, in);
	if (rc != DB_OK)
		return rc;
	after = grid_json_base(db, id);
	rc = after ? audit_append(db, k, who, "grid", id, "create", NULL, after) : DB_EGENERIC;
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

static void answer_grid(struct req *r, int status, int64_t id)
{
	json_t *j = grid_json(req_ctx(r)->db, id);

	if (j)
		json_object_set_new(j, "can_write", json_true());
	app_commit_answer(r, status, j);
}

/* GET /grids?org=&q=&status=&page=&page_size= */
void grids_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct db_params p = { 0 };
	struct zb_fail f;
	const char *path, *q = req_query(r, "q"), *status = req_query(r, "status"), *scope;
	int64_t page, page_size, total = 0;
	struct buf w;
	struct db_stmt *st;
	json_t *items = json_array();
	int64_t ids[100] = { 0 }, silent[100];
	int n = 0, rc;

	zb_fail_init(&f);
	path = grid_org_param(r, "grid.read", &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 100, &f);
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	scope = grid_scope_sql(r, "grid.read", "o.path", "g.id", NULL, &p);
	buf_init(&w, 0);
	buf_printf(&w, " FROM grids g JOIN orgs o ON o.id = g.org_id WHERE %s", scope);
	if (path) {
		buf_puts(&w, " AND o.path LIKE ?");
		db_param_text(&p, arena_printf(&r->arena, "%s%%", path));
	}
	if (!status || !*status)
		status = "active";
	if (strcmp(status, "all") != 0) {
		buf_puts(&w, " AND g.status = ?");
		db_param_text(&p, status);
	}
	if (q && *q) {
		buf_puts(&w, " AND g.name LIKE ? ESCAPE '!'");
		db_param_text(&p, db_like_contains(&r->arena, q));
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT COUNT(*)%s", w.data));
	rc = st ? db_params_bind(st, &p), db_step(st) : DB_EGENERIC;
	total = st ? db_col_int(st, 0) : 0;
	db_finalize(st);
	if (rc == DB_ROW) {
		st = db_prepare(c->db, arena_printf(&r->arena, "SELECT g.id%s ORDER BY o.sort_key, g.id LIMIT %lld OFFSET %lld",
						    w.data, (long long)page_size, (long long)((page - 1) * page_size)));
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
	rc = grid_silent_counts(c->db, &r->arena, ids, n, silent);
	if (rc != DB_OK) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	for (int i = 0; i < n; i++) {
		json_t *j = grid_json_base(c->db, ids[i]);
		if (j) {
			json_object_set_new(j, "silent", json_integer(silent[i]));
			json_array_append_new(items, j);
		}
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
				    "page", (json_int_t)page, "page_size", (json_int_t)page_size));
}

/* GET /grids/:id */
void grids_http_get(struct req *r)
{
	struct grid_ref g;
	json_t *j;

	if (!grid_load_checked(r, req_param_id(r, "id"), 0, &g, &j))
		return;
	json_object_set_new(j, "can_write", json_boolean(grid_can(r, "grid.write", g.org_path, g.id, 0, 0)));
	resp_json(r, 200, j);
}

/* POST /grids: a new grid of a branch the caller may write (grid workers may not create grids). */
void grids_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct grid_in in;
	struct zb_fail f;
	struct org o;
	json_t *body;
	int64_t org_id, id;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, grid_fields, 0, &f);
	org_id = json_int(body, "org_id", 0);
	if (org_id > 0 && (org_load(c->db, org_id, &o) != 1 || !grid_can(r, "grid.read", o.path, 0, 0, 0) ||
			   strcmp(o.status, "active") != 0)) {
		zb_fail_field(&f, "org_id", "党组织不存在");
		org_id = 0;
	} else if (org_id > 0 && !grid_can(r, "grid.write", o.path, 0, 0, 0)) {
		zb_fail_field(&f, "org_id", "您无权为该党组织设立网格");
		org_id = 0;
	} else if (org_id > 0 && strcmp(o.kind, "branch") != 0 && strcmp(o.kind, "general_branch") != 0) {
		zb_fail_field(&f, "org_id", "网格须建在党支部或党总支上");
		org_id = 0;
	}
	grid_read(r, body, org_id ? o.path : NULL, &in, &f);
	json_decref(body);
	in.org_id = org_id;
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	id = grid_insert(c->db, &r->app->keys, &who, &in);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	answer_grid(r, 201, id);
}

/* PUT /grids/:id {version, name, area, leader_id, workers, status}: archive by status. */
void grids_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct grid_ref g;
	struct grid_in in;
	struct zb_fail f;
	json_t *before, *body, *after;
	int64_t version, changes = 0;
	char now[24];
	int rc;

	if (!grid_load_checked(r, req_param_id(r, "id"), 1, &g, &before))
		return;
	json_object_del(before, "silent");	/* audited as grid_json_base */
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		json_decref(before);
		resp_fail(r, &f);
		return;
	}
	json_object_set_new(body, "org_id", json_integer(g.org_id));
	json_check(body, grid_fields, 0, &f);
	if (!json_has(body, "version"))
		zb_fail_field(&f, "version", "缺少版本号");
	version = json_int(body, "version", 0);
	grid_read(r, body, g.org_path, &in, &f);
	if (!json_has(body, "workers"))
		in.nworkers = -1;	/* keep */
	json_decref(body);
	if (f.err) {
		json_decref(before);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r)) {
		json_decref(before);
		return;
	}
	ts_now(now);
	{
		struct db_stmt *st = db_prepare(c->db, "UPDATE grids SET name = ?, area = ?, leader_id = ?, status = ?,"
						" version = version + 1, updated_at = ? WHERE id = ? AND version = ?");
		rc = st ? DB_OK : DB_EGENERIC;
		if (st) {
			db_bindf(st, "ssnssii", in.name, in.area, in.status, now, g.id, version);
			if (in.leader_id)
				db_bind_int(st, 3, in.leader_id);
			rc = db_step(st);
			changes = db_changes(st);
			rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
		}
		db_finalize(st);
	}
	if (rc == DB_OK && changes == 0) {
		db_rollback(c->db);
		json_decref(before);
		app_conflict(r, "网格已被他人修改，请刷新后重试", grid_json(c->db, g.id));
		return;
	}
	if (rc == DB_OK && in.nworkers >= 0)
		rc = grid_write_workers(c->db, g.id, &in);
	after = rc == DB_OK ? grid_json_base(c->db, g.id) : NULL;
	if (rc == DB_OK)
		rc = after ? app_audit(r, "grid", g.id, "update", before, after) : DB_EGENERIC;
	json_decref(before);
	json_decref(after);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	answer_grid(r, 200, g.id);
}

/* ================================================================ settings */

static json_t *settings_json(struct db *db)
{
	return json_pack("{s:I, s:I}", "silent_days", (json_int_t)grid_setting(db, "grid_silent_days", 90),
			 "followup_days", (json_int_t)grid_setting(db, "deed_followup_days", 10));
}

/* GET /grid/settings */
void grid_http_settings_get(struct req *r)
{
	resp_json(r, 200, settings_json(req_ctx(r)->db));
}

static const struct json_field settings_fields[] = {
	{ "silent_days", JF_INT, 0, 0, 7, 3650, "未走访提醒天数" },
	{ "followup_days", JF_INT, 0, 0, 1, 365, "回访期限天数" },
	{ 0 }
};

/* PUT /grid/settings: township-wide, for a caller whose grid.write covers a root (staff). */
void grid_http_settings_put(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	json_t *body, *before, *after;
	char now[24], v[24];
	int rc = DB_OK, allowed = 0;

	for (int i = 0; i < c->ngrants; i++)
		allowed |= strcmp(c->grants[i].role, "staff") == 0 && role_allows(c->grants[i].role, "grid.write");
	if (!allowed) {
		resp_error(r, ZB_EFORBIDDEN, "只有镇党建办工作人员可以修改网格设置");
		return;
	}
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, settings_fields, 1, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	before = settings_json(c->db);
	ts_now(now);
	if (json_has(body, "silent_days")) {
		snprintf(v, sizeof(v), "%lld", (long long)json_int(body, "silent_days", 90));
		rc = db_run(c->db, "UPDATE settings SET value = ?, version = version + 1, updated_at = ? WHERE key = 'grid_silent_days'",
			    "ss", v, now);
	}
	if (rc == DB_OK && json_has(body, "followup_days")) {
		snprintf(v, sizeof(v), "%lld", (long long)json_int(body, "followup_days", 10));
		rc = db_run(c->db, "UPDATE settings SET value = ?, version = version + 1, updated_at = ? WHERE key = 'deed_followup_days'",
			    "ss", v, now);
	}
	json_decref(body);
	after = settings_json(c->db);
	if (rc == DB_OK)
		rc = app_audit(r, "grid_settings", 0, "update", before, after);
	json_decref(before);
	if (rc != DB_OK) {
		json_decref(after);
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, after);
}

/* ================================================================ for the demo */

/* A grid as the system (grid_demo.c): workers are the persons plus one account (0 none). */
int64_t grid_demo_grid(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t org_id, const char *name, const char *area, int64_t leader,
		       const int64_t *persons, int np, int64_t user_id)
{
	struct grid_in in;

	memset(&in, 0, sizeof(in));
	in.org_id = org_id;
	in.name = name;
	in.area = area;
	in.leader_id = leader;
	for (int i = 0; i < np && in.nworkers < MAX_WORKERS; i++)
		in.wp[in.nworkers++] = persons[i];
	if (user_id && in.nworkers < MAX_WORKERS)
		in.wu[in.nworkers++] = user_id;
	return grid_insert(db, k, who, &in);
}
