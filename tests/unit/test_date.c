/* test_date.c - unit tests for date parsing, day arithmetic, timestamps and clocks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "../../src/base/date.h"

static void test_leap_years(void **state)
{
	(void)state;
	assert_true(date_valid(2024, 2, 29));
	assert_true(date_valid(2000, 2, 29));	/* divisible by 400 */
	assert_false(date_valid(1900, 2, 29));	/* divisible by 100 */
	assert_false(date_valid(2100, 2, 29));
	assert_false(date_valid(2023, 2, 29));
	assert_true(date_valid(2023, 2, 28));
	assert_true(date_valid(2023, 4, 30));
	assert_false(date_valid(2023, 4, 31));
	assert_true(date_valid(2023, 12, 31));
	assert_false(date_valid(2023, 13, 1));
	assert_false(date_valid(2023, 0, 1));
	assert_false(date_valid(2023, 1, 0));
	assert_false(date_valid(2023, 1, 32));
}

static void test_parse_good(void **state)
{
	struct ymd d = { 0, 0, 0 };

	(void)state;
	assert_int_equal(date_parse_iso("2024-02-29", &d), 0);
	assert_int_equal(d.y, 2024);
	assert_int_equal(d.m, 2);
	assert_int_equal(d.d, 29);
	assert_int_equal(date_parse_iso("1900-01-01", &d), 0);
	assert_int_equal(date_parse_iso("2200-12-31", &d), 0);
	assert_int_equal(d.y, 2200);
	assert_int_equal(date_parse_iso("2000-02-29", NULL), 0);
}

static void test_parse_bad(void **state)
{
	static const char *bad[] = {
		"2022-2-5", "2022-02-5", "2022-2-05", "2022-02-30", "2023-02-29",
		"1900-02-29", "1899-12-31", "2201-01-01", "2022-13-01", "2022-00-10",
		"2022-01-00", "2022/02/05", "2022-02-05 ", " 2022-02-05", "2022-02-05T00:00:00Z",
		"20220205", "22-02-05", "+022-02-05", "2022-0a-05", "2022--2-05", "", "2022-02-0",
	};
	struct ymd d = { 7, 7, 7 };

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (date_parse_iso(bad[i], &d) != -1)
			fail_msg("accepted %s", bad[i]);
	}
	assert_int_equal(date_parse_iso(NULL, &d), -1);
	assert_int_equal(d.y, 7);	/* out untouched on failure */
}

static void test_known_days(void **state)
{
	(void)state;
	assert_int_equal(date_to_days((struct ymd){ 1970, 1, 1 }), 0);
	assert_int_equal(date_to_days((struct ymd){ 1969, 12, 31 }), -1);
	assert_int_equal(date_to_days((struct ymd){ 2000, 2, 29 }), 11016);
	assert_int_equal(date_to_days((struct ymd){ 2000, 3, 1 }), 11017);
	assert_int_equal(date_to_days((struct ymd){ 1900, 1, 1 }), -25567);
	assert_int_equal(date_to_days((struct ymd){ 2026, 11, 29 }), 20786);
	assert_int_equal(date_to_days((struct ymd){ 2200, 12, 31 }), 84370);
}

/* Every day from 1900 to 2200: to_days and from_days invert each other and step by one. */
static void test_round_trip(void **state)
{
	int64_t first = date_to_days((struct ymd){ 1900, 1, 1 });
	int64_t last = date_to_days((struct ymd){ 2200, 12, 31 });
	struct ymd prev = date_from_days(first - 1);

	(void)state;
	assert_int_equal(prev.y, 1899);
	assert_int_equal(prev.m, 12);
	assert_int_equal(prev.d, 31);
	for (int64_t z = first; z <= last; z++) {
		struct ymd d = date_from_days(z);

		assert_true(date_valid(d.y, d.m, d.d));
		assert_int_equal(date_to_days(d), z);
		if (d.d == 1) {
			assert_true(d.m != prev.m);
		} else {
			assert_int_equal(d.d, prev.d + 1);
			assert_int_equal(d.m, prev.m);
		}
		prev = d;
	}
	assert_int_equal(prev.y, 2200);
}

static void test_format(void **state)
{
	char out[11];
	struct ymd d;

	(void)state;
	date_format((struct ymd){ 2024, 2, 9 }, out);
	assert_string_equal(out, "2024-02-09");
	date_format((struct ymd){ 1900, 12, 31 }, out);
	assert_string_equal(out, "1900-12-31");
	assert_int_equal(date_parse_iso("2031-07-01", &d), 0);
	date_format(d, out);
	assert_string_equal(out, "2031-07-01");
}

static void test_ts_format(void **state)
{
	char out[21];

	(void)state;
	ts_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	ts_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	ts_format(951782400, out);
	assert_string_equal(out, "2000-02-29T00:00:00Z");
	ts_format(1700000000, out);
	assert_string_equal(out, "2023-11-14T22:13:20Z");
	ts_format(INT64_MAX, out);	/* clamped, never overflows the buffer */
	assert_string_equal(out, "9999-12-31T23:59:59Z");
}

static void test_now(void **state)
{
	char out[21], expect[21];
	int64_t before, after;
	struct timespec ts;

	(void)state;
	before = time_now();
	ts_now(out);
	after = time_now();
	assert_int_equal(strlen(out), 20);
	ts_format(before, expect);
	if (strcmp(out, expect) != 0) {
		ts_format(after, expect);
		assert_string_equal(out, expect);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	assert_true(ts.tv_sec - after <= 1);
	assert_true(after >= before);
}

static void test_today_cn_is_utc_plus_8(void **state)
{
	int64_t before, after;
	struct ymd t, a, b;

	(void)state;
	before = time_now();
	t = date_today_cn();
	after = time_now();
	a = date_from_days((before + 8 * 3600) / 86400);
	b = date_from_days((after + 8 * 3600) / 86400);
	assert_true(date_to_days(t) == date_to_days(a) || date_to_days(t) == date_to_days(b));
}

/* Shanghai is UTC+8: 22:13 UTC is already the next day there; 15:59:59 UTC is not. */
static void test_cn_date_of_timestamp(void **state)
{
	struct ymd d;

	(void)state;
	d = date_cn_from_unix(1700000000);		/* 2023-11-14T22:13:20Z */
	assert_int_equal(d.y, 2023);
	assert_int_equal(d.m, 11);
	assert_int_equal(d.d, 15);
	d = date_cn_from_unix(1699977599);		/* 2023-11-14T15:59:59Z */
	assert_int_equal(d.d, 14);
	d = date_cn_from_unix(1699977600);		/* 2023-11-14T16:00:00Z */
	assert_int_equal(d.d, 15);
	d = date_cn_from_unix(-28801);			/* 1969-12-31T15:59:59Z */
	assert_int_equal(d.y, 1969);
	assert_int_equal(d.d, 31);
	d = date_cn_from_unix(-28800);			/* 1969-12-31T16:00:00Z */
	assert_int_equal(d.y, 1970);
	assert_int_equal(d.m, 1);
	assert_int_equal(d.d, 1);
}

static void test_monotonic(void **state)
{
	struct timespec pause = { 0, 30 * 1000000 };
	int64_t t0, t1;

	(void)state;
	t0 = time_mono_ms();
	nanosleep(&pause, NULL);
	t1 = time_mono_ms();
	assert_true(t0 > 0);
	assert_true(t1 - t0 >= 25);
	assert_true(t1 - t0 < 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_known_days),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_ts_format),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_today_cn_is_utc_plus_8),
		cmocka_unit_test(test_cn_date_of_timestamp),
		cmocka_unit_test(test_monotonic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
