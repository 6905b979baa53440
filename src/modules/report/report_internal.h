/* report_internal.h - what the report module's files share; not for other modules. */
#ifndef ZB_REPORT_INTERNAL_H
#define ZB_REPORT_INTERNAL_H

#include "../../base/pathidx.h"
#include <stdint.h>
#include "report.h"

struct arena;

/* One branch or general branch of a training-coverage count. */
struct report_cov_org {
	int64_t id;
	const char *name;
	int64_t members;	/* party members who had joined by the year's end */
	int64_t trained;	/* of them, present at a session held in the year */
};

/* Training coverage of a subtree for a year, as GET /trainings/coverage counts it. */
struct report_cov {
	int n;
	struct report_cov_org *orgs;	/* tree order; arena */
	char **paths;			/* their paths; arena */
	int64_t all_trained;		/* orgs with members, all trained */
	struct path_index index;	/* paths -> row (report_cov_row); keys in the arena */
};

/* The row of the deepest listed org holding path, -1 when none: party groups roll into their branch. */
int report_cov_row(const struct report_cov *cov, const char *path);

/* Fill *out for the branches under path (two queries). DB_OK or a DB_E*. */
int report_coverage_orgs(struct db *db, struct arena *a, const char *path, int year,
			 struct report_cov *out /* OUT */);

/*
 * The 两委 of the subtree on `day` as GET /people/structure counts it: v[0]
 * all, v[1] born in the 1980s, v[2] in the 1990s, v[3] 大专 or higher.
 */
int report_team(struct db *db, struct arena *a, const char *path, const char *day,
		int64_t v[4] /* OUT */);

/* Append text to b with &, <, >, " escaped for XML / HTML. */
struct buf;
void report_xml_escape(struct buf *b, const char *text);

#endif
