/* fuzz_json.c - fuzz target: request bodies through req_json (jansson, duplicate keys refused) and json_check field tables. */
#include "fuzz.h"
#include "../../src/base/arena.h"
#include "../../src/base/date.h"
#include "../../src/base/json.h"
#include "../../src/http/http.h"

/* Tables shaped like the modules' (meetings, people, finance): every type, bound and flag. */
static const struct json_field meeting_fields[] = {
	{ "title", JF_STRING, 1, 0, 1, 100, "会议主题" },
	{ "held_on", JF_DATE, 1, 0, 0, 0, "召开日期" },
	{ "type", JF_STRING, 1, 0, 0, 32, "会议类型" },
	{ "attendees", JF_ARRAY, 0, 0, 0, 500, "参会人员" },
	{ "minutes", JF_STRING, 0, 1, 0, 20000, "会议记录" },
	{ "version", JF_INT, 0, 0, 1, 1000000, "版本" },
	{ "online", JF_BOOL, 0, 0, 0, 0, "线上会议" },
	{ "files", JF_ARRAY, 0, 1, 0, 20, "附件" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};
static const struct json_field person_fields[] = {
	{ "name", JF_STRING, 1, 0, 2, 20, "姓名" },
	{ "id_card", JF_STRING, 0, 1, 18, 18, "身份证号" },
	{ "birth_date", JF_DATE, 0, 1, 0, 0, "出生日期" },
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "所在组织" },
	{ "extra", JF_OBJECT, 0, 1, 0, 0, "其他" },
	{ "score", JF_INT, 0, 0, -100, 100, "分数" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};
static const struct json_field *const tables[] = { meeting_fields, person_fields };

/*
 * The first byte picks a table and partial mode; the rest is the body.
 * Properties: req_json gives an object or NULL with a 400 field error on
 * "body"; json_check returns 0 exactly when it recorded no problem; when it
 * passes, no unknown key is present, every required field is present (unless
 * partial), and each string's trimmed text (json_str_trim - what a handler
 * stores) is within the row's maximum length, each date parses, each integer
 * is in range.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct json_field *fields;
	struct zb_fail f;
	struct req r;
	struct arena a;
	json_t *body;
	int partial, rc;

	if (size < 1)
		return 0;
	fields = tables[data[0] % 2];
	partial = (data[0] >> 1) & 1;
	memset(&r, 0, sizeof(r));
	r.body = fuzz_strdup(data + 1, size - 1);
	r.body_len = size - 1;
	r.body_type = data[0] & 4 ? "application/json; charset=utf-8" : "application/json";
	zb_fail_init(&f);
	body = req_json(&r, &f);
	if (body == NULL) {
		FUZZ_CHECK(f.err == ZB_EVALIDATION && json_object_get(f.fields, "body") != NULL);
		zb_fail_release(&f);
		free((char *)r.body);
		return 0;
	}
	FUZZ_CHECK(json_is_object(body) && f.err == ZB_OK);
	rc = json_check(body, fields, partial, &f);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK((rc == 0) == (f.err == ZB_OK && f.fields == NULL));
	if (rc == 0) {
		const char *key;
		json_t *v;

		json_object_foreach(body, key, v) {
			int known = 0;

			for (const struct json_field *jf = fields; jf->name; jf++)
				known |= strcmp(jf->name, key) == 0;
			FUZZ_CHECK(known);
		}
		arena_init(&a, 0);
		for (const struct json_field *jf = fields; jf->name; jf++) {
			v = json_object_get(body, jf->name);
			if (v == NULL) {
				FUZZ_CHECK(!jf->required || partial);
				continue;
			}
			if (json_is_null(v)) {
				FUZZ_CHECK(jf->nullable);
				continue;
			}
			if (jf->type == JF_STRING) {
				const char *t = json_str_trim(&a, body, jf->name, NULL);

				FUZZ_CHECK(t != NULL || !jf->required);
				if (t != NULL && jf->max > 0)
					FUZZ_CHECK((int64_t)utf8_len(t) <= jf->max);
				if (t != NULL && jf->min > 0)
					FUZZ_CHECK((int64_t)utf8_len(t) >= jf->min);
			} else if (jf->type == JF_DATE) {
				const char *t = json_str_trim(&a, body, jf->name, NULL);

				FUZZ_CHECK(t == NULL || date_parse_iso(json_string_value(v), NULL) == 0);
			} else if (jf->type == JF_INT) {
				FUZZ_CHECK(json_is_integer(v));
				FUZZ_CHECK(json_integer_value(v) >= jf->min &&
					   json_integer_value(v) <= jf->max);
			}
		}
		arena_release(&a);
	}
	json_decref(body);
	zb_fail_release(&f);
	free((char *)r.body);
	return 0;
}
