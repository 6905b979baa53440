/* test_honours.c - the honours module's rules without a server: category tags, labels, and the notice period in working days against a real (in-memory) holidays table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../src/modules/honours/honours_internal.h"
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

static void test_tags(void **state)
{
	struct hcat c;

	(void)state;
	hcat_parse_tags("nominee_person,level_township,rule_party_member", &c);
	assert_string_equal(c.kind, "person");
	assert_string_equal(c.level, "township");
	assert_string_equal(c.rule, "party_member");
	hcat_parse_tags("nominee_household,level_banner", &c);
	assert_string_equal(c.kind, "household");
	assert_string_equal(c.level, "banner");
	assert_string_equal(c.rule, "");
	/* no nominee tag: people; an unknown kind is ignored; empty parts skipped */
	hcat_parse_tags(",nominee_robot,,rule_party_post,", &c);
	assert_string_equal(c.kind, "person");
	assert_string_equal(c.rule, "party_post");
	hcat_parse_tags(NULL, &c);
	assert_string_equal(c.kind, "person");
	assert_string_equal(c.level, "");
	hcat_parse_tags("nominee_org,two_committees", &c);
	assert_string_equal(c.kind, "org");
	/* a tag longer than the buffer is skipped, not truncated */
	hcat_parse_tags("rule_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,level_x", &c);
	assert_string_equal(c.rule, "");
	assert_string_equal(c.level, "x");
}

static void test_labels(void **state)
{
	(void)state;
	assert_string_equal(honour_kind_label("household"), "家庭");
	assert_string_equal(honour_status_label("withdrawn"), "已撤销");
	assert_string_equal(honour_status_label("awarded"), "已授予");
	assert_string_equal(round_status_label("notice"), "公示中");
	assert_string_equal(hcat_rule_label("party_member"), "须为正式党员");
	assert_string_equal(hcat_rule_label(""), "");
}

static void test_notice_period(void **state)
{
	struct db *db = NULL;
	int64_t a, b;

	(void)state;
	assert_int_equal(db_open(":memory:", &db), DB_OK);
	assert_int_equal(db_exec(db, "CREATE TABLE holidays (day TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '');"
				     "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"), DB_OK);
	/* Monday 2022-11-21: five working days end on Friday */
	honour_notice_period(db, day("2022-11-21"), 5, &a, &b);
	assert_day(a, "2022-11-21");
	assert_day(b, "2022-11-25");
	/* posted on a Saturday: it starts on Monday */
	honour_notice_period(db, day("2022-11-19"), 5, &a, &b);
	assert_day(a, "2022-11-21");
	assert_day(b, "2022-11-25");
	/* from a Thursday: the weekend is skipped */
	honour_notice_period(db, day("2022-11-24"), 5, &a, &b);
	assert_day(b, "2022-11-30");
	/* a holiday inside the period pushes the end */
	assert_int_equal(db_exec(db, "INSERT INTO holidays (day) VALUES ('2022-11-23'), ('2022-11-21')"), DB_OK);
	honour_notice_period(db, day("2022-11-21"), 5, &a, &b);
	assert_day(a, "2022-11-22");
	assert_day(b, "2022-11-29");
	/* one day: starts and ends on the same working day */
	honour_notice_period(db, day("2022-11-26"), 1, &a, &b);
	assert_day(a, "2022-11-28");
	assert_day(b, "2022-11-28");
	/* the minimum comes from the settings, 5 by default, a bad value ignored */
	assert_int_equal(honour_notice_min(db), 5);
	assert_int_equal(db_exec(db, "INSERT INTO settings VALUES ('honour_notice_min_days', '7')"), DB_OK);
	assert_int_equal(honour_notice_min(db), 7);
	assert_int_equal(db_exec(db, "UPDATE settings SET value = '7x'"), DB_OK);
	assert_int_equal(honour_notice_min(db), 5);
	db_close(db);
}

static void test_visible(void **state)
{
	struct scope s = { 1, { "/1/4/" } };

	(void)state;
	assert_true(hround_visible(&s, "/1/"));		/* a round of the township, seen by a branch */
	assert_true(hround_visible(&s, "/1/4/"));
	assert_false(hround_visible(&s, "/1/5/"));	/* another branch's round */
	assert_false(hround_visible(&s, "/2/"));	/* another township */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_notice_period),
		cmocka_unit_test(test_visible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
