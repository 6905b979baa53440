/* routes.c - the route table: every module's endpoints, one row each. */
#include "app.h"
#include "../auth/session.h"
#include "../modules/admin/admin.h"
#include "../modules/orgs/orgs.h"
#include "../modules/people/people.h"
#include "../modules/transfer/transfer.h"
#include "../modules/ledgers/ledgers.h"
#include "../modules/meetings/meetings.h"
#include "../modules/rules/rules.h"
#include "../modules/training/training.h"

static void health(struct req *r)
{
	resp_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

void openapi_http_get(struct req *r);

#define PUB ROUTE_PUBLIC
#define NPW ROUTE_NOPWCHANGE
#define PII ROUTE_PERSONAL
#define UPL ROUTE_UPLOAD
#define SLOW ROUTE_SLOW

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
	{ "GET", "/api/v1/people/:id/photo", people_http_photo_get, PII, "person.read" },
	{ "PUT", "/api/v1/people/:id/photo", people_http_photo_put, PII | ROUTE_UPLOAD, "person.write" },
	{ "DELETE", "/api/v1/people/:id/photo", people_http_photo_delete, PII, "person.write" },
	{ "GET", "/api/v1/people/:id/history", people_http_history, PII, "person.read" },
	{ "POST", "/api/v1/people/:id/positions", positions_http_create, PII, "person.write" },
	{ "POST", "/api/v1/people/:id/flags", flags_http_create, PII, "person.write" },
	{ "PUT", "/api/v1/positions/:id", positions_http_update, PII, "person.write" },
	{ "PUT", "/api/v1/flags/:id", flags_http_update, PII, "person.write" },

	/* literal segments before /imports/:token */
	{ "GET", "/api/v1/imports/people/template", transfer_http_template, 0, "person.write" },
	{ "GET", "/api/v1/imports/people/errors", transfer_http_errors, PII | SLOW, "person.write" },
	{ "POST", "/api/v1/imports/people/commit", transfer_http_commit, PII | SLOW, "person.write" },
	{ "POST", "/api/v1/imports/people", transfer_http_import, PII | UPL | SLOW, "person.write" },
	{ "GET", "/api/v1/imports/:token/progress", transfer_http_progress, 0, "person.write" },
	{ "GET", "/api/v1/exports/people", transfer_http_export, PII | SLOW, "person.read" },

	/* the cadre ledgers and branch committee terms (literal segments before :id) */
	{ "GET", "/api/v1/ledgers/reserves", reserves_http_list, PII, "ledger.read" },
	{ "POST", "/api/v1/ledgers/reserves", reserves_http_create, PII, "ledger.write" },
	{ "GET", "/api/v1/ledgers/reserves/:id", reserves_http_get, PII, "ledger.read" },
	{ "PUT", "/api/v1/ledgers/reserves/:id", reserves_http_update, PII, "ledger.write" },
	{ "POST", "/api/v1/ledgers/reserves/:id/training", reserves_http_training, PII, "ledger.write" },
	{ "POST", "/api/v1/ledgers/reserves/:id/status", reserves_http_status, PII, "ledger.write" },
	{ "GET", "/api/v1/ledgers/graduates", graduates_http_list, PII, "ledger.read" },
	{ "GET", "/api/v1/ledgers/assessments/due", assessments_http_due, PII, "ledger.read" },
	{ "GET", "/api/v1/people/:id/assessments", assessments_http_list, PII, "ledger.read" },
	{ "POST", "/api/v1/people/:id/assessments", assessments_http_create, PII, "ledger.write" },
	{ "PUT", "/api/v1/assessments/:id", assessments_http_update, PII, "ledger.write" },
	{ "GET", "/api/v1/ledgers/terms", terms_http_list, 0, "ledger.read" },
	{ "POST", "/api/v1/ledgers/terms", terms_http_create, 0, "ledger.write" },
	{ "PUT", "/api/v1/ledgers/terms/:id", terms_http_update, 0, "ledger.write" },
	{ "GET", "/api/v1/ledgers/rules", ledger_rules_http_list, 0, "ledger.read" },
	{ "PUT", "/api/v1/ledgers/rules/:id", ledger_rules_http_update, 0, "ledger.write" },
	/* training classes, sessions, attendance and coverage (literal segments before :id) */
	{ "GET", "/api/v1/trainings/coverage", training_http_coverage, 0, "training.read" },
	{ "GET", "/api/v1/trainings", training_http_list, 0, "training.read" },
	{ "POST", "/api/v1/trainings", training_http_create, 0, "training.write" },
	{ "GET", "/api/v1/trainings/:id", training_http_get, 0, "training.read" },
	{ "PUT", "/api/v1/trainings/:id", training_http_update, 0, "training.write" },
	{ "POST", "/api/v1/trainings/:id/sessions", training_http_session_create, 0, "training.write" },
	{ "PUT", "/api/v1/training-sessions/:id", training_http_session_update, 0, "training.write" },
	{ "GET", "/api/v1/training-sessions/:id/attendance", training_http_attendance_get, PII, "training.read" },
	{ "PUT", "/api/v1/training-sessions/:id/attendance", training_http_attendance_put, PII, "training.write" },
	{ "POST", "/api/v1/study/import", study_http_import, PII | UPL | SLOW, "training.write" },
	{ "GET", "/api/v1/study", study_http_list, PII, "person.read" },
	/* meetings, the meeting rules and compliance checked against them */
	{ "GET", "/api/v1/meetings", meetings_http_list, 0, "meeting.read" },
	{ "POST", "/api/v1/meetings", meetings_http_create, 0, "meeting.write" },
	{ "GET", "/api/v1/meetings/:id", meetings_http_get, 0, "meeting.read" },
	{ "PUT", "/api/v1/meetings/:id", meetings_http_update, 0, "meeting.write" },
	{ "POST", "/api/v1/meetings/:id/close", meetings_http_close, 0, "meeting.write" },
	{ "POST", "/api/v1/meetings/:id/correct", meetings_http_correct, 0, "meeting.write" },
	{ "GET", "/api/v1/rules", rules_http_list, 0, "meeting.read" },
	{ "PUT", "/api/v1/rules/:id", rules_http_update, 0, "rules.write" },
	{ "GET", "/api/v1/compliance/status", compliance_http_status, 0, "meeting.read" },
	{ "GET", "/api/v1/compliance", compliance_http_table, 0, "meeting.read" },
	{ "GET", "/api/v1/todo", compliance_http_todo, 0, "meeting.read" },
	{ NULL, NULL, NULL, 0, NULL },
};
