/* test_joining.c - the joining rules (发展党员): age at application, order, dates, minimum and maximum durations, the one extension of probation, where a person stands. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../src/modules/members/members_internal.h"

/* The seeded steps of migrations/0015_members.sql that the tests walk. */
static const struct join_def defs[] = {
	{ "application", 1, "applicant", "递交入党申请书", "", 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, "applicant", "年满18周岁方可申请入党", 0 },
	{ "talk", 2, "applicant", "党组织派人谈话", "application", 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, "", "一个月内派人谈话", 0 },
	{ "activist_chosen", 3, "activist", "确定为入党积极分子", "application", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "activist", "r3", 0 },
	{ "assessment", 4, "activist", "培养教育考察", "activist_chosen", 0, 0, 6, 0, 6, 0, 0, 0, 0, 0, "", "每半年考察", 0 },
	{ "candidate_chosen", 5, "candidate", "确定为发展对象", "activist_chosen", 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, "candidate", "一年以上", 0 },
	{ "training", 6, "candidate", "集中培训", "candidate_chosen", 0, 0, 0, 0, 0, 0, 0, 0, 24, 0, "", "24学时", 0 },
	{ "notice", 7, "probationary", "公示", "training", 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, "", "5个工作日", 0 },
	{ "form", 8, "probationary", "填写入党志愿书", "notice", 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, "", "两名介绍人", 0 },
	{ "assembly_vote", 9, "probationary", "支部大会", "notice", 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, "", "过半数", 0 },
	{ "upper_approval", 10, "probationary", "上级党委审批", "assembly_vote", 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, "probationary", "三个月内", 1 },
	{ "full_vote", 11, "full", "讨论转正", "assembly_vote", 12, 0, 0, 0, 0, 0, 1, 0, 0, 0, "", "预备期一年", 0 },
	{ "full_approval", 12, "full", "审批转正", "full_vote", 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, "full", "三个月内", 1 },
};
#define ND (sizeof(defs) / sizeof(defs[0]))

/* A clean attempt of step on date, with a document, meeting and two people. */
static struct join_attempt att(const char *step, const char *on)
{
	struct join_attempt a = { .step = step, .done_on = on, .nfiles = 1, .has_meeting = 1, .npeople = 2,
				  .hours = 24, .birth_date = "2000-06-15", .today = "2026-01-01", .min_age = 18 };
	return a;
}

/* Run join_check, return the message of field (static copy) or NULL when accepted. */
static const char *check(const struct join_rec *recs, size_t nr, const struct join_attempt *a,
			 const char *field)
{
	static char msg[512];
	struct zb_fail f;
	int rc;

	zb_fail_init(&f);
	rc = join_check(defs, ND, recs, nr, a, &f);
	msg[0] = '\0';
	if (rc && f.fields && json_object_get(f.fields, field))
		snprintf(msg, sizeof(msg), "%s", json_string_value(json_object_get(f.fields, field)));
	zb_fail_release(&f);
	if (rc == 0)
		return NULL;
	return msg;
}

static void age_18_at_application(void **state)
{
	struct join_attempt a = att("application", "2018-06-14");	/* the day before the 18th birthday */
	const char *m;

	(void)state;
	m = check(NULL, 0, &a, "done_on");
	assert_non_null(m);
	assert_non_null(strstr(m, "年满18周岁"));
	assert_non_null(strstr(m, "申请时17周岁"));
	a.done_on = "2018-06-15";	/* the birthday itself */
	assert_null(check(NULL, 0, &a, "done_on"));
	a.birth_date = "2000-02-29";	/* a leap-day birth is 18 on 1 March */
	a.done_on = "2018-02-28";
	assert_non_null(check(NULL, 0, &a, "done_on"));
	a.done_on = "2018-03-01";
	assert_null(check(NULL, 0, &a, "done_on"));
}

static void out_of_order_names_the_missing_step(void **state)
{
	struct join_rec recs[] = { { "application", "2020-01-10" } };
	struct join_attempt a = att("activist_chosen", "2020-03-01");
	const char *m;

	(void)state;
	m = check(recs, 1, &a, "step");
	assert_non_null(m);
	assert_non_null(strstr(m, "程序不能颠倒"));
	assert_non_null(strstr(m, "党组织派人谈话"));
	assert_non_null(strstr(m, "一个月内派人谈话"));	/* the rule of the missing step */
	/* the same step twice */
	a = att("application", "2020-02-01");
	m = check(recs, 1, &a, "step");
	assert_non_null(m);
	assert_non_null(strstr(m, "已经登记"));
	/* an unknown step */
	a = att("nonsense", "2020-02-01");
	assert_non_null(check(recs, 1, &a, "step"));
}

static void dates_in_order_and_not_in_future(void **state)
{
	struct join_rec recs[] = { { "application", "2020-01-10" } };
	struct join_attempt a = att("talk", "2020-01-09");
	const char *m;

	(void)state;
	m = check(recs, 1, &a, "done_on");
	assert_non_null(m);
	assert_non_null(strstr(m, "2020-01-10"));
	a.done_on = "2020-01-10";	/* same day is in order */
	assert_null(check(recs, 1, &a, "done_on"));
	a.done_on = "2026-01-02";	/* after today */
	assert_non_null(strstr(check(recs, 1, &a, "done_on"), "不能晚于今天"));
	a.done_on = "2020-02-31";
	assert_non_null(check(recs, 1, &a, "done_on"));
}

static void talk_within_one_month_unless_late_reason(void **state)
{
	struct join_rec recs[] = { { "application", "2020-01-31" } };
	struct join_attempt a = att("talk", "2020-02-29");	/* 31 Jan + 1 month = 29 Feb (clamped) */
	const char *m;

	(void)state;
	assert_null(check(recs, 1, &a, "done_on"));
	a.done_on = "2020-03-01";
	m = check(recs, 1, &a, "done_on");
	assert_non_null(m);
	assert_non_null(strstr(m, "2020-02-29"));
	assert_non_null(strstr(m, "逾期原因"));
	a.late_reason = "申请人外出务工";
	assert_null(check(recs, 1, &a, "done_on"));
}

static void activist_for_at_least_a_year(void **state)
{
	struct join_rec recs[] = { { "application", "2020-01-10" }, { "talk", "2020-01-20" },
				   { "activist_chosen", "2020-03-01" }, { "assessment", "2020-08-30" } };
	struct join_attempt a = att("candidate_chosen", "2021-02-28");
	const char *m;

	(void)state;
	m = check(recs, 4, &a, "done_on");
	assert_non_null(m);
	assert_non_null(strstr(m, "最早于2021-03-01"));
	a.done_on = "2021-03-01";
	assert_null(check(recs, 4, &a, "done_on"));
	/* an assessment repeats within its stage, six months after the last one */
	a = att("assessment", "2021-02-28");
	assert_null(check(recs, 4, &a, "done_on"));
	a.done_on = "2021-03-01";	/* 30 Aug + 6 months = 28 Feb: one day late */
	assert_non_null(check(recs, 4, &a, "done_on"));
}

static void documents_people_hours_notice(void **state)
{
	struct join_rec recs[] = { { "application", "2020-01-10" }, { "talk", "2020-01-20" },
				   { "activist_chosen", "2020-03-01" }, { "assessment", "2020-08-30" },
				   { "candidate_chosen", "2021-03-05" }, { "training", "2021-04-01" },
				   { "notice", "2021-05-10" } };
	struct join_attempt a = att("application", "2020-01-10");

	(void)state;
	a.nfiles = 0;
	assert_non_null(strstr(check(NULL, 0, &a, "files"), "材料"));
	a = att("training", "2021-04-01");
	a.hours = 23;
	assert_non_null(strstr(check(recs, 5, &a, "hours"), "24学时"));
	a.hours = 24;
	assert_null(check(recs, 5, &a, "hours"));
	/* 5 working days: Mon 2021-05-10 .. Fri 2021-05-14 is enough; Mon .. Thu is not */
	a = att("notice", "2021-05-10");
	a.end_on = "2021-05-13";
	assert_non_null(strstr(check(recs, 6, &a, "end_on"), "不足5个工作日"));
	a.end_on = "2021-05-14";
	assert_null(check(recs, 6, &a, "end_on"));
	a.end_on = "2021-05-16";	/* Sunday: still 5 */
	assert_null(check(recs, 6, &a, "end_on"));
	a.end_on = NULL;
	assert_non_null(check(recs, 6, &a, "end_on"));
	a = att("form", "2021-05-20");
	a.npeople = 1;
	assert_non_null(strstr(check(recs, 7, &a, "people"), "两名正式党员"));
	a = att("form", "2021-05-20");
	a.nfiles = 0;
	assert_non_null(check(recs, 7, &a, "files"));
	a = att("assembly_vote", "2021-05-20");
	struct join_rec r8[8];
	memcpy(r8, recs, sizeof(recs));
	r8[7] = (struct join_rec){ "form", "2021-05-18" };
	a.has_meeting = 0;
	assert_non_null(strstr(check(r8, 8, &a, "meeting_id"), "法定人数"));
}

/* Records of a person made probationary on 2021-06-01 (assembly vote), approved 2021-07-01. */
static const struct join_rec prob[] = {
	{ "application", "2020-01-10" }, { "talk", "2020-01-20" }, { "activist_chosen", "2020-03-01" },
	{ "assessment", "2020-08-30" }, { "candidate_chosen", "2021-03-05" }, { "training", "2021-04-01" },
	{ "notice", "2021-05-10" }, { "form", "2021-05-20" }, { "assembly_vote", "2021-06-01" },
	{ "upper_approval", "2021-07-01" },
};
#define NP (sizeof(prob) / sizeof(prob[0]))

static void probation_one_year_plus_extension(void **state)
{
	struct join_attempt a = att("full_vote", "2022-05-31");
	struct join_state s;

	(void)state;
	assert_non_null(strstr(check(prob, NP, &a, "done_on"), "最早于2022-06-01"));
	a.done_on = "2022-06-01";
	assert_null(check(prob, NP, &a, "done_on"));
	a.ext_months = 6;	/* extended by six months */
	assert_non_null(strstr(check(prob, NP, &a, "done_on"), "最早于2022-12-01"));
	a.done_on = "2022-12-01";
	assert_null(check(prob, NP, &a, "done_on"));
	join_state_of(defs, ND, prob, NP, 0, &s);
	assert_string_equal(s.stage, "probationary");
	assert_string_equal(s.probation_end, "2022-06-01");
	assert_string_equal(s.next->code, "full_vote");
	assert_string_equal(s.due_from, "2022-06-01");
	join_state_of(defs, ND, prob, NP, 12, &s);
	assert_string_equal(s.probation_end, "2023-06-01");
}

static void extension_once_6_to_12_months(void **state)
{
	struct zb_fail f;

	(void)state;
	zb_fail_init(&f);
	assert_int_equal(join_check_extension(prob, NP, 0, 6, 6, 12, "2022-05-01", "2026-01-01", &f), 0);
	assert_int_equal(join_check_extension(prob, NP, 0, 12, 6, 12, "2022-05-01", "2026-01-01", &f), 0);
	assert_int_equal(join_check_extension(prob, NP, 0, 5, 6, 12, "2022-05-01", "2026-01-01", &f), 1);
	assert_non_null(strstr(json_string_value(json_object_get(f.fields, "months")), "6至12个月"));
	zb_fail_release(&f);
	zb_fail_init(&f);
	assert_int_equal(join_check_extension(prob, NP, 0, 13, 6, 12, "2022-05-01", "2026-01-01", &f), 1);
	zb_fail_release(&f);
	zb_fail_init(&f);
	assert_int_equal(join_check_extension(prob, NP, 1, 6, 6, 12, "2022-05-01", "2026-01-01", &f), 1);
	assert_non_null(strstr(json_string_value(json_object_get(f.fields, "months")), "只能延长一次"));
	zb_fail_release(&f);
	zb_fail_init(&f);	/* not yet probationary */
	assert_int_equal(join_check_extension(prob, NP - 1, 0, 6, 6, 12, "2022-05-01", "2026-01-01", &f), 1);
	zb_fail_release(&f);
	zb_fail_init(&f);	/* before the assembly vote */
	assert_int_equal(join_check_extension(prob, NP, 0, 6, 6, 12, "2021-05-01", "2026-01-01", &f), 1);
	assert_non_null(json_object_get(f.fields, "decided_on"));
	zb_fail_release(&f);
}

static void state_of_applicant_and_activist(void **state)
{
	struct join_state s;
	struct join_rec r1[] = { { "application", "2020-01-31" } };
	struct join_rec r2[] = { { "application", "2020-01-10" }, { "talk", "2020-01-20" },
				 { "activist_chosen", "2020-03-01" }, { "assessment", "2020-08-30" } };

	(void)state;
	join_state_of(defs, ND, NULL, 0, 0, &s);
	assert_string_equal(s.stage, "");
	assert_string_equal(s.next->code, "application");
	assert_string_equal(s.due_by, "");
	join_state_of(defs, ND, r1, 1, 0, &s);
	assert_string_equal(s.stage, "applicant");
	assert_string_equal(s.next->code, "talk");
	assert_string_equal(s.due_by, "2020-02-29");
	join_state_of(defs, ND, r2, 4, 0, &s);
	assert_string_equal(s.stage, "activist");
	assert_string_equal(s.next->code, "candidate_chosen");
	assert_string_equal(s.due_from, "2021-03-01");
	assert_non_null(s.repeat);
	assert_string_equal(s.repeat_due, "2021-02-28");
	assert_string_equal(join_stage_label("candidate"), "发展对象");
	assert_null(join_stage_label("x"));
}

static void date_helpers(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(date_add_months("2021-08-31", 6, 0, out), 0);
	assert_string_equal(out, "2022-02-28");
	assert_int_equal(date_add_months("2023-11-30", 3, 0, out), 0);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(date_add_months("2022-01-15", -1, 1, out), 0);
	assert_string_equal(out, "2021-12-16");
	assert_int_equal(date_add_months("2022-13-01", 1, 0, out), -1);
	assert_int_equal(years_between("2000-06-15", "2018-06-14"), 17);
	assert_int_equal(years_between("2000-06-15", "2018-06-15"), 18);
	assert_int_equal(years_between("2000-06-15", "1999-01-01"), -1);
	assert_int_equal(weekdays_between("2021-05-15", "2021-05-16"), 0);	/* a weekend */
	assert_int_equal(weekdays_between("2021-05-10", "2021-05-23"), 10);
	assert_int_equal(month_index("2022-01"), 2022 * 12);
	assert_int_equal(month_index("2022-13"), -1);
	assert_int_equal(month_index("2022-1"), -1);
	month_from_index(2022 * 12 + 11, out);
	assert_string_equal(out, "2022-12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(age_18_at_application),
		cmocka_unit_test(out_of_order_names_the_missing_step),
		cmocka_unit_test(dates_in_order_and_not_in_future),
		cmocka_unit_test(talk_within_one_month_unless_late_reason),
		cmocka_unit_test(activist_for_at_least_a_year),
		cmocka_unit_test(documents_people_hours_notice),
		cmocka_unit_test(probation_one_year_plus_extension),
		cmocka_unit_test(extension_once_6_to_12_months),
		cmocka_unit_test(state_of_applicant_and_activist),
		cmocka_unit_test(date_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
