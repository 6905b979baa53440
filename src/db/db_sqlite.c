/* db_sqlite.c - the SQLite backend: one connection per thread, WAL, and a per-connection cache of prepared statements. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "db_internal.h"
#include "../base/hash.h"

/* Prepared statements kept per connection; the server prepares the same few dozen SQL strings per request. */
#define SL_CACHE_SIZE 64

/*
 * One statement. A cached one (`sql` != NULL) belongs to the connection's
 * cache and is only reset when the caller finalizes it; an uncached one
 * (cache full of statements in use) is really finalized.
 */
struct sl_stmt {
	struct db_stmt base;
	sqlite3_stmt *stmt;
	char *sql;		/* cache key, owned; NULL if not cached */
	const char *caller_sql;	/* the pointer the caller prepared it with: a hint, never dereferenced */
	uint64_t hash;		/* of sql */
	uint64_t last_used;	/* cache clock at the last prepare, for eviction */
	int in_use;		/* handed out by db_prepare, not yet finalized */
	int stepped;		/* stepped since the last reset: bind must reset first */
	int on_row;		/* the last step gave a row */
	int64_t changes;	/* rows changed, recorded when the statement finished */
	int64_t total0;		/* connection's total_changes when this execution began */
};

struct sl_db {
	struct db base;
	sqlite3 *h;
	uint64_t clock;
	struct sl_stmt *cache[SL_CACHE_SIZE];
};

static const struct db_ops sl_ops;

static struct sl_db *sl_db(struct db *db)
{
	return (struct sl_db *)db;
}

static struct sl_stmt *sl_st(struct db_stmt *st)
{
	return (struct sl_stmt *)st;
}

/* Map an SQLite result code (primary or extended) to DB_E*. */
static int sl_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return DB_OK;
	case SQLITE_CONSTRAINT:
		return DB_ECONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_EBUSY;
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return DB_EFULL;
	default:
		return DB_EGENERIC;
	}
}

/* Record the connection's current error under `what` and return its DB_E* code. */
static int sl_fail(struct sl_db *d, int rc, const char *what)
{
	return db_set_err(&d->base, sl_code(rc) == DB_OK ? DB_EGENERIC : sl_code(rc), "%s: %s (%d)",
			  what, sqlite3_errmsg(d->h), sqlite3_extended_errcode(d->h));
}

static int sl_exec(struct db *db, const char *sql)
{
	struct sl_db *d = sl_db(db);
	char *msg = NULL;
	int rc = sqlite3_exec(d->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int code = sl_code(rc);

		db_set_err(db, code == DB_OK ? DB_EGENERIC : code, "exec: %s (%d)",
			   msg ? msg : sqlite3_errstr(rc), rc);
		sqlite3_free(msg);
		return db->err;
	}
	return DB_OK;
}

static const char *const sl_pragmas =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = FULL;"
	"PRAGMA foreign_keys = ON;"
	"PRAGMA busy_timeout = 5000;"
	"PRAGMA secure_delete = ON;";

/*
 * Process-wide settings, made once before SQLite's first use (a call after
 * that answers SQLITE_MISUSE and SQLite keeps its defaults):
 * - no memory statistics: zhibu never reads them (sqlite3_memory_used, soft
 *   heap limits), and keeping them takes a global mutex around every one of
 *   SQLite's allocations, about a hundred per imported person;
 * - statement journals in memory up to 1 MiB (default 64 KiB). Every write
 *   inside a longer transaction keeps the pages it changes in a statement
 *   journal so that it alone can be undone; once one statement passes the
 *   limit, the journal becomes a temporary file for the rest of the
 *   transaction and every later statement writes its pages there: in an
 *   import of 20,000 people that was 296,000 pwrite calls to /var/tmp. A
 *   single-row write journals a few dozen KiB; the memory is freed when each
 *   statement ends, and only statements journalling more than 1 MiB spill.
 */
static void sl_global_config(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	(void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 1 << 20);
}

/*
 * Open (creating if missing, but not its folder) and configure: WAL so that
 * readers never block the writer, synchronous=FULL so that a committed
 * write survives power loss, foreign keys enforced, a 5 s wait on locks, and
 * deleted content overwritten (personal data).
 */
int db_sqlite_open(const char *path, struct db **out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sl_db *d;
	int rc;

	*out = NULL;
	pthread_once(&once, sl_global_config);
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return DB_EGENERIC;
	}
	d->base.ops = &sl_ops;
	d->base.kind = DB_SQLITE;
	rc = sqlite3_open_v2(path, &d->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		sqlite3_close(d->h);
		free(d);
		return sl_code(rc) == DB_OK ? DB_EGENERIC : sl_code(rc);
	}
	sqlite3_extended_result_codes(d->h, 1);
	/*
	 * The planner may not look at bound values. Without this, every statement
	 * with "col LIKE ?" (each org-subtree scope) is marked to be compiled again
	 * whenever its parameter is bound, so a cached statement was re-parsed on
	 * every request: a tenth of a people list page. The LIKE optimisation it
	 * would allow never applies here (LIKE is case-insensitive and the path
	 * index is BINARY), and this SQLite has no STAT4.
	 */
	(void)sqlite3_db_config(d->h, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
	rc = sl_exec(&d->base, sl_pragmas);
	if (rc != DB_OK) {
		snprintf(err, errlen, "%s: %s", path, d->base.errmsg);
		sqlite3_close(d->h);
		free(d);
		return rc;
	}
	*out = &d->base;
	return DB_OK;
}

static void sl_stmt_free(struct sl_stmt *s)
{
	sqlite3_finalize(s->stmt);
	free(s->sql);
	free(s);
}

static void sl_close(struct db *db)
{
	struct sl_db *d = sl_db(db);

	for (int i = 0; i < SL_CACHE_SIZE; i++)
		if (d->cache[i])
			sl_stmt_free(d->cache[i]);
	/* v2: a statement the caller leaked does not keep the file open forever */
	sqlite3_close_v2(d->h);
	free(d);
}


/* 1 if only whitespace and semicolons remain. */
static int sl_blank(const char *p)
{
	for (; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != ';')
			return 0;
	return 1;
}

/*
 * An idle cached statement whose caller prepared it from the same pointer
 * with the same text, or NULL. Nearly every SQL string is a named constant,
 * so this finds most statements without hashing the text (the FNV loop over
 * a long SELECT cost more than the rest of the prepare); the text is still
 * compared, since a buffer on the stack can hold other SQL next time.
 */
static struct sl_stmt *sl_cache_by_ptr(struct sl_db *d, const char *sql)
{
	for (int i = 0; i < SL_CACHE_SIZE; i++) {
		struct sl_stmt *s = d->cache[i];

		if (s && s->caller_sql == sql && !s->in_use && strcmp(s->sql, sql) == 0)
			return s;
	}
	return NULL;
}

/*
 * Hand out an idle cached statement with the same SQL, else prepare one
 * and cache it in an empty slot or in place of the least recently used
 * idle one; when every slot is in use the statement is not cached.
 * Exactly one statement: trailing SQL is an error, as on PostgreSQL.
 */
static struct db_stmt *sl_prepare(struct db *db, const char *sql)
{
	struct sl_db *d = sl_db(db);
	uint64_t h;
	struct sl_stmt *s;
	sqlite3_stmt *stmt = NULL;
	const char *tail = NULL;
	int victim = -1, rc;

	d->clock++;
	s = sl_cache_by_ptr(d, sql);
	if (s) {
		s->in_use = 1;
		s->last_used = d->clock;
		return &s->base;
	}
	h = fnv1a(sql);
	for (int i = 0; i < SL_CACHE_SIZE; i++) {
		s = d->cache[i];
		if (!s) {
			if (victim < 0 || d->cache[victim])
				victim = i;
			continue;
		}
		if (s->in_use)
			continue;
		if (s->hash == h && strcmp(s->sql, sql) == 0) {
			s->in_use = 1;
			s->last_used = d->clock;
			s->caller_sql = sql;
			return &s->base;
		}
		if (victim < 0 || (d->cache[victim] && s->last_used < d->cache[victim]->last_used))
			victim = i;
	}

	rc = sqlite3_prepare_v3(d->h, sql, -1, victim >= 0 ? SQLITE_PREPARE_PERSISTENT : 0, &stmt,
				&tail);
	if (rc != SQLITE_OK) {
		sl_fail(d, rc, "prepare");
		return NULL;
	}
	if (!stmt) {
		db_set_err(db, DB_EGENERIC, "prepare: empty statement");
		return NULL;
	}
	if (tail && !sl_blank(tail)) {
		sqlite3_finalize(stmt);
		db_set_err(db, DB_EGENERIC, "prepare: more than one statement (use db_exec)");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s && victim >= 0) {
		s->sql = strdup(sql);
		if (!s->sql) {
			free(s);
			s = NULL;
		}
	}
	if (!s) {
		sqlite3_finalize(stmt);
		db_set_err(db, DB_EGENERIC, "prepare: out of memory");
		return NULL;
	}
	s->base.ops = &sl_ops;
	s->base.db = db;
	s->stmt = stmt;
	s->caller_sql = sql;
	s->hash = h;
	s->last_used = d->clock;
	s->in_use = 1;
	if (victim >= 0) {
		if (d->cache[victim])
			sl_stmt_free(d->cache[victim]);
		d->cache[victim] = s;
	}
	return &s->base;
}

/* Binding after a step starts the next execution, so reset first. */
static void sl_unstep(struct sl_stmt *s)
{
	if (s->stepped) {
		sqlite3_reset(s->stmt);
		s->stepped = 0;
		s->on_row = 0;
	}
}

static int sl_bind_rc(struct sl_stmt *s, int rc, int idx)
{
	struct sl_db *d = sl_db(s->base.db);

	if (rc == SQLITE_OK)
		return DB_OK;
	if (rc == SQLITE_RANGE)
		return db_set_err(&d->base, DB_EGENERIC, "bind: parameter index %d out of range",
				  idx);
	return sl_fail(d, rc, "bind");
}

static int sl_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	struct sl_stmt *s = sl_st(st);

	sl_unstep(s);
	return sl_bind_rc(s, sqlite3_bind_int64(s->stmt, idx, v), idx);
}

static int sl_bind_text(struct db_stmt *st, int idx, const char *v)
{
	struct sl_stmt *s = sl_st(st);

	sl_unstep(s);
	return sl_bind_rc(s, sqlite3_bind_text(s->stmt, idx, v, -1, SQLITE_TRANSIENT), idx);
}

static int sl_bind_null(struct db_stmt *st, int idx)
{
	struct sl_stmt *s = sl_st(st);

	sl_unstep(s);
	return sl_bind_rc(s, sqlite3_bind_null(s->stmt, idx), idx);
}

/*
 * The statement is reset as soon as it finishes or fails, which releases
 * its read snapshot at once; a further step runs it again with the same
 * bindings. The change count is taken when it finishes, so statements run
 * in between do not disturb it.
 */
static int sl_step(struct db_stmt *st)
{
	struct sl_stmt *s = sl_st(st);
	struct sl_db *d = sl_db(st->db);
	int rc;

	if (!s->stepped) {
		s->changes = 0;
		s->total0 = sqlite3_total_changes64(d->h);
	}
	s->stepped = 1;
	rc = sqlite3_step(s->stmt);
	s->on_row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		/* DDL leaves sqlite3_changes() at the previous statement's count */
		s->changes = sqlite3_stmt_readonly(s->stmt) ||
			     sqlite3_total_changes64(d->h) == s->total0 ? 0 : sqlite3_changes64(d->h);
		rc = DB_DONE;
	} else {
		rc = sl_fail(d, rc, "step");
	}
	sqlite3_reset(s->stmt);
	s->stepped = 0;
	return rc;
}

static int sl_col_count(struct db_stmt *st)
{
	return sqlite3_column_count(sl_st(st)->stmt);
}

static const char *sl_col_name(struct db_stmt *st, int i)
{
	return sqlite3_column_name(sl_st(st)->stmt, i);
}

static int sl_col_isnull(struct db_stmt *st, int i)
{
	struct sl_stmt *s = sl_st(st);
	return !s->on_row || sqlite3_column_type(s->stmt, i) == SQLITE_NULL;
}

static int64_t sl_col_int(struct db_stmt *st, int i)
{
	struct sl_stmt *s = sl_st(st);
	return s->on_row ? sqlite3_column_int64(s->stmt, i) : 0;
}

static const char *sl_col_text(struct db_stmt *st, int i)
{
	struct sl_stmt *s = sl_st(st);
	return s->on_row ? (const char *)sqlite3_column_text(s->stmt, i) : NULL;
}

static int64_t sl_changes(struct db_stmt *st)
{
	return sl_st(st)->changes;
}

/*
 * Cached: reset and forget the bindings, ready for the next db_prepare of the
 * same SQL. A statement not stepped since its last reset (sl_step resets one
 * that finished or failed) needs no second reset.
 */
static void sl_finalize(struct db_stmt *st)
{
	struct sl_stmt *s = sl_st(st);

	if (!s->sql) {
		sl_stmt_free(s);
		return;
	}
	if (s->stepped)
		sqlite3_reset(s->stmt);
	sqlite3_clear_bindings(s->stmt);
	s->in_use = 0;
	s->stepped = 0;
	s->on_row = 0;
	s->changes = 0;
}

/* IMMEDIATE takes the write lock now (waiting up to busy_timeout), so a writer never fails mid-transaction for a lock upgrade. */
static int sl_begin(struct db *db)
{
	return sl_exec(db, "BEGIN IMMEDIATE");
}

static int sl_commit(struct db *db)
{
	return sl_exec(db, "COMMIT");
}

/* No transaction open (never begun, or SQLite already rolled it back after an I/O error) is not a failure. */
static int sl_rollback(struct db *db)
{
	if (sqlite3_get_autocommit(sl_db(db)->h))
		return DB_OK;
	return sl_exec(db, "ROLLBACK");
}

static int sl_in_txn(struct db *db)
{
	return !sqlite3_get_autocommit(sl_db(db)->h);
}

static int sl_check(struct db *db)
{
	(void)db;
	return DB_OK;
}

static const struct db_ops sl_ops = {
	.close = sl_close,
	.exec = sl_exec,
	.prepare = sl_prepare,
	.bind_int = sl_bind_int,
	.bind_text = sl_bind_text,
	.bind_null = sl_bind_null,
	.step = sl_step,
	.col_count = sl_col_count,
	.col_name = sl_col_name,
	.col_isnull = sl_col_isnull,
	.col_int = sl_col_int,
	.col_text = sl_col_text,
	.changes = sl_changes,
	.finalize = sl_finalize,
	.begin = sl_begin,
	.commit = sl_commit,
	.rollback = sl_rollback,
	.in_txn = sl_in_txn,
	.check = sl_check,
};
