/* members_internal.h - what the members module's files share: the pure joining and dues rules (unit-tested) and the helpers of its HTTP files; not for other modules. */
#ifndef ZB_MEMBERS_INTERNAL_H
#define ZB_MEMBERS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "members.h"
#include "../../auth/perm.h"
#include "../../base/err.h"

/* ---------------------------------------------------------------- joining: pure rules (members_rules.c) */

/* One step definition, a row of join_steps. */
struct join_def {
	char code[32];
	int seq;
	char stage[16];		/* the group it is shown under */
	char label[96];
	char after[32];		/* durations count from this step ("" none) */
	int min_months, min_days, max_months, max_days, repeat_months;
	int doc_required, needs_meeting, needs_people, min_hours, min_workdays;
	char transition[16];	/* the stage entered ("" none) */
	char rule[256];
	int upper;		/* decided by the level above: member.approve on the parent org */
};

/* A step already recorded (active), its date "YYYY-MM-DD". */
struct join_rec {
	const char *step;
	const char *done_on;
};

/* A step about to be recorded, with what the request gave. */
struct join_attempt {
	const char *step;
	const char *done_on;
	const char *end_on;	/* the notice's last day, NULL none */
	int hours;		/* class hours, 0 none */
	size_t nfiles;
	int has_meeting;
	int npeople;
	const char *late_reason;	/* lets a step past its deadline be recorded */
	const char *birth_date;
	const char *today;
	int ext_months;		/* the probation extension granted, 0 none */
	int min_age;
};

/* The stages in order, their Chinese labels; -1 / NULL when unknown. */
int join_stage_index(const char *stage);
const char *join_stage_label(const char *stage);

/* The definition of `code`, NULL when none. */
const struct join_def *join_def_find(const struct join_def *defs, size_t n, const char *code);

/*
 * Every rule a step must meet given the records so far (any order): the
 * step exists; every earlier step is done and this one is not (unless it
 * repeats and no later stage has begun); the date is real, not in the future
 * and not before any recorded step; age >= min_age at the application; the
 * minimum duration after its reference step (probation extended by
 * ext_months for the steps of the full stage counted from the assembly
 * vote); the maximum unless late_reason says why; the document, the meeting,
 * the two people, the class hours and the notice's working days. Each broken
 * rule goes into f under its field, in Chinese, naming the rule. 0 when clean.
 */
int join_check(const struct join_def *defs, size_t n, const struct join_rec *recs, size_t nr,
	       const struct join_attempt *a, struct zb_fail *f);

/*
 * The extension of probation: only while probationary (upper_approval done,
 * full_vote not), once (`already`), for min..max months, dated on or after the
 * assembly vote and not in the future. 0 when clean, else f is set.
 */
int join_check_extension(const struct join_rec *recs, size_t nr, int already, int months,
			 int min_months, int max_months, const char *decided_on, const char *today,
			 struct zb_fail *f);

/* Where a person stands: derived from the records, never stored. */
struct join_state {
	char stage[16];		/* "" before any record */
	const struct join_def *last;	/* latest step done (highest seq), NULL none */
	const char *last_on;
	const struct join_def *next;	/* next step due, NULL when complete */
	char due_from[11];	/* earliest date for next ("" none) */
	char due_by[11];	/* latest date for next ("" none) */
	char probation_end[11];	/* assembly vote + probation + extension ("" none) */
	const struct join_def *repeat;	/* a repeating step due again (assessment), NULL none */
	char repeat_due[11];	/* by when */
};
void join_state_of(const struct join_def *defs, size_t n, const struct join_rec *recs, size_t nr,
		   int ext_months, struct join_state *out /* OUT */);

/* ---------------------------------------------------------------- dates and months (pure) */

/* "YYYY-MM-DD" plus months (day clamped to the month's end) and days; out >= 11 bytes. -1 on a bad date. */
int date_add_months(const char *date, int months, int days, char *out);
/* Whole years from `from` to `to` (both "YYYY-MM-DD"); -1 when bad or to < from. */
int years_between(const char *from, const char *to);
/* Monday-to-Friday days in [from, to] (both included); 0 when to < from or bad. */
int weekdays_between(const char *from, const char *to);
/* "YYYY-MM" check, and month arithmetic: out >= 8 bytes. month_index: y*12 + m-1, -1 when bad. */
int month_valid(const char *m);
int64_t month_index(const char *m);
void month_from_index(int64_t i, char *out);

/* ---------------------------------------------------------------- dues: pure rules (members_rules.c) */

struct dues_rule {
	char category[32];
	int sort;
	int has_up_to;
	int64_t up_to_fen;
	int rate_bp;		/* 1/100 of a percent: 50 = 0.5% */
	int64_t fixed_fen;
};
enum dues_rounding { DUES_HALF_UP, DUES_DOWN, DUES_UP };
/* "half_up" / "down" / "up" -> the mode; -1 unknown. */
int dues_rounding_parse(const char *s);
/*
 * The monthly amount in fen for base_fen (monthly after-tax pay) in
 * category: the first rule of the category in sort order whose upper bound
 * is absent or >= base applies to the whole base (rate_bp), or its fixed
 * amount. Rounded by mode to a multiple of unit fen (1, 10 or 100). -1 when
 * the category has no rule, or the base is negative.
 */
int64_t dues_monthly(const struct dues_rule *rules, size_t n, const char *category, int64_t base_fen,
		     enum dues_rounding mode, int unit);

/* ---------------------------------------------------------------- shared by the HTTP files (members_common.c) */

/* An integer setting from the settings table, dflt when missing or malformed. */
int members_setting_int(struct db *db, const char *key, int dflt);
/* Every join step definition in seq order into *defs (malloc'd, caller frees). Count or DB_E*. */
long join_defs_load(struct db *db, struct join_def **defs /* OUT */);
/* Today in Asia/Shanghai as "YYYY-MM-DD". */
void members_today(char out[11]);
/* Answer the outcome of a refused or failed write inside the open transaction. 1 when rc is fine. */
int members_write_ok(struct req *r, int rc, struct zb_fail *f);
/* The body checked against fields; NULL when answered. */
struct json_field;
json_t *members_body(struct req *r, const struct json_field *fields, struct zb_fail *f);
/*
 * The person :name (path parameter) inside the caller's scope for `action`
 * (404 otherwise), loaded into w. 1 when it may go on.
 */
struct person_where;
int members_person_param(struct req *r, const char *name, const char *action,
			 struct person_where *w /* OUT */);
/* The org of the `org` query parameter inside the scope of action (path into arena); NULL absent; 1 ok / 0 answered. */
int members_org_param(struct req *r, const char *action, const char **path /* OUT */);
/* The path of the org above path ("/1/4/" -> "/1/"), "" for a root; out may be path. */
void members_parent_path(const char *path, char out[256]);
/* A person's name (arena copy), "" when unknown. */
const char *members_person_name(struct db *db, struct arena *a, int64_t id);

/*
 * Set a person's political status (and joined_on / full_member_on when not
 * NULL) as the joining steps decide, or move them to another org (org_id >
 * 0): an UPDATE of people done here, since people.h offers no narrower
 * writer than a full-record update, with an audit row on entity "person"
 * (so GET /people/:id/history shows it) and the version bumped. DB_OK or DB_E*.
 */
int members_person_set(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t person_id, const char *political_status, const char *joined_on,
		       const char *full_member_on, int64_t org_id, const char *why);

/* The joining JSON of a person (records, state, next step, standing). NULL on error. */
json_t *join_person_json(struct db *db, struct arena *a, int64_t person_id);

/* ---------------------------------------------------------------- dues and transfers for the findings and the demo */

/* The dues arrears findings (3 and 6 months), one per org and threshold (members_dues.c). */
int members_dues_arrears(const struct findings_query *q, struct findings *out);
/* The transfers waiting too long (members_transfer.c). */
int members_transfer_findings(const struct findings_query *q, struct findings *out);
/* Set a profile as the system (base_fen < 0: none). DB_OK or DB_E* (a refusal is DB_EGENERIC). */
int members_dues_demo_profile(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
			      int64_t person_id, const char *category, int64_t base_fen, const char *from_month);
#endif
