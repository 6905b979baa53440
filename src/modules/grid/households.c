/* households.c - households of the grids (address, size, head, masked phone, tags, contact member), visits and contacts, and the silent minority. */
#include <stdlib.h>
#include <string.h>
#include "grid.h"
#include "grid_internal.h"
#include "../people/people.h"
#include "../../base/check.h"
#include "../../base/date.h"
#include "../../base/json.h"

/* ================================================================ households */

struct hh_ref {
	int64_t id, grid_id, version;
	char org_path[256];
};

static int hh_ref_load(struct db *db, int64_t id, struct hh_ref *h)
{
	struct db_stmt *st = db_prepare(db, "SELECT h.id, h.grid_id, o.path, h.version FROM households h"
					" JOIN grids g ON g.id = h.grid_id JOIN orgs o ON o.id = g.org_id WHERE h.id = ?");
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		h->id = db_col_int(st, 0);
		h->grid_id = db_col_int(st, 1);
		snprintf(h->org_path, sizeof(h->org_path), "%s", db_col_text(st, 2));
		h->version = db_col_int(st, 3);
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

static const char SQL_HH_ONE[] =
	"SELECT h.id, h.grid_id, g.name, g.org_id, o.name, h.address, h.size, h.head_name,"
	" h.phone_masked, h.contact_id, p.name, h.note, h.status, h.version, h.created_at, h.updated_at,"
	" (SELECT MAX(v.visited_on) FROM visits v WHERE v.household_id = h.id),"
	" (SELECT MAX(d.received_on) FROM deeds d WHERE d.household_id = h.id)"
	" FROM households h JOIN grids g ON g.id = h.grid_id JOIN orgs o ON o.id = g.org_id"
	" LEFT JOIN people p ON p.id = h.contact_id WHERE h.id = ?";

/* A household as API JSON (phone masked); NULL when missing. */
static json_t *household_json(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_HH_ONE);
	json_t *j, *tags, *labels;
	const char *lv, *ld, *last;

	if (!st || db_bind_int(st, 1, id) != DB_OK || db_step(st) != DB_ROW) {
		db_finalize(st);
		return NULL;
	}
	lv = db_col_text(st, 16);
	ld = db_col_text(st, 17);
	last = !lv ? ld : !ld ? lv : strcmp(lv, ld) >= 0 ? lv : ld;
	j = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:s, s:s, s:I, s:s, s:s, s:o}",
		      "id", (json_int_t)db_col_int(st, 0), "grid_id", (json_int_t)db_col_int(st, 1),
		      "grid_name", db_col_text(st, 2), "org_id", (json_int_t)db_col_int(st, 3),
		      "org_name", db_col_text(st, 4), "address", db_col_text(st, 5),
		      "size", (json_int_t)db_col_int(st, 6), "head_name", db_col_text(st, 7),
		      "phone_masked", grid_text_or_null(st, 8), "contact_id", grid_int_or_null(st, 9),
		      "contact_name", grid_text_or_null(st, 10), "note", db_col_text(st, 11),
		      "status", db_col_text(st, 12), "version", (json_int_t)db_col_int(st, 13),
		      "created_at", db_col_text(st, 14), "updated_at", db_col_text(st, 15),
		      "last_contact", last ? json_string(last) : json_null());
	db_finalize(st);
	if (!j)
		return NULL;
	tags = json_array();
	labels = json_array();
	st = db_prepare(db, "SELECT t.tag, d.label_zh FROM household_tags t LEFT JOIN dict_items d"
			" ON d.dict = 'household_tag' AND d.code = t.tag WHERE t.household_id = ? ORDER BY d.sort, t.tag");
	if (st && db_bind_int(st, 1, id) == DB_OK)
		while (db_step(st) == DB_ROW) {
			json_array_append_new(tags, json_string(db_col_text(st, 0)));
			json_array_append_new(labels, grid_text_or_null(st, 1));
		}
	db_finalize(st);
	json_object_set_new(j, "tags", tags);
	json_object_set_new(j, "tag_labels", labels);
	return j;
}

#define MAX_TAGS 10

static const struct json_field hh_fields[] = {
	{ "grid_id", JF_INT, 1, 0, 1, INT64_MAX, "网格" },
	{ "version", JF_INT, 0, 0, 1, INT64_MAX, "版本号" },
	{ "address", JF_STRING, 1, 0, 1, 200, "住址" },
	{ "size", JF_INT, 1, 0, 1, 50, "家庭人口" },
	{ "head_name", JF_STRING, 1, 0, 1, 30, "户主姓名" },
	{ "phone", JF_STRING, 0, 1, 0, 20, "联系电话" },
	{ "tags", JF_ARRAY, 0, 1, 0, MAX_TAGS, "户情标签" },
	{ "contact_id", JF_INT, 0, 1, 1, INT64_MAX, "联系党员" },
	{ "note", JF_STRING, 0, 1, 0, 500, "备注" },
	{ "status", JF_STRING, 0, 0, 1, 16, "状态" },
	{ 0 }
};

struct hh_in {
	int64_t grid_id, size, contact_id;
	const char *address, *head_name, *phone, *note, *status;
	int phone_mode;		/* 0 keep, 1 set, 2 clear */
	const char *tags[MAX_TAGS];
	int ntags;
};

struct member_find { int64_t id; int found; };

static int find_member(void *arg, int64_t person_id, const char *name, int voting)
{
	struct member_find *m = arg;

	(void)name;
	(void)voting;
	if (person_id == m->id) {
		m->found = 1;
		return 1;
	}
	return 0;
}

/* Read and check a household body; org_path is the grid's branch. */
static void hh_read(struct req *r, const json_t *body, const char *org_path, struct hh_in *in,
		    struct zb_fail *f)
{
	struct db *db = req_ctx(r)->db;
	const json_t *tags = json_object_get(body, "tags");
	char label[128];

	memset(in, 0, sizeof(*in));
	in->grid_id = json_int(body, "grid_id", 0);
	in->size = json_int(body, "size", 1);
	in->contact_id = json_int(body, "contact_id", 0);
	in->address = json_str_trim(&r->arena, body, "address", NULL);
	in->head_name = json_str_trim(&r->arena, body, "head_name", NULL);
	in->note = json_str_trim(&r->arena, body, "note", "");
	in->status = json_str_trim(&r->arena, body, "status", "active");
	in->phone = json_str_trim(&r->arena, body, "phone", NULL);
	in->phone_mode = in->phone ? 1 : json_object_get(body, "phone") ? 2 : 0;
	grid_text_check(f, "address", "住址", in->address);
	grid_text_check(f, "head_name", "户主姓名", in->head_name);
	grid_text_check(f, "note", "备注", in->note);
	if (in->phone) {
		const char *why = phone_check(in->phone);
		if (why)
			zb_fail_field(f, "phone", "%s", why);
	}
	if (strcmp(in->status, "active") != 0 && strcmp(in->status, "archived") != 0)
		zb_fail_field(f, "status", "状态应为 active（在册）或 archived（已迁出）");
	if (json_is_array(tags) && json_array_size(tags) <= MAX_TAGS)
		for (size_t i = 0; i < json_array_size(tags); i++) {
			const char *t = json_string_value(json_array_get(tags, i));
			if (!t || strlen(t) > 40 || !grid_dict_label(db, "household_tag", t, label, sizeof(label))) {
				zb_fail_field(f, "tags", "户情标签“%s”不在字典中", t ? t : "?");
				break;
			}
			for (int k = 0; k < in->ntags; k++)
				if (strcmp(in->tags[k], t) == 0)
					t = NULL;
			if (t)
				in->tags[in->ntags++] = arena_strdup(&r->arena, t);
		}
	if (org_path && in->contact_id) {
		struct member_find m = { in->contact_id, 0 };
		people_org_members(db, org_path, find_member, &m);
		if (!m.found)
			zb_fail_field(f, "contact_id", "联系党员须为本党组织的党员");
	}
}

/* Write the fields of a checked household (insert when id = 0). The id or <0. */
static int64_t hh_write(struct db *db, const struct keys *k, int64_t id, int64_t version,
			const struct hh_in *in, int64_t *changes)
{
	char now[24], masked[32] = "";
	char *enc = NULL;
	struct db_stmt *st;
	int rc;

	ts_now(now);
	if (in->phone_mode == 1) {
		enc = field_encrypt(k, in->phone);
		if (!enc)
			return DB_EGENERIC;
		if (strlen(in->phone) < sizeof(masked))
			mask_phone(in->phone, masked);
	}
	if (id == 0)
		st = db_prepare(db, "INSERT INTO households (grid_id, address, size, head_name, phone_enc,"
				" phone_masked, contact_id, note, status, created_at, updated_at)"
				" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
	else
		st = db_prepare(db, in->phone_mode ?
			"UPDATE households SET grid_id = ?, address = ?, size = ?, head_name = ?, phone_enc = ?,"
			" phone_masked = ?, contact_id = ?, note = ?, status = ?, updated_at = ?, version = version + 1"
			" WHERE id = ? AND version = ?" :
			"UPDATE households SET grid_id = ?, address = ?, size = ?, head_name = ?,"
			" contact_id = ?, note = ?, status = ?, updated_at = ?, version = version + 1"
			" WHERE id = ? AND version = ?");
	if (!st) {
		free(enc);
		return DB_EGENERIC;
	}
	{
		int i = 1;
		db_bind_int(st, i++, in->grid_id);
		db_bind_text(st, i++, in->address);
		db_bind_int(st, i++, in->size);
		db_bind_text(st, i++, in->head_name);
		if (id == 0 || in->phone_mode) {
			db_bind_text(st, i++, enc);
			db_bind_text(st, i++, enc ? masked : NULL);
		}
		if (in->contact_id)
			db_bind_int(st, i++, in->contact_id);
		else
			db_bind_null(st, i++);
		db_bind_text(st, i++, in->note);
		db_bind_text(st, i++, in->status);
		db_bind_text(st, i++, now);
		if (id == 0) {
			db_bind_text(st, i++, now);
		} else {
			db_bind_int(st, i++, id);
			db_bind_int(st, i++, version);
		}
	}
	free(enc);
	rc = db_step(st);
	if (id == 0 && rc == DB_ROW)
		id = db_col_int(st, 0);
	else if (id && rc == DB_DONE && changes)
		*changes = db_changes(st);
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	if (changes && id && *changes == 0)
		return id;
	rc = db_run(db, "DELETE FROM household_tags WHERE household_id = ?", "i", id);
	for (int i = 0; rc == DB_OK && i < in->ntags; i++)
		rc = db_run(db, "INSERT INTO household_tags (household_id, tag) VALUES (?, ?)", "is", id, in->tags[i]);
	return rc == DB_OK ? id : rc;
}

/* A household insert as the system (the demo): checked fields, audited. The id or <0. */
static int64_t hh_insert_audited(struct db *db, const struct keys *k, const struct audit_who *who,
				 const struct hh_in *in)
{
	int64_t id = hh_write(db, k, 0, 0, in, NULL);
	json_t *after;
	int rc;

	if (id <= 0)
		return id;
	after = household_json(db, id);
	rc = after ? audit_append(db, k, who, "household", id, "create", NULL, after) : DB_EGENERIC;
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

/* The household :id visible to the caller (404), writable with `write` (403). */
static int load_household(struct req *r, int write, struct hh_ref *h, json_t **out)
{
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id");
	int rc = id ? hh_ref_load(c->db, id, h) : 0;

	*out = NULL;
	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	if (rc == 0 || !grid_can(r, "grid.read", h->org_path, h->grid_id, 0, 0)) {
		resp_error(r, ZB_ENOTFOUND, "住户不存在");
		return 0;
	}
	if (write && !grid_can(r, "grid.write", h->org_path, h->grid_id, 0, 0)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该住户");
		return 0;
	}
	*out = household_json(c->db, id);
	if (!*out) {
		app_db_fail(r, DB_EGENERIC, 0);
		return 0;
	}
	return 1;
}

/* GET /households?grid=&org=&tag=&q=&page=&page_size= */
void households_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct db_params p = { 0 };
	struct zb_fail f;
	const char *path, *q = req_query(r, "q"), *tag = req_query(r, "tag"), *scope;
	int64_t page, page_size, grid, total = 0;
	struct buf w;
	struct db_stmt *st;
	json_t *items = json_array();
	int64_t ids[100];
	int n = 0, rc;

	zb_fail_init(&f);
	path = grid_org_param(r, "grid.read", &f);
	grid = req_query_int(r, "grid", 0, 0, INT64_MAX, &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 100, &f);
	if (f.err) {
		json_decref(items);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	scope = grid_scope_sql(r, "grid.read", "o.path", "h.grid_id", NULL, &p);
	buf_init(&w, 0);
	buf_printf(&w, " FROM households h JOIN grids g ON g.id = h.grid_id JOIN orgs o ON o.id = g.org_id"
		   " WHERE %s AND h.status = 'active'", scope);
	if (path) {
		buf_puts(&w, " AND o.path LIKE ?");
		db_param_text(&p, arena_printf(&r->arena, "%s%%", path));
	}
	if (grid) {
		buf_puts(&w, " AND h.grid_id = ?");
		db_param_int(&p, grid);
	}
	if (tag && *tag) {
		buf_puts(&w, " AND EXISTS (SELECT 1 FROM household_tags t WHERE t.household_id = h.id AND t.tag = ?)");
		db_param_text(&p, tag);
	}
	if (q && *q) {
		const char *like = db_like_contains(&r->arena, q);
		buf_puts(&w, " AND (h.address LIKE ? ESCAPE '!' OR h.head_name LIKE ? ESCAPE '!')");
		db_param_text(&p, like);
		db_param_text(&p, like);
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT COUNT(*)%s", w.data));
	rc = st ? db_params_bind(st, &p), db_step(st) : DB_EGENERIC;
	total = st ? db_col_int(st, 0) : 0;
	db_finalize(st);
	if (rc == DB_ROW) {
		st = db_prepare(c->db, arena_printf(&r->arena, "SELECT h.id%s ORDER BY o.sort_key, g.id, h.id LIMIT %lld OFFSET %lld",
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
	for (int i = 0; i < n; i++) {
		json_t *j = household_json(c->db, ids[i]);
		if (j)
			json_array_append_new(items, j);
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
				    "page", (json_int_t)page, "page_size", (json_int_t)page_size));
}

static json_t *visits_json(struct db *db, int64_t household_id)
{
	json_t *a = json_array();
	struct db_stmt *st = db_prepare(db,
		"SELECT v.id, v.household_id, v.visited_on, v.kind, d.label_zh, v.note, v.person_id, p.name,"
		" u.username FROM visits v LEFT JOIN dict_items d ON d.dict = 'visit_kind' AND d.code = v.kind"
		" LEFT JOIN people p ON p.id = v.person_id LEFT JOIN users u ON u.id = v.user_id"
		" WHERE v.household_id = ? ORDER BY v.visited_on DESC, v.id DESC LIMIT 100");

	if (st && db_bind_int(st, 1, household_id) == DB_OK)
		while (db_step(st) == DB_ROW)
			json_array_append_new(a, json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o}",
				"id", (json_int_t)db_col_int(st, 0), "household_id", (json_int_t)db_col_int(st, 1),
				"visited_on", db_col_text(st, 2), "kind", db_col_text(st, 3),
				"kind_label", grid_text_or_null(st, 4), "note", db_col_text(st, 5),
				"person_id", grid_int_or_null(st, 6), "person_name", grid_text_or_null(st, 7),
				"username", grid_text_or_null(st, 8)));
	db_finalize(st);
	return a;
}

/* GET /households/:id: with its visits and requests. */
void households_http_get(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct hh_ref h;
	json_t *j, *deeds = json_array();
	struct db_stmt *st;

	if (!load_household(r, 0, &h, &j)) {
		json_decref(deeds);
		return;
	}
	json_object_set_new(j, "visits", visits_json(c->db, h.id));
	st = db_prepare(c->db, "SELECT id, code, title, status, received_on, close_reason FROM deeds"
			" WHERE household_id = ? ORDER BY received_on DESC, id DESC LIMIT 100");
	if (st && db_bind_int(st, 1, h.id) == DB_OK)
		while (db_step(st) == DB_ROW)
			json_array_append_new(deeds, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}",
				"id", (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1),
				"title", db_col_text(st, 2), "status", db_col_text(st, 3),
				"received_on", db_col_text(st, 4), "close_reason", grid_text_or_null(st, 5)));
	db_finalize(st);
	json_object_set_new(j, "deeds", deeds);
	json_object_set_new(j, "can_write", json_boolean(grid_can(r, "grid.write", h.org_path, h.grid_id, 0, 0)));
	resp_json(r, 200, j);
}

/* The grid of a household body: writable by the caller (field error otherwise). */
static int hh_grid_ok(struct req *r, int64_t grid_id, struct grid_ref *g, struct zb_fail *f)
{
	struct ctx *c = req_ctx(r);

	if (grid_id <= 0)
		return 0;
	if (grid_ref_load(c->db, grid_id, g) != 1 || !grid_can(r, "grid.read", g->org_path, g->id, 0, 0) ||
	    strcmp(g->status, "active") != 0) {
		zb_fail_field(f, "grid_id", "网格不存在");
		return 0;
	}
	if (!grid_can(r, "grid.write", g->org_path, g->id, 0, 0)) {
		zb_fail_field(f, "grid_id", "您无权登记该网格的住户");
		return 0;
	}
	return 1;
}

/* POST /households */
void households_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct grid_ref g;
	struct hh_in in;
	struct zb_fail f;
	json_t *body, *after;
	int64_t id;
	int ok, rc;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, hh_fields, 0, &f);
	ok = hh_grid_ok(r, json_int(body, "grid_id", 0), &g, &f);
	hh_read(r, body, ok ? g.org_path : NULL, &in, &f);
	json_decref(body);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r))
		return;
	id = hh_write(c->db, &r->app->keys, 0, 0, &in, NULL);
	after = id > 0 ? household_json(c->db, id) : NULL;
	rc = id <= 0 ? (int)id : after ? app_audit(r, "household", id, "create", NULL, after) : DB_EGENERIC;
	if (rc != DB_OK) {
		json_decref(after);
		app_db_fail(r, rc ? rc : DB_EGENERIC, 1);
		return;
	}
	app_commit_answer(r, 201, after);
}

/* PUT /households/:id {version, ...}: phone absent keeps it, null clears it. */
void households_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct hh_ref h;
	struct grid_ref g;
	struct hh_in in;
	struct zb_fail f;
	json_t *before, *body, *after;
	int64_t version, changes = 0, id;
	int rc;

	if (!load_household(r, 1, &h, &before))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		json_decref(before);
		resp_fail(r, &f);
		return;
	}
	if (!json_has(body, "grid_id"))
		json_object_set_new(body, "grid_id", json_integer(h.grid_id));
	json_check(body, hh_fields, 0, &f);
	if (!json_has(body, "version"))
		zb_fail_field(&f, "version", "缺少版本号");
	version = json_int(body, "version", 0);
	rc = hh_grid_ok(r, json_int(body, "grid_id", 0), &g, &f);
	hh_read(r, body, rc ? g.org_path : NULL, &in, &f);
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
	id = hh_write(c->db, &r->app->keys, h.id, version, &in, &changes);
	if (id > 0 && changes == 0) {
		db_rollback(c->db);
		json_decref(before);
		app_conflict(r, "住户信息已被他人修改，请刷新后重试", household_json(c->db, h.id));
		return;
	}
	after = id > 0 ? household_json(c->db, h.id) : NULL;
	rc = id <= 0 ? (int)id : after ? app_audit(r, "household", h.id, "update", before, after) : DB_EGENERIC;
	json_decref(before);
	if (rc != DB_OK) {
		json_decref(after);
		app_db_fail(r, rc ? rc : DB_EGENERIC, 1);
		return;
	}
	json_object_set_new(after, "can_write", json_true());
	app_commit_answer(r, 200, after);
}

/* ================================================================ visits */

static const struct json_field visit_fields[] = {
	{ "visited_on", JF_DATE, 1, 0, 0, 0, "走访日期" },
	{ "kind", JF_STRING, 1, 0, 1, 40, "方式" },
	{ "note", JF_STRING, 0, 1, 0, 1000, "情况记录" },
	{ "person_id", JF_INT, 0, 1, 1, INT64_MAX, "走访人" },
	{ 0 }
};

/* Insert one visit (checked) with an audit row; the id or <0. */
static int64_t visit_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			    int64_t household_id, const char *on, const char *kind, const char *note,
			    int64_t person_id, int64_t user_id)
{
	struct db_stmt *st = db_prepare(db, "INSERT INTO visits (household_id, visited_on, kind, note, person_id,"
					" user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
	char now[24];
	int64_t id = 0;
	int rc;
	json_t *after;

	if (!st)
		return DB_EGENERIC;
	ts_now(now);
	db_bindf(st, "isssnns", household_id, on, kind, note ? note : "", now);
	if (person_id)
		db_bind_int(st, 5, person_id);
	if (user_id)
		db_bind_int(st, 6, user_id);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	after = json_pack("{s:I, s:s, s:s, s:s}", "household_id", (json_int_t)household_id,
			  "visited_on", on, "kind", kind, "note", note ? note : "");
	rc = audit_append(db, k, who, "visit", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

/* POST /households/:id/visits {visited_on, kind, note?, person_id?} */
void visits_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct hh_ref h;
	struct zb_fail f;
	json_t *cur, *body, *list;
	const char *on, *kind, *note;
	int64_t person, id;
	char label[128], today[11];

	if (!load_household(r, 1, &h, &cur))
		return;
	json_decref(cur);
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, visit_fields, 0, &f);
	on = json_str_trim(&r->arena, body, "visited_on", NULL);
	kind = json_str_trim(&r->arena, body, "kind", NULL);
	note = json_str_trim(&r->arena, body, "note", "");
	person = json_int(body, "person_id", 0);
	json_decref(body);
	grid_today(today);
	if (on && date_parse_iso(on, NULL) == 0 && strcmp(on, today) > 0)
		zb_fail_field(&f, "visited_on", "走访日期不能晚于今天");
	if (kind && !grid_dict_label(c->db, "visit_kind", kind, label, sizeof(label)))
		zb_fail_field(&f, "kind", "方式“%s”不在字典中", kind);
	grid_text_check(&f, "note", "情况记录", note);
	if (person && !grid_person_in(c->db, person, h.org_path))
		zb_fail_field(&f, "person_id", "走访人须为本党组织的人员");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	id = visit_insert(c->db, &r->app->keys, &who, h.id, on, kind, note, person, c->user_id);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return;
	}
	list = visits_json(c->db, h.id);
	{
		json_t *one = NULL;
		for (size_t i = 0; i < json_array_size(list); i++)
			if (json_integer_value(json_object_get(json_array_get(list, i), "id")) == id)
				one = json_incref(json_array_get(list, i));
		json_decref(list);
		app_commit_answer(r, 201, one);
	}
}

/* ================================================================ the silent minority */

/*
 * Silent: an active household with no visit and no request in the `days`
 * days up to as_of, i.e. none in (cutoff, as_of]. The same rule serves the
 * lists here and the findings (grid_findings).
 */
static const char SQL_SILENT_COND[] =
	"NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id"
	" AND v.visited_on > CAST(? AS TEXT) AND v.visited_on <= CAST(? AS TEXT))"
	" AND NOT EXISTS (SELECT 1 FROM deeds d WHERE d.household_id = h.id"
	" AND d.received_on > CAST(? AS TEXT) AND d.received_on <= CAST(? AS TEXT))";

const char *grid_silent_cond(void)
{
	return SQL_SILENT_COND;
}

/* as_of (query or today) and the cutoff day; 0 ok, -1 bad (f). */
static int silent_window(struct req *r, char as_of[11], char cutoff[11], int64_t *days, struct zb_fail *f)
{
	const char *q = req_query_date(r, "as_of", "截止日期", f);
	struct ymd d;

	*days = grid_setting(req_ctx(r)->db, "grid_silent_days", 90);
	if (f->err)
		return -1;
	if (q)
		snprintf(as_of, 11, "%s", q);
	else
		grid_today(as_of);
	date_parse_iso(as_of, &d);
	date_format(date_from_days(date_to_days(d) - *days), cutoff);
	return 0;
}

/* GET /grids/:id/silent?as_of=: the silent households of one grid. */
void grids_http_silent(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct grid_ref g;
	struct zb_fail f;
	json_t *gj, *items;
	struct db_stmt *st;
	char as_of[11], cutoff[11];
	int64_t days;
	int rc;

	if (!grid_load_checked(r, req_param_id(r, "id"), 0, &g, &gj))
		return;
	json_decref(gj);
	zb_fail_init(&f);
	if (silent_window(r, as_of, cutoff, &days, &f) != 0) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	st = db_prepare(c->db, arena_printf(&r->arena,
		"SELECT h.id FROM households h WHERE h.grid_id = ? AND h.status = 'active' AND %s ORDER BY h.id",
		SQL_SILENT_COND));
	items = json_array();
	rc = st ? db_bindf(st, "issss", g.id, cutoff, as_of, cutoff, as_of) : DB_EGENERIC;
	{
		int64_t *ids = NULL;
		size_t n = 0, cap = 0;
		while (st && (rc = db_step(st)) == DB_ROW) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				int64_t *x = realloc(ids, nc * sizeof(*x));
				if (!x)
					break;
				ids = x;
				cap = nc;
			}
			ids[n++] = db_col_int(st, 0);
		}
		db_finalize(st);
		for (size_t i = 0; rc == DB_DONE && i < n; i++) {
			json_t *j = household_json(c->db, ids[i]);
			const char *last = j ? json_string_value(json_object_get(j, "last_contact")) : NULL;
			struct ymd a, l;
			if (!j)
				continue;
			date_parse_iso(as_of, &a);
			if (last && date_parse_iso(last, &l) == 0)
				json_object_set_new(j, "days_since", json_integer(date_to_days(a) - date_to_days(l)));
			else
				json_object_set_new(j, "days_since", json_null());
			json_array_append_new(items, j);
		}
		free(ids);
	}
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:I, s:I, s:s, s:o}", "grid_id", (json_int_t)g.id, "days",
				    (json_int_t)days, "as_of", as_of, "items", items));
}

/* GET /grid/silent?org=&as_of=: per grid in scope, its households and how many are silent. */
void grid_http_silent_summary(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct db_params p = { 0 };
	struct zb_fail f;
	const char *path, *scope;
	char as_of[11], cutoff[11];
	int64_t days;
	struct buf q;
	struct db_stmt *st;
	json_t *items;
	int rc;

	zb_fail_init(&f);
	path = grid_org_param(r, "grid.read", &f);
	if (silent_window(r, as_of, cutoff, &days, &f) != 0 || f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	db_param_text(&p, cutoff);
	db_param_text(&p, as_of);
	db_param_text(&p, cutoff);
	db_param_text(&p, as_of);
	scope = grid_scope_sql(r, "grid.read", "o.path", "g.id", NULL, &p);
	buf_init(&q, 0);
	buf_printf(&q, "SELECT g.id, g.name, o.id, o.name, COUNT(h.id),"
		   " SUM(CASE WHEN h.id IS NOT NULL AND %s THEN 1 ELSE 0 END)"
		   " FROM grids g JOIN orgs o ON o.id = g.org_id"
		   " LEFT JOIN households h ON h.grid_id = g.id AND h.status = 'active'"
		   " WHERE g.status = 'active' AND %s", SQL_SILENT_COND, scope);
	if (path) {
		buf_puts(&q, " AND o.path LIKE ?");
		db_param_text(&p, arena_printf(&r->arena, "%s%%", path));
	}
	buf_puts(&q, " GROUP BY g.id, g.name, o.id, o.name, o.sort_key ORDER BY o.sort_key, g.id");
	st = db_prepare(c->db, q.data);
	buf_release(&q);
	items = json_array();
	rc = st ? db_params_bind(st, &p), DB_OK : DB_EGENERIC;
	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:I, s:s, s:I, s:I}",
			"grid_id", (json_int_t)db_col_int(st, 0), "grid_name", db_col_text(st, 1),
			"org_id", (json_int_t)db_col_int(st, 2), "org_name", db_col_text(st, 3),
			"households", (json_int_t)db_col_int(st, 4), "silent", (json_int_t)db_col_int(st, 5)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:I, s:s, s:o}", "days", (json_int_t)days, "as_of", as_of, "items", items));
}

/* A household as the system (grid_demo.c). */
int64_t grid_demo_household(struct db *db, const struct keys *k, const struct audit_who *who,
			    int64_t grid_id, const char *address, int size, const char *head,
			    const char *phone, const char *const *tags, int ntags, int64_t contact)
{
	struct hh_in in;

	memset(&in, 0, sizeof(in));
	in.grid_id = grid_id;
	in.address = address;
	in.size = size;
	in.head_name = head;
	in.phone = phone;
	in.phone_mode = phone ? 1 : 0;
	in.note = "";
	in.status = "active";
	in.contact_id = contact;
	for (int i = 0; i < ntags && i < MAX_TAGS; i++)
		in.tags[in.ntags++] = tags[i];
	return hh_insert_audited(db, k, who, &in);
}

/* A visit as the system (grid_demo.c). */
int64_t grid_demo_visit(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t household_id, const char *on, const char *kind, const char *note,
			int64_t person_id)
{
	return visit_insert(db, k, who, household_id, on, kind, note, person_id, 0);
}
