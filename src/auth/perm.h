/* perm.h - roles x actions, and the one scope helper every query of a domain table goes through. */
#ifndef ZB_PERM_H
#define ZB_PERM_H

#include "../app/app.h"

/*
 * Actions are "<area>.<verb>" strings ("org.read", "org.write", "user.admin").
 * A role grants a fixed set of actions (the table in perm.c); a grant gives a
 * role on one org subtree. The three administrator roles see no Party data:
 * the system administrator reads only the org tree's names, to grant roles.
 */
int role_valid(const char *role);
const char *role_label(const char *role);	/* Chinese label, NULL when unknown */
int role_is_admin(const char *role);		/* one of the three administrators */
int role_allows(const char *role, const char *action);
/* The actions of a role, NULL-terminated (empty for an unknown role). */
const char *const *role_actions(const char *role);

/*
 * Separation of duties (三员分立): one account holds at most one of the three
 * administrator roles, and an administrator role never together with a role
 * that sees Party data. NULL when the set is acceptable, else a reason.
 */
const char *roles_compatible(const char *const *names, int n);

/* 1 when some grant of the caller allows `action` on the org at `org_path`. */
int perm_has(const struct ctx *c, const char *action, const char *org_path);
/* 1 when some grant of the caller allows `action` anywhere. */
int perm_any(const struct ctx *c, const char *action);

/*
 * The caller's subtrees for an action, overlapping ones merged: the org
 * paths under which the action is allowed. Used to scope every query.
 */
struct scope {
	int n;
	const char *paths[CTX_MAX_GRANTS];
};
void scope_for(const struct ctx *c, const char *action, struct scope *out /* OUT */);
/* "(col LIKE ? OR col LIKE ?)" for the scope, or "1=0" when empty; from arena. */
const char *scope_sql(struct arena *a, const struct scope *s, const char *col);
/* Bind "path%" for each subtree starting at parameter idx; returns the next index. */
int scope_bind(struct db_stmt *st, int idx, const struct scope *s);
/* 1 when org_path lies inside the scope. */
int scope_contains(const struct scope *s, const char *org_path);

#endif
