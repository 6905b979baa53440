// ui.js - small shared UI state: the last breadcrumb a page names itself (e.g. a person's name).
import { defineStore } from 'pinia';

export const useUiStore = defineStore('ui', {
	state: () => ({ crumb: '' }),
});
