/* workdays.c - the grid module's pure helpers: working-day arithmetic, tracking codes, markup checks, timestamps and medians. */
#include <stdlib.h>
#include <string.h>
#include "grid.h"
#include "../../auth/crypt.h"
#include "../../base/date.h"

int day_of_week(int64_t days)
{
	/* 1970-01-01 was a Thursday (4) */
	int64_t w = (days + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

static int is_holiday(int64_t d, const int64_t *h, size_t nh)
{
	size_t lo = 0, hi = nh;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h[mid] == d)
			return 1;
		if (h[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int is_workday(int64_t d, const int64_t *h, size_t nh)
{
	int w = day_of_week(d);
	return w != 0 && w != 6 && !is_holiday(d, h, nh);
}

int64_t workdays_add(int64_t start, int n, const int64_t *holidays, size_t nh)
{
	int64_t d = start;

	if (n <= 0) {
		while (!is_workday(d, holidays, nh))
			d++;
		return d;
	}
	while (n > 0) {
		d++;
		if (is_workday(d, holidays, nh))
			n--;
	}
	return d;
}

int workdays_between(int64_t from, int64_t to, const int64_t *holidays, size_t nh)
{
	int n = 0;

	for (int64_t d = from + 1; d <= to; d++)
		n += is_workday(d, holidays, nh);
	return n;
}

/* Crockford base 32: no I, L, O, U. */
static const char CROCKFORD[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void deed_code_make(char out[DEED_CODE_LEN + 1])
{
	unsigned char b[DEED_CODE_LEN];

	random_bytes(b, sizeof(b));
	for (int i = 0; i < DEED_CODE_LEN; i++)
		out[i] = CROCKFORD[b[i] & 31];
	out[DEED_CODE_LEN] = '\0';
}

int deed_code_normalize(const char *in, char out[DEED_CODE_LEN + 1])
{
	int n = 0;

	if (!in)
		return -1;
	for (const char *p = in; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (!strchr(CROCKFORD, c) || c == '\0' || n == DEED_CODE_LEN)
			return -1;
		out[n++] = c;
	}
	if (n != DEED_CODE_LEN)
		return -1;
	out[n] = '\0';
	return 0;
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Markup is refused rather than escaped: the text is shown to staff and, in
 * part, on the public tracking page. A '<' followed by a letter, '/', '!' or
 * '?' opens a tag, comment or processing instruction; a full-width '＜' is
 * harmless and stays allowed, as does a lone "<" in "3<5".
 */
int text_has_markup(const char *s)
{
	static const char js[] = "javascript:";

	if (!s)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p == '<') {
			int c = (unsigned char)p[1];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!' ||
			    c == '?')
				return 1;
		}
		if (ascii_lower((unsigned char)*p) == 'j') {
			size_t i = 0;
			while (js[i] && ascii_lower((unsigned char)p[i]) == js[i])
				i++;
			if (!js[i])
				return 1;
		}
	}
	return 0;
}

int text_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\r' && *p != '\n') || *p == 0x7f)
			return 1;
	return 0;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int ts_parse(const char *ts, int64_t *out)
{
	char day[11];
	struct ymd d;
	int hh, mm, ss;

	if (!ts || strlen(ts) != 20 || ts[10] != 'T' || ts[13] != ':' || ts[16] != ':' ||
	    ts[19] != 'Z')
		return -1;
	memcpy(day, ts, 10);
	day[10] = '\0';
	if (date_parse_iso(day, &d) != 0 || digits(ts + 11, 2, &hh) || digits(ts + 14, 2, &mm) ||
	    digits(ts + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
		return -1;
	*out = date_to_days(d) * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

double median_i64(int64_t *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_i64);
	if (n % 2)
		return (double)v[n / 2];
	return ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
}
