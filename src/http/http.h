/* http.h - the HTTP layer: requests, responses, the route table and the server. Knows no SQL and no domain. */
#ifndef ZB_HTTP_H
#define ZB_HTTP_H

#include <stdint.h>
#include <stddef.h>
#include <jansson.h>
#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/err.h"

struct req;
struct app;	/* the application context, opaque to this layer (src/app/app.h) */

/* Route flags: who may call it. The guard (set by the app) interprets them. */
enum {
	ROUTE_PUBLIC = 1 << 0,	/* no session needed */
	ROUTE_NOPWCHANGE = 1 << 1,	/* allowed while a password change is pending */
	ROUTE_PERSONAL = 1 << 2,	/* answer carries personal data: Cache-Control: no-store */
	ROUTE_UPLOAD = 1 << 3,	/* a file upload: the body may reach max_upload, not max_body */
	ROUTE_SLOW = 1 << 4,	/* may run for seconds (imports, exports): the handler runs on a
				 * thread of its own while its connection is suspended, so the
				 * pool thread goes on serving its other connections */
};

typedef void (*route_fn)(struct req *r);

/* One row of the route table. Patterns are literal segments and ":name" segments. */
struct route {
	const char *method;	/* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *pattern;	/* "/api/v1/orgs/:id/move" */
	route_fn fn;
	unsigned flags;
	const char *perm;	/* permission the guard checks, or NULL */
};

#define REQ_MAX_PARAMS 4
#define REQ_MAX_HEADERS 16

struct req_header { const char *name, *value; };

/*
 * One request. Everything hanging off it is allocated from `arena` and dies
 * when the answer is sent. Handlers read the request fields and answer with
 * exactly one resp_* call.
 */
struct req {
	struct arena arena;
	const struct app *app;
	void *user;		/* the app's per-request state (session, db) */

	/* request */
	const char *method;
	const char *path;	/* decoded path, without query */
	const char *ip;		/* client address as text */
	char id[17];		/* request id, hex, also in X-Request-Id and the access log */
	const char *body;	/* NUL-terminated copy of the body, "" when none */
	const char *body_type;	/* the request's Content-Type, NULL when none */
	size_t body_len;
	const struct route *route;
	const char *param_names[REQ_MAX_PARAMS];
	const char *param_values[REQ_MAX_PARAMS];
	int nparams;
	void *conn;		/* libmicrohttpd connection, for header/query lookup */

	/* response */
	int status;
	const char *content_type;
	struct buf out;
	struct req_header headers[REQ_MAX_HEADERS];
	int nheaders;
	int answered;
	const char *file_path;	/* set by resp_file: send this file instead of `out` */
	int streaming;		/* between resp_json_begin and resp_json_end */
	size_t stream_items;
};

/* Request accessors (NULL when absent). */
const char *req_header(struct req *r, const char *name);
const char *req_query(struct req *r, const char *name);
const char *req_cookie(struct req *r, const char *name);
const char *req_param(struct req *r, const char *name);
/* Path parameter as a positive id; 0 when missing or not a positive integer. */
int64_t req_param_id(struct req *r, const char *name);
/*
 * Query parameter as an integer within [min,max], `dflt` when absent. On a
 * malformed or out-of-range value adds a field error to f and returns dflt.
 */
int64_t req_query_int(struct req *r, const char *name, int64_t dflt, int64_t min, int64_t max,
		      struct zb_fail *f);
/*
 * The query parameter `name` as a date: NULL when absent; when it is not a
 * valid YYYY-MM-DD, "<label>应为 YYYY-MM-DD 格式的日期" for field `name` goes
 * into f and NULL is returned. req_query_day gives the day number
 * (date_to_days), dflt when absent or bad.
 */
const char *req_query_date(struct req *r, const char *name, const char *label, struct zb_fail *f);
int64_t req_query_day(struct req *r, const char *name, const char *label, int64_t dflt,
		      struct zb_fail *f);
/* Parse the body as a JSON object. NULL with f set (400, field "body") when it is not one. */
json_t *req_json(struct req *r, struct zb_fail *f);

/* Responses. Each sets status/body; `j` is stolen (decref'd). */
void resp_json(struct req *r, int status, json_t *j);
void resp_fail(struct req *r, struct zb_fail *f);	/* releases f */
/*
 * A JSON answer with one long array, written item by item so that the whole
 * document never exists as one tree (a county's compliance table is ~11,000
 * objects): the object `head` (stolen) with the member `key` appended, an
 * array holding each item given to resp_json_item (stolen), closed by
 * resp_json_end. Any failure (NULL head or item, output cap) becomes a 500.
 */
void resp_json_begin(struct req *r, int status, json_t *head, const char *key);
void resp_json_item(struct req *r, json_t *item);
void resp_json_end(struct req *r);
void resp_error(struct req *r, enum zb_err e, const char *message);
void resp_header(struct req *r, const char *name, const char *value);	/* strings copied */
void resp_text(struct req *r, int status, const char *content_type, const char *body, size_t len);
void resp_file(struct req *r, const char *path, const char *content_type);
/*
 * Content-Disposition: attachment with an ASCII fallback name for old
 * clients and the UTF-8 (Chinese) name percent-encoded (RFC 6266 / 5987).
 */
void resp_attachment(struct req *r, const char *ascii_name, const char *utf8_name);

/*
 * The app plugs into the server through these hooks, all optional.
 * begin: after routing, before the handler; fills r->user. Returns 0 to go on,
 *   or answers the request itself (e.g. 401) and returns -1.
 * end: after the handler, before sending (release the db connection).
 */
struct http_hooks {
	int (*begin)(struct req *r);
	void (*end)(struct req *r);
};

struct http_config {
	const char *listen;	/* "127.0.0.1:8080" or "[::1]:8080" */
	int threads;		/* worker threads (thread pool), >= 1 */
	size_t max_body;	/* bytes; larger -> 413 */
	size_t max_upload;	/* bytes for ROUTE_UPLOAD routes; 0 = max_body */
	unsigned conn_limit;	/* total connections */
	unsigned per_ip_limit;	/* connections per IP */
	unsigned timeout_s;	/* idle connection timeout */
	const char *static_dir;	/* web/dist, or NULL; SPA fallback to index.html */
	int access_log;		/* 1 = one line per request to stderr */
};

struct http_server;
/* Routes: a table ending with a row whose method is NULL; kept by reference. */
struct http_server *http_start(const struct http_config *cfg, const struct route *routes,
			       const struct http_hooks *hooks, const struct app *app);
/* The port actually bound (useful with port 0). */
int http_port(const struct http_server *s);
void http_stop(struct http_server *s);

/* Router, exposed for unit tests: match method+path; fills params into r. */
enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD };
enum route_match router_match(const struct route *routes, const char *method, const char *path,
			      struct req *r, const struct route **out);
/* The methods the table accepts on path, "GET, HEAD, POST" (for a 405's Allow header), allocated from a. */
const char *router_allow(const struct route *routes, const char *path, struct arena *a);

/* Content type for a file name by its extension; "application/octet-stream" when unknown. */
const char *http_mime_type(const char *path);

#endif
