/* report_docx.c - the annual report as an official document (.docx per GB/T 9704, WordprocessingML written here and zipped by libzip in memory) and as a printable HTML page. */
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include "report.h"
#include "report_internal.h"
#include "../../base/buf.h"

/*
 * GB/T 9704-2012 in Word units: A4 11906 x 16838 twips; margins top 37 mm
 * (2098), bottom 35 mm (1984), left 28 mm (1587), right 26 mm (1474); body
 * 三号 (16 pt = 32 half-points) at a fixed 28 pt line (560 twips), first
 * line indented two characters; title 二号 (22 pt = 44).
 */
#define FONT_TITLE "方正小标宋简体"
#define FONT_BODY "仿宋_GB2312"
#define FONT_H1 "黑体"
#define FONT_H2 "楷体_GB2312"
#define FONT_PAGE "宋体"

static const char CONTENT_TYPES[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
	"<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
	"<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>"
	"<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>"
	"<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
	"</Types>";

static const char ROOT_RELS[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
	"</Relationships>";

static const char DOC_RELS[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>"
	"<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>"
	"</Relationships>";

#define W_NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" " \
	     "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""

static const char STYLES[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<w:styles " W_NS ">"
	"<w:docDefaults><w:rPrDefault><w:rPr>"
	"<w:rFonts w:ascii=\"" FONT_BODY "\" w:eastAsia=\"" FONT_BODY "\" w:hAnsi=\"" FONT_BODY "\" w:cs=\"" FONT_BODY "\"/>"
	"<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>"
	"</w:rPr></w:rPrDefault>"
	"<w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"560\" w:lineRule=\"exact\"/>"
	"<w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>"
	"<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
	"<w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/></w:pPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>"
	"<w:pPr><w:jc w:val=\"center\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>"
	"<w:spacing w:line=\"720\" w:lineRule=\"exact\"/></w:pPr>"
	"<w:rPr><w:rFonts w:ascii=\"" FONT_TITLE "\" w:eastAsia=\"" FONT_TITLE "\" w:hAnsi=\"" FONT_TITLE "\"/>"
	"<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/>"
	"<w:pPr><w:keepNext/><w:outlineLvl w:val=\"0\"/></w:pPr>"
	"<w:rPr><w:rFonts w:ascii=\"" FONT_H1 "\" w:eastAsia=\"" FONT_H1 "\" w:hAnsi=\"" FONT_H1 "\"/></w:rPr></w:style>"
	"<w:style w:type=\"character\" w:styleId=\"Heading2Char\"><w:name w:val=\"Heading 2 Char\"/>"
	"<w:rPr><w:rFonts w:ascii=\"" FONT_H2 "\" w:eastAsia=\"" FONT_H2 "\" w:hAnsi=\"" FONT_H2 "\"/></w:rPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/>"
	"<w:pPr><w:jc w:val=\"center\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>"
	"<w:spacing w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>"
	"<w:rPr><w:rFonts w:ascii=\"" FONT_PAGE "\" w:eastAsia=\"" FONT_PAGE "\" w:hAnsi=\"" FONT_PAGE "\"/>"
	"<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>"
	"</w:styles>";

static const char SETTINGS[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<w:settings " W_NS "><w:defaultTabStop w:val=\"420\"/>"
	"<w:characterSpacingControl w:val=\"compressPunctuation\"/></w:settings>";

/* "— N —" centred at the foot: a PAGE field between em dashes. */
static const char FOOTER[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<w:ftr " W_NS "><w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr>"
	"<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>"
	"<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
	"<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>"
	"<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r>"
	"<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
	"<w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>";

static const char SECT_PR[] =
	"<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId3\"/>"
	"<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
	"<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\" w:header=\"851\""
	" w:footer=\"992\" w:gutter=\"0\"/>"
	"<w:docGrid w:type=\"lines\" w:linePitch=\"560\"/></w:sectPr>";

void report_xml_escape(struct buf *b, const char *text)
{
	for (const char *p = text; p && *p; p++) {
		switch (*p) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*p >= 0x20 || *p == '\t')
				buf_putc(b, *p);
		}
	}
}

/* A run of text, in the heading-2 font when h2. */
static void run(struct buf *b, const char *text, size_t n, int h2)
{
	char *t = malloc(n + 1);

	if (!t)
		return;
	memcpy(t, text, n);
	t[n] = '\0';
	buf_puts(b, "<w:r>");
	if (h2)
		buf_puts(b, "<w:rPr><w:rStyle w:val=\"Heading2Char\"/></w:rPr>");
	buf_puts(b, "<w:t xml:space=\"preserve\">");
	report_xml_escape(b, t);
	buf_puts(b, "</w:t></w:r>");
	free(t);
}

/* The body of document.xml. */
static void document_xml(const json_t *draft, struct buf *b)
{
	const json_t *sections = json_object_get(draft, "sections"), *s;
	size_t i;

	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document " W_NS "><w:body>");
	buf_puts(b, "<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr>");
	run(b, json_string_value(json_object_get(draft, "title")),
	    strlen(json_string_value(json_object_get(draft, "title"))), 0);
	buf_puts(b, "</w:p><w:p/>");
	json_array_foreach(sections, i, s) {
		const char *part = json_string_value(json_object_get(s, "part"));
		const char *heading = json_string_value(json_object_get(s, "heading"));
		const char *text = json_string_value(json_object_get(s, "rendered"));
		int first = 1;

		if (part) {
			buf_puts(b, "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>");
			run(b, part, strlen(part), 0);
			buf_puts(b, "</w:p>");
		}
		for (const char *p = text; p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			buf_puts(b, "<w:p>");
			if (first && heading)
				run(b, heading, strlen(heading), 1);
			run(b, p, n, 0);
			buf_puts(b, "</w:p>");
			first = 0;
			p = nl ? nl + 1 : p + n;
		}
	}
	buf_puts(b, SECT_PR);
	buf_puts(b, "</w:body></w:document>");
}

/* The core properties: title only (no author, no dates that would vary). */
static void core_xml(const json_t *draft, struct buf *b)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		 "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\""
		 " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>");
	report_xml_escape(b, json_string_value(json_object_get(draft, "title")));
	buf_puts(b, "</dc:title><dc:language>zh-CN</dc:language></cp:coreProperties>");
}

/* Add a part to the archive; the bytes must live until zip_close. 0 or -1. */
static int add_part(zip_t *z, const char *name, const char *data, size_t len)
{
	zip_source_t *s = zip_source_buffer(z, data, len, 0);

	if (!s)
		return -1;
	if (zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
		zip_source_free(s);
		return -1;
	}
	return 0;
}

int report_docx(const json_t *draft, char **out, size_t *len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	zip_stat_t st;
	struct buf doc, core;
	int rc = -1;

	*out = NULL;
	*len = 0;
	buf_init(&doc, 0);
	buf_init(&core, 0);
	document_xml(draft, &doc);
	core_xml(draft, &core);
	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (!src || doc.err || core.err)
		goto done;
	zip_source_keep(src);
	z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (!z) {
		zip_source_free(src);
		src = NULL;
		goto done;
	}
	if (add_part(z, "[Content_Types].xml", CONTENT_TYPES, strlen(CONTENT_TYPES)) ||
	    add_part(z, "_rels/.rels", ROOT_RELS, strlen(ROOT_RELS)) ||
	    add_part(z, "word/document.xml", doc.data, doc.len) ||
	    add_part(z, "word/_rels/document.xml.rels", DOC_RELS, strlen(DOC_RELS)) ||
	    add_part(z, "word/styles.xml", STYLES, strlen(STYLES)) ||
	    add_part(z, "word/settings.xml", SETTINGS, strlen(SETTINGS)) ||
	    add_part(z, "word/footer1.xml", FOOTER, strlen(FOOTER)) ||
	    add_part(z, "docProps/core.xml", core.data, core.len)) {
		zip_discard(z);
		goto done;
	}
	if (zip_close(z) != 0) {
		zip_discard(z);
		goto done;
	}
	if (zip_source_stat(src, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(src) != 0)
		goto done;
	*out = malloc(st.size ? st.size : 1);
	if (*out && zip_source_read(src, *out, st.size) == (zip_int64_t)st.size) {
		*len = st.size;
		rc = 0;
	} else {
		free(*out);
		*out = NULL;
	}
	zip_source_close(src);
done:
	if (src)
		zip_source_free(src);
	zip_error_fini(&ze);
	buf_release(&doc);
	buf_release(&core);
	return rc;
}

/* ---------------------------------------------------------------- HTML */

static const char HTML_HEAD[] =
	"<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>";
static const char HTML_STYLE[] =
	"</title><style>"
	"@page{size:A4;margin:37mm 26mm 35mm 28mm;@bottom-center{content:\"— \" counter(page) \" —\";"
	"font-family:'宋体',SimSun,serif;font-size:14pt}}"
	"body{margin:0 auto;max-width:156mm;font-family:'仿宋_GB2312','仿宋',FangSong,serif;font-size:16pt;"
	"line-height:28pt;color:#000;background:#fff}"
	"h1{font-family:'方正小标宋简体','小标宋',serif;font-size:22pt;font-weight:normal;text-align:center;"
	"line-height:36pt;margin:0 0 28pt}"
	"h2{font-family:'黑体',SimHei,sans-serif;font-size:16pt;font-weight:normal;margin:0;text-indent:2em}"
	"p{margin:0;text-indent:2em;text-align:justify}"
	".h2{font-family:'楷体_GB2312','楷体',KaiTi,serif}"
	"@media screen{body{padding:20mm 0}}"
	"</style></head><body>";

void report_html(const json_t *draft, struct buf *b)
{
	const json_t *sections = json_object_get(draft, "sections"), *s;
	size_t i;

	buf_puts(b, HTML_HEAD);
	report_xml_escape(b, json_string_value(json_object_get(draft, "title")));
	buf_puts(b, HTML_STYLE);
	buf_puts(b, "<h1>");
	report_xml_escape(b, json_string_value(json_object_get(draft, "title")));
	buf_puts(b, "</h1>\n");
	json_array_foreach(sections, i, s) {
		const char *part = json_string_value(json_object_get(s, "part"));
		const char *heading = json_string_value(json_object_get(s, "heading"));
		const json_t *paras = json_object_get(s, "paragraphs"), *para, *seg;
		size_t j, k;

		if (part) {
			buf_puts(b, "<h2>");
			report_xml_escape(b, part);
			buf_puts(b, "</h2>\n");
		}
		json_array_foreach(paras, j, para) {
			buf_puts(b, "<p>");
			if (j == 0 && heading) {
				buf_puts(b, "<span class=\"h2\">");
				report_xml_escape(b, heading);
				buf_puts(b, "</span>");
			}
			json_array_foreach(para, k, seg) {
				const char *fig = json_string_value(json_object_get(seg, "figure"));
				if (fig) {
					buf_puts(b, "<span class=\"fig\" data-figure=\"");
					report_xml_escape(b, fig);
					buf_puts(b, "\">");
				}
				report_xml_escape(b, json_string_value(json_object_get(seg, "text")));
				if (fig)
					buf_puts(b, "</span>");
			}
			buf_puts(b, "</p>\n");
		}
	}
	buf_puts(b, "</body></html>\n");
}
