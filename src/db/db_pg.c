/* db_pg.c - the PostgreSQL backend over libpq: text parameters, whole results, SQLSTATE mapped to DB_E*, lost connections. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libpq-fe.h>
#include "db_internal.h"
#include "../base/log.h"

/*
 * A lost connection (the server restarted, the backend was terminated, the
 * network was cut) is reported as DB_ELOST and handled by one contract:
 *
 * - A call that fails because the server went away returns DB_ELOST and
 *   marks the connection lost. From then on every call fails with DB_ELOST
 *   at once, without reaching any server, until pg_check() reconnects it
 *   when the pool hands it out again. A handler that goes on after a failed
 *   statement therefore cannot write half a transaction on a new session in
 *   autocommit: the server rolled back the cut transaction and nothing
 *   after it runs.
 * - Retried once on a new connection, and only when the connection was idle
 *   (no transaction open) and not yet known to be lost when the statement
 *   was sent: a statement starting with SELECT (it only reads, and nothing
 *   of its result was handed out yet, since results are fetched whole) and
 *   BEGIN (nothing of the transaction exists yet). Never a write outside a
 *   transaction (it may have run before the connection broke), never a
 *   statement inside a transaction (the transaction is gone), never COMMIT
 *   (its outcome is unknown: the loss may have come after the server kept
 *   it).
 * - pg_check(), at every pool acquire, also reconnects a connection whose
 *   socket is readable while idle: the server's goodbye (a FATAL message and
 *   end of file after pg_terminate_backend or a shutdown) waits there
 *   unread, and libpq would only notice it at the next statement.
 * - TCP keepalives and a TCP user timeout (defaults the URL may override)
 *   turn a silent network cut into an error within about a minute instead
 *   of a wait of hours for the kernel to give up.
 */
struct pg_db {
	struct db base;
	PGconn *conn;
	int lost;	/* the server went away; calls fail until pg_check reconnects */
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

/*
 * The SQLSTATEs of a session the server is ending or never began: class 08
 * (connection exception), 57P01 admin shutdown (pg_terminate_backend, a
 * fast shutdown), 57P02 crash shutdown, 57P03 cannot connect now.
 */
static int pg_state_lost(const char *state)
{
	return state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
			 strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0);
}

/* Map an SQLSTATE to DB_E*: class 23 integrity, serialization/deadlock/lock-timeout, disk full / I/O, lost. */
static int pg_code(const char *state)
{
	if (!state)
		return DB_EGENERIC;
	if (pg_state_lost(state))
		return DB_ELOST;
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
 * return its code. A failure after which libpq holds no connection, or with
 * a lost-session SQLSTATE, is DB_ELOST and marks the connection lost. Does
 * not clear `res`.
 */
static int pg_result(struct pg_db *d, PGresult *res, const char *what)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(d->conn);
	int code;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
		return DB_OK;
	code = res ? pg_code(PQresultErrorField(res, PG_DIAG_SQLSTATE)) : DB_EGENERIC;
	if (code == DB_ELOST || PQstatus(d->conn) == CONNECTION_BAD) {
		d->lost = 1;
		code = DB_ELOST;
	}
	return pg_set(d, code, what, msg);
}

/*
 * The answer to any call on a connection already lost: DB_ELOST, sent to no
 * server. The message of the failure that lost it is kept for the log.
 */
static int pg_refuse(struct pg_db *d)
{
	d->base.err = DB_ELOST;
	return DB_ELOST;
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
 * Reconnect with the same settings (PQreset) and restore the session's:
 * DB_OK with the connection no longer lost, or DB_ELOST (it stays lost and
 * the next pool acquire tries again). Blocks up to connect_timeout.
 */
static int pg_reconnect(struct pg_db *d)
{
	char why[DB_ERRMSG_MAX];

	snprintf(why, sizeof(why), "%s", d->lost ? d->base.errmsg : "the server closed it");
	PQreset(d->conn);
	if (PQstatus(d->conn) != CONNECTION_OK) {
		d->lost = 1;
		return pg_set(d, DB_ELOST, "reconnect", PQerrorMessage(d->conn));
	}
	d->lost = 0;
	if (pg_session(d) != DB_OK) {
		d->lost = 1;
		return pg_refuse(d);
	}
	log_warn("database: reconnected to PostgreSQL after the connection was lost (%s)", why);
	return DB_OK;
}

/*
 * 1 when an idle connection looks alive, 0 when the server has closed it.
 * Nothing should be due on an idle connection (zhibu does not LISTEN), so
 * whatever is readable is read: the server's goodbye (a FATAL message, then
 * end of file) leaves libpq holding a broken connection, while something
 * harmless (a parameter change, a TLS record) leaves it alive and the
 * socket quiet. A socket that cannot be asked, or that stays readable, is
 * taken as closed: a needless reconnect costs milliseconds.
 */
static int pg_quiet(struct pg_db *d)
{
	struct pollfd p = { .fd = PQsocket(d->conn), .events = POLLIN };

	for (int i = 0; i < 4 && p.fd >= 0; i++) {
		int n = poll(&p, 1, 0);

		if (n == 0)
			return 1;
		if (n < 0 || !PQconsumeInput(d->conn) || PQstatus(d->conn) != CONNECTION_OK)
			return 0;
	}
	return 0;
}

/* A statement that only reads: it starts with SELECT (WITH may hide a data-modifying part). */
static int pg_read_only(const char *sql)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '(')
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0 &&
	       (sql[6] == ' ' || sql[6] == '\t' || sql[6] == '\n' || sql[6] == '\r' || sql[6] == '(' ||
		sql[6] == '*');
}

/*
 * Connect with the URL's settings, forcing UTF-8 on the wire (later
 * parameters win over the URL's) and giving defaults that the URL may
 * override: a connect timeout, the application name, and TCP keepalives
 * with a user timeout, so that a peer that vanished without closing (a
 * network cut) is noticed in about a minute even in the middle of a
 * statement. Unix sockets ignore the TCP settings.
 */
int db_pg_open(const char *url, struct db **out, char *err, size_t errlen)
{
	const char *keys[] = { "connect_timeout", "application_name", "keepalives",
			       "keepalives_idle", "keepalives_interval", "keepalives_count",
			       "tcp_user_timeout", "dbname", "client_encoding", NULL };
	const char *vals[] = { "10", "zhibu", "1", "30", "10", "3", "60000", url, "UTF8", NULL };
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

/* A script of statements without parameters; the first failure stops it. Never retried. */
static int pg_exec(struct db *db, const char *sql)
{
	struct pg_db *d = pg_db(db);
	PGresult *res;
	int rc;

	if (d->lost)
		return pg_refuse(d);
	res = PQexec(d->conn, sql);
	rc = pg_result(d, res, "exec");
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

/* Send the statement with its parameters and fetch the whole result into s->res. */
static int pg_send(struct pg_stmt *s, struct pg_db *d)
{
	PQclear(s->res);
	s->res = PQexecParams(d->conn, s->sql, s->nparams, NULL, (const char *const *)s->params,
			      NULL, NULL, 0);
	return pg_result(d, s->res, "step");
}

/*
 * The first step sends the statement with its parameters as text of
 * unknown type (the server infers each from its context) and fetches the
 * whole result; later steps walk its rows. A step after DB_DONE or an
 * error runs the statement again. A read sent outside a transaction on a
 * connection that turns out lost is sent once more on a new connection
 * (the contract at the top of this file).
 */
static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = pg_st(st);
	struct pg_db *d = pg_db(st->db);
	int rc;

	if (!s->executed) {
		int idle;

		if (d->lost)
			return pg_refuse(d);
		idle = PQtransactionStatus(d->conn) == PQTRANS_IDLE;
		rc = pg_send(s, d);
		if (rc == DB_ELOST && idle && pg_read_only(s->sql) && pg_reconnect(d) == DB_OK)
			rc = pg_send(s, d);
		s->row = -1;
		s->ntuples = 0;
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

/*
 * READ COMMITTED; writers queue on row locks rather than fail. A BEGIN that
 * finds the idle connection lost is sent again on a new one: nothing of the
 * transaction existed yet.
 */
static int pg_begin(struct db *db)
{
	struct pg_db *d = pg_db(db);
	int idle, rc;

	if (d->lost)
		return pg_refuse(d);
	idle = PQtransactionStatus(d->conn) == PQTRANS_IDLE;
	rc = pg_exec(db, "BEGIN");
	if (rc == DB_ELOST && idle && pg_reconnect(d) == DB_OK)
		rc = pg_exec(db, "BEGIN");
	return rc;
}

/*
 * COMMIT of a transaction that an earlier error aborted reports success
 * with the tag ROLLBACK: that is a failure here, since nothing was kept.
 * A COMMIT whose connection is lost on the way has an unknown outcome.
 */
static int pg_commit(struct db *db)
{
	struct pg_db *d = pg_db(db);
	PGresult *res;
	int rc;

	if (d->lost)
		return pg_refuse(d);
	res = PQexec(d->conn, "COMMIT");
	rc = pg_result(d, res, "commit");
	if (rc == DB_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		rc = db_set_err(db, DB_EGENERIC,
				"commit: the transaction had failed and was rolled back");
	else if (rc == DB_ELOST) {
		char why[DB_ERRMSG_MAX];

		snprintf(why, sizeof(why), "%s", db->errmsg);
		rc = db_set_err(db, DB_ELOST, "%s (the commit may or may not have been kept)", why);
	}
	PQclear(res);
	return rc;
}

/* On a lost connection there is nothing to roll back: the server ended the transaction with the session. */
static int pg_rollback(struct db *db)
{
	struct pg_db *d = pg_db(db);

	if (d->lost || PQtransactionStatus(d->conn) == PQTRANS_IDLE)
		return DB_OK;
	return pg_exec(db, "ROLLBACK");
}

static int pg_in_txn(struct db *db)
{
	struct pg_db *d = pg_db(db);
	PGTransactionStatusType t = PQtransactionStatus(d->conn);

	return !d->lost && (t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE);
}

/*
 * Before the pool hands the connection out: reconnect one that was lost,
 * that libpq holds broken, or whose idle socket shows the server closed it
 * (restart, pg_terminate_backend, idle timeout), restoring the session
 * settings. DB_OK, or DB_ELOST when the server cannot be reached.
 */
static int pg_check(struct db *db)
{
	struct pg_db *d = pg_db(db);

	if (!d->lost && PQstatus(d->conn) == CONNECTION_OK && pg_quiet(d))
		return DB_OK;
	return pg_reconnect(d);
}

static int pg_lost(struct db *db)
{
	return pg_db(db)->lost;
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
	.lost = pg_lost,
};
