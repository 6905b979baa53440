/* eval.c - the evaluation's records: schemes, rounds, entries and scores; computing a round live or from its frozen inputs; publication. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eval.h"
#include "eval_internal.h"
#include "../files/files.h"
#include "../../auth/audit.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/log.h"

static const char SQL_SCHEME[] =
	"SELECT id, code, name, kind, seq, tree, max_total, stars, previous_id, superseded_by, version"
	" FROM eval_schemes WHERE id = ?";
static const char SQL_SCHEME_USED[] =
	"SELECT COUNT(*) FROM eval_rounds WHERE scheme_id = ?";
static const char SQL_ROUND[] =
	"SELECT r.id, r.org_id, o.path, o.name, r.scheme_id, r.name, r.year, r.quarter, r.from_on, r.to_on,"
	" r.five_star_quota, r.status, r.published_at, r.version"
	" FROM eval_rounds r JOIN orgs o ON o.id = r.org_id WHERE r.id = ?";
static const char SQL_ENTRIES[] =
	"SELECT e.id, e.org_id, o.name, o.path, e.status, e.version, e.frozen, e.rank, e.stars"
	" FROM eval_entries e JOIN orgs o ON o.id = e.org_id WHERE e.round_id = ? ORDER BY o.sort_key, o.id";
static const char SQL_SCORES[] =
	"SELECT s.entry_id, s.item, s.self_tenths, s.self_comment, s.review_tenths, s.review_reason"
	" FROM eval_scores s JOIN eval_entries e ON e.id = s.entry_id WHERE e.round_id = ?";
/* the stars each org got in the latest published round of the same org before this one */
static const char SQL_PREV_STARS[] =
	"SELECT e.org_id, e.stars FROM eval_entries e WHERE e.round_id = (SELECT p.id FROM eval_rounds p"
	" WHERE p.org_id = ? AND p.status = 'published' AND p.id <> ?"
	" AND (p.year * 10 + p.quarter) < ? ORDER BY p.year DESC, p.quarter DESC, p.id DESC LIMIT 1)";
static const char SQL_BRANCHES[] =
	"SELECT id FROM orgs WHERE path LIKE ? AND status = 'active'"
	" AND kind IN ('branch', 'general_branch') ORDER BY sort_key, id";
static const char SQL_ROUND_INSERT[] =
	"INSERT INTO eval_rounds (org_id, scheme_id, name, year, quarter, from_on, to_on, five_star_quota,"
	" created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_ENTRY_INSERT[] =
	"INSERT INTO eval_entries (round_id, org_id, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id";
static const char SQL_SCORE_FIND[] =
	"SELECT id FROM eval_scores WHERE entry_id = ? AND item = ?";
static const char SQL_SCORE_INSERT[] =
	"INSERT INTO eval_scores (entry_id, item, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id";
static const char SQL_SCORE_SELF[] =
	"UPDATE eval_scores SET self_tenths = ?, self_comment = ?, self_by = ?, version = version + 1,"
	" updated_at = ? WHERE id = ?";
static const char SQL_SCORE_REVIEW[] =
	"UPDATE eval_scores SET review_tenths = ?, review_reason = ?, review_by = ?, version = version + 1,"
	" updated_at = ? WHERE id = ?";
static const char SQL_ENTRY_FREEZE[] =
	"UPDATE eval_entries SET frozen = ?, total_tenths = ?, rank = ?, stars = ?, version = version + 1,"
	" updated_at = ? WHERE id = ?";
static const char SQL_ROUND_PUBLISH[] =
	"UPDATE eval_rounds SET status = 'published', published_at = ?, published_by = ?,"
	" version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'review'";

json_t *ev_pts(int tenths)
{
	return json_real(tenths / 10.0);
}

void ev_period(int year, int quarter, int64_t *from, int64_t *to)
{
	if (quarter < 1 || quarter > 4) {
		*from = date_to_days((struct ymd){ year, 1, 1 });
		*to = date_to_days((struct ymd){ year, 12, 31 });
		return;
	}
	*from = date_to_days((struct ymd){ year, (quarter - 1) * 3 + 1, 1 });
	*to = (quarter == 4 ? date_to_days((struct ymd){ year + 1, 1, 1 })
			    : date_to_days((struct ymd){ year, quarter * 3 + 1, 1 })) - 1;
}

/* ---------------------------------------------------------------- schemes */

void ev_scheme_row_release(struct ev_scheme_row *row)
{
	json_decref(row->tree);
	json_decref(row->stars);
	row->tree = row->stars = NULL;
}

int ev_scheme_load(struct db *db, struct arena *a, int64_t id, struct ev_scheme_row *row)
{
	struct db_stmt *st = db_prepare(db, SQL_SCHEME);
	struct zb_fail f;
	int rc, ok;

	memset(row, 0, sizeof(*row));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		row->id = db_col_int(st, 0);
		row->code = arena_strdup(a, db_col_text(st, 1));
		row->name = arena_strdup(a, db_col_text(st, 2));
		row->kind = arena_strdup(a, db_col_text(st, 3));
		row->seq = (int)db_col_int(st, 4);
		row->tree = json_loads(db_col_text(st, 5) ? db_col_text(st, 5) : "", 0, NULL);
		row->max_total = (int)db_col_int(st, 6);
		row->stars = json_loads(db_col_text(st, 7) ? db_col_text(st, 7) : "", 0, NULL);
		row->previous_id = db_col_int(st, 8);
		row->superseded_by = db_col_int(st, 9);
		row->version = db_col_int(st, 10);
	}
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : (rc < 0 ? rc : DB_EGENERIC);
	zb_fail_init(&f);
	ok = ev_scheme_parse(row->tree, row->max_total, row->stars, a, &row->s, "tree", &f) == 0;
	zb_fail_release(&f);
	if (!ok) {
		log_error("eval: scheme %lld does not parse", (long long)id);
		ev_scheme_row_release(row);
		return 0;
	}
	return 1;
}

json_t *ev_scheme_json(struct db *db, struct arena *a, const struct ev_scheme_row *row)
{
	json_t *items = json_array();
	int64_t used = 0;

	db_query_int(db, &used, SQL_SCHEME_USED, "i", row->id);
	for (size_t i = 0; i < row->s.nitem; i++) {
		const struct ev_item *it = &row->s.items[i];
		const struct metric *m = it->manual ? NULL : metric_find(it->metric);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s?, s:o, s:s, s:s?, s:s?, s:s?, s:s}",
			"code", it->code, "name", it->name,
			"category", it->cat >= 0 ? row->s.cats[it->cat].name : "扣分项",
			"max", ev_pts(it->max), "source", it->manual ? "manual" : "metric",
			"metric", it->metric, "metric_label", m ? m->label : NULL,
			"formula", m ? m->formula : NULL, "mapping", ev_map_text(a, it)));
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:i, s:O, s:i, s:O, s:I, s:o, s:o, s:I, s:o}",
			 "id", (json_int_t)row->id, "code", row->code, "name", row->name,
			 "kind", row->kind, "seq", row->seq, "tree", row->tree,
			 "max_total", row->max_total, "stars", row->stars,
			 "version", (json_int_t)row->version,
			 "previous_id", row->previous_id ? json_integer(row->previous_id) : json_null(),
			 "superseded_by", row->superseded_by ? json_integer(row->superseded_by) : json_null(),
			 "used_by_rounds", (json_int_t)used, "items", items);
}

/* ---------------------------------------------------------------- rounds */

static int64_t day_of(const char *s)
{
	struct ymd d;

	return s && date_parse_iso(s, &d) == 0 ? date_to_days(d) : 0;
}

int ev_round_load(struct db *db, struct arena *a, int64_t id, struct ev_round *rd)
{
	struct db_stmt *st = db_prepare(db, SQL_ROUND);
	int rc;

	memset(rd, 0, sizeof(*rd));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		rd->id = db_col_int(st, 0);
		rd->org_id = db_col_int(st, 1);
		rd->org_path = arena_strdup(a, db_col_text(st, 2));
		rd->org_name = arena_strdup(a, db_col_text(st, 3));
		rd->scheme_id = db_col_int(st, 4);
		rd->name = arena_strdup(a, db_col_text(st, 5));
		rd->year = (int)db_col_int(st, 6);
		rd->quarter = (int)db_col_int(st, 7);
		rd->from = day_of(db_col_text(st, 8));
		rd->to = day_of(db_col_text(st, 9));
		rd->quota = db_col_isnull(st, 10) ? -1 : (int)db_col_int(st, 10);
		rd->status = arena_strdup(a, db_col_text(st, 11));
		rd->published_at = arena_strdup(a, db_col_text(st, 12));
		rd->version = db_col_int(st, 13);
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : (rc < 0 ? rc : DB_EGENERIC);
}

static const char *round_status_label(const char *s)
{
	return strcmp(s, "self") == 0 ? "支部自评" : strcmp(s, "review") == 0 ? "乡镇审核" : "已公布";
}

json_t *ev_round_json(const struct ev_round *rd)
{
	char from[11], to[11];

	date_format(date_from_days(rd->from), from);
	date_format(date_from_days(rd->to), to);
	return json_pack("{s:I, s:I, s:s, s:I, s:s, s:i, s:i, s:s, s:s, s:o, s:s, s:s, s:s?, s:I}",
			 "id", (json_int_t)rd->id, "org_id", (json_int_t)rd->org_id,
			 "org_name", rd->org_name, "scheme_id", (json_int_t)rd->scheme_id,
			 "name", rd->name, "year", rd->year, "quarter", rd->quarter, "from", from, "to", to,
			 "five_star_quota", rd->quota >= 0 ? json_integer(rd->quota) : json_null(),
			 "status", rd->status, "status_label", round_status_label(rd->status),
			 "published_at", rd->published_at, "version", (json_int_t)rd->version);
}

int64_t ev_round_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t org_id, const char *org_path, int64_t scheme_id, const char *name,
			int year, int quarter, int quota)
{
	char now[32], from[11], to[11];
	int64_t f, t, id = 0, ids[512];
	size_t n = 0;
	struct db_stmt *st;
	char like[300];
	int rc;
	json_t *after;

	ts_now(now);
	ev_period(year, quarter, &f, &t);
	date_format(date_from_days(f), from);
	date_format(date_from_days(t), to);
	st = db_prepare(db, SQL_ROUND_INSERT);
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "iisiiss", org_id, scheme_id, name, (int64_t)year, (int64_t)quarter, from, to);
	if (quota >= 0)
		db_bind_int(st, 8, quota);
	else
		db_bind_null(st, 8);
	db_bind_text(st, 9, now);
	db_bind_text(st, 10, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	snprintf(like, sizeof(like), "%s%%", org_path);
	st = db_prepare(db, SQL_BRANCHES);
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, like);
	while ((rc = db_step(st)) == DB_ROW && n < 512)
		ids[n++] = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_DONE && rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	for (size_t i = 0; i < n; i++) {
		int64_t eid = 0;
		rc = db_query_int(db, &eid, SQL_ENTRY_INSERT, "iiss", id, ids[i], now, now);
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_EGENERIC;
	}
	after = json_pack("{s:I, s:I, s:s, s:i, s:i, s:i}", "org_id", (json_int_t)org_id,
			  "scheme_id", (json_int_t)scheme_id, "name", name, "year", year,
			  "quarter", quarter, "entries", (int)n);
	rc = audit_append(db, k, who, "eval_round", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int64_t ev_score_set(struct db *db, const struct keys *k, const struct audit_who *who,
		     int64_t entry_id, const char *item, int review, int tenths, const char *text)
{
	char now[32];
	int64_t id = 0;
	struct db_stmt *st;
	int rc;
	json_t *after;

	ts_now(now);
	rc = db_query_int(db, &id, SQL_SCORE_FIND, "is", entry_id, item);
	if (rc == DB_DONE)
		rc = db_query_int(db, &id, SQL_SCORE_INSERT, "isss", entry_id, item, now, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	st = db_prepare(db, review ? SQL_SCORE_REVIEW : SQL_SCORE_SELF);
	if (!st)
		return DB_EGENERIC;
	if (tenths >= 0)
		db_bind_int(st, 1, tenths);
	else
		db_bind_null(st, 1);
	if (review)
		db_bind_text(st, 2, text);
	else
		db_bind_text(st, 2, text ? text : "");
	db_bind_text(st, 3, who->username ? who->username : "系统");
	db_bind_text(st, 4, now);
	db_bind_int(st, 5, id);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	after = json_pack("{s:I, s:s, s:s, s:o, s:s?}", "entry_id", (json_int_t)entry_id, "item", item,
			  "kind", review ? "review" : "self",
			  "points", tenths >= 0 ? ev_pts(tenths) : json_null(), "text", text);
	rc = audit_append(db, k, who, "eval_score", id, review ? "review" : "self_assess", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

/* ---------------------------------------------------------------- computing */

void ev_computed_free(struct ev_computed *c)
{
	for (size_t i = 0; i < c->n; i++) {
		json_decref(c->v[i].frozen);
		json_decref(c->v[i].inputs_owned);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* The frozen item of `code`, NULL when absent. */
static const json_t *frozen_item(const json_t *frozen, const char *code)
{
	const json_t *e;
	size_t k;

	json_array_foreach(json_object_get(frozen, "items"), k, e) {
		const char *c = json_string_value(json_object_get(e, "code"));
		if (c && strcmp(c, code) == 0)
			return e;
	}
	return NULL;
}

/* Fill the lines of e from its frozen inputs (a published round). */
static void lines_from_frozen(struct arena *a, const struct ev_scheme *s, struct ev_entry *e)
{
	for (size_t i = 0; i < s->nitem; i++) {
		const struct ev_item *it = &s->items[i];
		const json_t *j = frozen_item(e->frozen, it->code);
		struct ev_line *l = &e->lines[i];
		if (!j)
			continue;
		l->has_value = json_is_true(json_object_get(j, "has_value"));
		l->value = json_number_value(json_object_get(j, "value"));
		l->inputs = json_object_get(j, "inputs");
		l->link = arena_strdup(a, json_string_value(json_object_get(j, "link")));
		l->metric_pts = ev_map_points(it, l->has_value, l->value);
		if (json_is_integer(json_object_get(j, "self_tenths"))) {
			l->has_self = 1;
			l->self_pts = (int)json_integer_value(json_object_get(j, "self_tenths"));
		}
		if (json_is_integer(json_object_get(j, "review_tenths"))) {
			l->has_review = 1;
			l->review_pts = (int)json_integer_value(json_object_get(j, "review_tenths"));
		}
		e->self_comment[i] = arena_strdup(a, json_string_value(json_object_get(j, "self_comment")));
		e->review_reason[i] = arena_strdup(a, json_string_value(json_object_get(j, "review_reason")));
	}
}

/* Run the metrics of every record-based item of e. DB_OK or DB_E* (*failed set). */
static int lines_from_records(struct db *db, struct arena *a, const struct ev_round *rd,
			      const struct ev_scheme *s, struct ev_entry *e, const char **failed)
{
	for (size_t i = 0; i < s->nitem; i++) {
		const struct ev_item *it = &s->items[i];
		struct ev_line *l = &e->lines[i];
		const struct metric *m;
		struct metric_value mv;
		size_t k;
		int rc;
		if (it->manual)
			continue;
		/* an earlier item of the same metric: measured once */
		for (k = 0; k < i; k++)
			if (!s->items[k].manual && strcmp(s->items[k].metric, it->metric) == 0)
				break;
		if (k < i) {
			l->has_value = e->lines[k].has_value;
			l->value = e->lines[k].value;
			l->inputs = e->lines[k].inputs;
			l->link = e->lines[k].link;
		} else {
			m = metric_find(it->metric);
			memset(&mv, 0, sizeof(mv));
			rc = m ? m->fn(db, a, e->org_id, e->org_path, rd->from, rd->to, &mv) : DB_EGENERIC;
			if (rc != DB_OK) {
				json_decref(mv.inputs);
				*failed = it->metric;
				log_error("eval: metric %s failed for org %lld: %s", it->metric,
					  (long long)e->org_id, db_errmsg(db));
				return rc < 0 ? rc : DB_EGENERIC;
			}
			l->has_value = mv.has_value;
			l->value = mv.value;
			l->inputs = mv.inputs;
			l->link = mv.link;
			json_array_append_new(e->inputs_owned, mv.inputs);
		}
		l->metric_pts = ev_map_points(it, l->has_value, l->value);
	}
	return DB_OK;
}

/* The index of item `code` in s, -1 when none. */
static int item_index(const struct ev_scheme *s, const char *code)
{
	for (size_t i = 0; code && i < s->nitem; i++)
		if (strcmp(s->items[i].code, code) == 0)
			return (int)i;
	return -1;
}

int ev_round_compute(struct db *db, struct arena *a, const struct ev_round *rd,
		     const struct ev_scheme_row *sr, struct ev_computed *out)
{
	const struct ev_scheme *s = &sr->s;
	int published = strcmp(rd->status, "published") == 0;
	struct db_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	st = db_prepare(db, SQL_ENTRIES);
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, rd->id);
	while ((rc = db_step(st)) == DB_ROW) {
		struct ev_entry *e;
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct ev_entry *v = realloc(out->v, nc * sizeof(*v));
			if (!v) {
				rc = DB_EGENERIC;
				break;
			}
			out->v = v;
			cap = nc;
		}
		e = &out->v[out->n++];
		memset(e, 0, sizeof(*e));
		e->id = db_col_int(st, 0);
		e->org_id = db_col_int(st, 1);
		e->org_name = arena_strdup(a, db_col_text(st, 2));
		e->org_path = arena_strdup(a, db_col_text(st, 3));
		e->status = arena_strdup(a, db_col_text(st, 4));
		e->version = db_col_int(st, 5);
		e->frozen = db_col_text(st, 6) ? json_loads(db_col_text(st, 6), 0, NULL) : NULL;
		e->rank = (int)db_col_int(st, 7);
		e->stars = (int)db_col_int(st, 8);
		e->lines = arena_alloc(a, (s->nitem + 1) * sizeof(*e->lines));
		e->self_comment = arena_alloc(a, (s->nitem + 1) * sizeof(char *));
		e->review_reason = arena_alloc(a, (s->nitem + 1) * sizeof(char *));
		e->inputs_owned = json_array();
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	if (!published) {
		/* the scores given by hand */
		st = db_prepare(db, SQL_SCORES);
		if (!st) {
			rc = DB_EGENERIC;
			goto fail;
		}
		db_bind_int(st, 1, rd->id);
		while ((rc = db_step(st)) == DB_ROW) {
			int64_t eid = db_col_int(st, 0);
			int i = item_index(s, db_col_text(st, 1));
			for (size_t k = 0; i >= 0 && k < out->n; k++) {
				struct ev_entry *e = &out->v[k];
				if (e->id != eid)
					continue;
				if (!db_col_isnull(st, 2)) {
					e->lines[i].has_self = 1;
					e->lines[i].self_pts = (int)db_col_int(st, 2);
				}
				e->self_comment[i] = arena_strdup(a, db_col_text(st, 3));
				if (!db_col_isnull(st, 4)) {
					e->lines[i].has_review = 1;
					e->lines[i].review_pts = (int)db_col_int(st, 4);
				}
				e->review_reason[i] = arena_strdup(a, db_col_text(st, 5));
			}
		}
		db_finalize(st);
		if (rc != DB_DONE)
			goto fail;
	}
	for (size_t k = 0; k < out->n; k++) {
		struct ev_entry *e = &out->v[k];
		if (published && e->frozen)
			lines_from_frozen(a, s, e);
		else if ((rc = lines_from_records(db, a, rd, s, e, &out->failed_metric)) != DB_OK)
			goto fail;
		ev_score(s, e->lines, &e->t);
	}
	if (!published && out->n > 0) {
		int *totals = arena_alloc(a, out->n * sizeof(int));
		int *ranks = arena_alloc(a, out->n * sizeof(int));
		int *stars = arena_alloc(a, out->n * sizeof(int));
		for (size_t k = 0; k < out->n; k++)
			totals[k] = out->v[k].t.total;
		ev_rank_stars(s, out->n, totals, rd->quota, ranks, stars);
		for (size_t k = 0; k < out->n; k++) {
			out->v[k].rank = ranks[k];
			out->v[k].stars = stars[k];
		}
	}
	/* the previous round's stars, for rises and falls */
	st = db_prepare(db, SQL_PREV_STARS);
	if (!st) {
		rc = DB_EGENERIC;
		goto fail;
	}
	db_bindf(st, "iii", rd->org_id, rd->id, (int64_t)(rd->year * 10 + rd->quarter));
	while ((rc = db_step(st)) == DB_ROW)
		for (size_t k = 0; k < out->n; k++)
			if (out->v[k].org_id == db_col_int(st, 0))
				out->v[k].prev_stars = (int)db_col_int(st, 1);
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	return DB_OK;
fail:
	{
		const char *failed = out->failed_metric;
		ev_computed_free(out);
		out->failed_metric = failed;
	}
	return rc < 0 ? rc : DB_EGENERIC;
}

/* A line as the API shows it. */
static json_t *line_json(struct arena *a, const struct ev_scheme *s, const struct ev_entry *e, size_t i)
{
	const struct ev_item *it = &s->items[i];
	const struct ev_line *l = &e->lines[i];
	const struct metric *m = it->manual ? NULL : metric_find(it->metric);
	int lost = it->cat >= 0 ? it->max - l->points : l->points;
	json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s?, s:s?, s:s?, s:s, s:b, s:o, s:O?, s:s?,"
			      " s:o, s:o, s:s?, s:o, s:s?, s:o, s:o, s:s?}",
		"code", it->code, "name", it->name,
		"category", it->cat >= 0 ? s->cats[it->cat].name : "扣分项",
		"max", ev_pts(it->max), "source", it->manual ? "manual" : "metric",
		"metric", it->metric, "metric_label", m ? m->label : NULL,
		"formula", m ? m->formula : NULL, "mapping", ev_map_text(a, it),
		"has_value", l->has_value && !it->manual,
		"value", !it->manual && l->has_value ? json_real(l->value) : json_null(),
		"inputs", l->inputs, "link", l->link,
		"metric_points", it->manual ? json_null() : ev_pts(l->metric_pts),
		"self_points", l->has_self ? ev_pts(l->self_pts) : json_null(),
		"self_comment", e->self_comment[i],
		"review_points", l->has_review ? ev_pts(l->review_pts) : json_null(),
		"review_reason", e->review_reason[i],
		"points", ev_pts(l->points), "lost", ev_pts(lost), "guide", it->guide);
	json_object_set_new(j, "deduction", json_boolean(it->cat < 0));
	return j;
}

static const char *change_of(int prev, int now)
{
	return prev == 0 ? NULL : now > prev ? "up" : now < prev ? "down" : "same";
}

json_t *ev_entry_json(struct db *db, struct arena *a, const struct ev_round *rd,
		      const struct ev_scheme_row *sr, const struct ev_entry *e, int detail)
{
	const struct ev_scheme *s = &sr->s;
	json_t *cats = json_array();
	json_t *j;

	(void)rd;
	for (size_t c = 0; c < s->ncat; c++)
		json_array_append_new(cats, json_pack("{s:s, s:s, s:o, s:o, s:o, s:i}",
			"code", s->cats[c].code, "name", s->cats[c].name, "max", ev_pts(s->cats[c].max),
			"points", ev_pts(e->t.cat_pts[c]), "score", ev_pts(e->t.cat_score[c]),
			"weight", s->cats[c].weight));
	j = json_pack("{s:I, s:I, s:s, s:s, s:I, s:o, s:o, s:o, s:i, s:i, s:o, s:s?}",
		      "id", (json_int_t)e->id, "org_id", (json_int_t)e->org_id, "org_name", e->org_name,
		      "status", e->status, "version", (json_int_t)e->version,
		      "categories", cats, "deductions", ev_pts(e->t.deduct), "total", ev_pts(e->t.total),
		      "rank", e->rank, "stars", e->stars,
		      "previous_stars", e->prev_stars ? json_integer(e->prev_stars) : json_null(),
		      "change", change_of(e->prev_stars, e->stars));
	if (detail) {
		json_t *lines = json_array();
		for (size_t i = 0; i < s->nitem; i++)
			json_array_append_new(lines, line_json(a, s, e, i));
		json_object_set_new(j, "lines", lines);
		if (e->frozen) {
			int again = ev_recompute_frozen(s, e->frozen);
			json_object_set_new(j, "recomputed_total", again >= 0 ? ev_pts(again) : json_null());
			json_object_set_new(j, "recomputed_matches",
					    json_boolean(again >= 0 && again == e->t.total &&
							 json_integer_value(json_object_get(e->frozen, "total_tenths")) == again));
			json_object_set(j, "frozen_scheme_id", json_object_get(e->frozen, "scheme_id"));
		}
	}
	(void)db;
	return j;
}

/* The frozen JSON of an entry: everything needed to explain and recompute it. */
static json_t *frozen_json(const struct ev_round *rd, const struct ev_scheme_row *sr,
			   const struct ev_entry *e, const char *const *self_comment,
			   const char *const *review_reason)
{
	const struct ev_scheme *s = &sr->s;
	json_t *items = json_array();
	char from[11], to[11];

	date_format(date_from_days(rd->from), from);
	date_format(date_from_days(rd->to), to);
	for (size_t i = 0; i < s->nitem; i++) {
		const struct ev_line *l = &e->lines[i];
		json_array_append_new(items, json_pack("{s:s, s:b, s:f, s:O?, s:s?, s:i, s:o, s:o, s:s?, s:s?, s:i}",
			"code", s->items[i].code, "has_value", l->has_value, "value", l->value,
			"inputs", l->inputs, "link", l->link, "metric_tenths", l->metric_pts,
			"self_tenths", l->has_self ? json_integer(l->self_pts) : json_null(),
			"review_tenths", l->has_review ? json_integer(l->review_pts) : json_null(),
			"self_comment", self_comment[i], "review_reason", review_reason[i],
			"points_tenths", l->points));
	}
	return json_pack("{s:I, s:s, s:i, s:s, s:s, s:i, s:i, s:i, s:o}",
			 "scheme_id", (json_int_t)sr->id, "scheme_code", sr->code, "scheme_seq", sr->seq,
			 "from", from, "to", to, "total_tenths", e->t.total, "rank", e->rank,
			 "stars", e->stars, "items", items);
}

int ev_round_publish(struct db *db, struct arena *a, const struct keys *k,
		     const struct audit_who *who, const struct ev_round *rd, int64_t version,
		     const char **failed_metric)
{
	struct ev_scheme_row sr;
	struct ev_computed c;
	char now[32];
	int64_t changed = 0;
	int rc;
	json_t *after;

	*failed_metric = NULL;
	if (strcmp(rd->status, "review") != 0 || rd->version != version)
		return 1;
	rc = ev_scheme_load(db, a, rd->scheme_id, &sr);
	if (rc != 1)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = ev_round_compute(db, a, rd, &sr, &c);
	if (rc != DB_OK) {
		*failed_metric = c.failed_metric;
		ev_scheme_row_release(&sr);
		return rc;
	}
	ts_now(now);
	for (size_t i = 0; rc == DB_OK && i < c.n; i++) {
		struct ev_entry *e = &c.v[i];
		json_t *fz = frozen_json(rd, &sr, e, e->self_comment, e->review_reason);
		char *text = json_dumps(fz, JSON_COMPACT | JSON_SORT_KEYS);
		rc = text ? db_run(db, SQL_ENTRY_FREEZE, "siiisi", text, (int64_t)e->t.total,
				   (int64_t)e->rank, (int64_t)e->stars, now, e->id) : DB_EGENERIC;
		free(text);
		json_decref(fz);
	}
	if (rc == DB_OK)
		rc = db_run_changes(db, &changed, SQL_ROUND_PUBLISH, "sssii", now,
				    who->username ? who->username : "系统", now, rd->id, version);
	if (rc == DB_OK && changed != 1)
		rc = 1;
	if (rc == DB_OK) {
		after = json_pack("{s:s, s:I, s:i}", "status", "published", "scheme_id",
				  (json_int_t)sr.id, "entries", (int)c.n);
		rc = audit_append(db, k, who, "eval_round", rd->id, "publish", NULL, after);
		json_decref(after);
	}
	ev_computed_free(&c);
	ev_scheme_row_release(&sr);
	return rc;
}
