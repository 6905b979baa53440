/* tasks_xlsx.c - a task list to .xlsx and back: export in the import's columns, import that updates items by code, all or nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "tasks.h"
#include "tasks_internal.h"
#include "../orgs/orgs.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/cellvalue.h"
#include "../../base/date.h"
#include "../../base/json.h"
#include "../../base/log.h"
#include "../../base/sheet.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define MAX_IMPORT_ROWS 2000

enum { C_CODE, C_TITLE, C_ORG, C_PERSON, C_START, C_DUE, C_WEIGHT, C_CRITERIA, NCOLS };

static const char *const col_names[NCOLS] = {
	"编号", "任务/事项", "责任单位", "责任人", "开始日期", "完成时限", "权重", "完成标准",
};
static const double col_widths[NCOLS] = { 10, 48, 24, 12, 12, 12, 8, 48 };

static const struct header_syn headers[] = {
	{ C_CODE, "编号|序号|任务编号" },
	{ C_TITLE, "任务/事项|任务|事项|任务事项|工作任务" },
	{ C_ORG, "责任单位|牵头单位|责任组织" },
	{ C_PERSON, "责任人" },
	{ C_START, "开始日期|开始时间" },
	{ C_DUE, "完成时限|截止日期|完成时间" },
	{ C_WEIGHT, "权重" },
	{ C_CRITERIA, "完成标准|验收标准" },
	{ -1, NULL },
};

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

/* A fresh file name in dir for this request. */
static void tmp_path(struct req *r, const char *dir, const char *what, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/tasks-%s-%s-%d.tmp", dir, what, r->id, (int)getpid());
}

/* Read path whole and answer it as an xlsx attachment named name; the file is removed. */
static void send_xlsx(struct req *r, const char *path, const char *utf8_name)
{
	static const char hex[] = "0123456789ABCDEF";
	char disp[512], *data = NULL;
	struct stat st;
	size_t off = 0, o;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0)
		data = malloc((size_t)st.st_size);
	while (data && off < (size_t)st.st_size) {
		ssize_t n = read(fd, data + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	if (!data || off != (size_t)st.st_size) {
		free(data);
		log_error("request %s: cannot read the generated %s", r->id, path);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	o = (size_t)snprintf(disp, sizeof(disp), "attachment; filename=\"tasks.xlsx\"; filename*=UTF-8''");
	for (const unsigned char *u = (const unsigned char *)utf8_name; *u && o + 4 < sizeof(disp); u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9') ||
		    *u == '.' || *u == '-' || *u == '_') {
			disp[o++] = (char)*u;
		} else {
			disp[o++] = '%';
			disp[o++] = hex[*u >> 4];
			disp[o++] = hex[*u & 15];
		}
	}
	disp[o] = '\0';
	resp_text(r, 200, XLSX_TYPE, data, off);
	free(data);
	resp_header(r, "Content-Disposition", disp);
}

/* The list :id in scope (404 answered otherwise): 1 with id, org path (arena), title and year. */
static int load_list(struct req *r, int64_t *id, const char **path, const char **title, int64_t *year)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct db_stmt *st = db_prepare(c->db, "SELECT l.id, o.path, l.title, l.year FROM task_lists l"
					" JOIN orgs o ON o.id = l.org_id WHERE l.id = ?");
	int found = 0;

	*id = req_param_id(r, "id");
	scope_for(c, "task.read", &s);
	if (st && db_bind_int(st, 1, *id) == DB_OK && db_step(st) == DB_ROW &&
	    scope_contains(&s, db_col_text(st, 1))) {
		found = 1;
		*path = arena_strdup(&r->arena, db_col_text(st, 1));
		*title = arena_strdup(&r->arena, db_col_text(st, 2));
		*year = db_col_int(st, 3);
	}
	db_finalize(st);
	if (!found)
		resp_error(r, ZB_ENOTFOUND, "任务清单不存在");
	return found;
}

/* Text for a cell, never run as a formula (string cells only). */
static int put(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *f)
{
	if (!s || !*s)
		return 0;
	return worksheet_write_string(ws, row, col, s, f) == LXW_NO_ERROR ? 0 : -1;
}

/* GET /tasks/lists/:id/export: the live items in tree order, in the import's columns. */
void tasks_http_export(struct req *r)
{
	struct ctx *c = req_ctx(r);
	const char *path, *title;
	int64_t id, year;
	char dir[1024], out[1300];
	lxw_workbook_options opt;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head;
	struct db_stmt *st;
	lxw_row_t row = 1;
	int rc, bad = 0;
	json_t *audit;

	if (!load_list(r, &id, &path, &title, &year))
		return;
	if (tmp_dir(r, dir, sizeof(dir)) != 0) {
		resp_error(r, ZB_EUNAVAILABLE, "无法生成表格文件，请稍后重试");
		return;
	}
	tmp_path(r, dir, "export", out, sizeof(out));
	memset(&opt, 0, sizeof(opt));
	opt.tmpdir = dir;
	wb = workbook_new_opt(out, &opt);
	ws = wb ? workbook_add_worksheet(wb, "任务清单") : NULL;
	if (!ws) {
		if (wb)
			workbook_close(wb);
		unlink(out);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	head = workbook_add_format(wb);
	format_set_bold(head);
	for (int k = 0; k < NCOLS; k++) {
		worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, col_widths[k], NULL);
		bad |= put(ws, 0, (lxw_col_t)k, col_names[k], head);
	}
	worksheet_freeze_panes(ws, 1, 0);
	/* codes sort as numbers segment by segment: order by sort within the tree via the code itself */
	st = db_prepare(c->db, "SELECT i.code, i.title, oo.name, p.name, i.start_on, i.due_on, i.weight, i.criteria"
			" FROM task_items i LEFT JOIN orgs oo ON oo.id = i.owner_org_id"
			" LEFT JOIN people p ON p.id = i.person_id"
			" WHERE i.list_id = ? AND i.archived_at IS NULL ORDER BY i.id");
	rc = st ? db_bind_int(st, 1, id) : DB_EGENERIC;
	while (rc >= 0 && (rc = db_step(st)) == DB_ROW && !bad) {
		for (int k = 0; k < NCOLS; k++) {
			if (k == C_WEIGHT && !db_col_isnull(st, k))
				bad |= worksheet_write_number(ws, row, (lxw_col_t)k, (double)db_col_int(st, k), NULL) !=
				       LXW_NO_ERROR;
			else if (k != C_WEIGHT)
				bad |= put(ws, row, (lxw_col_t)k, db_col_text(st, k), NULL);
		}
		row++;
	}
	db_finalize(st);
	if (workbook_close(wb) != LXW_NO_ERROR)
		bad = 1;
	if (rc != DB_DONE || bad) {
		unlink(out);
		if (rc != DB_DONE && rc < 0)
			app_db_fail(r, rc, 0);
		else
			resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	/* exports are audited with their row count */
	if (app_begin_write(r)) {
		audit = json_pack("{s:I, s:I}", "list_id", (json_int_t)id, "rows", (json_int_t)(row - 1));
		rc = app_audit(r, "task_list", id, "export", NULL, audit);
		json_decref(audit);
		if (rc != DB_OK || db_commit(c->db) != DB_OK) {
			db_rollback(c->db);
			unlink(out);
			resp_error(r, ZB_EINTERNAL, "无法记录导出日志，未导出");
			return;
		}
	} else {
		unlink(out);
		return;
	}
	send_xlsx(r, out, arena_printf(&r->arena, "%s.xlsx", title));
}

/* ---------------------------------------------------------------- import */

struct irow {
	size_t num;
	char *cell[NCOLS];
	struct task_in in;
	int64_t existing;	/* id of the item with this code, 0 = new */
	int changed;
	int depth;
	json_t *errors;		/* object field -> message, or NULL */
};

static void row_err(struct irow *ir, const char *field, const char *msg)
{
	if (!ir->errors)
		ir->errors = json_object();
	if (!json_object_get(ir->errors, field))
		json_object_set_new(ir->errors, field, json_string(msg));
}

/* The org below (or equal to) path named name (full or short name); 0 none, -1 several. */
static int64_t find_org(struct db *db, const char *path, const char *name)
{
	struct db_stmt *st = db_prepare(db, "SELECT id FROM orgs WHERE path LIKE ? AND (name = ? OR short_name = ?)"
					" AND status = 'active'");
	char like[300];
	int64_t id = 0;
	int n = 0;

	snprintf(like, sizeof(like), "%s%%", path);
	if (st && db_bindf(st, "sss", like, name, name) == DB_OK)
		while (db_step(st) == DB_ROW) {
			id = db_col_int(st, 0);
			n++;
		}
	db_finalize(st);
	return n > 1 ? -1 : id;
}

/* The active person below path named name, preferring one in org_id; 0 none, -1 several. */
static int64_t find_person(struct db *db, const char *path, int64_t org_id, const char *name)
{
	struct db_stmt *st = db_prepare(db, "SELECT p.id, p.org_id FROM people p JOIN orgs o ON o.id = p.org_id"
					" WHERE o.path LIKE ? AND p.name = ? AND p.status = 'active'");
	char like[300];
	int64_t id = 0, in_org = 0;
	int n = 0, n_org = 0;

	snprintf(like, sizeof(like), "%s%%", path);
	if (st && db_bindf(st, "ss", like, name) == DB_OK)
		while (db_step(st) == DB_ROW) {
			id = db_col_int(st, 0);
			n++;
			if (org_id && db_col_int(st, 1) == org_id) {
				in_org = id;
				n_org++;
			}
		}
	db_finalize(st);
	if (n_org == 1)
		return in_org;
	return n > 1 ? -1 : id;
}

/* Update an existing item from an import row. DB_OK or DB_E*. */
static int update_row(struct db *db, const struct irow *ir, const char *now)
{
	struct db_stmt *st = db_prepare(db, "UPDATE task_items SET title = ?, owner_org_id = ?, person_id = ?,"
					" start_on = ?, due_on = ?, weight = ?, criteria = ?, version = version + 1,"
					" updated_at = ? WHERE id = ?");
	int rc = st ? DB_OK : DB_EGENERIC;

	if (st) {
		db_bind_text(st, 1, ir->in.title);
		ir->in.owner_org_id ? db_bind_int(st, 2, ir->in.owner_org_id) : db_bind_null(st, 2);
		ir->in.person_id ? db_bind_int(st, 3, ir->in.person_id) : db_bind_null(st, 3);
		db_bind_text(st, 4, ir->in.start_on);
		db_bind_text(st, 5, ir->in.due_on);
		ir->in.has_weight ? db_bind_int(st, 6, ir->in.weight) : db_bind_null(st, 6);
		db_bind_text(st, 7, ir->in.criteria ? ir->in.criteria : "");
		db_bind_text(st, 8, now);
		db_bind_int(st, 9, ir->existing);
		rc = db_step(st);
		rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
	}
	db_finalize(st);
	return rc;
}

static int same(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

/* Read one data row's cells into ir, checking what needs no database. */
static void take_cells(struct arena *a, const struct sheet_row *sr, const int *map, struct irow *ir)
{
	ir->num = sr->num;
	for (size_t k = 0; k < sr->ncells; k++) {
		char *buf;
		int f = map[k];
		if (f < 0)
			continue;
		buf = arena_alloc(a, sr->cells[k].len + 1);
		cell_normalize(sr->cells[k].text, CELL_NORM_TRIM, buf, sr->cells[k].len + 1);
		if (f == C_START || f == C_DUE) {
			struct ymd d;
			const char *why = *buf ? cell_parse_date(buf, (sr->cells[k].flags & SHEET_CELL_DATE) != 0,
								 &d, NULL) : NULL;
			if (why) {
				row_err(ir, f == C_START ? "start_on" : "due_on",
					arena_printf(a, "%s：%s", col_names[f], why));
			} else if (*buf) {
				buf = arena_alloc(a, 11);
				date_format(d, buf);
			}
		}
		ir->cell[f] = *buf ? buf : NULL;
	}
}

/*
 * POST /tasks/lists/:id/import?dry_run=1: rows by 编号 - an existing code
 * updates that item, a new one adds it under the item whose code is its
 * prefix. Every row is checked first; any error refuses the whole file
 * (400 with error.rows), so nothing is half imported.
 */
void tasks_http_import(struct req *r)
{
	struct ctx *c = req_ctx(r);
	const char *path, *title;
	int64_t list_id, year;
	char dir[1024], file[1300];
	struct sheet_error e;
	struct sheet_row sr;
	struct sheet *sh;
	struct irow *rows = NULL;
	size_t n = 0, nerr = 0;
	int map[256], got, fd, rc = DB_OK;
	int dry = req_query(r, "dry_run") && strcmp(req_query(r, "dry_run"), "1") == 0;
	int64_t created = 0, updated = 0, unchanged = 0;
	struct audit_who who;
	json_t *errs;

	if (!load_list(r, &list_id, &path, &title, &year))
		return;
	if (!perm_has(c, "task.write", path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该组织的任务清单");
		return;
	}
	if (r->body_len == 0) {
		resp_error(r, ZB_EVALIDATION, "请上传 .xlsx 或 .csv 文件");
		return;
	}
	if (tmp_dir(r, dir, sizeof(dir)) != 0) {
		resp_error(r, ZB_EUNAVAILABLE, "无法处理上传的文件，请稍后重试");
		return;
	}
	tmp_path(r, dir, "import", file, sizeof(file));
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, r->body, r->body_len) != (ssize_t)r->body_len) {
		if (fd >= 0)
			close(fd);
		unlink(file);
		resp_error(r, ZB_EUNAVAILABLE, "无法处理上传的文件，请稍后重试");
		return;
	}
	close(fd);
	sh = sheet_open(file, NULL, &e);
	if (!sh) {
		unlink(file);
		resp_error(r, e.code == SHEET_ELIMIT ? ZB_ETOOLARGE : ZB_EVALIDATION, e.msg);
		return;
	}
	for (int k = 0; k < 256; k++)
		map[k] = -1;
	got = sheet_next(sh, &sr, &e);
	if (got == 1) {
		int seen[NCOLS] = { 0 };
		for (size_t k = 0; k < sr.ncells && k < 256; k++) {
			int f = header_match(headers, sr.cells[k].text);
			if (f >= 0 && !seen[f]) {
				map[k] = f;
				seen[f] = 1;
			}
		}
		if (!seen[C_CODE] || !seen[C_TITLE]) {
			sheet_close(sh);
			unlink(file);
			resp_error(r, ZB_EVALIDATION, "第一行应为表头，至少包含“编号”和“任务/事项”两列");
			return;
		}
		rows = calloc(MAX_IMPORT_ROWS, sizeof(*rows));
		while (rows && (got = sheet_next(sh, &sr, &e)) == 1 && n < MAX_IMPORT_ROWS)
			take_cells(&r->arena, &sr, map, &rows[n++]);
	}
	sheet_close(sh);
	unlink(file);
	if (!rows || got < 0 || n == 0 || n >= MAX_IMPORT_ROWS) {
		free(rows);
		resp_error(r, got < 0 ? (e.code == SHEET_ELIMIT ? ZB_ETOOLARGE : ZB_EVALIDATION) : ZB_EVALIDATION,
			   got < 0 ? e.msg : n == 0 ? "文件中没有数据行" : "一次最多导入2000行");
		return;
	}

	/* check every row; new rows need their parent (by code prefix) in the list or the file */
	for (size_t i = 0; i < n; i++) {
		struct irow *ir = &rows[i];
		const char *code = ir->cell[C_CODE];
		struct db_stmt *st;

		memset(&ir->in, 0, sizeof(ir->in));
		ir->in.list_id = list_id;
		if (!code) {
			row_err(ir, "code", "编号不能为空");
			continue;
		}
		for (const char *p = code; *p; p++)
			ir->depth += *p == '.';
		for (size_t j = 0; j < i; j++)
			if (rows[j].cell[C_CODE] && strcmp(rows[j].cell[C_CODE], code) == 0)
				row_err(ir, "code", arena_printf(&r->arena, "编号 %s 与第%zu行重复", code, rows[j].num));
		ir->in.code = code;
		ir->in.title = ir->cell[C_TITLE];
		ir->in.start_on = ir->cell[C_START];
		ir->in.due_on = ir->cell[C_DUE];
		ir->in.criteria = ir->cell[C_CRITERIA];
		if (ir->cell[C_WEIGHT]) {
			char *end = NULL;
			double w = strtod(ir->cell[C_WEIGHT], &end);
			if (!end || *end || w != (double)(int64_t)w || w < 0 || w > 1000)
				row_err(ir, "weight", "权重应为0到1000之间的整数");
			ir->in.has_weight = 1;
			ir->in.weight = (int64_t)w;
		}
		if (ir->cell[C_ORG]) {
			ir->in.owner_org_id = find_org(c->db, path, ir->cell[C_ORG]);
			if (ir->in.owner_org_id <= 0)
				row_err(ir, "owner_org_id", ir->in.owner_org_id < 0 ?
					"责任单位有重名，请在系统中选择" : "责任单位不是本清单所属组织或其下级组织");
		}
		if (ir->cell[C_PERSON]) {
			ir->in.person_id = find_person(c->db, path, ir->in.owner_org_id > 0 ? ir->in.owner_org_id : 0,
						       ir->cell[C_PERSON]);
			if (ir->in.person_id <= 0)
				row_err(ir, "person_id", ir->in.person_id < 0 ?
					"责任人有重名，请导入后在系统中选择" : "责任人不在本组织的人员中");
		}
		if (ir->in.owner_org_id < 0)
			ir->in.owner_org_id = 0;
		if (ir->in.person_id < 0)
			ir->in.person_id = 0;
		/* the existing item with this code */
		st = db_prepare(c->db, "SELECT i.id, i.title, oo.name, p.name, i.start_on, i.due_on, i.weight, i.criteria,"
				" i.status, i.archived_at, i.parent_id, i.owner_org_id, i.person_id"
				" FROM task_items i LEFT JOIN orgs oo ON oo.id = i.owner_org_id"
				" LEFT JOIN people p ON p.id = i.person_id WHERE i.list_id = ? AND i.code = ?");
		rc = st ? db_bindf(st, "is", list_id, code) : DB_EGENERIC;
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			char wbuf[32] = "";
			ir->existing = db_col_int(st, 0);
			ir->in.parent_id = db_col_int(st, 10);
			if (!db_col_isnull(st, 6))
				snprintf(wbuf, sizeof(wbuf), "%lld", (long long)db_col_int(st, 6));
			ir->changed = !same(ir->in.title, db_col_text(st, 1)) ||
				      !same(ir->cell[C_ORG], db_col_text(st, 2)) ||
				      !same(ir->cell[C_PERSON], db_col_text(st, 3)) ||
				      !same(ir->in.start_on, db_col_text(st, 4)) ||
				      !same(ir->in.due_on, db_col_text(st, 5)) ||
				      (ir->in.has_weight ? db_col_isnull(st, 6) || db_col_int(st, 6) != ir->in.weight :
							   !db_col_isnull(st, 6)) ||
				      !same(ir->in.criteria, db_col_text(st, 7));
			/* the same names as stored keep the exact org and person (no ambiguity) */
			if (ir->cell[C_ORG] && same(ir->cell[C_ORG], db_col_text(st, 2))) {
				ir->in.owner_org_id = db_col_int(st, 11);
				if (ir->errors)
					json_object_del(ir->errors, "owner_org_id");
			}
			if (ir->cell[C_PERSON] && same(ir->cell[C_PERSON], db_col_text(st, 3))) {
				ir->in.person_id = db_col_int(st, 12);
				if (ir->errors)
					json_object_del(ir->errors, "person_id");
			}
			if (ir->changed && !db_col_isnull(st, 9))
				row_err(ir, "code", "该编号的事项已归档，不能修改");
			else if (ir->changed && strcmp(db_col_text(st, 8), "accepted") == 0)
				row_err(ir, "code", "该编号的事项已验收，不能修改");
			rc = DB_OK;
		} else if (rc == DB_DONE) {
			rc = DB_OK;
		}
		db_finalize(st);
		if (rc != DB_OK)
			break;
		if (!ir->existing && ir->depth > 0) {
			const char *dot = strrchr(code, '.');
			char *pc = arena_strndup(&r->arena, code, (size_t)(dot - code));
			int64_t pid = 0;
			int in_file = 0;
			db_query_int(c->db, &pid, "SELECT id FROM task_items WHERE list_id = ? AND code = ?", "is",
				     list_id, pc);
			for (size_t j = 0; j < n && !pid && !in_file; j++)
				in_file = rows[j].cell[C_CODE] && strcmp(rows[j].cell[C_CODE], pc) == 0;
			if (!pid && !in_file)
				row_err(ir, "code", arena_printf(&r->arena, "上级编号 %s 不存在", pc));
		}
		{	/* the item's own checks */
			struct zb_fail f;
			zb_fail_init(&f);
			if (task_check(c->db, &ir->in, ir->existing, &f) < 0 && f.fields) {
				const char *k;
				json_t *v;
				json_object_foreach(f.fields, k, v)
					if (strcmp(k, "parent_id") != 0)
						row_err(ir, k, json_string_value(v));
			}
			zb_fail_release(&f);
		}
	}
	if (rc != DB_OK) {
		free(rows);
		app_db_fail(r, rc, 0);
		return;
	}
	errs = json_array();
	for (size_t i = 0; i < n; i++)
		if (rows[i].errors) {
			json_array_append_new(errs, json_pack("{s:I, s:o}", "row", (json_int_t)rows[i].num,
							      "errors", rows[i].errors));
			rows[i].errors = NULL;
			nerr++;
		}
	if (nerr > 0) {
		struct zb_fail f;
		json_t *j;
		zb_fail_init(&f);
		zb_fail_set(&f, ZB_EVALIDATION, "有 %zu 行存在错误，未导入任何数据", nerr);
		j = zb_fail_json(&f);
		json_object_set_new(json_object_get(j, "error"), "rows", errs);
		zb_fail_release(&f);
		free(rows);
		resp_json(r, 400, j);
		return;
	}
	json_decref(errs);
	for (size_t i = 0; i < n; i++)
		created += !rows[i].existing, updated += rows[i].existing && rows[i].changed,
		unchanged += rows[i].existing && !rows[i].changed;
	if (dry) {
		free(rows);
		resp_json(r, 200, json_pack("{s:I, s:I, s:I, s:b}", "created", (json_int_t)created, "updated",
					    (json_int_t)updated, "unchanged", (json_int_t)unchanged, "dry_run", 1));
		return;
	}
	if (!app_begin_write(r)) {
		free(rows);
		return;
	}
	app_who(r, &who);
	/* parents before children: by depth, then file order */
	for (int depth = 0; rc == DB_OK && depth < 32; depth++) {
		for (size_t i = 0; rc == DB_OK && i < n; i++) {
			struct irow *ir = &rows[i];
			struct zb_fail f;

			if (ir->depth != depth || (ir->existing && !ir->changed))
				continue;
			zb_fail_init(&f);
			if (!ir->existing) {
				const char *dot = strrchr(ir->in.code, '.');
				int64_t id;
				if (dot) {
					char *pc = arena_strndup(&r->arena, ir->in.code, (size_t)(dot - ir->in.code));
					db_query_int(c->db, &ir->in.parent_id, "SELECT id FROM task_items WHERE list_id = ?"
						     " AND code = ?", "is", list_id, pc);
				}
				id = task_insert(c->db, &r->app->keys, &who, &ir->in, &f);
				rc = id > 0 ? DB_OK : id < 0 ? (int)id : DB_ECONSTRAINT;
			} else {
				json_t *before = task_item_json(c->db, ir->existing), *after;
				char now[32];
				ts_now(now);
				rc = update_row(c->db, ir, now);
				if (rc == DB_OK) {
					after = task_item_json(c->db, ir->existing);
					rc = task_log(c->db, &r->app->keys, &who, ir->existing, "import", before, after);
					json_decref(after);
				}
				json_decref(before);
				if (rc == DB_OK)
					rc = task_rollup_from(c->db, &r->app->keys, &who, ir->existing);
			}
			zb_fail_release(&f);
		}
	}
	free(rows);
	if (rc == DB_OK) {
		json_t *a = json_pack("{s:I, s:I, s:I}", "created", (json_int_t)created, "updated",
				      (json_int_t)updated, "unchanged", (json_int_t)unchanged);
		rc = audit_append(c->db, &r->app->keys, &who, "task_list", list_id, "import", NULL, a);
		json_decref(a);
	}
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 200, json_pack("{s:I, s:I, s:I}", "created", (json_int_t)created, "updated",
					    (json_int_t)updated, "unchanged", (json_int_t)unchanged));
}
