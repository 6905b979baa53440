/* members_demo.c - the demo township's member lifecycle: people at every stage of joining, the 2022 dues with some arrears and a back payment, transfers in each direction and floating members; adds no people and changes none. */
#include <stdlib.h>
#include <string.h>
#include "members_internal.h"
#include "../orgs/orgs.h"
#include "../../base/arena.h"
#include "../../base/date.h"

/* The joining steps in order, with when each comes after the application (months, days). */
static const struct { const char *step; int months, days; } plan[] = {
	{ "application", 0, 0 }, { "talk", 0, 14 }, { "activist_chosen", 3, 0 }, { "activist_filed", 3, 10 },
	{ "contacts_assigned", 3, 10 }, { "assessment", 9, 0 }, { "candidate_chosen", 16, 0 },
	{ "candidate_filed", 16, 10 }, { "political_review", 17, 0 }, { "training", 18, 0 },
	{ "committee_review", 19, 0 }, { "precheck", 19, 10 }, { "notice", 20, 0 }, { "form", 20, 14 },
	{ "assembly_vote", 21, 0 }, { "upper_talk", 21, 20 }, { "upper_approval", 22, 0 }, { "oath", 22, 7 },
	{ "full_application", 32, 15 }, { "full_vote", 33, 5 }, { "full_approval", 33, 25 }, { "archived", 34, 15 },
};
#define NPLAN (sizeof(plan) / sizeof(plan[0]))
#define VOTE_AT 14	/* index of assembly_vote */

/*
 * Enter person's history of joining, the first `nsteps` steps of the plan
 * from application day `app`, as records kept on paper before zhibu (补录):
 * inserted as they are, with their audit rows, without the transitions (the
 * demo people already carry their political status). Two full members of the
 * branch are named where the step wants two people.
 */
static int enter(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
		 int64_t person, int64_t org, const char *app, size_t nsteps, int64_t p1, int64_t p2)
{
	char now[24];
	int rc = DB_OK;

	ts_now(now);
	for (size_t i = 0; rc == DB_OK && i < nsteps && i < NPLAN; i++) {
		char on[11], end[11];
		int two = strcmp(plan[i].step, "contacts_assigned") == 0 || strcmp(plan[i].step, "form") == 0;
		int64_t id = 0;
		struct db_stmt *st;
		json_t *after;

		date_add_months(app, plan[i].months, plan[i].days, on);
		date_add_months(on, 0, 7, end);
		st = db_prepare(db, "INSERT INTO join_records (person_id, org_id, step, done_on, end_on, hours,"
				    " person1_id, person2_id, done_by, note, created_at, updated_at)"
				    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
		if (!st)
			return DB_EGENERIC;
		db_bindf(st, "iisssnnnssss", person, org, plan[i].step, on,
			 strcmp(plan[i].step, "notice") == 0 ? end : NULL, "党支部", "纸质档案补录", now, now);
		if (strcmp(plan[i].step, "training") == 0)
			db_bind_int(st, 6, 32);
		if (two && p1 && p2) {
			db_bind_int(st, 7, p1);
			db_bind_int(st, 8, p2);
		}
		rc = db_step(st);
		id = rc == DB_ROW ? db_col_int(st, 0) : 0;
		rc = rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
		db_finalize(st);
		if (rc != DB_OK)
			break;
		after = json_pack("{s:I, s:s, s:s, s:s}", "person_id", (json_int_t)person, "step", plan[i].step, "done_on",
				  on, "note", "纸质档案补录");
		rc = audit_append(db, k, who, "join_record", id, "create", NULL, after);
		json_decref(after);
	}
	(void)a;
	return rc;
}

/* Up to max rows of (id, org_id, a date column) from sql with one text parameter; count or DB_E*. */
struct prow { int64_t id, org; char date[64]; char path[256]; };
static long rows(struct db *db, const char *sql, const char *param, struct prow *out, long max)
{
	struct db_stmt *st = db_prepare(db, sql);
	long n = 0;
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, param);
	while ((rc = db_step(st)) == DB_ROW && n < max) {
		out[n].id = db_col_int(st, 0);
		out[n].org = db_col_int(st, 1);
		snprintf(out[n].date, sizeof(out[n].date), "%s", db_col_text(st, 2) ? db_col_text(st, 2) : "");
		snprintf(out[n].path, sizeof(out[n].path), "%s", db_col_text(st, 3) ? db_col_text(st, 3) : "");
		n++;
	}
	db_finalize(st);
	return rc == DB_DONE || rc == DB_ROW ? n : rc;
}

/* Two full members of the branch at path (for contacts and introducers), 0 when fewer. */
static void two_members(struct db *db, const char *path, int64_t *p1, int64_t *p2)
{
	struct prow r[2];
	long n = rows(db, "SELECT pe.id, pe.org_id, pe.birth_date, o.path FROM people pe JOIN orgs o ON o.id = pe.org_id"
			  " WHERE o.path LIKE ? AND pe.political_status = 'member' AND pe.status = 'active' ORDER BY pe.id",
		      path, r, 2);

	*p1 = n == 2 ? r[0].id : 0;
	*p2 = n == 2 ? r[1].id : 0;
}

/* The branch path of a person's org path under root_path: root_path plus the next segment. */
static void branch_of(const char *path, const char *root_path, char out[256])
{
	size_t rl = strlen(root_path);
	const char *slash = strncmp(path, root_path, rl) == 0 ? strchr(path + rl, '/') : NULL;

	snprintf(out, 256, "%.*s", slash ? (int)(slash - path + 1) : (int)strlen(path), path);
}

static int joining(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
		   const struct org *root)
{
	char like[260], bp[256];
	struct prow p[16];
	long n;
	int rc = DB_OK;
	/* the applicants' days: two applicants, two activists, two candidates, two in the final checks */
	static const struct { const char *app; size_t steps; } pre[] = {
		{ "2022-11-25", 1 }, { "2022-12-01", 2 }, { "2021-10-08", 6 }, { "2021-07-12", 6 },
		{ "2021-01-15", 10 }, { "2021-02-20", 10 }, { "2020-12-01", 14 }, { "2021-01-05", 12 },
	};

	snprintf(like, sizeof(like), "%s%%", root->path);
	n = rows(db, "SELECT pe.id, pe.org_id, pe.birth_date, o.path FROM people pe JOIN orgs o ON o.id = pe.org_id"
		     " WHERE o.path LIKE ? AND pe.political_status IN ('masses', 'league') AND pe.status = 'active'"
		     " AND pe.birth_date <= '2000-01-01' ORDER BY pe.id", like, p, 8);
	for (long i = 0; rc == DB_OK && n > 0 && i < n; i++) {
		int64_t p1, p2;
		branch_of(p[i].path, root->path, bp);
		snprintf(like, sizeof(like), "%s%%", bp);
		two_members(db, like, &p1, &p2);
		rc = enter(db, k, who, a, p[i].id, p[i].org, pre[i].app, pre[i].steps, p1, p2);
	}
	if (n < 0)
		return (int)n;
	/* the probationary members: their history up to the oath, the vote on the day they joined */
	snprintf(like, sizeof(like), "%s%%", root->path);
	n = rows(db, "SELECT pe.id, pe.org_id, pe.joined_on, o.path FROM people pe JOIN orgs o ON o.id = pe.org_id"
		     " WHERE o.path LIKE ? AND pe.political_status = 'probationary' AND pe.status = 'active'"
		     " AND pe.joined_on IS NOT NULL ORDER BY pe.id", like, p, 10);
	for (long i = 0; rc == DB_OK && n > 0 && i < n; i++) {
		char app[11];
		int64_t p1, p2;
		date_add_months(p[i].date, -plan[VOTE_AT].months, 0, app);
		branch_of(p[i].path, root->path, bp);
		snprintf(like, sizeof(like), "%s%%", bp);
		two_members(db, like, &p1, &p2);
		rc = enter(db, k, who, a, p[i].id, p[i].org, app, VOTE_AT + 4, p1, p2);
	}
	if (n < 0)
		return (int)n;
	/* three full members made full in 2022: the whole history, archived */
	snprintf(like, sizeof(like), "%s%%", root->path);
	n = rows(db, "SELECT pe.id, pe.org_id, pe.joined_on, o.path FROM people pe JOIN orgs o ON o.id = pe.org_id"
		     " WHERE o.path LIKE ? AND pe.political_status = 'member' AND pe.status = 'active'"
		     " AND pe.joined_on LIKE '2021-%' ORDER BY pe.id", like, p, 3);
	for (long i = 0; rc == DB_OK && n > 0 && i < n; i++) {
		char app[11];
		int64_t p1, p2;
		date_add_months(p[i].date, -plan[VOTE_AT].months, 0, app);
		branch_of(p[i].path, root->path, bp);
		snprintf(like, sizeof(like), "%s%%", bp);
		two_members(db, like, &p1, &p2);
		rc = enter(db, k, who, a, p[i].id, p[i].org, app, NPLAN, p1, p2);
	}
	return n < 0 ? (int)n : rc;
}

/*
 * The 2022 payments of member id, each month on its own row, with one audit
 * row for the year (the demo loads as the system; a payment made through
 * the API has its own row): some members stop paying in July (six months
 * behind at the year's end) or in October (three), some pay March late.
 */
static int year_paid(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id)
{
	int64_t monthly = 0, org = 0;
	json_t *months = json_array(), *after;
	char now[24];
	int rc = db_query_int(db, &monthly, "SELECT monthly_fen FROM dues_profiles WHERE person_id = ?", "i", id);

	if (rc >= 0)
		rc = db_query_int(db, &org, "SELECT org_id FROM people WHERE id = ?", "i", id);
	rc = rc < 0 ? rc : DB_OK;
	ts_now(now);
	for (int m = 1; rc == DB_OK && m <= 12; m++) {
		char month[24], paid[24], receipt[48];
		if (id % 29 == 0 && m >= 7)
			continue;	/* six months unpaid: the finding at 6 months */
		if (id % 31 == 0 && m >= 10)
			continue;	/* three months unpaid */
		snprintf(month, sizeof(month), "2022-%02d", m);
		if (id % 17 == 0 && m == 3)
			snprintf(paid, sizeof(paid), "2022-05-18");	/* paid back two months late */
		else
			snprintf(paid, sizeof(paid), "2022-%02d-%02d", m, 10 + (int)(id % 15));
		snprintf(receipt, sizeof(receipt), "DF%s-%05lld", month, (long long)id);
		rc = db_run(db, "INSERT INTO dues_payments (person_id, org_id, month, amount_fen, method, receipt_no,"
			    " paid_on, back, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iisisssiss",
			    id, org, month, monthly, id % 3 ? "cash" : "wechat", receipt, paid,
			    (int64_t)(strncmp(paid, month, 7) > 0), now, now);
		json_array_append_new(months, json_string(month));
	}
	after = json_pack("{s:I, s:I, s:o}", "person_id", (json_int_t)id, "monthly_fen", (json_int_t)monthly, "months",
			  months);
	if (rc == DB_OK)
		rc = audit_append(db, k, who, "dues_payment", id, "demo_year", NULL, after);
	json_decref(after);
	return rc;
}

/* The 2022 dues of every member who was one all year: profiles, monthly payments, a few in arrears. */
static int dues(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
		const struct org *root)
{
	char like[260];
	struct db_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;

	snprintf(like, sizeof(like), "%s%%", root->path);
	st = db_prepare(db, "SELECT pe.id FROM people pe JOIN orgs o ON o.id = pe.org_id WHERE o.path LIKE ?"
			    " AND pe.political_status = 'member' AND pe.status = 'active' AND pe.joined_on <= '2021-12-31'"
			    " ORDER BY pe.id");
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, like);
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			int64_t *g = realloc(ids, (cap ? cap * 2 : 256) * sizeof(*g));
			if (!g) {
				rc = DB_EGENERIC;
				break;
			}
			ids = g;
			cap = cap ? cap * 2 : 256;
		}
		ids[n++] = db_col_int(st, 0);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		free(ids);
		return rc < 0 ? rc : DB_EGENERIC;
	}
	rc = DB_OK;
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		int64_t id = ids[i], base = -1;
		const char *cat = "farmer";
		if (id % 8 == 0) {
			cat = "in_service";
			base = 280000 + (id * 7919) % 900000;	/* 2,800 to 11,800 yuan */
		} else if (id % 8 == 1) {
			cat = "retired";
			base = 350000 + (id * 104729) % 300000;
		}
		rc = members_dues_demo_profile(db, k, who, a, id, cat, base, "2022-01");
		if (rc == DB_OK)
			rc = year_paid(db, k, who, id);
	}
	free(ids);
	return rc;
}

/* Insert one transfer as the system with its audit row; the new id or DB_E*. */
static int64_t xfer(struct db *db, const struct keys *k, const struct audit_who *who, const char *kind,
		    int64_t person, const char *name, int64_t from, int64_t to, int64_t anc, const char *unit,
		    const char *letter, const char *issued, const char *valid, int cross, const char *paid_to,
		    const char *reason, const char *status, const char *requested_on)
{
	struct db_stmt *st = db_prepare(db,
		"INSERT INTO member_transfers (kind, person_id, person_name, from_org_id, to_org_id, ancestor_org_id,"
		" outside_unit, letter_no, issued_on, valid_until, cross_province, dues_paid_to, reason, status,"
		" requested_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" RETURNING id");
	char now[24];
	int64_t id = 0;
	int rc;
	json_t *after;

	if (!st)
		return DB_EGENERIC;
	ts_now(now);
	db_bindf(st, "snsnnnsssssssssss", kind, name, unit, letter, issued, valid, "0", paid_to, reason, status,
		 requested_on, now, now);
	if (person)
		db_bind_int(st, 2, person);
	if (from)
		db_bind_int(st, 4, from);
	if (to)
		db_bind_int(st, 5, to);
	if (anc)
		db_bind_int(st, 6, anc);
	db_bind_int(st, 11, cross);
	rc = db_step(st);
	id = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	after = json_pack("{s:s, s:s, s:s}", "kind", kind, "person_name", name, "status", status);
	rc = audit_append(db, k, who, "member_transfer", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

static int transfers(struct db *db, const struct keys *k, const struct audit_who *who, const struct org *root)
{
	char like[260], now[24];
	struct prow b[8], m[8];
	long nb;
	int64_t id;
	int rc;

	snprintf(like, sizeof(like), "%s%%", root->path);
	nb = rows(db, "SELECT id, parent_id, '', path FROM orgs WHERE path LIKE ? AND kind = 'branch' AND status = 'active'"
		      " ORDER BY path", like, b, 8);
	if (nb < 6)
		return nb < 0 ? (int)nb : DB_OK;
	/* one member of each of the first five branches, the latest joined first */
	for (int i = 0; i < 5; i++) {
		char bl[260];
		struct prow one[1];
		snprintf(bl, sizeof(bl), "%s%%", b[i].path);
		if (rows(db, "SELECT pe.id, pe.org_id, pe.name, o.path FROM people pe JOIN orgs o ON o.id = pe.org_id"
			     " WHERE o.path LIKE ? AND pe.political_status = 'member' AND pe.status = 'active'"
			     " AND pe.id NOT IN (SELECT person_id FROM dues_profiles WHERE person_id % 29 = 0)"
			     " ORDER BY pe.id DESC", bl, one, 1) != 1)
			return DB_OK;
		m[i] = one[0];
	}
	ts_now(now);
	/* internal, waiting for the township's approval */
	id = xfer(db, k, who, "internal", m[0].id, m[0].date, m[0].org, b[1].id, root->id, "", NULL, NULL, NULL, 0, NULL,
		  "到邻村务工定居", "requested", "2022-12-05");
	rc = id > 0 ? db_run(db, "INSERT INTO transfer_approvals (transfer_id, seq, org_id) VALUES (?, 1, ?)", "ii", id,
			     root->id) : (int)id;
	/* internal, approved, waiting for the receiving branch */
	if (rc == DB_OK) {
		id = xfer(db, k, who, "internal", m[2].id, m[2].date, m[2].org, b[3].id, root->id, "", NULL, NULL, NULL, 0,
			  NULL, "婚后随配偶居住", "approved", "2022-11-20");
		rc = id > 0 ? db_run(db, "INSERT INTO transfer_approvals (transfer_id, seq, org_id, decision, decided_on, note)"
					 " VALUES (?, 1, ?, 'approved', '2022-11-28', '同意')", "ii", id, root->id) : (int)id;
	}
	/* out: a letter to a unit in the league (盟), dues paid to October */
	if (rc == DB_OK) {
		id = xfer(db, k, who, "out", m[4].id, m[4].date, m[4].org, 0, 0, "阿拉善盟行政公署机关党委", "组转〔2022〕1号",
			  "2022-11-10", "2023-02-10", 0, "2022-10", "调入盟直机关工作", "requested", "2022-11-10");
		rc = id > 0 ? DB_OK : (int)id;
	}
	/* in: a letter from another province, registered, waiting for the person to be entered */
	if (rc == DB_OK) {
		id = xfer(db, k, who, "in", 0, "马晓军", 0, b[5].id, 0, "宁夏回族自治区银川市兴庆区丽景街道党工委",
			  "兴组转〔2022〕57号", "2022-12-02", "2023-06-02", 1, "2022-11", "返乡创业", "requested", "2022-12-06");
		rc = id > 0 ? DB_OK : (int)id;
	}
	/* floating members: two of ours working away, one from elsewhere taking part here */
	if (rc == DB_OK)
		rc = db_run(db, "INSERT INTO floating_members (direction, org_id, person_id, name, place, unit, contact,"
			    " from_date, note, created_at, updated_at) VALUES ('out', ?, ?, ?, '内蒙古呼和浩特市', '某建筑公司',"
			    " '微信联系', '2022-03-01', '每季度线上参加组织生活', ?, ?)", "iisss", m[1].org, m[1].id, m[1].date,
			    now, now);
	if (rc == DB_OK)
		rc = db_run(db, "INSERT INTO floating_members (direction, org_id, person_id, name, place, unit, contact,"
			    " from_date, note, created_at, updated_at) VALUES ('out', ?, ?, ?, '宁夏银川市', '个体经营',"
			    " '电话联系', '2022-05-15', '', ?, ?)", "iisss", m[3].org, m[3].id, m[3].date, now, now);
	if (rc == DB_OK)
		rc = db_run(db, "INSERT INTO floating_members (direction, org_id, name, place, unit, contact, from_date,"
			    " note, created_at, updated_at) VALUES ('in', ?, '李建平', '本嘎查', '甘肃省民勤县某村党支部',"
			    " '电话联系', '2022-04-10', '流入务工，持《流动党员活动证》', ?, ?)", "iss", b[0].id, now, now);
	return rc;
}

int members_demo_load(struct db *db, const struct keys *k, const struct audit_who *who, int64_t root_org_id)
{
	struct org root;
	struct arena a;
	int rc = org_load(db, root_org_id, &root);

	if (rc != 1)
		return rc < 0 ? rc : DB_EGENERIC;
	arena_init(&a, 0);
	rc = joining(db, k, who, &a, &root);
	if (rc == DB_OK)
		rc = dues(db, k, who, &a, &root);
	if (rc == DB_OK)
		rc = transfers(db, k, who, &root);
	arena_release(&a);
	return rc;
}
