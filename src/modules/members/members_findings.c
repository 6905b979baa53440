/* members_findings.c - the members module's findings: joining steps due or overdue (the talk, the six-monthly assessment, approvals, the end of probation), dues arrears and transfers waiting too long. */
#include <stdlib.h>
#include <string.h>
#include "members_internal.h"
#include "../../base/arena.h"
#include "../../base/date.h"

#define SOON_DAYS 30

/* One person's records as of the day judged. */
struct jp {
	int64_t id, org_id;
	const char *name, *org_name, *org_path;
	int ext;
	struct join_rec recs[64];
	size_t n;
};

/* Add one finding about person p. */
static int add(const struct findings_query *q, struct findings *out, const struct jp *p, const char *code,
	       const char *label, enum rule_severity sev, const char *date, const char *text)
{
	struct finding f = {
		.org_id = p->org_id, .org_path = p->org_path, .org_name = p->org_name,
		.subject = "member", .code = code, .label = label, .severity = sev,
		.text = arena_printf(q->a, "%s：%s", p->org_name, text),
		.link = arena_printf(q->a, "/members/joining/%lld", (long long)p->id),
		.date = date,
	};
	return findings_add(out, &f) == 0 ? DB_OK : DB_EGENERIC;
}

/* Judge one person on as_of (soon = as_of + 30 days). */
static int judge(const struct findings_query *q, struct findings *out, const struct join_def *defs, size_t nd,
		 const struct jp *p, const char *as_of, const char *soon)
{
	struct join_state js;
	int rc = DB_OK;

	join_state_of(defs, nd, p->recs, p->n, p->ext, &js);
	if (strcmp(js.stage, "probationary") == 0 && js.probation_end[0]) {
		int voted = 0;
		for (size_t i = 0; i < p->n; i++)
			voted |= strcmp(p->recs[i].step, "full_vote") == 0;
		if (!voted && strcmp(js.probation_end, as_of) < 0)
			return add(q, out, p, "probation_overdue", "预备期满未讨论转正", RULE_MEDIUM, js.probation_end,
				   arena_printf(q->a, "预备党员%s的预备期已于%s期满，尚未召开支部党员大会讨论转正",
						p->name, js.probation_end));
		if (!voted && strcmp(js.probation_end, soon) <= 0)
			return add(q, out, p, "probation_ending", "预备期即将期满", RULE_LOW, js.probation_end,
				   arena_printf(q->a, "预备党员%s的预备期将于%s期满，请提前准备转正", p->name,
						js.probation_end));
	}
	if (js.repeat && js.repeat_due[0]) {
		if (strcmp(js.repeat_due, as_of) < 0)
			rc = add(q, out, p, "assessment_overdue", "考察逾期", RULE_MEDIUM, js.repeat_due,
				 arena_printf(q->a, "入党积极分子%s的%s应于%s前进行，已逾期", p->name, js.repeat->label,
					      js.repeat_due));
		else if (strcmp(js.repeat_due, soon) <= 0)
			rc = add(q, out, p, "assessment_due", "考察将到期", RULE_LOW, js.repeat_due,
				 arena_printf(q->a, "入党积极分子%s的%s应于%s前进行", p->name, js.repeat->label,
					      js.repeat_due));
		if (rc != DB_OK)
			return rc;
	}
	if (js.next && js.due_by[0]) {
		if (strcmp(js.due_by, as_of) < 0)
			return add(q, out, p, "step_overdue", "发展程序逾期", RULE_MEDIUM, js.due_by,
				   arena_printf(q->a, "%s的“%s”应于%s前完成，已逾期（%s）", p->name, js.next->label,
						js.due_by, js.next->rule));
		if (strcmp(js.due_by, soon) <= 0)
			return add(q, out, p, "step_due", "发展程序将到期", RULE_LOW, js.due_by,
				   arena_printf(q->a, "%s的“%s”应于%s前完成（%s）", p->name, js.next->label, js.due_by,
						js.next->rule));
	}
	return DB_OK;
}

static int joining_findings(const struct findings_query *q, struct findings *out)
{
	struct join_def *defs;
	long nd = join_defs_load(q->db, &defs);
	struct db_params p = { 0 };
	const char *where = scope_sql(q->a, q->s, "o.path");
	struct db_stmt *st;
	struct jp *cur;
	char as_of[11], soon[11];
	int rc;

	if (nd < 0)
		return (int)nd;
	date_format(date_from_days(q->as_of), as_of);
	date_format(date_from_days(q->as_of + SOON_DAYS), soon);
	db_param_text(&p, as_of);
	for (int i = 0; i < q->s->n; i++)
		db_param_text(&p, arena_printf(q->a, "%s%%", q->s->paths[i]));
	if (q->path_like) {
		where = arena_printf(q->a, "%s AND o.path LIKE ?", where);
		db_param_text(&p, q->path_like);
	}
	st = db_prepare(q->db, arena_printf(q->a,
		"SELECT r.person_id, r.step, r.done_on, pe.name, pe.org_id, o.name, o.path, COALESCE(x.months, 0)"
		" FROM join_records r JOIN people pe ON pe.id = r.person_id JOIN orgs o ON o.id = pe.org_id"
		" LEFT JOIN join_extensions x ON x.person_id = r.person_id"
		" WHERE r.status = 'active' AND pe.status = 'active' AND r.done_on <= ? AND %s"
		" ORDER BY pe.id, r.done_on, r.id", where));
	if (!st) {
		free(defs);
		return DB_EGENERIC;
	}
	db_params_bind(st, &p);
	cur = arena_alloc(q->a, sizeof(*cur));
	rc = DB_OK;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t pid = db_col_int(st, 0);
		if (cur->id != pid) {
			if (cur->id && judge(q, out, defs, (size_t)nd, cur, as_of, soon) != DB_OK) {
				rc = DB_EGENERIC;
				break;
			}
			memset(cur, 0, sizeof(*cur));
			cur->id = pid;
			cur->name = arena_strdup(q->a, db_col_text(st, 3));
			cur->org_id = db_col_int(st, 4);
			cur->org_name = arena_strdup(q->a, db_col_text(st, 5));
			cur->org_path = arena_strdup(q->a, db_col_text(st, 6));
			cur->ext = (int)db_col_int(st, 7);
		}
		if (cur->n < 64) {
			cur->recs[cur->n].step = arena_strdup(q->a, db_col_text(st, 1));
			cur->recs[cur->n].done_on = arena_strdup(q->a, db_col_text(st, 2));
			cur->n++;
		}
	}
	db_finalize(st);
	if (rc == DB_DONE && cur->id)
		rc = judge(q, out, defs, (size_t)nd, cur, as_of, soon) == DB_OK ? DB_DONE : DB_EGENERIC;
	free(defs);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

int members_findings(const struct findings_query *q, struct findings *out)
{
	int rc = joining_findings(q, out);

	if (rc == DB_OK)
		rc = members_dues_arrears(q, out);
	if (rc == DB_OK)
		rc = members_transfer_findings(q, out);
	return rc;
}
