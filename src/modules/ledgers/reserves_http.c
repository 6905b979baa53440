/* reserves_http.c - /api/v1/ledgers/reserves: the reserve-cadre ledger (后备干部台账): list with counts, entries, training, status. */
#include <string.h>
#include "ledgers.h"
#include "ledgers_internal.h"
#include "../../base/json.h"

static const char SQL_IN_POOL[] =
	"SELECT COUNT(*) FROM person_flags WHERE person_id = ? AND flag = 'reserve_cadre'"
	" AND ended_on IS NULL";
static const char SQL_SOURCE_EXISTS[] =
	"SELECT COUNT(*) FROM dict_items WHERE dict = 'reserve_source' AND code = ?";

#define RESERVE_BODY_FIELDS \
	{ "added_on", JF_DATE, 1, 0, 0, 0, "入库日期" }, \
	{ "source", JF_STRING, 1, 0, 1, 40, "来源" }, \
	{ "intended_post", JF_STRING, 0, 1, 0, 40, "拟任职务" }, \
	{ "remarks", JF_STRING, 0, 1, 0, 500, "备注" }

static const struct json_field create_fields[] = {
	{ "person_id", JF_INT, 1, 0, 1, INT64_MAX, "人员" },
	RESERVE_BODY_FIELDS,
	{ 0 }
};

/* version 0: the entry has no details yet (a flag added in the people pages) */
static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 0, INT64_MAX, "版本号" },
	RESERVE_BODY_FIELDS,
	{ 0 }
};

static const struct json_field status_fields[] = {
	{ "version", JF_INT, 1, 0, 0, INT64_MAX, "版本号" },
	{ "status", JF_STRING, 1, 0, 1, 20, "状态" },
	{ "date", JF_DATE, 0, 1, 0, 0, "日期" },
	{ "reason", JF_STRING, 0, 1, 0, 200, "原因" },
	{ 0 }
};

static const struct json_field training_fields[] = {
	{ "trained_on", JF_DATE, 1, 0, 0, 0, "培训日期" },
	{ "course", JF_STRING, 1, 0, 1, 100, "培训内容" },
	{ "hours", JF_INT, 1, 0, 1, 1000, "学时" },
	{ "note", JF_STRING, 0, 1, 0, 200, "备注" },
	{ 0 }
};

static const char *const statuses[] = { "in_pool", "used", "exited" };

/* ---------------------------------------------------------------- shared steps */

/*
 * The entry :id (a reserve_cadre flag) readable with ledger.read, else 404.
 * With `write`: ledger.write on its person (403) and, unless `any_status`,
 * a person not archived (409). Returns 1 when it may go on.
 */
static int load_entry(struct req *r, int write, int any_status, struct flag_ref *fl)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, "id");
	int rc = id ? flag_ref_load(c->db, id, fl) : 0;

	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	scope_for(c, "ledger.read", &s);
	if (rc == 0 || strcmp(fl->flag, "reserve_cadre") != 0 ||
	    !scope_contains(&s, fl->person.org_path)) {
		resp_error(r, ZB_ENOTFOUND, "后备干部台账记录不存在");
		return 0;
	}
	if (!write)
		return 1;
	if (!perm_has(c, "ledger.write", fl->person.org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该后备干部的台账");
		return 0;
	}
	if (!any_status && strcmp(fl->person.status, "active") != 0) {
		resp_error(r, ZB_ECONFLICT, "该人员已归档，请先恢复后再修改");
		return 0;
	}
	return 1;
}

/* The details fields of a body, trimmed (blank optional text = none). */
static void read_reserve_in(struct req *r, const json_t *body, struct reserve_in *in)
{
	memset(in, 0, sizeof(*in));
	in->source = json_str_trim(&r->arena, body, "source", NULL);
	in->intended_post = json_str_trim(&r->arena, body, "intended_post", NULL);
	in->remarks = json_str_trim(&r->arena, body, "remarks", NULL);
}

/* Answer an update's outcome: LW_INVALID (f), LW_STALE (409 with the entry), DB error, or commit. */
static void finish_update(struct req *r, int rc, int64_t flag_id, struct zb_fail *f)
{
	struct db *db = req_ctx(r)->db;

	if (rc == LW_INVALID) {
		db_rollback(db);
		resp_fail(r, f);
		return;
	}
	zb_fail_release(f);
	if (rc == LW_STALE) {
		db_rollback(db);
		app_conflict(r, "该后备干部的台账已被他人修改，请刷新后重试",
			    reserve_entry_json(db, flag_id, 1));
		return;
	}
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, reserve_entry_json(db, flag_id, 1));
}

/* ---------------------------------------------------------------- list */

/* Read and check the list's filters into rf; bad values are named in f. */
static void read_filter(struct req *r, struct scope *s, struct reserve_filter *rf,
			struct zb_fail *f)
{
	const char *q = req_query(r, "q"), *source = req_query(r, "source");
	const char *status = req_query(r, "status");

	memset(rf, 0, sizeof(*rf));
	rf->org_path = lh_org_filter(r, s, f);
	rf->scope = s;
	if (q) {
		json_t *tmp = json_pack("{s:s}", "q", q);
		q = json_str_trim(&r->arena, tmp, "q", NULL);
		json_decref(tmp);
	}
	if (q && utf8_len(q) > 50)
		zb_fail_field(f, "q", "搜索词不能超过50个字");
	else if (q)
		rf->name_like = db_like_contains(&r->arena, q);
	if (source && *source) {
		int64_t n = 0;
		if (strlen(source) <= 40)
			db_query_int(req_ctx(r)->db, &n, SQL_SOURCE_EXISTS, "s", source);
		if (n == 0)
			zb_fail_field(f, "source", "来源“%s”不在字典中", source);
		else
			rf->source = source;
	}
	if (status && *status) {
		if (!reserve_status_label(status))
			zb_fail_field(f, "status", "status 应为 in_pool、used 或 exited");
		else
			rf->status = status;
	}
	rf->as_of = lh_date_param(r, "as_of", f);
}

/* Prepare a statement of the filter with its parameters bound; NULL on error. */
static struct db_stmt *prepare_query(struct req *r, const struct reserve_filter *rf,
				     enum reserve_query q, const char *tail, int64_t limit,
				     int64_t offset)
{
	struct db_params b = { 0 };
	struct buf sql;
	struct db_stmt *st;

	buf_init(&sql, 0);
	reserve_query_sql(&r->arena, rf, q, &sql, &b);
	if (tail)
		buf_puts(&sql, tail);
	if (limit) {
		buf_puts(&sql, " LIMIT ? OFFSET ?");
		db_param_int(&b, limit);
		db_param_int(&b, offset);
	}
	st = sql.err || b.overflow ? NULL : db_prepare(req_ctx(r)->db,
						       arena_strdup(&r->arena, sql.data));
	buf_release(&sql);
	if (st)
		db_params_bind(st, &b);
	return st;
}

/*
 * GET /ledgers/reserves: a page of the entries matching the filters, in org
 * and name order, with the total and the count per status (over the same
 * filters except status). Without as_of each entry shows its status now;
 * with as_of, the entries added by then with their status on that day.
 */
void reserves_http_list(struct req *r)
{
	struct zb_fail f;
	struct scope s;
	struct reserve_filter rf;
	struct db_stmt *st;
	int64_t page, page_size, total = 0;
	json_t *items = NULL, *counts = NULL;
	int rc;

	zb_fail_init(&f);
	read_filter(r, &s, &rf, &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 200, &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);

	counts = json_object();
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		json_object_set_new(counts, statuses[i], json_integer(0));
	st = prepare_query(r, &rf, RQ_BY_STATUS, NULL, 0, 0);
	rc = st ? DB_OK : DB_EGENERIC;
	while (st && (rc = db_step(st)) == DB_ROW)
		json_object_set_new(counts, db_col_text(st, 0), json_integer(db_col_int(st, 1)));
	db_finalize(st);
	if (rc != DB_DONE && rc != DB_OK)
		goto fail;

	st = prepare_query(r, &rf, RQ_COUNT, NULL, 0, 0);
	rc = st ? db_step(st) : DB_EGENERIC;
	if (rc == DB_ROW)
		total = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		goto fail;

	st = prepare_query(r, &rf, RQ_ROWS, LEDGER_ORDER_ENTRIES, page_size, (page - 1) * page_size);
	rc = st ? DB_OK : DB_EGENERIC;
	items = json_array();
	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, reserve_entry_from_row(st));
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I, s:o, s:o}", "items", items,
				    "total", (json_int_t)total, "page", (json_int_t)page,
				    "page_size", (json_int_t)page_size, "counts", counts,
				    "as_of", rf.as_of ? json_string(rf.as_of) : json_null()));
	return;
fail:
	json_decref(items);
	json_decref(counts);
	app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
}

/* ---------------------------------------------------------------- one entry */

/* GET /ledgers/reserves/:id: the entry with its training and assessments, and can_write. */
void reserves_http_get(struct req *r)
{
	struct flag_ref fl;
	json_t *j;

	if (!load_entry(r, 0, 0, &fl))
		return;
	j = reserve_entry_json(req_ctx(r)->db, fl.id, 1);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	json_object_set_new(j, "can_write", json_boolean(perm_has(req_ctx(r), "ledger.write",
								   fl.person.org_path)));
	resp_json(r, 200, j);
}

/*
 * POST /ledgers/reserves: put a person into the pool: the reserve_cadre flag
 * (from added_on) and its details, in one transaction. Every check runs
 * before anything is refused, so one answer names every bad field.
 */
void reserves_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_where p;
	struct reserve_in in;
	struct zb_fail f;
	json_t *body;
	const char *added_on;
	int64_t person_id, flag_id, id;
	int rc;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, create_fields, 0, &f);
	read_reserve_in(r, body, &in);
	added_on = json_str_trim(&r->arena, body, "added_on", NULL);
	person_id = json_int(body, "person_id", 0);
	json_decref(body);
	if (person_id > 0) {
		struct scope s;
		scope_for(c, "ledger.read", &s);
		rc = person_where_load(c->db, person_id, &p);
		if (rc < 0) {
			zb_fail_release(&f);
			app_db_fail(r, rc, 0);
			return;
		}
		if (rc == 0 || !scope_contains(&s, p.org_path)) {
			zb_fail_field(&f, "person_id", "人员不存在");
		} else if (!perm_has(c, "ledger.write", p.org_path)) {
			zb_fail_field(&f, "person_id", "您无权登记该人员的台账");
		} else if (strcmp(p.status, "active") != 0) {
			zb_fail_field(&f, "person_id", "该人员已归档");
		} else {
			int64_t n = 0;
			db_query_int(c->db, &n, SQL_IN_POOL, "i", person_id);
			if (n > 0)
				zb_fail_field(&f, "person_id", "该人员已在后备干部库中");
		}
	}
	reserve_details_check(c->db, &in, &f);
	if (added_on && date_parse_iso(added_on, NULL) == 0) {
		char today[16];
		ledger_today(today);
		if (strcmp(added_on, today) > 0)
			zb_fail_field(&f, "added_on", "入库日期不能晚于今天");
	}
	if (f.fields && json_object_get(f.fields, "person_id")) {
		resp_fail(r, &f);	/* no person to check the dates against */
		return;
	}
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	/* flag_insert adds its own checks to f, and inserts nothing when f holds any */
	flag_id = flag_insert(c->db, &r->app->keys, &who, person_id, "reserve_cadre", added_on,
			      NULL, NULL, NULL, &f);
	if (f.fields) {
		json_t *v = json_object_get(f.fields, "started_on");
		if (v && !json_object_get(f.fields, "added_on"))
			json_object_set(f.fields, "added_on", v);
		json_object_del(f.fields, "started_on");
	}
	if (!lh_written(r, flag_id, &f))
		return;
	zb_fail_init(&f);
	id = reserve_details_insert(c->db, &r->app->keys, &who, flag_id, &in, &f);
	if (!lh_written(r, id, &f))
		return;
	app_commit_answer(r, 201, reserve_entry_json(c->db, flag_id, 1));
}

/* PUT /ledgers/reserves/:id: source, intended post, remarks and the date added, with the version read. */
void reserves_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct flag_ref fl;
	struct reserve_in in;
	struct zb_fail f;
	json_t *body;
	const char *added_on;
	int64_t version;
	int rc;

	if (!load_entry(r, 1, 0, &fl))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, update_fields, 0, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	read_reserve_in(r, body, &in);
	added_on = json_str_trim(&r->arena, body, "added_on", NULL);
	version = json_int(body, "version", 0);
	json_decref(body);
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = reserve_update(c->db, &r->app->keys, &who, fl.id, version, added_on, &in, &f);
	finish_update(r, rc, fl.id, &f);
}

/*
 * POST /ledgers/reserves/:id/status {status, date, reason, version}:
 * used / exited end the flag on `date` (so the person leaves the team
 * structure's count after that day), in_pool reopens it. Allowed for an
 * archived person too: closing the entry of someone who left is the point.
 */
void reserves_http_status(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct flag_ref fl;
	struct zb_fail f;
	json_t *body;
	const char *status, *date, *reason;
	int64_t version;
	int rc;

	if (!load_entry(r, 1, 1, &fl))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, status_fields, 0, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	status = json_str_trim(&r->arena, body, "status", NULL);
	date = json_str_trim(&r->arena, body, "date", NULL);
	reason = json_str_trim(&r->arena, body, "reason", NULL);
	version = json_int(body, "version", 0);
	json_decref(body);
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = reserve_set_status(c->db, &r->app->keys, &who, fl.id, version, status, date, reason, &f);
	finish_update(r, rc, fl.id, &f);
}

/* POST /ledgers/reserves/:id/training: a course taken while in the pool; answers the entry (201). */
void reserves_http_training(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct flag_ref fl;
	struct zb_fail f;
	json_t *body;
	int64_t id;

	if (!load_entry(r, 1, 0, &fl))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, training_fields, 0, &f);
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	/* after a failed json_check the insert still adds its own checks, and writes nothing */
	id = reserve_training_insert(c->db, &r->app->keys, &who, fl.id,
				     json_str_trim(&r->arena, body, "trained_on", NULL),
				     json_str_trim(&r->arena, body, "course", NULL),
				     json_int(body, "hours", 0),
				     json_str_trim(&r->arena, body, "note", NULL), &f);
	json_decref(body);
	if (!lh_written(r, id, &f))
		return;
	app_commit_answer(r, 201, reserve_entry_json(c->db, fl.id, 1));
}
