/* session.h - login, logout, session lookup with idle/absolute expiry, CSRF, password change, TOTP enrolment. */
#ifndef ZB_SESSION_H
#define ZB_SESSION_H

#include <jansson.h>
#include "../app/app.h"
#include "password.h"

#define SESSION_COOKIE "zhibu_session"

/* The security policy (settings row "security_policy"), editable by the security administrator. */
struct policy {
	int password_min_length;
	int password_min_classes;
	int lockout_threshold;
	int lockout_minutes;
	int idle_timeout_minutes;
	int absolute_timeout_hours;
	int totp_required_for_admins;
	int64_t version;
};
/* Load the policy; defaults when the row is missing. 0 / -1 on a database error. */
int policy_load(struct db *db, struct policy *p /* OUT */);
json_t *policy_json(const struct policy *p);
/* Validate and apply a JSON update onto p (fields as in policy_json). 0 / -1 with f set. */
int policy_from_json(const json_t *body, struct policy *p, struct zb_fail *f);
int policy_save(struct db *db, const struct policy *p);
struct password_policy policy_password(const struct policy *p);

/*
 * Resolve the session cookie of r into ctx (user, grants). Returns ZB_OK,
 * or ZB_EUNAUTHORIZED with a message in f (no cookie, unknown, revoked,
 * idle or absolute timeout). Touches last_seen at most once a minute.
 */
enum zb_err session_resolve(struct req *r, struct ctx *c, struct zb_fail *f);
/* The CSRF token of the caller's session, checked in constant time: 1 ok, 0 not. */
int session_csrf_ok(struct req *r, const struct ctx *c);

/* Route handlers (registered in routes.c). */
void session_http_login(struct req *r);
void session_http_logout(struct req *r);
void session_http_whoami(struct req *r);
void session_http_password(struct req *r);
void session_http_totp_begin(struct req *r);
void session_http_totp_confirm(struct req *r);
void session_http_totp_disable(struct req *r);

/* Load the grants of user_id into c (with the org paths). 0 / -1. */
int session_load_grants(struct db *db, int64_t user_id, struct ctx *c, struct arena *a);
/* {"id","username","display_name","org_id","roles":[...],"must_change_password",...}; new ref. */
json_t *session_user_json(struct db *db, const struct ctx *c);

#endif
