/* test_arena.c - unit tests for the bump allocator: alignment, zeroing, big blocks, reset, poisoning. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void test_default_block_size(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 0);
	assert_int_equal(a.block_size, 16 * 1024);
	assert_null(a.head);
	arena_init(&a, 4096);
	assert_int_equal(a.block_size, 4096);
	arena_release(&a);
}

static void test_alignment_and_zeroing(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 1024);
	for (size_t n = 0; n < 300; n++) {
		unsigned char *p = arena_alloc(&a, n);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_true(all_zero(p, n));
		memset(p, 0xAB, n);
	}
	arena_release(&a);
}

static void test_zero_size_gives_distinct_pointers(void **state)
{
	struct arena a;
	void *p, *q;

	(void)state;
	arena_init(&a, 0);
	p = arena_alloc(&a, 0);
	q = arena_alloc(&a, 0);
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	arena_release(&a);
}

/* Contents survive while many blocks are chained (nothing is reused too early). */
static void test_many_blocks_keep_contents(void **state)
{
	struct arena a;
	unsigned char *ptrs[2000];

	(void)state;
	arena_init(&a, 1024);
	for (int i = 0; i < 2000; i++) {
		ptrs[i] = arena_alloc(&a, 100);
		memset(ptrs[i], i & 0xFF, 100);
	}
	for (int i = 0; i < 2000; i++)
		for (int j = 0; j < 100; j++)
			assert_int_equal(ptrs[i][j], i & 0xFF);
	arena_release(&a);
}

/* A big request gets its own block; small ones go on filling the current block. */
static void test_big_allocation_own_block(void **state)
{
	struct arena a;
	unsigned char *s1, *big, *s2;

	(void)state;
	arena_init(&a, 1024);
	s1 = arena_alloc(&a, 16);
	big = arena_alloc(&a, 100000);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % 16, 0);
	assert_true(all_zero(big, 100000));
	memset(big, 0x5A, 100000);
	s2 = arena_alloc(&a, 16);
	assert_ptr_equal(s2, s1 + 16);	/* same block, right after s1 */
	assert_int_equal(big[99999], 0x5A);
	arena_release(&a);
}

static void test_strdup_strndup(void **state)
{
	struct arena a;
	const char *src = "党支部委员会";
	char *p;

	(void)state;
	arena_init(&a, 0);
	assert_null(arena_strdup(&a, NULL));
	assert_null(arena_strndup(&a, NULL, 3));
	p = arena_strdup(&a, src);
	assert_string_equal(p, src);
	assert_ptr_not_equal(p, src);
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	assert_string_equal(arena_strndup(&a, "ab", 10), "ab");	/* stops at the NUL */
	assert_string_equal(arena_strndup(&a, "abc", 0), "");
	assert_string_equal(arena_strdup(&a, ""), "");
	arena_release(&a);
}

static void test_printf(void **state)
{
	struct arena a;
	char *p;
	char big[5000];

	(void)state;
	arena_init(&a, 256);
	p = arena_printf(&a, "%s-%d-%05.1f", "组织", 42, 3.14159);
	assert_string_equal(p, "组织-42-003.1");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	p = arena_printf(&a, "[%s]", big);	/* larger than a block */
	assert_int_equal(strlen(p), sizeof big + 1);
	assert_int_equal(p[0], '[');
	assert_int_equal(p[sizeof big], ']');
	assert_string_equal(arena_printf(&a, "%s", ""), "");
	arena_release(&a);
}

/* Reset keeps the first block: the first allocation after it reuses the same memory, zeroed. */
static void test_reset_reuses_first_block(void **state)
{
	struct arena a;
	unsigned char *p, *q;

	(void)state;
	arena_init(&a, 1024);
	p = arena_alloc(&a, 64);
	memset(p, 0xFF, 64);
	for (int i = 0; i < 50; i++)
		arena_alloc(&a, 200);	/* several more blocks */
	arena_alloc(&a, 50000);		/* and a big one */
	arena_reset(&a);
	assert_non_null(a.head);
	q = arena_alloc(&a, 64);
	assert_ptr_equal(p, q);
	assert_true(all_zero(q, 64));
	arena_release(&a);
}

/* When the oldest block was made for one big request, reset frees it too. */
static void test_reset_after_only_big(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 1024);
	arena_alloc(&a, 10000);
	arena_reset(&a);
	assert_null(a.head);
	assert_non_null(arena_alloc(&a, 10));
	arena_release(&a);
}

static void test_release_then_reuse(void **state)
{
	struct arena a;
	char *p;

	(void)state;
	arena_init(&a, 0);
	arena_alloc(&a, 100);
	arena_release(&a);
	assert_null(a.head);
	arena_release(&a);	/* twice is harmless */
	p = arena_strdup(&a, "again");
	assert_string_equal(p, "again");
	arena_release(&a);
}

/* arena_size: the bytes of the blocks held, a big allocation's own block included. */
static void test_size(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 1024);
	assert_int_equal(arena_size(&a), 0);
	arena_alloc(&a, 10);
	assert_int_equal(arena_size(&a), 1024);
	arena_alloc(&a, 2000);		/* more than a block: a block of its own */
	assert_true(arena_size(&a) >= 1024 + 2000);
	arena_release(&a);
	assert_int_equal(arena_size(&a), 0);
}

#ifdef TEST_ASAN
/* Memory not handed out, and memory given back by reset, is poisoned for ASan. */
static void test_asan_poisoning(void **state)
{
	struct arena a;
	unsigned char *p;

	(void)state;
	arena_init(&a, 1024);
	p = arena_alloc(&a, 8);
	assert_false(__asan_address_is_poisoned(p));
	assert_false(__asan_address_is_poisoned(p + 7));
	assert_true(__asan_address_is_poisoned(p + 16));	/* not yet handed out */
	arena_reset(&a);
	assert_true(__asan_address_is_poisoned(p));		/* stale after reset */
	p = arena_alloc(&a, 8);
	assert_false(__asan_address_is_poisoned(p));
	arena_release(&a);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_block_size),
		cmocka_unit_test(test_alignment_and_zeroing),
		cmocka_unit_test(test_zero_size_gives_distinct_pointers),
		cmocka_unit_test(test_many_blocks_keep_contents),
		cmocka_unit_test(test_big_allocation_own_block),
		cmocka_unit_test(test_strdup_strndup),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_reset_reuses_first_block),
		cmocka_unit_test(test_reset_after_only_big),
		cmocka_unit_test(test_release_then_reuse),
		cmocka_unit_test(test_size),
#ifdef TEST_ASAN
		cmocka_unit_test(test_asan_poisoning),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
