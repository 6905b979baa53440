/* date.c - proleptic Gregorian dates as day counts, strict ISO-8601 parsing, UTC timestamps, clocks. */
#include <time.h>

#include "date.h"

#define SECS_PER_DAY 86400
#define CN_OFFSET (8 * 3600)	/* Asia/Shanghai: UTC+8, no daylight saving since 1991 */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return dim[m - 1];
}

/* 1 when y-m-d is a real calendar date in years 1..9999 (the 4-digit range), else 0. */
int date_valid(int y, int m, int d)
{
	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= days_in_month(y, m);
}

/* Value of `n` ASCII digits at s, or -1 if any is not a digit. */
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

/*
 * Exactly "YYYY-MM-DD": ten characters, zero-padded, nothing before or
 * after, a real date, year 1900-2200. `out` is written only on success.
 */
int date_parse_iso(const char *s, struct ymd *out)
{
	int y, m, d;

	if (!s)
		return -1;
	for (int i = 0; i < 10; i++)
		if (s[i] == '\0')
			return -1;
	if (s[10] != '\0' || s[4] != '-' || s[7] != '-')
		return -1;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1900 || y > 2200 || !date_valid(y, m, d))
		return -1;
	if (out) {
		out->y = y;
		out->m = m;
		out->d = d;
	}
	return 0;
}

/*
 * Days since 1970-01-01 (H. Hinnant's days-from-civil): shift the year to
 * start in March so the leap day is last, then count 400-year eras.
 */
int64_t date_to_days(struct ymd d)
{
	int64_t y = d.y - (d.m <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;				/* [0, 399] */
	int64_t mp = d.m > 2 ? d.m - 3 : d.m + 9;		/* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + d.d - 1;		/* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* [0, 146096] */

	return era * 146097 + doe - 719468;
}

/* The inverse of date_to_days (civil-from-days). */
struct ymd date_from_days(int64_t z)
{
	struct ymd r;
	int64_t era, doe, yoe, y, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	r.y = (int)(y + (r.m <= 2));
	return r;
}

/* Write `v` as exactly `n` zero-padded digits (v must be in range). */
static char *put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* Years outside 0..9999 are clamped so the text always has 10 characters. */
void date_format(struct ymd d, char *out)
{
	char *p = out;
	int y = d.y < 0 ? 0 : d.y > 9999 ? 9999 : d.y;
	int m = d.m < 0 || d.m > 99 ? 0 : d.m;
	int dd = d.d < 0 || d.d > 99 ? 0 : d.d;

	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, dd, 2);
	*p = '\0';
}

/* Floor division, so times before 1970 land on the right day. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/*
 * "YYYY-MM-DDTHH:MM:SSZ". Times outside years 0000-9999 are clamped to the
 * first or last second of that range.
 */
void ts_format(int64_t t, char *out)
{
	const int64_t lo = -62167219200;	/* 0000-01-01T00:00:00Z */
	const int64_t hi = 253402300799;	/* 9999-12-31T23:59:59Z */
	int64_t days, secs;
	struct ymd d;
	char *p;

	if (t < lo)
		t = lo;
	if (t > hi)
		t = hi;
	days = floor_div(t, SECS_PER_DAY);
	secs = t - days * SECS_PER_DAY;
	d = date_from_days(days);
	date_format(d, out);
	p = out + 10;
	*p++ = 'T';
	p = put_digits(p, (int)(secs / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (int)(secs / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (int)(secs % 60), 2);
	*p++ = 'Z';
	*p = '\0';
}

int64_t time_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (int64_t)time(NULL);
	return (int64_t)ts.tv_sec;
}

void ts_now(char *out)
{
	ts_format(time_now(), out);
}

/* Milliseconds on a clock that never jumps (for timeouts and durations, not dates). */
int64_t time_mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ymd date_cn_from_unix(int64_t t)
{
	return date_from_days(floor_div(t + CN_OFFSET, SECS_PER_DAY));
}

struct ymd date_today_cn(void)
{
	return date_cn_from_unix(time_now());
}
