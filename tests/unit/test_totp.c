/* test_totp.c - RFC 4226 / RFC 6238 vectors, the verification window, and RFC 4648 base32. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/auth/totp.h"

static const unsigned char secret[] = "12345678901234567890";	/* RFC 4226/6238 SHA-1 key */
#define SECRET_LEN 20

/* RFC 4226 appendix D: HOTP for counters 0..9, 6 digits. */
static void test_hotp_rfc4226(void **state)
{
	static const uint32_t want[10] = {
		755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
	};

	(void)state;
	for (uint64_t c = 0; c < 10; c++)
		assert_int_equal(hotp(secret, SECRET_LEN, c, 6), want[c]);
}

/* RFC 6238 appendix B, SHA-1 rows, 8 digits, T = t / 30. */
static void test_totp_rfc6238(void **state)
{
	static const struct {
		int64_t t;
		uint32_t code;
	} rows[] = {
		{ 59, 94287082 },
		{ 1111111109, 7081804 },
		{ 1111111111, 14050471 },
		{ 1234567890, 89005924 },
		{ 2000000000, 69279037 },
		{ 20000000000, 65353130 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(hotp(secret, SECRET_LEN, (uint64_t)(rows[i].t / 30), 8), rows[i].code);
		/* The 6-digit TOTP is the same value modulo 10^6. */
		assert_int_equal(totp_at(secret, SECRET_LEN, rows[i].t), rows[i].code % 1000000);
	}
	/* 7 digits, and out-of-range digits fall back to 6. */
	assert_int_equal(hotp(secret, SECRET_LEN, 1, 7), 4287082);
	assert_int_equal(hotp(secret, SECRET_LEN, 1, 9), 287082);
	assert_int_equal(hotp(secret, SECRET_LEN, 1, 0), 287082);
	/* Same 30-second step, same code; next step, different code here. */
	assert_int_equal(totp_at(secret, SECRET_LEN, 1111111080), totp_at(secret, SECRET_LEN, 1111111109));
	assert_int_not_equal(totp_at(secret, SECRET_LEN, 1111111110), totp_at(secret, SECRET_LEN, 1111111109));
}

static void code_at(int64_t step, char out[7])
{
	snprintf(out, 7, "%06u", (unsigned)hotp(secret, SECRET_LEN, (uint64_t)step, 6));
}

static void test_verify_window(void **state)
{
	const int64_t now = 1111111111;
	const int64_t step = now / 30;
	char code[7];

	(void)state;
	code_at(step, code);
	assert_string_equal(code, "050471");	/* RFC row, leading zero kept */
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, now), step);
	code_at(step - 1, code);
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, now), step - 1);
	code_at(step + 1, code);
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, now), step + 1);
	code_at(step - 2, code);
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, now), 0);
	code_at(step + 2, code);
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, now), 0);
	/* At the edges of the current step. */
	code_at(step, code);
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, step * 30), step);
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, step * 30 + 29), step);
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, (step + 2) * 30), 0);
	/* Another key does not accept it. */
	assert_int_equal(totp_verify((const unsigned char *)"12345678901234567891", SECRET_LEN,
				     code, now), 0);
}

static void test_verify_refuses_malformed(void **state)
{
	const int64_t now = 1111111111;
	char code[16];

	(void)state;
	code_at(now / 30, code);
	assert_int_equal(totp_verify(secret, SECRET_LEN, "050471", now), now / 30);
	assert_int_equal(totp_verify(secret, SECRET_LEN, "50471", now), 0);
	assert_int_equal(totp_verify(secret, SECRET_LEN, "0050471", now), 0);
	assert_int_equal(totp_verify(secret, SECRET_LEN, "14050471", now), 0);	/* the 8-digit form */
	assert_int_equal(totp_verify(secret, SECRET_LEN, "050471 ", now), 0);
	assert_int_equal(totp_verify(secret, SECRET_LEN, " 50471", now), 0);
	assert_int_equal(totp_verify(secret, SECRET_LEN, "+50471", now), 0);
	assert_int_equal(totp_verify(secret, SECRET_LEN, "05047a", now), 0);
	assert_int_equal(totp_verify(secret, SECRET_LEN, "050 471", now), 0);
	assert_int_equal(totp_verify(secret, SECRET_LEN, "０５０４７１", now), 0);	/* full-width */
	assert_int_equal(totp_verify(secret, SECRET_LEN, "", now), 0);
	assert_int_equal(totp_verify(secret, SECRET_LEN, NULL, now), 0);
	/* Step 0 is never returned (0 means "no match"). */
	code_at(0, code);
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, 10), 0);
	code_at(1, code);
	assert_int_equal(totp_verify(secret, SECRET_LEN, code, 10), 1);
}

/* RFC 4648 section 10, without padding. */
static void test_base32_vectors(void **state)
{
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
	};
	unsigned char bin[16];
	char text[40];

	(void)state;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t n = strlen(vec[i][0]);

		assert_int_equal(base32_encode((const unsigned char *)vec[i][0], n, text, sizeof(text)),
				 (int)strlen(vec[i][1]));
		assert_string_equal(text, vec[i][1]);
		assert_int_equal(base32_decode(vec[i][1], bin, sizeof(bin)), (int)n);
		assert_memory_equal(bin, vec[i][0], n);
	}
	/* The RFC's padded forms, lowercase and grouped with spaces all decode. */
	assert_int_equal(base32_decode("MY======", bin, sizeof(bin)), 1);
	assert_memory_equal(bin, "f", 1);
	assert_int_equal(base32_decode("MZXW6YQ=", bin, sizeof(bin)), 4);
	assert_memory_equal(bin, "foob", 4);
	assert_int_equal(base32_decode("mzxw6ytboi", bin, sizeof(bin)), 6);
	assert_memory_equal(bin, "foobar", 6);
	assert_int_equal(base32_decode("mzxw 6ytb oi", bin, sizeof(bin)), 6);
	assert_memory_equal(bin, "foobar", 6);
	/* The RFC 6238 secret as authenticator apps show it. */
	assert_int_equal(base32_encode(secret, SECRET_LEN, text, sizeof(text)), 32);
	assert_string_equal(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

static void test_base32_refuses(void **state)
{
	unsigned char bin[16];
	char text[16];

	(void)state;
	assert_int_equal(base32_decode("MZXW1", bin, sizeof(bin)), -1);	/* '1' not base32 */
	assert_int_equal(base32_decode("MZXW8", bin, sizeof(bin)), -1);
	assert_int_equal(base32_decode("MZ.XW", bin, sizeof(bin)), -1);
	assert_int_equal(base32_decode("M", bin, sizeof(bin)), -1);	/* impossible lengths */
	assert_int_equal(base32_decode("MZX", bin, sizeof(bin)), -1);
	assert_int_equal(base32_decode("MZXW6Y", bin, sizeof(bin)), -1);
	assert_int_equal(base32_decode("MY==MY", bin, sizeof(bin)), -1);	/* data after padding */
	assert_int_equal(base32_decode(NULL, bin, sizeof(bin)), -1);
	assert_int_equal(base32_decode("MZXW6YTBOI", bin, 5), -1);	/* output too small */
	assert_int_equal(base32_decode("MZXW6YTBOI", bin, 6), 6);
	assert_int_equal(base32_encode((const unsigned char *)"foobar", 6, text, 10), -1);
	assert_int_equal(base32_encode((const unsigned char *)"foobar", 6, text, 11), 10);
}

static void test_base32_roundtrip(void **state)
{
	unsigned char bin[41], back[41];
	char text[80];

	(void)state;
	srand(6238);
	for (size_t n = 0; n <= sizeof(bin); n++) {
		for (size_t i = 0; i < n; i++)
			bin[i] = (unsigned char)rand();
		assert_int_equal(base32_encode(bin, n, text, sizeof(text)), (int)((n * 8 + 4) / 5));
		assert_int_equal(base32_decode(text, back, sizeof(back)), (int)n);
		assert_memory_equal(back, bin, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hotp_rfc4226),
		cmocka_unit_test(test_totp_rfc6238),
		cmocka_unit_test(test_verify_window),
		cmocka_unit_test(test_verify_refuses_malformed),
		cmocka_unit_test(test_base32_vectors),
		cmocka_unit_test(test_base32_refuses),
		cmocka_unit_test(test_base32_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
