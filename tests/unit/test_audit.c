/* test_audit.c - the HMAC-SM3 audit chain: append, verify, and detection of edits, deletions and a forged tail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/auth/audit.h"
#include "testdb.h"

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
	struct keys keys;
	char *report;
	size_t report_len;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(TESTDB_MAKE(f, "audit", "a.db", 1), 0);
	random_bytes(&f->keys, sizeof(f->keys));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->report);
	assert_int_equal(TESTDB_DROP(f), 0);
	free(f);
	return 0;
}

/* Append n rows, each in its own transaction, the way handlers do. */
static void append_rows(struct fx *f, int n)
{
	struct audit_who who = { 7, "张三", "127.0.0.1", "0123456789abcdef" };

	for (int i = 0; i < n; i++) {
		json_t *before = json_pack("{s:s, s:i}", "name", "旧名称", "n", i);
		json_t *after = json_pack("{s:s, s:i}", "name", "新名称", "n", i + 1);
		assert_int_equal(db_begin(f->db), DB_OK);
		assert_int_equal(audit_append(f->db, &f->keys, &who, "org", 100 + i, "update",
					      i % 3 ? before : NULL, after), DB_OK);
		assert_int_equal(db_commit(f->db), DB_OK);
		json_decref(before);
		json_decref(after);
	}
}

/* Run the verifier, keeping its report in f->report. */
static int verify(struct fx *f, int64_t *rows)
{
	FILE *mem;
	int n;

	free(f->report);
	f->report = NULL;
	mem = open_memstream(&f->report, &f->report_len);
	n = audit_verify(f->db, &f->keys, mem, rows);
	fclose(mem);
	return n;
}

static void test_intact_chain_verifies(void **state)
{
	struct fx *f = *state;
	int64_t rows = 0, seq = 0;

	assert_int_equal(verify(f, &rows), 0);
	assert_int_equal(rows, 0);
	append_rows(f, 10);
	assert_int_equal(verify(f, &rows), 0);
	assert_int_equal(rows, 10);
	assert_string_equal(f->report, "");
	assert_int_equal(db_query_int(f->db, &seq, "SELECT seq FROM audit_head", ""), DB_ROW);
	assert_int_equal(seq, 10);
}

static void test_rows_link_to_their_predecessor(void **state)
{
	struct fx *f = *state;
	int64_t linked = 0;

	append_rows(f, 5);
	assert_int_equal(db_query_int(f->db, &linked,
		"SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1"
		" WHERE b.prev_hash = a.hash", ""), DB_ROW);
	assert_int_equal(linked, 4);
}

static void test_edited_row_is_named(void **state)
{
	struct fx *f = *state;

	append_rows(f, 6);
	assert_int_equal(db_run(f->db, "UPDATE audit_log SET after_json = ? WHERE seq = 4", "s",
				"{\"name\":\"伪造\"}"), DB_OK);
	assert_int_equal(verify(f, NULL), 1);
	assert_non_null(strstr(f->report, "seq 4 "));
	assert_non_null(strstr(f->report, "内容被修改"));
}

static void test_every_field_is_covered(void **state)
{
	struct fx *f = *state;
	static const char *const edits[] = {
		"UPDATE audit_log SET at = '2000-01-01T00:00:00Z' WHERE seq = 2",
		"UPDATE audit_log SET user_id = 8 WHERE seq = 2",
		"UPDATE audit_log SET username = 'x' WHERE seq = 2",
		"UPDATE audit_log SET ip = '10.0.0.1' WHERE seq = 2",
		"UPDATE audit_log SET request_id = 'x' WHERE seq = 2",
		"UPDATE audit_log SET entity = 'user' WHERE seq = 2",
		"UPDATE audit_log SET entity_id = 1 WHERE seq = 2",
		"UPDATE audit_log SET action = 'delete' WHERE seq = 2",
		"UPDATE audit_log SET before_json = NULL WHERE seq = 2",
		"UPDATE audit_log SET after_json = '{}' WHERE seq = 2",
	};

	append_rows(f, 3);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		assert_int_equal(db_exec(f->db, "SAVEPOINT e"), DB_OK);
		assert_int_equal(db_exec(f->db, edits[i]), DB_OK);
		assert_true(verify(f, NULL) >= 1);
		assert_non_null(strstr(f->report, "seq 2 "));
		assert_int_equal(db_exec(f->db, "ROLLBACK TO e"), DB_OK);
		assert_int_equal(db_exec(f->db, "RELEASE e"), DB_OK);
		assert_int_equal(verify(f, NULL), 0);
	}
}

static void test_deleted_middle_row_is_named(void **state)
{
	struct fx *f = *state;

	append_rows(f, 6);
	assert_int_equal(db_exec(f->db, "DELETE FROM audit_log WHERE seq = 3"), DB_OK);
	assert_true(verify(f, NULL) >= 1);
	assert_non_null(strstr(f->report, "seq 3-3 缺失"));
}

static void test_deleted_tail_is_detected(void **state)
{
	struct fx *f = *state;

	append_rows(f, 4);
	assert_int_equal(db_exec(f->db, "DELETE FROM audit_log WHERE seq = 4"), DB_OK);
	assert_int_equal(verify(f, NULL), 1);
	assert_non_null(strstr(f->report, "审计链末端不符"));
}

static void test_wrong_key_fails_every_row(void **state)
{
	struct fx *f = *state;

	append_rows(f, 3);
	f->keys.audit[0] ^= 1;
	assert_int_equal(verify(f, NULL), 3);
}

static void test_rewritten_chain_without_key_is_detected(void **state)
{
	struct fx *f = *state;

	/* An attacker who recomputes a plain SM3 chain still lacks the HMAC key. */
	append_rows(f, 3);
	assert_int_equal(db_run(f->db, "UPDATE audit_log SET hash = ? WHERE seq = 3", "s",
				"0000000000000000000000000000000000000000000000000000000000000001"), DB_OK);
	assert_int_equal(db_run(f->db, "UPDATE audit_head SET hash = ?", "s",
				"0000000000000000000000000000000000000000000000000000000000000001"), DB_OK);
	assert_int_equal(verify(f, NULL), 1);
	assert_non_null(strstr(f->report, "seq 3 "));
}

static void test_rolled_back_write_leaves_no_gap(void **state)
{
	struct fx *f = *state;
	struct audit_who who = { 0, "system", "", "" };

	append_rows(f, 2);
	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(audit_append(f->db, &f->keys, &who, "org", 1, "create", NULL, NULL), DB_OK);
	assert_int_equal(db_rollback(f->db), DB_OK);
	append_rows(f, 1);
	assert_int_equal(verify(f, NULL), 0);
}

/* A small deterministic generator for the image-text comparison. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* Random bytes from pieces that stress escaping, UTF-8 checks and key order. */
static size_t rnd_text(char *out, size_t cap)
{
	static const char *const good[] = {
		"a", "b", "ab", "Z", "0", " ", "/", "\"", "\\", "\b", "\f", "\n", "\r", "\t",
		"\x01", "\x1f", "\x7f", "é", "中文", "党", "\xf0\x9f\x98\x80",	/* U+1F600 */
		"\xef\xbf\xbf", "\xe2\x80\xa8",				/* U+FFFF, U+2028 */
	};
	static const char *const bad[] = {	/* ill-formed UTF-8 */
		"\x80", "\xc0\x80", "\xc1\xbf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xc3", "\xe4\xb8", "\xff", "\xf5\x80\x80\x80",
	};
	size_t n = 0, parts = rnd(6);

	for (size_t i = 0; i < parts; i++) {
		const char *p = rnd(400) ? good[rnd(sizeof(good) / sizeof(good[0]))]
					 : bad[rnd(sizeof(bad) / sizeof(bad[0]))];
		size_t l = strlen(p);

		if (n + l >= cap)
			break;
		memcpy(out + n, p, l);
		n += l;
	}
	out[n] = '\0';
	return n;
}

static json_t *rnd_json(int depth)
{
	static const json_int_t ints[] = { 0, 1, -1, 42, 9007199254740993LL, INT64_MAX, INT64_MIN };
	static const double reals[] = { 0.5, -2.0, 1e300, 3.141592653589793, 100.0 };
	char text[64];
	size_t n;

	switch (rnd(depth > 3 ? 6 : 8)) {
	case 0: return json_null();
	case 1: return rnd(2) ? json_true() : json_false();
	case 2: return json_integer(rnd(3) ? (json_int_t)rnd(100000) - 50000 : ints[rnd(7)]);
	case 3:	/* a real sends the whole document to jansson: keep them rare */
		return rnd(40) ? json_integer((json_int_t)rnd(10)) : json_real(reals[rnd(5)]);
	case 4:
	case 5:
		n = rnd_text(text, sizeof(text));
		return json_stringn_nocheck(text, n);
	case 6: {
		json_t *a = json_array();
		unsigned len = rnd(5);

		for (unsigned i = 0; i < len; i++)
			json_array_append_new(a, rnd_json(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		unsigned len = rnd(12);

		for (unsigned i = 0; i < len; i++) {
			n = rnd_text(text, sizeof(text));
			json_object_setn_new_nocheck(o, text, n, rnd_json(depth + 1));
		}
		if (rnd(50) == 0)
			json_object_setn_new_nocheck(o, "k\0nul", 5, json_null());
		return o;
	}
	}
}

/*
 * The stored image text is jansson's json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS) byte for byte, NULL where jansson gives NULL (ill-formed
 * UTF-8), for generated documents and for a person-like image.
 */
static void test_image_text_is_jansson(void **state)
{
	json_t *person = json_pack("{s:s, s:s, s:i, s:b, s:n, s:s, s:s}", "name", "石明",
				   "birth_date", "1964-08-14", "org_id", 1, "has_photo", 0,
				   "archived_reason", "id_number_masked", "1501**********0289",
				   "phone_masked", "185****0013");
	int texts = 0, nulls = 0;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		json_t *v = i ? NULL : json_incref(person);

		while (!json_is_object(v) && !json_is_array(v)) {	/* json_dumps needs one */
			json_decref(v);
			v = rnd_json(0);
		}
		char *mine = audit_image_text(v);
		char *want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

		if (want) {
			assert_non_null(mine);
			assert_string_equal(mine, want);
			texts++;
		} else {
			assert_null(mine);
			nulls++;
		}
		free(mine);
		free(want);
		json_decref(v);
	}
	assert_null(audit_image_text(NULL));
	/* both kinds of case were met */
	print_message("image texts compared: %d equal, %d NULL in both\n", texts, nulls);
	assert_true(texts > 5000);
	assert_true(nulls > 100);
	json_decref(person);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intact_chain_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_link_to_their_predecessor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited_row_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_field_is_covered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_middle_row_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_tail_is_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key_fails_every_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_chain_without_key_is_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rolled_back_write_leaves_no_gap, setup, teardown),
		cmocka_unit_test(test_image_text_is_jansson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
