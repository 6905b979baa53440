/* test_perm.c - the role table, permission checks, subtree scopes and separation of duties. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../src/auth/perm.h"

static void grant(struct ctx *c, const char *role, int64_t org, const char *path)
{
	c->grants[c->ngrants].role = role;
	c->grants[c->ngrants].org_id = org;
	c->grants[c->ngrants].org_path = path;
	c->ngrants++;
}

static void test_roles(void **state)
{
	(void)state;
	assert_true(role_valid("staff"));
	assert_false(role_valid("king"));
	assert_false(role_valid(NULL));
	assert_string_equal(role_label("secretary"), "支部书记");
	assert_true(role_is_admin("sysadmin"));
	assert_true(role_is_admin("auditadmin"));
	assert_false(role_is_admin("staff"));
	assert_true(role_allows("staff", "org.write"));
	assert_false(role_allows("member", "org.write"));
	/* the three administrators see no Party data */
	assert_false(role_allows("secadmin", "org.read"));
	assert_false(role_allows("auditadmin", "org.read"));
	assert_false(role_allows("sysadmin", "org.write"));
	assert_null(role_actions("king")[0]);
}

static void test_perm_has_is_by_subtree(void **state)
{
	struct ctx c = { 0 };

	(void)state;
	grant(&c, "secretary", 4, "/1/4/");
	assert_true(perm_has(&c, "org.write", "/1/4/"));
	assert_true(perm_has(&c, "org.write", "/1/4/9/"));
	assert_false(perm_has(&c, "org.write", "/1/"));
	assert_false(perm_has(&c, "org.write", "/1/5/"));
	/* "/1/4/" must not cover "/1/40/" */
	assert_false(perm_has(&c, "org.write", "/1/40/"));
	assert_false(perm_has(&c, "user.admin", "/1/4/"));
	assert_true(perm_any(&c, "org.read"));
	assert_false(perm_any(&c, "audit.read"));
}

static void test_scope_merges_overlaps(void **state)
{
	struct ctx c = { 0 };
	struct scope s;
	struct arena a;

	(void)state;
	grant(&c, "secretary", 9, "/1/4/9/");
	grant(&c, "staff", 4, "/1/4/");
	grant(&c, "secretary", 7, "/1/7/");
	grant(&c, "auditadmin", 1, "/1/");	/* no org.read: not in the scope */
	scope_for(&c, "org.read", &s);
	assert_int_equal(s.n, 2);
	assert_true(scope_contains(&s, "/1/4/9/12/"));
	assert_true(scope_contains(&s, "/1/7/"));
	assert_false(scope_contains(&s, "/1/"));
	assert_false(scope_contains(&s, "/1/5/"));

	arena_init(&a, 0);
	assert_string_equal(scope_sql(&a, &s, "o.path"), "(o.path LIKE ? OR o.path LIKE ?)");
	scope_for(&c, "user.admin", &s);
	assert_int_equal(s.n, 0);
	assert_string_equal(scope_sql(&a, &s, "o.path"), "1=0");
	arena_release(&a);
}

static void test_separation_of_duties(void **state)
{
	const char *ok1[] = { "staff", "secretary" };
	const char *ok2[] = { "sysadmin", "sysadmin" };
	const char *bad1[] = { "sysadmin", "auditadmin" };
	const char *bad2[] = { "secadmin", "staff" };

	(void)state;
	assert_null(roles_compatible(ok1, 2));
	assert_null(roles_compatible(ok2, 2));
	assert_null(roles_compatible(NULL, 0));
	assert_non_null(strstr(roles_compatible(bad1, 2), "三员分立"));
	assert_non_null(roles_compatible(bad2, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_perm_has_is_by_subtree),
		cmocka_unit_test(test_scope_merges_overlaps),
		cmocka_unit_test(test_separation_of_duties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
