/* pathidx.h - the deepest of a set of orgs that is an ancestor (or the org itself) of a materialized path, found by binary search. */
#ifndef ZB_PATHIDX_H
#define ZB_PATHIDX_H

#include <stddef.h>

/*
 * Orgs are addressed by materialized paths ("/1/4/9/": ids from the root,
 * each followed by '/'). The ancestors of a path are its '/'-ended
 * prefixes, so "which of these orgs does X belong to" is at most depth
 * lookups in a sorted array, not a scan of every org per question (which
 * was quadratic or worse over a county's or a region's org tree).
 *
 * The paths are not copied: they must outlive the index.
 */
struct path_key {
	const char *path;
	long row;		/* the caller's index of that org */
};

struct path_index {
	struct path_key *v;
	size_t n, cap;
	int owned;		/* v is malloc'd (path_index_init): path_index_free frees it */
};

/* An empty index for up to cap paths. 0, or -1 when out of memory. */
int path_index_init(struct path_index *ix, size_t cap);
/* The same over the caller's array of cap keys (from an arena, say): nothing to free. */
void path_index_on(struct path_index *ix, struct path_key *keys, size_t cap);
/* Add one org (no more than cap). Then path_index_sort before any lookup. */
void path_index_add(struct path_index *ix, const char *path, long row);
void path_index_sort(struct path_index *ix);
/* The row of the deepest indexed org whose path is a prefix of path (itself included), or -1. */
long path_index_deepest(const struct path_index *ix, const char *path);
void path_index_free(struct path_index *ix);

#endif
