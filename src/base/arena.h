/* arena.h - bump allocator for memory that lives exactly as long as one request or command. */
#ifndef ZB_ARENA_H
#define ZB_ARENA_H

#include <stddef.h>
#include <stdarg.h>

/*
 * Invariants: blocks are malloc'd chunks chained newest first; every pointer
 * handed out is 16-byte aligned and stays valid until arena_reset() or
 * arena_release(). Allocation failure aborts (the process cannot continue
 * meaningfully without memory for a request). Freed memory is poisoned for
 * ASan when built with it.
 */
struct arena_block;
struct arena {
	struct arena_block *head;
	size_t block_size;	/* default size of a new block */
};

void arena_init(struct arena *a, size_t block_size);	/* 0 = 16 KiB */
void *arena_alloc(struct arena *a, size_t n);		/* zeroed */
char *arena_strdup(struct arena *a, const char *s);	/* NULL -> NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
void arena_reset(struct arena *a);	/* keep the first block, drop the rest */
size_t arena_size(const struct arena *a);	/* bytes of the blocks held (walks them) */
void arena_release(struct arena *a);	/* free everything */

#endif
