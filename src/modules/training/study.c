/* study.c - study records from outside platforms (学习强国, 驼乡e站 ...): the CSV import and the supervisors' list, never a ranking. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "training.h"
#include "training_internal.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/date.h"
#include "../../base/json.h"
#include "../../base/sheet.h"

/*
 * The import reads a sheet with a header row naming its columns 姓名,
 * 身份证号, 平台, 月份 (YYYY-MM) and 积分 and/or 学时 (one decimal), in any
 * order. A person is matched by ID number (the people module's blind index)
 * and the name must agree; they must lie in the caller's training.write
 * scope. A row for a person, platform and month already stored replaces it.
 * All or nothing: any bad row refuses the file, with the errors by row.
 * Phones are not matched (they carry no blind index).
 */

#define STUDY_MAX_ERRORS 200

enum { C_NAME, C_ID, C_PLATFORM, C_PERIOD, C_SCORE, C_HOURS, C_N };
static const char *const col_names[C_N] = { "姓名", "身份证号", "平台", "月份", "积分", "学时" };

static const char SQL_UPSERT_DELETE[] =
	"DELETE FROM study_records WHERE person_id = ? AND platform = ? AND period = ?";
static const char SQL_INSERT[] =
	"INSERT INTO study_records (person_id, platform, period, score, hours_tenths, created_at,"
	" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

/* One checked row. */
struct srow {
	int64_t person_id;
	char platform[128];
	char period[8];
	int64_t score;		/* -1 = none */
	int64_t hours;		/* tenths; -1 = none */
};

/* "YYYY-MM" with a real month. */
static int period_ok(const char *s)
{
	return strlen(s) == 7 && s[4] == '-' && s[0] >= '1' && s[0] <= '2' &&
	       strspn(s, "0123456789-") == 7 && s[5] >= '0' && s[5] <= '1' &&
	       ((s[5] == '0' && s[6] >= '1') || (s[5] == '1' && s[6] <= '2'));
}

/* A whole number 0..max: its value, or -1. */
static int64_t whole(const char *s, int64_t max)
{
	char *end;
	long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end || v > max ? -1 : v;
}

/* Hours with at most one decimal, 0..1000: in tenths, or -1. */
static int64_t tenths(const char *s)
{
	const char *dot = strchr(s, '.');
	char whole_part[16];
	int64_t w, frac = 0;

	if (!dot)
		return (w = whole(s, 1000)) < 0 ? -1 : w * 10;
	if ((size_t)(dot - s) >= sizeof(whole_part) || strlen(dot + 1) != 1 ||
	    dot[1] < '0' || dot[1] > '9')
		return -1;
	memcpy(whole_part, s, (size_t)(dot - s));
	whole_part[dot - s] = '\0';
	w = whole(whole_part, 1000);
	frac = dot[1] - '0';
	return w < 0 || w * 10 + frac > 10000 ? -1 : w * 10 + frac;
}

static void row_error(json_t *errors, size_t row, const char *column, const char *message)
{
	if (json_array_size(errors) < STUDY_MAX_ERRORS)
		json_array_append_new(errors, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row,
							"column", column, "message", message));
}

/* Write the body to a private temporary file and open it as a sheet (the file is unlinked at once). */
static struct sheet *open_body(struct req *r, struct sheet_error *e)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	struct sheet *s;
	size_t off = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/zhibu-study-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		e->code = SHEET_EIO;
		snprintf(e->msg, sizeof(e->msg), "无法保存上传的文件，请联系系统管理员");
		return NULL;
	}
	while (off < r->body_len) {
		ssize_t w = write(fd, r->body + off, r->body_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
	s = off == r->body_len ? sheet_open(path, NULL, e) : NULL;
	if (off != r->body_len) {
		e->code = SHEET_EIO;
		snprintf(e->msg, sizeof(e->msg), "无法保存上传的文件，请联系系统管理员");
	}
	unlink(path);
	return s;
}

/* Check one data row into *out; errors go to `errors`. 1 when clean, 0 when not, <0 DB_E*. */
static int check_row(struct req *r, const struct sheet_row *sr, const int col[C_N],
		     const struct scope *ws, json_t *errors, struct srow *out)
{
	struct ctx *c = req_ctx(r);
	const char *v[C_N];
	struct person_stored p;
	size_t before = json_array_size(errors);
	int found;

	for (int i = 0; i < C_N; i++)
		v[i] = col[i] >= 0 && (size_t)col[i] < sr->ncells ? sr->cells[col[i]].text : "";
	memset(out, 0, sizeof(*out));
	out->score = out->hours = -1;
	if (!*v[C_NAME])
		row_error(errors, sr->num, "姓名", "姓名不能为空");
	if (!*v[C_ID]) {
		row_error(errors, sr->num, "身份证号", "身份证号不能为空");
	} else {
		found = person_find_by_id_number(c->db, &r->app->keys, v[C_ID], &p);
		if (found < 0)
			return found;
		if (found == 0 || !scope_contains(ws, p.org_path) || strcmp(p.status, "active") != 0)
			row_error(errors, sr->num, "身份证号", "未找到该身份证号的人员，或不在您的管理范围内");
		else if (*v[C_NAME] && strcmp(p.name, v[C_NAME]) != 0)
			row_error(errors, sr->num, "姓名", "姓名与身份证号登记的人员不符");
		else
			out->person_id = p.id;
	}
	if (!*v[C_PLATFORM])
		row_error(errors, sr->num, "平台", "平台不能为空");
	else if (utf8_len(v[C_PLATFORM]) > 40 || strlen(v[C_PLATFORM]) >= sizeof(out->platform))
		row_error(errors, sr->num, "平台", "平台名称不能超过40个字");
	else
		snprintf(out->platform, sizeof(out->platform), "%s", v[C_PLATFORM]);
	if (!period_ok(v[C_PERIOD]))
		row_error(errors, sr->num, "月份", "月份应为 YYYY-MM，如 2022-10");
	else
		snprintf(out->period, sizeof(out->period), "%s", v[C_PERIOD]);
	if (*v[C_SCORE] && (out->score = whole(v[C_SCORE], 1000000)) < 0)
		row_error(errors, sr->num, "积分", "积分应为 0 至 1000000 的整数");
	if (*v[C_HOURS] && (out->hours = tenths(v[C_HOURS])) < 0)
		row_error(errors, sr->num, "学时", "学时应为 0 至 1000 的数，最多一位小数");
	if (!*v[C_SCORE] && !*v[C_HOURS])
		row_error(errors, sr->num, "积分", "积分和学时至少填写一项");
	return json_array_size(errors) == before;
}

/*
 * POST /study/import[?dry_run=1]: the sheet is the raw body (CSV or xlsx).
 * A dry run checks every row and writes nothing; without it a clean file is
 * stored in one transaction with one audit row. Answers {rows, errors:
 * [{row, column, message}], dry_run, imported}; 400 when any row is bad.
 */
void study_http_import(struct req *r)
{
	struct ctx *c = req_ctx(r);
	const char *dry = req_query(r, "dry_run");
	int dry_run = dry && (strcmp(dry, "1") == 0 || strcmp(dry, "true") == 0);
	struct sheet_error e = { 0 };
	struct sheet_row sr;
	struct sheet *s;
	struct scope ws;
	struct srow *rows = NULL;
	size_t nrows = 0, cap = 0;
	int col[C_N], header = 1, got = 0, rc = DB_OK;
	json_t *errors;

	if (r->body_len == 0) {
		resp_error(r, ZB_EVALIDATION, "请上传文件（.csv 或 .xlsx）");
		return;
	}
	s = open_body(r, &e);
	if (!s) {
		resp_error(r, e.code == SHEET_ELIMIT ? ZB_ETOOLARGE : e.code == SHEET_EIO ?
			   ZB_EUNAVAILABLE : ZB_EVALIDATION, e.msg);
		return;
	}
	scope_for(c, "training.write", &ws);
	errors = json_array();
	for (int i = 0; i < C_N; i++)
		col[i] = -1;
	while (rc == DB_OK && (got = sheet_next(s, &sr, &e)) == 1) {
		if (header) {
			header = 0;
			for (size_t k = 0; k < sr.ncells; k++)
				for (int i = 0; i < C_N; i++)
					if (strcmp(sr.cells[k].text, col_names[i]) == 0 && col[i] < 0)
						col[i] = (int)k;
			for (int i = 0; i < C_PERIOD + 1; i++)
				if (col[i] < 0)
					row_error(errors, sr.num, col_names[i], "表头缺少此列");
			if (col[C_SCORE] < 0 && col[C_HOURS] < 0)
				row_error(errors, sr.num, "积分", "表头缺少“积分”或“学时”列");
			if (json_array_size(errors))
				break;
			continue;
		}
		if (nrows == cap) {
			struct srow *bigger;
			cap = cap ? cap * 2 : 64;
			bigger = arena_alloc(&r->arena, cap * sizeof(*rows));
			if (nrows)
				memcpy(bigger, rows, nrows * sizeof(*rows));
			rows = bigger;
		}
		rc = check_row(r, &sr, col, &ws, errors, &rows[nrows]);
		if (rc == 1) {
			for (size_t k = 0; k < nrows; k++)
				if (rows[k].person_id == rows[nrows].person_id &&
				    strcmp(rows[k].platform, rows[nrows].platform) == 0 &&
				    strcmp(rows[k].period, rows[nrows].period) == 0) {
					row_error(errors, sr.num, "月份", "与前面一行的人员、平台、月份重复");
					rc = 0;
					break;
				}
		}
		if (rc == 1)
			nrows++;
		rc = rc < 0 ? rc : DB_OK;
	}
	sheet_close(s);
	if (rc != DB_OK) {
		json_decref(errors);
		app_db_fail(r, rc, 0);
		return;
	}
	if (got < 0) {
		json_decref(errors);
		resp_error(r, e.code == SHEET_ELIMIT ? ZB_ETOOLARGE : ZB_EVALIDATION, e.msg);
		return;
	}
	if (header)
		row_error(errors, 1, "姓名", "文件没有表头行");
	if (json_array_size(errors) || dry_run) {
		int bad = json_array_size(errors) > 0;
		if (!bad) {
			resp_json(r, 200, json_pack("{s:I, s:o, s:b, s:I}", "rows", (json_int_t)nrows,
						    "errors", errors, "dry_run", 1, "imported", 0));
			return;
		}
		resp_json(r, 400, json_pack("{s:{s:s, s:s}, s:I, s:o, s:b, s:I}", "error", "code",
			"validation_failed", "message", arena_printf(&r->arena,
			"文件有%zu处错误，未导入任何记录", json_array_size(errors)), "rows",
			(json_int_t)nrows, "errors", errors, "dry_run", dry_run, "imported", 0));
		return;
	}
	json_decref(errors);
	rc = db_begin(c->db);
	for (size_t i = 0; rc == DB_OK && i < nrows; i++) {
		char now[24];
		struct db_stmt *st;

		ts_now(now);
		rc = db_run(c->db, SQL_UPSERT_DELETE, "iss", rows[i].person_id, rows[i].platform,
			    rows[i].period);
		st = rc == DB_OK ? db_prepare(c->db, SQL_INSERT) : NULL;
		if (rc == DB_OK && !st)
			rc = DB_EGENERIC;
		if (st) {
			db_bindf(st, "iss", rows[i].person_id, rows[i].platform, rows[i].period);
			if (rows[i].score >= 0)
				db_bind_int(st, 4, rows[i].score);
			else
				db_bind_null(st, 4);
			if (rows[i].hours >= 0)
				db_bind_int(st, 5, rows[i].hours);
			else
				db_bind_null(st, 5);
			db_bind_text(st, 6, now);
			db_bind_text(st, 7, now);
			rc = db_step(st);
			db_finalize(st);
			rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
		}
	}
	if (rc == DB_OK) {
		json_t *after = json_pack("{s:I}", "rows", (json_int_t)nrows);
		rc = app_audit(r, "study_import", 0, "import", NULL, after);
		json_decref(after);
	}
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	resp_json(r, 200, json_pack("{s:I, s:[], s:b, s:I}", "rows", (json_int_t)nrows, "errors",
				    "dry_run", 0, "imported", (json_int_t)nrows));
}

/*
 * GET /study?org=&period=: the study records of the people the caller reads
 * (person.read), sorted by org then name then platform - never by score -
 * and per branch how many people have records. No ranking, no streaks.
 */
void study_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	const char *period = req_query(r, "period");
	struct zb_fail f;
	struct scope s;
	struct org o;
	struct db_stmt *st;
	int64_t org_id;
	int idx, rc;
	json_t *items, *branches;

	zb_fail_init(&f);
	org_id = req_query_int(r, "org", 0, 1, INT64_MAX, &f);
	if (period && *period && !period_ok(period))
		zb_fail_field(&f, "period", "月份应为 YYYY-MM，如 2022-10");
	scope_for(c, "person.read", &s);
	if (!f.err && org_id && (org_load(c->db, org_id, &o) != 1 || !scope_contains(&s, o.path)))
		zb_fail_set(&f, ZB_ENOTFOUND, "组织不存在");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (period && !*period)
		period = NULL;
	st = db_prepare(c->db, arena_printf(&r->arena,
		"SELECT v.person_id, v.name, v.org_id, v.org_name, sr.platform, sr.period, sr.score,"
		" sr.hours_tenths, sr.id, sr.version, b.id, b.name FROM study_records sr JOIN %s v"
		" ON v.person_id = sr.person_id LEFT JOIN orgs b ON b.id = (SELECT x.id FROM orgs x"
		" WHERE x.kind IN ('branch', 'general_branch') AND v.org_path LIKE (x.path || '%%')"
		" ORDER BY x.depth DESC LIMIT 1) WHERE %s%s%s"
		" ORDER BY v.org_path, v.name, v.person_id, sr.period, sr.platform",
		people_view_sql(), scope_sql(&r->arena, &s, "v.org_path"),
		org_id ? " AND v.org_path LIKE ?" : "", period ? " AND sr.period = ?" : ""));
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	idx = scope_bind(st, 1, &s);
	if (org_id)
		db_bind_text(st, idx++, arena_printf(&r->arena, "%s%%", o.path));
	if (period)
		db_bind_text(st, idx, period);
	items = json_array();
	branches = json_array();
	{
		json_t *byid = json_object();
		char key[24], seen[64];

		while ((rc = db_step(st)) == DB_ROW) {
			json_t *it = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:I}",
				"id", (json_int_t)db_col_int(st, 8), "person_id",
				(json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1),
				"org_id", (json_int_t)db_col_int(st, 2), "org_name", db_col_text(st, 3),
				"platform", db_col_text(st, 4), "period", db_col_text(st, 5),
				"version", (json_int_t)db_col_int(st, 9));
			json_t *cur;

			json_object_set_new(it, "score", db_col_isnull(st, 6) ? json_null() :
					    json_integer(db_col_int(st, 6)));
			json_object_set_new(it, "hours", db_col_isnull(st, 7) ? json_null() :
					    json_real((double)db_col_int(st, 7) / 10.0));
			json_object_set_new(it, "branch_id", db_col_isnull(st, 10) ? json_null() :
					    json_integer(db_col_int(st, 10)));
			json_array_append_new(items, it);
			/* per branch (party groups roll up): people with records, and records */
			snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 10));
			cur = json_object_get(byid, key);
			if (!cur) {
				cur = json_pack("{s:o, s:o, s:I, s:I}", "org_id",
						db_col_isnull(st, 10) ? json_null() :
						json_integer(db_col_int(st, 10)), "org_name",
						db_col_isnull(st, 11) ? json_null() :
						json_string(db_col_text(st, 11)), "people", (json_int_t)0,
						"records", (json_int_t)0);
				json_object_set_new(byid, key, cur);
				json_array_append(branches, cur);
			}
			snprintf(seen, sizeof(seen), "p%lld", (long long)db_col_int(st, 0));
			if (!json_object_get(byid, seen)) {
				json_object_set_new(byid, seen, json_true());
				json_object_set_new(cur, "people", json_integer(
					json_integer_value(json_object_get(cur, "people")) + 1));
			}
			json_object_set_new(cur, "records", json_integer(
				json_integer_value(json_object_get(cur, "records")) + 1));
		}
		json_decref(byid);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		json_decref(branches);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total",
				    (json_int_t)json_array_size(items), "branches", branches));
}

int64_t study_demo_records(struct db *db, const struct keys *k, const struct audit_who *who,
			   const char *org_path, int64_t limit, const char *platform,
			   const char *period, int64_t base)
{
	char like[300], now[24];
	int64_t added = 0;
	struct db_stmt *st;
	struct buf sql;
	int rc;

	snprintf(like, sizeof(like), "%s%%", org_path);
	ts_now(now);
	buf_init(&sql, 0);
	buf_printf(&sql,
		"INSERT INTO study_records (person_id, platform, period, score, hours_tenths,"
		" created_at, updated_at) SELECT v.person_id, CAST(? AS TEXT), CAST(? AS TEXT),"
		" CAST(? AS INTEGER) + (v.person_id * 37) %% 211, NULL, CAST(? AS TEXT),"
		" CAST(? AS TEXT) FROM %s v WHERE v.org_path LIKE ? AND v.status = 'active'"
		" AND v.political_status IN " PEOPLE_PARTY_STATUSES
		" ORDER BY v.person_id LIMIT ?", people_view_sql());
	st = sql.err ? NULL : db_prepare(db, sql.data);
	buf_release(&sql);
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "ssisssi", platform, period, base, now, now, like, limit);
	rc = db_step(st);
	added = db_changes(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	{
		json_t *after = json_pack("{s:s, s:s, s:s, s:I}", "org_path", org_path, "platform",
					  platform, "period", period, "rows", (json_int_t)added);
		rc = audit_append(db, k, who, "study_import", 0, "import", NULL, after);
		json_decref(after);
	}
	return rc == DB_OK ? added : rc;
}
