// people.js - people, their positions and flags, counts and the leadership-team structure (/api/v1/people).
import { api } from './client.js';

export const listPeople = (query = {}) => api.get('/people', query);
export const peopleCounts = () => api.get('/people/counts');
export const teamStructure = (query = {}) => api.get('/people/structure', query);
export const getPerson = (id) => api.get(`/people/${id}`);
export const createPerson = (body) => api.post('/people', body);
export const updatePerson = (id, body) => api.put(`/people/${id}`, body);
export const archivePerson = (id, version, reason) => api.post(`/people/${id}/archive`, { version, reason });
export const restorePerson = (id, version) => api.post(`/people/${id}/restore`, { version });
export const unmaskPerson = (id, reason, fields) => api.post(`/people/${id}/unmask`, { reason, fields });
export const personHistory = (id) => api.get(`/people/${id}/history`);
export const addPosition = (personId, body) => api.post(`/people/${personId}/positions`, body);
export const updatePosition = (id, body) => api.put(`/positions/${id}`, body);
export const addFlag = (personId, body) => api.post(`/people/${personId}/flags`, body);
export const updateFlag = (id, body) => api.put(`/flags/${id}`, body);
export const uploadPhoto = (id, version, file) => api.upload(`/people/${id}/photo`, file, { version }, null, 'PUT');
export const removePhoto = (id, version) => api.del(`/people/${id}/photo?version=${version}`);
/** The photo's address; `version` makes a changed photo load afresh. */
export const photoUrl = (id, version) => `/api/v1/people/${id}/photo?v=${version}`;
