/* db_pg.c - the PostgreSQL backend over libpq: text parameters, whole results, SQLSTATE mapped to DB_E*. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include "db_internal.h"

struct pg_db {
	struct db base;
	PGconn *conn;
};

/*
 * One statement: the SQL with $n marks, its parameters as owned text
 * (NULL = SQL NULL), and the result of the last execution, kept until the
 * next execution or finalize so that column text stays valid.
 */
struct pg_stmt {
	struct db_stmt base;
	char *sql;
	int nparams;
	char **params;
	PGresult *res;
	int executed;	/* res belongs to the current execution; 0 = run at next step */
	int row;	/* current row in res, -1 before the first */
	int ntuples;
};

static const struct db_ops pg_ops;

static struct pg_db *pg_db(struct db *db)
{
	return (struct pg_db *)db;
}

static struct pg_stmt *pg_st(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* Map an SQLSTATE to DB_E*: class 23 integrity, serialization/deadlock/lock-timeout, disk full / I/O. */
static int pg_code(const char *state)
{
	if (!state)
		return DB_EGENERIC;
	if (strncmp(state, "23", 2) == 0)
		return DB_ECONSTRAINT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return DB_EBUSY;
	if (strcmp(state, "53100") == 0 || strcmp(state, "58030") == 0)
		return DB_EFULL;
	return DB_EGENERIC;
}

/* Record `msg` as the connection's error, on one line: libpq's newlines become spaces. */
static int pg_set(struct pg_db *d, int code, const char *what, const char *msg)
{
	char line[DB_ERRMSG_MAX];
	size_t n = 0;

	for (const char *p = msg ? msg : ""; *p && n < sizeof(line) - 1; p++)
		line[n++] = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;
	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n] = '\0';
	return db_set_err(&d->base, code, "%s: %s", what, line);
}

/*
 * Check a result: DB_OK for a command or rows, else record the error and
 * return its code. Does not clear `res`.
 */
static int pg_result(struct pg_db *d, PGresult *res, const char *what)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
		return DB_OK;
	if (!res)
		return pg_set(d, DB_EGENERIC, what, PQerrorMessage(d->conn));
	return pg_set(d, pg_code(PQresultErrorField(res, PG_DIAG_SQLSTATE)), what,
		      PQresultErrorMessage(res));
}

/* Notices ("table exists, skipping") are not errors and must not reach stderr. */
static void pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Per-session settings, run after every (re)connect: timestamps from now() are UTC. */
static int pg_session(struct pg_db *d)
{
	PGresult *res;
	int rc;

	PQsetNoticeProcessor(d->conn, pg_notice, NULL);
	res = PQexec(d->conn, "SET TIME ZONE 'UTC'");
	rc = pg_result(d, res, "connect");
	PQclear(res);
	return rc;
}

/*
 * Connect with the URL's settings, forcing UTF-8 on the wire (later
 * parameters win over the URL's) and giving a default connect timeout and
 * application name that the URL may override.
 */
int db_pg_open(const char *url, struct db **out, char *err, size_t errlen)
{
	const char *keys[] = { "connect_timeout", "application_name", "dbname", "client_encoding",
			       NULL };
	const char *vals[] = { "10", "zhibu", url, "UTF8", NULL };
	struct pg_db *d;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return DB_EGENERIC;
	}
	d->base.ops = &pg_ops;
	d->base.kind = DB_POSTGRES;
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		pg_set(d, DB_EGENERIC, "connect",
		       d->conn ? PQerrorMessage(d->conn) : "out of memory");
		snprintf(err, errlen, "%s", d->base.errmsg);
		PQfinish(d->conn);
		free(d);
		return DB_EGENERIC;
	}
	if (pg_session(d) != DB_OK) {
		snprintf(err, errlen, "%s", d->base.errmsg);
		PQfinish(d->conn);
		free(d);
		return DB_EGENERIC;
	}
	*out = &d->base;
	return DB_OK;
}

static void pg_close(struct db *db)
{
	struct pg_db *d = pg_db(db);

	PQfinish(d->conn);
	free(d);
}

/* A script of statements without parameters; the first failure stops it. */
static int pg_exec(struct db *db, const char *sql)
{
	struct pg_db *d = pg_db(db);
	PGresult *res = PQexec(d->conn, sql);
	int rc = pg_result(d, res, "exec");

	PQclear(res);
	return rc;
}

/* Nothing goes to the server until the first step; the SQL's `?` marks become $n here. */
static struct db_stmt *pg_prepare(struct db *db, const char *sql)
{
	struct pg_stmt *s = calloc(1, sizeof(*s));

	if (!s) {
		db_set_err(db, DB_EGENERIC, "prepare: out of memory");
		return NULL;
	}
	s->base.ops = &pg_ops;
	s->base.db = db;
	s->row = -1;
	s->sql = db_rewrite_placeholders(sql, &s->nparams);
	if (s->sql && s->nparams > 0)
		s->params = calloc((size_t)s->nparams, sizeof(*s->params));
	if (!s->sql || (s->nparams > 0 && !s->params)) {
		free(s->sql);
		free(s);
		db_set_err(db, DB_EGENERIC, "prepare: out of memory");
		return NULL;
	}
	return &s->base;
}

/* Binding after a step starts the next execution. */
static void pg_unstep(struct pg_stmt *s)
{
	if (s->executed) {
		PQclear(s->res);
		s->res = NULL;
		s->executed = 0;
		s->row = -1;
		s->ntuples = 0;
	}
}

/* Store a copy of `v` (NULL = SQL NULL) as parameter `idx`. */
static int pg_bind(struct pg_stmt *s, int idx, const char *v)
{
	char *copy = NULL;

	pg_unstep(s);
	if (idx > s->nparams)
		return db_set_err(s->base.db, DB_EGENERIC, "bind: parameter index %d out of range",
				  idx);
	if (v) {
		copy = strdup(v);
		if (!copy)
			return db_set_err(s->base.db, DB_EGENERIC, "bind: out of memory");
	}
	free(s->params[idx - 1]);
	s->params[idx - 1] = copy;
	return DB_OK;
}

static int pg_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return pg_bind(pg_st(st), idx, buf);
}

static int pg_bind_text(struct db_stmt *st, int idx, const char *v)
{
	return pg_bind(pg_st(st), idx, v);
}

static int pg_bind_null(struct db_stmt *st, int idx)
{
	return pg_bind(pg_st(st), idx, NULL);
}

/*
 * The first step sends the statement with its parameters as text of
 * unknown type (the server infers each from its context) and fetches the
 * whole result; later steps walk its rows. A step after DB_DONE or an
 * error runs the statement again.
 */
static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = pg_st(st);
	struct pg_db *d = pg_db(st->db);
	int rc;

	if (!s->executed) {
		PQclear(s->res);
		s->res = PQexecParams(d->conn, s->sql, s->nparams, NULL,
				      (const char *const *)s->params, NULL, NULL, 0);
		s->row = -1;
		s->ntuples = 0;
		rc = pg_result(d, s->res, "step");
		if (rc != DB_OK) {
			PQclear(s->res);
			s->res = NULL;
			return rc;
		}
		s->executed = 1;
		s->ntuples = PQntuples(s->res);
	}
	if (s->row < s->ntuples)
		s->row++;
	if (s->row < s->ntuples)
		return DB_ROW;
	s->executed = 0;	/* keep res for db_changes until the next run */
	return DB_DONE;
}

static int pg_col_count(struct db_stmt *st)
{
	struct pg_stmt *s = pg_st(st);
	return s->res ? PQnfields(s->res) : 0;
}

static const char *pg_col_name(struct db_stmt *st, int i)
{
	return PQfname(pg_st(st)->res, i);
}

static int pg_on_row(const struct pg_stmt *s)
{
	return s->res && s->row >= 0 && s->row < s->ntuples;
}

static int pg_col_isnull(struct db_stmt *st, int i)
{
	struct pg_stmt *s = pg_st(st);
	return !pg_on_row(s) || PQgetisnull(s->res, s->row, i);
}

static const char *pg_col_text(struct db_stmt *st, int i)
{
	struct pg_stmt *s = pg_st(st);

	if (!pg_on_row(s) || PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

/* Booleans arrive as 't'/'f' and read as 1/0; other text as a decimal integer (0 if none). */
static int64_t pg_col_int(struct db_stmt *st, int i)
{
	const char *v = pg_col_text(st, i);

	if (!v)
		return 0;
	if (strcmp(v, "t") == 0)
		return 1;
	if (strcmp(v, "f") == 0)
		return 0;
	return strtoll(v, NULL, 10);
}

/* From the command tag ("UPDATE 2", "INSERT 0 1"); a SELECT's row count is not a change. */
static int64_t pg_changes(struct db_stmt *st)
{
	struct pg_stmt *s = pg_st(st);
	const char *tag, *n;

	if (!s->res)
		return 0;
	tag = PQcmdStatus(s->res);
	if (strncmp(tag, "INSERT ", 7) != 0 && strncmp(tag, "UPDATE ", 7) != 0 &&
	    strncmp(tag, "DELETE ", 7) != 0 && strncmp(tag, "MERGE ", 6) != 0)
		return 0;
	n = PQcmdTuples(s->res);
	return *n ? strtoll(n, NULL, 10) : 0;
}

static void pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = pg_st(st);

	for (int i = 0; i < s->nparams; i++)
		free(s->params[i]);
	free(s->params);
	PQclear(s->res);
	free(s->sql);
	free(s);
}

/* READ COMMITTED; writers queue on row locks rather than fail. */
static int pg_begin(struct db *db)
{
	return pg_exec(db, "BEGIN");
}

/*
 * COMMIT of a transaction that an earlier error aborted reports success
 * with the tag ROLLBACK: that is a failure here, since nothing was kept.
 */
static int pg_commit(struct db *db)
{
	struct pg_db *d = pg_db(db);
	PGresult *res = PQexec(d->conn, "COMMIT");
	int rc = pg_result(d, res, "commit");

	if (rc == DB_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		rc = db_set_err(db, DB_EGENERIC,
				"commit: the transaction had failed and was rolled back");
	PQclear(res);
	return rc;
}

static int pg_rollback(struct db *db)
{
	if (PQtransactionStatus(pg_db(db)->conn) == PQTRANS_IDLE)
		return DB_OK;
	return pg_exec(db, "ROLLBACK");
}

static int pg_in_txn(struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(pg_db(db)->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* Reconnect a connection the server dropped (restart, idle timeout), restoring the session settings. */
static int pg_check(struct db *db)
{
	struct pg_db *d = pg_db(db);

	if (PQstatus(d->conn) == CONNECTION_OK)
		return DB_OK;
	PQreset(d->conn);
	if (PQstatus(d->conn) != CONNECTION_OK)
		return pg_set(d, DB_EGENERIC, "reconnect", PQerrorMessage(d->conn));
	return pg_session(d);
}

static const struct db_ops pg_ops = {
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_count = pg_col_count,
	.col_name = pg_col_name,
	.col_isnull = pg_col_isnull,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.changes = pg_changes,
	.finalize = pg_finalize,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_txn = pg_in_txn,
	.check = pg_check,
};
