/* meetings_demo.c - the demo township's 2022 meetings: a deterministic pass in which most branches keep every rule and a few do not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "meetings.h"
#include "meetings_internal.h"
#include "../orgs/orgs.h"

#define MAX_ORGS 128

/* The orgs that hold meetings, in path order (deterministic). */
struct demo_orgs {
	struct { int64_t id; char path[256]; int group; } v[MAX_ORGS];
	int n;
};

static int collect(void *arg, const struct org *o)
{
	struct demo_orgs *d = arg;

	if (d->n < MAX_ORGS && strcmp(o->status, "active") == 0 && meeting_org_kind_ok(o->kind)) {
		d->v[d->n].id = o->id;
		snprintf(d->v[d->n].path, sizeof(d->v[d->n].path), "%s", o->path);
		d->v[d->n].group = strcmp(o->kind, "party_group") == 0;
		d->n++;
	}
	return 0;
}

/* Attendance of every member for an assembly: most present, some on leave or absent. */
static int assembly_attendance(struct db *db, const char *path, int seed, struct meeting_att *att,
			       int max, int *n)
{
	struct member_list ml;
	long rc = member_list_load(db, path, &ml);

	*n = 0;
	if (rc < 0)
		return (int)rc;
	for (size_t i = 0; i < ml.n && *n < max; i++) {
		int x = (int)((ml.v[i].id * 7 + seed) % 17);
		att[*n].person_id = ml.v[i].id;
		att[*n].status = x == 0 ? "leave" : x == 1 ? "absent" : "present";
		att[*n].reason = x == 0 ? "外出务工" : NULL;
		(*n)++;
	}
	member_list_free(&ml);
	return DB_OK;
}

/*
 * Which branches break which rule in 2022 (by their order among the
 * branches): 1, 6, 11, 16 skip one month's committee meeting (yellow);
 * 3 and 13 skip the second quarter's member assembly (red: severity high);
 * 8 skips two committee meetings (red: two missing). Everyone else keeps
 * every rule: a committee meeting and a theme day each month, an assembly
 * and a Party lesson each quarter, the life meeting and the review in
 * December, and a meeting of each party group each month.
 */
static int skips_committee(int b, int month)
{
	if (b % 5 == 1 && b < 20)
		return month == 2 + b % 9;
	if (b == 8)
		return month == 4 || month == 8;
	return 0;
}

int meetings_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t root_org_id)
{
	struct demo_orgs *dp = calloc(1, sizeof(*dp));
	struct meeting_att att[200];
	struct org root;
	struct zb_fail f;
	int rc = org_load(db, root_org_id, &root), branch = 0;

	if (rc != 1 || !dp) {
		free(dp);
		return rc < 0 ? rc : DB_EGENERIC;
	}
	rc = orgs_walk(db, root.path, collect, dp);
	zb_fail_init(&f);
	for (int o = 0; rc == DB_OK && o < dp->n; o++) {
		int b = dp->v[o].group ? -1 : branch++;
		for (int m = 1; rc == DB_OK && m <= 12; m++) {
			const char *types[6];
			struct meeting_in in = { 0 };
			char day[32], topic[64];
			int nt = 0, natt = 0;

			if (dp->v[o].group) {
				types[nt++] = "group_meeting";
				snprintf(day, sizeof(day), "2022-%02d-%02d", m, 10 + o % 15);
				snprintf(topic, sizeof(topic), "%d月党小组学习会", m);
			} else {
				if (!skips_committee(b, m))
					types[nt++] = "branch_committee";
				types[nt++] = "theme_day";
				if (m % 3 == 0 && !(m == 6 && (b == 3 || b == 13)))
					types[nt++] = "branch_assembly";
				if (m % 3 == 0)
					types[nt++] = "party_lesson";
				if (m == 12) {
					types[nt++] = "life_meeting";
					types[nt++] = "member_review";
				}
				snprintf(day, sizeof(day), "2022-%02d-%02d", m, 5 + b % 20);
				snprintf(topic, sizeof(topic), "%d月主题党日暨组织生活", m);
				if (m % 3 == 0)
					rc = assembly_attendance(db, dp->v[o].path, m, att, 200, &natt);
			}
			in.org_id = dp->v[o].id;
			in.held_on = day;
			in.place = dp->v[o].group ? "党员活动室" : "党群服务中心";
			in.topic = topic;
			in.types = types;
			in.ntypes = nt;
			in.att = att;
			in.natt = natt;
			if (rc == DB_OK) {
				int64_t id = meeting_insert(db, k, who, &in, 1, 0, NULL, &f);
				rc = id > 0 ? DB_OK : id < 0 ? (int)id : DB_EGENERIC;
			}
		}
	}
	zb_fail_release(&f);
	free(dp);
	return rc;
}
