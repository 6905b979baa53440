/* honours_public.c - the public notice (公示) pages without login: the notices in their period with nominees' names and units only, and the objection form, rate-limited per client address. */
#include <stdlib.h>
#include <string.h>
#include "honours_internal.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"


/* A notice for the public: no ids of people, no personal data; nominee ids are the nominations'. */
static json_t *notice_json(struct db *db, const struct hround *rd)
{
	struct hcat cat;
	struct db_stmt *st;
	json_t *noms = json_array();

	if (hcat_load(db, rd->category, &cat) != 1)
		snprintf(cat.label, sizeof(cat.label), "%s", rd->category);
	st = db_prepare(db, "SELECT n.id, n.nominee_name, n.nominee_unit FROM honour_nominations n"
			    " JOIN orgs o ON o.id = n.org_id WHERE n.round_id = ? AND n.status = 'approved'"
			    " ORDER BY o.sort_key, o.path, n.id");
	if (st)
		db_bind_int(st, 1, rd->id);
	while (st && db_step(st) == DB_ROW)
		json_array_append_new(noms, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_col_int(st, 0),
						      "name", db_col_text(st, 1), "unit", db_col_text(st, 2)));
	db_finalize(st);
	return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)rd->id,
			 "title", rd->title, "year", (json_int_t)rd->year, "category_label", cat.label,
			 "nominee_kind", cat.kind, "org_name", rd->org_name, "notice_from", rd->notice_from,
			 "notice_to", rd->notice_to, "nominees", noms);
}

/* The ids of rounds in their notice period today (at most cap); count or <0. */
static int current_notices(struct db *db, int64_t *ids, int cap)
{
	char day[11];
	struct db_stmt *st = db_prepare(db, "SELECT id FROM honour_rounds WHERE status = 'notice'"
					    " AND notice_from <= ? AND notice_to >= ? ORDER BY notice_from DESC, id DESC");
	int n = 0, rc = DB_DONE;

	date_format(date_today_cn(), day);
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "ss", day, day);
	while (n < cap && (rc = db_step(st)) == DB_ROW)
		ids[n++] = db_col_int(st, 0);
	db_finalize(st);
	return rc < 0 ? rc : n;
}

/* GET /public/honours/notices: every notice in its period today. */
void honours_public_notices(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	int64_t ids[100];
	json_t *items;
	int n;

	if (!app_public_allowed(r, 0))
		return;
	n = current_notices(db, ids, 100);
	if (n < 0) {
		app_db_fail(r, n, 0);
		return;
	}
	items = json_array();
	for (int i = 0; i < n; i++) {
		struct hround rd;
		if (hround_load(db, ids[i], &rd) == 1)
			json_array_append_new(items, notice_json(db, &rd));
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /public/honours/notices/:id: one notice, while in its period (else 404). */
void honours_public_notice(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	int64_t ids[100], id = req_param_id(r, "id");
	int n;

	if (!app_public_allowed(r, 0))
		return;
	n = current_notices(db, ids, 100);
	if (n < 0) {
		app_db_fail(r, n, 0);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct hround rd;
		if (ids[i] == id && hround_load(db, id, &rd) == 1) {
			resp_json(r, 200, notice_json(db, &rd));
			return;
		}
	}
	resp_error(r, ZB_ENOTFOUND, "该公示不存在或已结束");
}

/*
 * POST /public/honours/objections {nomination_id, text}: a resident objects
 * to a nominee during the notice. Rate-limited; text with markup or control
 * characters refused; after the period refused. No account, no name needed.
 */
void honours_public_objection(struct req *r)
{
	static const struct json_field fields[] = {
		{ "nomination_id", JF_INT, 1, 0, 1, INT64_MAX, "公示对象" },
		{ "text", JF_STRING, 1, 0, 5, 1000, "异议内容" },
		{ 0 }
	};
	struct db *db = req_ctx(r)->db;
	struct audit_who who = { 0, "public", r->ip, r->id };
	struct zb_fail f;
	const char *text;
	int64_t nid, id;
	json_t *b;
	int rc;

	if (!app_public_allowed(r, 1))
		return;
	zb_fail_init(&f);
	b = req_json(r, &f);
	if (!b) {
		resp_fail(r, &f);
		return;
	}
	json_check(b, fields, 0, &f);
	nid = json_int(b, "nomination_id", 0);
	text = json_str_trim(&r->arena, b, "text", NULL);
	json_decref(b);
	honour_text_check(&f, "text", "异议内容", text);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	rc = db_begin(db);
	if (rc != DB_OK) {
		zb_fail_release(&f);
		app_db_fail(r, rc, 0);
		return;
	}
	id = hobj_insert(db, &r->app->keys, &who, nid, "public", text, date_to_days(date_today_cn()), &f);
	if (id == 0 || f.err) {
		db_rollback(db);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	app_commit_answer(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "message",
					    "已收到您的异议，镇党委将在公示期满前核实处理"));
}
