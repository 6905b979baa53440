/* honours.h - honours (评先评优): categories, rounds with quotas, nominations, the public notice (公示), objections and the register; the module's public face and its API contract. */
#ifndef ZB_HONOURS_H
#define ZB_HONOURS_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"
#include "../rules/findings.h"

/*
 * API CONTRACT (every route is also in docs/openapi.yaml)
 *
 * Access: honour.read (staff, secretary, discipline), honour.write (staff,
 * secretary: nominate, withdraw), honour.review (staff: rounds, review,
 * notice, objections, decision). A round belongs to the org that runs it
 * (the township); it is visible to whoever reads that org or a part of its
 * subtree. Nominations belong to the nominating org and are scoped by it;
 * anything outside the caller's scope answers 404.
 *
 *   GET  /api/v1/honours/categories -> {items:[{code, label, nominee_kind, level, level_label, rule, rule_label}],
 *        notice_min_days}
 *   GET  /api/v1/honours/rounds?year=&category=&status= -> {items:[round]}
 *   POST /api/v1/honours/rounds {org_id, year, category, title?, notice_days?, note?,
 *        quotas?:[{org_id, quota}]} -> 201 round
 *   GET  /api/v1/honours/rounds/:id -> round with quotas:[{org_id, org_name, quota, used}],
 *        nominations:[nomination] (those in the caller's scope)
 *   PUT  /api/v1/honours/rounds/:id {version, title?, notice_days?, note?, quotas?} (open only)
 *   POST /api/v1/honours/rounds/:id/nominations {org_id, nominee_id, reason,
 *        links?:[{kind: meeting|deed|task, id}]} -> 201 nomination
 *        refused (400, in Chinese): nominee outside the nominating org, over the
 *        quota, not eligible for the category, already nominated, a link that
 *        does not exist or is outside the org.
 *   POST /api/v1/honours/rounds/:id/notice {version, notice_from?} -> round: the
 *        公示 of the approved nominees for notice_days working days (Saturdays,
 *        Sundays and holidays skipped); nothing may still await review.
 *   POST /api/v1/honours/rounds/:id/decide {version} -> round: after the notice
 *        has ended with every objection handled, the approved nominees are awarded.
 *   GET  /api/v1/honours/nominations/:id -> nomination with links and objections
 *   POST /api/v1/honours/nominations/:id/review {version, decision: approve|reject, note?}
 *   POST /api/v1/honours/nominations/:id/withdraw {version, reason}
 *   POST /api/v1/honours/nominations/:id/objections {text, received_on?} -> 201 objection
 *        (staff recording one received during the notice)
 *   POST /api/v1/honours/objections/:id/handle {version, decision: upheld|dismissed, reason}
 *        upheld withdraws the nomination with the reason.
 *   GET  /api/v1/honours/register?year=&category=&org=&nominee_kind=&nominee_id=&q=&page=&page_size=
 *        -> {items:[honour], total, page, page_size}: awarded nominations.
 *   GET  /api/v1/honours/register/counts?year=&org= -> {total, by_year:[{year, count}],
 *        by_category:[{category, label, count}], by_org:[{org_id, org_name, count}]}
 *   GET  /api/v1/honours/register.xlsx?year=&category=&org= -> the register as a sheet (audited)
 *
 * Public (no account; rate-limited per client address; names and units only)
 *   GET  /api/v1/public/honours/notices -> {items:[{id, title, year, category_label,
 *        org_name, notice_from, notice_to, nominees:[{id, name, unit}]}]}
 *   GET  /api/v1/public/honours/notices/:id -> one notice
 *   POST /api/v1/public/honours/objections {nomination_id, text} -> 201 {id, message}
 *        refused after the notice period, with markup, or beyond
 *        ZHIBU_PUBLIC_RATE submissions of any public form per address per 10 minutes (429).
 */

/*
 * The findings provider (rules/findings.c): notices whose period has ended
 * without a decision, and objections not yet handled. DB_OK or DB_E*.
 */
int honours_findings(const struct findings_query *q, struct findings *out);

/*
 * The demo township's honours of 2022 under root_org_id, inside the caller's
 * open transaction, after the people and grid demo data exist: one decided
 * round per category with 20 优秀党务工作者, 10 优秀共产党员 (one more
 * nominee withdrawn after an upheld objection), 2 十星级文明户, 10 文明家庭 and
 * 5 最美家庭 awarded. Deterministic. DB_OK or DB_E*.
 */
int honours_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
		      int64_t root_org_id);

/* ---- route handlers ---- */
void honours_http_categories(struct req *r);
void honours_http_rounds(struct req *r);
void honours_http_round_create(struct req *r);
void honours_http_round_get(struct req *r);
void honours_http_round_update(struct req *r);
void honours_http_nominate(struct req *r);
void honours_http_notice(struct req *r);
void honours_http_decide(struct req *r);
void honours_http_nomination_get(struct req *r);
void honours_http_review(struct req *r);
void honours_http_withdraw(struct req *r);
void honours_http_objection_create(struct req *r);
void honours_http_objection_handle(struct req *r);
void honours_http_register(struct req *r);
void honours_http_counts(struct req *r);
void honours_http_register_xlsx(struct req *r);
void honours_public_notices(struct req *r);
void honours_public_notice(struct req *r);
void honours_public_objection(struct req *r);

#endif
