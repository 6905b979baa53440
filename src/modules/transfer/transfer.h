/* transfer.h - Excel import and export of people: the import run, the xlsx writers, the routes. */
#ifndef ZB_TRANSFER_H
#define ZB_TRANSFER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "../../app/app.h"
#include "../../auth/audit.h"
#include "../../auth/perm.h"
#include "../../base/sheet.h"
#include "../people/people.h"

/*
 * The people sheet. Imports, the template and every export share one set of
 * columns, in this order, so an export re-imports unchanged:
 *
 *	姓名 性别 民族 出生日期 身份证号 联系电话 学历 政治面貌 入党时间 转正时间 所在支部
 *
 * An import matches its header row by name (any order, common synonyms,
 * title rows above it and unknown columns ignored) and each row to a stored
 * person by ID number: added, updated (some field differs) or unchanged.
 * Dictionary values are written and read by their labels (男, 汉族, 大学本科),
 * dates in every form cell_parse_date() reads, orgs by name (or "上级/名称"
 * where a name repeats). A dry run writes nothing; a commit writes every row
 * in one transaction or nothing at all. See docs/openapi.yaml (imports,
 * exports) for the rules as users see them.
 */

/* Largest sheet an import takes, as an HTTP body and as a file (20 MB). */
#define TRANSFER_MAX_UPLOAD ((size_t)20 << 20)

/* Most rows an export writes: Excel's 1,048,576 rows less the header. */
#define TRANSFER_MAX_EXPORT_ROWS 1048575

/* ---- import ---------------------------------------------------------------- */

/* One problem of a row (or of the file: row 0). Strings valid during the callback only. */
struct import_error {
	size_t row;		/* spreadsheet row number (1-based) */
	int col;		/* 0-based column (A = 0); -1 when the field has no column */
	const char *header;	/* the header as written in the sheet, else the field's label */
	const char *field;	/* "name", "id_number", ... or "" */
	const char *value;	/* the cell's text (cut to 200 bytes), "" when none */
	const char *reason;	/* Simplified Chinese */
};

/* Where an import reports as it goes. Every member may be NULL. */
struct import_hooks {
	void *arg;
	/* every error, in row order */
	void (*error)(void *arg, const struct import_error *e);
	/* every IMPORT_PROGRESS_ROWS rows and at the end: rows read, bytes of the sheet read */
	void (*progress)(void *arg, size_t rows, uint64_t done_bytes, uint64_t total_bytes);
};

#define IMPORT_PROGRESS_ROWS 500

struct import_opts {
	const struct keys *k;
	const struct audit_who *who;
	/*
	 * The subtrees the caller may write people in (person.write); NULL = the
	 * whole tree (the command line). Org names are matched, and stored people
	 * may be updated, only inside them - or inside org_id's subtree when given.
	 */
	const struct scope *scope;
	int64_t org_id;		/* target subtree and default org of rows without one; 0 = none */
	int commit;		/* 0 = dry run: write nothing */
	const char *source;	/* what was imported, for the audit row ("roster.xlsx", a token) */
};

struct import_result {
	size_t total;		/* data rows (rows with nothing in a known column are skipped) */
	size_t added, updated, unchanged;
	size_t error_rows;	/* rows with at least one error */
	size_t errors;		/* errors reported, file-level ones included */
	size_t width;		/* cells of the widest row: where the error sheet adds its column */
	size_t header_row;	/* row number of the header row, 0 when none was found */
	char kind[32];		/* "xlsx", "CSV (GB18030)" ... */
	struct sheet_error file;	/* why the file was refused (IMPORT_EFILE) */
};

enum import_status {
	IMPORT_OK = 0,		/* no errors; a commit is written and committed */
	IMPORT_EROWS = 1,	/* rows with errors: nothing written */
	IMPORT_EFILE = 2,	/* the file was refused; result.file says why (SHEET_ELIMIT: 413) */
};

/*
 * Import the people sheet at `path`. Rows stream through; memory holds one
 * row, the ID numbers seen (to refuse a number given twice) and the org tree.
 * A commit opens and ends its own transaction and, when it succeeds, adds one
 * audit row (entity "import") with the counts beside the rows person_insert
 * and person_update write. Returns an import_status or a negative DB_E*
 * (rolled back).
 */
int import_people(struct db *db, const char *path, const struct import_opts *o,
		  const struct import_hooks *h, struct import_result *res /* OUT */);

/*
 * Write the sheet at `path` again as xlsx to `out`, every row at its own row
 * number and every cell as it was read (numbers and dates as such, formulas
 * as their values, text as text), with a last column "错误原因" (after
 * `width` columns, titled on row `header`) holding each row's reasons from
 * `errors_path`: lines "ROW<TAB>REASONS" in row order, as the
 * import_error_lines writer makes them. libxlsxwriter's temporary files go
 * to `tmpdir`. 0, or -1 with e filled.
 */
int import_error_sheet(const char *path, const char *errors_path, size_t width, size_t header,
		       const char *out, const char *tmpdir, struct sheet_error *e /* OUT */);

/*
 * Collects the errors of an import into "ROW<TAB>REASONS" lines (one line per
 * row, reasons joined by "；"), for import_error_sheet(). Use as the error
 * hook's writer: import_error_lines_add() each error, _end() at the end.
 */
struct import_error_lines {
	FILE *fp;
	size_t row;		/* row of the pending line, 0 = none */
	int failed;
	char line[4096];
	size_t len;
};
void import_error_lines_init(struct import_error_lines *l, FILE *fp);
void import_error_lines_add(struct import_error_lines *l, const struct import_error *e);
/* Flush the pending line; 0, or -1 when a write failed. */
int import_error_lines_end(struct import_error_lines *l);

/* "第N行 列X（表头）：原因" - the command line's and the logs' form of an error. */
void import_error_text(const struct import_error *e, char *out, size_t outsz);

/* ---- export ---------------------------------------------------------------- */

/*
 * An xlsx with the people columns, written row by row (constant memory).
 * Text is always written as a string cell (worksheet_write_string), so a
 * value such as "=cmd|' /C calc'!A0" stays text: it is never a formula, and
 * it re-imports unchanged. Dates are date cells (yyyy-mm-dd); ID numbers and
 * phones are text.
 */
struct people_xlsx;

/* Open `path` for writing; the org tree is read to label orgs uniquely. NULL on failure. */
struct people_xlsx *people_xlsx_open(struct db *db, const char *path, const char *tmpdir);
/* A person_sheet_fn: writes one row; nonzero (stop) past TRANSFER_MAX_EXPORT_ROWS or on error. */
int people_xlsx_row(void *x, const struct person_sheet_row *row);
/* Rows written so far. */
int64_t people_xlsx_rows(const struct people_xlsx *x);
/* 1 when the walk was stopped for passing TRANSFER_MAX_EXPORT_ROWS. */
int people_xlsx_too_many(const struct people_xlsx *x);
/* Finish the file (`ok` = 0 abandons it: the file is removed). 0, or -1. Frees x. */
int people_xlsx_close(struct people_xlsx *x, int ok);

/*
 * The import template: the header row, one example row (refused if imported:
 * its ID number is recognised), and a sheet "说明" with the rules and every
 * active label of the dictionaries. 0, or -1.
 */
int people_template_xlsx(struct db *db, const char *path, const char *tmpdir);

/* ---- routes (transfer_http.c) ----------------------------------------------- */

void transfer_http_import(struct req *r);	/* POST /imports/people[?dry_run=1] */
void transfer_http_commit(struct req *r);	/* POST /imports/people/commit */
void transfer_http_errors(struct req *r);	/* GET /imports/people/errors?token= */
void transfer_http_template(struct req *r);	/* GET /imports/people/template */
void transfer_http_progress(struct req *r);	/* GET /imports/:token/progress */
void transfer_http_export(struct req *r);	/* GET /exports/people?<GET /people's filters> */

#endif
