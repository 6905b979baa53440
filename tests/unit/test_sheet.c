/* test_sheet.c - unit tests for the CSV/xlsx reader, cell dates, header matching and formula-like text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iconv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>
#include <cmocka.h>

#include "../../src/base/cellvalue.h"
#include "../../src/base/sheet.h"

/* Fixtures made by tests/fixtures/sheets/make_fixtures.py (LibreOffice + hand-made hostile files). */
static const char *fixture(const char *name)
{
	static char path[1024];
	const char *dir = getenv("ZHIBU_SHEET_FIXTURES");

	snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures/sheets", name);
	return path;
}

/* A private temporary folder for generated files, removed at the end. */
static char tmpdir[256];

static const char *tmpfile_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

static const char *write_tmp(const char *name, const void *data, size_t len)
{
	const char *p = tmpfile_path(name);
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return p;
}

static const char *write_tmp_str(const char *name, const char *text)
{
	return write_tmp(name, text, strlen(text));
}

/* All rows of a file, kept as copies so they outlive the reader. */
#define MAXR 64
#define MAXC 32
struct rows {
	size_t n;
	size_t num[MAXR];
	size_t ncells[MAXR];
	char *text[MAXR][MAXC];
	unsigned flags[MAXR][MAXC];
	int rc;			/* last sheet_next result */
	struct sheet_error err;
	enum sheet_kind kind;
	enum sheet_encoding enc;
};

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t c = 0; c < r->ncells[i] && c < MAXC; c++)
			free(r->text[i][c]);
	free(r);
}

/* Read a whole (small) file; fails the test if it cannot be opened. */
static struct rows *read_all(const char *path, const struct sheet_limits *lim)
{
	struct rows *r = calloc(1, sizeof *r);
	struct sheet_row row;
	struct sheet *s;

	assert_non_null(r);
	s = sheet_open(path, lim, &r->err);
	if (!s)
		fail_msg("open %s: %s", path, r->err.msg);
	r->kind = sheet_kind(s);
	r->enc = sheet_encoding(s);
	while ((r->rc = sheet_next(s, &row, &r->err)) == 1) {
		assert_true(r->n < MAXR);
		assert_true(row.ncells >= 1);
		assert_true(row.cells[row.ncells - 1].len > 0);	/* trailing empties trimmed */
		r->num[r->n] = row.num;
		r->ncells[r->n] = row.ncells;
		for (size_t c = 0; c < row.ncells && c < MAXC; c++) {
			assert_int_equal(strlen(row.cells[c].text), row.cells[c].len);
			r->text[r->n][c] = strdup(row.cells[c].text);
			r->flags[r->n][c] = row.cells[c].flags;
		}
		r->n++;
	}
	sheet_close(s);
	return r;
}

static const char *cell(const struct rows *r, size_t i, size_t c)
{
	if (i >= r->n || c >= r->ncells[i])
		return "";
	return r->text[i][c];
}

/* sheet_open must refuse `path` with `code` and a message containing `want`. */
static void expect_open_fails(const char *path, const struct sheet_limits *lim,
			      enum sheet_errcode code, const char *want)
{
	struct sheet_error e;
	struct sheet *s = sheet_open(path, lim, &e);

	if (s) {
		sheet_close(s);
		fail_msg("%s opened; expected: %s", path, want);
	}
	if (e.code != code || !strstr(e.msg, want))
		fail_msg("%s: got [%d] %s; expected [%d] ...%s...", path, e.code, e.msg, code, want);
}

/* The file opens, but reading it must stop with `code` and a message containing `want`. */
static void expect_read_fails(const char *path, const struct sheet_limits *lim,
			      enum sheet_errcode code, const char *want)
{
	struct rows *r = read_all(path, lim);

	if (r->rc != -1 || r->err.code != code || !strstr(r->err.msg, want))
		fail_msg("%s: rc %d [%d] %s; expected [%d] ...%s...", path, r->rc, r->err.code,
			 r->err.msg, code, want);
	rows_free(r);
}

/* ---- dates -------------------------------------------------------------- */

static void expect_date(const char *s, int serial, int y, int m, int d, unsigned how_want)
{
	struct ymd out = { 0, 0, 0 };
	unsigned how = 99;
	const char *why = cell_parse_date(s, serial, &out, &how);

	if (why)
		fail_msg("\"%s\" refused: %s", s, why);
	if (out.y != y || out.m != m || out.d != d || how != how_want)
		fail_msg("\"%s\" -> %04d-%02d-%02d how %u; want %04d-%02d-%02d how %u", s, out.y,
			 out.m, out.d, how, y, m, d, how_want);
}

static void expect_bad_date(const char *s, int serial, const char *want)
{
	struct ymd out = { 7, 7, 7 };
	const char *why = cell_parse_date(s, serial, &out, NULL);

	if (!why)
		fail_msg("\"%s\" accepted as %04d-%02d-%02d", s ? s : "(null)", out.y, out.m, out.d);
	if (want && !strstr(why, want))
		fail_msg("\"%s\": %s; want ...%s...", s ? s : "(null)", why, want);
	assert_int_equal(out.y, 7);	/* untouched on failure */
}

static void test_date_forms(void **state)
{
	(void)state;
	expect_date("2022-03-05", 0, 2022, 3, 5, 0);
	expect_date("2022/3/5", 0, 2022, 3, 5, 0);
	expect_date("2022.3.5", 0, 2022, 3, 5, 0);
	expect_date("2022年3月5日", 0, 2022, 3, 5, 0);
	expect_date("2022年03月05日", 0, 2022, 3, 5, 0);
	expect_date("2022年3月5号", 0, 2022, 3, 5, 0);
	expect_date("2022年3月5", 0, 2022, 3, 5, 0);
	expect_date("2022 年 3 月 5 日", 0, 2022, 3, 5, 0);
	expect_date("20220305", 0, 2022, 3, 5, 0);
	expect_date("  2022-03-05\t", 0, 2022, 3, 5, 0);
	expect_date("\xe3\x80\x80" "2022-03-05" "\xe3\x80\x80", 0, 2022, 3, 5, 0);	/* U+3000 */
	expect_date("２０２２－０３－０５", 0, 2022, 3, 5, 0);
	expect_date("２０２２年３月５日", 0, 2022, 3, 5, 0);
	expect_date("２０２２／３／５", 0, 2022, 3, 5, 0);
	expect_date("2022-03-05 08:30:00", 0, 2022, 3, 5, 0);
	expect_date("2022-03-05T00:00:00Z", 0, 2022, 3, 5, 0);
	expect_date("2022/3/5 0:00", 0, 2022, 3, 5, 0);
	expect_date("2024-02-29", 0, 2024, 2, 29, 0);
	expect_date("1900-01-01", 0, 1900, 1, 1, 0);
	expect_date("2200-12-31", 0, 2200, 12, 31, 0);
	/* 出生年月: month only, day 1, and it says so */
	expect_date("2022-3", 0, 2022, 3, 1, CELL_DATE_MONTH_ONLY);
	expect_date("2022/03", 0, 2022, 3, 1, CELL_DATE_MONTH_ONLY);
	expect_date("2022.3", 0, 2022, 3, 1, CELL_DATE_MONTH_ONLY);
	expect_date("2022年3月", 0, 2022, 3, 1, CELL_DATE_MONTH_ONLY);
	expect_date("1980年3月", 0, 1980, 3, 1, CELL_DATE_MONTH_ONLY);
	expect_date("２０２２年３月", 0, 2022, 3, 1, CELL_DATE_MONTH_ONLY);
	expect_date("202203", 0, 2022, 3, 1, CELL_DATE_MONTH_ONLY);
	/* a 5-digit number is an Excel serial even as text */
	expect_date("44625", 0, 2022, 3, 5, CELL_DATE_FROM_SERIAL);
	expect_date("44625.75", 0, 2022, 3, 5, CELL_DATE_FROM_SERIAL);
	/* a date-styled cell: any serial; text still parses as text */
	expect_date("31111", 1, 1985, 3, 5, CELL_DATE_FROM_SERIAL);
	expect_date("44625.5", 1, 2022, 3, 5, CELL_DATE_FROM_SERIAL);
	expect_date("1985-03-05", 1, 1985, 3, 5, 0);
}

static void test_date_bad(void **state)
{
	(void)state;
	expect_bad_date(NULL, 0, "为空");
	expect_bad_date("", 0, "为空");
	expect_bad_date(" \xe3\x80\x80 ", 0, "为空");
	expect_bad_date("2022-13-01", 0, "月份");
	expect_bad_date("2022年0月", 0, "月份");
	expect_bad_date("202213", 0, "月份");
	expect_bad_date("2022-02-30", 0, "日期不存在");
	expect_bad_date("2023-02-29", 0, "日期不存在");
	expect_bad_date("20230229", 0, "日期不存在");
	expect_bad_date("1899-12-31", 0, "1900-2200");
	expect_bad_date("2201-01-01", 0, "1900-2200");
	expect_bad_date("22-3-5", 0, "四位");
	expect_bad_date("2022-03/05", 0, "无法识别");
	expect_bad_date("2022-3-5-1", 0, "无法识别");
	expect_bad_date("2022-03-05 abc", 0, "无法识别");
	expect_bad_date("2022-03-05 12", 0, "无法识别");
	expect_bad_date("2022-003-05", 0, "无法识别");
	expect_bad_date("1985", 0, "无法识别");		/* not a serial without the cell's date style */
	expect_bad_date("2022030", 0, "无法识别");
	expect_bad_date("202203051", 0, "无法识别");
	expect_bad_date("abc", 0, "无法识别");
	expect_bad_date("三月五日", 0, "无法识别");
	expect_bad_date("-44625", 1, "无法识别");
	expect_bad_date("4.4625E+4", 1, "无法识别");
}

static void test_excel_serials(void **state)
{
	struct ymd d;

	(void)state;
	expect_date("1", 1, 1900, 1, 1, CELL_DATE_FROM_SERIAL);
	expect_date("31", 1, 1900, 1, 31, CELL_DATE_FROM_SERIAL);
	expect_date("59", 1, 1900, 2, 28, CELL_DATE_FROM_SERIAL);
	expect_bad_date("60", 1, "1900-02-29");		/* Excel's leap-year bug */
	expect_date("61", 1, 1900, 3, 1, CELL_DATE_FROM_SERIAL);
	expect_date("366", 1, 1900, 12, 31, CELL_DATE_FROM_SERIAL);
	expect_date("367", 1, 1901, 1, 1, CELL_DATE_FROM_SERIAL);
	expect_date("25569", 1, 1970, 1, 1, CELL_DATE_FROM_SERIAL);
	expect_date("36526", 1, 2000, 1, 1, CELL_DATE_FROM_SERIAL);
	expect_date("44562", 1, 2022, 1, 1, CELL_DATE_FROM_SERIAL);
	expect_date("45351", 1, 2024, 2, 29, CELL_DATE_FROM_SERIAL);
	expect_bad_date("0", 1, "大于 0");
	expect_bad_date("0.5", 1, "大于 0");
	expect_date("109939", 1, 2200, 12, 31, CELL_DATE_FROM_SERIAL);
	expect_bad_date("109940", 1, "1900-2200");
	expect_bad_date("2958465", 1, "1900-2200");	/* 9999-12-31 */
	expect_bad_date("99999999", 1, "1900-2200");	/* too long for a serial: 9999-99-99 */

	assert_null(cell_date_from_serial(61, &d));
	assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 19000301);
	assert_non_null(cell_date_from_serial(60, &d));
	assert_non_null(cell_date_from_serial(-1, &d));

	assert_int_equal(cell_date_to_serial((struct ymd){ 2022, 3, 5 }), 44625);
	assert_int_equal(cell_date_to_serial((struct ymd){ 1900, 3, 1 }), 61);
	assert_int_equal(cell_date_to_serial((struct ymd){ 1900, 2, 28 }), -1);
	/* round trip over the whole range */
	for (long n = 61; n <= 109939; n += 7) {	/* to 2200-12-31 */
		assert_null(cell_date_from_serial(n, &d));
		assert_int_equal(cell_date_to_serial(d), n);
	}
}

/* ---- text, headers, formulas ------------------------------------------ */

static void expect_norm(const char *in, unsigned opts, const char *want)
{
	char out[256];
	size_t n = cell_normalize(in, opts, out, sizeof out);

	if (strcmp(out, want) != 0 || n != strlen(want))
		fail_msg("normalize(\"%s\", %#x) = \"%s\"; want \"%s\"", in, opts, out, want);
}

static void test_normalize(void **state)
{
	char small[8];

	(void)state;
	expect_norm("身份证号码（必填）", CELL_NORM_HEADER, "身份证号码");
	expect_norm("身份证号码(必填)", CELL_NORM_HEADER, "身份证号码");
	expect_norm("出生年月[yyyy-mm]", CELL_NORM_HEADER, "出生年月");
	expect_norm("【备注】", CELL_NORM_HEADER, "【备注】");		/* nothing else left: keep */
	expect_norm("备注【选填】", CELL_NORM_HEADER, "备注");
	expect_norm("　姓　名　", CELL_NORM_HEADER, "姓名");
	expect_norm(" 转正 日期\n", CELL_NORM_HEADER, "转正日期");
	expect_norm("*出生日期：", CELL_NORM_HEADER, "出生日期");
	expect_norm("※联系电话:", CELL_NORM_HEADER, "联系电话");
	expect_norm("\xef\xbb\xbf姓名", CELL_NORM_HEADER, "姓名");		/* a stray BOM */
	expect_norm("ＩＤ Ｎｕｍｂｅｒ", CELL_NORM_HEADER, "idnumber");
	expect_norm("学历(最高(全日制))", CELL_NORM_HEADER, "学历");
	expect_norm("  ａ１２　 ", CELL_NORM_TRIM | CELL_NORM_HALFWIDTH, "a12");
	expect_norm("  a b  ", CELL_NORM_TRIM, "a b");
	expect_norm("\xc2\xa0" "x" "\xc2\xa0", CELL_NORM_TRIM, "x");
	expect_norm("１３８ ００１３ ８０００", CELL_NORM_HALFWIDTH | CELL_NORM_NOSPACE, "13800138000");
	expect_norm("Ab（c）", 0, "Ab（c）");
	expect_norm("\xff\xfe", CELL_NORM_HEADER, "\xff\xfe");	/* bad bytes pass through */
	/* a small output is cut at a character boundary */
	assert_int_equal(cell_normalize("姓名民族", 0, small, sizeof small), 6);
	assert_string_equal(small, "姓名");
	assert_int_equal(cell_normalize(NULL, 0, small, sizeof small), 0);
	assert_string_equal(small, "");
}

enum { F_NAME, F_GENDER, F_ETHNICITY, F_BIRTH, F_ID, F_PHONE, F_EDU,
       F_POLITICAL, F_JOINED, F_FULL, F_ORG };
static const struct header_syn people_headers[] = {
	{ F_NAME,	"姓名" },
	{ F_GENDER,	"性别" },
	{ F_ETHNICITY,	"民族" },
	{ F_BIRTH,	"出生日期|出生年月|出生年月日|生日" },
	{ F_ID,		"身份证号|身份证号码|公民身份号码|证件号码" },
	{ F_PHONE,	"联系电话|手机号|手机号码|电话" },
	{ F_EDU,	"学历|文化程度" },
	{ F_POLITICAL,	"政治面貌" },
	{ F_JOINED,	"入党时间|入党日期" },
	{ F_FULL,	"转正时间|转正日期" },
	{ F_ORG,	"所在支部|所属组织|党组织" },
	{ -1, NULL },
};

static void test_header_match(void **state)
{
	static const struct {
		const char *header;
		int field;
	} cases[] = {
		{ "姓名", F_NAME }, { " 姓  名 ", F_NAME }, { "*姓名", F_NAME },
		{ "性别", F_GENDER }, { "民族", F_ETHNICITY },
		{ "出生日期", F_BIRTH }, { "出生年月", F_BIRTH }, { "出生年月日", F_BIRTH },
		{ "生日", F_BIRTH }, { "出生年月(yyyy-mm)", F_BIRTH },
		{ "身份证号", F_ID }, { "身份证号码", F_ID }, { "身份证号码（必填）", F_ID },
		{ "公民身份号码", F_ID }, { "证件号码", F_ID }, { "身份证号码\n(18位)", F_ID },
		{ "联系电话", F_PHONE }, { "手机号", F_PHONE }, { "手机号码", F_PHONE },
		{ "电话", F_PHONE }, { "学历", F_EDU }, { "文化程度", F_EDU },
		{ "政治面貌", F_POLITICAL }, { "入党时间", F_JOINED }, { "入党日期", F_JOINED },
		{ "转正时间", F_FULL }, { "转正 日期", F_FULL }, { "转正日期：", F_FULL },
		{ "所在支部", F_ORG }, { "所属组织", F_ORG }, { "党组织", F_ORG },
		{ "身份证", -1 }, { "出生", -1 }, { "姓名1", -1 }, { "备注", -1 },
		{ "序号", -1 }, { "", -1 }, { "   ", -1 }, { "（必填）", -1 },
	};
	static const struct header_syn odd[] = {
		{ 7, "||Name|" },	/* empty synonyms are skipped */
		{ 9, "ＩＤ" },		/* the table is normalised too */
		{ -1, NULL },
	};
	char longhdr[600];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = header_match(people_headers, cases[i].header);

		if (got != cases[i].field)
			fail_msg("header \"%s\" -> %d; want %d", cases[i].header, got, cases[i].field);
	}
	assert_int_equal(header_match(people_headers, NULL), -1);
	assert_int_equal(header_match(NULL, "姓名"), -1);
	assert_int_equal(header_match(odd, " NAME "), 7);
	assert_int_equal(header_match(odd, "id"), 9);
	assert_int_equal(header_match(odd, ""), -1);
	memset(longhdr, 'a', sizeof longhdr - 1);
	longhdr[sizeof longhdr - 1] = '\0';
	assert_int_equal(header_match(odd, longhdr), -1);
}

static void test_formula_like(void **state)
{
	static const char *yes[] = {
		"=cmd|' /C calc'!A0", "=1+2", "+cmd|' /C notepad'!A0", "-2+3", "@SUM(1+1)",
		"\t=1+1", "\r=1", "\n@x", "  =HYPERLINK(\"http://x\")", "-", "+", "--1", "-1-1",
		"＝1+1", "＋1", "－A1", "＠x", "- 5",
	};
	static const char *no[] = {
		"", "   ", "张三", "a=b", "13800138000", "-12.5", "+8613800138000", "-1e5", "+0.5",
		"2022-03-05", "0531-88886666", "'=1+1", "#N/A", NULL,
	};

	(void)state;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!cell_is_formula_like(yes[i]))
			fail_msg("not flagged: \"%s\"", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (cell_is_formula_like(no[i]))
			fail_msg("flagged: \"%s\"", no[i] ? no[i] : "(null)");
}

/* ---- CSV ------------------------------------------------------------------- */

static void test_csv_quoting(void **state)
{
	struct rows *r;

	(void)state;
	r = read_all(write_tmp_str("q.csv",
		"a,\"b,c\",\"d\"\"e\",\"\"\n"		/* row 1: quotes, doubled quotes, trailing empty */
		"\"line1\nline2\",x\r\n"		/* row 2: LF inside quotes, CRLF end */
		"\"cr\r\nlf\",\"only\rcr\"\r"		/* row 3: CRLF and CR inside quotes; CR end */
		",,z\n"					/* row 4: leading empties */
		"\"ab\"c,d\"e\n"			/* row 5: text after a closing quote; quote inside */
		"\n"					/* row 6: blank, skipped */
		",,,\n"					/* row 7: all empty, skipped */
		"  ,\t\n"				/* row 8: spaces are content */
		"last"), NULL);
	assert_int_equal(r->rc, 0);
	assert_int_equal(r->kind, SHEET_CSV);
	assert_int_equal(r->enc, SHEET_ENC_UTF8);
	assert_int_equal(r->n, 7);
	assert_int_equal(r->num[0], 1);
	assert_int_equal(r->ncells[0], 3);
	assert_string_equal(cell(r, 0, 0), "a");
	assert_string_equal(cell(r, 0, 1), "b,c");
	assert_string_equal(cell(r, 0, 2), "d\"e");
	assert_int_equal(r->num[1], 2);
	assert_string_equal(cell(r, 1, 0), "line1\nline2");
	assert_string_equal(cell(r, 1, 1), "x");
	assert_int_equal(r->num[2], 3);
	assert_string_equal(cell(r, 2, 0), "cr\nlf");
	assert_string_equal(cell(r, 2, 1), "only\ncr");
	assert_int_equal(r->num[3], 4);
	assert_int_equal(r->ncells[3], 3);
	assert_string_equal(cell(r, 3, 0), "");
	assert_string_equal(cell(r, 3, 1), "");
	assert_string_equal(cell(r, 3, 2), "z");
	assert_int_equal(r->num[4], 5);
	assert_string_equal(cell(r, 4, 0), "abc");
	assert_string_equal(cell(r, 4, 1), "d\"e");
	assert_int_equal(r->num[5], 8);
	assert_string_equal(cell(r, 5, 0), "  ");
	assert_string_equal(cell(r, 5, 1), "\t");
	assert_int_equal(r->num[6], 9);
	assert_string_equal(cell(r, 6, 0), "last");
	rows_free(r);

	/* Line ends: LF, CRLF, CR, and a trailing empty line. */
	r = read_all(write_tmp_str("le.csv", "h1,h2\r\n1,2\n3,4\r5,6\r\n\r\n"), NULL);
	assert_int_equal(r->rc, 0);
	assert_int_equal(r->n, 4);
	assert_string_equal(cell(r, 3, 1), "6");
	assert_int_equal(r->num[3], 4);
	rows_free(r);

	/* A quoted empty string at the end of the file, no final newline. */
	r = read_all(write_tmp_str("end.csv", "a,\"\""), NULL);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ncells[0], 1);
	rows_free(r);

	/* Only blank lines: no rows at all. */
	r = read_all(write_tmp_str("blank.csv", "\n\n,\n"), NULL);
	assert_int_equal(r->rc, 0);
	assert_int_equal(r->n, 0);
	rows_free(r);

	/* An unclosed quote names the row where it opened. */
	expect_read_fails(write_tmp_str("open.csv", "a,b\nc,\"never\nclosed,x\n"), NULL,
			  SHEET_EFORMAT, "第 2 行：引号没有闭合");
}

static void test_csv_delimiter_and_bom(void **state)
{
	struct rows *r;

	(void)state;
	/* Tab-separated text (Excel's "Unicode text" minus UTF-16): tabs and no comma in line 1. */
	r = read_all(write_tmp_str("t.txt", "姓名\t民族\n张三\t汉族,回族\n"), NULL);
	assert_int_equal(r->n, 2);
	assert_string_equal(cell(r, 1, 1), "汉族,回族");
	rows_free(r);
	/* Both in line 1: comma wins. */
	r = read_all(write_tmp_str("c.csv", "a\tb,c\n"), NULL);
	assert_int_equal(r->ncells[0], 2);
	assert_string_equal(cell(r, 0, 0), "a\tb");
	rows_free(r);
	/* The BOM is not part of the first cell, even before a quote. */
	r = read_all(write_tmp_str("bom.csv", "\xef\xbb\xbf\"姓名\",民族\n"), NULL);
	assert_int_equal(r->enc, SHEET_ENC_UTF8_BOM);
	assert_string_equal(cell(r, 0, 0), "姓名");
	rows_free(r);
	/* A BOM and nothing else. */
	r = read_all(write_tmp_str("bomonly.csv", "\xef\xbb\xbf"), NULL);
	assert_int_equal(r->n, 0);
	rows_free(r);
}

/* The three CSVs LibreOffice and iconv made from the roster read the same. */
static void test_csv_encodings(void **state)
{
	static const char *files[] = { "roster_utf8.csv", "roster_bom.csv", "roster_gb18030.csv" };
	static const enum sheet_encoding encs[] = {
		SHEET_ENC_UTF8, SHEET_ENC_UTF8_BOM, SHEET_ENC_GB18030,
	};
	struct rows *r[3];

	(void)state;
	for (int k = 0; k < 3; k++) {
		r[k] = read_all(fixture(files[k]), NULL);
		assert_int_equal(r[k]->rc, 0);
		assert_int_equal(r[k]->enc, encs[k]);
		assert_int_equal(r[k]->n, 9);
	}
	assert_string_equal(cell(r[2], 0, 0), "红旗村党总支党员花名册");
	assert_int_equal(r[2]->ncells[0], 1);
	assert_string_equal(cell(r[2], 1, 2), "身份证号码（必填）");
	assert_int_equal(r[2]->ncells[1], 14);
	assert_string_equal(cell(r[2], 3, 13), "调入\n2019年");
	assert_string_equal(cell(r[2], 4, 13), "说\"明\",含逗号");
	assert_int_equal(r[2]->num[5], 7);	/* row 6 is empty */
	assert_string_equal(cell(r[2], 5, 1), "刘洋");
	assert_string_equal(cell(r[2], 8, 8), "２０１２－０５－０４");
	assert_true(r[2]->flags[8][13] & SHEET_CELL_FORMULA_LIKE);	/* "=1+2" */
	for (size_t i = 0; i < r[0]->n; i++) {
		for (int k = 1; k < 3; k++) {
			assert_int_equal(r[k]->num[i], r[0]->num[i]);
			assert_int_equal(r[k]->ncells[i], r[0]->ncells[i]);
			for (size_t c = 0; c < r[0]->ncells[i]; c++)
				assert_string_equal(cell(r[k], i, c), cell(r[0], i, c));
		}
	}
	for (int k = 0; k < 3; k++)
		rows_free(r[k]);
}

static void test_csv_formula_injection(void **state)
{
	struct rows *r = read_all(fixture("formula_injection.csv"), NULL);

	(void)state;
	assert_int_equal(r->n, 4);
	assert_string_equal(cell(r, 1, 0), "=cmd|' /C calc'!A0");	/* plain text, as written */
	assert_string_equal(cell(r, 1, 1), "@SUM(1+1)");
	assert_string_equal(cell(r, 2, 0), "+cmd|' /C notepad'!A0");
	assert_string_equal(cell(r, 2, 1), "-2+3");
	assert_string_equal(cell(r, 3, 0), "\t=1+1");
	assert_string_equal(cell(r, 3, 1), "-12.5");
	for (int c = 0; c < 2; c++) {
		assert_false(r->flags[0][c] & SHEET_CELL_FORMULA_LIKE);
		assert_true(r->flags[1][c] & SHEET_CELL_FORMULA_LIKE);
		assert_true(r->flags[2][c] & SHEET_CELL_FORMULA_LIKE);
		assert_false(r->flags[1][c] & SHEET_CELL_FORMULA);	/* never a formula */
	}
	assert_true(r->flags[3][0] & SHEET_CELL_FORMULA_LIKE);
	assert_false(r->flags[3][1] & SHEET_CELL_FORMULA_LIKE);
	rows_free(r);
}

/* GB18030 characters split across the reader's 64 KB chunks still decode. */
static void test_csv_gb18030_chunks(void **state)
{
	const char *utf8 = "张三,汉族,党员\n";
	char gb[64], *ip, *op;
	size_t inleft, outleft, gblen;
	struct sheet_error e;
	struct sheet_row row;
	struct sheet *s;
	size_t n = 0;
	iconv_t cd;
	FILE *f;
	int rc;

	(void)state;
	cd = iconv_open("GB18030", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	ip = (char *)utf8;
	inleft = strlen(utf8);
	op = gb;
	outleft = sizeof gb;
	assert_int_not_equal(iconv(cd, &ip, &inleft, &op, &outleft), (size_t)-1);
	gblen = sizeof gb - outleft;
	iconv_close(cd);
	f = fopen(tmpfile_path("gbchunks.csv"), "wb");
	assert_non_null(f);
	fputs("x\n", f);	/* odd offset so characters straddle chunk ends */
	for (int i = 0; i < 20000; i++)
		assert_int_equal(fwrite(gb, 1, gblen, f), gblen);
	assert_int_equal(fclose(f), 0);

	s = sheet_open(tmpfile_path("gbchunks.csv"), NULL, &e);
	assert_non_null(s);
	assert_int_equal(sheet_encoding(s), SHEET_ENC_GB18030);
	assert_string_equal(sheet_describe(s), "CSV（GB18030）");
	while ((rc = sheet_next(s, &row, &e)) == 1) {
		if (n++ == 0)
			continue;
		assert_int_equal(row.ncells, 3);
		assert_string_equal(row.cells[0].text, "张三");
		assert_string_equal(row.cells[1].text, "汉族");
		assert_string_equal(row.cells[2].text, "党员");
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 20001);
	sheet_close(s);
}

/* ---- xlsx ------------------------------------------------------------------ */

/* The LibreOffice roster: first sheet only, dates as serials + flag, text as text. */
static void test_xlsx_roster(void **state)
{
	struct rows *x = read_all(fixture("roster.xlsx"), NULL);
	struct rows *c = read_all(fixture("roster_utf8.csv"), NULL);
	struct ymd dx, dc;

	(void)state;
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->kind, SHEET_XLSX);
	assert_int_equal(x->n, 9);		/* title, header, 7 people; no second sheet */
	assert_string_equal(cell(x, 0, 0), "红旗村党总支党员花名册");
	assert_int_equal(x->ncells[0], 1);	/* merged title: the other cells are empty */
	assert_string_equal(cell(x, 1, 2), "身份证号码（必填）");
	assert_int_equal(header_match(people_headers, cell(x, 1, 2)), F_ID);
	assert_int_equal(header_match(people_headers, cell(x, 1, 4)), F_BIRTH);
	assert_int_equal(header_match(people_headers, cell(x, 1, 9)), F_FULL);
	assert_int_equal(x->num[4], 5);
	assert_int_equal(x->num[5], 7);		/* the empty row 6 is skipped, numbers kept */
	/* ID as text, birth date as a date cell */
	assert_string_equal(cell(x, 4, 2), "37010219900131032X");
	assert_int_equal(x->flags[4][2], 0);
	assert_string_equal(cell(x, 2, 4), "31111");
	assert_int_equal(x->flags[2][4], SHEET_CELL_NUMBER | SHEET_CELL_DATE);
	/* a phone stored as a number; 序号 as numbers */
	assert_string_equal(cell(x, 3, 6), "13912345678");
	assert_int_equal(x->flags[3][6], SHEET_CELL_NUMBER);
	assert_int_equal(x->flags[3][0], SHEET_CELL_NUMBER);
	/* formula: the cached value only */
	assert_string_equal(cell(x, 2, 12), "39");
	assert_int_equal(x->flags[2][12], SHEET_CELL_NUMBER | SHEET_CELL_FORMULA);
	/* rich-text runs joined; a newline inside a cell */
	assert_string_equal(cell(x, 5, 8), "1995年7月1日");
	assert_string_equal(cell(x, 3, 13), "调入\n2019年");
	assert_string_equal(cell(x, 4, 13), "说\"明\",含逗号");
	assert_true(x->flags[8][13] & SHEET_CELL_FORMULA_LIKE);
	/* an empty date cell in the middle of a row */
	assert_string_equal(cell(x, 6, 9), "");
	assert_string_equal(cell(x, 6, 10), "第一党支部");
	for (size_t i = 0; i < x->n; i++)
		for (size_t k = 0; k < x->ncells[i]; k++)
			assert_null(strstr(cell(x, i, k), "YEAR"));

	/* Every cell equals the CSV's; date cells parse to the CSV's typed dates. */
	assert_int_equal(c->n, x->n);
	for (size_t i = 0; i < x->n; i++) {
		assert_int_equal(x->num[i], c->num[i]);
		assert_int_equal(x->ncells[i], c->ncells[i]);
		for (size_t k = 0; k < x->ncells[i]; k++) {
			if (!(x->flags[i][k] & SHEET_CELL_DATE)) {
				assert_string_equal(cell(x, i, k), cell(c, i, k));
				continue;
			}
			assert_null(cell_parse_date(cell(x, i, k), 1, &dx, NULL));
			assert_null(cell_parse_date(cell(c, i, k), 0, &dc, NULL));
			assert_int_equal(dx.y, dc.y);
			assert_int_equal(dx.m, dc.m);
			assert_int_equal(dx.d, dc.d);
		}
	}
	/* the text dates in 入党时间 all parse */
	for (size_t i = 2; i < x->n; i++)
		assert_null(cell_parse_date(cell(x, i, 8), 0, &dx, NULL));
	rows_free(x);
	rows_free(c);
}

/* Hand-written parts: inline strings, gaps, rows without r, styles, escapes, cell types. */
static void test_xlsx_handmade(void **state)
{
	struct rows *r = read_all(fixture("handmade.xlsx"), NULL);
	struct ymd d;

	(void)state;
	assert_int_equal(r->rc, 0);
	assert_int_equal(r->n, 5);
	/* row 1: shared strings, a gap at B, rich-text runs */
	assert_int_equal(r->num[0], 1);
	assert_int_equal(r->ncells[0], 3);
	assert_string_equal(cell(r, 0, 0), "姓名");
	assert_string_equal(cell(r, 0, 1), "");
	assert_string_equal(cell(r, 0, 2), "出生日期 ");
	/* row 3: inline string; 14 and a custom 年月日 format are dates, [h]:mm:ss and 0.00 are not */
	assert_int_equal(r->num[1], 3);
	assert_string_equal(cell(r, 1, 0), "张三");
	assert_string_equal(cell(r, 1, 2), "44625");
	assert_int_equal(r->flags[1][2], SHEET_CELL_NUMBER | SHEET_CELL_DATE);
	assert_string_equal(cell(r, 1, 3), "31111.5");
	assert_int_equal(r->flags[1][3], SHEET_CELL_NUMBER | SHEET_CELL_DATE);
	assert_int_equal(r->flags[1][4], SHEET_CELL_NUMBER);
	assert_string_equal(cell(r, 1, 5), "12.5");
	assert_int_equal(r->flags[1][5], SHEET_CELL_NUMBER);
	/* row 4 (no r attributes): phonetic run dropped; h:mm is a time; built-in 31 is a date */
	assert_int_equal(r->num[2], 4);
	assert_string_equal(cell(r, 2, 0), "山田");
	assert_string_equal(cell(r, 2, 1), "");
	assert_int_equal(r->flags[2][2], SHEET_CELL_NUMBER);
	assert_int_equal(r->flags[2][3], SHEET_CELL_NUMBER | SHEET_CELL_DATE);
	/* row 5: t="str" formula, error value, ISO date cell, _x000D_ escapes, formula without value */
	assert_int_equal(r->num[3], 5);
	assert_int_equal(r->ncells[3], 5);
	assert_string_equal(cell(r, 3, 1), "姓名x");
	assert_int_equal(r->flags[3][1], SHEET_CELL_FORMULA);
	assert_string_equal(cell(r, 3, 2), "#DIV/0!");
	assert_int_equal(r->flags[3][2], SHEET_CELL_ERROR | SHEET_CELL_FORMULA);
	assert_string_equal(cell(r, 3, 3), "2022-03-05T00:00:00");
	assert_null(cell_parse_date(cell(r, 3, 3), 0, &d, NULL));
	assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20220305);
	assert_string_equal(cell(r, 3, 4), "一\r\n二_x0041_");
	/* row 6 holds only styled empty cells (one at XFD): skipped. Row 7: AA and AB. */
	assert_int_equal(r->num[4], 7);
	assert_int_equal(r->ncells[4], 28);
	assert_string_equal(cell(r, 4, 25), "");
	assert_string_equal(cell(r, 4, 26), "TRUE");
	assert_int_equal(r->flags[4][26], SHEET_CELL_BOOL);
	assert_string_equal(cell(r, 4, 27), "富文本");
	rows_free(r);
}

static void test_xlsx_date1904(void **state)
{
	struct rows *r = read_all(fixture("date1904.xlsx"), NULL);
	struct ymd d;

	(void)state;
	assert_int_equal(r->n, 1);
	/* 43163 in the 1904 system is 2022-03-05, i.e. 44625 in the 1900 system */
	assert_string_equal(cell(r, 0, 0), "44625");
	assert_null(cell_parse_date(cell(r, 0, 0), 1, &d, NULL));
	assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20220305);
	assert_string_equal(cell(r, 0, 1), "1562.75");
	rows_free(r);
}

/* ---- hostile files ----------------------------------------------------------- */

static void test_refuses_non_sheets(void **state)
{
	char nul[64] = "姓名,民族\n张三,汉";
	const char *dir = tmpfile_path("adir");

	(void)state;
	expect_open_fails(fixture("renamed_png.xlsx"), NULL, SHEET_EFORMAT, "图片文件（PNG）");
	expect_open_fails(fixture("renamed_elf.csv"), NULL, SHEET_EFORMAT, "可执行程序");
	expect_open_fails(fixture("old_excel.csv"), NULL, SHEET_EFORMAT, "旧版 Excel（.xls）");
	expect_open_fails(fixture("utf16.csv"), NULL, SHEET_EFORMAT, "UTF-16");
	expect_open_fails(fixture("bad_gb18030.csv"), NULL, SHEET_EFORMAT,
			  "既不是有效的 UTF-8 文本，也不是有效的 GB18030 文本（第 2 行附近");
	expect_open_fails(fixture("not_xlsx.zip.xlsx"), NULL, SHEET_EFORMAT, "没有 Excel 工作簿");
	expect_open_fails(write_tmp("nul.csv", nul, 40), NULL, SHEET_EFORMAT, "NUL");
	expect_open_fails(write_tmp_str("pdf.csv", "%PDF-1.7\n"), NULL, SHEET_EFORMAT, "PDF");
	expect_open_fails(write_tmp_str("bombom.csv", "\xef\xbb\xbf" "ok\n\xd5\xc5\n"), NULL,
			  SHEET_EFORMAT, "第 2 行有无效的 UTF-8");
	expect_open_fails(write_tmp_str("cut.csv", "a,b\n\xd5"), NULL, SHEET_EFORMAT, "GB18030");
	expect_open_fails(write_tmp_str("zip.xlsx", "PK\x03\x04 not really a zip"), NULL,
			  SHEET_EFORMAT, "压缩包已损坏");
	expect_open_fails(write_tmp_str("empty.csv", ""), NULL, SHEET_EFORMAT, "文件是空的");
	expect_open_fails(tmpfile_path("missing.csv"), NULL, SHEET_EIO, "无法打开文件");
	assert_int_equal(mkdir(dir, 0700), 0);
	expect_open_fails(dir, NULL, SHEET_EIO, "不是普通文件");
	rmdir(dir);
	assert_int_equal(mkfifo(tmpfile_path("fifo.csv"), 0600), 0);	/* must not block */
	expect_open_fails(tmpfile_path("fifo.csv"), NULL, SHEET_EIO, "不是普通文件");
	unlink(tmpfile_path("fifo.csv"));
}

static void test_refuses_bombs(void **state)
{
	(void)state;
	/* 180 MB of zeros in 180 KB: the declared ratio is refused before inflating anything */
	expect_open_fails(fixture("zipbomb.xlsx"), NULL, SHEET_ELIMIT, "压缩比超过 100:1");
	/* 20 MB that claims to be 2 KB: refused when the inflated bytes pass the claim */
	expect_read_fails(fixture("zipbomb_lying.xlsx"), NULL, SHEET_ELIMIT, "比声明的大小更大");
	/* entity expansion, in the shared strings (at open) and in the sheet (when read) */
	expect_open_fails(fixture("billion_laughs.xlsx"), NULL, SHEET_EFORMAT, "DOCTYPE");
	expect_read_fails(fixture("doctype_sheet.xlsx"), NULL, SHEET_EFORMAT, "DOCTYPE");
	expect_read_fails(fixture("bad_sst_index.xlsx"), NULL, SHEET_EFORMAT, "共享字符串编号“7”超出范围");
}

/* ---- limits ------------------------------------------------------------------ */

static void test_limit_messages(void **state)
{
	struct sheet_limits lim;
	const char *big = tmpfile_path("big.csv");
	FILE *f;

	(void)state;
	/* file size, default 10 MB (a sparse 11 MB file) */
	f = fopen(big, "wb");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 11 * 1024 * 1024), 0);
	fclose(f);
	expect_open_fails(big, NULL, SHEET_ELIMIT, "文件超过 10 MB 上限");
	unlink(big);
	memset(&lim, 0, sizeof lim);
	lim.max_file_bytes = 4096;
	expect_open_fails(fixture("roster.xlsx"), &lim, SHEET_ELIMIT, "文件超过 4 KB 上限");

	/* rows: data rows after the first row */
	memset(&lim, 0, sizeof lim);
	lim.max_rows = 3;
	expect_read_fails(fixture("roster_gb18030.csv"), &lim, SHEET_ELIMIT, "行数超过 3 行上限");
	expect_read_fails(fixture("roster.xlsx"), &lim, SHEET_ELIMIT, "行数超过 3 行上限");
	lim.max_rows = 8;	/* exactly enough */
	{
		struct rows *r = read_all(fixture("roster.xlsx"), &lim);

		assert_int_equal(r->rc, 0);
		assert_int_equal(r->n, 9);
		rows_free(r);
	}

	/* columns */
	memset(&lim, 0, sizeof lim);
	lim.max_cols = 5;
	expect_read_fails(fixture("roster_utf8.csv"), &lim, SHEET_ELIMIT,
			  "第 2 行：列数超过 5 列上限（F 列有内容）");
	expect_read_fails(fixture("roster.xlsx"), &lim, SHEET_ELIMIT,
			  "第 2 行：列数超过 5 列上限（F 列有内容）");

	/* cell bytes: the default 32 KB, and small caps on each path */
	expect_read_fails(fixture("big_cell.csv"), NULL, SHEET_ELIMIT,
			  "第 2 行 B 列：单元格内容超过 32 KB 上限");
	memset(&lim, 0, sizeof lim);
	lim.max_cell_bytes = 3;
	expect_read_fails(fixture("date1904.xlsx"), &lim, SHEET_ELIMIT,
			  "第 1 行 A 列：单元格内容超过 3 字节 上限");
	lim.max_cell_bytes = 20;
	expect_open_fails(fixture("roster.xlsx"), &lim, SHEET_ELIMIT,
			  "共享字符串第 1 条超过单元格 20 字节 上限");

	/* uncompressed total */
	memset(&lim, 0, sizeof lim);
	lim.max_xlsx_bytes = 8192;
	expect_open_fails(fixture("roster.xlsx"), &lim, SHEET_ELIMIT, "xlsx 解压后的内容超过 8 KB 上限");
	expect_open_fails(fixture("zipbomb.xlsx"), NULL, SHEET_ELIMIT, "疑似压缩炸弹");

	/* shared strings, by the declared count */
	memset(&lim, 0, sizeof lim);
	lim.max_shared_strings = 10;
	expect_open_fails(fixture("roster.xlsx"), &lim, SHEET_ELIMIT, "共享字符串超过 10 条上限");
}

/* ---- a generated xlsx (libzip) -------------------------------------------- */

static const char *CT_XML =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
static const char *ROOT_RELS =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
/* Three sheets: a chart sheet, a hidden worksheet, then the visible one to read. */
static const char *WB_XML =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><x:workbook xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><x:sheets>"
	"<x:sheet name=\"图\" sheetId=\"1\" r:id=\"rId9\"/><x:sheet name=\"隐藏\" sheetId=\"2\" state=\"hidden\" r:id=\"rId8\"/>"
	"<x:sheet name=\"数据\" sheetId=\"3\" r:id=\"rId7\"/></x:sheets></x:workbook>";
static const char *WB_RELS =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet\" Target=\"chartsheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId8\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/hidden.xml\"/>"
	"<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"./data/../worksheets/data.xml\"/>"
	"<Relationship Id=\"rId6\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"/xl/strings.xml\"/>"
	"<Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
	"<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"http://example.invalid/\" TargetMode=\"External\"/>"
	"</Relationships>";
static const char *STYLES_XML =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	"<cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>";
/* No uniqueCount: the limit is enforced by counting. */
static const char *SST_XML =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	"<si><t>姓名</t></si><si><t>民族</t></si><si><t>汉族</t></si><si><t>回族</t></si><si><t>出生日期</t></si></sst>";
static const char *HIDDEN_XML =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	"<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>hidden</t></is></c></row></sheetData></worksheet>";

static void zip_add_text(zip_t *z, const char *name, const char *text)
{
	zip_source_t *src = zip_source_buffer(z, text, strlen(text), 0);

	assert_non_null(src);
	assert_true(zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) >= 0);
}

/* Write an xlsx whose data sheet has a header and `rows` data rows (sheet XML via a temp file). */
static const char *make_xlsx(const char *name, long rows)
{
	char xml[512], path[512];
	zip_source_t *src;
	FILE *f;
	zip_t *z;
	int zerr;

	snprintf(xml, sizeof xml, "%s", tmpfile_path("data.xml"));
	f = fopen(xml, "wb");
	assert_non_null(f);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/"
	      "spreadsheetml/2006/main\"><sheetData>"
	      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
	      "<c r=\"C1\" t=\"s\"><v>4</v></c><c r=\"D1\" t=\"inlineStr\"><is><t>编号</t></is></c></row>", f);
	for (long i = 1; i <= rows; i++)
		fprintf(f, "<row r=\"%ld\"><c r=\"A%ld\" t=\"inlineStr\"><is><t>党员%ld</t></is></c>"
			"<c r=\"B%ld\" t=\"s\"><v>%ld</v></c><c r=\"C%ld\" s=\"1\"><v>%ld</v></c>"
			"<c r=\"D%ld\"><v>%ld</v></c><c r=\"E%ld\" t=\"inlineStr\"><is><t>第%ld行：%ld 年度民主评议"
			"合格，参加三会一课 %ld 次，%ld</t></is></c></row>",
			i + 1, i + 1, i, i + 1, 2 + i % 2, i + 1, 25569 + i % 20000, i + 1, i,
			i + 1, i, i * 7 % 1000, i % 37, i * 13);
	fputs("</sheetData></worksheet>", f);
	assert_int_equal(fclose(f), 0);

	snprintf(path, sizeof path, "%s", tmpfile_path(name));
	unlink(path);
	z = zip_open(path, ZIP_CREATE | ZIP_EXCL, &zerr);
	assert_non_null(z);
	zip_add_text(z, "[Content_Types].xml", CT_XML);
	zip_add_text(z, "_rels/.rels", ROOT_RELS);
	zip_add_text(z, "xl/workbook.xml", WB_XML);
	zip_add_text(z, "xl/_rels/workbook.xml.rels", WB_RELS);
	zip_add_text(z, "xl/styles.xml", STYLES_XML);
	zip_add_text(z, "xl/strings.xml", SST_XML);
	zip_add_text(z, "xl/worksheets/hidden.xml", HIDDEN_XML);
	src = zip_source_file(z, xml, 0, 0);
	assert_non_null(src);
	assert_true(zip_file_add(z, "xl/worksheets/data.xml", src, 0) >= 0);
	if (zip_close(z) != 0)
		fail_msg("zip_close: %s", zip_strerror(z));
	unlink(xml);
	return tmpfile_path(name);
}

static void test_xlsx_generated(void **state)
{
	struct sheet_limits lim;
	struct rows *r;

	(void)state;
	r = read_all(make_xlsx("small.xlsx", 5), NULL);
	assert_int_equal(r->rc, 0);
	assert_int_equal(r->n, 6);
	assert_string_equal(cell(r, 0, 0), "姓名");		/* the visible sheet, not "hidden" */
	assert_string_equal(cell(r, 0, 2), "出生日期");
	assert_string_equal(cell(r, 0, 3), "编号");
	assert_string_equal(cell(r, 3, 0), "党员3");
	assert_string_equal(cell(r, 3, 1), "回族");
	assert_string_equal(cell(r, 3, 2), "25572");
	assert_int_equal(r->flags[3][2], SHEET_CELL_NUMBER | SHEET_CELL_DATE);
	assert_int_equal(r->flags[3][3], SHEET_CELL_NUMBER);
	rows_free(r);

	memset(&lim, 0, sizeof lim);
	lim.max_shared_strings = 4;
	expect_open_fails(tmpfile_path("small.xlsx"), &lim, SHEET_ELIMIT, "共享字符串超过 4 条上限");
	unlink(tmpfile_path("small.xlsx"));
}

/* ---- streaming ----------------------------------------------------------------- */

/* Resident memory now, in bytes (from /proc/self/statm). */
static long rss_now(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * sysconf(_SC_PAGESIZE);
}

static long maxrss_bytes(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss * 1024L;
}

/*
 * Read a 100,000-row file and check that memory does not grow with rows:
 * neither resident memory sampled while reading nor the peak may rise by
 * 20 MB (the files are 8-35 MB of text).
 */
static void stream_check(const char *path, const char *first_cell)
{
	struct sheet_limits lim;
	struct sheet_error e;
	struct sheet_row row;
	struct sheet *s;
	struct stat st;
	long before, peak_before, high = 0, now;
	uint64_t done, total, mid_done = 0;
	size_t n = 0, last = 0;
	char want[32];
	int rc;

	assert_int_equal(stat(path, &st), 0);
	memset(&lim, 0, sizeof lim);
	lim.max_file_bytes = 64u * 1024 * 1024;
	before = rss_now();
	peak_before = maxrss_bytes();
	s = sheet_open(path, &lim, &e);
	if (!s)
		fail_msg("%s: %s", path, e.msg);
	while ((rc = sheet_next(s, &row, &e)) == 1) {
		n++;
		if (n == 1) {
			assert_string_equal(row.cells[0].text, first_cell);
			continue;
		}
		snprintf(want, sizeof want, "党员%zu", n - 1);
		assert_string_equal(row.cells[0].text, want);
		last = row.num;
		if (n % 1000 == 0) {
			now = rss_now();
			if (now > high)
				high = now;
		}
		if (n == 50000) {
			sheet_progress(s, &done, &total);
			mid_done = done;
			assert_true(done > 0 && done < total);
		}
	}
	if (rc < 0)
		fail_msg("%s: %s", path, e.msg);
	assert_int_equal(n, 100001);
	assert_int_equal(last, 100001);
	sheet_progress(s, &done, &total);
	assert_true(done == total && total > mid_done);
	sheet_close(s);
	if (getenv("ZHIBU_SHEET_VERBOSE"))
		fprintf(stderr, "%s (%lld bytes, %llu read): resident +%ld KB, peak +%ld KB\n", path,
			(long long)st.st_size, (unsigned long long)total, (high - before) / 1024,
			(maxrss_bytes() - peak_before) / 1024);
	if (high - before > 20L * 1024 * 1024)
		fail_msg("resident memory grew by %ld bytes while streaming %s", high - before, path);
	if (maxrss_bytes() - peak_before > 20L * 1024 * 1024)
		fail_msg("peak memory grew by %ld bytes while streaming %s",
			 maxrss_bytes() - peak_before, path);
}

static void test_stream_100k_csv(void **state)
{
	const char *path = tmpfile_path("100k.csv");
	FILE *f = fopen(path, "wb");

	(void)state;
	assert_non_null(f);
	fputs("姓名,身份证号码,出生日期,备注\r\n", f);
	/* about 270 bytes a row, 27 MB in all: more than the 20 MB a leak would need */
	for (long i = 1; i <= 100000; i++)
		fprintf(f, "党员%ld,37010219850305%04ld,1985-03-05,\"第%ld行, 含\"\"引号\"\"\n"
			"和换行；%ld 年度民主评议结果：合格；参加三会一课 %ld 次；%ld 备注备注备注备注备注"
			"备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注"
			"%ld\"\r\n", i, i % 10000, i, i * 7 % 1000, i % 37, i * 13, i * 31);
	assert_int_equal(fclose(f), 0);
	stream_check(path, "姓名");
	unlink(path);
}

static void test_stream_100k_xlsx(void **state)
{
	(void)state;
	stream_check(make_xlsx("100k.xlsx", 100000), "姓名");
	unlink(tmpfile_path("100k.xlsx"));
}

/* ---- reader contract ------------------------------------------------------------ */

static void test_sticky_end_and_error(void **state)
{
	struct sheet_error e;
	struct sheet_row row;
	struct sheet *s;

	(void)state;
	s = sheet_open(write_tmp_str("one.csv", "a\n"), NULL, &e);
	assert_non_null(s);
	assert_int_equal(sheet_next(s, &row, &e), 1);
	assert_int_equal(sheet_next(s, &row, &e), 0);
	assert_int_equal(sheet_next(s, &row, &e), 0);
	assert_int_equal(e.code, SHEET_OK);
	sheet_close(s);

	s = sheet_open(write_tmp_str("bad.csv", "a\n\"b\n"), NULL, &e);
	assert_non_null(s);
	assert_int_equal(sheet_next(s, &row, &e), 1);
	assert_int_equal(sheet_next(s, &row, &e), -1);
	assert_int_equal(e.code, SHEET_EFORMAT);
	memset(&e, 0, sizeof e);
	assert_int_equal(sheet_next(s, &row, &e), -1);
	assert_non_null(strstr(e.msg, "引号没有闭合"));
	sheet_close(s);
	sheet_close(NULL);
}

static int setup_all(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/zhibu-sheet-XXXXXX", base ? base : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_all(void **state)
{
	static const char *files[] = {
		"q.csv", "le.csv", "end.csv", "blank.csv", "open.csv", "t.txt", "c.csv", "bom.csv",
		"bomonly.csv", "gbchunks.csv", "nul.csv", "pdf.csv", "bombom.csv", "cut.csv",
		"zip.xlsx", "empty.csv", "one.csv", "bad.csv", "big.csv", "data.xml", "small.xlsx",
		"100k.csv", "100k.xlsx", "fifo.csv",
	};

	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(tmpfile_path(files[i]));
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_forms),
		cmocka_unit_test(test_date_bad),
		cmocka_unit_test(test_excel_serials),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_header_match),
		cmocka_unit_test(test_formula_like),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_delimiter_and_bom),
		cmocka_unit_test(test_csv_encodings),
		cmocka_unit_test(test_csv_formula_injection),
		cmocka_unit_test(test_csv_gb18030_chunks),
		cmocka_unit_test(test_xlsx_roster),
		cmocka_unit_test(test_xlsx_handmade),
		cmocka_unit_test(test_xlsx_date1904),
		cmocka_unit_test(test_refuses_non_sheets),
		cmocka_unit_test(test_refuses_bombs),
		cmocka_unit_test(test_limit_messages),
		cmocka_unit_test(test_xlsx_generated),
		cmocka_unit_test(test_stream_100k_csv),
		cmocka_unit_test(test_stream_100k_xlsx),
		cmocka_unit_test(test_sticky_end_and_error),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
