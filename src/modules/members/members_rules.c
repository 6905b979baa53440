/* members_rules.c - the pure rules of the member lifecycle: joining steps in order with their durations, the probation extension, where a person stands, date and month arithmetic, and the dues brackets with rounding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "members_internal.h"
#include "../../base/date.h"

static const char *const stages[] = { "applicant", "activist", "candidate", "probationary", "full" };
static const char *const stage_labels[] = { "入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员" };

int join_stage_index(const char *stage)
{
	for (int i = 0; stage && i < 5; i++)
		if (strcmp(stage, stages[i]) == 0)
			return i;
	return -1;
}

const char *join_stage_label(const char *stage)
{
	int i = join_stage_index(stage);
	return i < 0 ? NULL : stage_labels[i];
}

const struct join_def *join_def_find(const struct join_def *defs, size_t n, const char *code)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(defs[i].code, code) == 0)
			return &defs[i];
	return NULL;
}

/* ---------------------------------------------------------------- dates */

int date_add_months(const char *date, int months, int days, char *out)
{
	struct ymd d;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t idx;
	int last;

	if (date_parse_iso(date, &d) != 0)
		return -1;
	idx = (int64_t)d.y * 12 + (d.m - 1) + months;
	d.y = (int)(idx / 12);
	d.m = (int)(idx % 12) + 1;
	last = mdays[d.m - 1] + (d.m == 2 && ((d.y % 4 == 0 && d.y % 100 != 0) || d.y % 400 == 0));
	if (d.d > last)
		d.d = last;
	date_format(date_from_days(date_to_days(d) + days), out);
	return 0;
}

int years_between(const char *from, const char *to)
{
	struct ymd a, b;
	int y;

	if (date_parse_iso(from, &a) != 0 || date_parse_iso(to, &b) != 0 || strcmp(to, from) < 0)
		return -1;
	y = b.y - a.y;
	if (b.m < a.m || (b.m == a.m && b.d < a.d))
		y--;
	return y;
}

int weekdays_between(const char *from, const char *to)
{
	struct ymd a, b;
	int n = 0;

	if (date_parse_iso(from, &a) != 0 || date_parse_iso(to, &b) != 0)
		return 0;
	for (int64_t d = date_to_days(a), e = date_to_days(b); d <= e; d++) {
		int dow = (int)(((d + 4) % 7 + 7) % 7);	/* 1970-01-01 was a Thursday; 0 = Sunday */
		n += dow != 0 && dow != 6;
	}
	return n;
}

int month_valid(const char *m)
{
	return month_index(m) >= 0;
}

int64_t month_index(const char *m)
{
	char buf[11];

	if (!m || strlen(m) != 7 || m[4] != '-')
		return -1;
	snprintf(buf, sizeof(buf), "%s-01", m);
	if (date_parse_iso(buf, NULL) != 0)
		return -1;
	return (int64_t)((m[0] - '0') * 1000 + (m[1] - '0') * 100 + (m[2] - '0') * 10 + (m[3] - '0')) * 12 +
	       ((m[5] - '0') * 10 + (m[6] - '0')) - 1;
}

void month_from_index(int64_t i, char *out)
{
	unsigned y = (unsigned)((i < 0 ? 0 : i) / 12) % 10000u, m = (unsigned)((i < 0 ? 0 : i) % 12) + 1u;

	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '\0';
}

/* ---------------------------------------------------------------- joining */

/* The first active record of step code, NULL none; with latest = 1 the latest one. */
static const struct join_rec *rec_find(const struct join_rec *recs, size_t nr, const char *code, int latest)
{
	const struct join_rec *hit = NULL;

	for (size_t i = 0; i < nr; i++) {
		if (strcmp(recs[i].step, code) != 0)
			continue;
		if (!hit || (latest ? strcmp(recs[i].done_on, hit->done_on) > 0 :
				      strcmp(recs[i].done_on, hit->done_on) < 0))
			hit = &recs[i];
	}
	return hit;
}

/* The highest seq among the records (0 none), and the latest date in *latest. */
static int max_seq(const struct join_def *defs, size_t n, const struct join_rec *recs, size_t nr,
		   const char **latest)
{
	int seq = 0;

	*latest = NULL;
	for (size_t i = 0; i < nr; i++) {
		const struct join_def *d = join_def_find(defs, n, recs[i].step);
		if (d && d->seq > seq)
			seq = d->seq;
		if (!*latest || strcmp(recs[i].done_on, *latest) > 0)
			*latest = recs[i].done_on;
	}
	return seq;
}

/* The extension applies to the steps of the full stage counted from the assembly vote. */
static int extended(const struct join_def *d)
{
	return strcmp(d->stage, "full") == 0 && strcmp(d->after, "assembly_vote") == 0;
}

/*
 * The window of d given the records: [lo, hi] ("" = open), from its
 * reference step (for a repeating step, its own latest record when there is
 * one). 0 when the reference is not recorded (no window).
 */
static int window(const struct join_def *defs, size_t n, const struct join_def *d,
		  const struct join_rec *recs, size_t nr, int ext, char lo[11], char hi[11],
		  const char **ref_label)
{
	const struct join_rec *ref = NULL;
	const struct join_def *rd;
	int mo = d->min_months + (extended(d) ? ext : 0);

	lo[0] = hi[0] = '\0';
	if (d->repeat_months)
		ref = rec_find(recs, nr, d->code, 1);
	if (!d->after[0] && !ref)
		return 0;
	if (!ref)
		ref = rec_find(recs, nr, d->after, 0);
	if (!ref)
		return 0;
	rd = join_def_find(defs, n, ref->step);
	*ref_label = rd ? rd->label : ref->step;
	if (mo || d->min_days)
		date_add_months(ref->done_on, mo, d->min_days, lo);
	if (d->max_months || d->max_days)
		date_add_months(ref->done_on, d->max_months, d->max_days, hi);
	return 1;
}

int join_check(const struct join_def *defs, size_t n, const struct join_rec *recs, size_t nr,
	       const struct join_attempt *a, struct zb_fail *f)
{
	const struct join_def *d = join_def_find(defs, n, a->step);
	const char *latest, *ref_label = "";
	int done_seq, date_ok;
	char lo[11], hi[11];

	if (!d) {
		zb_fail_field(f, "step", "步骤“%s”不存在", a->step ? a->step : "");
		return 1;
	}
	done_seq = max_seq(defs, n, recs, nr, &latest);
	/* order: every earlier step done; this one not yet, unless it repeats within its stage */
	for (size_t i = 0; i < n; i++) {
		if (defs[i].seq < d->seq && !rec_find(recs, nr, defs[i].code, 0)) {
			zb_fail_field(f, "step", "程序不能颠倒：须先完成“%s”，才能登记“%s”（%s）",
				      defs[i].label, d->label, defs[i].rule);
			return 1;
		}
	}
	if (rec_find(recs, nr, d->code, 0)) {
		int later_stage = 0;
		for (size_t i = 0; i < n; i++)
			if (defs[i].seq > d->seq && strcmp(defs[i].stage, d->stage) != 0 &&
			    rec_find(recs, nr, defs[i].code, 0))
				later_stage = 1;
		if (!d->repeat_months || later_stage) {
			zb_fail_field(f, "step", "“%s”已经登记，不能重复登记", d->label);
			return 1;
		}
	} else if (d->seq < done_seq) {
		zb_fail_field(f, "step", "程序不能颠倒：已登记了后续步骤，不能再登记“%s”", d->label);
		return 1;
	}
	date_ok = a->done_on && date_parse_iso(a->done_on, NULL) == 0;
	if (!date_ok)
		zb_fail_field(f, "done_on", "日期应为 YYYY-MM-DD 格式的日期");
	else if (a->today && strcmp(a->done_on, a->today) > 0)
		zb_fail_field(f, "done_on", "日期不能晚于今天");
	else if (latest && strcmp(a->done_on, latest) < 0)
		zb_fail_field(f, "done_on", "日期须按程序先后：不能早于已登记步骤的日期（%s）", latest);
	if (date_ok && strcmp(d->code, "application") == 0) {
		int age = a->birth_date ? years_between(a->birth_date, a->done_on) : -1;
		if (age < a->min_age)
			zb_fail_field(f, "done_on", "申请入党须年满%d周岁（申请时%d周岁）", a->min_age, age < 0 ? 0 : age);
	}
	if (date_ok && window(defs, n, d, recs, nr, a->ext_months, lo, hi, &ref_label)) {
		if (lo[0] && strcmp(a->done_on, lo) < 0)
			zb_fail_field(f, "done_on", "时间不足：“%s”须在“%s”之后，最早于%s（%s）", d->label,
				      ref_label, lo, d->rule);
		if (hi[0] && strcmp(a->done_on, hi) > 0 && !(a->late_reason && *a->late_reason))
			zb_fail_field(f, "done_on", "已超过期限：“%s”应在%s前完成（%s）；如确属逾期，请填写逾期原因",
				      d->label, hi, d->rule);
	}
	if (d->doc_required && a->nfiles == 0)
		zb_fail_field(f, "files", "“%s”须上传相关材料", d->label);
	if (d->needs_meeting && !a->has_meeting)
		zb_fail_field(f, "meeting_id", "“%s”须关联一次已结束、进行了表决且达到法定人数的支部党员大会", d->label);
	if (d->needs_people && a->npeople != 2)
		zb_fail_field(f, "people", "“%s”须指定两名正式党员", d->label);
	if (d->min_hours && a->hours < d->min_hours)
		zb_fail_field(f, "hours", "培训学时不足：不少于%d学时（%s）", d->min_hours, d->rule);
	if (d->min_workdays) {
		if (!a->end_on || date_parse_iso(a->end_on, NULL) != 0)
			zb_fail_field(f, "end_on", "请填写公示截止日期");
		else if (date_ok && weekdays_between(a->done_on, a->end_on) < d->min_workdays)
			zb_fail_field(f, "end_on", "公示期不足%d个工作日（%s至%s共%d个工作日）", d->min_workdays,
				      a->done_on, a->end_on, weekdays_between(a->done_on, a->end_on));
		else if (a->today && strcmp(a->end_on, a->today) > 0)
			zb_fail_field(f, "end_on", "公示尚未结束，期满后再登记");
	}
	return f->err ? 1 : 0;
}

int join_check_extension(const struct join_rec *recs, size_t nr, int already, int months,
			 int min_months, int max_months, const char *decided_on, const char *today,
			 struct zb_fail *f)
{
	const struct join_rec *vote = rec_find(recs, nr, "assembly_vote", 0);

	if (!rec_find(recs, nr, "upper_approval", 0) || rec_find(recs, nr, "full_vote", 0))
		zb_fail_field(f, "months", "只有预备期内的预备党员才能延长预备期");
	else if (already)
		zb_fail_field(f, "months", "预备期只能延长一次");
	if (months < min_months || months > max_months)
		zb_fail_field(f, "months", "延长预备期应为%d至%d个月", min_months, max_months);
	if (!decided_on || date_parse_iso(decided_on, NULL) != 0)
		zb_fail_field(f, "decided_on", "日期应为 YYYY-MM-DD 格式的日期");
	else if (today && strcmp(decided_on, today) > 0)
		zb_fail_field(f, "decided_on", "日期不能晚于今天");
	else if (vote && strcmp(decided_on, vote->done_on) < 0)
		zb_fail_field(f, "decided_on", "日期不能早于支部大会接收为预备党员的日期（%s）", vote->done_on);
	return f->err ? 1 : 0;
}

void join_state_of(const struct join_def *defs, size_t n, const struct join_rec *recs, size_t nr,
		   int ext_months, struct join_state *out)
{
	const char *latest, *ref_label = "";
	int seq;

	memset(out, 0, sizeof(*out));
	seq = max_seq(defs, n, recs, nr, &latest);
	for (size_t i = 0; i < n; i++) {
		if (defs[i].transition[0] && rec_find(recs, nr, defs[i].code, 0))
			snprintf(out->stage, sizeof(out->stage), "%s", defs[i].transition);
		if (defs[i].seq == seq) {
			out->last = &defs[i];
			out->last_on = rec_find(recs, nr, defs[i].code, 1)->done_on;
		}
	}
	for (size_t i = 0; i < n; i++) {	/* nothing recorded yet: the application comes next */
		if (!rec_find(recs, nr, defs[i].code, 0)) {
			out->next = &defs[i];
			break;
		}
	}
	/* a repeating step (the activist's assessment) falls due again while its stage lasts */
	for (size_t i = 0; i < n && nr; i++) {
		const struct join_rec *last;
		if (!defs[i].repeat_months || strcmp(defs[i].stage, out->stage) != 0 || &defs[i] == out->next)
			continue;
		last = rec_find(recs, nr, defs[i].code, 1);
		if (last && out->next && out->next->seq > defs[i].seq) {
			out->repeat = &defs[i];
			date_add_months(last->done_on, defs[i].repeat_months, 0, out->repeat_due);
		}
	}
	if (out->next && !out->due_by[0]) {
		char lo[11], hi[11];
		if (window(defs, n, out->next, recs, nr, ext_months, lo, hi, &ref_label)) {
			snprintf(out->due_from, sizeof(out->due_from), "%s", lo);
			snprintf(out->due_by, sizeof(out->due_by), "%s", hi);
		}
	}
	{
		const struct join_rec *vote = rec_find(recs, nr, "assembly_vote", 0);
		const struct join_def *fv = join_def_find(defs, n, "full_vote");
		if (vote)
			date_add_months(vote->done_on, (fv ? fv->min_months : 12) + ext_months, 0,
					out->probation_end);
	}
}

/* ---------------------------------------------------------------- dues */

int dues_rounding_parse(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "half_up") == 0)
		return DUES_HALF_UP;
	if (strcmp(s, "down") == 0)
		return DUES_DOWN;
	if (strcmp(s, "up") == 0)
		return DUES_UP;
	return -1;
}

int64_t dues_monthly(const struct dues_rule *rules, size_t n, const char *category, int64_t base_fen,
		     enum dues_rounding mode, int unit)
{
	const struct dues_rule *hit = NULL;
	int64_t num, den;

	if (base_fen < 0 || !category)
		return -1;
	if (unit != 1 && unit != 10 && unit != 100)
		unit = 1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rules[i].category, category) != 0)
			continue;
		if ((!rules[i].has_up_to || base_fen <= rules[i].up_to_fen) &&
		    (!hit || rules[i].sort < hit->sort))
			hit = &rules[i];
	}
	if (!hit) {
		/* a base above every bound of a category whose last row is bounded: its highest bracket */
		for (size_t i = 0; i < n; i++)
			if (strcmp(rules[i].category, category) == 0 && (!hit || rules[i].sort > hit->sort))
				hit = &rules[i];
		if (!hit)
			return -1;
	}
	if (hit->rate_bp == 0)
		return hit->fixed_fen;
	num = base_fen * hit->rate_bp;	/* fen x 1/10000 */
	den = 10000 * (int64_t)unit;
	switch (mode) {
	case DUES_HALF_UP:
		return (num + den / 2) / den * unit;
	case DUES_DOWN:
		return num / den * unit;
	case DUES_UP:
		return (num + den - 1) / den * unit;
	}
	return -1;
}
