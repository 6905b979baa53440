// eval.js - branch evaluation: metrics, schemes, rounds, entries (self-assessment and review), comparison, designations, weak and lax branches.
import { api } from './client.js';

export const evalMetrics = () => api.get('/eval/metrics');
export const listSchemes = (query = {}) => api.get('/eval/schemes', query);
export const getScheme = (id) => api.get(`/eval/schemes/${id}`);
export const createScheme = (body) => api.post('/eval/schemes', body);
export const updateScheme = (id, body) => api.put(`/eval/schemes/${id}`, body);

export const listRounds = (query = {}) => api.get('/eval/rounds', query);
export const createRound = (body) => api.post('/eval/rounds', body);
export const getRound = (id) => api.get(`/eval/rounds/${id}`);
export const openReview = (id, body) => api.post(`/eval/rounds/${id}/review`, body);
export const publishRound = (id, body) => api.post(`/eval/rounds/${id}/publish`, body);
export const roundRanking = (id, query = {}) => api.get(`/eval/rounds/${id}/ranking`, query);
export const compareRounds = (a, b) => api.get('/eval/compare', { a, b });

export const getEntry = (id) => api.get(`/eval/entries/${id}`);
export const saveScores = (id, body) => api.put(`/eval/entries/${id}/scores`, body);
export const submitEntry = (id, body) => api.post(`/eval/entries/${id}/submit`, body);

export const listDesignations = (query = {}) => api.get('/eval/designations', query);
export const nominate = (body) => api.post('/eval/designations', body);
export const advanceDesignation = (id, body) => api.post(`/eval/designations/${id}/advance`, body);

export const weakCandidates = (query = {}) => api.get('/eval/weak/candidates', query);
export const listWeak = (query = {}) => api.get('/eval/weak', query);
export const createWeak = (body) => api.post('/eval/weak', body);
export const getWeak = (id) => api.get(`/eval/weak/${id}`);
export const addWeakStep = (id, body) => api.post(`/eval/weak/${id}/steps`, body);
export const addWeakFollowup = (id, body) => api.post(`/eval/weak/${id}/followups`, body);
export const liftWeak = (id, body) => api.post(`/eval/weak/${id}/lift`, body);
