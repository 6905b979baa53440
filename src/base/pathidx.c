/* pathidx.c - the deepest of a set of orgs that is an ancestor (or the org itself) of a materialized path, found by binary search. */
#include "pathidx.h"

#include <stdlib.h>
#include <string.h>

int path_index_init(struct path_index *ix, size_t cap)
{
	ix->n = 0;
	ix->cap = cap;
	ix->v = malloc((cap ? cap : 1) * sizeof(*ix->v));
	ix->owned = 1;
	return ix->v ? 0 : -1;
}

void path_index_on(struct path_index *ix, struct path_key *keys, size_t cap)
{
	ix->v = keys;
	ix->n = 0;
	ix->cap = keys ? cap : 0;
	ix->owned = 0;
}

void path_index_add(struct path_index *ix, const char *path, long row)
{
	if (ix->n < ix->cap && path)
		ix->v[ix->n++] = (struct path_key){ path, row };
}

static int by_path(const void *x, const void *y)
{
	return strcmp(((const struct path_key *)x)->path, ((const struct path_key *)y)->path);
}

void path_index_sort(struct path_index *ix)
{
	qsort(ix->v, ix->n, sizeof(*ix->v), by_path);
}

/* The index of an entry whose path is exactly the first len bytes of path, or -1. */
static long find(const struct path_index *ix, const char *path, size_t len)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *p = ix->v[mid].path;
		int c = strncmp(p, path, len);
		if (c == 0 && p[len] != '\0')
			c = 1;		/* p is longer: it sorts after the prefix */
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

long path_index_deepest(const struct path_index *ix, const char *path)
{
	size_t len;

	if (!path)
		return -1;
	len = strlen(path);
	/* path itself, then each '/'-ended prefix, longest first */
	while (len > 0) {
		long k = path[len - 1] == '/' ? find(ix, path, len) : -1;
		if (k >= 0)
			return ix->v[k].row;
		len--;
		while (len > 0 && path[len - 1] != '/')
			len--;
	}
	return -1;
}

void path_index_free(struct path_index *ix)
{
	if (ix->owned)
		free(ix->v);
	ix->v = NULL;
	ix->n = ix->cap = 0;
}
