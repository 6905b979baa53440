-- 0010_grid: Party building + grid (党建+网格): grids under branches, households, visits, and residents' requests / practical deeds (办实事) with their history.

-- A grid of a branch (org_id): its name, the area it covers, its leader (a
-- person of the branch) and its workers (grid_workers). Archived, not deleted.
CREATE TABLE grids (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	area TEXT NOT NULL DEFAULT '',
	leader_id INTEGER REFERENCES people(id),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX grids_org ON grids (org_id);

-- Who works a grid: a person and/or a user account. A grid worker account
-- (role gridworker) sees only the grids where it is listed here.
CREATE TABLE grid_workers (
	id INTEGER PRIMARY KEY,
	grid_id INTEGER NOT NULL REFERENCES grids(id),
	person_id INTEGER REFERENCES people(id),
	user_id INTEGER REFERENCES users(id),
	CHECK (person_id IS NOT NULL OR user_id IS NOT NULL)
);
CREATE INDEX grid_workers_grid ON grid_workers (grid_id);
CREATE INDEX grid_workers_user ON grid_workers (user_id);

-- A household of a grid. Only what the work needs: the address, its size,
-- the head's name, a phone (encrypted, shown masked), tags (household_tags)
-- and the Party member who keeps in touch with it (党员联系户).
CREATE TABLE households (
	id INTEGER PRIMARY KEY,
	grid_id INTEGER NOT NULL REFERENCES grids(id),
	address TEXT NOT NULL,
	size INTEGER NOT NULL DEFAULT 1 CHECK (size >= 1),
	head_name TEXT NOT NULL,
	phone_enc TEXT,
	phone_masked TEXT,
	contact_id INTEGER REFERENCES people(id),
	note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX households_grid ON households (grid_id);
CREATE INDEX households_contact ON households (contact_id);

CREATE TABLE household_tags (
	household_id INTEGER NOT NULL REFERENCES households(id),
	tag TEXT NOT NULL,
	PRIMARY KEY (household_id, tag)
);

-- A visit or contact with a household (走访, 电话, 微信, 来访, 活动).
CREATE TABLE visits (
	id INTEGER PRIMARY KEY,
	household_id INTEGER NOT NULL REFERENCES households(id),
	visited_on TEXT NOT NULL,
	kind TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	person_id INTEGER REFERENCES people(id),
	user_id INTEGER REFERENCES users(id),
	created_at TEXT NOT NULL
);
CREATE INDEX visits_household ON visits (household_id, visited_on);

-- How many working days a request of each category may take (editable).
CREATE TABLE deed_due_periods (
	category TEXT PRIMARY KEY,
	working_days INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 365),
	version INTEGER NOT NULL DEFAULT 1,
	updated_at TEXT NOT NULL
);

-- Public holidays that are not working days (Saturdays and Sundays never are).
CREATE TABLE holidays (
	day TEXT PRIMARY KEY,
	name TEXT NOT NULL DEFAULT ''
);

-- A resident's request and the deed done for it. org_id is the branch the
-- resident belongs to (it never changes; scope follows it); level says who
-- handles it (grid, branch or township). Status: registered 登记, accepted
-- 受理, in_progress 办理中, closed 办结, followed_up 回访. A deed counts as done
-- when closed as solved: close_reason = 'solved' and status closed or
-- followed_up (reopening clears the close). Dates *_on are China dates.
CREATE TABLE deeds (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	grid_id INTEGER REFERENCES grids(id),
	household_id INTEGER REFERENCES households(id),
	level TEXT NOT NULL DEFAULT 'branch' CHECK (level IN ('grid', 'branch', 'township')),
	category TEXT NOT NULL,
	channel TEXT NOT NULL,
	title TEXT NOT NULL,
	content TEXT NOT NULL DEFAULT '',
	resident_name TEXT NOT NULL DEFAULT '',
	phone_enc TEXT,
	phone_masked TEXT,
	member_id INTEGER REFERENCES people(id),
	status TEXT NOT NULL DEFAULT 'registered'
		CHECK (status IN ('registered', 'accepted', 'in_progress', 'closed', 'followed_up')),
	close_reason TEXT CHECK (close_reason IN ('solved', 'referred', 'cannot_solve', 'duplicate')),
	close_note TEXT,
	received_at TEXT NOT NULL,
	received_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	accepted_at TEXT,
	closed_at TEXT,
	closed_on TEXT,
	followed_up_on TEXT,
	resident_solved INTEGER,
	satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
	reopened INTEGER NOT NULL DEFAULT 0,
	escalations INTEGER NOT NULL DEFAULT 0,
	created_by INTEGER REFERENCES users(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX deeds_org ON deeds (org_id, received_on);
CREATE INDEX deeds_grid ON deeds (grid_id);
CREATE INDEX deeds_household ON deeds (household_id);
CREATE INDEX deeds_closed ON deeds (closed_on);

-- Every transition of a deed, in order. `public` rows (and their notes) are
-- what the resident sees when tracking the request by its code.
CREATE TABLE deed_history (
	id INTEGER PRIMARY KEY,
	deed_id INTEGER NOT NULL REFERENCES deeds(id),
	at TEXT NOT NULL,
	action TEXT NOT NULL,
	from_status TEXT,
	to_status TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	public INTEGER NOT NULL DEFAULT 1,
	user_id INTEGER REFERENCES users(id),
	by_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deed_history_deed ON deed_history (deed_id, id);

INSERT INTO dict_items (dict, code, label_zh, label_en, sort) VALUES
	('household_tag', 'dibao', '低保', 'Minimum living allowance', 1),
	('household_tag', 'elderly_alone', '独居老人', 'Elderly living alone', 2),
	('household_tag', 'disability', '残疾', 'Disability', 3),
	('household_tag', 'poverty_watch', '脱贫监测', 'Post-poverty monitoring', 4),
	('household_tag', 'left_behind_child', '留守儿童', 'Left-behind children', 5),
	('household_tag', 'veteran', '退役军人', 'Veteran', 6),
	('deed_category', 'volunteer', '志愿服务', 'Volunteer service', 1),
	('deed_category', 'relief', '帮扶救助', 'Help and relief', 2),
	('deed_category', 'mediation', '矛盾化解', 'Conflict mediation', 3),
	('deed_category', 'neighbourly', '邻里和谐', 'Neighbourly harmony', 4),
	('deed_category', 'infrastructure', '基础设施', 'Infrastructure', 5),
	('deed_category', 'policy', '政策咨询', 'Policy advice', 6),
	('deed_channel', 'visit', '上门', 'Home visit', 1),
	('deed_channel', 'phone', '电话', 'Phone', 2),
	('deed_channel', 'wechat', '微信群', 'WeChat group', 3),
	('deed_channel', 'walk_in', '来访', 'Walk-in', 4),
	('deed_channel', 'online', '网上', 'Online', 5),
	('visit_kind', 'visit', '走访', 'Home visit', 1),
	('visit_kind', 'phone', '电话', 'Phone call', 2),
	('visit_kind', 'wechat', '微信', 'WeChat', 3),
	('visit_kind', 'walk_in', '来访', 'Walk-in', 4),
	('visit_kind', 'event', '活动', 'Activity', 5);

INSERT INTO deed_due_periods (category, working_days, updated_at) VALUES
	('volunteer', 5, '2026-01-01T00:00:00Z'),
	('relief', 5, '2026-01-01T00:00:00Z'),
	('mediation', 10, '2026-01-01T00:00:00Z'),
	('neighbourly', 10, '2026-01-01T00:00:00Z'),
	('infrastructure', 20, '2026-01-01T00:00:00Z'),
	('policy', 3, '2026-01-01T00:00:00Z');

INSERT INTO settings (key, value, updated_at) VALUES
	('grid_silent_days', '90', '2026-01-01T00:00:00Z'),
	('deed_followup_days', '10', '2026-01-01T00:00:00Z');
