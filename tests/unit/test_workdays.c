/* test_workdays.c - the grid module's pure helpers: working days, tracking codes, markup refusal, timestamps, medians. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../src/modules/grid/grid.h"
#include "../../src/base/date.h"

static int64_t day(const char *iso)
{
	struct ymd d;

	assert_int_equal(date_parse_iso(iso, &d), 0);
	return date_to_days(d);
}

static void assert_day(int64_t got, const char *want)
{
	char s[11];

	date_format(date_from_days(got), s);
	assert_string_equal(s, want);
}

static void test_day_of_week(void **state)
{
	(void)state;
	assert_int_equal(day_of_week(0), 4);			/* 1970-01-01 Thursday */
	assert_int_equal(day_of_week(-1), 3);			/* 1969-12-31 Wednesday */
	assert_int_equal(day_of_week(-7), 4);
	assert_int_equal(day_of_week(day("2022-01-01")), 6);	/* Saturday */
	assert_int_equal(day_of_week(day("2022-10-01")), 6);
	assert_int_equal(day_of_week(day("2026-11-29")), 0);	/* Sunday */
	assert_int_equal(day_of_week(day("2024-02-29")), 4);
}

static void test_add_skips_weekends(void **state)
{
	(void)state;
	/* Friday + 1 working day is Monday; + 5 is the next Friday */
	assert_day(workdays_add(day("2022-01-07"), 1, NULL, 0), "2022-01-10");
	assert_day(workdays_add(day("2022-01-07"), 5, NULL, 0), "2022-01-14");
	assert_day(workdays_add(day("2022-01-07"), 6, NULL, 0), "2022-01-17");
	/* received on a Saturday or Sunday: the first working day counts from Monday */
	assert_day(workdays_add(day("2022-01-08"), 1, NULL, 0), "2022-01-10");
	assert_day(workdays_add(day("2022-01-09"), 3, NULL, 0), "2022-01-12");
	/* n = 0: the day itself when a working day, else the next one */
	assert_day(workdays_add(day("2022-01-05"), 0, NULL, 0), "2022-01-05");
	assert_day(workdays_add(day("2022-01-08"), 0, NULL, 0), "2022-01-10");
	/* 20 working days = 4 weeks from a Monday */
	assert_day(workdays_add(day("2022-03-07"), 20, NULL, 0), "2022-04-04");
	/* across a month and a leap day */
	assert_day(workdays_add(day("2024-02-28"), 2, NULL, 0), "2024-03-01");
}

static void test_add_skips_holidays(void **state)
{
	int64_t h[7];

	(void)state;
	/* 元旦 observed on Monday 2022-01-03 */
	h[0] = day("2022-01-03");
	assert_day(workdays_add(day("2021-12-31"), 1, h, 1), "2022-01-04");
	assert_day(workdays_add(day("2021-12-31"), 1, NULL, 0), "2022-01-03");
	/* National Day week 2022-10-01..07: Friday 30 September + 1 is Monday 10 October */
	for (int i = 0; i < 7; i++)
		h[i] = day("2022-10-01") + i;
	assert_day(workdays_add(day("2022-09-30"), 1, h, 7), "2022-10-10");
	assert_day(workdays_add(day("2022-09-29"), 3, h, 7), "2022-10-11");
	/* a holiday on a weekend changes nothing */
	assert_day(workdays_add(day("2022-09-30"), 1, h, 2), "2022-10-03");
}

static void test_between(void **state)
{
	int64_t h[1];

	(void)state;
	assert_int_equal(workdays_between(day("2022-01-07"), day("2022-01-14"), NULL, 0), 5);
	assert_int_equal(workdays_between(day("2022-01-07"), day("2022-01-07"), NULL, 0), 0);
	assert_int_equal(workdays_between(day("2022-01-14"), day("2022-01-07"), NULL, 0), 0);
	assert_int_equal(workdays_between(day("2022-01-08"), day("2022-01-09"), NULL, 0), 0);
	h[0] = day("2022-01-10");
	assert_int_equal(workdays_between(day("2022-01-07"), day("2022-01-14"), h, 1), 4);
	/* add and between agree */
	for (int n = 0; n < 30; n++)
		assert_int_equal(workdays_between(day("2022-05-06"),
						  workdays_add(day("2022-05-06"), n, h, 1), h, 1), n);
}

static void test_code_make(void **state)
{
	char a[DEED_CODE_LEN + 1], b[DEED_CODE_LEN + 1], n[DEED_CODE_LEN + 1];

	(void)state;
	deed_code_make(a);
	deed_code_make(b);
	assert_int_equal(strlen(a), DEED_CODE_LEN);
	assert_true(DEED_CODE_LEN >= 10);
	assert_string_not_equal(a, b);
	for (int i = 0; i < DEED_CODE_LEN; i++)
		assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", a[i]));
	assert_int_equal(deed_code_normalize(a, n), 0);
	assert_string_equal(a, n);
}

static void test_code_normalize(void **state)
{
	char n[DEED_CODE_LEN + 1];

	(void)state;
	assert_int_equal(deed_code_normalize("abcd-efgh-jkmn", n), 0);
	assert_string_equal(n, "ABCDEFGHJKMN");
	assert_int_equal(deed_code_normalize(" 0O1I L2345 678 ", n), 0);
	assert_string_equal(n, "001112345678");
	assert_int_equal(deed_code_normalize("ABCDEFGHJKMU", n), -1);	/* U is not in the alphabet */
	assert_int_equal(deed_code_normalize("ABCDEFGHJKM", n), -1);	/* 11 */
	assert_int_equal(deed_code_normalize("ABCDEFGHJKMNP", n), -1);	/* 13 */
	assert_int_equal(deed_code_normalize("ABCD%EFGHJKM", n), -1);
	assert_int_equal(deed_code_normalize("", n), -1);
	assert_int_equal(deed_code_normalize(NULL, n), -1);
}

static void test_markup(void **state)
{
	(void)state;
	assert_true(text_has_markup("<script>alert(1)</script>"));
	assert_true(text_has_markup("路灯<img src=x onerror=alert(1)>坏了"));
	assert_true(text_has_markup("</b>"));
	assert_true(text_has_markup("a <!-- x -->"));
	assert_true(text_has_markup("<?php"));
	assert_true(text_has_markup("点这里 JavaScript:alert(1)"));
	assert_true(text_has_markup("<SCRIPT"));
	assert_false(text_has_markup("3<5，5>3"));
	assert_false(text_has_markup("＜script＞全角符号"));
	assert_false(text_has_markup("巷道路灯不亮，晚上出行不便"));
	assert_false(text_has_markup("<"));
	assert_false(text_has_markup("java script"));
	assert_false(text_has_markup(NULL));
}

static void test_control(void **state)
{
	(void)state;
	assert_false(text_has_control("第一行\n第二行\r\n\t缩进"));
	assert_true(text_has_control("a\x01"));
	assert_true(text_has_control("\x7f"));
	assert_true(text_has_control("\x1b[31m"));
	assert_false(text_has_control(NULL));
}

static void test_ts_parse(void **state)
{
	int64_t t = -1;

	(void)state;
	assert_int_equal(ts_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(ts_parse("2022-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 1640995200);
	assert_int_equal(ts_parse("2022-03-05T01:02:03Z", &t), 0);
	assert_int_equal(t, 1646442123);
	assert_int_equal(ts_parse("2022-01-01 00:00:00Z", &t), -1);
	assert_int_equal(ts_parse("2022-02-30T00:00:00Z", &t), -1);
	assert_int_equal(ts_parse("2022-01-01T24:00:00Z", &t), -1);
	assert_int_equal(ts_parse("2022-01-01T00:00:00", &t), -1);
	assert_int_equal(ts_parse("2022-01-01T0a:00:00Z", &t), -1);
	assert_int_equal(ts_parse(NULL, &t), -1);
}

static void test_median(void **state)
{
	int64_t a[] = { 5, 1, 3 }, b[] = { 4, 1, 3, 2 }, c[] = { 7 };

	(void)state;
	assert_true(median_i64(a, 3) == 3.0);
	assert_true(median_i64(b, 4) == 2.5);
	assert_true(median_i64(c, 1) == 7.0);
	assert_true(median_i64(NULL, 0) == 0.0);
	assert_int_equal(a[0], 1);	/* sorted in place */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_of_week),
		cmocka_unit_test(test_add_skips_weekends),
		cmocka_unit_test(test_add_skips_holidays),
		cmocka_unit_test(test_between),
		cmocka_unit_test(test_code_make),
		cmocka_unit_test(test_code_normalize),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_ts_parse),
		cmocka_unit_test(test_median),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
