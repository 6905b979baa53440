/* grid_findings.c - the grid module's findings for the rules engine: requests past due, follow-ups (回访) not done in time, and grids with silent households. */
#include <string.h>
#include "grid.h"
#include "grid_internal.h"
#include "deeds_internal.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"

/*
 * 1 when every grant of the caller that reads grids is a grid worker's: such
 * a caller sees only the grids they work in, here as in every list.
 */
static int own_grids_only(const struct findings_query *q)
{
	int any = 0;

	if (!q->ctx)
		return 0;
	for (int i = 0; i < q->ctx->ngrants; i++) {
		const struct grant *g = &q->ctx->grants[i];
		if (!role_allows(g->role, "grid.read"))
			continue;
		if (strcmp(g->role, "gridworker") != 0)
			return 0;
		any = 1;
	}
	return any;
}

/*
 * The scope and path filter of q on o.path as SQL (" AND ..."), with its
 * parameters appended to p; `grid_col` narrows a grid worker to their grids.
 */
static const char *where_scope(const struct findings_query *q, const char *grid_col,
			       struct db_params *p)
{
	const char *s = scope_sql(q->a, q->s, "o.path");

	for (int i = 0; i < q->s->n; i++)
		db_param_text(p, arena_printf(q->a, "%s%%", q->s->paths[i]));
	if (own_grids_only(q)) {
		s = arena_printf(q->a, "%s AND %s IN (SELECT gw.grid_id FROM grid_workers gw WHERE gw.user_id = ?)",
				 s, grid_col);
		db_param_int(p, q->user_id);
	}
	if (q->path_like) {
		db_param_text(p, q->path_like);
		return arena_printf(q->a, " AND %s AND o.path LIKE ?", s);
	}
	return arena_printf(q->a, " AND %s", s);
}

/*
 * Requests open past their due date, and closed ones whose follow-up is more
 * than `days` late. The text names the request by its title, never by its
 * tracking code: the code is the resident's key to the public page.
 */
static int deed_findings(const struct findings_query *q, const char *as_of, struct findings *out)
{
	struct db_params p = { 0 };
	char cutoff[11];
	int64_t days = grid_setting(q->db, "deed_followup_days", 10);
	const char *scope;
	struct db_stmt *st;
	int rc;

	date_format(date_from_days(q->as_of - days), cutoff);
	db_param_text(&p, as_of);
	db_param_text(&p, as_of);
	db_param_text(&p, cutoff);
	scope = where_scope(q, "d.grid_id", &p);
	st = db_prepare(q->db, arena_printf(q->a,
		"SELECT d.id, d.code, d.title, d.due_on, d.closed_on, d.status, o.id, o.path, o.name"
		" FROM deeds d JOIN orgs o ON o.id = d.org_id WHERE d.received_on <= ?"
		" AND ((d.status IN ('registered', 'accepted', 'in_progress') AND d.due_on < ?)"
		" OR (d.status = 'closed' AND d.closed_on < ?))%s ORDER BY o.sort_key, d.due_on, d.id", scope));
	rc = st ? db_params_bind(st, &p), DB_OK : DB_EGENERIC;
	while (st && (rc = db_step(st)) == DB_ROW) {
		int late_followup = strcmp(db_col_text(st, 5), "closed") == 0;
		const char *name = db_col_text(st, 8);
		struct finding f = {
			.org_id = db_col_int(st, 6), .org_path = db_col_text(st, 7), .org_name = name,
			.subject = "deed",
			.code = late_followup ? "followup_overdue" : "overdue",
			.label = late_followup ? "回访逾期" : "诉求逾期",
			.severity = late_followup ? RULE_LOW : RULE_MEDIUM,
			.text = late_followup ?
				arena_printf(q->a, "%s：诉求“%s”已于%s办结，超过%lld天未回访", name,
					     db_col_text(st, 2), db_col_text(st, 4), (long long)days) :
				arena_printf(q->a, "%s：诉求“%s”应于%s前办结，已逾期", name,
					     db_col_text(st, 2), db_col_text(st, 3)),
			.link = arena_printf(q->a, "/deeds/%lld", (long long)db_col_int(st, 0)),
			.date = late_followup ? db_col_text(st, 4) : db_col_text(st, 3),
		};
		if (findings_add(out, &f) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* One finding per grid that has silent households, with their count. */
static int silent_findings(const struct findings_query *q, const char *as_of, struct findings *out)
{
	struct db_params p = { 0 };
	char cutoff[11];
	int64_t days = grid_setting(q->db, "grid_silent_days", 90);
	const char *scope;
	struct db_stmt *st;
	int rc;

	date_format(date_from_days(q->as_of - days), cutoff);
	db_param_text(&p, cutoff);
	db_param_text(&p, as_of);
	db_param_text(&p, cutoff);
	db_param_text(&p, as_of);
	scope = where_scope(q, "g.id", &p);
	st = db_prepare(q->db, arena_printf(q->a,
		"SELECT g.id, g.name, o.id, o.path, o.name, COUNT(*) FROM households h"
		" JOIN grids g ON g.id = h.grid_id JOIN orgs o ON o.id = g.org_id"
		" WHERE h.status = 'active' AND g.status = 'active' AND %s%s"
		" GROUP BY g.id, g.name, o.id, o.path, o.name, o.sort_key ORDER BY o.sort_key, g.id",
		grid_silent_cond(), scope));
	rc = st ? db_params_bind(st, &p), DB_OK : DB_EGENERIC;
	while (st && (rc = db_step(st)) == DB_ROW) {
		const char *name = db_col_text(st, 4);
		struct finding f = {
			.org_id = db_col_int(st, 2), .org_path = db_col_text(st, 3), .org_name = name,
			.subject = "visit", .code = "silent", .label = "久未联系",
			.severity = RULE_LOW,
			.text = arena_printf(q->a, "%s%s：%lld户超过%lld天未走访或联系（沉默的少数）", name,
					     db_col_text(st, 1), (long long)db_col_int(st, 5), (long long)days),
			.link = arena_printf(q->a, "/grids/%lld?tab=silent", (long long)db_col_int(st, 0)),
			.date = as_of,
		};
		if (findings_add(out, &f) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

int grid_findings(const struct findings_query *q, struct findings *out)
{
	char as_of[11];
	int rc;

	if (!q->s || q->s->n == 0)
		return DB_OK;
	date_format(date_from_days(q->as_of), as_of);
	rc = deed_findings(q, as_of, out);
	if (rc == DB_OK)
		rc = silent_findings(q, as_of, out);
	return rc;
}
