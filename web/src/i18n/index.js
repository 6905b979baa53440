// index.js - vue-i18n set-up: zh-CN by default, English complete; the choice is remembered in localStorage.
import { createI18n } from 'vue-i18n';
import zhCN from './zh-CN.js';
import en from './en.js';

const KEY = 'zhibu.locale';
export const LOCALES = ['zh-CN', 'en'];

function initial() {
	try {
		const v = localStorage.getItem(KEY);
		if (LOCALES.includes(v)) return v;
	} catch {
		/* storage unavailable: default */
	}
	return 'zh-CN';
}

export const i18n = createI18n({
	legacy: false,
	locale: initial(),
	fallbackLocale: 'zh-CN',
	messages: { 'zh-CN': zhCN, en },
	missingWarn: false,
	fallbackWarn: false,
});

document.documentElement.lang = i18n.global.locale.value;

/** Switch the language and remember it. */
export function setLocale(l) {
	if (!LOCALES.includes(l)) return;
	i18n.global.locale.value = l;
	document.documentElement.lang = l;
	try {
		localStorage.setItem(KEY, l);
	} catch {
		/* not remembered: fine */
	}
}
