// common.js - what the organizational-life pages share: finding colours, a finding's text in the current language, the default year.
import { i18n } from '../../i18n/index.js';
import { listMeetings } from '../../api/meetings.js';

/** Element Plus tag types of the branch statuses and of the findings. */
export const STATUS_TAG = { green: 'success', yellow: 'warning', red: 'danger' };
export const FINDING_TAG = { none: 'success', pending: 'info', missing: 'danger', late: 'warning', incomplete: 'warning', idle: 'warning' };

/** "2022年8月" / "2022 Q3" / "2022" in English; the server's label in Chinese. */
export function periodLabel(f) {
	if (i18n.global.locale.value !== 'en' || !f.start) return f.period || '';
	const y = f.start.slice(0, 4);
	const mo = Number(f.start.slice(5, 7));
	if (f.frequency === 'monthly') return f.start.slice(0, 7);
	if (f.frequency === 'quarterly') return `${y} Q${Math.floor((mo - 1) / 3) + 1}`;
	return y;
}

/** One finding as a sentence: the server's text in Chinese, built from its parts in English. */
export function findingText(f, whatLabel) {
	const t = i18n.global.t;
	if (i18n.global.locale.value !== 'en' && f.text) return f.text;
	if (!f.what) return t('mtg.idleText', { org: f.org_name || '' });
	return t('mtg.findingText', {
		org: f.org_name || '',
		period: periodLabel(f),
		what: whatLabel || f.what_label || f.what,
		finding: t('mtg.finding.' + f.finding),
		expected: f.expected,
		done: f.done,
	});
}

/** The year of the newest meeting in scope (the demo's is 2022), else this year. */
export async function defaultYear() {
	const now = new Date().getFullYear();
	try {
		const r = await listMeetings({ page_size: 1 });
		const d = r.items && r.items[0] && r.items[0].held_on;
		return d ? Number(d.slice(0, 4)) : now;
	} catch {
		return now;
	}
}

/** The date a year is judged on: its last day when it is over, else today (''). */
export function judgeDate(year) {
	return year < new Date().getFullYear() ? `${year}-12-31` : '';
}
