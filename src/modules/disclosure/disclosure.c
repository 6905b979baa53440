/* disclosure.c - disclosures and their versions: the catalogue, saving drafts, the review steps, publication into the transparency log, corrections, and their JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "disclosure.h"
#include "disclosure_internal.h"
#include "dlog.h"
#include "../files/files.h"
#include "../../auth/audit.h"
#include "../../auth/crypt.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_CAT[] =
	"SELECT id, code, affair, name, frequency, within_days, required, transactions, org_kinds,"
	" org_categories, status FROM disclosure_catalog ORDER BY sort, id";
static const char SQL_ORG_CAT[] = "SELECT kind, COALESCE(category, '') FROM orgs WHERE id = ?";
static const char SQL_DUP[] =
	"SELECT id FROM disclosures WHERE org_id = ? AND item = ? AND period = ?";
static const char SQL_D_INSERT[] =
	"INSERT INTO disclosures (org_id, item, period, event_date, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id";
static const char SQL_V_INSERT[] =
	"INSERT INTO disclosure_versions (disclosure_id, seq, title, content, finance, state, previous_id,"
	" correction_reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id";
static const char SQL_V_UPDATE[] =
	"UPDATE disclosure_versions SET title = ?, content = ?, finance = ?, version = version + 1,"
	" updated_at = ? WHERE id = ? AND version = ? AND state IN ('draft', 'returned')";
static const char SQL_V_ONE[] =
	"SELECT v.id, v.disclosure_id, v.seq, v.state, v.version, v.superseded_by, v.previous_id,"
	" d.org_id, o.path, d.item, d.period, v.title, v.content, v.finance, v.correction_reason"
	" FROM disclosure_versions v JOIN disclosures d ON d.id = v.disclosure_id"
	" JOIN orgs o ON o.id = d.org_id WHERE v.id = ?";
static const char SQL_V_STEP[] =
	"UPDATE disclosure_versions SET state = ?, version = version + 1, updated_at = ?,"
	" submitted_at = CASE WHEN CAST(? AS TEXT) = 'submitted' THEN CAST(? AS TEXT) ELSE submitted_at END,"
	" submitted_by = CASE WHEN CAST(? AS TEXT) = 'submitted' THEN CAST(? AS TEXT) ELSE submitted_by END,"
	" checked_at = CASE WHEN CAST(? AS TEXT) = 'checked' THEN CAST(? AS TEXT) ELSE checked_at END,"
	" checked_by = CASE WHEN CAST(? AS TEXT) = 'checked' THEN CAST(? AS TEXT) ELSE checked_by END,"
	" reviewed_at = CASE WHEN CAST(? AS TEXT) = 'reviewed' THEN CAST(? AS TEXT) ELSE reviewed_at END,"
	" reviewed_by = CASE WHEN CAST(? AS TEXT) = 'reviewed' THEN CAST(? AS TEXT) ELSE reviewed_by END,"
	" return_reason = CASE WHEN CAST(? AS TEXT) = 'returned' THEN CAST(? AS TEXT) ELSE return_reason END"
	" WHERE id = ? AND version = ? AND state = ?";
static const char SQL_V_PUBLISH[] =
	"UPDATE disclosure_versions SET state = 'published', published_at = ?, published_on = ?,"
	" published_by = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND state = 'reviewed'";
static const char SQL_V_LEAF[] = "UPDATE disclosure_versions SET leaf_index = ? WHERE id = ?";
static const char SQL_V_SUPERSEDE[] =
	"UPDATE disclosure_versions SET superseded_by = ? WHERE id = ? AND state = 'published' AND superseded_by IS NULL";
static const char SQL_V_MAXSEQ[] = "SELECT MAX(seq) FROM disclosure_versions WHERE disclosure_id = ?";
static const char SQL_V_OPEN_CORR[] =
	"SELECT COUNT(*) FROM disclosure_versions WHERE previous_id = ? AND state <> 'published'";
static const char SQL_PREV_FIN[] =
	"SELECT v.finance FROM disclosure_versions v JOIN disclosures d ON d.id = v.disclosure_id"
	" WHERE d.org_id = ? AND d.item = ? AND d.period = ? AND v.state = 'published'"
	" AND v.superseded_by IS NULL AND v.finance IS NOT NULL";
static const char SQL_CLOSE_FINDINGS[] =
	"UPDATE disclosure_findings SET status = 'done', done_on = ?, done_by = ?, done_note = ?,"
	" version = version + 1, updated_at = ? WHERE org_id = ? AND item = ? AND period = ?"
	" AND kind IN ('missing', 'incomplete') AND status = 'open'";
static const char SQL_LEAF[] =
	"SELECT v.id, v.disclosure_id, d.org_id, d.item, d.period, v.seq, v.title, v.content,"
	" v.finance, v.published_at FROM disclosure_versions v JOIN disclosures d ON d.id = v.disclosure_id"
	" WHERE v.id = ? AND v.state = 'published'";

/* ---------------------------------------------------------------- catalogue and labels */

long dcat_load(struct db *db, struct arena *a, struct dcat **out)
{
	struct db_stmt *st = db_prepare(db, SQL_CAT);
	size_t n = 0, cap = 32;
	struct dcat *v = arena_alloc(a, cap * sizeof(*v));
	int rc = st ? DB_OK : DB_EGENERIC;

	*out = NULL;
	while (st && (rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			struct dcat *g = arena_alloc(a, cap * 2 * sizeof(*g));
			memcpy(g, v, n * sizeof(*v));
			v = g;
			cap *= 2;
		}
		v[n].id = db_col_int(st, 0);
		v[n].code = arena_strdup(a, db_col_text(st, 1));
		v[n].affair = arena_strdup(a, db_col_text(st, 2));
		v[n].name = arena_strdup(a, db_col_text(st, 3));
		v[n].frequency = arena_strdup(a, db_col_text(st, 4));
		v[n].within_days = (int)db_col_int(st, 5);
		v[n].required = arena_strdup(a, db_col_text(st, 6));
		v[n].transactions = arena_strdup(a, db_col_text(st, 7));
		v[n].org_kinds = arena_strdup(a, db_col_text(st, 8));
		v[n].org_categories = arena_strdup(a, db_col_text(st, 9));
		v[n].status = arena_strdup(a, db_col_text(st, 10));
		n++;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	*out = v;
	return (long)n;
}

const struct dcat *dcat_find(const struct dcat *v, size_t n, const char *code)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(v[i].code, code) == 0)
			return &v[i];
	return NULL;
}

struct label { const char *code, *zh; };

static const char *label_of(const struct label *t, size_t n, const char *code)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(t[i].code, code) == 0)
			return t[i].zh;
	return code ? code : "";
}

const char *disclosure_affair_label(const char *affair)
{
	static const struct label t[] = { { "party", "党务" }, { "village", "村务" }, { "finance", "财务" } };
	return label_of(t, sizeof(t) / sizeof(t[0]), affair);
}

const char *disclosure_state_label(const char *state)
{
	static const struct label t[] = {
		{ "draft", "草稿" }, { "submitted", "已提交" }, { "checked", "理财小组已审核" },
		{ "reviewed", "镇审核通过" }, { "published", "已公开" }, { "returned", "已退回" },
		{ "late", "逾期公开" }, { "missing", "应公开未公开" }, { "pending", "未到期" },
		{ "incomplete", "公开不到位" }, { "open", "整改中" }, { "done", "已整改" },
		{ "overdue", "整改逾期" },
	};
	return label_of(t, sizeof(t) / sizeof(t[0]), state);
}

const char *disclosure_kind_label(const char *kind)
{
	static const struct label t[] = {
		{ "missing", "应公开未公开" }, { "late", "逾期公开" }, { "incomplete", "公开不到位" },
		{ "fake", "假公开" }, { "question", "群众反映" }, { "talk", "约谈" },
		{ "notice", "通报" }, { "accountability", "追责" },
	};
	return label_of(t, sizeof(t) / sizeof(t[0]), kind);
}

/* ---------------------------------------------------------------- helpers */

static void today_text(char out[11])
{
	date_format(date_today_cn(), out);
}

/* Lowercase hex SM3 of s (NULL or "" -> ""). */
static void sm3_hex(const char *s, char out[65])
{
	unsigned char d[32];

	out[0] = '\0';
	if (!s || !*s)
		return;
	sm3_digest(s, strlen(s), d);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The version vid's key facts. 1 found, 0 not, <0 DB_E*. Strings from a. */
int dver_load(struct db *db, struct arena *a, int64_t vid, struct dver *v)
{
	struct db_stmt *st = db_prepare(db, SQL_V_ONE);
	int rc;

	memset(v, 0, sizeof(*v));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, vid);
	rc = db_step(st);
	if (rc == DB_ROW) {
		v->id = db_col_int(st, 0);
		v->disclosure_id = db_col_int(st, 1);
		v->seq = db_col_int(st, 2);
		v->state = arena_strdup(a, db_col_text(st, 3));
		v->version = db_col_int(st, 4);
		v->superseded_by = db_col_int(st, 5);
		v->previous_id = db_col_int(st, 6);
		v->org_id = db_col_int(st, 7);
		v->org_path = arena_strdup(a, db_col_text(st, 8));
		v->item = arena_strdup(a, db_col_text(st, 9));
		v->period = arena_strdup(a, db_col_text(st, 10));
		v->title = arena_strdup(a, db_col_text(st, 11));
		v->content = arena_strdup(a, db_col_text(st, 12));
		v->finance = arena_strdup(a, db_col_text(st, 13));
		v->reason = arena_strdup(a, db_col_text(st, 14));
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

/*
 * Check and normalise the fields of a version being saved: title, content
 * (sanitised into *content), finance (canonical JSON text into *fin, NULL
 * when none; only for 财务 items). Problems into f.
 */
static void check_fields(struct arena *a, const struct dcat *c, const struct dver_in *in,
			 const char **content, const char **fin, struct zb_fail *f)
{
	struct buf b;

	*content = "";
	*fin = NULL;
	if (!in->title || utf8_len(in->title) == 0 || utf8_len(in->title) > 200)
		zb_fail_field(f, "title", "标题不能为空，且不超过200字");
	if (in->content && utf8_len(in->content) > 50000)
		zb_fail_field(f, "content", "正文不能超过50000字");
	buf_init(&b, 1 << 20);
	disclosure_sanitize(in->content ? in->content : "", &b);
	if (b.err)
		zb_fail_field(f, "content", "正文过长");
	else
		*content = arena_strdup(a, b.data);
	buf_release(&b);
	if (in->finance && !json_is_null(in->finance)) {
		json_t *canon = NULL;
		if (!c || strcmp(c->affair, "finance") != 0) {
			zb_fail_field(f, "finance", "只有财务公开事项可以填写收支明细表");
		} else if (disclosure_finance_check(in->finance, 0, 0, f, &canon) == 0) {
			char *s = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
			*fin = arena_strdup(a, s);
			free(s);
		}
		json_decref(canon);
	}
}

/* Attach files to version vid inside the transaction; 0 ok, 1 refused (f), <0 DB_E*. */
static int attach(struct db *db, const struct keys *k, const struct audit_who *who, int64_t vid,
		  const char *org_path, const int64_t *files, size_t nfiles, struct zb_fail *f)
{
	long n;

	if (nfiles == 0)
		return 0;
	n = files_attach(db, k, who, "disclosure", vid, org_path, files, nfiles, "files", f);
	if (n < 0)
		return (int)n;
	return f->err ? 1 : 0;
}

/* ---------------------------------------------------------------- create, update */

int64_t disclosure_create(struct db *db, const struct keys *k, const struct audit_who *who,
			  struct arena *a, int64_t org_id, const char *org_path, const char *item,
			  const char *period, const struct dver_in *in, const int64_t *files,
			  size_t nfiles, struct zb_fail *f)
{
	struct dcat *cats;
	const struct dcat *c;
	long ncat = dcat_load(db, a, &cats);
	const char *content, *fin;
	char now[24], kind[40] = "", cat[40] = "";
	int64_t s, e, did = 0, vid = 0, dup = 0;
	struct db_stmt *st;
	int rc;

	if (ncat < 0)
		return ncat;
	c = dcat_find(cats, (size_t)ncat, item);
	if (!c || strcmp(c->status, "active") != 0)
		zb_fail_field(f, "item", "公开事项不存在或已停用");
	st = db_prepare(db, SQL_ORG_CAT);
	if (st) {
		db_bind_int(st, 1, org_id);
		if (db_step(st) == DB_ROW) {
			snprintf(kind, sizeof(kind), "%s", db_col_text(st, 0));
			snprintf(cat, sizeof(cat), "%s", db_col_text(st, 1));
		}
	}
	db_finalize(st);
	if (c && (!rule_list_has(c->org_kinds, kind) || !rule_list_has(c->org_categories, cat)))
		zb_fail_field(f, "item", "该组织不需要公开此事项");
	if (c && (!period || disclosure_period_parse(c->frequency, period, &s, &e) != 0))
		zb_fail_field(f, "period", strcmp(c->frequency, "event") == 0 ?
			      "事项日期应为 YYYY-MM-DD" : strcmp(c->frequency, "monthly") == 0 ?
			      "公开期间应为月份，如 2022-03" : strcmp(c->frequency, "quarterly") == 0 ?
			      "公开期间应为季度，如 2022-Q1" : "公开期间应为年份，如 2022");
	check_fields(a, c, in, &content, &fin, f);
	if (f->err)
		return 0;
	rc = db_query_int(db, &dup, SQL_DUP, "iss", org_id, item, period);
	if (rc < 0)
		return rc;
	if (dup) {
		zb_fail_set(f, ZB_ECONFLICT, "该组织本期的此项公开已存在（编号 %lld），请在原记录上修改或更正",
			    (long long)dup);
		return 0;
	}
	ts_now(now);
	rc = db_query_int(db, &did, SQL_D_INSERT, "isss" "s", org_id, item, period,
			  strcmp(c->frequency, "event") == 0 ? period : NULL, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = db_query_int(db, &vid, SQL_V_INSERT, "iisssnnss", did, (int64_t)1, in->title, content,
			  fin, now, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = attach(db, k, who, vid, org_path, files, nfiles, f);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	{
		json_t *after = json_pack("{s:I, s:I, s:s, s:s, s:s}", "org_id", (json_int_t)org_id,
					  "version_id", (json_int_t)vid, "item", item, "period", period,
					  "title", in->title);
		rc = audit_append(db, k, who, "disclosure", did, "create", NULL, after);
		json_decref(after);
	}
	return rc == DB_OK ? did : rc;
}

int dver_update(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
		const struct dver *v, int64_t version, const struct dver_in *in,
		const int64_t *files, size_t nfiles, struct zb_fail *f)
{
	struct dcat *cats;
	long ncat = dcat_load(db, a, &cats);
	const char *content, *fin;
	char now[24];
	int64_t changed = 0;
	int rc;

	if (ncat < 0)
		return (int)ncat;
	check_fields(a, dcat_find(cats, (size_t)ncat, v->item), in, &content, &fin, f);
	if (f->err)
		return DV_INVALID;
	ts_now(now);
	rc = db_run_changes(db, &changed, SQL_V_UPDATE, "ssssii", in->title, content, fin, now,
			    v->id, version);
	if (rc != DB_OK)
		return rc;
	if (changed == 0)
		return DV_STALE;
	rc = attach(db, k, who, v->id, v->org_path, files, nfiles, f);
	if (rc != 0)
		return rc < 0 ? rc : DV_INVALID;
	{
		json_t *before = json_pack("{s:s}", "title", v->title ? v->title : "");
		json_t *after = json_pack("{s:s}", "title", in->title);
		rc = audit_append(db, k, who, "disclosure_version", v->id, "update", before, after);
		json_decref(before);
		json_decref(after);
	}
	return rc;
}

/* ---------------------------------------------------------------- the steps */

/* Required fields of item c missing from version v, as a Chinese list ("" when complete). */
const char *dver_missing_fields(struct db *db, struct arena *a, const struct dcat *c,
				int64_t vid, const char *content, const char *finance)
{
	struct buf plain, out;
	const char *res;

	buf_init(&plain, 0);
	buf_init(&out, 0);
	disclosure_plain_text(content, &plain);
	if (rule_list_has(c->required, "content") && strspn(plain.data, " \t\n") == plain.len)
		buf_puts(&out, "正文");
	if (rule_list_has(c->required, "finance") && (!finance || !*finance))
		buf_printf(&out, "%s收支明细表", out.len ? "、" : "");
	if (finance && *finance) {
		/* a stored table that no longer balances (edited behind the program's back) */
		json_t *fj = json_loads(finance, 0, NULL), *canon = NULL;
		struct zb_fail ff;
		zb_fail_init(&ff);
		if (!fj || disclosure_finance_check(fj, 0, 0, &ff, &canon) != 0)
			buf_printf(&out, "%s平衡的收支明细表", out.len ? "、" : "");
		zb_fail_release(&ff);
		json_decref(canon);
		json_decref(fj);
	}
	if (rule_list_has(c->required, "attachments")) {
		json_t *fl = files_list_json(db, "disclosure", vid);
		if (json_array_size(fl) == 0)
			buf_printf(&out, "%s附件", out.len ? "、" : "");
		json_decref(fl);
	}
	res = arena_strdup(a, out.data);
	buf_release(&plain);
	buf_release(&out);
	return res;
}

/* Every line name and note of a finance table through the personal-data guard. */
static void pii_finance(const char *finance, struct zb_fail *f)
{
	json_t *j = finance ? json_loads(finance, 0, NULL) : NULL;
	static const char *const sides[] = { "income", "expense" };
	static const char *const labels[] = { "收入", "支出" };

	for (int s = 0; j && s < 2; s++) {
		const json_t *arr = json_object_get(j, sides[s]);
		for (size_t i = 0; i < json_array_size(arr); i++) {
			const json_t *e = json_array_get(arr, i);
			char key[64], where[64];
			snprintf(key, sizeof(key), "finance.%s[%zu].name", sides[s], i);
			snprintf(where, sizeof(where), "%s第%zu行项目名称", labels[s], i + 1);
			disclosure_pii_scan(json_str(e, "name", ""), key, where, f);
			snprintf(key, sizeof(key), "finance.%s[%zu].note", sides[s], i);
			snprintf(where, sizeof(where), "%s第%zu行备注", labels[s], i + 1);
			disclosure_pii_scan(json_str(e, "note", ""), key, where, f);
		}
	}
	json_decref(j);
}

/*
 * The checks at submission: the personal-data guard, the required fields,
 * the finance table against the previous period's published closing balance.
 */
static int submit_checks(struct db *db, struct arena *a, const struct dcat *c, const struct dver *v,
			 struct zb_fail *f)
{
	const char *missing;
	char prev[16];
	int n = 0;

	n += disclosure_pii_scan(v->title, "title", "标题", f);
	n += disclosure_pii_scan(v->content, "content", "正文", f);
	pii_finance(v->finance, f);
	if (v->reason)
		disclosure_pii_scan(v->reason, "reason", "更正原因", f);
	if (f->err)
		zb_fail_set(f, ZB_EVALIDATION, "内容含有身份证号、手机号或银行卡号等个人信息，不能提交公开");
	(void)n;
	missing = dver_missing_fields(db, a, c, v->id, v->content, v->finance);
	if (*missing)
		zb_fail_field(f, strstr(missing, "收支") ? "finance" : strstr(missing, "附件") ? "files" : "content",
			      "缺少必填内容：%s", missing);
	if (v->finance && *v->finance && disclosure_period_prev(c->frequency, v->period, prev) == 0) {
		struct db_stmt *st = db_prepare(db, SQL_PREV_FIN);
		json_t *fin = json_loads(v->finance, 0, NULL), *canon = NULL;
		int has_prev = 0;
		int64_t prev_close = 0;
		if (st) {
			db_bind_int(st, 1, v->org_id);
			db_bind_text(st, 2, v->item);
			db_bind_text(st, 3, prev);
			if (db_step(st) == DB_ROW) {
				json_t *pj = json_loads(db_col_text(st, 0), 0, NULL);
				has_prev = pj != NULL;
				prev_close = json_int(pj, "closing_balance", 0);
				json_decref(pj);
			}
		}
		db_finalize(st);
		disclosure_finance_check(fin, has_prev, prev_close, f, &canon);
		json_decref(canon);
		json_decref(fin);
	}
	return f->err ? -1 : 0;
}

/* The state a step moves from, for the version's item; NULL when the step is not allowed there. */
static const char *step_from(const char *step, const struct dcat *c, const char *state)
{
	int fin = c && strcmp(c->affair, "finance") == 0;

	if (strcmp(step, "submitted") == 0)
		return strcmp(state, "draft") == 0 || strcmp(state, "returned") == 0 ? state : NULL;
	if (strcmp(step, "checked") == 0)
		return fin && strcmp(state, "submitted") == 0 ? state : NULL;
	if (strcmp(step, "reviewed") == 0)
		return strcmp(state, fin ? "checked" : "submitted") == 0 ? state : NULL;
	if (strcmp(step, "returned") == 0)
		return strcmp(state, "submitted") == 0 || strcmp(state, "checked") == 0 ||
		       strcmp(state, "reviewed") == 0 ? state : NULL;
	return NULL;
}

int dver_step(struct db *db, const struct keys *k, const struct audit_who *who, struct arena *a,
	      const struct dver *v, int64_t version, const char *step, const char *reason,
	      struct zb_fail *f)
{
	struct dcat *cats;
	long ncat = dcat_load(db, a, &cats);
	const struct dcat *c;
	const char *from;
	char now[24];
	const char *by = who->username ? who->username : "system";
	int64_t changed = 0;
	struct db_stmt *st;
	int rc, i = 1;

	if (ncat < 0)
		return (int)ncat;
	c = dcat_find(cats, (size_t)ncat, v->item);
	from = step_from(step, c, v->state);
	if (!from) {
		zb_fail_set(f, ZB_ECONFLICT, "当前状态（%s）不能执行此操作", disclosure_state_label(v->state));
		return DV_STALE;
	}
	if (strcmp(step, "submitted") == 0 && submit_checks(db, a, c, v, f) != 0)
		return DV_INVALID;
	if (strcmp(step, "returned") == 0 && (!reason || !*reason)) {
		zb_fail_field(f, "reason", "退回原因不能为空");
		return DV_INVALID;
	}
	ts_now(now);
	st = db_prepare(db, SQL_V_STEP);
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, i++, step);
	db_bind_text(st, i++, now);
	for (int k2 = 0; k2 < 3; k2++) {
		db_bind_text(st, i++, step);
		db_bind_text(st, i++, now);
		db_bind_text(st, i++, step);
		db_bind_text(st, i++, by);
	}
	db_bind_text(st, i++, step);
	db_bind_text(st, i++, reason);
	db_bind_int(st, i++, v->id);
	db_bind_int(st, i++, version);
	db_bind_text(st, i, from);
	rc = db_step(st);
	changed = db_changes(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_EGENERIC;
	if (changed == 0)
		return DV_STALE;
	{
		json_t *before = json_pack("{s:s}", "state", v->state);
		json_t *after = json_pack("{s:s, s:s?}", "state", step, "reason", reason);
		rc = audit_append(db, k, who, "disclosure_version", v->id, step, before, after);
		json_decref(before);
		json_decref(after);
	}
	return rc;
}

int dver_publish(struct db *db, const struct keys *k, const struct audit_who *who,
		 const struct dver *v, int64_t version, const char *published_at, struct zb_fail *f)
{
	char now[24], day[11];
	const char *by = who->username ? who->username : "system";
	int64_t changed = 0, idx;
	struct buf leaf;
	int rc;

	if (strcmp(v->state, "reviewed") != 0) {
		zb_fail_set(f, ZB_ECONFLICT, "只有镇审核通过的版本才能公开（当前：%s）",
			    disclosure_state_label(v->state));
		return DV_STALE;
	}
	ts_now(now);
	if (!published_at)
		published_at = now;
	memcpy(day, published_at, 10);
	day[10] = '\0';
	if (published_at == now)
		today_text(day);	/* the day users mean: China time */
	rc = db_run_changes(db, &changed, SQL_V_PUBLISH, "ssssii", published_at, day, by, now, v->id,
			    version);
	if (rc != DB_OK)
		return rc;
	if (changed == 0)
		return DV_STALE;
	if (v->previous_id) {
		rc = db_run_changes(db, &changed, SQL_V_SUPERSEDE, "ii", v->id, v->previous_id);
		if (rc != DB_OK)
			return rc;
	}
	buf_init(&leaf, 1 << 16);
	rc = disclosure_leaf_bytes(db, v->id, &leaf);
	if (rc == DB_OK && leaf.err)
		rc = DB_EGENERIC;
	idx = rc == DB_OK ? dlog_append(db, v->id, leaf.data, leaf.len) : rc;
	buf_release(&leaf);
	if (idx < 0)
		return (int)idx;
	rc = db_run(db, SQL_V_LEAF, "ii", idx, v->id);
	if (rc == DB_OK) {
		char note[64];
		snprintf(note, sizeof(note), "已于 %s 公开", day);
		rc = db_run(db, SQL_CLOSE_FINDINGS, "ssssiss", day, by, note, now, v->org_id, v->item,
			    v->period);
	}
	if (rc == DB_OK) {
		json_t *after = json_pack("{s:s, s:s, s:I}", "state", "published", "published_at",
					  published_at, "leaf_index", (json_int_t)idx);
		rc = audit_append(db, k, who, "disclosure_version", v->id, "publish", NULL, after);
		json_decref(after);
	}
	return rc;
}

int64_t dver_correct(struct db *db, const struct keys *k, const struct audit_who *who,
		     struct arena *a, const struct dver *v, int64_t version, const char *reason,
		     const struct dver_in *in, const int64_t *files, size_t nfiles, struct zb_fail *f)
{
	struct dcat *cats;
	long ncat = dcat_load(db, a, &cats);
	const char *content, *fin;
	char now[24];
	int64_t open = 0, seq = 0, vid = 0;
	int rc;

	if (ncat < 0)
		return ncat;
	if (strcmp(v->state, "published") != 0 || v->superseded_by) {
		zb_fail_set(f, ZB_ECONFLICT, v->superseded_by ? "该版本已有更正版本，请更正最新版本" :
			    "只有已公开的版本需要更正，未公开的可直接修改");
		return DV_STALE_ID;
	}
	if (version != v->version) {
		zb_fail_set(f, ZB_ECONFLICT, "记录已被他人修改，请刷新后重试");
		return DV_STALE_ID;
	}
	if (!reason || !*reason)
		zb_fail_field(f, "reason", "更正原因不能为空");
	check_fields(a, dcat_find(cats, (size_t)ncat, v->item), in, &content, &fin, f);
	if (f->err)
		return 0;
	rc = db_query_int(db, &open, SQL_V_OPEN_CORR, "i", v->id);
	if (rc < 0)
		return rc;
	if (open) {
		zb_fail_set(f, ZB_ECONFLICT, "该版本已有一个未公开的更正版本，请在其上修改");
		return DV_STALE_ID;
	}
	rc = db_query_int(db, &seq, SQL_V_MAXSEQ, "i", v->disclosure_id);
	if (rc < 0)
		return rc;
	ts_now(now);
	rc = db_query_int(db, &vid, SQL_V_INSERT, "iisssisss", v->disclosure_id, seq + 1, in->title,
			  content, fin, v->id, reason, now, now);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	rc = files_copy_links(db, "disclosure", v->id, vid);
	if (rc != DB_OK)
		return rc;
	rc = attach(db, k, who, vid, v->org_path, files, nfiles, f);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	{
		json_t *after = json_pack("{s:I, s:s, s:s}", "previous_id", (json_int_t)v->id,
					  "reason", reason, "title", in->title);
		rc = audit_append(db, k, who, "disclosure_version", vid, "correct", NULL, after);
		json_decref(after);
	}
	return rc == DB_OK ? vid : rc;
}

/* ---------------------------------------------------------------- the leaf */

int disclosure_leaf_bytes(struct db *db, int64_t version_id, struct buf *out)
{
	struct db_stmt *st = db_prepare(db, SQL_LEAF);
	char csm3[65], fsm3[65];
	json_t *j = NULL;
	char *s;
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, version_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		sm3_hex(db_col_text(st, 7), csm3);
		sm3_hex(db_col_text(st, 8), fsm3);
		j = json_pack("{s:I, s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s}",
			      "version_id", (json_int_t)db_col_int(st, 0),
			      "disclosure_id", (json_int_t)db_col_int(st, 1),
			      "org_id", (json_int_t)db_col_int(st, 2), "item", db_col_text(st, 3),
			      "period", db_col_text(st, 4), "version", (json_int_t)db_col_int(st, 5),
			      "title", db_col_text(st, 6), "content_sm3", csm3, "finance_sm3", fsm3,
			      "published_at", db_col_text(st, 9) ? db_col_text(st, 9) : "");
	}
	db_finalize(st);
	if (rc == DB_DONE)
		return DB_ENOTFOUND;
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	if (!j)
		return DB_EGENERIC;
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(j);
	if (!s)
		return DB_EGENERIC;
	buf_puts(out, s);
	free(s);
	return out->err ? DB_EGENERIC : DB_OK;
}

/* ---------------------------------------------------------------- JSON */

static const char SQL_D_ONE[] =
	"SELECT d.id, d.org_id, o.name, d.item, d.period, d.event_date, d.created_at, o.path"
	" FROM disclosures d JOIN orgs o ON o.id = d.org_id WHERE d.id = ?";
static const char SQL_VERSIONS[] =
	"SELECT id, seq, version, state, title, content, finance, return_reason, previous_id,"
	" correction_reason, superseded_by, submitted_at, submitted_by, checked_at, checked_by,"
	" reviewed_at, reviewed_by, published_at, published_on, published_by, leaf_index,"
	" created_at, updated_at FROM disclosure_versions WHERE disclosure_id = ? ORDER BY seq";

static json_t *text_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_string(db_col_text(st, i));
}

static json_t *int_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_integer(db_col_int(st, i));
}

/* The plain text of a version's content, for diffs (arena copy). */
static const char *plain_of(struct arena *a, const char *html)
{
	struct buf b;
	const char *s;

	buf_init(&b, 0);
	disclosure_plain_text(html, &b);
	s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

static const char SQL_PUB_FILES[] =
	"SELECT f.id, f.name, f.mime, f.size FROM attachments t JOIN files f ON f.id = t.file_id"
	" WHERE t.owner_kind = 'disclosure' AND t.owner_id = ? AND t.removed_at IS NULL ORDER BY t.id";

/*
 * The files of a published version for the public pages: name, type, size
 * and the public download address; no uploader, no hash, no org.
 */
static json_t *public_files_json(struct db *db, struct arena *a, int64_t disclosure_id, int64_t vid)
{
	struct db_stmt *st = db_prepare(db, SQL_PUB_FILES);
	json_t *items = json_array();

	if (!st)
		return items;
	db_bind_int(st, 1, vid);
	while (db_step(st) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:I, s:s}",
			"id", (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1),
			"mime", db_col_text(st, 2), "size", (json_int_t)db_col_int(st, 3),
			"url", arena_printf(a, "/api/v1/public/disclosures/%lld/files/%lld",
					    (long long)disclosure_id, (long long)db_col_int(st, 0))));
	db_finalize(st);
	return items;
}

json_t *disclosure_json(struct db *db, struct arena *a, int64_t id, int public_only)
{
	struct db_stmt *st = db_prepare(db, SQL_D_ONE);
	struct dcat *cats;
	const struct dcat *c;
	long ncat;
	json_t *j = NULL, *versions, *plain = json_object();
	json_int_t current = 0, latest = 0;
	int rc;

	if (!st)
		goto fail;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:s, s:s}", "id", (json_int_t)db_col_int(st, 0),
			      "org_id", (json_int_t)db_col_int(st, 1), "org_name", db_col_text(st, 2),
			      "item", db_col_text(st, 3), "period", db_col_text(st, 4),
			      "event_date", text_or_null(st, 5), "created_at", db_col_text(st, 6),
			      "org_path", db_col_text(st, 7));
	db_finalize(st);
	if (!j)
		goto fail;
	if (public_only)
		json_object_del(j, "org_path");
	ncat = dcat_load(db, a, &cats);
	c = ncat > 0 ? dcat_find(cats, (size_t)ncat, json_string_value(json_object_get(j, "item"))) : NULL;
	json_object_set_new(j, "item_name", json_string(c ? c->name : ""));
	json_object_set_new(j, "affair", json_string(c ? c->affair : ""));
	json_object_set_new(j, "affair_label", json_string(c ? disclosure_affair_label(c->affair) : ""));
	json_object_set_new(j, "frequency", json_string(c ? c->frequency : ""));
	json_object_set_new(j, "required", json_string(c ? c->required : ""));
	versions = json_array();
	json_object_set_new(j, "versions", versions);
	st = db_prepare(db, SQL_VERSIONS);
	if (!st)
		goto fail;
	db_bind_int(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *state = db_col_text(st, 3);
		int published = strcmp(state, "published") == 0;
		json_t *v, *fin = NULL;
		char key[24];
		const char *prev_plain;

		snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 0));
		json_object_set_new(plain, key, json_string(plain_of(a, db_col_text(st, 5))));
		latest = db_col_int(st, 0);
		if (published && db_col_isnull(st, 10))
			current = db_col_int(st, 0);
		if (public_only && !published)
			continue;
		if (!db_col_isnull(st, 6))
			fin = json_loads(db_col_text(st, 6), 0, NULL);
		v = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			      "id", (json_int_t)db_col_int(st, 0), "seq", (json_int_t)db_col_int(st, 1),
			      "version", (json_int_t)db_col_int(st, 2), "state", state,
			      "state_label", disclosure_state_label(state), "title", db_col_text(st, 4),
			      "content", db_col_text(st, 5), "finance", fin ? fin : json_null(),
			      "previous_id", int_or_null(st, 8), "correction_reason", text_or_null(st, 9),
			      "superseded_by", int_or_null(st, 10), "published_at", text_or_null(st, 17),
			      "published_on", text_or_null(st, 18), "leaf_index", int_or_null(st, 20));
		if (!v)
			continue;
		if (!public_only) {
			json_object_set_new(v, "return_reason", text_or_null(st, 7));
			json_object_set_new(v, "submitted_at", text_or_null(st, 11));
			json_object_set_new(v, "submitted_by", text_or_null(st, 12));
			json_object_set_new(v, "checked_at", text_or_null(st, 13));
			json_object_set_new(v, "checked_by", text_or_null(st, 14));
			json_object_set_new(v, "reviewed_at", text_or_null(st, 15));
			json_object_set_new(v, "reviewed_by", text_or_null(st, 16));
			json_object_set_new(v, "published_by", text_or_null(st, 19));
			json_object_set_new(v, "created_at", json_string(db_col_text(st, 21)));
			json_object_set_new(v, "updated_at", json_string(db_col_text(st, 22)));
		}
		/* what changed and why: the text diff against the version it corrects */
		if (!db_col_isnull(st, 8)) {
			snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 8));
			prev_plain = json_string_value(json_object_get(plain, key));
			json_object_set_new(v, "diff", disclosure_text_diff(prev_plain ? prev_plain : "",
									     plain_of(a, db_col_text(st, 5))));
		}
		json_array_append_new(versions, v);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	for (size_t i = 0; i < json_array_size(versions); i++) {
		json_t *v = json_array_get(versions, i);
		json_object_set_new(v, "files", public_only ?
			public_files_json(db, a, id, json_integer_value(json_object_get(v, "id"))) :
			files_list_json(db, "disclosure", json_integer_value(json_object_get(v, "id"))));
	}
	json_object_set_new(j, "current_version_id", current ? json_integer(current) : json_null());
	json_object_set_new(j, "latest_version_id", latest ? json_integer(latest) : json_null());
	json_decref(plain);
	return j;
fail:
	json_decref(plain);
	json_decref(j);
	return NULL;
}
