-- 0009_tasks: responsibility lists (责任清单) per org and year, their item trees, progress reports, supervision (督查问效) with rectification, and every item's history.

-- One list per org and year: the township's key-task list, each branch's list written against it.
CREATE TABLE task_lists (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
	title TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (org_id, year)
);

-- An item of a list, as a tree (parent_id). `code` ("1", "1.2", "1.2.3") is
-- unique within its list and never reused, so an import updates by code.
-- status: not_started 未开始, in_progress 进行中, done 已完成, accepted 已验收
-- (only the township accepts). progress_source: 'reported' (by progress
-- reports) or 'rollup' (the weighted mean of its children, or of the branch
-- items that answer it). weight NULL counts as equal to its siblings.
-- answers_item_id: the township item a branch's item answers.
CREATE TABLE task_items (
	id INTEGER PRIMARY KEY,
	list_id INTEGER NOT NULL REFERENCES task_lists(id),
	parent_id INTEGER REFERENCES task_items(id),
	code TEXT NOT NULL,
	sort INTEGER NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	owner_org_id INTEGER REFERENCES orgs(id),
	person_id INTEGER REFERENCES people(id),
	start_on TEXT,
	due_on TEXT,
	weight INTEGER CHECK (weight IS NULL OR (weight >= 0 AND weight <= 1000)),
	criteria TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'not_started'
		CHECK (status IN ('not_started', 'in_progress', 'done', 'accepted')),
	progress INTEGER NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),
	progress_source TEXT NOT NULL DEFAULT 'reported' CHECK (progress_source IN ('reported', 'rollup')),
	last_report_on TEXT,
	answers_item_id INTEGER REFERENCES task_items(id),
	accepted_on TEXT,
	accepted_by INTEGER REFERENCES users(id),
	archived_at TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX task_items_code ON task_items (list_id, code);
CREATE INDEX task_items_parent ON task_items (parent_id);
CREATE INDEX task_items_answers ON task_items (answers_item_id);
CREATE INDEX task_items_due ON task_items (due_on);
CREATE INDEX task_items_person ON task_items (person_id);

-- A progress report: a percent and/or a status, what was done, evidence
-- (attachments with owner_kind 'task_progress'), and the reason when the
-- percent goes backwards.
CREATE TABLE task_progress (
	id INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL REFERENCES task_items(id),
	reported_on TEXT NOT NULL,
	progress INTEGER CHECK (progress IS NULL OR (progress >= 0 AND progress <= 100)),
	status TEXT,
	text TEXT NOT NULL DEFAULT '',
	reason TEXT,
	reporter_id INTEGER REFERENCES users(id),
	reporter_name TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
CREATE INDEX task_progress_item ON task_progress (item_id, reported_on);

-- A supervision (督查) of an item: who checked, when, what was found and the
-- rating of the effect: good 好, fairly_good 较好, average 一般, poor 差.
CREATE TABLE task_supervisions (
	id INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL REFERENCES task_items(id),
	held_on TEXT NOT NULL,
	inspector TEXT NOT NULL,
	found TEXT NOT NULL,
	rating TEXT NOT NULL CHECK (rating IN ('good', 'fairly_good', 'average', 'poor')),
	created_by INTEGER REFERENCES users(id),
	created_at TEXT NOT NULL
);
CREATE INDEX task_supervisions_item ON task_supervisions (item_id);

-- A rectification (整改) demanded by a supervision, with a deadline; done
-- when its outcome and done day are recorded.
CREATE TABLE task_rectifications (
	id INTEGER PRIMARY KEY,
	supervision_id INTEGER NOT NULL REFERENCES task_supervisions(id),
	item_id INTEGER NOT NULL REFERENCES task_items(id),
	requirement TEXT NOT NULL,
	deadline TEXT NOT NULL,
	outcome TEXT,
	done_on TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX task_rectifications_item ON task_rectifications (item_id);
CREATE INDEX task_rectifications_open ON task_rectifications (done_on, deadline);

-- Every change of an item, with the row before and after (JSON), for the
-- item's history page; the audit log keeps the same change chained.
CREATE TABLE task_history (
	id INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL REFERENCES task_items(id),
	at TEXT NOT NULL,
	user_id INTEGER,
	username TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	before_json TEXT,
	after_json TEXT
);
CREATE INDEX task_history_item ON task_history (item_id, id);

-- An item with no progress report for this many days is "stale" (a finding).
INSERT INTO settings (key, value, updated_at) VALUES ('tasks_stale_days', '30', '2026-01-01T00:00:00Z');
