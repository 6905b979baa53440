// http.test.mjs - the HTTP layer as a client sees it: health, headers, limits, errors, rate limits, OpenAPI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, Client, userClient } from './lib.mjs';

let srv;

/** Write raw bytes on a new connection and collect everything until the server closes (3 s at most). */
function rawExchange(url, raw) {
	return new Promise((ok, fail) => {
		const s = net.connect(Number(url.port), url.hostname, () => s.write(raw));
		let data = '';
		s.on('data', (d) => { data += d; });
		s.on('end', () => ok(data));
		s.on('error', (e) => (data ? ok(data) : fail(e)));
		setTimeout(() => { s.destroy(); ok(data); }, 3000);
	});
}
before(async () => { srv = await startServer({ ZHIBU_LOGIN_RATE: '8' }); });
after(async () => { await srv.stop(); });

test('health answers ok with the security headers', async () => {
	const r = await new Client(srv.base).get('/api/v1/health');
	assert.equal(r.status, 200);
	assert.deepEqual(r.body, { status: 'ok' });
	assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
	assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
	assert.ok(r.headers.get('referrer-policy'));
	assert.equal(r.headers.get('cache-control'), 'no-store');
	assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
});

test('unknown paths, wrong methods and anonymous calls get the error shape', async () => {
	const c = new Client(srv.base);
	let r = await c.get('/api/v1/nothing-here');
	assert.equal(r.status, 404);
	assert.equal(r.body.error.code, 'not_found');
	r = await c.req('PATCH', '/api/v1/health');
	assert.equal(r.status, 405);
	r = await c.get('/api/v1/orgs');
	assert.equal(r.status, 401);
	assert.equal(r.body.error.code, 'unauthorized');
	assert.match(r.body.error.message, /登录/);
});

test('a body over the limit answers 413 and writes nothing', async () => {
	const staff = await userClient(srv, 'big', 1, ['staff@1']);
	const url = new URL(srv.base);
	// announce 2 MiB: the server answers before reading it (a client library may not wait to read that answer)
	const raw = `POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
		`Cookie: ${staff.cookie}\r\nX-CSRF-Token: ${staff.csrf}\r\nContent-Length: ${2 << 20}\r\n\r\n{"name":"`;
	const answer = await rawExchange(url, raw);
	assert.match(answer, /^HTTP\/1\.1 413/);
	assert.match(answer, /"too_large"/);
	const list = await staff.get('/api/v1/orgs?format=flat');
	assert.equal(list.body.total, 1);
});

test('wrong types and out-of-range query values name the field', async () => {
	const staff = new Client(srv.base);
	await staff.login('big', 'User#2026pass');
	let r = await staff.get('/api/v1/orgs?format=flat&page_size=1000');
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.page_size);
	r = await staff.get('/api/v1/orgs?format=flat&page=abc');
	assert.ok(r.body.error.fields.page);
	r = await staff.get('/api/v1/orgs?format=cube');
	assert.ok(r.body.error.fields.format);
	r = await staff.post('/api/v1/orgs', [1, 2, 3]);
	assert.equal(r.status, 400);
	r = await staff.post('/api/v1/orgs', { parent_id: 1.5, name: true, kind: 'branch', category: 'village' });
	assert.ok(r.body.error.fields.parent_id);
	assert.ok(r.body.error.fields.name);
});

test('ambiguous framing (two Content-Length headers) is refused, the hidden request never runs', async () => {
	const hidden = 'GET /api/v1/orgs/1 HTTP/1.1\r\nHost: x\r\n\r\n';
	const raw = `POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}`;
	const answer = await rawExchange(new URL(srv.base), raw);
	assert.match(answer, /^HTTP\/1\.1 400/);
	assert.equal((answer.match(/HTTP\/1\.1/g) || []).length, 1, 'exactly one answer');
});

test('JSON bodies must say they are JSON (no cross-site form login)', async () => {
	const res = await fetch(srv.base + '/api/v1/session', {
		method: 'POST', headers: { 'content-type': 'text/plain' },
		body: JSON.stringify({ username: 'big', password: 'User#2026pass' }),
	});
	assert.equal(res.status, 400);
	assert.equal(res.headers.get('set-cookie'), null);
	const body = await res.json();
	assert.match(body.error.message, /Content-Type/);
});

test('login attempts are rate-limited per IP', async () => {
	const c = new Client(srv.base);
	// the window is a calendar minute: crossing its edge once restarts the count, so allow two windows
	let last, tries = 0;
	do last = await c.login('nobody', 'Wrong#pass1');
	while (last.status !== 429 && ++tries < 20);
	assert.equal(last.status, 429);
	assert.equal(last.body.error.code, 'rate_limited');
});

test('the OpenAPI description is served as JSON and lists the routes', async () => {
	const r = await new Client(srv.base).get('/api/v1/openapi.json');
	assert.equal(r.status, 200);
	assert.equal(r.body.openapi.slice(0, 2), '3.');
	for (const p of ['/api/v1/session', '/api/v1/orgs', '/api/v1/orgs/{id}', '/api/v1/users', '/api/v1/audit'])
		assert.ok(r.body.paths[p] || r.body.paths[p.replace('/api/v1', '')], `${p} described`);
});
