/* test_db_lost.c - a lost PostgreSQL connection (pg_terminate_backend): what is retried, what fails with DB_ELOST, what the pool reconnects; needs ZHIBU_TEST_PG_URL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/db/db.h"

/* Every test runs in this schema, dropped and recreated before each test. */
#define PG_SCHEMA "zb_test_db_lost"

static const char TABLE_ROWS[] = "CREATE TABLE t_rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL)";

/*
 * `url` reaches the test schema; `db` is the connection under test and
 * `admin` a second one that cuts it and looks at what was kept.
 */
struct fx {
	char url[1024];
	struct db *db;
	struct db *admin;
};

static int fx_setup(void **state)
{
	const char *env = getenv("ZHIBU_TEST_PG_URL");
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->url, sizeof(f->url), "%s%coptions=-c%%20search_path%%3D%s", env,
		 strchr(env, '?') ? '&' : '?', PG_SCHEMA);
	if (db_open(f->url, &f->admin) != DB_OK ||
	    db_exec(f->admin, "DROP SCHEMA IF EXISTS " PG_SCHEMA " CASCADE; CREATE SCHEMA " PG_SCHEMA)
	    != DB_OK || db_exec_ddl(f->admin, TABLE_ROWS) != DB_OK ||
	    db_open(f->url, &f->db) != DB_OK) {
		fprintf(stderr, "setup: %s\n", db_errmsg(f->admin));
		db_close(f->admin);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	db_close(f->admin);
	free(f);
	return 0;
}

static int64_t backend_pid(struct db *db)
{
	int64_t pid = 0;

	assert_int_equal(db_query_int(db, &pid, "SELECT pg_backend_pid()", ""), DB_ROW);
	assert_true(pid > 0);
	return pid;
}

/* Terminate the server process behind `pid` and wait until it has exited. */
static void cut(struct fx *f, int64_t pid)
{
	int64_t ok = 0;

	assert_int_equal(db_query_int(f->admin, &ok, "SELECT pg_terminate_backend(CAST(? AS INTEGER), 5000)",
				      "i", pid), DB_ROW);
	assert_int_equal(ok, 1);
}

static int64_t rows_named(struct fx *f, const char *name)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(f->admin, &n, "SELECT COUNT(*) FROM t_rows WHERE name = ?", "s",
				      name), DB_ROW);
	return n;
}

/* A read sent on a connection cut while idle runs again on a new one: the caller sees only the answer. */
static void test_read_retried(void **state)
{
	struct fx *f = *state;
	int64_t pid = backend_pid(f->db), n = -1;

	cut(f, pid);
	assert_int_equal(db_query_int(f->db, &n, "SELECT COUNT(*) FROM t_rows", ""), DB_ROW);
	assert_int_equal(n, 0);
	assert_int_equal(db_lost(f->db), 0);
	assert_true(backend_pid(f->db) != pid);
}

/* BEGIN on a connection cut while idle is sent again too: nothing of the transaction existed. */
static void test_begin_retried(void **state)
{
	struct fx *f = *state;

	cut(f, backend_pid(f->db));
	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_run(f->db, "INSERT INTO t_rows (name) VALUES ('after begin')", ""), DB_OK);
	assert_int_equal(db_commit(f->db), DB_OK);
	assert_int_equal(rows_named(f, "after begin"), 1);
}

/*
 * A write outside a transaction is not sent again (it may have run before
 * the connection broke): DB_ELOST, and every later call fails the same way
 * without a new connection, until the pool's check reconnects.
 */
static void test_write_not_retried(void **state)
{
	struct fx *f = *state;
	int64_t n = -1;

	cut(f, backend_pid(f->db));
	assert_int_equal(db_run(f->db, "INSERT INTO t_rows (name) VALUES ('lost write')", ""), DB_ELOST);
	assert_int_equal(db_lost(f->db), 1);
	assert_int_equal(rows_named(f, "lost write"), 0);
	assert_int_equal(db_query_int(f->db, &n, "SELECT COUNT(*) FROM t_rows", ""), DB_ELOST);
	assert_int_equal(db_begin(f->db), DB_ELOST);
	assert_int_equal(db_exec(f->db, "SELECT 1"), DB_ELOST);
	assert_int_equal(db_lost(f->db), 1);
}

/*
 * A transaction cut in the middle: the statement that finds it gone, every
 * later one (read or write) and COMMIT fail with DB_ELOST; nothing of it,
 * before or after the cut, is kept; rollback has nothing left to do.
 */
static void test_transaction_cut(void **state)
{
	struct fx *f = *state;
	int64_t n = -1;

	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_run(f->db, "INSERT INTO t_rows (name) VALUES ('before cut')", ""), DB_OK);
	cut(f, backend_pid(f->db));
	assert_int_equal(db_query_int(f->db, &n, "SELECT COUNT(*) FROM t_rows", ""), DB_ELOST);
	assert_int_equal(db_run(f->db, "INSERT INTO t_rows (name) VALUES ('after cut')", ""), DB_ELOST);
	assert_int_equal(db_commit(f->db), DB_ELOST);
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_int_equal(db_lost(f->db), 1);
	assert_int_equal(rows_named(f, "before cut"), 0);
	assert_int_equal(rows_named(f, "after cut"), 0);
	/* the log gets the failure that lost it, not the refusals after it */
	assert_int_equal(strncmp(db_errmsg(f->db), "step: ", 6), 0);
}

/*
 * The pool hands out a usable connection after its server process was
 * terminated, whether the loss was seen (a failed call) or not (cut while
 * idle in the pool: a write, which is never retried, then succeeds).
 */
static void test_pool_reconnects(void **state)
{
	struct fx *f = *state;
	struct db_pool *p = db_pool_open(f->url, 1);
	struct db *db;
	int64_t pid;

	assert_non_null(p);
	db = db_pool_acquire(p);
	assert_non_null(db);
	pid = backend_pid(db);
	db_pool_release(p, db);
	cut(f, pid);

	db = db_pool_acquire(p);
	assert_non_null(db);
	assert_int_equal(db_lost(db), 0);
	assert_int_equal(db_run(db, "INSERT INTO t_rows (name) VALUES ('pooled')", ""), DB_OK);
	pid = backend_pid(db);
	assert_int_equal(db_begin(db), DB_OK);
	cut(f, pid);
	assert_int_equal(db_run(db, "INSERT INTO t_rows (name) VALUES ('cut in pool')", ""), DB_ELOST);
	db_pool_release(p, db);

	db = db_pool_acquire(p);
	assert_non_null(db);
	assert_int_equal(db_lost(db), 0);
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_run(db, "INSERT INTO t_rows (name) VALUES ('next borrower')", ""), DB_OK);
	assert_int_equal(db_commit(db), DB_OK);
	db_pool_release(p, db);
	db_pool_close(p);
	assert_int_equal(rows_named(f, "pooled"), 1);
	assert_int_equal(rows_named(f, "cut in pool"), 0);
	assert_int_equal(rows_named(f, "next borrower"), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_read_retried),
		T(test_begin_retried),
		T(test_write_not_retried),
		T(test_transaction_cut),
		T(test_pool_reconnects),
	};
	const char *pg = getenv("ZHIBU_TEST_PG_URL");

	if (!pg || !*pg) {
		printf("ZHIBU_TEST_PG_URL is not set: the lost-connection tests need PostgreSQL, skipped\n");
		return 0;
	}
	return cmocka_run_group_tests_name("db_lost", tests, NULL, NULL) ? 1 : 0;
}
