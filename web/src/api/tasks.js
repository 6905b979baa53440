// tasks.js - responsibility lists (责任清单) and their follow-up (/api/v1/tasks): lists, item trees, push down, progress, acceptance, supervision, views, xlsx.
import { api } from './client.js';

// lists
export const listTaskLists = (query = {}) => api.get('/tasks/lists', query);
export const createTaskList = (body) => api.post('/tasks/lists', body);
/** The list with its items in tree order (items_tree, each with depth); archived=1 also the archived ones. */
export const getTaskList = (id, query = {}) => api.get(`/tasks/lists/${id}`, query);
export const createTaskItem = (listId, body) => api.post(`/tasks/lists/${listId}/items`, body);
/** The list as .xlsx: {blob, filename}. */
export const exportTaskList = (id) => api.download(`/tasks/lists/${id}/export`, undefined, '任务清单.xlsx');
/** Upload a .xlsx (raw body); dryRun only checks. A refused file rejects with e.body.rows = [{row, errors:{field: msg}}]. */
export const importTaskList = (id, file, dryRun, onProgress) => api.upload(`/tasks/lists/${id}/import`, file, { dry_run: dryRun ? 1 : 0 }, onProgress);

// one item
export const getTaskItem = (id) => api.get(`/tasks/items/${id}`);
export const updateTaskItem = (id, body) => api.put(`/tasks/items/${id}`, body);
export const archiveTaskItem = (id, body) => api.post(`/tasks/items/${id}/archive`, body);
export const splitTaskItem = (id, body) => api.post(`/tasks/items/${id}/split`, body);
export const moveTaskItem = (id, body) => api.post(`/tasks/items/${id}/move`, body);
export const pushTaskItem = (id, body) => api.post(`/tasks/items/${id}/push`, body);
export const reportTaskProgress = (id, body) => api.post(`/tasks/items/${id}/progress`, body);
export const acceptTaskItem = (id, body) => api.post(`/tasks/items/${id}/accept`, body);
export const superviseTaskItem = (id, body) => api.post(`/tasks/items/${id}/supervisions`, body);
export const completeRectification = (id, body) => api.post(`/tasks/rectifications/${id}/complete`, body);
export const taskItemHistory = (id) => api.get(`/tasks/items/${id}/history`);

// views
export const myTasks = (query = {}) => api.get('/tasks/my', query);
export const taskBoard = (query = {}) => api.get('/tasks/board', query);
export const taskOverview = (query = {}) => api.get('/tasks/overview', query);
