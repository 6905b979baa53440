/* test_db.c - the database layer on SQLite and, when ZHIBU_TEST_PG_URL is set, again on PostgreSQL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../../src/db/db.h"
#include "../../src/db/db_internal.h"

/* Every PostgreSQL test runs in this schema, dropped and recreated before each test. */
#define PG_SCHEMA "zb_test_db"

static const char TABLE_ITEMS[] =
	"CREATE TABLE t_items ("
	"id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, qty INTEGER, note TEXT)";

/* Per backend: where the test database is and the connection of the current test. */
struct fx {
	enum db_kind kind;
	char url[1024];		/* what db_open gets */
	char dir[256];		/* SQLite: the temporary folder for database files */
	int seq;		/* SQLite: numbers the database file of each test */
	struct db *db;
};

/* ---- fixtures --------------------------------------------------------- */

static int group_sqlite(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->kind = DB_SQLITE;
	snprintf(f->dir, sizeof(f->dir), "/tmp/zhibu-test-db-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

/* The URL from the environment with search_path set to the test's own schema. */
static int group_pg(void **state)
{
	const char *env = getenv("ZHIBU_TEST_PG_URL");
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->kind = DB_POSTGRES;
	snprintf(f->url, sizeof(f->url), "%s%coptions=-c%%20search_path%%3D%s", env,
		 strchr(env, '?') ? '&' : '?', PG_SCHEMA);
	*state = f;
	return 0;
}

/* Remove the (flat) temporary folder and everything in it. */
static int group_teardown(void **state)
{
	struct fx *f = *state;

	if (f->kind == DB_SQLITE) {
		DIR *d = opendir(f->dir);
		struct dirent *e;
		char path[512];

		while (d && (e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", f->dir, e->d_name);
			unlink(path);
		}
		if (d)
			closedir(d);
		rmdir(f->dir);
	}
	free(f);
	return 0;
}

/* A fresh, empty database for each test: a new file, or a new schema. */
static int fx_setup(void **state)
{
	struct fx *f = *state;

	if (f->kind == DB_SQLITE)
		snprintf(f->url, sizeof(f->url), "%s/test-%d.db", f->dir, ++f->seq);
	if (db_open(f->url, &f->db) != DB_OK)
		return -1;
	if (f->kind == DB_POSTGRES &&
	    db_exec(f->db, "DROP SCHEMA IF EXISTS " PG_SCHEMA " CASCADE; CREATE SCHEMA " PG_SCHEMA)
	    != DB_OK) {
		fprintf(stderr, "schema: %s\n", db_errmsg(f->db));
		db_close(f->db);
		return -1;
	}
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	f->db = NULL;
	return 0;
}

static int64_t count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(db, &n, sql, ""), DB_ROW);
	return n;
}

static void make_items(struct db *db)
{
	assert_int_equal(db_exec_ddl(db, TABLE_ITEMS), DB_OK);
}

/* ---- rewriting (no database) ------------------------------------------ */

static void expect_params(const char *in, const char *want, int want_n)
{
	int n = -1;
	char *out = db_rewrite_placeholders(in, &n);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(n, want_n);
	free(out);
}

static void test_rewrite_placeholders(void **state)
{
	(void)state;
	expect_params("", "", 0);
	expect_params("SELECT ?", "SELECT $1", 1);
	expect_params("SELECT * FROM t WHERE a = ? AND b = 'it''s ?' AND \"c?\"\"d\" = ? -- ?\n"
		      "AND e = ? /* ? */ AND f = ?",
		      "SELECT * FROM t WHERE a = $1 AND b = 'it''s ?' AND \"c?\"\"d\" = $2 -- ?\n"
		      "AND e = $3 /* ? */ AND f = $4", 4);
	expect_params("a-? b/? c'?''?'?", "a-$1 b/$2 c'?''?'$3", 3);
	/* an unterminated literal or comment swallows the rest */
	expect_params("x = ? AND y = '?", "x = $1 AND y = '?", 1);
	expect_params("x = ? /* ?", "x = $1 /* ?", 1);
	expect_params("?,?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12", 12);
	expect_params("INSERT INTO t (name) VALUES ('中文?'), (?)",
		      "INSERT INTO t (name) VALUES ('中文?'), ($1)", 1);
}

static void expect_ddl(const char *in, const char *want)
{
	char *out = db_rewrite_ddl_pg(in);

	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_rewrite_ddl(void **state)
{
	(void)state;
	expect_ddl("", "");
	expect_ddl("id INTEGER PRIMARY KEY,", "id BIGSERIAL PRIMARY KEY,");
	expect_ddl("id INTEGER\n\tPRIMARY  KEY", "id BIGSERIAL\n\tPRIMARY  KEY");
	expect_ddl("(a INTEGER)", "(a BIGINT)");
	expect_ddl("n INTEGER NOT NULL, m INTEGERS, INTEGER_x, xINTEGER, integer, 'INTEGER', "
		   "\"INTEGER\" -- INTEGER PRIMARY KEY\n, k INTEGER REFERENCES u(id)",
		   "n BIGINT NOT NULL, m INTEGERS, INTEGER_x, xINTEGER, integer, 'INTEGER', "
		   "\"INTEGER\" -- INTEGER PRIMARY KEY\n, k BIGINT REFERENCES u(id)");
	expect_ddl("a INTEGER PRIMARY KEYS", "a BIGINT PRIMARY KEYS");
	expect_ddl("a INTEGER PRIMARY", "a BIGINT PRIMARY");
	expect_ddl("a INTEGER, PRIMARY KEY (a)", "a BIGINT, PRIMARY KEY (a)");
	expect_ddl("INTEGER", "BIGINT");
	expect_ddl("v INTEGER DEFAULT 'INTEGER PRIMARY KEY'",
		   "v BIGINT DEFAULT 'INTEGER PRIMARY KEY'");
}

/* The shipped migrations come out as PostgreSQL wants them. */
static void test_rewrite_migrations(void **state)
{
	char *core;

	(void)state;
	assert_int_equal(db_migrations[0].version, 1);
	core = db_rewrite_ddl_pg(db_migrations[0].sql);
	assert_non_null(core);
	assert_non_null(strstr(core, "id BIGSERIAL PRIMARY KEY"));
	assert_non_null(strstr(core, "org_id BIGINT"));
	assert_null(strstr(core, "id INTEGER PRIMARY KEY,"));
	free(core);
}

/* Neither backend hands out a connection it could not open. */
static void test_open_errors(void **state)
{
	struct db *db = (struct db *)1;

	(void)state;
	assert_true(db_open("/nonexistent-zhibu-dir/sub/x.db", &db) < 0);
	assert_null(db);
	db = (struct db *)1;
	assert_true(db_open("postgres://postgres@127.0.0.1:1/nothing?connect_timeout=2", &db) < 0);
	assert_null(db);
	assert_true(db_open("", &db) < 0);
	assert_null(db);
	assert_non_null(db_errmsg(NULL));
	assert_null(db_pool_open("/nonexistent-zhibu-dir/sub/x.db", 2));
	assert_null(db_pool_open(":memory:", 0));
}

/* ---- against a database ------------------------------------------------ */

static void test_session_settings(void **state)
{
	struct fx *f = *state;
	struct db_stmt *st;

	assert_int_equal(db_kind(f->db), f->kind);
	if (f->kind == DB_POSTGRES) {
		st = db_prepare(f->db, "SELECT current_setting('TimeZone'), "
				"current_setting('client_encoding'), current_schema()");
		assert_non_null(st);
		assert_int_equal(db_step(st), DB_ROW);
		assert_string_equal(db_col_text(st, 0), "UTC");
		assert_string_equal(db_col_text(st, 1), "UTF8");
		assert_string_equal(db_col_text(st, 2), PG_SCHEMA);
		db_finalize(st);
		return;
	}
	assert_int_equal(count(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(count(f->db, "PRAGMA synchronous"), 2);	/* FULL */
	assert_int_equal(count(f->db, "PRAGMA busy_timeout"), 5000);
	assert_int_equal(count(f->db, "PRAGMA secure_delete"), 1);
	st = db_prepare(f->db, "PRAGMA journal_mode");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "wal");
	db_finalize(st);
}

static void test_migrate(void **state)
{
	struct fx *f = *state;
	struct db_stmt *st;
	int n = 0, last = 0, latest = -1;

	for (n = 0; db_migrations[n].version; n++)
		last = db_migrations[n].version;
	assert_true(n >= 2);
	assert_int_equal(db_schema_version(f->db), 0);

	assert_int_equal(db_migrate(f->db, &latest), n);
	assert_int_equal(latest, last);
	assert_int_equal(db_schema_version(f->db), last);
	latest = -1;
	assert_int_equal(db_migrate(f->db, &latest), 0);
	assert_int_equal(latest, last);
	assert_int_equal(db_migrate(f->db, NULL), 0);

	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM schema_migrations"), n);
	/* the tables exist and the seed rows went in once (seed contents are the schema's business) */
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM users"), 0);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM orgs"), 0);
	assert_true(count(f->db, "SELECT COUNT(*) FROM settings") > 0);
	assert_true(count(f->db, "SELECT COUNT(*) FROM dict_items") > 0);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM dict_items GROUP BY dict, code "
			       "ORDER BY COUNT(*) DESC LIMIT 1"), 1);

	st = db_prepare(f->db, "SELECT version, name, applied_at FROM schema_migrations "
			"ORDER BY version");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 1);
	assert_string_equal(db_col_text(st, 1), "core");
	assert_int_equal(strlen(db_col_text(st, 2)), 20);	/* 2026-01-01T00:00:00Z */
	assert_int_equal(db_col_text(st, 2)[19], 'Z');
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 1), "orgs");
	db_finalize(st);

	/* ids are generated on both databases; PostgreSQL got BIGSERIAL / BIGINT */
	int64_t id = 0;
	assert_int_equal(db_query_int(f->db, &id,
				      "INSERT INTO orgs (path, depth, name, kind, created_at, updated_at) "
				      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", "sissss", "/x/",
				      (int64_t)1, "某某镇党委", "township_committee",
				      "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"), DB_ROW);
	assert_true(id > 0);
	if (f->kind == DB_POSTGRES) {
		st = db_prepare(f->db, "SELECT data_type FROM information_schema.columns "
				"WHERE table_schema = current_schema() AND table_name = ? "
				"AND column_name = ?");
		assert_non_null(st);
		assert_int_equal(db_bindf(st, "ss", "users", "org_id"), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_string_equal(db_col_text(st, 0), "bigint");
		assert_int_equal(db_bindf(st, "ss", "users", "id"), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_string_equal(db_col_text(st, 0), "bigint");
		db_finalize(st);
	}
}

struct migrator {
	const char *url;
	int applied;
};

static void *migrate_worker(void *arg)
{
	struct migrator *m = arg;
	struct db *db = NULL;

	m->applied = -2;
	if (db_open(m->url, &db) != DB_OK)
		return NULL;
	m->applied = db_migrate(db, NULL);
	db_close(db);
	return NULL;
}

/* Two servers starting at once on an empty database apply each migration exactly once. */
static void test_migrate_concurrent(void **state)
{
	struct fx *f = *state;
	struct migrator m[2] = { { f->url, 0 }, { f->url, 0 } };
	pthread_t t[2];
	int n = 0;

	while (db_migrations[n].version)
		n++;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, migrate_worker, &m[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_true(m[0].applied >= 0);
	assert_true(m[1].applied >= 0);
	assert_int_equal(m[0].applied + m[1].applied, n);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM schema_migrations"), n);
}

/* A failing migration leaves no trace, stops the run, and is named in the message. */
static void test_migrate_failure(void **state)
{
	struct fx *f = *state;
	const struct migration bad[] = {
		{ 1, "a", "CREATE TABLE mt_a (id INTEGER PRIMARY KEY, n INTEGER);\n" },
		{ 2, "b", "CREATE TABLE mt_b (id INTEGER PRIMARY KEY);\n"
			  "INSERT INTO mt_nowhere VALUES (1);\n" },
		{ 3, "c", "CREATE TABLE mt_c (id INTEGER PRIMARY KEY);\n" },
		{ 0, NULL, NULL },
	};
	const struct migration good[] = {
		bad[0],
		{ 2, "b", "CREATE TABLE mt_b (id INTEGER PRIMARY KEY);\n"
			  "INSERT INTO mt_b (id) VALUES (7);\n" },
		bad[2],
		{ 0, NULL, NULL },
	};
	int latest = -1;

	assert_int_equal(db_migrate_list(f->db, bad, &latest), -1);
	assert_int_equal(latest, -1);	/* untouched on failure */
	assert_non_null(strstr(db_errmsg(f->db), "0002_b"));
	assert_non_null(strstr(db_errmsg(f->db), "mt_nowhere"));
	assert_int_equal(db_schema_version(f->db), 1);
	/* mt_b was rolled back with its migration: creating it again works */
	assert_int_equal(db_exec(f->db, "CREATE TABLE mt_b (x TEXT); DROP TABLE mt_b"), DB_OK);

	assert_int_equal(db_migrate_list(f->db, good, &latest), 2);
	assert_int_equal(latest, 3);
	assert_int_equal(count(f->db, "SELECT id FROM mt_b"), 7);
}

static void test_insert_returning(void **state)
{
	struct fx *f = *state;
	struct db_stmt *st;
	int64_t id1 = 0, id2 = 0;

	make_items(f->db);
	st = db_prepare(f->db, "INSERT INTO t_items (name, qty) VALUES (?, ?) RETURNING id");
	assert_non_null(st);
	assert_int_equal(db_bindf(st, "si", "一", (int64_t)1), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_count(st), 1);
	assert_string_equal(db_col_name(st, 0), "id");
	id1 = db_col_int(st, 0);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_changes(st), 1);
	/* binding again starts the next execution */
	assert_int_equal(db_bindf(st, "si", "二", (int64_t)2), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	id2 = db_col_int(st, 0);
	assert_int_equal(db_step(st), DB_DONE);
	db_finalize(st);
	assert_true(id1 > 0);
	assert_int_equal(id2, id1 + 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items"), 2);
}

static void test_bind_roundtrip(void **state)
{
	struct fx *f = *state;
	/* CJK, a full-width bracket and a 4-byte character outside the BMP */
	static const char zh[] = "第一党支部（嘎查）𠀀";
	struct db_stmt *st;

	make_items(f->db);
	st = db_prepare(f->db, "INSERT INTO t_items (name, qty, note) VALUES (?, ?, ?)");
	assert_non_null(st);
	assert_int_equal(db_bind_text(st, 1, zh), DB_OK);
	assert_int_equal(db_bind_int(st, 2, INT64_MAX), DB_OK);
	assert_int_equal(db_bind_null(st, 3), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_bindf(st, "sis", "空", INT64_MIN, ""), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_bindf(st, "sns", "无", (const char *)NULL), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	/* out-of-range indexes are refused */
	assert_true(db_bind_int(st, 4, 1) < 0);
	assert_true(db_bind_int(st, 0, 1) < 0);
	db_finalize(st);

	st = db_prepare(f->db, "SELECT name, qty, note FROM t_items WHERE name = ?");
	assert_non_null(st);
	assert_int_equal(db_bind_text(st, 1, zh), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_count(st), 3);
	assert_string_equal(db_col_name(st, 2), "note");
	assert_string_equal(db_col_text(st, 0), zh);
	assert_int_equal(strlen(db_col_text(st, 0)), strlen(zh));
	assert_true(db_col_int(st, 1) == INT64_MAX);
	assert_true(db_col_isnull(st, 2));
	assert_null(db_col_text(st, 2));
	assert_int_equal(db_col_int(st, 2), 0);
	/* past the last column */
	assert_null(db_col_text(st, 3));
	assert_null(db_col_name(st, 3));
	assert_true(db_col_isnull(st, -1));
	assert_int_equal(db_step(st), DB_DONE);
	/* no row: columns read as NULL */
	assert_null(db_col_text(st, 0));

	assert_int_equal(db_bind_text(st, 1, "空"), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_col_int(st, 1) == INT64_MIN);
	assert_false(db_col_isnull(st, 2));
	assert_string_equal(db_col_text(st, 2), "");	/* empty is not NULL */
	assert_int_equal(db_step(st), DB_DONE);

	assert_int_equal(db_bind_text(st, 1, "无"), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_col_isnull(st, 1));
	assert_true(db_col_isnull(st, 2));
	db_finalize(st);

	/* booleans read as 1/0 on both */
	st = db_prepare(f->db, "SELECT 1 = 1, 1 = 0");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 1);
	assert_int_equal(db_col_int(st, 1), 0);
	db_finalize(st);
}

static void test_constraints(void **state)
{
	struct fx *f = *state;

	make_items(f->db);
	assert_int_equal(db_exec_ddl(f->db, "CREATE TABLE t_child ("
				     "id INTEGER PRIMARY KEY, "
				     "item_id INTEGER NOT NULL REFERENCES t_items(id), "
				     "state TEXT NOT NULL CHECK (state IN ('on', 'off')))"), DB_OK);
	assert_int_equal(db_run(f->db, "INSERT INTO t_items (name) VALUES (?)", "s", "甲"), DB_OK);
	assert_int_equal(db_run(f->db, "INSERT INTO t_items (name) VALUES (?)", "s", "甲"),
			 DB_ECONSTRAINT);
	assert_true(strlen(db_errmsg(f->db)) > 0);
	assert_int_equal(db_run(f->db, "INSERT INTO t_items (name) VALUES (?)", "n"),
			 DB_ECONSTRAINT);
	/* foreign keys are enforced on SQLite too */
	assert_int_equal(db_run(f->db, "INSERT INTO t_child (item_id, state) VALUES (?, ?)", "is",
				(int64_t)999, "on"), DB_ECONSTRAINT);
	assert_int_equal(db_run(f->db, "INSERT INTO t_child (item_id, state) SELECT id, ? "
				"FROM t_items", "s", "maybe"), DB_ECONSTRAINT);
	assert_int_equal(db_run(f->db, "INSERT INTO t_child (item_id, state) SELECT id, ? "
				"FROM t_items", "s", "on"), DB_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items"), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_child"), 1);
	/* other errors are generic */
	assert_int_equal(db_run(f->db, "INSERT INTO t_nowhere VALUES (1)", ""), DB_EGENERIC);
	assert_non_null(strstr(db_errmsg(f->db), "t_nowhere"));
}

static void test_transactions(void **state)
{
	struct fx *f = *state;
	const char *ins = "INSERT INTO t_items (name) VALUES (?)";

	make_items(f->db);
	assert_int_equal(db_rollback(f->db), DB_OK);	/* none open: nothing to do */

	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_run(f->db, ins, "s", "a"), DB_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items"), 1);
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items"), 0);

	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_run(f->db, ins, "s", "b"), DB_OK);
	assert_int_equal(db_commit(f->db), DB_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items"), 1);

	/* the commit is visible from another connection */
	struct db *other = NULL;
	assert_int_equal(db_open(f->url, &other), DB_OK);
	assert_int_equal(count(other, "SELECT COUNT(*) FROM t_items WHERE name = 'b'"), 1);
	db_close(other);

	/*
	 * A failed statement inside a transaction: SQLite keeps the
	 * transaction going, PostgreSQL aborts it and its COMMIT fails.
	 */
	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_run(f->db, ins, "s", "c"), DB_OK);
	assert_int_equal(db_run(f->db, ins, "s", "b"), DB_ECONSTRAINT);
	if (f->kind == DB_POSTGRES) {
		assert_true(db_commit(f->db) < 0);
		assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items"), 1);
	} else {
		assert_int_equal(db_commit(f->db), DB_OK);
		assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items"), 2);
	}

	/* after an error and a rollback the connection works as before */
	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_run(f->db, ins, "s", "b"), DB_ECONSTRAINT);
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_int_equal(db_run(f->db, ins, "s", "d"), DB_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items WHERE name = 'd'"), 1);
}

/* `?` inside literals, quoted names and comments is text, not a parameter. */
static void test_placeholder_literal(void **state)
{
	struct fx *f = *state;
	struct db_stmt *st;
	int64_t n = -1;

	make_items(f->db);
	assert_int_equal(db_run(f->db, "INSERT INTO t_items (name, note) VALUES ('why?', ?)", "s",
				"it's ?"), DB_OK);
	assert_int_equal(db_query_int(f->db, &n, "SELECT COUNT(*) FROM t_items "
				      "WHERE name = 'why?' AND note = ? -- really?\n", "s",
				      "it's ?"), DB_ROW);
	assert_int_equal(n, 1);
	st = db_prepare(f->db, "SELECT '?' AS \"a?\", CAST(? AS TEXT) /* ? */ AS b, "
			"'x''?' AS c, CAST(? AS BIGINT) AS d");
	assert_non_null(st);
	assert_int_equal(db_bindf(st, "si", "值", (int64_t)42), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_name(st, 0), "a?");
	assert_string_equal(db_col_text(st, 0), "?");
	assert_string_equal(db_col_text(st, 1), "值");
	assert_string_equal(db_col_text(st, 2), "x'?");
	assert_int_equal(db_col_int(st, 3), 42);
	db_finalize(st);
}

static void test_query_int(void **state)
{
	struct fx *f = *state;
	int64_t v = 12345;

	make_items(f->db);
	assert_int_equal(db_run(f->db, "INSERT INTO t_items (name, qty) VALUES (?, ?), (?, ?)",
				"sisi", "x", (int64_t)5, "y", (int64_t)7), DB_OK);
	assert_int_equal(db_query_int(f->db, &v, "SELECT SUM(qty) FROM t_items WHERE qty >= ?",
				      "i", (int64_t)5), DB_ROW);
	assert_int_equal(v, 12);
	v = 12345;
	assert_int_equal(db_query_int(f->db, &v, "SELECT qty FROM t_items WHERE name = ?", "s",
				      "none"), DB_DONE);
	assert_int_equal(v, 12345);	/* untouched without a row */
	assert_int_equal(db_query_int(f->db, NULL, "SELECT qty FROM t_items WHERE name = ?", "s",
				      "x"), DB_ROW);
	assert_int_equal(db_query_int(f->db, &v, "SELECT COUNT(*) FROM t_items WHERE note IS NULL",
				      ""), DB_ROW);
	assert_int_equal(v, 2);
	/* failures */
	assert_true(db_query_int(f->db, &v, "SELECT nope FROM t_items", "") < 0);
	assert_true(strlen(db_errmsg(f->db)) > 0);
	assert_int_equal(db_query_int(f->db, &v, "SELECT ?", "x", (int64_t)1), DB_EGENERIC);
	assert_non_null(strstr(db_errmsg(f->db), "format"));
	assert_true(db_query_int(f->db, &v, "SELECT CAST(? AS BIGINT)", "ii", (int64_t)1,
				 (int64_t)2) < 0);
	assert_int_equal(v, 2);
}

/* Statements come back clean from the cache, and one in use is never reused or evicted. */
static void test_statement_reuse(void **state)
{
	struct fx *f = *state;
	const char *sel = "SELECT CAST(? AS BIGINT)";
	struct db_stmt *a, *b, *st;
	char sql[64];

	a = db_prepare(f->db, sel);
	assert_non_null(a);
	assert_int_equal(db_bind_int(a, 1, 5), DB_OK);
	assert_int_equal(db_step(a), DB_ROW);
	/* the same SQL while `a` is in use is a separate statement */
	b = db_prepare(f->db, sel);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(db_bind_int(b, 1, 6), DB_OK);
	assert_int_equal(db_step(b), DB_ROW);
	assert_int_equal(db_col_int(b, 0), 6);
	/* push many other statements through the cache while `a` stays on its row */
	for (int i = 0; i < 150; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		st = db_prepare(f->db, sql);
		assert_non_null(st);
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_int(st, 0), i);
		db_finalize(st);
	}
	assert_int_equal(db_col_int(a, 0), 5);
	db_finalize(b);
	db_finalize(a);

	/* prepared again: bindings are gone */
	a = db_prepare(f->db, sel);
	assert_non_null(a);
	assert_int_equal(db_step(a), DB_ROW);
	assert_true(db_col_isnull(a, 0));
	/* a step after DB_DONE runs it again */
	assert_int_equal(db_step(a), DB_DONE);
	assert_int_equal(db_step(a), DB_ROW);
	db_finalize(a);

	/* one statement per prepare */
	st = db_prepare(f->db, "SELECT 1; SELECT 2");
	if (st) {
		assert_true(db_step(st) < 0);
		db_finalize(st);
	}
	/* trailing semicolons and blanks are fine */
	st = db_prepare(f->db, "SELECT 3;\n ");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 3);
	db_finalize(st);
	db_finalize(NULL);
}

static void test_changes(void **state)
{
	struct fx *f = *state;
	struct db_stmt *st;

	make_items(f->db);
	assert_int_equal(db_run(f->db, "INSERT INTO t_items (name, qty) VALUES ('a', 1), ('b', 2), "
				"('c', 3)", ""), DB_OK);
	st = db_prepare(f->db, "UPDATE t_items SET note = ? WHERE qty >= ?");
	assert_non_null(st);
	assert_int_equal(db_bindf(st, "si", "改", (int64_t)2), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_changes(st), 2);
	db_finalize(st);

	st = db_prepare(f->db, "SELECT COUNT(*) FROM t_items");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_changes(st), 0);
	db_finalize(st);

	st = db_prepare(f->db, "DELETE FROM t_items WHERE qty > ?");
	assert_non_null(st);
	assert_int_equal(db_bind_int(st, 1, 100), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_changes(st), 0);
	assert_int_equal(db_bind_int(st, 1, 1), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_changes(st), 2);
	db_finalize(st);

	st = db_prepare(f->db, "CREATE TABLE t_other (x TEXT)");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_changes(st), 0);
	db_finalize(st);
}

/* ---- pool ------------------------------------------------------------- */

struct worker {
	struct db_pool *pool;
	int id;
	int ok;			/* inserts that succeeded */
	pthread_mutex_t *mu;
	int *got;		/* set once the blocked acquire returned */
};

static void *insert_worker(void *arg)
{
	struct worker *w = arg;
	char name[32];

	for (int i = 0; i < 20; i++) {
		struct db *db = db_pool_acquire(w->pool);

		if (!db)
			continue;
		snprintf(name, sizeof(name), "w%d-%d", w->id, i);
		if (db_run(db, "INSERT INTO t_items (name, qty) VALUES (?, ?)", "si", name,
			   (int64_t)w->id) == DB_OK)
			w->ok++;
		db_pool_release(w->pool, db);
	}
	return NULL;
}

static void *blocked_worker(void *arg)
{
	struct worker *w = arg;
	struct db *db = db_pool_acquire(w->pool);

	pthread_mutex_lock(w->mu);
	*w->got = db != NULL;
	pthread_mutex_unlock(w->mu);
	db_pool_release(w->pool, db);
	return NULL;
}

static void test_pool(void **state)
{
	struct fx *f = *state;
	struct db_pool *p;
	struct worker w[2];
	pthread_t t[2];
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	struct timespec pause = { 0, 150 * 1000 * 1000 };
	int got = 0;
	struct db *db;

	make_items(f->db);
	p = db_pool_open(f->url, 2);
	assert_non_null(p);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){ .pool = p, .id = i + 1 };
		assert_int_equal(pthread_create(&t[i], NULL, insert_worker, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].ok + w[1].ok, 40);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items"), 40);

	/* a transaction left open is rolled back on release */
	db = db_pool_acquire(p);
	assert_non_null(db);
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_run(db, "INSERT INTO t_items (name) VALUES ('leaked')", ""), DB_OK);
	db_pool_release(p, db);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t_items WHERE name = 'leaked'"), 0);
	db_pool_close(p);

	/* with every connection out, acquire waits for a release */
	p = db_pool_open(f->url, 1);
	assert_non_null(p);
	db = db_pool_acquire(p);
	assert_non_null(db);
	w[0] = (struct worker){ .pool = p, .mu = &mu, .got = &got };
	assert_int_equal(pthread_create(&t[0], NULL, blocked_worker, &w[0]), 0);
	nanosleep(&pause, NULL);
	pthread_mutex_lock(&mu);
	assert_int_equal(got, 0);
	pthread_mutex_unlock(&mu);
	db_pool_release(p, db);
	pthread_join(t[0], NULL);
	assert_int_equal(got, 1);
	/* releasing one that is not out is ignored */
	db = db_pool_acquire(p);
	assert_non_null(db);
	db_pool_release(p, db);
	db_pool_release(p, db);
	db = db_pool_acquire(p);
	assert_non_null(db);
	db_pool_release(p, db);

	/* PostgreSQL: a connection the server dropped is reconnected on the next acquire */
	if (f->kind == DB_POSTGRES) {
		int64_t pid = 0, pid2 = 0, n = 0;

		db = db_pool_acquire(p);
		assert_non_null(db);
		assert_int_equal(db_query_int(db, &pid, "SELECT pg_backend_pid()", ""), DB_ROW);
		assert_int_equal(db_query_int(f->db, &n, "SELECT CASE WHEN pg_terminate_backend(?) "
					      "THEN 1 ELSE 0 END", "i", pid), DB_ROW);
		assert_int_equal(n, 1);
		nanosleep(&pause, NULL);
		/* db_exec is never sent again on a new connection (a SELECT step would be) */
		assert_int_equal(db_exec(db, "SELECT 1"), DB_ELOST);
		db_pool_release(p, db);
		db = db_pool_acquire(p);
		assert_non_null(db);
		assert_int_equal(db_query_int(db, &pid2, "SELECT pg_backend_pid()", ""), DB_ROW);
		assert_true(pid2 != pid);
		/* the session settings came back with it */
		assert_int_equal(db_query_int(db, &n, "SELECT COUNT(*) FROM t_items", ""), DB_ROW);
		assert_int_equal(n, 40);
		assert_int_equal(db_query_int(db, &n, "SELECT CASE WHEN current_setting('TimeZone') "
					      "= 'UTC' THEN 1 ELSE 0 END", ""), DB_ROW);
		assert_int_equal(n, 1);
		db_pool_release(p, db);
	}
	db_pool_close(p);
}

/* ---- backup ----------------------------------------------------------- */

static void test_backup(void **state)
{
	struct fx *f = *state;
	char path[512];
	struct db *copy = NULL;
	struct db_stmt *st;

	make_items(f->db);
	assert_int_equal(db_run(f->db, "INSERT INTO t_items (name, qty) VALUES (?, ?), (?, ?)",
				"sisi", "党员活动室", (int64_t)3, "b", (int64_t)4), DB_OK);
	snprintf(path, sizeof(path), "%s/backup-%d.db", f->dir, f->seq);
	if (f->kind == DB_POSTGRES) {
		assert_int_equal(db_backup(f->db, "/tmp/zhibu-test-never.db"), -1);
		assert_int_equal(access("/tmp/zhibu-test-never.db", F_OK), -1);
		return;
	}
	assert_int_equal(db_backup(f->db, path), DB_OK);
	assert_int_equal(access(path, F_OK), 0);
	/* never overwrites */
	assert_true(db_backup(f->db, path) < 0);
	assert_non_null(strstr(db_errmsg(f->db), "exists"));
	/* later writes do not reach the copy */
	assert_int_equal(db_run(f->db, "DELETE FROM t_items", ""), DB_OK);

	assert_int_equal(db_open(path, &copy), DB_OK);
	assert_int_equal(count(copy, "SELECT COUNT(*) FROM t_items"), 2);
	st = db_prepare(copy, "SELECT name, qty FROM t_items ORDER BY id");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "党员活动室");
	assert_int_equal(db_col_int(st, 1), 3);
	db_finalize(st);
	db_close(copy);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_rewrite_placeholders),
		cmocka_unit_test(test_rewrite_ddl),
		cmocka_unit_test(test_rewrite_migrations),
		cmocka_unit_test(test_open_errors),
	};
	const struct CMUnitTest backend[] = {
		T(test_session_settings),
		T(test_migrate),
		T(test_migrate_concurrent),
		T(test_migrate_failure),
		T(test_insert_returning),
		T(test_bind_roundtrip),
		T(test_constraints),
		T(test_transactions),
		T(test_placeholder_literal),
		T(test_query_int),
		T(test_statement_reuse),
		T(test_changes),
		T(test_pool),
		T(test_backup),
	};
	const char *pg = getenv("ZHIBU_TEST_PG_URL");
	int failed = 0;

	failed += cmocka_run_group_tests_name("db_rewrite", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("db_sqlite", backend, group_sqlite, group_teardown);
	if (pg && *pg)
		failed += cmocka_run_group_tests_name("db_postgres", backend, group_pg,
						      group_teardown);
	else
		printf("ZHIBU_TEST_PG_URL is not set: the PostgreSQL run is skipped\n");
	return failed ? 1 : 0;
}
