/* honours_internal.h - what honours.c offers the module's HTTP, public, register, findings and demo files; not for other modules. */
#ifndef ZB_HONOURS_INTERNAL_H
#define ZB_HONOURS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "honours.h"
#include "../../auth/perm.h"
#include "../../base/err.h"

/* Outcome of a write: DB_OK, HW_REFUSED (the reason is in the zb_fail: a
 * validation error, ZB_ECONFLICT for a stale version or a wrong state,
 * ZB_ENOTFOUND) or a negative DB_E*. */
#define HW_REFUSED 1

/* A category of the dictionary honour_category, its tags read. */
struct hcat {
	char code[48];
	char label[128];
	char kind[64];		/* person, household, org */
	char level[64];		/* township, banner, ... ("" none) */
	char rule[64];		/* party_member, party_post, "" none */
	int active;
};
/* Load one category: 1 found, 0 not, or a negative DB_E*. */
int hcat_load(struct db *db, const char *code, struct hcat *out /* OUT */);
/* Parse dictionary tags into kind / level / rule (pure; unit-tested). */
void hcat_parse_tags(const char *tags, struct hcat *c /* OUT: kind, level, rule */);
const char *hcat_rule_label(const char *rule);	/* Chinese, "" when none */
const char *honour_kind_label(const char *kind);	/* 个人 / 家庭 / 组织 */
const char *honour_status_label(const char *status);	/* nominations */
const char *round_status_label(const char *status);

/* A round as stored, with its org. Dates "" when unset. */
struct hround {
	int64_t id, org_id, year, notice_days, version;
	char org_path[256];
	char org_name[256];
	char category[48];
	char title[256];
	char status[16];
	char notice_from[11];
	char notice_to[11];
	char decided_on[11];
};
int hround_load(struct db *db, int64_t id, struct hround *out /* OUT */);
/* 1 when a caller with scope s may see round rd (its org or a part of its subtree). */
int hround_visible(const struct scope *s, const char *round_path);

/* A nomination's place: its round, org and state. */
struct hnom {
	int64_t id, round_id, org_id, nominee_id, version;
	char org_path[256];
	char kind[16];
	char status[16];
};
int hnom_load(struct db *db, int64_t id, struct hnom *out /* OUT */);

/* The notice: the first working day on or after from, and the last of `days` working days. */
void honour_notice_period(struct db *db, int64_t from, int days, int64_t *start /* OUT */,
			  int64_t *end /* OUT */);
/* The shortest notice allowed (setting honour_notice_min_days, default 5). */
int honour_notice_min(struct db *db);

struct hlink { const char *kind; int64_t id; };
struct hnom_in {
	int64_t org_id;
	int64_t nominee_id;
	const char *reason;
	const struct hlink *links;
	size_t nlinks;
};

/* today: the day the write happens (date_to_days), for dates stored and checks. */
int64_t hnom_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    const struct hround *rd, const struct hnom_in *in, struct zb_fail *f);
int hnom_review(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		int64_t version, int approve, const char *note, int64_t today, struct zb_fail *f);
int hnom_withdraw(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		  int64_t version, const char *reason, struct zb_fail *f);
int hround_notice(struct db *db, const struct keys *k, const struct audit_who *who,
		  const struct hround *rd, int64_t version, int64_t from, int64_t today,
		  struct zb_fail *f);
int hround_decide(struct db *db, const struct keys *k, const struct audit_who *who,
		  const struct hround *rd, int64_t version, int64_t today, struct zb_fail *f);
/* received: the day it came in; it must lie inside the round's notice. */
int64_t hobj_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t nomination_id, const char *source, const char *text, int64_t received,
		    struct zb_fail *f);
int hobj_handle(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		int64_t version, int upheld, const char *reason, int64_t today, struct zb_fail *f);

struct hround_in {
	int64_t org_id, year, notice_days;
	const char *category, *title, *note;
	const int64_t *quota_org;	/* nquotas pairs */
	const int64_t *quota;
	size_t nquotas;
};
int64_t hround_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		      const struct hround_in *in, struct zb_fail *f);
int hround_update(struct db *db, const struct keys *k, const struct audit_who *who,
		  const struct hround *rd, int64_t version, const struct hround_in *in,
		  struct zb_fail *f);

/* JSON. s (may be NULL = everything) limits the nominations to the caller's scope. */
json_t *hround_json(struct db *db, const struct hround *rd, const struct scope *s, int detail);
json_t *hnom_json(struct db *db, int64_t id, int detail);

/* 1 when text carries markup or control characters: into f under field (Chinese). */
void honour_text_check(struct zb_fail *f, const char *field, const char *label, const char *s);

#endif
