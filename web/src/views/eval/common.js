// common.js - what the evaluation pages share: stars, status tags, points, the web route behind a record-based score.

/** Element Plus tag types of the round statuses, the designation route and the weak-branch statuses. */
export const ROUND_TAG = { self: 'warning', review: 'primary', published: 'success' };
export const DESIG_TAG = { nominated: 'info', reviewed: 'warning', designated: 'success', withdrawn: 'danger' };
export const WEAK_TAG = { rectifying: 'danger', lifted: 'success' };

/** Points as the server keeps them (tenths), '—' when absent. */
export function pts(v) {
	if (v === null || v === undefined || v === '') return '—';
	const n = Number(v);
	return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** ★★★☆☆ for 0..5 stars. */
export function starText(n) {
	const k = Math.max(0, Math.min(5, Number(n) || 0));
	return '★'.repeat(k) + '☆'.repeat(5 - k);
}

// Routes an older server wrote into frozen results, mapped to the app's pages.
const OLD_ROUTES = [
	[/^\/meetings\/compliance(?=\?|$)/, '/compliance'],
	[/^\/grid\/deeds(?=\?|$)/, '/deeds'],
	[/^\/people\/two-committees(?=\?|$)/, '/structure'],
	[/^\/disclosure\/grid\?/, '/disclosure/supervision?tab=grid&'],
];

/** The app route of the records behind a score (a `link` of the API), or '' when there is none. */
export function recordLink(link) {
	if (!link || typeof link !== 'string' || !link.startsWith('/')) return '';
	for (const [re, to] of OLD_ROUTES) if (re.test(link)) return link.replace(re, to);
	return link;
}

/** A share 0..1 as a percentage, a count as it is. */
export function valueText(line) {
	if (!line || !line.has_value) return '—';
	const v = Number(line.value);
	if (line.is_count || (line.inputs && line.inputs.is_count)) return String(v);
	return (v * 100).toFixed(1).replace(/\.0$/, '') + '%';
}

/** The inputs behind a record-based score as [label, value] rows (numerator and denominator first, with their labels). */
export function inputRows(inputs) {
	if (!inputs || typeof inputs !== 'object') return [];
	const rows = [];
	if ('numerator' in inputs) rows.push([inputs.numerator_label || 'numerator', inputs.numerator]);
	if ('denominator' in inputs) rows.push([inputs.denominator_label || 'denominator', inputs.denominator]);
	for (const [k, v] of Object.entries(inputs)) {
		if (['numerator', 'denominator', 'numerator_label', 'denominator_label'].includes(k)) continue;
		if (v !== null && typeof v === 'object') continue;
		rows.push([k, v]);
	}
	return rows;
}
