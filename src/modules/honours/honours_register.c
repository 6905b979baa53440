/* honours_register.c - the register of honours awarded: lists by nominee, year, category and org, the counts, and the export to .xlsx. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "honours_internal.h"
#include "../orgs/orgs.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"
#include "../../base/log.h"

/* The register's filters read from the query. */
struct regq {
	struct scope s;
	int64_t year;
	const char *category;
	const char *like;	/* "path%" of the org filter, NULL none */
	const char *kind;
	int64_t nominee_id;
	const char *q;		/* LIKE pattern of the name */
};

/* Read the filters; 1 to go on (answered otherwise). */
static int read_q(struct req *r, struct regq *g)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	const char *path, *q;

	memset(g, 0, sizeof(*g));
	zb_fail_init(&f);
	scope_for(c, "honour.read", &g->s);
	path = org_scope_param(r, "org", &g->s, &f);
	g->year = req_query_int(r, "year", 0, 0, 2200, &f);
	g->nominee_id = req_query_int(r, "nominee_id", 0, 0, INT64_MAX, &f);
	g->category = req_query(r, "category");
	if (g->category && !*g->category)
		g->category = NULL;
	g->kind = req_query(r, "nominee_kind");
	if (g->kind && !*g->kind)
		g->kind = NULL;
	if (g->kind && strcmp(g->kind, "person") != 0 && strcmp(g->kind, "household") != 0 &&
	    strcmp(g->kind, "org") != 0)
		zb_fail_field(&f, "nominee_kind", "对象类型应为 person、household 或 org");
	q = req_query(r, "q");
	if (q && *q)
		g->q = db_like_contains(&r->arena, q);
	if (f.err) {
		resp_fail(r, &f);
		return 0;
	}
	zb_fail_release(&f);
	if (path)
		g->like = arena_printf(&r->arena, "%s%%", path);
	return 1;
}

static const char SQL_WHERE[] =
	" FROM honour_nominations n JOIN orgs o ON o.id = n.org_id JOIN honour_rounds r ON r.id = n.round_id"
	" LEFT JOIN dict_items d ON d.dict = 'honour_category' AND d.code = r.category"
	" WHERE n.status = 'awarded' AND %s"
	" AND (CAST(? AS INTEGER) = 0 OR r.year = CAST(? AS INTEGER))"
	" AND (CAST(? AS TEXT) IS NULL OR r.category = CAST(? AS TEXT))"
	" AND (CAST(? AS TEXT) IS NULL OR o.path LIKE CAST(? AS TEXT))"
	" AND (CAST(? AS TEXT) IS NULL OR n.nominee_kind = CAST(? AS TEXT))"
	" AND (CAST(? AS INTEGER) = 0 OR n.nominee_id = CAST(? AS INTEGER))"
	" AND (CAST(? AS TEXT) IS NULL OR n.nominee_name LIKE CAST(? AS TEXT) ESCAPE '!')";

static int bind_q(struct db_stmt *st, const struct regq *g)
{
	int idx = scope_bind(st, 1, &g->s);

	db_bind_int(st, idx++, g->year);
	db_bind_int(st, idx++, g->year);
	db_bind_text(st, idx++, g->category);
	db_bind_text(st, idx++, g->category);
	db_bind_text(st, idx++, g->like);
	db_bind_text(st, idx++, g->like);
	db_bind_text(st, idx++, g->kind);
	db_bind_text(st, idx++, g->kind);
	db_bind_int(st, idx++, g->nominee_id);
	db_bind_int(st, idx++, g->nominee_id);
	db_bind_text(st, idx++, g->q);
	db_bind_text(st, idx++, g->q);
	return idx;
}

static const char *where_sql(struct req *r, const struct regq *g)
{
	return arena_printf(&r->arena, SQL_WHERE, scope_sql(&r->arena, &g->s, "o.path"));
}

static const char SQL_COLS[] =
	"SELECT n.id, r.year, r.category, COALESCE(d.label_zh, r.category), n.nominee_kind, n.nominee_id,"
	" n.nominee_name, n.nominee_unit, n.org_id, o.name, n.awarded_on, n.reason, r.id, r.title";

/* GET /honours/register: the honours awarded, newest year first. */
void honours_http_register(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct regq g;
	struct db_stmt *st;
	int64_t page, page_size, total = 0;
	json_t *items;
	const char *where;
	int rc;

	if (!read_q(r, &g))
		return;
	zb_fail_init(&f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 200, &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	where = where_sql(r, &g);
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT COUNT(*)%s", where));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		bind_q(st, &g);
		rc = db_step(st);
		total = db_col_int(st, 0);
	}
	db_finalize(st);
	if (rc != DB_ROW) {
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "%s%s ORDER BY r.year DESC, d.sort, o.sort_key, o.path, n.id"
					    " LIMIT ? OFFSET ?", SQL_COLS, where));
	items = json_array();
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		int idx = bind_q(st, &g);
		db_bind_int(st, idx++, page_size);
		db_bind_int(st, idx, (page - 1) * page_size);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		const char *kind = db_col_text(st, 4);
		json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:s?,"
						       " s:s, s:I, s:s}",
			"id", (json_int_t)db_col_int(st, 0), "year", (json_int_t)db_col_int(st, 1),
			"category", db_col_text(st, 2), "category_label", db_col_text(st, 3),
			"nominee_kind", kind, "nominee_kind_label", honour_kind_label(kind),
			"nominee_id", (json_int_t)db_col_int(st, 5), "nominee_name", db_col_text(st, 6),
			"nominee_unit", db_col_text(st, 7), "org_id", (json_int_t)db_col_int(st, 8),
			"org_name", db_col_text(st, 9), "awarded_on", db_col_text(st, 10),
			"reason", db_col_text(st, 11), "round_id", (json_int_t)db_col_int(st, 12),
			"round_title", db_col_text(st, 13)));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
				    "page", (json_int_t)page, "page_size", (json_int_t)page_size));
}

/* One grouping of the counts: {k1: the first column (an integer when fmt is "i"), k2: the second, count}. */
static int group(struct req *r, const struct regq *g, const char *cols, const char *groupby,
		 const char *order, const char *fmt, const char *k1, const char *k2, json_t *out)
{
	struct db_stmt *st = db_prepare(req_ctx(r)->db, arena_printf(&r->arena, "SELECT COUNT(*), %s%s GROUP BY %s ORDER BY %s",
								     cols, where_sql(r, g), groupby, order));
	int rc = st ? DB_OK : DB_EGENERIC;

	if (st)
		bind_q(st, g);
	while (st && (rc = db_step(st)) == DB_ROW) {
		json_t *e = json_object();
		if (fmt[0] == 'i')
			json_object_set_new(e, k1, json_integer(db_col_int(st, 1)));
		else
			json_object_set_new(e, k1, json_string(db_col_text(st, 1) ? db_col_text(st, 1) : ""));
		if (k2)
			json_object_set_new(e, k2, json_string(db_col_text(st, 2) ? db_col_text(st, 2) : ""));
		json_object_set_new(e, "count", json_integer(db_col_int(st, 0)));
		json_array_append_new(out, e);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* GET /honours/register/counts?year=&org=&category=: counts by year, category and org. */
void honours_http_counts(struct req *r)
{
	struct regq g;
	json_t *by_year = json_array(), *by_cat = json_array(), *by_org = json_array();
	int64_t total = 0;
	int rc;

	if (!read_q(r, &g)) {
		json_decref(by_year);
		json_decref(by_cat);
		json_decref(by_org);
		return;
	}
	rc = group(r, &g, "r.year", "r.year", "r.year DESC", "i", "year", NULL, by_year);
	if (rc == DB_OK)
		rc = group(r, &g, "r.category, COALESCE(d.label_zh, r.category), MIN(d.sort)",
			   "r.category, COALESCE(d.label_zh, r.category)", "MIN(d.sort), r.category", "s",
			   "category", "label", by_cat);
	if (rc == DB_OK)
		rc = group(r, &g, "n.org_id, o.name, MIN(o.path)", "n.org_id, o.name", "MIN(o.path)", "i", "org_id",
			   "org_name", by_org);
	if (rc != DB_OK) {
		json_decref(by_year);
		json_decref(by_cat);
		json_decref(by_org);
		app_db_fail(r, rc, 0);
		return;
	}
	for (size_t i = 0; i < json_array_size(by_year); i++)
		total += json_integer_value(json_object_get(json_array_get(by_year, i), "count"));
	resp_json(r, 200, json_pack("{s:I, s:o, s:o, s:o}", "total", (json_int_t)total, "by_year", by_year,
				    "by_category", by_cat, "by_org", by_org));
}

/* ---------------------------------------------------------------- export */

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static const char *const cols[] = { "年度", "荣誉类别", "对象类型", "获得者", "所在单位", "推荐组织", "授予日期", "主要事迹" };
static const double widths[] = { 8, 16, 10, 20, 24, 24, 12, 60 };
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* The temporary folder under the files folder, created when missing; 0 or -1. */
static int tmp_dir(struct req *r, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/tmp", r->app->cfg.files_dir);
	if (mkdir(r->app->cfg.files_dir, 0700) != 0 && errno != EEXIST)
		return -1;
	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Read the whole file into the arena (it is removed); NULL when it cannot. */
static char *slurp(struct req *r, const char *path, size_t *len)
{
	struct stat sb;
	char *data = NULL;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size > 0 && sb.st_size < (64 << 20))
		data = arena_alloc(&r->arena, (size_t)sb.st_size);
	while (data && off < (size_t)sb.st_size) {
		ssize_t n = read(fd, data + off, (size_t)sb.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	if (!data || off != (size_t)sb.st_size)
		return NULL;
	*len = off;
	return data;
}

static int put(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *f)
{
	if (!s || !*s)
		return 0;
	return worksheet_write_string(ws, row, col, s, f) == LXW_NO_ERROR ? 0 : -1;
}

/* GET /honours/register.xlsx: the register under the same filters, as a sheet; audited with its row count. */
void honours_http_register_xlsx(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct regq g;
	char dir[1024], out[1300];
	lxw_workbook_options opt;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head;
	struct db_stmt *st;
	lxw_row_t row = 1;
	size_t len = 0;
	char *data;
	json_t *audit;
	int rc, bad = 0;

	if (!read_q(r, &g))
		return;
	if (tmp_dir(r, dir, sizeof(dir)) != 0) {
		resp_error(r, ZB_EUNAVAILABLE, "无法生成表格文件，请稍后重试");
		return;
	}
	snprintf(out, sizeof(out), "%s/honours-%s-%d.tmp", dir, r->id, (int)getpid());
	memset(&opt, 0, sizeof(opt));
	opt.tmpdir = dir;
	wb = workbook_new_opt(out, &opt);
	ws = wb ? workbook_add_worksheet(wb, "荣誉名册") : NULL;
	if (!ws) {
		if (wb)
			workbook_close(wb);
		unlink(out);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	head = workbook_add_format(wb);
	format_set_bold(head);
	for (size_t k = 0; k < NCOLS; k++) {
		worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, widths[k], NULL);
		bad |= put(ws, 0, (lxw_col_t)k, cols[k], head);
	}
	worksheet_freeze_panes(ws, 1, 0);
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT r.year, COALESCE(d.label_zh, r.category), n.nominee_kind,"
					    " n.nominee_name, n.nominee_unit, o.name, n.awarded_on, n.reason%s"
					    " ORDER BY r.year DESC, d.sort, o.sort_key, o.path, n.id", where_sql(r, &g)));
	rc = st ? DB_OK : DB_EGENERIC;
	if (st)
		bind_q(st, &g);
	while (st && !bad && (rc = db_step(st)) == DB_ROW) {
		bad |= worksheet_write_number(ws, row, 0, (double)db_col_int(st, 0), NULL) != LXW_NO_ERROR;
		bad |= put(ws, row, 1, db_col_text(st, 1), NULL);
		bad |= put(ws, row, 2, honour_kind_label(db_col_text(st, 2)), NULL);
		for (int k = 3; k < 8; k++)
			bad |= put(ws, row, (lxw_col_t)k, db_col_text(st, k), NULL);
		row++;
	}
	db_finalize(st);
	if (workbook_close(wb) != LXW_NO_ERROR)
		bad = 1;
	if (rc != DB_DONE || bad) {
		unlink(out);
		if (rc < 0)
			app_db_fail(r, rc, 0);
		else
			resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	if (!app_begin_write(r)) {
		unlink(out);
		return;
	}
	audit = json_pack("{s:I, s:I}", "year", (json_int_t)g.year, "rows", (json_int_t)(row - 1));
	rc = app_audit(r, "honour_register", 0, "export", NULL, audit);
	json_decref(audit);
	if (rc != DB_OK || db_commit(c->db) != DB_OK) {
		db_rollback(c->db);
		unlink(out);
		resp_error(r, ZB_EINTERNAL, "无法记录导出日志，未导出");
		return;
	}
	data = slurp(r, out, &len);
	if (!data) {
		log_error("request %s: cannot read the generated %s", r->id, out);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	resp_attachment(r, "honours.xlsx", g.year ? arena_printf(&r->arena, "%lld年荣誉名册.xlsx", (long long)g.year) :
		       "荣誉名册.xlsx");
	resp_text(r, 200, XLSX_TYPE, data, len);
}
