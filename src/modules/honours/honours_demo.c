/* honours_demo.c - the demo township's 2022 honours: one decided round per category, nominated by the branches, reviewed, publicly noticed and awarded, so the register gives 20 / 10 / 2 / 10 / 5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "honours_internal.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/date.h"

#define MAX_UNITS 64
#define MAX_HH 4000

struct unit {
	int64_t id;
	char path[256];
	char name[256];
};

struct demo {
	struct db *db;
	const struct keys *k;
	const struct audit_who *who;
	int64_t root;
	struct unit u[MAX_UNITS];
	int n;
};

/* The branches and general branches, in path order. */
static int collect(void *arg, const struct org *o)
{
	struct demo *d = arg;

	if (d->n < MAX_UNITS && strcmp(o->status, "active") == 0 &&
	    (strcmp(o->kind, "branch") == 0 || strcmp(o->kind, "general_branch") == 0)) {
		d->u[d->n].id = o->id;
		snprintf(d->u[d->n].path, sizeof(d->u[d->n].path), "%s", o->path);
		snprintf(d->u[d->n].name, sizeof(d->u[d->n].name), "%s", o->name);
		d->n++;
	}
	return 0;
}

static int64_t day_of(const char *iso)
{
	struct ymd y;
	return date_parse_iso(iso, &y) == 0 ? date_to_days(y) : 0;
}

static int refused(const char *what, struct zb_fail *f)
{
	char *fields = f->fields ? json_dumps(f->fields, JSON_COMPACT) : NULL;

	fprintf(stderr, "honours demo: %s refused: %s %s\n", what, f->message, fields ? fields : "");
	free(fields);
	zb_fail_release(f);
	return DB_EGENERIC;
}

/* A round of category in 2022 under the township, quotas of one per unit for the first nq units (0: none). */
static int64_t open_round(struct demo *d, const char *category, int nq, struct hround *rd)
{
	struct hround_in in;
	int64_t orgs[MAX_UNITS], quota[MAX_UNITS];
	struct zb_fail f;
	int64_t id;

	memset(&in, 0, sizeof(in));
	for (int i = 0; i < nq && i < d->n; i++) {
		orgs[i] = d->u[i].id;
		quota[i] = 1;
	}
	in.org_id = d->root;
	in.year = 2022;
	in.category = category;
	in.notice_days = 5;
	in.note = "镇党委2022年度评先评优";
	in.quota_org = orgs;
	in.quota = quota;
	in.nquotas = (size_t)(nq < d->n ? nq : d->n);
	zb_fail_init(&f);
	id = hround_insert(d->db, d->k, d->who, &in, &f);
	if (id == 0)
		return refused(category, &f);
	zb_fail_release(&f);
	if (id < 0)
		return id;
	return hround_load(d->db, id, rd) == 1 ? id : DB_EGENERIC;
}

/* Nominate and approve (reviewed on 2022-11-15). Returns the nomination id or <0. */
static int64_t nominate(struct demo *d, const struct hround *rd, int64_t org, int64_t nominee, const char *reason)
{
	struct hnom_in in = { org, nominee, reason, NULL, 0 };
	struct zb_fail f;
	int64_t id;
	int rc;

	zb_fail_init(&f);
	id = hnom_insert(d->db, d->k, d->who, rd, &in, &f);
	if (id == 0)
		return refused("nomination", &f);
	if (id < 0) {
		zb_fail_release(&f);
		return id;
	}
	rc = hnom_review(d->db, d->k, d->who, id, 1, 1, "经镇党委审核，同意推荐", day_of("2022-11-15"), &f);
	if (rc == HW_REFUSED)
		return refused("review", &f);
	zb_fail_release(&f);
	return rc < 0 ? rc : id;
}

/* Notice from 2022-11-21 (five working days) and the decision on 2022-12-01. */
static int notice(struct demo *d, struct hround *rd)
{
	struct zb_fail f;
	int rc;

	zb_fail_init(&f);
	if (hround_load(d->db, rd->id, rd) != 1)
		return DB_EGENERIC;
	rc = hround_notice(d->db, d->k, d->who, rd, rd->version, day_of("2022-11-21"), day_of("2022-11-21"), &f);
	if (rc == HW_REFUSED)
		return refused("notice", &f);
	zb_fail_release(&f);
	return rc;
}

static int decide(struct demo *d, struct hround *rd)
{
	struct zb_fail f;
	int rc;

	zb_fail_init(&f);
	if (hround_load(d->db, rd->id, rd) != 1)
		return DB_EGENERIC;
	rc = hround_decide(d->db, d->k, d->who, rd, rd->version, day_of("2022-12-01"), &f);
	if (rc == HW_REFUSED)
		return refused("decision", &f);
	zb_fail_release(&f);
	return rc;
}

/* The first active person of the subtree matching `cond` (SQL on p and the post), not in excl; 0 none. */
static int64_t pick_person(struct demo *d, const char *path, const char *sql, int64_t excl)
{
	char like[300];
	struct db_stmt *st = db_prepare(d->db, sql);
	int64_t id = 0;

	snprintf(like, sizeof(like), "%s%%", path);
	if (st) {
		db_bindf(st, "si", like, excl);
		if (db_step(st) == DB_ROW)
			id = db_col_int(st, 0);
	}
	db_finalize(st);
	return id;
}

static const char SQL_POST_HOLDER[] =
	"SELECT p.id FROM people p JOIN orgs o ON o.id = p.org_id JOIN positions s ON s.person_id = p.id"
	" WHERE o.path LIKE ? AND p.id <> ? AND p.status = 'active'"
	" AND s.started_on <= '2022-12-31' AND (s.ended_on IS NULL OR s.ended_on >= '2022-01-01')"
	" AND s.title IN ('party_secretary', 'party_deputy', 'party_member', 'group_leader')"
	" ORDER BY CASE s.title WHEN 'party_secretary' THEN 0 WHEN 'party_deputy' THEN 1 ELSE 2 END, p.id LIMIT 1";
static const char SQL_MEMBER[] =
	"SELECT p.id FROM people p JOIN orgs o ON o.id = p.org_id WHERE o.path LIKE ? AND p.id <> ?"
	" AND p.status = 'active' AND p.political_status = 'member' AND p.full_member_on <= '2021-12-31'"
	" AND NOT EXISTS (SELECT 1 FROM positions s WHERE s.person_id = p.id) ORDER BY p.id LIMIT 1";

/*
 * The demo's offices, school and enterprise branches have no posts on
 * record: their party-affairs worker is made a party group leader (党小组组长,
 * outside the 两委 figures) from 2021, so the honour rests on a record.
 * Returns the person, 0 when the branch has no full member, or <0.
 */
static int64_t appoint(struct demo *d, const struct unit *u)
{
	static const char sql[] =
		"SELECT p.id FROM people p JOIN orgs o ON o.id = p.org_id WHERE o.path LIKE ? AND p.id <> ?"
		" AND p.status = 'active' AND p.political_status = 'member' ORDER BY p.id LIMIT 1";
	int64_t p = pick_person(d, u->path, sql, 0), id;
	struct zb_fail f;

	if (!p)
		return 0;
	zb_fail_init(&f);
	id = position_insert(d->db, d->k, d->who, p, u->id, "group_leader", "2021-01-01", NULL,
			     "兼任支部党务工作者", &f);
	if (id == 0 || f.err)
		return refused("group leader", &f);
	zb_fail_release(&f);
	return id < 0 ? id : p;
}

static int people_rounds(struct demo *d)
{
	struct hround rd;
	int64_t nom = 0, last = 0, oid;
	struct zb_fail f;
	int rc;

	/* 优秀党务工作者: one per branch, 20 */
	if (open_round(d, "excellent_worker", d->n, &rd) < 0)
		return DB_EGENERIC;
	for (int i = 0; i < d->n; i++) {
		int64_t p = pick_person(d, d->u[i].path, SQL_POST_HOLDER, 0);
		if (!p && (p = appoint(d, &d->u[i])) < 0)
			return (int)p;
		if (!p)
			continue;
		nom = nominate(d, &rd, d->u[i].id, p, "认真履行党务工作职责，“三会一课”记录完整规范，党员发展和教育管理扎实，支部组织生活质量明显提升。");
		if (nom < 0)
			return (int)nom;
	}
	if ((rc = notice(d, &rd)) != DB_OK || (rc = decide(d, &rd)) != DB_OK)
		return rc;

	/* 优秀共产党员: 11 branches nominate, one objection upheld, 10 awarded */
	if (open_round(d, "excellent_member", 11, &rd) < 0)
		return DB_EGENERIC;
	for (int i = 0, done = 0; i < d->n && done < 11; i++) {
		int64_t p = pick_person(d, d->u[i].path, SQL_MEMBER, 0);
		if (!p)
			continue;
		last = nominate(d, &rd, d->u[i].id, p, "带头学习贯彻党的二十大精神，在网格联系户、为群众办实事中发挥先锋模范作用，群众评价好。");
		if (last < 0)
			return (int)last;
		done++;
	}
	if ((rc = notice(d, &rd)) != DB_OK)
		return rc;
	zb_fail_init(&f);
	oid = hobj_insert(d->db, d->k, d->who, last, "public", "群众反映该同志2022年有三个月未参加支部组织生活，与推荐材料不符。",
			  day_of("2022-11-23"), &f);
	if (oid == 0)
		return refused("objection", &f);
	if (oid < 0) {
		zb_fail_release(&f);
		return (int)oid;
	}
	rc = hobj_handle(d->db, d->k, d->who, oid, 1, 1, "经核实会议记录，该同志6月至8月未参加组织生活，异议成立，撤销推荐。",
			 day_of("2022-11-24"), &f);
	if (rc == HW_REFUSED)
		return refused("objection handling", &f);
	zb_fail_release(&f);
	if (rc != DB_OK)
		return rc;
	return decide(d, &rd);
}

/* Households: the rank-th active household of each of the first `units` branches that have one. */
struct hh { int64_t id, org; };

static int household_rounds(struct demo *d)
{
	static const struct { const char *category; int units; int rank; const char *reason; } t[] = {
		{ "ten_star_household", 2, 2, "家庭和睦、勤劳致富、崇德向善、热心公益，“十星”标准全部达到。" },
		{ "civilized_family", 10, 0, "尊老爱幼、邻里和睦、移风易俗，积极参与嘎查（社区）公益活动。" },
		{ "beautiful_family", 5, 1, "家风淳朴、孝老爱亲，疫情防控期间主动担任志愿者，事迹感人。" },
	};
	struct hh *v = malloc(MAX_HH * sizeof(*v));
	size_t n = 0;
	struct db_stmt *st;
	int rc = DB_OK;

	if (!v)
		return DB_EGENERIC;
	st = db_prepare(d->db, "SELECT h.id, g.org_id FROM households h JOIN grids g ON g.id = h.grid_id"
			       " JOIN orgs o ON o.id = g.org_id JOIN orgs t ON t.id = ? WHERE o.path LIKE t.path || '%'"
			       " AND h.status = 'active' ORDER BY o.path, h.id");
	if (st)
		db_bind_int(st, 1, d->root);
	while (st && n < MAX_HH && db_step(st) == DB_ROW) {
		v[n].id = db_col_int(st, 0);
		v[n].org = db_col_int(st, 1);
		n++;
	}
	db_finalize(st);
	for (size_t c = 0; rc == DB_OK && c < sizeof(t) / sizeof(t[0]); c++) {
		struct hround rd;
		int units = 0;
		if (open_round(d, t[c].category, 0, &rd) < 0) {
			rc = DB_EGENERIC;
			break;
		}
		for (size_t i = 0; rc == DB_OK && i < n && units < t[c].units; i++) {
			int64_t id;
			if (i > 0 && v[i - 1].org == v[i].org)
				continue;	/* the first of each branch only */
			if (i + (size_t)t[c].rank >= n || v[i + (size_t)t[c].rank].org != v[i].org)
				continue;
			id = nominate(d, &rd, v[i].org, v[i + (size_t)t[c].rank].id, t[c].reason);
			if (id < 0)
				rc = (int)id;
			units++;
		}
		if (rc == DB_OK)
			rc = notice(d, &rd);
		if (rc == DB_OK)
			rc = decide(d, &rd);
	}
	free(v);
	return rc;
}

int honours_demo_load(struct db *db, const struct keys *k, const struct audit_who *who, int64_t root_org_id)
{
	struct demo *d = calloc(1, sizeof(*d));
	struct org root;
	int rc;

	if (!d)
		return DB_EGENERIC;
	d->db = db;
	d->k = k;
	d->who = who;
	d->root = root_org_id;
	rc = org_load(db, root_org_id, &root) == 1 ? DB_OK : DB_EGENERIC;
	if (rc == DB_OK)
		rc = orgs_walk(db, root.path, collect, d);
	if (rc == DB_OK)
		rc = people_rounds(d);
	if (rc == DB_OK)
		rc = household_rounds(d);
	free(d);
	return rc;
}
