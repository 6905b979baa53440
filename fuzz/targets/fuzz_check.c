/* fuzz_check.c - fuzz target: ID card, credit code and phone validators and the display masks (src/base/check.h). */
#include <ctype.h>

#include "fuzz.h"
#include "../../src/base/check.h"

/*
 * Properties: an accepted ID card or credit code normalises to the
 * upper-cased input; the normal form is accepted again and normalises to
 * itself; the lower-cased input is accepted too (a typed "x"); an accepted
 * phone is digits and hyphens only; the masks never grow the text.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);
	size_t n = strlen(s);
	char norm[19], again[19], *low, *mask;
	struct ymd birth;
	int male = -1;

	if (idcard_check(s, norm, &birth, &male) == NULL) {
		FUZZ_CHECK(n == 18 && strlen(norm) == 18);
		for (size_t i = 0; i < 18; i++)
			FUZZ_CHECK(norm[i] == (char)toupper((unsigned char)s[i]));
		FUZZ_CHECK(male == 0 || male == 1);
		FUZZ_CHECK(date_valid(birth.y, birth.m, birth.d));
		FUZZ_CHECK(idcard_check(norm, again, NULL, NULL) == NULL);
		FUZZ_CHECK(strcmp(again, norm) == 0);
		low = strdup(norm);
		FUZZ_CHECK(low != NULL);
		for (size_t i = 0; i < 18; i++)
			low[i] = (char)tolower((unsigned char)low[i]);
		FUZZ_CHECK(idcard_check(low, again, NULL, NULL) == NULL);
		FUZZ_CHECK(strcmp(again, norm) == 0);
		free(low);
	}
	if (credit_code_check(s, norm) == NULL) {
		FUZZ_CHECK(n == 18);
		for (size_t i = 0; i < 18; i++)
			FUZZ_CHECK(norm[i] == (char)toupper((unsigned char)s[i]));
		FUZZ_CHECK(credit_code_check(norm, again) == NULL);
		FUZZ_CHECK(strcmp(again, norm) == 0);
	}
	if (phone_check(s) == NULL) {
		FUZZ_CHECK(n >= 7 && n <= 16);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(isdigit((unsigned char)s[i]) || s[i] == '-');
	}
	mask = malloc(n + 1);
	FUZZ_CHECK(mask != NULL);
	mask_idcard(s, mask);
	FUZZ_CHECK(strlen(mask) <= n);
	mask_phone(s, mask);
	FUZZ_CHECK(strlen(mask) <= n);
	free(mask);
	free(s);
	return 0;
}
