/* meetings_internal.h - what meetings.c offers the meetings' HTTP and compliance files; not for other modules. */
#ifndef ZB_MEETINGS_INTERNAL_H
#define ZB_MEETINGS_INTERNAL_H

#include <stddef.h>
#include "meetings.h"
#include "../rules/rules.h"

/* Outcome of an update: negative values are DB_E* errors. */
enum {
	MW_OK = WRITE_OK,
	MW_INVALID = WRITE_INVALID,		/* refused, reasons in the zb_fail */
	MW_STALE = WRITE_STALE,		/* the version read is no longer current (or the state changed) */
};
#define MW_STALE_ID (-100)	/* meeting_correct: stale */

/* The Party members of an org's subtree, for attendance and quorum. */
struct member {
	int64_t id;
	int voting;		/* full member */
};
struct member_list {
	struct member *v;
	size_t n, cap;
};
long member_list_load(struct db *db, const char *org_path, struct member_list *ml /* OUT */);
void member_list_free(struct member_list *ml);
const struct member *member_find(const struct member_list *ml, int64_t id);

/* 出席 / 请假 / 缺席 for present / leave / absent; NULL when unknown. */
const char *meeting_att_label(const char *code);
/* A kind of org that holds meetings: branch, general_branch, party_group. */
int meeting_org_kind_ok(const char *kind);

/* The checks meeting_insert runs (bad fields into f): for answers that name every bad field. */
void meeting_check(struct db *db, const struct meeting_in *in, struct zb_fail *f);

/*
 * The `org` query parameter as the path of an org inside scope s (arena
 * copy); NULL when absent. A malformed or out-of-scope org: 404 in f.
 */
struct scope;
const char *meetings_org_param(struct req *r, const struct scope *s, struct zb_fail *f);

/* Replace an open meeting's fields, types and attendance with the version read (MW_* or DB_E*). */
int meeting_update(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		   int64_t version, const struct meeting_in *in, struct zb_fail *f);
/* Close (lock) an open meeting (MW_OK, MW_STALE or DB_E*). */
int meeting_close(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		  int64_t version);
/*
 * Correct the closed meeting id: a new closed row linked to it with `reason`,
 * and id marked superseded. The new id, 0 when refused (f), MW_STALE_ID, or DB_E*.
 */
int64_t meeting_correct(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t id, int64_t version, const struct meeting_in *in,
			const char *reason, struct zb_fail *f);

/* ---- the meetings judged by the rules engine (compliance.c) ---- */

/* An org evaluated, with what the answers show of it. */
struct compliance_org {
	int64_t id;
	const char *path, *name, *kind;
};

/* One evaluation: the orgs in a subtree of the scope, the meeting rules, the result. */
struct compliance_eval {
	struct compliance_org *orgs;
	struct rule_org *rorgs;
	size_t norg;
	struct rule_req *reqs;
	size_t nreq;
	struct rule_result res;
	json_t *labels;		/* meeting_type code -> 中文 */
	int64_t from, to, as_of;
};

/*
 * Evaluate the meeting rules for the branches, general branches and party
 * groups in scope s (and path LIKE `like`, "/1/4/%", when not NULL) over the
 * periods intersecting [from, to], judged on as_of; strings from `arena`.
 * DB_OK (free e with compliance_eval_free) or DB_E* (e already released).
 */
struct arena;
int compliance_evaluate(struct db *db, struct arena *arena, const struct scope *s,
			const char *like, int64_t from, int64_t to, int64_t as_of,
			struct compliance_eval *e /* OUT */);
void compliance_eval_free(struct compliance_eval *e);

#endif
