/* people_view.c - the read-only view of people other modules' reports join against (people_view_sql). */
#include "people.h"

static const char SQL_PEOPLE_VIEW[] =
	"(SELECT p.id AS person_id, p.org_id AS org_id, o.path AS org_path, o.name AS org_name,"
	" p.name AS name, p.political_status AS political_status, p.joined_on AS joined_on,"
	" p.status AS status FROM people p JOIN orgs o ON o.id = p.org_id)";

const char *people_view_sql(void)
{
	return SQL_PEOPLE_VIEW;
}
