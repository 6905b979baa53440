/* test_pathidx.c - the deepest indexed org above a path: itself, an ancestor, none; siblings with common digit prefixes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/pathidx.h"

static void test_deepest(void **state)
{
	struct path_index ix;

	(void)state;
	assert_int_equal(path_index_init(&ix, 8), 0);
	/* added out of order: the index sorts */
	path_index_add(&ix, "/1/4/9/", 2);
	path_index_add(&ix, "/1/", 0);
	path_index_add(&ix, "/1/4/", 1);
	path_index_add(&ix, "/1/44/", 3);
	path_index_add(&ix, "/1/5/", 4);
	path_index_sort(&ix);

	assert_int_equal(path_index_deepest(&ix, "/1/4/9/"), 2);	/* itself */
	assert_int_equal(path_index_deepest(&ix, "/1/4/9/12/"), 2);	/* its party group */
	assert_int_equal(path_index_deepest(&ix, "/1/4/10/"), 1);	/* a sibling not indexed */
	assert_int_equal(path_index_deepest(&ix, "/1/44/7/"), 3);	/* "/1/4" is not a prefix of "/1/44/" */
	assert_int_equal(path_index_deepest(&ix, "/1/444/"), 0);
	assert_int_equal(path_index_deepest(&ix, "/1/"), 0);
	assert_int_equal(path_index_deepest(&ix, "/2/4/9/"), -1);	/* another tree */
	assert_int_equal(path_index_deepest(&ix, ""), -1);
	assert_int_equal(path_index_deepest(&ix, NULL), -1);
	assert_int_equal(path_index_deepest(&ix, "/1/4/9"), 1);	/* not '/'-ended: its parent's */
	path_index_free(&ix);
	assert_null(ix.v);
}

static void test_capacity_and_empty(void **state)
{
	struct path_index ix;

	(void)state;
	assert_int_equal(path_index_init(&ix, 0), 0);
	path_index_add(&ix, "/1/", 0);		/* over the capacity: ignored */
	path_index_sort(&ix);
	assert_int_equal(ix.n, 0);
	assert_int_equal(path_index_deepest(&ix, "/1/2/"), -1);
	path_index_free(&ix);
}

/* A region-sized tree: every answer agrees with a scan of all the paths. */
static void test_agrees_with_scan(void **state)
{
	enum { N = 3000 };
	static char paths[N][32];
	struct path_index ix;

	(void)state;
	assert_int_equal(path_index_init(&ix, N), 0);
	for (int i = 0; i < N; i++) {
		/* townships 2..31, branches under them, groups under some branches */
		if (i < 30)
			snprintf(paths[i], sizeof(paths[i]), "/1/%d/", i + 2);
		else if (i < 1500)
			snprintf(paths[i], sizeof(paths[i]), "/1/%d/%d/", (i % 30) + 2, i + 100);
		else
			snprintf(paths[i], sizeof(paths[i]), "/1/%d/%d/%d/", ((i - 1470) % 30) + 2,
				 i - 1470 + 100, i + 5000);
		if (i % 3 != 0)		/* index two thirds of them */
			path_index_add(&ix, paths[i], i);
	}
	path_index_sort(&ix);
	for (int i = 0; i < N; i++) {
		long best = -1;
		size_t bl = 0;
		for (int k = 0; k < N; k++) {
			size_t l = strlen(paths[k]);
			if (k % 3 != 0 && strncmp(paths[i], paths[k], l) == 0 && l > bl) {
				best = k;
				bl = l;
			}
		}
		assert_int_equal(path_index_deepest(&ix, paths[i]), best);
	}
	path_index_free(&ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deepest),
		cmocka_unit_test(test_capacity_and_empty),
		cmocka_unit_test(test_agrees_with_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
