/* fuzz_cell.c - fuzz target: import cell helpers - cell_normalize, header_match, cell_is_formula_like (src/base/cellvalue.h). */
#include "fuzz_sheet.h"

static const struct header_syn people_headers[] = {
	{ 0, "姓名" },
	{ 1, "出生日期|出生年月|出生年月日|生日" },
	{ 2, "身份证号|身份证号码|公民身份号码|证件号码" },
	{ 3, "联系电话|手机号|手机号码|电话" },
	{ 4, "所在支部|所属组织|党组织" },
	{ -1, NULL },
};

/*
 * The first byte gives the normalisation options and an output size; the
 * rest is the cell. Properties: the result is never longer than the input
 * and, from valid UTF-8, is valid UTF-8 (also when cut short by a small
 * buffer, which cuts at a character boundary: a prefix of the full result);
 * header normalisation of valid UTF-8 is idempotent, so a header and its
 * normal form match the same field; whether a text is formula-like does not change when
 * leading spaces are added.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *full, *again, *small, *spaced;
	unsigned opts;
	size_t n, m, cap;

	if (size < 1)
		return 0;
	opts = data[0] & 0x3fu;
	cap = 1 + (data[0] >> 6) * 3;
	s = fuzz_strdup(data + 1, size - 1);
	full = malloc(strlen(s) + 1);
	again = malloc(strlen(s) + 1);
	small = malloc(cap);
	spaced = malloc(strlen(s) + 3);
	FUZZ_CHECK(full && again && small && spaced);

	n = cell_normalize(s, opts, full, strlen(s) + 1);
	FUZZ_CHECK(n == strlen(full) && n <= strlen(s));
	if (fuzz_utf8_ok((const unsigned char *)s, strlen(s))) {
		FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)full, n));
		m = cell_normalize(s, opts, small, cap);
		FUZZ_CHECK(m == strlen(small) && m < cap);
		FUZZ_CHECK(strncmp(small, full, m) == 0);
		FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)small, m));
	}
	/* cells reach it from the sheet reader, always valid UTF-8 */
	if (opts == CELL_NORM_HEADER && fuzz_utf8_ok((const unsigned char *)s, strlen(s))) {
		cell_normalize(full, opts, again, strlen(s) + 1);
		FUZZ_CHECK(strcmp(again, full) == 0);
		if (strlen(s) < 512)	/* HEADER_MAX: longer header cells match nothing, by design */
			FUZZ_CHECK(header_match(people_headers, s) ==
				   header_match(people_headers, full));
	}
	snprintf(spaced, strlen(s) + 3, "  %s", s);
	FUZZ_CHECK(!!cell_is_formula_like(spaced) == !!cell_is_formula_like(s));
	free(s);
	free(full);
	free(again);
	free(small);
	free(spaced);
	return 0;
}
