/* test_faults_libs.c - fault injection inside the shared libraries: SQLite's, jansson's and expat's allocations failing in turn. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <sqlite3.h>

#include "../../src/base/buf.h"
#include "../../src/base/json.h"
#include "../../src/base/sheet.h"
#include "../../src/base/sheet_int.h"
#include "../../src/db/db.h"
#include "../../src/http/http.h"
#include "testdb.h"
#include "failat.h"

/*
 * test_faults.c fails the allocations of zhibu's own objects through a
 * link-time wrap, which does not reach into shared libraries. Here each
 * library's own allocator hook is used instead:
 *
 *   SQLite   sqlite3_config(SQLITE_CONFIG_MALLOC), set before SQLite's first
 *            use in this process, wrapping the default methods;
 *   jansson  json_set_alloc_funcs, set for the JSON tests only;
 *   expat    sheet_xlsx_set_xml_alloc (sheet_int.h), which sheet_xlsx.c hands
 *            to XML_ParserCreate_MM, set for the xlsx test only.
 *
 * libzip has no hook (docs/security.md says what covers it). With `fail_at`
 * = N the Nth hooked allocation after arming fails, and only that one, as in
 * SQLite's own fault-injection tests; each test raises N until a run no
 * longer reaches the failure. Leaks are left to ASan's leak checker at exit
 * (make asan builds this file too).
 */
/* ---- SQLite ---------------------------------------------------------------- */

static sqlite3_mem_methods sqlite_default;	/* SQLite's own, wrapped below */

static void *sqlite_fault_malloc(int n)
{
	return should_fail() ? NULL : sqlite_default.xMalloc(n);
}

static void *sqlite_fault_realloc(void *p, int n)
{
	return should_fail() ? NULL : sqlite_default.xRealloc(p, n);
}

/* Must run before anything in the process touches SQLite (SQLITE_MISUSE after). */
static int sqlite_hook_install(void)
{
	sqlite3_mem_methods m;

	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_default) != SQLITE_OK)
		return -1;
	m = sqlite_default;
	m.xMalloc = sqlite_fault_malloc;
	m.xRealloc = sqlite_fault_realloc;
	return sqlite3_config(SQLITE_CONFIG_MALLOC, &m) == SQLITE_OK ? 0 : -1;
}

#define BASE_ROWS 12	/* people in the database before the workload */
#define BATCH 20	/* people the workload's transaction inserts */

struct sqlfx {
	char dir[64];
	char base[128];	/* the database as it is before every run */
	char path[128];	/* the copy a run works on */
};

static void copy_file(const char *from, const char *to)
{
	char chunk[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, chunk, sizeof chunk)) > 0)
		assert_int_equal(write(out, chunk, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

static int sql_setup(void **state)
{
	struct sqlfx *f = calloc(1, sizeof(*f));
	struct db *db;
	char sql[128];

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/zhibu-test-faults-libs-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->base, sizeof f->base, "%s/base.db", f->dir);
	snprintf(f->path, sizeof f->path, "%s/run.db", f->dir);
	assert_int_equal(db_open(f->base, &db), DB_OK);
	assert_int_equal(db_exec(db, "CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
				     "born TEXT NOT NULL, fen INTEGER NOT NULL)"), DB_OK);
	for (int i = 1; i <= BASE_ROWS; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO person(name, born, fen) VALUES('党员%d', "
			 "'1980-01-%02d', %d)", i, i, i * 100);
		assert_int_equal(db_exec(db, sql), DB_OK);
	}
	db_close(db);	/* the last connection: the WAL is checkpointed into base.db and removed */
	assert_int_not_equal(access(f->base, F_OK), -1);
	*state = f;
	return 0;
}

static int sql_teardown(void **state)
{
	struct sqlfx *f = *state;

	assert_int_equal(testdir_remove(f->dir), 0);
	free(f);
	return 0;
}

/* A DB_E* code, not DB_OK/DB_ROW/DB_DONE or something else. */
static void assert_db_error(struct db *db, int rc)
{
	assert_true(rc == DB_EGENERIC || rc == DB_ECONSTRAINT || rc == DB_EBUSY || rc == DB_EFULL ||
		    rc == DB_ELOST);
	if (db)
		assert_true(db_errmsg(db)[0] != '\0');
}

/* How far a run got: the stage that failed, or SQL_DONE. */
enum { SQL_OPEN, SQL_EXEC, SQL_READ, SQL_WRITE, SQL_DONE };

/* Read every person back; DB_OK when all BASE_ROWS came, exactly as stored, else the error. */
static int sql_read(struct db *db)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, name, born, fen FROM person WHERE id <= 12 ORDER BY id");
	char want[32];
	int rc, n = 0;

	if (!st) {
		assert_db_error(db, DB_EGENERIC);	/* db_prepare's NULL: the reason was recorded */
		return DB_EGENERIC;
	}
	while ((rc = db_step(st)) == DB_ROW) {
		/* a row handed out is never garbage */
		n++;
		assert_int_equal(db_col_int(st, 0), n);
		snprintf(want, sizeof want, "党员%d", n);
		assert_non_null(db_col_text(st, 1));
		assert_string_equal(db_col_text(st, 1), want);
		snprintf(want, sizeof want, "1980-01-%02d", n);
		assert_non_null(db_col_text(st, 2));
		assert_string_equal(db_col_text(st, 2), want);
		assert_int_equal(db_col_int(st, 3), n * 100);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		assert_db_error(db, rc);
		return rc;
	}
	assert_int_equal(n, BASE_ROWS);
	return DB_OK;
}

/* One transaction of BATCH inserts, committed; on any error rolled back as a handler does. */
static int sql_write(struct db *db)
{
	struct db_stmt *st;
	char name[32];
	int rc = db_begin(db);

	if (rc != DB_OK) {
		assert_db_error(db, rc);
		return rc;
	}
	st = db_prepare(db, "INSERT INTO person(name, born, fen) VALUES(?, ?, ?)");
	if (!st) {
		assert_db_error(db, DB_EGENERIC);
		rc = DB_EGENERIC;
	}
	for (int i = 1; st && i <= BATCH && rc == DB_OK; i++) {
		snprintf(name, sizeof name, "新党员%d", i);
		rc = db_bind_text(st, 1, name);
		if (rc == DB_OK)
			rc = db_bind_text(st, 2, "2001-07-01");
		if (rc == DB_OK)
			rc = db_bind_int(st, 3, i);
		if (rc == DB_OK) {
			rc = db_step(st);
			rc = rc == DB_DONE ? DB_OK : rc;
		}
		if (rc != DB_OK)
			assert_db_error(db, rc);
	}
	if (st)
		db_finalize(st);
	if (rc == DB_OK) {
		rc = db_commit(db);
		if (rc != DB_OK)
			assert_db_error(db, rc);
	}
	if (rc != DB_OK)
		assert_int_equal(db_rollback(db), DB_OK);
	return rc;
}

/*
 * The workload on a copy of the base database: open it, create a table,
 * read every row, write a transaction. Stops at the first failure. Returns
 * the stage reached; *out is the connection (NULL if the open failed).
 */
static int sql_workload(const char *path, struct db **out)
{
	int rc;

	*out = NULL;
	rc = db_open(path, out);
	if (rc != DB_OK) {
		assert_db_error(NULL, rc);
		assert_null(*out);
		return SQL_OPEN;
	}
	rc = db_exec(*out, "CREATE TABLE note(id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
	if (rc != DB_OK) {
		assert_db_error(*out, rc);
		return SQL_EXEC;
	}
	if (sql_read(*out) != DB_OK)
		return SQL_READ;
	if (sql_write(*out) != DB_OK)
		return SQL_WRITE;
	return SQL_DONE;
}

static int64_t sql_count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(db, &n, sql, ""), DB_ROW);
	return n;
}

/* After a run that reached `stage`: sound, and exactly what was acknowledged. */
static void sql_assert_consistent(struct db *db, int stage)
{
	struct db_stmt *st = db_prepare(db, "PRAGMA integrity_check");

	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "ok");
	db_finalize(st);
	assert_int_equal(sql_read(db), DB_OK);	/* the people from before, untouched */
	/* the table exists exactly when its CREATE said so */
	assert_int_equal(sql_count(db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'note'"),
			 stage > SQL_EXEC ? 1 : 0);
	/* the transaction: all of it when committed, nothing when it failed */
	assert_int_equal(sql_count(db, "SELECT COUNT(*) FROM person WHERE name LIKE '新党员%'"),
			 stage == SQL_DONE ? BATCH : 0);
	if (stage == SQL_DONE)
		assert_int_equal(sql_count(db, "SELECT COUNT(*) FROM person WHERE name LIKE '新党员%' "
					       "AND born = '2001-07-01' AND fen BETWEEN 1 AND 20 "
					       "AND id > 12"), BATCH);
	assert_int_equal(sql_count(db, "SELECT COUNT(*) FROM person"),
			 BASE_ROWS + (stage == SQL_DONE ? BATCH : 0));
}

static void test_sqlite_every_allocation_fails_in_turn(void **state)
{
	struct sqlfx *f = *state;
	int stages[SQL_DONE + 1] = { 0 };
	struct db *db;
	char wal[160], shm[160];
	long n;

	snprintf(wal, sizeof wal, "%s-wal", f->path);
	snprintf(shm, sizeof shm, "%s-shm", f->path);
	for (n = 1;; n++) {
		int stage;

		unlink(wal);
		unlink(shm);
		copy_file(f->base, f->path);
		arm(n);
		stage = sql_workload(f->path, &db);
		disarm();
		stages[stage]++;
		if (!fail_hit) {
			assert_int_equal(stage, SQL_DONE);
			sql_assert_consistent(db, stage);
			db_close(db);
			break;
		}
		/* allocations work again: the same connection carries on, then a fresh one agrees */
		if (db) {
			sql_assert_consistent(db, stage);
			db_close(db);
		}
		assert_int_equal(db_open(f->path, &db), DB_OK);
		sql_assert_consistent(db, stage);
		db_close(db);
	}
	print_message("SQLite: %ld allocations failed in turn; failures at open %d, exec %d, read %d, "
		      "write %d, absorbed by SQLite %d\n", n - 1, stages[SQL_OPEN], stages[SQL_EXEC],
		      stages[SQL_READ], stages[SQL_WRITE], stages[SQL_DONE] - 1);
	/* every stage was reached by a failure: the workload really allocates in each */
	for (int s = SQL_OPEN; s < SQL_DONE; s++)
		assert_true(stages[s] > 0);
}

/* ---- jansson: body validation and the answers --------------------------------- */

static void *json_fault_malloc(size_t n)
{
	return should_fail() ? NULL : malloc(n);
}

static void req_init(struct req *r, const char *body)
{
	memset(r, 0, sizeof(*r));
	arena_init(&r->arena, 0);
	buf_init(&r->out, 0);
	snprintf(r->id, sizeof r->id, "00000000000000dd");
	r->body = body;
	r->body_len = body ? strlen(body) : 0;
	r->body_type = "application/json";
}

static void req_done(struct req *r)
{
	buf_release(&r->out);
	arena_release(&r->arena);
}

/* The bare 500 response.c falls back to. */
static void assert_bare_500(const struct req *r)
{
	assert_true(r->answered);
	assert_int_equal(r->status, 500);
	assert_false(r->streaming);
	assert_string_equal(r->out.data,
			    "{\"error\":{\"code\":\"internal\",\"message\":\"服务器内部错误\"}}");
}

static const struct json_field meeting_fields[] = {
	{ "title", JF_STRING, 1, 0, 1, 100, "会议主题" },
	{ "held_on", JF_DATE, 1, 0, 0, 0, "召开日期" },
	{ "attendees", JF_ARRAY, 0, 0, 0, 500, "参会人员" },
	{ "version", JF_INT, 0, 0, 1, 1000000, "版本" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/*
 * A handler's first half: parse and check the body, then answer 400 with the
 * field errors or 200 with the checked body. Returns 1 when req_json gave
 * up on the body (its own 400).
 */
static int json_handler(struct req *r)
{
	struct zb_fail f;
	json_t *j;

	zb_fail_init(&f);
	j = req_json(r, &f);
	if (!j) {
		resp_fail(r, &f);
		return 1;
	}
	if (json_check(j, meeting_fields, 0, &f) != 0) {
		assert_int_equal(f.err, ZB_EVALIDATION);	/* never a clean bill after a failure */
		json_decref(j);
		resp_fail(r, &f);
		return 0;
	}
	assert_int_equal(f.err, ZB_OK);
	zb_fail_release(&f);
	resp_json(r, 200, j);
	return 0;
}

static void test_json_bodies_every_allocation_fails_in_turn(void **state)
{
	static const char *const bodies[] = {
		"{\"title\":\"支部委员会\",\"held_on\":\"2024-03-05\",\"attendees\":[1,2,3],\"version\":2}",
		"{\"title\":\"   \",\"held_on\":\"2024-02-30\",\"bogus\":{\"a\":[1,2]},\"version\":0,"
		"\"attendees\":\"全体\",\"extra\":1}",
	};

	(void)state;
	json_set_alloc_funcs(json_fault_malloc, free);
	for (size_t k = 0; k < sizeof(bodies) / sizeof(bodies[0]); k++) {
		int want_status = k == 0 ? 200 : 400;
		struct req clean, r;
		long n;

		req_init(&clean, bodies[k]);
		assert_int_equal(json_handler(&clean), 0);
		assert_int_equal(clean.status, want_status);
		for (n = 1;; n++) {
			int parse_failed;

			req_init(&r, bodies[k]);
			arm(n);
			parse_failed = json_handler(&r);
			disarm();
			assert_true(r.answered);
			assert_non_null(r.out.data);
			if (!fail_hit) {
				assert_int_equal(r.status, want_status);
				assert_string_equal(r.out.data, clean.out.data);
				req_done(&r);
				break;
			}
			if (r.status == 500) {
				assert_bare_500(&r);
			} else if (r.status == 400) {
				/* a 400 is a validation answer: for the good body only when the parse gave up */
				assert_true(k == 1 || parse_failed);
				assert_non_null(strstr(r.out.data, "\"validation_failed\""));
			} else {
				/* a 200 is only ever the whole answer */
				assert_int_equal(r.status, 200);
				assert_int_equal(k, 0);
				assert_string_equal(r.out.data, clean.out.data);
			}
			req_done(&r);
		}
		assert_true(n > 5);
		req_done(&clean);
	}
	json_set_alloc_funcs(malloc, free);
}

/* A list answer streamed item by item, everything built while allocations fail. */
static void json_stream_workload(struct req *r)
{
	resp_json_begin(r, 200, json_pack("{s:s, s:i}", "org", "红旗村党总支", "total", 6), "items");
	for (int i = 1; i <= 6; i++)
		resp_json_item(r, json_pack("{s:i, s:s, s:[s,s]}", "id", i, "name", "党员",
					    "roles", "书记", "委员"));
	resp_json_end(r);
}

/* One answer as a tree, and an error answer. */
static void json_tree_workload(struct req *r, struct req *e)
{
	resp_json(r, 201, json_pack("{s:i, s:s, s:{s:s}}", "id", 7, "name", "第一党支部", "org",
				    "path", "/1/4/"));
	resp_error(e, ZB_ENOTFOUND, "组织不存在");
}

static void test_json_answers_every_allocation_fails_in_turn(void **state)
{
	struct req clean, clean_e, r, e;
	long n;

	(void)state;
	json_set_alloc_funcs(json_fault_malloc, free);

	req_init(&clean, NULL);
	json_stream_workload(&clean);
	assert_int_equal(clean.status, 200);
	assert_non_null(strstr(clean.out.data, "\"items\":[{\"id\":1,"));
	for (n = 1;; n++) {
		req_init(&r, NULL);
		arm(n);
		json_stream_workload(&r);
		disarm();
		if (!fail_hit) {
			assert_int_equal(r.status, 200);
			assert_string_equal(r.out.data, clean.out.data);
			req_done(&r);
			break;
		}
		/* the whole list, or a bare 500: never a list with items missing */
		if (r.status == 200)
			assert_string_equal(r.out.data, clean.out.data);
		else
			assert_bare_500(&r);
		req_done(&r);
	}
	assert_true(n > 10);
	req_done(&clean);

	req_init(&clean, NULL);
	req_init(&clean_e, NULL);
	json_tree_workload(&clean, &clean_e);
	assert_int_equal(clean.status, 201);
	assert_int_equal(clean_e.status, 404);
	for (n = 1;; n++) {
		req_init(&r, NULL);
		req_init(&e, NULL);
		arm(n);
		json_tree_workload(&r, &e);
		disarm();
		if (!fail_hit) {
			assert_string_equal(r.out.data, clean.out.data);
			assert_string_equal(e.out.data, clean_e.out.data);
			req_done(&r);
			req_done(&e);
			break;
		}
		if (r.status == 201)
			assert_string_equal(r.out.data, clean.out.data);
		else
			assert_bare_500(&r);
		/* 404 with its code; the message may fall back to the default one for the code */
		if (e.status != 404)
			assert_bare_500(&e);
		else if (strcmp(e.out.data, clean_e.out.data) != 0)
			assert_string_equal(e.out.data,
					    "{\"error\":{\"code\":\"not_found\",\"message\":\"未找到\"}}");
		req_done(&r);
		req_done(&e);
	}
	assert_true(n > 5);
	req_done(&clean);
	req_done(&clean_e);
	json_set_alloc_funcs(malloc, free);
}

/* ---- expat: the xlsx reader --------------------------------------------------- */

static void *xml_fault_malloc(size_t n)
{
	return should_fail() ? NULL : malloc(n);
}

static void *xml_fault_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : realloc(p, n);
}

/*
 * Read a whole sheet into `out` (row numbers, cells, flags). Returns 0 when
 * the reader said the sheet ended, -1 when sheet_open refused it, -2 when
 * sheet_next failed; `e` holds the reason.
 */
static int xlsx_workload(const char *path, struct buf *out, struct sheet_error *e)
{
	struct sheet_row row;
	struct sheet *s;
	int rc;

	memset(e, 0, sizeof(*e));
	buf_init(out, 0);
	s = sheet_open(path, NULL, e);
	if (!s)
		return -1;
	while ((rc = sheet_next(s, &row, e)) == 1) {
		buf_printf(out, "%zu:", row.num);
		for (size_t i = 0; i < row.ncells; i++)
			buf_printf(out, "[%s|%u]", row.cells[i].text, row.cells[i].flags);
		buf_putc(out, '\n');
	}
	sheet_close(s);
	buf_putc(out, '\0');
	assert_int_equal(out->err, 0);
	return rc == 0 ? 0 : -2;
}

static void test_xlsx_every_expat_allocation_fails_in_turn(void **state)
{
	static const char *const files[] = {
		"tests/fixtures/sheets/roster.xlsx",	/* LibreOffice: styles, shared strings, dates */
		"tests/fixtures/sheets/handmade.xlsx",	/* inline strings, gaps, booleans, errors */
		"tests/fixtures/sheets/date1904.xlsx",
	};

	(void)state;
	sheet_xlsx_set_xml_alloc(xml_fault_malloc, xml_fault_realloc, free);
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct sheet_error e;
		struct buf clean, got;
		int failed_open = 0, failed_read = 0;
		long n;

		assert_int_equal(xlsx_workload(files[k], &clean, &e), 0);
		assert_true(clean.len > 10);
		for (n = 1;; n++) {
			arm(n);
			int rc = xlsx_workload(files[k], &got, &e);
			disarm();
			if (!fail_hit) {
				assert_int_equal(rc, 0);
				assert_string_equal(got.data, clean.data);
				buf_release(&got);
				break;
			}
			if (rc == 0) {
				/* expat got over it: then every row is there, exactly */
				assert_string_equal(got.data, clean.data);
			} else {
				/* never a shorter sheet as success; the reason is memory, not a broken file */
				failed_open += rc == -1;
				failed_read += rc == -2;
				assert_int_equal(e.code, SHEET_EIO);
				assert_string_equal(e.msg, "内存不足，无法读取表格");
			}
			buf_release(&got);
		}
		print_message("%s: %ld expat allocations failed in turn (%d at open, %d while reading rows)\n",
			      files[k], n - 1, failed_open, failed_read);
		/* failures hit both the parts read at open and the worksheet read row by row */
		assert_true(failed_open > 0);
		assert_true(failed_read > 0);
		buf_release(&clean);
	}
	sheet_xlsx_set_xml_alloc(NULL, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sqlite_every_allocation_fails_in_turn, sql_setup,
						sql_teardown),
		cmocka_unit_test(test_json_bodies_every_allocation_fails_in_turn),
		cmocka_unit_test(test_json_answers_every_allocation_fails_in_turn),
		cmocka_unit_test(test_xlsx_every_expat_allocation_fails_in_turn),
	};

	/* before SQLite's first use in this process: afterwards its allocator is fixed */
	if (sqlite_hook_install() != 0) {
		fprintf(stderr, "test_faults_libs: SQLite refused the allocator hook\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
