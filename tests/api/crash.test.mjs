// crash.test.mjs - SIGKILL the server in the middle of concurrent writes and imports, many times; nothing acknowledged is lost, nothing is half-done.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serveAgain, Client, DEMO_PASSWORD, backend } from './lib.mjs';

const ROUNDS = 10;
const WORKERS = 4;
const IMPORT_ROWS = 40;
const HEADERS = ['姓名', '性别', '民族', '出生日期', '身份证号', '联系电话', '学历', '政治面貌', '入党时间', '转正时间', '所在支部'];

let srv, current, township, branch, village;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** A valid 18-character ID number (GB 11643) for a birth date and sequence. */
function idnum(birth, seq) {
	const body = '152921' + birth.replaceAll('-', '') + String(seq % 1000).padStart(3, '0');
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
	return body + '10X98765432'[sum % 11];
}

/** The CSV of one import batch: IMPORT_ROWS people named 崩溃导入R-NN, each with a distinct ID number. */
function batch(round) {
	const birth = `19${60 + round}-03-1${round % 10}`;
	const rows = [HEADERS];
	for (let i = 0; i < IMPORT_ROWS; i++)
		rows.push([`崩溃导入${round}-${String(i).padStart(2, '0')}`, i % 2 ? '男' : '女', '汉族', birth, idnum(birth, 100 + i),
			'13900000000', '高中', '群众', '', '', branch.name]);
	return Buffer.from(rows.map((r) => r.join(',')).join('\r\n') + '\r\n');
}

function upload(c, path, bytes) {
	return fetch(c.base + path, {
		method: 'POST', body: bytes,
		headers: { 'content-type': 'text/csv', cookie: c.cookie, 'x-csrf-token': c.csrf },
	});
}

before(async () => {
	srv = await startServer({}, { demo: true });
	current = { proc: srv.proc, log: srv.log };
	township = new Client(srv.base);
	assert.equal((await township.login('township', DEMO_PASSWORD)).status, 200);
	const orgs = (await township.get('/api/v1/orgs?format=flat&page_size=200')).body.items;
	branch = orgs.find((o) => o.name === '团结村党支部');
	village = orgs.find((o) => o.kind === 'branch' && o.id !== branch.id);
	assert.ok(branch && village);
});

after(async () => {
	if (current && current.proc !== srv.proc && current.proc.exitCode === null && current.proc.signalCode === null) {
		current.proc.kill('SIGTERM');
		await new Promise((ok) => current.proc.on('exit', ok));
	}
	await srv?.stop();
});

test(`${ROUNDS} SIGKILLs during writes and imports: integrity, audit chain, acknowledged writes, all-or-nothing imports`, async (t) => {
	const acked = [];	// { id, name } of orgs the client saw created (201)
	const deeds = [];	// ids of deeds the client saw created (201)
	const imports = [];	// { round, acked }
	let attempted = 0;
	// a deterministic sequence of kill moments (ms after the round's writes start)
	let seed = 0x5eed;
	const rand = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };

	for (let round = 0; round < ROUNDS; round++) {
		let stop = false;
		const worker = async (w) => {
			for (let i = 0; !stop; i++) {
				const name = `崩溃测试${round}-${w}-${i}`;
				attempted++;
				try {
					if (w === 0) {	// one worker records deeds, the others create orgs
						const r = await township.post('/api/v1/deeds', { org_id: village.id, category: 'policy', channel: 'phone', title: name });
						if (r.status === 201) deeds.push(r.body.id);
					} else {
						const r = await township.post('/api/v1/orgs', { parent_id: branch.id, name, kind: 'party_group', category: 'village' });
						if (r.status === 201) acked.push({ id: r.body.id, name });
						else if (r.status !== 201) assert.fail(`unexpected ${r.status}: ${r.text}`);
					}
				} catch (e) {
					if (e.code === 'ERR_ASSERTION') throw e;
					return;	// the server died under us
				}
			}
		};
		const importer = (async () => {
			try {
				const r = await upload(township, `/api/v1/imports/people?org_id=${branch.id}`, batch(round));
				const text = await r.text();
				if (r.status !== 200 && r.status !== 201) assert.fail(`import answered ${r.status}: ${text}`);
				imports.push({ round, acked: true });
			} catch (e) {
				if (e.code === 'ERR_ASSERTION') throw e;
				imports.push({ round, acked: false });
			}
		})();
		const workers = [...Array(WORKERS).keys()].map(worker);
		// mostly early kills (in the middle of the import), every third round late enough for it to finish
		await sleep(30 + rand(round % 3 === 2 ? 3000 : 400));
		current.proc.kill('SIGKILL');
		await new Promise((ok) => { if (current.proc.signalCode !== null || current.proc.exitCode !== null) ok(); else current.proc.on('exit', ok); });
		stop = true;
		await Promise.all([...workers, importer]);
		assert.doesNotMatch(current.log(), /AddressSanitizer|runtime error:/);
		current = await serveAgain(srv.env);
		township.base = current.base;	// sessions live in the database: the same cookie still works
	}
	assert.ok(acked.length > ROUNDS, `writes were acknowledged (${acked.length} of ${attempted})`);
	assert.ok(attempted > acked.length + deeds.length, 'some writes were in flight at a kill');

	// the restarted server answers and the session survived
	assert.equal((await township.get('/api/v1/session')).status, 200);
	current.proc.kill('SIGTERM');
	await new Promise((ok) => current.proc.on('exit', ok));
	assert.doesNotMatch(current.log(), /AddressSanitizer|runtime error:/);

	// 1. the database's own integrity
	if (backend === 'postgres') {
		srv.sql('CREATE EXTENSION IF NOT EXISTS amcheck');
		const bad = srv.sql(`SELECT count(*) FROM (SELECT bt_index_check(c.oid, true) FROM pg_index i
			JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.amname = 'btree' AND n.nspname = 'public') t`);
		assert.ok(Number(bad) > 0, 'every b-tree index checked');
		assert.equal(srv.sql(`SELECT count(*) FROM orgs o WHERE o.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orgs p WHERE p.id = o.parent_id)`), '0');
		assert.equal(srv.sql(`SELECT count(*) FROM orgs o JOIN orgs p ON p.id = o.parent_id WHERE o.path <> p.path || o.id || '/'`), '0');
	} else {
		assert.equal(srv.sql('PRAGMA integrity_check'), 'ok');
		assert.equal(srv.sql('PRAGMA foreign_key_check'), '');
	}
	// 2. the audit chain verifies (and the disclosure log)
	const v = srv.cli(['verify']);
	assert.equal(v.status, 0, v.stdout + v.stderr);
	// 3. every acknowledged write is there, with its audit row
	const names = new Map(srv.sql(`SELECT id || '|' || name FROM orgs WHERE name LIKE '崩溃测试%'`).split('\n').filter(Boolean)
		.map((l) => l.split('|')).map(([id, name]) => [Number(id), name]));
	for (const a of acked) assert.equal(names.get(a.id), a.name, `acknowledged org ${a.id} ${a.name} survived`);
	const audited = Number(srv.sql(`SELECT count(DISTINCT entity_id) FROM audit_log WHERE entity = 'org' AND action = 'create'
		AND entity_id IN (SELECT id FROM orgs WHERE name LIKE '崩溃测试%')`));
	assert.equal(audited, names.size, 'every surviving org has its audit row (write and audit in one transaction)');
	if (deeds.length) {
		const got = Number(srv.sql(`SELECT count(*) FROM deeds WHERE id IN (${deeds.join(',')})`));
		assert.equal(got, deeds.length, 'every acknowledged deed survived');
	}
	// 4. no import is half-done: each batch is all its rows or none; an acknowledged one is all
	let whole = 0;
	for (const im of imports) {
		const n = Number(srv.sql(`SELECT count(*) FROM people WHERE name LIKE '崩溃导入${im.round}-%'`));
		assert.ok(n === 0 || n === IMPORT_ROWS, `import of round ${im.round}: ${n} of ${IMPORT_ROWS} rows`);
		if (im.acked) assert.equal(n, IMPORT_ROWS, `acknowledged import of round ${im.round} is all there`);
		if (n) whole++;
	}
	assert.equal(imports.length, ROUNDS);
	t.diagnostic(`${attempted} writes tried, ${acked.length} orgs and ${deeds.length} deeds acknowledged, ${names.size} orgs present; imports acknowledged ${imports.filter((i) => i.acked).length}, whole ${whole} of ${ROUNDS}`);
});
