/* main.c - the zhibu command line: a table of subcommands and the global --db option. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "app/app.h"
#include "cli/cli.h"

static int cmd_version(struct app *app, int argc, char **argv);
static int cmd_help(struct app *app, int argc, char **argv);

static const struct command {
	const char *name;
	int (*fn)(struct app *app, int argc, char **argv);
	const char *usage;
	const char *help;
} commands[] = {
	{ "init", cli_init, "init [--demo]", "创建并迁移数据库，创建管理员账户并打印一次性密码" },
	{ "serve", cli_serve, "serve", "启动 Web 服务（监听 ZHIBU_LISTEN，默认 127.0.0.1:8080）" },
	{ "migrate", cli_migrate, "migrate", "把数据库结构升级到最新版本" },
	{ "user", cli_user, "user add|passwd|lock|unlock|list ...", "管理账户（见 zhibu user help）" },
	{ "verify", cli_verify, "verify", "校验审计链与数据库完整性；发现问题时退出码为 1" },
	{ "backup", cli_backup, "backup FILE", "在线生成一致的数据库副本" },
	{ "restore", cli_restore, "restore FILE [--force]", "从备份恢复到 ZHIBU_DB 指定的（空）数据库并校验" },
	{ "import", cli_import, "import people FILE [--org ID] [--dry-run]",
	  "从 Excel/CSV 导入人员：按身份证号新增或更新，有错则全部不导入" },
	{ "export", cli_export, "export people|team|reserves --org ID -o FILE.xlsx",
	  "导出人员、两委班子或后备干部名册（另有 --date、--unmask --reason）" },
	{ "report", cli_report, "report annual|tables --org ID --year YYYY -o FILE", "生成年度述职报告（.docx/.html）或党建统计表（.xlsx）" },
	{ "version", cmd_version, "version", "显示版本" },
	{ "help", cmd_help, "help", "显示本帮助" },
};

static int cmd_version(struct app *app, int argc, char **argv)
{
	(void)app, (void)argc, (void)argv;
	printf("zhibu %s\n", ZHIBU_VERSION);
	return 0;
}

static int cmd_help(struct app *app, int argc, char **argv)
{
	(void)app, (void)argc, (void)argv;
	printf("zhibu %s - 基层党建管理系统\n\n用法: zhibu [--db PATH|URL] <命令> [参数]\n\n",
	       ZHIBU_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-40s %s\n", commands[i].usage, commands[i].help);
	printf("\n环境变量: ZHIBU_DB（数据库文件路径或 postgres:// URL，默认 data/zhibu.db）,\n"
	       "  ZHIBU_KEY_FILE（密钥文件，默认与数据库同目录）, ZHIBU_LISTEN, ZHIBU_THREADS,\n"
	       "  ZHIBU_STATIC, ZHIBU_ADMIN_PASSWORD, ZHIBU_SECURE_COOKIE, ZHIBU_ACCESS_LOG\n");
	return 0;
}

/* Take "--db X" or "--db=X" out of argv wherever it stands. */
static int take_db_option(int argc, char **argv, const char **db)
{
	int out = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			*db = argv[++i];
			continue;
		}
		if (strncmp(argv[i], "--db=", 5) == 0) {
			*db = argv[i] + 5;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	struct app app;
	const char *db = NULL;

	/* The database, its key file, backups and uploads hold personal data: owner only. */
	umask(077);
	memset(&app, 0, sizeof(app));
	argc = take_db_option(argc, argv, &db);
	app.cfg.db_url = db;
	config_load(&app.cfg);
	if (argc < 2)
		return cmd_help(&app, 0, NULL), 2;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(&app, argc - 1, argv + 1);
	fprintf(stderr, "zhibu: 未知命令“%s”；运行 zhibu help 查看可用命令\n", argv[1]);
	return 2;
}
