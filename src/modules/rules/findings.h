/* findings.h - findings from every module (meetings, tasks, deeds, visits, disclosures) gathered for the to-do inbox, the branch status and the daily run. */
#ifndef ZB_FINDINGS_H
#define ZB_FINDINGS_H

#include <stddef.h>
#include <stdint.h>
#include "rules.h"
#include <jansson.h>
#include "../../auth/perm.h"

/*
 * One thing that is wrong or due, about one org. Strings are copied into the
 * findings' arena by findings_add, so a provider may pass temporaries.
 */
struct finding {
	int64_t org_id;		/* the org it is about: a branch, a party group, a grid's branch ... */
	const char *org_path;	/* that org's materialized path, "/1/4/" */
	const char *org_name;
	const char *subject;	/* "meeting", "task", "deed", "visit", "disclosure", ... */
	const char *code;	/* missing, late, incomplete, idle, overdue, stale, rectification_overdue ... */
	const char *label;	/* the code in Chinese: 缺少, 逾期, ... */
	enum rule_severity severity;
	const char *text;	/* one sentence in Chinese naming the org and the record */
	const char *link;	/* the web route of the records behind it ("/tasks/items/12"); NULL none */
	const char *date;	/* YYYY-MM-DD: the day it became due or was found; the to-do sorts newest first */
	/* Optional (NULL = none): what the rule asked for and the period judged. */
	const char *what;	/* a code: a meeting type, a catalogue item, a task code */
	const char *what_label;
	const char *period;	/* "2022年3月", "2022年第1季度", "2022年" */
};

struct findings {
	struct arena *a;	/* strings are copied here */
	struct finding *v;	/* malloc'd; findings_free */
	size_t n, cap;
};

/*
 * The question every provider answers: the findings about orgs in scope `s`
 * (and, when path_like is not NULL, whose path is LIKE path_like, "/1/4/%"),
 * as they stand on day `as_of` (date_to_days). findings_collect gives each
 * provider `s` = the caller's scope for the provider's read action (from the
 * table in findings.c); a provider that narrows further (a grid worker sees
 * only their grids) uses user_id. Providers read with q->db and allocate from
 * q->a. The daily job asks as the system: user_id 0, scope the whole tree.
 */
struct findings_query {
	struct db *db;
	struct arena *a;
	const struct scope *s;
	const char *path_like;
	int64_t as_of;
	int64_t user_id;	/* the caller; 0 = the system (no narrowing) */
	const struct ctx *ctx;	/* the caller's grants (set by findings_collect); NULL = the system */
	size_t reasons_max;	/* findings_branch_status: reasons kept per branch, most severe first; 0 = all */
};

/* A provider: appends its findings with findings_add. DB_OK or a negative DB_E*. */
typedef int (*findings_provider)(const struct findings_query *q, struct findings *out);

void findings_init(struct findings *fs, struct arena *a);
/* Append a copy of *f. 0, or -1 when out of memory. */
int findings_add(struct findings *fs, const struct finding *f);
void findings_free(struct findings *fs);

/*
 * Every provider in the table of findings.c ({ subjects it gives (comma
 * list), read action, provider }), in order; stops at the first error. Each module adds one line
 * there. `c` is the caller (NULL = the system: q->s is used for every
 * provider); `subjects` a comma list of finding subjects to keep
 * ("meeting,task"), NULL = all: findings of other subjects are dropped.
 * DB_OK or DB_E*.
 */
int findings_collect(const struct ctx *c, const struct findings_query *q, const char *subjects,
		     struct findings *out);

/*
 * Severity guide, so one branch's status reads the same whatever the module:
 * high = a duty of the regulations not done at all (a missing member
 * assembly, a disclosure never published, a fake disclosure); medium = a
 * thing not done that should have been (a missing monthly meeting, an
 * overdue task or request, a rectification past its deadline); low = done
 * late, incomplete, or silence (no activity, silent households, no progress
 * report for N days).
 *
 * A branch's status from its findings (its party groups' and grids' counted
 * as its own): red when any finding is of severity high or two or more are
 * of severity medium; yellow when there is any finding; else green.
 * Returns "green", "yellow" or "red".
 */
const char *findings_status(const struct finding *const *v, size_t n);
extern const char FINDINGS_STATUS_RULE[];	/* that rule in Chinese, for the web app */

/*
 * Every branch (and general branch) in scope `s` under path_like with its
 * status and reasons on `as_of`, as the JSON /compliance/status answers:
 * {items:[{org_id, name, kind, path, status, status_label, reasons:[...],
 * reasons_total}], counts:{green, yellow, red}}. Reasons are the most severe
 * first; q->reasons_max > 0 keeps only that many (reasons_total counts all). Used by the route and the daily job.
 * NULL on a database error (*rc set).
 */
json_t *findings_branch_status(const struct ctx *c, const struct findings_query *q,
			       const char *subjects, int *rc /* OUT */);
/* The same from findings already collected for q (read with q's scope and path_like). */
json_t *findings_status_json(const struct findings_query *q, const struct findings *fs,
			     int *rc /* OUT */);
/* A finding as the API's JSON. */
json_t *finding_json(const struct finding *f);

/* GET /api/v1/todo and GET /api/v1/compliance/status (findings_http.c). */
void findings_http_todo(struct req *r);
void findings_http_status(struct req *r);
/* The daily job: every branch's status into org_status (findings_http.c). */
int findings_status_job(const struct app *app, struct db *db, const char *day, char *detail,
			size_t detail_len);
#endif
