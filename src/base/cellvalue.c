/* cellvalue.c - typed dates, header normalisation and matching, formula-like text, for spreadsheet cells. */
#include <stdint.h>
#include <string.h>

#include "cellvalue.h"

#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2200
#define DATE_TEXT_MAX 128	/* longer text is no date anyone typed */
#define HEADER_MAX 512		/* longer header cells match nothing */

/*
 * Decode one UTF-8 character at s (s[0] != 0). Sets *cp and returns its
 * length. A byte that does not start a well-formed sequence is returned
 * alone as a code point >= 0x110000 so it is copied through unchanged.
 */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else {
		*cp = 0x110000u + s[0];
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0x110000u + s[0];
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff)) {
		*cp = 0x110000u + s[0];
		return 1;
	}
	*cp = c;
	return n;
}

/* Encode cp (from utf8_next) into out; returns the length (1-4). */
static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp >= 0x110000u) {
		out[0] = (char)(cp - 0x110000u);
		return 1;
	}
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xa0 || cp == 0x3000 ||
	       cp == 0x200b || cp == 0xfeff;
}

static int is_open_cp(uint32_t cp)
{
	return cp == '(' || cp == '[' || cp == 0x3010 || cp == 0xff08 || cp == 0xff3b;
}

static int is_close_cp(uint32_t cp)
{
	return cp == ')' || cp == ']' || cp == 0x3011 || cp == 0xff09 || cp == 0xff3d;
}

/*
 * One pass of cell_normalize. Every output character is at most as long as
 * the input character it comes from, so the output never outgrows the input.
 */
static size_t normalize_pass(const char *in, unsigned opts, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t len = 0, keep = 0;	/* keep: length up to the last non-space */
	int depth = 0;
	uint32_t cp;
	char enc[4];
	size_t n;

	while (*p) {
		p += utf8_next(p, &cp);
		if (opts & CELL_NORM_HALFWIDTH) {
			if (cp >= 0xff01 && cp <= 0xff5e)
				cp -= 0xfee0;
			else if (cp == 0x3000)
				cp = ' ';
		}
		if (opts & CELL_NORM_NOPARENS) {
			if (is_open_cp(cp)) {
				depth++;
				continue;
			}
			if (is_close_cp(cp) && depth > 0) {
				depth--;
				continue;
			}
			if (depth > 0)
				continue;
		}
		if ((opts & CELL_NORM_NOMARKS) &&
		    (cp == '*' || cp == 0x203b || cp == ':' || cp == 0xff1a))
			continue;
		if (is_space_cp(cp)) {
			if ((opts & CELL_NORM_NOSPACE) || ((opts & CELL_NORM_TRIM) && len == 0))
				continue;
		}
		if ((opts & CELL_NORM_LOWER) && cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		n = utf8_put(cp, enc);
		if (len + n + 1 > outsz)
			break;
		memcpy(out + len, enc, n);
		len += n;
		if (!is_space_cp(cp))
			keep = len;
	}
	if (opts & CELL_NORM_TRIM)
		len = keep;
	out[len] = '\0';
	return len;
}

/* See cellvalue.h. With NOPARENS, a text that is all brackets keeps them. */
size_t cell_normalize(const char *in, unsigned opts, char *out, size_t outsz)
{
	size_t n;

	if (outsz == 0)
		return 0;
	if (!in) {
		out[0] = '\0';
		return 0;
	}
	n = normalize_pass(in, opts, out, outsz);
	if (n == 0 && (opts & CELL_NORM_NOPARENS))
		n = normalize_pass(in, opts & ~CELL_NORM_NOPARENS, out, outsz);
	return n;
}

/* ---- dates -------------------------------------------------------------- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read a run of digits at *p (at most `max`, else -2); -1 if none. Advances *p. */
static long read_num(const char **p, int max, int *ndigits)
{
	long v = 0;
	int n = 0;

	while (is_digit(**p)) {
		if (n == max)
			return -2;
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (ndigits)
		*ndigits = n;
	return n ? v : -1;
}

static void skip_sp(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* Consume the UTF-8 text `word` at *p if it is there. */
static int eat(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* The rest of a date text after the day: nothing, or a time that is ignored. */
static int time_suffix_ok(const char *p)
{
	int colon = 0;

	if (*p == '\0')
		return 1;
	if (*p != ' ' && *p != 'T')
		return 0;
	p++;
	skip_sp(&p);
	if (!is_digit(*p))
		return 0;
	for (; *p; p++) {
		if (*p == ':')
			colon = 1;
		else if (!is_digit(*p) && *p != '.' && *p != '+' && *p != '-' && *p != 'Z')
			return 0;
	}
	return colon;
}

static const char *check_ymd(long y, long m, long d, struct ymd *out)
{
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR)
		return "年份应在 1900-2200 之间";
	if (m < 1 || m > 12)
		return "月份应在 1-12 之间";
	if (!date_valid((int)y, (int)m, (int)d))
		return "日期不存在（该月没有这一天）";
	out->y = (int)y;
	out->m = (int)m;
	out->d = (int)d;
	return NULL;
}

/*
 * 1900 system: serials 1-59 count from 1899-12-31; Excel then counts a
 * 1900-02-29 that never was (60), so from 61 on they count from 1899-12-30.
 */
const char *cell_date_from_serial(long serial, struct ymd *out)
{
	static const struct ymd dec30 = { 1899, 12, 30 };
	int64_t days;
	struct ymd d;

	if (serial < 1)
		return "Excel 日期序列号应大于 0";
	if (serial == 60)
		return "Excel 日期序列号 60 表示不存在的 1900-02-29";
	if (serial > 3000000)
		return "年份应在 1900-2200 之间";
	days = date_to_days(dec30) + serial + (serial < 60 ? 1 : 0);
	d = date_from_days(days);
	if (d.y > DATE_MAX_YEAR)
		return "年份应在 1900-2200 之间";
	*out = d;
	return NULL;
}

long cell_date_to_serial(struct ymd d)
{
	static const struct ymd dec30 = { 1899, 12, 30 };
	int64_t n = date_to_days(d) - date_to_days(dec30);

	return n < 61 ? -1 : (long)n;
}

/* "44625" or "44625.375": the whole part as a serial. -1 if `t` is not such a number. */
static long serial_of(const char *t)
{
	const char *p = t;
	long v = read_num(&p, 7, NULL);

	if (v < 0)
		return -1;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -1;
		while (is_digit(*p))
			p++;
	}
	return *p == '\0' ? v : -1;
}

static const char *from_serial(long serial, struct ymd *out, unsigned *how)
{
	const char *why = cell_date_from_serial(serial, out);

	if (!why && how)
		*how = CELL_DATE_FROM_SERIAL;
	return why;
}

/* See cellvalue.h for the accepted forms. */
const char *cell_parse_date(const char *s, int excel_serial, struct ymd *out, unsigned *how)
{
	char t[DATE_TEXT_MAX];
	const char *p, *why;
	long y, m, d, serial;
	int nd, nian;
	char sep;
	struct ymd r;

	if (how)
		*how = 0;
	if (!s)
		return "日期为空";
	if (strlen(s) >= sizeof t)
		return "无法识别的日期格式";
	if (cell_normalize(s, CELL_NORM_TRIM | CELL_NORM_HALFWIDTH, t, sizeof t) == 0)
		return "日期为空";

	if (excel_serial && (serial = serial_of(t)) >= 0)
		return from_serial(serial, out, how);

	p = t;
	y = read_num(&p, 8, &nd);
	if (y == -2 || y == -1)
		return "无法识别的日期格式";
	if (*p == '\0') {
		if (nd == 8) {
			why = check_ymd(y / 10000, y / 100 % 100, y % 100, &r);
			goto done;
		}
		if (nd == 6) {
			why = check_ymd(y / 100, y % 100, 1, &r);
			if (!why && how)
				*how = CELL_DATE_MONTH_ONLY;
			goto done;
		}
		if (nd == 5)
			return from_serial(y, out, how);
		return "无法识别的日期格式";
	}
	if (nd == 5 && (serial = serial_of(t)) >= 0)
		return from_serial(serial, out, how);
	if (nd != 4)
		return nd == 2 ? "年份请写全四位，如 2022-03-05" : "无法识别的日期格式";

	skip_sp(&p);
	nian = 0;
	sep = *p;
	if (eat(&p, "年")) {
		nian = 1;
		sep = 0;
	} else if (sep == '-' || sep == '/' || sep == '.') {
		p++;
	} else {
		return "无法识别的日期格式";
	}
	skip_sp(&p);
	m = read_num(&p, 2, NULL);
	if (m < 0)
		return "无法识别的日期格式";
	skip_sp(&p);
	if (nian)
		eat(&p, "月");
	skip_sp(&p);
	if (*p == '\0') {
		why = check_ymd(y, m, 1, &r);
		if (!why && how)
			*how = CELL_DATE_MONTH_ONLY;
		goto done;
	}
	if (!nian) {
		if (*p != sep)
			return "无法识别的日期格式";
		p++;
		skip_sp(&p);
	}
	d = read_num(&p, 2, NULL);
	if (d < 0)
		return "无法识别的日期格式";
	if (nian) {
		skip_sp(&p);
		if (!eat(&p, "日"))
			eat(&p, "号");
	}
	if (!time_suffix_ok(p))
		return "无法识别的日期格式";
	why = check_ymd(y, m, d, &r);
done:
	if (why) {
		if (how)
			*how = 0;
		return why;
	}
	*out = r;
	return NULL;
}

/* ---- headers ------------------------------------------------------------ */

/* See cellvalue.h. */
int header_match(const struct header_syn *table, const char *header)
{
	char want[HEADER_MAX], name[HEADER_MAX], norm[HEADER_MAX];
	const char *p, *bar;
	size_t n;

	if (!table || !header || strlen(header) >= sizeof want)
		return -1;
	if (cell_normalize(header, CELL_NORM_HEADER, want, sizeof want) == 0)
		return -1;
	for (; table->names; table++) {
		for (p = table->names; *p; p = *bar ? bar + 1 : bar) {
			bar = strchr(p, '|');
			if (!bar)
				bar = p + strlen(p);
			n = (size_t)(bar - p);
			if (n == 0 || n >= sizeof name)
				continue;
			memcpy(name, p, n);
			name[n] = '\0';
			cell_normalize(name, CELL_NORM_HEADER, norm, sizeof norm);
			if (strcmp(norm, want) == 0)
				return table->field;
		}
	}
	return -1;
}

/* ---- output safety ------------------------------------------------------ */

/* [+-]digits[.digits][(e|E)[+-]digits] and nothing else. */
static int plain_number(const char *p)
{
	if (*p == '+' || *p == '-')
		p++;
	if (!is_digit(*p))
		return 0;
	while (is_digit(*p))
		p++;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return 0;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return 0;
		while (is_digit(*p))
			p++;
	}
	return *p == '\0';
}

/* See cellvalue.h. */
int cell_is_formula_like(const char *s)
{
	uint32_t cp;

	if (!s)
		return 0;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s == '\0')
		return 0;
	if (*s == '=' || *s == '@')
		return 1;
	if (*s == '+' || *s == '-')
		return !plain_number(s);
	utf8_next((const unsigned char *)s, &cp);
	return cp == 0xff1d || cp == 0xff0b || cp == 0xff0d || cp == 0xff20;
}
