-- 0015_members: the member lifecycle: joining the Party (发展党员) as step definitions and
-- per-person records, Party dues (党费) as bracket rules, profiles, payments and reductions,
-- and transfers of membership (组织关系转接) with their approvals, plus floating members (流动党员).

-- The steps of joining, in order, as data a township may edit. Durations count
-- from the first record of step `after_step` ('' = none): the step may not come
-- before min_months + min_days after it, nor (when max_months or max_days is set)
-- later than that. `repeat_months` > 0: the step is repeated every that many
-- months while the person stays in the stage (the activist's assessments).
-- doc_required: the record needs an attached document. needs_meeting: a closed
-- branch assembly that voted with quorum. needs_people: the two people named
-- (contacts, introducers), full members. transition: the stage the person
-- enters when the step is recorded ('' = none); entering 'probationary' makes
-- the person 中共预备党员 and 'full' 中共党员 (people.political_status). `stage`
-- is the group the step is shown under (the five stages of the regulations).
-- upper: the level above decides it (pre-check, approvals), so recording it
-- needs member.approve on the org above the person's org.
CREATE TABLE join_steps (
	code TEXT PRIMARY KEY,
	seq INTEGER NOT NULL UNIQUE,
	stage TEXT NOT NULL CHECK (stage IN ('applicant', 'activist', 'candidate', 'probationary', 'full')),
	label TEXT NOT NULL,
	after_step TEXT NOT NULL DEFAULT '',
	min_months INTEGER NOT NULL DEFAULT 0,
	min_days INTEGER NOT NULL DEFAULT 0,
	max_months INTEGER NOT NULL DEFAULT 0,
	max_days INTEGER NOT NULL DEFAULT 0,
	repeat_months INTEGER NOT NULL DEFAULT 0,
	doc_required INTEGER NOT NULL DEFAULT 0,
	needs_meeting INTEGER NOT NULL DEFAULT 0,
	needs_people INTEGER NOT NULL DEFAULT 0,
	min_hours INTEGER NOT NULL DEFAULT 0,
	min_workdays INTEGER NOT NULL DEFAULT 0,
	transition TEXT NOT NULL DEFAULT '',
	rule TEXT NOT NULL DEFAULT '',
	upper INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1
);

INSERT INTO join_steps (code, seq, stage, label, after_step, min_months, min_days, max_months, max_days, repeat_months, doc_required, needs_meeting, needs_people, min_hours, min_workdays, transition, rule) VALUES
	('application', 1, 'applicant', '递交入党申请书', '', 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 'applicant', '年满18周岁方可申请入党'),
	('talk', 2, 'applicant', '党组织派人谈话', 'application', 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, '', '收到入党申请书后一个月内派人谈话'),
	('activist_chosen', 3, 'activist', '确定为入党积极分子', 'application', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'activist', '经党员推荐、群团组织推优，支部委员会研究确定'),
	('activist_filed', 4, 'activist', '报上级党委备案（积极分子）', 'activist_chosen', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '', '确定入党积极分子后报上级党委备案'),
	('contacts_assigned', 5, 'activist', '指定两名培养联系人', 'activist_chosen', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, '', '指定一至两名正式党员作培养联系人'),
	('assessment', 6, 'activist', '培养教育考察（每半年一次）', 'activist_chosen', 0, 0, 6, 0, 6, 0, 0, 0, 0, 0, '', '每半年对入党积极分子进行一次考察'),
	('candidate_chosen', 7, 'candidate', '确定为发展对象', 'activist_chosen', 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'candidate', '经过一年以上培养教育和考察方可确定为发展对象'),
	('candidate_filed', 8, 'candidate', '报上级党委备案（发展对象）', 'candidate_chosen', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '', '确定发展对象后报上级党委备案'),
	('political_review', 9, 'candidate', '政治审查', 'candidate_chosen', 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, '', '对发展对象进行政治审查并形成结论性材料'),
	('training', 10, 'candidate', '集中培训（不少于3天或24学时）', 'candidate_chosen', 0, 0, 0, 0, 0, 0, 0, 0, 24, 0, '', '发展对象集中培训时间一般不少于3天（或不少于24个学时）'),
	('committee_review', 11, 'probationary', '支部委员会审查', 'training', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '', '支部委员会对发展对象进行审查'),
	('precheck', 12, 'probationary', '上级党委预审', 'committee_review', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '', '报具有审批权限的基层党委预审'),
	('notice', 13, 'probationary', '公示（不少于5个工作日）', 'precheck', 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, '', '对发展对象进行公示，公示期不少于5个工作日'),
	('form', 14, 'probationary', '填写入党志愿书（两名入党介绍人）', 'notice', 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, '', '公示后填写入党志愿书，由两名正式党员作入党介绍人'),
	('assembly_vote', 15, 'probationary', '支部党员大会讨论接收为预备党员', 'precheck', 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, '', '支部党员大会讨论须有过半数有表决权的党员到会'),
	('upper_talk', 16, 'probationary', '上级党委派人谈话', 'assembly_vote', 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, '', '上级党委审批前派人谈话'),
	('upper_approval', 17, 'probationary', '上级党委审批', 'assembly_vote', 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 'probationary', '上级党委在支部大会通过后三个月内审批'),
	('oath', 18, 'probationary', '入党宣誓', 'upper_approval', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '', '预备党员面向党旗进行入党宣誓'),
	('full_application', 19, 'full', '提出转正申请', 'assembly_vote', 11, 0, 0, 0, 0, 1, 0, 0, 0, 0, '', '预备期满前（预备期一年）本人提出书面转正申请'),
	('full_vote', 20, 'full', '支部党员大会讨论转正', 'assembly_vote', 12, 0, 0, 0, 0, 0, 1, 0, 0, 0, '', '预备期满后及时讨论转正，须有过半数有表决权的党员到会'),
	('full_approval', 21, 'full', '上级党委审批转正', 'full_vote', 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 'full', '上级党委在三个月内审批'),
	('archived', 22, 'full', '入党材料归档', 'full_approval', 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, '', '入党材料及时归档');

-- One step done for one person, with its date, who did it and the documents
-- (attachments of owner kind 'join_record'). org_id: the person's org then.
-- Voided records (a mistake, with the reason) stay for the history.
CREATE TABLE join_records (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id),
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	step TEXT NOT NULL REFERENCES join_steps(code),
	done_on TEXT NOT NULL,
	end_on TEXT,
	hours INTEGER,
	meeting_id INTEGER REFERENCES meetings(id),
	person1_id INTEGER REFERENCES people(id),
	person2_id INTEGER REFERENCES people(id),
	done_by TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'voided')),
	void_reason TEXT,
	created_by INTEGER REFERENCES users(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX join_records_person ON join_records (person_id, step);
CREATE INDEX join_records_org ON join_records (org_id);

-- The one extension of probation a person may have (6 to 12 months).
CREATE TABLE join_extensions (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL UNIQUE REFERENCES people(id),
	months INTEGER NOT NULL CHECK (months BETWEEN 1 AND 24),
	decided_on TEXT NOT NULL,
	meeting_id INTEGER REFERENCES meetings(id),
	note TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users(id),
	created_at TEXT NOT NULL
);

INSERT INTO settings (key, value, updated_at) VALUES
	('member_join_min_age', '18', '2026-01-01T00:00:00Z'),
	('member_probation_months', '12', '2026-01-01T00:00:00Z'),
	('member_extension_min_months', '6', '2026-01-01T00:00:00Z'),
	('member_extension_max_months', '12', '2026-01-01T00:00:00Z'),
	('member_letter_valid_months', '3', '2026-01-01T00:00:00Z'),
	('member_letter_valid_months_cross', '6', '2026-01-01T00:00:00Z'),
	('member_transfer_stale_days', '30', '2026-01-01T00:00:00Z'),
	('dues_rounding_mode', 'half_up', '2026-01-01T00:00:00Z'),
	('dues_rounding_unit', '1', '2026-01-01T00:00:00Z'),
	('dues_back_max_months', '6', '2026-01-01T00:00:00Z');

-- Dues brackets: for a category, the first row (in sort order) whose up_to_fen
-- is NULL or >= the base applies: rate_bp (1/100 of a percent) of the base, or
-- fixed_fen when rate_bp is 0. Editable by township staff (version).
CREATE TABLE dues_rules (
	id INTEGER PRIMARY KEY,
	category TEXT NOT NULL,
	sort INTEGER NOT NULL,
	up_to_fen INTEGER,
	rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (rate_bp BETWEEN 0 AND 10000),
	fixed_fen INTEGER NOT NULL DEFAULT 0 CHECK (fixed_fen >= 0),
	version INTEGER NOT NULL DEFAULT 1,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX dues_rules_cat ON dues_rules (category, sort);

INSERT INTO dues_rules (category, sort, up_to_fen, rate_bp, fixed_fen, updated_at) VALUES
	('in_service', 1, 300000, 50, 0, '2026-01-01T00:00:00Z'),
	('in_service', 2, 500000, 100, 0, '2026-01-01T00:00:00Z'),
	('in_service', 3, 1000000, 150, 0, '2026-01-01T00:00:00Z'),
	('in_service', 4, NULL, 200, 0, '2026-01-01T00:00:00Z'),
	('retired', 1, 500000, 50, 0, '2026-01-01T00:00:00Z'),
	('retired', 2, NULL, 100, 0, '2026-01-01T00:00:00Z'),
	('farmer', 1, NULL, 0, 50, '2026-01-01T00:00:00Z'),
	('student', 1, NULL, 0, 20, '2026-01-01T00:00:00Z'),
	('unemployed', 1, NULL, 0, 20, '2026-01-01T00:00:00Z'),
	('relief', 1, NULL, 0, 20, '2026-01-01T00:00:00Z');

INSERT INTO dict_items (dict, code, label_zh, label_en, sort) VALUES
	('dues_category', 'in_service', '在职', 'In service', 1),
	('dues_category', 'retired', '离退休', 'Retired', 2),
	('dues_category', 'farmer', '农牧民', 'Farmer / herder', 3),
	('dues_category', 'student', '学生', 'Student', 4),
	('dues_category', 'unemployed', '下岗失业', 'Unemployed', 5),
	('dues_category', 'relief', '享受低保', 'On relief', 6),
	('dues_method', 'cash', '现金', 'Cash', 1),
	('dues_method', 'transfer', '银行转账', 'Bank transfer', 2),
	('dues_method', 'wechat', '微信', 'WeChat Pay', 3),
	('dues_method', 'alipay', '支付宝', 'Alipay', 4),
	('dues_method', 'payroll', '工资代扣', 'Payroll deduction', 5);

-- A person's dues category and base (monthly after-tax pay, encrypted with
-- field_encrypt; shown only with person.unmask), from from_month ('YYYY-MM').
-- monthly_fen is the amount the rules gave when the profile was set. One row
-- per person; each change is audited (the audit keeps the history).
CREATE TABLE dues_profiles (
	person_id INTEGER PRIMARY KEY REFERENCES people(id),
	category TEXT NOT NULL,
	base_enc TEXT,
	monthly_fen INTEGER NOT NULL CHECK (monthly_fen >= 0),
	from_month TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- A payment for one month. back = paid after that month ended (补缴).
-- Never deleted: a mistake is voided with its reason.
CREATE TABLE dues_payments (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id),
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	month TEXT NOT NULL,
	amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
	method TEXT NOT NULL,
	receipt_no TEXT NOT NULL DEFAULT '',
	paid_on TEXT NOT NULL,
	back INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'voided')),
	void_reason TEXT,
	created_by INTEGER REFERENCES users(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX dues_payments_month ON dues_payments (person_id, month) WHERE status = 'active';
CREATE INDEX dues_payments_org ON dues_payments (org_id, month);

-- A reduction or exemption (减免) of the monthly amount for months
-- [from_month, to_month], requested by the branch and decided by the level above.
CREATE TABLE dues_reductions (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id),
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	from_month TEXT NOT NULL,
	to_month TEXT NOT NULL,
	monthly_fen INTEGER NOT NULL CHECK (monthly_fen >= 0),
	reason TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'refused')),
	decided_by INTEGER REFERENCES users(id),
	decided_on TEXT,
	decision_note TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX dues_reductions_person ON dues_reductions (person_id);

-- Transfers of membership. kind: internal (between two orgs of this tree:
-- requested by the sending org, approved by each org above it up to the common
-- ancestor, accepted by the receiving org), out (a letter to a unit outside),
-- in (a letter from outside registered, accepted when the person is entered).
-- status: requested -> approved -> completed, or refused / cancelled.
CREATE TABLE member_transfers (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('internal', 'out', 'in')),
	person_id INTEGER REFERENCES people(id),
	person_name TEXT NOT NULL,
	from_org_id INTEGER REFERENCES orgs(id),
	to_org_id INTEGER REFERENCES orgs(id),
	ancestor_org_id INTEGER REFERENCES orgs(id),
	outside_unit TEXT NOT NULL DEFAULT '',
	letter_no TEXT,
	issued_on TEXT,
	valid_until TEXT,
	cross_province INTEGER NOT NULL DEFAULT 0,
	dues_paid_to TEXT,
	reason TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'completed', 'refused', 'cancelled')),
	requested_on TEXT NOT NULL,
	completed_on TEXT,
	note TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX member_transfers_from ON member_transfers (from_org_id, status);
CREATE INDEX member_transfers_to ON member_transfers (to_org_id, status);
CREATE UNIQUE INDEX member_transfers_letter ON member_transfers (letter_no);

-- The approvals of an internal transfer: one per org from the sending org's
-- parent up to the common ancestor, in order (seq 1 = the lowest).
CREATE TABLE transfer_approvals (
	id INTEGER PRIMARY KEY,
	transfer_id INTEGER NOT NULL REFERENCES member_transfers(id),
	seq INTEGER NOT NULL,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	decision TEXT CHECK (decision IN ('approved', 'refused')),
	decided_by INTEGER REFERENCES users(id),
	decided_on TEXT,
	note TEXT NOT NULL DEFAULT '',
	UNIQUE (transfer_id, seq)
);

-- Floating members (流动党员): out = one of ours away (place, unit, contact);
-- in = a member from elsewhere taking part in our branch (person_id when entered).
CREATE TABLE floating_members (
	id INTEGER PRIMARY KEY,
	direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	person_id INTEGER REFERENCES people(id),
	name TEXT NOT NULL,
	place TEXT NOT NULL DEFAULT '',
	unit TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	from_date TEXT NOT NULL,
	to_date TEXT,
	note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX floating_members_org ON floating_members (org_id, status);

UPDATE join_steps SET upper = 1 WHERE code IN ('precheck', 'upper_approval', 'full_approval');
