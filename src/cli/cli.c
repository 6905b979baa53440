/* cli.c - init, serve, migrate, verify and backup: the operator's subcommands. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "../app/jobs.h"
#include "../app/memo.h"
#include "../auth/audit.h"
#include "../auth/password.h"
#include "../auth/ratelimit.h"
#include "../auth/session.h"
#include "../auth/sm2.h"
#include "../base/log.h"
#include "../modules/admin/admin.h"
#include "../modules/demo/demo.h"
#include "../modules/disclosure/dlog.h"
#include "../modules/orgs/orgs.h"
#include "../modules/transfer/transfer.h"

static int is_postgres(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

/* mkdir -p of the directory that will hold `file` (mode 0700: it holds personal data). */
static int make_parent_dir(const char *file)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", file);
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

int cli_open(struct app *app, struct db **db, int need_schema)
{
	char err[256];

	if (!is_postgres(app->cfg.db_url) && access(app->cfg.db_url, F_OK) != 0) {
		fprintf(stderr, "zhibu: 数据库 %s 不存在：请先运行 zhibu init\n", app->cfg.db_url);
		return -1;
	}
	if (keys_load(app->cfg.key_file, &app->keys, err, sizeof(err)) != 0) {
		fprintf(stderr, "zhibu: 无法读取密钥文件 %s：%s\n", app->cfg.key_file, err);
		return -1;
	}
	if (db_open(app->cfg.db_url, db) != DB_OK) {
		fprintf(stderr, "zhibu: 无法打开数据库 %s：%s\n", app->cfg.db_url,
			*db ? db_errmsg(*db) : "连接失败");
		if (*db)
			db_close(*db);
		*db = NULL;
		return -1;
	}
	if (need_schema) {
		int have = db_schema_version(*db), latest = 0;
		for (const struct migration *m = db_migrations; m->version; m++)
			latest = m->version;
		if (have == 0) {
			fprintf(stderr, "zhibu: 数据库尚未初始化：请先运行 zhibu init\n");
			goto fail;
		}
		if (have < latest) {
			fprintf(stderr, "zhibu: 数据库结构版本为 %d，程序需要 %d：请先运行 zhibu migrate\n",
				have, latest);
			goto fail;
		}
	}
	return 0;
fail:
	db_close(*db);
	*db = NULL;
	return -1;
}

/* ---------------------------------------------------------------- init */

/*
 * Create the key file and the database, migrate, create the root org and
 * the admin account, and with --demo the demo township (root named
 * DEMO_TOWNSHIP_NAME) in the same transaction. On an existing database it
 * changes nothing.
 */
int cli_init(struct app *app, int argc, char **argv)
{
	const char *url = app->cfg.db_url, *env_pw = getenv("ZHIBU_ADMIN_PASSWORD");
	const char *org_name = getenv("ZHIBU_ORG_NAME"), *demo_pw = getenv("ZHIBU_DEMO_PASSWORD");
	struct audit_who who = { 0, "system", "", "init" };
	struct zb_fail f;
	struct policy pol;
	struct db *db = NULL;
	char pw[64], err[256];
	char *demo_text = NULL;
	size_t demo_len = 0;
	FILE *demo_out = NULL;
	int demo = 0, rc;
	int64_t root, admin;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--demo") == 0) {
			demo = 1;
		} else {
			fprintf(stderr, "zhibu init: 未知参数“%s”（可用：--demo）\n", argv[i]);
			return 2;
		}
	}
	if (!is_postgres(url) && make_parent_dir(url) != 0) {
		fprintf(stderr, "zhibu init: 无法创建目录：%s\n", strerror(errno));
		return 1;
	}
	if (db_open(url, &db) != DB_OK) {
		fprintf(stderr, "zhibu init: 无法打开数据库 %s：%s\n", url, db ? db_errmsg(db) : "连接失败");
		return 1;
	}
	if (db_schema_version(db) > 0) {
		printf("数据库 %s 已初始化，未做任何更改。\n", url);
		db_close(db);
		return 0;
	}
	/* Check the operator's passwords before anything is created, so a refusal leaves nothing behind. */
	policy_load(db, &pol);	/* no table yet: the defaults the first migration also seeds */
	if (!demo || !(demo_pw && *demo_pw))
		demo_pw = NULL;
	if ((env_pw && *env_pw) || demo_pw) {
		struct password_policy pp = policy_password(&pol);
		const char *name = "ZHIBU_ADMIN_PASSWORD", *why = NULL;
		if (env_pw && *env_pw)
			why = password_check(&pp, env_pw, "admin");
		if (!why && demo_pw) {
			name = "ZHIBU_DEMO_PASSWORD";
			why = demo_password_check(&pp, demo_pw, err, sizeof(err));
		}
		if (why) {
			fprintf(stderr, "zhibu init: %s 不符合密码策略：%s\n", name, why);
			db_close(db);
			if (!is_postgres(url))
				unlink(url);
			return 1;
		}
	}
	if (access(app->cfg.key_file, F_OK) != 0) {
		if (make_parent_dir(app->cfg.key_file) != 0 || keys_create(app->cfg.key_file) != 0) {
			fprintf(stderr, "zhibu init: 无法创建密钥文件 %s\n", app->cfg.key_file);
			db_close(db);
			return 1;
		}
	}
	if (keys_load(app->cfg.key_file, &app->keys, err, sizeof(err)) != 0) {
		fprintf(stderr, "zhibu init: 无法读取密钥文件 %s：%s\n", app->cfg.key_file, err);
		db_close(db);
		return 1;
	}
	/* The township's SM2 key signing the disclosure log (kept if it exists). */
	{
		EVP_PKEY *sk = sm2_key_load_or_create(app->cfg.signing_key, err, sizeof(err));
		if (!sk) {
			fprintf(stderr, "zhibu init: 签名密钥 %s 不可用：%s\n", app->cfg.signing_key, err);
			db_close(db);
			return 1;
		}
		EVP_PKEY_free(sk);
	}
	if (db_migrate(db, NULL) < 0) {
		fprintf(stderr, "zhibu init: 数据库迁移失败：%s\n", db_errmsg(db));
		db_close(db);
		return 1;
	}
	if (env_pw && *env_pw) {
		snprintf(pw, sizeof(pw), "%s", env_pw);
	} else {
		password_generate(pw, sizeof(pw));
	}

	if (!demo)
		org_name = org_name && *org_name ? org_name : "本级党委";
	else
		org_name = DEMO_TOWNSHIP_NAME;
	/* The demo's lines are held until the commit, so nothing is printed for a rollback. */
	if (demo && !(demo_out = open_memstream(&demo_text, &demo_len))) {
		fprintf(stderr, "zhibu init: 内存不足\n");
		db_close(db);
		return 1;
	}
	zb_fail_init(&f);
	rc = db_begin(db);
	root = rc == DB_OK ? org_create_system(db, &app->keys, 0, org_name, "township_committee", NULL) : rc;
	admin = root > 0 ? user_create(db, &app->keys, &who, "admin", "系统管理员", root, pw,
				       !(env_pw && *env_pw), &f) : root;
	rc = admin > 0 ? user_grant(db, &app->keys, &who, admin, "sysadmin", root) : DB_EGENERIC;
	if (rc == DB_OK && demo)
		rc = demo_load(db, &app->keys, root, demo_pw, demo_out);
	if (rc == DB_OK)
		rc = db_commit(db);
	zb_fail_release(&f);
	if (demo_out)
		fclose(demo_out);
	if (rc != DB_OK) {
		db_rollback(db);
		fprintf(stderr, "zhibu init: 初始化失败：%s\n", db_errmsg(db));
		db_close(db);
		free(demo_text);
		if (!is_postgres(url))
			unlink(url);
		return 1;
	}
	db_close(db);
	printf("数据库已创建：%s\n", url);
	printf("username: admin\n");
	if (env_pw && *env_pw)
		printf("password: (ZHIBU_ADMIN_PASSWORD)\n");
	else
		printf("one-time password: %s\n", pw);
	if (demo_text)
		fputs(demo_text, stdout);
	free(demo_text);
	fflush(stdout);
	return 0;
}

/* ---------------------------------------------------------------- migrate */

int cli_migrate(struct app *app, int argc, char **argv)
{
	struct db *db = NULL;
	int n, latest = 0;

	(void)argc, (void)argv;
	if (cli_open(app, &db, 0) != 0)
		return 1;
	n = db_migrate(db, &latest);
	if (n < 0) {
		fprintf(stderr, "zhibu migrate: 迁移失败：%s\n", db_errmsg(db));
		db_close(db);
		return 1;
	}
	printf("已应用 %d 个迁移，数据库结构版本为 %d。\n", n, latest);
	db_close(db);
	return 0;
}

/* ---------------------------------------------------------------- verify */

/* SQLite: PRAGMA integrity_check and foreign_key_check. PostgreSQL keeps its own. */
static int check_integrity(struct db *db)
{
	int problems = 0, rc;
	struct db_stmt *st;

	if (db_kind(db) != DB_SQLITE)
		return 0;
	st = db_prepare(db, "PRAGMA integrity_check");
	while (st && (rc = db_step(st)) == DB_ROW) {
		const char *msg = db_col_text(st, 0);
		if (msg && strcmp(msg, "ok") != 0) {
			printf("数据库完整性问题：%s\n", msg);
			problems++;
		}
	}
	db_finalize(st);
	st = db_prepare(db, "PRAGMA foreign_key_check");
	while (st && db_step(st) == DB_ROW) {
		printf("外键不一致：表 %s 第 %lld 行引用的 %s 不存在\n", db_col_text(st, 0),
		       (long long)db_col_int(st, 1), db_col_text(st, 2));
		problems++;
	}
	db_finalize(st);
	return problems;
}

int cli_verify(struct app *app, int argc, char **argv)
{
	struct db *db = NULL;
	int64_t rows = 0;
	int problems, integrity, dlog = 0;

	(void)argc, (void)argv;
	if (cli_open(app, &db, 1) != 0)
		return 1;
	integrity = check_integrity(db);
	problems = audit_verify(db, &app->keys, stdout, &rows);
	/* then the disclosure transparency log: leaves against the published rows, signed checkpoints */
	if (problems >= 0)
		dlog = dlog_verify(db, app, stdout);
	db_close(db);
	if (problems < 0) {
		printf("无法读取审计日志\n");
		return 1;
	}
	if (dlog < 0) {
		printf("无法读取三务公开日志\n");
		return 1;
	}
	if (problems || integrity || dlog) {
		printf("校验失败：审计链问题 %d 处，三务公开日志问题 %d 处，数据库完整性问题 %d 处（共 %lld 条审计记录）\n",
		       problems, dlog, integrity, (long long)rows);
		return 1;
	}
	printf("校验通过：审计链完整（%lld 条记录），三务公开日志完整，数据库完整性正常。\n", (long long)rows);
	return 0;
}

/* ---------------------------------------------------------------- backup */

int cli_backup(struct app *app, int argc, char **argv)
{
	struct db *db = NULL;

	if (argc != 2) {
		fprintf(stderr, "用法: zhibu backup FILE\n");
		return 2;
	}
	if (access(argv[1], F_OK) == 0) {
		fprintf(stderr, "zhibu backup: %s 已存在，不会覆盖\n", argv[1]);
		return 1;
	}
	if (is_postgres(app->cfg.db_url)) {
		/* pg_dump takes a consistent snapshot of a live database. */
		pid_t pid = fork();
		int status;
		if (pid == 0) {
			execlp("pg_dump", "pg_dump", "--format=custom", "--file", argv[1],
			       "--dbname", app->cfg.db_url, (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "zhibu backup: pg_dump 失败\n");
			return 1;
		}
		printf("已备份到 %s（pg_dump 自定义格式，用 pg_restore 恢复）\n", argv[1]);
		return 0;
	}
	if (cli_open(app, &db, 1) != 0)
		return 1;
	if (db_backup(db, argv[1]) != DB_OK) {
		fprintf(stderr, "zhibu backup: 备份失败：%s\n", db_errmsg(db));
		db_close(db);
		return 1;
	}
	db_close(db);
	chmod(argv[1], 0600);
	printf("已备份到 %s（与 %s 使用同一密钥文件）\n", argv[1], app->cfg.key_file);
	return 0;
}

/* ---------------------------------------------------------------- serve */

int cli_serve(struct app *app, int argc, char **argv)
{
	struct http_config hc = { 0 };
	struct http_server *srv;
	struct jobs *jobs;
	struct db *db = NULL;
	sigset_t set;
	int sig;

	(void)argc, (void)argv;
	if (cli_open(app, &db, 1) != 0)
		return 1;
	db_close(db);
	app->pool = db_pool_open(app->cfg.db_url, app->cfg.threads);
	if (!app->pool) {
		fprintf(stderr, "zhibu serve: 无法打开数据库连接池\n");
		return 1;
	}
	app->login_limit = ratelimit_new(app->cfg.login_rate, 60);
	app->public_submit = ratelimit_new(app->cfg.public_rate, 600);
	app->public_read = ratelimit_new(120, 60);
	app->bulk_read = ratelimit_new(app->cfg.export_rate, 60);
	app->memo = app->cfg.memo ? memo_new() : NULL;
	/* no Argon2 run at start-up (64 MiB): a well-formed hash of random bytes does */
	if (password_dummy_hash(app->dummy_hash, sizeof(app->dummy_hash)) != 0) {
		fprintf(stderr, "zhibu serve: 无法初始化密码校验\n");
		return 1;
	}

	hc.listen = app->cfg.listen;
	hc.threads = app->cfg.threads;
	hc.max_body = 1 << 20;
	hc.max_upload = TRANSFER_MAX_UPLOAD;
	hc.conn_limit = 1024;
	hc.per_ip_limit = 256;
	hc.timeout_s = app->cfg.http_timeout;
	hc.static_dir = app->cfg.static_dir;
	hc.access_log = app->cfg.access_log;

	/* Block the stop signals in every thread; the main thread waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	srv = http_start(&hc, app_routes, &app_hooks, app);
	if (!srv) {
		fprintf(stderr, "zhibu serve: 无法监听 %s\n", hc.listen);
		db_pool_close(app->pool);
		return 1;
	}
	printf("zhibu listening on http://%.*s:%d/\n",
	       (int)(strrchr(hc.listen, ':') - hc.listen), hc.listen, http_port(srv));
	fflush(stdout);
	jobs = jobs_start(app, 600);	/* the daily jobs: checked every 10 minutes, run once a day */
	sigwait(&set, &sig);
	log_info("stopping on signal %d", sig);
	jobs_stop(jobs);
	http_stop(srv);
	db_pool_close(app->pool);
	ratelimit_free(app->login_limit);
	ratelimit_free(app->public_submit);
	ratelimit_free(app->public_read);
	ratelimit_free(app->bulk_read);
	memo_free(app->memo);
	return 0;
}
