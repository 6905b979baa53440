/* ratelimit.h - per-key (client IP) fixed-window request counters, shared by the server threads. */
#ifndef ZB_RATELIMIT_H
#define ZB_RATELIMIT_H

#include <stdint.h>

/*
 * A fixed table of buckets hashed by key; a collision only makes two clients
 * share a budget. Counters are per process: several servers behind a load
 * balancer each enforce the limit (documented in docs/security.md).
 */
struct ratelimit;
struct ratelimit *ratelimit_new(int limit, int window_seconds);
/* Count one hit for key at time now; 1 = allowed, 0 = over the limit. */
int ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now);
void ratelimit_free(struct ratelimit *rl);

#endif
