// lib.mjs - browser-test harness: a real `zhibu serve` serving web/dist, headless Debian Chromium through playwright-core, screenshots.
//
// The server comes from tests/api/lib.mjs (fresh database per server; { demo: true }
// runs `init --demo` with known passwords). The browser is /usr/bin/chromium with a
// fresh temporary profile per launch, and every context is a separate "person" with
// its own cookies. Screenshots go to tests/artifacts/e2e/<name>.png (git-ignored).
import { existsSync, mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { chromium } from 'playwright-core';
import * as api from '../api/lib.mjs';

export const { Client, totp } = api;
export const DEMO_PASSWORD = api.DEMO_PASSWORD || 'Demo#2026zhibu';
export const ARTIFACTS = resolve('tests/artifacts/e2e');
const DIST = resolve(process.env.ZHIBU_WEB_DIST || 'web/dist');	// ZHIBU_WEB_DIST: a build elsewhere
const CHROMIUM = process.env.ZHIBU_CHROMIUM || '/usr/bin/chromium';

/**
 * Start a server that serves the built web app; opts as tests/api/lib.mjs startServer (e.g.
 * { demo: true }); env adds environment variables (e.g. { ZHIBU_JOBS: '1' } for the daily jobs).
 */
export async function startWebServer(opts = {}, env = {}) {
	if (!existsSync(join(DIST, 'index.html'))) {
		throw new Error('web/dist/index.html is missing: build the app first (cd web && npm ci && npm run build)');
	}
	return api.startServer({ ZHIBU_STATIC: DIST, ...env }, opts);
}

/** Headless Chromium with a fresh temporary profile and nothing talking to the outside. */
export function launchBrowser() {
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			'--disable-quic',
			'--no-proxy-server',
			'--disable-dev-shm-usage',
		],
	});
}

/**
 * A new browser context (own cookies and storage) and page. `width`/`height` set the
 * viewport (375 for a phone). Page errors and failed scripts are collected in page.errors
 * so a test can assert that the app ran cleanly.
 */
export async function newPage(browser, { width = 1366, height = 860 } = {}) {
	const ctx = await browser.newContext({
		viewport: { width, height },
		locale: 'zh-CN',
		timezoneId: 'Asia/Shanghai',
		isMobile: width < 768,
		hasTouch: width < 768,
		deviceScaleFactor: 1,
	});
	const page = await ctx.newPage();
	page.setDefaultTimeout(15000);
	page.errors = [];
	page.on('pageerror', (e) => page.errors.push(String(e)));
	page.on('console', (m) => {
		// 401 from the first whoami and 4xx answers the test provokes are expected; script errors are not.
		if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text());
	});
	return page;
}

/** Save a full-window screenshot as tests/artifacts/e2e/<name>.png and return its path. */
export async function shot(page, name) {
	mkdirSync(ARTIFACTS, { recursive: true });
	const file = join(ARTIFACTS, `${name}.png`);
	await page.waitForTimeout(300); // let transitions (dialogs, messages) settle
	await page.screenshot({ path: file, fullPage: false });
	return file;
}

/** The <input> of an element marked data-test=name (Element Plus puts the attribute on the input or its wrapper). */
export function input(page, name) {
	return page.locator(`input[data-test="${name}"], [data-test="${name}"] input, textarea[data-test="${name}"]`).first();
}

/** Click the control marked data-test=name. */
export function byTest(page, name) {
	return page.locator(`[data-test="${name}"]`).first();
}

/** Open an el-select / el-tree-select marked data-test=name and pick the visible option whose text is `text`. */
export async function choose(page, name, text) {
	await byTest(page, name).click();
	const option = page
		.locator('.el-select-dropdown:visible, .el-popper:visible')
		.locator('.el-select-dropdown__item, .el-tree-node__label')
		.filter({ hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) })
		.first();
	await option.click();
	await page.keyboard.press('Escape').catch(() => {});
}

/** Log in through the login page and wait until the app has left it. */
export async function login(page, base, username, password) {
	await page.goto(base + '/login');
	await input(page, 'login-username').fill(username);
	await input(page, 'login-password').fill(password);
	await byTest(page, 'login-submit').click();
	await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** The error text Element Plus shows under the form item that contains the control data-test=name. */
export function fieldError(page, name) {
	return page.locator(`.el-form-item:has([data-test="${name}"]) .el-form-item__error`).first();
}
