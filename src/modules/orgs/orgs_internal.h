/* orgs_internal.h - what orgs.c offers orgs_http.c; not for other modules. */
#ifndef ZB_ORGS_INTERNAL_H
#define ZB_ORGS_INTERNAL_H

#include "orgs.h"

/* Editable fields of an org; strings borrowed, NULL = SQL NULL. */
struct org_fields {
	const char *name, *short_name, *kind, *category, *credit_code, *established_on;
	int64_t sort;
};

int org_nesting_ok(const char *parent_kind, const char *child_kind);
const char *org_row_sql(void);	/* SELECT ... FROM orgs o ...; append WHERE/ORDER */
json_t *org_json_from_row(struct db_stmt *st);
int org_dict_has(struct db *db, const char *dict, const char *code);
int org_sibling_name_taken(struct db *db, int64_t parent_id, const char *name, int64_t self_id);
int64_t org_insert(struct db *db, const struct org_fields *v, const struct org *parent);
/* Recompute the tree-order key of an org and its subtree after a create, move or new sort number. */
int org_rekey(struct db *db, int64_t id);

#endif
