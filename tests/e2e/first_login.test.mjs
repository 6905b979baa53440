// first_login.test.mjs - a fresh install in the browser: the admin's one-time password, the forced change, then an account created with a role grant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, choose, fieldError, login, totp } from './lib.mjs';

let srv;
let browser;

before(async () => {
	srv = await startWebServer();
	browser = await launchBrowser();
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

test('first login as admin: one-time password, forced password change with the policy message, then the admin menu', async () => {
	const page = await newPage(browser);
	await page.goto(srv.base + '/');
	// Nobody is logged in: the app sends us to the login page.
	await page.waitForURL(/\/login/);
	await input(page, 'login-username').fill('admin');
	await input(page, 'login-password').fill('wrong-password');
	await byTest(page, 'login-submit').click();
	await byTest(page, 'login-error').waitFor();

	await input(page, 'login-password').fill(srv.adminPassword);
	await byTest(page, 'login-submit').click();
	await page.waitForURL(/\/password/);
	await byTest(page, 'password-forced').waitFor();

	// Any other page is refused until the password is changed.
	await page.goto(srv.base + '/admin/users');
	await page.waitForURL(/\/password/);

	// A weak password: the server's policy message appears under the new-password field.
	await input(page, 'pw-old').fill(srv.adminPassword);
	await input(page, 'pw-new').fill('short');
	await input(page, 'pw-confirm').fill('short');
	await byTest(page, 'pw-submit').click();
	const err = fieldError(page, 'pw-new');
	await err.waitFor();
	assert.match(await err.innerText(), /\S/);
	await shot(page, '01a-password-policy-error');

	await input(page, 'pw-new').fill('Zhibu#2026-new');
	await input(page, 'pw-confirm').fill('Zhibu#2026-new');
	await byTest(page, 'pw-submit').click();
	await page.waitForURL((u) => u.pathname === '/');
	// The system administrator sees accounts, not Party data.
	await byTest(page, 'menu-/admin/users').waitFor();
	assert.equal(await page.locator('[data-test="menu-/people"]').count(), 0);
	await shot(page, '01b-first-login-home');

	// The new password works after logging out and in again.
	await byTest(page, 'user-menu').click();
	await byTest(page, 'menu-logout').click();
	await page.waitForURL(/\/login/);
	await input(page, 'login-username').fill('admin');
	await input(page, 'login-password').fill('Zhibu#2026-new');
	await byTest(page, 'login-submit').click();
	await page.waitForURL((u) => u.pathname === '/');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the system administrator creates an account with a role grant and sees its one-time password once', async () => {
	const page = await newPage(browser);
	await page.goto(srv.base + '/login');
	await input(page, 'login-username').fill('admin');
	await input(page, 'login-password').fill('Zhibu#2026-new');
	await byTest(page, 'login-submit').click();
	await page.waitForURL((u) => u.pathname === '/');

	await byTest(page, 'menu-/admin/users').click();
	await page.waitForURL(/\/admin\/users/);
	await byTest(page, 'user-create').click();
	await input(page, 'user-username').fill('Bad Name');
	await input(page, 'user-display-name').fill('张伟');
	await page.locator('.roles-editor button:has-text("添加授权")').click();
	await choose(page, 'grant-role', '镇党建办工作人员');
	await byTest(page, 'user-save').click();
	// The user name breaks the rule: the message shows under the field, nothing is created.
	await fieldError(page, 'user-username').waitFor();
	await input(page, 'user-username').fill('zhang.wei');
	await byTest(page, 'user-save').click();
	const otp = byTest(page, 'one-time-password');
	await otp.waitFor();
	const pw = (await otp.innerText()).trim();
	assert.equal(pw.length, 16);
	await shot(page, '01c-account-one-time-password');
	await page.locator('.el-dialog:visible button:has-text("我已记下")').click();
	await page.locator('[data-test="users-table"] td:has-text("zhang.wei")').waitFor();
	assert.equal(await page.locator(`text=${pw}`).count(), 0, 'the one-time password is gone once the dialog closes');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('an idle session ends: the next click goes back to the login page with the reason, and logging in returns there', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'admin', 'Zhibu#2026-new');
	await byTest(page, 'menu-/admin/users').click();
	await page.locator('[data-test="users-table"] td:has-text("admin")').first().waitFor();
	// Two hours of silence, behind the server's back.
	srv.sql('UPDATE sessions SET last_seen_unix = last_seen_unix - 7200');
	await byTest(page, 'menu-/orgs').click();
	await page.waitForURL(/\/login\?redirect=/);
	const notice = await byTest(page, 'login-notice').innerText();
	assert.match(notice, /过期|失效/);
	await shot(page, '01d-session-expired');
	await input(page, 'login-username').fill('admin');
	await input(page, 'login-password').fill('Zhibu#2026-new');
	await byTest(page, 'login-submit').click();
	await page.waitForURL(/\/orgs/);
	await byTest(page, 'org-detail').waitFor();
	await page.context().close();
});

test('TOTP enrolment: the secret is shown as text, the first code enables it, and login then asks for a code', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'admin', 'Zhibu#2026-new');
	await byTest(page, 'user-menu').click();
	await byTest(page, 'menu-totp').click();
	await page.waitForURL(/\/totp/);
	await byTest(page, 'totp-begin').click();
	const secret = (await byTest(page, 'totp-secret').innerText()).replace(/\s+/g, '');
	assert.match(secret, /^[A-Z2-7]{16,}=*$/);
	assert.match(await byTest(page, 'totp-uri').innerText(), /^otpauth:\/\/totp\//);
	await input(page, 'totp-code').fill('12345');
	await byTest(page, 'totp-confirm').click();
	await fieldError(page, 'totp-code').waitFor();
	await input(page, 'totp-code').fill(totp(secret));
	await shot(page, '01e-totp-enrolment');
	await byTest(page, 'totp-confirm').click();
	await page.waitForURL((u) => u.pathname === '/');

	await byTest(page, 'user-menu').click();
	await byTest(page, 'menu-logout').click();
	await page.waitForURL(/\/login/);
	await input(page, 'login-username').fill('admin');
	await input(page, 'login-password').fill('Zhibu#2026-new');
	await byTest(page, 'login-submit').click();
	await byTest(page, 'login-totp').waitFor();
	// The code of the next 30-second step: the one used to enrol may not be replayed.
	for (const t of [Date.now() / 1000 + 30, Date.now() / 1000]) {
		await input(page, 'login-totp').fill(totp(secret, t));
		await byTest(page, 'login-submit').click();
		const ok = await page.waitForURL((u) => u.pathname === '/', { timeout: 4000 }).then(() => true, () => false);
		if (ok) break;
	}
	assert.equal(new URL(page.url()).pathname, '/');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the security administrator tightens the policy; the audit administrator finds the change and checks the chain', async () => {
	for (const [user, role] of [['sec', 'secadmin'], ['aud', 'auditadmin']]) {
		const r = srv.cli(['user', 'add', user, '--name', user, '--org', '1', '--role', `${role}@1`], { ZHIBU_PASSWORD: 'Policy#2026pass' });
		assert.equal(r.status, 0, r.stderr);
	}
	const sec = await newPage(browser);
	await login(sec, srv.base, 'sec', 'Policy#2026pass');
	await byTest(sec, 'menu-/admin/policy').click();
	const minLength = input(sec, 'policy-password_min_length');
	await minLength.waitFor();
	for (let i = 0; i < 50 && (await minLength.inputValue()) !== '8'; i++) await sec.waitForTimeout(100);
	assert.equal(await minLength.inputValue(), '8');
	await minLength.fill('10');
	await byTest(sec, 'policy-save').click();
	await sec.locator('.el-message--success').waitFor();
	assert.deepEqual(sec.errors, []);
	await sec.context().close();

	const aud = await newPage(browser);
	await login(aud, srv.base, 'aud', 'Policy#2026pass');
	await byTest(aud, 'menu-/admin/audit').click();
	await byTest(aud, 'audit-table').waitFor();
	await choose(aud, 'audit-entity', '安全策略');
	await byTest(aud, 'audit-search').click();
	const row = aud.locator('[data-test="audit-table"] .el-table__body-wrapper tr.el-table__row', { hasText: 'sec' }).first();
	await row.waitFor();
	await row.locator('.el-table__expand-icon').click();
	const json = await aud.locator('.json-pair').first().innerText();
	assert.match(json, /"password_min_length": 8/);
	assert.match(json, /"password_min_length": 10/);
	await byTest(aud, 'audit-verify').click();
	const verdict = await byTest(aud, 'audit-verdict').innerText();
	assert.match(verdict, /完整/);
	await shot(aud, '01f-audit-policy-change');
	assert.deepEqual(aud.errors, []);
	await aud.context().close();
});
