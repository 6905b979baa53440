-- 0007_training: training classes (培训班), their sessions (场次) with attendance, and study records.

CREATE TABLE training_classes (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	title TEXT NOT NULL,
	year INTEGER NOT NULL,
	audience TEXT,
	start_on TEXT NOT NULL,
	end_on TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX training_classes_year ON training_classes (year, org_id);

-- A session; makeup_of names the session of the same class it makes up (补课).
CREATE TABLE training_sessions (
	id INTEGER PRIMARY KEY,
	class_id INTEGER NOT NULL REFERENCES training_classes(id),
	held_on TEXT NOT NULL,
	topic TEXT NOT NULL,
	lecturer TEXT,
	place TEXT,
	makeup_of INTEGER REFERENCES training_sessions(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX training_sessions_class ON training_sessions (class_id, held_on);
CREATE INDEX training_sessions_held ON training_sessions (held_on);

-- Who was present at a session (absent people have no row).
CREATE TABLE training_attendance (
	session_id INTEGER NOT NULL REFERENCES training_sessions(id),
	person_id INTEGER NOT NULL REFERENCES people(id),
	PRIMARY KEY (session_id, person_id)
);
CREATE INDEX training_attendance_person ON training_attendance (person_id);

-- Study records imported from the platforms members already use (学习强国, 驼乡e站 ...):
-- one row per person, platform and month, with a score (积分) or hours (学时, in tenths).
-- Shown per person and branch to supervisors; never ranked.
CREATE TABLE study_records (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id),
	platform TEXT NOT NULL,
	period TEXT NOT NULL,
	score INTEGER,
	hours_tenths INTEGER,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (person_id, platform, period)
);
CREATE INDEX study_records_period ON study_records (period);
