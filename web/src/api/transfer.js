// transfer.js - Excel/CSV import of people (upload, dry run, commit, progress, error sheet, template) and the people export.
import { api } from './client.js';

/** A fresh upload token (32 lowercase hex), chosen here so the progress can be polled while the check runs. */
export function newToken() {
	const b = new Uint8Array(16);
	crypto.getRandomValues(b);
	return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Upload the file itself as the body; dryRun checks only. onProgress(sent, total) follows the upload. */
export const importPeople = (file, { dryRun = true, orgId = null, token = null } = {}, onProgress) =>
	api.upload('/imports/people', file, { dry_run: dryRun ? 1 : 0, org_id: orgId, token }, onProgress);
export const commitImport = (token, orgId) => api.post('/imports/people/commit', orgId ? { token, org_id: orgId } : { token });
export const importProgress = (token) => api.get(`/imports/${token}/progress`, undefined, { silent401: true });
export const downloadImportErrors = (token) => api.download('/imports/people/errors', { token }, '导入错误.xlsx');
export const downloadTemplate = () => api.download('/imports/people/template', undefined, '人员导入模板.xlsx');
/** GET /people's filters; unmask with a reason for full ID numbers and phones. */
export const exportPeople = (query) => api.download('/exports/people', query, '人员名册.xlsx');
