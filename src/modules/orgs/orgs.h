/* orgs.h - the organization tree (旗委 → 镇党委 → 党总支/党支部 → 党小组): the public face of the orgs module. */
#ifndef ZB_ORGS_H
#define ZB_ORGS_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"

struct org {
	int64_t id;
	int64_t parent_id;	/* 0 for a root */
	char path[256];		/* "/1/4/9/" */
	int depth;
	char name[256];
	char kind[40];
	char status[16];
	int64_t version;
};

/* Load one org (any status) without scope checks: for other modules' own checks. 1 found, 0 not, <0 error. */
int org_load(struct db *db, int64_t id, struct org *o /* OUT */);
/*
 * The query parameter `name` (an org id) as the path of that org when it lies
 * inside scope s (arena copy); NULL when the parameter is absent. A
 * malformed, unknown or out-of-scope org sets 404 "组织不存在" in f (the
 * caller answers resp_fail), so nobody learns what exists outside their scope.
 */
struct scope;
struct zb_fail;
const char *org_scope_param(struct req *r, const char *name, const struct scope *s,
			    struct zb_fail *f);
/* The org's row as API JSON; new reference or NULL. */
json_t *org_row_json(struct db *db, int64_t id);

/* Route handlers. */
void orgs_http_list(struct req *r);
void orgs_http_get(struct req *r);
void orgs_http_create(struct req *r);
void orgs_http_update(struct req *r);
void orgs_http_move(struct req *r);
void orgs_http_archive(struct req *r);
void orgs_http_restore(struct req *r);

/*
 * Every org whose path starts with `path_prefix` ("/" = the whole tree), any
 * status, in path order, without scope checks: for other modules that match
 * org names (imports) or label orgs (exports). `fn` returns nonzero to stop
 * the walk. DB_OK (also when stopped) or a DB_E* error.
 */
int orgs_walk(struct db *db, const char *path_prefix,
	      int (*fn)(void *arg, const struct org *o), void *arg);

/* Create an org as the system (init, demo, CLI) with an audit row; returns the id or <0. */
int64_t org_create_system(struct db *db, const struct keys *k, int64_t parent_id,
			  const char *name, const char *kind, const char *category);

#endif
