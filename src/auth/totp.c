/* totp.c - RFC 4226 HOTP / RFC 6238 TOTP with HMAC-SHA1, and RFC 4648 base32 for authenticator secrets. */
#include "totp.h"

#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#define TOTP_STEP	30
#define TOTP_DIGITS	6
#define HOTP_FAILED	UINT32_MAX	/* never a valid code (those are < 10^8) */

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/*
 * RFC 4226 section 5: HMAC-SHA1 over the 8-byte big-endian counter,
 * dynamic truncation to 31 bits, modulo 10^digits. `digits` outside 6..8
 * is taken as 6. HOTP_FAILED if the HMAC could not be computed, which no
 * typed code can equal, so verification fails closed.
 */
uint32_t hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits)
{
	static const unsigned char empty = 0;
	static const uint32_t pow10[] = { 1000000, 10000000, 100000000 };
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	unsigned off;
	uint32_t bin;

	if (digits < 6 || digits > 8)
		digits = 6;
	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA1", NULL, keylen ? key : &empty, keylen,
		       msg, sizeof(msg), mac, sizeof(mac), &maclen) || maclen != 20)
		return HOTP_FAILED;
	off = mac[19] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	      (uint32_t)mac[off + 2] << 8 | (uint32_t)mac[off + 3];
	return bin % pow10[digits - 6];
}

uint32_t totp_at(const unsigned char *key, size_t keylen, int64_t t)
{
	return hotp(key, keylen, t < 0 ? 0 : (uint64_t)(t / TOTP_STEP), TOTP_DIGITS);
}

/*
 * The code must be exactly six ASCII digits. The steps now-1, now, now+1
 * are all computed (no early exit), and when more than one matches, the
 * highest step is returned: the caller stores it as the last step used,
 * so the same code cannot be replayed at a later step in the window.
 * Steps <= 0 (times before 1970-01-01T00:00:30Z) never match, because 0
 * means "no match".
 */
int64_t totp_verify(const unsigned char *key, size_t keylen, const char *code, int64_t now)
{
	uint32_t want = 0;
	int64_t step, found = 0;

	if (!code || strlen(code) != TOTP_DIGITS)
		return 0;
	for (int i = 0; i < TOTP_DIGITS; i++) {
		if (code[i] < '0' || code[i] > '9')
			return 0;
		want = want * 10 + (uint32_t)(code[i] - '0');
	}
	if (now < 0)
		return 0;
	step = now / TOTP_STEP;
	for (int64_t s = step - 1; s <= step + 1; s++) {
		uint32_t got;

		if (s <= 0)
			continue;
		got = hotp(key, keylen, (uint64_t)s, TOTP_DIGITS);
		if (sodium_memcmp(&got, &want, sizeof(got)) == 0)
			found = s;
	}
	return found;
}

int base32_encode(const unsigned char *in, size_t n, char *out, size_t outcap)
{
	size_t need, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (n > (size_t)INT32_MAX / 8 * 5)
		return -1;
	need = (n * 8 + 4) / 5;
	if (!out || outcap < need + 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;	/* at most 12 live bits */
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 0x1f];
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 0x1f];
	out[o] = '\0';
	return (int)o;
}

/* Value of one base32 letter (either case), or -1. */
static int b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/*
 * Tolerant of what people paste from authenticator set-up pages: lowercase,
 * spaces (and tabs, hyphens) between groups, and '=' padding at the end.
 * Anything else, '=' followed by a letter, or a length that no byte string
 * encodes to (1, 3 or 6 letters in the last group of 8) is refused. Bytes
 * written, or -1 (also when out is too small).
 */
int base32_decode(const char *in, unsigned char *out, size_t outcap)
{
	uint32_t acc = 0;
	int bits = 0, padded = 0;
	size_t letters = 0, o = 0;

	if (!in)
		return -1;
	for (const char *c = in; *c; c++) {
		int v;

		if (*c == ' ' || *c == '\t' || *c == '-')
			continue;
		if (*c == '=') {
			padded = 1;
			continue;
		}
		v = b32_value(*c);
		if (v < 0 || padded)
			return -1;
		letters++;
		acc = (acc << 5 | (uint32_t)v) & 0x1fff;	/* at most 12 live bits */
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outcap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	switch (letters % 8) {
	case 1:
	case 3:
	case 6:
		return -1;
	default:
		break;
	}
	if (o > INT32_MAX)
		return -1;
	return (int)o;
}
