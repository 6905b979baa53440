/* test_tasks_findings.c - the tasks' findings (overdue, stale, late rectifications) and the roll-up through the database: push-down, reports, acceptance, scope. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "../../src/modules/tasks/tasks.h"
#include "../../src/modules/tasks/tasks_internal.h"
#include "../../src/modules/orgs/orgs.h"
#include "../../src/modules/rules/findings.h"
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
	int64_t town, a, b, list;
	char town_path[256], a_path[256], b_path[256];
};

static int64_t D(const char *s)
{
	struct ymd d;

	assert_int_equal(date_parse_iso(s, &d), 0);
	return date_to_days(d);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct org o;

	assert_int_equal(TESTDB_MAKE(f, "tasks", "t.db", 1), 0);
	random_bytes(&f->keys, sizeof(f->keys));
	f->who = (struct audit_who){ 0, "test", "", "" };
	assert_int_equal(db_begin(f->db), DB_OK);
	f->town = org_create_system(f->db, &f->keys, 0, "测试镇党委", "township_committee", NULL);
	f->a = org_create_system(f->db, &f->keys, f->town, "甲村党支部", "branch", "village");
	f->b = org_create_system(f->db, &f->keys, f->town, "乙村党支部", "branch", "village");
	assert_true(f->town > 0 && f->a > 0 && f->b > 0);
	assert_int_equal(org_load(f->db, f->town, &o), 1);
	snprintf(f->town_path, sizeof(f->town_path), "%s", o.path);
	assert_int_equal(org_load(f->db, f->a, &o), 1);
	snprintf(f->a_path, sizeof(f->a_path), "%s", o.path);
	assert_int_equal(org_load(f->db, f->b, &o), 1);
	snprintf(f->b_path, sizeof(f->b_path), "%s", o.path);
	f->list = task_list_ensure(f->db, &f->keys, &f->who, f->town, 2022, NULL);
	assert_true(f->list > 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	db_rollback(f->db);
	assert_int_equal(TESTDB_DROP(f), 0);
	free(f);
	return 0;
}

static int64_t add(struct fx *f, int64_t list, int64_t parent, const char *title, const char *start,
		   const char *due, int weight)
{
	struct task_in in;
	struct zb_fail e;
	int64_t id;

	memset(&in, 0, sizeof(in));
	in.list_id = list;
	in.parent_id = parent;
	in.title = title;
	in.start_on = start;
	in.due_on = due;
	in.has_weight = weight >= 0;
	in.weight = weight;
	zb_fail_init(&e);
	id = task_insert(f->db, &f->keys, &f->who, &in, &e);
	zb_fail_release(&e);
	assert_true(id > 0);
	return id;
}

static int64_t rep(struct fx *f, int64_t item, const char *day, int pct, const char *reason)
{
	struct task_report r = { day, 1, pct, NULL, "进展", reason, NULL, 0 };
	struct zb_fail e;
	int64_t id;

	zb_fail_init(&e);
	id = task_report_add(f->db, &f->keys, &f->who, item, &r, D("2100-01-01"), &e);
	zb_fail_release(&e);
	return id;
}

static json_t *item(struct fx *f, int64_t id)
{
	json_t *j = task_item_json(f->db, id);
	assert_non_null(j);
	return j;
}

static int64_t jint(json_t *j, const char *k)
{
	return json_integer_value(json_object_get(j, k));
}

/* Collect the findings for scope path on day; returns how many, codes joined into out. */
static size_t collect(struct fx *f, const char *scope_path, const char *like, const char *day, char *out,
		      size_t outsz, enum rule_severity *first_sev)
{
	struct arena a;
	struct findings fs;
	struct scope s = { 1, { scope_path } };
	struct findings_query q = { .db = f->db, .a = &a, .s = &s, .path_like = like, .as_of = D(day) };
	size_t n;

	arena_init(&a, 0);
	findings_init(&fs, &a);
	assert_int_equal(tasks_findings(&q, &fs), DB_OK);
	out[0] = '\0';
	for (size_t i = 0; i < fs.n; i++) {
		size_t l = strlen(out);
		snprintf(out + l, outsz - l, "%s%s@%s", i ? "," : "", fs.v[i].code, fs.v[i].org_name);
		assert_string_equal(fs.v[i].subject, "task");
		assert_non_null(fs.v[i].link);
		assert_non_null(fs.v[i].text);
	}
	if (first_sev && fs.n)
		*first_sev = fs.v[0].severity;
	n = fs.n;
	findings_free(&fs);
	arena_release(&a);
	return n;
}

static void test_overdue_and_severity(void **state)
{
	struct fx *f = *state;
	enum rule_severity sev = RULE_LOW;
	char out[512];
	int64_t it = add(f, f->list, 0, "制定责任清单", "2022-01-01", "2022-03-31", -1);

	(void)it;
	assert_int_equal(rep(f, it, "2022-03-20", 50, NULL) > 0, 1);
	/* due day itself: nothing; the day after: overdue, medium; 31 days later: high */
	assert_int_equal(collect(f, f->town_path, NULL, "2022-03-31", out, sizeof(out), NULL), 0);
	assert_int_equal(collect(f, f->town_path, NULL, "2022-04-01", out, sizeof(out), &sev), 1);
	assert_string_equal(out, "overdue@测试镇党委");
	assert_int_equal(sev, RULE_MEDIUM);
	collect(f, f->town_path, NULL, "2022-05-05", out, sizeof(out), &sev);
	assert_int_equal(sev, RULE_HIGH);
	/* done: no longer a finding, even past due */
	assert_true(rep(f, it, "2022-04-02", 100, NULL) > 0);
	assert_int_equal(collect(f, f->town_path, NULL, "2022-05-05", out, sizeof(out), NULL), 0);
}

static void test_stale_uses_setting(void **state)
{
	struct fx *f = *state;
	char out[512];
	int64_t it = add(f, f->list, 0, "推进网格治理", "2022-01-01", "2022-12-31", -1);

	(void)it;
	/* 30 days from the start: not yet; 31: stale, low */
	assert_int_equal(collect(f, f->town_path, NULL, "2022-01-31", out, sizeof(out), NULL), 0);
	assert_int_equal(collect(f, f->town_path, NULL, "2022-02-01", out, sizeof(out), NULL), 1);
	assert_string_equal(out, "stale@测试镇党委");
	/* a report restarts the count */
	assert_true(rep(f, it, "2022-01-25", 10, NULL) > 0);
	assert_int_equal(collect(f, f->town_path, NULL, "2022-02-01", out, sizeof(out), NULL), 0);
	/* the setting shortens it to 5 days */
	assert_int_equal(db_run(f->db, "UPDATE settings SET value = '5' WHERE key = 'tasks_stale_days'", ""), DB_OK);
	assert_int_equal(collect(f, f->town_path, NULL, "2022-02-01", out, sizeof(out), NULL), 1);
	/* not started yet: never stale */
	assert_int_equal(collect(f, f->town_path, NULL, "2021-06-01", out, sizeof(out), NULL), 0);
}

static void test_push_rollup_scope_and_leaves(void **state)
{
	struct fx *f = *state;
	char out[512];
	int64_t orgs[2] = { f->a, f->b }, made[2];
	int64_t src = add(f, f->list, 0, "学习二十大精神", "2022-10-20", "2022-12-31", 10);
	struct zb_fail e;
	json_t *j;

	zb_fail_init(&e);
	assert_int_equal(task_push(f->db, &f->keys, &f->who, src, orgs, 2, NULL, NULL, NULL, made, &e), TW_OK);
	/* pushing again to the same branch is refused */
	assert_int_equal(task_push(f->db, &f->keys, &f->who, src, orgs, 1, NULL, NULL, NULL, made + 1, &e), TW_INVALID);
	assert_non_null(json_object_get(e.fields, "org_ids"));
	zb_fail_release(&e);
	assert_true(rep(f, made[0], "2022-12-20", 100, NULL) > 0);
	j = item(f, src);
	assert_int_equal(jint(j, "progress"), 50);
	assert_string_equal(json_string_value(json_object_get(j, "progress_source")), "rollup");
	json_decref(j);
	/* backwards without a reason is refused; with one it is taken */
	assert_int_equal(rep(f, made[1], "2022-12-01", 40, NULL) > 0, 1);
	assert_int_equal(rep(f, made[1], "2022-12-02", 30, NULL), 0);
	assert_true(rep(f, made[1], "2022-12-02", 30, "核减") > 0);
	j = item(f, src);
	assert_int_equal(jint(j, "progress"), 65);	/* (100 + 30) / 2 */
	json_decref(j);
	/* on 2023-01-05 only the unfinished branch item is overdue; the township item that
	 * rolls up from its branches is not reported twice */
	assert_int_equal(collect(f, f->town_path, NULL, "2023-01-05", out, sizeof(out), NULL), 1);
	assert_string_equal(out, "overdue@乙村党支部");
	/* a branch's scope sees only its own */
	assert_int_equal(collect(f, f->a_path, NULL, "2023-01-05", out, sizeof(out), NULL), 0);
	assert_int_equal(collect(f, f->b_path, NULL, "2023-01-05", out, sizeof(out), NULL), 1);
	{
		char like[300];
		snprintf(like, sizeof(like), "%s%%", f->a_path);
		assert_int_equal(collect(f, f->town_path, like, "2023-01-05", out, sizeof(out), NULL), 0);
	}
	/* acceptance: only a done item; accepted children make the parent accepted */
	j = item(f, made[0]);
	zb_fail_init(&e);
	assert_int_equal(task_accept(f->db, &f->keys, &f->who, made[0], jint(j, "version") - 1, "2023-01-06",
				     NULL, &e), TW_STALE);
	assert_int_equal(task_accept(f->db, &f->keys, &f->who, made[0], jint(j, "version"), "2023-01-06",
				     NULL, &e), TW_OK);
	json_decref(j);
	j = item(f, made[1]);
	assert_int_equal(task_accept(f->db, &f->keys, &f->who, made[1], jint(j, "version"), "2023-01-06",
				     NULL, &e), TW_INVALID);
	json_decref(j);
	zb_fail_release(&e);
	assert_true(rep(f, made[1], "2023-01-07", 100, NULL) > 0);
	j = item(f, made[1]);
	zb_fail_init(&e);
	assert_int_equal(task_accept(f->db, &f->keys, &f->who, made[1], jint(j, "version"), "2023-01-08",
				     NULL, &e), TW_OK);
	zb_fail_release(&e);
	json_decref(j);
	j = item(f, src);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "accepted");
	assert_int_equal(jint(j, "progress"), 100);
	json_decref(j);
}

static void test_late_rectification(void **state)
{
	struct fx *f = *state;
	char out[512];
	int64_t it = add(f, f->list, 0, "三务公开", "2022-01-01", "2022-12-31", -1);
	struct task_supervision sv = { "2022-11-15", "镇纪委", "公开栏未更新", "average", "补齐公开", "2022-11-30" };
	struct task_supervision bad = { "2022-11-15", "", "x", "excellent", "补齐", "2022-11-01" };
	struct zb_fail e;
	enum rule_severity sev = RULE_LOW;

	assert_true(rep(f, it, "2022-11-20", 50, NULL) > 0);
	zb_fail_init(&e);
	assert_int_equal(task_supervise(f->db, &f->keys, &f->who, it, &bad, &e), 0);
	assert_non_null(json_object_get(e.fields, "inspector"));
	assert_non_null(json_object_get(e.fields, "rating"));
	assert_non_null(json_object_get(e.fields, "rectification.deadline"));
	zb_fail_release(&e);
	zb_fail_init(&e);
	assert_true(task_supervise(f->db, &f->keys, &f->who, it, &sv, &e) > 0);
	zb_fail_release(&e);
	assert_int_equal(collect(f, f->town_path, NULL, "2022-11-30", out, sizeof(out), NULL), 0);
	assert_int_equal(collect(f, f->town_path, NULL, "2022-12-01", out, sizeof(out), &sev), 1);
	assert_string_equal(out, "rectification_overdue@测试镇党委");
	assert_int_equal(sev, RULE_HIGH);
	assert_int_equal(db_run(f->db, "UPDATE task_rectifications SET done_on = '2022-12-02', outcome = '已整改'", ""),
			 DB_OK);
	assert_int_equal(collect(f, f->town_path, NULL, "2022-12-05", out, sizeof(out), NULL), 0);
	assert_string_equal(task_rating_label("fairly_good"), "较好");
	assert_null(task_rating_label("excellent"));
}

static void test_checks_name_fields(void **state)
{
	struct fx *f = *state;
	struct task_in in;
	struct zb_fail e;

	memset(&in, 0, sizeof(in));
	in.list_id = f->list;
	in.title = "";
	in.code = "1..2";
	in.start_on = "2022-05-01";
	in.due_on = "2022-04-01";
	in.has_weight = 1;
	in.weight = -1;
	in.owner_org_id = 999999;
	zb_fail_init(&e);
	assert_int_equal(task_insert(f->db, &f->keys, &f->who, &in, &e), 0);
	assert_string_equal(json_string_value(json_object_get(e.fields, "due_on")), "完成时限不能早于开始日期");
	assert_non_null(json_object_get(e.fields, "title"));
	assert_non_null(json_object_get(e.fields, "code"));
	assert_non_null(json_object_get(e.fields, "weight"));
	assert_non_null(json_object_get(e.fields, "owner_org_id"));
	zb_fail_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_overdue_and_severity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_uses_setting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_rollup_scope_and_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_rectification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks_name_fields, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
