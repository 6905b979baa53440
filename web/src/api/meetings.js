// meetings.js - organizational life: meetings and their versions, requirement rules, compliance, status and the to-do inbox.
import { api } from './client.js';

export const listMeetings = (query = {}) => api.get('/meetings', query);
export const getMeeting = (id) => api.get(`/meetings/${id}`);
export const createMeeting = (body) => api.post('/meetings', body);
export const updateMeeting = (id, body) => api.put(`/meetings/${id}`, body);
export const closeMeeting = (id, body) => api.post(`/meetings/${id}/close`, body);
export const correctMeeting = (id, body) => api.post(`/meetings/${id}/correct`, body);

export const listMeetingRules = (query = {}) => api.get('/rules', query);
export const createMeetingRule = (body) => api.post('/rules', body);
export const changeMeetingRule = (id, body) => api.put(`/rules/${id}`, body);

export const complianceTable = (query = {}) => api.get('/compliance', query);
export const complianceStatus = (query = {}) => api.get('/compliance/status', query);
/** The compliance table as xlsx: {blob, filename}. */
export const exportCompliance = (query = {}) => api.download('/compliance/export', query, 'compliance.xlsx');
export const todo = (query = {}) => api.get('/todo', query);
