/* db_internal.h - what db.c shares with the SQLite and PostgreSQL backends: the function table and common helpers. */
#ifndef ZB_DB_INTERNAL_H
#define ZB_DB_INTERNAL_H

#include <stdarg.h>
#include "db.h"

/*
 * One table of operations per backend. db.c checks arguments that do not
 * depend on the backend (NULL handles, format strings) and dispatches here;
 * a backend reports failures through db_set_err() so that db_errmsg() and
 * the returned DB_E* code always agree.
 */
struct db_ops {
	void (*close)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	struct db_stmt *(*prepare)(struct db *db, const char *sql);
	int (*bind_int)(struct db_stmt *st, int idx, int64_t v);
	int (*bind_text)(struct db_stmt *st, int idx, const char *s);
	int (*bind_null)(struct db_stmt *st, int idx);
	int (*step)(struct db_stmt *st);
	int (*col_count)(struct db_stmt *st);
	/* Column getters are only called with 0 <= i < col_count(). */
	const char *(*col_name)(struct db_stmt *st, int i);
	int (*col_isnull)(struct db_stmt *st, int i);
	int64_t (*col_int)(struct db_stmt *st, int i);
	const char *(*col_text)(struct db_stmt *st, int i);
	int64_t (*changes)(struct db_stmt *st);
	void (*finalize)(struct db_stmt *st);
	int (*begin)(struct db *db);
	int (*commit)(struct db *db);
	int (*rollback)(struct db *db);
	/* 1 while a transaction is open on the connection. */
	int (*in_txn)(struct db *db);
	/* Make the connection usable again (reconnect if it was lost): DB_OK or an error. */
	int (*check)(struct db *db);
	/* 1 while the connection is lost (see db_lost); NULL = never (SQLite). */
	int (*lost)(struct db *db);
};

#define DB_ERRMSG_MAX 512

/* The head of every backend's connection struct. */
struct db {
	const struct db_ops *ops;
	enum db_kind kind;
	int err;			/* code of the last failure, DB_OK if none yet */
	char errmsg[DB_ERRMSG_MAX];	/* detail of the last failure, "" if none yet */
};

/* The head of every backend's statement struct. */
struct db_stmt {
	const struct db_ops *ops;
	struct db *db;
};

/*
 * Backend constructors. On success *out is a new connection; on failure
 * *out is NULL, `err` (of `errlen` bytes) holds the reason and a DB_E* code
 * is returned.
 */
int db_sqlite_open(const char *path, struct db **out, char *err, size_t errlen);
int db_pg_open(const char *url, struct db **out, char *err, size_t errlen);

/* Record a failure on `db` (printf-style message) and return `code`. */
int db_set_err(struct db *db, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Rewrite `?` marks to $1, $2, ... outside '...' literals, "..." identifiers,
 * -- and slash-star comments. Returns a malloc'd string (caller frees) and
 * the number of marks in *nparams, or NULL when out of memory.
 */
char *db_rewrite_placeholders(const char *sql, int *nparams /* OUT */);

/*
 * Rewrite portable DDL for PostgreSQL outside literals, quoted identifiers
 * and comments: the whole word INTEGER followed by PRIMARY KEY becomes
 * BIGSERIAL, every other whole word INTEGER becomes BIGINT (case-sensitive).
 * Returns a malloc'd string (caller frees) or NULL when out of memory.
 */
char *db_rewrite_ddl_pg(const char *sql);

/*
 * db_migrate() over an explicit list (ends with version 0), so that tests
 * can apply lists of their own. Same contract as db_migrate().
 */
int db_migrate_list(struct db *db, const struct migration *list, int *latest /* OUT, may be NULL */);

#endif
