/* audit.c - append-only audit rows chained with HMAC-SM3, and the verifier behind `zhibu verify`. */
#include <inttypes.h>
#include <string.h>
#include <stdlib.h>
#include "audit.h"
#include "../base/buf.h"
#include "../base/date.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static const char SQL_HEAD_LOCK[] =
	"UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash";
static const char SQL_HEAD_SET[] = "UPDATE audit_head SET hash = ? WHERE id = 1";
static const char SQL_INSERT[] =
	"INSERT INTO audit_log (seq, at, user_id, username, ip, request_id, entity, entity_id,"
	" action, before_json, after_json, prev_hash, hash)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_WALK[] =
	"SELECT id, seq, at, user_id, username, ip, request_id, entity, entity_id, action,"
	" before_json, after_json, prev_hash, hash FROM audit_log ORDER BY seq";
static const char SQL_HEAD_GET[] = "SELECT seq, hash FROM audit_head WHERE id = 1";

/* The fields of a row in the order they are hashed. */
struct audit_row {
	int64_t seq;
	const char *at;
	int64_t user_id;	/* 0 = none */
	const char *username, *ip, *request_id, *entity;
	int64_t entity_id;	/* 0 = none */
	const char *action, *before, *after;	/* before/after may be NULL */
};

/*
 * The stored text of a before/after image: exactly what
 * json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) gives, written straight
 * into a buffer. jansson's dumper costs ~110 instructions a byte (a
 * callback per piece, a code point at a time, a key lookup per sorted
 * key), as much as the audit row's HMAC; this writes plain runs with one
 * copy. What it does not handle itself (a real, a string that is not
 * strict UTF-8, a key with a NUL, nesting deeper than IMAGE_DEPTH) it
 * hands back to jansson, so the text is always jansson's, byte for byte
 * (tests/unit/test_audit.c compares the two on generated documents).
 * json_write (src/base/json.c) is the unsorted sibling used for answers;
 * the audit text needs jansson's key order, which it does not give.
 */
#define IMAGE_DEPTH	32
#define IMAGE_KEYS	64	/* keys sorted on the stack; more go to jansson */

enum { IMG_OK = 0, IMG_JANSSON = 1 };

/* The text being written: malloc'd, grown by doubling; err sticks. */
struct image_out {
	char *p;
	size_t len, cap;
	int err;
};

/* Room for n more bytes; 0 / -1 (err set, later writes ignored). */
static int out_room(struct image_out *o, size_t n)
{
	size_t cap;
	char *p;

	if (o->err)
		return -1;
	if (o->cap - o->len > n)	/* keeps one byte for the NUL */
		return 0;
	cap = o->cap ? o->cap : 1024;	/* a person's image is ~530 bytes */
	while (cap - o->len <= n) {
		if (cap > SIZE_MAX / 2) {
			o->err = 1;
			return -1;
		}
		cap *= 2;
	}
	p = realloc(o->p, cap);
	if (!p) {
		o->err = 1;
		return -1;
	}
	o->p = p;
	o->cap = cap;
	return 0;
}

static void out_add(struct image_out *o, const void *s, size_t n)
{
	if (out_room(o, n) == 0) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	}
}

static void out_putc(struct image_out *o, char c)
{
	if (out_room(o, 1) == 0)
		o->p[o->len++] = c;
}

struct image_key {
	uint64_t pre;	/* the first 8 bytes, big-endian, zero-padded: orders most pairs */
	const char *key;
	size_t len;
	const json_t *value;
};

static uint64_t key_prefix(const char *key, size_t len)
{
	uint64_t pre = 0;

	for (size_t i = 0; i < 8; i++)
		pre = pre << 8 | (i < len ? (unsigned char)key[i] : 0);
	return pre;
}

/*
 * jansson's order: bytes, then length. Keys hold no NUL (image_value
 * hands those to jansson), so the zero padding of pre sorts a key before
 * its extensions, as the length rule does.
 */
static int image_key_cmp(const struct image_key *x, const struct image_key *y)
{
	size_t n;
	int c;

	if (x->pre != y->pre)
		return x->pre < y->pre ? -1 : 1;
	n = x->len < y->len ? x->len : y->len;
	c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Insertion sort: an image has a few dozen keys. */
static void image_sort(struct image_key *k, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct image_key t = k[i];
		size_t j = i;

		while (j > 0 && image_key_cmp(&k[j - 1], &t) > 0) {
			k[j] = k[j - 1];
			j--;
		}
		k[j] = t;
	}
}

/* Length of the strict UTF-8 sequence at s (1..4), or 0 if ill-formed. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Bytes that end a plain run: control characters, '"', '\\', and 0x80..0xff. */
static const uint32_t esc_class[8] = {
	0xffffffffu,				/* 0x00..0x1f */
	1u << ('"' - 32),			/* 0x20..0x3f */
	1u << ('\\' - 64),			/* 0x40..0x5f */
	0,					/* 0x60..0x7f */
	0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,	/* 0x80..0xff */
};

/* A JSON string with jansson's escapes; IMG_JANSSON if not strict UTF-8. */
static int image_string(struct image_out *o, const char *str, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	out_putc(o, '"');
	while (i < n) {
		unsigned c;
		char esc[6];
		size_t elen = 2;

		while (i < n && !(esc_class[s[i] >> 5] & 1u << (s[i] & 31)))
			i++;	/* the plain run */
		if (i == n)
			break;
		c = s[i];
		if (c >= 0x80) {
			size_t l = utf8_seq(s + i, n - i);

			if (!l)
				return IMG_JANSSON;
			i += l;
			continue;
		}
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		out_add(o, s + run, i - run);
		out_add(o, esc, elen);
		run = ++i;
	}
	if (out_room(o, n - run + 1) == 0) {
		memcpy(o->p + o->len, s + run, n - run);
		o->len += n - run;
		o->p[o->len++] = '"';
	}
	return IMG_OK;
}

/* Decimal of v into d (24 bytes), as "%lld" prints it; returns where it starts. */
static char *dec_i64(char d[24], long long v)
{
	char *e = d + 24;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do {
		*--e = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--e = '-';
	return e;
}

static int image_value(struct image_out *o, const json_t *v, int depth)
{
	int rc = IMG_OK;
	char d[24], *e;

	if (depth > IMAGE_DEPTH)
		return IMG_JANSSON;
	switch (json_typeof(v)) {
	case JSON_NULL:
		out_add(o, "null", 4);
		return IMG_OK;
	case JSON_TRUE:
		out_add(o, "true", 4);
		return IMG_OK;
	case JSON_FALSE:
		out_add(o, "false", 5);
		return IMG_OK;
	case JSON_INTEGER:
		e = dec_i64(d, json_integer_value(v));
		out_add(o, e, (size_t)(d + sizeof(d) - e));
		return IMG_OK;
	case JSON_STRING:
		return image_string(o, json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		out_putc(o, '[');
		for (size_t i = 0; rc == IMG_OK && i < json_array_size(v); i++) {
			if (i)
				out_putc(o, ',');
			rc = image_value(o, json_array_get(v, i), depth + 1);
		}
		out_putc(o, ']');
		return rc;
	case JSON_OBJECT: {
		struct image_key keys[IMAGE_KEYS];
		size_t n = 0;
		const char *key;
		size_t klen;
		json_t *val;

		if (json_object_size(v) > IMAGE_KEYS)
			return IMG_JANSSON;
		json_object_keylen_foreach((json_t *)v, key, klen, val) {
			if (memchr(key, '\0', klen))
				return IMG_JANSSON;
			keys[n].pre = key_prefix(key, klen);
			keys[n].key = key;
			keys[n].len = klen;
			keys[n].value = val;
			n++;
		}
		image_sort(keys, n);
		out_putc(o, '{');
		for (size_t i = 0; rc == IMG_OK && i < n; i++) {
			if (i)
				out_putc(o, ',');
			rc = image_string(o, keys[i].key, keys[i].len);
			out_putc(o, ':');
			if (rc == IMG_OK)
				rc = image_value(o, keys[i].value, depth + 1);
		}
		out_putc(o, '}');
		return rc;
	}
	default:	/* JSON_REAL: jansson's own "%.17g" rules */
		return IMG_JANSSON;
	}
}

char *audit_image_text(const json_t *v)
{
	struct image_out o = { 0 };

	if (!v)
		return NULL;
	if (!json_is_object(v) && !json_is_array(v))
		return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);	/* NULL, as jansson says */
	if (image_value(&o, v, 0) != IMG_OK || o.err) {
		free(o.p);
		return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	}
	o.p[o.len] = '\0';	/* out_room kept the byte */
	return o.p;
}

/* "|" and the decimal of v. */
static void put_i64(struct buf *b, int64_t v)
{
	char d[24], *e = dec_i64(d, v);

	*--e = '|';
	buf_add(b, e, (size_t)(d + sizeof(d) - e));
}

/* Length-prefixed fields, so no choice of values can make two rows hash alike. */
static void put_field(struct buf *b, const char *s)
{
	char d[24], *e;
	size_t n;

	if (!s) {
		buf_add(b, "-;", 2);
		return;
	}
	n = strlen(s);
	e = dec_i64(d, (long long)n);	/* "%zu:" */
	buf_add(b, e, (size_t)(d + sizeof(d) - e));
	buf_putc(b, ':');
	buf_add(b, s, n);
	buf_putc(b, ';');
}

static void row_hash(const struct keys *k, const char *prev_hash, const struct audit_row *w,
		     char out[65])
{
	struct buf b;
	unsigned char mac[32];

	buf_init(&b, 0);
	buf_puts(&b, prev_hash);
	/* "|%" PRId64 "|%" PRId64 "|%" PRId64 "|" */
	put_i64(&b, w->seq);
	put_i64(&b, w->user_id);
	put_i64(&b, w->entity_id);
	buf_putc(&b, '|');
	put_field(&b, w->at);
	put_field(&b, w->username);
	put_field(&b, w->ip);
	put_field(&b, w->request_id);
	put_field(&b, w->entity);
	put_field(&b, w->action);
	put_field(&b, w->before);
	put_field(&b, w->after);
	hmac_sm3(k->audit, sizeof(k->audit), b.data, b.len, mac);
	hex_encode(mac, sizeof(mac), out);
	buf_release(&b);
}

int audit_append(struct db *db, const struct keys *k, const struct audit_who *who,
		 const char *entity, int64_t entity_id, const char *action,
		 const json_t *before, const json_t *after)
{
	struct audit_row w = { 0 };
	char at[24], prev[65], hash[65];
	char *bj = NULL, *aj = NULL;
	struct db_stmt *st;
	int rc;

	/* Taking the head row's lock first serialises writers on PostgreSQL. */
	st = db_prepare(db, SQL_HEAD_LOCK);
	if (!st)
		return DB_EGENERIC;
	rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(st);
		return rc < 0 ? rc : DB_EGENERIC;
	}
	w.seq = db_col_int(st, 0);
	snprintf(prev, sizeof(prev), "%s", db_col_text(st, 1) ? db_col_text(st, 1) : ZERO_HASH);
	db_finalize(st);

	ts_now(at);
	bj = audit_image_text(before);
	aj = audit_image_text(after);
	w.at = at;
	w.user_id = who->user_id;
	w.username = who->username ? who->username : "";
	w.ip = who->ip ? who->ip : "";
	w.request_id = who->request_id ? who->request_id : "";
	w.entity = entity;
	w.entity_id = entity_id;
	w.action = action;
	w.before = bj;
	w.after = aj;
	row_hash(k, prev, &w, hash);

	st = db_prepare(db, SQL_INSERT);
	if (!st) {
		rc = DB_EGENERIC;
		goto out;
	}
	db_bind_int(st, 1, w.seq);
	db_bind_text(st, 2, w.at);
	if (w.user_id)
		db_bind_int(st, 3, w.user_id);
	else
		db_bind_null(st, 3);
	db_bind_text(st, 4, w.username);
	db_bind_text(st, 5, w.ip);
	db_bind_text(st, 6, w.request_id);
	db_bind_text(st, 7, w.entity);
	if (w.entity_id)
		db_bind_int(st, 8, w.entity_id);
	else
		db_bind_null(st, 8);
	db_bind_text(st, 9, w.action);
	db_bind_text(st, 10, bj);
	db_bind_text(st, 11, aj);
	db_bind_text(st, 12, prev);
	db_bind_text(st, 13, hash);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		goto out;
	rc = db_run(db, SQL_HEAD_SET, "s", hash);
out:
	free(bj);
	free(aj);
	return rc == DB_DONE ? DB_OK : rc;
}

static const char *text_or_empty(struct db_stmt *st, int i)
{
	const char *s = db_col_text(st, i);
	return s ? s : "";
}

int audit_verify(struct db *db, const struct keys *k, FILE *report, int64_t *rows)
{
	struct db_stmt *st = db_prepare(db, SQL_WALK);
	char prev[65] = ZERO_HASH, hash[65];
	int64_t expect = 1, n = 0;
	int problems = 0, rc;

	if (!st)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		struct audit_row w;
		int64_t id = db_col_int(st, 0);
		const char *stored_prev = text_or_empty(st, 12);
		const char *stored_hash = text_or_empty(st, 13);

		w.seq = db_col_int(st, 1);
		w.at = text_or_empty(st, 2);
		w.user_id = db_col_isnull(st, 3) ? 0 : db_col_int(st, 3);
		w.username = text_or_empty(st, 4);
		w.ip = text_or_empty(st, 5);
		w.request_id = text_or_empty(st, 6);
		w.entity = text_or_empty(st, 7);
		w.entity_id = db_col_isnull(st, 8) ? 0 : db_col_int(st, 8);
		w.action = text_or_empty(st, 9);
		w.before = db_col_text(st, 10);
		w.after = db_col_text(st, 11);
		n++;

		if (w.seq != expect) {
			if (w.seq > expect)
				fprintf(report, "审计记录 seq %" PRId64 "-%" PRId64 " 缺失（被删除）\n",
					expect, w.seq - 1);
			else
				fprintf(report, "审计记录 seq %" PRId64 " (id %" PRId64 ") 序号重复或乱序\n",
					w.seq, id);
			problems++;
		}
		if (strcmp(stored_prev, prev) != 0 && w.seq == expect) {
			fprintf(report, "审计记录 seq %" PRId64 " (id %" PRId64 ") 的前一链接不符（链条被改动）\n",
				w.seq, id);
			problems++;
		}
		/* Hash the row as stored, against its own prev link, to name edited rows. */
		row_hash(k, stored_prev, &w, hash);
		if (strcmp(hash, stored_hash) != 0) {
			fprintf(report, "审计记录 seq %" PRId64 " (id %" PRId64 ", %s %s) 内容被修改\n",
				w.seq, id, w.entity, w.action);
			problems++;
		}
		snprintf(prev, sizeof(prev), "%s", stored_hash);
		expect = w.seq + 1;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return -1;

	st = db_prepare(db, SQL_HEAD_GET);
	if (!st)
		return -1;
	if (db_step(st) == DB_ROW) {
		int64_t head_seq = db_col_int(st, 0);
		const char *head_hash = text_or_empty(st, 1);
		if (head_seq != expect - 1 || strcmp(head_hash, prev) != 0) {
			fprintf(report, "审计链末端不符：记录到 seq %" PRId64 "，而链头为 seq %" PRId64
				"（末尾记录被删除或链头被改动）\n", expect - 1, head_seq);
			problems++;
		}
	} else {
		fprintf(report, "审计链头缺失\n");
		problems++;
	}
	db_finalize(st);
	if (rows)
		*rows = n;
	return problems;
}
