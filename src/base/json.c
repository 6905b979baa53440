/* json.c - strict, table-driven validation of JSON request bodies with Chinese field messages. */
#include <inttypes.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "date.h"
#include "json.h"

size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/*
 * Length in bytes of the white space at p (0 if none): ASCII white space,
 * and the Unicode spaces people paste from Word or type with a Chinese IME
 * (U+00A0, U+3000 ideographic space, U+200B zero-width space, U+FEFF BOM).
 */
static size_t space_at(const unsigned char *p, size_t left)
{
	if (left >= 1 && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
		return 1;
	if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	if (left >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x8B)
		return 3;
	if (left >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return 3;
	return 0;
}

/* Number of characters in s[0..n) once leading and trailing white space is dropped. */
static size_t trimmed_chars(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t chars = 0, chars_at_last = 0, k;
	int started = 0;

	while (p < end) {
		k = space_at(p, (size_t)(end - p));
		if (k) {
			if (started)
				chars++;
			p += k;
			continue;
		}
		started = 1;
		if ((*p & 0xC0) != 0x80)
			chars++;
		p++;
		while (p < end && (*p & 0xC0) == 0x80)
			p++;
		chars_at_last = chars;
	}
	return chars_at_last;
}

const char *json_str_trim(struct arena *a, const json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_str(obj, key, NULL);
	const unsigned char *p, *end, *last;
	size_t k;

	if (!s)
		return dflt;
	p = (const unsigned char *)s;
	end = p + strlen(s);
	while (p < end && (k = space_at(p, (size_t)(end - p))) != 0)
		p += k;
	last = p;	/* one past the last non-space character seen */
	for (const unsigned char *q = p; q < end;) {
		k = space_at(q, (size_t)(end - q));
		if (k) {
			q += k;
			continue;
		}
		q++;
		while (q < end && (*q & 0xC0) == 0x80)
			q++;
		last = q;
	}
	if (last == p)
		return dflt;
	return arena_strndup(a, (const char *)p, (size_t)(last - p));
}

/* The name users see: the label, or the field name when a table row has none. */
static const char *label_of(const struct json_field *jf)
{
	return jf->label ? jf->label : jf->name;
}

/*
 * Check one string value: required ones may not be blank; a blank optional
 * one means "none" and passes; otherwise the trimmed length in characters
 * must respect min/max (0 = no bound on that side).
 */
static int check_string(const json_t *v, const struct json_field *jf, struct zb_fail *f)
{
	const char *label = label_of(jf);
	size_t n = trimmed_chars(json_string_value(v), json_string_length(v));

	if (n == 0) {
		if (jf->required) {
			zb_fail_field(f, jf->name, "%s不能为空", label);
			return -1;
		}
		return 0;
	}
	if (jf->min > 0 && jf->max > 0) {
		if ((int64_t)n < jf->min || (int64_t)n > jf->max) {
			if (jf->min == jf->max)
				zb_fail_field(f, jf->name, "%s应为%" PRId64 "个字", label, jf->min);
			else
				zb_fail_field(f, jf->name, "%s长度应在%" PRId64 "到%" PRId64 "个字之间",
					      label, jf->min, jf->max);
			return -1;
		}
	} else if (jf->max > 0 && (int64_t)n > jf->max) {
		zb_fail_field(f, jf->name, "%s不能超过%" PRId64 "个字", label, jf->max);
		return -1;
	} else if (jf->min > 0 && (int64_t)n < jf->min) {
		zb_fail_field(f, jf->name, "%s不能少于%" PRId64 "个字", label, jf->min);
		return -1;
	}
	return 0;
}

/* Integers only (jansson keeps 1.0 as a real and true as a boolean); range when min/max set. */
static int check_int(const json_t *v, const struct json_field *jf, struct zb_fail *f)
{
	json_int_t x;

	if (!json_is_integer(v)) {
		zb_fail_field(f, jf->name, "%s应为整数", label_of(jf));
		return -1;
	}
	x = json_integer_value(v);
	if ((jf->min != 0 || jf->max != 0) && (x < jf->min || x > jf->max)) {
		zb_fail_field(f, jf->name, "%s应在 %" PRId64 " 到 %" PRId64 " 之间",
			      label_of(jf), jf->min, jf->max);
		return -1;
	}
	return 0;
}

/* Element count of an array against min/max (0 = no bound on that side). */
static int check_array(const json_t *v, const struct json_field *jf, struct zb_fail *f)
{
	int64_t n;

	if (!json_is_array(v)) {
		zb_fail_field(f, jf->name, "%s应为数组", label_of(jf));
		return -1;
	}
	n = (int64_t)json_array_size(v);
	if (jf->max > 0 && n > jf->max) {
		zb_fail_field(f, jf->name, "%s不能超过%" PRId64 "项", label_of(jf), jf->max);
		return -1;
	}
	if (jf->min > 0 && n < jf->min) {
		zb_fail_field(f, jf->name, "%s至少需要%" PRId64 "项", label_of(jf), jf->min);
		return -1;
	}
	return 0;
}

/* Check one present, non-null value against its table row. */
static int check_value(const json_t *v, const struct json_field *jf, struct zb_fail *f)
{
	const char *label = label_of(jf);

	switch (jf->type) {
	case JF_STRING:
		if (!json_is_string(v)) {
			zb_fail_field(f, jf->name, "%s应为字符串", label);
			return -1;
		}
		return check_string(v, jf, f);
	case JF_INT:
		return check_int(v, jf, f);
	case JF_BOOL:
		if (!json_is_boolean(v)) {
			zb_fail_field(f, jf->name, "%s应为布尔值", label);
			return -1;
		}
		return 0;
	case JF_DATE:
		/* Blank is "none", like a blank optional string; required dates must be given. */
		if (json_is_string(v) && trimmed_chars(json_string_value(v), json_string_length(v)) == 0) {
			if (!jf->required)
				return 0;
			zb_fail_field(f, jf->name, "%s不能为空", label);
			return -1;
		}
		if (!json_is_string(v) || date_parse_iso(json_string_value(v), NULL) != 0) {
			zb_fail_field(f, jf->name, "%s应为有效日期（YYYY-MM-DD）", label);
			return -1;
		}
		return 0;
	case JF_OBJECT:
		if (!json_is_object(v)) {
			zb_fail_field(f, jf->name, "%s应为对象", label);
			return -1;
		}
		return 0;
	case JF_ARRAY:
		return check_array(v, jf, f);
	}
	zb_fail_field(f, jf->name, "%s无法校验", label);	/* a table row with a bad type */
	return -1;
}

static const struct json_field *find_field(const struct json_field *fields, const char *name)
{
	for (const struct json_field *jf = fields; jf->name; jf++)
		if (strcmp(jf->name, name) == 0)
			return jf;
	return NULL;
}

/*
 * Check every key of `body` against the table and every table row against
 * `body`, recording all problems (not just the first) so one answer names
 * every bad field. A null value passes only for nullable rows; for other
 * rows it is reported as empty.
 */
int json_check(const json_t *body, const struct json_field *fields, int partial,
	       struct zb_fail *f)
{
	const char *key;
	json_t *v;
	int bad = 0;

	if (!json_is_object(body)) {
		zb_fail_set(f, ZB_EVALIDATION, "请求内容应为JSON对象");
		return -1;
	}
	/* json_object_foreach wants a non-const object; it does not modify it. */
	json_object_foreach((json_t *)body, key, v) {
		if (!find_field(fields, key)) {
			zb_fail_field(f, key, "未知字段");
			bad = 1;
		}
	}
	for (const struct json_field *jf = fields; jf->name; jf++) {
		v = json_object_get(body, jf->name);
		if (!v) {
			if (jf->required && !partial) {
				zb_fail_field(f, jf->name, "%s不能为空", label_of(jf));
				bad = 1;
			}
			continue;
		}
		if (json_is_null(v)) {
			if (!jf->nullable) {
				zb_fail_field(f, jf->name, "%s不能为空", label_of(jf));
				bad = 1;
			}
			continue;
		}
		if (check_value(v, jf, f) != 0)
			bad = 1;
	}
	return bad ? -1 : 0;
}

const char *json_str(const json_t *obj, const char *key, const char *dflt)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : dflt;
}

int64_t json_int(const json_t *obj, const char *key, int64_t dflt)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

int json_has(const json_t *obj, const char *key)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return v && !json_is_null(v);
}

void json_put_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";	/* as jansson writes \u001F */
	const char *run;

	if (!s) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *esc = NULL;
		char u[7];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			u[6] = '\0';
			esc = u;
		}
		buf_add(b, run, (size_t)(s - run));
		buf_puts(b, esc);
		run = s + 1;
	}
	buf_add(b, run, (size_t)(s - run));
	buf_putc(b, '"');
}
