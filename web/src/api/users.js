// users.js - accounts and role grants (/api/v1/users, /api/v1/roles), for the system administrator.
import { api } from './client.js';

export const listUsers = (query = {}) => api.get('/users', query);
export const getUser = (id) => api.get(`/users/${id}`);
export const createUser = (body) => api.post('/users', body);
export const updateUser = (id, body) => api.put(`/users/${id}`, body);
export const setUserRoles = (id, version, roles) => api.put(`/users/${id}/roles`, { version, roles });
export const resetUserPassword = (id, version) => api.post(`/users/${id}/reset-password`, { version });
export const lockUser = (id, version) => api.post(`/users/${id}/lock`, { version });
export const unlockUser = (id, version) => api.post(`/users/${id}/unlock`, { version });
export const listRoles = () => api.get('/roles');
