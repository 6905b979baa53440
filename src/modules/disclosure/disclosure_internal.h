/* disclosure_internal.h - what the disclosure module's files share (text checks, finance tables, the evaluation); not for other modules. */
#ifndef ZB_DISCLOSURE_INTERNAL_H
#define ZB_DISCLOSURE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "disclosure.h"
#include "../rules/rules.h"
#include "../../auth/perm.h"
#include "../../base/buf.h"
#include "../../base/err.h"

/* ---- pure text checks (disclosure_text.c), unit-tested without a database ---- */

/*
 * The rich-text sanitiser. Keeps exactly the tags p, br, strong, em, ul, ol,
 * li, table, tr, td, th, h3, h4, written without attributes (upper case is
 * lowered, "<br/>" becomes "<br>"); every other '<' and '>' is escaped as
 * text, as are '&' (except the entities &amp; &lt; &gt; &quot; &#39; &nbsp;
 * and numeric ones), '"' and '\''. Closing tags that close nothing are
 * dropped, open tags are closed at the end, control characters other than
 * tab and newline are dropped. Always yields well-formed output; out is
 * appended to (check out->err).
 */
void disclosure_sanitize(const char *in, struct buf *out);

/* The visible text of sanitised HTML, one line per block, for search and diffs (appended to out). */
void disclosure_plain_text(const char *html, struct buf *out);

/* Luhn check of a string of decimal digits (len >= 2). */
int disclosure_luhn_ok(const char *digits, size_t len);

/*
 * The personal-data guard: finds ID card numbers (valid GB 11643 check
 * character), mainland mobile numbers (1[3-9] + 9 digits) and bank card
 * numbers (16-19 digits passing Luhn) in `text`, also when their digits
 * are grouped by single spaces or hyphens. Each finding is added to f as a
 * field error on `field`, naming what was found (masked) and `where`
 * (a Chinese place: "标题", "正文", "收入第2行"). Returns the number found.
 */
int disclosure_pii_scan(const char *text, const char *field, const char *where, struct zb_fail *f);

/*
 * Check a finance table {opening_balance, income:[{name, amount, note?}],
 * expense:[...], income_total, expense_total, closing_balance}, money in fen:
 * every line named and >= 0, each total the sum of its lines, closing =
 * opening + income - expense, and opening = prev_closing when has_prev.
 * Every problem goes to f naming the line ("finance.income[2].amount").
 * On success returns 0 and *canon gets the table in canonical form (new
 * reference, lines with name/amount/note only); else -1.
 */
int disclosure_finance_check(const json_t *fin, int has_prev, int64_t prev_closing,
			     struct zb_fail *f, json_t **canon /* OUT */);

/* "12.34" for 1234 fen, "-0.05" for -5, into out (>= 32 bytes). */
void disclosure_yuan(int64_t fen, char *out);

/*
 * A line diff of two plain texts: a JSON array of {op: "=", "+", "-", text},
 * (longest common subsequence; texts over 2000 lines are compared as a whole).
 */
json_t *disclosure_text_diff(const char *a, const char *b);

/*
 * A period string for a frequency: monthly "2022-03", quarterly "2022-Q1",
 * yearly "2022", event "2022-03-05". 0 and the period's first and last day
 * (date_to_days), or -1 when it does not match.
 */
int disclosure_period_parse(const char *freq, const char *period, int64_t *start /* OUT */,
			    int64_t *end /* OUT */);
/* The period of frequency freq that precedes `period` into out (>= 16 bytes); -1 for events. */
int disclosure_period_prev(const char *freq, const char *period, char *out);
/* The period string of a rules-engine period start into out (>= 16 bytes). */
void disclosure_period_name(enum rule_freq f, int64_t start, char *out);

/* ---- the module's shared pieces (disclosure.c) ---- */

/* A catalogue row. */
struct dcat {
	int64_t id;
	const char *code, *affair, *name, *frequency, *required, *transactions;
	const char *org_kinds, *org_categories, *status;
	int within_days;
};
/* The catalogue (active and archived) into an arena array; count or DB_E*. */
long dcat_load(struct db *db, struct arena *a, struct dcat **out /* OUT */);
const struct dcat *dcat_find(const struct dcat *v, size_t n, const char *code);
const char *disclosure_affair_label(const char *affair);
const char *disclosure_state_label(const char *state);
const char *disclosure_kind_label(const char *kind);

/* A version's key facts (dver_load); strings from the arena. */
struct dver {
	int64_t id, disclosure_id, seq, version, superseded_by, previous_id, org_id;
	const char *state, *org_path, *item, *period, *title, *content, *finance;
	const char *reason;	/* correction_reason, NULL for a first version */
};
/* A version's fields as entered (borrowed). finance: the JSON table or NULL. */
struct dver_in {
	const char *title;
	const char *content;
	const json_t *finance;
};
/* Outcomes besides DB_OK and DB_E*: refused (f holds why), stale or wrong state (f may hold why). */
enum { DV_INVALID = 1, DV_STALE = 2 };
#define DV_STALE_ID (-100)

int dver_load(struct db *db, struct arena *a, int64_t vid, struct dver *v /* OUT */);
/*
 * Create the disclosure (org, item, period) with its first version as a
 * draft, attach files, audit. The id, 0 when refused (f; ZB_ECONFLICT when it
 * exists), or DB_E*. Inside the caller's transaction, like every write here.
 */
int64_t disclosure_create(struct db *db, const struct keys *k, const struct audit_who *who,
			  struct arena *a, int64_t org_id, const char *org_path, const char *item,
			  const char *period, const struct dver_in *in, const int64_t *files,
			  size_t nfiles, struct zb_fail *f);
/* Replace a draft / returned version's fields (DB_OK, DV_INVALID, DV_STALE or DB_E*). */
int dver_update(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
		const struct dver *v, int64_t version, const struct dver_in *in,
		const int64_t *files, size_t nfiles, struct zb_fail *f);
/*
 * Move a version to `step`: submitted (personal-data guard, required
 * fields, finance balance), checked (finance only), reviewed, returned
 * (reason required). DB_OK, DV_INVALID, DV_STALE or DB_E*.
 */
int dver_step(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
	      const struct dver *v, int64_t version, const char *step, const char *reason,
	      struct zb_fail *f);
/*
 * Publish a reviewed version: state, time (published_at, NULL = now), the
 * predecessor superseded, the leaf appended to the log, open missing /
 * incomplete findings of its org x item x period closed. DB_OK, DV_STALE, DB_E*.
 */
int dver_publish(struct db *db, const struct keys *k, const struct audit_who *who,
		 const struct dver *v, int64_t version, const char *published_at, struct zb_fail *f);
/* A correction of the current published version: a new draft version. Its id, 0 (f), DV_STALE_ID or DB_E*. */
int64_t dver_correct(struct db *db, const struct keys *k, const struct audit_who *who,
		     struct arena *a, const struct dver *v, int64_t version, const char *reason,
		     const struct dver_in *in, const int64_t *files, size_t nfiles, struct zb_fail *f);
/* The required fields of item c that version vid lacks, as a Chinese list ("" = complete). */
const char *dver_missing_fields(struct db *db, struct arena *a, const struct dcat *c,
				int64_t vid, const char *content, const char *finance);
/*
 * The disclosure with its versions (each with its files) as JSON;
 * `public_only` keeps published versions, no names, and files as {id, name,
 * mime, size, url} with the public download address. NULL when missing.
 */
json_t *disclosure_json(struct db *db, struct arena *a, int64_t id, int public_only);

/* ---- the evaluation (disclosure_eval.c) ---- */

/* One org x item x period as judged on as_of. */
struct dcell {
	int64_t org_id;
	const char *org_name, *org_path, *item, *item_name, *affair;
	char period[16];
	char due[11];			/* YYYY-MM-DD */
	const char *state;		/* published, late, missing, pending, incomplete, not_due */
	int64_t disclosure_id;		/* 0 none */
	char published_on[11];		/* "" none */
	enum rule_severity severity;
	const char *missing_fields;	/* for incomplete: "附件、收支明细表" */
	int late;			/* first published after the due day */
};
struct dgrid {
	struct dcell *v;
	size_t n, cap;
};
/*
 * Judge every branch in scope s (and under path_like when not NULL) against
 * every catalogue item for the periods of [from, to] on day as_of: periodic
 * items through rules_evaluate, event items by their due days. DB_OK or
 * DB_E*; free with dgrid_free.
 */
int disclosure_evaluate(struct db *db, struct arena *a, const struct scope *s,
			const char *path_like, int64_t from, int64_t to, int64_t as_of,
			struct dgrid *out /* OUT */);
void dgrid_free(struct dgrid *g);

/* ---- stored findings (disclosure_findings.c) ---- */

/* A finding to store (strings borrowed). disclosure_id 0 = none. */
struct dfinding_in {
	int64_t org_id, disclosure_id;
	const char *item, *period, *kind, *source, *severity, *text, *evidence;
	const char *found_on, *found_by, *deadline;
};
/* Store a finding with its rectification deadline, audited. Its id or DB_E*. */
int64_t dfinding_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			const struct dfinding_in *in);
/*
 * The stored findings about one disclosure (those naming it, and those of its
 * org x item x period, e.g. an 应公开未公开 later rectified by it), newest
 * first, each with its rectification state (open / overdue / done) and
 * accountability records, as a JSON array (never NULL; empty on error).
 */
json_t *dfinding_about(struct db *db, struct arena *a, int64_t disclosure_id, int64_t org_id,
		      const char *item, const char *period);
/* Mark finding id (at row version) rectified on `on` with a note. DB_OK, DV_STALE or DB_E*. */
int dfinding_done(struct db *db, const struct keys *k, const struct audit_who *who, int64_t id,
		  int64_t version, const char *on, const char *note);
/* Record a talk / notice / accountability about finding_id. Its id or DB_E*. */
int64_t dfinding_accountability(struct db *db, const struct keys *k, const struct audit_who *who,
				int64_t org_id, int64_t finding_id, const char *kind, const char *person,
				const char *by, const char *on, const char *note);

#endif
