// security.js - the security policy (/api/v1/security/policy), for the security administrator.
import { api } from './client.js';

export const getPolicy = () => api.get('/security/policy');
export const updatePolicy = (body) => api.put('/security/policy', body);
