/* members.h - the member lifecycle: joining the Party (发展党员), Party dues (党费) and transfers of membership (组织关系转接) with floating members; the module's public face and its API contract. */
#ifndef ZB_MEMBERS_H
#define ZB_MEMBERS_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"
#include "../rules/findings.h"

/*
 * API CONTRACT (every route is also in docs/openapi.yaml)
 *
 * Access: member.read (staff, secretary, discipline), member.write (staff,
 * secretary), member.approve (staff: the level above a branch), dues.read
 * (staff, secretary, discipline), dues.write (staff, secretary). Everything
 * is scoped by the org of the person (joining, dues) or of either side of a
 * transfer; anything outside the caller's scope answers 404. Errors are
 * {"error":{code, message, fields:{field: 中文}}}; nothing is written when
 * one field is bad. Dates "YYYY-MM-DD", months "YYYY-MM", money in fen.
 *
 * Joining (发展党员). The steps are data (table join_steps): five stages
 * applicant 入党申请人 -> activist 入党积极分子 -> candidate 发展对象 ->
 * probationary 预备党员 -> full 正式党员. Recording upper_approval makes the
 * person 中共预备党员 (political_status probationary, joined_on = the assembly
 * vote's date); full_approval makes them 中共党员 (member, full_member_on =
 * the end of probation). 党龄 (standing_years) counts from full_member_on.
 *   GET  /api/v1/members/steps -> {items:[{code, seq, stage, stage_label, label, after_step,
 *        min_months, min_days, max_months, max_days, repeat_months, doc_required,
 *        needs_meeting, needs_people, min_hours, min_workdays, transition, rule, upper}],
 *        stages:[{code, label}], min_age, extension:{min_months, max_months}}
 *   GET  /api/v1/members/pipeline?org=&stage= -> {items:[{person_id, name, org_id, org_name,
 *        stage, stage_label, last_step, last_label, last_on, next_step, next_label, due_from,
 *        due_by, overdue, repeat_step, repeat_due, probation_end, joined_on, full_member_on,
 *        standing_years}], counts:{applicant, activist, candidate, probationary, full}}
 *        every person with joining records in the scope (or under org), newest stage first.
 *   GET  /api/v1/members/joining/:person_id -> {person_id, name, org_id, org_name, birth_date,
 *        political_status, stage, stage_label, records:[{id, step, label, stage, done_on,
 *        end_on, hours, meeting_id, people:[{id, name}], done_by, note, files:[...],
 *        version}], next:{step, label, due_from, due_by, rule, overdue, upper}|null (the
 *        application for a person without records), repeat:{step, label,
 *        due}|null, extension:{months, decided_on, note}|null, probation_end, joined_on,
 *        full_member_on, standing_years, can_write}
 *   POST /api/v1/members/joining/:person_id/steps {step, done_on, end_on?, hours?, meeting_id?,
 *        people?:[id, id], done_by?, note?, late_reason?, files?:[file id]} -> 201 the
 *        joining JSON. Refused (400) with the broken rule under its field: step (order:
 *        "程序不能颠倒：须先完成“…”"), done_on (age 18 at application, dates in order,
 *        minimum / maximum durations), files (document), meeting_id (a closed branch
 *        assembly of the person's branch that voted with quorum), people (two full
 *        members of the branch), hours (training >= 24), end_on (notice >= 5 working days).
 *        A step past its maximum (the talk after a month, an approval after 3 months) is
 *        recorded only with late_reason. Steps with upper = true (precheck, upper_approval,
 *        full_approval) are decided by the level above: 403 unless the caller has
 *        member.approve on the org above the person's org.
 *   POST /api/v1/members/joining/:person_id/extension {months, decided_on, meeting_id?, note?}
 *        -> 201 the joining JSON (only while probationary, once, 6..12 months).
 *   POST /api/v1/members/joining/records/:id/void {version, reason} -> the joining JSON:
 *        only the person's latest step, never an approval that changed the political
 *        status; the record stays, voided, with the reason. 409 on a stale version.
 *
 * Dues (党费). Rules (dues_rules) by category (dict dues_category): in_service and
 * retired by base brackets, others a fixed amount; rounding by settings.
 *   GET  /api/v1/dues/rules -> {items:[{id, category, category_label, sort, up_to_fen, rate_bp,
 *        fixed_fen, version}], rounding:{mode: half_up|down|up, unit: 1|10|100}, back_max_months}
 *   PUT  /api/v1/dues/rules/:id {version, up_to_fen?, rate_bp?, fixed_fen?} -> as GET /dues/rules
 *        (member.approve); profiles keep the amount computed when they were set.
 *   PUT  /api/v1/dues/rounding {mode: half_up|down|up, unit: 1|10|100} -> as GET /dues/rules
 *        (member.approve; the rules and rounding are one set for the whole installation)
 *   GET  /api/v1/dues/profiles/:person_id?unmask=1 -> {person_id, category, category_label,
 *        base_fen (only with unmask=1 and person.unmask: audited), base_set, monthly_fen,
 *        from_month, version} (404 when none yet)
 *   PUT  /api/v1/dues/profiles/:person_id {version (0 when new), category, base_fen?, from_month}
 *        -> the profile; monthly_fen computed by the rules (base_fen required for
 *        in_service and retired). 409 on a stale version.
 *   GET  /api/v1/dues/payments?org=&person_id=&year=&month=&page=&page_size= -> {items:[{id,
 *        person_id, person_name, org_id, org_name, month, amount_fen, method, method_label,
 *        receipt_no, paid_on, back, status, version}], total, page, page_size}
 *   POST /api/v1/dues/payments {person_id, month, amount_fen, method, receipt_no?, paid_on}
 *        -> 201 payment. Refused: month already paid, more than back_max_months back,
 *        no profile, amount below what is due.
 *   POST /api/v1/dues/payments/:id/void {version, reason} -> payment (voided)
 *   GET  /api/v1/dues/arrears?org=&as_of= -> {items:[{person_id, name, org_id, org_name,
 *        months:["YYYY-MM"], count, consecutive, owed_fen}]}: unpaid months from the
 *        profile's from_month to the month before as_of; consecutive = the unpaid run
 *        ending last month (3 and 6 are findings).
 *   POST /api/v1/dues/reductions {person_id, from_month, to_month, monthly_fen, reason} -> 201
 *   GET  /api/v1/dues/reductions?org=&status= -> {items:[{id, person_id, person_name, org_id,
 *        org_name, from_month, to_month, monthly_fen, reason, status, decided_on,
 *        decision_note, version, can_decide}]}
 *   POST /api/v1/dues/reductions/:id/decide {version, decision: approve|refuse, note?}
 *        (member.approve on the org above the person's branch)
 *   GET  /api/v1/dues/summary?org=&year=&month= -> {year, month, items:[{org_id, org_name,
 *        members, due_fen, paid_fen, paid_count, arrears_people}], total:{...}}: one row per
 *        branch under org (default: the caller's scope), for the month or the whole year.
 *   GET  /api/v1/dues/export.xlsx?org=&year= -> the year's payments and the summary (audited)
 *
 * Transfers (组织关系转接) and floating members (流动党员).
 *   GET  /api/v1/transfers?org=&kind=&status= -> {items:[transfer]}: those whose sending or
 *        receiving org is in scope (both sides and every org above them see it).
 *   POST /api/v1/transfers {kind: internal, person_id, to_org_id, reason?}
 *        | {kind: out, person_id, outside_unit, cross_province?, dues_paid_to, issued_on?, reason?}
 *        | {kind: in, to_org_id, person_name, outside_unit, letter_no, issued_on,
 *          cross_province?, dues_paid_to?} -> 201 transfer. An out letter gets its number
 *        (组转〔YYYY〕N号) and valid_until (3 months, 6 across provinces).
 *   GET  /api/v1/transfers/:id -> transfer {id, kind, kind_label, person_id, person_name,
 *        from_org_id, from_org_name, to_org_id, to_org_name, ancestor_org_id, outside_unit,
 *        letter_no, issued_on, valid_until, cross_province, dues_paid_to, reason, status,
 *        status_label, requested_on, completed_on, approvals:[{seq, org_id, org_name,
 *        decision, decided_on, note}], next_approver_org_id, can_approve, can_accept, version}
 *   POST /api/v1/transfers/:id/approve {version, decision: approve|refuse, note?}: the next
 *        org on the path (member.approve on it).
 *   POST /api/v1/transfers/:id/accept {version, person_id?}: internal - the receiving org
 *        (member.write), the person moves there (audited, kept in the person's history);
 *        in - person_id of the person entered in the receiving org; out - the receipt came
 *        back: the person is archived as transferred out.
 *   POST /api/v1/transfers/:id/cancel {version, reason}
 *   GET  /api/v1/transfers/destinations -> {items:[{id, name, kind, parent_name}]}: every active
 *        branch, general branch and party group (names only), to name the receiving org.
 *   GET  /api/v1/floating?org=&direction=&status= -> {items:[floating]}
 *   POST /api/v1/floating {direction: out|in, org_id, person_id?, name?, place?, unit?,
 *        contact?, from_date, note?} -> 201
 *   PUT  /api/v1/floating/:id {version, place?, unit?, contact?, note?, to_date?} (to_date ends it)
 */

/*
 * Findings (subject "member"; codes step_overdue, step_due, assessment_overdue,
 * assessment_due, probation_overdue, probation_ending, dues_arrears_3,
 * dues_arrears_6, transfer_stale) link to the web routes
 * /members/joining/<person_id>, /members/dues/arrears?org=<org_id> and
 * /members/transfers/<id>, which the web app is to define.
 *
 * The findings provider (rules/findings.c): the talk overdue a month after
 * the application, an activist's assessment due (within 30 days) or overdue
 * every 6 months, a probation ending within 30 days or ended without the
 * vote, dues arrears of 3 and of 6 months or more (one finding per branch),
 * transfers waiting longer than member_transfer_stale_days. DB_OK or DB_E*.
 */
int members_findings(const struct findings_query *q, struct findings *out);

/*
 * The demo township's joining records, 2022 dues and transfers under
 * root_org_id, inside the caller's open transaction, after the people and
 * meetings demo data exist. Adds no people and changes no person (the demo's
 * figures stay): joining records for existing non-members and probationary
 * members, dues profiles and payments for the members, pending transfers.
 * Deterministic. DB_OK or DB_E*.
 */
int members_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
		      int64_t root_org_id);

/* ---- route handlers ---- */
void members_http_steps(struct req *r);
void members_http_pipeline(struct req *r);
void members_http_joining(struct req *r);
void members_http_step_add(struct req *r);
void members_http_extension(struct req *r);
void members_http_record_void(struct req *r);
void dues_http_rules(struct req *r);
void dues_http_rule_update(struct req *r);
void dues_http_rounding(struct req *r);
void dues_http_profile_get(struct req *r);
void dues_http_profile_put(struct req *r);
void dues_http_payments(struct req *r);
void dues_http_pay(struct req *r);
void dues_http_payment_void(struct req *r);
void dues_http_arrears(struct req *r);
void dues_http_reduction_create(struct req *r);
void dues_http_reductions(struct req *r);
void dues_http_reduction_decide(struct req *r);
void dues_http_summary(struct req *r);
void dues_http_export(struct req *r);
void transfers_http_list(struct req *r);
void transfers_http_create(struct req *r);
void transfers_http_get(struct req *r);
/* GET /api/v1/transfers/destinations: the orgs that can receive a member (any scope; names only). */
void transfers_http_destinations(struct req *r);
void transfers_http_approve(struct req *r);
void transfers_http_accept(struct req *r);
void transfers_http_cancel(struct req *r);
void floating_http_list(struct req *r);
void floating_http_create(struct req *r);
void floating_http_update(struct req *r);

#endif
