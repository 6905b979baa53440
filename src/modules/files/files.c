/* files.c - attachments stored once by their SM3 digest and linked to records: upload, list, download, attach. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "files.h"
#include "../orgs/orgs.h"
#include "../../auth/audit.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"
#include "../../base/log.h"

#define NAME_MAX_CHARS 200

static const char SQL_FIND[] =
	"SELECT id FROM files WHERE org_id = ? AND sm3 = ?";
static const char SQL_INSERT[] =
	"INSERT INTO files (org_id, sm3, name, mime, size, uploaded_by, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_GET[] =
	"SELECT f.id, f.org_id, f.name, f.mime, f.size, f.sm3, f.created_at, o.path"
	" FROM files f JOIN orgs o ON o.id = f.org_id WHERE f.id = ?";
static const char SQL_LIST[] =
	"SELECT f.id, f.org_id, f.name, f.mime, f.size, f.sm3, f.created_at FROM files f"
	" WHERE f.org_id = ? ORDER BY f.id DESC LIMIT 200";
static const char SQL_LINKED[] =
	"SELECT 1 FROM attachments WHERE owner_kind = ? AND owner_id = ? AND file_id = ?"
	" AND removed_at IS NULL";
static const char SQL_LINK[] =
	"INSERT INTO attachments (owner_kind, owner_id, file_id, created_by, created_at)"
	" VALUES (?, ?, ?, ?, ?)";
static const char SQL_OWNED[] =
	"SELECT f.id, f.org_id, f.name, f.mime, f.size, f.sm3, f.created_at FROM attachments a"
	" JOIN files f ON f.id = a.file_id WHERE a.owner_kind = ? AND a.owner_id = ?"
	" AND a.removed_at IS NULL ORDER BY a.id";
static const char SQL_COPY[] =
	"INSERT INTO attachments (owner_kind, owner_id, file_id, created_by, created_at)"
	" SELECT owner_kind, CAST(? AS INTEGER), file_id, created_by, created_at FROM attachments"
	" WHERE owner_kind = ? AND owner_id = ? AND removed_at IS NULL";

/* The file's type by its first bytes, never by what the client claims; NULL when not accepted. */
static const char *file_kind(const unsigned char *p, size_t n, const char *name)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	const char *dot = strrchr(name, '.');

	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && memcmp(p, png, 8) == 0)
		return "image/png";
	if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0 && dot) {
		if (strcmp(dot, ".docx") == 0)
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
		if (strcmp(dot, ".xlsx") == 0)
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
		if (strcmp(dot, ".pptx") == 0)
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
	}
	return NULL;
}

/* 1 when a file name is acceptable: UTF-8 text without path separators or control bytes. */
static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_CHARS * 3 || utf8_len(s) > NAME_MAX_CHARS)
		return 0;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		if (*u < 0x20 || *u == 0x7f || *u == '/' || *u == '\\')
			return 0;
	return 1;
}

/* Write the body to <files>/store/<hex> through a temporary file; 0 / -1. */
static int store(struct req *r, const char *hex)
{
	char dir[1100], path[1200], tmp[1300];
	int fd;

	snprintf(dir, sizeof(dir), "%s", r->app->cfg.files_dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	snprintf(dir, sizeof(dir), "%s/store", r->app->cfg.files_dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, hex);
	if (access(path, F_OK) == 0)
		return 0;	/* content-addressed: already there */
	snprintf(tmp, sizeof(tmp), "%s.%s.tmp", path, r->id);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, r->body, r->body_len) != (ssize_t)r->body_len || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A files row (columns id, org_id, name, mime, size, sm3, created_at) as JSON. */
static json_t *row_json(struct db_stmt *st)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:s}", "id", (json_int_t)db_col_int(st, 0),
			 "org_id", (json_int_t)db_col_int(st, 1), "name", db_col_text(st, 2),
			 "mime", db_col_text(st, 3), "size", (json_int_t)db_col_int(st, 4),
			 "sm3", db_col_text(st, 5), "created_at", db_col_text(st, 6));
}

static json_t *file_json(struct db *db, int64_t id, const char **path_out, struct arena *a)
{
	struct db_stmt *st = db_prepare(db, SQL_GET);
	json_t *j = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		j = row_json(st);
		if (path_out)
			*path_out = arena_strdup(a, db_col_text(st, 7));
	}
	db_finalize(st);
	return j;
}

/* The org of ?org= in the caller's scope for `action`: its id and path, or 0 after answering. */
static int64_t org_param(struct req *r, const char *action, const char **path)
{
	struct zb_fail f;
	struct scope s;
	struct org o;

	zb_fail_init(&f);
	scope_for(req_ctx(r), action, &s);
	*path = org_scope_param(r, "org", &s, &f);
	if (!f.err && !*path)
		zb_fail_field(&f, "org", "请指定文件所属的组织（org）");
	if (f.err) {
		resp_fail(r, &f);
		return 0;
	}
	zb_fail_release(&f);
	o.id = 0;
	db_query_int(req_ctx(r)->db, &o.id, "SELECT id FROM orgs WHERE path = ?", "s", *path);
	return o.id;
}

/*
 * POST /files?org=&name=: store the body once; the same bytes for the same
 * org answer the existing row (200) instead of a new one (201).
 */
void files_http_upload(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	const char *path, *name = req_query(r, "name"), *mime;
	unsigned char digest[32];
	char hex[65], now[24];
	int64_t org, id = 0;
	int rc;

	org = org_param(r, "org.read", &path);
	if (!org)
		return;
	zb_fail_init(&f);
	if (!name || !name_ok(name))
		zb_fail_field(&f, "name", "文件名不能为空，不超过%d个字，且不能含有路径符号", NAME_MAX_CHARS);
	if (r->body_len == 0)
		zb_fail_field(&f, "file", "文件是空的");
	else if (r->body_len > FILES_MAX_BYTES)
		zb_fail_field(&f, "file", "文件不能超过 %d MB", FILES_MAX_BYTES >> 20);
	mime = f.err ? NULL : file_kind((const unsigned char *)r->body, r->body_len, name);
	if (!f.err && !mime)
		zb_fail_field(&f, "file", "只接受 PDF、JPEG、PNG 图片和 Word/Excel/PowerPoint（docx、xlsx、pptx）文件");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	sm3_digest(r->body, r->body_len, digest);
	hex_encode(digest, sizeof(digest), hex);
	rc = db_query_int(c->db, &id, SQL_FIND, "is", org, hex);
	if (rc == DB_ROW) {
		resp_json(r, 200, file_json(c->db, id, NULL, NULL));
		return;
	}
	if (store(r, hex) != 0) {
		log_error("request %s: cannot store an upload: %s", r->id, strerror(errno));
		resp_error(r, ZB_EUNAVAILABLE, "文件保存失败（存储空间不足或磁盘故障），请联系系统管理员");
		return;
	}
	if (!app_begin_write(r))
		return;
	ts_now(now);
	rc = db_query_int(c->db, &id, SQL_INSERT, "isssiis", org, hex, name, mime,
			  (int64_t)r->body_len, c->user_id, now);
	if (rc == DB_ROW) {
		json_t *after = json_pack("{s:s, s:s, s:I, s:s}", "name", name, "mime", mime,
					  "size", (json_int_t)r->body_len, "sm3", hex);
		rc = app_audit(r, "file", id, "upload", NULL, after);
		json_decref(after);
	}
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 201, file_json(c->db, id, NULL, NULL));
}

/* GET /files?org=: the org's files, newest first, to attach again instead of uploading twice. */
void files_http_list(struct req *r)
{
	const char *path;
	int64_t org = org_param(r, "org.read", &path);
	struct db_stmt *st;
	json_t *items;
	int rc;

	if (!org)
		return;
	st = db_prepare(req_ctx(r)->db, SQL_LIST);
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_bind_int(st, 1, org);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, row_json(st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /files/:id: the bytes, when the file's org is in the caller's scope (else 404). */
void files_http_get(struct req *r)
{
	struct scope s;
	const char *path = NULL;
	json_t *j = file_json(req_ctx(r)->db, req_param_id(r, "id"), &path, &r->arena);
	char file[1200];

	scope_for(req_ctx(r), "org.read", &s);
	if (!j || !scope_contains(&s, path)) {
		json_decref(j);
		resp_error(r, ZB_ENOTFOUND, "文件不存在");
		return;
	}
	snprintf(file, sizeof(file), "%s/store/%s", r->app->cfg.files_dir,
		 json_string_value(json_object_get(j, "sm3")));
	resp_attachment(r, "attachment", json_string_value(json_object_get(j, "name")));
	resp_file(r, file, arena_strdup(&r->arena, json_string_value(json_object_get(j, "mime"))));
	json_decref(j);
}

/* 1 when a file of the org at `file_path` may be attached to a record of the org at `owner_path`. */
static int same_line(const char *file_path, const char *owner_path)
{
	size_t fl = strlen(file_path), ol = strlen(owner_path);

	return strncmp(owner_path, file_path, fl < ol ? fl : ol) == 0;
}

long files_attach(struct db *db, const struct keys *k, const struct audit_who *who,
		  const char *owner_kind, int64_t owner_id, const char *org_path,
		  const int64_t *ids, size_t n, const char *field, struct zb_fail *f)
{
	struct arena a;
	long linked = 0;
	char now[24];
	int rc = DB_OK;

	arena_init(&a, 0);
	for (size_t i = 0; i < n; i++) {
		const char *path = NULL;
		json_t *j = file_json(db, ids[i], &path, &a);
		int ok = j && path && same_line(path, org_path);
		json_decref(j);
		if (!ok) {
			zb_fail_field(f, field, "附件 %lld 不存在或不属于本组织", (long long)ids[i]);
			arena_release(&a);
			return 0;
		}
	}
	ts_now(now);
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		int64_t dummy = 0;
		rc = db_query_int(db, &dummy, SQL_LINKED, "sii", owner_kind, owner_id, ids[i]);
		if (rc == DB_ROW) {
			rc = DB_OK;
			continue;
		}
		if (rc != DB_DONE)
			break;
		rc = db_run(db, SQL_LINK, "siiis", owner_kind, owner_id, ids[i], who->user_id, now);
		if (rc == DB_OK) {
			json_t *after = json_pack("{s:s, s:I, s:I}", "owner_kind", owner_kind,
						  "owner_id", (json_int_t)owner_id, "file_id", (json_int_t)ids[i]);
			rc = audit_append(db, k, who, "attachment", ids[i], "attach", NULL, after);
			json_decref(after);
			linked++;
		}
	}
	arena_release(&a);
	return rc == DB_OK ? linked : rc;
}

static const char SQL_LINKS[] =
	"SELECT id, file_id FROM attachments WHERE owner_kind = ? AND owner_id = ? AND removed_at IS NULL";
static const char SQL_UNLINK[] =
	"UPDATE attachments SET removed_at = ? WHERE id = ?";

long files_set(struct db *db, const struct keys *k, const struct audit_who *who,
	       const char *owner_kind, int64_t owner_id, const char *org_path,
	       const int64_t *ids, size_t n, const char *field, struct zb_fail *f)
{
	struct db_stmt *st = db_prepare(db, SQL_LINKS);
	int64_t gone[64];
	size_t ngone = 0;
	char now[24];
	int rc = st ? DB_OK : DB_EGENERIC;

	if (st) {
		db_bind_text(st, 1, owner_kind);
		db_bind_int(st, 2, owner_id);
	}
	while (st && (rc = db_step(st)) == DB_ROW) {
		int64_t link = db_col_int(st, 0), file = db_col_int(st, 1);
		int keep = 0;
		for (size_t i = 0; i < n && !keep; i++)
			keep = ids[i] == file;
		if (!keep && ngone < sizeof(gone) / sizeof(gone[0]))
			gone[ngone++] = link;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	ts_now(now);
	rc = DB_OK;
	for (size_t i = 0; rc == DB_OK && i < ngone; i++) {
		rc = db_run(db, SQL_UNLINK, "si", now, gone[i]);
		if (rc == DB_OK) {
			json_t *before = json_pack("{s:s, s:I}", "owner_kind", owner_kind,
						   "owner_id", (json_int_t)owner_id);
			rc = audit_append(db, k, who, "attachment", gone[i], "unlink", before, NULL);
			json_decref(before);
		}
	}
	if (rc != DB_OK)
		return rc;
	return files_attach(db, k, who, owner_kind, owner_id, org_path, ids, n, field, f);
}

long files_ids_from_json(const json_t *arr, struct arena *a, int64_t **ids, const char *field,
			 struct zb_fail *f)
{
	size_t i;
	const json_t *v;

	*ids = NULL;
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > 50) {
		zb_fail_field(f, field, "附件应为文件编号的列表（最多50个）");
		return -1;
	}
	*ids = arena_alloc(a, (json_array_size(arr) + 1) * sizeof(**ids));
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			zb_fail_field(f, field, "附件应为文件编号的列表（最多50个）");
			return -1;
		}
		(*ids)[i] = json_integer_value(v);
	}
	return (long)json_array_size(arr);
}

json_t *files_list_json(struct db *db, const char *owner_kind, int64_t owner_id)
{
	struct db_stmt *st = db_prepare(db, SQL_OWNED);
	json_t *items = json_array();

	if (!st)
		return items;
	db_bind_text(st, 1, owner_kind);
	db_bind_int(st, 2, owner_id);
	while (db_step(st) == DB_ROW)
		json_array_append_new(items, row_json(st));
	db_finalize(st);
	return items;
}

int files_copy_links(struct db *db, const char *kind, int64_t from_id, int64_t to_id)
{
	return db_run(db, SQL_COPY, "isi", to_id, kind, from_id);
}
