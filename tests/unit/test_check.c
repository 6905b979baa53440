/* test_check.c - unit tests for ID card, credit code and phone validators and the display masks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/check.h"

/* The two examples printed in GB 11643-1999. */
static void test_idcard_standard_examples(void **state)
{
	char norm[19];
	struct ymd birth;
	int male = -1;

	(void)state;
	assert_null(idcard_check("11010519491231002X", norm, &birth, &male));
	assert_string_equal(norm, "11010519491231002X");
	assert_int_equal(birth.y, 1949);
	assert_int_equal(birth.m, 12);
	assert_int_equal(birth.d, 31);
	assert_int_equal(male, 0);	/* 17th digit 2: female */

	assert_null(idcard_check("440524188001010014", norm, &birth, &male));
	assert_string_equal(norm, "440524188001010014");
	assert_int_equal(birth.y, 1880);
	assert_int_equal(male, 1);	/* 17th digit 1: male */

	/* optional outputs may be NULL */
	assert_null(idcard_check("11010519491231002X", NULL, NULL, NULL));
}

static void test_idcard_lower_x_normalised(void **state)
{
	char norm[19];

	(void)state;
	assert_null(idcard_check("11010519491231002x", norm, NULL, NULL));
	assert_string_equal(norm, "11010519491231002X");
	/* a check digit of X on a leap day: 2000-02-29 */
	assert_null(idcard_check("11010520000229003x", norm, NULL, NULL));
	assert_string_equal(norm, "11010520000229003X");
}

static void test_idcard_checksum(void **state)
{
	char norm[19] = "junk";

	(void)state;
	assert_string_equal(idcard_check("110105194912310021", norm, NULL, NULL),
			    "身份证号校验位错误");
	assert_string_equal(norm, "");	/* cleared on failure */
	assert_string_equal(idcard_check("440524188001010015", NULL, NULL, NULL),
			    "身份证号校验位错误");
	/* one digit of the body changed */
	assert_string_equal(idcard_check("11010519491231003X", NULL, NULL, NULL),
			    "身份证号校验位错误");
}

static void test_idcard_birth_date(void **state)
{
	(void)state;
	/* 1949-02-30 with a correct check digit: the date is what fails */
	assert_string_equal(idcard_check("110105194902300012", NULL, NULL, NULL),
			    "身份证号中的出生日期无效");
	/* 1900 is not a leap year */
	assert_string_equal(idcard_check("110105190002290033", NULL, NULL, NULL),
			    "身份证号中的出生日期无效");
	assert_null(idcard_check("110105190001010052", NULL, NULL, NULL));
	/* 2199-01-01: in the future */
	assert_string_equal(idcard_check("110105219901010011", NULL, NULL, NULL),
			    "身份证号中的出生日期无效");
	/* 1799-12-31: before any plausible birth */
	assert_string_equal(idcard_check("110105179912310016", NULL, NULL, NULL),
			    "身份证号中的出生日期无效");
}

static void test_idcard_length_and_charset(void **state)
{
	(void)state;
	assert_string_equal(idcard_check("", NULL, NULL, NULL), "身份证号不能为空");
	assert_string_equal(idcard_check(NULL, NULL, NULL, NULL), "身份证号不能为空");
	assert_string_equal(idcard_check("11010519491231002", NULL, NULL, NULL),
			    "身份证号应为18位");
	assert_string_equal(idcard_check("11010519491231002X1", NULL, NULL, NULL),
			    "身份证号应为18位");
	assert_string_equal(idcard_check("110105491231002", NULL, NULL, NULL),	/* old 15-digit */
			    "身份证号应为18位");
	assert_string_equal(idcard_check("11010519491231002Y", NULL, NULL, NULL),
			    "身份证号含有非法字符");
	assert_string_equal(idcard_check("1101051949123100X2", NULL, NULL, NULL),
			    "身份证号含有非法字符");
	assert_string_equal(idcard_check("11010519491231 02X", NULL, NULL, NULL),
			    "身份证号含有非法字符");
	/* 18 bytes, but full-width digits are not digits */
	assert_string_equal(idcard_check("１１０１０５", NULL, NULL, NULL),
			    "身份证号含有非法字符");
}

static void test_credit_code(void **state)
{
	char norm[19];

	(void)state;
	assert_null(credit_code_check("91350100M000100Y43", norm));	/* GB 32100 example */
	assert_string_equal(norm, "91350100M000100Y43");
	assert_null(credit_code_check("91350100m000100y43", norm));
	assert_string_equal(norm, "91350100M000100Y43");
	assert_null(credit_code_check("911100007100000000", norm));	/* check value 0 */
	assert_null(credit_code_check("91440300710000039Y", norm));	/* check value 30 */
	assert_null(credit_code_check("91350100M000100Y43", NULL));
}

static void test_credit_code_bad(void **state)
{
	char norm[19] = "junk";

	(void)state;
	assert_string_equal(credit_code_check("91350100M000100Y44", norm),
			    "统一社会信用代码校验位错误");
	assert_string_equal(norm, "");
	assert_string_equal(credit_code_check("91350100M000200Y43", NULL),
			    "统一社会信用代码校验位错误");
	assert_string_equal(credit_code_check("91350100N000100Y43", NULL),
			    "统一社会信用代码校验位错误");
	/* I, O, S, V, Z are not in the alphabet */
	assert_string_equal(credit_code_check("91350100I000100Y43", NULL),
			    "统一社会信用代码含有非法字符");
	assert_string_equal(credit_code_check("91350100M000100O43", NULL),
			    "统一社会信用代码含有非法字符");
	assert_string_equal(credit_code_check("9135010SM000100Y43", NULL),
			    "统一社会信用代码含有非法字符");
	assert_string_equal(credit_code_check("9135010VM000100Y43", NULL),
			    "统一社会信用代码含有非法字符");
	assert_string_equal(credit_code_check("9135010ZM000100Y43", NULL),
			    "统一社会信用代码含有非法字符");
	assert_string_equal(credit_code_check("91350100M000100-43", NULL),
			    "统一社会信用代码含有非法字符");
	assert_string_equal(credit_code_check("91350100M000100Y4", NULL),
			    "统一社会信用代码应为18位");
	assert_string_equal(credit_code_check("91350100M000100Y433", NULL),
			    "统一社会信用代码应为18位");
	assert_string_equal(credit_code_check("", NULL), "统一社会信用代码不能为空");
	assert_string_equal(credit_code_check(NULL, NULL), "统一社会信用代码不能为空");
}

static void test_phone(void **state)
{
	static const char *good[] = {
		"13812345678", "19912345678", "15000000000",
		"010-12345678", "0755-1234567", "0755-12345678", "01012345678", "075512345678",
		"0101234567",
	};
	static const char *bad[] = {
		"12812345678", "10812345678", "1381234567", "138123456789", "1381234567a",
		"+8613812345678", "138 1234 5678", "010-123456", "010-123456789", "10-12345678",
		"0-12345678", "07555-1234567", "010--12345678", "abc", "010-1234567a", "0",
		"01012345",
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (phone_check(good[i]))
			fail_msg("refused %s: %s", good[i], phone_check(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!phone_check(bad[i]))
			fail_msg("accepted %s", bad[i]);
	assert_string_equal(phone_check("12812345678"), "手机号码应为1开头的11位数字");
	assert_string_equal(phone_check("010-123"), "电话号码格式不正确");
	assert_string_equal(phone_check(""), "电话号码不能为空");
	assert_string_equal(phone_check(NULL), "电话号码不能为空");
}

static void test_masks(void **state)
{
	char out[64];

	(void)state;
	mask_idcard("11010519491231002X", out);
	assert_string_equal(out, "1101**********002X");
	mask_phone("13812345678", out);
	assert_string_equal(out, "138****5678");
	mask_phone("010-12345678", out);
	assert_string_equal(out, "010*****5678");
	mask_idcard("123456789", out);		/* just long enough for first 4 + last 4 */
	assert_string_equal(out, "1234*6789");
	mask_idcard("12345678", out);		/* too short: first and last only */
	assert_string_equal(out, "1******8");
	mask_phone("1234567", out);
	assert_string_equal(out, "1*****7");
	mask_phone("abc", out);
	assert_string_equal(out, "a*c");
	mask_phone("ab", out);
	assert_string_equal(out, "a*");
	mask_phone("a", out);
	assert_string_equal(out, "*");
	mask_phone("", out);
	assert_string_equal(out, "");
	mask_phone(NULL, out);
	assert_string_equal(out, "");
	mask_idcard("张三丰", out);		/* characters, not bytes */
	assert_string_equal(out, "张*丰");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idcard_standard_examples),
		cmocka_unit_test(test_idcard_lower_x_normalised),
		cmocka_unit_test(test_idcard_checksum),
		cmocka_unit_test(test_idcard_birth_date),
		cmocka_unit_test(test_idcard_length_and_charset),
		cmocka_unit_test(test_credit_code),
		cmocka_unit_test(test_credit_code_bad),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_masks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
