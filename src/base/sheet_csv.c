/* sheet_csv.c - RFC 4180 CSV in UTF-8 (with or without a BOM) or GB18030, streamed in chunks. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sheet_int.h"

#define CSV_CHUNK 65536
/* GB18030 -> UTF-8 grows at most 3/2 (2 bytes -> 3); 4-byte forms stay 4. */
#define CSV_OUT (CSV_CHUNK * 2)
#define CSV_CARRY 8		/* an incomplete multibyte sequence left at a chunk's end */

enum csv_state {
	CSV_FIELD,	/* at the start of a field */
	CSV_PLAIN,	/* inside an unquoted field */
	CSV_QUOTED,	/* inside quotes */
	CSV_QUOTE2,	/* just saw a quote inside quotes: "" or the closing one */
};

struct csv_reader {
	iconv_t cd;			/* GB18030 -> UTF-8, or (iconv_t)-1 */
	unsigned char in[CSV_CHUNK + CSV_CARRY];
	size_t inlen;			/* GB18030: carried bytes at the start of `in` */
	char out[CSV_OUT];
	const char *p, *end;		/* decoded bytes not yet parsed */
	uint64_t pos;			/* file bytes read so far */
	int eof;			/* the file is read to its end */
	int done;			/* the last record was handed out */
	enum csv_state st;
	int after_cr;			/* a CR ended the last record: skip one LF */
	int cr_in_quotes;		/* a CR inside quotes became LF: skip one LF */
	int in_record;
	size_t col;
	size_t recno;			/* records completed */
};

/* read() the whole of n bytes unless the file ends; -1 on an error. */
static ssize_t read_full(int fd, void *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* ---- pass 1: what is this text? -------------------------------------------- */

/* A streaming strict UTF-8 checker (no overlongs, no surrogates, <= U+10FFFF). */
struct u8check {
	int rem;		/* continuation bytes still expected */
	unsigned char lo, hi;	/* range of the next continuation byte */
};

/* 0 if the byte is acceptable, -1 if not. */
static int u8_byte(struct u8check *u, unsigned char c)
{
	if (u->rem) {
		if (c < u->lo || c > u->hi)
			return -1;
		u->rem--;
		u->lo = 0x80;
		u->hi = 0xbf;
		return 0;
	}
	if (c < 0x80)
		return 0;
	u->lo = 0x80;
	u->hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		u->rem = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		u->rem = 2;
		if (c == 0xe0)
			u->lo = 0xa0;
		else if (c == 0xed)
			u->hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		u->rem = 3;
		if (c == 0xf0)
			u->lo = 0x90;
		else if (c == 0xf4)
			u->hi = 0x8f;
	} else {
		return -1;
	}
	return 0;
}

/*
 * Does the whole file (from `start`) convert from GB18030? 0 yes; -1 no,
 * with *line set to the line of the first bad byte. Reads in chunks.
 */
static int gb18030_check(struct sheet *s, struct csv_reader *r, uint64_t start, size_t *line)
{
	iconv_t cd = r->cd;
	size_t carry = 0, inleft, outleft, k;
	char *ip, *op;
	ssize_t n;

	*line = 1;
	if (lseek(s->fd, (off_t)start, SEEK_SET) < 0)
		return -1;
	iconv(cd, NULL, NULL, NULL, NULL);
	for (;;) {
		n = read_full(s->fd, r->in + carry, CSV_CHUNK);
		if (n < 0)
			return -1;
		if (n == 0)
			return carry ? -1 : 0;	/* a sequence cut off by the end */
		inleft = carry + (size_t)n;
		ip = (char *)r->in;
		while (inleft > 0) {
			op = r->out;
			outleft = sizeof r->out;
			if (iconv(cd, &ip, &inleft, &op, &outleft) != (size_t)-1)
				break;
			if (errno == E2BIG)
				continue;
			if (errno == EINVAL)
				break;	/* incomplete at the end: carry it */
			for (k = 0; k < (size_t)(ip - (char *)r->in); k++)
				*line += r->in[k] == '\n';
			return -1;
		}
		for (k = 0; k < (size_t)(ip - (char *)r->in); k++)
			*line += r->in[k] == '\n';
		if (inleft > CSV_CARRY)
			return -1;
		memmove(r->in, ip, inleft);
		carry = inleft;
	}
}

/*
 * Pass 1 over the whole file in chunks: no NUL bytes, and valid UTF-8 or
 * else valid GB18030. Also picks the delimiter from the first line: a tab
 * if it has tabs and no commas, else a comma. Leaves the file positioned
 * at the first byte of text (after a BOM) and sets up `r->cd`.
 */
static int csv_sniff(struct sheet *s, struct csv_reader *r)
{
	struct u8check u = { 0, 0x80, 0xbf };
	int utf8_ok = 1, first_line = 1, commas = 0, tabs = 0;
	size_t line = 1, bad_line = 0, i;
	uint64_t start = 0;
	ssize_t n;

	for (;;) {
		n = read_full(s->fd, r->in, CSV_CHUNK);
		if (n < 0)
			return sheet_fail(s, SHEET_EIO, "无法读取文件");
		if (n == 0)
			break;
		i = 0;
		if (start == 0 && r->pos == 0 && n >= 3 && memcmp(r->in, "\xef\xbb\xbf", 3) == 0) {
			s->enc = SHEET_ENC_UTF8_BOM;
			start = 3;
			i = 3;
		}
		for (; i < (size_t)n; i++) {
			unsigned char c = r->in[i];

			if (c == 0)
				return sheet_fail(s, SHEET_EFORMAT,
						  "文件含有二进制内容（第 %zu 行有 NUL 字节），不是文本表格", line);
			if (first_line) {
				if (c == '\n' || c == '\r')
					first_line = 0;
				else if (c == ',')
					commas++;
				else if (c == '\t')
					tabs++;
			}
			if (c == '\n')
				line++;
			if (utf8_ok && u8_byte(&u, c) < 0) {
				utf8_ok = 0;
				bad_line = line;
			}
		}
		r->pos += (uint64_t)n;
	}
	if (utf8_ok && u.rem) {
		utf8_ok = 0;
		bad_line = line;
	}
	r->pos = 0;
	if (tabs > 0 && commas == 0)
		s->delim = '\t';

	if (!utf8_ok) {
		if (s->enc == SHEET_ENC_UTF8_BOM)
			return sheet_fail(s, SHEET_EFORMAT,
					  "文件以 UTF-8 标记（BOM）开头，但第 %zu 行有无效的 UTF-8 字节", bad_line);
		r->cd = iconv_open("UTF-8", "GB18030");
		if (r->cd == (iconv_t)-1)
			return sheet_fail(s, SHEET_EIO, "系统不支持 GB18030 编码转换");
		if (gb18030_check(s, r, 0, &line) < 0)
			return sheet_fail(s, SHEET_EFORMAT,
					  "文件既不是有效的 UTF-8 文本，也不是有效的 GB18030 文本"
					  "（第 %zu 行附近有无法识别的字节），可能不是表格文件", line);
		s->enc = SHEET_ENC_GB18030;
		iconv(r->cd, NULL, NULL, NULL, NULL);
	}
	if (lseek(s->fd, (off_t)start, SEEK_SET) < 0)
		return sheet_fail(s, SHEET_EIO, "无法读取文件");
	r->pos = start;
	return 0;
}

int sheet_csv_open(struct sheet *s)
{
	struct csv_reader *r;

	r = calloc(1, sizeof *r);
	if (!r)
		return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
	r->cd = (iconv_t)-1;
	s->csv = r;
	s->enc = SHEET_ENC_UTF8;
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		return sheet_fail(s, SHEET_EIO, "无法读取文件");
	if (csv_sniff(s, r) < 0)
		return -1;
	r->st = CSV_FIELD;
	r->p = r->end = r->out;
	s->total = s->size;
	s->done = r->pos;
	return 0;
}

void sheet_csv_close(struct sheet *s)
{
	if (s->csv->cd != (iconv_t)-1)
		iconv_close(s->csv->cd);
	free(s->csv);
	s->csv = NULL;
}

/* ---- pass 2: records ---------------------------------------------------- */

/* Make decoded bytes available at r->p. 1 some, 0 end of file, -1 error. */
static int csv_fill(struct sheet *s, struct csv_reader *r)
{
	size_t want, inleft, outleft;
	char *ip, *op;
	ssize_t n;

	while (r->p == r->end) {
		if (r->eof)
			return 0;
		want = CSV_CHUNK;
		if (s->size - r->pos < want)
			want = (size_t)(s->size - r->pos);
		n = want ? read_full(s->fd, r->in + r->inlen, want) : 0;
		if (n < 0)
			return sheet_fail(s, SHEET_EIO, "无法读取文件");
		r->pos += (uint64_t)n;
		s->done = r->pos;
		if (n == 0)
			r->eof = 1;
		if (r->cd == (iconv_t)-1) {
			r->p = (const char *)r->in;
			r->end = r->p + n;
			continue;
		}
		inleft = r->inlen + (size_t)n;
		ip = (char *)r->in;
		op = r->out;
		outleft = sizeof r->out;
		if (iconv(r->cd, &ip, &inleft, &op, &outleft) == (size_t)-1 &&
		    (errno != EINVAL || inleft > CSV_CARRY || r->eof))
			return sheet_fail(s, SHEET_EFORMAT, "第 %zu 行附近有无效的 GB18030 字节",
					  r->recno + 1);
		memmove(r->in, ip, inleft);
		r->inlen = inleft;
		r->p = r->out;
		r->end = op;
	}
	return 1;
}

static int field_end(struct sheet *s, struct csv_reader *r)
{
	if (sheet_cell_end(s, 0) < 0)
		return -1;
	r->col++;
	sheet_cell_begin(s, r->col);
	r->st = CSV_FIELD;
	return 0;
}

/* Length of the run at p before any byte of `stops` (a short set). */
static size_t span_until(const char *p, const char *end, char a, char b, char c)
{
	const char *q = p;

	while (q < end && *q != a && *q != b && *q != c)
		q++;
	return (size_t)(q - p);
}

/*
 * Parse one record into s->row. Quotes: "" inside quotes is a quote; a
 * line break inside quotes is part of the cell (CRLF and CR become LF);
 * text after a closing quote is kept ("ab"c -> abc) and a quote inside an
 * unquoted field is literal, as spreadsheet programs read them.
 */
int sheet_csv_next(struct sheet *s)
{
	struct csv_reader *r = s->csv;
	const char delim = s->delim;
	size_t n;
	char c;
	int rc;

	if (r->done)
		return 0;
	sheet_row_reset(s, r->recno + 1);
	r->col = 0;
	r->st = CSV_FIELD;
	r->in_record = 0;
	sheet_cell_begin(s, 0);
	for (;;) {
		if (r->p == r->end) {
			rc = csv_fill(s, r);
			if (rc < 0)
				return -1;
			if (rc == 0)
				break;
		}
		c = *r->p;
		if (r->after_cr) {
			r->after_cr = 0;
			if (c == '\n') {
				r->p++;
				continue;
			}
		}
		r->in_record = 1;
		switch (r->st) {
		case CSV_FIELD:
			if (c == '"') {
				r->st = CSV_QUOTED;
				r->p++;
				break;
			}
			/* fall through */
		case CSV_PLAIN:
			if (c == delim) {
				r->p++;
				if (field_end(s, r) < 0)
					return -1;
			} else if (c == '\r' || c == '\n') {
				r->p++;
				r->after_cr = c == '\r';
				goto record_end;
			} else {
				n = span_until(r->p, r->end, delim, '\r', '\n');
				if (sheet_cell_add(s, r->p, n) < 0)
					return -1;
				r->p += n;
				r->st = CSV_PLAIN;
			}
			break;
		case CSV_QUOTED:
			if (r->cr_in_quotes) {
				r->cr_in_quotes = 0;
				if (c == '\n') {
					r->p++;
					break;
				}
			}
			if (c == '"') {
				r->st = CSV_QUOTE2;
				r->p++;
			} else if (c == '\r') {
				if (sheet_cell_add(s, "\n", 1) < 0)
					return -1;
				r->cr_in_quotes = 1;
				r->p++;
			} else {
				n = span_until(r->p, r->end, '"', '\r', '"');
				if (sheet_cell_add(s, r->p, n) < 0)
					return -1;
				r->p += n;
			}
			break;
		case CSV_QUOTE2:
			if (c == '"') {
				if (sheet_cell_add(s, "\"", 1) < 0)
					return -1;
				r->st = CSV_QUOTED;
				r->p++;
			} else if (c == delim) {
				r->p++;
				if (field_end(s, r) < 0)
					return -1;
			} else if (c == '\r' || c == '\n') {
				r->p++;
				r->after_cr = c == '\r';
				goto record_end;
			} else {
				r->st = CSV_PLAIN;	/* "ab"c: keep the c */
			}
			break;
		}
	}
	/* End of the file. */
	r->done = 1;
	if (r->st == CSV_QUOTED)
		return sheet_fail(s, SHEET_EFORMAT,
				  "第 %zu 行：引号没有闭合（从这里到文件末尾都在一对引号里）", r->recno + 1);
	if (!r->in_record)
		return 0;
record_end:
	if (sheet_cell_end(s, 0) < 0)
		return -1;
	r->recno++;
	return 1;
}
