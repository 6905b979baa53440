// training.js - study and training: classes, sessions, attendance and coverage (/api/v1/trainings, /api/v1/training-sessions).
import { api } from './client.js';

export const listTrainings = (query = {}) => api.get('/trainings', query);
export const getTraining = (id) => api.get(`/trainings/${id}`);
export const trainingCoverage = (query = {}) => api.get('/trainings/coverage', query);
export const sessionAttendance = (id) => api.get(`/training-sessions/${id}/attendance`);
