// training.test.mjs - training classes, sessions, attendance and coverage: validation, coverage maths, scope, the demo's 2022 figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, userClient, ok } from './lib.mjs';

let srv, township, orgs, root, branch, group, other;
const people = {};

async function login(username, password = DEMO_PASSWORD) {
	const c = new Client(srv.base);
	const r = await c.login(username, password);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

function person(org, name, over = {}) {
	return {
		org_id: org, name, gender: 'male', ethnicity: '01', birth_date: '1985-06-01',
		education: 'bachelor', political_status: 'member', joined_on: '2010-07-01',
		full_member_on: '2011-07-01', ...over,
	};
}

before(async () => {
	srv = await startServer({}, { demo: true });
	township = await login('township');
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
	branch = await ok(township.post('/api/v1/orgs', { parent_id: root.id, name: '培训测试党支部', kind: 'branch', category: 'village' }), 201);
	group = await ok(township.post('/api/v1/orgs', { parent_id: branch.id, name: '培训测试党小组', kind: 'party_group' }), 201);
	other = await ok(township.post('/api/v1/orgs', { parent_id: root.id, name: '另一测试党支部', kind: 'branch', category: 'village' }), 201);
	const add = async (key, org, over) => {
		people[key] = await ok(township.post('/api/v1/people', person(org, `训${key}`, over)), 201);
	};
	await add('makeup', group.id);				// in a party group; only at the make-up session
	await add('prob', branch.id, { political_status: 'probationary', joined_on: '2023-09-01', full_member_on: null });
	await add('late', branch.id, { joined_on: '2025-05-01', full_member_on: null, political_status: 'probationary' });
	await add('absent', group.id);
	await add('masses', branch.id, { political_status: 'masses', joined_on: null, full_member_on: null });
	await add('elsewhere', other.id);
});
after(async () => { await srv.stop(); });

test('the demo township reproduces 2022: 2 classes, 6 sessions, 20 of 20 organizations trained', async () => {
	const cov = await ok(township.get(`/api/v1/trainings/coverage?year=2022&org=${root.id}`));
	assert.equal(cov.totals.classes, 2);
	assert.equal(cov.totals.sessions, 6);
	assert.equal(cov.totals.makeup_sessions, 0);
	// the two test branches made above have no 2022 members (their people joined later or are not members)
	const demo = cov.items.filter((i) => i.org_id !== branch.id && i.org_id !== other.id);
	assert.equal(demo.length, 20);
	for (const i of demo) {
		assert.ok(i.members > 0, i.org_name);
		assert.equal(i.trained, i.members, i.org_name);
		assert.equal(i.all_trained, true);
		assert.deepEqual(i.untrained, []);
		assert.equal(i.ratio, 1);
	}
	assert.ok(demo.every((i) => i.kind === 'branch' || i.kind === 'general_branch'), 'party groups roll up');
	const list = await ok(township.get('/api/v1/trainings?year=2022'));
	assert.deepEqual(list.items.map((c) => c.title).sort(), ['2022年村居（社区）“两委”班子综合能力提升专题培训班', '党的二十大精神宣讲轮训班'].sort());
	assert.equal(list.items.reduce((n, c) => n + c.session_count, 0), 6);
	const full = await ok(township.get(`/api/v1/trainings/${list.items[0].id}`));
	assert.ok(full.sessions.length >= 2 && full.sessions.every((s) => s.present > 0));
	// a secretary sees the township's classes and the coverage of their own branch only
	const sec = await login('secretary1');
	const mine = await ok(sec.get('/api/v1/trainings/coverage?year=2022'));
	assert.equal(mine.items.length, 1);
	assert.equal(mine.items[0].all_trained, true);
	assert.equal(mine.totals.classes, 2);
	assert.equal((await ok(sec.get('/api/v1/trainings?year=2022'))).total, 2);
});

test('a class, its sessions and attendance: Chinese field errors, nothing written on bad input, 409 when stale', async () => {
	const before = (await ok(township.get('/api/v1/trainings?year=2024'))).total;
	let r = await township.post('/api/v1/trainings', { org_id: root.id, title: ' ', year: 2024, start_on: '2031-01-01', end_on: '2024-01-01', extra: 1 });
	assert.equal(r.status, 400, r.text);
	assert.equal(r.body.error.code, 'validation_failed');
	assert.match(r.body.error.fields.title, /培训班名称/);
	assert.match(r.body.error.fields.start_on, /年度/);
	assert.ok(r.body.error.fields.extra);
	r = await township.post('/api/v1/trainings', { org_id: root.id, title: '测试班', year: 2024, start_on: '2024-05-01', end_on: '2024-04-01' });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.end_on, '结束日期不能早于开始日期');
	assert.equal((await ok(township.get('/api/v1/trainings?year=2024'))).total, before, 'nothing written');

	const cls = await ok(township.post('/api/v1/trainings', { org_id: root.id, title: '2024年党员轮训班', year: 2024, audience: '全体党员', start_on: '2024-03-01', end_on: '2024-06-30' }), 201);
	assert.equal(cls.version, 1);
	assert.equal(cls.org_name, root.name);
	r = await township.post(`/api/v1/trainings/${cls.id}/sessions`, { held_on: '2024-07-01', topic: '' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.held_on, /场次日期应在培训班日期范围内/);
	assert.ok(r.body.error.fields.topic);
	const s1 = await ok(township.post(`/api/v1/trainings/${cls.id}/sessions`, { held_on: '2024-03-10', topic: '党章学习', lecturer: '王老师', place: '党群服务中心' }), 201);
	r = await township.post(`/api/v1/trainings/${cls.id}/sessions`, { held_on: '2024-03-01', topic: '补课', makeup_of: s1.id });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.makeup_of, '补课日期不能早于被补课的场次');
	const mk = await ok(township.post(`/api/v1/trainings/${cls.id}/sessions`, { held_on: '2024-03-20', topic: '党章学习（补课）', makeup_of: s1.id }), 201);
	assert.equal(mk.makeup, true);
	r = await township.post(`/api/v1/trainings/${cls.id}/sessions`, { held_on: '2024-03-21', topic: '再补', makeup_of: mk.id });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.makeup_of, /补课场次不能再被补课/);

	// attendance: bad ids refuse the whole list
	r = await township.put(`/api/v1/training-sessions/${s1.id}/attendance`, { version: s1.version, person_ids: [people.prob.id, 99999999, people.prob.id, 'x'] });
	assert.equal(r.status, 400, r.text);
	assert.match(r.body.error.fields['person_ids[1]'], /人员不存在/);
	assert.match(r.body.error.fields['person_ids[2]'], /重复/);
	assert.ok(r.body.error.fields['person_ids[3]']);
	let att = await ok(township.get(`/api/v1/training-sessions/${s1.id}/attendance`));
	assert.equal(att.total, 0, 'nothing written');
	assert.equal(att.session.version, 1);
	att = await ok(township.put(`/api/v1/training-sessions/${s1.id}/attendance`, { version: 1, person_ids: [people.prob.id, people.masses.id, people.elsewhere.id] }));
	assert.equal(att.total, 3);
	assert.equal(att.session.version, 2);
	r = await township.put(`/api/v1/training-sessions/${s1.id}/attendance`, { version: 1, person_ids: [] });
	assert.equal(r.status, 409);
	assert.equal(r.body.error.current.version, 2);
	await ok(township.put(`/api/v1/training-sessions/${mk.id}/attendance`, { version: 1, person_ids: [people.makeup.id, people.late.id] }));

	r = await township.put(`/api/v1/trainings/${cls.id}`, { version: 1, title: '2024年党员轮训班', year: 2024, start_on: '2024-03-15', end_on: '2024-06-30' });
	assert.equal(r.status, 400, 'sessions would fall outside');
	const upd = await ok(township.put(`/api/v1/trainings/${cls.id}`, { version: 1, title: '2024年全体党员轮训班', year: 2024, start_on: '2024-03-01', end_on: '2024-06-30' }));
	assert.equal(upd.version, 2);
	assert.equal(upd.session_count, 1);
	assert.equal(upd.makeup_count, 1);
	r = await township.put(`/api/v1/trainings/${cls.id}`, { version: 1, title: 'x', year: 2024, start_on: '2024-03-01', end_on: '2024-06-30' });
	assert.equal(r.status, 409);
	assert.equal(r.body.error.current.title, '2024年全体党员轮训班');
	const sUpd = await ok(township.put(`/api/v1/training-sessions/${s1.id}`, { version: 2, held_on: '2024-03-11', topic: '党章学习', lecturer: '李老师' }));
	assert.equal(sUpd.version, 3);
	assert.equal(sUpd.present, 3);

	// coverage of the test branch for 2024
	let cov = await ok(township.get(`/api/v1/trainings/coverage?year=2024&org=${branch.id}`));
	assert.equal(cov.items.length, 1, 'the party group rolls into its branch');
	const row = cov.items[0];
	assert.equal(row.org_id, branch.id);
	assert.equal(row.members, 3, 'makeup + probationary + absent; not the one who joined in 2025, not the masses');
	assert.equal(row.trained, 2, 'a make-up session counts, a probationary member counts');
	assert.deepEqual(row.untrained, [people.absent.id]);
	assert.equal(row.all_trained, false);
	assert.equal(row.ratio, 0.6666);
	assert.equal(cov.totals.classes, 1);
	assert.equal(cov.totals.sessions, 1);
	assert.equal(cov.totals.makeup_sessions, 1);
	assert.equal(cov.totals.organizations_all_trained, 0);
	await ok(township.put(`/api/v1/training-sessions/${mk.id}/attendance`, { version: 2, person_ids: [people.makeup.id, people.absent.id] }));
	cov = await ok(township.get(`/api/v1/trainings/coverage?year=2024&org=${branch.id}`));
	assert.equal(cov.items[0].all_trained, true);
	assert.equal(cov.totals.organizations_all_trained, 1);
	// in 2025 the late joiner is a member, untrained
	cov = await ok(township.get(`/api/v1/trainings/coverage?year=2025&org=${branch.id}`));
	assert.equal(cov.items[0].members, 4);
	assert.equal(cov.items[0].trained, 0);
});

test('scope: another branch\'s class is hidden, the township\'s is not; out-of-scope people are refused', async () => {
	const bstaff = await userClient(srv, 'trainstaff', other.id, [`staff@${other.id}`]);
	const own = await ok(bstaff.post('/api/v1/trainings', { org_id: other.id, title: '支部自办学习班', year: 2024, start_on: '2024-04-01', end_on: '2024-04-30' }), 201);
	let r = await bstaff.post('/api/v1/trainings', { org_id: root.id, title: '越权', year: 2024, start_on: '2024-04-01', end_on: '2024-04-30' });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.org_id, '组织不存在');
	const s = await ok(bstaff.post(`/api/v1/trainings/${own.id}/sessions`, { held_on: '2024-04-02', topic: '学习' }), 201);
	r = await bstaff.put(`/api/v1/training-sessions/${s.id}/attendance`, { version: 1, person_ids: [people.elsewhere.id, people.prob.id] });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields['person_ids[1]'], /不在您的管理范围内/);
	await ok(bstaff.put(`/api/v1/training-sessions/${s.id}/attendance`, { version: 1, person_ids: [people.elsewhere.id] }));

	// the branch staff sees the township's class (read) but cannot change it
	const theirs = await ok(bstaff.get('/api/v1/trainings?year=2024'));
	assert.equal(theirs.total, 2);
	const township2024 = theirs.items.find((c) => c.org_id === root.id);
	r = await bstaff.put(`/api/v1/trainings/${township2024.id}`, { version: township2024.version, title: 'x', year: 2024, start_on: '2024-03-01', end_on: '2024-06-30' });
	assert.equal(r.status, 403);
	// and sees only its own people at the township's session
	const tfull = await ok(bstaff.get(`/api/v1/trainings/${township2024.id}`));
	const att = await ok(bstaff.get(`/api/v1/training-sessions/${tfull.sessions[0].id}/attendance`));
	assert.deepEqual(att.items.map((p) => p.person_id), [people.elsewhere.id]);

	// the demo's secretary of another branch sees neither that class nor its session
	const sec = await login('secretary1');
	assert.equal((await sec.get(`/api/v1/trainings/${own.id}`)).status, 404);
	assert.equal((await sec.get(`/api/v1/training-sessions/${s.id}/attendance`)).status, 404);
	const list = await ok(sec.get('/api/v1/trainings?year=2024'));
	assert.deepEqual(list.items.map((c) => c.id), [township2024.id]);
	assert.equal((await sec.get(`/api/v1/trainings/coverage?org=${other.id}`)).status, 404);
	// secretaries read but do not write
	r = await sec.post('/api/v1/trainings', { org_id: orgs.find((o) => o.name === '巴音敖包嘎查党支部').id, title: '书记办班', year: 2024, start_on: '2024-04-01', end_on: '2024-04-30' });
	assert.equal(r.status, 403);
	// township staff still sees everything, untouched by the branch's replacement
	const all = await ok(township.get(`/api/v1/training-sessions/${tfull.sessions[0].id}/attendance`));
	assert.equal(all.total, 3);
});

function idnum(birth, male, seq, region = '150221') {
	const n = (seq % 499) * 2 + (male ? 1 : 0);
	const body = region + birth.replaceAll('-', '') + String(n).padStart(3, '0');
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
	return body + '10X98765432'[sum % 11];
}

async function upload(client, path, csv) {
	const res = await fetch(srv.base + path, {
		method: 'POST', body: csv,
		headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': 'text/csv' },
	});
	return { status: res.status, body: await res.json() };
}

test('study records: a dry run names errors by row and writes nothing, then a clean file commits; lists are never by score', async () => {
	const a = await ok(township.post('/api/v1/people', person(branch.id, '甲学员', { id_number: idnum('1985-06-01', true, 11) })), 201);
	const b = await ok(township.post('/api/v1/people', person(branch.id, '乙学员', { id_number: idnum('1985-06-01', true, 12) })), 201);
	const idA = idnum('1985-06-01', true, 11), idB = idnum('1985-06-01', true, 12);
	const bad = '姓名,身份证号,平台,月份,积分,学时\n'
		+ `甲学员,${idA},学习强国,2024-13,100,\n`
		+ `错名字,${idB},学习强国,2024-01,100,\n`
		+ `丙,${idnum('1990-01-01', true, 5)},驼乡e站,2024-01,,2.5\n`
		+ `甲学员,${idA},学习强国,2024-02,,\n`;
	let r = await upload(township, '/api/v1/study/import?dry_run=1', bad);
	assert.equal(r.status, 400, JSON.stringify(r.body));
	assert.equal(r.body.error.code, 'validation_failed');
	const at = (row, col) => r.body.errors.find((e) => e.row === row && e.column === col);
	assert.match(at(2, '月份').message, /YYYY-MM/);
	assert.match(at(3, '姓名').message, /不符/);
	assert.match(at(4, '身份证号').message, /未找到/);
	assert.match(at(5, '积分').message, /至少填写一项/);
	r = await upload(township, '/api/v1/study/import', bad);
	assert.equal(r.status, 400, 'all or nothing');
	assert.equal((await ok(township.get(`/api/v1/study?org=${branch.id}`))).total, 0);

	const good = '月份,姓名,身份证号,平台,积分,学时\n'
		+ `2024-01,甲学员,${idA},学习强国,100,\n`
		+ `2024-01,乙学员,${idB},学习强国,900,\n`
		+ `2024-01,乙学员,${idB},驼乡e站,,2.5\n`;
	r = await upload(township, '/api/v1/study/import?dry_run=1', good);
	assert.equal(r.status, 200, JSON.stringify(r.body));
	assert.deepEqual([r.body.rows, r.body.imported, r.body.dry_run], [3, 0, true]);
	assert.equal((await ok(township.get(`/api/v1/study?org=${branch.id}`))).total, 0, 'a dry run writes nothing');
	r = await upload(township, '/api/v1/study/import', good);
	assert.equal(r.status, 200, JSON.stringify(r.body));
	assert.equal(r.body.imported, 3);
	const list = await ok(township.get(`/api/v1/study?org=${branch.id}&period=2024-01`));
	assert.equal(list.total, 3);
	assert.deepEqual(list.items.map((i) => [i.name, i.platform, i.score, i.hours]).sort(),
		[['乙学员', '学习强国', 900, null], ['乙学员', '驼乡e站', null, 2.5], ['甲学员', '学习强国', 100, null]].sort());
	const names = list.items.map((i) => i.name);
	assert.deepEqual(names, [...names].sort(), 'sorted by name within the org');
	assert.deepEqual(list.branches, [{ org_id: branch.id, org_name: branch.name, people: 2, records: 3 }]);
	for (const it of list.items) {
		assert.equal(it.rank, undefined);
		assert.equal(it.streak, undefined);
	}
	// the same person, platform and month again replaces the row
	r = await upload(township, '/api/v1/study/import', `姓名,身份证号,平台,月份,积分\n甲学员,${idA},学习强国,2024-01,120\n`);
	assert.equal(r.status, 200);
	const again = await ok(township.get(`/api/v1/study?org=${branch.id}&period=2024-01`));
	assert.equal(again.total, 3);
	assert.equal(again.items.find((i) => i.person_id === a.id).score, 120);
	assert.ok(b.id);

	// the demo: three months of 学习强国 for 8 members of two branches, by org then name, not by score
	const demo = await ok(township.get('/api/v1/study?period=2022-10'));
	assert.equal(demo.total, 16);
	assert.deepEqual(demo.branches.map((x) => [x.people, x.records]), [[8, 8], [8, 8]], 'party groups roll into their branch');
	const scores = demo.items.map((i) => i.score);
	assert.notDeepEqual(scores, [...scores].sort((x, y) => y - x), 'not by score');
	const sec = await login('secretary1');
	const own = await ok(sec.get('/api/v1/study'));
	assert.equal(own.total, 24);
	assert.equal(own.branches.length, 1);
	assert.equal((await upload(sec, '/api/v1/study/import?dry_run=1', good)).status, 403);
});
