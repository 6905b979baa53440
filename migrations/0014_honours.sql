-- 0014_honours: honours (评先评优): categories, rounds with quotas per org, nominations with the records behind them, the public notice (公示), objections, and the register of awards.

-- A round of one honour category in one year, run by an org (the township
-- committee, or the banner) for the orgs of its subtree. Status: open
-- (nominating and review), notice (公示 from notice_from to notice_to,
-- working days), decided (awards made on decided_on). Never deleted.
CREATE TABLE honour_rounds (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	year INTEGER NOT NULL CHECK (year BETWEEN 1949 AND 2200),
	category TEXT NOT NULL,
	title TEXT NOT NULL,
	notice_days INTEGER NOT NULL DEFAULT 5 CHECK (notice_days BETWEEN 1 AND 60),
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'notice', 'decided')),
	notice_from TEXT,
	notice_to TEXT,
	decided_on TEXT,
	note TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX honour_rounds_org ON honour_rounds (org_id, year);
CREATE INDEX honour_rounds_status ON honour_rounds (status, notice_to);

-- How many nominees the orgs under org_id (itself and its subtree) may put
-- forward in a round. A round without quota rows has no limit; with some,
-- an org not under any of them has none.
CREATE TABLE honour_quotas (
	round_id INTEGER NOT NULL REFERENCES honour_rounds(id),
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	quota INTEGER NOT NULL CHECK (quota BETWEEN 0 AND 10000),
	PRIMARY KEY (round_id, org_id)
);

-- A nominee (a person, a household or an org) put forward by org_id in a
-- round, with the reasons. Name and unit are kept as they were when
-- nominated (the register and the public notice show them). Status:
-- nominated -> approved / rejected (township review) -> awarded, or
-- withdrawn (with withdrawn_reason) at any time before the award.
CREATE TABLE honour_nominations (
	id INTEGER PRIMARY KEY,
	round_id INTEGER NOT NULL REFERENCES honour_rounds(id),
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	nominee_kind TEXT NOT NULL CHECK (nominee_kind IN ('person', 'household', 'org')),
	nominee_id INTEGER NOT NULL,
	nominee_name TEXT NOT NULL,
	nominee_unit TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'nominated'
		CHECK (status IN ('nominated', 'approved', 'rejected', 'withdrawn', 'awarded')),
	review_note TEXT NOT NULL DEFAULT '',
	reviewed_on TEXT,
	withdrawn_reason TEXT,
	awarded_on TEXT,
	created_by INTEGER REFERENCES users(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX honour_nominations_round ON honour_nominations (round_id, org_id);
CREATE INDEX honour_nominations_nominee ON honour_nominations (nominee_kind, nominee_id);

-- The records behind a nomination: typed links {kind, id} to records zhibu
-- already holds (meetings attended, deeds done, tasks carried out).
CREATE TABLE honour_links (
	nomination_id INTEGER NOT NULL REFERENCES honour_nominations(id),
	kind TEXT NOT NULL,
	ref_id INTEGER NOT NULL,
	PRIMARY KEY (nomination_id, kind, ref_id)
);

-- An objection to a nominee received during the notice, from the public
-- page (source public, no account) or recorded by staff. Status open ->
-- upheld (the nomination is withdrawn with the reason) or dismissed (with
-- the reason).
CREATE TABLE honour_objections (
	id INTEGER PRIMARY KEY,
	nomination_id INTEGER NOT NULL REFERENCES honour_nominations(id),
	round_id INTEGER NOT NULL REFERENCES honour_rounds(id),
	source TEXT NOT NULL CHECK (source IN ('public', 'staff')),
	text TEXT NOT NULL,
	received_on TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
	reason TEXT,
	handled_on TEXT,
	handled_by INTEGER REFERENCES users(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX honour_objections_nomination ON honour_objections (nomination_id);
CREATE INDEX honour_objections_status ON honour_objections (status, round_id);

-- Categories: the tags say who may be nominated (nominee_person /
-- nominee_household / nominee_org), the level that awards it (level_*) and
-- the eligibility rule (rule_party_member: a full Party member;
-- rule_party_post: holds a Party post). Editable in the dictionaries.
INSERT INTO dict_items (dict, code, label_zh, label_en, sort, tags) VALUES
	('honour_category', 'excellent_member', '优秀共产党员', 'Outstanding Party member', 1, 'nominee_person,level_township,rule_party_member'),
	('honour_category', 'excellent_worker', '优秀党务工作者', 'Outstanding Party-affairs worker', 2, 'nominee_person,level_township,rule_party_post'),
	('honour_category', 'advanced_org', '先进基层党组织', 'Advanced grassroots Party organization', 3, 'nominee_org,level_township'),
	('honour_category', 'ten_star_household', '十星级文明户', 'Ten-star civilized household', 4, 'nominee_household,level_township'),
	('honour_category', 'civilized_family', '文明家庭', 'Civilized family', 5, 'nominee_household,level_township'),
	('honour_category', 'beautiful_family', '最美家庭', 'Most beautiful family', 6, 'nominee_household,level_township'),
	('honour_level', 'township', '镇级', 'Township level', 1, ''),
	('honour_level', 'banner', '旗级', 'Banner level', 2, ''),
	('honour_link', 'meeting', '参加的会议', 'Meeting attended', 1, ''),
	('honour_link', 'deed', '办理的实事', 'Deed done', 2, ''),
	('honour_link', 'task', '承担的任务', 'Task carried out', 3, '');

-- The shortest notice (公示) a round may set, in working days.
INSERT INTO settings (key, value, updated_at) VALUES ('honour_notice_min_days', '5', '2026-01-01T00:00:00Z');
