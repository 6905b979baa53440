/* admin.h - accounts and role grants (system administrator), shared by the API and the command line. */
#ifndef ZB_ADMIN_H
#define ZB_ADMIN_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"

/* NULL when the username is acceptable (3-32 of a-z 0-9 . _ -), else a Chinese reason. */
const char *username_check(const char *username);

/*
 * Create an account inside the caller's open transaction, with an audit row.
 * `password` is hashed here; must_change marks it one-time. Returns the new
 * id, or 0 with f set (duplicate username), or a negative DB_E*.
 */
int64_t user_create(struct db *db, const struct keys *k, const struct audit_who *who,
		    const char *username, const char *display_name, int64_t org_id,
		    const char *password, int must_change, struct zb_fail *f);
/* Add one grant (idempotent) inside the caller's transaction, audited. DB_OK or DB_E*. */
int user_grant(struct db *db, const struct keys *k, const struct audit_who *who,
	       int64_t user_id, const char *role, int64_t org_id);
/* Set a password (hashed here), one-time or not; revokes all sessions; audited. */
int user_set_password(struct db *db, const struct keys *k, const struct audit_who *who,
		      int64_t user_id, const char *password, int must_change);
/* Lock ("locked") or unlock ("active") an account; revokes sessions on lock; audited. */
int user_set_status(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t user_id, const char *status);
/* Find an account id by username: >0 found, 0 not, <0 error. */
int64_t user_find(struct db *db, const char *username);
/* The account as API JSON (no secrets), with its grants; new reference or NULL. */
json_t *user_json(struct db *db, int64_t id);

/* Route handlers. */
void users_http_list(struct req *r);
void users_http_get(struct req *r);
void users_http_create(struct req *r);
void users_http_update(struct req *r);
void users_http_roles(struct req *r);
void users_http_reset_password(struct req *r);
void users_http_lock(struct req *r);
void users_http_unlock(struct req *r);
void policy_http_get(struct req *r);
void policy_http_put(struct req *r);
void audit_http_list(struct req *r);
void audit_http_verify(struct req *r);
void dicts_http_list(struct req *r);
/* Dictionary writes for township staff (dicts_http.c). */
void dicts_http_create(struct req *r);
void dicts_http_update(struct req *r);
/* A dictionary item's stored tags ("a,b") as a JSON array of strings; new reference. */
json_t *dict_tags_json(const char *tags);
void roles_http_list(struct req *r);

#endif
