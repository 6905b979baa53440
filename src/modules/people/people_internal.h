/* people_internal.h - what people.c offers people_http.c: rows as JSON, updates, the list filter; not for other modules. */
#ifndef ZB_PEOPLE_INTERNAL_H
#define ZB_PEOPLE_INTERNAL_H

#include "people.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/buf.h"
#include "../../base/date.h"

/* Outcome of an update: negative values are DB_E* errors. */
enum {
	PW_OK = WRITE_OK,
	PW_INVALID = WRITE_INVALID,		/* bad fields, reasons in the zb_fail */
	PW_STALE = WRITE_STALE,		/* the version read is no longer current */
};

/* What a sensitive field of an update does. */
enum field_mode { FIELD_KEEP, FIELD_CLEAR, FIELD_SET };

/* The stored facts about a person that scope checks and rules need. */
struct person_ref {
	int64_t id;
	int64_t org_id;
	int64_t version;
	char org_path[256];
	char status[16];
	char birth_date[16];
};

/* Load the person row (any status): 1 found, 0 not, <0 DB_E*. */
int person_ref_load(struct db *db, int64_t id, struct person_ref *p /* OUT */);

/*
 * Replace the editable fields of person `id` if its version is still
 * `version`, with an audit row (masked values only), in the caller's open
 * transaction. id_number / phone follow their mode (in->id_number, in->phone
 * carry the value for FIELD_SET). PW_OK, PW_INVALID (f set: roll back),
 * PW_STALE (roll back), or a DB_E* error.
 */
int person_update(struct db *db, const struct keys *k, const struct audit_who *who,
		  int64_t id, int64_t version, const struct person_in *in,
		  enum field_mode id_mode, enum field_mode phone_mode, struct zb_fail *f);
/* Archive (with a reason) or restore; audited. PW_OK, PW_STALE or DB_E*. */
int person_set_status(struct db *db, const struct keys *k, const struct audit_who *who,
		      int64_t id, int64_t version, const char *status, const char *reason);
/* Decrypt a stored sensitive field ("id_number" or "phone"): malloc'd text,
 * NULL in *out when none is stored. DB_OK, or DB_E* / DB_EGENERIC when the
 * ciphertext does not verify. */
int person_reveal(struct db *db, const struct keys *k, int64_t id, const char *field,
		  char **out /* OUT */);

int position_update(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t id, int64_t version, int64_t org_id, const char *title,
		    const char *started_on, const char *ended_on, const char *note,
		    struct zb_fail *f);
int flag_update(struct db *db, const struct keys *k, const struct audit_who *who,
		int64_t id, int64_t version, const char *flag, const char *started_on,
		const char *ended_on, const char *post, const char *note, struct zb_fail *f);

/* A position or flag with the person it belongs to: 1 found, 0 not, <0 DB_E*. */
int position_owner(struct db *db, int64_t id, int64_t *person_id /* OUT */);
int flag_owner(struct db *db, int64_t id, int64_t *person_id /* OUT */);

/* ---- JSON of rows (new references, NULL when missing or on error) ---- */

/* The person with every position and flag (history), masked. */
json_t *person_detail_json(struct db *db, int64_t id);
json_t *position_json(struct db *db, int64_t id);
json_t *flag_json(struct db *db, int64_t id);

/* 1 when the code exists in the dictionary (any status). */
int people_dict_exists(struct db *db, const char *dict, const char *code);

/* ---- the list filter, shared by GET /people and the structure figures ---- */

/*
 * Every condition of GET /people. NULL / 0 / -1 = not filtered. The person's
 * org must lie in `scope`; `org_path` narrows to a subtree, which then also
 * applies to the org of a position matched by `position`.
 */
struct people_filter {
	const struct scope *scope;
	const char *org_path;
	const char *name_like;	/* db_like_contains pattern */
	const char *id_bidx;	/* exact ID number, as its blind index */
	const char *gender, *ethnicity, *political_status;
	const char *education;	/* a code, "college_or_above" or "none" */
	const char *position;	/* a code or "two_committees" */
	const char *flag;
	char as_of[11];		/* always set */
	int born_from, born_to;	/* years, 0 = none */
	int age_min, age_max;	/* -1 = none */
	const char *status;	/* "active", "archived" or "all" */
};

/*
 * Append " FROM people pe JOIN orgs o ... WHERE ..." for the filter to sql,
 * collecting its parameters (allocated from a) in b. `labels` adds the
 * dictionary joins people_select_cols() needs.
 */
void people_filter_sql(struct arena *a, const struct people_filter *pf, int labels,
		       struct buf *sql, struct db_params *b);

/* The SELECT list of a person row; people_filter_sql(..., labels = 1, ...) gives its FROM. */
const char *people_select_cols(void);
/* One row of people_select_cols() as JSON (masked), without positions/flags. */
json_t *person_json_from_row(struct db_stmt *st);
/*
 * Add "positions" and "flags" to each person object of `items`, in one query
 * per kind. With as_of only those held / active on that date, else all.
 */
int people_attach(struct db *db, struct arena *a, json_t *items, const char *as_of);

/*
 * The walk behind people_sheet_walk and people_sheet_walk_req: every person
 * of the filter in sheet order, in keyset pages (so PostgreSQL never holds
 * the whole set). Same return values as people_sheet_walk.
 */
int people_walk_filter(struct db *db, const struct keys *k, struct arena *a,
		       const struct people_filter *pf, int unmask, person_sheet_fn fn, void *arg,
		       int64_t *rows /* OUT */);

/* Whole years between birth ("YYYY-MM-DD") and the date `on`; -1 if unreadable. */
int age_on(const char *birth, struct ymd on);

/*
 * For handlers: load the person :id if the caller may read it (out of scope
 * and missing answer the same 404), and check they may change it (answers
 * 403, or 409 when archived). Both return 1 to go on, 0 when answered.
 */
int people_req_load(struct req *r, int64_t id, struct person_ref *p /* OUT */);
int people_req_writable(struct req *r, const struct person_ref *p);

#endif
