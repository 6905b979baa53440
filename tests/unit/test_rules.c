/* test_rules.c - the rules engine's evaluator: period boundaries, leap years, grace days, one record for two rules, rule changes, speed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/modules/rules/rules.h"
#include "../../src/base/date.h"

static int64_t D(const char *s)
{
	struct ymd d;

	assert_int_equal(date_parse_iso(s, &d), 0);
	return date_to_days(d);
}

static void assert_period(enum rule_freq f, const char *day, const char *start, const char *end)
{
	int64_t s, e;

	rule_period_of(f, D(day), &s, &e);
	assert_int_equal(s, D(start));
	assert_int_equal(e, D(end));
}

static void test_periods(void **state)
{
	(void)state;
	assert_period(RULE_MONTHLY, "2022-01-01", "2022-01-01", "2022-01-31");
	assert_period(RULE_MONTHLY, "2022-02-15", "2022-02-01", "2022-02-28");
	assert_period(RULE_MONTHLY, "2024-02-29", "2024-02-01", "2024-02-29");	/* leap */
	assert_period(RULE_MONTHLY, "2000-02-10", "2000-02-01", "2000-02-29");	/* 400 rule */
	assert_period(RULE_MONTHLY, "2100-02-10", "2100-02-01", "2100-02-28");	/* 100 rule */
	assert_period(RULE_MONTHLY, "2022-12-31", "2022-12-01", "2022-12-31");
	assert_period(RULE_QUARTERLY, "2022-03-31", "2022-01-01", "2022-03-31");
	assert_period(RULE_QUARTERLY, "2022-04-01", "2022-04-01", "2022-06-30");
	assert_period(RULE_QUARTERLY, "2022-09-30", "2022-07-01", "2022-09-30");
	assert_period(RULE_QUARTERLY, "2022-11-11", "2022-10-01", "2022-12-31");
	assert_period(RULE_QUARTERLY, "2024-02-29", "2024-01-01", "2024-03-31");
	assert_period(RULE_YEARLY, "2024-06-01", "2024-01-01", "2024-12-31");
	assert_period(RULE_YEARLY, "2022-12-31", "2022-01-01", "2022-12-31");
	assert_int_equal(rule_list_has("branch,general_branch", "branch"), 1);
	assert_int_equal(rule_list_has("branch,general_branch", "general_branch"), 1);
	assert_int_equal(rule_list_has("general_branch", "branch"), 0);
	assert_int_equal(rule_list_has("", "party_group"), 1);
	assert_int_equal(rule_list_has("branch", NULL), 0);
}

static struct rule_req req(int64_t id, const char *what, enum rule_freq f, int count, int grace,
			   enum rule_severity sev)
{
	struct rule_req r = { id, "meeting", what, "branch", NULL, f, count, grace, sev,
			      D("2000-01-01"), RULE_OPEN_END };
	return r;
}

static const struct rule_org branch = { 7, "branch", "village" };

/* The cell of requirement q whose period starts on `start`, or fail. */
static const struct rule_cell *cell(const struct rule_result *res, size_t q, const char *start)
{
	for (size_t i = 0; i < res->ncells; i++)
		if (res->cells[i].req == q && res->cells[i].start == D(start))
			return &res->cells[i];
	fail_msg("no cell for requirement %zu at %s", q, start);
	return NULL;
}

static void test_monthly_grace_and_findings(void **state)
{
	struct rule_req reqs[] = { req(1, "branch_committee", RULE_MONTHLY, 1, 5, RULE_MEDIUM),
				   req(2, "theme_day", RULE_MONTHLY, 2, 0, RULE_LOW) };
	struct rule_record recs[] = {
		{ 7, "meeting", "branch_committee", D("2022-01-31") },	/* last day: in January */
		{ 7, "meeting", "branch_committee", D("2022-03-05") },	/* February's, late (grace 5) */
		{ 7, "meeting", "branch_committee", D("2022-04-06") },	/* March's grace over: counts for April */
		{ 7, "meeting", "theme_day", D("2022-01-10") },
		{ 7, "meeting", "theme_day", D("2022-01-20") },
		{ 7, "meeting", "theme_day", D("2022-02-10") },
		{ 8, "meeting", "branch_committee", D("2022-05-01") },	/* another org */
	};
	struct rule_result res;

	(void)state;
	assert_int_equal(rules_evaluate(reqs, 2, &branch, 1, recs, 7, D("2022-01-01"),
					D("2022-05-31"), D("2022-06-03"), 30, &res), 0);
	assert_int_equal(res.ncells, 10);
	assert_int_equal(cell(&res, 0, "2022-01-01")->finding, RF_NONE);
	assert_int_equal(cell(&res, 0, "2022-01-01")->done, 1);
	assert_int_equal(cell(&res, 0, "2022-02-01")->finding, RF_LATE);
	assert_int_equal(cell(&res, 0, "2022-02-01")->late, 1);
	assert_int_equal(cell(&res, 0, "2022-02-01")->done, 0);
	/* the 03-05 record was within February's grace, and is also March's: grace is only for late */
	assert_int_equal(cell(&res, 0, "2022-03-01")->done, 1);
	assert_int_equal(cell(&res, 0, "2022-03-01")->finding, RF_NONE);
	assert_int_equal(cell(&res, 0, "2022-04-01")->finding, RF_NONE);
	/* May ended 05-31, grace until 06-05: still pending on 06-03 */
	assert_int_equal(cell(&res, 0, "2022-05-01")->finding, RF_PENDING);
	assert_int_equal(cell(&res, 1, "2022-01-01")->finding, RF_NONE);
	assert_int_equal(cell(&res, 1, "2022-02-01")->finding, RF_INCOMPLETE);
	assert_int_equal(cell(&res, 1, "2022-02-01")->expected, 2);
	assert_int_equal(cell(&res, 1, "2022-03-01")->finding, RF_MISSING);
	/* idle: reference is 05-31, last record 04-06 */
	assert_int_equal(res.last_activity[0], D("2022-04-06"));
	assert_int_equal(res.idle[0], 1);
	rule_result_free(&res);

	/* on 06-06 May's grace is over: missing */
	assert_int_equal(rules_evaluate(reqs, 1, &branch, 1, recs, 7, D("2022-05-01"),
					D("2022-05-31"), D("2022-06-06"), 60, &res), 0);
	assert_int_equal(res.ncells, 1);
	assert_int_equal(res.cells[0].finding, RF_MISSING);
	assert_int_equal(res.idle[0], 0);
	rule_result_free(&res);
}

static void test_leap_february_and_quarters(void **state)
{
	struct rule_req reqs[] = { req(1, "branch_committee", RULE_MONTHLY, 1, 0, RULE_MEDIUM),
				   req(2, "branch_assembly", RULE_QUARTERLY, 1, 10, RULE_HIGH) };
	struct rule_record recs[] = {
		{ 7, "meeting", "branch_committee", D("2024-02-29") },
		{ 7, "meeting", "branch_assembly", D("2024-04-10") },	/* Q1 late, also Q2 */
		{ 7, "meeting", "branch_assembly", D("2024-10-11") },	/* Q3 grace is 10 days: not late */
	};
	struct rule_result res;

	(void)state;
	assert_int_equal(rules_evaluate(reqs, 2, &branch, 1, recs, 3, D("2024-02-01"),
					D("2024-12-31"), D("2025-06-01"), 30, &res), 0);
	assert_int_equal(cell(&res, 0, "2024-02-01")->finding, RF_NONE);
	assert_int_equal(cell(&res, 0, "2024-02-01")->end, D("2024-02-29"));
	assert_int_equal(cell(&res, 0, "2024-03-01")->finding, RF_MISSING);
	/* the range starts in February: Q1 is included whole */
	assert_int_equal(cell(&res, 1, "2024-01-01")->finding, RF_LATE);
	assert_int_equal(cell(&res, 1, "2024-04-01")->finding, RF_NONE);
	assert_int_equal(cell(&res, 1, "2024-07-01")->finding, RF_MISSING);
	assert_int_equal(cell(&res, 1, "2024-10-01")->finding, RF_NONE);
	rule_result_free(&res);
}

/* A 主题党日 that includes a 党课 is given as two records of one meeting; each rule counts its own. */
static void test_one_meeting_two_rules(void **state)
{
	struct rule_req reqs[] = { req(1, "theme_day", RULE_MONTHLY, 1, 0, RULE_MEDIUM),
				   req(2, "party_lesson", RULE_QUARTERLY, 1, 0, RULE_LOW),
				   req(3, "branch_assembly", RULE_QUARTERLY, 1, 0, RULE_HIGH) };
	struct rule_record recs[] = {
		{ 7, "meeting", "theme_day", D("2022-02-08") },
		{ 7, "meeting", "party_lesson", D("2022-02-08") },
	};
	struct rule_result res;

	(void)state;
	assert_int_equal(rules_evaluate(reqs, 3, &branch, 1, recs, 2, D("2022-02-01"),
					D("2022-02-28"), D("2023-01-01"), 30, &res), 0);
	assert_int_equal(cell(&res, 0, "2022-02-01")->finding, RF_NONE);
	assert_int_equal(cell(&res, 1, "2022-01-01")->finding, RF_NONE);
	assert_int_equal(cell(&res, 2, "2022-01-01")->finding, RF_MISSING);
	rule_result_free(&res);
}

/* Rules apply by kind and category; a rule of another subject is not satisfied by meetings. */
static void test_kinds_categories_subjects(void **state)
{
	struct rule_req reqs[] = { req(1, "group_meeting", RULE_MONTHLY, 1, 0, RULE_MEDIUM),
				   req(2, "branch_committee", RULE_MONTHLY, 1, 0, RULE_MEDIUM),
				   req(3, "branch_committee", RULE_MONTHLY, 1, 0, RULE_MEDIUM) };
	struct rule_org orgs[] = { { 7, "branch", "village" }, { 9, "party_group", NULL },
				   { 11, "branch", "community" } };
	struct rule_record recs[] = { { 9, "meeting", "group_meeting", D("2022-06-01") },
				      { 7, "meeting", "branch_committee", D("2022-06-02") } };
	struct rule_result res;

	(void)state;
	reqs[0].org_kinds = "party_group";
	reqs[1].org_categories = "community";
	reqs[2].subject = "disclosure";
	assert_int_equal(rules_evaluate(reqs, 3, orgs, 3, recs, 2, D("2022-06-01"), D("2022-06-30"),
					D("2023-01-01"), 30, &res), 0);
	/* org 7: only the disclosure rule; org 9: the group rule; org 11: both branch rules */
	assert_int_equal(res.ncells, 4);
	assert_int_equal(res.cells[0].org, 0);
	assert_int_equal(res.cells[0].req, 2);
	assert_int_equal(res.cells[0].finding, RF_MISSING);
	assert_int_equal(res.cells[1].org, 1);
	assert_int_equal(res.cells[1].finding, RF_NONE);
	assert_int_equal(res.cells[2].org, 2);
	assert_int_equal(res.cells[2].finding, RF_MISSING);
	assert_int_equal(res.idle[2], 1);
	assert_int_equal(res.last_activity[2], INT64_MIN);
	rule_result_free(&res);
}

/* Editing a rule on 2022-07-15 closes the old row and opens a new one: August on. */
static void test_rule_change_later_periods(void **state)
{
	struct rule_req reqs[] = { req(1, "theme_day", RULE_MONTHLY, 1, 0, RULE_MEDIUM),
				   req(2, "theme_day", RULE_MONTHLY, 2, 0, RULE_HIGH) };
	struct rule_record recs[] = { { 7, "meeting", "theme_day", D("2022-06-10") },
				      { 7, "meeting", "theme_day", D("2022-07-10") },
				      { 7, "meeting", "theme_day", D("2022-08-10") } };
	struct rule_result res;

	(void)state;
	reqs[0].valid_to = D("2022-07-15");
	reqs[1].valid_from = D("2022-07-15");
	assert_int_equal(rules_evaluate(reqs, 2, &branch, 1, recs, 3, D("2022-06-01"),
					D("2022-08-31"), D("2023-01-01"), 30, &res), 0);
	assert_int_equal(res.ncells, 3);
	assert_int_equal(cell(&res, 0, "2022-06-01")->finding, RF_NONE);
	assert_int_equal(cell(&res, 0, "2022-07-01")->finding, RF_NONE);
	assert_int_equal(cell(&res, 1, "2022-08-01")->finding, RF_INCOMPLETE);
	assert_int_equal(cell(&res, 1, "2022-08-01")->expected, 2);
	rule_result_free(&res);
}

static void test_labels(void **state)
{
	char s[32];

	(void)state;
	rule_period_label(RULE_MONTHLY, D("2022-03-01"), s);
	assert_string_equal(s, "2022年3月");
	rule_period_label(RULE_QUARTERLY, D("2022-10-01"), s);
	assert_string_equal(s, "2022年第4季度");
	rule_period_label(RULE_YEARLY, D("2022-01-01"), s);
	assert_string_equal(s, "2022年");
	assert_int_equal(rule_freq_parse("quarterly"), RULE_QUARTERLY);
	assert_int_equal(rule_freq_parse("weekly"), -1);
	assert_int_equal(rule_severity_parse("high"), RULE_HIGH);
	assert_string_equal(rule_finding_code(RF_INCOMPLETE), "incomplete");
}

/* A county: 300 branches, 7 rules, a year of monthly meetings with two types each. */
static void test_county_speed(void **state)
{
	enum { NORG = 300, NREC = NORG * 12 * 2 };
	struct rule_req reqs[] = { req(1, "branch_committee", RULE_MONTHLY, 1, 5, RULE_MEDIUM),
				   req(2, "theme_day", RULE_MONTHLY, 1, 5, RULE_MEDIUM),
				   req(3, "branch_assembly", RULE_QUARTERLY, 1, 10, RULE_HIGH),
				   req(4, "party_lesson", RULE_QUARTERLY, 1, 10, RULE_LOW),
				   req(5, "life_meeting", RULE_YEARLY, 1, 15, RULE_HIGH),
				   req(6, "member_review", RULE_YEARLY, 1, 15, RULE_HIGH),
				   req(7, "group_meeting", RULE_MONTHLY, 1, 5, RULE_MEDIUM) };
	struct rule_org *orgs = calloc(NORG, sizeof(*orgs));
	struct rule_record *recs = calloc(NREC, sizeof(*recs));
	struct rule_result res;
	size_t n = 0, missing = 0;
	int64_t t0;

	(void)state;
	reqs[6].org_kinds = "party_group";
	for (int o = 0; o < NORG; o++) {
		orgs[o] = (struct rule_org){ 1000 + (NORG - o), "branch", "village" };
		for (int m = 1; m <= 12; m++) {
			struct ymd d = { 2022, m, 1 + (o % 28) };
			int skip = o % 10 == 0 && m == 5;	/* every tenth skips May */
			recs[n++] = (struct rule_record){ orgs[o].id, "meeting",
							  skip ? "study" : "branch_committee",
							  date_to_days(d) };
			recs[n++] = (struct rule_record){ orgs[o].id, "meeting", "theme_day",
							  date_to_days(d) };
		}
	}
	t0 = time_mono_ms();
	assert_int_equal(rules_evaluate(reqs, 7, orgs, NORG, recs, n, D("2022-01-01"),
					D("2022-12-31"), D("2023-03-01"), 30, &res), 0);
	printf("    300 orgs x 12 months, %zu records, %zu cells: %lld ms\n", n, res.ncells,
	       (long long)(time_mono_ms() - t0));
	assert_int_equal(res.ncells, NORG * (12 + 12 + 4 + 4 + 1 + 1));
	for (size_t i = 0; i < res.ncells; i++)
		if (res.cells[i].req == 0 && res.cells[i].finding != RF_NONE)
			missing++;
	/* May's committee: missing, or late when June's fell within its 5 grace days */
	assert_int_equal(missing, NORG / 10);
	rule_result_free(&res);
	free(orgs);
	free(recs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_monthly_grace_and_findings),
		cmocka_unit_test(test_leap_february_and_quarters),
		cmocka_unit_test(test_one_meeting_two_rules),
		cmocka_unit_test(test_kinds_categories_subjects),
		cmocka_unit_test(test_rule_change_later_periods),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_county_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
