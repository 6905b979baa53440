// session.js - login, logout, whoami, password change and TOTP enrolment (/api/v1/session).
import { api } from './client.js';

export const login = (username, password, totp) =>
	api.post('/session', totp ? { username, password, totp } : { username, password }, { login: true });
export const whoami = (opts = {}) => api.get('/session', undefined, opts);
export const logout = () => api.del('/session');
export const changePassword = (oldPassword, newPassword) =>
	api.put('/session/password', { old_password: oldPassword, new_password: newPassword });
export const totpBegin = () => api.post('/session/totp');
export const totpConfirm = (code) => api.put('/session/totp', { code });
export const totpDisable = (password) => api.del('/session/totp', { password });
