/* eval_demo.c - the demo township's evaluation: the five-strong and competition schemes, the published 2022 round, 1 + 8 strongest branches, one weak branch under rectification. */
#include <stdlib.h>
#include <string.h>
#include "eval.h"
#include "eval_internal.h"
#include "../../auth/audit.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/log.h"

/* The five strengths (五强), 100 points, deductions up to 10. */
static const char FIVE_STRONG[] =
	"{\"categories\":["
	"{\"code\":\"political\",\"name\":\"政治功能强\",\"max\":20,\"items\":["
	"{\"code\":\"p_study\",\"name\":\"理论学习和政治引领\",\"max\":10,\"source\":\"manual\",\"guide\":\"落实“第一议题”和集中学习制度，学习记录完整\"},"
	"{\"code\":\"p_disclosure\",\"name\":\"党务公开完整\",\"max\":10,\"source\":\"metric\",\"metric\":\"disclosure_completeness\",\"map\":{\"kind\":\"linear\"},\"if_empty\":10,\"guide\":\"按公开目录按期公开党务、村务、财务，不漏项\"}]},"
	"{\"code\":\"team\",\"name\":\"队伍建设强\",\"max\":20,\"items\":["
	"{\"code\":\"t_structure\",\"name\":\"两委班子结构\",\"max\":10,\"source\":\"metric\",\"metric\":\"team_structure\",\"map\":{\"kind\":\"bands\",\"bands\":[[0.6,10],[0.45,8],[0.3,6],[0,3]]},\"if_empty\":6,\"guide\":\"选优配强班子，注重年轻化和学历结构，储备后备干部\"},"
	"{\"code\":\"t_training\",\"name\":\"党员培训覆盖\",\"max\":10,\"source\":\"metric\",\"metric\":\"training_coverage\",\"map\":{\"kind\":\"linear\"},\"guide\":\"组织未参训党员参加补训，做到培训全覆盖\"}]},"
	"{\"code\":\"life\",\"name\":\"组织生活强\",\"max\":20,\"items\":["
	"{\"code\":\"l_meetings\",\"name\":\"三会一课按期召开\",\"max\":15,\"source\":\"metric\",\"metric\":\"meeting_compliance\",\"map\":{\"kind\":\"linear\"},\"guide\":\"按会议规则按期召开支部党员大会、支委会、党小组会和党课，及时补开缺开的会议\"},"
	"{\"code\":\"l_quality\",\"name\":\"组织生活质量\",\"max\":5,\"source\":\"manual\",\"guide\":\"会议议题聚焦、记录规范，组织生活会和民主评议认真开展\"}]},"
	"{\"code\":\"role\",\"name\":\"作用发挥强\",\"max\":20,\"items\":["
	"{\"code\":\"r_tasks\",\"name\":\"重点任务完成\",\"max\":8,\"source\":\"metric\",\"metric\":\"task_completion\",\"map\":{\"kind\":\"linear\"},\"if_empty\":8,\"guide\":\"对照责任清单按期完成重点任务\"},"
	"{\"code\":\"r_followup\",\"name\":\"跟踪问效评价\",\"max\":4,\"source\":\"metric\",\"metric\":\"task_followup\",\"map\":{\"kind\":\"linear\"},\"if_empty\":4,\"guide\":\"落实督查发现问题的整改，提升督查评价\"},"
	"{\"code\":\"r_deeds\",\"name\":\"为民办实事\",\"max\":8,\"source\":\"metric\",\"metric\":\"deeds_done\",\"map\":{\"kind\":\"per_unit\",\"per\":1},\"guide\":\"围绕群众急难愁盼多办实事，每办结1件得1分\"}]},"
	"{\"code\":\"mass\",\"name\":\"群众工作强\",\"max\":20,\"items\":["
	"{\"code\":\"m_satisfaction\",\"name\":\"群众满意度\",\"max\":10,\"source\":\"metric\",\"metric\":\"deed_satisfaction\",\"map\":{\"kind\":\"bands\",\"bands\":[[0.9,10],[0.8,8],[0.6,5],[0,0]]},\"if_empty\":6,\"guide\":\"办结后及时回访，解决不满意的问题\"},"
	"{\"code\":\"m_timeliness\",\"name\":\"三务公开及时\",\"max\":5,\"source\":\"metric\",\"metric\":\"disclosure_timeliness\",\"map\":{\"kind\":\"linear\"},\"if_empty\":5,\"guide\":\"在规定期限内公开，不拖延\"},"
	"{\"code\":\"m_service\",\"name\":\"联系服务群众\",\"max\":5,\"source\":\"manual\",\"guide\":\"党员联系户、网格走访常态化，关注“沉默的少数”\"}]}],"
	"\"deductions\":{\"max\":10,\"items\":["
	"{\"code\":\"d_incident\",\"name\":\"违规违纪和重大问题\",\"max\":10,\"source\":\"manual\",\"guide\":\"出现违规违纪、重大信访或安全事故的，每起扣2至5分\"}]}}";

/* 比武争星: weighted categories (Party building 40%, industry 30%, customs 20%, other key work 10%). */
static const char COMPETITION[] =
	"{\"categories\":["
	"{\"code\":\"party\",\"name\":\"基层党建\",\"max\":20,\"weight\":40,\"items\":["
	"{\"code\":\"c_meetings\",\"name\":\"组织生活\",\"max\":10,\"source\":\"metric\",\"metric\":\"meeting_compliance\",\"map\":{\"kind\":\"linear\"}},"
	"{\"code\":\"c_training\",\"name\":\"党员教育培训\",\"max\":10,\"source\":\"metric\",\"metric\":\"training_coverage\",\"map\":{\"kind\":\"linear\"}}]},"
	"{\"code\":\"industry\",\"name\":\"产业兴旺\",\"max\":20,\"weight\":30,\"items\":["
	"{\"code\":\"c_income\",\"name\":\"村集体经济收入\",\"max\":10,\"source\":\"manual\",\"guide\":\"以财务公开的集体收入为据\"},"
	"{\"code\":\"c_projects\",\"name\":\"特色产业项目\",\"max\":10,\"source\":\"manual\"}]},"
	"{\"code\":\"customs\",\"name\":\"乡风文明\",\"max\":20,\"weight\":20,\"items\":["
	"{\"code\":\"c_families\",\"name\":\"文明家庭创建\",\"max\":10,\"source\":\"manual\"},"
	"{\"code\":\"c_deeds\",\"name\":\"志愿服务和办实事\",\"max\":10,\"source\":\"metric\",\"metric\":\"deeds_done\",\"map\":{\"kind\":\"per_unit\",\"per\":1}}]},"
	"{\"code\":\"other\",\"name\":\"其他重点工作\",\"max\":10,\"weight\":10,\"items\":["
	"{\"code\":\"c_tasks\",\"name\":\"重点任务\",\"max\":10,\"source\":\"metric\",\"metric\":\"task_completion\",\"map\":{\"kind\":\"linear\"},\"if_empty\":10}]}],"
	"\"deductions\":{\"max\":10,\"items\":[]}}";

static const char SQL_INSERT_SCHEME[] =
	"INSERT INTO eval_schemes (code, name, kind, seq, tree, max_total, stars, created_at, updated_at)"
	" VALUES (?, ?, ?, 1, ?, 100, '[90,80,70,60]', ?, ?) RETURNING id";
static const char SQL_ENTRY_IDS[] =
	"SELECT e.id FROM eval_entries e JOIN orgs o ON o.id = e.org_id WHERE e.round_id = ? ORDER BY o.sort_key, o.id";
static const char SQL_SUBMIT_ALL[] =
	"UPDATE eval_entries SET status = 'submitted', submitted_at = ?, version = version + 1 WHERE round_id = ?";
static const char SQL_TO_REVIEW[] =
	"UPDATE eval_rounds SET status = 'review', version = version + 1 WHERE id = ?";
static const char SQL_RANKED[] =
	"SELECT e.org_id, e.rank FROM eval_entries e JOIN orgs o ON o.id = e.org_id WHERE e.round_id = ?"
	" ORDER BY e.rank, o.sort_key, o.id";

/* Insert a scheme as the system; the id or DB_E*. */
static int64_t scheme(struct db *db, const struct keys *k, const struct audit_who *who, const char *code,
		      const char *name, const char *kind, const char *tree)
{
	char now[32];
	int64_t id = 0;
	int rc;
	json_t *after;

	ts_now(now);
	rc = db_query_int(db, &id, SQL_INSERT_SCHEME, "ssssss", code, name, kind, tree, now, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	after = json_pack("{s:s, s:s}", "code", code, "name", name);
	rc = audit_append(db, k, who, "eval_scheme", id, "create", NULL, after);
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int eval_demo_load(struct db *db, const struct keys *k, const struct audit_who *who, int64_t root_org_id)
{
	struct arena a;
	struct ev_round rd;
	struct db_stmt *st;
	int64_t five, comp, round, ids[64], ranked[64], weak = 0;
	size_t n = 0, nr = 0;
	const char *failed = NULL, *path;
	char now[32];
	int rc;

	arena_init(&a, 0);
	ts_now(now);
	five = scheme(db, k, who, "five_strong", "“五强”最强党支部考评", "five_strong", FIVE_STRONG);
	comp = five > 0 ? scheme(db, k, who, "competition", "乡村振兴“比武争星”综合考评", "competition", COMPETITION) : five;
	if (five < 0 || comp < 0) {
		rc = (int)(five < 0 ? five : comp);
		goto out;
	}
	{
		int64_t one = 0;
		char p[300];
		rc = db_query_int(db, &one, "SELECT COUNT(*) FROM orgs WHERE id = ?", "i", root_org_id);
		st = db_prepare(db, "SELECT path FROM orgs WHERE id = ?");
		if (!st) {
			rc = DB_EGENERIC;
			goto out;
		}
		db_bind_int(st, 1, root_org_id);
		rc = db_step(st);
		snprintf(p, sizeof(p), "%s", rc == DB_ROW ? db_col_text(st, 0) : "");
		db_finalize(st);
		if (rc != DB_ROW) {
			rc = rc < 0 ? rc : DB_EGENERIC;
			goto out;
		}
		path = arena_strdup(&a, p);
	}
	round = ev_round_insert(db, k, who, root_org_id, path, five, "2022年度“五强”最强党支部考评", 2022, 0, 30);
	if (round < 0) {
		rc = (int)round;
		goto out;
	}
	st = db_prepare(db, SQL_ENTRY_IDS);
	if (!st) {
		rc = DB_EGENERIC;
		goto out;
	}
	db_bind_int(st, 1, round);
	while ((rc = db_step(st)) == DB_ROW && n < 64)
		ids[n++] = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_DONE && rc != DB_ROW)
		goto out;
	/* self-assessment: deterministic scores with a spread, a few lowered in review */
	for (size_t i = 0; i < n; i++) {
		int study = 100 - (int)((i * 7) % 5) * 10;	/* tenths: 10.0 .. 6.0 */
		int quality = 50 - (int)((i * 3) % 4) * 5;	/* 5.0 .. 3.5 */
		int service = 50 - (int)((i * 5) % 3) * 10;	/* 5.0 .. 3.0 */
		int ded = i == 11 ? 80 : (i % 6 == 5 ? 20 : 0);	/* 团结村: the heavy one */
		rc = ev_score_set(db, k, who, ids[i], "p_study", 0, study, "学习记录齐全") < 0 ? DB_EGENERIC : DB_OK;
		if (rc == DB_OK)
			rc = ev_score_set(db, k, who, ids[i], "l_quality", 0, quality, "") < 0 ? DB_EGENERIC : DB_OK;
		if (rc == DB_OK)
			rc = ev_score_set(db, k, who, ids[i], "m_service", 0, service, "") < 0 ? DB_EGENERIC : DB_OK;
		if (rc == DB_OK)
			rc = ev_score_set(db, k, who, ids[i], "d_incident", 0, 0, "无") < 0 ? DB_EGENERIC : DB_OK;
		if (rc == DB_OK && ded)
			rc = ev_score_set(db, k, who, ids[i], "d_incident", 1, ded,
					  i == 11 ? "全年发生2起越级信访，班子履职不到位" : "发生1起安全生产问题")
				     < 0 ? DB_EGENERIC : DB_OK;
		if (rc == DB_OK && i % 4 == 2)
			rc = ev_score_set(db, k, who, ids[i], "p_study", 1, study > 20 ? study - 20 : 0,
					  "抽查学习记录，部分学习无签到") < 0 ? DB_EGENERIC : DB_OK;
		if (rc != DB_OK)
			goto out;
	}
	rc = db_run(db, SQL_SUBMIT_ALL, "si", now, round);
	if (rc == DB_OK)
		rc = db_run(db, SQL_TO_REVIEW, "i", round);
	if (rc != DB_OK)
		goto out;
	if ((rc = ev_round_load(db, &a, round, &rd)) != 1) {
		rc = rc < 0 ? rc : DB_EGENERIC;
		goto out;
	}
	rc = ev_round_publish(db, &a, k, who, &rd, rd.version, &failed);
	if (rc != DB_OK) {
		log_error("eval demo: publishing failed%s%s", failed ? " at metric " : "", failed ? failed : "");
		rc = rc < 0 ? rc : DB_EGENERIC;
		goto out;
	}
	/* strongest branches by rank: the first at banner level, the next 8 at township level */
	st = db_prepare(db, SQL_RANKED);
	if (!st) {
		rc = DB_EGENERIC;
		goto out;
	}
	db_bind_int(st, 1, round);
	while ((rc = db_step(st)) == DB_ROW && nr < 64)
		ranked[nr++] = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_DONE && rc != DB_ROW)
		goto out;
	rc = DB_OK;
	for (size_t i = 0; rc == DB_OK && i < 9 && i < nr; i++) {
		const char *level = i == 0 ? "banner" : "township";
		int64_t d = ev_designation_insert(db, k, who, ranked[i], 2022, level, round,
						  "按2022年度考评排名推荐", "2023-01-10");
		if (d < 0) {
			rc = (int)d;
			break;
		}
		rc = ev_designation_step(db, k, who, d, "reviewed", "镇党委会议审核通过", "2023-01-16");
		if (rc == DB_OK)
			rc = ev_designation_step(db, k, who, d, "designated",
						 i == 0 ? "旗委组织部命名为旗级“最强党支部”" : "镇党委命名为镇级“最强党支部”",
						 "2023-01-30");
	}
	/* the last branch: weak and lax, under rectification */
	if (rc == DB_OK && nr > 0)
		weak = ev_weak_insert(db, k, who, ranked[nr - 1], 2022, "rule", "last_place",
				      "2022年度考评排名末位，班子履职不到位，群众反映问题较多", "2023-02-10");
	if (rc == DB_OK && weak < 0)
		rc = (int)weak;
	if (rc == DB_OK && weak > 0) {
		int64_t s1 = ev_weak_step_insert(db, k, who, weak, "镇党委班子成员包联，召开专题组织生活会查摆问题", "镇党委副书记", "2023-03-31");
		int64_t s2 = s1 > 0 ? ev_weak_step_insert(db, k, who, weak, "调整充实支部班子，选派第一书记", "镇党委组织委员", "2023-06-30") : s1;
		int64_t s3 = s2 > 0 ? ev_weak_step_insert(db, k, who, weak, "建立信访问题台账，逐件化解并回访", "支部书记", "2023-09-30") : s2;
		int64_t f1 = s3 > 0 ? ev_weak_followup_insert(db, k, who, weak, s1, 1, "2023年3月28日召开专题组织生活会，查摆问题6条", "2023-03-28") : s3;
		int64_t f2 = f1 > 0 ? ev_weak_followup_insert(db, k, who, weak, s2, 0, "已选派第一书记，班子调整待换届程序", "2023-06-20") : f1;
		if (f2 < 0)
			rc = (int)f2;
	}
out:
	arena_release(&a);
	return rc;
}
