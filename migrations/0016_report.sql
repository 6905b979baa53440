-- 0016_report: the annual duty report's sections as people edited them, with every version kept.

-- A section of the annual report (述职报告) of one org for one year that a person edited.
-- Sections nobody edited are not stored: they are drafted from the records on every read.
-- `text` holds the person's wording with figure placeholders ({{reserve_cadres}}), so the
-- figures stay current; `reset` = 1 when the person handed the section back to the draft.
CREATE TABLE report_sections (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
	section TEXT NOT NULL,
	text TEXT NOT NULL,
	reset INTEGER NOT NULL DEFAULT 0 CHECK (reset IN (0, 1)),
	version INTEGER NOT NULL DEFAULT 1,
	updated_by TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (org_id, year, section)
);

-- Every version of an edited section, never deleted.
CREATE TABLE report_section_versions (
	id INTEGER PRIMARY KEY,
	section_id INTEGER NOT NULL REFERENCES report_sections(id),
	version INTEGER NOT NULL,
	text TEXT NOT NULL,
	reset INTEGER NOT NULL DEFAULT 0,
	by_name TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	UNIQUE (section_id, version)
);
