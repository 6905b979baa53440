/* err.c - the one place that maps zb_err to an HTTP status, an API code and a default message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/*
 * HTTP status of an error. The switch has no default so that -Wswitch
 * (part of -Wall, an error under -Werror) names any enum value added later
 * without a mapping here.
 */
int zb_err_status(enum zb_err e)
{
	switch (e) {
	case ZB_OK:		return 200;
	case ZB_EVALIDATION:	return 400;
	case ZB_EUNAUTHORIZED:	return 401;
	case ZB_EPWCHANGE:	return 403;
	case ZB_ETOTPENROL:	return 403;
	case ZB_EFORBIDDEN:	return 403;
	case ZB_ENOTFOUND:	return 404;
	case ZB_EMETHOD:	return 405;
	case ZB_ECONFLICT:	return 409;
	case ZB_ETOOLARGE:	return 413;
	case ZB_ERATELIMITED:	return 429;
	case ZB_EINTERNAL:	return 500;
	case ZB_EUNAVAILABLE:	return 503;
	}
	return 500;	/* a value outside the enum: treat as a bug */
}

/* API "code" string of an error; same no-default rule as above. */
const char *zb_err_code(enum zb_err e)
{
	switch (e) {
	case ZB_OK:		return "ok";
	case ZB_EVALIDATION:	return "validation_failed";
	case ZB_EUNAUTHORIZED:	return "unauthorized";
	case ZB_EPWCHANGE:	return "password_change_required";
	case ZB_ETOTPENROL:	return "totp_enrollment_required";
	case ZB_EFORBIDDEN:	return "forbidden";
	case ZB_ENOTFOUND:	return "not_found";
	case ZB_EMETHOD:	return "method_not_allowed";
	case ZB_ECONFLICT:	return "conflict";
	case ZB_ETOOLARGE:	return "too_large";
	case ZB_ERATELIMITED:	return "rate_limited";
	case ZB_EINTERNAL:	return "internal";
	case ZB_EUNAVAILABLE:	return "unavailable";
	}
	return "internal";
}

/* The message a user sees when the code that failed gave none. */
static const char *default_message(enum zb_err e)
{
	switch (e) {
	case ZB_OK:		return "成功";
	case ZB_EVALIDATION:	return "输入有误";
	case ZB_EUNAUTHORIZED:	return "请先登录";
	case ZB_EPWCHANGE:	return "请先修改密码";
	case ZB_ETOTPENROL:	return "请先绑定动态验证码";
	case ZB_EFORBIDDEN:	return "没有权限";
	case ZB_ENOTFOUND:	return "未找到";
	case ZB_EMETHOD:	return "不支持该请求方法";
	case ZB_ECONFLICT:	return "数据已被修改或已存在，请刷新后重试";
	case ZB_ETOOLARGE:	return "请求内容过大";
	case ZB_ERATELIMITED:	return "操作过于频繁，请稍后再试";
	case ZB_EINTERNAL:	return "服务器内部错误";
	case ZB_EUNAVAILABLE:	return "服务暂时不可用，请稍后再试";
	}
	return "服务器内部错误";
}

/*
 * After vsnprintf truncated text into a fixed buffer, the tail may end in
 * the middle of a UTF-8 sequence, which jansson would refuse. Cut the
 * incomplete sequence off.
 */
static void cut_partial_utf8(char *s)
{
	size_t n = strlen(s), i = n, need;
	unsigned char c;

	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

void zb_fail_init(struct zb_fail *f)
{
	f->err = ZB_OK;
	f->message[0] = '\0';
	f->fields = NULL;
	f->current = NULL;
}

void zb_fail_release(struct zb_fail *f)
{
	json_decref(f->fields);
	json_decref(f->current);
	zb_fail_init(f);
}

/*
 * Record the error `e` (the latest call decides the error) and, when no
 * message has been set yet, the formatted message. Returns `e` so a
 * handler can `return zb_fail_set(...)`.
 */
enum zb_err zb_fail_set(struct zb_fail *f, enum zb_err e, const char *fmt, ...)
{
	va_list ap;

	f->err = e;
	if (f->message[0] == '\0' && fmt) {
		va_start(ap, fmt);
		vsnprintf(f->message, sizeof f->message, fmt, ap);
		va_end(ap);
		cut_partial_utf8(f->message);
	}
	return e;
}

/*
 * Add a message for one field. The first message for a field wins (it is
 * usually the most basic problem: missing before too long). Sets the error
 * to ZB_EVALIDATION unless an error is already recorded.
 */
void zb_fail_field(struct zb_fail *f, const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	json_t *s;

	if (f->err == ZB_OK)
		f->err = ZB_EVALIDATION;
	if (!field)
		return;
	if (!f->fields) {
		f->fields = json_object();
		if (!f->fields)
			return;
	}
	if (json_object_get(f->fields, field))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cut_partial_utf8(msg);
	s = json_string(msg);
	if (!s)
		s = json_string("输入有误");	/* msg was not UTF-8 */
	json_object_set_new(f->fields, field, s);
}

/*
 * {"error":{"code":...,"message":...,"fields":{...}?,"current":{...}?}}.
 * An empty message is replaced by the default for the code. Returns a new
 * reference, or NULL only when jansson cannot allocate: never a body with a
 * part missing (resp_json answers a NULL with a bare 500).
 */
json_t *zb_fail_json(const struct zb_fail *f)
{
	json_t *root, *e, *msg = NULL;
	int bad;

	e = json_object();
	if (!e)
		return NULL;
	bad = json_object_set_new(e, "code", json_string(zb_err_code(f->err)));
	if (f->message[0])
		msg = json_string(f->message);
	if (!msg)
		msg = json_string(default_message(f->err));
	bad |= json_object_set_new(e, "message", msg);
	if (f->fields && json_object_size(f->fields) > 0)
		bad |= json_object_set(e, "fields", f->fields);
	if (f->current)
		bad |= json_object_set(e, "current", f->current);
	root = bad ? NULL : json_object();
	if (!root) {
		json_decref(e);
		return NULL;
	}
	if (json_object_set_new(root, "error", e) != 0) {	/* e was released */
		json_decref(root);
		return NULL;
	}
	return root;
}
