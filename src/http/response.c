/* response.c - how a handler answers: JSON, the standard error body, text, files, extra headers. */
#include <string.h>
#include <strings.h>

#include "http.h"
#include "../base/json.h"
#include "../base/log.h"

#define JSON_TYPE "application/json; charset=utf-8"

/* The body used when even building an error answer failed (out of memory, output cap). */
static const char internal_body[] =
	"{\"error\":{\"code\":\"internal\",\"message\":\"服务器内部错误\"}}";

/* Replace whatever the request was going to send with a bare 500. */
static void answer_internal(struct req *r)
{
	r->answered = 1;
	r->status = 500;
	r->content_type = JSON_TYPE;
	r->file_path = NULL;
	buf_reset(&r->out);
	buf_add(&r->out, internal_body, sizeof(internal_body) - 1);
}

/*
 * Answer with `j` serialised compactly as UTF-8 (no \u escapes for Chinese).
 * Steals j. Ignored (apart from freeing j) when the request already has an
 * answer. A NULL j (a failed json_pack in the handler) or an output over the
 * buffer cap becomes a 500.
 */
void resp_json(struct req *r, int status, json_t *j)
{
	if (r->answered) {
		json_decref(j);
		return;
	}
	if (j == NULL) {
		log_error("request %s: handler produced no JSON (out of memory?)", r->id);
		answer_internal(r);
		return;
	}
	r->answered = 1;
	r->status = status;
	r->content_type = JSON_TYPE;
	r->file_path = NULL;
	buf_reset(&r->out);
	if (json_write(&r->out, j) != 0 ||
	    r->out.err) {
		log_error("request %s: JSON answer could not be serialised (%zu bytes so far)",
			  r->id, r->out.len);
		answer_internal(r);
	}
	json_decref(j);
}

void resp_json_begin(struct req *r, int status, json_t *head, const char *key)
{
	json_t *k;
	int bad;

	if (r->answered) {
		json_decref(head);
		return;
	}
	k = key ? json_string(key) : NULL;
	resp_json(r, status, head);
	if (r->status != status || !k || r->out.len < 2 || r->out.data[r->out.len - 1] != '}') {
		json_decref(k);
		if (r->status == status)
			answer_internal(r);
		return;
	}
	/* reopen the object: drop its '}', then ,"key":[ */
	r->out.data[--r->out.len] = '\0';
	if (r->out.len > 1)
		buf_putc(&r->out, ',');
	/* jansson out of memory drops the key: never answer 200 without it */
	bad = json_write(&r->out, k) != 0;
	json_decref(k);
	buf_puts(&r->out, ":[");
	if (bad || r->out.err) {
		answer_internal(r);	/* not streaming: the items that follow are dropped */
		return;
	}
	r->streaming = 1;
	r->stream_items = 0;
}

void resp_json_item(struct req *r, json_t *item)
{
	if (!r->streaming || r->out.err) {
		json_decref(item);
		return;
	}
	if (!item) {
		log_error("request %s: an item of a streamed answer could not be built", r->id);
		r->streaming = 0;
		answer_internal(r);
		return;
	}
	if (r->stream_items++)
		buf_putc(&r->out, ',');
	if (json_write(&r->out, item) != 0 ||
	    r->out.err) {
		log_error("request %s: streamed JSON answer too big (%zu bytes so far)", r->id, r->out.len);
		r->streaming = 0;
		answer_internal(r);
	}
	json_decref(item);
}

void resp_json_end(struct req *r)
{
	if (!r->streaming)
		return;
	r->streaming = 0;
	buf_puts(&r->out, "]}");
	if (r->out.err)
		answer_internal(r);
}

/* Answer with the standard error body for f and its status, then release f. */
void resp_fail(struct req *r, struct zb_fail *f)
{
	enum zb_err e = f->err == ZB_OK ? ZB_EINTERNAL : f->err;

	if (!r->answered) {
		if (f->err == ZB_OK) {
			log_error("request %s: resp_fail without an error", r->id);
			answer_internal(r);
		} else {
			resp_json(r, zb_err_status(e), zb_fail_json(f));
		}
	}
	zb_fail_release(f);
}

/* Answer with error e and a message for the user. */
void resp_error(struct req *r, enum zb_err e, const char *message)
{
	struct zb_fail f;

	zb_fail_init(&f);
	zb_fail_set(&f, e == ZB_OK ? ZB_EINTERNAL : e, "%s", message ? message : "");
	resp_fail(r, &f);
}

/* A header name or value that could split the response (CR, LF) is refused. */
static int header_safe(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") == NULL;
}

/*
 * Add a response header (both strings copied). Works before or after the
 * answering call, until the response is sent. Headers past REQ_MAX_HEADERS
 * or containing CR/LF are dropped with a warning: they are programming errors.
 */
void resp_header(struct req *r, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value) || *name == '\0') {
		log_warn("request %s: header refused (empty or contains a line break)", r->id);
		return;
	}
	if (r->nheaders >= REQ_MAX_HEADERS) {
		log_warn("request %s: too many response headers, dropped %s", r->id, name);
		return;
	}
	r->headers[r->nheaders].name = arena_strdup(&r->arena, name);
	r->headers[r->nheaders].value = arena_strdup(&r->arena, value);
	r->nheaders++;
}

/* Answer with `len` bytes of `body` (copied) as `content_type`. */
void resp_text(struct req *r, int status, const char *content_type, const char *body, size_t len)
{
	if (r->answered)
		return;
	r->answered = 1;
	r->status = status;
	r->content_type = arena_strdup(&r->arena, content_type ? content_type : "text/plain; charset=utf-8");
	r->file_path = NULL;
	buf_reset(&r->out);
	buf_add(&r->out, body, len);
	if (r->out.err) {
		log_error("request %s: text answer over the output cap (%zu bytes)", r->id, len);
		answer_internal(r);
	}
}

/*
 * Answer 200 with the file at `path` (copied), sent by the server straight
 * from its descriptor. NULL content_type means: by extension. A file that
 * cannot be opened when the answer is sent becomes a 404.
 */
void resp_file(struct req *r, const char *path, const char *content_type)
{
	if (r->answered)
		return;
	r->answered = 1;
	r->status = 200;
	r->file_path = arena_strdup(&r->arena, path);
	r->content_type = content_type ? arena_strdup(&r->arena, content_type) : http_mime_type(path);
	buf_reset(&r->out);
}

/* Content types by extension: the files the web app's build produces, and a few more. */
static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/x-icon" },
	{ "woff2", "font/woff2" },
	{ "woff", "font/woff" },
	{ "json", "application/json; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "map", "application/json; charset=utf-8" },
	{ "pdf", "application/pdf" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
	{ "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
	{ "csv", "text/csv; charset=utf-8" },
};

const char *http_mime_type(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot == NULL || (slash != NULL && dot < slash))
		return "application/octet-stream";
	for (i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
		if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
			return mime_types[i].type;
	return "application/octet-stream";
}

void resp_attachment(struct req *r, const char *ascii_name, const char *utf8_name)
{
	static const char hex[] = "0123456789ABCDEF";
	char disp[1024];
	size_t o;

	o = (size_t)snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"; filename*=UTF-8''",
			     ascii_name);
	if (o >= sizeof(disp))
		o = sizeof(disp) - 1;
	for (const unsigned char *u = (const unsigned char *)utf8_name; *u && o + 4 < sizeof(disp); u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9') ||
		    *u == '.' || *u == '-' || *u == '_') {
			disp[o++] = (char)*u;
		} else {
			disp[o++] = '%';
			disp[o++] = hex[*u >> 4];
			disp[o++] = hex[*u & 15];
		}
	}
	disp[o] = '\0';
	resp_header(r, "Content-Disposition", disp);
}
