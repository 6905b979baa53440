/* report_draft.c - the annual report's text drafted from the figures and findings, merged with the sections people edited, and rendered with the figures filled in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report_internal.h"
#include "../orgs/orgs.h"
#include "../rules/findings.h"
#include "../../base/arena.h"
#include "../../base/buf.h"
#include "../../base/date.h"

const struct report_section_def report_sections[] = {
	{ "opening", NULL, 0, NULL },
	{ "duty_org", "（一）以加强党组织建设为抓手，筑牢高质量发展根基。", 2, "一、履职情况" },
	{ "duty_team", "（二）以选优配强支部班子为抓手，激发基层党组织活力。", 2, NULL },
	{ "duty_study", "（三）以强化理论武装为抓手，夯实基层治理基础。", 2, NULL },
	{ "duty_mechanism", "（四）以创新机制务实高效为抓手，深化体制机制建立。", 2, NULL },
	{ "problems", NULL, 0, "二、存在的问题" },
	{ "next_steps", NULL, 0, "三、下一步工作思路" },
	{ NULL, NULL, 0, NULL },
};

/* The sections people edited for (org, year): section, text, reset, version, by, at. */
static const char SQL_EDITS[] =
	"SELECT section, text, reset, version, updated_by, updated_at FROM report_sections"
	" WHERE org_id = ? AND year = ?";

const struct report_section_def *report_section_find(const char *key)
{
	for (const struct report_section_def *d = report_sections; key && d->key; d++)
		if (strcmp(d->key, key) == 0)
			return d;
	return NULL;
}

/* The value of a figure key ("reserve_cadres", "honours.文明家庭") in figures, or NULL. */
static const json_t *figure_of(const json_t *figures, const char *key)
{
	if (strncmp(key, "honours.", 8) == 0)
		return json_object_get(json_object_get(figures, "honours"), key + 8);
	if (key[0] == '_')
		return NULL;
	return json_object_get(figures, key);
}

static int64_t fv(const json_t *figures, const char *key)
{
	return json_integer_value(json_object_get(figure_of(figures, key), "value"));
}

/* Append a text segment to the paragraph (merging with a text segment before it). */
static void seg_text(json_t *para, const char *s, size_t n)
{
	json_t *last = json_array_get(para, json_array_size(para) - 1);

	if (!n)
		return;
	if (last && !json_object_get(last, "figure")) {
		const char *old = json_string_value(json_object_get(last, "text"));
		size_t ol = strlen(old);
		char *joined = malloc(ol + n + 1);
		if (!joined)
			return;
		memcpy(joined, old, ol);
		memcpy(joined + ol, s, n);
		joined[ol + n] = '\0';
		json_object_set_new(last, "text", json_string(joined));
		free(joined);
		return;
	}
	json_array_append_new(para, json_pack("{s:s%}", "text", s, n));
}

const char *report_render(struct arena *a, const char *text, const json_t *figures, json_t *segments)
{
	struct buf out;
	json_t *para = segments ? json_array() : NULL;
	const char *p = text, *res;

	buf_init(&out, 0);
	while (*p) {
		const char *open = strstr(p, "{{"), *nl = strchr(p, '\n'), *close;
		if (nl && (!open || nl < open)) {
			buf_add(&out, p, (size_t)(nl - p));
			buf_putc(&out, '\n');
			if (para) {
				seg_text(para, p, (size_t)(nl - p));
				json_array_append_new(segments, para);
				para = json_array();
			}
			p = nl + 1;
			continue;
		}
		if (!open) {
			buf_puts(&out, p);
			if (para)
				seg_text(para, p, strlen(p));
			break;
		}
		close = strstr(open + 2, "}}");
		if (!close || (nl && close > nl)) {
			/* not a placeholder: keep the braces as written */
			buf_add(&out, p, (size_t)(open + 2 - p));
			if (para)
				seg_text(para, p, (size_t)(open + 2 - p));
			p = open + 2;
			continue;
		}
		buf_add(&out, p, (size_t)(open - p));
		if (para)
			seg_text(para, p, (size_t)(open - p));
		{
			char *key = arena_strndup(a, open + 2, (size_t)(close - open - 2));
			const json_t *f = figure_of(figures, key);
			const json_t *v = json_object_get(f, "value");
			if (json_is_integer(v)) {
				char num[32];
				snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
				buf_puts(&out, num);
				if (para)
					json_array_append_new(para, json_pack("{s:s, s:s, s:O?}", "text",
						num, "figure", key, "link", json_object_get(f, "link")));
			} else {
				buf_add(&out, open, (size_t)(close + 2 - open));
				if (para)
					seg_text(para, open, (size_t)(close + 2 - open));
			}
		}
		p = close + 2;
	}
	if (para)
		json_array_append_new(segments, para);
	res = arena_strdup(a, out.data ? out.data : "");
	buf_release(&out);
	return res;
}

/* ---------------------------------------------------------------- the draft text */

struct draft_ctx {
	struct arena *a;
	const struct org *o;
	int year;
	const json_t *figs;
	const char *area;	/* 全镇 / 全旗 / 本支部 */
};

static const char *gen_opening(const struct draft_ctx *d)
{
	return arena_printf(d->a,
		"%d年以来，%s坚持以“党建引领高质量发展”为统领，以实效促“揭榜领题”为导向，以创新推动“三强三优”工程为基础，"
		"全面围绕上级党委经济社会发展各项部署，坚持靶向思维、定向施策，注重创新、追求实效，着力打造一批政治功能强、"
		"队伍建设强、组织生活强、作用发挥强、群众工作强的“最强党支部”，不断推进基层党建工作提质量、强效果。",
		d->year, d->o->name);
}

static const char *gen_duty_org(const struct draft_ctx *d)
{
	struct buf b;
	const char *s;

	buf_init(&b, 0);
	buf_printf(&b, "一是强化组织领导，明确责任分工。针对重点工作任务，采取逐条逐项分解任务的方式，全面落实工作责任到人，"
		   "持续跟踪问效。%s{{party_orgs}}个党组织对照重点任务责任清单制定党支部书记抓党建工作任务清单，对党建重点工作专题谋划、"
		   "专门部署、专人负责、专项推动，全方位补齐党建工作短板，激活党组织内生动力。"
		   "二是坚持固本强基，夯实战斗堡垒。紧扣“五强”建设标准，持续推进最强党支部建设，", d->area);
	if (fv(d->figs, "strongest_banner") || fv(d->figs, "strongest_township"))
		buf_puts(&b, "打造旗级“最强党支部”{{strongest_banner}}个，镇级“最强党支部”{{strongest_township}}个，");
	buf_puts(&b, "党支部战斗堡垒作用通过“创先争优”模式得到发挥，进一步强政治、强作风、强作用和优职能、优队伍、优保障，"
		 "不断提升基层党组织的政治功能和组织凝聚力。");
	s = arena_strdup(d->a, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

static const char *gen_duty_team(const struct draft_ctx *d)
{
	struct buf b;
	const char *s;

	buf_init(&b, 0);
	buf_puts(&b, "一是坚持党建引领，选优配强“领头雁”。持续推进村居“两委”成员年龄结构年轻化，现有80后成员{{team_born_1980s}}人，"
		 "90后成员{{team_born_1990s}}人，大专及以上学历{{team_college_or_above}}人，实现学历、年龄、能力三方面优化。");
	if (fv(d->figs, "selected_graduates"))
		buf_puts(&b, "截至目前，在职在岗选调生{{selected_graduates}}名，下派到村居任职，为村居发展注入新活力。");
	buf_puts(&b, "建立后备干部台账，共储备后备干部{{reserve_cadres}}人，畅通村居（社区）级干部队伍建设源头活水。"
		 "二是强素质提能力，实战实训转作风。把“星级管理”评定和“比武争星”有机结合，对基层党建、产业兴旺、乡风文明等"
		 "重点工作进展情况进行综合考评，让各党支部在比武中找差距。");
	if (fv(d->figs, "weak_branches"))
		buf_puts(&b, "摸底排查软弱涣散党组织{{weak_branches}}个，逐个制定整顿措施、跟进整改，");
	else
		buf_puts(&b, "进一步摸底排查软弱涣散党组织，及时跟进相对后进党支部各项工作，");
	buf_puts(&b, "确保每个党支部都是能打胜仗的好组织、强组织。");
	s = arena_strdup(d->a, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

static const char *gen_duty_study(const struct draft_ctx *d)
{
	struct buf b;
	const json_t *titles = json_object_get(d->figs, "_training_titles");
	const char *s;
	size_t i, n = json_array_size(titles);

	buf_init(&b, 0);
	buf_puts(&b, "一是狠抓理论武装，共筑战斗堡垒。各党支部定期召开党员大会、集中学习会议、讲好专题党课，"
		 "通过集中学、线上学、宣讲学等形式，深入开展习近平新时代中国特色社会主义思想学习教育，");
	if (fv(d->figs, "orgs_fully_trained") == fv(d->figs, "party_orgs") && fv(d->figs, "party_orgs") > 0)
		buf_printf(&b, "实现对%s{{orgs_fully_trained}}个党组织党员的培训全覆盖。", d->area);
	else
		buf_printf(&b, "%s{{party_orgs}}个党组织中{{orgs_fully_trained}}个实现党员培训全覆盖。", d->area);
	if (fv(d->figs, "training_classes")) {
		buf_puts(&b, "累计开展");
		for (i = 0; i < n && i < 4; i++)
			buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? "和" : "、",
				   json_string_value(json_array_get(titles, i)));
		buf_puts(&b, n > 4 ? "等培训" : "");
		buf_puts(&b, "{{training_classes}}期{{training_sessions}}场次，不断强化学习效果，提高党员的政治判断力、"
			 "政治领悟力和政治执行力。");
	}
	buf_puts(&b, "二是织密党建网格，赋能基层社会治理。将网格建立在党支部与党员的基础上，强化“党建+网格”治理模式，"
		 "坚持以志愿服务、帮扶救助、矛盾化解、邻里和谐为支撑点，积极开展党员干部“办实事”活动。"
		 "截至目前，共计办实事{{deeds_done}}项，有效解决群众的急难愁盼问题。");
	s = arena_strdup(d->a, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

static const char *gen_duty_mechanism(const struct draft_ctx *d)
{
	struct buf b;
	const json_t *h = json_object_get(d->figs, "honours"), *v;
	const char *s, *label;
	int first = 1;

	buf_init(&b, 0);
	buf_puts(&b, "一是规范制度运行，加强督查指导。坚持“正确方向，发扬民主，积极稳妥，依法依规，注重实效”的“三务”公开原则，"
		 "把与党员、群众切身利益相关的事项及时公开，");
	if (fv(d->figs, "disclosure_due"))
		buf_puts(&b, "全年应公开事项{{disclosure_due}}期，已公开{{disclosure_published}}期，");
	buf_puts(&b, "定期查看是否存在应公开未公开、假公开、公开不到位等问题，及时发现，立行立改，对落后的党支部进行约谈。"
		 "二是强化激励机制，激发党员活力。将典型选树作为推动党员正向激励的重要力量，大力培育、选树、宣传先进典型。");
	if (json_object_size(h)) {
		buf_printf(&b, "%d年以来，综合评定", d->year);
		json_object_foreach((json_t *)h, label, v) {
			buf_printf(&b, "%s“%s”{{honours.%s}}%s", first ? "" : "、", label, label,
				   json_string_value(json_object_get(v, "unit")));
			first = 0;
		}
		buf_puts(&b, "，");
	}
	buf_puts(&b, "以身边事教育身边人，用先进典型的榜样作用，激发党员干部干事创业的激情。");
	s = arena_strdup(d->a, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

/* One problem sentence per kind of finding, in this order. */
static const struct {
	const char *subject;
	const char *key;
	const char *label;
	const char *text;
} problem_kinds[] = {
	{ "meeting", "findings_meeting", "组织生活方面的问题",
	  "组织生活落实不够经常。“三会一课”等组织生活仍有应开未开、逾期召开的情况，共{{findings_meeting}}项，"
	  "指导支部抓学习和党建工作质量不高。" },
	{ "task", "findings_task", "重点任务方面的问题",
	  "传导压力不够。重点任务推进中仍有逾期未完成或跟踪问效不到位的事项{{findings_task}}项，"
	  "督促指导、评估问效的力度不大，抓经常、经常抓的工作氛围不浓厚。" },
	{ "disclosure", "findings_disclosure", "三务公开方面的问题",
	  "“三务”公开还不够规范。仍有应公开未公开、公开不及时或公开不到位的问题{{findings_disclosure}}项。" },
	{ "deed,visit", "findings_grid", "网格治理方面的问题",
	  "党建引领网格治理还有短板。群众诉求办理超时、入户走访不到位等问题{{findings_grid}}项，"
	  "对“沉默的少数”关注不够。" },
	{ "member", "findings_member", "党员队伍管理方面的问题",
	  "党员队伍管理还不够精细。发展党员、党费收缴、组织关系转接等方面的问题{{findings_member}}项。" },
};

static int subject_in(const char *subject, const char *list)
{
	size_t n = strlen(subject);

	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, subject, n) == 0)
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static const char *const ordinals[] = { "一", "二", "三", "四", "五", "六", "七", "八", "九", "十" };

/*
 * The problems: the year's findings by kind, weak branches, low stars and
 * branch status, each a numbered sentence with its figures (added to figs).
 * With nothing found, the usual self-criticism of the seed.
 */
static const char *gen_problems(const struct draft_ctx *d, json_t *figs, const struct findings *fs,
				const json_t *status)
{
	struct buf b;
	int n = 0;
	const char *s;
	const json_t *counts = json_object_get(status, "counts");

	buf_init(&b, 0);
	for (size_t k = 0; k < sizeof(problem_kinds) / sizeof(problem_kinds[0]); k++) {
		int64_t c = 0;
		for (size_t i = 0; i < fs->n; i++)
			if (subject_in(fs->v[i].subject, problem_kinds[k].subject))
				c++;
		json_object_set_new(figs, problem_kinds[k].key, json_pack("{s:I, s:s, s:s, s:s, s:s}",
			"value", (json_int_t)c, "label", problem_kinds[k].label, "unit", "项",
			"formula", arena_printf(d->a, "%d年12月31日（当年则为今天）规则引擎对本组织及下级给出的该类问题（缺少、逾期、不完整等）项数",
						d->year),
			"link", arena_printf(d->a, "/todo?org=%lld&subject=%s", (long long)d->o->id,
					     problem_kinds[k].subject)));
		if (c > 0 && n < 9)
			buf_printf(&b, "%s是%s", ordinals[n++], problem_kinds[k].text);
	}
	json_object_set_new(figs, "branches_red", json_pack("{s:I, s:s, s:s, s:s, s:s}",
		"value", json_integer_value(json_object_get(counts, "red")), "label", "红色（问题较重）党组织",
		"unit", "个", "formula", FINDINGS_STATUS_RULE,
		"link", arena_printf(d->a, "/compliance?org=%lld", (long long)d->o->id)));
	json_object_set_new(figs, "branches_yellow", json_pack("{s:I, s:s, s:s, s:s, s:s}",
		"value", json_integer_value(json_object_get(counts, "yellow")), "label", "黄色（有问题）党组织",
		"unit", "个", "formula", FINDINGS_STATUS_RULE,
		"link", arena_printf(d->a, "/compliance?org=%lld", (long long)d->o->id)));
	if (fv(figs, "weak_branches") || fv(figs, "low_star_branches") || fv(figs, "branches_red")) {
		buf_printf(&b, "%s是工作开展不平衡。", ordinals[n++]);
		if (fv(figs, "weak_branches"))
			buf_puts(&b, "仍有软弱涣散党组织{{weak_branches}}个需要持续整顿，");
		if (fv(figs, "low_star_branches"))
			buf_puts(&b, "星级评定中二星及以下的党组织{{low_star_branches}}个，");
		if (fv(figs, "branches_red"))
			buf_puts(&b, "问题较多、状态为红色的党组织{{branches_red}}个，");
		buf_puts(&b, "后进支部转化提升的力度还需加大。");
	}
	if (n < 9)
		buf_printf(&b, "%s是统筹推进不力。抓示范、抓典型引领方面下的功夫少，对党建亮点、党建品牌复制、推广的力度不大，"
			   "学典型、做典型的浓厚氛围没有完全形成。", ordinals[n++]);
	if (n == 1) {
		buf_reset(&b);
		buf_puts(&b, "一是大抓党建的意识不强。对新形势下全面加强党的建设研究思考不深入，工作开展不平衡。"
			 "二是传导压力不够。对党建工作研究谋划不深入，压力传导不紧，督促指导、评估问效的力度不大。"
			 "三是统筹推进不力。抓示范、抓典型引领方面下的功夫少，学典型、做典型的浓厚氛围没有完全形成。");
	}
	s = arena_strdup(d->a, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

/* The starting template of the plan: a person rewrites it. */
static const char NEXT_STEPS[] =
	"一是坚持把政治建设摆在首位，牢牢把握正确方向。一要提高政治能力。深刻领悟“两个确立”的决定性意义，增强“四个意识”，"
	"坚定“四个自信”，做到“两个维护”，不断提高政治判断力、政治领悟力和政治执行力。二要增强思想自觉。坚持学深悟透党的"
	"创新理论，切实用党的创新理论武装头脑、指导实践、推动工作。三要强化责任担当。认真履行全面从严治党政治责任，"
	"切实扛起抓基层党建第一责任人的职责，履行好“一岗双责”。\n"
	"二是坚持把问题导向贯穿始终，加快补齐短板弱项。一是抓基础促提升。抓实“三会一课”，抓好党性教育，确保党内政治生活"
	"的政治性、原则性、规范性不断增强。二是抓班子带队伍。树牢“带头”意识，加强党员干部队伍建设，树牢“团结”意识。"
	"三是抓创新促发展。加强新经济组织、新社会组织、新就业群体党的建设，把党的组织体系织得更加严密。\n"
	"三是坚持用系统观念谋划落实，推进党建业务协同发展。一要融入发展大局，切实把党的组织优势转化为发展优势。"
	"二要紧扣群众需求，特别要高度关注“沉默的少数”，解决好人民群众“急难愁盼”问题。三要聚焦基层治理，在网格管理、"
	"数字化赋能、干部队伍建设等方面下功夫，集民智民慧、聚民心民力。";

/* Findings and branch status of the subtree at the year's end (today for the current year). */
static json_t *collect_findings(struct db *db, struct arena *a, const struct org *o, int year,
				struct findings *fs, int *rc)
{
	struct scope s = { 0 };
	struct findings_query q;
	struct ymd today = date_today_cn();
	struct ymd end = { year, 12, 31 };
	json_t *status;

	s.n = 1;
	s.paths[0] = o->path;
	memset(&q, 0, sizeof(q));
	q.db = db;
	q.a = a;
	q.s = &s;
	q.as_of = date_to_days(end) < date_to_days(today) ? date_to_days(end) : date_to_days(today);
	q.reasons_max = 1;	/* the draft uses the counts; the reasons are in fs */
	*rc = findings_collect(NULL, &q, NULL, fs);
	if (*rc != DB_OK)
		return NULL;
	status = findings_status_json(&q, fs, rc);
	return status;
}

/* The generated text of every section into gen (key -> text); figures from findings added to figs. */
static int generate(struct db *db, struct arena *a, const struct org *o, int year, json_t *figs,
		    json_t *gen)
{
	struct draft_ctx d = { a, o, year, figs, "本支部" };
	struct findings fs;
	json_t *status;
	int rc;

	if (strcmp(o->kind, "township_committee") == 0)
		d.area = "全镇";
	else if (strcmp(o->kind, "banner_committee") == 0)
		d.area = "全旗";
	else if (strcmp(o->kind, "general_branch") == 0)
		d.area = "本总支";
	findings_init(&fs, a);
	status = collect_findings(db, a, o, year, &fs, &rc);
	if (!status) {
		findings_free(&fs);
		return rc < 0 ? rc : DB_EGENERIC;
	}
	json_object_set_new(gen, "opening", json_string(gen_opening(&d)));
	json_object_set_new(gen, "duty_org", json_string(gen_duty_org(&d)));
	json_object_set_new(gen, "duty_team", json_string(gen_duty_team(&d)));
	json_object_set_new(gen, "duty_study", json_string(gen_duty_study(&d)));
	json_object_set_new(gen, "duty_mechanism", json_string(gen_duty_mechanism(&d)));
	json_object_set_new(gen, "problems", json_string(gen_problems(&d, figs, &fs, status)));
	json_object_set_new(gen, "next_steps", json_string(NEXT_STEPS));
	json_decref(status);
	findings_free(&fs);
	return DB_OK;
}

json_t *report_annual(struct db *db, struct arena *a, const struct org *o, int year, int *rc)
{
	json_t *figs = report_figures(db, a, o, year, rc), *gen, *edits, *out, *sections, *values;
	struct db_stmt *st;
	const char *key;
	json_t *v;

	if (!figs)
		return NULL;
	gen = json_object();
	edits = json_object();
	*rc = generate(db, a, o, year, figs, gen);
	st = *rc == DB_OK ? db_prepare(db, SQL_EDITS) : NULL;
	if (*rc == DB_OK && !st)
		*rc = DB_EGENERIC;
	if (st) {
		db_bindf(st, "ii", o->id, (int64_t)year);
		while ((*rc = db_step(st)) == DB_ROW)
			json_object_set_new(edits, db_col_text(st, 0), json_pack("{s:s, s:b, s:I, s:s, s:s}",
				"text", db_col_text(st, 1), "reset", (int)db_col_int(st, 2),
				"version", (json_int_t)db_col_int(st, 3), "updated_by", db_col_text(st, 4),
				"updated_at", db_col_text(st, 5)));
		db_finalize(st);
		*rc = *rc == DB_DONE ? DB_OK : *rc < 0 ? *rc : DB_EGENERIC;
	}
	if (*rc != DB_OK) {
		json_decref(figs);
		json_decref(gen);
		json_decref(edits);
		return NULL;
	}

	sections = json_array();
	for (const struct report_section_def *d = report_sections; d->key; d++) {
		const json_t *e = json_object_get(edits, d->key);
		int edited = e && !json_is_true(json_object_get(e, "reset"));
		const char *g = json_string_value(json_object_get(gen, d->key));
		const char *text = edited ? json_string_value(json_object_get(e, "text")) : g;
		json_t *paras = json_array();
		const char *rendered = report_render(a, text, figs, paras);
		json_array_append_new(sections, json_pack("{s:s, s:s?, s:i, s:s?, s:s, s:s, s:b, s:I, s:O?, s:O?, s:o, s:s}",
			"key", d->key, "heading", d->heading, "level", d->level, "part", d->part,
			"text", text, "generated", g, "edited", edited,
			"version", (json_int_t)(e ? json_integer_value(json_object_get(e, "version")) : 0),
			"updated_by", e ? json_object_get(e, "updated_by") : NULL,
			"updated_at", e ? json_object_get(e, "updated_at") : NULL,
			"paragraphs", paras, "rendered", rendered));
	}
	json_object_del(figs, "_training_titles");
	values = json_object();
	json_object_foreach(figs, key, v) {
		if (strcmp(key, "honours") == 0) {
			json_t *h = json_object(), *hv;
			const char *hk;
			json_object_foreach(v, hk, hv)
				json_object_set(h, hk, json_object_get(hv, "value"));
			json_object_set_new(values, key, h);
		} else {
			json_object_set(values, key, json_object_get(v, "value"));
		}
	}
	out = json_pack("{s:I, s:s, s:s, s:i, s:s, s:o, s:o, s:o}", "org_id", (json_int_t)o->id,
			"org_name", o->name, "org_kind", o->kind, "year", year,
			"title", arena_printf(a, "%d年党组织书记抓基层党建及述责述廉述职报告", year),
			"figures", figs, "values", values, "sections", sections);
	json_decref(gen);
	json_decref(edits);
	*rc = DB_OK;
	return out;
}
