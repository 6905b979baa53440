// pg_lost.test.mjs - PostgreSQL only: the server's connections are cut (pg_terminate_backend) while idle, in a write, in an export and under load; every answer is the data or a clean 503, nothing is half-written, the next request works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, Client, DEMO_PASSWORD, backend } from './lib.mjs';

const SKIP = backend === 'postgres' ? false :
	'PostgreSQL only: it cuts the server\'s database connections with pg_terminate_backend (run with ZHIBU_TEST_BACKEND=postgres)';
const LOST = /数据库连接中断/;

let srv, township, branch;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/*
 * Cut every connection zhibu holds to this test's database (not the admin
 * connection running this, nor the pids in `keep`), waiting until each
 * backend has exited. Returns how many were cut.
 */
function cut(keep = []) {
	const spare = keep.length ? ` AND pid NOT IN (${keep.join(',')})` : '';
	return Number(srv.sql(`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'zhibu'${spare}`));
}

/*
 * Hold `table` in ACCESS EXCLUSIVE mode from a psql session of our own, so
 * that a request touching it waits in the database until we cut it.
 * Returns { pid, release() } once the lock is held.
 */
async function lockTable(table) {
	const p = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', srv.dbUrl], { stdio: ['pipe', 'ignore', 'pipe'] });
	let err = '';
	p.stderr.on('data', (d) => { err += d; });
	p.stdin.write(`BEGIN;\nLOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE;\n`);
	let pid = '';
	for (let waited = 0; !pid; waited += 50) {
		assert.ok(waited < 10000, `the lock on ${table} was not taken: ${err}`);
		await sleep(50);
		pid = srv.sql(`SELECT l.pid FROM pg_locks l WHERE l.relation = '${table}'::regclass
			AND l.mode = 'AccessExclusiveLock' AND l.granted`);
	}
	const done = new Promise((ok) => p.on('exit', ok));
	let released = false;
	return {
		pid: Number(pid),
		async release() {
			if (!released) p.stdin.end('ROLLBACK;\n');
			released = true;
			await done;
		},
	};
}

/* Wait until one of zhibu's connections waits for a lock (the request is in the database). */
async function waitForBlocked(what = 'no request of zhibu waited for the lock') {
	for (let waited = 0; ; waited += 50) {
		const n = Number(srv.sql(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND application_name = 'zhibu' AND wait_event_type = 'Lock'`));
		if (n > 0) return;
		assert.ok(waited < 10000, what);
		await sleep(50);
	}
}

/* The clean answer to a request whose connection was lost: 503, the usual error body, a Chinese message. */
function assertLost(r, what) {
	assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
	assert.equal(r.body?.error?.code, 'unavailable', `${what}: ${r.text}`);
	assert.match(r.body.error.message, LOST, `${what}: ${r.text}`);
}

function assertAlive() {
	assert.equal(srv.proc.exitCode, null, 'the server is still running');
	assert.equal(srv.proc.signalCode, null, 'the server is still running');
}

function orgByName(name) {
	return srv.sql(`SELECT id FROM orgs WHERE name = '${name}'`);
}

function audited(id) {
	return Number(srv.sql(`SELECT count(*) FROM audit_log WHERE entity = 'org' AND action = 'create' AND entity_id = ${Number(id)}`));
}

function newOrg(name) {
	return township.post('/api/v1/orgs', { parent_id: branch.id, name, kind: 'party_group', category: 'village' });
}

before(async () => {
	if (SKIP) return;
	srv = await startServer({}, { demo: true });
	township = new Client(srv.base);
	assert.equal((await township.login('township', DEMO_PASSWORD)).status, 200);
	const orgs = (await township.get('/api/v1/orgs?format=flat&page_size=200')).body.items;
	branch = orgs.find((o) => o.name === '团结村党支部');
	assert.ok(branch);
});

after(async () => {
	await srv?.stop();
});

test('connections cut while idle: the very next requests (reads, a write) succeed without a restart', { skip: SKIP }, async () => {
	assert.equal((await township.get('/api/v1/session')).status, 200);
	const n = cut();
	assert.ok(n >= 1, `zhibu's idle connections were cut (${n})`);
	// more requests than the pool has connections, so that every cut one is handed out again
	for (let i = 0; i < 10; i++) {
		const r = await township.get(i % 2 ? '/api/v1/session' : '/api/v1/orgs?format=flat&page_size=200');
		assert.equal(r.status, 200, `read ${i} after the cut: ${r.status} ${r.text}`);
	}
	const r = await newOrg('断线测试-空闲后');
	assert.equal(r.status, 201, r.text);
	assert.equal(audited(r.body.id), 1);
	assertAlive();
});

test('a write whose transaction is cut answers a clean 503 and leaves nothing; the same write then succeeds', { skip: SKIP }, async () => {
	// the write gets as far as its audit row (the org row is already inserted in its transaction) and waits there
	const lock = await lockTable('audit_head');
	let r;
	try {
		const pending = newOrg('断线测试-写入中');
		await waitForBlocked();
		assert.ok(cut([lock.pid]) >= 1, 'the waiting write\'s connection was cut');
		r = await pending;
	} finally {
		await lock.release();
	}
	assertLost(r, 'the cut write');
	assert.equal(orgByName('断线测试-写入中'), '', 'no part of the cut write is there');
	assert.equal(Number(srv.sql(`SELECT count(*) FROM audit_log WHERE after_json LIKE '%断线测试-写入中%'`)), 0, 'nor its audit row');

	assert.equal((await township.get('/api/v1/session')).status, 200, 'the next read works');
	r = await newOrg('断线测试-写入中');
	assert.equal(r.status, 201, `the write again: ${r.text}`);
	assert.equal(orgByName('断线测试-写入中'), String(r.body.id));
	assert.equal(audited(r.body.id), 1);
	assertAlive();
});

test('an export cut in the middle (rows read, its audit row waiting) answers a clean 503; the next export is whole', { skip: SKIP }, async () => {
	const people = Number(srv.sql('SELECT count(*) FROM people'));
	assert.ok(people > 100, 'the demo township has people to export');
	const exports = () => Number(srv.sql(`SELECT count(*) FROM audit_log WHERE entity = 'export'`));
	const before = exports();
	const lock = await lockTable('audit_head');
	let r;
	try {
		const pending = township.bytes(`/api/v1/exports/people?org=1`);
		await waitForBlocked();
		assert.ok(cut([lock.pid]) >= 1, 'the export\'s connection was cut');
		r = await pending;
	} finally {
		await lock.release();
	}
	const text = r.body.toString('utf8');
	assertLost({ status: r.status, text, body: JSON.parse(text) }, 'the cut export');
	assert.equal(exports(), before, 'no export was audited, since none was handed out');

	r = await township.bytes(`/api/v1/exports/people?org=1`);
	assert.equal(r.status, 200);
	assert.equal(r.body.subarray(0, 2).toString(), 'PK', 'an xlsx file');
	assert.ok(Number(r.headers.get('x-export-rows')) > 100, `rows: ${r.headers.get('x-export-rows')}`);
	assert.equal(exports(), before + 1);
	assertAlive();
});

test('a read cut while it waits is retried on a new connection and answers the whole list', { skip: SKIP }, async () => {
	const want = (await township.get('/api/v1/orgs?format=flat&page_size=200')).body.items.length;
	const lock = await lockTable('orgs');
	let r;
	try {
		const pending = township.get('/api/v1/orgs?format=flat&page_size=200');
		await waitForBlocked();
		assert.ok(cut([lock.pid]) >= 1, 'the read\'s connection was cut');
		// the retried read waits for the lock again: it is still in the database, not answered
		await waitForBlocked('the cut read was not sent again on a new connection');
		await lock.release();
		r = await pending;
	} finally {
		await lock.release();
	}
	assert.equal(r.status, 200, `the cut read: ${r.status} ${r.text}`);
	assert.equal(r.body.items.length, want);
	assertAlive();
});

test('a session lookup cut twice (its retry too) answers 503, not "登录已失效": the user stays logged in', { skip: SKIP }, async () => {
	const lock = await lockTable('sessions');
	let r;
	try {
		const pending = township.get('/api/v1/session');
		await waitForBlocked();
		assert.ok(cut([lock.pid]) >= 1, 'the lookup\'s connection was cut');
		await waitForBlocked('the cut lookup was not sent again on a new connection');
		assert.ok(cut([lock.pid]) >= 1, 'the retried lookup\'s connection was cut');
		r = await pending;
	} finally {
		await lock.release();
	}
	assertLost(r, 'the twice-cut session lookup');
	assert.equal(r.body.error.message, '数据库连接中断，请稍后重试', 'a read says only to retry');
	assert.equal(r.headers.get('set-cookie'), null, 'the session cookie is left alone');
	assert.equal((await township.get('/api/v1/session')).status, 200, 'still logged in, and the pool reconnected');
	assertAlive();
});

test('connections cut again and again under concurrent writes: each answer is 201 or a clean 503, every org has its audit row, the chain verifies', { skip: SKIP }, async (t) => {
	const ROUNDS = 6, WORKERS = 4;
	const acked = [], refused = [], other = [];
	let stop = false, cuts = 0;
	const worker = async (w) => {
		for (let i = 0; !stop; i++) {
			const name = `断线并发-${w}-${i}`;
			const r = await newOrg(name);
			if (r.status === 201) acked.push({ id: r.body.id, name });
			else if (r.status === 503 && r.body?.error?.code === 'unavailable' && LOST.test(r.body.error.message)) refused.push(name);
			else other.push(`${name}: ${r.status} ${r.text}`);
		}
	};
	const workers = [...Array(WORKERS).keys()].map(worker);
	for (let round = 0; round < ROUNDS; round++) {
		// a cut wherever the requests happen to be (mostly between transactions) ...
		await sleep(40 + round * 17);
		cuts += cut();
		// ... and one while writes are surely in the middle of their transactions
		await sleep(40);
		const lock = await lockTable('audit_head');
		try {
			await waitForBlocked();
			cuts += cut([lock.pid]);
		} finally {
			await lock.release();
		}
	}
	await sleep(100);
	stop = true;
	await Promise.all(workers);
	t.diagnostic(`${cuts} connections cut; ${acked.length} writes acknowledged, ${refused.length} refused with 503`);
	assert.deepEqual(other, [], 'no answer other than 201 or the clean 503');
	assert.ok(refused.length >= ROUNDS, 'writes cut in their transactions were refused');
	assert.ok(acked.length > ROUNDS, 'writes went on between the cuts');

	// the server still answers, and every write is whole: acknowledged ones there, refused ones not, each org with its audit row
	assertAlive();
	assert.equal((await township.get('/api/v1/session')).status, 200);
	const present = new Map(srv.sql(`SELECT id || '|' || name FROM orgs WHERE name LIKE '断线并发-%'`).split('\n').filter(Boolean)
		.map((l) => l.split('|')).map(([id, name]) => [Number(id), name]));
	for (const a of acked) assert.equal(present.get(a.id), a.name, `acknowledged org ${a.name} is there`);
	const names = new Set(present.values());
	const kept = refused.filter((n) => names.has(n));
	assert.ok(kept.length < refused.length, `refused writes are not there (only a COMMIT cut in flight may be): ${kept}`);
	const withAudit = Number(srv.sql(`SELECT count(DISTINCT entity_id) FROM audit_log WHERE entity = 'org' AND action = 'create'
		AND entity_id IN (SELECT id FROM orgs WHERE name LIKE '断线并发-%')`));
	assert.equal(withAudit, present.size, 'every org there has its audit row (write and audit in one transaction)');
	const v = srv.cli(['verify']);
	assert.equal(v.status, 0, v.stdout + v.stderr);
	assert.doesNotMatch(srv.log(), /AddressSanitizer|runtime error:/);
});
