/* export.c - the xlsx writers: the people sheet (exports), the import template, and an upload written back with its errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "transfer_internal.h"
#include "../../base/date.h"

/* The people sheet's tab, in exports, the template and error sheets alike. */
#define SHEET_NAME "人员信息"
/* Rows of the template that offer the dictionaries' drop-down lists. */
#define TEMPLATE_ROWS 10000

/* The template's example row, in column order; its ID number is TEMPLATE_EXAMPLE_ID. */
static const char *const example_row[PC_COUNT] = {
	[PC_NAME] = "张三",
	[PC_GENDER] = "男",
	[PC_ETHNICITY] = "汉族",
	[PC_BIRTH] = "1990-01-01",
	[PC_ID] = TEMPLATE_EXAMPLE_ID,
	[PC_PHONE] = "13800000000",
	[PC_EDUCATION] = "大学本科",
	[PC_POLITICAL] = "中共党员",
	[PC_JOINED] = "2015-07-01",
	[PC_FULL] = "2016-07-01",
	[PC_ORG] = "第一党支部",
};

/* How each column is to be filled, for the template's 说明 sheet. */
static const char *const column_rules[PC_COUNT][2] = {
	[PC_NAME] = { "必填", "不超过30个字" },
	[PC_GENDER] = { "可空", "男 或 女；空着时按身份证号判断" },
	[PC_ETHNICITY] = { "新增必填", "填写民族名称，如 汉族、蒙古族（见右侧列表）" },
	[PC_BIRTH] = { "可空", "空着时按身份证号填写；可写 2022-03-05、2022/3/5、2022.3.5、"
			       "2022年3月5日、20220305，或 Excel 日期" },
	[PC_ID] = { "必填", "18位公民身份号码；导入按身份证号识别人员：已登记的更新，未登记的新增。"
			    "请把该列设为文本格式，否则 Excel 会丢掉末几位" },
	[PC_PHONE] = { "可空", "手机号或固定电话；空着表示没有电话" },
	[PC_EDUCATION] = { "可空", "见右侧列表；空着表示未填写" },
	[PC_POLITICAL] = { "新增必填", "见右侧列表" },
	[PC_JOINED] = { "可空", "中共党员、预备党员填写；日期写法同出生日期" },
	[PC_FULL] = { "可空", "中共党员填写，不早于入党时间" },
	[PC_ORG] = { "新增必填", "填写组织全称，如 第一党支部；重名时写成“上级组织/名称”。"
				"导入时选择了组织的，空着即为该组织" },
};

/* ---------------------------------------------------------------- shared */

/* A workbook whose temporary files go to tmpdir; constant_memory for long sheets. */
static lxw_workbook *book_new(const char *path, const char *tmpdir, int constant)
{
	lxw_workbook_options opt;

	memset(&opt, 0, sizeof(opt));
	opt.constant_memory = constant ? LXW_TRUE : LXW_FALSE;
	opt.tmpdir = (char *)tmpdir;
	return workbook_new_opt(path, &opt);
}

/* The header row's look. */
static lxw_format *head_format(lxw_workbook *wb)
{
	lxw_format *f = workbook_add_format(wb);

	format_set_bold(f);
	format_set_bg_color(f, 0xD9E1F2);
	format_set_border(f, LXW_BORDER_THIN);
	return f;
}

/* "yyyy-mm-dd" date cells, which the import reads back as dates. */
static lxw_format *date_format_new(lxw_workbook *wb)
{
	lxw_format *f = workbook_add_format(wb);

	format_set_num_format(f, "yyyy-mm-dd");
	return f;
}

/* Text cells ("@"), so an ID number typed over stays text instead of becoming 3.7E+17. */
static lxw_format *text_format(lxw_workbook *wb)
{
	lxw_format *f = workbook_add_format(wb);

	format_set_num_format(f, "@");
	return f;
}

/* Column widths and formats of the people columns. */
static void people_columns_setup(lxw_worksheet *ws, lxw_format *text, lxw_format *date)
{
	for (int c = 0; c < PC_COUNT; c++) {
		lxw_format *f = c == PC_ID || c == PC_PHONE ? text :
			c == PC_BIRTH || c == PC_JOINED || c == PC_FULL ? date : NULL;
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, people_columns[c].width, f);
	}
}

static int header_row(lxw_worksheet *ws, lxw_format *head)
{
	for (int c = 0; c < PC_COUNT; c++)
		if (worksheet_write_string(ws, 0, (lxw_col_t)c, people_columns[c].header, head) !=
		    LXW_NO_ERROR)
			return -1;
	worksheet_freeze_panes(ws, 1, 0);
	return 0;
}

/*
 * Text as a string cell: worksheet_write_string never makes a formula, so
 * "=cmd|' /C calc'!A0" is shown and re-read as those characters. Empty and
 * NULL write nothing.
 */
static int put_text(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *f)
{
	if (!s || !*s)
		return 0;
	return worksheet_write_string(ws, row, col, s, f) == LXW_NO_ERROR ? 0 : -1;
}

/* A YYYY-MM-DD date as a date cell (text before 1900-03-01, where serials are ambiguous). */
static int put_date(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
		    lxw_format *date)
{
	struct ymd d;
	long serial;

	if (!s || !*s)
		return 0;
	if (date_parse_iso(s, &d) != 0 || (serial = cell_date_to_serial(d)) < 0)
		return put_text(ws, row, col, s, NULL);
	return worksheet_write_number(ws, row, col, (double)serial, date) == LXW_NO_ERROR ? 0 : -1;
}

/* ---------------------------------------------------------------- the people sheet */

struct people_xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *date, *text;
	struct org_index orgs;
	int64_t rows;
	int too_many;
	int failed;
	char *path;
};

struct people_xlsx *people_xlsx_open(struct db *db, const char *path, const char *tmpdir)
{
	struct people_xlsx *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->path = strdup(path);
	if (!x->path || org_index_load(&x->orgs, db) != DB_OK)
		goto fail;
	x->wb = book_new(path, tmpdir, 1);
	if (!x->wb)
		goto fail;
	x->ws = workbook_add_worksheet(x->wb, SHEET_NAME);
	x->date = date_format_new(x->wb);
	x->text = text_format(x->wb);
	if (!x->ws)
		goto fail;
	people_columns_setup(x->ws, x->text, x->date);
	if (header_row(x->ws, head_format(x->wb)) != 0)
		goto fail;
	return x;
fail:
	people_xlsx_close(x, 0);
	return NULL;
}

int people_xlsx_row(void *arg, const struct person_sheet_row *p)
{
	struct people_xlsx *x = arg;
	const struct org_ent *o;
	lxw_worksheet *ws = x->ws;
	lxw_row_t r;
	int bad = 0;

	if (x->rows >= TRANSFER_MAX_EXPORT_ROWS) {
		x->too_many = 1;
		return 1;
	}
	r = (lxw_row_t)(x->rows + 1);
	o = org_index_get(&x->orgs, p->org_id);
	bad |= put_text(ws, r, PC_NAME, p->name, NULL);
	bad |= put_text(ws, r, PC_GENDER, p->gender, NULL);
	bad |= put_text(ws, r, PC_ETHNICITY, p->ethnicity, NULL);
	bad |= put_date(ws, r, PC_BIRTH, p->birth_date, x->date);
	bad |= put_text(ws, r, PC_ID, p->id_number, x->text);
	bad |= put_text(ws, r, PC_PHONE, p->phone, x->text);
	bad |= put_text(ws, r, PC_EDUCATION, p->education, NULL);
	bad |= put_text(ws, r, PC_POLITICAL, p->political_status, NULL);
	bad |= put_date(ws, r, PC_JOINED, p->joined_on, x->date);
	bad |= put_date(ws, r, PC_FULL, p->full_member_on, x->date);
	bad |= put_text(ws, r, PC_ORG, o ? org_index_label(&x->orgs, o) : p->org_name, NULL);
	if (bad) {
		x->failed = 1;
		return 1;
	}
	x->rows++;
	return 0;
}

int64_t people_xlsx_rows(const struct people_xlsx *x)
{
	return x->rows;
}

int people_xlsx_too_many(const struct people_xlsx *x)
{
	return x->too_many;
}

int people_xlsx_close(struct people_xlsx *x, int ok)
{
	int rc = 0;

	if (!x)
		return -1;
	if (x->wb && workbook_close(x->wb) != LXW_NO_ERROR)
		rc = -1;
	if (!x->wb || x->failed)
		rc = -1;
	if ((!ok || rc != 0) && x->path)
		unlink(x->path);
	org_index_release(&x->orgs);
	free(x->path);
	free(x);
	return ok ? rc : -1;
}

/* ---------------------------------------------------------------- the template */

/* The active labels of one dictionary, collected for the 说明 sheet and a drop-down list. */
struct label_list {
	char *v[256];
	size_t n;
	size_t bytes;		/* joined with commas */
	int failed;
};

/* people_dict_walk's callback: keep one active label. */
static int list_item(void *arg, const char *code, const char *label, int active)
{
	struct label_list *l = arg;

	(void)code;
	if (!active)
		return 0;
	if (l->n + 1 >= sizeof(l->v) / sizeof(l->v[0]) || !(l->v[l->n] = strdup(label))) {
		l->failed = 1;
		return 1;
	}
	l->bytes += strlen(label) + (l->n ? 1 : 0);
	l->n++;
	return 0;
}

static void label_list_release(struct label_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

/*
 * A drop-down list of the labels on the template's column (a warning, not a
 * stop, so pasted values go in and the import names the wrong ones). Excel
 * takes at most 255 characters of list: a longer dictionary (the 56 ethnic
 * groups) has none, its labels are on the 说明 sheet. The list is given
 * inline: libxlsxwriter 1.1.4 leaks the formula of a list taken from a range.
 */
static void offer_list(lxw_worksheet *ws, int pc, struct label_list *l)
{
	lxw_data_validation dv;

	if (l->n == 0 || l->bytes > 255)
		return;
	l->v[l->n] = NULL;
	memset(&dv, 0, sizeof(dv));
	dv.validate = LXW_VALIDATION_TYPE_LIST;
	dv.value_list = l->v;
	dv.error_type = LXW_VALIDATION_ERROR_TYPE_WARNING;
	dv.error_title = "不在列表中";
	dv.error_message = "该值不在字典中，导入时会被指出。";
	worksheet_data_validation_range(ws, 1, (lxw_col_t)pc, TEMPLATE_ROWS, (lxw_col_t)pc, &dv);
}

int people_template_xlsx(struct db *db, const char *path, const char *tmpdir)
{
	static const struct { int pc; const char *dict, *title; } lists[] = {
		{ PC_GENDER, "gender", "性别" },
		{ PC_ETHNICITY, "ethnicity", "民族" },
		{ PC_EDUCATION, "education", "学历" },
		{ PC_POLITICAL, "political_status", "政治面貌" },
	};
	lxw_workbook *wb = book_new(path, tmpdir, 0);
	lxw_worksheet *ws, *help;
	lxw_format *head, *date, *text, *wrap;
	int bad = 0;

	if (!wb)
		return -1;
	ws = workbook_add_worksheet(wb, SHEET_NAME);
	help = workbook_add_worksheet(wb, "说明");
	head = head_format(wb);
	date = date_format_new(wb);
	text = text_format(wb);
	wrap = workbook_add_format(wb);
	format_set_text_wrap(wrap);
	format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
	if (!ws || !help) {
		workbook_close(wb);
		unlink(path);
		return -1;
	}
	people_columns_setup(ws, text, date);
	bad |= header_row(ws, head);
	for (int c = 0; c < PC_COUNT; c++) {
		if (c == PC_BIRTH || c == PC_JOINED || c == PC_FULL)
			bad |= put_date(ws, 1, (lxw_col_t)c, example_row[c], date);
		else
			bad |= put_text(ws, 1, (lxw_col_t)c, example_row[c],
					c == PC_ID || c == PC_PHONE ? text : NULL);
	}

	/* 说明: one row per column, then the dictionaries' labels side by side */
	worksheet_set_column(help, 0, 0, 12, NULL);
	worksheet_set_column(help, 1, 1, 10, NULL);
	worksheet_set_column(help, 2, 2, 60, wrap);
	worksheet_set_column(help, 4, 7, 14, NULL);
	bad |= put_text(help, 0, 0, "列名", head);
	bad |= put_text(help, 0, 1, "是否必填", head);
	bad |= put_text(help, 0, 2, "填写说明", head);
	for (int c = 0; c < PC_COUNT; c++) {
		bad |= put_text(help, (lxw_row_t)c + 1, 0, people_columns[c].header, NULL);
		bad |= put_text(help, (lxw_row_t)c + 1, 1, column_rules[c][0], NULL);
		bad |= put_text(help, (lxw_row_t)c + 1, 2, column_rules[c][1], wrap);
	}
	bad |= put_text(help, PC_COUNT + 2, 0, "说明", head);
	bad |= put_text(help, PC_COUNT + 2, 2,
			"表头按列名识别，列的顺序不限，表头上方可以有标题行，其他列会被忽略。第2行是示例，"
			"导入前请删除。先“检查”再“导入”：检查不写入任何数据；导入时只要有一行有错，"
			"全部不导入，可下载带“错误原因”列的表格，改正后重新导入。", wrap);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct label_list l;
		lxw_col_t col = (lxw_col_t)(4 + i);

		memset(&l, 0, sizeof(l));
		bad |= put_text(help, 0, col, lists[i].title, head);
		if (people_dict_walk(db, lists[i].dict, list_item, &l) != DB_OK || l.failed)
			bad = 1;
		for (size_t k = 0; k < l.n; k++)
			bad |= put_text(help, (lxw_row_t)(k + 1), col, l.v[k], NULL);
		offer_list(ws, lists[i].pc, &l);
		label_list_release(&l);
	}
	worksheet_activate(ws);
	if (workbook_close(wb) != LXW_NO_ERROR)
		bad = 1;
	if (bad)
		unlink(path);
	return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- the error sheet */

/* The next "ROW<TAB>REASONS" line: 1 with *row and *text set, 0 at the end. */
static int next_error(FILE *fp, char **line, size_t *cap, size_t *row, const char **text)
{
	ssize_t n;
	char *tab, *end;

	while ((n = getline(line, cap, fp)) > 0) {
		if ((*line)[n - 1] == '\n')
			(*line)[n - 1] = '\0';
		tab = strchr(*line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		errno = 0;
		*row = (size_t)strtoull(*line, &end, 10);
		if (errno || *end || *row == 0)
			continue;
		*text = tab + 1;
		return 1;
	}
	return 0;
}

/* One cell as read, written back with its kind: a date, a number, a boolean, or text. */
static int put_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const struct sheet_cell *cell,
		    lxw_format *date)
{
	char *end;
	double v;

	if (cell->len == 0)
		return 0;
	if (cell->flags & SHEET_CELL_BOOL)
		return worksheet_write_boolean(ws, r, c, strcmp(cell->text, "TRUE") == 0, NULL) ==
		       LXW_NO_ERROR ? 0 : -1;
	if (cell->flags & (SHEET_CELL_DATE | SHEET_CELL_NUMBER)) {
		errno = 0;
		v = strtod(cell->text, &end);
		if (!errno && !*end)
			return worksheet_write_number(ws, r, c, v,
						      cell->flags & SHEET_CELL_DATE ? date : NULL) ==
			       LXW_NO_ERROR ? 0 : -1;
	}
	return put_text(ws, r, c, cell->text, NULL);
}

int import_error_sheet(const char *path, const char *errors_path, size_t width,
		       size_t header, const char *out, const char *tmpdir, struct sheet_error *e)
{
	struct sheet_limits lim;
	struct sheet_row row;
	struct sheet *s;
	lxw_workbook *wb = NULL;
	lxw_worksheet *ws;
	lxw_format *date, *errf, *headf;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0, erow = 0;
	const char *etext = NULL;
	int rc = 0, more, bad = 0;
	lxw_col_t ecol = (lxw_col_t)width;

	memset(e, 0, sizeof(*e));
	sheet_limits_default(&lim);
	lim.max_file_bytes = TRANSFER_MAX_UPLOAD;
	fp = fopen(errors_path, "r");
	if (!fp) {
		e->code = SHEET_EIO;
		snprintf(e->msg, sizeof(e->msg), "错误记录不存在");
		return -1;
	}
	s = sheet_open(path, &lim, e);
	if (s)
		wb = book_new(out, tmpdir, 1);
	ws = wb ? workbook_add_worksheet(wb, SHEET_NAME) : NULL;
	if (!ws) {
		if (s) {
			e->code = SHEET_EIO;
			snprintf(e->msg, sizeof(e->msg), "无法生成错误表格");
		}
		goto done;
	}
	date = date_format_new(wb);
	errf = workbook_add_format(wb);
	format_set_font_color(errf, LXW_COLOR_RED);
	format_set_bg_color(errf, 0xFDE9E7);
	headf = head_format(wb);
	format_set_font_color(headf, LXW_COLOR_RED);
	worksheet_set_column(ws, ecol, ecol, 60, NULL);
	more = next_error(fp, &line, &cap, &erow, &etext);
	while (!bad && (rc = sheet_next(s, &row, e)) == 1) {
		lxw_row_t r = (lxw_row_t)(row.num - 1);

		for (size_t c = 0; c < row.ncells && !bad; c++)
			bad |= put_cell(ws, r, (lxw_col_t)c, &row.cells[c], date);
		if (row.num == header)
			bad |= put_text(ws, r, ecol, "错误原因", headf);
		while (more && erow < row.num)
			more = next_error(fp, &line, &cap, &erow, &etext);
		if (more && erow == row.num)
			bad |= put_text(ws, r, ecol, etext, errf);
	}
	if (!bad && rc < 0)
		bad = 1;	/* e says why */
	else if (bad) {
		e->code = SHEET_EIO;
		snprintf(e->msg, sizeof(e->msg), "无法生成错误表格（行号超过 Excel 上限？）");
	}
done:
	if (wb && workbook_close(wb) != LXW_NO_ERROR && !bad) {
		bad = 1;
		e->code = SHEET_EIO;
		snprintf(e->msg, sizeof(e->msg), "无法写出错误表格");
	}
	sheet_close(s);
	fclose(fp);
	free(line);
	if (!ws || bad)
		unlink(out);
	return !ws || bad ? -1 : 0;
}
