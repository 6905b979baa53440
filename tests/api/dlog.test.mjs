// dlog.test.mjs - the disclosure transparency log: public head, proofs and consistency, the signed checkpoint job, the documented offline procedure run against a served proof, and `zhibu verify` naming a published version edited behind the program's back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, startServer, userClient } from './lib.mjs';

let srv, pub, staff, work;

before(async () => {
	srv = await startServer({}, { demo: true });
	pub = new Client(srv.base);
	staff = await userClient(srv, 'logstaff', 1, ['staff@1']);
	work = mkdtempSync(join(tmpdir(), 'zhibu-dlog-'));
});
after(async () => {
	rmSync(work, { recursive: true, force: true });
	await srv.stop();
});

/** The fenced block of `lang` in docs/verify-disclosure.md, as the reader would copy it. */
function docBlock(lang) {
	const md = readFileSync('docs/verify-disclosure.md', 'utf8');
	const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(md);
	assert.ok(m, `no ${lang} block in docs/verify-disclosure.md`);
	return m[1];
}

function sh(cmd) {
	return spawnSync('sh', ['-c', cmd], { cwd: work, encoding: 'utf8' });
}

test('the public head needs no login and carries the township key', async () => {
	const r = await pub.get('/api/v1/public/log');
	assert.equal(r.status, 200, r.text);
	assert.ok(r.body.size > 0, 'the demo publishes disclosures, so the log has leaves');
	assert.match(r.body.root, /^[0-9a-f]{64}$/);
	assert.match(r.body.public_key, /-----BEGIN PUBLIC KEY-----/);
});

test('the daily job signs a checkpoint; a second run the same day adds none', async () => {
	let r = await staff.post('/api/v1/jobs/dlog/run', {});
	assert.equal(r.status, 200, r.text);
	const head = (await pub.get('/api/v1/public/log')).body;
	assert.ok(head.checkpoint, 'a checkpoint after the job');
	assert.equal(head.checkpoint.tree_size, head.size);
	assert.equal(head.checkpoint.root, head.root);
	assert.equal(head.checkpoint.message,
		`zhibu-dlog-v1\n${head.size}\n${head.root}\n${head.checkpoint.signed_at}\n`);
	r = await staff.post('/api/v1/jobs/dlog/run', {});
	assert.equal(r.status, 200, r.text);
	assert.equal(srv.sql('SELECT COUNT(*) FROM dlog_checkpoints'), '1');
});

test('the documented offline procedure verifies a served proof, and refuses a doctored one', async () => {
	writeFileSync(join(work, 'verify_proof.py'), docBlock('python'));
	writeFileSync(join(work, 'check_signature.sh'), docBlock('sh'));
	const size = (await pub.get('/api/v1/public/log')).body.size;
	for (const index of [0, Math.floor(size / 2), size - 1]) {
		const r = await pub.get(`/api/v1/public/log/proof/${index}`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.leaf_index, index);
		assert.ok(r.body.checkpoint);
		const leaf = JSON.parse(Buffer.from(r.body.leaf, 'base64').toString('utf8'));
		assert.equal(leaf.version_id, r.body.version_id);
		assert.ok(!/\d{17}[\dXx]|1[3-9]\d{9}/.test(r.text), 'no ID or phone numbers in a proof');
		writeFileSync(join(work, 'proof.json'), r.text);
		let run = sh('python3 verify_proof.py proof.json');
		assert.equal(run.status, 0, run.stdout + run.stderr);
		assert.match(run.stdout, new RegExp(`^OK leaf ${index} in tree of ${size} `));
		run = sh('sh check_signature.sh');
		assert.equal(run.status, 0, run.stdout + run.stderr);
		assert.match(run.stdout, /Signature Verified Successfully/);
	}
	const r = await pub.get('/api/v1/public/log/proof/0');
	const doctored = { ...r.body, leaf: Buffer.from('{"title":"伪造"}').toString('base64') };
	writeFileSync(join(work, 'proof.json'), JSON.stringify(doctored));
	assert.notEqual(sh('python3 verify_proof.py proof.json').status, 0);
	const resigned = { ...r.body, checkpoint: { ...r.body.checkpoint, signed_at: '2020-01-01T00:00:00Z' } };
	writeFileSync(join(work, 'proof.json'), JSON.stringify(resigned));
	assert.notEqual(sh('sh check_signature.sh').status, 0);
});

test('proofs and consistency answer 404 / 400 for what is not there', async () => {
	const size = (await pub.get('/api/v1/public/log')).body.size;
	assert.equal((await pub.get(`/api/v1/public/log/proof/${size}`)).status, 404);
	assert.equal((await pub.get('/api/v1/public/log/proof/abc')).status, 404);
	assert.equal((await pub.get('/api/v1/public/log/proof/-1')).status, 404);
	let r = await pub.get(`/api/v1/public/log/consistency?from=1&to=${size}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.root_to, (await pub.get('/api/v1/public/log')).body.root);
	assert.ok(r.body.proof.length > 0 || size === 1);
	r = await pub.get(`/api/v1/public/log/consistency?from=0&to=${size}`);
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.from);
	r = await pub.get(`/api/v1/public/log/consistency?from=1&to=${size + 1}`);
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.to);
});

test('zhibu verify passes, then names a published version edited behind the program\'s back', () => {
	let r = srv.cli(['verify']);
	assert.equal(r.status, 0, r.stdout + r.stderr);
	const vid = srv.sql('SELECT version_id FROM dlog_leaves WHERE leaf_index = 1');
	const title = srv.sql(`SELECT title FROM disclosure_versions WHERE id = ${vid}`);
	srv.sql(`UPDATE disclosure_versions SET title = title || '（已改）' WHERE id = ${vid}`);
	r = srv.cli(['verify']);
	assert.equal(r.status, 1);
	assert.match(r.stdout, new RegExp(`公开版本 ${vid}（公开日志第 1 条）的内容与公开时记入日志的不一致`));
	srv.sql(`UPDATE disclosure_versions SET title = '${title.replace(/'/g, "''")}' WHERE id = ${vid}`);
	assert.equal(srv.cli(['verify']).status, 0);
	// a leaf row rewritten: its hash no longer matches, and the signed root no longer matches
	const hash = srv.sql('SELECT leaf_hash FROM dlog_leaves WHERE leaf_index = 0');
	srv.sql(`UPDATE dlog_leaves SET leaf_hash = '${'0'.repeat(64)}' WHERE leaf_index = 0`);
	r = srv.cli(['verify']);
	assert.equal(r.status, 1);
	assert.match(r.stdout, /公开日志第 0 条.*叶子哈希与叶子内容不符/);
	assert.match(r.stdout, /检查点 #1.*根哈希与日志不符/);
	srv.sql(`UPDATE dlog_leaves SET leaf_hash = '${hash}' WHERE leaf_index = 0`);
	assert.equal(srv.cli(['verify']).status, 0);
});
