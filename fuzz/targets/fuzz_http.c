/*
 * fuzz_http.c - fuzz target: what the HTTP layer parses from outside - raw requests through the real
 * server (framing, path, query, cookies, headers, JSON body), the route table, and server.c's helpers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <strings.h>

/*
 * server.c's parsers are static; the target includes the file itself to
 * reach them (this object then provides http_start & co. in place of the
 * library's server.o, which the linker leaves out).
 */
#include "../../src/http/server.c"

#include "fuzz.h"
#include "../../src/app/app.h"
#include "../../src/auth/session.h"

/* Reference UTF-8 check (RFC 3629), written independently of utf8_valid(). */
static int ref_utf8(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s, k, cp, min;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		for (unsigned j = 1; j <= k; j++) {
			if ((s[j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += k + 1;
	}
	return 1;
}

/* The handler of the test server: reads everything a real handler may read, checks it, echoes a little. */
static void echo(struct req *r)
{
	struct zb_fail f;
	const char *q = req_query(r, "q"), *cookie = req_cookie(r, SESSION_COOKIE);
	const char *csrf = req_header(r, "X-CSRF-Token");
	int64_t id = req_param_id(r, "id"), page;
	json_t *body = NULL;

	zb_fail_init(&f);
	FUZZ_CHECK(r->path != NULL && r->path[0] == '/' && ref_utf8((const unsigned char *)r->path));
	FUZZ_CHECK(q == NULL || ref_utf8((const unsigned char *)q));
	page = req_query_int(r, "page", 1, 1, 1000, &f);
	FUZZ_CHECK(page >= 1 && page <= 1000);
	FUZZ_CHECK(id >= 0);
	if (strcmp(r->method, "POST") == 0)
		body = req_json(r, &f);
	if (f.err != ZB_OK) {
		resp_fail(r, &f);
		json_decref(body);
		return;
	}
	resp_json(r, 200, json_pack("{s:I, s:b, s:b, s:b}", "id", (json_int_t)id, "q", q != NULL,
				    "cookie", cookie != NULL && strlen(cookie) == 64,
				    "csrf", csrf != NULL));
	json_decref(body);
	zb_fail_release(&f);
}

static const struct route echo_routes[] = {
	{ "GET", "/api/v1/echo/:id", echo, ROUTE_PUBLIC, NULL },
	{ "POST", "/api/v1/echo/:id", echo, ROUTE_PUBLIC, NULL },
	{ "GET", "/api/v1/echo", echo, ROUTE_PUBLIC, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

/* The test server, started on first use on a free port of the loopback. */
static int server_port(void)
{
	static struct http_server *srv;
	struct http_config cfg;

	if (srv != NULL)
		return http_port(srv);
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = "127.0.0.1:0";
	cfg.threads = 1;
	cfg.max_body = 4096;
	cfg.timeout_s = 2;
	srv = http_start(&cfg, echo_routes, NULL, NULL);
	FUZZ_CHECK(srv != NULL);
	return http_port(srv);
}

/* Does the header block of raw (up to the first empty line) have `name:` at a line start `want` or more times? */
static int count_header(const char *raw, const char *name)
{
	size_t n = strlen(name);
	int count = 0;

	for (const char *p = raw; *p; ) {
		if (p[0] == '\r' && p[1] == '\n')
			break;	/* the empty line ends the headers */
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			count++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return count;
}

/* Has resp (got bytes, NUL-terminated) a complete answer: headers and Content-Length bytes of body? */
static int answer_complete(const char *resp, size_t got)
{
	const char *end = strstr(resp, "\r\n\r\n"), *cl;
	long len;

	if (end == NULL)
		return 0;
	cl = strcasestr(resp, "\r\nContent-Length:");
	if (cl == NULL || cl > end)
		return 0;
	len = strtol(cl + 17, NULL, 10);
	return len >= 0 && got >= (size_t)(end + 4 - resp) + (size_t)len;
}

/*
 * Send one raw request to the server and read the whole answer. Property:
 * an answer, when there is one, is an HTTP/1.x status line; a request with
 * two Content-Length headers, or Content-Length with Transfer-Encoding, is
 * never answered 2xx (the framing a proxy and the server could read
 * differently), nor is one whose path or query is not UTF-8 (the handler
 * asserts what it sees).
 */
static void raw_request(const uint8_t *data, size_t size)
{
	struct sockaddr_in sa;
	struct timeval tv = { 1, 0 };
	char resp[8192], *raw = fuzz_strdup(data, size);
	size_t got = 0;
	ssize_t k;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	FUZZ_CHECK(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)server_port());
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	FUZZ_CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	for (size_t off = 0; off < size; off += (size_t)k) {
		k = send(fd, data + off, size - off, MSG_NOSIGNAL);
		if (k <= 0)
			break;
	}
	shutdown(fd, SHUT_WR);
	while (got < sizeof(resp) - 1 && (k = recv(fd, resp + got, sizeof(resp) - 1 - got, 0)) > 0) {
		got += (size_t)k;
		resp[got] = '\0';
		if (answer_complete(resp, got))
			break;	/* the server may keep the connection open for a next request */
	}
	resp[got] = '\0';
	close(fd);
	if (got >= 12) {
		FUZZ_CHECK(strncmp(resp, "HTTP/1.", 7) == 0);
		if (count_header(raw, "Content-Length") > 1 ||
		    (count_header(raw, "Content-Length") > 0 && count_header(raw, "Transfer-Encoding") > 0))
			FUZZ_CHECK(resp[9] != '2');
	}
	free(raw);
}

/* The route table of the real application, and server.c's helpers, against reference readings. */
static void helpers(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), *nl = strchr(s, '\n'), *copy, out[256];
	const char *method = nl ? s : "GET", *path = nl ? nl + 1 : s;
	const struct route *rt;
	struct req r;
	enum route_match m;
	int64_t len;
	int sp;

	if (nl)
		*nl = '\0';
	memset(&r, 0, sizeof(r));
	arena_init(&r.arena, 0);
	m = router_match(app_routes, method, path, &r, &rt);
	FUZZ_CHECK((m == ROUTE_FOUND) == (rt != NULL));
	if (m == ROUTE_FOUND) {
		FUZZ_CHECK(r.nparams >= 0 && r.nparams <= REQ_MAX_PARAMS);
		for (int i = 0; i < r.nparams; i++) {
			int64_t id = req_param_id(&r, r.param_names[i]);
			char back[32];

			FUZZ_CHECK(r.param_values[i][0] != '\0' && !strchr(r.param_values[i], '/'));
			if (id > 0) {
				snprintf(back, sizeof(back), "%lld", (long long)id);
				FUZZ_CHECK(strlen(r.param_values[i]) >= strlen(back));
				FUZZ_CHECK(strtoll(r.param_values[i], NULL, 10) == id);
			}
		}
	}
	if (m == ROUTE_NO_METHOD)
		FUZZ_CHECK(router_allow(app_routes, path, &r.arena)[0] != '\0');

	/* Content-Length: digits only, the value strtoll reads */
	len = parse_length(s);
	if (len >= 0) {
		FUZZ_CHECK(s[0] != '\0' && strspn(s, "0123456789") == strlen(s));
		FUZZ_CHECK(strtoll(s, NULL, 10) == len);
	}
	FUZZ_CHECK(utf8_valid(path) == ref_utf8((const unsigned char *)path));

	/* static paths: ".." refused, hidden segments not served */
	sp = static_path_ok(path);
	FUZZ_CHECK(sp >= -1 && sp <= 1);
	if (sp >= 0)
		FUZZ_CHECK(strstr(path, "/../") == NULL &&
			   (strlen(path) < 3 || strcmp(path + strlen(path) - 3, "/..") != 0));
	if (sp == 1)
		FUZZ_CHECK(strstr(path, "/.") == NULL);

	/* percent-decoding never grows the text and never leaves a NUL inside */
	copy = strdup(path);
	FUZZ_CHECK(copy != NULL);
	FUZZ_CHECK(on_unescape(NULL, NULL, copy) <= strlen(path));
	free(copy);

	/* the access log sees only printable ASCII, within its buffer */
	log_safe(out, sizeof(out), path, 100);
	FUZZ_CHECK(strlen(out) < sizeof(out));
	for (const char *p = out; *p; p++)
		FUZZ_CHECK(*p > 0x20 && *p < 0x7f);
	arena_release(&r.arena);
	free(s);
}

/* The first byte picks: even = the helpers and route table, odd = a raw request to the server. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		raw_request(data + 1, size - 1);
	else
		helpers(data + 1, size - 1);
	return 0;
}
