/* findings_http.c - the findings of every module as the to-do inbox (/todo), the branch status (/compliance/status) and the daily status record (org_status). */
#include <stdlib.h>
#include <string.h>
#include "findings.h"
#include "../orgs/orgs.h"
#include "../../app/jobs.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/log.h"

/* The parameters both routes share: org (a subtree in the caller's org.read scope), date, subject. */
static int params(struct req *r, struct scope *s, const char **like, int64_t *date,
		  const char **subjects)
{
	struct zb_fail f;
	const char *path;

	zb_fail_init(&f);
	scope_for(req_ctx(r), "org.read", s);
	path = org_scope_param(r, "org", s, &f);
	*like = path ? arena_printf(&r->arena, "%s%%", path) : NULL;
	*date = req_query_day(r, "date", "日期", date_to_days(date_today_cn()), &f);
	*subjects = req_query(r, "subject");
	if (f.err) {
		resp_fail(r, &f);
		return 0;
	}
	zb_fail_release(&f);
	return 1;
}

static int by_newest(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a;
	const struct finding *y = *(const struct finding *const *)b;
	int c = strcmp(y->date ? y->date : "", x->date ? x->date : "");

	if (c)
		return c;
	c = strcmp(x->org_path ? x->org_path : "", y->org_path ? y->org_path : "");
	return c ? c : strcmp(x->subject ? x->subject : "", y->subject ? y->subject : "");
}

/*
 * GET /todo?org=&date=&subject=: every finding in the caller's scope on
 * `date` (default today) from every module the caller may read, newest
 * first, then in tree order.
 */
void findings_http_todo(struct req *r)
{
	struct findings_query q = { .db = req_ctx(r)->db, .a = &r->arena };
	struct findings fs;
	struct scope s;
	const struct finding **v;
	const char *subjects;
	json_t *items, *by_subject;
	char ds[16];
	int rc;

	if (!params(r, &s, &q.path_like, &q.as_of, &subjects))
		return;
	q.s = &s;
	q.user_id = req_ctx(r)->user_id;
	findings_init(&fs, &r->arena);
	rc = findings_collect(req_ctx(r), &q, subjects, &fs);
	v = rc == DB_OK ? malloc((fs.n ? fs.n : 1) * sizeof(*v)) : NULL;
	if (!v) {
		findings_free(&fs);
		app_db_fail(r, rc == DB_OK ? DB_EGENERIC : rc, 0);
		return;
	}
	for (size_t i = 0; i < fs.n; i++)
		v[i] = &fs.v[i];
	qsort(v, fs.n, sizeof(*v), by_newest);
	items = json_array();
	by_subject = json_object();
	for (size_t i = 0; i < fs.n; i++) {
		json_t *c = json_object_get(by_subject, v[i]->subject);
		json_array_append_new(items, finding_json(v[i]));
		json_object_set_new(by_subject, v[i]->subject,
				    json_integer(c ? json_integer_value(c) + 1 : 1));
	}
	free(v);
	findings_free(&fs);
	date_format(date_from_days(q.as_of), ds);
	resp_json(r, 200, json_pack("{s:s, s:o, s:I, s:o}", "date", ds, "items", items, "total",
				    (json_int_t)json_array_size(items), "by_subject", by_subject));
}

/*
 * GET /compliance/status?org=&date=&subject=: each branch and general branch
 * in scope with its status on `date` and the findings behind it (its party
 * groups' and grids' counted as its own). The rule is findings_status's.
 */
void findings_http_status(struct req *r)
{
	struct findings_query q = { .db = req_ctx(r)->db, .a = &r->arena };
	struct scope s;
	const char *subjects;
	json_t *j;
	char ds[16];
	int rc;

	if (!params(r, &s, &q.path_like, &q.as_of, &subjects))
		return;
	q.s = &s;
	q.user_id = req_ctx(r)->user_id;
	j = findings_branch_status(req_ctx(r), &q, subjects, &rc);
	if (!j) {
		app_db_fail(r, rc, 0);
		return;
	}
	date_format(date_from_days(q.as_of), ds);
	json_object_set_new(j, "date", json_string(ds));
	resp_json(r, 200, j);
}

static const char SQL_STATUS_PUT[] =
	"INSERT INTO org_status (org_id, day, status, findings, reasons) VALUES (?, ?, ?, ?, ?)"
	" ON CONFLICT (org_id, day) DO UPDATE SET status = excluded.status,"
	" findings = excluded.findings, reasons = excluded.reasons";

/*
 * The daily job: evaluate every branch of the whole tree on `day` as the
 * system and keep each one's status and reasons in org_status, so a status
 * that changed can be traced day by day.
 */
int findings_status_job(const struct app *app, struct db *db, const char *day, char *detail,
			size_t detail_len)
{
	struct arena a;
	struct scope s = { .n = 1, .paths = { "/" } };
	struct findings_query q = { .db = db, .a = &a, .s = &s };
	struct ymd d;
	json_t *j, *items, *it;
	size_t i;
	int rc;

	(void)app;
	if (date_parse_iso(day, &d) != 0)
		return -1;
	q.as_of = date_to_days(d);
	arena_init(&a, 0);
	j = findings_branch_status(NULL, &q, NULL, &rc);
	if (!j) {
		arena_release(&a);
		return -1;
	}
	items = json_object_get(j, "items");
	rc = db_begin(db);
	json_array_foreach(items, i, it) {
		json_t *reasons = json_object_get(it, "reasons");
		char *text = json_dumps(reasons, JSON_COMPACT);
		if (rc == DB_OK)
			rc = db_run(db, SQL_STATUS_PUT, "issis", json_integer_value(json_object_get(it, "org_id")),
				    day, json_string_value(json_object_get(it, "status")),
				    (int64_t)json_array_size(reasons), text ? text : "[]");
		free(text);
	}
	rc = rc == DB_OK ? db_commit(db) : (db_rollback(db), rc);
	snprintf(detail, detail_len, "%zu个支部：红%lld，黄%lld，绿%lld", json_array_size(items),
		 (long long)json_integer_value(json_object_get(json_object_get(j, "counts"), "red")),
		 (long long)json_integer_value(json_object_get(json_object_get(j, "counts"), "yellow")),
		 (long long)json_integer_value(json_object_get(json_object_get(j, "counts"), "green")));
	json_decref(j);
	arena_release(&a);
	if (rc != DB_OK)
		log_error("status job: database error %d", rc);
	return rc == DB_OK ? 0 : -1;
}
