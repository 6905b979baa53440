/* eval_http.c - /api/v1/eval: metrics, schemes (versioned), rounds, the ranking, a branch's sheet, self-assessment and review scores, publication, comparison. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eval.h"
#include "eval_internal.h"
#include "../files/files.h"
#include "../orgs/orgs.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_SCHEMES[] =
	"SELECT id FROM eval_schemes WHERE (CAST(? AS INTEGER) = 1 OR superseded_by IS NULL) ORDER BY code, seq";
static const char SQL_SCHEME_CODE[] = "SELECT COUNT(*) FROM eval_schemes WHERE code = ?";
static const char SQL_SCHEME_INSERT[] =
	"INSERT INTO eval_schemes (code, name, kind, seq, tree, max_total, stars, previous_id, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_SCHEME_UPDATE[] =
	"UPDATE eval_schemes SET name = ?, tree = ?, max_total = ?, stars = ?, version = version + 1,"
	" updated_at = ? WHERE id = ? AND version = ? AND superseded_by IS NULL";
static const char SQL_SCHEME_SUPERSEDE[] =
	"UPDATE eval_schemes SET superseded_by = ?, version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ? AND superseded_by IS NULL";
static const char SQL_SCHEME_USED2[] = "SELECT COUNT(*) FROM eval_rounds WHERE scheme_id = ?";
static const char SQL_ROUNDS[] =
	"SELECT r.id, o.path FROM eval_rounds r JOIN orgs o ON o.id = r.org_id"
	" WHERE (CAST(? AS INTEGER) = 0 OR r.year = CAST(? AS INTEGER)) ORDER BY r.year DESC, r.quarter DESC, r.id DESC";
static const char SQL_ENTRY_ROUND[] = "SELECT round_id FROM eval_entries WHERE id = ?";
static const char SQL_ENTRY_BUMP[] =
	"UPDATE eval_entries SET version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'draft'";
static const char SQL_ENTRY_BUMP_REVIEW[] =
	"UPDATE eval_entries SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?";
static const char SQL_ENTRY_SUBMIT[] =
	"UPDATE eval_entries SET status = 'submitted', submitted_at = ?, version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ? AND status = 'draft'";
static const char SQL_ROUND_REVIEW[] =
	"UPDATE eval_rounds SET status = 'review', version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ? AND status = 'self'";
static const char SQL_SCORE_ID[] = "SELECT id FROM eval_scores WHERE entry_id = ? AND item = ?";

static const struct json_field scheme_create_fields[] = {
	{ "code", JF_STRING, 1, 0, 1, 40, "方案代码" },
	{ "name", JF_STRING, 1, 0, 1, 100, "方案名称" },
	{ "kind", JF_STRING, 1, 0, 1, 20, "方案类型" },
	{ "tree", JF_OBJECT, 1, 0, 0, 0, "指标体系" },
	{ "max_total", JF_INT, 0, 1, 1, 1000, "满分" },
	{ "stars", JF_ARRAY, 0, 1, 4, 4, "星级分数线" },
	{ 0 }
};
static const struct json_field scheme_update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "name", JF_STRING, 0, 0, 1, 100, "方案名称" },
	{ "tree", JF_OBJECT, 0, 0, 0, 0, "指标体系" },
	{ "max_total", JF_INT, 0, 0, 1, 1000, "满分" },
	{ "stars", JF_ARRAY, 0, 0, 4, 4, "星级分数线" },
	{ 0 }
};
static const struct json_field round_create_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "组织" },
	{ "scheme_id", JF_INT, 1, 0, 1, INT64_MAX, "考评方案" },
	{ "name", JF_STRING, 1, 0, 1, 100, "考评名称" },
	{ "year", JF_INT, 1, 0, 2000, 2100, "年度" },
	{ "quarter", JF_INT, 0, 1, 0, 4, "季度" },
	{ "five_star_quota", JF_INT, 0, 1, 0, 100, "五星名额比例" },
	{ 0 }
};
static const struct json_field version_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ 0 }
};
static const struct json_field scores_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "scores", JF_ARRAY, 1, 0, 1, 200, "评分" },
	{ 0 }
};

/* ---------------------------------------------------------------- helpers */

/* 1 when the caller may see the round of the org at path: its subtree, or a part of it. */
static int round_visible(const struct scope *s, const char *path)
{
	size_t n = strlen(path);

	if (scope_contains(s, path))
		return 1;
	for (int i = 0; i < s->n; i++)
		if (strncmp(s->paths[i], path, n) == 0)
			return 1;
	return 0;
}

/* Parse the body against fields: the body, or NULL with the request answered. */
static json_t *read_body(struct req *r, const struct json_field *fields, int partial)
{
	struct zb_fail f;
	json_t *body;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (body && json_check(body, fields, partial, &f) == 0) {
		zb_fail_release(&f);
		return body;
	}
	json_decref(body);
	resp_fail(r, &f);
	return NULL;
}

/*
 * The round `id` visible to the caller (404 otherwise) and its scheme.
 * Returns 1 to go on; answered otherwise. Release sr when 1.
 */
static int load_round(struct req *r, int64_t id, struct ev_round *rd, struct ev_scheme_row *sr)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int rc = id > 0 ? ev_round_load(c->db, &r->arena, id, rd) : 0;

	scope_for(c, "eval.read", &s);
	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	if (rc == 0 || !round_visible(&s, rd->org_path)) {
		resp_error(r, ZB_ENOTFOUND, "考评不存在");
		return 0;
	}
	rc = ev_scheme_load(c->db, &r->arena, rd->scheme_id, sr);
	if (rc != 1) {
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return 0;
	}
	return 1;
}

/* Compute the round, answering 500 naming the metric when one fails. 1 to go on. */
static int compute(struct req *r, const struct ev_round *rd, const struct ev_scheme_row *sr,
		   struct ev_computed *cmp)
{
	int rc = ev_round_compute(req_ctx(r)->db, &r->arena, rd, sr, cmp);

	if (rc == DB_OK)
		return 1;
	if (cmp->failed_metric) {
		const struct metric *m = metric_find(cmp->failed_metric);
		resp_error(r, ZB_EINTERNAL, arena_printf(&r->arena, "数据指标“%s”无法计算（所需的记录表不可用），请联系管理员",
							 m ? m->label : cmp->failed_metric));
		return 0;
	}
	app_db_fail(r, rc, 0);
	return 0;
}

/* ---------------------------------------------------------------- metrics and schemes */

/* GET /eval/metrics: every record-based metric with its formula. */
void eval_http_metrics(struct req *r)
{
	json_t *items = json_array();

	for (const struct metric *m = metrics; m->code; m++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:b}", "code", m->code,
						       "label", m->label, "formula", m->formula,
						       "is_count", m->is_count));
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /eval/schemes?all=1: the current scheme versions (every version with all=1). */
void eval_http_schemes(struct req *r)
{
	struct ctx *c = req_ctx(r);
	const char *all = req_query(r, "all");
	struct db_stmt *st = db_prepare(c->db, SQL_SCHEMES);
	int64_t ids[200];
	size_t n = 0;
	json_t *items = json_array();
	int rc = st ? DB_OK : DB_EGENERIC;

	if (st) {
		db_bind_int(st, 1, all && strcmp(all, "1") == 0);
		while (n < 200 && (rc = db_step(st)) == DB_ROW)
			ids[n++] = db_col_int(st, 0);
		if (rc == DB_ROW)
			rc = DB_DONE;
	}
	db_finalize(st);
	for (size_t i = 0; rc == DB_DONE && i < n; i++) {
		struct ev_scheme_row sr;
		int lr = ev_scheme_load(c->db, &r->arena, ids[i], &sr);
		json_t *j;
		if (lr != 1)
			continue;
		j = ev_scheme_json(c->db, &r->arena, &sr);
		json_object_del(j, "tree");
		json_object_del(j, "items");
		json_array_append_new(items, j);
		ev_scheme_row_release(&sr);
	}
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /eval/schemes/:id */
void eval_http_scheme_get(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct ev_scheme_row sr;
	int64_t id = req_param_id(r, "id");
	int rc = id ? ev_scheme_load(c->db, &r->arena, id, &sr) : 0;

	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return;
	}
	if (rc == 0) {
		resp_error(r, ZB_ENOTFOUND, "考评方案不存在");
		return;
	}
	resp_json(r, 200, ev_scheme_json(c->db, &r->arena, &sr));
	ev_scheme_row_release(&sr);
}

static int kind_ok(const char *k)
{
	return k && (strcmp(k, "five_strong") == 0 || strcmp(k, "competition") == 0 ||
		     strcmp(k, "other") == 0);
}

/* Insert a scheme row; the id or DB_E*. */
static int64_t scheme_insert(struct db *db, const char *code, const char *name, const char *kind,
			     int seq, const json_t *tree, int64_t max_total, const json_t *stars,
			     int64_t previous_id)
{
	char now[32];
	char *t = json_dumps(tree, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *s = json_dumps(stars, JSON_COMPACT);
	struct db_stmt *st = t && s ? db_prepare(db, SQL_SCHEME_INSERT) : NULL;
	int64_t id = DB_EGENERIC;
	int rc;

	ts_now(now);
	if (st) {
		db_bindf(st, "sssisis", code, name, kind, (int64_t)seq, t, max_total, s);
		if (previous_id)
			db_bind_int(st, 8, previous_id);
		else
			db_bind_null(st, 8);
		db_bind_text(st, 9, now);
		db_bind_text(st, 10, now);
		rc = db_step(st);
		id = rc == DB_ROW ? db_col_int(st, 0) : (rc < 0 ? rc : DB_EGENERIC);
	}
	db_finalize(st);
	free(t);
	free(s);
	return id;
}

/* POST /eval/schemes {code, name, kind, tree, max_total?, stars?}: a new scheme (its first version). */
void eval_http_scheme_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	json_t *body = read_body(r, scheme_create_fields, 0);
	json_t *stars, *after;
	const char *code, *name, *kind;
	struct ev_scheme s;
	struct zb_fail f;
	int64_t max_total, n = 0, id;
	int rc;

	if (!body)
		return;
	zb_fail_init(&f);
	code = json_str_trim(&r->arena, body, "code", NULL);
	name = json_str_trim(&r->arena, body, "name", NULL);
	kind = json_str_trim(&r->arena, body, "kind", NULL);
	max_total = json_int(body, "max_total", 100);
	stars = json_object_get(body, "stars");
	stars = stars && !json_is_null(stars) ? json_incref(stars) : json_pack("[iiii]", 90, 80, 70, 60);
	if (!kind_ok(kind))
		zb_fail_field(&f, "kind", "方案类型应为 five_strong（五强）、competition（比武争星）或 other");
	ev_scheme_parse(json_object_get(body, "tree"), max_total, stars, &r->arena, &s, "tree", &f);
	if (code && db_query_int(c->db, &n, SQL_SCHEME_CODE, "s", code) == DB_ROW && n > 0)
		zb_fail_field(&f, "code", "方案代码已存在");
	if (f.err) {
		json_decref(stars);
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r)) {
		json_decref(stars);
		json_decref(body);
		return;
	}
	id = scheme_insert(c->db, code, name, kind, 1, json_object_get(body, "tree"), max_total, stars, 0);
	after = json_pack("{s:s, s:s, s:s, s:O}", "code", code, "name", name, "kind", kind, "tree",
			  json_object_get(body, "tree"));
	rc = id > 0 ? app_audit(r, "eval_scheme", id, "create", NULL, after) : (int)id;
	json_decref(after);
	json_decref(stars);
	json_decref(body);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	{
		struct ev_scheme_row sr;
		if (ev_scheme_load(c->db, &r->arena, id, &sr) != 1) {
			app_db_fail(r, DB_EGENERIC, 1);
			return;
		}
		app_commit_answer(r, 201, ev_scheme_json(c->db, &r->arena, &sr));
		ev_scheme_row_release(&sr);
	}
}

/*
 * PUT /eval/schemes/:id {version, name?, tree?, max_total?, stars?}: edit a
 * scheme version. A version no round uses is changed in place (200); one a
 * round uses stays as it is and the edit becomes a new version (201), so
 * every round keeps the scheme it was scored with.
 */
void eval_http_scheme_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct ev_scheme_row sr;
	struct ev_scheme s;
	struct zb_fail f;
	json_t *body, *tree, *stars, *after;
	const char *name;
	int64_t id = req_param_id(r, "id"), version, max_total, used = 0, changed = 0, new_id = 0;
	int rc = id ? ev_scheme_load(c->db, &r->arena, id, &sr) : 0;
	char now[32];

	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return;
	}
	if (rc == 0) {
		resp_error(r, ZB_ENOTFOUND, "考评方案不存在");
		return;
	}
	body = read_body(r, scheme_update_fields, 0);
	if (!body) {
		ev_scheme_row_release(&sr);
		return;
	}
	version = json_int(body, "version", 0);
	if (sr.superseded_by || version != sr.version) {
		json_decref(body);
		app_conflict(r, sr.superseded_by ? "该方案版本已有新版本，请修改最新版本" : "考评方案已被他人修改，请刷新后重试",
			     ev_scheme_json(c->db, &r->arena, &sr));
		ev_scheme_row_release(&sr);
		return;
	}
	name = json_str_trim(&r->arena, body, "name", sr.name);
	tree = json_object_get(body, "tree") ? json_object_get(body, "tree") : sr.tree;
	stars = json_object_get(body, "stars") ? json_object_get(body, "stars") : sr.stars;
	max_total = json_int(body, "max_total", sr.max_total);
	zb_fail_init(&f);
	ev_scheme_parse(tree, max_total, stars, &r->arena, &s, "tree", &f);
	if (f.err) {
		json_decref(body);
		ev_scheme_row_release(&sr);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r)) {
		json_decref(body);
		ev_scheme_row_release(&sr);
		return;
	}
	ts_now(now);
	rc = db_query_int(c->db, &used, SQL_SCHEME_USED2, "i", id);
	rc = rc == DB_ROW ? DB_OK : rc;
	if (rc == DB_OK && used > 0) {
		new_id = scheme_insert(c->db, sr.code, name, sr.kind, sr.seq + 1, tree, max_total, stars, id);
		rc = new_id > 0 ? db_run_changes(c->db, &changed, SQL_SCHEME_SUPERSEDE, "isii", new_id, now,
						 id, version) : (int)new_id;
	} else if (rc == DB_OK) {
		char *t = json_dumps(tree, JSON_COMPACT | JSON_PRESERVE_ORDER);
		char *st = json_dumps(stars, JSON_COMPACT);
		rc = t && st ? db_run_changes(c->db, &changed, SQL_SCHEME_UPDATE, "ssissii", name, t,
					      max_total, st, now, id, version) : DB_EGENERIC;
		free(t);
		free(st);
	}
	if (rc == DB_OK && changed != 1) {
		db_rollback(c->db);
		json_decref(body);
		app_conflict(r, "考评方案已被他人修改，请刷新后重试", ev_scheme_json(c->db, &r->arena, &sr));
		ev_scheme_row_release(&sr);
		return;
	}
	after = json_pack("{s:s, s:O, s:I}", "name", name, "tree", tree, "new_version_id", (json_int_t)new_id);
	if (rc == DB_OK)
		rc = app_audit(r, "eval_scheme", id, new_id ? "new_version" : "update", sr.tree, after);
	json_decref(after);
	json_decref(body);
	ev_scheme_row_release(&sr);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	if (ev_scheme_load(c->db, &r->arena, new_id ? new_id : id, &sr) != 1) {
		app_db_fail(r, DB_EGENERIC, 1);
		return;
	}
	app_commit_answer(r, new_id ? 201 : 200, ev_scheme_json(c->db, &r->arena, &sr));
	ev_scheme_row_release(&sr);
}

/* ---------------------------------------------------------------- rounds */

/* GET /eval/rounds?year=: the rounds the caller can see. */
void eval_http_rounds(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	int64_t year, ids[300];
	size_t n = 0;
	struct db_stmt *st;
	json_t *items = json_array();
	int rc;

	zb_fail_init(&f);
	year = req_query_int(r, "year", 0, 2000, 2100, &f);
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	scope_for(c, "eval.read", &s);
	st = db_prepare(c->db, SQL_ROUNDS);
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		db_bind_int(st, 1, year);
		db_bind_int(st, 2, year);
		while (n < 300 && (rc = db_step(st)) == DB_ROW)
			if (round_visible(&s, db_col_text(st, 1)))
				ids[n++] = db_col_int(st, 0);
		if (rc == DB_ROW)
			rc = DB_DONE;
	}
	db_finalize(st);
	for (size_t i = 0; rc == DB_DONE && i < n; i++) {
		struct ev_round rd;
		if (ev_round_load(c->db, &r->arena, ids[i], &rd) == 1)
			json_array_append_new(items, ev_round_json(&rd));
	}
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* POST /eval/rounds {org_id, scheme_id, name, year, quarter?, five_star_quota?} */
void eval_http_round_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	json_t *body = read_body(r, round_create_fields, 0);
	struct ev_scheme_row sr;
	struct audit_who who;
	struct zb_fail f;
	struct org o;
	struct ev_round rd;
	int64_t id, org_id, scheme_id;
	int rc, quota;

	if (!body)
		return;
	zb_fail_init(&f);
	org_id = json_int(body, "org_id", 0);
	scheme_id = json_int(body, "scheme_id", 0);
	quota = json_has(body, "five_star_quota") ? (int)json_int(body, "five_star_quota", 0) : -1;
	if (org_load(c->db, org_id, &o) != 1 || !perm_has(c, "eval.read", o.path))
		zb_fail_field(&f, "org_id", "组织不存在");
	else if (!perm_has(c, "eval.review", o.path))
		zb_fail_field(&f, "org_id", "您无权组织该组织的考评");
	rc = ev_scheme_load(c->db, &r->arena, scheme_id, &sr);
	if (rc != 1)
		zb_fail_field(&f, "scheme_id", "考评方案不存在");
	else if (sr.superseded_by)
		zb_fail_field(&f, "scheme_id", "该方案版本已有新版本，请使用最新版本");
	if (rc == 1)
		ev_scheme_row_release(&sr);
	if (f.err) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	app_who(r, &who);
	id = ev_round_insert(c->db, &r->app->keys, &who, o.id, o.path, scheme_id,
			     json_str_trim(&r->arena, body, "name", ""), (int)json_int(body, "year", 0),
			     (int)json_int(body, "quarter", 0), quota);
	json_decref(body);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	if (ev_round_load(c->db, &r->arena, id, &rd) != 1) {
		app_db_fail(r, DB_EGENERIC, 1);
		return;
	}
	app_commit_answer(r, 201, ev_round_json(&rd));
}

/* The round's JSON with its entries visible to the caller (with lines when detail). */
static json_t *round_with_entries(struct req *r, const struct ev_round *rd,
				  const struct ev_scheme_row *sr, const struct ev_computed *cmp, int detail)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	json_t *j = ev_round_json(rd), *items = json_array();
	size_t *order = arena_alloc(&r->arena, (cmp->n + 1) * sizeof(size_t));

	scope_for(c, "eval.read", &s);
	/* by rank, then the tree's order */
	for (size_t i = 0; i < cmp->n; i++)
		order[i] = i;
	for (size_t i = 1; i < cmp->n; i++)
		for (size_t k = i; k > 0 && cmp->v[order[k]].rank < cmp->v[order[k - 1]].rank; k--) {
			size_t t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	for (size_t i = 0; i < cmp->n; i++) {
		const struct ev_entry *e = &cmp->v[order[i]];
		if (scope_contains(&s, e->org_path))
			json_array_append_new(items, ev_entry_json(c->db, &r->arena, rd, sr, e, detail));
	}
	json_object_set_new(j, "entries", items);
	json_object_set_new(j, "branches", json_integer((json_int_t)cmp->n));
	json_object_set_new(j, "tie_rule", json_string(EV_TIE_RULE));
	json_object_set_new(j, "scheme", json_pack("{s:I, s:s, s:i}", "id", (json_int_t)sr->id,
						   "name", sr->name, "seq", sr->seq));
	json_object_set_new(j, "live", json_boolean(strcmp(rd->status, "published") != 0));
	json_object_set_new(j, "can_review", json_boolean(strcmp(rd->status, "published") != 0 &&
							  perm_has(c, "eval.review", rd->org_path)));
	return j;
}

/* GET /eval/rounds/:id: the round and its entries by rank (totals, stars, rises and falls). */
void eval_http_round_get(struct req *r)
{
	struct ev_round rd;
	struct ev_scheme_row sr;
	struct ev_computed cmp;

	if (!load_round(r, req_param_id(r, "id"), &rd, &sr))
		return;
	if (compute(r, &rd, &sr, &cmp))
		resp_json(r, 200, round_with_entries(r, &rd, &sr, &cmp, 0));
	ev_computed_free(&cmp);
	ev_scheme_row_release(&sr);
}

/* GET /eval/rounds/:id/ranking?detail=1: the ranking with every branch's scores down to the items and their inputs. */
void eval_http_ranking(struct req *r)
{
	struct ev_round rd;
	struct ev_scheme_row sr;
	struct ev_computed cmp;
	const char *d = req_query(r, "detail");

	if (!load_round(r, req_param_id(r, "id"), &rd, &sr))
		return;
	if (compute(r, &rd, &sr, &cmp))
		resp_json(r, 200, round_with_entries(r, &rd, &sr, &cmp, d && strcmp(d, "1") == 0));
	ev_computed_free(&cmp);
	ev_scheme_row_release(&sr);
}

/* POST /eval/rounds/:id/review {version}: self-assessment closed, township review opens. */
void eval_http_round_review(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct ev_round rd;
	struct ev_scheme_row sr;
	json_t *body;
	int64_t changed = 0;
	char now[32];
	int rc;

	if (!load_round(r, req_param_id(r, "id"), &rd, &sr))
		return;
	ev_scheme_row_release(&sr);
	if (!perm_has(c, "eval.review", rd.org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权审核该考评");
		return;
	}
	body = read_body(r, version_fields, 0);
	if (!body)
		return;
	if (strcmp(rd.status, "self") != 0 || json_int(body, "version", 0) != rd.version) {
		json_decref(body);
		app_conflict(r, strcmp(rd.status, "self") != 0 ? "考评已不在自评阶段" : "考评已被他人修改，请刷新后重试",
			     ev_round_json(&rd));
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	ts_now(now);
	rc = db_run_changes(c->db, &changed, SQL_ROUND_REVIEW, "sii", now, rd.id, rd.version);
	json_decref(body);
	if (rc == DB_OK && changed != 1) {
		db_rollback(c->db);
		app_conflict(r, "考评已被他人修改，请刷新后重试", NULL);
		return;
	}
	if (rc == DB_OK)
		rc = app_audit(r, "eval_round", rd.id, "review", NULL, NULL);
	if (rc != DB_OK || ev_round_load(c->db, &r->arena, rd.id, &rd) != 1) {
		app_db_fail(r, rc != DB_OK ? rc : DB_EGENERIC, 1);
		return;
	}
	app_commit_answer(r, 200, ev_round_json(&rd));
}

/* POST /eval/rounds/:id/publish {version}: results published; every entry's inputs frozen. */
void eval_http_round_publish(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct ev_round rd;
	struct ev_scheme_row sr;
	struct audit_who who;
	const char *failed = NULL;
	json_t *body;
	int64_t version;
	int rc;

	if (!load_round(r, req_param_id(r, "id"), &rd, &sr))
		return;
	ev_scheme_row_release(&sr);
	if (!perm_has(c, "eval.review", rd.org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权公布该考评结果");
		return;
	}
	body = read_body(r, version_fields, 0);
	if (!body)
		return;
	version = json_int(body, "version", 0);
	json_decref(body);
	if (strcmp(rd.status, "review") != 0 || version != rd.version) {
		app_conflict(r, strcmp(rd.status, "self") == 0 ? "考评尚在自评阶段，审核后才能公布" :
				strcmp(rd.status, "published") == 0 ? "考评结果已公布" : "考评已被他人修改，请刷新后重试",
			     ev_round_json(&rd));
		return;
	}
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	rc = ev_round_publish(c->db, &r->arena, &r->app->keys, &who, &rd, version, &failed);
	if (rc == 1) {
		db_rollback(c->db);
		app_conflict(r, "考评已被他人修改，请刷新后重试", NULL);
		return;
	}
	if (rc != DB_OK) {
		if (failed) {
			db_rollback(c->db);
			resp_error(r, ZB_EINTERNAL, arena_printf(&r->arena, "数据指标“%s”无法计算，不能公布", failed));
			return;
		}
		app_db_fail(r, rc, 1);
		return;
	}
	if (ev_round_load(c->db, &r->arena, rd.id, &rd) != 1) {
		app_db_fail(r, DB_EGENERIC, 1);
		return;
	}
	app_commit_answer(r, 200, ev_round_json(&rd));
}

/* ---------------------------------------------------------------- entries */

/*
 * The entry :id visible to the caller: its round, scheme and the computed
 * round; *idx the entry's index. 1 to go on (release sr, cmp); answered otherwise.
 */
static int load_entry(struct req *r, struct ev_round *rd, struct ev_scheme_row *sr,
		      struct ev_computed *cmp, size_t *idx)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, "id"), round_id = 0;
	int rc = id ? db_query_int(c->db, &round_id, SQL_ENTRY_ROUND, "i", id) : DB_DONE;

	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	if (rc != DB_ROW) {
		resp_error(r, ZB_ENOTFOUND, "考评记录不存在");
		return 0;
	}
	if (!load_round(r, round_id, rd, sr))
		return 0;
	if (!compute(r, rd, sr, cmp)) {
		ev_scheme_row_release(sr);
		return 0;
	}
	scope_for(c, "eval.read", &s);
	for (size_t i = 0; i < cmp->n; i++)
		if (cmp->v[i].id == id && scope_contains(&s, cmp->v[i].org_path)) {
			*idx = i;
			return 1;
		}
	ev_computed_free(cmp);
	ev_scheme_row_release(sr);
	resp_error(r, ZB_ENOTFOUND, "考评记录不存在");
	return 0;
}

/* GET /eval/entries/:id: a branch's sheet: every item, its inputs, where points were lost and what to do. */
void eval_http_entry_get(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct ev_round rd;
	struct ev_scheme_row sr;
	struct ev_computed cmp;
	size_t idx;
	json_t *j, *lines, *lost, *line;
	size_t i;

	if (!load_entry(r, &rd, &sr, &cmp, &idx))
		return;
	j = ev_entry_json(c->db, &r->arena, &rd, &sr, &cmp.v[idx], 1);
	lines = json_object_get(j, "lines");
	json_array_foreach(lines, i, line) {
		int64_t sid = 0;
		if (db_query_int(c->db, &sid, SQL_SCORE_ID, "is", cmp.v[idx].id,
				 json_string_value(json_object_get(line, "code"))) == DB_ROW)
			json_object_set_new(line, "files", files_list_json(c->db, "eval_score", sid));
		else
			json_object_set_new(line, "files", json_array());
	}
	/* where points were lost, most first: what the branch should work on */
	lost = json_array();
	json_array_foreach(lines, i, line)
		if (json_real_value(json_object_get(line, "lost")) > 0.05)
			json_array_append(lost, line);
	for (size_t a = 1; a < json_array_size(lost); a++)
		for (size_t b = a; b > 0 && json_real_value(json_object_get(json_array_get(lost, b), "lost")) >
						   json_real_value(json_object_get(json_array_get(lost, b - 1), "lost")); b--) {
			json_t *t = json_incref(json_array_get(lost, b));
			json_array_set(lost, b, json_array_get(lost, b - 1));
			json_array_set_new(lost, b - 1, t);
		}
	json_object_set_new(j, "lost_points", lost);
	json_object_set_new(j, "round", ev_round_json(&rd));
	json_object_set_new(j, "can_self_assess", json_boolean(strcmp(rd.status, "self") == 0 &&
		strcmp(cmp.v[idx].status, "draft") == 0 && perm_has(c, "eval.write", cmp.v[idx].org_path)));
	json_object_set_new(j, "can_review", json_boolean(strcmp(rd.status, "review") == 0 &&
		perm_has(c, "eval.review", cmp.v[idx].org_path)));
	resp_json(r, 200, j);
	ev_computed_free(&cmp);
	ev_scheme_row_release(&sr);
}

/* One parsed score of a body. */
struct score_in {
	int item;		/* index in the scheme */
	int tenths;
	const char *text;	/* comment (self) or reason (review) */
	int64_t *files;
	size_t nfiles;
};

/*
 * PUT /eval/entries/:id/scores {version, scores:[{item, points, comment?, reason?, files?}]}:
 * during self-assessment the branch scores its manual items; during review
 * the township scores any item, with a reason for every score that differs
 * from the one it replaces (the self-assessment, or the points from records).
 */
void eval_http_entry_scores(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct ev_round rd;
	struct ev_scheme_row sr;
	struct ev_computed cmp;
	struct audit_who who;
	struct zb_fail f;
	struct score_in *in;
	const struct ev_entry *e;
	json_t *body, *arr, *x;
	size_t idx, i, n = 0;
	int64_t changed = 0;
	int review, rc = DB_OK;
	char now[32];

	if (!load_entry(r, &rd, &sr, &cmp, &idx))
		return;
	e = &cmp.v[idx];
	review = strcmp(rd.status, "review") == 0;
	if (strcmp(rd.status, "published") == 0 || (!review && strcmp(e->status, "draft") != 0)) {
		app_conflict(r, review || strcmp(rd.status, "published") == 0 ? "考评结果已公布，不能再修改评分"
									   : "本支部已提交自评，不能再修改", NULL);
		goto out;
	}
	if (!perm_has(c, review ? "eval.review" : "eval.write", e->org_path)) {
		resp_error(r, ZB_EFORBIDDEN, review ? "乡镇审核阶段，只有乡镇党建办可以修改评分" : "您无权为该支部自评");
		goto out;
	}
	body = read_body(r, scores_fields, 0);
	if (!body)
		goto out;
	zb_fail_init(&f);
	arr = json_object_get(body, "scores");
	in = arena_alloc(&r->arena, (json_array_size(arr) + 1) * sizeof(*in));
	json_array_foreach(arr, i, x) {
		const char *code = json_string_value(json_object_get(x, "item"));
		const json_t *pts = json_object_get(x, "points");
		const char *key = arena_printf(&r->arena, "scores[%zu]", i);
		const struct ev_item *it;
		const struct ev_line *l;
		int k = -1, cur;
		for (size_t q = 0; code && q < sr.s.nitem; q++)
			if (strcmp(sr.s.items[q].code, code) == 0)
				k = (int)q;
		if (!json_is_object(x) || k < 0) {
			zb_fail_field(&f, key, "指标不存在");
			continue;
		}
		it = &sr.s.items[k];
		l = &e->lines[k];
		in[n].item = k;
		if (json_is_null(pts) && review) {
			in[n].tenths = -1;	/* the review's score withdrawn */
		} else if (!json_is_number(pts) || json_number_value(pts) < 0 ||
			   json_number_value(pts) * 10 > it->max + 1e-9) {
			zb_fail_field(&f, key, "“%s”的得分应在0到%g分之间", it->name, it->max / 10.0);
			continue;
		} else {
			in[n].tenths = (int)lround(json_number_value(pts) * 10);
		}
		if (!review && !it->manual) {
			zb_fail_field(&f, key, "“%s”按记录自动计分，不能自评", it->name);
			continue;
		}
		in[n].text = json_str_trim(&r->arena, x, review ? "reason" : "comment", NULL);
		if (in[n].text && utf8_len(in[n].text) > 500)
			zb_fail_field(&f, key, "说明不能超过500字");
		cur = it->manual ? (l->has_self ? l->self_pts : 0) : l->metric_pts;
		if (review && in[n].tenths >= 0 && in[n].tenths != cur && !in[n].text)
			zb_fail_field(&f, key, "“%s”的审核得分与%s（%g分）不同，请填写调整理由", it->name,
				      it->manual ? "自评得分" : "按记录计算的得分", cur / 10.0);
		if (json_is_array(json_object_get(x, "files"))) {
			long nf = files_ids_from_json(json_object_get(x, "files"), &r->arena, &in[n].files, key, &f);
			in[n].nfiles = nf > 0 ? (size_t)nf : 0;
		}
		n++;
	}
	if (f.err) {
		json_decref(body);
		resp_fail(r, &f);
		goto out;
	}
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		json_decref(body);
		goto out;
	}
	ts_now(now);
	app_who(r, &who);
	rc = db_run_changes(c->db, &changed, review ? SQL_ENTRY_BUMP_REVIEW : SQL_ENTRY_BUMP, "sii", now,
			    e->id, json_int(body, "version", 0));
	json_decref(body);
	if (rc == DB_OK && changed != 1) {
		zb_fail_release(&f);
		db_rollback(c->db);
		app_conflict(r, "评分已被他人修改，请刷新后重试", ev_entry_json(c->db, &r->arena, &rd, &sr, e, 0));
		goto out;
	}
	for (i = 0; rc == DB_OK && i < n; i++) {
		int64_t sid = ev_score_set(c->db, &r->app->keys, &who, e->id, sr.s.items[in[i].item].code,
					   review, in[i].tenths, in[i].text);
		if (sid < 0) {
			rc = (int)sid;
			break;
		}
		if (in[i].nfiles) {
			long lr = files_attach(c->db, &r->app->keys, &who, "eval_score", sid, e->org_path,
					       in[i].files, in[i].nfiles, "files", &f);
			if (f.err) {
				db_rollback(c->db);
				resp_fail(r, &f);
				goto out;
			}
			if (lr < 0)
				rc = (int)lr;
		}
	}
	zb_fail_release(&f);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		goto out;
	}
	rc = db_commit(c->db);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		goto out;
	}
	/* answer the entry as it is now */
	{
		int64_t eid = e->id;
		ev_computed_free(&cmp);
		if (!compute(r, &rd, &sr, &cmp))
			goto out;
		for (i = 0; i < cmp.n; i++)
			if (cmp.v[i].id == eid)
				break;
		resp_json(r, 200, i < cmp.n ? ev_entry_json(c->db, &r->arena, &rd, &sr, &cmp.v[i], 1)
					   : json_object());
	}
out:
	ev_computed_free(&cmp);
	ev_scheme_row_release(&sr);
}

/* POST /eval/entries/:id/submit {version}: the branch submits its self-assessment (every manual item scored). */
void eval_http_entry_submit(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct ev_round rd;
	struct ev_scheme_row sr;
	struct ev_computed cmp;
	struct buf missing;
	json_t *body;
	size_t idx;
	int64_t changed = 0, id, version;
	char now[32];
	int rc;

	if (!load_entry(r, &rd, &sr, &cmp, &idx))
		return;
	id = cmp.v[idx].id;
	if (!perm_has(c, "eval.write", cmp.v[idx].org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权提交该支部的自评");
		goto out;
	}
	body = read_body(r, version_fields, 0);
	if (!body)
		goto out;
	version = json_int(body, "version", 0);
	json_decref(body);
	if (strcmp(rd.status, "self") != 0 || strcmp(cmp.v[idx].status, "draft") != 0 ||
	    version != cmp.v[idx].version) {
		app_conflict(r, strcmp(rd.status, "self") != 0 ? "考评已不在自评阶段" :
				strcmp(cmp.v[idx].status, "draft") != 0 ? "自评已提交" : "评分已被他人修改，请刷新后重试",
			     ev_entry_json(c->db, &r->arena, &rd, &sr, &cmp.v[idx], 0));
		goto out;
	}
	buf_init(&missing, 4096);
	for (size_t i = 0; i < sr.s.nitem; i++)
		if (sr.s.items[i].manual && !cmp.v[idx].lines[i].has_self)
			buf_printf(&missing, "%s%s", missing.len ? "、" : "", sr.s.items[i].name);
	if (missing.len) {
		struct zb_fail f;
		zb_fail_init(&f);
		zb_fail_field(&f, "scores", "以下指标尚未自评：%s", missing.data);
		buf_release(&missing);
		resp_fail(r, &f);
		goto out;
	}
	buf_release(&missing);
	if (!app_begin_write(r))
		goto out;
	ts_now(now);
	rc = db_run_changes(c->db, &changed, SQL_ENTRY_SUBMIT, "ssii", now, now, id, version);
	if (rc == DB_OK && changed != 1) {
		db_rollback(c->db);
		app_conflict(r, "评分已被他人修改，请刷新后重试", NULL);
		goto out;
	}
	if (rc == DB_OK)
		rc = app_audit(r, "eval_entry", id, "submit", NULL, NULL);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		goto out;
	}
	app_commit_answer(r, 200, json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "status", "submitted",
					    "version", (json_int_t)(version + 1)));
out:
	ev_computed_free(&cmp);
	ev_scheme_row_release(&sr);
}

/* GET /eval/compare?a=&b=: each branch's total and stars in two rounds, and the change. */
void eval_http_compare(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct ev_round ra, rb;
	struct ev_scheme_row sa, sb;
	struct ev_computed ca, cb;
	struct zb_fail f;
	struct scope s;
	int64_t a, b;
	json_t *items;

	zb_fail_init(&f);
	a = req_query_int(r, "a", 0, 1, INT64_MAX, &f);
	b = req_query_int(r, "b", 0, 1, INT64_MAX, &f);
	if (!f.err && (!a || !b))
		zb_fail_field(&f, a ? "b" : "a", "请选择要比较的两次考评");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!load_round(r, a, &ra, &sa))
		return;
	if (!load_round(r, b, &rb, &sb)) {
		ev_scheme_row_release(&sa);
		return;
	}
	if (!compute(r, &ra, &sa, &ca))
		goto out2;
	if (!compute(r, &rb, &sb, &cb))
		goto out1;
	scope_for(c, "eval.read", &s);
	items = json_array();
	for (size_t i = 0; i < cb.n; i++) {
		const struct ev_entry *eb = &cb.v[i], *ea = NULL;
		if (!scope_contains(&s, eb->org_path))
			continue;
		for (size_t k = 0; k < ca.n; k++)
			if (ca.v[k].org_id == eb->org_id)
				ea = &ca.v[k];
		json_array_append_new(items, json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:i, s:o, s:i}",
			"org_id", (json_int_t)eb->org_id, "org_name", eb->org_name,
			"a_total", ea ? ev_pts(ea->t.total) : json_null(), "b_total", ev_pts(eb->t.total),
			"delta", ea ? ev_pts(eb->t.total - ea->t.total) : json_null(),
			"a_stars", ea ? json_integer(ea->stars) : json_null(), "b_stars", eb->stars,
			"a_rank", ea ? json_integer(ea->rank) : json_null(), "b_rank", eb->rank));
	}
	resp_json(r, 200, json_pack("{s:o, s:o, s:o}", "a", ev_round_json(&ra), "b", ev_round_json(&rb),
				    "items", items));
	ev_computed_free(&cb);
out1:
	ev_computed_free(&ca);
out2:
	ev_scheme_row_release(&sa);
	ev_scheme_row_release(&sb);
}
