/* fuzz_date.c - fuzz target: ISO dates (date_parse_iso) and spreadsheet dates (cell_parse_date), with round trips. */
#include "fuzz.h"
#include "../../src/base/cellvalue.h"
#include "../../src/base/date.h"

/*
 * Properties: a date that parses formats back to the very same text and
 * survives the day-number round trip; whatever cell_parse_date accepts is a
 * valid date within 1900-2200, and from 1900-03-01 on its Excel serial maps
 * back to the same date.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);
	struct ymd d, e;
	char out[11];
	unsigned how = 0;

	if (date_parse_iso(s, &d) == 0) {
		FUZZ_CHECK(date_valid(d.y, d.m, d.d));
		FUZZ_CHECK(d.y >= 1900 && d.y <= 2200);
		date_format(d, out);
		FUZZ_CHECK(strcmp(out, s) == 0);
		e = date_from_days(date_to_days(d));
		FUZZ_CHECK(e.y == d.y && e.m == d.m && e.d == d.d);
	}
	for (int serial = 0; serial < 2; serial++) {
		if (cell_parse_date(s, serial, &d, &how) == NULL) {
			long n;

			FUZZ_CHECK(date_valid(d.y, d.m, d.d));
			FUZZ_CHECK(d.y >= 1900 && d.y <= 2200);
			n = cell_date_to_serial(d);
			if (n > 0) {
				FUZZ_CHECK(cell_date_from_serial(n, &e) == NULL);
				FUZZ_CHECK(e.y == d.y && e.m == d.m && e.d == d.d);
			}
		}
	}
	free(s);
	return 0;
}
