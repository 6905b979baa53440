// grid.js - Party building + grid (党建+网格): grids, households, visits, the silent minority, requests and deeds (/api/v1/grids, /households, /deeds) and the public request pages (/api/v1/public/requests).
import { api } from './client.js';

export const listGrids = (query = {}) => api.get('/grids', query);
export const getGrid = (id) => api.get(`/grids/${id}`);
export const createGrid = (body) => api.post('/grids', body);
export const updateGrid = (id, body) => api.put(`/grids/${id}`, body);
/** The silent households of one grid: {grid_id, days, as_of, items}. */
export const gridSilent = (id, query = {}) => api.get(`/grids/${id}/silent`, query);
/** One row per grid with its count of silent households: {days, as_of, items}. */
export const silentSummary = (query = {}) => api.get('/grid/silent', query);
export const gridSettings = () => api.get('/grid/settings');
export const putGridSettings = (body) => api.put('/grid/settings', body);

export const listHouseholds = (query = {}) => api.get('/households', query);
export const getHousehold = (id) => api.get(`/households/${id}`);
export const createHousehold = (body) => api.post('/households', body);
export const updateHousehold = (id, body) => api.put(`/households/${id}`, body);
export const recordVisit = (householdId, body) => api.post(`/households/${householdId}/visits`, body);

export const listDeeds = (query = {}) => api.get('/deeds', query);
export const getDeed = (id) => api.get(`/deeds/${id}`);
export const createDeed = (body) => api.post('/deeds', body);
/** One step of a request: accept, start, close, follow-up, route. */
export const deedAction = (id, action, body) => api.post(`/deeds/${id}/${action}`, body);
export const deedStats = (query = {}) => api.get('/deeds/stats', query);
export const duePeriods = () => api.get('/deeds/due-periods');
export const putDuePeriod = (category, body) => api.put(`/deeds/due-periods/${encodeURIComponent(category)}`, body);

// ---- public, no account
export const publicTargets = () => api.get('/public/requests/targets', undefined, { silent401: true });
export const publicSubmit = (body) => api.post('/public/requests', body, { silent401: true });
export const publicTrack = (code) => api.get(`/public/requests/${encodeURIComponent(code)}`, undefined, { silent401: true });
export const publicConfirm = (code, body) => api.post(`/public/requests/${encodeURIComponent(code)}/confirm`, body, { silent401: true });
