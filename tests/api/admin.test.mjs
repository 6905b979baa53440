// admin.test.mjs - the three administrators: accounts and grants, security policy, audit search.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminClient, userClient } from './lib.mjs';

let srv, admin, branch;
before(async () => {
	srv = await startServer();
	admin = await adminClient(srv);
	const staff = await userClient(srv, 'staff', 1, ['staff@1']);
	branch = (await staff.post('/api/v1/orgs', { parent_id: 1, name: '团结村党支部', kind: 'branch', category: 'village' })).body.id;
});
after(async () => { await srv.stop(); });

test('the system administrator creates an account with a one-time password and grants', async () => {
	let r = await admin.post('/api/v1/users', {
		username: 'zhang.san', display_name: '张三', org_id: branch,
		roles: [{ role: 'secretary', org_id: branch }],
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(r.body.user.must_change_password, true);
	assert.deepEqual(r.body.user.roles.map((g) => [g.role, g.org_id]), [['secretary', branch]]);
	const otp = r.body.one_time_password;
	assert.ok(otp.length >= 12);

	const u = new Client(srv.base);
	r = await u.login('zhang.san', otp);
	assert.equal(r.status, 200);
	assert.equal((await u.get('/api/v1/orgs')).body.error.code, 'password_change_required');
	r = await u.put('/api/v1/session/password', { old_password: otp, new_password: 'Zhang#San2026' });
	assert.equal(r.status, 200);
	r = await u.get('/api/v1/orgs');
	assert.deepEqual(r.body.items.map((o) => o.id), [branch]);
});

test('account input is validated field by field and nothing is created', async () => {
	const before = (await admin.get('/api/v1/users')).body.total;
	const r = await admin.post('/api/v1/users', {
		username: 'Bad Name', display_name: '', org_id: 424242,
		roles: [{ role: 'king', org_id: 1 }, { role: 'staff' }],
	});
	assert.equal(r.status, 400);
	const f = r.body.error.fields;
	for (const k of ['username', 'display_name', 'org_id', 'roles[0].role', 'roles[1]'])
		assert.ok(f[k], `${k} named: ${r.text}`);
	const dup = await admin.post('/api/v1/users', { username: 'staff', display_name: '重复', org_id: 1 });
	assert.equal(dup.status, 400);
	assert.ok(dup.body.error.fields.username);
	assert.equal((await admin.get('/api/v1/users')).body.total, before);
});

test('nobody changes their own roles; grants are replaced with the version read', async () => {
	const me = (await admin.get('/api/v1/session')).body.user;
	let r = await admin.put(`/api/v1/users/${me.id}/roles`, { version: 1, roles: [{ role: 'staff', org_id: 1 }] });
	assert.equal(r.status, 403);

	const list = await admin.get('/api/v1/users?q=zhang');
	const u = list.body.items[0];
	r = await admin.put(`/api/v1/users/${u.id}/roles`, { version: u.version, roles: [{ role: 'member', org_id: branch }] });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.body.roles.map((g) => g.role), ['member']);
	r = await admin.put(`/api/v1/users/${u.id}/roles`, { version: u.version, roles: [] });
	assert.equal(r.status, 409);
	assert.deepEqual(r.body.error.current.roles.map((g) => g.role), ['member']);
});

test('reset password, lock and unlock', async () => {
	const u = (await admin.get('/api/v1/users?q=zhang')).body.items[0];
	const c = new Client(srv.base);
	assert.equal((await c.login('zhang.san', 'Zhang#San2026')).status, 200);
	let r = await admin.post(`/api/v1/users/${u.id}/lock`, { version: u.version });
	assert.equal(r.status, 200);
	assert.equal(r.body.user.status, 'locked');
	assert.equal((await c.get('/api/v1/session')).status, 401, 'locking ends live sessions');
	assert.equal((await new Client(srv.base).login('zhang.san', 'Zhang#San2026')).status, 403);
	r = await admin.post(`/api/v1/users/${u.id}/unlock`, { version: r.body.user.version });
	assert.equal(r.status, 200);
	r = await admin.post(`/api/v1/users/${u.id}/reset-password`, { version: r.body.user.version });
	assert.equal(r.status, 200);
	const otp = r.body.one_time_password;
	assert.equal((await new Client(srv.base).login('zhang.san', 'Zhang#San2026')).status, 401);
	const n = new Client(srv.base);
	r = await n.login('zhang.san', otp);
	assert.equal(r.body.user.must_change_password, true);
});

test('the three administrator roles are separate', async () => {
	const sec = await userClient(srv, 'sec', 1, ['secadmin@1']);
	const aud = await userClient(srv, 'aud', 1, ['auditadmin@1']);
	// system administrator: no policy, no audit
	assert.equal((await admin.get('/api/v1/security/policy')).status, 403);
	assert.equal((await admin.get('/api/v1/audit')).status, 403);
	// security administrator: policy only
	assert.equal((await sec.get('/api/v1/users')).status, 403);
	assert.equal((await sec.get('/api/v1/audit')).status, 403);
	assert.equal((await sec.get('/api/v1/orgs')).status, 403);
	assert.equal((await sec.get('/api/v1/security/policy')).status, 200);
	// audit administrator: audit only
	assert.equal((await aud.get('/api/v1/users')).status, 403);
	assert.equal((await aud.get('/api/v1/security/policy')).status, 403);
	assert.equal((await aud.get('/api/v1/audit')).status, 200);
	// and a township staff member none of those
	const st = new Client(srv.base);
	await st.login('staff', 'User#2026pass');
	for (const p of ['/api/v1/users', '/api/v1/security/policy', '/api/v1/audit'])
		assert.equal((await st.get(p)).status, 403, p);
});

test('the security policy is validated, versioned and takes effect', async () => {
	const sec = new Client(srv.base);
	await sec.login('sec', 'User#2026pass');
	const p = (await sec.get('/api/v1/security/policy')).body;
	assert.equal(p.password_min_length, 8);
	assert.equal(p.lockout_threshold, 5);
	let r = await sec.put('/api/v1/security/policy', { ...p, password_min_length: 3, idle_timeout_minutes: 'x' });
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.password_min_length);
	assert.ok(r.body.error.fields.idle_timeout_minutes);
	r = await sec.put('/api/v1/security/policy', { ...p, password_min_length: 12 });
	assert.equal(r.status, 200);
	assert.equal(r.body.version, p.version + 1);
	r = await sec.put('/api/v1/security/policy', { ...p, password_min_length: 10 });
	assert.equal(r.status, 409);
	assert.equal(r.body.error.current.password_min_length, 12);
	// the new minimum applies to password changes
	const u = await userClient(srv, 'pwuser', 1, ['member@1'], 'Abcdef#123456');
	r = await u.put('/api/v1/session/password', { old_password: 'Abcdef#123456', new_password: 'Short#1a' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.new_password, /12/);
	// put it back
	const cur = (await sec.get('/api/v1/security/policy')).body;
	assert.equal((await sec.put('/api/v1/security/policy', { ...cur, password_min_length: 8 })).status, 200);
});

test('audit search filters by entity, user, action and date, newest first', async () => {
	const aud = new Client(srv.base);
	await aud.login('aud', 'User#2026pass');
	let r = await aud.get('/api/v1/audit?entity=user&action=lock');
	assert.equal(r.status, 200);
	assert.equal(r.body.total, 1);
	assert.equal(r.body.items[0].username, 'admin');
	r = await aud.get('/api/v1/audit?username=sec&entity=security_policy');
	assert.ok(r.body.total >= 2);
	assert.ok(r.body.items[0].seq > r.body.items[1].seq, 'newest first');
	const today = new Date().toISOString().slice(0, 10);
	r = await aud.get(`/api/v1/audit?from=${today}&to=${today}&page_size=5`);
	assert.equal(r.body.items.length, 5);
	const older = await aud.get(`/api/v1/audit?before=${r.body.items[4].seq}&page_size=5`);
	assert.ok(older.body.items.every((x) => x.seq < r.body.items[4].seq));
	r = await aud.get('/api/v1/audit?from=2022-13-01');
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.from);
	r = await aud.get('/api/v1/audit/verify');
	assert.equal(r.status, 200);
	assert.equal(r.body.ok, true);
	assert.ok(r.body.rows > 10);
	// no audit row carries a password or a password hash
	const all = srv.sql("SELECT COUNT(*) FROM audit_log WHERE COALESCE(after_json, '') LIKE '%argon2%' OR COALESCE(before_json, '') LIKE '%argon2%' OR COALESCE(after_json, '') LIKE '%Zhang#San%'");
	assert.equal(all, '0');
});

test('separation of duties: one administrator role per account, never with Party-data roles', async () => {
	let r = await admin.post('/api/v1/users', {
		username: 'all.powers', display_name: '全能', org_id: 1,
		roles: [{ role: 'secadmin', org_id: 1 }, { role: 'auditadmin', org_id: 1 }],
	});
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.roles, /三员/);
	r = await admin.post('/api/v1/users', {
		username: 'sec.staff', display_name: '兼任', org_id: 1,
		roles: [{ role: 'secadmin', org_id: 1 }, { role: 'staff', org_id: 1 }],
	});
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.roles);
	assert.equal((await admin.get('/api/v1/users?q=all.powers')).body.total, 0);
	const cli = srv.cli(['user', 'add', 'cli.both', '--name', 'x', '--org', '1', '--role', 'sysadmin', '--role', 'auditadmin']);
	assert.equal(cli.status, 2);
	assert.match(cli.stderr, /三员/);
});

test('an administrator cannot reset, lock or unlock their own account', async () => {
	const me = (await admin.get('/api/v1/users?q=admin')).body.items.find((u) => u.username === 'admin');
	for (const action of ['reset-password', 'lock', 'unlock']) {
		const r = await admin.post(`/api/v1/users/${me.id}/${action}`, { version: me.version });
		assert.equal(r.status, 403, action);
	}
});

test('search text is matched literally, wildcards included', async () => {
	const all = (await admin.get('/api/v1/users')).body.total;
	assert.ok(all > 2);
	assert.equal((await admin.get('/api/v1/users?q=%25')).body.total, 0);
	assert.equal((await admin.get('/api/v1/users?q=_')).body.total, 0);
	assert.equal((await admin.get('/api/v1/users?q=zhang.san')).body.total, 1);
});
