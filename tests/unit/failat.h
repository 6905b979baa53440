/* failat.h - fail the Nth allocation: the counters the fault-injection tests share. */
#ifndef ZB_FAILAT_H
#define ZB_FAILAT_H

/*
 * A test arms N, runs its workload through allocators that ask
 * should_fail() first, and raises N until a run no longer reaches the
 * failure (fail_hit stays 0).
 */
static long fail_at;	/* 0 = never fail */
static long alloc_count;
static int fail_hit;	/* the armed allocation was reached (and failed) */

static inline int should_fail(void)
{
	if (fail_at == 0)
		return 0;
	if (++alloc_count == fail_at) {
		fail_hit = 1;
		return 1;
	}
	return 0;
}

static inline void arm(long n)
{
	alloc_count = 0;
	fail_hit = 0;
	fail_at = n;
}

static inline void disarm(void)
{
	fail_at = 0;
}

#endif
