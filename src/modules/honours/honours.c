/* honours.c - the rules of honours: categories and eligibility, rounds and quotas, nominations and their linked records, the notice in working days, objections, review and award. */
#include <stdlib.h>
#include <string.h>
#include "honours_internal.h"
#include "../grid/grid.h"
#include "../people/people.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

#define MAX_QUOTAS 200

/* ---------------------------------------------------------------- labels */

const char *honour_kind_label(const char *kind)
{
	if (!kind)
		return "";
	if (strcmp(kind, "person") == 0)
		return "个人";
	if (strcmp(kind, "household") == 0)
		return "家庭";
	if (strcmp(kind, "org") == 0)
		return "组织";
	return kind;
}

const char *honour_status_label(const char *status)
{
	static const struct { const char *code, *label; } t[] = {
		{ "nominated", "待审核" }, { "approved", "审核通过" }, { "rejected", "未通过" },
		{ "withdrawn", "已撤销" }, { "awarded", "已授予" },
	};
	for (size_t i = 0; status && i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].code, status) == 0)
			return t[i].label;
	return status ? status : "";
}

const char *round_status_label(const char *status)
{
	if (!status)
		return "";
	if (strcmp(status, "open") == 0)
		return "推荐审核中";
	if (strcmp(status, "notice") == 0)
		return "公示中";
	if (strcmp(status, "decided") == 0)
		return "已评定";
	return status;
}

const char *hcat_rule_label(const char *rule)
{
	if (!rule || !*rule)
		return "";
	if (strcmp(rule, "party_member") == 0)
		return "须为正式党员";
	if (strcmp(rule, "party_post") == 0)
		return "须担任党内职务";
	return rule;
}

void honour_text_check(struct zb_fail *f, const char *field, const char *label, const char *s)
{
	if (!s)
		return;
	if (text_has_markup(s))
		zb_fail_field(f, field, "%s不能包含 HTML 标签或脚本，请只填写文字", label);
	else if (text_has_control(s))
		zb_fail_field(f, field, "%s含有不可见的控制字符，请删除后重试", label);
}

/* ---------------------------------------------------------------- categories */

/*
 * Tags are "a,b,c": nominee_<kind>, level_<level>, rule_<rule>; others are
 * ignored. A category without a nominee tag is for people.
 */
void hcat_parse_tags(const char *tags, struct hcat *c)
{
	const char *p = tags ? tags : "";

	snprintf(c->kind, sizeof(c->kind), "person");
	c->level[0] = '\0';
	c->rule[0] = '\0';
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char tag[64];

		if (n < sizeof(tag)) {
			memcpy(tag, p, n);
			tag[n] = '\0';
			if (strncmp(tag, "nominee_", 8) == 0 &&
			    (strcmp(tag + 8, "person") == 0 || strcmp(tag + 8, "household") == 0 ||
			     strcmp(tag + 8, "org") == 0))
				snprintf(c->kind, sizeof(c->kind), "%s", tag + 8);
			else if (strncmp(tag, "level_", 6) == 0 && tag[6])
				snprintf(c->level, sizeof(c->level), "%s", tag + 6);
			else if (strncmp(tag, "rule_", 5) == 0 && tag[5])
				snprintf(c->rule, sizeof(c->rule), "%s", tag + 5);
		}
		p += n;
		if (*p == ',')
			p++;
	}
}

int hcat_load(struct db *db, const char *code, struct hcat *out)
{
	struct db_stmt *st = db_prepare(db, "SELECT code, label_zh, tags, status FROM dict_items"
					    " WHERE dict = 'honour_category' AND code = ?");
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, code);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(out->code, sizeof(out->code), "%s", db_col_text(st, 0));
		snprintf(out->label, sizeof(out->label), "%s", db_col_text(st, 1));
		hcat_parse_tags(db_col_text(st, 2), out);
		out->active = strcmp(db_col_text(st, 3) ? db_col_text(st, 3) : "", "active") == 0;
		found = 1;
	}
	db_finalize(st);
	return rc < 0 ? rc : found;
}

int honour_notice_min(struct db *db)
{
	struct db_stmt *st = db_prepare(db, "SELECT value FROM settings WHERE key = 'honour_notice_min_days'");
	long n = 5;

	if (st && db_step(st) == DB_ROW && db_col_text(st, 0)) {
		char *end = NULL;
		long v = strtol(db_col_text(st, 0), &end, 10);
		if (end && !*end && v >= 1 && v <= 60)
			n = v;
	}
	db_finalize(st);
	return (int)n;
}

/* The holidays (grid module's calendar) from day `from` on, sorted; malloc'd, *n of them. */
static int64_t *holidays_from(struct db *db, int64_t from, size_t *n)
{
	char d[11];
	struct db_stmt *st = db_prepare(db, "SELECT day FROM holidays WHERE day >= ? ORDER BY day");
	int64_t *v = NULL;
	size_t cap = 0;

	*n = 0;
	date_format(date_from_days(from), d);
	if (st)
		db_bind_text(st, 1, d);
	while (st && db_step(st) == DB_ROW) {
		struct ymd y;
		if (date_parse_iso(db_col_text(st, 0), &y) != 0)
			continue;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			int64_t *g = realloc(v, nc * sizeof(*g));
			if (!g)
				break;
			v = g;
			cap = nc;
		}
		v[(*n)++] = date_to_days(y);
	}
	db_finalize(st);
	return v;
}

void honour_notice_period(struct db *db, int64_t from, int days, int64_t *start, int64_t *end)
{
	size_t nh = 0;
	int64_t *h = holidays_from(db, from, &nh);

	*start = workdays_add(from, 0, h, nh);
	*end = workdays_add(*start, days > 1 ? days - 1 : 0, h, nh);
	free(h);
}

/* ---------------------------------------------------------------- loads */

static void copy_col(char *dst, size_t n, struct db_stmt *st, int i)
{
	const char *s = db_col_text(st, i);
	snprintf(dst, n, "%s", s ? s : "");
}

static const char SQL_ROUND[] =
	"SELECT r.id, r.org_id, r.year, r.notice_days, r.version, o.path, o.name, r.category, r.title,"
	" r.status, r.notice_from, r.notice_to, r.decided_on FROM honour_rounds r"
	" JOIN orgs o ON o.id = r.org_id WHERE r.id = ?";

int hround_load(struct db *db, int64_t id, struct hround *out)
{
	struct db_stmt *st = db_prepare(db, SQL_ROUND);
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		out->org_id = db_col_int(st, 1);
		out->year = db_col_int(st, 2);
		out->notice_days = db_col_int(st, 3);
		out->version = db_col_int(st, 4);
		copy_col(out->org_path, sizeof(out->org_path), st, 5);
		copy_col(out->org_name, sizeof(out->org_name), st, 6);
		copy_col(out->category, sizeof(out->category), st, 7);
		copy_col(out->title, sizeof(out->title), st, 8);
		copy_col(out->status, sizeof(out->status), st, 9);
		copy_col(out->notice_from, sizeof(out->notice_from), st, 10);
		copy_col(out->notice_to, sizeof(out->notice_to), st, 11);
		copy_col(out->decided_on, sizeof(out->decided_on), st, 12);
		found = 1;
	}
	db_finalize(st);
	return rc < 0 ? rc : found;
}

int hround_visible(const struct scope *s, const char *round_path)
{
	size_t n = strlen(round_path);

	if (scope_contains(s, round_path))
		return 1;
	for (int i = 0; i < s->n; i++)
		if (strncmp(s->paths[i], round_path, n) == 0)
			return 1;
	return 0;
}

int hnom_load(struct db *db, int64_t id, struct hnom *out)
{
	struct db_stmt *st = db_prepare(db, "SELECT n.id, n.round_id, n.org_id, n.nominee_id, n.version, o.path,"
					    " n.nominee_kind, n.status FROM honour_nominations n"
					    " JOIN orgs o ON o.id = n.org_id WHERE n.id = ?");
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		out->round_id = db_col_int(st, 1);
		out->org_id = db_col_int(st, 2);
		out->nominee_id = db_col_int(st, 3);
		out->version = db_col_int(st, 4);
		copy_col(out->org_path, sizeof(out->org_path), st, 5);
		copy_col(out->kind, sizeof(out->kind), st, 6);
		copy_col(out->status, sizeof(out->status), st, 7);
		found = 1;
	}
	db_finalize(st);
	return rc < 0 ? rc : found;
}

static void today_str(int64_t day, char out[11])
{
	date_format(date_from_days(day), out);
}

/* ---------------------------------------------------------------- rounds */

/* "path%" for a subtree LIKE, into out. */
static void like_of(const char *path, char *out, size_t n)
{
	snprintf(out, n, "%s%%", path);
}

/* Check quotas: each org inside the round's org, no org twice. 1 clean, 0 refused, <0 error. */
static int check_quotas(struct db *db, const char *round_path, const struct hround_in *in,
			struct zb_fail *f)
{
	char like[300];

	like_of(round_path, like, sizeof(like));
	if (in->nquotas > MAX_QUOTAS) {
		zb_fail_field(f, "quotas", "名额分配不能超过%d条", MAX_QUOTAS);
		return 0;
	}
	for (size_t i = 0; i < in->nquotas; i++) {
		int64_t ok = 0;
		int rc = db_query_int(db, &ok, "SELECT 1 FROM orgs WHERE id = ? AND path LIKE ?", "is",
				      in->quota_org[i], like);
		if (rc < 0)
			return rc;
		if (!ok) {
			zb_fail_field(f, "quotas", "第%zu条：组织不在本轮评选范围内", i + 1);
			return 0;
		}
		for (size_t j = 0; j < i; j++)
			if (in->quota_org[j] == in->quota_org[i]) {
				zb_fail_field(f, "quotas", "第%zu条：同一组织的名额重复", i + 1);
				return 0;
			}
	}
	return 1;
}

/* Replace the quotas of round id with in's. DB_OK or DB_E*. */
static int write_quotas(struct db *db, int64_t id, const struct hround_in *in)
{
	int rc = db_run(db, "DELETE FROM honour_quotas WHERE round_id = ?", "i", id);

	for (size_t i = 0; rc == DB_OK && i < in->nquotas; i++)
		rc = db_run(db, "INSERT INTO honour_quotas (round_id, org_id, quota) VALUES (?, ?, ?)", "iii",
			    id, in->quota_org[i], in->quota[i]);
	return rc;
}

/* Checks shared by create and update. 1 clean, 0 refused (f), <0 error. */
static int round_check(struct db *db, const char *round_path, const struct hround_in *in,
		       struct hcat *cat, struct zb_fail *f)
{
	int min = honour_notice_min(db);
	int rc = hcat_load(db, in->category, cat);

	if (rc < 0)
		return rc;
	if (rc == 0 || !cat->active)
		zb_fail_field(f, "category", "荣誉类别不存在或已停用");
	if (in->notice_days && in->notice_days < min)
		zb_fail_field(f, "notice_days", "公示期不能少于%d个工作日", min);
	rc = check_quotas(db, round_path, in, f);
	if (rc < 0)
		return rc;
	return f->err ? 0 : 1;
}

int64_t hround_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		      const struct hround_in *in, struct zb_fail *f)
{
	struct hcat cat;
	char now[24], path[256] = "";
	const char *title = in->title;
	int64_t id = 0, days = in->notice_days;
	struct db_stmt *st;
	json_t *after;
	int rc;

	st = db_prepare(db, "SELECT path FROM orgs WHERE id = ?");
	if (st) {
		db_bind_int(st, 1, in->org_id);
		if (db_step(st) == DB_ROW)
			copy_col(path, sizeof(path), st, 0);
	}
	db_finalize(st);
	if (!*path) {
		zb_fail_field(f, "org_id", "组织不存在");
		return 0;
	}
	rc = round_check(db, path, in, &cat, f);
	if (rc <= 0)
		return rc;
	if (!days)
		days = honour_notice_min(db);
	if (!title || !*title)
		title = NULL;
	ts_now(now);
	{
		char t[300];
		if (!title) {
			snprintf(t, sizeof(t), "%lld年度%s评选", (long long)in->year, cat.label);
			title = t;
		}
		rc = db_query_int(db, &id, "INSERT INTO honour_rounds (org_id, year, category, title, notice_days,"
					   " note, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?,"
					   " NULLIF(CAST(? AS INTEGER), 0), ?, ?)"
					   " RETURNING id", "iissisiss", in->org_id, in->year, in->category, title,
				  days, in->note ? in->note : "", who->user_id, now, now);
	}
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = write_quotas(db, id, in);
	if (rc != DB_OK)
		return rc;
	after = json_pack("{s:I, s:I, s:s, s:I, s:I}", "org_id", (json_int_t)in->org_id, "year",
			  (json_int_t)in->year, "category", in->category, "notice_days", (json_int_t)days,
			  "quotas", (json_int_t)in->nquotas);
	rc = audit_append(db, k, who, "honour_round", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int hround_update(struct db *db, const struct keys *k, const struct audit_who *who,
		  const struct hround *rd, int64_t version, const struct hround_in *in,
		  struct zb_fail *f)
{
	struct hcat cat;
	struct hround_in cur = *in;
	char now[24];
	int64_t changed = 0;
	json_t *before, *after;
	int rc;

	cur.category = rd->category;
	if (strcmp(rd->status, "open") != 0) {
		zb_fail_set(f, ZB_ECONFLICT, "本轮评选已进入公示或已评定，不能再修改");
		return HW_REFUSED;
	}
	rc = round_check(db, rd->org_path, &cur, &cat, f);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return HW_REFUSED;
	ts_now(now);
	rc = db_run_changes(db, &changed, "UPDATE honour_rounds SET title = ?, notice_days = ?, note = ?,"
					  " version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
					  " AND status = 'open'", "sissii",
			    in->title && *in->title ? in->title : rd->title,
			    in->notice_days ? in->notice_days : rd->notice_days, in->note ? in->note : "",
			    now, rd->id, version);
	if (rc != DB_OK)
		return rc;
	if (!changed) {
		zb_fail_set(f, ZB_ECONFLICT, "本轮评选已被他人修改，请刷新后重试");
		return HW_REFUSED;
	}
	if (in->quota_org) {
		rc = write_quotas(db, rd->id, in);
		if (rc != DB_OK)
			return rc;
	}
	before = json_pack("{s:s, s:I}", "title", rd->title, "notice_days", (json_int_t)rd->notice_days);
	after = json_pack("{s:s, s:I, s:I}", "title", in->title && *in->title ? in->title : rd->title,
			  "notice_days", (json_int_t)(in->notice_days ? in->notice_days : rd->notice_days),
			  "quotas", (json_int_t)in->nquotas);
	rc = audit_append(db, k, who, "honour_round", rd->id, "update", before, after);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* ---------------------------------------------------------------- nominations */

/* A nominee as found: its name and unit for the notice, the org path it belongs to. */
struct nominee {
	char name[160];
	char unit[256];
	char path[256];
	char status[16];
	char political[32];
	char kind[16];		/* org kind, for orgs */
};

/* Load the nominee of kind `kind`: 1 found, 0 not, <0 error. */
static int nominee_load(struct db *db, const char *kind, int64_t id, struct nominee *n)
{
	struct db_stmt *st;
	int rc, found = 0;

	memset(n, 0, sizeof(*n));
	if (strcmp(kind, "person") == 0) {
		char sql[600];
		snprintf(sql, sizeof(sql), "SELECT v.name, v.org_name, v.org_path, v.status, v.political_status, ''"
					   " FROM %s v WHERE v.person_id = ?", people_view_sql());
		st = db_prepare(db, sql);
	} else if (strcmp(kind, "household") == 0) {
		st = db_prepare(db, "SELECT h.head_name, o.name, o.path, h.status, '', '' FROM households h"
				    " JOIN grids g ON g.id = h.grid_id JOIN orgs o ON o.id = g.org_id WHERE h.id = ?");
	} else {
		st = db_prepare(db, "SELECT o.name, COALESCE(p.name, ''), o.path, o.status, '', o.kind FROM orgs o"
				    " LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.id = ?");
	}
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy_col(n->name, sizeof(n->name), st, 0);
		copy_col(n->unit, sizeof(n->unit), st, 1);
		copy_col(n->path, sizeof(n->path), st, 2);
		copy_col(n->status, sizeof(n->status), st, 3);
		copy_col(n->political, sizeof(n->political), st, 4);
		copy_col(n->kind, sizeof(n->kind), st, 5);
		found = 1;
	}
	db_finalize(st);
	if (found && strcmp(kind, "household") == 0) {
		size_t l = strlen(n->name);
		if (l + sizeof("家庭") < sizeof(n->name))
			memcpy(n->name + l, "家庭", sizeof("家庭"));
	}
	return rc < 0 ? rc : found;
}

/* The label of a dictionary code, into out ("" when unknown). */
static void dict_label(struct db *db, const char *dict, const char *code, char *out, size_t n)
{
	struct db_stmt *st = db_prepare(db, "SELECT label_zh FROM dict_items WHERE dict = ? AND code = ?");

	out[0] = '\0';
	if (st) {
		db_bind_text(st, 1, dict);
		db_bind_text(st, 2, code);
		if (db_step(st) == DB_ROW)
			copy_col(out, n, st, 0);
	}
	db_finalize(st);
}

/*
 * The eligibility rule of the category for the nominee: into f under
 * "nominee_id" with the reason. <0 on a database error.
 */
static int check_eligible(struct db *db, const struct hcat *cat, const struct hround *rd,
			  int64_t nominee_id, const struct nominee *n, struct zb_fail *f)
{
	if (strcmp(cat->rule, "party_member") == 0 && strcmp(n->political, "member") != 0) {
		char label[64];
		dict_label(db, "political_status", n->political, label, sizeof(label));
		zb_fail_field(f, "nominee_id", "不符合推荐条件：「%s」只能推荐正式党员，%s的政治面貌为%s",
			      cat->label, n->name, *label ? label : n->political);
		return 0;
	}
	if (strcmp(cat->rule, "party_post") == 0) {
		char from[16], to[16];
		int64_t held = 0;
		int rc;
		snprintf(from, sizeof(from), "%04lld-01-01", (long long)rd->year);
		snprintf(to, sizeof(to), "%04lld-12-31", (long long)rd->year);
		rc = db_query_int(db, &held, "SELECT COUNT(*) FROM positions p JOIN dict_items d"
					     " ON d.dict = 'position' AND d.code = p.title WHERE p.person_id = ?"
					     " AND p.started_on <= ? AND (p.ended_on IS NULL OR p.ended_on >= ?)"
					     " AND (d.tags LIKE '%party_committee%' OR p.title = 'group_leader')",
				  "iss", nominee_id, to, from);
		if (rc < 0)
			return rc;
		if (!held) {
			zb_fail_field(f, "nominee_id", "不符合推荐条件：「%s」须在%lld年担任党内职务（支部书记、副书记、委员或党小组组长），%s未担任",
				      cat->label, (long long)rd->year, n->name);
			return 0;
		}
	}
	if (strcmp(cat->kind, "org") == 0 && strcmp(n->kind, "branch") != 0 &&
	    strcmp(n->kind, "general_branch") != 0 && strcmp(n->kind, "committee") != 0) {
		zb_fail_field(f, "nominee_id", "不符合推荐条件：「%s」只能推荐党支部、党总支或党委", cat->label);
		return 0;
	}
	return 1;
}

/*
 * The quota that applies to a nomination by the org at org_path: the
 * deepest quota org above (or at) it. 1 within quota, 0 refused (f), <0 error.
 */
static int check_quota(struct db *db, const struct hround *rd, const char *org_path, struct zb_fail *f)
{
	struct db_stmt *st = db_prepare(db, "SELECT q.quota, o.path, o.name FROM honour_quotas q"
					    " JOIN orgs o ON o.id = q.org_id WHERE q.round_id = ? ORDER BY o.depth DESC");
	char qpath[256] = "", qname[256] = "", like[300];
	int64_t quota = -1, used = 0;
	int any = 0, rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, rd->id);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *p = db_col_text(st, 1);
		any = 1;
		if (p && strncmp(org_path, p, strlen(p)) == 0) {
			quota = db_col_int(st, 0);
			copy_col(qpath, sizeof(qpath), st, 1);
			copy_col(qname, sizeof(qname), st, 2);
			break;
		}
	}
	db_finalize(st);
	if (rc < 0)
		return rc;
	if (!any)
		return 1;	/* no quotas: no limit */
	if (quota < 0) {
		zb_fail_field(f, "org_id", "本轮评选没有给该组织分配推荐名额");
		return 0;
	}
	like_of(qpath, like, sizeof(like));
	rc = db_query_int(db, &used, "SELECT COUNT(*) FROM honour_nominations n JOIN orgs o ON o.id = n.org_id"
				     " WHERE n.round_id = ? AND o.path LIKE ? AND n.status NOT IN ('rejected', 'withdrawn')",
			  "is", rd->id, like);
	if (rc < 0)
		return rc;
	if (used >= quota) {
		zb_fail_field(f, "org_id", "超出推荐名额：%s本轮名额%lld名，已推荐%lld名", qname,
			      (long long)quota, (long long)used);
		return 0;
	}
	return 1;
}

/* The org path a linked record belongs to (copied into out); 1 found, 0 not, <0 error. */
static int link_path(struct db *db, const char *kind, int64_t id, char *out, size_t n)
{
	static const struct { const char *kind, *sql; } t[] = {
		{ "meeting", "SELECT o.path FROM meetings m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?" },
		{ "deed", "SELECT o.path FROM deeds d JOIN orgs o ON o.id = d.org_id WHERE d.id = ?" },
		{ "task", "SELECT o.path FROM task_items t JOIN orgs o ON o.id = t.owner_org_id WHERE t.id = ?" },
	};
	struct db_stmt *st = NULL;
	int rc, found = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].kind, kind) == 0)
			st = db_prepare(db, t[i].sql);
	if (!st)
		return 0;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy_col(out, n, st, 0);
		found = 1;
	}
	db_finalize(st);
	return rc < 0 ? rc : found;
}

int64_t hnom_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    const struct hround *rd, const struct hnom_in *in, struct zb_fail *f)
{
	struct hcat cat;
	struct nominee n;
	char org_path[256] = "", now[24];
	int64_t id = 0, dup = 0;
	struct db_stmt *st;
	json_t *after;
	int rc;

	if (strcmp(rd->status, "open") != 0) {
		zb_fail_set(f, ZB_ECONFLICT, "本轮评选已进入公示或已评定，不能再推荐");
		return 0;
	}
	rc = hcat_load(db, rd->category, &cat);
	if (rc <= 0)
		return rc < 0 ? rc : DB_EGENERIC;
	st = db_prepare(db, "SELECT path FROM orgs WHERE id = ? AND status = 'active'");
	if (st) {
		db_bind_int(st, 1, in->org_id);
		if (db_step(st) == DB_ROW)
			copy_col(org_path, sizeof(org_path), st, 0);
	}
	db_finalize(st);
	if (!*org_path || strncmp(org_path, rd->org_path, strlen(rd->org_path)) != 0) {
		zb_fail_field(f, "org_id", "推荐组织不在本轮评选范围内");
		return 0;
	}
	if (!in->reason || !*in->reason)
		zb_fail_field(f, "reason", "推荐理由不能为空");
	rc = nominee_load(db, cat.kind, in->nominee_id, &n);
	if (rc < 0)
		return rc;
	if (rc == 0 || strncmp(n.path, org_path, strlen(org_path)) != 0) {
		zb_fail_field(f, "nominee_id", "被推荐%s不在推荐组织范围内",
			      strcmp(cat.kind, "person") == 0 ? "人" :
			      strcmp(cat.kind, "household") == 0 ? "家庭" : "组织");
	} else if (strcmp(n.status, "active") != 0) {
		zb_fail_field(f, "nominee_id", "被推荐对象已归档，不能推荐");
	} else {
		rc = check_eligible(db, &cat, rd, in->nominee_id, &n, f);
		if (rc < 0)
			return rc;
		rc = db_query_int(db, &dup, "SELECT COUNT(*) FROM honour_nominations WHERE round_id = ?"
					    " AND nominee_kind = ? AND nominee_id = ? AND status NOT IN ('rejected', 'withdrawn')",
				  "isi", rd->id, cat.kind, in->nominee_id);
		if (rc < 0)
			return rc;
		if (dup)
			zb_fail_field(f, "nominee_id", "%s已在本轮被推荐", n.name);
	}
	if (in->nlinks > 50)
		zb_fail_field(f, "links", "关联记录不能超过50条");
	for (size_t i = 0; i < in->nlinks && i < 50; i++) {
		char lp[256];
		rc = link_path(db, in->links[i].kind, in->links[i].id, lp, sizeof(lp));
		if (rc < 0)
			return rc;
		if (rc == 0 || strncmp(lp, org_path, strlen(org_path)) != 0) {
			zb_fail_field(f, "links", "第%zu条关联记录不存在或不属于推荐组织", i + 1);
			break;
		}
		for (size_t j = 0; j < i; j++)
			if (in->links[j].id == in->links[i].id && strcmp(in->links[j].kind, in->links[i].kind) == 0) {
				zb_fail_field(f, "links", "第%zu条关联记录重复", i + 1);
				break;
			}
	}
	if (f->err)
		return 0;
	rc = check_quota(db, rd, org_path, f);
	if (rc <= 0)
		return rc;
	ts_now(now);
	rc = db_query_int(db, &id, "INSERT INTO honour_nominations (round_id, org_id, nominee_kind, nominee_id,"
				   " nominee_name, nominee_unit, reason, created_by, created_at, updated_at)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS INTEGER), 0), ?, ?) RETURNING id",
			  "iisisssiss", rd->id, in->org_id, cat.kind, in->nominee_id, n.name, n.unit, in->reason,
			  who->user_id, now, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	for (size_t i = 0; i < in->nlinks; i++) {
		rc = db_run(db, "INSERT INTO honour_links (nomination_id, kind, ref_id) VALUES (?, ?, ?)", "isi",
			    id, in->links[i].kind, in->links[i].id);
		if (rc != DB_OK)
			return rc;
	}
	after = json_pack("{s:I, s:I, s:s, s:I, s:s, s:I}", "round_id", (json_int_t)rd->id, "org_id",
			  (json_int_t)in->org_id, "nominee_kind", cat.kind, "nominee_id",
			  (json_int_t)in->nominee_id, "nominee_name", n.name, "links", (json_int_t)in->nlinks);
	rc = audit_append(db, k, who, "honour_nomination", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

/* Set a nomination's state with the version read; audited. */
static int nom_transition(struct db *db, const struct keys *k, const struct audit_who *who,
			  const struct hnom *nm, int64_t version, const char *to, const char *sql,
			  const char *p1, const char *p2, const char *action, struct zb_fail *f)
{
	char now[24];
	int64_t changed = 0;
	json_t *before, *after;
	int rc;

	ts_now(now);
	rc = db_run_changes(db, &changed, sql, "ssssii", to, p1, p2, now, nm->id, version);
	if (rc != DB_OK)
		return rc;
	if (!changed) {
		zb_fail_set(f, ZB_ECONFLICT, "推荐记录已被他人修改，请刷新后重试");
		return HW_REFUSED;
	}
	before = json_pack("{s:s}", "status", nm->status);
	after = json_pack("{s:s, s:s}", "status", to, "note", p1 ? p1 : "");
	rc = audit_append(db, k, who, "honour_nomination", nm->id, action, before, after);
	json_decref(before);
	json_decref(after);
	return rc;
}

int hnom_review(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		int64_t version, int approve, const char *note, int64_t today, struct zb_fail *f)
{
	struct hnom nm;
	struct hround rd;
	char day[11];
	int rc = hnom_load(db, id, &nm);

	if (rc <= 0)
		return rc < 0 ? rc : (zb_fail_set(f, ZB_ENOTFOUND, "推荐记录不存在"), HW_REFUSED);
	rc = hround_load(db, nm.round_id, &rd);
	if (rc <= 0)
		return rc < 0 ? rc : DB_EGENERIC;
	if (strcmp(rd.status, "open") != 0 || (strcmp(nm.status, "nominated") != 0 &&
					       strcmp(nm.status, "approved") != 0 &&
					       strcmp(nm.status, "rejected") != 0)) {
		zb_fail_set(f, ZB_ECONFLICT, "该推荐当前状态为「%s」，本轮%s，不能审核",
			    honour_status_label(nm.status), round_status_label(rd.status));
		return HW_REFUSED;
	}
	if (!approve && (!note || !*note)) {
		zb_fail_field(f, "note", "不通过时须填写审核意见");
		return HW_REFUSED;
	}
	today_str(today, day);
	return nom_transition(db, k, who, &nm, version, approve ? "approved" : "rejected",
			      "UPDATE honour_nominations SET status = ?, review_note = ?, reviewed_on = ?,"
			      " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
			      note ? note : "", day, "review", f);
}

int hnom_withdraw(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		  int64_t version, const char *reason, struct zb_fail *f)
{
	struct hnom nm;
	int rc = hnom_load(db, id, &nm);

	if (rc <= 0)
		return rc < 0 ? rc : (zb_fail_set(f, ZB_ENOTFOUND, "推荐记录不存在"), HW_REFUSED);
	if (!reason || !*reason) {
		zb_fail_field(f, "reason", "撤销须填写原因");
		return HW_REFUSED;
	}
	if (strcmp(nm.status, "awarded") == 0 || strcmp(nm.status, "withdrawn") == 0 ||
	    strcmp(nm.status, "rejected") == 0) {
		zb_fail_set(f, ZB_ECONFLICT, "该推荐当前状态为「%s」，不能撤销", honour_status_label(nm.status));
		return HW_REFUSED;
	}
	return nom_transition(db, k, who, &nm, version, "withdrawn",
			      "UPDATE honour_nominations SET status = ?, withdrawn_reason = ?,"
			      " review_note = COALESCE(CAST(? AS TEXT), review_note),"
			      " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
			      reason, NULL, "withdraw", f);
}

/* ---------------------------------------------------------------- notice, decision */

/* Update a round's state with the version read; audited. */
static int round_transition(struct db *db, const struct keys *k, const struct audit_who *who,
			    const struct hround *rd, int64_t version, const char *sql, const char *fmt,
			    const char *a1, const char *a2, const char *action, struct zb_fail *f)
{
	char now[24];
	int64_t changed = 0;
	json_t *after;
	int rc;

	ts_now(now);
	if (strcmp(fmt, "sss") == 0)
		rc = db_run_changes(db, &changed, sql, "sssii", a1, a2, now, rd->id, version);
	else
		rc = db_run_changes(db, &changed, sql, "ssii", a1, now, rd->id, version);
	if (rc != DB_OK)
		return rc;
	if (!changed) {
		zb_fail_set(f, ZB_ECONFLICT, "本轮评选已被他人修改，请刷新后重试");
		return HW_REFUSED;
	}
	after = json_pack("{s:s, s:s?}", "from", a1, "to", a2);
	rc = audit_append(db, k, who, "honour_round", rd->id, action, NULL, after);
	json_decref(after);
	return rc;
}

int hround_notice(struct db *db, const struct keys *k, const struct audit_who *who,
		  const struct hround *rd, int64_t version, int64_t from, int64_t today,
		  struct zb_fail *f)
{
	int64_t pending = 0, approved = 0, start, end;
	char s1[11], s2[11];
	int rc;

	if (strcmp(rd->status, "open") != 0) {
		zb_fail_set(f, ZB_ECONFLICT, "本轮评选已%s，不能再发起公示", round_status_label(rd->status));
		return HW_REFUSED;
	}
	if (from < today - 60 || from > today + 30) {
		zb_fail_field(f, "notice_from", "公示开始日期须在今天之前60天至之后30天之间");
		return HW_REFUSED;
	}
	rc = db_query_int(db, &pending, "SELECT COUNT(*) FROM honour_nominations WHERE round_id = ?"
					" AND status = 'nominated'", "i", rd->id);
	if (rc >= 0)
		rc = db_query_int(db, &approved, "SELECT COUNT(*) FROM honour_nominations WHERE round_id = ?"
						 " AND status = 'approved'", "i", rd->id);
	if (rc < 0)
		return rc;
	if (pending) {
		zb_fail_set(f, ZB_ECONFLICT, "还有%lld个推荐未审核，审核完毕后才能公示", (long long)pending);
		return HW_REFUSED;
	}
	if (!approved) {
		zb_fail_set(f, ZB_ECONFLICT, "没有审核通过的推荐，无需公示");
		return HW_REFUSED;
	}
	honour_notice_period(db, from, (int)rd->notice_days, &start, &end);
	today_str(start, s1);
	today_str(end, s2);
	return round_transition(db, k, who, rd, version,
				"UPDATE honour_rounds SET status = 'notice', notice_from = ?, notice_to = ?,"
				" version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'open'",
				"sss", s1, s2, "notice", f);
}

int hround_decide(struct db *db, const struct keys *k, const struct audit_who *who,
		  const struct hround *rd, int64_t version, int64_t today, struct zb_fail *f)
{
	struct ymd to;
	int64_t open = 0;
	char day[11], now[24];
	int rc;

	if (strcmp(rd->status, "notice") != 0) {
		zb_fail_set(f, ZB_ECONFLICT, strcmp(rd->status, "open") == 0 ?
			    "本轮评选尚未公示，公示期满后才能评定" : "本轮评选已评定");
		return HW_REFUSED;
	}
	if (date_parse_iso(rd->notice_to, &to) != 0 || today <= date_to_days(to)) {
		zb_fail_set(f, ZB_ECONFLICT, "公示期至%s结束，期满后才能评定", rd->notice_to);
		return HW_REFUSED;
	}
	rc = db_query_int(db, &open, "SELECT COUNT(*) FROM honour_objections WHERE round_id = ? AND status = 'open'",
			  "i", rd->id);
	if (rc < 0)
		return rc;
	if (open) {
		zb_fail_set(f, ZB_ECONFLICT, "还有%lld条异议未处理，处理完毕后才能评定", (long long)open);
		return HW_REFUSED;
	}
	today_str(today, day);
	ts_now(now);
	rc = db_run(db, "UPDATE honour_nominations SET status = 'awarded', awarded_on = ?, version = version + 1,"
			" updated_at = ? WHERE round_id = ? AND status = 'approved'", "ssi", day, now, rd->id);
	if (rc != DB_OK)
		return rc;
	return round_transition(db, k, who, rd, version,
				"UPDATE honour_rounds SET status = 'decided', decided_on = ?,"
				" version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'notice'",
				"ss", day, NULL, "decide", f);
}

/* ---------------------------------------------------------------- objections */

int64_t hobj_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t nomination_id, const char *source, const char *text, int64_t received,
		    struct zb_fail *f)
{
	struct hnom nm;
	struct hround rd;
	struct ymd a, b;
	char day[11], now[24];
	int64_t id = 0;
	json_t *after;
	int rc = hnom_load(db, nomination_id, &nm);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		zb_fail_field(f, "nomination_id", "公示对象不存在");
		return 0;
	}
	rc = hround_load(db, nm.round_id, &rd);
	if (rc <= 0)
		return rc < 0 ? rc : DB_EGENERIC;
	if (strcmp(rd.status, "notice") != 0 || date_parse_iso(rd.notice_from, &a) != 0 ||
	    date_parse_iso(rd.notice_to, &b) != 0 || strcmp(nm.status, "approved") != 0) {
		zb_fail_field(f, "nomination_id", "该对象不在公示中，不能提出异议");
		return 0;
	}
	if (received < date_to_days(a) || received > date_to_days(b)) {
		zb_fail_field(f, strcmp(source, "public") == 0 ? "nomination_id" : "received_on",
			      "异议须在公示期内（%s至%s）提出，%s", rd.notice_from, rd.notice_to,
			      received > date_to_days(b) ? "公示期已结束" : "公示尚未开始");
		return 0;
	}
	if (!text || utf8_len(text) < 5)
		zb_fail_field(f, "text", "异议内容不能少于5个字");
	honour_text_check(f, "text", "异议内容", text);
	if (f->err)
		return 0;
	today_str(received, day);
	ts_now(now);
	rc = db_query_int(db, &id, "INSERT INTO honour_objections (nomination_id, round_id, source, text,"
				   " received_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  "iisssss", nm.id, rd.id, source, text, day, now, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	after = json_pack("{s:I, s:s, s:s}", "nomination_id", (json_int_t)nm.id, "source", source,
			  "received_on", day);
	rc = audit_append(db, k, who, "honour_objection", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int hobj_handle(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		int64_t version, int upheld, const char *reason, int64_t today, struct zb_fail *f)
{
	struct db_stmt *st = db_prepare(db, "SELECT nomination_id, status FROM honour_objections WHERE id = ?");
	char status[16] = "", day[11], now[24];
	int64_t nom = 0, changed = 0;
	json_t *after;
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		nom = db_col_int(st, 0);
		copy_col(status, sizeof(status), st, 1);
	}
	db_finalize(st);
	if (rc < 0)
		return rc;
	if (!nom) {
		zb_fail_set(f, ZB_ENOTFOUND, "异议不存在");
		return HW_REFUSED;
	}
	if (!reason || !*reason) {
		zb_fail_field(f, "reason", "须填写处理理由");
		return HW_REFUSED;
	}
	if (strcmp(status, "open") != 0) {
		zb_fail_set(f, ZB_ECONFLICT, "该异议已处理");
		return HW_REFUSED;
	}
	today_str(today, day);
	ts_now(now);
	rc = db_run_changes(db, &changed, "UPDATE honour_objections SET status = ?, reason = ?, handled_on = ?,"
					  " handled_by = NULLIF(CAST(? AS INTEGER), 0), version = version + 1, updated_at = ?"
					  " WHERE id = ? AND version = ? AND status = 'open'", "sssisii",
			    upheld ? "upheld" : "dismissed", reason, day, who->user_id, now, id, version);
	if (rc != DB_OK)
		return rc;
	if (!changed) {
		zb_fail_set(f, ZB_ECONFLICT, "该异议已被他人处理或修改，请刷新后重试");
		return HW_REFUSED;
	}
	after = json_pack("{s:s, s:s}", "status", upheld ? "upheld" : "dismissed", "reason", reason);
	rc = audit_append(db, k, who, "honour_objection", id, "handle", NULL, after);
	json_decref(after);
	if (rc != DB_OK || !upheld)
		return rc;
	{
		/* upheld: the nomination is withdrawn with the reason */
		struct hnom nm;
		char why[1200];
		rc = hnom_load(db, nom, &nm);
		if (rc <= 0)
			return rc < 0 ? rc : DB_EGENERIC;
		if (strcmp(nm.status, "withdrawn") == 0)
			return DB_OK;
		snprintf(why, sizeof(why), "异议成立：%s", reason);
		return hnom_withdraw(db, k, who, nom, nm.version, why, f);
	}
}

/* ---------------------------------------------------------------- JSON */

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* The links of a nomination with a title for each. */
static json_t *links_json(struct db *db, int64_t id)
{
	static const struct { const char *kind, *label, *sql; } t[] = {
		{ "meeting", "会议", "SELECT held_on || ' ' || topic FROM meetings WHERE id = ?" },
		{ "deed", "实事", "SELECT received_on || ' ' || title FROM deeds WHERE id = ?" },
		{ "task", "任务", "SELECT code || ' ' || title FROM task_items WHERE id = ?" },
	};
	struct db_stmt *st = db_prepare(db, "SELECT kind, ref_id FROM honour_links WHERE nomination_id = ?"
					    " ORDER BY kind, ref_id");
	json_t *a = json_array();

	if (st)
		db_bind_int(st, 1, id);
	while (st && db_step(st) == DB_ROW) {
		const char *kind = db_col_text(st, 0);
		int64_t ref = db_col_int(st, 1);
		json_t *e = json_pack("{s:s, s:I}", "kind", kind ? kind : "", "id", (json_int_t)ref);
		for (size_t i = 0; kind && i < sizeof(t) / sizeof(t[0]); i++) {
			struct db_stmt *q;
			if (strcmp(t[i].kind, kind) != 0)
				continue;
			json_object_set_new(e, "kind_label", json_string(t[i].label));
			q = db_prepare(db, t[i].sql);
			if (q) {
				db_bind_int(q, 1, ref);
				if (db_step(q) == DB_ROW && db_col_text(q, 0))
					json_object_set_new(e, "title", json_string(db_col_text(q, 0)));
			}
			db_finalize(q);
		}
		json_array_append_new(a, e);
	}
	db_finalize(st);
	return a;
}

static json_t *objections_json(struct db *db, int64_t nomination_id)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, source, text, received_on, status, reason, handled_on, version"
					    " FROM honour_objections WHERE nomination_id = ? ORDER BY id");
	json_t *a = json_array();

	if (st)
		db_bind_int(st, 1, nomination_id);
	while (st && db_step(st) == DB_ROW) {
		const char *status = db_col_text(st, 4);
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I}",
			"id", (json_int_t)db_col_int(st, 0), "source", db_col_text(st, 1),
			"source_label", strcmp(db_col_text(st, 1), "public") == 0 ? "群众" : "工作人员登记",
			"text", db_col_text(st, 2), "received_on", db_col_text(st, 3), "status", status,
			"reason", str_or_null(db_col_text(st, 5)), "handled_on", str_or_null(db_col_text(st, 6)),
			"version", (json_int_t)db_col_int(st, 7)));
		json_object_set_new(json_array_get(a, json_array_size(a) - 1), "status_label",
				    json_string(strcmp(status, "open") == 0 ? "待处理" :
						strcmp(status, "upheld") == 0 ? "异议成立" : "异议不成立"));
	}
	db_finalize(st);
	return a;
}

static const char SQL_NOM[] =
	"SELECT n.id, n.round_id, n.org_id, o.name, n.nominee_kind, n.nominee_id, n.nominee_name,"
	" n.nominee_unit, n.reason, n.status, n.review_note, n.reviewed_on, n.withdrawn_reason,"
	" n.awarded_on, n.version, r.year, r.category, COALESCE(d.label_zh, r.category), r.title,"
	" (SELECT COUNT(*) FROM honour_objections j WHERE j.nomination_id = n.id AND j.status = 'open')"
	" FROM honour_nominations n JOIN orgs o ON o.id = n.org_id"
	" JOIN honour_rounds r ON r.id = n.round_id"
	" LEFT JOIN dict_items d ON d.dict = 'honour_category' AND d.code = r.category";

/* A nomination row of a statement over SQL_NOM's columns as JSON. */
static json_t *nom_row(struct db_stmt *st)
{
	const char *status = db_col_text(st, 9);
	const char *kind = db_col_text(st, 4);

	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o,"
			 " s:I, s:I, s:s, s:s, s:s, s:I}",
		"id", (json_int_t)db_col_int(st, 0), "round_id", (json_int_t)db_col_int(st, 1),
		"org_id", (json_int_t)db_col_int(st, 2), "org_name", db_col_text(st, 3),
		"nominee_kind", kind, "nominee_kind_label", honour_kind_label(kind),
		"nominee_id", (json_int_t)db_col_int(st, 5), "nominee_name", db_col_text(st, 6),
		"nominee_unit", db_col_text(st, 7), "reason", db_col_text(st, 8), "status", status,
		"status_label", honour_status_label(status), "review_note", db_col_text(st, 10),
		"reviewed_on", str_or_null(db_col_text(st, 11)),
		"withdrawn_reason", str_or_null(db_col_text(st, 12)),
		"awarded_on", str_or_null(db_col_text(st, 13)), "version", (json_int_t)db_col_int(st, 14),
		"year", (json_int_t)db_col_int(st, 15), "category", db_col_text(st, 16),
		"category_label", db_col_text(st, 17), "round_title", db_col_text(st, 18),
		"open_objections", (json_int_t)db_col_int(st, 19));
}

json_t *hnom_json(struct db *db, int64_t id, int detail)
{
	char sql[sizeof(SQL_NOM) + 32];
	struct db_stmt *st;
	json_t *j = NULL;

	snprintf(sql, sizeof(sql), "%s WHERE n.id = ?", SQL_NOM);
	st = db_prepare(db, sql);
	if (st) {
		db_bind_int(st, 1, id);
		if (db_step(st) == DB_ROW)
			j = nom_row(st);
	}
	db_finalize(st);
	if (j && detail) {
		json_object_set_new(j, "links", links_json(db, id));
		json_object_set_new(j, "objections", objections_json(db, id));
	}
	return j;
}

json_t *hround_json(struct db *db, const struct hround *rd, const struct scope *s, int detail)
{
	struct hcat cat;
	struct ymd a, b;
	int64_t today = date_to_days(date_today_cn()), open_obj = 0;
	int in_notice = 0, ended = 0;
	json_t *j, *counts = json_pack("{s:i, s:i, s:i, s:i, s:i}", "nominated", 0, "approved", 0,
				      "rejected", 0, "withdrawn", 0, "awarded", 0);
	json_t *noms = json_array();
	char sql[sizeof(SQL_NOM) + 64];
	struct db_stmt *st;

	if (hcat_load(db, rd->category, &cat) != 1)
		snprintf(cat.label, sizeof(cat.label), "%s", rd->category);
	if (strcmp(rd->status, "notice") == 0 && date_parse_iso(rd->notice_from, &a) == 0 &&
	    date_parse_iso(rd->notice_to, &b) == 0) {
		in_notice = today >= date_to_days(a) && today <= date_to_days(b);
		ended = today > date_to_days(b);
	}
	snprintf(sql, sizeof(sql), "%s WHERE n.round_id = ? ORDER BY o.sort_key, o.path, n.id", SQL_NOM);
	st = db_prepare(db, sql);
	if (st)
		db_bind_int(st, 1, rd->id);
	while (st && db_step(st) == DB_ROW) {
		json_t *n = nom_row(st);
		const char *status = json_string_value(json_object_get(n, "status"));
		char path[256] = "";
		struct hnom nm;
		if (s && hnom_load(db, db_col_int(st, 0), &nm) == 1)
			snprintf(path, sizeof(path), "%s", nm.org_path);
		if (s && !scope_contains(s, path)) {
			json_decref(n);
			continue;
		}
		json_object_set_new(counts, status, json_integer(json_integer_value(json_object_get(counts, status)) + 1));
		open_obj += json_integer_value(json_object_get(n, "open_objections"));
		if (detail) {
			json_object_set_new(n, "links", links_json(db, db_col_int(st, 0)));
			json_object_set_new(n, "objections", objections_json(db, db_col_int(st, 0)));
			json_array_append_new(noms, n);
		} else {
			json_decref(n);
		}
	}
	db_finalize(st);
	j = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:o,"
		      " s:b, s:b, s:o, s:I, s:I}",
		"id", (json_int_t)rd->id, "org_id", (json_int_t)rd->org_id, "org_name", rd->org_name,
		"year", (json_int_t)rd->year, "category", rd->category, "category_label", cat.label,
		"nominee_kind", cat.kind, "nominee_kind_label", honour_kind_label(cat.kind),
		"title", rd->title, "notice_days", (json_int_t)rd->notice_days, "status", rd->status,
		"status_label", round_status_label(rd->status), "notice_from", str_or_null(rd->notice_from),
		"notice_to", str_or_null(rd->notice_to), "decided_on", str_or_null(rd->decided_on),
		"in_notice", in_notice, "notice_ended", ended, "counts", counts,
		"open_objections", (json_int_t)open_obj, "version", (json_int_t)rd->version);
	if (detail) {
		json_t *q = json_array();
		json_object_set_new(j, "nominations", noms);
		st = db_prepare(db, "SELECT q.org_id, o.name, q.quota, o.path FROM honour_quotas q JOIN orgs o"
				    " ON o.id = q.org_id WHERE q.round_id = ? ORDER BY o.sort_key, o.path");
		if (st)
			db_bind_int(st, 1, rd->id);
		while (st && db_step(st) == DB_ROW) {
			char like[300];
			int64_t used = 0;
			like_of(db_col_text(st, 3), like, sizeof(like));
			db_query_int(db, &used, "SELECT COUNT(*) FROM honour_nominations n JOIN orgs o ON o.id = n.org_id"
					       " WHERE n.round_id = ? AND o.path LIKE ? AND n.status NOT IN ('rejected', 'withdrawn')",
				     "is", rd->id, like);
			json_array_append_new(q, json_pack("{s:I, s:s, s:I, s:I}", "org_id",
				(json_int_t)db_col_int(st, 0), "org_name", db_col_text(st, 1), "quota",
				(json_int_t)db_col_int(st, 2), "used", (json_int_t)used));
		}
		db_finalize(st);
		json_object_set_new(j, "quotas", q);
		{
			struct db_stmt *nt = db_prepare(db, "SELECT note FROM honour_rounds WHERE id = ?");
			if (nt) {
				db_bind_int(nt, 1, rd->id);
				if (db_step(nt) == DB_ROW)
					json_object_set_new(j, "note", json_string(db_col_text(nt, 0) ? db_col_text(nt, 0) : ""));
			}
			db_finalize(nt);
		}
	} else {
		json_decref(noms);
	}
	return j;
}
