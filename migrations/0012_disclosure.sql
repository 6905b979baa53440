-- 0012_disclosure: 三务公开 - the disclosure catalogue (with its requirement rules), disclosures and their versions, findings with rectification, accountability records, residents' questions.

-- The catalogue of what must be disclosed. affair: party 党务 / village 村务 /
-- finance 财务. frequency: monthly, quarterly, yearly (judged by the rules
-- engine through the requirement row of subject 'disclosure' and what = code)
-- or event (within `within_days` of the event's date, judged by the module).
-- required: comma list of what a complete disclosure holds: content (正文),
-- finance (收支明细表), attachments (附件), event_date (事项日期).
-- transactions: any; many (orgs marked as having many transactions: monthly
-- finance); few (the others: quarterly finance).
CREATE TABLE disclosure_catalog (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	affair TEXT NOT NULL CHECK (affair IN ('party', 'village', 'finance')),
	name TEXT NOT NULL,
	frequency TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'yearly', 'event')),
	within_days INTEGER NOT NULL DEFAULT 0 CHECK (within_days >= 0),
	required TEXT NOT NULL DEFAULT 'content',
	transactions TEXT NOT NULL DEFAULT 'any' CHECK (transactions IN ('any', 'many', 'few')),
	org_kinds TEXT NOT NULL DEFAULT 'branch,general_branch',
	org_categories TEXT NOT NULL DEFAULT 'village,community',
	basis TEXT NOT NULL DEFAULT '',
	sort INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

INSERT INTO disclosure_catalog (code, affair, name, frequency, within_days, required, transactions, org_categories, basis, sort, created_at, updated_at) VALUES
	('party_affairs', 'party', '党务综合（组织建设、三会一课、党员发展）', 'quarterly', 0, 'content', 'any', 'village,community', '中国共产党党务公开条例（试行）：党务公开一般每季度1次，提出—审核（保密、准确）—审批—公开', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('party_dues', 'party', '党费收缴、使用和管理情况', 'yearly', 0, 'content', 'any', 'village,community', '关于中国共产党党费收缴、使用和管理的规定：每年至少公布1次', 2, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('party_development', 'party', '发展党员公示', 'event', 7, 'content,event_date', 'any', 'village,community', '中国共产党发展党员工作细则：发展对象确定后公示，公示期不少于5个工作日', 3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('village_affairs', 'village', '村务综合（季度）', 'quarterly', 0, 'content', 'any', 'village,community', '村民委员会组织法第三十条：一般事项至少每季度公布1次', 10, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('village_major', 'village', '重大事项（四议两公开）', 'event', 5, 'content,event_date', 'any', 'village,community', '村民委员会组织法第三十条：涉及村民利益的重大事项应当随时公布', 11, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('land_compensation', 'village', '征地补偿费分配使用', 'event', 5, 'content,event_date,attachments', 'any', 'village', '村民委员会组织法第二十四条、第三十条：征地补偿费的使用、分配方案专项公开', 12, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('tenders', 'village', '村级工程项目招投标', 'event', 5, 'content,event_date', 'any', 'village', '村级工程项目招标、承包方案及结果专项公开', 13, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('finance_monthly', 'finance', '财务收支（月度，收支业务较多的村）', 'monthly', 0, 'content,finance', 'many', 'village,community', '村民委员会组织法第三十条、农村集体经济组织财务公开规定：财务往来较多的每月公布1次', 20, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('finance_quarterly', 'finance', '财务收支（季度）', 'quarterly', 0, 'content,finance', 'few', 'village,community', '农村集体经济组织财务公开规定：财务公开至少每季度1次', 21, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('finance_assets', 'finance', '集体资产、资源和债权债务', 'yearly', 0, 'content', 'any', 'village', '农村集体经济组织财务公开规定：集体资产资源、债权债务每年公布', 22, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

-- The periodic items as requirement rules of the rules engine: grace_days is
-- the number of days after a period's end by which its disclosure is due
-- (published later: late; nothing by then: 应公开未公开).
INSERT INTO requirements (subject, what, org_kinds, org_categories, frequency, per_period, grace_days, severity, valid_from, note, created_at, updated_at) VALUES
	('disclosure', 'party_affairs', 'branch,general_branch', 'village,community', 'quarterly', 1, 10, 'medium', '2000-01-01', '党务公开：每季度1次，季度结束后10日内', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('disclosure', 'party_dues', 'branch,general_branch', 'village,community', 'yearly', 1, 31, 'medium', '2000-01-01', '党费收缴使用：每年1次，次年1月底前', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('disclosure', 'village_affairs', 'branch,general_branch', 'village,community', 'quarterly', 1, 10, 'high', '2000-01-01', '村务公开：至少每季度1次，季度结束后10日内', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('disclosure', 'finance_monthly', 'branch,general_branch', 'village,community', 'monthly', 1, 10, 'high', '2000-01-01', '财务公开（收支较多）：每月1次，次月10日前', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('disclosure', 'finance_quarterly', 'branch,general_branch', 'village,community', 'quarterly', 1, 10, 'high', '2000-01-01', '财务公开：至少每季度1次，季度结束后10日内', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('disclosure', 'finance_assets', 'branch,general_branch', 'village', 'yearly', 1, 31, 'medium', '2000-01-01', '集体资产资源：每年1次，次年1月底前', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

-- Orgs whose finances have many transactions: they disclose finances monthly.
CREATE TABLE disclosure_org_settings (
	org_id INTEGER PRIMARY KEY REFERENCES orgs(id),
	many_transactions INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1,
	updated_at TEXT NOT NULL
);

-- One disclosure: an org's catalogue item for one period ('2022-03',
-- '2022-Q1', '2022', or the event's date for event items).
CREATE TABLE disclosures (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	item TEXT NOT NULL,
	period TEXT NOT NULL,
	event_date TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX disclosures_org ON disclosures (org_id, item, period);

-- The versions of a disclosure. state: draft, submitted, checked (finance
-- group, 财务 only), reviewed (township), published, returned (with reasons).
-- A published version is never changed: a correction is a new version with
-- previous_id and correction_reason; when it is published the old one gets
-- superseded_by. finance: canonical JSON of the income and expense table
-- (fen). leaf_index: its leaf in the transparency log (dlog).
CREATE TABLE disclosure_versions (
	id INTEGER PRIMARY KEY,
	disclosure_id INTEGER NOT NULL REFERENCES disclosures(id),
	seq INTEGER NOT NULL,
	title TEXT NOT NULL,
	content TEXT NOT NULL DEFAULT '',
	finance TEXT,
	state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'submitted', 'checked', 'reviewed', 'published', 'returned')),
	return_reason TEXT,
	previous_id INTEGER REFERENCES disclosure_versions(id),
	correction_reason TEXT,
	superseded_by INTEGER REFERENCES disclosure_versions(id),
	submitted_at TEXT,
	submitted_by TEXT,
	checked_at TEXT,
	checked_by TEXT,
	reviewed_at TEXT,
	reviewed_by TEXT,
	published_at TEXT,
	published_on TEXT,
	published_by TEXT,
	leaf_index INTEGER,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (disclosure_id, seq)
);
CREATE INDEX disclosure_versions_state ON disclosure_versions (state, published_on);

-- A problem found: automatic (missing 应公开未公开, late, incomplete) when the
-- township dispatches it, manual by a discipline reviewer (fake 假公开, with
-- evidence) or from a resident's question (question). Each is a rectification
-- order with a deadline (立行立改): open -> done (or overdue once past it).
CREATE TABLE disclosure_findings (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	item TEXT NOT NULL,
	period TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('missing', 'late', 'incomplete', 'fake', 'question')),
	source TEXT NOT NULL CHECK (source IN ('auto', 'manual', 'public')),
	severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
	disclosure_id INTEGER REFERENCES disclosures(id),
	text TEXT NOT NULL,
	evidence TEXT NOT NULL DEFAULT '',
	found_on TEXT NOT NULL,
	found_by TEXT NOT NULL,
	deadline TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
	done_on TEXT,
	done_by TEXT,
	done_note TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX disclosure_findings_org ON disclosure_findings (org_id, status);

-- Accountability after a finding: talk 约谈, notice 通报, accountability 追责.
CREATE TABLE disclosure_accountability (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	finding_id INTEGER REFERENCES disclosure_findings(id),
	kind TEXT NOT NULL CHECK (kind IN ('talk', 'notice', 'accountability')),
	subject_person TEXT NOT NULL,
	done_by TEXT NOT NULL,
	done_on TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
CREATE INDEX disclosure_accountability_org ON disclosure_accountability (org_id);

-- A resident's question or report about a disclosure (no account, no name).
CREATE TABLE disclosure_questions (
	id INTEGER PRIMARY KEY,
	disclosure_id INTEGER NOT NULL REFERENCES disclosures(id),
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	text TEXT NOT NULL,
	finding_id INTEGER REFERENCES disclosure_findings(id),
	created_at TEXT NOT NULL
);

INSERT INTO dict_items (dict, code, label_zh, label_en, sort) VALUES
	('disclosure_affair', 'party', '党务', 'Party affairs', 1),
	('disclosure_affair', 'village', '村务', 'Village affairs', 2),
	('disclosure_affair', 'finance', '财务', 'Finances', 3);
