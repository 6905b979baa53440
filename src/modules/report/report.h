/* report.h - the annual duty report (述职报告) drafted from the records, its edits, .docx / HTML / .xlsx output, and the dashboard: the public face of the report module. */
#ifndef ZB_REPORT_H
#define ZB_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "../../db/db.h"

struct arena;
struct buf;
struct org;
struct req;

/*
 * ---- Contract for the web pages (dashboard, report preview and editing) ----
 *
 * GET /api/v1/reports/annual?org=ID&year=YYYY (report.read) answers the draft:
 *   { org_id, org_name, year, title,
 *     figures: { <key>: { value, label, formula, link, unit }, ...,
 *                honours: { <category label>: { value, formula, link, unit }, ... } },
 *     values:  { <key>: number, ..., honours: { <label>: number } },
 *     sections: [ { key, heading, level, text, generated, edited, version,
 *                   updated_by, updated_at, paragraphs: [ [segment, ...], ... ],
 *                   rendered } ] }
 * A section's `text` is what the report prints, with figure placeholders
 * "{{key}}" (or "{{honours.<label>}}"); `rendered` is the same with the
 * numbers filled in; `paragraphs` splits `rendered` at new lines into
 * segments {"text": "..."} and {"text": "31", "figure": "reserve_cadres",
 * "link": "/people?..."} so the preview links every number to its records.
 * `generated` is the text the records give today. Levels: 0 title, 1 the
 * 一、二、三 headings (黑体), 2 the （一）… parts (楷体), 3 body only.
 * Section keys: opening, duty_org, duty_team, duty_study, duty_mechanism,
 * problems, next_steps (the title is not editable).
 *
 * Every figure is counted from records of the org's subtree for the year
 * (report_figures.c says which records); `link` is the web route of those
 * records, e.g. /people?org=1&position=two_committees&as_of=2022-12-31&...
 *
 * PUT /api/v1/reports/annual/sections/:key?org=&year= (report.write), body
 * {"text": "...", "version": N} saves a person's wording (version 0 when
 * the section was never edited); {"reset": true, "version": N} hands the
 * section back to the draft. A stale version answers 409 with the current
 * section. Every save is a new row of report_section_versions and audited.
 * GET .../sections/:key/versions lists them, newest first.
 *
 * THE REGENERATION RULE. The draft is regenerated from the records on every
 * read; nothing generated is stored. A section nobody edited (or that was
 * reset) shows the freshly generated text. A section a person edited keeps
 * the person's text word for word, and only its figure placeholders are
 * filled with the current values: so adding a reserve cadre turns "{{
 * reserve_cadres}}" from 31 into 32 in an edited paragraph too, while a
 * number the person typed as plain digits is theirs and is never touched.
 * `generated` is always sent so the page can show what the records would
 * say now beside the person's wording.
 *
 * GET /api/v1/reports/annual.docx and annual.html (same query): the draft as
 * an official document (GB/T 9704 layout) and as a printable page.
 * GET /api/v1/reports/tables.xlsx?org=&year=: the statistical tables.
 * GET /api/v1/dashboard?org=&from=&to=: the panels, see report_dashboard.
 */

/* Report sections and their order (report_draft.c). */
struct report_section_def {
	const char *key;	/* "duty_team" */
	const char *heading;	/* "（二）以选优配强支部班子为抓手，激发基层党组织活力。" or NULL */
	int level;		/* of the heading: 1 黑体 / 2 楷体; 0 = no heading of its own */
	const char *part;	/* the level-1 heading printed before it, or NULL */
};
extern const struct report_section_def report_sections[];	/* ends with key NULL */
const struct report_section_def *report_section_find(const char *key);

/*
 * Every figure of the org's subtree for `year` as the `figures` object
 * above (a new reference), or NULL with *rc a DB_E* on a database error.
 * Strings from a.
 */
json_t *report_figures(struct db *db, struct arena *a, const struct org *o, int year,
		       int *rc /* OUT */);

/*
 * The whole draft (see the contract above): figures, generated text merged
 * with the stored edits by the regeneration rule. NULL with *rc on error.
 */
json_t *report_annual(struct db *db, struct arena *a, const struct org *o, int year,
		      int *rc /* OUT */);

/*
 * Replace "{{key}}" / "{{honours.<label>}}" in `text` by the figure values of
 * `values` (the draft's `values`); an unknown key is left as written. When
 * `segments` is not NULL, the rendered paragraphs are appended to it as
 * arrays of segments (figures get `figure` and `link` from `figures`).
 * Returns the rendered text (arena).
 */
const char *report_render(struct arena *a, const char *text, const json_t *figures,
			  json_t *segments /* OUT, may be NULL */);

/*
 * The draft as a .docx (WordprocessingML written here, zipped by libzip in
 * memory): A4, margins 37/35/28/26 mm, title 方正小标宋简体 22pt, body
 * 仿宋_GB2312 16pt at a fixed 28pt line, 黑体 / 楷体_GB2312 headings, page
 * number "— N —" centred at the foot. 0 and *out (malloc'd, caller frees),
 * -1 on failure.
 */
int report_docx(const json_t *draft, char **out /* OUT */, size_t *len /* OUT */);
/* The draft as one printable HTML page into b (escaped text, print CSS for A4). */
void report_html(const json_t *draft, struct buf *b);

/*
 * The statistical tables of the subtree for the year into an .xlsx file at
 * `path` (temporary files in tmpdir): one sheet per table, branches in tree
 * order, a totals row. DB_OK, a DB_E*, or 1 when the file cannot be written.
 */
int report_tables_xlsx(struct db *db, struct arena *a, const struct org *o, int year,
		       const char *path, const char *tmpdir);

/*
 * The dashboard panels for the subtree and the period [from, to]
 * (YYYY-MM-DD): members, team, meetings by month, training, tasks, deeds,
 * disclosure, evaluation, honours, branch status; each number with a
 * `link`. One query per panel. NULL with *rc on error.
 */
json_t *report_dashboard(struct db *db, struct arena *a, const struct org *o, const char *from,
			 const char *to, int *rc /* OUT */);

/* Route handlers (report_http.c). */
void report_http_annual(struct req *r);
void report_http_docx(struct req *r);
void report_http_html(struct req *r);
void report_http_section_put(struct req *r);
void report_http_section_versions(struct req *r);
void report_http_tables(struct req *r);
void report_http_dashboard(struct req *r);

#endif
