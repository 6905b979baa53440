/* test_json.c - unit tests for json_check's rules, the JSON accessors, and the error answer built from zb_fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/buf.h"
#include "../../src/base/json.h"

static const struct json_field member_fields[] = {
	{ "name",     JF_STRING, 1, 0, 1, 5,   "姓名" },
	{ "note",     JF_STRING, 0, 1, 0, 3,   "备注" },
	{ "nick",     JF_STRING, 0, 0, 2, 0,   "昵称" },
	{ "code",     JF_STRING, 0, 0, 4, 4,   "编码" },
	{ "age",      JF_INT,    0, 0, 0, 150, "年龄" },
	{ "count",    JF_INT,    0, 0, 0, 0,   "数量" },
	{ "active",   JF_BOOL,   0, 0, 0, 0,   "是否在册" },
	{ "joined",   JF_DATE,   1, 0, 0, 0,   "入党日期" },
	{ "left",     JF_DATE,   0, 1, 0, 0,   "离开日期" },
	{ "extra",    JF_OBJECT, 0, 0, 0, 0,   "扩展信息" },
	{ "tags",     JF_ARRAY,  0, 0, 0, 3,   "标签" },
	{ NULL, JF_STRING, 0, 0, 0, 0, NULL },
};

/* Run json_check on `text` (which must parse) and return its result; f is initialised here. */
static int check(const char *text, int partial, struct zb_fail *f)
{
	json_error_t jerr;
	json_t *body = json_loads(text, 0, &jerr);
	int rc;

	if (!body)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	zb_fail_init(f);
	rc = json_check(body, member_fields, partial, f);
	json_decref(body);
	return rc;
}

/* The message recorded for `field`, or NULL. */
static const char *field_msg(const struct zb_fail *f, const char *field)
{
	return json_string_value(json_object_get(f->fields, field));
}

static void expect_one(const char *text, const char *field, const char *msg)
{
	struct zb_fail f;

	if (check(text, 0, &f) != -1)
		fail_msg("accepted %s", text);
	assert_int_equal(f.err, ZB_EVALIDATION);
	if (!field_msg(&f, field) || strcmp(field_msg(&f, field), msg) != 0)
		fail_msg("%s: %s -> %s, expected %s", text, field,
			 field_msg(&f, field) ? field_msg(&f, field) : "(none)", msg);
	assert_int_equal(json_object_size(f.fields), 1);
	zb_fail_release(&f);
}

static void expect_ok(const char *text, int partial)
{
	struct zb_fail f;

	if (check(text, partial, &f) != 0) {
		char *dump = json_dumps(f.fields, 0);

		fail_msg("refused %s: %s", text, dump ? dump : "");
	}
	assert_int_equal(f.err, ZB_OK);
	assert_null(f.fields);
	zb_fail_release(&f);
}

static void test_clean_body(void **state)
{
	(void)state;
	expect_ok("{\"name\":\"张三\",\"joined\":\"2001-07-01\"}", 0);
	expect_ok("{\"name\":\" 一二三四五 \",\"note\":\"一二三\",\"nick\":\"ab\",\"code\":\"A1B2\","
		  "\"age\":0,\"count\":-99999999999,\"active\":false,\"joined\":\"2024-02-29\","
		  "\"left\":null,\"extra\":{},\"tags\":[1,2,3]}", 0);
	/* an optional string left blank means "none" */
	expect_ok("{\"name\":\"张三\",\"joined\":\"2001-07-01\",\"nick\":\"  \",\"code\":\"\"}", 0);
}

static void test_not_an_object(void **state)
{
	struct zb_fail f;

	(void)state;
	assert_int_equal(check("[1,2]", 0, &f), -1);
	assert_int_equal(f.err, ZB_EVALIDATION);
	assert_string_equal(f.message, "请求内容应为JSON对象");
	zb_fail_release(&f);
	zb_fail_init(&f);
	assert_int_equal(json_check(NULL, member_fields, 0, &f), -1);
	assert_int_equal(f.err, ZB_EVALIDATION);
	zb_fail_release(&f);
}

static void test_unknown_field_named(void **state)
{
	(void)state;
	expect_one("{\"name\":\"张三\",\"joined\":\"2001-07-01\",\"role\":\"admin\"}",
		   "role", "未知字段");
	expect_one("{\"name\":\"张三\",\"joined\":\"2001-07-01\",\"version\":3}",
		   "version", "未知字段");
}

static void test_required(void **state)
{
	(void)state;
	expect_one("{\"joined\":\"2001-07-01\"}", "name", "姓名不能为空");
	expect_one("{\"name\":\"\",\"joined\":\"2001-07-01\"}", "name", "姓名不能为空");
	expect_one("{\"name\":\" \\t\\n\",\"joined\":\"2001-07-01\"}", "name", "姓名不能为空");
	/* U+3000 ideographic space, as a Chinese IME types it */
	expect_one("{\"name\":\"\u3000\u3000\",\"joined\":\"2001-07-01\"}", "name", "姓名不能为空");
	expect_one("{\"name\":null,\"joined\":\"2001-07-01\"}", "name", "姓名不能为空");
	expect_one("{\"name\":\"张三\",\"joined\":\"\"}", "joined", "入党日期不能为空");
	/* partial: absent required fields are fine, but blanking one is not */
	expect_ok("{\"age\":30}", 1);
	expect_ok("{}", 1);
	{
		struct zb_fail f;

		assert_int_equal(check("{\"name\":\"  \"}", 1, &f), -1);
		assert_string_equal(field_msg(&f, "name"), "姓名不能为空");
		zb_fail_release(&f);
	}
}

static void test_string_length_in_characters(void **state)
{
	(void)state;
	/* five Chinese characters are 15 bytes but 5 characters: within 1..5 */
	expect_ok("{\"name\":\"一二三四五\",\"joined\":\"2001-07-01\"}", 0);
	expect_one("{\"name\":\"一二三四五六\",\"joined\":\"2001-07-01\"}", "name",
		   "姓名长度应在1到5个字之间");
	expect_one("{\"name\":\"张三\",\"joined\":\"2001-07-01\",\"note\":\"abcd\"}", "note",
		   "备注不能超过3个字");
	expect_one("{\"name\":\"张三\",\"joined\":\"2001-07-01\",\"nick\":\"a\"}", "nick",
		   "昵称不能少于2个字");
	expect_one("{\"name\":\"张三\",\"joined\":\"2001-07-01\",\"code\":\"ABC\"}", "code",
		   "编码应为4个字");
	/* surrounding spaces do not count, inner ones do */
	expect_ok("{\"name\":\"张三\",\"joined\":\"2001-07-01\",\"note\":\"  a b  \"}", 0);
	expect_one("{\"name\":\"张三\",\"joined\":\"2001-07-01\",\"note\":\"a  b\"}", "note",
		   "备注不能超过3个字");
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_one("{\"name\":123,\"joined\":\"2001-07-01\"}", "name", "姓名应为字符串");
	expect_one("{\"name\":[\"a\"],\"joined\":\"2001-07-01\"}", "name", "姓名应为字符串");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"age\":\"30\"}", "age", "年龄应为整数");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"age\":30.0}", "age", "年龄应为整数");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"age\":1e1}", "age", "年龄应为整数");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"age\":true}", "age", "年龄应为整数");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"active\":1}", "active",
		   "是否在册应为布尔值");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"active\":\"true\"}", "active",
		   "是否在册应为布尔值");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"extra\":[]}", "extra", "扩展信息应为对象");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"tags\":{}}", "tags", "标签应为数组");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"tags\":[1,2,3,4]}", "tags",
		   "标签不能超过3项");
}

static void test_int_range(void **state)
{
	(void)state;
	expect_ok("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"age\":150}", 0);
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"age\":151}", "age",
		   "年龄应在 0 到 150 之间");
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"age\":-1}", "age",
		   "年龄应在 0 到 150 之间");
	/* 0/0 means no limit */
	expect_ok("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"count\":9007199254740993}", 0);
}

static void test_dates(void **state)
{
	(void)state;
	expect_one("{\"name\":\"a\",\"joined\":\"2023-02-29\"}", "joined",
		   "入党日期应为有效日期（YYYY-MM-DD）");
	expect_one("{\"name\":\"a\",\"joined\":\"2022-2-5\"}", "joined",
		   "入党日期应为有效日期（YYYY-MM-DD）");
	expect_one("{\"name\":\"a\",\"joined\":20220205}", "joined",
		   "入党日期应为有效日期（YYYY-MM-DD）");
	expect_one("{\"name\":\"a\",\"joined\":\"2022-02-05T00:00:00Z\"}", "joined",
		   "入党日期应为有效日期（YYYY-MM-DD）");
}

static void test_nullable(void **state)
{
	(void)state;
	expect_ok("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"left\":null,\"note\":null}", 0);
	expect_one("{\"name\":\"a\",\"joined\":\"2001-07-01\",\"age\":null}", "age", "年龄不能为空");
	expect_one("{\"name\":\"a\",\"joined\":null}", "joined", "入党日期不能为空");
}

/* One body with many problems: every one is reported in the same answer. */
static void test_all_errors_at_once(void **state)
{
	struct zb_fail f;

	(void)state;
	assert_int_equal(check("{\"age\":200,\"active\":\"yes\",\"joined\":\"2001-13-01\","
			       "\"org_id\":7,\"status\":\"x\"}", 0, &f), -1);
	assert_int_equal(f.err, ZB_EVALIDATION);
	assert_int_equal(json_object_size(f.fields), 6);
	assert_string_equal(field_msg(&f, "name"), "姓名不能为空");
	assert_string_equal(field_msg(&f, "age"), "年龄应在 0 到 150 之间");
	assert_string_equal(field_msg(&f, "active"), "是否在册应为布尔值");
	assert_string_equal(field_msg(&f, "joined"), "入党日期应为有效日期（YYYY-MM-DD）");
	assert_string_equal(field_msg(&f, "org_id"), "未知字段");
	assert_string_equal(field_msg(&f, "status"), "未知字段");
	zb_fail_release(&f);
}

static void test_accessors(void **state)
{
	json_t *o = json_loads("{\"s\":\"党\",\"i\":42,\"r\":1.5,\"n\":null,\"b\":true}", 0, NULL);

	(void)state;
	assert_non_null(o);
	assert_string_equal(json_str(o, "s", "d"), "党");
	assert_string_equal(json_str(o, "i", "d"), "d");
	assert_string_equal(json_str(o, "n", "d"), "d");
	assert_string_equal(json_str(o, "missing", "d"), "d");
	assert_null(json_str(o, "missing", NULL));
	assert_int_equal(json_int(o, "i", -1), 42);
	assert_int_equal(json_int(o, "r", -1), -1);
	assert_int_equal(json_int(o, "b", -1), -1);
	assert_int_equal(json_int(o, "missing", 7), 7);
	assert_true(json_has(o, "s"));
	assert_true(json_has(o, "b"));
	assert_false(json_has(o, "n"));
	assert_false(json_has(o, "missing"));
	assert_false(json_has(NULL, "s"));
	assert_string_equal(json_str(NULL, "s", "d"), "d");
	json_decref(o);
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(utf8_len(""), 0);
	assert_int_equal(utf8_len("abc"), 3);
	assert_int_equal(utf8_len("党建"), 2);
	assert_int_equal(utf8_len("a党b"), 3);
	assert_int_equal(utf8_len("\xF0\x9F\x98\x80"), 1);	/* U+1F600, four bytes */
}

/* ---- err.c: status and code mapping, zb_fail and the JSON answer ---- */

static void test_status_and_code(void **state)
{
	static const struct { enum zb_err e; int status; const char *code; } map[] = {
		{ ZB_OK, 200, "ok" },
		{ ZB_EVALIDATION, 400, "validation_failed" },
		{ ZB_EUNAUTHORIZED, 401, "unauthorized" },
		{ ZB_EPWCHANGE, 403, "password_change_required" },
		{ ZB_ETOTPENROL, 403, "totp_enrollment_required" },
		{ ZB_EFORBIDDEN, 403, "forbidden" },
		{ ZB_ENOTFOUND, 404, "not_found" },
		{ ZB_EMETHOD, 405, "method_not_allowed" },
		{ ZB_ECONFLICT, 409, "conflict" },
		{ ZB_ETOOLARGE, 413, "too_large" },
		{ ZB_ERATELIMITED, 429, "rate_limited" },
		{ ZB_EINTERNAL, 500, "internal" },
		{ ZB_EUNAVAILABLE, 503, "unavailable" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		assert_int_equal(zb_err_status(map[i].e), map[i].status);
		assert_string_equal(zb_err_code(map[i].e), map[i].code);
	}
}

static void test_fail_set_keeps_first_message(void **state)
{
	struct zb_fail f;

	(void)state;
	zb_fail_init(&f);
	assert_int_equal(zb_fail_set(&f, ZB_ENOTFOUND, "组织%d不存在", 9), ZB_ENOTFOUND);
	assert_string_equal(f.message, "组织9不存在");
	zb_fail_set(&f, ZB_EFORBIDDEN, "其他");
	assert_int_equal(f.err, ZB_EFORBIDDEN);
	assert_string_equal(f.message, "组织9不存在");
	zb_fail_release(&f);
	assert_int_equal(f.err, ZB_OK);
	assert_null(f.fields);
}

static void test_fail_field(void **state)
{
	struct zb_fail f;

	(void)state;
	zb_fail_init(&f);
	zb_fail_field(&f, "phone", "手机号码应为%d位", 11);
	zb_fail_field(&f, "phone", "second message is dropped");
	assert_int_equal(f.err, ZB_EVALIDATION);
	assert_string_equal(field_msg(&f, "phone"), "手机号码应为11位");
	zb_fail_release(&f);

	/* an error already set is not downgraded to validation */
	zb_fail_init(&f);
	zb_fail_set(&f, ZB_ECONFLICT, "身份证号已存在");
	zb_fail_field(&f, "id_number", "已存在");
	assert_int_equal(f.err, ZB_ECONFLICT);
	zb_fail_release(&f);
}

/* A message longer than the buffer is cut at a character boundary, so it is still valid UTF-8. */
static void test_long_message_stays_utf8(void **state)
{
	struct zb_fail f;
	char big[400];
	json_t *j;

	(void)state;
	big[0] = '\0';
	for (int i = 0; i < 130; i++)
		strncat(big, "党", sizeof big - strlen(big) - 1);
	zb_fail_init(&f);
	zb_fail_set(&f, ZB_EINTERNAL, "x%s", big);	/* "x" shifts the boundary */
	assert_true(strlen(f.message) < sizeof f.message);
	assert_int_equal(strlen(f.message) % 3, 1);
	j = zb_fail_json(&f);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"),
							      "message")), f.message);
	json_decref(j);
	zb_fail_field(&f, "note", "x%s", big);
	assert_non_null(field_msg(&f, "note"));
	assert_int_equal(strlen(field_msg(&f, "note")) % 3, 1);
	zb_fail_release(&f);
}

static void test_fail_json(void **state)
{
	struct zb_fail f;
	json_t *j;
	char *s;

	(void)state;
	zb_fail_init(&f);
	zb_fail_field(&f, "id_number", "身份证号校验位错误");
	j = zb_fail_json(&f);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
	assert_string_equal(s, "{\"error\":{\"code\":\"validation_failed\","
			    "\"fields\":{\"id_number\":\"\\u8EAB\\u4EFD\\u8BC1\\u53F7"
			    "\\u6821\\u9A8C\\u4F4D\\u9519\\u8BEF\"},"
			    "\"message\":\"\\u8F93\\u5165\\u6709\\u8BEF\"}}");	/* 输入有误 */
	free(s);
	json_decref(j);
	zb_fail_release(&f);

	/* 409 with the current row, explicit message, no fields */
	zb_fail_init(&f);
	zb_fail_set(&f, ZB_ECONFLICT, "数据已被他人修改");
	f.current = json_pack("{s:i,s:i}", "id", 5, "version", 3);
	j = zb_fail_json(&f);
	zb_fail_release(&f);	/* the answer holds its own references */
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			    "conflict");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
			    "数据已被他人修改");
	assert_null(json_object_get(json_object_get(j, "error"), "fields"));
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(json_object_get(j, "error"), "current"), "version")), 3);
	json_decref(j);

	/* every code has a non-empty default message */
	for (int e = ZB_EVALIDATION; e <= ZB_EUNAVAILABLE; e++) {
		const char *m;

		zb_fail_init(&f);
		f.err = (enum zb_err)e;
		j = zb_fail_json(&f);
		m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
		assert_non_null(m);
		assert_true(strlen(m) > 0);
		json_decref(j);
	}
}

/* json_put_string writes exactly what jansson's compact dump writes for the same string. */
static void test_put_string_as_jansson(void **state)
{
	static const char *const cases[] = {
		"", "巴音敖包嘎查党支部", "a\"b", "back\\slash", "tab\tnew\nline\rret", "\b\f",
		"\x01\x1f ctrl", "del\x7f", "slash / stays", "混合 \"引号\" 和 \\ 反斜杠",
	};
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = json_string(cases[i]);
		char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		buf_reset(&b);
		json_put_string(&b, cases[i]);
		assert_string_equal(b.data, want);
		free(want);
		json_decref(j);
	}
	buf_reset(&b);
	json_put_string(&b, NULL);
	assert_string_equal(b.data, "null");
	buf_release(&b);
}

/* A pseudo-random JSON tree from a fixed seed: every type, escapes, UTF-8, reals of all sizes. */
static json_t *random_value(unsigned *seed, int depth)
{
	static const char *const strings[] = {
		"", "支部", "a\"b\\c", "line\nbreak\ttab\r", "\x01\x1f ctl", "/slash/", "第1镇第1村党支部",
		"emoji \xf0\x9f\x87\xa8\xf0\x9f\x87\xb3", "\x7f del",
	};
	static const double reals[] = {
		0.0, -0.0, 0.1, 1.5, -2.25, 1e20, 1e-5, 123456789.123, 1e300, 5e-324, 0.3333333333333333,
		100.0, 66.7, 1e16, 12345678901234567.0,
	};
	int kind = depth > 4 ? (int)(rand_r(seed) % 6) + 2 : (int)(rand_r(seed) % 8);
	json_t *v;

	switch (kind) {
	case 0:
		v = json_object();
		for (int i = (int)(rand_r(seed) % 5); i > 0; i--) {
			char key[32];
			snprintf(key, sizeof(key), "%s%d", strings[rand_r(seed) % 9], i);
			json_object_set_new(v, key, random_value(seed, depth + 1));
		}
		return v;
	case 1:
		v = json_array();
		for (int i = (int)(rand_r(seed) % 5); i > 0; i--)
			json_array_append_new(v, random_value(seed, depth + 1));
		return v;
	case 2:
		return json_string(strings[rand_r(seed) % 9]);
	case 3:
		return json_integer((json_int_t)rand_r(seed) * (rand_r(seed) % 2 ? -1 : 1) *
				    (json_int_t)(rand_r(seed) % 1000000));
	case 4:
		return json_real(reals[rand_r(seed) % 15] * (rand_r(seed) % 3 ? 1 : 3.7));
	case 5:
		return json_true();
	case 6:
		return json_false();
	default:
		return json_null();
	}
}

/* json_write (and json_write_sorted) give jansson's compact text byte for byte, on 2,000 random trees and the edge values. */
static void test_write_as_jansson(void **state)
{
	unsigned seed = 20261129;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	for (int i = 0; i < 2000; i++) {
		json_t *j = random_value(&seed, 0);
		char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

		assert_non_null(want);
		buf_reset(&b);
		assert_int_equal(json_write(&b, j), 0);
		assert_string_equal(b.data, want);
		free(want);
		want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		buf_reset(&b);
		assert_int_equal(json_write_sorted(&b, j), 0);
		assert_string_equal(b.data, want);
		free(want);
		json_decref(j);
	}
	/* sorted: more keys than fit on the stack, keys that are prefixes of others, a key with a NUL */
	{
		json_t *j = json_object();
		char *want;

		for (int i = 0; i < 150; i++) {
			char key[16];
			snprintf(key, sizeof(key), "k%d", (i * 37) % 150);
			json_object_set_new(j, key, json_integer(i));
		}
		json_object_setn_new(j, "k1\0z", 4, json_true());
		json_object_setn_new(j, "k1\0", 3, json_false());
		want = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		buf_reset(&b);
		assert_int_equal(json_write_sorted(&b, j), 0);
		assert_int_equal(b.len, strlen(want));
		assert_string_equal(b.data, want);
		free(want);
		json_decref(j);
	}
	/* a string with an embedded NUL, and an integer at each end of the range */
	{
		json_t *j = json_pack("[s#,I,I]", "a\0b", (int)3, (json_int_t)INT64_MIN,
				      (json_int_t)INT64_MAX);
		char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

		buf_reset(&b);
		assert_int_equal(json_write(&b, j), 0);
		assert_string_equal(b.data, want);
		free(want);
		json_decref(j);
	}
	buf_release(&b);
}

/* Refused: no value, runaway nesting, text that is not UTF-8, and a text over the buffer's cap. */
static void test_write_refuses(void **state)
{
	struct buf b;
	json_t *deep = json_array(), *inner = deep;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(json_write(&b, NULL), -1);
	for (int i = 0; i < JSON_WRITE_DEPTH + 5; i++) {
		json_t *next = json_array();
		json_array_append_new(inner, next);
		inner = next;
	}
	assert_int_equal(json_write(&b, deep), -1);
	json_decref(deep);
	/* text that is not UTF-8 (half a character, a surrogate, an overlong '/'), which jansson refuses to write too */
	{
		static const char *const bad[] = { "支部委员\xe4\xbc", "\xed\xa0\x80", "\xc0\xaf" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			json_t *doc = json_pack("{s:o}", "title", json_string_nocheck(bad[i]));

			assert_null(json_dumps(doc, JSON_COMPACT));
			buf_reset(&b);
			assert_int_equal(json_write(&b, doc), -1);
			buf_reset(&b);
			json_put_string(&b, bad[i]);
			assert_true(b.err);
			json_decref(doc);
		}
	}
	/* a capped buffer reports the overflow instead of a truncated text */
	b.max = 8;
	buf_reset(&b);
	{
		json_t *doc = json_pack("{s:s}", "key", "a value longer than eight bytes");

		assert_int_equal(json_write(&b, doc), -1);
		json_decref(doc);
	}
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_body),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_unknown_field_named),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_string_length_in_characters),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_int_range),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_nullable),
		cmocka_unit_test(test_all_errors_at_once),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_status_and_code),
		cmocka_unit_test(test_fail_set_keeps_first_message),
		cmocka_unit_test(test_fail_field),
		cmocka_unit_test(test_long_message_stays_utf8),
		cmocka_unit_test(test_fail_json),
		cmocka_unit_test(test_put_string_as_jansson),
		cmocka_unit_test(test_write_as_jansson),
		cmocka_unit_test(test_write_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
