/* fuzz_audit.c - fuzz target: the audit-chain verifier over rows tampered with in fuzzed ways (SQLite in memory). */
#include <inttypes.h>

#include "fuzz.h"
#include "../../src/auth/audit.h"

#define NROWS 8

/* Built once: a migrated database with NROWS chained rows, and its fingerprint. */
struct world {
	struct db *db;
	struct keys keys;
	char *clean;
};

static const char SQL_PRINT[] =
	"SELECT COALESCE(group_concat(x, '|'), '') || '#' ||"
	" (SELECT quote(seq) || ',' || quote(hash) FROM audit_head WHERE id = 1) FROM ("
	" SELECT quote(seq) || ',' || quote(at) || ',' || COALESCE(user_id, 0) || ',' ||"
	" quote(username) || ',' || quote(ip) || ',' || quote(request_id) || ',' ||"
	" quote(entity) || ',' || COALESCE(entity_id, 0) || ',' || quote(action) || ',' ||"
	" quote(before_json) || ',' || quote(after_json) || ',' || quote(prev_hash) || ',' ||"
	" quote(hash) AS x FROM audit_log ORDER BY seq)";

/* Every column a tamperer may set: text ones first, then the integers. */
static const char *const text_cols[] = {
	"at", "username", "ip", "request_id", "entity", "action", "before_json", "after_json",
	"prev_hash", "hash",
};
static const char *const int_cols[] = { "seq", "user_id", "entity_id" };

/* The fingerprint of the log and its head as text (caller frees): equal iff nothing the verifier reads differs. */
static char *fingerprint(struct db *db)
{
	struct db_stmt *st = db_prepare(db, SQL_PRINT);
	char *s;

	FUZZ_CHECK(st != NULL);
	FUZZ_CHECK(db_step(st) == DB_ROW);
	s = strdup(db_col_text(st, 0) ? db_col_text(st, 0) : "");
	FUZZ_CHECK(s != NULL);
	db_finalize(st);
	return s;
}

static struct world *world_get(void)
{
	static struct world *w;
	struct audit_who who = { 7, "张三", "127.0.0.1", "0123456789abcdef" };

	if (w != NULL)
		return w;
	w = calloc(1, sizeof(*w));
	FUZZ_CHECK(w != NULL);
	FUZZ_CHECK(db_open(":memory:", &w->db) == DB_OK);
	FUZZ_CHECK(db_migrate(w->db, NULL) > 0);
	memset(&w->keys, 0x5a, sizeof(w->keys));
	for (int i = 0; i < NROWS; i++) {
		json_t *before = json_pack("{s:s, s:i}", "name", "旧名称", "n", i);
		json_t *after = json_pack("{s:s, s:i}", "name", "新名称", "n", i + 1);

		FUZZ_CHECK(db_begin(w->db) == DB_OK);
		FUZZ_CHECK(audit_append(w->db, &w->keys, &who, i % 2 ? "org" : "person", 100 + i,
					"update", i % 3 ? before : NULL, i % 4 ? after : NULL) == DB_OK);
		FUZZ_CHECK(db_commit(w->db) == DB_OK);
		json_decref(before);
		json_decref(after);
	}
	w->clean = fingerprint(w->db);
	return w;
}

/* A short string taken from the input (up to 24 bytes, stops at its end); advances. */
static char *take_text(const uint8_t **p, size_t *left)
{
	size_t n = *left ? **p % 25 : 0;
	char *s;

	if (*left) {
		(*p)++;
		(*left)--;
	}
	if (n > *left)
		n = *left;
	s = fuzz_strdup(*p, n);
	*p += n;
	*left -= n;
	return s;
}

/*
 * Each input is a list of tamperings, three bytes each plus any text:
 * (op, row, arg). op % 6: set a text column, set an integer column, delete a
 * row, copy a row under another seq, move the head, swap two rows' seq.
 * They run inside a transaction rolled back afterwards.
 * Property: the verifier reports no problem exactly when the log reads the
 * same as before (by the fingerprint), and at least one otherwise.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world *w = world_get();
	const uint8_t *p = data;
	size_t left = size;
	char sql[256], *now;
	int problems;
	int64_t rows;
	FILE *devnull;

	FUZZ_CHECK(db_begin(w->db) == DB_OK);
	for (int ops = 0; left >= 3 && ops < 8; ops++) {
		unsigned op = p[0] % 6, row = 1u + p[1] % (NROWS + 1), arg = p[2];
		int64_t v = (int64_t)(int8_t)p[2];
		char *t;

		p += 3;
		left -= 3;
		switch (op) {
		case 0:
			t = take_text(&p, &left);
			snprintf(sql, sizeof(sql), "UPDATE audit_log SET %s = ? WHERE seq = ?",
				 text_cols[arg % 10]);
			/* before_json / after_json may also become NULL */
			(void)db_run(w->db, sql, "si", arg >= 128 && arg % 10 >= 6 && arg % 10 <= 7 ?
				     NULL : t, (int64_t)row);
			free(t);
			break;
		case 1:
			snprintf(sql, sizeof(sql), "UPDATE audit_log SET %s = ? WHERE seq = ?",
				 int_cols[arg % 3]);
			(void)db_run(w->db, sql, "ii", v, (int64_t)row);
			break;
		case 2:
			(void)db_run(w->db, "DELETE FROM audit_log WHERE seq = ?", "i", (int64_t)row);
			break;
		case 3:
			(void)db_run(w->db,
				     "INSERT INTO audit_log (seq, at, user_id, username, ip, request_id,"
				     " entity, entity_id, action, before_json, after_json, prev_hash, hash)"
				     " SELECT ?, at, user_id, username, ip, request_id, entity, entity_id,"
				     " action, before_json, after_json, prev_hash, hash FROM audit_log"
				     " WHERE seq = ?", "ii", v, (int64_t)row);
			break;
		case 4:
			(void)db_run(w->db, "UPDATE audit_head SET seq = ?, hash = COALESCE((SELECT hash"
				     " FROM audit_log WHERE seq = ?), hash) WHERE id = 1", "ii",
				     (int64_t)(arg % (NROWS + 2)), (int64_t)row);
			break;
		default:
			(void)db_run(w->db, "UPDATE audit_log SET seq = -seq WHERE seq IN (?, ?)", "ii",
				     (int64_t)row, (int64_t)(1 + arg % NROWS));
			(void)db_run(w->db, "UPDATE audit_log SET seq = CASE WHEN seq = -? THEN ? ELSE ? END"
				     " WHERE seq < 0", "iii", (int64_t)row, (int64_t)(1 + arg % NROWS),
				     (int64_t)row);
			break;
		}
	}
	now = fingerprint(w->db);
	devnull = fopen("/dev/null", "w");
	FUZZ_CHECK(devnull != NULL);
	problems = audit_verify(w->db, &w->keys, devnull, &rows);
	fclose(devnull);
	FUZZ_CHECK(problems >= 0);
	if (strcmp(now, w->clean) == 0)
		FUZZ_CHECK(problems == 0);
	else
		FUZZ_CHECK(problems > 0);
	free(now);
	FUZZ_CHECK(db_rollback(w->db) == DB_OK);
	return 0;
}
