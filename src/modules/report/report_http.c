/* report_http.c - /api/v1/reports/... and /api/v1/dashboard: the annual report as JSON, .docx and HTML, section edits with versions, the statistical tables and the dashboard. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "report.h"
#include "report_internal.h"
#include "../orgs/orgs.h"
#include "../../app/app.h"
#include "../../auth/audit.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/buf.h"
#include "../../base/date.h"
#include "../../base/json.h"
#include "../../base/log.h"

static const char SQL_SECTION_ROW[] =
	"SELECT id, version FROM report_sections WHERE org_id = ? AND year = ? AND section = ?";
static const char SQL_SECTION_INSERT[] =
	"INSERT INTO report_sections (org_id, year, section, text, reset, version, updated_by,"
	" created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id";
static const char SQL_SECTION_UPDATE[] =
	"UPDATE report_sections SET text = ?, reset = ?, version = version + 1, updated_by = ?,"
	" updated_at = ? WHERE id = ? AND version = ?";
static const char SQL_VERSION_INSERT[] =
	"INSERT INTO report_section_versions (section_id, version, text, reset, by_name, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_VERSIONS[] =
	"SELECT v.version, v.text, v.reset, v.by_name, v.created_at FROM report_section_versions v"
	" JOIN report_sections s ON s.id = v.section_id WHERE s.org_id = ? AND s.year = ?"
	" AND s.section = ? ORDER BY v.version DESC";

#define DOCX_TYPE "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/*
 * The org (query `org`, default the caller's first subtree for `action`)
 * and year (query `year`, default this year) of a report request. 1 to go
 * on; 0 when answered (400 on a bad parameter, 404 outside the scope).
 */
static int target(struct req *r, const char *action, struct org *o, int *year)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	int64_t org_id;

	zb_fail_init(&f);
	scope_for(c, action, &s);
	org_id = req_query_int(r, "org", 0, 1, INT64_MAX, &f);
	*year = (int)req_query_int(r, "year", date_today_cn().y, 2000, 2100, &f);
	if (!f.err && !org_id && s.n > 0) {
		const char *p = s.paths[0], *slash = p + strlen(p) - 1;
		while (slash > p && slash[-1] != '/')
			slash--;
		org_id = strtoll(slash, NULL, 10);
	}
	if (!f.err && (org_load(c->db, org_id, o) != 1 || !scope_contains(&s, o->path)))
		zb_fail_set(&f, ZB_ENOTFOUND, "组织不存在");
	if (f.err) {
		resp_fail(r, &f);
		return 0;
	}
	zb_fail_release(&f);
	return 1;
}

/* The draft for the request's org and year; NULL when answered. */
static json_t *draft_for(struct req *r, struct org *o, int *year)
{
	json_t *d;
	int rc;

	if (!target(r, "report.read", o, year))
		return NULL;
	d = report_annual(req_ctx(r)->db, &r->arena, o, *year, &rc);
	if (!d)
		app_db_fail(r, rc, 0);
	return d;
}

/* GET /reports/annual?org=&year=: the draft as JSON (report.h). */
void report_http_annual(struct req *r)
{
	struct org o;
	int year;
	json_t *d = draft_for(r, &o, &year);

	if (d)
		resp_json(r, 200, d);
}

/* The file names of a download: "report-2022.docx" and "<org>2022年述职报告.docx". */
static void names(struct req *r, const struct org *o, int year, const char *what, const char *ext,
		  const char **ascii, const char **utf8)
{
	*ascii = arena_printf(&r->arena, "%s-%d.%s", ext[0] == 'x' ? "tables" : "report", year, ext);
	*utf8 = arena_printf(&r->arena, "%s%d年%s.%s", o->name, year, what, ext);
}

/* GET /reports/annual.docx?org=&year=: the draft as an official document. */
void report_http_docx(struct req *r)
{
	struct org o;
	int year;
	json_t *d = draft_for(r, &o, &year);
	const char *ascii, *utf8;
	char *data;
	size_t len;

	if (!d)
		return;
	if (report_docx(d, &data, &len) != 0) {
		json_decref(d);
		log_error("request %s: cannot build the report document", r->id);
		resp_error(r, ZB_EINTERNAL, "无法生成报告文档");
		return;
	}
	json_decref(d);
	names(r, &o, year, "述职报告", "docx", &ascii, &utf8);
	resp_text(r, 200, DOCX_TYPE, data, len);
	free(data);
	resp_attachment(r, ascii, utf8);
}

/* GET /reports/annual.html?org=&year=: a printable page. */
void report_http_html(struct req *r)
{
	struct org o;
	int year;
	json_t *d = draft_for(r, &o, &year);
	struct buf b;

	if (!d)
		return;
	buf_init(&b, 0);
	report_html(d, &b);
	json_decref(d);
	if (b.err) {
		buf_release(&b);
		resp_error(r, ZB_EINTERNAL, "无法生成报告页面");
		return;
	}
	resp_text(r, 200, "text/html; charset=utf-8", b.data, b.len);
	buf_release(&b);
}

/* The section `key` of a draft (a new reference) or NULL. */
static json_t *section_of(const json_t *d, const char *key)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(d, "sections"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "key")), key) == 0)
			return json_incref((json_t *)s);
	return NULL;
}

static json_t *current_section(struct req *r, const struct org *o, int year, const char *key)
{
	int rc;
	json_t *d = report_annual(req_ctx(r)->db, &r->arena, o, year, &rc), *s;

	if (!d)
		return NULL;
	s = section_of(d, key);
	json_decref(d);
	return s;
}

static const struct json_field section_fields[] = {
	{ "text", JF_STRING, 0, 0, 1, 20000, "正文" },
	{ "reset", JF_BOOL, 0, 0, 0, 0, "恢复为自动生成" },
	{ "version", JF_INT, 1, 0, 0, INT32_MAX, "版本" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/*
 * PUT /reports/annual/sections/:key?org=&year=: save a person's wording
 * ({text, version}) or hand the section back to the draft ({reset: true,
 * version}); version 0 = never edited. 409 with the current section when
 * stale. Audited; each save is a new version row.
 */
void report_http_section_put(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct org o;
	struct audit_who who;
	const struct report_section_def *def;
	const char *key = req_param(r, "key"), *text;
	char now[32];
	int year, reset;
	int64_t version, id = 0, cur = 0, changes = 0;
	json_t *body, *after;
	int rc;

	if (!target(r, "report.write", &o, &year))
		return;
	zb_fail_init(&f);
	def = report_section_find(key);
	if (!def) {
		zb_fail_set(&f, ZB_ENOTFOUND, "报告中没有该部分");
		resp_fail(r, &f);
		return;
	}
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, section_fields, 0, &f);
	reset = json_is_true(json_object_get(body, "reset"));
	text = json_str_trim(&r->arena, body, "text", NULL);
	version = json_int(body, "version", 0);
	if (!f.err && !reset && !text)
		zb_fail_field(&f, "text", "正文不能为空");
	if (!f.err && reset && json_has(body, "text"))
		zb_fail_field(&f, "text", "恢复为自动生成时不应同时提交正文");
	json_decref(body);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r))
		return;
	app_who(r, &who);
	ts_now(now);
	rc = db_query_int(c->db, &id, SQL_SECTION_ROW, "iis", o.id, (int64_t)year, key);
	if (rc == DB_ROW)
		rc = db_query_int(c->db, &cur, "SELECT version FROM report_sections WHERE id = ?", "i", id);
	if (rc != DB_ROW && rc != DB_DONE) {
		app_db_fail(r, rc, 1);
		return;
	}
	if (reset && !text)
		text = "";
	if (cur != version) {
		db_rollback(c->db);
		app_conflict(r, "该部分已被他人修改，请刷新后重试", current_section(r, &o, year, key));
		return;
	}
	if (!id) {
		rc = db_query_int(c->db, &id, SQL_SECTION_INSERT, "iississs", o.id, (int64_t)year, key,
				  text, (int64_t)reset, who.username ? who.username : "", now, now);
		rc = rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
	} else {
		rc = db_run_changes(c->db, &changes, SQL_SECTION_UPDATE, "sissii", text, (int64_t)reset,
				    who.username ? who.username : "", now, id, version);
		if (rc == DB_OK && changes != 1) {
			db_rollback(c->db);
			app_conflict(r, "该部分已被他人修改，请刷新后重试", current_section(r, &o, year, key));
			return;
		}
	}
	if (rc == DB_OK)
		rc = db_run(c->db, SQL_VERSION_INSERT, "iisiss", id, version + 1, text, (int64_t)reset,
			    who.username ? who.username : "", now);
	after = json_pack("{s:I, s:i, s:s, s:s, s:b, s:I}", "org_id", (json_int_t)o.id, "year", year,
			  "section", key, "text", text, "reset", reset, "version", (json_int_t)(version + 1));
	if (rc == DB_OK)
		rc = app_audit(r, "report_section", id, reset ? "reset" : "update", NULL, after);
	json_decref(after);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, current_section(r, &o, year, key));
}

/* GET /reports/annual/sections/:key/versions?org=&year=: every saved version, newest first. */
void report_http_section_versions(struct req *r)
{
	struct org o;
	int year, rc;
	const char *key = req_param(r, "key");
	struct db_stmt *st;
	json_t *items;

	if (!target(r, "report.read", &o, &year))
		return;
	if (!report_section_find(key)) {
		resp_error(r, ZB_ENOTFOUND, "报告中没有该部分");
		return;
	}
	st = db_prepare(req_ctx(r)->db, SQL_VERSIONS);
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_bindf(st, "iis", o.id, (int64_t)year, key);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:b, s:s, s:s}", "version",
			(json_int_t)db_col_int(st, 0), "text", db_col_text(st, 1), "reset",
			(int)db_col_int(st, 2), "by", db_col_text(st, 3), "at", db_col_text(st, 4)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:s, s:o}", "section", key, "items", items));
}

/* Read a whole file into malloc'd memory; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n);
		if (data && fread(data, 1, (size_t)n, fp) != (size_t)n) {
			free(data);
			data = NULL;
		}
		*len = (size_t)n;
	}
	fclose(fp);
	return data;
}

/* GET /reports/tables.xlsx?org=&year=: the statistical tables. */
void report_http_tables(struct req *r)
{
	struct org o;
	int year, rc;
	char dir[1024], path[1200];
	const char *ascii, *utf8;
	char *data;
	size_t len = 0;

	if (!target(r, "report.read", &o, &year))
		return;
	snprintf(dir, sizeof(dir), "%s/tmp", r->app->cfg.files_dir);
	if ((mkdir(r->app->cfg.files_dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	snprintf(path, sizeof(path), "%s/report-%s-%d.xlsx", dir, r->id, (int)getpid());
	rc = report_tables_xlsx(req_ctx(r)->db, &r->arena, &o, year, path, dir);
	if (rc < 0) {
		unlink(path);
		app_db_fail(r, rc, 0);
		return;
	}
	data = rc == DB_OK ? slurp(path, &len) : NULL;
	unlink(path);
	if (!data) {
		log_error("request %s: cannot build the statistical tables", r->id);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	names(r, &o, year, "党建统计表", "xlsx", &ascii, &utf8);
	resp_text(r, 200, XLSX_TYPE, data, len);
	free(data);
	resp_attachment(r, ascii, utf8);
}

/* GET /dashboard?org=&from=&to=: the panels (report_dashboard). Default period: this year to today. */
void report_http_dashboard(struct req *r)
{
	struct zb_fail f;
	struct org o;
	struct ymd fd, td, today = date_today_cn();
	const char *from = req_query(r, "from"), *to = req_query(r, "to");
	char fbuf[11], tbuf[11];
	int year, rc;
	json_t *j;

	if (!target(r, "report.read", &o, &year))
		return;
	zb_fail_init(&f);
	if (from && *from && date_parse_iso(from, &fd) != 0)
		zb_fail_field(&f, "from", "from 应为有效日期（YYYY-MM-DD）");
	if (to && *to && date_parse_iso(to, &td) != 0)
		zb_fail_field(&f, "to", "to 应为有效日期（YYYY-MM-DD）");
	if (!f.err) {
		if (!from || !*from)
			fd = (struct ymd){ today.y, 1, 1 };
		if (!to || !*to)
			td = today;
		if (date_to_days(fd) > date_to_days(td))
			zb_fail_field(&f, "to", "结束日期不能早于开始日期");
		else if (date_to_days(td) - date_to_days(fd) > 3660)
			zb_fail_field(&f, "from", "统计期间不能超过10年");
	}
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	date_format(fd, fbuf);
	date_format(td, tbuf);
	j = report_dashboard(req_ctx(r)->db, &r->arena, &o, fbuf, tbuf, &rc);
	if (!j) {
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, j);
}
