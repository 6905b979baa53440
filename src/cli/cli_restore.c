/* cli_restore.c - zhibu restore: put a backup written by zhibu backup back into place, verified. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"

static int is_pg_url(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

/*
 * Copy the file `from` to `to` (created 0600, must not exist) and fsync it.
 * Returns 0, or -1 with a message printed.
 */
static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out, rc = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		fprintf(stderr, "zhibu restore: 无法读取 %s：%s\n", from, strerror(errno));
		return -1;
	}
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		fprintf(stderr, "zhibu restore: 无法创建 %s：%s\n", to, strerror(errno));
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = -1;
				break;
			}
			off += w;
		}
		if (rc)
			break;
	}
	if (rc == 0 && fsync(out) != 0)
		rc = -1;
	if (rc)
		fprintf(stderr, "zhibu restore: 复制到 %s 失败：%s\n", to, strerror(errno));
	close(out);
	close(in);
	return rc;
}

/* Remove `base` + suffix if it exists (the SQLite -wal and -shm companions). */
static void unlink_companion(const char *base, const char *suffix)
{
	char path[4200];
	int n = snprintf(path, sizeof(path), "%s%s", base, suffix);

	if (n > 0 && (size_t)n < sizeof(path))
		unlink(path);
}

/* fsync the directory holding `file`, so a rename survives a power cut. */
static void sync_parent(const char *file)
{
	char dir[4096];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", file);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * SQLite: the backup is a database file (VACUUM INTO). It is copied next to
 * the target, checked there with `zhibu verify` (integrity, audit chain with
 * this key file, disclosure log), and only then renamed over the target, so
 * a failed restore leaves the target as it was. A non-empty target needs
 * --force; the server must be stopped first.
 */
static int restore_sqlite(struct app *app, const char *file, int force)
{
	const char *target = app->cfg.db_url;
	char tmp[4200];
	char *vargv[] = { "verify", NULL };
	struct stat sb;
	int rc, n;

	if (stat(target, &sb) == 0 && sb.st_size > 0 && !force) {
		fprintf(stderr, "zhibu restore: 数据库 %s 已存在且不为空；确认要覆盖请停止服务后加 --force\n",
			target);
		return 1;
	}
	n = snprintf(tmp, sizeof(tmp), "%s.restore-tmp", target);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		fprintf(stderr, "zhibu restore: 路径过长：%s\n", target);
		return 1;
	}
	unlink(tmp);
	unlink_companion(tmp, "-wal");
	unlink_companion(tmp, "-shm");
	if (copy_file(file, tmp) != 0) {
		unlink(tmp);
		return 1;
	}
	printf("正在校验备份 %s …\n", file);
	app->cfg.db_url = tmp;
	rc = cli_verify(app, 1, vargv);
	app->cfg.db_url = target;
	unlink_companion(tmp, "-wal");
	unlink_companion(tmp, "-shm");
	if (rc != 0) {
		fprintf(stderr, "zhibu restore: 备份未通过校验（密钥文件 %s 是否与备份对应？），未做任何改动\n",
			app->cfg.key_file);
		unlink(tmp);
		return 1;
	}
	unlink_companion(target, "-wal");
	unlink_companion(target, "-shm");
	if (rename(tmp, target) != 0) {
		fprintf(stderr, "zhibu restore: 无法替换 %s：%s\n", target, strerror(errno));
		unlink(tmp);
		return 1;
	}
	sync_parent(target);
	printf("已从 %s 恢复到 %s\n", file, target);
	return 0;
}

/* Number of tables in the public schema of the PostgreSQL database at url; -1 if unreachable. */
static int pg_table_count(const char *url)
{
	struct db *db = NULL;
	int64_t n = -1;

	if (db_open(url, &db) != DB_OK) {
		fprintf(stderr, "zhibu restore: 无法连接数据库：%s\n", db ? db_errmsg(db) : "连接失败");
		if (db)
			db_close(db);
		return -1;
	}
	/* db_query_int answers DB_ROW when the row was read */
	if (db_query_int(db, &n, "SELECT count(*) FROM information_schema.tables "
			 "WHERE table_schema = 'public'", "") != DB_ROW) {
		fprintf(stderr, "zhibu restore: 无法读取目标数据库：%s\n", db_errmsg(db));
		n = -1;
	}
	db_close(db);
	return (int)n;
}

/*
 * PostgreSQL: the backup is pg_dump's custom format; pg_restore loads it in
 * one transaction (all or nothing) into the database named by ZHIBU_DB,
 * which must be empty unless --force (then its objects are dropped first,
 * inside the same transaction). `zhibu verify` then checks the result.
 */
static int restore_pg(struct app *app, const char *file, int force)
{
	char *vargv[] = { "verify", NULL };
	int tables = pg_table_count(app->cfg.db_url), status;
	pid_t pid;

	if (tables < 0)
		return 1;
	if (tables > 0 && !force) {
		fprintf(stderr, "zhibu restore: 目标数据库已有 %d 张表；确认要覆盖请停止服务后加 --force\n",
			tables);
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		if (tables > 0)
			execlp("pg_restore", "pg_restore", "--single-transaction", "--exit-on-error",
			       "--no-owner", "--no-privileges", "--clean", "--if-exists",
			       "--dbname", app->cfg.db_url, file, (char *)NULL);
		else
			execlp("pg_restore", "pg_restore", "--single-transaction", "--exit-on-error",
			       "--no-owner", "--no-privileges", "--dbname", app->cfg.db_url, file,
			       (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "zhibu restore: pg_restore 失败，数据库未改动\n");
		return 1;
	}
	if (cli_verify(app, 1, vargv) != 0) {
		fprintf(stderr, "zhibu restore: 已载入，但未通过校验（密钥文件 %s 是否与备份对应？）\n",
			app->cfg.key_file);
		return 1;
	}
	printf("已从 %s 恢复\n", file);
	return 0;
}

/*
 * zhibu restore FILE [--force]: the counterpart of zhibu backup, into the
 * database given by ZHIBU_DB / --db, with the key file of the backed-up
 * installation (ZHIBU_KEY_FILE). Exit 0 only when the restored database
 * passes zhibu verify.
 */
int cli_restore(struct app *app, int argc, char **argv)
{
	const char *file = NULL;
	int force = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (!file)
			file = argv[i];
		else
			file = "";
	}
	if (!file || !*file) {
		fprintf(stderr, "用法: zhibu restore FILE [--force]\n");
		return 2;
	}
	if (access(file, R_OK) != 0) {
		fprintf(stderr, "zhibu restore: 无法读取备份 %s：%s\n", file, strerror(errno));
		return 1;
	}
	if (is_pg_url(app->cfg.db_url))
		return restore_pg(app, file, force);
	return restore_sqlite(app, file, force);
}
