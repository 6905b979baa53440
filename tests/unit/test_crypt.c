/* test_crypt.c - known-answer and tamper tests for SM3, HMAC-SM3, SM4 field encryption, blind indexes and the key file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/auth/crypt.h"

/* Keys with a fixed, distinct pattern per key. */
static void fixed_keys(struct keys *k, unsigned char seed)
{
	for (int i = 0; i < 32; i++) {
		k->enc[i] = (unsigned char)(seed + i);
		k->mac[i] = (unsigned char)(seed + 0x40 + i);
		k->blind[i] = (unsigned char)(seed + 0x80 + i);
		k->audit[i] = (unsigned char)(seed + 0xc0 + i);
	}
}

static void assert_hex(const unsigned char *bin, size_t n, const char *want)
{
	char got[129];

	assert_true(n <= 64);
	hex_encode(bin, n, got);
	assert_string_equal(got, want);
}

/* GB/T 32905-2016 appendix A, examples 1 and 2. */
static void test_sm3_vectors(void **state)
{
	unsigned char d[32];
	char abcd16[65];

	(void)state;
	sm3_digest("abc", 3, d);
	assert_hex(d, 32, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
	for (int i = 0; i < 16; i++)
		memcpy(abcd16 + 4 * i, "abcd", 4);
	sm3_digest(abcd16, 64, d);
	assert_hex(d, 32, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
	/* The empty message (widely published value). */
	sm3_digest(NULL, 0, d);
	assert_hex(d, 32, "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

/* GB/T 32907-2016 appendix A, example 1: key = plaintext. */
static void test_sm4_vector(void **state)
{
	unsigned char key[16], out[16];

	(void)state;
	assert_int_equal(hex_decode("0123456789abcdeffedcba9876543210", key, sizeof(key)), 16);
	assert_int_equal(sm4_encrypt_block(key, key, out), 0);
	assert_hex(out, 16, "681edf34d206965e86b3e94f536e4246");
}

/*
 * Known answers produced independently with the OpenSSL command line when
 * this test was written:
 *   openssl mac -digest SM3 -macopt hexkey:000102...1e1f -in <(printf abc) HMAC
 *     -> A8F95CF26F204957E7CA73C9602A25DDA35F168B28103B51DFC968C810416B63
 *   openssl mac -digest SM3 -macopt hexkey:<0xaa x 100> \
 *     -in <(printf 'Test Using Larger Than Block-Size Key - Hash Key First') HMAC
 *     -> DDFD727DF11B435760F1FA6638E2C059A66A74DA8432815201915246E6211294
 */
static void test_hmac_sm3_known_answers(void **state)
{
	static const char msg2[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	unsigned char key[100], out[32];

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
	hmac_sm3(key, 32, "abc", 3, out);
	assert_hex(out, 32, "a8f95cf26f204957e7ca73c9602a25dda35f168b28103b51dfc968c810416b63");
	memset(key, 0xaa, sizeof(key));
	hmac_sm3(key, sizeof(key), msg2, sizeof(msg2) - 1, out);
	assert_hex(out, 32, "ddfd727df11b435760f1fa6638e2c059a66a74da8432815201915246e6211294");
}

/*
 * HMAC-SM3 rebuilt from its definition (RFC 2104, 64-byte blocks) on top of
 * sm3_digest alone, so it shares nothing with the EVP_MAC contexts
 * crypt.c keeps.
 */
static void hmac_by_definition(const unsigned char *key, size_t kl, const void *msg, size_t n,
			       unsigned char out[32])
{
	unsigned char k0[64] = { 0 }, inner[32], opad[64 + 32];
	unsigned char *ipad = malloc(64 + n);

	assert_non_null(ipad);
	if (kl > 64)
		sm3_digest(key, kl, k0);
	else if (kl)
		memcpy(k0, key, kl);
	for (int i = 0; i < 64; i++) {
		ipad[i] = k0[i] ^ 0x36;
		opad[i] = k0[i] ^ 0x5c;
	}
	if (n)
		memcpy(ipad + 64, msg, n);
	sm3_digest(ipad, 64 + n, inner);
	memcpy(opad + 64, inner, 32);
	sm3_digest(opad, 64 + 32, out);
	free(ipad);
}

/*
 * hmac_sm3 against the definition for keys shorter than, equal to and
 * longer than a block, including the empty key.
 */
static void test_hmac_sm3_definition(void **state)
{
	static const size_t keylens[] = { 0, 1, 16, 32, 63, 64, 65, 100 };
	static const char msg[] = "支部 audit link";

	(void)state;
	for (size_t t = 0; t < sizeof(keylens) / sizeof(keylens[0]); t++) {
		unsigned char key[100], want[32], got[32];
		size_t kl = keylens[t];

		for (size_t i = 0; i < kl; i++)
			key[i] = (unsigned char)(i * 7 + 3);
		hmac_by_definition(key, kl, msg, sizeof(msg) - 1, want);
		hmac_sm3(key, kl, msg, sizeof(msg) - 1, got);
		assert_memory_equal(got, want, 32);
	}
}

/*
 * crypt.c keeps a few keyed HMAC contexts per thread and re-initialises
 * them between calls. Nine 32-byte keys (more than it keeps, so contexts
 * are replaced) taken in a scrambled order, messages around the SM3 block
 * and padding boundaries: every MAC equals a fresh computation, so no state
 * leaks from one call or one key into the next.
 */
static void test_hmac_sm3_cached_contexts(void **state)
{
	static const size_t lens[] = { 0, 1, 55, 56, 63, 64, 65, 119, 120, 1000 };
	unsigned char keys[9][32], msg[1000], want[32], got[32];

	(void)state;
	for (int k = 0; k < 9; k++)
		for (int i = 0; i < 32; i++)
			keys[k][i] = (unsigned char)(k * 31 + i * 5 + 1);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 13 + 7);
	for (int round = 0; round < 3; round++) {
		for (int step = 0; step < 27; step++) {
			int k = (step * 4 + round) % 9;
			size_t n = lens[(step + round) % (sizeof(lens) / sizeof(lens[0]))];

			hmac_by_definition(keys[k], 32, msg, n, want);
			hmac_sm3(keys[k], 32, msg, n, got);
			assert_memory_equal(got, want, 32);
		}
	}
}

static void roundtrip(const struct keys *k, const char *plain)
{
	char *sealed = field_encrypt(k, plain);
	char *back;

	assert_non_null(sealed);
	assert_memory_equal(sealed, "v1:", 3);
	back = field_decrypt(k, sealed);
	assert_non_null(back);
	assert_string_equal(back, plain);
	free(back);
	free(sealed);
}

static void test_field_roundtrip(void **state)
{
	struct keys k;
	char big[1001];

	(void)state;
	fixed_keys(&k, 1);
	roundtrip(&k, "");
	roundtrip(&k, "110101199003074477");
	roundtrip(&k, "13800138000");
	roundtrip(&k, "中华人民共和国居民身份证：张三，汉族");
	roundtrip(&k, "0123456789abcde");		/* 15 bytes */
	roundtrip(&k, "0123456789abcdef");		/* one full block: a whole pad block */
	roundtrip(&k, "0123456789abcdef0");		/* 17 bytes */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	roundtrip(&k, big);
}

/* Sizes: "v1:" + base64(16 IV + CT + 32 tag), CT padded to whole blocks. */
static void test_field_layout(void **state)
{
	struct keys k;
	unsigned char raw[128];
	char *s;

	(void)state;
	fixed_keys(&k, 2);
	s = field_encrypt(&k, "");
	assert_non_null(s);
	assert_int_equal(base64_decode(s + 3, raw, sizeof(raw)), 16 + 16 + 32);
	free(s);
	s = field_encrypt(&k, "0123456789abcdef");
	assert_non_null(s);
	assert_int_equal(base64_decode(s + 3, raw, sizeof(raw)), 16 + 32 + 32);
	free(s);
	assert_null(field_encrypt(&k, NULL));
	assert_null(field_encrypt(NULL, "x"));
}

/*
 * The sealed layout rebuilt independently from the single-block SM4 and
 * HMAC-SM3: CT = SM4-CBC(enc[0..16), IV, plain || PKCS#7 pad) and
 * TAG = HMAC-SM3(mac, "v1" || IV || CT).
 */
static void check_construction(const struct keys *k, const char *plain)
{
	unsigned char raw[16 + 64 + 32], padded[64], block[16], want_tag[32], macin[2 + 16 + 64];
	size_t len = strlen(plain), ctlen = (len / 16 + 1) * 16;
	char *sealed, b64[4 * (16 + 64 + 32) / 3 + 8];

	assert_true(ctlen <= 64);
	sealed = field_encrypt(k, plain);
	assert_non_null(sealed);
	assert_int_equal(base64_decode(sealed + 3, raw, sizeof(raw)), (int)(16 + ctlen + 32));
	/* the sealed text's own base64 is libsodium's, byte for byte (all three tail cases occur) */
	assert_int_equal(base64_encode(raw, 16 + ctlen + 32, b64, sizeof(b64)), (int)strlen(sealed + 3));
	assert_string_equal(b64, sealed + 3);
	memcpy(padded, plain, len);
	memset(padded + len, (int)(ctlen - len), ctlen - len);
	for (size_t b = 0; b < ctlen / 16; b++) {
		const unsigned char *prev = b == 0 ? raw : raw + 16 + 16 * (b - 1);

		for (int i = 0; i < 16; i++)
			block[i] = padded[16 * b + i] ^ prev[i];
		assert_int_equal(sm4_encrypt_block(k->enc, block, block), 0);
		assert_memory_equal(block, raw + 16 + 16 * b, 16);
	}
	memcpy(macin, "v1", 2);
	memcpy(macin + 2, raw, 16 + ctlen);
	hmac_by_definition(k->mac, 32, macin, 2 + 16 + ctlen, want_tag);
	assert_memory_equal(want_tag, raw + 16 + ctlen, 32);
	free(sealed);
}

static void test_field_construction(void **state)
{
	static const char plain[] = "中文姓名：110101199003074477";	/* 33 bytes: 3 blocks */
	struct keys k;

	(void)state;
	assert_int_equal(sizeof(plain) - 1, 33);
	fixed_keys(&k, 11);
	check_construction(&k, plain);
}

/*
 * The same, with five key sets in turn (more SM4 keys than crypt.c keeps
 * contexts for) and lengths on both sides of a block: a cached SM4 context
 * takes each new IV and never carries a key or chaining state over; each
 * field still opens under its own keys only.
 */
static void test_field_cached_contexts(void **state)
{
	static const char *const plains[] = {
		"", "1", "13800138000", "110101199003074477", "0123456789abcdef",
		"0123456789abcdef0", "中文姓名：110101199003074477",
	};
	struct keys ks[5];

	(void)state;
	for (int i = 0; i < 5; i++)
		fixed_keys(&ks[i], (unsigned char)(20 + 17 * i));
	for (int round = 0; round < 3; round++) {
		for (int step = 0; step < 15; step++) {
			const struct keys *k = &ks[(step * 2 + round) % 5];
			const struct keys *other = &ks[(step * 2 + round + 1) % 5];
			const char *plain = plains[(step + round) % 7];
			char *sealed, *back;

			check_construction(k, plain);
			sealed = field_encrypt(k, plain);
			assert_non_null(sealed);
			assert_null(field_decrypt(other, sealed));
			back = field_decrypt(k, sealed);
			assert_non_null(back);
			assert_string_equal(back, plain);
			free(back);
			free(sealed);
		}
	}
}

static void test_field_random_iv(void **state)
{
	struct keys k;
	char *a, *b, *pa, *pb;

	(void)state;
	fixed_keys(&k, 3);
	a = field_encrypt(&k, "110101199003074477");
	b = field_encrypt(&k, "110101199003074477");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_not_equal(a, b);
	/* Not just the IV: the ciphertext and tag differ as well. */
	assert_true(memcmp(a + 3 + 24, b + 3 + 24, strlen(a) - 3 - 24) != 0);
	pa = field_decrypt(&k, a);
	pb = field_decrypt(&k, b);
	assert_non_null(pa);
	assert_non_null(pb);
	assert_string_equal(pa, pb);
	free(pa);
	free(pb);
	free(a);
	free(b);
}

/* Every byte of IV, ciphertext and tag, each flipped in one bit and in all bits. */
static void test_field_tamper_bytes(void **state)
{
	static const unsigned char flips[] = { 0x01, 0x80, 0xff };
	struct keys k;
	unsigned char raw[256];
	char text[512];
	char *sealed;
	int n;

	(void)state;
	fixed_keys(&k, 4);
	sealed = field_encrypt(&k, "身份证号 110101199003074477");
	assert_non_null(sealed);
	n = base64_decode(sealed + 3, raw, sizeof(raw));
	assert_true(n >= 16 + 32 + 32);
	for (int i = 0; i < n; i++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			raw[i] ^= flips[f];
			memcpy(text, "v1:", 3);
			assert_true(base64_encode(raw, (size_t)n, text + 3, sizeof(text) - 3) > 0);
			assert_null(field_decrypt(&k, text));
			raw[i] ^= flips[f];
		}
	}
	/* The restored bytes open again: the loop really tested tampering. */
	memcpy(text, "v1:", 3);
	base64_encode(raw, (size_t)n, text + 3, sizeof(text) - 3);
	{
		char *ok = field_decrypt(&k, text);

		assert_non_null(ok);
		assert_string_equal(ok, "身份证号 110101199003074477");
		free(ok);
	}
	/* Truncated by one byte, by a whole block, and with a block added. */
	memcpy(text, "v1:", 3);
	base64_encode(raw, (size_t)n - 1, text + 3, sizeof(text) - 3);
	assert_null(field_decrypt(&k, text));
	base64_encode(raw, (size_t)n - 16, text + 3, sizeof(text) - 3);
	assert_null(field_decrypt(&k, text));
	memset(raw + n, 0, 16);
	base64_encode(raw, (size_t)n + 16, text + 3, sizeof(text) - 3);
	assert_null(field_decrypt(&k, text));
	free(sealed);
}

/* Every character of the text form replaced by another base64 character. */
static void test_field_tamper_text(void **state)
{
	struct keys k;
	char *sealed;
	size_t len;

	(void)state;
	fixed_keys(&k, 5);
	sealed = field_encrypt(&k, "13800138000");
	assert_non_null(sealed);
	len = strlen(sealed);
	for (size_t i = 0; i < len; i++) {
		char saved = sealed[i];

		sealed[i] = saved == 'A' ? 'B' : 'A';
		assert_null(field_decrypt(&k, sealed));
		sealed[i] = saved;
	}
	free(sealed);
}

static void test_field_malformed(void **state)
{
	struct keys k;
	char *sealed, *wrong;

	(void)state;
	fixed_keys(&k, 6);
	assert_null(field_decrypt(&k, NULL));
	assert_null(field_decrypt(&k, ""));
	assert_null(field_decrypt(&k, "v1:"));
	assert_null(field_decrypt(&k, "v1:!!!!"));
	assert_null(field_decrypt(&k, "110101199003074477"));
	sealed = field_encrypt(&k, "abc");
	assert_non_null(sealed);
	wrong = strdup(sealed);
	assert_non_null(wrong);
	wrong[1] = '2';		/* "v2:" */
	assert_null(field_decrypt(&k, wrong));
	free(wrong);
	{
		char junk[256];	/* trailing junk */

		snprintf(junk, sizeof(junk), "%s ", sealed);
		assert_null(field_decrypt(&k, junk));
		snprintf(junk, sizeof(junk), "%s\n", sealed);
		assert_null(field_decrypt(&k, junk));
	}
	free(sealed);
}

static void test_field_wrong_key(void **state)
{
	struct keys k, other;
	char *sealed;

	(void)state;
	fixed_keys(&k, 7);
	sealed = field_encrypt(&k, "110101199003074477");
	assert_non_null(sealed);
	fixed_keys(&other, 8);
	assert_null(field_decrypt(&other, sealed));
	/* Only the MAC key differs. */
	other = k;
	other.mac[31] ^= 1;
	assert_null(field_decrypt(&other, sealed));
	/* The blind and audit keys play no part in sealing. */
	other = k;
	other.blind[0] ^= 1;
	other.audit[0] ^= 1;
	{
		char *p = field_decrypt(&other, sealed);

		assert_non_null(p);
		assert_string_equal(p, "110101199003074477");
		free(p);
	}
	free(sealed);
}

static void test_blind_index(void **state)
{
	struct keys k, other;
	char a[65], b[65];
	unsigned char mac[32];

	(void)state;
	fixed_keys(&k, 9);
	blind_index(&k, "idcard", "110101199003074477", a);
	blind_index(&k, "idcard", "110101199003074477", b);
	assert_int_equal(strlen(a), 64);
	assert_string_equal(a, b);
	for (int i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	/* Defined as HMAC-SM3(blind key, domain || 0 || value). */
	hmac_sm3(k.blind, 32, "idcard\0" "110101199003074477", 7 + 18, mac);
	assert_hex(mac, 32, a);
	blind_index(&k, "phone", "110101199003074477", b);
	assert_string_not_equal(a, b);
	blind_index(&k, "idcard", "110101199003074478", b);
	assert_string_not_equal(a, b);
	fixed_keys(&other, 10);
	blind_index(&other, "idcard", "110101199003074477", b);
	assert_string_not_equal(a, b);
	/* The separator keeps ("ab","c") and ("a","bc") apart. */
	blind_index(&k, "ab", "c", a);
	blind_index(&k, "a", "bc", b);
	assert_string_not_equal(a, b);
}

/* A fresh directory under /tmp for key files; removed by the caller. */
static char *temp_dir(void)
{
	char *dir = strdup("/tmp/zb-test-crypt-XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_keys_create_load(void **state)
{
	static const unsigned char zero[32];
	char *dir = temp_dir();
	char path[256], err[256], before[512], after[512];
	struct keys k, k2;
	struct stat st;
	mode_t old;
	FILE *f;
	size_t n1, n2;
	char *sealed, *plain;

	(void)state;
	snprintf(path, sizeof(path), "%s/keys", dir);
	old = umask(0);		/* the file must still come out 0600 */
	assert_int_equal(keys_create(path), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(keys_load(path, &k, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_memory_not_equal(k.enc, zero, 32);
	assert_memory_not_equal(k.enc, k.mac, 32);
	assert_memory_not_equal(k.mac, k.blind, 32);
	assert_memory_not_equal(k.blind, k.audit, 32);
	assert_memory_not_equal(k.audit, k.enc, 32);

	/* The file holds exactly the four lines, in hex, that were loaded. */
	f = fopen(path, "r");
	assert_non_null(f);
	n1 = fread(before, 1, sizeof(before) - 1, f);
	fclose(f);
	before[n1] = '\0';
	assert_int_equal(n1, 69 + 69 + 71 + 71);	/* name '=' 64 hex '\n' */
	{
		char line[80], hex[65];

		hex_encode(k.enc, 32, hex);
		snprintf(line, sizeof(line), "enc=%s\n", hex);
		assert_non_null(strstr(before, line));
		hex_encode(k.audit, 32, hex);
		snprintf(line, sizeof(line), "audit=%s\n", hex);
		assert_non_null(strstr(before, line));
	}

	/* A second load gives the same keys; data sealed with one opens with the other. */
	assert_int_equal(keys_load(path, &k2, err, sizeof(err)), 0);
	assert_memory_equal(&k, &k2, sizeof(k));
	sealed = field_encrypt(&k, "党员 13800138000");
	plain = field_decrypt(&k2, sealed);
	assert_non_null(plain);
	assert_string_equal(plain, "党员 13800138000");
	free(plain);
	free(sealed);

	/* Never overwrite existing keys. */
	errno = 0;
	assert_int_equal(keys_create(path), -1);
	assert_int_equal(errno, EEXIST);
	f = fopen(path, "r");
	assert_non_null(f);
	n2 = fread(after, 1, sizeof(after) - 1, f);
	fclose(f);
	after[n2] = '\0';
	assert_string_equal(before, after);

	/* Two files never share keys. */
	{
		char path2[256];

		snprintf(path2, sizeof(path2), "%s/keys2", dir);
		assert_int_equal(keys_create(path2), 0);
		assert_int_equal(keys_load(path2, &k2, err, sizeof(err)), 0);
		assert_memory_not_equal(k.enc, k2.enc, 32);
		unlink(path2);
	}
	/* A missing directory fails without leaving anything behind. */
	{
		char path3[256];

		snprintf(path3, sizeof(path3), "%s/no/such/keys", dir);
		assert_int_equal(keys_create(path3), -1);
	}
	unlink(path);
	rmdir(dir);
	free(dir);
}

static void test_keys_load_mode(void **state)
{
	static const unsigned char zero[sizeof(struct keys)];
	char *dir = temp_dir();
	char path[256], err[256];
	struct keys k;

	(void)state;
	snprintf(path, sizeof(path), "%s/keys", dir);
	assert_int_equal(keys_create(path), 0);
	assert_int_equal(chmod(path, 0644), 0);
	memset(&k, 0x55, sizeof(k));
	assert_int_equal(keys_load(path, &k, err, sizeof(err)), -1);
	assert_string_equal(err, "密钥文件权限过宽（应为0600）");
	assert_memory_equal(&k, zero, sizeof(k));	/* nothing half-loaded */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(keys_load(path, &k, err, sizeof(err)), -1);
	assert_string_equal(err, "密钥文件权限过宽（应为0600）");
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(keys_load(path, &k, err, sizeof(err)), -1);
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(keys_load(path, &k, err, sizeof(err)), 0);
	/* err may be NULL. */
	assert_int_equal(chmod(path, 0660), 0);
	assert_int_equal(keys_load(path, &k, NULL, 0), -1);
	unlink(path);
	/* Missing file. */
	assert_int_equal(keys_load(path, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "无法打开密钥文件"));
	rmdir(dir);
	free(dir);
}

static void test_keys_load_malformed(void **state)
{
	static const char h64[] =
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	static const struct {
		const char *text;	/* %s = 64 hex digits */
		const char *reason;	/* expected substring of err */
	} cases[] = {
		{ "", "缺少 enc" },
		{ "enc=%s\nmac=%s\nblind=%s\n", "缺少 audit" },
		{ "enc=%s\nmac=%s\nblind=%s\naudit=%s\nmac=%s\n", "mac 密钥重复" },
		{ "enc=%s\nmac=%s\nblind=%s\naudit=%s\nextra=%s\n", "未知的密钥名称" },
		{ "enc=%s\nmac=%s\nblind=%s\naudit\n", "格式错误" },
		{ "enc=%s\nmac=%s\nblind=%s\naudit=%.63s\n", "audit 密钥格式错误" },
		{ "enc=%s\nmac=%s\nblind=%s\naudit=%s0\n", "audit 密钥格式错误" },
		{ "enc=%s\nmac=%s\nblind=%s\naudit=zz%.62s\n", "audit 密钥格式错误" },
		{ "enc=%s\nmac=%s\nblind=%s\naudit= %s\n", "audit 密钥格式错误" },
		{ "ENC=%s\nmac=%s\nblind=%s\naudit=%s\n", "未知的密钥名称" },
	};
	char *dir = temp_dir();
	char path[256], err[256], text[1024];
	struct keys k;

	(void)state;
	snprintf(path, sizeof(path), "%s/keys", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), cases[i].text, h64, h64, h64, h64, h64);
		write_file(path, text, 0600);
		err[0] = '\0';
		assert_int_equal(keys_load(path, &k, err, sizeof(err)), -1);
		if (!strstr(err, cases[i].reason))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, cases[i].reason);
	}
	/* The well-formed file, in another order and with an empty line, loads. */
	snprintf(text, sizeof(text), "audit=%s\n\nblind=%s\nmac=%s\nenc=%s", h64, h64, h64, h64);
	write_file(path, text, 0600);
	assert_int_equal(keys_load(path, &k, err, sizeof(err)), 0);
	assert_int_equal(k.enc[0], 0x00);
	assert_int_equal(k.enc[10], 0xaa);
	assert_int_equal(k.audit[31], 0xff);
	/* Oversized. */
	{
		char *huge = malloc(8192);

		assert_non_null(huge);
		memset(huge, '\n', 8191);
		huge[8191] = '\0';
		write_file(path, huge, 0600);
		free(huge);
		assert_int_equal(keys_load(path, &k, err, sizeof(err)), -1);
	}
	/* A directory is not a key file. */
	assert_int_equal(keys_load(dir, &k, err, sizeof(err)), -1);
	unlink(path);
	rmdir(dir);
	free(dir);
}

static void test_hex(void **state)
{
	static const unsigned char bin[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	unsigned char out[16], rnd[64], back[64];
	char hex[129];

	(void)state;
	hex_encode(bin, sizeof(bin), hex);
	assert_string_equal(hex, "00017f80abff");
	hex_encode(bin, 0, hex);
	assert_string_equal(hex, "");
	assert_int_equal(hex_decode("00017F80ABff", out, sizeof(out)), 6);
	assert_memory_equal(out, bin, 6);
	assert_int_equal(hex_decode("", out, sizeof(out)), 0);
	assert_int_equal(hex_decode("abc", out, sizeof(out)), -1);
	assert_int_equal(hex_decode("0g", out, sizeof(out)), -1);
	assert_int_equal(hex_decode(" 00", out, sizeof(out)), -1);
	assert_int_equal(hex_decode("00112233", out, 3), -1);
	assert_int_equal(hex_decode(NULL, out, sizeof(out)), -1);
	for (size_t n = 0; n <= sizeof(rnd); n++) {
		random_bytes(rnd, n);
		hex_encode(rnd, n, hex);
		assert_int_equal(strlen(hex), 2 * n);
		assert_int_equal(hex_decode(hex, back, sizeof(back)), (int)n);
		assert_memory_equal(back, rnd, n);
	}
}

/* RFC 4648 section 10 vectors, then random round trips. */
static void test_base64(void **state)
{
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	unsigned char bin[64], back[64];
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t n = strlen(vec[i][0]);

		assert_int_equal(base64_encode((const unsigned char *)vec[i][0], n, text,
					       sizeof(text)), (int)strlen(vec[i][1]));
		assert_string_equal(text, vec[i][1]);
		assert_int_equal(base64_decode(vec[i][1], back, sizeof(back)), (int)n);
		assert_memory_equal(back, vec[i][0], n);
	}
	/* Binary bytes that use '+' and '/'. */
	bin[0] = 0xfb;
	bin[1] = 0xff;
	bin[2] = 0xbf;
	assert_int_equal(base64_encode(bin, 3, text, sizeof(text)), 4);
	assert_string_equal(text, "+/+/");
	/* Too small an output, bad characters, missing padding. */
	assert_int_equal(base64_encode((const unsigned char *)"foobar", 6, text, 8), -1);
	assert_int_equal(base64_decode("Zm9vYmFy", back, 5), -1);
	assert_int_equal(base64_decode("Zm9v!mFy", back, sizeof(back)), -1);
	assert_int_equal(base64_decode("Zg", back, sizeof(back)), -1);
	assert_int_equal(base64_decode("Zm9v YmFy", back, sizeof(back)), -1);
	for (size_t n = 0; n <= sizeof(bin); n++) {
		random_bytes(bin, n);
		assert_int_equal(base64_encode(bin, n, text, sizeof(text)), (int)((n + 2) / 3 * 4));
		assert_int_equal(base64_decode(text, back, sizeof(back)), (int)n);
		assert_memory_equal(back, bin, n);
	}
}

static void test_random(void **state)
{
	char a[65], b[65], odd[2 * 45 + 1];
	unsigned char x[32], y[32];

	(void)state;
	random_token(a, 32);
	random_token(b, 32);
	assert_int_equal(strlen(a), 64);
	assert_string_not_equal(a, b);
	for (int i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	random_token(odd, 45);		/* spans two internal chunks */
	assert_int_equal(strlen(odd), 90);
	random_token(a, 0);
	assert_string_equal(a, "");
	random_bytes(x, sizeof(x));
	random_bytes(y, sizeof(y));
	assert_memory_not_equal(x, y, sizeof(x));
}

static void test_ct_equal(void **state)
{
	unsigned char a[40], b[40];

	(void)state;
	random_bytes(a, sizeof(a));
	memcpy(b, a, sizeof(a));
	assert_int_equal(ct_equal(a, b, sizeof(a)), 1);
	assert_int_equal(ct_equal(a, b, 0), 1);
	for (size_t i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x40;
		assert_int_equal(ct_equal(a, b, sizeof(a)), 0);
		b[i] ^= 0x40;
	}
}

/* One thread of test_threads: its results, checked by the main thread. */
struct crypt_worker {
	const struct keys *ks;		/* THREAD_KEYS key sets */
	const unsigned char (*want_audit)[32];	/* HMAC-SM3(audit key, msg) per set */
	const char (*want_bidx)[65];	/* blind index of the number per set */
	int id;
	int failures;
};

#define THREAD_KEYS 5
#define THREAD_ROUNDS 300
static const char thread_msg[] = "seq|1|2|3|审计链";
static const char thread_number[] = "110101199003074477";

static void *crypt_worker_run(void *arg)
{
	struct crypt_worker *w = arg;

	for (int r = 0; r < THREAD_ROUNDS; r++) {
		int i = (r * 3 + w->id) % THREAD_KEYS;
		const struct keys *k = &w->ks[i];
		unsigned char mac[32];
		char bidx[65], *sealed, *back;

		hmac_sm3(k->audit, 32, thread_msg, sizeof(thread_msg) - 1, mac);
		w->failures += memcmp(mac, w->want_audit[i], 32) != 0;
		blind_index(k, "idcard", thread_number, bidx);
		w->failures += strcmp(bidx, w->want_bidx[i]) != 0;
		sealed = field_encrypt(k, thread_number);
		back = sealed ? field_decrypt(k, sealed) : NULL;
		w->failures += !back || strcmp(back, thread_number) != 0;
		free(back);
		back = sealed ? field_decrypt(&w->ks[(i + 1) % THREAD_KEYS], sealed) : NULL;
		w->failures += back != NULL;
		free(back);
		free(sealed);
	}
	return NULL;
}

/*
 * The HTTP server calls these functions from several threads at once.
 * Four threads, each with its own cached contexts, over five key sets,
 * agree with answers computed beforehand by the definition; the threads
 * then exit, which frees their contexts (the ASan build checks for leaks).
 */
static void test_threads(void **state)
{
	struct keys ks[THREAD_KEYS];
	unsigned char want_audit[THREAD_KEYS][32];
	char want_bidx[THREAD_KEYS][65];
	struct crypt_worker w[4];
	pthread_t t[4];

	(void)state;
	for (int i = 0; i < THREAD_KEYS; i++) {
		unsigned char in[6 + 1 + sizeof(thread_number) - 1], mac[32];

		fixed_keys(&ks[i], (unsigned char)(50 + 9 * i));
		hmac_by_definition(ks[i].audit, 32, thread_msg, sizeof(thread_msg) - 1,
				   want_audit[i]);
		memcpy(in, "idcard", 7);	/* with its 0 byte */
		memcpy(in + 7, thread_number, sizeof(thread_number) - 1);
		hmac_by_definition(ks[i].blind, 32, in, sizeof(in), mac);
		hex_encode(mac, 32, want_bidx[i]);
	}
	for (int i = 0; i < 4; i++) {
		w[i] = (struct crypt_worker){ ks, want_audit, want_bidx, i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, crypt_worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sm3_vectors),
		cmocka_unit_test(test_sm4_vector),
		cmocka_unit_test(test_hmac_sm3_known_answers),
		cmocka_unit_test(test_hmac_sm3_definition),
		cmocka_unit_test(test_hmac_sm3_cached_contexts),
		cmocka_unit_test(test_field_roundtrip),
		cmocka_unit_test(test_field_layout),
		cmocka_unit_test(test_field_construction),
		cmocka_unit_test(test_field_cached_contexts),
		cmocka_unit_test(test_field_random_iv),
		cmocka_unit_test(test_field_tamper_bytes),
		cmocka_unit_test(test_field_tamper_text),
		cmocka_unit_test(test_field_malformed),
		cmocka_unit_test(test_field_wrong_key),
		cmocka_unit_test(test_blind_index),
		cmocka_unit_test(test_keys_create_load),
		cmocka_unit_test(test_keys_load_mode),
		cmocka_unit_test(test_keys_load_malformed),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_ct_equal),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
