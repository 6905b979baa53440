/* members_common.c - what the members module's files share: settings, step definitions, request helpers, and the one audited writer of a person's status and org. */
#include <stdlib.h>
#include <string.h>
#include "members_internal.h"
#include "../people/people.h"
#include "../orgs/orgs.h"
#include "../../base/arena.h"
#include "../../base/date.h"
#include "../../base/json.h"

static const char SQL_SETTING[] = "SELECT value FROM settings WHERE key = ?";
static const char SQL_DEFS[] =
	"SELECT code, seq, stage, label, after_step, min_months, min_days, max_months, max_days,"
	" repeat_months, doc_required, needs_meeting, needs_people, min_hours, min_workdays,"
	" transition, rule, upper FROM join_steps ORDER BY seq";
static const char SQL_PERSON_ROW[] =
	"SELECT political_status, joined_on, full_member_on, org_id, version FROM people WHERE id = ?";
static const char SQL_PERSON_SET[] =
	"UPDATE people SET political_status = ?, joined_on = ?, full_member_on = ?, org_id = ?,"
	" version = version + 1, updated_at = ? WHERE id = ?";

int members_setting_int(struct db *db, const char *key, int dflt)
{
	struct db_stmt *st = db_prepare(db, SQL_SETTING);
	int v = dflt;

	if (!st)
		return dflt;
	db_bind_text(st, 1, key);
	if (db_step(st) == DB_ROW && db_col_text(st, 0)) {
		char *end;
		long n = strtol(db_col_text(st, 0), &end, 10);
		if (*end == '\0' && end != db_col_text(st, 0) && n >= 0 && n < 1000000)
			v = (int)n;
	}
	db_finalize(st);
	return v;
}

static void col(struct db_stmt *st, int i, char *out, size_t n)
{
	snprintf(out, n, "%s", db_col_text(st, i) ? db_col_text(st, i) : "");
}

long join_defs_load(struct db *db, struct join_def **defs)
{
	struct db_stmt *st = db_prepare(db, SQL_DEFS);
	struct join_def *v = NULL;
	size_t n = 0, cap = 0;
	int rc = st ? DB_OK : DB_EGENERIC;

	*defs = NULL;
	while (st && (rc = db_step(st)) == DB_ROW) {
		struct join_def *d;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct join_def *g = realloc(v, nc * sizeof(*g));
			if (!g) {
				rc = DB_EGENERIC;
				break;
			}
			v = g;
			cap = nc;
		}
		d = &v[n++];
		memset(d, 0, sizeof(*d));
		col(st, 0, d->code, sizeof(d->code));
		d->seq = (int)db_col_int(st, 1);
		col(st, 2, d->stage, sizeof(d->stage));
		col(st, 3, d->label, sizeof(d->label));
		col(st, 4, d->after, sizeof(d->after));
		d->min_months = (int)db_col_int(st, 5);
		d->min_days = (int)db_col_int(st, 6);
		d->max_months = (int)db_col_int(st, 7);
		d->max_days = (int)db_col_int(st, 8);
		d->repeat_months = (int)db_col_int(st, 9);
		d->doc_required = (int)db_col_int(st, 10);
		d->needs_meeting = (int)db_col_int(st, 11);
		d->needs_people = (int)db_col_int(st, 12);
		d->min_hours = (int)db_col_int(st, 13);
		d->min_workdays = (int)db_col_int(st, 14);
		col(st, 15, d->transition, sizeof(d->transition));
		col(st, 16, d->rule, sizeof(d->rule));
		d->upper = (int)db_col_int(st, 17);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		free(v);
		return rc < 0 ? rc : DB_EGENERIC;
	}
	*defs = v;
	return (long)n;
}

void members_today(char out[11])
{
	date_format(date_today_cn(), out);
}

int members_write_ok(struct req *r, int rc, struct zb_fail *f)
{
	struct db *db = req_ctx(r)->db;

	if (f->err) {
		db_rollback(db);
		resp_fail(r, f);
		return 0;
	}
	if (rc < 0) {
		zb_fail_release(f);
		app_db_fail(r, rc, 1);
		return 0;
	}
	return 1;
}

json_t *members_body(struct req *r, const struct json_field *fields, struct zb_fail *f)
{
	json_t *b = req_json(r, f);

	if (!b) {
		resp_fail(r, f);
		return NULL;
	}
	if (json_check(b, fields, 0, f) != 0) {
		json_decref(b);
		resp_fail(r, f);
		return NULL;
	}
	return b;
}

int members_person_param(struct req *r, const char *name, const char *action, struct person_where *w)
{
	struct ctx *c = req_ctx(r);
	struct scope s;
	int64_t id = req_param_id(r, name);
	int rc = id ? person_where_load(c->db, id, w) : 0;

	if (rc < 0) {
		app_db_fail(r, rc, 0);
		return 0;
	}
	scope_for(c, action, &s);
	if (rc == 0 || !scope_contains(&s, w->org_path)) {
		resp_error(r, ZB_ENOTFOUND, "人员不存在");
		return 0;
	}
	return 1;
}

int members_org_param(struct req *r, const char *action, const char **path)
{
	struct scope s;
	struct zb_fail f;

	zb_fail_init(&f);
	scope_for(req_ctx(r), action, &s);
	*path = org_scope_param(r, "org", &s, &f);
	if (f.err) {
		resp_fail(r, &f);
		return 0;
	}
	zb_fail_release(&f);
	return 1;
}

void members_parent_path(const char *path, char out[256])
{
	char in[256];
	char *slash;
	size_t n;

	snprintf(in, sizeof(in), "%s", path);
	n = strlen(in);
	if (n < 2) {
		out[0] = '\0';
		return;
	}
	in[n - 1] = '\0';
	slash = strrchr(in, '/');
	if (slash)
		slash[1] = '\0';
	else
		in[0] = '\0';
	snprintf(out, 256, "%s", in);
}

const char *members_person_name(struct db *db, struct arena *a, int64_t id)
{
	struct db_stmt *st = db_prepare(db, "SELECT name FROM people WHERE id = ?");
	const char *name = "";

	if (!st)
		return name;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW && db_col_text(st, 0))
		name = arena_strdup(a, db_col_text(st, 0));
	db_finalize(st);
	return name;
}

/* The fields members_person_set changes, as audit JSON; NULL when the person is missing. */
static json_t *person_part(struct db *db, int64_t id, int64_t *org_id)
{
	struct db_stmt *st = db_prepare(db, SQL_PERSON_ROW);
	json_t *j = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW) {
		j = json_object();
		json_object_set_new(j, "political_status", json_string(db_col_text(st, 0)));
		json_object_set_new(j, "joined_on", db_col_text(st, 1) ? json_string(db_col_text(st, 1)) : json_null());
		json_object_set_new(j, "full_member_on",
				    db_col_text(st, 2) ? json_string(db_col_text(st, 2)) : json_null());
		json_object_set_new(j, "org_id", json_integer(db_col_int(st, 3)));
		json_object_set_new(j, "version", json_integer(db_col_int(st, 4)));
		*org_id = db_col_int(st, 3);
	}
	db_finalize(st);
	return j;
}

int members_person_set(struct db *db, const struct keys *k, const struct audit_who *who,
		       int64_t person_id, const char *political_status, const char *joined_on,
		       const char *full_member_on, int64_t org_id, const char *why)
{
	int64_t old_org = 0, changed = 0;
	json_t *before = person_part(db, person_id, &old_org), *after;
	char now[24];
	int rc;

	if (!before)
		return DB_EGENERIC;
	ts_now(now);
	rc = db_run_changes(db, &changed, SQL_PERSON_SET, "sssisi",
			    political_status ? political_status :
					       json_string_value(json_object_get(before, "political_status")),
			    joined_on ? joined_on : json_string_value(json_object_get(before, "joined_on")),
			    full_member_on ? full_member_on :
					     json_string_value(json_object_get(before, "full_member_on")),
			    org_id > 0 ? org_id : old_org, now, person_id);
	if (rc == DB_OK && changed != 1)
		rc = DB_EGENERIC;
	after = rc == DB_OK ? person_part(db, person_id, &old_org) : NULL;
	if (after) {
		json_object_set_new(after, "reason", json_string(why ? why : ""));
		rc = audit_append(db, k, who, "person", person_id, org_id > 0 ? "transfer" : "join_status",
				  before, after);
	} else if (rc == DB_OK) {
		rc = DB_EGENERIC;
	}
	json_decref(before);
	json_decref(after);
	return rc;
}
