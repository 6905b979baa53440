/* tasks_demo.c - the demo township's 2022 key-task list (from its annual report), pushed to the branches and followed up: reports, acceptances, a few overdue items, a supervision with a rectification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tasks.h"
#include "tasks_internal.h"
#include "../orgs/orgs.h"
#include "../../base/date.h"
#include "../../base/json.h"

/*
 * The township's list: the report's 履职情况, item by item. `parent` is the
 * index of the parent row (-1 top); `push` sends the item to every branch;
 * `done` is how far the township's own item got (for leaves not pushed):
 * 100 accepted, 99 done but not accepted, else a percent still open.
 */
static const struct demo_task {
	int parent;
	const char *title;
	const char *criteria;
	const char *start, *due;
	int weight;
	int push;
	int done;
} township[] = {
	/* 0 */ { -1, "强化组织领导，逐条逐项分解全镇党建重点任务", "重点任务逐条分解，责任落实到人，持续跟踪问效",
		  "2022-01-10", "2022-03-31", 10, 0, 0 },
	/* 1 */ { 0, "制定全镇党建重点任务责任清单", "每项任务明确责任单位、责任人、完成时限和完成标准",
		  "2022-01-10", "2022-02-28", 0, 0, 100 },
	/* 2 */ { 0, "各村居（社区）党支部对照全镇清单制定支部书记抓党建工作任务清单",
		  "专题谋划、专门部署、专人负责、专项推动", "2022-02-01", "2022-03-31", 0, 1, 0 },
	/* 3 */ { -1, "持续推进“最强党支部”建设", "紧扣“五强”标准，打造旗级“最强党支部”1个、镇级“最强党支部”8个",
		  "2022-02-01", "2022-11-30", 15, 0, 0 },
	/* 4 */ { 3, "打造旗级“最强党支部”1个", "通过旗委组织部验收", "2022-02-01", "2022-11-30", 1, 0, 100 },
	/* 5 */ { 3, "打造镇级“最强党支部”8个", "镇党委评定8个镇级“最强党支部”", "2022-02-01", "2022-11-30", 2,
		  0, 100 },
	/* 6 */ { -1, "选优配强村居“两委”班子，建立后备干部台账", "两委成员年轻化；储备后备干部不少于30人；"
		  "回村任职大学生定期考核", "2022-01-10", "2022-10-31", 10, 0, 100 },
	/* 7 */ { -1, "开展乡村振兴“比武争星”和“星级管理”评定", "对基层党建、产业兴旺、乡风文明等重点工作综合考评",
		  "2022-03-01", "2022-12-20", 10, 0, 99 },
	/* 8 */ { -1, "摸底排查软弱涣散党组织，跟进相对后进党支部", "排查全覆盖，后进党支部逐一制定整改措施并销号",
		  "2022-03-01", "2022-12-31", 10, 0, 70 },
	/* 9 */ { -1, "深入学习宣传贯彻党的二十大精神", "全镇20个党组织党员培训全覆盖；两期6场次专题培训和宣讲轮训",
		  "2022-10-20", "2022-12-31", 15, 1, 0 },
	/* 10 */ { -1, "推行“党建+网格”治理，开展党员干部“办实事”活动", "网格化管理全覆盖；全镇办实事不少于200项",
		   "2022-03-01", "2022-12-15", 15, 1, 0 },
	/* 11 */ { -1, "规范“三务”公开，加强督查指导", "应公开尽公开，按季度更新公开栏；镇党委、纪委定期审核",
		   "2022-01-10", "2022-12-31", 10, 1, 0 },
	/* 12 */ { -1, "选树宣传先进典型", "评定优秀党务工作者20名、优秀共产党员10名及文明家庭等",
		   "2022-03-01", "2022-07-01", 5, 0, 100 },
};
#define NTOWNSHIP (sizeof(township) / sizeof(township[0]))

#define MAX_BRANCHES 64

struct branches {
	int64_t id[MAX_BRANCHES];
	int n;
};

static int collect(void *arg, const struct org *o)
{
	struct branches *b = arg;

	if (b->n < MAX_BRANCHES && strcmp(o->status, "active") == 0 &&
	    (strcmp(o->kind, "branch") == 0 || strcmp(o->kind, "general_branch") == 0))
		b->id[b->n++] = o->id;
	return 0;
}

/* The org's secretary now, else its first active person; 0 when nobody. */
static int64_t responsible(struct db *db, int64_t org_id)
{
	int64_t id = 0;

	db_query_int(db, &id, "SELECT p.id FROM positions s JOIN people p ON p.id = s.person_id WHERE s.org_id = ?"
		     " AND s.title = 'party_secretary' AND s.ended_on IS NULL AND p.status = 'active'"
		     " ORDER BY s.id LIMIT 1", "i", org_id);
	if (!id)
		db_query_int(db, &id, "SELECT id FROM people WHERE org_id = ? AND status = 'active' ORDER BY id LIMIT 1",
			     "i", org_id);
	return id;
}

/* A report of `pct` on day (text), then nothing else. */
static int report(struct db *db, const struct keys *k, const struct audit_who *who, int64_t item,
		  const char *day, int pct, const char *text)
{
	struct task_report rep = { day, 1, pct, NULL, text, NULL, NULL, 0 };
	struct zb_fail f;
	int64_t id;

	zb_fail_init(&f);
	id = task_report_add(db, k, who, item, &rep, date_to_days((struct ymd){ 2100, 1, 1 }), &f);
	if (id == 0)
		fprintf(stderr, "tasks demo: report refused: %s\n", f.message);
	zb_fail_release(&f);
	return id > 0 ? DB_OK : id < 0 ? (int)id : DB_EGENERIC;
}

/* Accept item on day. */
static int accept(struct db *db, const struct keys *k, const struct audit_who *who, int64_t item,
		  const char *day)
{
	json_t *j = task_item_json(db, item);
	struct zb_fail f;
	int rc;

	if (!j)
		return DB_EGENERIC;
	zb_fail_init(&f);
	rc = task_accept(db, k, who, item, json_integer_value(json_object_get(j, "version")), day,
			 "经镇党委审核，达到完成标准", &f);
	json_decref(j);
	zb_fail_release(&f);
	return rc == TW_OK ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* What branch b reports on the pushed township item t, and whether the township accepts it. */
static int branch_follow(struct db *db, const struct keys *k, const struct audit_who *who, int t, int b,
			 int64_t item)
{
	int rc = DB_OK, pct = 100, acc = 1;
	const char *mid = NULL, *end = NULL, *text = NULL, *acc_day = NULL;

	switch (t) {
	case 2:
		end = "2022-03-20";
		text = "已对照全镇清单制定支部书记抓党建工作任务清单，经支委会研究通过";
		acc_day = "2022-04-10";
		break;
	case 9:
		mid = "2022-11-15";
		end = "2022-12-20";
		text = "组织党员集中学习党的二十大精神，参加宣讲轮训，实现党员全覆盖";
		acc = b % 7 != 3;
		acc_day = "2023-01-10";
		break;
	case 10:
		mid = "2022-06-30";
		end = "2022-12-10";
		text = "网格员入户走访，党员干部为群众办实事，已建立台账";
		pct = b == 4 ? 60 : b == 11 ? 80 : 100;
		acc_day = "2023-01-12";
		break;
	case 11:
		mid = "2022-06-30";
		end = "2022-12-25";
		text = "按季度更新党务、村务、财务公开栏，接受群众监督";
		pct = b == 7 ? 80 : 100;
		acc = b != 2;
		acc_day = "2023-01-15";
		break;
	default:
		return DB_OK;
	}
	if (mid)
		rc = report(db, k, who, item, mid, 50, "按计划推进，已完成阶段性工作");
	if (rc == DB_OK)
		rc = report(db, k, who, item, end, pct, pct == 100 ? text : "工作推进滞后，尚未全部完成");
	if (rc == DB_OK && pct == 100 && acc)
		rc = accept(db, k, who, item, acc_day);
	return rc;
}

int tasks_demo_load(struct db *db, const struct keys *k, const struct audit_who *who, int64_t root_org_id)
{
	struct branches *br = calloc(1, sizeof(*br));
	int64_t ids[NTOWNSHIP], list, gov_person = 0;
	struct org root;
	struct zb_fail f;
	int rc = org_load(db, root_org_id, &root);

	if (rc != 1 || !br) {
		free(br);
		return rc < 0 ? rc : DB_EGENERIC;
	}
	rc = orgs_walk(db, root.path, collect, br);
	if (rc == DB_OK)
		db_query_int(db, &gov_person, "SELECT p.id FROM people p JOIN orgs o ON o.id = p.org_id WHERE"
			     " o.name = '镇机关党支部' AND p.status = 'active' ORDER BY p.id LIMIT 1", "");
	list = rc == DB_OK ? task_list_ensure(db, k, who, root_org_id, 2022, "2022年全镇党建工作重点任务责任清单") : rc;
	if (list < 0) {
		free(br);
		return (int)list;
	}
	zb_fail_init(&f);
	for (size_t i = 0; rc == DB_OK && i < NTOWNSHIP; i++) {
		const struct demo_task *t = &township[i];
		struct task_in in;

		memset(&in, 0, sizeof(in));
		in.list_id = list;
		in.parent_id = t->parent >= 0 ? ids[t->parent] : 0;
		in.title = t->title;
		in.criteria = t->criteria;
		in.start_on = t->start;
		in.due_on = t->due;
		in.has_weight = t->weight > 0;
		in.weight = t->weight;
		in.owner_org_id = root_org_id;
		in.person_id = gov_person;
		ids[i] = task_insert(db, k, who, &in, &f);
		if (ids[i] <= 0) {
			fprintf(stderr, "tasks demo: item %zu refused: %s\n", i, f.message);
			rc = ids[i] < 0 ? (int)ids[i] : DB_EGENERIC;
		}
	}
	/* push down, then each branch fills in its own item */
	for (size_t i = 0; rc == DB_OK && i < NTOWNSHIP; i++) {
		int64_t made[MAX_BRANCHES];

		if (!township[i].push)
			continue;
		rc = task_push(db, k, who, ids[i], br->id, (size_t)br->n, NULL, NULL, NULL, made, &f);
		if (rc == TW_INVALID) {
			fprintf(stderr, "tasks demo: push refused: %s\n", f.message);
			rc = DB_EGENERIC;
		}
		for (int b = 0; rc == DB_OK && b < br->n; b++) {
			int64_t person = responsible(db, br->id[b]);
			if (person)
				rc = db_run(db, "UPDATE task_items SET person_id = ? WHERE id = ?", "ii", person, made[b]);
			if (rc == DB_OK)
				rc = branch_follow(db, k, who, (int)i, b, made[b]);
		}
	}
	/* the township's own leaves */
	for (size_t i = 0; rc == DB_OK && i < NTOWNSHIP; i++) {
		const struct demo_task *t = &township[i];
		if (!t->done)
			continue;
		rc = report(db, k, who, ids[i], t->due, t->done >= 99 ? 100 : t->done,
			    t->done >= 99 ? "已按完成标准完成" : "已排查全镇党组织，2个相对后进党支部整改尚未销号");
		if (rc == DB_OK && t->done == 100) {
			char day[11];
			struct ymd d;
			date_parse_iso(t->due, &d);
			date_format(date_from_days(date_to_days(d) + 10), day);
			rc = accept(db, k, who, ids[i], day);
		}
	}
	/* 督查问效: the 三务公开 item of the eighth branch lags; a rectification is due and still open */
	if (rc == DB_OK && br->n > 7) {
		struct task_supervision sv = { "2022-11-15", "镇纪委督查组", "财务公开缺少10月明细，公开栏未按季度更新",
					       "average", "补齐10月财务公开明细，按季度更新公开栏", "2022-11-30" };
		int64_t item = 0;
		db_query_int(db, &item, "SELECT i.id FROM task_items i JOIN task_lists l ON l.id = i.list_id"
			     " WHERE l.org_id = ? AND i.answers_item_id = ?", "ii", br->id[7], ids[11]);
		if (item) {
			int64_t sid = task_supervise(db, k, who, item, &sv, &f);
			rc = sid > 0 ? DB_OK : sid < 0 ? (int)sid : DB_EGENERIC;
		}
	}
	if (rc == DB_OK && br->n > 0) {
		struct task_supervision sv = { "2022-12-12", "镇党建办", "办实事台账完整，群众满意度高", "good",
					       NULL, NULL };
		int64_t item = 0;
		db_query_int(db, &item, "SELECT i.id FROM task_items i JOIN task_lists l ON l.id = i.list_id"
			     " WHERE l.org_id = ? AND i.answers_item_id = ?", "ii", br->id[0], ids[10]);
		if (item) {
			int64_t sid = task_supervise(db, k, who, item, &sv, &f);
			rc = sid > 0 ? DB_OK : sid < 0 ? (int)sid : DB_EGENERIC;
		}
	}
	zb_fail_release(&f);
	free(br);
	return rc;
}
