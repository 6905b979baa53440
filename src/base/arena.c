/* arena.c - bump allocator in malloc'd blocks, 16-byte aligned, poisoned for ASan when released. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define ZB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZB_ASAN 1
#endif
#endif

#ifdef ZB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_BLOCK (16 * 1024)

/*
 * One block: the header, then `size` usable bytes starting at data(). The
 * header is padded to a multiple of ARENA_ALIGN; allocations also align the
 * absolute address, so nothing depends on malloc's own alignment.
 */
struct arena_block {
	struct arena_block *next;	/* older block */
	size_t size;			/* usable bytes after the header */
	size_t used;			/* bytes handed out (including padding) */
};

#define HDR_SIZE ((sizeof(struct arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

static unsigned char *block_data(struct arena_block *b)
{
	return (unsigned char *)b + HDR_SIZE;
}

static void out_of_memory(size_t n)
{
	fprintf(stderr, "zhibu: out of memory (arena, %zu bytes)\n", n);
	abort();
}

/* A new block with at least `size` usable bytes, poisoned until handed out. */
static struct arena_block *block_new(size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - HDR_SIZE)
		out_of_memory(size);
	b = malloc(HDR_SIZE + size);
	if (!b)
		out_of_memory(size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	POISON(block_data(b), size);
	return b;
}

static void block_free(struct arena_block *b)
{
	UNPOISON(block_data(b), b->size);
	free(b);
}

void arena_init(struct arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
}

/*
 * Carve `n` bytes from block `b`, aligned to ARENA_ALIGN; NULL when they do
 * not fit.
 */
static void *block_take(struct arena_block *b, size_t n)
{
	uintptr_t base = (uintptr_t)block_data(b);
	uintptr_t at = base + b->used;
	size_t pad = (size_t)((ARENA_ALIGN - (at & (ARENA_ALIGN - 1))) & (ARENA_ALIGN - 1));
	size_t room = b->size - b->used;
	unsigned char *p;

	if (pad > room || n > room - pad)
		return NULL;
	p = block_data(b) + b->used + pad;
	b->used += pad + n;
	UNPOISON(p, n);
	memset(p, 0, n);
	return p;
}

/*
 * Zeroed memory for `n` bytes (n = 0 gives a unique valid pointer). Small
 * requests share the newest block; a request larger than a quarter of the
 * block size gets a block of its own, linked behind the newest block so the
 * space left there is still used by later small requests.
 */
void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		out_of_memory(n);
	if (a->block_size == 0)
		a->block_size = ARENA_DEFAULT_BLOCK;
	if (a->head) {
		p = block_take(a->head, n);
		if (p)
			return p;
	}
	if (n > a->block_size / 4) {
		b = block_new(n + ARENA_ALIGN);
		if (a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			a->head = b;
		}
		return block_take(b, n);
	}
	b = block_new(a->block_size);
	b->next = a->head;
	a->head = b;
	return block_take(b, n);
}

char *arena_strdup(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	return arena_strndup(a, s, strlen(s));
}

/* At most `n` bytes of `s` (fewer if a NUL comes first), NUL-terminated. */
char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	const char *end;
	char *p;

	if (!s)
		return NULL;
	end = memchr(s, '\0', n);
	if (end)
		n = (size_t)(end - s);
	p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Formatted text in the arena; a NULL format or an encoding error yields "". */
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *p;

	if (!fmt)
		return arena_alloc(a, 1);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return arena_alloc(a, 1);
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

/*
 * Forget every allocation. The oldest block is kept for reuse when it is a
 * regular block (not one made for a single big request); all others are
 * freed. Kept memory is poisoned again so stale pointers trip ASan.
 */
void arena_reset(struct arena *a)
{
	struct arena_block *b = a->head, *next, *keep = NULL;

	while (b) {
		next = b->next;
		if (!next && b->size == a->block_size)
			keep = b;
		else
			block_free(b);
		b = next;
	}
	if (keep) {
		keep->used = 0;
		POISON(block_data(keep), keep->size);
	}
	a->head = keep;
}

/* Free every block; the arena stays usable (it starts empty again). */
void arena_release(struct arena *a)
{
	struct arena_block *b = a->head, *next;

	while (b) {
		next = b->next;
		block_free(b);
		b = next;
	}
	a->head = NULL;
}

size_t arena_size(const struct arena *a)
{
	size_t n = 0;

	for (const struct arena_block *b = a->head; b; b = b->next)
		n += b->size;
	return n;
}
