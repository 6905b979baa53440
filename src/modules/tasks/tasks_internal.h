/* tasks_internal.h - what tasks.c offers the other files of the tasks module; not for other modules. */
#ifndef ZB_TASKS_INTERNAL_H
#define ZB_TASKS_INTERNAL_H

#include <stdint.h>
#include <jansson.h>
#include "tasks.h"
#include "../../base/err.h"

/* Outcomes besides DB_E* (negative) and ids (positive). */
enum { TW_OK = 0, TW_INVALID = 1, TW_STALE = 2 };

/* The columns and joins every item query selects, read by task_row_json. */
extern const char TASK_ITEM_SELECT[];	/* "SELECT ... FROM ... " ends before WHERE */

/* Today (Asia/Shanghai) as days, and the tasks_stale_days setting (default 30). */
struct task_clock {
	int64_t today;
	int stale_days;
};
void task_clock_load(struct db *db, struct task_clock *tc /* OUT */);

/* The current row of a TASK_ITEM_SELECT statement as item JSON (with overdue and light). */
json_t *task_row_json(struct db_stmt *st, const struct task_clock *tc);
/* One item as JSON (any status), or NULL when missing / on error. */
json_t *task_item_json(struct db *db, int64_t id);

/* An item as entered (strings borrowed, NULL = none). */
struct task_in {
	int64_t list_id;
	int64_t parent_id;	/* 0 = top level */
	const char *code;	/* NULL = next free code under the parent */
	const char *title;
	int64_t owner_org_id;	/* 0 = none */
	int64_t person_id;	/* 0 = none */
	const char *start_on;
	const char *due_on;
	int has_weight;
	int64_t weight;
	const char *criteria;
	int64_t answers_item_id;	/* 0 = none */
};

/*
 * Check `in` (every bad field into f, in Chinese; `row` names an import row
 * context, NULL for none) against the list: title, code form and
 * uniqueness (except for `self`, the item being updated, 0 for a new one),
 * dates, weight, owner org and person inside the list's org, parent in the
 * same list. Returns 0 when clean.
 */
int task_check(struct db *db, const struct task_in *in, int64_t self, struct zb_fail *f);

/*
 * Check and insert an item with a history row and an audit row, inside the
 * caller's transaction; then roll its parent up. Returns the id, 0 when
 * refused (f), or DB_E*.
 */
int64_t task_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    const struct task_in *in, struct zb_fail *f);

/* The next free code under parent (0 = top) in list: "4", "1.3"; arena copy. */
const char *task_next_code(struct db *db, struct arena *a, int64_t list_id, int64_t parent_id);

/* Record a change of an item: task_history and the audit chain. DB_OK or DB_E*. */
int task_log(struct db *db, const struct keys *k, const struct audit_who *who, int64_t item_id,
	     const char *action, const json_t *before, const json_t *after);

/*
 * Roll up from `item_id` upwards: its parent and the township item it
 * answers get the weighted roll-up of their live children (or of the items
 * answering them, when they have no children), and so on to the top.
 * DB_OK or DB_E*.
 */
int task_rollup_from(struct db *db, const struct keys *k, const struct audit_who *who,
		     int64_t item_id);

/* Roll up item_id itself (from its children or answers) and then upwards. DB_OK or DB_E*. */
int task_rollup_at(struct db *db, const struct keys *k, const struct audit_who *who, int64_t item_id);

/*
 * Record a progress report on a leaf item (checks into f; see tasks.h):
 * the report's id, 0 when refused, or DB_E*. `files`/`nfiles` are linked
 * as its evidence; `today` bounds reported_on.
 */
struct task_report {
	const char *reported_on;
	int has_progress;
	int progress;
	const char *status;	/* NULL = none */
	const char *text;
	const char *reason;
	const int64_t *files;
	size_t nfiles;
};
int64_t task_report_add(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t item_id, const struct task_report *rep, int64_t today,
			struct zb_fail *f);

/* Accept a done item (TW_OK, TW_INVALID with f, TW_STALE, DB_E*); on = the day. */
int task_accept(struct db *db, const struct keys *k, const struct audit_who *who, int64_t item_id,
		int64_t version, const char *on, const char *note, struct zb_fail *f);

/*
 * Push item `id` down to the orgs (n of them): one item answering it in each
 * org's list of the same year, the list created when missing. Every org is
 * checked by `allowed(arg, org_path)` (scope) and must lie strictly below
 * the item's list org; an org that already answers it is refused. The
 * created ids go to out_ids (n of them). TW_OK, TW_INVALID (f), or DB_E*.
 */
int task_push(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
	      const int64_t *orgs, size_t n, const char *due_on,
	      int (*allowed)(void *arg, const char *org_path), void *arg,
	      int64_t *out_ids, struct zb_fail *f);

/* The list of (org, year), created (with an audit row) when missing: id or DB_E*. */
int64_t task_list_ensure(struct db *db, const struct keys *k, const struct audit_who *who,
			 int64_t org_id, int year, const char *title);

/* Add a supervision (and its rectification when requirement != NULL): the supervision id, 0 refused, DB_E*. */
struct task_supervision {
	const char *held_on;
	const char *inspector;
	const char *found;
	const char *rating;
	const char *requirement;	/* NULL = no rectification */
	const char *deadline;
};
int64_t task_supervise(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t item_id, const struct task_supervision *sv, struct zb_fail *f);

/* Rating code to 好 / 较好 / 一般 / 差; NULL when unknown. */
const char *task_rating_label(const char *code);

#endif
