/* test_router.c - unit tests of the HTTP layer: router, request parsing, responses, and the server over a real socket. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../src/http/http.h"

/* ---- router -------------------------------------------------------------- */

static void h_noop(struct req *r)
{
	(void)r;
}

static void h_other(struct req *r)
{
	(void)r;
}

static const struct route table[] = {
	{ "GET", "/api/v1/orgs", h_noop, 0, NULL },
	{ "POST", "/api/v1/orgs", h_noop, 0, NULL },
	{ "GET", "/api/v1/orgs/:id", h_noop, 0, NULL },
	{ "PUT", "/api/v1/orgs/:id", h_noop, 0, NULL },
	{ "POST", "/api/v1/orgs/:id/move", h_noop, 0, NULL },
	{ "GET", "/api/v1/orgs/:org/members/:member", h_noop, 0, NULL },
	{ "GET", "/api/v1/trailing/", h_noop, 0, NULL },
	{ "GET", "/api/v1/a/:p1/:p2/:p3/:p4/:p5", h_noop, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

/* The same two routes in both orders: the literal must win either way. */
static const struct route literal_first[] = {
	{ "GET", "/api/v1/orgs/tree", h_other, 0, NULL },
	{ "GET", "/api/v1/orgs/:id", h_noop, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
static const struct route param_first[] = {
	{ "GET", "/api/v1/orgs/:id", h_noop, 0, NULL },
	{ "GET", "/api/v1/orgs/tree", h_other, 0, NULL },
	{ "GET", "/api/v1/:kind/tree", h_noop, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static int setup_req(void **state)
{
	struct req *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	arena_init(&r->arena, 0);
	buf_init(&r->out, 1 << 20);
	r->body = "";
	memcpy(r->id, "0123456789abcdef", 17);
	*state = r;
	return 0;
}

static int teardown_req(void **state)
{
	struct req *r = *state;

	buf_release(&r->out);
	arena_release(&r->arena);
	free(r);
	return 0;
}

static void test_exact_match(void **state)
{
	struct req *r = *state;
	const struct route *rt = NULL;

	assert_int_equal(router_match(table, "GET", "/api/v1/orgs", r, &rt), ROUTE_FOUND);
	assert_ptr_equal(rt, &table[0]);
	assert_int_equal(r->nparams, 0);
	assert_int_equal(router_match(table, "POST", "/api/v1/orgs", r, &rt), ROUTE_FOUND);
	assert_ptr_equal(rt, &table[1]);
	/* case matters in both the path and the method */
	assert_int_equal(router_match(table, "GET", "/API/v1/orgs", r, &rt), ROUTE_NO_PATH);
	assert_null(rt);
	assert_int_equal(router_match(table, "get", "/api/v1/orgs", r, &rt), ROUTE_NO_METHOD);
}

static void test_params(void **state)
{
	struct req *r = *state;
	const struct route *rt = NULL;
	char path[] = "/api/v1/orgs/42/move";

	assert_int_equal(router_match(table, "POST", path, r, &rt), ROUTE_FOUND);
	assert_ptr_equal(rt, &table[4]);
	assert_int_equal(r->nparams, 1);
	assert_string_equal(r->param_names[0], "id");
	assert_string_equal(req_param(r, "id"), "42");
	/* the value is a copy, not a pointer into the path */
	path[13] = '9';
	assert_string_equal(req_param(r, "id"), "42");
	assert_null(req_param(r, "org"));

	assert_int_equal(router_match(table, "GET", "/api/v1/orgs/7/members/1001", r, &rt),
			 ROUTE_FOUND);
	assert_ptr_equal(rt, &table[5]);
	assert_int_equal(r->nparams, 2);
	assert_string_equal(req_param(r, "org"), "7");
	assert_string_equal(req_param(r, "member"), "1001");
	assert_null(req_param(r, "id"));
	/* UTF-8 in a segment is just bytes */
	assert_int_equal(router_match(table, "GET", "/api/v1/orgs/第一支部", r, &rt), ROUTE_FOUND);
	assert_string_equal(req_param(r, "id"), "第一支部");
}

static void test_trailing_slash(void **state)
{
	struct req *r = *state;
	const struct route *rt = NULL;

	assert_int_equal(router_match(table, "GET", "/api/v1/orgs/", r, &rt), ROUTE_FOUND);
	assert_ptr_equal(rt, &table[0]);
	assert_int_equal(router_match(table, "GET", "/api/v1/orgs/5/", r, &rt), ROUTE_FOUND);
	assert_ptr_equal(rt, &table[2]);
	assert_string_equal(req_param(r, "id"), "5");
	/* a pattern written with a trailing slash matches without one */
	assert_int_equal(router_match(table, "GET", "/api/v1/trailing", r, &rt), ROUTE_FOUND);
	assert_int_equal(router_match(table, "GET", "/api/v1/trailing/", r, &rt), ROUTE_FOUND);
	/* only one slash is forgiven; empty segments match nothing */
	assert_int_equal(router_match(table, "GET", "/api/v1/orgs//", r, &rt), ROUTE_NO_PATH);
	assert_int_equal(router_match(table, "POST", "/api/v1/orgs//move", r, &rt), ROUTE_NO_PATH);
	assert_int_equal(router_match(table, "GET", "/api//v1/orgs", r, &rt), ROUTE_NO_PATH);
}

static void test_no_method(void **state)
{
	struct req *r = *state;
	const struct route *rt = &table[0];

	assert_int_equal(router_match(table, "DELETE", "/api/v1/orgs", r, &rt), ROUTE_NO_METHOD);
	assert_null(rt);
	assert_string_equal(router_allow(table, "/api/v1/orgs", &r->arena), "GET, HEAD, POST");
	assert_int_equal(router_match(table, "DELETE", "/api/v1/orgs/3", r, &rt), ROUTE_NO_METHOD);
	assert_string_equal(router_allow(table, "/api/v1/orgs/3/", &r->arena), "GET, HEAD, PUT");
	assert_int_equal(router_match(table, "GET", "/api/v1/orgs/3/move", r, &rt),
			 ROUTE_NO_METHOD);
	assert_string_equal(router_allow(table, "/api/v1/orgs/3/move", &r->arena), "POST");
	assert_string_equal(router_allow(table, "/nothing", &r->arena), "");
}

static void test_head_is_get(void **state)
{
	struct req *r = *state;
	const struct route *rt = NULL;

	assert_int_equal(router_match(table, "HEAD", "/api/v1/orgs/12", r, &rt), ROUTE_FOUND);
	assert_ptr_equal(rt, &table[2]);
	assert_string_equal(req_param(r, "id"), "12");
	/* HEAD on a POST-only path is a 405, not a match */
	assert_int_equal(router_match(table, "HEAD", "/api/v1/orgs/12/move", r, &rt),
			 ROUTE_NO_METHOD);
}

static void test_no_match(void **state)
{
	struct req *r = *state;
	const struct route *rt = NULL;

	assert_int_equal(router_match(table, "GET", "/api/v1/nothing", r, &rt), ROUTE_NO_PATH);
	assert_int_equal(router_match(table, "GET", "/api/v1", r, &rt), ROUTE_NO_PATH);
	assert_int_equal(router_match(table, "POST", "/api/v1/orgs/1/move/x", r, &rt),
			 ROUTE_NO_PATH);
	assert_int_equal(router_match(table, "GET", "api/v1/orgs", r, &rt), ROUTE_NO_PATH);
	assert_int_equal(router_match(table, "GET", "", r, &rt), ROUTE_NO_PATH);
	assert_int_equal(router_match(table, "GET", "*", r, &rt), ROUTE_NO_PATH);
	assert_int_equal(r->nparams, 0);
	/* more parameters than REQ_MAX_PARAMS: the route can never match */
	assert_int_equal(router_match(table, "GET", "/api/v1/a/1/2/3/4/5", r, &rt), ROUTE_NO_PATH);
}

static void test_literal_beats_param(void **state)
{
	struct req *r = *state;
	const struct route *rt = NULL;

	assert_int_equal(router_match(literal_first, "GET", "/api/v1/orgs/tree", r, &rt),
			 ROUTE_FOUND);
	assert_ptr_equal(rt->fn, h_other);
	assert_int_equal(r->nparams, 0);
	assert_int_equal(router_match(param_first, "GET", "/api/v1/orgs/tree", r, &rt),
			 ROUTE_FOUND);
	assert_ptr_equal(rt, &param_first[1]);
	assert_int_equal(r->nparams, 0);
	/* the first differing segment decides: /orgs/:id beats /:kind/tree */
	assert_int_equal(router_match(param_first, "GET", "/api/v1/orgs/5", r, &rt), ROUTE_FOUND);
	assert_ptr_equal(rt, &param_first[0]);
	assert_string_equal(req_param(r, "id"), "5");
	assert_int_equal(router_match(param_first, "GET", "/api/v1/units/tree", r, &rt),
			 ROUTE_FOUND);
	assert_ptr_equal(rt, &param_first[2]);
	assert_string_equal(req_param(r, "kind"), "units");
}

/* ---- request ------------------------------------------------------------- */

static int64_t id_of(struct req *r, const char *value)
{
	r->param_names[0] = "id";
	r->param_values[0] = value;
	r->nparams = 1;
	return req_param_id(r, "id");
}

static void test_param_id(void **state)
{
	struct req *r = *state;

	assert_int_equal(id_of(r, "1"), 1);
	assert_int_equal(id_of(r, "42"), 42);
	assert_int_equal(id_of(r, "007"), 7);
	assert_true(id_of(r, "9223372036854775807") == INT64_MAX);
	assert_int_equal(id_of(r, "0"), 0);
	assert_int_equal(id_of(r, "-1"), 0);
	assert_int_equal(id_of(r, "1a"), 0);
	assert_int_equal(id_of(r, "99999999999999999999"), 0);
	assert_int_equal(id_of(r, "9223372036854775808"), 0);
	assert_int_equal(id_of(r, ""), 0);
	assert_int_equal(id_of(r, " 1"), 0);
	assert_int_equal(id_of(r, "1 "), 0);
	assert_int_equal(id_of(r, "+1"), 0);
	assert_int_equal(id_of(r, "0x10"), 0);
	assert_int_equal(id_of(r, "1e3"), 0);
	assert_int_equal(req_param_id(r, "other"), 0);
	r->nparams = 0;
	assert_int_equal(req_param_id(r, "id"), 0);
	/* no connection: header, query and cookie are simply absent */
	assert_null(req_header(r, "Host"));
	assert_null(req_query(r, "page"));
	assert_null(req_cookie(r, "sid"));
}

/* Parse `body` with req_json; returns the object or NULL with f filled. */
static json_t *parse(struct req *r, const char *body, struct zb_fail *f)
{
	r->body = body;
	r->body_len = strlen(body);
	r->body_type = "application/json; charset=utf-8";
	zb_fail_init(f);
	return req_json(r, f);
}

static void expect_body_error(struct req *r, const char *body, const char *message)
{
	struct zb_fail f;
	json_t *j = parse(r, body, &f);

	assert_null(j);
	assert_int_equal(f.err, ZB_EVALIDATION);
	assert_non_null(f.fields);
	assert_string_equal(json_string_value(json_object_get(f.fields, "body")), message);
	zb_fail_release(&f);
}

static void test_req_json(void **state)
{
	struct req *r = *state;
	struct zb_fail f;
	json_t *j;

	j = parse(r, "{\"name\":\"第一支部\",\"n\":3}", &f);
	assert_non_null(j);
	assert_int_equal(f.err, ZB_OK);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "第一支部");
	json_decref(j);

	expect_body_error(r, "", "请求体应为JSON对象");
	expect_body_error(r, "[1,2]", "请求体应为JSON对象");
	expect_body_error(r, "\"x\"", "请求体应为JSON对象");
	expect_body_error(r, "null", "请求体应为JSON对象");
	expect_body_error(r, "{\"a\": }", "JSON格式错误（第1行第7列）");
	expect_body_error(r, "{\n  \"名称\": 1,\n  x\n}", "JSON格式错误（第3行第3列）");
	expect_body_error(r, "{\"a\":1,\"a\":2}", "JSON格式错误（第1行第10列）：字段重复");
	expect_body_error(r, "{\"a\":1} {}", "JSON格式错误（第1行第9列）：结尾有多余内容");
	expect_body_error(r, "{\"a\":", "JSON格式错误（第1行第5列）：内容不完整");
	expect_body_error(r, "{\"a\":\"\\u0000\"}", "JSON格式错误（第1行第13列）：字符串中不能含有\\u0000");

	/* only JSON that says so: a cross-site form cannot send application/json */
	static const char *const not_json[] = { "text/plain", "application/x-www-form-urlencoded",
						"multipart/form-data; boundary=x", "application/jsonp", NULL };
	for (int i = 0; i <= 4; i++) {
		r->body = "{}";
		r->body_len = 2;
		r->body_type = not_json[i];
		zb_fail_init(&f);
		assert_null(req_json(r, &f));
		assert_string_equal(json_string_value(json_object_get(f.fields, "body")),
				    "请求的 Content-Type 应为 application/json");
		zb_fail_release(&f);
	}
	r->body_type = "Application/JSON";
	zb_fail_init(&f);
	j = req_json(r, &f);
	assert_non_null(j);
	json_decref(j);
	zb_fail_release(&f);
	r->body_type = "application/json";

	/* a body with an embedded NUL byte is not silently cut at it */
	r->body = "{}\0{\"a\":1}";
	r->body_len = 10;
	zb_fail_init(&f);
	assert_null(req_json(r, &f));
	zb_fail_release(&f);
}

/* ---- response ------------------------------------------------------------ */

static void test_resp_json_first_wins(void **state)
{
	struct req *r = *state;

	resp_json(r, 201, json_pack("{s:s,s:i}", "name", "党支部", "id", 5));
	assert_true(r->answered);
	assert_int_equal(r->status, 201);
	assert_string_equal(r->content_type, "application/json; charset=utf-8");
	/* compact, UTF-8 kept as is, key order kept */
	assert_string_equal(r->out.data, "{\"name\":\"党支部\",\"id\":5}");
	/* later answers are ignored (and their JSON freed: ASan checks) */
	resp_json(r, 200, json_pack("{s:s}", "x", "y"));
	resp_error(r, ZB_EINTERNAL, "不该出现");
	resp_text(r, 200, "text/plain", "no", 2);
	resp_file(r, "/etc/passwd", NULL);
	assert_int_equal(r->status, 201);
	assert_null(r->file_path);
	assert_string_equal(r->out.data, "{\"name\":\"党支部\",\"id\":5}");
}

static void test_resp_error_and_fail(void **state)
{
	struct req *r = *state;
	struct zb_fail f;
	json_t *j;

	resp_error(r, ZB_ENOTFOUND, "记录不存在");
	assert_int_equal(r->status, 404);
	j = json_loads(r->out.data, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			    "not_found");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"),
								"message")), "记录不存在");
	json_decref(j);

	/* resp_fail releases f even when the request already has an answer */
	zb_fail_init(&f);
	zb_fail_field(&f, "name", "名称不能为空");
	resp_fail(r, &f);
	assert_null(f.fields);
	assert_int_equal(r->status, 404);

	/* a fresh request: field errors reach the body with status 400 */
	r->answered = 0;
	zb_fail_init(&f);
	zb_fail_field(&f, "id_number", "身份证号校验位错误");
	resp_fail(r, &f);
	assert_int_equal(r->status, 400);
	j = json_loads(r->out.data, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_object_get(j, "error"), "fields"), "id_number")),
			    "身份证号校验位错误");
	json_decref(j);

	/* a handler whose json_pack failed gets a 500, not a crash */
	r->answered = 0;
	resp_json(r, 200, NULL);
	assert_int_equal(r->status, 500);
	assert_non_null(strstr(r->out.data, "\"internal\""));
}

static void test_resp_header_text_file(void **state)
{
	struct req *r = *state;
	char name[] = "X-Test";

	resp_header(r, name, "1");
	name[0] = 'Y';	/* copied, so this does not change the stored header */
	assert_int_equal(r->nheaders, 1);
	assert_string_equal(r->headers[0].name, "X-Test");
	resp_header(r, "X-Evil", "a\r\nSet-Cookie: x=1");
	resp_header(r, "X-Evil\n", "a");
	resp_header(r, "", "a");
	assert_int_equal(r->nheaders, 1);
	for (int i = 0; i < REQ_MAX_HEADERS + 3; i++)
		resp_header(r, "Set-Cookie", "a=b");
	assert_int_equal(r->nheaders, REQ_MAX_HEADERS);

	resp_text(r, 200, "text/csv; charset=utf-8", "a,b\n", 4);
	assert_int_equal(r->status, 200);
	assert_int_equal(r->out.len, 4);
	assert_string_equal(r->content_type, "text/csv; charset=utf-8");

	r->answered = 0;
	resp_file(r, "/srv/x/report.PDF", NULL);
	assert_string_equal(r->file_path, "/srv/x/report.PDF");
	assert_string_equal(r->content_type, "application/pdf");
	assert_int_equal(r->out.len, 0);
}

static void test_mime_types(void **state)
{
	(void)state;
	assert_string_equal(http_mime_type("/a/index.html"), "text/html; charset=utf-8");
	assert_string_equal(http_mime_type("app.3f2a.js"), "text/javascript; charset=utf-8");
	assert_string_equal(http_mime_type("x.mjs"), "text/javascript; charset=utf-8");
	assert_string_equal(http_mime_type("x.css"), "text/css; charset=utf-8");
	assert_string_equal(http_mime_type("x.svg"), "image/svg+xml");
	assert_string_equal(http_mime_type("x.png"), "image/png");
	assert_string_equal(http_mime_type("x.jpg"), "image/jpeg");
	assert_string_equal(http_mime_type("favicon.ico"), "image/x-icon");
	assert_string_equal(http_mime_type("f.woff2"), "font/woff2");
	assert_string_equal(http_mime_type("x.json"), "application/json; charset=utf-8");
	assert_string_equal(http_mime_type("x.txt"), "text/plain; charset=utf-8");
	assert_string_equal(http_mime_type("x.js.map"), "application/json; charset=utf-8");
	assert_string_equal(http_mime_type("Makefile"), "application/octet-stream");
	assert_string_equal(http_mime_type("dir.d/file"), "application/octet-stream");
	assert_string_equal(http_mime_type("x.exe"), "application/octet-stream");
}

/* ---- the server over a socket --------------------------------------------- */

static atomic_int hits_thing, hits_end;

static void get_thing(struct req *r)
{
	struct zb_fail f;
	int64_t page;

	atomic_fetch_add(&hits_thing, 1);
	zb_fail_init(&f);
	page = req_query_int(r, "page", 1, 1, 200, &f);
	req_query_int(r, "page_size", 20, 1, 200, &f);
	if (f.err != ZB_OK) {
		resp_fail(r, &f);
		return;
	}
	resp_json(r, 200, json_pack("{s:I,s:I}", "id", (json_int_t)req_param_id(r, "id"),
				    "page", (json_int_t)page));
}

static void post_thing(struct req *r)
{
	struct zb_fail f;
	json_t *j;

	zb_fail_init(&f);
	j = req_json(r, &f);
	if (j == NULL) {
		resp_fail(r, &f);
		return;
	}
	resp_json(r, 201, j);
}

/* An upload route: answers the number of body bytes it got. */
static void post_upload(struct req *r)
{
	resp_json(r, 200, json_pack("{s:I}", "bytes", (json_int_t)r->body_len));
}

static void silent(struct req *r)
{
	(void)r;
}

static void empty_answer(struct req *r)
{
	resp_header(r, "Cache-Control", "public, max-age=60");
	resp_header(r, "X-Frame-Options", "SAMEORIGIN");
	resp_text(r, 200, NULL, "", 0);
}

static void guarded(struct req *r)
{
	resp_json(r, 200, json_pack("{s:b}", "ran", 1));
}

static int begin(struct req *r)
{
	if (r->route->perm != NULL && req_header(r, "X-Pass") == NULL) {
		resp_error(r, ZB_EUNAUTHORIZED, "请先登录");
		return -1;
	}
	return 0;
}

static void end(struct req *r)
{
	(void)r;
	atomic_fetch_add(&hits_end, 1);
}

static const struct route server_routes[] = {
	{ "GET", "/api/v1/things/:id", get_thing, 0, NULL },
	{ "POST", "/api/v1/things", post_thing, 0, NULL },
	{ "GET", "/api/v1/silent", silent, 0, NULL },
	{ "GET", "/api/v1/empty", empty_answer, 0, NULL },
	{ "GET", "/api/v1/guarded", guarded, 0, "x.read" },
	{ "POST", "/api/v1/upload", post_upload, ROUTE_UPLOAD, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct http_hooks server_hooks = { begin, end };

struct srv {
	struct http_server *s;
	char dir[64];
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int setup_server(void **state)
{
	struct srv *v = calloc(1, sizeof(*v));
	char sub[128];
	struct http_config cfg = {
		.listen = "127.0.0.1:0", .threads = 2, .max_body = 1024, .max_upload = 4096,
		.conn_limit = 64,
		.per_ip_limit = 32, .timeout_s = 5, .access_log = 0,
	};

	assert_non_null(v);
	memcpy(v->dir, "/tmp/zb_http_test_XXXXXX", 25);
	assert_non_null(mkdtemp(v->dir));
	snprintf(sub, sizeof(sub), "%s/assets", v->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(v->dir, "index.html", "<p>index</p>");
	write_file(v->dir, "assets/app.js", "go()");
	cfg.static_dir = v->dir;
	v->s = http_start(&cfg, server_routes, &server_hooks, NULL);
	assert_non_null(v->s);
	assert_true(http_port(v->s) > 0);
	*state = v;
	return 0;
}

static int teardown_server(void **state)
{
	struct srv *v = *state;
	char path[256];

	http_stop(v->s);
	snprintf(path, sizeof(path), "%s/assets/app.js", v->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/assets", v->dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/index.html", v->dir);
	unlink(path);
	rmdir(v->dir);
	free(v);
	return 0;
}

/*
 * Send `raw` on a new connection and collect what comes back until the
 * server closes the connection or stays silent for 1.5 s. *closed tells
 * which. Returns the bytes read (NUL-terminated in out).
 */
static size_t exchange(int port, const char *raw, size_t rawlen, char *out, size_t size,
		       int *closed)
{
	struct sockaddr_in a;
	struct pollfd pfd;
	size_t n = 0;
	ssize_t k;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, raw, rawlen, MSG_NOSIGNAL), (ssize_t)rawlen);
	*closed = 0;
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 1500) <= 0)
			break;
		k = recv(fd, out + n, size - 1 - n, 0);
		if (k <= 0) {
			*closed = 1;
			break;
		}
		n += (size_t)k;
		if (n == size - 1)
			break;
	}
	out[n] = '\0';
	close(fd);
	return n;
}

static size_t get(struct srv *v, const char *raw, char *out, size_t size, int *closed)
{
	return exchange(http_port(v->s), raw, strlen(raw), out, size, closed);
}

/* Number of responses in a capture. */
static int count_responses(const char *s)
{
	int n = 0;

	while ((s = strstr(s, "HTTP/1.1 ")) != NULL) {
		n++;
		s++;
	}
	return n;
}

static void test_server_keepalive_and_headers(void **state)
{
	struct srv *v = *state;
	char out[8192];
	int closed;
	const char *id;

	get(v, "GET /api/v1/things/5 HTTP/1.1\r\nHost: t\r\n\r\n"
	       "GET /api/v1/things/6?page=3 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	    out, sizeof(out), &closed);
	assert_int_equal(count_responses(out), 2);
	assert_non_null(strstr(out, "{\"id\":5,\"page\":1}"));
	assert_non_null(strstr(out, "{\"id\":6,\"page\":3}"));
	assert_non_null(strstr(out, "Content-Security-Policy: default-src 'self'; img-src 'self' "
				    "data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
				    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
				    "form-action 'self'\r\n"));
	assert_non_null(strstr(out, "X-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(out, "X-Frame-Options: DENY\r\n"));
	assert_non_null(strstr(out, "Referrer-Policy: no-referrer\r\n"));
	assert_non_null(strstr(out, "Permissions-Policy: camera=(), microphone=(), geolocation=()"));
	assert_non_null(strstr(out, "Cache-Control: no-store\r\n"));
	assert_non_null(strstr(out, "Content-Type: application/json; charset=utf-8\r\n"));
	id = strstr(out, "X-Request-Id: ");
	assert_non_null(id);
	assert_int_equal(strspn(id + 14, "0123456789abcdef"), 16);
	assert_int_equal(id[30], '\r');
}

static void test_server_errors(void **state)
{
	struct srv *v = *state;
	char out[8192];
	int closed;

	get(v, "DELETE /api/v1/things/5 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 405 "));
	assert_non_null(strstr(out, "Allow: GET, HEAD\r\n"));
	assert_non_null(strstr(out, "\"method_not_allowed\""));

	get(v, "GET /api/v1/nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 404 "));
	assert_non_null(strstr(out, "{\"error\":{\"code\":\"not_found\""));

	get(v, "GET /api/v1/things/1?page=abc&page_size=0 HTTP/1.1\r\nHost: t\r\n"
	       "Connection: close\r\n\r\n", out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	assert_non_null(strstr(out, "\"page\":\"page应为整数\""));
	assert_non_null(strstr(out, "\"page_size\":\"page_size应在1到200之间\""));

	get(v, "GET /api/v1/things/1?page=99999999999999999999 HTTP/1.1\r\nHost: t\r\n"
	       "Connection: close\r\n\r\n", out, sizeof(out), &closed);
	assert_non_null(strstr(out, "\"page\":\"page应在1到200之间\""));

	/* an empty body; a handler may replace a security header but not weaken no-store on /api/ */
	get(v, "GET /api/v1/empty HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 200 "));
	assert_non_null(strstr(out, "Content-Length: 0\r\n"));
	assert_non_null(strstr(out, "Cache-Control: no-store\r\n"));
	assert_null(strstr(out, "max-age=60"));
	assert_non_null(strstr(out, "X-Frame-Options: SAMEORIGIN\r\n"));
	assert_null(strstr(out, "X-Frame-Options: DENY"));

	/* a handler that answers nothing is a 500 */
	get(v, "GET /api/v1/silent HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 500 "));
	assert_non_null(strstr(out, "\"internal\""));

	/* an encoded NUL in the path is refused, not cut off */
	get(v, "GET /api/v1/things/5%00/x HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	assert_true(closed);
	/* so are invalid UTF-8 and NUL in the query, and an overlong '/' in the path */
	get(v, "GET /api/v1/things/5?q=%FF HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	get(v, "GET /api/v1/things/5?q=a%00b HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out),
	    &closed);
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	get(v, "GET /api/v1/things/5?%ED%A0%80=1 HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out),
	    &closed);
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	get(v, "GET /api/v1/things%C0%AF5 HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	/* while real UTF-8 is fine */
	get(v, "GET /api/v1/things/5?q=%E5%85%9A%F0%9F%98%80&page=2 HTTP/1.1\r\nHost: t\r\n"
	       "Connection: close\r\n\r\n", out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 200 "));
	assert_non_null(strstr(out, "{\"id\":5,\"page\":2}"));
}

/*
 * A ROUTE_UPLOAD route takes more than the server's max_body of 1024 bytes,
 * up to max_upload (4096), and names that limit when refusing; every other
 * route keeps max_body.
 */
static void test_server_upload_limit(void **state)
{
	struct srv *v = *state;
	char out[8192], big[8192];
	int closed, n;

	n = snprintf(big, sizeof(big), "POST /api/v1/upload HTTP/1.1\r\nHost: t\r\n"
		     "Content-Type: application/octet-stream\r\nContent-Length: 3000\r\n"
		     "Connection: close\r\n\r\n");
	memset(big + n, 'x', 3000);
	exchange(http_port(v->s), big, (size_t)n + 3000, out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 200 "));
	assert_non_null(strstr(out, "{\"bytes\":3000}"));

	/* the same 3000 bytes to an ordinary route: the server's limit */
	n = snprintf(big, sizeof(big), "POST /api/v1/things HTTP/1.1\r\nHost: t\r\n"
		     "Content-Type: application/json\r\nContent-Length: 3000\r\n\r\n");
	memset(big + n, 'x', 3000);
	exchange(http_port(v->s), big, (size_t)n + 3000, out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 413 "));
	assert_non_null(strstr(out, "请求体过大"));

	/* declared past the route's own limit: 413 at once, naming it */
	get(v, "POST /api/v1/upload HTTP/1.1\r\nHost: t\r\nContent-Length: 4097\r\n\r\n{", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 413 "));
	assert_non_null(strstr(out, "上传的文件超过 4 KB 上限"));
	assert_true(closed);

	/* chunked past it: 413 at the end of the body */
	n = snprintf(big, sizeof(big), "POST /api/v1/upload HTTP/1.1\r\nHost: t\r\n"
		     "Transfer-Encoding: chunked\r\n\r\n1400\r\n");
	memset(big + n, 'a', 0x1400);
	n += 0x1400;
	n += snprintf(big + n, sizeof(big) - (size_t)n, "\r\n0\r\n\r\n");
	exchange(http_port(v->s), big, (size_t)n, out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 413 "));
	assert_non_null(strstr(out, "上传的文件超过 4 KB 上限"));

	/*
	 * Uploads held at once are capped (max(threads, 2) = 2 here): two whose
	 * bodies are still coming in take the slots, a third is refused with 503
	 * before its body is read; once they are gone the slots are free again.
	 */
	{
		static const char head[] = "POST /api/v1/upload HTTP/1.1\r\nHost: t\r\n"
					   "Content-Length: 3000\r\n\r\nxx";
		struct sockaddr_in a;
		int held[2];

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)http_port(v->s));
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		for (int i = 0; i < 2; i++) {
			held[i] = socket(AF_INET, SOCK_STREAM, 0);
			assert_true(held[i] >= 0);
			assert_int_equal(connect(held[i], (struct sockaddr *)&a, sizeof(a)), 0);
			assert_int_equal(send(held[i], head, strlen(head), MSG_NOSIGNAL),
					 (ssize_t)strlen(head));
		}
		usleep(100 * 1000);
		get(v, "POST /api/v1/upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nxx", out,
		    sizeof(out), &closed);
		assert_non_null(strstr(out, "HTTP/1.1 503 "));
		assert_true(closed);
		close(held[0]);
		close(held[1]);
		usleep(200 * 1000);
		get(v, "POST /api/v1/upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
		       "Connection: close\r\n\r\nxx", out, sizeof(out), &closed);
		assert_non_null(strstr(out, "HTTP/1.1 200 "));
		assert_non_null(strstr(out, "{\"bytes\":2}"));
	}
}

/* A handler that takes its time, as an import does. */
static void slow_handler(struct req *r)
{
	usleep(600 * 1000);
	resp_json(r, 200, json_pack("{s:b}", "slow", 1));
}

static const struct route slow_routes[] = {
	{ "POST", "/api/v1/slow", slow_handler, ROUTE_SLOW, NULL },
	{ "GET", "/api/v1/things/:id", get_thing, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A ROUTE_SLOW handler runs on its own thread with its connection suspended:
 * on a server with a single pool thread, another connection is answered while
 * it runs; past the cap of slow handlers at once (threads - 1, at least one)
 * a second one is refused with 503; the first answers when done.
 */
static void test_server_slow_route(void **state)
{
	static const char slow_req[] = "POST /api/v1/slow HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
				       "Connection: close\r\n\r\n";
	struct http_config cfg = {
		.listen = "127.0.0.1:0", .threads = 1, .max_body = 1024, .conn_limit = 16,
		.per_ip_limit = 16, .timeout_s = 5, .access_log = 0,
	};
	struct http_server *s = http_start(&cfg, slow_routes, NULL, NULL);
	struct sockaddr_in a;
	struct pollfd pfd;
	char out[4096], first[4096];
	size_t n = 0;
	ssize_t k;
	int64_t t0;
	int fd, closed;

	(void)state;
	assert_non_null(s);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)http_port(s));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, slow_req, strlen(slow_req), MSG_NOSIGNAL), (ssize_t)strlen(slow_req));
	usleep(100 * 1000);

	t0 = mono_ms();
	exchange(http_port(s), "GET /api/v1/things/7 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		 strlen("GET /api/v1/things/7 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"), out,
		 sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 200 "));
	assert_true(mono_ms() - t0 < 400);

	exchange(http_port(s), slow_req, strlen(slow_req), out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 503 "));

	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 3000) <= 0)
			break;
		k = recv(fd, first + n, sizeof(first) - 1 - n, 0);
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	first[n] = '\0';
	close(fd);
	assert_non_null(strstr(first, "HTTP/1.1 200 "));
	assert_non_null(strstr(first, "{\"slow\":true}"));
	http_stop(s);
}

static void test_server_hooks(void **state)
{
	struct srv *v = *state;
	char out[8192];
	int closed, before;

	/* begin answers 401 itself: the handler does not run, end still does */
	before = atomic_load(&hits_end);
	get(v, "GET /api/v1/guarded HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 401 "));
	assert_null(strstr(out, "\"ran\""));
	assert_int_equal(atomic_load(&hits_end), before + 1);

	get(v, "GET /api/v1/guarded HTTP/1.1\r\nHost: t\r\nX-Pass: 1\r\nConnection: close\r\n\r\n",
	    out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 200 "));
	assert_non_null(strstr(out, "{\"ran\":true}"));
	assert_int_equal(atomic_load(&hits_end), before + 2);
}

static void test_server_body(void **state)
{
	struct srv *v = *state;
	char out[8192], big[2048 + 256];
	int closed, n;

	snprintf(big, sizeof(big), "POST /api/v1/things HTTP/1.1\r\nHost: t\r\n"
		 "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 strlen("{\"name\":\"第一支部\"}"), "{\"name\":\"第一支部\"}");
	get(v, big, out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 201 "));
	assert_non_null(strstr(out, "{\"name\":\"第一支部\"}"));

	get(v, "POST /api/v1/things HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
	       "Content-Type: application/json\r\nConnection: close\r\n\r\n{\"a\"", out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	assert_non_null(strstr(out, "JSON格式错误（第1行第4列）"));

	/* declared too large: 413 at once, body unread, connection closed */
	get(v, "POST /api/v1/things HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n{", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 413 "));
	assert_non_null(strstr(out, "{\"error\":{\"code\":\"too_large\",\"message\":\"请求体过大\"}}"));
	assert_true(closed);

	/* chunked past the limit: 413 too */
	n = snprintf(big, sizeof(big), "POST /api/v1/things HTTP/1.1\r\nHost: t\r\n"
		     "Transfer-Encoding: chunked\r\n\r\n800\r\n");
	memset(big + n, 'a', 2048);
	n += 2048;
	n += snprintf(big + n, sizeof(big) - (size_t)n, "\r\n0\r\n\r\n");
	exchange(http_port(v->s), big, (size_t)n, out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 413 "));
	assert_true(closed);
}

/*
 * The smuggling cases: each hides a second request in the body. The server
 * must answer 400, close, and never run the hidden request.
 */
static void test_server_ambiguous_framing(void **state)
{
	struct srv *v = *state;
	static const char *const cases[] = {
		"POST /api/v1/things HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
		"Content-Length: 44\r\n\r\n"
		"GET /api/v1/things/666 HTTP/1.1\r\nHost: t\r\n\r\n",
		"POST /api/v1/things HTTP/1.1\r\nHost: t\r\nContent-Length: 49\r\n"
		"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
		"GET /api/v1/things/666 HTTP/1.1\r\nHost: t\r\n\r\n",
		"POST /api/v1/things HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
		"Content-Length: 3\r\n\r\n0\r\n\r\n"
		"GET /api/v1/things/666 HTTP/1.1\r\nHost: t\r\n\r\n",
		"POST /api/v1/things HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
		"0\r\n\r\nGET /api/v1/things/666 HTTP/1.1\r\nHost: t\r\n\r\n",
		"POST /api/v1/things HTTP/1.1\r\nHost: t\r\nContent-Length: +2\r\n\r\n{}"
		"GET /api/v1/things/666 HTTP/1.1\r\nHost: t\r\n\r\n",
	};
	char out[8192];
	int closed, before;
	size_t i;

	/* the last case is refused by libmicrohttpd itself, before the handler */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		before = atomic_load(&hits_thing);
		get(v, cases[i], out, sizeof(out), &closed);
		if (strncmp(out, "HTTP/1.1 400 ", 13) != 0 || !closed ||
		    strstr(out, "\"id\":666") != NULL || atomic_load(&hits_thing) != before)
			fail_msg("framing case %zu: closed=%d, got:\n%s", i, closed, out);
	}

	/* control: a well-framed pipelined pair is served, both requests */
	before = atomic_load(&hits_thing);
	get(v, "POST /api/v1/things HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}"
	       "GET /api/v1/things/666 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	    out, sizeof(out), &closed);
	assert_int_equal(count_responses(out), 2);
	assert_int_equal(atomic_load(&hits_thing), before + 1);
}

static void test_server_static(void **state)
{
	struct srv *v = *state;
	char out[8192];
	int closed;

	get(v, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 200 "));
	assert_non_null(strstr(out, "Content-Type: text/html; charset=utf-8\r\n"));
	assert_non_null(strstr(out, "Cache-Control: no-cache\r\n"));
	assert_non_null(strstr(out, "X-Frame-Options: DENY\r\n"));
	assert_non_null(strstr(out, "<p>index</p>"));

	get(v, "GET /assets/app.js HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 200 "));
	assert_non_null(strstr(out, "Content-Type: text/javascript; charset=utf-8\r\n"));
	assert_non_null(strstr(out, "Cache-Control: public, max-age=31536000, immutable\r\n"));
	assert_non_null(strstr(out, "\r\n\r\ngo()"));

	/* HEAD: headers with the length, no body */
	get(v, "HEAD /assets/app.js HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "Content-Length: 4\r\n"));
	assert_null(strstr(out, "go()"));

	/* SPA fallback for an app route; a missing asset is a 404 */
	get(v, "GET /orgs/5/edit HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 200 "));
	assert_non_null(strstr(out, "<p>index</p>"));
	get(v, "GET /assets/missing.js HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 404 "));

	/* traversal, plain and percent-encoded */
	get(v, "GET /../../etc/passwd HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", out,
	    sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	assert_null(strstr(out, "root:"));
	get(v, "GET /assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: t\r\n"
	       "Connection: close\r\n\r\n", out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	assert_null(strstr(out, "root:"));

	/* a POST outside /api/ is not a page */
	get(v, "POST /orgs HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    out, sizeof(out), &closed);
	assert_non_null(strstr(out, "HTTP/1.1 404 "));
}

static void test_server_start_failures(void **state)
{
	struct http_config cfg = { .listen = "localhost:8080", .threads = 1, .max_body = 10 };
	static const char *const bad[] = { "localhost:8080", "127.0.0.1", "127.0.0.1:65536",
					   "127.0.0.1:-1", "[::1:80", "[::1]80", ":80",
					   "127.0.0.1:8o" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.listen = bad[i];
		assert_null(http_start(&cfg, server_routes, NULL, NULL));
	}
	http_stop(NULL);
	assert_int_equal(http_port(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exact_match, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_params, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_trailing_slash, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_no_method, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_head_is_get, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_no_match, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_literal_beats_param, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_param_id, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_req_json, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_resp_json_first_wins, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_resp_error_and_fail, setup_req, teardown_req),
		cmocka_unit_test_setup_teardown(test_resp_header_text_file, setup_req, teardown_req),
		cmocka_unit_test(test_mime_types),
		cmocka_unit_test_setup_teardown(test_server_keepalive_and_headers, setup_server,
						teardown_server),
		cmocka_unit_test_setup_teardown(test_server_errors, setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(test_server_hooks, setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(test_server_body, setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(test_server_upload_limit, setup_server,
						teardown_server),
		cmocka_unit_test(test_server_slow_route),
		cmocka_unit_test_setup_teardown(test_server_ambiguous_framing, setup_server,
						teardown_server),
		cmocka_unit_test_setup_teardown(test_server_static, setup_server, teardown_server),
		cmocka_unit_test(test_server_start_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
