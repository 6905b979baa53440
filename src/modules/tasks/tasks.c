/* tasks.c - task items: their JSON, checks, insertion, history, the roll-up through the tree, progress reports, acceptance, push-down and supervision. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tasks.h"
#include "tasks_internal.h"
#include "../files/files.h"
#include "../orgs/orgs.h"
#include "../../auth/audit.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

const char TASK_ITEM_SELECT[] =
	"SELECT i.id, i.list_id, l.org_id, lo.name, lo.path, l.year, i.parent_id, i.code, i.sort,"
	" i.title, i.owner_org_id, oo.name, i.person_id, p.name, i.start_on, i.due_on, i.weight,"
	" i.criteria, i.status, i.progress, i.progress_source, i.last_report_on,"
	" i.answers_item_id, a.code, a.title, ao.name, i.accepted_on, i.archived_at, i.version,"
	" i.created_at, i.updated_at"
	" FROM task_items i JOIN task_lists l ON l.id = i.list_id JOIN orgs lo ON lo.id = l.org_id"
	" LEFT JOIN orgs oo ON oo.id = i.owner_org_id LEFT JOIN people p ON p.id = i.person_id"
	" LEFT JOIN task_items a ON a.id = i.answers_item_id"
	" LEFT JOIN task_lists al ON al.id = a.list_id LEFT JOIN orgs ao ON ao.id = al.org_id ";

static const char SQL_STALE_DAYS[] = "SELECT value FROM settings WHERE key = 'tasks_stale_days'";

void task_clock_load(struct db *db, struct task_clock *tc)
{
	struct db_stmt *st = db_prepare(db, SQL_STALE_DAYS);

	tc->today = date_to_days(date_today_cn());
	tc->stale_days = 30;
	if (st && db_step(st) == DB_ROW && db_col_text(st, 0)) {
		char *end = NULL;
		long v = strtol(db_col_text(st, 0), &end, 10);
		if (end && !*end && v >= 1 && v <= 3650)
			tc->stale_days = (int)v;
	}
	db_finalize(st);
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *int_or_null(struct db_stmt *st, int col)
{
	return db_col_isnull(st, col) ? json_null() : json_integer(db_col_int(st, col));
}

/* A date column as days, -1 when NULL or malformed. */
static int64_t col_days(struct db_stmt *st, int col)
{
	struct ymd d;
	const char *s = db_col_text(st, col);

	return s && date_parse_iso(s, &d) == 0 ? date_to_days(d) : -1;
}

json_t *task_row_json(struct db_stmt *st, const struct task_clock *tc)
{
	int status = task_status_parse(db_col_text(st, 18));
	int progress = (int)db_col_int(st, 19);
	int64_t due = col_days(st, 15), start = col_days(st, 14), last = col_days(st, 21);
	int archived = !db_col_isnull(st, 27);
	json_t *j, *answers = json_null();

	if (status < 0)
		status = TS_NOT_STARTED;
	if (last < 0) {	/* never reported: count from the start, else from creation */
		const char *c = db_col_text(st, 29);
		struct ymd d;
		if (start >= 0)
			last = start;
		else if (c && strlen(c) >= 10) {
			char day[11];
			memcpy(day, c, 10);
			day[10] = '\0';
			if (date_parse_iso(day, &d) == 0)
				last = date_to_days(d);
		}
	}
	if (!db_col_isnull(st, 22))
		answers = json_pack("{s:I, s:s?, s:s?, s:s?}", "id", (json_int_t)db_col_int(st, 22),
				    "code", db_col_text(st, 23), "title", db_col_text(st, 24),
				    "org_name", db_col_text(st, 25));
	j = json_object();
	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "list_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "list_org_id", json_integer(db_col_int(st, 2)));
	json_object_set_new(j, "list_org_name", text_or_null(db_col_text(st, 3)));
	json_object_set_new(j, "list_org_path", text_or_null(db_col_text(st, 4)));
	json_object_set_new(j, "year", json_integer(db_col_int(st, 5)));
	json_object_set_new(j, "parent_id", int_or_null(st, 6));
	json_object_set_new(j, "code", text_or_null(db_col_text(st, 7)));
	json_object_set_new(j, "sort", json_integer(db_col_int(st, 8)));
	json_object_set_new(j, "title", text_or_null(db_col_text(st, 9)));
	json_object_set_new(j, "owner_org_id", int_or_null(st, 10));
	json_object_set_new(j, "owner_org_name", text_or_null(db_col_text(st, 11)));
	json_object_set_new(j, "person_id", int_or_null(st, 12));
	json_object_set_new(j, "person_name", text_or_null(db_col_text(st, 13)));
	json_object_set_new(j, "start_on", text_or_null(db_col_text(st, 14)));
	json_object_set_new(j, "due_on", text_or_null(db_col_text(st, 15)));
	json_object_set_new(j, "weight", int_or_null(st, 16));
	json_object_set_new(j, "criteria", text_or_null(db_col_text(st, 17)));
	json_object_set_new(j, "status", json_string(task_status_code(status)));
	json_object_set_new(j, "status_label", json_string(task_status_label(status)));
	json_object_set_new(j, "progress", json_integer(progress));
	json_object_set_new(j, "progress_source", text_or_null(db_col_text(st, 20)));
	json_object_set_new(j, "last_report_on", text_or_null(db_col_text(st, 21)));
	json_object_set_new(j, "answers_item_id", int_or_null(st, 22));
	json_object_set_new(j, "answers", answers);
	json_object_set_new(j, "accepted_on", text_or_null(db_col_text(st, 26)));
	json_object_set_new(j, "archived_at", text_or_null(db_col_text(st, 27)));
	json_object_set_new(j, "version", json_integer(db_col_int(st, 28)));
	json_object_set_new(j, "created_at", text_or_null(db_col_text(st, 29)));
	json_object_set_new(j, "updated_at", text_or_null(db_col_text(st, 30)));
	json_object_set_new(j, "overdue", json_boolean(!archived && status < TS_DONE && due >= 0 &&
						      due < tc->today));
	json_object_set_new(j, "light", json_string(archived ? "green" :
		task_light(status, progress, start, due, last, tc->today, tc->stale_days)));
	return j;
}

json_t *task_item_json(struct db *db, int64_t id)
{
	char sql[sizeof(TASK_ITEM_SELECT) + 32];
	struct task_clock tc;
	struct db_stmt *st;
	json_t *j = NULL;

	task_clock_load(db, &tc);
	snprintf(sql, sizeof(sql), "%sWHERE i.id = ?", TASK_ITEM_SELECT);
	st = db_prepare(db, sql);
	if (st && db_bind_int(st, 1, id) == DB_OK && db_step(st) == DB_ROW)
		j = task_row_json(st, &tc);
	db_finalize(st);
	return j;
}

int task_log(struct db *db, const struct keys *k, const struct audit_who *who, int64_t item_id,
	     const char *action, const json_t *before, const json_t *after)
{
	char now[32];
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc;

	ts_now(now);
	rc = db_run(db, "INSERT INTO task_history (item_id, at, user_id, username, action, before_json,"
		    " after_json) VALUES (?, ?, ?, ?, ?, ?, ?)", "isisss" "s",
		    item_id, now, who->user_id ? who->user_id : (int64_t)0,
		    who->username ? who->username : "", action, b, a);
	free(b);
	free(a);
	if (rc == DB_OK)
		rc = audit_append(db, k, who, "task_item", item_id, action, before, after);
	return rc;
}

/* ---------------------------------------------------------------- checks */

/* "1", "1.2", "10.3.4": digits separated by single dots, at most 60 bytes. */
static int code_ok(const char *s)
{
	int digits = 0;
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++, n++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && digits > 0)
			digits = 0;
		else
			return 0;
	}
	return digits > 0 && n <= 60;
}

/* Path of an org, 1 found (into out), 0 not, <0 error. */
static int org_path_of(struct db *db, int64_t id, char *out, size_t outsz)
{
	struct org o;
	int rc = org_load(db, id, &o);

	if (rc == 1)
		snprintf(out, outsz, "%s", o.path);
	return rc;
}

static int under(const char *path, const char *root)
{
	return path && root && strncmp(path, root, strlen(root)) == 0;
}

int task_check(struct db *db, const struct task_in *in, int64_t self, struct zb_fail *f)
{
	char lpath[256] = "", opath[256];
	int64_t n = 0;
	struct ymd s, d;
	struct db_stmt *st;
	int rc;

	st = db_prepare(db, "SELECT o.path FROM task_lists l JOIN orgs o ON o.id = l.org_id WHERE l.id = ?");
	if (st && db_bind_int(st, 1, in->list_id) == DB_OK && db_step(st) == DB_ROW)
		snprintf(lpath, sizeof(lpath), "%s", db_col_text(st, 0));
	db_finalize(st);
	if (!lpath[0]) {
		zb_fail_field(f, "list_id", "任务清单不存在");
		return -1;
	}
	if (!in->title || !*in->title)
		zb_fail_field(f, "title", "任务/事项不能为空");
	else if (utf8_len(in->title) > 200)
		zb_fail_field(f, "title", "任务/事项不能超过200字");
	if (in->code && !code_ok(in->code)) {
		zb_fail_field(f, "code", "编号应为以点分隔的数字，如 1、1.2、1.2.3");
	} else if (in->code) {
		rc = db_query_int(db, &n, "SELECT COUNT(*) FROM task_items WHERE list_id = ? AND code = ?"
				  " AND id <> ?", "isi", in->list_id, in->code, self);
		if (rc < 0)
			return rc;
		if (n > 0)
			zb_fail_field(f, "code", "编号 %s 在本清单中已存在", in->code);
	}
	if (in->start_on && date_parse_iso(in->start_on, &s) != 0)
		zb_fail_field(f, "start_on", "开始日期应为 YYYY-MM-DD");
	if (in->due_on && date_parse_iso(in->due_on, &d) != 0)
		zb_fail_field(f, "due_on", "完成时限应为 YYYY-MM-DD");
	else if (in->start_on && in->due_on && date_parse_iso(in->start_on, &s) == 0 &&
		 strcmp(in->due_on, in->start_on) < 0)
		zb_fail_field(f, "due_on", "完成时限不能早于开始日期");
	if (in->has_weight && (in->weight < 0 || in->weight > 1000))
		zb_fail_field(f, "weight", "权重应为0到1000之间的整数");
	if (in->criteria && utf8_len(in->criteria) > 2000)
		zb_fail_field(f, "criteria", "完成标准不能超过2000字");
	if (in->owner_org_id) {
		rc = org_path_of(db, in->owner_org_id, opath, sizeof(opath));
		if (rc < 0)
			return rc;
		if (rc != 1 || !under(opath, lpath))
			zb_fail_field(f, "owner_org_id", "责任单位应为本清单所属组织或其下级组织");
	}
	if (in->person_id) {
		st = db_prepare(db, "SELECT o.path, p.status FROM people p JOIN orgs o ON o.id = p.org_id"
				" WHERE p.id = ?");
		rc = st ? db_bind_int(st, 1, in->person_id) : DB_EGENERIC;
		rc = rc == DB_OK ? db_step(st) : rc;
		if (rc == DB_ROW && (!under(db_col_text(st, 0), lpath) ||
				     strcmp(db_col_text(st, 1), "active") != 0))
			rc = DB_DONE;
		db_finalize(st);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW)
			zb_fail_field(f, "person_id", "责任人不存在或不属于本清单所属组织");
	}
	if (in->parent_id) {
		n = 0;
		rc = db_query_int(db, &n, "SELECT COUNT(*) FROM task_items WHERE id = ? AND list_id = ?"
				  " AND archived_at IS NULL", "ii", in->parent_id, in->list_id);
		if (rc < 0)
			return rc;
		if (n == 0)
			zb_fail_field(f, "parent_id", "上级事项不存在、已归档或不在本清单中");
	}
	return f->err ? -1 : 0;
}

const char *task_next_code(struct db *db, struct arena *a, int64_t list_id, int64_t parent_id)
{
	char prefix[80] = "";
	int64_t n = 0;

	if (parent_id) {
		struct db_stmt *st = db_prepare(db, "SELECT code FROM task_items WHERE id = ?");
		if (st && db_bind_int(st, 1, parent_id) == DB_OK && db_step(st) == DB_ROW)
			snprintf(prefix, sizeof(prefix), "%s.", db_col_text(st, 0));
		db_finalize(st);
	}
	db_query_int(db, &n, "SELECT COUNT(*) FROM task_items WHERE list_id = ? AND "
		     "(CASE WHEN CAST(? AS INTEGER) = 0 THEN parent_id IS NULL ELSE parent_id = ? END)",
		     "iii", list_id, parent_id, parent_id);
	for (int64_t k = n + 1; k < n + 1000; k++) {
		const char *c = arena_printf(a, "%s%lld", prefix, (long long)k);
		int64_t used = 0;
		if (db_query_int(db, &used, "SELECT COUNT(*) FROM task_items WHERE list_id = ? AND code = ?",
				 "is", list_id, c) < 0)
			return c;
		if (used == 0)
			return c;
	}
	return arena_printf(a, "%s%lld", prefix, (long long)(n + 1000));
}

int64_t task_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    const struct task_in *in0, struct zb_fail *f)
{
	struct task_in in = *in0;
	struct arena a;
	char now[32];
	int64_t id = 0, sort = 0;
	json_t *after;
	int rc;

	arena_init(&a, 0);
	if (!in.code)
		in.code = task_next_code(db, &a, in.list_id, in.parent_id);
	rc = task_check(db, &in, 0, f);
	if (rc < 0 && !f->err) {
		arena_release(&a);
		return rc;
	}
	if (f->err) {
		arena_release(&a);
		return 0;
	}
	rc = db_query_int(db, &sort, "SELECT COALESCE(MAX(sort), 0) + 10 FROM task_items WHERE list_id = ?"
			  " AND (CASE WHEN CAST(? AS INTEGER) = 0 THEN parent_id IS NULL ELSE parent_id = ? END)",
			  "iii", in.list_id, in.parent_id, in.parent_id);
	ts_now(now);
	if (rc >= 0) {
		struct db_stmt *st = db_prepare(db,
			"INSERT INTO task_items (list_id, parent_id, code, sort, title, owner_org_id, person_id,"
			" start_on, due_on, weight, criteria, answers_item_id, created_at, updated_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
		rc = st ? DB_OK : DB_EGENERIC;
		if (st) {
			db_bind_int(st, 1, in.list_id);
			in.parent_id ? db_bind_int(st, 2, in.parent_id) : db_bind_null(st, 2);
			db_bind_text(st, 3, in.code);
			db_bind_int(st, 4, sort);
			db_bind_text(st, 5, in.title);
			in.owner_org_id ? db_bind_int(st, 6, in.owner_org_id) : db_bind_null(st, 6);
			in.person_id ? db_bind_int(st, 7, in.person_id) : db_bind_null(st, 7);
			db_bind_text(st, 8, in.start_on);
			db_bind_text(st, 9, in.due_on);
			in.has_weight ? db_bind_int(st, 10, in.weight) : db_bind_null(st, 10);
			db_bind_text(st, 11, in.criteria ? in.criteria : "");
			in.answers_item_id ? db_bind_int(st, 12, in.answers_item_id) : db_bind_null(st, 12);
			db_bind_text(st, 13, now);
			db_bind_text(st, 14, now);
			rc = db_step(st);
			if (rc == DB_ROW) {
				id = db_col_int(st, 0);
				rc = DB_OK;
			} else if (rc == DB_DONE) {
				rc = DB_EGENERIC;
			}
		}
		db_finalize(st);
	}
	arena_release(&a);
	if (rc < 0)
		return rc;
	after = task_item_json(db, id);
	rc = task_log(db, k, who, id, "create", NULL, after);
	json_decref(after);
	if (rc == DB_OK)
		rc = task_rollup_from(db, k, who, id);
	return rc == DB_OK ? id : rc;
}

/* ---------------------------------------------------------------- roll-up */

#define ROLLUP_MAX_CHILDREN 4096
#define ROLLUP_MAX_STEPS 256

/* Load the live children (or, with answers, the items answering `id`) into c. */
static int load_children(struct db *db, int64_t id, int answers, struct rollup_child *c, size_t max,
			 size_t *n)
{
	struct db_stmt *st = db_prepare(db, answers ?
		"SELECT progress, status, weight, archived_at FROM task_items WHERE answers_item_id = ?"
		" AND archived_at IS NULL ORDER BY id" :
		"SELECT progress, status, weight, archived_at FROM task_items WHERE parent_id = ?"
		" AND archived_at IS NULL ORDER BY id");
	int rc = st ? db_bind_int(st, 1, id) : DB_EGENERIC;

	*n = 0;
	while (rc >= 0 && (rc = db_step(st)) == DB_ROW && *n < max) {
		int s = task_status_parse(db_col_text(st, 1));
		c[*n].progress = (int)db_col_int(st, 0);
		c[*n].status = s < 0 ? TS_NOT_STARTED : (enum task_status)s;
		c[*n].has_weight = !db_col_isnull(st, 2);
		c[*n].weight = db_col_int(st, 2);
		c[*n].archived = 0;
		(*n)++;
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* Recompute one item from its children (or answers); parent and answered get where to go next. */
static int rollup_one(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		      struct rollup_child *buf, int64_t *parent, int64_t *answered)
{
	struct rollup_result r;
	struct db_stmt *st;
	json_t *before, *after;
	size_t n = 0;
	int rc, cur_status = 0, cur_progress = 0;
	char now[32];
	int archived = 0;

	*parent = *answered = 0;
	st = db_prepare(db, "SELECT parent_id, answers_item_id, status, progress, progress_source,"
			" archived_at FROM task_items WHERE id = ?");
	rc = st ? db_bind_int(st, 1, id) : DB_EGENERIC;
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*parent = db_col_int(st, 0);
		*answered = db_col_int(st, 1);
		cur_status = task_status_parse(db_col_text(st, 2));
		cur_progress = (int)db_col_int(st, 3);
		archived = !db_col_isnull(st, 5);
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK)
		return rc == DB_DONE ? DB_OK : rc;
	if (archived)
		return DB_OK;
	rc = load_children(db, id, 0, buf, ROLLUP_MAX_CHILDREN, &n);
	if (rc == DB_OK && n == 0)
		rc = load_children(db, id, 1, buf, ROLLUP_MAX_CHILDREN, &n);
	if (rc != DB_OK)
		return rc;
	if (task_rollup(buf, n, &r) != 0)	/* no live children: reported again */
		return db_run(db, "UPDATE task_items SET progress_source = 'reported' WHERE id = ?"
			      " AND progress_source <> 'reported'", "i", id);
	if (cur_status == TS_ACCEPTED)
		r.status = TS_ACCEPTED;	/* an accepted item stays accepted */
	if ((int)r.status == cur_status && r.progress == cur_progress) {
		return db_run(db, "UPDATE task_items SET progress_source = 'rollup' WHERE id = ?"
			      " AND progress_source <> 'rollup'", "i", id);
	}
	before = task_item_json(db, id);
	ts_now(now);
	rc = db_run(db, "UPDATE task_items SET progress = ?, status = ?, progress_source = 'rollup',"
		    " version = version + 1, updated_at = ? WHERE id = ?", "issi",
		    (int64_t)r.progress, task_status_code(r.status), now, id);
	if (rc == DB_OK) {
		after = task_item_json(db, id);
		rc = task_log(db, k, who, id, "rollup", before, after);
		json_decref(after);
	}
	json_decref(before);
	return rc;
}

/* Roll up from the queue's ids upwards (shared by task_rollup_from and task_rollup_at). */
static int rollup_queue(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t *queue, int tail)
{
	struct rollup_child *buf = malloc(ROLLUP_MAX_CHILDREN * sizeof(*buf));
	int head = 0, rc = DB_OK;
	int64_t parent = 0, answered = 0;

	if (!buf)
		return DB_EGENERIC;
	while (rc == DB_OK && head < tail) {
		int64_t id = queue[head++];
		rc = rollup_one(db, k, who, id, buf, &parent, &answered);
		if (parent && tail < ROLLUP_MAX_STEPS)
			queue[tail++] = parent;
		if (answered && tail < ROLLUP_MAX_STEPS)
			queue[tail++] = answered;
	}
	free(buf);
	return rc;
}

int task_rollup_at(struct db *db, const struct keys *k, const struct audit_who *who, int64_t item_id)
{
	int64_t queue[ROLLUP_MAX_STEPS];

	queue[0] = item_id;
	return item_id ? rollup_queue(db, k, who, queue, 1) : DB_OK;
}

int task_rollup_from(struct db *db, const struct keys *k, const struct audit_who *who, int64_t item_id)
{
	int64_t queue[ROLLUP_MAX_STEPS];
	int tail = 0;
	struct db_stmt *st;

	st = db_prepare(db, "SELECT parent_id, answers_item_id FROM task_items WHERE id = ?");
	if (st && db_bind_int(st, 1, item_id) == DB_OK && db_step(st) == DB_ROW) {
		if (db_col_int(st, 0))
			queue[tail++] = db_col_int(st, 0);
		if (db_col_int(st, 1))
			queue[tail++] = db_col_int(st, 1);
	}
	db_finalize(st);
	return rollup_queue(db, k, who, queue, tail);
}

/* ---------------------------------------------------------------- progress */

int64_t task_report_add(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t item_id, const struct task_report *rep, int64_t today,
			struct zb_fail *f)
{
	json_t *before = task_item_json(db, item_id), *after;
	int cur_status, cur_progress, asked = -1, progress, rc;
	int64_t children = 0, id = 0;
	enum task_status ns;
	const char *path;
	struct ymd d;
	char now[32];

	if (!before)
		return DB_EGENERIC;
	cur_status = task_status_parse(json_string_value(json_object_get(before, "status")));
	cur_progress = (int)json_integer_value(json_object_get(before, "progress"));
	path = json_string_value(json_object_get(before, "list_org_path"));
	rc = db_query_int(db, &children, "SELECT COUNT(*) FROM task_items WHERE (parent_id = ? OR"
			  " answers_item_id = ?) AND archived_at IS NULL", "ii", item_id, item_id);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	if (!json_is_null(json_object_get(before, "archived_at")))
		zb_fail_field(f, "item", "该事项已归档，不能报告进度");
	else if (cur_status == TS_ACCEPTED)
		zb_fail_field(f, "progress", "该事项已验收，不能再报告进度");
	else if (children > 0)
		zb_fail_field(f, "progress", "该事项的进度由子事项或下级支部的事项汇总，请对其报告进度");
	if (!rep->reported_on || date_parse_iso(rep->reported_on, &d) != 0)
		zb_fail_field(f, "reported_on", "报告日期应为 YYYY-MM-DD");
	else if (date_to_days(d) > today)
		zb_fail_field(f, "reported_on", "报告日期不能晚于今天");
	if (!rep->text || !*rep->text)
		zb_fail_field(f, "text", "进展情况不能为空");
	if (rep->status) {
		asked = task_status_parse(rep->status);
		if (asked < 0)
			zb_fail_field(f, "status", "状态应为 未开始、进行中 或 已完成");
		else if (asked == TS_ACCEPTED)
			zb_fail_field(f, "status", "验收只能由镇党委在“验收”中办理");
	}
	if (!rep->has_progress && !rep->status)
		zb_fail_field(f, "progress", "请填写完成进度（%%）或状态");
	progress = rep->has_progress ? rep->progress : cur_progress;
	if (!rep->has_progress && asked == TS_DONE)
		progress = 100;
	if (!rep->has_progress && asked == TS_NOT_STARTED)
		progress = 0;
	if (rep->has_progress && (rep->progress < 0 || rep->progress > 100))
		zb_fail_field(f, "progress", "完成进度应在0到100之间");
	else if (asked == TS_DONE && progress < 100)
		zb_fail_field(f, "status", "状态为已完成时完成进度应为100%%");
	else if (asked == TS_NOT_STARTED && progress > 0)
		zb_fail_field(f, "status", "完成进度大于0时状态不能为未开始");
	if (!f->err && progress < cur_progress && (!rep->reason || !*rep->reason))
		zb_fail_field(f, "reason", "完成进度低于当前的%d%%，请说明原因", cur_progress);
	if (f->err) {
		json_decref(before);
		return 0;
	}
	ns = task_status_for_progress(progress, asked);
	ts_now(now);
	{
		struct db_stmt *st = db_prepare(db,
			"INSERT INTO task_progress (item_id, reported_on, progress, status, text, reason,"
			" reporter_id, reporter_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
		rc = st ? DB_OK : DB_EGENERIC;
		if (st) {
			db_bind_int(st, 1, item_id);
			db_bind_text(st, 2, rep->reported_on);
			rep->has_progress || asked == TS_DONE || asked == TS_NOT_STARTED ?
				db_bind_int(st, 3, progress) : db_bind_null(st, 3);
			db_bind_text(st, 4, rep->status);
			db_bind_text(st, 5, rep->text);
			db_bind_text(st, 6, rep->reason && *rep->reason ? rep->reason : NULL);
			who->user_id ? db_bind_int(st, 7, who->user_id) : db_bind_null(st, 7);
			db_bind_text(st, 8, who->username ? who->username : "");
			db_bind_text(st, 9, now);
			rc = db_step(st);
			if (rc == DB_ROW) {
				id = db_col_int(st, 0);
				rc = DB_OK;
			} else if (rc == DB_DONE) {
				rc = DB_EGENERIC;
			}
		}
		db_finalize(st);
	}
	if (rc == DB_OK && rep->nfiles > 0) {
		long linked = files_attach(db, k, who, "task_progress", id, path, rep->files, rep->nfiles,
					   "files", f);
		if (linked < 0)
			rc = (int)linked;
		else if (f->err)
			rc = TW_INVALID;
	}
	if (rc == DB_OK)
		rc = db_run(db, "UPDATE task_items SET progress = ?, status = ?, progress_source = 'reported',"
			    " last_report_on = CASE WHEN last_report_on IS NULL OR last_report_on < ?"
			    " THEN ? ELSE last_report_on END, version = version + 1, updated_at = ?"
			    " WHERE id = ?", "issssi", (int64_t)progress, task_status_code(ns),
			    rep->reported_on, rep->reported_on, now, item_id);
	if (rc == DB_OK) {
		after = task_item_json(db, item_id);
		json_object_set_new(after, "report_id", json_integer(id));
		rc = task_log(db, k, who, item_id, "progress", before, after);
		json_decref(after);
	}
	json_decref(before);
	if (rc == DB_OK)
		rc = task_rollup_from(db, k, who, item_id);
	if (rc == TW_INVALID)
		return 0;
	return rc == DB_OK ? id : rc;
}

/* ---------------------------------------------------------------- acceptance */

int task_accept(struct db *db, const struct keys *k, const struct audit_who *who, int64_t item_id,
		int64_t version, const char *on, const char *note, struct zb_fail *f)
{
	json_t *before = task_item_json(db, item_id), *after;
	int64_t changes = 0;
	char now[32];
	int rc, status;

	if (!before)
		return DB_EGENERIC;
	status = task_status_parse(json_string_value(json_object_get(before, "status")));
	if (json_integer_value(json_object_get(before, "version")) != version) {
		json_decref(before);
		return TW_STALE;
	}
	if (!json_is_null(json_object_get(before, "archived_at")))
		zb_fail_field(f, "status", "该事项已归档，不能验收");
	else if (status == TS_ACCEPTED)
		zb_fail_field(f, "status", "该事项已验收");
	else if (status != TS_DONE)
		zb_fail_field(f, "status", "事项完成（进度100%%）后才能验收，当前为%s",
			      task_status_label(status < 0 ? TS_NOT_STARTED : (enum task_status)status));
	if (f->err) {
		json_decref(before);
		return TW_INVALID;
	}
	ts_now(now);
	rc = db_run_changes(db, &changes, "UPDATE task_items SET status = 'accepted', accepted_on = ?,"
			    " accepted_by = NULLIF(CAST(? AS BIGINT), 0), version = version + 1, updated_at = ?"
			    " WHERE id = ? AND version = ?",
			    "sisii", on, who->user_id, now, item_id, version);
	if (rc == DB_OK && changes == 0) {
		json_decref(before);
		return TW_STALE;
	}
	if (rc == DB_OK) {
		after = task_item_json(db, item_id);
		if (note && *note)
			json_object_set_new(after, "note", json_string(note));
		rc = task_log(db, k, who, item_id, "accept", before, after);
		json_decref(after);
	}
	json_decref(before);
	if (rc == DB_OK)
		rc = task_rollup_from(db, k, who, item_id);
	return rc;
}

/* ---------------------------------------------------------------- push down */

int64_t task_list_ensure(struct db *db, const struct keys *k, const struct audit_who *who,
			 int64_t org_id, int year, const char *title)
{
	int64_t id = 0;
	char now[32], buf[400];
	struct org o;
	int rc = db_query_int(db, &id, "SELECT id FROM task_lists WHERE org_id = ? AND year = ?", "ii",
			      org_id, (int64_t)year);

	if (rc < 0)
		return rc;
	if (id)
		return id;
	rc = org_load(db, org_id, &o);
	if (rc != 1)
		return rc < 0 ? rc : DB_EGENERIC;
	if (!title) {
		snprintf(buf, sizeof(buf), "%s%d年党建工作任务清单", o.name, year);
		title = buf;
	}
	ts_now(now);
	rc = db_query_int(db, &id, "INSERT INTO task_lists (org_id, year, title, created_at, updated_at)"
			  " VALUES (?, ?, ?, ?, ?) RETURNING id", "iisss", org_id, (int64_t)year, title,
			  now, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	{
		json_t *after = json_pack("{s:I, s:I, s:i, s:s}", "id", (json_int_t)id, "org_id",
					  (json_int_t)org_id, "year", year, "title", title);
		rc = audit_append(db, k, who, "task_list", id, "create", NULL, after);
		json_decref(after);
	}
	return rc == DB_OK ? id : rc;
}

int task_push(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
	      const int64_t *orgs, size_t n, const char *due_on,
	      int (*allowed)(void *arg, const char *org_path), void *arg,
	      int64_t *out_ids, struct zb_fail *f)
{
	json_t *src = task_item_json(db, id);
	const char *lpath;
	int year, rc = DB_OK;

	if (!src)
		return DB_EGENERIC;
	lpath = json_string_value(json_object_get(src, "list_org_path"));
	year = (int)json_integer_value(json_object_get(src, "year"));
	if (!json_is_null(json_object_get(src, "archived_at")))
		zb_fail_field(f, "item", "该事项已归档，不能下发");
	if (!json_is_null(json_object_get(src, "answers_item_id")))
		zb_fail_field(f, "item", "该事项本身是对上级事项的落实，不能再下发");
	if (n == 0)
		zb_fail_field(f, "org_ids", "请选择至少一个下发的组织");
	if (due_on && date_parse_iso(due_on, NULL) != 0)
		zb_fail_field(f, "due_on", "完成时限应为 YYYY-MM-DD");
	for (size_t i = 0; i < n && !f->err; i++) {
		struct org o;
		int64_t dup = 0;
		int r2 = org_load(db, orgs[i], &o);

		if (r2 < 0) {
			rc = r2;
			break;
		}
		for (size_t j = 0; j < i; j++)
			if (orgs[j] == orgs[i])
				dup = 1;
		if (r2 != 1 || (allowed && !allowed(arg, o.path))) {
			zb_fail_field(f, "org_ids", "第%zu个组织不存在或不在您的管理范围内", i + 1);
		} else if (!under(o.path, lpath) || strcmp(o.path, lpath) == 0) {
			zb_fail_field(f, "org_ids", "%s不是本清单所属组织的下级组织", o.name);
		} else if (strcmp(o.status, "active") != 0) {
			zb_fail_field(f, "org_ids", "%s已撤销", o.name);
		} else if (dup) {
			zb_fail_field(f, "org_ids", "%s重复选择", o.name);
		} else {
			r2 = db_query_int(db, &dup, "SELECT COUNT(*) FROM task_items i JOIN task_lists l ON"
					  " l.id = i.list_id WHERE i.answers_item_id = ? AND l.org_id = ?"
					  " AND i.archived_at IS NULL", "ii", id, orgs[i]);
			if (r2 < 0) {
				rc = r2;
				break;
			}
			if (dup)
				zb_fail_field(f, "org_ids", "该事项已下发给%s", o.name);
		}
	}
	if (rc < 0 || f->err) {
		json_decref(src);
		return rc < 0 ? rc : TW_INVALID;
	}
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		struct task_in in;
		int64_t list = task_list_ensure(db, k, who, orgs[i], year, NULL), nid;
		const json_t *w = json_object_get(src, "weight");

		if (list < 0) {
			rc = (int)list;
			break;
		}
		memset(&in, 0, sizeof(in));
		in.list_id = list;
		in.title = json_string_value(json_object_get(src, "title"));
		in.owner_org_id = orgs[i];
		in.start_on = json_string_value(json_object_get(src, "start_on"));
		in.due_on = due_on ? due_on : json_string_value(json_object_get(src, "due_on"));
		if (in.start_on && in.due_on && strcmp(in.due_on, in.start_on) < 0)
			in.start_on = NULL;
		in.has_weight = json_is_integer(w);
		in.weight = json_integer_value(w);
		in.criteria = json_string_value(json_object_get(src, "criteria"));
		in.answers_item_id = id;
		nid = task_insert(db, k, who, &in, f);
		if (nid <= 0) {
			rc = nid < 0 ? (int)nid : TW_INVALID;
			break;
		}
		out_ids[i] = nid;
	}
	if (rc == DB_OK) {
		json_t *after = json_pack("{s:o}", "org_ids", json_array());
		for (size_t i = 0; i < n; i++)
			json_array_append_new(json_object_get(after, "org_ids"), json_integer(orgs[i]));
		rc = task_log(db, k, who, id, "push", NULL, after);
		json_decref(after);
	}
	json_decref(src);
	return rc;
}

/* ---------------------------------------------------------------- supervision */

static const struct { const char *code, *label; } ratings[] = {
	{ "good", "好" }, { "fairly_good", "较好" }, { "average", "一般" }, { "poor", "差" },
};

const char *task_rating_label(const char *code)
{
	for (size_t i = 0; code && i < sizeof(ratings) / sizeof(ratings[0]); i++)
		if (strcmp(ratings[i].code, code) == 0)
			return ratings[i].label;
	return NULL;
}

int64_t task_supervise(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t item_id, const struct task_supervision *sv, struct zb_fail *f)
{
	int64_t id = 0, rid = 0;
	char now[32];
	json_t *after;
	int rc;

	if (!sv->held_on || date_parse_iso(sv->held_on, NULL) != 0)
		zb_fail_field(f, "held_on", "督查日期应为 YYYY-MM-DD");
	if (!sv->inspector || !*sv->inspector)
		zb_fail_field(f, "inspector", "督查人不能为空");
	if (!sv->found || !*sv->found)
		zb_fail_field(f, "found", "发现的问题不能为空");
	if (!task_rating_label(sv->rating))
		zb_fail_field(f, "rating", "成效评价应为 好、较好、一般 或 差");
	if (sv->requirement) {
		if (!*sv->requirement)
			zb_fail_field(f, "rectification.requirement", "整改要求不能为空");
		if (!sv->deadline || date_parse_iso(sv->deadline, NULL) != 0)
			zb_fail_field(f, "rectification.deadline", "整改时限应为 YYYY-MM-DD");
		else if (sv->held_on && strcmp(sv->deadline, sv->held_on) < 0)
			zb_fail_field(f, "rectification.deadline", "整改时限不能早于督查日期");
	}
	if (f->err)
		return 0;
	ts_now(now);
	rc = db_query_int(db, &id, "INSERT INTO task_supervisions (item_id, held_on, inspector, found,"
			  " rating, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  "isssss" "s", item_id, sv->held_on, sv->inspector, sv->found, sv->rating,
			  NULL, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	if (who->user_id)
		db_run(db, "UPDATE task_supervisions SET created_by = ? WHERE id = ?", "ii",
		       who->user_id, id);
	if (sv->requirement) {
		rc = db_query_int(db, &rid, "INSERT INTO task_rectifications (supervision_id, item_id,"
				  " requirement, deadline, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
				  " RETURNING id", "iissss", id, item_id, sv->requirement, sv->deadline,
				  now, now);
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_EGENERIC;
	}
	after = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?}", "supervision_id", (json_int_t)id,
			  "held_on", sv->held_on, "inspector", sv->inspector, "found", sv->found,
			  "rating", sv->rating, "requirement", sv->requirement, "deadline",
			  sv->requirement ? sv->deadline : NULL);
	if (rid)
		json_object_set_new(after, "rectification_id", json_integer(rid));
	rc = task_log(db, k, who, item_id, "supervise", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}
