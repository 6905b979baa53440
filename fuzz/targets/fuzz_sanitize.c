/* fuzz_sanitize.c - fuzz target: the disclosure rich-text sanitiser, its plain-text view, the line diff and the personal-data guard. */
#include <jansson.h>

#include "fuzz.h"
#include "../../src/base/buf.h"
#include "../../src/base/err.h"
#include "../../src/modules/disclosure/disclosure_internal.h"

static const char *const tags[] = {
	"p", "br", "strong", "em", "ul", "ol", "li", "table", "tr", "td", "th", "h3", "h4",
};

/* Length of the allowed tag "<name>" / "</name>" at s, 0 when s does not start one. */
static size_t allowed_tag_at(const char *s)
{
	size_t off = s[1] == '/' ? 2 : 1;

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t n = strlen(tags[i]);

		if (strncmp(s + off, tags[i], n) == 0 && s[off + n] == '>')
			return off + n + 1;
	}
	return 0;
}

/* Length of the entity at s ("&amp;", "&#123;", "&#x1F;"): '&', letters, digits or '#', ';'. 0 when none. */
static size_t entity_at(const char *s)
{
	size_t i = 1;

	while ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
	       (s[i] >= 'A' && s[i] <= 'Z') || (i == 1 && s[i] == '#'))
		i++;
	return i > 2 && s[i] == ';' ? i + 1 : 0;
}

/* The lines of text joined by '\n' from the diff entries whose op is `a` or `b`. */
static char *diff_side(const json_t *diff, char a, char b)
{
	struct buf out;
	size_t i, n = 0;
	json_t *e;

	buf_init(&out, 0);
	json_array_foreach(diff, i, e) {
		const char *op = json_string_value(json_object_get(e, "op"));

		if (op[0] == a || op[0] == b) {
			if (n++)
				buf_putc(&out, '\n');
			buf_puts(&out, json_string_value(json_object_get(e, "text")));
		}
	}
	buf_putc(&out, '\0');
	FUZZ_CHECK(!out.err);
	return buf_detach(&out);
}

/*
 * Properties of the sanitiser: its output is a fixed point (sanitising it
 * again changes nothing); every '<' in it opens an allowed tag written
 * without attributes, every '&' an entity, and no quote survives raw; no
 * control character other than tab and newline survives. The diff of two
 * UTF-8 texts (the input split at its first NUL byte) gives back each side;
 * a diff is refused (NULL) only for text that is not UTF-8. The
 * personal-data guard's count matches the field errors it adds.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);
	struct buf once, twice, plain;
	struct zb_fail f;
	int found;

	buf_init(&once, 0);
	buf_init(&twice, 0);
	buf_init(&plain, 0);
	disclosure_sanitize(s, &once);
	buf_putc(&once, '\0');
	FUZZ_CHECK(!once.err);
	disclosure_sanitize(once.data, &twice);
	buf_putc(&twice, '\0');
	FUZZ_CHECK(!twice.err);
	FUZZ_CHECK(strcmp(once.data, twice.data) == 0);
	for (const char *p = once.data; *p; p++) {
		unsigned char c = (unsigned char)*p;

		FUZZ_CHECK(c != '>' && c != '"' && c != '\'');
		FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n');
		FUZZ_CHECK(c != 0x7f);
		if (c == '<') {
			size_t n = allowed_tag_at(p);

			FUZZ_CHECK(n > 0);
			p += n - 1;
		} else if (c == '&') {
			size_t n = entity_at(p);

			FUZZ_CHECK(n > 0);
			p += n - 1;
		}
	}
	disclosure_plain_text(once.data, &plain);
	FUZZ_CHECK(!plain.err);

	zb_fail_init(&f);
	found = disclosure_pii_scan(s, "body", "正文", &f);
	FUZZ_CHECK(found >= 0);
	FUZZ_CHECK((found > 0) == (f.fields != NULL));
	zb_fail_release(&f);

	/* the diff of the part before the first NUL and the part after it */
	if (size < 4096) {
		const char *a = s;
		const char *b = memchr(data, '\0', size) ? s + strlen(s) + 1 : "";
		json_t *diff = disclosure_text_diff(a, b);
		json_t *ja = json_string(a), *jb = json_string(b);

		/* NULL only for text that is not UTF-8 (never the case for checked input) */
		FUZZ_CHECK(diff != NULL || ja == NULL || jb == NULL);
		if (diff != NULL && ja != NULL && jb != NULL) {	/* no line may be lost */
			char *ra = diff_side(diff, '=', '-'), *rb = diff_side(diff, '=', '+');

			FUZZ_CHECK(strcmp(ra, a) == 0);
			FUZZ_CHECK(strcmp(rb, b) == 0);
			free(ra);
			free(rb);
		}
		json_decref(ja);
		json_decref(jb);
		json_decref(diff);
	}
	buf_release(&once);
	buf_release(&twice);
	buf_release(&plain);
	free(s);
	return 0;
}
