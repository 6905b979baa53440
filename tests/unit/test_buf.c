/* test_buf.c - unit tests for the capped string builder: appends, cap, sticky error, detach. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/buf.h"

static void test_init_is_empty_not_null(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.err, 0);
	buf_reset(&b);		/* must not write to the shared empty string */
	assert_string_equal(b.data, "");
	buf_release(&b);
	assert_non_null(b.data);
}

static void test_appends(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "支部");
	buf_putc(&b, ':');
	buf_add(&b, "abcdef", 3);
	buf_printf(&b, "[%d|%s]", -7, "x");
	buf_add(&b, "ignored", 0);
	assert_string_equal(b.data, "支部:abc[-7|x]");
	assert_int_equal(b.len, strlen("支部:abc[-7|x]"));
	assert_int_equal(b.err, 0);
	buf_release(&b);
}

static void test_embedded_nul_counts(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_add(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);	/* and NUL-terminated */
	buf_release(&b);
}

static void test_growth(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 100000);
	assert_int_equal(strlen(b.data), 100000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.data[99999], 'a' + 99999 % 26);
	buf_release(&b);
}

/* Reaching the cap exactly is fine; one byte more sets the sticky error and keeps the text. */
static void test_cap_and_sticky_error(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 5);
	buf_puts(&b, "hello");
	assert_int_equal(b.err, 0);
	assert_string_equal(b.data, "hello");
	buf_putc(&b, '!');
	assert_int_equal(b.err, 1);
	assert_string_equal(b.data, "hello");
	assert_int_equal(b.len, 5);
	buf_reset(&b);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 0);
	buf_puts(&b, "abc");
	buf_puts(&b, "def");		/* passes the cap: dropped whole */
	buf_puts(&b, "g");		/* would fit, but the error is sticky */
	buf_printf(&b, "%s", "h");
	assert_int_equal(b.err, 1);
	assert_string_equal(b.data, "abc");
	assert_true(b.cap <= 6);	/* never grows past max + NUL */
	buf_release(&b);
}

static void test_printf_over_cap_appends_nothing(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	buf_printf(&b, "%d", 1234);
	buf_printf(&b, "%s", "56789");
	assert_int_equal(b.err, 1);
	assert_string_equal(b.data, "1234");
	buf_release(&b);
}

static void test_printf_long(void **state)
{
	struct buf b;
	char big[3000];

	(void)state;
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_init(&b, 0);
	buf_puts(&b, "<");
	buf_printf(&b, "%s>", big);
	assert_int_equal(b.len, sizeof big + 1);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[b.len - 1], '>');
	assert_int_equal(b.data[b.len], '\0');
	buf_release(&b);
}

static void test_detach(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, 100);
	buf_puts(&b, "owned");
	s = buf_detach(&b);
	assert_string_equal(s, "owned");
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 100);
	free(s);

	s = buf_detach(&b);	/* never allocated: still a free()-able "" */
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);

	buf_puts(&b, "again");	/* reusable after detach */
	assert_string_equal(b.data, "again");
	buf_release(&b);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty_not_null),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_embedded_nul_counts),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_cap_and_sticky_error),
		cmocka_unit_test(test_printf_over_cap_appends_nothing),
		cmocka_unit_test(test_printf_long),
		cmocka_unit_test(test_detach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
