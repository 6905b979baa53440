/* request.c - what a handler reads from a request: headers, query, cookies, path parameters, the JSON body. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "http.h"
#include "../base/date.h"

/* Look a value of the given kind up on the request's connection; NULL without one. */
static const char *conn_value(struct req *r, enum MHD_ValueKind kind, const char *name)
{
	if (r == NULL || r->conn == NULL || name == NULL)
		return NULL;
	return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, kind, name);
}

const char *req_header(struct req *r, const char *name)
{
	return conn_value(r, MHD_HEADER_KIND, name);
}

const char *req_query(struct req *r, const char *name)
{
	return conn_value(r, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
	return conn_value(r, MHD_COOKIE_KIND, name);
}

const char *req_param(struct req *r, const char *name)
{
	int i;

	if (r == NULL || name == NULL)
		return NULL;
	for (i = 0; i < r->nparams && i < REQ_MAX_PARAMS; i++)
		if (r->param_names[i] != NULL && strcmp(r->param_names[i], name) == 0)
			return r->param_values[i];
	return NULL;
}

/*
 * Strict decimal parse of the whole string: an optional '-' (only when
 * `allow_neg`), then one or more ASCII digits, nothing else - no spaces, no
 * '+', no hex, no trailing text. 0 and *out on success; -1 on a malformed
 * value; -2 when the value does not fit in int64_t.
 */
static int parse_int64(const char *s, int allow_neg, int64_t *out /* OUT */)
{
	int neg = 0;
	uint64_t v = 0, limit;

	if (*s == '-' && allow_neg) {
		neg = 1;
		s++;
	}
	if (*s == '\0')
		return -1;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (v > (limit - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return 0;
}

/* Path parameter as an id in 1..INT64_MAX written only in digits; 0 otherwise. */
int64_t req_param_id(struct req *r, const char *name)
{
	const char *s = req_param(r, name);
	int64_t v;

	if (s == NULL || parse_int64(s, 0, &v) != 0 || v < 1)
		return 0;
	return v;
}

/*
 * Query parameter `name` as an integer in [min,max]. Absent or empty
 * ("page=" from a form) gives `dflt`. Anything else that is not a plain
 * decimal integer in range adds a field error named after the parameter to f
 * and also gives `dflt`, so the caller can collect every error before
 * answering.
 */
int64_t req_query_int(struct req *r, const char *name, int64_t dflt, int64_t min, int64_t max,
		      struct zb_fail *f)
{
	const char *s = req_query(r, name);
	int64_t v;
	int rc;

	if (s == NULL || *s == '\0')
		return dflt;
	rc = parse_int64(s, 1, &v);
	if (rc == -1) {
		zb_fail_field(f, name, "%s应为整数", name);
		return dflt;
	}
	if (rc != 0 || v < min || v > max) {
		zb_fail_field(f, name, "%s应在%lld到%lld之间", name, (long long)min, (long long)max);
		return dflt;
	}
	return v;
}

const char *req_query_date(struct req *r, const char *name, const char *label, struct zb_fail *f)
{
	const char *s = req_query(r, name);

	if (s == NULL || *s == '\0')
		return NULL;
	if (date_parse_iso(s, NULL) != 0) {
		zb_fail_field(f, name, "%s应为 YYYY-MM-DD 格式的日期", label);
		return NULL;
	}
	return s;
}

int64_t req_query_day(struct req *r, const char *name, const char *label, int64_t dflt,
		      struct zb_fail *f)
{
	const char *s = req_query_date(r, name, label, f);
	struct ymd d;

	if (s == NULL || date_parse_iso(s, &d) != 0)
		return dflt;
	return date_to_days(d);
}

/* What went wrong in a jansson load error beyond bad syntax, in Chinese; "" for plain syntax errors. */
static const char *json_error_detail(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_duplicate_key:
		return "：字段重复";
	case json_error_invalid_utf8:
		return "：不是有效的UTF-8文本";
	case json_error_null_character:
		return "：字符串中不能含有\\u0000";
	case json_error_numeric_overflow:
		return "：数值超出范围";
	case json_error_premature_end_of_input:
		return "：内容不完整";
	case json_error_end_of_input_expected:
		return "：结尾有多余内容";
	default:
		return "";
	}
}

/*
 * The body as a JSON object (new reference, caller decrefs). Duplicate keys
 * are refused, because two readers of the same body could see different
 * values. Scalars are decoded (JSON_DECODE_ANY) only to be refused with the
 * "not an object" message rather than a syntax error. On an empty body, a body that is not valid JSON, or valid JSON that
 * is not an object, adds a 400 field error on "body" (naming the line and
 * column of a syntax error) and returns NULL.
 */
json_t *req_json(struct req *r, struct zb_fail *f)
{
	json_error_t e;
	json_t *j;
	char msg[160];

	/*
	 * Only application/json: a cross-site HTML form can send text/plain or
	 * form data without a preflight, and must not reach a handler (login
	 * needs no CSRF token).
	 */
	const char *ct = r->body_type;
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		zb_fail_set(f, ZB_EVALIDATION, "请求的 Content-Type 应为 application/json");
		zb_fail_field(f, "body", "请求的 Content-Type 应为 application/json");
		return NULL;
	}
	if (r->body == NULL || r->body_len == 0) {
		zb_fail_set(f, ZB_EVALIDATION, "请求体应为JSON对象");
		zb_fail_field(f, "body", "请求体应为JSON对象");
		return NULL;
	}
	j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
	if (j == NULL) {
		snprintf(msg, sizeof(msg), "JSON格式错误（第%d行第%d列）%s", e.line, e.column,
			 json_error_detail(&e));
		zb_fail_set(f, ZB_EVALIDATION, "%s", msg);
		zb_fail_field(f, "body", "%s", msg);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		zb_fail_set(f, ZB_EVALIDATION, "请求体应为JSON对象");
		zb_fail_field(f, "body", "请求体应为JSON对象");
		return NULL;
	}
	return j;
}
