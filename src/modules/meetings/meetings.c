/* meetings.c - the meetings' writers (checks, quorum, insert, update in place, close, correction as a new version) and their JSON. */
#include <stdlib.h>
#include <string.h>
#include "meetings.h"
#include "meetings_internal.h"
#include "../files/files.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/date.h"

static const char SQL_TYPE_EXISTS[] =
	"SELECT COUNT(*) FROM dict_items WHERE dict = 'meeting_type' AND code = ? AND status = 'active'";
static const char SQL_INSERT[] =
	"INSERT INTO meetings (org_id, held_on, place, host_id, topic, agenda, minutes, vote, status,"
	" previous_id, correction_reason, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_UPDATE[] =
	"UPDATE meetings SET held_on = ?, place = ?, host_id = ?, topic = ?, agenda = ?, minutes = ?,"
	" vote = ?, version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ? AND status = 'open'";
static const char SQL_CLOSE[] =
	"UPDATE meetings SET status = 'closed', version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ? AND status = 'open'";
static const char SQL_SUPERSEDE[] =
	"UPDATE meetings SET superseded_by = ?, version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ? AND status = 'closed' AND superseded_by IS NULL";
static const char SQL_TYPE_INSERT[] = "INSERT INTO meeting_types (meeting_id, type) VALUES (?, ?)";
static const char SQL_ATT_INSERT[] =
	"INSERT INTO meeting_attendance (meeting_id, person_id, status, reason) VALUES (?, ?, ?, ?)";
static const char SQL_TYPES_DELETE[] = "DELETE FROM meeting_types WHERE meeting_id = ?";
static const char SQL_ATT_DELETE[] = "DELETE FROM meeting_attendance WHERE meeting_id = ?";

static const char *const att_codes[] = { "present", "leave", "absent" };
static const char *const att_labels[] = { "出席", "请假", "缺席" };

const char *meeting_att_label(const char *code)
{
	for (int i = 0; code && i < 3; i++)
		if (strcmp(code, att_codes[i]) == 0)
			return att_labels[i];
	return NULL;
}

int meeting_org_kind_ok(const char *kind)
{
	return strcmp(kind, "branch") == 0 || strcmp(kind, "general_branch") == 0 ||
	       strcmp(kind, "party_group") == 0;
}

/* ---------------------------------------------------------------- members */

static int add_member(void *arg, int64_t id, const char *name, int voting)
{
	struct member_list *ml = arg;

	(void)name;
	if (ml->n == ml->cap) {
		size_t cap = ml->cap ? ml->cap * 2 : 32;
		struct member *grown = realloc(ml->v, cap * sizeof(*grown));
		if (!grown)
			return 1;
		ml->v = grown;
		ml->cap = cap;
	}
	ml->v[ml->n].id = id;
	ml->v[ml->n].voting = voting;
	ml->n++;
	return 0;
}

long member_list_load(struct db *db, const char *org_path, struct member_list *ml)
{
	memset(ml, 0, sizeof(*ml));
	return people_org_members(db, org_path, add_member, ml);
}

void member_list_free(struct member_list *ml)
{
	free(ml->v);
	memset(ml, 0, sizeof(*ml));
}

const struct member *member_find(const struct member_list *ml, int64_t id)
{
	for (size_t i = 0; i < ml->n; i++)
		if (ml->v[i].id == id)
			return &ml->v[i];
	return NULL;
}

/* ---------------------------------------------------------------- checks */

/*
 * Every rule a meeting must meet, given its org (already checked to exist and
 * be of a meeting kind): types from the dictionary without repeats, a host and
 * attendees who are members of the org, a reason for each leave, and for a
 * vote a branch assembly with more than half of the voting members present.
 */
static void check_in(struct db *db, const struct org *o, const struct meeting_in *in,
		     struct zb_fail *f)
{
	struct member_list ml;
	long rc = member_list_load(db, o->path, &ml);
	int assembly = 0, voting = 0, voting_present = 0;

	if (!in->held_on || date_parse_iso(in->held_on, NULL) != 0) {
		if (!f->fields || !json_object_get(f->fields, "held_on"))
			zb_fail_field(f, "held_on", "会议日期应为 YYYY-MM-DD 格式的日期");
	} else {
		struct ymd t = date_today_cn();
		char today[16];
		date_format(t, today);
		if (strcmp(in->held_on, today) > 0)
			zb_fail_field(f, "held_on", "会议日期不能晚于今天");
	}
	if (in->ntypes == 0)
		zb_fail_field(f, "types", "请至少选择一种会议类型");
	for (int i = 0; i < in->ntypes; i++) {
		int64_t n = 0;
		db_query_int(db, &n, SQL_TYPE_EXISTS, "s", in->types[i]);
		if (n == 0) {
			zb_fail_field(f, "types", "会议类型“%s”不在字典中", in->types[i]);
			break;
		}
		for (int j = 0; j < i; j++)
			if (strcmp(in->types[i], in->types[j]) == 0)
				zb_fail_field(f, "types", "会议类型“%s”重复", in->types[i]);
		if (strcmp(in->types[i], "branch_assembly") == 0)
			assembly = 1;
	}
	if (rc < 0) {
		zb_fail_set(f, ZB_EINTERNAL, "读取组织党员失败");
		return;
	}
	if (in->host_id && !member_find(&ml, in->host_id))
		zb_fail_field(f, "host_id", "主持人须为本组织的党员");
	for (int i = 0; i < in->natt; i++) {
		const struct meeting_att *a = &in->att[i];
		const struct member *m = member_find(&ml, a->person_id);
		if (!m) {
			zb_fail_field(f, "attendance", "第%d条：该人员不是本组织的党员", i + 1);
			break;
		}
		if (!meeting_att_label(a->status)) {
			zb_fail_field(f, "attendance", "第%d条：出席情况应为 present（出席）、leave（请假）或 absent（缺席）", i + 1);
			break;
		}
		if (strcmp(a->status, "leave") == 0 && (!a->reason || !*a->reason)) {
			zb_fail_field(f, "attendance", "第%d条：请假须填写原因", i + 1);
			break;
		}
		for (int j = 0; j < i; j++)
			if (in->att[j].person_id == a->person_id) {
				zb_fail_field(f, "attendance", "第%d条：同一人员重复登记", i + 1);
				i = in->natt;
				break;
			}
		if (i < in->natt && m->voting && strcmp(a->status, "present") == 0)
			voting_present++;
	}
	for (size_t i = 0; i < ml.n; i++)
		voting += ml.v[i].voting;
	member_list_free(&ml);
	if (in->vote && !assembly)
		zb_fail_field(f, "vote", "只有支部党员大会可以进行表决");
	else if (in->vote && voting_present * 2 <= voting)
		zb_fail_field(f, "vote", "表决须有过半数有表决权的党员出席：有表决权的党员%d人，出席%d人（预备党员没有表决权）",
			      voting, voting_present);
}

/* The org of a meeting: exists and is a branch, general branch or party group (else a field error). */
static int org_ok(struct db *db, int64_t org_id, struct org *o, struct zb_fail *f)
{
	int rc = org_id > 0 ? org_load(db, org_id, o) : 0;

	if (rc < 0)
		return rc;
	if (rc == 0 || strcmp(o->status, "active") != 0) {
		zb_fail_field(f, "org_id", "组织不存在");
		return 0;
	}
	if (!meeting_org_kind_ok(o->kind)) {
		zb_fail_field(f, "org_id", "会议须属于党支部、党总支或党小组");
		return 0;
	}
	return 1;
}

void meeting_check(struct db *db, const struct meeting_in *in, struct zb_fail *f)
{
	struct org o;

	if (org_ok(db, in->org_id, &o, f) == 1)
		check_in(db, &o, in, f);
}

/* Insert the types and attendance of meeting id. */
static int write_children(struct db *db, int64_t id, const struct meeting_in *in)
{
	int rc = DB_OK;

	for (int i = 0; rc == DB_OK && i < in->ntypes; i++)
		rc = db_run(db, SQL_TYPE_INSERT, "is", id, in->types[i]);
	for (int i = 0; rc == DB_OK && i < in->natt; i++)
		rc = db_run(db, SQL_ATT_INSERT, "iiss", id, in->att[i].person_id, in->att[i].status,
			    in->att[i].reason ? in->att[i].reason : "");
	return rc;
}

int64_t meeting_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		       const struct meeting_in *in, int closed, int64_t previous_id,
		       const char *reason, struct zb_fail *f)
{
	struct org o;
	int64_t id = 0;
	char now[24];
	int rc = org_ok(db, in->org_id, &o, f);
	json_t *after;

	if (rc < 0)
		return rc;
	if (rc == 1)
		check_in(db, &o, in, f);
	if (f->err)
		return 0;
	ts_now(now);
	{
		struct db_stmt *st = db_prepare(db, SQL_INSERT);
		if (!st)
			return DB_EGENERIC;
		db_bindf(st, "issssssisss", in->org_id, in->held_on, in->place ? in->place : "",
			 (const char *)NULL, in->topic, in->agenda ? in->agenda : "",
			 in->minutes ? in->minutes : "", (int64_t)(in->vote != 0),
			 closed || previous_id ? "closed" : "open", (const char *)NULL, reason);
		if (in->host_id)
			db_bind_int(st, 4, in->host_id);
		if (previous_id)
			db_bind_int(st, 10, previous_id);
		db_bind_text(st, 12, now);
		db_bind_text(st, 13, now);
		rc = db_step(st);
		if (rc == DB_ROW)
			id = db_col_int(st, 0);
		db_finalize(st);
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_EGENERIC;
	}
	rc = write_children(db, id, in);
	if (rc != DB_OK)
		return rc;
	after = meeting_json(db, id);
	rc = after ? audit_append(db, k, who, "meeting", id, previous_id ? "correct" : "create",
				  NULL, after) : DB_EGENERIC;
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int meeting_update(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		   int64_t version, const struct meeting_in *in, struct zb_fail *f)
{
	struct org o;
	json_t *before = meeting_json(db, id), *after;
	int64_t changes = 0;
	char now[24];
	int rc;

	if (!before)
		return MW_STALE;
	rc = org_ok(db, in->org_id, &o, f);
	if (rc == 1)
		check_in(db, &o, in, f);
	if (rc < 0 || f->err) {
		json_decref(before);
		return rc < 0 ? rc : MW_INVALID;
	}
	ts_now(now);
	rc = db_run_changes(db, &changes, SQL_UPDATE, "ssssssisii", in->held_on,
			    in->place ? in->place : "", (const char *)NULL, in->topic,
			    in->agenda ? in->agenda : "", in->minutes ? in->minutes : "",
			    (int64_t)(in->vote != 0), now, id, version);
	if (rc == DB_OK && changes == 0) {
		json_decref(before);
		return MW_STALE;
	}
	if (rc == DB_OK && in->host_id)
		rc = db_run(db, "UPDATE meetings SET host_id = ? WHERE id = ?", "ii", in->host_id, id);
	if (rc == DB_OK)
		rc = db_run(db, SQL_TYPES_DELETE, "i", id);
	if (rc == DB_OK)
		rc = db_run(db, SQL_ATT_DELETE, "i", id);
	if (rc == DB_OK)
		rc = write_children(db, id, in);
	after = rc == DB_OK ? meeting_json(db, id) : NULL;
	if (rc == DB_OK)
		rc = after ? audit_append(db, k, who, "meeting", id, "update", before, after) : DB_EGENERIC;
	json_decref(before);
	json_decref(after);
	return rc;
}

int meeting_close(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		  int64_t version)
{
	json_t *before = meeting_json(db, id), *after;
	int64_t changes = 0;
	char now[24];
	int rc;

	if (!before)
		return MW_STALE;
	ts_now(now);
	rc = db_run_changes(db, &changes, SQL_CLOSE, "sii", now, id, version);
	if (rc == DB_OK && changes == 0) {
		json_decref(before);
		return MW_STALE;
	}
	after = rc == DB_OK ? meeting_json(db, id) : NULL;
	if (rc == DB_OK)
		rc = after ? audit_append(db, k, who, "meeting", id, "close", before, after) : DB_EGENERIC;
	json_decref(before);
	json_decref(after);
	return rc;
}

int64_t meeting_correct(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t id, int64_t version, const struct meeting_in *in,
			const char *reason, struct zb_fail *f)
{
	json_t *before = meeting_json(db, id), *after;
	int64_t changes = 0, new_id;
	char now[24];
	int rc;

	if (!before)
		return MW_STALE_ID;
	new_id = meeting_insert(db, k, who, in, 1, id, reason, f);
	if (new_id <= 0) {
		json_decref(before);
		return new_id;
	}
	/* the correction keeps the files of the record it corrects: nobody uploads them again */
	rc = files_copy_links(db, "meeting", id, new_id);
	if (rc != DB_OK) {
		json_decref(before);
		return rc;
	}
	ts_now(now);
	rc = db_run_changes(db, &changes, SQL_SUPERSEDE, "isii", new_id, now, id, version);
	if (rc == DB_OK && changes == 0) {
		json_decref(before);
		return MW_STALE_ID;
	}
	after = rc == DB_OK ? meeting_json(db, id) : NULL;
	if (rc == DB_OK)
		rc = after ? audit_append(db, k, who, "meeting", id, "supersede", before, after) : DB_EGENERIC;
	json_decref(before);
	json_decref(after);
	return rc == DB_OK ? new_id : rc;
}

/* ---------------------------------------------------------------- JSON */

static const char SQL_ONE[] =
	"SELECT m.id, m.org_id, o.name, o.path, m.held_on, m.place, m.host_id, h.name, m.topic,"
	" m.agenda, m.minutes, m.vote, m.status, m.previous_id, m.correction_reason,"
	" m.superseded_by, m.version, m.created_at, m.updated_at"
	" FROM meetings m JOIN orgs o ON o.id = m.org_id LEFT JOIN people h ON h.id = m.host_id"
	" WHERE m.id = ?";
static const char SQL_TYPES[] =
	"SELECT t.type, d.label_zh FROM meeting_types t LEFT JOIN dict_items d"
	" ON d.dict = 'meeting_type' AND d.code = t.type WHERE t.meeting_id = ? ORDER BY d.sort, t.type";
static const char SQL_ATT[] =
	"SELECT a.person_id, p.name, a.status, a.reason, p.political_status FROM meeting_attendance a"
	" JOIN people p ON p.id = a.person_id WHERE a.meeting_id = ? ORDER BY p.id";

static json_t *text_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_string(db_col_text(st, i));
}

static json_t *int_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_integer(db_col_int(st, i));
}

json_t *meeting_json(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_ONE);
	json_t *j = NULL, *types, *labels, *att;
	struct member_list ml;
	int counts[3] = { 0, 0, 0 }, voting = 0, voting_present = 0;
	char path[256];

	if (!st || db_bind_int(st, 1, id) != DB_OK || db_step(st) != DB_ROW) {
		db_finalize(st);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s", db_col_text(st, 3));
	j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:b, s:s, s:s, s:o, s:o, s:o, s:I, s:s, s:s}",
		      "id", (json_int_t)db_col_int(st, 0), "org_id", (json_int_t)db_col_int(st, 1),
		      "org_name", db_col_text(st, 2), "held_on", db_col_text(st, 4),
		      "place", db_col_text(st, 5), "host_id", int_or_null(st, 6),
		      "host_name", text_or_null(st, 7), "topic", db_col_text(st, 8),
		      "agenda", db_col_text(st, 9), "minutes", db_col_text(st, 10),
		      "vote", (int)db_col_int(st, 11), "status", db_col_text(st, 12),
		      "status_label", strcmp(db_col_text(st, 12), "open") == 0 ? "未关闭" : "已关闭",
		      "previous_id", int_or_null(st, 13), "correction_reason", text_or_null(st, 14),
		      "superseded_by", int_or_null(st, 15), "version", (json_int_t)db_col_int(st, 16),
		      "created_at", db_col_text(st, 17), "updated_at", db_col_text(st, 18));
	db_finalize(st);
	if (!j)
		return NULL;
	types = json_array();
	labels = json_array();
	st = db_prepare(db, SQL_TYPES);
	if (st && db_bind_int(st, 1, id) == DB_OK)
		while (db_step(st) == DB_ROW) {
			json_array_append_new(types, json_string(db_col_text(st, 0)));
			json_array_append_new(labels, text_or_null(st, 1));
		}
	db_finalize(st);
	json_object_set_new(j, "types", types);
	json_object_set_new(j, "type_labels", labels);
	att = json_array();
	st = db_prepare(db, SQL_ATT);
	if (st && db_bind_int(st, 1, id) == DB_OK)
		while (db_step(st) == DB_ROW) {
			const char *s = db_col_text(st, 2);
			int voter = strcmp(db_col_text(st, 4), "member") == 0;
			for (int i = 0; i < 3; i++)
				counts[i] += strcmp(s, att_codes[i]) == 0;
			voting_present += voter && strcmp(s, "present") == 0;
			json_array_append_new(att, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}",
				"person_id", (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1),
				"status", s, "status_label", meeting_att_label(s),
				"reason", db_col_text(st, 3), "voting", voter));
		}
	db_finalize(st);
	json_object_set_new(j, "attendance", att);
	json_object_set_new(j, "files", files_list_json(db, "meeting", id));
	if (member_list_load(db, path, &ml) >= 0)
		for (size_t i = 0; i < ml.n; i++)
			voting += ml.v[i].voting;
	json_object_set_new(j, "members", json_integer((json_int_t)ml.n));
	member_list_free(&ml);
	json_object_set_new(j, "counts", json_pack("{s:i, s:i, s:i}", "present", counts[0],
						   "leave", counts[1], "absent", counts[2]));
	json_object_set_new(j, "quorum", json_pack("{s:i, s:i, s:b}", "voting_members", voting,
						   "voting_present", voting_present,
						   "reached", voting_present * 2 > voting));
	return j;
}
