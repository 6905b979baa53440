/* sheet_int.h - what sheet.c shares with its two readers (sheet_csv.c, sheet_xlsx.c); not for other modules. */
#ifndef ZB_SHEET_INT_H
#define ZB_SHEET_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "buf.h"
#include "sheet.h"

/* One stored cell of the row being built: its text lives in rowbuf.text at `off`. */
struct rowcell {
	size_t off;
	size_t len;
	unsigned flags;
};

/*
 * The row being built. Only non-empty cells are stored; columns between
 * them are empty. Cell text is appended to `text` with sheet_cell_begin /
 * sheet_cell_add / sheet_cell_end; pointers are made only when the row is
 * handed out, so `text` may move while the row grows.
 */
struct rowbuf {
	size_t num;		/* 1-based row number */
	struct buf text;	/* every stored cell's bytes, each followed by a NUL */
	struct rowcell *cells;	/* indexed by column; [0, ncells) */
	size_t ncells;		/* last non-empty column + 1 */
	size_t cap;
	struct sheet_cell *out;	/* what sheet_next hands out */
	size_t outcap;
	size_t cur_col;		/* column of the open cell */
	size_t cur_off;		/* where the open cell starts in `text` */
};

struct csv_reader;
struct xlsx_reader;

struct sheet {
	enum sheet_kind kind;
	enum sheet_encoding enc;
	struct sheet_limits lim;
	int fd;				/* the file; -1 once libzip owns it (xlsx) */
	char delim;			/* CSV: ',' or '\t' */
	uint64_t size;			/* bytes of the file */
	struct rowbuf row;
	size_t data_rows;		/* non-empty rows handed out after the first */
	int seen_first;
	int state;			/* 0 reading, 1 at the end, -1 failed */
	struct sheet_error err;		/* sticky once state == -1 */
	uint64_t done, total;		/* progress */
	struct csv_reader *csv;
	struct xlsx_reader *xlsx;
};

/* Set s->err (returns -1 so readers can `return sheet_fail(...)`). Keeps the first error. */
int sheet_fail(struct sheet *s, enum sheet_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sheet_vfail(struct sheet *s, enum sheet_errcode code, const char *fmt, va_list ap);

/* "10 MB", "32 KB", "1500 字节" for limit messages. */
void sheet_fmt_bytes(uint64_t n, char *out, size_t outsz);
/* Column letters of a 0-based column: 0 -> "A", 27 -> "AB" (out >= 8 bytes). */
void sheet_col_name(size_t col, char *out);

/* Fail with the cell-size limit message for the cell at (row, 0-based col). */
int sheet_fail_cell_size(struct sheet *s, size_t row, size_t col);

/* Row building. Each returns 0, or -1 with s->err set (a limit passed). */
void sheet_row_reset(struct sheet *s, size_t num);
void sheet_cell_begin(struct sheet *s, size_t col);
int sheet_cell_add(struct sheet *s, const char *p, size_t n);
int sheet_cell_end(struct sheet *s, unsigned flags);	/* an empty cell is not stored */

/* Readers: open returns 0 or -1 (s->err set); next returns 1 (row built in
 * s->row, maybe empty), 0 at the end, -1 (s->err set); close frees. */
int sheet_csv_open(struct sheet *s);
int sheet_csv_next(struct sheet *s);
void sheet_csv_close(struct sheet *s);

int sheet_xlsx_open(struct sheet *s);
int sheet_xlsx_next(struct sheet *s);
void sheet_xlsx_close(struct sheet *s);

/*
 * Tests only: the malloc/realloc/free behind expat's allocations for every
 * xlsx parser (NULL restores the C library's). Call while no sheet is open,
 * from one thread. Exists so a fault-injection test can fail expat's
 * allocations (tests/unit/test_faults_libs.c).
 */
void sheet_xlsx_set_xml_alloc(void *(*m)(size_t), void *(*r)(void *, size_t), void (*f)(void *));

#endif
