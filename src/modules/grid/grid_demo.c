/* grid_demo.c - the demo township's grids, households, visits and 2022 requests: a deterministic pass in which exactly 200 deeds are done, with open, reopened, overdue and escalated ones besides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grid.h"
#include "grid_internal.h"
#include "deeds_internal.h"
#include "../admin/admin.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/date.h"

#define MAX_UNITS 32
#define GRIDS_PER_UNIT 3
#define HH_PER_GRID 8
#define MAX_MEMBERS 128

/* The demo's figure: deeds done (closed as solved) in 2022. */
#define DEMO_DONE_2022 200

struct unit {
	int64_t id;
	char path[256];
	char name[256];
	int community;
	int64_t members[MAX_MEMBERS];
	int nmembers;
	int64_t grid[GRIDS_PER_UNIT];
	int64_t hh[GRIDS_PER_UNIT][HH_PER_GRID];
	int64_t contact[GRIDS_PER_UNIT][HH_PER_GRID];
};

struct demo {
	struct db *db;
	const struct keys *k;
	const struct audit_who *who;
	struct unit u[MAX_UNITS];
	int n;
};

/* Villages and communities (branches and general branches), in path order. */
static int collect(void *arg, const struct org *o)
{
	struct demo *d = arg;
	json_t *j;
	const char *cat;

	if (d->n >= MAX_UNITS || strcmp(o->status, "active") != 0 ||
	    (strcmp(o->kind, "branch") != 0 && strcmp(o->kind, "general_branch") != 0))
		return 0;
	j = org_row_json(d->db, o->id);
	cat = j ? json_string_value(json_object_get(j, "category")) : NULL;
	if (cat && (strcmp(cat, "village") == 0 || strcmp(cat, "community") == 0)) {
		struct unit *u = &d->u[d->n++];
		u->id = o->id;
		snprintf(u->path, sizeof(u->path), "%s", o->path);
		snprintf(u->name, sizeof(u->name), "%s", o->name);
		u->community = strcmp(cat, "community") == 0;
	}
	json_decref(j);
	return 0;
}

static int add_member(void *arg, int64_t person_id, const char *name, int voting)
{
	struct unit *u = arg;

	(void)name;
	(void)voting;
	if (u->nmembers < MAX_MEMBERS)
		u->members[u->nmembers++] = person_id;
	return 0;
}

/* The branch the demo account "gridworker" is granted on, and the account (0 when absent). */
static int64_t gridworker_branch(struct db *db, int64_t *uid)
{
	json_t *u, *roles;
	int64_t org = 0;

	*uid = user_find(db, "gridworker");
	if (*uid <= 0) {
		*uid = 0;
		return 0;
	}
	u = user_json(db, *uid);
	roles = u ? json_object_get(u, "roles") : NULL;
	for (size_t i = 0; i < json_array_size(roles); i++) {
		const json_t *g = json_array_get(roles, i);
		const char *role = json_string_value(json_object_get(g, "role"));
		if (role && strcmp(role, "gridworker") == 0)
			org = json_integer_value(json_object_get(g, "org_id"));
	}
	json_decref(u);
	return org;
}

static const char *const grid_names[GRIDS_PER_UNIT] = { "第一网格", "第二网格", "第三网格" };
static const char *const village_areas[GRIDS_PER_UNIT] = {
	"东片：一组、二组、三组牧户及嘎查委员会周边", "中片：四组、五组、六组及便民超市一带",
	"西片：七组、八组、九组及饮水点周边",
};
static const char *const community_areas[GRIDS_PER_UNIT] = {
	"1-4号楼", "5-8号楼及社区服务中心", "9-12号楼及沿街商铺",
};
static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
					"包", "白", "宝", "敖", "韩", "马", "乌", "其", "哈", "巴" };
static const char *const givens[] = { "建国", "桂兰", "秀英", "志强", "巴特尔", "其其格", "玉兰",
				      "永胜", "淑珍", "宝音", "萨仁", "海军", "凤英", "德力格尔",
				      "金花", "文斌", "斯琴", "红梅", "立新", "图雅" };
static const char *const tag_codes[] = { "dibao", "elderly_alone", "disability", "poverty_watch",
					 "left_behind_child", "veteran" };

/* Tags of the n-th household: about one in four carries one or two. */
static int tags_of(int n, const char *tags[2], int *size)
{
	int k = 0;

	if (n % 7 == 0)
		tags[k++] = tag_codes[0];
	if (n % 9 == 4) {
		tags[k++] = tag_codes[1];
		*size = 1;
	}
	if (k < 2 && n % 13 == 5)
		tags[k++] = tag_codes[2];
	if (k < 2 && n % 11 == 2)
		tags[k++] = tag_codes[3];
	if (k < 2 && n % 17 == 8)
		tags[k++] = tag_codes[4];
	if (k < 2 && n % 23 == 10)
		tags[k++] = tag_codes[5];
	return k;
}

static void day_text(int64_t days, char out[11])
{
	date_format(date_from_days(days), out);
}

static int64_t day_of(int y, int m, int d)
{
	return date_to_days((struct ymd){ y, m, d });
}

/* Grids and households of every unit, the gridworker listed on two grids of its branch. */
static int load_grids(struct demo *d)
{
	int64_t gw_user = 0, gw_org = gridworker_branch(d->db, &gw_user);
	int hn = 0;
	int rc = DB_OK;

	for (int i = 0; rc == DB_OK && i < d->n; i++) {
		struct unit *u = &d->u[i];
		long m = people_org_members(d->db, u->path, add_member, u);
		if (m < 0)
			return (int)m;
		for (int g = 0; rc == DB_OK && g < GRIDS_PER_UNIT; g++) {
			int64_t leader = u->nmembers ? u->members[g % u->nmembers] : 0;
			int64_t worker = u->nmembers > 3 ? u->members[(g + 3) % u->nmembers] : 0;
			int64_t id = grid_demo_grid(d->db, d->k, d->who, u->id, grid_names[g],
						    u->community ? community_areas[g] : village_areas[g], leader,
						    worker ? &worker : NULL, worker ? 1 : 0,
						    u->id == gw_org && g < 2 ? gw_user : 0);
			if (id < 0)
				return (int)id;
			u->grid[g] = id;
			for (int h = 0; h < HH_PER_GRID; h++, hn++) {
				char addr[128], head[64], phone[16];
				const char *tags[2];
				int size = 1 + (hn * 5 + 3) % 6, nt;
				int64_t contact = u->nmembers ? u->members[(g * HH_PER_GRID + h) % u->nmembers] : 0;
				if (u->community)
					snprintf(addr, sizeof(addr), "%d号楼%d单元%d室", g * 4 + 1 + h % 4, 1 + h % 3,
						 101 + (h * 100) % 600 + h % 2);
				else
					snprintf(addr, sizeof(addr), "%d组%d号", g * 3 + 1 + h % 3, 1 + h * 3 + g);
				snprintf(head, sizeof(head), "%s%s", surnames[(hn * 7) % 20], givens[(hn * 11 + 3) % 20]);
				snprintf(phone, sizeof(phone), "139%08d", (hn * 7919 + 1234567) % 100000000);
				nt = tags_of(hn, tags, &size);
				id = grid_demo_household(d->db, d->k, d->who, u->grid[g], addr, size, head,
							 hn % 3 == 0 ? phone : NULL, tags, nt, contact);
				if (id < 0)
					return (int)id;
				u->hh[g][h] = id;
				u->contact[g][h] = contact;
			}
		}
	}
	return rc;
}

static const char *const visit_kinds[] = { "visit", "phone", "visit", "wechat", "visit", "event" };

/*
 * Visits in 2022: most households are visited every few months, the last
 * time in October-December; one in ten (the silent minority) not after
 * August, and one in twenty-five never.
 */
static int load_visits(struct demo *d)
{
	int hn = 0;

	for (int i = 0; i < d->n; i++)
		for (int g = 0; g < GRIDS_PER_UNIT; g++)
			for (int h = 0; h < HH_PER_GRID; h++, hn++) {
				struct unit *u = &d->u[i];
				int silent = hn % 10 == 3, never = hn % 25 == 7;
				int nv = never ? 0 : 2 + hn % 3;
				for (int v = 0; v < nv; v++) {
					char on[11];
					int64_t day = silent ? day_of(2022, 2 + v * 2, 5 + hn % 20) :
						day_of(2022, 12 - (nv - 1 - v) * 3, 1 + (hn * 3 + v) % 20);
					int64_t rc;
					day_text(day, on);
					rc = grid_demo_visit(d->db, d->k, d->who, u->hh[g][h], on, visit_kinds[(hn + v) % 6],
							     v == nv - 1 ? "入户了解近况，无新增诉求" : "走访宣传惠民政策", u->contact[g][h]);
					if (rc < 0)
						return (int)rc;
				}
			}
	return DB_OK;
}

/* ---------------------------------------------------------------- deeds */

static const struct {
	const char *category;
	const char *titles[4];
} deed_titles[] = {
	{ "relief", { "独居老人冬季取暖煤需帮助", "低保户就医报销材料代办", "残疾人辅助器具申请", "脱贫监测户务工信息对接" } },
	{ "volunteer", { "帮助老人代购生活用品", "留守儿童课后作业辅导", "协助牧户接种疫苗登记", "为行动不便老人理发" } },
	{ "infrastructure", { "巷道路灯不亮", "饮水点水管冻裂", "小区下水道堵塞", "村道坑洼需修补" } },
	{ "mediation", { "邻里草场边界纠纷", "楼上漏水引发矛盾", "家庭赡养纠纷调解", "牲畜损坏庄稼赔偿协商" } },
	{ "neighbourly", { "楼道杂物堆放清理", "广场舞噪音协调", "共用院墙修缮协商", "宠物扰民劝导" } },
	{ "policy", { "城乡居民医保缴费咨询", "草原生态补奖政策咨询", "养老保险待遇认证咨询", "危房改造政策咨询" } },
};
#define NCAT (sizeof(deed_titles) / sizeof(deed_titles[0]))

static const char *const channels[] = { "visit", "phone", "wechat", "walk_in", "visit", "phone" };

/* Timestamp of `day` at `minute` minutes after midnight UTC (08:00 China = minute 0). */
static const char *at_ts(char out[24], int64_t day, int minute)
{
	ts_format(day * 86400 + (int64_t)minute * 60, out);
	return out;
}

/* One action at a fixed time; a refusal here is a bug in this file. */
static int act(struct demo *d, int64_t id, const struct deed_action *a, const char *at)
{
	struct deed_ref r;
	struct zb_fail f;
	struct arena ar;
	struct deed_action b = *a;
	int rc = deed_ref_load(d->db, id, &r);

	if (rc != 1)
		return rc < 0 ? rc : DB_EGENERIC;
	arena_init(&ar, 0);
	b.a = &ar;
	zb_fail_init(&f);
	rc = deed_act(d->db, d->k, d->who, id, r.version, &b, at, &f);
	if (rc != DB_OK)
		fprintf(stderr, "grid demo: deed %lld %s refused: %s\n", (long long)id, a->action, f.message);
	zb_fail_release(&f);
	arena_release(&ar);
	return rc == DB_OK ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* The kinds of demo request, in the order they are made. */
enum kind {
	K_DONE,			/* solved, followed up, satisfied */
	K_DONE_NO_FOLLOWUP,	/* solved in late December, follow-up still due */
	K_DONE_AFTER_REOPEN,	/* solved, resident said no, solved again */
	K_DONE_ESCALATED,	/* escalated to the township, then solved */
	K_OTHER_CLOSE,		/* referred / cannot be solved / duplicate */
	K_REOPENED,		/* resident said not solved: back in 办理中 */
	K_OPEN_REGISTERED,	/* overdue in 登记 */
	K_OPEN_ACCEPTED,	/* overdue in 受理 */
	K_OPEN_PROGRESS,	/* overdue in 办理中 */
};

static const struct { enum kind kind; int count; } plan[] = {
	{ K_DONE, 180 },
	{ K_DONE_NO_FOLLOWUP, 4 },
	{ K_DONE_AFTER_REOPEN, 12 },
	{ K_DONE_ESCALATED, 4 },
	{ K_OTHER_CLOSE, 9 },
	{ K_REOPENED, 4 },
	{ K_OPEN_REGISTERED, 3 },
	{ K_OPEN_ACCEPTED, 2 },
	{ K_OPEN_PROGRESS, 3 },
};

static int done_kind(enum kind k)
{
	return k == K_DONE || k == K_DONE_NO_FOLLOWUP || k == K_DONE_AFTER_REOPEN || k == K_DONE_ESCALATED;
}

static int load_deed(struct demo *d, int n, enum kind kind, int nth)
{
	struct unit *u = &d->u[(n * 7) % d->n];
	int g = (n / 3) % GRIDS_PER_UNIT, h = (n * 5) % HH_PER_GRID;
	size_t c = (size_t)(n * 5 + n / 6) % NCAT;
	struct deed_in in;
	struct zb_fail f;
	char at[24], on[11];
	int64_t recv, id;
	struct deed_action a;
	int rc, span = 1 + n % 4;
	static const char *const other[] = { "referred", "cannot_solve", "duplicate" };
	static const char *const other_note[] = { "已转交旗住建部门办理", "超出村级职责且暂无政策依据，已向群众解释", "与此前诉求重复，已合并办理" };

	/* received days: done ones over 4 January - 10 December, open ones in November-December */
	if (kind == K_DONE_NO_FOLLOWUP)
		recv = day_of(2022, 12, 19) + nth;
	else if (done_kind(kind) || kind == K_OTHER_CLOSE)
		recv = day_of(2022, 1, 4) + (int64_t)(n * 340) / 215;
	else
		recv = day_of(2022, 11, 7) + nth * 4;
	while (day_of_week(recv) == 0 || day_of_week(recv) == 6)
		recv++;
	memset(&in, 0, sizeof(in));
	in.org_id = u->id;
	in.grid_id = u->grid[g];
	in.household_id = u->hh[g][h];
	in.member_id = u->contact[g][h];
	in.category = deed_titles[c].category;
	in.channel = channels[n % 6];
	in.title = deed_titles[c].titles[(n / NCAT) % 4];
	in.content = "群众反映的情况已登记，网格员核实后跟进办理。";
	in.resident_name = "";
	day_text(recv, on);
	in.received_on = on;
	at_ts(at, recv, 60 + (n % 8) * 50);
	in.demo_created_at = at;
	zb_fail_init(&f);
	id = deed_insert(d->db, d->k, d->who, &in, at, &f);
	if (id <= 0 || f.err) {
		fprintf(stderr, "grid demo: request %d refused: %s\n", n, f.message);
		zb_fail_release(&f);
		return id < 0 ? (int)id : DB_EGENERIC;
	}
	zb_fail_release(&f);
	if (kind == K_OPEN_REGISTERED)
		return DB_OK;
	memset(&a, 0, sizeof(a));
	a.action = "accept";
	a.note = "已受理，网格员上门核实";
	rc = act(d, id, &a, at_ts(at, recv, 60 + (n % 8) * 50 + 90 + (n % 11) * 60));
	if (rc != DB_OK || kind == K_OPEN_ACCEPTED)
		return rc;
	if (kind == K_DONE_ESCALATED) {
		memset(&a, 0, sizeof(a));
		a.action = "route";
		a.level = "township";
		a.note = "涉及跨村协调，超出支部处理能力，上报镇党委";
		rc = act(d, id, &a, at_ts(at, recv + 1, 120));
		if (rc != DB_OK)
			return rc;
	}
	memset(&a, 0, sizeof(a));
	a.action = "start";
	rc = act(d, id, &a, at_ts(at, recv + 1, 180));
	if (rc != DB_OK || kind == K_OPEN_PROGRESS)
		return rc;
	memset(&a, 0, sizeof(a));
	a.action = "close";
	a.reason = kind == K_OTHER_CLOSE ? other[nth % 3] : "solved";
	a.note = kind == K_OTHER_CLOSE ? other_note[nth % 3] : "已办结，问题解决";
	rc = act(d, id, &a, at_ts(at, recv + span, 420));
	if (rc != DB_OK || kind == K_DONE_NO_FOLLOWUP)
		return rc;
	if (kind == K_DONE_AFTER_REOPEN || kind == K_REOPENED) {
		memset(&a, 0, sizeof(a));
		a.action = "follow_up";
		a.solved = 0;
		a.satisfaction = 2;
		a.note = "回访时群众表示问题仍未彻底解决";
		rc = act(d, id, &a, at_ts(at, recv + span + 2, 120));
		if (rc != DB_OK || kind == K_REOPENED)
			return rc;
		memset(&a, 0, sizeof(a));
		a.action = "close";
		a.reason = "solved";
		a.note = "再次上门处理，问题已解决";
		span += 4;
		rc = act(d, id, &a, at_ts(at, recv + span, 420));
		if (rc != DB_OK)
			return rc;
	}
	memset(&a, 0, sizeof(a));
	a.action = "follow_up";
	a.solved = 1;
	a.satisfaction = kind == K_OTHER_CLOSE ? 3 : 4 + (n % 5 != 0);
	a.note = "电话回访，群众表示满意";
	return act(d, id, &a, at_ts(at, recv + span + 2, 120));
}

static int load_deeds(struct demo *d)
{
	int n = 0, done = 0;

	for (size_t p = 0; p < sizeof(plan) / sizeof(plan[0]); p++)
		for (int i = 0; i < plan[p].count; i++, n++) {
			int rc = load_deed(d, n, plan[p].kind, i);
			if (rc != DB_OK)
				return rc;
			done += done_kind(plan[p].kind);
		}
	if (done != DEMO_DONE_2022) {
		fprintf(stderr, "grid demo: %d deeds done, not %d\n", done, DEMO_DONE_2022);
		return DB_EGENERIC;
	}
	return DB_OK;
}

int grid_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
		   int64_t root_org_id)
{
	struct demo *d = calloc(1, sizeof(*d));
	struct org root;
	int rc;

	if (!d)
		return DB_EGENERIC;
	d->db = db;
	d->k = k;
	d->who = who;
	rc = org_load(db, root_org_id, &root);
	if (rc == 1)
		rc = orgs_walk(db, root.path, collect, d);
	else if (rc == 0)
		rc = DB_EGENERIC;
	if (rc == DB_OK && d->n == 0)
		rc = DB_EGENERIC;
	if (rc == DB_OK)
		rc = load_grids(d);
	if (rc == DB_OK)
		rc = load_visits(d);
	if (rc == DB_OK)
		rc = load_deeds(d);
	free(d);
	return rc;
}
