// photo.test.mjs - a person's photo: upload checked by its bytes, served as an attachment, versioned, audited, scoped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, userClient } from './lib.mjs';

let srv, staff, person;
// A real 1x1 PNG.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

/** PUT raw bytes the way the web app uploads a file. */
async function upload(client, id, version, bytes, type = 'image/png') {
	const res = await fetch(`${srv.base}/api/v1/people/${id}/photo?version=${version}`, {
		method: 'PUT', body: bytes,
		headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': type },
	});
	return { status: res.status, body: await res.json() };
}

before(async () => {
	srv = await startServer();
	staff = await userClient(srv, 'township', 1, ['staff@1']);
	const b = await staff.post('/api/v1/orgs', { parent_id: 1, name: '照片村党支部', kind: 'branch', category: 'village' });
	const r = await staff.post('/api/v1/people', {
		org_id: b.body.id, name: '照片测试', gender: 'female', ethnicity: '01', birth_date: '1949-12-31',
		id_number: '11010519491231002X', political_status: 'masses',
	});
	assert.equal(r.status, 201, r.text);
	person = r.body;
	assert.equal(person.has_photo, false);
});
after(async () => { await srv.stop(); });

test('a PNG is stored and served back byte for byte as an attachment', async () => {
	const r = await upload(staff, person.id, person.version, PNG);
	assert.equal(r.status, 200, JSON.stringify(r.body));
	assert.equal(r.body.has_photo, true);
	assert.equal(r.body.version, person.version + 1);
	person = r.body;
	const res = await fetch(`${srv.base}/api/v1/people/${person.id}/photo`, { headers: { cookie: staff.cookie } });
	assert.equal(res.status, 200);
	assert.equal(res.headers.get('content-type'), 'image/png');
	assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
	assert.match(res.headers.get('content-disposition'), /^attachment/);
	assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
	const audit = srv.sql(`SELECT COUNT(*) FROM audit_log WHERE entity = 'person' AND entity_id = ${person.id} AND action = 'photo'`);
	assert.equal(audit, '1');
});

test('a file that is not a JPEG or PNG is refused whatever it claims to be', async () => {
	const r = await upload(staff, person.id, person.version, Buffer.from('<svg onload="alert(1)"></svg>'), 'image/png');
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.photo);
	const big = Buffer.concat([PNG, Buffer.alloc(3 << 20)]);
	const t = await upload(staff, person.id, person.version, big);
	assert.equal(t.status, 413);
	assert.equal((await staff.get(`/api/v1/people/${person.id}`)).body.version, person.version, 'nothing changed');
});

test('a stale version answers 409; another branch cannot see the photo', async () => {
	const r = await upload(staff, person.id, person.version - 1, PNG);
	assert.equal(r.status, 409);
	const other = (await staff.post('/api/v1/orgs', { parent_id: 1, name: '别的村党支部', kind: 'branch', category: 'village' })).body;
	const sec = await userClient(srv, 'sec_other', other.id, [`secretary@${other.id}`]);
	const res = await fetch(`${srv.base}/api/v1/people/${person.id}/photo`, { headers: { cookie: sec.cookie } });
	assert.equal(res.status, 404);
});

test('removing the photo keeps the history', async () => {
	const res = await fetch(`${srv.base}/api/v1/people/${person.id}/photo?version=${person.version}`, {
		method: 'DELETE', headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf },
	});
	assert.equal(res.status, 200);
	const body = await res.json();
	assert.equal(body.has_photo, false);
	assert.equal((await fetch(`${srv.base}/api/v1/people/${person.id}/photo`, { headers: { cookie: staff.cookie } })).status, 404);
	const h = await staff.get(`/api/v1/people/${person.id}/history`);
	assert.ok(h.body.items.some((x) => x.action === 'photo_remove'));
});
