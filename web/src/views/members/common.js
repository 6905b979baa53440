// common.js - what the member-lifecycle pages share: money in yuan, stage and status tag colours, a stale-version message.
import { ElMessage } from 'element-plus';
import { i18n } from '../../i18n/index.js';
import { showError } from '../../composables/forms.js';

export const STAGES = ['applicant', 'activist', 'candidate', 'probationary', 'full'];
export const STAGE_TAG = { applicant: 'info', activist: '', candidate: 'warning', probationary: 'danger', full: 'success' };
export const TRANSFER_TAG = { requested: 'warning', approved: 'primary', completed: 'success', cancelled: 'info', refused: 'danger' };

/** Fen as yuan with two decimals ("15.00"). */
export function yuan(fen) {
	if (fen === null || fen === undefined || fen === '') return '';
	return (Number(fen) / 100).toFixed(2);
}

/** Yuan typed by a person (string or number) as integer fen; NaN stays NaN for the server to refuse. */
export function toFen(y) {
	if (y === null || y === undefined || y === '') return null;
	return Math.round(Number(y) * 100);
}

/** The current month in Asia/Shanghai, "YYYY-MM". */
export function thisMonth() {
	return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
}

/**
 * Report an API failure of a write: a 409 says the record changed and calls reload();
 * field errors stay under their fields (fromApi); anything else as a message.
 */
export async function writeFailed(e, fromApi, reload) {
	if (e && e.status === 409) {
		ElMessage.warning(i18n.global.t('mem.stale'));
		if (reload) await reload();
		return;
	}
	if (!fromApi || !fromApi(e)) showError(e);
}
