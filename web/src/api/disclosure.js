// disclosure.js - 三务公开: the catalogue, disclosures and their versions (review steps, corrections), supervision (grid, ranking, talks, findings, accountability), and the public pages with the transparency log's proofs.
import { api } from './client.js';

export const listCatalog = () => api.get('/disclosure/catalog');
export const createCatalogItem = (body) => api.post('/disclosure/catalog', body);
export const updateCatalogItem = (id, body) => api.put(`/disclosure/catalog/${id}`, body);
export const orgSettings = (query = {}) => api.get('/disclosure/org-settings', query);
export const putOrgSettings = (orgId, body) => api.put(`/disclosure/org-settings/${orgId}`, body);

export const listDisclosures = (query = {}) => api.get('/disclosures', query);
export const getDisclosure = (id) => api.get(`/disclosures/${id}`);
export const createDisclosure = (body) => api.post('/disclosures', body);
/** Edit a draft or returned version: {version, title, content, finance?, files?}. */
export const updateVersion = (vid, body) => api.put(`/disclosure-versions/${vid}`, body);
/** A review step of a version: submit, check, review, publish, return ({version, reason?}). */
export const stepVersion = (vid, step, body) => api.post(`/disclosure-versions/${vid}/${step}`, body);
/** A correction of a published version: {version, reason, title, content, finance?, files?} → a new draft version. */
export const correctVersion = (vid, body) => api.post(`/disclosure-versions/${vid}/correct`, body);

export const disclosureGrid = (query = {}) => api.get('/disclosure/grid', query);
/** The grid as xlsx: {blob, filename}. */
export const exportGrid = (query = {}) => api.download('/disclosure/grid.xlsx', query, 'disclosure.xlsx');
export const disclosureRanking = (query = {}) => api.get('/disclosure/ranking', query);
export const disclosureTalks = (query = {}) => api.get('/disclosure/talks', query);
export const listFindings = (query = {}) => api.get('/disclosure/findings', query);
export const scanFindings = (body = {}) => api.post('/disclosure/findings/scan', body);
export const createFinding = (body) => api.post('/disclosure/findings', body);
export const findingDone = (id, body) => api.post(`/disclosure/findings/${id}/done`, body);
export const addAccountability = (id, body) => api.post(`/disclosure/findings/${id}/accountability`, body);
export const listAccountability = (query = {}) => api.get('/disclosure/accountability', query);

// public, no login: a 401 here is never a reason to send anyone to the login page
const quiet = { silent401: true };
export const publicOrgs = () => api.get('/public/disclosure/orgs', undefined, quiet);
export const publicList = (query = {}) => api.get('/public/disclosures', query, quiet);
export const publicGet = (id) => api.get(`/public/disclosures/${id}`, undefined, quiet);
export const publicAsk = (body) => api.post('/public/disclosure-questions', body, quiet);
export const logHead = () => api.get('/public/log', undefined, quiet);
export const logProof = (index) => api.get(`/public/log/proof/${index}`, undefined, quiet);
