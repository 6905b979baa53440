// members.js - the member lifecycle: joining the Party (发展党员), Party dues (党费), transfers of membership (组织关系转接) and floating members.
import { api } from './client.js';

export const joiningSteps = () => api.get('/members/steps');
export const pipeline = (query = {}) => api.get('/members/pipeline', query);
export const getJoining = (personId) => api.get(`/members/joining/${personId}`);
export const addStep = (personId, body) => api.post(`/members/joining/${personId}/steps`, body);
export const extendProbation = (personId, body) => api.post(`/members/joining/${personId}/extension`, body);
export const voidStep = (id, body) => api.post(`/members/joining/records/${id}/void`, body);

export const duesRules = () => api.get('/dues/rules');
export const updateDuesRule = (id, body) => api.put(`/dues/rules/${id}`, body);
export const setRounding = (body) => api.put('/dues/rounding', body);
/** The dues profile; unmask with a reason shows the base (audited). */
export const getDuesProfile = (personId, reason) => api.get(`/dues/profiles/${personId}`, reason ? { unmask: '1', reason } : {});
export const putDuesProfile = (personId, body) => api.put(`/dues/profiles/${personId}`, body);
export const duesPayments = (query = {}) => api.get('/dues/payments', query);
export const payDues = (body) => api.post('/dues/payments', body);
export const voidPayment = (id, body) => api.post(`/dues/payments/${id}/void`, body);
export const duesArrears = (query = {}) => api.get('/dues/arrears', query);
export const requestReduction = (body) => api.post('/dues/reductions', body);
export const duesReductions = (query = {}) => api.get('/dues/reductions', query);
export const decideReduction = (id, body) => api.post(`/dues/reductions/${id}/decide`, body);
export const duesSummary = (query = {}) => api.get('/dues/summary', query);
/** The year's payments and summary as xlsx: {blob, filename}. */
export const exportDues = (query = {}) => api.download('/dues/export.xlsx', query, 'dues.xlsx');

export const listTransfers = (query = {}) => api.get('/transfers', query);
export const createTransfer = (body) => api.post('/transfers', body);
/** Every org that can receive a member (names only, any scope). */
export const transferDestinations = () => api.get('/transfers/destinations');
export const getTransfer = (id) => api.get(`/transfers/${id}`);
export const approveTransfer = (id, body) => api.post(`/transfers/${id}/approve`, body);
export const acceptTransfer = (id, body) => api.post(`/transfers/${id}/accept`, body);
export const cancelTransfer = (id, body) => api.post(`/transfers/${id}/cancel`, body);

export const listFloating = (query = {}) => api.get('/floating', query);
export const createFloating = (body) => api.post('/floating', body);
export const updateFloating = (id, body) => api.put(`/floating/${id}`, body);
