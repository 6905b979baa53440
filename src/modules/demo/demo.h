/* demo.h - the demo township loaded by `zhibu init --demo`: orgs, people, posts, flags and accounts. */
#ifndef ZB_DEMO_H
#define ZB_DEMO_H

#include <stdint.h>
#include <stdio.h>
#include "../../app/app.h"
#include "../../auth/password.h"

/* The name init gives the root org (a township committee) when it loads the demo. */
#define DEMO_TOWNSHIP_NAME "巴音敖包镇党委"

/*
 * Check a shared demo password (ZHIBU_DEMO_PASSWORD) against the password
 * policy for every demo account (the policy refuses a password holding the
 * username). NULL when acceptable, else `why` holding a Chinese reason that
 * names the account.
 */
const char *demo_password_check(const struct password_policy *p, const char *password,
				char *why /* OUT */, size_t whylen);

/*
 * Build the demo township under root_org_id (a township committee named
 * DEMO_TOWNSHIP_NAME): 20 general branches and branches with their party
 * groups, 500 people, their leadership-team posts and flags (2018-2023), the
 * ledgers (reserve cadres' details and training, assessments, committee
 * terms), and the demo accounts. Runs inside the caller's open transaction and commits
 * nothing; every row goes through the public functions of the orgs, people
 * and admin modules, so each is validated and audited.
 *
 * Deterministic: a fixed-seed generator, no clock, so every run yields the
 * same people. `password` NULL gives every account its own one-time
 * password; otherwise all get `password`, not one-time. For each account
 * "username: X" and "one-time password: Y" (or "password:
 * (ZHIBU_DEMO_PASSWORD)") is written to `out`: print it only after commit.
 *
 * Returns DB_OK, or a negative DB_E* (a record the people module refused is
 * reported on stderr and returns DB_EGENERIC); the caller rolls back.
 */
int demo_load(struct db *db, const struct keys *k, int64_t root_org_id,
	      const char *password /* NULL = one-time passwords */, FILE *out);

#endif
