/* password.c - Argon2id password hashes (libsodium), the password policy check and one-time passwords. */
#include "password.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#define PASSWORD_MAX_BYTES	128
#define USERNAME_MIN_CHECK	3	/* shorter usernames are not searched for */
#define GENERATED_LEN		16

/*
 * The policy messages are returned as const strings, so each possible
 * number is spelled out at compile time: "at least N characters" for
 * N = 1..128 (a password has at most 128 bytes, so more can never pass).
 */
#define TOO_SHORT(n) "密码至少需要" #n "个字符"
#define TOO_SHORT_10(t) TOO_SHORT(t##0), TOO_SHORT(t##1), TOO_SHORT(t##2), TOO_SHORT(t##3), \
	TOO_SHORT(t##4), TOO_SHORT(t##5), TOO_SHORT(t##6), TOO_SHORT(t##7), TOO_SHORT(t##8), \
	TOO_SHORT(t##9)
static const char *const too_short[] = {
	NULL, TOO_SHORT(1), TOO_SHORT(2), TOO_SHORT(3), TOO_SHORT(4), TOO_SHORT(5),
	TOO_SHORT(6), TOO_SHORT(7), TOO_SHORT(8), TOO_SHORT(9),
	TOO_SHORT_10(1), TOO_SHORT_10(2), TOO_SHORT_10(3), TOO_SHORT_10(4), TOO_SHORT_10(5),
	TOO_SHORT_10(6), TOO_SHORT_10(7), TOO_SHORT_10(8), TOO_SHORT_10(9), TOO_SHORT_10(10),
	TOO_SHORT_10(11), TOO_SHORT(120), TOO_SHORT(121), TOO_SHORT(122), TOO_SHORT(123),
	TOO_SHORT(124), TOO_SHORT(125), TOO_SHORT(126), TOO_SHORT(127), TOO_SHORT(128),
};
#define N_TOO_SHORT ((int)(sizeof(too_short) / sizeof(too_short[0])))

#define FEW_CLASSES(n) "密码需包含大写字母、小写字母、数字和符号中的至少" #n "类"
static const char *const few_classes[] = {
	NULL, FEW_CLASSES(1), FEW_CLASSES(2), FEW_CLASSES(3), FEW_CLASSES(4),
};

/* The alphabet of generated passwords: no 0/O/o, 1/l/I/i, and no quote or space. */
static const char *const gen_classes[] = {
	"abcdefghjkmnpqrstuvwxyz",
	"ABCDEFGHJKLMNPQRSTUVWXYZ",
	"23456789",
	"!#$%&*+-=?@_",
};
#define N_GEN_CLASSES (sizeof(gen_classes) / sizeof(gen_classes[0]))

/*
 * Argon2id with the interactive limits takes 64 MiB for each hash being
 * computed: at most this many at once, so a burst of logins cannot take the
 * server's memory (the others wait their turn, a fraction of a second each).
 */
#define PWHASH_CONCURRENT 2

static sem_t pwhash_slots;
static pthread_once_t pwhash_once = PTHREAD_ONCE_INIT;

static void pwhash_init(void)
{
	sem_init(&pwhash_slots, 0, PWHASH_CONCURRENT);
}

static void slot_take(void)
{
	pthread_once(&pwhash_once, pwhash_init);
	while (sem_wait(&pwhash_slots) != 0 && errno == EINTR)
		;
}

static void slot_give(void)
{
	sem_post(&pwhash_slots);
}

int password_hash(const char *password, char *out, size_t outlen)
{
	int rc;

	if (!password || !out || outlen < crypto_pwhash_STRBYTES)
		return -1;
	if (sodium_init() < 0)
		return -1;
	slot_take();
	/* Name the algorithm rather than trust the library's default. */
	rc = crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
	slot_give();
	return rc == 0 ? 0 : -1;
}

int password_verify(const char *hash, const char *password)
{
	int rc;

	if (!hash || !password)
		return 0;
	/* libsodium reads up to crypto_pwhash_STRBYTES; a longer "hash" is not one. */
	if (strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
		return 0;
	if (sodium_init() < 0)
		return 0;
	slot_take();
	rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	slot_give();
	return rc == 0;
}

int password_dummy_hash(char *out, size_t outlen)
{
	unsigned char salt[crypto_pwhash_SALTBYTES], tag[32];
	char salt64[64], tag64[64];
	int n;

	if (!out || outlen < crypto_pwhash_STRBYTES || sodium_init() < 0)
		return -1;
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(tag, sizeof(tag));
	sodium_bin2base64(salt64, sizeof(salt64), salt, sizeof(salt), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(tag64, sizeof(tag64), tag, sizeof(tag), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	/* the PHC string libsodium writes, with the limits password_hash uses */
	n = snprintf(out, outlen, "$argon2id$v=19$m=%zu,t=%llu,p=1$%s$%s",
		     (size_t)(crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024),
		     (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE, salt64, tag64);
	return n > 0 && (size_t)n < outlen && (size_t)n < crypto_pwhash_STRBYTES ? 0 : -1;
}

/*
 * Length in code points of a UTF-8 string, or -1 when it is not valid
 * UTF-8 (bad lead or continuation byte, overlong form, surrogate, or a
 * value above U+10FFFF).
 */
static int utf8_chars(const unsigned char *s)
{
	int count = 0;

	while (*s) {
		unsigned c = *s;
		unsigned cp, min;
		int extra;

		if (c < 0x80) {
			s++;
			count++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			extra = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			extra = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			extra = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return -1;
		}
		for (int i = 1; i <= extra; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return -1;	/* also stops at the NUL */
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		s += extra + 1;
		count++;
	}
	return count;
}

/* ASCII case-insensitive substring search; non-ASCII bytes compare exactly. */
static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++) {
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * Checks, in the order a user fixes them: not empty, at most 128 bytes,
 * valid UTF-8, at least min_length characters (code points, so "党建"
 * counts 2), at least min_classes of lower / upper / digit / other (any
 * non-ASCII character counts as "other"), and not containing the
 * username (ASCII case-insensitive; usernames under 3 characters are not
 * searched for, or "li" would forbid half the dictionary). min_classes
 * above 4 is treated as 4.
 */
const char *password_check(const struct password_policy *p, const char *password,
			   const char *username)
{
	int classes[4] = { 0 };
	int nchars, nclasses = 0, need;

	if (!password || !*password)
		return "密码不能为空";
	if (strlen(password) > PASSWORD_MAX_BYTES)
		return "密码不能超过128个字节";
	nchars = utf8_chars((const unsigned char *)password);
	if (nchars < 0)
		return "密码含有无效字符";
	if (p && p->min_length > 0 && nchars < p->min_length)
		return p->min_length < N_TOO_SHORT ? too_short[p->min_length]
						   : "密码长度不足";
	for (const char *c = password; *c; c++) {
		if (*c >= 'a' && *c <= 'z')
			classes[0] = 1;
		else if (*c >= 'A' && *c <= 'Z')
			classes[1] = 1;
		else if (*c >= '0' && *c <= '9')
			classes[2] = 1;
		else
			classes[3] = 1;
	}
	for (int i = 0; i < 4; i++)
		nclasses += classes[i];
	need = p ? p->min_classes : 0;
	if (need > 4)
		need = 4;
	if (need > 0 && nclasses < need)
		return few_classes[need];
	if (username && utf8_chars((const unsigned char *)username) >= USERNAME_MIN_CHECK &&
	    contains_nocase(password, username))
		return "密码不能包含用户名";
	return NULL;
}

/*
 * 16 characters: one from each class first, the rest from all classes,
 * then a Fisher-Yates shuffle so the guaranteed ones are not in front.
 * randombytes_uniform() has no modulo bias. An `out` shorter than 17
 * bytes gets the empty string, which no policy accepts.
 */
void password_generate(char *out, size_t len)
{
	char all[96];
	size_t nall = 0;

	if (!out || len == 0)
		return;
	out[0] = '\0';
	if (len < GENERATED_LEN + 1)
		return;
	if (sodium_init() < 0)
		return;
	for (size_t i = 0; i < N_GEN_CLASSES; i++) {
		size_t n = strlen(gen_classes[i]);

		memcpy(all + nall, gen_classes[i], n);
		nall += n;
	}
	for (size_t i = 0; i < GENERATED_LEN; i++) {
		const char *set = i < N_GEN_CLASSES ? gen_classes[i] : all;
		size_t n = i < N_GEN_CLASSES ? strlen(set) : nall;

		out[i] = set[randombytes_uniform((uint32_t)n)];
	}
	for (size_t i = GENERATED_LEN - 1; i > 0; i--) {
		size_t j = randombytes_uniform((uint32_t)(i + 1));
		char t = out[i];

		out[i] = out[j];
		out[j] = t;
	}
	out[GENERATED_LEN] = '\0';
}
