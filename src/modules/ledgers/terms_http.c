/* terms_http.c - /api/v1/ledgers/terms: branch committee terms (换届): each branch's current term and whether it is due. */
#include <string.h>
#include "ledgers.h"
#include "ledgers_internal.h"
#include "../../base/json.h"

/* Every active branch with its term current on a date (the latest begun by then). */
static const char SQL_BRANCHES[] =
	"SELECT o.id, o.name, o.kind, o.category, c.label_zh, t.id, t.started_on, t.years, t.note,"
	" t.version FROM orgs o"
	" LEFT JOIN dict_items c ON c.dict = 'org_category' AND c.code = o.category"
	" LEFT JOIN org_terms t ON t.id = (SELECT t2.id FROM org_terms t2 WHERE t2.org_id = o.id"
	" AND t2.started_on <= ? ORDER BY t2.started_on DESC, t2.id DESC LIMIT 1)"
	" WHERE o.kind IN ('branch', 'general_branch') AND o.status = 'active'";
static const char SQL_BRANCH_IDS[] =
	" WHERE t.org_id IN (SELECT o.id FROM orgs o WHERE o.kind IN ('branch', 'general_branch')"
	" AND o.status = 'active'";

static const struct json_field create_fields[] = {
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "组织" },
	{ "started_on", JF_DATE, 1, 0, 0, 0, "换届日期" },
	{ "years", JF_INT, 0, 1, 1, 10, "任期（年）" },
	{ "note", JF_STRING, 0, 1, 0, 200, "备注" },
	{ 0 }
};

static const struct json_field update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "started_on", JF_DATE, 1, 0, 0, 0, "换届日期" },
	{ "years", JF_INT, 1, 0, 1, 10, "任期（年）" },
	{ "note", JF_STRING, 0, 1, 0, 200, "备注" },
	{ 0 }
};

/* The severity of each state: a warning before the end, a finding once overdue or unrecorded. */
static const char *severity_of(enum term_state s)
{
	switch (s) {
	case TERM_NONE:
	case TERM_OVERDUE:
		return "finding";
	case TERM_DUE_SOON:
		return "warning";
	case TERM_OK:
		break;
	}
	return NULL;
}

/* One branch row as JSON with its state on `on`; *state gets the state. */
static json_t *branch_json(struct db *db, struct db_stmt *st, struct ymd on, int warn,
			   enum term_state *state)
{
	json_t *j = json_object(), *term = json_null();
	const char *category = db_col_isnull(st, 3) ? NULL : db_col_text(st, 3);
	struct ymd started, ends, warn_from;
	char b1[16], b2[16];

	*state = TERM_NONE;
	if (!db_col_isnull(st, 5) && date_parse_iso(db_col_text(st, 6), &started) == 0) {
		*state = term_state_on(started, (int)db_col_int(st, 7), warn, on, &ends, &warn_from);
		date_format(ends, b1);
		date_format(warn_from, b2);
		term = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:I}",
				 "id", (json_int_t)db_col_int(st, 5), "started_on", db_col_text(st, 6),
				 "years", (json_int_t)db_col_int(st, 7), "ends_on", b1, "warn_from", b2,
				 "note", db_col_text(st, 8), "version", (json_int_t)db_col_int(st, 9));
		json_object_set_new(j, "days_left",
				    json_integer(date_to_days(ends) - date_to_days(on)));
	} else {
		json_object_set_new(j, "days_left", json_null());
	}
	json_object_set_new(j, "org_id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "org_name", json_string(db_col_text(st, 1)));
	json_object_set_new(j, "kind", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "category", category ? json_string(category) : json_null());
	json_object_set_new(j, "category_label", db_col_isnull(st, 4) ? json_null() :
			    json_string(db_col_text(st, 4)));
	json_object_set_new(j, "default_years", json_integer(ledger_term_years(db, category)));
	json_object_set_new(j, "term", term);
	json_object_set_new(j, "status", json_string(term_state_code(*state)));
	json_object_set_new(j, "status_label", json_string(term_state_label(*state)));
	json_object_set_new(j, "severity", severity_of(*state) ? json_string(severity_of(*state)) :
			    json_null());
	json_object_set_new(j, "history", json_array());
	return j;
}

/* The scope and org conditions of both queries, with their parameters. */
static void branch_conditions(struct req *r, const struct scope *s, const char *org_path,
			      struct buf *sql, struct db_params *b)
{
	lb_scope(&r->arena, sql, b, s, "o.path");
	if (org_path) {
		buf_puts(sql, " AND o.path LIKE ?");
		db_param_text(b, arena_printf(&r->arena, "%s%%", org_path));
	}
}

static struct db_stmt *prepare_built(struct req *r, struct buf *sql, const struct db_params *b)
{
	struct db_stmt *st = sql->err || b->overflow ? NULL :
		db_prepare(req_ctx(r)->db, arena_strdup(&r->arena, sql->data));

	buf_release(sql);
	if (st)
		db_params_bind(st, b);
	return st;
}

/* Add every term of the listed branches, newest first, to their items' history. */
static int attach_history(struct req *r, const struct scope *s, const char *org_path,
			  json_t *byid)
{
	struct db_params b = { 0 };
	struct buf sql;
	struct db_stmt *st;
	char key[24];
	int rc;

	buf_init(&sql, 0);
	buf_puts(&sql, ledger_term_cols());
	buf_puts(&sql, SQL_BRANCH_IDS);
	branch_conditions(r, s, org_path, &sql, &b);
	buf_puts(&sql, ") ORDER BY t.org_id, t.started_on DESC, t.id DESC");
	st = prepare_built(r, &sql, &b);
	if (!st)
		return DB_EGENERIC;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *owner;
		snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 1));
		owner = json_object_get(byid, key);
		if (owner)
			json_array_append_new(json_object_get(owner, "history"),
					      ledger_term_from_row(st));
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/*
 * GET /ledgers/terms?org=&date=&status=: every active branch and general
 * branch of the subtree with its term current on `date` (default today), its
 * end, the state (ok, due_soon from term_warning_months before the end,
 * overdue from the end, none when no term is recorded), every term recorded
 * (history), and the count per state.
 */
void terms_http_list(struct req *r)
{
	static const char *const states[] = { "ok", "due_soon", "overdue", "none" };
	struct ctx *c = req_ctx(r);
	struct zb_fail f;
	struct scope s;
	struct db_params b = { 0 };
	struct buf sql;
	struct db_stmt *st;
	struct ymd on;
	const char *org_path, *date, *want = req_query(r, "status");
	char day[16];
	json_t *items = NULL, *counts = NULL, *byid = NULL;
	int warn, rc;

	zb_fail_init(&f);
	org_path = lh_org_filter(r, &s, &f);
	date = lh_date_param(r, "date", &f);
	if (want && !*want)
		want = NULL;
	if (want) {
		size_t i;
		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			if (strcmp(want, states[i]) == 0)
				break;
		if (i == sizeof(states) / sizeof(states[0]))
			zb_fail_field(&f, "status", "status 应为 ok、due_soon、overdue 或 none");
	}
	if (f.err) {
		resp_fail(r, &f);
		return;
	}
	zb_fail_release(&f);
	if (date)
		snprintf(day, sizeof(day), "%s", date);
	else
		ledger_today(day);
	date_parse_iso(day, &on);
	warn = ledger_rule_value(c->db, "term_warning_months", "default", 6);

	buf_init(&sql, 0);
	buf_puts(&sql, SQL_BRANCHES);
	db_param_text(&b, day);
	branch_conditions(r, &s, org_path, &sql, &b);
	buf_puts(&sql, " ORDER BY o.sort, o.id");
	st = prepare_built(r, &sql, &b);
	rc = st ? DB_OK : DB_EGENERIC;
	items = json_array();
	byid = json_object();
	counts = json_object();
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		json_object_set_new(counts, states[i], json_integer(0));
	while (st && (rc = db_step(st)) == DB_ROW) {
		enum term_state state;
		const char *code;
		char key[24];
		json_t *j = branch_json(c->db, st, on, warn, &state);

		code = term_state_code(state);
		json_object_set_new(counts, code, json_integer(
			json_integer_value(json_object_get(counts, code)) + 1));
		if (want && strcmp(want, code) != 0) {
			json_decref(j);
			continue;
		}
		snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 0));
		json_object_set(byid, key, j);
		json_array_append_new(items, j);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		goto fail;
	rc = attach_history(r, &s, org_path, byid);
	if (rc != DB_OK)
		goto fail;
	json_decref(byid);
	resp_json(r, 200, json_pack("{s:o, s:I, s:o, s:s, s:I}", "items", items,
				    "total", (json_int_t)json_array_size(items), "counts", counts,
				    "date", day, "warning_months", (json_int_t)warn));
	return;
fail:
	json_decref(items);
	json_decref(counts);
	json_decref(byid);
	app_db_fail(r, rc < 0 ? rc : DB_EGENERIC, 0);
}

/* POST /ledgers/terms: a term of a branch the caller may write; years default from the org's category. */
void terms_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct branch_ref o;
	struct zb_fail f;
	struct scope s;
	json_t *body;
	int64_t org_id, id;
	int rc;

	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, create_fields, 0, &f);
	org_id = json_int(body, "org_id", 0);
	scope_for(c, "ledger.read", &s);
	rc = org_id > 0 ? branch_ref_load(c->db, org_id, &o) : 0;
	if (rc < 0) {
		json_decref(body);
		zb_fail_release(&f);
		app_db_fail(r, rc, 0);
		return;
	}
	if (org_id > 0 && (rc == 0 || !scope_contains(&s, o.path)))
		zb_fail_field(&f, "org_id", "组织不存在");
	else if (org_id > 0 && !perm_has(c, "ledger.write", o.path))
		zb_fail_field(&f, "org_id", "您无权记录该组织的换届");
	if (f.fields && json_object_get(f.fields, "org_id")) {
		json_decref(body);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	/* after a failed json_check the insert still adds its own checks, and writes nothing */
	id = term_insert(c->db, &r->app->keys, &who, org_id,
			 json_str_trim(&r->arena, body, "started_on", NULL),
			 (int)json_int(body, "years", 0),
			 json_str_trim(&r->arena, body, "note", NULL), &f);
	json_decref(body);
	if (!lh_written(r, id, &f))
		return;
	app_commit_answer(r, 201, term_json(c->db, id));
}

/* PUT /ledgers/terms/:id: start, years and note with the version read; 409 with the term when stale. */
void terms_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct branch_ref o;
	struct zb_fail f;
	struct scope s;
	json_t *body;
	int64_t id = req_param_id(r, "id"), org_id = 0;
	int rc = id ? term_owner(c->db, id, &org_id) : 0;

	if (rc == 1)
		rc = branch_ref_load(c->db, org_id, &o);
	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return;
	}
	scope_for(c, "ledger.read", &s);
	if (rc != 1 || !scope_contains(&s, o.path)) {
		resp_error(r, ZB_ENOTFOUND, "换届记录不存在");
		return;
	}
	if (!perm_has(c, "ledger.write", o.path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该组织的换届记录");
		return;
	}
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body) {
		resp_fail(r, &f);
		return;
	}
	json_check(body, update_fields, 0, &f);
	if (!app_begin_write(r)) {
		json_decref(body);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	rc = term_update(c->db, &r->app->keys, &who, id, json_int(body, "version", 0),
			 json_str_trim(&r->arena, body, "started_on", NULL),
			 (int)json_int(body, "years", 0),
			 json_str_trim(&r->arena, body, "note", NULL), &f);
	json_decref(body);
	app_finish_write(r, rc, &f, 200, "该换届记录已被他人修改，请刷新后重试", term_json, id);
}
