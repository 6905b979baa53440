/* memo.h - results of read queries, kept per process until the next audited write. */
#ifndef ZB_MEMO_H
#define ZB_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../db/db.h"

/*
 * Some reads cost far more than their result: a list's total ("共 N 条")
 * walks every matching row - two thirds of a people list page at county
 * scale, ~70 ms a page for a region's 1.2 million people - and the org
 * tree is the same ~140 KB for every page the web app opens. A memo keeps
 * such a result under a key (the SQL text and its parameters, or the
 * answer's scope and filter) together with the audit chain's head sequence
 * number (audit_head.seq) read BEFORE the result was computed.
 *
 * Why that is exact: every write zhibu makes appends to the audit chain in
 * its own transaction, so an unchanged head means no row has changed since
 * the result was computed, on SQLite and on PostgreSQL, whichever server
 * process made the write. A write committed between reading the head and
 * computing only makes the entry look older than it is (a miss later).
 * Only reads that depend on nothing but the rows may be memoised: not the
 * date, not the caller beyond what the key names.
 *
 * The table is fixed (MEMO_SLOTS entries, hashed by key, the newest takes
 * the slot), holds at most MEMO_BYTES of results (a result over
 * MEMO_ITEM_MAX is never kept) and is shared by the server threads behind
 * one mutex, held to look up and to store, never while computing.
 */
#define MEMO_SLOTS 256
#define MEMO_BYTES (64u << 20)
#define MEMO_ITEM_MAX (16u << 20)

struct memo;

struct memo *memo_new(void);
void memo_free(struct memo *m);

/* *head = audit_head.seq now. DB_OK or DB_E*. */
int memo_head(struct db *db, int64_t *head /* OUT */);

/*
 * Append the bytes kept under key for head to out: 1 when found, 0 when
 * not (m may be NULL: never found).
 */
int memo_get(struct memo *m, const char *key, int64_t head, struct buf *out);

/* Keep len bytes under key for head (nothing when m is NULL, or over the limits). */
void memo_put(struct memo *m, const char *key, int64_t head, const void *data, size_t len);

/*
 * A key naming a result by what computes it: `what` (anything else the
 * result depends on, such as today's date), the SQL text and each bound
 * parameter, typed. malloc'd, or NULL when out of memory.
 */
char *memo_key(const char *what, const char *sql, const struct db_params *b);

/*
 * *n = the single integer that count_sql ("SELECT COUNT(*) ...") gives with
 * the parameters b on db, counted only when no write happened since it was
 * last counted. m may be NULL: then it is simply counted. DB_OK or DB_E*.
 */
int memo_count(struct memo *m, struct db *db, const char *count_sql,
	       const struct db_params *b, int64_t *n /* OUT */);

#endif
