/* ledgers.h - the cadre ledgers (reserve cadres, graduates' assessments) and branch committee terms: the public face of the ledgers module. */
#ifndef ZB_LEDGERS_H
#define ZB_LEDGERS_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"

/*
 * The reserve-cadre ledger (后备干部台账) is the people module's reserve_cadre
 * flags plus details keyed by the flag's id: the flag is who is in the pool
 * and since when; ending it (已使用 / 已退出) is what takes a person out, so the
 * team-structure counts and the ledger always agree.
 *
 * Every writer below validates (bad fields into f, in Chinese, and 0
 * returned), writes inside the caller's open transaction with an audit row,
 * and returns the new id, or a negative DB_E* on a database failure. Used by
 * the API and the demo generator.
 */

/* Details of a reserve cadre's entry (strings borrowed; NULL = none). */
struct reserve_in {
	const char *source;		/* dict "reserve_source", required */
	const char *intended_post;	/* dict "position" */
	const char *outcome;		/* for an ended flag: "used" (已使用) or "exited" (已退出) */
	const char *outcome_reason;
	const char *remarks;
};
/* The details of flag `flag_id` (a reserve_cadre flag without details yet). Returns the details' id. */
int64_t reserve_details_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			       int64_t flag_id, const struct reserve_in *in, struct zb_fail *f);

/* A training course the reserve cadre of flag `flag_id` took (hours: class hours, 学时). */
int64_t reserve_training_insert(struct db *db, const struct keys *k, const struct audit_who *who,
				int64_t flag_id, const char *trained_on, const char *course,
				int64_t hours, const char *note, struct zb_fail *f);

/* An assessment as entered (strings borrowed; NULL = none). */
struct assessment_in {
	const char *kind;	/* the flag assessed: a subject of an assessment_months rule */
	const char *assessed_on;
	const char *period;	/* optional label, e.g. "2022年上半年" */
	const char *assessor;
	const char *rating;	/* dict "assessment_rating" */
	const char *remarks;
};
/* An assessment of a person who held the flag `kind` on in->assessed_on. */
int64_t assessment_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			  int64_t person_id, const struct assessment_in *in, struct zb_fail *f);

/*
 * A term of the committee of branch `org_id` (kind branch or general_branch)
 * elected on started_on, lasting `years` (0 = the term_years rule for the
 * org's category).
 */
int64_t term_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t org_id, const char *started_on, int years, const char *note,
		    struct zb_fail *f);

/* The value of a ledger rule (ledger_rules), or dflt when there is none. */
int ledger_rule_value(struct db *db, const char *rule, const char *subject, int dflt);

/* Route handlers: reserves_http.c, assessments_http.c, terms_http.c. */
void reserves_http_list(struct req *r);
void reserves_http_create(struct req *r);
void reserves_http_get(struct req *r);
void reserves_http_update(struct req *r);
void reserves_http_training(struct req *r);
void reserves_http_status(struct req *r);
void graduates_http_list(struct req *r);
void assessments_http_due(struct req *r);
void assessments_http_list(struct req *r);
void assessments_http_create(struct req *r);
void assessments_http_update(struct req *r);
void terms_http_list(struct req *r);
void terms_http_create(struct req *r);
void terms_http_update(struct req *r);
void ledger_rules_http_list(struct req *r);
void ledger_rules_http_update(struct req *r);

#endif
