/* ledgers_http.c - the ledgers' shared HTTP steps (scope, transactions, answers) and /api/v1/ledgers/rules. */
#include <string.h>
#include "ledgers.h"
#include "ledgers_internal.h"
#include "../orgs/orgs.h"
#include "../../base/json.h"

static const struct json_field rule_update_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本号" },
	{ "value", JF_INT, 1, 0, 0, 1000, "规则值" },
	{ 0 }
};

/* ---------------------------------------------------------------- shared steps */

int lh_written(struct req *r, int64_t id, struct zb_fail *f)
{
	if (id == 0 || f->err) {
		db_rollback(req_ctx(r)->db);
		if (!f->err)
			zb_fail_set(f, ZB_EINTERNAL, "内部错误");
		resp_fail(r, f);
		return 0;
	}
	zb_fail_release(f);
	if (id < 0) {
		app_db_fail(r, (int)id, 1);
		return 0;
	}
	return 1;
}

int lh_person(struct req *r, int64_t id, int write, struct person_where *p)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int rc = id > 0 ? person_where_load(c->db, id, p) : 0;

	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	scope_for(c, "ledger.read", &s);
	if (rc == 0 || !scope_contains(&s, p->org_path)) {
		resp_error(r, ZB_ENOTFOUND, "人员不存在");
		return 0;
	}
	if (!write)
		return 1;
	if (!perm_has(c, "ledger.write", p->org_path)) {
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该人员的台账");
		return 0;
	}
	if (strcmp(p->status, "active") != 0) {
		resp_error(r, ZB_ECONFLICT, "该人员已归档，请先恢复后再修改");
		return 0;
	}
	return 1;
}

const char *lh_org_filter(struct req *r, struct scope *s, struct zb_fail *f)
{
	struct ctx *c = req_ctx(r);
	int64_t org_id;
	struct org *o;

	scope_for(c, "ledger.read", s);
	org_id = req_query_int(r, "org", 0, 1, INT64_MAX, f);
	if (!org_id)
		return NULL;
	o = arena_alloc(&r->arena, sizeof(*o));
	if (org_load(c->db, org_id, o) != 1 || !scope_contains(s, o->path)) {
		zb_fail_set(f, ZB_ENOTFOUND, "组织不存在");
		return NULL;
	}
	return o->path;
}

const char *lh_date_param(struct req *r, const char *name, struct zb_fail *f)
{
	const char *v = req_query(r, name);

	if (!v || !*v)
		return NULL;
	if (date_parse_iso(v, NULL) != 0) {
		zb_fail_field(f, name, "%s 应为有效日期（YYYY-MM-DD）", name);
		return NULL;
	}
	return v;
}

/* ---------------------------------------------------------------- rules */

/* GET /ledgers/rules: every rule, in order of kind and subject. */
void ledger_rules_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct db_stmt *st = db_prepare(c->db, arena_printf(&r->arena, "%s ORDER BY rule, id",
							    ledger_rule_cols()));
	json_t *items;
	int rc;

	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, ledger_rule_from_row(st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* PUT /ledgers/rules/:id {value, version}: the value within the rule's range; 409 when stale. */
void ledger_rules_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct audit_who who;
	struct zb_fail f;
	int64_t id = req_param_id(r, "id");
	json_t *body, *cur = id ? ledger_rule_json(c->db, id) : NULL;
	int rc;

	if (!cur) {
		resp_error(r, ZB_ENOTFOUND, "规则不存在");
		return;
	}
	json_decref(cur);
	zb_fail_init(&f);
	body = req_json(r, &f);
	if (!body || json_check(body, rule_update_fields, 0, &f) != 0) {
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
	rc = ledger_rule_update(c->db, &r->app->keys, &who, id, json_int(body, "version", 0),
				json_int(body, "value", 0), &f);
	json_decref(body);
	app_finish_write(r, rc, &f, 200, "该规则已被他人修改，请刷新后重试", ledger_rule_json, id);
}
