// dicts.js - dictionary items cached per dictionary, and their labels in the current language.
import { defineStore } from 'pinia';
import { listDict } from '../api/dicts.js';
import { i18n } from '../i18n/index.js';

export const useDictsStore = defineStore('dicts', {
	state: () => ({
		items: {}, // dict name → DictItem[]
		pending: {}, // dict name → Promise
	}),
	actions: {
		/** Load (once) and return the items of a dictionary. `force` reloads. */
		async load(name, force = false) {
			if (this.items[name] && !force) return this.items[name];
			if (this.pending[name] && !force) return this.pending[name];
			const p = listDict(name)
				.then((r) => {
					this.items[name] = r.items || [];
					return this.items[name];
				})
				.finally(() => {
					delete this.pending[name];
				});
			this.pending[name] = p;
			return p;
		},
		loadMany(names) {
			return Promise.all(names.map((n) => this.load(n)));
		},
		/** The label of one item in the current language (Chinese when no English label). */
		itemLabel(it) {
			if (!it) return '';
			return i18n.global.locale.value === 'en' && it.label_en ? it.label_en : it.label;
		},
		/** Label of code in dict; `fallback` (e.g. the API's *_label) when unknown. */
		label(name, code, fallback) {
			if (code === null || code === undefined || code === '') return '';
			const it = (this.items[name] || []).find((x) => x.code === code);
			return it ? this.itemLabel(it) : fallback || code;
		},
		/** [{value, label, status, tags}] for selects; archived items only when includeArchived. */
		options(name, includeArchived = false) {
			return (this.items[name] || [])
				.filter((x) => includeArchived || x.status !== 'archived')
				.map((x) => ({ value: x.code, label: this.itemLabel(x), status: x.status, tags: x.tags || '' }));
		},
	},
});
