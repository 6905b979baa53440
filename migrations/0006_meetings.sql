-- 0006_meetings: the general requirement rules (rules engine) and the meetings of branches and party groups.

-- Requirement rules as data: what (a meeting type code, later a disclosure item...)
-- an org of the listed kinds/categories (comma lists, '' = all) must do `count`
-- times per period, with grace days after the period's end. A rule row applies
-- to the periods that start in [valid_from, valid_to): editing a rule closes the
-- row and opens a new one from a date, so a change only affects later periods.
CREATE TABLE requirements (
	id INTEGER PRIMARY KEY,
	subject TEXT NOT NULL,
	what TEXT NOT NULL,
	org_kinds TEXT NOT NULL DEFAULT '',
	org_categories TEXT NOT NULL DEFAULT '',
	frequency TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'yearly')),
	per_period INTEGER NOT NULL DEFAULT 1 CHECK (per_period >= 1),
	grace_days INTEGER NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
	severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	note TEXT NOT NULL DEFAULT '',
	previous_id INTEGER REFERENCES requirements(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX requirements_subject ON requirements (subject, what);

INSERT INTO requirements (subject, what, org_kinds, frequency, per_period, grace_days, severity, valid_from, note, created_at, updated_at) VALUES
	('meeting', 'branch_assembly', 'branch,general_branch', 'quarterly', 1, 10, 'high', '2000-01-01', '支部工作条例：支部党员大会一般每季度召开1次', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('meeting', 'branch_committee', 'branch,general_branch', 'monthly', 1, 5, 'medium', '2000-01-01', '支部工作条例：支部委员会一般每月召开1次', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('meeting', 'group_meeting', 'party_group', 'monthly', 1, 5, 'medium', '2000-01-01', '支部工作条例：党小组会一般每月召开1次', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('meeting', 'theme_day', 'branch,general_branch', 'monthly', 1, 5, 'medium', '2000-01-01', '主题党日每月固定1天', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('meeting', 'life_meeting', 'branch,general_branch', 'yearly', 1, 15, 'high', '2000-01-01', '组织生活会每年至少召开1次，一般在第四季度', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('meeting', 'member_review', 'branch,general_branch', 'yearly', 1, 15, 'high', '2000-01-01', '民主评议党员每年1次', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('meeting', 'party_lesson', 'branch,general_branch', 'quarterly', 1, 10, 'low', '2000-01-01', '本地规定：党课每季度至少1次', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

-- A meeting of an org (branch, general branch or party group). After it is
-- closed the row is locked; a correction is a new row with previous_id set and
-- a reason, and the old row gets superseded_by.
CREATE TABLE meetings (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	held_on TEXT NOT NULL,
	place TEXT NOT NULL DEFAULT '',
	host_id INTEGER REFERENCES people(id),
	topic TEXT NOT NULL,
	agenda TEXT NOT NULL DEFAULT '',
	minutes TEXT NOT NULL DEFAULT '',
	vote INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
	previous_id INTEGER REFERENCES meetings(id),
	correction_reason TEXT,
	superseded_by INTEGER REFERENCES meetings(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX meetings_org ON meetings (org_id, held_on);
CREATE INDEX meetings_held ON meetings (held_on);

-- The types a meeting counts as (a 主题党日 that includes a 党课 has both).
CREATE TABLE meeting_types (
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	type TEXT NOT NULL,
	PRIMARY KEY (meeting_id, type)
);

-- Attendance per member: present 出席, leave 请假 (with a reason), absent 缺席.
CREATE TABLE meeting_attendance (
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	person_id INTEGER NOT NULL REFERENCES people(id),
	status TEXT NOT NULL CHECK (status IN ('present', 'leave', 'absent')),
	reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (meeting_id, person_id)
);

INSERT INTO dict_items (dict, code, label_zh, label_en, sort) VALUES
	('meeting_type', 'branch_assembly', '支部党员大会', 'Branch member assembly', 1),
	('meeting_type', 'branch_committee', '支部委员会', 'Branch committee meeting', 2),
	('meeting_type', 'group_meeting', '党小组会', 'Party group meeting', 3),
	('meeting_type', 'party_lesson', '党课', 'Party lesson', 4),
	('meeting_type', 'theme_day', '主题党日', 'Theme Party day', 5),
	('meeting_type', 'life_meeting', '组织生活会', 'Organizational life meeting', 6),
	('meeting_type', 'member_review', '民主评议党员', 'Democratic review of members', 7),
	('meeting_type', 'study', '集中学习', 'Group study', 8);
