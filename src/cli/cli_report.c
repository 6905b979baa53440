/* cli_report.c - zhibu report annual|tables: the annual report (.docx or .html) and the statistical tables (.xlsx) of an org for a year, from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../auth/audit.h"
#include "../base/arena.h"
#include "../base/buf.h"
#include "../modules/orgs/orgs.h"
#include "../modules/report/report.h"

static const char REPORT_USAGE[] =
	"用法: zhibu report annual --org ID --year YYYY -o FILE.docx|FILE.html\n"
	"      zhibu report tables --org ID --year YYYY -o FILE.xlsx\n";

static const struct audit_who report_who = { 0, "cli", "", "" };

/* A positive integer argument, 0 when malformed. */
static int64_t positive(const char *s)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;

	return s && *s && !*end && v > 0 ? (int64_t)v : 0;
}

/* 1 when name ends with ext (".docx"). */
static int ends_with(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && strcmp(name + n - e, ext) == 0;
}

/* Write len bytes to path; 0 or -1. */
static int write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	int ok;

	if (!fp)
		return -1;
	ok = fwrite(data, 1, len, fp) == len;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

/* The annual report into out (.docx, or .html); 0, or 1 with the reason printed. */
static int annual(struct db *db, struct arena *a, const struct org *o, int year, const char *out)
{
	int rc;
	json_t *d = report_annual(db, a, o, year, &rc);
	char *data = NULL;
	size_t len = 0;
	struct buf b;

	if (!d) {
		fprintf(stderr, "zhibu report: 读取数据失败：%s\n", db_errmsg(db));
		return 1;
	}
	if (ends_with(out, ".html")) {
		buf_init(&b, 0);
		report_html(d, &b);
		rc = b.err ? -1 : write_file(out, b.data, b.len);
		buf_release(&b);
	} else {
		rc = report_docx(d, &data, &len);
		if (rc == 0)
			rc = write_file(out, data, len);
		free(data);
	}
	json_decref(d);
	if (rc != 0) {
		fprintf(stderr, "zhibu report: 无法写入 %s\n", out);
		return 1;
	}
	return 0;
}

/*
 * zhibu report annual|tables --org ID --year YYYY -o FILE: write the file,
 * audit the export as the system user "cli". Exit 0, 1 on failure, 2 on bad
 * usage.
 */
int cli_report(struct app *app, int argc, char **argv)
{
	const char *out = NULL, *what = argc >= 2 ? argv[1] : "";
	struct db *db = NULL;
	struct org o;
	struct arena a;
	int64_t org_id = 0, year = 0;
	int rc;
	json_t *after;

	if (strcmp(what, "annual") != 0 && strcmp(what, "tables") != 0) {
		fputs(REPORT_USAGE, stderr);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--org") == 0 && i + 1 < argc)
			org_id = positive(argv[++i]);
		else if (strcmp(argv[i], "--year") == 0 && i + 1 < argc)
			year = positive(argv[++i]);
		else if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
			out = argv[++i];
		else {
			fprintf(stderr, "zhibu report: 无法识别的参数“%s”\n%s", argv[i], REPORT_USAGE);
			return 2;
		}
	}
	if (!org_id || !out || year < 2000 || year > 2100) {
		fprintf(stderr, "zhibu report: 须给出 --org（组织编号）、--year（2000至2100）与 -o\n%s",
			REPORT_USAGE);
		return 2;
	}
	if (strcmp(what, "tables") == 0 ? !ends_with(out, ".xlsx")
	    : !ends_with(out, ".docx") && !ends_with(out, ".html")) {
		fprintf(stderr, "zhibu report: 输出文件的扩展名应为 %s\n",
			strcmp(what, "tables") == 0 ? ".xlsx" : ".docx 或 .html");
		return 2;
	}
	if (cli_open(app, &db, 1) != 0)
		return 1;
	if (org_load(db, org_id, &o) != 1) {
		fprintf(stderr, "zhibu report: 组织 %lld 不存在\n", (long long)org_id);
		db_close(db);
		return 1;
	}
	arena_init(&a, 0);
	if (strcmp(what, "annual") == 0) {
		rc = annual(db, &a, &o, (int)year, out);
	} else {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", out);
		if (strrchr(dir, '/'))
			*strrchr(dir, '/') = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		rc = report_tables_xlsx(db, &a, &o, (int)year, out, dir);
		if (rc != DB_OK)
			fprintf(stderr, "zhibu report: 无法生成 %s\n", out);
		rc = rc != DB_OK;
	}
	arena_release(&a);
	if (rc == 0) {
		after = json_pack("{s:s, s:I, s:I, s:s}", "report", what, "org_id", (json_int_t)org_id,
				  "year", (json_int_t)year, "file", out);
		rc = db_begin(db);
		if (rc == DB_OK)
			rc = audit_append(db, &app->keys, &report_who, "report", org_id, "export", NULL,
					  after);
		if (rc == DB_OK)
			rc = db_commit(db);
		else
			db_rollback(db);
		json_decref(after);
		if (rc != DB_OK)
			fprintf(stderr, "zhibu report: 无法记录审计日志\n");
		else
			printf("已写入 %s\n", out);
		rc = rc != DB_OK;
	}
	db_close(db);
	return rc;
}
