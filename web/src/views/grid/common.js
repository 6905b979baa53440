// common.js - what the grid and deeds pages share: the request states in order, their tag colours, labels in the current language, the close reasons and routing levels.
import { i18n } from '../../i18n/index.js';

/** The states of a request in the order they are passed. */
export const DEED_STATES = ['registered', 'accepted', 'in_progress', 'closed', 'followed_up'];
export const DEED_TAG = { registered: 'warning', accepted: 'info', in_progress: 'info', closed: 'success', followed_up: 'success' };
export const CLOSE_REASONS = ['solved', 'referred', 'cannot_solve', 'duplicate'];
export const LEVELS = ['grid', 'branch', 'township'];

/** The label of a state: the server's Chinese label, the app's own in English. */
export function statusLabel(status, serverLabel) {
	const t = i18n.global.t;
	if (!status) return '';
	if (i18n.global.locale.value !== 'en' && serverLabel) return serverLabel;
	return DEED_STATES.includes(status) ? t('deed.status.' + status) : serverLabel || status;
}
export function reasonLabel(reason, serverLabel) {
	const t = i18n.global.t;
	if (!reason) return '';
	if (i18n.global.locale.value !== 'en' && serverLabel) return serverLabel;
	return CLOSE_REASONS.includes(reason) ? t('deed.reason.' + reason) : serverLabel || reason;
}
export function levelLabel(level, serverLabel) {
	const t = i18n.global.t;
	if (!level) return '';
	if (i18n.global.locale.value !== 'en' && serverLabel) return serverLabel;
	return LEVELS.includes(level) ? t('deed.level.' + level) : serverLabel || level;
}

/** A message of a refused list query (400 with fields) as one line. */
export function queryError(e) {
	return e.message + (e.fields && Object.keys(e.fields).length ? '：' + Object.values(e.fields).join('；') : '');
}

/** Hours as "3.5 小时" / "2.1 天" (over 48 hours in days); '—' when null. */
export function fmtHours(h) {
	const t = i18n.global.t;
	if (h === null || h === undefined || Number.isNaN(Number(h))) return '—';
	const n = Number(h);
	if (n > 48) return t('deed.days', { n: (n / 24).toFixed(1) });
	return t('deed.hours', { n: n.toFixed(1) });
}
