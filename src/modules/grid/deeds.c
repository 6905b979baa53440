/* deeds.c - residents' requests and practical deeds: intake, the state machine (登记 → 受理 → 办理中 → 办结 → 回访, reopening), routing and escalation, history, and the deed's JSON. */
#include <stdlib.h>
#include <string.h>
#include "grid.h"
#include "grid_internal.h"
#include "deeds_internal.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/check.h"
#include "../../base/date.h"

/* ---------------------------------------------------------------- labels */

static const struct label { const char *code, *zh; } statuses[] = {
	{ "registered", "登记" }, { "accepted", "受理" }, { "in_progress", "办理中" },
	{ "closed", "办结" }, { "followed_up", "已回访" },
};
static const struct label reasons[] = {
	{ "solved", "已解决" }, { "referred", "已转办" }, { "cannot_solve", "无法解决" },
	{ "duplicate", "重复诉求" },
};
static const struct label levels[] = {
	{ "grid", "网格" }, { "branch", "党支部" }, { "township", "镇党委" },
};

static const char *label_of(const struct label *t, size_t n, const char *code)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(t[i].code, code) == 0)
			return t[i].zh;
	return NULL;
}

const char *deed_status_label(const char *s) { return label_of(statuses, 5, s); }
const char *deed_reason_label(const char *s) { return label_of(reasons, 4, s); }
const char *deed_level_label(const char *s) { return label_of(levels, 3, s); }

static int level_rank(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (s && strcmp(levels[i].code, s) == 0)
			return i;
	return -1;
}

/*
 * The transitions: which statuses an action starts from. Anything else is
 * refused with a message naming the current status and what is allowed.
 */
static const struct transition {
	const char *action;
	const char *zh;
	const char *from[3];
} transitions[] = {
	{ "accept", "受理", { "registered", NULL } },
	{ "start", "开始办理", { "accepted", NULL } },
	{ "close", "办结", { "accepted", "in_progress", NULL } },
	{ "follow_up", "回访", { "closed", NULL } },
	{ "route", "转派", { "registered", "accepted", "in_progress" } },
};

static const struct transition *transition_find(const char *action)
{
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (strcmp(transitions[i].action, action) == 0)
			return &transitions[i];
	return NULL;
}

int deed_transition_allowed(const char *action, const char *status, char *why, size_t whylen)
{
	const struct transition *t = transition_find(action);
	char allowed[128] = "";
	size_t used = 0;

	if (!t) {
		snprintf(why, whylen, "未知的操作");
		return 0;
	}
	for (int i = 0; i < 3 && t->from[i]; i++) {
		if (strcmp(t->from[i], status) == 0)
			return 1;
		used += (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s“%s”",
					 i ? "或" : "", deed_status_label(t->from[i]));
		if (used >= sizeof(allowed))
			break;
	}
	snprintf(why, whylen, "当前状态为“%s”，不能%s：只有%s状态的诉求可以%s",
		 deed_status_label(status) ? deed_status_label(status) : status, t->zh, allowed, t->zh);
	return 0;
}

/* ---------------------------------------------------------------- JSON */

static const char SQL_DEED_ONE[] =
	"SELECT d.id, d.code, d.org_id, o.name, d.grid_id, g.name, d.household_id, h.address, d.level,"
	" d.category, cat.label_zh, d.channel, ch.label_zh, d.title, d.content, d.resident_name,"
	" d.phone_masked, d.member_id, p.name, d.status, d.close_reason, d.close_note, d.received_at,"
	" d.received_on, d.due_on, d.accepted_at, d.closed_at, d.closed_on, d.followed_up_on,"
	" d.resident_solved, d.satisfaction, d.reopened, d.escalations, d.created_by, d.version,"
	" d.created_at, d.updated_at, o.path, d.place"
	" FROM deeds d JOIN orgs o ON o.id = d.org_id LEFT JOIN grids g ON g.id = d.grid_id"
	" LEFT JOIN households h ON h.id = d.household_id"
	" LEFT JOIN dict_items cat ON cat.dict = 'deed_category' AND cat.code = d.category"
	" LEFT JOIN dict_items ch ON ch.dict = 'deed_channel' AND ch.code = d.channel"
	" LEFT JOIN people p ON p.id = d.member_id WHERE d.id = ?";

static const char SQL_HISTORY[] =
	"SELECT at, action, from_status, to_status, note, by_name, public FROM deed_history"
	" WHERE deed_id = ? ORDER BY id";

static int is_open(const char *status)
{
	return strcmp(status, "registered") == 0 || strcmp(status, "accepted") == 0 ||
	       strcmp(status, "in_progress") == 0;
}

int deed_ref_load(struct db *db, int64_t id, struct deed_ref *d)
{
	struct db_stmt *st = db_prepare(db, "SELECT d.id, d.org_id, o.path, d.grid_id, d.created_by, d.status,"
					" d.version, d.level, d.code FROM deeds d JOIN orgs o ON o.id = d.org_id WHERE d.id = ?");
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		d->id = db_col_int(st, 0);
		d->org_id = db_col_int(st, 1);
		snprintf(d->org_path, sizeof(d->org_path), "%s", db_col_text(st, 2));
		d->grid_id = db_col_int(st, 3);
		d->created_by = db_col_int(st, 4);
		snprintf(d->status, sizeof(d->status), "%s", db_col_text(st, 5));
		d->version = db_col_int(st, 6);
		snprintf(d->level, sizeof(d->level), "%s", db_col_text(st, 7));
		snprintf(d->code, sizeof(d->code), "%s", db_col_text(st, 8));
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

#define SET(k, v) json_object_set_new(j, k, v)

json_t *deed_json(struct db *db, int64_t id, int with_history)
{
	struct db_stmt *st = db_prepare(db, SQL_DEED_ONE);
	json_t *j, *hist;
	const char *status, *reason;
	char today[11];

	if (!st || db_bind_int(st, 1, id) != DB_OK || db_step(st) != DB_ROW) {
		db_finalize(st);
		return NULL;
	}
	grid_today(today);
	j = json_object();
	status = db_col_text(st, 19);
	reason = db_col_text(st, 20);
	SET("id", json_integer(db_col_int(st, 0)));
	SET("code", json_string(db_col_text(st, 1)));
	SET("org_id", json_integer(db_col_int(st, 2)));
	SET("org_name", json_string(db_col_text(st, 3)));
	SET("grid_id", grid_int_or_null(st, 4));
	SET("grid_name", grid_text_or_null(st, 5));
	SET("household_id", grid_int_or_null(st, 6));
	SET("household_address", grid_text_or_null(st, 7));
	SET("level", json_string(db_col_text(st, 8)));
	SET("level_label", json_string(deed_level_label(db_col_text(st, 8))));
	SET("category", json_string(db_col_text(st, 9)));
	SET("category_label", grid_text_or_null(st, 10));
	SET("channel", json_string(db_col_text(st, 11)));
	SET("channel_label", grid_text_or_null(st, 12));
	SET("title", json_string(db_col_text(st, 13)));
	SET("content", json_string(db_col_text(st, 14)));
	SET("resident_name", json_string(db_col_text(st, 15)));
	SET("place", json_string(db_col_text(st, 38)));
	SET("phone_masked", grid_text_or_null(st, 16));
	SET("member_id", grid_int_or_null(st, 17));
	SET("member_name", grid_text_or_null(st, 18));
	SET("status", json_string(status));
	SET("status_label", json_string(deed_status_label(status)));
	SET("close_reason", reason ? json_string(reason) : json_null());
	SET("close_reason_label", reason ? json_string(deed_reason_label(reason)) : json_null());
	SET("close_note", grid_text_or_null(st, 21));
	SET("received_at", json_string(db_col_text(st, 22)));
	SET("received_on", json_string(db_col_text(st, 23)));
	SET("due_on", json_string(db_col_text(st, 24)));
	SET("overdue", json_boolean(is_open(status) && strcmp(db_col_text(st, 24), today) < 0));
	SET("accepted_at", grid_text_or_null(st, 25));
	SET("closed_at", grid_text_or_null(st, 26));
	SET("closed_on", grid_text_or_null(st, 27));
	SET("followed_up_on", grid_text_or_null(st, 28));
	SET("resident_solved", db_col_isnull(st, 29) ? json_null() : json_boolean(db_col_int(st, 29)));
	SET("satisfaction", grid_int_or_null(st, 30));
	SET("reopened", json_integer(db_col_int(st, 31)));
	SET("escalations", json_integer(db_col_int(st, 32)));
	SET("created_by", grid_int_or_null(st, 33));
	SET("version", json_integer(db_col_int(st, 34)));
	SET("created_at", json_string(db_col_text(st, 35)));
	SET("updated_at", json_string(db_col_text(st, 36)));
	SET("done", json_boolean(reason && strcmp(reason, "solved") == 0 && !is_open(status)));
	db_finalize(st);
	if (!with_history)
		return j;
	hist = json_array();
	st = db_prepare(db, SQL_HISTORY);
	if (st && db_bind_int(st, 1, id) == DB_OK)
		while (db_step(st) == DB_ROW)
			json_array_append_new(hist, json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:b}",
				"at", db_col_text(st, 0), "action", db_col_text(st, 1),
				"from_status", grid_text_or_null(st, 2), "to_status", db_col_text(st, 3),
				"status_label", deed_status_label(db_col_text(st, 3)),
				"note", db_col_text(st, 4), "by_name", db_col_text(st, 5),
				"public", (int)db_col_int(st, 6)));
	db_finalize(st);
	SET("history", hist);
	return j;
}

/* The public view of a request: no names, phones or staff identities. */
json_t *deed_public_json(struct db *db, int64_t id)
{
	json_t *full = deed_json(db, id, 0), *j, *hist;
	struct db_stmt *st;

	if (!full)
		return NULL;
	j = json_object();
	static const char *const keep[] = { "code", "org_name", "category", "category_label", "title",
					    "status", "status_label", "received_on", "due_on", "closed_on",
					    "close_reason", "close_reason_label", "followed_up_on",
					    "resident_solved", "satisfaction", "overdue" };
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		json_object_set(j, keep[i], json_object_get(full, keep[i]));
	SET("can_confirm", json_boolean(strcmp(json_string_value(json_object_get(full, "status")), "closed") == 0));
	json_decref(full);
	hist = json_array();
	st = db_prepare(db, "SELECT at, to_status, note FROM deed_history WHERE deed_id = ? AND public = 1 ORDER BY id");
	if (st && db_bind_int(st, 1, id) == DB_OK)
		while (db_step(st) == DB_ROW)
			json_array_append_new(hist, json_pack("{s:s, s:s, s:s, s:s}", "at", db_col_text(st, 0),
				"to_status", db_col_text(st, 1), "status_label", deed_status_label(db_col_text(st, 1)),
				"note", db_col_text(st, 2)));
	db_finalize(st);
	SET("history", hist);
	return j;
}

#undef SET

/* ---------------------------------------------------------------- writes */

static int history_add(struct db *db, int64_t deed_id, const char *at, const char *action,
		       const char *from, const char *to, const char *note, int public,
		       const struct audit_who *who)
{
	struct db_stmt *st = db_prepare(db, "INSERT INTO deed_history (deed_id, at, action, from_status, to_status,"
					" note, public, user_id, by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "isssssins", deed_id, at, action, from, to, note ? note : "", (int64_t)public,
		 who && who->username ? who->username : "");
	if (who && who->user_id)
		db_bind_int(st, 8, who->user_id);
	rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* The China date of an ISO timestamp into out (11 bytes); today when malformed. */
static void cn_date_of(const char *ts, char out[11])
{
	int64_t t;

	if (ts_parse(ts, &t) == 0)
		date_format(date_cn_from_unix(t), out);
	else
		grid_today(out);
}

/* 1 when person is an active person of the subtree at path. */
static int person_under(struct db *db, int64_t id, const char *path)
{
	struct person_where w;

	return person_where_load(db, id, &w) == 1 && strcmp(w.status, "active") == 0 &&
	       strncmp(w.org_path, path, strlen(path)) == 0;
}

void deed_check(struct db *db, const struct deed_in *in, struct zb_fail *f)
{
	char label[128];
	struct org o;

	if (in->org_id > 0) {
		if (org_load(db, in->org_id, &o) != 1 || strcmp(o.status, "active") != 0)
			zb_fail_field(f, "org_id", "党组织不存在");
		else if (strcmp(o.kind, "branch") != 0 && strcmp(o.kind, "general_branch") != 0)
			zb_fail_field(f, "org_id", "诉求须登记到村（社区）党支部或党总支");
		else {
			int64_t n = 0;
			if (in->grid_id && (db_query_int(db, &n, "SELECT COUNT(*) FROM grids WHERE id = ? AND org_id = ?"
							 " AND status = 'active'", "ii", in->grid_id, in->org_id) != DB_ROW || n == 0))
				zb_fail_field(f, "grid_id", "该网格不属于所选党组织");
			n = 0;
			if (in->household_id && (db_query_int(db, &n, "SELECT COUNT(*) FROM households h JOIN grids g"
							      " ON g.id = h.grid_id WHERE h.id = ? AND g.org_id = ?"
							      " AND (CAST(? AS INTEGER) = 0 OR h.grid_id = CAST(? AS INTEGER))",
							      "iiii", in->household_id, in->org_id, in->grid_id,
							      in->grid_id) != DB_ROW || n == 0))
				zb_fail_field(f, "household_id", "该住户不属于所选网格");
			if (in->member_id && !person_under(db, in->member_id, o.path))
				zb_fail_field(f, "member_id", "经办党员须为本党组织的人员");
		}
	}
	if (in->category && !grid_dict_label(db, "deed_category", in->category, label, sizeof(label)))
		zb_fail_field(f, "category", "诉求类别“%s”不在字典中", in->category);
	if (in->channel && !grid_dict_label(db, "deed_channel", in->channel, label, sizeof(label)))
		zb_fail_field(f, "channel", "受理渠道“%s”不在字典中", in->channel);
	grid_text_check(f, "title", "诉求标题", in->title);
	grid_text_check(f, "content", "诉求内容", in->content);
	grid_text_check(f, "resident_name", "群众称呼", in->resident_name);
	grid_text_check(f, "place", "地点", in->place);
	if (in->phone) {
		const char *why = phone_check(in->phone);
		if (why)
			zb_fail_field(f, "phone", "%s", why);
	}
}

/* A fresh tracking code not yet used. 0 ok, <0 DB_E*. */
static int fresh_code(struct db *db, char code[DEED_CODE_LEN + 1])
{
	for (int tries = 0; tries < 8; tries++) {
		int64_t n = 1;
		int rc;
		deed_code_make(code);
		rc = db_query_int(db, &n, "SELECT COUNT(*) FROM deeds WHERE code = ?", "s", code);
		if (rc < 0)
			return rc;
		if (n == 0)
			return DB_OK;
	}
	return DB_EGENERIC;
}

int64_t deed_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    const struct deed_in *in, const char *at, struct zb_fail *f)
{
	char code[DEED_CODE_LEN + 1], on[11], due[11], masked[32] = "", now[24];
	struct ymd d;
	struct db_stmt *st;
	char *enc = NULL;
	int64_t id = 0;
	int rc;
	json_t *after;

	deed_check(db, in, f);
	if (f->err)
		return 0;
	ts_now(now);
	if (in->received_on)
		snprintf(on, sizeof(on), "%s", in->received_on);
	else
		cn_date_of(at, on);
	date_parse_iso(on, &d);
	rc = grid_due_on(db, in->category, date_to_days(d), due);
	if (rc == DB_OK)
		rc = fresh_code(db, code);
	if (rc != DB_OK)
		return rc;
	if (in->phone) {
		enc = field_encrypt(k, in->phone);
		if (!enc)
			return DB_EGENERIC;
		if (strlen(in->phone) < sizeof(masked))
			mask_phone(in->phone, masked);
	}
	st = db_prepare(db, "INSERT INTO deeds (code, org_id, grid_id, household_id, level, category, channel,"
			" title, content, resident_name, phone_enc, phone_masked, member_id, status, received_at,"
			" received_on, due_on, created_by, created_at, updated_at, place)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?, ?, ?, ?, ?, ?, ?) RETURNING id");
	if (!st) {
		free(enc);
		return DB_EGENERIC;
	}
	db_bindf(st, "sinnssssssssnsssnsss", code, in->org_id, in->grid_id ? "grid" : "branch",
		 in->category, in->channel, in->title, in->content ? in->content : "",
		 in->resident_name ? in->resident_name : "", enc, enc ? masked : NULL, at, on, due,
		 in->demo_created_at ? in->demo_created_at : now, in->demo_created_at ? in->demo_created_at : now,
		 in->place ? in->place : "");
	free(enc);
	if (in->grid_id)
		db_bind_int(st, 3, in->grid_id);
	if (in->household_id)
		db_bind_int(st, 4, in->household_id);
	if (in->member_id)
		db_bind_int(st, 13, in->member_id);
	if (who && who->user_id)
		db_bind_int(st, 17, who->user_id);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = history_add(db, id, at, "register", NULL, "registered",
			 in->public_intake ? "群众网上提交" : "登记", 1, who);
	after = rc == DB_OK ? deed_json(db, id, 0) : NULL;
	if (rc == DB_OK)
		rc = after ? audit_append(db, k, who, "deed", id, "create", NULL, after) : DB_EGENERIC;
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

/* The township above org_path: the nearest ancestor of kind township_committee (0 = none). */
static int64_t township_of(struct db *db, const char *path)
{
	char buf[256];
	size_t n;

	snprintf(buf, sizeof(buf), "%s", path);
	n = strlen(buf);
	while (n > 1) {
		struct org o;
		char *end;
		long long id;
		/* drop the last "/<id>" segment: "/1/4/9/" -> "/1/4/" */
		buf[n - 1] = '\0';
		end = strrchr(buf, '/');
		if (!end)
			break;
		id = strtoll(end + 1, NULL, 10);
		if (id > 0 && org_load(db, id, &o) == 1 && strcmp(o.kind, "township_committee") == 0)
			return o.id;
		end[1] = '\0';
		n = strlen(buf);
	}
	return 0;
}

int deed_act(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
	     int64_t version, const struct deed_action *a, const char *at, struct zb_fail *f)
{
	struct deed_ref d;
	char why[256], on[11];
	const char *to, *note = a->note ? a->note : "";
	struct db_stmt *st;
	int64_t changes = 0;
	int rc = deed_ref_load(db, id, &d), public = 1;
	json_t *audit;

	if (rc < 0)
		return rc;
	if (rc == 0)
		return DW_STALE;
	if (!deed_transition_allowed(a->action, d.status, why, sizeof(why))) {
		zb_fail_set(f, ZB_ECONFLICT, "%s", why);
		return DW_REFUSED;
	}
	cn_date_of(at, on);
	if (strcmp(a->action, "accept") == 0) {
		to = "accepted";
		st = db_prepare(db, "UPDATE deeds SET status = 'accepted', accepted_at = ?, version = version + 1,"
				" updated_at = ? WHERE id = ? AND version = ?");
		if (st)
			db_bindf(st, "ssii", at, at, id, version);
	} else if (strcmp(a->action, "start") == 0) {
		to = "in_progress";
		st = db_prepare(db, "UPDATE deeds SET status = 'in_progress', version = version + 1, updated_at = ?"
				" WHERE id = ? AND version = ?");
		if (st)
			db_bindf(st, "sii", at, id, version);
	} else if (strcmp(a->action, "close") == 0) {
		if (!deed_reason_label(a->reason)) {
			zb_fail_field(f, "reason", "办结原因应为 solved（已解决）、referred（已转办）、cannot_solve（无法解决）或 duplicate（重复诉求）");
			return DW_REFUSED;
		}
		if (!*note) {
			zb_fail_field(f, "note", "请填写办理结果");
			return DW_REFUSED;
		}
		to = "closed";
		/* accepted_at is kept; a request closed straight from 受理 skipped 办理中 */
		st = db_prepare(db, "UPDATE deeds SET status = 'closed', close_reason = ?, close_note = ?, closed_at = ?,"
				" closed_on = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?");
		if (st)
			db_bindf(st, "sssssii", a->reason, note, at, on, at, id, version);
	} else if (strcmp(a->action, "follow_up") == 0) {
		if (a->satisfaction && (a->satisfaction < 1 || a->satisfaction > 5)) {
			zb_fail_field(f, "satisfaction", "满意度应为1至5分");
			return DW_REFUSED;
		}
		if (a->solved) {
			to = "followed_up";
			st = db_prepare(db, "UPDATE deeds SET status = 'followed_up', followed_up_on = ?, resident_solved = 1,"
					" satisfaction = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?");
		} else {
			/* not solved: back to 办理中, the close undone, counted as reopened */
			to = "in_progress";
			st = db_prepare(db, "UPDATE deeds SET status = 'in_progress', followed_up_on = ?, resident_solved = 0,"
					" satisfaction = ?, close_reason = NULL, close_note = NULL, closed_at = NULL,"
					" closed_on = NULL, reopened = reopened + 1, version = version + 1, updated_at = ?"
					" WHERE id = ? AND version = ?");
		}
		if (st) {
			db_bindf(st, "snsii", on, at, id, version);
			if (a->satisfaction)
				db_bind_int(st, 2, a->satisfaction);
		}
	} else if (strcmp(a->action, "route") == 0) {
		int from_rank = level_rank(d.level), to_rank = level_rank(a->level);
		int64_t grid = a->grid_id, n = 0;
		if (to_rank < 0) {
			zb_fail_field(f, "level", "转派层级应为 grid（网格）、branch（党支部）或 township（镇党委）");
			return DW_REFUSED;
		}
		if (to_rank == 0 && (grid <= 0 || db_query_int(db, &n, "SELECT COUNT(*) FROM grids WHERE id = ? AND org_id = ?"
								 " AND status = 'active'", "ii", grid, d.org_id) != DB_ROW || n == 0)) {
			zb_fail_field(f, "grid_id", "请选择本党组织的网格");
			return DW_REFUSED;
		}
		if (to_rank == 2 && township_of(db, d.org_path) == 0) {
			zb_fail_field(f, "level", "该党组织上级没有镇党委");
			return DW_REFUSED;
		}
		if (to_rank == from_rank && (to_rank != 0 || grid == d.grid_id)) {
			zb_fail_field(f, "level", "诉求已由%s办理", deed_level_label(d.level));
			return DW_REFUSED;
		}
		if (!*note) {
			zb_fail_field(f, "reason", to_rank > from_rank ? "请填写上报原因" : "请填写转派原因");
			return DW_REFUSED;
		}
		to = d.status;
		public = 0;	/* the reason may name people: the resident sees the status only */
		st = db_prepare(db, to_rank == 0 ?
			"UPDATE deeds SET level = ?, grid_id = ?, escalations = escalations + ?, version = version + 1,"
			" updated_at = ? WHERE id = ? AND version = ?" :
			"UPDATE deeds SET level = ?, escalations = escalations + ?, version = version + 1,"
			" updated_at = ? WHERE id = ? AND version = ?");
		if (st && to_rank == 0)
			db_bindf(st, "siisii", a->level, grid, (int64_t)(to_rank > from_rank), at, id, version);
		else if (st)
			db_bindf(st, "sisii", a->level, (int64_t)(to_rank > from_rank), at, id, version);
	} else {
		zb_fail_set(f, ZB_EVALIDATION, "未知的操作");
		return DW_REFUSED;
	}
	if (!st)
		return DB_EGENERIC;
	rc = db_step(st);
	changes = db_changes(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	if (changes == 0)
		return DW_STALE;
	if (strcmp(a->action, "route") == 0)
		note = arena_printf(a->a, "转至%s办理：%s", deed_level_label(a->level), note);
	rc = history_add(db, id, at, a->action, d.status, to, note, public, who);
	if (rc == DB_OK && strcmp(a->action, "route") == 0)
		rc = history_add(db, id, at, "route_public", d.status, to,
				 arena_printf(a->a, "已转至%s办理", deed_level_label(a->level)), 1, who);
	if (rc != DB_OK)
		return rc;
	audit = json_pack("{s:s, s:s, s:s, s:s}", "from", d.status, "to", to, "note", note,
			  "code", d.code);
	if (a->reason)
		json_object_set_new(audit, "close_reason", json_string(a->reason));
	if (a->level)
		json_object_set_new(audit, "level", json_string(a->level));
	if (strcmp(a->action, "follow_up") == 0)
		json_object_set_new(audit, "solved", json_boolean(a->solved));
	rc = audit_append(db, k, who, "deed", id, a->action, NULL, audit);
	json_decref(audit);
	return rc;
}
