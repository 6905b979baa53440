/* dlog.h - the disclosure transparency log: published versions appended to an RFC 6962 Merkle log, SM2-signed checkpoints, proofs and the whole-log check. */
#ifndef ZB_DLOG_H
#define ZB_DLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "../../app/app.h"

/*
 * A checkpoint signs this text (UTF-8, LF line ends, nothing else):
 *   "zhibu-dlog-v1\n" <tree_size> "\n" <root, 64 lowercase hex> "\n" <signed_at> "\n"
 * with SM2 over SM3 and the user id SM2_DEFAULT_ID ("1234567812345678").
 * docs/verify-disclosure.md shows how to check it with `openssl`.
 */
#define DLOG_CHECKPOINT_HEADER "zhibu-dlog-v1"

/* Append one leaf inside the caller's transaction; returns its index >= 0 or a negative DB_E*. */
int64_t dlog_append(struct db *db, int64_t version_id, const void *leaf, size_t len);

/*
 * Inclusion proof for leaf `index` against the latest signed checkpoint
 * that contains it (or the current tree when none does yet):
 * {leaf_index, version_id, leaf (base64), leaf_hash, tree_size, root,
 *  audit_path:[hex...], checkpoint:{id, tree_size, root, signed_at,
 *  signature (base64), public_key (PEM), message} | null}.
 * NULL when the index is unknown or on a database error.
 */
json_t *dlog_proof_json(struct db *db, int64_t index);

/* The leaf index of a disclosure version's leaf, -1 when it has none, or a negative DB_E* (< -1). */
int64_t dlog_index_of(struct db *db, int64_t version_id);

/* {size, root, checkpoint | null, public_key | null}; NULL on a database error. `app` may be NULL. */
json_t *dlog_head_json(struct db *db, const struct app *app);

/* {from, to, root_from, root_to, proof:[hex...]} for 0 < from <= to <= size; NULL when out of range. */
json_t *dlog_consistency_json(struct db *db, int64_t from, int64_t to);

/*
 * The daily job (src/app/jobs.h job_fn): sign a checkpoint (tree size +
 * root + time) when the tree grew since the latest one or the latest was
 * not signed today (UTC). Creates the signing key (cfg.signing_key, mode
 * 0600) on first need. Refuses to sign, and fails, when the log no longer
 * matches the previous checkpoint.
 */
int dlog_checkpoint_job(const struct app *app, struct db *db, const char *day, char *detail,
			size_t detail_len);

/*
 * Check the whole log: every leaf's hash against its bytes and against the
 * bytes recomputed from the disclosure rows (disclosure_leaf_bytes), every
 * checkpoint's root and SM2 signature (and that its key is the township's
 * when the key file is readable), consistency between consecutive
 * checkpoints. Prints one line per problem naming the disclosure version and
 * what differs to `out`; returns the number of problems (0 = all good) or
 * -1 on a database error. `app` may be NULL (no key comparison).
 */
int dlog_verify(struct db *db, const struct app *app, FILE *out);

/* Public routes (ROUTE_PUBLIC, no personal data). */
void dlog_http_head(struct req *r);		/* GET /api/v1/public/log */
void dlog_http_proof(struct req *r);		/* GET /api/v1/public/log/proof/:index */
void dlog_http_consistency(struct req *r);	/* GET /api/v1/public/log/consistency?from=&to= */

#endif
