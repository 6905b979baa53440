/* router.c - matches a method and a path against the route table and extracts ":name" parameters. */
#include <stdint.h>
#include <string.h>

#include "http.h"

/*
 * A path (or pattern) is a sequence of segments, each introduced by '/'. One
 * trailing slash is not significant ("/api/v1/orgs/" is "/api/v1/orgs"), so
 * it is cut off before matching; "/" itself stays one empty segment.
 */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);

	if (n > 1 && s[n - 1] == '/')
		n--;
	return n;
}

/*
 * Read the segment that starts at *p (which must point at '/') and advance
 * *p past it. Returns 0 at the end of the string, 1 when a segment was read,
 * -1 when *p does not point at '/' (a path not starting with '/').
 */
static int seg_next(const char **p, const char *end, const char **seg, size_t *len /* OUT */)
{
	const char *s = *p;
	const char *e;

	if (s >= end)
		return 0;
	if (*s != '/')
		return -1;
	s++;
	e = memchr(s, '/', (size_t)(end - s));
	if (e == NULL)
		e = end;
	*seg = s;
	*len = (size_t)(e - s);
	*p = e;
	return 1;
}

/*
 * Does `path` match `pattern`? Literal segments must be equal byte for byte;
 * a ":name" segment takes one non-empty segment. `score` receives the route's
 * specificity: bit 63-i is set when segment i is literal, so comparing scores
 * as integers prefers a literal over a parameter at the first place where two
 * matching patterns differ. When r is not NULL the parameters are copied into
 * r->arena and recorded in r (r->nparams is reset first). A pattern with more
 * than REQ_MAX_PARAMS parameters never matches.
 */
static int match_one(const char *pattern, const char *path, uint64_t *score /* OUT */,
		     struct req *r)
{
	const char *pp = pattern, *pend = pattern + trimmed_len(pattern);
	const char *qp = path, *qend = path + trimmed_len(path);
	const char *ps = NULL, *qs = NULL;
	size_t pn = 0, qn = 0;
	int i = 0, np = 0;
	int a, b;

	*score = 0;
	if (r != NULL)
		r->nparams = 0;
	for (;;) {
		a = seg_next(&pp, pend, &ps, &pn);
		b = seg_next(&qp, qend, &qs, &qn);
		if (a < 0 || b < 0)
			return 0;
		if (a == 0 || b == 0)
			return a == b;
		if (pn > 0 && ps[0] == ':') {
			if (qn == 0 || np == REQ_MAX_PARAMS)
				return 0;
			if (r != NULL) {
				r->param_names[np] = arena_strndup(&r->arena, ps + 1, pn - 1);
				r->param_values[np] = arena_strndup(&r->arena, qs, qn);
				r->nparams = np + 1;
			}
			np++;
		} else {
			if (pn != qn || memcmp(ps, qs, pn) != 0)
				return 0;
			if (i < 64)
				*score |= (uint64_t)1 << (63 - i);
		}
		i++;
	}
}

/* Does a route declared for `route_method` serve a request made with `method`? HEAD is GET. */
static int method_ok(const char *route_method, const char *method)
{
	if (strcmp(route_method, method) == 0)
		return 1;
	return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

/*
 * Find the route for method+path. Among the routes whose pattern matches the
 * path and whose method fits, the most specific wins (a literal segment beats
 * a parameter at the first place they differ), then the earliest in the
 * table. ROUTE_NO_METHOD when some pattern matches but no method fits, so the
 * caller can answer 405. On ROUTE_FOUND the parameters are stored in r (when
 * r is not NULL) and *out is the route; otherwise *out is NULL.
 */
enum route_match router_match(const struct route *routes, const char *method, const char *path,
			      struct req *r, const struct route **out)
{
	const struct route *best = NULL;
	uint64_t best_score = 0, score;
	int path_found = 0;
	const struct route *rt;

	*out = NULL;
	if (r != NULL)
		r->nparams = 0;
	if (routes == NULL || method == NULL || path == NULL)
		return ROUTE_NO_PATH;
	for (rt = routes; rt->method != NULL; rt++) {
		if (!match_one(rt->pattern, path, &score, NULL))
			continue;
		path_found = 1;
		if (!method_ok(rt->method, method))
			continue;
		if (best == NULL || score > best_score) {
			best = rt;
			best_score = score;
		}
	}
	if (best == NULL)
		return path_found ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
	if (r != NULL)
		match_one(best->pattern, path, &score, r);
	*out = best;
	return ROUTE_FOUND;
}

/* Append `m` to the list in `out` (of capacity n) unless it is already there. */
static void allow_add(char *out, size_t n, const char *m)
{
	size_t len = strlen(out), ml = strlen(m);
	const char *p = out;

	while (*p != '\0') {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == ml && memcmp(p, m, ml) == 0)
			return;
		if (e == NULL)
			break;
		p = e + 2;	/* past ", " */
	}
	if (len + ml + 3 > n)
		return;
	if (len > 0) {
		memcpy(out + len, ", ", 2);
		len += 2;
	}
	memcpy(out + len, m, ml + 1);
}

/*
 * The distinct methods of the routes whose pattern matches `path`, in table
 * order, with HEAD right after GET; "" when none. Allocated from `a`.
 */
const char *router_allow(const struct route *routes, const char *path, struct arena *a)
{
	char list[128] = "";
	const struct route *rt;
	uint64_t score;

	for (rt = routes; rt != NULL && rt->method != NULL; rt++) {
		if (!match_one(rt->pattern, path, &score, NULL))
			continue;
		allow_add(list, sizeof(list), rt->method);
		if (strcmp(rt->method, "GET") == 0)
			allow_add(list, sizeof(list), "HEAD");
	}
	return arena_strdup(a, list);
}
