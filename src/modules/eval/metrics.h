/* metrics.h - the record-based measures branch evaluation scores from: one table of metrics, each a code, a label, its formula and a function. */
#ifndef ZB_EVAL_METRICS_H
#define ZB_EVAL_METRICS_H

#include <stdint.h>
#include <jansson.h>
#include "../../db/db.h"

struct arena;

/*
 * What a metric measured for one org over [from_day, to_day] (days as in
 * date.h). `value` is a share 0..1 (is_count 0) or a count (is_count 1);
 * has_value 0 means there was nothing to measure (denominator 0), which the
 * scheme scores with the item's `if_empty` points. `inputs` (owned, a new
 * reference) holds the figures behind the value - at least numerator and
 * denominator - so a published result can be explained and recomputed.
 * `link` is the web route of the records behind it (arena string).
 */
struct metric_value {
	int has_value;
	int is_count;
	double value;
	json_t *inputs;
	const char *link;
};

/*
 * fn measures the org `org_id` (path `org_path`, its whole subtree counted)
 * and fills *out. Returns DB_OK, or a negative DB_E* when a table it reads is
 * missing or a query failed: never a silent 0. Each metric's SQL is one
 * named constant in its metrics_*.c file, with a comment naming the tables
 * it reads, so their owners can review it.
 */
typedef int (*metric_fn)(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			 int64_t from_day, int64_t to_day, struct metric_value *out /* OUT */);

struct metric {
	const char *code;	/* "meeting_compliance" */
	const char *label;	/* 组织生活会议合规率 */
	const char *formula;	/* the formula as shown to users */
	int is_count;
	metric_fn fn;
};

/* The metric with this code, NULL when unknown. */
const struct metric *metric_find(const char *code);
/* The table, ending with a row whose code is NULL. */
extern const struct metric metrics[];

/* The metric functions (metrics_*.c). */
int metric_meeting_compliance(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			      int64_t from_day, int64_t to_day, struct metric_value *out);
int metric_training_coverage(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			     int64_t from_day, int64_t to_day, struct metric_value *out);
int metric_task_completion(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			   int64_t from_day, int64_t to_day, struct metric_value *out);
int metric_task_followup(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			 int64_t from_day, int64_t to_day, struct metric_value *out);
int metric_deeds_done(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
		      int64_t from_day, int64_t to_day, struct metric_value *out);
int metric_deed_satisfaction(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			     int64_t from_day, int64_t to_day, struct metric_value *out);
int metric_disclosure_completeness(struct db *db, struct arena *a, int64_t org_id,
				   const char *org_path, int64_t from_day, int64_t to_day,
				   struct metric_value *out);
int metric_disclosure_timeliness(struct db *db, struct arena *a, int64_t org_id,
				 const char *org_path, int64_t from_day, int64_t to_day,
				 struct metric_value *out);
int metric_team_structure(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			  int64_t from_day, int64_t to_day, struct metric_value *out);
int metric_member_development(struct db *db, struct arena *a, int64_t org_id, const char *org_path,
			      int64_t from_day, int64_t to_day, struct metric_value *out);

#endif
