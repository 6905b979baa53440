/* test_docx.c - the report's figure placeholders (render, segments) and the .docx package: parts, GB/T 9704 page setup, fonts, escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zip.h>
#include "../../src/modules/report/report.h"
#include "../../src/modules/report/report_internal.h"
#include "../../src/base/arena.h"
#include "../../src/base/buf.h"

static json_t *figures(void)
{
	return json_pack("{s:{s:i, s:s}, s:{s:i, s:s}, s:{s:{s:i, s:s}}}",
			 "reserve_cadres", "value", 31, "link", "/people?flag=reserve_cadre",
			 "deeds_done", "value", 200, "link", "/deeds?status=done",
			 "honours", "文明家庭", "value", 10, "link", "/honours/register");
}

static void render_fills_known_keys_only(void **state)
{
	struct arena a;
	json_t *f = figures();

	(void)state;
	arena_init(&a, 0);
	assert_string_equal(report_render(&a, "后备干部{{reserve_cadres}}人，办实事{{deeds_done}}项", f, NULL),
			    "后备干部31人，办实事200项");
	assert_string_equal(report_render(&a, "“文明家庭”{{honours.文明家庭}}个", f, NULL), "“文明家庭”10个");
	/* unknown keys, internal keys and unclosed braces stay as written */
	assert_string_equal(report_render(&a, "{{nope}}与{{_training_titles}}", f, NULL),
			    "{{nope}}与{{_training_titles}}");
	assert_string_equal(report_render(&a, "a {{reserve_cadres", f, NULL), "a {{reserve_cadres");
	assert_string_equal(report_render(&a, "{{reserve_cadres\n}}", f, NULL), "{{reserve_cadres\n}}");
	assert_string_equal(report_render(&a, "", f, NULL), "");
	/* typed digits are the writer's */
	assert_string_equal(report_render(&a, "共99人", f, NULL), "共99人");
	json_decref(f);
	arena_release(&a);
}

static void render_segments_link_figures(void **state)
{
	struct arena a;
	json_t *f = figures(), *segs = json_array(), *p0, *p1;

	(void)state;
	arena_init(&a, 0);
	report_render(&a, "共{{reserve_cadres}}人。\n办实事{{deeds_done}}项{{x}}", f, segs);
	assert_int_equal(json_array_size(segs), 2);
	p0 = json_array_get(segs, 0);
	p1 = json_array_get(segs, 1);
	assert_int_equal(json_array_size(p0), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(p0, 0), "text")), "共");
	assert_string_equal(json_string_value(json_object_get(json_array_get(p0, 1), "figure")), "reserve_cadres");
	assert_string_equal(json_string_value(json_object_get(json_array_get(p0, 1), "text")), "31");
	assert_string_equal(json_string_value(json_object_get(json_array_get(p0, 1), "link")),
			    "/people?flag=reserve_cadre");
	assert_string_equal(json_string_value(json_object_get(json_array_get(p0, 2), "text")), "人。");
	/* the unknown placeholder merges into the text segment before it */
	assert_int_equal(json_array_size(p1), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(p1, 2), "text")), "项{{x}}");
	json_decref(segs);
	json_decref(f);
	arena_release(&a);
}

static void xml_escape(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	report_xml_escape(&b, "a<b>&\"c\"\x01\td");
	assert_string_equal(b.data, "a&lt;b&gt;&amp;&quot;c&quot;\td");
	buf_release(&b);
}

/* A part of the zip in memory as a NUL-terminated string (malloc'd), NULL when absent. */
static char *part(const char *data, size_t len, const char *name)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	zip_stat_t st;
	zip_file_t *zf;
	char *out = NULL;

	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (!z) {
		zip_source_free(src);
		return NULL;
	}
	if (zip_stat(z, name, 0, &st) == 0 && (zf = zip_fopen(z, name, 0))) {
		out = calloc(1, st.size + 1);
		if (out && zip_fread(zf, out, st.size) != (zip_int64_t)st.size) {
			free(out);
			out = NULL;
		}
		zip_fclose(zf);
	}
	zip_discard(z);
	zip_error_fini(&ze);
	return out;
}

static json_t *draft(void)
{
	return json_pack("{s:s, s:[{s:s, s:n, s:s}, {s:s, s:s, s:s, s:s}]}",
			 "title", "2022年述职报告<测试>",
			 "sections",
			 "key", "opening", "heading", "rendered", "开头一段 & 二段\n第二段",
			 "key", "duty_team", "part", "一、履职情况", "heading", "（二）班子。",
			 "rendered", "后备干部31人");
}

static void docx_package_and_layout(void **state)
{
	json_t *d = draft();
	char *data = NULL, *doc, *ct, *styles, *footer, *rels;
	size_t len = 0;

	(void)state;
	assert_int_equal(report_docx(d, &data, &len), 0);
	assert_true(len > 100);
	assert_memory_equal(data, "PK", 2);
	ct = part(data, len, "[Content_Types].xml");
	doc = part(data, len, "word/document.xml");
	styles = part(data, len, "word/styles.xml");
	footer = part(data, len, "word/footer1.xml");
	assert_non_null(ct);
	assert_non_null(doc);
	assert_non_null(styles);
	assert_non_null(footer);
	rels = part(data, len, "_rels/.rels");
	assert_non_null(rels);
	assert_non_null(strstr(rels, "word/document.xml"));
	free(rels);
	assert_non_null(strstr(ct, "wordprocessingml.document.main+xml"));
	/* escaped title, paragraphs split at new lines, the heading run in 楷体 before the text */
	assert_non_null(strstr(doc, "2022年述职报告&lt;测试&gt;"));
	assert_non_null(strstr(doc, "开头一段 &amp; 二段</w:t>"));
	assert_non_null(strstr(doc, ">第二段</w:t>"));
	assert_non_null(strstr(doc, "<w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t xml:space=\"preserve\">一、履职情况"));
	assert_non_null(strstr(doc, "<w:rStyle w:val=\"Heading2Char\"/></w:rPr><w:t xml:space=\"preserve\">（二）班子。"));
	/* GB/T 9704: A4, margins 37/35/28/26 mm, footer page numbers */
	assert_non_null(strstr(doc, "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
	assert_non_null(strstr(doc, "w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""));
	assert_non_null(strstr(doc, "w:footerReference"));
	assert_non_null(strstr(footer, "— </w:t>"));
	assert_non_null(strstr(footer, " PAGE "));
	/* fonts and sizes: body 仿宋_GB2312 16pt at exactly 28pt, title 小标宋 22pt, 黑体 / 楷体 */
	assert_non_null(strstr(styles, "w:eastAsia=\"仿宋_GB2312\""));
	assert_non_null(strstr(styles, "<w:sz w:val=\"32\"/>"));
	assert_non_null(strstr(styles, "w:line=\"560\" w:lineRule=\"exact\""));
	assert_non_null(strstr(styles, "w:eastAsia=\"方正小标宋简体\""));
	assert_non_null(strstr(styles, "<w:sz w:val=\"44\"/>"));
	assert_non_null(strstr(styles, "w:eastAsia=\"黑体\""));
	assert_non_null(strstr(styles, "w:eastAsia=\"楷体_GB2312\""));
	free(ct);
	free(doc);
	free(styles);
	free(footer);
	free(data);
	json_decref(d);
}

static void html_page(void **state)
{
	json_t *d = json_pack("{s:s, s:[{s:s, s:s, s:[[{s:s}, {s:s, s:s}]]}]}", "title", "T<1>",
			      "sections", "key", "duty_team", "heading", "（二）",
			      "paragraphs", "text", "共", "text", "31", "figure", "reserve_cadres");
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	report_html(d, &b);
	assert_non_null(strstr(b.data, "<h1>T&lt;1&gt;</h1>"));
	assert_non_null(strstr(b.data, "<p><span class=\"h2\">（二）</span>共<span class=\"fig\" data-figure=\"reserve_cadres\">31</span></p>"));
	assert_non_null(strstr(b.data, "size:A4"));
	buf_release(&b);
	json_decref(d);
}

static void sections_table(void **state)
{
	(void)state;
	assert_non_null(report_section_find("problems"));
	assert_string_equal(report_section_find("duty_org")->part, "一、履职情况");
	assert_int_equal(report_section_find("duty_study")->level, 2);
	assert_null(report_section_find("title"));
	assert_null(report_section_find(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(render_fills_known_keys_only),
		cmocka_unit_test(render_segments_link_figures),
		cmocka_unit_test(xml_escape),
		cmocka_unit_test(docx_package_and_layout),
		cmocka_unit_test(html_page),
		cmocka_unit_test(sections_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
