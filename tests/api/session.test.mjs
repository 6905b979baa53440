// session.test.mjs - login, forced password change, lockout, CSRF, expiry, TOTP, logout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, userClient, totp } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

test('the one-time admin password must be changed before anything else', async () => {
	const c = new Client(srv.base);
	const r = await c.login('admin', srv.adminPassword);
	assert.equal(r.status, 200);
	assert.equal(r.body.user.must_change_password, true);
	assert.match(r.headers.get('set-cookie'), /HttpOnly/);
	assert.match(r.headers.get('set-cookie'), /SameSite=Strict/);

	let x = await c.get('/api/v1/orgs');
	assert.equal(x.status, 403);
	assert.equal(x.body.error.code, 'password_change_required');
	x = await c.get('/api/v1/users');
	assert.equal(x.body.error.code, 'password_change_required');

	// whoami still answers, so the web app can show the change form
	x = await c.get('/api/v1/session');
	assert.equal(x.status, 200);
	assert.equal(x.body.user.username, 'admin');

	// a weak new password is refused with the field named, and nothing changes
	x = await c.put('/api/v1/session/password', { old_password: srv.adminPassword, new_password: 'short' });
	assert.equal(x.status, 400);
	assert.ok(x.body.error.fields.new_password);
	x = await c.put('/api/v1/session/password', { old_password: 'wrong', new_password: 'Good#pass2026' });
	assert.equal(x.status, 400);
	assert.ok(x.body.error.fields.old_password);
	x = await c.get('/api/v1/orgs');
	assert.equal(x.status, 403);

	x = await c.put('/api/v1/session/password', { old_password: srv.adminPassword, new_password: 'Good#pass2026' });
	assert.equal(x.status, 200);
	assert.equal(x.body.user.must_change_password, false);
	x = await c.get('/api/v1/orgs');
	assert.equal(x.status, 200);

	// the old password no longer works, the new one does
	const d = new Client(srv.base);
	assert.equal((await d.login('admin', srv.adminPassword)).status, 401);
	assert.equal((await d.login('admin', 'Good#pass2026')).status, 200);
});

test('a new session id at every login, and logout revokes it', async () => {
	const a = await userClient(srv, 'sess1', 1, ['staff@1']);
	const first = a.cookie;
	await a.login('sess1', 'User#2026pass');
	assert.notEqual(a.cookie, first);
	// the old cookie is dead
	const old = new Client(srv.base);
	old.cookie = first;
	assert.equal((await old.get('/api/v1/session')).status, 401);

	const saved = a.cookie;
	assert.equal((await a.del('/api/v1/session')).status, 200);
	const replay = new Client(srv.base);
	replay.cookie = saved;
	const r = await replay.get('/api/v1/orgs');
	assert.equal(r.status, 401);
	assert.equal(r.body.error.code, 'unauthorized');
});

test('writes without the CSRF token are refused and change nothing', async () => {
	const c = await userClient(srv, 'csrf1', 1, ['staff@1']);
	const before = await c.get('/api/v1/orgs?format=flat');
	let r = await c.req('POST', '/api/v1/orgs', { parent_id: 1, name: '无令牌支部', kind: 'branch', category: 'village' },
		{ 'x-csrf-token': '' });
	assert.equal(r.status, 403);
	r = await c.req('POST', '/api/v1/orgs', { parent_id: 1, name: '错令牌支部', kind: 'branch', category: 'village' },
		{ 'x-csrf-token': 'a'.repeat(64) });
	assert.equal(r.status, 403);
	const after = await c.get('/api/v1/orgs?format=flat');
	assert.equal(after.body.total, before.body.total);
	// with the token it works
	r = await c.post('/api/v1/orgs', { parent_id: 1, name: '有令牌支部', kind: 'branch', category: 'village' });
	assert.equal(r.status, 201);
});

test('five wrong passwords lock the account; unlock by the administrator', async () => {
	// the first test changed the admin's one-time password to this one
	const admin = new Client(srv.base);
	assert.equal((await admin.login('admin', 'Good#pass2026')).status, 200);
	await userClient(srv, 'lock1', 1, ['staff@1']);
	const c = new Client(srv.base);
	for (let i = 1; i <= 4; i++) {
		const r = await c.login('lock1', 'Wrong#pass' + i);
		assert.equal(r.status, 401, `attempt ${i}`);
	}
	let r = await c.login('lock1', 'Wrong#pass5');
	assert.equal(r.status, 403);
	assert.match(r.body.error.message, /锁定/);
	// even the right password is refused while locked
	r = await c.login('lock1', 'User#2026pass');
	assert.equal(r.status, 403);

	const list = await admin.get('/api/v1/users?q=lock1');
	const u = list.body.items.find((x) => x.username === 'lock1');
	assert.ok(u.locked_until, 'locked_until is shown to the administrator');
	r = await admin.post(`/api/v1/users/${u.id}/unlock`, { version: u.version });
	assert.equal(r.status, 200);
	r = await c.login('lock1', 'User#2026pass');
	assert.equal(r.status, 200);
});

test('idle and absolute expiry send the user back to login with a message', async () => {
	const c = await userClient(srv, 'idle1', 1, ['staff@1']);
	assert.equal((await c.get('/api/v1/orgs')).status, 200);
	// age the session by 31 minutes of inactivity, behind the program's back
	srv.sql("UPDATE sessions SET last_seen_unix = last_seen_unix - 1860 WHERE user_id = (SELECT id FROM users WHERE username = 'idle1')");
	let r = await c.get('/api/v1/orgs');
	assert.equal(r.status, 401);
	assert.match(r.body.error.message, /过期/);

	const d = await userClient(srv, 'abs1', 1, ['staff@1']);
	srv.sql("UPDATE sessions SET created_unix = created_unix - 13 * 3600 WHERE user_id = (SELECT id FROM users WHERE username = 'abs1')");
	r = await d.get('/api/v1/orgs');
	assert.equal(r.status, 401);
	assert.match(r.body.error.message, /最长/);
});

test('TOTP enrolment, then login needs the code, and a code cannot be replayed', async () => {
	const c = await userClient(srv, 'totp1', 1, ['staff@1']);
	let r = await c.post('/api/v1/session/totp', {});
	assert.equal(r.status, 200);
	const secret = r.body.secret;
	assert.match(r.body.otpauth_uri, /^otpauth:\/\/totp\//);
	r = await c.put('/api/v1/session/totp', { code: '000000' === totp(secret) ? '111111' : '000000' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.code);
	r = await c.put('/api/v1/session/totp', { code: totp(secret) });
	assert.equal(r.status, 200);
	assert.equal(r.body.user.totp_enabled, true);

	const d = new Client(srv.base);
	r = await d.login('totp1', 'User#2026pass');
	assert.equal(r.status, 401);
	assert.ok(r.body.error.fields.totp);
	// the code used at enrolment is spent; the next step's code works
	const next = totp(secret, Date.now() / 1000 + 30);
	r = await d.login('totp1', 'User#2026pass', next);
	assert.equal(r.status, 200, r.text);
	r = await new Client(srv.base).login('totp1', 'User#2026pass', next);
	assert.equal(r.status, 401, 'the same code twice is refused');
});

test('the policy can demand TOTP of administrators', async () => {
	const sec = await userClient(srv, 'secadm', 1, ['secadmin@1']);
	let p = await sec.get('/api/v1/security/policy');
	assert.equal(p.status, 200);
	let r = await sec.put('/api/v1/security/policy', { ...p.body, totp_required_for_admins: true });
	assert.equal(r.status, 200);
	// the security administrator has no TOTP yet: only enrolment is allowed
	r = await sec.get('/api/v1/security/policy');
	assert.equal(r.status, 403);
	assert.equal(r.body.error.code, 'totp_enrollment_required');
	r = await sec.post('/api/v1/session/totp', {});
	assert.equal(r.status, 200);
	const secret = r.body.secret;
	r = await sec.put('/api/v1/session/totp', { code: totp(secret) });
	assert.equal(r.status, 200);
	p = await sec.get('/api/v1/security/policy');
	assert.equal(p.status, 200);
	r = await sec.put('/api/v1/security/policy', { ...p.body, totp_required_for_admins: false });
	assert.equal(r.status, 200);
});
