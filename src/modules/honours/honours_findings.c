/* honours_findings.c - the honours module's findings: notices whose period has ended without a decision, and objections not yet handled. */
#include <string.h>
#include "honours_internal.h"
#include "../../auth/perm.h"
#include "../../base/arena.h"
#include "../../base/date.h"

/* The scope and path filter of q on o.path as SQL (" AND ..."), parameters appended to p. */
static const char *where_scope(const struct findings_query *q, struct db_params *p)
{
	const char *s = scope_sql(q->a, q->s, "o.path");

	for (int i = 0; i < q->s->n; i++)
		db_param_text(p, arena_printf(q->a, "%s%%", q->s->paths[i]));
	if (q->path_like) {
		db_param_text(p, q->path_like);
		return arena_printf(q->a, " AND %s AND o.path LIKE ?", s);
	}
	return arena_printf(q->a, " AND %s", s);
}

/* Notices ended (notice_to before as_of) and still not decided: about the org running the round. */
static int notice_findings(const struct findings_query *q, const char *as_of, struct findings *out)
{
	struct db_params p = { 0 };
	const char *scope;
	struct db_stmt *st;
	int rc;

	db_param_text(&p, as_of);
	scope = where_scope(q, &p);
	st = db_prepare(q->db, arena_printf(q->a,
		"SELECT r.id, r.title, r.notice_to, o.id, o.path, o.name FROM honour_rounds r"
		" JOIN orgs o ON o.id = r.org_id WHERE r.status = 'notice' AND r.notice_to < ?%s"
		" ORDER BY r.notice_to, r.id", scope));
	rc = st ? db_params_bind(st, &p), DB_OK : DB_EGENERIC;
	while (st && (rc = db_step(st)) == DB_ROW) {
		struct finding f = {
			.org_id = db_col_int(st, 3), .org_path = db_col_text(st, 4), .org_name = db_col_text(st, 5),
			.subject = "honour", .code = "undecided", .label = "公示期满未评定",
			.severity = RULE_MEDIUM,
			.text = arena_printf(q->a, "%s：“%s”公示已于%s期满，尚未评定", db_col_text(st, 5),
					     db_col_text(st, 1), db_col_text(st, 2)),
			.link = arena_printf(q->a, "/honours/rounds/%lld", (long long)db_col_int(st, 0)),
			.date = db_col_text(st, 2),
		};
		if (findings_add(out, &f) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* Objections still open: about the nominating org. */
static int objection_findings(const struct findings_query *q, const char *as_of, struct findings *out)
{
	struct db_params p = { 0 };
	const char *scope;
	struct db_stmt *st;
	int rc;

	db_param_text(&p, as_of);
	scope = where_scope(q, &p);
	st = db_prepare(q->db, arena_printf(q->a,
		"SELECT j.id, j.received_on, n.nominee_name, r.title, r.id, r.notice_to, o.id, o.path, o.name"
		" FROM honour_objections j JOIN honour_nominations n ON n.id = j.nomination_id"
		" JOIN honour_rounds r ON r.id = j.round_id JOIN orgs o ON o.id = n.org_id"
		" WHERE j.status = 'open' AND j.received_on <= ?%s ORDER BY j.received_on, j.id", scope));
	rc = st ? db_params_bind(st, &p), DB_OK : DB_EGENERIC;
	while (st && (rc = db_step(st)) == DB_ROW) {
		int late = strcmp(db_col_text(st, 5), as_of) < 0;
		struct finding f = {
			.org_id = db_col_int(st, 6), .org_path = db_col_text(st, 7), .org_name = db_col_text(st, 8),
			.subject = "honour", .code = "objection_open", .label = "异议未处理",
			.severity = late ? RULE_MEDIUM : RULE_LOW,
			.text = arena_printf(q->a, "%s：“%s”中对%s的异议（%s收到）尚未处理", db_col_text(st, 8),
					     db_col_text(st, 3), db_col_text(st, 2), db_col_text(st, 1)),
			.link = arena_printf(q->a, "/honours/rounds/%lld", (long long)db_col_int(st, 4)),
			.date = db_col_text(st, 1),
		};
		if (findings_add(out, &f) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

int honours_findings(const struct findings_query *q, struct findings *out)
{
	char as_of[11];
	int rc;

	date_format(date_from_days(q->as_of), as_of);
	rc = notice_findings(q, as_of, out);
	if (rc == DB_OK)
		rc = objection_findings(q, as_of, out);
	return rc;
}
