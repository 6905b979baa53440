/* test_disclosure.c - the disclosure module's pure checks: the rich-text sanitiser with hostile input, the personal-data guard, finance balance checks, periods, diffs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>
#include "../../src/modules/disclosure/disclosure_internal.h"
#include "../../src/base/date.h"

/* ---------------------------------------------------------------- sanitiser */

static void sanitize_is(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	disclosure_sanitize(in, &b);
	assert_int_equal(b.err, 0);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void test_sanitize_allowed(void **state)
{
	(void)state;
	sanitize_is("<p>村务<strong>公开</strong></p>", "<p>村务<strong>公开</strong></p>");
	sanitize_is("<P>大写</P><BR/>x<br />y", "<p>大写</p><br>x<br>y");
	sanitize_is("<table><tr><th>项目</th><td>1.00</td></tr></table>",
		    "<table><tr><th>项目</th><td>1.00</td></tr></table>");
	sanitize_is("<h3>一</h3><h4>二</h4><ul><li>a</li></ul><ol><li>b</li></ol><em>c</em>",
		    "<h3>一</h3><h4>二</h4><ul><li>a</li></ul><ol><li>b</li></ol><em>c</em>");
	sanitize_is("a &amp; b &lt; c &#39; &#x4e2d; &nbsp;", "a &amp; b &lt; c &#39; &#x4e2d; &nbsp;");
}

static void test_sanitize_hostile(void **state)
{
	(void)state;
	sanitize_is("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	sanitize_is("<p onclick=\"x()\">a</p>", "&lt;p onclick=&quot;x()&quot;&gt;a");
	sanitize_is("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;");
	sanitize_is("<a href=\"javascript:alert(1)\">x</a>",
		    "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;");
	sanitize_is("<svg/onload=alert(1)>", "&lt;svg/onload=alert(1)&gt;");
	sanitize_is("<p/>", "&lt;p/&gt;");
	sanitize_is("<!-- x --><p>a", "&lt;!-- x --&gt;<p>a</p>");
	sanitize_is("<<p>>", "&lt;<p>&gt;</p>");
	sanitize_is("<p style=color:red>", "&lt;p style=color:red&gt;");
	sanitize_is("<p\n>ok</p>", "<p>ok</p>");
	sanitize_is("a & b \"q\" 'r' &bogus;", "a &amp; b &quot;q&quot; &#39;r&#39; &amp;bogus;");
	sanitize_is("a\x01\x7f\rb\tc\nd", "ab\tc\nd");
	sanitize_is("&#12345678;", "&amp;#12345678;");
	/* unbalanced: stray closes dropped, open ones closed, crossing ones closed in order */
	sanitize_is("</p>a</li>", "a");
	sanitize_is("<ul><li>a", "<ul><li>a</li></ul>");
	sanitize_is("<strong><em>x</strong>y</em>", "<strong><em>x</em></strong>y");
	sanitize_is("<p><table><tr><td>1</p>", "<p><table><tr><td>1</td></tr></table></p>");
}

static void test_sanitize_depth(void **state)
{
	struct buf b, in;

	(void)state;
	buf_init(&in, 0);
	for (int i = 0; i < 100; i++)
		buf_puts(&in, "<em>");
	buf_init(&b, 0);
	disclosure_sanitize(in.data, &b);
	/* 64 open tags kept, the rest escaped, every kept one closed */
	assert_non_null(strstr(b.data, "&lt;em&gt;"));
	{
		size_t opens = 0, closes = 0;
		for (const char *p = b.data; (p = strstr(p, "<em>")); p++)
			opens++;
		for (const char *p = b.data; (p = strstr(p, "</em>")); p++)
			closes++;
		assert_int_equal(opens, 64);
		assert_int_equal(closes, 64);
	}
	buf_release(&b);
	buf_release(&in);
}

static void test_plain_text(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	disclosure_plain_text("<h3>一、事项</h3><p>a &amp; b</p><ul><li>x</li><li>y</li></ul><br>", &b);
	assert_string_equal(b.data, "一、事项\na & b\nx\ny");
	buf_release(&b);
}

/* ---------------------------------------------------------------- personal data */

static const char *pii_message(const char *text, int *n)
{
	static char msg[512];
	struct zb_fail f;
	json_t *m;

	zb_fail_init(&f);
	*n = disclosure_pii_scan(text, "content", "正文", &f);
	msg[0] = '\0';
	m = f.fields ? json_object_get(f.fields, "content") : NULL;
	if (m)
		snprintf(msg, sizeof(msg), "%s", json_string_value(m));
	zb_fail_release(&f);
	return msg;
}

static void test_luhn(void **state)
{
	(void)state;
	assert_true(disclosure_luhn_ok("4111111111111111", 16));
	assert_true(disclosure_luhn_ok("79927398713", 11));
	assert_false(disclosure_luhn_ok("4111111111111112", 16));
	assert_false(disclosure_luhn_ok("4111a11111111111", 16));
	assert_false(disclosure_luhn_ok("4", 1));
}

static void test_pii_found(void **state)
{
	int n;
	const char *m;

	(void)state;
	m = pii_message("低保户张三，身份证号11010519491231002X，已发放", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(m, "身份证号 1101**********002X"));
	assert_non_null(strstr(m, "正文"));
	assert_null(strstr(m, "19491231"));	/* never the number itself */
	m = pii_message("联系电话13812345678", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(m, "手机号 138****5678"));
	m = pii_message("电话 138-1234-5678 或 +86 139 1234 5678", &n);
	assert_int_equal(n, 2);
	m = pii_message("收款账号 4111 1111 1111 1111", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(m, "银行卡号 4111********1111"));
	m = pii_message("卡号6222021234567890128", &n);	/* 19 digits, Luhn */
	assert_int_equal(disclosure_luhn_ok("6222021234567890128", 19), 1);
	assert_int_equal(n, 1);
	/* full-width digits and a lower-case x */
	m = pii_message("身份证４４０５２４１８８００１０１００１４", &n);
	assert_int_equal(n, 1);
	m = pii_message("11010519491231002x", &n);
	assert_int_equal(n, 1);
	/* a date next to a phone: the phone is still found */
	m = pii_message("2022-03-05 13812345678", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(m, "手机号"));
	/* several: the first three named, then 等 */
	m = pii_message("13812345678 13912345678 13712345678 13612345678", &n);
	assert_int_equal(n, 4);
	assert_non_null(strstr(m, "等"));
}

static void test_pii_clean(void **state)
{
	int n;

	(void)state;
	pii_message("本季度收入 1234567.89 元，支出 234567 元。", &n);
	assert_int_equal(n, 0);
	pii_message("监督电话：0483-8123456", &n);	/* an office's fixed line is public */
	assert_int_equal(n, 0);
	pii_message("11010519491231002Y 110105194912310021", &n);	/* bad check character */
	assert_int_equal(n, 0);
	pii_message("4111111111111112", &n);	/* not Luhn */
	assert_int_equal(n, 0);
	pii_message("12345678901", &n);		/* 11 digits, not a mobile prefix */
	assert_int_equal(n, 0);
	pii_message("2022年第1季度、2022-03-31、20220331", &n);
	assert_int_equal(n, 0);
	pii_message("", &n);
	assert_int_equal(n, 0);
}

/* ---------------------------------------------------------------- finance */

static json_t *table(int64_t open, int64_t i1, int64_t i2, int64_t itot, int64_t e1, int64_t etot, int64_t close)
{
	return json_pack("{s:I, s:[{s:s, s:I}, {s:s, s:I, s:s}], s:[{s:s, s:I}], s:I, s:I, s:I}",
			 "opening_balance", (json_int_t)open,
			 "income", "name", "上级转移支付", "amount", (json_int_t)i1, "name", "土地承包费",
			 "amount", (json_int_t)i2, "note", "",
			 "expense", "name", "村干部报酬", "amount", (json_int_t)e1,
			 "income_total", (json_int_t)itot, "expense_total", (json_int_t)etot,
			 "closing_balance", (json_int_t)close);
}

static const char *field_msg(struct zb_fail *f, const char *key)
{
	json_t *m = f->fields ? json_object_get(f->fields, key) : NULL;
	return m ? json_string_value(m) : NULL;
}

static void test_finance_balanced(void **state)
{
	json_t *t = table(100000, 50000, 25050, 75050, 30000, 30000, 145050), *canon = NULL;
	struct zb_fail f;

	(void)state;
	zb_fail_init(&f);
	assert_int_equal(disclosure_finance_check(t, 1, 100000, &f, &canon), 0);
	assert_int_equal(f.err, ZB_OK);
	assert_non_null(canon);
	assert_int_equal(json_integer_value(json_object_get(canon, "closing_balance")), 145050);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(canon, "expense"), 0),
							      "note")), "");
	json_decref(canon);
	zb_fail_release(&f);
	json_decref(t);
}

static void test_finance_unbalanced(void **state)
{
	json_t *t, *canon = NULL;
	struct zb_fail f;
	const char *m;

	(void)state;
	/* income lines add up to 75050, the total says 75000 */
	t = table(100000, 50000, 25050, 75000, 30000, 30000, 145000);
	zb_fail_init(&f);
	assert_int_equal(disclosure_finance_check(t, 0, 0, &f, &canon), -1);
	assert_null(canon);
	m = field_msg(&f, "finance.income_total");
	assert_non_null(m);
	assert_non_null(strstr(m, "750.00"));
	assert_non_null(strstr(m, "750.50"));
	zb_fail_release(&f);
	json_decref(t);

	/* closing balance wrong */
	t = table(100000, 50000, 25050, 75050, 30000, 30000, 145000);
	zb_fail_init(&f);
	assert_int_equal(disclosure_finance_check(t, 0, 0, &f, &canon), -1);
	assert_non_null(field_msg(&f, "finance.closing_balance"));
	assert_null(field_msg(&f, "finance.income_total"));
	zb_fail_release(&f);
	json_decref(t);

	/* opening balance does not carry over from the previous period */
	t = table(100000, 50000, 25050, 75050, 30000, 30000, 145050);
	zb_fail_init(&f);
	assert_int_equal(disclosure_finance_check(t, 1, 99999, &f, &canon), -1);
	m = field_msg(&f, "finance.opening_balance");
	assert_non_null(m);
	assert_non_null(strstr(m, "999.99"));
	zb_fail_release(&f);
	json_decref(t);
}

static void test_finance_lines(void **state)
{
	json_t *t, *canon = NULL;
	struct zb_fail f;

	(void)state;
	t = json_pack("{s:I, s:[{s:s, s:I}, {s:s, s:I}, {s:s, s:f}], s:[], s:I, s:I, s:I, s:s}",
		      "opening_balance", (json_int_t)0, "income", "name", "", "amount", (json_int_t)5, "name", "a",
		      "amount", (json_int_t)-1, "name", "b", "amount", 1.5, "expense", "income_total", (json_int_t)0, "expense_total", (json_int_t)0,
		      "closing_balance", (json_int_t)0, "extra", "x");
	zb_fail_init(&f);
	assert_int_equal(disclosure_finance_check(t, 0, 0, &f, &canon), -1);
	/* the unknown field is refused at the top; nothing else is judged then */
	assert_non_null(field_msg(&f, "finance.extra"));
	zb_fail_release(&f);
	json_object_del(t, "extra");
	zb_fail_init(&f);
	assert_int_equal(disclosure_finance_check(t, 0, 0, &f, &canon), -1);
	assert_non_null(field_msg(&f, "finance.income[0].name"));
	assert_non_null(strstr(field_msg(&f, "finance.income[1].amount"), "收入第2行"));
	assert_non_null(field_msg(&f, "finance.income[2].amount"));
	assert_null(field_msg(&f, "finance.income[0].amount"));
	zb_fail_release(&f);
	json_decref(t);

	zb_fail_init(&f);
	assert_int_equal(disclosure_finance_check(json_null(), 0, 0, &f, &canon), -1);
	assert_non_null(field_msg(&f, "finance"));
	zb_fail_release(&f);
}

static void test_yuan(void **state)
{
	char s[32];

	(void)state;
	disclosure_yuan(0, s);
	assert_string_equal(s, "0.00");
	disclosure_yuan(123456, s);
	assert_string_equal(s, "1234.56");
	disclosure_yuan(-5, s);
	assert_string_equal(s, "-0.05");
	disclosure_yuan(INT64_MIN, s);
	assert_string_equal(s, "-92233720368547758.08");
}

/* ---------------------------------------------------------------- periods, diff */

static void test_periods(void **state)
{
	int64_t s, e;
	char p[16];

	(void)state;
	assert_int_equal(disclosure_period_parse("quarterly", "2022-Q1", &s, &e), 0);
	assert_int_equal(s, date_to_days((struct ymd){ 2022, 1, 1 }));
	assert_int_equal(e, date_to_days((struct ymd){ 2022, 3, 31 }));
	assert_int_equal(disclosure_period_parse("monthly", "2024-02", &s, &e), 0);
	assert_int_equal(e - s, 28);	/* a leap February */
	assert_int_equal(disclosure_period_parse("yearly", "2022", &s, &e), 0);
	assert_int_equal(e - s, 364);
	assert_int_equal(disclosure_period_parse("event", "2022-03-05", &s, &e), 0);
	assert_int_equal(s, e);
	assert_int_equal(disclosure_period_parse("quarterly", "2022-Q5", &s, &e), -1);
	assert_int_equal(disclosure_period_parse("quarterly", "2022-03", &s, &e), -1);
	assert_int_equal(disclosure_period_parse("monthly", "2022-13", &s, &e), -1);
	assert_int_equal(disclosure_period_parse("monthly", "2022-3", &s, &e), -1);
	assert_int_equal(disclosure_period_parse("yearly", "22", &s, &e), -1);
	assert_int_equal(disclosure_period_parse("event", "2022-02-30", &s, &e), -1);
	assert_int_equal(disclosure_period_prev("quarterly", "2022-Q1", p), 0);
	assert_string_equal(p, "2021-Q4");
	assert_int_equal(disclosure_period_prev("monthly", "2022-01", p), 0);
	assert_string_equal(p, "2021-12");
	assert_int_equal(disclosure_period_prev("yearly", "2022", p), 0);
	assert_string_equal(p, "2021");
	assert_int_equal(disclosure_period_prev("event", "2022-01-01", p), -1);
	disclosure_period_name(RULE_QUARTERLY, date_to_days((struct ymd){ 2022, 7, 1 }), p);
	assert_string_equal(p, "2022-Q3");
	disclosure_period_name(RULE_MONTHLY, date_to_days((struct ymd){ 2022, 7, 1 }), p);
	assert_string_equal(p, "2022-07");
}

static void test_diff(void **state)
{
	json_t *d;

	(void)state;
	d = disclosure_text_diff("a\nb\nc", "a\nB\nc\nd");
	assert_int_equal(json_array_size(d), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "op")), "=");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "op")), "-");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "text")), "b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 2), "op")), "+");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 2), "text")), "B");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 4), "text")), "d");
	json_decref(d);
	d = disclosure_text_diff("", "x");
	assert_int_equal(json_array_size(d), 1);
	json_decref(d);
	d = disclosure_text_diff("same", "same");
	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "op")), "=");
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_allowed),
		cmocka_unit_test(test_sanitize_hostile),
		cmocka_unit_test(test_sanitize_depth),
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_luhn),
		cmocka_unit_test(test_pii_found),
		cmocka_unit_test(test_pii_clean),
		cmocka_unit_test(test_finance_balanced),
		cmocka_unit_test(test_finance_unbalanced),
		cmocka_unit_test(test_finance_lines),
		cmocka_unit_test(test_yuan),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
