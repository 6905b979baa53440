/* ratelimit.c - per-key fixed-window counters behind one mutex. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "ratelimit.h"
#include "../base/hash.h"

#define RL_BUCKETS 4096

struct rl_bucket {
	uint64_t key_hash;
	int64_t window;
	int count;
};

struct ratelimit {
	pthread_mutex_t lock;
	int limit;
	int window_seconds;
	struct rl_bucket b[RL_BUCKETS];
};


struct ratelimit *ratelimit_new(int limit, int window_seconds)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	pthread_mutex_init(&rl->lock, NULL);
	rl->limit = limit;
	rl->window_seconds = window_seconds > 0 ? window_seconds : 60;
	return rl;
}

int ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now)
{
	uint64_t h = fnv1a(key ? key : "");
	int64_t window = now / rl->window_seconds;
	int ok;

	pthread_mutex_lock(&rl->lock);
	struct rl_bucket *b = &rl->b[h % RL_BUCKETS];
	if (b->key_hash != h || b->window != window) {
		b->key_hash = h;
		b->window = window;
		b->count = 0;
	}
	b->count++;
	ok = b->count <= rl->limit;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}
