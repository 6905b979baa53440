// honours.js - 评先评优: categories, rounds with quotas, nominations, review, the public notice (公示), objections, the register and its export.
import { api } from './client.js';

export const honourCategories = () => api.get('/honours/categories');
export const listRounds = (query = {}) => api.get('/honours/rounds', query);
export const getRound = (id) => api.get(`/honours/rounds/${id}`);
export const createRound = (body) => api.post('/honours/rounds', body);
export const updateRound = (id, body) => api.put(`/honours/rounds/${id}`, body);
export const nominate = (roundId, body) => api.post(`/honours/rounds/${roundId}/nominations`, body);
export const startNotice = (id, body) => api.post(`/honours/rounds/${id}/notice`, body);
export const decideRound = (id, body) => api.post(`/honours/rounds/${id}/decide`, body);
export const getNomination = (id) => api.get(`/honours/nominations/${id}`);
export const reviewNomination = (id, body) => api.post(`/honours/nominations/${id}/review`, body);
export const withdrawNomination = (id, body) => api.post(`/honours/nominations/${id}/withdraw`, body);
export const recordObjection = (id, body) => api.post(`/honours/nominations/${id}/objections`, body);
export const handleObjection = (id, body) => api.post(`/honours/objections/${id}/handle`, body);
export const listRegister = (query = {}) => api.get('/honours/register', query);
export const registerCounts = (query = {}) => api.get('/honours/register/counts', query);
/** The register as xlsx: {blob, filename}. */
export const exportRegister = (query = {}) => api.download('/honours/register.xlsx', query, 'honours.xlsx');

// public (no login)
export const publicNotices = () => api.get('/public/honours/notices', undefined, { silent401: true });
export const publicNotice = (id) => api.get(`/public/honours/notices/${id}`, undefined, { silent401: true });
export const publicObjection = (body) => api.post('/public/honours/objections', body, { silent401: true });
