/* fuzz_sheet.h - shared by fuzz_sheet.c and fuzz_xlsx.c: read a whole file with sheet_* and check every row's properties. */
#ifndef ZB_FUZZ_SHEET_H
#define ZB_FUZZ_SHEET_H

#include "fuzz.h"
#include "../../src/base/cellvalue.h"
#include "../../src/base/sheet.h"

/* Small limits, so every limit is reachable from a small input and memory stays low. */
static inline void fuzz_sheet_limits(struct sheet_limits *lim)
{
	sheet_limits_default(lim);
	lim->max_rows = 200;
	lim->max_cols = 40;
	lim->max_cell_bytes = 512;
	lim->max_xlsx_bytes = 4u * 1024 * 1024;
	lim->max_shared_strings = 2000;
}

/* Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
static inline int fuzz_utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], cp, min, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		for (unsigned j = 1; j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

/*
 * Open `path` and read every row. Properties: an open failure or a stopped
 * read names a reason (code and Chinese message); row numbers rise; every
 * row has 1..max_cols cells, its last cell non-empty; every cell is
 * NUL-terminated UTF-8 of the stated length within max_cell_bytes, without
 * a NUL inside; the formula-like flag matches cell_is_formula_like for text
 * cells; at most max_rows + 1 rows come out; progress never passes its
 * total; after the end every further call gives the same answer.
 */
static inline void fuzz_sheet_read(const char *path)
{
	struct sheet_limits lim;
	struct sheet_error e;
	struct sheet_row row;
	struct sheet *s;
	size_t last = 0, count = 0;
	uint64_t done, total;
	int rc;

	fuzz_sheet_limits(&lim);
	memset(&e, 0, sizeof(e));
	s = sheet_open(path, &lim, &e);
	if (s == NULL) {
		FUZZ_CHECK(e.code != SHEET_OK && e.msg[0] != '\0');
		return;
	}
	FUZZ_CHECK(sheet_describe(s) != NULL);
	while ((rc = sheet_next(s, &row, &e)) == 1) {
		int nonempty = 0;

		FUZZ_CHECK(row.num > last);
		last = row.num;
		FUZZ_CHECK(++count <= lim.max_rows + 1);
		FUZZ_CHECK(row.ncells >= 1 && row.ncells <= lim.max_cols);
		FUZZ_CHECK(row.cells[row.ncells - 1].len > 0);
		for (size_t i = 0; i < row.ncells; i++) {
			const struct sheet_cell *c = &row.cells[i];

			FUZZ_CHECK(c->text != NULL && strlen(c->text) == c->len);
			FUZZ_CHECK(c->len <= lim.max_cell_bytes);
			FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)c->text, c->len));
			if (!(c->flags & (SHEET_CELL_NUMBER | SHEET_CELL_BOOL | SHEET_CELL_ERROR)))
				FUZZ_CHECK(!!(c->flags & SHEET_CELL_FORMULA_LIKE) ==
					   !!cell_is_formula_like(c->text));
			nonempty |= c->len > 0;
		}
		FUZZ_CHECK(nonempty);
		sheet_progress(s, &done, &total);
		FUZZ_CHECK(done <= total);
	}
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0)
		FUZZ_CHECK(e.code != SHEET_OK && e.msg[0] != '\0');
	FUZZ_CHECK(sheet_next(s, &row, &e) == rc);
	sheet_close(s);
}

#endif
