// photo.test.mjs - township staff give a person a photo on the person page, see it, and remove it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, byTest, login, Client, DEMO_PASSWORD } from './lib.mjs';

// A real 1x1 PNG.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

let srv, browser, staff;
before(async () => {
	srv = await startWebServer({ demo: true });
	browser = await launchBrowser();
	staff = new Client(srv.base);
	assert.equal((await staff.login('township', DEMO_PASSWORD)).status, 200);
});
after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

test('upload a photo on the person page, see it, remove it', async () => {
	const person = (await staff.get('/api/v1/people?page_size=1')).body.items[0];
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(`${srv.base}/people/${person.id}`);
	await byTest(page, 'photo').waitFor();
	assert.equal(await page.locator('[data-test="photo-img"]').count(), 0);
	await page.locator('[data-test="photo-input"]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
	const img = page.locator('[data-test="photo-img"]');
	await img.waitFor();
	// the browser really loaded the image (a broken one has naturalWidth 0)
	await page.waitForFunction(() => document.querySelector('[data-test="photo-img"]').naturalWidth > 0);
	await shot(page, '08a-person-photo');
	assert.equal((await staff.get(`/api/v1/people/${person.id}`)).body.has_photo, true);
	await page.getByRole('button', { name: '移除照片' }).click();
	await page.locator('[data-test="photo-img"]').waitFor({ state: 'detached' });
	assert.equal((await staff.get(`/api/v1/people/${person.id}`)).body.has_photo, false);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
