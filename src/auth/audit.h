/* audit.h - the append-only audit log, HMAC-SM3 chained, and its verifier. */
#ifndef ZB_AUDIT_H
#define ZB_AUDIT_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "crypt.h"
#include "../db/db.h"

/* Who made a change, from where. Strings may be NULL. */
struct audit_who {
	int64_t user_id;	/* 0 = the system / command line */
	const char *username;
	const char *ip;
	const char *request_id;
};

/*
 * Append one row inside the caller's open transaction. `before`/`after` are
 * borrowed and stored as compact JSON with sorted keys (NULL -> SQL NULL).
 * The row's hash is HMAC-SM3(audit key, prev_hash || canonical(row)), and
 * audit_head is advanced in the same transaction, which also serialises
 * concurrent writers. Returns DB_OK or a DB_E* error.
 */
int audit_append(struct db *db, const struct keys *k, const struct audit_who *who,
		 const char *entity, int64_t entity_id, const char *action,
		 const json_t *before, const json_t *after);

/*
 * The text an image is stored and hashed as: json_dumps(v, JSON_COMPACT |
 * JSON_SORT_KEYS), byte for byte, made faster. malloc'd, caller frees;
 * NULL for NULL (or when jansson would give NULL).
 */
char *audit_image_text(const json_t *v);

/*
 * Walk the whole chain. Every broken link is reported to `report` as one line
 * naming the row (seq and id) and what is wrong: edited, deleted, inserted,
 * or a head that does not match the last row. Returns the number of
 * problems (0 = intact) or -1 when the log could not be read.
 */
int audit_verify(struct db *db, const struct keys *k, FILE *report, int64_t *rows /* OUT */);

#endif
