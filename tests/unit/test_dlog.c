/* test_dlog.c - the disclosure transparency log on SQLite: append, signed checkpoints, proofs, tamper detection by dlog_verify, and the documented offline procedure run against a real proof. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../../src/modules/disclosure/dlog.h"
#include "../../src/modules/disclosure/disclosure.h"
#include "../../src/auth/crypt.h"
#include "../../src/auth/sm2.h"
#include "../../src/base/merkle.h"
#include "testdb.h"

/*
 * Stub of the disclosure module's leaf bytes: the "published versions" are
 * the rows of a test table, so a test can edit them behind the log's back.
 */
int disclosure_leaf_bytes(struct db *db, int64_t version_id, struct buf *out)
{
	struct db_stmt *st = db_prepare(db, "SELECT body FROM stub_versions WHERE id = ?");
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, version_id);
	rc = db_step(st);
	if (rc == DB_ROW)
		buf_puts(out, db_col_text(st, 0));
	db_finalize(st);
	return rc == DB_ROW ? DB_OK : rc == DB_DONE ? DB_ENOTFOUND : rc;
}

struct fx {
	char dir[64];
	char path[128];
	char sign[128];
	struct db *db;
	struct app app;
	char *report;
	size_t report_len;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/zhibu-test-dlog-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/d.db", f->dir);
	snprintf(f->sign, sizeof(f->sign), "%s/d.key.sign.pem", f->dir);
	f->app.cfg.signing_key = f->sign;
	/* ZHIBU_TEST_PG_URL runs the same tests on a PostgreSQL database it empties first */
	if (getenv("ZHIBU_TEST_PG_URL") && *getenv("ZHIBU_TEST_PG_URL")) {
		assert_int_equal(db_open(getenv("ZHIBU_TEST_PG_URL"), &f->db), DB_OK);
		assert_int_equal(db_exec(f->db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"), DB_OK);
	} else {
		assert_int_equal(db_open(f->path, &f->db), DB_OK);
	}
	assert_true(db_migrate(f->db, NULL) > 0);
	assert_int_equal(db_exec(f->db, "CREATE TABLE stub_versions (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"), DB_OK);
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

/* Publish version `id` with `body`: the stub row and its leaf, in one transaction. Returns the index. */
static int64_t publish(struct fx *f, int64_t id, const char *body)
{
	int64_t idx;

	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_run(f->db, "INSERT INTO stub_versions (id, body) VALUES (?, ?)", "is", id, body), DB_OK);
	idx = dlog_append(f->db, id, body, strlen(body));
	assert_true(idx >= 0);
	assert_int_equal(db_commit(f->db), DB_OK);
	return idx;
}

static void publish_n(struct fx *f, int from, int to)
{
	char body[128];

	for (int i = from; i < to; i++) {
		snprintf(body, sizeof(body), "{\"title\":\"第%d号公开\",\"version_id\":%d}", i, 100 + i);
		assert_int_equal(publish(f, 100 + i, body), i);
	}
}

static int verify(struct fx *f)
{
	FILE *mem;
	int n;

	free(f->report);
	f->report = NULL;
	mem = open_memstream(&f->report, &f->report_len);
	n = dlog_verify(f->db, &f->app, mem);
	fclose(mem);
	return n;
}

static int job(struct fx *f, char *detail, size_t cap)
{
	return dlog_checkpoint_job(&f->app, f->db, "2026-11-29", detail, cap);
}

static int64_t count(struct fx *f, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(f->db, &n, sql, ""), DB_ROW);
	return n;
}

static void unhex(const char *s, merkle_hash out)
{
	assert_non_null(s);
	assert_int_equal(hex_decode(s, out, MERKLE_HASH_LEN), MERKLE_HASH_LEN);
}

/* Check a proof JSON in C the way an outside verifier would. */
static void check_proof(json_t *p, int expect_ok)
{
	merkle_hash leaf, root, path[MERKLE_MAX_PROOF];
	unsigned char bytes[512];
	json_t *a = json_object_get(p, "audit_path");
	size_t len = json_array_size(a);
	int n;

	n = base64_decode(json_string_value(json_object_get(p, "leaf")), bytes, sizeof(bytes));
	assert_true(n >= 0);
	merkle_leaf_hash(bytes, (size_t)n, leaf);
	unhex(json_string_value(json_object_get(p, "root")), root);
	for (size_t i = 0; i < len; i++)
		unhex(json_string_value(json_array_get(a, i)), path[i]);
	assert_int_equal(merkle_verify_inclusion((size_t)json_integer_value(json_object_get(p, "leaf_index")),
						 (size_t)json_integer_value(json_object_get(p, "tree_size")),
						 leaf, path, len, root), expect_ok);
}

static void test_append_and_proof(void **state)
{
	struct fx *f = *state;
	json_t *p, *h;

	assert_int_equal(verify(f), 0);	/* the empty log is fine */
	publish_n(f, 0, 5);
	assert_int_equal(count(f, "SELECT size FROM dlog_state"), 5);
	assert_int_equal(dlog_index_of(f->db, 103), 3);
	assert_int_equal(dlog_index_of(f->db, 999), -1);
	/* no checkpoint yet: the proof is against the current tree */
	p = dlog_proof_json(f->db, 3);
	assert_non_null(p);
	assert_true(json_is_null(json_object_get(p, "checkpoint")));
	assert_int_equal(json_integer_value(json_object_get(p, "tree_size")), 5);
	assert_int_equal(json_integer_value(json_object_get(p, "version_id")), 103);
	check_proof(p, 1);
	json_decref(p);
	assert_null(dlog_proof_json(f->db, 5));
	assert_null(dlog_proof_json(f->db, -1));
	h = dlog_head_json(f->db, &f->app);
	assert_int_equal(json_integer_value(json_object_get(h, "size")), 5);
	assert_true(json_is_null(json_object_get(h, "checkpoint")));
	json_decref(h);
	assert_int_equal(verify(f), 0);
	/* an append rolled back leaves no trace */
	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(dlog_append(f->db, 500, "x", 1), 5);
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_int_equal(count(f, "SELECT size FROM dlog_state"), 5);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM dlog_leaves"), 5);
}

static void test_checkpoints(void **state)
{
	struct fx *f = *state;
	char detail[256];
	json_t *p, *c, *cons;
	EVP_PKEY *pub;
	unsigned char sig[SM2_SIG_MAX + 4];
	const char *msg;
	int n;

	publish_n(f, 0, 3);
	assert_int_equal(access(f->sign, F_OK), -1);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	assert_non_null(strstr(detail, "已签署"));
	assert_int_equal(access(f->sign, F_OK), 0);	/* key made on first need */
	/* nothing new, same day: no second checkpoint */
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	assert_non_null(strstr(detail, "未增长"));
	assert_int_equal(count(f, "SELECT COUNT(*) FROM dlog_checkpoints"), 1);
	/* a day later with nothing new: signed again, so readers see the log is alive
	 * (back-dating #1 also breaks its signature: checked at the end) */
	assert_int_equal(db_exec(f->db, "UPDATE dlog_checkpoints SET signed_at = '2020-01-01T00:00:00Z'"), DB_OK);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	assert_non_null(strstr(detail, "已签署"));
	assert_int_equal(count(f, "SELECT COUNT(*) FROM dlog_checkpoints"), 2);
	publish_n(f, 3, 7);
	/* proof for leaf 5: not in the checkpoint of 3 yet */
	p = dlog_proof_json(f->db, 5);
	assert_true(json_is_null(json_object_get(p, "checkpoint")));
	json_decref(p);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM dlog_checkpoints"), 3);
	p = dlog_proof_json(f->db, 1);
	c = json_object_get(p, "checkpoint");
	assert_true(json_is_object(c));
	assert_int_equal(json_integer_value(json_object_get(c, "tree_size")), 7);
	assert_int_equal(json_integer_value(json_object_get(p, "tree_size")), 7);
	assert_string_equal(json_string_value(json_object_get(c, "root")),
			    json_string_value(json_object_get(p, "root")));
	check_proof(p, 1);
	/* the checkpoint's signature verifies with its public key over the documented message */
	pub = sm2_public_from_pem(json_string_value(json_object_get(c, "public_key")));
	assert_non_null(pub);
	msg = json_string_value(json_object_get(c, "message"));
	assert_int_equal(strncmp(msg, "zhibu-dlog-v1\n7\n", 16), 0);
	n = base64_decode(json_string_value(json_object_get(c, "signature")), sig, sizeof(sig));
	assert_true(n > 0);
	assert_int_equal(sm2_verify(pub, NULL, msg, strlen(msg), sig, (size_t)n), 1);
	EVP_PKEY_free(pub);
	json_decref(p);
	/* consistency 3 -> 7 */
	cons = dlog_consistency_json(f->db, 3, 7);
	assert_non_null(cons);
	assert_true(json_array_size(json_object_get(cons, "proof")) > 0);
	json_decref(cons);
	assert_null(dlog_consistency_json(f->db, 0, 7));
	assert_null(dlog_consistency_json(f->db, 5, 3));
	assert_null(dlog_consistency_json(f->db, 3, 8));
	/* the first checkpoint's signature no longer matches its back-dated time */
	assert_int_equal(verify(f), 1);
	assert_non_null(strstr(f->report, "检查点 #1"));
	assert_non_null(strstr(f->report, "签名无效"));
}

static void test_intact_log_verifies(void **state)
{
	struct fx *f = *state;
	char detail[256];

	publish_n(f, 0, 4);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	publish_n(f, 4, 9);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	assert_int_equal(verify(f), 0);
	assert_int_equal(f->report_len, 0);
}

/* A published version edited behind the program's back: named by dlog_verify. */
static void test_tampered_disclosure(void **state)
{
	struct fx *f = *state;
	char detail[256];

	publish_n(f, 0, 6);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	assert_int_equal(db_exec(f->db, "UPDATE stub_versions SET body = '{\"title\":\"改过的标题\"}' WHERE id = 104"), DB_OK);
	assert_int_equal(verify(f), 1);
	assert_non_null(strstr(f->report, "公开版本 104"));
	assert_non_null(strstr(f->report, "不一致"));
	/* and a published version removed */
	assert_int_equal(db_exec(f->db, "DELETE FROM stub_versions WHERE id = 101"), DB_OK);
	assert_int_equal(verify(f), 2);
	assert_non_null(strstr(f->report, "公开版本 101"));
}

/* Leaf rows edited behind the program's back. */
static void test_tampered_leaf(void **state)
{
	struct fx *f = *state;
	char detail[256], sql[512];
	merkle_hash h;
	char hex[65];
	const char *fake = "{\"title\":\"伪造\"}";
	char b64[64];

	publish_n(f, 0, 6);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	/* the hash alone */
	assert_int_equal(db_exec(f->db, "UPDATE dlog_leaves SET leaf_hash = "
				 "'0000000000000000000000000000000000000000000000000000000000000000' WHERE leaf_index = 2"), DB_OK);
	assert_true(verify(f) >= 2);	/* the leaf, and the checkpoint's root */
	assert_non_null(strstr(f->report, "公开版本 102"));
	assert_non_null(strstr(f->report, "叶子哈希与叶子内容不符"));
	assert_non_null(strstr(f->report, "根哈希与日志不符"));
	/* leaf bytes and hash rewritten together, and the version row too: the signed root still catches it */
	merkle_leaf_hash(fake, strlen(fake), h);
	hex_encode(h, 32, hex);
	assert_true(base64_encode((const unsigned char *)fake, strlen(fake), b64, sizeof(b64)) > 0);
	snprintf(sql, sizeof(sql), "UPDATE dlog_leaves SET leaf = '%s', leaf_hash = '%s' WHERE leaf_index = 2", b64, hex);
	assert_int_equal(db_exec(f->db, sql), DB_OK);
	snprintf(sql, sizeof(sql), "UPDATE stub_versions SET body = '%s' WHERE id = 102", fake);
	assert_int_equal(db_exec(f->db, sql), DB_OK);
	assert_int_equal(verify(f), 1);
	assert_non_null(strstr(f->report, "检查点 #1"));
	/* the job refuses to sign over it */
	publish_n(f, 6, 7);
	assert_int_equal(job(f, detail, sizeof(detail)), -1);
	assert_non_null(strstr(detail, "拒绝签名"));
	assert_int_equal(count(f, "SELECT COUNT(*) FROM dlog_checkpoints"), 1);
	/* a leaf deleted */
	assert_int_equal(db_exec(f->db, "DELETE FROM dlog_leaves WHERE leaf_index = 4"), DB_OK);
	assert_true(verify(f) >= 2);
	assert_non_null(strstr(f->report, "第 4-4 条缺失"));
}

static void test_tampered_checkpoint(void **state)
{
	struct fx *f = *state;
	char detail[256];

	publish_n(f, 0, 3);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	publish_n(f, 3, 5);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	assert_int_equal(verify(f), 0);
	/* another key's public key pasted in: the signature fails and the key is not the township's */
	{
		EVP_PKEY *k = sm2_key_generate();
		char *pem = sm2_public_pem(k), sql[1024];
		snprintf(sql, sizeof(sql), "UPDATE dlog_checkpoints SET public_key = '%s' WHERE id = 2", pem);
		assert_int_equal(db_exec(f->db, sql), DB_OK);
		free(pem);
		EVP_PKEY_free(k);
	}
	assert_int_equal(verify(f), 2);
	assert_non_null(strstr(f->report, "检查点 #2 的公钥不是本乡镇"));
	/* a rolled-back (shrunk) log */
	assert_int_equal(db_exec(f->db, "UPDATE dlog_checkpoints SET tree_size = 9 WHERE id = 1"), DB_OK);
	assert_true(verify(f) >= 3);
	assert_non_null(strstr(f->report, "日志被截断"));
}

/* Extract the n-th ``` block of the given language from the doc into path. */
static void extract_block(const char *lang, const char *path)
{
	FILE *in = fopen("docs/verify-disclosure.md", "r"), *out;
	char line[4096], open_fence[32];
	int inside = 0, done = 0;

	assert_non_null(in);
	out = fopen(path, "w");
	assert_non_null(out);
	snprintf(open_fence, sizeof(open_fence), "```%s\n", lang);
	while (!done && fgets(line, sizeof(line), in)) {
		if (!inside && strcmp(line, open_fence) == 0)
			inside = 1;
		else if (inside && strncmp(line, "```", 3) == 0)
			done = 1;
		else if (inside)
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
	assert_true(done);
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void write_json(const char *path, json_t *j)
{
	assert_int_equal(json_dump_file(j, path, JSON_COMPACT), 0);
}

/* docs/verify-disclosure.md's Python and shell blocks, run against a real proof. */
static void test_documented_procedure(void **state)
{
	struct fx *f = *state;
	char detail[256], py[160], sh[160], proof[160], cmd[1024];
	json_t *p;

	publish_n(f, 0, 11);
	assert_int_equal(job(f, detail, sizeof(detail)), 0);
	snprintf(py, sizeof(py), "%s/verify_proof.py", f->dir);
	snprintf(sh, sizeof(sh), "%s/check_signature.sh", f->dir);
	snprintf(proof, sizeof(proof), "%s/proof.json", f->dir);
	extract_block("python", py);
	extract_block("sh", sh);

	for (int idx = 0; idx < 11; idx += 3) {
		p = dlog_proof_json(f->db, idx);
		assert_non_null(p);
		write_json(proof, p);
		snprintf(cmd, sizeof(cmd), "cd %s && python3 verify_proof.py proof.json | grep '^OK leaf %d in tree of 11 ' >/dev/null",
			 f->dir, idx);
		assert_int_equal(run(cmd), 0);
		snprintf(cmd, sizeof(cmd), "cd %s && sh check_signature.sh | grep 'Signature Verified Successfully' >/dev/null", f->dir);
		assert_int_equal(run(cmd), 0);
		json_decref(p);
	}
	/* a changed leaf, path hash or root is refused by the script */
	p = dlog_proof_json(f->db, 4);
	json_object_set_new(p, "leaf", json_string("eyJ0aXRsZSI6IuS8qumAoCJ9"));
	write_json(proof, p);
	snprintf(cmd, sizeof(cmd), "cd %s && python3 verify_proof.py proof.json >/dev/null 2>&1", f->dir);
	assert_int_not_equal(run(cmd), 0);
	json_decref(p);
	p = dlog_proof_json(f->db, 4);
	json_array_set_new(json_object_get(p, "audit_path"), 1,
			   json_string("0000000000000000000000000000000000000000000000000000000000000000"));
	write_json(proof, p);
	assert_int_not_equal(run(cmd), 0);
	json_decref(p);
	/* a changed signed root is refused by openssl */
	p = dlog_proof_json(f->db, 4);
	json_object_set_new(json_object_get(p, "checkpoint"), "tree_size", json_integer(12));
	write_json(proof, p);
	snprintf(cmd, sizeof(cmd), "cd %s && sh check_signature.sh >/dev/null 2>&1", f->dir);
	assert_int_not_equal(run(cmd), 0);
	json_decref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_and_proof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intact_log_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_disclosure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_checkpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_documented_procedure, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
