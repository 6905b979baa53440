// audit.js - readable audit rows: action and entity names, and the fields a change touched.
import { i18n } from '../i18n/index.js';

const SKIP = new Set(['version', 'updated_at', 'created_at', 'id']);

/** The action's name in the current language ("update" → "修改"); unknown ones as they are. */
export function actionLabel(a) {
	const { t, te } = i18n.global;
	return te('auditActions.' + a) ? t('auditActions.' + a) : a;
}

/** The entity's name ("person" → "人员"). */
export function entityLabel(e) {
	const { t, te } = i18n.global;
	return te('auditEntities.' + e) ? t('auditEntities.' + e) : e;
}

/** A field's name ("birth_date" → "出生日期"). */
export function fieldLabel(k) {
	const { t, te } = i18n.global;
	return te('fields.' + k) ? t('fields.' + k) : k;
}

function show(v) {
	if (v === null || v === undefined || v === '') return '—';
	if (typeof v === 'object') return JSON.stringify(v);
	return String(v);
}

/** [{field, before, after}] for the fields whose value differs between before and after. */
export function changes(before, after) {
	const b = before && typeof before === 'object' ? before : {};
	const a = after && typeof after === 'object' ? after : {};
	const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
	const out = [];
	for (const k of keys) {
		if (SKIP.has(k)) continue;
		if (JSON.stringify(b[k]) === JSON.stringify(a[k])) continue;
		out.push({ field: fieldLabel(k), before: show(b[k]), after: show(a[k]) });
	}
	return out;
}
