/* grid.h - Party building + grid (党建+网格): grids, households, visits, residents' requests and practical deeds (办实事); the module's public face and its API contract. */
#ifndef ZB_GRID_H
#define ZB_GRID_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"
#include "../rules/findings.h"

/*
 * API CONTRACT (every route is also in docs/openapi.yaml)
 *
 * Access. Actions grid.read / grid.write (staff, secretary, gridworker) and
 * deed.read / deed.write (staff, secretary, gridworker, member). Every query
 * is scoped by the caller's grants: staff and secretaries see their org
 * subtree; a grid worker sees, inside its grant, only the grids where its
 * account is listed as a worker (and their households, visits and deeds); a
 * member sees only the deeds it took in itself (created_by). Anything outside
 * answers 404, the same as a missing id. Writes need the row's `version`
 * (409 with the current row when stale) and are audited.
 *
 * Grids
 *   GET  /api/v1/grids?org=&q=&status=active|archived|all&page=&page_size=
 *        -> {items:[grid], total, page, page_size}
 *        grid = {id, org_id, org_name, name, area, leader_id, leader_name,
 *                workers:[{id, person_id, person_name, user_id, username}],
 *                households, silent, status, version, can_write}
 *        silent = the grid's silent households today (the rule of
 *        /grids/:id/silent); a list counts them for its page in one query.
 *   POST /api/v1/grids {org_id, name, area?, leader_id?, workers?:[{person_id?, user_id?}]} -> 201 grid
 *   GET  /api/v1/grids/:id -> grid
 *   PUT  /api/v1/grids/:id {version, name, area?, leader_id?, workers?, status?} -> grid
 *   GET  /api/v1/grids/:id/silent?as_of=YYYY-MM-DD -> {grid_id, days, as_of,
 *        items:[{household..., last_contact (date or null), days_since (null = never)}]}
 *        the silent minority: active households with no visit, contact or
 *        request for `days` days (setting grid_silent_days, default 90).
 *   GET  /api/v1/grid/silent?org=&as_of= -> {days, as_of, items:[{grid_id, grid_name,
 *        org_id, org_name, households, silent}]} one row per grid.
 *   GET  /api/v1/grid/settings -> {silent_days, followup_days, version}
 *   PUT  /api/v1/grid/settings {silent_days?, followup_days?} (staff of the township)
 *
 * Households
 *   GET  /api/v1/households?grid=&org=&tag=&q=&page=&page_size=
 *        household = {id, grid_id, grid_name, org_id, org_name, address, size,
 *                     head_name, phone_masked, tags:[code], tag_labels:[..],
 *                     contact_id, contact_name, note, last_contact, status, version}
 *        The phone is never shown in full.
 *   POST /api/v1/households {grid_id, address, size, head_name, phone?, tags?, contact_id?, note?}
 *   GET  /api/v1/households/:id -> household with visits:[visit] (newest first) and deeds:[{id, code, title, status}]
 *   PUT  /api/v1/households/:id {version, ...same fields, status?} (phone: absent = keep, null = clear)
 *   POST /api/v1/households/:id/visits {visited_on, kind (dict visit_kind), note?, person_id?} -> 201 visit
 *        visit = {id, household_id, visited_on, kind, kind_label, note, person_id, person_name, username}
 *
 * Requests and deeds
 *   GET  /api/v1/deeds?org=&grid=&household=&status=&category=&from=&to=&overdue=1&q=&page=&page_size=
 *   POST /api/v1/deeds {org_id, grid_id?, household_id?, category, channel, title,
 *                       content?, resident_name?, place?, phone?, member_id?, received_on?} -> 201 deed
 *        deed = {id, code, org_id, org_name, grid_id, grid_name, household_id,
 *                household_address, level, level_label, category, category_label,
 *                channel, channel_label, title, content, resident_name, place, phone_masked,
 *                member_id, member_name, status, status_label, close_reason,
 *                close_reason_label, close_note, received_at, received_on, due_on,
 *                overdue, accepted_at, closed_at, closed_on, followed_up_on,
 *                resident_solved, satisfaction, reopened, escalations, done,
 *                version, history:[{at, action, from_status, to_status, note, by_name}],
 *                can_write}
 *   GET  /api/v1/deeds/:id
 *   POST /api/v1/deeds/:id/accept    {version, note?}           登记 -> 受理
 *   POST /api/v1/deeds/:id/start     {version, note?}           受理 -> 办理中
 *   POST /api/v1/deeds/:id/close     {version, reason, note}    受理/办理中 -> 办结
 *        reason: solved | referred | cannot_solve | duplicate
 *   POST /api/v1/deeds/:id/follow-up {version, solved, satisfaction?, note?}
 *        办结 -> 回访 (solved) or -> 办理中 (not solved: reopened + 1)
 *   POST /api/v1/deeds/:id/route     {version, level, grid_id?, reason}
 *        grid / branch / township; moving up is an escalation (escalations + 1)
 *   An action that the status does not allow answers 409 with a message
 *   naming the status and what is allowed, and the current deed.
 *   GET  /api/v1/deeds/stats?org=&from=&to= -> {from, to, received, done, open,
 *        overdue, reopened, by_month:[{month, done}], by_category:[{category,
 *        label, done}], by_org:[{org_id, org_name, done}], response_hours
 *        (median 登记->受理), resolution_hours (median 登记->办结 of done deeds),
 *        satisfaction: {answers, average (null under 5 answers), min_answers, note}}
 *   GET  /api/v1/deeds/due-periods -> {items:[{category, label, working_days, version}]}
 *   PUT  /api/v1/deeds/due-periods/:category {version, working_days} (staff)
 *
 * Public (no account; rate-limited per client address)
 *   GET  /api/v1/public/requests/targets -> {items:[{org_id, org_name, grids:[{id, name}]}],
 *        categories:[{code, label, label_en}]}  (label_en: the dictionary's English
 *        label, the Chinese one when it has none)
 *   POST /api/v1/public/requests {org_id, grid_id?, category, title, content,
 *        resident_name?, place?, phone?} -> 201 {code, status, status_label, due_on}
 *        place (地点, <= 100 characters, optional, checked like the other
 *        texts) is stored with the request and shown to staff (deed.place).
 *        It is NOT on the public tracking answer: a place ("3组王家门口") can
 *        name a household, and anyone holding the code may read that answer.
 *        Refused (400, fields named in Chinese, nothing stored): HTML or script
 *        in any text, over-long text; 429 rate_limited beyond
 *        ZHIBU_PUBLIC_REQUEST_RATE submissions per address per 10 minutes
 *        (default 5).
 *   GET  /api/v1/public/requests/:code -> {code, org_name, category_label, title,
 *        status, status_label, received_on, due_on, closed_on, close_reason_label,
 *        can_confirm, history:[{at, to_status, status_label, note}]} -
 *        no names, phones or staff identities.
 *   POST /api/v1/public/requests/:code/confirm {solved, satisfaction?, comment?}
 *        the resident's own follow-up of a closed request (same as follow-up).
 *
 * To-do (GET /api/v1/todo?subject=deed, provider grid_findings, read with
 * grid.read): finding "overdue" (诉求逾期, medium) and "followup_overdue"
 * (回访逾期, low) with link "/deeds/<id>"; "silent" (久未联系, low, subject
 * "visit") once per grid with its count, link "/grids/<id>?tab=silent" (the
 * web app's grid page on its silent tab). Links are web app addresses.
 */

/* ---- pure helpers (workdays.c), unit-tested ---- */

/* Day of week of a day number (date_to_days): 0 Sunday .. 6 Saturday. */
int day_of_week(int64_t days);
/*
 * The `n`th working day after `start` (n >= 0; n = 0 gives start itself if
 * it is a working day, else the next one). Saturdays, Sundays and the days in
 * `holidays` (sorted ascending, may be NULL when nh = 0) are not working days.
 */
int64_t workdays_add(int64_t start, int n, const int64_t *holidays, size_t nh);
/* Working days in (from, to]; 0 when to <= from. */
int workdays_between(int64_t from, int64_t to, const int64_t *holidays, size_t nh);

#define DEED_CODE_LEN 12
/* A random tracking code of DEED_CODE_LEN Crockford base-32 characters (60 bits) into out. */
void deed_code_make(char out[DEED_CODE_LEN + 1]);
/*
 * A code as a resident types it: case, spaces and hyphens ignored, O read as
 * 0 and I/L as 1. 0 and the canonical code in out, or -1 when malformed.
 */
int deed_code_normalize(const char *in, char out[DEED_CODE_LEN + 1]);
/* 1 when text holds markup that must not be stored: an HTML tag, a comment, "javascript:". */
int text_has_markup(const char *s);
/* 1 when text holds a control character other than tab, CR and LF. */
int text_has_control(const char *s);
/* "YYYY-MM-DDTHH:MM:SSZ" as Unix seconds: 0 ok, -1 malformed. */
int ts_parse(const char *ts, int64_t *out /* OUT */);
/* The median of v[0..n) (sorted in place); 0 when n = 0. Even n: the mean of the two middle ones. */
double median_i64(int64_t *v, size_t n);

/* ---- for other modules and the app ---- */

/*
 * The findings provider (rules/findings.c): requests past their due date,
 * closed requests whose follow-up (回访) is more than deed_followup_days
 * late, and per grid the count of silent households (no contact for
 * grid_silent_days). DB_OK or DB_E*.
 */
int grid_findings(const struct findings_query *q, struct findings *out);

/*
 * The demo township's grids, households, visits and 2022 deeds (grid_demo.c)
 * under root_org_id, inside the caller's open transaction; run after the
 * demo accounts exist (the account "gridworker" is listed as a worker of
 * grids of its branch). Deterministic. Exactly 200 deeds are done (closed as
 * solved) in 2022. DB_OK or DB_E*.
 */
int grid_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
		   int64_t root_org_id);

/* ---- route handlers ---- */
void grids_http_list(struct req *r);
void grids_http_get(struct req *r);
void grids_http_create(struct req *r);
void grids_http_update(struct req *r);
void grids_http_silent(struct req *r);
void grid_http_silent_summary(struct req *r);
void grid_http_settings_get(struct req *r);
void grid_http_settings_put(struct req *r);
void households_http_list(struct req *r);
void households_http_get(struct req *r);
void households_http_create(struct req *r);
void households_http_update(struct req *r);
void visits_http_create(struct req *r);
void deeds_http_list(struct req *r);
void deeds_http_get(struct req *r);
void deeds_http_create(struct req *r);
void deeds_http_accept(struct req *r);
void deeds_http_start(struct req *r);
void deeds_http_close(struct req *r);
void deeds_http_follow_up(struct req *r);
void deeds_http_route(struct req *r);
void deeds_http_stats(struct req *r);
void deeds_http_due_list(struct req *r);
void deeds_http_due_put(struct req *r);
void public_requests_http_targets(struct req *r);
void public_requests_http_create(struct req *r);
void public_requests_http_get(struct req *r);
void public_requests_http_confirm(struct req *r);

#endif
