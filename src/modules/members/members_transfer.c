/* members_transfer.c - transfers of membership (组织关系转接): within the tree with approvals up to the common ancestor and acceptance by the receiving org, letters to and from outside, floating members (流动党员), and the transfers waiting too long. */
#include <stdlib.h>
#include <string.h>
#include "members_internal.h"
#include "../orgs/orgs.h"
#include "../people/people.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_T_COLS[] =
	"SELECT t.id, t.kind, t.person_id, t.person_name, t.from_org_id, fo.name, t.to_org_id, tro.name,"
	" t.ancestor_org_id, t.outside_unit, t.letter_no, t.issued_on, t.valid_until, t.cross_province,"
	" t.dues_paid_to, t.reason, t.status, t.requested_on, t.completed_on, t.version, fo.path, tro.path, t.note"
	" FROM member_transfers t LEFT JOIN orgs fo ON fo.id = t.from_org_id LEFT JOIN orgs tro ON tro.id = t.to_org_id";
static const char SQL_T_INSERT[] =
	"INSERT INTO member_transfers (kind, person_id, person_name, from_org_id, to_org_id, ancestor_org_id,"
	" outside_unit, letter_no, issued_on, valid_until, cross_province, dues_paid_to, reason, status,"
	" requested_on, created_by, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_APPROVALS[] =
	"SELECT a.seq, a.org_id, o.name, o.path, a.decision, a.decided_on, a.note FROM transfer_approvals a"
	" JOIN orgs o ON o.id = a.org_id WHERE a.transfer_id = ? ORDER BY a.seq";

static const char *kind_label(const char *k)
{
	return strcmp(k, "internal") == 0 ? "系统内转接" : strcmp(k, "out") == 0 ? "转出（开具介绍信）" : "转入（登记介绍信）";
}

static const char *status_label(const char *s)
{
	static const char *const codes[] = { "requested", "approved", "completed", "refused", "cancelled" };
	static const char *const labels[] = { "待审批", "待接收", "已完成", "未通过", "已撤销" };

	for (int i = 0; i < 5; i++)
		if (strcmp(s, codes[i]) == 0)
			return labels[i];
	return s;
}

/* A transfer as loaded for the checks. */
struct xfer {
	int64_t id, person_id, from_org, to_org, version;
	char kind[16], status[16], from_path[256], to_path[256], valid_until[11], outside[256];
	int64_t next_org;	/* the org whose approval is awaited, 0 none */
	char next_path[256];
};

static int xfer_load(struct db *db, struct arena *a, int64_t id, struct xfer *x)
{
	struct db_stmt *st = db_prepare(db, arena_printf(a, "%s WHERE t.id = ?", SQL_T_COLS));
	int rc;

	memset(x, 0, sizeof(*x));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		x->id = id;
		snprintf(x->kind, sizeof(x->kind), "%s", db_col_text(st, 1));
		x->person_id = db_col_int(st, 2);
		x->from_org = db_col_int(st, 4);
		x->to_org = db_col_int(st, 6);
		snprintf(x->valid_until, sizeof(x->valid_until), "%s", db_col_text(st, 12) ? db_col_text(st, 12) : "");
		snprintf(x->status, sizeof(x->status), "%s", db_col_text(st, 16));
		x->version = db_col_int(st, 19);
		snprintf(x->from_path, sizeof(x->from_path), "%s", db_col_text(st, 20) ? db_col_text(st, 20) : "");
		snprintf(x->to_path, sizeof(x->to_path), "%s", db_col_text(st, 21) ? db_col_text(st, 21) : "");
		snprintf(x->outside, sizeof(x->outside), "%s", db_col_text(st, 9));
	}
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : rc;
	st = db_prepare(db, "SELECT a.org_id, o.path FROM transfer_approvals a JOIN orgs o ON o.id = a.org_id"
			    " WHERE a.transfer_id = ? AND a.decision IS NULL ORDER BY a.seq LIMIT 1");
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		x->next_org = db_col_int(st, 0);
		snprintf(x->next_path, sizeof(x->next_path), "%s", db_col_text(st, 1));
	}
	db_finalize(st);
	return 1;
}

/* 1 when the caller may see x: either side in its member.read scope. */
static int xfer_visible(const struct ctx *c, const struct xfer *x)
{
	struct scope s;

	scope_for(c, "member.read", &s);
	return (x->from_path[0] && scope_contains(&s, x->from_path)) || (x->to_path[0] && scope_contains(&s, x->to_path));
}

static json_t *opt_str(struct db_stmt *st, int i)
{
	return db_col_text(st, i) ? json_string(db_col_text(st, i)) : json_null();
}

static json_t *opt_int(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_integer(db_col_int(st, i));
}

/* The transfer as API JSON for caller c (NULL = no can_* flags). */
static json_t *xfer_json(struct db *db, struct arena *a, const struct ctx *c, int64_t id)
{
	struct db_stmt *st = db_prepare(db, arena_printf(a, "%s WHERE t.id = ?", SQL_T_COLS));
	json_t *j = NULL, *apps;
	struct xfer x;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		j = json_object();
		json_object_set_new(j, "id", json_integer(id));
		json_object_set_new(j, "kind", json_string(db_col_text(st, 1)));
		json_object_set_new(j, "kind_label", json_string(kind_label(db_col_text(st, 1))));
		json_object_set_new(j, "person_id", opt_int(st, 2));
		json_object_set_new(j, "person_name", json_string(db_col_text(st, 3)));
		json_object_set_new(j, "from_org_id", opt_int(st, 4));
		json_object_set_new(j, "from_org_name", opt_str(st, 5));
		json_object_set_new(j, "to_org_id", opt_int(st, 6));
		json_object_set_new(j, "to_org_name", opt_str(st, 7));
		json_object_set_new(j, "ancestor_org_id", opt_int(st, 8));
		json_object_set_new(j, "outside_unit", json_string(db_col_text(st, 9)));
		json_object_set_new(j, "letter_no", opt_str(st, 10));
		json_object_set_new(j, "issued_on", opt_str(st, 11));
		json_object_set_new(j, "valid_until", opt_str(st, 12));
		json_object_set_new(j, "cross_province", json_boolean(db_col_int(st, 13)));
		json_object_set_new(j, "dues_paid_to", opt_str(st, 14));
		json_object_set_new(j, "reason", json_string(db_col_text(st, 15)));
		json_object_set_new(j, "status", json_string(db_col_text(st, 16)));
		json_object_set_new(j, "status_label", json_string(status_label(db_col_text(st, 16))));
		json_object_set_new(j, "requested_on", json_string(db_col_text(st, 17)));
		json_object_set_new(j, "completed_on", opt_str(st, 18));
		json_object_set_new(j, "version", json_integer(db_col_int(st, 19)));
		json_object_set_new(j, "note", json_string(db_col_text(st, 22)));
	}
	db_finalize(st);
	if (!j)
		return NULL;
	apps = json_array();
	st = db_prepare(db, SQL_APPROVALS);
	if (st) {
		db_bind_int(st, 1, id);
		while (db_step(st) == DB_ROW)
			json_array_append_new(apps, json_pack("{s:I, s:I, s:s, s:o, s:o, s:s}", "seq",
							      (json_int_t)db_col_int(st, 0), "org_id",
							      (json_int_t)db_col_int(st, 1), "org_name", db_col_text(st, 2),
							      "decision", opt_str(st, 4), "decided_on", opt_str(st, 5), "note",
							      db_col_text(st, 6)));
		db_finalize(st);
	}
	json_object_set_new(j, "approvals", apps);
	if (xfer_load(db, a, id, &x) == 1) {
		int pending = strcmp(x.status, "requested") == 0;
		json_object_set_new(j, "next_approver_org_id", x.next_org && pending ? json_integer(x.next_org) : json_null());
		if (c) {
			int accept = 0;
			if (strcmp(x.kind, "internal") == 0)
				accept = strcmp(x.status, "approved") == 0 && perm_has(c, "member.write", x.to_path);
			else if (strcmp(x.kind, "in") == 0)
				accept = pending && perm_has(c, "member.write", x.to_path);
			else
				accept = pending && perm_has(c, "member.write", x.from_path);
			json_object_set_new(j, "can_approve", json_boolean(pending && x.next_org &&
									   perm_has(c, "member.approve", x.next_path)));
			json_object_set_new(j, "can_accept", json_boolean(accept));
		}
	}
	return j;
}

/* ---------------------------------------------------------------- list */

void transfers_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct db_params p = { 0 };
	const char *org_path, *kind = req_query(r, "kind"), *status = req_query(r, "status"), *where;
	struct db_stmt *st;
	json_t *items;
	int rc;

	if (!members_org_param(r, "member.read", &org_path))
		return;
	scope_for(c, "member.read", &s);
	where = arena_printf(&r->arena, "(%s OR %s)", scope_sql(&r->arena, &s, "fo.path"),
			     scope_sql(&r->arena, &s, "tro.path"));
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < s.n; i++)
			db_param_text(&p, arena_printf(&r->arena, "%s%%", s.paths[i]));
	if (org_path) {
		where = arena_printf(&r->arena, "%s AND (fo.path LIKE ? OR tro.path LIKE ?)", where);
		db_param_text(&p, arena_printf(&r->arena, "%s%%", org_path));
		db_param_text(&p, arena_printf(&r->arena, "%s%%", org_path));
	}
	if (kind) {
		where = arena_printf(&r->arena, "%s AND t.kind = ?", where);
		db_param_text(&p, kind);
	}
	if (status) {
		where = arena_printf(&r->arena, "%s AND t.status = ?", where);
		db_param_text(&p, status);
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "SELECT t.id FROM member_transfers t"
					     " LEFT JOIN orgs fo ON fo.id = t.from_org_id LEFT JOIN orgs tro ON tro.id = t.to_org_id"
					     " WHERE %s ORDER BY t.id DESC LIMIT 500", where));
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_params_bind(st, &p);
	{
		int64_t ids[500];
		int n = 0;
		while ((rc = db_step(st)) == DB_ROW && n < 500)
			ids[n++] = db_col_int(st, 0);
		db_finalize(st);
		if (rc != DB_DONE && rc != DB_ROW) {
			app_db_fail(r, rc, 0);
			return;
		}
		items = json_array();
		for (int i = 0; i < n; i++) {
			json_t *e = xfer_json(c->db, &r->arena, c, ids[i]);
			if (e)
				json_array_append_new(items, e);
		}
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

void transfers_http_get(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct xfer x;
	int64_t id = req_param_id(r, "id");

	if (!id || xfer_load(c->db, &r->arena, id, &x) != 1 || !xfer_visible(c, &x)) {
		resp_error(r, ZB_ENOTFOUND, "转接记录不存在");
		return;
	}
	resp_json(r, 200, xfer_json(c->db, &r->arena, c, id));
}

/* ---------------------------------------------------------------- create */

static const struct json_field t_fields[] = {
	{ "kind", JF_STRING, 1, 0, 1, 16, "转接类型" },
	{ "person_id", JF_INT, 0, 1, 1, INT64_MAX, "党员" },
	{ "to_org_id", JF_INT, 0, 1, 1, INT64_MAX, "接收组织" },
	{ "person_name", JF_STRING, 0, 1, 1, 64, "姓名" },
	{ "outside_unit", JF_STRING, 0, 1, 1, 200, "对方单位" },
	{ "letter_no", JF_STRING, 0, 1, 1, 64, "介绍信编号" },
	{ "issued_on", JF_DATE, 0, 1, 0, 0, "开具日期" },
	{ "cross_province", JF_BOOL, 0, 1, 0, 0, "跨省转接" },
	{ "dues_paid_to", JF_STRING, 0, 1, 1, 16, "党费交至" },
	{ "reason", JF_STRING, 0, 1, 0, 500, "原因" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/* The parent path of an org path ("/1/4/" -> "/1/"); "" for a root. */
static void parent_path(const char *path, char out[256])
{
	char in[256];
	size_t n;
	char *slash;

	snprintf(in, sizeof(in), "%s", path);	/* path may be out */
	snprintf(out, 256, "%s", in);
	n = strlen(out);
	if (n < 2) {
		out[0] = '\0';
		return;
	}
	out[n - 1] = '\0';
	slash = strrchr(out, '/');
	if (slash)
		slash[1] = '\0';
	else
		out[0] = '\0';
}

/* The id of the last org of a path ("/1/4/" -> 4). */
static int64_t path_last_id(const char *path)
{
	size_t n = strlen(path);
	const char *p;

	if (n < 2)
		return 0;
	for (p = path + n - 2; p > path && *p != '/'; p--)
		;
	return strtoll(p + 1, NULL, 10);
}

/* The common ancestor of two paths, by whole segments, into out. */
static void common_path(const char *a, const char *b, char out[256])
{
	size_t last = 0;

	for (size_t i = 0; a[i] && b[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			last = i + 1;
	snprintf(out, 256, "%.*s", (int)last, a);
}

void transfers_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct zb_fail f;
	struct audit_who who;
	struct person_where w;
	struct org to;
	json_t *b;
	const char *kind, *name = NULL, *letter = NULL, *issued = NULL, *paid_to;
	char today[11], valid[11] = "", anc[256] = "", now[24], lbuf[64];
	int64_t from = 0, to_id = 0, anc_id = 0, id = 0, pending = 0, person = 0;
	int rc = DB_OK, cross;
	const char *status = "requested";

	zb_fail_init(&f);
	if (!(b = members_body(r, t_fields, &f)))
		return;
	members_today(today);
	scope_for(c, "member.read", &s);
	kind = json_str(b, "kind", "");
	cross = json_is_true(json_object_get(b, "cross_province"));
	paid_to = json_str(b, "dues_paid_to", NULL);
	if (paid_to && !month_valid(paid_to))
		zb_fail_field(&f, "dues_paid_to", "党费交至月份应为 YYYY-MM 格式");
	if (strcmp(kind, "internal") == 0 || strcmp(kind, "out") == 0) {
		person = json_int(b, "person_id", 0);
		if (!person || person_where_load(c->db, person, &w) != 1 || !scope_contains(&s, w.org_path) ||
		    strcmp(w.status, "active") != 0) {
			json_decref(b);
			zb_fail_release(&f);
			resp_error(r, ZB_ENOTFOUND, "人员不存在");
			return;
		}
		from = w.org_id;
		name = members_person_name(c->db, &r->arena, person);
		{
			char ps[48] = "";
			struct db_stmt *st = db_prepare(c->db, "SELECT political_status FROM people WHERE id = ?");
			if (st) {
				db_bind_int(st, 1, person);
				if (db_step(st) == DB_ROW)
					snprintf(ps, sizeof(ps), "%s", db_col_text(st, 0));
				db_finalize(st);
			}
			if (strcmp(ps, "member") != 0 && strcmp(ps, "probationary") != 0)
				zb_fail_field(&f, "person_id", "只有党员（含预备党员）才能转接组织关系");
		}
		db_query_int(c->db, &pending, "SELECT COUNT(*) FROM member_transfers WHERE person_id = ?"
			     " AND status IN ('requested', 'approved')", "i", person);
		if (pending)
			zb_fail_field(&f, "person_id", "该党员已有正在办理的组织关系转接");
	}
	if (strcmp(kind, "internal") == 0) {
		if (!perm_has(c, "member.write", w.org_path)) {
			json_decref(b);
			zb_fail_release(&f);
			resp_error(r, ZB_EFORBIDDEN, "转接申请须由党员所在党组织提出");
			return;
		}
		to_id = json_int(b, "to_org_id", 0);
		if (!to_id || org_load(c->db, to_id, &to) != 1 || strcmp(to.status, "active") != 0 ||
		    (strcmp(to.kind, "branch") != 0 && strcmp(to.kind, "general_branch") != 0 &&
		     strcmp(to.kind, "party_group") != 0))
			zb_fail_field(&f, "to_org_id", "接收组织须为现有的党支部、党总支或党小组");
		else if (to_id == from)
			zb_fail_field(&f, "to_org_id", "接收组织与现所在组织相同");
		else {
			common_path(w.org_path, to.path, anc);
			anc_id = path_last_id(anc);
		}
	} else if (strcmp(kind, "out") == 0) {
		char parent[256];
		int n;
		parent_path(w.org_path, parent);
		if (!perm_has(c, "member.approve", parent)) {
			json_decref(b);
			zb_fail_release(&f);
			resp_error(r, ZB_EFORBIDDEN, "组织关系介绍信须由上级党委开具");
			return;
		}
		if (!json_str(b, "outside_unit", NULL))
			zb_fail_field(&f, "outside_unit", "请填写接收党组织（对方单位）");
		if (!paid_to)
			zb_fail_field(&f, "dues_paid_to", "请填写党费交至月份");
		issued = json_str(b, "issued_on", today);
		if (strcmp(issued, today) > 0)
			zb_fail_field(&f, "issued_on", "开具日期不能晚于今天");
		n = members_setting_int(c->db, cross ? "member_letter_valid_months_cross" : "member_letter_valid_months",
					cross ? 6 : 3);
		date_add_months(issued, n, 0, valid);
		{
			int64_t seq = 0;
			char like[16];
			snprintf(like, sizeof(like), "%.4s-%%", issued);
			db_query_int(c->db, &seq, "SELECT COUNT(*) FROM member_transfers WHERE kind = 'out' AND issued_on LIKE ?",
				     "s", like);
			snprintf(lbuf, sizeof(lbuf), "组转〔%.4s〕%lld号", issued, (long long)seq + 1);
			letter = lbuf;
		}
	} else if (strcmp(kind, "in") == 0) {
		int n;
		to_id = json_int(b, "to_org_id", 0);
		if (!to_id || org_load(c->db, to_id, &to) != 1 || !scope_contains(&s, to.path)) {
			json_decref(b);
			zb_fail_release(&f);
			resp_error(r, ZB_ENOTFOUND, "接收组织不存在");
			return;
		}
		if (!perm_has(c, "member.write", to.path)) {
			json_decref(b);
			zb_fail_release(&f);
			resp_error(r, ZB_EFORBIDDEN, "您无权为该组织登记转入");
			return;
		}
		name = json_str_trim(&r->arena, b, "person_name", NULL);
		if (!name)
			zb_fail_field(&f, "person_name", "请填写转入党员的姓名");
		if (!json_str(b, "outside_unit", NULL))
			zb_fail_field(&f, "outside_unit", "请填写转出党组织（对方单位）");
		letter = json_str_trim(&r->arena, b, "letter_no", NULL);
		if (!letter)
			zb_fail_field(&f, "letter_no", "请填写介绍信编号");
		issued = json_str(b, "issued_on", NULL);
		if (!issued)
			zb_fail_field(&f, "issued_on", "请填写介绍信开具日期");
		else {
			n = members_setting_int(c->db, cross ? "member_letter_valid_months_cross" : "member_letter_valid_months",
						cross ? 6 : 3);
			date_add_months(issued, n, 0, valid);
		}
		if (letter) {
			int64_t dup = 0;
			db_query_int(c->db, &dup, "SELECT COUNT(*) FROM member_transfers WHERE letter_no = ?", "s", letter);
			if (dup)
				zb_fail_field(&f, "letter_no", "该介绍信编号已经登记");
		}
	} else {
		zb_fail_field(&f, "kind", "转接类型应为 internal（系统内）、out（转出）或 in（转入）");
	}
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	ts_now(now);
	{
		struct db_stmt *st = db_prepare(c->db, SQL_T_INSERT);
		rc = st ? DB_OK : DB_EGENERIC;
		if (st) {
			db_bindf(st, "snsnnnsssssssssnss", kind, name, json_str_trim(&r->arena, b, "outside_unit", ""),
				 letter, issued, valid[0] ? valid : NULL, cross ? "1" : "0", paid_to,
				 json_str_trim(&r->arena, b, "reason", ""), status, today, now, now);
			if (person)
				db_bind_int(st, 2, person);
			if (from)
				db_bind_int(st, 4, from);
			if (to_id)
				db_bind_int(st, 5, to_id);
			if (anc_id)
				db_bind_int(st, 6, anc_id);
			db_bind_int(st, 11, cross);
			if (c->user_id)
				db_bind_int(st, 16, c->user_id);
			rc = db_step(st);
			id = rc == DB_ROW ? db_col_int(st, 0) : 0;
			rc = rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
			db_finalize(st);
		}
	}
	/* the approvals of an internal transfer: each org from the sender's parent up to the common ancestor */
	if (rc == DB_OK && strcmp(kind, "internal") == 0) {
		char cur[256];
		int seq = 0;
		parent_path(w.org_path, cur);
		while (rc == DB_OK && cur[0] && strlen(cur) >= strlen(anc)) {
			rc = db_run(c->db, "INSERT INTO transfer_approvals (transfer_id, seq, org_id) VALUES (?, ?, ?)", "iii", id,
				    (int64_t)++seq, path_last_id(cur));
			if (strcmp(cur, anc) == 0)
				break;
			parent_path(cur, cur);
		}
		if (rc == DB_OK && seq == 0)	/* the receiving org lies under the sender: nothing to approve */
			rc = db_run(c->db, "UPDATE member_transfers SET status = 'approved' WHERE id = ?", "i", id);
	}
	if (rc == DB_OK) {
		json_t *after = json_deep_copy(b);
		json_object_set_new(after, "letter_no", letter ? json_string(letter) : json_null());
		rc = app_audit(r, "member_transfer", id, "create", NULL, after);
		json_decref(after);
	}
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 201, xfer_json(c->db, &r->arena, c, id));
}

/* ---------------------------------------------------------------- approve, accept, cancel */

static const struct json_field approve_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本" },
	{ "decision", JF_STRING, 1, 0, 1, 16, "审批意见" },
	{ "note", JF_STRING, 0, 1, 0, 500, "说明" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/* Load :id visible to the caller (404) and its body; NULL when answered. */
static json_t *xfer_begin(struct req *r, const struct json_field *fields, struct xfer *x, struct zb_fail *f)
{
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id");
	json_t *b;

	zb_fail_init(f);
	if (!id || xfer_load(c->db, &r->arena, id, x) != 1 || !xfer_visible(c, x)) {
		resp_error(r, ZB_ENOTFOUND, "转接记录不存在");
		return NULL;
	}
	if (!(b = members_body(r, fields, f)))
		return NULL;
	if (json_int(b, "version", 0) != x->version) {
		json_decref(b);
		zb_fail_release(f);
		app_conflict(r, "该转接已被他人办理，请刷新后重试", xfer_json(c->db, &r->arena, c, id));
		return NULL;
	}
	return b;
}

/* Bump the transfer's version with the state it read (stale = 409 in f). */
static int xfer_set(struct db *db, const struct xfer *x, const char *status, const char *completed_on,
		    struct zb_fail *f)
{
	int64_t changed = 0;
	char now[24];
	int rc;

	ts_now(now);
	rc = db_run_changes(db, &changed,
			    "UPDATE member_transfers SET status = ?, completed_on = COALESCE(CAST(? AS TEXT), completed_on),"
			    " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
			    "sssii", status, completed_on, now, x->id, x->version);
	if (rc == DB_OK && changed != 1)
		zb_fail_set(f, ZB_ECONFLICT, "该转接已被他人办理，请刷新后重试");
	return rc;
}

void transfers_http_approve(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct xfer x;
	struct zb_fail f;
	json_t *b = xfer_begin(r, approve_fields, &x, &f);
	const char *decision;
	char today[11];
	int rc, approve;

	if (!b)
		return;
	decision = json_str(b, "decision", "");
	approve = strcmp(decision, "approve") == 0;
	if (!approve && strcmp(decision, "refuse") != 0)
		zb_fail_field(&f, "decision", "审批意见应为 approve（同意）或 refuse（不同意）");
	else if (strcmp(x.status, "requested") != 0 || !x.next_org)
		zb_fail_set(&f, ZB_ECONFLICT, "该转接当前不需要审批");
	else if (!perm_has(c, "member.approve", x.next_path)) {
		json_decref(b);
		zb_fail_release(&f);
		resp_error(r, ZB_EFORBIDDEN, "须由转接路径上的下一级党组织审批");
		return;
	}
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	members_today(today);
	rc = db_run(c->db, "UPDATE transfer_approvals SET decision = ?, decided_by = ?, decided_on = ?, note = ?"
		    " WHERE transfer_id = ? AND org_id = ? AND decision IS NULL", "sissii", approve ? "approved" : "refused",
		    c->user_id, today, json_str_trim(&r->arena, b, "note", ""), x.id, x.next_org);
	if (rc == DB_OK) {
		int64_t left = 0;
		db_query_int(c->db, &left, "SELECT COUNT(*) FROM transfer_approvals WHERE transfer_id = ? AND decision IS NULL",
			     "i", x.id);
		rc = xfer_set(c->db, &x, !approve ? "refused" : left ? "requested" : "approved", approve ? NULL : today, &f);
	}
	if (rc == DB_OK && !f.err) {
		json_t *after = json_pack("{s:s, s:I}", "decision", decision, "org_id", (json_int_t)x.next_org);
		rc = app_audit(r, "member_transfer", x.id, "approve", NULL, after);
		json_decref(after);
	}
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 200, xfer_json(c->db, &r->arena, c, x.id));
}

static const struct json_field accept_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本" },
	{ "person_id", JF_INT, 0, 1, 1, INT64_MAX, "党员" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void transfers_http_accept(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct xfer x;
	struct zb_fail f;
	struct audit_who who;
	json_t *b = xfer_begin(r, accept_fields, &x, &f);
	char today[11];
	int rc = DB_OK;

	if (!b)
		return;
	members_today(today);
	if (strcmp(x.kind, "internal") == 0) {
		if (strcmp(x.status, "approved") != 0)
			zb_fail_set(&f, ZB_ECONFLICT, "须在审批通过后才能接收");
		else if (!perm_has(c, "member.write", x.to_path)) {
			json_decref(b);
			zb_fail_release(&f);
			resp_error(r, ZB_EFORBIDDEN, "须由接收党组织办理接收");
			return;
		}
	} else if (strcmp(x.kind, "in") == 0) {
		struct person_where w;
		int64_t pid = json_int(b, "person_id", 0);
		if (strcmp(x.status, "requested") != 0)
			zb_fail_set(&f, ZB_ECONFLICT, "该转入已经办结");
		else if (!perm_has(c, "member.write", x.to_path)) {
			json_decref(b);
			zb_fail_release(&f);
			resp_error(r, ZB_EFORBIDDEN, "须由接收党组织办理接收");
			return;
		} else if (x.valid_until[0] && strcmp(today, x.valid_until) > 0)
			zb_fail_field(&f, "version", "介绍信已于%s过期，须请对方重新开具", x.valid_until);
		else if (!pid || person_where_load(c->db, pid, &w) != 1 ||
			 strncmp(w.org_path, x.to_path, strlen(x.to_path)) != 0)
			zb_fail_field(&f, "person_id", "请先在接收组织中登记该党员的信息，再选择该党员");
		else
			x.person_id = pid;
	} else {
		if (strcmp(x.status, "requested") != 0)
			zb_fail_set(&f, ZB_ECONFLICT, "该转出已经办结");
		else if (!perm_has(c, "member.write", x.from_path)) {
			json_decref(b);
			zb_fail_release(&f);
			resp_error(r, ZB_EFORBIDDEN, "须由转出党组织登记回执");
			return;
		}
	}
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	app_who(r, &who);
	if (strcmp(x.kind, "internal") == 0) {
		struct person_where w;
		if (person_where_load(c->db, x.person_id, &w) != 1 || w.org_id != x.from_org)
			zb_fail_set(&f, ZB_ECONFLICT, "该党员已不在转出组织，转接无法完成");
		else
			rc = members_person_set(c->db, &r->app->keys, &who, x.person_id, NULL, NULL, NULL, x.to_org,
						"组织关系转接（系统内）");
	} else if (strcmp(x.kind, "in") == 0) {
		rc = db_run(c->db, "UPDATE member_transfers SET person_id = ? WHERE id = ?", "ii", x.person_id, x.id);
	} else {
		/* the receipt is back: the person leaves this tree (archived, kept with the history) */
		char now[24];
		int64_t changed = 0;
		ts_now(now);
		rc = db_run_changes(c->db, &changed,
				    "UPDATE people SET status = 'archived', archived_reason = ?, version = version + 1,"
				    " updated_at = ? WHERE id = ? AND status = 'active'", "ssi",
				    arena_printf(&r->arena, "组织关系转出至%s", x.outside), now, x.person_id);
		if (rc == DB_OK && changed == 1) {
			json_t *after = json_pack("{s:s, s:s}", "status", "archived", "reason", "组织关系转出");
			rc = audit_append(c->db, &r->app->keys, &who, "person", x.person_id, "transfer_out", NULL, after);
			json_decref(after);
		}
	}
	if (rc == DB_OK && !f.err)
		rc = xfer_set(c->db, &x, "completed", today, &f);
	if (rc == DB_OK && !f.err)
		rc = app_audit(r, "member_transfer", x.id, "accept", NULL, NULL);
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 200, xfer_json(c->db, &r->arena, c, x.id));
}

static const struct json_field cancel_fields[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本" },
	{ "reason", JF_STRING, 1, 0, 1, 500, "撤销原因" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void transfers_http_cancel(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct xfer x;
	struct zb_fail f;
	json_t *b = xfer_begin(r, cancel_fields, &x, &f);
	int rc = DB_OK;

	if (!b)
		return;
	if (strcmp(x.status, "requested") != 0 && strcmp(x.status, "approved") != 0)
		zb_fail_set(&f, ZB_ECONFLICT, "该转接已经办结，不能撤销");
	else if (!perm_has(c, "member.write", strcmp(x.kind, "in") == 0 ? x.to_path : x.from_path)) {
		json_decref(b);
		zb_fail_release(&f);
		resp_error(r, ZB_EFORBIDDEN, "须由提出转接的党组织撤销");
		return;
	}
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	rc = db_run(c->db, "UPDATE member_transfers SET note = ? WHERE id = ?", "si",
		    json_str_trim(&r->arena, b, "reason", ""), x.id);
	if (rc == DB_OK)
		rc = xfer_set(c->db, &x, "cancelled", NULL, &f);
	if (rc == DB_OK && !f.err)
		rc = app_audit(r, "member_transfer", x.id, "cancel", NULL, b);
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 200, xfer_json(c->db, &r->arena, c, x.id));
}

/* ---------------------------------------------------------------- findings */

int members_transfer_findings(const struct findings_query *q, struct findings *out)
{
	int days = members_setting_int(q->db, "member_transfer_stale_days", 30);
	struct ymd t = date_from_days(q->as_of), lim = date_from_days(q->as_of - days);
	struct db_params p = { 0 };
	const char *where = scope_sql(q->a, q->s, "o.path");
	struct db_stmt *st;
	char as_of[11], limit[11];
	int rc;

	date_format(t, as_of);
	date_format(lim, limit);
	db_param_text(&p, limit);
	db_param_text(&p, as_of);
	for (int i = 0; i < q->s->n; i++)
		db_param_text(&p, arena_printf(q->a, "%s%%", q->s->paths[i]));
	if (q->path_like) {
		where = arena_printf(q->a, "%s AND o.path LIKE ?", where);
		db_param_text(&p, q->path_like);
	}
	st = db_prepare(q->db, arena_printf(q->a,
		"SELECT t.id, t.person_name, t.requested_on, o.id, o.path, o.name, t.kind FROM member_transfers t"
		" JOIN orgs o ON o.id = CASE WHEN t.kind = 'in' THEN t.to_org_id ELSE t.from_org_id END"
		" WHERE t.status IN ('requested', 'approved') AND t.requested_on < ? AND t.requested_on <= ? AND %s"
		" ORDER BY t.requested_on, t.id", where));
	if (!st)
		return DB_EGENERIC;
	db_params_bind(st, &p);
	while ((rc = db_step(st)) == DB_ROW) {
		struct finding f = {
			.org_id = db_col_int(st, 3), .org_path = db_col_text(st, 4), .org_name = db_col_text(st, 5),
			.subject = "member", .code = "transfer_stale", .label = "转接久未办结",
			.severity = RULE_MEDIUM,
			.text = arena_printf(q->a, "%s：%s的组织关系转接自%s提出，已超过%d天未办结", db_col_text(st, 5),
					     db_col_text(st, 1), db_col_text(st, 2), days),
			.link = arena_printf(q->a, "/members/transfers/%lld", (long long)db_col_int(st, 0)),
			.date = db_col_text(st, 2),
		};
		if (findings_add(out, &f) != 0) {
			rc = DB_EGENERIC;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

/* ---------------------------------------------------------------- floating members */

static const char SQL_F_COLS[] =
	"SELECT fm.id, fm.direction, fm.org_id, o.name, fm.person_id, fm.name, fm.place, fm.unit, fm.contact,"
	" fm.from_date, fm.to_date, fm.note, fm.status, fm.version, o.path FROM floating_members fm"
	" JOIN orgs o ON o.id = fm.org_id";

static json_t *float_row(struct db_stmt *st)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I}", "id",
			      (json_int_t)db_col_int(st, 0), "direction", db_col_text(st, 1), "direction_label",
			      strcmp(db_col_text(st, 1), "out") == 0 ? "外出流动党员" : "流入党员", "org_id",
			      (json_int_t)db_col_int(st, 2), "org_name", db_col_text(st, 3), "person_id", opt_int(st, 4),
			      "name", db_col_text(st, 5), "place", db_col_text(st, 6), "unit", db_col_text(st, 7),
			      "contact", db_col_text(st, 8), "from_date", db_col_text(st, 9), "to_date", opt_str(st, 10),
			      "note", db_col_text(st, 11), "status", db_col_text(st, 12), "version",
			      (json_int_t)db_col_int(st, 13));
	return j;
}

static json_t *float_json(struct db *db, struct arena *a, int64_t id, char *path /* OUT 256, may be NULL */,
			  int64_t *version)
{
	struct db_stmt *st = db_prepare(db, arena_printf(a, "%s WHERE fm.id = ?", SQL_F_COLS));
	json_t *j = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		j = float_row(st);
		if (path)
			snprintf(path, 256, "%s", db_col_text(st, 14));
		if (version)
			*version = db_col_int(st, 13);
	}
	db_finalize(st);
	return j;
}

void floating_http_list(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct db_params p = { 0 };
	const char *org_path, *where, *dir = req_query(r, "direction"), *status = req_query(r, "status");
	struct db_stmt *st;
	json_t *items;
	int rc;

	if (!members_org_param(r, "member.read", &org_path))
		return;
	scope_for(c, "member.read", &s);
	where = scope_sql(&r->arena, &s, "o.path");
	for (int i = 0; i < s.n; i++)
		db_param_text(&p, arena_printf(&r->arena, "%s%%", s.paths[i]));
	if (org_path) {
		where = arena_printf(&r->arena, "%s AND o.path LIKE ?", where);
		db_param_text(&p, arena_printf(&r->arena, "%s%%", org_path));
	}
	if (dir) {
		where = arena_printf(&r->arena, "%s AND fm.direction = ?", where);
		db_param_text(&p, dir);
	}
	if (status) {
		where = arena_printf(&r->arena, "%s AND fm.status = ?", where);
		db_param_text(&p, status);
	}
	st = db_prepare(c->db, arena_printf(&r->arena, "%s WHERE %s ORDER BY o.path, fm.from_date DESC, fm.id LIMIT 1000",
					     SQL_F_COLS, where));
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	db_params_bind(st, &p);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, float_row(st));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct json_field float_fields[] = {
	{ "direction", JF_STRING, 1, 0, 1, 8, "流动方向" },
	{ "org_id", JF_INT, 1, 0, 1, INT64_MAX, "党组织" },
	{ "person_id", JF_INT, 0, 1, 1, INT64_MAX, "党员" },
	{ "name", JF_STRING, 0, 1, 1, 64, "姓名" },
	{ "place", JF_STRING, 0, 1, 0, 200, "流动地点" },
	{ "unit", JF_STRING, 0, 1, 0, 200, "所在单位" },
	{ "contact", JF_STRING, 0, 1, 0, 100, "联系方式" },
	{ "from_date", JF_DATE, 1, 0, 0, 0, "开始日期" },
	{ "note", JF_STRING, 0, 1, 0, 1000, "备注" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void floating_http_create(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	struct zb_fail f;
	struct org o;
	json_t *b;
	const char *dir, *name;
	int64_t pid, id = 0;
	char now[24], today[11];
	int rc;

	zb_fail_init(&f);
	if (!(b = members_body(r, float_fields, &f)))
		return;
	scope_for(c, "member.read", &s);
	if (org_load(c->db, json_int(b, "org_id", 0), &o) != 1 || !scope_contains(&s, o.path)) {
		json_decref(b);
		zb_fail_release(&f);
		resp_error(r, ZB_ENOTFOUND, "组织不存在");
		return;
	}
	if (!perm_has(c, "member.write", o.path)) {
		json_decref(b);
		zb_fail_release(&f);
		resp_error(r, ZB_EFORBIDDEN, "您无权登记该组织的流动党员");
		return;
	}
	dir = json_str(b, "direction", "");
	pid = json_int(b, "person_id", 0);
	name = json_str_trim(&r->arena, b, "name", NULL);
	members_today(today);
	if (strcmp(dir, "out") != 0 && strcmp(dir, "in") != 0)
		zb_fail_field(&f, "direction", "流动方向应为 out（外出）或 in（流入）");
	if (pid) {
		struct person_where w;
		if (person_where_load(c->db, pid, &w) != 1 || strncmp(w.org_path, o.path, strlen(o.path)) != 0)
			zb_fail_field(&f, "person_id", "该党员不在所选组织");
		else
			name = members_person_name(c->db, &r->arena, pid);
	} else if (strcmp(dir, "out") == 0) {
		zb_fail_field(&f, "person_id", "请选择外出的党员");
	}
	if (!name)
		zb_fail_field(&f, "name", "请填写姓名");
	if (strcmp(json_str(b, "from_date", ""), today) > 0)
		zb_fail_field(&f, "from_date", "开始日期不能晚于今天");
	if (f.err) {
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	ts_now(now);
	{
		struct db_stmt *st = db_prepare(c->db,
			"INSERT INTO floating_members (direction, org_id, person_id, name, place, unit, contact, from_date,"
			" note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
		rc = st ? DB_OK : DB_EGENERIC;
		if (st) {
			db_bindf(st, "sinssssssss", dir, o.id, name, json_str_trim(&r->arena, b, "place", ""),
				 json_str_trim(&r->arena, b, "unit", ""), json_str_trim(&r->arena, b, "contact", ""),
				 json_str(b, "from_date", ""), json_str_trim(&r->arena, b, "note", ""), now, now);
			if (pid)
				db_bind_int(st, 3, pid);
			rc = db_step(st);
			id = rc == DB_ROW ? db_col_int(st, 0) : 0;
			rc = rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
			db_finalize(st);
		}
	}
	if (rc == DB_OK)
		rc = app_audit(r, "floating_member", id, "create", NULL, b);
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 201, float_json(c->db, &r->arena, id, NULL, NULL));
}

static const struct json_field float_upd[] = {
	{ "version", JF_INT, 1, 0, 1, INT64_MAX, "版本" },
	{ "place", JF_STRING, 0, 1, 0, 200, "流动地点" },
	{ "unit", JF_STRING, 0, 1, 0, 200, "所在单位" },
	{ "contact", JF_STRING, 0, 1, 0, 100, "联系方式" },
	{ "note", JF_STRING, 0, 1, 0, 1000, "备注" },
	{ "to_date", JF_DATE, 0, 1, 0, 0, "结束日期" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void floating_http_update(struct req *r)
{
	struct ctx *c = req_ctx(r);
	int64_t id = req_param_id(r, "id"), version = 0, changed = 0;
	struct scope s;
	struct zb_fail f;
	char path[256] = "", now[24];
	json_t *cur = id ? float_json(c->db, &r->arena, id, path, &version) : NULL, *b;
	const char *to_date;
	int rc;

	scope_for(c, "member.read", &s);
	if (!cur || !scope_contains(&s, path)) {
		json_decref(cur);
		resp_error(r, ZB_ENOTFOUND, "流动党员记录不存在");
		return;
	}
	if (!perm_has(c, "member.write", path)) {
		json_decref(cur);
		resp_error(r, ZB_EFORBIDDEN, "您无权修改该记录");
		return;
	}
	zb_fail_init(&f);
	if (!(b = members_body(r, float_upd, &f))) {
		json_decref(cur);
		return;
	}
	to_date = json_str(b, "to_date", NULL);
	if (to_date && strcmp(to_date, json_string_value(json_object_get(cur, "from_date"))) < 0)
		zb_fail_field(&f, "to_date", "结束日期不能早于开始日期");
	if (f.err) {
		json_decref(cur);
		json_decref(b);
		resp_fail(r, &f);
		return;
	}
	if (!app_begin_write(r)) {
		json_decref(cur);
		json_decref(b);
		zb_fail_release(&f);
		return;
	}
	ts_now(now);
	rc = db_run_changes(c->db, &changed,
			    "UPDATE floating_members SET place = ?, unit = ?, contact = ?, note = ?, to_date = ?,"
			    " status = CASE WHEN CAST(? AS TEXT) IS NULL THEN 'active' ELSE 'ended' END,"
			    " version = version + 1, updated_at = ? WHERE id = ? AND version = ?", "sssssssii",
			    json_str(b, "place", json_string_value(json_object_get(cur, "place"))),
			    json_str(b, "unit", json_string_value(json_object_get(cur, "unit"))),
			    json_str(b, "contact", json_string_value(json_object_get(cur, "contact"))),
			    json_str(b, "note", json_string_value(json_object_get(cur, "note"))), to_date, to_date, now, id,
			    json_int(b, "version", 0));
	if (rc == DB_OK && changed != 1) {
		db_rollback(c->db);
		json_decref(b);
		zb_fail_release(&f);
		app_conflict(r, "该记录已被他人修改，请刷新后重试", cur);
		return;
	}
	if (rc == DB_OK)
		rc = app_audit(r, "floating_member", id, "update", cur, b);
	json_decref(cur);
	json_decref(b);
	if (!members_write_ok(r, rc, &f))
		return;
	zb_fail_release(&f);
	app_commit_answer(r, 200, float_json(c->db, &r->arena, id, NULL, NULL));
}

/*
 * GET /api/v1/transfers/destinations -> {items:[{id, name, kind, parent_name}]}:
 * every active org that can receive a member (党支部, 党总支, 党小组), so a
 * sending branch can name a receiving branch outside its own scope. Names and
 * the tree only, nothing about the people in them.
 */
void transfers_http_destinations(struct req *r)
{
	struct ctx *c = req_ctx(r);
	struct db_stmt *st;
	json_t *items;
	int rc;

	st = db_prepare(c->db, "SELECT o.id, o.name, o.kind, COALESCE(p.name, '') FROM orgs o"
			       " LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.status = 'active'"
			       " AND o.kind IN ('branch', 'general_branch', 'party_group') ORDER BY o.path");
	if (!st) {
		app_db_fail(r, DB_EGENERIC, 0);
		return;
	}
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_col_int(st, 0),
						       "name", db_col_text(st, 1), "kind", db_col_text(st, 2),
						       "parent_name", db_col_text(st, 3)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(items);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o}", "items", items));
}
