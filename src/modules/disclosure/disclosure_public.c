/* disclosure_public.c - the public disclosure pages' API (no login, no personal data): villages, published disclosures by period and type, search, version history, residents' questions. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "disclosure.h"
#include "disclosure_internal.h"
#include "dlog.h"
#include "../../app/memo.h"
#include "../../auth/audit.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"


/* Published, current versions only; the org is a village or community branch still active. */
static const char SQL_PUB_WHERE[] =
	" FROM disclosure_versions v JOIN disclosures d ON d.id = v.disclosure_id"
	" JOIN orgs o ON o.id = d.org_id LEFT JOIN disclosure_catalog c ON c.code = d.item"
	" WHERE v.state = 'published' AND v.superseded_by IS NULL AND o.status = 'active'";

/* GET /public/disclosure/orgs: the orgs with published disclosures and how many. */
void disclosure_public_orgs(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	struct db_stmt *st = db_prepare(db, arena_printf(&r->arena,
		"SELECT o.id, o.name, COALESCE(o.category, ''), COUNT(*), MAX(v.published_on)%s"
		" GROUP BY o.id, o.name, o.category, o.path ORDER BY o.path", SQL_PUB_WHERE));
	json_t *items = json_array();
	int rc = st ? DB_OK : DB_EGENERIC;

	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:I, s:s?}",
			"org_id", (json_int_t)db_col_int(st, 0), "org_name", db_col_text(st, 1),
			"category", db_col_text(st, 2), "published", (json_int_t)db_col_int(st, 3),
			"last_published_on", db_col_text(st, 4)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
 * GET /public/disclosures?org=&affair=&period=&year=&q=&page=&page_size=:
 * the current published version of each disclosure, newest period first;
 * q searches titles and content.
 */
void disclosure_public_list(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	struct zb_fail f;
	struct db_params p = { 0 };
	struct buf where;
	const char *affair = req_query(r, "affair"), *period = req_query(r, "period");
	const char *q = req_query(r, "q");
	int64_t org, page, page_size, year, total = 0, head;
	struct db_stmt *st;
	const char *sql;
	char *key;
	json_t *items;
	int rc;

	zb_fail_init(&f);
	org = req_query_int(r, "org", 0, 1, INT64_MAX, &f);
	year = req_query_int(r, "year", 0, 1990, 2200, &f);
	page = req_query_int(r, "page", 1, 1, 10000, &f);
	page_size = req_query_int(r, "page_size", 20, 1, 100, &f);
	if (q && utf8_len(q) > 50)
		zb_fail_field(&f, "q", "搜索词不能超过50字");
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	buf_init(&where, 0);
	buf_puts(&where, SQL_PUB_WHERE);
	if (org) {
		buf_puts(&where, " AND d.org_id = ?");
		db_param_int(&p, org);
	}
	if (affair && *affair) {
		buf_puts(&where, " AND c.affair = ?");
		db_param_text(&p, affair);
	}
	if (period && *period) {
		buf_puts(&where, " AND d.period = ?");
		db_param_text(&p, period);
	}
	if (year) {
		buf_puts(&where, " AND d.period LIKE ?");
		db_param_text(&p, arena_printf(&r->arena, "%04d%%", (int)year));
	}
	if (q && *q) {
		const char *like = db_like_contains(&r->arena, q);
		buf_puts(&where, " AND (v.title LIKE ? ESCAPE '!' OR v.content LIKE ? ESCAPE '!')");
		db_param_text(&p, like);
		db_param_text(&p, like);
	}
	if (where.err) {
		buf_release(&where);
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	sql = arena_printf(&r->arena,
		"SELECT d.id, d.org_id, o.name, d.item, c.name, c.affair, d.period, v.id, v.seq, v.title,"
		" v.published_on, v.leaf_index, (SELECT COUNT(*) FROM disclosure_versions x WHERE"
		" x.disclosure_id = d.id AND x.state = 'published')%s"
		" ORDER BY d.period DESC, v.published_on DESC, d.id DESC LIMIT ? OFFSET ?", where.data);
	/* residents read the same pages over and over: kept until the next write */
	key = memo_key(arena_printf(&r->arena, "public.disclosures\x1f%" PRId64 "\x1f%" PRId64, page, page_size),
		       sql, &p);
	if (app_memo_answer(r, key, &head)) {
		free(key);
		buf_release(&where);
		return;
	}
	rc = memo_count(r->app->memo, db, arena_printf(&r->arena, "SELECT COUNT(*)%s", where.data), &p,
			&total);
	if (rc != DB_OK) {
		free(key);
		buf_release(&where);
		app_db_fail(r, rc, 0);
		return;
	}
	st = db_prepare(db, sql);
	buf_release(&where);
	items = json_array();
	rc = st ? DB_OK : DB_EGENERIC;
	if (st) {
		int idx = db_params_bind(st, &p);
		db_bind_int(st, idx++, page_size);
		db_bind_int(st, idx, (page - 1) * page_size);
	}
	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:s, s:s?, s:s?, s:s, s:s, s:I, s:I, s:s, s:s?, s:o, s:I}",
			"id", (json_int_t)db_col_int(st, 0), "org_id", (json_int_t)db_col_int(st, 1),
			"org_name", db_col_text(st, 2), "item", db_col_text(st, 3),
			"item_name", db_col_text(st, 4), "affair", db_col_text(st, 5),
			"affair_label", disclosure_affair_label(db_col_text(st, 5)),
			"period", db_col_text(st, 6), "version_id", (json_int_t)db_col_int(st, 7),
			"seq", (json_int_t)db_col_int(st, 8), "title", db_col_text(st, 9),
			"published_on", db_col_text(st, 10),
			"leaf_index", db_col_isnull(st, 11) ? json_null() : json_integer(db_col_int(st, 11)),
			"versions", (json_int_t)db_col_int(st, 12)));
	db_finalize(st);
	if (rc != DB_DONE) {
		free(key);
		json_decref(items);
		app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
				    "page", (json_int_t)page, "page_size", (json_int_t)page_size));
	app_memo_keep(r, key, head);
	free(key);
}

/*
 * GET /public/disclosures/:id: every published version (the current one and
 * the ones it corrected), each with its reason, the diff against the one it
 * corrects, and its leaf index for the inclusion proof. 404 when nothing of
 * it is published.
 */
void disclosure_public_get(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	int64_t id = req_param_id(r, "id");
	json_t *j = id ? disclosure_json(db, &r->arena, id, 1) : NULL;

	if (!j || json_array_size(json_object_get(j, "versions")) == 0) {
		json_decref(j);
		resp_error(r, ZB_ENOTFOUND, "公开内容不存在");
		return;
	}
	json_object_set_new(j, "proof_url", json_string("/api/v1/public/log/proof/"));
	resp_json(r, 200, j);
}

static const char SQL_PUB_FILE[] =
	"SELECT f.name, f.mime, f.sm3 FROM attachments t JOIN files f ON f.id = t.file_id"
	" JOIN disclosure_versions v ON v.id = t.owner_id"
	" WHERE t.owner_kind = 'disclosure' AND t.removed_at IS NULL AND v.state = 'published'"
	" AND v.disclosure_id = ? AND f.id = ? ORDER BY t.id LIMIT 1";

/*
 * GET /public/disclosures/:id/files/:file_id: a file attached to a PUBLISHED
 * version of disclosure :id, as an attachment (nosniff is on every answer).
 * A file of a draft, submitted or returned version, one unlinked, or one of
 * another disclosure answers 404, the same as a missing one. Counted as a
 * public read against the address's rate.
 */
void disclosure_public_file(struct req *r)
{
	struct db *db = req_ctx(r)->db;
	int64_t id = req_param_id(r, "id"), fid = req_param_id(r, "file_id");
	struct db_stmt *st;
	const char *name = NULL, *mime = NULL, *sm3 = NULL;
	char file[1200];

	if (!app_public_allowed(r, 0))
		return;
	st = id && fid ? db_prepare(db, SQL_PUB_FILE) : NULL;
	if (st) {
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, fid);
		if (db_step(st) == DB_ROW) {
			name = arena_strdup(&r->arena, db_col_text(st, 0));
			mime = arena_strdup(&r->arena, db_col_text(st, 1));
			sm3 = arena_strdup(&r->arena, db_col_text(st, 2));
		}
	}
	db_finalize(st);
	if (!name || !mime || !sm3) {
		resp_error(r, ZB_ENOTFOUND, "附件不存在");
		return;
	}
	snprintf(file, sizeof(file), "%s/store/%s", r->app->cfg.files_dir, sm3);
	resp_attachment(r, "attachment", name);
	resp_file(r, file, mime);
}

/*
 * POST /public/disclosure-questions {disclosure_id, text}: a resident asks
 * about or reports a problem with a published disclosure. Rate-limited per
 * client address; the text is checked for personal data and sanitised; the
 * township sees it as a finding with a deadline.
 */
void disclosure_public_question(struct req *r)
{
	static const struct json_field fields[] = {
		{ "disclosure_id", JF_INT, 1, 0, 1, INT64_MAX, "公开内容" },
		{ "text", JF_STRING, 1, 0, 5, 1000, "问题或反映内容" },
		{ 0 }
	};
	struct db *db = req_ctx(r)->db;
	struct audit_who who = { 0, "public", r->ip, r->id };
	struct zb_fail f;
	struct dfinding_in in;
	struct buf clean;
	json_t *b;
	char now[24], today[11], deadline[11];
	int64_t did, org = 0, qid = 0, fid;
	const char *item = NULL, *period = NULL, *text;
	struct db_stmt *st;
	int rc;

	if (!app_public_allowed(r, 1))
		return;
	zb_fail_init(&f);
	b = req_json(r, &f);
	if (!b) {
		resp_fail(r, &f);
		return;
	}
	json_check(b, fields, 0, &f);
	did = json_int(b, "disclosure_id", 0);
	text = json_str_trim(&r->arena, b, "text", "");
	json_decref(b);
	if (did) {
		st = db_prepare(db, "SELECT d.org_id, d.item, d.period FROM disclosures d WHERE d.id = ?"
				    " AND EXISTS (SELECT 1 FROM disclosure_versions v WHERE v.disclosure_id = d.id"
				    " AND v.state = 'published')");
		if (st) {
			db_bind_int(st, 1, did);
			if (db_step(st) == DB_ROW) {
				org = db_col_int(st, 0);
				item = arena_strdup(&r->arena, db_col_text(st, 1));
				period = arena_strdup(&r->arena, db_col_text(st, 2));
			}
		}
		db_finalize(st);
		if (!org)
			zb_fail_field(&f, "disclosure_id", "公开内容不存在");
	}
	/* a resident's own phone number would be published to nobody, but we keep none */
	disclosure_pii_scan(text, "text", "内容", &f);
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	buf_init(&clean, 64 << 10);
	{
		/* no markup from the public: every tag is escaped */
		struct buf plain;
		buf_init(&plain, 64 << 10);
		disclosure_sanitize(text, &plain);
		disclosure_plain_text(plain.data, &clean);
		buf_release(&plain);
	}
	ts_now(now);
	date_format(date_today_cn(), today);
	date_format(date_from_days(date_to_days(date_today_cn()) + 7), deadline);
	rc = db_begin(db);
	if (rc != DB_OK) {
		buf_release(&clean);
		app_db_fail(r, rc, 0);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.org_id = org;
	in.disclosure_id = did;
	in.item = item;
	in.period = period;
	in.kind = "question";
	in.source = "public";
	in.severity = "medium";
	in.text = arena_printf(&r->arena, "群众反映：%s", clean.data);
	in.evidence = "";
	in.found_on = today;
	in.found_by = "群众";
	in.deadline = deadline;
	fid = dfinding_insert(db, &r->app->keys, &who, &in);
	rc = fid < 0 ? (int)fid : DB_OK;
	if (rc == DB_OK) {
		rc = db_query_int(db, &qid, "INSERT INTO disclosure_questions (disclosure_id, org_id, text,"
					    " finding_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
				  "iisis", did, org, clean.data, fid, now);
		rc = rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
	}
	buf_release(&clean);
	if (rc != DB_OK) {
		app_db_fail(r, rc, 1);
		return;
	}
	app_commit_answer(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)qid, "message",
					    "已收到您的反映，镇党委将在7日内核实处理"));
}
