// i18n.test.mjs - the English texts are complete: both locales have the same keys, and every key the code names exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const SRC = resolve('web/src');

function keys(obj, prefix = '') {
	const out = [];
	for (const [k, v] of Object.entries(obj)) {
		const p = prefix ? `${prefix}.${k}` : k;
		if (v && typeof v === 'object') out.push(...keys(v, p));
		else out.push(p);
	}
	return out;
}

function files(dir) {
	const out = [];
	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		if (statSync(p).isDirectory()) out.push(...files(p));
		else if (/\.(vue|js)$/.test(name) && !p.includes(`${join('src', 'i18n')}`)) out.push(p);
	}
	return out;
}

const load = async (name) => (await import(pathToFileURL(join(SRC, 'i18n', name)).href)).default;

test('zh-CN and en have exactly the same keys, none empty', async () => {
	const zh = await load('zh-CN.js');
	const en = await load('en.js');
	const kz = keys(zh).sort();
	const ke = keys(en).sort();
	assert.deepEqual(ke.filter((k) => !kz.includes(k)), [], 'keys only in en');
	assert.deepEqual(kz.filter((k) => !ke.includes(k)), [], 'keys only in zh-CN');
	const get = (o, k) => k.split('.').reduce((x, p) => x[p], o);
	for (const k of ke) {
		assert.ok(String(get(en, k)).trim(), `en ${k} is empty`);
		assert.doesNotMatch(String(get(en, k)), /[\u4e00-\u9fff]/, `en ${k} is not English`);
		assert.ok(String(get(zh, k)).trim(), `zh-CN ${k} is empty`);
		// A bare @ or | is vue-i18n syntax (linked messages, plurals): it would garble the text.
		assert.doesNotMatch(String(get(en, k)) + String(get(zh, k)), /[@|]/, `${k} has @ or |`);
	}
});

test('every message key named in the code exists', async () => {
	const zh = await load('zh-CN.js');
	const all = new Set(keys(zh));
	const prefixes = new Set([...all].map((k) => k.split('.').slice(0, -1).join('.')));
	const missing = [];
	for (const f of files(SRC)) {
		const text = readFileSync(f, 'utf8');
		// t('a.b'), $t('a.b'), te('a.b') and route/menu tables' title: 'a.b'
		for (const m of text.matchAll(/\b(?:\$?t|te)\(\s*'([a-zA-Z][\w]*(?:\.[\w]+)+)'|\b(?:title|desc|group|parent): '([a-zA-Z]+(?:\.[\w]+)+)'/g)) {
			const k = m[1] || m[2];
			if (!all.has(k) && !prefixes.has(k)) missing.push(`${f.slice(SRC.length + 1)}: ${k}`);
		}
		// t('prefix.' + code): the prefix must be a group of keys
		for (const m of text.matchAll(/\b(?:\$?t|te)\(\s*'([a-zA-Z][\w.]*)\.'\s*\+/g)) {
			if (!prefixes.has(m[1])) missing.push(`${f.slice(SRC.length + 1)}: ${m[1]}.*`);
		}
	}
	assert.deepEqual(missing, []);
});
