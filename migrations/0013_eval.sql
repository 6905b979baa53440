-- 0013_eval: branch evaluation - schemes (indicator trees as data, versioned), rounds, each
-- branch's entry and item scores, stars, strongest-branch designations, weak and lax branches.

-- A scheme version. `tree` is the indicator tree as JSON (categories -> items, deductions),
-- validated by src/modules/eval; editing a version used by a round creates a new row whose
-- previous_id points here and this row's superseded_by points there.
CREATE TABLE eval_schemes (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('five_strong', 'competition', 'other')),
	seq INTEGER NOT NULL DEFAULT 1,
	tree TEXT NOT NULL,
	max_total INTEGER NOT NULL DEFAULT 100,
	stars TEXT NOT NULL DEFAULT '[90,80,70,60]',
	previous_id INTEGER REFERENCES eval_schemes(id),
	superseded_by INTEGER REFERENCES eval_schemes(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (code, seq)
);

-- A round: a year (quarter 0) or a quarter, for the branches under org_id.
CREATE TABLE eval_rounds (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	scheme_id INTEGER NOT NULL REFERENCES eval_schemes(id),
	name TEXT NOT NULL,
	year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
	quarter INTEGER NOT NULL DEFAULT 0 CHECK (quarter BETWEEN 0 AND 4),
	from_on TEXT NOT NULL,
	to_on TEXT NOT NULL,
	five_star_quota INTEGER CHECK (five_star_quota IS NULL OR (five_star_quota BETWEEN 0 AND 100)),
	status TEXT NOT NULL DEFAULT 'self' CHECK (status IN ('self', 'review', 'published')),
	published_at TEXT,
	published_by TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX eval_rounds_org ON eval_rounds (org_id, year);

-- One branch in a round. `frozen` holds, from publication on, the whole result as JSON:
-- the scheme version, every item's value, inputs (numerator, denominator) and points.
CREATE TABLE eval_entries (
	id INTEGER PRIMARY KEY,
	round_id INTEGER NOT NULL REFERENCES eval_rounds(id),
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
	submitted_at TEXT,
	total_tenths INTEGER,
	rank INTEGER,
	stars INTEGER,
	frozen TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (round_id, org_id)
);
CREATE INDEX eval_entries_org ON eval_entries (org_id);

-- A score given by hand (self-assessment, review), or a review's change of a record-based one.
CREATE TABLE eval_scores (
	id INTEGER PRIMARY KEY,
	entry_id INTEGER NOT NULL REFERENCES eval_entries(id),
	item TEXT NOT NULL,
	self_tenths INTEGER,
	self_comment TEXT NOT NULL DEFAULT '',
	self_by TEXT,
	review_tenths INTEGER,
	review_reason TEXT,
	review_by TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (entry_id, item)
);

-- Strongest branch (最强党支部) designations and their route.
CREATE TABLE eval_designations (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
	level TEXT NOT NULL CHECK (level IN ('township', 'banner')),
	status TEXT NOT NULL DEFAULT 'nominated' CHECK (status IN ('nominated', 'reviewed', 'designated', 'withdrawn')),
	round_id INTEGER REFERENCES eval_rounds(id),
	note TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX eval_designations_year ON eval_designations (year, level);
CREATE TABLE eval_designation_steps (
	id INTEGER PRIMARY KEY,
	designation_id INTEGER NOT NULL REFERENCES eval_designations(id),
	status TEXT NOT NULL,
	on_day TEXT NOT NULL,
	by_name TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
CREATE INDEX eval_designation_steps_d ON eval_designation_steps (designation_id, id);

-- Weak and lax branches (软弱涣散) under rectification, their plan and follow-up.
CREATE TABLE eval_weak (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	year INTEGER NOT NULL,
	source TEXT NOT NULL CHECK (source IN ('rule', 'manual')),
	rules TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL,
	flagged_on TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'rectifying' CHECK (status IN ('rectifying', 'lifted')),
	lifted_on TEXT,
	lift_reason TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX eval_weak_org ON eval_weak (org_id, status);
CREATE TABLE eval_weak_steps (
	id INTEGER PRIMARY KEY,
	weak_id INTEGER NOT NULL REFERENCES eval_weak(id),
	action TEXT NOT NULL,
	owner TEXT NOT NULL,
	deadline TEXT NOT NULL,
	done_on TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX eval_weak_steps_w ON eval_weak_steps (weak_id, deadline);
CREATE TABLE eval_weak_followups (
	id INTEGER PRIMARY KEY,
	weak_id INTEGER NOT NULL REFERENCES eval_weak(id),
	step_id INTEGER REFERENCES eval_weak_steps(id),
	on_day TEXT NOT NULL,
	note TEXT NOT NULL,
	by_name TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
CREATE INDEX eval_weak_followups_w ON eval_weak_followups (weak_id, id);

-- The weak-branch rules' numbers, editable by township staff (domain.md: data, not code).
INSERT INTO settings (key, value, updated_at) VALUES
	('eval_weak_secretary_vacant_days', '90', '2026-01-01T00:00:00Z'),
	('eval_weak_missing_meetings', '3', '2026-01-01T00:00:00Z'),
	('eval_weak_no_candidate_years', '2', '2026-01-01T00:00:00Z'),
	('eval_weak_satisfaction_pct', '60', '2026-01-01T00:00:00Z');
