// meetings.test.mjs - meetings with attendance, quorum, locking and correction, the rules and compliance (status, to-do, table) on the demo township.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, sec1, sec2, member, orgs, root, v1, v2;

async function login(username, password = DEMO_PASSWORD) {
	const c = new Client(srv.base);
	const r = await c.login(username, password);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

async function membersOf(orgId) {
	const all = (await ok(township.get(`/api/v1/people?org=${orgId}&page_size=200`))).items;
	return all.filter((p) => p.political_status === 'member' || p.political_status === 'probationary');
}

before(async () => {
	srv = await startServer({}, { demo: true });
	township = await login('township');
	sec1 = await login('secretary1');
	sec2 = await login('secretary2');
	member = await login('member');
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
	const mine = (await ok(sec1.get('/api/v1/session'))).user;
	const grants = mine.grants || mine.roles || [];
	v1 = orgs.find((o) => o.id === (grants[0] && (grants[0].org_id ?? grants[0].org?.id)));
	const theirs = (await ok(sec2.get('/api/v1/session'))).user;
	const g2 = theirs.grants || theirs.roles || [];
	v2 = orgs.find((o) => o.id === (g2[0] && (g2[0].org_id ?? g2[0].org?.id)));
	assert.ok(v1 && v2 && v1.id !== v2.id, 'the two secretaries have their own branches');
});
after(async () => { await srv.stop(); });

test('a secretary records a meeting with attendance; a theme day that includes a party lesson counts as both', async () => {
	const people = await membersOf(v1.id);
	assert.ok(people.length >= 3);
	const body = {
		org_id: v1.id, held_on: '2023-03-05', types: ['theme_day', 'party_lesson'], place: '村党群服务中心',
		host_id: people[0].id, topic: '学习二十大精神', agenda: '1. 学习 2. 讨论',
		attendance: [
			{ person_id: people[0].id, status: 'present' },
			{ person_id: people[1].id, status: 'leave', reason: '外出务工' },
			{ person_id: people[2].id, status: 'absent' },
		],
	};
	const m = await ok(sec1.post('/api/v1/meetings', body), 201);
	assert.equal(m.status, 'open');
	assert.deepEqual(m.types, ['party_lesson', 'theme_day']);
	assert.deepEqual(m.type_labels, ['党课', '主题党日']);
	assert.deepEqual(m.counts, { present: 1, leave: 1, absent: 1 });
	assert.equal(m.attendance.find((a) => a.person_id === people[1].id).reason, '外出务工');
	assert.equal(m.attendance.find((a) => a.person_id === people[1].id).status_label, '请假');
	assert.equal(m.host_name, people[0].name);
	const got = await ok(sec1.get(`/api/v1/meetings/${m.id}`));
	assert.equal(got.can_write, true);
	const list = await ok(sec1.get(`/api/v1/meetings?org=${v1.id}&type=party_lesson&from=2023-01-01&to=2023-12-31`));
	assert.deepEqual(list.items.map((x) => x.id), [m.id]);
	// the member reads their own branch's meetings, but may not write
	assert.equal((await member.get(`/api/v1/meetings/${m.id}`)).status, 200);
	assert.equal((await member.post('/api/v1/meetings', body)).status, 403);
});

test('a voting assembly without quorum is refused, naming the field in Chinese; with quorum it is accepted', async () => {
	const people = await membersOf(v1.id);
	const voters = people.filter((p) => p.political_status === 'member');
	const half = Math.floor(voters.length / 2);
	const before = (await ok(township.get(`/api/v1/meetings?org=${v1.id}&all=1`))).total;
	// exactly half of the voting members present, plus every probationary member: no quorum
	const att = voters.slice(0, half).map((p) => ({ person_id: p.id, status: 'present' }))
		.concat(people.filter((p) => p.political_status === 'probationary').map((p) => ({ person_id: p.id, status: 'present' })));
	const body = { org_id: v1.id, held_on: '2023-04-10', types: ['branch_assembly'], topic: '接收预备党员', vote: true, attendance: att };
	let r = await sec1.post('/api/v1/meetings', body);
	assert.equal(r.status, 400, r.text);
	assert.match(r.body.error.fields.vote, /过半数/);
	assert.match(r.body.error.fields.vote, new RegExp(`有表决权的党员${voters.length}人，出席${half}人`));
	assert.equal((await ok(township.get(`/api/v1/meetings?org=${v1.id}&all=1`))).total, before, 'nothing written');
	body.attendance = voters.slice(0, half + 1).map((p) => ({ person_id: p.id, status: 'present' }));
	const m = await ok(sec1.post('/api/v1/meetings', body), 201);
	assert.equal(m.vote, true);
	assert.deepEqual(m.quorum, { voting_members: voters.length, voting_present: half + 1, reached: true });
	// only an assembly votes
	r = await sec1.post('/api/v1/meetings', { ...body, types: ['branch_committee'] });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.vote, /支部党员大会/);
});

test('close locks the record; a correction is a new version with its reason and the old one is kept', async () => {
	const m = await ok(sec1.post('/api/v1/meetings', { org_id: v1.id, held_on: '2023-05-08', types: ['branch_committee'], topic: '研究五月工作' }), 201);
	const upd = await ok(sec1.put(`/api/v1/meetings/${m.id}`, { version: m.version, held_on: '2023-05-09', types: ['branch_committee'], topic: '研究五月份工作', minutes: '记录' }));
	assert.equal(upd.held_on, '2023-05-09');
	assert.equal((await sec1.put(`/api/v1/meetings/${m.id}`, { version: m.version, held_on: '2023-05-09', types: ['branch_committee'], topic: 'x' })).status, 409, 'stale version');
	const closed = await ok(sec1.post(`/api/v1/meetings/${m.id}/close`, { version: upd.version }));
	assert.equal(closed.status, 'closed');
	let r = await sec1.put(`/api/v1/meetings/${m.id}`, { version: closed.version, held_on: '2023-05-09', types: ['branch_committee'], topic: '改' });
	assert.equal(r.status, 409);
	assert.match(r.body.error.message, /锁定/);
	r = await sec1.post(`/api/v1/meetings/${m.id}/correct`, { version: closed.version, held_on: '2023-05-09', types: ['branch_committee'], topic: '研究五月份工作' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.reason, 'a correction needs a reason');
	const fixed = await ok(sec1.post(`/api/v1/meetings/${m.id}/correct`, { version: closed.version, reason: '会议日期登记错误', held_on: '2023-05-10', types: ['branch_committee'], topic: '研究五月份工作' }), 201);
	assert.equal(fixed.previous_id, m.id);
	assert.equal(fixed.correction_reason, '会议日期登记错误');
	assert.equal(fixed.status, 'closed');
	const old = await ok(sec1.get(`/api/v1/meetings/${m.id}`));
	assert.equal(old.superseded_by, fixed.id);
	assert.equal(old.held_on, '2023-05-09', 'the old version is kept as it was');
	assert.equal((await sec1.post(`/api/v1/meetings/${m.id}/correct`, { version: old.version, reason: '再改', held_on: '2023-05-10', types: ['branch_committee'], topic: 'x' })).status, 409);
	const current = await ok(sec1.get(`/api/v1/meetings?org=${v1.id}&from=2023-05-01&to=2023-05-31`));
	assert.deepEqual(current.items.map((x) => x.id), [fixed.id]);
	const all = await ok(sec1.get(`/api/v1/meetings?org=${v1.id}&from=2023-05-01&to=2023-05-31&all=1`));
	assert.deepEqual(all.items.map((x) => x.id).sort(), [m.id, fixed.id].sort());
});

test('scope: another branch\'s meetings are 404 and its org filter too; discipline reads but does not write', async () => {
	const m = await ok(sec2.post('/api/v1/meetings', { org_id: v2.id, held_on: '2023-02-02', types: ['branch_committee'], topic: '二月支委会' }), 201);
	assert.equal((await sec1.get(`/api/v1/meetings/${m.id}`)).status, 404);
	assert.equal((await sec1.put(`/api/v1/meetings/${m.id}`, { version: 1, held_on: '2023-02-02', types: ['branch_committee'], topic: 'x' })).status, 404);
	assert.equal((await sec1.post(`/api/v1/meetings/${m.id}/close`, { version: 1 })).status, 404);
	assert.equal((await sec1.get(`/api/v1/meetings?org=${v2.id}`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/compliance?org=${v2.id}`)).status, 404);
	const r = await sec1.post('/api/v1/meetings', { org_id: v2.id, held_on: '2023-02-02', types: ['branch_committee'], topic: 'x' });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.org_id, '组织不存在');
	const reviewer = await login('reviewer');
	assert.equal((await reviewer.get(`/api/v1/meetings/${m.id}`)).status, 200);
	assert.equal((await reviewer.post(`/api/v1/meetings/${m.id}/close`, { version: 1 })).status, 403);
	// the secretary's to-do holds only their own branch
	const todo = await ok(sec1.get('/api/v1/todo?date=2022-12-31&subject=meeting'));
	assert.ok(todo.items.every((i) => i.org_id === v1.id || orgs.find((o) => o.id === i.org_id).parent_id === v1.id));
});

test('validation is named in Chinese and nothing is written', async () => {
	const before = (await ok(township.get(`/api/v1/meetings?org=${root.id}&all=1`))).total;
	const people = await membersOf(v2.id);
	const r = await sec1.post('/api/v1/meetings', {
		org_id: v1.id, held_on: '2023-02-30', types: ['tea_party', 'theme_day'], topic: '  ',
		host_id: people[0].id, attendance: [{ person_id: people[0].id, status: 'present' }], extra: 1,
	});
	assert.equal(r.status, 400, r.text);
	const f = r.body.error.fields;
	assert.match(f.held_on, /日期/);
	assert.match(f.topic, /会议主题/);
	assert.match(f.extra, /.+/);
	let r2 = await sec1.post('/api/v1/meetings', { org_id: v1.id, held_on: '2023-02-03', types: ['tea_party'], topic: '茶话会', host_id: people[0].id, attendance: [{ person_id: people[0].id, status: 'present' }] });
	assert.equal(r2.status, 400);
	assert.match(r2.body.error.fields.types, /不在字典中/);
	assert.match(r2.body.error.fields.host_id, /本组织的党员/);
	assert.match(r2.body.error.fields.attendance, /本组织的党员/);
	const mine = await membersOf(v1.id);
	r2 = await sec1.post('/api/v1/meetings', { org_id: v1.id, held_on: '2023-02-03', types: [], topic: '会', attendance: [{ person_id: mine[0].id, status: 'leave' }] });
	assert.match(r2.body.error.fields.types, /至少选择一种/);
	assert.match(r2.body.error.fields.attendance, /请假须填写原因/);
	r2 = await sec1.post('/api/v1/meetings', { org_id: v1.id, held_on: '2199-01-01', types: ['study'], topic: '未来' });
	assert.match(r2.body.error.fields.held_on, /不能晚于今天/);
	assert.equal((await ok(township.get(`/api/v1/meetings?org=${root.id}&all=1`))).total, before);
});

test('a branch that skipped its monthly committee meeting is yellow with that reason and is on the township\'s to-do', async () => {
	const b = await ok(township.post('/api/v1/orgs', { parent_id: root.id, name: '测试村党支部', kind: 'branch', category: 'village' }), 201);
	for (let m = 1; m <= 12; m++) {
		const mm = String(m).padStart(2, '0');
		const types = m === 3 ? ['theme_day'] : ['branch_committee', 'theme_day'];
		if (m % 3 === 0) types.push('branch_assembly', 'party_lesson');
		if (m === 12) types.push('life_meeting', 'member_review');
		await ok(township.post('/api/v1/meetings', { org_id: b.id, held_on: `2023-${mm}-${m === 12 ? 20 : 10}`, types, topic: `${m}月组织生活` }), 201);
	}
	const st = await ok(township.get(`/api/v1/compliance/status?org=${b.id}&date=2023-12-31&subject=meeting`));
	assert.equal(st.items.length, 1);
	const s = st.items[0];
	assert.equal(s.status, 'yellow', JSON.stringify(s));
	assert.equal(s.reasons.length, 1);
	assert.equal(s.reasons[0].finding, 'missing');
	assert.equal(s.reasons[0].what, 'branch_committee');
	assert.equal(s.reasons[0].period, '2023年3月');
	assert.match(s.reasons[0].text, /测试村党支部2023年3月：支部委员会未开展/);
	const todo = await ok(township.get('/api/v1/todo?date=2023-12-31&subject=meeting'));
	const mine = todo.items.filter((i) => i.org_id === b.id);
	assert.deepEqual(mine.map((i) => [i.what, i.period, i.finding]), [['branch_committee', '2023年3月', 'missing']]);
	// newest period first
	const starts = todo.items.filter((i) => i.start).map((i) => i.start);
	assert.deepEqual(starts, [...starts].sort().reverse());
	// a second skipped month turns it red; a late meeting (within the grace days) is only yellow
	const rules = (await ok(township.get('/api/v1/rules'))).items;
	const committee = rules.find((x) => x.what === 'branch_committee');
	assert.equal(committee.frequency, 'monthly');
	assert.equal(committee.what_label, '支部委员会');
	await ok(township.post('/api/v1/meetings', { org_id: b.id, held_on: '2023-04-02', types: ['branch_committee'], topic: '补开三月支委会' }), 201);
	const late = (await ok(township.get(`/api/v1/compliance/status?org=${b.id}&date=2023-12-31&subject=meeting`))).items[0];
	assert.equal(late.status, 'yellow');
	assert.equal(late.reasons[0].finding, 'late');
	// staff change the rule from July on: two committee meetings a month; earlier months keep the old rule
	let r = await township.put(`/api/v1/rules/${committee.id}`, { version: committee.version, effective_from: '2023-07-01', per_period: 2 });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.body.previous_id, committee.id);
	assert.equal((await sec1.put(`/api/v1/rules/${r.body.id}`, { version: 1, effective_from: '2023-08-01', per_period: 1 })).status, 403);
	r = await township.put(`/api/v1/rules/${r.body.id}`, { version: r.body.version, effective_from: '2023-06-01', per_period: 1, severity: 'urgent' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.effective_from && r.body.error.fields.severity);
	const table = await ok(township.get(`/api/v1/compliance?org=${b.id}&from=2023-01-01&to=2023-12-31`));
	const cm = table.items.filter((i) => i.what === 'branch_committee');
	assert.equal(cm.length, 12);
	assert.equal(cm.find((i) => i.period === '2023年6月').expected, 1);
	assert.equal(cm.find((i) => i.period === '2023年7月').expected, 2);
	assert.equal(cm.find((i) => i.period === '2023年7月').finding, 'incomplete');
	const red = (await ok(township.get(`/api/v1/compliance/status?org=${b.id}&date=2023-12-31&subject=meeting`))).items[0];
	assert.equal(red.status, 'yellow', 'incomplete is not missing');
	const hist = (await ok(township.get('/api/v1/rules?all=1'))).items.filter((x) => x.what === 'branch_committee');
	assert.equal(hist.length, 2);
	assert.equal(hist[0].valid_to, '2023-07-01');
});

test('the demo township\'s statuses on 2022-12-31 are a mix of green, yellow and red, with reasons', async () => {
	// the demo's own orgs (a test above added a branch of its own, with 2023 meetings only)
	const demo = new Set(orgs.map((o) => o.id));
	const st = await ok(township.get(`/api/v1/compliance/status?org=${root.id}&date=2022-12-31&subject=meeting`));
	st.items = st.items.filter((b) => demo.has(b.org_id));
	st.counts = { green: 0, yellow: 0, red: 0 };
	for (const b of st.items) st.counts[b.status]++;
	const branches = orgs.filter((o) => o.kind === 'branch' || o.kind === 'general_branch');
	assert.equal(st.items.length, branches.length);
	assert.equal(st.items.length, 20);
	assert.ok(st.counts.green >= 10, JSON.stringify(st.counts));
	assert.ok(st.counts.yellow >= 2, JSON.stringify(st.counts));
	assert.ok(st.counts.red >= 2, JSON.stringify(st.counts));
	assert.match(st.rule, /红/);
	for (const b of st.items) {
		if (b.status === 'green') assert.deepEqual(b.reasons, []);
		else assert.ok(b.reasons.length > 0 && b.reasons.every((x) => x.text), `${b.name} says why`);
		if (b.status === 'red') assert.ok(b.reasons.some((x) => x.finding === 'missing'));
	}
	const reds = st.items.filter((b) => b.status === 'red');
	assert.ok(reds.some((b) => b.reasons.some((x) => x.what === 'branch_assembly' && x.period === '2022年第2季度')));
	const yellows = st.items.filter((b) => b.status === 'yellow');
	assert.ok(yellows.every((b) => b.reasons.length === 1 && b.reasons[0].what === 'branch_committee'));
	// the township's to-do on that day lists exactly the findings behind the statuses
	const todo = await ok(township.get('/api/v1/todo?date=2022-12-31&subject=meeting'));
	const fromStatus = st.items.flatMap((b) => b.reasons).length;
	assert.equal(todo.items.filter((i) => demo.has(i.org_id)).length, fromStatus);
});

test('the compliance table of the demo for 2022: branches x requirement x period, computed from the meetings', async () => {
	const demo = new Set(orgs.map((o) => o.id));
	const t = await ok(township.get(`/api/v1/compliance?org=${root.id}&from=2022-01-01&to=2022-12-31`));
	t.orgs = t.orgs.filter((o) => demo.has(o.org_id));
	t.items = t.items.filter((i) => demo.has(i.org_id));
	assert.equal(t.from, '2022-01-01');
	const branches = t.orgs.filter((o) => o.kind !== 'party_group');
	assert.equal(branches.length, 20);
	const committee = t.items.filter((i) => i.what === 'branch_committee');
	assert.equal(committee.length, 20 * 12);
	const missing = committee.filter((i) => i.finding === 'missing');
	assert.equal(missing.length, 6, 'four branches skipped one month, one skipped two');
	const assemblies = t.items.filter((i) => i.what === 'branch_assembly');
	assert.equal(assemblies.length, 20 * 4);
	assert.equal(assemblies.filter((i) => i.finding === 'missing').length, 2);
	const groups = t.items.filter((i) => i.what === 'group_meeting');
	assert.equal(groups.length, t.orgs.filter((o) => o.kind === 'party_group').length * 12);
	assert.ok(groups.every((i) => i.finding === 'none' && i.done === 1));
	const yearly = t.items.filter((i) => i.frequency === 'yearly');
	assert.equal(yearly.length, 40);
	assert.ok(yearly.every((i) => i.finding === 'none' && i.period === '2022年'));
	assert.equal(t.items.find((i) => i.what === 'theme_day' && i.period === '2022年2月').what_label, '主题党日');
	// a secretary sees only their branch's rows
	const mine = await ok(sec1.get('/api/v1/compliance?from=2022-01-01&to=2022-12-31'));
	assert.ok(mine.items.every((i) => i.org_id === v1.id || orgs.find((o) => o.id === i.org_id).parent_id === v1.id));
	assert.equal((await township.get('/api/v1/compliance?from=2022-12-01&to=2022-01-01')).status, 400);
});
