// honours.test.mjs - honours (评先评优): a round from nomination to award with an objection upheld, quota / eligibility / scope refusals, the public notice and objection form, the register and the demo's 2022 figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, sec1, sec2, reviewer, pub, orgs, root, v1, v2;

async function login(username, password = DEMO_PASSWORD) {
	const c = new Client(srv.base);
	const r = await c.login(username, password);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

async function grantOrg(c) {
	const me = (await ok(c.get('/api/v1/session'))).user;
	const g = (me.grants || me.roles || [])[0];
	return orgs.find((o) => o.id === (g.org_id ?? g.org?.id));
}

/* Today in China (UTC+8), and a day n days before, as YYYY-MM-DD. */
function chinaDay(offset = 0) {
	return new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);
}

async function peopleOf(orgId) {
	return (await ok(township.get(`/api/v1/people?org=${orgId}&page_size=200`))).items;
}

before(async () => {
	srv = await startServer({ ZHIBU_PUBLIC_RATE: '4' }, { demo: true });
	township = await login('township');
	sec1 = await login('secretary1');
	sec2 = await login('secretary2');
	reviewer = await login('reviewer');
	pub = new Client(srv.base);
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
	v1 = await grantOrg(sec1);
	v2 = await grantOrg(sec2);
	assert.ok(v1 && v2 && v1.id !== v2.id);
});
after(async () => { await srv.stop(); });

test('the demo township\'s 2022 register gives the seed: 20 / 10 / 2 / 10 / 5', async () => {
	const c = await ok(township.get('/api/v1/honours/register/counts?year=2022'));
	const by = Object.fromEntries(c.by_category.map((x) => [x.label, x.count]));
	assert.deepEqual(by, { 优秀共产党员: 10, 优秀党务工作者: 20, 十星级文明户: 2, 文明家庭: 10, 最美家庭: 5 });
	assert.equal(c.total, 47);
	assert.deepEqual(c.by_year, [{ year: 2022, count: 47 }]);
	assert.ok(c.by_org.length >= 10);
	/* the withdrawn nominee of 2022 is in the round, not in the register */
	const rounds = (await ok(township.get('/api/v1/honours/rounds?year=2022'))).items;
	assert.equal(rounds.length, 5);
	assert.ok(rounds.every((r) => r.status === 'decided' && r.notice_from === '2022-11-21' && r.notice_to === '2022-11-25'));
	const members = rounds.find((r) => r.category === 'excellent_member');
	assert.deepEqual(members.counts, { nominated: 0, approved: 0, rejected: 0, withdrawn: 1, awarded: 10 });
	const full = await ok(township.get(`/api/v1/honours/rounds/${members.id}`));
	const w = full.nominations.find((n) => n.status === 'withdrawn');
	assert.match(w.withdrawn_reason, /^异议成立：/);
	assert.equal(w.objections[0].status, 'upheld');
	/* every awarded 优秀共产党员 is a full member: the rule was applied to the demo too */
	for (const n of full.nominations.filter((x) => x.status === 'awarded')) {
		const p = await ok(township.get(`/api/v1/people/${n.nominee_id}`));
		assert.equal(p.political_status, 'member');
	}
	/* the discipline reviewer reads the register; a secretary sees its own branch's only */
	const all = await ok(reviewer.get('/api/v1/honours/register?year=2022&page_size=100'));
	assert.equal(all.total, 47);
	const mine = await ok(sec1.get('/api/v1/honours/register?year=2022&page_size=100'));
	assert.ok(mine.total > 0 && mine.total < 47);
	assert.ok(mine.items.every((i) => i.org_id === v1.id));
	/* export */
	const x = await township.bytes('/api/v1/honours/register.xlsx?year=2022');
	assert.equal(x.status, 200);
	assert.match(x.headers.get('content-type'), /spreadsheetml/);
	assert.equal(x.body.subarray(0, 2).toString(), 'PK');
	assert.match(x.headers.get('content-disposition'), /attachment/);
});

test('a round from nomination to award, with an objection upheld; quota, eligibility and scope refused', async () => {
	const people = await peopleOf(v1.id);
	const members = people.filter((p) => p.political_status === 'member');
	const masses = people.find((p) => p.political_status === 'masses' || p.political_status === 'league');
	const other = (await peopleOf(v2.id)).find((p) => p.political_status === 'member');
	assert.ok(members.length >= 3 && masses && other);
	const cats = await ok(township.get('/api/v1/honours/categories'));
	assert.equal(cats.notice_min_days, 5);
	assert.equal(cats.items.find((c) => c.code === 'excellent_member').rule, 'party_member');

	/* a secretary cannot open a round; the township can, with quotas per branch */
	let r = await sec1.post('/api/v1/honours/rounds', { org_id: v1.id, year: 2025, category: 'excellent_member' });
	assert.equal(r.status, 403, r.text);
	r = await township.post('/api/v1/honours/rounds', { org_id: root.id, year: 2025, category: 'excellent_member', notice_days: 3 });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.notice_days, /不能少于5个工作日/);
	let round = await ok(township.post('/api/v1/honours/rounds', {
		org_id: root.id, year: 2025, category: 'excellent_member',
		quotas: [{ org_id: v1.id, quota: 2 }, { org_id: v2.id, quota: 1 }],
	}), 201);
	assert.equal(round.title, '2025年度优秀共产党员评选');
	assert.equal(round.status, 'open');
	assert.equal(round.notice_days, 5);

	/* secretaries see the round and nominate for their own branch */
	const seen = await ok(sec1.get('/api/v1/honours/rounds?year=2025'));
	assert.equal(seen.items.length, 1);
	const meetings = (await ok(sec1.get(`/api/v1/meetings?org=${v1.id}&page_size=5`))).items;
	const theirMeeting = (await ok(sec2.get(`/api/v1/meetings?org=${v2.id}&page_size=1`))).items[0];
	assert.ok(meetings.length && theirMeeting);

	/* not eligible: a non-member for 优秀共产党员 */
	r = await sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, { org_id: v1.id, nominee_id: masses.id, reason: '热心公益' });
	assert.equal(r.status, 400, r.text);
	assert.match(r.body.error.fields.nominee_id, /只能推荐正式党员/);
	/* outside the nominating org */
	r = await sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, { org_id: v1.id, nominee_id: other.id, reason: '表现突出' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.nominee_id, /不在推荐组织范围内/);
	/* another branch as the nominating org: not in the secretary's scope */
	r = await sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, { org_id: v2.id, nominee_id: other.id, reason: '表现突出' });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.org_id, '组织不存在');
	/* a link to another branch's meeting */
	r = await sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, {
		org_id: v1.id, nominee_id: members[0].id, reason: '带头作用突出', links: [{ kind: 'meeting', id: theirMeeting.id }],
	});
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.links, /不存在或不属于推荐组织/);

	const a = await ok(sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, {
		org_id: v1.id, nominee_id: members[0].id, reason: '带头学习，联系农户12户，办实事8件',
		links: [{ kind: 'meeting', id: meetings[0].id }],
	}), 201);
	assert.equal(a.status, 'nominated');
	assert.equal(a.links.length, 1);
	assert.equal(a.links[0].kind, 'meeting');
	assert.ok(a.links[0].title.includes(meetings[0].topic));
	const b = await ok(sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, {
		org_id: v1.id, nominee_id: members[1].id, reason: '疫情防控期间坚守一线',
	}), 201);
	/* the same nominee twice, then over the quota */
	r = await sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, { org_id: v1.id, nominee_id: members[1].id, reason: '再次推荐' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.nominee_id, /已在本轮被推荐/);
	r = await sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, { org_id: v1.id, nominee_id: members[2].id, reason: '工作认真' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.org_id, /超出推荐名额.*本轮名额2名，已推荐2名/);

	/* scope: the other branch's secretary sees neither nomination */
	assert.equal((await sec2.get(`/api/v1/honours/nominations/${a.id}`)).status, 404);
	const r2 = await ok(sec2.get(`/api/v1/honours/rounds/${round.id}`));
	assert.equal(r2.nominations.length, 0);
	/* a secretary may not review */
	assert.equal((await sec1.post(`/api/v1/honours/nominations/${a.id}/review`, { version: a.version, decision: 'approve' })).status, 403);

	/* the round may be changed while nominating, with the version read */
	round = await ok(township.get(`/api/v1/honours/rounds/${round.id}`));
	assert.deepEqual(round.quotas.map((q) => [q.org_id, q.quota, q.used]), [[v1.id, 2, 2], [v2.id, 1, 0]]);
	round = await ok(township.put(`/api/v1/honours/rounds/${round.id}`, {
		version: round.version, title: '2025年度优秀共产党员评选（镇级）', quotas: [{ org_id: v1.id, quota: 2 }],
	}));
	assert.equal(round.title, '2025年度优秀共产党员评选（镇级）');
	assert.equal(round.quotas.length, 1);
	r = await township.put(`/api/v1/honours/rounds/${round.id}`, { version: round.version - 1, title: '旧版本' });
	assert.equal(r.status, 409);
	r = await township.put(`/api/v1/honours/rounds/${round.id}`, { version: round.version, quotas: [{ org_id: 999999, quota: 1 }] });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.quotas, /不在本轮评选范围内/);

	/* notice refused while something awaits review */
	round = await ok(township.get(`/api/v1/honours/rounds/${round.id}`));
	r = await township.post(`/api/v1/honours/rounds/${round.id}/notice`, { version: round.version });
	assert.equal(r.status, 409);
	assert.match(r.body.error.message, /还有2个推荐未审核/);
	await ok(township.post(`/api/v1/honours/nominations/${a.id}/review`, { version: a.version, decision: 'approve', note: '同意' }));
	r = await township.post(`/api/v1/honours/nominations/${b.id}/review`, { version: b.version, decision: 'reject' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.note, /须填写审核意见/);
	const bApproved = await ok(township.post(`/api/v1/honours/nominations/${b.id}/review`, { version: b.version, decision: 'approve' }));
	r = await township.post(`/api/v1/honours/nominations/${b.id}/review`, { version: b.version, decision: 'approve' });
	assert.equal(r.status, 409, 'a stale version');

	/* the notice as posted on paper 20 days ago: five working days, weekends skipped */
	const from = chinaDay(-20);
	round = await ok(township.post(`/api/v1/honours/rounds/${round.id}/notice`, { version: round.version, notice_from: from }));
	assert.equal(round.status, 'notice');
	let d = new Date(round.notice_from + 'T00:00:00Z');
	assert.ok(d.getUTCDay() !== 0 && d.getUTCDay() !== 6);
	let n = 1;
	while (n < 5) { d = new Date(d.getTime() + 86400e3); if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) n++; }
	assert.equal(round.notice_to, d.toISOString().slice(0, 10));
	assert.equal(round.notice_ended, true);
	assert.equal(round.in_notice, false);

	/* an objection received during the notice, recorded by staff; one from the public now is too late */
	const withObj = await ok(township.post(`/api/v1/honours/nominations/${b.id}/objections`, {
		text: '有群众反映该同志长期不参加组织生活', received_on: round.notice_from,
	}), 201);
	assert.equal(withObj.objections.length, 1);
	r = await township.post(`/api/v1/honours/nominations/${a.id}/objections`, { text: '公示结束后才收到的异议', received_on: chinaDay() });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.received_on, /公示期已结束/);
	r = await pub.post('/api/v1/public/honours/objections', { nomination_id: a.id, text: '公示结束后提出异议' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.nomination_id, /公示期已结束/);

	/* the to-do shows both the open objection and the undecided notice */
	const todo = await ok(township.get('/api/v1/todo?subject=honour'));
	assert.ok(todo.items.some((i) => i.finding === 'objection_open' && i.link === `/honours/rounds/${round.id}`), JSON.stringify(todo.items.slice(0, 3)));
	assert.ok(todo.items.some((i) => i.finding === 'undecided' && i.link === `/honours/rounds/${round.id}`));

	/* no decision with an objection open */
	r = await township.post(`/api/v1/honours/rounds/${round.id}/decide`, { version: round.version });
	assert.equal(r.status, 409);
	assert.match(r.body.error.message, /异议未处理/);
	const obj = withObj.objections[0];
	r = await township.post(`/api/v1/honours/objections/${obj.id}/handle`, { version: obj.version, decision: 'upheld' });
	assert.equal(r.status, 400);
	const handled = await ok(township.post(`/api/v1/honours/objections/${obj.id}/handle`, {
		version: obj.version, decision: 'upheld', reason: '经核实会议记录，该同志连续三个月缺席',
	}));
	assert.equal(handled.status, 'withdrawn');
	assert.equal(handled.withdrawn_reason, '异议成立：经核实会议记录，该同志连续三个月缺席');
	assert.equal(handled.objections[0].status, 'upheld');
	assert.ok(bApproved.version < handled.version);

	round = await ok(township.get(`/api/v1/honours/rounds/${round.id}`));
	round = await ok(township.post(`/api/v1/honours/rounds/${round.id}/decide`, { version: round.version }));
	assert.equal(round.status, 'decided');
	assert.equal(round.decided_on, chinaDay());
	assert.deepEqual(round.counts, { nominated: 0, approved: 0, rejected: 0, withdrawn: 1, awarded: 1 });
	assert.equal((await ok(township.get('/api/v1/todo?subject=honour'))).items.filter((i) => i.link === `/honours/rounds/${round.id}`).length, 0);

	/* the register: on the person's page, in the counts */
	const reg = await ok(sec1.get(`/api/v1/honours/register?nominee_kind=person&nominee_id=${members[0].id}`));
	assert.equal(reg.total, 1);
	assert.equal(reg.items[0].category_label, '优秀共产党员');
	assert.equal(reg.items[0].year, 2025);
	assert.equal((await ok(sec1.get(`/api/v1/honours/register?nominee_kind=person&year=2025&nominee_id=${members[1].id}`))).total, 0);
	assert.equal((await ok(sec2.get(`/api/v1/honours/register?nominee_kind=person&nominee_id=${members[0].id}`))).total, 0);
	const counts = await ok(township.get('/api/v1/honours/register/counts?year=2025'));
	assert.deepEqual(counts.by_category, [{ category: 'excellent_member', label: '优秀共产党员', count: 1 }]);
	/* a decided round cannot be changed */
	r = await township.put(`/api/v1/honours/rounds/${round.id}`, { version: round.version, title: '改名' });
	assert.equal(r.status, 409);
});

test('a household round on public notice now: the public page and objection form, no personal data', async () => {
	const hh = (await ok(sec1.get(`/api/v1/households?org=${v1.id}&page_size=5`))).items;
	assert.ok(hh.length >= 2);
	let round = await ok(township.post('/api/v1/honours/rounds', { org_id: root.id, year: 2026, category: 'civilized_family', title: '2026年度文明家庭评选' }), 201);
	/* an unknown household */
	let r = await sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, { org_id: v1.id, nominee_id: 999999, reason: '家庭和睦' });
	assert.equal(r.status, 400);
	const n1 = await ok(sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, { org_id: v1.id, nominee_id: hh[0].id, reason: '家庭和睦，邻里互助' }), 201);
	assert.equal(n1.nominee_kind, 'household');
	assert.equal(n1.nominee_name, `${hh[0].head_name}家庭`);
	await ok(township.post(`/api/v1/honours/nominations/${n1.id}/review`, { version: n1.version, decision: 'approve' }));
	round = await ok(township.get(`/api/v1/honours/rounds/${round.id}`));
	/* posted three days ago: five working days always reach past today, weekends or not */
	round = await ok(township.post(`/api/v1/honours/rounds/${round.id}/notice`, { version: round.version, notice_from: chinaDay(-3) }));
	assert.equal(round.status, 'notice');
	assert.equal(round.in_notice, true);

	const list = await ok(pub.get('/api/v1/public/honours/notices'));
	const mine = list.items.find((x) => x.id === round.id);
	assert.ok(mine, 'listed while in its period');
	assert.deepEqual(Object.keys(mine.nominees[0]).sort(), ['id', 'name', 'unit']);
	assert.equal(mine.nominees[0].name, `${hh[0].head_name}家庭`);
	assert.equal(mine.nominees[0].unit, v1.name);
	assert.ok(!JSON.stringify(list).includes(hh[0].address), 'no address on the public page');
	const one = await ok(pub.get(`/api/v1/public/honours/notices/${round.id}`));
	assert.equal(one.title, '2026年度文明家庭评选');

	r = await pub.post('/api/v1/public/honours/objections', { nomination_id: n1.id, text: '<script>alert(1)</script>该户有违建' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.text, /HTML/);
	r = await pub.post('/api/v1/public/honours/objections', { nomination_id: n1.id, text: '该户去年有私搭乱建行为尚未整改' });
	assert.equal(r.status, 201, r.text);
	assert.match(r.body.message, /已收到/);
	const got = await ok(township.get(`/api/v1/honours/nominations/${n1.id}`));
	assert.equal(got.objections[0].source, 'public');
	assert.equal(got.objections[0].status, 'open');
	/* dismissed with a reason; the nominee stays */
	const kept = await ok(township.post(`/api/v1/honours/objections/${got.objections[0].id}/handle`, {
		version: got.objections[0].version, decision: 'dismissed', reason: '经实地核查已于今年整改完毕',
	}));
	assert.equal(kept.status, 'approved');
	assert.equal(kept.objections[0].status, 'dismissed');
	/* no decision before the period has ended */
	r = await township.post(`/api/v1/honours/rounds/${round.id}/decide`, { version: round.version });
	assert.equal(r.status, 409);
	assert.match(r.body.error.message, /期满后才能评定/);
	/* the public form is rate-limited per address */
	let limited = false;
	for (let i = 0; i < 6 && !limited; i++) {
		r = await pub.post('/api/v1/public/honours/objections', { nomination_id: n1.id, text: '重复提交的异议内容' });
		limited = r.status === 429;
	}
	assert.ok(limited, 'the objection form answers 429 past the limit');
	/* an unknown round is 404 for everyone */
	assert.equal((await township.get('/api/v1/honours/rounds/999999')).status, 404);
	assert.equal((await township.get('/api/v1/honours/nominations/999999')).status, 404);
});
