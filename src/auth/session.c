/* session.c - login with lockout and TOTP, cookie sessions with idle/absolute expiry, CSRF, password change. */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "session.h"
#include "audit.h"
#include "perm.h"
#include "ratelimit.h"
#include "totp.h"
#include "../base/date.h"
#include "../base/json.h"
#include "../base/log.h"

static const char SQL_POLICY_GET[] =
	"SELECT value, version FROM settings WHERE key = 'security_policy'";
static const char SQL_POLICY_SET[] =
	"UPDATE settings SET value = ?, version = version + 1, updated_at = ?"
	" WHERE key = 'security_policy' AND version = ?";
static const char SQL_USER_BY_NAME[] =
	"SELECT id, password_hash, status, failed_logins, locked_until, totp_enabled, totp_secret,"
	" totp_last_step FROM users WHERE username = ?";
static const char SQL_USER_FAIL[] =
	"UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?";
static const char SQL_USER_OK[] =
	"UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ?,"
	" totp_last_step = ? WHERE id = ?";
static const char SQL_SESSION_NEW[] =
	"INSERT INTO sessions (token_hash, user_id, csrf_token, ip, created_at, last_seen_at,"
	" created_unix, last_seen_unix) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_SESSION_REVOKE[] = "UPDATE sessions SET revoked = 1 WHERE token_hash = ?";
static const char SQL_SESSION_REVOKE_OTHERS[] =
	"UPDATE sessions SET revoked = 1 WHERE user_id = ? AND id <> ?";
static const char SQL_SESSION_GET[] =
	"SELECT s.id, s.user_id, s.csrf_token, s.created_unix, s.last_seen_unix, s.revoked,"
	" u.username, u.status, u.must_change_password, u.totp_enabled"
	" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?";
static const char SQL_SESSION_TOUCH[] =
	"UPDATE sessions SET last_seen_at = ?, last_seen_unix = ? WHERE id = ?";
static const char SQL_GRANTS[] =
	"SELECT g.role, g.org_id, o.path FROM role_grants g JOIN orgs o ON o.id = g.org_id"
	" WHERE g.user_id = ? ORDER BY g.id";
static const char SQL_USER_INFO[] =
	"SELECT u.username, u.display_name, u.org_id, o.name, u.must_change_password,"
	" u.totp_enabled, u.last_login_at FROM users u LEFT JOIN orgs o ON o.id = u.org_id"
	" WHERE u.id = ?";
static const char SQL_PW_GET[] = "SELECT password_hash, username FROM users WHERE id = ?";
static const char SQL_PW_SET[] =
	"UPDATE users SET password_hash = ?, must_change_password = 0, password_changed_at = ?,"
	" updated_at = ?, version = version + 1 WHERE id = ?";
static const char SQL_TOTP_GET[] =
	"SELECT totp_enabled, totp_secret, totp_last_step, password_hash FROM users WHERE id = ?";
static const char SQL_TOTP_SET[] =
	"UPDATE users SET totp_secret = ?, totp_enabled = ?, totp_last_step = ?, updated_at = ?,"
	" version = version + 1 WHERE id = ?";
static const char SQL_ORG_NAME[] = "SELECT name FROM orgs WHERE id = ?";

/* ---------------------------------------------------------------- policy */

static const struct policy policy_defaults = { 8, 3, 5, 30, 30, 12, 0, 1 };

/* The policy's fields: name, offset, Chinese label and allowed range. */
struct policy_field {
	const char *name;
	size_t off;
	const char *label;
	int min, max, is_bool;
};
#define PF(n, l, lo, hi, b) { #n, offsetof(struct policy, n), l, lo, hi, b }
static const struct policy_field policy_fields[] = {
	PF(password_min_length, "密码最小长度", 8, 64, 0),
	PF(password_min_classes, "密码字符类别数", 1, 4, 0),
	PF(lockout_threshold, "锁定前允许的失败次数", 3, 20, 0),
	PF(lockout_minutes, "锁定时长（分钟）", 1, 1440, 0),
	PF(idle_timeout_minutes, "空闲超时（分钟）", 5, 240, 0),
	PF(absolute_timeout_hours, "会话最长时长（小时）", 1, 72, 0),
	PF(totp_required_for_admins, "管理员必须使用动态验证码", 0, 1, 1),
};
#define NPOLICY (sizeof(policy_fields) / sizeof(policy_fields[0]))

static int *policy_slot(struct policy *p, const struct policy_field *pf)
{
	return (int *)((char *)p + pf->off);
}

/*
 * The policy parsed from its stored text. Every authenticated request reads
 * the policy; parsing its JSON was half of resolving a session, so the last
 * text parsed is kept with its result (per process, behind a mutex) and
 * reused while the stored text is byte-identical.
 */
static struct {
	pthread_mutex_t lock;
	char *text;
	struct policy parsed;	/* without the version, which is read every time */
} policy_last = { PTHREAD_MUTEX_INITIALIZER, NULL, { 0 } };

static void policy_parse(const char *text, struct policy *p)
{
	json_t *j = json_loads(text, 0, NULL);

	for (size_t i = 0; j && i < NPOLICY; i++) {
		json_t *v = json_object_get(j, policy_fields[i].name);
		if (json_is_integer(v))
			*policy_slot(p, &policy_fields[i]) = (int)json_integer_value(v);
		else if (json_is_boolean(v))
			*policy_slot(p, &policy_fields[i]) = json_is_true(v);
	}
	json_decref(j);
}

int policy_load(struct db *db, struct policy *p)
{
	struct db_stmt *st = db_prepare(db, SQL_POLICY_GET);
	const char *text;
	int rc, kept = 0;

	*p = policy_defaults;
	if (!st)
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		text = db_col_text(st, 0) ? db_col_text(st, 0) : "{}";
		pthread_mutex_lock(&policy_last.lock);
		if (policy_last.text && strcmp(policy_last.text, text) == 0) {
			*p = policy_last.parsed;
			kept = 1;
		}
		pthread_mutex_unlock(&policy_last.lock);
		if (!kept) {
			char *copy = strdup(text);

			policy_parse(text, p);
			pthread_mutex_lock(&policy_last.lock);
			if (copy) {
				free(policy_last.text);
				policy_last.text = copy;
				policy_last.parsed = *p;
			}
			pthread_mutex_unlock(&policy_last.lock);
		}
		p->version = db_col_int(st, 1);
	}
	db_finalize(st);
	return rc < 0 ? -1 : 0;
}

json_t *policy_json(const struct policy *p)
{
	json_t *j = json_object();

	for (size_t i = 0; i < NPOLICY; i++) {
		int v = *policy_slot((struct policy *)p, &policy_fields[i]);
		json_object_set_new(j, policy_fields[i].name,
				    policy_fields[i].is_bool ? json_boolean(v) : json_integer(v));
	}
	json_object_set_new(j, "version", json_integer(p->version));
	return j;
}

int policy_from_json(const json_t *body, struct policy *p, struct zb_fail *f)
{
	struct json_field spec[NPOLICY + 2];
	size_t n = 0;

	for (size_t i = 0; i < NPOLICY; i++, n++) {
		spec[n] = (struct json_field){ policy_fields[i].name,
			policy_fields[i].is_bool ? JF_BOOL : JF_INT, 0, 0,
			policy_fields[i].min, policy_fields[i].max, policy_fields[i].label };
	}
	spec[n++] = (struct json_field){ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" };
	spec[n] = (struct json_field){ 0 };
	if (json_check(body, spec, 0, f) != 0)
		return -1;
	for (size_t i = 0; i < NPOLICY; i++) {
		json_t *v = json_object_get(body, policy_fields[i].name);
		if (json_is_integer(v))
			*policy_slot(p, &policy_fields[i]) = (int)json_integer_value(v);
		else if (json_is_boolean(v))
			*policy_slot(p, &policy_fields[i]) = json_is_true(v);
	}
	p->version = json_integer_value(json_object_get(body, "version"));
	return 0;
}

/* Save only when the stored version is still p->version; returns DB_OK, 1 when stale, or DB_E*. */
int policy_save(struct db *db, const struct policy *p)
{
	json_t *j = policy_json(p);
	char *text, now[24];
	int64_t changed = 0;
	int rc;

	json_object_del(j, "version");
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	ts_now(now);
	rc = db_run_changes(db, &changed, SQL_POLICY_SET, "ssi", text, now, p->version);
	free(text);
	if (rc == DB_OK && changed != 1)
		rc = 1;
	return rc;
}

struct password_policy policy_password(const struct policy *p)
{
	struct password_policy pp = { p->password_min_length, p->password_min_classes };
	return pp;
}

/* ---------------------------------------------------------------- helpers */

static void token_hash(const char *token, char out[65])
{
	unsigned char d[32];

	sm3_digest(token, strlen(token), d);
	hex_encode(d, sizeof(d), out);
}

int session_load_grants(struct db *db, int64_t user_id, struct ctx *c, struct arena *a)
{
	struct db_stmt *st = db_prepare(db, SQL_GRANTS);
	int rc;

	if (!st)
		return -1;
	db_bind_int(st, 1, user_id);
	c->ngrants = 0;
	while ((rc = db_step(st)) == DB_ROW && c->ngrants < CTX_MAX_GRANTS) {
		struct grant *g = &c->grants[c->ngrants++];
		g->role = arena_strdup(a, db_col_text(st, 0));
		g->org_id = db_col_int(st, 1);
		g->org_path = arena_strdup(a, db_col_text(st, 2));
	}
	db_finalize(st);
	return rc < 0 ? -1 : 0;
}

static int has_admin_role(const struct ctx *c)
{
	for (int i = 0; i < c->ngrants; i++)
		if (role_is_admin(c->grants[i].role))
			return 1;
	return 0;
}

static const char *cookie_header(struct req *r, const char *token, int max_age)
{
	return arena_printf(&r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
			    SESSION_COOKIE, token,
			    r->app->cfg.secure_cookie ? "; Secure" : "",
			    max_age == 0 ? "; Max-Age=0" : "");
}

json_t *session_user_json(struct db *db, const struct ctx *c)
{
	struct db_stmt *st = db_prepare(db, SQL_USER_INFO);
	json_t *u = json_object(), *roles = json_array(), *actions = json_array();

	if (st) {
		db_bind_int(st, 1, c->user_id);
		if (db_step(st) == DB_ROW) {
			json_object_set_new(u, "id", json_integer(c->user_id));
			json_object_set_new(u, "username", json_string(db_col_text(st, 0)));
			json_object_set_new(u, "display_name", json_string(db_col_text(st, 1)));
			json_object_set_new(u, "org_id", db_col_isnull(st, 2) ? json_null()
					    : json_integer(db_col_int(st, 2)));
			json_object_set_new(u, "org_name", db_col_text(st, 3) ?
					    json_string(db_col_text(st, 3)) : json_null());
			json_object_set_new(u, "must_change_password",
					    json_boolean(db_col_int(st, 4)));
			json_object_set_new(u, "totp_enabled", json_boolean(db_col_int(st, 5)));
			json_object_set_new(u, "last_login_at", db_col_text(st, 6) ?
					    json_string(db_col_text(st, 6)) : json_null());
		}
		db_finalize(st);
	}
	json_object_set_new(u, "must_enrol_totp", json_boolean(c->must_enrol_totp));
	for (int i = 0; i < c->ngrants; i++) {
		json_t *g = json_object();
		json_object_set_new(g, "role", json_string(c->grants[i].role));
		json_object_set_new(g, "label", json_string(role_label(c->grants[i].role)));
		json_object_set_new(g, "org_id", json_integer(c->grants[i].org_id));
		struct db_stmt *o = db_prepare(db, SQL_ORG_NAME);
		if (o) {
			db_bind_int(o, 1, c->grants[i].org_id);
			if (db_step(o) == DB_ROW)
				json_object_set_new(g, "org_name", json_string(db_col_text(o, 0)));
			db_finalize(o);
		}
		json_array_append_new(roles, g);
		for (const char *const *a = role_actions(c->grants[i].role); *a; a++) {
			int seen = 0;
			size_t k;
			json_t *v;
			json_array_foreach(actions, k, v)
				seen |= strcmp(json_string_value(v), *a) == 0;
			if (!seen)
				json_array_append_new(actions, json_string(*a));
		}
	}
	json_object_set_new(u, "roles", roles);
	json_object_set_new(u, "actions", actions);
	return u;
}

/* ---------------------------------------------------------------- resolve */

enum zb_err session_resolve(struct req *r, struct ctx *c, struct zb_fail *f)
{
	const char *token = req_cookie(r, SESSION_COOKIE);
	char th[65];
	struct policy pol;
	struct db_stmt *st;
	int64_t now = time_now(), created, seen;
	int revoked, must_change, totp_on;
	const char *status;

	if (!token || strlen(token) != 64) {
		zb_fail_set(f, ZB_EUNAUTHORIZED, "请先登录");
		return f->err;
	}
	if (policy_load(c->db, &pol) != 0) {
		zb_fail_set(f, ZB_EUNAVAILABLE, "数据库暂时不可用，请稍后重试");
		return f->err;
	}
	token_hash(token, th);
	st = db_prepare(c->db, SQL_SESSION_GET);
	if (!st) {
		zb_fail_set(f, ZB_EINTERNAL, "服务器内部错误");
		return f->err;
	}
	db_bind_text(st, 1, th);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		zb_fail_set(f, ZB_EUNAUTHORIZED, "登录已失效，请重新登录");
		return f->err;
	}
	c->session_row = db_col_int(st, 0);
	c->user_id = db_col_int(st, 1);
	snprintf(c->csrf, sizeof(c->csrf), "%s", db_col_text(st, 2));
	created = db_col_int(st, 3);
	seen = db_col_int(st, 4);
	revoked = (int)db_col_int(st, 5);
	c->username = arena_strdup(&r->arena, db_col_text(st, 6));
	status = arena_strdup(&r->arena, db_col_text(st, 7));
	must_change = (int)db_col_int(st, 8);
	totp_on = (int)db_col_int(st, 9);
	db_finalize(st);

	if (revoked) {
		zb_fail_set(f, ZB_EUNAUTHORIZED, "您已退出登录，请重新登录");
		goto fail;
	}
	if (strcmp(status, "active") != 0) {
		zb_fail_set(f, ZB_EUNAUTHORIZED, "账户已被锁定或停用，请联系系统管理员");
		goto fail;
	}
	if (now - seen > (int64_t)pol.idle_timeout_minutes * 60) {
		zb_fail_set(f, ZB_EUNAUTHORIZED, "会话已过期（超过%d分钟未操作），请重新登录",
			    pol.idle_timeout_minutes);
		goto fail;
	}
	if (now - created > (int64_t)pol.absolute_timeout_hours * 3600) {
		zb_fail_set(f, ZB_EUNAUTHORIZED, "会话已达到最长时长（%d小时），请重新登录",
			    pol.absolute_timeout_hours);
		goto fail;
	}
	if (now - seen >= 30) {
		char ts[24];
		ts_now(ts);
		db_run(c->db, SQL_SESSION_TOUCH, "sii", ts, now, c->session_row);
	}
	c->must_change_password = must_change;
	if (session_load_grants(c->db, c->user_id, c, &r->arena) != 0) {
		zb_fail_set(f, ZB_EINTERNAL, "服务器内部错误");
		goto fail;
	}
	c->must_enrol_totp = pol.totp_required_for_admins && !totp_on && has_admin_role(c);
	return ZB_OK;
fail:
	c->user_id = 0;
	c->username = NULL;
	return f->err;
}

int session_csrf_ok(struct req *r, const struct ctx *c)
{
	const char *h = req_header(r, "X-CSRF-Token");
	size_t n = strlen(c->csrf);

	return h && n == 64 && strlen(h) == n && ct_equal(h, c->csrf, n);
}

/* ---------------------------------------------------------------- login */

static const struct json_field login_fields[] = {
	{ "username", JF_STRING, 1, 0, 1, 64, "用户名" },
	{ "password", JF_STRING, 1, 0, 1, 128, "密码" },
	{ "totp", JF_STRING, 0, 1, 0, 8, "动态验证码" },
	{ 0 }
};

/* Record a failed attempt (and lock at the threshold) in its own transaction. */
static void login_failed(struct req *r, struct db *db, const struct policy *pol, int64_t uid,
			 const char *username, int failures, const char *why)
{
	struct audit_who who;
	char until[24] = "";
	int lock = failures >= pol->lockout_threshold;
	json_t *after = json_pack("{s:s, s:i}", "reason", why, "failures", failures);

	app_who(r, &who);
	who.user_id = uid;
	who.username = username;
	if (lock)
		ts_format(time_now() + (int64_t)pol->lockout_minutes * 60, until);
	if (db_begin(db) == DB_OK) {
		db_run(db, SQL_USER_FAIL, "isi", (int64_t)(lock ? 0 : failures), lock ? until : NULL, uid);
		audit_append(db, &r->app->keys, &who, "user", uid, lock ? "lockout" : "login_failed",
			     NULL, after);
		if (db_commit(db) != DB_OK)
			db_rollback(db);
	}
	json_decref(after);
}

void session_http_login(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct policy pol;
	json_t *body;
	const char *username, *password, *code;
	char *hash = NULL, *status = NULL, *locked_until = NULL, *secret = NULL;
	int64_t uid = 0, step = 0, last_step = 0;
	int failures = 0, totp_on = 0, found = 0;
	char now_ts[24];

	zb_fail_init(&f);
	if (!ratelimit_hit(r->app->login_limit, r->ip, time_now())) {
		resp_error(r, ZB_ERATELIMITED, "登录尝试过于频繁，请稍后再试");
		return;
	}
	body = req_json(r, &f);
	if (!body || json_check(body, login_fields, 0, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	username = json_str(body, "username", "");
	password = json_str(body, "password", "");
	code = json_str(body, "totp", NULL);
	if (policy_load(c->db, &pol) != 0) {
		json_decref(body);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}

	struct db_stmt *st = db_prepare(c->db, SQL_USER_BY_NAME);
	if (st) {
		db_bind_text(st, 1, username);
		if (db_step(st) == DB_ROW) {
			found = 1;
			uid = db_col_int(st, 0);
			hash = arena_strdup(&r->arena, db_col_text(st, 1));
			status = arena_strdup(&r->arena, db_col_text(st, 2));
			failures = (int)db_col_int(st, 3);
			locked_until = arena_strdup(&r->arena, db_col_text(st, 4));
			totp_on = (int)db_col_int(st, 5);
			secret = arena_strdup(&r->arena, db_col_text(st, 6));
			last_step = db_col_int(st, 7);
		}
		db_finalize(st);
	}
	ts_now(now_ts);
	if (!found) {
		/* Spend the same time as a real check so timing does not reveal accounts. */
		password_verify(r->app->dummy_hash, password);
		zb_fail_set(&f, ZB_EUNAUTHORIZED, "用户名或密码错误");
		goto out;
	}
	if (strcmp(status, "active") != 0) {
		zb_fail_set(&f, ZB_EFORBIDDEN, strcmp(status, "locked") == 0 ?
			    "账户已被管理员锁定，请联系系统管理员" : "账户已停用，请联系系统管理员");
		goto out;
	}
	if (locked_until && *locked_until && strcmp(locked_until, now_ts) > 0) {
		zb_fail_set(&f, ZB_EFORBIDDEN, "登录失败次数过多，账户已锁定至 %s（UTC），请稍后再试",
			    locked_until);
		goto out;
	}
	if (!password_verify(hash, password)) {
		failures++;
		login_failed(r, c->db, &pol, uid, username, failures, "password");
		if (failures >= pol.lockout_threshold)
			zb_fail_set(&f, ZB_EFORBIDDEN, "密码连续错误%d次，账户已锁定%d分钟",
				    failures, pol.lockout_minutes);
		else
			zb_fail_set(&f, ZB_EUNAUTHORIZED, "用户名或密码错误（还可尝试%d次）",
				    pol.lockout_threshold - failures);
		goto out;
	}
	if (totp_on) {
		unsigned char key[64];
		char *plain = secret ? field_decrypt(&r->app->keys, secret) : NULL;
		int klen = plain ? base32_decode(plain, key, sizeof(key)) : -1;

		free(plain);
		if (!code || !*code) {
			zb_fail_set(&f, ZB_EUNAUTHORIZED, "请输入动态验证码");
			zb_fail_field(&f, "totp", "请输入动态验证码");
			f.err = ZB_EUNAUTHORIZED;
			goto out;
		}
		step = klen > 0 ? totp_verify(key, (size_t)klen, code, time_now()) : 0;
		if (step <= last_step) {
			failures++;
			login_failed(r, c->db, &pol, uid, username, failures, "totp");
			if (failures >= pol.lockout_threshold) {
				zb_fail_set(&f, ZB_EFORBIDDEN, "验证连续错误%d次，账户已锁定%d分钟",
					    failures, pol.lockout_minutes);
				goto out;
			}
			zb_fail_set(&f, ZB_EUNAUTHORIZED, "动态验证码错误或已使用");
			zb_fail_field(&f, "totp", "动态验证码错误或已使用");
			f.err = ZB_EUNAUTHORIZED;
			goto out;
		}
	}

	/* Success: a new session id every time, the presented old one revoked. */
	char token[65], th[65], csrf[65];
	struct audit_who who;
	int64_t sid = 0;
	int rc;

	random_token(token, 32);
	random_token(csrf, 32);
	token_hash(token, th);
	app_who(r, &who);
	who.user_id = uid;
	who.username = username;
	rc = db_begin(c->db);
	if (rc != DB_OK)
		goto dbfail;
	const char *old = req_cookie(r, SESSION_COOKIE);
	if (old && strlen(old) == 64) {
		char oh[65];
		token_hash(old, oh);
		db_run(c->db, SQL_SESSION_REVOKE, "s", oh);
	}
	rc = db_run(c->db, SQL_USER_OK, "sii", now_ts, totp_on ? step : last_step, uid);
	if (rc != DB_OK)
		goto dbfail;
	rc = db_query_int(c->db, &sid, SQL_SESSION_NEW, "sissssii", th, uid, csrf, r->ip, now_ts,
			  now_ts, time_now(), time_now());
	if (rc != DB_ROW)
		goto dbfail;
	rc = audit_append(c->db, &r->app->keys, &who, "session", sid, "login", NULL, NULL);
	if (rc != DB_OK)
		goto dbfail;
	rc = db_commit(c->db);
	if (rc != DB_OK)
		goto dbfail;

	c->user_id = uid;
	c->username = username;
	c->session_row = sid;
	snprintf(c->csrf, sizeof(c->csrf), "%s", csrf);
	session_load_grants(c->db, uid, c, &r->arena);
	c->must_enrol_totp = pol.totp_required_for_admins && !totp_on && has_admin_role(c);
	resp_header(r, "Set-Cookie", cookie_header(r, token, -1));
	resp_json(r, 200, json_pack("{s:s, s:o}", "csrf_token", csrf,
				    "user", session_user_json(c->db, c)));
	json_decref(body);
	zb_fail_release(&f);
	return;
dbfail:
	json_decref(body);
	zb_fail_release(&f);
	app_db_fail(r, rc, 1);
	return;
out:
	json_decref(body);
	resp_fail(r, &f);
}

void session_http_logout(struct req *r)
{
	struct ctx *c = req_ctx(r);
	int rc = db_begin(c->db);

	if (rc == DB_OK)
		rc = db_run(c->db, "UPDATE sessions SET revoked = 1 WHERE id = ?", "i",
			    c->session_row);
	if (rc == DB_OK)
		rc = app_audit(r, "session", c->session_row, "logout", NULL, NULL);
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	resp_header(r, "Set-Cookie", cookie_header(r, "", 0));
	resp_json(r, 200, json_pack("{s:b}", "ok", 1));
}

void session_http_whoami(struct req *r)
{
	struct ctx *c = req_ctx(r);

	resp_json(r, 200, json_pack("{s:s, s:o}", "csrf_token", c->csrf,
				    "user", session_user_json(c->db, c)));
}

/* ---------------------------------------------------------------- password */

static const struct json_field password_fields[] = {
	{ "old_password", JF_STRING, 1, 0, 1, 128, "原密码" },
	{ "new_password", JF_STRING, 1, 0, 1, 128, "新密码" },
	{ 0 }
};

void session_http_password(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct policy pol;
	struct password_policy pp;
	json_t *body;
	char *oldhash = NULL, *uname = NULL, newhash[160], now[24];
	const char *why;
	int rc;

	zb_fail_init(&f);
	/* The old password is a guessable secret: limit tries like logins. */
	if (!ratelimit_hit(r->app->login_limit, r->ip, time_now())) {
		resp_error(r, ZB_ERATELIMITED, "尝试过于频繁，请稍后再试");
		return;
	}
	body = req_json(r, &f);
	if (!body || json_check(body, password_fields, 0, &f) != 0)
		goto bad;
	const char *oldpw = json_str(body, "old_password", "");
	const char *newpw = json_str(body, "new_password", "");
	if (policy_load(c->db, &pol) != 0) {
		json_decref(body);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	struct db_stmt *st = db_prepare(c->db, SQL_PW_GET);
	if (st) {
		db_bind_int(st, 1, c->user_id);
		if (db_step(st) == DB_ROW) {
			oldhash = arena_strdup(&r->arena, db_col_text(st, 0));
			uname = arena_strdup(&r->arena, db_col_text(st, 1));
		}
		db_finalize(st);
	}
	if (!oldhash || !password_verify(oldhash, oldpw)) {
		zb_fail_field(&f, "old_password", "原密码不正确");
		goto bad;
	}
	pp = policy_password(&pol);
	why = password_check(&pp, newpw, uname);
	if (why) {
		zb_fail_field(&f, "new_password", "%s", why);
		goto bad;
	}
	if (strcmp(oldpw, newpw) == 0) {
		zb_fail_field(&f, "new_password", "新密码不能与原密码相同");
		goto bad;
	}
	if (password_hash(newpw, newhash, sizeof(newhash)) != 0) {
		resp_error(r, ZB_EINTERNAL, "服务器内部错误");
		json_decref(body);
		return;
	}
	ts_now(now);
	rc = db_begin(c->db);
	if (rc == DB_OK)
		rc = db_run(c->db, SQL_PW_SET, "sssi", newhash, now, now, c->user_id);
	if (rc == DB_OK)	/* other devices must log in again with the new password */
		rc = db_run(c->db, SQL_SESSION_REVOKE_OTHERS, "ii", c->user_id, c->session_row);
	if (rc == DB_OK)
		rc = app_audit(r, "user", c->user_id, "password_change", NULL, NULL);
	if (rc == DB_OK)
		rc = db_commit(c->db);
	json_decref(body);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	c->must_change_password = 0;
	resp_json(r, 200, json_pack("{s:s, s:o}", "csrf_token", c->csrf,
				    "user", session_user_json(c->db, c)));
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

/* ---------------------------------------------------------------- TOTP */

struct totp_state {
	int enabled;
	char *secret;	/* sealed */
	int64_t last_step;
	char *pwhash;
};

static int totp_state_load(struct req *r, struct totp_state *t)
{
	struct ctx *c = req_ctx(r);
	struct db_stmt *st = db_prepare(c->db, SQL_TOTP_GET);
	int rc;

	memset(t, 0, sizeof(*t));
	if (!st)
		return -1;
	db_bind_int(st, 1, c->user_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		t->enabled = (int)db_col_int(st, 0);
		t->secret = arena_strdup(&r->arena, db_col_text(st, 1));
		t->last_step = db_col_int(st, 2);
		t->pwhash = arena_strdup(&r->arena, db_col_text(st, 3));
	}
	db_finalize(st);
	return rc == DB_ROW ? 0 : -1;
}

static void totp_store(struct req *r, const char *sealed, int enabled, int64_t step,
		       const char *action)
{
	struct ctx *c = req_ctx(r);
	char now[24];
	int rc;

	ts_now(now);
	rc = db_begin(c->db);
	if (rc == DB_OK)
		rc = db_run(c->db, SQL_TOTP_SET, "siisi", sealed, (int64_t)enabled, step, now, c->user_id);
	if (rc == DB_OK)
		rc = app_audit(r, "user", c->user_id, action, NULL, NULL);
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK)
		app_db_fail(r, rc, 1);
}

/* POST /session/totp: a new secret, stored but not active until confirmed. */
void session_http_totp_begin(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct totp_state t;
	unsigned char key[20];
	char b32[64], *sealed;

	if (totp_state_load(r, &t) != 0) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	if (t.enabled) {
		resp_error(r, ZB_ECONFLICT, "已绑定动态验证码；如需更换，请先解除绑定");
		return;
	}
	random_bytes(key, sizeof(key));
	base32_encode(key, sizeof(key), b32, sizeof(b32));
	sealed = field_encrypt(&r->app->keys, b32);
	if (!sealed) {
		resp_error(r, ZB_EINTERNAL, "服务器内部错误");
		return;
	}
	totp_store(r, sealed, 0, 0, "totp_begin");
	free(sealed);
	if (r->answered)
		return;
	resp_json(r, 200, json_pack("{s:s, s:s}", "secret", b32, "otpauth_uri",
		arena_printf(&r->arena, "otpauth://totp/zhibu:%s?secret=%s&issuer=zhibu&digits=6&period=30",
			     c->username, b32)));
}

static const struct json_field totp_code_fields[] = {
	{ "code", JF_STRING, 1, 0, 6, 6, "动态验证码" },
	{ 0 }
};

/* PUT /session/totp {"code"}: the first code proves the app holds the secret. */
void session_http_totp_confirm(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct totp_state t;
	unsigned char key[64];
	json_t *body;
	int64_t step = 0;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, totp_code_fields, 0, &f) != 0)
		goto bad;
	if (totp_state_load(r, &t) != 0) {
		json_decref(body);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	if (t.enabled) {
		zb_fail_set(&f, ZB_ECONFLICT, "已绑定动态验证码");
		goto bad;
	}
	char *plain = t.secret ? field_decrypt(&r->app->keys, t.secret) : NULL;
	int klen = plain ? base32_decode(plain, key, sizeof(key)) : -1;
	free(plain);
	if (klen <= 0) {
		zb_fail_set(&f, ZB_ECONFLICT, "请先生成动态验证码密钥");
		goto bad;
	}
	step = totp_verify(key, (size_t)klen, json_str(body, "code", ""), time_now());
	if (step <= 0) {
		zb_fail_field(&f, "code", "动态验证码错误，请核对手机时间后重试");
		goto bad;
	}
	totp_store(r, t.secret, 1, step, "totp_enable");
	json_decref(body);
	if (r->answered)
		return;
	c->must_enrol_totp = 0;
	resp_json(r, 200, json_pack("{s:s, s:o}", "csrf_token", c->csrf,
				    "user", session_user_json(c->db, c)));
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}

static const struct json_field totp_disable_fields[] = {
	{ "password", JF_STRING, 1, 0, 1, 128, "密码" },
	{ 0 }
};

/* DELETE /session/totp {"password"}: unbind, unless policy demands it for this account. */
void session_http_totp_disable(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct totp_state t;
	struct policy pol;
	json_t *body;

	zb_fail_init(&f);
	if (!ratelimit_hit(r->app->login_limit, r->ip, time_now())) {
		resp_error(r, ZB_ERATELIMITED, "尝试过于频繁，请稍后再试");
		return;
	}
	body = req_json(r, &f);
	if (!body || json_check(body, totp_disable_fields, 0, &f) != 0)
		goto bad;
	if (totp_state_load(r, &t) != 0 || policy_load(c->db, &pol) != 0) {
		json_decref(body);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	if (!t.enabled) {
		zb_fail_set(&f, ZB_ECONFLICT, "尚未绑定动态验证码");
		goto bad;
	}
	if (!password_verify(t.pwhash, json_str(body, "password", ""))) {
		zb_fail_field(&f, "password", "密码不正确");
		goto bad;
	}
	if (pol.totp_required_for_admins && has_admin_role(c)) {
		zb_fail_set(&f, ZB_EFORBIDDEN, "安全策略要求管理员使用动态验证码，不能解除绑定");
		goto bad;
	}
	totp_store(r, NULL, 0, 0, "totp_disable");
	json_decref(body);
	if (!r->answered)
		resp_json(r, 200, json_pack("{s:b}", "ok", 1));
	return;
bad:
	json_decref(body);
	resp_fail(r, &f);
}
