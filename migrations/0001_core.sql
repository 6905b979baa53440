-- 0001_core: accounts, sessions, settings, dictionaries, the audit chain.
-- Portable SQL: INTEGER PRIMARY KEY becomes BIGSERIAL on PostgreSQL; timestamps are ISO-8601 UTC text.

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	updated_at TEXT NOT NULL
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	org_id INTEGER NOT NULL,
	password_hash TEXT NOT NULL,
	must_change_password INTEGER NOT NULL DEFAULT 1,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'disabled')),
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until TEXT,
	totp_secret TEXT,
	totp_enabled INTEGER NOT NULL DEFAULT 0,
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	password_changed_at TEXT,
	last_login_at TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE role_grants (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	role TEXT NOT NULL,
	org_id INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (user_id, role, org_id)
);
CREATE INDEX role_grants_user ON role_grants (user_id);

-- A session is found by the SM3 hash of its cookie token, never the token itself.
CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users(id),
	csrf_token TEXT NOT NULL,
	ip TEXT,
	created_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	created_unix INTEGER NOT NULL,
	last_seen_unix INTEGER NOT NULL,
	revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Enumerations whose labels are data (education, ethnic group, org kind ...).
CREATE TABLE dict_items (
	id INTEGER PRIMARY KEY,
	dict TEXT NOT NULL,
	code TEXT NOT NULL,
	label_zh TEXT NOT NULL,
	label_en TEXT NOT NULL DEFAULT '',
	sort INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'active',
	version INTEGER NOT NULL DEFAULT 1,
	UNIQUE (dict, code)
);

-- The audit log is append-only. Each row's hash is HMAC-SM3(audit key,
-- prev_hash || canonical row); audit_head holds the last link so that a
-- deleted tail is detected too.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	seq INTEGER NOT NULL UNIQUE,
	at TEXT NOT NULL,
	user_id INTEGER,
	username TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	request_id TEXT NOT NULL DEFAULT '',
	entity TEXT NOT NULL,
	entity_id INTEGER,
	action TEXT NOT NULL,
	before_json TEXT,
	after_json TEXT,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY,
	seq INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The security policy is one JSON document so that an update is one versioned row.
INSERT INTO settings (key, value, updated_at) VALUES ('security_policy',
	'{"password_min_length":8,"password_min_classes":3,"lockout_threshold":5,"lockout_minutes":30,"idle_timeout_minutes":30,"absolute_timeout_hours":12,"totp_required_for_admins":false}',
	'2026-01-01T00:00:00Z');
