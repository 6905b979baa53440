// memo.test.mjs - answers kept until the next audited write are the bytes a server that keeps nothing (ZHIBU_MEMO=0) computes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from './lib.mjs';

let kept, computed, a, b;

before(async () => {
	// the same demo township twice: one server keeps results, the other computes every answer
	kept = await startServer({}, { demo: true });
	computed = await startServer({ ZHIBU_MEMO: '0' }, { demo: true });
	a = new Client(kept.base);
	b = new Client(computed.base);
	assert.equal((await a.login('township', DEMO_PASSWORD)).status, 200);
	assert.equal((await b.login('township', DEMO_PASSWORD)).status, 200);
});
after(async () => { await kept.stop(); await computed.stop(); });

const URLS = [
	'/api/v1/orgs',
	'/api/v1/orgs?status=all',
	'/api/v1/people?org=1&page=1',
	'/api/v1/people?org=1&page=2&sort=-name',
	'/api/v1/people?org=1&page=1&page_size=200&as_of=2022-12-31',
	`/api/v1/people?q=${encodeURIComponent('王')}`,
	'/api/v1/people/1',
	'/api/v1/people/5',
	'/api/v1/public/disclosures?year=2022',
	'/api/v1/public/disclosures?page=2&page_size=10',
	`/api/v1/public/disclosures?q=${encodeURIComponent('公开')}`,
];

test('kept answers are byte for byte the computed ones, the first time and the next', async () => {
	for (const url of URLS) {
		const want = await b.get(url);
		assert.equal(want.status, 200, `${url}: ${want.text}`);
		for (let i = 0; i < 2; i++) {
			const got = await a.get(url);
			assert.equal(got.status, 200, url);
			assert.equal(got.text, want.text, url);
		}
	}
});

test('after a write through one server both answer the new bytes', async () => {
	for (const [srv, c] of [[kept, a], [computed, b]]) {
		const before = (await c.get('/api/v1/orgs')).text;
		const r = await c.post('/api/v1/orgs', { parent_id: 1, name: '缓存核对党支部', kind: 'branch', category: 'village' });
		assert.equal(r.status, 201, `${srv.base}: ${r.text}`);
		assert.notEqual((await c.get('/api/v1/orgs')).text, before);
	}
	const got = await a.get('/api/v1/orgs');
	const want = await b.get('/api/v1/orgs');
	assert.equal(got.text.length, want.text.length);	// the same tree; ids and times differ
});
