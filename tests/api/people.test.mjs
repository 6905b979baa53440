// people.test.mjs - people, positions, flags, masking and unmasking, scope, the list, counts and team structure; dictionary writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, userClient } from './lib.mjs';

const CHINESE = /[\u4e00-\u9fa5]/;

/** A valid 18-character ID number (GB 11643) for a birth date and sex; `seq` keeps them apart. */
function idnum(birth, male, seq, region = '110101') {
	const n = (seq % 499) * 2 + (male ? 1 : 0);
	const body = region + birth.replaceAll('-', '') + String(n).padStart(3, '0');
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
	return body + '10X98765432'[sum % 11];
}

/** An ID number whose check character is X, for the lower-case x case. */
function idnumX(birth, male) {
	for (let seq = 1; seq < 499; seq++) {
		const id = idnum(birth, male, seq, '110102');
		if (id.endsWith('X')) return id;
	}
	throw new Error('no X');
}

/** The same number with its check character replaced by a wrong one. */
function badCheck(id) {
	const c = id[17] === '0' ? '1' : '0';
	return id.slice(0, 17) + c;
}

let srv, staff, secA, secB, reviewer, admin;
let root, branchA, branchB, seq = 100;

const rows = (table) => Number(srv.sql(`SELECT COUNT(*) FROM ${table}`));
const snapshot = () => ({ people: rows('people'), positions: rows('positions'), flags: rows('person_flags'), audit: rows('audit_log') });

function person(org, over = {}) {
	const birth = over.birth_date || '1985-06-01';
	const male = (over.gender || 'male') === 'male';
	return {
		org_id: org, name: '测试人员', gender: 'male', ethnicity: '01', birth_date: birth,
		id_number: idnum(birth, male, seq++), phone: '13812345678', education: 'bachelor',
		political_status: 'member', joined_on: '2010-07-01', full_member_on: '2011-07-01',
		...over,
	};
}

async function create(client, org, over) {
	const r = await client.post('/api/v1/people', person(org, over));
	assert.equal(r.status, 201, r.text);
	return r.body;
}

before(async () => {
	srv = await startServer();
	admin = await adminClient(srv);
	staff = await userClient(srv, 'township', 1, ['staff@1']);
	root = 1;
	branchA = (await staff.post('/api/v1/orgs', { parent_id: 1, name: '东村党支部', kind: 'branch', category: 'village' })).body.id;
	branchB = (await staff.post('/api/v1/orgs', { parent_id: 1, name: '西村党支部', kind: 'branch', category: 'village' })).body.id;
	secA = await userClient(srv, 'seca', branchA, [`secretary@${branchA}`]);
	secB = await userClient(srv, 'secb', branchB, [`secretary@${branchB}`]);
	reviewer = await userClient(srv, 'reviewer', 1, ['discipline@1']);
});
after(async () => { await srv.stop(); });

// ---------------------------------------------------------------- validation

test('every bad field is named in one 400, in Chinese, and nothing is written', async () => {
	const before = snapshot();
	const r = await staff.post('/api/v1/people', {
		org_id: 999999, name: '', gender: 'x', ethnicity: '99', birth_date: '2099-01-01',
		id_number: badCheck(idnum('1985-06-01', true, 7)), phone: '123', education: 'phd', political_status: 'king',
		joined_on: 'yesterday', full_member_on: '2020-02-30', nickname: '小王',
	});
	assert.equal(r.status, 400, r.text);
	assert.equal(r.body.error.code, 'validation_failed');
	const f = r.body.error.fields;
	for (const k of ['org_id', 'name', 'gender', 'ethnicity', 'birth_date', 'id_number', 'phone',
		'education', 'political_status', 'joined_on', 'full_member_on', 'nickname'])
		assert.ok(f[k] && CHINESE.test(f[k]), `${k} named in Chinese: ${r.text}`);
	assert.deepEqual(snapshot(), before);

	const missing = await staff.post('/api/v1/people', {});
	assert.equal(missing.status, 400);
	for (const k of ['org_id', 'name', 'gender', 'ethnicity', 'birth_date', 'political_status'])
		assert.ok(missing.body.error.fields[k], `${k} required`);
	assert.deepEqual(snapshot(), before);
});

test('each rule on its own: 400 naming the field, nothing written', async () => {
	const id = idnum('1985-06-01', true, 1);
	const cases = [
		[{ id_number: badCheck(id) }, 'id_number', /校验位/],
		[{ id_number: idnum('1985-06-02', true, 2) }, 'id_number', /出生日期与出生日期不一致/],
		[{ id_number: idnum('1985-06-01', false, 3) }, 'id_number', /性别/],
		[{ id_number: '11010119850601001' }, 'id_number', /18位/],
		[{ birth_date: '2099-01-01', id_number: null }, 'birth_date', /不能晚于今天/],
		[{ birth_date: '1899-12-31', id_number: null }, 'birth_date', /有效日期/],
		[{ birth_date: '1985-02-30', id_number: null }, 'birth_date', /有效日期/],
		[{ joined_on: '2003-05-31', full_member_on: null }, 'joined_on', /18周岁/],
		[{ joined_on: '2099-01-01', full_member_on: null }, 'joined_on', /不能晚于今天/],
		[{ full_member_on: '2009-01-01' }, 'full_member_on', /不能早于入党日期/],
		[{ full_member_on: '2099-01-01' }, 'full_member_on', /不能晚于今天/],
		[{ political_status: 'probationary' }, 'full_member_on', /正式党员/],
		[{ political_status: 'masses', full_member_on: null }, 'joined_on', /党员/],
		[{ joined_on: null }, 'full_member_on', /入党日期/],
		[{ ethnicity: '57' }, 'ethnicity', /不在字典/],
		[{ education: 'doctor' }, 'education', /不在字典/],
		[{ political_status: 'king' }, 'political_status', /不在字典/],
		[{ gender: 'other' }, 'gender', /male/],
		[{ name: '张'.repeat(31) }, 'name', /30/],
		[{ name: '   ' }, 'name', /不能为空/],
		[{ phone: '1381234567' }, 'phone', /11位/],
		[{ phone: 'abc' }, 'phone', /格式/],
		[{ org_id: branchA, org: 1 }, 'org', /未知字段/],
		[{ name: 42 }, 'name', /字符串/],
	];
	for (const [over, field, msg] of cases) {
		const before = snapshot();
		const r = await staff.post('/api/v1/people', person(branchA, { id_number: id, ...over }));
		assert.equal(r.status, 400, `${JSON.stringify(over)}: ${r.text}`);
		assert.match(r.body.error.fields[field] || '', msg, `${JSON.stringify(over)}: ${r.text}`);
		assert.match(r.body.error.fields[field], CHINESE);
		assert.deepEqual(snapshot(), before, `nothing written for ${JSON.stringify(over)}`);
	}
	// joined exactly on the 18th birthday is fine
	const ok = await staff.post('/api/v1/people', person(branchA, { birth_date: '1985-06-01', joined_on: '2003-06-01', full_member_on: '2004-06-01' }));
	assert.equal(ok.status, 201, ok.text);
});

// ---------------------------------------------------------------- trimming, masking, unmasking

test('input is trimmed; ID number and phone are masked everywhere but /unmask, and never stored or audited in plain', async () => {
	const plain = idnumX('1979-11-23', false);
	const r = await staff.post('/api/v1/people', person(branchA, {
		name: '  李秀英\u3000', gender: 'female', birth_date: '1979-11-23', id_number: ` ${plain.toLowerCase()} `,
		phone: ' 13987654321 ', joined_on: '2001-07-01', full_member_on: '2002-07-01',
	}));
	assert.equal(r.status, 201, r.text);
	const p = r.body;
	assert.equal(p.name, '李秀英');
	assert.equal(p.id_number_masked, plain.slice(0, 4) + '*'.repeat(10) + plain.slice(14));
	assert.ok(p.id_number_masked.endsWith('X'));
	assert.equal(p.phone_masked, '139****4321');
	assert.equal(p.gender_label, '女');
	assert.equal(p.ethnicity_label, '汉族');
	assert.equal(p.education_label, '大学本科');
	assert.equal(p.political_status_label, '中共党员');
	assert.equal(p.org_name, '东村党支部');
	assert.equal(typeof p.age, 'number');
	assert.equal(p.status, 'active');
	assert.deepEqual(p.positions, []);
	assert.deepEqual(p.flags, []);

	const upd = await staff.put(`/api/v1/people/${p.id}`, { ...person(branchA, { name: '李秀英', gender: 'female', birth_date: '1979-11-23', joined_on: '2001-07-01', full_member_on: '2002-07-01' }), id_number: undefined, phone: undefined, version: p.version, education: 'college' });
	assert.equal(upd.status, 200, upd.text);
	assert.equal(upd.body.id_number_masked, p.id_number_masked, 'omitted ID number is kept');
	assert.equal(upd.body.phone_masked, '139****4321', 'omitted phone is kept');

	const views = [
		(await staff.get(`/api/v1/people/${p.id}`)).text,
		(await staff.get('/api/v1/people?page_size=200&status=all')).text,
		(await staff.get(`/api/v1/people/${p.id}/history`)).text,
		(await staff.get(`/api/v1/people?q=${plain}`)).text,
	];
	const secrets = [plain, plain.toLowerCase(), '13987654321'];
	for (const v of views)
		for (const s of secrets) assert.ok(!v.includes(s), `plain value in a response: ${s}`);
	const table = srv.sql(`SELECT * FROM people WHERE id = ${p.id}`);
	const audit = srv.sql('SELECT * FROM audit_log');
	for (const s of secrets) {
		assert.ok(!table.includes(s), 'plain value in the people table');
		assert.ok(!audit.includes(s), 'plain value in the audit table');
	}
	// the ID-number search finds exactly that person, by its blind index
	const found = await staff.get(`/api/v1/people?q=${plain.toLowerCase()}`);
	assert.deepEqual(found.body.items.map((x) => x.id), [p.id]);
});

test('unmask needs a reason and the permission, is audited with the reason and never the value', async () => {
	const plain = idnum('1990-01-15', true, seq++);
	const p = await create(staff, branchA, { birth_date: '1990-01-15', id_number: plain, phone: '0471-6543210', joined_on: '2012-07-01', full_member_on: '2013-07-01' });
	assert.equal(p.phone_masked, '047*****3210');
	const before = snapshot();
	for (const body of [{ fields: ['id_number'] }, { reason: '查', fields: ['id_number'] }, { reason: '核对身份', fields: [] },
		{ reason: '核对身份', fields: ['address'] }, { reason: '核对身份', fields: ['phone', 'phone'] }, { reason: '核对身份' },
		{ reason: '核对身份', fields: ['phone'], extra: 1 }]) {
		const r = await staff.post(`/api/v1/people/${p.id}/unmask`, body);
		assert.equal(r.status, 400, JSON.stringify(body));
		assert.ok(Object.keys(r.body.error.fields).length > 0);
	}
	assert.deepEqual(snapshot(), before, 'a refused unmask writes nothing');

	const r = await staff.post(`/api/v1/people/${p.id}/unmask`, { reason: '  办理组织关系转接  ', fields: ['id_number', 'phone'] });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.body, { id_number: plain, phone: '0471-6543210' });
	const only = await staff.post(`/api/v1/people/${p.id}/unmask`, { reason: '电话回访', fields: ['phone'] });
	assert.deepEqual(only.body, { phone: '0471-6543210' });

	const rows = srv.sql(`SELECT action || '|' || after_json FROM audit_log WHERE entity = 'person' AND entity_id = ${p.id} AND action = 'unmask' ORDER BY seq`).split('\n');
	assert.equal(rows.length, 2);
	const first = JSON.parse(rows[0].slice('unmask|'.length));
	assert.deepEqual(first, { fields: ['id_number', 'phone'], reason: '办理组织关系转接' });
	assert.ok(!srv.sql('SELECT * FROM audit_log').includes(plain));
	assert.ok(!srv.sql('SELECT * FROM audit_log').includes('6543210'));
	const hist = (await staff.get(`/api/v1/people/${p.id}/history`)).body.items;
	assert.equal(hist[0].action, 'unmask');
	assert.equal(hist[0].username, 'township');
	assert.equal(hist[0].after.reason, '电话回访');

	// the discipline reviewer reads but may not unmask; the detail says so
	const seen = await reviewer.get(`/api/v1/people/${p.id}`);
	assert.equal(seen.status, 200);
	assert.equal(seen.body.can_unmask, false);
	assert.equal((await staff.get(`/api/v1/people/${p.id}`)).body.can_unmask, true);
	assert.equal((await reviewer.post(`/api/v1/people/${p.id}/unmask`, { reason: '审核', fields: ['id_number'] })).status, 403);
	// a secretary of another branch gets 404, the own branch's secretary may unmask
	assert.equal((await secB.post(`/api/v1/people/${p.id}/unmask`, { reason: '核对身份', fields: ['id_number'] })).status, 404);
	const own = await secA.post(`/api/v1/people/${p.id}/unmask`, { reason: '核对身份', fields: ['id_number'] });
	assert.equal(own.status, 200);
	assert.equal(own.body.id_number, plain);
	// a person without a phone reveals null
	const nophone = await create(staff, branchA, { birth_date: '1991-02-02', phone: null, joined_on: '2012-07-01', full_member_on: '2013-07-01' });
	assert.equal(nophone.phone_masked, null);
	assert.deepEqual((await staff.post(`/api/v1/people/${nophone.id}/unmask`, { reason: '核对', fields: ['phone'] })).body, { phone: null });
});

// ---------------------------------------------------------------- scope and permissions

test('a secretary sees and changes only the own branch; administrators see no people', async () => {
	const a = await create(secA, branchA, { name: '东村人' });
	const b = await create(secB, branchB, { name: '西村人' });
	let r = await secA.get('/api/v1/people?page_size=200');
	assert.equal(r.status, 200);
	assert.ok(r.body.items.every((x) => x.org_id === branchA));
	assert.ok(r.body.items.some((x) => x.id === a.id));
	for (const path of [`/api/v1/people/${b.id}`, `/api/v1/people/${b.id}/history`])
		assert.equal((await secA.get(path)).status, 404, path);
	assert.equal((await secA.put(`/api/v1/people/${b.id}`, { ...person(branchB), version: b.version })).status, 404);
	assert.equal((await secA.post(`/api/v1/people/${b.id}/archive`, { version: b.version, reason: '迁出' })).status, 404);
	assert.equal((await secA.post(`/api/v1/people/${b.id}/positions`, { org_id: branchA, title: 'party_member', started_on: '2020-01-01' })).status, 404);
	assert.equal((await secA.get(`/api/v1/people?org=${branchB}`)).status, 404);
	assert.equal((await secA.get(`/api/v1/people/structure?org=${branchB}`)).status, 404);
	r = await secA.post('/api/v1/people', person(branchB));
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.org_id);
	r = await secA.get('/api/v1/people/counts');
	assert.deepEqual(r.body.items.map((x) => x.org_id), [branchA]);
	// a reviewer reads everything but writes nothing
	assert.equal((await reviewer.get(`/api/v1/people/${b.id}`)).status, 200);
	assert.equal((await reviewer.post('/api/v1/people', person(branchB))).status, 403);
	// the administrators have no person actions at all
	assert.equal((await admin.get('/api/v1/people')).status, 403);
	assert.equal((await admin.get(`/api/v1/people/${a.id}`)).status, 403);
	assert.equal((await staff.get('/api/v1/people/0')).status, 404);
	assert.equal((await staff.get('/api/v1/people/abc')).status, 404);
});

// ---------------------------------------------------------------- updates

test('duplicate ID numbers are refused, on create and on update', async () => {
	const id = idnum('1970-03-03', true, seq++);
	const p = await create(staff, branchA, { birth_date: '1970-03-03', id_number: id });
	const before = snapshot();
	let r = await staff.post('/api/v1/people', person(branchB, { birth_date: '1970-03-03', id_number: id }));
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.id_number, '该身份证号已登记');
	assert.deepEqual(snapshot(), before);
	const q = await create(staff, branchA, { birth_date: '1970-03-03' });
	r = await staff.put(`/api/v1/people/${q.id}`, { ...person(branchA, { birth_date: '1970-03-03', id_number: id }), version: q.version });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.id_number, '该身份证号已登记');
	// saving one's own number again is not a duplicate
	r = await staff.put(`/api/v1/people/${p.id}`, { ...person(branchA, { birth_date: '1970-03-03', id_number: id.toLowerCase() }), version: p.version });
	assert.equal(r.status, 200, r.text);
});

test('updates state the version read; a stale one answers 409 with the current row; null clears, a value replaces', async () => {
	const p = await create(staff, branchA, { name: '王建国', birth_date: '1968-08-08' });
	const body = person(branchA, { name: '王建国', birth_date: '1968-08-08' });
	delete body.id_number;
	delete body.phone;
	let r = await staff.put(`/api/v1/people/${p.id}`, { ...body, name: '王建军', version: p.version });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.name, '王建军');
	assert.equal(r.body.version, p.version + 1);
	assert.equal(r.body.id_number_masked, p.id_number_masked);

	const before = snapshot();
	r = await staff.put(`/api/v1/people/${p.id}`, { ...body, name: '王老三', version: p.version });
	assert.equal(r.status, 409);
	assert.equal(r.body.error.code, 'conflict');
	assert.equal(r.body.error.current.name, '王建军');
	assert.equal(r.body.error.current.version, p.version + 1);
	assert.ok(!('id_number' in r.body.error.current));
	assert.deepEqual(snapshot(), before);

	// the kept ID number must still agree with a changed birth date / gender
	r = await staff.put(`/api/v1/people/${p.id}`, { ...body, birth_date: '1968-08-09', version: p.version + 1 });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.birth_date, /身份证号/);
	r = await staff.put(`/api/v1/people/${p.id}`, { ...body, gender: 'female', version: p.version + 1 });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.gender, /身份证号/);
	r = await staff.put(`/api/v1/people/${p.id}`, { ...body, version: p.version + 1, surname: '王' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.surname);
	r = await staff.put(`/api/v1/people/${p.id}`, { ...body });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.version);

	r = await staff.put(`/api/v1/people/${p.id}`, { ...body, version: p.version + 1, id_number: null, phone: null });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.id_number_masked, null);
	assert.equal(r.body.phone_masked, null);
	assert.equal(srv.sql(`SELECT COUNT(*) FROM people WHERE id = ${p.id} AND id_number_enc IS NULL AND id_number_bidx IS NULL AND phone_enc IS NULL`), '1');
	// now the birth date may change freely, and a new number replaces
	const newId = idnum('1968-08-09', true, seq++);
	r = await staff.put(`/api/v1/people/${p.id}`, { ...body, birth_date: '1968-08-09', version: p.version + 2, id_number: newId, phone: '13700001111' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.id_number_masked, newId.slice(0, 4) + '**********' + newId.slice(14));
	assert.equal(r.body.phone_masked, '137****1111');
	const hist = (await staff.get(`/api/v1/people/${p.id}/history`)).body.items;
	assert.deepEqual(hist.map((h) => h.action), ['update', 'update', 'update', 'create']);
	assert.equal(hist[0].before.id_number_masked, null);
	assert.equal(hist[0].after.phone_masked, '137****1111');
	assert.ok(!JSON.stringify(hist).includes(newId));
});

test('archive needs a reason, restore brings a person back; archived people are not edited and never deleted', async () => {
	const p = await create(staff, branchA, { name: '赵归档' });
	let r = await staff.post(`/api/v1/people/${p.id}/archive`, { version: p.version });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.reason);
	r = await staff.post(`/api/v1/people/${p.id}/archive`, { version: p.version + 5, reason: '迁出' });
	assert.equal(r.status, 409);
	assert.equal(r.body.error.current.status, 'active');
	r = await staff.post(`/api/v1/people/${p.id}/archive`, { version: p.version, reason: ' 组织关系转出 ' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.status, 'archived');
	assert.equal(r.body.archived_reason, '组织关系转出');
	const v = r.body.version;
	assert.equal((await staff.post(`/api/v1/people/${p.id}/archive`, { version: v, reason: '再次' })).status, 409);
	assert.equal((await staff.put(`/api/v1/people/${p.id}`, { ...person(branchA), version: v })).status, 409);
	assert.equal((await staff.post(`/api/v1/people/${p.id}/flags`, { flag: 'reserve_cadre', started_on: '2020-01-01' })).status, 409);
	let list = await staff.get('/api/v1/people?q=赵归档');
	assert.equal(list.body.total, 0);
	list = await staff.get('/api/v1/people?q=赵归档&status=archived');
	assert.deepEqual(list.body.items.map((x) => x.id), [p.id]);
	list = await staff.get('/api/v1/people?q=赵归档&status=all');
	assert.equal(list.body.total, 1);
	assert.equal((await staff.get(`/api/v1/people/${p.id}`)).status, 200);
	r = await staff.post(`/api/v1/people/${p.id}/restore`, { version: v - 1 });
	assert.equal(r.status, 409);
	r = await staff.post(`/api/v1/people/${p.id}/restore`, { version: v });
	assert.equal(r.status, 200);
	assert.equal(r.body.status, 'active');
	assert.equal(r.body.archived_reason, null);
	assert.equal((await staff.post(`/api/v1/people/${p.id}/restore`, { version: r.body.version })).status, 409);
	const hist = (await staff.get(`/api/v1/people/${p.id}/history`)).body.items.map((h) => h.action);
	assert.deepEqual(hist, ['restore', 'archive', 'create']);
});

// ---------------------------------------------------------------- positions and flags

test('positions and flags keep their history with dates; the list shows those held on as_of', async () => {
	const p = await create(staff, branchA, { name: '钱任职', birth_date: '1980-04-04' });
	const before = snapshot();
	const bad = [
		[{ org_id: branchA, title: 'king', started_on: '2015-01-01' }, 'title'],
		[{ org_id: branchA, title: 'party_member', started_on: '2015-01-01', ended_on: '2014-12-31' }, 'ended_on'],
		[{ org_id: branchA, title: 'party_member', started_on: '1997-01-01' }, 'started_on'],
		[{ org_id: branchA, title: 'party_member', started_on: '2099-01-01' }, 'started_on'],
		[{ org_id: 999999, title: 'party_member', started_on: '2015-01-01' }, 'org_id'],
		[{ org_id: branchA, title: 'party_member' }, 'started_on'],
		[{ org_id: branchA, title: 'party_member', started_on: '2015-01-01', boss: 1 }, 'boss'],
	];
	for (const [body, field] of bad) {
		const r = await staff.post(`/api/v1/people/${p.id}/positions`, body);
		assert.equal(r.status, 400, JSON.stringify(body));
		assert.ok(r.body.error.fields[field], `${field}: ${r.text}`);
	}
	// a secretary cannot put a post in another branch
	let r = await secA.post(`/api/v1/people/${p.id}/positions`, { org_id: branchB, title: 'party_member', started_on: '2015-01-01' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.org_id);
	assert.deepEqual(snapshot(), before);

	r = await staff.post(`/api/v1/people/${p.id}/positions`, { org_id: branchA, title: 'party_member', started_on: '2015-01-01', note: ' 换届选举 ' });
	assert.equal(r.status, 201, r.text);
	const member = r.body;
	assert.equal(member.title_label, '党支部委员');
	assert.equal(member.two_committees, true);
	assert.equal(member.note, '换届选举');
	assert.equal(member.org_name, '东村党支部');
	r = await staff.put(`/api/v1/positions/${member.id}`, { version: member.version, org_id: branchA, title: 'party_member', started_on: '2015-01-01', ended_on: '2020-12-31' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.ended_on, '2020-12-31');
	r = await staff.put(`/api/v1/positions/${member.id}`, { version: member.version, org_id: branchA, title: 'party_deputy', started_on: '2015-01-01' });
	assert.equal(r.status, 409);
	assert.equal(r.body.error.current.ended_on, '2020-12-31');
	r = await staff.post(`/api/v1/people/${p.id}/positions`, { org_id: branchA, title: 'party_secretary', started_on: '2021-01-01' });
	assert.equal(r.status, 201);
	r = await staff.post(`/api/v1/people/${p.id}/positions`, { org_id: branchA, title: 'group_leader', started_on: '2016-01-01' });
	assert.equal(r.body.two_committees, false);

	// flags
	for (const [body, field] of [
		[{ flag: 'hero', started_on: '2019-01-01' }, 'flag'],
		[{ flag: 'reserve_cadre', started_on: '2019-01-01', post: '村委会副主任' }, 'post'],
		[{ flag: 'reserve_cadre', started_on: '1970-01-01' }, 'started_on'],
		[{ flag: 'reserve_cadre', started_on: '2019-01-01', ended_on: '2018-01-01' }, 'ended_on'],
	]) {
		r = await staff.post(`/api/v1/people/${p.id}/flags`, body);
		assert.equal(r.status, 400, JSON.stringify(body));
		assert.ok(r.body.error.fields[field], r.text);
	}
	r = await staff.post(`/api/v1/people/${p.id}/flags`, { flag: 'selected_graduate', started_on: '2018-07-01', ended_on: '2021-06-30', post: '村委会副主任' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.body.flag_label, '选调生');
	assert.equal(r.body.post, '村委会副主任');
	const sg = r.body;
	r = await staff.post(`/api/v1/people/${p.id}/flags`, { flag: 'selected_graduate', started_on: '2020-01-01' });
	assert.equal(r.status, 400, 'overlapping period of the same flag');
	r = await staff.post(`/api/v1/people/${p.id}/flags`, { flag: 'reserve_cadre', started_on: '2019-01-01' });
	assert.equal(r.status, 201);
	r = await staff.put(`/api/v1/flags/${sg.id}`, { version: sg.version, flag: 'selected_graduate', started_on: '2018-07-01', ended_on: '2021-07-31', post: '村委会副主任' });
	assert.equal(r.status, 200, r.text);
	r = await staff.put(`/api/v1/flags/${sg.id}`, { version: sg.version, flag: 'selected_graduate', started_on: '2018-07-01' });
	assert.equal(r.status, 409);
	assert.equal(r.body.error.current.ended_on, '2021-07-31');
	assert.equal((await secB.put(`/api/v1/flags/${sg.id}`, { version: 2, flag: 'selected_graduate', started_on: '2018-07-01' })).status, 404);
	assert.equal((await secB.put(`/api/v1/positions/${member.id}`, { version: 2, org_id: branchB, title: 'party_member', started_on: '2015-01-01' })).status, 404);

	// detail: the whole history
	const d = (await staff.get(`/api/v1/people/${p.id}`)).body;
	assert.deepEqual(d.positions.map((x) => x.title), ['party_secretary', 'group_leader', 'party_member']);
	assert.deepEqual(d.flags.map((x) => x.flag).sort(), ['reserve_cadre', 'selected_graduate']);
	// list: only what is held on as_of
	const on = async (date) => (await staff.get(`/api/v1/people?q=钱任职&as_of=${date}`)).body.items[0];
	let it = await on('2020-06-30');
	assert.deepEqual(it.positions.map((x) => x.title).sort(), ['group_leader', 'party_member']);
	assert.deepEqual(it.flags.map((x) => x.flag).sort(), ['reserve_cadre', 'selected_graduate']);
	it = await on('2021-07-31');
	assert.deepEqual(it.positions.map((x) => x.title).sort(), ['group_leader', 'party_secretary']);
	assert.deepEqual(it.flags.map((x) => x.flag).sort(), ['reserve_cadre', 'selected_graduate']);
	it = await on('2021-08-01');
	assert.deepEqual(it.flags.map((x) => x.flag), ['reserve_cadre']);
	// history: person, positions and flags, newest first
	const hist = (await staff.get(`/api/v1/people/${p.id}/history`)).body.items;
	assert.deepEqual(hist.map((h) => `${h.entity}:${h.action}`), [
		'person_flag:update', 'person_flag:create', 'person_flag:create', 'position:create', 'position:create',
		'position:update', 'position:create', 'person:create']);
	assert.equal(hist[0].before.ended_on, '2021-06-30');
	assert.equal(hist[0].after.ended_on, '2021-07-31');
});

// ---------------------------------------------------------------- the list

test('the list: every filter, literal search, sort, pagination, bad parameters', async () => {
	const town = (await staff.post('/api/v1/orgs', { parent_id: 1, name: '列表村党总支', kind: 'general_branch', category: 'village' })).body.id;
	const sub = (await staff.post('/api/v1/orgs', { parent_id: town, name: '列表村一组党支部', kind: 'branch', category: 'village' })).body.id;
	const mk = (over) => create(staff, over.org_id || town, { political_status: 'member', ...over });
	const a = await mk({ name: '甲100%', gender: 'female', birth_date: '1962-03-01', ethnicity: '02', education: 'postgraduate', joined_on: '1990-01-01', full_member_on: '1991-01-01' });
	const b = await mk({ name: '乙_一', birth_date: '1975-12-31', education: 'high_school', political_status: 'masses', joined_on: null, full_member_on: null, org_id: sub });
	const c = await mk({ name: '丙一', birth_date: '1988-01-01', education: 'college', political_status: 'probationary', joined_on: '2022-05-01', full_member_on: null });
	const d = await mk({ name: '丁二', birth_date: '1999-09-09', education: null, joined_on: '2020-01-01', full_member_on: '2021-01-01', org_id: sub });
	await staff.post(`/api/v1/people/${c.id}/positions`, { org_id: town, title: 'committee_director', started_on: '2018-01-01' });
	await staff.post(`/api/v1/people/${b.id}/positions`, { org_id: sub, title: 'group_leader', started_on: '2018-01-01' });
	await staff.post(`/api/v1/people/${d.id}/flags`, { flag: 'returned_graduate', started_on: '2021-09-01' });
	const ids = async (qs) => {
		const r = await staff.get(`/api/v1/people?org=${town}&page_size=200&${qs}`);
		assert.equal(r.status, 200, `${qs}: ${r.text}`);
		assert.equal(r.body.total, r.body.items.length);
		return r.body.items.map((x) => x.id).sort((x, y) => x - y);
	};
	const set = (...xs) => xs.map((x) => x.id).sort((x, y) => x - y);
	assert.deepEqual(await ids(''), set(a, b, c, d));
	assert.deepEqual((await staff.get(`/api/v1/people?org=${sub}&page_size=200`)).body.items.map((x) => x.id).sort((x, y) => x - y), set(b, d));
	assert.deepEqual(await ids('gender=female'), set(a));
	assert.deepEqual(await ids('ethnicity=02'), set(a));
	assert.deepEqual(await ids('education=college'), set(c));
	assert.deepEqual(await ids('education=college_or_above'), set(a, c));
	assert.deepEqual(await ids('education=none'), set(d));
	assert.deepEqual(await ids('political_status=masses'), set(b));
	assert.deepEqual(await ids('position=committee_director'), set(c));
	assert.deepEqual(await ids('position=two_committees'), set(c));
	assert.deepEqual(await ids('position=two_committees&as_of=2017-12-31'), []);
	assert.deepEqual(await ids('position=group_leader'), set(b));
	assert.deepEqual(await ids('flag=returned_graduate'), set(d));
	assert.deepEqual(await ids('flag=returned_graduate&as_of=2021-08-31'), []);
	assert.deepEqual(await ids('born_from=1970&born_to=1989'), set(b, c));
	assert.deepEqual(await ids('born_from=1988'), set(c, d));
	assert.deepEqual(await ids('born_to=1975'), set(a, b));
	// ages on as_of: c is born 1988-01-01 -> 34 on 2022-12-31, 35 on 2023-01-01
	assert.deepEqual(await ids('age_min=35&as_of=2022-12-31'), set(a, b));
	assert.deepEqual(await ids('age_min=35&as_of=2023-01-01'), set(a, b, c));
	assert.deepEqual(await ids('age_max=34&as_of=2022-12-31'), set(c, d));
	assert.deepEqual(await ids('age_min=47&age_max=47&as_of=2022-12-31'), set(b));
	assert.deepEqual(await ids('age_min=46&age_max=46&as_of=2022-12-30'), set(b));
	assert.deepEqual(await ids('q=一'), set(b, c));
	assert.deepEqual(await ids('q=100%25'), set(a), 'a % in the search is literal');
	assert.deepEqual(await ids('q=_'), set(b), 'an _ in the search is literal');
	assert.deepEqual(await ids('q=%25'), set(a));
	assert.deepEqual(await ids('gender=male&education=college_or_above&position=two_committees'), set(c));

	// sort orders
	const order = async (sort) => (await staff.get(`/api/v1/people?org=${town}&sort=${sort}`)).body.items.map((x) => x.id);
	assert.deepEqual(await order('birth_date'), [a.id, b.id, c.id, d.id]);
	assert.deepEqual(await order('-birth_date'), [d.id, c.id, b.id, a.id]);
	// names sort by code point (the test cluster has no locale, like SQLite's BINARY)
	const cmp = (x, y) => Buffer.compare(Buffer.from(x.name), Buffer.from(y.name));
	const byName = [a, b, c, d].sort(cmp).map((x) => x.id);
	assert.deepEqual(await order('name'), byName);
	assert.deepEqual(await order('-name'), [...byName].reverse());
	assert.deepEqual(await order('org'), [...[a, c].sort(cmp), ...[b, d].sort(cmp)].map((x) => x.id));
	await new Promise((ok) => setTimeout(ok, 1100));	// updated_at has whole seconds
	await staff.put(`/api/v1/people/${b.id}`, { ...person(sub, { name: '乙_一', birth_date: '1975-12-31', education: 'high_school', political_status: 'masses', joined_on: null, full_member_on: null }), id_number: undefined, phone: undefined, version: b.version });
	assert.equal((await order('-updated_at'))[0], b.id);

	// pagination
	const p1 = (await staff.get(`/api/v1/people?org=${town}&sort=birth_date&page_size=3&page=1`)).body;
	const p2 = (await staff.get(`/api/v1/people?org=${town}&sort=birth_date&page_size=3&page=2`)).body;
	assert.equal(p1.total, 4);
	assert.equal(p1.page_size, 3);
	assert.deepEqual(p1.items.map((x) => x.id), [a.id, b.id, c.id]);
	assert.deepEqual(p2.items.map((x) => x.id), [d.id]);
	assert.equal(p2.page, 2);

	// bad parameters are named
	for (const [qs, name] of [['gender=x', 'gender'], ['ethnicity=99', 'ethnicity'], ['education=phd', 'education'],
		['political_status=x', 'political_status'], ['position=king', 'position'], ['flag=hero', 'flag'],
		['as_of=2022-13-01', 'as_of'], ['born_from=18', 'born_from'], ['born_from=1990&born_to=1980', 'born_to'],
		['age_min=x', 'age_min'], ['age_min=50&age_max=40', 'age_max'], ['status=gone', 'status'],
		['sort=age', 'sort'], ['page=0', 'page'], ['page_size=201', 'page_size'], [`q=${'长'.repeat(51)}`, 'q']]) {
		const r = await staff.get(`/api/v1/people?${qs}`);
		assert.equal(r.status, 400, qs);
		assert.ok(r.body.error.fields[name], `${qs}: ${r.text}`);
	}
	assert.equal((await staff.get('/api/v1/people?org=999999')).status, 404);

	// counts: active people per org, direct
	const counts = (await staff.get('/api/v1/people/counts')).body.items;
	const byOrg = Object.fromEntries(counts.map((x) => [x.org_id, x.count]));
	assert.equal(byOrg[town], 2);
	assert.equal(byOrg[sub], 2);
	assert.equal(Object.values(byOrg).reduce((s, n) => s + n, 0), Number(srv.sql("SELECT COUNT(*) FROM people WHERE status = 'active'")));
});

// ---------------------------------------------------------------- team structure

test('team structure on a date: decades, age bands, education, gender, ethnicity, flags; every query lists exactly its people', async () => {
	const village = (await staff.post('/api/v1/orgs', { parent_id: 1, name: '结构村党支部', kind: 'branch', category: 'village' })).body.id;
	const group = (await staff.post('/api/v1/orgs', { parent_id: village, name: '结构村第一党小组', kind: 'party_group' })).body.id;
	const other = (await staff.post('/api/v1/orgs', { parent_id: 1, name: '外村党支部', kind: 'branch', category: 'village' })).body.id;
	const team = {};
	const mk = async (key, org, over, posts = [], flags = []) => {
		const p = await create(staff, org, { name: key, joined_on: null, full_member_on: null, political_status: 'masses', ...over });
		for (const [title, started_on, ended_on, porg] of posts) {
			const r = await staff.post(`/api/v1/people/${p.id}/positions`, { org_id: porg || org, title, started_on, ended_on });
			assert.equal(r.status, 201, r.text);
		}
		for (const [flag, started_on, ended_on, post] of flags) {
			const r = await staff.post(`/api/v1/people/${p.id}/flags`, { flag, started_on, ended_on, post });
			assert.equal(r.status, 201, r.text);
		}
		team[key] = p;
		return p;
	};
	await mk('结构一', village, { birth_date: '1985-06-01', education: 'bachelor' }, [['party_secretary', '2020-01-01']], [['reserve_cadre', '2021-01-01']]);
	await mk('结构二', village, { birth_date: '1988-01-01', gender: 'female', ethnicity: '02', education: 'college' }, [['committee_director', '2021-01-01', '2022-12-31']]);
	await mk('结构三', village, { birth_date: '1960-12-31', education: 'high_school' }, [['party_member', '2018-01-01']]);
	await mk('结构四', village, { birth_date: '1972-12-31', education: 'technical' }, [['committee_member', '2019-01-01'], ['party_member', '2019-01-01']]);
	await mk('结构五', village, { birth_date: '1987-12-31', gender: 'female', education: 'postgraduate' }, [['party_deputy', '2021-01-01']]);
	await mk('结构七', group, { birth_date: '1995-03-03', education: null }, [['committee_member', '2019-05-01']], [['returned_graduate', '2019-05-01']]);
	await mk('结构八', village, { birth_date: '1980-05-05', education: 'bachelor' }, [['party_member', '2017-01-01', '2022-12-30']]);
	await mk('结构九', village, { birth_date: '1983-03-03', education: 'bachelor' }, [['party_secretary', '2023-01-01']]);
	await mk('结构十', village, { birth_date: '1990-10-10', education: 'bachelor' }, [['secretary_assistant', '2020-01-01']], [['selected_graduate', '2020-08-01', null, '村委会副主任']]);
	await mk('结构十一', village, { birth_date: '1986-06-06', education: 'bachelor' }, [], [['reserve_cadre', '2020-01-01', '2022-06-30']]);
	await mk('结构外', other, { birth_date: '1984-04-04', education: 'bachelor' }, [['party_secretary', '2015-01-01']], [['reserve_cadre', '2020-01-01']]);
	const arch = await mk('结构十二', village, { birth_date: '1975-07-07', education: 'junior_or_below' }, [['committee_member', '2015-01-01']]);
	const ar = await staff.post(`/api/v1/people/${arch.id}/archive`, { version: arch.version, reason: '去世' });
	assert.equal(ar.status, 200);

	const r = await staff.get(`/api/v1/people/structure?org=${village}&date=2022-12-31`);
	assert.equal(r.status, 200, r.text);
	const s = r.body;
	const expect = ['结构一', '结构二', '结构三', '结构四', '结构五', '结构七', '结构十二'];
	assert.equal(s.org_id, village);
	assert.equal(s.date, '2022-12-31');
	assert.equal(s.total, expect.length);
	assert.equal(s.average_age, 41.7);	// (37 + 34 + 62 + 50 + 35 + 27 + 47) / 7
	const pick = (arr) => Object.fromEntries(arr.map((x) => [x.key, x.count]));
	assert.deepEqual(pick(s.by_decade), { '1960s': 1, '1970s': 2, '1980s': 3, '1990s': 1 });
	assert.deepEqual(s.by_decade.map((x) => x.label), ['60后', '70后', '80后', '90后']);
	assert.deepEqual(pick(s.by_age_band), { under_35: 2, '35_50': 4, over_50: 1 });
	assert.deepEqual(s.by_age_band.map((x) => x.label), ['35岁以下', '35-50岁', '50岁以上']);
	assert.deepEqual(pick(s.by_education), { postgraduate: 1, bachelor: 1, college: 1, technical: 1, high_school: 1, junior_or_below: 1, none: 1 });
	assert.equal(s.college_or_above, 3);
	assert.deepEqual(pick(s.by_gender), { male: 5, female: 2 });
	assert.deepEqual(pick(s.by_ethnicity), { '01': 6, '02': 1 });
	assert.deepEqual(s.flags, { selected_graduate: 1, returned_graduate: 1, reserve_cadre: 1 });

	// every number links to exactly its people
	const names = async (query) => {
		const l = await staff.get(`/api/v1/people?${query}&page_size=200`);
		assert.equal(l.status, 200, `${query}: ${l.text}`);
		assert.equal(l.body.total, l.body.items.length);
		return l.body.items.map((x) => x.name).sort();
	};
	const sorted = (xs) => [...xs].sort();
	assert.deepEqual(await names(s.query), sorted(expect));
	const buckets = [...s.by_decade, ...s.by_age_band, ...s.by_education, ...s.by_gender, ...s.by_ethnicity];
	for (const b of buckets) assert.equal((await names(b.query)).length, b.count, `${b.key}: ${b.query}`);
	assert.deepEqual(await names(s.by_decade.find((x) => x.key === '1980s').query), sorted(['结构一', '结构二', '结构五']));
	assert.deepEqual(await names(s.by_age_band.find((x) => x.key === '35_50').query), sorted(['结构一', '结构四', '结构五', '结构十二']));
	assert.deepEqual(await names(s.by_age_band.find((x) => x.key === 'under_35').query), sorted(['结构二', '结构七']));
	assert.deepEqual(await names(s.college_or_above_query), sorted(['结构一', '结构二', '结构五']));
	assert.deepEqual(await names(s.flag_queries.selected_graduate), ['结构十']);
	assert.deepEqual(await names(s.flag_queries.returned_graduate), ['结构七']);
	assert.deepEqual(await names(s.flag_queries.reserve_cadre), ['结构一']);

	// another date rebuilds another team: on 2023-01-01 结构二 has left, 结构九 has come
	const next = (await staff.get(`/api/v1/people/structure?org=${village}&date=2023-01-01`)).body;
	assert.deepEqual(await names(next.query), sorted(['结构一', '结构三', '结构四', '结构五', '结构七', '结构九', '结构十二']));
	assert.equal(next.flags.reserve_cadre, 1);
	// the party group's subtree alone
	const g = (await staff.get(`/api/v1/people/structure?org=${group}&date=2022-12-31`)).body;
	assert.equal(g.total, 1);
	assert.equal(g.average_age, 27);
	// the township sees its whole subtree, including the other village
	const town = (await staff.get('/api/v1/people/structure?date=2022-12-31')).body;
	assert.equal(town.org_id, root);
	assert.ok(town.total >= expect.length + 1);
	assert.deepEqual(await names(town.by_decade.find((x) => x.key === '1980s').query),
		await names(`position=two_committees&as_of=2022-12-31&status=all&born_from=1980&born_to=1989`));
	// a secretary's default is the own branch; bad parameters
	const own = await secA.get('/api/v1/people/structure');
	assert.equal(own.status, 200);
	assert.equal(own.body.org_id, branchA);
	assert.equal((await staff.get('/api/v1/people/structure?date=2022-02-30')).status, 400);
	assert.equal((await staff.get('/api/v1/people/structure?org=999999')).status, 404);
	const empty = (await staff.get(`/api/v1/people/structure?org=${village}&date=1990-01-01`)).body;
	assert.equal(empty.total, 0);
	assert.equal(empty.average_age, null);
	assert.deepEqual(empty.by_decade.map((x) => x.key), ['1960s', '1970s', '1980s', '1990s']);
});

// ---------------------------------------------------------------- dictionaries

test('township staff add and edit dictionary items; codes never change; tags decide the leadership team', async () => {
	let r = await staff.post('/api/v1/dicts/position', { code: 'first_secretary', label: ' 驻村第一书记 ', label_en: 'First secretary', sort: 9, tags: ['two_committees'] });
	assert.equal(r.status, 201, r.text);
	const item = r.body;
	assert.equal(item.label, '驻村第一书记');
	assert.deepEqual(item.tags, ['two_committees']);
	let list = (await staff.get('/api/v1/dicts/position')).body.items;
	assert.deepEqual(list.find((x) => x.code === 'first_secretary').tags, ['two_committees']);
	assert.deepEqual(list.find((x) => x.code === 'party_secretary').tags, ['two_committees', 'party_committee']);
	assert.deepEqual(list.find((x) => x.code === 'group_leader').tags, []);

	const before = snapshot();
	for (const [body, field] of [[{ code: 'first_secretary', label: '重复' }, 'code'], [{ code: 'Bad Code', label: '坏' }, 'code'],
		[{ code: 'x', label: '' }, 'label'], [{ code: 'x', label: '好', tags: ['Two Committees'] }, 'tags'],
		[{ code: 'x', label: '好', tags: 5 }, 'tags'], [{ code: 'x', label: '好', colour: 'red' }, 'colour'],
		[{ code: 'x', label: '好', sort: -1 }, 'sort']]) {
		r = await staff.post('/api/v1/dicts/position', body);
		assert.equal(r.status, 400, JSON.stringify(body));
		assert.ok(r.body.error.fields[field], r.text);
	}
	assert.equal((await secA.post('/api/v1/dicts/position', { code: 'y', label: '书记' })).status, 403);
	assert.equal((await staff.post('/api/v1/dicts/gender', { code: 'other', label: '其他' })).status, 403);
	assert.equal((await staff.post('/api/v1/dicts/no_such_dict', { code: 'y', label: '无' })).status, 404);
	assert.deepEqual(snapshot(), before);

	// a post with the new title counts in the team because of its tag
	const p = await create(staff, branchB, { name: '第一书记', birth_date: '1990-02-02', joined_on: '2012-01-01', full_member_on: '2013-01-01' });
	assert.equal((await staff.post(`/api/v1/people/${p.id}/positions`, { org_id: branchB, title: 'first_secretary', started_on: '2021-01-01' })).status, 201);
	const team = async () => (await staff.get(`/api/v1/people/structure?org=${branchB}&date=2022-12-31`)).body.total;
	assert.equal(await team(), 1);

	// edit: label and tags; omitted fields keep their values; stale answers 409; code is not editable
	r = await staff.put(`/api/v1/dicts/position/${item.id}`, { version: item.version, label: '第一书记', tags: 'village_committee' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.label, '第一书记');
	assert.equal(r.body.label_en, 'First secretary');
	assert.equal(r.body.sort, 9);
	assert.deepEqual(r.body.tags, ['village_committee']);
	assert.equal(await team(), 0);
	r = await staff.put(`/api/v1/dicts/position/${item.id}`, { version: item.version, label: '旧版本' });
	assert.equal(r.status, 409);
	assert.equal(r.body.error.current.label, '第一书记');
	r = await staff.put(`/api/v1/dicts/position/${item.id}`, { version: item.version + 1, label: '第一书记', code: 'renamed' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.code);
	r = await staff.put(`/api/v1/dicts/position/${item.id}`, { version: item.version + 1, label: '第一书记', status: 'gone' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.status);
	r = await staff.put(`/api/v1/dicts/education/${item.id}`, { version: item.version + 1, label: '错字典' });
	assert.equal(r.status, 404);
	r = await staff.put(`/api/v1/dicts/position/${item.id}`, { version: item.version + 1, label: '第一书记', status: 'archived', tags: ['two_committees'] });
	assert.equal(r.status, 200);
	assert.equal(r.body.status, 'archived');
	list = (await staff.get('/api/v1/dicts/position')).body.items;
	assert.ok(!list.some((x) => x.code === 'first_secretary'), 'archived items leave the active list');
	// records keep an archived code: the existing post still counts and can be edited, new ones cannot use it
	assert.equal(await team(), 1);
	const pos = (await staff.get(`/api/v1/people/${p.id}`)).body.positions[0];
	assert.equal((await staff.put(`/api/v1/positions/${pos.id}`, { version: pos.version, org_id: branchB, title: 'first_secretary', started_on: '2021-01-01', note: '续任' })).status, 200);
	r = await staff.post(`/api/v1/people/${p.id}/positions`, { org_id: branchB, title: 'first_secretary', started_on: '2022-01-01' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.title);
	const audit = srv.sql(`SELECT action FROM audit_log WHERE entity = 'dict_item' AND entity_id = ${item.id} ORDER BY seq`).split('\n');
	assert.deepEqual(audit, ['create', 'update', 'update']);
});

test('an org with people on its roll cannot be archived', async () => {
	const o = (await staff.post('/api/v1/orgs', { parent_id: 1, name: '待撤并村党支部', kind: 'branch', category: 'village' })).body;
	const p = await create(staff, o.id);
	let r = await staff.post(`/api/v1/orgs/${o.id}/archive`, { version: o.version });
	assert.equal(r.status, 409);
	assert.match(r.body.error.message, /1名在册人员/);
	assert.equal((await staff.get(`/api/v1/orgs/${o.id}`)).body.status, 'active');
	// once the person is archived, the org can be
	r = await staff.post(`/api/v1/people/${p.id}/archive`, { version: p.version, reason: '迁出' });
	assert.equal(r.status, 200, r.text);
	r = await staff.post(`/api/v1/orgs/${o.id}/archive`, { version: o.version });
	assert.equal(r.status, 200, r.text);
});

// ---------------------------------------------------------------- kept pages

test('a list page kept by the server shows every write at once: add, position, archive', async () => {
	const url = `/api/v1/people?org=${branchB}&page=1&page_size=200`;
	const page = async () => (await staff.get(url)).body;
	const first = await page();
	assert.deepEqual(await page(), first);	// the same page twice: the second from what the server kept
	const p = await create(staff, branchB, { name: '缓存核对人' });
	let now = await page();
	assert.equal(now.total, first.total + 1);
	const mine = () => now.items.find((x) => x.id === p.id);
	assert.deepEqual(mine().positions, []);
	const pos = await staff.post(`/api/v1/people/${p.id}/positions`, { org_id: branchB, title: 'party_member', started_on: '2015-01-01' });
	assert.equal(pos.status, 201, pos.text);
	now = await page();
	assert.deepEqual(mine().positions.map((x) => x.title), ['party_member']);
	const cur = (await staff.get(`/api/v1/people/${p.id}`)).body;
	const gone = await staff.post(`/api/v1/people/${p.id}/archive`, { version: cur.version, reason: '迁出' });
	assert.equal(gone.status, 200, gone.text);
	now = await page();
	assert.equal(now.total, first.total);
	assert.equal(mine(), undefined);
});
