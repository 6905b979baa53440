/* app.c - configuration from the environment, the hooks around every handler, and helpers modules share. */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "../auth/audit.h"
#include "../auth/perm.h"
#include "../auth/ratelimit.h"
#include "../base/date.h"
#include "../auth/session.h"
#include "../base/log.h"
#include "memo.h"

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

static int env_int(const char *name, int dflt, int min, int max)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return dflt;
	n = strtol(v, &end, 10);
	if (*end || n < min || n > max) {
		log_warn("%s=%s is not an integer in [%d, %d]; using %d", name, v, min, max, dflt);
		return dflt;
	}
	return (int)n;
}

/*
 * The key file defaults to "<database file>.key" for SQLite and to
 * data/zhibu.key for PostgreSQL. The returned strings live for the process.
 */
void config_load(struct config *cfg)
{
	static char keypath[4096];
	static char signpath[4096 + 16];

	if (!cfg->db_url)
		cfg->db_url = env_or("ZHIBU_DB", "data/zhibu.db");
	cfg->key_file = getenv("ZHIBU_KEY_FILE");
	if (!cfg->key_file || !*cfg->key_file) {
		if (strncmp(cfg->db_url, "postgres://", 11) == 0 ||
		    strncmp(cfg->db_url, "postgresql://", 13) == 0)
			cfg->key_file = "data/zhibu.key";
		else {
			snprintf(keypath, sizeof(keypath), "%s.key", cfg->db_url);
			cfg->key_file = keypath;
		}
	}
	cfg->signing_key = getenv("ZHIBU_SIGNING_KEY");
	if (!cfg->signing_key || !*cfg->signing_key) {
		snprintf(signpath, sizeof(signpath), "%s.sign.pem", cfg->key_file);
		cfg->signing_key = signpath;
	}
	cfg->listen = env_or("ZHIBU_LISTEN", "127.0.0.1:8080");
	cfg->static_dir = env_or("ZHIBU_STATIC", "web/dist");
	cfg->files_dir = env_or("ZHIBU_FILES", "data/files");
	cfg->threads = env_int("ZHIBU_THREADS", 4, 1, 256);
	cfg->secure_cookie = env_int("ZHIBU_SECURE_COOKIE", 0, 0, 1);
	cfg->access_log = env_int("ZHIBU_ACCESS_LOG", 1, 0, 1);
	cfg->login_rate = env_int("ZHIBU_LOGIN_RATE", 30, 1, 100000);
	cfg->public_rate = env_int("ZHIBU_PUBLIC_RATE", 5, 1, 100000);
	cfg->export_rate = env_int("ZHIBU_EXPORT_RATE", 60, 1, 100000);
	cfg->http_timeout = env_int("ZHIBU_HTTP_TIMEOUT", 30, 1, 3600);
	cfg->memo = env_int("ZHIBU_MEMO", 1, 0, 1);
}

/*
 * Before each handler: give the request a database connection, then, unless
 * the route is public, resolve the session, hold back everything but the
 * password change while a one-time password is pending, demand the CSRF
 * header on writes, and check the route's permission.
 */
static int app_begin(struct req *r)
{
	struct app *app = (struct app *)r->app;
	struct ctx *c = arena_alloc(&r->arena, sizeof(*c));
	struct zb_fail f;
	int write = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;

	r->user = c;
	c->db = db_pool_acquire(app->pool);
	if (!c->db) {
		resp_error(r, ZB_EUNAVAILABLE, "数据库暂时不可用，请稍后重试");
		return -1;
	}
	if (r->route->flags & ROUTE_PUBLIC)
		return 0;

	zb_fail_init(&f);
	if (session_resolve(r, c, &f) != ZB_OK) {
		resp_fail(r, &f);
		return -1;
	}
	zb_fail_release(&f);
	if (write && !session_csrf_ok(r, c)) {
		resp_error(r, ZB_EFORBIDDEN, "缺少或无效的 CSRF 令牌，请刷新页面后重试");
		return -1;
	}
	if (c->must_change_password && !(r->route->flags & ROUTE_NOPWCHANGE)) {
		resp_error(r, ZB_EPWCHANGE, "请先修改初始密码");
		return -1;
	}
	if (c->must_enrol_totp && !(r->route->flags & ROUTE_NOPWCHANGE)) {
		resp_error(r, ZB_ETOTPENROL, "管理员账户须先绑定动态验证码");
		return -1;
	}
	if (r->route->perm && !perm_any(c, r->route->perm)) {
		resp_error(r, ZB_EFORBIDDEN, "您没有执行此操作的权限");
		return -1;
	}
	/* bulk reads (exports) per IP, so a stolen session cannot drain the register at speed */
	if (!write && (r->route->flags & ROUTE_SLOW) && app->bulk_read &&
	    !ratelimit_hit(app->bulk_read, r->ip ? r->ip : "", time_now())) {
		resp_error(r, ZB_ERATELIMITED, "导出过于频繁，请稍后再试");
		return -1;
	}
	return 0;
}

/* What the user reads when the request's database connection was lost. */
static const char MSG_LOST_READ[] = "数据库连接中断，请稍后重试";
static const char MSG_LOST_WRITE[] = "数据库连接中断，请稍后重试；如刚才在保存，请先刷新查看是否已保存";

static int app_is_write(const struct req *r)
{
	return strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;
}

static void app_answer_lost(struct req *r)
{
	resp_error(r, ZB_EUNAVAILABLE, app_is_write(r) ? MSG_LOST_WRITE : MSG_LOST_READ);
}

/*
 * After each handler: give the connection back. If it was lost during the
 * request (db_lost: the database layer retried what was safe and gave up),
 * every database call after the loss failed, so whatever the handler made
 * of that (a 500, a 401 from a session lookup that found no row, a short
 * list) is replaced by 503 and a message to retry: a cut transaction was
 * rolled back by the server, and only a COMMIT cut in flight may have been
 * kept, hence the hint to check before saving again. The pool reconnects
 * the connection for the next request.
 */
static void app_end(struct req *r)
{
	struct app *app = (struct app *)r->app;
	struct ctx *c = req_ctx(r);

	if (c && c->db) {
		if (db_lost(c->db)) {
			log_error("request %s: database connection lost: %s", r->id,
				  db_errmsg(c->db));
			r->answered = 0;
			r->file_path = NULL;
			r->nheaders = 0;
			app_answer_lost(r);
		}
		db_pool_release(app->pool, c->db);
		c->db = NULL;
	}
}

const struct http_hooks app_hooks = { app_begin, app_end };

void app_who(struct req *r, struct audit_who *who)
{
	struct ctx *c = req_ctx(r);

	who->user_id = c ? c->user_id : 0;
	who->username = c && c->username ? c->username : "";
	who->ip = r->ip ? r->ip : "";
	who->request_id = r->id;
}

int app_audit(struct req *r, const char *entity, int64_t entity_id, const char *action,
	      const json_t *before, const json_t *after)
{
	struct audit_who who;

	app_who(r, &who);
	return audit_append(req_ctx(r)->db, &r->app->keys, &who, entity, entity_id, action,
			    before, after);
}

void app_db_fail(struct req *r, int rc, int in_tx)
{
	struct ctx *c = req_ctx(r);

	if (in_tx)
		db_rollback(c->db);
	switch (rc) {
	case DB_EBUSY:
		resp_error(r, ZB_EUNAVAILABLE, "系统繁忙，请稍后重试");
		break;
	case DB_EFULL:
		log_error("request %s: storage full or I/O error: %s", r->id, db_errmsg(c->db));
		resp_error(r, ZB_EUNAVAILABLE, "存储空间不足或磁盘故障，数据未保存，请联系系统管理员");
		break;
	case DB_ELOST:
		/* 503; app_end logs it, and answers the same for handlers that passed DB_EGENERIC */
		app_answer_lost(r);
		break;
	default:
		log_error("request %s: database error %d: %s", r->id, rc, db_errmsg(c->db));
		resp_error(r, ZB_EINTERNAL, "服务器内部错误，数据未保存");
		break;
	}
}

int app_begin_write(struct req *r)
{
	int rc = db_begin(req_ctx(r)->db);

	if (rc != DB_OK) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	return 1;
}

void app_commit_answer(struct req *r, int status, json_t *j)
{
	int rc = j ? db_commit(req_ctx(r)->db) : DB_EGENERIC;

	if (rc != DB_OK) {
		json_decref(j);
		app_db_fail(r, rc, 1);
		return;
	}
	resp_json(r, status, j);
}

void app_conflict(struct req *r, const char *message, json_t *current)
{
	struct zb_fail f;

	zb_fail_init(&f);
	zb_fail_set(&f, ZB_ECONFLICT, "%s", message);
	f.current = current;
	resp_fail(r, &f);
}

int app_memo_answer(struct req *r, const char *key, int64_t *head)
{
	struct buf hit;
	int found;

	*head = -1;	/* nothing to keep unless the head was read */
	if (!r->app->memo || !key || memo_head(req_ctx(r)->db, head) != DB_OK)
		return 0;
	buf_init(&hit, 0);
	found = memo_get(r->app->memo, key, *head, &hit);
	if (found)
		resp_text(r, 200, "application/json; charset=utf-8", hit.data, hit.len);
	buf_release(&hit);
	return found;
}

void app_memo_keep(struct req *r, const char *key, int64_t head)
{
	if (head >= 0 && key && r->answered && r->status == 200 && !r->streaming && !r->out.err)
		memo_put(r->app->memo, key, head, r->out.data, r->out.len);
}

int app_public_allowed(struct req *r, int submit)
{
	struct ratelimit *rl = submit ? r->app->public_submit : r->app->public_read;

	if (rl && !ratelimit_hit(rl, r->ip ? r->ip : "", time_now())) {
		resp_error(r, ZB_ERATELIMITED, submit ?
			   "提交过于频繁：同一网络10分钟内的提交次数已达上限，请稍后再试；急事请直接联系村（社区）" :
			   "访问过于频繁，请稍后再试");
		return 0;
	}
	return 1;
}

void app_finish_write(struct req *r, int rc, struct zb_fail *f, int status,
		      const char *stale_message, json_t *(*current)(struct db *db, int64_t id),
		      int64_t id)
{
	struct db *db = req_ctx(r)->db;

	if (rc == WRITE_INVALID) {
		db_rollback(db);
		resp_fail(r, f);
		return;
	}
	zb_fail_release(f);
	if (rc == WRITE_STALE) {
		db_rollback(db);
		app_conflict(r, stale_message, current(db, id));
		return;
	}
	if (rc != WRITE_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, status, current(db, id));
}
