/* admin.c - account records: create, grant, password, lock; the SQL behind the admin API and the CLI. */
#include <ctype.h>
#include <string.h>
#include "admin.h"
#include "../../auth/password.h"
#include "../../auth/perm.h"
#include "../../base/date.h"

static const char SQL_INSERT[] =
	"INSERT INTO users (username, display_name, org_id, password_hash, must_change_password,"
	" password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_FIND[] = "SELECT id FROM users WHERE username = ?";
static const char SQL_GRANT_HAS[] =
	"SELECT COUNT(*) FROM role_grants WHERE user_id = ? AND role = ? AND org_id = ?";
static const char SQL_GRANT_ADD[] =
	"INSERT INTO role_grants (user_id, role, org_id, created_at) VALUES (?, ?, ?, ?)";
static const char SQL_SET_PW[] =
	"UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?,"
	" failed_logins = 0, locked_until = NULL, updated_at = ?, version = version + 1 WHERE id = ?";
static const char SQL_REVOKE_ALL[] = "UPDATE sessions SET revoked = 1 WHERE user_id = ?";
static const char SQL_SET_STATUS[] =
	"UPDATE users SET status = ?, failed_logins = 0, locked_until = NULL, updated_at = ?,"
	" version = version + 1 WHERE id = ?";
static const char SQL_USER[] =
	"SELECT u.id, u.username, u.display_name, u.org_id, o.name, u.status,"
	" u.must_change_password, u.totp_enabled, u.failed_logins, u.locked_until,"
	" u.last_login_at, u.version, u.created_at, u.updated_at"
	" FROM users u LEFT JOIN orgs o ON o.id = u.org_id WHERE u.id = ?";
static const char SQL_USER_GRANTS[] =
	"SELECT g.role, g.org_id, o.name FROM role_grants g LEFT JOIN orgs o ON o.id = g.org_id"
	" WHERE g.user_id = ? ORDER BY g.id";

const char *username_check(const char *u)
{
	size_t n = strlen(u);

	if (n < 3 || n > 32)
		return "用户名应为3到32个字符";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)u[i];
		if (!(islower(ch) || isdigit(ch) || ch == '.' || ch == '_' || ch == '-'))
			return "用户名只能包含小写字母、数字和 . _ -";
	}
	return NULL;
}

int64_t user_find(struct db *db, const char *username)
{
	int64_t id = 0;
	int rc = db_query_int(db, &id, SQL_FIND, "s", username);

	return rc < 0 ? rc : id;
}

int64_t user_create(struct db *db, const struct keys *k, const struct audit_who *who,
		    const char *username, const char *display_name, int64_t org_id,
		    const char *password, int must_change, struct zb_fail *f)
{
	char hash[160], now[24];
	int64_t id = 0;
	int rc;

	if (user_find(db, username) > 0) {
		zb_fail_field(f, "username", "用户名“%s”已被使用", username);
		return 0;
	}
	if (password_hash(password, hash, sizeof(hash)) != 0)
		return DB_EGENERIC;
	ts_now(now);
	rc = db_query_int(db, &id, SQL_INSERT, "ssisisss", username, display_name, org_id, hash,
			  (int64_t)must_change, now, now, now);
	if (rc == DB_ECONSTRAINT) {
		zb_fail_field(f, "username", "用户名“%s”已被使用", username);
		return 0;
	}
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	json_t *after = user_json(db, id);
	rc = audit_append(db, k, who, "user", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int user_grant(struct db *db, const struct keys *k, const struct audit_who *who,
	       int64_t user_id, const char *role, int64_t org_id)
{
	int64_t n = 0;
	char now[24];
	int rc;

	db_query_int(db, &n, SQL_GRANT_HAS, "isi", user_id, role, org_id);
	if (n > 0)
		return DB_OK;
	ts_now(now);
	rc = db_run(db, SQL_GRANT_ADD, "isis", user_id, role, org_id, now);
	if (rc != DB_OK)
		return rc;
	json_t *after = json_pack("{s:s, s:I}", "role", role, "org_id", (json_int_t)org_id);
	rc = audit_append(db, k, who, "user", user_id, "grant", NULL, after);
	json_decref(after);
	return rc;
}

int user_set_password(struct db *db, const struct keys *k, const struct audit_who *who,
		      int64_t user_id, const char *password, int must_change)
{
	char hash[160], now[24];
	int rc;

	if (password_hash(password, hash, sizeof(hash)) != 0)
		return DB_EGENERIC;
	ts_now(now);
	rc = db_run(db, SQL_SET_PW, "sissi", hash, (int64_t)must_change, now, now, user_id);
	if (rc == DB_OK)
		rc = db_run(db, SQL_REVOKE_ALL, "i", user_id);
	if (rc == DB_OK)
		rc = audit_append(db, k, who, "user", user_id,
				  must_change ? "password_reset" : "password_set", NULL, NULL);
	return rc;
}

int user_set_status(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t user_id, const char *status)
{
	char now[24];
	int rc;
	json_t *before = user_json(db, user_id);

	ts_now(now);
	rc = db_run(db, SQL_SET_STATUS, "ssi", status, now, user_id);
	if (rc == DB_OK && strcmp(status, "active") != 0)
		rc = db_run(db, SQL_REVOKE_ALL, "i", user_id);
	if (rc == DB_OK) {
		json_t *after = user_json(db, user_id);
		rc = audit_append(db, k, who, "user", user_id,
				  strcmp(status, "active") == 0 ? "unlock" :
				  strcmp(status, "locked") == 0 ? "lock" : "disable", before, after);
		json_decref(after);
	}
	json_decref(before);
	return rc;
}

static json_t *text_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_string(db_col_text(st, i));
}

json_t *user_json(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_USER);
	json_t *u = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		u = json_object();
		json_object_set_new(u, "id", json_integer(db_col_int(st, 0)));
		json_object_set_new(u, "username", json_string(db_col_text(st, 1)));
		json_object_set_new(u, "display_name", json_string(db_col_text(st, 2)));
		json_object_set_new(u, "org_id", db_col_isnull(st, 3) ? json_null() :
				    json_integer(db_col_int(st, 3)));
		json_object_set_new(u, "org_name", text_or_null(st, 4));
		json_object_set_new(u, "status", json_string(db_col_text(st, 5)));
		json_object_set_new(u, "must_change_password", json_boolean(db_col_int(st, 6)));
		json_object_set_new(u, "totp_enabled", json_boolean(db_col_int(st, 7)));
		json_object_set_new(u, "failed_logins", json_integer(db_col_int(st, 8)));
		json_object_set_new(u, "locked_until", text_or_null(st, 9));
		json_object_set_new(u, "last_login_at", text_or_null(st, 10));
		json_object_set_new(u, "version", json_integer(db_col_int(st, 11)));
		json_object_set_new(u, "created_at", json_string(db_col_text(st, 12)));
		json_object_set_new(u, "updated_at", json_string(db_col_text(st, 13)));
	}
	db_finalize(st);
	if (!u)
		return NULL;
	json_t *roles = json_array();
	st = db_prepare(db, SQL_USER_GRANTS);
	if (st) {
		db_bind_int(st, 1, id);
		while (db_step(st) == DB_ROW) {
			json_t *g = json_object();
			json_object_set_new(g, "role", json_string(db_col_text(st, 0)));
			json_object_set_new(g, "label", role_label(db_col_text(st, 0)) ?
					    json_string(role_label(db_col_text(st, 0))) : json_null());
			json_object_set_new(g, "org_id", json_integer(db_col_int(st, 1)));
			json_object_set_new(g, "org_name", text_or_null(st, 2));
			json_array_append_new(roles, g);
		}
		db_finalize(st);
	}
	json_object_set_new(u, "roles", roles);
	return u;
}
