// backup.test.mjs - the backup and restore drill: zhibu backup, zhibu restore into a fresh database, verified (chain, counts, decryption).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, serveAgain, Client, DEMO_PASSWORD, backend } from './lib.mjs';

const PG_ADMIN = process.env.ZHIBU_TEST_PG_ADMIN_URL || '';
let srv, work, township, person, plainId;
const created = [];	// PostgreSQL databases this file created

function sql(url, statement) {
	const r = url.startsWith('postgres')
		? spawnSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', url, '-c', statement], { encoding: 'utf8' })
		: spawnSync('sqlite3', [url, statement], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`sql failed: ${statement}\n${r.stderr}`);
	return r.stdout.trim();
}

/** A fresh, empty target: a file path that does not exist yet, or a new PostgreSQL database. */
function freshTarget(tag) {
	if (backend !== 'postgres') return join(work, `${tag}.db`);
	const name = `zt_restore_${tag}_${process.pid}`;
	sql(PG_ADMIN, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	sql(PG_ADMIN, `CREATE DATABASE ${name}`);
	created.push(name);
	return PG_ADMIN.replace(/\/[^/]*$/, '/' + name);
}

/** Row count of every table of the application (migration bookkeeping included). */
function counts(url) {
	const tables = url.startsWith('postgres')
		? sql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")
		: sql(url, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1");
	const out = {};
	for (const t of tables.split('\n').filter(Boolean)) out[t] = Number(sql(url, `SELECT count(*) FROM ${t}`));
	return out;
}

function zhibu(args, env) {
	const r = spawnSync(process.env.ZHIBU_BIN || 'build/zhibu', args, { env: { ...srv.env, ...env }, encoding: 'utf8' });
	return { status: r.status, out: r.stdout + r.stderr };
}

before(async () => {
	work = mkdtempSync(join(tmpdir(), 'zhibu-backup-'));
	srv = await startServer({}, { demo: true });
	township = new Client(srv.base);
	assert.equal((await township.login('township', DEMO_PASSWORD)).status, 200);
	const list = await township.get('/api/v1/people?page_size=50');
	assert.equal(list.status, 200, list.text);
	person = list.body.items.find((p) => p.id_number_masked);
	assert.ok(person, 'a demo person with an ID number');
	const r = await township.post(`/api/v1/people/${person.id}/unmask`, { reason: '备份恢复演练', fields: ['id_number'] });
	assert.equal(r.status, 200, r.text);
	plainId = r.body.id_number;
	assert.match(plainId, /^\d{17}[\dX]$/);
});

after(async () => {
	await srv?.stop();
	for (const name of created) sql(PG_ADMIN, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	if (work) rmSync(work, { recursive: true, force: true });
});

test('backup, then restore into a fresh database: verify passes, every table has its rows, ID numbers decrypt with the same key', async () => {
	const file = join(work, 'zhibu.backup');
	let r = srv.cli(['backup', file]);
	assert.equal(r.status, 0, r.stderr);
	const original = counts(srv.dbUrl);	// no request ran in between: the backup saw the same rows
	assert.ok(original.people > 0 && original.audit_log > 0);
	assert.equal(statSync(file).mode & 0o077, 0, 'the backup is readable by its owner only');
	r = srv.cli(['backup', file]);
	assert.equal(r.status, 1, 'a backup never overwrites a file');

	const target = freshTarget('drill');
	r = zhibu(['restore', file, '--db', target]);
	assert.equal(r.status, 0, r.out);
	assert.match(r.out, /校验通过/);
	assert.deepEqual(counts(target), original);
	r = zhibu(['verify'], { ZHIBU_DB: target });
	assert.equal(r.status, 0, r.out);

	// a server on the restored database decrypts the same person's ID number with the same key file
	const again = await serveAgain({ ...srv.env, ZHIBU_DB: target });
	try {
		const c = new Client(again.base);
		assert.equal((await c.login('township', DEMO_PASSWORD)).status, 200);
		const u = await c.post(`/api/v1/people/${person.id}/unmask`, { reason: '备份恢复演练', fields: ['id_number'] });
		assert.equal(u.status, 200, u.text);
		assert.equal(u.body.id_number, plainId);
	} finally {
		again.proc.kill('SIGTERM');
		await new Promise((ok) => again.proc.on('exit', ok));
	}

	// a database that is not empty is not overwritten without --force
	const before = counts(target);
	r = zhibu(['restore', file], { ZHIBU_DB: target });
	assert.equal(r.status, 1, r.out);
	assert.match(r.out, /--force/);
	assert.deepEqual(counts(target), before);
	r = zhibu(['restore', file, '--force'], { ZHIBU_DB: target });
	assert.equal(r.status, 0, r.out);
	assert.deepEqual(counts(target), original, 'with --force the database is the backup again');
});

test('a restore with the wrong key file, or from a damaged or tampered backup, is refused', async () => {
	const file = join(work, 'second.backup');
	assert.equal(srv.cli(['backup', file]).status, 0);
	// another installation's key file: the audit chain does not verify under it
	const otherDb = backend === 'postgres' ? freshTarget('otherkey') : join(work, 'other.db');
	const otherKey = join(work, 'other.key');
	assert.equal(zhibu(['init'], { ZHIBU_DB: otherDb, ZHIBU_KEY_FILE: otherKey }).status, 0);
	let target = freshTarget('wrongkey');
	let r = zhibu(['restore', file], { ZHIBU_DB: target, ZHIBU_KEY_FILE: otherKey });
	assert.equal(r.status, 1, r.out);
	if (backend !== 'postgres') assert.equal(existsSync(target), false, 'nothing left behind');

	if (backend === 'postgres') {
		// a truncated dump: pg_restore fails inside its one transaction, nothing is loaded
		const cut = join(work, 'cut.backup');
		const bytes = readFileSync(file);
		writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
		target = freshTarget('cut');
		r = zhibu(['restore', cut], { ZHIBU_DB: target });
		assert.equal(r.status, 1, r.out);
		assert.equal(sql(target, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"), '0');
		return;
	}
	// SQLite: a damaged file, and an audit row edited behind the program's back
	const bad = join(work, 'bad.backup');
	const bytes = readFileSync(file);
	writeFileSync(bad, bytes.subarray(0, 8192));
	target = freshTarget('bad');
	r = zhibu(['restore', bad], { ZHIBU_DB: target });
	assert.equal(r.status, 1, r.out);
	assert.equal(existsSync(target), false);
	const tampered = join(work, 'tampered.backup');
	copyFileSync(file, tampered);
	sql(tampered, "UPDATE audit_log SET username = 'nobody' WHERE seq = (SELECT max(seq) FROM audit_log)");
	r = zhibu(['restore', tampered], { ZHIBU_DB: target });
	assert.equal(r.status, 1, r.out);
	assert.match(r.out, /校验失败/);
	assert.equal(existsSync(target), false);
	// and a failed --force restore leaves the existing database as it was
	const live = freshTarget('live');
	assert.equal(zhibu(['restore', file], { ZHIBU_DB: live }).status, 0);
	const had = counts(live);
	r = zhibu(['restore', tampered, '--force'], { ZHIBU_DB: live });
	assert.equal(r.status, 1, r.out);
	assert.deepEqual(counts(live), had);
	assert.equal(zhibu(['verify'], { ZHIBU_DB: live }).status, 0);
});
