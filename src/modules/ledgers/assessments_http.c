/* assessments_http.c - graduates' ledger (选调生, 回村任职大学生), periodic assessments, and the to-do list of assessments due and missing. */
#include <stdlib.h>
#include <string.h>
#include "ledgers.h"
#include "ledgers_internal.h"
#include "../../base/json.h"

/* A flag held on a date, with its holder and its latest assessment on or before that date. */
static const char SQL_FLAG_COLS[] =
	"SELECT f.id, f.person_id, pe.name, pe.gender, pe.birth_date, pe.education, ed.label_zh,"
	" pe.status, pe.org_id, o.name, f.flag, fl.label_zh, f.post, f.started_on, f.ended_on, f.note,"
	" (SELECT a.assessed_on FROM assessments a WHERE " LEDGER_ASSESS_OF_FLAG
	" AND a.assessed_on <= ? ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1),"
	" (SELECT a.rating FROM assessments a WHERE " LEDGER_ASSESS_OF_FLAG
	" AND a.assessed_on <= ? ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1),"
	" (SELECT r.label_zh FROM assessments a"
	" JOIN dict_items r ON r.dict = 'assessment_rating' AND r.code = a.rating"
	" WHERE " LEDGER_ASSESS_OF_FLAG " AND a.assessed_on <= ?"
	" ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1),"
	" (SELECT COUNT(*) FROM assessments a WHERE " LEDGER_ASSESS_OF_FLAG ")";
static const char SQL_FLAG_FROM[] =
	" FROM person_flags f JOIN people pe ON pe.id = f.person_id JOIN orgs o ON o.id = pe.org_id"
	" LEFT JOIN dict_items fl ON fl.dict = 'person_flag' AND fl.code = f.flag"
	" LEFT JOIN dict_items ed ON ed.dict = 'education' AND ed.code = pe.education"
	" WHERE f.started_on <= ? AND (f.ended_on IS NULL OR f.ended_on >= ?)";
static const char SQL_GRADUATE_KINDS[] =
	" AND f.flag IN ('selected_graduate', 'returned_graduate')";
static const char SQL_ASSESSED_KINDS[] =
	" AND f.flag IN (SELECT subject FROM ledger_rules WHERE rule = 'assessment_months')"
	" AND pe.status = 'active'";
static const char SQL_RULE_MONTHS[] =
	"SELECT subject, value FROM ledger_rules WHERE rule = 'assessment_months'";

static const char *const graduate_kinds[] = { "selected_graduate", "returned_graduate" };

#define ASSESSMENT_BODY_FIELDS \
	{ "kind", JF_STRING, 1, 0, 1, 40, "考核类别" }, \
	{ "assessed_on", JF_DATE, 1, 0, 0, 0, "考核日期" }, \
	{ "period", JF_STRING, 0, 1, 0, 30, "考核期间" }, \
	{ "assessor", JF_STRING, 1, 0, 1, 50, "考核人" }, \
	{ "rating", JF_STRING, 1, 0, 1, 40, "考核等次" }, \
	{ "remarks", JF_STRING, 0, 1, 0, 500, "考核意见" }

static const struct json_field create_fields[] = {
	ASSESSMENT_BODY_FIELDS,
	{ 0 }
};

static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	ASSESSMENT_BODY_FIELDS,
	{ 0 }
};

/* ---------------------------------------------------------------- flags held, with what is due */

/* The assessment_months rules, read once per request. */
#define MAX_KINDS 16
struct rule_months {
	int n;
	struct { char kind[48]; int months; } v[MAX_KINDS];
};

static int rules_load(struct db *db, struct rule_months *rm)
{
	struct db_stmt *st = db_prepare(db, SQL_RULE_MONTHS);
	int rc;

	rm->n = 0;
	if (!st)
		return DB_EGENERIC;
	while ((rc = db_step(st)) == DB_ROW && rm->n < MAX_KINDS) {
		snprintf(rm->v[rm->n].kind, sizeof(rm->v[rm->n].kind), "%s", db_col_text(st, 0));
		rm->v[rm->n].months = (int)db_col_int(st, 1);
		rm->n++;
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* Months between assessments of a kind, 0 when no rule asks for them. */
static int rules_months(const struct rule_months *rm, const char *kind)
{
	for (int i = 0; i < rm->n; i++)
		if (strcmp(rm->v[i].kind, kind) == 0)
			return rm->v[i].months;
	return 0;
}

/* What to list: flags held on `on` in the scope, narrowed by the filters. */
struct flag_query {
	const struct scope *scope;
	const char *org_path;
	const char *name_like;
	const char *kind;	/* one flag code, or NULL */
	int due_list;		/* every assessed kind, active people only; else the graduate kinds */
	char on[16];
};

/* Build the statement: columns (or COUNT(*)), FROM and WHERE; parameters into b. */
static void flag_query_sql(struct arena *a, const struct flag_query *q, int count,
			   struct buf *sql, struct db_params *b)
{
	if (count) {
		buf_puts(sql, "SELECT COUNT(*)");
	} else {
		buf_puts(sql, SQL_FLAG_COLS);
		for (int i = 0; i < 3; i++)
			db_param_text(b, q->on);
	}
	buf_puts(sql, SQL_FLAG_FROM);
	db_param_text(b, q->on);
	db_param_text(b, q->on);
	buf_puts(sql, q->due_list ? SQL_ASSESSED_KINDS : SQL_GRADUATE_KINDS);
	if (q->kind) {
		buf_puts(sql, " AND f.flag = ?");
		db_param_text(b, q->kind);
	}
	lb_scope(a, sql, b, q->scope, "o.path");
	if (q->org_path) {
		buf_puts(sql, " AND o.path LIKE ?");
		db_param_text(b, arena_printf(a, "%s%%", q->org_path));
	}
	if (q->name_like) {
		buf_puts(sql, " AND pe.name LIKE ? ESCAPE '!'");
		db_param_text(b, q->name_like);
	}
}

static json_t *text_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_string(db_col_text(st, i));
}

/* Whole years between birth and today; -1 if unreadable. */
static int age_today(const char *birth)
{
	struct ymd b, t = date_today_cn();

	if (!birth || date_parse_iso(birth, &b) != 0)
		return -1;
	return t.y - b.y - (t.m < b.m || (t.m == b.m && t.d < b.d));
}

/* One row as JSON, with when its next assessment is due on `on` (d filled; d->missing says overdue). */
static json_t *flag_row_json(struct db_stmt *st, const struct rule_months *rm, const char *on,
			     struct due *d)
{
	json_t *j = json_object(), *last = json_null();
	const char *kind = db_col_text(st, 10);
	int every = rules_months(rm, kind), age = age_today(db_col_text(st, 4));
	struct ymd start, day, lastd;
	char buf[16];

	memset(d, 0, sizeof(*d));
	if (!db_col_isnull(st, 16)) {
		last = json_pack("{s:s, s:o, s:o}", "assessed_on", db_col_text(st, 16),
				 "rating", text_or_null(st, 17), "rating_label", text_or_null(st, 18));
	}
	json_object_set_new(j, "flag_id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "person_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "name", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "gender", json_string(db_col_text(st, 3)));
	json_object_set_new(j, "birth_date", json_string(db_col_text(st, 4)));
	json_object_set_new(j, "age", age >= 0 ? json_integer(age) : json_null());
	json_object_set_new(j, "education", text_or_null(st, 5));
	json_object_set_new(j, "education_label", text_or_null(st, 6));
	json_object_set_new(j, "person_status", json_string(db_col_text(st, 7)));
	json_object_set_new(j, "org_id", json_integer(db_col_int(st, 8)));
	json_object_set_new(j, "org_name", json_string(db_col_text(st, 9)));
	json_object_set_new(j, "kind", json_string(kind));
	json_object_set_new(j, "kind_label", text_or_null(st, 11));
	json_object_set_new(j, "post", json_string(db_col_text(st, 12)));
	json_object_set_new(j, "started_on", json_string(db_col_text(st, 13)));
	json_object_set_new(j, "ended_on", text_or_null(st, 14));
	json_object_set_new(j, "note", json_string(db_col_text(st, 15)));
	json_object_set_new(j, "last_assessment", last);
	json_object_set_new(j, "assessment_count", json_integer(db_col_int(st, 19)));
	json_object_set_new(j, "every_months", every ? json_integer(every) : json_null());
	if (every > 0 && date_parse_iso(db_col_text(st, 13), &start) == 0 &&
	    date_parse_iso(on, &day) == 0) {
		int have = !db_col_isnull(st, 16) && date_parse_iso(db_col_text(st, 16), &lastd) == 0;
		due_eval(start, every, have ? &lastd : NULL, day, d);
		date_format(d->next_due, buf);
		json_object_set_new(j, "next_due", json_string(buf));
		json_object_set_new(j, "overdue", json_boolean(d->missing));
		if (d->missing) {
			date_format(d->due_since, buf);
			json_object_set_new(j, "due_since", json_string(buf));
			json_object_set_new(j, "days_overdue", json_integer(d->days_overdue));
		} else {
			json_object_set_new(j, "due_since", json_null());
			json_object_set_new(j, "days_overdue", json_integer(0));
		}
	} else {
		json_object_set_new(j, "next_due", json_null());
		json_object_set_new(j, "overdue", json_false());
		json_object_set_new(j, "due_since", json_null());
		json_object_set_new(j, "days_overdue", json_integer(0));
	}
	return j;
}

/* The common query parameters: org, q, kind (one of `kinds`, NULL-ended), and the date named `date_name`. */
static void read_query(struct req *r, struct scope *s, struct flag_query *q, const char *date_name,
		       const char *const *kinds, size_t nkinds, struct zb_fail *f)
{
	const char *name = req_query(r, "q"), *kind = req_query(r, "kind");
	const char *on;

	memset(q, 0, sizeof(*q));
	q->org_path = lh_org_filter(r, s, f);
	q->scope = s;
	if (name) {
		json_t *tmp = json_pack("{s:s}", "q", name);
		name = json_str_trim(&r->arena, tmp, "q", NULL);
		json_decref(tmp);
	}
	if (name && utf8_len(name) > 50)
		zb_fail_field(f, "q", "搜索词不能超过50个字");
	else if (name)
		q->name_like = db_like_contains(&r->arena, name);
	if (kind && *kind) {
		size_t i;
		for (i = 0; i < nkinds; i++)
			if (strcmp(kind, kinds[i]) == 0)
				break;
		if (i == nkinds)
			zb_fail_field(f, "kind", nkinds == 2 ?
				      "kind 应为 selected_graduate 或 returned_graduate" :
				      "kind 应为 selected_graduate、returned_graduate 或 reserve_cadre");
		else
			q->kind = kinds[i];
	}
	on = lh_date_param(r, date_name, f);
	if (on)
		snprintf(q->on, sizeof(q->on), "%s", on);
	else
		ledger_today(q->on);
}

static struct db_stmt *prepare_flags(struct req *r, const struct flag_query *q, int count,
				     const char *tail, int64_t limit, int64_t offset)
{
	struct db_params b = { 0 };
	struct buf sql;
	struct db_stmt *st;

	buf_init(&sql, 0);
	flag_query_sql(&r->arena, q, count, &sql, &b);
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
 * GET /ledgers/graduates?kind=&org=&q=&as_of=&page=&page_size=: the selected
 * and returned graduates holding their flag on as_of (default today), with
 * their post, start, latest assessment and when the next one is due.
 */
void graduates_http_list(struct req *r)
{
	struct zb_fail f;
	struct scope s;
	struct flag_query q;
	struct rule_months rm;
	struct db_stmt *st;
	int64_t page, page_size, total = 0;
	json_t *items = NULL;
	int rc;

	zb_fail_init(&f);
	read_query(r, &s, &q, "as_of", graduate_kinds, 2, &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 200, &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	rc = rules_load(req_ctx(r)->db, &rm);
	if (rc != DB_OK)
		goto fail;
	st = prepare_flags(r, &q, 1, NULL, 0, 0);
	rc = st ? db_step(st) : DB_EGENERIC;
	if (rc == DB_ROW)
		total = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		goto fail;
	st = prepare_flags(r, &q, 0, LEDGER_ORDER_ENTRIES, page_size, (page - 1) * page_size);
	rc = st ? DB_OK : DB_EGENERIC;
	items = json_array();
	while (st && (rc = db_step(st)) == DB_ROW) {
		struct due d;
		json_array_append_new(items, flag_row_json(st, &rm, q.on, &d));
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I, s:s}", "items", items,
				    "total", (json_int_t)total, "page", (json_int_t)page,
				    "page_size", (json_int_t)page_size, "as_of", q.on));
	return;
fail:
	json_decref(items);
	app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
}

/* Longest overdue first, then in list order (the index each item was read at). */
static int due_cmp(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
	json_int_t da = json_integer_value(json_object_get(a, "days_overdue"));
	json_int_t db = json_integer_value(json_object_get(b, "days_overdue"));
	json_int_t ia = json_integer_value(json_object_get(a, "_order"));
	json_int_t ib = json_integer_value(json_object_get(b, "_order"));

	if (da != db)
		return da > db ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

/*
 * GET /ledgers/assessments/due?org=&date=&kind=: the township staff's to-do
 * list: every active person holding a flag that a rule assesses, whose
 * assessment is due on `date` (default today) and missing, longest overdue
 * first. Not paged: one township's list is short, and all of it is the work.
 */
void assessments_http_due(struct req *r)
{
	static const char *const kinds[] = { "selected_graduate", "returned_graduate",
					     "reserve_cadre" };
	struct zb_fail f;
	struct scope s;
	struct flag_query q;
	struct rule_months rm;
	struct db_stmt *st;
	json_t *items = NULL, *sorted = NULL, **arr = NULL;
	size_t n = 0, cap = 0;
	int rc;

	zb_fail_init(&f);
	read_query(r, &s, &q, "date", kinds, 3, &f);
	q.due_list = 1;
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	rc = rules_load(req_ctx(r)->db, &rm);
	if (rc != DB_OK)
		goto fail;
	st = prepare_flags(r, &q, 0, LEDGER_ORDER_ENTRIES, 0, 0);
	rc = st ? DB_OK : DB_EGENERIC;
	items = json_array();
	while (st && (rc = db_step(st)) == DB_ROW) {
		struct due d;
		json_t *j = flag_row_json(st, &rm, q.on, &d);
		if (!d.missing) {
			json_decref(j);
			continue;
		}
		json_object_set_new(j, "_order", json_integer((json_int_t)n++));
		json_array_append_new(items, j);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	cap = json_array_size(items);
	arr = calloc(cap ? cap : 1, sizeof(*arr));
	if (!arr) {
		rc = DB_EGENERIC;
		goto fail;
	}
	for (size_t i = 0; i < cap; i++)
		arr[i] = json_array_get(items, i);
	qsort(arr, cap, sizeof(*arr), due_cmp);
	sorted = json_array();
	for (size_t i = 0; i < cap; i++) {
		json_object_del(arr[i], "_order");
		json_array_append(sorted, arr[i]);
	}
	free(arr);
	json_decref(items);
	resp_json(r, 200, json_pack("{s:o, s:I, s:s}", "items", sorted, "total", (json_int_t)cap,
				    "date", q.on));
	return;
fail:
	json_decref(items);
	app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
}

/* ---------------------------------------------------------------- assessments */

/* The body's fields, trimmed (blank optional text = none). */
static void read_assessment_in(struct req *r, const json_t *body, struct assessment_in *in)
{
	memset(in, 0, sizeof(*in));
	in->kind = json_str_trim(&r->arena, body, "kind", NULL);
	in->assessed_on = json_str_trim(&r->arena, body, "assessed_on", NULL);
	in->period = json_str_trim(&r->arena, body, "period", NULL);
	in->assessor = json_str_trim(&r->arena, body, "assessor", NULL);
	in->rating = json_str_trim(&r->arena, body, "rating", NULL);
	in->remarks = json_str_trim(&r->arena, body, "remarks", NULL);
}

/* GET /people/:id/assessments?kind=: the person's assessments, newest first. */
void assessments_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_where p;
	struct db_stmt *st;
	const char *kind = req_query(r, "kind");
	json_t *items;
	int rc;

	if (!lh_person(r, req_param_id(r, "id"), 0, &p))
		return;
	if (kind && !*kind)
		kind = NULL;
	st = db_prepare(c->db, arena_printf(&r->arena, "%s WHERE a.person_id = ?%s"
					    " ORDER BY a.assessed_on DESC, a.id DESC",
					    ledger_assessment_cols(), kind ? " AND a.kind = ?" : ""));
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_bind_int(st, 1, p.id);
	if (kind)
		db_bind_text(st, 2, kind);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, ledger_assessment_from_row(st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:b}", "items", items, "can_write",
				    perm_has(c, "ledger.write", p.org_path)));
}

/* POST /people/:id/assessments: an assessment of a flag the person held on that day. */
void assessments_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_where p;
	struct assessment_in in;
	struct zb_fail f;
	json_t *body;
	int64_t id;

	if (!lh_person(r, req_param_id(r, "id"), 1, &p))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, create_fields, 0, &f);
	read_assessment_in(r, body, &in);
	json_decref(body);
	if (!app_begin_write(r)) {
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	/* after a failed json_check the insert still adds its own checks, and writes nothing */
	id = assessment_insert(c->db, &r->app->keys, &who, p.id, &in, &f);
	if (!lh_written(r, id, &f))
		return;
	app_commit_answer(r, 201, assessment_json(c->db, id));
}

/* PUT /assessments/:id: replace the fields with the version read; 409 with the row when stale. */
void assessments_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct person_where p;
	struct assessment_in in;
	struct zb_fail f;
	struct scope s;
	json_t *body;
	int64_t id = req_param_id(r, "id"), person_id = 0;
	int rc = id ? assessment_owner(c->db, id, &person_id) : 0;

	if (rc == 1)
		rc = person_where_load(c->db, person_id, &p);
	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return;
	}
	scope_for(c, "ledger.read", &s);
	if (rc != 1 || !scope_contains(&s, p.org_path)) {
		resp_error(r, ZB_ENOTFOUND, "考核记录不存在");
		return;
	}
	if (!lh_person(r, person_id, 1, &p))
		return;
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	/* after a failed json_check the update still adds its own checks, and writes nothing */
	json_check(body, update_fields, 0, &f);
	read_assessment_in(r, body, &in);
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = assessment_update(c->db, &r->app->keys, &who, id, json_int(body, "version", 0), &in,
			       &f);
	json_decref(body);
	app_finish_write(r, rc, &f, 200, "该考核记录已被他人修改，请刷新后重试", assessment_json, id);
}
