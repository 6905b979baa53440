/* eval_score.c - scoring without the database: parsing a scheme's tree, mapping metric values to points, totals, ranks, stars with quotas, recomputation from frozen inputs. */
#include <math.h>
#include <string.h>
#include "eval_internal.h"
#include "../../base/arena.h"
#include "../../base/buf.h"
#include "../../base/err.h"
#include "../../base/json.h"

const char EV_TIE_RULE[] =
	"按总分排名，同分并列同名次；五星名额按名次依次授予，并列者要么同得五星，要么同降为四星（并列者会使五星数超过名额时，并列者及其后各支部均评为四星），名额从不突破";

/* A number of points (integer or real, >= 0) as tenths; -1 when not one. */
static int tenths_of(const json_t *v, double maxpts)
{
	double d;

	if (json_is_integer(v))
		d = (double)json_integer_value(v);
	else if (json_is_real(v))
		d = json_real_value(v);
	else
		return -1;
	if (d < 0 || d > maxpts)
		return -1;
	return (int)lround(d * 10);
}

static const char *str_of(struct arena *a, const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s && *s ? arena_strdup(a, s) : NULL;
}

/* Parse one item into it; problems into f. */
static void parse_item(const json_t *j, int cat, struct arena *a, struct ev_item *it,
		       const char *field, const char *where, struct zb_fail *f)
{
	const char *src;
	const json_t *map, *v;

	memset(it, 0, sizeof(*it));
	it->cat = cat;
	it->code = str_of(a, j, "code");
	it->name = str_of(a, j, "name");
	it->guide = str_of(a, j, "guide");
	if (!it->code || !it->name || strlen(it->code) > 40) {
		zb_fail_field(f, field, "%s：每个指标须有代码（不超过40个字符）和名称", where);
		return;
	}
	it->max = tenths_of(json_object_get(j, "max"), 1000);
	if (it->max <= 0)
		zb_fail_field(f, field, "%s“%s”：分值应为大于0的数", where, it->name);
	src = json_string_value(json_object_get(j, "source"));
	if (src && strcmp(src, "manual") == 0) {
		it->manual = 1;
		return;
	}
	if (!src || strcmp(src, "metric") != 0) {
		zb_fail_field(f, field, "%s“%s”：评分方式应为 metric（按记录）或 manual（人工）", where, it->name);
		return;
	}
	it->metric = str_of(a, j, "metric");
	if (!metric_find(it->metric)) {
		zb_fail_field(f, field, "%s“%s”：未知的数据指标“%s”", where, it->name,
			      it->metric ? it->metric : "");
		return;
	}
	v = json_object_get(j, "if_empty");
	it->if_empty = v ? tenths_of(v, 1000) : 0;
	if (it->if_empty < 0 || it->if_empty > it->max)
		zb_fail_field(f, field, "%s“%s”：无数据时得分应在0到分值之间", where, it->name);
	map = json_object_get(j, "map");
	src = json_string_value(json_object_get(map, "kind"));
	if (!map || !src || strcmp(src, "linear") == 0) {
		it->map = EV_MAP_LINEAR;
		if (metric_find(it->metric)->is_count)
			zb_fail_field(f, field, "%s“%s”：计数类指标应按 per_unit 或 bands 换算", where, it->name);
	} else if (strcmp(src, "per_unit") == 0) {
		it->map = EV_MAP_PER_UNIT;
		it->per_unit = tenths_of(json_object_get(map, "per"), 1000);
		if (it->per_unit <= 0)
			zb_fail_field(f, field, "%s“%s”：每件得分应为大于0的数", where, it->name);
	} else if (strcmp(src, "bands") == 0) {
		const json_t *bands = json_object_get(map, "bands");
		size_t n = json_array_size(bands);
		it->map = EV_MAP_BANDS;
		if (n == 0 || n > EV_MAX_BANDS) {
			zb_fail_field(f, field, "%s“%s”：分档应有1到%d档", where, it->name, EV_MAX_BANDS);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			const json_t *b = json_array_get(bands, i);
			const json_t *lo = json_array_get(b, 0);
			int p = tenths_of(json_array_get(b, 1), 1000);
			if (!json_is_number(lo) || p < 0 || p > it->max ||
			    (i > 0 && json_number_value(lo) >= it->band_min[i - 1])) {
				zb_fail_field(f, field, "%s“%s”：分档应为 [下限, 得分]，下限从高到低，得分不超过分值",
					      where, it->name);
				return;
			}
			it->band_min[i] = json_number_value(lo);
			it->band_pts[i] = p;
		}
		it->nbands = (int)n;
	} else {
		zb_fail_field(f, field, "%s“%s”：换算方式应为 linear、per_unit 或 bands", where, it->name);
	}
}

/* The items of an array into s (appended); problems into f. */
static void parse_items(const json_t *arr, int cat, struct arena *a, struct ev_scheme *s,
			size_t cap, const char *field, const char *where, struct zb_fail *f)
{
	size_t i;
	const json_t *j;

	json_array_foreach(arr, i, j) {
		if (s->nitem == cap || !json_is_object(j)) {
			zb_fail_field(f, field, "%s：指标应为对象，且总数不超过%zu个", where, cap);
			return;
		}
		parse_item(j, cat, a, &s->items[s->nitem], field, where, f);
		for (size_t k = 0; k < s->nitem; k++)
			if (s->items[s->nitem].code && s->items[k].code &&
			    strcmp(s->items[k].code, s->items[s->nitem].code) == 0)
				zb_fail_field(f, field, "指标代码“%s”重复", s->items[k].code);
		s->nitem++;
	}
}

int ev_scheme_parse(const json_t *tree, int64_t max_total, const json_t *stars, struct arena *a,
		    struct ev_scheme *s, const char *field, struct zb_fail *f)
{
	const json_t *cats = json_object_get(tree, "categories");
	const json_t *ded = json_object_get(tree, "deductions");
	size_t cap = 200, i, nitems = 0;
	const json_t *c;
	int before = f->fields ? (int)json_object_size(f->fields) : 0;
	int wsum = 0;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(tree) || !json_is_array(cats) || json_array_size(cats) == 0 ||
	    json_array_size(cats) > EV_MAX_CATS) {
		zb_fail_field(f, field, "指标体系应为 {categories:[...], deductions:{...}}，一级指标1到%d个", EV_MAX_CATS);
		return -1;
	}
	s->max_total = max_total > 0 && max_total <= 1000 ? (int)max_total * 10 : -1;
	if (s->max_total < 0)
		zb_fail_field(f, "max_total", "满分应在1到1000之间");
	for (int k = 0; k < 4; k++) {
		s->stars[k] = tenths_of(json_array_get(stars, (size_t)k), 1000);
		if (s->stars[k] < 0 || (k > 0 && s->stars[k] >= s->stars[k - 1]))
			zb_fail_field(f, "stars", "星级分数线应为4个从高到低的分数（五星、四星、三星、二星）");
	}
	s->cats = arena_alloc(a, json_array_size(cats) * sizeof(*s->cats));
	s->items = arena_alloc(a, cap * sizeof(*s->items));
	json_array_foreach(cats, i, c) {
		struct ev_cat *ec = &s->cats[s->ncat];
		const char *where;
		ec->code = str_of(a, c, "code");
		ec->name = str_of(a, c, "name");
		where = arena_printf(a, "一级指标“%s”", ec->name ? ec->name : "?");
		if (!json_is_object(c) || !ec->code || !ec->name) {
			zb_fail_field(f, field, "第%zu个一级指标须有代码和名称", i + 1);
			continue;
		}
		ec->max = tenths_of(json_object_get(c, "max"), 1000);
		if (ec->max <= 0)
			zb_fail_field(f, field, "%s：分值应为大于0的数", where);
		if (json_object_get(c, "weight")) {
			const json_t *w = json_object_get(c, "weight");
			ec->weight = json_is_integer(w) ? (int)json_integer_value(w) : -1;
			if (ec->weight < 1 || ec->weight > 100)
				zb_fail_field(f, field, "%s：权重应为1到100的整数（占总分的百分比）", where);
			wsum += ec->weight > 0 ? ec->weight : 0;
		}
		if (!json_is_array(json_object_get(c, "items")) ||
		    json_array_size(json_object_get(c, "items")) == 0)
			zb_fail_field(f, field, "%s：至少应有一个二级指标", where);
		s->ncat++;
		parse_items(json_object_get(c, "items"), (int)s->ncat - 1, a, s, cap, field, where, f);
	}
	if (wsum > 100)
		zb_fail_field(f, field, "一级指标权重之和不能超过100");
	nitems = s->nitem;
	if (ded && !json_is_null(ded)) {
		s->deduct_max = tenths_of(json_object_get(ded, "max"), 1000);
		if (!json_is_object(ded) || s->deduct_max < 0)
			zb_fail_field(f, field, "扣分项应为 {max, items:[...]}，max 为扣分上限");
		else
			parse_items(json_object_get(ded, "items"), -1, a, s, cap, field, "扣分项", f);
	}
	(void)nitems;
	return (f->fields ? (int)json_object_size(f->fields) : 0) > before || f->err ? -1 : 0;
}

int ev_map_points(const struct ev_item *it, int has_value, double value)
{
	double p;

	if (it->manual)
		return 0;
	if (!has_value)
		return it->if_empty;
	switch (it->map) {
	case EV_MAP_LINEAR:
		p = value < 0 ? 0 : value > 1 ? 1 : value;
		return (int)lround(p * it->max);
	case EV_MAP_PER_UNIT:
		p = value * it->per_unit;
		return p >= it->max ? it->max : p <= 0 ? 0 : (int)lround(p);
	case EV_MAP_BANDS:
		/* a tiny tolerance, so 0.9 computed as 0.8999999 still reaches the 0.9 band */
		for (int i = 0; i < it->nbands; i++)
			if (value + 1e-9 >= it->band_min[i])
				return it->band_pts[i];
		return 0;
	}
	return 0;
}

const char *ev_map_text(struct arena *a, const struct ev_item *it)
{
	struct buf b;
	const char *s;

	if (it->manual)
		return arena_printf(a, "人工评分，0 至 %g 分", it->max / 10.0);
	switch (it->map) {
	case EV_MAP_LINEAR:
		return arena_printf(a, "得分 = %g × 比率；无数据得 %g 分", it->max / 10.0, it->if_empty / 10.0);
	case EV_MAP_PER_UNIT:
		return arena_printf(a, "每件 %g 分，最高 %g 分", it->per_unit / 10.0, it->max / 10.0);
	case EV_MAP_BANDS:
		buf_init(&b, 1024);
		for (int i = 0; i < it->nbands; i++)
			buf_printf(&b, "%s%s ≥ %g 得 %g 分", i ? "；" : "", metric_find(it->metric)->is_count ? "数量" : "比率",
				   it->band_min[i], it->band_pts[i] / 10.0);
		buf_printf(&b, "；其余 0 分；无数据得 %g 分", it->if_empty / 10.0);
		s = arena_strdup(a, b.data);
		buf_release(&b);
		return s;
	}
	return "";
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void ev_score(const struct ev_scheme *s, struct ev_line *lines, struct ev_total *t)
{
	int sum = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < s->nitem; i++) {
		const struct ev_item *it = &s->items[i];
		struct ev_line *l = &lines[i];
		int p;
		if (l->has_review)
			p = l->review_pts;
		else if (it->manual)
			p = l->has_self ? l->self_pts : 0;
		else
			p = l->metric_pts;
		l->points = clamp(p, 0, it->max);
		if (it->cat < 0)
			t->deduct += l->points;
		else if (it->cat < EV_MAX_CATS)
			t->cat_pts[it->cat] += l->points;
	}
	t->deduct = clamp(t->deduct, 0, s->deduct_max);
	for (size_t c = 0; c < s->ncat && c < EV_MAX_CATS; c++) {
		const struct ev_cat *ec = &s->cats[c];
		t->cat_pts[c] = clamp(t->cat_pts[c], 0, ec->max);
		if (ec->weight > 0)
			t->cat_score[c] = (int)lround((double)s->max_total * ec->weight / 100.0 *
						      t->cat_pts[c] / ec->max);
		else
			t->cat_score[c] = t->cat_pts[c];
		sum += t->cat_score[c];
	}
	t->total = clamp(sum - t->deduct, 0, s->max_total);
}

int ev_stars_of(const struct ev_scheme *s, int total)
{
	for (int k = 0; k < 4; k++)
		if (total >= s->stars[k])
			return 5 - k;
	return 1;
}

void ev_rank_stars(const struct ev_scheme *s, size_t n, const int *totals, int quota_pct,
		   int *ranks, int *stars)
{
	size_t allowed = quota_pct >= 0 ? n * (size_t)quota_pct / 100 : n;
	size_t given = 0;
	int closed = 0;

	for (size_t i = 0; i < n; i++) {
		int r = 1;
		for (size_t j = 0; j < n; j++)
			r += totals[j] > totals[i];
		ranks[i] = r;
		stars[i] = ev_stars_of(s, totals[i]);
	}
	if (quota_pct < 0)
		return;
	/* walk the distinct totals from the top: each tied group fits whole or not at all */
	for (int prev = 1 << 30;;) {
		int best = -1;
		size_t group = 0;
		for (size_t i = 0; i < n; i++)
			if (stars[i] == 5 && totals[i] < prev && totals[i] > best)
				best = totals[i];
		if (best < 0)
			break;
		for (size_t i = 0; i < n; i++)
			group += stars[i] == 5 && totals[i] == best;
		if (closed || given + group > allowed) {
			closed = 1;
			for (size_t i = 0; i < n; i++)
				if (stars[i] == 5 && totals[i] == best)
					stars[i] = 4;
		} else {
			given += group;
		}
		prev = best;
	}
}

int ev_recompute_frozen(const struct ev_scheme *s, const json_t *frozen)
{
	const json_t *items = json_object_get(frozen, "items");
	struct ev_line lines[200];
	struct ev_total t;

	if (!json_is_array(items) || s->nitem > 200)
		return -1;
	memset(lines, 0, sizeof(lines));
	for (size_t i = 0; i < s->nitem; i++) {
		const struct ev_item *it = &s->items[i];
		const json_t *j = NULL, *e;
		size_t k;
		json_array_foreach(items, k, e) {
			const char *code = json_string_value(json_object_get(e, "code"));
			if (code && strcmp(code, it->code) == 0) {
				j = e;
				break;
			}
		}
		if (!j)
			return -1;
		lines[i].has_value = json_is_true(json_object_get(j, "has_value"));
		lines[i].value = json_number_value(json_object_get(j, "value"));
		lines[i].metric_pts = ev_map_points(it, lines[i].has_value, lines[i].value);
		if (json_is_integer(json_object_get(j, "self_tenths"))) {
			lines[i].has_self = 1;
			lines[i].self_pts = (int)json_integer_value(json_object_get(j, "self_tenths"));
		}
		if (json_is_integer(json_object_get(j, "review_tenths"))) {
			lines[i].has_review = 1;
			lines[i].review_pts = (int)json_integer_value(json_object_get(j, "review_tenths"));
		}
	}
	ev_score(s, lines, &t);
	return t.total;
}
