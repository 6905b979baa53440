// orgs.js - the organization tree (/api/v1/orgs).
import { api } from './client.js';

export const orgTree = (query = {}) => api.get('/orgs', { format: 'tree', ...query });
export const orgPage = (query = {}) => api.get('/orgs', { format: 'flat', ...query });
export const getOrg = (id) => api.get(`/orgs/${id}`);
export const createOrg = (body) => api.post('/orgs', body);
export const updateOrg = (id, body) => api.put(`/orgs/${id}`, body);
export const moveOrg = (id, version, parentId) => api.post(`/orgs/${id}/move`, { version, parent_id: parentId });
export const archiveOrg = (id, version) => api.post(`/orgs/${id}/archive`, { version });
export const restoreOrg = (id, version) => api.post(`/orgs/${id}/restore`, { version });
