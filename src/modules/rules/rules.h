/* rules.h - the general rules engine: requirement rules as data and the pure evaluator that compares them with records. */
#ifndef ZB_RULES_H
#define ZB_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"

/*
 * A requirement says: orgs of these kinds / categories must do `what` (of a
 * `subject`: 'meeting' today; disclosures, tasks later) `count` times per
 * period. Records done within `grace_days` after a period's end make it
 * late rather than missing. A row applies to the periods starting in
 * [valid_from, valid_to): a rule change creates a new row from a date, so
 * earlier periods keep being judged by the old row.
 *
 * Days are counted as in date.h (date_to_days). The evaluator knows no
 * tables: the caller gives requirements, orgs and records.
 */
enum rule_freq { RULE_MONTHLY, RULE_QUARTERLY, RULE_YEARLY };
enum rule_severity { RULE_LOW, RULE_MEDIUM, RULE_HIGH };
enum rule_finding {
	RF_NONE,	/* satisfied in the period */
	RF_PENDING,	/* not satisfied yet, but the period (with its grace days) is not over */
	RF_MISSING,	/* nothing done */
	RF_LATE,	/* satisfied only with records within the grace days after the period */
	RF_INCOMPLETE,	/* fewer than `count` done */
};

#define RULE_OPEN_END INT64_MAX	/* valid_to of a row still in force */

struct rule_req {
	int64_t id;
	const char *subject;
	const char *what;
	const char *org_kinds;		/* comma list, "" or NULL = every kind */
	const char *org_categories;	/* comma list, "" or NULL = every category */
	enum rule_freq freq;
	int count;
	int grace_days;
	enum rule_severity severity;
	int64_t valid_from;		/* day */
	int64_t valid_to;		/* day, RULE_OPEN_END = none */
};

struct rule_org {
	int64_t id;
	const char *kind;
	const char *category;		/* NULL = none */
};

/* One occurrence: org `org_id` did `what` of `subject` on `day`. */
struct rule_record {
	int64_t org_id;
	const char *subject;
	const char *what;
	int64_t day;
};

/* One org x requirement x period. */
struct rule_cell {
	size_t org;		/* index into the orgs given */
	size_t req;		/* index into the requirements given */
	int64_t start, end;	/* the period, days inclusive */
	int expected;
	int done;		/* records within the period */
	int late;		/* records within the grace days after it */
	enum rule_finding finding;
};

struct rule_result {
	struct rule_cell *cells;	/* by org, then requirement, then period */
	size_t ncells;
	int64_t *last_activity;		/* per org: last record day <= the reference day, INT64_MIN none */
	int *idle;			/* per org: 1 when no record in the idle_days before the reference day */
};

/* The period of frequency f that contains `day`: its first and last day. */
void rule_period_of(enum rule_freq f, int64_t day, int64_t *start /* OUT */, int64_t *end /* OUT */);
/* 1 when `token` is in the comma list (NULL or "" list: always 1). */
int rule_list_has(const char *list, const char *token);

/*
 * Evaluate every org against every requirement that applies to it (kind and
 * category match, row valid for the period) over the periods that intersect
 * [from, to]. `as_of` is the day of judgement: a period not satisfied whose
 * end + grace_days is not before as_of is RF_PENDING. Idle: reference day =
 * min(to, as_of); an org is idle when its last record of any subject on or
 * before that day is more than idle_days before it, or there is none.
 * Returns 0, or -1 when out of memory (out is then empty). Free with
 * rule_result_free.
 */
int rules_evaluate(const struct rule_req *reqs, size_t nreq, const struct rule_org *orgs,
		   size_t norg, const struct rule_record *recs, size_t nrec, int64_t from,
		   int64_t to, int64_t as_of, int idle_days, struct rule_result *out /* OUT */);
void rule_result_free(struct rule_result *r);

/* Codes and Chinese labels. */
const char *rule_freq_code(enum rule_freq f);
int rule_freq_parse(const char *s);		/* -1 when unknown */
const char *rule_severity_code(enum rule_severity s);
int rule_severity_parse(const char *s);		/* -1 when unknown */
const char *rule_finding_code(enum rule_finding f);
const char *rule_finding_label(enum rule_finding f);
/* A period's label: "2022年3月", "2022年第1季度", "2022年". out >= 32 bytes. */
void rule_period_label(enum rule_freq f, int64_t start, char *out);

/* ---- the requirements table (rules.c) ---- */

/*
 * The requirement rows of `subject` (every validity) into an array from the
 * arena, strings too. Returns the count (>= 0) or a negative DB_E*.
 */
struct arena;
long rules_load(struct db *db, struct arena *a, const char *subject,
		struct rule_req **out /* OUT */);
json_t *rule_req_json(struct db *db, int64_t id);

/* Route handlers (rules.c). */
void rules_http_list(struct req *r);
void rules_http_update(struct req *r);
void rules_http_create(struct req *r);

#endif
