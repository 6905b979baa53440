/* cli_transfer.c - `zhibu import people` and `zhibu export people|team|reserves`: the operator's sheets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "../auth/audit.h"
#include "../base/date.h"
#include "../base/json.h"
#include "../modules/orgs/orgs.h"
#include "../modules/transfer/transfer.h"

static const char IMPORT_USAGE[] =
	"用法: zhibu import people FILE [--org ID] [--dry-run]\n"
	"  FILE     .xlsx 或 .csv（UTF-8、带 BOM 的 UTF-8 或 GB18030）\n"
	"  --org    目标组织：所在支部按名称在该组织及其下级中查找，空着的即为该组织\n"
	"  --dry-run  只检查，不写入\n"
	"按身份证号识别人员：已登记的更新，未登记的新增。有任何一行出错则全部不导入，退出码为 1。\n";

static const char EXPORT_USAGE[] =
	"用法: zhibu export people|team|reserves --org ID -o FILE.xlsx [--date YYYY-MM-DD]\n"
	"                   [--unmask --reason 原因]\n"
	"  people    该组织及其下级的全部在册人员\n"
	"  team      该日（默认今天）的两委班子成员\n"
	"  reserves  该日在库的后备干部\n"
	"身份证号和电话默认打码；--unmask 须同时给出 --reason，并记入审计日志。\n";

/* The identity the command line writes and audits as. */
static const struct audit_who cli_who = { 0, "cli", "", "cli" };

static int64_t parse_id(const char *s)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;

	return s && *s && !*end && v > 0 ? (int64_t)v : 0;
}

/* What a run prints as it goes. */
struct cli_run {
	int tty;		/* stderr is a terminal: show progress there */
};

static void cli_error(void *arg, const struct import_error *e)
{
	char line[1024];

	(void)arg;
	import_error_text(e, line, sizeof(line));
	printf("%s\n", line);
}

static void cli_progress(void *arg, size_t rows, uint64_t done, uint64_t total)
{
	struct cli_run *c = arg;

	if (c->tty && total > 0)
		fprintf(stderr, "\r已读取 %zu 行（%d%%）", rows, (int)(done * 100 / total));
}

/* The org named by --org: exists and is active. Prints why not; 0 on success. */
static int load_org(struct db *db, int64_t id, const char *cmd, struct org *o)
{
	if (org_load(db, id, o) != 1) {
		fprintf(stderr, "zhibu %s: 组织 %lld 不存在\n", cmd, (long long)id);
		return -1;
	}
	if (strcmp(o->status, "active") != 0) {
		fprintf(stderr, "zhibu %s: 组织 %lld（%s）已归档\n", cmd, (long long)id, o->name);
		return -1;
	}
	return 0;
}

/*
 * zhibu import people FILE [--org ID] [--dry-run]: check the sheet, print the
 * counts and every error; without --dry-run and without errors, write every
 * row in one transaction as the system user "cli" (audited). Exit 0 when
 * clean, 1 on any error, 2 on bad usage.
 */
int cli_import(struct app *app, int argc, char **argv)
{
	const char *file = NULL, *base;
	struct import_result res;
	struct import_opts o;
	struct import_hooks h;
	struct cli_run run;
	struct db *db = NULL;
	struct org org;
	int64_t org_id = 0;
	int dry = 0, rc;

	if (argc < 3 || strcmp(argv[1], "people") != 0) {
		fputs(IMPORT_USAGE, stderr);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--org") == 0 && i + 1 < argc) {
			org_id = parse_id(argv[++i]);
			if (!org_id) {
				fprintf(stderr, "zhibu import: --org 应为组织编号（正整数）\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			dry = 1;
		} else if (argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			fprintf(stderr, "zhibu import: 无法识别的参数“%s”\n%s", argv[i], IMPORT_USAGE);
			return 2;
		}
	}
	if (!file) {
		fputs(IMPORT_USAGE, stderr);
		return 2;
	}
	if (access(file, R_OK) != 0) {
		fprintf(stderr, "zhibu import: 无法读取 %s\n", file);
		return 1;
	}
	if (cli_open(app, &db, 1) != 0)
		return 1;
	if (org_id && load_org(db, org_id, "import", &org) != 0) {
		db_close(db);
		return 1;
	}
	base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	memset(&o, 0, sizeof(o));
	o.k = &app->keys;
	o.who = &cli_who;
	o.scope = NULL;
	o.org_id = org_id;
	o.commit = !dry;
	o.source = base;
	run.tty = isatty(2);
	h.arg = &run;
	h.error = cli_error;
	h.progress = cli_progress;
	rc = import_people(db, file, &o, &h, &res);
	if (run.tty)
		fputs("\r\033[K", stderr);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "zhibu import: 数据库错误，未导入任何数据\n");
		return 1;
	}
	if (rc == IMPORT_EFILE) {
		fprintf(stderr, "zhibu import: %s\n", res.file.msg);
		return 1;
	}
	printf("%s：共 %zu 行，新增 %zu，更新 %zu，不变 %zu，有错误 %zu 行\n", res.kind, res.total,
	       res.added, res.updated, res.unchanged, res.error_rows);
	if (rc == IMPORT_EROWS) {
		printf("有错误，未导入任何数据。\n");
		return 1;
	}
	printf(dry ? "检查通过（--dry-run：未写入）。\n" : "已导入。\n");
	return 0;
}

/*
 * zhibu export people|team|reserves --org ID -o FILE.xlsx [--date D]
 * [--unmask --reason TEXT]: write the set as the people sheet, masked unless
 * --unmask with a reason, and audit it with its row count.
 */
int cli_export(struct app *app, int argc, char **argv)
{
	static const struct { const char *name; enum people_set set; } sets[] = {
		{ "people", PEOPLE_SET_ACTIVE },
		{ "team", PEOPLE_SET_TEAM },
		{ "reserves", PEOPLE_SET_RESERVES },
	};
	const char *out = NULL, *date = NULL, *reason = NULL;
	char dir[4096], day[11];
	struct people_xlsx *x;
	struct db *db = NULL;
	struct org org;
	int64_t org_id = 0, rows = 0;
	int unmask = 0, kind = -1, rc;
	json_t *after;

	if (argc >= 2)
		for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
			if (strcmp(argv[1], sets[i].name) == 0)
				kind = (int)i;
	if (kind < 0) {
		fputs(EXPORT_USAGE, stderr);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--org") == 0 && i + 1 < argc)
			org_id = parse_id(argv[++i]);
		else if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
			date = argv[++i];
		else if (strcmp(argv[i], "--unmask") == 0)
			unmask = 1;
		else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else {
			fprintf(stderr, "zhibu export: 无法识别的参数“%s”\n%s", argv[i], EXPORT_USAGE);
			return 2;
		}
	}
	if (!org_id || !out) {
		fprintf(stderr, "zhibu export: 须给出 --org 与 -o\n%s", EXPORT_USAGE);
		return 2;
	}
	if (date && date_parse_iso(date, NULL) != 0) {
		fprintf(stderr, "zhibu export: --date 应为有效日期（YYYY-MM-DD）\n");
		return 2;
	}
	if (unmask && (!reason || utf8_len(reason) < 2 || utf8_len(reason) > 200)) {
		fprintf(stderr, "zhibu export: --unmask 须同时用 --reason 说明原因（2到200个字）\n");
		return 2;
	}
	if (!unmask && reason) {
		fprintf(stderr, "zhibu export: --reason 只与 --unmask 一起使用\n");
		return 2;
	}
	if (cli_open(app, &db, 1) != 0)
		return 1;
	if (load_org(db, org_id, "export", &org) != 0) {
		db_close(db);
		return 1;
	}
	if (!date) {
		date_format(date_today_cn(), day);
		date = day;
	}
	/* libxlsxwriter's temporary files hold the same data: beside the output, not in /tmp */
	snprintf(dir, sizeof(dir), "%s", out);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	x = people_xlsx_open(db, out, dir);
	if (!x) {
		fprintf(stderr, "zhibu export: 无法写入 %s\n", out);
		db_close(db);
		return 1;
	}
	rc = people_sheet_walk(db, &app->keys, org.path, sets[kind].set, date, unmask,
			       people_xlsx_row, x, &rows);
	if (rc != DB_OK) {
		int too_many = people_xlsx_too_many(x);
		people_xlsx_close(x, 0);
		db_close(db);
		fprintf(stderr, "zhibu export: %s\n", too_many ? "人数超过 Excel 一张表的上限" :
			rc < 0 ? "数据库错误" : "无法写入文件");
		return 1;
	}
	rows = people_xlsx_rows(x);
	if (people_xlsx_close(x, 1) != 0) {
		fprintf(stderr, "zhibu export: 无法写入 %s\n", out);
		db_close(db);
		return 1;
	}
	after = json_pack("{s:s, s:I, s:s, s:I, s:b, s:s}", "kind", sets[kind].name, "org_id",
			  (json_int_t)org_id, "date", date, "rows", (json_int_t)rows, "unmasked",
			  unmask, "file", out);
	if (reason)
		json_object_set_new(after, "reason", json_string(reason));
	rc = db_begin(db);
	if (rc == DB_OK)
		rc = audit_append(db, &app->keys, &cli_who, "export", 0,
				  unmask ? "export_unmasked" : "export", NULL, after);
	if (rc == DB_OK)
		rc = db_commit(db);
	json_decref(after);
	if (rc != DB_OK) {
		db_rollback(db);
		db_close(db);
		unlink(out);
		fprintf(stderr, "zhibu export: 无法写入审计日志，已删除导出的文件\n");
		return 1;
	}
	db_close(db);
	printf("已导出 %lld 人到 %s%s\n", (long long)rows, out, unmask ? "（未打码，已记入审计日志）" : "");
	return 0;
}
