/* transfer_internal.h - what import.c, export.c and transfer_http.c share: the columns and the org index. */
#ifndef ZB_TRANSFER_INTERNAL_H
#define ZB_TRANSFER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "transfer.h"
#include "../orgs/orgs.h"
#include "../../base/cellvalue.h"

/* The people sheet's columns, in the order the template and exports write them. */
enum people_col {
	PC_NAME,
	PC_GENDER,
	PC_ETHNICITY,
	PC_BIRTH,
	PC_ID,
	PC_PHONE,
	PC_EDUCATION,
	PC_POLITICAL,
	PC_JOINED,
	PC_FULL,
	PC_ORG,
	PC_COUNT
};

struct people_column {
	const char *header;	/* as the template writes it */
	const char *field;	/* the person field and API name */
	int width;		/* column width in the xlsx, in characters */
};

/* Indexed by enum people_col. */
extern const struct people_column people_columns[PC_COUNT];
/* The synonym table header_match() reads, fields = enum people_col. */
extern const struct header_syn people_header_syns[];

/* The template's example row: an ID number the import refuses as "the example". */
#define TEMPLATE_EXAMPLE_ID "110101199001010015"

/* ---- the org tree, for matching names and labelling orgs ---- */

struct org_ent {
	int64_t id;
	int64_t parent_id;
	size_t parent;		/* index of the parent in the index, ORG_NONE for a root */
	char *name;
	char *norm;		/* the name as compared: full-width forms and spaces do not count */
	char *path;
	int active;
};

#define ORG_NONE ((size_t)-1)

struct org_index {
	struct org_ent *v;	/* sorted by id (after org_index_finish) */
	size_t n, cap;
	size_t *by_name;	/* indexes into v sorted by name, then id */
	char **labels;		/* lazily made labels, indexed like v */
	int failed;
};

/* Read every org (any status). DB_OK or a DB_E*; released with org_index_release either way. */
int org_index_load(struct org_index *ix /* OUT */, struct db *db);
/*
 * Build an index by hand (what org_index_load does with the orgs table):
 * start from a zeroed struct, add every org, then finish. 0 or -1 (memory).
 */
int org_index_add(struct org_index *ix, const struct org *o);
int org_index_finish(struct org_index *ix);
void org_index_release(struct org_index *ix);
/* The org with this id, or NULL. */
const struct org_ent *org_index_get(const struct org_index *ix, int64_t id);

/*
 * Find the org a sheet names: a name ("第一党支部"), or ancestors' names and
 * the name joined by '/' ("红柳湾村党总支/第一党小组", each a parent of the
 * next), among the orgs whose path starts with one of `paths`. An active
 * org is preferred over archived ones of the same name. 1 with *out set,
 * 0 when none, -1 when several match (*count gets how many).
 */
int org_index_resolve(const struct org_index *ix, const char *text, const char *const *paths,
		      int npaths, const struct org_ent **out /* OUT */, size_t *count /* OUT */);

/*
 * The shortest name for the org that org_index_resolve() maps back to it over
 * the whole tree: its name, or its parents' names and its name joined by '/'
 * when the name repeats. Owned by the index.
 */
const char *org_index_label(struct org_index *ix, const struct org_ent *o);

/* "A", "B", ... "Z", "AA": the spreadsheet's name of a 0-based column. */
void transfer_col_name(size_t col, char out[8]);

#endif
