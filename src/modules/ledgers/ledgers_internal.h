/* ledgers_internal.h - what ledgers.c offers the ledgers' HTTP files: date rules, row JSON, updates, query pieces; not for other modules. */
#ifndef ZB_LEDGERS_INTERNAL_H
#define ZB_LEDGERS_INTERNAL_H

#include "ledgers.h"
#include "../people/people.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/buf.h"
#include "../../base/date.h"

/* Outcome of an update: negative values are DB_E* errors. */
enum {
	LW_OK = WRITE_OK,
	LW_INVALID = WRITE_INVALID,		/* refused, reasons in the zb_fail (also 404 / 409 set there) */
	LW_STALE = WRITE_STALE,		/* the version read is no longer current */
};

/* ---------------------------------------------------------------- dates (pure) */

/* d moved by `months` (may be negative), the day clamped to the month's end: 2024-02-29 + 12 = 2025-02-28. */
struct ymd ledger_add_months(struct ymd d, int months);
/* <0, 0, >0 as a is before, on, after b. */
int ledger_ymd_cmp(struct ymd a, struct ymd b);

/* A committee's term on a date. */
enum term_state { TERM_NONE, TERM_OK, TERM_DUE_SOON, TERM_OVERDUE };
/*
 * The state on `on` of a term that began on `started` and lasts `years`:
 * overdue from its end (started + years) on, due soon from `warn_months`
 * before the end, else ok. ends and warn_from get those two dates.
 */
enum term_state term_state_on(struct ymd started, int years, int warn_months, struct ymd on,
			      struct ymd *ends /* OUT */, struct ymd *warn_from /* OUT */);
const char *term_state_code(enum term_state s);
const char *term_state_label(enum term_state s);

/*
 * When assessments are due. A flag that began on S with a rule of every p
 * months has due dates S + p, S + 2p, ...; the assessment due on D must fall
 * within the period before it, [D - p, D], or be made late (after D). On the
 * date `on` the latest due date passed is D = S + n·p (n >= 1): the
 * assessment is missing when the latest one made (on or before `on`, not
 * before S) is older than D - p.
 */
struct due {
	int missing;		/* due and not made */
	struct ymd due_since;	/* when missing: the due date it was missed on */
	int64_t days_overdue;	/* when missing: days from due_since to `on` */
	struct ymd next_due;	/* the date the next assessment is due (due_since when missing) */
};
/* `last` NULL when none was made. Requires start <= on and every >= 1. */
void due_eval(struct ymd start, int every, const struct ymd *last, struct ymd on,
	      struct due *out /* OUT */);

/* ---------------------------------------------------------------- codes */

/* The default length in years of a term for an org category ("" or NULL: others), from the term_years rules. */
int ledger_term_years(struct db *db, const char *category);

/* The reserve ledger's statuses: in_pool 在库, used 已使用, exited 已退出. NULL when unknown. */
const char *reserve_status_label(const char *code);
/* Today in Asia/Shanghai as "YYYY-MM-DD" (11 bytes). */
void ledger_today(char out[16]);

/* ---------------------------------------------------------------- query pieces */

/* Append " AND (col LIKE ? OR ...)" for the scope (NULL scope = none), collecting "path%". */
void lb_scope(struct arena *a, struct buf *sql, struct db_params *b, const struct scope *s,
	      const char *col);

/* SQL condition: the assessments `a` of flag `f`'s holder, of its kind, within its period. */
#define LEDGER_ASSESS_OF_FLAG \
	"a.person_id = f.person_id AND a.kind = f.flag AND a.assessed_on >= f.started_on" \
	" AND (f.ended_on IS NULL OR a.assessed_on <= f.ended_on)"

/* The reserve ledger's filter. NULL = not filtered. */
struct reserve_filter {
	const struct scope *scope;	/* NULL = every org (the CLI) */
	const char *org_path;		/* a subtree */
	const char *name_like;		/* db_like_contains pattern */
	const char *source;
	const char *status;		/* in_pool, used, exited */
	const char *as_of;		/* NULL = each entry's current status */
};
enum reserve_query { RQ_ROWS, RQ_COUNT, RQ_BY_STATUS };
/*
 * The statement for the filter: RQ_ROWS selects the entry columns read by
 * reserve_entry_from_row (the caller appends ORDER/LIMIT), RQ_COUNT one
 * COUNT(*), RQ_BY_STATUS (status, count) rows ignoring the status filter.
 */
void reserve_query_sql(struct arena *a, const struct reserve_filter *rf, enum reserve_query q,
		       struct buf *sql, struct db_params *b);
/* The order of the ledger's lists. */
extern const char LEDGER_ORDER_ENTRIES[];

/* ---------------------------------------------------------------- rows as JSON */

/* One RQ_ROWS row; new reference. */
json_t *reserve_entry_from_row(struct db_stmt *st);
/* The entry of flag id (its current status), with its training and assessments when `full`; NULL if none. */
json_t *reserve_entry_json(struct db *db, int64_t flag_id, int full);
json_t *assessment_json(struct db *db, int64_t id);
json_t *term_json(struct db *db, int64_t id);
json_t *ledger_rule_json(struct db *db, int64_t id);
/* The SELECT lists behind those (append WHERE / ORDER), and one row of each as JSON. */
const char *ledger_assessment_cols(void);	/* FROM assessments a */
json_t *ledger_assessment_from_row(struct db_stmt *st);
const char *ledger_term_cols(void);		/* FROM org_terms t JOIN orgs o */
json_t *ledger_term_from_row(struct db_stmt *st);
const char *ledger_rule_cols(void);		/* FROM ledger_rules */
json_t *ledger_rule_from_row(struct db_stmt *st);

/* ---------------------------------------------------------------- loads */

/* An org as the terms need it. 1 found, 0 not, <0 DB_E*. */
struct branch_ref {
	int64_t id;
	char path[256];
	char name[256];
	char kind[40];
	char category[48];	/* "" when none */
	char status[16];
};
int branch_ref_load(struct db *db, int64_t id, struct branch_ref *out /* OUT */);
/* The owner of a row: 1 found, 0 not, <0 DB_E*. */
int assessment_owner(struct db *db, int64_t id, int64_t *person_id /* OUT */);
int term_owner(struct db *db, int64_t id, int64_t *org_id /* OUT */);

/* ---------------------------------------------------------------- updates (LW_* or DB_E*) */

/* The checks reserve_details_insert runs on `in` before its flag exists (bad fields into f). */
void reserve_details_check(struct db *db, const struct reserve_in *in, struct zb_fail *f);

/*
 * Replace the details of flag_id's entry (source, intended post, remarks;
 * the outcome stays) with the version read: 0 means "no details yet" and
 * inserts them. A new `added_on` moves the flag's start too.
 */
int reserve_update(struct db *db, const struct keys *k, const struct audit_who *who,
		   int64_t flag_id, int64_t version, const char *added_on,
		   const struct reserve_in *in, struct zb_fail *f);
/*
 * Set the entry's status: "used" / "exited" end the flag on `date` with
 * `reason` (also to correct an entry already out of the pool), "in_pool"
 * reopens it (date and reason must be NULL).
 */
int reserve_set_status(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t flag_id, int64_t version, const char *status, const char *date,
		       const char *reason, struct zb_fail *f);
int assessment_update(struct db *db, const struct keys *k, const struct audit_who *who,
		      int64_t id, int64_t version, const struct assessment_in *in,
		      struct zb_fail *f);
int term_update(struct db *db, const struct keys *k, const struct audit_who *who,
		int64_t id, int64_t version, const char *started_on, int years, const char *note,
		struct zb_fail *f);
int ledger_rule_update(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t id, int64_t version, int64_t value, struct zb_fail *f);

/* ---------------------------------------------------------------- shared HTTP steps (ledgers_http.c) */

/* (Opening, committing and 409 answers are app_begin_write, app_commit_answer, app_conflict.) */
/*
 * After a writer: roll back and answer f when it refused (id == 0 or f set),
 * or the database error when id < 0. Returns 1 when the caller may commit.
 */
int lh_written(struct req *r, int64_t id, struct zb_fail *f);
/*
 * The person :id (or person_id) readable with ledger.read (else 404, as a
 * missing one); with `write`, also ledger.write on it (403) and not archived
 * (409). Returns 1 when it may go on (answered otherwise).
 */
int lh_person(struct req *r, int64_t id, int write, struct person_where *p /* OUT */);
/*
 * The `org` query parameter: an org inside the caller's ledger.read scope
 * (else a 404 in f); NULL when absent. *s gets the scope.
 */
const char *lh_org_filter(struct req *r, struct scope *s /* OUT */, struct zb_fail *f);
/* A date query parameter (YYYY-MM-DD) or NULL when absent; bad ones go to f. */
const char *lh_date_param(struct req *r, const char *name, struct zb_fail *f);

#endif
