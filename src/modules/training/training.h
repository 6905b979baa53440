/* training.h - training classes (培训班), their sessions (场次) and attendance, and training coverage: the public face of the training module. */
#ifndef ZB_TRAINING_H
#define ZB_TRAINING_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"

/*
 * A class is organised by one org (the township, a branch...) for a year; it
 * is visible to whoever reads its organiser's subtree and to everyone below
 * the organiser (a township class is seen by every branch). Sessions carry
 * the date; a make-up session (补课) names the session of the same class it
 * makes up. Attendance is the set of people present at a session.
 *
 * Coverage counts, per branch and general branch, the party members
 * (political status member or probationary, active, joined by the end of the
 * year or with no join date) of its subtree, party groups rolling up into
 * their branch, and of those the ones present at one session or more of any
 * class held that year, make-up sessions included. The figure "sessions"
 * counts regular sessions only; make-up sessions are counted apart
 * ("makeup_sessions"), so the seed's "两期6场次" reads 2 classes, 6 sessions.
 *
 * Every writer below validates (bad fields into f, in Chinese, and 0
 * returned), writes inside the caller's open transaction with an audit row,
 * and returns the new id, or a negative DB_E*. Used by the API and the demo.
 */

/* A class as entered (strings borrowed; NULL = none). */
struct training_class_in {
	int64_t org_id;		/* the organiser */
	const char *title;
	int64_t year;
	const char *audience;
	const char *start_on;	/* "YYYY-MM-DD", within `year` */
	const char *end_on;	/* on or after start_on, within `year` */
};
int64_t training_class_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			      const struct training_class_in *in, struct zb_fail *f);

/* A session as entered; makeup_of 0 = a regular session. */
struct training_session_in {
	const char *held_on;	/* within the class's start and end dates */
	const char *topic;
	const char *lecturer;
	const char *place;
	int64_t makeup_of;	/* a regular session of the same class */
};
int64_t training_session_insert(struct db *db, const struct keys *k,
				const struct audit_who *who, int64_t class_id,
				const struct training_session_in *in, struct zb_fail *f);

/*
 * For the demo generator: mark present at session_id the party members of
 * the subtree at org_path who had joined by the end of the session's year
 * (as coverage counts them), at most
 * `limit` of them (0 = all) in the order they were registered; one statement
 * and one audit row. Returns the number added or a negative DB_E*.
 */
int64_t training_attend_members(struct db *db, const struct keys *k, const struct audit_who *who,
				int64_t session_id, const char *org_path, int64_t limit);

/*
 * For the demo generator: a study record on `platform` for `period`
 * ("YYYY-MM") for the first `limit` party members registered in the subtree
 * at org_path, the score `base` plus a fixed spread; one statement and one
 * audit row. Returns the number added or a negative DB_E*.
 */
int64_t study_demo_records(struct db *db, const struct keys *k, const struct audit_who *who,
			   const char *org_path, int64_t limit, const char *platform,
			   const char *period, int64_t base);

/* Route handlers (training_http.c, coverage.c, study.c). */
void training_http_list(struct req *r);
void training_http_get(struct req *r);
void training_http_create(struct req *r);
void training_http_update(struct req *r);
void training_http_session_create(struct req *r);
void training_http_session_update(struct req *r);
void training_http_attendance_get(struct req *r);
void training_http_attendance_put(struct req *r);
void training_http_coverage(struct req *r);
void study_http_import(struct req *r);
void study_http_list(struct req *r);

#endif
