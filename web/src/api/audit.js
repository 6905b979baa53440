// audit.js - the audit log and its hash-chain check (/api/v1/audit), for the audit administrator.
import { api } from './client.js';

export const listAudit = (query = {}) => api.get('/audit', query);
export const verifyAudit = () => api.get('/audit/verify');
