/* disclosure_text.c - the pure checks of disclosures: the rich-text sanitiser, the personal-data guard, finance tables, periods and text diffs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "disclosure_internal.h"
#include "../../base/check.h"
#include "../../base/date.h"
#include "../../base/json.h"

/* ---------------------------------------------------------------- sanitiser */

static const char *const allowed_tags[] = {
	"p", "br", "strong", "em", "ul", "ol", "li", "table", "tr", "td", "th", "h3", "h4",
};
#define NALLOWED (sizeof(allowed_tags) / sizeof(allowed_tags[0]))
#define MAX_DEPTH 64

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The index of the allowed tag `name` (n bytes, any case), or -1. */
static int tag_index(const char *name, size_t n)
{
	char low[8];

	if (n == 0 || n >= sizeof(low))
		return -1;
	for (size_t i = 0; i < n; i++)
		low[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
	low[n] = '\0';
	for (size_t i = 0; i < NALLOWED; i++)
		if (strcmp(allowed_tags[i], low) == 0)
			return (int)i;
	return -1;
}

/*
 * A tag at s ("<p>", "</li>", "<br/>", "<BR />"): on success returns its
 * length, *tag its index and *closing whether it closes. Anything with an
 * attribute, or a tag not allowed, is not a tag (0).
 */
static size_t parse_tag(const char *s, int *tag, int *closing)
{
	size_t i = 1, start;
	int self = 0;

	*closing = 0;
	if (s[i] == '/') {
		*closing = 1;
		i++;
	}
	start = i;
	while (is_alnum(s[i]))
		i++;
	*tag = tag_index(s + start, i - start);
	if (*tag < 0)
		return 0;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
		i++;
	if (s[i] == '/' && !*closing) {
		self = 1;
		i++;
	}
	if (s[i] != '>')
		return 0;
	if (self && strcmp(allowed_tags[*tag], "br") != 0)
		return 0;	/* "<p/>" is not a tag */
	return i + 1;
}

/* The length of a known entity at s ("&amp;", "&#39;", "&#x4e2d;"), or 0. */
static size_t entity_len(const char *s)
{
	static const char *const named[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&nbsp;" };
	size_t i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strncmp(s, named[i], strlen(named[i])) == 0)
			return strlen(named[i]);
	if (s[1] != '#')
		return 0;
	i = 2;
	if (s[i] == 'x' || s[i] == 'X') {
		size_t d = ++i;
		while (is_hex(s[i]) && i - d < 6)
			i++;
		return i > d && s[i] == ';' ? i + 1 : 0;
	} else {
		size_t d = i;
		while (s[i] >= '0' && s[i] <= '9' && i - d < 7)
			i++;
		return i > d && s[i] == ';' ? i + 1 : 0;
	}
}

void disclosure_sanitize(const char *in, struct buf *out)
{
	int stack[MAX_DEPTH];
	int depth = 0;
	const char *s = in ? in : "";

	while (*s) {
		unsigned char c = (unsigned char)*s;
		int tag, closing;
		size_t n;

		if (c == '<' && (n = parse_tag(s, &tag, &closing)) > 0) {
			const char *name = allowed_tags[tag];
			s += n;
			if (strcmp(name, "br") == 0) {
				if (!closing)
					buf_puts(out, "<br>");
				continue;
			}
			if (!closing) {
				if (depth == MAX_DEPTH) {
					buf_puts(out, "&lt;");
					buf_puts(out, name);
					buf_puts(out, "&gt;");
					continue;
				}
				stack[depth++] = tag;
				buf_printf(out, "<%s>", name);
				continue;
			}
			/* close down to the matching open tag; a stray close is dropped */
			for (int d = depth - 1; d >= 0; d--) {
				if (stack[d] != tag)
					continue;
				while (depth > d)
					buf_printf(out, "</%s>", allowed_tags[stack[--depth]]);
				break;
			}
			continue;
		}
		switch (c) {
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&#39;");
			break;
		case '&':
			n = entity_len(s);
			if (n) {
				buf_add(out, s, n);
				s += n;
				continue;
			}
			buf_puts(out, "&amp;");
			break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				break;	/* control characters (and \r) are dropped */
			buf_putc(out, (char)c);
		}
		s++;
	}
	while (depth > 0)
		buf_printf(out, "</%s>", allowed_tags[stack[--depth]]);
}

void disclosure_plain_text(const char *html, struct buf *out)
{
	const char *s = html ? html : "";
	int at_line_start = 1;

	while (*s) {
		if (*s == '<') {
			const char *e = strchr(s, '>');
			int block;
			if (!e)
				break;
			block = strncmp(s, "</p>", 4) == 0 || strncmp(s, "<br>", 4) == 0 ||
				strncmp(s, "</li>", 5) == 0 || strncmp(s, "</tr>", 5) == 0 ||
				strncmp(s, "</h3>", 5) == 0 || strncmp(s, "</h4>", 5) == 0;
			if (block && !at_line_start) {
				buf_putc(out, '\n');
				at_line_start = 1;
			} else if ((strncmp(s, "</td>", 5) == 0 || strncmp(s, "</th>", 5) == 0) && !at_line_start) {
				buf_putc(out, ' ');
			}
			s = e + 1;
			continue;
		}
		if (*s == '&') {
			static const struct { const char *e; const char *c; } ents[] = {
				{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
				{ "&#39;", "'" }, { "&nbsp;", " " },
			};
			size_t i;
			for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
				if (strncmp(s, ents[i].e, strlen(ents[i].e)) == 0)
					break;
			if (i < sizeof(ents) / sizeof(ents[0])) {
				buf_puts(out, ents[i].c);
				s += strlen(ents[i].e);
				at_line_start = 0;
				continue;
			}
		}
		if (*s == '\n') {
			if (!at_line_start)
				buf_putc(out, '\n');
			at_line_start = 1;
			s++;
			continue;
		}
		buf_putc(out, *s++);
		at_line_start = 0;
	}
	/* no trailing newline */
	while (out->len > 0 && out->data[out->len - 1] == '\n' && !out->err)
		out->data[--out->len] = '\0';
}

/* ---------------------------------------------------------------- personal data */

int disclosure_luhn_ok(const char *d, size_t len)
{
	int sum = 0;

	if (len < 2)
		return 0;
	for (size_t i = 0; i < len; i++) {
		int v = d[len - 1 - i] - '0';
		if (v < 0 || v > 9)
			return 0;
		if (i % 2 == 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

/* The digit at s (ASCII or full-width ０-９) into *v; its byte length, 0 when none. */
static size_t digit_at(const char *s, char *v)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] >= '0' && u[0] <= '9') {
		*v = (char)u[0];
		return 1;
	}
	if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
		*v = (char)('0' + (u[2] - 0x90));
		return 3;
	}
	return 0;
}

enum pii_kind { PII_NONE, PII_IDCARD, PII_PHONE, PII_BANK };

/* What the digits d (n of them, an ID may end in X) are, with a masked copy into mask. */
static enum pii_kind classify(const char *d, size_t n, char *mask, size_t masksz)
{
	char norm[19], tmp[24];

	if (n == 18 && idcard_check(d, norm, NULL, NULL) == NULL) {
		mask_idcard(norm, mask);
		return PII_IDCARD;
	}
	if (n == 13 && d[0] == '8' && d[1] == '6')
		return classify(d + 2, 11, mask, masksz);
	if (n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && strchr(d, 'X') == NULL) {
		memcpy(tmp, d, 11);
		tmp[11] = '\0';
		mask_phone(tmp, mask);
		return PII_PHONE;
	}
	if (n >= 16 && n <= 19 && strchr(d, 'X') == NULL && disclosure_luhn_ok(d, n)) {
		size_t k = 0;
		for (size_t i = 0; i < n && k + 1 < masksz; i++)
			mask[k++] = (i < 4 || i >= n - 4) ? d[i] : '*';
		mask[k] = '\0';
		return PII_BANK;
	}
	return PII_NONE;
}

static const char *const pii_names[] = { "", "身份证号", "手机号", "银行卡号" };

#define PII_MAX_SHOWN 3

int disclosure_pii_scan(const char *text, const char *field, const char *where, struct zb_fail *f)
{
	const char *s = text ? text : "";
	char shown[PII_MAX_SHOWN][64];
	int found = 0;

	while (*s) {
		char run[40], seg[40], v, mask[32];
		size_t runlen = 0, seglen = 0, n;
		int segs_hit = 0, had_sep = 0;
		enum pii_kind k;

		if ((n = digit_at(s, &v)) == 0) {
			s++;
			continue;
		}
		/* one run of digits, single spaces or hyphens allowed between digits */
		for (;;) {
			if ((n = digit_at(s, &v)) > 0) {
				if (runlen < sizeof(run) - 1)
					run[runlen++] = v;
				if (seglen < sizeof(seg) - 1)
					seg[seglen++] = v;
				s += n;
				continue;
			}
			if ((*s == 'X' || *s == 'x') && seglen == 17) {
				run[runlen++] = 'X';
				seg[seglen++] = 'X';
				s++;
			}
			if ((*s == ' ' || *s == '-') && digit_at(s + 1, &v) && seg[seglen - 1] != 'X') {
				/* a segment ends: is it personal data on its own? */
				seg[seglen] = '\0';
				k = classify(seg, seglen, mask, sizeof(mask));
				if (k != PII_NONE) {
					if (found < PII_MAX_SHOWN)
						snprintf(shown[found], sizeof(shown[0]), "%s %s", pii_names[k], mask);
					found++;
					segs_hit++;
				}
				seglen = 0;
				had_sep = 1;
				s++;
				continue;
			}
			break;
		}
		seg[seglen] = '\0';
		run[runlen] = '\0';
		if (had_sep) {
			k = classify(seg, seglen, mask, sizeof(mask));
			if (k != PII_NONE) {
				if (found < PII_MAX_SHOWN)
					snprintf(shown[found], sizeof(shown[0]), "%s %s", pii_names[k], mask);
				found++;
				segs_hit++;
			}
		}
		if (segs_hit)
			continue;
		k = classify(run, runlen, mask, sizeof(mask));
		if (k != PII_NONE) {
			if (found < PII_MAX_SHOWN)
				snprintf(shown[found], sizeof(shown[0]), "%s %s", pii_names[k], mask);
			found++;
		}
	}
	if (found && f) {
		char list[200] = "";
		size_t len = 0;
		for (int i = 0; i < found && i < PII_MAX_SHOWN; i++) {
			int w = snprintf(list + len, sizeof(list) - len, "%s%s", i ? "、" : "", shown[i]);
			if (w < 0 || (size_t)w >= sizeof(list) - len)
				break;
			len += (size_t)w;
		}
		zb_fail_field(f, field, "%s中含有个人信息：%s%s，请删除或脱敏后再提交", where, list,
			      found > PII_MAX_SHOWN ? "等" : "");
	}
	return found;
}

/* ---------------------------------------------------------------- finance tables */

void disclosure_yuan(int64_t fen, char *out)
{
	uint64_t a = fen < 0 ? (uint64_t)(-(fen + 1)) + 1 : (uint64_t)fen;

	snprintf(out, 32, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(a / 100),
		 (unsigned long long)(a % 100));
}

#define FIN_MAX_LINES 200
#define FIN_MAX_FEN 100000000000000LL	/* 1e12 yuan: beyond any village */

static const struct json_field finance_fields[] = {
	{ "opening_balance", JF_INT, 1, 0, -FIN_MAX_FEN, FIN_MAX_FEN, "期初余额" },
	{ "income", JF_ARRAY, 1, 0, 0, 0, "收入明细" },
	{ "expense", JF_ARRAY, 1, 0, 0, 0, "支出明细" },
	{ "income_total", JF_INT, 1, 0, 0, FIN_MAX_FEN, "收入合计" },
	{ "expense_total", JF_INT, 1, 0, 0, FIN_MAX_FEN, "支出合计" },
	{ "closing_balance", JF_INT, 1, 0, -FIN_MAX_FEN, FIN_MAX_FEN, "期末余额" },
	{ 0 }
};

/* The lines of one side: checked, summed into *sum, copied into canon; 0 or -1. */
static int finance_lines(const json_t *arr, const char *side, const char *label, int64_t *sum,
			 struct zb_fail *f, json_t *canon)
{
	size_t n = json_array_size(arr);
	int bad = 0;

	*sum = 0;
	if (n > FIN_MAX_LINES) {
		char key[32];
		snprintf(key, sizeof(key), "finance.%s", side);
		zb_fail_field(f, key, "%s不能超过%d行", label, FIN_MAX_LINES);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(arr, i);
		const json_t *name = json_object_get(e, "name");
		const json_t *amount = json_object_get(e, "amount");
		const json_t *note = json_object_get(e, "note");
		char key[64];
		const char *k;
		void *it;

		if (!json_is_object(e)) {
			snprintf(key, sizeof(key), "finance.%s[%zu]", side, i);
			zb_fail_field(f, key, "%s第%zu行应为 {name, amount, note}", label, i + 1);
			bad = 1;
			continue;
		}
		json_object_foreach((json_t *)e, k, it) {
			(void)it;
			if (strcmp(k, "name") && strcmp(k, "amount") && strcmp(k, "note")) {
				snprintf(key, sizeof(key), "finance.%s[%zu]", side, i);
				zb_fail_field(f, key, "%s第%zu行含有未知字段 %s", label, i + 1, k);
				bad = 1;
			}
		}
		snprintf(key, sizeof(key), "finance.%s[%zu].name", side, i);
		if (!json_is_string(name) || utf8_len(json_string_value(name)) == 0 ||
		    utf8_len(json_string_value(name)) > 100 ||
		    strspn(json_string_value(name), " \t") == strlen(json_string_value(name))) {
			zb_fail_field(f, key, "%s第%zu行的项目名称不能为空，且不超过100字", label, i + 1);
			bad = 1;
		}
		snprintf(key, sizeof(key), "finance.%s[%zu].amount", side, i);
		if (!json_is_integer(amount) || json_integer_value(amount) < 0 ||
		    json_integer_value(amount) > FIN_MAX_FEN) {
			zb_fail_field(f, key, "%s第%zu行的金额应为不小于0的整数（单位：分）", label, i + 1);
			bad = 1;
		} else {
			*sum += json_integer_value(amount);
		}
		snprintf(key, sizeof(key), "finance.%s[%zu].note", side, i);
		if (note && !json_is_null(note) &&
		    (!json_is_string(note) || utf8_len(json_string_value(note)) > 200)) {
			zb_fail_field(f, key, "%s第%zu行的备注应为不超过200字的文字", label, i + 1);
			bad = 1;
		}
		if (!bad && canon)
			json_array_append_new(canon, json_pack("{s:O, s:O, s:s}", "name", name, "amount", amount,
							       "note", json_is_string(note) ? json_string_value(note) : ""));
	}
	return bad ? -1 : 0;
}

int disclosure_finance_check(const json_t *fin, int has_prev, int64_t prev_closing,
			     struct zb_fail *f, json_t **canon)
{
	struct zb_fail sub;
	json_t *inc = json_array(), *exp = json_array();
	int64_t isum = 0, esum = 0, open, itot, etot, close;
	int bad = 0;
	char a[32], b[32];
	const char *k;
	void *it;

	*canon = NULL;
	if (!json_is_object(fin)) {
		zb_fail_field(f, "finance", "收支明细表应为对象");
		goto fail;
	}
	zb_fail_init(&sub);
	json_check(fin, finance_fields, 0, &sub);
	if (sub.fields) {
		json_object_foreach(sub.fields, k, it) {
			char key[64];
			snprintf(key, sizeof(key), "finance.%s", k);
			zb_fail_field(f, key, "%s", json_string_value(it));
		}
		bad = 1;
	}
	zb_fail_release(&sub);
	if (bad)
		goto fail;
	if (finance_lines(json_object_get(fin, "income"), "income", "收入", &isum, f, inc) != 0)
		bad = 1;
	if (finance_lines(json_object_get(fin, "expense"), "expense", "支出", &esum, f, exp) != 0)
		bad = 1;
	if (bad)
		goto fail;
	open = json_int(fin, "opening_balance", 0);
	itot = json_int(fin, "income_total", 0);
	etot = json_int(fin, "expense_total", 0);
	close = json_int(fin, "closing_balance", 0);
	if (isum != itot) {
		disclosure_yuan(isum, a);
		disclosure_yuan(itot, b);
		zb_fail_field(f, "finance.income_total", "收入合计 %s 元与各行之和 %s 元不符", b, a);
		bad = 1;
	}
	if (esum != etot) {
		disclosure_yuan(esum, a);
		disclosure_yuan(etot, b);
		zb_fail_field(f, "finance.expense_total", "支出合计 %s 元与各行之和 %s 元不符", b, a);
		bad = 1;
	}
	if (open + isum - esum != close) {
		disclosure_yuan(open + isum - esum, a);
		disclosure_yuan(close, b);
		zb_fail_field(f, "finance.closing_balance",
			      "期末余额 %s 元不等于期初余额 + 收入 − 支出 = %s 元", b, a);
		bad = 1;
	}
	if (has_prev && open != prev_closing) {
		disclosure_yuan(prev_closing, a);
		disclosure_yuan(open, b);
		zb_fail_field(f, "finance.opening_balance", "期初余额 %s 元与上期公开的期末余额 %s 元不符", b, a);
		bad = 1;
	}
	if (bad)
		goto fail;
	*canon = json_pack("{s:I, s:o, s:o, s:I, s:I, s:I}", "opening_balance", (json_int_t)open,
			   "income", inc, "expense", exp, "income_total", (json_int_t)itot,
			   "expense_total", (json_int_t)etot, "closing_balance", (json_int_t)close);
	return *canon ? 0 : -1;
fail:
	json_decref(inc);
	json_decref(exp);
	return -1;
}

/* ---------------------------------------------------------------- periods */

/* Parse exactly `n` decimal digits at s; -1 when not. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int64_t ymd_days(int y, int m, int d)
{
	return date_to_days((struct ymd){ y, m, d });
}

static int month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : md[m - 1];
}

int disclosure_period_parse(const char *freq, const char *p, int64_t *start, int64_t *end)
{
	int y, m;
	struct ymd d;

	if (!freq || !p)
		return -1;
	if (strcmp(freq, "event") == 0) {
		if (date_parse_iso(p, &d) != 0)
			return -1;
		*start = *end = date_to_days(d);
		return 0;
	}
	y = digits(p, 4);
	if (y < 1990 || y > 2200)
		return -1;
	if (strcmp(freq, "yearly") == 0 && p[4] == '\0') {
		*start = ymd_days(y, 1, 1);
		*end = ymd_days(y, 12, 31);
		return 0;
	}
	if (strcmp(freq, "quarterly") == 0 && p[4] == '-' && p[5] == 'Q' && p[6] >= '1' &&
	    p[6] <= '4' && p[7] == '\0') {
		int q = p[6] - '0';
		*start = ymd_days(y, q * 3 - 2, 1);
		*end = ymd_days(y, q * 3, month_days(y, q * 3));
		return 0;
	}
	if (strcmp(freq, "monthly") == 0 && p[4] == '-' && (m = digits(p + 5, 2)) >= 1 && m <= 12 &&
	    p[7] == '\0') {
		*start = ymd_days(y, m, 1);
		*end = ymd_days(y, m, month_days(y, m));
		return 0;
	}
	return -1;
}

int disclosure_period_prev(const char *freq, const char *period, char *out)
{
	int64_t s, e;
	struct ymd d;

	if (strcmp(freq, "event") == 0 || disclosure_period_parse(freq, period, &s, &e) != 0)
		return -1;
	d = date_from_days(s - 1);
	if (strcmp(freq, "yearly") == 0)
		snprintf(out, 16, "%04u", (unsigned)d.y % 10000u);
	else if (strcmp(freq, "quarterly") == 0)
		snprintf(out, 16, "%04u-Q%u", (unsigned)d.y % 10000u, (unsigned)(d.m + 2) / 3 % 10u);
	else
		snprintf(out, 16, "%04u-%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u);
	return 0;
}

void disclosure_period_name(enum rule_freq f, int64_t start, char *out)
{
	struct ymd d = date_from_days(start);

	switch (f) {
	case RULE_MONTHLY:
		snprintf(out, 16, "%04u-%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u);
		return;
	case RULE_QUARTERLY:
		snprintf(out, 16, "%04u-Q%u", (unsigned)d.y % 10000u, (unsigned)(d.m + 2) / 3 % 10u);
		return;
	case RULE_YEARLY:
		snprintf(out, 16, "%04u", (unsigned)d.y % 10000u);
		return;
	}
}

/* ---------------------------------------------------------------- diff */

#define DIFF_MAX_LINES 2000

/* Split text into lines (pointers into a copy); returns the count. */
static size_t split_lines(char *text, char ***out)
{
	size_t n = 0, cap = 16;
	char **v = malloc(cap * sizeof(*v));
	char *p = text;

	if (!v) {
		*out = NULL;
		return 0;
	}
	if (*p) {
		for (;;) {
			char *nl = strchr(p, '\n');
			if (n == cap) {
				char **g = realloc(v, cap * 2 * sizeof(*g));
				if (!g) {
					/* fault injection (tests/unit/test_faults.c): a failed
					 * growth used to cut the text short silently */
					free(v);
					*out = NULL;
					return 0;
				}
				v = g;
				cap *= 2;
			}
			v[n++] = p;
			if (!nl)
				break;
			*nl = '\0';
			p = nl + 1;
		}
	}
	*out = v;
	return n;
}

/* Append one entry; -1 when it could not be (out of memory), so no line is lost unnoticed. */
static int diff_add(json_t *arr, const char *op, const char *text)
{
	return json_array_append_new(arr, json_pack("{s:s, s:s}", "op", op, "text", text));
}

/* The diff (see disclosure_internal.h), or NULL when memory ran out: never one with lines missing. */
json_t *disclosure_text_diff(const char *a, const char *b)
{
	char *ca = strdup(a ? a : ""), *cb = strdup(b ? b : "");
	char **la = NULL, **lb = NULL;
	size_t na, nb;
	unsigned *t = NULL;
	json_t *out = json_array();
	int bad = 0;	/* an entry could not be added: answer NULL rather than a diff with lines missing */

	if (!ca || !cb || !out) {
		bad = 1;
		goto done;
	}
	na = split_lines(ca, &la);
	nb = split_lines(cb, &lb);
	if (!la || !lb) {
		bad = 1;
		goto done;
	}
	if (na > DIFF_MAX_LINES || nb > DIFF_MAX_LINES ||
	    !(t = calloc((na + 1) * (nb + 1), sizeof(*t)))) {
		for (size_t i = 0; i < na; i++)
			bad |= diff_add(out, "-", la[i]);
		for (size_t j = 0; j < nb; j++)
			bad |= diff_add(out, "+", lb[j]);
		goto done;
	}
	/* t[i][j]: the longest common subsequence of la[i..] and lb[j..] */
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			t[i * (nb + 1) + j] = strcmp(la[i], lb[j]) == 0 ?
				t[(i + 1) * (nb + 1) + j + 1] + 1 :
				(t[(i + 1) * (nb + 1) + j] > t[i * (nb + 1) + j + 1] ?
				 t[(i + 1) * (nb + 1) + j] : t[i * (nb + 1) + j + 1]);
	{
		size_t i = 0, j = 0;
		while (i < na && j < nb) {
			if (strcmp(la[i], lb[j]) == 0) {
				bad |= diff_add(out, "=", la[i]);
				i++;
				j++;
			} else if (t[(i + 1) * (nb + 1) + j] >= t[i * (nb + 1) + j + 1]) {
				bad |= diff_add(out, "-", la[i++]);
			} else {
				bad |= diff_add(out, "+", lb[j++]);
			}
		}
		while (i < na)
			bad |= diff_add(out, "-", la[i++]);
		while (j < nb)
			bad |= diff_add(out, "+", lb[j++]);
	}
done:
	free(t);
	free(la);
	free(lb);
	free(ca);
	free(cb);
	if (bad) {
		json_decref(out);
		return NULL;
	}
	return out;
}
