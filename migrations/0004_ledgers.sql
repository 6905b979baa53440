-- 0004_ledgers: the cadre ledgers (reserve cadres, assessments of graduates and
-- reserve cadres), branch committee terms (换届), and the rules they are checked by.

-- The reserve-cadre ledger (后备干部台账) has one source of truth for who is in
-- it: the people module's person_flags rows with flag 'reserve_cadre'. An entry
-- is such a flag plus the row below, keyed by the flag's id: the flag gives the
-- person, the date added (started_on) and the date they left (ended_on), so the
-- team-structure counts and the ledger can never disagree. While the flag is
-- open the entry is 在库 (in the pool); once it ended, `outcome` says whether the
-- person was used (已使用, e.g. elected into the team) or left (已退出), with the
-- reason. A flag created elsewhere without details still shows in the ledger.
CREATE TABLE reserve_details (
	id INTEGER PRIMARY KEY,
	flag_id INTEGER NOT NULL UNIQUE REFERENCES person_flags(id),
	source TEXT,
	intended_post TEXT,
	outcome TEXT CHECK (outcome IN ('used', 'exited')),
	outcome_reason TEXT NOT NULL DEFAULT '',
	remarks TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Training a reserve cadre received while in the ledger (class hours, 学时).
CREATE TABLE reserve_training (
	id INTEGER PRIMARY KEY,
	flag_id INTEGER NOT NULL REFERENCES person_flags(id),
	trained_on TEXT NOT NULL,
	course TEXT NOT NULL,
	hours INTEGER NOT NULL CHECK (hours > 0),
	note TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX reserve_training_flag ON reserve_training (flag_id, trained_on);

-- Periodic assessments of people holding a flag: kind is the flag code
-- (selected_graduate, returned_graduate, reserve_cadre); rating is a code of
-- the dictionary assessment_rating.
CREATE TABLE assessments (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id),
	kind TEXT NOT NULL,
	assessed_on TEXT NOT NULL,
	period TEXT NOT NULL DEFAULT '',
	assessor TEXT NOT NULL,
	rating TEXT NOT NULL,
	remarks TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX assessments_person ON assessments (person_id, kind, assessed_on);

-- Terms of a branch committee: one row per election; the current term on a
-- date is the latest that started on or before it. Ends `years` after it began.
CREATE TABLE org_terms (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	started_on TEXT NOT NULL,
	years INTEGER NOT NULL CHECK (years > 0),
	note TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (org_id, started_on)
);

-- The ledgers' rules as data, editable by township staff:
--   assessment_months / <flag code>: an assessment is due every N months from the flag's start;
--   term_years / <org category> (or 'default'): the default length of a new term;
--   term_warning_months / default: a term is due soon this many months before it ends.
CREATE TABLE ledger_rules (
	id INTEGER PRIMARY KEY,
	rule TEXT NOT NULL,
	subject TEXT NOT NULL,
	value INTEGER NOT NULL,
	label TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	updated_at TEXT NOT NULL,
	UNIQUE (rule, subject)
);

INSERT INTO ledger_rules (rule, subject, value, label, updated_at) VALUES
	('assessment_months', 'returned_graduate', 6, '回村任职大学生考核周期（月）', '2026-01-01T00:00:00Z'),
	('assessment_months', 'selected_graduate', 12, '选调生考核周期（月）', '2026-01-01T00:00:00Z'),
	('assessment_months', 'reserve_cadre', 12, '后备干部考核周期（月）', '2026-01-01T00:00:00Z'),
	('term_years', 'village', 5, '村党组织每届任期（年）', '2026-01-01T00:00:00Z'),
	('term_years', 'community', 5, '社区党组织每届任期（年）', '2026-01-01T00:00:00Z'),
	('term_years', 'default', 3, '其他党组织每届任期（年）', '2026-01-01T00:00:00Z'),
	('term_warning_months', 'default', 6, '换届提前提醒（月）', '2026-01-01T00:00:00Z');

INSERT INTO dict_items (dict, code, label_zh, label_en, sort) VALUES
	('reserve_source', 'village_grown', '村内培养', 'Grown in the village', 1),
	('reserve_source', 'returned_graduate', '回村任职大学生', 'Graduate returned to the village', 2),
	('reserve_source', 'business_leader', '致富能手', 'Local business leader', 3),
	('reserve_source', 'veteran', '退役军人', 'Military veteran', 4),
	('reserve_source', 'enterprise', '企业人员', 'Enterprise staff', 5),
	('reserve_source', 'returnee', '返乡创业人员', 'Returned entrepreneur', 6),
	('reserve_source', 'community_worker', '社区工作者', 'Community worker', 7),
	('reserve_source', 'other', '其他', 'Other', 8),
	('assessment_rating', 'excellent', '优秀', 'Excellent', 1),
	('assessment_rating', 'competent', '称职', 'Competent', 2),
	('assessment_rating', 'basically_competent', '基本称职', 'Basically competent', 3),
	('assessment_rating', 'incompetent', '不称职', 'Incompetent', 4);
