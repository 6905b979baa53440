// common.js - what the task pages share: status, light and rating colours, status labels, progress bar colours, the year choices.
import { i18n } from '../../i18n/index.js';

export const STATUSES = ['not_started', 'in_progress', 'done', 'accepted'];
/** Element Plus tag types of the item statuses, the lights and the supervision ratings. */
export const STATUS_TAG = { not_started: 'info', in_progress: 'warning', done: 'success', accepted: 'success' };
export const LIGHT_TAG = { green: 'success', yellow: 'warning', red: 'danger' };
export const LIGHT_COLOR = { green: '#67c23a', yellow: '#e6a23c', red: '#f56c6c' };
export const RATINGS = ['good', 'fairly_good', 'average', 'poor'];
export const RATING_TAG = { good: 'success', fairly_good: 'primary', average: 'warning', poor: 'danger' };

/** The status of an item in the current language (the server's label in Chinese). */
export function statusLabel(item) {
	const t = i18n.global.t;
	if (!item || !item.status) return '';
	if (i18n.global.locale.value !== 'en' && item.status_label) return item.status_label;
	return t('task.status.' + item.status);
}

/** The colour of an item's progress bar: its light, else by status. */
export function barColor(item) {
	if (!item) return LIGHT_COLOR.green;
	if (item.status === 'accepted' || item.status === 'done') return '#67c23a';
	return LIGHT_COLOR[item.light] || '#409eff';
}

/** Years offered in the year filters: five back and one ahead of this year, and `extra` when outside. */
export function yearOptions(extra) {
	const now = new Date().getFullYear();
	const out = [];
	for (let y = now + 1; y >= now - 6; y--) out.push(y);
	if (extra && !out.includes(Number(extra))) out.push(Number(extra));
	return out.sort((a, b) => b - a);
}

