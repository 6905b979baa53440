/* disclosure_demo.c - the demo township's 2022 disclosures: mostly on time, some late, a few never published, finance tables, a correction, a fake disclosure with its rectification and a talk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "disclosure.h"
#include "disclosure_internal.h"
#include "../orgs/orgs.h"
#include "../../base/arena.h"
#include "../../base/date.h"

#define MAX_ORGS 32

static const char SQL_BRANCHES[] =
	"SELECT id, name, path FROM orgs WHERE path LIKE ? AND status = 'active'"
	" AND kind IN ('branch', 'general_branch') AND category IN ('village', 'community') ORDER BY path";

/* One demo branch. */
struct dorg {
	int64_t id;
	char name[128];
	char path[256];
	int many;	/* finances monthly */
};

struct demo {
	struct db *db;
	const struct keys *k;
	const struct audit_who *who;
	struct arena a;
};

/* The quarter's last day + days, as a timestamp at 10:00 China time. */
static void stamp(int64_t day, char out[24])
{
	char d[11];

	date_format(date_from_days(day), d);
	snprintf(out, 24, "%sT02:00:00Z", d);
}

/*
 * Create, submit, (check), review and publish one disclosure, published at
 * `pub_day` (0 = leave it a draft). Returns the published version's id (or
 * the draft's when not published), or a negative DB_E* / DB_EGENERIC when
 * something was refused (reported on stderr).
 */
static int64_t publish_one(struct demo *D, const struct dorg *o, const char *item, const char *period,
			   const char *title, const char *content, const json_t *finance, int64_t pub_day)
{
	struct zb_fail f;
	struct dver_in in = { title, content, finance };
	struct dver v;
	int64_t did, vid = 0;
	char at[24];
	int rc;

	zb_fail_init(&f);
	did = disclosure_create(D->db, D->k, D->who, &D->a, o->id, o->path, item, period, &in, NULL, 0, &f);
	if (did <= 0)
		goto refused;
	rc = db_query_int(D->db, &vid, "SELECT id FROM disclosure_versions WHERE disclosure_id = ? AND seq = 1",
			  "i", did);
	if (rc != DB_ROW)
		goto refused;
	if (!pub_day) {
		zb_fail_release(&f);
		return vid;
	}
	static const char *const steps[] = { "submitted", "checked", "reviewed" };
	for (size_t s = 0; s < 3; s++) {
		if (s == 1 && strncmp(item, "finance", 7) != 0)
			continue;
		if (dver_load(D->db, &D->a, vid, &v) != 1)
			goto refused;
		rc = dver_step(D->db, D->k, D->who, &D->a, &v, v.version, steps[s], NULL, &f);
		if (rc != DB_OK)
			goto refused;
	}
	if (dver_load(D->db, &D->a, vid, &v) != 1)
		goto refused;
	stamp(pub_day, at);
	rc = dver_publish(D->db, D->k, D->who, &v, v.version, at, &f);
	if (rc != DB_OK)
		goto refused;
	zb_fail_release(&f);
	return vid;
refused:
	{
		json_t *j = zb_fail_json(&f);
		char *s = json_dumps(j, JSON_COMPACT);
		fprintf(stderr, "demo disclosure %s %s %s refused: %s\n", o->name, item, period, s ? s : "");
		free(s);
		json_decref(j);
	}
	zb_fail_release(&f);
	return DB_EGENERIC;
}

/* A finance table for a period: income and expense lines from a fixed pattern. */
static json_t *finance_table(int org, int n, int64_t opening, int64_t *closing)
{
	static const char *const inc[] = { "上级转移支付", "集体土地承包费", "草场流转收入", "村集体经济合作社分红" };
	static const char *const exp[] = { "村干部报酬", "办公经费", "村内道路维修", "环境卫生整治", "困难群众慰问" };
	json_t *il = json_array(), *el = json_array();
	int64_t itot = 0, etot = 0;

	for (int i = 0; i < 3; i++) {
		int64_t amt = (int64_t)(120000 + ((org * 37 + n * 11 + i * 53) % 40) * 5000) * 10;
		json_array_append_new(il, json_pack("{s:s, s:I, s:s}", "name", inc[(i + n) % 4], "amount",
						    (json_int_t)amt, "note", ""));
		itot += amt;
	}
	for (int i = 0; i < 4; i++) {
		int64_t amt = (int64_t)(80000 + ((org * 29 + n * 7 + i * 31) % 40) * 4000) * 10;
		json_array_append_new(el, json_pack("{s:s, s:I, s:s}", "name", exp[(i + n) % 5], "amount",
						    (json_int_t)amt, "note", i == 2 ? "详见工程结算单" : ""));
		etot += amt;
	}
	*closing = opening + itot - etot;
	return json_pack("{s:I, s:o, s:o, s:I, s:I, s:I}", "opening_balance", (json_int_t)opening, "income", il,
			 "expense", el, "income_total", (json_int_t)itot, "expense_total", (json_int_t)etot,
			 "closing_balance", (json_int_t)*closing);
}

static int64_t ymd(int y, int m, int d)
{
	return date_to_days((struct ymd){ y, m, d });
}

/* The last day of quarter q of 2022. */
static int64_t quarter_end(int q)
{
	static const int last[] = { 31, 30, 30, 31 };
	return ymd(2022, q * 3, last[q - 1]);
}

/*
 * The fate of org i's item j in period n: 0 = never published, else the
 * days after the period's end it was published (<= 10 on time, > 10 late).
 */
static int fate(int i, int j, int n)
{
	if ((i == 3 && j == 1 && n == 2) || (i == 7 && j == 0 && n >= 3) || (i == 10 && j == 2 && n == 4) ||
	    (i == 5 && j == 1 && n == 4))
		return 0;
	if ((i * 3 + j * 5 + n) % 9 == 0)
		return 24;	/* late */
	return 3 + (i + n) % 6;
}

int disclosure_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
			 int64_t root_org_id)
{
	struct org root;
	struct dorg orgs[MAX_ORGS];
	int norg = 0, rc = DB_OK;
	struct demo D = { db, k, who, { 0 } };
	struct db_stmt *st;
	int64_t fake_vid = 0, corr_vid = 0;

	if (org_load(db, root_org_id, &root) != 1)
		return DB_EGENERIC;
	st = db_prepare(db, SQL_BRANCHES);
	if (!st)
		return DB_EGENERIC;
	{
		char like[270];
		snprintf(like, sizeof(like), "%s%%", root.path);
		db_bind_text(st, 1, like);
	}
	while (norg < MAX_ORGS && (rc = db_step(st)) == DB_ROW) {
		orgs[norg].id = db_col_int(st, 0);
		snprintf(orgs[norg].name, sizeof(orgs[0].name), "%s", db_col_text(st, 1));
		snprintf(orgs[norg].path, sizeof(orgs[0].path), "%s", db_col_text(st, 2));
		orgs[norg].many = strstr(orgs[norg].name, "红柳湾") != NULL;	/* the busy general branch */
		norg++;
	}
	db_finalize(st);
	if (rc != DB_DONE && rc != DB_ROW)
		return rc;
	rc = DB_OK;
	arena_init(&D.a, 0);
	for (int i = 0; rc == DB_OK && i < norg; i++) {
		const struct dorg *o = &orgs[i];
		int64_t balance = 3000000 + (int64_t)i * 125000;
		char now[24];

		if (o->many) {
			ts_now(now);
			rc = db_run(db, "INSERT INTO disclosure_org_settings (org_id, many_transactions, updated_at)"
					" VALUES (?, 1, ?)", "is", o->id, now);
		}
		for (int q = 1; rc == DB_OK && q <= 4; q++) {
			char period[16], title[200], content[1200];
			int d;

			snprintf(period, sizeof(period), "2022-Q%u", (unsigned)q % 10u);
			/* 党务 */
			d = fate(i, 0, q);
			snprintf(title, sizeof(title), "%s2022年第%d季度党务公开", o->name, q);
			snprintf(content, sizeof(content),
				 "<h3>一、组织建设</h3><p>本季度召开支部党员大会1次、支部委员会3次，开展主题党日活动3次。</p>"
				 "<h3>二、党员发展</h3><p>本季度确定入党积极分子%d名。</p>"
				 "<h3>三、监督电话</h3><p>镇纪委监督电话：0483-8123456</p>", (i + q) % 3);
			if (d && publish_one(&D, o, "party_affairs", period, title, content, NULL,
					     quarter_end(q) + d) < 0)
				rc = DB_EGENERIC;
			/* 村务 */
			d = fate(i, 1, q);
			snprintf(title, sizeof(title), "%s2022年第%d季度村务公开", o->name, q);
			snprintf(content, sizeof(content),
				 "<h3>一、村民代表会议决定事项</h3><ul><li>草场禁牧补助发放方案</li><li>村内道路硬化项目</li></ul>"
				 "<h3>二、惠农补贴发放情况</h3><p>本季度发放各类补贴%d户，明细见公开栏。</p>", 20 + (i * 7 + q) % 30);
			if (rc == DB_OK && d) {
				int64_t vid = publish_one(&D, o, "village_affairs", period, title, content, NULL,
							  quarter_end(q) + d);
				if (vid < 0)
					rc = DB_EGENERIC;
				if (i == 0 && q == 2)
					corr_vid = vid;
				if (i == 1 && q == 3)
					fake_vid = vid;
			}
			/* 财务 (quarterly; the busy one monthly below) */
			if (rc == DB_OK && !o->many && (d = fate(i, 2, q)) != 0) {
				int64_t closing;
				json_t *fin = finance_table(i, q, balance, &closing);
				snprintf(title, sizeof(title), "%s2022年第%d季度财务收支公开", o->name, q);
				snprintf(content, sizeof(content), "<p>本季度财务收支情况如下表，经村务监督委员会和民主理财小组审核。</p>");
				if (publish_one(&D, o, "finance_quarterly", period, title, content, fin,
						quarter_end(q) + d) < 0)
					rc = DB_EGENERIC;
				json_decref(fin);
				balance = closing;
			}
		}
		for (int m = 1; rc == DB_OK && o->many && m <= 12; m++) {
			char period[16], title[200];
			int64_t closing, end = (m == 12 ? ymd(2023, 1, 1) : ymd(2022, m + 1, 1)) - 1;
			json_t *fin = finance_table(i, m, balance, &closing);
			snprintf(period, sizeof(period), "2022-%02u", (unsigned)m % 100u);
			snprintf(title, sizeof(title), "%s2022年%d月财务收支公开", o->name, m);
			if (publish_one(&D, o, "finance_monthly", period, title,
					"<p>本月财务收支情况如下表。</p>", fin, end + (m == 7 ? 18 : 4)) < 0)
				rc = DB_EGENERIC;
			json_decref(fin);
			balance = closing;
		}
		/* the yearly items of 2022, published in January 2023 */
		if (rc == DB_OK && i != 7) {
			char title[200];
			snprintf(title, sizeof(title), "%s2022年度党费收缴、使用和管理情况", o->name);
			if (publish_one(&D, o, "party_dues", "2022", title,
					"<p>2022年度应收党费、实收党费及使用情况见下表，无挪用。</p>"
					"<table><tr><th>项目</th><th>金额（元）</th></tr><tr><td>实收党费</td><td>1860.00</td></tr></table>",
					NULL, ymd(2023, 1, 15 + i % 10)) < 0)
				rc = DB_EGENERIC;
		}
		arena_reset(&D.a);
	}

	/* a correction with its reason: the Q2 village affairs of the first branch */
	if (rc == DB_OK && corr_vid > 0) {
		struct zb_fail f;
		struct dver v;
		struct dver_in in = { NULL, NULL, NULL };
		int64_t nv;
		zb_fail_init(&f);
		if (dver_load(db, &D.a, corr_vid, &v) == 1) {
			in.title = v.title;
			in.content = "<h3>一、村民代表会议决定事项</h3><ul><li>草场禁牧补助发放方案</li><li>村内道路硬化项目（2.3公里）</li></ul>"
				     "<h3>二、惠农补贴发放情况</h3><p>本季度发放各类补贴41户，明细见公开栏。</p>";
			nv = dver_correct(db, k, who, &D.a, &v, v.version, "补贴发放户数统计有误（原公开38户，实为41户），并补充道路长度",
					  &in, NULL, 0, &f);
			if (nv > 0) {
				static const char *const steps[] = { "submitted", "reviewed" };
				for (int s = 0; rc == DB_OK && s < 2; s++) {
					rc = dver_load(db, &D.a, nv, &v) == 1 ? DB_OK : DB_EGENERIC;
					if (rc == DB_OK)
						rc = dver_step(db, k, who, &D.a, &v, v.version, steps[s], NULL, &f);
				}
				if (rc == DB_OK && dver_load(db, &D.a, nv, &v) == 1)
					rc = dver_publish(db, k, who, &v, v.version, "2022-08-02T02:00:00Z", &f);
			} else {
				rc = nv < 0 ? (int)nv : DB_EGENERIC;
			}
		}
		if (rc != DB_OK)
			fprintf(stderr, "demo disclosure correction refused: %s\n", f.message);
		zb_fail_release(&f);
	}

	/* a fake disclosure found by the discipline committee, rectified, and a talk */
	if (rc == DB_OK && fake_vid > 0) {
		struct dver v;
		struct dfinding_in in;
		int64_t fid, ver = 0;
		if (dver_load(db, &D.a, fake_vid, &v) != 1) {
			rc = DB_EGENERIC;
		} else {
			memset(&in, 0, sizeof(in));
			in.org_id = v.org_id;
			in.item = v.item;
			in.period = v.period;
			in.kind = "fake";
			in.source = "manual";
			in.severity = "high";
			in.disclosure_id = v.disclosure_id;
			in.text = "第三季度村务公开栏实际张贴的是第二季度内容，系统内公开与公开栏不一致（假公开）";
			in.evidence = "2022年10月18日镇纪委现场检查公开栏照片3张及检查记录";
			in.found_on = "2022-10-18";
			in.found_by = "reviewer";
			in.deadline = "2022-10-25";
			fid = dfinding_insert(db, k, who, &in);
			rc = fid < 0 ? (int)fid : DB_OK;
			if (rc == DB_OK)
				rc = db_query_int(db, &ver, "SELECT version FROM disclosure_findings WHERE id = ?", "i", fid)
					== DB_ROW ? DB_OK : DB_EGENERIC;
			if (rc == DB_OK)
				rc = dfinding_done(db, k, who, fid, ver, "2022-10-22",
						   "已重新张贴第三季度村务公开内容并拍照留存，支部书记作出书面说明");
			if (rc == DB_OK) {
				int64_t aid = dfinding_accountability(db, k, who, v.org_id, fid, "talk", "支部书记",
								      "镇纪委书记", "2022-10-28",
								      "就假公开问题约谈支部书记，责令举一反三");
				rc = aid < 0 ? (int)aid : DB_OK;
			}
		}
	}
	arena_release(&D.a);
	return rc;
}
