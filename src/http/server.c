/* server.c - the libmicrohttpd listener: framing checks, body limits, routing, hooks, static files, security headers, access log. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <microhttpd.h>

#include "http.h"
#include "../base/date.h"
#include "../base/log.h"

/* Largest answer built in memory; bigger ones (exports) are written to a file and sent with resp_file. */
#define RESP_MAX ((size_t)256 << 20)
/* An answer or a request arena this big returns the freed memory to the system when done (on_completed). */
#define TRIM_AFTER ((uint64_t)256 << 10)
/* Longest request path written to the access log. */
#define LOG_PATH_MAX 200

/*
 * A chunked body that passes max_body cannot be answered at once:
 * libmicrohttpd 0.9.75 refuses a response queued in the middle of an upload.
 * So the rest is read and dropped, and 413 is answered at its end - unless
 * that rest grows past this much, when the connection is simply closed.
 */
#define DISCARD_MAX(max_body) ((max_body) > ((size_t)64 << 10) ? (max_body) : ((size_t)64 << 10))

/* Bytes as "20 MB" for the 413 message. */
static void fmt_limit(size_t n, char *out, size_t outsz)
{
	if (n >= ((size_t)1 << 20) && n % ((size_t)1 << 20) == 0)
		snprintf(out, outsz, "%zu MB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(out, outsz, "%zu KB", n >> 10);
	else
		snprintf(out, outsz, "%zu 字节", n);
}

#define TEXT_TYPE "text/plain; charset=utf-8"

/* Headers every answer carries, unless the handler set the same header itself. */
static const struct req_header security_headers[] = {
	{ "Content-Security-Policy",
	  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
	  "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
	  "form-action 'self'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "no-referrer" },
	{ "Permissions-Policy", "camera=(), microphone=(), geolocation=()" },
};

/*
 * The running server. Everything here but the two atomic counters is written
 * once by http_start and only read by the pool threads afterwards. The
 * config's strings are kept by reference: they belong to the caller's frozen
 * configuration.
 */
struct http_server {
	struct MHD_Daemon *daemon;
	const struct route *routes;
	const struct http_hooks *hooks;	/* NULL = none */
	const struct app *app;
	struct http_config cfg;
	int port;
	atomic_int slow_running;	/* ROUTE_SLOW handlers on their own threads now */
	atomic_int uploads;		/* ROUTE_UPLOAD requests in flight (their bodies in memory) */
};

/*
 * ROUTE_UPLOAD requests held at once. Each may buffer max_upload bytes before
 * anyone has checked who sent it (the session is checked once the body is
 * in), so their number is what bounds that memory: threads x max_upload.
 */
#define UPLOAD_SLOTS(s) ((s)->cfg.threads > 2 ? (s)->cfg.threads : 2)

/*
 * ROUTE_SLOW handlers that may run at once: one pool thread's worth fewer
 * than the pool, so their database connections never take the last one.
 */
#define SLOW_MAX(s) ((s)->cfg.threads > 1 ? (s)->cfg.threads - 1 : 1)

/*
 * One request from libmicrohttpd's first call to its completion notice. The
 * request struct comes first so a struct req * handed to the app stays inside
 * this allocation; everything else the request needs lives in r.arena.
 */
struct exchange {
	struct req r;
	const struct http_server *s;
	struct buf body;	/* the upload, capped at `limit` */
	size_t limit;		/* cfg.max_upload for ROUTE_UPLOAD routes, else cfg.max_body */
	int64_t t0;		/* time_mono_ms() at the first call */
	uint64_t bytes;		/* size of the answer's body, for the access log */
	size_t discarded;	/* upload bytes dropped after the body passed max_body */
	int queued;		/* a response was handed to libmicrohttpd */
	int slow_done;		/* a ROUTE_SLOW handler answered on its thread; send it */
	int upload_slot;	/* holds one of UPLOAD_SLOTS until completion */
	struct MHD_Connection *conn;	/* for the slow thread's resume */
	enum route_match match;	/* the route table's answer for method + path, found once */
	const struct route *route;	/* the route on ROUTE_FOUND, else NULL */
};

/* ---- request identity ---------------------------------------------------- */

/* 16 hex characters from 8 random bytes; falls back to the clock if getrandom fails. */
static void make_request_id(char id[17] /* OUT */)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[8];
	int i;

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		uint64_t t = (uint64_t)time_mono_ms() ^ (uint64_t)(uintptr_t)id;

		for (i = 0; i < 8; i++)
			b[i] = (unsigned char)(t >> (8 * i));
	}
	for (i = 0; i < 8; i++) {
		id[2 * i] = hex[b[i] >> 4];
		id[2 * i + 1] = hex[b[i] & 15];
	}
	id[16] = '\0';
}

/* The client's address as text, from the arena; "-" when unknown. */
static const char *client_ip(struct MHD_Connection *c, struct arena *a)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char text[INET6_ADDRSTRLEN];
	const struct sockaddr *sa;

	if (ci == NULL || ci->client_addr == NULL)
		return "-";
	sa = ci->client_addr;
	if (sa->sa_family == AF_INET &&
	    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text,
		      sizeof(text)) != NULL)
		return arena_strdup(a, text);
	if (sa->sa_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text,
		      sizeof(text)) != NULL)
		return arena_strdup(a, text);
	return "-";
}

/* ---- framing ------------------------------------------------------------- */

/* What the request headers say about where the body ends. */
struct framing {
	int content_length;	/* number of Content-Length headers */
	int transfer_encoding;	/* number of Transfer-Encoding headers */
	int te_chunked;		/* the (single) Transfer-Encoding is exactly "chunked" */
	const char *cl_value;	/* the first Content-Length value */
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct framing *fr = cls;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (fr->content_length++ == 0)
			fr->cl_value = value;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		fr->transfer_encoding++;
		fr->te_chunked = value != NULL && strcasecmp(value, "chunked") == 0;
	}
	return MHD_YES;
}

/* Content-Length as a number: digits only; -1 when malformed or absurdly long. */
static int64_t parse_length(const char *s)
{
	int64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * Refuse a request whose body length two parties could read differently:
 * libmicrohttpd 0.9.75 accepts two Content-Length headers, or Content-Length
 * with chunked encoding, and then reads what follows as a second request
 * that a proxy in front never saw. Also refused: several Transfer-Encoding
 * headers, any coding other than plain "chunked", a malformed length.
 * Returns NULL when the framing is sound, else the reason for the log.
 */
static const char *framing_problem(struct MHD_Connection *c, int64_t *length /* OUT, -1 = none */)
{
	struct framing fr;

	memset(&fr, 0, sizeof(fr));
	*length = -1;
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &fr);
	if (fr.content_length > 1)
		return "several Content-Length headers";
	if (fr.content_length > 0 && fr.transfer_encoding > 0)
		return "Content-Length with Transfer-Encoding";
	if (fr.transfer_encoding > 1)
		return "several Transfer-Encoding headers";
	if (fr.transfer_encoding == 1 && !fr.te_chunked)
		return "Transfer-Encoding other than chunked";
	if (fr.content_length == 1) {
		*length = parse_length(fr.cl_value);
		if (*length < 0)
			return "malformed Content-Length";
	}
	return NULL;
}

/*
 * Is s well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF)? Handlers may put any path or query value into
 * JSON, and jansson refuses invalid UTF-8, so it is checked once here.
 */
static int utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != '\0') {
		unsigned c = *s;
		int n, i;
		unsigned cp, min;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	int *bad = cls;

	(void)kind;
	if (!utf8_valid(key) || (value != NULL && !utf8_valid(value))) {
		*bad = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

/*
 * The path must be absolute and, like every query name and value, valid
 * UTF-8 without an encoded NUL (see on_unescape). NULL when so, else the
 * reason for the log.
 */
static const char *request_problem(struct MHD_Connection *c, const char *path)
{
	int bad = 0;

	if (path[0] != '/')
		return "path not absolute";
	if (!utf8_valid(path))
		return "path not UTF-8 or with an encoded NUL";
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg, &bad);
	if (bad)
		return "query not UTF-8 or with an encoded NUL";
	return NULL;
}

/* ---- sending ------------------------------------------------------------- */

static int is_api(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

/* Did the handler set header `name` itself? */
static int has_header(const struct req *r, const char *name)
{
	int i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return 1;
	return 0;
}

static void add_header(struct exchange *x, struct MHD_Response *resp, const char *name,
		       const char *value)
{
	if (MHD_add_response_header(resp, name, value) != MHD_YES)
		log_warn("request %s: libmicrohttpd refused header %s", x->r.id, name);
}

/*
 * Build the libmicrohttpd response for what the request answered: the file
 * of resp_file (a file that cannot be opened becomes a 404) or the output
 * buffer. NULL only when libmicrohttpd cannot allocate.
 */
static struct MHD_Response *build_body(struct exchange *x)
{
	struct req *r = &x->r;
	struct MHD_Response *resp;
	struct stat st;
	size_t len;
	char *p;
	int fd;

	if (r->file_path != NULL) {
		fd = open(r->file_path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
			if (resp == NULL)
				close(fd);
			x->bytes = (uint64_t)st.st_size;
			return resp;
		}
		if (fd >= 0)
			close(fd);
		log_warn("request %s: file to send cannot be opened: %s", r->id, strerror(errno));
		r->answered = 0;
		r->file_path = NULL;
		resp_error(r, ZB_ENOTFOUND, "文件不存在");
	}
	len = r->out.len;
	x->bytes = len;
	if (len == 0)
		return MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	p = buf_detach(&r->out);
	resp = MHD_create_response_from_buffer_with_free_callback(len, p, free);
	if (resp == NULL)
		free(p);
	return resp;
}

/*
 * Queue the request's answer with its headers: the handler's, the security
 * set, X-Request-Id, and Cache-Control: no-store on every /api/ answer
 * (personal data may be in any of them; the handler cannot weaken that).
 * `close` ends the connection after the answer: used when the rest of the
 * request was not read, so nothing left on the wire is taken as a request.
 */
static enum MHD_Result send_answer(struct exchange *x, struct MHD_Connection *c, int close_conn)
{
	struct req *r = &x->r;
	struct MHD_Response *resp;
	int api = is_api(r->path);
	enum MHD_Result ret;
	size_t i;
	int h;

	resp = build_body(x);
	if (resp == NULL) {
		log_error("request %s: cannot create a response", r->id);
		return MHD_NO;
	}
	if (r->content_type != NULL && !has_header(r, MHD_HTTP_HEADER_CONTENT_TYPE))
		add_header(x, resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	for (h = 0; h < r->nheaders; h++) {
		if (api && strcasecmp(r->headers[h].name, MHD_HTTP_HEADER_CACHE_CONTROL) == 0)
			continue;
		add_header(x, resp, r->headers[h].name, r->headers[h].value);
	}
	for (i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
		if (!has_header(r, security_headers[i].name))
			add_header(x, resp, security_headers[i].name, security_headers[i].value);
	if (api)
		add_header(x, resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	add_header(x, resp, "X-Request-Id", r->id);
	if (close_conn)
		add_header(x, resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	if (ret == MHD_YES)
		x->queued = 1;
	else
		log_error("request %s: libmicrohttpd refused the %d answer", r->id, r->status);
	return ret;
}

/*
 * Answer 413 and close the connection afterwards. An upload route names its
 * limit, so the user knows how large a file may be.
 */
static enum MHD_Result refuse_size(struct exchange *x, struct MHD_Connection *c)
{
	char lim[32], msg[96];

	if (x->limit == x->s->cfg.max_body) {
		snprintf(msg, sizeof(msg), "请求体过大");
	} else {
		fmt_limit(x->limit, lim, sizeof(lim));
		snprintf(msg, sizeof(msg), "上传的文件超过 %s 上限", lim);
	}
	x->r.answered = 0;
	x->r.file_path = NULL;
	resp_error(&x->r, ZB_ETOOLARGE, msg);
	return send_answer(x, c, 1);
}

/*
 * Match method + path once, on the first call, with the parameters stored
 * in x->r: the body limit, the slow-route test and dispatch all use it.
 * Paths outside the API never reach the route table.
 */
static void route_once(struct exchange *x)
{
	x->route = NULL;
	x->match = ROUTE_NO_PATH;
	if (is_api(x->r.path))
		x->match = router_match(x->s->routes, x->r.method, x->r.path, &x->r, &x->route);
}

/*
 * The body limit of the request: max_upload when the matching route is a
 * ROUTE_UPLOAD one (*upload set), else max_body, so an upload route can
 * take more than the global cap.
 */
static size_t body_limit(const struct exchange *x, int *upload)
{
	const struct route *rt = x->route;

	*upload = rt && (rt->flags & ROUTE_UPLOAD) && x->s->cfg.max_upload > 0;
	return *upload ? x->s->cfg.max_upload : x->s->cfg.max_body;
}

/* Answer an error now and close the connection afterwards (framing, size). */
static enum MHD_Result refuse(struct exchange *x, struct MHD_Connection *c, enum zb_err e,
			      const char *message)
{
	x->r.answered = 0;
	x->r.file_path = NULL;
	resp_error(&x->r, e, message);
	return send_answer(x, c, 1);
}

/* ---- dispatch ------------------------------------------------------------ */

/*
 * Run the route: begin hook, handler, end hook. `end` runs whenever `begin`
 * ran, even when begin answered itself, so the app always gets to release
 * what begin took (its database connection). A request nobody answered
 * becomes a 500.
 */
static void run_route(struct exchange *x, const struct route *rt)
{
	const struct http_hooks *hk = x->s->hooks;
	struct req *r = &x->r;
	int go = 1;

	r->route = rt;
	if (hk != NULL && hk->begin != NULL)
		go = hk->begin(r) == 0;
	if (go)
		rt->fn(r);
	if (r->streaming) {
		log_error("request %s: %s %s left its streamed answer open", r->id, r->method, rt->pattern);
		resp_json_end(r);
	}
	if (hk != NULL && hk->begin != NULL && hk->end != NULL)
		hk->end(r);
	if (!r->answered) {
		log_error("request %s: %s %s was not answered", r->id, r->method, rt->pattern);
		resp_error(r, ZB_EINTERNAL, "服务器内部错误");
	}
}

/*
 * Check a static path: 1 when it is safe to look up under static_dir, 0 when
 * a segment starts with '.' (hidden files: not served, but not an attack
 * either), -1 when a segment is ".." (refused outright).
 */
static int static_path_ok(const char *path)
{
	const char *p = path;
	int ok = 1;

	while ((p = strchr(p, '/')) != NULL) {
		p++;
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return -1;
		if (p[0] == '.')
			ok = 0;
	}
	return ok;
}

/* Is `path` a regular file? */
static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Serve a GET/HEAD outside /api/ from static_dir. Files under /assets/ have
 * content hashes in their names and are cached forever; everything else is
 * revalidated. A missing file outside /assets/ is a client-side route of the
 * single-page app and gets index.html; a missing asset is a 404 (serving
 * index.html there would hand the browser HTML for a script, and cache it).
 */
static void serve_static(struct exchange *x)
{
	struct req *r = &x->r;
	const char *dir = x->s->cfg.static_dir;
	int assets = strncmp(r->path, "/assets/", 8) == 0;
	const char *file = NULL;
	int ok = static_path_ok(r->path);

	if (ok < 0) {
		resp_text(r, 400, TEXT_TYPE, "Bad Request\n", 12);
		return;
	}
	if (ok > 0 && strcmp(r->path, "/") != 0) {
		file = arena_printf(&r->arena, "%s%s", dir, r->path);
		if (!is_file(file))
			file = NULL;
	}
	if (file == NULL && assets) {
		resp_text(r, 404, TEXT_TYPE, "Not Found\n", 10);
		return;
	}
	if (file == NULL) {
		file = arena_printf(&r->arena, "%s/index.html", dir);
		if (!is_file(file)) {
			resp_text(r, 404, TEXT_TYPE, "Not Found\n", 10);
			return;
		}
	}
	resp_file(r, file, NULL);
	resp_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
		    assets ? "public, max-age=31536000, immutable" : "no-cache");
}

/* Route the complete request and fill in its answer. */
static void dispatch(struct exchange *x)
{
	struct req *r = &x->r;
	int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;

	r->body = x->body.data;
	r->body_len = x->body.len;
	if (!is_api(r->path)) {
		if (x->s->cfg.static_dir != NULL && get)
			serve_static(x);
		else
			resp_error(r, ZB_ENOTFOUND, "页面不存在");
		return;
	}
	switch (x->match) {
	case ROUTE_FOUND:
		run_route(x, x->route);
		break;
	case ROUTE_NO_METHOD:
		resp_header(r, MHD_HTTP_HEADER_ALLOW, router_allow(x->s->routes, r->path, &r->arena));
		resp_error(r, ZB_EMETHOD, "不支持该请求方法");
		break;
	case ROUTE_NO_PATH:
		resp_error(r, ZB_ENOTFOUND, "接口不存在");
		break;
	}
}

/* ---- slow routes ----------------------------------------------------------- */

/*
 * A ROUTE_SLOW API route for the request, or NULL. Pool threads each serve
 * many connections from one event loop, so a handler that runs for seconds
 * (an import, an export) would stall every connection of its thread - among
 * them the browser's poll of that import's progress.
 */
static const struct route *slow_route(const struct exchange *x)
{
	return x->route && (x->route->flags & ROUTE_SLOW) ? x->route : NULL;
}

/*
 * The slow handler's thread: route and answer, then hand the connection back
 * to its pool thread, which sends the answer. The server is read before the
 * resume, after which the exchange may already be freed; the count drops
 * after it, so http_stop never stops the daemon with a connection suspended.
 */
static void *slow_thread(void *arg)
{
	struct exchange *x = arg;
	struct http_server *s = (struct http_server *)x->s;
	struct MHD_Connection *c = x->conn;

	dispatch(x);
	x->slow_done = 1;
	MHD_resume_connection(c);
	atomic_fetch_sub(&s->slow_running, 1);
	return NULL;
}

/*
 * Run a slow route's handler on a thread of its own with the connection
 * suspended: 1 when started (the answer comes at the resume), 0 when it must
 * run here (no thread could be made), -1 when too many run already (503
 * answered). A free pool thread would not help: the slow handlers' number is
 * capped so they cannot take every database connection.
 */
static int start_slow(struct exchange *x, struct MHD_Connection *c)
{
	struct http_server *s = (struct http_server *)x->s;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (atomic_fetch_add(&s->slow_running, 1) >= SLOW_MAX(s)) {
		atomic_fetch_sub(&s->slow_running, 1);
		resp_error(&x->r, ZB_EUNAVAILABLE, "正在进行的导入或导出较多，请稍后重试");
		return -1;
	}
	x->conn = c;
	MHD_suspend_connection(c);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, slow_thread, x);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_warn("request %s: cannot start a thread (%s); running it on the pool thread",
			 x->r.id, strerror(rc));
		MHD_resume_connection(c);
		atomic_fetch_sub(&s->slow_running, 1);
		return 0;
	}
	return 1;
}

/* ---- libmicrohttpd callbacks --------------------------------------------- */

/* Set up the per-request state on libmicrohttpd's first call. NULL when out of memory. */
static struct exchange *exchange_new(const struct http_server *s, struct MHD_Connection *c,
				     const char *url, const char *method)
{
	struct exchange *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->s = s;
	x->t0 = time_mono_ms();
	arena_init(&x->r.arena, 0);
	buf_init(&x->body, s->cfg.max_body);
	buf_init(&x->r.out, RESP_MAX);
	x->r.app = s->app;
	x->r.conn = c;
	x->r.method = arena_strdup(&x->r.arena, method);
	x->r.path = arena_strdup(&x->r.arena, url);
	x->r.ip = client_ip(c, &x->r.arena);
	x->r.body_type = arena_strdup(&x->r.arena,
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE));
	x->r.body = "";
	make_request_id(x->r.id);
	return x;
}

/*
 * libmicrohttpd's access handler, called several times per request:
 *  1. first (*con_cls NULL): set up state, check framing and declared length,
 *     and return without answering - answering here would make 0.9.75 close
 *     the keep-alive connection - unless the request is refused, in which
 *     case the answer closes the connection on purpose;
 *  2. with upload data: append it to the capped body (past the cap, drop it
 *     and answer 413 at the end; see DISCARD_MAX);
 *  3. last (*upload_data_size 0): route and answer.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	const struct http_server *s = cls;
	struct exchange *x = *con_cls;
	const char *problem;
	int64_t length;
	int upload = 0;

	(void)version;
	if (x == NULL) {
		x = exchange_new(s, c, url, method);
		if (x == NULL)
			return MHD_NO;
		*con_cls = x;
		problem = framing_problem(c, &length);
		if (problem != NULL) {
			log_warn("request %s from %s refused: %s", x->r.id, x->r.ip, problem);
			return refuse(x, c, ZB_EVALIDATION, "请求格式错误");
		}
		problem = request_problem(c, x->r.path);
		if (problem != NULL) {
			log_warn("request %s from %s refused: %s", x->r.id, x->r.ip, problem);
			return refuse(x, c, ZB_EVALIDATION, "请求格式错误");
		}
		route_once(x);
		x->limit = body_limit(x, &upload);
		x->body.max = x->limit;
		if (length >= 0 && (uint64_t)length > (uint64_t)x->limit)
			return refuse_size(x, c);
		if (upload) {
			struct http_server *ws = (struct http_server *)s;
			if (atomic_fetch_add(&ws->uploads, 1) >= UPLOAD_SLOTS(s)) {
				atomic_fetch_sub(&ws->uploads, 1);
				log_warn("request %s from %s refused: every upload slot is taken",
					 x->r.id, x->r.ip);
				return refuse(x, c, ZB_EUNAVAILABLE, "同时上传的文件较多，请稍后重试");
			}
			x->upload_slot = 1;
		}
		return MHD_YES;
	}
	if (x->queued) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (x->slow_done)
		return send_answer(x, c, 0);
	if (*upload_data_size > 0) {
		if (x->body.err)
			x->discarded += *upload_data_size;
		else
			buf_add(&x->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		if (x->discarded > DISCARD_MAX(x->limit)) {
			log_warn("request %s from %s: chunked body far over the limit, connection closed",
				 x->r.id, x->r.ip);
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (x->body.err)
		return refuse_size(x, c);
	if (slow_route(x)) {
		int started = start_slow(x, c);
		if (started > 0)
			return MHD_YES;
		if (started < 0)
			return send_answer(x, c, 0);
	}
	dispatch(x);
	return send_answer(x, c, 0);
}

/* Copy `s` for the log, at most `max` bytes, with bytes outside printable ASCII and '%' escaped as %XX. */
static void log_safe(char *out, size_t size, const char *s, size_t max)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0, i;

	for (i = 0; s[i] != '\0' && i < max && o + 4 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch >= 0x7f || ch == '%') {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		} else {
			out[o++] = (char)ch;
		}
	}
	if (s[i] != '\0' && o + 4 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/*
 * Mask every run of 11 or more digits (and an ID number's final X) with '*':
 * a phone or ID number typed into a path must not reach the log. Record ids
 * are far shorter.
 */
static void log_mask_numbers(char *s)
{
	size_t i = 0, j;

	while (s[i] != '\0') {
		if (s[i] < '0' || s[i] > '9') {
			i++;
			continue;
		}
		for (j = i; s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j - i >= 11) {
			if (s[j] == 'X' || s[j] == 'x')
				j++;
			memset(s + i, '*', j - i);
		}
		i = j;
	}
}

/*
 * libmicrohttpd's completion notice: write the access log line and free the
 * request. The path is logged without its query string (which may carry
 * personal data: libmicrohttpd hands the handler the path alone).
 */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	const struct http_server *s = cls;
	struct exchange *x = *con_cls;
	char path[LOG_PATH_MAX * 3 + 8], method[40];
	int big;

	(void)c;
	if (x == NULL)
		return;
	if (s->cfg.access_log) {
		log_safe(path, sizeof(path), x->r.path ? x->r.path : "-", LOG_PATH_MAX);
		log_mask_numbers(path);
		log_safe(method, sizeof(method), x->r.method ? x->r.method : "-", 10);
		log_info("%s %s %s %s %d %llu %lldms%s", x->r.id, x->r.ip, method, path,
			 x->queued ? x->r.status : 0, (unsigned long long)x->bytes,
			 (long long)(time_mono_ms() - x->t0),
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	}
	if (x->upload_slot)
		atomic_fetch_sub(&((struct http_server *)s)->uploads, 1);
	buf_release(&x->body);
	buf_release(&x->r.out);
	big = x->bytes >= TRIM_AFTER || arena_size(&x->r.arena) >= TRIM_AFTER;
	arena_release(&x->r.arena);
	free(x);
	*con_cls = NULL;
	/*
	 * A big answer or a request that needed much memory (findings of a
	 * county, a JSON tree) leaves many small freed blocks that glibc keeps
	 * in this thread's arena: a county dashboard left the process ~90 MB
	 * resident. Give the free pages back.
	 */
	if (big)
		malloc_trim(0);
}

/*
 * Percent-decoding of the path and of query names and values. libmicrohttpd's
 * own decoder turns "%00" into a NUL that silently cuts the string
 * ("/index.html%00.png" would serve "/index.html"). Here a string with an
 * encoded NUL decodes to the single byte 0xFF instead, which is never valid
 * UTF-8, so the request is refused with 400 (see request_problem). The
 * input held at least "%00", so the two bytes written fit.
 */
static size_t on_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	size_t n;

	(void)cls;
	(void)c;
	n = MHD_http_unescape(s);
	if (strlen(s) != n) {
		s[0] = (char)0xff;
		s[1] = '\0';
		return 1;
	}
	return n;
}

/* libmicrohttpd's own error messages go to our log. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("http: %s", msg);
}

/* ---- start and stop ------------------------------------------------------ */

/*
 * Parse "a.b.c.d:port" or "[v6]:port" (port 0-65535; 0 = any free port).
 * 0 on success, -1 on anything else.
 */
static int parse_listen(const char *s, struct sockaddr_storage *ss /* OUT */)
{
	char host[INET6_ADDRSTRLEN];
	const char *colon, *hs, *he;
	int64_t port;

	memset(ss, 0, sizeof(*ss));
	if (s == NULL)
		return -1;
	if (s[0] == '[') {
		hs = s + 1;
		he = strchr(hs, ']');
		if (he == NULL || he[1] != ':')
			return -1;
		colon = he + 1;
	} else {
		hs = s;
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		he = colon;
	}
	if ((size_t)(he - hs) >= sizeof(host) || he == hs)
		return -1;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	port = parse_length(colon + 1);
	if (port < 0 || port > 65535)
		return -1;
	if (s[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -1;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -1;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
	}
	return 0;
}

/*
 * Start listening. Returns NULL (after logging why) when the address is
 * malformed or cannot be bound. The route table, hooks and app are kept by
 * reference and must outlive the server; so must cfg's strings.
 */
struct http_server *http_start(const struct http_config *cfg, const struct route *routes,
			       const struct http_hooks *hooks, const struct app *app)
{
	struct MHD_OptionItem opts[8];
	struct sockaddr_storage ss;
	struct http_server *s;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	int n = 0;
	struct stat st;

	if (parse_listen(cfg->listen, &ss) != 0) {
		log_error("http: cannot parse listen address \"%s\" (want 127.0.0.1:8080 or [::1]:8080)",
			  cfg->listen ? cfg->listen : "");
		return NULL;
	}
	if (cfg->static_dir != NULL && (stat(cfg->static_dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		log_warn("http: static directory %s does not exist; pages will answer 404",
			 cfg->static_dir);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->routes = routes;
	s->hooks = hooks;
	s->app = app;
	s->cfg = *cfg;

	flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL
									   : MHD_USE_AUTO;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cfg->threads > 1)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE,
						     (intptr_t)cfg->threads, NULL };
	if (cfg->conn_limit > 0)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
						     (intptr_t)cfg->conn_limit, NULL };
	if (cfg->per_ip_limit > 0)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT,
						     (intptr_t)cfg->per_ip_limit, NULL };
	if (cfg->timeout_s > 0)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
						     (intptr_t)cfg->timeout_s, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL };
	opts[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, s,
				     MHD_OPTION_ARRAY, opts,
				     MHD_OPTION_END);
	if (s->daemon == NULL) {
		log_error("http: cannot listen on %s", cfg->listen);
		free(s);
		return NULL;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info != NULL ? info->port : 0;
	return s;
}

int http_port(const struct http_server *s)
{
	return s ? s->port : 0;
}

/*
 * Stop listening, finish the connections in flight, free the server. Slow
 * handlers still running are waited for first: their connections are
 * suspended, and libmicrohttpd must not be stopped with one suspended.
 * NULL is a no-op.
 */
void http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	while (atomic_load(&s->slow_running) > 0)
		usleep(10000);
	MHD_stop_daemon(s->daemon);
	free(s);
}
