/* rollup.c - the pure rules of task progress: statuses, the weighted roll-up of children, the red/yellow/green light. No database. */
#include <string.h>
#include "tasks.h"

static const struct {
	const char *code;
	const char *label;
} statuses[] = {
	[TS_NOT_STARTED] = { "not_started", "未开始" },
	[TS_IN_PROGRESS] = { "in_progress", "进行中" },
	[TS_DONE] = { "done", "已完成" },
	[TS_ACCEPTED] = { "accepted", "已验收" },
};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

const char *task_status_code(enum task_status s)
{
	return (unsigned)s < NSTATUS ? statuses[s].code : NULL;
}

const char *task_status_label(enum task_status s)
{
	return (unsigned)s < NSTATUS ? statuses[s].label : NULL;
}

int task_status_parse(const char *code)
{
	for (size_t i = 0; code && i < NSTATUS; i++)
		if (strcmp(statuses[i].code, code) == 0)
			return (int)i;
	return -1;
}

static int clamp_pct(int p)
{
	return p < 0 ? 0 : p > 100 ? 100 : p;
}

/*
 * Weighted mean in integers: sum(w * p) / sum(w), rounded half up. Missing
 * weights are replaced by the mean of the given ones, computed exactly by
 * scaling every given weight by the number of given weights (a missing one
 * then weighs the sum of the given ones).
 */
int task_rollup(const struct rollup_child *c, size_t n, struct rollup_result *out)
{
	int64_t given_sum = 0, given_n = 0;
	int64_t num = 0, den = 0;
	size_t live = 0, accepted = 0, finished = 0, started = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		if (c[i].archived)
			continue;
		live++;
		if (c[i].has_weight && c[i].weight >= 0) {
			given_sum += c[i].weight;
			given_n++;
		}
	}
	if (live == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int64_t w;
		int p;

		if (c[i].archived)
			continue;
		p = clamp_pct(c[i].progress);
		if (given_n == 0 || given_sum == 0)
			w = 1;	/* nothing given, or all zero: equal */
		else if (c[i].has_weight && c[i].weight >= 0)
			w = c[i].weight * given_n;
		else
			w = given_sum;	/* the mean of the given weights, scaled */
		num += w * p;
		den += w;
		if (c[i].status == TS_ACCEPTED)
			accepted++;
		if (c[i].status >= TS_DONE)
			finished++;
		if (c[i].status > TS_NOT_STARTED || p > 0)
			started++;
	}
	out->progress = (int)((2 * num + den) / (2 * den));
	out->live = live;
	if (accepted == live)
		out->status = TS_ACCEPTED;
	else if (finished == live)
		out->status = TS_DONE;
	else if (started > 0)
		out->status = TS_IN_PROGRESS;
	else
		out->status = TS_NOT_STARTED;
	/* a mean of 100 means every counted child is at 100 only with weights;
	 * keep status and percent consistent: done needs 100 */
	if (out->status >= TS_DONE && out->progress < 100)
		out->progress = 100;
	return 0;
}

enum task_status task_status_for_progress(int progress, int asked)
{
	progress = clamp_pct(progress);
	if (progress >= 100)
		return TS_DONE;
	if (progress > 0)
		return TS_IN_PROGRESS;
	return asked == TS_IN_PROGRESS ? TS_IN_PROGRESS : TS_NOT_STARTED;
}

const char *task_light(enum task_status s, int progress, int64_t start, int64_t due,
		       int64_t last_report, int64_t today, int stale_days)
{
	int64_t since;

	if (s >= TS_DONE)
		return "green";
	if (due >= 0 && due < today)
		return "red";
	since = last_report >= 0 ? last_report : start;
	if (stale_days > 0 && since >= 0 && since <= today && today - since > stale_days)
		return "yellow";
	if (start >= 0 && due > start && today > start) {
		int64_t span = due - start, gone = today - start;
		int64_t expected = gone >= span ? 100 : gone * 100 / span;
		if (expected - clamp_pct(progress) > 20)
			return "yellow";
	}
	return "green";
}
