// compliance_export.test.mjs - GET /api/v1/compliance/export: the demo's 2022 compliance table as a real xlsx, scoped like the table; meeting attachments (files) kept across a correction and refused across orgs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, sec1, sec2, orgs, root, v1, v2, dir;

async function login(username) {
	const c = new Client(srv.base);
	const r = await c.login(username, DEMO_PASSWORD);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

async function grantOrg(c) {
	const u = (await ok(c.get('/api/v1/session'))).user;
	const g = (u.grants || u.roles || [])[0];
	return orgs.find((o) => o.id === (g && (g.org_id ?? g.org?.id)));
}

/** GET a binary answer with c's session: { status, headers, bytes }. */
async function download(c, path) {
	const res = await fetch(srv.base + path, { headers: { cookie: c.cookie } });
	return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** POST raw bytes to /api/v1/files as c. */
async function upload(c, orgId, name, bytes) {
	const res = await fetch(`${srv.base}/api/v1/files?org=${orgId}&name=${encodeURIComponent(name)}`, {
		method: 'POST', body: bytes,
		headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'application/octet-stream' },
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** One part of an xlsx as a string (unzip -p). */
function part(bytes, name) {
	const f = join(dir, `x-${Math.random().toString(36).slice(2)}.xlsx`);
	writeFileSync(f, bytes);
	const r = spawnSync('unzip', ['-p', f, name], { encoding: 'utf8' });
	assert.equal(r.status, 0, `unzip ${name}: ${r.stderr}`);
	return r.stdout;
}

function pdf(text) {
	return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'zhibu-xlsx-'));
	srv = await startServer({}, { demo: true });
	township = await login('township');
	sec1 = await login('secretary1');
	sec2 = await login('secretary2');
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
	v1 = await grantOrg(sec1);
	v2 = await grantOrg(sec2);
	assert.ok(v1 && v2 && v1.id !== v2.id);
});
after(async () => {
	await srv.stop();
	rmSync(dir, { recursive: true, force: true });
});

test('the township exports the 2022 compliance table as a real xlsx with both sheets', async () => {
	const r = await download(township, `/api/v1/compliance/export?org=${root.id}&from=2022-01-01&to=2022-12-31`);
	assert.equal(r.status, 200, r.bytes.toString());
	assert.match(r.headers.get('content-type'), /spreadsheetml/);
	const disp = r.headers.get('content-disposition');
	assert.match(disp, /^attachment; filename="compliance-2022\.xlsx"; filename\*=UTF-8''/);
	assert.ok(disp.includes(encodeURIComponent('合规表-2022.xlsx').replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase())), disp);
	assert.equal(r.bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a zip file');
	const strings = part(r.bytes, 'xl/sharedStrings.xml');
	const branch = orgs.find((o) => o.kind === 'branch');
	assert.ok(strings.includes(branch.name), 'a branch name');
	assert.ok(strings.includes('<t>缺</t>'), 'a missing cell');
	assert.ok(strings.includes('<t>OK</t>'));
	assert.ok(strings.includes('2022-01-01 至 2022-12-31'));
	assert.ok(strings.includes('2022年12月'));
	assert.ok(strings.includes(root.name), 'the header names the org');
	const book = part(r.bytes, 'xl/workbook.xml');
	assert.ok(book.includes('name="合规表"') && book.includes('name="支部状态"'));
	const sheet1 = part(r.bytes, 'xl/worksheets/sheet1.xml');
	assert.match(sheet1, /<pane [^>]*state="frozen"/);
	// red fill on the missing cells
	assert.ok(part(r.bytes, 'xl/styles.xml').includes('FFFFC7CE'));
	// the status sheet: a red branch with its reason
	const st = await ok(township.get(`/api/v1/compliance/status?org=${root.id}&date=2022-12-31`));
	const red = st.items.find((b) => b.status === 'red');
	assert.ok(red);
	assert.ok(strings.includes('<t>红</t>'));
	assert.ok(strings.includes(red.reasons[0].text.replace(/&/g, '&amp;')), red.reasons[0].text);
	assert.ok(Number(r.headers.get('x-export-rows')) > 100);
	assert.equal(srv.sql("SELECT COUNT(*) FROM audit_log WHERE entity = 'export' AND after_json LIKE '%compliance%'"), '1');
});

test('the export is scoped like the table and checks its parameters', async () => {
	const r = await download(sec1, '/api/v1/compliance/export?from=2022-01-01&to=2022-12-31');
	assert.equal(r.status, 200);
	const strings = part(r.bytes, 'xl/sharedStrings.xml');
	assert.ok(strings.includes(v1.name));
	assert.ok(!strings.includes(v2.name), 'another branch is not in a secretary\'s export');
	assert.equal((await download(sec1, `/api/v1/compliance/export?org=${v2.id}`)).status, 404);
	assert.equal((await township.get('/api/v1/compliance/export?from=2022-12-01&to=2022-01-01')).status, 400);
	const bad = await township.get('/api/v1/compliance/export?from=2022-13-01');
	assert.equal(bad.status, 400);
	assert.match(bad.body.error.fields.from, /起始日期/);
	const q = await download(township, `/api/v1/compliance/export?org=${v1.id}&from=2021-11-01&to=2022-02-28`);
	assert.equal(q.status, 200);
	assert.match(q.headers.get('content-disposition'), /compliance-2021-2022\.xlsx/);
	assert.ok(part(q.bytes, 'xl/sharedStrings.xml').includes('2021年11月'));
});

test('a meeting keeps its uploaded PDF once, through a correction; another org\'s file is refused', async () => {
	const bytes = pdf('会议签到表 v1');
	const f1 = await upload(sec1, v1.id, '签到表.pdf', bytes);
	assert.ok(f1.status === 201 || f1.status === 200, f1.text);
	const again = await upload(sec1, v1.id, '签到表.pdf', bytes);
	assert.equal(again.status, 200, again.text);
	assert.equal(again.body.id, f1.body.id, 'the same bytes give the same file');

	const m = await ok(sec1.post('/api/v1/meetings', { org_id: v1.id, held_on: '2023-05-06', types: ['study'], topic: '带附件的学习', files: [f1.body.id] }), 201);
	assert.deepEqual(m.files.map((f) => f.id), [f1.body.id]);
	assert.equal(m.files[0].name, '签到表.pdf');
	// linked twice is linked once
	let u = await ok(sec1.put(`/api/v1/meetings/${m.id}`, { version: m.version, held_on: '2023-05-06', types: ['study'], topic: '带附件的学习', files: [f1.body.id, f1.body.id] }));
	assert.equal(u.files.length, 1);
	// `files` is the whole list: one left out is unlinked (the file itself stays), one put back is linked again
	u = await ok(sec1.put(`/api/v1/meetings/${m.id}`, { version: u.version, held_on: '2023-05-06', types: ['study'], topic: '带附件的学习', files: [] }));
	assert.deepEqual(u.files, []);
	assert.equal(srv.sql(`SELECT count(*) FROM attachments WHERE owner_kind = 'meeting' AND owner_id = ${m.id} AND removed_at IS NOT NULL`), '1');
	u = await ok(sec1.put(`/api/v1/meetings/${m.id}`, { version: u.version, held_on: '2023-05-06', types: ['study'], topic: '带附件的学习' }));
	assert.deepEqual(u.files, [], 'a body without files leaves the list as it is');
	u = await ok(sec1.put(`/api/v1/meetings/${m.id}`, { version: u.version, held_on: '2023-05-06', types: ['study'], topic: '带附件的学习', files: [f1.body.id] }));
	assert.equal(u.files.length, 1);
	const closed = await ok(sec1.post(`/api/v1/meetings/${m.id}/close`, { version: u.version }));
	// a closed meeting takes no new files except through a correction
	const f2 = await upload(sec1, v1.id, '照片.pdf', pdf('会议照片'));
	assert.ok(f2.status === 201 || f2.status === 200, f2.text);
	const locked = await sec1.put(`/api/v1/meetings/${m.id}`, { version: closed.version, held_on: '2023-05-06', types: ['study'], topic: '带附件的学习', files: [f2.body.id] });
	assert.equal(locked.status, 409);
	assert.equal((await ok(sec1.get(`/api/v1/meetings/${m.id}`))).files.length, 1);
	const c = await ok(sec1.post(`/api/v1/meetings/${m.id}/correct`, { version: closed.version, reason: '补充会议照片', held_on: '2023-05-06', types: ['study'], topic: '带附件的学习', files: [f1.body.id, f2.body.id] }), 201);
	assert.deepEqual(c.files.map((f) => f.id).sort(), [f1.body.id, f2.body.id].sort(), 'the correction keeps the old file (not uploaded again) and adds the new one');
	// the old version keeps its own file list
	assert.deepEqual((await ok(sec1.get(`/api/v1/meetings/${m.id}`))).files.map((f) => f.id), [f1.body.id]);

	// a file of another branch's subtree cannot be attached, and nothing is recorded
	const before = (await ok(township.get(`/api/v1/meetings?org=${v2.id}&all=1`))).total;
	const r = await sec2.post('/api/v1/meetings', { org_id: v2.id, held_on: '2023-05-07', types: ['study'], topic: '借用附件', files: [f1.body.id] });
	assert.equal(r.status, 400, r.text);
	assert.match(r.body.error.fields.files, /附件/);
	assert.equal((await ok(township.get(`/api/v1/meetings?org=${v2.id}&all=1`))).total, before);
	const bad = await sec1.post('/api/v1/meetings', { org_id: v1.id, held_on: '2023-05-07', types: ['study'], topic: '坏附件', files: ['x'] });
	assert.equal(bad.status, 400);
	assert.ok(bad.body.error.fields.files);
});
