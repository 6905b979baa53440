/* hash.h - FNV-1a over NUL-terminated text: the one hash of zhibu's in-memory lookup tables. */
#ifndef ZB_HASH_H
#define ZB_HASH_H

#include <stdint.h>

/*
 * For spreading keys over the slots of a table (statement cache, memo,
 * rate limits, import lookups), never for anything secret or stored: those
 * use HMAC-SM3 (src/auth/crypt.h). Chain fnv1a_add to hash several strings.
 */
#define FNV1A_INIT 14695981039346656037ULL

static inline uint64_t fnv1a_add(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static inline uint64_t fnv1a(const char *s)
{
	return fnv1a_add(FNV1A_INIT, s);
}

#endif
