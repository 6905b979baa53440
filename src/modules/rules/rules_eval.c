/* rules_eval.c - the pure evaluator of the rules engine: periods, matching of records to requirements, findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"
#include "../../base/date.h"

void rule_period_of(enum rule_freq f, int64_t day, int64_t *start, int64_t *end)
{
	struct ymd d = date_from_days(day), s = { d.y, 1, 1 }, e;
	int months = f == RULE_MONTHLY ? 1 : f == RULE_QUARTERLY ? 3 : 12;

	s.m = f == RULE_MONTHLY ? d.m : f == RULE_QUARTERLY ? (d.m - 1) / 3 * 3 + 1 : 1;
	e.y = s.m + months > 12 ? s.y + 1 : s.y;
	e.m = s.m + months > 12 ? s.m + months - 12 : s.m + months;
	e.d = 1;
	*start = date_to_days(s);
	*end = date_to_days(e) - 1;	/* the day before the next period: leap years come for free */
}

int rule_list_has(const char *list, const char *token)
{
	size_t n;

	if (!list || !*list)
		return 1;
	if (!token)
		return 0;
	n = strlen(token);
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, token, n) == 0)
			return 1;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static const char *const freq_codes[] = { "monthly", "quarterly", "yearly" };
static const char *const sev_codes[] = { "low", "medium", "high" };
static const char *const finding_codes[] = { "none", "pending", "missing", "late", "incomplete" };
static const char *const finding_labels[] = { "已完成", "进行中", "未开展", "逾期完成", "次数不足" };

const char *rule_freq_code(enum rule_freq f) { return freq_codes[f]; }
const char *rule_severity_code(enum rule_severity s) { return sev_codes[s]; }
const char *rule_finding_code(enum rule_finding f) { return finding_codes[f]; }
const char *rule_finding_label(enum rule_finding f) { return finding_labels[f]; }

int rule_freq_parse(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, freq_codes[i]) == 0)
			return i;
	return -1;
}

int rule_severity_parse(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, sev_codes[i]) == 0)
			return i;
	return -1;
}

void rule_period_label(enum rule_freq f, int64_t start, char *out)
{
	struct ymd d = date_from_days(start);

	if (f == RULE_MONTHLY)
		snprintf(out, 32, "%d年%d月", d.y, d.m);
	else if (f == RULE_QUARTERLY)
		snprintf(out, 32, "%d年第%d季度", d.y, (d.m - 1) / 3 + 1);
	else
		snprintf(out, 32, "%d年", d.y);
}

/* A record with its sort key copied, so the comparison needs no context. */
struct keyed {
	int64_t org_id;
	int64_t day;
	const struct rule_record *r;
};

static int by_org_day(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	return (x->day > y->day) - (x->day < y->day);
}

/* Judge one cell from its counts. */
static enum rule_finding judge(int count, int done, int late, int64_t end, int grace, int64_t as_of)
{
	if (done >= count)
		return RF_NONE;
	if (end + grace >= as_of)
		return RF_PENDING;
	if (done + late >= count)
		return RF_LATE;
	if (done + late == 0)
		return RF_MISSING;
	return RF_INCOMPLETE;
}

int rules_evaluate(const struct rule_req *reqs, size_t nreq, const struct rule_org *orgs,
		   size_t norg, const struct rule_record *recs, size_t nrec, int64_t from,
		   int64_t to, int64_t as_of, int idle_days, struct rule_result *out)
{
	struct keyed *idx = malloc((nrec ? nrec : 1) * sizeof(*idx));
	size_t cap = 64, n = 0;
	int64_t ref = to < as_of ? to : as_of;

	memset(out, 0, sizeof(*out));
	out->cells = malloc(cap * sizeof(*out->cells));
	out->last_activity = calloc(norg ? norg : 1, sizeof(*out->last_activity));
	out->idle = calloc(norg ? norg : 1, sizeof(*out->idle));
	if (!idx || !out->cells || !out->last_activity || !out->idle)
		goto oom;
	for (size_t i = 0; i < nrec; i++)
		idx[i] = (struct keyed){ recs[i].org_id, recs[i].day, &recs[i] };
	qsort(idx, nrec, sizeof(*idx), by_org_day);

	for (size_t o = 0; o < norg; o++) {
		/* this org's records: a binary search for the first, then a run */
		size_t lo = 0, hi = nrec, first, last;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (idx[mid].org_id < orgs[o].id)
				lo = mid + 1;
			else
				hi = mid;
		}
		first = lo;
		for (last = first; last < nrec && idx[last].org_id == orgs[o].id; last++)
			;
		out->last_activity[o] = INT64_MIN;
		for (size_t i = first; i < last; i++)
			if (idx[i].day <= ref)
				out->last_activity[o] = idx[i].day;
		out->idle[o] = out->last_activity[o] == INT64_MIN ||
			       ref - out->last_activity[o] > idle_days;

		for (size_t q = 0; q < nreq; q++) {
			const struct rule_req *rq = &reqs[q];
			int64_t ps, pe;
			if (!rule_list_has(rq->org_kinds, orgs[o].kind) ||
			    ((rq->org_categories && *rq->org_categories) &&
			     !rule_list_has(rq->org_categories, orgs[o].category)))
				continue;
			for (rule_period_of(rq->freq, from, &ps, &pe); ps <= to;
			     rule_period_of(rq->freq, pe + 1, &ps, &pe)) {
				struct rule_cell *c;
				if (ps < rq->valid_from || ps >= rq->valid_to)
					continue;
				if (n == cap) {
					struct rule_cell *grown = realloc(out->cells,
									  cap * 2 * sizeof(*grown));
					if (!grown)
						goto oom;
					out->cells = grown;
					cap *= 2;
				}
				c = &out->cells[n++];
				memset(c, 0, sizeof(*c));
				c->org = o;
				c->req = q;
				c->start = ps;
				c->end = pe;
				c->expected = rq->count;
				for (size_t i = first; i < last; i++) {
					const struct rule_record *rec = idx[i].r;
					if (rec->day < ps)
						continue;
					if (rec->day > pe + rq->grace_days)
						break;
					if (strcmp(rec->what, rq->what) != 0 ||
					    (rq->subject && rec->subject &&
					     strcmp(rec->subject, rq->subject) != 0))
						continue;
					if (rec->day <= pe)
						c->done++;
					else
						c->late++;
				}
				c->finding = judge(rq->count, c->done, c->late, pe, rq->grace_days,
						   as_of);
			}
		}
	}
	free(idx);
	out->ncells = n;
	return 0;
oom:
	free(idx);
	rule_result_free(out);
	return -1;
}

void rule_result_free(struct rule_result *r)
{
	free(r->cells);
	free(r->last_activity);
	free(r->idle);
	memset(r, 0, sizeof(*r));
}
