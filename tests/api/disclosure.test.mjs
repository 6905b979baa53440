// disclosure.test.mjs - 三务公开 on the demo township: gaps found → rectification → published; finance and personal-data refusals; fake disclosures; corrections shown publicly; the public question limit; scope; tampering caught by `zhibu verify`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, sec1, sec2, reviewer, anon, orgs, v1, v2;

async function login(username, password = DEMO_PASSWORD) {
	const c = new Client(srv.base);
	const r = await c.login(username, password);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

function grantOrg(session) {
	const u = session.user;
	const g = u.grants || u.roles || [];
	return g[0] && (g[0].org_id ?? g[0].org?.id);
}

/** Take a version through submit → (check) → review → publish as the township. */
async function publish(d, finance = false) {
	let v = d.versions[d.versions.length - 1];
	let x = await ok(township.post(`/api/v1/disclosure-versions/${v.id}/submit`, { version: v.version }));
	v = x.versions.find((y) => y.id === v.id);
	if (finance) {
		x = await ok(township.post(`/api/v1/disclosure-versions/${v.id}/check`, { version: v.version }));
		v = x.versions.find((y) => y.id === v.id);
	}
	x = await ok(township.post(`/api/v1/disclosure-versions/${v.id}/review`, { version: v.version }));
	v = x.versions.find((y) => y.id === v.id);
	x = await ok(township.post(`/api/v1/disclosure-versions/${v.id}/publish`, { version: v.version }));
	return x;
}

before(async () => {
	srv = await startServer({}, { demo: true });
	township = await login('township');
	sec1 = await login('secretary1');
	sec2 = await login('secretary2');
	reviewer = await login('reviewer');
	anon = new Client(srv.base);
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	const g1 = grantOrg(await ok(sec1.get('/api/v1/session')));
	const g2 = grantOrg(await ok(sec2.get('/api/v1/session')));
	v1 = orgs.find((o) => o.id === g1);
	v2 = orgs.find((o) => o.id === g2);
	assert.ok(v1 && v2 && v1.id !== v2.id);
});
after(async () => { await srv.stop(); });

test('the catalogue is rules-engine data seeded from the regulations', async () => {
	const cat = (await ok(township.get('/api/v1/disclosure/catalog'))).items;
	const va = cat.find((c) => c.code === 'village_affairs');
	assert.equal(va.affair, 'village');
	assert.equal(va.frequency, 'quarterly');
	assert.equal(va.rule.frequency, 'quarterly');
	assert.ok(cat.find((c) => c.code === 'finance_monthly' && c.transactions === 'many'));
	assert.ok(cat.find((c) => c.code === 'village_major' && c.frequency === 'event' && c.within_days > 0));
	// only township staff edit it
	assert.equal((await sec1.put(`/api/v1/disclosure/catalog/${va.id}`, { version: va.version, name: 'x' })).status, 403);
	const upd = await ok(township.put(`/api/v1/disclosure/catalog/${va.id}`, { version: va.version, due_days: 15, from: '2030-01-01' }));
	assert.equal(upd.rule.due_days, 15);
	assert.equal(upd.rule.valid_from, '2030-01-01');
	assert.equal((await township.put(`/api/v1/disclosure/catalog/${va.id}`, { version: va.version, name: 'x' })).status, 409, 'stale version');
});

test('2022 on the demo: the grid shows what was published when, and the gaps zhibu found', async () => {
	const grid = await ok(township.get('/api/v1/disclosure/grid?year=2022'));
	assert.ok(grid.rows.length >= 12);
	assert.ok(grid.counts.published > 100, JSON.stringify(grid.counts));
	assert.ok(grid.counts.late > 0);
	assert.ok(grid.counts.missing > 0);
	const rank = (await ok(township.get('/api/v1/disclosure/ranking?year=2022'))).items;
	assert.equal(rank[0].rank, 1);
	assert.ok(rank[0].completeness >= rank[rank.length - 1].completeness);
	const xlsx = await township.get('/api/v1/disclosure/grid.xlsx?year=2022');
	assert.equal(xlsx.status, 200);
	assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
	// the demo's fake disclosure: found, rectified, and a talk recorded
	const fakes = (await ok(township.get('/api/v1/disclosure/findings?kind=fake'))).items;
	assert.equal(fakes.length, 1);
	assert.equal(fakes[0].rectification.status, 'done');
	assert.equal(fakes[0].accountability[0].kind, 'talk');
	assert.ok((await ok(township.get('/api/v1/disclosure/accountability'))).items.length >= 1);
});

test('a missing quarterly village-affairs disclosure → finding → rectification → published', async () => {
	const grid = await ok(township.get('/api/v1/disclosure/grid?year=2022'));
	let gap;
	for (const row of grid.rows)
		for (const c of row.cells)
			if (!gap && c.item === 'village_affairs' && c.state === 'missing') gap = { org_id: row.org_id, ...c };
	assert.ok(gap, 'the demo has a missing village-affairs disclosure');
	// the discipline reviewer dispatches the findings as rectification orders
	const scan = await ok(reviewer.post('/api/v1/disclosure/findings/scan', { year: 2022 }));
	assert.ok(scan.dispatched > 0);
	assert.equal((await ok(reviewer.post('/api/v1/disclosure/findings/scan', { year: 2022 }))).dispatched, 0, 'once');
	let fs = (await ok(township.get(`/api/v1/disclosure/findings?org=${gap.org_id}&kind=missing`))).items;
	const f = fs.find((x) => x.item === 'village_affairs' && x.period === gap.period);
	assert.ok(f);
	assert.match(f.text, /应公开未公开/);
	assert.equal(f.rectification.status, 'open');
	assert.ok(f.rectification.deadline > '2022-12-31');
	// the to-do inbox carries it
	const todo = await ok(township.get('/api/v1/todo'));
	assert.ok(JSON.stringify(todo).includes('disclosure'));
	// the branch publishes: the rectification is done, the cell turns late
	const d = await ok(township.post('/api/v1/disclosures', {
		org_id: gap.org_id, item: 'village_affairs', period: gap.period,
		title: `${gap.period} 村务公开（补）`, content: '<p>补充公开：村民代表会议决定事项。</p>',
	}), 201);
	assert.equal(d.versions[0].state, 'draft');
	const pub = await publish(d);
	assert.equal(pub.versions[0].state, 'published');
	assert.ok(Number.isInteger(pub.versions[0].leaf_index));
	fs = (await ok(township.get(`/api/v1/disclosure/findings?org=${gap.org_id}&kind=missing`))).items;
	assert.equal(fs.find((x) => x.id === f.id).rectification.status, 'done');
	const after = await ok(township.get(`/api/v1/disclosure/grid?year=2022&org=${gap.org_id}`));
	const cell = after.rows[0].cells.find((c) => c.item === 'village_affairs' && c.period === gap.period);
	assert.equal(cell.state, 'late');
	// a published version is immutable
	const r = await township.put(`/api/v1/disclosure-versions/${pub.versions[0].id}`, { version: pub.versions[0].version, title: 'x' });
	assert.equal(r.status, 409);
});

test('a finance table that does not add up is refused, naming the line', async () => {
	const bad = {
		org_id: v1.id, item: 'finance_quarterly', period: '2023-Q1', title: '2023年第1季度财务收支公开', content: '<p>见表</p>',
		finance: {
			opening_balance: 100000, income: [{ name: '转移支付', amount: 50000 }, { name: '承包费', amount: 25050 }],
			expense: [{ name: '办公经费', amount: 30000 }], income_total: 75000, expense_total: 30000, closing_balance: 145000,
		},
	};
	let r = await sec1.post('/api/v1/disclosures', bad);
	assert.equal(r.status, 400, r.text);
	assert.match(r.body.error.fields['finance.income_total'], /750\.00.*750\.50/);
	bad.finance.income[1].amount = -1;
	r = await sec1.post('/api/v1/disclosures', bad);
	assert.match(r.body.error.fields['finance.income[1].amount'], /收入第2行/);
	// balanced, but the opening balance does not carry over from 2022-Q4: refused at submission
	bad.finance.income[1].amount = 25000;
	const d = await ok(sec1.post('/api/v1/disclosures', bad), 201);
	r = await sec1.post(`/api/v1/disclosure-versions/${d.versions[0].id}/submit`, { version: d.versions[0].version });
	assert.equal(r.status, 400, r.text);
	assert.match(r.body.error.fields['finance.opening_balance'], /上期/);
	assert.equal((await ok(sec1.get(`/api/v1/disclosures/${d.id}`))).versions[0].state, 'draft', 'nothing changed');
	// a finance item goes through the finance group's check before the township's review
	const q4 = (await ok(township.get(`/api/v1/disclosures?org=${v1.id}&item=finance_quarterly&period=2022-Q4`))).items[0];
	const prev = await ok(township.get(`/api/v1/disclosures/${q4.id}`));
	const close = prev.versions[prev.versions.length - 1].finance.closing_balance;
	const fixed = { ...bad.finance, opening_balance: close, closing_balance: close + 75000 - 30000 };
	let x = await ok(sec1.put(`/api/v1/disclosure-versions/${d.versions[0].id}`, { version: d.versions[0].version, title: bad.title, content: bad.content, finance: fixed }));
	let v = x.versions[0];
	x = await ok(sec1.post(`/api/v1/disclosure-versions/${v.id}/submit`, { version: v.version }));
	v = x.versions[0];
	r = await township.post(`/api/v1/disclosure-versions/${v.id}/review`, { version: v.version });
	assert.equal(r.status, 409, 'the finance group checks first');
	x = await ok(sec1.post(`/api/v1/disclosure-versions/${v.id}/check`, { version: v.version }));
	assert.equal(x.versions[0].state, 'checked');
	assert.equal((await sec1.post(`/api/v1/disclosure-versions/${v.id}/review`, { version: x.versions[0].version })).status, 403);
});

test('personal data is refused at submission, naming what and where (masked)', async () => {
	const d = await ok(sec1.post('/api/v1/disclosures', {
		org_id: v1.id, item: 'village_affairs', period: '2023-Q1', title: '2023年第1季度村务公开',
		content: '<p>低保户王某，身份证号11010519491231002X，联系电话 138 1234 5678。</p>',
	}), 201);
	const r = await sec1.post(`/api/v1/disclosure-versions/${d.versions[0].id}/submit`, { version: d.versions[0].version });
	assert.equal(r.status, 400, r.text);
	assert.match(r.body.error.fields.content, /正文/);
	assert.match(r.body.error.fields.content, /身份证号 1101\*\*\*\*\*\*\*\*\*\*002X/);
	assert.match(r.body.error.fields.content, /手机号 138\*\*\*\*5678/);
	assert.ok(!r.text.includes('11010519491231002X'), 'the number itself is never echoed');
	// hostile markup is sanitised on save
	const x = await ok(sec1.put(`/api/v1/disclosure-versions/${d.versions[0].id}`, {
		version: d.versions[0].version, title: '2023年第1季度村务公开', content: '<p onclick="x()">a</p><script>alert(1)</script><p>b</p>',
	}));
	assert.equal(x.versions[0].content, '&lt;p onclick=&quot;x()&quot;&gt;a&lt;script&gt;alert(1)&lt;/script&gt;<p>b</p>');
});

test('a discipline reviewer marks a disclosure as fake, with evidence; branches cannot', async () => {
	const list = (await ok(township.get(`/api/v1/disclosures?org=${v2.id}&item=village_affairs&period=2022-Q1`))).items;
	assert.equal(list.length, 1);
	const body = { org_id: v2.id, item: 'village_affairs', period: '2022-Q1', disclosure_id: list[0].id, kind: 'fake', text: '公开栏未张贴' };
	let r = await reviewer.post('/api/v1/disclosure/findings', body);
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.evidence, /证据/);
	assert.equal((await sec2.post('/api/v1/disclosure/findings', { ...body, evidence: 'x' })).status, 403);
	const f = await ok(reviewer.post('/api/v1/disclosure/findings', { ...body, evidence: '现场照片2张' }), 201);
	assert.equal(f.kind, 'fake');
	assert.equal(f.kind_label, '假公开');
	assert.equal(f.rectification.status, 'open');
	// rectified by the branch, then a talk
	const done = await ok(sec2.post(`/api/v1/disclosure/findings/${f.id}/done`, { version: f.version, note: '已重新张贴' }));
	assert.equal(done.rectification.status, 'done');
	const t = await ok(reviewer.post(`/api/v1/disclosure/findings/${f.id}/accountability`, { kind: 'talk', subject_person: '支部书记', done_on: '2023-01-05' }), 201);
	assert.equal(t.accountability[0].kind_label, '约谈');
	const talks = await ok(township.get('/api/v1/disclosure/talks'));
	assert.equal(talks.threshold, 2);
});

test('a correction publishes a new version with its reason; both stay visible publicly', async () => {
	const list = (await ok(anon.get(`/api/v1/public/disclosures?org=${v1.id}&year=2022&page_size=100`))).items;
	assert.ok(list.length > 0);
	const demoCorr = (await ok(anon.get(`/api/v1/public/disclosures?q=${encodeURIComponent('2.3公里')}`))).items;
	assert.equal(demoCorr.length, 1, 'the demo has a corrected disclosure');
	assert.equal(demoCorr[0].versions, 2);
	const dc = await ok(anon.get(`/api/v1/public/disclosures/${demoCorr[0].id}`));
	assert.match(dc.versions[1].correction_reason, /41户/);
	const target = list.find((x) => x.versions === 1 && x.item === 'party_affairs');
	const d = await ok(township.get(`/api/v1/disclosures/${target.id}`));
	const v = d.versions[0];
	// a word only the correction has: its count is kept by the server until the next write
	const searchUrl = `/api/v1/public/disclosures?q=${encodeURIComponent('更正核对7731')}&org=${v1.id}`;
	assert.equal((await ok(anon.get(searchUrl))).total, 0);
	let r = await sec1.post(`/api/v1/disclosure-versions/${v.id}/correct`, { version: v.version, title: v.title, content: v.content });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.reason);
	const c = await ok(sec1.post(`/api/v1/disclosure-versions/${v.id}/correct`, {
		version: v.version, reason: '党员发展人数有误', title: v.title,
		content: `${v.content.replace('积极分子', '入党积极分子')}（更正核对7731）`,
	}), 201);
	assert.equal(c.versions.length, 2);
	assert.equal(c.versions[1].state, 'draft');
	await publish(c);
	const pub = await ok(anon.get(`/api/v1/public/disclosures/${target.id}`));
	assert.equal(pub.versions.length, 2);
	assert.equal(pub.versions[0].superseded_by, pub.versions[1].id);
	assert.equal(pub.versions[1].correction_reason, '党员发展人数有误');
	assert.ok(pub.versions[1].diff.some((l) => l.op === '+' && l.text.includes('入党积极分子')));
	assert.ok(pub.versions.every((x) => Number.isInteger(x.leaf_index)));
	assert.ok(!('published_by' in pub.versions[0]) && !('submitted_by' in pub.versions[0]), 'no names publicly');
	// the public list shows the current version; search finds it
	const found = (await ok(anon.get(`/api/v1/public/disclosures?q=${encodeURIComponent('入党积极分子')}&org=${v1.id}`))).items;
	assert.ok(found.some((x) => x.id === target.id && x.seq === 2));
	const after = await ok(anon.get(searchUrl));
	assert.deepEqual([after.total, after.items.map((x) => x.id)], [1, [target.id]]);
	// drafts are not public
	assert.equal((await anon.get('/api/v1/public/disclosures/999999')).status, 404);
	assert.ok((await ok(anon.get('/api/v1/public/disclosure/orgs'))).items.length >= 12);
});

test('event items are due within N days of the event; required attachments; return with a reason; monthly finance by setting', async () => {
	// 征地补偿 needs attachments: refused at submission, naming what is missing
	const d = await ok(sec1.post('/api/v1/disclosures', {
		org_id: v1.id, item: 'land_compensation', period: '2023-05-01', title: '征地补偿费分配方案', content: '<p>分配方案如下。</p>',
	}), 201);
	assert.equal(d.event_date, '2023-05-01');
	let r = await sec1.post(`/api/v1/disclosure-versions/${d.versions[0].id}/submit`, { version: d.versions[0].version });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.files, /附件/);
	// a major matter: submitted, returned by the township with a reason, resubmitted, published late
	const m = await ok(sec1.post('/api/v1/disclosures', {
		org_id: v1.id, item: 'village_major', period: '2023-05-01', title: '村集体草场流转决议', content: '<p>经村民代表会议表决通过。</p>',
	}), 201);
	let x = await ok(sec1.post(`/api/v1/disclosure-versions/${m.versions[0].id}/submit`, { version: m.versions[0].version }));
	r = await township.post(`/api/v1/disclosure-versions/${m.versions[0].id}/return`, { version: x.versions[0].version });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.reason);
	x = await ok(township.post(`/api/v1/disclosure-versions/${m.versions[0].id}/return`, { version: x.versions[0].version, reason: '缺少表决结果' }));
	assert.equal(x.versions[0].state, 'returned');
	assert.equal(x.versions[0].return_reason, '缺少表决结果');
	x = await ok(sec1.put(`/api/v1/disclosure-versions/${m.versions[0].id}`, { version: x.versions[0].version, title: '村集体草场流转决议', content: '<p>应到32人，实到28人，同意26人。</p>' }));
	await publish(x);
	const grid = await ok(township.get(`/api/v1/disclosure/grid?year=2023&org=${v1.id}`));
	const cell = grid.rows[0].cells.find((c) => c.item === 'village_major');
	assert.equal(cell.state, 'late');
	assert.equal(cell.due, '2023-05-06');
	// wrong period shapes are refused
	r = await sec1.post('/api/v1/disclosures', { org_id: v1.id, item: 'village_affairs', period: '2023-05', title: 'x' });
	assert.match(r.body.error.fields.period, /季度/);
	// finance monthly for an org marked as having many transactions
	const st = (await ok(township.get('/api/v1/disclosure/org-settings'))).items;
	assert.ok(st.some((o) => o.many_transactions));
	await ok(township.put(`/api/v1/disclosure/org-settings/${v2.id}`, { many_transactions: true }));
	const g2 = await ok(township.get(`/api/v1/disclosure/grid?year=2022&org=${v2.id}&affair=finance`));
	assert.ok(g2.rows[0].cells.some((c) => c.item === 'finance_monthly'));
	assert.ok(!g2.rows[0].cells.some((c) => c.item === 'finance_quarterly'));
	await ok(township.put(`/api/v1/disclosure/org-settings/${v2.id}`, { many_transactions: false }));
	assert.equal((await sec2.put(`/api/v1/disclosure/org-settings/${v2.id}`, { many_transactions: true })).status, 403);
});

test('scope: another branch\'s disclosure answers 404', async () => {
	const mine = (await ok(sec1.get(`/api/v1/disclosures?org=${v1.id}`))).items[0];
	assert.ok(mine);
	assert.equal((await sec2.get(`/api/v1/disclosures/${mine.id}`)).status, 404);
	assert.equal((await sec2.get(`/api/v1/disclosures?org=${v1.id}`)).status, 404);
	const d = await ok(sec1.get(`/api/v1/disclosures/${mine.id}`));
	const v = d.versions[0];
	assert.equal((await sec2.post(`/api/v1/disclosure-versions/${v.id}/correct`, { version: v.version, reason: 'x', title: 'x' })).status, 404);
	assert.equal((await sec2.post('/api/v1/disclosures', { org_id: v1.id, item: 'village_affairs', period: '2024-Q1', title: 'x' })).status, 400);
	const all = (await ok(sec2.get('/api/v1/disclosures?page_size=200'))).items;
	assert.ok(all.length > 0 && all.every((x) => x.org_id === v2.id));
	const grid = await ok(sec2.get('/api/v1/disclosure/grid?year=2022'));
	assert.deepEqual(grid.rows.map((x) => x.org_id), [v2.id]);
});

test('the detail lists the findings about a disclosure with their rectification state, and every workflow answer says what the caller may do next', async () => {
	const d = await ok(sec1.post('/api/v1/disclosures', {
		org_id: v1.id, item: 'village_affairs', period: '2024-Q2', title: '2024年第2季度村务公开', content: '<p>村民代表会议决定事项。</p>',
	}), 201);
	assert.deepEqual(d.can, { write: true, check: true, review: false, supervise: false }, 'the create answer carries can');
	assert.deepEqual(d.findings, []);
	const v = d.versions[0];
	// every step answers the detail with `can` (for the caller, not the previous one)
	let x = await ok(sec1.post(`/api/v1/disclosure-versions/${v.id}/submit`, { version: v.version }));
	assert.equal(x.can.write, true);
	assert.equal(x.can.review, false);
	x = await ok(township.post(`/api/v1/disclosure-versions/${v.id}/review`, { version: x.versions[0].version }));
	assert.equal(x.can.review, true, 'the township may publish next');
	assert.ok(Array.isArray(x.findings));
	// a stale step: the 409's current carries can and findings too
	const r = await township.post(`/api/v1/disclosure-versions/${v.id}/publish`, { version: v.version });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.body.error.current.can.review, true, r.text);
	assert.ok(Array.isArray(r.body.error.current.findings));
	x = await ok(township.post(`/api/v1/disclosure-versions/${v.id}/return`, { version: x.versions[0].version, reason: '缺少表决结果' }));
	assert.equal(x.can.review, true);
	// a reviewer's fake finding about it is listed on the detail, open, then done
	const f = await ok(reviewer.post('/api/v1/disclosure/findings', {
		org_id: v1.id, item: 'village_affairs', period: '2024-Q2', disclosure_id: d.id, kind: 'fake', text: '公开栏未张贴', evidence: '现场照片1张',
	}), 201);
	let det = await ok(sec1.get(`/api/v1/disclosures/${d.id}`));
	assert.equal(det.findings.length, 1);
	assert.equal(det.findings[0].id, f.id);
	assert.equal(det.findings[0].kind_label, '假公开');
	assert.equal(det.findings[0].rectification.status, 'open');
	assert.ok(det.findings[0].rectification.deadline);
	// also one of the same org × item × period without the disclosure's id (an 应公开未公开 order)
	srv.sql(`INSERT INTO disclosure_findings (org_id, item, period, kind, source, severity, text, found_on, found_by, deadline, created_at, updated_at) VALUES (${v1.id}, 'village_affairs', '2024-Q2', 'missing', 'auto', 'medium', '应公开未公开', '2024-07-20', 'zhibu', '2024-07-27', '2024-07-20T00:00:00Z', '2024-07-20T00:00:00Z')`);
	await ok(sec1.post(`/api/v1/disclosure/findings/${f.id}/done`, { version: f.version, note: '已重新张贴' }));
	det = await ok(sec1.get(`/api/v1/disclosures/${d.id}`));
	assert.equal(det.findings.length, 2);
	assert.equal(det.findings.find((y) => y.id === f.id).rectification.status, 'done');
	assert.equal(det.findings.find((y) => y.kind === 'missing').rectification.status, 'overdue');
	// another branch's finding of the same item and period is not listed
	assert.ok(det.findings.every((y) => y.org_id === v1.id));
});

test('the public page lists the files of published versions; only those are downloadable, as attachments', async () => {
	const pdf = Buffer.from('%PDF-1.4\n% 征地补偿分配表\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
	const up = await sec1.upload(v1.id, '分配方案.pdf', pdf);
	assert.ok(up.status === 201 || up.status === 200, up.text);
	const d = await ok(sec1.post('/api/v1/disclosures', {
		org_id: v1.id, item: 'land_compensation', period: '2024-03-01', title: '征地补偿费分配方案（2024）', content: '<p>见附件。</p>', files: [up.body.id],
	}), 201);
	assert.equal(d.versions[0].files[0].id, up.body.id);
	// not yet published: not on the public page, and the file is not reachable publicly
	assert.equal((await anon.bytes(`/api/v1/public/disclosures/${d.id}/files/${up.body.id}`)).status, 404);
	const pub = await publish(d);
	assert.equal(pub.versions[0].state, 'published');
	const p = await ok(anon.get(`/api/v1/public/disclosures/${d.id}`));
	const pf = p.versions[0].files;
	assert.equal(pf.length, 1);
	assert.equal(pf[0].name, '分配方案.pdf');
	assert.equal(pf[0].url, `/api/v1/public/disclosures/${d.id}/files/${up.body.id}`);
	assert.ok(!('sm3' in pf[0]) && !('uploaded_by' in pf[0]) && !('org_id' in pf[0]), 'no more than the name, type and size');
	const got = await anon.bytes(pf[0].url);
	assert.equal(got.status, 200);
	assert.deepEqual(got.body, pdf);
	assert.match(got.headers.get('content-disposition'), /^attachment/);
	assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
	// another disclosure's id with this file, or a file of a draft: 404
	const other = (await ok(anon.get(`/api/v1/public/disclosures?org=${v1.id}`))).items.find((y) => y.id !== d.id);
	assert.equal((await anon.bytes(`/api/v1/public/disclosures/${other.id}/files/${up.body.id}`)).status, 404);
	const up2 = await sec1.upload(v1.id, '更正说明.pdf', Buffer.from('%PDF-1.4\n% 更正\n%%EOF\n'));
	const v = pub.versions[0];
	const c = await ok(sec1.post(`/api/v1/disclosure-versions/${v.id}/correct`, {
		version: v.version, reason: '补充更正说明', title: v.title, content: v.content, files: [up.body.id, up2.body.id],
	}), 201);
	assert.equal(c.versions[1].files.length, 2);
	assert.equal((await anon.bytes(`/api/v1/public/disclosures/${d.id}/files/${up2.body.id}`)).status, 404, 'a draft correction\'s file is not public');
	assert.equal((await anon.get(`/api/v1/public/disclosures/${d.id}`)).body.versions.length, 1);
	assert.equal((await anon.bytes(`/api/v1/public/disclosures/${d.id}/files/999999`)).status, 404);
	// once the correction is published, both versions list their files
	await publish(c);
	const p2 = await ok(anon.get(`/api/v1/public/disclosures/${d.id}`));
	assert.deepEqual(p2.versions.map((y) => y.files.length), [1, 2]);
	assert.equal((await anon.bytes(`/api/v1/public/disclosures/${d.id}/files/${up2.body.id}`)).status, 200);
});

test('public questions become findings for the township, and are rate-limited per address', async () => {
	const pub = (await ok(anon.get(`/api/v1/public/disclosures?org=${v1.id}`))).items[0];
	let r = await anon.post('/api/v1/public/disclosure-questions', { disclosure_id: pub.id, text: '请问道路硬化项目<script>x</script>的资金来源？' });
	assert.equal(r.status, 201, r.text);
	const qs = (await ok(township.get(`/api/v1/disclosure/findings?kind=question&org=${v1.id}`))).items;
	assert.equal(qs.length, 1);
	assert.match(qs[0].text, /群众反映：请问道路硬化项目/);
	assert.equal(qs[0].source, 'public');
	r = await anon.post('/api/v1/public/disclosure-questions', { disclosure_id: pub.id, text: '我的电话13812345678请回电' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.text, /手机号/);
	let last;
	for (let i = 0; i < 5; i++)
		last = await anon.post('/api/v1/public/disclosure-questions', { disclosure_id: pub.id, text: `第${i}个问题：补贴标准是多少？` });
	assert.equal(last.status, 429, last.text);
});

test('editing a published row behind the program\'s back makes `zhibu verify` fail and name it', async () => {
	assert.equal(srv.cli(['verify']).status, 0, srv.cli(['verify']).stdout);
	const id = srv.sql("SELECT id FROM disclosure_versions WHERE state = 'published' ORDER BY id LIMIT 1");
	srv.sql(`UPDATE disclosure_versions SET content = content || '<p>篡改</p>' WHERE id = ${id}`);
	const r = srv.cli(['verify']);
	assert.notEqual(r.status, 0);
	assert.match(r.stdout + r.stderr, new RegExp(`\\b${id}\\b`));
});
