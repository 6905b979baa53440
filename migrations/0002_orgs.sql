-- 0002_orgs: the organization tree as a materialized path ('/1/4/9/') plus depth.

CREATE TABLE orgs (
	id INTEGER PRIMARY KEY,
	parent_id INTEGER REFERENCES orgs(id),
	path TEXT NOT NULL,
	depth INTEGER NOT NULL,
	name TEXT NOT NULL,
	short_name TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	category TEXT,
	credit_code TEXT,
	established_on TEXT,
	sort INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX orgs_path ON orgs (path);
CREATE INDEX orgs_parent ON orgs (parent_id);

INSERT INTO dict_items (dict, code, label_zh, label_en, sort) VALUES
	('org_kind', 'banner_committee', '旗委', 'Banner committee', 1),
	('org_kind', 'township_committee', '镇党委', 'Township committee', 2),
	('org_kind', 'general_branch', '党总支', 'General branch', 3),
	('org_kind', 'branch', '党支部', 'Branch', 4),
	('org_kind', 'party_group', '党小组', 'Party group', 5),
	('org_category', 'village', '村', 'Village', 1),
	('org_category', 'community', '社区', 'Community', 2),
	('org_category', 'government', '机关', 'Government office', 3),
	('org_category', 'institution', '事业单位', 'Public institution', 4),
	('org_category', 'private_enterprise', '非公企业', 'Private enterprise', 5),
	('org_category', 'social_organization', '社会组织', 'Social organization', 6);
