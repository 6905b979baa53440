/* cli_user.c - `zhibu user add|passwd|lock|unlock|list`: account administration for the operator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../auth/password.h"
#include "../auth/perm.h"
#include "../auth/session.h"
#include "../modules/admin/admin.h"

static const char USAGE[] =
	"用法:\n"
	"  zhibu user add USERNAME --name 姓名 --org ORG_ID [--role ROLE[@ORG_ID]]...\n"
	"  zhibu user passwd USERNAME      重置为一次性密码（或取 ZHIBU_PASSWORD，非一次性）\n"
	"  zhibu user lock USERNAME\n"
	"  zhibu user unlock USERNAME\n"
	"  zhibu user list\n"
	"角色: sysadmin secadmin auditadmin staff secretary discipline member gridworker\n";

static int64_t parse_id(const char *s)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;

	return s && *s && !*end && v > 0 ? (int64_t)v : 0;
}

/* Run fn inside one transaction; commit on DB_OK. */
static int in_tx(struct db *db, int rc)
{
	if (rc == DB_OK && db_commit(db) == DB_OK)
		return 0;
	db_rollback(db);
	fprintf(stderr, "zhibu user: 数据库错误：%s\n", db_errmsg(db));
	return 1;
}

static int user_add(struct app *app, struct db *db, int argc, char **argv)
{
	struct audit_who who = { 0, "cli", "", "cli" };
	const char *name = NULL, *roles[CTX_MAX_GRANTS];
	int64_t org = 0, id;
	int nroles = 0, rc;
	char pw[64];
	struct zb_fail f;

	if (argc < 3) {
		fputs(USAGE, stderr);
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--org") == 0 && i + 1 < argc)
			org = parse_id(argv[++i]);
		else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc && nroles < CTX_MAX_GRANTS)
			roles[nroles++] = argv[++i];
		else {
			fprintf(stderr, "zhibu user add: 无法识别的参数“%s”\n%s", argv[i], USAGE);
			return 2;
		}
	}
	const char *why = username_check(argv[2]);
	if (why || !name || !*name || !org) {
		fprintf(stderr, "zhibu user add: %s\n", why ? why : "须给出 --name 与 --org");
		return 2;
	}
	char names[CTX_MAX_GRANTS][32];
	const char *name_ptrs[CTX_MAX_GRANTS];
	for (int i = 0; i < nroles; i++) {
		snprintf(names[i], sizeof(names[i]), "%.*s", (int)strcspn(roles[i], "@"), roles[i]);
		name_ptrs[i] = names[i];
		if (!role_valid(names[i])) {
			fprintf(stderr, "zhibu user add: 未知角色“%s”\n", names[i]);
			return 2;
		}
	}
	why = roles_compatible(name_ptrs, nroles);
	if (why) {
		fprintf(stderr, "zhibu user add: %s\n", why);
		return 2;
	}
	const char *env_pw = getenv("ZHIBU_PASSWORD");
	if (env_pw && *env_pw) {
		struct policy pol;
		struct password_policy pp;
		policy_load(db, &pol);
		pp = policy_password(&pol);
		why = password_check(&pp, env_pw, argv[2]);
		if (why) {
			fprintf(stderr, "zhibu user add: ZHIBU_PASSWORD 不符合密码策略：%s\n", why);
			return 1;
		}
		snprintf(pw, sizeof(pw), "%s", env_pw);
	} else {
		password_generate(pw, sizeof(pw));
	}
	zb_fail_init(&f);
	if (db_begin(db) != DB_OK)
		return in_tx(db, DB_EGENERIC);
	id = user_create(db, &app->keys, &who, argv[2], name, org, pw, !(env_pw && *env_pw), &f);
	if (id == 0) {
		json_t *j = zb_fail_json(&f);
		char *s = json_dumps(j, 0);
		fprintf(stderr, "zhibu user add: %s\n", s ? s : "失败");
		free(s);
		json_decref(j);
		zb_fail_release(&f);
		db_rollback(db);
		return 1;
	}
	zb_fail_release(&f);
	rc = id > 0 ? DB_OK : (int)id;
	for (int i = 0; i < nroles && rc == DB_OK; i++) {
		char role[32];
		const char *at = strchr(roles[i], '@');
		int64_t on = at ? parse_id(at + 1) : org;
		snprintf(role, sizeof(role), "%.*s", (int)strcspn(roles[i], "@"), roles[i]);
		rc = on ? user_grant(db, &app->keys, &who, id, role, on) : DB_EGENERIC;
	}
	if (in_tx(db, rc) != 0)
		return 1;
	printf("username: %s\n", argv[2]);
	if (env_pw && *env_pw)
		printf("password: (ZHIBU_PASSWORD)\n");
	else
		printf("one-time password: %s\n", pw);
	return 0;
}

static int user_list(struct db *db)
{
	struct db_stmt *st = db_prepare(db,
		"SELECT u.id, u.username, u.display_name, u.status, u.org_id FROM users u ORDER BY u.id");

	printf("%-6s %-20s %-16s %-10s %s\n", "id", "username", "姓名", "状态", "角色");
	while (st && db_step(st) == DB_ROW) {
		json_t *u = user_json(db, db_col_int(st, 0));
		json_t *g;
		size_t i;
		printf("%-6lld %-20s %-16s %-10s", (long long)db_col_int(st, 0), db_col_text(st, 1),
		       db_col_text(st, 2), db_col_text(st, 3));
		json_array_foreach(json_object_get(u, "roles"), i, g)
			printf(" %s@%lld", json_string_value(json_object_get(g, "role")),
			       (long long)json_integer_value(json_object_get(g, "org_id")));
		printf("\n");
		json_decref(u);
	}
	db_finalize(st);
	return 0;
}

int cli_user(struct app *app, int argc, char **argv)
{
	struct audit_who who = { 0, "cli", "", "cli" };
	struct db *db = NULL;
	int64_t id;
	int rc;

	if (argc < 2 || strcmp(argv[1], "help") == 0) {
		fputs(USAGE, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (cli_open(app, &db, 1) != 0)
		return 1;
	if (strcmp(argv[1], "add") == 0) {
		rc = user_add(app, db, argc, argv);
		goto out;
	}
	if (strcmp(argv[1], "list") == 0) {
		rc = user_list(db);
		goto out;
	}
	if (argc != 3 || (strcmp(argv[1], "passwd") && strcmp(argv[1], "lock") &&
			  strcmp(argv[1], "unlock"))) {
		fputs(USAGE, stderr);
		rc = 2;
		goto out;
	}
	id = user_find(db, argv[2]);
	if (id <= 0) {
		fprintf(stderr, "zhibu user: 账户“%s”不存在\n", argv[2]);
		rc = 1;
		goto out;
	}
	if (db_begin(db) != DB_OK) {
		rc = in_tx(db, DB_EGENERIC);
		goto out;
	}
	if (strcmp(argv[1], "passwd") == 0) {
		char pw[64];
		const char *env_pw = getenv("ZHIBU_PASSWORD");
		if (env_pw && *env_pw) {
			struct policy pol;
			struct password_policy pp;
			const char *why;
			policy_load(db, &pol);
			pp = policy_password(&pol);
			why = password_check(&pp, env_pw, argv[2]);
			if (why) {
				db_rollback(db);
				fprintf(stderr, "zhibu user passwd: ZHIBU_PASSWORD 不符合密码策略：%s\n", why);
				rc = 1;
				goto out;
			}
			snprintf(pw, sizeof(pw), "%s", env_pw);
		} else {
			password_generate(pw, sizeof(pw));
		}
		rc = in_tx(db, user_set_password(db, &app->keys, &who, id, pw, !(env_pw && *env_pw)));
		if (rc == 0) {
			printf("username: %s\n", argv[2]);
			if (env_pw && *env_pw)
				printf("password: (ZHIBU_PASSWORD)\n");
			else
				printf("one-time password: %s\n", pw);
		}
	} else {
		int lock = strcmp(argv[1], "lock") == 0;
		rc = in_tx(db, user_set_status(db, &app->keys, &who, id, lock ? "locked" : "active"));
		if (rc == 0)
			printf("%s：%s\n", lock ? "已锁定" : "已解锁", argv[2]);
	}
out:
	db_close(db);
	return rc;
}
