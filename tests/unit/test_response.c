/* test_response.c - JSON answers written item by item: the same document as one tree, the empty cases, and a failed item or the output cap giving a bare 500. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/http/http.h"

static void req_init(struct req *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	arena_init(&r->arena, 0);
	buf_init(&r->out, max);
}

static void req_done(struct req *r)
{
	buf_release(&r->out);
	arena_release(&r->arena);
}

static void test_streamed_equals_tree(void **state)
{
	struct req r;

	(void)state;
	req_init(&r, 0);
	resp_json_begin(&r, 200, json_pack("{s:s, s:i}", "from", "2025-01-01", "n", 3), "items");
	for (int i = 1; i <= 3; i++)
		resp_json_item(&r, json_pack("{s:i, s:s}", "id", i, "名称", "党支部"));
	resp_json_end(&r);
	assert_int_equal(r.status, 200);
	assert_true(r.answered);
	assert_false(r.streaming);
	assert_string_equal(r.out.data, "{\"from\":\"2025-01-01\",\"n\":3,\"items\":[{\"id\":1,\"名称\":\"党支部\"},"
					 "{\"id\":2,\"名称\":\"党支部\"},{\"id\":3,\"名称\":\"党支部\"}]}");
	req_done(&r);
}

static void test_empty_head_and_no_items(void **state)
{
	struct req r;

	(void)state;
	req_init(&r, 0);
	resp_json_begin(&r, 200, json_object(), "items");
	resp_json_end(&r);
	assert_string_equal(r.out.data, "{\"items\":[]}");
	req_done(&r);
}

static void test_failed_item_is_500(void **state)
{
	struct req r;

	(void)state;
	req_init(&r, 0);
	resp_json_begin(&r, 200, json_pack("{s:s}", "a", "b"), "items");
	resp_json_item(&r, json_integer(1));
	resp_json_item(&r, NULL);		/* a json_pack that failed */
	resp_json_item(&r, json_integer(2));	/* ignored after the failure */
	resp_json_end(&r);
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(r.out.data, "\"internal\""));
	assert_null(strstr(r.out.data, "items"));
	req_done(&r);
}

static void test_output_cap_is_500(void **state)
{
	struct req r;

	(void)state;
	req_init(&r, 200);
	resp_json_begin(&r, 200, json_pack("{s:s}", "a", "b"), "items");
	for (int i = 0; i < 100; i++)
		resp_json_item(&r, json_pack("{s:i}", "id", i));
	resp_json_end(&r);
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(r.out.data, "\"internal\""));
	req_done(&r);
}

/* An answer already given (an error) is kept: the stream does not start. */
static void test_answered_first(void **state)
{
	struct req r;

	(void)state;
	req_init(&r, 0);
	resp_error(&r, ZB_ENOTFOUND, "组织不存在");
	resp_json_begin(&r, 200, json_pack("{s:s}", "a", "b"), "items");
	resp_json_item(&r, json_integer(1));
	resp_json_end(&r);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.out.data, "组织不存在"));
	req_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streamed_equals_tree),
		cmocka_unit_test(test_empty_head_and_no_items),
		cmocka_unit_test(test_failed_item_is_500),
		cmocka_unit_test(test_output_cap_is_500),
		cmocka_unit_test(test_answered_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
