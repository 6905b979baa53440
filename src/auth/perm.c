/* perm.c - the role table, permission checks and the subtree scope every domain query uses. */
#include <string.h>
#include "perm.h"
#include "../base/arena.h"

/*
 * What each role may do. Actions not listed are refused. The three
 * administrator roles (三员) are separate and see no Party data: the system
 * administrator may read the org tree's names to grant roles, nothing more.
 * The cadre ledgers (ledger.*: reserve cadres, assessments, committee terms)
 * are kept by township staff, who assess the graduates and reserve cadres;
 * branch secretaries and discipline reviewers only read their subtree's.
 * Training classes and attendance (training.*) are recorded by township
 * staff; secretaries and discipline reviewers read them for their subtree.
 * Grids and residents' requests (grid.*, deed.*): a grid worker's grant is
 * narrowed to the grids its account works, and a member's deed.* to taking
 * requests in and reading its own; src/modules/grid enforces both.
 * Evaluation (eval.*): staff run rounds and review (eval.review); a
 * secretary self-assesses its own branch (eval.write); discipline reads.
 * Member lifecycle (member.*, dues.*): a secretary records joining steps,
 * dues and transfer requests for its branch; staff, as the level above,
 * also approve (member.approve: transfers, dues reductions, dues rules,
 * letters to outside); discipline reads.
 * The annual report and dashboard (report.*): staff and secretaries read and
 * edit their subtree's report; discipline reads.
 */
struct role_def {
	const char *role;
	const char *label;
	int admin;
	const char *actions[48];
};

static const struct role_def roles[] = {
	{ "sysadmin", "系统管理员", 1, { "user.admin", "org.read", NULL } },
	{ "secadmin", "安全管理员", 1, { "policy.admin", NULL } },
	{ "auditadmin", "审计管理员", 1, { "audit.read", NULL } },
	{ "staff", "镇党建办工作人员", 0, { "org.read", "org.write", "dict.write", "person.read",
					    "person.write", "person.unmask", "ledger.read",
					    "ledger.write", "training.read", "training.write",
					    "meeting.read", "meeting.write", "rules.write",
					    "grid.read", "grid.write", "deed.read", "deed.write",
					    "task.read", "task.write", "task.accept",
					    "disclosure.read", "disclosure.write", "disclosure.check",
					    "disclosure.review", "disclosure.supervise", "disclosure.catalog",
					    "eval.read", "eval.write", "eval.review",
					    "honour.read", "honour.write", "honour.review",
					    "member.read", "member.write", "member.approve", "dues.read",
					    "dues.write", "report.read", "report.write", NULL } },
	{ "secretary", "支部书记", 0, { "org.read", "org.write", "person.read", "person.write",
				     "person.unmask", "ledger.read", "training.read", "meeting.read",
				     "meeting.write", "grid.read", "grid.write", "deed.read",
				     "deed.write", "task.read", "task.write", "disclosure.read",
				     "disclosure.write", "disclosure.check", "eval.read", "eval.write",
				     "honour.read", "honour.write", "member.read", "member.write",
				     "dues.read", "dues.write", "report.read", "report.write", NULL } },
	{ "discipline", "纪检审核人员", 0, { "org.read", "person.read", "ledger.read",
					   "training.read", "meeting.read", "task.read", "disclosure.read",
					   "disclosure.supervise", "eval.read", "honour.read", "member.read",
					   "dues.read", "report.read", NULL } },
	{ "member", "党员", 0, { "org.read", "meeting.read", "deed.read", "deed.write", "task.read",
				 NULL } },
	{ "gridworker", "网格员", 0, { "org.read", "grid.read", "grid.write", "deed.read",
				     "deed.write", NULL } },
};

static const struct role_def *role_find(const char *role)
{
	for (size_t i = 0; role && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i].role, role) == 0)
			return &roles[i];
	return NULL;
}

int role_valid(const char *role)
{
	return role_find(role) != NULL;
}

const char *role_label(const char *role)
{
	const struct role_def *d = role_find(role);
	return d ? d->label : NULL;
}

int role_is_admin(const char *role)
{
	const struct role_def *d = role_find(role);
	return d && d->admin;
}

int role_allows(const char *role, const char *action)
{
	const struct role_def *d = role_find(role);

	for (int i = 0; d && d->actions[i]; i++)
		if (strcmp(d->actions[i], action) == 0)
			return 1;
	return 0;
}

const char *const *role_actions(const char *role)
{
	static const char *const none[] = { NULL };
	const struct role_def *d = role_find(role);
	return d ? d->actions : none;
}

const char *roles_compatible(const char *const *names, int n)
{
	int admins = 0, others = 0;
	const char *first_admin = NULL;

	for (int i = 0; i < n; i++) {
		if (!role_is_admin(names[i])) {
			others++;
			continue;
		}
		if (first_admin && strcmp(first_admin, names[i]) == 0)
			continue;	/* the same admin role on two orgs */
		if (!first_admin)
			first_admin = names[i];
		admins++;
	}
	if (admins > 1)
		return "系统管理员、安全管理员、审计管理员须由不同账户担任（三员分立）";
	if (admins == 1 && others > 0)
		return "管理员角色不能与业务角色由同一账户兼任";
	return NULL;
}

static int path_under(const char *path, const char *root)
{
	return path && root && strncmp(path, root, strlen(root)) == 0;
}

int perm_has(const struct ctx *c, const char *action, const char *org_path)
{
	for (int i = 0; i < c->ngrants; i++)
		if (role_allows(c->grants[i].role, action) &&
		    path_under(org_path, c->grants[i].org_path))
			return 1;
	return 0;
}

int perm_any(const struct ctx *c, const char *action)
{
	for (int i = 0; i < c->ngrants; i++)
		if (role_allows(c->grants[i].role, action))
			return 1;
	return 0;
}

/* Collect the subtrees; a subtree inside another one already listed is dropped. */
void scope_for(const struct ctx *c, const char *action, struct scope *out)
{
	out->n = 0;
	for (int i = 0; i < c->ngrants; i++) {
		const char *p = c->grants[i].org_path;
		int covered = 0;

		if (!p || !role_allows(c->grants[i].role, action))
			continue;
		for (int j = 0; j < out->n && !covered; j++)
			covered = path_under(p, out->paths[j]);
		if (covered)
			continue;
		/* drop existing entries that the new one covers */
		int k = 0;
		for (int j = 0; j < out->n; j++)
			if (!path_under(out->paths[j], p))
				out->paths[k++] = out->paths[j];
		out->n = k;
		out->paths[out->n++] = p;
	}
}

const char *scope_sql(struct arena *a, const struct scope *s, const char *col)
{
	struct buf b;
	char *out;

	if (s->n == 0)
		return "1=0";
	buf_init(&b, 0);
	buf_putc(&b, '(');
	for (int i = 0; i < s->n; i++)
		buf_printf(&b, "%s%s LIKE ?", i ? " OR " : "", col);
	buf_putc(&b, ')');
	out = arena_strdup(a, b.data);
	buf_release(&b);
	return out;
}

int scope_bind(struct db_stmt *st, int idx, const struct scope *s)
{
	char pattern[256];

	for (int i = 0; i < s->n; i++) {
		/* paths are digits and slashes only: no LIKE wildcards to escape */
		snprintf(pattern, sizeof(pattern), "%s%%", s->paths[i]);
		db_bind_text(st, idx++, pattern);
	}
	return idx;
}

int scope_contains(const struct scope *s, const char *org_path)
{
	for (int i = 0; i < s->n; i++)
		if (path_under(org_path, s->paths[i]))
			return 1;
	return 0;
}
