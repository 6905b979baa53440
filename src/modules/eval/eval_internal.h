/* eval_internal.h - what the eval module's files share: the parsed scheme, the scoring (pure, unit-tested) and the sheet of one branch. */
#ifndef ZB_EVAL_INTERNAL_H
#define ZB_EVAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "eval.h"
#include "metrics.h"

/* Points are held in tenths of a point (integers) so every sum is exact. */
#define EV_MAX_BANDS 8

enum ev_map { EV_MAP_LINEAR, EV_MAP_BANDS, EV_MAP_PER_UNIT };

/* One scored item (a leaf) of a scheme. */
struct ev_item {
	const char *code, *name, *guide;
	int cat;		/* index of its category; -1 = a deduction */
	int max;		/* tenths */
	int manual;		/* 1 = scored by hand; 0 = from the metric */
	const char *metric;
	enum ev_map map;
	int nbands;
	double band_min[EV_MAX_BANDS];	/* value at least this ... */
	int band_pts[EV_MAX_BANDS];	/* ... gives these tenths (first match wins) */
	int per_unit;		/* tenths per unit of a count (EV_MAP_PER_UNIT) */
	int if_empty;		/* tenths when the metric had nothing to measure */
};

struct ev_cat {
	const char *code, *name;
	int max;		/* tenths: the cap of its items' sum */
	int weight;		/* percent of the scheme's total it contributes; 0 = its points as they are */
};

struct ev_scheme {
	struct ev_cat *cats;
	size_t ncat;
	struct ev_item *items;
	size_t nitem;
	int deduct_max;		/* tenths: cap of all deductions together */
	int max_total;		/* tenths */
	int stars[4];		/* tenths: at least stars[0] five stars, [1] four, [2] three, [3] two */
};

/*
 * Parse and check a scheme's tree (see eval.h for the format) into s, strings
 * from the arena. Every problem goes into f under field `field` in Chinese.
 * `max_total` (points) and `stars` (JSON array of four thresholds, points,
 * descending) come from the scheme's row. 0 clean, -1 refused.
 */
int ev_scheme_parse(const json_t *tree, int64_t max_total, const json_t *stars, struct arena *a,
		    struct ev_scheme *s /* OUT */, const char *field, struct zb_fail *f);

/* The points (tenths) the mapping of item `it` gives a metric value (has_value 0 = nothing measured). */
int ev_map_points(const struct ev_item *it, int has_value, double value);
/* The mapping as text shown beside the item ("得分 = 10 × 比率"). */
const char *ev_map_text(struct arena *a, const struct ev_item *it);

/* One item of one branch's sheet. */
struct ev_line {
	int has_value;		/* a metric value was measured */
	double value;
	json_t *inputs;		/* borrowed */
	const char *link;
	int metric_pts;		/* tenths from the metric (record-based items) */
	int has_self, self_pts;
	int has_review, review_pts;
	int points;		/* tenths counted: review, else self (manual) or the metric's */
};

struct ev_total {
	int cat_pts[64];	/* tenths per category after its cap */
	int cat_score[64];	/* tenths per category after its weight */
	int deduct;		/* tenths deducted (capped) */
	int total;		/* tenths, 0..max_total */
};
#define EV_MAX_CATS 64

/*
 * Fill each line's `points` and add them up: an item counts its review
 * score when one is given, else (manual) its self-assessment or (record-based)
 * the metric's points, within 0..max; a category counts at most its max, a
 * weighted category weight% of the total in proportion to its points; the
 * deductions together at most deduct_max; the total stays within
 * 0..max_total.
 */
void ev_score(const struct ev_scheme *s, struct ev_line *lines, struct ev_total *t /* OUT */);

/* Stars from thresholds: 5 .. 1. */
int ev_stars_of(const struct ev_scheme *s, int total);

/*
 * Ranks and stars of n branches with totals (tenths). Rank: 1 + the number
 * of strictly higher totals (ties share a rank: 1, 2, 2, 4). Stars from the
 * thresholds; then, when quota_pct >= 0, at most floor(n * quota_pct / 100)
 * five stars, given by rank: a group tied at the same total gets five stars
 * only when the whole group fits in what is left of the quota, otherwise the
 * group and everyone below get four stars (a tie is never split, and the
 * quota is never exceeded).
 */
void ev_rank_stars(const struct ev_scheme *s, size_t n, const int *totals, int quota_pct,
		   int *ranks /* OUT */, int *stars /* OUT */);

/*
 * Recompute a published entry's total from its frozen inputs ({"items":
 * [{code, has_value, value, self, review}, ...]}) under scheme s. The total
 * (tenths) or -1 when the frozen JSON is malformed.
 */
int ev_recompute_frozen(const struct ev_scheme *s, const json_t *frozen);

/* The rule for ties under a quota, as shown to users. */
extern const char EV_TIE_RULE[];

/* ---- the database side (eval.c) ---- */

struct arena;
struct keys;
struct audit_who;

/* A scheme version's row with its parsed tree. */
struct ev_scheme_row {
	int64_t id, previous_id, superseded_by, version;
	const char *code, *name, *kind;
	int seq, max_total;
	json_t *tree;		/* owned: ev_scheme_row_release */
	json_t *stars;		/* owned */
	struct ev_scheme s;
};
/* Load and parse scheme id. 1 found, 0 missing (or unparsable), <0 DB_E*. */
int ev_scheme_load(struct db *db, struct arena *a, int64_t id, struct ev_scheme_row *row /* OUT */);
void ev_scheme_row_release(struct ev_scheme_row *row);
/* The scheme row as API JSON (with tree and its items' formulas); new reference. */
json_t *ev_scheme_json(struct db *db, struct arena *a, const struct ev_scheme_row *row);

struct ev_round {
	int64_t id, org_id, scheme_id, version;
	const char *org_path, *org_name, *name, *status, *published_at;
	int year, quarter;
	int64_t from, to;	/* days */
	int quota;		/* five-star quota percent, -1 none */
};
/* 1 found, 0 missing, <0 DB_E*. Strings from the arena. */
int ev_round_load(struct db *db, struct arena *a, int64_t id, struct ev_round *rd /* OUT */);
json_t *ev_round_json(const struct ev_round *rd);

/* One branch in a round, computed. */
struct ev_entry {
	int64_t id, org_id, version;
	const char *org_name, *org_path, *status;
	struct ev_line *lines;	/* one per scheme item (arena) */
	const char **self_comment, **review_reason;
	struct ev_total t;
	int rank, stars;
	int prev_stars;		/* the previous published round's stars, 0 none */
	json_t *frozen;		/* owned, published rounds only */
	json_t *inputs_owned;	/* array holding every line's inputs (owned) */
};
struct ev_computed {
	struct ev_entry *v;	/* malloc'd */
	size_t n;
	const char *failed_metric;	/* code of a metric that failed, on error */
};
/*
 * Every entry of round rd scored under scheme s: live (metrics run now,
 * then ranks and stars) before publication, from the frozen inputs after.
 * `only_entry` > 0 computes ranks over all but keeps the metric work for
 * every entry anyway (ranks need them). DB_OK or DB_E* (failed_metric set
 * when a metric failed). Free with ev_computed_free.
 */
int ev_round_compute(struct db *db, struct arena *a, const struct ev_round *rd,
		     const struct ev_scheme_row *sr, struct ev_computed *out /* OUT */);
void ev_computed_free(struct ev_computed *c);
/* An entry as JSON; with `detail` its lines (inputs, formulas, what to do). */
json_t *ev_entry_json(struct db *db, struct arena *a, const struct ev_round *rd,
		      const struct ev_scheme_row *sr, const struct ev_entry *e, int detail);

/* Create a round with an entry per branch under its org (audited). The id or DB_E*. */
int64_t ev_round_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t org_id, const char *org_path, int64_t scheme_id, const char *name,
			int year, int quarter, int quota);
/*
 * Set a score of an entry: `review` 0 = self-assessment, 1 = review.
 * tenths < 0 clears it. Inside the caller's transaction, audited. The score
 * row's id or DB_E*.
 */
int64_t ev_score_set(struct db *db, const struct keys *k, const struct audit_who *who,
		     int64_t entry_id, const char *item, int review, int tenths, const char *text);
/* Publish round rd (status must be 'review'): freeze every entry. DB_OK, DB_E*, or 1 when stale. */
int ev_round_publish(struct db *db, struct arena *a, const struct keys *k,
		     const struct audit_who *who, const struct ev_round *rd, int64_t version,
		     const char **failed_metric /* OUT */);
/* The days of a year or quarter. */
void ev_period(int year, int quarter, int64_t *from, int64_t *to);
/* The JSON number of tenths: 9.5. */
json_t *ev_pts(int tenths);

/* ---- designations and weak branches (eval_weak.c) ---- */

/* Nominate org for a designation (audited, with its first history step). The id or DB_E*. */
int64_t ev_designation_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			      int64_t org_id, int year, const char *level, int64_t round_id,
			      const char *note, const char *day);
/* Move a designation to `to` on `day` (no checks: callers check the route). DB_OK or DB_E*. */
int ev_designation_step(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t id, const char *to, const char *note, const char *day);
/* Flag org as weak and lax (audited). The id or DB_E*. */
int64_t ev_weak_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t org_id, int year, const char *source, const char *rules,
		       const char *reason, const char *day);
/* Add a rectification step. The id or DB_E*. */
int64_t ev_weak_step_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			    int64_t weak_id, const char *action, const char *owner, const char *deadline);
/* Add a follow-up record (marking step_id done on `day` when step_done). The id or DB_E*. */
int64_t ev_weak_followup_insert(struct db *db, const struct keys *k, const struct audit_who *who,
				int64_t weak_id, int64_t step_id, int step_done, const char *note,
				const char *day);

#endif
