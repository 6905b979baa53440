/* memo.c - a fixed table of results keyed by text, valid while the audit chain's head is unchanged. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"
#include "../base/hash.h"

static const char SQL_HEAD[] = "SELECT seq FROM audit_head WHERE id = 1";

struct memo_entry {
	char *key;		/* NULL when the slot is empty */
	int64_t head;		/* audit_head.seq read before the result was computed */
	char *data;
	size_t len;
};

struct memo {
	pthread_mutex_t lock;
	size_t bytes;		/* sum of the entries' len */
	struct memo_entry slot[MEMO_SLOTS];
};

struct memo *memo_new(void)
{
	struct memo *m = calloc(1, sizeof(*m));

	if (m)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

static void entry_clear(struct memo *m, struct memo_entry *e)
{
	m->bytes -= e->len;
	free(e->key);
	free(e->data);
	memset(e, 0, sizeof(*e));
}

void memo_free(struct memo *m)
{
	if (!m)
		return;
	for (int i = 0; i < MEMO_SLOTS; i++)
		entry_clear(m, &m->slot[i]);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static struct memo_entry *slot_of(struct memo *m, const char *key)
{
	return &m->slot[fnv1a(key) % MEMO_SLOTS];
}

/* The single integer sql gives (with b when not NULL). DB_OK or DB_E*. */
static int one_int(struct db *db, const char *sql, const struct db_params *b, int64_t *out)
{
	int rc = b ? db_query_int_params(db, out, sql, b) : db_query_int(db, out, sql, "");

	return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

int memo_head(struct db *db, int64_t *head)
{
	return one_int(db, SQL_HEAD, NULL, head);
}

int memo_get(struct memo *m, const char *key, int64_t head, struct buf *out)
{
	struct memo_entry *e;
	int found = 0;

	if (!m || !key)
		return 0;
	e = slot_of(m, key);
	pthread_mutex_lock(&m->lock);
	if (e->key && e->head == head && strcmp(e->key, key) == 0) {
		buf_add(out, e->data, e->len);
		found = !out->err;
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

/* Free every entry older than head, to make room. Called with the lock held. */
static void drop_stale(struct memo *m, int64_t head)
{
	for (int i = 0; i < MEMO_SLOTS; i++)
		if (m->slot[i].key && m->slot[i].head != head)
			entry_clear(m, &m->slot[i]);
}

void memo_put(struct memo *m, const char *key, int64_t head, const void *data, size_t len)
{
	struct memo_entry *e;
	char *k, *d;

	if (!m || !key || len > MEMO_ITEM_MAX)
		return;
	k = strdup(key);
	d = malloc(len ? len : 1);
	if (!k || !d) {
		free(k);
		free(d);
		return;
	}
	memcpy(d, data, len);
	e = slot_of(m, key);
	pthread_mutex_lock(&m->lock);
	entry_clear(m, e);
	if (m->bytes + len > MEMO_BYTES)
		drop_stale(m, head);
	if (m->bytes + len > MEMO_BYTES) {
		pthread_mutex_unlock(&m->lock);
		free(k);
		free(d);
		return;
	}
	*e = (struct memo_entry){ k, head, d, len };
	m->bytes += len;
	pthread_mutex_unlock(&m->lock);
}

char *memo_key(const char *what, const char *sql, const struct db_params *b)
{
	struct buf k;

	buf_init(&k, 0);
	buf_puts(&k, what ? what : "");
	buf_putc(&k, '\x1f');
	buf_puts(&k, sql);
	for (int i = 0; b && i < b->n; i++) {
		if (b->v[i].is_int)
			buf_printf(&k, "\x1f" "i%" PRId64, b->v[i].i);
		else if (b->v[i].s)
			buf_printf(&k, "\x1f" "s%s", b->v[i].s);
		else
			buf_puts(&k, "\x1f" "n");
	}
	if (k.err) {
		buf_release(&k);
		return NULL;
	}
	return buf_detach(&k);
}

int memo_count(struct memo *m, struct db *db, const char *count_sql,
	       const struct db_params *b, int64_t *n)
{
	struct buf hit;
	char *key;
	int64_t head;
	int rc;

	if (!m)
		return one_int(db, count_sql, b, n);
	rc = memo_head(db, &head);	/* first: see memo.h */
	if (rc != DB_OK)
		return rc;
	key = memo_key("count", count_sql, b);
	if (!key)
		return one_int(db, count_sql, b, n);
	buf_init(&hit, 0);
	if (memo_get(m, key, head, &hit) && hit.len == sizeof(*n)) {
		memcpy(n, hit.data, sizeof(*n));
		buf_release(&hit);
		free(key);
		return DB_OK;
	}
	buf_release(&hit);
	rc = one_int(db, count_sql, b, n);
	if (rc == DB_OK)
		memo_put(m, key, head, n, sizeof(*n));
	free(key);
	return rc;
}
