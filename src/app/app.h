/* app.h - the application context shared by the server's threads, and the per-request context. */
#ifndef ZB_APP_H
#define ZB_APP_H

#include <stdint.h>
#include "../auth/crypt.h"
#include "../db/db.h"
#include "../http/http.h"

/*
 * Configuration read once at start-up from the environment (ZHIBU_*) and
 * never changed afterwards; shared read-only by every thread.
 */
struct config {
	const char *db_url;	/* ZHIBU_DB, default data/zhibu.db */
	const char *key_file;	/* ZHIBU_KEY_FILE, default beside the database */
	const char *signing_key;	/* ZHIBU_SIGNING_KEY: SM2 key signing the disclosure log, default <key_file>.sign.pem */
	const char *listen;	/* ZHIBU_LISTEN, default 127.0.0.1:8080 */
	const char *static_dir;	/* ZHIBU_STATIC, default web/dist */
	const char *files_dir;	/* ZHIBU_FILES, default data/files */
	int threads;		/* ZHIBU_THREADS, default 4 */
	int secure_cookie;	/* ZHIBU_SECURE_COOKIE=1 behind TLS */
	int access_log;		/* ZHIBU_ACCESS_LOG, default 1 */
	int login_rate;		/* ZHIBU_LOGIN_RATE: login attempts per IP per minute, default 30 */
	int public_rate;	/* ZHIBU_PUBLIC_RATE: public form submissions per IP per 10 minutes, default 5 */
	int export_rate;	/* ZHIBU_EXPORT_RATE: bulk reads (ROUTE_SLOW GETs: exports) per IP per minute, default 60 */
	int http_timeout;	/* ZHIBU_HTTP_TIMEOUT: seconds a connection may sit idle mid-request, default 30 */
	int memo;		/* ZHIBU_MEMO=0: compute every result, keep none (src/app/memo.c), default 1 */
};

struct ratelimit;
struct app {
	struct config cfg;
	struct keys keys;
	struct db_pool *pool;
	struct ratelimit *login_limit;	/* per IP, on POST /session */
	struct ratelimit *public_submit;	/* per IP: residents' forms on the public pages */
	struct ratelimit *public_read;	/* per IP: public lookups (tracking codes, notices) */
	struct ratelimit *bulk_read;	/* per IP: exports and other ROUTE_SLOW reads */
	struct memo *memo;	/* read results until the next audited write (NULL: none kept) */
	char dummy_hash[160];	/* checked for unknown users so timing reveals nothing */
};

/* Fill cfg from the environment and argv overrides (--db). */
void config_load(struct config *cfg);

/* A role granted on an org subtree. */
struct grant {
	const char *role;	/* "sysadmin", "secadmin", "auditadmin", "staff", "secretary",
				 * "discipline", "member", "gridworker" */
	int64_t org_id;
	const char *org_path;	/* "/1/4/" of the org the role is granted on */
};

#define CTX_MAX_GRANTS 16

/* Who is asking, for how long, and from where. NULL user_id for public routes. */
struct ctx {
	struct db *db;
	int64_t user_id;
	const char *username;
	int64_t session_row;	/* sessions.id */
	int must_change_password;
	int must_enrol_totp;	/* admin role, policy demands TOTP, none enrolled */
	char csrf[65];
	int ngrants;
	struct grant grants[CTX_MAX_GRANTS];
};

static inline struct ctx *req_ctx(struct req *r) { return (struct ctx *)r->user; }

/* The hooks the server calls around each handler (app.c). */
extern const struct http_hooks app_hooks;
/* The route table of every module (routes.c). */
extern const struct route app_routes[];

/* ---- helpers every module uses (app.c) ---- */

/* The audit identity of the caller of r. */
struct audit_who;
void app_who(struct req *r, struct audit_who *who /* OUT */);
/* Append an audit row for the caller inside the open transaction. DB_OK or DB_E*. */
int app_audit(struct req *r, const char *entity, int64_t entity_id, const char *action,
	      const json_t *before, const json_t *after);
/*
 * Turn a failed database call into the user's error: DB_EBUSY, DB_EFULL and
 * DB_ELOST (the PostgreSQL connection was cut) -> 503 with a message saying
 * to retry / that storage is full / to check whether a save was kept,
 * anything else -> 500 (logged with the request id). Rolls back if a transaction is open
 * (`in_tx`). Answers the request.
 */
void app_db_fail(struct req *r, int rc, int in_tx);
/* Open the write transaction: 1 to go on, 0 when it failed (answered). */
int app_begin_write(struct req *r);
/* Commit and answer `status` with j (stolen); a NULL j or a failed commit rolls back and answers the error. */
void app_commit_answer(struct req *r, int status, json_t *j);
/*
 * Count one public request of the client's address: a submission (a
 * resident's request, question or objection: all public forms share
 * cfg.public_rate per 10 minutes) or a read (120 per minute). 1 to go on; 0
 * after answering 429 with a message saying to wait. Counters are per
 * process, like the login limiter.
 */
int app_public_allowed(struct req *r, int submit);

/*
 * Whole answers kept until the next audited write (src/app/memo.c), for GET
 * handlers whose answer depends on nothing but the rows and what the key
 * names. app_memo_answer answers from the memo and returns 1 when a result
 * is kept under key; otherwise it returns 0 and sets *head, and the handler
 * computes its answer and calls app_memo_keep, which keeps it if it is a
 * whole 200 answer. A NULL key (out of memory) is never found nor kept.
 */
int app_memo_answer(struct req *r, const char *key, int64_t *head /* OUT */);
void app_memo_keep(struct req *r, const char *key, int64_t head);
/*
 * The outcome of a module's versioned write (the modules' *W_OK, *W_INVALID,
 * *W_STALE have these values); negative values are DB_E* errors.
 */
enum write_outcome { WRITE_OK = 0, WRITE_INVALID = 1, WRITE_STALE = 2 };
/*
 * End a versioned write inside the open transaction from its outcome: a
 * refusal rolls back and answers f; a stale version rolls back and answers
 * 409 with `stale_message` and current(db, id); a database error is answered;
 * otherwise commit and answer `status` with current(db, id). Releases f.
 */
void app_finish_write(struct req *r, int rc, struct zb_fail *f, int status,
		      const char *stale_message, json_t *(*current)(struct db *db, int64_t id),
		      int64_t id);
/* Answer 409 conflict with `message` and the record as it is now (`current` stolen, may be NULL). */
void app_conflict(struct req *r, const char *message, json_t *current);
#endif
