/* sheet.h - one streaming reader over CSV and xlsx files: rows of UTF-8 cells, one at a time, within limits. */
#ifndef ZB_SHEET_H
#define ZB_SHEET_H

#include <stddef.h>
#include <stdint.h>

/*
 * Usage:
 *
 *	struct sheet_limits lim;
 *	struct sheet_error e;
 *	struct sheet_row row;
 *	struct sheet *s;
 *	int rc;
 *
 *	sheet_limits_default(&lim);
 *	s = sheet_open(path, &lim, &e);
 *	if (!s)
 *		return fail(e.code, e.msg);	// e.msg: "文件超过 10 MB 上限"
 *	while ((rc = sheet_next(s, &row, &e)) == 1)
 *		use(row.num, row.cells, row.ncells);
 *	sheet_close(s);
 *	if (rc < 0)
 *		return fail(e.code, e.msg);	// "第 12 行：单元格超过 32 KB 上限"
 *
 * The kind of file is decided by its first bytes, never by its name:
 * "PK\x03\x04" is read as xlsx (the first visible worksheet), anything else
 * must be text - UTF-8 (with or without a BOM) or GB18030 - and is read as
 * RFC 4180 CSV. Everything else (a renamed picture or program, an old .xls,
 * UTF-16 text, bytes that are valid in neither encoding) is refused with a
 * Chinese reason at sheet_open().
 *
 * Memory is bounded by the longest row (plus, for xlsx, the shared strings
 * and the style table), never by the number of rows: 100,000 rows stream
 * through the same buffers.
 *
 * Rows whose cells are all empty are not returned (row numbers keep
 * counting them), and trailing empty cells are trimmed, so `ncells` is the
 * 1-based column of the last non-empty cell. Gaps before it (xlsx cells that
 * are absent, CSV fields that are empty) are empty cells, so cells[i] is
 * always column i + 1 (A = cells[0]).
 */

/* Every limit is a ceiling the file may reach but not pass; 0 means "use the default". */
struct sheet_limits {
	uint64_t max_file_bytes;	/* size of the file as uploaded (default 10 MB) */
	size_t max_rows;		/* non-empty rows after the first one, i.e. data rows
					 * under a one-row header (default 100,000) */
	size_t max_cols;		/* last non-empty column (default 256) */
	size_t max_cell_bytes;		/* UTF-8 bytes of one cell (default 32 KB) */
	uint64_t max_xlsx_bytes;	/* xlsx: total uncompressed bytes of every part read
					 * (default 200 MB); parts of 1 MB or more may also not
					 * be compressed more than 100:1 */
	size_t max_shared_strings;	/* xlsx: entries in sharedStrings.xml (default 1,000,000) */
};

#define SHEET_DEFAULT_FILE_BYTES (10u * 1024 * 1024)
#define SHEET_DEFAULT_ROWS 100000u
#define SHEET_DEFAULT_COLS 256u
#define SHEET_DEFAULT_CELL_BYTES (32u * 1024)
#define SHEET_DEFAULT_XLSX_BYTES (200u * 1024 * 1024)
#define SHEET_DEFAULT_SHARED_STRINGS 1000000u
#define SHEET_MAX_RATIO 100		/* compressed:uncompressed for parts >= 1 MB */

/* Fill every field with its default. */
void sheet_limits_default(struct sheet_limits *lim /* OUT */);

enum sheet_kind {
	SHEET_CSV,
	SHEET_XLSX,
};

enum sheet_encoding {
	SHEET_ENC_UTF8,		/* CSV: UTF-8 without a BOM; also every xlsx */
	SHEET_ENC_UTF8_BOM,	/* CSV: UTF-8 with a BOM (Excel's "CSV UTF-8") */
	SHEET_ENC_GB18030,	/* CSV: GB18030 (Excel's plain "CSV" on a Chinese Windows) */
};

/* Why a sheet was refused or stopped, so the caller can answer 413 or 400. */
enum sheet_errcode {
	SHEET_OK = 0,
	SHEET_EIO,		/* the file could not be read (our side) */
	SHEET_EFORMAT,		/* not a spreadsheet we read, or broken inside */
	SHEET_ELIMIT,		/* a limit of struct sheet_limits was passed */
};

struct sheet_error {
	enum sheet_errcode code;
	char msg[256];		/* Simplified Chinese, for the user; "" when code == SHEET_OK */
};

/* Cell flags. xlsx sets the first five; both readers set SHEET_CELL_FORMULA_LIKE. */
#define SHEET_CELL_NUMBER	0x01u	/* a numeric cell: text is its stored value ("13912345678", "0.1") */
#define SHEET_CELL_DATE		0x02u	/* a numeric cell whose style is a date format: text is the Excel
					 * serial ("31111", "44625.5"), see cell_parse_date(); a 1904-system
					 * workbook's serials are already shifted to the 1900 system */
#define SHEET_CELL_BOOL		0x04u	/* text is "TRUE" or "FALSE" */
#define SHEET_CELL_FORMULA	0x08u	/* the cell has a formula: text is its cached value only */
#define SHEET_CELL_ERROR	0x10u	/* an error value such as "#DIV/0!" */
#define SHEET_CELL_FORMULA_LIKE	0x20u	/* text that a spreadsheet would run as a formula if written
					 * back as is (cell_is_formula_like()); never run here */

struct sheet_cell {
	const char *text;	/* UTF-8, NUL-terminated, never NULL ("" when empty) */
	size_t len;		/* strlen(text) */
	unsigned flags;		/* SHEET_CELL_* */
};

/* Valid until the next sheet_next() or sheet_close() on the same sheet. */
struct sheet_row {
	size_t num;		/* 1-based row number as the spreadsheet shows it (CSV: record
				 * number; a quoted cell spanning lines is still one row) */
	size_t ncells;		/* >= 1 */
	const struct sheet_cell *cells;
};

struct sheet;

/*
 * Open `path` within `lim` (NULL = defaults). Returns a reader, or NULL with
 * `err` filled. xlsx: reads the workbook, its relationships, the shared
 * strings and the styles here; CSV: checks the whole file's encoding here
 * (one pass in chunks), so a file refused for its encoding is refused
 * before any row is handed out.
 */
struct sheet *sheet_open(const char *path, const struct sheet_limits *lim,
			 struct sheet_error *err /* OUT */);

/*
 * The next non-empty row. Returns 1 with `row` filled, 0 at the end, -1 on a
 * broken file or a passed limit with `err` filled ("第 12 行：..." where a
 * row is known). After 0 or -1 every later call returns the same.
 */
int sheet_next(struct sheet *s, struct sheet_row *row /* OUT */, struct sheet_error *err /* OUT */);

/* Release everything; NULL is a no-op. */
void sheet_close(struct sheet *s);

enum sheet_kind sheet_kind(const struct sheet *s);
enum sheet_encoding sheet_encoding(const struct sheet *s);
/* "CSV (GB18030)", "xlsx" ... for messages and logs. */
const char *sheet_describe(const struct sheet *s);

/*
 * Progress for a progress bar: bytes of the file (CSV) or of the worksheet's
 * uncompressed XML (xlsx) read so far, out of the total. done <= total.
 */
void sheet_progress(const struct sheet *s, uint64_t *done /* OUT */, uint64_t *total /* OUT */);

#endif
