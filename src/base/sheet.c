/* sheet.c - the spreadsheet reader's front: limits, type detection by magic bytes, row building, dispatch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cellvalue.h"
#include "sheet_int.h"

#define EMPTY_OFF ((size_t)-1)	/* a rowcell that is an empty gap */

void sheet_limits_default(struct sheet_limits *lim)
{
	lim->max_file_bytes = SHEET_DEFAULT_FILE_BYTES;
	lim->max_rows = SHEET_DEFAULT_ROWS;
	lim->max_cols = SHEET_DEFAULT_COLS;
	lim->max_cell_bytes = SHEET_DEFAULT_CELL_BYTES;
	lim->max_xlsx_bytes = SHEET_DEFAULT_XLSX_BYTES;
	lim->max_shared_strings = SHEET_DEFAULT_SHARED_STRINGS;
}

/* The caller's limits with every 0 replaced by its default. */
static void limits_fill(struct sheet_limits *out, const struct sheet_limits *in)
{
	sheet_limits_default(out);
	if (!in)
		return;
	if (in->max_file_bytes)
		out->max_file_bytes = in->max_file_bytes;
	if (in->max_rows)
		out->max_rows = in->max_rows;
	if (in->max_cols)
		out->max_cols = in->max_cols;
	if (in->max_cell_bytes)
		out->max_cell_bytes = in->max_cell_bytes;
	if (in->max_xlsx_bytes)
		out->max_xlsx_bytes = in->max_xlsx_bytes;
	if (in->max_shared_strings)
		out->max_shared_strings = in->max_shared_strings;
}

int sheet_vfail(struct sheet *s, enum sheet_errcode code, const char *fmt, va_list ap)
{
	if (s->err.code != SHEET_OK)
		return -1;
	s->err.code = code;
	vsnprintf(s->err.msg, sizeof s->err.msg, fmt, ap);
	return -1;
}

int sheet_fail(struct sheet *s, enum sheet_errcode code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sheet_vfail(s, code, fmt, ap);
	va_end(ap);
	return -1;
}

void sheet_fmt_bytes(uint64_t n, char *out, size_t outsz)
{
	const uint64_t kb = 1024, mb = 1024 * 1024;

	if (n >= mb && n % mb == 0)
		snprintf(out, outsz, "%llu MB", (unsigned long long)(n / mb));
	else if (n >= mb)
		snprintf(out, outsz, "%.1f MB", (double)n / (double)mb);
	else if (n >= kb && n % kb == 0)
		snprintf(out, outsz, "%llu KB", (unsigned long long)(n / kb));
	else
		snprintf(out, outsz, "%llu 字节", (unsigned long long)n);
}

void sheet_col_name(size_t col, char *out)
{
	char tmp[8];
	size_t n = 0, i;

	col++;
	while (col > 0 && n < sizeof tmp - 1) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* ---- row building ------------------------------------------------------- */

void sheet_row_reset(struct sheet *s, size_t num)
{
	buf_reset(&s->row.text);
	s->row.num = num;
	s->row.ncells = 0;
	s->row.cur_col = 0;
	s->row.cur_off = 0;
}

void sheet_cell_begin(struct sheet *s, size_t col)
{
	s->row.cur_col = col;
	s->row.cur_off = s->row.text.len;
}

int sheet_fail_cell_size(struct sheet *s, size_t row, size_t col)
{
	char lim[32], name[8];

	sheet_fmt_bytes(s->lim.max_cell_bytes, lim, sizeof lim);
	sheet_col_name(col, name);
	return sheet_fail(s, SHEET_ELIMIT, "第 %zu 行 %s 列：单元格内容超过 %s 上限", row, name, lim);
}

int sheet_cell_add(struct sheet *s, const char *p, size_t n)
{
	struct rowbuf *r = &s->row;

	if (n == 0)
		return 0;
	if (r->text.len - r->cur_off + n > s->lim.max_cell_bytes)
		return sheet_fail_cell_size(s, r->num, r->cur_col);
	buf_add(&r->text, p, n);
	if (r->text.err)
		return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
	return 0;
}

/*
 * Close the open cell. An empty one is not stored (it becomes a gap if a
 * later cell is not empty). Cells must arrive left to right.
 */
int sheet_cell_end(struct sheet *s, unsigned flags)
{
	struct rowbuf *r = &s->row;
	size_t len = r->text.len - r->cur_off, ncap, i;
	struct rowcell *nc;
	char col[8];

	if (len == 0)
		return 0;
	sheet_col_name(r->cur_col, col);
	if (r->cur_col >= s->lim.max_cols)
		return sheet_fail(s, SHEET_ELIMIT, "第 %zu 行：列数超过 %zu 列上限（%s 列有内容）",
				  r->num, s->lim.max_cols, col);
	if (r->cur_col < r->ncells)
		return sheet_fail(s, SHEET_EFORMAT, "第 %zu 行：单元格 %s 重复或顺序错乱，文件可能已损坏",
				  r->num, col);
	if (r->cur_col >= r->cap) {
		ncap = r->cap ? r->cap : 16;
		while (ncap <= r->cur_col)
			ncap *= 2;
		nc = realloc(r->cells, ncap * sizeof *nc);
		if (!nc)
			return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
		r->cells = nc;
		r->cap = ncap;
	}
	for (i = r->ncells; i < r->cur_col; i++) {
		r->cells[i].off = EMPTY_OFF;
		r->cells[i].len = 0;
		r->cells[i].flags = 0;
	}
	r->cells[r->cur_col].off = r->cur_off;
	r->cells[r->cur_col].len = len;
	r->cells[r->cur_col].flags = flags;
	r->ncells = r->cur_col + 1;
	buf_putc(&r->text, '\0');
	if (r->text.err)
		return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
	return 0;
}

/* Point the handed-out cells into the row's text. 0 or -1 (no memory). */
static int row_publish(struct sheet *s, struct sheet_row *row)
{
	struct rowbuf *r = &s->row;
	struct sheet_cell *o;
	size_t i;

	if (r->ncells > r->outcap) {
		o = realloc(r->out, r->ncells * sizeof *o);
		if (!o)
			return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
		r->out = o;
		r->outcap = r->ncells;
	}
	for (i = 0; i < r->ncells; i++) {
		o = &r->out[i];
		if (r->cells[i].off == EMPTY_OFF) {
			o->text = "";
			o->len = 0;
			o->flags = 0;
			continue;
		}
		o->text = r->text.data + r->cells[i].off;
		o->len = r->cells[i].len;
		o->flags = r->cells[i].flags;
		if (!(o->flags & (SHEET_CELL_NUMBER | SHEET_CELL_BOOL | SHEET_CELL_ERROR)) &&
		    cell_is_formula_like(o->text))
			o->flags |= SHEET_CELL_FORMULA_LIKE;
	}
	row->num = r->num;
	row->ncells = r->ncells;
	row->cells = r->out;
	return 0;
}

/* ---- opening ------------------------------------------------------------ */

/* First bytes of files people rename to .xlsx or .csv, and what to tell them. */
static const struct {
	const char *magic;
	size_t len;
	const char *msg;
} not_sheets[] = {
	{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8,
	  "这是旧版 Excel（.xls）文件或设置了打开密码的 Office 文件，请在 Excel 中另存为 .xlsx 或 CSV（去掉密码）后再导入" },
	{ "PK\x05\x06", 4, "这是一个空的压缩包，不是 xlsx 表格" },
	{ "PK\x07\x08", 4, "这是分卷压缩包，不是 xlsx 表格" },
	{ "%PDF-", 5, "这是 PDF 文件，不是表格" },
	{ "\x89PNG", 4, "这是图片文件（PNG），不是表格" },
	{ "\xff\xd8\xff", 3, "这是图片文件（JPEG），不是表格" },
	{ "GIF8", 4, "这是图片文件（GIF），不是表格" },
	{ "\x7f" "ELF", 4, "这是可执行程序（ELF），不是表格" },
	{ "\x1f\x8b", 2, "这是 gzip 压缩文件，不是表格" },
	{ "Rar!", 4, "这是 RAR 压缩文件，不是表格" },
	{ "7z\xbc\xaf\x27\x1c", 6, "这是 7z 压缩文件，不是表格" },
	{ "\xff\xfe", 2, "文件是 UTF-16 编码的文本，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再导入" },
	{ "\xfe\xff", 2, "文件是 UTF-16 编码的文本，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再导入" },
};

/* See sheet.h. */
struct sheet *sheet_open(const char *path, const struct sheet_limits *lim, struct sheet_error *err)
{
	struct sheet *s;
	unsigned char head[16];
	struct stat st;
	ssize_t n;
	char lb[32];
	size_t i;
	int rc;

	err->code = SHEET_OK;
	err->msg[0] = '\0';
	s = calloc(1, sizeof *s);
	if (!s) {
		err->code = SHEET_EIO;
		snprintf(err->msg, sizeof err->msg, "内存不足，无法读取表格");
		return NULL;
	}
	limits_fill(&s->lim, lim);
	buf_init(&s->row.text, 0);
	s->fd = -1;
	s->delim = ',';

	/* O_NONBLOCK: a FIFO must not hang the open; it changes nothing for regular files. */
	s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (s->fd < 0) {
		sheet_fail(s, SHEET_EIO, "无法打开文件（%s）", strerror(errno));
		goto fail;
	}
	if (fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sheet_fail(s, SHEET_EIO, "无法读取文件：不是普通文件");
		goto fail;
	}
	s->size = (uint64_t)st.st_size;
	if (s->size > s->lim.max_file_bytes) {
		sheet_fmt_bytes(s->lim.max_file_bytes, lb, sizeof lb);
		sheet_fail(s, SHEET_ELIMIT, "文件超过 %s 上限", lb);
		goto fail;
	}
	if (s->size == 0) {
		sheet_fail(s, SHEET_EFORMAT, "文件是空的");
		goto fail;
	}
	do {
		n = pread(s->fd, head, sizeof head, 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		sheet_fail(s, SHEET_EIO, "无法读取文件");
		goto fail;
	}
	for (i = 0; i < sizeof not_sheets / sizeof not_sheets[0]; i++) {
		if ((size_t)n >= not_sheets[i].len &&
		    memcmp(head, not_sheets[i].magic, not_sheets[i].len) == 0) {
			sheet_fail(s, SHEET_EFORMAT, "%s", not_sheets[i].msg);
			goto fail;
		}
	}
	if (n >= 4 && memcmp(head, "PK\x03\x04", 4) == 0) {
		s->kind = SHEET_XLSX;
		s->enc = SHEET_ENC_UTF8;
		rc = sheet_xlsx_open(s);
	} else {
		s->kind = SHEET_CSV;
		rc = sheet_csv_open(s);
	}
	if (rc < 0)
		goto fail;
	return s;
fail:
	*err = s->err;
	sheet_close(s);
	return NULL;
}

/* See sheet.h. Empty rows are skipped here, for both readers. */
int sheet_next(struct sheet *s, struct sheet_row *row, struct sheet_error *err)
{
	int rc;

	err->code = SHEET_OK;
	err->msg[0] = '\0';
	if (s->state == 1)
		return 0;
	if (s->state < 0) {
		*err = s->err;
		return -1;
	}
	for (;;) {
		rc = s->kind == SHEET_CSV ? sheet_csv_next(s) : sheet_xlsx_next(s);
		if (rc < 0)
			break;
		if (rc == 0) {
			s->state = 1;
			s->done = s->total;
			return 0;
		}
		if (s->row.ncells == 0)
			continue;
		if (s->seen_first && ++s->data_rows > s->lim.max_rows) {
			sheet_fail(s, SHEET_ELIMIT, "行数超过 %zu 行上限（不含表头）", s->lim.max_rows);
			break;
		}
		s->seen_first = 1;
		if (row_publish(s, row) < 0)
			break;
		return 1;
	}
	if (s->err.code == SHEET_OK)
		sheet_fail(s, SHEET_EFORMAT, "表格读取失败");
	s->state = -1;
	*err = s->err;
	return -1;
}

void sheet_close(struct sheet *s)
{
	if (!s)
		return;
	if (s->csv)
		sheet_csv_close(s);
	if (s->xlsx)
		sheet_xlsx_close(s);
	if (s->fd >= 0)
		close(s->fd);
	buf_release(&s->row.text);
	free(s->row.cells);
	free(s->row.out);
	free(s);
}

enum sheet_kind sheet_kind(const struct sheet *s)
{
	return s->kind;
}

enum sheet_encoding sheet_encoding(const struct sheet *s)
{
	return s->enc;
}

const char *sheet_describe(const struct sheet *s)
{
	if (s->kind == SHEET_XLSX)
		return "xlsx";
	switch (s->enc) {
	case SHEET_ENC_UTF8:
		return s->delim == '\t' ? "制表符分隔文本（UTF-8）" : "CSV（UTF-8）";
	case SHEET_ENC_UTF8_BOM:
		return s->delim == '\t' ? "制表符分隔文本（UTF-8 BOM）" : "CSV（UTF-8 BOM）";
	case SHEET_ENC_GB18030:
		return s->delim == '\t' ? "制表符分隔文本（GB18030）" : "CSV（GB18030）";
	}
	return "CSV";
}

void sheet_progress(const struct sheet *s, uint64_t *done, uint64_t *total)
{
	*total = s->total;
	*done = s->done < s->total ? s->done : s->total;
}
