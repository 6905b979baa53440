/* meetings.h - meetings of branches and party groups (三会一课 and more): the public face of the meetings module and its compliance endpoints. */
#ifndef ZB_MEETINGS_H
#define ZB_MEETINGS_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"

/* One member's attendance: status "present" (出席), "leave" (请假, reason required), "absent" (缺席). */
struct meeting_att {
	int64_t person_id;
	const char *status;
	const char *reason;
};

/* A meeting as entered (strings borrowed; NULL = none). */
struct meeting_in {
	int64_t org_id;		/* a branch, general branch or party group */
	const char *held_on;
	const char *place;
	int64_t host_id;	/* 0 = none; else a member of the org */
	const char *topic;
	const char *agenda;
	const char *minutes;
	int vote;		/* a branch assembly that votes: quorum checked */
	const char *const *types;	/* codes of dict meeting_type */
	int ntypes;
	const struct meeting_att *att;
	int natt;
};

/*
 * Check `in` (every bad field into f, in Chinese) and, when clean, insert the
 * meeting with its types and attendance and an audit row, inside the caller's
 * open transaction. `previous_id` (0 = none) makes it a correction of that
 * closed meeting with `reason`: the new row is closed at once and the old one
 * marked superseded. `closed` inserts it closed (the demo's past meetings).
 * Returns the new id, 0 when refused (f set), or a negative DB_E*.
 */
int64_t meeting_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		       const struct meeting_in *in, int closed, int64_t previous_id,
		       const char *reason, struct zb_fail *f);

/* The meeting as API JSON (types, attendance, quorum figures); NULL when missing. */
json_t *meeting_json(struct db *db, int64_t id);

/*
 * The demo township's 2022 meetings (meetings_demo.c) for every branch and
 * party group under the root, inside the caller's transaction: a mix of
 * compliant and non-compliant branches. DB_OK or DB_E*.
 */
int meetings_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t root_org_id);

/* Route handlers: meetings_http.c and compliance.c. */
void meetings_http_list(struct req *r);
void meetings_http_get(struct req *r);
void meetings_http_create(struct req *r);
void meetings_http_update(struct req *r);
void meetings_http_close(struct req *r);
void meetings_http_correct(struct req *r);
void compliance_http_table(struct req *r);
void compliance_http_export(struct req *r);	/* compliance_export.c */

/* The meetings' findings provider (see rules/findings.h). */
struct findings_query;
struct findings;
int meetings_findings(const struct findings_query *q, struct findings *out);

#endif
