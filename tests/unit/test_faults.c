/* test_faults.c - fault injection: every allocation of the core paths failing in turn, a full database and failing disk writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include <sqlite3.h>

#include "../../src/app/app.h"
#include "../../src/auth/audit.h"
#include "../../src/base/arena.h"
#include "../../src/base/buf.h"
#include "../../src/base/json.h"
#include "../../src/base/sheet.h"
#include "../../src/base/sheet_int.h"
#include "../../src/http/http.h"
#include "../../src/modules/disclosure/disclosure_internal.h"
#include "testdb.h"
#include "failat.h"

/*
 * This binary is linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
 * (see the Makefile), so every allocation the project's own objects make
 * comes through the wrappers below; jansson is a shared library and gets
 * the same counter through json_set_alloc_funcs. With `fail_at` = N the
 * Nth allocation after arming fails (and only that one, like SQLite's
 * fault-injection tests); the test then asserts a clean error, and ASan's
 * leak checker at exit asserts nothing was lost on the way out.
 */
void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
	return should_fail() ? NULL : __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : __real_realloc(p, n);
}

static void *json_fault_malloc(size_t n)
{
	return should_fail() ? NULL : __real_malloc(n);
}

/* ---- buf ------------------------------------------------------------------ */

/* One workload: appends past several growths. Returns the buffer's err. */
static int buf_workload(struct buf *b)
{
	buf_init(b, 0);
	for (int i = 0; i < 200; i++)
		buf_printf(b, "第%d行：%s\n", i, "姓名,身份证号,联系电话");
	buf_putc(b, '\0');
	return b->err;
}

static void test_buf_every_allocation_fails_in_turn(void **state)
{
	struct buf b, clean;
	long n;

	(void)state;
	assert_int_equal(buf_workload(&clean), 0);
	for (n = 1;; n++) {
		arm(n);
		int err = buf_workload(&b);
		disarm();
		if (!fail_hit) {
			assert_int_equal(err, 0);
			break;
		}
		/* sticky: the failure is reported, what was kept is a prefix, nothing more is appended */
		assert_int_equal(err, 1);
		assert_true(b.len <= clean.len);
		if (b.len > 0)
			assert_memory_equal(b.data, clean.data, b.len);
		buf_release(&b);
	}
	assert_true(n > 2);	/* the workload did grow the buffer several times */
	buf_release(&b);
	buf_release(&clean);
}

/* ---- arena: documented to abort, never to run on with a NULL ----------------- */

static void test_arena_allocation_failure_aborts_cleanly(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct arena a;
		char *p;

		/* keep the abort quiet for the test log */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		arena_init(&a, 1024);
		arm(1);
		p = arena_alloc(&a, 64 * 1024);	/* needs a new block: that malloc fails */
		p[0] = 1;			/* not reached */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);	/* abort(), not a segfault */
}

/* ---- JSON bodies: req_json + json_check ----------------------------------- */

static const struct json_field fields[] = {
	{ "title", JF_STRING, 1, 0, 1, 100, "会议主题" },
	{ "held_on", JF_DATE, 1, 0, 0, 0, "召开日期" },
	{ "attendees", JF_ARRAY, 0, 0, 0, 500, "参会人员" },
	{ "version", JF_INT, 0, 0, 1, 1000000, "版本" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/* Parse and check `body`; returns json_check's result, 2 when req_json refused the body. */
static int json_workload(const char *body, int *nfields)
{
	struct zb_fail f;
	struct req r;
	json_t *j;
	int rc;

	memset(&r, 0, sizeof(r));
	r.body = body;
	r.body_len = strlen(body);
	r.body_type = "application/json";
	zb_fail_init(&f);
	j = req_json(&r, &f);
	if (j == NULL) {
		assert_int_not_equal(f.err, ZB_OK);
		assert_true(f.message[0] != '\0');
		zb_fail_release(&f);
		return 2;
	}
	rc = json_check(j, fields, 0, &f);
	*nfields = f.fields ? (int)json_object_size(f.fields) : 0;
	if (rc != 0)
		assert_int_not_equal(f.err, ZB_OK);
	json_decref(j);
	zb_fail_release(&f);
	return rc;
}

static void test_json_every_allocation_fails_in_turn(void **state)
{
	static const char *const bodies[] = {
		"{\"title\":\"支部委员会\",\"held_on\":\"2024-03-05\",\"attendees\":[1,2,3],\"version\":2}",
		"{\"title\":\"   \",\"held_on\":\"2024-02-30\",\"bogus\":{\"a\":[1,2]},\"version\":0}",
	};

	(void)state;
	json_set_alloc_funcs(json_fault_malloc, free);
	for (size_t k = 0; k < sizeof(bodies) / sizeof(bodies[0]); k++) {
		int clean_fields = 0, nf = 0, clean = json_workload(bodies[k], &clean_fields);
		long n;

		assert_int_equal(clean, k == 0 ? 0 : -1);
		for (n = 1;; n++) {
			arm(n);
			int rc = json_workload(bodies[k], &nf);
			disarm();
			if (!fail_hit) {
				assert_int_equal(rc, clean);
				assert_int_equal(nf, clean_fields);
				break;
			}
			/*
			 * A failed allocation may lose the body (a clean 400) or a field
			 * message, but never turns a bad body into a good one.
			 */
			assert_true(rc == 2 || rc == clean);
		}
		assert_true(n > 5);
	}
	json_set_alloc_funcs(malloc, free);
}

/* ---- the sheet reader ----------------------------------------------------- */

/* Read a whole file; returns the number of rows, or -1 (open) / -2 (read) with a reason checked. */
static long sheet_workload(const char *path)
{
	struct sheet_error e;
	struct sheet_row row;
	struct sheet *s;
	long rows = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	s = sheet_open(path, NULL, &e);
	if (s == NULL) {
		assert_int_not_equal(e.code, SHEET_OK);
		assert_true(e.msg[0] != '\0');
		return -1;
	}
	while ((rc = sheet_next(s, &row, &e)) == 1)
		rows++;
	sheet_close(s);
	if (rc < 0) {
		assert_int_not_equal(e.code, SHEET_OK);
		assert_true(e.msg[0] != '\0');
		return -2;
	}
	return rows;
}

static void test_sheet_every_allocation_fails_in_turn(void **state)
{
	static const char *const files[] = {
		"tests/fixtures/sheets/roster_utf8.csv",
		"tests/fixtures/sheets/roster_gb18030.csv",
		"tests/fixtures/sheets/roster.xlsx",
		"tests/fixtures/sheets/handmade.xlsx",
	};

	(void)state;
	/*
	 * expat's allocations go through sheet_xlsx.c's malloc too, and so
	 * through the wrap; keep them out: expat absorbs some failures, and
	 * test_faults_libs.c fails them in turn and compares every cell.
	 */
	sheet_xlsx_set_xml_alloc(__real_malloc, __real_realloc, NULL);
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		long clean = sheet_workload(files[k]), n;

		assert_true(clean > 0);
		for (n = 1;; n++) {
			arm(n);
			long rows = sheet_workload(files[k]);
			disarm();
			if (!fail_hit) {
				assert_int_equal(rows, clean);
				break;
			}
			/* all or nothing: a failure is reported, never a silently shorter sheet */
			assert_true(rows == -1 || rows == -2);
		}
		assert_true(n > 1);
	}
	sheet_xlsx_set_xml_alloc(NULL, NULL, NULL);
}

/* ---- the text diff of disclosure versions --------------------------------- */

/* The lines of the diff entries whose op is `a` or `b`, joined by '\n' (as plain text). */
static void diff_side(const json_t *diff, char a, char b, struct buf *out)
{
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(diff, i, e) {
		const char *op = json_string_value(json_object_get(e, "op"));

		if (op[0] == a || op[0] == b) {
			if (n++)
				buf_putc(out, '\n');
			buf_puts(out, json_string_value(json_object_get(e, "text")));
		}
	}
	buf_putc(out, '\0');
}

/* Does `d` give back both texts? */
static int diff_complete(const json_t *d, const char *a, const char *b)
{
	struct buf x, y;
	int ok;

	buf_init(&x, 0);
	buf_init(&y, 0);
	diff_side(d, '=', '-', &x);
	diff_side(d, '=', '+', &y);
	ok = !x.err && !y.err && strcmp(x.data, a) == 0 && strcmp(y.data, b) == 0;
	buf_release(&x);
	buf_release(&y);
	return ok;
}

static void test_diff_allocation_failure_loses_no_line(void **state)
{
	struct buf a, b;
	json_t *clean;
	long n;

	(void)state;
	buf_init(&a, 0);
	buf_init(&b, 0);
	for (int i = 0; i < 40; i++) {
		buf_printf(&a, "第%d行\n", i);
		buf_printf(&b, "第%d行%s\n", i, i % 7 ? "" : "（已修改）");
	}
	buf_putc(&a, '\0');
	buf_putc(&b, '\0');
	json_set_alloc_funcs(json_fault_malloc, free);
	clean = disclosure_text_diff(a.data, b.data);
	assert_non_null(clean);
	assert_true(diff_complete(clean, a.data, b.data));
	for (n = 1;; n++) {
		arm(n);
		json_t *d = disclosure_text_diff(a.data, b.data);
		disarm();
		if (!fail_hit) {
			assert_true(json_equal(d, clean));
			json_decref(d);
			break;
		}
		/* either no diff at all, or a whole one: never a diff with lines missing */
		int ok = d == NULL || diff_complete(d, a.data, b.data);
		json_decref(d);
		assert_true(ok);
	}
	json_set_alloc_funcs(malloc, free);
	json_decref(clean);
	buf_release(&a);
	buf_release(&b);
}

/* ---- the database: full, and failing writes ------------------------------- */

/* A failing-write layer over SQLite's default VFS, armed by the test. */
static int io_fail;		/* 1: every write and sync fails with an I/O error */
static sqlite3_vfs fault_vfs;
static sqlite3_vfs *base_vfs;

struct fault_file {
	sqlite3_file base;
	const struct sqlite3_io_methods *orig_methods;
	sqlite3_file *real;	/* the underlying file, allocated right after this struct */
};
static struct sqlite3_io_methods fault_methods;

#define REAL(f) (((struct fault_file *)(f))->real)

static int ff_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}
static int ff_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int ff_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	return io_fail ? SQLITE_IOERR_WRITE : REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return io_fail ? SQLITE_IOERR_TRUNCATE : REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int ff_sync(sqlite3_file *f, int flags)
{
	return io_fail ? SQLITE_IOERR_FSYNC : REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int ff_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int ff_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int ff_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int ff_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int ff_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int ff_dev(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int ff_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}
static int ff_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void ff_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int ff_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	struct fault_file *ff = (struct fault_file *)f;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = base_vfs->xOpen(base_vfs, name, ff->real, flags, out_flags);
	f->pMethods = rc == SQLITE_OK && ff->real->pMethods ? &fault_methods : NULL;
	return rc;
}

/* Register the layer as the default VFS (db_open uses the default). */
static void fault_vfs_install(void)
{
	base_vfs = sqlite3_vfs_find(NULL);
	assert_non_null(base_vfs);
	fault_vfs = *base_vfs;
	fault_vfs.zName = "zhibu-faults";
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) + base_vfs->szOsFile;
	fault_vfs.xOpen = fv_open;
	fault_methods = (struct sqlite3_io_methods){
		2, ff_close, ff_read, ff_write, ff_truncate, ff_sync, ff_size, ff_lock,
		ff_unlock, ff_reserved, ff_fcntl, ff_sector, ff_dev, ff_shm_map, ff_shm_lock,
		ff_shm_barrier, ff_shm_unmap, NULL, NULL,
	};
	assert_int_equal(sqlite3_vfs_register(&fault_vfs, 1), SQLITE_OK);
}

struct dbfx {
	char dir[64];
	char path[128];
	struct db *db;
	struct keys keys;
};

static int db_setup(void **state)
{
	struct dbfx *f = calloc(1, sizeof(*f));
	struct audit_who who = { 1, "管理员", "127.0.0.1", "00000000000000aa" };

	assert_non_null(f);
	assert_int_equal(TESTDB_MAKE(f, "faults", "f.db", 1), 0);
	memset(&f->keys, 0x42, sizeof(f->keys));
	for (int i = 0; i < 5; i++) {
		assert_int_equal(db_begin(f->db), DB_OK);
		assert_int_equal(audit_append(f->db, &f->keys, &who, "org", i + 1, "create", NULL,
					      NULL), DB_OK);
		assert_int_equal(db_commit(f->db), DB_OK);
	}
	*state = f;
	return 0;
}

static int db_teardown(void **state)
{
	struct dbfx *f = *state;

	io_fail = 0;
	if (f->db)
		db_close(f->db);
	assert_int_equal(testdir_remove(f->dir), 0);
	free(f);
	return 0;
}

static int64_t audit_rows(struct db *db)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(db, &n, "SELECT COUNT(*) FROM audit_log", ""), DB_ROW);
	return n;
}

/* The database is sound after the fault: integrity, the chain, and exactly the rows from before. */
static void assert_intact(struct dbfx *f, int64_t rows_before)
{
	struct db_stmt *st;
	FILE *devnull = fopen("/dev/null", "w");
	int64_t rows = 0;

	assert_non_null(devnull);
	st = db_prepare(f->db, "PRAGMA integrity_check");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "ok");
	db_finalize(st);
	assert_int_equal(audit_verify(f->db, &f->keys, devnull, &rows), 0);
	assert_int_equal(rows, rows_before);
	assert_int_equal(audit_rows(f->db), rows_before);
	fclose(devnull);
}

/*
 * Write audited rows the way a handler does (app_begin_write, then the
 * writes) until the database refuses one, then answer with app_db_fail.
 */
static void write_until_refused(struct dbfx *f, struct req *r, int *rc_out)
{
	struct audit_who who = { 1, "管理员", "127.0.0.1", "00000000000000bb" };
	json_t *big = json_pack("{s:s}", "note", "");
	char *text = malloc(8000);
	int rc = DB_OK;

	assert_non_null(text);
	memset(text, 'x', 7999);
	text[7999] = '\0';
	json_object_set_new(big, "note", json_string(text));
	assert_true(app_begin_write(r));
	for (int i = 0; i < 10000 && rc == DB_OK; i++)
		rc = audit_append(f->db, &f->keys, &who, "person", i, "update", big, big);
	if (rc == DB_OK)
		rc = db_commit(f->db);
	*rc_out = rc;
	if (rc != DB_OK)
		app_db_fail(r, rc, 1);
	json_decref(big);
	free(text);
}

static void fake_request(struct req *r, struct ctx *c, struct dbfx *f)
{
	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	arena_init(&r->arena, 0);
	buf_init(&r->out, 0);
	snprintf(r->id, sizeof(r->id), "00000000000000cc");
	c->db = f->db;
	r->user = c;
	r->method = "POST";
	r->path = "/api/v1/people";
}

static void release_request(struct req *r)
{
	buf_release(&r->out);
	arena_release(&r->arena);
}

static void test_full_database_answers_503_and_keeps_nothing(void **state)
{
	struct dbfx *f = *state;
	struct req r;
	struct ctx c;
	int64_t pages = 0, before = audit_rows(f->db);
	int rc;

	/* no room to grow: the database file may not pass its current size plus a little */
	assert_int_equal(db_query_int(f->db, &pages, "PRAGMA page_count", ""), DB_ROW);
	{
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)pages + 2);
		assert_int_equal(db_exec(f->db, sql), DB_OK);
	}
	fake_request(&r, &c, f);
	write_until_refused(f, &r, &rc);
	assert_int_equal(rc, DB_EFULL);
	assert_int_equal(r.status, 503);
	assert_non_null(r.out.data);
	assert_non_null(strstr(r.out.data, "存储空间不足或磁盘故障，数据未保存"));
	assert_intact(f, before);
	release_request(&r);
}

static void test_failing_disk_writes_answer_503_and_corrupt_nothing(void **state)
{
	struct dbfx *f = *state;
	struct req r;
	struct ctx c;
	int64_t before = audit_rows(f->db);
	int rc;

	/* reopen through the failing layer, then let every write to disk fail */
	db_close(f->db);
	f->db = NULL;
	fault_vfs_install();
	assert_int_equal(db_open(f->path, &f->db), DB_OK);
	assert_int_equal(audit_rows(f->db), before);
	io_fail = 1;
	fake_request(&r, &c, f);
	write_until_refused(f, &r, &rc);
	io_fail = 0;
	assert_int_equal(rc, DB_EFULL);
	assert_int_equal(r.status, 503);
	assert_non_null(strstr(r.out.data, "存储空间不足或磁盘故障，数据未保存"));
	release_request(&r);

	/* the disk works again: a fresh connection finds the database exactly as before */
	db_close(f->db);
	f->db = NULL;
	assert_int_equal(sqlite3_vfs_unregister(&fault_vfs), SQLITE_OK);
	assert_int_equal(db_open(f->path, &f->db), DB_OK);
	assert_intact(f, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_every_allocation_fails_in_turn),
		cmocka_unit_test(test_arena_allocation_failure_aborts_cleanly),
		cmocka_unit_test(test_json_every_allocation_fails_in_turn),
		cmocka_unit_test(test_sheet_every_allocation_fails_in_turn),
		cmocka_unit_test(test_diff_allocation_failure_loses_no_line),
		cmocka_unit_test_setup_teardown(test_full_database_answers_503_and_keeps_nothing,
						db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_failing_disk_writes_answer_503_and_corrupt_nothing,
						db_setup, db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
