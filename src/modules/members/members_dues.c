/* members_dues.c - Party dues (党费): the bracket rules and rounding, each member's category and encrypted base, payments and back payments, arrears, reductions decided by the level above, summaries per branch and the export. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "members_internal.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../auth/crypt.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_RULES[] =
	"SELECT r.id, r.category, r.sort, r.up_to_fen, r.rate_bp, r.fixed_fen, r.version, d.label_zh"
	" FROM dues_rules r LEFT JOIN dict_items d ON d.dict = 'dues_category' AND d.code = r.category"
	" ORDER BY d.sort, r.category, r.sort";
static const char SQL_PROFILE[] =
	"SELECT category, base_enc, monthly_fen, from_month, version FROM dues_profiles WHERE person_id = ?";
static const char SQL_PROFILE_INSERT[] =
	"INSERT INTO dues_profiles (person_id, category, base_enc, monthly_fen, from_month, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PROFILE_UPDATE[] =
	"UPDATE dues_profiles SET category = ?, base_enc = ?, monthly_fen = ?, from_month = ?,"
	" version = version + 1, updated_at = ? WHERE person_id = ? AND version = ?";
static const char SQL_DICT[] =
	"SELECT label_zh FROM dict_items WHERE dict = ? AND code = ? AND status = 'active'";
static const char SQL_PAY_INSERT[] =
	"INSERT INTO dues_payments (person_id, org_id, month, amount_fen, method, receipt_no, paid_on, back,"
	" created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_PAY_COLS[] =
	"SELECT py.id, py.person_id, pe.name, py.org_id, o.name, py.month, py.amount_fen, py.method,"
	" COALESCE(d.label_zh, py.method), py.receipt_no, py.paid_on, py.back, py.status, py.version, o.path"
	" FROM dues_payments py JOIN people pe ON pe.id = py.person_id JOIN orgs o ON o.id = py.org_id"
	" LEFT JOIN dict_items d ON d.dict = 'dues_method' AND d.code = py.method";
static const char SQL_RED_INSERT[] =
	"INSERT INTO dues_reductions (person_id, org_id, from_month, to_month, monthly_fen, reason, created_by,"
	" created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";

/* ---------------------------------------------------------------- rules */

/* Every rule, for dues_monthly; count or DB_E*. */
static long dues_rules_load(struct db *db, struct dues_rule **out)
{
	struct db_stmt *st = db_prepare(db, SQL_RULES);
	struct dues_rule *v = calloc(64, sizeof(*v));
	long n = 0;
	int rc = st && v ? DB_OK : DB_EGENERIC;

	while (st && v && (rc = db_step(st)) == DB_ROW && n < 64) {
		snprintf(v[n].category, sizeof(v[n].category), "%s", db_col_text(st, 1));
		v[n].sort = (int)db_col_int(st, 2);
		v[n].has_up_to = !db_col_isnull(st, 3);
		v[n].up_to_fen = db_col_int(st, 3);
		v[n].rate_bp = (int)db_col_int(st, 4);
		v[n].fixed_fen = db_col_int(st, 5);
		n++;
	}
	db_finalize(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		free(v);
		return rc < 0 ? rc : DB_EGENERIC;
	}
	*out = v;
	return n;
}

/* The rounding setting: mode and unit. */
static void rounding(struct db *db, enum dues_rounding *mode, int *unit)
{
	struct db_stmt *st = db_prepare(db, "SELECT value FROM settings WHERE key = 'dues_rounding_mode'");
	int m = -1;

	if (st && db_step(st) == DB_ROW)
		m = dues_rounding_parse(db_col_text(st, 0));
	db_finalize(st);
	*mode = m < 0 ? DUES_HALF_UP : (enum dues_rounding)m;
	*unit = members_setting_int(db, "dues_rounding_unit", 1);
}

void dues_http_rules(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	struct db_stmt *st = db_prepare(db, SQL_RULES);
	enum dues_rounding mode;
	int unit, rc;
	json_t *items = json_array();
	static const char *const modes[] = { "half_up", "down", "up" };

	while (st && (rc = db_step(st)) == DB_ROW) {
		json_t *e = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I}", "id", (json_int_t)db_col_int(st, 0),
				      "category", db_col_text(st, 1), "category_label",
				      db_col_text(st, 7) ? db_col_text(st, 7) : db_col_text(st, 1), "sort",
				      (json_int_t)db_col_int(st, 2), "rate_bp", (json_int_t)db_col_int(st, 4),
				      "fixed_fen", (json_int_t)db_col_int(st, 5), "version", (json_int_t)db_col_int(st, 6));
		json_object_set_new(e, "up_to_fen", db_col_isnull(st, 3) ? json_null() : json_integer(db_col_int(st, 3)));
		json_array_append_new(items, e);
	}
	db_finalize(st);
	if (!st) {
		json_decref(items);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	rounding(db, &mode, &unit);
	resp_json(r, 200, json_pack("{s:o, s:{s:s, s:i}, s:i}", "items", items, "rounding", "mode", modes[mode], "unit",
				    unit, "back_max_months", members_setting_int(db, "dues_back_max_months", 6)));
}

static const struct json_field rule_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本" },
	{ "up_to_fen", JF_INT, 0, 1, 0, 100000000000LL, "上限（分）" },
	{ "rate_bp", JF_INT, 0, 0, 0, 10000, "比例（万分之）" },
	{ "fixed_fen", JF_INT, 0, 0, 0, 1000000, "固定金额（分）" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/* PUT /dues/rules/:id: one bracket's bound, rate or fixed amount, with the version read. */
void dues_http_rule_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id"), exists = 0, changed = 0;
	struct zb_fail f;
	json_t *b, *before, *after;
	char now[24];
	int rc;

	if (db_query_int(c->db, &exists, "SELECT COUNT(*) FROM dues_rules WHERE id = ?", "i", id) < 0 || !exists) {
		resp_error(r, ZB_ENOTFOUND, "规则不存在");
		return;
	}
	zb_fail_init(&f);
	if (!(b = members_body(r, rule_fields, &f)))
		return;
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	before = json_pack("{s:I}", "id", (json_int_t)id);
	ts_now(now);
	{
		struct db_stmt *st = db_prepare(c->db,
			"UPDATE dues_rules SET up_to_fen = CASE WHEN CAST(? AS INTEGER) = 1 THEN CAST(? AS BIGINT) ELSE up_to_fen END,"
			" rate_bp = COALESCE(CAST(? AS INTEGER), rate_bp), fixed_fen = COALESCE(CAST(? AS BIGINT), fixed_fen),"
			" version = version + 1, updated_at = ? WHERE id = ? AND version = ?");
		rc = st ? DB_OK : DB_EGENERIC;
		if (st) {
			db_bindf(st, "innnsii", json_object_get(b, "up_to_fen") ? (int64_t)1 : (int64_t)0, now, id,
				 json_int(b, "version", 0));
			if (json_is_integer(json_object_get(b, "up_to_fen")))
				db_bind_int(st, 2, json_int(b, "up_to_fen", 0));
			if (json_is_integer(json_object_get(b, "rate_bp")))
				db_bind_int(st, 3, json_int(b, "rate_bp", 0));
			if (json_is_integer(json_object_get(b, "fixed_fen")))
				db_bind_int(st, 4, json_int(b, "fixed_fen", 0));
			rc = db_step(st);
			changed = rc == DB_DONE ? db_changes(st) : 0;
			rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
			db_finalize(st);
		}
	}
	if (rc == DB_OK && changed != 1) {
		db_rollback(c->db);
		json_decref(before);
		json_decref(b);
		zb_fail_release(&f);
		app_conflict(r, "该规则已被他人修改，请刷新后重试", NULL);
		return;
	}
	after = json_deep_copy(b);
	if (rc == DB_OK)
		rc = app_audit(r, "dues_rule", id, "update", before, after);
	json_decref(before);
	json_decref(after);
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	if (db_commit(c->db) != DB_OK) {
		app_db_fail(r, DB_EGENERIC, 1);
		return;
	}
	dues_http_rules(r);
}

static const struct json_field rounding_fields[] = {
	{ "mode", JF_STRING, 1, 0, 1, 16, "取整方式" },
	{ "unit", JF_INT, 1, 0, 1, 100, "取整单位" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/* PUT /dues/rounding {mode, unit}. */
void dues_http_rounding(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	json_t *b;
	int64_t unit;
	char now[24], us[8];
	int rc;

	zb_fail_init(&f);
	if (!(b = members_body(r, rounding_fields, &f)))
		return;
	unit = json_int(b, "unit", 0);
	if (dues_rounding_parse(json_str(b, "mode", "")) < 0)
		zb_fail_field(&f, "mode", "取整方式应为 half_up（四舍五入）、down（舍去）或 up（进位）");
	if (unit != 1 && unit != 10 && unit != 100)
		zb_fail_field(&f, "unit", "取整单位应为 1（分）、10（角）或 100（元）");
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	ts_now(now);
	snprintf(us, sizeof(us), "%d", (int)unit);
	rc = db_run(c->db, "UPDATE settings SET value = ?, updated_at = ? WHERE key = 'dues_rounding_mode'", "ss",
		    json_str(b, "mode", ""), now);
	if (rc == DB_OK)
		rc = db_run(c->db, "UPDATE settings SET value = ?, updated_at = ? WHERE key = 'dues_rounding_unit'", "ss",
			    us, now);
	if (rc == DB_OK)
		rc = app_audit(r, "dues_rounding", 0, "update", NULL, b);
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	if (db_commit(c->db) != DB_OK) {
		app_db_fail(r, DB_EGENERIC, 1);
		return;
	}
	dues_http_rules(r);
}

/* ---------------------------------------------------------------- profiles */

/* A dictionary label, NULL when the code is not an active item (arena copy). */
static const char *dict_label(struct db *db, struct arena *a, const char *dict, const char *code)
{
	struct db_stmt *st = db_prepare(db, SQL_DICT);
	const char *l = NULL;

	if (!st || !code)
		return NULL;
	db_bindf(st, "ss", dict, code);
	if (db_step(st) == DB_ROW)
		l = arena_strdup(a, db_col_text(st, 0));
	db_finalize(st);
	return l;
}

/* The profile JSON of a person; base_fen only when unmask (decrypted). NULL when none; *rc on error. */
static json_t *profile_json(struct db *db, const struct keys *k, struct arena *a, int64_t person_id, int unmask,
			    int *rc)
{
	struct db_stmt *st = db_prepare(db, SQL_PROFILE);
	json_t *j = NULL;

	*rc = DB_OK;
	if (!st) {
		*rc = DB_EGENERIC;
		return NULL;
	}
	db_bind_int(st, 1, person_id);
	if (db_step(st) == DB_ROW) {
		const char *cat = db_col_text(st, 0), *l = dict_label(db, a, "dues_category", cat);
		j = json_pack("{s:I, s:s, s:s, s:b, s:I, s:s, s:I}", "person_id", (json_int_t)person_id, "category", cat,
			      "category_label", l ? l : cat, "base_set", !db_col_isnull(st, 1), "monthly_fen",
			      (json_int_t)db_col_int(st, 2), "from_month", db_col_text(st, 3), "version",
			      (json_int_t)db_col_int(st, 4));
		if (unmask && !db_col_isnull(st, 1)) {
			char *plain = field_decrypt(k, db_col_text(st, 1)), *end = NULL;
			long long v = plain ? strtoll(plain, &end, 10) : -1;
			json_object_set_new(j, "base_fen", plain && end && *end == '\0' ? json_integer(v) : json_null());
			if (plain) {
				memset(plain, 0, strlen(plain));
				free(plain);
			} else {
				*rc = DB_EGENERIC;
			}
		}
	}
	db_finalize(st);
	return j;
}

void dues_http_profile_get(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_where w;
	const char *um = req_query(r, "unmask");
	int unmask = um && strcmp(um, "1") == 0, rc;
	json_t *j;

	if (!members_person_param(r, "person_id", "dues.read", &w))
		return;
	if (unmask && !perm_has(c, "person.unmask", w.org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权查看党费基数");
		return;
	}
	if (unmask) {	/* seeing the income is audited like an ID number, with the reason given */
		const char *why = req_query(r, "reason");
		json_t *after = why && why[0] ? json_pack("{s:s%}", "reason", why, strnlen(why, 200)) : NULL;

		if (!app_begin_write(r)) {
			json_decref(after);
			return;
		}
		rc = app_audit(r, "dues_profile", w.id, "unmask", NULL, after);
		json_decref(after);
		if (rc != DB_OK || db_commit(c->db) != DB_OK) {
			app_db_fail(r, rc != DB_OK ? rc : DB_EGENERIC, 1);
			return;
		}
	}
	j = profile_json(c->db, &r->app->keys, &r->arena, w.id, unmask, &rc);
	if (rc != DB_OK) {
		json_decref(j);
		app_db_fail(r, rc, 0);
		return;
	}
	if (!j) {
		resp_error(r, ZB_ENOTFOUND, "尚未设置该党员的党费缴纳标准");
		return;
	}
	json_object_set_new(j, "can_write", json_boolean(perm_has(c, "dues.write", w.org_path)));
	resp_json(r, 200, j);
}

static const struct json_field profile_fields[] = {
	{ "version", JF_INT, 1, 0, 0, INT64_MAX, "版本" },
	{ "category", JF_STRING, 1, 0, 1, 32, "缴纳类别" },
	{ "base_fen", JF_INT, 0, 1, 0, 100000000000LL, "缴纳基数" },
	{ "from_month", JF_STRING, 1, 0, 1, 16, "起缴月份" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/*
 * Set person_id's profile: checks, the monthly amount from the rules, the
 * base encrypted, an audit row (without the base). version 0 = new. Returns
 * DB_OK, 1 refused (f: fields or ZB_ECONFLICT), or DB_E*.
 */
static int profile_set(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
		       int64_t person_id, int64_t version, const char *category, int has_base, int64_t base_fen,
		       const char *from_month, struct zb_fail *f)
{
	struct dues_rule *rules = NULL;
	long nr = dues_rules_load(db, &rules);
	enum dues_rounding mode;
	int unit, rc = DB_OK;
	int64_t monthly = -1, changed = 0, exists = 0;
	char *enc = NULL, now[24], bs[24];
	json_t *after;

	if (nr < 0)
		return (int)nr;
	rounding(db, &mode, &unit);
	if (!dict_label(db, a, "dues_category", category))
		zb_fail_field(f, "category", "缴纳类别“%s”不在字典中", category);
	if (!month_valid(from_month))
		zb_fail_field(f, "from_month", "起缴月份应为 YYYY-MM 格式");
	if ((strcmp(category, "in_service") == 0 || strcmp(category, "retired") == 0) && !has_base)
		zb_fail_field(f, "base_fen", "在职和离退休党员须填写缴纳基数（每月税后收入）");
	if (!f->err) {
		monthly = dues_monthly(rules, (size_t)nr, category, has_base ? base_fen : 0, mode, unit);
		if (monthly < 0)
			zb_fail_field(f, "category", "缴纳类别“%s”没有对应的党费规则", category);
	}
	free(rules);
	if (f->err)
		return 1;
	if (has_base) {
		snprintf(bs, sizeof(bs), "%lld", (long long)base_fen);
		enc = field_encrypt(k, bs);
		if (!enc)
			return DB_EGENERIC;
	}
	ts_now(now);
	db_query_int(db, &exists, "SELECT COUNT(*) FROM dues_profiles WHERE person_id = ?", "i", person_id);
	if (version == 0 && !exists)
		rc = db_run(db, SQL_PROFILE_INSERT, "ississs", person_id, category, enc, monthly, from_month, now, now);
	else if (version == 0)
		changed = 0;
	else
		rc = db_run_changes(db, &changed, SQL_PROFILE_UPDATE, "ssissii", category, enc, monthly, from_month, now,
				    person_id, version);
	free(enc);
	if (rc != DB_OK)
		return rc;
	if (version != 0 || exists) {
		if (changed != 1) {
			zb_fail_set(f, ZB_ECONFLICT, "党费缴纳标准已被他人修改，请刷新后重试");
			return 1;
		}
	}
	after = json_pack("{s:s, s:I, s:s, s:b}", "category", category, "monthly_fen", (json_int_t)monthly,
			  "from_month", from_month, "base_set", has_base);
	rc = audit_append(db, k, who, "dues_profile", person_id, version ? "update" : "create", NULL, after);
	json_decref(after);
	return rc;
}

void dues_http_profile_put(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_where w;
	struct audit_who who;
	struct zb_fail f;
	json_t *b, *j;
	int rc;

	if (!members_person_param(r, "person_id", "dues.read", &w))
		return;
	if (!perm_has(c, "dues.write", w.org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权设置该党员的党费");
		return;
	}
	zb_fail_init(&f);
	if (!(b = members_body(r, profile_fields, &f)))
		return;
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = profile_set(c->db, &r->app->keys, &who, &r->arena, w.id, json_int(b, "version", 0),
			 json_str(b, "category", ""), json_is_integer(json_object_get(b, "base_fen")),
			 json_int(b, "base_fen", 0), json_str(b, "from_month", ""), &f);
	json_decref(b);
	if (f.err == ZB_ECONFLICT) {
		db_rollback(c->db);
		zb_fail_release(&f);
		app_conflict(r, "党费缴纳标准已被他人修改，请刷新后重试",
			     profile_json(c->db, &r->app->keys, &r->arena, w.id, 0, &rc));
		return;
	}
	if (!members_write_ok(r, rc == 1 ? DB_OK : rc, &f))
		return;
	zb_fail_release(&f);
	j = profile_json(c->db, &r->app->keys, &r->arena, w.id, 0, &rc);
	app_commit_answer(r, 200, j);
}

/* ---------------------------------------------------------------- arrears (shared with the findings) */

/* One member's dues standing over [from, until) month indices. */
struct dues_member {
	int64_t person_id, org_id, monthly;
	int64_t from;		/* month index */
	const char *name, *org_name, *org_path;
	unsigned char *paid;	/* 1 per month index - from, up to span */
	int64_t *reduced;	/* -1 none, else the approved monthly amount */
	int64_t span;
};

struct dues_book {
	struct dues_member *v;
	size_t n;
	int64_t until;		/* exclusive month index */
};

static struct dues_member *book_find(struct dues_book *bk, int64_t pid)
{
	size_t lo = 0, hi = bk->n;

	while (lo < hi) {	/* v is in person_id order */
		size_t mid = (lo + hi) / 2;
		if (bk->v[mid].person_id == pid)
			return &bk->v[mid];
		if (bk->v[mid].person_id < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Load every active person with a profile in scope s (and under path_like
 * when not NULL), with their payments and approved reductions for months
 * before `until` (month index, exclusive). Allocated from a. DB_OK or DB_E*.
 */
static int book_load(struct db *db, struct arena *a, const struct scope *s, const char *path_like, int64_t until,
		     struct dues_book *bk)
{
	struct db_params p = { 0 };
	const char *where = scope_sql(a, s, "o.path");
	struct db_stmt *st;
	size_t cap = 256;
	int rc;

	memset(bk, 0, sizeof(*bk));
	bk->until = until;
	for (int i = 0; i < s->n; i++)
		db_param_text(&p, arena_printf(a, "%s%%", s->paths[i]));
	if (path_like) {
		where = arena_printf(a, "%s AND o.path LIKE ?", where);
		db_param_text(&p, path_like);
	}
	st = db_prepare(db, arena_printf(a,
		"SELECT dp.person_id, pe.org_id, dp.monthly_fen, dp.from_month, pe.name, o.name, o.path"
		" FROM dues_profiles dp JOIN people pe ON pe.id = dp.person_id JOIN orgs o ON o.id = pe.org_id"
		" WHERE pe.status = 'active' AND %s ORDER BY dp.person_id", where));
	if (!st)
		return DB_EGENERIC;
	db_params_bind(st, &p);
	bk->v = malloc(cap * sizeof(*bk->v));
	while (bk->v && (rc = db_step(st)) == DB_ROW) {
		struct dues_member *m;
		if (bk->n == cap) {
			struct dues_member *g = realloc(bk->v, cap * 2 * sizeof(*g));
			if (!g)
				break;
			bk->v = g;
			cap *= 2;
		}
		m = &bk->v[bk->n++];
		memset(m, 0, sizeof(*m));
		m->person_id = db_col_int(st, 0);
		m->org_id = db_col_int(st, 1);
		m->monthly = db_col_int(st, 2);
		m->from = month_index(db_col_text(st, 3));
		m->name = arena_strdup(a, db_col_text(st, 4));
		m->org_name = arena_strdup(a, db_col_text(st, 5));
		m->org_path = arena_strdup(a, db_col_text(st, 6));
		m->span = until > m->from ? until - m->from : 0;
		if (m->span > 1200)
			m->span = 1200;
		m->paid = arena_alloc(a, (size_t)m->span + 1);
		m->reduced = arena_alloc(a, ((size_t)m->span + 1) * sizeof(int64_t));
		for (int64_t i = 0; i < m->span; i++)
			m->reduced[i] = -1;
	}
	db_finalize(st);
	if (!bk->v)
		return DB_EGENERIC;
	/* a copy of the list is kept in arena so the caller frees nothing */
	{
		struct dues_member *copy = arena_alloc(a, (bk->n + 1) * sizeof(*copy));
		memcpy(copy, bk->v, bk->n * sizeof(*copy));
		free(bk->v);
		bk->v = copy;
	}
	st = db_prepare(db, arena_printf(a,
		"SELECT py.person_id, py.month FROM dues_payments py JOIN people pe ON pe.id = py.person_id"
		" JOIN orgs o ON o.id = pe.org_id WHERE py.status = 'active' AND pe.status = 'active' AND %s", where));
	if (!st)
		return DB_EGENERIC;
	db_params_bind(st, &p);
	while ((rc = db_step(st)) == DB_ROW) {
		struct dues_member *m = book_find(bk, db_col_int(st, 0));
		int64_t mi = month_index(db_col_text(st, 1));
		if (m && mi >= m->from && mi - m->from < m->span)
			m->paid[mi - m->from] = 1;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	st = db_prepare(db, arena_printf(a,
		"SELECT rd.person_id, rd.from_month, rd.to_month, rd.monthly_fen FROM dues_reductions rd"
		" JOIN people pe ON pe.id = rd.person_id JOIN orgs o ON o.id = pe.org_id"
		" WHERE rd.status = 'approved' AND %s", where));
	if (!st)
		return DB_EGENERIC;
	db_params_bind(st, &p);
	while ((rc = db_step(st)) == DB_ROW) {
		struct dues_member *m = book_find(bk, db_col_int(st, 0));
		int64_t f0 = month_index(db_col_text(st, 1)), t0 = month_index(db_col_text(st, 2));
		for (int64_t mi = f0; m && mi <= t0; mi++)
			if (mi >= m->from && mi - m->from < m->span)
				m->reduced[mi - m->from] = db_col_int(st, 3);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* What is due for month index mi (reductions applied). */
static int64_t member_due(const struct dues_member *m, int64_t mi)
{
	if (mi < m->from || mi - m->from >= m->span)
		return m->monthly;
	return m->reduced[mi - m->from] >= 0 ? m->reduced[mi - m->from] : m->monthly;
}

/* Unpaid months with something due, in [lo, until); the owed amount in *owed; the longest run ending at until-1 in *run. */
static int member_unpaid(const struct dues_member *m, int64_t lo, int64_t until, int64_t *owed, int *trailing)
{
	int n = 0;

	*owed = 0;
	*trailing = 0;
	for (int64_t mi = lo < m->from ? m->from : lo; mi < until && mi - m->from < m->span; mi++) {
		int64_t due = member_due(m, mi);
		if (due > 0 && !m->paid[mi - m->from]) {
			n++;
			*owed += due;
			(*trailing)++;
		} else {
			*trailing = 0;
		}
	}
	return n;
}

int members_dues_arrears(const struct findings_query *q, struct findings *out)
{
	struct ymd t = date_from_days(q->as_of);
	int64_t until = (int64_t)t.y * 12 + t.m - 1;	/* the current month is not yet late */
	struct dues_book bk;
	int rc = book_load(q->db, q->a, q->s, q->path_like, until, &bk);
	char as_of[11];

	if (rc != DB_OK)
		return rc;
	date_format(t, as_of);
	/* one finding per org and threshold: the count of members 3+ and 6+ months behind */
	struct org_count { size_t first; int n3, n6; } *oc = arena_alloc(q->a, (bk.n + 1) * sizeof(*oc));
	size_t no = 0;

	for (size_t i = 0; i < bk.n; i++) {
		int64_t owed;
		int run;
		size_t o = 0;
		member_unpaid(&bk.v[i], 0, until, &owed, &run);
		if (run < 3)
			continue;
		while (o < no && bk.v[oc[o].first].org_id != bk.v[i].org_id)
			o++;
		if (o == no) {
			oc[no].first = i;
			oc[no].n3 = oc[no].n6 = 0;
			no++;
		}
		if (run >= 6)
			oc[o].n6++;
		else
			oc[o].n3++;
	}
	for (size_t o = 0; o < no; o++) {
		const struct dues_member *m = &bk.v[oc[o].first];
		const char *link = arena_printf(q->a, "/members/dues/arrears?org=%lld", (long long)m->org_id);
		if (oc[o].n6) {
			struct finding f = {
				.org_id = m->org_id, .org_path = m->org_path, .org_name = m->org_name,
				.subject = "member", .code = "dues_arrears_6", .label = "连续6个月未交党费",
				.severity = RULE_HIGH,
				.text = arena_printf(q->a, "%s：%d名党员已连续6个月以上未交纳党费，应按规定处理", m->org_name,
						     oc[o].n6),
				.link = link, .date = as_of,
			};
			if (findings_add(out, &f) != 0)
				return DB_EGENERIC;
		}
		if (oc[o].n3) {
			struct finding f = {
				.org_id = m->org_id, .org_path = m->org_path, .org_name = m->org_name,
				.subject = "member", .code = "dues_arrears_3", .label = "欠交党费3个月",
				.severity = RULE_MEDIUM,
				.text = arena_printf(q->a, "%s：%d名党员已连续3个月以上未交纳党费", m->org_name, oc[o].n3),
				.link = link, .date = as_of,
			};
			if (findings_add(out, &f) != 0)
				return DB_EGENERIC;
		}
	}
	return DB_OK;
}

void dues_http_arrears(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	const char *org_path, *as_of = req_query(r, "as_of");
	struct ymd d;
	struct dues_book bk;
	int64_t until;
	json_t *items;
	int rc;

	if (!members_org_param(r, "dues.read", &org_path))
		return;
	if (as_of && date_parse_iso(as_of, &d) != 0) {
		struct zb_fail f;
		zb_fail_init(&f);
		zb_fail_field(&f, "as_of", "日期应为 YYYY-MM-DD 格式的日期");
		resp_fail(r, &f);
		return;
	}
	if (!as_of)
		d = date_today_cn();
	until = (int64_t)d.y * 12 + d.m - 1;
	scope_for(c, "dues.read", &s);
	rc = book_load(c->db, &r->arena, &s, org_path ? arena_printf(&r->arena, "%s%%", org_path) : NULL, until, &bk);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < bk.n; i++) {
		const struct dues_member *m = &bk.v[i];
		json_t *months = json_array();
		int64_t owed;
		int run, n = member_unpaid(m, 0, until, &owed, &run);
		if (!n) {
			json_decref(months);
			continue;
		}
		for (int64_t mi = m->from; mi < until && mi - m->from < m->span; mi++) {
			if (member_due(m, mi) > 0 && !m->paid[mi - m->from]) {
				char ms[8];
				month_from_index(mi, ms);
				json_array_append_new(months, json_string(ms));
			}
		}
		json_array_append_new(items, json_pack("{s:I, s:s, s:I, s:s, s:o, s:i, s:i, s:I}", "person_id",
						       (json_int_t)m->person_id, "name", m->name, "org_id",
						       (json_int_t)m->org_id, "org_name", m->org_name, "months", months,
						       "count", n, "consecutive", run, "owed_fen", (json_int_t)owed));
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------- payments */

static json_t *payment_row(struct db_stmt *st)
{
	return json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:b, s:s, s:I}", "id",
			 (json_int_t)db_col_int(st, 0), "person_id", (json_int_t)db_col_int(st, 1), "person_name",
			 db_col_text(st, 2), "org_id", (json_int_t)db_col_int(st, 3), "org_name", db_col_text(st, 4),
			 "month", db_col_text(st, 5), "amount_fen", (json_int_t)db_col_int(st, 6), "method",
			 db_col_text(st, 7), "method_label", db_col_text(st, 8), "receipt_no", db_col_text(st, 9),
			 "paid_on", db_col_text(st, 10), "back", (int)db_col_int(st, 11), "status", db_col_text(st, 12),
			 "version", (json_int_t)db_col_int(st, 13));
}

static json_t *payment_json(struct db *db, struct arena *a, int64_t id)
{
	struct db_stmt *st = db_prepare(db, arena_printf(a, "%s WHERE py.id = ?", SQL_PAY_COLS));
	json_t *j = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		j = payment_row(st);
	db_finalize(st);
	return j;
}

void dues_http_payments(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct db_params p = { 0 };
	struct zb_fail f;
	const char *org_path, *where, *month = req_query(r, "month");
	int64_t person = 0, year, page, size, total = 0;
	struct db_stmt *st;
	json_t *items;
	int rc;

	if (!members_org_param(r, "dues.read", &org_path))
		return;
	zb_fail_init(&f);
	year = req_query_int(r, "year", 0, 1949, 2200, &f);
	person = req_query_int(r, "person_id", 0, 1, INT64_MAX, &f);
	page = req_query_int(r, "page", 1, 1, 100000, &f);
	size = req_query_int(r, "page_size", 20, 1, 500, &f);
	if (month && !month_valid(month))
		zb_fail_field(&f, "month", "月份应为 YYYY-MM 格式");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	scope_for(c, "dues.read", &s);
	where = scope_sql(&r->arena, &s, "o.path");
	for (int i = 0; i < s.n; i++)
		db_param_text(&p, arena_printf(&r->arena, "%s%%", s.paths[i]));
	if (org_path) {
		where = arena_printf(&r->arena, "%s AND o.path LIKE ?", where);
		db_param_text(&p, arena_printf(&r->arena, "%s%%", org_path));
	}
	if (person) {
		where = arena_printf(&r->arena, "%s AND py.person_id = ?", where);
		db_param_int(&p, person);
	}
	if (year) {
		where = arena_printf(&r->arena, "%s AND py.month LIKE ?", where);
		db_param_text(&p, arena_printf(&r->arena, "%04d-%%", (int)year));
	}
	if (month) {
		where = arena_printf(&r->arena, "%s AND py.month = ?", where);
		db_param_text(&p, month);
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT COUNT(*) FROM dues_payments py JOIN orgs o ON o.id = py.org_id"
					     " WHERE %s", where));
	if (st) {
		db_params_bind(st, &p);
		if (db_step(st) == DB_ROW)
			total = db_col_int(st, 0);
		db_finalize(st);
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "%s WHERE %s ORDER BY py.month DESC, o.path, pe.name, py.id"
					     " LIMIT %lld OFFSET %lld", SQL_PAY_COLS, where, (long long)size,
					     (long long)((page - 1) * size)));
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_params_bind(st, &p);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, payment_row(st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "page",
				    (json_int_t)page, "page_size", (json_int_t)size));
}

static const struct json_field pay_fields[] = {
	{ "person_id", JF_INT, 1, 0, 1, INT64_MAX, "党员" },
	{ "month", JF_STRING, 1, 0, 1, 16, "月份" },
	{ "amount_fen", JF_INT, 1, 0, 0, 100000000, "金额" },
	{ "method", JF_STRING, 1, 0, 1, 32, "缴纳方式" },
	{ "receipt_no", JF_STRING, 0, 1, 0, 64, "收据号" },
	{ "paid_on", JF_DATE, 1, 0, 0, 0, "缴纳日期" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/*
 * Record one payment of person w (checks, insert, audit) inside the open
 * transaction; `today` bounds paid_on. The new id, 0 refused (f), or DB_E*.
 */
static int64_t pay_insert(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
			  const struct person_where *w, const char *month, int64_t amount, const char *method,
			  const char *receipt, const char *paid_on, const char *today, int64_t user_id,
			  struct zb_fail *f)
{
	int64_t mi = month_index(month), paid_mi, taken = 0, monthly = -1, id = 0, red = -1;
	int back_max = members_setting_int(db, "dues_back_max_months", 6), rc;
	struct db_stmt *st;
	char from[8] = "", pm[8];

	st = db_prepare(db, "SELECT monthly_fen, from_month FROM dues_profiles WHERE person_id = ?");
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, w->id);
	if (db_step(st) == DB_ROW) {
		monthly = db_col_int(st, 0);
		snprintf(from, sizeof(from), "%s", db_col_text(st, 1));
	}
	db_finalize(st);
	if (monthly < 0)
		zb_fail_field(f, "person_id", "尚未设置该党员的党费缴纳标准");
	if (mi < 0)
		zb_fail_field(f, "month", "月份应为 YYYY-MM 格式");
	if (!dict_label(db, a, "dues_method", method))
		zb_fail_field(f, "method", "缴纳方式“%s”不在字典中", method);
	if (!paid_on || date_parse_iso(paid_on, NULL) != 0)
		zb_fail_field(f, "paid_on", "日期应为 YYYY-MM-DD 格式的日期");
	else if (strcmp(paid_on, today) > 0)
		zb_fail_field(f, "paid_on", "缴纳日期不能晚于今天");
	if (f->err)
		return 0;
	memcpy(pm, paid_on, 7);
	pm[7] = '\0';
	paid_mi = month_index(pm);
	if (mi < month_index(from))
		zb_fail_field(f, "month", "早于起缴月份（%s）", from);
	else if (paid_mi - mi > back_max)
		zb_fail_field(f, "month", "补缴不能超过%d个月：连续%d个月不交纳党费又无正当理由的，按自行脱党处理", back_max,
			      back_max);
	else if (mi - paid_mi > 12)
		zb_fail_field(f, "month", "最多预交12个月");
	db_query_int(db, &taken, "SELECT COUNT(*) FROM dues_payments WHERE person_id = ? AND month = ? AND status = 'active'",
		     "is", w->id, month);
	if (taken)
		zb_fail_field(f, "month", "%s的党费已经交纳", month);
	db_query_int(db, &red,
		     "SELECT monthly_fen FROM dues_reductions WHERE person_id = ? AND status = 'approved'"
		     " AND from_month <= ? AND to_month >= ?", "iss", w->id, month, month);
	if (red >= 0)
		monthly = red;
	if (!f->err && amount < monthly)
		zb_fail_field(f, "amount_fen", "金额不足：该月应交%lld.%02lld元", (long long)(monthly / 100),
			      (long long)(monthly % 100));
	if (f->err)
		return 0;
	{
		char now[24];
		ts_now(now);
		st = db_prepare(db, SQL_PAY_INSERT);
		if (!st)
			return DB_EGENERIC;
		db_bindf(st, "iisisssinss", w->id, w->org_id, month, amount, method, receipt ? receipt : "", paid_on,
			 (int64_t)(paid_mi > mi), now, now);
		if (user_id)
			db_bind_int(st, 9, user_id);
		rc = db_step(st);
		if (rc == DB_ROW)
			id = db_col_int(st, 0);
		db_finalize(st);
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_EGENERIC;
	}
	{
		json_t *after = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s}", "person_id", (json_int_t)w->id, "month", month,
					  "amount_fen", (json_int_t)amount, "method", method, "receipt_no",
					  receipt ? receipt : "", "paid_on", paid_on);
		rc = audit_append(db, k, who, "dues_payment", id, "create", NULL, after);
		json_decref(after);
	}
	return rc == DB_OK ? id : rc;
}

void dues_http_pay(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_where w;
	struct scope s;
	struct audit_who who;
	struct zb_fail f;
	json_t *b;
	int64_t id;
	char today[11];

	zb_fail_init(&f);
	if (!(b = members_body(r, pay_fields, &f)))
		return;
	scope_for(c, "dues.read", &s);
	if (person_where_load(c->db, json_int(b, "person_id", 0), &w) != 1 || !scope_contains(&s, w.org_path)) {
		json_decref(b);
		zb_fail_release(&f);
		resp_error(r, ZB_ENOTFOUND, "人员不存在");
		return;
	}
	if (!perm_has(c, "dues.write", w.org_path)) {
		json_decref(b);
		zb_fail_release(&f);
		resp_error(r, ZB_EFORBIDDEN, "您无权登记该党员的党费");
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	members_today(today);
	id = pay_insert(c->db, &r->app->keys, &who, &r->arena, &w, json_str(b, "month", ""), json_int(b, "amount_fen", 0),
			json_str(b, "method", ""), json_str_trim(&r->arena, b, "receipt_no", ""),
			json_str(b, "paid_on", NULL), today, c->user_id, &f);
	json_decref(b);
	if (!members_write_ok(r, id < 0 ? (int)id : DB_OK, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 201, payment_json(c->db, &r->arena, id));
}

static const struct json_field void_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本" },
	{ "reason", JF_STRING, 1, 0, 1, 500, "作废原因" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void dues_http_payment_void(struct req *r)
{
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id"), changed = 0;
	struct scope s;
	struct zb_fail f;
	struct db_stmt *st;
	char path[256] = "", now[24];
	json_t *b, *after;
	int rc;

	st = db_prepare(c->db, "SELECT o.path FROM dues_payments py JOIN orgs o ON o.id = py.org_id WHERE py.id = ?");
	if (st) {
		db_bind_int(st, 1, id);
		if (db_step(st) == DB_ROW)
			snprintf(path, sizeof(path), "%s", db_col_text(st, 0));
		db_finalize(st);
	}
	scope_for(c, "dues.read", &s);
	if (!path[0] || !scope_contains(&s, path)) {
		resp_error(r, ZB_ENOTFOUND, "缴费记录不存在");
		return;
	}
	if (!perm_has(c, "dues.write", path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该缴费记录");
		return;
	}
	zb_fail_init(&f);
	if (!(b = members_body(r, void_fields, &f)))
		return;
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	ts_now(now);
	rc = db_run_changes(c->db, &changed,
			    "UPDATE dues_payments SET status = 'voided', void_reason = ?, version = version + 1, updated_at = ?"
			    " WHERE id = ? AND version = ? AND status = 'active'", "ssii",
			    json_str_trim(&r->arena, b, "reason", ""), now, id, json_int(b, "version", 0));
	if (rc == DB_OK && changed != 1) {
		db_rollback(c->db);
		json_decref(b);
		zb_fail_release(&f);
		app_conflict(r, "该缴费记录已被他人修改，请刷新后重试", payment_json(c->db, &r->arena, id));
		return;
	}
	after = json_pack("{s:s, s:s}", "status", "voided", "reason", json_str_trim(&r->arena, b, "reason", ""));
	if (rc == DB_OK)
		rc = app_audit(r, "dues_payment", id, "void", NULL, after);
	json_decref(after);
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 200, payment_json(c->db, &r->arena, id));
}

/* ---------------------------------------------------------------- reductions */

static const char SQL_RED_COLS[] =
	"SELECT rd.id, rd.person_id, pe.name, rd.org_id, o.name, rd.from_month, rd.to_month, rd.monthly_fen,"
	" rd.reason, rd.status, rd.decided_on, rd.decision_note, rd.version, o.path"
	" FROM dues_reductions rd JOIN people pe ON pe.id = rd.person_id JOIN orgs o ON o.id = rd.org_id";

static json_t *red_row(struct db_stmt *st)
{
	json_t *j = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I}", "id",
			      (json_int_t)db_col_int(st, 0), "person_id", (json_int_t)db_col_int(st, 1), "person_name",
			      db_col_text(st, 2), "org_id", (json_int_t)db_col_int(st, 3), "org_name", db_col_text(st, 4),
			      "from_month", db_col_text(st, 5), "to_month", db_col_text(st, 6), "monthly_fen",
			      (json_int_t)db_col_int(st, 7), "reason", db_col_text(st, 8), "status", db_col_text(st, 9),
			      "decision_note", db_col_text(st, 11), "version", (json_int_t)db_col_int(st, 12));
	json_object_set_new(j, "decided_on", db_col_text(st, 10) ? json_string(db_col_text(st, 10)) : json_null());
	return j;
}

static json_t *red_json(struct db *db, struct arena *a, int64_t id, char *path /* OUT, 256, may be NULL */)
{
	struct db_stmt *st = db_prepare(db, arena_printf(a, "%s WHERE rd.id = ?", SQL_RED_COLS));
	json_t *j = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		j = red_row(st);
		if (path)
			snprintf(path, 256, "%s", db_col_text(st, 13));
	}
	db_finalize(st);
	return j;
}

static const struct json_field red_fields[] = {
	{ "person_id", JF_INT, 1, 0, 1, INT64_MAX, "党员" },
	{ "from_month", JF_STRING, 1, 0, 1, 16, "起始月份" },
	{ "to_month", JF_STRING, 1, 0, 1, 16, "截止月份" },
	{ "monthly_fen", JF_INT, 1, 0, 0, 100000000, "减免后每月金额" },
	{ "reason", JF_STRING, 1, 0, 1, 500, "原因" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void dues_http_reduction_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_where w;
	struct scope s;
	struct zb_fail f;
	json_t *b, *after;
	int64_t id = 0;
	char now[24];
	int rc;

	zb_fail_init(&f);
	if (!(b = members_body(r, red_fields, &f)))
		return;
	scope_for(c, "dues.read", &s);
	if (person_where_load(c->db, json_int(b, "person_id", 0), &w) != 1 || !scope_contains(&s, w.org_path)) {
		json_decref(b);
		zb_fail_release(&f);
		resp_error(r, ZB_ENOTFOUND, "人员不存在");
		return;
	}
	if (!perm_has(c, "dues.write", w.org_path)) {
		json_decref(b);
		zb_fail_release(&f);
		resp_error(r, ZB_EFORBIDDEN, "您无权办理该党员的党费");
		return;
	}
	if (!month_valid(json_str(b, "from_month", "")))
		zb_fail_field(&f, "from_month", "月份应为 YYYY-MM 格式");
	if (!month_valid(json_str(b, "to_month", "")))
		zb_fail_field(&f, "to_month", "月份应为 YYYY-MM 格式");
	else if (strcmp(json_str(b, "to_month", ""), json_str(b, "from_month", "")) < 0)
		zb_fail_field(&f, "to_month", "截止月份不能早于起始月份");
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	ts_now(now);
	{
		struct db_stmt *st = db_prepare(c->db, SQL_RED_INSERT);
		rc = st ? DB_OK : DB_EGENERIC;
		if (st) {
			db_bindf(st, "iissisnss", w.id, w.org_id, json_str(b, "from_month", ""), json_str(b, "to_month", ""),
				 json_int(b, "monthly_fen", 0), json_str_trim(&r->arena, b, "reason", ""), now, now);
			if (c->user_id)
				db_bind_int(st, 7, c->user_id);
			rc = db_step(st);
			id = rc == DB_ROW ? db_col_int(st, 0) : 0;
			rc = rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
			db_finalize(st);
		}
	}
	after = json_deep_copy(b);
	if (rc == DB_OK)
		rc = app_audit(r, "dues_reduction", id, "create", NULL, after);
	json_decref(after);
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 201, red_json(c->db, &r->arena, id, NULL));
}

void dues_http_reductions(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct db_params p = { 0 };
	const char *org_path, *where, *status = req_query(r, "status");
	struct db_stmt *st;
	json_t *items;
	int rc;

	if (!members_org_param(r, "dues.read", &org_path))
		return;
	scope_for(c, "dues.read", &s);
	where = scope_sql(&r->arena, &s, "o.path");
	for (int i = 0; i < s.n; i++)
		db_param_text(&p, arena_printf(&r->arena, "%s%%", s.paths[i]));
	if (org_path) {
		where = arena_printf(&r->arena, "%s AND o.path LIKE ?", where);
		db_param_text(&p, arena_printf(&r->arena, "%s%%", org_path));
	}
	if (status) {
		where = arena_printf(&r->arena, "%s AND rd.status = ?", where);
		db_param_text(&p, status);
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "%s WHERE %s ORDER BY rd.id DESC LIMIT 1000", SQL_RED_COLS, where));
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_params_bind(st, &p);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *e = red_row(st);
		const char *path = db_col_text(st, 13);
		char parent[256];
		/* the level above decides: member.approve on the org above the person's org */
		size_t len = strlen(path);
		snprintf(parent, sizeof(parent), "%s", path);
		if (len >= 2) {
			parent[len - 1] = '\0';
			char *slash = strrchr(parent, '/');
			if (slash)
				slash[1] = '\0';
		}
		json_object_set_new(e, "can_decide", json_boolean(strcmp(db_col_text(st, 9), "requested") == 0 &&
								  perm_has(c, "member.approve", parent)));
		json_array_append_new(items, e);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct json_field decide_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本" },
	{ "decision", JF_STRING, 1, 0, 1, 16, "审批意见" },
	{ "note", JF_STRING, 0, 1, 0, 500, "说明" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void dues_http_reduction_decide(struct req *r)
{
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id"), changed = 0;
	struct scope s;
	struct zb_fail f;
	char path[256] = "", parent[256], now[24], today[11];
	json_t *cur = red_json(c->db, &r->arena, id, path), *b, *after;
	const char *decision;
	int rc;

	scope_for(c, "dues.read", &s);
	if (!cur || !scope_contains(&s, path)) {
		json_decref(cur);
		resp_error(r, ZB_ENOTFOUND, "减免申请不存在");
		return;
	}
	json_decref(cur);
	snprintf(parent, sizeof(parent), "%s", path);
	if (strlen(parent) >= 2) {
		char *slash;
		parent[strlen(parent) - 1] = '\0';
		slash = strrchr(parent, '/');
		if (slash)
			slash[1] = '\0';
	}
	if (!perm_has(c, "member.approve", parent)) {
		resp_error(r, ZB_EFORBIDDEN, "党费减免须由上级党组织审批");
		return;
	}
	zb_fail_init(&f);
	if (!(b = members_body(r, decide_fields, &f)))
		return;
	decision = json_str(b, "decision", "");
	if (strcmp(decision, "approve") != 0 && strcmp(decision, "refuse") != 0) {
		json_decref(b);
		zb_fail_field(&f, "decision", "审批意见应为 approve（同意）或 refuse（不同意）");
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	ts_now(now);
	members_today(today);
	rc = db_run_changes(c->db, &changed,
			    "UPDATE dues_reductions SET status = ?, decided_on = ?, decision_note = ?, decided_by = ?,"
			    " version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'requested'",
			    "sssisii", strcmp(decision, "approve") == 0 ? "approved" : "refused", today,
			    json_str_trim(&r->arena, b, "note", ""), c->user_id, now, id, json_int(b, "version", 0));
	if (rc == DB_OK && changed != 1) {
		db_rollback(c->db);
		json_decref(b);
		zb_fail_release(&f);
		app_conflict(r, "该减免申请已被他人处理，请刷新后重试", red_json(c->db, &r->arena, id, NULL));
		return;
	}
	after = json_deep_copy(b);
	if (rc == DB_OK)
		rc = app_audit(r, "dues_reduction", id, "decide", NULL, after);
	json_decref(after);
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 200, red_json(c->db, &r->arena, id, NULL));
}

/* ---------------------------------------------------------------- summary and export */

/* The summary rows: one per branch (and general branch) under the scope / org path, for months [m0, m1]. */
static json_t *summary_build(struct db *db, struct arena *a, const struct scope *s, const char *org_path,
			     int64_t m0, int64_t m1, int *rc)
{
	struct dues_book bk;
	struct db_params p = { 0 };
	const char *where = scope_sql(a, s, "b.path");
	struct db_stmt *st;
	json_t *items = json_array(), *total;
	int64_t t_due = 0, t_paid = 0, t_count = 0, t_arrears = 0, t_members = 0;
	struct ymd today = date_today_cn();
	int64_t now_mi = (int64_t)today.y * 12 + today.m - 1;
	int64_t until = m1 + 1 < now_mi ? m1 + 1 : now_mi;

	*rc = book_load(db, a, s, org_path ? arena_printf(a, "%s%%", org_path) : NULL, m1 + 1, &bk);
	if (*rc != DB_OK) {
		json_decref(items);
		return NULL;
	}
	for (int i = 0; i < s->n; i++)
		db_param_text(&p, arena_printf(a, "%s%%", s->paths[i]));
	if (org_path) {
		where = arena_printf(a, "%s AND b.path LIKE ?", where);
		db_param_text(&p, arena_printf(a, "%s%%", org_path));
	}
	/* amounts paid per org for the months */
	struct paid { const char *path; int64_t fen, count; } *pv = NULL;
	size_t pn = 0;
	st = db_prepare(db, arena_printf(a,
		"SELECT b.path, SUM(py.amount_fen), COUNT(*) FROM dues_payments py JOIN orgs b ON b.id = py.org_id"
		" WHERE py.status = 'active' AND py.month >= ? AND py.month <= ? AND %s GROUP BY b.path", where));
	if (st) {
		char f0[8], f1[8];
		month_from_index(m0, f0);
		month_from_index(m1, f1);
		db_bindf(st, "ss", f0, f1);
		{
			struct db_params p2 = p;
			int idx = 3;
			for (int i = 0; i < p2.n; i++)
				db_bind_text(st, idx++, p2.v[i].s);
		}
		pv = arena_alloc(a, 4096 * sizeof(*pv));
		while ((*rc = db_step(st)) == DB_ROW && pn < 4096) {
			pv[pn].path = arena_strdup(a, db_col_text(st, 0));
			pv[pn].fen = db_col_int(st, 1);
			pv[pn].count = db_col_int(st, 2);
			pn++;
		}
		db_finalize(st);
	}
	st = db_prepare(db, arena_printf(a,
		"SELECT b.id, b.name, b.path, b.kind FROM orgs b WHERE b.kind IN ('branch', 'general_branch')"
		" AND b.status = 'active' AND %s ORDER BY b.path", where));
	if (!st) {
		*rc = DB_EGENERIC;
		json_decref(items);
		return NULL;
	}
	db_params_bind(st, &p);
	while ((*rc = db_step(st)) == DB_ROW) {
		const char *bp = db_col_text(st, 2);
		size_t bl = strlen(bp);
		int64_t due = 0, paid = 0, count = 0, arrears = 0, members = 0;
		for (size_t i = 0; i < bk.n; i++) {
			const struct dues_member *m = &bk.v[i];
			int64_t owed;
			int run;
			if (strncmp(m->org_path, bp, bl) != 0)
				continue;
			members++;
			for (int64_t mi = m0; mi <= m1; mi++)
				if (mi >= m->from)
					due += member_due(m, mi);
			arrears += member_unpaid(m, m0, until, &owed, &run) > 0;
		}
		for (size_t i = 0; i < pn; i++)
			if (strncmp(pv[i].path, bp, bl) == 0) {
				paid += pv[i].fen;
				count += pv[i].count;
			}
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "org_id",
						       (json_int_t)db_col_int(st, 0), "org_name", db_col_text(st, 1), "kind",
						       db_col_text(st, 3), "members", (json_int_t)members, "due_fen",
						       (json_int_t)due, "paid_fen", (json_int_t)paid, "paid_count",
						       (json_int_t)count, "arrears_people", (json_int_t)arrears));
	}
	db_finalize(st);
	if (*rc != DB_DONE) {
		*rc = *rc < 0 ? *rc : DB_EGENERIC;
		json_decref(items);
		return NULL;
	}
	*rc = DB_OK;
	for (size_t i = 0; i < bk.n; i++) {
		int64_t owed;
		int run;
		t_members++;
		for (int64_t mi = m0; mi <= m1; mi++)
			if (mi >= bk.v[i].from)
				t_due += member_due(&bk.v[i], mi);
		t_arrears += member_unpaid(&bk.v[i], m0, until, &owed, &run) > 0;
	}
	for (size_t i = 0; i < pn; i++) {
		t_paid += pv[i].fen;
		t_count += pv[i].count;
	}
	total = json_pack("{s:I, s:I, s:I, s:I, s:I}", "members", (json_int_t)t_members, "due_fen", (json_int_t)t_due,
			  "paid_fen", (json_int_t)t_paid, "paid_count", (json_int_t)t_count, "arrears_people",
			  (json_int_t)t_arrears);
	return json_pack("{s:o, s:o}", "items", items, "total", total);
}

/* year / month query parameters as the month range; 0 when answered. */
static int period_params(struct req *r, int64_t *m0, int64_t *m1, int64_t *year, int64_t *month)
{
	struct zb_fail f;
	struct ymd t = date_today_cn();

	zb_fail_init(&f);
	*year = req_query_int(r, "year", t.y, 1949, 2200, &f);
	*month = req_query_int(r, "month", 0, 1, 12, &f);
	if (f.err) {
		resp_fail(r, &f);
		return 0;
	}
	zb_fail_release(&f);
	*m0 = *year * 12 + (*month ? *month - 1 : 0);
	*m1 = *year * 12 + (*month ? *month - 1 : 11);
	return 1;
}

void dues_http_summary(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	const char *org_path;
	int64_t m0, m1, year, month;
	json_t *j;
	int rc;

	if (!members_org_param(r, "dues.read", &org_path) || !period_params(r, &m0, &m1, &year, &month))
		return;
	scope_for(c, "dues.read", &s);
	j = summary_build(c->db, &r->arena, &s, org_path, m0, m1, &rc);
	if (!j) {
		app_db_fail(r, rc, 0);
		return;
	}
	json_object_set_new(j, "year", json_integer(year));
	json_object_set_new(j, "month", month ? json_integer(month) : json_null());
	resp_json(r, 200, j);
}

/* Read path whole into the response as an xlsx attachment; the file is removed. 0 on failure. */
static int send_file(struct req *r, const char *path, const char *utf8_name)
{
	FILE *fp = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!fp)
		return 0;
	buf_reset(&r->out);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		buf_add(&r->out, buf, n);
	fclose(fp);
	unlink(path);
	if (r->out.err)
		return 0;
	r->status = 200;
	r->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	resp_attachment(r, "dues.xlsx", utf8_name);
	r->answered = 1;
	return 1;
}

void dues_http_export(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	const char *org_path;
	int64_t m0, m1, year, month, rows = 0;
	json_t *sum, *after;
	struct db_params p = { 0 };
	const char *where;
	struct db_stmt *st;
	lxw_workbook *wb;
	lxw_worksheet *ws, *ws2;
	lxw_format *head;
	char tmp[] = "/tmp/zhibu-dues-XXXXXX";
	int fd, rc;
	size_t i;

	if (!members_org_param(r, "dues.read", &org_path) || !period_params(r, &m0, &m1, &year, &month))
		return;
	scope_for(c, "dues.read", &s);
	sum = summary_build(c->db, &r->arena, &s, org_path, m0, m1, &rc);
	if (!sum) {
		app_db_fail(r, rc, 0);
		return;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		json_decref(sum);
		resp_error(r, ZB_EINTERNAL, "无法生成导出文件");
		return;
	}
	close(fd);
	wb = workbook_new(tmp);
	ws = wb ? workbook_add_worksheet(wb, "缴费明细") : NULL;
	ws2 = wb ? workbook_add_worksheet(wb, "汇总") : NULL;
	if (!ws || !ws2) {
		if (wb)
			workbook_close(wb);
		unlink(tmp);
		json_decref(sum);
		resp_error(r, ZB_EINTERNAL, "无法生成导出文件");
		return;
	}
	head = workbook_add_format(wb);
	format_set_bold(head);
	{
		static const char *const cols[] = { "党组织", "姓名", "月份", "金额（元）", "缴纳方式", "收据号", "缴纳日期", "补缴", "状态" };
		for (int k = 0; k < 9; k++)
			worksheet_write_string(ws, 0, (lxw_col_t)k, cols[k], head);
	}
	where = scope_sql(&r->arena, &s, "o.path");
	for (int k = 0; k < s.n; k++)
		db_param_text(&p, arena_printf(&r->arena, "%s%%", s.paths[k]));
	if (org_path) {
		where = arena_printf(&r->arena, "%s AND o.path LIKE ?", where);
		db_param_text(&p, arena_printf(&r->arena, "%s%%", org_path));
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "%s WHERE %s AND py.month >= ? AND py.month <= ?"
					     " ORDER BY o.path, pe.name, py.month", SQL_PAY_COLS, where));
	if (st) {
		char f0[8], f1[8];
		int idx = db_params_bind(st, &p);
		month_from_index(m0, f0);
		month_from_index(m1, f1);
		db_bind_text(st, idx, f0);
		db_bind_text(st, idx + 1, f1);
		while (db_step(st) == DB_ROW) {
			lxw_row_t row = (lxw_row_t)++rows;
			worksheet_write_string(ws, row, 0, db_col_text(st, 4), NULL);
			worksheet_write_string(ws, row, 1, db_col_text(st, 2), NULL);
			worksheet_write_string(ws, row, 2, db_col_text(st, 5), NULL);
			worksheet_write_number(ws, row, 3, (double)db_col_int(st, 6) / 100.0, NULL);
			worksheet_write_string(ws, row, 4, db_col_text(st, 8), NULL);
			worksheet_write_string(ws, row, 5, db_col_text(st, 9), NULL);
			worksheet_write_string(ws, row, 6, db_col_text(st, 10), NULL);
			worksheet_write_string(ws, row, 7, db_col_int(st, 11) ? "是" : "否", NULL);
			worksheet_write_string(ws, row, 8, strcmp(db_col_text(st, 12), "active") == 0 ? "有效" : "已作废", NULL);
		}
		db_finalize(st);
	}
	{
		static const char *const cols[] = { "党组织", "缴费党员", "应交（元）", "实交（元）", "缴费笔数", "欠交人数" };
		json_t *items = json_object_get(sum, "items");
		for (int k = 0; k < 6; k++)
			worksheet_write_string(ws2, 0, (lxw_col_t)k, cols[k], head);
		for (i = 0; i < json_array_size(items); i++) {
			json_t *e = json_array_get(items, i);
			lxw_row_t row = (lxw_row_t)(i + 1);
			worksheet_write_string(ws2, row, 0, json_string_value(json_object_get(e, "org_name")), NULL);
			worksheet_write_number(ws2, row, 1, (double)json_integer_value(json_object_get(e, "members")), NULL);
			worksheet_write_number(ws2, row, 2, (double)json_integer_value(json_object_get(e, "due_fen")) / 100.0, NULL);
			worksheet_write_number(ws2, row, 3, (double)json_integer_value(json_object_get(e, "paid_fen")) / 100.0, NULL);
			worksheet_write_number(ws2, row, 4, (double)json_integer_value(json_object_get(e, "paid_count")), NULL);
			worksheet_write_number(ws2, row, 5, (double)json_integer_value(json_object_get(e, "arrears_people")), NULL);
		}
	}
	json_decref(sum);
	if (workbook_close(wb) != LXW_NO_ERROR) {
		unlink(tmp);
		resp_error(r, ZB_EINTERNAL, "无法生成导出文件");
		return;
	}
	if (!app_begin_write(r)) {
		unlink(tmp);
		return;
	}
	after = json_pack("{s:s, s:I, s:I}", "what", "dues", "year", (json_int_t)year, "rows", (json_int_t)rows);
	rc = app_audit(r, "export", 0, "dues", NULL, after);
	json_decref(after);
	if (rc != DB_OK || db_commit(c->db) != DB_OK) {
		unlink(tmp);
		app_db_fail(r, rc != DB_OK ? rc : DB_EGENERIC, 1);
		return;
	}
	if (!send_file(r, tmp, arena_printf(&r->arena, "党费%lld年.xlsx", (long long)year)))
		resp_error(r, ZB_EINTERNAL, "无法生成导出文件");
}

/* ---------------------------------------------------------------- for the demo */

int members_dues_demo_profile(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
			      int64_t person_id, const char *category, int64_t base_fen, const char *from_month)
{
	struct zb_fail f;
	int rc;

	zb_fail_init(&f);
	rc = profile_set(db, k, who, a, person_id, 0, category, base_fen >= 0, base_fen, from_month, &f);
	zb_fail_release(&f);
	return rc == 1 ? DB_EGENERIC : rc;
}
