/* test_tasks_rollup.c - the task roll-up: weights, missing weights, zero weights, archived children, statuses and the light. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "../../src/modules/tasks/tasks.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct rollup_child ch(int p, enum task_status s, int has_w, int64_t w, int archived)
{
	struct rollup_child c = { p, s, has_w, w, archived };
	return c;
}

static void test_equal_when_no_weights(void **state)
{
	struct rollup_child c[] = { ch(100, TS_DONE, 0, 0, 0), ch(50, TS_IN_PROGRESS, 0, 0, 0),
				    ch(0, TS_NOT_STARTED, 0, 0, 0) };
	struct rollup_result r;

	(void)state;
	assert_int_equal(task_rollup(c, N(c), &r), 0);
	assert_int_equal(r.progress, 50);
	assert_int_equal(r.status, TS_IN_PROGRESS);
	assert_int_equal(r.live, 3);
}

static void test_weighted_mean(void **state)
{
	/* (3*100 + 1*20) / 4 = 80 */
	struct rollup_child c[] = { ch(100, TS_DONE, 1, 3, 0), ch(20, TS_IN_PROGRESS, 1, 1, 0) };
	struct rollup_result r;

	(void)state;
	assert_int_equal(task_rollup(c, N(c), &r), 0);
	assert_int_equal(r.progress, 80);
	assert_int_equal(r.status, TS_IN_PROGRESS);
}

static void test_rounding_half_up(void **state)
{
	/* (1 + 0) / 2 = 0.5 -> 1; (33 + 34 + 34) / 3 = 33.67 -> 34 */
	struct rollup_child a[] = { ch(1, TS_IN_PROGRESS, 0, 0, 0), ch(0, TS_NOT_STARTED, 0, 0, 0) };
	struct rollup_child b[] = { ch(33, TS_IN_PROGRESS, 0, 0, 0), ch(34, TS_IN_PROGRESS, 0, 0, 0),
				    ch(34, TS_IN_PROGRESS, 0, 0, 0) };
	struct rollup_result r;

	(void)state;
	assert_int_equal(task_rollup(a, N(a), &r), 0);
	assert_int_equal(r.progress, 1);
	assert_int_equal(task_rollup(b, N(b), &r), 0);
	assert_int_equal(r.progress, 34);
}

static void test_missing_weight_counts_as_mean(void **state)
{
	/* given 2 and 4 (mean 3); the missing one weighs 3:
	 * (2*0 + 4*100 + 3*50) / 9 = 550 / 9 = 61.1 -> 61 */
	struct rollup_child c[] = { ch(0, TS_NOT_STARTED, 1, 2, 0), ch(100, TS_DONE, 1, 4, 0),
				    ch(50, TS_IN_PROGRESS, 0, 0, 0) };
	struct rollup_result r;

	(void)state;
	assert_int_equal(task_rollup(c, N(c), &r), 0);
	assert_int_equal(r.progress, 61);
}

static void test_all_zero_weights_equal(void **state)
{
	struct rollup_child c[] = { ch(100, TS_DONE, 1, 0, 0), ch(0, TS_NOT_STARTED, 1, 0, 0) };
	struct rollup_child m[] = { ch(100, TS_DONE, 1, 0, 0), ch(0, TS_NOT_STARTED, 0, 0, 0) };
	struct rollup_result r;

	(void)state;
	assert_int_equal(task_rollup(c, N(c), &r), 0);
	assert_int_equal(r.progress, 50);
	assert_int_equal(task_rollup(m, N(m), &r), 0);
	assert_int_equal(r.progress, 50);
}

static void test_zero_weight_beside_positive_counts_nothing(void **state)
{
	struct rollup_child c[] = { ch(0, TS_NOT_STARTED, 1, 0, 0), ch(100, TS_DONE, 1, 5, 0) };
	struct rollup_result r;

	(void)state;
	assert_int_equal(task_rollup(c, N(c), &r), 0);
	assert_int_equal(r.progress, 100);
	/* the zero-weight child is still not done, so the parent is not done */
	assert_int_equal(r.status, TS_IN_PROGRESS);
}

static void test_archived_ignored(void **state)
{
	struct rollup_child c[] = { ch(100, TS_DONE, 1, 1, 0), ch(0, TS_NOT_STARTED, 1, 9, 1) };
	struct rollup_child all[] = { ch(40, TS_IN_PROGRESS, 0, 0, 1) };
	struct rollup_result r;

	(void)state;
	assert_int_equal(task_rollup(c, N(c), &r), 0);
	assert_int_equal(r.progress, 100);
	assert_int_equal(r.status, TS_DONE);
	assert_int_equal(r.live, 1);
	assert_int_equal(task_rollup(all, N(all), &r), -1);
	assert_int_equal(r.live, 0);
	assert_int_equal(task_rollup(NULL, 0, &r), -1);
}

static void test_status_from_children(void **state)
{
	struct rollup_child acc[] = { ch(100, TS_ACCEPTED, 0, 0, 0), ch(100, TS_ACCEPTED, 0, 0, 0) };
	struct rollup_child mix[] = { ch(100, TS_ACCEPTED, 0, 0, 0), ch(100, TS_DONE, 0, 0, 0) };
	struct rollup_child none[] = { ch(0, TS_NOT_STARTED, 0, 0, 0), ch(0, TS_NOT_STARTED, 0, 0, 0) };
	struct rollup_child started[] = { ch(0, TS_IN_PROGRESS, 0, 0, 0), ch(0, TS_NOT_STARTED, 0, 0, 0) };
	struct rollup_result r;

	(void)state;
	task_rollup(acc, N(acc), &r);
	assert_int_equal(r.status, TS_ACCEPTED);
	task_rollup(mix, N(mix), &r);
	assert_int_equal(r.status, TS_DONE);
	assert_int_equal(r.progress, 100);
	task_rollup(none, N(none), &r);
	assert_int_equal(r.status, TS_NOT_STARTED);
	assert_int_equal(r.progress, 0);
	task_rollup(started, N(started), &r);
	assert_int_equal(r.status, TS_IN_PROGRESS);
	assert_int_equal(r.progress, 0);
}

static void test_out_of_range_clamped(void **state)
{
	struct rollup_child c[] = { ch(150, TS_IN_PROGRESS, 0, 0, 0), ch(-20, TS_NOT_STARTED, 0, 0, 0) };
	struct rollup_result r;

	(void)state;
	task_rollup(c, N(c), &r);
	assert_int_equal(r.progress, 50);
}

static void test_status_for_progress(void **state)
{
	(void)state;
	assert_int_equal(task_status_for_progress(100, -1), TS_DONE);
	assert_int_equal(task_status_for_progress(99, -1), TS_IN_PROGRESS);
	assert_int_equal(task_status_for_progress(0, -1), TS_NOT_STARTED);
	assert_int_equal(task_status_for_progress(0, TS_IN_PROGRESS), TS_IN_PROGRESS);
	/* 100% never becomes accepted by itself */
	assert_int_equal(task_status_for_progress(100, TS_ACCEPTED), TS_DONE);
}

static void test_codes_and_labels(void **state)
{
	(void)state;
	assert_string_equal(task_status_code(TS_DONE), "done");
	assert_string_equal(task_status_label(TS_ACCEPTED), "已验收");
	assert_string_equal(task_status_label(TS_NOT_STARTED), "未开始");
	assert_null(task_status_code((enum task_status)7));
	assert_int_equal(task_status_parse("in_progress"), TS_IN_PROGRESS);
	assert_int_equal(task_status_parse("已完成"), -1);
	assert_int_equal(task_status_parse(NULL), -1);
}

static void test_light(void **state)
{
	(void)state;
	/* overdue: red; done: green whatever the dates */
	assert_string_equal(task_light(TS_IN_PROGRESS, 50, 100, 200, 195, 201, 30), "red");
	assert_string_equal(task_light(TS_DONE, 100, 100, 200, 150, 300, 30), "green");
	/* due today is not overdue */
	assert_string_equal(task_light(TS_IN_PROGRESS, 90, 100, 200, 195, 200, 30), "green");
	/* no report for 31 days: yellow; 30 days: not yet */
	assert_string_equal(task_light(TS_IN_PROGRESS, 60, 100, 300, 119, 150, 30), "yellow");
	assert_string_equal(task_light(TS_IN_PROGRESS, 60, 100, 300, 120, 150, 30), "green");
	/* half the time gone, 20% done: more than 20 points behind */
	assert_string_equal(task_light(TS_IN_PROGRESS, 20, 100, 200, 149, 150, 30), "yellow");
	assert_string_equal(task_light(TS_IN_PROGRESS, 30, 100, 200, 149, 150, 30), "green");
	/* unknown dates: green */
	assert_string_equal(task_light(TS_NOT_STARTED, 0, -1, -1, -1, 150, 30), "green");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_when_no_weights),
		cmocka_unit_test(test_weighted_mean),
		cmocka_unit_test(test_rounding_half_up),
		cmocka_unit_test(test_missing_weight_counts_as_mean),
		cmocka_unit_test(test_all_zero_weights_equal),
		cmocka_unit_test(test_zero_weight_beside_positive_counts_nothing),
		cmocka_unit_test(test_archived_ignored),
		cmocka_unit_test(test_status_from_children),
		cmocka_unit_test(test_out_of_range_clamped),
		cmocka_unit_test(test_status_for_progress),
		cmocka_unit_test(test_codes_and_labels),
		cmocka_unit_test(test_light),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
