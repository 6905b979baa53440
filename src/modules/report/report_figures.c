/* report_figures.c - every figure of the annual report, counted from records of an org's subtree for a year, each with its formula and the link to its records. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "report.h"
#include "report_internal.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../eval/metrics.h"
#include "../../base/arena.h"
#include "../../base/date.h"

/*
 * Reads orgs (0002). The party organizations of the subtree: general
 * branches and branches (party groups are parts of a branch and the
 * committee is not counted, domain.md), active and founded by the year's
 * end. Parameters: path LIKE, last day.
 */
static const char SQL_PARTY_ORGS[] =
	"SELECT COUNT(*) FROM orgs o WHERE o.path LIKE ? AND o.kind IN ('general_branch', 'branch')"
	" AND o.status = 'active' AND (o.established_on IS NULL OR o.established_on <= ?)";

/*
 * Reads eval_designations (0013). Strongest-branch designations of the
 * subtree made for the year, by level, counting only those designated (not
 * nominated, reviewed or withdrawn) - as GET /eval/designations counts them.
 */
static const char SQL_DESIGNATIONS[] =
	"SELECT d.level, COUNT(*) FROM eval_designations d JOIN orgs o ON o.id = d.org_id"
	" WHERE o.path LIKE ? AND d.year = ? AND d.status = 'designated' GROUP BY d.level";

/*
 * Reads people, positions, dict_items, orgs (0003). The 两委 on the last day
 * exactly as GET /people/structure counts it (people of the subtree, any
 * status, holding on that day a post tagged two_committees in an org of the
 * subtree): all, born in the 1980s, in the 1990s, 大专 or higher.
 * Parameters: path LIKE, day, day, path LIKE.
 */
static const char SQL_TEAM[] =
	"SELECT COUNT(*),"
	" COALESCE(SUM(CASE WHEN pe.birth_date >= '1980-01-01' AND pe.birth_date <= '1989-12-31' THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN pe.birth_date >= '1990-01-01' AND pe.birth_date <= '1999-12-31' THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN pe.education IN ('postgraduate', 'bachelor', 'college') THEN 1 ELSE 0 END), 0)"
	" FROM people pe JOIN orgs o ON o.id = pe.org_id WHERE o.path LIKE ?"
	" AND pe.id IN (SELECT p.person_id FROM positions p JOIN dict_items t ON t.dict = 'position'"
	" AND t.code = p.title WHERE p.started_on <= ? AND (p.ended_on IS NULL OR p.ended_on >= ?)"
	" AND (',' || t.tags || ',') LIKE '%,two!_committees,%' ESCAPE '!'"
	" AND p.org_id IN (SELECT po.id FROM orgs po WHERE po.path LIKE ?))";

/*
 * Reads person_flags, people, orgs (0003). People of the subtree (any
 * status) with a selected-graduate or reserve-cadre flag active on the last
 * day, as GET /people/structure's flags. Parameters: path LIKE, day, day.
 */
static const char SQL_FLAGS[] =
	"SELECT f.flag, COUNT(DISTINCT f.person_id) FROM person_flags f"
	" JOIN people pe ON pe.id = f.person_id JOIN orgs o ON o.id = pe.org_id"
	" WHERE o.path LIKE ? AND f.flag IN ('selected_graduate', 'reserve_cadre')"
	" AND f.started_on <= ? AND (f.ended_on IS NULL OR f.ended_on >= ?) GROUP BY f.flag";

/*
 * Reads orgs (0002). The branches and general branches of the subtree that
 * training coverage reports on (GET /trainings/coverage), in tree order.
 */
static const char SQL_COVERAGE_ORGS[] =
	"SELECT o.id, o.path, o.name FROM orgs o WHERE o.path LIKE ?"
	" AND o.kind IN ('branch', 'general_branch') AND o.status = 'active' ORDER BY o.sort_key";

/*
 * Reads people (through people_view_sql), training_attendance,
 * training_sessions (0003, 0007). Active party members of the subtree who
 * had joined by the year's end, each with 1 when present at a session held
 * in the year - the members query of GET /trainings/coverage.
 * Parameters: first day, last day, last day, path LIKE.
 */
static const char SQL_COVERAGE_MEMBERS_FMT[] =
	"SELECT v.org_path, CASE WHEN EXISTS (SELECT 1 FROM training_attendance ta"
	" JOIN training_sessions ts ON ts.id = ta.session_id WHERE ta.person_id = v.person_id"
	" AND ts.held_on >= ? AND ts.held_on <= ?) THEN 1 ELSE 0 END"
	" FROM %s v WHERE v.status = 'active' AND v.political_status IN " PEOPLE_PARTY_STATUSES
	" AND (v.joined_on IS NULL OR v.joined_on <= ?) AND v.org_path LIKE ?";

/*
 * Reads training_classes, training_sessions, orgs (0007). Classes of the
 * year visible from the org (held by an org of its subtree or above it), and
 * their regular sessions (make-up sessions not counted), as the coverage
 * totals. Parameters: year, path LIKE, path.
 */
static const char SQL_CLASSES[] =
	"SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM training_sessions x"
	" WHERE x.class_id = c.id AND x.makeup_of IS NULL)), 0)"
	" FROM training_classes c JOIN orgs o ON o.id = c.org_id WHERE c.year = ?"
	" AND (o.path LIKE ? OR CAST(? AS TEXT) LIKE (o.path || '%'))";

/* Reads training_classes, orgs (0007): the titles of those classes, oldest first. */
static const char SQL_CLASS_TITLES[] =
	"SELECT c.title FROM training_classes c JOIN orgs o ON o.id = c.org_id WHERE c.year = ?"
	" AND (o.path LIKE ? OR CAST(? AS TEXT) LIKE (o.path || '%')) ORDER BY c.start_on, c.id";

/*
 * Reads honour_nominations, honour_rounds, dict_items (0014). Honours
 * awarded in the year's rounds to nominees put forward by orgs of the
 * subtree - the register's count - by category in dictionary order, with
 * the category's nominee tag for the unit (名 for people, 个 otherwise).
 */
static const char SQL_HONOURS[] =
	"SELECT r.category, COALESCE(d.label_zh, r.category), COALESCE(d.tags, ''), COUNT(*),"
	" COALESCE(MIN(d.sort), 999)"
	" FROM honour_nominations n JOIN honour_rounds r ON r.id = n.round_id"
	" JOIN orgs o ON o.id = n.org_id"
	" LEFT JOIN dict_items d ON d.dict = 'honour_category' AND d.code = r.category"
	" WHERE n.status = 'awarded' AND r.year = ? AND o.path LIKE ?"
	" GROUP BY r.category, d.label_zh, d.tags ORDER BY 5, 1";

/* Reads eval_weak (0013): weak and lax branches of the subtree flagged for the year. */
static const char SQL_WEAK[] =
	"SELECT COUNT(*), COALESCE(SUM(CASE WHEN w.status = 'rectifying' THEN 1 ELSE 0 END), 0)"
	" FROM eval_weak w JOIN orgs o ON o.id = w.org_id WHERE o.path LIKE ? AND w.year = ?";

/*
 * Reads eval_entries, eval_rounds (0013): branches of the subtree with a
 * published result of a yearly round of the year, and those of them with
 * two stars or fewer.
 */
static const char SQL_STARS[] =
	"SELECT COUNT(*), COALESCE(SUM(CASE WHEN e.stars <= 2 THEN 1 ELSE 0 END), 0)"
	" FROM eval_entries e JOIN eval_rounds r ON r.id = e.round_id JOIN orgs o ON o.id = e.org_id"
	" WHERE o.path LIKE ? AND r.year = ? AND r.quarter = 0 AND r.status = 'published'"
	" AND e.stars IS NOT NULL";

/* Add a count figure to figs. */
static void fig(json_t *figs, const char *key, int64_t value, const char *label,
		const char *unit, const char *formula, const char *link)
{
	json_object_set_new(figs, key, json_pack("{s:I, s:s, s:s, s:s, s:s}", "value",
				(json_int_t)value, "label", label, "unit", unit, "formula", formula,
				"link", link));
}

/* One row of integers from sql bound with fmt; zeros when there is no row. */
static int row_ints(struct db *db, const char *sql, int64_t *v, int n, const char *fmt, ...)
{
	struct db_stmt *st = db_prepare(db, sql);
	va_list ap;
	int rc, idx = 1;

	for (int i = 0; i < n; i++)
		v[i] = 0;
	if (!st)
		return DB_EGENERIC;
	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++, idx++) {
		if (*f == 'i')
			db_bind_int(st, idx, va_arg(ap, int64_t));
		else
			db_bind_text(st, idx, va_arg(ap, const char *));
	}
	va_end(ap);
	rc = db_step(st);
	if (rc == DB_ROW)
		for (int i = 0; i < n; i++)
			v[i] = db_col_int(st, i);
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

int report_cov_row(const struct report_cov *cov, const char *path)
{
	return (int)path_index_deepest(&cov->index, path);
}

int report_coverage_orgs(struct db *db, struct arena *a, const char *path, int year,
			 struct report_cov *out)
{
	struct db_stmt *st = db_prepare(db, SQL_COVERAGE_ORGS);
	char first[16], last[16];
	int rc, cap = 0;

	memset(out, 0, sizeof(*out));
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, arena_printf(a, "%s%%", path));
	while ((rc = db_step(st)) == DB_ROW) {
		if (out->n == cap) {
			int nc = cap ? cap * 2 : 64;
			struct report_cov_org *x = arena_alloc(a, (size_t)nc * sizeof(*x));
			char **p = arena_alloc(a, (size_t)nc * sizeof(*p));
			if (out->n) {
				memcpy(x, out->orgs, (size_t)out->n * sizeof(*x));
				memcpy(p, out->paths, (size_t)out->n * sizeof(*p));
			}
			out->orgs = x;
			out->paths = p;
			cap = nc;
		}
		out->orgs[out->n].id = db_col_int(st, 0);
		out->orgs[out->n].name = arena_strdup(a, db_col_text(st, 2));
		out->paths[out->n] = arena_strdup(a, db_col_text(st, 1));
		out->n++;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	path_index_on(&out->index, arena_alloc(a, (size_t)(out->n ? out->n : 1) * sizeof(struct path_key)),
		      (size_t)out->n);
	for (int i = 0; i < out->n; i++)
		path_index_add(&out->index, out->paths[i], i);
	path_index_sort(&out->index);
	snprintf(first, sizeof(first), "%04d-01-01", year);
	snprintf(last, sizeof(last), "%04d-12-31", year);
	st = db_prepare(db, arena_printf(a, SQL_COVERAGE_MEMBERS_FMT, people_view_sql()));
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "ssss", first, last, last, arena_printf(a, "%s%%", path));
	while ((rc = db_step(st)) == DB_ROW) {
		int i = report_cov_row(out, db_col_text(st, 0));
		if (i < 0)
			continue;
		out->orgs[i].members++;
		out->orgs[i].trained += db_col_int(st, 1) ? 1 : 0;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	for (int i = 0; i < out->n; i++)
		if (out->orgs[i].members > 0 && out->orgs[i].trained == out->orgs[i].members)
			out->all_trained++;
	return DB_OK;
}

/* The honours figures, keyed by category label. */
static int honours_figs(struct db *db, struct arena *a, const struct org *o, int year, json_t *figs)
{
	struct db_stmt *st = db_prepare(db, SQL_HONOURS);
	json_t *h = json_object();
	int rc;

	json_object_set_new(figs, "honours", h);
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, year);
	db_bind_text(st, 2, arena_printf(a, "%s%%", o->path));
	while ((rc = db_step(st)) == DB_ROW) {
		const char *code = db_col_text(st, 0), *label = db_col_text(st, 1);
		int person = strstr(db_col_text(st, 2), "nominee_person") != NULL;
		json_object_set_new(h, label, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}",
			"value", (json_int_t)db_col_int(st, 3), "label", label, "code", code,
			"unit", person ? "名" : "个",
			"formula", arena_printf(a, "%d年度评选中由本组织及下级组织推荐、已授予“%s”的人数（户数、个数），以荣誉名册为准",
						year, label),
			"link", arena_printf(a, "/honours/register?year=%d&category=%s&org=%lld", year,
					     code, (long long)o->id)));
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* The training figures: fully trained orgs, classes, sessions, and the class titles. */
static int training_figs(struct db *db, struct arena *a, const struct org *o, int year, json_t *figs)
{
	struct report_cov cov;
	const char *like = arena_printf(a, "%s%%", o->path);
	const char *link = arena_printf(a, "/trainings/coverage?org=%lld&year=%d", (long long)o->id, year);
	int64_t v[2];
	struct db_stmt *st;
	json_t *titles;
	int rc = report_coverage_orgs(db, a, o->path, year, &cov);

	if (rc != DB_OK)
		return rc;
	fig(figs, "orgs_fully_trained", cov.all_trained, "党员全部参训的党组织", "个",
	    "年内党员（含预备党员）全部至少参加1场培训的党支部、党总支个数（党小组的党员计入其支部）", link);
	fig(figs, "orgs_training_counted", cov.n, "参与培训统计的党组织", "个",
	    "本组织及下级的党支部、党总支个数", link);
	rc = row_ints(db, SQL_CLASSES, v, 2, "iss", (int64_t)year, like, o->path);
	if (rc != DB_OK)
		return rc;
	link = arena_printf(a, "/trainings?year=%d&org=%lld", year, (long long)o->id);
	fig(figs, "training_classes", v[0], "培训班", "期",
	    "年内由本组织、下级或上级组织举办、本组织可参加的培训班期数", link);
	fig(figs, "training_sessions", v[1], "培训场次", "场次",
	    "上述培训班年内的常规场次数（补课场次不计）", link);
	st = db_prepare(db, SQL_CLASS_TITLES);
	if (!st)
		return DB_EGENERIC;
	titles = json_array();
	db_bindf(st, "iss", (int64_t)year, like, o->path);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(titles, json_string(db_col_text(st, 0)));
	db_finalize(st);
	json_object_set_new(figs, "_training_titles", titles);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

int report_team(struct db *db, struct arena *a, const char *path, const char *day, int64_t v[4])
{
	const char *like = arena_printf(a, "%s%%", path);

	return row_ints(db, SQL_TEAM, v, 4, "ssss", like, day, day, like);
}

/* The 两委 and ledger figures on the year's last day. */
static int team_figs(struct db *db, struct arena *a, const struct org *o, int year, json_t *figs)
{
	char last[16];
	const char *like = arena_printf(a, "%s%%", o->path), *base;
	int64_t v[4], sel = 0, res = 0;
	struct db_stmt *st;
	int rc;

	snprintf(last, sizeof(last), "%04d-12-31", year);
	rc = report_team(db, a, o->path, last, v);
	if (rc != DB_OK)
		return rc;
	base = arena_printf(a, "/people?org=%lld&position=two_committees&as_of=%s&status=all",
			    (long long)o->id, last);
	fig(figs, "team_members", v[0], "村居“两委”成员", "人",
	    arena_printf(a, "%s在任的村居（社区）“两委”成员人数", last), base);
	fig(figs, "team_born_1980s", v[1], "“两委”中80后成员", "人",
	    arena_printf(a, "%s在任的“两委”成员中1980年至1989年出生的人数", last),
	    arena_printf(a, "%s&born_from=1980&born_to=1989", base));
	fig(figs, "team_born_1990s", v[2], "“两委”中90后成员", "人",
	    arena_printf(a, "%s在任的“两委”成员中1990年至1999年出生的人数", last),
	    arena_printf(a, "%s&born_from=1990&born_to=1999", base));
	fig(figs, "team_college_or_above", v[3], "“两委”中大专及以上学历", "人",
	    arena_printf(a, "%s在任的“两委”成员中学历为大学专科、大学本科或研究生的人数", last),
	    arena_printf(a, "%s&education=college_or_above", base));

	st = db_prepare(db, SQL_FLAGS);
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "sss", like, last, last);
	while ((rc = db_step(st)) == DB_ROW) {
		if (strcmp(db_col_text(st, 0), "selected_graduate") == 0)
			sel = db_col_int(st, 1);
		else
			res = db_col_int(st, 1);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	fig(figs, "selected_graduates", sel, "在职在岗选调生", "名",
	    arena_printf(a, "%s选调生标记有效的人数（本组织及下级）", last),
	    arena_printf(a, "/people?org=%lld&flag=selected_graduate&as_of=%s&status=all",
			 (long long)o->id, last));
	fig(figs, "reserve_cadres", res, "后备干部", "人",
	    arena_printf(a, "%s后备干部台账中在册（标记有效）的人数", last),
	    arena_printf(a, "/people?org=%lld&flag=reserve_cadre&as_of=%s&status=all",
			 (long long)o->id, last));
	return DB_OK;
}

/* A metric of the registry for the year: its value (count or share) and inputs. */
static int metric_fig(struct db *db, struct arena *a, const struct org *o, int year, const char *code,
		      struct metric_value *mv)
{
	const struct metric *m = metric_find(code);

	memset(mv, 0, sizeof(*mv));
	if (!m)
		return DB_EGENERIC;
	return m->fn(db, a, o->id, o->path, date_to_days((struct ymd){ year, 1, 1 }),
		     date_to_days((struct ymd){ year, 12, 31 }), mv);
}

/* Deeds (the registry's deeds_done) and disclosure completeness. */
static int registry_figs(struct db *db, struct arena *a, const struct org *o, int year, json_t *figs)
{
	struct metric_value mv;
	int rc = metric_fig(db, a, o, year, "deeds_done", &mv);

	if (rc != DB_OK)
		return rc;
	fig(figs, "deeds_done", (int64_t)mv.value, "办实事", "项",
	    metric_find("deeds_done")->formula,
	    arena_printf(a, "/deeds?status=done&from=%04d-01-01&to=%04d-12-31&org=%lld", year, year,
			 (long long)o->id));
	json_decref(mv.inputs);
	rc = metric_fig(db, a, o, year, "disclosure_completeness", &mv);
	if (rc != DB_OK)
		return rc;
	fig(figs, "disclosure_published", json_integer_value(json_object_get(mv.inputs, "numerator")),
	    "已公开的应公开事项", "期", metric_find("disclosure_completeness")->formula,
	    arena_printf(a, "/disclosure/supervision?org=%lld&year=%d", (long long)o->id, year));
	fig(figs, "disclosure_due", json_integer_value(json_object_get(mv.inputs, "denominator")),
	    "应公开事项", "期", metric_find("disclosure_completeness")->formula,
	    arena_printf(a, "/disclosure/supervision?org=%lld&year=%d", (long long)o->id, year));
	json_decref(mv.inputs);
	return DB_OK;
}

json_t *report_figures(struct db *db, struct arena *a, const struct org *o, int year, int *rc)
{
	json_t *figs = json_object();
	const char *like = arena_printf(a, "%s%%", o->path);
	char last[16];
	int64_t v[2];
	struct db_stmt *st;
	int64_t banner = 0, township = 0;

	snprintf(last, sizeof(last), "%04d-12-31", year);
	*rc = row_ints(db, SQL_PARTY_ORGS, v, 1, "ss", like, last);
	if (*rc != DB_OK)
		goto fail;
	fig(figs, "party_orgs", v[0], "党组织", "个",
	    "本组织及下级的党总支、党支部个数（党小组与党委本身不计），截至年末在册", 
	    arena_printf(a, "/orgs?org=%lld", (long long)o->id));

	st = db_prepare(db, SQL_DESIGNATIONS);
	if (!st) {
		*rc = DB_EGENERIC;
		goto fail;
	}
	db_bindf(st, "si", like, (int64_t)year);
	while ((*rc = db_step(st)) == DB_ROW) {
		if (strcmp(db_col_text(st, 0), "banner") == 0)
			banner = db_col_int(st, 1);
		else
			township = db_col_int(st, 1);
	}
	db_finalize(st);
	if (*rc != DB_DONE)
		goto fail;
	fig(figs, "strongest_banner", banner, "旗级“最强党支部”", "个",
	    arena_printf(a, "%d年度已命名的旗级“最强党支部”个数（本组织及下级）", year),
	    arena_printf(a, "/eval/designations?year=%d&level=banner&org=%lld", year, (long long)o->id));
	fig(figs, "strongest_township", township, "镇级“最强党支部”", "个",
	    arena_printf(a, "%d年度已命名的镇级“最强党支部”个数（本组织及下级）", year),
	    arena_printf(a, "/eval/designations?year=%d&level=township&org=%lld", year, (long long)o->id));

	if ((*rc = team_figs(db, a, o, year, figs)) != DB_OK ||
	    (*rc = training_figs(db, a, o, year, figs)) != DB_OK ||
	    (*rc = registry_figs(db, a, o, year, figs)) != DB_OK ||
	    (*rc = honours_figs(db, a, o, year, figs)) != DB_OK)
		goto fail;

	*rc = row_ints(db, SQL_WEAK, v, 2, "si", like, (int64_t)year);
	if (*rc != DB_OK)
		goto fail;
	fig(figs, "weak_branches", v[0], "软弱涣散党组织", "个",
	    arena_printf(a, "%d年度列为软弱涣散、进行整顿的党组织个数", year),
	    arena_printf(a, "/eval/weak?year=%d&org=%lld", year, (long long)o->id));
	fig(figs, "weak_rectifying", v[1], "仍在整顿的软弱涣散党组织", "个",
	    "上述党组织中尚未摘帽（整顿中）的个数",
	    arena_printf(a, "/eval/weak?year=%d&org=%lld&status=rectifying", year, (long long)o->id));
	*rc = row_ints(db, SQL_STARS, v, 2, "si", like, (int64_t)year);
	if (*rc != DB_OK)
		goto fail;
	fig(figs, "rated_branches", v[0], "参加年度星级评定的党组织", "个",
	    arena_printf(a, "%d年度评定结果已公布的党组织个数", year),
	    arena_printf(a, "/eval/rounds?year=%d&org=%lld", year, (long long)o->id));
	fig(figs, "low_star_branches", v[1], "二星及以下党组织", "个",
	    arena_printf(a, "%d年度星级评定为二星及以下的党组织个数", year),
	    arena_printf(a, "/eval/rounds?year=%d&org=%lld", year, (long long)o->id));
	*rc = DB_OK;
	return figs;
fail:
	json_decref(figs);
	if (*rc >= 0)
		*rc = DB_EGENERIC;
	return NULL;
}
