/* coverage.c - GET /api/v1/trainings/coverage: party members trained ÷ members, per branch, for a year. */
#include <string.h>
#include "training.h"
#include "training_internal.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/pathidx.h"

/* One branch or general branch of the report. */
struct cov_org {
	int64_t id;
	const char *path;
	int64_t members;
	int64_t trained;
	json_t *untrained;	/* person ids */
	json_t *item;
};

static const char SQL_ORGS[] =
	"SELECT o.id, o.name, o.path, o.kind FROM orgs o"
	" WHERE o.kind IN ('branch', 'general_branch') AND o.status = 'active' AND ";

/*
 * The members query: active party members of the subtree who had joined by
 * the year's end (or have no join date), each with 1 when present at one
 * session or more held in the year. Parameters: start, end, end, scope...
 */
static const char *members_sql(struct req *r, const struct scope *s, const char *org_path)
{
	return arena_printf(&r->arena,
		"SELECT v.person_id, v.org_path, CASE WHEN EXISTS (SELECT 1 FROM training_attendance a"
		" JOIN training_sessions ts ON ts.id = a.session_id WHERE a.person_id = v.person_id"
		" AND ts.held_on >= ? AND ts.held_on <= ?) THEN 1 ELSE 0 END"
		" FROM %s v WHERE v.status = 'active' AND v.political_status IN "
		PEOPLE_PARTY_STATUSES " AND (v.joined_on IS NULL OR v.joined_on <= ?) AND %s%s"
		" ORDER BY v.org_path, v.name, v.person_id",
		people_view_sql(), scope_sql(&r->arena, s, "v.org_path"),
		org_path ? " AND v.org_path LIKE ?" : "");
}

static json_t *ratio_json(int64_t trained, int64_t members)
{
	if (members == 0)
		return json_null();
	return json_real((double)(trained * 10000 / members) / 10000.0);
}

/* Classes, regular sessions and make-up sessions of the year visible from the subtree(s). */
static int class_totals(struct req *r, const struct scope *s, const char *org_path, int64_t year,
			int64_t out[3] /* OUT */)
{
	struct db_params b = { 0 };
	struct buf sql;
	struct db_stmt *st;
	int rc;

	buf_init(&sql, 0);
	buf_printf(&sql, "SELECT c.id, (SELECT COUNT(*) FROM training_sessions x WHERE"
		   " x.class_id = c.id AND x.makeup_of IS NULL), (SELECT COUNT(*) FROM"
		   " training_sessions x WHERE x.class_id = c.id AND x.makeup_of IS NOT NULL)"
		   " FROM training_classes c JOIN orgs o ON o.id = c.org_id WHERE c.year = %lld AND ",
		   (long long)year);
	if (org_path)
		tb_visible(&r->arena, &sql, &b, "o.path", org_path);
	else
		tb_visible_scope(&r->arena, &sql, &b, "o.path", s);
	st = sql.err ? NULL : db_prepare(req_ctx(r)->db, sql.data);
	buf_release(&sql);
	if (!st)
		return DB_EGENERIC;
	db_params_bind(st, &b);
	while ((rc = db_step(st)) == DB_ROW) {
		out[0]++;
		out[1] += db_col_int(st, 1);
		out[2] += db_col_int(st, 2);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/*
 * GET /trainings/coverage?org=&year=: for each active branch and general
 * branch of the subtree (org, default every subtree the caller reads), its
 * party members during the year, how many of them were trained, the ratio,
 * whether all were, and the ids of those not trained; and totals: classes,
 * sessions (regular), makeup_sessions, organizations,
 * organizations_all_trained, members, trained. A member counts for the
 * nearest branch above them; members of no branch (the committee's own) are
 * not counted. An org with no members is not "all trained".
 */
void training_http_coverage(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct org *o = NULL;
	struct db_stmt *st;
	struct cov_org *orgs = NULL;
	struct path_index owners;
	int norgs = 0, cap = 0, rc, idx;
	int64_t year, org_id, totals[3] = { 0, 0, 0 }, all = 0, members = 0, trained = 0;
	char ystart[16], yend[16];
	json_t *items;

	zb_fail_init(&f);
	year = req_query_int(r, "year", date_today_cn().y, 2000, 2100, &f);
	org_id = req_query_int(r, "org", 0, 1, INT64_MAX, &f);
	scope_for(c, "training.read", &s);
	if (!f.err && org_id) {
		o = arena_alloc(&r->arena, sizeof(*o));
		if (org_load(c->db, org_id, o) != 1 || !scope_contains(&s, o->path))
			zb_fail_set(&f, ZB_ENOTFOUND, "组织不存在");
	}
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	snprintf(ystart, sizeof(ystart), "%04lld-01-01", (long long)year);
	snprintf(yend, sizeof(yend), "%04lld-12-31", (long long)year);

	st = db_prepare(c->db, arena_printf(&r->arena, "%s%s%s ORDER BY o.sort, o.id", SQL_ORGS,
					    scope_sql(&r->arena, &s, "o.path"),
					    o ? " AND o.path LIKE ?" : ""));
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	idx = scope_bind(st, 1, &s);
	if (o)
		db_bind_text(st, idx, arena_printf(&r->arena, "%s%%", o->path));
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		struct cov_org *x;
		if (norgs == cap) {
			struct cov_org *bigger;
			cap = cap ? cap * 2 : 32;
			bigger = arena_alloc(&r->arena, (size_t)cap * sizeof(*orgs));
			if (norgs)
				memcpy(bigger, orgs, (size_t)norgs * sizeof(*orgs));
			orgs = bigger;
		}
		x = &orgs[norgs++];
		x->id = db_col_int(st, 0);
		x->path = arena_strdup(&r->arena, db_col_text(st, 2));
		x->untrained = json_array();
		x->item = json_pack("{s:I, s:s, s:s}", "org_id", (json_int_t)x->id, "org_name",
				    db_col_text(st, 1), "kind", db_col_text(st, 3));
		json_array_append_new(items, x->item);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	/* a member counts for the deepest listed org above them: party groups roll into their branch */
	path_index_on(&owners, arena_alloc(&r->arena, (size_t)(norgs ? norgs : 1) * sizeof(struct path_key)),
		      (size_t)norgs);
	for (int i = 0; i < norgs; i++)
		path_index_add(&owners, orgs[i].path, i);
	path_index_sort(&owners);

	st = db_prepare(c->db, members_sql(r, &s, o ? o->path : NULL));
	if (!st) {
		rc = DB_EGENERIC;
		goto fail;
	}
	db_bindf(st, "sss", ystart, yend, yend);
	idx = scope_bind(st, 4, &s);
	if (o)
		db_bind_text(st, idx, arena_printf(&r->arena, "%s%%", o->path));
	while ((rc = db_step(st)) == DB_ROW) {
		long k = path_index_deepest(&owners, db_col_text(st, 1));
		struct cov_org *x = k >= 0 ? &orgs[k] : NULL;
		if (!x)
			continue;
		x->members++;
		if (db_col_int(st, 2))
			x->trained++;
		else
			json_array_append_new(x->untrained, json_integer(db_col_int(st, 0)));
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	rc = class_totals(r, &s, o ? o->path : NULL, year, totals);
	if (rc != DB_OK)
		goto fail;

	for (int i = 0; i < norgs; i++) {
		struct cov_org *x = &orgs[i];
		int done = x->members > 0 && x->trained == x->members;

		all += done;
		members += x->members;
		trained += x->trained;
		json_object_set_new(x->item, "members", json_integer(x->members));
		json_object_set_new(x->item, "trained", json_integer(x->trained));
		json_object_set_new(x->item, "ratio", ratio_json(x->trained, x->members));
		json_object_set_new(x->item, "all_trained", json_boolean(done));
		json_object_set_new(x->item, "untrained", x->untrained);
		x->untrained = NULL;
	}
	resp_json(r, 200, json_pack("{s:I, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}}",
		"year", (json_int_t)year, "org_id", o ? json_integer(o->id) : json_null(),
		"items", items, "totals",
		"classes", (json_int_t)totals[0], "sessions", (json_int_t)totals[1],
		"makeup_sessions", (json_int_t)totals[2], "organizations", (json_int_t)norgs,
		"organizations_all_trained", (json_int_t)all, "members", (json_int_t)members,
		"trained", (json_int_t)trained, "ratio", ratio_json(trained, members)));
	return;
fail:
	for (int i = 0; i < norgs; i++)
		json_decref(orgs[i].untrained);
	json_decref(items);
	app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
}
