/* test_dues.c - the dues brackets (党费) at their edges, fixed amounts, rounding modes and units. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../src/modules/members/members_internal.h"

/* The seeded rules of migrations/0015_members.sql (rows out of order on purpose). */
static const struct dues_rule rules[] = {
	{ "in_service", 4, 0, 0, 200, 0 },
	{ "in_service", 1, 1, 300000, 50, 0 },
	{ "in_service", 2, 1, 500000, 100, 0 },
	{ "in_service", 3, 1, 1000000, 150, 0 },
	{ "retired", 1, 1, 500000, 50, 0 },
	{ "retired", 2, 0, 0, 100, 0 },
	{ "farmer", 1, 0, 0, 0, 50 },
	{ "student", 1, 0, 0, 0, 20 },
};
#define NR (sizeof(rules) / sizeof(rules[0]))

static int64_t fee(const char *cat, int64_t base)
{
	return dues_monthly(rules, NR, cat, base, DUES_HALF_UP, 1);
}

static void in_service_edges(void **state)
{
	(void)state;
	assert_int_equal(fee("in_service", 0), 0);
	assert_int_equal(fee("in_service", 300000), 1500);	/* 3,000.00 yuan: 0.5% = 15 yuan */
	assert_int_equal(fee("in_service", 300001), 3000);	/* one fen above: 1% of 3,000.01 = 30.0001 */
	assert_int_equal(fee("in_service", 500000), 5000);	/* 5,000: 1% */
	assert_int_equal(fee("in_service", 500001), 7500);	/* 1.5% of 5,000.01 = 75.00015 */
	assert_int_equal(fee("in_service", 1000000), 15000);	/* 10,000: 1.5% */
	assert_int_equal(fee("in_service", 1000001), 20000);	/* 2% of 10,000.01 = 200.0002 */
	assert_int_equal(fee("in_service", 2345678), 46914);	/* 2% of 23,456.78 = 469.1356 */
}

static void retired_and_fixed(void **state)
{
	(void)state;
	assert_int_equal(fee("retired", 500000), 2500);
	assert_int_equal(fee("retired", 500001), 5000);
	assert_int_equal(fee("farmer", 0), 50);
	assert_int_equal(fee("farmer", 9999999), 50);
	assert_int_equal(fee("student", 123), 20);
	assert_int_equal(fee("nobody", 100), -1);
	assert_int_equal(fee("in_service", -1), -1);
}

static void rounding_modes_and_units(void **state)
{
	(void)state;
	/* 0.5% of 2,345.67 yuan = 11.72835 yuan = 1172.835 fen */
	assert_int_equal(dues_monthly(rules, NR, "in_service", 234567, DUES_HALF_UP, 1), 1173);
	assert_int_equal(dues_monthly(rules, NR, "in_service", 234567, DUES_DOWN, 1), 1172);
	assert_int_equal(dues_monthly(rules, NR, "in_service", 234567, DUES_UP, 1), 1173);
	/* to the jiao and to the yuan */
	assert_int_equal(dues_monthly(rules, NR, "in_service", 234567, DUES_HALF_UP, 10), 1170);
	assert_int_equal(dues_monthly(rules, NR, "in_service", 234567, DUES_UP, 10), 1180);
	assert_int_equal(dues_monthly(rules, NR, "in_service", 234567, DUES_HALF_UP, 100), 1200);
	assert_int_equal(dues_monthly(rules, NR, "in_service", 234567, DUES_DOWN, 100), 1100);
	/* exactly half a fen rounds up in half_up: 0.5% of 1.00 yuan = 0.5 fen */
	assert_int_equal(dues_monthly(rules, NR, "in_service", 100, DUES_HALF_UP, 1), 1);
	assert_int_equal(dues_monthly(rules, NR, "in_service", 100, DUES_DOWN, 1), 0);
	/* exact amounts are not moved by UP */
	assert_int_equal(dues_monthly(rules, NR, "in_service", 200000, DUES_UP, 1), 1000);
	/* a bad unit falls back to the fen */
	assert_int_equal(dues_monthly(rules, NR, "in_service", 234567, DUES_HALF_UP, 7), 1173);
	assert_int_equal(dues_rounding_parse("half_up"), DUES_HALF_UP);
	assert_int_equal(dues_rounding_parse("down"), DUES_DOWN);
	assert_int_equal(dues_rounding_parse("up"), DUES_UP);
	assert_int_equal(dues_rounding_parse("bankers"), -1);
	assert_int_equal(dues_rounding_parse(NULL), -1);
}

static void bounded_last_row(void **state)
{
	/* a region that bounds every row: a base above them all takes the highest bracket */
	static const struct dues_rule r[] = { { "x", 1, 1, 100000, 50, 0 }, { "x", 2, 1, 200000, 100, 0 } };

	(void)state;
	assert_int_equal(dues_monthly(r, 2, "x", 100000, DUES_HALF_UP, 1), 500);
	assert_int_equal(dues_monthly(r, 2, "x", 300000, DUES_HALF_UP, 1), 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_service_edges),
		cmocka_unit_test(retired_and_fixed),
		cmocka_unit_test(rounding_modes_and_units),
		cmocka_unit_test(bounded_last_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
