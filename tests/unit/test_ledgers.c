/* test_ledgers.c - the ledgers: month arithmetic, term states, when assessments are due, and the writers' checks on a real database. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/modules/ledgers/ledgers_internal.h"
#include "../../src/modules/orgs/orgs.h"
#include "testdb.h"

static struct ymd D(const char *s)
{
	struct ymd d;

	assert_int_equal(date_parse_iso(s, &d), 0);
	return d;
}

static void assert_date(struct ymd d, const char *want)
{
	char buf[16];

	date_format(d, buf);
	assert_string_equal(buf, want);
}

/* ---------------------------------------------------------------- dates */

static void test_add_months(void **state)
{
	(void)state;
	assert_date(ledger_add_months(D("2024-02-29"), 12), "2025-02-28");
	assert_date(ledger_add_months(D("2024-02-29"), 48), "2028-02-29");
	assert_date(ledger_add_months(D("2024-01-31"), 1), "2024-02-29");
	assert_date(ledger_add_months(D("2023-01-31"), 1), "2023-02-28");
	assert_date(ledger_add_months(D("2021-04-16"), 60), "2026-04-16");
	assert_date(ledger_add_months(D("2026-04-16"), -6), "2025-10-16");
	assert_date(ledger_add_months(D("2026-08-31"), -6), "2026-02-28");
	assert_date(ledger_add_months(D("2026-01-15"), -13), "2024-12-15");
	assert_date(ledger_add_months(D("2026-12-31"), 0), "2026-12-31");
	assert_int_equal(ledger_ymd_cmp(D("2026-01-01"), D("2025-12-31")), 1);
	assert_int_equal(ledger_ymd_cmp(D("2025-12-31"), D("2026-01-01")), -1);
	assert_int_equal(ledger_ymd_cmp(D("2026-03-05"), D("2026-03-05")), 0);
}

static void test_term_state(void **state)
{
	struct ymd ends, warn;

	(void)state;
	/* a village term elected 2021-04-16: five years, warned six months ahead */
	assert_int_equal(term_state_on(D("2021-04-16"), 5, 6, D("2022-12-31"), &ends, &warn), TERM_OK);
	assert_date(ends, "2026-04-16");
	assert_date(warn, "2025-10-16");
	assert_int_equal(term_state_on(D("2021-04-16"), 5, 6, D("2025-10-15"), &ends, &warn), TERM_OK);
	assert_int_equal(term_state_on(D("2021-04-16"), 5, 6, D("2025-10-16"), &ends, &warn),
			 TERM_DUE_SOON);
	assert_int_equal(term_state_on(D("2021-04-16"), 5, 6, D("2026-04-15"), &ends, &warn),
			 TERM_DUE_SOON);
	assert_int_equal(term_state_on(D("2021-04-16"), 5, 6, D("2026-04-16"), &ends, &warn),
			 TERM_OVERDUE);
	/* three years, no warning at all */
	assert_int_equal(term_state_on(D("2021-09-01"), 3, 0, D("2024-08-31"), &ends, &warn), TERM_OK);
	assert_int_equal(term_state_on(D("2021-09-01"), 3, 0, D("2024-09-01"), &ends, &warn),
			 TERM_OVERDUE);
	assert_string_equal(term_state_code(TERM_NONE), "none");
	assert_string_equal(term_state_code(TERM_DUE_SOON), "due_soon");
	assert_string_equal(term_state_label(TERM_OVERDUE), "逾期未换届");
	assert_string_equal(reserve_status_label("used"), "已使用");
	assert_string_equal(reserve_status_label("in_pool"), "在库");
	assert_null(reserve_status_label("gone"));
	assert_null(reserve_status_label(NULL));
}

static void test_due(void **state)
{
	struct due d;
	struct ymd last;

	(void)state;
	/* every 6 months from 2019-07-20: due 2023-01-20 for [2022-07-20, 2023-01-20] */
	last = D("2022-06-30");
	due_eval(D("2019-07-20"), 6, &last, D("2022-12-31"), &d);
	assert_false(d.missing);
	assert_date(d.next_due, "2023-01-20");
	due_eval(D("2019-07-20"), 6, &last, D("2023-02-01"), &d);
	assert_true(d.missing);
	assert_date(d.due_since, "2023-01-20");
	assert_int_equal(d.days_overdue, 12);
	/* made late, it clears the to-do; the period it falls in is covered too */
	last = D("2023-02-01");
	due_eval(D("2019-07-20"), 6, &last, D("2023-02-01"), &d);
	assert_false(d.missing);
	assert_date(d.next_due, "2024-01-20");
	/* nothing due during the first period */
	due_eval(D("2022-08-15"), 12, NULL, D("2022-12-31"), &d);
	assert_false(d.missing);
	assert_date(d.next_due, "2023-08-15");
	last = D("2022-10-01");
	due_eval(D("2022-08-15"), 12, &last, D("2022-12-31"), &d);
	assert_date(d.next_due, "2024-08-15");
	/* due on the day itself: 0 days overdue; the day before, not yet */
	due_eval(D("2021-09-01"), 12, NULL, D("2022-09-01"), &d);
	assert_true(d.missing);
	assert_int_equal(d.days_overdue, 0);
	due_eval(D("2021-09-01"), 12, NULL, D("2022-08-31"), &d);
	assert_false(d.missing);
	assert_date(d.next_due, "2022-09-01");
	/* the window starts on the previous due date, inclusive */
	last = D("2022-09-01");
	due_eval(D("2021-09-01"), 12, &last, D("2023-09-10"), &d);
	assert_false(d.missing);
	last = D("2022-08-31");
	due_eval(D("2021-09-01"), 12, &last, D("2023-09-10"), &d);
	assert_true(d.missing);
	assert_date(d.due_since, "2023-09-01");
	assert_int_equal(d.days_overdue, 9);
	/* month ends: from 31 August, due on the last day of February */
	due_eval(D("2020-08-31"), 6, NULL, D("2021-03-01"), &d);
	assert_true(d.missing);
	assert_date(d.due_since, "2021-02-28");
	assert_int_equal(d.days_overdue, 1);
}

static void test_scope_sql(void **state)
{
	struct arena a;
	struct buf sql;
	struct db_params b = { 0 };
	struct scope s = { 2, { "/1/4/", "/1/7/" } };

	(void)state;
	arena_init(&a, 0);
	buf_init(&sql, 0);
	lb_scope(&a, &sql, &b, &s, "o.path");
	assert_string_equal(sql.data, " AND (o.path LIKE ? OR o.path LIKE ?)");
	assert_int_equal(b.n, 2);
	assert_string_equal(b.v[0].s, "/1/4/%");
	assert_string_equal(b.v[1].s, "/1/7/%");
	lb_scope(&a, &sql, &b, NULL, "o.path");	/* no scope: nothing added */
	assert_int_equal(b.n, 2);
	for (int i = 0; i < DB_MAX_PARAMS; i++)
		db_param_int(&b, i);
	assert_true(b.overflow);
	buf_release(&sql);
	arena_release(&a);
}

/* ---------------------------------------------------------------- writers on a database */

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
	struct keys keys;
	struct audit_who who;
	int64_t township, village, group, person, graduate_flag, reserve_flag;
};

static int64_t count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(db, &n, sql, ""), DB_ROW);
	return n;
}

static const char *field(const struct zb_fail *f, const char *name)
{
	return f->fields ? json_string_value(json_object_get(f->fields, name)) : NULL;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct person_in in = { 0 };
	struct zb_fail e;

	assert_int_equal(TESTDB_MAKE(f, "ledgers", "l.db", 1), 0);
	random_bytes(&f->keys, sizeof(f->keys));
	f->who = (struct audit_who){ 0, "test", "", "" };
	assert_int_equal(db_begin(f->db), DB_OK);
	f->township = org_create_system(f->db, &f->keys, 0, "测试镇党委", "township_committee", NULL);
	f->village = org_create_system(f->db, &f->keys, f->township, "测试村党支部", "branch", "village");
	f->group = org_create_system(f->db, &f->keys, f->village, "第一党小组", "party_group", NULL);
	assert_true(f->group > 0);
	in.org_id = f->village;
	in.name = "王小明";
	in.gender = "male";
	in.ethnicity = "01";
	in.birth_date = "1996-05-04";
	in.education = "bachelor";
	in.political_status = "member";
	in.joined_on = "2018-06-01";
	in.full_member_on = "2019-06-10";
	zb_fail_init(&e);
	f->person = person_insert(f->db, &f->keys, &f->who, &in, &e);
	assert_true(f->person > 0);
	f->graduate_flag = flag_insert(f->db, &f->keys, &f->who, f->person, "returned_graduate",
				       "2019-07-20", NULL, NULL, NULL, &e);
	f->reserve_flag = flag_insert(f->db, &f->keys, &f->who, f->person, "reserve_cadre",
				      "2021-08-10", NULL, NULL, NULL, &e);
	assert_int_equal(e.err, ZB_OK);
	assert_true(f->reserve_flag > 0);
	assert_int_equal(db_commit(f->db), DB_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(TESTDB_DROP(f), 0);
	free(f);
	return 0;
}

static void test_rules_seeded(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ledger_rule_value(f->db, "assessment_months", "returned_graduate", 0), 6);
	assert_int_equal(ledger_rule_value(f->db, "assessment_months", "selected_graduate", 0), 12);
	assert_int_equal(ledger_rule_value(f->db, "assessment_months", "reserve_cadre", 0), 12);
	assert_int_equal(ledger_rule_value(f->db, "term_warning_months", "default", 0), 6);
	assert_int_equal(ledger_rule_value(f->db, "nothing", "default", -7), -7);
	assert_int_equal(ledger_term_years(f->db, "village"), 5);
	assert_int_equal(ledger_term_years(f->db, "community"), 5);
	assert_int_equal(ledger_term_years(f->db, "government"), 3);
	assert_int_equal(ledger_term_years(f->db, NULL), 3);
}

static void test_assessment_checks(void **state)
{
	struct fx *f = *state;
	struct assessment_in in = { "selected_graduate", "2018-01-01", NULL, NULL, "great", NULL };
	struct zb_fail e;
	int64_t id;

	zb_fail_init(&e);
	assert_int_equal(db_begin(f->db), DB_OK);
	id = assessment_insert(f->db, &f->keys, &f->who, f->person, &in, &e);
	assert_int_equal(id, 0);
	assert_int_equal(e.err, ZB_EVALIDATION);
	assert_string_equal(field(&e, "assessed_on"), "该人员在2018-01-01不是选调生，不能登记此类考核");
	assert_string_equal(field(&e, "assessor"), "考核人不能为空");
	assert_string_equal(field(&e, "rating"), "考核等次“great”不在字典中");
	zb_fail_release(&e);
	/* a kind no rule assesses, a date in the future */
	zb_fail_init(&e);
	in = (struct assessment_in){ "nobody", "2199-01-01", NULL, "镇党委", "competent", NULL };
	assert_int_equal(assessment_insert(f->db, &f->keys, &f->who, f->person, &in, &e), 0);
	assert_non_null(strstr(field(&e, "kind"), "考核类别应为"));
	assert_string_equal(field(&e, "assessed_on"), "考核日期不能晚于今天");
	zb_fail_release(&e);
	/* a good one, then its twin on the same day */
	zb_fail_init(&e);
	in = (struct assessment_in){ "returned_graduate", "2022-06-30", "2022年上半年", "镇党委",
				     "excellent", NULL };
	id = assessment_insert(f->db, &f->keys, &f->who, f->person, &in, &e);
	assert_true(id > 0);
	assert_int_equal(assessment_insert(f->db, &f->keys, &f->who, f->person, &in, &e), 0);
	assert_string_equal(field(&e, "assessed_on"), "该人员在这一天已有同类考核记录");
	zb_fail_release(&e);
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM assessments"), 0);
}

static void test_terms(void **state)
{
	struct fx *f = *state;
	struct zb_fail e;
	json_t *t;
	int64_t id;

	zb_fail_init(&e);
	assert_int_equal(db_begin(f->db), DB_OK);
	/* only branches have terms; not in the future; 1-10 years */
	assert_int_equal(term_insert(f->db, &f->keys, &f->who, f->group, "2021-04-16", 0, NULL, &e), 0);
	assert_string_equal(field(&e, "org_id"), "只有党支部和党总支需要记录换届");
	zb_fail_release(&e);
	zb_fail_init(&e);
	assert_int_equal(term_insert(f->db, &f->keys, &f->who, f->village, "2199-04-16", 11, NULL,
				     &e), 0);
	assert_string_equal(field(&e, "started_on"), "换届日期不能晚于今天");
	assert_string_equal(field(&e, "years"), "任期应在1到10年之间");
	zb_fail_release(&e);
	/* years default from the village category */
	zb_fail_init(&e);
	id = term_insert(f->db, &f->keys, &f->who, f->village, "2021-04-16", 0, "第十一届", &e);
	assert_true(id > 0);
	t = term_json(f->db, id);
	assert_int_equal(json_integer_value(json_object_get(t, "years")), 5);
	assert_string_equal(json_string_value(json_object_get(t, "ends_on")), "2026-04-16");
	json_decref(t);
	assert_int_equal(term_insert(f->db, &f->keys, &f->who, f->village, "2021-04-16", 5, NULL, &e), 0);
	assert_string_equal(field(&e, "started_on"), "该组织在这一天已有换届记录");
	zb_fail_release(&e);
	/* a stale version changes nothing */
	zb_fail_init(&e);
	assert_int_equal(term_update(f->db, &f->keys, &f->who, id, 7, "2021-04-17", 5, NULL, &e),
			 LW_STALE);
	assert_int_equal(term_update(f->db, &f->keys, &f->who, id, 1, "2021-04-17", 5, NULL, &e),
			 DB_OK);
	zb_fail_release(&e);
	assert_int_equal(db_commit(f->db), DB_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM org_terms WHERE started_on = '2021-04-17'"
				      " AND version = 2"), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'org_term'"), 2);
}

static void test_reserve_status(void **state)
{
	struct fx *f = *state;
	struct reserve_in in = { "returned_graduate", "party_deputy", NULL, NULL, NULL };
	struct zb_fail e;
	json_t *j;

	zb_fail_init(&e);
	assert_int_equal(db_begin(f->db), DB_OK);
	/* the details of a flag of another kind: not an entry */
	assert_int_equal(reserve_details_insert(f->db, &f->keys, &f->who, f->graduate_flag, &in, &e), 0);
	assert_int_equal(e.err, ZB_ENOTFOUND);
	zb_fail_release(&e);
	zb_fail_init(&e);
	assert_true(reserve_details_insert(f->db, &f->keys, &f->who, f->reserve_flag, &in, &e) > 0);
	/* training: not before the date added, some hours, a course */
	assert_int_equal(reserve_training_insert(f->db, &f->keys, &f->who, f->reserve_flag,
						 "2021-08-01", NULL, 0, NULL, &e), 0);
	assert_string_equal(field(&e, "trained_on"), "培训日期不能早于入库日期（2021-08-10）");
	assert_string_equal(field(&e, "course"), "培训内容不能为空");
	assert_string_equal(field(&e, "hours"), "学时应在1到1000之间");
	zb_fail_release(&e);
	zb_fail_init(&e);
	assert_true(reserve_training_insert(f->db, &f->keys, &f->who, f->reserve_flag, "2022-06-16",
					    "全镇后备干部培训班", 16, NULL, &e) > 0);
	/* used: not before the training, nor before the date added; a reason */
	assert_int_equal(reserve_set_status(f->db, &f->keys, &f->who, f->reserve_flag, 1, "exited",
					    "2022-01-01", "外出务工", &e), LW_INVALID);
	assert_string_equal(field(&e, "date"), "日期不能早于已有的培训日期（2022-06-16）");
	zb_fail_release(&e);
	zb_fail_init(&e);
	/* used: needs a date not before the date added, and a reason */
	assert_int_equal(reserve_set_status(f->db, &f->keys, &f->who, f->reserve_flag, 1, "used",
					    "2021-08-01", NULL, &e), LW_INVALID);
	assert_string_equal(field(&e, "date"), "日期不能早于入库日期（2021-08-10）");
	assert_string_equal(field(&e, "reason"), "原因不能为空");
	zb_fail_release(&e);
	zb_fail_init(&e);
	assert_int_equal(reserve_set_status(f->db, &f->keys, &f->who, f->reserve_flag, 9, "used",
					    "2023-05-01", "当选村委会副主任", &e), LW_STALE);
	assert_int_equal(reserve_set_status(f->db, &f->keys, &f->who, f->reserve_flag, 1, "used",
					    "2023-05-01", "当选村委会副主任", &e), DB_OK);
	assert_int_equal(e.err, ZB_OK);
	j = reserve_entry_json(f->db, f->reserve_flag, 1);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "used");
	assert_string_equal(json_string_value(json_object_get(j, "status_on")), "2023-05-01");
	assert_string_equal(json_string_value(json_object_get(j, "status_reason")), "当选村委会副主任");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	json_decref(j);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM person_flags WHERE flag = 'reserve_cadre'"
				      " AND ended_on = '2023-05-01'"), 1);
	/* reopened: the flag is open again */
	assert_int_equal(reserve_set_status(f->db, &f->keys, &f->who, f->reserve_flag, 2, "in_pool",
					    NULL, NULL, &e), DB_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM person_flags WHERE flag = 'reserve_cadre'"
				      " AND ended_on IS NULL"), 1);
	assert_int_equal(reserve_set_status(f->db, &f->keys, &f->who, f->reserve_flag, 3, "in_pool",
					    NULL, NULL, &e), LW_INVALID);
	assert_int_equal(e.err, ZB_ECONFLICT);
	zb_fail_release(&e);
	assert_int_equal(db_rollback(f->db), DB_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_months),
		cmocka_unit_test(test_term_state),
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_scope_sql),
		cmocka_unit_test_setup_teardown(test_rules_seeded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assessment_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_terms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_status, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
