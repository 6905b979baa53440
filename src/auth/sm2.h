/* sm2.h - the township's SM2 signing key (PEM file, mode 0600) and SM2-with-SM3 signatures with the standard user id. */
#ifndef ZB_SM2_H
#define ZB_SM2_H

#include <stddef.h>
#include <openssl/evp.h>

/* The default distinguishing identifier of GB/T 32918 / GM/T 0009. */
#define SM2_DEFAULT_ID "1234567812345678"
/* A DER SM2 signature (SEQUENCE of two INTEGERs of at most 33 bytes) fits in this. */
#define SM2_SIG_MAX 80

/* A fresh SM2 key pair; NULL on failure. Free with EVP_PKEY_free. */
EVP_PKEY *sm2_key_generate(void);

/*
 * Write `key` as a PKCS#8 PEM private key to `path`, created with mode 0600;
 * fails if the file exists. 0 / -1.
 */
int sm2_key_save(const char *path, EVP_PKEY *key);

/*
 * Read the private key at `path`. Refuses a file readable by group or
 * others and a key that is not SM2. NULL with the reason (Chinese) in err.
 */
EVP_PKEY *sm2_key_load(const char *path, char *err, size_t errlen);

/* Load the key at `path`, or create it (and its directory's file) when missing. NULL with err set. */
EVP_PKEY *sm2_key_load_or_create(const char *path, char *err, size_t errlen);

/* The public key as SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----..."), malloc'd; NULL on failure. */
char *sm2_public_pem(EVP_PKEY *key);
/* Parse a public key PEM; NULL when it is not an SM2 public key. Free with EVP_PKEY_free. */
EVP_PKEY *sm2_public_from_pem(const char *pem);

/*
 * Sign msg with SM2 over SM3(Z || msg), Z computed with `id` (NULL = the
 * standard id). The DER signature goes to sig (SM2_SIG_MAX bytes), its
 * length to *siglen. 0 / -1.
 */
int sm2_sign(EVP_PKEY *key, const char *id, const void *msg, size_t len,
	     unsigned char *sig /* OUT */, size_t *siglen /* OUT */);

/* Verify a DER signature the same way: 1 valid, 0 invalid (or malformed). */
int sm2_verify(EVP_PKEY *key, const char *id, const void *msg, size_t len,
	       const unsigned char *sig, size_t siglen);

#endif
