/* people.h - people, their leadership-team positions and dated flags: the public face of the people module. */
#ifndef ZB_PEOPLE_H
#define ZB_PEOPLE_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"

/*
 * A person as entered (strings borrowed; NULL = not given). Dictionary
 * fields hold codes: gender (male/female), ethnicity ("01" 汉族 ...),
 * education, political_status. The ID number is checked (GB 11643) and must
 * agree with birth_date and gender; it is stored encrypted with a blind index
 * (unique) and a masked copy. The phone likewise.
 */
struct person_in {
	int64_t org_id;
	const char *name;
	const char *gender;
	const char *ethnicity;
	const char *birth_date;
	const char *id_number;
	const char *phone;
	const char *education;
	const char *political_status;
	const char *joined_on;
	const char *full_member_on;
};

/*
 * Validate and insert inside the caller's open transaction, with an audit
 * row. Every bad field is added to f (Chinese messages) and 0 is returned;
 * a database failure returns a negative DB_E*; success the new id.
 * Used by the API, the demo generator and (later) imports.
 */
int64_t person_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		      const struct person_in *in, struct zb_fail *f);

/* A post in the leadership team (dict "position"), from started_on to ended_on (NULL = held). */
int64_t position_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t person_id, int64_t org_id, const char *title,
			const char *started_on, const char *ended_on, const char *note,
			struct zb_fail *f);

/* A dated flag (dict "person_flag"); `post` is the post held, for selected graduates. */
int64_t flag_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t person_id, const char *flag, const char *started_on,
		    const char *ended_on, const char *post, const char *note, struct zb_fail *f);

/*
 * Active people whose org is exactly org_id (not the subtree), or a negative
 * DB_E*: for the orgs module, which should not archive an org that still has
 * people in it.
 */
int64_t people_active_in_org(struct db *db, int64_t org_id);

/* Route handlers (people_http.c). */
void people_http_list(struct req *r);
void people_http_get(struct req *r);
void people_http_create(struct req *r);
void people_http_update(struct req *r);
void people_http_archive(struct req *r);
void people_http_restore(struct req *r);
void people_http_unmask(struct req *r);
void people_http_history(struct req *r);
void people_http_counts(struct req *r);
void people_http_structure(struct req *r);
void positions_http_create(struct req *r);
void positions_http_update(struct req *r);
void flags_http_create(struct req *r);
void flags_http_update(struct req *r);

#endif
