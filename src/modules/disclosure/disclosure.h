/* disclosure.h - 三务公开 (Party, village and finance affairs disclosure): the catalogue, disclosures and their versions, findings and rectification, supervision and the public pages. */
#ifndef ZB_DISCLOSURE_H
#define ZB_DISCLOSURE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"
#include "../../base/buf.h"

/*
 * THE CONTRACT (for the web pages and for the transparency log, dlog.h)
 *
 * Catalogue. disclosure_catalog rows (affair party 党务 / village 村务 /
 * finance 财务, item code, name, frequency monthly|quarterly|yearly|event,
 * within_days for events, required fields: a comma list of content,
 * finance, attachments, event_date; transactions any|many|few). Periodic
 * items are judged by the rules engine through requirement rows of subject
 * 'disclosure' whose `what` is the item code; their grace_days are the days
 * after a period's end by which its disclosure is due. Finance items:
 * finance_monthly applies to orgs marked many_transactions, finance_quarterly
 * to the others.
 *
 * A disclosure is one org x item x period ("2022-03", "2022-Q1", "2022", or
 * the event date "2022-03-05" for event items). It has versions; each goes
 * draft -> submitted -> checked (finance items only, by the finance group:
 * disclosure.check) -> reviewed (township: disclosure.review) -> published
 * (disclosure.review), or back to returned with a reason (editable again).
 * Submission runs the personal-data guard (ID numbers, mobile numbers, bank
 * card numbers in the title, content or finance lines are refused, each
 * named masked) and the finance checks (totals add up, closing = opening +
 * income - expense, opening = the previous period's published closing; each
 * refusal names the line: "finance.income[2].amount"). Content is rich text
 * sanitised to the tags p br strong em ul ol li table tr td th h3 h4 without
 * attributes. A published version never changes; a correction is a new
 * version (previous_id, correction_reason) that goes through the same steps;
 * when it is published the old one is marked superseded_by, and both stay
 * visible, publicly too. Attachments: files_attach with owner_kind
 * 'disclosure' and owner_id = the version's id.
 *
 * Publication appends the version's leaf (disclosure_leaf_bytes) to the
 * transparency log with dlog_append inside the publishing transaction and
 * stores the returned index as the version's leaf_index.
 *
 * Findings per org x item x period (states: published, late, missing =
 * 应公开未公开, pending = not yet due, incomplete = required fields missing);
 * stored findings (dispatched automatic ones, fake 假公开 by a discipline
 * reviewer with evidence, residents' questions) are rectification orders
 * with a deadline (立行立改): open, done, or overdue; then accountability
 * records (talk 约谈, notice 通报, accountability 追责) with who and when.
 *
 * Routes (docs/openapi.yaml has the bodies and answers):
 *   GET  /api/v1/disclosure/catalog                      catalogue + rules   disclosure.read
 *   POST /api/v1/disclosure/catalog                      new item            disclosure.catalog
 *   PUT  /api/v1/disclosure/catalog/:id                  edit item / rule    disclosure.catalog
 *   GET  /api/v1/disclosure/org-settings?org=            many_transactions   disclosure.read
 *   PUT  /api/v1/disclosure/org-settings/:id             {many_transactions} disclosure.catalog
 *   GET  /api/v1/disclosures?org=&item=&affair=&period=&state=&year=&page=&page_size=
 *   POST /api/v1/disclosures                             {org_id, item, period, event_date?, title, content, finance?, files?}
 *   GET  /api/v1/disclosures/:id                         with every version (and its files), `can` {write, check,
 *                                                        review, supervise} on its org, and `findings`: the stored
 *                                                        findings about it with their rectification state.
 *                                                        Every workflow answer below (and its 409 `current`) is
 *                                                        this same detail.
 *   PUT  /api/v1/disclosure-versions/:id                 edit a draft / returned version {version, title, content, finance?, event_date?, files?}
 *   POST /api/v1/disclosure-versions/:id/submit|check|review|publish   {version}
 *   POST /api/v1/disclosure-versions/:id/return          {version, reason}
 *   POST /api/v1/disclosure-versions/:id/correct         {version, reason, title, content, finance?, files?} -> new draft version
 *   GET  /api/v1/disclosure/grid?year=&org=&affair=      branches x items x periods with states
 *   GET  /api/v1/disclosure/grid.xlsx?year=&org=&affair= the same as a workbook
 *   GET  /api/v1/disclosure/ranking?year=&org=          completeness and timeliness per branch
 *   GET  /api/v1/disclosure/talks?year=&org=            branches due a talk (约谈): >= 2 unrectified findings
 *   GET  /api/v1/disclosure/findings?org=&status=&kind=  stored findings (rectification orders)
 *   POST /api/v1/disclosure/findings/scan                {year?, deadline_days?} dispatch the automatic ones   disclosure.supervise
 *   POST /api/v1/disclosure/findings                     {org_id, item, period, disclosure_id?, kind:"fake", text, evidence, deadline?}  disclosure.supervise
 *   POST /api/v1/disclosure/findings/:id/done            {version, note}     disclosure.write on the org, or disclosure.supervise
 *   POST /api/v1/disclosure/findings/:id/accountability  {kind, subject_person, done_on, note}   disclosure.supervise
 *   GET  /api/v1/disclosure/accountability?org=          the records
 *   public, no login, no personal data:
 *   GET  /api/v1/public/disclosure/orgs                  villages and communities with published counts
 *   GET  /api/v1/public/disclosures?org=&affair=&period=&q=&page=&page_size=
 *   GET  /api/v1/public/disclosures/:id                  every published version, with diff and reason, leaf_index,
 *                                                        files [{id, name, mime, size, url}]
 *   GET  /api/v1/public/disclosures/:id/files/:file_id   a file of a PUBLISHED version of :id, as an attachment
 *                                                        (404 for any other file: draft, returned, unlinked, elsewhere)
 *   POST /api/v1/public/disclosure-questions             {disclosure_id, text} rate-limited per IP -> a finding
 */

/*
 * The canonical bytes of a published version's leaf (no personal data): e.g. a canonical JSON of {version_id, disclosure_id, org_id, item, period, version, title, content_sm3, finance_sm3, published_at}. DB_OK, or DB_ENOTFOUND when the version is not published.
 *
 * Here: compact JSON with sorted keys of exactly those fields, where
 * `version` is the version's sequence number (1, 2 ... within the
 * disclosure), content_sm3 the lowercase hex SM3 of the stored (sanitised)
 * content and finance_sm3 that of the stored canonical finance JSON ("" when
 * none). Computed from the row as it is now, so a row edited behind the
 * program's back gives different bytes. `out` is appended to.
 */
#ifndef DB_ENOTFOUND
#define DB_ENOTFOUND (-5)	/* not in db.h's enum: no published version with that id */
#endif
int disclosure_leaf_bytes(struct db *db, int64_t version_id, struct buf *out);

/* The findings provider (findings.h): 应公开未公开, incomplete, fake, questions, rectification overdue. */
struct findings_query;
struct findings;
int disclosure_findings(const struct findings_query *q, struct findings *out);

/*
 * The demo township's 2022 disclosures for its village and community
 * branches under root_org_id, inside the caller's transaction: most published
 * on time, some late, a few never (gaps for the findings), a finance table, a
 * correction with its reason, a fake finding with its rectification and a
 * talk. Deterministic. DB_OK or DB_E*.
 */
int disclosure_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
			 int64_t root_org_id);

/* Route handlers. */
void disclosure_http_catalog_list(struct req *r);
void disclosure_http_catalog_create(struct req *r);
void disclosure_http_catalog_update(struct req *r);
void disclosure_http_settings_get(struct req *r);
void disclosure_http_settings_put(struct req *r);
void disclosure_http_list(struct req *r);
void disclosure_http_create(struct req *r);
void disclosure_http_get(struct req *r);
void disclosure_http_version_update(struct req *r);
void disclosure_http_submit(struct req *r);
void disclosure_http_check(struct req *r);
void disclosure_http_review(struct req *r);
void disclosure_http_publish(struct req *r);
void disclosure_http_return(struct req *r);
void disclosure_http_correct(struct req *r);
void disclosure_http_grid(struct req *r);
void disclosure_http_grid_xlsx(struct req *r);
void disclosure_http_ranking(struct req *r);
void disclosure_http_talks(struct req *r);
void disclosure_http_findings(struct req *r);
void disclosure_http_scan(struct req *r);
/*
 * The daily job (src/app/jobs.h): the automatic findings of the year of `day`
 * across the whole tree become rectification orders, once each.
 */
int disclosure_scan_job(const struct app *app, struct db *db, const char *day, char *detail,
			size_t detail_len);
void disclosure_http_finding_create(struct req *r);
void disclosure_http_finding_done(struct req *r);
void disclosure_http_accountability_create(struct req *r);
void disclosure_http_accountability_list(struct req *r);
void disclosure_public_orgs(struct req *r);
void disclosure_public_list(struct req *r);
void disclosure_public_get(struct req *r);
void disclosure_public_file(struct req *r);
void disclosure_public_question(struct req *r);

#endif
