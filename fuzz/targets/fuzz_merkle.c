/* fuzz_merkle.c - fuzz target: the RFC 9162 inclusion and consistency proof verifiers (src/base/merkle.h). */
#include "fuzz.h"
#include "../../src/base/merkle.h"

#define MAX_LEAVES 64

/* A size_t read from the input (8 bytes, fewer at its end); advances *p. */
static size_t take_size(const uint8_t **p, size_t *left)
{
	size_t v = 0;

	for (int i = 0; i < 8 && *left > 0; i++, (*p)++, (*left)--)
		v = (v << 8) | **p;
	return v;
}

/*
 * The input is: a control byte, n (leaves, < MAX_LEAVES), an index and a
 * second size, then bytes used as leaf data and as a forged proof.
 * Properties: proofs made by merkle_*_proof for the honest tree verify; the
 * same proof with one flipped bit does not, nor does a consistency proof
 * with the two heads swapped; forged proofs for arbitrary (even absurd) sizes and indices
 * never crash and verify only when they equal the honest one.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t left = size, n, idx, m, len, flen;
	merkle_hash *leaves, root, root_m, path[MERKLE_MAX_PROOF], forged[MERKLE_MAX_PROOF];
	uint8_t ctl;

	if (size < 1)
		return 0;
	ctl = *p++;
	left--;
	n = take_size(&p, &left);
	idx = take_size(&p, &left);
	m = take_size(&p, &left);

	/* forged proofs over absurd sizes: whatever the verdict, no crash */
	flen = left / MERKLE_HASH_LEN;
	if (flen > MERKLE_MAX_PROOF)
		flen = MERKLE_MAX_PROOF;
	memcpy(forged, p, flen * MERKLE_HASH_LEN);
	memset(root, ctl, sizeof(root));
	(void)merkle_verify_inclusion(idx, n, forged[0], forged, flen, root);
	(void)merkle_verify_consistency(m, n, root, root, forged, flen);

	n %= MAX_LEAVES;
	leaves = calloc(n ? n : 1, sizeof(*leaves));
	FUZZ_CHECK(leaves != NULL);
	for (size_t i = 0; i < n; i++)
		merkle_leaf_hash(p, i < left ? i : left, leaves[i]);
	merkle_root(leaves, n, root);

	if (n > 0) {
		idx %= n;
		FUZZ_CHECK(merkle_inclusion_proof(leaves, n, idx, path, MERKLE_MAX_PROOF, &len) == 0);
		FUZZ_CHECK(merkle_verify_inclusion(idx, n, leaves[idx], path, len, root) == 1);
		if (len > 0) {
			path[ctl % len][ctl % MERKLE_HASH_LEN] ^= (uint8_t)(1u << (ctl % 8));
			FUZZ_CHECK(merkle_verify_inclusion(idx, n, leaves[idx], path, len, root) == 0);
			path[ctl % len][ctl % MERKLE_HASH_LEN] ^= (uint8_t)(1u << (ctl % 8));
		}
		if (flen > 0 && (flen != len || memcmp(forged, path, len * MERKLE_HASH_LEN) != 0))
			FUZZ_CHECK(merkle_verify_inclusion(idx, n, leaves[idx], forged, flen, root) == 0);

		m = m % n + 1;
		merkle_root(leaves, m, root_m);
		FUZZ_CHECK(merkle_consistency_proof(leaves, n, m, path, MERKLE_MAX_PROOF, &len) == 0);
		FUZZ_CHECK(merkle_verify_consistency(m, n, root_m, root, path, len) == 1);
		if (len > 0) {
			path[ctl % len][ctl % MERKLE_HASH_LEN] ^= 0x80;
			FUZZ_CHECK(merkle_verify_consistency(m, n, root_m, root, path, len) == 0);
		}
		if (m < n)
			FUZZ_CHECK(merkle_verify_consistency(m, n, root, root_m, path, len) == 0);
	}
	free(leaves);
	return 0;
}
