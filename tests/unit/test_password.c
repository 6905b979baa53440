/* test_password.c - Argon2id hashing, every rule of the password policy, and generated one-time passwords. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "../../src/auth/password.h"

static void test_hash_verify(void **state)
{
	char h1[128], h2[128], small[127];

	(void)state;
	assert_int_equal(password_hash("Zhibu#2024", h1, sizeof(h1)), 0);
	assert_memory_equal(h1, "$argon2id$", 10);
	/* The interactive limits: 64 MiB (m=65536 KiB), t=2, p=1. */
	assert_non_null(strstr(h1, "$m=65536,t=2,p=1$"));
	assert_int_equal(password_verify(h1, "Zhibu#2024"), 1);
	assert_int_equal(password_verify(h1, "zhibu#2024"), 0);
	assert_int_equal(password_verify(h1, "Zhibu#2024 "), 0);
	assert_int_equal(password_verify(h1, ""), 0);
	/* A random salt: the same password hashes differently, and both verify. */
	assert_int_equal(password_hash("Zhibu#2024", h2, sizeof(h2)), 0);
	assert_string_not_equal(h1, h2);
	assert_int_equal(password_verify(h2, "Zhibu#2024"), 1);
	/* Non-ASCII passwords. */
	assert_int_equal(password_hash("党建工作Ab1!", h2, sizeof(h2)), 0);
	assert_int_equal(password_verify(h2, "党建工作Ab1!"), 1);
	assert_int_equal(password_verify(h2, "党建工作Ab1?"), 0);
	/* Failure paths. */
	assert_int_equal(password_hash("x", small, sizeof(small)), -1);
	assert_int_equal(password_hash(NULL, h2, sizeof(h2)), -1);
	assert_int_equal(password_verify(NULL, "x"), 0);
	assert_int_equal(password_verify(h1, NULL), 0);
	assert_int_equal(password_verify("", "Zhibu#2024"), 0);
	assert_int_equal(password_verify("$argon2id$garbage", "Zhibu#2024"), 0);
	/* A tampered hash no longer verifies. */
	{
		size_t n = strlen(h1);

		h1[n - 2] = h1[n - 2] == 'A' ? 'B' : 'A';
		assert_int_equal(password_verify(h1, "Zhibu#2024"), 0);
	}
}

/*
 * The hash checked for unknown usernames: libsodium reads it as a hash with
 * exactly password_hash's limits (so a check against it costs a real
 * check's work), and no password matches it.
 */
static void test_dummy_hash(void **state)
{
	char d1[128], d2[128], real[128], small[64];

	(void)state;
	assert_int_equal(password_dummy_hash(d1, sizeof(d1)), 0);
	assert_int_equal(password_dummy_hash(d2, sizeof(d2)), 0);
	assert_string_not_equal(d1, d2);
	assert_int_equal(crypto_pwhash_str_needs_rehash(d1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
							crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
	assert_int_equal(password_hash("Zhibu#2024", real, sizeof(real)), 0);
	/* the same prefix "$argon2id$v=19$m=65536,t=2,p=1$" as a real hash, and the same length */
	{
		const char *salt = real;
		for (int i = 0; i < 4; i++)
			salt = strchr(salt, '$') + 1;
		assert_memory_equal(d1, real, (size_t)(salt - real));
		assert_int_equal(strlen(d1), strlen(real));
	}
	assert_int_equal(password_verify(d1, "Zhibu#2024"), 0);
	assert_int_equal(password_verify(d1, ""), 0);
	assert_int_equal(password_dummy_hash(small, sizeof(small)), -1);
	assert_int_equal(password_dummy_hash(NULL, 128), -1);
}

/* Hashes from many threads at once all finish (at most two run at a time). */
static void *hash_one(void *arg)
{
	char h[128];

	return (void *)(intptr_t)(password_hash((const char *)arg, h, sizeof(h)) == 0 &&
				  password_verify(h, (const char *)arg) == 1);
}

static void test_concurrent(void **state)
{
	pthread_t t[6];
	void *ok;

	(void)state;
	for (int i = 0; i < 6; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hash_one, "Zhibu#2024"), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(pthread_join(t[i], &ok), 0);
		assert_true(ok == (void *)(intptr_t)1);
	}
}

static void test_policy_length(void **state)
{
	const struct password_policy p8 = { 8, 1 };
	const struct password_policy p12 = { 12, 1 };
	const struct password_policy p128 = { 128, 1 };

	(void)state;
	assert_string_equal(password_check(&p8, "abcdefg", NULL), "密码至少需要8个字符");
	assert_null(password_check(&p8, "abcdefgh", NULL));
	assert_string_equal(password_check(&p12, "abcdefghijk", NULL), "密码至少需要12个字符");
	assert_string_equal(password_check(&p128, "abcdefghijk", NULL), "密码至少需要128个字符");
	/* Characters, not bytes: 7 Chinese characters are 21 bytes but 7 characters. */
	assert_string_equal(password_check(&p8, "中国共产党党员", NULL), "密码至少需要8个字符");
	assert_null(password_check(&p8, "中国共产党党员们", NULL));
	/* 4-byte characters count once each. */
	assert_string_equal(password_check(&p8, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80" "ab", NULL),
			    "密码至少需要8个字符");
	assert_string_equal(password_check(&p8, "", NULL), "密码不能为空");
	assert_string_equal(password_check(&p8, NULL, NULL), "密码不能为空");
}

static void test_policy_max_and_utf8(void **state)
{
	const struct password_policy p = { 8, 3 };
	char pw[200];

	(void)state;
	memset(pw, 'a', sizeof(pw));
	memcpy(pw, "Ab1!", 4);
	pw[128] = '\0';
	assert_null(password_check(&p, pw, NULL));		/* exactly 128 bytes */
	pw[128] = 'a';
	pw[129] = '\0';
	assert_string_equal(password_check(&p, pw, NULL), "密码不能超过128个字节");
	/* 43 Chinese characters = 129 bytes: too long though only 43 characters. */
	for (int i = 0; i < 43; i++)
		memcpy(pw + 3 * i, "党", 3);
	pw[129] = '\0';
	assert_int_equal(strlen(pw), 129);
	assert_string_equal(password_check(&p, pw, NULL), "密码不能超过128个字节");
	/* Invalid UTF-8: stray continuation, truncated sequence, overlong, surrogate. */
	assert_string_equal(password_check(&p, "Abcdef1!\x80", NULL), "密码含有无效字符");
	assert_string_equal(password_check(&p, "Abcdef1!\xe5\x85", NULL), "密码含有无效字符");
	assert_string_equal(password_check(&p, "Abcdef1!\xc0\xaf", NULL), "密码含有无效字符");
	assert_string_equal(password_check(&p, "Abcdef1!\xed\xa0\x80", NULL), "密码含有无效字符");
	assert_string_equal(password_check(&p, "Abcdef1!\xf4\x90\x80\x80", NULL), "密码含有无效字符");
}

static void test_policy_classes(void **state)
{
	const struct password_policy p1 = { 8, 1 };
	const struct password_policy p2 = { 8, 2 };
	const struct password_policy p3 = { 8, 3 };
	const struct password_policy p4 = { 8, 4 };
	const struct password_policy p9 = { 8, 9 };

	(void)state;
	assert_null(password_check(&p1, "abcdefgh", NULL));
	assert_string_equal(password_check(&p2, "abcdefgh", NULL),
			    "密码需包含大写字母、小写字母、数字和符号中的至少2类");
	assert_null(password_check(&p2, "abcdefg1", NULL));
	assert_string_equal(password_check(&p3, "abcdefg1", NULL),
			    "密码需包含大写字母、小写字母、数字和符号中的至少3类");
	assert_null(password_check(&p3, "Abcdefg1", NULL));
	assert_null(password_check(&p3, "abcdef1!", NULL));
	assert_null(password_check(&p3, "ABCDEF1!", NULL));
	assert_string_equal(password_check(&p4, "Abcdefg1", NULL),
			    "密码需包含大写字母、小写字母、数字和符号中的至少4类");
	assert_null(password_check(&p4, "Abcdef1!", NULL));
	/* A space and a Chinese character both count as "symbol". */
	assert_null(password_check(&p4, "Abcdef1 ", NULL));
	assert_null(password_check(&p4, "Abcdef1党", NULL));
	/* More than 4 classes asked for: 4 is the most there is. */
	assert_string_equal(password_check(&p9, "Abcdefg1", NULL),
			    "密码需包含大写字母、小写字母、数字和符号中的至少4类");
	assert_null(password_check(&p9, "Abcdef1!", NULL));
	/* Length is reported before classes. */
	assert_string_equal(password_check(&p4, "ab", NULL), "密码至少需要8个字符");
}

static void test_policy_username(void **state)
{
	const struct password_policy p = { 8, 3 };

	(void)state;
	assert_string_equal(password_check(&p, "Zhangsan#2024", "zhangsan"), "密码不能包含用户名");
	assert_string_equal(password_check(&p, "x1ZHANGSAN!", "zhangsan"), "密码不能包含用户名");
	assert_string_equal(password_check(&p, "#2024zhangsan", "ZhangSan"), "密码不能包含用户名");
	assert_string_equal(password_check(&p, "党建张三Ab1!", "张三Ab"), "密码不能包含用户名");
	assert_null(password_check(&p, "Zhangsa#2024", "zhangsan"));
	assert_null(password_check(&p, "Zhangsan#2024", NULL));
	assert_null(password_check(&p, "Zhangsan#2024", ""));
	/* Two-character usernames are not searched for. */
	assert_null(password_check(&p, "Lijian#2024", "li"));
	assert_string_equal(password_check(&p, "Lijian#2024", "lij"), "密码不能包含用户名");
}

/* Every generated password passes the strictest policy and the alphabet. */
static void test_generate(void **state)
{
	const struct password_policy strict = { 16, 4 };
	char seen[100][17];
	char tiny[16];

	(void)state;
	for (int i = 0; i < 100; i++) {
		char *pw = seen[i];

		memset(pw, 'Z', 17);
		password_generate(pw, 17);
		assert_int_equal(strlen(pw), 16);
		assert_null(password_check(&strict, pw, "admin"));
		for (int c = 0; c < 16; c++) {
			/* No ambiguous characters, nothing that needs quoting. */
			assert_null(strchr("0O1lIio \"'`\\", pw[c]));
			assert_true(pw[c] > 0x20 && pw[c] < 0x7f);
		}
		for (int j = 0; j < i; j++)
			assert_string_not_equal(pw, seen[j]);
	}
	/* Too small a buffer gets the empty string, which no policy accepts. */
	memset(tiny, 'x', sizeof(tiny));
	password_generate(tiny, sizeof(tiny));
	assert_string_equal(tiny, "");
	/* A larger buffer still gets 16 characters. */
	{
		char big[64];

		password_generate(big, sizeof(big));
		assert_int_equal(strlen(big), 16);
	}
}

/* The guaranteed characters are shuffled, not always in front. */
static void test_generate_shuffled(void **state)
{
	int lower_first = 0;

	(void)state;
	for (int i = 0; i < 200; i++) {
		char pw[17];

		password_generate(pw, sizeof(pw));
		if (pw[0] >= 'a' && pw[0] <= 'z')
			lower_first++;
	}
	/* About 23/67 of first characters are lowercase; never all 200. */
	assert_true(lower_first < 200);
	assert_true(lower_first > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_dummy_hash),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_policy_length),
		cmocka_unit_test(test_policy_max_and_utf8),
		cmocka_unit_test(test_policy_classes),
		cmocka_unit_test(test_policy_username),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_generate_shuffled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
