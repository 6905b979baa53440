/* rules.c - the requirements table of the rules engine: loading rows for the evaluator, listing them, and changing a rule from a date. */
#include <string.h>
#include "rules.h"
#include "../../auth/audit.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

#define REQ_COLS \
	"id, subject, what, org_kinds, org_categories, frequency, per_period, grace_days," \
	" severity, valid_from, valid_to, note, previous_id, version, created_at, updated_at"

static const char SQL_LOAD[] =
	"SELECT id, what, org_kinds, org_categories, frequency, per_period, grace_days, severity,"
	" valid_from, valid_to FROM requirements WHERE subject = ? ORDER BY id";
static const char SQL_ONE[] = "SELECT " REQ_COLS " FROM requirements WHERE id = ?";
static const char SQL_LIST[] =
	"SELECT " REQ_COLS " FROM requirements WHERE subject = ?"
	" AND (CAST(? AS INTEGER) = 1 OR valid_to IS NULL) ORDER BY what, valid_from, id";
static const char SQL_CLOSE[] =
	"UPDATE requirements SET valid_to = ?, version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ? AND valid_to IS NULL";
static const char SQL_INSERT[] =
	"INSERT INTO requirements (subject, what, org_kinds, org_categories, frequency, per_period,"
	" grace_days, severity, valid_from, note, previous_id, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_KIND_EXISTS[] =
	"SELECT COUNT(*) FROM dict_items WHERE dict = ? AND code = ?";

static int64_t day_of(const char *s, int64_t dflt)
{
	struct ymd d;

	return s && date_parse_iso(s, &d) == 0 ? date_to_days(d) : dflt;
}

long rules_load(struct db *db, struct arena *a, const char *subject, struct rule_req **out)
{
	struct db_stmt *st = db_prepare(db, SQL_LOAD);
	size_t cap = 16, n = 0;
	struct rule_req *v = arena_alloc(a, cap * sizeof(*v));
	int rc = st ? DB_OK : DB_EGENERIC;

	*out = NULL;
	if (st)
		db_bind_text(st, 1, subject);
	while (st && (rc = db_step(st)) == DB_ROW) {
		struct rule_req *q;
		int f = rule_freq_parse(db_col_text(st, 4));
		int s = rule_severity_parse(db_col_text(st, 7));
		if (n == cap) {
			struct rule_req *grown = arena_alloc(a, cap * 2 * sizeof(*grown));
			memcpy(grown, v, n * sizeof(*v));
			v = grown;
			cap *= 2;
		}
		q = &v[n++];
		q->id = db_col_int(st, 0);
		q->subject = arena_strdup(a, subject);
		q->what = arena_strdup(a, db_col_text(st, 1));
		q->org_kinds = arena_strdup(a, db_col_text(st, 2));
		q->org_categories = arena_strdup(a, db_col_text(st, 3));
		q->freq = f < 0 ? RULE_YEARLY : (enum rule_freq)f;
		q->count = (int)db_col_int(st, 5);
		q->grace_days = (int)db_col_int(st, 6);
		q->severity = s < 0 ? RULE_LOW : (enum rule_severity)s;
		q->valid_from = day_of(db_col_text(st, 8), 0);
		q->valid_to = day_of(db_col_text(st, 9), RULE_OPEN_END);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	*out = v;
	return (long)n;
}

static const char *const freq_labels[] = { "每月", "每季度", "每年" };
static const char *const sev_labels[] = { "一般", "较重", "严重" };

/* The row at the statement's cursor (REQ_COLS), with labels. */
static json_t *req_from_row(struct db *db, struct db_stmt *st)
{
	int f = rule_freq_parse(db_col_text(st, 5)), s = rule_severity_parse(db_col_text(st, 8));
	const char *what = db_col_text(st, 2);
	struct db_stmt *lq = db_prepare(db, "SELECT label_zh FROM dict_items WHERE dict = 'meeting_type' AND code = ?");
	json_t *j;

	j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:s, s:o, s:I}",
		      "id", (json_int_t)db_col_int(st, 0), "subject", db_col_text(st, 1),
		      "what", what, "org_kinds", db_col_text(st, 3),
		      "org_categories", db_col_text(st, 4), "frequency", db_col_text(st, 5),
		      "per_period", (json_int_t)db_col_int(st, 6),
		      "grace_days", (json_int_t)db_col_int(st, 7), "severity", db_col_text(st, 8),
		      "valid_from", db_col_text(st, 9),
		      "valid_to", db_col_isnull(st, 10) ? json_null() : json_string(db_col_text(st, 10)),
		      "note", db_col_text(st, 11),
		      "previous_id", db_col_isnull(st, 12) ? json_null() : json_integer(db_col_int(st, 12)),
		      "version", (json_int_t)db_col_int(st, 13));
	if (j && f >= 0)
		json_object_set_new(j, "frequency_label", json_string(freq_labels[f]));
	if (j && s >= 0)
		json_object_set_new(j, "severity_label", json_string(sev_labels[s]));
	/* a second statement on the same connection, not the one being stepped */
	if (j && lq && db_bind_text(lq, 1, what) == DB_OK && db_step(lq) == DB_ROW)
		json_object_set_new(j, "what_label", json_string(db_col_text(lq, 0)));
	db_finalize(lq);
	return j;
}

json_t *rule_req_json(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_ONE);
	json_t *j = NULL;

	if (st && db_bind_int(st, 1, id) == DB_OK && db_step(st) == DB_ROW)
		j = req_from_row(db, st);
	db_finalize(st);
	return j;
}

/* GET /api/v1/rules?subject=meeting&all=1: the rules in force (all=1: with their history). */
void rules_http_list(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	const char *subject = req_query(r, "subject");
	const char *all = req_query(r, "all");
	struct db_stmt *st = db_prepare(db, SQL_LIST);
	json_t *items = json_array();
	int rc = st ? DB_OK : DB_EGENERIC;

	if (st)
		db_bindf(st, "si", subject && *subject ? subject : "meeting",
			 (int64_t)(all && strcmp(all, "1") == 0));
	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, req_from_row(db, st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "effective_from", JF_DATE, 1, 0, 0, 0, "生效日期" },
	{ "frequency", JF_STRING, 0, 0, 1, 20, "频次" },
	{ "per_period", JF_INT, 0, 0, 1, 100, "每期次数" },
	{ "grace_days", JF_INT, 0, 0, 0, 366, "宽限天数" },
	{ "severity", JF_STRING, 0, 0, 1, 20, "严重程度" },
	{ "org_kinds", JF_STRING, 0, 0, 0, 200, "适用组织类型" },
	{ "org_categories", JF_STRING, 0, 0, 0, 200, "适用组织类别" },
	{ "note", JF_STRING, 0, 1, 0, 500, "说明" },
	{ 0 }
};

/* Every code of a comma list is in dictionary `dict`; else a field error. */
static void check_codes(struct db *db, struct arena *a, const char *list, const char *dict,
			const char *field, const char *label, struct zb_fail *f)
{
	char *copy = arena_strdup(a, list), *p = copy;

	while (p && *p) {
		char *comma = strchr(p, ',');
		int64_t n = 0;
		if (comma)
			*comma = '\0';
		db_query_int(db, &n, SQL_KIND_EXISTS, "ss", dict, p);
		if (n == 0) {
			zb_fail_field(f, field, "%s“%s”不在字典中", label, p);
			return;
		}
		p = comma ? comma + 1 : NULL;
	}
}

/*
 * PUT /api/v1/rules/:id {version, effective_from, ...changes}: the rule in
 * force changes from effective_from on: the row is closed on that day and a
 * new row (previous_id = it) opened, so periods starting earlier keep the old
 * rule. Answers the new row (201).
 */
void rules_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	json_t *body, *before;
	int64_t id = req_param_id(r, "id"), changes = 0, new_id = 0;
	const char *eff, *freq, *sev, *kinds, *cats, *note;
	char now[24];
	int rc;

	before = id ? rule_req_json(c->db, id) : NULL;
	if (!before) {
		resp_error(r, ZB_ENOTFOUND, "规则不存在");
		return;
	}
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, update_fields, 0, &f) != 0) {
		json_decref(body);
		json_decref(before);
		resp_fail(r, &f);
		return;
	}
	eff = json_str_trim(&r->arena, body, "effective_from", NULL);
	freq = json_str_trim(&r->arena, body, "frequency", json_string_value(json_object_get(before, "frequency")));
	sev = json_str_trim(&r->arena, body, "severity", json_string_value(json_object_get(before, "severity")));
	kinds = json_has(body, "org_kinds") ? json_str(body, "org_kinds", "") :
		json_string_value(json_object_get(before, "org_kinds"));
	cats = json_has(body, "org_categories") ? json_str(body, "org_categories", "") :
	       json_string_value(json_object_get(before, "org_categories"));
	note = json_has(body, "note") ? json_str_trim(&r->arena, body, "note", "") :
	       json_string_value(json_object_get(before, "note"));
	if (rule_freq_parse(freq) < 0)
		zb_fail_field(&f, "frequency", "频次应为 monthly、quarterly 或 yearly");
	if (rule_severity_parse(sev) < 0)
		zb_fail_field(&f, "severity", "严重程度应为 low、medium 或 high");
	check_codes(c->db, &r->arena, kinds, "org_kind", "org_kinds", "组织类型", &f);
	check_codes(c->db, &r->arena, cats, "org_category", "org_categories", "组织类别", &f);
	if (!json_is_null(json_object_get(before, "valid_to")))
		zb_fail_set(&f, ZB_ECONFLICT, "该规则已被新规则取代，请修改现行规则");
	else if (strcmp(eff, json_string_value(json_object_get(before, "valid_from"))) <= 0)
		zb_fail_field(&f, "effective_from", "生效日期须晚于原规则的生效日期");
	if (f.err) {
		json_decref(body);
		json_decref(before);
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	rc = db_begin(c->db);
	if (rc != DB_OK) {
		json_decref(body);
		json_decref(before);
		app_db_fail(r, rc, 0);
		return;
	}
	ts_now(now);
	rc = db_run_changes(c->db, &changes, SQL_CLOSE, "ssii", eff, now, id, json_int(body, "version", 0));
	if (rc == DB_OK && changes == 0) {
		struct zb_fail cf;
		db_rollback(c->db);
		zb_fail_init(&cf);
		zb_fail_set(&cf, ZB_ECONFLICT, "该规则已被他人修改，请刷新后重试");
		cf.current = rule_req_json(c->db, id);
		json_decref(body);
		json_decref(before);
		resp_fail(r, &cf);
		return;
	}
	if (rc == DB_OK)
		rc = db_query_int(c->db, &new_id, SQL_INSERT, "sssssiisssiss",
				  json_string_value(json_object_get(before, "subject")),
				  json_string_value(json_object_get(before, "what")), kinds, cats, freq,
				  json_int(body, "per_period", json_integer_value(json_object_get(before, "per_period"))),
				  json_int(body, "grace_days", json_integer_value(json_object_get(before, "grace_days"))),
				  sev, eff, note, (int64_t)id, now, now) == DB_ROW ? DB_OK : DB_EGENERIC;
	json_decref(body);
	if (rc == DB_OK) {
		json_t *closed = rule_req_json(c->db, id);
		rc = app_audit(r, "requirement", id, "close", before, closed);
		json_decref(closed);
	}
	json_decref(before);
	if (rc == DB_OK) {
		json_t *after = rule_req_json(c->db, new_id);
		rc = after ? app_audit(r, "requirement", new_id, "create", NULL, after) : DB_EGENERIC;
		if (rc == DB_OK)
			rc = db_commit(c->db);
		if (rc == DB_OK) {
			resp_json(r, 201, after);
			return;
		}
		json_decref(after);
	}
	app_db_fail(r, rc, 1);
}

/* ---------------------------------------------------------------- a new rule */

static const struct json_field create_fields[] = {
	{ "subject", JF_STRING, 0, 1, 1, 20, "适用对象" },
	{ "what", JF_STRING, 1, 0, 1, 40, "要求事项" },
	{ "org_kinds", JF_STRING, 0, 1, 0, 200, "适用组织类型" },
	{ "org_categories", JF_STRING, 0, 1, 0, 200, "适用组织类别" },
	{ "frequency", JF_STRING, 1, 0, 1, 20, "频次" },
	{ "per_period", JF_INT, 1, 0, 1, 100, "每期次数" },
	{ "grace_days", JF_INT, 0, 1, 0, 90, "宽限天数" },
	{ "severity", JF_STRING, 1, 0, 1, 20, "严重程度" },
	{ "valid_from", JF_DATE, 0, 1, 0, 0, "生效日期" },
	{ "note", JF_STRING, 0, 1, 0, 500, "说明" },
	{ 0 }
};

static const char SQL_IN_FORCE[] =
	"SELECT id, org_kinds FROM requirements WHERE subject = ? AND what = ? AND valid_to IS NULL"
	" ORDER BY id";
static const char SQL_WHAT_EXISTS[] =
	"SELECT COUNT(*) FROM dict_items WHERE dict = 'meeting_type' AND code = ? AND status = 'active'";

/*
 * A comma list with blanks trimmed, empty items and repeats dropped, in the
 * order given ("branch, general_branch,branch" -> "branch,general_branch"),
 * copied into the arena.
 */
static const char *list_norm(struct arena *a, const char *list)
{
	size_t len = list ? strlen(list) : 0, o = 0;
	char *copy = arena_strdup(a, list ? list : ""), *out = arena_alloc(a, len + 2), *p = copy;

	out[0] = '\0';
	while (p && *p) {
		char *comma = strchr(p, ','), *e;
		if (comma)
			*comma = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*p && (o == 0 || !rule_list_has(out, p))) {
			size_t n = strlen(p);
			if (o)
				out[o++] = ',';
			memcpy(out + o, p, n);
			o += n;
			out[o] = '\0';
		}
		p = comma ? comma + 1 : NULL;
	}
	return out;
}

/* 1 when every code of comma list a is in b (neither empty). */
static int list_within(const char *a, const char *b)
{
	const char *p = a;
	char tok[64];

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n >= sizeof(tok))
			return 0;
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (!rule_list_has(b, tok))
			return 0;
		p = comma ? comma + 1 : NULL;
	}
	return 1;
}

/* 1 when the comma lists a and b hold the same codes, order aside ("" = every kind). */
static int list_same(const char *a, const char *b)
{
	int ea = !a || !*a, eb = !b || !*b;

	if (ea || eb)
		return ea && eb;
	return list_within(a, b) && list_within(b, a);
}

/*
 * The id of the rule in force for (subject, what) with the same org kinds, 0
 * when none, or a negative DB_E*.
 */
static int64_t duplicate_of(struct db *db, const char *subject, const char *what, const char *kinds)
{
	struct db_stmt *st = db_prepare(db, SQL_IN_FORCE);
	int64_t found = 0;
	int rc = st ? DB_OK : DB_EGENERIC;

	if (st)
		db_bindf(st, "ss", subject, what);
	while (st && (rc = db_step(st)) == DB_ROW)
		if (!found && list_same(db_col_text(st, 1), kinds))
			found = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	return found;
}

/*
 * POST /api/v1/rules {subject?, what, org_kinds?, org_categories?, frequency,
 * per_period, grace_days?, severity, valid_from?, note?}: a new requirement
 * row in force from valid_from (default today). Every bad field is named; a
 * rule in force for the same subject, what and org kinds is refused (409,
 * with that rule): it is changed by PUT /rules/:id, which keeps the history.
 * Audited; answers the row (201).
 */
void rules_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	json_t *body, *after;
	const char *subject, *what, *kinds, *cats, *freq, *sev, *from, *note;
	int64_t per, grace, n = 0, dup, id = 0;
	char today[16], now[24];
	int rc;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, create_fields, 0, &f);
	subject = json_str_trim(&r->arena, body, "subject", "meeting");
	what = json_str_trim(&r->arena, body, "what", NULL);
	kinds = list_norm(&r->arena, json_str(body, "org_kinds", ""));
	cats = list_norm(&r->arena, json_str(body, "org_categories", ""));
	freq = json_str_trim(&r->arena, body, "frequency", NULL);
	sev = json_str_trim(&r->arena, body, "severity", NULL);
	per = json_int(body, "per_period", 1);
	grace = json_int(body, "grace_days", 0);
	date_format(date_today_cn(), today);
	from = json_str_trim(&r->arena, body, "valid_from", today);
	note = json_str_trim(&r->arena, body, "note", "");
	json_decref(body);
	if (strcmp(subject, "meeting") != 0)
		zb_fail_field(&f, "subject", "适用对象目前只能是 meeting（会议）");
	else if (what && (db_query_int(c->db, &n, SQL_WHAT_EXISTS, "s", what), n == 0))
		zb_fail_field(&f, "what", "要求事项“%s”不是字典中的会议类型", what);
	if (freq && rule_freq_parse(freq) < 0)
		zb_fail_field(&f, "frequency", "频次应为 monthly（每月）、quarterly（每季度）或 yearly（每年）");
	if (sev && rule_severity_parse(sev) < 0)
		zb_fail_field(&f, "severity", "严重程度应为 low（一般）、medium（较重）或 high（严重）");
	check_codes(c->db, &r->arena, kinds, "org_kind", "org_kinds", "组织类型", &f);
	check_codes(c->db, &r->arena, cats, "org_category", "org_categories", "组织类别", &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (!app_begin_write(r))
		return;
	dup = duplicate_of(c->db, subject, what, kinds);
	if (dup != 0) {
		db_rollback(c->db);
		if (dup < 0) {
			app_db_fail(r, (int)dup, 0);
			return;
		}
		app_conflict(r, arena_printf(&r->arena, "已有相同的现行规则（编号%lld，同一事项、同一组织类型），"
					     "请修改该规则，不要重复新建", (long long)dup),
			     rule_req_json(c->db, dup));
		return;
	}
	ts_now(now);
	rc = db_query_int(c->db, &id, SQL_INSERT, "sssssiisssnss", subject, what, kinds, cats, freq,
			  per, grace, sev, from, note, now, now);
	if (rc != DB_ROW) {
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 1);
		return;
	}
	after = rule_req_json(c->db, id);
	rc = after ? app_audit(r, "requirement", id, "create", NULL, after) : DB_EGENERIC;
	if (rc != DB_OK) {
		json_decref(after);
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 201, after);
}
