// lib.mjs - test harness: a real `zhibu serve` on a free port with a fresh database, and an HTTP client.
//
// ZHIBU_BIN picks the binary (build/zhibu or build-asan/zhibu); ZHIBU_TEST_BACKEND is
// "sqlite" (a file in a temp dir) or "postgres" (a new database in the cluster named by
// ZHIBU_TEST_PG_ADMIN_URL, dropped at the end).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(process.env.ZHIBU_BIN || 'build/zhibu');
const BACKEND = process.env.ZHIBU_TEST_BACKEND || 'sqlite';
const PG_ADMIN = process.env.ZHIBU_TEST_PG_ADMIN_URL || '';

export const backend = BACKEND;

/** Run the CLI against the server's database; returns {status, stdout, stderr}. */
function cli(env, args, extraEnv = {}) {
	const r = spawnSync(BIN, args, { env: { ...env, ...extraEnv }, encoding: 'utf8' });
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run one SQL statement behind the program's back (tests of tampering and expiry). */
function rawSql(dbUrl, sql) {
	const r = dbUrl.startsWith('postgres')
		? spawnSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', dbUrl, '-c', sql], { encoding: 'utf8' })
		: spawnSync('sqlite3', [dbUrl, sql], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`sql failed: ${sql}\n${r.stderr}`);
	return r.stdout.trim();
}

/** The password the demo accounts get when a test starts a server with { demo: true }. */
export const DEMO_PASSWORD = 'Demo#2026zhibu';

/*
 * The demo township takes seconds to build on SQLite and a minute or more on
 * PostgreSQL, and most test files start a server with it. When
 * ZHIBU_TEST_TEMPLATE_DIR is set (scripts/test.sh sets it per run), the first
 * test process to need the demo builds it once per binary and backend with
 * the real `zhibu init --demo`; every other server starts from a copy of that
 * database, key files and files folder (CREATE DATABASE ... TEMPLATE on
 * PostgreSQL). A test of init itself passes { fresh: true }.
 */
const TEMPLATE_ROOT = process.env.ZHIBU_TEST_TEMPLATE_DIR || '';

function sleepMs(ms) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The demo template for this binary and backend, built by whichever process gets there first. */
function demoTemplate() {
	const key = createHash('sha1').update(`${BIN}|${statSync(BIN).mtimeMs}|${BACKEND}|${PG_ADMIN}`).digest('hex').slice(0, 10);
	const dir = join(TEMPLATE_ROOT, key);
	const ready = join(dir, 'template.json');
	mkdirSync(TEMPLATE_ROOT, { recursive: true });
	let mine = false;
	try { mkdirSync(dir + '.lock'); mine = true; } catch { mine = false; }
	if (mine) {
		mkdirSync(dir, { recursive: true });
		let db = join(dir, 'zhibu.db');
		let pgName = null;
		if (BACKEND === 'postgres') {
			pgName = 'zt_tpl_' + key;
			rawSql(PG_ADMIN, `DROP DATABASE IF EXISTS ${pgName}`);
			rawSql(PG_ADMIN, `CREATE DATABASE ${pgName}`);
			db = PG_ADMIN.replace(/\/[^/]*$/, '/' + pgName);
		}
		const env = {
			PATH: process.env.PATH, ASAN_OPTIONS: process.env.ASAN_OPTIONS || '', UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || '',
			ZHIBU_DB: db, ZHIBU_KEY_FILE: join(dir, 'zhibu.key'), ZHIBU_FILES: join(dir, 'files'), ZHIBU_DEMO_PASSWORD: DEMO_PASSWORD,
		};
		const started = Date.now();
		const init = cli(env, ['init', '--demo']);
		if (init.status !== 0) {
			writeFileSync(ready, JSON.stringify({ error: init.stderr }));
			throw new Error(`zhibu init --demo (template) failed: ${init.stderr}`);
		}
		writeFileSync(ready + '.tmp', JSON.stringify({ stdout: init.stdout, pgName, initMs: Date.now() - started }));
		cpSync(ready + '.tmp', ready);
	}
	for (let waited = 0; !existsSync(ready); waited += 200) {
		if (waited > 15 * 60 * 1000) throw new Error('the demo template was not built in 15 minutes');
		sleepMs(200);
	}
	const t = JSON.parse(readFileSync(ready, 'utf8'));
	if (t.error) throw new Error(`zhibu init --demo (template) failed: ${t.error}`);
	return { dir, ...t };
}

/** Start from a copy of the demo template: its database, key files and files folder into `dir`. */
function copyTemplate(t, dir, pgName) {
	for (const name of readdirSync(t.dir)) {
		if (name.startsWith('template.json')) continue;
		const from = join(t.dir, name);
		if (statSync(from).isDirectory()) cpSync(from, join(dir, name), { recursive: true });
		else copyFileSync(from, join(dir, name));
	}
	if (pgName) rawSql(PG_ADMIN, `CREATE DATABASE ${pgName} TEMPLATE ${t.pgName}`);
}

/**
 * Start a server on a fresh database. Returns { base, adminPassword, cli(args, env),
 * sql(statement), stop(), initOutput, initMs }. `env` adds environment variables for init
 * and serve. `opts.demo` runs `init --demo` with ZHIBU_DEMO_PASSWORD = opts.demoPassword
 * (default DEMO_PASSWORD; null = one-time passwords, printed in initOutput); with the
 * default password it starts from the shared demo template unless `opts.fresh`.
 */
export async function startServer(env = {}, opts = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'zhibu-api-'));
	let dbUrl = join(dir, 'zhibu.db');
	let pgName = null;
	const template = TEMPLATE_ROOT && opts.demo && !opts.fresh && opts.demoPassword === undefined &&
		!env.ZHIBU_ADMIN_PASSWORD && !env.ZHIBU_ORG_NAME ? demoTemplate() : null;
	if (BACKEND === 'postgres') {
		pgName = 'zt_' + randomBytes(6).toString('hex');
		if (!template) rawSql(PG_ADMIN, `CREATE DATABASE ${pgName}`);
		dbUrl = PG_ADMIN.replace(/\/[^/]*$/, '/' + pgName);
	}
	const baseEnv = {
		PATH: process.env.PATH,
		ASAN_OPTIONS: process.env.ASAN_OPTIONS || '',
		UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || '',
		ZHIBU_DB: dbUrl,
		ZHIBU_KEY_FILE: join(dir, 'zhibu.key'),
		ZHIBU_LISTEN: '127.0.0.1:0',
		ZHIBU_STATIC: join(dir, 'static'),
		ZHIBU_FILES: join(dir, 'files'),
		ZHIBU_THREADS: '4',
		// the daily jobs write (findings, checkpoints) at start-up: off unless a test is about them
		ZHIBU_JOBS: '0',
		...env,
	};
	const demoEnv = {};
	if (opts.demo && opts.demoPassword !== null) demoEnv.ZHIBU_DEMO_PASSWORD = opts.demoPassword || DEMO_PASSWORD;
	const started = Date.now();
	let init;
	if (template) {
		copyTemplate(template, dir, pgName);
		init = { status: 0, stdout: template.stdout, stderr: '' };
	} else {
		init = cli(baseEnv, opts.demo ? ['init', '--demo'] : ['init'], demoEnv);
	}
	const initMs = template ? template.initMs : Date.now() - started;
	if (init.status !== 0) throw new Error(`zhibu init failed: ${init.stderr}`);
	const pw = /one-time password: (\S+)/.exec(init.stdout);
	const adminPassword = pw ? pw[1] : env.ZHIBU_ADMIN_PASSWORD;

	const proc = spawn(BIN, ['serve'], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
	let stderr = '';
	proc.stderr.on('data', (d) => { stderr += d; });
	const base = await new Promise((ok, fail) => {
		let out = '';
		const timer = setTimeout(() => fail(new Error('server did not start: ' + stderr)), 15000);
		proc.stdout.on('data', (d) => {
			out += d;
			const m = /listening on (http:\/\/[^/\s]+)\//.exec(out);
			if (m) { clearTimeout(timer); ok(m[1]); }
		});
		proc.on('exit', (code) => fail(new Error(`server exited ${code}: ${stderr}`)));
	});
	return {
		base,
		dbUrl,
		adminPassword,
		initOutput: init.stdout,
		initMs,
		env: baseEnv,
		proc,
		log: () => stderr,
		cli: (args, extra) => cli(baseEnv, args, extra),
		sql: (statement) => rawSql(dbUrl, statement),
		async stop() {
			proc.kill('SIGTERM');
			await new Promise((ok) => { if (proc.exitCode !== null || proc.signalCode !== null) ok(); else proc.on('exit', ok); });
			if (/AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:/.test(stderr))
				throw new Error('sanitizer report in server log:\n' + stderr);
			if (pgName) rawSql(PG_ADMIN, `DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/**
 * Start another `zhibu serve` on an existing server's database (srv.env), e.g. after
 * killing srv.proc in a crash test. Returns { proc, base, log() }; the caller stops it.
 */
export async function serveAgain(env) {
	const proc = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let stderr = '';
	proc.stderr.on('data', (d) => { stderr += d; });
	const base = await new Promise((ok, fail) => {
		let out = '';
		const timer = setTimeout(() => fail(new Error('server did not start: ' + stderr)), 15000);
		proc.stdout.on('data', (d) => {
			out += d;
			const m = /listening on (http:\/\/[^/\s]+)\//.exec(out);
			if (m) { clearTimeout(timer); ok(m[1]); }
		});
		proc.on('exit', (code) => fail(new Error(`server exited ${code}: ${stderr}`)));
	});
	return { proc, base, log: () => stderr };
}

/** An HTTP client with its own cookie jar and CSRF token, like one browser tab. */
/** The body of an answer that must have `status` (200 unless told); fails the test with the answer's text otherwise. */
export async function ok(promise, status = 200) {
	const r = await promise;
	assert.equal(r.status, status, r.text);
	return r.body;
}

export class Client {
	constructor(base) {
		this.base = base;
		this.cookie = '';
		this.csrf = '';
	}

	async req(method, path, body, headers = {}) {
		const h = { ...headers };
		if (this.cookie) h.cookie = this.cookie;
		if (this.csrf && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
		let payload;
		if (body !== undefined) {
			payload = typeof body === 'string' ? body : JSON.stringify(body);
			h['content-type'] = 'application/json';
		}
		let res;
		for (let attempt = 1; ; attempt++) {
			try {
				res = await fetch(this.base + path, { method, headers: h, body: payload });
				break;
			} catch (e) {
				// The server closes a keep-alive connection left idle for ZHIBU_HTTP_TIMEOUT (30 s), as it
				// should; a GET sent on it just as it closed is sent again once, as a browser does. A
				// server that is gone refuses the second try too.
				const code = e.cause && e.cause.code;
				if (method === 'GET' && attempt === 1 && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) continue;
				// name the socket error behind undici's bare "fetch failed"
				throw new Error(`${method} ${path}: ${e.message} (${e.cause ? `${code || ''} ${e.cause.message}` : 'no cause'})`);
			}
		}
		const set = res.headers.get('set-cookie');
		if (set) {
			const m = /zhibu_session=([^;]*)/.exec(set);
			if (m) this.cookie = m[1] ? `zhibu_session=${m[1]}` : '';
		}
		const text = await res.text();
		let json = null;
		try { json = text ? JSON.parse(text) : null; } catch { json = null; }
		if (json && json.csrf_token) this.csrf = json.csrf_token;
		return { status: res.status, body: json, text, headers: res.headers };
	}

	/** Send raw bytes (a file upload, the way the web app sends one); answers like req(). */
	async raw(method, path, bytes, type = 'application/octet-stream') {
		const h = { 'content-type': type };
		if (this.cookie) h.cookie = this.cookie;
		if (this.csrf) h['x-csrf-token'] = this.csrf;
		const res = await fetch(this.base + path, { method, headers: h, body: bytes });
		const text = await res.text();
		let json = null;
		try { json = text ? JSON.parse(text) : null; } catch { json = null; }
		return { status: res.status, body: json, text, headers: res.headers };
	}

	/** Upload a file for an org: POST /api/v1/files?org=&name=. */
	upload(org, name, bytes) {
		return this.raw('POST', `/api/v1/files?org=${org}&name=${encodeURIComponent(name)}`, bytes);
	}

	/** GET returning the raw bytes as a Buffer (downloads). */
	async bytes(path) {
		const h = {};
		if (this.cookie) h.cookie = this.cookie;
		const res = await fetch(this.base + path, { headers: h });
		return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
	}

	get(path) { return this.req('GET', path); }
	post(path, body = {}) { return this.req('POST', path, body); }
	put(path, body = {}) { return this.req('PUT', path, body); }
	del(path, body) { return this.req('DELETE', path, body); }

	async login(username, password, totp) {
		const body = { username, password };
		if (totp) body.totp = totp;
		return this.post('/api/v1/session', body);
	}
}

/** Log in as admin, change the one-time password, and return the client. */
export async function adminClient(srv, newPassword = 'Zhibu#2026pass') {
	const c = new Client(srv.base);
	let r = await c.login('admin', srv.adminPassword);
	if (r.status !== 200) throw new Error('admin login failed: ' + r.text);
	r = await c.put('/api/v1/session/password', { old_password: srv.adminPassword, new_password: newPassword });
	if (r.status !== 200) throw new Error('password change failed: ' + r.text);
	return c;
}

/**
 * A user created through the CLI with a known, non-one-time password and roles
 * ("staff@1", "secretary@5"); returns a logged-in client.
 */
export async function userClient(srv, username, orgId, roles, password = 'User#2026pass') {
	const args = ['user', 'add', username, '--name', username, '--org', String(orgId)];
	for (const r of roles) args.push('--role', r);
	const r = srv.cli(args, { ZHIBU_PASSWORD: password });
	if (r.status !== 0) throw new Error(`user add failed: ${r.stderr}`);
	const c = new Client(srv.base);
	const res = await c.login(username, password);
	if (res.status !== 200) throw new Error(`login ${username} failed: ${res.text}`);
	return c;
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) from a base32 secret, for enrolment tests. */
export function totp(secretB32, t = Date.now() / 1000) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = '';
	for (const ch of secretB32.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
	const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
	const h = createHmac('sha1', key).update(counter).digest();
	const o = h[h.length - 1] & 15;
	const v = (h.readUInt32BE(o) & 0x7fffffff) % 1000000;
	return String(v).padStart(6, '0');
}
