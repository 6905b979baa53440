/* test_memo.c - read results kept until the audit chain's head moves: counts, answers, limits, no memo. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/app/memo.h"
#include "testdb.h"

/*
 * The database holds the one table memo reads (audit_head) and a list to
 * count. Tests move the head by hand the way every audited write does.
 */
struct fx {
	char dir[64];
	char path[128];
	struct db *db;
	struct memo *m;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (TESTDB_MAKE(f, "memo", "m.db", 0) != 0)
		return -1;
	if (db_exec(f->db, "CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);"
			   "INSERT INTO audit_head VALUES (1, 7);"
			   "CREATE TABLE people (id INTEGER PRIMARY KEY, org TEXT, status TEXT);"
			   "INSERT INTO people (org, status) VALUES ('/1/2/', 'active'), ('/1/2/', 'active'),"
			   " ('/1/3/', 'active'), ('/1/2/', 'archived');") != DB_OK)
		return -1;
	f->m = memo_new();
	if (!f->m)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	memo_free(f->m);
	db_close(f->db);
	testdir_remove(f->dir);
	free(f);
	return 0;
}

static const char COUNT[] = "SELECT COUNT(*) FROM people WHERE org LIKE ? AND status = ?";

static int64_t count(struct fx *f, struct memo *m, const char *org, const char *status)
{
	struct db_params b = { 0 };
	int64_t n = -1;

	db_param_text(&b, org);
	db_param_text(&b, status);
	assert_int_equal(memo_count(m, f->db, COUNT, &b, &n), DB_OK);
	return n;
}

/* A count is kept while the head stays, per parameters, and counted again once the head moves. */
static void test_count_until_the_head_moves(void **state)
{
	struct fx *f = *state;

	assert_int_equal(count(f, f->m, "/1/2/%", "active"), 2);
	assert_int_equal(count(f, f->m, "/1/%", "active"), 3);
	assert_int_equal(count(f, f->m, "/1/2/%", "archived"), 1);
	/* a row written WITHOUT moving the head (no zhibu write does that): the kept count shows it is kept */
	assert_int_equal(db_exec(f->db, "INSERT INTO people (org, status) VALUES ('/1/2/', 'active')"),
			 DB_OK);
	assert_int_equal(count(f, f->m, "/1/2/%", "active"), 2);
	/* without a memo it is always counted */
	assert_int_equal(count(f, NULL, "/1/2/%", "active"), 3);
	/* an audited write moves the head: counted again */
	assert_int_equal(db_exec(f->db, "UPDATE audit_head SET seq = seq + 1"), DB_OK);
	assert_int_equal(count(f, f->m, "/1/2/%", "active"), 3);
	assert_int_equal(count(f, f->m, "/1/%", "active"), 4);
}

/* Answers: found only under the same key and head, appended to what the buffer holds. */
static void test_answers_by_key_and_head(void **state)
{
	struct fx *f = *state;
	struct buf out;
	int64_t head = 0;

	assert_int_equal(memo_head(f->db, &head), DB_OK);
	assert_int_equal(head, 7);
	buf_init(&out, 0);
	assert_int_equal(memo_get(f->m, "orgs.tree\x1f/1/", head, &out), 0);
	memo_put(f->m, "orgs.tree\x1f/1/", head, "{\"items\":[]}", 12);
	buf_puts(&out, ">");
	assert_int_equal(memo_get(f->m, "orgs.tree\x1f/1/", head, &out), 1);
	assert_string_equal(out.data, ">{\"items\":[]}");
	buf_reset(&out);
	assert_int_equal(memo_get(f->m, "orgs.tree\x1f/1/2/", head, &out), 0);
	assert_int_equal(memo_get(f->m, "orgs.tree\x1f/1/", head + 1, &out), 0);
	assert_int_equal(out.len, 0);
	/* a newer result replaces the older one under the same key */
	memo_put(f->m, "orgs.tree\x1f/1/", head + 1, "{}", 2);
	assert_int_equal(memo_get(f->m, "orgs.tree\x1f/1/", head, &out), 0);
	assert_int_equal(memo_get(f->m, "orgs.tree\x1f/1/", head + 1, &out), 1);
	assert_string_equal(out.data, "{}");
	/* a NULL memo keeps nothing and finds nothing */
	memo_put(NULL, "k", head, "x", 1);
	assert_int_equal(memo_get(NULL, "k", head, &out), 0);
	buf_release(&out);
}

/* Over MEMO_ITEM_MAX a result is not kept; past MEMO_BYTES the stale results go first. */
static void test_limits(void **state)
{
	struct fx *f = *state;
	size_t big = MEMO_ITEM_MAX;
	char *data = calloc(1, big + 1);
	struct buf out;
	char key[32];
	int kept = 0;

	assert_non_null(data);
	buf_init(&out, 0);
	memo_put(f->m, "too big", 1, data, big + 1);
	assert_int_equal(memo_get(f->m, "too big", 1, &out), 0);
	/* fill the budget at head 1, then put at head 2: the head-1 results make room */
	for (int i = 0; i < (int)(MEMO_BYTES / big) + 4; i++) {
		snprintf(key, sizeof(key), "old %d", i);
		memo_put(f->m, key, 1, data, big);
	}
	for (int i = 0; i < (int)(MEMO_BYTES / big) + 4; i++) {
		snprintf(key, sizeof(key), "old %d", i);
		buf_reset(&out);
		kept += memo_get(f->m, key, 1, &out);
	}
	assert_true(kept > 0 && kept <= (int)(MEMO_BYTES / big));
	memo_put(f->m, "new", 2, data, big);
	buf_reset(&out);
	assert_int_equal(memo_get(f->m, "new", 2, &out), 1);
	assert_int_equal(out.len, big);
	buf_release(&out);
	free(data);
}

struct worker {
	struct memo *m;
	int id;
	int wrong;
};

static void *hammer(void *arg)
{
	struct worker *w = arg;
	struct buf out;
	char key[32], want[32];

	buf_init(&out, 0);
	for (int i = 0; i < 20000; i++) {
		int k = (i * 7 + w->id) % 300;	/* more keys than slots: collisions replace */

		snprintf(key, sizeof(key), "key %d", k);
		snprintf(want, sizeof(want), "value of %d", k);
		buf_reset(&out);
		if (memo_get(w->m, key, 1, &out)) {
			if (strcmp(out.data, want) != 0)
				w->wrong++;
		} else {
			memo_put(w->m, key, 1, want, strlen(want));
		}
	}
	buf_release(&out);
	return NULL;
}

/* Four threads reading and replacing entries never see one key's result under another key. */
static void test_threads(void **state)
{
	struct fx *f = *state;
	pthread_t t[4];
	struct worker w[4];

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ f->m, i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].wrong, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_count_until_the_head_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answers_by_key_and_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
