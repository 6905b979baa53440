// files.test.mjs - attachments stored once and scoped by org; the daily jobs run once per day and record every branch's status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from './lib.mjs';

let srv, township, sec1, orgs, v1, v2;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

async function login(username) {
	const c = new Client(srv.base);
	const r = await c.login(username, DEMO_PASSWORD);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

before(async () => {
	srv = await startServer({ ZHIBU_JOBS: '1' }, { demo: true });	// the scheduler runs the daily jobs at start-up
	township = await login('township');
	sec1 = await login('secretary1');
	orgs = (await township.get('/api/v1/orgs?format=flat&page_size=200')).body.items;
	const me = (await sec1.get('/api/v1/session')).body.user;
	const grant = (me.grants || me.roles)[0];
	v1 = orgs.find((o) => o.id === grant.org_id);
	v2 = orgs.find((o) => (o.kind === 'branch' || o.kind === 'general_branch') && o.id !== v1.id);
});
after(async () => { await srv.stop(); });

test('a file is stored once per org, downloaded as it was, and scoped', async () => {
	const r = await sec1.upload(v1.id, '会议记录.pdf', PDF);
	assert.equal(r.status, 201, r.text);
	assert.equal(r.body.mime, 'application/pdf');
	assert.equal(r.body.size, PDF.length);
	assert.match(r.body.sm3, /^[0-9a-f]{64}$/);
	// the same bytes again: the same file, not a second copy
	const again = await sec1.upload(v1.id, '另一个名字.pdf', PDF);
	assert.equal(again.status, 200);
	assert.equal(again.body.id, r.body.id);
	const list = (await sec1.get(`/api/v1/files?org=${v1.id}`)).body.items;
	assert.equal(list.filter((f) => f.sm3 === r.body.sm3).length, 1);
	const got = await sec1.bytes(`/api/v1/files/${r.body.id}`);
	assert.equal(got.status, 200);
	assert.ok(got.body.equals(PDF));
	assert.match(got.headers.get('content-disposition'), /attachment; .*filename\*=UTF-8''%E4%BC%9A/);
	// another branch's secretary neither sees nor lists it, nor uploads into another branch
	assert.equal((await sec1.get(`/api/v1/files?org=${v2.id}`)).status, 404);
	const other = await township.upload(v2.id, 'v2.pdf', Buffer.concat([PDF, Buffer.from('v2')]));
	assert.equal(other.status, 201);
	assert.equal((await sec1.bytes(`/api/v1/files/${other.body.id}`)).status, 404);
	assert.equal((await sec1.upload(v2.id, 'x.pdf', PDF)).status, 404);
	// the upload is audited
	const audit = srv.sql(`SELECT count(*) FROM audit_log WHERE entity = 'file' AND entity_id = ${r.body.id}`);
	assert.equal(audit, '1');
});

test('bad uploads are refused with the reason and store nothing', async () => {
	const before = srv.sql('SELECT count(*) FROM files');
	let r = await sec1.upload(v1.id, 'evil.pdf', Buffer.from('<script>alert(1)</script>'));
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.file, /PDF/);
	r = await sec1.upload(v1.id, '../../etc/passwd.pdf', PDF);
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.name, /路径/);
	r = await sec1.raw('POST', `/api/v1/files?org=${v1.id}&name=empty.pdf`, Buffer.alloc(0));
	assert.equal(r.status, 400);
	r = await sec1.raw('POST', `/api/v1/files?name=a.pdf`, PDF);
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.org);
	assert.equal(srv.sql('SELECT count(*) FROM files'), before);
});

test('the daily status job ran once at start-up, again only on demand, and keeps each branch\'s status', async () => {
	const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
	// the scheduler ran the job at start-up: one run key for today
	let runs = [];
	for (let i = 0; i < 50; i++) {
		runs = (await township.get('/api/v1/jobs')).body.runs.filter((x) => x.run_key === `status:${today}` && x.outcome !== 'running');
		if (runs.length) break;
		await new Promise((ok) => setTimeout(ok, 200));
	}
	assert.equal(runs.length, 1);
	assert.equal(runs[0].outcome, 'ok', srv.log());
	assert.match(runs[0].detail, /个支部/);
	assert.equal((await sec1.get('/api/v1/jobs')).status, 403);
	// on demand for a past day: every demo branch gets that day's status, the same as /compliance/status says
	const r = await township.post('/api/v1/jobs/status/run?day=2022-12-31');
	assert.equal(r.status, 200, r.text);
	const st = (await township.get('/api/v1/compliance/status?date=2022-12-31')).body;
	const rows = srv.sql("SELECT org_id || ':' || status FROM org_status WHERE day = '2022-12-31' ORDER BY org_id").split('\n');
	assert.deepEqual(rows, st.items.map((b) => `${b.org_id}:${b.status}`).sort((a, b) => Number(a.split(':')[0]) - Number(b.split(':')[0])));
	assert.ok(st.items.length >= 20);
	assert.equal((await township.post('/api/v1/jobs/nonesuch/run')).status, 404);
	assert.equal((await township.post('/api/v1/jobs/status/run?day=2022-13-01')).status, 400);
});

test('a second server on the same database does not run today\'s job again', async () => {
	if (srv.dbUrl.startsWith('postgres')) return; // the same check holds; one backend is enough for the start-up race
	const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
	const { spawn } = await import('node:child_process');
	const proc = spawn(process.env.ZHIBU_BIN || 'build/zhibu', ['serve'], { env: { ...srv.env, ZHIBU_LISTEN: '127.0.0.1:0' }, stdio: ['ignore', 'pipe', 'pipe'] });
	await new Promise((ok) => proc.stdout.on('data', (d) => { if (/listening/.test(d)) ok(); }));
	await new Promise((ok) => setTimeout(ok, 1000));
	proc.kill('SIGTERM');
	await new Promise((ok) => proc.on('exit', ok));
	assert.equal(srv.sql(`SELECT count(*) FROM job_runs WHERE run_key = 'status:${today}'`), '1');
});
