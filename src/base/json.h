/* json.h - strict validation of JSON request bodies against a field table, and small helpers. */
#ifndef ZB_JSON_H
#define ZB_JSON_H

#include <stdint.h>
#include <jansson.h>
#include "err.h"

enum jf_type {
	JF_STRING,	/* UTF-8 string, length in characters checked against min/max */
	JF_INT,		/* integer (not real, not bool) checked against min/max */
	JF_BOOL,
	JF_DATE,	/* "YYYY-MM-DD", a real calendar date */
	JF_OBJECT,
	JF_ARRAY,
};

/*
 * One accepted field of a body. `label` is the Chinese name used in messages
 * ("名称不能为空"). For JF_STRING min/max are character counts; for JF_INT the
 * value range. A field absent from the table is refused as unknown.
 * `nullable` lets JSON null through (meaning "clear"). The table ends with a
 * row whose name is NULL.
 */
struct json_field {
	const char *name;
	enum jf_type type;
	int required;
	int nullable;
	int64_t min;
	int64_t max;
	const char *label;
};

/*
 * Check `body` (must be an object) against `fields`. Every problem is added
 * to `f` as a field error in Chinese: unknown field, missing required field,
 * wrong type, out of range, bad date, empty string after trim when required.
 * `partial` = 1 skips the required check (PATCH-like updates).
 * Returns 0 when clean, -1 otherwise.
 */
int json_check(const json_t *body, const struct json_field *fields, int partial,
	       struct zb_fail *f);

/* Accessors that return a default when the key is missing or null. */
const char *json_str(const json_t *obj, const char *key, const char *dflt);
int64_t json_int(const json_t *obj, const char *key, int64_t dflt);
int json_has(const json_t *obj, const char *key);	/* present and not null */

/*
 * The string at key with leading and trailing white space removed (ASCII and
 * the Unicode spaces json_check ignores), copied into the arena. A missing,
 * null, non-string or all-blank value gives dflt: blank optional text means
 * "none", and what is stored is what was checked.
 */
struct arena;
const char *json_str_trim(struct arena *a, const json_t *obj, const char *key, const char *dflt);

/* Number of Unicode code points in a UTF-8 string (jansson guarantees validity). */
size_t utf8_len(const char *s);

/*
 * Append s to b as a JSON string literal, as jansson writes it compactly:
 * UTF-8 passed through, '"', '\\' and control characters escaped; NULL
 * writes null. Text that is not valid UTF-8 fails b (b->err) instead. For answers written directly, without building a tree
 * (the org tree of a county: hundreds of objects per request).
 */
struct buf;
void json_put_string(struct buf *b, const char *s);

/*
 * Append j to b as compact JSON: byte for byte what jansson's
 * json_dump_callback(j, ..., JSON_COMPACT | JSON_ENCODE_ANY) writes, at a
 * fraction of the cost (jansson records every object and array it enters in
 * a table to detect cycles, and hands the output over in small pieces).
 * zhibu builds trees, never cycles; nesting deeper than JSON_WRITE_DEPTH is
 * refused all the same. 0, or -1 when b failed (b->err), a real is infinite
 * or NaN, or j is NULL; b then holds a partial text the caller discards.
 */
#define JSON_WRITE_DEPTH 2048
int json_write(struct buf *b, const json_t *j);
/* The same with every object's keys sorted: what JSON_SORT_KEYS adds (the audit images). */
int json_write_sorted(struct buf *b, const json_t *j);

#endif
