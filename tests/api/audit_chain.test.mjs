// audit_chain.test.mjs - `zhibu verify` passes on an intact chain and names rows edited or deleted behind its back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, userClient } from './lib.mjs';

let srv;
before(async () => {
	srv = await startServer();
	const staff = await userClient(srv, 'staff', 1, ['staff@1']);
	for (let i = 1; i <= 5; i++) {
		const r = await staff.post('/api/v1/orgs', { parent_id: 1, name: `第${i}村党支部`, kind: 'branch', category: 'village' });
		assert.equal(r.status, 201);
	}
});
after(async () => { await srv.stop(); });

test('an intact chain verifies', () => {
	const r = srv.cli(['verify']);
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /校验通过/);
});

test('a row edited behind the program\'s back is named', () => {
	const seq = srv.sql("SELECT seq FROM audit_log WHERE entity = 'org' AND action = 'create' ORDER BY seq LIMIT 1 OFFSET 2");
	srv.sql(`UPDATE audit_log SET username = 'someone_else' WHERE seq = ${seq}`);
	const r = srv.cli(['verify']);
	assert.equal(r.status, 1);
	assert.match(r.stdout, new RegExp(`seq ${seq} .*被修改`));
	// put it back: the chain verifies again
	srv.sql(`UPDATE audit_log SET username = 'staff' WHERE seq = ${seq}`);
	assert.equal(srv.cli(['verify']).status, 0);
});

test('a deleted row in the middle and a deleted tail are both detected', () => {
	const mid = Number(srv.sql("SELECT seq FROM audit_log ORDER BY seq LIMIT 1 OFFSET 4"));
	const saved = srv.sql(`SELECT id FROM audit_log WHERE seq = ${mid}`);
	assert.ok(saved);
	srv.sql(`DELETE FROM audit_log WHERE seq = ${mid}`);
	let r = srv.cli(['verify']);
	assert.equal(r.status, 1);
	assert.match(r.stdout, new RegExp(`seq ${mid}-${mid} 缺失`));

	const last = Number(srv.sql('SELECT MAX(seq) FROM audit_log'));
	srv.sql(`DELETE FROM audit_log WHERE seq = ${last}`);
	r = srv.cli(['verify']);
	assert.equal(r.status, 1);
	assert.match(r.stdout, /审计链末端不符/);
});

test('the audit administrator sees the same verdict over the API', async () => {
	const aud = await userClient(srv, 'aud', 1, ['auditadmin@1']);
	const r = await aud.get('/api/v1/audit/verify');
	assert.equal(r.status, 200);
	assert.equal(r.body.ok, false);
	assert.ok(r.body.problems.length >= 2);
});
