// report.js - the annual duty report (draft, section edits and versions, .docx / HTML / .xlsx) and the dashboard.
import { api, queryString } from './client.js';

export const annualReport = (query) => api.get('/reports/annual', query);
/** Save a section's wording ({text, version}) or hand it back to the draft ({reset: true, version}). */
export const saveSection = (key, query, body) => api.put(`/reports/annual/sections/${encodeURIComponent(key)}`, body, { query });
export const sectionVersions = (key, query) => api.get(`/reports/annual/sections/${encodeURIComponent(key)}/versions`, query);
/** The draft as .docx: {blob, filename}. */
export const downloadDocx = (query) => api.download('/reports/annual.docx', query, 'report.docx');
/** The statistical tables as .xlsx: {blob, filename}. */
export const downloadTables = (query) => api.download('/reports/tables.xlsx', query, 'tables.xlsx');
/** The address of the printable HTML page (opened in a new tab, same-origin cookie). */
export const htmlUrl = (query) => '/api/v1/reports/annual.html' + queryString(query);
export const dashboard = (query) => api.get('/dashboard', query);
