/* test_merkle.c - RFC 6962 Merkle tree heads, audit paths and consistency proofs against the Certificate Transparency reference test vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "../../src/base/merkle.h"

/*
 * The 8-leaf test tree of RFC 6962's reference implementation
 * (google/certificate-transparency, cpp/merkletree/merkle_tree_test.cc):
 * inputs, roots after 1..8 leaves, paths (sha256_paths, leaf numbers there
 * are 1-based) and consistency proofs (sha256_proofs), quoted as published.
 */
static const struct { const char *bytes; size_t len; } inputs[8] = {
	{ "", 0 },
	{ "\x00", 1 },
	{ "\x10", 1 },
	{ "\x20\x21", 2 },
	{ "\x30\x31", 2 },
	{ "\x40\x41\x42\x43", 4 },
	{ "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
	{ "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16 },
};

static const char *empty_root = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static const char *roots[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

#define H_96A2 "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
#define H_5F08 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
#define H_6B47 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
#define H_BC1A "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
#define H_CA85 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
#define H_D37E "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
#define H_FAC5 "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
#define H_6E34 "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
#define H_0EBC "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"

/* index is 0-based here (the reference's leaf number minus one). */
static const struct { size_t index, size, len; const char *path[3]; } paths[] = {
	{ 0, 1, 0, { NULL } },
	{ 0, 8, 3, { H_96A2, H_5F08, H_6B47 } },
	{ 5, 8, 3, { H_BC1A, H_CA85, H_D37E } },
	{ 2, 3, 1, { H_FAC5 } },
	{ 1, 5, 3, { H_6E34, H_5F08, H_BC1A } },
};

static const struct { size_t m, n, len; const char *proof[3]; } proofs[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3, { H_96A2, H_5F08, H_6B47 } },
	{ 6, 8, 3, { H_0EBC, H_CA85, H_D37E } },
	{ 2, 5, 2, { H_5F08, H_BC1A } },
};

static void hex(const unsigned char *h, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void unhex(const char *s, merkle_hash out)
{
	for (int i = 0; i < 32; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static void test_leaves(merkle_hash leaves[8])
{
	for (int i = 0; i < 8; i++)
		merkle_leaf_hash(inputs[i].bytes, inputs[i].len, leaves[i]);
}

static void test_roots(void **state)
{
	merkle_hash leaves[8], root;
	char h[65];

	(void)state;
	test_leaves(leaves);
	merkle_root(leaves, 0, root);
	hex(root, h);
	assert_string_equal(h, empty_root);
	for (size_t n = 1; n <= 8; n++) {
		merkle_root(leaves, n, root);
		hex(root, h);
		assert_string_equal(h, roots[n - 1]);
	}
}

static void test_inclusion_vectors(void **state)
{
	merkle_hash leaves[8], path[MERKLE_MAX_PROOF], root;
	size_t len;
	char h[65];

	(void)state;
	test_leaves(leaves);
	for (size_t t = 0; t < sizeof(paths) / sizeof(paths[0]); t++) {
		assert_int_equal(merkle_inclusion_proof(leaves, paths[t].size, paths[t].index, path,
							MERKLE_MAX_PROOF, &len), 0);
		assert_int_equal(len, paths[t].len);
		for (size_t i = 0; i < len; i++) {
			hex(path[i], h);
			assert_string_equal(h, paths[t].path[i]);
		}
		/* The verifier accepts the published path with the published root. */
		unhex(roots[paths[t].size - 1], root);
		for (size_t i = 0; i < len; i++)
			unhex(paths[t].path[i], path[i]);
		assert_int_equal(merkle_verify_inclusion(paths[t].index, paths[t].size,
							 leaves[paths[t].index], path, len, root), 1);
		/* ... and refuses it for another leaf, position, size or root. */
		assert_int_equal(merkle_verify_inclusion(paths[t].index, paths[t].size,
							 leaves[(paths[t].index + 1) % 8], path, len, root), 0);
		/* (a size with another depth: the size only binds through the path's shape) */
		assert_int_equal(merkle_verify_inclusion(paths[t].index, 2 * paths[t].size + 1,
							 leaves[paths[t].index], path, len, root), 0);
		if (len) {
			path[len - 1][7] ^= 0x20;
			assert_int_equal(merkle_verify_inclusion(paths[t].index, paths[t].size,
								 leaves[paths[t].index], path, len, root), 0);
		}
		root[0] ^= 1;
		assert_int_equal(merkle_verify_inclusion(paths[t].index, paths[t].size,
							 leaves[paths[t].index], path, len, root), 0);
	}
}

static void test_consistency_vectors(void **state)
{
	merkle_hash leaves[8], proof[MERKLE_MAX_PROOF], r1, r2;
	size_t len;
	char h[65];

	(void)state;
	test_leaves(leaves);
	for (size_t t = 0; t < sizeof(proofs) / sizeof(proofs[0]); t++) {
		assert_int_equal(merkle_consistency_proof(leaves, proofs[t].n, proofs[t].m, proof,
							  MERKLE_MAX_PROOF, &len), 0);
		assert_int_equal(len, proofs[t].len);
		for (size_t i = 0; i < len; i++) {
			hex(proof[i], h);
			assert_string_equal(h, proofs[t].proof[i]);
		}
		unhex(roots[proofs[t].m - 1], r1);
		unhex(roots[proofs[t].n - 1], r2);
		for (size_t i = 0; i < len; i++)
			unhex(proofs[t].proof[i], proof[i]);
		assert_int_equal(merkle_verify_consistency(proofs[t].m, proofs[t].n, r1, r2, proof, len), 1);
		if (proofs[t].m == proofs[t].n)
			continue;
		/* Swapped heads, a wrong old size, a changed proof hash: all refused. */
		assert_int_equal(merkle_verify_consistency(proofs[t].m, proofs[t].n, r2, r1, proof, len), 0);
		assert_int_equal(merkle_verify_consistency(proofs[t].m + 1, proofs[t].n, r1, r2, proof, len), 0);
		proof[0][31] ^= 0x80;
		assert_int_equal(merkle_verify_consistency(proofs[t].m, proofs[t].n, r1, r2, proof, len), 0);
	}
}

/* Every leaf of every size 1..8: the generated path verifies against the published roots. */
static void test_inclusion_all_sizes(void **state)
{
	merkle_hash leaves[8], path[MERKLE_MAX_PROOF], root;
	size_t len;

	(void)state;
	test_leaves(leaves);
	for (size_t n = 1; n <= 8; n++) {
		unhex(roots[n - 1], root);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(merkle_inclusion_proof(leaves, n, i, path, MERKLE_MAX_PROOF, &len), 0);
			assert_int_equal(merkle_verify_inclusion(i, n, leaves[i], path, len, root), 1);
			assert_int_equal(merkle_verify_inclusion(i, n, leaves[(i + 1) % n], path, len, root),
					 n == 1 ? 1 : 0);
		}
	}
}

/* Every pair of sizes 1..8: the generated proof verifies against the published roots. */
static void test_consistency_all_sizes(void **state)
{
	merkle_hash leaves[8], proof[MERKLE_MAX_PROOF], r1, r2, e;
	size_t len;

	(void)state;
	test_leaves(leaves);
	for (size_t n = 1; n <= 8; n++) {
		for (size_t m = 1; m <= n; m++) {
			unhex(roots[m - 1], r1);
			unhex(roots[n - 1], r2);
			assert_int_equal(merkle_consistency_proof(leaves, n, m, proof, MERKLE_MAX_PROOF, &len), 0);
			assert_int_equal(merkle_verify_consistency(m, n, r1, r2, proof, len), 1);
			if (m < n) {
				/* A proof for a rewritten history fails: change the old head. */
				r1[3] ^= 4;
				assert_int_equal(merkle_verify_consistency(m, n, r1, r2, proof, len), 0);
			}
		}
	}
	/* The empty tree precedes any tree, with an empty proof only. */
	unhex(empty_root, e);
	unhex(roots[7], r2);
	assert_int_equal(merkle_verify_consistency(0, 8, e, r2, proof, 0), 1);
	assert_int_equal(merkle_verify_consistency(0, 8, e, r2, proof, 1), 0);
	/* A shrinking tree is never consistent. */
	assert_int_equal(merkle_verify_consistency(8, 7, r2, r2, proof, 0), 0);
}

/* Larger, uneven trees: each proof the generator makes, the verifier accepts. */
static void test_large_uneven(void **state)
{
	enum { N = 300 };
	static merkle_hash leaves[N];
	merkle_hash proof[MERKLE_MAX_PROOF], r1, r2;
	size_t len;

	(void)state;
	for (int i = 0; i < N; i++) {
		unsigned char b[2] = { (unsigned char)(i >> 8), (unsigned char)i };
		merkle_leaf_hash(b, sizeof(b), leaves[i]);
	}
	for (size_t n = 1; n <= N; n += 37) {
		merkle_root(leaves, n, r2);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(merkle_inclusion_proof(leaves, n, i, proof, MERKLE_MAX_PROOF, &len), 0);
			assert_int_equal(merkle_verify_inclusion(i, n, leaves[i], proof, len, r2), 1);
		}
		for (size_t m = 1; m <= n; m += 7) {
			merkle_root(leaves, m, r1);
			assert_int_equal(merkle_consistency_proof(leaves, n, m, proof, MERKLE_MAX_PROOF, &len), 0);
			assert_int_equal(merkle_verify_consistency(m, n, r1, r2, proof, len), 1);
		}
	}
}

static void test_bad_arguments(void **state)
{
	merkle_hash leaves[8], proof[MERKLE_MAX_PROOF];
	size_t len = 99;

	(void)state;
	test_leaves(leaves);
	assert_int_equal(merkle_inclusion_proof(leaves, 8, 8, proof, MERKLE_MAX_PROOF, &len), -1);
	assert_int_equal(merkle_inclusion_proof(leaves, 0, 0, proof, MERKLE_MAX_PROOF, &len), -1);
	assert_int_equal(merkle_inclusion_proof(leaves, 8, 0, proof, 2, &len), -1);	/* needs 3 */
	assert_int_equal(merkle_consistency_proof(leaves, 8, 0, proof, MERKLE_MAX_PROOF, &len), -1);
	assert_int_equal(merkle_consistency_proof(leaves, 5, 6, proof, MERKLE_MAX_PROOF, &len), -1);
	assert_int_equal(merkle_consistency_proof(leaves, 8, 6, proof, 2, &len), -1);
	/* index outside the tree never verifies */
	assert_int_equal(merkle_verify_inclusion(8, 8, leaves[0], proof, 0, leaves[0]), 0);
	/* a one-leaf tree's head is its leaf hash, with an empty path */
	assert_int_equal(merkle_verify_inclusion(0, 1, leaves[0], proof, 0, leaves[0]), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_inclusion_vectors),
		cmocka_unit_test(test_consistency_vectors),
		cmocka_unit_test(test_inclusion_all_sizes),
		cmocka_unit_test(test_consistency_all_sizes),
		cmocka_unit_test(test_large_uneven),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
