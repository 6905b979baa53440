/* db.h - one interface over SQLite and PostgreSQL: connect, prepare, bind, step, transactions, migrations. */
#ifndef ZB_DB_H
#define ZB_DB_H

#include <stdint.h>
#include <stddef.h>
#include <pthread.h>

/*
 * SQL is written once, portably: `?` placeholders (rewritten to $1.. for
 * PostgreSQL outside string literals), ISO-8601 TEXT for dates and
 * timestamps, INTEGER for ids, money in fen, "INSERT ... RETURNING id" for new
 * ids. Binary data is stored as base64 TEXT, so there are no blobs.
 *
 * A `struct db` is one connection; it is not thread-safe, and a pool hands
 * each request its own. Errors: functions return DB_OK / DB_ROW / DB_DONE or
 * a negative DB_E*; db_errmsg() tells the detail for the log (never for users).
 */

enum db_kind { DB_SQLITE, DB_POSTGRES };

enum {
	DB_OK = 0,
	DB_ROW = 1,	/* db_step: a row is ready */
	DB_DONE = 2,	/* db_step: no more rows */
	DB_EGENERIC = -1,
	DB_ECONSTRAINT = -2,	/* unique / foreign key / check violation */
	DB_EBUSY = -3,		/* locked / serialization failure: retry the transaction */
	DB_EFULL = -4,		/* disk full or I/O error */
	DB_ELOST = -5,		/* connection to the server lost (PostgreSQL): see db_lost() */
};

struct db;
struct db_stmt;

/*
 * `url`: a file path (SQLite) or postgres://... / postgresql://... (PostgreSQL).
 * On failure *out is NULL and the reason is logged (there is no handle to
 * hold it). db_errmsg(NULL) is safe.
 */
int db_open(const char *url, struct db **out /* OUT */);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);
const char *db_errmsg(const struct db *db);
/*
 * 1 once a call on `db` failed with DB_ELOST: the server went away (restart,
 * pg_terminate_backend, network cut). An open transaction is gone (the server
 * rolled it back), except that a COMMIT cut in flight may or may not have
 * been kept. From then on every call fails with DB_ELOST without reaching a
 * server, so nothing of the caller's work runs on a new session as if the
 * transaction were still open; db_pool_acquire() reconnects it for the next
 * borrower. Only a statement that is safe to repeat is retried on a new
 * connection, and then db_lost() stays 0 (db_pg.c states the contract).
 * SQLite: always 0.
 */
int db_lost(struct db *db);

/* Run a script of one or more statements without parameters. */
int db_exec(struct db *db, const char *sql);
/* Same, for portable DDL: on PostgreSQL INTEGER is rewritten as for migrations. */
int db_exec_ddl(struct db *db, const char *sql);

/*
 * Prepare one statement; NULL on error (see db_errmsg). Trailing SQL after
 * the statement is an error. SQLite reuses a cached statement for the same
 * SQL text, so preparing per request is cheap; PostgreSQL reports SQL
 * errors at the first db_step instead.
 */
struct db_stmt *db_prepare(struct db *db, const char *sql);
/*
 * Parameters are numbered from 1 in order of the `?` marks. Text is copied.
 * Binding after a step starts a new execution (other bindings are kept).
 * PostgreSQL gets every parameter as text of unknown type and infers it
 * from its context: `? IS NULL` fails there ("could not determine data
 * type") and `? + 1` is a 32-bit integer. Write CAST(? AS TEXT) or
 * CAST(? AS BIGINT) in such places; SQLite accepts the same.
 */
int db_bind_int(struct db_stmt *st, int idx, int64_t v);
int db_bind_text(struct db_stmt *st, int idx, const char *s);	/* NULL binds NULL */
int db_bind_null(struct db_stmt *st, int idx);
/*
 * DB_ROW, DB_DONE or a DB_E* error. A step after DB_DONE runs the statement
 * again. Inside a transaction, PostgreSQL refuses every statement after a
 * failed one, so after an error roll back (or end the transaction).
 */
int db_step(struct db_stmt *st);
/*
 * Columns are numbered from 0; an index out of range, or no current row,
 * reads as NULL / 0. Text stays valid until the next step or finalize.
 * PostgreSQL booleans read as 1/0 with db_col_int but as "t"/"f" text.
 */
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int i);
int db_col_isnull(struct db_stmt *st, int i);
int64_t db_col_int(struct db_stmt *st, int i);
const char *db_col_text(struct db_stmt *st, int i);	/* NULL for SQL NULL */
/* Rows changed by the last INSERT/UPDATE/DELETE of this statement (0 for others);
 * read it once the statement returned DB_DONE (SQLite counts at the end). */
int64_t db_changes(struct db_stmt *st);
void db_finalize(struct db_stmt *st);

/*
 * Transactions. db_begin takes the write lock at once (SQLite BEGIN
 * IMMEDIATE; PostgreSQL READ COMMITTED), so writers queue rather than fail.
 */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/*
 * Convenience: run `sql` with the parameters given as a format of 'i'
 * (int64_t), 's' (const char *, may be NULL), 'n' (null), and return the
 * first column of the first row as an integer in *out (untouched if no row).
 * Returns DB_ROW, DB_DONE or an error. An 'i' argument must be an int64_t
 * (cast literals: (int64_t)5), since varargs do not convert.
 */
int db_query_int(struct db *db, int64_t *out, const char *sql, const char *fmt, ...);
struct db_params;
/* Same, with the parameters collected in b (a filter built piece by piece). */
int db_query_int_params(struct db *db, int64_t *out, const char *sql, const struct db_params *b);
/* Same, for statements without a result: returns DB_OK or an error. */
int db_run(struct db *db, const char *sql, const char *fmt, ...);
/*
 * Same as db_run, and *changes gets the number of rows the statement changed:
 * an UPDATE ... WHERE id = ? AND version = ? that changed 0 rows was stale.
 */
int db_run_changes(struct db *db, int64_t *changes, const char *sql, const char *fmt, ...);
/*
 * Parameters collected while a query is built piece by piece (filters that
 * are present or not): add them in the order their `?` marks are appended,
 * then bind them all at once. Past DB_MAX_PARAMS `overflow` is set and the
 * caller must refuse the query. Text is borrowed, not copied.
 */
#define DB_MAX_PARAMS 64
struct db_params {
	int n;
	int overflow;
	struct { int is_int; int64_t i; const char *s; } v[DB_MAX_PARAMS];
};
void db_param_text(struct db_params *p, const char *s);
void db_param_int(struct db_params *p, int64_t i);
/* Bind everything collected from parameter 1 on; returns the next index. */
int db_params_bind(struct db_stmt *st, const struct db_params *p);

/* Bind parameters from a format as above onto a prepared statement. */
int db_bindf(struct db_stmt *st, const char *fmt, ...);

/*
 * Migrations: the embedded list of migrations/NNNN_*.sql, applied in order
 * inside one transaction each and recorded in schema_migrations(version,
 * name, applied_at). For PostgreSQL, DDL is rewritten: "INTEGER PRIMARY KEY"
 * becomes "BIGSERIAL PRIMARY KEY" and other INTEGER columns BIGINT.
 * Returns the number applied (>= 0) or -1; *latest gets the newest version.
 */
struct migration { int version; const char *name; const char *sql; };
extern const struct migration db_migrations[];	/* generated, ends with version 0 */
int db_migrate(struct db *db, int *latest /* OUT, may be NULL */);
/* Current schema version (0 when not initialised, -1 on error). */
int db_schema_version(struct db *db);

/*
 * A bounded pool of connections for server worker threads. Open fails (NULL)
 * unless all `size` connections open. Acquire blocks until one is free and
 * returns NULL only if it cannot be made usable (PostgreSQL reconnects a
 * dropped one first). Release rolls back a transaction left open. Close
 * after every connection was released.
 */
struct db_pool;
struct db_pool *db_pool_open(const char *url, int size);
struct db *db_pool_acquire(struct db_pool *p);	/* blocks until one is free */
void db_pool_release(struct db_pool *p, struct db *db);
void db_pool_close(struct db_pool *p);

/*
 * A "contains" pattern for `col LIKE ? ESCAPE '!'`: "%" + q + "%" with the
 * wildcards % and _ (and the escape character !) in q escaped, so a search
 * for "100%" finds exactly that. Allocated from the arena.
 */
struct arena;
const char *db_like_contains(struct arena *a, const char *q);

/* SQLite only: online consistent copy to `path` (VACUUM INTO), which must not
 * exist yet. DB_OK or an error; PostgreSQL: -1. */
int db_backup(struct db *db, const char *path);

#endif
