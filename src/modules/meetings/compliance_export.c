/* compliance_export.c - GET /api/v1/compliance/export: the compliance table (orgs x requirements x months) and each branch's status as an xlsx. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "meetings.h"
#include "meetings_internal.h"
#include "../orgs/orgs.h"
#include "../rules/findings.h"
#include "../rules/rules.h"
#include "../../auth/crypt.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/buf.h"
#include "../../base/date.h"
#include "../../base/json.h"
#include "../../base/log.h"

#define XLSX_MIME "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define MAX_RANGE_DAYS (3 * 366)	/* as the table: at most three years, 36 month columns */
#define FIRST_MONTH_COL 4		/* 组织, 组织类型, 要求, 频次, then the months */
#define HEAD_ROW 4			/* title, range, legend, blank, then the header */

/* The cell formats of the workbook. */
struct looks {
	lxw_format *title, *head, *ok, *late, *missing, *pending, *wrap;
	lxw_format *green, *yellow, *red;
};

static void day_text(int64_t day, char out[16])
{
	date_format(date_from_days(day), out);
}

/* Months from the month of day `a` to the month of day `b` (b's month index relative to a's). */
static long month_index(int64_t a, int64_t b)
{
	struct ymd x = date_from_days(a), y = date_from_days(b);

	return (long)(y.y - x.y) * 12 + (long)(y.m - x.m);
}

static const char *kind_label(const char *kind)
{
	if (strcmp(kind, "branch") == 0)
		return "党支部";
	if (strcmp(kind, "general_branch") == 0)
		return "党总支";
	if (strcmp(kind, "party_group") == 0)
		return "党小组";
	return kind;
}

static const char *const freq_labels[] = { "每月", "每季度", "每年" };

/* The text a cell shows for a finding, and its look. */
static const char *finding_mark(enum rule_finding f, const struct looks *l, lxw_format **fmt)
{
	switch (f) {
	case RF_NONE:
		*fmt = l->ok;
		return "OK";
	case RF_LATE:
		*fmt = l->late;
		return "逾期";
	case RF_INCOMPLETE:
		*fmt = l->late;
		return "不足";
	case RF_MISSING:
		*fmt = l->missing;
		return "缺";
	case RF_PENDING:
	default:
		*fmt = l->pending;
		return "—";
	}
}

static lxw_format *fill(lxw_workbook *wb, uint32_t colour, int centre)
{
	lxw_format *f = workbook_add_format(wb);

	format_set_bg_color(f, colour);
	format_set_pattern(f, LXW_PATTERN_SOLID);
	format_set_border(f, LXW_BORDER_THIN);
	if (centre)
		format_set_align(f, LXW_ALIGN_CENTER);
	return f;
}

static void looks_init(lxw_workbook *wb, struct looks *l)
{
	l->title = workbook_add_format(wb);
	format_set_bold(l->title);
	format_set_font_size(l->title, 14);
	l->head = fill(wb, 0xD9E1F2, 0);
	format_set_bold(l->head);
	l->ok = fill(wb, 0xC6EFCE, 1);
	l->late = fill(wb, 0xFFEB9C, 1);
	l->missing = fill(wb, 0xFFC7CE, 1);
	l->pending = workbook_add_format(wb);
	format_set_align(l->pending, LXW_ALIGN_CENTER);
	format_set_border(l->pending, LXW_BORDER_THIN);
	format_set_font_color(l->pending, 0x808080);
	l->wrap = workbook_add_format(wb);
	format_set_text_wrap(l->wrap);
	format_set_align(l->wrap, LXW_ALIGN_VERTICAL_TOP);
	l->green = fill(wb, 0xC6EFCE, 1);
	l->yellow = fill(wb, 0xFFEB9C, 1);
	l->red = fill(wb, 0xFFC7CE, 1);
}

/*
 * The first sheet: a title, the range and the day judged, a legend, then one
 * row per org x requirement that applies to it with one column per month of
 * [from, to]; a quarterly or yearly period fills the month it ends in (the
 * last month of the range when it ends after it). Returns the rows written
 * (>= 0) or -1.
 */
static long sheet_table(lxw_workbook *wb, const struct looks *l, const struct compliance_eval *e,
			const char *scope_label)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "合规表");
	long nmonths = month_index(e->from, e->to) + 1, rows = 0;
	char a[16], b[16], c[16], text[256];
	size_t i = 0;

	if (!ws)
		return -1;
	day_text(e->from, a);
	day_text(e->to, b);
	day_text(e->as_of, c);
	snprintf(text, sizeof(text), "组织生活合规表：%s", scope_label);
	worksheet_write_string(ws, 0, 0, text, l->title);
	snprintf(text, sizeof(text), "范围：%s 至 %s；判定日期：%s", a, b, c);
	worksheet_write_string(ws, 1, 0, text, NULL);
	worksheet_write_string(ws, 2, 0, "OK：按时完成；逾期：宽限期内补开；不足：次数不足；缺：未开；—：期限未到", NULL);
	worksheet_write_string(ws, HEAD_ROW, 0, "组织", l->head);
	worksheet_write_string(ws, HEAD_ROW, 1, "组织类型", l->head);
	worksheet_write_string(ws, HEAD_ROW, 2, "要求", l->head);
	worksheet_write_string(ws, HEAD_ROW, 3, "频次", l->head);
	worksheet_set_column(ws, 0, 0, 22, NULL);
	worksheet_set_column(ws, 1, 1, 9, NULL);
	worksheet_set_column(ws, 2, 2, 14, NULL);
	worksheet_set_column(ws, 3, 3, 7, NULL);
	for (long m = 0; m < nmonths; m++) {
		struct ymd d = date_from_days(e->from);
		long k = (long)d.m - 1 + m;
		snprintf(text, sizeof(text), "%ld年%ld月", (long)d.y + k / 12, k % 12 + 1);
		worksheet_write_string(ws, HEAD_ROW, (lxw_col_t)(FIRST_MONTH_COL + m), text, l->head);
	}
	worksheet_set_column(ws, FIRST_MONTH_COL, (lxw_col_t)(FIRST_MONTH_COL + nmonths - 1), 10, NULL);
	worksheet_freeze_panes(ws, HEAD_ROW + 1, FIRST_MONTH_COL);

	/* the cells come by org, then requirement, then period */
	while (i < e->res.ncells) {
		const struct rule_cell *first = &e->res.cells[i];
		const struct rule_req *q = &e->reqs[first->req];
		const char *what = json_string_value(json_object_get(e->labels, q->what));
		lxw_row_t row = (lxw_row_t)(HEAD_ROW + 1 + rows);

		worksheet_write_string(ws, row, 0, e->orgs[first->org].name, NULL);
		worksheet_write_string(ws, row, 1, kind_label(e->orgs[first->org].kind), NULL);
		worksheet_write_string(ws, row, 2, what ? what : q->what, NULL);
		worksheet_write_string(ws, row, 3, freq_labels[q->freq], NULL);
		for (; i < e->res.ncells && e->res.cells[i].org == first->org &&
		       e->res.cells[i].req == first->req; i++) {
			const struct rule_cell *cell = &e->res.cells[i];
			long col = month_index(e->from, cell->end);
			lxw_format *fmt;
			const char *mark = finding_mark(cell->finding, l, &fmt);
			if (col >= nmonths)
				col = nmonths - 1;
			if (col < 0)
				col = 0;
			worksheet_write_string(ws, row, (lxw_col_t)(FIRST_MONTH_COL + col), mark, fmt);
		}
		rows++;
	}
	if (rows == 0)
		worksheet_write_string(ws, HEAD_ROW + 1, 0, "范围内没有需要检查的组织", NULL);
	return rows;
}

/*
 * The second sheet: each branch (and general branch) with its status and
 * reasons as GET /compliance/status gives them on `day` (the findings of
 * every module, its party groups' counted as its own), one reason a line.
 * 0 or -1.
 */
static int sheet_status(struct req *r, lxw_workbook *wb, const struct looks *l,
			const struct scope *s, const char *like, int64_t day)
{
	struct ctx *c = req_ctx(r);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "支部状态");
	struct findings_query q = { .db = c->db, .a = &r->arena, .s = s, .path_like = like,
				     .as_of = day, .user_id = c->user_id };
	json_t *st, *items;
	lxw_row_t row = 1;
	char ds[16];
	int rc = DB_OK;

	if (!ws)
		return -1;
	st = findings_branch_status(c, &q, NULL, &rc);
	if (!st)
		return -1;
	day_text(day, ds);
	worksheet_write_string(ws, 0, 0, "组织", l->head);
	worksheet_write_string(ws, 0, 1, "组织类型", l->head);
	worksheet_write_string(ws, 0, 2, "状态", l->head);
	worksheet_write_string(ws, 0, 3, "问题数", l->head);
	worksheet_write_string(ws, 0, 4, "原因", l->head);
	worksheet_write_string(ws, 0, 5, "判定日期", l->head);
	worksheet_set_column(ws, 0, 0, 22, NULL);
	worksheet_set_column(ws, 1, 3, 9, NULL);
	worksheet_set_column(ws, 4, 4, 80, NULL);
	worksheet_set_column(ws, 5, 5, 12, NULL);
	worksheet_freeze_panes(ws, 1, 1);
	items = json_object_get(st, "items");
	for (size_t i = 0; i < json_array_size(items); i++, row++) {
		const json_t *it = json_array_get(items, i);
		const json_t *reasons = json_object_get(it, "reasons");
		const char *status = json_str(it, "status", "green");
		const char *name = json_str(it, "name", "");
		struct buf text;
		buf_init(&text, 0);
		for (size_t k = 0; k < json_array_size(reasons); k++) {
			const json_t *x = json_array_get(reasons, k);
			if (k)
				buf_putc(&text, '\n');
			buf_puts(&text, json_str(x, "text", json_str(x, "label", "")));
		}
		worksheet_write_string(ws, row, 0, name, NULL);
		worksheet_write_string(ws, row, 1, kind_label(json_str(it, "kind", "")), NULL);
		worksheet_write_string(ws, row, 2,
				       status[0] == 'g' ? "绿" : status[0] == 'y' ? "黄" : "红",
				       status[0] == 'g' ? l->green : status[0] == 'y' ? l->yellow : l->red);
		worksheet_write_number(ws, row, 3, (double)json_array_size(reasons), NULL);
		worksheet_write_string(ws, row, 4, text.len ? text.data : "无", l->wrap);
		worksheet_write_string(ws, row, 5, ds, NULL);
		buf_release(&text);
	}
	json_decref(st);
	return 0;
}

/* mkdir that accepts an existing directory. */
static int dir_ok(const char *path)
{
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* Read a whole file into a malloc'd buffer; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *data = NULL;
	size_t off = 0;
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
	if (data && off != (size_t)st.st_size) {
		free(data);
		data = NULL;
	}
	*len = off;
	return data;
}

/* "attachment; filename=...; filename*=UTF-8''..." (RFC 6266 / 5987) into out. */
static void disposition(char *out, size_t outsz, const char *ascii_name, const char *utf8_name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = (size_t)snprintf(out, outsz, "attachment; filename=\"%s\"; filename*=UTF-8''",
				    ascii_name);

	for (const unsigned char *u = (const unsigned char *)utf8_name; *u && o + 4 < outsz; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9') ||
		    *u == '.' || *u == '-' || *u == '_') {
			out[o++] = (char)*u;
		} else {
			out[o++] = '%';
			out[o++] = hex[*u >> 4];
			out[o++] = hex[*u & 15];
		}
	}
	out[o < outsz ? o : outsz - 1] = '\0';
}

/*
 * Write the workbook of evaluation e to `file`, the branch status judged on
 * status_day. The rows of the table sheet into *rows. 0 or -1 (the file may be left behind: the caller removes it).
 */
static int write_book(struct req *r, const char *file, const char *tmpdir,
		      const struct compliance_eval *e, const struct scope *s, const char *like,
		      const char *scope_label, int64_t status_day, long *rows)
{
	lxw_workbook_options opt;
	lxw_workbook *wb;
	struct looks l;
	int bad;

	memset(&opt, 0, sizeof(opt));
	opt.tmpdir = (char *)tmpdir;
	wb = workbook_new_opt(file, &opt);
	if (!wb)
		return -1;
	looks_init(wb, &l);
	*rows = sheet_table(wb, &l, e, scope_label);
	bad = *rows < 0 || sheet_status(r, wb, &l, s, like, status_day) != 0;
	if (workbook_close(wb) != LXW_NO_ERROR)
		bad = 1;
	return bad ? -1 : 0;
}

/*
 * GET /compliance/export?org=&from=&to=: the compliance table of the orgs in
 * the caller's meeting.read scope (under `org` when given) over [from, to]
 * (default: this year), judged today, as 合规表-YYYY.xlsx: sheet 合规表 with
 * one row per org x requirement and one column per month, and sheet 支部状态
 * with each branch's status and reasons as of min(to, today). Audited
 * (entity "export") with its row count.
 */
void compliance_http_export(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct ymd t = date_today_cn();
	int64_t today = date_to_days(t), from, to;
	struct compliance_eval e;
	struct zb_fail f;
	struct scope s;
	const char *path, *like = NULL, *scope_label = "全部可见组织";
	char dir[1024], file[1200], tok[33], disp[512], a[16], b[16], ascii[64], utf8[64], count[24];
	struct ymd fy, ty;
	size_t len = 0;
	long rows = 0;
	json_t *after;
	char *data;
	int rc;

	zb_fail_init(&f);
	scope_for(c, "meeting.read", &s);
	path = meetings_org_param(r, &s, &f);
	from = req_query_day(r, "from", "起始日期", date_to_days((struct ymd){ t.y, 1, 1 }), &f);
	to = req_query_day(r, "to", "截止日期", date_to_days((struct ymd){ t.y, 12, 31 }), &f);
	if (!f.err && from > to)
		zb_fail_field(&f, "to", "截止日期不能早于起始日期");
	else if (!f.err && to - from > MAX_RANGE_DAYS)
		zb_fail_field(&f, "to", "查询范围不能超过3年");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (path) {
		struct org o;
		like = arena_printf(&r->arena, "%s%%", path);
		const char *v = req_query(r, "org");
		long long id = strtoll(v, NULL, 10);
		if (org_load(c->db, id, &o) == 1)
			scope_label = arena_strdup(&r->arena, o.name);
	}

	snprintf(dir, sizeof(dir), "%s/tmp", r->app->cfg.files_dir);
	if (dir_ok(r->app->cfg.files_dir) != 0 || dir_ok(dir) != 0) {
		log_error("request %s: cannot create %s: %s", r->id, dir, strerror(errno));
		resp_error(r, ZB_EUNAVAILABLE, "无法生成表格文件：存储空间不可用，请联系系统管理员");
		return;
	}
	rc = compliance_evaluate(c->db, &r->arena, &s, like, from, to, today, &e);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return;
	}
	random_token(tok, 16);
	snprintf(file, sizeof(file), "%s/cmp-%s.xlsx", dir, tok);
	/* the status sheet is judged on the range's last day, or today when the range is not over */
	rc = write_book(r, file, dir, &e, &s, like, scope_label, to < today ? to : today, &rows);
	compliance_eval_free(&e);
	data = rc == 0 ? slurp(file, &len) : NULL;
	unlink(file);
	if (!data) {
		log_error("request %s: cannot write the compliance workbook %s", r->id, file);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}

	day_text(from, a);
	day_text(to, b);
	if (!app_begin_write(r)) {
		free(data);
		return;
	}
	after = json_pack("{s:s, s:I, s:s, s:s, s:o}", "kind", "compliance", "rows", (json_int_t)rows,
			  "from", a, "to", b, "org", path ? json_string(req_query(r, "org")) : json_null());
	rc = app_audit(r, "export", 0, "export", NULL, after);
	json_decref(after);
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		free(data);
		app_db_fail(r, rc, 1);
		return;
	}
	fy = date_from_days(from);
	ty = date_from_days(to);
	if (fy.y == ty.y) {
		snprintf(ascii, sizeof(ascii), "compliance-%d.xlsx", (int)fy.y);
		snprintf(utf8, sizeof(utf8), "合规表-%d.xlsx", (int)fy.y);
	} else {
		snprintf(ascii, sizeof(ascii), "compliance-%d-%d.xlsx", (int)fy.y, (int)ty.y);
		snprintf(utf8, sizeof(utf8), "合规表-%d-%d.xlsx", (int)fy.y, (int)ty.y);
	}
	disposition(disp, sizeof(disp), ascii, utf8);
	snprintf(count, sizeof(count), "%ld", rows);
	resp_text(r, 200, XLSX_MIME, data, len);
	free(data);
	resp_header(r, "Content-Disposition", disp);
	resp_header(r, "X-Export-Rows", count);
}
