/* training.c - training classes, sessions and attendance: the module's SQL, checks and audited writes. */
#include <string.h>
#include "training.h"
#include "training_internal.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_CLASS_INSERT[] =
	"INSERT INTO training_classes (org_id, title, year, audience, start_on, end_on, created_at,"
	" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_CLASS_UPDATE[] =
	"UPDATE training_classes SET title = ?, year = ?, audience = ?, start_on = ?, end_on = ?,"
	" updated_at = ?, version = version + 1 WHERE id = ? AND version = ?";
static const char SQL_CLASS_REF[] =
	"SELECT c.id, c.org_id, c.year, o.path, c.start_on, c.end_on FROM training_classes c"
	" JOIN orgs o ON o.id = c.org_id WHERE c.id = ?";
static const char SQL_CLASS_ROW[] =
	"SELECT c.id, c.org_id, o.name, c.title, c.year, c.audience, c.start_on, c.end_on,"
	" c.version, c.created_at, c.updated_at FROM training_classes c"
	" JOIN orgs o ON o.id = c.org_id WHERE c.id = ?";
static const char SQL_SESSIONS_OUTSIDE[] =
	"SELECT COUNT(*) FROM training_sessions WHERE class_id = ? AND (held_on < ? OR held_on > ?)";
static const char SQL_SESSION_COLS[] =
	"SELECT s.id, s.class_id, s.held_on, s.topic, s.lecturer, s.place, s.makeup_of, s.version,"
	" (SELECT COUNT(*) FROM training_attendance a WHERE a.session_id = s.id)"
	" FROM training_sessions s";
static const char SQL_SESSION_INSERT[] =
	"INSERT INTO training_sessions (class_id, held_on, topic, lecturer, place, makeup_of,"
	" created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_SESSION_UPDATE[] =
	"UPDATE training_sessions SET held_on = ?, topic = ?, lecturer = ?, place = ?,"
	" makeup_of = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?";
static const char SQL_SESSION_CLASS[] = "SELECT class_id FROM training_sessions WHERE id = ?";
static const char SQL_SESSION_TARGET[] =
	"SELECT class_id, held_on, makeup_of FROM training_sessions WHERE id = ?";
static const char SQL_SESSION_MADE_UP[] =
	"SELECT COUNT(*) FROM training_sessions WHERE makeup_of = ?";
static const char SQL_SESSION_BUMP[] =
	"UPDATE training_sessions SET version = version + 1, updated_at = ? WHERE id = ?"
	" AND version = ?";
static const char SQL_ATTENDANCE_IDS[] =
	"SELECT person_id FROM training_attendance WHERE session_id = ? ORDER BY person_id";
static const char SQL_ATTENDANCE_INSERT[] =
	"INSERT INTO training_attendance (session_id, person_id) VALUES (?, ?)";

/* ---------------------------------------------------------------- small steps */

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

/* Run an UPDATE ... AND version = ?: DB_OK, TW_STALE when nothing changed, or DB_E*. */
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
	return changed ? DB_OK : TW_STALE;
}

/* Append an audit row; `after` is stolen. */
static int audit(struct db *db, const struct keys *k, const struct audit_who *who,
		 const char *entity, int64_t id, const char *action, const json_t *before,
		 json_t *after)
{
	int rc = after ? audit_append(db, k, who, entity, id, action, before, after) : DB_EGENERIC;

	json_decref(after);
	return rc;
}

static json_t *text_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_string(db_col_text(st, i));
}

/* ---------------------------------------------------------------- visibility */

void tb_visible(struct arena *a, struct buf *sql, struct db_params *b, const char *col,
		const char *path)
{
	buf_printf(sql, "(%s LIKE ? OR CAST(? AS TEXT) LIKE (%s || '%%'))", col, col);
	db_param_text(b, arena_printf(a, "%s%%", path));
	db_param_text(b, path);
}

void tb_visible_scope(struct arena *a, struct buf *sql, struct db_params *b, const char *col,
		      const struct scope *s)
{
	if (s->n == 0) {
		buf_puts(sql, "1=0");
		return;
	}
	buf_puts(sql, "(");
	for (int i = 0; i < s->n; i++) {
		if (i)
			buf_puts(sql, " OR ");
		tb_visible(a, sql, b, col, s->paths[i]);
	}
	buf_puts(sql, ")");
}

/* ---------------------------------------------------------------- loads and JSON */

int tclass_load(struct db *db, int64_t id, struct tclass_ref *out)
{
	struct db_stmt *st = db_prepare(db, SQL_CLASS_REF);
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "i", id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		out->org_id = db_col_int(st, 1);
		out->year = db_col_int(st, 2);
		snprintf(out->org_path, sizeof(out->org_path), "%s", db_col_text(st, 3));
		snprintf(out->start_on, sizeof(out->start_on), "%s", db_col_text(st, 4));
		snprintf(out->end_on, sizeof(out->end_on), "%s", db_col_text(st, 5));
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc < 0 ? rc : DB_EGENERIC;
}

int tsession_class(struct db *db, int64_t id, int64_t *class_id)
{
	int rc = db_query_int(db, class_id, SQL_SESSION_CLASS, "i", id);

	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

static json_t *session_from_row(struct db_stmt *st)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "class_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "held_on", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "topic", json_string(db_col_text(st, 3)));
	json_object_set_new(j, "lecturer", text_or_null(st, 4));
	json_object_set_new(j, "place", text_or_null(st, 5));
	json_object_set_new(j, "makeup_of", db_col_isnull(st, 6) ? json_null() :
			    json_integer(db_col_int(st, 6)));
	json_object_set_new(j, "makeup", json_boolean(!db_col_isnull(st, 6)));
	json_object_set_new(j, "version", json_integer(db_col_int(st, 7)));
	json_object_set_new(j, "present", json_integer(db_col_int(st, 8)));
	return j;
}

json_t *tsession_json(struct db *db, int64_t id)
{
	char sql[512];
	struct db_stmt *st;
	json_t *j = NULL;

	snprintf(sql, sizeof(sql), "%s WHERE s.id = ?", SQL_SESSION_COLS);
	st = db_prepare(db, sql);
	if (!st)
		return NULL;
	db_bindf(st, "i", id);
	if (db_step(st) == DB_ROW)
		j = session_from_row(st);
	db_finalize(st);
	return j;
}

/* The class's sessions in date order, or NULL on a database error. */
static json_t *sessions_of(struct db *db, int64_t class_id)
{
	char sql[512];
	struct db_stmt *st;
	json_t *a;
	int rc;

	snprintf(sql, sizeof(sql), "%s WHERE s.class_id = ? ORDER BY s.held_on, s.id",
		 SQL_SESSION_COLS);
	st = db_prepare(db, sql);
	if (!st)
		return NULL;
	db_bindf(st, "i", class_id);
	a = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(a, session_from_row(st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *tclass_json(struct db *db, int64_t id, int full)
{
	struct db_stmt *st = db_prepare(db, SQL_CLASS_ROW);
	json_t *j = NULL, *sessions;
	int64_t regular = 0, makeup = 0;

	if (!st)
		return NULL;
	db_bindf(st, "i", id);
	if (db_step(st) == DB_ROW)
		j = json_pack("{s:I, s:I, s:s, s:s, s:I, s:o, s:s, s:s, s:I, s:s, s:s}",
			      "id", (json_int_t)db_col_int(st, 0),
			      "org_id", (json_int_t)db_col_int(st, 1),
			      "org_name", db_col_text(st, 2), "title", db_col_text(st, 3),
			      "year", (json_int_t)db_col_int(st, 4), "audience", text_or_null(st, 5),
			      "start_on", db_col_text(st, 6), "end_on", db_col_text(st, 7),
			      "version", (json_int_t)db_col_int(st, 8),
			      "created_at", db_col_text(st, 9), "updated_at", db_col_text(st, 10));
	db_finalize(st);
	if (!j)
		return NULL;
	sessions = sessions_of(db, id);
	if (!sessions) {
		json_decref(j);
		return NULL;
	}
	for (size_t i = 0; i < json_array_size(sessions); i++) {
		if (json_is_true(json_object_get(json_array_get(sessions, i), "makeup")))
			makeup++;
		else
			regular++;
	}
	json_object_set_new(j, "session_count", json_integer(regular));
	json_object_set_new(j, "makeup_count", json_integer(makeup));
	if (full)
		json_object_set_new(j, "sessions", sessions);
	else
		json_decref(sessions);
	return j;
}

/* ---------------------------------------------------------------- checks */

/* The date checks of a class: both within `year`, the end not before the start. */
static void class_dates_check(const struct training_class_in *in, struct zb_fail *f)
{
	struct ymd s, e;
	int s_ok = in->start_on && date_parse_iso(in->start_on, &s) == 0;
	int e_ok = in->end_on && date_parse_iso(in->end_on, &e) == 0;

	if (!in->start_on)
		zb_fail_field(f, "start_on", "开始日期不能为空");
	else if (!s_ok)
		zb_fail_field(f, "start_on", "开始日期应为有效日期（YYYY-MM-DD）");
	else if (in->year && s.y != in->year)
		zb_fail_field(f, "start_on", "开始日期应在培训年度（%lld年）内", (long long)in->year);
	if (!in->end_on)
		zb_fail_field(f, "end_on", "结束日期不能为空");
	else if (!e_ok)
		zb_fail_field(f, "end_on", "结束日期应为有效日期（YYYY-MM-DD）");
	else if (s_ok && strcmp(in->end_on, in->start_on) < 0)
		zb_fail_field(f, "end_on", "结束日期不能早于开始日期");
	else if (in->year && e.y != in->year)
		zb_fail_field(f, "end_on", "结束日期应在培训年度（%lld年）内", (long long)in->year);
}

static void class_text_check(const struct training_class_in *in, struct zb_fail *f)
{
	if (!in->title || !*in->title)
		zb_fail_field(f, "title", "培训班名称不能为空");
	else if (utf8_len(in->title) > 200)
		zb_fail_field(f, "title", "培训班名称不能超过200个字");
	if (in->year < 2000 || in->year > 2100)
		zb_fail_field(f, "year", "年度应在2000至2100之间");
}

int64_t training_class_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			      const struct training_class_in *in, struct zb_fail *f)
{
	struct org o;
	struct db_stmt *st;
	char now[24];
	int64_t id = 0;
	int rc = in->org_id > 0 ? org_load(db, in->org_id, &o) : 0;

	if (rc < 0)
		return rc;
	if (rc == 0)
		zb_fail_field(f, "org_id", "组织不存在");
	else if (strcmp(o.status, "active") != 0)
		zb_fail_field(f, "org_id", "该组织已撤销");
	class_text_check(in, f);
	class_dates_check(in, f);
	if (f->err)
		return 0;
	ts_now(now);
	st = db_prepare(db, SQL_CLASS_INSERT);
	if (st)
		db_bindf(st, "isisssss", in->org_id, in->title, in->year, in->audience, in->start_on,
			 in->end_on, now, now);
	rc = insert_returning(st, &id);
	if (rc == DB_OK)
		rc = audit(db, k, who, "training_class", id, "create", NULL, tclass_json(db, id, 0));
	return rc == DB_OK ? id : rc;
}

int tclass_update(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		  int64_t version, const struct training_class_in *in, struct zb_fail *f)
{
	struct db_stmt *st;
	int64_t outside = 0;
	char now[24];
	json_t *before;
	int rc;

	class_text_check(in, f);
	class_dates_check(in, f);
	if (f->err)
		return TW_INVALID;
	rc = db_query_int(db, &outside, SQL_SESSIONS_OUTSIDE, "iss", id, in->start_on, in->end_on);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	if (outside > 0) {
		zb_fail_field(f, "start_on", "已有%lld个场次不在新的日期范围内，请先调整场次日期",
			      (long long)outside);
		return TW_INVALID;
	}
	before = tclass_json(db, id, 0);
	ts_now(now);
	st = db_prepare(db, SQL_CLASS_UPDATE);
	if (st)
		db_bindf(st, "sissssii", in->title, in->year, in->audience, in->start_on, in->end_on,
			 now, id, version);
	rc = update_versioned(st);
	if (rc == DB_OK)
		rc = audit(db, k, who, "training_class", id, "update", before, tclass_json(db, id, 0));
	json_decref(before);
	return rc;
}

/*
 * The checks of a session of class `c` (self: the session being updated, 0
 * when new): its date within the class's, and a make-up target that is a
 * regular session of the same class held on or before it.
 */
static int session_check(struct db *db, const struct tclass_ref *c, int64_t self,
			 const struct training_session_in *in, struct zb_fail *f)
{
	if (!in->held_on)
		zb_fail_field(f, "held_on", "日期不能为空");
	else if (date_parse_iso(in->held_on, NULL) != 0)
		zb_fail_field(f, "held_on", "日期应为有效日期（YYYY-MM-DD）");
	else if (strcmp(in->held_on, c->start_on) < 0 || strcmp(in->held_on, c->end_on) > 0)
		zb_fail_field(f, "held_on", "场次日期应在培训班日期范围内（%s 至 %s）", c->start_on,
			      c->end_on);
	if (!in->topic || !*in->topic)
		zb_fail_field(f, "topic", "主题不能为空");
	if (in->makeup_of) {
		struct db_stmt *st = db_prepare(db, SQL_SESSION_TARGET);
		int rc, found = 0, same = 0, regular = 0, before = 0;
		int64_t made_up = 0;

		if (!st)
			return DB_EGENERIC;
		db_bindf(st, "i", in->makeup_of);
		rc = db_step(st);
		if (rc == DB_ROW) {
			found = 1;
			same = db_col_int(st, 0) == c->id;
			regular = db_col_isnull(st, 2);
			before = !in->held_on || strcmp(db_col_text(st, 1), in->held_on) <= 0;
		}
		db_finalize(st);
		if (rc != DB_ROW && rc != DB_DONE)
			return rc < 0 ? rc : DB_EGENERIC;
		if (self) {
			rc = db_query_int(db, &made_up, SQL_SESSION_MADE_UP, "i", self);
			if (rc != DB_ROW)
				return rc < 0 ? rc : DB_EGENERIC;
		}
		if (!found || !same)
			zb_fail_field(f, "makeup_of", "被补课的场次不存在或不属于本培训班");
		else if (in->makeup_of == self)
			zb_fail_field(f, "makeup_of", "场次不能补自己");
		else if (!regular)
			zb_fail_field(f, "makeup_of", "补课场次不能再被补课，请选择原场次");
		else if (!before)
			zb_fail_field(f, "makeup_of", "补课日期不能早于被补课的场次");
		else if (made_up > 0)
			zb_fail_field(f, "makeup_of", "该场次已有补课场次，不能改为补课");
	}
	return DB_OK;
}

int64_t training_session_insert(struct db *db, const struct keys *k,
				const struct audit_who *who, int64_t class_id,
				const struct training_session_in *in, struct zb_fail *f)
{
	struct tclass_ref c;
	struct db_stmt *st;
	char now[24];
	int64_t id = 0;
	int rc = tclass_load(db, class_id, &c);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		zb_fail_set(f, ZB_ENOTFOUND, "培训班不存在");
		return 0;
	}
	rc = session_check(db, &c, 0, in, f);
	if (rc < 0)
		return rc;
	if (f->err)
		return 0;
	ts_now(now);
	st = db_prepare(db, SQL_SESSION_INSERT);
	if (st) {
		db_bindf(st, "issss", class_id, in->held_on, in->topic, in->lecturer, in->place);
		if (in->makeup_of)
			db_bind_int(st, 6, in->makeup_of);
		else
			db_bind_null(st, 6);
		db_bind_text(st, 7, now);
		db_bind_text(st, 8, now);
	}
	rc = insert_returning(st, &id);
	if (rc == DB_OK)
		rc = audit(db, k, who, "training_session", id, "create", NULL, tsession_json(db, id));
	return rc == DB_OK ? id : rc;
}

int tsession_update(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		    int64_t version, const struct training_session_in *in, struct zb_fail *f)
{
	struct tclass_ref c;
	struct db_stmt *st;
	int64_t class_id = 0;
	char now[24];
	json_t *before;
	int rc = tsession_class(db, id, &class_id);

	if (rc != 1)
		return rc == 0 ? TW_STALE : rc;
	rc = tclass_load(db, class_id, &c);
	if (rc != 1)
		return rc == 0 ? DB_EGENERIC : rc;
	rc = session_check(db, &c, id, in, f);
	if (rc < 0)
		return rc;
	if (f->err)
		return TW_INVALID;
	before = tsession_json(db, id);
	ts_now(now);
	st = db_prepare(db, SQL_SESSION_UPDATE);
	if (st) {
		db_bindf(st, "ssss", in->held_on, in->topic, in->lecturer, in->place);
		if (in->makeup_of)
			db_bind_int(st, 5, in->makeup_of);
		else
			db_bind_null(st, 5);
		db_bind_text(st, 6, now);
		db_bind_int(st, 7, id);
		db_bind_int(st, 8, version);
	}
	rc = update_versioned(st);
	if (rc == DB_OK)
		rc = audit(db, k, who, "training_session", id, "update", before, tsession_json(db, id));
	json_decref(before);
	return rc;
}

/* ---------------------------------------------------------------- attendance */

/* The ids present at a session, as a JSON array, or NULL on a database error. */
static json_t *present_ids(struct db *db, int64_t session_id)
{
	struct db_stmt *st = db_prepare(db, SQL_ATTENDANCE_IDS);
	json_t *a;
	int rc;

	if (!st)
		return NULL;
	db_bindf(st, "i", session_id);
	a = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(a, json_integer(db_col_int(st, 0)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(a);
		return NULL;
	}
	return a;
}

int tattendance_set(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		    int64_t version, const struct scope *s, const int64_t *ids, size_t n)
{
	struct arena a;
	struct buf sql;
	struct db_stmt *st;
	char now[24];
	json_t *before, *after;
	int64_t changed = 0;
	int rc;

	ts_now(now);
	rc = db_run_changes(db, &changed, SQL_SESSION_BUMP, "sii", now, id, version);
	if (rc != DB_OK)
		return rc;
	if (!changed)
		return TW_STALE;
	before = present_ids(db, id);
	if (!before)
		return DB_EGENERIC;
	/* drop the rows of people inside the scope; others' rows stay */
	arena_init(&a, 0);
	buf_init(&sql, 0);
	buf_printf(&sql, "DELETE FROM training_attendance WHERE session_id = ? AND person_id IN"
		   " (SELECT v.person_id FROM %s v WHERE %s)", people_view_sql(),
		   scope_sql(&a, s, "v.org_path"));
	st = sql.err ? NULL : db_prepare(db, sql.data);
	buf_release(&sql);
	rc = DB_EGENERIC;
	if (st) {
		db_bind_int(st, 1, id);
		scope_bind(st, 2, s);
		rc = db_step(st);
		db_finalize(st);
		rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
	}
	arena_release(&a);
	st = rc == DB_OK ? db_prepare(db, SQL_ATTENDANCE_INSERT) : NULL;
	if (rc == DB_OK && !st)
		rc = DB_EGENERIC;
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, ids[i]);
		rc = db_step(st);
		rc = rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
	}
	if (st)
		db_finalize(st);
	after = rc == DB_OK ? present_ids(db, id) : NULL;
	if (rc == DB_OK) {
		json_t *was = json_pack("{s:o}", "present", before);

		before = NULL;
		rc = audit(db, k, who, "training_attendance", id, "update", was,
			   after ? json_pack("{s:o}", "present", after) : NULL);
		json_decref(was);
	} else {
		json_decref(after);
	}
	json_decref(before);
	return rc;
}

int64_t training_attend_members(struct db *db, const struct keys *k, const struct audit_who *who,
				int64_t session_id, const char *org_path, int64_t limit)
{
	struct buf sql;
	struct db_stmt *st;
	char like[300];
	int64_t added = 0;
	int rc;

	buf_init(&sql, 0);
	buf_printf(&sql, "INSERT INTO training_attendance (session_id, person_id)"
		   " SELECT s.id, v.person_id FROM training_sessions s, %s v WHERE s.id = ?"
		   " AND v.org_path LIKE ? AND v.status = 'active'"
		   " AND v.political_status IN " PEOPLE_PARTY_STATUSES
		   " AND (v.joined_on IS NULL OR v.joined_on <= (SUBSTR(s.held_on, 1, 4) || '-12-31'))"
		   " AND NOT EXISTS (SELECT 1 FROM training_attendance x WHERE x.session_id = s.id"
		   " AND x.person_id = v.person_id)"
		   " ORDER BY v.person_id%s", people_view_sql(), limit > 0 ? " LIMIT ?" : "");
	st = sql.err ? NULL : db_prepare(db, sql.data);
	buf_release(&sql);
	if (!st)
		return DB_EGENERIC;
	snprintf(like, sizeof(like), "%s%%", org_path);
	db_bindf(st, "is", session_id, like);
	if (limit > 0)
		db_bind_int(st, 3, limit);
	rc = db_step(st);
	added = db_changes(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = audit(db, k, who, "training_attendance", session_id, "add", NULL,
		   json_pack("{s:s, s:I}", "org_path", org_path, "added", (json_int_t)added));
	return rc == DB_OK ? added : rc;
}
