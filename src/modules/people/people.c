/* people.c - the people module's SQL and rules: persons, leadership-team positions, dated flags, the list filter. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "people.h"
#include "people_internal.h"
#include "../orgs/orgs.h"
#include "../../base/check.h"
#include "../../base/date.h"
#include "../../base/hash.h"
#include "../../base/json.h"

/* ---------------------------------------------------------------- SQL */

static const char SQL_DICT_ACTIVE[] =
	"SELECT COUNT(*) FROM dict_items WHERE dict = ? AND code = ? AND status = 'active'";
static const char SQL_DICT_EXISTS[] =
	"SELECT COUNT(*) FROM dict_items WHERE dict = ? AND code = ?";

static const char SQL_PERSON_REF[] =
	"SELECT pe.id, pe.org_id, o.path, pe.status, pe.version, pe.birth_date"
	" FROM people pe JOIN orgs o ON o.id = pe.org_id WHERE pe.id = ?";
static const char SQL_PERSON_OLD[] =
	"SELECT org_id, gender, ethnicity, education, political_status, id_number_enc"
	" FROM people WHERE id = ?";
static const char SQL_BIDX_TAKEN[] =
	"SELECT COUNT(*) FROM people WHERE id_number_bidx = ? AND id <> ?";
static const char SQL_PERSON_INSERT[] =
	"INSERT INTO people (org_id, name, gender, ethnicity, birth_date, id_number_enc,"
	" id_number_bidx, id_number_masked, phone_enc, phone_masked, education, political_status,"
	" joined_on, full_member_on, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
/* The update is these pieces: head, optional sensitive columns, tail. */
static const char SQL_PERSON_UPDATE_HEAD[] =
	"UPDATE people SET org_id = ?, name = ?, gender = ?, ethnicity = ?, birth_date = ?,"
	" education = ?, political_status = ?, joined_on = ?, full_member_on = ?, updated_at = ?,"
	" version = version + 1";
static const char SQL_PERSON_UPDATE_ID[] =
	", id_number_enc = ?, id_number_bidx = ?, id_number_masked = ?";
static const char SQL_PERSON_UPDATE_PHONE[] = ", phone_enc = ?, phone_masked = ?";
static const char SQL_PERSON_UPDATE_TAIL[] = " WHERE id = ? AND version = ?";
static const char SQL_PERSON_STATUS[] =
	"UPDATE people SET status = ?, archived_reason = ?, updated_at = ?, version = version + 1"
	" WHERE id = ? AND version = ?";
static const char SQL_PERSON_ID_ENC[] = "SELECT id_number_enc FROM people WHERE id = ?";
static const char SQL_PERSON_PHONE_ENC[] = "SELECT phone_enc FROM people WHERE id = ?";
static const char SQL_PEOPLE_IN_ORG[] =
	"SELECT COUNT(*) FROM people WHERE org_id = ? AND status = 'active'";

/* A person row: columns, then the joins that give labels. */
#define PERSON_COLS \
	"SELECT pe.id, pe.org_id, o.name, pe.name, pe.gender, g.label_zh, pe.ethnicity, e.label_zh," \
	" pe.birth_date, pe.id_number_masked, pe.phone_masked, pe.education, ed.label_zh," \
	" pe.political_status, ps.label_zh, pe.joined_on, pe.full_member_on, pe.status," \
	" pe.archived_reason, pe.version, pe.created_at, pe.updated_at, pe.photo"
#define PERSON_FROM " FROM people pe JOIN orgs o ON o.id = pe.org_id"
#define PERSON_LABELS \
	" LEFT JOIN dict_items g ON g.dict = 'gender' AND g.code = pe.gender" \
	" LEFT JOIN dict_items e ON e.dict = 'ethnicity' AND e.code = pe.ethnicity" \
	" LEFT JOIN dict_items ed ON ed.dict = 'education' AND ed.code = pe.education" \
	" LEFT JOIN dict_items ps ON ps.dict = 'political_status' AND ps.code = pe.political_status"
static const char SQL_PERSON_COLS[] = PERSON_COLS;
static const char SQL_PERSON_FROM[] = PERSON_FROM;
static const char SQL_PERSON_LABELS[] = PERSON_LABELS;
/* one constant text, so the statement cache finds it by address (the import reads every new person back) */
static const char SQL_PERSON_BY_ID[] = PERSON_COLS PERSON_FROM PERSON_LABELS " WHERE pe.id = ?";

static const char SQL_POSITION_ROW[] =
	"SELECT p.id, p.person_id, p.org_id, po.name, p.title, t.label_zh, p.started_on, p.ended_on,"
	" p.note, p.version, t.tags"
	" FROM positions p JOIN orgs po ON po.id = p.org_id"
	" LEFT JOIN dict_items t ON t.dict = 'position' AND t.code = p.title";
static const char SQL_POSITION_OLD[] =
	"SELECT person_id, org_id, title FROM positions WHERE id = ?";
static const char SQL_POSITION_INSERT[] =
	"INSERT INTO positions (person_id, org_id, title, started_on, ended_on, note, created_at,"
	" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_POSITION_UPDATE[] =
	"UPDATE positions SET org_id = ?, title = ?, started_on = ?, ended_on = ?, note = ?,"
	" updated_at = ?, version = version + 1 WHERE id = ? AND version = ?";

static const char SQL_FLAG_ROW[] =
	"SELECT f.id, f.person_id, f.flag, d.label_zh, f.started_on, f.ended_on, f.post, f.note,"
	" f.version FROM person_flags f"
	" LEFT JOIN dict_items d ON d.dict = 'person_flag' AND d.code = f.flag";
static const char SQL_FLAG_OLD[] = "SELECT person_id, flag FROM person_flags WHERE id = ?";
static const char SQL_FLAG_OVERLAP[] =
	"SELECT COUNT(*) FROM person_flags WHERE person_id = ? AND flag = ? AND id <> ?"
	" AND started_on <= ? AND (ended_on IS NULL OR ended_on >= ?)";
static const char SQL_FLAG_INSERT[] =
	"INSERT INTO person_flags (person_id, flag, started_on, ended_on, post, note, created_at,"
	" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_FLAG_UPDATE[] =
	"UPDATE person_flags SET flag = ?, started_on = ?, ended_on = ?, post = ?, note = ?,"
	" updated_at = ?, version = version + 1 WHERE id = ? AND version = ?";

/* Held / active on a date (both ends inclusive; no end = still held). */
static const char SQL_HELD_POSITION[] =
	" AND p.started_on <= ? AND (p.ended_on IS NULL OR p.ended_on >= ?)";
static const char SQL_ACTIVE_FLAG[] =
	" AND f.started_on <= ? AND (f.ended_on IS NULL OR f.ended_on >= ?)";

/* The education levels counted as 大专及以上. */
static const char SQL_COLLEGE_OR_ABOVE[] = "('postgraduate', 'bachelor', 'college')";
/* A tag in a dictionary item's comma-separated tags ('!' escapes the '_'). */
static const char SQL_TWO_COMMITTEES_TAG[] =
	"(',' || t.tags || ',') LIKE '%,two!_committees,%' ESCAPE '!'";

/* The flag whose `post` field means something. */
static const char FLAG_WITH_POST[] = "selected_graduate";

/* ---------------------------------------------------------------- helpers */

static json_t *text_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? json_null() : json_string(db_col_text(st, i));
}

static int dict_active(struct db *db, const char *dict, const char *code)
{
	int64_t n = 0;

	db_query_int(db, &n, SQL_DICT_ACTIVE, "ss", dict, code);
	return n > 0;
}

int people_dict_exists(struct db *db, const char *dict, const char *code)
{
	int64_t n = 0;

	db_query_int(db, &n, SQL_DICT_EXISTS, "ss", dict, code);
	return n > 0;
}

/*
 * A dictionary value is acceptable when it is an active item, or when it is
 * what the record already holds (records keep codes that were archived since).
 */
static int dict_ok(struct db *db, const char *dict, const char *code, const char *old)
{
	return (old && strcmp(code, old) == 0) || dict_active(db, dict, code);
}

/* ---------------------------------------------------------------- a batch's memory */

/* What a batch remembers of an org or a code; 0 = not asked yet. */
enum batch_state { BS_ACTIVE = 1, BS_ARCHIVED, BS_MISSING };

void person_batch_init(struct person_batch *b, struct db *db, const struct keys *k,
		       const struct audit_who *who)
{
	memset(b, 0, sizeof(*b));
	b->db = db;
	b->k = k;
	b->who = who;
}

/*
 * Is the org there, and active? A BS_* answer. Without a batch (NULL) the
 * database is asked every time; with one, once per org. A failed query
 * answers BS_MISSING ("所属组织不存在", as before) and is not remembered.
 */
static int org_state(struct db *db, struct person_batch *b, int64_t id)
{
	struct org o;
	int rc, state;

	if (id <= 0)
		return BS_MISSING;
	if (b && b->org[(uint64_t)id % PERSON_BATCH_ORGS].id == id &&
	    b->org[(uint64_t)id % PERSON_BATCH_ORGS].state)
		return b->org[(uint64_t)id % PERSON_BATCH_ORGS].state;
	rc = org_load(db, id, &o);
	if (rc < 0)
		return BS_MISSING;
	state = rc == 0 ? BS_MISSING : strcmp(o.status, "active") == 0 ? BS_ACTIVE : BS_ARCHIVED;
	if (b) {
		b->org[(uint64_t)id % PERSON_BATCH_ORGS].id = id;
		b->org[(uint64_t)id % PERSON_BATCH_ORGS].state = state;
	}
	return state;
}

/* dict_ok, asking the database once per (dictionary, code) in a batch. */
static int dict_ok_b(struct db *db, struct person_batch *b, const char *dict, const char *code,
		     const char *old)
{
	uint64_t h;
	int64_t n = 0;
	size_t slot;
	int rc;

	if (old && strcmp(code, old) == 0)
		return 1;
	if (!b || strlen(dict) >= sizeof(b->code[0].dict) || strlen(code) >= sizeof(b->code[0].code))
		return dict_active(db, dict, code);
	h = fnv1a_add(fnv1a(dict), code);
	slot = (size_t)(h % PERSON_BATCH_CODES);
	if (b->code[slot].state && strcmp(b->code[slot].dict, dict) == 0 &&
	    strcmp(b->code[slot].code, code) == 0)
		return b->code[slot].state == BS_ACTIVE;
	rc = db_query_int(db, &n, SQL_DICT_ACTIVE, "ss", dict, code);
	if (rc < 0)
		return 0;	/* refused, as dict_active does, and asked again next time */
	memcpy(b->code[slot].dict, dict, strlen(dict) + 1);
	memcpy(b->code[slot].code, code, strlen(code) + 1);
	b->code[slot].state = n > 0 ? BS_ACTIVE : BS_MISSING;
	return n > 0;
}

/*
 * The blind index of a normalised ID number: HMAC-SM3, the costliest step of
 * a row. A batch keeps the last one, since an import looks a number up and
 * then checks and stores the same number.
 */
static void id_bidx(const struct keys *k, struct person_batch *b, const char *norm, char out[65])
{
	if (b && *b->id_norm && strcmp(b->id_norm, norm) == 0) {
		memcpy(out, b->id_bidx, sizeof(b->id_bidx));
		return;
	}
	blind_index(k, "idcard", norm, out);
	if (b && strlen(norm) < sizeof(b->id_norm)) {
		memcpy(b->id_norm, norm, strlen(norm) + 1);
		memcpy(b->id_bidx, out, sizeof(b->id_bidx));
	}
}

int age_on(const char *birth, struct ymd on)
{
	struct ymd b;

	if (date_parse_iso(birth, &b) != 0)
		return -1;
	return on.y - b.y - (on.m < b.m || (on.m == b.m && on.d < b.d));
}

/*
 * The date `years` after `birth` as comparable text. For a 29 February
 * birth in a non-leap target year this is "YYYY-02-29", which compares
 * between the 28th and 1 March: the anniversary is reached on 1 March.
 */
static void years_after(const char *birth, int years, char out[40])
{
	struct ymd b;

	if (date_parse_iso(birth, &b) != 0) {
		out[0] = '\0';
		return;
	}
	snprintf(out, 40, "%04d-%02d-%02d", b.y + years, b.m, b.d);
}

/* A valid "YYYY-MM-DD" not later than today? Adds the field error otherwise. */
static int past_date(const char *s, const char *field, const char *label, const char *today,
		     struct zb_fail *f)
{
	if (date_parse_iso(s, NULL) != 0) {
		zb_fail_field(f, field, "%s应为有效日期（YYYY-MM-DD）", label);
		return 0;
	}
	if (strcmp(s, today) > 0) {
		zb_fail_field(f, field, "%s不能晚于今天", label);
		return 0;
	}
	return 1;
}

static void today_text(char out[16])
{
	date_format(date_today_cn(), out);
}

/* 1 when the comma-separated list holds `tag`. */
static int tags_has(const char *tags, const char *tag)
{
	size_t n = strlen(tag);

	for (const char *p = tags; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, tag, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* ---------------------------------------------------------------- person rows */

const char *people_select_cols(void)
{
	return SQL_PERSON_COLS;
}

json_t *person_json_from_row(struct db_stmt *st)
{
	json_t *j = json_object();
	int age = age_on(db_col_text(st, 8), date_today_cn());

	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "org_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "org_name", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "name", json_string(db_col_text(st, 3)));
	json_object_set_new(j, "gender", json_string(db_col_text(st, 4)));
	json_object_set_new(j, "gender_label", text_or_null(st, 5));
	json_object_set_new(j, "ethnicity", json_string(db_col_text(st, 6)));
	json_object_set_new(j, "ethnicity_label", text_or_null(st, 7));
	json_object_set_new(j, "birth_date", json_string(db_col_text(st, 8)));
	json_object_set_new(j, "age", age >= 0 ? json_integer(age) : json_null());
	json_object_set_new(j, "id_number_masked", text_or_null(st, 9));
	json_object_set_new(j, "phone_masked", text_or_null(st, 10));
	json_object_set_new(j, "education", text_or_null(st, 11));
	json_object_set_new(j, "education_label", text_or_null(st, 12));
	json_object_set_new(j, "political_status", json_string(db_col_text(st, 13)));
	json_object_set_new(j, "political_status_label", text_or_null(st, 14));
	json_object_set_new(j, "joined_on", text_or_null(st, 15));
	json_object_set_new(j, "full_member_on", text_or_null(st, 16));
	json_object_set_new(j, "status", json_string(db_col_text(st, 17)));
	json_object_set_new(j, "archived_reason", text_or_null(st, 18));
	json_object_set_new(j, "version", json_integer(db_col_int(st, 19)));
	json_object_set_new(j, "created_at", json_string(db_col_text(st, 20)));
	json_object_set_new(j, "updated_at", json_string(db_col_text(st, 21)));
	json_object_set_new(j, "has_photo", json_boolean(!db_col_isnull(st, 22)));
	return j;
}

/* The person row alone (masked), or NULL. */
static json_t *person_row_json(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_PERSON_BY_ID);
	json_t *j = NULL;

	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		j = person_json_from_row(st);
	db_finalize(st);
	return j;
}

/* What the audit log keeps of a person: the row, masked, without the day-dependent age. */
static json_t *person_audit_json(struct db *db, int64_t id)
{
	json_t *j = person_row_json(db, id);

	if (j)
		json_object_del(j, "age");
	return j;
}

json_t *person_detail_json(struct db *db, int64_t id)
{
	json_t *j = person_row_json(db, id), *items;
	struct arena a;

	if (!j)
		return NULL;
	items = json_array();
	json_array_append(items, j);
	arena_init(&a, 0);
	if (people_attach(db, &a, items, NULL) != DB_OK) {
		json_decref(j);
		j = NULL;
	}
	arena_release(&a);
	json_decref(items);
	return j;
}

int person_ref_load(struct db *db, int64_t id, struct person_ref *p)
{
	struct db_stmt *st = db_prepare(db, SQL_PERSON_REF);
	int rc;

	memset(p, 0, sizeof(*p));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		p->id = db_col_int(st, 0);
		p->org_id = db_col_int(st, 1);
		snprintf(p->org_path, sizeof(p->org_path), "%s", db_col_text(st, 2));
		snprintf(p->status, sizeof(p->status), "%s", db_col_text(st, 3));
		p->version = db_col_int(st, 4);
		snprintf(p->birth_date, sizeof(p->birth_date), "%s", db_col_text(st, 5));
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int64_t people_active_in_org(struct db *db, int64_t org_id)
{
	int64_t n = 0;
	int rc = db_query_int(db, &n, SQL_PEOPLE_IN_ORG, "i", org_id);

	return rc < 0 ? rc : n;
}

/* ---------------------------------------------------------------- person rules */

/* What a person record held before an update (dictionary codes may be archived since). */
struct person_old {
	int64_t org_id;
	char gender[16], ethnicity[48], education[48], political_status[48];
	char *id_number;	/* decrypted, malloc'd, NULL when none */
};

/* The sensitive columns ready to store. */
struct sealed {
	char *id_enc;		/* malloc'd */
	char id_bidx[65];
	char id_masked[24];
	char *phone_enc;	/* malloc'd */
	char phone_masked[32];
};

static void sealed_release(struct sealed *s)
{
	free(s->id_enc);
	free(s->phone_enc);
	s->id_enc = s->phone_enc = NULL;
}

/*
 * Check every field of a person; every problem goes to f. `old` is the
 * stored record for an update (NULL for a new one); `id_given` says whether
 * in->id_number is a new value (else the stored one, if any, must still
 * agree with the birth date and gender). `self` is excluded from the
 * uniqueness check. `b` (may be NULL) remembers lookups across a batch.
 * *bidx gets the blind index of a given, well-formed ID number ("" else),
 * for seal(). Returns 0 when clean.
 */
static int person_check(struct db *db, const struct keys *k, const struct person_in *in,
			const struct person_old *old, int id_given, int64_t self,
			struct person_batch *b, char bidx[65] /* OUT */, struct zb_fail *f)
{
	char today[16], adult[40], norm[19];
	int org;
	struct ymd birth = { 0, 0, 0 };
	int birth_ok = 0, bad = f->err != ZB_OK;
	const char *ps = in->political_status;
	const char *idn = id_given ? in->id_number : old ? old->id_number : NULL;

	bidx[0] = '\0';
	today_text(today);
	org = org_state(db, b, in->org_id);
	if (org == BS_MISSING)
		zb_fail_field(f, "org_id", "所属组织不存在");
	else if (org != BS_ACTIVE && !(old && old->org_id == in->org_id))
		zb_fail_field(f, "org_id", "所属组织已归档");

	if (!in->name)
		zb_fail_field(f, "name", "姓名不能为空");
	else if (utf8_len(in->name) > 30)
		zb_fail_field(f, "name", "姓名长度应在1到30个字之间");

	if (!in->gender)
		zb_fail_field(f, "gender", "性别不能为空");
	else if (strcmp(in->gender, "male") != 0 && strcmp(in->gender, "female") != 0)
		zb_fail_field(f, "gender", "性别应为 male（男）或 female（女）");

	if (!in->ethnicity)
		zb_fail_field(f, "ethnicity", "民族不能为空");
	else if (!dict_ok_b(db, b, "ethnicity", in->ethnicity, old ? old->ethnicity : NULL))
		zb_fail_field(f, "ethnicity", "民族“%s”不在字典中", in->ethnicity);

	if (!in->birth_date)
		zb_fail_field(f, "birth_date", "出生日期不能为空");
	else if (past_date(in->birth_date, "birth_date", "出生日期", today, f))
		birth_ok = date_parse_iso(in->birth_date, &birth) == 0;

	if (idn) {
		struct ymd idb;
		int male;
		const char *why = idcard_check(idn, norm, &idb, &male);
		/* a stored number that no longer agrees: blame the field that changed */
		const char *bfield = id_given ? "id_number" : "birth_date";
		const char *gfield = id_given ? "id_number" : "gender";

		if (why) {
			zb_fail_field(f, "id_number", "%s", why);
		} else {
			if (birth_ok && (idb.y != birth.y || idb.m != birth.m || idb.d != birth.d))
				zb_fail_field(f, bfield, id_given ? "身份证号中的出生日期与出生日期不一致" :
					      "出生日期与已登记的身份证号不一致");
			if (in->gender && strcmp(in->gender, male ? "female" : "male") == 0)
				zb_fail_field(f, gfield, id_given ? "身份证号中的性别与所填性别不一致" :
					      "性别与已登记的身份证号不一致");
			if (id_given) {
				int64_t n = 0;
				id_bidx(k, b, norm, bidx);
				db_query_int(db, &n, SQL_BIDX_TAKEN, "si", bidx, self);
				if (n > 0)
					zb_fail_field(f, "id_number", "该身份证号已登记");
			}
		}
	}

	if (in->phone) {
		const char *why = phone_check(in->phone);
		if (why)
			zb_fail_field(f, "phone", "%s", why);
	}

	if (in->education &&
	    !dict_ok_b(db, b, "education", in->education, old ? old->education : NULL))
		zb_fail_field(f, "education", "学历“%s”不在字典中", in->education);

	if (!ps)
		zb_fail_field(f, "political_status", "政治面貌不能为空");
	else if (!dict_ok_b(db, b, "political_status", ps, old ? old->political_status : NULL))
		zb_fail_field(f, "political_status", "政治面貌“%s”不在字典中", ps);

	if (in->joined_on) {
		if (ps && strcmp(ps, "member") != 0 && strcmp(ps, "probationary") != 0)
			zb_fail_field(f, "joined_on", "只有中共党员或预备党员才填写入党日期");
		else if (past_date(in->joined_on, "joined_on", "入党日期", today, f) && birth_ok) {
			years_after(in->birth_date, 18, adult);
			if (strcmp(in->joined_on, adult) < 0)
				zb_fail_field(f, "joined_on", "入党日期应不早于年满18周岁之日（%s）", adult);
		}
	}
	if (in->full_member_on) {
		if (!ps || strcmp(ps, "member") != 0)
			zb_fail_field(f, "full_member_on", "只有中共正式党员才填写转正日期");
		else if (!in->joined_on)
			zb_fail_field(f, "full_member_on", "填写转正日期须同时填写入党日期");
		else if (past_date(in->full_member_on, "full_member_on", "转正日期", today, f) &&
			 date_parse_iso(in->joined_on, NULL) == 0 &&
			 strcmp(in->full_member_on, in->joined_on) < 0)
			zb_fail_field(f, "full_member_on", "转正日期不能早于入党日期");
	}
	return bad || f->err != ZB_OK ? -1 : 0;
}

/*
 * Encrypt and mask what is to be stored. `bidx` is the ID number's blind
 * index as person_check made it ("" or NULL: make it here). 0, or -1 when
 * encryption failed.
 */
static int seal(const struct keys *k, const char *id_number, const char *phone, const char *bidx,
		struct sealed *s)
{
	char norm[19];

	memset(s, 0, sizeof(*s));
	if (id_number) {
		if (idcard_check(id_number, norm, NULL, NULL) != NULL)
			return -1;	/* checked before; cannot happen */
		s->id_enc = field_encrypt(k, norm);
		if (bidx && *bidx)
			memcpy(s->id_bidx, bidx, sizeof(s->id_bidx));
		else
			blind_index(k, "idcard", norm, s->id_bidx);
		mask_idcard(norm, s->id_masked);
		if (!s->id_enc)
			return -1;
	}
	if (phone) {
		if (strlen(phone) >= sizeof(s->phone_masked))
			return -1;
		s->phone_enc = field_encrypt(k, phone);
		mask_phone(phone, s->phone_masked);
		if (!s->phone_enc) {
			sealed_release(s);
			return -1;
		}
	}
	return 0;
}

/* person_insert, remembering lookups in b (may be NULL). */
static int64_t person_insert_b(struct db *db, const struct keys *k, const struct audit_who *who,
			       const struct person_in *in, struct person_batch *b,
			       struct zb_fail *f)
{
	struct sealed s;
	struct db_stmt *st;
	char now[24], bidx[65];
	int64_t id = 0;
	json_t *after;
	int rc;

	if (person_check(db, k, in, NULL, 1, 0, b, bidx, f) != 0)
		return 0;
	if (seal(k, in->id_number, in->phone, bidx, &s) != 0)
		return DB_EGENERIC;
	ts_now(now);
	st = db_prepare(db, SQL_PERSON_INSERT);
	if (!st) {
		sealed_release(&s);
		return DB_EGENERIC;
	}
	db_bindf(st, "isssssssssssssss", in->org_id, in->name, in->gender, in->ethnicity,
		 in->birth_date, s.id_enc, in->id_number ? s.id_bidx : NULL,
		 in->id_number ? s.id_masked : NULL, s.phone_enc, in->phone ? s.phone_masked : NULL,
		 in->education, in->political_status, in->joined_on, in->full_member_on, now, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	sealed_release(&s);
	if (rc == DB_ECONSTRAINT && in->id_number) {
		/* a concurrent registration of the same number won the race */
		zb_fail_field(f, "id_number", "该身份证号已登记");
		return 0;
	}
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	after = person_audit_json(db, id);
	rc = after ? audit_append(db, k, who, "person", id, "create", NULL, after) : DB_EGENERIC;
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int64_t person_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		      const struct person_in *in, struct zb_fail *f)
{
	return person_insert_b(db, k, who, in, NULL, f);
}

/* Read what the record holds now; decrypts the stored ID number. 1 found, 0 not, <0 error. */
static int person_old_load(struct db *db, const struct keys *k, int64_t id, struct person_old *o)
{
	struct db_stmt *st = db_prepare(db, SQL_PERSON_OLD);
	int rc;

	memset(o, 0, sizeof(*o));
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		o->org_id = db_col_int(st, 0);
		snprintf(o->gender, sizeof(o->gender), "%s", db_col_text(st, 1));
		snprintf(o->ethnicity, sizeof(o->ethnicity), "%s", db_col_text(st, 2));
		snprintf(o->education, sizeof(o->education), "%s",
			 db_col_isnull(st, 3) ? "" : db_col_text(st, 3));
		snprintf(o->political_status, sizeof(o->political_status), "%s", db_col_text(st, 4));
		if (!db_col_isnull(st, 5)) {
			o->id_number = field_decrypt(k, db_col_text(st, 5));
			if (!o->id_number)
				rc = DB_EGENERIC;	/* tampered or the wrong key */
		}
	}
	db_finalize(st);
	if (rc != DB_ROW)
		free(o->id_number);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

/* person_update, remembering lookups in b (may be NULL). */
static int person_update_b(struct db *db, const struct keys *k, const struct audit_who *who,
			   int64_t id, int64_t version, const struct person_in *in,
			   enum field_mode id_mode, enum field_mode phone_mode,
			   struct person_batch *b, struct zb_fail *f)
{
	struct person_old old, cmp;
	struct sealed s;
	struct db_stmt *st;
	char sql[sizeof(SQL_PERSON_UPDATE_HEAD) + sizeof(SQL_PERSON_UPDATE_ID) +
		 sizeof(SQL_PERSON_UPDATE_PHONE) + sizeof(SQL_PERSON_UPDATE_TAIL)];
	char now[24], bidx[65];
	json_t *before, *after;
	int rc, idx;
	int64_t changed;

	rc = person_old_load(db, k, id, &old);
	if (rc != 1)
		return rc == 0 ? PW_STALE : rc;
	/* the old record gives the dictionary tolerance; a cleared number is not checked */
	cmp = old;
	if (id_mode == FIELD_CLEAR)
		cmp.id_number = NULL;
	rc = person_check(db, k, in, &cmp, id_mode == FIELD_SET, id, b, bidx, f);
	free(old.id_number);
	if (rc != 0)
		return PW_INVALID;
	if (seal(k, id_mode == FIELD_SET ? in->id_number : NULL,
		 phone_mode == FIELD_SET ? in->phone : NULL, bidx, &s) != 0)
		return DB_EGENERIC;

	before = person_audit_json(db, id);
	snprintf(sql, sizeof(sql), "%s%s%s%s", SQL_PERSON_UPDATE_HEAD,
		 id_mode != FIELD_KEEP ? SQL_PERSON_UPDATE_ID : "",
		 phone_mode != FIELD_KEEP ? SQL_PERSON_UPDATE_PHONE : "", SQL_PERSON_UPDATE_TAIL);
	ts_now(now);
	st = db_prepare(db, sql);
	if (!st || !before) {
		db_finalize(st);
		json_decref(before);
		sealed_release(&s);
		return DB_EGENERIC;
	}
	db_bindf(st, "isssssssss", in->org_id, in->name, in->gender, in->ethnicity, in->birth_date,
		 in->education, in->political_status, in->joined_on, in->full_member_on, now);
	idx = 11;
	if (id_mode != FIELD_KEEP) {
		int set = id_mode == FIELD_SET;
		db_bind_text(st, idx++, set ? s.id_enc : NULL);
		db_bind_text(st, idx++, set ? s.id_bidx : NULL);
		db_bind_text(st, idx++, set ? s.id_masked : NULL);
	}
	if (phone_mode != FIELD_KEEP) {
		int set = phone_mode == FIELD_SET;
		db_bind_text(st, idx++, set ? s.phone_enc : NULL);
		db_bind_text(st, idx++, set ? s.phone_masked : NULL);
	}
	db_bind_int(st, idx++, id);
	db_bind_int(st, idx++, version);
	rc = db_step(st);
	changed = db_changes(st);
	db_finalize(st);
	sealed_release(&s);
	if (rc == DB_ECONSTRAINT && id_mode == FIELD_SET) {
		json_decref(before);
		zb_fail_field(f, "id_number", "该身份证号已登记");
		return PW_INVALID;
	}
	if (rc != DB_DONE) {
		json_decref(before);
		return rc < 0 ? rc : DB_EGENERIC;
	}
	if (changed == 0) {
		json_decref(before);
		return PW_STALE;
	}
	after = person_audit_json(db, id);
	rc = after ? audit_append(db, k, who, "person", id, "update", before, after) : DB_EGENERIC;
	json_decref(before);
	json_decref(after);
	return rc == DB_OK ? PW_OK : rc;
}

int person_update(struct db *db, const struct keys *k, const struct audit_who *who,
		  int64_t id, int64_t version, const struct person_in *in,
		  enum field_mode id_mode, enum field_mode phone_mode, struct zb_fail *f)
{
	return person_update_b(db, k, who, id, version, in, id_mode, phone_mode, NULL, f);
}

int person_set_status(struct db *db, const struct keys *k, const struct audit_who *who,
		      int64_t id, int64_t version, const char *status, const char *reason)
{
	struct db_stmt *st = db_prepare(db, SQL_PERSON_STATUS);
	json_t *before, *after;
	char now[24];
	int64_t changed;
	int rc;

	if (!st)
		return DB_EGENERIC;
	before = person_audit_json(db, id);
	ts_now(now);
	db_bindf(st, "sssii", status, reason, now, id, version);
	rc = db_step(st);
	changed = db_changes(st);
	db_finalize(st);
	if (rc != DB_DONE || !before) {
		json_decref(before);
		return rc < 0 ? rc : DB_EGENERIC;
	}
	if (changed == 0) {
		json_decref(before);
		return PW_STALE;
	}
	after = person_audit_json(db, id);
	rc = after ? audit_append(db, k, who, "person", id,
				  strcmp(status, "archived") == 0 ? "archive" : "restore",
				  before, after) : DB_EGENERIC;
	json_decref(before);
	json_decref(after);
	return rc == DB_OK ? PW_OK : rc;
}

int person_reveal(struct db *db, const struct keys *k, int64_t id, const char *field, char **out)
{
	struct db_stmt *st = db_prepare(db, strcmp(field, "phone") == 0 ? SQL_PERSON_PHONE_ENC :
					SQL_PERSON_ID_ENC);
	int rc;

	*out = NULL;
	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_isnull(st, 0)) {
		*out = field_decrypt(k, db_col_text(st, 0));
		if (!*out)
			rc = DB_EGENERIC;	/* the tag did not verify */
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* ---------------------------------------------------------------- imports */

static const char SQL_PERSON_BY_BIDX[] =
	"SELECT pe.id, pe.org_id, pe.version, o.path, pe.status, pe.name, pe.gender, pe.ethnicity,"
	" pe.birth_date, pe.phone_enc, pe.education, pe.political_status, pe.joined_on,"
	" pe.full_member_on FROM people pe JOIN orgs o ON o.id = pe.org_id"
	" WHERE pe.id_number_bidx = ?";
static const char SQL_DICT_WALK[] =
	"SELECT code, label_zh, status FROM dict_items WHERE dict = ? ORDER BY sort, id";

/* Copy column i (NULL = "") into a fixed buffer. */
static void col_copy(struct db_stmt *st, int i, char *out, size_t n)
{
	snprintf(out, n, "%s", db_col_isnull(st, i) ? "" : db_col_text(st, i));
}

/* person_find_by_id_number, keeping the blind index in b (may be NULL). */
static int person_find_b(struct db *db, const struct keys *k, const char *id_number,
			 struct person_batch *b, struct person_stored *out)
{
	struct db_stmt *st;
	char norm[19], bidx[65];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!id_number || idcard_check(id_number, norm, NULL, NULL) != NULL)
		return 0;
	id_bidx(k, b, norm, bidx);
	st = db_prepare(db, SQL_PERSON_BY_BIDX);
	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, bidx);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		out->org_id = db_col_int(st, 1);
		out->version = db_col_int(st, 2);
		col_copy(st, 3, out->org_path, sizeof(out->org_path));
		col_copy(st, 4, out->status, sizeof(out->status));
		col_copy(st, 5, out->name, sizeof(out->name));
		col_copy(st, 6, out->gender, sizeof(out->gender));
		col_copy(st, 7, out->ethnicity, sizeof(out->ethnicity));
		col_copy(st, 8, out->birth_date, sizeof(out->birth_date));
		if (!db_col_isnull(st, 9)) {
			char *plain = field_decrypt(k, db_col_text(st, 9));
			if (!plain) {
				rc = DB_EGENERIC;	/* tampered or the wrong key */
			} else {
				snprintf(out->phone, sizeof(out->phone), "%s", plain);
				memset(plain, 0, strlen(plain));
				free(plain);
			}
		}
		col_copy(st, 10, out->education, sizeof(out->education));
		col_copy(st, 11, out->political_status, sizeof(out->political_status));
		col_copy(st, 12, out->joined_on, sizeof(out->joined_on));
		col_copy(st, 13, out->full_member_on, sizeof(out->full_member_on));
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int person_find_by_id_number(struct db *db, const struct keys *k, const char *id_number,
			     struct person_stored *out)
{
	return person_find_b(db, k, id_number, NULL, out);
}

/* person_validate, remembering lookups in b (may be NULL). */
static int person_validate_b(struct db *db, const struct keys *k, const struct person_in *in,
			     int64_t existing, struct person_batch *b, struct zb_fail *f)
{
	struct person_old old;
	char bidx[65];
	int rc;

	if (!existing)
		return person_check(db, k, in, NULL, 1, 0, b, bidx, f) != 0;
	rc = person_old_load(db, k, existing, &old);
	if (rc != 1)
		return rc == 0 ? DB_EGENERIC : rc;
	rc = person_check(db, k, in, &old, in->id_number != NULL, existing, b, bidx, f);
	free(old.id_number);
	return rc != 0;
}

int person_validate(struct db *db, const struct keys *k, const struct person_in *in,
		    int64_t existing, struct zb_fail *f)
{
	return person_validate_b(db, k, in, existing, NULL, f);
}

int person_update_fields(struct db *db, const struct keys *k, const struct audit_who *who,
			 int64_t id, int64_t version, const struct person_in *in,
			 struct zb_fail *f)
{
	/* PW_OK, PW_INVALID and PW_STALE are 0, 1 and 2: the values promised in people.h */
	return person_update(db, k, who, id, version, in, in->id_number ? FIELD_SET : FIELD_KEEP,
			     in->phone ? FIELD_SET : FIELD_CLEAR, f);
}

int person_batch_find(struct person_batch *b, const char *id_number, struct person_stored *out)
{
	return person_find_b(b->db, b->k, id_number, b, out);
}

int person_batch_validate(struct person_batch *b, const struct person_in *in, int64_t existing,
			  struct zb_fail *f)
{
	return person_validate_b(b->db, b->k, in, existing, b, f);
}

int64_t person_batch_insert(struct person_batch *b, const struct person_in *in, struct zb_fail *f)
{
	return person_insert_b(b->db, b->k, b->who, in, b, f);
}

int person_batch_update(struct person_batch *b, int64_t id, int64_t version,
			const struct person_in *in, struct zb_fail *f)
{
	return person_update_b(b->db, b->k, b->who, id, version, in,
			       in->id_number ? FIELD_SET : FIELD_KEEP,
			       in->phone ? FIELD_SET : FIELD_CLEAR, b, f);
}

int people_dict_walk(struct db *db, const char *dict,
		     int (*fn)(void *arg, const char *code, const char *label, int active),
		     void *arg)
{
	struct db_stmt *st = db_prepare(db, SQL_DICT_WALK);
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_text(st, 1, dict);
	while ((rc = db_step(st)) == DB_ROW)
		if (fn(arg, db_col_text(st, 0), db_col_text(st, 1),
		       strcmp(db_col_text(st, 2), "active") == 0) != 0) {
			rc = DB_DONE;
			break;
		}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* ---------------------------------------------------------------- exports */

/* A sheet row: labels for codes (the code when the dictionary has none), both sensitive forms. */
static const char SQL_SHEET_COLS[] =
	"SELECT pe.id, pe.org_id, o.name, o.path, pe.name, COALESCE(g.label_zh, pe.gender),"
	" COALESCE(e.label_zh, pe.ethnicity), pe.birth_date, pe.id_number_masked, pe.phone_masked,"
	" COALESCE(ed.label_zh, pe.education), COALESCE(ps.label_zh, pe.political_status),"
	" pe.joined_on, pe.full_member_on, pe.status, pe.id_number_enc, pe.phone_enc";
/* The keyset: rows after the last one handed out, in sheet order. */
static const char SQL_SHEET_AFTER[] =
	" AND (o.path > ? OR (o.path = ? AND (pe.name > ? OR (pe.name = ? AND pe.id > ?))))";
static const char SQL_SHEET_ORDER[] = " ORDER BY o.sort_key, pe.name, pe.id LIMIT ?";
/*
 * Rows per page. PostgreSQL hands libpq a whole result at once, so the walk
 * pages to bound memory; SQLite steps through one sorted statement lazily,
 * and re-sorting the rest of the set for every page would only cost time.
 */
#define SHEET_PAGE_PG 5000
#define SHEET_PAGE_SQLITE INT64_MAX

/* Column i as text, NULL for SQL NULL. */
static const char *col_or_null(struct db_stmt *st, int i)
{
	return db_col_isnull(st, i) ? NULL : db_col_text(st, i);
}

/* Decrypt column i when asked and present: malloc'd, or NULL. *bad is set when it does not verify. */
static char *col_plain(const struct keys *k, struct db_stmt *st, int i, int *bad)
{
	char *p;

	if (db_col_isnull(st, i))
		return NULL;
	p = field_decrypt(k, db_col_text(st, i));
	if (!p)
		*bad = 1;
	return p;
}

static void plain_free(char *p)
{
	if (p) {
		memset(p, 0, strlen(p));
		free(p);
	}
}

/*
 * One page of the walk: up to SHEET_PAGE rows after the key (path, name, id)
 * when `after`, handed to fn; the key advances to the last row. *got counts
 * the page's rows. DB_OK, fn's nonzero value or a DB_E*.
 */
static int walk_page(struct db *db, const struct keys *k, struct arena *a,
		     const struct people_filter *pf, int unmask, person_sheet_fn fn, void *arg,
		     int after, struct buf *kpath, struct buf *kname, int64_t *kid, int64_t page,
		     int64_t *got)
{
	struct db_params b = { 0 };
	struct person_sheet_row row;
	struct db_stmt *st;
	struct buf sql;
	int rc = DB_DONE, stop = 0;

	buf_init(&sql, 0);
	buf_puts(&sql, SQL_SHEET_COLS);
	people_filter_sql(a, pf, 1, &sql, &b);
	if (after) {
		buf_puts(&sql, SQL_SHEET_AFTER);
		db_param_text(&b, arena_strdup(a, kpath->data));
		db_param_text(&b, arena_strdup(a, kpath->data));
		db_param_text(&b, arena_strdup(a, kname->data));
		db_param_text(&b, arena_strdup(a, kname->data));
		db_param_int(&b, *kid);
	}
	buf_puts(&sql, SQL_SHEET_ORDER);
	db_param_int(&b, page);
	st = sql.err || b.overflow ? NULL : db_prepare(db, sql.data);
	buf_release(&sql);
	if (!st)
		return DB_EGENERIC;
	db_params_bind(st, &b);
	*got = 0;
	while (!stop && (rc = db_step(st)) == DB_ROW) {
		char *id_plain = NULL, *phone_plain = NULL;
		int bad = 0;

		(*got)++;
		memset(&row, 0, sizeof(row));
		row.id = db_col_int(st, 0);
		row.org_id = db_col_int(st, 1);
		row.org_name = db_col_text(st, 2);
		row.org_path = db_col_text(st, 3);
		row.name = db_col_text(st, 4);
		row.gender = db_col_text(st, 5);
		row.ethnicity = db_col_text(st, 6);
		row.birth_date = db_col_text(st, 7);
		row.id_number = col_or_null(st, 8);
		row.phone = col_or_null(st, 9);
		row.education = col_or_null(st, 10);
		row.political_status = db_col_text(st, 11);
		row.joined_on = col_or_null(st, 12);
		row.full_member_on = col_or_null(st, 13);
		row.status = db_col_text(st, 14);
		if (unmask) {
			id_plain = col_plain(k, st, 15, &bad);
			phone_plain = col_plain(k, st, 16, &bad);
			row.id_number = id_plain;
			row.phone = phone_plain;
		}
		buf_reset(kpath);
		buf_puts(kpath, row.org_path);
		buf_reset(kname);
		buf_puts(kname, row.name);
		*kid = row.id;
		if (bad || kpath->err || kname->err)
			stop = DB_EGENERIC;	/* a ciphertext that does not verify: tampered */
		else
			stop = fn(arg, &row);
		plain_free(id_plain);
		plain_free(phone_plain);
	}
	db_finalize(st);
	if (stop)
		return stop;
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_EGENERIC;
}

int people_walk_filter(struct db *db, const struct keys *k, struct arena *a,
		       const struct people_filter *pf, int unmask, person_sheet_fn fn, void *arg,
		       int64_t *rows)
{
	int64_t page = db_kind(db) == DB_SQLITE ? SHEET_PAGE_SQLITE : SHEET_PAGE_PG;
	struct buf kpath, kname;
	int64_t kid = 0, n = 0, got = 0;
	int rc, after = 0;

	buf_init(&kpath, 0);
	buf_init(&kname, 0);
	do {
		rc = walk_page(db, k, a, pf, unmask, fn, arg, after, &kpath, &kname, &kid, page,
			       &got);
		n += got;
		after = 1;
	} while (rc == DB_OK && got == page);
	buf_release(&kpath);
	buf_release(&kname);
	if (rows)
		*rows = n;
	return rc;
}

int people_sheet_walk(struct db *db, const struct keys *k, const char *org_path,
		      enum people_set set, const char *as_of, int unmask,
		      person_sheet_fn fn, void *arg, int64_t *rows)
{
	struct people_filter pf;
	struct scope s;
	struct arena a;
	int rc;

	memset(&pf, 0, sizeof(pf));
	memset(&s, 0, sizeof(s));
	s.n = 1;
	s.paths[0] = org_path;
	pf.scope = &s;
	pf.org_path = org_path;
	pf.age_min = pf.age_max = -1;
	if (as_of)
		snprintf(pf.as_of, sizeof(pf.as_of), "%s", as_of);
	else
		date_format(date_today_cn(), pf.as_of);
	switch (set) {
	case PEOPLE_SET_ACTIVE:
		pf.status = "active";
		break;
	case PEOPLE_SET_TEAM:
		pf.position = "two_committees";
		pf.status = "all";
		break;
	case PEOPLE_SET_RESERVES:
		pf.flag = "reserve_cadre";
		pf.status = "all";
		break;
	}
	arena_init(&a, 0);
	rc = people_walk_filter(db, k, &a, &pf, unmask, fn, arg, rows);
	arena_release(&a);
	return rc;
}

/* ---------------------------------------------------------------- positions */

static json_t *position_json_from_row(struct db_stmt *st)
{
	json_t *j = json_object();
	const char *tags = db_col_text(st, 10);

	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "person_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "org_id", json_integer(db_col_int(st, 2)));
	json_object_set_new(j, "org_name", json_string(db_col_text(st, 3)));
	json_object_set_new(j, "title", json_string(db_col_text(st, 4)));
	json_object_set_new(j, "title_label", text_or_null(st, 5));
	json_object_set_new(j, "started_on", json_string(db_col_text(st, 6)));
	json_object_set_new(j, "ended_on", text_or_null(st, 7));
	json_object_set_new(j, "note", json_string(db_col_text(st, 8)));
	json_object_set_new(j, "version", json_integer(db_col_int(st, 9)));
	json_object_set_new(j, "two_committees", json_boolean(tags_has(tags, "two_committees")));
	return j;
}

json_t *position_json(struct db *db, int64_t id)
{
	char sql[sizeof(SQL_POSITION_ROW) + 32];
	struct db_stmt *st;
	json_t *j = NULL;

	snprintf(sql, sizeof(sql), "%s WHERE p.id = ?", SQL_POSITION_ROW);
	st = db_prepare(db, sql);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		j = position_json_from_row(st);
	db_finalize(st);
	return j;
}

int position_owner(struct db *db, int64_t id, int64_t *person_id)
{
	int rc = db_query_int(db, person_id, "SELECT person_id FROM positions WHERE id = ?", "i", id);

	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

/*
 * Check a post: the org exists and is active (or is the one already
 * recorded), the title is in the dictionary, the dates are real and past,
 * the holder was 18 when it began, and it ends no earlier than it began.
 */
static int position_check(struct db *db, int64_t person_id, int64_t org_id, const char *title,
			  const char *started_on, const char *ended_on, const char *note,
			  int64_t old_org, const char *old_title, struct zb_fail *f)
{
	struct person_ref p;
	struct org o;
	char today[16], adult[40];
	int start_ok = 0;

	today_text(today);
	if (person_ref_load(db, person_id, &p) != 1) {
		zb_fail_set(f, ZB_ENOTFOUND, "人员不存在");
		return -1;
	}
	if (org_id <= 0 || org_load(db, org_id, &o) != 1)
		zb_fail_field(f, "org_id", "任职组织不存在");
	else if (strcmp(o.status, "active") != 0 && org_id != old_org)
		zb_fail_field(f, "org_id", "任职组织已归档");
	if (!title)
		zb_fail_field(f, "title", "职务不能为空");
	else if (!dict_ok(db, "position", title, old_title))
		zb_fail_field(f, "title", "职务“%s”不在字典中", title);
	if (!started_on) {
		zb_fail_field(f, "started_on", "任职日期不能为空");
	} else if (past_date(started_on, "started_on", "任职日期", today, f)) {
		start_ok = 1;
		years_after(p.birth_date, 18, adult);
		if (strcmp(started_on, adult) < 0) {
			zb_fail_field(f, "started_on", "任职日期应不早于年满18周岁之日（%s）", adult);
			start_ok = 0;
		}
	}
	if (ended_on && past_date(ended_on, "ended_on", "离任日期", today, f) && start_ok &&
	    strcmp(ended_on, started_on) < 0)
		zb_fail_field(f, "ended_on", "离任日期不能早于任职日期");
	if (note && utf8_len(note) > 200)
		zb_fail_field(f, "note", "备注不能超过200个字");
	return f->err != ZB_OK ? -1 : 0;
}

int64_t position_insert(struct db *db, const struct keys *k, const struct audit_who *who,
			int64_t person_id, int64_t org_id, const char *title,
			const char *started_on, const char *ended_on, const char *note,
			struct zb_fail *f)
{
	struct db_stmt *st;
	char now[24];
	int64_t id = 0;
	json_t *after;
	int rc;

	if (position_check(db, person_id, org_id, title, started_on, ended_on, note, 0, NULL, f))
		return 0;
	ts_now(now);
	st = db_prepare(db, SQL_POSITION_INSERT);
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "iissssss", person_id, org_id, title, started_on, ended_on,
		 note ? note : "", now, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	after = position_json(db, id);
	rc = after ? audit_append(db, k, who, "position", id, "create", NULL, after) : DB_EGENERIC;
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int position_update(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t id, int64_t version, int64_t org_id, const char *title,
		    const char *started_on, const char *ended_on, const char *note,
		    struct zb_fail *f)
{
	struct db_stmt *st = db_prepare(db, SQL_POSITION_OLD);
	char now[24], old_title[64] = "";
	int64_t person_id = 0, old_org = 0, changed;
	json_t *before, *after;
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		person_id = db_col_int(st, 0);
		old_org = db_col_int(st, 1);
		snprintf(old_title, sizeof(old_title), "%s", db_col_text(st, 2));
	}
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? PW_STALE : rc;
	if (position_check(db, person_id, org_id, title, started_on, ended_on, note, old_org,
			   old_title, f))
		return PW_INVALID;
	before = position_json(db, id);
	ts_now(now);
	st = db_prepare(db, SQL_POSITION_UPDATE);
	if (!st || !before) {
		db_finalize(st);
		json_decref(before);
		return DB_EGENERIC;
	}
	db_bindf(st, "isssssii", org_id, title, started_on, ended_on, note ? note : "", now, id,
		 version);
	rc = db_step(st);
	changed = db_changes(st);
	db_finalize(st);
	if (rc != DB_DONE || changed == 0) {
		json_decref(before);
		return rc != DB_DONE ? (rc < 0 ? rc : DB_EGENERIC) : PW_STALE;
	}
	after = position_json(db, id);
	rc = after ? audit_append(db, k, who, "position", id, "update", before, after) : DB_EGENERIC;
	json_decref(before);
	json_decref(after);
	return rc == DB_OK ? PW_OK : rc;
}

/* ---------------------------------------------------------------- flags */

static json_t *flag_json_from_row(struct db_stmt *st)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "person_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(j, "flag", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "flag_label", text_or_null(st, 3));
	json_object_set_new(j, "started_on", json_string(db_col_text(st, 4)));
	json_object_set_new(j, "ended_on", text_or_null(st, 5));
	json_object_set_new(j, "post", json_string(db_col_text(st, 6)));
	json_object_set_new(j, "note", json_string(db_col_text(st, 7)));
	json_object_set_new(j, "version", json_integer(db_col_int(st, 8)));
	return j;
}

json_t *flag_json(struct db *db, int64_t id)
{
	char sql[sizeof(SQL_FLAG_ROW) + 32];
	struct db_stmt *st;
	json_t *j = NULL;

	snprintf(sql, sizeof(sql), "%s WHERE f.id = ?", SQL_FLAG_ROW);
	st = db_prepare(db, sql);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	if (db_step(st) == DB_ROW)
		j = flag_json_from_row(st);
	db_finalize(st);
	return j;
}

int flag_owner(struct db *db, int64_t id, int64_t *person_id)
{
	int rc = db_query_int(db, person_id, "SELECT person_id FROM person_flags WHERE id = ?", "i",
			      id);

	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

/*
 * Check a flag: in the dictionary, real past dates, not before birth, an
 * end no earlier than the start, a post only for a selected graduate, and
 * no overlap with another period of the same flag for the person.
 */
static int flag_check(struct db *db, int64_t person_id, int64_t self, const char *flag,
		      const char *started_on, const char *ended_on, const char *post,
		      const char *note, const char *old_flag, struct zb_fail *f)
{
	struct person_ref p;
	char today[16];
	int start_ok = 0, end_ok = 1;

	today_text(today);
	if (person_ref_load(db, person_id, &p) != 1) {
		zb_fail_set(f, ZB_ENOTFOUND, "人员不存在");
		return -1;
	}
	if (!flag)
		zb_fail_field(f, "flag", "标记不能为空");
	else if (!dict_ok(db, "person_flag", flag, old_flag))
		zb_fail_field(f, "flag", "标记“%s”不在字典中", flag);
	if (!started_on) {
		zb_fail_field(f, "started_on", "开始日期不能为空");
	} else if (past_date(started_on, "started_on", "开始日期", today, f)) {
		start_ok = strcmp(started_on, p.birth_date) >= 0;
		if (!start_ok)
			zb_fail_field(f, "started_on", "开始日期不能早于出生日期");
	}
	if (ended_on) {
		end_ok = past_date(ended_on, "ended_on", "结束日期", today, f);
		if (end_ok && start_ok && strcmp(ended_on, started_on) < 0) {
			zb_fail_field(f, "ended_on", "结束日期不能早于开始日期");
			end_ok = 0;
		}
	}
	if (post && utf8_len(post) > 50)
		zb_fail_field(f, "post", "任职岗位不能超过50个字");
	else if (post && flag && strcmp(flag, FLAG_WITH_POST) != 0)
		zb_fail_field(f, "post", "只有选调生需要填写任职岗位");
	if (note && utf8_len(note) > 200)
		zb_fail_field(f, "note", "备注不能超过200个字");
	if (flag && start_ok && end_ok) {
		int64_t n = 0;
		db_query_int(db, &n, SQL_FLAG_OVERLAP, "isiss", person_id, flag, self,
			     ended_on ? ended_on : "9999-12-31", started_on);
		if (n > 0)
			zb_fail_field(f, "started_on", "该人员在这段时间已有此标记");
	}
	return f->err != ZB_OK ? -1 : 0;
}

int64_t flag_insert(struct db *db, const struct keys *k, const struct audit_who *who,
		    int64_t person_id, const char *flag, const char *started_on,
		    const char *ended_on, const char *post, const char *note, struct zb_fail *f)
{
	struct db_stmt *st;
	char now[24];
	int64_t id = 0;
	json_t *after;
	int rc;

	if (flag_check(db, person_id, 0, flag, started_on, ended_on, post, note, NULL, f))
		return 0;
	ts_now(now);
	st = db_prepare(db, SQL_FLAG_INSERT);
	if (!st)
		return DB_EGENERIC;
	db_bindf(st, "isssssss", person_id, flag, started_on, ended_on, post ? post : "",
		 note ? note : "", now, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_EGENERIC;
	after = flag_json(db, id);
	rc = after ? audit_append(db, k, who, "person_flag", id, "create", NULL, after) :
		DB_EGENERIC;
	json_decref(after);
	return rc == DB_OK ? id : rc;
}

int flag_update(struct db *db, const struct keys *k, const struct audit_who *who,
		int64_t id, int64_t version, const char *flag, const char *started_on,
		const char *ended_on, const char *post, const char *note, struct zb_fail *f)
{
	struct db_stmt *st = db_prepare(db, SQL_FLAG_OLD);
	char now[24], old_flag[64] = "";
	int64_t person_id = 0, changed;
	json_t *before, *after;
	int rc;

	if (!st)
		return DB_EGENERIC;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		person_id = db_col_int(st, 0);
		snprintf(old_flag, sizeof(old_flag), "%s", db_col_text(st, 1));
	}
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? PW_STALE : rc;
	if (flag_check(db, person_id, id, flag, started_on, ended_on, post, note, old_flag, f))
		return PW_INVALID;
	before = flag_json(db, id);
	ts_now(now);
	st = db_prepare(db, SQL_FLAG_UPDATE);
	if (!st || !before) {
		db_finalize(st);
		json_decref(before);
		return DB_EGENERIC;
	}
	db_bindf(st, "ssssssii", flag, started_on, ended_on, post ? post : "", note ? note : "",
		 now, id, version);
	rc = db_step(st);
	changed = db_changes(st);
	db_finalize(st);
	if (rc != DB_DONE || changed == 0) {
		json_decref(before);
		return rc != DB_DONE ? (rc < 0 ? rc : DB_EGENERIC) : PW_STALE;
	}
	after = flag_json(db, id);
	rc = after ? audit_append(db, k, who, "person_flag", id, "update", before, after) :
		DB_EGENERIC;
	json_decref(before);
	json_decref(after);
	return rc == DB_OK ? PW_OK : rc;
}

/* ---------------------------------------------------------------- the list filter */

/* "path%" for a subtree (paths hold digits and slashes only: nothing to escape). */
static const char *subtree_pattern(struct arena *a, const char *path)
{
	return arena_printf(a, "%s%%", path);
}

/*
 * The FROM and WHERE of a people query. Ages turn into birth-date bounds
 * (age >= N on D  <=>  born on or before D minus N years, compared as text),
 * so every condition is a plain comparison that can use the indexes.
 */
void people_filter_sql(struct arena *a, const struct people_filter *pf, int labels,
		       struct buf *sql, struct db_params *b)
{
	struct ymd on;

	buf_puts(sql, SQL_PERSON_FROM);
	if (labels)
		buf_puts(sql, SQL_PERSON_LABELS);
	buf_printf(sql, " WHERE %s", scope_sql(a, pf->scope, "o.path"));
	for (int i = 0; i < pf->scope->n; i++)
		db_param_text(b, subtree_pattern(a, pf->scope->paths[i]));
	if (pf->org_path) {
		buf_puts(sql, " AND o.path LIKE ?");
		db_param_text(b, subtree_pattern(a, pf->org_path));
	}
	if (pf->status && strcmp(pf->status, "all") != 0) {
		buf_puts(sql, " AND pe.status = ?");
		db_param_text(b, pf->status);
	}
	if (pf->id_bidx) {
		buf_puts(sql, " AND pe.id_number_bidx = ?");
		db_param_text(b, pf->id_bidx);
	} else if (pf->name_like) {
		buf_puts(sql, " AND pe.name LIKE ? ESCAPE '!'");
		db_param_text(b, pf->name_like);
	}
	if (pf->gender) {
		buf_puts(sql, " AND pe.gender = ?");
		db_param_text(b, pf->gender);
	}
	if (pf->ethnicity) {
		buf_puts(sql, " AND pe.ethnicity = ?");
		db_param_text(b, pf->ethnicity);
	}
	if (pf->education) {
		if (strcmp(pf->education, "college_or_above") == 0) {
			buf_printf(sql, " AND pe.education IN %s", SQL_COLLEGE_OR_ABOVE);
		} else if (strcmp(pf->education, "none") == 0) {
			buf_puts(sql, " AND pe.education IS NULL");
		} else {
			buf_puts(sql, " AND pe.education = ?");
			db_param_text(b, pf->education);
		}
	}
	if (pf->political_status) {
		buf_puts(sql, " AND pe.political_status = ?");
		db_param_text(b, pf->political_status);
	}
	/*
	 * Positions and flags as uncorrelated "pe.id IN (...)": the set is
	 * computed once from its own indexes instead of once per person.
	 */
	if (pf->position) {
		int tag = strcmp(pf->position, "two_committees") == 0;
		buf_puts(sql, " AND pe.id IN (SELECT p.person_id FROM positions p");
		if (tag)
			buf_puts(sql, " JOIN dict_items t ON t.dict = 'position' AND t.code = p.title");
		buf_puts(sql, " WHERE 1=1");
		buf_puts(sql, SQL_HELD_POSITION);
		db_param_text(b, pf->as_of);
		db_param_text(b, pf->as_of);
		if (tag) {
			buf_printf(sql, " AND %s", SQL_TWO_COMMITTEES_TAG);
		} else {
			buf_puts(sql, " AND p.title = ?");
			db_param_text(b, pf->position);
		}
		if (pf->org_path) {
			buf_puts(sql, " AND p.org_id IN (SELECT po.id FROM orgs po WHERE po.path LIKE ?)");
			db_param_text(b, subtree_pattern(a, pf->org_path));
		}
		buf_puts(sql, ")");
	}
	if (pf->flag) {
		buf_puts(sql, " AND pe.id IN (SELECT f.person_id FROM person_flags f WHERE f.flag = ?");
		db_param_text(b, pf->flag);
		buf_puts(sql, SQL_ACTIVE_FLAG);
		db_param_text(b, pf->as_of);
		db_param_text(b, pf->as_of);
		buf_puts(sql, ")");
	}
	if (pf->born_from) {
		buf_puts(sql, " AND pe.birth_date >= ?");
		db_param_text(b, arena_printf(a, "%04d-01-01", pf->born_from));
	}
	if (pf->born_to) {
		buf_puts(sql, " AND pe.birth_date <= ?");
		db_param_text(b, arena_printf(a, "%04d-12-31", pf->born_to));
	}
	if ((pf->age_min >= 0 || pf->age_max >= 0) && date_parse_iso(pf->as_of, &on) == 0) {
		if (pf->age_min >= 0) {
			buf_puts(sql, " AND pe.birth_date <= ?");
			db_param_text(b, arena_printf(a, "%04d-%02d-%02d", on.y - pf->age_min,
							 on.m, on.d));
		}
		if (pf->age_max >= 0) {
			buf_puts(sql, " AND pe.birth_date > ?");
			db_param_text(b, arena_printf(a, "%04d-%02d-%02d", on.y - pf->age_max - 1,
							 on.m, on.d));
		}
	}
}

/*
 * One query per kind for all the people of a page: "... WHERE person_id IN
 * (?, ?, ...)", rows handed to the person they belong to via an id index.
 */
int people_attach(struct db *db, struct arena *a, json_t *items, const char *as_of)
{
	static const struct {
		const char *key, *row_sql, *alias, *held, *order;
		json_t *(*fn)(struct db_stmt *);
	} kinds[] = {
		{ "positions", SQL_POSITION_ROW, "p", SQL_HELD_POSITION,
		  " ORDER BY p.person_id, p.started_on DESC, p.id DESC", position_json_from_row },
		{ "flags", SQL_FLAG_ROW, "f", SQL_ACTIVE_FLAG,
		  " ORDER BY f.person_id, f.started_on DESC, f.id DESC", flag_json_from_row },
	};
	json_t *byid = json_object(), *it;
	size_t i, n = json_array_size(items);
	char key[24];
	int rc = DB_OK;

	if (n == 0) {
		json_decref(byid);
		return DB_OK;
	}
	json_array_foreach(items, i, it) {
		snprintf(key, sizeof(key), "%" PRId64, (int64_t)json_integer_value(json_object_get(it, "id")));
		json_object_set(byid, key, it);
		json_object_set_new(it, "positions", json_array());
		json_object_set_new(it, "flags", json_array());
	}
	for (size_t kd = 0; kd < sizeof(kinds) / sizeof(kinds[0]) && rc == DB_OK; kd++) {
		struct buf sql;
		struct db_stmt *st;
		int idx;

		buf_init(&sql, 0);
		buf_printf(&sql, "%s WHERE %s.person_id IN (", kinds[kd].row_sql, kinds[kd].alias);
		for (i = 0; i < n; i++)
			buf_puts(&sql, i ? ", ?" : "?");
		buf_puts(&sql, ")");
		if (as_of)
			buf_puts(&sql, kinds[kd].held);
		buf_puts(&sql, kinds[kd].order);
		st = sql.err ? NULL : db_prepare(db, arena_strdup(a, sql.data));
		buf_release(&sql);
		if (!st) {
			rc = DB_EGENERIC;
			break;
		}
		idx = 1;
		json_array_foreach(items, i, it)
			db_bind_int(st, idx++, json_integer_value(json_object_get(it, "id")));
		if (as_of) {
			db_bind_text(st, idx++, as_of);
			db_bind_text(st, idx++, as_of);
		}
		while ((rc = db_step(st)) == DB_ROW) {
			snprintf(key, sizeof(key), "%" PRId64, db_col_int(st, 1));
			json_t *owner = json_object_get(byid, key);
			if (owner)
				json_array_append_new(json_object_get(owner, kinds[kd].key),
						      kinds[kd].fn(st));
		}
		db_finalize(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	json_decref(byid);
	return rc;
}
