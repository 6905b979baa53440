/* merkle.h - RFC 6962 / RFC 9162 Merkle tree hashing over SHA-256: tree heads, inclusion and consistency proofs, and their verification. */
#ifndef ZB_MERKLE_H
#define ZB_MERKLE_H

#include <stddef.h>

/*
 * Pure functions, no allocation visible to the caller, no database. A tree
 * is given as the array of its leaf hashes (each MERKLE_HASH_LEN bytes, in
 * leaf order); sizes need not be powers of two.
 *
 *   leaf hash  = SHA-256(0x00 || leaf bytes)
 *   node hash  = SHA-256(0x01 || left || right)
 *   empty tree = SHA-256("")
 *
 * Proofs are arrays of hashes, ordered from the leaf upwards exactly as
 * RFC 6962 section 2.1.1 (PATH) and 2.1.2 (PROOF) define them; no proof is
 * longer than MERKLE_MAX_PROOF hashes for any size that fits in size_t.
 */
#define MERKLE_HASH_LEN 32
#define MERKLE_MAX_PROOF 128

typedef unsigned char merkle_hash[MERKLE_HASH_LEN];

void merkle_leaf_hash(const void *data, size_t len, merkle_hash out /* OUT */);
void merkle_node_hash(const merkle_hash left, const merkle_hash right, merkle_hash out /* OUT */);

/* MTH of the first n leaves (n = 0 gives the empty-tree hash). */
void merkle_root(const merkle_hash *leaves, size_t n, merkle_hash out /* OUT */);

/*
 * PATH(index, D[0:n]): the audit path of leaf `index` in the tree of the
 * first n leaves into path[0..*len). 0, or -1 when index >= n or cap is too
 * small.
 */
int merkle_inclusion_proof(const merkle_hash *leaves, size_t n, size_t index,
			   merkle_hash *path /* OUT */, size_t cap, size_t *len /* OUT */);

/*
 * PROOF(m, D[0:n]): the consistency proof from the tree of the first m
 * leaves to the tree of the first n into proof[0..*len). 0 < m <= n; m = n
 * gives an empty proof. 0, or -1 on bad sizes or a too small cap.
 */
int merkle_consistency_proof(const merkle_hash *leaves, size_t n, size_t m,
			     merkle_hash *proof /* OUT */, size_t cap, size_t *len /* OUT */);

/*
 * RFC 9162 section 2.1.3.2: does `leaf` (a leaf hash) sit at `index` of the
 * tree of `size` leaves whose head is `root`, by `path`? 1 yes, 0 no.
 */
int merkle_verify_inclusion(size_t index, size_t size, const merkle_hash leaf,
			    const merkle_hash *path, size_t len, const merkle_hash root);

/*
 * RFC 9162 section 2.1.4.2: is the tree of `size2` leaves with head `root2`
 * an append-only extension of the tree of `size1` leaves with head `root1`,
 * by `proof`? 1 yes, 0 no. size1 = size2 needs an empty proof and equal
 * heads; size1 = 0 needs an empty proof (the empty tree precedes any).
 */
int merkle_verify_consistency(size_t size1, size_t size2, const merkle_hash root1,
			      const merkle_hash root2, const merkle_hash *proof, size_t len);

#endif
