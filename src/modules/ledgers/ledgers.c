/* ledgers.c - the ledgers' SQL and rules: reserve-cadre details and training, assessments and when they are due, committee terms, rules. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "ledgers.h"
#include "ledgers_internal.h"
#include "../../base/json.h"

/*
 * The ledgers read the people, flags and orgs they describe through joins
 * (read only: a list filtered by org subtree and name cannot be paged
 * otherwise); every write to those tables goes through the people module's
 * public functions (flag_insert, flag_set_period).
 */

/* ---------------------------------------------------------------- SQL */

static const char SQL_DICT_ACTIVE[] =
	"SELECT COUNT(*) FROM dict_items WHERE dict = ? AND code = ? AND status = 'active'";
static const char SQL_RULE_VALUE[] =
	"SELECT value FROM ledger_rules WHERE rule = ? AND subject = ?";
static const char SQL_ASSESSED_KIND[] =
	"SELECT COUNT(*) FROM ledger_rules WHERE rule = 'assessment_months' AND subject = ?";
static const char SQL_FLAG_LABEL[] =
	"SELECT label_zh FROM dict_items WHERE dict = 'person_flag' AND code = ?";
static const char SQL_BRANCH[] =
	"SELECT id, path, name, kind, category, status FROM orgs WHERE id = ?";

#define ASSESS_OF_FLAG LEDGER_ASSESS_OF_FLAG

static const char SQL_RESERVE_COLS[] =
	"SELECT f.id, f.person_id, pe.name, pe.gender, pe.birth_date, pe.education, ed.label_zh,"
	" pe.political_status, ps.label_zh, pe.status, pe.org_id, o.name, f.started_on, f.ended_on,"
	" d.source, src.label_zh, d.intended_post, ip.label_zh, d.outcome, d.outcome_reason,"
	" d.remarks, d.version, f.version,"
	" (SELECT COUNT(*) FROM reserve_training t WHERE t.flag_id = f.id),"
	" (SELECT SUM(t.hours) FROM reserve_training t WHERE t.flag_id = f.id),"
	" (SELECT a.assessed_on FROM assessments a WHERE " ASSESS_OF_FLAG
	" ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1),"
	" (SELECT a.rating FROM assessments a WHERE " ASSESS_OF_FLAG
	" ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1),"
	" (SELECT r.label_zh FROM assessments a"
	" JOIN dict_items r ON r.dict = 'assessment_rating' AND r.code = a.rating WHERE " ASSESS_OF_FLAG
	" ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1), ";
static const char SQL_RESERVE_FROM[] =
	" FROM person_flags f JOIN people pe ON pe.id = f.person_id JOIN orgs o ON o.id = pe.org_id"
	" LEFT JOIN reserve_details d ON d.flag_id = f.id";
static const char SQL_RESERVE_LABELS[] =
	" LEFT JOIN dict_items ed ON ed.dict = 'education' AND ed.code = pe.education"
	" LEFT JOIN dict_items ps ON ps.dict = 'political_status' AND ps.code = pe.political_status"
	" LEFT JOIN dict_items src ON src.dict = 'reserve_source' AND src.code = d.source"
	" LEFT JOIN dict_items ip ON ip.dict = 'position' AND ip.code = d.intended_post";
/* An entry's status now, or on a date (the flag counts as held on its last day, as in the people module). */
static const char SQL_STATUS_NOW[] =
	"CASE WHEN f.ended_on IS NULL THEN 'in_pool' ELSE COALESCE(d.outcome, 'exited') END";
static const char SQL_STATUS_ON[] =
	"CASE WHEN f.ended_on IS NULL OR f.ended_on >= ? THEN 'in_pool'"
	" ELSE COALESCE(d.outcome, 'exited') END";
const char LEDGER_ORDER_ENTRIES[] = " ORDER BY o.sort_key, pe.name, f.id";

static const char SQL_DETAILS_OLD[] =
	"SELECT version, source, intended_post, outcome, outcome_reason, remarks"
	" FROM reserve_details WHERE flag_id = ?";
static const char SQL_DETAILS_AUDIT[] =
	"SELECT flag_id, source, intended_post, outcome, outcome_reason, remarks, version"
	" FROM reserve_details WHERE flag_id = ?";
static const char SQL_DETAILS_INSERT[] =
	"INSERT INTO reserve_details (flag_id, source, intended_post, outcome, outcome_reason,"
	" remarks, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_DETAILS_UPDATE[] =
	"UPDATE reserve_details SET source = ?, intended_post = ?, outcome = ?, outcome_reason = ?,"
	" remarks = ?, updated_at = ?, version = version + 1 WHERE flag_id = ? AND version = ?";
static const char SQL_TRAINING_ROWS[] =
	"SELECT id, trained_on, course, hours, note, version FROM reserve_training WHERE flag_id = ?"
	" ORDER BY trained_on, id";
static const char SQL_TRAINING_ONE[] =
	"SELECT id, flag_id, trained_on, course, hours, note, version FROM reserve_training WHERE id = ?";
static const char SQL_TRAINING_INSERT[] =
	"INSERT INTO reserve_training (flag_id, trained_on, course, hours, note, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_TRAINING_BEFORE[] =
	"SELECT MIN(trained_on) FROM reserve_training WHERE flag_id = ?";
static const char SQL_TRAINING_LAST[] =
	"SELECT MAX(trained_on) FROM reserve_training WHERE flag_id = ?";

static const char SQL_ASSESSMENT_COLS[] =
	"SELECT a.id, a.person_id, a.kind, k.label_zh, a.assessed_on, a.period, a.assessor, a.rating,"
	" r.label_zh, a.remarks, a.version, a.created_at, a.updated_at FROM assessments a"
	" LEFT JOIN dict_items k ON k.dict = 'person_flag' AND k.code = a.kind"
	" LEFT JOIN dict_items r ON r.dict = 'assessment_rating' AND r.code = a.rating";
static const char SQL_ASSESSMENTS_OF_FLAG[] =
	" JOIN person_flags f ON f.id = ? WHERE " ASSESS_OF_FLAG
	" ORDER BY a.assessed_on DESC, a.id DESC";
static const char SQL_ASSESSMENT_OLD[] =
	"SELECT person_id, kind, rating FROM assessments WHERE id = ?";
static const char SQL_HELD_ON[] =
	"SELECT COUNT(*) FROM person_flags WHERE person_id = ? AND flag = ? AND started_on <= ?"
	" AND (ended_on IS NULL OR ended_on >= ?)";
static const char SQL_ASSESSMENT_TWIN[] =
	"SELECT COUNT(*) FROM assessments WHERE person_id = ? AND kind = ? AND assessed_on = ?"
	" AND id <> ?";
static const char SQL_ASSESSMENT_INSERT[] =
	"INSERT INTO assessments (person_id, kind, assessed_on, period, assessor, rating, remarks,"
	" created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_ASSESSMENT_UPDATE[] =
	"UPDATE assessments SET kind = ?, assessed_on = ?, period = ?, assessor = ?, rating = ?,"
	" remarks = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?";

static const char SQL_TERM_COLS[] =
	"SELECT t.id, t.org_id, o.name, t.started_on, t.years, t.note, t.version, t.created_at,"
	" t.updated_at FROM org_terms t JOIN orgs o ON o.id = t.org_id";
static const char SQL_TERM_TWIN[] =
	"SELECT COUNT(*) FROM org_terms WHERE org_id = ? AND started_on = ? AND id <> ?";
static const char SQL_TERM_INSERT[] =
	"INSERT INTO org_terms (org_id, started_on, years, note, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_TERM_UPDATE[] =
	"UPDATE org_terms SET started_on = ?, years = ?, note = ?, updated_at = ?,"
	" version = version + 1 WHERE id = ? AND version = ?";

static const char SQL_RULE_COLS[] =
	"SELECT id, rule, subject, value, label, version, updated_at FROM ledger_rules";
static const char SQL_RULE_UPDATE[] =
	"UPDATE ledger_rules SET value = ?, updated_at = ?, version = version + 1"
	" WHERE id = ? AND version = ?";

static const char FLAG_RESERVE[] = "reserve_cadre";

/* ---------------------------------------------------------------- dates */

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

struct ymd ledger_add_months(struct ymd d, int months)
{
	int total = d.y * 12 + (d.m - 1) + months;
	struct ymd out;

	out.y = total / 12;
	out.m = total % 12 + 1;
	out.d = d.d;
	if (out.d > days_in_month(out.y, out.m))
		out.d = days_in_month(out.y, out.m);
	return out;
}

int ledger_ymd_cmp(struct ymd a, struct ymd b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	return a.d < b.d ? -1 : a.d > b.d;
}

enum term_state term_state_on(struct ymd started, int years, int warn_months, struct ymd on,
			      struct ymd *ends, struct ymd *warn_from)
{
	*ends = ledger_add_months(started, years * 12);
	*warn_from = ledger_add_months(*ends, -warn_months);
	if (ledger_ymd_cmp(on, *ends) >= 0)
		return TERM_OVERDUE;
	if (ledger_ymd_cmp(on, *warn_from) >= 0)
		return TERM_DUE_SOON;
	return TERM_OK;
}

/* Codes and labels of term states, indexed by the enum. */
static const struct { const char *code, *label; } term_states[] = {
	[TERM_NONE] = { "none", "未记录换届" },
	[TERM_OK] = { "ok", "任期内" },
	[TERM_DUE_SOON] = { "due_soon", "即将到期" },
	[TERM_OVERDUE] = { "overdue", "逾期未换届" },
};

const char *term_state_code(enum term_state s)
{
	return term_states[s].code;
}

const char *term_state_label(enum term_state s)
{
	return term_states[s].label;
}

void due_eval(struct ymd start, int every, const struct ymd *last, struct ymd on, struct due *out)
{
	int months = (on.y - start.y) * 12 + (on.m - start.m);
	int n = months >= 0 ? months / every : 0;
	struct ymd cur;

	memset(out, 0, sizeof(*out));
	/* n = the periods completed: the largest n with start + n*every <= on */
	while (n > 0 && ledger_ymd_cmp(ledger_add_months(start, n * every), on) > 0)
		n--;
	while (ledger_ymd_cmp(ledger_add_months(start, (n + 1) * every), on) <= 0)
		n++;
	cur = ledger_add_months(start, n * every);	/* the start of the current period */
	if (n >= 1) {
		struct ymd window = ledger_add_months(start, (n - 1) * every);
		if (!last || ledger_ymd_cmp(*last, window) < 0) {
			out->missing = 1;
			out->due_since = cur;
			out->days_overdue = date_to_days(on) - date_to_days(cur);
			out->next_due = cur;
			return;
		}
	}
	/* made within the current period: it already counts for the period's end */
	if (last && ledger_ymd_cmp(*last, cur) >= 0)
		out->next_due = ledger_add_months(start, (n + 2) * every);
	else
		out->next_due = ledger_add_months(start, (n + 1) * every);
}

void ledger_today(char out[16])
{
	date_format(date_today_cn(), out);
}

/* ---------------------------------------------------------------- helpers */

static const struct { const char *code, *label; } reserve_statuses[] = {
	{ "in_pool", "在库" },
	{ "used", "已使用" },
	{ "exited", "已退出" },
};

const char *reserve_status_label(const char *code)
{
	for (size_t i = 0; code && i < sizeof(reserve_statuses) / sizeof(reserve_statuses[0]); i++)
		if (strcmp(reserve_statuses[i].code, code) == 0)
			return reserve_statuses[i].label;
	return NULL;
}

static json_t *text_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_string(db_col_text(st, i));
}

/* A text column, "" for NULL, copied into out. */
static void col_copy(struct db_stmt *st, int i, char *out, size_t len)
{
	snprintf(out, len, "%s", db_col_isnull(st, i) ? "" : db_col_text(st, i));
}

/* An active dictionary item, or the code the record already holds (archived since). */
static int dict_ok(struct db *db, const char *dict, const char *code, const char *old)
{
	int64_t n = 0;

	if (old && *old && strcmp(code, old) == 0)
		return 1;
	db_query_int(db, &n, SQL_DICT_ACTIVE, "ss", dict, code);
	return n > 0;
}

/* A valid "YYYY-MM-DD" not later than today? Adds the field error otherwise. */
static int past_date(const char *s, const char *field, const char *label, struct zb_fail *f)
{
	char today[16];

	ledger_today(today);
	if (date_parse_iso(s, NULL) != 0) {
		zb_fail_field(f, field, "%s应为有效日期（YYYY-MM-DD）", label);
		return 0;
	}
	if (strcmp(s, today) > 0) {
		zb_fail_field(f, field, "%s不能晚于今天", label);
		return 0;
	}
	return 1;
}

/* Whole years between birth and today; -1 if unreadable. */
static int age_today(const char *birth)
{
	struct ymd b, t = date_today_cn();

	if (!birth || date_parse_iso(birth, &b) != 0)
		return -1;
	return t.y - b.y - (t.m < b.m || (t.m == b.m && t.d < b.d));
}

/* Move a field error from one key to another (the people module names its own fields). */
static void rename_field(struct zb_fail *f, const char *from, const char *to)
{
	json_t *v = f->fields ? json_object_get(f->fields, from) : NULL;

	if (!v)
		return;
	json_incref(v);
	json_object_del(f->fields, from);
	if (!json_object_get(f->fields, to))
		json_object_set(f->fields, to, v);
	json_decref(v);
}

int ledger_rule_value(struct db *db, const char *rule, const char *subject, int dflt)
{
	int64_t v = 0;

	if (db_query_int(db, &v, SQL_RULE_VALUE, "ss", rule, subject) != DB_ROW)
		return dflt;
	return (int)v;
}

/* Run an INSERT ... RETURNING id into *id. DB_OK or DB_E*. */
static int insert_returning(struct db_stmt *st, int64_t *id)
{
	int rc;

	if (!st)
		return DB_EGENERIC;
	rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_col_int(st, 0);
	db_finalize(st);
	return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* Run an UPDATE ... WHERE ... AND version = ?: DB_OK, LW_STALE when nothing changed, or DB_E*. */
static int update_versioned(struct db_stmt *st)
{
	int64_t changed;
	int rc;

	if (!st)
		return DB_EGENERIC;
	rc = db_step(st);
	changed = db_changes(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	return changed ? DB_OK : LW_STALE;
}

/* Append an audit row; `after` is stolen. */
static int audit(struct db *db, const struct keys *k, const struct audit_who *who,
		 const char *entity, int64_t id, const char *action, json_t *before, json_t *after)
{
	int rc = after ? audit_append(db, k, who, entity, id, action, before, after) : DB_EGENERIC;

	json_decref(after);
	return rc;
}

/* ---------------------------------------------------------------- query pieces */

void lb_scope(struct arena *a, struct buf *sql, struct db_params *b, const struct scope *s,
	      const char *col)
{
	if (!s)
		return;
	buf_printf(sql, " AND %s", scope_sql(a, s, col));
	/* paths hold digits and slashes only: nothing to escape */
	for (int i = 0; i < s->n; i++)
		db_param_text(b, arena_printf(a, "%s%%", s->paths[i]));
}

/* The status expression, with its parameter. */
static void status_expr(const struct reserve_filter *rf, struct buf *sql, struct db_params *b)
{
	if (rf->as_of) {
		buf_puts(sql, SQL_STATUS_ON);
		db_param_text(b, rf->as_of);
	} else {
		buf_puts(sql, SQL_STATUS_NOW);
	}
}

void reserve_query_sql(struct arena *a, const struct reserve_filter *rf, enum reserve_query q,
		       struct buf *sql, struct db_params *b)
{
	switch (q) {
	case RQ_ROWS:
		buf_puts(sql, SQL_RESERVE_COLS);
		status_expr(rf, sql, b);
		buf_puts(sql, SQL_RESERVE_FROM);
		buf_puts(sql, SQL_RESERVE_LABELS);
		break;
	case RQ_COUNT:
		buf_puts(sql, "SELECT COUNT(*)");
		buf_puts(sql, SQL_RESERVE_FROM);
		break;
	case RQ_BY_STATUS:
		buf_puts(sql, "SELECT ");
		status_expr(rf, sql, b);
		buf_puts(sql, ", COUNT(*)");
		buf_puts(sql, SQL_RESERVE_FROM);
		break;
	}
	buf_printf(sql, " WHERE f.flag = '%s'", FLAG_RESERVE);
	lb_scope(a, sql, b, rf->scope, "o.path");
	if (rf->org_path) {
		buf_puts(sql, " AND o.path LIKE ?");
		db_param_text(b, arena_printf(a, "%s%%", rf->org_path));
	}
	if (rf->name_like) {
		buf_puts(sql, " AND pe.name LIKE ? ESCAPE '!'");
		db_param_text(b, rf->name_like);
	}
	if (rf->source) {
		buf_puts(sql, " AND d.source = ?");
		db_param_text(b, rf->source);
	}
	if (rf->as_of) {
		buf_puts(sql, " AND f.started_on <= ?");
		db_param_text(b, rf->as_of);
	}
	if (rf->status && q != RQ_BY_STATUS) {
		buf_puts(sql, " AND ");
		status_expr(rf, sql, b);
		buf_puts(sql, " = ?");
		db_param_text(b, rf->status);
	}
	if (q == RQ_BY_STATUS)
		buf_puts(sql, " GROUP BY 1");
}

/* ---------------------------------------------------------------- rows as JSON */

json_t *reserve_entry_from_row(struct db_stmt *st)
{
	json_t *j = json_object();
	const char *status = db_col_text(st, 28);
	int out = status && strcmp(status, "in_pool") != 0;
	int age = age_today(db_col_text(st, 4));

	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "person_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "name", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "gender", json_string(db_col_text(st, 3)));
	json_object_set_new(j, "birth_date", json_string(db_col_text(st, 4)));
	json_object_set_new(j, "age", age >= 0 ? json_integer(age) : json_null());
	json_object_set_new(j, "education", text_or_null(st, 5));
	json_object_set_new(j, "education_label", text_or_null(st, 6));
	json_object_set_new(j, "political_status", json_string(db_col_text(st, 7)));
	json_object_set_new(j, "political_status_label", text_or_null(st, 8));
	json_object_set_new(j, "person_status", json_string(db_col_text(st, 9)));
	json_object_set_new(j, "org_id", json_integer(db_col_int(st, 10)));
	json_object_set_new(j, "org_name", json_string(db_col_text(st, 11)));
	json_object_set_new(j, "added_on", json_string(db_col_text(st, 12)));
	json_object_set_new(j, "status", json_string(status ? status : "in_pool"));
	json_object_set_new(j, "status_label", json_string(reserve_status_label(status) ?
							    reserve_status_label(status) : ""));
	json_object_set_new(j, "status_on", out ? text_or_null(st, 13) : json_null());
	json_object_set_new(j, "status_reason", out ? json_string(db_col_isnull(st, 19) ? "" :
								   db_col_text(st, 19)) : json_null());
	json_object_set_new(j, "source", text_or_null(st, 14));
	json_object_set_new(j, "source_label", text_or_null(st, 15));
	json_object_set_new(j, "intended_post", text_or_null(st, 16));
	json_object_set_new(j, "intended_post_label", text_or_null(st, 17));
	json_object_set_new(j, "remarks", json_string(db_col_isnull(st, 20) ? "" : db_col_text(st, 20)));
	json_object_set_new(j, "version", json_integer(db_col_isnull(st, 21) ? 0 : db_col_int(st, 21)));
	json_object_set_new(j, "flag_version", json_integer(db_col_int(st, 22)));
	json_object_set_new(j, "training_count", json_integer(db_col_int(st, 23)));
	json_object_set_new(j, "training_hours", json_integer(db_col_isnull(st, 24) ? 0 :
							      db_col_int(st, 24)));
	json_object_set_new(j, "last_assessed_on", text_or_null(st, 25));
	json_object_set_new(j, "last_rating", text_or_null(st, 26));
	json_object_set_new(j, "last_rating_label", text_or_null(st, 27));
	return j;
}

static json_t *training_from_row(struct db_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:I}",
			 "id", (json_int_t)db_col_int(st, 0), "trained_on", db_col_text(st, 1),
			 "course", db_col_text(st, 2), "hours", (json_int_t)db_col_int(st, 3),
			 "note", db_col_text(st, 4), "version", (json_int_t)db_col_int(st, 5));
}

static json_t *assessment_from_row(struct db_stmt *st)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "person_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "kind", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "kind_label", text_or_null(st, 3));
	json_object_set_new(j, "assessed_on", json_string(db_col_text(st, 4)));
	json_object_set_new(j, "period", json_string(db_col_text(st, 5)));
	json_object_set_new(j, "assessor", json_string(db_col_text(st, 6)));
	json_object_set_new(j, "rating", json_string(db_col_text(st, 7)));
	json_object_set_new(j, "rating_label", text_or_null(st, 8));
	json_object_set_new(j, "remarks", json_string(db_col_text(st, 9)));
	json_object_set_new(j, "version", json_integer(db_col_int(st, 10)));
	json_object_set_new(j, "created_at", json_string(db_col_text(st, 11)));
	json_object_set_new(j, "updated_at", json_string(db_col_text(st, 12)));
	return j;
}

/* Every row of a one-parameter statement, each through fn, into a new array (NULL on error). */
static json_t *rows_json(struct db *db, const char *sql, int64_t param,
			 json_t *(*fn)(struct db_stmt *))
{
	struct db_stmt *st = db_prepare(db, sql);
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	db_bind_int(st, 1, param);
	arr = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, fn(st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *reserve_entry_json(struct db *db, int64_t flag_id, int full)
{
	struct reserve_filter rf = { 0 };
	struct db_params b = { 0 };
	struct arena a;
	struct buf sql;
	struct db_stmt *st;
	json_t *j = NULL;

	arena_init(&a, 0);
	buf_init(&sql, 0);
	reserve_query_sql(&a, &rf, RQ_ROWS, &sql, &b);
	buf_puts(&sql, " AND f.id = ?");
	st = sql.err || b.overflow ? NULL : db_prepare(db, sql.data);
	buf_release(&sql);
	if (st) {
		db_bind_int(st, db_params_bind(st, &b), flag_id);
		if (db_step(st) == DB_ROW)
			j = reserve_entry_from_row(st);
		db_finalize(st);
	}
	arena_release(&a);
	if (j && full) {
		char sql2[sizeof(SQL_ASSESSMENT_COLS) + sizeof(SQL_ASSESSMENTS_OF_FLAG)];
		json_t *training = rows_json(db, SQL_TRAINING_ROWS, flag_id, training_from_row);
		json_t *assessments;

		snprintf(sql2, sizeof(sql2), "%s%s", SQL_ASSESSMENT_COLS, SQL_ASSESSMENTS_OF_FLAG);
		assessments = rows_json(db, sql2, flag_id, assessment_from_row);
		if (!training || !assessments) {
			json_decref(training);
			json_decref(assessments);
			json_decref(j);
			return NULL;
		}
		json_object_set_new(j, "training", training);
		json_object_set_new(j, "assessments", assessments);
	}
	return j;
}

/* What the audit log keeps of an entry's details (NULL when it has none). */
static json_t *details_audit_json(struct db *db, int64_t flag_id)
{
	struct db_stmt *st = db_prepare(db, SQL_DETAILS_AUDIT);
	json_t *j = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, flag_id);
	if (db_step(st) == DB_ROW) {
		j = json_object();
		json_object_set_new(j, "flag_id", json_integer(db_col_int(st, 0)));
		json_object_set_new(j, "source", text_or_null(st, 1));
		json_object_set_new(j, "intended_post", text_or_null(st, 2));
		json_object_set_new(j, "outcome", text_or_null(st, 3));
		json_object_set_new(j, "outcome_reason", json_string(db_col_text(st, 4)));
		json_object_set_new(j, "remarks", json_string(db_col_text(st, 5)));
		json_object_set_new(j, "version", json_integer(db_col_int(st, 6)));
	}
	db_finalize(st);
	return j;
}

/* One row of a "<cols> WHERE x.id = ?" statement through fn, or NULL. */
static json_t *one_json(struct db *db, const char *cols, const char *where, int64_t id,
			json_t *(*fn)(struct db_stmt *))
{
	struct buf sql;
	struct db_stmt *st;
	json_t *j = NULL;

	buf_init(&sql, 0);
	buf_puts(&sql, cols);
	buf_puts(&sql, where);
	st = sql.err ? NULL : db_prepare(db, sql.data);
	buf_release(&sql);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		j = fn(st);
	db_finalize(st);
	return j;
}

json_t *assessment_json(struct db *db, int64_t id)
{
	return one_json(db, SQL_ASSESSMENT_COLS, " WHERE a.id = ?", id, assessment_from_row);
}

static json_t *term_from_row(struct db_stmt *st)
{
	json_t *j = json_object();
	struct ymd s, ends;
	char buf[16] = "";

	if (date_parse_iso(db_col_text(st, 3), &s) == 0) {
		ends = ledger_add_months(s, (int)db_col_int(st, 4) * 12);
		date_format(ends, buf);
	}
	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "org_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "org_name", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "started_on", json_string(db_col_text(st, 3)));
	json_object_set_new(j, "years", json_integer(db_col_int(st, 4)));
	json_object_set_new(j, "ends_on", json_string(buf));
	json_object_set_new(j, "note", json_string(db_col_text(st, 5)));
	json_object_set_new(j, "version", json_integer(db_col_int(st, 6)));
	json_object_set_new(j, "created_at", json_string(db_col_text(st, 7)));
	json_object_set_new(j, "updated_at", json_string(db_col_text(st, 8)));
	return j;
}

json_t *term_json(struct db *db, int64_t id)
{
	return one_json(db, SQL_TERM_COLS, " WHERE t.id = ?", id, term_from_row);
}

const char *ledger_term_cols(void)
{
	return SQL_TERM_COLS;
}

json_t *ledger_term_from_row(struct db_stmt *st)
{
	return term_from_row(st);
}

static json_t *rule_from_row(struct db_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:s}",
			 "id", (json_int_t)db_col_int(st, 0), "rule", db_col_text(st, 1),
			 "subject", db_col_text(st, 2), "value", (json_int_t)db_col_int(st, 3),
			 "label", db_col_text(st, 4), "version", (json_int_t)db_col_int(st, 5),
			 "updated_at", db_col_text(st, 6));
}

json_t *ledger_rule_json(struct db *db, int64_t id)
{
	return one_json(db, SQL_RULE_COLS, " WHERE id = ?", id, rule_from_row);
}

const char *ledger_rule_cols(void)
{
	return SQL_RULE_COLS;
}

json_t *ledger_rule_from_row(struct db_stmt *st)
{
	return rule_from_row(st);
}

const char *ledger_assessment_cols(void)
{
	return SQL_ASSESSMENT_COLS;
}

json_t *ledger_assessment_from_row(struct db_stmt *st)
{
	return assessment_from_row(st);
}

/* ---------------------------------------------------------------- loads */

int branch_ref_load(struct db *db, int64_t id, struct branch_ref *out)
{
	struct db_stmt *st = db_prepare(db, SQL_BRANCH);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		col_copy(st, 1, out->path, sizeof(out->path));
		col_copy(st, 2, out->name, sizeof(out->name));
		col_copy(st, 3, out->kind, sizeof(out->kind));
		col_copy(st, 4, out->category, sizeof(out->category));
		col_copy(st, 5, out->status, sizeof(out->status));
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

static int owner_of(struct db *db, const char *sql, int64_t id, int64_t *owner)
{
	int rc = db_query_int(db, owner, sql, "i", id);

	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int assessment_owner(struct db *db, int64_t id, int64_t *person_id)
{
	return owner_of(db, "SELECT person_id FROM assessments WHERE id = ?", id, person_id);
}

int term_owner(struct db *db, int64_t id, int64_t *org_id)
{
	return owner_of(db, "SELECT org_id FROM org_terms WHERE id = ?", id, org_id);
}

/* ---------------------------------------------------------------- reserve details */

/* The details of an entry as stored. */
struct details_old {
	int exists;
	int64_t version;
	char source[48], intended_post[48], outcome[16];
	char outcome_reason[1024];	/* 200 characters of up to 4 bytes */
	char remarks[2048];		/* 500 characters */
};

static int details_load(struct db *db, int64_t flag_id, struct details_old *o)
{
	struct db_stmt *st = db_prepare(db, SQL_DETAILS_OLD);
	int rc;

	memset(o, 0, sizeof(*o));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, flag_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		o->exists = 1;
		o->version = db_col_int(st, 0);
		col_copy(st, 1, o->source, sizeof(o->source));
		col_copy(st, 2, o->intended_post, sizeof(o->intended_post));
		col_copy(st, 3, o->outcome, sizeof(o->outcome));
		col_copy(st, 4, o->outcome_reason, sizeof(o->outcome_reason));
		col_copy(st, 5, o->remarks, sizeof(o->remarks));
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/*
 * Load the reserve-cadre flag behind an entry: 1 found, 0 (f set: 404) when
 * there is none or the flag is another kind, <0 DB_E*.
 */
static int reserve_flag(struct db *db, int64_t flag_id, struct flag_ref *fl, struct zb_fail *f)
{
	int rc = flag_ref_load(db, flag_id, fl);

	if (rc < 0)
		return rc;
	if (rc == 0 || strcmp(fl->flag, FLAG_RESERVE) != 0) {
		zb_fail_set(f, ZB_ENOTFOUND, "后备干部台账记录不存在");
		return 0;
	}
	return 1;
}

/*
 * Check the details' fields against the flag (NULL: not created yet, so no
 * outcome); `old` tolerates codes archived since.
 */
static void reserve_check(struct db *db, const struct flag_ref *fl, const struct reserve_in *in,
			  const struct details_old *old, struct zb_fail *f)
{
	if (!in->source)
		zb_fail_field(f, "source", "来源不能为空");
	else if (!dict_ok(db, "reserve_source", in->source, old ? old->source : NULL))
		zb_fail_field(f, "source", "来源“%s”不在字典中", in->source);
	if (in->intended_post &&
	    !dict_ok(db, "position", in->intended_post, old ? old->intended_post : NULL))
		zb_fail_field(f, "intended_post", "拟任职务“%s”不在字典中", in->intended_post);
	if (in->outcome) {
		if (!reserve_status_label(in->outcome) || strcmp(in->outcome, "in_pool") == 0)
			zb_fail_field(f, "status", "出库去向应为 used（已使用）或 exited（已退出）");
		else if (!fl || !fl->ended_on[0])
			zb_fail_field(f, "status", "在库人员不能填写出库去向");
	}
	if (in->outcome_reason && utf8_len(in->outcome_reason) > 200)
		zb_fail_field(f, "reason", "原因不能超过200个字");
	if (in->remarks && utf8_len(in->remarks) > 500)
		zb_fail_field(f, "remarks", "备注不能超过500个字");
}

void reserve_details_check(struct db *db, const struct reserve_in *in, struct zb_fail *f)
{
	reserve_check(db, NULL, in, NULL, f);
}

int64_t reserve_details_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			       int64_t flag_id, const struct reserve_in *in, struct zb_fail *f)
{
	struct flag_ref fl;
	struct details_old old;
	char now[24];
	int64_t id = 0;
	int rc = reserve_flag(db, flag_id, &fl, f);

	if (rc <= 0)
		return rc;
	rc = details_load(db, flag_id, &old);
	if (rc != DB_OK)
		return rc;
	if (old.exists) {
		zb_fail_set(f, ZB_ECONFLICT, "该后备干部已有台账信息");
		return 0;
	}
	reserve_check(db, &fl, in, NULL, f);
	if (f->err)
		return 0;
	ts_now(now);
	struct db_stmt *st = db_prepare(db, SQL_DETAILS_INSERT);
	if (st)
		db_bindf(st, "isssssss", flag_id, in->source, in->intended_post, in->outcome,
			 in->outcome_reason ? in->outcome_reason : "", in->remarks ? in->remarks : "",
			 now, now);
	rc = insert_returning(st, &id);
	if (rc == DB_OK)
		rc = audit(db, k, who, "reserve_entry", flag_id, "create", NULL,
			   details_audit_json(db, flag_id));
	return rc == DB_OK ? id : rc;
}

/* Write the details row (insert when none): DB_OK, LW_STALE or DB_E*; audited as `action`. */
static int details_write(struct db *db, const struct keys *k, const struct audit_who *who,
			 int64_t flag_id, int64_t version, const struct details_old *old,
			 const struct reserve_in *in, const char *action)
{
	json_t *before = old->exists ? details_audit_json(db, flag_id) : json_null();
	struct db_stmt *st;
	char now[24];
	int rc;

	ts_now(now);
	if (old->exists) {
		st = db_prepare(db, SQL_DETAILS_UPDATE);
		if (st)
			db_bindf(st, "ssssssii", in->source, in->intended_post, in->outcome,
				 in->outcome_reason ? in->outcome_reason : "",
				 in->remarks ? in->remarks : "", now, flag_id, version);
		rc = update_versioned(st);
	} else {
		int64_t id = 0;
		st = db_prepare(db, SQL_DETAILS_INSERT);
		if (st)
			db_bindf(st, "isssssss", flag_id, in->source, in->intended_post, in->outcome,
				 in->outcome_reason ? in->outcome_reason : "",
				 in->remarks ? in->remarks : "", now, now);
		rc = insert_returning(st, &id);
	}
	if (rc == DB_OK)
		rc = audit(db, k, who, "reserve_entry", flag_id, action,
			   json_is_null(before) ? NULL : before, details_audit_json(db, flag_id));
	json_decref(before);
	return rc;
}

/* The version stated must be the details' (0 while there are none). */
static int version_current(const struct details_old *old, int64_t version)
{
	return old->exists ? old->version == version : version == 0;
}

/* Map flag_set_period's refusal onto the entry's fields: LW_INVALID or LW_STALE. */
static int period_refused(struct zb_fail *f, const char *start_field, const char *end_field)
{
	if (f->err == ZB_ECONFLICT) {
		zb_fail_release(f);
		zb_fail_init(f);
		return LW_STALE;
	}
	rename_field(f, "started_on", start_field);
	rename_field(f, "ended_on", end_field);
	return LW_INVALID;
}

int reserve_update(struct db *db, const struct keys *k, const struct audit_who *who,
		   int64_t flag_id, int64_t version, const char *added_on,
		   const struct reserve_in *in, struct zb_fail *f)
{
	struct flag_ref fl;
	struct details_old old;
	struct reserve_in v = *in;
	int rc = reserve_flag(db, flag_id, &fl, f);

	if (rc <= 0)
		return rc < 0 ? rc : LW_INVALID;
	rc = details_load(db, flag_id, &old);
	if (rc != DB_OK)
		return rc;
	/* the outcome belongs to the status call */
	v.outcome = old.outcome[0] ? old.outcome : NULL;
	v.outcome_reason = old.outcome_reason;
	reserve_check(db, &fl, &v, &old, f);
	if (added_on && strcmp(added_on, fl.started_on) != 0 &&
	    past_date(added_on, "added_on", "入库日期", f)) {
		char first[16] = "";
		struct db_stmt *st = db_prepare(db, SQL_TRAINING_BEFORE);

		if (st) {
			db_bind_int(st, 1, flag_id);
			if (db_step(st) == DB_ROW)
				col_copy(st, 0, first, sizeof(first));
			db_finalize(st);
		}
		if (first[0] && strcmp(first, added_on) < 0)
			zb_fail_field(f, "added_on", "入库日期不能晚于已有的培训日期（%s）", first);
	}
	if (f->err)
		return LW_INVALID;
	if (!version_current(&old, version))
		return LW_STALE;
	if (added_on && strcmp(added_on, fl.started_on) != 0) {
		rc = flag_set_period(db, k, who, flag_id, fl.version, added_on,
				     fl.ended_on[0] ? fl.ended_on : NULL, f);
		if (rc == 1)
			return period_refused(f, "added_on", "added_on");
		if (rc != DB_OK)
			return rc;
	}
	return details_write(db, k, who, flag_id, version, &old, &v, "update");
}

int reserve_set_status(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t flag_id, int64_t version, const char *status, const char *date,
		       const char *reason, struct zb_fail *f)
{
	struct flag_ref fl;
	struct details_old old;
	struct reserve_in v;
	int reopen = 0;
	int rc = reserve_flag(db, flag_id, &fl, f);

	if (rc <= 0)
		return rc < 0 ? rc : LW_INVALID;
	rc = details_load(db, flag_id, &old);
	if (rc != DB_OK)
		return rc;
	if (!status || !reserve_status_label(status)) {
		zb_fail_field(f, "status", "状态应为 in_pool（在库）、used（已使用）或 exited（已退出）");
	} else if (strcmp(status, "in_pool") == 0) {
		reopen = 1;
		if (date)
			zb_fail_field(f, "date", "重新入库不需要填写日期");
		if (reason)
			zb_fail_field(f, "reason", "重新入库不需要填写原因");
		if (!f->err && !fl.ended_on[0]) {
			zb_fail_set(f, ZB_ECONFLICT, "该人员已在后备干部库中");
			return LW_INVALID;
		}
	} else {
		if (!date)
			zb_fail_field(f, "date", "日期不能为空");
		else if (past_date(date, "date", "日期", f) && strcmp(date, fl.started_on) < 0)
			zb_fail_field(f, "date", "日期不能早于入库日期（%s）", fl.started_on);
		if (!reason)
			zb_fail_field(f, "reason", "原因不能为空");
		else if (utf8_len(reason) > 200)
			zb_fail_field(f, "reason", "原因不能超过200个字");
		if (date && !f->err) {
			char last[16] = "";
			struct db_stmt *st = db_prepare(db, SQL_TRAINING_LAST);
			if (st) {
				db_bind_int(st, 1, flag_id);
				if (db_step(st) == DB_ROW)
					col_copy(st, 0, last, sizeof(last));
				db_finalize(st);
			}
			if (last[0] && strcmp(last, date) > 0)
				zb_fail_field(f, "date", "日期不能早于已有的培训日期（%s）", last);
		}
	}
	if (f->err)
		return LW_INVALID;
	if (!version_current(&old, version))
		return LW_STALE;
	rc = flag_set_period(db, k, who, flag_id, fl.version, fl.started_on, reopen ? NULL : date, f);
	if (rc == 1)
		return period_refused(f, "date", "date");
	if (rc != DB_OK)
		return rc;
	memset(&v, 0, sizeof(v));
	v.source = old.source[0] ? old.source : NULL;
	v.intended_post = old.intended_post[0] ? old.intended_post : NULL;
	v.remarks = old.remarks;
	v.outcome = reopen ? NULL : status;
	v.outcome_reason = reopen ? "" : reason;
	return details_write(db, k, who, flag_id, version, &old, &v, "status");
}

/* What the audit log keeps of a training record (SQL_TRAINING_ONE). */
static json_t *training_audit_row(struct db_stmt *st)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:I}",
			 "id", (json_int_t)db_col_int(st, 0), "flag_id", (json_int_t)db_col_int(st, 1),
			 "trained_on", db_col_text(st, 2), "course", db_col_text(st, 3),
			 "hours", (json_int_t)db_col_int(st, 4), "note", db_col_text(st, 5),
			 "version", (json_int_t)db_col_int(st, 6));
}

int64_t reserve_training_insert(struct db *db, const struct keys *k, const struct audit_who *who,
				int64_t flag_id, const char *trained_on, const char *course,
				int64_t hours, const char *note, struct zb_fail *f)
{
	struct flag_ref fl;
	struct db_stmt *st;
	char now[24];
	int64_t id = 0;
	int rc = reserve_flag(db, flag_id, &fl, f);

	if (rc <= 0)
		return rc;
	if (!trained_on)
		zb_fail_field(f, "trained_on", "培训日期不能为空");
	else if (past_date(trained_on, "trained_on", "培训日期", f)) {
		if (strcmp(trained_on, fl.started_on) < 0)
			zb_fail_field(f, "trained_on", "培训日期不能早于入库日期（%s）", fl.started_on);
		else if (fl.ended_on[0] && strcmp(trained_on, fl.ended_on) > 0)
			zb_fail_field(f, "trained_on", "培训日期不能晚于出库日期（%s）", fl.ended_on);
	}
	if (!course)
		zb_fail_field(f, "course", "培训内容不能为空");
	else if (utf8_len(course) > 100)
		zb_fail_field(f, "course", "培训内容不能超过100个字");
	if (hours < 1 || hours > 1000)
		zb_fail_field(f, "hours", "学时应在1到1000之间");
	if (note && utf8_len(note) > 200)
		zb_fail_field(f, "note", "备注不能超过200个字");
	if (f->err)
		return 0;
	ts_now(now);
	st = db_prepare(db, SQL_TRAINING_INSERT);
	if (st)
		db_bindf(st, "ississs", flag_id, trained_on, course, hours, note ? note : "", now, now);
	rc = insert_returning(st, &id);
	if (rc == DB_OK)
		rc = audit(db, k, who, "reserve_training", id, "create", NULL,
			   one_json(db, SQL_TRAINING_ONE, "", id, training_audit_row));
	return rc == DB_OK ? id : rc;
}

/* ---------------------------------------------------------------- assessments */

/*
 * Check an assessment of person_id: a kind that has an assessment rule, a
 * real past date on which the person held that flag, an assessor, a rating
 * from the dictionary, short texts, and no second one of the kind that day.
 * `old_rating` tolerates an archived rating already stored.
 */
static void assessment_check(struct db *db, int64_t person_id, int64_t self,
			     const struct assessment_in *in, const char *old_rating,
			     struct zb_fail *f)
{
	int64_t n = 0;
	int kind_ok = 0, date_ok = 0;

	if (!in->kind) {
		zb_fail_field(f, "kind", "考核类别不能为空");
	} else {
		db_query_int(db, &n, SQL_ASSESSED_KIND, "s", in->kind);
		kind_ok = n > 0;
		if (!kind_ok)
			zb_fail_field(f, "kind", "考核类别应为 selected_graduate（选调生）、"
				      "returned_graduate（回村任职大学生）或 reserve_cadre（后备干部）");
	}
	if (!in->assessed_on)
		zb_fail_field(f, "assessed_on", "考核日期不能为空");
	else
		date_ok = past_date(in->assessed_on, "assessed_on", "考核日期", f);
	if (kind_ok && date_ok) {
		n = 0;
		db_query_int(db, &n, SQL_HELD_ON, "isss", person_id, in->kind, in->assessed_on,
			     in->assessed_on);
		if (n == 0) {
			struct db_stmt *st = db_prepare(db, SQL_FLAG_LABEL);
			char label[64] = "";
			if (st) {
				db_bind_text(st, 1, in->kind);
				if (db_step(st) == DB_ROW)
					col_copy(st, 0, label, sizeof(label));
				db_finalize(st);
			}
			zb_fail_field(f, "assessed_on", "该人员在%s不是%s，不能登记此类考核",
				      in->assessed_on, label[0] ? label : in->kind);
		} else {
			n = 0;
			db_query_int(db, &n, SQL_ASSESSMENT_TWIN, "issi", person_id, in->kind,
				     in->assessed_on, self);
			if (n > 0)
				zb_fail_field(f, "assessed_on", "该人员在这一天已有同类考核记录");
		}
	}
	if (!in->assessor)
		zb_fail_field(f, "assessor", "考核人不能为空");
	else if (utf8_len(in->assessor) > 50)
		zb_fail_field(f, "assessor", "考核人不能超过50个字");
	if (!in->rating)
		zb_fail_field(f, "rating", "考核等次不能为空");
	else if (!dict_ok(db, "assessment_rating", in->rating, old_rating))
		zb_fail_field(f, "rating", "考核等次“%s”不在字典中", in->rating);
	if (in->period && utf8_len(in->period) > 30)
		zb_fail_field(f, "period", "考核期间不能超过30个字");
	if (in->remarks && utf8_len(in->remarks) > 500)
		zb_fail_field(f, "remarks", "考核意见不能超过500个字");
}

int64_t assessment_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			  int64_t person_id, const struct assessment_in *in, struct zb_fail *f)
{
	struct person_where p;
	struct db_stmt *st;
	char now[24];
	int64_t id = 0;
	int rc = person_where_load(db, person_id, &p);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		zb_fail_set(f, ZB_ENOTFOUND, "人员不存在");
		return 0;
	}
	assessment_check(db, person_id, 0, in, NULL, f);
	if (f->err)
		return 0;
	ts_now(now);
	st = db_prepare(db, SQL_ASSESSMENT_INSERT);
	if (st)
		db_bindf(st, "issssssss", person_id, in->kind, in->assessed_on,
			 in->period ? in->period : "", in->assessor, in->rating,
			 in->remarks ? in->remarks : "", now, now);
	rc = insert_returning(st, &id);
	if (rc == DB_OK)
		rc = audit(db, k, who, "assessment", id, "create", NULL, assessment_json(db, id));
	return rc == DB_OK ? id : rc;
}

int assessment_update(struct db *db, const struct keys *k, const struct audit_who *who,
		      int64_t id, int64_t version, const struct assessment_in *in,
		      struct zb_fail *f)
{
	struct db_stmt *st = db_prepare(db, SQL_ASSESSMENT_OLD);
	char now[24], rating[48] = "";
	int64_t person_id = 0;
	json_t *before;
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		person_id = db_col_int(st, 0);
		col_copy(st, 2, rating, sizeof(rating));
	}
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? LW_STALE : rc;
	assessment_check(db, person_id, id, in, rating, f);
	if (f->err)
		return LW_INVALID;
	before = assessment_json(db, id);
	ts_now(now);
	st = db_prepare(db, SQL_ASSESSMENT_UPDATE);
	if (st)
		db_bindf(st, "sssssssii", in->kind, in->assessed_on, in->period ? in->period : "",
			 in->assessor, in->rating, in->remarks ? in->remarks : "", now, id, version);
	rc = update_versioned(st);
	if (rc == DB_OK)
		rc = audit(db, k, who, "assessment", id, "update", before, assessment_json(db, id));
	json_decref(before);
	return rc;
}

/* ---------------------------------------------------------------- terms */

int ledger_term_years(struct db *db, const char *category)
{
	int d = ledger_rule_value(db, "term_years", "default", 3);

	return category && *category ? ledger_rule_value(db, "term_years", category, d) : d;
}

/*
 * Check a term: the org is a branch or general branch (active, unless the
 * term is already recorded for it), a real past start date not yet recorded
 * for the org, 1-10 years, a short note.
 */
static void term_check(struct db *db, const struct branch_ref *o, int64_t self, int update,
		       const char *started_on, int years, const char *note, struct zb_fail *f)
{
	if (strcmp(o->kind, "branch") != 0 && strcmp(o->kind, "general_branch") != 0)
		zb_fail_field(f, "org_id", "只有党支部和党总支需要记录换届");
	else if (!update && strcmp(o->status, "active") != 0)
		zb_fail_field(f, "org_id", "该组织已归档");
	if (!started_on) {
		zb_fail_field(f, "started_on", "换届日期不能为空");
	} else if (past_date(started_on, "started_on", "换届日期", f)) {
		int64_t n = 0;
		db_query_int(db, &n, SQL_TERM_TWIN, "isi", o->id, started_on, self);
		if (n > 0)
			zb_fail_field(f, "started_on", "该组织在这一天已有换届记录");
	}
	if (years < 1 || years > 10)
		zb_fail_field(f, "years", "任期应在1到10年之间");
	if (note && utf8_len(note) > 200)
		zb_fail_field(f, "note", "备注不能超过200个字");
}

int64_t term_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t org_id, const char *started_on, int years, const char *note,
		    struct zb_fail *f)
{
	struct branch_ref o;
	struct db_stmt *st;
	char now[24];
	int64_t id = 0;
	int rc = branch_ref_load(db, org_id, &o);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		zb_fail_field(f, "org_id", "组织不存在");
		return 0;
	}
	if (years == 0)
		years = ledger_term_years(db, o.category);
	term_check(db, &o, 0, 0, started_on, years, note, f);
	if (f->err)
		return 0;
	ts_now(now);
	st = db_prepare(db, SQL_TERM_INSERT);
	if (st)
		db_bindf(st, "isisss", org_id, started_on, (int64_t)years, note ? note : "", now, now);
	rc = insert_returning(st, &id);
	if (rc == DB_OK)
		rc = audit(db, k, who, "org_term", id, "create", NULL, term_json(db, id));
	return rc == DB_OK ? id : rc;
}

int term_update(struct db *db, const struct keys *k, const struct audit_who *who,
		int64_t id, int64_t version, const char *started_on, int years, const char *note,
		struct zb_fail *f)
{
	struct branch_ref o;
	struct db_stmt *st;
	char now[24];
	int64_t org_id = 0;
	json_t *before;
	int rc = term_owner(db, id, &org_id);

	if (rc != 1)
		return rc == 0 ? LW_STALE : rc;
	rc = branch_ref_load(db, org_id, &o);
	if (rc != 1)
		return rc == 0 ? DB_EGENERIC : rc;
	term_check(db, &o, id, 1, started_on, years, note, f);
	if (f->err)
		return LW_INVALID;
	before = term_json(db, id);
	ts_now(now);
	st = db_prepare(db, SQL_TERM_UPDATE);
	if (st)
		db_bindf(st, "sissii", started_on, (int64_t)years, note ? note : "", now, id, version);
	rc = update_versioned(st);
	if (rc == DB_OK)
		rc = audit(db, k, who, "org_term", id, "update", before, term_json(db, id));
	json_decref(before);
	return rc;
}

/* ---------------------------------------------------------------- rules */

/* The values each rule accepts. */
static const struct { const char *rule; int64_t min, max; const char *what; } rule_ranges[] = {
	{ "assessment_months", 1, 60, "考核周期应在1到60个月之间" },
	{ "term_years", 1, 10, "任期应在1到10年之间" },
	{ "term_warning_months", 0, 24, "提前提醒应在0到24个月之间" },
};

int ledger_rule_update(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t id, int64_t version, int64_t value, struct zb_fail *f)
{
	json_t *before = ledger_rule_json(db, id);
	const char *rule = before ? json_string_value(json_object_get(before, "rule")) : NULL;
	struct db_stmt *st;
	char now[24];
	int rc;

	if (!before)
		return LW_STALE;
	for (size_t i = 0; i < sizeof(rule_ranges) / sizeof(rule_ranges[0]); i++)
		if (rule && strcmp(rule, rule_ranges[i].rule) == 0 &&
		    (value < rule_ranges[i].min || value > rule_ranges[i].max))
			zb_fail_field(f, "value", "%s", rule_ranges[i].what);
	if (f->err) {
		json_decref(before);
		return LW_INVALID;
	}
	ts_now(now);
	st = db_prepare(db, SQL_RULE_UPDATE);
	if (st)
		db_bindf(st, "isii", value, now, id, version);
	rc = update_versioned(st);
	if (rc == DB_OK)
		rc = audit(db, k, who, "ledger_rule", id, "update", before, ledger_rule_json(db, id));
	json_decref(before);
	return rc;
}
