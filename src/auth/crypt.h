/* crypt.h - keys, SM3/HMAC-SM3, SM4 field encryption (encrypt-then-MAC), blind indexes, random tokens. */
#ifndef ZB_CRYPT_H
#define ZB_CRYPT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The key file (mode 0600, created at init) holds four independent 32-byte
 * keys as "name=hex" lines. The SM4 key uses the first 16 bytes of `enc`.
 * Loaded once at start-up and never changed (configuration, not state).
 */
struct keys {
	unsigned char enc[32];		/* SM4-CBC field encryption */
	unsigned char mac[32];		/* HMAC-SM3 over IV||ciphertext */
	unsigned char blind[32];	/* HMAC-SM3 blind index */
	unsigned char audit[32];	/* HMAC-SM3 audit chain */
};

/* Create a new key file with fresh random keys; fails if it exists. 0 / -1. */
int keys_create(const char *path);
/* Load; fails if missing, malformed, or readable by group/others. 0 / -1, reason in err. */
int keys_load(const char *path, struct keys *k /* OUT */, char *err, size_t errlen);

/* SM3 digest (32 bytes) and HMAC-SM3 (32 bytes). */
void sm3_digest(const void *data, size_t len, unsigned char out[32]);
void hmac_sm3(const unsigned char *key, size_t keylen, const void *data, size_t len,
	      unsigned char out[32]);

/* SM4 single-block ECB, for the standard's test vectors. 0 / -1. */
int sm4_encrypt_block(const unsigned char key[16], const unsigned char in[16], unsigned char out[16]);

/*
 * Encrypt a text field: random 16-byte IV, SM4-CBC with PKCS#7 padding, then
 * HMAC-SM3 over version||IV||ciphertext. Result is base64 text
 * "v1:<base64(IV||CT||TAG)>", malloc'd, caller frees. NULL on failure.
 */
char *field_encrypt(const struct keys *k, const char *plain);
/* Verify the tag first (constant time), then decrypt; malloc'd, NULL if tampered or bad. */
char *field_decrypt(const struct keys *k, const char *sealed);
/*
 * Blind index: lowercase hex of HMAC-SM3(blind key, domain || 0 || value),
 * 64 chars + NUL into out. `domain` separates e.g. "idcard" from "phone".
 */
void blind_index(const struct keys *k, const char *domain, const char *value, char out[65]);

/* Hex and base64 helpers; return the output length or -1. */
void hex_encode(const unsigned char *in, size_t n, char *out /* 2n+1 */);
/* Upper- or lowercase hex, even length; bytes written or -1 (bad char, odd, too long). */
int hex_decode(const char *in, unsigned char *out, size_t outcap);
/* Standard padded base64 (RFC 4648 section 4) plus NUL; needs outcap >= 4*ceil(n/3)+1. */
int base64_encode(const unsigned char *in, size_t n, char *out, size_t outcap);
/* Strict padded base64 (no spaces, canonical trailing bits); bytes written or -1. */
int base64_decode(const char *in, unsigned char *out, size_t outcap);
/* Random bytes (libsodium) and a random token of `nbytes` as hex into out (2n+1). */
void random_bytes(void *buf, size_t n);
void random_token(char *out, size_t nbytes);
/* Constant-time comparison of equal-length buffers: 1 equal, 0 not. */
int ct_equal(const void *a, const void *b, size_t n);

#endif
