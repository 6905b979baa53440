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

/* ---- for modules that keep details of people and flags (the ledgers; people_ledger.c) ---- */

/* Where a person belongs, for another module's scope checks. */
struct person_where {
	int64_t id;
	int64_t org_id;
	char org_path[256];
	char status[16];	/* "active" or "archived" */
	char birth_date[16];
};
/* Load it (any status): 1 found, 0 not, or a negative DB_E*. */
int person_where_load(struct db *db, int64_t id, struct person_where *out /* OUT */);

/*
 * The active Party members of the org at org_path and its subtree (party
 * groups), in id order, for meetings: fn gets each one's id, name and
 * whether they vote (full member: 1; probationary: 0). fn returning nonzero
 * stops the walk. Returns the count walked or a negative DB_E*.
 */
typedef int (*org_member_fn)(void *arg, int64_t person_id, const char *name, int voting);
long people_org_members(struct db *db, const char *org_path, org_member_fn fn, void *arg);

/* A stored flag with the place of its person. Dates "YYYY-MM-DD"; ended_on "" while open. */
struct flag_ref {
	int64_t id;
	int64_t person_id;
	int64_t version;
	char flag[48];
	char started_on[16];
	char ended_on[16];
	struct person_where person;
};
/* Load it: 1 found, 0 not, or a negative DB_E*. */
int flag_ref_load(struct db *db, int64_t id, struct flag_ref *out /* OUT */);

/*
 * Set the period of flag `id` (ended_on NULL = still open), keeping its
 * other fields, if its version is still `version`: the checks and the audit
 * row of PUT /flags/:id, in the caller's open transaction. Returns DB_OK; 1
 * when refused, with f saying why (bad fields under "started_on" /
 * "ended_on", or ZB_ECONFLICT when the version is stale, or ZB_ENOTFOUND);
 * or a negative DB_E*.
 */
int flag_set_period(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t id, int64_t version, const char *started_on, const char *ended_on,
		    struct zb_fail *f);

/* ---- imports and exports (the transfer module) ---- */

/*
 * A stored person as an import compares it with a sheet row: dictionary
 * codes, dates, the phone decrypted. Every string is NUL-terminated; ""
 * means none.
 */
struct person_stored {
	int64_t id;
	int64_t org_id;
	int64_t version;
	char org_path[256];
	char status[16];	/* "active" or "archived" */
	char name[128];
	char gender[16];
	char ethnicity[48];
	char birth_date[16];
	char phone[32];
	char education[48];
	char political_status[48];
	char joined_on[16];
	char full_member_on[16];
};

/*
 * The person registered with this ID number (any status, any org: the
 * caller checks scope), found by its blind index. 1 with *out filled, 0 when
 * none (also for a malformed number), or a negative DB_E*.
 */
int person_find_by_id_number(struct db *db, const struct keys *k, const char *id_number,
			     struct person_stored *out /* OUT */);

/*
 * Run every check person_insert (existing == 0) or an update of person
 * `existing` would run on `in`, writing nothing. Bad fields go to f (Chinese
 * messages). 0 when clean, 1 when f was filled, or a negative DB_E*.
 */
int person_validate(struct db *db, const struct keys *k, const struct person_in *in,
		    int64_t existing, struct zb_fail *f);

/*
 * Replace the fields of person `id` with `in` if its version is still
 * `version`, with the checks and the audit row of PUT /people/:id, inside the
 * caller's open transaction. in->id_number NULL keeps the stored number
 * (an import matched the person by it), a value replaces it; in->phone NULL
 * clears the phone. Returns 0 (done), 1 (bad fields in f: roll back), 2 (the
 * version is no longer current) or a negative DB_E*.
 */
int person_update_fields(struct db *db, const struct keys *k, const struct audit_who *who,
			 int64_t id, int64_t version, const struct person_in *in,
			 struct zb_fail *f);

/*
 * A run of those calls over many rows on one connection: an import.
 * person_batch_find / _validate / _insert / _update do exactly what
 * person_find_by_id_number, person_validate, person_insert and
 * person_update_fields do, with the same checks and audit rows, but
 * remember what each row would otherwise look up again: whether an org
 * exists and is active, whether a dictionary code is active (one query
 * each per row before), and the blind index of the ID number just looked
 * up (one HMAC-SM3 for a new person instead of three).
 *
 * An answer is what the tables held when it was first asked, so a batch
 * lives for one transaction or one dry run. The calls change no org or
 * dictionary, and under SQLite's write lock nobody else can either; on
 * PostgreSQL (READ COMMITTED) an org or code archived by someone else during
 * the run counts as it stood when the run first used it. Set up with
 * person_batch_init; nothing is allocated, so nothing is released.
 */
#define PERSON_BATCH_ORGS 64
#define PERSON_BATCH_CODES 64
struct person_batch {
	struct db *db;
	const struct keys *k;
	const struct audit_who *who;	/* writes are audited as this caller */
	/* org id -> 0 not asked yet, else enum batch_state (people.c), slot id % PERSON_BATCH_ORGS */
	struct { int64_t id; int state; } org[PERSON_BATCH_ORGS];
	/* (dictionary, code) -> state, slot by hash; longer names are not remembered */
	struct { char dict[24]; char code[48]; int state; } code[PERSON_BATCH_CODES];
	char id_norm[19];	/* the normalised ID number whose blind index id_bidx holds; "" none */
	char id_bidx[65];
};
void person_batch_init(struct person_batch *b /* OUT */, struct db *db, const struct keys *k,
		       const struct audit_who *who);
int person_batch_find(struct person_batch *b, const char *id_number,
		      struct person_stored *out /* OUT */);
int person_batch_validate(struct person_batch *b, const struct person_in *in, int64_t existing,
			  struct zb_fail *f);
int64_t person_batch_insert(struct person_batch *b, const struct person_in *in,
			    struct zb_fail *f);
int person_batch_update(struct person_batch *b, int64_t id, int64_t version,
			const struct person_in *in, struct zb_fail *f);

/*
 * Every item of a dictionary a person field uses ("gender", "ethnicity",
 * "education", "political_status"), in its order, archived ones included
 * (active = 0). fn returns nonzero to stop. DB_OK or a DB_E*.
 */
int people_dict_walk(struct db *db, const char *dict,
		     int (*fn)(void *arg, const char *code, const char *label, int active),
		     void *arg);

/*
 * A person as the people sheet shows it (import template, exports):
 * dictionary labels (the code when the dictionary has no label), dates as
 * YYYY-MM-DD, the ID number and phone in plain text when the walk unmasks,
 * masked otherwise. NULL = none. Valid during the callback only.
 */
struct person_sheet_row {
	int64_t id;
	int64_t org_id;
	const char *org_name;
	const char *org_path;
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
	const char *status;	/* "active" or "archived" */
};
typedef int (*person_sheet_fn)(void *arg, const struct person_sheet_row *row);

/* The named sets `zhibu export` writes. */
enum people_set {
	PEOPLE_SET_ACTIVE,	/* everyone active in the subtree */
	PEOPLE_SET_TEAM,	/* the 两委 on the date: GET /people/structure's set */
	PEOPLE_SET_RESERVES,	/* an active reserve_cadre flag on the date (any status) */
};

/*
 * Walk a set of people of the subtree at `org_path` in sheet order (org path,
 * name, id), in pages, so memory does not grow with the set. `as_of`
 * (YYYY-MM-DD, NULL = today) dates the team and reserve sets. fn returns
 * nonzero to stop the walk (returned as is). DB_OK, fn's value or a DB_E*;
 * *rows (may be NULL) gets the number of rows handed to fn.
 */
int people_sheet_walk(struct db *db, const struct keys *k, const char *org_path,
		      enum people_set set, const char *as_of, int unmask,
		      person_sheet_fn fn, void *arg, int64_t *rows /* OUT */);

/*
 * The same walk over the people GET /people would list for r's query (every
 * filter, every page; `sort` and paging are ignored). Unmasking needs
 * person.unmask on the `org` filter's subtree, or on every subtree the
 * caller reads. Returns DB_OK, fn's nonzero value, a DB_E*, or 1 when the
 * query is refused: f then says why (400 / 404 / 403).
 */
int people_sheet_walk_req(struct req *r, int unmask, person_sheet_fn fn, void *arg,
			  int64_t *rows /* OUT */, struct zb_fail *f);

/* ---- for modules that report on people by org (training coverage, study records) ---- */

/*
 * A derived table for other modules' reports, to use as "FROM <it> v":
 * one row per person with columns person_id, org_id, org_path, org_name,
 * name, political_status, joined_on (NULL when unknown) and status
 * ("active" / "archived"). It takes no parameters, so the caller appends
 * its own scope and filters on v.org_path and the rest. Party members
 * are political_status 'member' or 'probationary' (PEOPLE_PARTY_STATUSES).
 */
const char *people_view_sql(void);
#define PEOPLE_PARTY_STATUSES "('member', 'probationary')"

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
void people_http_photo_get(struct req *r);
void people_http_photo_put(struct req *r);
void people_http_photo_delete(struct req *r);
void flags_http_create(struct req *r);
void flags_http_update(struct req *r);

#endif
