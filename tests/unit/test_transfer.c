/* test_transfer.c - unit tests of the transfer module: org names and labels, error lines and texts, the error sheet. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/modules/transfer/transfer_internal.h"
#include "../../src/base/cellvalue.h"

/* ---- column names ---------------------------------------------------------- */

static void test_col_names(void **state)
{
	static const struct { size_t col; const char *name; } cases[] = {
		{ 0, "A" }, { 4, "E" }, { 25, "Z" }, { 26, "AA" }, { 27, "AB" }, { 51, "AZ" },
		{ 52, "BA" }, { 701, "ZZ" }, { 702, "AAA" }, { 16383, "XFD" },
	};
	char out[8];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		transfer_col_name(cases[i].col, out);
		assert_string_equal(out, cases[i].name);
	}
}

/* ---- the org index ----------------------------------------------------------- */

/*
 * 1 巴音敖包镇党委
 * ├─ 2 红柳湾村党总支 ─ 3 第一党小组
 * ├─ 4 新丰村党支部 ─── 5 第一党小组
 * ├─ 6 镇机关党支部
 * ├─ 7 镇机关党支部 (archived, same name)
 * └─ 8 （测试）支部
 */
static void tree(struct org_index *ix)
{
	static const struct { int64_t id, parent; const char *path, *name, *status; } v[] = {
		{ 5, 4, "/1/4/5/", "第一党小组", "active" },
		{ 1, 0, "/1/", "巴音敖包镇党委", "active" },
		{ 3, 2, "/1/2/3/", "第一党小组", "active" },
		{ 2, 1, "/1/2/", "红柳湾村党总支", "active" },
		{ 4, 1, "/1/4/", "新丰村党支部", "active" },
		{ 7, 1, "/1/7/", "镇机关党支部", "archived" },
		{ 6, 1, "/1/6/", "镇机关党支部", "active" },
		{ 8, 1, "/1/8/", "（测试）支部", "active" },
	};
	struct org o;

	memset(ix, 0, sizeof(*ix));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.id = v[i].id;
		o.parent_id = v[i].parent;
		snprintf(o.path, sizeof(o.path), "%s", v[i].path);
		snprintf(o.name, sizeof(o.name), "%s", v[i].name);
		snprintf(o.status, sizeof(o.status), "%s", v[i].status);
		assert_int_equal(org_index_add(ix, &o), 0);
	}
	assert_int_equal(org_index_finish(ix), 0);
}

/* Resolve text among paths: the id found, 0 for none, -count when ambiguous. */
static int64_t resolve(const struct org_index *ix, const char *text, const char *path)
{
	const char *paths[1] = { path };
	const struct org_ent *o;
	size_t count;
	int r = org_index_resolve(ix, text, paths, 1, &o, &count);

	if (r == 1) {
		assert_non_null(o);
		return o->id;
	}
	assert_null(o);
	return r == 0 ? 0 : -(int64_t)count;
}

static void test_org_resolve(void **state)
{
	struct org_index ix;

	(void)state;
	tree(&ix);
	assert_int_equal(org_index_get(&ix, 4)->parent, (size_t)(org_index_get(&ix, 1) - ix.v));
	assert_null(org_index_get(&ix, 99));
	assert_int_equal(resolve(&ix, "红柳湾村党总支", "/"), 2);
	/* a name that repeats: ambiguous, unless narrowed by its parent or by the subtree */
	assert_int_equal(resolve(&ix, "第一党小组", "/"), -2);
	assert_int_equal(resolve(&ix, "红柳湾村党总支/第一党小组", "/"), 3);
	assert_int_equal(resolve(&ix, "新丰村党支部／第一党小组", "/"), 5);	/* full-width slash */
	assert_int_equal(resolve(&ix, "巴音敖包镇党委/新丰村党支部/第一党小组", "/"), 5);
	assert_int_equal(resolve(&ix, "第一党小组", "/1/4/"), 5);
	assert_int_equal(resolve(&ix, "红柳湾村党总支/第一党小组", "/1/4/"), 0);
	assert_int_equal(resolve(&ix, "新丰村党支部/第一党小组", "/1/2/"), 0);
	/* the parent must be the immediate one */
	assert_int_equal(resolve(&ix, "巴音敖包镇党委/第一党小组", "/"), 0);
	/* an active org is preferred over an archived one of the same name */
	assert_int_equal(resolve(&ix, "镇机关党支部", "/"), 6);
	assert_int_equal(resolve(&ix, "镇机关党支部", "/1/7/"), 7);
	/* spaces and full-width forms do not count */
	assert_int_equal(resolve(&ix, "  镇机关 党支部\t", "/"), 6);
	assert_int_equal(resolve(&ix, "(测试)支部", "/"), 8);
	/* nothing, empty segments, absurd depth */
	assert_int_equal(resolve(&ix, "不存在的支部", "/"), 0);
	assert_int_equal(resolve(&ix, "", "/"), 0);
	assert_int_equal(resolve(&ix, "/第一党小组", "/"), 0);
	assert_int_equal(resolve(&ix, "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/第一党小组", "/"), 0);
	org_index_release(&ix);
}

static void test_org_labels(void **state)
{
	struct org_index ix;

	(void)state;
	tree(&ix);
	assert_string_equal(org_index_label(&ix, org_index_get(&ix, 2)), "红柳湾村党总支");
	assert_string_equal(org_index_label(&ix, org_index_get(&ix, 3)), "红柳湾村党总支/第一党小组");
	assert_string_equal(org_index_label(&ix, org_index_get(&ix, 5)), "新丰村党支部/第一党小组");
	assert_string_equal(org_index_label(&ix, org_index_get(&ix, 1)), "巴音敖包镇党委");
	/* same name and same parent: the whole path, and the active one reads back */
	assert_string_equal(org_index_label(&ix, org_index_get(&ix, 6)), "巴音敖包镇党委/镇机关党支部");
	/* every active org's label names it again: an export re-imports to the same org */
	for (size_t i = 0; i < ix.n; i++)
		if (ix.v[i].active)
			assert_int_equal(resolve(&ix, org_index_label(&ix, &ix.v[i]), "/"), ix.v[i].id);
	/* cached: the same pointer twice */
	assert_ptr_equal(org_index_label(&ix, org_index_get(&ix, 3)),
			 org_index_label(&ix, org_index_get(&ix, 3)));
	org_index_release(&ix);
}

/* ---- errors as text and as lines ------------------------------------------------ */

static void test_error_text(void **state)
{
	struct import_error e = { 12, 4, "身份证号码（必填）", "id_number", "x", "身份证号校验位错误" };
	char out[256];

	(void)state;
	import_error_text(&e, out, sizeof(out));
	assert_string_equal(out, "第12行 列E（身份证号码（必填））：身份证号校验位错误");
	e.col = -1;
	e.header = "政治面貌";
	import_error_text(&e, out, sizeof(out));
	assert_string_equal(out, "第12行（政治面貌）：身份证号校验位错误");
	e.header = "";
	e.reason = "这是模板中的示例行，请删除后再导入";
	import_error_text(&e, out, sizeof(out));
	assert_string_equal(out, "第12行：这是模板中的示例行，请删除后再导入");
}

/* 1 when s is well-formed UTF-8 (enough for the cut test: no broken sequences). */
static int utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 :
			(*p & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0)
			return 0;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static void test_error_lines(void **state)
{
	struct import_error_lines l;
	struct import_error e = { 3, 1, "姓\t名", "name", "", "姓名不能为空" };
	char *text = NULL, *big, line[8192];
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len), *in;

	(void)state;
	assert_non_null(fp);
	import_error_lines_init(&l, fp);
	import_error_lines_add(&l, &e);
	e.header = "身份证号";
	e.reason = "身份证号应为18位\n（不是17位）";
	import_error_lines_add(&l, &e);
	e.row = 5;
	e.header = "";
	e.reason = "该人员已归档";
	import_error_lines_add(&l, &e);
	/* one reason far longer than a line holds: cut at a whole character */
	big = malloc(6001);
	assert_non_null(big);
	for (int i = 0; i < 2000; i++)
		memcpy(big + 3 * i, "汉", 3);
	big[6000] = '\0';
	e.row = 9;
	e.header = "备注";
	e.reason = big;
	import_error_lines_add(&l, &e);
	assert_int_equal(import_error_lines_end(&l), 0);
	fclose(fp);
	free(big);

	in = fmemopen(text, len, "r");
	assert_non_null(in);
	assert_non_null(fgets(line, sizeof(line), in));
	assert_string_equal(line, "3\t姓 名：姓名不能为空；身份证号：身份证号应为18位 （不是17位）\n");
	assert_non_null(fgets(line, sizeof(line), in));
	assert_string_equal(line, "5\t该人员已归档\n");
	assert_non_null(fgets(line, sizeof(line), in));
	assert_true(strncmp(line, "9\t备注：汉汉", 14) == 0);
	assert_true(strlen(line) < 4096 + 8);
	assert_true(utf8_ok(line));
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_null(fgets(line, sizeof(line), in));
	fclose(in);
	free(text);
}

/* ---- the error sheet ----------------------------------------------------------------- */

/* A temporary file holding text; the path in out. */
static void temp_file(char *out, size_t n, const char *suffix, const char *text)
{
	FILE *fp;
	int fd;

	snprintf(out, n, "/tmp/zb_transfer_XXXXXX%s", suffix);
	fd = mkstemps(out, (int)strlen(suffix));
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Read the next row of s into row, asserting there is one. */
static void next_row(struct sheet *s, struct sheet_row *row)
{
	struct sheet_error e;

	assert_int_equal(sheet_next(s, row, &e), 1);
}

/*
 * A CSV upload with its errors written back as xlsx, read again with zhibu's
 * own reader: every row where it was, the reasons in the column after the
 * widest row, titled on the header row; formula-like text stays text.
 */
static void test_error_sheet_csv(void **state)
{
	char src[64], errs[64], out[64];
	struct sheet_error e;
	struct sheet_row row;
	struct sheet *s;

	(void)state;
	temp_file(src, sizeof(src), ".csv",
		  "花名册\n姓名,身份证号,备注\n张三,123,\n\n李四,370102198503050113,=cmd|' /C calc'!A0\n");
	temp_file(errs, sizeof(errs), ".txt", "3\t身份证号：身份证号应为18位\n");
	snprintf(out, sizeof(out), "/tmp/zb_transfer_out_%d.xlsx", (int)getpid());
	assert_int_equal(import_error_sheet(src, errs, 3, 2, out, "/tmp", &e), 0);

	s = sheet_open(out, NULL, &e);
	assert_non_null(s);
	assert_int_equal(sheet_kind(s), SHEET_XLSX);
	next_row(s, &row);
	assert_int_equal(row.num, 1);
	assert_string_equal(row.cells[0].text, "花名册");
	next_row(s, &row);
	assert_int_equal(row.num, 2);
	assert_int_equal(row.ncells, 4);
	assert_string_equal(row.cells[3].text, "错误原因");
	next_row(s, &row);
	assert_int_equal(row.num, 3);
	assert_string_equal(row.cells[1].text, "123");		/* CSV text stays text */
	assert_false(row.cells[1].flags & SHEET_CELL_NUMBER);
	assert_string_equal(row.cells[3].text, "身份证号：身份证号应为18位");
	next_row(s, &row);
	assert_int_equal(row.num, 5);				/* the empty row 4 is still counted */
	assert_int_equal(row.ncells, 3);			/* no reason on a good row */
	assert_string_equal(row.cells[1].text, "370102198503050113");
	assert_string_equal(row.cells[2].text, "=cmd|' /C calc'!A0");
	assert_false(row.cells[2].flags & SHEET_CELL_FORMULA);
	assert_true(row.cells[2].flags & SHEET_CELL_FORMULA_LIKE);
	assert_int_equal(sheet_next(s, &row, &e), 0);
	sheet_close(s);
	unlink(src);
	unlink(errs);
	unlink(out);
}

/* An xlsx upload keeps its kinds of cells: dates stay dates, numbers numbers. */
static void test_error_sheet_xlsx(void **state)
{
	char errs[64], out[64];
	struct sheet_error e;
	struct sheet_row row;
	struct sheet *s, *orig;
	struct ymd d;
	int rc;

	(void)state;
	temp_file(errs, sizeof(errs), ".txt", "3\t政治面貌：缺少“政治面貌”列\n9\t学历：学历“小学”无法识别\n");
	snprintf(out, sizeof(out), "/tmp/zb_transfer_out_%d.xlsx", (int)getpid());
	assert_int_equal(import_error_sheet("tests/fixtures/sheets/roster.xlsx", errs, 14, 2, out,
					    "/tmp", &e), 0);
	s = sheet_open(out, NULL, &e);
	orig = sheet_open("tests/fixtures/sheets/roster.xlsx", NULL, &e);
	assert_non_null(s);
	assert_non_null(orig);
	/* every row and cell as in the original, plus column O */
	while ((rc = sheet_next(orig, &row, &e)) == 1) {
		struct sheet_row copy;
		size_t num = row.num, n = row.ncells;
		char first[256];
		unsigned flags[32];

		snprintf(first, sizeof(first), "%s", row.cells[n > 1 ? 1 : 0].text);
		for (size_t i = 0; i < n && i < 32; i++)
			flags[i] = row.cells[i].flags & (SHEET_CELL_DATE | SHEET_CELL_NUMBER);
		next_row(s, &copy);
		assert_int_equal(copy.num, num);
		assert_string_equal(copy.cells[n > 1 ? 1 : 0].text, first);
		for (size_t i = 0; i < n && i < 32 && i < copy.ncells; i++)
			assert_int_equal(copy.cells[i].flags & (SHEET_CELL_DATE | SHEET_CELL_NUMBER),
					 flags[i]);
		if (num == 2)
			assert_string_equal(copy.cells[14].text, "错误原因");
		if (num == 3) {
			assert_string_equal(copy.cells[14].text, "政治面貌：缺少“政治面貌”列");
			/* 出生年月 of 张伟, a date cell */
			assert_true(copy.cells[4].flags & SHEET_CELL_DATE);
			assert_null(cell_parse_date(copy.cells[4].text, 1, &d, NULL));
			assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 19850305);
		}
		if (num == 9)
			assert_string_equal(copy.cells[14].text, "学历：学历“小学”无法识别");
		if (num != 2 && num != 3 && num != 9)
			assert_true(copy.ncells <= 14);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(sheet_next(s, &row, &e), 0);
	sheet_close(s);
	sheet_close(orig);
	unlink(errs);
	unlink(out);
}

/* A file that cannot be read gives its reason and no output. */
static void test_error_sheet_refused(void **state)
{
	char errs[64], out[64];
	struct sheet_error e;

	(void)state;
	temp_file(errs, sizeof(errs), ".txt", "2\tx\n");
	snprintf(out, sizeof(out), "/tmp/zb_transfer_out_%d.xlsx", (int)getpid());
	assert_int_equal(import_error_sheet("tests/fixtures/sheets/renamed_png.xlsx", errs, 3, 1, out,
					    "/tmp", &e), -1);
	assert_int_equal(e.code, SHEET_EFORMAT);
	assert_string_equal(e.msg, "这是图片文件（PNG），不是表格");
	assert_int_equal(access(out, F_OK), -1);
	assert_int_equal(import_error_sheet("tests/fixtures/sheets/roster.xlsx", "/nonexistent", 3, 1,
					    out, "/tmp", &e), -1);
	assert_int_equal(e.code, SHEET_EIO);
	unlink(errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_col_names),
		cmocka_unit_test(test_org_resolve),
		cmocka_unit_test(test_org_labels),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_error_lines),
		cmocka_unit_test(test_error_sheet_csv),
		cmocka_unit_test(test_error_sheet_xlsx),
		cmocka_unit_test(test_error_sheet_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
