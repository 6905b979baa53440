/* report_xlsx.c - the statistical tables of an org subtree for a year (libxlsxwriter): one sheet per table, branches in tree order, a totals row. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include "report.h"
#include "report_internal.h"
#include "../orgs/orgs.h"
#include "../eval/metrics.h"
#include "../../base/arena.h"
#include "../../base/date.h"

/* Reads people, positions, dict_items (0003): the 两委 on the day by the person's org (see report_figures.c). */
static const char SQL_TEAM_BY_ORG[] =
	"SELECT o.path, COUNT(*),"
	" COALESCE(SUM(CASE WHEN pe.birth_date >= '1980-01-01' AND pe.birth_date <= '1989-12-31' THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN pe.birth_date >= '1990-01-01' AND pe.birth_date <= '1999-12-31' THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN pe.education IN ('postgraduate', 'bachelor', 'college') THEN 1 ELSE 0 END), 0)"
	" FROM people pe JOIN orgs o ON o.id = pe.org_id WHERE o.path LIKE ?"
	" AND pe.id IN (SELECT p.person_id FROM positions p JOIN dict_items t ON t.dict = 'position'"
	" AND t.code = p.title WHERE p.started_on <= ? AND (p.ended_on IS NULL OR p.ended_on >= ?)"
	" AND (',' || t.tags || ',') LIKE '%,two!_committees,%' ESCAPE '!'"
	" AND p.org_id IN (SELECT po.id FROM orgs po WHERE po.path LIKE ?)) GROUP BY o.path";

/* Reads person_flags (0003): selected graduates and reserve cadres on the day by the person's org. */
static const char SQL_FLAGS_BY_ORG[] =
	"SELECT o.path, COALESCE(SUM(CASE WHEN f.flag = 'selected_graduate' THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN f.flag = 'reserve_cadre' THEN 1 ELSE 0 END), 0)"
	" FROM person_flags f JOIN people pe ON pe.id = f.person_id JOIN orgs o ON o.id = pe.org_id"
	" WHERE o.path LIKE ? AND f.flag IN ('selected_graduate', 'reserve_cadre')"
	" AND f.started_on <= ? AND (f.ended_on IS NULL OR f.ended_on >= ?) GROUP BY o.path";

/* Reads dict_items: the meeting types, in order. */
static const char SQL_MEETING_TYPES[] =
	"SELECT code, label_zh FROM dict_items WHERE dict = 'meeting_type' ORDER BY sort, id";

/* Reads meetings, meeting_types (0006): current meetings held in the year by org and type. */
static const char SQL_MEETINGS_BY_ORG[] =
	"SELECT o.path, t.type, COUNT(*) FROM meetings m JOIN orgs o ON o.id = m.org_id"
	" JOIN meeting_types t ON t.meeting_id = m.id WHERE o.path LIKE ? AND m.superseded_by IS NULL"
	" AND m.held_on >= ? AND m.held_on <= ? GROUP BY o.path, t.type";

/* Reads deeds (0010): requests received in the year, and deeds done (closed as solved) in it, by org. */
static const char SQL_DEEDS_BY_ORG[] =
	"SELECT o.path, COALESCE(SUM(CASE WHEN d.received_on >= ? AND d.received_on <= ? THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN d.close_reason = 'solved' AND d.status IN ('closed', 'followed_up')"
	" AND d.closed_on >= ? AND d.closed_on <= ? THEN 1 ELSE 0 END), 0)"
	" FROM deeds d JOIN orgs o ON o.id = d.org_id WHERE o.path LIKE ? GROUP BY o.path";

/* Reads eval_entries, eval_rounds, eval_designations (0013): the year's published yearly result and designations. */
static const char SQL_EVAL_BY_ORG[] =
	"SELECT o.path, MAX(e.total_tenths), MAX(e.stars), MAX(e.rank) FROM eval_entries e"
	" JOIN eval_rounds r ON r.id = e.round_id JOIN orgs o ON o.id = e.org_id WHERE o.path LIKE ?"
	" AND r.year = ? AND r.quarter = 0 AND r.status = 'published' GROUP BY o.path";
static const char SQL_DESIG_BY_ORG[] =
	"SELECT o.path, COALESCE(SUM(CASE WHEN d.level = 'banner' THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN d.level = 'township' THEN 1 ELSE 0 END), 0)"
	" FROM eval_designations d JOIN orgs o ON o.id = d.org_id WHERE o.path LIKE ? AND d.year = ?"
	" AND d.status = 'designated' GROUP BY o.path";

/* Reads honour_nominations, honour_rounds, dict_items (0014): awards of the year by nominating org and category. */
static const char SQL_HONOUR_CATS[] =
	"SELECT code, label_zh FROM dict_items WHERE dict = 'honour_category' ORDER BY sort, id";
static const char SQL_HONOURS_BY_ORG[] =
	"SELECT o.path, r.category, COUNT(*) FROM honour_nominations n JOIN honour_rounds r ON r.id = n.round_id"
	" JOIN orgs o ON o.id = n.org_id WHERE n.status = 'awarded' AND r.year = ? AND o.path LIKE ?"
	" GROUP BY o.path, r.category";

#define MAX_COLS 24

/* One sheet: org rows x numeric columns; `sum[c]` 0 for columns that do not add up. */
struct table {
	int ncols;
	const char *head[MAX_COLS];
	const char *code[MAX_COLS];	/* for columns keyed by a code (types, categories) */
	int sum[MAX_COLS];
	double *v;			/* rows x MAX_COLS */
};

struct tables {
	struct db *db;
	struct arena *a;
	const struct org *o;
	int year;
	const char *like, *first, *last;
	struct report_cov cov;
	lxw_workbook *wb;
	lxw_format *head, *bold;
};

static void table_init(struct tables *t, struct table *tb)
{
	memset(tb, 0, sizeof(*tb));
	tb->v = arena_alloc(t->a, (size_t)(t->cov.n + 1) * MAX_COLS * sizeof(double));
}

static int col(struct table *tb, const char *head, const char *code, int sum)
{
	if (tb->ncols >= MAX_COLS)
		return -1;
	tb->head[tb->ncols] = head;
	tb->code[tb->ncols] = code;
	tb->sum[tb->ncols] = sum;
	return tb->ncols++;
}

static int col_of(const struct table *tb, const char *code)
{
	for (int c = 0; c < tb->ncols; c++)
		if (tb->code[c] && strcmp(tb->code[c], code) == 0)
			return c;
	return -1;
}

/*
 * Run sql (parameters from fmt/args as db_bindf) and add its integer columns
 * 1..n to the rows by the org path in column 0, into table columns first..
 */
static int add_rows(struct tables *t, struct table *tb, const char *sql, int first, int n,
		    struct db_params *p)
{
	struct db_stmt *st = db_prepare(t->db, sql);
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_params_bind(st, p);
	while ((rc = db_step(st)) == DB_ROW) {
		int r = report_cov_row(&t->cov, db_col_text(st, 0));
		if (r < 0)
			continue;
		for (int c = 0; c < n; c++)
			tb->v[r * MAX_COLS + first + c] += (double)db_col_int(st, c + 1);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* Coded counts (path, code, n) into the columns named by code. */
static int add_coded(struct tables *t, struct table *tb, const char *sql, struct db_params *p)
{
	struct db_stmt *st = db_prepare(t->db, sql);
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_params_bind(st, p);
	while ((rc = db_step(st)) == DB_ROW) {
		int r = report_cov_row(&t->cov, db_col_text(st, 0)), c = col_of(tb, db_col_text(st, 1));
		if (r < 0 || c < 0)
			continue;
		tb->v[r * MAX_COLS + c] += (double)db_col_int(st, 2);
		if (tb->code[0] && strcmp(tb->code[0], "_total") == 0)
			tb->v[r * MAX_COLS] += (double)db_col_int(st, 2);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* Columns from a dictionary (code, label). */
static int dict_cols(struct tables *t, struct table *tb, const char *sql)
{
	struct db_stmt *st = db_prepare(t->db, sql);
	int rc;

	if (!st)
		return DB_EGENERIC;
	while ((rc = db_step(st)) == DB_ROW)
		col(tb, arena_strdup(t->a, db_col_text(st, 1)), arena_strdup(t->a, db_col_text(st, 0)), 1);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* Write the sheet: a title row, the header, one row per org, the totals row (合计). */
static int write_sheet(struct tables *t, const char *name, const char *title, struct table *tb)
{
	lxw_worksheet *ws = workbook_add_worksheet(t->wb, name);
	int r;

	if (!ws)
		return 1;
	worksheet_set_column(ws, 0, 0, 28, NULL);
	worksheet_set_column(ws, 1, (lxw_col_t)tb->ncols, 12, NULL);
	worksheet_write_string(ws, 0, 0, arena_printf(t->a, "%s %d年%s", t->o->name, t->year, title), t->bold);
	worksheet_write_string(ws, 1, 0, "党组织", t->head);
	for (int c = 0; c < tb->ncols; c++)
		worksheet_write_string(ws, 1, (lxw_col_t)(c + 1), tb->head[c], t->head);
	for (r = 0; r < t->cov.n; r++) {
		worksheet_write_string(ws, (lxw_row_t)(r + 2), 0, t->cov.orgs[r].name, NULL);
		for (int c = 0; c < tb->ncols; c++) {
			double x = tb->v[r * MAX_COLS + c];
			worksheet_write_number(ws, (lxw_row_t)(r + 2), (lxw_col_t)(c + 1), x, NULL);
			if (tb->sum[c])
				tb->v[t->cov.n * MAX_COLS + c] += x;
		}
	}
	worksheet_write_string(ws, (lxw_row_t)(r + 2), 0, "合计", t->bold);
	for (int c = 0; c < tb->ncols; c++)
		if (tb->sum[c])
			worksheet_write_number(ws, (lxw_row_t)(r + 2), (lxw_col_t)(c + 1),
					       tb->v[t->cov.n * MAX_COLS + c], t->bold);
	worksheet_freeze_panes(ws, 2, 1);
	return 0;
}

static void params(struct db_params *p, const char *fmt, ...)
{
	va_list ap;

	memset(p, 0, sizeof(*p));
	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++) {
		if (*f == 'i')
			db_param_int(p, va_arg(ap, int64_t));
		else
			db_param_text(p, va_arg(ap, const char *));
	}
	va_end(ap);
}

static int sheet_team(struct tables *t)
{
	struct table tb;
	struct db_params p;
	int rc;

	table_init(t, &tb);
	col(&tb, "“两委”成员", NULL, 1);
	col(&tb, "80后", NULL, 1);
	col(&tb, "90后", NULL, 1);
	col(&tb, "大专及以上", NULL, 1);
	col(&tb, "选调生", NULL, 1);
	col(&tb, "后备干部", NULL, 1);
	params(&p, "ssss", t->like, t->last, t->last, t->like);
	rc = add_rows(t, &tb, SQL_TEAM_BY_ORG, 0, 4, &p);
	params(&p, "sss", t->like, t->last, t->last);
	if (rc == DB_OK)
		rc = add_rows(t, &tb, SQL_FLAGS_BY_ORG, 4, 2, &p);
	return rc != DB_OK ? rc : write_sheet(t, "班子结构", "村居“两委”班子结构统计表（截至年末）", &tb);
}

static int sheet_meetings(struct tables *t)
{
	struct table tb;
	struct db_params p;
	int rc;

	table_init(t, &tb);
	col(&tb, "会议次数（按类型计）", "_total", 1);
	rc = dict_cols(t, &tb, SQL_MEETING_TYPES);
	params(&p, "sss", t->like, t->first, t->last);
	if (rc == DB_OK)
		rc = add_coded(t, &tb, SQL_MEETINGS_BY_ORG, &p);
	return rc != DB_OK ? rc : write_sheet(t, "组织生活", "组织生活开展情况统计表", &tb);
}

static int sheet_training(struct tables *t)
{
	struct table tb;

	table_init(t, &tb);
	col(&tb, "党员人数", NULL, 1);
	col(&tb, "参训人数", NULL, 1);
	col(&tb, "覆盖率（%）", NULL, 0);
	col(&tb, "全覆盖（1=是）", NULL, 1);
	for (int r = 0; r < t->cov.n; r++) {
		const struct report_cov_org *x = &t->cov.orgs[r];
		tb.v[r * MAX_COLS] = (double)x->members;
		tb.v[r * MAX_COLS + 1] = (double)x->trained;
		tb.v[r * MAX_COLS + 2] = x->members ? (double)(x->trained * 1000 / x->members) / 10.0 : 0;
		tb.v[r * MAX_COLS + 3] = x->members > 0 && x->trained == x->members;
	}
	return write_sheet(t, "培训", "党员教育培训覆盖情况统计表", &tb);
}

static int sheet_deeds(struct tables *t)
{
	struct table tb;
	struct db_params p;
	int rc;

	table_init(t, &tb);
	col(&tb, "受理群众诉求（件）", NULL, 1);
	col(&tb, "办结办实事（项）", NULL, 1);
	params(&p, "sssss", t->first, t->last, t->first, t->last, t->like);
	rc = add_rows(t, &tb, SQL_DEEDS_BY_ORG, 0, 2, &p);
	return rc != DB_OK ? rc : write_sheet(t, "办实事", "党员干部办实事情况统计表", &tb);
}

/* Disclosure completeness per org from the metrics registry (one measurement per org). */
static int sheet_disclosure(struct tables *t)
{
	const struct metric *m = metric_find("disclosure_completeness");
	struct table tb;
	int64_t from = date_to_days((struct ymd){ t->year, 1, 1 }), to = date_to_days((struct ymd){ t->year, 12, 31 });

	if (!m)
		return DB_EGENERIC;
	table_init(t, &tb);
	col(&tb, "应公开（期）", NULL, 1);
	col(&tb, "已公开（期）", NULL, 1);
	col(&tb, "完整率（%）", NULL, 0);
	for (int r = 0; r < t->cov.n; r++) {
		struct metric_value mv;
		int rc;
		memset(&mv, 0, sizeof(mv));
		rc = m->fn(t->db, t->a, t->cov.orgs[r].id, t->cov.paths[r], from, to, &mv);
		if (rc != DB_OK) {
			json_decref(mv.inputs);
			return rc;
		}
		tb.v[r * MAX_COLS] = (double)json_integer_value(json_object_get(mv.inputs, "denominator"));
		tb.v[r * MAX_COLS + 1] = (double)json_integer_value(json_object_get(mv.inputs, "numerator"));
		tb.v[r * MAX_COLS + 2] = mv.has_value ? (double)(int64_t)(mv.value * 1000 + 0.5) / 10.0 : 0;
		json_decref(mv.inputs);
	}
	return write_sheet(t, "三务公开", "“三务”公开完成情况统计表", &tb);
}

static int sheet_eval(struct tables *t)
{
	struct table tb;
	struct db_params p;
	int rc;

	table_init(t, &tb);
	col(&tb, "年度得分", NULL, 0);
	col(&tb, "星级", NULL, 0);
	col(&tb, "名次", NULL, 0);
	col(&tb, "旗级最强党支部", NULL, 1);
	col(&tb, "镇级最强党支部", NULL, 1);
	params(&p, "si", t->like, (int64_t)t->year);
	rc = add_rows(t, &tb, SQL_EVAL_BY_ORG, 0, 3, &p);
	for (int r = 0; rc == DB_OK && r < t->cov.n; r++)
		tb.v[r * MAX_COLS] /= 10.0;	/* tenths of a point */
	if (rc == DB_OK)
		rc = add_rows(t, &tb, SQL_DESIG_BY_ORG, 3, 2, &p);
	return rc != DB_OK ? rc : write_sheet(t, "考评", "党支部星级评定与“最强党支部”统计表", &tb);
}

static int sheet_honours(struct tables *t)
{
	struct table tb;
	struct db_params p;
	int rc;

	table_init(t, &tb);
	col(&tb, "合计", "_total", 1);
	rc = dict_cols(t, &tb, SQL_HONOUR_CATS);
	params(&p, "is", (int64_t)t->year, t->like);
	if (rc == DB_OK)
		rc = add_coded(t, &tb, SQL_HONOURS_BY_ORG, &p);
	return rc != DB_OK ? rc : write_sheet(t, "评先评优", "评先评优情况统计表", &tb);
}

int report_tables_xlsx(struct db *db, struct arena *a, const struct org *o, int year,
		       const char *path, const char *tmpdir)
{
	struct tables t;
	lxw_workbook_options opt = { .constant_memory = LXW_FALSE, .tmpdir = (char *)tmpdir };
	int rc;

	memset(&t, 0, sizeof(t));
	t.db = db;
	t.a = a;
	t.o = o;
	t.year = year;
	t.like = arena_printf(a, "%s%%", o->path);
	t.first = arena_printf(a, "%04d-01-01", year);
	t.last = arena_printf(a, "%04d-12-31", year);
	rc = report_coverage_orgs(db, a, o->path, year, &t.cov);
	if (rc != DB_OK)
		return rc;
	t.wb = workbook_new_opt(path, &opt);
	if (!t.wb)
		return 1;
	t.head = workbook_add_format(t.wb);
	format_set_bold(t.head);
	format_set_bg_color(t.head, 0xDDEBF7);
	format_set_border(t.head, LXW_BORDER_THIN);
	t.bold = workbook_add_format(t.wb);
	format_set_bold(t.bold);
	if ((rc = sheet_team(&t)) == DB_OK && (rc = sheet_meetings(&t)) == DB_OK &&
	    (rc = sheet_training(&t)) == DB_OK && (rc = sheet_deeds(&t)) == DB_OK &&
	    (rc = sheet_disclosure(&t)) == DB_OK && (rc = sheet_eval(&t)) == DB_OK)
		rc = sheet_honours(&t);
	if (workbook_close(t.wb) != LXW_NO_ERROR && rc == DB_OK)
		rc = 1;
	return rc;
}
