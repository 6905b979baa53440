/* test_stmt_cache.c - the SQLite backend's per-connection cache of prepared statements: reuse, clean reuse, statements left on a row, eviction, close. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/db/db.h"
#include "testdb.h"

/*
 * The cache is not visible through db.h, so these tests watch what it
 * promises: a statement finalized and prepared again with the same SQL is
 * the same handle (cached), comes back with no bindings and from its first
 * row, a statement still in use is never handed out twice or evicted, the
 * cache does not grow past its bound, and closing frees it.
 */

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (TESTDB_MAKE(f, "stmt", "c.db", 0) != 0)
		return -1;
	if (db_exec(f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
			   "INSERT INTO t (v) VALUES ('一'), ('二'), ('三');") != DB_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	testdir_remove(f->dir);
	free(f);
	return 0;
}

/* The same SQL, from the same constant or from another copy of the text, is the same cached statement. */
static void test_reuse(void **state)
{
	struct fx *f = *state;
	static const char sql[] = "SELECT v FROM t WHERE id = ?";
	char *copy = strdup(sql);
	struct db_stmt *a, *b;

	assert_non_null(copy);
	a = db_prepare(f->db, sql);
	assert_non_null(a);
	assert_int_equal(db_bind_int(a, 1, 2), DB_OK);
	assert_int_equal(db_step(a), DB_ROW);
	assert_string_equal(db_col_text(a, 0), "二");
	db_finalize(a);

	b = db_prepare(f->db, sql);
	assert_ptr_equal(a, b);
	db_finalize(b);
	/* another pointer to the same text: found by the text */
	b = db_prepare(f->db, copy);
	assert_ptr_equal(a, b);
	assert_int_equal(db_bind_int(b, 1, 3), DB_OK);
	assert_int_equal(db_step(b), DB_ROW);
	assert_string_equal(db_col_text(b, 0), "三");
	db_finalize(b);
	/* and the constant again, after the copy was the last to prepare it */
	b = db_prepare(f->db, sql);
	assert_ptr_equal(a, b);
	db_finalize(b);
	free(copy);
}

/*
 * One buffer holding different SQL at different times (SQL built on the
 * stack): the same pointer must never bring back the other statement.
 */
static void test_same_buffer_other_sql(void **state)
{
	struct fx *f = *state;
	char buf[64];
	struct db_stmt *st;

	for (int round = 0; round < 3; round++) {
		for (int i = 1; i <= 3; i++) {
			snprintf(buf, sizeof(buf), "SELECT v FROM t WHERE id = %d", i);
			st = db_prepare(f->db, buf);
			assert_non_null(st);
			assert_int_equal(db_step(st), DB_ROW);
			assert_string_equal(db_col_text(st, 0), i == 1 ? "一" : i == 2 ? "二" : "三");
			db_finalize(st);
		}
		/* same length, other text */
		snprintf(buf, sizeof(buf), "SELECT COUNT(*) FROM t WHERE id < 3");
		st = db_prepare(f->db, buf);
		assert_non_null(st);
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_int(st, 0), 2);
		db_finalize(st);
	}
}

/* A cached statement comes back reset: no bindings, from the first row, its change count cleared. */
static void test_clean_between_uses(void **state)
{
	struct fx *f = *state;
	static const char sel[] = "SELECT id, CAST(? AS TEXT) FROM t ORDER BY id";
	static const char upd[] = "UPDATE t SET v = ? WHERE id <= ?";
	struct db_stmt *st, *again;

	/* left on its first row with a binding */
	st = db_prepare(f->db, sel);
	assert_non_null(st);
	assert_int_equal(db_bind_text(st, 1, "旧"), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 1);
	assert_string_equal(db_col_text(st, 1), "旧");
	db_finalize(st);

	again = db_prepare(f->db, sel);
	assert_ptr_equal(st, again);
	assert_int_equal(db_step(again), DB_ROW);
	assert_int_equal(db_col_int(again, 0), 1);	/* from the start, not the second row */
	assert_true(db_col_isnull(again, 1));		/* the binding is gone */
	assert_int_equal(db_step(again), DB_ROW);
	assert_int_equal(db_step(again), DB_ROW);
	assert_int_equal(db_step(again), DB_DONE);
	db_finalize(again);

	/* run to the end: finalize after DB_DONE, then a clean second use */
	st = db_prepare(f->db, upd);
	assert_non_null(st);
	assert_int_equal(db_bindf(st, "si", "改", (int64_t)2), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_changes(st), 2);
	db_finalize(st);
	again = db_prepare(f->db, upd);
	assert_ptr_equal(st, again);
	assert_int_equal(db_changes(again), 0);
	/* unbound parameters are NULL: v = NULL WHERE id <= NULL changes nothing */
	assert_int_equal(db_step(again), DB_DONE);
	assert_int_equal(db_changes(again), 0);
	db_finalize(again);
	st = db_prepare(f->db, "SELECT COUNT(*) FROM t WHERE v = '改'");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 2);
	db_finalize(st);

	/* a failed step is reset too: the next use runs normally */
	st = db_prepare(f->db, "INSERT INTO t (id, v) VALUES (?, 'x')");
	assert_non_null(st);
	assert_int_equal(db_bind_int(st, 1, 1), DB_OK);
	assert_int_equal(db_step(st), DB_ECONSTRAINT);
	db_finalize(st);
	again = db_prepare(f->db, "INSERT INTO t (id, v) VALUES (?, 'x')");
	assert_ptr_equal(st, again);
	assert_int_equal(db_bind_int(again, 1, 10), DB_OK);
	assert_int_equal(db_step(again), DB_DONE);
	db_finalize(again);
}

/*
 * A statement left on a row by a caller that has not finalized it yet is
 * its caller's: the same SQL gets another statement, and pushing far more
 * statements than the cache holds neither evicts it nor moves its row.
 */
static void test_in_use_kept(void **state)
{
	struct fx *f = *state;
	static const char sel[] = "SELECT id, v FROM t ORDER BY id";
	struct db_stmt *held, *other, *st;
	char sql[64];

	held = db_prepare(f->db, sel);
	assert_non_null(held);
	assert_int_equal(db_step(held), DB_ROW);
	assert_int_equal(db_step(held), DB_ROW);
	assert_int_equal(db_col_int(held, 0), 2);

	other = db_prepare(f->db, sel);
	assert_non_null(other);
	assert_ptr_not_equal(held, other);
	assert_int_equal(db_step(other), DB_ROW);
	assert_int_equal(db_col_int(other, 0), 1);
	db_finalize(other);

	for (int i = 0; i < 300; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d + COUNT(*) FROM t", i);
		st = db_prepare(f->db, sql);
		assert_non_null(st);
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_int(st, 0), i + 3);
		db_finalize(st);
	}
	assert_int_equal(db_col_int(held, 0), 2);
	assert_string_equal(db_col_text(held, 1), "二");
	assert_int_equal(db_step(held), DB_ROW);
	assert_int_equal(db_col_int(held, 0), 3);
	db_finalize(held);
}

/* Bytes the C heap holds in use now (glibc). */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/*
 * Eviction: past the bound the least recently used idle statement goes, so
 * a connection preparing ever new SQL keeps a bounded number. Measured on
 * the heap: 5,000 different statements must not keep 5,000 prepared
 * statements (each is kilobytes), and the recently used ones stay cached.
 */
static void test_eviction_bounded(void **state)
{
	struct fx *f = *state;
	static const char hot[] = "SELECT v FROM t WHERE id = 1";
	struct db_stmt *h1, *h2, *st;
	size_t before, after;
	char sql[96];

	/* fill the cache first, so that `before` counts a full one */
	for (int i = 0; i < 200; i++) {
		snprintf(sql, sizeof(sql), "SELECT v, %d FROM t WHERE id = ? AND v <> 'x%d'", i, i);
		st = db_prepare(f->db, sql);
		assert_non_null(st);
		db_finalize(st);
	}
	before = heap_in_use();
	for (int i = 0; i < 5000; i++) {
		snprintf(sql, sizeof(sql), "SELECT v, %d FROM t WHERE id = ? AND v <> 'y%d'", i, i);
		st = db_prepare(f->db, sql);
		assert_non_null(st);
		assert_int_equal(db_bind_int(st, 1, 1), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_int(st, 1), i);
		db_finalize(st);
	}
	after = heap_in_use();
	/* 5,000 prepared statements would be megabytes; allow heap slack only */
	assert_true(after < before + 512 * 1024);

	/* a statement in steady use is the most recently used: it survives a stream of new ones */
	h1 = db_prepare(f->db, hot);
	assert_non_null(h1);
	db_finalize(h1);
	for (int i = 0; i < 10; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d FROM t", i);
		st = db_prepare(f->db, sql);
		db_finalize(st);
		h2 = db_prepare(f->db, hot);
		assert_ptr_equal(h1, h2);
		db_finalize(h2);
	}
	/* and once evicted, preparing it again works as before */
	for (int i = 0; i < 200; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d * 2 FROM t", i);
		st = db_prepare(f->db, sql);
		db_finalize(st);
	}
	h2 = db_prepare(f->db, hot);
	assert_non_null(h2);
	assert_int_equal(db_step(h2), DB_ROW);
	assert_string_equal(db_col_text(h2, 0), "一");
	db_finalize(h2);
}

/*
 * Closing frees the cache, also with a statement still on a row (the
 * leaked one is not cached or is freed with the cache): opening and closing
 * a connection many times does not grow the heap.
 */
static void test_close(void **state)
{
	struct fx *f = *state;
	size_t before = 0;
	char sql[64];

	for (int round = 0; round < 40; round++) {
		struct db *db;
		struct db_stmt *st;

		if (round == 10)
			before = heap_in_use();
		assert_int_equal(db_open(f->path, &db), DB_OK);
		for (int i = 0; i < 80; i++) {
			snprintf(sql, sizeof(sql), "SELECT v, %d FROM t ORDER BY id", i);
			st = db_prepare(db, sql);
			assert_non_null(st);
			assert_int_equal(db_step(st), DB_ROW);
			db_finalize(st);
		}
		/* left on a row, never finalized: closing must still free it */
		st = db_prepare(db, "SELECT v FROM t ORDER BY id");
		assert_non_null(st);
		assert_int_equal(db_step(st), DB_ROW);
		db_close(db);
	}
	assert_true(heap_in_use() < before + 256 * 1024);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reuse),
		T(test_same_buffer_other_sql),
		T(test_clean_between_uses),
		T(test_in_use_kept),
		T(test_eviction_bounded),
		T(test_close),
	};

	return cmocka_run_group_tests_name("stmt_cache", tests, NULL, NULL);
}
