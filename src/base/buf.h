/* buf.h - growable string builder with a size cap and a sticky error. */
#ifndef ZB_BUF_H
#define ZB_BUF_H

#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>

/*
 * Invariants: `data` is never NULL and always NUL-terminated (it points at a
 * static "" until the first append); `len` excludes the NUL. When an append
 * would pass `max` (or malloc fails) the buffer keeps what it had, sets
 * `err`, and ignores every later append: check `err` once at the end.
 * Ownership leaves the buffer only through buf_detach().
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;	/* 0 = no cap */
	int err;	/* sticky: 1 after a failed append */
};

void buf_init(struct buf *b, size_t max);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Append v in decimal, as "%lld" prints it, without vsnprintf (~1,000 instructions a call). */
void buf_put_i64(struct buf *b, int64_t v);
void buf_reset(struct buf *b);		/* len = 0, err = 0, keeps memory */
char *buf_detach(struct buf *b);	/* caller frees; b is re-initialised */
void buf_release(struct buf *b);

#endif
