// files.js - attachments stored once per org and linked to any record (/api/v1/files): upload, the org's files to reuse, the download address.
import { api } from './client.js';

/** Upload one File for org `org` as the raw body; resolves to {id, org_id, name, mime, size, ...}. */
export const uploadFile = (org, file, onProgress) => api.upload('/files', file, { org, name: file.name }, onProgress);
/** The files already uploaded for the org, newest first (to pick again instead of uploading twice). */
export const listFiles = (org) => api.get('/files', { org });
/** The address a link downloads the file from (served as an attachment). */
export const fileUrl = (id) => `/api/v1/files/${id}`;
