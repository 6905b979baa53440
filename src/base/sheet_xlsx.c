/* sheet_xlsx.c - the first worksheet of an xlsx workbook, streamed with expat from libzip, with zip-bomb and XML guards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Expat declares its billion-laughs settings (expat >= 2.4) only when
 * XML_DTD is defined; Debian builds expat with DTD support. They are a
 * second line: any DOCTYPE is refused outright (OOXML never has one).
 */
#ifndef XML_DTD
#define XML_DTD
#endif
#include <expat.h>
#include <zip.h>

#include "sheet_int.h"

#define XLSX_CHUNK 65536
#define XLSX_BIG_PART (1024u * 1024u)		/* parts this big must respect SHEET_MAX_RATIO */
#define XLSX_MAX_TOKEN (8u * 1024u * 1024u)	/* XML bytes without a single element boundary */
#define XLSX_MAX_RELS 4096
#define XLSX_MAX_SHEETS 4096
#define XLSX_MAX_FMTS 65536			/* cellXfs entries, and numFmtId < this */
#define XLSX_MAX_PATH 512
#define XLSX_MAX_ROW 1048576			/* Excel's last row */
#define XLSX_MAX_COL 16384			/* Excel's last column, XFD */
#define NS_SEP '|'

/* One zip entry being read, with its declared size and what it really gave. */
struct part {
	zip_file_t *zf;
	char name[XLSX_MAX_PATH];
	uint64_t size;
	uint64_t read;
};

/* What every expat handler's user data starts with. */
struct pbase {
	struct sheet *s;
	XML_Parser p;
	const char *part;	/* for messages */
	uint64_t fed;		/* bytes given to expat */
	uint64_t mark;		/* byte index of the last element boundary seen */
	int stopped;		/* an error was set; ignore the callbacks still to come */
	unsigned long nomem;	/* xml_nomem when the parser was created */
};

/* One relationship of a .rels part; `type` is the last segment of its Type URI. */
struct rel {
	char *id, *type, *target;
};

struct relset {
	struct pbase b;
	struct rel *v;
	size_t n, cap;
};

struct wbsheet {
	char *rid;
	int visible;
};

struct workbook {
	struct pbase b;
	struct wbsheet *v;
	size_t n, cap;
	int date1904;
};

struct styles {
	struct pbase b;
	unsigned char *custom;		/* [numFmtId]: 0 built-in, 1 custom, 2 custom date */
	unsigned *xf;			/* cellXfs -> numFmtId */
	size_t nxf, capxf;
	int in_xfs;
};

struct sst {
	struct pbase b;
	struct xlsx_reader *x;
	int in_si, in_t, rph;
	size_t start;			/* where the open string starts */
};

struct xlsx_reader {
	struct pbase b;			/* the worksheet's parser; first member */
	zip_t *z;
	uint64_t used;			/* uncompressed bytes of every part read */
	struct buf sst;			/* shared strings, each followed by a NUL */
	size_t *sst_off;
	size_t sst_n, sst_cap;
	unsigned char *xf_date;		/* cellXfs index -> is a date format */
	size_t nxf;
	int date1904;
	struct part sheet;
	int suspended, final_fed, row_ready;
	/* the worksheet being parsed */
	int in_data, in_row, in_c, in_v, in_is, in_t, rph;
	size_t row_num, next_col, col;
	char ctype[12];
	int cdate, chas_f;
	struct buf val;
};

/* ---- small helpers ------------------------------------------------------ */

static const char *lname(const XML_Char *n)
{
	const char *p = strrchr(n, NS_SEP);

	return p ? p + 1 : n;
}

static const char *attr(const XML_Char **a, const char *local)
{
	for (; a && a[0]; a += 2)
		if (strcmp(lname(a[0]), local) == 0)
			return a[1];
	return NULL;
}

/* A decimal without sign or spaces, <= max. -1 if it is not one. */
static long long parse_uint(const char *p, long long max)
{
	long long v = 0;

	if (!p || !*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > max)
			return -1;
	}
	return v;
}

static void stop(struct pbase *b)
{
	b->stopped = 1;
	XML_StopParser(b->p, XML_FALSE);
}

/* Mark an element boundary: the token guard measures from here. */
static void boundary(struct pbase *b)
{
	XML_Index i = XML_GetCurrentByteIndex(b->p);

	if (i >= 0)
		b->mark = (uint64_t)i;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal)
{
	struct pbase *b = ud;

	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	if (b->stopped)
		return;
	sheet_fail(b->s, SHEET_EFORMAT, "xlsx 中的 %s 含有 DOCTYPE 声明（可能是实体膨胀攻击），已拒绝",
		   b->part);
	stop(b);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
			      int value_len, const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	struct pbase *b = ud;

	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	if (b->stopped)
		return;
	sheet_fail(b->s, SHEET_EFORMAT, "xlsx 中的 %s 定义了 XML 实体（可能是实体膨胀攻击），已拒绝",
		   b->part);
	stop(b);
}

/*
 * Expat's memory. Every parser is created with xml_mem, which calls
 * malloc/realloc/free unless a fault-injection test replaced them with
 * sheet_xlsx_set_xml_alloc() before reading any sheet (expat is a shared
 * library: a link-time wrap of malloc does not reach inside it). Failed
 * allocations are counted per thread, because expat reports some of them
 * as a broken document ("unbound prefix") instead of XML_ERROR_NO_MEMORY.
 */
static void *(*xml_malloc_fn)(size_t) = malloc;
static void *(*xml_realloc_fn)(void *, size_t) = realloc;
static void (*xml_free_fn)(void *) = free;
static _Thread_local unsigned long xml_nomem;

static void *xml_malloc(size_t n)
{
	void *p = xml_malloc_fn(n);

	xml_nomem += p == NULL;
	return p;
}

static void *xml_realloc(void *p, size_t n)
{
	void *q = xml_realloc_fn(p, n);

	xml_nomem += q == NULL;
	return q;
}

static void xml_free(void *p)
{
	xml_free_fn(p);
}

static const XML_Memory_Handling_Suite xml_mem = { xml_malloc, xml_realloc, xml_free };

void sheet_xlsx_set_xml_alloc(void *(*m)(size_t), void *(*r)(void *, size_t), void (*f)(void *))
{
	xml_malloc_fn = m ? m : malloc;
	xml_realloc_fn = r ? r : realloc;
	xml_free_fn = f ? f : free;
}

/* A parser with the guards every part gets. NULL when out of memory. */
static XML_Parser xml_new(struct pbase *b, XML_StartElementHandler start,
			  XML_EndElementHandler end, XML_CharacterDataHandler chars)
{
	static const XML_Char ns_sep[] = { NS_SEP, '\0' };
	XML_Parser p = XML_ParserCreate_MM(NULL, &xml_mem, ns_sep);

	if (!p)
		return NULL;
	b->p = p;
	b->nomem = xml_nomem;
	b->fed = b->mark = 0;
	b->stopped = 0;
	XML_SetUserData(p, b);
	XML_SetElementHandler(p, start, end);
	if (chars)
		XML_SetCharacterDataHandler(p, chars);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetEntityDeclHandler(p, on_entity);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 4)
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(p, 10.0f);
	XML_SetBillionLaughsAttackProtectionActivationThreshold(p, 1024 * 1024);
#endif
	return p;
}

/*
 * After XML_ParseBuffer/XML_ResumeParser said ERROR: our error, or expat's.
 * Expat running out of memory is our side's failure, not a broken file.
 */
static int xml_error(struct pbase *b)
{
	if (b->s->err.code != SHEET_OK)
		return -1;
	if (XML_GetErrorCode(b->p) == XML_ERROR_NO_MEMORY || xml_nomem != b->nomem)
		return sheet_fail(b->s, SHEET_EIO, "内存不足，无法读取表格");
	return sheet_fail(b->s, SHEET_EFORMAT, "xlsx 中的 %s 不是有效的 XML（第 %lu 行：%s），文件可能已损坏",
			  b->part, (unsigned long)XML_GetCurrentLineNumber(b->p),
			  XML_ErrorString(XML_GetErrorCode(b->p)));
}

/* Expat holds a whole tag in memory until it ends: refuse tags that never do. */
static int token_guard(struct pbase *b)
{
	if (b->fed - b->mark > XLSX_MAX_TOKEN)
		return sheet_fail(b->s, SHEET_EFORMAT,
				  "xlsx 中的 %s 含有异常巨大的 XML 标记，疑似恶意文件，已拒绝", b->part);
	return 0;
}

/*
 * Decode OOXML's _xHHHH_ escapes (characters XML cannot carry, e.g.
 * _x000D_ for CR, _x005F_ for a literal underscore) in place. U+0000 and
 * surrogates stay as written. Returns the new length (never longer).
 */
static size_t ooxml_unescape(char *p, size_t n)
{
	size_t i = 0, o = 0, k;
	unsigned cp;
	int ok;

	while (i < n) {
		if (p[i] == '_' && i + 6 < n && p[i + 1] == 'x' && p[i + 6] == '_') {
			cp = 0;
			ok = 1;
			for (k = 2; k < 6; k++) {
				char c = p[i + k];

				cp <<= 4;
				if (c >= '0' && c <= '9')
					cp |= (unsigned)(c - '0');
				else if (c >= 'a' && c <= 'f')
					cp |= (unsigned)(c - 'a' + 10);
				else if (c >= 'A' && c <= 'F')
					cp |= (unsigned)(c - 'A' + 10);
				else
					ok = 0;
			}
			if (ok && cp != 0 && (cp < 0xd800 || cp > 0xdfff)) {
				if (cp < 0x80) {
					p[o++] = (char)cp;
				} else if (cp < 0x800) {
					p[o++] = (char)(0xc0 | (cp >> 6));
					p[o++] = (char)(0x80 | (cp & 0x3f));
				} else {
					p[o++] = (char)(0xe0 | (cp >> 12));
					p[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					p[o++] = (char)(0x80 | (cp & 0x3f));
				}
				i += 7;
				continue;
			}
		}
		p[o++] = p[i++];
	}
	return o;
}

/* ---- paths inside the package ------------------------------------------ */

/*
 * Resolve a relationship target against the part that holds it ("xl/workbook.xml"
 * + "worksheets/sheet1.xml" -> "xl/worksheets/sheet1.xml"; "/xl/styles.xml" is
 * from the root). "." and ".." are resolved; escaping the root fails. 0 or -1.
 */
static int path_resolve(const char *source, const char *target, char *out, size_t outsz)
{
	char tmp[XLSX_MAX_PATH];
	size_t len = 0, seg, dirlen = 0;
	const char *p, *slash;
	int n;

	if (target[0] == '/') {
		n = snprintf(tmp, sizeof tmp, "%s", target + 1);
	} else {
		slash = strrchr(source, '/');
		if (slash)
			dirlen = (size_t)(slash - source) + 1;
		n = snprintf(tmp, sizeof tmp, "%.*s%s", (int)dirlen, source, target);
	}
	if (n < 0 || (size_t)n >= sizeof tmp || outsz == 0)
		return -1;
	for (p = tmp; *p; p += seg + (p[seg] == '/')) {
		seg = strcspn(p, "/");
		if (seg == 0 || (seg == 1 && p[0] == '.'))
			continue;
		if (seg == 2 && p[0] == '.' && p[1] == '.') {
			if (len == 0)
				return -1;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;	/* the slash before the dropped segment */
			continue;
		}
		if (len + (len ? 1 : 0) + seg + 1 > outsz)
			return -1;
		if (len)
			out[len++] = '/';
		memcpy(out + len, p, seg);
		len += seg;
	}
	out[len] = '\0';
	return len ? 0 : -1;
}

/* The .rels part of a part: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels". */
static int rels_path(const char *part, char *out, size_t outsz)
{
	const char *slash = strrchr(part, '/');
	size_t dirlen = slash ? (size_t)(slash - part) + 1 : 0;
	int n = snprintf(out, outsz, "%.*s_rels/%s.rels", (int)dirlen, part, part + dirlen);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* ---- reading zip entries ------------------------------------------------ */

/*
 * Open the entry `name` (case-insensitive) after checking its declared size
 * against what is left of max_xlsx_bytes and, for a big one, its
 * compression ratio. 1 opened, 0 no such entry, -1 refused or broken.
 */
static int part_open(struct sheet *s, const char *name, struct part *pt)
{
	struct xlsx_reader *x = s->xlsx;
	uint64_t left = s->lim.max_xlsx_bytes - x->used;
	char lb[32], sb[32];
	zip_int64_t idx;
	zip_stat_t st;

	memset(pt, 0, sizeof *pt);
	snprintf(pt->name, sizeof pt->name, "%s", name);
	idx = zip_name_locate(x->z, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return 0;
	zip_stat_init(&st);
	if (zip_stat_index(x->z, (zip_uint64_t)idx, 0, &st) < 0 ||
	    !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
		return sheet_fail(s, SHEET_EFORMAT, "xlsx 中的 %s 无法读取，文件可能已损坏", name);
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return sheet_fail(s, SHEET_EFORMAT, "xlsx 文件已加密，请去掉密码后再导入");
	if (st.size > left) {
		sheet_fmt_bytes(s->lim.max_xlsx_bytes, lb, sizeof lb);
		sheet_fmt_bytes(st.size, sb, sizeof sb);
		return sheet_fail(s, SHEET_ELIMIT, "xlsx 解压后的内容超过 %s 上限（其中 %s 解压后有 %s）",
				  lb, name, sb);
	}
	if (st.size >= XLSX_BIG_PART && st.size / SHEET_MAX_RATIO > st.comp_size)
		return sheet_fail(s, SHEET_ELIMIT,
				  "xlsx 中的 %s 压缩比超过 %d:1，疑似压缩炸弹，已拒绝", name, SHEET_MAX_RATIO);
	pt->zf = zip_fopen_index(x->z, (zip_uint64_t)idx, 0);
	if (!pt->zf)
		return sheet_fail(s, SHEET_EFORMAT, "xlsx 中的 %s 无法解压（%s），文件可能已损坏",
				  name, zip_error_strerror(zip_get_error(x->z)));
	pt->size = st.size;
	return 1;
}

/*
 * Up to n inflated bytes. Counts what really comes out: more than the
 * entry declared, or more than max_xlsx_bytes in all, is refused as a bomb.
 * Returns the count, 0 at the end, -1 on error.
 */
static zip_int64_t part_read(struct sheet *s, struct part *pt, void *buf, size_t n)
{
	struct xlsx_reader *x = s->xlsx;
	char lb[32];
	zip_int64_t got;

	got = zip_fread(pt->zf, buf, n);
	if (got < 0)
		return sheet_fail(s, SHEET_EFORMAT, "xlsx 中的 %s 解压失败（%s），文件可能已损坏",
				  pt->name, zip_error_strerror(zip_file_get_error(pt->zf)));
	pt->read += (uint64_t)got;
	x->used += (uint64_t)got;
	if (pt->read > pt->size)
		return sheet_fail(s, SHEET_ELIMIT,
				  "xlsx 中的 %s 解压后比声明的大小更大，疑似压缩炸弹，已拒绝", pt->name);
	if (x->used > s->lim.max_xlsx_bytes) {
		sheet_fmt_bytes(s->lim.max_xlsx_bytes, lb, sizeof lb);
		return sheet_fail(s, SHEET_ELIMIT, "xlsx 解压后的内容超过 %s 上限", lb);
	}
	return got;
}

static void part_close(struct part *pt)
{
	if (pt->zf)
		zip_fclose(pt->zf);
	pt->zf = NULL;
}

/*
 * Parse a whole part with the given handlers (`b` is the handlers' user
 * data). 0 parsed, 1 no such part, -1 error (s->err set).
 */
static int parse_part(struct sheet *s, const char *name, struct pbase *b,
		      XML_StartElementHandler start, XML_EndElementHandler end,
		      XML_CharacterDataHandler chars)
{
	struct part pt;
	zip_int64_t n;
	void *buf;
	int rc;

	rc = part_open(s, name, &pt);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	b->s = s;
	b->part = pt.name;
	if (!xml_new(b, start, end, chars)) {
		part_close(&pt);
		return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
	}
	rc = 0;
	for (;;) {
		buf = XML_GetBuffer(b->p, XLSX_CHUNK);
		if (!buf) {
			rc = sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
			break;
		}
		n = part_read(s, &pt, buf, XLSX_CHUNK);
		if (n < 0) {
			rc = -1;
			break;
		}
		if (XML_ParseBuffer(b->p, (int)n, n == 0) != XML_STATUS_OK) {
			rc = xml_error(b);
			break;
		}
		b->fed += (uint64_t)n;
		if (token_guard(b) < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
	}
	XML_ParserFree(b->p);
	b->p = NULL;
	part_close(&pt);
	return rc;
}

/* strdup that sets the sheet error on failure. */
static char *xdup(struct pbase *b, const char *v)
{
	char *p = strdup(v ? v : "");

	if (!p) {
		sheet_fail(b->s, SHEET_EIO, "内存不足，无法读取表格");
		stop(b);
	}
	return p;
}

/* Make room for one more element of size `sz` in *v (count n, capacity *cap, at most max). */
static int grow(struct pbase *b, void **v, size_t n, size_t *cap, size_t sz, size_t max)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= max) {
		sheet_fail(b->s, SHEET_EFORMAT, "xlsx 中的 %s 条目过多，疑似恶意文件，已拒绝", b->part);
		stop(b);
		return -1;
	}
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*v, ncap * sz);
	if (!p) {
		sheet_fail(b->s, SHEET_EIO, "内存不足，无法读取表格");
		stop(b);
		return -1;
	}
	*v = p;
	*cap = ncap;
	return 0;
}

/* ---- relationships and the workbook ------------------------------------- */

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct relset *r = ud;
	const char *type, *mode, *slash;
	struct rel *e;

	if (r->b.stopped)
		return;
	boundary(&r->b);
	if (strcmp(lname(name), "Relationship") != 0)
		return;
	mode = attr(a, "TargetMode");
	if (mode && strcmp(mode, "External") == 0)
		return;
	if (grow(&r->b, (void **)&r->v, r->n, &r->cap, sizeof *r->v, XLSX_MAX_RELS) < 0)
		return;
	type = attr(a, "Type");
	slash = type ? strrchr(type, '/') : NULL;
	e = &r->v[r->n];
	e->id = xdup(&r->b, attr(a, "Id"));
	e->type = xdup(&r->b, slash ? slash + 1 : type);
	e->target = xdup(&r->b, attr(a, "Target"));
	r->n++;
}

static void XMLCALL any_end(void *ud, const XML_Char *name)
{
	struct pbase *b = ud;

	(void)name;
	if (!b->stopped)
		boundary(b);
}

static void relset_free(struct relset *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].type);
		free(r->v[i].target);
	}
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

static const struct rel *rel_by_type(const struct relset *r, const char *type)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].type && strcmp(r->v[i].type, type) == 0)
			return &r->v[i];
	return NULL;
}

static const struct rel *rel_by_id(const struct relset *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].id && strcmp(r->v[i].id, id) == 0)
			return &r->v[i];
	return NULL;
}

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct workbook *w = ud;
	const char *n = lname(name), *v;

	if (w->b.stopped)
		return;
	boundary(&w->b);
	if (strcmp(n, "workbookPr") == 0) {
		v = attr(a, "date1904");
		w->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
	} else if (strcmp(n, "sheet") == 0) {
		if (grow(&w->b, (void **)&w->v, w->n, &w->cap, sizeof *w->v, XLSX_MAX_SHEETS) < 0)
			return;
		v = attr(a, "state");
		w->v[w->n].visible = !v || strcmp(v, "visible") == 0;
		w->v[w->n].rid = xdup(&w->b, attr(a, "id"));
		w->n++;
	}
}

static void workbook_free(struct workbook *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].rid);
	free(w->v);
}

/* ---- styles: which cell formats are dates -------------------------------- */

/*
 * Built-in number formats that show a date: 14-17 and 22 everywhere, and
 * the CJK ones (27-31, 36, 50-54, 57, 58: "yyyy年m月d日" and kin). 18-21
 * and 45-47 are times of day, not dates.
 */
static int builtin_is_date(unsigned id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 ||
	       (id >= 50 && id <= 54) || id == 57 || id == 58;
}

/*
 * A custom format code shows a date when, outside quoted text, escaped
 * characters and [brackets], it has a y or d, or an m without h or s
 * (m next to h or s means minutes). "yyyy\年m\月d\日" and "yyyy-mm-dd
 * hh:mm" are dates; "[h]:mm:ss", "0.00E+00" and "General" are not.
 */
static int format_is_date(const char *code)
{
	int ymd = 0, m = 0, hs = 0;
	const char *p;

	for (p = code; *p; p++) {
		switch (*p) {
		case '"':
			p++;
			while (*p && *p != '"')
				p++;
			if (!*p)
				return ymd || (m && !hs);
			break;
		case '\\':
		case '_':
		case '*':
			if (p[1])
				p++;
			break;
		case '[':
			while (*p && *p != ']')
				p++;
			if (!*p)
				return ymd || (m && !hs);
			break;
		case 'y': case 'Y': case 'd': case 'D':
			ymd = 1;
			break;
		case 'm': case 'M':
			m = 1;
			break;
		case 'h': case 'H': case 's': case 'S':
			hs = 1;
			break;
		default:
			break;
		}
	}
	return ymd || (m && !hs);
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct styles *st = ud;
	const char *n = lname(name), *code;
	long long id;

	if (st->b.stopped)
		return;
	boundary(&st->b);
	if (strcmp(n, "cellXfs") == 0) {
		st->in_xfs = 1;
	} else if (strcmp(n, "numFmt") == 0) {
		id = parse_uint(attr(a, "numFmtId"), XLSX_MAX_FMTS - 1);
		code = attr(a, "formatCode");
		if (id < 0 || !code)
			return;
		if (!st->custom && !(st->custom = calloc(XLSX_MAX_FMTS, 1))) {
			sheet_fail(st->b.s, SHEET_EIO, "内存不足，无法读取表格");
			stop(&st->b);
			return;
		}
		st->custom[id] = format_is_date(code) ? 2 : 1;
	} else if (st->in_xfs && strcmp(n, "xf") == 0) {
		id = parse_uint(attr(a, "numFmtId"), XLSX_MAX_FMTS - 1);
		if (grow(&st->b, (void **)&st->xf, st->nxf, &st->capxf, sizeof *st->xf, XLSX_MAX_FMTS) < 0)
			return;
		st->xf[st->nxf++] = id < 0 ? 0 : (unsigned)id;
	}
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
	struct styles *st = ud;

	if (st->b.stopped)
		return;
	boundary(&st->b);
	if (strcmp(lname(name), "cellXfs") == 0)
		st->in_xfs = 0;
}

/* Fill x->xf_date from the parsed styles: custom formats override built-in ids. */
static int styles_apply(struct sheet *s, struct styles *st)
{
	struct xlsx_reader *x = s->xlsx;
	unsigned id;
	size_t i;

	if (st->nxf == 0)
		return 0;
	x->xf_date = calloc(st->nxf, 1);
	if (!x->xf_date)
		return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
	x->nxf = st->nxf;
	for (i = 0; i < st->nxf; i++) {
		id = st->xf[i];
		if (st->custom && st->custom[id])
			x->xf_date[i] = st->custom[id] == 2;
		else
			x->xf_date[i] = (unsigned char)builtin_is_date(id);
	}
	return 0;
}

/* ---- shared strings ------------------------------------------------------- */

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct sst *t = ud;
	struct sheet *s = t->b.s;
	const char *n = lname(name);
	long long count;

	if (t->b.stopped)
		return;
	boundary(&t->b);
	if (strcmp(n, "si") == 0) {
		t->in_si = 1;
		t->rph = 0;
		t->start = t->x->sst.len;
	} else if (strcmp(n, "rPh") == 0) {
		t->rph++;
	} else if (strcmp(n, "t") == 0 && t->in_si && !t->rph) {
		t->in_t = 1;
	} else if (strcmp(n, "sst") == 0) {
		count = parse_uint(attr(a, "uniqueCount"), 1LL << 40);
		if (count > (long long)s->lim.max_shared_strings) {
			sheet_fail(s, SHEET_ELIMIT, "共享字符串超过 %zu 条上限", s->lim.max_shared_strings);
			stop(&t->b);
		}
	}
}

static void XMLCALL sst_chars(void *ud, const XML_Char *text, int len)
{
	struct sst *t = ud;
	struct sheet *s = t->b.s;
	struct buf *b = &t->x->sst;
	char lb[32];

	if (t->b.stopped || !t->in_t || t->rph || len <= 0)
		return;
	if (b->len - t->start + (size_t)len > s->lim.max_cell_bytes) {
		sheet_fmt_bytes(s->lim.max_cell_bytes, lb, sizeof lb);
		sheet_fail(s, SHEET_ELIMIT, "共享字符串第 %zu 条超过单元格 %s 上限", t->x->sst_n + 1, lb);
		stop(&t->b);
		return;
	}
	buf_add(b, text, (size_t)len);
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	struct sst *t = ud;
	struct xlsx_reader *x = t->x;
	struct sheet *s = t->b.s;
	const char *n = lname(name);
	size_t len;

	if (t->b.stopped)
		return;
	boundary(&t->b);
	if (strcmp(n, "t") == 0) {
		t->in_t = 0;
	} else if (strcmp(n, "rPh") == 0) {
		if (t->rph)
			t->rph--;
	} else if (strcmp(n, "si") == 0 && t->in_si) {
		t->in_si = 0;
		if (x->sst_n >= s->lim.max_shared_strings) {
			sheet_fail(s, SHEET_ELIMIT, "共享字符串超过 %zu 条上限", s->lim.max_shared_strings);
			stop(&t->b);
			return;
		}
		if (grow(&t->b, (void **)&x->sst_off, x->sst_n, &x->sst_cap, sizeof *x->sst_off,
			 (size_t)-1) < 0)
			return;
		if (!x->sst.err && x->sst.cap) {
			len = ooxml_unescape(x->sst.data + t->start, x->sst.len - t->start);
			x->sst.len = t->start + len;
			x->sst.data[x->sst.len] = '\0';
		}
		buf_putc(&x->sst, '\0');
		if (x->sst.err) {
			sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
			stop(&t->b);
			return;
		}
		x->sst_off[x->sst_n++] = t->start;
	}
}

/* ---- the worksheet, one row at a time ------------------------------------ */

/* "AB12" -> 27 (0-based column); -1 if there are no letters or too many. */
static long col_of_ref(const char *r)
{
	long c = 0;
	int n = 0;

	for (; *r >= 'A' && *r <= 'Z'; r++) {
		if (++n > 3)
			return -1;
		c = c * 26 + (*r - 'A' + 1);
	}
	if (n == 0 || c > XLSX_MAX_COL)
		return -1;
	return c - 1;
}

static void sheet_stop(struct xlsx_reader *x)
{
	stop(&x->b);
}

static void XMLCALL ws_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xlsx_reader *x = ud;
	struct sheet *s = x->b.s;
	const char *n = lname(name), *v;
	long long num, st;
	long col;

	if (x->b.stopped)
		return;
	boundary(&x->b);
	if (x->in_c) {
		if (strcmp(n, "v") == 0) {
			x->in_v = 1;
		} else if (strcmp(n, "f") == 0) {
			x->chas_f = 1;
		} else if (strcmp(n, "is") == 0) {
			x->in_is = 1;
		} else if (x->in_is && strcmp(n, "rPh") == 0) {
			x->rph++;
		} else if (x->in_is && !x->rph && strcmp(n, "t") == 0) {
			x->in_t = 1;
		}
		return;
	}
	if (strcmp(n, "sheetData") == 0) {
		x->in_data = 1;
	} else if (x->in_data && strcmp(n, "row") == 0) {
		v = attr(a, "r");
		num = v ? parse_uint(v, XLSX_MAX_ROW) : (long long)x->row_num + 1;
		if (num < 1 || num > XLSX_MAX_ROW) {
			sheet_fail(s, SHEET_EFORMAT, "xlsx 工作表中的行号“%s”无效，文件可能已损坏", v ? v : "");
			sheet_stop(x);
			return;
		}
		/*
		 * Rows are stored in ascending order (ECMA-376 18.3.1.73); a row
		 * number at or before the previous one would hand out two rows
		 * with one number, and error reports would name the wrong row
		 * (found by fuzz/targets/fuzz_xlsx.c).
		 */
		if ((size_t)num <= x->row_num) {
			sheet_fail(s, SHEET_EFORMAT, "xlsx 工作表中的行号“%s”未按顺序排列，文件可能已损坏",
				   v ? v : "");
			sheet_stop(x);
			return;
		}
		x->row_num = (size_t)num;
		x->next_col = 0;
		x->in_row = 1;
		sheet_row_reset(s, x->row_num);
	} else if (x->in_row && strcmp(n, "c") == 0) {
		v = attr(a, "r");
		col = v ? col_of_ref(v) : (long)x->next_col;
		if (col < 0 || col >= XLSX_MAX_COL) {
			sheet_fail(s, SHEET_EFORMAT, "第 %zu 行：单元格位置“%s”无效，文件可能已损坏",
				   x->row_num, v ? v : "");
			sheet_stop(x);
			return;
		}
		x->col = (size_t)col;
		v = attr(a, "t");
		snprintf(x->ctype, sizeof x->ctype, "%s", v ? v : "n");
		st = parse_uint(attr(a, "s"), 1000000);
		x->cdate = st >= 0 && (size_t)st < x->nxf && x->xf_date[st];
		x->chas_f = 0;
		x->in_c = 1;
		x->in_v = x->in_is = x->in_t = x->rph = 0;
		buf_reset(&x->val);
	}
}

static void XMLCALL ws_chars(void *ud, const XML_Char *text, int len)
{
	struct xlsx_reader *x = ud;

	if (x->b.stopped || len <= 0 || !(x->in_v || (x->in_t && !x->rph)))
		return;
	if (x->val.len + (size_t)len > x->b.s->lim.max_cell_bytes) {
		sheet_fail_cell_size(x->b.s, x->row_num, x->col);
		sheet_stop(x);
		return;
	}
	buf_add(&x->val, text, (size_t)len);
}

/* Serial text of a 1904-system workbook shifted to the 1900 system (+1462 days). */
static void shift_1904(struct buf *val)
{
	char tmp[64];
	const char *dot, *p;
	long long whole;
	size_t intlen;

	if (val->len == 0 || val->len >= 40)
		return;
	dot = strchr(val->data, '.');
	intlen = dot ? (size_t)(dot - val->data) : val->len;
	if (intlen == 0 || intlen > 15)
		return;
	for (p = dot ? dot + 1 : ""; *p; p++)
		if (*p < '0' || *p > '9')
			return;	/* "1.5E+3" and the like: leave as stored */
	memcpy(tmp, val->data, intlen);
	tmp[intlen] = '\0';
	whole = parse_uint(tmp, 1LL << 50);
	if (whole < 0)
		return;
	snprintf(tmp, sizeof tmp, "%lld%s", whole + 1462, dot ? dot : "");
	buf_reset(val);
	buf_puts(val, tmp);
}

/* The cell is complete: turn its type and value into text and flags. */
static int cell_finish(struct sheet *s, struct xlsx_reader *x)
{
	const char *t = x->ctype, *text = x->val.data;
	size_t len = x->val.len;
	unsigned flags = 0;
	long long idx;

	if (x->val.err)
		return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
	if (strcmp(t, "s") == 0) {
		if (len == 0)
			return 0;
		idx = parse_uint(text, 1LL << 40);
		if (idx < 0 || (size_t)idx >= x->sst_n)
			return sheet_fail(s, SHEET_EFORMAT,
					  "第 %zu 行：共享字符串编号“%s”超出范围，文件可能已损坏",
					  x->row_num, text);
		text = x->sst.data + x->sst_off[idx];
		len = strlen(text);
	} else if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0) {
		if (x->val.cap) {
			len = ooxml_unescape(x->val.data, x->val.len);
			x->val.data[len] = '\0';
			x->val.len = len;
		}
	} else if (strcmp(t, "b") == 0) {
		flags = SHEET_CELL_BOOL;
		if (strcmp(text, "1") == 0)
			text = "TRUE";
		else if (strcmp(text, "0") == 0)
			text = "FALSE";
		len = strlen(text);
	} else if (strcmp(t, "e") == 0) {
		flags = SHEET_CELL_ERROR;
	} else if (strcmp(t, "d") != 0) {	/* "n" and anything unknown: a number */
		flags = SHEET_CELL_NUMBER;
		if (x->cdate) {
			flags |= SHEET_CELL_DATE;
			if (x->date1904) {
				shift_1904(&x->val);
				text = x->val.data;
				len = x->val.len;
			}
		}
	}
	if (len == 0)
		return 0;
	if (x->chas_f)
		flags |= SHEET_CELL_FORMULA;
	sheet_cell_begin(s, x->col);
	if (sheet_cell_add(s, text, len) < 0)
		return -1;
	return sheet_cell_end(s, flags);
}

static void XMLCALL ws_end(void *ud, const XML_Char *name)
{
	struct xlsx_reader *x = ud;
	const char *n = lname(name);

	if (x->b.stopped)
		return;
	boundary(&x->b);
	if (x->in_c) {
		if (strcmp(n, "v") == 0) {
			x->in_v = 0;
		} else if (strcmp(n, "t") == 0) {
			x->in_t = 0;
		} else if (strcmp(n, "rPh") == 0) {
			if (x->rph)
				x->rph--;
		} else if (strcmp(n, "is") == 0) {
			x->in_is = 0;
		} else if (strcmp(n, "c") == 0) {
			x->in_c = 0;
			x->next_col = x->col + 1;
			if (cell_finish(x->b.s, x) < 0)
				sheet_stop(x);
		}
		return;
	}
	if (x->in_row && strcmp(n, "row") == 0) {
		x->in_row = 0;
		x->row_ready = 1;
		XML_StopParser(x->b.p, XML_TRUE);	/* suspend: hand this row out */
	} else if (strcmp(n, "sheetData") == 0) {
		x->in_data = 0;
	}
}

/* ---- opening ------------------------------------------------------------ */

/* Why a zip without a workbook is not one, as far as we can tell. */
static int not_a_workbook(struct sheet *s)
{
	struct xlsx_reader *x = s->xlsx;

	if (zip_name_locate(x->z, "content.xml", 0) >= 0 && zip_name_locate(x->z, "mimetype", 0) >= 0)
		return sheet_fail(s, SHEET_EFORMAT,
				  "这是 OpenDocument（.ods 等）文件，请另存为 .xlsx 或 CSV 后再导入");
	if (zip_name_locate(x->z, "word/document.xml", ZIP_FL_NOCASE) >= 0)
		return sheet_fail(s, SHEET_EFORMAT, "这是 Word 文档，不是表格");
	return sheet_fail(s, SHEET_EFORMAT, "这是一个压缩包，里面没有 Excel 工作簿，不是 xlsx 表格");
}

/*
 * Find the workbook through _rels/.rels (default xl/workbook.xml), read its
 * sheet list and relationships, and pick the first visible worksheet (the
 * first hidden one if all are hidden). Fills the paths of the worksheet,
 * the shared strings and the styles ("" when absent).
 */
static int locate_parts(struct sheet *s, char *sheet_path, char *sst_path, char *styles_path)
{
	struct xlsx_reader *x = s->xlsx;
	struct relset root = { 0 }, wbrels = { 0 };
	struct workbook wb = { 0 };
	char wbpath[XLSX_MAX_PATH], relpath[XLSX_MAX_PATH];
	const struct rel *r, *pick = NULL, *hidden = NULL;
	int rc = -1;
	size_t i;

	sheet_path[0] = sst_path[0] = styles_path[0] = '\0';
	snprintf(wbpath, sizeof wbpath, "xl/workbook.xml");
	if (parse_part(s, "_rels/.rels", &root.b, rels_start, any_end, NULL) < 0)
		goto out;
	r = rel_by_type(&root, "officeDocument");
	if (r && path_resolve("", r->target, wbpath, sizeof wbpath) < 0) {
		sheet_fail(s, SHEET_EFORMAT, "xlsx 中的工作簿路径无效，文件可能已损坏");
		goto out;
	}
	if (zip_name_locate(x->z, wbpath, ZIP_FL_NOCASE) < 0) {
		not_a_workbook(s);
		goto out;
	}
	if (parse_part(s, wbpath, &wb.b, wb_start, any_end, NULL) < 0)
		goto out;
	x->date1904 = wb.date1904;
	if (rels_path(wbpath, relpath, sizeof relpath) < 0 ||
	    parse_part(s, relpath, &wbrels.b, rels_start, any_end, NULL) != 0) {
		if (s->err.code == SHEET_OK)
			sheet_fail(s, SHEET_EFORMAT, "xlsx 中缺少工作簿的关系文件，文件可能已损坏");
		goto out;
	}
	for (i = 0; i < wb.n && !pick; i++) {
		r = rel_by_id(&wbrels, wb.v[i].rid);
		if (!r || strcmp(r->type, "worksheet") != 0)
			continue;
		if (wb.v[i].visible)
			pick = r;
		else if (!hidden)
			hidden = r;
	}
	if (!pick)
		pick = hidden;
	if (!pick) {
		sheet_fail(s, SHEET_EFORMAT, "xlsx 工作簿中没有工作表");
		goto out;
	}
	if (path_resolve(wbpath, pick->target, sheet_path, XLSX_MAX_PATH) < 0) {
		sheet_fail(s, SHEET_EFORMAT, "xlsx 中的工作表路径无效，文件可能已损坏");
		goto out;
	}
	r = rel_by_type(&wbrels, "sharedStrings");
	if (r && path_resolve(wbpath, r->target, sst_path, XLSX_MAX_PATH) < 0)
		sst_path[0] = '\0';
	r = rel_by_type(&wbrels, "styles");
	if (r && path_resolve(wbpath, r->target, styles_path, XLSX_MAX_PATH) < 0)
		styles_path[0] = '\0';
	rc = 0;
out:
	relset_free(&root);
	relset_free(&wbrels);
	workbook_free(&wb);
	return rc;
}

int sheet_xlsx_open(struct sheet *s)
{
	char sheet_path[XLSX_MAX_PATH], sst_path[XLSX_MAX_PATH], styles_path[XLSX_MAX_PATH];
	struct styles st = { 0 };
	struct sst t = { 0 };
	struct xlsx_reader *x;
	int zerr = 0, rc;

	x = calloc(1, sizeof *x);
	if (!x)
		return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
	s->xlsx = x;
	buf_init(&x->sst, 0);
	buf_init(&x->val, 0);
	x->z = zip_fdopen(s->fd, ZIP_CHECKCONS, &zerr);
	if (!x->z)
		return sheet_fail(s, SHEET_EFORMAT,
				  "文件以 ZIP 标记开头，但压缩包已损坏或不完整，不是可读取的 xlsx 文件");
	s->fd = -1;	/* libzip owns it now */

	if (locate_parts(s, sheet_path, sst_path, styles_path) < 0)
		return -1;
	if (styles_path[0]) {
		rc = parse_part(s, styles_path, &st.b, styles_start, styles_end, NULL);
		if (rc == 0)
			rc = styles_apply(s, &st);
		free(st.custom);
		free(st.xf);
		if (rc < 0)
			return -1;
	}
	if (sst_path[0]) {
		t.x = x;
		if (parse_part(s, sst_path, &t.b, sst_start, sst_end, sst_chars) < 0)
			return -1;
	}
	rc = part_open(s, sheet_path, &x->sheet);
	if (rc <= 0) {
		if (rc == 0)
			sheet_fail(s, SHEET_EFORMAT, "xlsx 中缺少工作表 %s，文件可能已损坏", sheet_path);
		return -1;
	}
	x->b.s = s;
	x->b.part = x->sheet.name;
	if (!xml_new(&x->b, ws_start, ws_end, ws_chars))
		return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
	s->total = x->sheet.size;
	s->done = 0;
	return 0;
}

/*
 * Run the worksheet's parser until a row ends (the end-row handler suspends
 * it) or the part ends. 1 row ready, 0 end, -1 error.
 */
int sheet_xlsx_next(struct sheet *s)
{
	struct xlsx_reader *x = s->xlsx;
	enum XML_Status st;
	zip_int64_t n;
	void *buf;

	for (;;) {
		if (x->suspended) {
			x->suspended = 0;
			st = XML_ResumeParser(x->b.p);
		} else if (x->final_fed) {
			return 0;
		} else {
			buf = XML_GetBuffer(x->b.p, XLSX_CHUNK);
			if (!buf)
				return sheet_fail(s, SHEET_EIO, "内存不足，无法读取表格");
			n = part_read(s, &x->sheet, buf, XLSX_CHUNK);
			if (n < 0)
				return -1;
			s->done = x->sheet.read;
			x->final_fed = n == 0;
			x->b.fed += (uint64_t)n;
			st = XML_ParseBuffer(x->b.p, (int)n, n == 0);
		}
		if (st == XML_STATUS_ERROR)
			return xml_error(&x->b);
		if (st == XML_STATUS_SUSPENDED)
			x->suspended = 1;
		else if (token_guard(&x->b) < 0)
			return -1;
		if (x->row_ready) {
			x->row_ready = 0;
			return 1;
		}
	}
}

void sheet_xlsx_close(struct sheet *s)
{
	struct xlsx_reader *x = s->xlsx;

	if (x->b.p)
		XML_ParserFree(x->b.p);
	part_close(&x->sheet);
	if (x->z)
		zip_discard(x->z);
	buf_release(&x->sst);
	buf_release(&x->val);
	free(x->sst_off);
	free(x->xf_date);
	free(x);
	s->xlsx = NULL;
}
