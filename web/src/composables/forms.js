// forms.js - field errors from the API shown under each form item, and one way to report other failures.
import { reactive } from 'vue';
import { ElMessage } from 'element-plus';
import { i18n } from '../i18n/index.js';

/**
 * errors[field] holds the server's message for that field (bind it to
 * el-form-item :error). fromApi(e) fills it from an ApiError and returns true
 * when the error was about fields.
 */
export function useFormErrors() {
	const errors = reactive({});
	function clear() {
		for (const k of Object.keys(errors)) delete errors[k];
	}
	function fromApi(e) {
		clear();
		const f = (e && e.fields) || {};
		for (const [k, v] of Object.entries(f)) errors[k] = v;
		return Object.keys(f).length > 0;
	}
	return { errors, clear, fromApi };
}

/**
 * Show an API failure to the user. Session answers (401, password change,
 * TOTP enrolment) already moved the user to another page, so they stay quiet.
 */
export function showError(e) {
	const t = i18n.global.t;
	if (!e) return;
	if (e.status === 401) return;
	if (e.status === 403 && (e.code === 'password_change_required' || e.code === 'totp_enrollment_required')) return;
	if (e.status === 0) {
		ElMessage.error(t('common.networkError'));
		return;
	}
	if (e.status === 400 && e.fields && Object.keys(e.fields).length) {
		ElMessage.error(t('common.fixFields'));
		return;
	}
	ElMessage.error(e.message || t('common.failed'));
}

/** Dictionary tags as an array, whether the API sends "a,b" or ["a","b"]. */
export function tagList(tags) {
	if (Array.isArray(tags)) return tags;
	return String(tags || '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}
