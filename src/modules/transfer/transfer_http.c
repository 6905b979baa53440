/* transfer_http.c - /api/v1/imports and /exports: uploads kept by token, dry run, commit, error sheet, template, progress, export. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "transfer.h"
#include "transfer_internal.h"
#include "../orgs/orgs.h"
#include "../../base/date.h"
#include "../../base/json.h"
#include "../../base/log.h"

/*
 * An upload lives in <files_dir>/tmp as a set of files named by its token
 * (32 hex characters, random, or chosen by the client so it can poll the
 * progress of the dry run it is starting):
 *
 *	imp-TOKEN.upload	the file as sent (mode 0600)
 *	imp-TOKEN.meta		JSON: the owner's user id, org_id, state, the last result
 *	imp-TOKEN.lock		flock()ed while a dry run or commit runs
 *	imp-TOKEN.errors	"ROW<TAB>REASONS" lines of the last run, for the error sheet
 *	imp-TOKEN.progress	JSON: rows and bytes read so far, rewritten as the run goes
 *
 * Only the user who uploaded may use a token (anyone else gets 404). A
 * committed upload and its errors are removed at once; everything older than
 * 24 hours is removed on the next upload. Progress is kept in a file, not in
 * memory, so it is shared by every `zhibu serve` process using the same
 * files folder (and survives none: a restart mid-run leaves it stale).
 */

#define TOKEN_LEN 32
#define UPLOAD_MAX_AGE (24 * 3600)
/* Errors listed in a JSON answer; the error sheet holds all of them. */
#define JSON_ERRORS_MAX 1000

static const char XLSX_TYPE[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct paths {
	char dir[1024];
	char upload[1200];
	char meta[1200];
	char lock[1200];
	char errors[1200];
	char progress[1200];
};

/* ---------------------------------------------------------------- files */

/* mkdir -p, mode 0700 (uploads hold personal data). 0 or -1. */
static int make_dirs(const char *path)
{
	char dir[1024];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(dir))
		return -1;
	memcpy(dir, path, n + 1);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(dir, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int token_ok(const char *t)
{
	if (!t || strlen(t) != TOKEN_LEN)
		return 0;
	for (const char *p = t; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* The temporary folder; answers 500 (and returns -1) when it cannot be made. */
static int tmp_dir(struct req *r, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/tmp", r->app->cfg.files_dir);
	if (make_dirs(out) != 0) {
		log_error("request %s: cannot create %s: %s", r->id, out, strerror(errno));
		resp_error(r, ZB_EUNAVAILABLE, "无法保存上传的文件：存储空间不可用，请联系系统管理员");
		return -1;
	}
	return 0;
}

static void paths_of(const char *dir, const char *token, struct paths *p)
{
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	snprintf(p->upload, sizeof(p->upload), "%s/imp-%s.upload", dir, token);
	snprintf(p->meta, sizeof(p->meta), "%s/imp-%s.meta", dir, token);
	snprintf(p->lock, sizeof(p->lock), "%s/imp-%s.lock", dir, token);
	snprintf(p->errors, sizeof(p->errors), "%s/imp-%s.errors", dir, token);
	snprintf(p->progress, sizeof(p->progress), "%s/imp-%s.progress", dir, token);
}

static void remove_all(const struct paths *p)
{
	unlink(p->upload);
	unlink(p->errors);
	unlink(p->progress);
	unlink(p->lock);
	unlink(p->meta);
}

/* Remove every upload file (and left-over temporary file) older than a day. */
static void sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	int64_t now = time_now();

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "imp-", 4) != 0 && strncmp(de->d_name, "out-", 4) != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now - (int64_t)st.st_mtime > UPLOAD_MAX_AGE)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* Write j to path through a temporary file and a rename, so readers never see half of it. */
static int write_json_file(const char *path, const json_t *j)
{
	char tmp[1300];

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if (json_dump_file(j, tmp, JSON_COMPACT) != 0)
		return -1;
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Write all of buf to a new file (O_EXCL). 0, -1 (errno set). */
static int write_new_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(path);
			errno = e ? e : EIO;
			return -1;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

/*
 * The upload's meta file if it exists and belongs to the caller (new
 * reference), else NULL after answering 404: another user's token is
 * treated as a missing one.
 */
static json_t *meta_load(struct req *r, const struct paths *p)
{
	json_t *m = json_load_file(p->meta, 0, NULL);

	if (!m || json_int(m, "user_id", -1) != req_ctx(r)->user_id) {
		json_decref(m);
		resp_error(r, ZB_ENOTFOUND, "上传的文件不存在或已过期，请重新上传");
		return NULL;
	}
	return m;
}

/* Take the upload's lock: the fd, or -1 after answering 409 (another run holds it). */
static int lock_upload(struct req *r, const struct paths *p)
{
	int fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		resp_error(r, ZB_EUNAVAILABLE, "无法处理上传的文件，请稍后重试");
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		resp_error(r, ZB_ECONFLICT, "该文件正在检查或导入，请等待完成");
		return -1;
	}
	return fd;
}

/* Read a whole file into memory and answer it as an xlsx attachment; the file is removed. */
static void send_xlsx(struct req *r, const char *path, const char *ascii_name,
		      const char *utf8_name)
{
	char *data = NULL;
	struct stat st;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0)
		data = malloc((size_t)st.st_size);
	while (data && off < (size_t)st.st_size) {
		ssize_t n = read(fd, data + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	if (!data || off != (size_t)st.st_size) {
		free(data);
		log_error("request %s: cannot read the generated %s", r->id, path);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	resp_text(r, 200, XLSX_TYPE, data, off);
	free(data);
	resp_attachment(r, ascii_name, utf8_name);
}

/* A fresh temporary file name for generated output in dir. */
static void out_path(const char *dir, char *out, size_t outsz)
{
	char rnd[33];

	random_token(rnd, 16);
	snprintf(out, outsz, "%s/out-%s.xlsx", dir, rnd);
}

/* ---------------------------------------------------------------- running an import */

/* What the hooks of one run write to. */
struct run {
	json_t *errors;			/* the first JSON_ERRORS_MAX errors */
	size_t nerrors;
	size_t first_row;		/* row of the first error */
	struct import_error_lines lines;
	const char *progress_path;
	const char *phase;		/* "dry_run" or "commit" */
	size_t expect_rows;		/* the dry run's row count, for a commit's progress */
};

static void on_error(void *arg, const struct import_error *e)
{
	struct run *u = arg;
	char col[8] = "";

	if (u->nerrors++ == 0)
		u->first_row = e->row;
	if (u->lines.fp)
		import_error_lines_add(&u->lines, e);
	if (json_array_size(u->errors) >= JSON_ERRORS_MAX)
		return;
	if (e->col >= 0)
		transfer_col_name((size_t)e->col, col);
	json_array_append_new(u->errors, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}",
						   "row", (json_int_t)e->row, "column", col,
						   "header", e->header, "field", e->field,
						   "value", e->value, "reason", e->reason));
}

static void on_progress(void *arg, size_t rows, uint64_t done, uint64_t total)
{
	struct run *u = arg;
	json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I}", "phase", u->phase, "rows",
			      (json_int_t)rows, "done_bytes", (json_int_t)done, "total_bytes",
			      (json_int_t)total, "expect_rows", (json_int_t)u->expect_rows);

	if (j)
		write_json_file(u->progress_path, j);
	json_decref(j);
}

/* An org the caller may import into: readable (else 404) and writable (else 403). Answers when not. */
static int import_org_ok(struct req *r, int64_t org_id)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct org o;

	scope_for(c, "person.read", &s);
	if (org_load(c->db, org_id, &o) != 1 || !scope_contains(&s, o.path)) {
		resp_error(r, ZB_ENOTFOUND, "组织不存在");
		return 0;
	}
	if (!perm_has(c, "person.write", o.path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权向该组织导入人员");
		return 0;
	}
	if (strcmp(o.status, "active") != 0) {
		resp_error(r, ZB_ECONFLICT, "该组织已归档，不能导入人员");
		return 0;
	}
	return 1;
}

/*
 * How a refused file is answered: a limit of size, rows, columns or cells is
 * 413; a limit on decompression (the reader's "压缩比" / "解压后" refusals: a
 * zip bomb, not a big sheet) is a hostile file like a renamed one, 400.
 */
static enum zb_err file_status(const struct sheet_error *e)
{
	if (e->code == SHEET_EIO)
		return ZB_EINTERNAL;
	if (e->code == SHEET_ELIMIT && !strstr(e->msg, "压缩") && !strstr(e->msg, "解压"))
		return ZB_ETOOLARGE;
	return ZB_EVALIDATION;
}

/* The answer's counts, shared by a dry run, a commit and a refused commit. */
static json_t *result_json(const char *token, const struct import_result *res, int committed,
			   struct run *u)
{
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:O}",
			      "token", token, "file", res->kind, "total", (json_int_t)res->total,
			      "added", (json_int_t)res->added, "updated", (json_int_t)res->updated,
			      "unchanged", (json_int_t)res->unchanged,
			      "error_rows", (json_int_t)res->error_rows,
			      "error_count", (json_int_t)u->nerrors,
			      "errors_truncated", u->nerrors > json_array_size(u->errors),
			      "committed", committed, "errors", u->errors);
	return j;
}

/*
 * Run a dry run (commit = 0) or a commit of the locked upload and answer:
 * 200 with the counts and errors for a dry run; 200 for a commit that was
 * written; 400 with the same body plus "error" for a commit refused for its
 * rows (nothing written); 413 / 400 for a file that cannot be read.
 */
static void run_import(struct req *r, const struct paths *p, const char *token, json_t *meta,
		       int64_t org_id, int commit)
{
	struct ctx *c = req_ctx(r);
	struct import_result res;
	struct import_opts o;
	struct import_hooks h;
	struct audit_who who;
	struct scope s;
	struct run u;
	FILE *fp;
	json_t *out;
	int rc;

	memset(&u, 0, sizeof(u));
	u.errors = json_array();
	u.progress_path = p->progress;
	u.phase = commit ? "commit" : "dry_run";
	u.expect_rows = (size_t)json_int(json_object_get(meta, "result"), "total", 0);
	fp = fopen(p->errors, "w");
	import_error_lines_init(&u.lines, fp);
	scope_for(c, "person.write", &s);
	app_who(r, &who);
	memset(&o, 0, sizeof(o));
	o.k = &r->app->keys;
	o.who = &who;
	o.scope = &s;
	o.org_id = org_id;
	o.commit = commit;
	o.source = token;
	h.arg = &u;
	h.error = on_error;
	h.progress = on_progress;
	json_object_set_new(meta, "state", json_string(commit ? "committing" : "checking"));
	json_object_set_new(meta, "org_id", json_integer(org_id));
	write_json_file(p->meta, meta);

	rc = fp ? import_people(c->db, p->upload, &o, &h, &res) : DB_EGENERIC;
	if (fp && import_error_lines_end(&u.lines) != 0 && rc >= 0)
		rc = DB_EFULL;
	if (fp)
		fclose(fp);
	if (rc < 0) {
		json_decref(u.errors);
		json_object_set_new(meta, "state", json_string("failed"));
		write_json_file(p->meta, meta);
		app_db_fail(r, rc, 0);
		return;
	}
	if (rc == IMPORT_EFILE) {
		json_decref(u.errors);
		remove_all(p);
		resp_error(r, file_status(&res.file), res.file.msg);
		return;
	}
	out = result_json(token, &res, commit && rc == IMPORT_OK, &u);
	json_object_set_new(meta, "state", json_string(!commit ? "checked" :
						       rc == IMPORT_OK ? "committed" : "refused"));
	json_object_set_new(meta, "result", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"total", (json_int_t)res.total, "added", (json_int_t)res.added,
		"updated", (json_int_t)res.updated, "unchanged", (json_int_t)res.unchanged,
		"error_rows", (json_int_t)res.error_rows, "width", (json_int_t)res.width,
		"header_row", (json_int_t)res.header_row));
	write_json_file(p->meta, meta);
	json_decref(u.errors);
	if (commit && rc == IMPORT_OK) {
		unlink(p->upload);
		unlink(p->errors);
		resp_json(r, 200, out);
		return;
	}
	if (commit) {
		struct zb_fail f;
		json_t *err;

		zb_fail_init(&f);
		zb_fail_set(&f, ZB_EVALIDATION,
			    "第%zu行等 %zu 行有错误，未导入任何数据；请下载错误表格，改正后重新导入",
			    u.first_row, res.error_rows);
		err = zb_fail_json(&f);
		zb_fail_release(&f);
		json_object_update(out, err);
		json_decref(err);
		resp_json(r, 400, out);
		return;
	}
	resp_json(r, 200, out);
}

/* ---------------------------------------------------------------- handlers */

/* Types a browser or a client may give the raw file; JSON and forms are not a file. */
static int upload_type_ok(const char *t)
{
	if (!t || !*t)
		return 1;
	return strncasecmp(t, "application/json", 16) != 0 &&
	       strncasecmp(t, "multipart/", 10) != 0 &&
	       strncasecmp(t, "application/x-www-form-urlencoded", 33) != 0;
}

/*
 * POST /imports/people[?dry_run=1][&org_id=N][&token=T]: the file is the raw
 * body. Stored under its token; checked (dry run) or checked and committed.
 */
void transfer_http_import(struct req *r)
{
	const char *dry = req_query(r, "dry_run"), *want = req_query(r, "token");
	int dry_run = dry && (strcmp(dry, "1") == 0 || strcmp(dry, "true") == 0);
	char dir[1024], token[TOKEN_LEN + 1];
	struct paths p;
	struct zb_fail f;
	json_t *meta;
	int64_t org_id;
	int lock;

	zb_fail_init(&f);
	org_id = req_query_int(r, "org_id", 0, 1, INT64_MAX, &f);
	if (dry && !dry_run && strcmp(dry, "0") != 0 && strcmp(dry, "false") != 0)
		zb_fail_field(&f, "dry_run", "dry_run 应为 1 或 0");
	if (want && *want && !token_ok(want))
		zb_fail_field(&f, "token", "token 应为 32 个小写十六进制字符");
	if (!upload_type_ok(r->body_type))
		zb_fail_set(&f, ZB_EVALIDATION,
			    "请把文件内容直接作为请求体上传（Content-Type: application/octet-stream），不要用表单");
	else if (r->body_len == 0)
		zb_fail_set(&f, ZB_EVALIDATION, "请上传文件（.xlsx 或 .csv）");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (org_id && !import_org_ok(r, org_id))
		return;
	if (tmp_dir(r, dir, sizeof(dir)) != 0)
		return;
	sweep(dir);
	if (want && *want)
		snprintf(token, sizeof(token), "%s", want);
	else
		random_token(token, TOKEN_LEN / 2);
	paths_of(dir, token, &p);
	if (write_new_file(p.upload, r->body, r->body_len) != 0) {
		if (errno == EEXIST) {
			resp_error(r, ZB_ECONFLICT, "该 token 已被使用，请换一个");
			return;
		}
		log_error("request %s: cannot store the upload: %s", r->id, strerror(errno));
		resp_error(r, ZB_EUNAVAILABLE, "无法保存上传的文件：存储空间不足或磁盘故障，请联系系统管理员");
		return;
	}
	{
		char now[24];
		ts_now(now);
		/* the run's state from the start, so a poll never sees it finished before it began */
		meta = json_pack("{s:I, s:s, s:s}", "user_id", (json_int_t)req_ctx(r)->user_id,
				 "created", now, "state", dry_run ? "checking" : "committing");
	}
	if (!meta || write_json_file(p.meta, meta) != 0) {
		json_decref(meta);
		remove_all(&p);
		resp_error(r, ZB_EUNAVAILABLE, "无法保存上传的文件，请联系系统管理员");
		return;
	}
	lock = lock_upload(r, &p);
	if (lock < 0) {
		json_decref(meta);
		return;
	}
	run_import(r, &p, token, meta, org_id, !dry_run);
	json_decref(meta);
	close(lock);
}

static const struct json_field commit_fields[] = {
	{ "token", JF_STRING, 1, 0, TOKEN_LEN, TOKEN_LEN, "token" },
	{ "org_id", JF_INT, 0, 1, 1, INT64_MAX, "所属组织" },
	{ 0 }
};

/* POST /imports/people/commit {"token", "org_id"?}: check again and write everything, or nothing. */
void transfer_http_commit(struct req *r)
{
	char dir[1024], token[TOKEN_LEN + 1];
	const char *state;
	struct paths p;
	struct zb_fail f;
	json_t *body, *meta;
	int64_t org_id;
	int lock;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, commit_fields, 0, &f) != 0) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	snprintf(token, sizeof(token), "%s", json_str(body, "token", ""));
	if (!token_ok(token)) {
		json_decref(body);
		zb_fail_field(&f, "token", "token 应为 32 个小写十六进制字符");
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (tmp_dir(r, dir, sizeof(dir)) != 0) {
		json_decref(body);
		return;
	}
	paths_of(dir, token, &p);
	meta = meta_load(r, &p);
	if (!meta) {
		json_decref(body);
		return;
	}
	state = json_str(meta, "state", "");
	org_id = json_has(body, "org_id") ? json_int(body, "org_id", 0) : json_int(meta, "org_id", 0);
	json_decref(body);
	if (strcmp(state, "committed") == 0) {
		json_decref(meta);
		resp_error(r, ZB_ECONFLICT, "该文件已经导入");
		return;
	}
	if (access(p.upload, R_OK) != 0) {
		json_decref(meta);
		resp_error(r, ZB_ENOTFOUND, "上传的文件不存在或已过期，请重新上传");
		return;
	}
	if (org_id && !import_org_ok(r, org_id)) {
		json_decref(meta);
		return;
	}
	lock = lock_upload(r, &p);
	if (lock < 0) {
		json_decref(meta);
		return;
	}
	run_import(r, &p, token, meta, org_id, 1);
	json_decref(meta);
	close(lock);
}

/* GET /imports/people/errors?token=: the upload again as xlsx, with the column 错误原因. */
void transfer_http_errors(struct req *r)
{
	const char *token = req_query(r, "token");
	char dir[1024], out[1200];
	struct sheet_error e;
	struct paths p;
	json_t *meta, *res;
	int lock;

	if (!token_ok(token)) {
		resp_error(r, ZB_EVALIDATION, "token 应为 32 个小写十六进制字符");
		return;
	}
	if (tmp_dir(r, dir, sizeof(dir)) != 0)
		return;
	paths_of(dir, token, &p);
	meta = meta_load(r, &p);
	if (!meta)
		return;
	res = json_object_get(meta, "result");
	if (json_int(res, "error_rows", 0) == 0 || access(p.errors, R_OK) != 0 ||
	    access(p.upload, R_OK) != 0) {
		json_decref(meta);
		resp_error(r, ZB_ENOTFOUND, "该文件没有错误，或已导入、已过期");
		return;
	}
	lock = lock_upload(r, &p);
	if (lock < 0) {
		json_decref(meta);
		return;
	}
	out_path(dir, out, sizeof(out));
	if (import_error_sheet(p.upload, p.errors, (size_t)json_int(res, "width", 0),
			       (size_t)json_int(res, "header_row", 0), out, dir, &e) != 0) {
		close(lock);
		json_decref(meta);
		log_error("request %s: error sheet: %s", r->id, e.msg);
		resp_error(r, ZB_EINTERNAL, "无法生成错误表格");
		return;
	}
	close(lock);
	json_decref(meta);
	send_xlsx(r, out, "import-errors.xlsx", "导入错误.xlsx");
}

/* GET /imports/people/template: the columns, an example row, and the allowed values. */
void transfer_http_template(struct req *r)
{
	char dir[1024], out[1200];

	if (tmp_dir(r, dir, sizeof(dir)) != 0)
		return;
	out_path(dir, out, sizeof(out));
	if (people_template_xlsx(req_ctx(r)->db, out, dir) != 0) {
		resp_error(r, ZB_EINTERNAL, "无法生成导入模板");
		return;
	}
	send_xlsx(r, out, "people-template.xlsx", "人员导入模板.xlsx");
}

/*
 * GET /imports/:token/progress: {"phase", "done", "total", "percent"} of the
 * run in progress (or the last one). A dry run's total is estimated from the
 * bytes read; a commit's is the dry run's row count.
 */
void transfer_http_progress(struct req *r)
{
	const char *token = req_param(r, "token"), *state;
	char dir[1024];
	struct paths p;
	json_t *meta, *pg, *out;
	int64_t rows, done, total, expect;
	int running, percent;

	if (!token_ok(token)) {
		resp_error(r, ZB_ENOTFOUND, "上传的文件不存在或已过期，请重新上传");
		return;
	}
	if (tmp_dir(r, dir, sizeof(dir)) != 0)
		return;
	paths_of(dir, token, &p);
	meta = meta_load(r, &p);
	if (!meta)
		return;
	state = json_str(meta, "state", "");
	running = strcmp(state, "checking") == 0 || strcmp(state, "committing") == 0;
	pg = json_load_file(p.progress, 0, NULL);
	rows = json_int(pg, "rows", 0);
	done = json_int(pg, "done_bytes", 0);
	total = json_int(pg, "total_bytes", 0);
	expect = json_int(pg, "expect_rows", 0);
	if (!running) {
		percent = pg ? 100 : 0;
		total = rows;
	} else if (strcmp(state, "committing") == 0 && expect > 0) {
		percent = (int)(rows * 100 / expect);
		total = expect;
	} else {
		percent = total > 0 ? (int)(done * 100 / total) : 0;
		total = done > 0 ? rows * total / done : 0;
	}
	if (percent > 100)
		percent = 100;
	if (running && percent > 99)
		percent = 99;
	out = json_pack("{s:s, s:s, s:I, s:I, s:i, s:b}", "token", token, "phase", state,
			"done", (json_int_t)rows, "total", (json_int_t)(total > rows ? total : rows),
			"percent", percent, "finished", !running);
	json_decref(pg);
	json_decref(meta);
	resp_json(r, 200, out);
}

/* ---------------------------------------------------------------- export */

/* The filters of the export for its audit row (an ID number searched for is not kept). */
static json_t *export_query_json(struct req *r)
{
	static const char *const keys[] = { "org", "q", "gender", "ethnicity", "education",
					    "political_status", "position", "flag", "as_of",
					    "born_from", "born_to", "age_min", "age_max", "status" };
	json_t *j = json_object();

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = req_query(r, keys[i]);
		if (!v || !*v)
			continue;
		if (strcmp(keys[i], "q") == 0 && strlen(v) >= 15 && strspn(v, "0123456789xX") == strlen(v))
			v = "（身份证号）";
		json_object_set_new(j, keys[i], json_string(v));
	}
	return j;
}

/*
 * GET /exports/people?<GET /people's filters>[&unmask=1&reason=...]: every
 * matching person as an xlsx with the template's columns, masked unless
 * unmasked for a stated reason (person.unmask on the subtree). Audited
 * (entity "export") with the row count before the file is sent.
 */
void transfer_http_export(struct req *r)
{
	struct ctx *c = req_ctx(r);
	const char *um = req_query(r, "unmask");
	int unmask = um && (strcmp(um, "1") == 0 || strcmp(um, "true") == 0);
	const char *reason = NULL;
	char dir[1024], out[1200], count[24];
	struct people_xlsx *x;
	struct zb_fail f;
	int64_t rows = 0;
	json_t *after;
	int rc;

	zb_fail_init(&f);
	if (unmask) {
		json_t *tmp = json_pack("{s:s}", "reason", req_query(r, "reason") ? req_query(r, "reason") : "");
		reason = json_str_trim(&r->arena, tmp, "reason", NULL);
		json_decref(tmp);
		if (!reason || utf8_len(reason) < 2 || utf8_len(reason) > 200)
			zb_fail_field(&f, "reason", "导出完整身份证号和电话须填写原因（2到200个字）");
	}
	if (um && !unmask && strcmp(um, "0") != 0 && strcmp(um, "false") != 0)
		zb_fail_field(&f, "unmask", "unmask 应为 1 或 0");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	if (tmp_dir(r, dir, sizeof(dir)) != 0) {
		zb_fail_release(&f);
		return;
	}
	out_path(dir, out, sizeof(out));
	x = people_xlsx_open(c->db, out, dir);
	if (!x) {
		zb_fail_release(&f);
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	rc = people_sheet_walk_req(r, unmask, people_xlsx_row, x, &rows, &f);
	if (rc == 1 && f.err) {
		people_xlsx_close(x, 0);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (rc != DB_OK) {
		int too_many = people_xlsx_too_many(x);
		people_xlsx_close(x, 0);
		if (too_many) {
			resp_error(r, ZB_ETOOLARGE, "导出的人数超过 Excel 一张表的上限（1048575 行），请缩小范围");
			return;
		}
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	rows = people_xlsx_rows(x);
	if (people_xlsx_close(x, 1) != 0) {
		resp_error(r, ZB_EINTERNAL, "无法生成表格文件");
		return;
	}
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		unlink(out);
		app_db_fail(r, rc, 0);
		return;
	}
	after = json_pack("{s:s, s:I, s:b, s:o}", "kind", "people", "rows", (json_int_t)rows,
			  "unmasked", unmask, "query", export_query_json(r));
	if (reason)
		json_object_set_new(after, "reason", json_string(reason));
	rc = app_audit(r, "export", 0, unmask ? "export_unmasked" : "export", NULL, after);
	json_decref(after);
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		unlink(out);
		app_db_fail(r, rc, 1);
		return;
	}
	snprintf(count, sizeof(count), "%lld", (long long)rows);
	send_xlsx(r, out, "people.xlsx", "人员名册.xlsx");
	resp_header(r, "X-Export-Rows", count);
}
