/* db.c - the backend-neutral half of the database layer: dispatch, SQL rewriting, helpers, migrations, pool, backup. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "db_internal.h"
#include "../base/arena.h"
#include "../base/log.h"

/* Session-level advisory lock key that serialises concurrent migrators on PostgreSQL. */
#define MIGRATE_LOCK_KEY "7262686"

static const char SQL_MIGRATIONS_TABLE[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
static const char SQL_MIGRATION_APPLIED[] =
	"SELECT COUNT(*) FROM schema_migrations WHERE version = ?";
static const char SQL_MIGRATION_RECORD[] =
	"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
static const char SQL_SCHEMA_VERSION[] =
	"SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_HAS_MIGRATIONS_SQLITE[] =
	"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
static const char SQL_HAS_MIGRATIONS_PG[] =
	"SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END";

int db_set_err(struct db *db, int code, const char *fmt, ...)
{
	va_list ap;

	if (!db)
		return code;
	db->err = code;
	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

static int is_pg_url(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

/*
 * Choose the backend by the URL's prefix. On failure *out is NULL and the
 * reason goes to the log, since there is no connection to hold it; the
 * message never contains a password (libpq does not repeat it).
 */
int db_open(const char *url, struct db **out)
{
	char err[DB_ERRMSG_MAX];
	int rc;

	*out = NULL;
	if (!url || !*url) {
		log_error("database: no path or URL given");
		return DB_EGENERIC;
	}
	err[0] = '\0';
	if (is_pg_url(url))
		rc = db_pg_open(url, out, err, sizeof(err));
	else
		rc = db_sqlite_open(url, out, err, sizeof(err));
	if (rc != DB_OK) {
		*out = NULL;
		log_error("database: cannot open: %s", err[0] ? err : "unknown error");
	}
	return rc;
}

void db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

enum db_kind db_kind(const struct db *db)
{
	return db ? db->kind : DB_SQLITE;
}

const char *db_errmsg(const struct db *db)
{
	return db ? db->errmsg : "no database connection";
}

int db_lost(struct db *db)
{
	return db && db->ops->lost && db->ops->lost(db);
}

int db_exec(struct db *db, const char *sql)
{
	if (!db || !sql)
		return DB_EGENERIC;
	return db->ops->exec(db, sql);
}

int db_exec_ddl(struct db *db, const char *sql)
{
	char *pg;
	int rc;

	if (!db || !sql)
		return DB_EGENERIC;
	if (db->kind != DB_POSTGRES)
		return db->ops->exec(db, sql);
	pg = db_rewrite_ddl_pg(sql);
	if (!pg)
		return db_set_err(db, DB_EGENERIC, "out of memory");
	rc = db->ops->exec(db, pg);
	free(pg);
	return rc;
}

struct db_stmt *db_prepare(struct db *db, const char *sql)
{
	if (!db || !sql)
		return NULL;
	return db->ops->prepare(db, sql);
}

static int bind_check(struct db_stmt *st, int idx)
{
	if (!st)
		return DB_EGENERIC;
	if (idx < 1)
		return db_set_err(st->db, DB_EGENERIC, "bind: parameter index %d out of range", idx);
	return DB_OK;
}

int db_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	int rc = bind_check(st, idx);
	return rc != DB_OK ? rc : st->ops->bind_int(st, idx, v);
}

int db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	int rc = bind_check(st, idx);
	if (rc != DB_OK)
		return rc;
	return s ? st->ops->bind_text(st, idx, s) : st->ops->bind_null(st, idx);
}

int db_bind_null(struct db_stmt *st, int idx)
{
	int rc = bind_check(st, idx);
	return rc != DB_OK ? rc : st->ops->bind_null(st, idx);
}

int db_step(struct db_stmt *st)
{
	return st ? st->ops->step(st) : DB_EGENERIC;
}

int db_col_count(struct db_stmt *st)
{
	return st ? st->ops->col_count(st) : 0;
}

static int col_ok(struct db_stmt *st, int i)
{
	return st && i >= 0 && i < st->ops->col_count(st);
}

const char *db_col_name(struct db_stmt *st, int i)
{
	return col_ok(st, i) ? st->ops->col_name(st, i) : NULL;
}

int db_col_isnull(struct db_stmt *st, int i)
{
	return col_ok(st, i) ? st->ops->col_isnull(st, i) : 1;
}

int64_t db_col_int(struct db_stmt *st, int i)
{
	return col_ok(st, i) ? st->ops->col_int(st, i) : 0;
}

const char *db_col_text(struct db_stmt *st, int i)
{
	return col_ok(st, i) ? st->ops->col_text(st, i) : NULL;
}

int64_t db_changes(struct db_stmt *st)
{
	return st ? st->ops->changes(st) : 0;
}

void db_finalize(struct db_stmt *st)
{
	if (st)
		st->ops->finalize(st);
}

int db_begin(struct db *db)
{
	return db ? db->ops->begin(db) : DB_EGENERIC;
}

int db_commit(struct db *db)
{
	return db ? db->ops->commit(db) : DB_EGENERIC;
}

int db_rollback(struct db *db)
{
	return db ? db->ops->rollback(db) : DB_EGENERIC;
}

/*
 * Bind parameters 1.. from `fmt` ('i' int64_t, 's' const char * or NULL,
 * 'n' null). Stops at the first failure and returns it.
 */
static int bind_va(struct db_stmt *st, const char *fmt, va_list ap)
{
	for (int i = 0; fmt && fmt[i]; i++) {
		int rc;

		switch (fmt[i]) {
		case 'i':
			rc = db_bind_int(st, i + 1, va_arg(ap, int64_t));
			break;
		case 's':
			rc = db_bind_text(st, i + 1, va_arg(ap, const char *));
			break;
		case 'n':
			rc = db_bind_null(st, i + 1);
			break;
		default:
			return db_set_err(st->db, DB_EGENERIC, "bind: unknown format character '%c'",
					  fmt[i]);
		}
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

int db_bindf(struct db_stmt *st, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (!st)
		return DB_EGENERIC;
	va_start(ap, fmt);
	rc = bind_va(st, fmt, ap);
	va_end(ap);
	return rc;
}

/* The code to return when db_prepare() gave NULL. */
static int prepare_rc(const struct db *db)
{
	return db && db->err < 0 ? db->err : DB_EGENERIC;
}

int db_query_int(struct db *db, int64_t *out, const char *sql, const char *fmt, ...)
{
	struct db_stmt *st = db_prepare(db, sql);
	va_list ap;
	int rc;

	if (!st)
		return prepare_rc(db);
	va_start(ap, fmt);
	rc = bind_va(st, fmt, ap);
	va_end(ap);
	if (rc == DB_OK) {
		rc = db_step(st);
		if (rc == DB_ROW && out)
			*out = db_col_int(st, 0);
	}
	db_finalize(st);
	return rc;
}

int db_query_int_params(struct db *db, int64_t *out, const char *sql, const struct db_params *b)
{
	struct db_stmt *st = db_prepare(db, sql);
	int rc;

	if (!st)
		return prepare_rc(db);
	db_params_bind(st, b);
	rc = db_step(st);
	if (rc == DB_ROW && out)
		*out = db_col_int(st, 0);
	db_finalize(st);
	return rc;
}

int db_run(struct db *db, const char *sql, const char *fmt, ...)
{
	struct db_stmt *st = db_prepare(db, sql);
	va_list ap;
	int rc;

	if (!st)
		return prepare_rc(db);
	va_start(ap, fmt);
	rc = bind_va(st, fmt, ap);
	va_end(ap);
	if (rc == DB_OK) {
		rc = db_step(st);
		if (rc == DB_ROW || rc == DB_DONE)
			rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int db_run_changes(struct db *db, int64_t *changes, const char *sql, const char *fmt, ...)
{
	struct db_stmt *st = db_prepare(db, sql);
	va_list ap;
	int rc;

	*changes = 0;
	if (!st)
		return prepare_rc(db);
	va_start(ap, fmt);
	rc = bind_va(st, fmt, ap);
	va_end(ap);
	if (rc == DB_OK) {
		rc = db_step(st);
		if (rc == DB_ROW || rc == DB_DONE) {
			*changes = db_changes(st);
			rc = DB_OK;
		}
	}
	db_finalize(st);
	return rc;
}

void db_param_text(struct db_params *p, const char *s)
{
	if (p->n >= DB_MAX_PARAMS) {
		p->overflow = 1;
		return;
	}
	p->v[p->n].is_int = 0;
	p->v[p->n].s = s;
	p->n++;
}

void db_param_int(struct db_params *p, int64_t i)
{
	if (p->n >= DB_MAX_PARAMS) {
		p->overflow = 1;
		return;
	}
	p->v[p->n].is_int = 1;
	p->v[p->n].i = i;
	p->n++;
}

int db_params_bind(struct db_stmt *st, const struct db_params *p)
{
	int idx = 1;

	for (int i = 0; i < p->n; i++, idx++) {
		if (p->v[i].is_int)
			db_bind_int(st, idx, p->v[i].i);
		else
			db_bind_text(st, idx, p->v[i].s);
	}
	return idx;
}

/* ---- SQL rewriting ---------------------------------------------------- */

static int ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

/*
 * If s[i] opens a '...' literal, a "..." identifier (doubled quotes escape),
 * a -- comment or a slash-star comment, return the index just past it (an
 * unterminated one runs to the end); otherwise return i.
 */
static size_t skip_opaque(const char *s, size_t i)
{
	char q = s[i];

	if (q == '\'' || q == '"') {
		for (i++; s[i]; i++) {
			if (s[i] != q)
				continue;
			if (s[i + 1] != q)
				return i + 1;
			i++;
		}
		return i;
	}
	if (q == '-' && s[i + 1] == '-') {
		while (s[i] && s[i] != '\n')
			i++;
		return i;
	}
	if (q == '/' && s[i + 1] == '*') {
		for (i += 2; s[i]; i++)
			if (s[i] == '*' && s[i + 1] == '/')
				return i + 2;
		return i;
	}
	return i;
}

char *db_rewrite_placeholders(const char *sql, int *nparams)
{
	size_t len = strlen(sql), i = 0, o = 0;
	int n = 0;
	char *out;

	while (sql[i]) {
		size_t j = skip_opaque(sql, i);

		if (j != i) {
			i = j;
			continue;
		}
		if (sql[i++] == '?')
			n++;
	}
	/* each '?' grows to at most "$" and 10 digits */
	out = malloc(len + (size_t)n * 11 + 1);
	if (!out)
		return NULL;
	i = 0;
	n = 0;
	while (sql[i]) {
		size_t j = skip_opaque(sql, i);

		if (j != i) {
			memcpy(out + o, sql + i, j - i);
			o += j - i;
			i = j;
		} else if (sql[i] == '?') {
			int w = snprintf(out + o, 12, "$%d", ++n);
			o += (size_t)w;
			i++;
		} else {
			out[o++] = sql[i++];
		}
	}
	out[o] = '\0';
	*nparams = n;
	return out;
}

/* 1 if `p` is the whole word `w` (case-sensitive). */
static int word_at(const char *p, const char *w)
{
	size_t n = strlen(w);
	return strncmp(p, w, n) == 0 && !ident_char(p[n]);
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
		p++;
	return p;
}

/* 1 if `p` (just after a word) continues with PRIMARY KEY, whitespace allowed between. */
static int primary_key_follows(const char *p)
{
	const char *q = skip_space(p);

	if (q == p || !word_at(q, "PRIMARY"))
		return 0;
	p = q + 7;
	q = skip_space(p);
	return q != p && word_at(q, "KEY");
}

char *db_rewrite_ddl_pg(const char *sql)
{
	size_t len = strlen(sql), i = 0, o = 0;
	/* INTEGER (7 bytes) grows to at most BIGSERIAL (9) */
	char *out = malloc(len + len / 7 * 2 + 1);

	if (!out)
		return NULL;
	while (sql[i]) {
		size_t j = skip_opaque(sql, i);

		if (j != i) {
			memcpy(out + o, sql + i, j - i);
			o += j - i;
			i = j;
		} else if (ident_char(sql[i])) {
			/* a whole identifier or number, so INTEGER matches only as a word */
			for (j = i; ident_char(sql[j]); j++)
				;
			if (j - i == 7 && memcmp(sql + i, "INTEGER", 7) == 0) {
				const char *w = primary_key_follows(sql + j) ? "BIGSERIAL" : "BIGINT";
				size_t wn = strlen(w);

				memcpy(out + o, w, wn);
				o += wn;
			} else {
				memcpy(out + o, sql + i, j - i);
				o += j - i;
			}
			i = j;
		} else {
			out[o++] = sql[i++];
		}
	}
	out[o] = '\0';
	return out;
}

/* ---- migrations ------------------------------------------------------- */

static void utc_now(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Apply one migration in its own transaction unless schema_migrations
 * already records it (checked inside the transaction, so a concurrent
 * migrator that won the race is respected). Returns 1 when applied, 0 when
 * already there, or a DB_E* code with db_errmsg() naming the migration.
 */
static int migrate_one(struct db *db, const struct migration *m)
{
	char now[32], msg[DB_ERRMSG_MAX];
	int64_t have = 0;
	char *pg = NULL;
	int rc;

	rc = db_begin(db);
	if (rc != DB_OK)
		goto fail;
	rc = db_query_int(db, &have, SQL_MIGRATION_APPLIED, "i", (int64_t)m->version);
	if (rc != DB_ROW)
		goto fail;
	if (have) {
		rc = db_commit(db);
		return rc == DB_OK ? 0 : rc;
	}
	if (db->kind == DB_POSTGRES) {
		pg = db_rewrite_ddl_pg(m->sql);
		if (!pg) {
			rc = db_set_err(db, DB_EGENERIC, "out of memory");
			goto fail;
		}
	}
	rc = db_exec(db, pg ? pg : m->sql);
	free(pg);
	if (rc != DB_OK)
		goto fail;
	utc_now(now, sizeof(now));
	rc = db_run(db, SQL_MIGRATION_RECORD, "iss", (int64_t)m->version, m->name, now);
	if (rc != DB_OK)
		goto fail;
	rc = db_commit(db);
	if (rc != DB_OK)
		goto fail;
	return 1;
fail:
	snprintf(msg, sizeof(msg), "%s", db->errmsg);
	db_rollback(db);
	return db_set_err(db, rc < 0 ? rc : DB_EGENERIC, "migration %04d_%s: %s", m->version,
			  m->name, msg);
}

int db_migrate_list(struct db *db, const struct migration *list, int *latest)
{
	int applied = 0, rc = DB_OK;

	if (!db)
		return -1;
	if (db->kind == DB_POSTGRES &&
	    db_exec(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")") != DB_OK)
		return -1;
	if (db_exec(db, SQL_MIGRATIONS_TABLE) != DB_OK)
		rc = -1;
	for (const struct migration *m = list; rc == DB_OK && m->version; m++) {
		int r = migrate_one(db, m);

		if (r < 0)
			rc = -1;
		else
			applied += r;
	}
	if (db->kind == DB_POSTGRES) {
		char msg[DB_ERRMSG_MAX];

		/* keep the migration's error message, not the unlock's */
		snprintf(msg, sizeof(msg), "%s", db->errmsg);
		db_exec(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
		snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg);
	}
	if (rc != DB_OK)
		return -1;
	if (latest)
		*latest = db_schema_version(db);
	return applied;
}

int db_migrate(struct db *db, int *latest)
{
	return db_migrate_list(db, db_migrations, latest);
}

int db_schema_version(struct db *db)
{
	int64_t have = 0, v = 0;
	int rc;

	if (!db)
		return -1;
	rc = db_query_int(db, &have, db->kind == DB_POSTGRES ? SQL_HAS_MIGRATIONS_PG :
			  SQL_HAS_MIGRATIONS_SQLITE, "");
	if (rc != DB_ROW)
		return -1;
	if (!have)
		return 0;
	rc = db_query_int(db, &v, SQL_SCHEMA_VERSION, "");
	return rc == DB_ROW ? (int)v : -1;
}

/* ---- backup ----------------------------------------------------------- */

/*
 * VACUUM INTO writes a consistent, compacted copy while other connections
 * keep working. The target must not exist, so a backup never overwrites.
 */
int db_backup(struct db *db, const char *path)
{
	struct stat sb;

	if (!db)
		return DB_EGENERIC;
	if (db->kind != DB_SQLITE)
		return db_set_err(db, DB_EGENERIC, "backup: not available on PostgreSQL (use pg_dump)");
	if (!path || !*path)
		return db_set_err(db, DB_EGENERIC, "backup: no target path");
	if (lstat(path, &sb) == 0)
		return db_set_err(db, DB_EGENERIC, "backup: %s already exists", path);
	if (errno != ENOENT)
		return db_set_err(db, DB_EGENERIC, "backup: %s: %s", path, strerror(errno));
	return db_run(db, "VACUUM INTO ?", "s", path);
}

/* ---- pool ------------------------------------------------------------- */

/*
 * Invariants: `all` holds `size` open connections for the pool's life;
 * `idle[0..nidle)` are those not handed out; both guarded by `mu`, and `cv`
 * is signalled whenever one returns.
 */
struct db_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int size;
	int nidle;
	struct db **all;
	struct db **idle;
};

struct db_pool *db_pool_open(const char *url, int size)
{
	struct db_pool *p;

	if (size < 1)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->all = calloc((size_t)size, sizeof(*p->all));
	p->idle = calloc((size_t)size, sizeof(*p->idle));
	if (!p->all || !p->idle || pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p->all);
		free(p->idle);
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		free(p->all);
		free(p->idle);
		free(p);
		return NULL;
	}
	for (p->size = 0; p->size < size; p->size++) {
		if (db_open(url, &p->all[p->size]) != DB_OK) {
			db_pool_close(p);
			return NULL;
		}
		p->idle[p->nidle++] = p->all[p->size];
	}
	return p;
}

/* Put `db` back on the idle list and wake one waiter. Caller holds no lock. */
static void pool_put(struct db_pool *p, struct db *db)
{
	int known = 0;

	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < p->size; i++)
		known |= p->all[i] == db;
	for (int i = 0; i < p->nidle; i++)
		known &= p->idle[i] != db;
	if (known) {
		p->idle[p->nidle++] = db;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	if (!known)
		log_error("database pool: released a connection that was not handed out");
}

/*
 * Wait for an idle connection, then make sure it is usable (PostgreSQL
 * reconnects one whose server went away). NULL when it cannot be made
 * usable; the connection stays in the pool for a later try.
 */
struct db *db_pool_acquire(struct db_pool *p)
{
	struct db *db;

	if (!p)
		return NULL;
	pthread_mutex_lock(&p->mu);
	while (p->nidle == 0)
		pthread_cond_wait(&p->cv, &p->mu);
	db = p->idle[--p->nidle];
	pthread_mutex_unlock(&p->mu);
	if (db->ops->check(db) != DB_OK) {
		log_error("database pool: connection unusable: %s", db->errmsg);
		pool_put(p, db);
		return NULL;
	}
	return db;
}

/* A transaction left open by the borrower is rolled back so the next one starts clean. */
void db_pool_release(struct db_pool *p, struct db *db)
{
	if (!p || !db)
		return;
	if (db->ops->in_txn(db)) {
		log_warn("database pool: connection returned inside a transaction; rolling back");
		db_rollback(db);
	}
	pool_put(p, db);
}

/* Every connection must have been released. */
void db_pool_close(struct db_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->size; i++)
		db_close(p->all[i]);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->all);
	free(p->idle);
	free(p);
}

const char *db_like_contains(struct arena *a, const char *q)
{
	size_t n = strlen(q);
	char *out = arena_alloc(a, 2 * n + 3), *o = out;

	*o++ = '%';
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '!')
			*o++ = '!';
		*o++ = *p;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}
