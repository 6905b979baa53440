/* metrics.c - the table of record-based metrics and the helpers their functions share. */
#include <string.h>
#include "metrics.h"
#include "metrics_internal.h"
#include "../../base/arena.h"
#include "../../base/date.h"

/* Every metric a scheme item may be scored from; labels and formulas are shown to users. */
const struct metric metrics[] = {
	{ "meeting_compliance", "组织生活合规率",
	  "按时召开的应开会议期数 ÷ 已到期的应开会议期数（逾期补开计半）；依据会议规则（支部党员大会、支委会、党小组会、党课、主题党日等）",
	  0, metric_meeting_compliance },
	{ "training_coverage", "党员培训覆盖率",
	  "期内至少参加1场培训的党员（含预备党员）人数 ÷ 党员总人数", 0, metric_training_coverage },
	{ "task_completion", "重点任务完成率",
	  "期内到期的任务（末级事项）中已完成或已验收的数量 ÷ 期内到期的任务数量", 0, metric_task_completion },
	{ "task_followup", "跟踪问效评价",
	  "期内督查评价的平均得分率：好=100%，较好=80%，一般=60%，差=30%", 0, metric_task_followup },
	{ "deeds_done", "办实事件数",
	  "期内办结（已解决）的办实事、群众诉求件数", 1, metric_deeds_done },
	{ "deed_satisfaction", "群众满意率",
	  "期内回访评价中满意（4分及以上）的件数 ÷ 回访评价件数", 0, metric_deed_satisfaction },
	{ "disclosure_completeness", "三务公开完整率",
	  "已公开的应公开事项期数 ÷ 已到期的应公开事项期数（按公开目录和公开规则）", 0,
	  metric_disclosure_completeness },
	{ "disclosure_timeliness", "三务公开及时率",
	  "按期（含规定的宽限日）首次公开的事项数 ÷ 已公开的应公开事项数", 0,
	  metric_disclosure_timeliness },
	{ "team_structure", "两委班子结构",
	  "（45周岁及以下成员占比 + 大专及以上学历成员占比）÷ 2，按期末在任的村(居)“两委”成员计", 0,
	  metric_team_structure },
	{ "member_development", "发展党员",
	  "期内入党（预备党员）的人数", 1, metric_member_development },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct metric *metric_find(const char *code)
{
	for (const struct metric *m = metrics; code && m->code; m++)
		if (strcmp(m->code, code) == 0)
			return m;
	return NULL;
}

void metric_day_text(int64_t day, char out[11])
{
	date_format(date_from_days(day), out);
}

/*
 * Run `sql` with the parameters (path LIKE, from, to) - or (path LIKE, from,
 * to, from, to) when `twice` - and read two integers of its single row into
 * *num and *den. DB_OK or a negative DB_E* (a missing table included).
 */
int metric_pair(struct db *db, struct arena *a, const char *sql, const char *org_path,
		int64_t from_day, int64_t to_day, int64_t *num, int64_t *den)
{
	char from[11], to[11];
	struct db_stmt *st = db_prepare(db, sql);
	int rc;

	if (!st)
		return DB_EGENERIC;
	metric_day_text(from_day, from);
	metric_day_text(to_day, to);
	db_bind_text(st, 1, arena_printf(a, "%s%%", org_path));
	db_bind_text(st, 2, from);
	db_bind_text(st, 3, to);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*num = db_col_int(st, 0);
		*den = db_col_int(st, 1);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		*num = *den = 0;
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

void metric_share(struct metric_value *out, int64_t num, int64_t den, const char *num_label,
		  const char *den_label)
{
	out->is_count = 0;
	out->has_value = den > 0;
	out->value = den > 0 ? (double)num / (double)den : 0;
	if (out->value > 1)
		out->value = 1;
	out->inputs = json_pack("{s:I, s:I, s:s, s:s}", "numerator", (json_int_t)num,
				"denominator", (json_int_t)den, "numerator_label", num_label,
				"denominator_label", den_label);
}
