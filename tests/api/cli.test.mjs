// cli.test.mjs - the command-line contract: init, user, verify, backup, version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, Client, backend } from './lib.mjs';

const BIN = resolve(process.env.ZHIBU_BIN || 'build/zhibu');

function run(args, env) {
	const r = spawnSync(BIN, args, { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('version and help', () => {
	assert.match(run(['version'], {}).stdout, /^zhibu \d+\.\d+\.\d+/);
	const h = run(['help'], {});
	for (const cmd of ['init', 'serve', 'migrate', 'user', 'verify', 'backup'])
		assert.match(h.stdout, new RegExp(cmd));
	assert.equal(run(['frobnicate'], {}).status, 2);
});

test('init prints a one-time password, creates a 0600 key file, and a second init changes nothing', { skip: backend !== 'sqlite' }, () => {
	const dir = mkdtempSync(join(tmpdir(), 'zhibu-cli-'));
	const env = { ZHIBU_DB: join(dir, 'sub', 'z.db') };
	try {
		let r = run(['init'], env);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^username: admin$/m);
		assert.match(r.stdout, /^one-time password: \S{12,}$/m);
		assert.equal(statSync(join(dir, 'sub', 'z.db.key')).mode & 0o777, 0o600);
		assert.equal(statSync(join(dir, 'sub', 'z.db')).mode & 0o077, 0, 'database is owner-only');
		r = run(['init'], env);
		assert.equal(r.status, 0);
		assert.match(r.stdout, /未做任何更改/);
		assert.doesNotMatch(r.stdout, /password/);
		// migrate on an up-to-date database applies nothing
		r = run(['migrate'], env);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /已应用 0 个迁移/);
		// verify and backup
		assert.equal(run(['verify'], env).status, 0);
		const bak = join(dir, 'backup.db');
		r = run(['backup', bak], env);
		assert.equal(r.status, 0, r.stderr);
		assert.ok(existsSync(bak));
		r = run(['--db', bak, 'verify'], { ZHIBU_KEY_FILE: join(dir, 'sub', 'z.db.key') });
		assert.equal(r.status, 0, 'the backup verifies with the same key: ' + r.stdout + r.stderr);
		assert.equal(run(['backup', bak], env).status, 1, 'never overwrites');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('ZHIBU_ADMIN_PASSWORD must meet the policy and is not one-time', { skip: backend !== 'sqlite' }, async () => {
	const dir = mkdtempSync(join(tmpdir(), 'zhibu-cli-'));
	try {
		let r = run(['init'], { ZHIBU_DB: join(dir, 'a.db'), ZHIBU_ADMIN_PASSWORD: 'weak' });
		assert.equal(r.status, 1);
		assert.match(r.stderr, /密码策略/);
		assert.equal(run(['verify'], { ZHIBU_DB: join(dir, 'a.db') }).status, 1, 'nothing usable was left behind');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	const srv = await startServer({ ZHIBU_ADMIN_PASSWORD: 'Operator#2026' });
	try {
		const c = new Client(srv.base);
		const r = await c.login('admin', 'Operator#2026');
		assert.equal(r.status, 200);
		assert.equal(r.body.user.must_change_password, false);
		assert.equal((await c.get('/api/v1/users')).status, 200);
	} finally {
		await srv.stop();
	}
});

test('user add, passwd, lock, unlock and list', async () => {
	const srv = await startServer();
	try {
		let r = srv.cli(['user', 'add', 'li.si', '--name', '李四', '--org', '1', '--role', 'staff']);
		assert.equal(r.status, 0, r.stderr);
		const otp = /one-time password: (\S+)/.exec(r.stdout)[1];
		r = srv.cli(['user', 'add', 'li.si', '--name', '李四', '--org', '1']);
		assert.equal(r.status, 1, 'duplicate refused');
		r = srv.cli(['user', 'add', 'x', '--name', 'x', '--org', '1', '--role', 'king']);
		assert.equal(r.status, 2);
		const c = new Client(srv.base);
		assert.equal((await c.login('li.si', otp)).body.user.must_change_password, true);
		assert.equal(srv.cli(['user', 'lock', 'li.si']).status, 0);
		assert.equal((await new Client(srv.base).login('li.si', otp)).status, 403);
		assert.equal(srv.cli(['user', 'unlock', 'li.si']).status, 0);
		r = srv.cli(['user', 'passwd', 'li.si'], { ZHIBU_PASSWORD: 'Li#Si2026pass' });
		assert.equal(r.status, 0, r.stderr);
		const login = await new Client(srv.base).login('li.si', 'Li#Si2026pass');
		assert.equal(login.status, 200);
		assert.equal(login.body.user.must_change_password, false);
		r = srv.cli(['user', 'list']);
		assert.match(r.stdout, /li\.si/);
		assert.match(r.stdout, /staff@1/);
		assert.equal(srv.cli(['user', 'lock', 'nobody']).status, 1);
		assert.equal(srv.cli(['verify']).status, 0, 'CLI writes are audited in the chain');
		assert.ok(Number(srv.sql("SELECT COUNT(*) FROM audit_log WHERE username = 'cli'")) >= 4);
	} finally {
		await srv.stop();
	}
});

test('serve refuses an uninitialised database with a clear message', () => {
	const dir = mkdtempSync(join(tmpdir(), 'zhibu-cli-'));
	try {
		const r = run(['serve'], { ZHIBU_DB: join(dir, 'none.db'), ZHIBU_LISTEN: '127.0.0.1:0' });
		assert.equal(r.status, 1);
		assert.match(r.stderr, /zhibu init/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
