/* dlog.c - the disclosure transparency log over the database: append, SM2-signed checkpoints, inclusion and consistency proofs, the whole-log check and the public routes. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dlog.h"
#include "disclosure.h"
#include "../../auth/crypt.h"
#include "../../auth/sm2.h"
#include "../../base/buf.h"
#include "../../base/date.h"
#include "../../base/log.h"
#include "../../base/merkle.h"

static const char SQL_GROW[] =
	"UPDATE dlog_state SET size = size + 1 WHERE id = 1 RETURNING size";
static const char SQL_SIZE[] =
	"SELECT size FROM dlog_state WHERE id = 1";
static const char SQL_INSERT_LEAF[] =
	"INSERT INTO dlog_leaves (leaf_index, version_id, leaf, leaf_hash, created_at) "
	"VALUES (?, ?, ?, ?, ?)";
static const char SQL_LEAF[] =
	"SELECT version_id, leaf, leaf_hash FROM dlog_leaves WHERE leaf_index = ?";
static const char SQL_INDEX_OF[] =
	"SELECT leaf_index FROM dlog_leaves WHERE version_id = ? ORDER BY leaf_index LIMIT 1";
static const char SQL_HASHES[] =
	"SELECT leaf_index, leaf_hash FROM dlog_leaves WHERE leaf_index < ? ORDER BY leaf_index";
static const char SQL_WALK[] =
	"SELECT leaf_index, version_id, leaf, leaf_hash FROM dlog_leaves ORDER BY leaf_index";
static const char SQL_LATEST[] =
	"SELECT id, tree_size, root, signed_at, signature, public_key FROM dlog_checkpoints "
	"ORDER BY id DESC LIMIT 1";
static const char SQL_CHECKPOINTS[] =
	"SELECT id, tree_size, root, signed_at, signature, public_key FROM dlog_checkpoints "
	"ORDER BY id";
static const char SQL_INSERT_CHECKPOINT[] =
	"INSERT INTO dlog_checkpoints (tree_size, root, signed_at, signature, public_key) "
	"VALUES (?, ?, ?, ?, ?)";

/* A checkpoint as stored; text owned by the struct (cp_release). */
struct cp {
	int64_t id, size;
	char *root, *signed_at, *signature, *public_key;
};

static char *dup_col(struct db_stmt *st, int i)
{
	const char *s = db_col_text(st, i);

	return strdup(s ? s : "");
}

static void cp_release(struct cp *c)
{
	free(c->root);
	free(c->signed_at);
	free(c->signature);
	free(c->public_key);
	memset(c, 0, sizeof(*c));
}

static int cp_read(struct db_stmt *st, struct cp *c)
{
	c->id = db_col_int(st, 0);
	c->size = db_col_int(st, 1);
	c->root = dup_col(st, 2);
	c->signed_at = dup_col(st, 3);
	c->signature = dup_col(st, 4);
	c->public_key = dup_col(st, 5);
	return c->root && c->signed_at && c->signature && c->public_key ? 0 : -1;
}

/* The latest checkpoint: DB_ROW (filled), DB_DONE (none) or an error. */
static int cp_latest(struct db *db, struct cp *c)
{
	struct db_stmt *st = db_prepare(db, SQL_LATEST);
	int rc;

	memset(c, 0, sizeof(*c));
	if (!st)
		return DB_EGENERIC;
	rc = db_step(st);
	if (rc == DB_ROW && cp_read(st, c) != 0) {
		cp_release(c);
		rc = DB_EGENERIC;
	}
	db_finalize(st);
	return rc;
}

/* The text a checkpoint signs (see dlog.h), into out (cap >= 128). */
static void cp_message(char *out, size_t cap, int64_t size, const char *root_hex, const char *signed_at)
{
	snprintf(out, cap, DLOG_CHECKPOINT_HEADER "\n%" PRId64 "\n%s\n%s\n", size, root_hex, signed_at);
}

static int hex_hash(const char *s, merkle_hash out)
{
	return s && strlen(s) == 2 * MERKLE_HASH_LEN &&
	       hex_decode(s, out, MERKLE_HASH_LEN) == MERKLE_HASH_LEN ? 0 : -1;
}

/*
 * The leaf hashes of the first `size` leaves, as stored, in index order;
 * malloc'd (caller frees), *n gets how many were read (< size when rows are
 * missing). A hash that is not 64 hex digits reads as zeros. NULL on error.
 */
static merkle_hash *load_hashes(struct db *db, int64_t size, size_t *n)
{
	struct db_stmt *st;
	merkle_hash *h;
	int rc;

	*n = 0;
	h = malloc(((size_t)size + 1) * sizeof(*h));
	st = h ? db_prepare(db, SQL_HASHES) : NULL;
	if (!st || db_bind_int(st, 1, size) != DB_OK) {
		db_finalize(st);
		free(h);
		return NULL;
	}
	while ((rc = db_step(st)) == DB_ROW && *n < (size_t)size) {
		if (db_col_int(st, 0) != (int64_t)*n)
			break;	/* a gap: the rest is unusable */
		if (hex_hash(db_col_text(st, 1), h[*n]) != 0)
			memset(h[*n], 0, MERKLE_HASH_LEN);
		(*n)++;
	}
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		free(h);
		return NULL;
	}
	return h;
}

static json_t *hex_json(const merkle_hash h)
{
	char s[2 * MERKLE_HASH_LEN + 1];

	hex_encode(h, MERKLE_HASH_LEN, s);
	return json_string(s);
}

static json_t *path_json(const merkle_hash *p, size_t len)
{
	json_t *a = json_array();

	for (size_t i = 0; i < len; i++)
		json_array_append_new(a, hex_json(p[i]));
	return a;
}

static json_t *cp_json(const struct cp *c)
{
	char msg[256];

	cp_message(msg, sizeof(msg), c->size, c->root, c->signed_at);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)c->id,
			 "tree_size", (json_int_t)c->size, "root", c->root, "signed_at", c->signed_at,
			 "signature", c->signature, "public_key", c->public_key, "message", msg);
}

/* ---------------------------------------------------------------- append */

int64_t dlog_append(struct db *db, int64_t version_id, const void *leaf, size_t len)
{
	merkle_hash h;
	char hash_hex[2 * MERKLE_HASH_LEN + 1], now[24];
	char *b64;
	int64_t size = 0;
	int rc;

	if (len > (1u << 24))
		return DB_EGENERIC;
	rc = db_query_int(db, &size, SQL_GROW, "");
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	merkle_leaf_hash(len ? leaf : "", len, h);
	hex_encode(h, MERKLE_HASH_LEN, hash_hex);
	b64 = malloc(4 * ((len + 2) / 3) + 1);
	if (!b64 || base64_encode(leaf, len, b64, 4 * ((len + 2) / 3) + 1) < 0) {
		free(b64);
		return DB_EGENERIC;
	}
	ts_now(now);
	rc = db_run(db, SQL_INSERT_LEAF, "iisss", size - 1, version_id, b64, hash_hex, now);
	free(b64);
	return rc == DB_OK ? size - 1 : rc;
}

/* ---------------------------------------------------------------- proofs */

static int current_size(struct db *db, int64_t *size)
{
	int rc = db_query_int(db, size, SQL_SIZE, "");

	return rc == DB_ROW ? DB_OK : (rc < 0 ? rc : DB_EGENERIC);
}

json_t *dlog_proof_json(struct db *db, int64_t index)
{
	struct db_stmt *st;
	struct cp c;
	merkle_hash *hashes = NULL, path[MERKLE_MAX_PROOF], root, leaf_hash;
	size_t n = 0, len = 0;
	int64_t version_id, size = 0;
	char *leaf = NULL;
	json_t *out = NULL;
	int have_cp, rc;

	if (index < 0)
		return NULL;
	st = db_prepare(db, SQL_LEAF);
	if (!st || db_bind_int(st, 1, index) != DB_OK || db_step(st) != DB_ROW) {
		db_finalize(st);
		return NULL;
	}
	version_id = db_col_int(st, 0);
	leaf = dup_col(st, 1);
	rc = hex_hash(db_col_text(st, 2), leaf_hash);
	db_finalize(st);
	if (!leaf || rc != 0)
		goto done;

	rc = cp_latest(db, &c);
	if (rc != DB_ROW && rc != DB_DONE)
		goto done;
	have_cp = rc == DB_ROW && c.size > index;
	if (have_cp)
		size = c.size;
	else if (current_size(db, &size) != DB_OK)
		goto done_cp;
	if (size <= index)
		goto done_cp;
	hashes = load_hashes(db, size, &n);
	if (!hashes || n != (size_t)size)
		goto done_cp;
	if (merkle_inclusion_proof(hashes, n, (size_t)index, path, MERKLE_MAX_PROOF, &len) != 0)
		goto done_cp;
	merkle_root(hashes, n, root);
	out = json_pack("{s:I, s:I, s:s, s:o, s:I, s:o, s:o, s:o}",
			"leaf_index", (json_int_t)index, "version_id", (json_int_t)version_id,
			"leaf", leaf, "leaf_hash", hex_json(leaf_hash), "tree_size", (json_int_t)size,
			"root", have_cp ? json_string(c.root) : hex_json(root),
			"audit_path", path_json(path, len),
			"checkpoint", have_cp ? cp_json(&c) : json_null());
done_cp:
	cp_release(&c);
done:
	free(hashes);
	free(leaf);
	return out;
}

int64_t dlog_index_of(struct db *db, int64_t version_id)
{
	int64_t idx = -1;
	int rc = db_query_int(db, &idx, SQL_INDEX_OF, "i", version_id);

	if (rc == DB_ROW)
		return idx;
	return rc == DB_DONE ? -1 : (rc < -1 ? rc : DB_EGENERIC - 1);
}

/* The public key PEM of the township's signing key (malloc'd), or NULL when it is not readable. */
static char *township_public_pem(const struct app *app)
{
	EVP_PKEY *k;
	char err[256], *pem;

	if (!app || !app->cfg.signing_key || access(app->cfg.signing_key, F_OK) != 0)
		return NULL;
	k = sm2_key_load(app->cfg.signing_key, err, sizeof(err));
	if (!k)
		return NULL;
	pem = sm2_public_pem(k);
	EVP_PKEY_free(k);
	return pem;
}

json_t *dlog_head_json(struct db *db, const struct app *app)
{
	struct cp c;
	merkle_hash *hashes, root;
	size_t n = 0;
	int64_t size = 0;
	json_t *out = NULL, *pub;
	int rc;

	if (current_size(db, &size) != DB_OK)
		return NULL;
	hashes = load_hashes(db, size, &n);
	if (!hashes)
		return NULL;
	merkle_root(hashes, n, root);
	free(hashes);
	rc = cp_latest(db, &c);
	if (rc != DB_ROW && rc != DB_DONE)
		return NULL;
	if (rc == DB_ROW) {
		pub = json_string(c.public_key);
	} else {
		char *pem = township_public_pem(app);
		pub = pem ? json_string(pem) : json_null();
		free(pem);
	}
	out = json_pack("{s:I, s:o, s:o, s:o}", "size", (json_int_t)size, "root", hex_json(root),
			"checkpoint", rc == DB_ROW ? cp_json(&c) : json_null(), "public_key", pub);
	cp_release(&c);
	return out;
}

json_t *dlog_consistency_json(struct db *db, int64_t from, int64_t to)
{
	merkle_hash *hashes, proof[MERKLE_MAX_PROOF], r1, r2;
	size_t n = 0, len = 0;
	int64_t size = 0;
	json_t *out = NULL;

	if (from < 1 || to < from || current_size(db, &size) != DB_OK || to > size)
		return NULL;
	hashes = load_hashes(db, to, &n);
	if (hashes && n == (size_t)to &&
	    merkle_consistency_proof(hashes, n, (size_t)from, proof, MERKLE_MAX_PROOF, &len) == 0) {
		merkle_root(hashes, (size_t)from, r1);
		merkle_root(hashes, n, r2);
		out = json_pack("{s:I, s:I, s:o, s:o, s:o}", "from", (json_int_t)from,
				"to", (json_int_t)to, "root_from", hex_json(r1), "root_to", hex_json(r2),
				"proof", path_json(proof, len));
	}
	free(hashes);
	return out;
}

/* ---------------------------------------------------------------- checkpoints */

/*
 * In one transaction: read the log, check it still extends the latest
 * checkpoint, and sign a new one when it grew or none was signed today.
 */
int dlog_checkpoint_job(const struct app *app, struct db *db, const char *day, char *detail,
			size_t detail_len)
{
	struct cp last;
	merkle_hash *hashes = NULL, root, prev_root;
	unsigned char sig[SM2_SIG_MAX];
	char root_hex[2 * MERKLE_HASH_LEN + 1], now[24], msg[256], sig_b64[4 * SM2_SIG_MAX / 3 + 8];
	char err[256], *pem = NULL;
	EVP_PKEY *key = NULL;
	size_t n = 0, siglen = 0;
	int64_t size = 0;
	int rc, result = -1;

	(void)day;
	memset(&last, 0, sizeof(last));
	if (db_begin(db) != DB_OK) {
		snprintf(detail, detail_len, "无法开始事务：%s", db_errmsg(db));
		return -1;
	}
	if (current_size(db, &size) != DB_OK || !(hashes = load_hashes(db, size, &n))) {
		snprintf(detail, detail_len, "无法读取公开日志：%s", db_errmsg(db));
		goto out;
	}
	if (n != (size_t)size) {
		snprintf(detail, detail_len, "公开日志缺少第 %zu 条，拒绝签名；请运行 zhibu verify", n);
		goto out;
	}
	rc = cp_latest(db, &last);
	if (rc != DB_ROW && rc != DB_DONE) {
		snprintf(detail, detail_len, "无法读取检查点：%s", db_errmsg(db));
		goto out;
	}
	ts_now(now);
	if (rc == DB_ROW) {
		merkle_hash r;
		if (last.size > size || hex_hash(last.root, prev_root) != 0 ||
		    (merkle_root(hashes, (size_t)last.size, r), memcmp(r, prev_root, MERKLE_HASH_LEN) != 0)) {
			snprintf(detail, detail_len,
				 "公开日志与检查点 #%" PRId64 " 不一致，拒绝签名；请运行 zhibu verify", last.id);
			goto out;
		}
		if (last.size == size && strncmp(last.signed_at, now, 10) == 0) {
			snprintf(detail, detail_len, "日志未增长（%" PRId64 " 条），今日已签署检查点 #%" PRId64,
				 size, last.id);
			result = 0;
			goto out;
		}
	}
	key = sm2_key_load_or_create(app->cfg.signing_key, err, sizeof(err));
	if (!key || !(pem = sm2_public_pem(key))) {
		snprintf(detail, detail_len, "签名密钥 %s 不可用：%s", app->cfg.signing_key, key ? "公钥导出失败" : err);
		goto out;
	}
	merkle_root(hashes, n, root);
	hex_encode(root, MERKLE_HASH_LEN, root_hex);
	cp_message(msg, sizeof(msg), size, root_hex, now);
	if (sm2_sign(key, SM2_DEFAULT_ID, msg, strlen(msg), sig, &siglen) != 0 ||
	    base64_encode(sig, siglen, sig_b64, sizeof(sig_b64)) < 0) {
		snprintf(detail, detail_len, "SM2 签名失败");
		goto out;
	}
	rc = db_run(db, SQL_INSERT_CHECKPOINT, "issss", size, root_hex, now, sig_b64, pem);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		snprintf(detail, detail_len, "无法保存检查点：%s", db_errmsg(db));
		goto out;
	}
	snprintf(detail, detail_len, "已签署检查点：日志 %" PRId64 " 条，根 %.16s…", size, root_hex);
	result = 0;
	free(hashes);
	cp_release(&last);
	free(pem);
	EVP_PKEY_free(key);
	return result;
out:
	db_rollback(db);
	free(hashes);
	cp_release(&last);
	free(pem);
	EVP_PKEY_free(key);
	return result;
}

/* ---------------------------------------------------------------- verify */

/* Check one leaf row against its own hash and against the disclosure row it came from. */
static int verify_leaf(struct db *db, FILE *out, int64_t idx, int64_t version_id, const char *b64,
		       const char *hash_hex, merkle_hash stored, int *dberr)
{
	unsigned char *bytes;
	size_t cap = strlen(b64) / 4 * 3 + 3;
	merkle_hash h;
	struct buf now;
	int len, problems = 0, rc;

	if (hex_hash(hash_hex, stored) != 0) {
		fprintf(out, "公开日志第 %" PRId64 " 条（公开版本 %" PRId64 "）：叶子哈希格式错误\n",
			idx, version_id);
		memset(stored, 0, MERKLE_HASH_LEN);
		problems++;
	}
	bytes = malloc(cap);
	len = bytes ? base64_decode(b64, bytes, cap) : -1;
	if (len < 0) {
		fprintf(out, "公开日志第 %" PRId64 " 条（公开版本 %" PRId64 "）：叶子内容无法解码\n",
			idx, version_id);
		free(bytes);
		return problems + 1;
	}
	merkle_leaf_hash(bytes, (size_t)len, h);
	if (!problems && memcmp(h, stored, MERKLE_HASH_LEN) != 0) {
		fprintf(out, "公开日志第 %" PRId64 " 条（公开版本 %" PRId64 "）：叶子哈希与叶子内容不符（日志记录被改动）\n",
			idx, version_id);
		problems++;
	}
	buf_init(&now, 0);
	rc = disclosure_leaf_bytes(db, version_id, &now);
	if (rc == DB_ENOTFOUND) {
		fprintf(out, "公开版本 %" PRId64 "（公开日志第 %" PRId64 " 条）已不存在或已不是公开状态：已公开的内容被删除或撤回\n",
			version_id, idx);
		problems++;
	} else if (rc != DB_OK || now.err) {
		*dberr = 1;
	} else if (now.len != (size_t)len || memcmp(now.data, bytes, (size_t)len) != 0) {
		fprintf(out, "公开版本 %" PRId64 "（公开日志第 %" PRId64 " 条）的内容与公开时记入日志的不一致：公开后被改动\n",
			version_id, idx);
		problems++;
	}
	buf_release(&now);
	free(bytes);
	return problems;
}

/* Check one checkpoint against the log's leaf hashes, its signature and the previous checkpoint. */
static int verify_checkpoint(FILE *out, const struct cp *c, const struct cp *prev,
			     const merkle_hash *hashes, size_t n, const char *township_pem)
{
	merkle_hash stored, r, proof[MERKLE_MAX_PROOF], prev_root;
	unsigned char sig[SM2_SIG_MAX + 4];
	char msg[256];
	EVP_PKEY *pub;
	size_t len;
	int problems = 0, siglen;

	if (c->size < 0 || (size_t)c->size > n) {
		fprintf(out, "检查点 #%" PRId64 "（%s 签署）记录了 %" PRId64 " 条，日志现只有 %zu 条：日志被截断\n",
			c->id, c->signed_at, c->size, n);
		return 1;
	}
	if (hex_hash(c->root, stored) != 0) {
		fprintf(out, "检查点 #%" PRId64 " 的根哈希格式错误\n", c->id);
		return 1;
	}
	merkle_root(hashes, (size_t)c->size, r);
	if (memcmp(r, stored, MERKLE_HASH_LEN) != 0) {
		fprintf(out, "检查点 #%" PRId64 "（%s 签署，%" PRId64 " 条）的根哈希与日志不符：其中已签署的记录被改动\n",
			c->id, c->signed_at, c->size);
		problems++;
	}
	cp_message(msg, sizeof(msg), c->size, c->root, c->signed_at);
	pub = sm2_public_from_pem(c->public_key);
	siglen = strlen(c->signature) <= 4 * ((SM2_SIG_MAX + 2) / 3)
		 ? base64_decode(c->signature, sig, sizeof(sig)) : -1;
	if (!pub || siglen <= 0 || sm2_verify(pub, SM2_DEFAULT_ID, msg, strlen(msg), sig, (size_t)siglen) != 1) {
		fprintf(out, "检查点 #%" PRId64 "（%s 签署）的 SM2 签名无效\n", c->id, c->signed_at);
		problems++;
	}
	EVP_PKEY_free(pub);
	if (township_pem && strcmp(township_pem, c->public_key) != 0) {
		fprintf(out, "检查点 #%" PRId64 " 的公钥不是本乡镇的签名密钥\n", c->id);
		problems++;
	}
	if (!prev)
		return problems;
	if (c->size < prev->size) {
		fprintf(out, "检查点 #%" PRId64 " 的日志大小 %" PRId64 " 小于上一检查点 #%" PRId64 " 的 %" PRId64 "：日志被回滚\n",
			c->id, c->size, prev->id, prev->size);
		return problems + 1;
	}
	if (prev->size == 0 || hex_hash(prev->root, prev_root) != 0)
		return problems;
	if (merkle_consistency_proof(hashes, (size_t)c->size, (size_t)prev->size, proof,
				     MERKLE_MAX_PROOF, &len) != 0 ||
	    !merkle_verify_consistency((size_t)prev->size, (size_t)c->size, prev_root, stored, proof, len)) {
		fprintf(out, "检查点 #%" PRId64 " 与上一检查点 #%" PRId64 " 不一致：两者之间的日志并非只追加\n",
			c->id, prev->id);
		problems++;
	}
	return problems;
}

int dlog_verify(struct db *db, const struct app *app, FILE *out)
{
	struct db_stmt *st;
	merkle_hash *hashes = NULL;
	size_t n = 0, cap = 0;
	int64_t size = 0, expect = 0;
	int problems = 0, dberr = 0, rc, have_prev = 0;
	struct cp prev, cur;
	char *township = NULL;

	memset(&prev, 0, sizeof(prev));
	if (current_size(db, &size) != DB_OK)
		return -1;
	st = db_prepare(db, SQL_WALK);
	if (!st)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t idx = db_col_int(st, 0), version_id = db_col_int(st, 1);
		const char *b64 = db_col_text(st, 2), *hh = db_col_text(st, 3);

		if (idx != expect) {
			fprintf(out, "公开日志第 %" PRId64 "-%" PRId64 " 条缺失（被删除）\n", expect, idx - 1);
			problems++;
			expect = idx;
		}
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 256;
			merkle_hash *nh = realloc(hashes, ncap * sizeof(*nh));
			if (!nh) {
				dberr = 1;
				break;
			}
			hashes = nh;
			cap = ncap;
		}
		problems += verify_leaf(db, out, idx, version_id, b64 ? b64 : "", hh, hashes[n], &dberr);
		if (dberr)
			break;
		n++;
		expect++;
	}
	db_finalize(st);
	if (dberr || (rc != DB_ROW && rc != DB_DONE)) {
		free(hashes);
		return -1;
	}
	if ((int64_t)n != size) {
		fprintf(out, "公开日志应有 %" PRId64 " 条，实有 %zu 条\n", size, n);
		problems++;
	}

	township = township_public_pem(app);
	st = db_prepare(db, SQL_CHECKPOINTS);
	if (!st) {
		free(hashes);
		free(township);
		return -1;
	}
	while ((rc = db_step(st)) == DB_ROW) {
		if (cp_read(st, &cur) != 0) {
			cp_release(&cur);
			rc = DB_EGENERIC;
			break;
		}
		problems += verify_checkpoint(out, &cur, have_prev ? &prev : NULL, hashes, n, township);
		cp_release(&prev);
		prev = cur;
		have_prev = 1;
	}
	db_finalize(st);
	cp_release(&prev);
	free(hashes);
	free(township);
	if (rc != DB_DONE)
		return -1;
	return problems;
}

/* ---------------------------------------------------------------- routes */

/* A non-negative integer path or query value; -1 when malformed. */
static int64_t parse_index(const char *s)
{
	char *end;
	long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end || v < 0 || v > INT64_MAX / 2)
		return -1;
	return (int64_t)v;
}

void dlog_http_head(struct req *r)
{
	json_t *j = dlog_head_json(req_ctx(r)->db, r->app);

	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, j);
}

void dlog_http_proof(struct req *r)
{
	int64_t idx = parse_index(req_param(r, "index"));
	json_t *j;

	if (idx < 0) {
		resp_error(r, ZB_ENOTFOUND, "公开日志中没有这一条");
		return;
	}
	j = dlog_proof_json(req_ctx(r)->db, idx);
	if (!j) {
		resp_error(r, ZB_ENOTFOUND, "公开日志中没有这一条");
		return;
	}
	resp_json(r, 200, j);
}

void dlog_http_consistency(struct req *r)
{
	struct zb_fail f;
	int64_t from, to, size = 0;
	json_t *j;

	zb_fail_init(&f);
	from = parse_index(req_query(r, "from"));
	to = parse_index(req_query(r, "to"));
	if (from < 1)
		zb_fail_field(&f, "from", "须为正整数（较早的日志大小）");
	if (to < 1)
		zb_fail_field(&f, "to", "须为正整数（较晚的日志大小）");
	if (!f.err && current_size(req_ctx(r)->db, &size) != DB_OK) {
		zb_fail_release(&f);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	if (!f.err && from > to)
		zb_fail_field(&f, "from", "不能大于 to");
	if (!f.err && to > size)
		zb_fail_field(&f, "to", "超过日志现有的 %" PRId64 " 条", size);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	j = dlog_consistency_json(req_ctx(r)->db, from, to);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, j);
}
