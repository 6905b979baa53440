/* deeds_internal.h - the requests' writers and JSON, shared by the grid module's files; not for other modules. */
#ifndef ZB_DEEDS_INTERNAL_H
#define ZB_DEEDS_INTERNAL_H

#include <stdint.h>
#include <jansson.h>
#include "grid.h"

/* Outcomes of deed_act besides DB_OK and DB_E*. */
enum {
	DW_REFUSED = 1,		/* the status does not allow it, or a bad field: reason in the zb_fail */
	DW_STALE = WRITE_STALE,		/* the version read is no longer current */
};

/* Where a deed is and who may see it. */
struct deed_ref {
	int64_t id, org_id, grid_id, created_by, version;
	char org_path[256];
	char status[16];
	char level[16];
	char code[DEED_CODE_LEN + 1];
};
int deed_ref_load(struct db *db, int64_t id, struct deed_ref *d /* OUT */);

/* A request as taken in (strings borrowed; 0 / NULL = none). */
struct deed_in {
	int64_t org_id, grid_id, household_id, member_id;
	const char *category, *channel, *title, *content, *resident_name, *phone;
	const char *place;		/* where (地点), free text; NULL or "" = not given */
	const char *received_on;	/* NULL = the China date of `at` */
	const char *demo_created_at;	/* the demo's fixed created_at; NULL = now */
	int public_intake;		/* submitted on the public page */
};

/* The checks of an intake (every bad field into f). */
void deed_check(struct db *db, const struct deed_in *in, struct zb_fail *f);
/*
 * Check and insert a request (status 登记, due date from its category in
 * working days, a fresh tracking code), its first history row and an audit
 * row, in the caller's transaction, at timestamp `at`. The id, 0 when refused
 * (f), or a negative DB_E*.
 */
int64_t deed_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    const struct deed_in *in, const char *at, struct zb_fail *f);

/* One action on a deed. */
struct deed_action {
	const char *action;	/* accept, start, close, follow_up, route */
	const char *note;	/* close: the result (required); route: the reason (required) */
	const char *reason;	/* close: solved, referred, cannot_solve, duplicate */
	int solved;		/* follow_up: the resident confirms it solved */
	int satisfaction;	/* follow_up: 1-5, 0 = not given */
	const char *level;	/* route: grid, branch, township */
	int64_t grid_id;	/* route to grid */
	struct arena *a;	/* for the history's text */
};
/*
 * Apply an action with the version read, at timestamp `at`: a history row and
 * an audit row. DB_OK, DW_REFUSED (f: ZB_ECONFLICT for a transition the
 * status does not allow, field errors otherwise), DW_STALE, or DB_E*.
 */
int deed_act(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
	     int64_t version, const struct deed_action *a, const char *at, struct zb_fail *f);
/* 1 when `action` may start from `status`; else 0 with a Chinese reason in why. */
int deed_transition_allowed(const char *action, const char *status, char *why, size_t whylen);

const char *deed_status_label(const char *status);
const char *deed_reason_label(const char *reason);
const char *deed_level_label(const char *level);

/* The deed as API JSON (with its history when asked); NULL when missing. */
json_t *deed_json(struct db *db, int64_t id, int with_history);
/* What the resident sees by tracking code. */
json_t *deed_public_json(struct db *db, int64_t id);

#endif
