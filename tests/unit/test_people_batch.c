/* test_people_batch.c - person_batch_*: the same records, audit rows and refusals as the single calls, lookups remembered for one run only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/modules/people/people.h"
#include "../../src/modules/orgs/orgs.h"
#include "../../src/auth/crypt.h"
#include "testdb.h"

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
	struct keys keys;
	struct audit_who who;
	int64_t township, branch, other;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(TESTDB_MAKE(f, "batch", "b.db", 1), 0);
	random_bytes(&f->keys, sizeof(f->keys));
	f->who = (struct audit_who){ 0, "test", "", "" };
	assert_int_equal(db_begin(f->db), DB_OK);
	f->township = org_create_system(f->db, &f->keys, 0, "测试镇党委", "township_committee", NULL);
	f->branch = org_create_system(f->db, &f->keys, f->township, "测试村党支部", "branch", "village");
	f->other = org_create_system(f->db, &f->keys, f->township, "另一村党支部", "branch", "village");
	assert_true(f->other > 0);
	assert_int_equal(db_commit(f->db), DB_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(TESTDB_DROP(f), 0);
	free(f);
	return 0;
}

/* A valid ID number (GB 11643) born on birth (YYYYMMDD); an odd seq is a man. */
static void id_make(const char *birth, int seq, char out[19])
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	int sum = 0;

	snprintf(out, 19, "150121%s%03d", birth, seq);
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = check[sum % 11];
	out[18] = '\0';
}

/* A new member of `org` with number id (born 1990-01-01, odd seq = male). */
static struct person_in member(int64_t org, const char *id, const char *name)
{
	struct person_in in = { 0 };

	in.org_id = org;
	in.name = name;
	in.gender = "male";
	in.ethnicity = "01";
	in.birth_date = "1990-01-01";
	in.id_number = id;
	in.phone = "13800138000";
	in.education = "bachelor";
	in.political_status = "member";
	in.joined_on = "2012-07-01";
	in.full_member_on = "2013-07-01";
	return in;
}

/* The stored blind index of person id ("" when none). */
static void stored_bidx(struct db *db, int64_t id, char out[65])
{
	struct db_stmt *st = db_prepare(db, "SELECT id_number_bidx FROM people WHERE id = ?");

	assert_non_null(st);
	assert_int_equal(db_bind_int(st, 1, id), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	snprintf(out, 65, "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
	db_finalize(st);
}

static int64_t count(struct db *db, const char *sql, int64_t id)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(db, &n, sql, "i", id), DB_ROW);
	return n;
}

/*
 * A batch writes what person_insert writes: the row, its sealed number under
 * the number's own blind index, one audit row; and finds it again. The
 * blind index the batch keeps from a lookup of another number is not used
 * for this one.
 */
static void test_insert_like_single(void **state)
{
	struct fx *f = *state;
	struct person_batch b;
	struct person_stored st;
	struct person_in in;
	struct zb_fail e;
	char a[19], c[19], want[65], got[65];
	int64_t one, two;

	id_make("19900101", 11, a);
	id_make("19900101", 13, c);
	zb_fail_init(&e);
	assert_int_equal(db_begin(f->db), DB_OK);
	in = member(f->branch, a, "王一");
	one = person_insert(f->db, &f->keys, &f->who, &in, &e);
	assert_true(one > 0);

	person_batch_init(&b, f->db, &f->keys, &f->who);
	/* look up a (registered), then insert c: c must get its own index */
	assert_int_equal(person_batch_find(&b, a, &st), 1);
	assert_int_equal(st.id, one);
	assert_string_equal(st.phone, "13800138000");
	assert_int_equal(person_batch_find(&b, c, &st), 0);
	in = member(f->branch, c, "王二");
	two = person_batch_insert(&b, &in, &e);
	assert_int_equal(e.err, ZB_OK);
	assert_true(two > one);
	assert_int_equal(db_commit(f->db), DB_OK);

	blind_index(&f->keys, "idcard", a, want);
	stored_bidx(f->db, one, got);
	assert_string_equal(got, want);
	blind_index(&f->keys, "idcard", c, want);
	stored_bidx(f->db, two, got);
	assert_string_equal(got, want);
	assert_int_equal(person_find_by_id_number(f->db, &f->keys, c, &st), 1);
	assert_int_equal(st.id, two);
	assert_string_equal(st.name, "王二");
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'person'"
			       " AND action = 'create' AND entity_id = ?", two), 1);
	/* the two rows agree column by column but for id, name, number and times */
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM people a JOIN people b ON b.id = ?"
			       " WHERE a.id < b.id AND a.org_id = b.org_id AND a.gender = b.gender"
			       " AND a.ethnicity = b.ethnicity AND a.birth_date = b.birth_date"
			       " AND a.phone_masked = b.phone_masked AND a.education = b.education"
			       " AND a.political_status = b.political_status"
			       " AND a.joined_on = b.joined_on AND a.full_member_on = b.full_member_on"
			       " AND a.status = b.status AND a.version = b.version", two), 1);
	zb_fail_release(&e);
}

/* Validate and insert both ways; the refusals (fields and messages) must be equal. */
static void expect_same_refusal(struct fx *f, const struct person_in *in, const char *field)
{
	struct person_batch b;
	struct zb_fail one, two, three;

	zb_fail_init(&one);
	zb_fail_init(&two);
	zb_fail_init(&three);
	assert_int_equal(person_validate(f->db, &f->keys, in, 0, &one), 1);
	person_batch_init(&b, f->db, &f->keys, &f->who);
	assert_int_equal(person_batch_validate(&b, in, 0, &two), 1);
	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(person_batch_insert(&b, in, &three), 0);
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_non_null(one.fields);
	assert_non_null(json_object_get(one.fields, field));
	assert_true(json_equal(one.fields, two.fields));
	assert_true(json_equal(one.fields, three.fields));
	zb_fail_release(&one);
	zb_fail_release(&two);
	zb_fail_release(&three);
}

static void test_refusals_like_single(void **state)
{
	struct fx *f = *state;
	struct person_in in;
	struct zb_fail e;
	char a[19], c[19];

	id_make("19900101", 21, a);
	id_make("19900101", 23, c);
	zb_fail_init(&e);
	assert_int_equal(db_begin(f->db), DB_OK);
	in = member(f->branch, a, "李一");
	assert_true(person_insert(f->db, &f->keys, &f->who, &in, &e) > 0);
	assert_int_equal(db_exec(f->db, "UPDATE orgs SET status = 'archived' WHERE name = '另一村党支部';"
				 "UPDATE dict_items SET status = 'archived'"
				 " WHERE dict = 'education' AND code = 'postgraduate'"), DB_OK);
	assert_int_equal(db_commit(f->db), DB_OK);

	in = member(f->branch, a, "李二");
	expect_same_refusal(f, &in, "id_number");	/* 该身份证号已登记 */
	in = member(9999, c, "李二");
	expect_same_refusal(f, &in, "org_id");		/* 所属组织不存在 */
	in = member(f->other, c, "李二");
	expect_same_refusal(f, &in, "org_id");		/* 所属组织已归档 */
	in = member(f->branch, c, "李二");
	in.ethnicity = "99x";
	expect_same_refusal(f, &in, "ethnicity");
	in = member(f->branch, c, "李二");
	in.education = "postgraduate";
	expect_same_refusal(f, &in, "education");	/* archived item */
	in = member(f->branch, c, "李二");
	in.birth_date = "1991-01-01";
	expect_same_refusal(f, &in, "id_number");	/* the number says 1990-01-01 */
	zb_fail_release(&e);
}

/*
 * What a batch has asked stays answered for the batch: an org archived
 * after the batch used it is still accepted by that batch (which is why a
 * batch lives for one transaction), and refused by a new batch and by
 * person_insert.
 */
static void test_remembered_for_one_run(void **state)
{
	struct fx *f = *state;
	struct person_batch b, fresh;
	struct person_in in;
	struct zb_fail e;
	char a[19], c[19], d[19];

	id_make("19900101", 31, a);
	id_make("19900101", 33, c);
	id_make("19900101", 35, d);
	zb_fail_init(&e);
	assert_int_equal(db_begin(f->db), DB_OK);
	person_batch_init(&b, f->db, &f->keys, &f->who);
	in = member(f->other, a, "赵一");
	assert_true(person_batch_insert(&b, &in, &e) > 0);
	assert_int_equal(db_exec(f->db, "UPDATE orgs SET status = 'archived' WHERE name = '另一村党支部'"),
			 DB_OK);
	in = member(f->other, c, "赵二");
	assert_true(person_batch_insert(&b, &in, &e) > 0);
	assert_int_equal(e.err, ZB_OK);

	person_batch_init(&fresh, f->db, &f->keys, &f->who);
	in = member(f->other, d, "赵三");
	assert_int_equal(person_batch_insert(&fresh, &in, &e), 0);
	assert_string_equal(json_string_value(json_object_get(e.fields, "org_id")), "所属组织已归档");
	zb_fail_release(&e);
	zb_fail_init(&e);
	assert_int_equal(person_insert(f->db, &f->keys, &f->who, &in, &e), 0);
	assert_string_equal(json_string_value(json_object_get(e.fields, "org_id")), "所属组织已归档");
	assert_int_equal(db_rollback(f->db), DB_OK);
	zb_fail_release(&e);
}

/* An update through a batch: a new number gets its own blind index, the change is audited. */
static void test_update(void **state)
{
	struct fx *f = *state;
	struct person_batch b;
	struct person_stored st;
	struct person_in in;
	struct zb_fail e;
	char a[19], c[19], want[65], got[65];
	int64_t id;

	id_make("19900101", 41, a);
	id_make("19900101", 43, c);
	zb_fail_init(&e);
	assert_int_equal(db_begin(f->db), DB_OK);
	in = member(f->branch, a, "孙一");
	id = person_insert(f->db, &f->keys, &f->who, &in, &e);
	assert_true(id > 0);

	person_batch_init(&b, f->db, &f->keys, &f->who);
	assert_int_equal(person_batch_find(&b, a, &st), 1);
	in = member(f->other, c, "孙一");
	in.phone = "13900139000";
	assert_int_equal(person_batch_update(&b, st.id, st.version, &in, &e), 0);
	/* stale version */
	assert_int_equal(person_batch_update(&b, st.id, st.version, &in, &e), 2);
	assert_int_equal(db_commit(f->db), DB_OK);

	blind_index(&f->keys, "idcard", c, want);
	stored_bidx(f->db, id, got);
	assert_string_equal(got, want);
	assert_int_equal(person_find_by_id_number(f->db, &f->keys, a, &st), 0);
	assert_int_equal(person_find_by_id_number(f->db, &f->keys, c, &st), 1);
	assert_int_equal(st.org_id, f->other);
	assert_string_equal(st.phone, "13900139000");
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'person'"
			       " AND action = 'update' AND entity_id = ?", id), 1);
	zb_fail_release(&e);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_insert_like_single),
		T(test_refusals_like_single),
		T(test_remembered_for_one_run),
		T(test_update),
	};

	return cmocka_run_group_tests_name("people_batch", tests, NULL, NULL);
}
