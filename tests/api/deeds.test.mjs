// deeds.test.mjs - residents' requests end to end: the public page (submit, track, confirm), a grid worker taking it to 办结, reopening, the overdue finding in the to-do, grid-worker scope, the demo's 200 deeds of 2022, and refusals (markup, size, rate limit) that store nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

const RATE = 8;	// public submissions per address per 10 minutes on this server
let srv, township, gw, sec1, pub, orgs, v3, myGrids, otherGrid;

async function login(username) {
	const c = new Client(srv.base);
	const r = await c.login(username, DEMO_PASSWORD);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

let submissions = 0;	// every public POST counts against the address's budget
function submit(body) {
	submissions++;
	return pub.post('/api/v1/public/requests', body);
}

async function totalDeeds() {
	return (await ok(township.get('/api/v1/deeds?page_size=1'))).total;
}

before(async () => {
	srv = await startServer({ ZHIBU_PUBLIC_RATE: String(RATE) }, { demo: true });
	township = await login('township');
	gw = await login('gridworker');
	sec1 = await login('secretary1');
	pub = new Client(srv.base);
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	myGrids = (await ok(gw.get('/api/v1/grids'))).items;
	assert.equal(myGrids.length, 2, 'the demo grid worker works two grids');
	v3 = orgs.find((o) => o.id === myGrids[0].org_id);
	const all = (await ok(township.get(`/api/v1/grids?org=${v3.id}`))).items;
	assert.equal(all.length, 3);
	otherGrid = all.find((g) => !myGrids.some((m) => m.id === g.id));
	assert.ok(otherGrid);
});
after(async () => { await srv.stop(); });

test('the demo township: exactly 200 deeds done in 2022, from records, by month, category and org', async () => {
	const s = await ok(township.get('/api/v1/deeds/stats?from=2022-01-01&to=2022-12-31'));
	assert.equal(s.done, 200);
	assert.equal(s.by_month.reduce((n, m) => n + m.done, 0), 200);
	assert.equal(s.by_category.reduce((n, m) => n + m.done, 0), 200);
	assert.equal(s.by_org.reduce((n, m) => n + m.done, 0), 200);
	assert.ok(s.by_month.every((m) => /^2022-\d\d$/.test(m.month)));
	assert.ok(s.by_category.some((c) => c.label === '帮扶救助'));
	assert.ok(s.received > 200 && s.open > 0 && s.reopened > 0 && s.overdue > 0, JSON.stringify(s));
	assert.ok(s.response_hours > 0 && s.resolution_hours > s.response_hours);
	assert.ok(s.satisfaction.answers >= 5 && s.satisfaction.average >= 1 && s.satisfaction.average <= 5);
	// every done deed is traceable to a household and the member behind it
	const done = await ok(township.get('/api/v1/deeds?status=done&from=2022-01-01&to=2022-12-31&page_size=100'));
	assert.equal(done.total, 200);
	assert.ok(done.items.every((d) => d.household_id && d.member_id && d.member_name && d.done));
	// a year without records shows nothing, and satisfaction is withheld under 5 answers
	const none = await ok(township.get('/api/v1/deeds/stats?from=2019-01-01&to=2019-12-31'));
	assert.equal(none.done, 0);
	assert.equal(none.satisfaction.average, null);
	assert.match(none.satisfaction.note, /不足5/);
	// the grid worker's figures cover its own grids only
	const mine = await ok(gw.get('/api/v1/deeds/stats?from=2022-01-01&to=2022-12-31'));
	assert.ok(mine.done > 0 && mine.done < 200);
});

test('a resident submits on the public page, tracks it by code, a grid worker takes it to 办结; "not solved" reopens it', async () => {
	const targets = await ok(pub.get('/api/v1/public/requests/targets'));
	const t = targets.items.find((o) => o.org_id === v3.id);
	assert.ok(t && t.grids.some((g) => g.id === myGrids[0].id));
	assert.ok(targets.categories.some((c) => c.code === 'infrastructure'));
	// the English page has the dictionaries' English labels
	const infra = targets.categories.find((c) => c.code === 'infrastructure');
	assert.equal(infra.label, '基础设施');
	assert.equal(infra.label_en, 'Infrastructure');
	assert.ok(targets.categories.every((c) => c.label_en && !/[\u4e00-\u9fff]/.test(c.label_en)), JSON.stringify(targets.categories));

	const before = await totalDeeds();
	const r = await ok(submit({
		org_id: v3.id, grid_id: myGrids[0].id, category: 'infrastructure', title: '巷道路灯不亮',
		content: '三组巷道的路灯坏了一周，晚上老人出行不便。', resident_name: '王大姐', phone: '13912345678',
		place: '三组王家巷道口',
	}), 201);
	assert.match(r.code, /^[0-9A-HJKMNP-TV-Z]{12}$/);
	assert.equal(r.status, 'registered');
	assert.equal(r.status_label, '登记');
	assert.ok(r.due_on > r.received_on);
	assert.equal(await totalDeeds(), before + 1);

	// tracking: the status and public history only - no names or phones
	const tracked = await ok(pub.get(`/api/v1/public/requests/${r.code.toLowerCase().replace(/(....)/g, '$1-').slice(0, 14)}`));
	assert.equal(tracked.code, r.code);
	assert.equal(tracked.status_label, '登记');
	const text = JSON.stringify(tracked);
	assert.ok(!text.includes('王大姐') && !text.includes('5678') && !text.includes('resident_name'), text);
	assert.ok(!text.includes('王家巷道口') && !('place' in tracked), 'the place may name a household: not public');
	assert.equal((await pub.get('/api/v1/public/requests/0000000000ZZ')).status, 404);

	// the grid worker finds it in its list, with the phone masked
	const list = await ok(gw.get(`/api/v1/deeds?q=${r.code}`));
	assert.equal(list.total, 1);
	let d = list.items[0];
	assert.equal(d.phone_masked, '139****5678');
	assert.equal(d.channel, 'online');
	assert.equal(d.place, '三组王家巷道口', 'staff see the place as its own field');
	assert.ok(!d.content.includes('王家巷道口'));
	assert.equal((await ok(gw.get(`/api/v1/deeds/${d.id}`))).place, '三组王家巷道口');
	assert.ok(!JSON.stringify(d).includes('13912345678'));

	// an action the status does not allow is refused with the reason
	const bad = await gw.post(`/api/v1/deeds/${d.id}/close`, { version: d.version, reason: 'solved', note: '已修好' });
	assert.equal(bad.status, 409, bad.text);
	assert.match(bad.body.error.message, /当前状态为“登记”，不能办结/);
	d = await ok(gw.post(`/api/v1/deeds/${d.id}/accept`, { version: d.version, note: '已受理' }));
	assert.equal(d.status_label, '受理');
	const stale = await gw.post(`/api/v1/deeds/${d.id}/start`, { version: d.version - 1 });
	assert.equal(stale.status, 409);
	d = await ok(gw.post(`/api/v1/deeds/${d.id}/start`, { version: d.version }));
	assert.equal(d.status, 'in_progress');
	const noreason = await gw.post(`/api/v1/deeds/${d.id}/close`, { version: d.version, reason: 'fixed', note: 'x' });
	assert.equal(noreason.status, 400);
	d = await ok(gw.post(`/api/v1/deeds/${d.id}/close`, { version: d.version, reason: 'solved', note: '已联系电工更换灯泡' }));
	assert.equal(d.status_label, '办结');
	assert.equal(d.done, true);
	assert.deepEqual(d.history.map((h) => h.to_status), ['registered', 'accepted', 'in_progress', 'closed']);

	// the resident says it is not solved: back to 办理中, counted as reopened, no longer done
	let p = await ok(pub.get(`/api/v1/public/requests/${r.code}`));
	assert.equal(p.can_confirm, true);
	p = await ok(pub.post(`/api/v1/public/requests/${r.code}/confirm`, { solved: false, comment: '只修好了一盏' }));
	assert.equal(p.status, 'in_progress');
	d = await ok(gw.get(`/api/v1/deeds/${d.id}`));
	assert.equal(d.reopened, 1);
	assert.equal(d.done, false);
	assert.equal(d.close_reason, null);
	const again = await pub.post(`/api/v1/public/requests/${r.code}/confirm`, { solved: true });
	assert.equal(again.status, 409, 'only a closed request can be confirmed');

	// closed again and confirmed by the grid worker's follow-up call
	d = await ok(gw.post(`/api/v1/deeds/${d.id}/close`, { version: d.version, reason: 'solved', note: '全部路灯已更换' }));
	d = await ok(gw.post(`/api/v1/deeds/${d.id}/follow-up`, { version: d.version, solved: true, satisfaction: 5 }));
	assert.equal(d.status_label, '已回访');
	assert.equal(d.done, true);
	assert.equal(d.satisfaction, 5);
	p = await ok(pub.get(`/api/v1/public/requests/${r.code}`));
	assert.equal(p.status, 'followed_up');
	assert.ok(p.history.length >= 6);
	assert.ok(p.history.every((h) => !('by_name' in h)));
});

test('routing and escalation: to the township with a reason, audited; a reason is required', async () => {
	const d0 = await ok(gw.post('/api/v1/deeds', {
		org_id: v3.id, grid_id: myGrids[1].id, category: 'mediation', channel: 'visit', title: '草场边界纠纷',
	}), 201);
	assert.equal(d0.level, 'grid');
	const noreason = await gw.post(`/api/v1/deeds/${d0.id}/route`, { version: d0.version, level: 'township', reason: '' });
	assert.equal(noreason.status, 400);
	const d = await ok(gw.post(`/api/v1/deeds/${d0.id}/route`, { version: d0.version, level: 'township', reason: '涉及两个嘎查，需镇里协调' }));
	assert.equal(d.level, 'township');
	assert.equal(d.escalations, 1);
	assert.ok(d.history.some((h) => h.action === 'route' && /镇里协调/.test(h.note)));
	const p = await ok(pub.get(`/api/v1/public/requests/${d.code}`));
	assert.ok(!JSON.stringify(p).includes('镇里协调'), 'the reason stays internal');
});

test('an overdue request appears in the to-do inbox', async () => {
	const d = await ok(gw.post('/api/v1/deeds', {
		org_id: v3.id, grid_id: myGrids[0].id, category: 'policy', channel: 'phone', title: '医保缴费咨询',
		received_on: '2026-01-05',
	}), 201);
	assert.equal(d.due_on, '2026-01-08');	// 3 working days
	assert.equal(d.overdue, true);
	const todo = await ok(township.get('/api/v1/todo?subject=deed,visit'));
	const f = todo.items.find((i) => i.link === `/deeds/${d.id}`);
	assert.ok(f, JSON.stringify(todo.items.slice(0, 3)));
	assert.equal(f.finding, 'overdue');
	assert.equal(f.org_id, v3.id);
	const overdue = await ok(gw.get('/api/v1/deeds?overdue=1&page_size=100'));
	assert.ok(overdue.items.some((x) => x.id === d.id));
	// silent households show up as one finding per grid, not one per household
	const silent = todo.items.filter((i) => i.finding === 'silent');
	assert.ok(silent.length > 0);
	assert.equal(new Set(silent.map((i) => i.link)).size, silent.length);
	// subject=deed keeps the requests only
	assert.ok((await ok(township.get('/api/v1/todo?subject=deed'))).items.every((i) => i.subject === 'deed'));
	// a grid worker's to-do holds their own grids only
	const mine = (await ok(gw.get('/api/v1/todo?subject=deed,visit'))).items;
	assert.ok(mine.some((i) => i.link === `/deeds/${d.id}`));
	const own = new Set(myGrids.map((g) => `/grids/${g.id}?tab=silent`));
	const gwSilent = mine.filter((i) => i.finding === 'silent');
	assert.ok(gwSilent.every((i) => own.has(i.link)), JSON.stringify(gwSilent.map((i) => i.link)));
	assert.ok(silent.some((i) => !own.has(i.link)), 'the township sees other grids too');
});

test('scope: a grid worker sees only its own grids; 404 on another grid\'s household and deed', async () => {
	const hh = (await ok(township.get(`/api/v1/households?grid=${otherGrid.id}&page_size=1`))).items[0];
	assert.equal((await gw.get(`/api/v1/households/${hh.id}`)).status, 404);
	assert.equal((await gw.get(`/api/v1/grids/${otherGrid.id}`)).status, 404);
	assert.equal((await gw.get(`/api/v1/grids/${otherGrid.id}/silent`)).status, 404);
	const other = (await ok(township.get(`/api/v1/deeds?grid=${otherGrid.id}&page_size=1`))).items[0];
	assert.ok(other);
	assert.equal((await gw.get(`/api/v1/deeds/${other.id}`)).status, 404);
	assert.equal((await gw.post(`/api/v1/deeds/${other.id}/accept`, { version: other.version })).status, 404);
	const mine = await ok(gw.get('/api/v1/deeds?page_size=100'));
	assert.ok(mine.total > 0);
	assert.ok(mine.items.every((x) => myGrids.some((g) => g.id === x.grid_id)));
	const hhs = await ok(gw.get('/api/v1/households?page_size=100'));
	assert.equal(hhs.total, 16);
	assert.ok(hhs.items.every((x) => myGrids.some((g) => g.id === x.grid_id)));
	// intake on a grid that is not its own is refused
	const r = await gw.post('/api/v1/deeds', { org_id: v3.id, grid_id: otherGrid.id, category: 'relief', channel: 'visit', title: '取暖' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.grid_id);
	// a secretary of another branch sees nothing of this branch's requests
	assert.equal((await sec1.get(`/api/v1/deeds/${other.id}`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/deeds?org=${v3.id}`)).status, 404);
});

test('bad public input: markup, oversized text and missing fields are refused in Chinese and nothing is stored', async () => {
	const before = await totalDeeds();
	const base = { org_id: v3.id, category: 'relief', title: '求助', content: '家里没有取暖煤了' };
	let r = await submit({ ...base, content: '<script>alert(1)</script>' });
	assert.equal(r.status, 400, r.text);
	assert.match(r.body.error.fields.content, /HTML 标签或脚本/);
	r = await submit({ ...base, title: '<img src=x onerror=alert(1)>', place: '<b>村口</b>' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.title);
	assert.match(r.body.error.fields.place, /地点.*HTML 标签或脚本/);
	r = await submit({ ...base, content: '字'.repeat(1001), place: '地'.repeat(101) });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.content, /诉求内容/);
	assert.match(r.body.error.fields.place, /地点/);
	r = await submit({ org_id: v3.id });
	assert.equal(r.status, 400);
	assert.ok(/诉求类别/.test(r.body.error.fields.category) && /诉求标题/.test(r.body.error.fields.title) &&
		/诉求内容/.test(r.body.error.fields.content), r.text);
	r = await submit({ ...base, category: 'nope', phone: '12345' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.category && r.body.error.fields.phone);
	assert.equal(await totalDeeds(), before);
});

test('too many public submissions from one address: 429 with a message, and nothing stored', async () => {
	const before = await totalDeeds();
	let created = 0, limited = null;
	for (let i = 0; i < RATE + 2 && !limited; i++) {
		const r = await submit({ org_id: v3.id, category: 'volunteer', title: `帮忙${i}`, content: '需要志愿者帮忙搬家' });
		if (r.status === 201) created++;
		else if (r.status === 429) limited = r;
		else assert.fail(r.text);
	}
	assert.ok(limited, 'the limit was reached');
	assert.equal(submissions - 1, RATE, 'the limit counts every submission, refused ones included');
	assert.equal(limited.body.error.code, 'rate_limited');
	assert.match(limited.body.error.message, /提交过于频繁/);
	assert.equal(await totalDeeds(), before + created);
	// tracking still works for the same address: a separate budget
	assert.equal((await pub.get('/api/v1/public/requests/0000000000ZZ')).status, 404);
});
