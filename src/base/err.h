/* err.h - the one error enum of zhibu, its HTTP status and its API code. */
#ifndef ZB_ERR_H
#define ZB_ERR_H

#include <jansson.h>

/* Every failure a caller can see is one of these. Mapped to an HTTP status
 * and an API "code" string in exactly one place (err.c). */
enum zb_err {
	ZB_OK = 0,
	ZB_EVALIDATION,		/* 400 validation_failed */
	ZB_EUNAUTHORIZED,	/* 401 unauthorized */
	ZB_EPWCHANGE,		/* 403 password_change_required */
	ZB_ETOTPENROL,		/* 403 totp_enrollment_required */
	ZB_EFORBIDDEN,		/* 403 forbidden */
	ZB_ENOTFOUND,		/* 404 not_found */
	ZB_EMETHOD,		/* 405 method_not_allowed */
	ZB_ECONFLICT,		/* 409 conflict */
	ZB_ETOOLARGE,		/* 413 too_large */
	ZB_ERATELIMITED,	/* 429 rate_limited */
	ZB_EINTERNAL,		/* 500 internal */
	ZB_EUNAVAILABLE,	/* 503 unavailable (disk full, database busy) */
};

int zb_err_status(enum zb_err e);
const char *zb_err_code(enum zb_err e);

/*
 * A failure being built: the error, a message in Chinese for the user, and
 * per-field messages ({"id_number": "身份证号校验位错误"}). Fields accumulate
 * so one answer names every bad field. `fields` is owned by the struct.
 */
struct zb_fail {
	enum zb_err err;
	char message[256];
	json_t *fields;		/* object or NULL */
	json_t *current;	/* optional "current" row for 409, owned */
};

void zb_fail_init(struct zb_fail *f);
void zb_fail_release(struct zb_fail *f);
/* Set err and message (printf-style); keeps the first message if one is set. */
enum zb_err zb_fail_set(struct zb_fail *f, enum zb_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Add a field error; sets err to ZB_EVALIDATION if no error is set yet. */
void zb_fail_field(struct zb_fail *f, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Build {"error":{"code","message","fields"?,"current"?}}; new reference. */
json_t *zb_fail_json(const struct zb_fail *f);

#endif
