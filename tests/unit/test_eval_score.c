/* test_eval_score.c - branch evaluation scoring: scheme parsing, value -> points, weights, maximum points, deductions, stars, quotas with ties, recomputation from frozen inputs, and every metric's SQL against the real schema. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../src/modules/eval/eval_internal.h"
#include "../../src/modules/eval/metrics.h"
#include "../../src/modules/orgs/orgs.h"
#include "../../src/auth/crypt.h"
#include "../../src/base/arena.h"
#include "../../src/base/date.h"
#include "../../src/base/err.h"
#include "../../src/db/db.h"

static const char TREE[] =
	"{\"categories\":["
	"{\"code\":\"a\",\"name\":\"甲\",\"max\":20,\"items\":["
	"{\"code\":\"a1\",\"name\":\"会议\",\"max\":15,\"source\":\"metric\",\"metric\":\"meeting_compliance\",\"map\":{\"kind\":\"linear\"},\"if_empty\":5},"
	"{\"code\":\"a2\",\"name\":\"人工\",\"max\":10,\"source\":\"manual\"}]},"
	"{\"code\":\"b\",\"name\":\"乙\",\"max\":20,\"items\":["
	"{\"code\":\"b1\",\"name\":\"满意\",\"max\":10,\"source\":\"metric\",\"metric\":\"deed_satisfaction\",\"map\":{\"kind\":\"bands\",\"bands\":[[0.9,10],[0.8,8],[0.6,5],[0,0]]}},"
	"{\"code\":\"b2\",\"name\":\"实事\",\"max\":8,\"source\":\"metric\",\"metric\":\"deeds_done\",\"map\":{\"kind\":\"per_unit\",\"per\":1.5}}]}],"
	"\"deductions\":{\"max\":6,\"items\":["
	"{\"code\":\"d1\",\"name\":\"扣分一\",\"max\":5,\"source\":\"manual\"},"
	"{\"code\":\"d2\",\"name\":\"扣分二\",\"max\":5,\"source\":\"manual\"}]}}";

struct fx {
	struct arena a;
	struct ev_scheme s;
	json_t *tree, *stars;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct zb_fail e;

	arena_init(&f->a, 0);
	f->tree = json_loads(TREE, 0, NULL);
	f->stars = json_pack("[iiii]", 90, 80, 70, 60);
	zb_fail_init(&e);
	assert_int_equal(ev_scheme_parse(f->tree, 40, f->stars, &f->a, &f->s, "tree", &e), 0);
	zb_fail_release(&e);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	json_decref(f->tree);
	json_decref(f->stars);
	arena_release(&f->a);
	free(f);
	return 0;
}

static void test_parse(void **state)
{
	struct fx *f = *state;

	assert_int_equal(f->s.ncat, 2);
	assert_int_equal(f->s.nitem, 6);
	assert_int_equal(f->s.max_total, 400);
	assert_int_equal(f->s.deduct_max, 60);
	assert_int_equal(f->s.items[0].max, 150);
	assert_int_equal(f->s.items[0].if_empty, 50);
	assert_int_equal(f->s.items[2].nbands, 4);
	assert_int_equal(f->s.items[3].per_unit, 15);
	assert_int_equal(f->s.items[4].cat, -1);
	assert_int_equal(f->s.stars[0], 900);
	assert_int_equal(f->s.stars[3], 600);
}

/* Parse text; returns the field message (static copy) or NULL when clean. */
static const char *parse_err(const char *text, const char *stars_text)
{
	static char msg[512];
	json_t *t = json_loads(text, 0, NULL), *st = json_loads(stars_text, 0, NULL);
	struct ev_scheme s;
	struct arena a;
	struct zb_fail e;
	int rc;

	arena_init(&a, 0);
	zb_fail_init(&e);
	rc = ev_scheme_parse(t, 100, st, &a, &s, "tree", &e);
	msg[0] = 0;
	if (rc != 0) {
		const char *m = json_string_value(json_object_get(e.fields, "tree"));
		if (!m)
			m = json_string_value(json_object_get(e.fields, "stars"));
		snprintf(msg, sizeof(msg), "%s", m ? m : "?");
	}
	zb_fail_release(&e);
	arena_release(&a);
	json_decref(t);
	json_decref(st);
	return rc ? msg : NULL;
}

static void test_parse_refusals(void **state)
{
	const char *m;

	(void)state;
	m = parse_err("{\"categories\":[]}", "[90,80,70,60]");
	assert_non_null(m);
	assert_non_null(strstr(m, "一级指标"));
	m = parse_err("{\"categories\":[{\"code\":\"a\",\"name\":\"甲\",\"max\":10,\"items\":[{\"code\":\"x\",\"name\":\"乙\",\"max\":5,\"source\":\"metric\",\"metric\":\"nope\"}]}]}", "[90,80,70,60]");
	assert_non_null(strstr(m, "未知的数据指标"));
	m = parse_err("{\"categories\":[{\"code\":\"a\",\"name\":\"甲\",\"max\":10,\"items\":[{\"code\":\"x\",\"name\":\"乙\",\"max\":5,\"source\":\"manual\"},{\"code\":\"x\",\"name\":\"丙\",\"max\":5,\"source\":\"manual\"}]}]}", "[90,80,70,60]");
	assert_non_null(strstr(m, "重复"));
	/* bands must descend; a count metric cannot be mapped linearly */
	m = parse_err("{\"categories\":[{\"code\":\"a\",\"name\":\"甲\",\"max\":10,\"items\":[{\"code\":\"x\",\"name\":\"乙\",\"max\":5,\"source\":\"metric\",\"metric\":\"deed_satisfaction\",\"map\":{\"kind\":\"bands\",\"bands\":[[0.5,2],[0.9,5]]}}]}]}", "[90,80,70,60]");
	assert_non_null(strstr(m, "从高到低"));
	m = parse_err("{\"categories\":[{\"code\":\"a\",\"name\":\"甲\",\"max\":10,\"items\":[{\"code\":\"x\",\"name\":\"乙\",\"max\":5,\"source\":\"metric\",\"metric\":\"deeds_done\"}]}]}", "[90,80,70,60]");
	assert_non_null(strstr(m, "计数类"));
	m = parse_err("{\"categories\":[{\"code\":\"a\",\"name\":\"甲\",\"max\":10,\"weight\":60,\"items\":[{\"code\":\"x\",\"name\":\"乙\",\"max\":5,\"source\":\"manual\"}]},"
		      "{\"code\":\"b\",\"name\":\"丙\",\"max\":10,\"weight\":50,\"items\":[{\"code\":\"y\",\"name\":\"丁\",\"max\":5,\"source\":\"manual\"}]}]}", "[90,80,70,60]");
	assert_non_null(strstr(m, "权重之和"));
	m = parse_err("{\"categories\":[{\"code\":\"a\",\"name\":\"甲\",\"max\":10,\"items\":[{\"code\":\"x\",\"name\":\"乙\",\"max\":5,\"source\":\"manual\"}]}]}", "[60,70,80,90]");
	assert_non_null(strstr(m, "星级"));
}

static void test_map_points(void **state)
{
	struct fx *f = *state;
	const struct ev_item *lin = &f->s.items[0], *bands = &f->s.items[2], *per = &f->s.items[3];

	assert_int_equal(ev_map_points(lin, 1, 1.0), 150);
	assert_int_equal(ev_map_points(lin, 1, 0.75), 113);	/* 11.25 rounds to 11.3 */
	assert_int_equal(ev_map_points(lin, 1, 0), 0);
	assert_int_equal(ev_map_points(lin, 1, 1.7), 150);	/* capped */
	assert_int_equal(ev_map_points(lin, 0, 0), 50);		/* nothing measured: if_empty */
	assert_int_equal(ev_map_points(bands, 1, 0.95), 100);
	assert_int_equal(ev_map_points(bands, 1, 0.9), 100);	/* the band's lower bound is in it */
	assert_int_equal(ev_map_points(bands, 1, 0.8999999999), 100);	/* float noise tolerated */
	assert_int_equal(ev_map_points(bands, 1, 0.85), 80);
	assert_int_equal(ev_map_points(bands, 1, 0.59), 0);
	assert_int_equal(ev_map_points(bands, 0, 0), 0);
	assert_int_equal(ev_map_points(per, 1, 3), 45);
	assert_int_equal(ev_map_points(per, 1, 100), 80);	/* capped at max */
	assert_int_equal(ev_map_points(&f->s.items[1], 1, 1), 0);	/* manual: no mapping */
}

static void test_totals_caps_deductions(void **state)
{
	struct fx *f = *state;
	struct ev_line l[6];
	struct ev_total t;

	memset(l, 0, sizeof(l));
	l[0].metric_pts = 150;			/* a1 15 */
	l[1].has_self = 1, l[1].self_pts = 100;	/* a2 10 -> category a capped at 20 */
	l[2].metric_pts = 80;			/* b1 8 */
	l[3].metric_pts = 45;			/* b2 4.5 */
	l[4].has_self = 1, l[4].self_pts = 50;	/* d1 5 */
	l[5].has_self = 1, l[5].self_pts = 40;	/* d2 4 -> deductions capped at 6 */
	ev_score(&f->s, l, &t);
	assert_int_equal(t.cat_pts[0], 200);
	assert_int_equal(t.cat_pts[1], 125);
	assert_int_equal(t.deduct, 60);
	assert_int_equal(t.total, 200 + 125 - 60);
	assert_int_equal(l[1].points, 100);

	/* a review replaces the self-assessment and the metric's points; values beyond max are clamped */
	l[1].has_review = 1, l[1].review_pts = 20;
	l[2].has_review = 1, l[2].review_pts = 500;
	l[4].has_self = 0, l[5].has_self = 0;
	ev_score(&f->s, l, &t);
	assert_int_equal(l[1].points, 20);
	assert_int_equal(l[2].points, 100);
	assert_int_equal(t.cat_pts[0], 170);
	assert_int_equal(t.cat_pts[1], 145);
	assert_int_equal(t.deduct, 0);
	assert_int_equal(t.total, 315);

	/* an unscored manual item counts 0; the total never goes below 0 */
	memset(l, 0, sizeof(l));
	l[4].has_self = 1, l[4].self_pts = 50;
	ev_score(&f->s, l, &t);
	assert_int_equal(t.total, 0);
}

static void test_weights(void **state)
{
	struct arena a;
	struct ev_scheme s;
	struct ev_line l[3];
	struct ev_total t;
	struct zb_fail e;
	json_t *tree = json_loads("{\"categories\":["
		"{\"code\":\"p\",\"name\":\"党建\",\"max\":20,\"weight\":40,\"items\":[{\"code\":\"x\",\"name\":\"x\",\"max\":20,\"source\":\"manual\"}]},"
		"{\"code\":\"i\",\"name\":\"产业兴旺\",\"max\":10,\"weight\":30,\"items\":[{\"code\":\"y\",\"name\":\"y\",\"max\":10,\"source\":\"manual\"}]},"
		"{\"code\":\"c\",\"name\":\"乡风文明\",\"max\":50,\"weight\":30,\"items\":[{\"code\":\"z\",\"name\":\"z\",\"max\":50,\"source\":\"manual\"}]}]}", 0, NULL);
	json_t *stars = json_pack("[iiii]", 90, 80, 70, 60);

	(void)state;
	arena_init(&a, 0);
	zb_fail_init(&e);
	assert_int_equal(ev_scheme_parse(tree, 100, stars, &a, &s, "tree", &e), 0);
	memset(l, 0, sizeof(l));
	l[0].has_self = 1, l[0].self_pts = 150;	/* 15/20 of 40% -> 30 */
	l[1].has_self = 1, l[1].self_pts = 100;	/* 10/10 of 30% -> 30 */
	l[2].has_self = 1, l[2].self_pts = 250;	/* 25/50 of 30% -> 15 */
	ev_score(&s, l, &t);
	assert_int_equal(t.cat_score[0], 300);
	assert_int_equal(t.cat_score[1], 300);
	assert_int_equal(t.cat_score[2], 150);
	assert_int_equal(t.total, 750);
	assert_int_equal(ev_stars_of(&s, t.total), 3);
	zb_fail_release(&e);
	json_decref(tree);
	json_decref(stars);
	arena_release(&a);
}

static void test_star_thresholds(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ev_stars_of(&f->s, 1000), 5);
	assert_int_equal(ev_stars_of(&f->s, 900), 5);
	assert_int_equal(ev_stars_of(&f->s, 899), 4);
	assert_int_equal(ev_stars_of(&f->s, 800), 4);
	assert_int_equal(ev_stars_of(&f->s, 799), 3);
	assert_int_equal(ev_stars_of(&f->s, 700), 3);
	assert_int_equal(ev_stars_of(&f->s, 699), 2);
	assert_int_equal(ev_stars_of(&f->s, 600), 2);
	assert_int_equal(ev_stars_of(&f->s, 599), 1);
	assert_int_equal(ev_stars_of(&f->s, 0), 1);
}

static void test_quota_ties(void **state)
{
	struct fx *f = *state;
	int ranks[10], stars[10];
	/* 10 branches, 30%: at most 3 five stars */
	const int t1[10] = { 950, 930, 920, 920, 910, 850, 800, 700, 650, 500 };
	const int t2[10] = { 950, 950, 950, 900, 900, 850, 800, 700, 650, 500 };
	const int t3[10] = { 950, 950, 950, 950, 850, 850, 800, 700, 650, 500 };
	const int t4[4] = { 910, 900, 500, 910 };

	ev_rank_stars(&f->s, 10, t1, 30, ranks, stars);
	/* ranks: ties share, the next skips */
	assert_int_equal(ranks[0], 1);
	assert_int_equal(ranks[1], 2);
	assert_int_equal(ranks[2], 3);
	assert_int_equal(ranks[3], 3);
	assert_int_equal(ranks[4], 5);
	/* the tie at rank 3 would make 4 > 3: both fall to four stars, and so does everyone below */
	assert_int_equal(stars[0], 5);
	assert_int_equal(stars[1], 5);
	assert_int_equal(stars[2], 4);
	assert_int_equal(stars[3], 4);
	assert_int_equal(stars[4], 4);
	assert_int_equal(stars[5], 4);
	assert_int_equal(stars[6], 4);
	assert_int_equal(stars[7], 3);
	assert_int_equal(stars[8], 2);
	assert_int_equal(stars[9], 1);

	/* a tie that fits exactly is kept whole */
	ev_rank_stars(&f->s, 10, t2, 30, ranks, stars);
	assert_int_equal(stars[0] + stars[1] + stars[2], 15);
	assert_int_equal(stars[3], 4);
	assert_int_equal(stars[4], 4);
	assert_int_equal(ranks[3], 4);

	/* a tie at the top larger than the quota: nobody gets five */
	ev_rank_stars(&f->s, 10, t3, 30, ranks, stars);
	for (int i = 0; i < 4; i++)
		assert_int_equal(stars[i], 4);
	assert_int_equal(ranks[3], 1);

	/* no quota: thresholds only; quota 0: no five stars; 50% of 4 = 2 (order of input irrelevant) */
	ev_rank_stars(&f->s, 10, t3, -1, ranks, stars);
	assert_int_equal(stars[3], 5);
	ev_rank_stars(&f->s, 10, t1, 0, ranks, stars);
	assert_int_equal(stars[0], 4);
	ev_rank_stars(&f->s, 4, t4, 50, ranks, stars);
	assert_int_equal(stars[0], 5);
	assert_int_equal(stars[3], 5);
	assert_int_equal(stars[1], 4);	/* 90.0 but the quota is full */
	assert_int_equal(ranks[0], 1);
	assert_int_equal(ranks[3], 1);
	assert_int_equal(ranks[1], 3);
	assert_int_equal(ranks[2], 4);
	assert_non_null(strstr(EV_TIE_RULE, "并列"));
}

static void test_recompute_frozen(void **state)
{
	struct fx *f = *state;
	json_t *fz = json_loads("{\"items\":["
		"{\"code\":\"a1\",\"has_value\":true,\"value\":0.8,\"self_tenths\":null,\"review_tenths\":null},"
		"{\"code\":\"a2\",\"has_value\":false,\"value\":0,\"self_tenths\":70,\"review_tenths\":null},"
		"{\"code\":\"b1\",\"has_value\":true,\"value\":0.85,\"self_tenths\":null,\"review_tenths\":null},"
		"{\"code\":\"b2\",\"has_value\":true,\"value\":2,\"self_tenths\":null,\"review_tenths\":null},"
		"{\"code\":\"d1\",\"has_value\":false,\"value\":0,\"self_tenths\":0,\"review_tenths\":20},"
		"{\"code\":\"d2\",\"has_value\":false,\"value\":0,\"self_tenths\":null,\"review_tenths\":null}]}", 0, NULL);

	/* a1 12, a2 7 -> 19; b1 8, b2 3 -> 11; deduction 2: 28.0 */
	assert_int_equal(ev_recompute_frozen(&f->s, fz), 280);
	/* the same inputs give the same total; a changed input a different one */
	assert_int_equal(ev_recompute_frozen(&f->s, fz), 280);
	json_object_set_new(json_array_get(json_object_get(fz, "items"), 2), "value", json_real(0.95));
	assert_int_equal(ev_recompute_frozen(&f->s, fz), 300);
	/* an item missing from the frozen inputs: refused, never guessed */
	json_array_remove(json_object_get(fz, "items"), 5);
	assert_int_equal(ev_recompute_frozen(&f->s, fz), -1);
	json_decref(fz);
}

/* Every metric's SQL runs against the real schema; a table that is missing fails loudly. */
static void test_metrics_against_schema(void **state)
{
	char path[] = "/tmp/zb_eval_XXXXXX";
	int fd = mkstemp(path);
	struct db *db;
	struct keys k;
	struct arena a;
	int64_t town, br, from, to;
	struct org o;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(db_open(path, &db), DB_OK);
	assert_true(db_migrate(db, NULL) > 0);
	memset(&k, 7, sizeof(k));
	town = org_create_system(db, &k, 0, "测试镇党委", "township_committee", NULL);
	br = org_create_system(db, &k, town, "甲村党支部", "branch", "village");
	assert_true(br > 0);
	assert_int_equal(org_load(db, br, &o), 1);
	arena_init(&a, 0);
	ev_period(2022, 0, &from, &to);
	for (const struct metric *m = metrics; m->code; m++) {
		struct metric_value v;
		memset(&v, 0, sizeof(v));
		assert_int_equal(m->fn(db, &a, br, o.path, from, to, &v), DB_OK);
		assert_non_null(v.inputs);
		assert_true(json_is_object(v.inputs));
		assert_non_null(json_object_get(v.inputs, "denominator"));
		assert_int_equal(v.is_count, m->is_count);
		if (strcmp(m->code, "meeting_compliance") == 0 || strcmp(m->code, "disclosure_completeness") == 0) {
			/* rules apply to a village branch: nothing held is a measured 0, every period missing */
			assert_int_equal(v.has_value, 1);
			assert_true(v.value == 0);
			assert_true(json_integer_value(json_object_get(v.inputs, "missing")) > 0);
		} else if (!m->is_count) {
			assert_int_equal(v.has_value, 0);	/* nothing to measure: no value, not a silent 0 */
		}
		assert_non_null(v.link);
		json_decref(v.inputs);
	}
	/* the owners' table gone: the metric fails, it does not answer 0 */
	assert_int_equal(db_exec(db, "DROP TABLE task_supervisions"), DB_OK);
	{
		struct metric_value v;
		memset(&v, 0, sizeof(v));
		assert_true(metric_task_followup(db, &a, br, o.path, from, to, &v) < 0);
		json_decref(v.inputs);
	}
	arena_release(&a);
	db_close(db);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test_setup_teardown(test_map_points, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totals_caps_deductions, setup, teardown),
		cmocka_unit_test(test_weights),
		cmocka_unit_test_setup_teardown(test_star_thresholds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_ties, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recompute_frozen, setup, teardown),
		cmocka_unit_test(test_metrics_against_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
