/* json.c - strict, table-driven validation of JSON request bodies with Chinese field messages. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * The length of the UTF-8 sequence that starts at s with a byte >= 0x80, or
 * 0 when it is not valid UTF-8 as jansson defines it: overlong forms,
 * surrogates and code points past U+10FFFF are invalid.
 */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0], cp;
	size_t n;

	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* Bytes that end a plain run of a string: control characters, '"', '\\', and 0x80..0xff. */
static const uint32_t esc_class[8] = {
	0xffffffffu,				/* 0x00..0x1f */
	1u << ('"' - 32),			/* 0x20..0x3f */
	1u << ('\\' - 64),			/* 0x40..0x5f */
	0,					/* 0x60..0x7f */
	0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,	/* 0x80..0xff */
};

/*
 * Append the len bytes at s as a JSON string literal (see json_put_string),
 * copying plain runs whole. Text that is not valid UTF-8 is never written:
 * it fails b (b->err), so the answer becomes a 500 as it did when jansson
 * wrote it. jansson itself can hold such a string: a body parsed while
 * memory ran out once gave "支部委员" plus half a character.
 */
static void put_stringn(struct buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";	/* as jansson writes \u001F */
	const unsigned char *s = (const unsigned char *)str, *end = s + n;
	const unsigned char *run = s, *p = s;

	buf_putc(b, '"');
	while (p < end) {
		char esc[6];
		size_t elen = 2;

		while (p < end && !(esc_class[*p >> 5] & 1u << (*p & 31)))
			p++;
		if (p == end)
			break;
		if (*p >= 0x80) {
			size_t l = utf8_seq(p, end);

			if (l == 0) {
				b->err = 1;
				return;
			}
			p += l;
			continue;
		}
		esc[0] = '\\';
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			elen = 6;
		}
		buf_add(b, run, (size_t)(p - run));
		buf_add(b, esc, elen);
		run = ++p;
	}
	buf_add(b, run, (size_t)(end - run));
	buf_putc(b, '"');
}

void json_put_string(struct buf *b, const char *s)
{
	if (!s)
		buf_puts(b, "null");
	else
		put_stringn(b, s, strlen(s));
}

/*
 * A real as jansson writes it: "%.17g", then ".0" when that reads as an
 * integer, and the exponent without '+' or leading zeros ("1e+20" is
 * "1e20"). 0, or -1 for infinity and NaN, which JSON cannot hold.
 */
static int put_real(struct buf *b, double v)
{
	char t[64];
	char *e;
	int n;

	if (!isfinite(v))
		return -1;
	n = snprintf(t, sizeof(t) - 3, "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof(t) - 3)
		return -1;
	if (!strchr(t, '.') && !strchr(t, 'e'))
		memcpy(t + n, ".0", 3);
	e = strchr(t, 'e');
	if (e) {
		char *digits = e + 1, *from;

		if (*digits == '-')
			digits++;
		from = digits;
		if (*from == '+')
			from++;
		while (*from == '0' && from[1] != '\0')
			from++;
		memmove(digits, from, strlen(from) + 1);
	}
	buf_puts(b, t);
	return 0;
}

/* A member of an object being written in key order. */
struct member {
	const char *key;
	size_t len;
	const json_t *value;
};

/* jansson's JSON_SORT_KEYS order: the bytes, then the shorter key first. */
static int member_cmp(const void *x, const void *y)
{
	const struct member *a = x, *c = y;
	int d = memcmp(a->key, c->key, a->len < c->len ? a->len : c->len);

	if (d)
		return d;
	return a->len < c->len ? -1 : a->len > c->len;
}

static int write_value(struct buf *b, const json_t *j, int depth, int sorted);

/* An object's members in their stored order, or sorted by key. */
static int write_object(struct buf *b, const json_t *j, int depth, int sorted)
{
	struct member few[64], *m = few;
	size_t n = 0, cap = sizeof(few) / sizeof(few[0]);
	int rc = 0;

	for (void *it = json_object_iter((json_t *)j); it; it = json_object_iter_next((json_t *)j, it)) {
		if (n == cap) {
			struct member *more = malloc(2 * cap * sizeof(*more));

			if (!more) {
				rc = -1;
				goto out;
			}
			memcpy(more, m, n * sizeof(*m));
			if (m != few)
				free(m);
			m = more;
			cap *= 2;
		}
		m[n++] = (struct member){ json_object_iter_key(it), json_object_iter_key_len(it),
					  json_object_iter_value(it) };
	}
	if (sorted)
		qsort(m, n, sizeof(*m), member_cmp);
	buf_putc(b, '{');
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (i)
			buf_putc(b, ',');
		put_stringn(b, m[i].key, m[i].len);
		buf_putc(b, ':');
		rc = write_value(b, m[i].value, depth + 1, sorted);
	}
	buf_putc(b, '}');
out:
	if (m != few)
		free(m);
	return rc;
}

static int write_value(struct buf *b, const json_t *j, int depth, int sorted)
{
	if (depth > JSON_WRITE_DEPTH)
		return -1;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		if (write_object(b, j, depth, sorted) < 0)
			return -1;
		break;
	case JSON_ARRAY:
		buf_putc(b, '[');
		for (size_t i = 0; i < json_array_size(j); i++) {
			if (i)
				buf_putc(b, ',');
			if (write_value(b, json_array_get(j, i), depth + 1, sorted) < 0)
				return -1;
		}
		buf_putc(b, ']');
		break;
	case JSON_STRING:
		put_stringn(b, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		buf_put_i64(b, json_integer_value(j));
		break;
	case JSON_REAL:
		if (put_real(b, json_real_value(j)) < 0)
			return -1;
		break;
	case JSON_TRUE:
		buf_puts(b, "true");
		break;
	case JSON_FALSE:
		buf_puts(b, "false");
		break;
	case JSON_NULL:
		buf_puts(b, "null");
		break;
	}
	return b->err ? -1 : 0;
}

int json_write(struct buf *b, const json_t *j)
{
	return j ? write_value(b, j, 0, 0) : -1;
}

int json_write_sorted(struct buf *b, const json_t *j)
{
	return j ? write_value(b, j, 0, 1) : -1;
}
