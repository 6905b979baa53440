/* test_grid.c - the grid module on a database: intake with working-day due dates, the request state machine and reopening, scope SQL per role, and the findings (overdue, silent households per grid). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../src/modules/grid/grid.h"
#include "../../src/modules/grid/grid_internal.h"
#include "../../src/modules/grid/deeds_internal.h"
#include "../../src/modules/orgs/orgs.h"
#include "../../src/modules/people/people.h"
#include "../../src/auth/crypt.h"
#include "../../src/base/arena.h"
#include "../../src/base/date.h"
#include "testdb.h"

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
	struct keys keys;
	struct audit_who who;
	int64_t township, village, person, grid, hh1, hh2;
};

static int64_t count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(db, &n, sql, ""), DB_ROW);
	return n;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct person_in in = { 0 };
	struct zb_fail e;
	const char *tags[] = { "dibao" };

	assert_int_equal(TESTDB_MAKE(f, "grid", "g.db", 1), 0);
	random_bytes(&f->keys, sizeof(f->keys));
	f->who = (struct audit_who){ 0, "test", "", "" };
	assert_int_equal(db_begin(f->db), DB_OK);
	f->township = org_create_system(f->db, &f->keys, 0, "测试镇党委", "township_committee", NULL);
	f->village = org_create_system(f->db, &f->keys, f->township, "测试嘎查党支部", "branch", "village");
	in.org_id = f->village;
	in.name = "王小明";
	in.gender = "male";
	in.ethnicity = "01";
	in.birth_date = "1986-05-04";
	in.education = "bachelor";
	in.political_status = "member";
	in.joined_on = "2008-06-01";
	in.full_member_on = "2009-06-10";
	zb_fail_init(&e);
	f->person = person_insert(f->db, &f->keys, &f->who, &in, &e);
	assert_true(f->person > 0);
	f->grid = grid_demo_grid(f->db, &f->keys, &f->who, f->village, "第一网格", "东片", f->person,
				 &f->person, 1, 0);
	assert_true(f->grid > 0);
	f->hh1 = grid_demo_household(f->db, &f->keys, &f->who, f->grid, "一组1号", 3, "李桂兰",
				     "13800138000", tags, 1, f->person);
	f->hh2 = grid_demo_household(f->db, &f->keys, &f->who, f->grid, "一组2号", 1, "张建国",
				     NULL, NULL, 0, f->person);
	assert_true(f->hh1 > 0 && f->hh2 > 0);
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

/* A request of `category` received on `on`, on household hh1. */
static int64_t intake(struct fx *f, const char *category, const char *on, const char *title,
		      struct zb_fail *e)
{
	struct deed_in in = { 0 };
	char at[24];

	in.org_id = f->village;
	in.grid_id = f->grid;
	in.household_id = f->hh1;
	in.member_id = f->person;
	in.category = category;
	in.channel = "visit";
	in.title = title;
	in.received_on = on;
	snprintf(at, sizeof(at), "%sT01:00:00Z", on);
	return deed_insert(f->db, &f->keys, &f->who, &in, at, e);
}

static void test_household_phone_sealed(void **state)
{
	struct fx *f = *state;
	struct db_stmt *st = db_prepare(f->db, "SELECT phone_enc, phone_masked FROM households WHERE id = ?");
	char *plain;

	db_bind_int(st, 1, f->hh1);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 1), "138****8000");
	assert_null(strstr(db_col_text(st, 0), "13800138000"));
	plain = field_decrypt(&f->keys, db_col_text(st, 0));
	assert_string_equal(plain, "13800138000");
	free(plain);
	db_finalize(st);
}

static void test_intake_due_date_skips_weekends_and_holidays(void **state)
{
	struct fx *f = *state;
	struct zb_fail e;
	int64_t id;
	json_t *j;

	assert_int_equal(db_begin(f->db), DB_OK);
	for (int d = 3; d <= 7; d++) {
		char day[24];
		snprintf(day, sizeof(day), "2022-10-%02d", d);
		assert_int_equal(db_run(f->db, "INSERT INTO holidays (day, name) VALUES (?, '国庆节')", "s", day), DB_OK);
	}
	zb_fail_init(&e);
	/* policy: 3 working days from Thursday 29 September: Fri 30, Mon 10 (after the holiday week), Tue 11 */
	id = intake(f, "policy", "2022-09-29", "养老认证咨询", &e);
	assert_true(id > 0);
	assert_int_equal(e.err, ZB_OK);
	j = deed_json(f->db, id, 1);
	assert_string_equal(json_string_value(json_object_get(j, "due_on")), "2022-10-11");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "registered");
	assert_int_equal(strlen(json_string_value(json_object_get(j, "code"))), DEED_CODE_LEN);
	assert_int_equal(json_array_size(json_object_get(j, "history")), 1);
	json_decref(j);
	assert_int_equal(db_rollback(f->db), DB_OK);
}

static void test_intake_refusals_store_nothing(void **state)
{
	struct fx *f = *state;
	struct zb_fail e;
	int64_t before = count(f->db, "SELECT COUNT(*) FROM deeds");

	assert_int_equal(db_begin(f->db), DB_OK);
	zb_fail_init(&e);
	assert_int_equal(intake(f, "weather", "2022-03-01", "<script>x</script>", &e), 0);
	assert_int_equal(e.err, ZB_EVALIDATION);
	assert_non_null(json_object_get(e.fields, "category"));
	assert_non_null(strstr(json_string_value(json_object_get(e.fields, "title")), "HTML"));
	zb_fail_release(&e);
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM deeds"), before);
}

static int step(struct fx *f, int64_t id, const char *action, const char *reason, int solved,
		struct zb_fail *e)
{
	struct deed_action a = { 0 };
	struct deed_ref d;
	struct arena ar;
	int rc;

	assert_int_equal(deed_ref_load(f->db, id, &d), 1);
	arena_init(&ar, 0);
	a.action = action;
	a.reason = reason;
	a.note = "办理情况";
	a.solved = solved;
	a.satisfaction = solved ? 5 : 2;
	a.a = &ar;
	zb_fail_init(e);
	rc = deed_act(f->db, &f->keys, &f->who, id, d.version, &a, "2022-03-02T02:00:00Z", e);
	arena_release(&ar);
	return rc;
}

static void test_state_machine_and_reopen(void **state)
{
	struct fx *f = *state;
	struct deed_action a = { 0 };
	struct zb_fail e;
	struct arena ar;
	int64_t id;
	json_t *j;

	assert_int_equal(db_begin(f->db), DB_OK);
	zb_fail_init(&e);
	id = intake(f, "infrastructure", "2022-03-01", "路灯不亮", &e);
	assert_true(id > 0);
	/* 办结 straight from 登记 is refused with the reason */
	assert_int_equal(step(f, id, "close", "solved", 0, &e), DW_REFUSED);
	assert_int_equal(e.err, ZB_ECONFLICT);
	assert_non_null(strstr(e.message, "当前状态为“登记”"));
	zb_fail_release(&e);
	assert_int_equal(step(f, id, "follow_up", NULL, 1, &e), DW_REFUSED);
	zb_fail_release(&e);
	assert_int_equal(step(f, id, "accept", NULL, 0, &e), DB_OK);
	/* a stale version changes nothing */
	arena_init(&ar, 0);
	a.action = "start";
	a.a = &ar;
	zb_fail_init(&e);
	assert_int_equal(deed_act(f->db, &f->keys, &f->who, id, 1, &a, "2022-03-02T02:00:00Z", &e), DW_STALE);
	arena_release(&ar);
	assert_int_equal(step(f, id, "start", NULL, 0, &e), DB_OK);
	assert_int_equal(step(f, id, "close", "fixed", 0, &e), DW_REFUSED);
	assert_non_null(json_object_get(e.fields, "reason"));
	zb_fail_release(&e);
	assert_int_equal(step(f, id, "close", "solved", 0, &e), DB_OK);
	j = deed_json(f->db, id, 0);
	assert_true(json_is_true(json_object_get(j, "done")));
	assert_string_equal(json_string_value(json_object_get(j, "closed_on")), "2022-03-02");
	json_decref(j);
	/* the resident says not solved: back to 办理中, reopened, no longer done */
	assert_int_equal(step(f, id, "follow_up", NULL, 0, &e), DB_OK);
	j = deed_json(f->db, id, 1);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "in_progress");
	assert_int_equal(json_integer_value(json_object_get(j, "reopened")), 1);
	assert_true(json_is_null(json_object_get(j, "close_reason")));
	assert_true(json_is_false(json_object_get(j, "done")));
	assert_int_equal(json_array_size(json_object_get(j, "history")), 5);
	json_decref(j);
	assert_int_equal(step(f, id, "close", "solved", 0, &e), DB_OK);
	assert_int_equal(step(f, id, "follow_up", NULL, 1, &e), DB_OK);
	j = deed_json(f->db, id, 0);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "followed_up");
	assert_true(json_is_true(json_object_get(j, "done")));
	assert_int_equal(json_integer_value(json_object_get(j, "satisfaction")), 5);
	json_decref(j);
	/* every action is audited */
	{
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit_log WHERE entity = 'deed' AND entity_id = %lld", (long long)id);
		assert_int_equal(count(f->db, sql), 7);
	}
	assert_int_equal(db_rollback(f->db), DB_OK);
}

static void test_transition_table(void **state)
{
	char why[256];

	(void)state;
	assert_true(deed_transition_allowed("accept", "registered", why, sizeof(why)));
	assert_false(deed_transition_allowed("accept", "accepted", why, sizeof(why)));
	assert_true(deed_transition_allowed("close", "accepted", why, sizeof(why)));
	assert_true(deed_transition_allowed("close", "in_progress", why, sizeof(why)));
	assert_false(deed_transition_allowed("close", "closed", why, sizeof(why)));
	assert_non_null(strstr(why, "只有“受理”或“办理中”状态"));
	assert_true(deed_transition_allowed("follow_up", "closed", why, sizeof(why)));
	assert_false(deed_transition_allowed("follow_up", "followed_up", why, sizeof(why)));
	assert_true(deed_transition_allowed("route", "registered", why, sizeof(why)));
	assert_false(deed_transition_allowed("route", "closed", why, sizeof(why)));
	assert_false(deed_transition_allowed("delete", "registered", why, sizeof(why)));
}

static void test_scope_sql_per_role(void **state)
{
	struct req r;
	struct ctx c;
	struct db_params p = { 0 };
	const char *sql;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	arena_init(&r.arena, 0);
	r.user = &c;
	c.user_id = 42;
	c.ngrants = 3;
	c.grants[0] = (struct grant){ "staff", 1, "/1/" };
	c.grants[1] = (struct grant){ "gridworker", 2, "/1/2/" };
	c.grants[2] = (struct grant){ "member", 2, "/1/2/" };
	sql = grid_scope_sql(&r, "deed.read", "o.path", "d.grid_id", "d.created_by", &p);
	assert_string_equal(sql, "((o.path LIKE ?) OR (o.path LIKE ? AND d.grid_id IN (SELECT gw.grid_id FROM"
			    " grid_workers gw WHERE gw.user_id = ?)) OR (o.path LIKE ? AND d.created_by = ?))");
	assert_int_equal(p.n, 5);
	assert_string_equal(p.v[0].s, "/1/%");
	assert_string_equal(p.v[1].s, "/1/2/%");
	assert_int_equal(p.v[2].i, 42);
	assert_int_equal(p.v[4].i, 42);
	/* members have no grid.read; without a creator column they see nothing either */
	memset(&p, 0, sizeof(p));
	c.grants[0] = (struct grant){ "member", 1, "/1/" };
	c.ngrants = 1;
	assert_string_equal(grid_scope_sql(&r, "grid.read", "o.path", "g.id", NULL, &p), "1=0");
	assert_string_equal(grid_scope_sql(&r, "deed.read", "o.path", "d.grid_id", NULL, &p), "1=0");
	assert_int_equal(p.n, 0);
	c.ngrants = 0;
	assert_string_equal(grid_scope_sql(&r, "deed.read", "o.path", "d.grid_id", "d.created_by", &p), "1=0");
	arena_release(&r.arena);
}

static void test_findings(void **state)
{
	struct fx *f = *state;
	struct scope s = { 1, { "/" } };
	struct findings out;
	struct arena a;
	struct zb_fail e;
	struct findings_query q;
	int overdue = 0, silent = 0;

	assert_int_equal(db_begin(f->db), DB_OK);
	zb_fail_init(&e);
	assert_true(intake(f, "policy", "2022-09-29", "医保咨询", &e) > 0);
	/* hh1 is called in November; hh2 was visited in June only: silent by the end of the year */
	assert_true(grid_demo_visit(f->db, &f->keys, &f->who, f->hh1, "2022-11-15", "phone", "", 0) > 0);
	assert_true(grid_demo_visit(f->db, &f->keys, &f->who, f->hh2, "2022-06-01", "visit", "", 0) > 0);
	arena_init(&a, 0);
	findings_init(&out, &a);
	q = (struct findings_query){ .db = f->db, .a = &a, .s = &s, .path_like = NULL,
		.as_of = date_to_days((struct ymd){ 2022, 12, 31 }) };
	assert_int_equal(grid_findings(&q, &out), DB_OK);
	for (size_t i = 0; i < out.n; i++) {
		if (strcmp(out.v[i].code, "overdue") == 0) {
			overdue++;
			assert_string_equal(out.v[i].date, "2022-10-04");	/* no holidays here */
			assert_int_equal(out.v[i].org_id, f->village);
		}
		if (strcmp(out.v[i].code, "silent") == 0) {
			silent++;
			assert_non_null(strstr(out.v[i].text, "1户超过90天"));
		}
	}
	assert_int_equal(overdue, 1);
	assert_int_equal(silent, 1);
	/* on its due day it is not yet overdue */
	findings_free(&out);
	findings_init(&out, &a);
	q.as_of = date_to_days((struct ymd){ 2022, 10, 4 });
	assert_int_equal(grid_findings(&q, &out), DB_OK);
	for (size_t i = 0; i < out.n; i++)
		assert_string_not_equal(out.v[i].code, "overdue");
	/* an empty scope finds nothing */
	findings_free(&out);
	findings_init(&out, &a);
	s.n = 0;
	assert_int_equal(grid_findings(&q, &out), DB_OK);
	assert_int_equal(out.n, 0);
	findings_free(&out);
	arena_release(&a);
	assert_int_equal(db_rollback(f->db), DB_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test(test_scope_sql_per_role),
		cmocka_unit_test_setup_teardown(test_household_phone_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intake_due_date_skips_weekends_and_holidays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intake_refusals_store_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_machine_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_findings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
