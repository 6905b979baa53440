/* fuzz_markup.c - fuzz target: the markup and control-character checks on public request text (src/modules/grid). */
#include <strings.h>

#include "fuzz.h"
#include "../../src/base/err.h"
#include "../../src/modules/grid/grid.h"
#include "../../src/modules/grid/grid_internal.h"

/* A second, plainly written reading of "has markup": '<' before a letter, '/', '!' or '?', or "javascript:" in any case. */
static int reference_markup(const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		char c = s[i + 1];

		if (s[i] == '<' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' ||
				    c == '!' || c == '?'))
			return 1;
		if (strncasecmp(s + i, "javascript:", 11) == 0)
			return 1;
	}
	return 0;
}

/*
 * Properties: text_has_markup agrees with the reference reading above;
 * grid_text_check refuses (one field error) exactly the texts with markup
 * or control characters; upper-casing ASCII never hides markup.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);
	struct zb_fail f;
	int markup = text_has_markup(s), control = text_has_control(s);

	FUZZ_CHECK(markup == reference_markup(s));
	zb_fail_init(&f);
	grid_text_check(&f, "content", "内容", s);
	FUZZ_CHECK((f.fields != NULL) == (markup || control));
	zb_fail_release(&f);
	for (size_t i = 0; s[i]; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 'a' + 'A');
	FUZZ_CHECK(text_has_markup(s) == markup);
	free(s);
	return 0;
}
