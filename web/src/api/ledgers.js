// ledgers.js - the cadre ledgers: reserve cadres, graduates, assessments and the due to-do, committee terms, rules (/api/v1/ledgers).
import { api } from './client.js';

export const listReserves = (query = {}) => api.get('/ledgers/reserves', query);
export const getReserve = (id) => api.get(`/ledgers/reserves/${id}`);
export const createReserve = (body) => api.post('/ledgers/reserves', body);
export const updateReserve = (id, body) => api.put(`/ledgers/reserves/${id}`, body);
export const setReserveStatus = (id, body) => api.post(`/ledgers/reserves/${id}/status`, body);
export const addTraining = (id, body) => api.post(`/ledgers/reserves/${id}/training`, body);

export const listGraduates = (query = {}) => api.get('/ledgers/graduates', query);
export const listDue = (query = {}) => api.get('/ledgers/assessments/due', query);
export const listAssessments = (personId, query = {}) => api.get(`/people/${personId}/assessments`, query);
export const createAssessment = (personId, body) => api.post(`/people/${personId}/assessments`, body);
export const updateAssessment = (id, body) => api.put(`/assessments/${id}`, body);

export const listTerms = (query = {}) => api.get('/ledgers/terms', query);
export const createTerm = (body) => api.post('/ledgers/terms', body);
export const updateTerm = (id, body) => api.put(`/ledgers/terms/${id}`, body);

export const listRules = () => api.get('/ledgers/rules');
export const updateRule = (id, body) => api.put(`/ledgers/rules/${id}`, body);
