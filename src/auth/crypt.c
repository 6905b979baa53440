/* crypt.c - the key file, SM3/HMAC-SM3, SM4 field encryption (encrypt-then-MAC), blind indexes, encodings, randomness. */
#include "crypt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>
#include <sodium.h>

#define SM4_KEY_LEN	16
#define SM4_BLOCK	16
#define TAG_LEN		32
#define FIELD_PREFIX	"v1:"
#define FIELD_VERSION	"v1"		/* authenticated in front of IV||CT */
#define KEY_FILE_MAX	4096		/* a valid file is 4 * 69 bytes */
#define FIELD_MAX	(16u << 20)	/* a text field is never 16 MiB */

/* One input of a multi-part MAC. */
struct part {
	const void *p;
	size_t n;
};

/* The four key lines, in file order. */
static const struct {
	const char *name;
	size_t off;
} key_lines[] = {
	{ "enc", offsetof(struct keys, enc) },
	{ "mac", offsetof(struct keys, mac) },
	{ "blind", offsetof(struct keys, blind) },
	{ "audit", offsetof(struct keys, audit) },
};
#define N_KEY_LINES (sizeof(key_lines) / sizeof(key_lines[0]))

/*
 * A primitive that cannot fail unless OpenSSL or libsodium is broken (SM3
 * missing from the build, the kernel's random source gone). Carrying on
 * with a zero digest would make every blind index collide and the audit
 * chain meaningless, so stop the process loudly instead.
 */
static _Noreturn void crypto_die(const char *what)
{
	fprintf(stderr, "zhibu: 密码运算失败（%s），进程终止\n", what);
	abort();
}

/* sodium_init() is idempotent and thread-safe; -1 means no usable RNG. */
static void sodium_ready(void)
{
	if (sodium_init() < 0)
		crypto_die("sodium_init");
}

/*
 * Algorithms and keyed contexts, made once instead of on every call.
 *
 * Fetching HMAC or SM4-CBC by name, building a context and running the
 * key schedule (for HMAC-SM3 two compressions of the padded key) cost more
 * than the MAC of a short field itself. So:
 *
 *  - the algorithms are fetched once per process (pthread_once); fetched
 *    EVP_MAC / EVP_CIPHER / EVP_MD objects are immutable and may be shared
 *    by threads (OpenSSL 3 "explicit fetching");
 *  - each thread keeps a few contexts already keyed, found by the key's
 *    bytes: an HMAC-SM3 context per 32-byte key, an SM4-CBC encryption and
 *    a decryption context per SM4 key. A context is never shared between
 *    threads, so no lock is taken. Before each use it is re-initialised
 *    with a NULL key, which OpenSSL defines as "same key": HMAC restarts
 *    from its saved inner state, SM4 takes the new IV and keeps its round
 *    keys.
 *
 * The cache is keyed by the bytes, not by the struct keys pointer, so keys
 * built by hand, copied or reloaded always get a context for the key they
 * hold. It lives in thread-local storage: a thread's contexts and its
 * copies of the keys are wiped and freed when the thread exits (a pthread
 * key destructor); the main thread's stay until the process ends, as its
 * struct keys does. Any failure here falls back to a fresh context.
 */
#define MAC_SLOTS	4	/* the mac, blind and audit keys, and one spare */
#define SM4_SLOTS	2

struct mac_slot {
	EVP_MAC_CTX *ctx;	/* keyed with key; NULL = empty slot */
	int used;		/* finalised since keyed: re-initialise first */
	unsigned char key[32];
};

struct sm4_slot {
	EVP_CIPHER_CTX *enc, *dec;	/* keyed with key; NULL = empty slot */
	unsigned char key[SM4_KEY_LEN];
};

struct crypt_cache {
	struct mac_slot mac[MAC_SLOTS];
	struct sm4_slot sm4[SM4_SLOTS];
	unsigned mac_next, sm4_next;	/* the slot to replace next */
	int registered;			/* the exit destructor is armed */
};

static pthread_once_t algs_once = PTHREAD_ONCE_INIT;
static EVP_MAC *alg_hmac;		/* NULL if the fetch failed */
static EVP_CIPHER *alg_sm4_cbc;
static EVP_MD *alg_sm3;
static pthread_key_t cache_key;
static int cache_key_ok;
static _Thread_local struct crypt_cache tl_cache;

static void mac_slot_clear(struct mac_slot *s)
{
	EVP_MAC_CTX_free(s->ctx);	/* cleanses the key pads */
	s->ctx = NULL;
	s->used = 0;
	sodium_memzero(s->key, sizeof(s->key));
}

static void sm4_slot_clear(struct sm4_slot *s)
{
	EVP_CIPHER_CTX_free(s->enc);	/* cleanses the round keys */
	EVP_CIPHER_CTX_free(s->dec);
	s->enc = s->dec = NULL;
	sodium_memzero(s->key, sizeof(s->key));
}

/* pthread key destructor: the exiting thread's own tl_cache. */
static void cache_release(void *p)
{
	struct crypt_cache *c = p;

	for (size_t i = 0; i < MAC_SLOTS; i++)
		mac_slot_clear(&c->mac[i]);
	for (size_t i = 0; i < SM4_SLOTS; i++)
		sm4_slot_clear(&c->sm4[i]);
	c->registered = 0;
}

static void algs_fetch(void)
{
	alg_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	alg_sm4_cbc = EVP_CIPHER_fetch(NULL, "SM4-CBC", NULL);
	alg_sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
	cache_key_ok = pthread_key_create(&cache_key, cache_release) == 0;
}

static void algs_ready(void)
{
	if (pthread_once(&algs_once, algs_fetch) != 0)
		crypto_die("pthread_once");
}

/*
 * This thread's cache, with its exit destructor armed; NULL when the
 * destructor cannot be armed (then nothing is cached, so nothing leaks).
 */
static struct crypt_cache *cache_get(void)
{
	struct crypt_cache *c = &tl_cache;

	algs_ready();
	if (!c->registered) {
		if (!cache_key_ok || pthread_setspecific(cache_key, c) != 0)
			return NULL;
		c->registered = 1;
	}
	return c;
}

/* The HMAC-SM3 parameters: digest name. */
static void hmac_params(OSSL_PARAM params[2])
{
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0);
	params[1] = OSSL_PARAM_construct_end();
}

/*
 * A context keyed with the 32-byte key and ready for EVP_MAC_update, from
 * this thread's cache; NULL if none can be made (the caller then uses a
 * fresh one). The context stays owned by the cache.
 */
static EVP_MAC_CTX *mac_cached(const unsigned char key[32])
{
	struct crypt_cache *c = cache_get();
	struct mac_slot *s;
	OSSL_PARAM params[2];

	if (!c || !alg_hmac)
		return NULL;
	for (size_t i = 0; i < MAC_SLOTS; i++) {
		s = &c->mac[i];
		if (!s->ctx || sodium_memcmp(s->key, key, 32) != 0)
			continue;
		if (s->used && !EVP_MAC_init(s->ctx, NULL, 0, NULL)) {
			mac_slot_clear(s);
			return NULL;
		}
		s->used = 1;
		return s->ctx;
	}
	s = &c->mac[c->mac_next];
	c->mac_next = (c->mac_next + 1) % MAC_SLOTS;
	mac_slot_clear(s);
	s->ctx = EVP_MAC_CTX_new(alg_hmac);
	hmac_params(params);
	if (!s->ctx || !EVP_MAC_init(s->ctx, key, 32, params)) {
		mac_slot_clear(s);
		return NULL;
	}
	memcpy(s->key, key, 32);
	s->used = 1;
	return s->ctx;
}

/*
 * A context keyed with the SM4 key for encryption (enc = 1) or decryption
 * (enc = 0), with its IV set to iv; NULL if none can be made. Owned by the
 * cache.
 */
static EVP_CIPHER_CTX *sm4_cached(const unsigned char key[SM4_KEY_LEN], int enc,
				  const unsigned char iv[SM4_BLOCK])
{
	struct crypt_cache *c = cache_get();
	struct sm4_slot *s = NULL;
	EVP_CIPHER_CTX **ctx;

	if (!c || !alg_sm4_cbc)
		return NULL;
	for (size_t i = 0; i < SM4_SLOTS; i++) {
		if (c->sm4[i].enc && sodium_memcmp(c->sm4[i].key, key, SM4_KEY_LEN) == 0) {
			s = &c->sm4[i];
			break;
		}
	}
	if (!s) {
		s = &c->sm4[c->sm4_next];
		c->sm4_next = (c->sm4_next + 1) % SM4_SLOTS;
		sm4_slot_clear(s);
		s->enc = EVP_CIPHER_CTX_new();
		s->dec = EVP_CIPHER_CTX_new();
		if (!s->enc || !s->dec ||
		    !EVP_CipherInit_ex2(s->enc, alg_sm4_cbc, key, NULL, 1, NULL) ||
		    !EVP_CipherInit_ex2(s->dec, alg_sm4_cbc, key, NULL, 0, NULL)) {
			sm4_slot_clear(s);
			return NULL;
		}
		memcpy(s->key, key, SM4_KEY_LEN);
	}
	ctx = enc ? &s->enc : &s->dec;
	/* NULL cipher and key: same algorithm and round keys, new IV. */
	if (!EVP_CipherInit_ex2(*ctx, NULL, NULL, iv, enc, NULL)) {
		sm4_slot_clear(s);
		return NULL;
	}
	return *ctx;
}

/*
 * HMAC-SM3 over the concatenation of parts[0..n). 0 / -1. A 32-byte key
 * (every key of struct keys) uses this thread's keyed context; any other
 * length, or a cache that cannot be filled, a fresh context. An empty key
 * is passed as a non-NULL pointer: OpenSSL reads a NULL key as "keep the
 * previous key", and a fresh context has none.
 */
static int hmac_sm3_parts(const unsigned char *key, size_t keylen, const struct part *parts,
			  size_t n, unsigned char out[32])
{
	static const unsigned char empty = 0;
	EVP_MAC_CTX *ctx = NULL, *fresh = NULL;
	OSSL_PARAM params[2];
	size_t outlen = 0;
	int rc = -1;

	if (keylen == 32)
		ctx = mac_cached(key);
	if (!ctx) {
		algs_ready();
		if (!alg_hmac)
			return -1;
		ctx = fresh = EVP_MAC_CTX_new(alg_hmac);
		hmac_params(params);
		if (!fresh || !EVP_MAC_init(fresh, keylen ? key : &empty, keylen, params))
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (parts[i].n && !EVP_MAC_update(ctx, parts[i].p, parts[i].n))
			goto out;
	}
	if (!EVP_MAC_final(ctx, out, &outlen, 32) || outlen != 32)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(fresh);
	return rc;
}

void sm3_digest(const void *data, size_t len, unsigned char out[32])
{
	unsigned int outlen = 0;

	algs_ready();
	if (!alg_sm3 || !EVP_Digest(len ? data : "", len, out, &outlen, alg_sm3, NULL) ||
	    outlen != 32)
		crypto_die("SM3");
}

void hmac_sm3(const unsigned char *key, size_t keylen, const void *data, size_t len,
	      unsigned char out[32])
{
	struct part p = { data, len };

	if (hmac_sm3_parts(key, keylen, &p, 1, out) < 0)
		crypto_die("HMAC-SM3");
}

int sm4_encrypt_block(const unsigned char key[16], const unsigned char in[16], unsigned char out[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, rc = -1;

	if (!ctx)
		return -1;
	if (EVP_EncryptInit_ex(ctx, EVP_sm4_ecb(), NULL, key, NULL) &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	    EVP_EncryptUpdate(ctx, out, &n, in, SM4_BLOCK) &&
	    EVP_EncryptFinal_ex(ctx, out + n, &m) && n + m == SM4_BLOCK)
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/*
 * The tag of a sealed field: HMAC-SM3(mac key, "v1" || IV || CT). The
 * version is inside the MAC so a future "v2" layout cannot be confused
 * with this one.
 */
static int field_tag(const struct keys *k, const unsigned char *iv_ct, size_t n,
		     unsigned char tag[TAG_LEN])
{
	struct part parts[2] = {
		{ FIELD_VERSION, sizeof(FIELD_VERSION) - 1 },
		{ iv_ct, n },
	};

	return hmac_sm3_parts(k->mac, sizeof(k->mac), parts, 2, tag);
}

/*
 * A context for SM4-CBC under the field key with this IV, for encryption
 * (enc = 1) or decryption (enc = 0): this thread's cached one, else a
 * fresh one returned in *fresh for the caller to free. NULL on failure.
 */
static EVP_CIPHER_CTX *sm4_ctx(const struct keys *k, int enc, const unsigned char iv[SM4_BLOCK],
			       EVP_CIPHER_CTX **fresh /* OUT */)
{
	EVP_CIPHER_CTX *ctx = sm4_cached(k->enc, enc, iv);

	*fresh = NULL;
	if (ctx)
		return ctx;
	algs_ready();
	if (!alg_sm4_cbc || !(*fresh = EVP_CIPHER_CTX_new()))
		return NULL;
	if (!EVP_CipherInit_ex2(*fresh, alg_sm4_cbc, k->enc, iv, enc, NULL)) {
		EVP_CIPHER_CTX_free(*fresh);
		*fresh = NULL;
		return NULL;
	}
	return *fresh;
}

/*
 * Standard padded base64 of in[0..n) into out (4*ceil(n/3) bytes and a
 * NUL), by table. For the sealed field only: IV, ciphertext and tag are
 * what anyone holding the database sees, so nothing needs the constant
 * time libsodium's encoder pays for (five times slower); secrets keep using
 * base64_encode.
 */
static void b64_public(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*out++ = tab[v >> 18];
		*out++ = tab[v >> 12 & 63];
		*out++ = tab[v >> 6 & 63];
		*out++ = tab[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		*out++ = tab[v >> 18];
		*out++ = tab[v >> 12 & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		*out++ = tab[v >> 18];
		*out++ = tab[v >> 12 & 63];
		*out++ = tab[v >> 6 & 63];
		*out++ = '=';
	}
	*out = '\0';
}

/*
 * Seal: raw = IV(16) || SM4-CBC-PKCS#7(plain) || TAG(32), then
 * "v1:" + base64(raw). The IV is fresh from libsodium's RNG each time, so
 * equal plaintexts give unrelated ciphertexts (lookups use blind_index).
 */
char *field_encrypt(const struct keys *k, const char *plain)
{
	EVP_CIPHER_CTX *ctx, *fresh = NULL;
	unsigned char *raw = NULL;
	char *sealed = NULL;
	size_t len, ctcap, rawlen, b64len;
	int n = 0, m = 0;

	if (!k || !plain)
		return NULL;
	len = strlen(plain);
	if (len > FIELD_MAX)
		return NULL;
	ctcap = (len / SM4_BLOCK + 1) * SM4_BLOCK;	/* PKCS#7 always adds 1..16 */
	raw = malloc(SM4_BLOCK + ctcap + TAG_LEN);
	if (!raw)
		return NULL;
	random_bytes(raw, SM4_BLOCK);

	ctx = sm4_ctx(k, 1, raw, &fresh);
	if (!ctx ||
	    !EVP_EncryptUpdate(ctx, raw + SM4_BLOCK, &n, (const unsigned char *)plain, (int)len) ||
	    !EVP_EncryptFinal_ex(ctx, raw + SM4_BLOCK + n, &m))
		goto fail;
	if ((size_t)n + (size_t)m != ctcap)
		goto fail;
	rawlen = SM4_BLOCK + ctcap;
	if (field_tag(k, raw, rawlen, raw + rawlen) < 0)
		goto fail;
	rawlen += TAG_LEN;

	b64len = sodium_base64_ENCODED_LEN(rawlen, sodium_base64_VARIANT_ORIGINAL);
	sealed = malloc(sizeof(FIELD_PREFIX) - 1 + b64len);
	if (!sealed)
		goto fail;
	memcpy(sealed, FIELD_PREFIX, sizeof(FIELD_PREFIX) - 1);
	b64_public(raw, rawlen, sealed + sizeof(FIELD_PREFIX) - 1);
	EVP_CIPHER_CTX_free(fresh);
	free(raw);
	return sealed;
fail:
	EVP_CIPHER_CTX_free(fresh);
	free(raw);
	return NULL;
}

/*
 * Open a sealed field. Order matters: parse, check the length is
 * IV + whole blocks + tag, compare the tag in constant time, and only then
 * run the cipher, so a forged text never reaches the padding check (no
 * padding oracle). A plaintext with an embedded NUL cannot come from
 * field_encrypt and is refused.
 */
char *field_decrypt(const struct keys *k, const char *sealed)
{
	EVP_CIPHER_CTX *ctx, *fresh = NULL;
	unsigned char *raw = NULL;
	unsigned char tag[TAG_LEN];
	char *plain = NULL;
	const char *b64;
	size_t b64len, rawcap, rawlen = 0, ctlen = 0;
	int n = 0, m = 0;

	if (!k || !sealed || strncmp(sealed, FIELD_PREFIX, sizeof(FIELD_PREFIX) - 1) != 0)
		return NULL;
	b64 = sealed + sizeof(FIELD_PREFIX) - 1;
	b64len = strlen(b64);
	if (b64len > (size_t)FIELD_MAX * 2)
		return NULL;
	rawcap = b64len / 4 * 3 + 3;
	raw = malloc(rawcap);
	if (!raw)
		return NULL;
	if (sodium_base642bin(raw, rawcap, b64, b64len, NULL, &rawlen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		goto fail;
	if (rawlen < SM4_BLOCK + SM4_BLOCK + TAG_LEN || (rawlen - TAG_LEN) % SM4_BLOCK != 0)
		goto fail;
	ctlen = rawlen - TAG_LEN - SM4_BLOCK;
	if (field_tag(k, raw, rawlen - TAG_LEN, tag) < 0)
		goto fail;
	if (sodium_memcmp(tag, raw + rawlen - TAG_LEN, TAG_LEN) != 0)
		goto fail;

	plain = malloc(ctlen + 1);
	if (!plain)
		goto fail;
	ctx = sm4_ctx(k, 0, raw, &fresh);
	if (!ctx ||
	    !EVP_DecryptUpdate(ctx, (unsigned char *)plain, &n, raw + SM4_BLOCK, (int)ctlen) ||
	    !EVP_DecryptFinal_ex(ctx, (unsigned char *)plain + n, &m))
		goto fail;
	plain[n + m] = '\0';
	if (memchr(plain, '\0', (size_t)(n + m)) != NULL)
		goto fail;
	EVP_CIPHER_CTX_free(fresh);
	free(raw);
	return plain;
fail:
	if (plain) {
		sodium_memzero(plain, ctlen + 1);
		free(plain);
	}
	EVP_CIPHER_CTX_free(fresh);
	free(raw);
	return NULL;
}

void blind_index(const struct keys *k, const char *domain, const char *value, char out[65])
{
	unsigned char mac[32];
	const char *d = domain ? domain : "";
	const char *v = value ? value : "";
	struct part parts[3] = {
		{ d, strlen(d) },
		{ "", 1 },	/* the 0 byte between domain and value */
		{ v, strlen(v) },
	};

	if (hmac_sm3_parts(k->blind, sizeof(k->blind), parts, 3, mac) < 0)
		crypto_die("HMAC-SM3");
	hex_encode(mac, sizeof(mac), out);
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* Value of one hex digit, or -1. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *in, unsigned char *out, size_t outcap)
{
	size_t len;

	if (!in)
		return -1;
	len = strlen(in);
	if (len % 2 != 0 || len / 2 > outcap || len / 2 > INT_MAX)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_value(in[2 * i]);
		int lo = hex_value(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(len / 2);
}

int base64_encode(const unsigned char *in, size_t n, char *out, size_t outcap)
{
	size_t need;

	if (n > (size_t)INT_MAX / 4 * 3 - 3)
		return -1;
	need = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	if (!out || outcap < need)
		return -1;
	sodium_bin2base64(out, outcap, in, n, sodium_base64_VARIANT_ORIGINAL);
	return (int)(need - 1);
}

int base64_decode(const char *in, unsigned char *out, size_t outcap)
{
	size_t len = 0;

	if (!in)
		return -1;
	if (sodium_base642bin(out, outcap, in, strlen(in), NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || len > INT_MAX)
		return -1;
	return (int)len;
}

void random_bytes(void *buf, size_t n)
{
	sodium_ready();
	randombytes_buf(buf, n);
}

/* Hex of nbytes random bytes, drawn in 32-byte chunks to avoid a VLA. */
void random_token(char *out, size_t nbytes)
{
	unsigned char chunk[32];
	size_t done = 0;

	out[0] = '\0';
	while (done < nbytes) {
		size_t n = nbytes - done < sizeof(chunk) ? nbytes - done : sizeof(chunk);

		random_bytes(chunk, n);
		hex_encode(chunk, n, out + 2 * done);
		done += n;
	}
	sodium_memzero(chunk, sizeof(chunk));
}

int ct_equal(const void *a, const void *b, size_t n)
{
	if (n == 0)
		return 1;
	return sodium_memcmp(a, b, n) == 0;
}

/* write() all of buf, retrying on EINTR and short writes. 0 / -1 with errno. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * fsync the directory holding path, so the new file's name survives a
 * crash as well as its contents: losing the key file loses every
 * encrypted field. 0 / -1 with errno.
 */
static int sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, rc;

	if (!slash) {
		memcpy(dir, ".", 2);
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Create the key file: four fresh 32-byte keys as "name=hex\n" lines,
 * opened with O_EXCL (never overwrite keys: that would orphan every
 * encrypted field) and O_NOFOLLOW, forced to 0600 whatever the umask,
 * written, fsync'd with its directory. On failure the half-written file is
 * removed and errno tells why. 0 / -1.
 */
int keys_create(const char *path)
{
	struct keys k;
	char text[N_KEY_LINES * 80];
	size_t len = 0;
	int fd, saved;

	if (!path || !*path) {
		errno = EINVAL;
		return -1;
	}
	random_bytes(&k, sizeof(k));
	for (size_t i = 0; i < N_KEY_LINES; i++) {
		const unsigned char *key = (const unsigned char *)&k + key_lines[i].off;
		char hex[65];
		int w;

		hex_encode(key, 32, hex);
		w = snprintf(text + len, sizeof(text) - len, "%s=%s\n", key_lines[i].name, hex);
		if (w < 0 || (size_t)w >= sizeof(text) - len)
			crypto_die("key file layout");
		len += (size_t)w;
		sodium_memzero(hex, sizeof(hex));
	}
	sodium_memzero(&k, sizeof(k));

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		saved = errno;
		sodium_memzero(text, sizeof(text));
		errno = saved;
		return -1;
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, len) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		saved = errno;
		goto fail;
	}
	if (sync_parent(path) < 0) {
		saved = errno;
		goto fail;
	}
	sodium_memzero(text, sizeof(text));
	return 0;
fail:
	sodium_memzero(text, sizeof(text));
	unlink(path);
	errno = saved;
	return -1;
}

/* Report a keys_load failure into err (when given). Returns -1. */
static int load_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int load_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Parse the key file text: exactly the lines enc, mac, blind, audit (any
 * order), each "name=" and 64 hex digits, no duplicates, nothing else
 * except empty lines. 0 / -1 with the reason in err.
 */
static int parse_keys(char *text, struct keys *k, char *err, size_t errlen)
{
	int seen[N_KEY_LINES] = { 0 };
	char *line = text;
	int lineno = 0;

	while (*line) {
		char *nl = strchr(line, '\n');
		char *eq;
		size_t i;

		lineno++;
		if (nl)
			*nl = '\0';
		if (*line == '\0')
			goto next;
		eq = strchr(line, '=');
		if (!eq)
			return load_fail(err, errlen, "密钥文件第%d行格式错误（应为 名称=十六进制）", lineno);
		*eq = '\0';
		for (i = 0; i < N_KEY_LINES; i++) {
			if (strcmp(line, key_lines[i].name) == 0)
				break;
		}
		if (i == N_KEY_LINES)
			return load_fail(err, errlen, "密钥文件第%d行：未知的密钥名称", lineno);
		if (seen[i])
			return load_fail(err, errlen, "密钥文件中 %s 密钥重复", key_lines[i].name);
		if (strlen(eq + 1) != 64 ||
		    hex_decode(eq + 1, (unsigned char *)k + key_lines[i].off, 32) != 32)
			return load_fail(err, errlen, "密钥文件中 %s 密钥格式错误（应为64位十六进制）",
					 key_lines[i].name);
		seen[i] = 1;
next:
		if (!nl)
			break;
		line = nl + 1;
	}
	for (size_t i = 0; i < N_KEY_LINES; i++) {
		if (!seen[i])
			return load_fail(err, errlen, "密钥文件缺少 %s 密钥", key_lines[i].name);
	}
	return 0;
}

/*
 * Load the key file. The mode is checked on the opened descriptor (no race
 * between stat and open); a file that group or others may access is
 * refused, since anyone who can read it can decrypt every ID number.
 * On failure *k is zeroed and err holds a Chinese reason.
 */
int keys_load(const char *path, struct keys *k, char *err, size_t errlen)
{
	char text[KEY_FILE_MAX + 1];
	struct stat st;
	size_t len = 0;
	int fd, rc = -1;

	if (err && errlen)
		err[0] = '\0';
	if (!k)
		return load_fail(err, errlen, "内部错误：未提供密钥结构");
	sodium_memzero(k, sizeof(*k));
	if (!path || !*path)
		return load_fail(err, errlen, "未指定密钥文件");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return load_fail(err, errlen, "无法打开密钥文件 %s：%s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		load_fail(err, errlen, "无法读取密钥文件 %s：%s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		load_fail(err, errlen, "密钥文件 %s 不是普通文件", path);
		goto out;
	}
	if (st.st_mode & 077) {
		load_fail(err, errlen, "密钥文件权限过宽（应为0600）");
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, text + len, sizeof(text) - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			load_fail(err, errlen, "无法读取密钥文件 %s：%s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == sizeof(text) - 1) {
			load_fail(err, errlen, "密钥文件过大，格式错误");
			goto out;
		}
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		load_fail(err, errlen, "密钥文件含有非法字符");
		goto out;
	}
	rc = parse_keys(text, k, err, errlen);
out:
	close(fd);
	sodium_memzero(text, sizeof(text));
	if (rc < 0)
		sodium_memzero(k, sizeof(*k));
	return rc;
}
