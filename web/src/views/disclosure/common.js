// common.js - what the disclosure pages share: money in fen shown in yuan, periods by frequency, state colours, the rich-text cleaner and the finance table's shape.
import { i18n } from '../../i18n/index.js';

/** Element Plus tag types of version states and of grid / finding states. */
export const STATE_TAG = {
	draft: 'info',
	submitted: 'primary',
	checked: 'primary',
	reviewed: 'warning',
	published: 'success',
	returned: 'danger',
	late: 'warning',
	missing: 'danger',
	incomplete: 'warning',
	pending: 'info',
	not_due: 'info',
	open: 'warning',
	done: 'success',
	overdue: 'danger',
};
export const AFFAIRS = ['party', 'village', 'finance'];

/** "1234.5" / "1,234.50" → 123450 fen; null when it is not an amount with at most two decimals. */
export function yuanToFen(s) {
	const v = String(s === undefined || s === null ? '' : s)
		.replace(/[,，\s]/g, '')
		.replace(/^¥/, '');
	const m = /^(-?)(\d{1,13})(?:\.(\d{0,2}))?$/.exec(v);
	if (!m) return null;
	const fen = Number(m[2]) * 100 + Number(((m[3] || '') + '00').slice(0, 2));
	return m[1] ? -fen : fen;
}

/** 123450 → "1234.50" (for inputs); with grouping → "1,234.50". */
export function fenToYuan(fen, group = false) {
	if (fen === null || fen === undefined || Number.isNaN(Number(fen))) return '';
	const n = Math.trunc(Number(fen));
	const neg = n < 0;
	const a = Math.abs(n);
	let int = String(Math.floor(a / 100));
	if (group) int = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
	return (neg ? '-' : '') + int + '.' + String(a % 100).padStart(2, '0');
}

/** The periods of a year for a frequency: ['2022-01', ...], ['2022-Q1', ...] or ['2022']. */
export function periodsOf(freq, year) {
	if (freq === 'monthly') return Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
	if (freq === 'quarterly') return [1, 2, 3, 4].map((q) => `${year}-Q${q}`);
	if (freq === 'yearly') return [String(year)];
	return [];
}

/** The period before `p` of the same frequency ('' for events or a period that does not parse). */
export function prevPeriod(freq, p) {
	let m;
	if (freq === 'monthly' && (m = /^(\d{4})-(\d{2})$/.exec(p))) {
		const y = Number(m[1]);
		const mo = Number(m[2]);
		return mo === 1 ? `${y - 1}-12` : `${y}-${String(mo - 1).padStart(2, '0')}`;
	}
	if (freq === 'quarterly' && (m = /^(\d{4})-Q([1-4])$/.exec(p))) {
		const y = Number(m[1]);
		const q = Number(m[2]);
		return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`;
	}
	if (freq === 'yearly' && /^\d{4}$/.test(p)) return String(Number(p) - 1);
	return '';
}

/** A period as people read it: "2022年3月", "2022年第1季度", "2022年度" (English: 2022-03, 2022 Q1, 2022). */
export function periodText(p) {
	const en = i18n.global.locale.value === 'en';
	let m;
	if (!p) return '';
	if ((m = /^(\d{4})-(\d{2})$/.exec(p))) return en ? p : `${m[1]}年${Number(m[2])}月`;
	if ((m = /^(\d{4})-Q([1-4])$/.exec(p))) return en ? `${m[1]} Q${m[2]}` : `${m[1]}年第${m[2]}季度`;
	if (/^\d{4}$/.test(p)) return en ? p : `${p}年度`;
	return p;
}

/** The months 1..12 a period covers in its year: [first, last]; null for a period of another shape. */
export function periodMonths(p) {
	let m;
	if ((m = /^(\d{4})-(\d{2})$/.exec(p))) return [Number(m[2]), Number(m[2])];
	if ((m = /^(\d{4})-Q([1-4])$/.exec(p))) return [Number(m[2]) * 3 - 2, Number(m[2]) * 3];
	if (/^\d{4}$/.test(p)) return [1, 12];
	if ((m = /^(\d{4})-(\d{2})-\d{2}$/.exec(p))) return [Number(m[2]), Number(m[2])];
	return null;
}

/** The period that is due now or most recently for a frequency, as a default for a new disclosure. */
export function currentPeriod(freq, today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)) {
	const y = today.slice(0, 4);
	const mo = Number(today.slice(5, 7));
	if (freq === 'monthly') return today.slice(0, 7);
	if (freq === 'quarterly') return `${y}-Q${Math.floor((mo - 1) / 3) + 1}`;
	if (freq === 'yearly') return y;
	return today;
}

// The tags the server keeps (disclosure_sanitize): anything else is turned into these or into its text.
const KEEP = new Set(['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'table', 'tr', 'td', 'th', 'h3', 'h4']);
const RENAME = { b: 'strong', i: 'em', div: 'p', h1: 'h3', h2: 'h3', h5: 'h4', h6: 'h4', tbody: null, thead: null, tfoot: null, span: null, font: null, u: null, a: null };
const BLOCK = new Set(['p', 'ul', 'ol', 'li', 'table', 'tr', 'td', 'th', 'h3', 'h4']);

function esc(s) {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * HTML (from the editor, or from the server for display) reduced to the tags
 * the server keeps, without any attribute: b → strong, i → em, div → p,
 * h1/h2 → h3; scripts and styles dropped; other elements give their content.
 */
export function cleanHtml(html) {
	const doc = new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html');
	const out = [];
	const walk = (node, inBlock) => {
		for (const n of node.childNodes) {
			if (n.nodeType === 3) {
				out.push(esc(n.nodeValue));
				continue;
			}
			if (n.nodeType !== 1) continue;
			let tag = n.tagName.toLowerCase();
			if (tag === 'script' || tag === 'style' || tag === 'template' || tag === 'iframe' || tag === 'object') continue;
			if (tag in RENAME) tag = RENAME[tag];
			if (!tag || !KEEP.has(tag)) {
				walk(n, inBlock);
				continue;
			}
			// a <p> inside a <p> (a div in the editor's paragraph) only breaks the line
			if (tag === 'p' && inBlock === 'p') {
				walk(n, inBlock);
				out.push('<br>');
				continue;
			}
			if (tag === 'br') {
				out.push('<br>');
				continue;
			}
			out.push(`<${tag}>`);
			walk(n, BLOCK.has(tag) ? tag : inBlock);
			out.push(`</${tag}>`);
		}
	};
	walk(doc.body, '');
	return out
		.join('')
		.replace(/<p>(\s|<br>)*<\/p>/g, '')
		.trim();
}

/** Plain text typed in paragraphs → HTML paragraphs (a blank line starts a new one). */
export function textToHtml(text) {
	return String(text || '')
		.split(/\n\s*\n/)
		.map((p) => p.trim())
		.filter(Boolean)
		.map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
		.join('');
}

/** An empty finance table in the editor's shape (yuan as text). */
export function emptyFinance() {
	return { opening: '', closing: '', closingTouched: false, income: [{ name: '', amount: '', note: '' }], expense: [{ name: '', amount: '', note: '' }] };
}

/** The server's table (fen) in the editor's shape. */
export function financeToForm(f) {
	if (!f) return emptyFinance();
	const lines = (a) => (a || []).map((l) => ({ name: l.name || '', amount: fenToYuan(l.amount), note: l.note || '' }));
	return {
		opening: fenToYuan(f.opening_balance),
		closing: fenToYuan(f.closing_balance),
		closingTouched: true,
		income: lines(f.income),
		expense: lines(f.expense),
	};
}

/** The sums of the editor's table in fen (lines that do not parse count as 0). */
export function financeSums(ff) {
	const sum = (a) => a.reduce((s, l) => s + (yuanToFen(l.amount) || 0), 0);
	const income = sum(ff.income);
	const expense = sum(ff.expense);
	const opening = yuanToFen(ff.opening) || 0;
	return { income, expense, opening, closing: opening + income - expense };
}

/**
 * The editor's table as the API takes it (fen), with totals from its lines
 * (prune wholly empty lines first: pruneFinance). Amounts that do not parse are named in
 * `errors` (the same keys as the server's: finance.income[1].amount) and make it null.
 */
export function financeToApi(ff, errors, t) {
	let bad = false;
	const lines = (side) =>
		ff[side].map((l, i) => {
			const fen = yuanToFen(l.amount);
			if (fen === null) {
				errors[`finance.${side}[${i}].amount`] = t('dis.fin.badAmount');
				bad = true;
			}
			const o = { name: l.name.trim(), amount: fen === null ? 0 : fen };
			if (l.note.trim()) o.note = l.note.trim();
			return o;
		});
	const income = lines('income');
	const expense = lines('expense');
	const opening = ff.opening === '' ? 0 : yuanToFen(ff.opening);
	if (opening === null) {
		errors['finance.opening_balance'] = t('dis.fin.badAmount');
		bad = true;
	}
	const closing = ff.closingTouched ? yuanToFen(ff.closing) : null;
	if (ff.closingTouched && closing === null) {
		errors['finance.closing_balance'] = t('dis.fin.badAmount');
		bad = true;
	}
	if (bad) return null;
	const it = income.reduce((s, l) => s + l.amount, 0);
	const et = expense.reduce((s, l) => s + l.amount, 0);
	return {
		opening_balance: opening,
		income,
		expense,
		income_total: it,
		expense_total: et,
		closing_balance: ff.closingTouched ? closing : opening + it - et,
	};
}

/** Drop the lines of the editor's table left wholly empty (so line numbers match what the server names). */
export function pruneFinance(ff) {
	const used = (l) => l.name.trim() || String(l.amount).trim() || l.note.trim();
	ff.income = ff.income.filter(used);
	ff.expense = ff.expense.filter(used);
}

/** Field errors of the server grouped: those of the finance table by line, the others as they are. */
export function lineError(errors, side, i, col) {
	return errors[`finance.${side}[${i}].${col}`] || (col === 'name' ? errors[`finance.${side}[${i}]`] : '') || '';
}
