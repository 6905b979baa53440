/* grid_internal.h - what the grid module's files share (scope filters, settings, labels); not for other modules. */
#ifndef ZB_GRID_INTERNAL_H
#define ZB_GRID_INTERNAL_H

#include <stdint.h>
#include "grid.h"
#include "../../db/db.h"

/*
 * The rows a caller may see for `action`, as one WHERE fragment: per grant
 * that allows the action, staff and secretaries (and any other role) get
 * their subtree (org_col LIKE 'path%'); a grid worker gets its subtree AND
 * only the grids its account works (grid_col IN its grids); a member gets its
 * subtree AND only rows it created (creator_col = its user id; no rows when
 * creator_col is NULL). No grant: "1=0". The parameters are added to p in
 * the order of their marks; strings live in the request's arena.
 */
const char *grid_scope_sql(struct req *r, const char *action, const char *org_col,
			   const char *grid_col, const char *creator_col, struct db_params *p);

/*
 * Whether the caller may `action` on one row: its org path, its grid (0 =
 * none) and its creator (0 = none). `intake_only` roles (member) count for
 * reads of their own rows, and for deed.write only when `intake` is set.
 * 1 yes, 0 no.
 */
int grid_can(struct req *r, const char *action, const char *org_path, int64_t grid_id,
	     int64_t created_by, int intake);

/* An integer setting (settings table) or dflt when absent or malformed. */
int64_t grid_setting(struct db *db, const char *key, int64_t dflt);

/* The active label of a dictionary code, copied into out; 0 when unknown. */
int grid_dict_label(struct db *db, const char *dict, const char *code, char *out, size_t len);

/* The holidays as sorted day numbers (malloc'd, *n of them); NULL with *n = 0 when none or on error. */
int64_t *grid_holidays(struct db *db, size_t *n /* OUT */);

/* The due date of a request of `category` received on day `received` (YYYY-MM-DD into due). */
int grid_due_on(struct db *db, const char *category, int64_t received, char due[11]);

/* Text checks shared by the forms: markup and control characters refused (field error into f). */
void grid_text_check(struct zb_fail *f, const char *field, const char *label, const char *s);

/* The China date of today, "YYYY-MM-DD", and as a day number. */
int64_t grid_today(char out[11]);

/* The `org` query parameter as a path ("/1/4/") checked against the caller's grants for action; NULL when absent; 404 into f. */
const char *grid_org_param(struct req *r, const char *action, struct zb_fail *f);

/*
 * The silent-household condition over households h, with four parameters:
 * cutoff, as_of, cutoff, as_of (no visit and no request in (cutoff, as_of]).
 */
const char *grid_silent_cond(void);

/* Writers for the demo (grid_demo.c), as the system: checked by the loader, audited here. The id or <0. */
int64_t grid_demo_grid(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t org_id, const char *name, const char *area, int64_t leader,
		       const int64_t *persons, int np, int64_t user_id);
int64_t grid_demo_household(struct db *db, const struct keys *k, const struct audit_who *who,
			    int64_t grid_id, const char *address, int size, const char *head,
			    const char *phone, const char *const *tags, int ntags, int64_t contact);
int64_t grid_demo_visit(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t household_id, const char *on, const char *kind, const char *note,
			int64_t person_id);

/* A grid's place, for the checks of its households and requests. */
struct grid_ref {
	int64_t id, org_id, version;
	char org_path[256];
	char status[16];
};
/* Load it (any status): 1 found, 0 not, <0 error. */
int grid_ref_load(struct db *db, int64_t id, struct grid_ref *g /* OUT */);
/*
 * The grid `id` readable by the caller of r (else 404), with `write` also
 * writable (else 403); answered on failure. *g gets its place, *out its JSON
 * (the caller owns it). 1 to go on, 0 when answered.
 */
int grid_load_checked(struct req *r, int64_t id, int write, struct grid_ref *g, json_t **out);
/* 1 when person id is an active person of the subtree at path. */
int grid_person_in(struct db *db, int64_t id, const char *path);

/* json helpers */
json_t *grid_text_or_null(struct db_stmt *st, int i);
json_t *grid_int_or_null(struct db_stmt *st, int i);

#endif
