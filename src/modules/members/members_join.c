/* members_join.c - joining the Party (发展党员): the step definitions, each person's records and where they stand, the pipeline by stage, recording a step under every rule, the probation extension and voiding a mistaken record. */
#include <stdlib.h>
#include <string.h>
#include "members_internal.h"
#include "../files/files.h"
#include "../meetings/meetings.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

/* The people table is read directly for the few columns people.h has no reader for (name,
 * political status and the joining dates); it is written only by members_person_set. */
static const char SQL_PERSON[] =
	"SELECT pe.name, pe.political_status, pe.joined_on, pe.full_member_on, pe.org_id, o.name,"
	" pe.birth_date, pe.status FROM people pe JOIN orgs o ON o.id = pe.org_id WHERE pe.id = ?";
static const char SQL_RECORDS[] =
	"SELECT r.id, r.step, r.done_on, r.end_on, r.hours, r.meeting_id, r.person1_id, r.person2_id,"
	" r.done_by, r.note, r.version, s.label, s.stage FROM join_records r"
	" JOIN join_steps s ON s.code = r.step WHERE r.person_id = ? AND r.status = 'active'"
	" ORDER BY s.seq, r.done_on, r.id";
static const char SQL_EXT[] =
	"SELECT months, decided_on, note FROM join_extensions WHERE person_id = ?";
static const char SQL_INSERT[] =
	"INSERT INTO join_records (person_id, org_id, step, done_on, end_on, hours, meeting_id,"
	" person1_id, person2_id, done_by, note, created_by, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_EXT_INSERT[] =
	"INSERT INTO join_extensions (person_id, months, decided_on, meeting_id, note, created_by, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_REC_ONE[] =
	"SELECT person_id, step, version FROM join_records WHERE id = ? AND status = 'active'";
static const char SQL_VOID[] =
	"UPDATE join_records SET status = 'voided', void_reason = ?, version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ? AND status = 'active'";

/* A person's records, loaded for the rules; strings in the arena. */
struct recs {
	struct join_rec *v;
	size_t n;
	int ext_months;
};

static int recs_load(struct db *db, struct arena *a, int64_t person_id, struct recs *out)
{
	struct db_stmt *st = db_prepare(db, SQL_RECORDS);
	size_t cap = 64;
	int rc;
	int64_t ext = 0;

	memset(out, 0, sizeof(*out));
	if (!st)
		return DB_EGENERIC;
	out->v = arena_alloc(a, cap * sizeof(*out->v));
	db_bind_int(st, 1, person_id);
	while ((rc = db_step(st)) == DB_ROW) {
		if (out->n == cap)
			continue;	/* more than 64 active records: the rest repeat assessments */
		out->v[out->n].step = arena_strdup(a, db_col_text(st, 1));
		out->v[out->n].done_on = arena_strdup(a, db_col_text(st, 2));
		out->n++;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = db_query_int(db, &ext, "SELECT months FROM join_extensions WHERE person_id = ?", "i", person_id);
	out->ext_months = (int)ext;
	return rc < 0 ? rc : DB_OK;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* {id, name} of a person, or null. */
static json_t *person_ref_json(struct db *db, struct arena *a, struct db_stmt *st, int i)
{
	if (db_col_isnull(st, i))
		return NULL;
	return json_pack("{s:I, s:s}", "id", (json_int_t)db_col_int(st, i), "name",
			 members_person_name(db, a, db_col_int(st, i)));
}

json_t *join_person_json(struct db *db, struct arena *a, int64_t person_id)
{
	struct join_def *defs = NULL;
	long nd = join_defs_load(db, &defs);
	struct recs rs;
	struct join_state js;
	struct db_stmt *st;
	json_t *j = NULL, *records, *ext = json_null();
	char today[11];
	int rc;

	if (nd < 0 || recs_load(db, a, person_id, &rs) != DB_OK)
		goto out;
	st = db_prepare(db, SQL_PERSON);
	if (!st)
		goto out;
	db_bind_int(st, 1, person_id);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		goto out;
	}
	members_today(today);
	join_state_of(defs, (size_t)nd, rs.v, rs.n, rs.ext_months, &js);
	j = json_object();
	json_object_set_new(j, "person_id", json_integer(person_id));
	json_object_set_new(j, "name", json_string(db_col_text(st, 0)));
	json_object_set_new(j, "political_status", json_string(db_col_text(st, 1)));
	json_object_set_new(j, "joined_on", str_or_null(db_col_text(st, 2)));
	json_object_set_new(j, "full_member_on", str_or_null(db_col_text(st, 3)));
	json_object_set_new(j, "org_id", json_integer(db_col_int(st, 4)));
	json_object_set_new(j, "org_name", json_string(db_col_text(st, 5)));
	json_object_set_new(j, "birth_date", json_string(db_col_text(st, 6)));
	json_object_set_new(j, "standing_years",
			    db_col_text(st, 3) ? json_integer(years_between(db_col_text(st, 3), today)) : json_null());
	db_finalize(st);
	json_object_set_new(j, "stage", str_or_null(js.stage));
	json_object_set_new(j, "stage_label", str_or_null(join_stage_label(js.stage)));
	json_object_set_new(j, "probation_end", str_or_null(js.probation_end));
	json_object_set_new(j, "next", js.next ? json_pack("{s:s, s:s, s:o, s:o, s:s, s:b, s:b}", "step", js.next->code,
							   "label", js.next->label, "due_from", str_or_null(js.due_from),
							   "due_by", str_or_null(js.due_by), "rule", js.next->rule,
							   "overdue", js.due_by[0] && strcmp(js.due_by, today) < 0,
							   "upper", js.next->upper)
					 : json_null());
	json_object_set_new(j, "repeat", js.repeat ? json_pack("{s:s, s:s, s:s}", "step", js.repeat->code,
							       "label", js.repeat->label, "due", js.repeat_due)
						     : json_null());
	st = db_prepare(db, SQL_EXT);
	if (st) {
		db_bind_int(st, 1, person_id);
		if (db_step(st) == DB_ROW) {
			json_decref(ext);
			ext = json_pack("{s:I, s:s, s:s}", "months", (json_int_t)db_col_int(st, 0), "decided_on",
					db_col_text(st, 1), "note", db_col_text(st, 2));
		}
		db_finalize(st);
	}
	json_object_set_new(j, "extension", ext);
	records = json_array();
	st = db_prepare(db, SQL_RECORDS);
	if (!st) {
		json_decref(records);
		json_decref(j);
		j = NULL;
		goto out;
	}
	db_bind_int(st, 1, person_id);
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *e = json_object(), *people = json_array(), *p;
		int64_t id = db_col_int(st, 0);
		json_object_set_new(e, "id", json_integer(id));
		json_object_set_new(e, "step", json_string(db_col_text(st, 1)));
		json_object_set_new(e, "label", json_string(db_col_text(st, 11)));
		json_object_set_new(e, "stage", json_string(db_col_text(st, 12)));
		json_object_set_new(e, "done_on", json_string(db_col_text(st, 2)));
		json_object_set_new(e, "end_on", str_or_null(db_col_text(st, 3)));
		json_object_set_new(e, "hours", db_col_isnull(st, 4) ? json_null() : json_integer(db_col_int(st, 4)));
		json_object_set_new(e, "meeting_id",
				    db_col_isnull(st, 5) ? json_null() : json_integer(db_col_int(st, 5)));
		if ((p = person_ref_json(db, a, st, 6)))
			json_array_append_new(people, p);
		if ((p = person_ref_json(db, a, st, 7)))
			json_array_append_new(people, p);
		json_object_set_new(e, "people", people);
		json_object_set_new(e, "done_by", json_string(db_col_text(st, 8)));
		json_object_set_new(e, "note", json_string(db_col_text(st, 9)));
		json_object_set_new(e, "version", json_integer(db_col_int(st, 10)));
		json_object_set_new(e, "files", files_list_json(db, "join_record", id));
		json_array_append_new(records, e);
	}
	db_finalize(st);
	json_object_set_new(j, "records", records);
	if (rc != DB_DONE) {
		json_decref(j);
		j = NULL;
	}
out:
	free(defs);
	return j;
}

/* ---------------------------------------------------------------- GET /members/steps */

void members_http_steps(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	struct join_def *defs;
	long n = join_defs_load(db, &defs);
	json_t *items, *stages = json_array();
	static const char *const codes[] = { "applicant", "activist", "candidate", "probationary", "full" };

	if (n < 0) {
		json_decref(stages);
		app_db_fail(r, (int)n, 0);
		return;
	}
	items = json_array();
	for (long i = 0; i < n; i++) {
		const struct join_def *d = &defs[i];
		json_t *e = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i}", "code", d->code,
				      "seq", d->seq, "stage", d->stage, "stage_label", join_stage_label(d->stage),
				      "label", d->label, "after_step", d->after, "min_months", d->min_months,
				      "min_days", d->min_days, "max_months", d->max_months, "max_days", d->max_days,
				      "repeat_months", d->repeat_months);
		json_object_set_new(e, "doc_required", json_boolean(d->doc_required));
		json_object_set_new(e, "needs_meeting", json_boolean(d->needs_meeting));
		json_object_set_new(e, "needs_people", json_boolean(d->needs_people));
		json_object_set_new(e, "min_hours", json_integer(d->min_hours));
		json_object_set_new(e, "min_workdays", json_integer(d->min_workdays));
		json_object_set_new(e, "transition", json_string(d->transition));
		json_object_set_new(e, "rule", json_string(d->rule));
		json_object_set_new(e, "upper", json_boolean(d->upper));
		json_array_append_new(items, e);
	}
	free(defs);
	for (int i = 0; i < 5; i++)
		json_array_append_new(stages, json_pack("{s:s, s:s}", "code", codes[i], "label",
							join_stage_label(codes[i])));
	resp_json(r, 200, json_pack("{s:o, s:o, s:i, s:{s:i, s:i}}", "items", items, "stages", stages, "min_age",
				    members_setting_int(db, "member_join_min_age", 18), "extension", "min_months",
				    members_setting_int(db, "member_extension_min_months", 6), "max_months",
				    members_setting_int(db, "member_extension_max_months", 12)));
}

/* ---------------------------------------------------------------- GET /members/pipeline */

/* One person of the pipeline, built while the rows stream. */
struct pipe_person {
	int64_t id, org_id;
	const char *name, *org_name, *joined_on, *full_member_on;
	int ext;
	struct join_rec recs[64];
	size_t n;
};

static void pipe_emit(const struct join_def *defs, size_t nd, const struct pipe_person *p, const char *stage_filter,
		      const char *today, json_t *items, int counts[5])
{
	struct join_state js;
	json_t *e;
	int si;

	join_state_of(defs, nd, p->recs, p->n, p->ext, &js);
	si = join_stage_index(js.stage);
	if (si >= 0)
		counts[si]++;
	if (stage_filter && strcmp(stage_filter, js.stage) != 0)
		return;
	e = json_object();
	json_object_set_new(e, "person_id", json_integer(p->id));
	json_object_set_new(e, "name", json_string(p->name));
	json_object_set_new(e, "org_id", json_integer(p->org_id));
	json_object_set_new(e, "org_name", json_string(p->org_name));
	json_object_set_new(e, "stage", str_or_null(js.stage));
	json_object_set_new(e, "stage_label", str_or_null(join_stage_label(js.stage)));
	json_object_set_new(e, "last_step", js.last ? json_string(js.last->code) : json_null());
	json_object_set_new(e, "last_label", js.last ? json_string(js.last->label) : json_null());
	json_object_set_new(e, "last_on", str_or_null(js.last_on));
	json_object_set_new(e, "next_step", js.next ? json_string(js.next->code) : json_null());
	json_object_set_new(e, "next_label", js.next ? json_string(js.next->label) : json_null());
	json_object_set_new(e, "due_from", str_or_null(js.due_from));
	json_object_set_new(e, "due_by", str_or_null(js.due_by));
	json_object_set_new(e, "overdue", json_boolean((js.due_by[0] && strcmp(js.due_by, today) < 0) ||
						       (js.repeat_due[0] && strcmp(js.repeat_due, today) < 0)));
	json_object_set_new(e, "repeat_step", js.repeat ? json_string(js.repeat->code) : json_null());
	json_object_set_new(e, "repeat_due", str_or_null(js.repeat_due));
	json_object_set_new(e, "probation_end", str_or_null(js.probation_end));
	json_object_set_new(e, "joined_on", str_or_null(p->joined_on));
	json_object_set_new(e, "full_member_on", str_or_null(p->full_member_on));
	json_object_set_new(e, "standing_years", p->full_member_on && *p->full_member_on ?
				json_integer(years_between(p->full_member_on, today)) : json_null());
	json_array_append_new(items, e);
}

void members_http_pipeline(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct db_params p = { 0 };
	const char *org_path, *stage = req_query(r, "stage"), *where;
	struct join_def *defs;
	long nd;
	struct db_stmt *st;
	struct pipe_person *cur;
	json_t *items;
	int counts[5] = { 0 }, rc;
	char today[11];

	if (!members_org_param(r, "member.read", &org_path))
		return;
	if (stage && join_stage_index(stage) < 0) {
		resp_error(r, ZB_EVALIDATION, "阶段应为 applicant、activist、candidate、probationary 或 full");
		return;
	}
	nd = join_defs_load(c->db, &defs);
	if (nd < 0) {
		app_db_fail(r, (int)nd, 0);
		return;
	}
	scope_for(c, "member.read", &s);
	where = scope_sql(&r->arena, &s, "o.path");
	for (int i = 0; i < s.n; i++)
		db_param_text(&p, arena_printf(&r->arena, "%s%%", s.paths[i]));
	if (org_path) {
		where = arena_printf(&r->arena, "%s AND o.path LIKE ?", where);
		db_param_text(&p, arena_printf(&r->arena, "%s%%", org_path));
	}
	st = db_prepare(c->db, arena_printf(&r->arena,
		"SELECT r.person_id, r.step, r.done_on, pe.name, pe.org_id, o.name, pe.joined_on, pe.full_member_on,"
		" COALESCE(x.months, 0) FROM join_records r JOIN people pe ON pe.id = r.person_id"
		" JOIN orgs o ON o.id = pe.org_id LEFT JOIN join_extensions x ON x.person_id = r.person_id"
		" WHERE r.status = 'active' AND pe.status = 'active' AND %s ORDER BY o.path, pe.id, r.done_on, r.id",
		where));
	if (!st) {
		free(defs);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_params_bind(st, &p);
	members_today(today);
	items = json_array();
	cur = arena_alloc(&r->arena, sizeof(*cur));
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t pid = db_col_int(st, 0);
		if (cur->id != pid) {
			if (cur->id)
				pipe_emit(defs, (size_t)nd, cur, stage, today, items, counts);
			memset(cur, 0, sizeof(*cur));
			cur->id = pid;
			cur->name = arena_strdup(&r->arena, db_col_text(st, 3));
			cur->org_id = db_col_int(st, 4);
			cur->org_name = arena_strdup(&r->arena, db_col_text(st, 5));
			cur->joined_on = arena_strdup(&r->arena, db_col_text(st, 6));
			cur->full_member_on = arena_strdup(&r->arena, db_col_text(st, 7));
			cur->ext = (int)db_col_int(st, 8);
		}
		if (cur->n < 64) {
			cur->recs[cur->n].step = arena_strdup(&r->arena, db_col_text(st, 1));
			cur->recs[cur->n].done_on = arena_strdup(&r->arena, db_col_text(st, 2));
			cur->n++;
		}
	}
	db_finalize(st);
	if (cur->id)
		pipe_emit(defs, (size_t)nd, cur, stage, today, items, counts);
	free(defs);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:{s:i, s:i, s:i, s:i, s:i}}", "items", items, "counts", "applicant",
				    counts[0], "activist", counts[1], "candidate", counts[2], "probationary",
				    counts[3], "full", counts[4]));
}

/* ---------------------------------------------------------------- GET /members/joining/:person_id */

void members_http_joining(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_where w;
	json_t *j;

	if (!members_person_param(r, "person_id", "member.read", &w))
		return;
	j = join_person_json(c->db, &r->arena, w.id);
	if (!j) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	json_object_set_new(j, "can_write", json_boolean(perm_has(c, "member.write", w.org_path)));
	resp_json(r, 200, j);
}

/* ---------------------------------------------------------------- POST steps */

static const struct json_field step_fields[] = {
	{ "step", JF_STRING, 1, 0, 1, 32, "步骤" },
	{ "done_on", JF_DATE, 1, 0, 0, 0, "日期" },
	{ "end_on", JF_DATE, 0, 1, 0, 0, "截止日期" },
	{ "hours", JF_INT, 0, 1, 0, 10000, "学时" },
	{ "meeting_id", JF_INT, 0, 1, 1, INT64_MAX, "支部党员大会" },
	{ "people", JF_ARRAY, 0, 1, 0, 0, "人员" },
	{ "done_by", JF_STRING, 0, 1, 0, 100, "经办人" },
	{ "note", JF_STRING, 0, 1, 0, 1000, "备注" },
	{ "late_reason", JF_STRING, 0, 1, 0, 500, "逾期原因" },
	{ "files", JF_ARRAY, 0, 1, 0, 0, "材料" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/* Collect the full members of org_path (voting) for the people check. */
struct full_members {
	int64_t ids[512];
	int n;
};
static int add_full(void *arg, int64_t id, const char *name, int voting)
{
	struct full_members *m = arg;

	(void)name;
	if (voting && m->n < 512)
		m->ids[m->n++] = id;
	return 0;
}

/*
 * The meeting of an assembly step: it exists, belongs to the person's branch
 * (the org at org_path or an org above it on the same line), is a closed
 * branch assembly not superseded, voted, had quorum, and was held on done_on.
 * Problems go to f under meeting_id.
 */
static void meeting_check_for(struct db *db, int64_t meeting_id, const char *org_path, const char *done_on,
			      struct zb_fail *f)
{
	json_t *m = meeting_json(db, meeting_id), *types;
	struct org o;
	size_t i;
	int assembly = 0;

	if (!m) {
		zb_fail_field(f, "meeting_id", "会议记录不存在");
		return;
	}
	if (org_load(db, json_integer_value(json_object_get(m, "org_id")), &o) != 1 ||
	    strncmp(org_path, o.path, strlen(o.path)) != 0) {
		zb_fail_field(f, "meeting_id", "须为本人所在支部的支部党员大会");
		goto out;
	}
	types = json_object_get(m, "types");
	for (i = 0; i < json_array_size(types); i++)
		assembly |= strcmp(json_string_value(json_array_get(types, i)), "branch_assembly") == 0;
	if (!assembly)
		zb_fail_field(f, "meeting_id", "须为支部党员大会");
	else if (strcmp(json_string_value(json_object_get(m, "status")), "closed") != 0)
		zb_fail_field(f, "meeting_id", "会议尚未结束（须先完成会议记录并锁定）");
	else if (json_is_integer(json_object_get(m, "superseded_by")))
		zb_fail_field(f, "meeting_id", "该会议记录已被更正，请关联更正后的记录");
	else if (!json_is_true(json_object_get(m, "vote")))
		zb_fail_field(f, "meeting_id", "该次支部党员大会没有进行表决");
	else if (!json_is_true(json_object_get(json_object_get(m, "quorum"), "reached")))
		zb_fail_field(f, "meeting_id", "该次支部党员大会到会有表决权的党员未过半数");
	else if (!done_on || strcmp(json_string_value(json_object_get(m, "held_on")), done_on) != 0)
		zb_fail_field(f, "done_on", "日期须与支部党员大会的召开日期（%s）一致",
			      json_string_value(json_object_get(m, "held_on")));
out:
	json_decref(m);
}

/*
 * Record the step for person w (all checks, the record, its files, the audit
 * row and the status change of a transition) inside the open transaction.
 * The record id, 0 when refused (f), or a DB_E*.
 */
static int64_t step_add(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
			const struct person_where *w, const json_t *b, int64_t user_id, struct zb_fail *f)
{
	struct join_def *defs = NULL;
	long nd = join_defs_load(db, &defs);
	const struct join_def *d;
	struct recs rs;
	struct join_attempt at;
	int64_t *files = NULL, pids[2] = { 0, 0 }, id = 0, meeting = json_int(b, "meeting_id", 0);
	long nfiles = 0;
	const json_t *people = json_object_get(b, "people");
	char today[11], now[24];
	int rc;

	if (nd < 0)
		return nd;
	rc = recs_load(db, a, w->id, &rs);
	if (rc != DB_OK)
		goto out;
	members_today(today);
	memset(&at, 0, sizeof(at));
	at.step = json_str(b, "step", "");
	at.done_on = json_str(b, "done_on", NULL);
	at.end_on = json_str(b, "end_on", NULL);
	at.hours = (int)json_int(b, "hours", 0);
	at.late_reason = json_str_trim(a, b, "late_reason", NULL);
	at.birth_date = w->birth_date;
	at.today = today;
	at.ext_months = rs.ext_months;
	at.min_age = members_setting_int(db, "member_join_min_age", 18);
	at.has_meeting = meeting > 0;
	if (json_is_array(json_object_get(b, "files"))) {
		nfiles = files_ids_from_json(json_object_get(b, "files"), a, &files, "files", f);
		if (nfiles < 0)
			goto out;
	}
	at.nfiles = (size_t)nfiles;
	d = join_def_find(defs, (size_t)nd, at.step);
	if (json_is_array(people)) {
		struct full_members fm = { .n = 0 };
		at.npeople = (int)json_array_size(people);
		if (d && d->needs_people && at.npeople == 2) {
			people_org_members(db, w->org_path, add_full, &fm);
			for (int i = 0; i < 2; i++) {
				json_t *v = json_array_get(people, (size_t)i);
				int found = 0;
				pids[i] = json_is_integer(v) ? json_integer_value(v) : 0;
				for (int m = 0; m < fm.n; m++)
					found |= fm.ids[m] == pids[i];
				if (!found || pids[i] == w->id)
					zb_fail_field(f, "people", "第%d人须为本支部的正式党员", i + 1);
			}
			if (pids[0] == pids[1])
				zb_fail_field(f, "people", "两名人员不能相同");
		}
	}
	if (join_check(defs, (size_t)nd, rs.v, rs.n, &at, f) || f->err)
		goto out;
	if (d->needs_meeting)
		meeting_check_for(db, meeting, w->org_path, at.done_on, f);
	if (f->err)
		goto out;
	ts_now(now);
	{
		struct db_stmt *st = db_prepare(db, SQL_INSERT);
		const char *note = json_str_trim(a, b, "note", "");
		if (!st) {
			rc = DB_EGENERIC;
			goto out;
		}
		if (at.late_reason)
			note = arena_printf(a, "%s%s逾期原因：%s", note, *note ? "；" : "", at.late_reason);
		db_bindf(st, "iisssnnnnssnss", w->id, w->org_id, d->code, at.done_on, at.end_on,
			 json_str_trim(a, b, "done_by", ""), note, now, now);
		if (json_is_integer(json_object_get(b, "hours")))
			db_bind_int(st, 6, at.hours);
		if (d->needs_meeting && meeting > 0)
			db_bind_int(st, 7, meeting);
		if (pids[0])
			db_bind_int(st, 8, pids[0]);
		if (pids[1])
			db_bind_int(st, 9, pids[1]);
		if (user_id)
			db_bind_int(st, 12, user_id);
		rc = db_step(st);
		if (rc == DB_ROW)
			id = db_col_int(st, 0);
		db_finalize(st);
		if (rc != DB_ROW) {
			rc = rc < 0 ? rc : DB_EGENERIC;
			goto out;
		}
	}
	{
		json_t *after = json_pack("{s:I, s:s, s:s}", "person_id", (json_int_t)w->id, "step", d->code,
					  "done_on", at.done_on);
		rc = audit_append(db, k, who, "join_record", id, "create", NULL, after);
		json_decref(after);
		if (rc != DB_OK)
			goto out;
	}
	if (nfiles > 0) {
		long n = files_attach(db, k, who, "join_record", id, w->org_path, files, (size_t)nfiles, "files", f);
		if (n < 0 || f->err) {
			rc = n < 0 ? (int)n : DB_OK;
			goto out;
		}
	}
	/* the transitions of the regulations: 预备党员 from the assembly vote, 正式党员 at the end of probation */
	if (strcmp(d->transition, "probationary") == 0 || strcmp(d->transition, "full") == 0) {
		struct join_state js;
		struct join_rec all[65];
		size_t n = rs.n < 64 ? rs.n : 64;
		memcpy(all, rs.v, n * sizeof(*all));
		all[n].step = d->code;
		all[n].done_on = at.done_on;
		join_state_of(defs, (size_t)nd, all, n + 1, rs.ext_months, &js);
		if (strcmp(d->transition, "probationary") == 0) {
			const char *vote = NULL;
			for (size_t i = 0; i < n; i++)
				if (strcmp(all[i].step, "assembly_vote") == 0)
					vote = all[i].done_on;
			rc = members_person_set(db, k, who, w->id, "probationary", vote ? vote : at.done_on, NULL, 0,
						"上级党委审批接收为预备党员");
		} else {
			rc = members_person_set(db, k, who, w->id, "member", NULL,
						js.probation_end[0] ? js.probation_end : at.done_on, 0,
						"上级党委审批转为正式党员");
		}
	}
out:
	free(defs);
	if (rc < 0)
		return rc;
	return f->err ? 0 : id;
}

/* The person :person_id, readable (404) and writable (403) by the caller, active (409). 1 to go on. */
static int writable_person(struct req *r, struct person_where *w)
{
	if (!members_person_param(r, "person_id", "member.read", w))
		return 0;
	if (!perm_has(req_ctx(r), "member.write", w->org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权办理该人员的发展党员工作");
		return 0;
	}
	if (strcmp(w->status, "active") != 0) {
		resp_error(r, ZB_ECONFLICT, "该人员已归档");
		return 0;
	}
	return 1;
}

void members_http_step_add(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_where w;
	struct audit_who who;
	struct zb_fail f;
	json_t *b;
	int64_t id;

	if (!writable_person(r, &w))
		return;
	zb_fail_init(&f);
	if (!(b = members_body(r, step_fields, &f)))
		return;
	{	/* the level above records what it decides (pre-check, approvals) */
		struct join_def *defs = NULL;
		long nd = join_defs_load(c->db, &defs);
		const struct join_def *d = nd > 0 ? join_def_find(defs, (size_t)nd, json_str(b, "step", "")) : NULL;
		char parent[256];
		int refused = 0;
		members_parent_path(w.org_path, parent);
		if (d && d->upper && !perm_has(c, "member.approve", parent)) {
			resp_error(r, ZB_EFORBIDDEN, arena_printf(&r->arena, "“%s”由上级党委决定，须由上级党组织登记", d->label));
			refused = 1;
		}
		free(defs);
		if (refused) {
			json_decref(b);
			zb_fail_release(&f);
			return;
		}
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	id = step_add(c->db, &r->app->keys, &who, &r->arena, &w, b, c->user_id, &f);
	json_decref(b);
	if (!f.err && id == 0)
		zb_fail_set(&f, ZB_EVALIDATION, "提交的内容有误");
	if (!members_write_ok(r, (int)(id < 0 ? id : 0), &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 201, join_person_json(c->db, &r->arena, w.id));
}

/* ---------------------------------------------------------------- extension */

static const struct json_field ext_fields[] = {
	{ "months", JF_INT, 1, 0, 1, 24, "延长月数" },
	{ "decided_on", JF_DATE, 1, 0, 0, 0, "决定日期" },
	{ "meeting_id", JF_INT, 0, 1, 1, INT64_MAX, "支部党员大会" },
	{ "note", JF_STRING, 0, 1, 0, 1000, "备注" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void members_http_extension(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct person_where w;
	struct audit_who who;
	struct zb_fail f;
	struct recs rs;
	json_t *b;
	int64_t already = 0, id = 0, meeting;
	char today[11], now[24];
	int rc;

	if (!writable_person(r, &w))
		return;
	zb_fail_init(&f);
	if (!(b = members_body(r, ext_fields, &f)))
		return;
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	members_today(today);
	rc = recs_load(c->db, &r->arena, w.id, &rs);
	if (rc == DB_OK)
		rc = db_query_int(c->db, &already, "SELECT COUNT(*) FROM join_extensions WHERE person_id = ?", "i", w.id);
	if (rc >= 0) {
		rc = DB_OK;
		join_check_extension(rs.v, rs.n, already > 0, (int)json_int(b, "months", 0),
				     members_setting_int(c->db, "member_extension_min_months", 6),
				     members_setting_int(c->db, "member_extension_max_months", 12),
				     json_str(b, "decided_on", NULL), today, &f);
	}
	meeting = json_int(b, "meeting_id", 0);
	if (rc == DB_OK && !f.err && meeting)
		meeting_check_for(c->db, meeting, w.org_path, json_str(b, "decided_on", NULL), &f);
	if (rc == DB_OK && !f.err) {
		struct db_stmt *st = db_prepare(c->db, SQL_EXT_INSERT);
		ts_now(now);
		if (!st) {
			rc = DB_EGENERIC;
		} else {
			db_bindf(st, "iisnsns", w.id, json_int(b, "months", 0), json_str(b, "decided_on", ""),
				 json_str_trim(&r->arena, b, "note", ""), now);
			if (meeting)
				db_bind_int(st, 4, meeting);
			if (c->user_id)
				db_bind_int(st, 6, c->user_id);
			rc = db_step(st);
			id = rc == DB_ROW ? db_col_int(st, 0) : 0;
			rc = rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
			db_finalize(st);
		}
		if (rc == DB_OK) {
			json_t *after = json_pack("{s:I, s:I, s:s}", "person_id", (json_int_t)w.id, "months",
						  (json_int_t)json_int(b, "months", 0), "decided_on", json_str(b, "decided_on", ""));
			rc = audit_append(c->db, &r->app->keys, &who, "join_extension", id, "create", NULL, after);
			json_decref(after);
		}
	}
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 201, join_person_json(c->db, &r->arena, w.id));
}

/* ---------------------------------------------------------------- void a record */

static const struct json_field void_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本" },
	{ "reason", JF_STRING, 1, 0, 1, 500, "作废原因" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void members_http_record_void(struct req *r)
{
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id"), pid = 0, version = 0, changed = 0, later = 0;
	struct person_where w;
	struct scope s;
	struct audit_who who;
	struct zb_fail f;
	struct db_stmt *st;
	char step[32] = "", now[24];
	json_t *b;
	int rc;

	st = db_prepare(c->db, SQL_REC_ONE);
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		pid = db_col_int(st, 0);
		snprintf(step, sizeof(step), "%s", db_col_text(st, 1));
		version = db_col_int(st, 2);
	}
	db_finalize(st);
	scope_for(c, "member.read", &s);
	if (!pid || person_where_load(c->db, pid, &w) != 1 || !scope_contains(&s, w.org_path)) {
		resp_error(r, ZB_ENOTFOUND, "记录不存在");
		return;
	}
	if (!perm_has(c, "member.write", w.org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权办理该人员的发展党员工作");
		return;
	}
	zb_fail_init(&f);
	if (!(b = members_body(r, void_fields, &f)))
		return;
	if (json_int(b, "version", 0) != version) {
		json_decref(b);
		zb_fail_release(&f);
		app_conflict(r, "该记录已被他人修改，请刷新后重试", join_person_json(c->db, &r->arena, pid));
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = db_query_int(c->db, &later,
			  "SELECT COUNT(*) FROM join_records r JOIN join_steps s ON s.code = r.step"
			  " WHERE r.person_id = ? AND r.status = 'active' AND r.id <> ?"
			  " AND s.seq > (SELECT seq FROM join_steps WHERE code = ?)", "iis", pid, id, step);
	if (rc >= 0 && later > 0)
		zb_fail_field(&f, "id", "只能作废最后登记的步骤");
	else if (rc >= 0 && (strcmp(step, "upper_approval") == 0 || strcmp(step, "full_approval") == 0))
		zb_fail_field(&f, "id", "该步骤已改变政治面貌，不能作废；如有错误请在人员信息中更正");
	if (rc >= 0 && !f.err) {
		ts_now(now);
		rc = db_run_changes(c->db, &changed, SQL_VOID, "ssii", json_str_trim(&r->arena, b, "reason", ""), now,
				    id, version);
		if (rc == DB_OK && changed != 1)
			zb_fail_set(&f, ZB_ECONFLICT, "该记录已被他人修改，请刷新后重试");
		if (rc == DB_OK && !f.err) {
			json_t *after = json_pack("{s:s, s:s}", "status", "voided", "reason",
						  json_str_trim(&r->arena, b, "reason", ""));
			rc = audit_append(c->db, &r->app->keys, &who, "join_record", id, "void", NULL, after);
			json_decref(after);
		}
	}
	json_decref(b);
	if (!members_write_ok(r, rc < 0 ? rc : DB_OK, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 200, join_person_json(c->db, &r->arena, pid));
}
