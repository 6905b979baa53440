/* people_ledger.c - what the people module offers modules that keep details of people and flags (the ledgers). */
#include <string.h>
#include "people.h"
#include "people_internal.h"

static const char SQL_FLAG_REF[] =
	"SELECT id, person_id, flag, started_on, ended_on, version FROM person_flags WHERE id = ?";

int person_where_load(struct db *db, int64_t id, struct person_where *out)
{
	struct person_ref p;
	int rc = person_ref_load(db, id, &p);

	memset(out, 0, sizeof(*out));
	if (rc != 1)
		return rc;
	out->id = p.id;
	out->org_id = p.org_id;
	memcpy(out->org_path, p.org_path, sizeof(out->org_path));
	memcpy(out->status, p.status, sizeof(out->status));
	memcpy(out->birth_date, p.birth_date, sizeof(out->birth_date));
	return 1;
}

int flag_ref_load(struct db *db, int64_t id, struct flag_ref *out)
{
	struct db_stmt *st = db_prepare(db, SQL_FLAG_REF);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		out->person_id = db_col_int(st, 1);
		snprintf(out->flag, sizeof(out->flag), "%s", db_col_text(st, 2));
		snprintf(out->started_on, sizeof(out->started_on), "%s", db_col_text(st, 3));
		snprintf(out->ended_on, sizeof(out->ended_on), "%s",
			 db_col_isnull(st, 4) ? "" : db_col_text(st, 4));
		out->version = db_col_int(st, 5);
	}
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : rc;
	rc = person_where_load(db, out->person_id, &out->person);
	return rc == 1 ? 1 : rc == 0 ? DB_EGENERIC : rc;	/* a flag without its person */
}

/*
 * The flag's other fields are read back from its row and handed to
 * flag_update unchanged (an empty post or note as none, which is how
 * flag_update stores none), so only the period can change here.
 */
int flag_set_period(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t id, int64_t version, const char *started_on, const char *ended_on,
		    struct zb_fail *f)
{
	json_t *cur = flag_json(db, id);
	const char *flag, *post, *note;
	int rc;

	if (!cur) {
		zb_fail_set(f, ZB_ENOTFOUND, "标记记录不存在");
		return 1;
	}
	flag = json_string_value(json_object_get(cur, "flag"));
	post = json_string_value(json_object_get(cur, "post"));
	note = json_string_value(json_object_get(cur, "note"));
	rc = flag_update(db, k, who, id, version, flag, started_on, ended_on,
			 post && *post ? post : NULL, note && *note ? note : NULL, f);
	json_decref(cur);
	if (rc == PW_OK)
		return DB_OK;
	if (rc == PW_STALE) {
		zb_fail_set(f, ZB_ECONFLICT, "该标记记录已被他人修改，请刷新后重试");
		return 1;
	}
	if (rc == PW_INVALID)
		return 1;
	return rc < 0 ? rc : DB_EGENERIC;
}

static const char SQL_ORG_MEMBERS[] =
	"SELECT p.id, p.name, p.political_status FROM people p JOIN orgs o ON o.id = p.org_id"
	" WHERE o.path LIKE ? AND p.status = 'active'"
	" AND p.political_status IN ('member', 'probationary') ORDER BY p.id";

long people_org_members(struct db *db, const char *org_path, org_member_fn fn, void *arg)
{
	struct db_stmt *st = db_prepare(db, SQL_ORG_MEMBERS);
	char like[300];
	long n = 0;
	int rc;

	if (!st)
		return DB_EGENERIC;
	snprintf(like, sizeof(like), "%s%%", org_path);
	db_bind_text(st, 1, like);
	while ((rc = db_step(st)) == DB_ROW) {
		n++;
		if (fn(arg, db_col_int(st, 0), db_col_text(st, 1),
		       strcmp(db_col_text(st, 2), "member") == 0)) {
			rc = DB_DONE;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? n : (rc < 0 ? rc : DB_EGENERIC);
}
