// format.js - dates and times for display: timestamps from the API are UTC, users read them in Asia/Shanghai.
const TZ = 'Asia/Shanghai';

const dateTimeFmt = new Intl.DateTimeFormat('zh-CN', {
	timeZone: TZ,
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	second: '2-digit',
	hour12: false,
});

function parts(fmt, d) {
	const o = {};
	for (const p of fmt.formatToParts(d)) o[p.type] = p.value;
	return o;
}

/** "2026-03-02T08:15:00Z" → "2026-03-02 16:15:00" (Beijing time); '' for null. */
export function fmtDateTime(iso) {
	if (!iso) return '';
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return String(iso);
	const p = parts(dateTimeFmt, d);
	const hour = p.hour === '24' ? '00' : p.hour;
	return `${p.year}-${p.month}-${p.day} ${hour}:${p.minute}:${p.second}`;
}

/** Today's date in Asia/Shanghai as YYYY-MM-DD. */
export function todayShanghai() {
	const p = parts(dateTimeFmt, new Date());
	return `${p.year}-${p.month}-${p.day}`;
}

/** A YYYY-MM-DD date as it is ('' for null): dates carry no time zone. */
export function fmtDate(s) {
	return s || '';
}
