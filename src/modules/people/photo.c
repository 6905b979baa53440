/* photo.c - a person's optional photo: upload (JPEG or PNG, checked by its bytes), serve, remove. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "people.h"
#include "people_internal.h"
#include "../../base/date.h"

#define PHOTO_MAX_BYTES (2 << 20)

static const char SQL_PHOTO_GET[] = "SELECT photo FROM people WHERE id = ?";
static const char SQL_PHOTO_SET[] =
	"UPDATE people SET photo = ?, updated_at = ?, version = version + 1"
	" WHERE id = ? AND version = ?";

/* The image type by its first bytes, never by what the client claims. */
static const char *photo_kind(const unsigned char *p, size_t n, const char **mime)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	if (n >= 4 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
		*mime = "image/jpeg";
		return "jpg";
	}
	if (n >= 8 && memcmp(p, png, 8) == 0) {
		*mime = "image/png";
		return "png";
	}
	return NULL;
}

/* "<files>/photos", created owner-only when missing. 0 / -1. */
static int photo_dir(struct req *r, char *out, size_t n)
{
	snprintf(out, n, "%s", r->app->cfg.files_dir);
	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return -1;
	snprintf(out, n, "%s/photos", r->app->cfg.files_dir);
	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Write the bytes to <dir>/<sm3>.<ext> through a temporary file and rename; name into `name`. */
static int photo_store(struct req *r, const char *ext, char *name, size_t namelen)
{
	char dir[1024], path[1200], tmp[1300], hex[65];
	unsigned char digest[32];
	int fd;

	if (photo_dir(r, dir, sizeof(dir)) != 0)
		return -1;
	sm3_digest(r->body, r->body_len, digest);
	hex_encode(digest, sizeof(digest), hex);
	snprintf(name, namelen, "%s.%s", hex, ext);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK) == 0)
		return 0;	/* content-addressed: already there */
	snprintf(tmp, sizeof(tmp), "%s.%s.tmp", path, r->id);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
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

/* The stored photo name of a person (arena copy), NULL when none. */
static const char *photo_name(struct req *r, int64_t id)
{
	struct db_stmt *st = db_prepare(req_ctx(r)->db, SQL_PHOTO_GET);
	const char *name = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW && db_col_text(st, 0))
		name = arena_strdup(&r->arena, db_col_text(st, 0));
	db_finalize(st);
	return name;
}

/* Set or clear the photo with the version from ?version=, audited; answers the request. */
static void photo_set(struct req *r, const struct person_ref *p, const char *name)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	int64_t version, changed = 0;
	const char *old = photo_name(r, p->id);
	char now[24];
	int rc;

	zb_fail_init(&f);
	version = req_query_int(r, "version", 0, 1, INT64_MAX, &f);
	if (!version && !f.err)
		zb_fail_field(&f, "version", "缺少版本号（version）");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	ts_now(now);
	rc = db_begin(c->db);
	if (rc == DB_OK)
		rc = db_run_changes(c->db, &changed, SQL_PHOTO_SET, "ssii", name, now, p->id, version);
	if (rc == DB_OK && changed == 0) {
		db_rollback(c->db);
		zb_fail_set(&f, ZB_ECONFLICT, "该人员信息已被他人修改，请刷新后重试");
		f.current = person_detail_json(c->db, p->id);
		resp_fail(r, &f);
		return;
	}
	if (rc == DB_OK) {
		json_t *before = json_pack("{s:s?}", "photo", old);
		json_t *after = json_pack("{s:s?}", "photo", name);
		rc = app_audit(r, "person", p->id, name ? "photo" : "photo_remove", before, after);
		json_decref(before);
		json_decref(after);
	}
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	resp_json(r, 200, person_detail_json(c->db, p->id));
}

/* PUT /people/:id/photo?version=N with the image as the body. */
void people_http_photo_put(struct req *r)
{
	struct person_ref p;
	struct zb_fail f;
	const char *ext, *mime;
	char name[80];

	if (!people_req_load(r, req_param_id(r, "id"), &p) || !people_req_writable(r, &p))
		return;
	if (r->body_len > PHOTO_MAX_BYTES) {
		resp_error(r, ZB_ETOOLARGE, "照片不能超过 2 MB");
		return;
	}
	ext = photo_kind((const unsigned char *)r->body, r->body_len, &mime);
	if (!ext) {
		zb_fail_init(&f);
		zb_fail_field(&f, "photo", "照片应为 JPEG 或 PNG 图片");
		resp_fail(r, &f);
		return;
	}
	if (photo_store(r, ext, name, sizeof(name)) != 0) {
		resp_error(r, ZB_EUNAVAILABLE, "照片保存失败（存储空间不足或磁盘故障），请联系系统管理员");
		return;
	}
	photo_set(r, &p, name);
}

/* DELETE /people/:id/photo?version=N: the person has no photo any more (the file stays for history). */
void people_http_photo_delete(struct req *r)
{
	struct person_ref p;

	if (!people_req_load(r, req_param_id(r, "id"), &p) || !people_req_writable(r, &p))
		return;
	photo_set(r, &p, NULL);
}

/* GET /people/:id/photo: the image, as an attachment with nosniff. */
void people_http_photo_get(struct req *r)
{
	struct person_ref p;
	const char *name, *mime = "application/octet-stream";
	char path[1200];

	if (!people_req_load(r, req_param_id(r, "id"), &p))
		return;
	name = photo_name(r, p.id);
	if (!name) {
		resp_error(r, ZB_ENOTFOUND, "该人员没有照片");
		return;
	}
	if (strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".png") == 0)
		mime = "image/png";
	else if (strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".jpg") == 0)
		mime = "image/jpeg";
	snprintf(path, sizeof(path), "%s/photos/%s", r->app->cfg.files_dir, name);
	resp_header(r, "Content-Disposition", "attachment; filename=\"photo\"");
	resp_file(r, path, mime);
}
