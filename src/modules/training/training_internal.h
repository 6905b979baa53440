/* training_internal.h - what training.c offers the module's HTTP files: loads, row JSON, versioned updates; not for other modules. */
#ifndef ZB_TRAINING_INTERNAL_H
#define ZB_TRAINING_INTERNAL_H

#include "training.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/buf.h"

/* Outcome of an update: negative values are DB_E* errors. */
enum {
	TW_OK = WRITE_OK,
	TW_INVALID = WRITE_INVALID,		/* refused, reasons in the zb_fail */
	TW_STALE = WRITE_STALE,		/* the version read is no longer current */
};

/* A class with its organiser's place, for scope checks. */
struct tclass_ref {
	int64_t id;
	int64_t org_id;
	int64_t year;
	char org_path[256];
	char start_on[16];
	char end_on[16];
};
/* 1 found, 0 not, or a negative DB_E*. */
int tclass_load(struct db *db, int64_t id, struct tclass_ref *out /* OUT */);
/* The class owning session `id`: 1 found (and *class_id set), 0 not, or DB_E*. */
int tsession_class(struct db *db, int64_t id, int64_t *class_id /* OUT */);

/* Rows as API JSON (new references, NULL when missing). The class has its sessions when `full`. */
json_t *tclass_json(struct db *db, int64_t id, int full);
json_t *tsession_json(struct db *db, int64_t id);

/* Replace the class's fields (org unchanged) with the version read: TW_* or DB_E*. */
int tclass_update(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		  int64_t version, const struct training_class_in *in, struct zb_fail *f);
/* Replace a session's fields with the version read: TW_* or DB_E*. */
int tsession_update(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		    int64_t version, const struct training_session_in *in, struct zb_fail *f);
/*
 * Set who was present at session `id` among the people inside `s` (people
 * outside it keep their rows): the ids were checked by the caller. Bumps the
 * session's version if it is still `version`: TW_OK, TW_STALE or DB_E*.
 */
int tattendance_set(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		    int64_t version, const struct scope *s, const int64_t *ids, size_t n);

/*
 * Append to sql the condition "the class's organiser (column col, a path) is
 * inside the subtree at path or above it", collecting its two parameters.
 */
void tb_visible(struct arena *a, struct buf *sql, struct db_params *b, const char *col,
		const char *path);
/* The same for every subtree of a scope, OR-ed ("1=0" when empty). */
void tb_visible_scope(struct arena *a, struct buf *sql, struct db_params *b, const char *col,
		      const struct scope *s);

#endif
