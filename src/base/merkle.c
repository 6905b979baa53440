/* merkle.c - RFC 6962 Merkle tree heads, audit paths and consistency proofs over SHA-256, and the RFC 9162 verifiers. */
#include <string.h>
#include <openssl/evp.h>
#include "merkle.h"

/* SHA-256 of prefix || a || b; a failure of OpenSSL (never seen) gives zeros, which match nothing. */
static void sha256_3(unsigned char prefix, const void *a, size_t alen, const void *b, size_t blen,
		     merkle_hash out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, &prefix, 1) ||
	    (alen && !EVP_DigestUpdate(ctx, a, alen)) ||
	    (blen && !EVP_DigestUpdate(ctx, b, blen)) ||
	    !EVP_DigestFinal_ex(ctx, out, &n) || n != MERKLE_HASH_LEN)
		memset(out, 0, MERKLE_HASH_LEN);
	EVP_MD_CTX_free(ctx);
}

void merkle_leaf_hash(const void *data, size_t len, merkle_hash out)
{
	sha256_3(0x00, data, len, NULL, 0, out);
}

void merkle_node_hash(const merkle_hash left, const merkle_hash right, merkle_hash out)
{
	merkle_hash tmp;

	/* out may alias left or right */
	sha256_3(0x01, left, MERKLE_HASH_LEN, right, MERKLE_HASH_LEN, tmp);
	memcpy(out, tmp, MERKLE_HASH_LEN);
}

/* The largest power of two strictly smaller than n (n >= 2). */
static size_t split_point(size_t n)
{
	size_t k = 1;

	while (k < n - k)
		k <<= 1;
	return k;
}

void merkle_root(const merkle_hash *leaves, size_t n, merkle_hash out)
{
	merkle_hash l, r;
	size_t k;

	if (n == 0) {
		unsigned int len = 0;
		if (!EVP_Digest("", 0, out, &len, EVP_sha256(), NULL) || len != MERKLE_HASH_LEN)
			memset(out, 0, MERKLE_HASH_LEN);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], MERKLE_HASH_LEN);
		return;
	}
	k = split_point(n);
	merkle_root(leaves, k, l);
	merkle_root(leaves + k, n - k, r);
	merkle_node_hash(l, r, out);
}

/* Append one hash to a proof being built; -1 when full. */
static int push(merkle_hash *out, size_t cap, size_t *len, const merkle_hash h)
{
	if (*len >= cap)
		return -1;
	memcpy(out[*len], h, MERKLE_HASH_LEN);
	(*len)++;
	return 0;
}

/* RFC 6962 2.1.1 PATH(m, D[n]), appending to path. */
static int path_rec(const merkle_hash *leaves, size_t n, size_t m, merkle_hash *path, size_t cap,
		    size_t *len)
{
	merkle_hash h;
	size_t k;

	if (n <= 1)
		return 0;
	k = split_point(n);
	if (m < k) {
		if (path_rec(leaves, k, m, path, cap, len) != 0)
			return -1;
		merkle_root(leaves + k, n - k, h);
	} else {
		if (path_rec(leaves + k, n - k, m - k, path, cap, len) != 0)
			return -1;
		merkle_root(leaves, k, h);
	}
	return push(path, cap, len, h);
}

int merkle_inclusion_proof(const merkle_hash *leaves, size_t n, size_t index, merkle_hash *path,
			   size_t cap, size_t *len)
{
	*len = 0;
	if (index >= n)
		return -1;
	return path_rec(leaves, n, index, path, cap, len);
}

/* RFC 6962 2.1.2 SUBPROOF(m, D[n], b), appending to proof. */
static int subproof(const merkle_hash *leaves, size_t n, size_t m, int b, merkle_hash *proof,
		    size_t cap, size_t *len)
{
	merkle_hash h;
	size_t k;

	if (m == n) {
		if (b)
			return 0;
		merkle_root(leaves, m, h);
		return push(proof, cap, len, h);
	}
	k = split_point(n);
	if (m <= k) {
		if (subproof(leaves, k, m, b, proof, cap, len) != 0)
			return -1;
		merkle_root(leaves + k, n - k, h);
	} else {
		if (subproof(leaves + k, n - k, m - k, 0, proof, cap, len) != 0)
			return -1;
		merkle_root(leaves, k, h);
	}
	return push(proof, cap, len, h);
}

int merkle_consistency_proof(const merkle_hash *leaves, size_t n, size_t m, merkle_hash *proof,
			     size_t cap, size_t *len)
{
	*len = 0;
	if (m == 0 || m > n)
		return -1;
	return subproof(leaves, n, m, 1, proof, cap, len);
}

int merkle_verify_inclusion(size_t index, size_t size, const merkle_hash leaf,
			    const merkle_hash *path, size_t len, const merkle_hash root)
{
	size_t fn = index, sn;
	merkle_hash r;

	if (index >= size)
		return 0;
	sn = size - 1;
	memcpy(r, leaf, MERKLE_HASH_LEN);
	for (size_t i = 0; i < len; i++) {
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(path[i], r, r);
			if (!(fn & 1)) {
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
			}
		} else {
			merkle_node_hash(r, path[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, MERKLE_HASH_LEN) == 0;
}

int merkle_verify_consistency(size_t size1, size_t size2, const merkle_hash root1,
			      const merkle_hash root2, const merkle_hash *proof, size_t len)
{
	size_t fn, sn, i = 0;
	merkle_hash fr, sr;

	if (size1 > size2)
		return 0;
	if (size1 == size2)
		return len == 0 && memcmp(root1, root2, MERKLE_HASH_LEN) == 0;
	if (size1 == 0)
		return len == 0;
	if (len == 0)
		return 0;
	/* A first tree of a power-of-two size is itself a node of the second: it starts the path. */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, MERKLE_HASH_LEN);
	} else {
		memcpy(fr, proof[0], MERKLE_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, MERKLE_HASH_LEN);
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++) {
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], fr, fr);
			merkle_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(fr, root1, MERKLE_HASH_LEN) == 0 &&
	       memcmp(sr, root2, MERKLE_HASH_LEN) == 0;
}
