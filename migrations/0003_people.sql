-- 0003_people: people, their positions in the leadership team (两委) and dated flags,
-- and the dictionaries they use. ID numbers and phones are stored encrypted
-- (field_encrypt), with a blind index for uniqueness and a masked copy for lists.

-- Dictionary items may carry tags (comma-separated), e.g. 'two_committees' on the
-- positions that make up the branch committee and the village/residents' committee.
ALTER TABLE dict_items ADD COLUMN tags TEXT NOT NULL DEFAULT '';

CREATE TABLE people (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
	ethnicity TEXT NOT NULL,
	birth_date TEXT NOT NULL,
	id_number_enc TEXT,
	id_number_bidx TEXT UNIQUE,
	id_number_masked TEXT,
	phone_enc TEXT,
	phone_masked TEXT,
	education TEXT,
	political_status TEXT NOT NULL,
	joined_on TEXT,
	full_member_on TEXT,
	photo TEXT,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
	archived_reason TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX people_org ON people (org_id);
CREATE INDEX people_name ON people (name);
CREATE INDEX people_birth ON people (birth_date);

-- A post held from started_on to ended_on (NULL = still held), so the team on
-- any past date can be rebuilt.
CREATE TABLE positions (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id),
	org_id INTEGER NOT NULL REFERENCES orgs(id),
	title TEXT NOT NULL,
	started_on TEXT NOT NULL,
	ended_on TEXT,
	note TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX positions_person ON positions (person_id);
CREATE INDEX positions_org ON positions (org_id);

-- Dated flags: selected graduate (选调生, with the post held), returned graduate
-- (回村任职大学生), reserve cadre (后备干部).
CREATE TABLE person_flags (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id),
	flag TEXT NOT NULL,
	started_on TEXT NOT NULL,
	ended_on TEXT,
	post TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX person_flags_person ON person_flags (person_id);
CREATE INDEX person_flags_flag ON person_flags (flag);

INSERT INTO dict_items (dict, code, label_zh, label_en, sort) VALUES
	('gender', 'male', '男', 'Male', 1),
	('gender', 'female', '女', 'Female', 2),
	('education', 'postgraduate', '研究生', 'Postgraduate', 1),
	('education', 'bachelor', '大学本科', 'Bachelor', 2),
	('education', 'college', '大学专科', 'College (dazhuan)', 3),
	('education', 'technical', '中等专科', 'Technical secondary', 4),
	('education', 'high_school', '高中', 'High school', 5),
	('education', 'junior_or_below', '初中及以下', 'Junior high or below', 6),
	('political_status', 'member', '中共党员', 'CPC member', 1),
	('political_status', 'probationary', '中共预备党员', 'Probationary CPC member', 2),
	('political_status', 'league', '共青团员', 'CYL member', 3),
	('political_status', 'masses', '群众', 'No party affiliation', 4),
	('political_status', 'other_party', '民主党派', 'Democratic party member', 5),
	('person_flag', 'selected_graduate', '选调生', 'Selected graduate', 1),
	('person_flag', 'returned_graduate', '回村任职大学生', 'Graduate returned to the village', 2),
	('person_flag', 'reserve_cadre', '后备干部', 'Reserve cadre', 3);

INSERT INTO dict_items (dict, code, label_zh, label_en, sort, tags) VALUES
	('position', 'party_secretary', '党支部书记', 'Branch secretary', 1, 'two_committees,party_committee'),
	('position', 'party_deputy', '党支部副书记', 'Deputy branch secretary', 2, 'two_committees,party_committee'),
	('position', 'party_member', '党支部委员', 'Branch committee member', 3, 'two_committees,party_committee'),
	('position', 'committee_director', '村(居)委会主任', 'Village/residents committee director', 4, 'two_committees,village_committee'),
	('position', 'committee_deputy', '村(居)委会副主任', 'Village/residents committee deputy director', 5, 'two_committees,village_committee'),
	('position', 'committee_member', '村(居)委会委员', 'Village/residents committee member', 6, 'two_committees,village_committee'),
	('position', 'secretary_assistant', '村(居)书记助理', 'Assistant to the secretary', 7, ''),
	('position', 'group_leader', '党小组组长', 'Party group leader', 8, '');

-- The 56 ethnic groups (GB 3304 codes as labels' order).
INSERT INTO dict_items (dict, code, label_zh, label_en, sort) VALUES
	('ethnicity', '01', '汉族', 'Han', 1), ('ethnicity', '02', '蒙古族', 'Mongol', 2),
	('ethnicity', '03', '回族', 'Hui', 3), ('ethnicity', '04', '藏族', 'Tibetan', 4),
	('ethnicity', '05', '维吾尔族', 'Uyghur', 5), ('ethnicity', '06', '苗族', 'Miao', 6),
	('ethnicity', '07', '彝族', 'Yi', 7), ('ethnicity', '08', '壮族', 'Zhuang', 8),
	('ethnicity', '09', '布依族', 'Bouyei', 9), ('ethnicity', '10', '朝鲜族', 'Korean', 10),
	('ethnicity', '11', '满族', 'Manchu', 11), ('ethnicity', '12', '侗族', 'Dong', 12),
	('ethnicity', '13', '瑶族', 'Yao', 13), ('ethnicity', '14', '白族', 'Bai', 14),
	('ethnicity', '15', '土家族', 'Tujia', 15), ('ethnicity', '16', '哈尼族', 'Hani', 16),
	('ethnicity', '17', '哈萨克族', 'Kazakh', 17), ('ethnicity', '18', '傣族', 'Dai', 18),
	('ethnicity', '19', '黎族', 'Li', 19), ('ethnicity', '20', '傈僳族', 'Lisu', 20),
	('ethnicity', '21', '佤族', 'Va', 21), ('ethnicity', '22', '畲族', 'She', 22),
	('ethnicity', '23', '高山族', 'Gaoshan', 23), ('ethnicity', '24', '拉祜族', 'Lahu', 24),
	('ethnicity', '25', '水族', 'Sui', 25), ('ethnicity', '26', '东乡族', 'Dongxiang', 26),
	('ethnicity', '27', '纳西族', 'Naxi', 27), ('ethnicity', '28', '景颇族', 'Jingpo', 28),
	('ethnicity', '29', '柯尔克孜族', 'Kyrgyz', 29), ('ethnicity', '30', '土族', 'Tu', 30),
	('ethnicity', '31', '达斡尔族', 'Daur', 31), ('ethnicity', '32', '仫佬族', 'Mulao', 32),
	('ethnicity', '33', '羌族', 'Qiang', 33), ('ethnicity', '34', '布朗族', 'Blang', 34),
	('ethnicity', '35', '撒拉族', 'Salar', 35), ('ethnicity', '36', '毛南族', 'Maonan', 36),
	('ethnicity', '37', '仡佬族', 'Gelao', 37), ('ethnicity', '38', '锡伯族', 'Xibe', 38),
	('ethnicity', '39', '阿昌族', 'Achang', 39), ('ethnicity', '40', '普米族', 'Pumi', 40),
	('ethnicity', '41', '塔吉克族', 'Tajik', 41), ('ethnicity', '42', '怒族', 'Nu', 42),
	('ethnicity', '43', '乌孜别克族', 'Uzbek', 43), ('ethnicity', '44', '俄罗斯族', 'Russian', 44),
	('ethnicity', '45', '鄂温克族', 'Evenki', 45), ('ethnicity', '46', '德昂族', 'Deang', 46),
	('ethnicity', '47', '保安族', 'Bonan', 47), ('ethnicity', '48', '裕固族', 'Yugur', 48),
	('ethnicity', '49', '京族', 'Gin', 49), ('ethnicity', '50', '塔塔尔族', 'Tatar', 50),
	('ethnicity', '51', '独龙族', 'Derung', 51), ('ethnicity', '52', '鄂伦春族', 'Oroqen', 52),
	('ethnicity', '53', '赫哲族', 'Hezhen', 53), ('ethnicity', '54', '门巴族', 'Monba', 54),
	('ethnicity', '55', '珞巴族', 'Lhoba', 55), ('ethnicity', '56', '基诺族', 'Jino', 56);
