/* cellvalue.h - what a spreadsheet cell means: typed dates, header names, text clean-up, formula-like text. */
#ifndef ZB_CELLVALUE_H
#define ZB_CELLVALUE_H

#include <stddef.h>
#include "date.h"

/* ---- dates ------------------------------------------------------------- */

#define CELL_DATE_MONTH_ONLY	0x1u	/* only a year and a month were given; the day was set to 1 */
#define CELL_DATE_FROM_SERIAL	0x2u	/* the text was an Excel serial number */

/*
 * Parse a date the way people type it into a spreadsheet. Surrounding
 * white space (also U+3000) is ignored and full-width digits and
 * punctuation (２０２２－０３－０５) count as their ASCII forms. Accepted:
 *
 *	2022-03-05  2022/3/5  2022.3.5	(one separator, used twice)
 *	2022年3月5日  2022年3月5号  2022年3月5
 *	20220305			(8 digits)
 *	2022-3  2022/3  2022.3  2022年3月  202203	(month only: day 1, CELL_DATE_MONTH_ONLY)
 *	44625  44625.5			(5 digits: an Excel serial, see below)
 *
 * A full date may be followed by a time ("2022-03-05 08:30:00",
 * "2022-03-05T00:00:00Z"), which is ignored. Two-digit years are refused
 * (22-3-5 could be several dates).
 *
 * `excel_serial` != 0 says the text is the stored value of a date-formatted
 * number cell (SHEET_CELL_DATE): then any non-negative number is a serial in
 * the 1900 date system, where 1 = 1900-01-01, 59 = 1900-02-28, 60 is Excel's
 * non-existent 1900-02-29 (refused), 61 = 1900-03-01; a fraction (the time)
 * is ignored. Without it only a 5-digit number is read as a serial, so a
 * typed "1985" is refused rather than read as 1905-06-07.
 *
 * Years must be 1900-2200. On success fills `out` (and `how`, if not NULL,
 * with CELL_DATE_* flags) and returns NULL; otherwise returns a short
 * Chinese reason and leaves `out` alone.
 */
const char *cell_parse_date(const char *s, int excel_serial, struct ymd *out /* OUT */,
			    unsigned *how /* OUT, may be NULL */);

/* The date of a whole Excel serial (1900 system, with the 1900-02-29 gap). NULL or a reason. */
const char *cell_date_from_serial(long serial, struct ymd *out /* OUT */);

/* The Excel serial of a date from 1900-03-01 on (the range where it is unambiguous); -1 before. */
long cell_date_to_serial(struct ymd d);

/* ---- text ---------------------------------------------------------------- */

#define CELL_NORM_TRIM		0x01u	/* drop white space at both ends */
#define CELL_NORM_HALFWIDTH	0x02u	/* full-width ASCII forms U+FF01-FF5E and U+3000 to ASCII */
#define CELL_NORM_NOSPACE	0x04u	/* drop all white space */
#define CELL_NORM_NOPARENS	0x08u	/* drop (...), [...], 【...】 with their content (after
					 * HALFWIDTH, （） and ［］ count too); kept if nothing else is left */
#define CELL_NORM_NOMARKS	0x10u	/* drop '*' and '※' (required-field marks) and ':' / '：' */
#define CELL_NORM_LOWER		0x20u	/* ASCII letters to lower case */
#define CELL_NORM_HEADER	0x3fu	/* all of the above: how header names are compared */

/*
 * Write `in` (UTF-8) normalised by `opts` into `out`. White space is ASCII
 * space and \t\n\r\v\f, U+00A0, U+3000, U+200B and U+FEFF. The result is
 * never longer than the input, so outsz >= strlen(in) + 1 never truncates;
 * a smaller `out` is cut at a character boundary. Returns the length
 * written (outsz must be >= 1).
 */
size_t cell_normalize(const char *in, unsigned opts, char *out /* OUT */, size_t outsz);

/* ---- headers ------------------------------------------------------------- */

/*
 * One row of a caller's synonym table: `names` lists every header that
 * means field `field`, separated by '|'. The table ends with a row whose
 * `names` is NULL. Both the header and each name are compared after
 * cell_normalize(CELL_NORM_HEADER), so "身份证号码（必填）", " 身份证号码 " and
 * "*身份证号码：" all match "身份证号码". The people table:
 *
 *	enum { F_NAME, F_GENDER, F_ETHNICITY, F_BIRTH, F_ID, F_PHONE, F_EDU,
 *	       F_POLITICAL, F_JOINED, F_FULL, F_ORG };
 *	static const struct header_syn people_headers[] = {
 *		{ F_NAME,	"姓名" },
 *		{ F_GENDER,	"性别" },
 *		{ F_ETHNICITY,	"民族" },
 *		{ F_BIRTH,	"出生日期|出生年月|出生年月日|生日" },
 *		{ F_ID,		"身份证号|身份证号码|公民身份号码|证件号码" },
 *		{ F_PHONE,	"联系电话|手机号|手机号码|电话" },
 *		{ F_EDU,	"学历|文化程度" },
 *		{ F_POLITICAL,	"政治面貌" },
 *		{ F_JOINED,	"入党时间|入党日期" },
 *		{ F_FULL,	"转正时间|转正日期" },
 *		{ F_ORG,	"所在支部|所属组织|党组织" },
 *		{ -1, NULL },
 *	};
 */
struct header_syn {
	int field;		/* the caller's field index, >= 0 */
	const char *names;	/* "出生日期|出生年月|生日"; NULL ends the table */
};

/* The field of the first row whose names include `header`, or -1 (also for NULL/empty). */
int header_match(const struct header_syn *table, const char *header);

/* ---- output safety --------------------------------------------------------- */

/*
 * 1 when a spreadsheet program would take `s` as a formula if written into
 * a cell as is: after any leading spaces, tabs, CRs or LFs it starts with
 * = + - @ (or their full-width forms) - "=cmd|' /C calc'!A0", "@SUM(A1)",
 * "\t=1+1". A plain number ("-12.5", "+8613800138000") is not formula-like.
 * Writers prefix such text with a ' (or write it as a string cell); readers
 * never evaluate anything.
 */
int cell_is_formula_like(const char *s);

#endif
