// common.js - what the ledger pages share: the assessed kinds, status tag colours, URL filter helpers.

/** The flags that are assessed periodically (rules assessment_months). */
export const ASSESSED_KINDS = ['selected_graduate', 'returned_graduate', 'reserve_cadre'];

/** Element Plus tag types of the reserve statuses and the term statuses. */
export const RESERVE_TAG = { in_pool: 'success', used: 'primary', exited: 'info' };
export const TERM_TAG = { ok: 'success', due_soon: 'warning', overdue: 'danger', none: 'info' };

/** The query of a list page from a form: empty values dropped, everything a string. */
export function cleanQuery(obj) {
	const out = {};
	for (const [k, v] of Object.entries(obj)) if (v !== '' && v !== null && v !== undefined) out[k] = String(v);
	return out;
}

/** The API's query from the route's, for the keys a page filters by. */
export function pick(query, keys) {
	const out = {};
	for (const k of keys) if (query[k] !== undefined && query[k] !== '') out[k] = query[k];
	return out;
}
