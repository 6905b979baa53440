// dicts.js - dictionaries (/api/v1/dicts/:dict): read by everyone, edited by township staff.
import { api } from './client.js';

export const listDict = (dict) => api.get(`/dicts/${encodeURIComponent(dict)}`);
export const createDictItem = (dict, body) => api.post(`/dicts/${encodeURIComponent(dict)}`, body);
export const updateDictItem = (dict, id, body) => api.put(`/dicts/${encodeURIComponent(dict)}/${id}`, body);
