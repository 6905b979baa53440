/* fuzz_xlsx.c - fuzz target: the xlsx reader's XML parsing, on workbooks zipped from fuzzed parts. */
#include <unistd.h>
#include <zip.h>

#include "fuzz_sheet.h"

/* The parts of a workbook, in the order the input gives them. */
static const char *const part_names[] = {
	"xl/worksheets/sheet1.xml",
	"xl/sharedStrings.xml",
	"xl/styles.xml",
	"xl/workbook.xml",
	"xl/_rels/workbook.xml.rels",
	"_rels/.rels",
};
#define NPARTS (sizeof(part_names) / sizeof(part_names[0]))

/* What a part is when the input does not give it: a minimal valid workbook. */
static const char *const part_defaults[] = {
	"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
	"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>",
	"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>姓名</t></si></sst>",
	"<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"/>",
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
	" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	"<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
	"relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
	"relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
	"<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
	"relationships/styles\" Target=\"styles.xml\"/></Relationships>",
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
	"relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
};

static const uint8_t SEP[] = "\n#PART#\n";

/*
 * The input is up to six parts separated by "\n#PART#\n" (sheet, shared
 * strings, styles, workbook, workbook relationships, package
 * relationships); missing ones take the defaults above. They are stored in
 * a zip (deflated when the input's size is odd, else stored) written to a
 * private temporary file, then read as an upload would be, with the
 * properties of fuzz_sheet_read().
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	const uint8_t *start[NPARTS], *p = data, *end = data + size;
	size_t len[NPARTS], n = 0;
	zip_t *z;
	int err, deflate = size & 1;	/* odd sizes deflated, even ones stored */

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/fuzz-xlsx-%d.xlsx", (int)getpid());
	while (n < NPARTS && p <= end) {
		const uint8_t *q = memmem(p, (size_t)(end - p), SEP, sizeof(SEP) - 1);

		start[n] = p;
		len[n] = q ? (size_t)(q - p) : (size_t)(end - p);
		n++;
		if (!q)
			break;
		p = q + sizeof(SEP) - 1;
	}
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	FUZZ_CHECK(z != NULL);
	for (size_t i = 0; i < NPARTS; i++) {
		const void *b = i < n ? (const void *)start[i] : part_defaults[i];
		size_t bl = i < n ? len[i] : strlen(part_defaults[i]);
		zip_source_t *src = zip_source_buffer(z, b, bl, 0);
		zip_int64_t idx;

		FUZZ_CHECK(src != NULL);
		idx = zip_file_add(z, part_names[i], src, ZIP_FL_OVERWRITE);
		FUZZ_CHECK(idx >= 0);
		FUZZ_CHECK(zip_set_file_compression(z, (zip_uint64_t)idx,
						    deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) == 0);
	}
	FUZZ_CHECK(zip_close(z) == 0);
	fuzz_sheet_read(path);
	unlink(path);
	return 0;
}
