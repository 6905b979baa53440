/* check.c - validators for ID card numbers (GB 11643), credit codes (GB 32100) and phones; display masks. */
#include <string.h>

#include "check.h"

/*
 * Earliest birth year accepted inside an ID number. GB 11643 itself uses
 * 440524188001010014 (born 1880) as its example, so the bound is 1800: it
 * still refuses nonsense like year 0001 without refusing the standard.
 */
#define IDCARD_MIN_YEAR 1800

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * GB 11643-1999 / ISO 7064 MOD 11-2. Checks, in order: length, characters,
 * the birth date, the check character. On success copies the number with
 * an upper-case X into `norm`; on failure `norm` is set to "".
 */
const char *idcard_check(const char *s, char norm[19], struct ymd *birth, int *male)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check_chars[] = "10X98765432";
	struct ymd d, today;
	int sum = 0;
	char last;

	if (norm)
		norm[0] = '\0';
	if (!s || !*s)
		return "身份证号不能为空";
	if (strlen(s) != 18)
		return "身份证号应为18位";
	for (int i = 0; i < 17; i++)
		if (!is_digit(s[i]))
			return "身份证号含有非法字符";
	last = s[17] == 'x' ? 'X' : s[17];
	if (!is_digit(last) && last != 'X')
		return "身份证号含有非法字符";

	d.y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
	d.m = (s[10] - '0') * 10 + (s[11] - '0');
	d.d = (s[12] - '0') * 10 + (s[13] - '0');
	today = date_today_cn();
	if (d.y < IDCARD_MIN_YEAR || !date_valid(d.y, d.m, d.d) ||
	    date_to_days(d) > date_to_days(today))
		return "身份证号中的出生日期无效";

	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * w[i];
	if (check_chars[sum % 11] != last)
		return "身份证号校验位错误";

	if (norm) {
		memcpy(norm, s, 17);
		norm[17] = last;
		norm[18] = '\0';
	}
	if (birth)
		*birth = d;
	if (male)
		*male = (s[16] - '0') % 2 == 1;
	return NULL;
}

/*
 * GB 32100-2015: 18 characters of a 31-symbol alphabet (no I, O, S, V, Z);
 * the last is (31 - sum(value * weight) mod 31) mod 31 over the first 17.
 * Lower case is accepted and upper-cased into `norm` ("" on failure).
 */
const char *credit_code_check(const char *s, char norm[19])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
	char up[19];
	int val[18], sum = 0;
	const char *hit;

	if (norm)
		norm[0] = '\0';
	if (!s || !*s)
		return "统一社会信用代码不能为空";
	if (strlen(s) != 18)
		return "统一社会信用代码应为18位";
	for (int i = 0; i < 18; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		hit = c ? strchr(alphabet, c) : NULL;
		if (!hit)
			return "统一社会信用代码含有非法字符";
		up[i] = c;
		val[i] = (int)(hit - alphabet);
	}
	up[18] = '\0';
	for (int i = 0; i < 17; i++)
		sum += val[i] * w[i];
	if ((31 - sum % 31) % 31 != val[17])
		return "统一社会信用代码校验位错误";
	if (norm)
		memcpy(norm, up, 19);
	return NULL;
}

/* `n` ASCII digits at s? */
static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/*
 * Fixed line: 0 plus 2-3 more area digits, an optional '-', then a 7-8
 * digit number. Tries each split, since "01012345678" is ambiguous.
 */
static int is_fixed_line(const char *s, size_t len)
{
	if (s[0] != '0')
		return 0;
	for (size_t area = 3; area <= 4; area++) {
		for (size_t dash = 0; dash <= 1; dash++) {
			size_t num = len - area - dash;

			if (len < area + dash + 7 || (num != 7 && num != 8))
				continue;
			if (!all_digits(s, area))
				continue;
			if (dash && s[area] != '-')
				continue;
			if (all_digits(s + area + dash, num))
				return 1;
		}
	}
	return 0;
}

const char *phone_check(const char *s)
{
	size_t len;

	if (!s || !*s)
		return "电话号码不能为空";
	len = strlen(s);
	if (s[0] == '1') {
		if (len == 11 && s[1] >= '3' && s[1] <= '9' && all_digits(s, 11))
			return NULL;
		return "手机号码应为1开头的11位数字";
	}
	if (is_fixed_line(s, len))
		return NULL;
	return "电话号码格式不正确";
}

/* Byte length of the UTF-8 character starting at p (1 for a stray byte). */
static size_t char_len(const unsigned char *p)
{
	size_t n = 1;

	while (p[n] && (p[n] & 0xC0) == 0x80)
		n++;
	return n;
}

/*
 * Keep the first `head` and last `tail` characters, one '*' per character
 * between. When that would hide nothing (the text has head + tail
 * characters or fewer), keep only the first and last character; two
 * characters become "a*" and one becomes "*". The output is never longer
 * than the input, counted in bytes.
 */
static void mask_keep(const char *s, char *out, size_t head, size_t tail)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t total = 0, i = 0, k;
	char *o = out;

	if (!s) {
		out[0] = '\0';
		return;
	}
	for (const unsigned char *q = p; *q; q += char_len(q))
		total++;
	if (total <= head + tail) {
		head = total >= 2 ? 1 : 0;
		tail = total >= 3 ? 1 : 0;
	}
	for (; *p; p += k, i++) {
		k = char_len(p);
		if (i < head || i >= total - tail) {
			memcpy(o, p, k);
			o += k;
		} else {
			*o++ = '*';
		}
	}
	*o = '\0';
}

void mask_idcard(const char *s, char *out)
{
	mask_keep(s, out, 4, 4);
}

void mask_phone(const char *s, char *out)
{
	mask_keep(s, out, 3, 4);
}
