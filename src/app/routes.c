/* routes.c - the route table: every module's endpoints, one row each. */
#include "app.h"
#include "../auth/session.h"
#include "../modules/admin/admin.h"
#include "../modules/orgs/orgs.h"
#include "../modules/people/people.h"

static void health(struct req *r)
{
	resp_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

void openapi_http_get(struct req *r);

#define PUB ROUTE_PUBLIC
#define NPW ROUTE_NOPWCHANGE
#define PII ROUTE_PERSONAL

const struct route app_routes[] = {
	{ "GET", "/api/v1/health", health, PUB, NULL },
	{ "GET", "/api/v1/openapi.json", openapi_http_get, PUB, NULL },

	{ "POST", "/api/v1/session", session_http_login, PUB, NULL },
	{ "GET", "/api/v1/session", session_http_whoami, NPW, NULL },
	{ "DELETE", "/api/v1/session", session_http_logout, NPW, NULL },
	{ "PUT", "/api/v1/session/password", session_http_password, NPW, NULL },
	{ "POST", "/api/v1/session/totp", session_http_totp_begin, NPW, NULL },
	{ "PUT", "/api/v1/session/totp", session_http_totp_confirm, NPW, NULL },
	{ "DELETE", "/api/v1/session/totp", session_http_totp_disable, NPW, NULL },

	{ "GET", "/api/v1/orgs", orgs_http_list, 0, "org.read" },
	{ "POST", "/api/v1/orgs", orgs_http_create, 0, "org.write" },
	{ "GET", "/api/v1/orgs/:id", orgs_http_get, 0, "org.read" },
	{ "PUT", "/api/v1/orgs/:id", orgs_http_update, 0, "org.write" },
	{ "POST", "/api/v1/orgs/:id/move", orgs_http_move, 0, "org.write" },
	{ "POST", "/api/v1/orgs/:id/archive", orgs_http_archive, 0, "org.write" },
	{ "POST", "/api/v1/orgs/:id/restore", orgs_http_restore, 0, "org.write" },

	{ "GET", "/api/v1/users", users_http_list, 0, "user.admin" },
	{ "POST", "/api/v1/users", users_http_create, 0, "user.admin" },
	{ "GET", "/api/v1/users/:id", users_http_get, 0, "user.admin" },
	{ "PUT", "/api/v1/users/:id", users_http_update, 0, "user.admin" },
	{ "PUT", "/api/v1/users/:id/roles", users_http_roles, 0, "user.admin" },
	{ "POST", "/api/v1/users/:id/reset-password", users_http_reset_password, 0, "user.admin" },
	{ "POST", "/api/v1/users/:id/lock", users_http_lock, 0, "user.admin" },
	{ "POST", "/api/v1/users/:id/unlock", users_http_unlock, 0, "user.admin" },
	{ "GET", "/api/v1/roles", roles_http_list, 0, "user.admin" },

	{ "GET", "/api/v1/security/policy", policy_http_get, 0, "policy.admin" },
	{ "PUT", "/api/v1/security/policy", policy_http_put, 0, "policy.admin" },

	{ "GET", "/api/v1/audit", audit_http_list, 0, "audit.read" },
	{ "GET", "/api/v1/audit/verify", audit_http_verify, 0, "audit.read" },

	{ "GET", "/api/v1/dicts/:dict", dicts_http_list, 0, NULL },
	{ "POST", "/api/v1/dicts/:dict", dicts_http_create, 0, "dict.write" },
	{ "PUT", "/api/v1/dicts/:dict/:id", dicts_http_update, 0, "dict.write" },

	/* literal segments before /people/:id */
	{ "GET", "/api/v1/people/counts", people_http_counts, 0, "person.read" },
	{ "GET", "/api/v1/people/structure", people_http_structure, 0, "person.read" },
	{ "GET", "/api/v1/people", people_http_list, PII, "person.read" },
	{ "POST", "/api/v1/people", people_http_create, PII, "person.write" },
	{ "GET", "/api/v1/people/:id", people_http_get, PII, "person.read" },
	{ "PUT", "/api/v1/people/:id", people_http_update, PII, "person.write" },
	{ "POST", "/api/v1/people/:id/archive", people_http_archive, PII, "person.write" },
	{ "POST", "/api/v1/people/:id/restore", people_http_restore, PII, "person.write" },
	{ "POST", "/api/v1/people/:id/unmask", people_http_unmask, PII, "person.unmask" },
	{ "GET", "/api/v1/people/:id/history", people_http_history, PII, "person.read" },
	{ "POST", "/api/v1/people/:id/positions", positions_http_create, PII, "person.write" },
	{ "POST", "/api/v1/people/:id/flags", flags_http_create, PII, "person.write" },
	{ "PUT", "/api/v1/positions/:id", positions_http_update, PII, "person.write" },
	{ "PUT", "/api/v1/flags/:id", flags_http_update, PII, "person.write" },
	{ NULL, NULL, NULL, 0, NULL },
};
