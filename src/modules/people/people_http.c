/* people_http.c - /api/v1/people, /positions and /flags: list, counts, team structure, detail, writes, unmask, history. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "people.h"
#include "people_internal.h"
#include "../orgs/orgs.h"
#include "../../app/memo.h"
#include "../../auth/perm.h"
#include "../../base/check.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_COUNTS[] =
	"SELECT pe.org_id, COUNT(*) FROM people pe JOIN orgs o ON o.id = pe.org_id"
	" WHERE pe.status = 'active' AND %s GROUP BY pe.org_id ORDER BY pe.org_id";
static const char SQL_HISTORY[] =
	"SELECT a.at, a.username, a.action, a.before_json, a.after_json, a.entity, a.entity_id"
	" FROM audit_log a"
	" WHERE (a.entity = 'person' AND a.entity_id = ?)"
	" OR (a.entity = 'position' AND a.entity_id IN (SELECT id FROM positions WHERE person_id = ?))"
	" OR (a.entity = 'person_flag'"
	" AND a.entity_id IN (SELECT id FROM person_flags WHERE person_id = ?))"
	" ORDER BY a.seq DESC LIMIT 1000";
static const char SQL_DICT_ITEMS[] =
	"SELECT code, label_zh, status FROM dict_items WHERE dict = ? ORDER BY sort, id";
static const char SQL_TEAM_COLS[] =
	"SELECT pe.birth_date, pe.education, pe.gender, pe.ethnicity";

#define PERSON_BODY_FIELDS \
	{ "name", JF_STRING, 1, 0, 1, 30, "姓名" }, \
	{ "gender", JF_STRING, 1, 0, 1, 10, "性别" }, \
	{ "ethnicity", JF_STRING, 1, 0, 1, 40, "民族" }, \
	{ "birth_date", JF_DATE, 1, 0, 0, 0, "出生日期" }, \
	{ "id_number", JF_STRING, 0, 1, 0, 40, "身份证号" }, \
	{ "phone", JF_STRING, 0, 1, 0, 20, "联系电话" }, \
	{ "education", JF_STRING, 0, 1, 0, 40, "学历" }, \
	{ "political_status", JF_STRING, 1, 0, 1, 40, "政治面貌" }, \
	{ "joined_on", JF_DATE, 0, 1, 0, 0, "入党日期" }, \
	{ "full_member_on", JF_DATE, 0, 1, 0, 0, "转正日期" }

static const struct json_field create_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "所属组织" },
	PERSON_BODY_FIELDS,
	{ 0 }
};

static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "所属组织" },
	PERSON_BODY_FIELDS,
	{ 0 }
};

static const struct json_field archive_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "reason", JF_STRING, 1, 0, 1, 200, "归档原因" },
	{ 0 }
};

static const struct json_field version_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ 0 }
};

static const struct json_field unmask_fields[] = {
	{ "reason", JF_STRING, 1, 0, 2, 200, "查看原因" },
	{ "fields", JF_ARRAY, 1, 0, 1, 2, "查看的字段" },
	{ 0 }
};

#define POSITION_BODY_FIELDS \
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "任职组织" }, \
	{ "title", JF_STRING, 1, 0, 1, 40, "职务" }, \
	{ "started_on", JF_DATE, 1, 0, 0, 0, "任职日期" }, \
	{ "ended_on", JF_DATE, 0, 1, 0, 0, "离任日期" }, \
	{ "note", JF_STRING, 0, 1, 0, 200, "备注" }

static const struct json_field position_create_fields[] = {
	POSITION_BODY_FIELDS,
	{ 0 }
};

static const struct json_field position_update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	POSITION_BODY_FIELDS,
	{ 0 }
};

#define FLAG_BODY_FIELDS \
	{ "flag", JF_STRING, 1, 0, 1, 40, "标记" }, \
	{ "started_on", JF_DATE, 1, 0, 0, 0, "开始日期" }, \
	{ "ended_on", JF_DATE, 0, 1, 0, 0, "结束日期" }, \
	{ "post", JF_STRING, 0, 1, 0, 50, "任职岗位" }, \
	{ "note", JF_STRING, 0, 1, 0, 200, "备注" }

static const struct json_field flag_create_fields[] = {
	FLAG_BODY_FIELDS,
	{ 0 }
};

static const struct json_field flag_update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	FLAG_BODY_FIELDS,
	{ 0 }
};

/* The sort orders of the list; the first is the default ("org then name"). */
static const struct { const char *name, *order; } sorts[] = {
	{ "org", " ORDER BY o.sort_key, pe.name, pe.id" },
	{ "name", " ORDER BY pe.name, pe.id" },
	{ "-name", " ORDER BY pe.name DESC, pe.id DESC" },
	{ "birth_date", " ORDER BY pe.birth_date, pe.id" },
	{ "-birth_date", " ORDER BY pe.birth_date DESC, pe.id DESC" },
	{ "-updated_at", " ORDER BY pe.updated_at DESC, pe.id DESC" },
};

/* The flags the structure counts. */
static const char *const structure_flags[] = { "selected_graduate", "returned_graduate",
					       "reserve_cadre" };

/* ---------------------------------------------------------------- shared steps */

static const struct keys *keys_of(struct req *r)
{
	return &r->app->keys;
}

/*
 * Load the person named by :id if the caller may read it; out of scope and
 * missing answer the same 404. Returns 1 when found (answered otherwise).
 */
int people_req_load(struct req *r, int64_t id, struct person_ref *p)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int rc = id ? person_ref_load(c->db, id, p) : 0;

	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	scope_for(c, "person.read", &s);
	if (rc == 0 || !scope_contains(&s, p->org_path)) {
		resp_error(r, ZB_ENOTFOUND, "人员不存在");
		return 0;
	}
	return 1;
}

/* The person may be changed by the caller and is not archived; answers otherwise. */
int people_req_writable(struct req *r, const struct person_ref *p)
{
	if (!perm_has(req_ctx(r), "person.write", p->org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该人员的信息");
		return 0;
	}
	if (strcmp(p->status, "active") != 0) {
		resp_error(r, ZB_ECONFLICT, "该人员已归档，请先恢复后再修改");
		return 0;
	}
	return 1;
}

/* An org the caller may register people or posts in: exists, readable, writable. */
static void check_org_writable(struct req *r, int64_t org_id, const char *field, struct zb_fail *f)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct org o;

	if (org_id <= 0)
		return;	/* json_check reported it */
	scope_for(c, "person.read", &s);
	if (org_load(c->db, org_id, &o) != 1 || !scope_contains(&s, o.path))
		zb_fail_field(f, field, "组织不存在");
	else if (!perm_has(c, "person.write", o.path))
		zb_fail_field(f, field, "您无权在该组织登记人员信息");
}

/* The body's person fields, trimmed; blank optional text is none. */
static void read_person_in(struct req *r, const json_t *body, struct person_in *in)
{
	memset(in, 0, sizeof(*in));
	in->org_id = json_int(body, "org_id", 0);
	in->name = json_str_trim(&r->arena, body, "name", NULL);
	in->gender = json_str_trim(&r->arena, body, "gender", NULL);
	in->ethnicity = json_str_trim(&r->arena, body, "ethnicity", NULL);
	in->birth_date = json_str_trim(&r->arena, body, "birth_date", NULL);
	in->id_number = json_str_trim(&r->arena, body, "id_number", NULL);
	in->phone = json_str_trim(&r->arena, body, "phone", NULL);
	in->education = json_str_trim(&r->arena, body, "education", NULL);
	in->political_status = json_str_trim(&r->arena, body, "political_status", NULL);
	in->joined_on = json_str_trim(&r->arena, body, "joined_on", NULL);
	in->full_member_on = json_str_trim(&r->arena, body, "full_member_on", NULL);
}

/* Omitted keeps, null or blank clears, a value replaces. */
static enum field_mode mode_of(const json_t *body, const char *key, const char *trimmed)
{
	const json_t *v = json_object_get(body, key);

	if (!v)
		return FIELD_KEEP;
	if (json_is_null(v) || (json_is_string(v) && !trimmed))
		return FIELD_CLEAR;
	return json_is_string(v) ? FIELD_SET : FIELD_KEEP;
}

/* ---------------------------------------------------------------- list */

/* A query parameter naming a dictionary code (any status), or one of the extra words. */
static const char *query_code(struct req *r, const char *name, const char *dict,
			      const char *const *extra, const char *label, struct zb_fail *f)
{
	const char *v = req_query(r, name);

	if (!v || !*v)
		return NULL;
	for (int i = 0; extra && extra[i]; i++)
		if (strcmp(v, extra[i]) == 0)
			return v;
	if (strlen(v) > 40 || !people_dict_exists(req_ctx(r)->db, dict, v)) {
		zb_fail_field(f, name, "%s“%s”不在字典中", label, v);
		return NULL;
	}
	return v;
}

/*
 * Read and check every filter of GET /people into pf (the caller's
 * person.read scope in s). Bad values are named in f.
 */
static void read_filter(struct req *r, struct scope *s, struct people_filter *pf,
			struct zb_fail *f)
{
	static const char *const edu_extra[] = { "college_or_above", "none", NULL };
	static const char *const pos_extra[] = { "two_committees", NULL };
	struct ctx *c = req_ctx(r);
	const char *q = req_query(r, "q"), *as_of = req_query(r, "as_of");
	const char *status = req_query(r, "status");
	int64_t org_id, born_from, born_to, age_min, age_max;

	memset(pf, 0, sizeof(*pf));
	scope_for(c, "person.read", s);
	pf->scope = s;
	org_id = req_query_int(r, "org", 0, 1, INT64_MAX, f);
	if (org_id) {
		struct org *o = arena_alloc(&r->arena, sizeof(*o));
		if (org_load(c->db, org_id, o) != 1 || !scope_contains(s, o->path))
			zb_fail_set(f, ZB_ENOTFOUND, "组织不存在");
		else
			pf->org_path = o->path;
	}
	if (q) {
		json_t *tmp = json_pack("{s:s}", "q", q);
		q = json_str_trim(&r->arena, tmp, "q", NULL);
		json_decref(tmp);
	}
	if (q && utf8_len(q) > 50) {
		zb_fail_field(f, "q", "搜索词不能超过50个字");
	} else if (q) {
		char norm[19];
		if (strlen(q) == 18 && !idcard_check(q, norm, NULL, NULL)) {
			char *bidx = arena_alloc(&r->arena, 65);
			blind_index(&r->app->keys, "idcard", norm, bidx);
			pf->id_bidx = bidx;
		} else {
			pf->name_like = db_like_contains(&r->arena, q);
		}
	}
	pf->gender = query_code(r, "gender", "gender", NULL, "性别", f);
	pf->ethnicity = query_code(r, "ethnicity", "ethnicity", NULL, "民族", f);
	pf->education = query_code(r, "education", "education", edu_extra, "学历", f);
	pf->political_status = query_code(r, "political_status", "political_status", NULL,
					  "政治面貌", f);
	pf->position = query_code(r, "position", "position", pos_extra, "职务", f);
	pf->flag = query_code(r, "flag", "person_flag", NULL, "标记", f);
	if (as_of && *as_of) {
		if (date_parse_iso(as_of, NULL) != 0)
			zb_fail_field(f, "as_of", "as_of 应为有效日期（YYYY-MM-DD）");
		else
			snprintf(pf->as_of, sizeof(pf->as_of), "%s", as_of);
	}
	if (!pf->as_of[0])
		date_format(date_today_cn(), pf->as_of);
	born_from = req_query_int(r, "born_from", 0, 1900, 2200, f);
	born_to = req_query_int(r, "born_to", 0, 1900, 2200, f);
	if (born_from && born_to && born_from > born_to)
		zb_fail_field(f, "born_to", "出生年份的结束年份不能早于开始年份");
	pf->born_from = (int)born_from;
	pf->born_to = (int)born_to;
	age_min = req_query_int(r, "age_min", -1, 0, 150, f);
	age_max = req_query_int(r, "age_max", -1, 0, 150, f);
	if (age_min >= 0 && age_max >= 0 && age_min > age_max)
		zb_fail_field(f, "age_max", "年龄上限不能小于下限");
	pf->age_min = (int)age_min;
	pf->age_max = (int)age_max;
	if (!status || !*status)
		status = "active";
	if (strcmp(status, "active") && strcmp(status, "archived") && strcmp(status, "all"))
		zb_fail_field(f, "status", "status 应为 active、archived 或 all");
	pf->status = status;
}

int people_sheet_walk_req(struct req *r, int unmask, person_sheet_fn fn, void *arg,
			  int64_t *rows, struct zb_fail *f)
{
	struct ctx *c = req_ctx(r);
	struct people_filter pf;
	struct scope s;

	if (rows)
		*rows = 0;
	read_filter(r, &s, &pf, f);
	if (f->err)
		return 1;
	if (unmask) {
		int ok = s.n > 0;

		if (pf.org_path)
			ok = perm_has(c, "person.unmask", pf.org_path);
		for (int i = 0; !pf.org_path && i < s.n; i++)
			if (!perm_has(c, "person.unmask", s.paths[i]))
				ok = 0;
		if (!ok) {
			zb_fail_set(f, ZB_EFORBIDDEN, "您无权导出完整的身份证号和电话");
			return 1;
		}
	}
	return people_walk_filter(c->db, &r->app->keys, &r->arena, &pf, unmask, fn, arg, rows);
}

/* The number of people the filter matches into *n, counted once until the next write. DB_OK or DB_E*. */
static int filter_count(struct req *r, const struct people_filter *pf, int64_t *n)
{
	struct db_params b = { 0 };
	struct buf sql;
	int rc = DB_EGENERIC;

	buf_init(&sql, 0);
	buf_puts(&sql, "SELECT COUNT(*)");
	people_filter_sql(&r->arena, pf, 0, &sql, &b);
	if (!sql.err && !b.overflow)
		rc = memo_count(r->app->memo, req_ctx(r)->db, sql.data, &b, n);
	buf_release(&sql);
	return rc;
}

/*
 * GET /people: one page of the filtered list, masked, with the positions and
 * flags of the page's people on as_of fetched in one query per kind.
 */
void people_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct people_filter pf;
	struct db_params b = { 0 };
	struct buf sql;
	struct db_stmt *st;
	const char *sort = req_query(r, "sort"), *order = sorts[0].order;
	int64_t page, page_size, total = 0, head;
	char *key;
	json_t *items;
	int rc;

	zb_fail_init(&f);
	read_filter(r, &s, &pf, &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 200, &f);
	if (sort && *sort) {
		size_t i;
		for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
			if (strcmp(sorts[i].name, sort) == 0)
				break;
		if (i == sizeof(sorts) / sizeof(sorts[0]))
			zb_fail_field(&f, "sort", "sort 应为 name、-name、birth_date、-birth_date、org 或 -updated_at");
		else
			order = sorts[i].order;
	}
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);

	buf_init(&sql, 0);
	buf_puts(&sql, people_select_cols());
	people_filter_sql(&r->arena, &pf, 1, &sql, &b);
	buf_puts(&sql, order);
	buf_puts(&sql, " LIMIT ? OFFSET ?");
	db_param_int(&b, page_size);
	db_param_int(&b, (page - 1) * page_size);
	if (sql.err || b.overflow) {
		buf_release(&sql);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	/*
	 * The page is kept until the next write, under its SQL (scope, filter,
	 * order, page), the day positions are read on, and today (ages).
	 */
	char today[11];
	date_format(date_today_cn(), today);
	key = memo_key(arena_printf(&r->arena, "people.page\x1f%s\x1f%s", pf.as_of, today), sql.data, &b);
	if (app_memo_answer(r, key, &head)) {
		free(key);
		buf_release(&sql);
		return;
	}
	rc = filter_count(r, &pf, &total);
	st = rc == DB_OK ? db_prepare(c->db, arena_strdup(&r->arena, sql.data)) : NULL;
	buf_release(&sql);
	if (!st) {
		free(key);
		app_db_fail(r, rc != DB_OK ? rc : DB_EGENERIC, 0);
		return;
	}
	db_params_bind(st, &b);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, person_json_from_row(st));
	db_finalize(st);
	if (rc == DB_DONE)
		rc = people_attach(c->db, &r->arena, items, pf.as_of);
	if (rc != DB_DONE && rc != DB_OK) {
		free(key);
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
				    (json_int_t)total, "page", (json_int_t)page,
				    "page_size", (json_int_t)page_size));
	app_memo_keep(r, key, head);
	free(key);
}

/* GET /people/counts: active people per org (direct), in the caller's scope. */
void people_http_counts(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct db_stmt *st;
	json_t *items;
	int rc;

	scope_for(c, "person.read", &s);
	st = db_prepare(c->db, arena_printf(&r->arena, SQL_COUNTS, scope_sql(&r->arena, &s, "o.path")));
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	scope_bind(st, 1, &s);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:I}", "org_id",
						       (json_int_t)db_col_int(st, 0), "count",
						       (json_int_t)db_col_int(st, 1)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------- structure */

/* A bucket {key, label, count, query}. */
static json_t *bucket(const char *key, const char *label, int64_t count, const char *query)
{
	return json_pack("{s:s, s:s, s:I, s:s}", "key", key, "label", label, "count",
			 (json_int_t)count, "query", query);
}

static void count_up(json_t *counts, const char *key)
{
	json_int_t n = json_integer_value(json_object_get(counts, key));

	json_object_set_new(counts, key, json_integer(n + 1));
}

/*
 * Buckets for a dictionary, in its order: every active item when
 * `zeros`, else only those counted; then counted codes the dictionary does
 * not list as active. `param` is the list filter for one code.
 */
static int dict_buckets(struct req *r, const char *dict, json_t *counts, int zeros,
			const char *base, const char *param, json_t *out)
{
	struct db_stmt *st = db_prepare(req_ctx(r)->db, SQL_DICT_ITEMS);
	json_t *left = json_deep_copy(counts), *v;
	const char *key;
	int rc;

	if (!st) {
		json_decref(left);
		return DB_EGENERIC;
	}
	db_bind_text(st, 1, dict);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *code = db_col_text(st, 0);
		json_int_t n = json_integer_value(json_object_get(counts, code));
		if (n > 0 || (zeros && strcmp(db_col_text(st, 2), "active") == 0))
			json_array_append_new(out, bucket(code, db_col_text(st, 1), n,
				arena_printf(&r->arena, "%s&%s=%s", base, param, code)));
		json_object_del(left, code);
	}
	db_finalize(st);
	json_object_foreach(left, key, v) {
		if (strcmp(key, "none") == 0)
			continue;
		json_array_append_new(out, bucket(key, key, json_integer_value(v),
			arena_printf(&r->arena, "%s&%s=%s", base, param, key)));
	}
	json_decref(left);
	return rc == DB_DONE ? DB_OK : rc;
}

/*
 * GET /people/structure: the leadership team (两委) of an org subtree on a
 * date. The team is exactly GET /people with org, position=two_committees,
 * as_of and status=all (people archived since still count for past dates),
 * built by the same filter code, so every bucket's `query` lists exactly the
 * people it counts.
 */
void people_http_structure(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct people_filter pf;
	struct db_params b = { 0 };
	struct org o;
	struct buf sql;
	struct db_stmt *st;
	struct ymd on;
	const char *date = req_query(r, "date"), *base;
	int64_t org_id, total = 0, decades[31] = { 0 }, bands[3] = { 0 }, college = 0;
	double age_sum = 0;
	json_t *edu = json_object(), *gender = json_object(), *eth = json_object(), *out = NULL;
	int rc;

	zb_fail_init(&f);
	scope_for(c, "person.read", &s);
	org_id = req_query_int(r, "org", 0, 1, INT64_MAX, &f);
	if (!org_id && s.n > 0) {
		/* the first scope root: the last number of its path */
		const char *p = s.paths[0], *slash = p + strlen(p) - 1;
		while (slash > p && slash[-1] != '/')
			slash--;
		org_id = strtoll(slash, NULL, 10);
	}
	if (date && *date && date_parse_iso(date, &on) != 0)
		zb_fail_field(&f, "date", "date 应为有效日期（YYYY-MM-DD）");
	if (!f.err && (org_load(c->db, org_id, &o) != 1 || !scope_contains(&s, o.path)))
		zb_fail_set(&f, ZB_ENOTFOUND, "组织不存在");
	if (f.err) {
		json_decref(edu);
		json_decref(gender);
		json_decref(eth);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!date || !*date)
		on = date_today_cn();

	memset(&pf, 0, sizeof(pf));
	pf.scope = &s;
	pf.org_path = o.path;
	pf.position = "two_committees";
	date_format(on, pf.as_of);
	pf.age_min = pf.age_max = -1;
	pf.status = "all";
	base = arena_printf(&r->arena, "org=%" PRId64 "&position=two_committees&as_of=%s&status=all",
			    o.id, pf.as_of);

	buf_init(&sql, 0);
	buf_puts(&sql, SQL_TEAM_COLS);
	people_filter_sql(&r->arena, &pf, 0, &sql, &b);
	st = sql.err || b.overflow ? NULL : db_prepare(c->db, arena_strdup(&r->arena, sql.data));
	buf_release(&sql);
	if (!st) {
		rc = DB_EGENERIC;
		goto fail;
	}
	db_params_bind(st, &b);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *birth = db_col_text(st, 0), *e = db_col_text(st, 1);
		int age = age_on(birth, on), year = age >= 0 ? (int)strtol(birth, NULL, 10) : 0;

		if (age < 0)
			continue;	/* every stored birth date is valid; defensive */
		total++;
		age_sum += age;
		if (year >= 1900 && year < 2210)
			decades[(year - 1900) / 10]++;
		bands[age < 35 ? 0 : age <= 50 ? 1 : 2]++;
		count_up(edu, e ? e : "none");
		if (e && (!strcmp(e, "postgraduate") || !strcmp(e, "bachelor") || !strcmp(e, "college")))
			college++;
		count_up(gender, db_col_text(st, 2));
		count_up(eth, db_col_text(st, 3));
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;

	out = json_object();
	json_object_set_new(out, "org_id", json_integer(o.id));
	json_object_set_new(out, "org_name", json_string(o.name));
	json_object_set_new(out, "date", json_string(pf.as_of));
	json_object_set_new(out, "total", json_integer(total));
	json_object_set_new(out, "query", json_string(base));
	json_object_set_new(out, "average_age", total ?
			    json_real(round(age_sum * 10.0 / (double)total) / 10.0) : json_null());

	json_t *arr = json_array();
	for (int i = 0; i < 31; i++) {
		int decade = 1900 + 10 * i;
		char key[16], label[16];
		if (!decades[i] && (decade < 1960 || decade > 1990))
			continue;
		snprintf(key, sizeof(key), "%ds", decade);
		snprintf(label, sizeof(label), "%02d后", decade % 100);
		json_array_append_new(arr, bucket(key, label, decades[i],
			arena_printf(&r->arena, "%s&born_from=%d&born_to=%d", base, decade,
				     decade + 9)));
	}
	json_object_set_new(out, "by_decade", arr);

	arr = json_array();
	json_array_append_new(arr, bucket("under_35", "35岁以下", bands[0],
					  arena_printf(&r->arena, "%s&age_max=34", base)));
	json_array_append_new(arr, bucket("35_50", "35-50岁", bands[1],
					  arena_printf(&r->arena, "%s&age_min=35&age_max=50", base)));
	json_array_append_new(arr, bucket("over_50", "50岁以上", bands[2],
					  arena_printf(&r->arena, "%s&age_min=51", base)));
	json_object_set_new(out, "by_age_band", arr);

	arr = json_array();
	rc = dict_buckets(r, "education", edu, 1, base, "education", arr);
	if (json_integer_value(json_object_get(edu, "none")) > 0)
		json_array_append_new(arr, bucket("none", "未填写",
			json_integer_value(json_object_get(edu, "none")),
			arena_printf(&r->arena, "%s&education=none", base)));
	json_object_set_new(out, "by_education", arr);
	json_object_set_new(out, "college_or_above", json_integer(college));
	json_object_set_new(out, "college_or_above_query",
			    json_string(arena_printf(&r->arena, "%s&education=college_or_above", base)));

	arr = json_array();
	if (rc == DB_OK)
		rc = dict_buckets(r, "gender", gender, 1, base, "gender", arr);
	json_object_set_new(out, "by_gender", arr);
	arr = json_array();
	if (rc == DB_OK)
		rc = dict_buckets(r, "ethnicity", eth, 0, base, "ethnicity", arr);
	json_object_set_new(out, "by_ethnicity", arr);
	if (rc != DB_OK)
		goto fail;

	/* flags: everyone of the subtree, not only the team */
	json_t *flags = json_object(), *fq = json_object();
	json_object_set_new(out, "flags", flags);
	json_object_set_new(out, "flag_queries", fq);
	pf.position = NULL;
	for (size_t i = 0; i < sizeof(structure_flags) / sizeof(structure_flags[0]); i++) {
		int64_t n = 0;
		pf.flag = structure_flags[i];
		rc = filter_count(r, &pf, &n);
		if (rc != DB_OK)
			goto fail;
		json_object_set_new(flags, pf.flag, json_integer(n));
		json_object_set_new(fq, pf.flag, json_string(arena_printf(&r->arena,
			"org=%" PRId64 "&flag=%s&as_of=%s&status=all", o.id, pf.flag, pf.as_of)));
	}
	json_decref(edu);
	json_decref(gender);
	json_decref(eth);
	resp_json(r, 200, out);
	return;
fail:
	json_decref(out);
	json_decref(edu);
	json_decref(gender);
	json_decref(eth);
	app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
}

/* ---------------------------------------------------------------- one person */

/* GET /people/:id: the person with the whole history of posts and flags, and can_unmask. */
void people_http_get(struct req *r)
{
	struct person_ref p;
	const char *key;
	char today[11];
	int64_t head;
	int unmask;
	json_t *j;

	if (!people_req_load(r, req_param_id(r, "id"), &p))
		return;
	/* kept until the next write, per person, day (the age) and what the caller may unmask */
	unmask = perm_has(req_ctx(r), "person.unmask", p.org_path);
	date_format(date_today_cn(), today);
	key = arena_printf(&r->arena, "person\x1f%" PRId64 "\x1f%s\x1f%d", p.id, today, unmask);
	if (app_memo_answer(r, key, &head))
		return;
	j = person_detail_json(req_ctx(r)->db, p.id);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	json_object_set_new(j, "can_unmask", json_boolean(unmask));
	resp_json(r, 200, j);
	app_memo_keep(r, key, head);
}

/*
 * POST /people: every check runs (json_check, the org's scope, then the
 * rules in person_insert) so one answer names every bad field; a refusal
 * rolls the transaction back, so nothing is written.
 */
void people_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_in in;
	struct zb_fail f;
	json_t *body;
	int64_t id;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	/* Go on after a failed check, so that one answer names every bad field. */
	json_check(body, create_fields, 0, &f);
	read_person_in(r, body, &in);
	check_org_writable(r, in.org_id, "org_id", &f);
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	id = person_insert(c->db, keys_of(r), &who, &in, &f);
	json_decref(body);
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
	app_commit_answer(r, 201, person_detail_json(c->db, id));
}

/* PUT /people/:id: replace the fields with the version read; 409 with the person when stale. */
void people_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_ref p;
	struct person_in in;
	struct zb_fail f;
	json_t *body;
	int rc;

	if (!people_req_load(r, req_param_id(r, "id"), &p) || !people_req_writable(r, &p))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, update_fields, 0, &f);
	read_person_in(r, body, &in);
	if (in.org_id != p.org_id)
		check_org_writable(r, in.org_id, "org_id", &f);
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = person_update(c->db, keys_of(r), &who, p.id, json_int(body, "version", 0), &in,
			   mode_of(body, "id_number", in.id_number), mode_of(body, "phone", in.phone),
			   &f);
	json_decref(body);
	if (rc == PW_INVALID || (rc == PW_OK && f.err)) {
		db_rollback(c->db);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (rc == PW_STALE) {
		db_rollback(c->db);
		app_conflict(r, "该人员信息已被他人修改，请刷新后重试", person_detail_json(c->db, p.id));
		return;
	}
	if (rc != PW_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, person_detail_json(c->db, p.id));
}

/* Archive or restore with the version the caller read. */
static void set_status(struct req *r, int archive)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_ref p;
	struct zb_fail f;
	struct org o;
	json_t *body;
	const char *reason = NULL;
	int rc;

	if (!people_req_load(r, req_param_id(r, "id"), &p))
		return;
	if (!perm_has(c, "person.write", p.org_path)) {
		resp_error(r, ZB_EFORBIDDEN, archive ? "您无权归档该人员" : "您无权恢复该人员");
		return;
	}
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, archive ? archive_fields : version_fields, 0, &f) != 0)
		goto bad;
	reason = json_str_trim(&r->arena, body, "reason", NULL);
	if (archive && strcmp(p.status, "archived") == 0) {
		zb_fail_set(&f, ZB_ECONFLICT, "该人员已归档");
		goto bad;
	}
	if (!archive && strcmp(p.status, "active") == 0) {
		zb_fail_set(&f, ZB_ECONFLICT, "该人员未归档");
		goto bad;
	}
	if (!archive && (org_load(c->db, p.org_id, &o) != 1 || strcmp(o.status, "active") != 0)) {
		zb_fail_set(&f, ZB_ECONFLICT, "所属组织已归档，请先恢复该组织");
		goto bad;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r)) {
		json_decref(body);
		return;
	}
	app_who(r, &who);
	rc = person_set_status(c->db, keys_of(r), &who, p.id, json_int(body, "version", 0),
			       archive ? "archived" : "active", archive ? reason : NULL);
	json_decref(body);
	if (rc == PW_STALE) {
		db_rollback(c->db);
		app_conflict(r, "该人员信息已被他人修改，请刷新后重试", person_detail_json(c->db, p.id));
		return;
	}
	if (rc != PW_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, person_detail_json(c->db, p.id));
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

void people_http_archive(struct req *r)
{
	set_status(r, 1);
}

void people_http_restore(struct req *r)
{
	set_status(r, 0);
}

/*
 * POST /people/:id/unmask: the plain ID number and/or phone, for a stated
 * reason. The audit row names the fields and the reason, never the values;
 * the answer is sent only once that row is committed.
 */
void people_http_unmask(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_ref p;
	struct zb_fail f;
	json_t *body, *fields, *v, *out;
	const char *reason;
	int want_id = 0, want_phone = 0, rc;
	size_t i;

	if (!people_req_load(r, req_param_id(r, "id"), &p))
		return;
	if (!perm_has(c, "person.unmask", p.org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权查看该人员的完整身份证号和电话");
		return;
	}
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, unmask_fields, 0, &f);
	fields = json_object_get(body, "fields");
	json_array_foreach(json_is_array(fields) ? fields : NULL, i, v) {
		const char *name = json_string_value(v);
		if (name && strcmp(name, "id_number") == 0 && !want_id)
			want_id = 1;
		else if (name && strcmp(name, "phone") == 0 && !want_phone)
			want_phone = 1;
		else
			zb_fail_field(&f, "fields", "查看的字段只能是 id_number 和 phone，且不能重复");
	}
	reason = json_str_trim(&r->arena, body, "reason", NULL);
	if (f.err) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	json_decref(body);

	out = json_object();
	json_t *names = json_array();
	if (want_id)
		json_array_append_new(names, json_string("id_number"));
	if (want_phone)
		json_array_append_new(names, json_string("phone"));
	if (!app_begin_write(r)) {
		json_decref(out);
		json_decref(names);
		return;
	}
	json_t *after = json_pack("{s:o, s:s}", "fields", names, "reason", reason);
	rc = app_audit(r, "person", p.id, "unmask", NULL, after);
	json_decref(after);
	for (int k = 0; k < 2 && rc == DB_OK; k++) {
		const char *field = k == 0 ? "id_number" : "phone";
		char *plain = NULL;
		if (!(k == 0 ? want_id : want_phone))
			continue;
		rc = person_reveal(c->db, keys_of(r), p.id, field, &plain);
		json_object_set_new(out, field, plain ? json_string(plain) : json_null());
		if (plain) {
			memset(plain, 0, strlen(plain));
			free(plain);
		}
	}
	if (rc != DB_OK) {
		json_decref(out);
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, out);
}

/* GET /people/:id/history: the audit rows of the person, its positions and flags, newest first. */
void people_http_history(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_ref p;
	struct db_stmt *st;
	json_t *items;
	int rc;

	if (!people_req_load(r, req_param_id(r, "id"), &p))
		return;
	st = db_prepare(c->db, SQL_HISTORY);
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_bindf(st, "iii", p.id, p.id, p.id);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		const char *bj = db_col_text(st, 3), *aj = db_col_text(st, 4);
		json_t *row = json_object();
		json_object_set_new(row, "at", json_string(db_col_text(st, 0)));
		json_object_set_new(row, "username", json_string(db_col_text(st, 1)));
		json_object_set_new(row, "action", json_string(db_col_text(st, 2)));
		json_object_set_new(row, "before", bj ? json_loads(bj, 0, NULL) : json_null());
		json_object_set_new(row, "after", aj ? json_loads(aj, 0, NULL) : json_null());
		json_object_set_new(row, "entity", json_string(db_col_text(st, 5)));
		json_object_set_new(row, "entity_id", json_integer(db_col_int(st, 6)));
		json_array_append_new(items, row);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------- positions and flags */

/*
 * The person behind a position or flag (:id), readable by the caller (else
 * 404 with `missing`) and writable (else 403 / 409). Returns 1 when it may go on.
 */
static int load_owner(struct req *r, int (*owner)(struct db *, int64_t, int64_t *),
		      const char *missing, int64_t *id, struct person_ref *p)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t person_id = 0;
	int rc;

	*id = req_param_id(r, "id");
	rc = *id ? owner(c->db, *id, &person_id) : 0;
	if (rc == 1)
		rc = person_ref_load(c->db, person_id, p);
	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	scope_for(c, "person.read", &s);
	if (rc != 1 || !scope_contains(&s, p->org_path)) {
		resp_error(r, ZB_ENOTFOUND, missing);
		return 0;
	}
	return people_req_writable(r, p);
}

/* POST /people/:id/positions: a post in an org the caller may write in. */
void positions_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_ref p;
	struct zb_fail f;
	json_t *body;
	int64_t id, org_id;

	if (!people_req_load(r, req_param_id(r, "id"), &p) || !people_req_writable(r, &p))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, position_create_fields, 0, &f);
	org_id = json_int(body, "org_id", 0);
	check_org_writable(r, org_id, "org_id", &f);
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	id = position_insert(c->db, keys_of(r), &who, p.id, org_id,
				     json_str_trim(&r->arena, body, "title", NULL),
				     json_str_trim(&r->arena, body, "started_on", NULL),
				     json_str_trim(&r->arena, body, "ended_on", NULL),
				     json_str_trim(&r->arena, body, "note", NULL), &f);
	json_decref(body);
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
	app_commit_answer(r, 201, position_json(c->db, id));
}

/* PUT /positions/:id: a moved post needs write access to its new org; 409 when stale. */
void positions_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_ref p;
	struct zb_fail f;
	json_t *body, *cur;
	int64_t id, org_id;
	int rc;

	if (!load_owner(r, position_owner, "任职记录不存在", &id, &p))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, position_update_fields, 0, &f);
	org_id = json_int(body, "org_id", 0);
	cur = position_json(c->db, id);
	if (!cur || json_integer_value(json_object_get(cur, "org_id")) != org_id)
		check_org_writable(r, org_id, "org_id", &f);
	json_decref(cur);
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = position_update(c->db, keys_of(r), &who, id, json_int(body, "version", 0), org_id,
				json_str_trim(&r->arena, body, "title", NULL),
				json_str_trim(&r->arena, body, "started_on", NULL),
				json_str_trim(&r->arena, body, "ended_on", NULL),
				json_str_trim(&r->arena, body, "note", NULL), &f);
	json_decref(body);
	app_finish_write(r, rc, &f, 200, "该任职记录已被他人修改，请刷新后重试", position_json, id);
}

/* POST /people/:id/flags: a dated flag of a person the caller may write. */
void flags_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_ref p;
	struct zb_fail f;
	json_t *body;
	int64_t id;

	if (!people_req_load(r, req_param_id(r, "id"), &p) || !people_req_writable(r, &p))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, flag_create_fields, 0, &f);
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	id = flag_insert(c->db, keys_of(r), &who, p.id,
				 json_str_trim(&r->arena, body, "flag", NULL),
				 json_str_trim(&r->arena, body, "started_on", NULL),
				 json_str_trim(&r->arena, body, "ended_on", NULL),
				 json_str_trim(&r->arena, body, "post", NULL),
				 json_str_trim(&r->arena, body, "note", NULL), &f);
	json_decref(body);
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
	app_commit_answer(r, 201, flag_json(c->db, id));
}

/* PUT /flags/:id: replace the flag's fields with the version read; 409 when stale. */
void flags_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_ref p;
	struct zb_fail f;
	json_t *body;
	int64_t id;
	int rc;

	if (!load_owner(r, flag_owner, "标记记录不存在", &id, &p))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, flag_update_fields, 0, &f);
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = flag_update(c->db, keys_of(r), &who, id, json_int(body, "version", 0),
			    json_str_trim(&r->arena, body, "flag", NULL),
			    json_str_trim(&r->arena, body, "started_on", NULL),
			    json_str_trim(&r->arena, body, "ended_on", NULL),
			    json_str_trim(&r->arena, body, "post", NULL),
			    json_str_trim(&r->arena, body, "note", NULL), &f);
	json_decref(body);
	app_finish_write(r, rc, &f, 200, "该标记记录已被他人修改，请刷新后重试", flag_json, id);
}
