-- 0008_files_jobs: attachments stored once and linked to many records; background jobs run once per key; the daily branch status history.

-- A stored file, content-addressed by its SM3 digest under <files>/store/.
-- The same bytes uploaded again for the same org give the same row: a file is
-- attached once and never demanded twice.
CREATE TABLE files (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	sm3 TEXT NOT NULL,
	name TEXT NOT NULL,
	mime TEXT NOT NULL,
	size INTEGER NOT NULL,
	uploaded_by INTEGER REFERENCES users(id),
	created_at TEXT NOT NULL,
	UNIQUE (org_id, sm3)
);

-- A file linked to a record (owner_kind: 'meeting', 'task_progress', 'deed',
-- 'disclosure', ...). Unlinking sets removed_at; the row and the file stay.
CREATE TABLE attachments (
	id INTEGER PRIMARY KEY,
	owner_kind TEXT NOT NULL,
	owner_id INTEGER NOT NULL,
	file_id INTEGER NOT NULL REFERENCES files(id),
	created_by INTEGER REFERENCES users(id),
	created_at TEXT NOT NULL,
	removed_at TEXT
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id);

-- One row per job run key ("compliance:2026-11-29"): the first server to
-- insert it runs the job, every other server sees the key and skips.
CREATE TABLE job_runs (
	run_key TEXT PRIMARY KEY,
	started_at TEXT NOT NULL,
	finished_at TEXT,
	outcome TEXT NOT NULL DEFAULT 'running',
	detail TEXT NOT NULL DEFAULT ''
);

-- Each branch's status as the daily evaluation found it, with its reasons.
CREATE TABLE org_status (
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	day TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('green', 'yellow', 'red')),
	findings INTEGER NOT NULL DEFAULT 0,
	reasons TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (org_id, day)
);
