/* tasks.h - responsibility lists (责任清单) and their follow-up (跟踪问效): task trees per org and year, progress, acceptance, supervision, findings. */
#ifndef ZB_TASKS_H
#define ZB_TASKS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"

/*
 * HTTP contract (every route under /api/v1, documented in docs/openapi.yaml).
 * Actions: task.read (staff, secretary, discipline, member), task.write
 * (staff, secretary), task.accept (staff only). Everything is scoped by the
 * org of the item's list: an id outside the caller's task.read scope is 404;
 * writing needs task.write on the list's org (else 403).
 *
 * An item (JSON): {id, list_id, list_org_id, list_org_name, year, parent_id,
 * code, sort, depth, title, owner_org_id, owner_org_name, person_id,
 * person_name, start_on, due_on, weight, criteria, status, status_label,
 * progress, progress_source ('reported'|'rollup'), last_report_on,
 * answers_item_id, answers {id, code, title, org_name} | null, accepted_on,
 * archived_at, overdue (bool), light ('green'|'yellow'|'red'), version}.
 * Statuses: not_started 未开始, in_progress 进行中, done 已完成, accepted 已验收.
 *
 *   GET  /tasks/lists?org=&year=           lists in scope with their totals
 *   POST /tasks/lists {org_id, year, title?}                  -> 201 list
 *   GET  /tasks/lists/:id                  list + items (flat, tree order) + can_write
 *   POST /tasks/lists/:id/items {parent_id?, code?, title, owner_org_id?,
 *        person_id?, start_on?, due_on?, weight?, criteria?}  -> 201 item
 *        (code defaults to the next free one under the parent: "3", "1.4")
 *   GET  /tasks/lists/:id/export           the list as .xlsx (columns as the import)
 *   POST /tasks/lists/:id/import?dry_run=1 raw .xlsx/.csv body; columns 编号,
 *        任务/事项, 责任单位, 责任人, 开始日期, 完成时限, 权重, 完成标准. Rows whose
 *        编号 exists update that item, others are added (parent from the code's
 *        prefix). All or nothing: 400 with {rows:[{row, errors:{field:msg}}]}.
 *        -> {created, updated, unchanged}
 *   GET  /tasks/items/:id                  item + children, answering items,
 *        reports (with files), supervisions with rectifications, can_write, can_accept
 *   PUT  /tasks/items/:id {version, ...any item field}   partial update
 *   POST /tasks/items/:id/archive {version, reason?}     (children too)
 *   POST /tasks/items/:id/split {version, parts:[{title, weight?, due_on?, ...}]}
 *        the parts become its children (codes <code>.1 ...); its progress rolls up
 *   POST /tasks/items/:id/move {version, parent_id|null, position?}
 *        re-parent (same list, never under itself) and/or reorder (0-based position)
 *   POST /tasks/items/:id/push {org_ids:[...], due_on?}
 *        one linked item (answers_item_id = id) in each org's list of the same
 *        year (list created when missing); one transaction; every org must be
 *        below the list's org and inside the caller's task.write scope  -> 201 {items}
 *   POST /tasks/items/:id/progress {reported_on, progress?, status?, text, reason?, files?}
 *        progress below the current one needs `reason`; items that roll up refuse
 *   POST /tasks/items/:id/accept {version, note?}   task.accept on the list's org
 *        (the township); the item must be done (100%)
 *   POST /tasks/items/:id/supervisions {held_on, inspector, found, rating,
 *        rectification?: {requirement, deadline}}     rating good|fairly_good|average|poor
 *   POST /tasks/rectifications/:id/complete {version, outcome, done_on}
 *   GET  /tasks/items/:id/history          every change, newest first, with before/after
 *   GET  /tasks/my?year=                   items of the caller's orgs (the user's
 *        org and the orgs of their grants) still open, due first
 *   GET  /tasks/board?org=&year=           one org's list grouped by status, with totals
 *   GET  /tasks/overview?year=             township view: by_branch (percent, overdue,
 *        light) and by_task (each top item with its branch answers)
 *
 * Lights: red when anything is overdue or a rectification is past its
 * deadline; yellow when an item has had no report for tasks_stale_days
 * (settings, default 30) or progress is behind the time elapsed; else green.
 */

/* ---- the roll-up (rollup.c, no database) ---- */

enum task_status { TS_NOT_STARTED = 0, TS_IN_PROGRESS, TS_DONE, TS_ACCEPTED };

/* "not_started" ... for a status; NULL when out of range. */
const char *task_status_code(enum task_status s);
/* 未开始 / 进行中 / 已完成 / 已验收; NULL when out of range. */
const char *task_status_label(enum task_status s);
/* The status of a code, -1 when unknown. */
int task_status_parse(const char *code);

/* One child as the roll-up sees it. */
struct rollup_child {
	int progress;		/* 0..100 (clamped) */
	enum task_status status;
	int has_weight;		/* 0: weight missing */
	int64_t weight;		/* >= 0 when has_weight */
	int archived;		/* archived children are ignored */
};

struct rollup_result {
	int progress;		/* weighted mean, rounded half up, 0..100 */
	enum task_status status;
	size_t live;		/* children counted */
};

/*
 * The parent's progress and status from its children. Archived children are
 * ignored. A missing weight counts as the mean of the given weights (all
 * missing: all equal). When every counted weight is zero the children count
 * equally. Status: all accepted -> accepted; all done or accepted -> done;
 * any started (progress > 0 or status past not_started) -> in_progress;
 * else not_started. Returns 0, or -1 when no child is counted (out.live = 0,
 * the parent keeps its own progress).
 */
int task_rollup(const struct rollup_child *c, size_t n, struct rollup_result *out /* OUT */);

/*
 * The status a reported progress gives a leaf item that is not accepted:
 * 100 -> done, 1..99 -> in_progress, 0 -> not_started unless `asked` (a
 * status the reporter gave, or -1) says in_progress. 100% without
 * acceptance stays done.
 */
enum task_status task_status_for_progress(int progress, int asked);

/*
 * The light of one item on day `today` (days since epoch): red when overdue
 * (due passed and not done/accepted); yellow when not done and either no
 * report for stale_days (since last_report or start/created day) or the
 * progress is more than 20 points behind the share of time elapsed between
 * start and due; else green. Days are date_to_days values; -1 = unknown.
 */
const char *task_light(enum task_status s, int progress, int64_t start, int64_t due,
		       int64_t last_report, int64_t today, int stale_days);

/* ---- the rest of the module ---- */

struct findings_query;
struct findings;
/*
 * Findings (subject "task"): overdue items (code "overdue", 逾期, medium;
 * high after 30 days), items with no progress report for tasks_stale_days
 * ("stale", 未报进度, low), rectifications past their deadline
 * ("rectification_overdue", 整改逾期, high). About the item's owner org
 * (else its list's org). DB_OK or DB_E*.
 */
int tasks_findings(const struct findings_query *q, struct findings *out);

/*
 * The demo township's 2022 key-task list (from the annual report) with its
 * items pushed to the branches, progress reports, acceptances, a few overdue
 * items and one supervision with a rectification; inside the caller's
 * transaction, deterministic. DB_OK or DB_E*.
 */
int tasks_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t root_org_id);

/* Route handlers (tasks_http.c, tasks_views.c, tasks_xlsx.c). */
void tasks_http_lists(struct req *r);
void tasks_http_list_create(struct req *r);
void tasks_http_list_get(struct req *r);
void tasks_http_item_create(struct req *r);
void tasks_http_item_get(struct req *r);
void tasks_http_item_update(struct req *r);
void tasks_http_item_archive(struct req *r);
void tasks_http_item_split(struct req *r);
void tasks_http_item_move(struct req *r);
void tasks_http_item_push(struct req *r);
void tasks_http_item_progress(struct req *r);
void tasks_http_item_accept(struct req *r);
void tasks_http_item_supervise(struct req *r);
void tasks_http_rect_complete(struct req *r);
void tasks_http_item_history(struct req *r);
void tasks_http_my(struct req *r);
void tasks_http_board(struct req *r);
void tasks_http_overview(struct req *r);
void tasks_http_export(struct req *r);
void tasks_http_import(struct req *r);

/*
 * An SQL condition: the item aliased `x` has no sub-item (a leaf). Written
 * as an uncorrelated NOT IN, built once per query: a correlated NOT EXISTS
 * was planned as a scan of every item per row once the statistics say that
 * parent_id is mostly NULL (4.6 s instead of 10 ms at county scale).
 */
#define TASK_ITEM_IS_LEAF(x) \
	" " x ".id NOT IN (SELECT c.parent_id FROM task_items c WHERE c.parent_id IS NOT NULL" \
	" AND c.archived_at IS NULL)"

#endif
