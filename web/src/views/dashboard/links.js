// links.js - the web route for a record link the report API gives: most open as they are; a few are mapped to the page that shows those records with filters it understands.

/**
 * The route (a string for router.push) of an API `link`. `year` is the
 * period's year, used where the target page filters by year only.
 */
export function mapLink(link, year) {
	if (!link) return '';
	const [path, qs = ''] = link.split('?');
	const q = new URLSearchParams(qs);
	const y = year ? String(year) : '';
	const out = (p, params) => {
		const s = new URLSearchParams();
		for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
		const str = s.toString();
		return str ? `${p}?${str}` : p;
	};
	switch (path) {
		case '/tasks':
			// task items: the board of the org for the year shows them by status
			return out('/tasks/board', { org: q.get('org'), year: (q.get('due_from') || '').slice(0, 4) || y });
		case '/eval/weak':
			// the page shows only those still rectifying unless told otherwise: "status=" is every status
			if (!q.has('status')) return `${path}?${qs ? qs + '&' : ''}status=`;
			return link;
		case '/eval/rounds':
			return out('/eval/rounds', { year: y });
		case '/todo':
			// findings of a subject, or of one branch (its status and every reason): the to-do inbox
			// judged on the day the dashboard judged them (the year's last day for a past year)
			return out('/todo', {
				subject: q.get('subject') || '',
				org: q.get('org') || '',
				date: q.get('date') || (y && Number(y) < new Date().getFullYear() ? `${y}-12-31` : ''),
			});
		case '/honours/register': {
			if (q.has('year_from') || q.has('year_to')) {
				const a = q.get('year_from');
				const b = q.get('year_to');
				q.delete('year_from');
				q.delete('year_to');
				if (a && a === b) q.set('year', a);
			}
			return out(path, Object.fromEntries(q));
		}
		default:
			return link;
	}
}
