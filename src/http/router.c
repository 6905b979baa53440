/* router.c - matches a method and a path against the route table and extracts ":name" parameters. */
#include <stdint.h>
#include <string.h>

#include "http.h"

/*
 * A path (or pattern) is a sequence of segments, each introduced by '/'. One
 * trailing slash is not significant ("/api/v1/orgs/" is "/api/v1/orgs");
 * "/" itself is one empty segment.
 *
 * The router runs on every request against every route (~330), so a route
 * is matched in one forward walk over both strings that stops at the first
 * differing byte: most routes are rejected a few bytes after "/api/v1/",
 * without measuring or splitting either string.
 */

/* Is `rest`, the unmatched end of a string that began at `whole`, empty or its one trailing slash? */
static int at_end(const char *whole, const char *rest)
{
	return *rest == '\0' || (rest[0] == '/' && rest[1] == '\0' && rest > whole);
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
	const char *p = pattern, *q = path;
	int i = 0, np = 0;

	*score = 0;
	if (r != NULL)
		r->nparams = 0;
	if (*p != '/' || *q != '/')
		return 0;
	for (;;) {
		/* p and q each point at the '/' that opens segment i */
		p++;
		q++;
		if (*p == ':') {
			const char *name = p + 1, *value = q;

			while (*p != '\0' && *p != '/')
				p++;
			while (*q != '\0' && *q != '/')
				q++;
			if (q == value || np == REQ_MAX_PARAMS)
				return 0;
			if (r != NULL) {
				r->param_names[np] = arena_strndup(&r->arena, name, (size_t)(p - name));
				r->param_values[np] = arena_strndup(&r->arena, value, (size_t)(q - value));
				r->nparams = np + 1;
			}
			np++;
		} else {
			while (*p == *q && *p != '\0' && *p != '/') {
				p++;
				q++;
			}
			if ((*p != '\0' && *p != '/') || (*q != '\0' && *q != '/'))
				return 0;	/* the segments differ */
			if (i < 64)
				*score |= (uint64_t)1 << (63 - i);
		}
		i++;
		/* both segments ended: at '/' or the end of each string */
		if (at_end(pattern, p) && at_end(path, q))
			return 1;
		if (*p != '/' || *q != '/')
			return 0;	/* one has more segments than the other */
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
