/* audit.c - append-only audit rows chained with HMAC-SM3, and the verifier behind `zhibu verify`. */
#include <inttypes.h>
#include <string.h>
#include <stdlib.h>
#include "audit.h"
#include "../base/buf.h"
#include "../base/date.h"
#include "../base/json.h"

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
 * json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) gives (the chain hashes
 * these bytes, so they must never change), written by json_write_sorted
 * in one pass: jansson's dumper cost as much as the row's HMAC. What JSON
 * cannot hold goes to jansson, which refuses it the same way (NULL).
 */
char *audit_image_text(const json_t *v)
{
	struct buf b;

	if (!v)
		return NULL;
	if (!json_is_object(v) && !json_is_array(v))
		return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);	/* NULL, as jansson says */
	buf_init(&b, 0);
	if (json_write_sorted(&b, v) != 0) {
		buf_release(&b);
		return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	}
	return buf_detach(&b);
}

/* "|" and the decimal of v. */
static void put_i64(struct buf *b, int64_t v)
{
	buf_putc(b, '|');
	buf_put_i64(b, v);
}

/* Length-prefixed fields, so no choice of values can make two rows hash alike. */
static void put_field(struct buf *b, const char *s)
{
	size_t n;

	if (!s) {
		buf_add(b, "-;", 2);
		return;
	}
	n = strlen(s);
	buf_put_i64(b, (int64_t)n);	/* "%zu:" */
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
