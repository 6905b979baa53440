// client.js - the one HTTP client of the web app: JSON, cookies, the CSRF header on writes, ApiError, and session redirects.
//
// The session cookie is HttpOnly, so the app never sees it; what it keeps is the
// csrf_token from POST/GET /api/v1/session, sent as X-CSRF-Token on every write.
// Errors become an ApiError {status, code, message, fields, current}. A 401 (other
// than the login call itself) clears the session and sends the user to /login with
// the server's message; 403 password_change_required / totp_enrollment_required send
// the user to those pages. The handlers are installed by main.js (setAuthHandlers),
// so this module knows nothing of the router or the stores.
//
// Files: upload() sends a file as the raw body (with upload progress), download()
// fetches an attachment as a Blob with the server's file name.

const BASE = '/api/v1';

let csrfToken = '';
let handlers = {
	unauthorized: () => {},
	passwordChange: () => {},
	totpEnrolment: () => {},
};

/** An error answer of the API (or a network failure, status 0). */
export class ApiError extends Error {
	constructor(status, code, message, fields, current) {
		super(message || code || 'error');
		this.name = 'ApiError';
		this.status = status;
		this.code = code || 'error';
		this.fields = fields || {};
		this.current = current;
	}
}

/** Remember the CSRF token of the current session ('' after logout). */
export function setCsrfToken(token) {
	csrfToken = token || '';
}

/** Install what happens on 401 and on the two "finish your account first" answers. */
export function setAuthHandlers(h) {
	handlers = { ...handlers, ...h };
}

/** Turn {a: 1, b: '', c: null, d: [..]} into "?a=1" (empty values dropped). */
export function queryString(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {})) {
		if (v === undefined || v === null || v === '') continue;
		q.set(k, String(v));
	}
	const s = q.toString();
	return s ? '?' + s : '';
}

/**
 * One call. `opts.body` is sent as JSON; `opts.silent401` keeps a 401 from
 * redirecting (used by the first whoami, when nobody is logged in yet);
 * `opts.login` marks the login call, whose 401 is just a wrong password.
 */
export async function request(method, path, opts = {}) {
	const headers = { Accept: 'application/json' };
	const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
	if (opts.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(opts.body);
	}
	if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

	let res;
	try {
		res = await fetch(BASE + path + (opts.query ? queryString(opts.query) : ''), init);
	} catch (e) {
		throw new ApiError(0, 'network', null, {}, undefined);
	}
	let data = null;
	const text = await res.text();
	if (text) {
		try {
			data = JSON.parse(text);
		} catch {
			data = null;
		}
	}
	if (data && typeof data.csrf_token === 'string') setCsrfToken(data.csrf_token);
	if (res.ok) return data;

	const e = (data && data.error) || {};
	const err = new ApiError(res.status, e.code, e.message || res.statusText, e.fields, e.current);
	err.body = data;
	if (res.status === 401 && !opts.login) {
		setCsrfToken('');
		if (!opts.silent401) handlers.unauthorized(err.message);
	} else if (res.status === 403 && err.code === 'password_change_required') {
		handlers.passwordChange(err.message);
	} else if (res.status === 403 && err.code === 'totp_enrollment_required') {
		handlers.totpEnrolment(err.message);
	}
	throw err;
}

/** Parse an error answer's text into an ApiError and run the session handlers (as request() does). */
function errorOf(status, statusText, text, opts = {}) {
	let data = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch {
		data = null;
	}
	const e = (data && data.error) || {};
	const err = new ApiError(status, e.code, e.message || statusText, e.fields, e.current);
	err.body = data; // the whole answer: an import refused for its rows carries its counts and errors
	if (status === 401) {
		setCsrfToken('');
		if (!opts.silent401) handlers.unauthorized(err.message);
	} else if (status === 403 && err.code === 'password_change_required') {
		handlers.passwordChange(err.message);
	} else if (status === 403 && err.code === 'totp_enrollment_required') {
		handlers.totpEnrolment(err.message);
	}
	return err;
}

/**
 * POST (or `method`) a file as the raw request body (not a form), as the import and photo APIs take it.
 * `onProgress(sent, total)` follows the upload (XMLHttpRequest, since fetch
 * cannot report it). Resolves to the JSON answer; rejects with an ApiError
 * whose `body` holds the whole JSON answer (an import refused for its rows).
 */
export function upload(path, file, query, onProgress, method = 'POST') {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open(method, BASE + path + queryString(query));
		xhr.withCredentials = true;
		xhr.setRequestHeader('Accept', 'application/json');
		xhr.setRequestHeader('Content-Type', 'application/octet-stream');
		if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
		if (onProgress) xhr.upload.onprogress = (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size);
		xhr.onerror = () => reject(new ApiError(0, 'network', null, {}, undefined));
		xhr.onload = () => {
			if (xhr.status >= 200 && xhr.status < 300) {
				try {
					resolve(JSON.parse(xhr.responseText));
				} catch {
					resolve(null);
				}
				return;
			}
			reject(errorOf(xhr.status, xhr.statusText, xhr.responseText));
		};
		xhr.send(file);
	});
}

/** The file name of a Content-Disposition header: filename*=UTF-8''… first, then filename="…". */
export function dispositionName(header, fallback) {
	const h = header || '';
	const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(h);
	if (star) {
		try {
			return decodeURIComponent(star[1].trim());
		} catch {
			/* a broken encoding: try the plain name */
		}
	}
	const plain = /filename\s*=\s*"([^"]*)"/i.exec(h) || /filename\s*=\s*([^;]+)/i.exec(h);
	return plain ? plain[1].trim() : fallback;
}

/**
 * GET a file (an export, a template, an error sheet). Resolves to
 * { blob, filename, headers }; an error answer rejects with an ApiError.
 */
export async function download(path, query, fallbackName = 'download.xlsx') {
	let res;
	try {
		res = await fetch(BASE + path + queryString(query), { credentials: 'same-origin', cache: 'no-store' });
	} catch {
		throw new ApiError(0, 'network', null, {}, undefined);
	}
	if (!res.ok) throw errorOf(res.status, res.statusText, await res.text());
	const blob = await res.blob();
	return { blob, filename: dispositionName(res.headers.get('Content-Disposition'), fallbackName), headers: res.headers };
}

export const api = {
	get: (path, query, opts = {}) => request('GET', path, { ...opts, query }),
	post: (path, body = {}, opts = {}) => request('POST', path, { ...opts, body }),
	put: (path, body = {}, opts = {}) => request('PUT', path, { ...opts, body }),
	del: (path, body, opts = {}) => request('DELETE', path, { ...opts, body }),
	upload,
	download,
};
