// training.js - study and training: classes, sessions, attendance and coverage (/api/v1/trainings, /api/v1/training-sessions), study records (/api/v1/study).
import { api } from './client.js';

export const listTrainings = (query = {}) => api.get('/trainings', query);
export const getTraining = (id) => api.get(`/trainings/${id}`);
export const createTraining = (body) => api.post('/trainings', body);
export const updateTraining = (id, body) => api.put(`/trainings/${id}`, body);
export const trainingCoverage = (query = {}) => api.get('/trainings/coverage', query);
export const createSession = (classId, body) => api.post(`/trainings/${classId}/sessions`, body);
export const updateSession = (id, body) => api.put(`/training-sessions/${id}`, body);
export const sessionAttendance = (id) => api.get(`/training-sessions/${id}/attendance`);
export const setSessionAttendance = (id, version, personIds) => api.put(`/training-sessions/${id}/attendance`, { version, person_ids: personIds });

/** Upload a CSV or xlsx of study records as the raw body; `dryRun` only checks. Refused files reject with the errors by row in e.body. */
export const importStudy = (file, dryRun, onProgress) => api.upload('/study/import', file, { dry_run: dryRun ? 1 : '' }, onProgress);
export const listStudy = (query = {}) => api.get('/study', query);
