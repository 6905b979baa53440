// common.js - what the honours pages share: status tags and the list of categories.
import { ref } from 'vue';
import { honourCategories } from '../../api/honours.js';

export const ROUND_TAG = { open: 'warning', notice: 'danger', decided: 'success' };
export const NOM_TAG = { nominated: 'info', approved: 'primary', rejected: 'info', withdrawn: 'warning', awarded: 'success' };

/** The active honour categories, loaded once per page. */
export function useCategories() {
	const categories = ref([]);
	const noticeMin = ref(5);
	honourCategories()
		.then((r) => {
			categories.value = r.items || [];
			noticeMin.value = r.notice_min_days || 5;
		})
		.catch(() => {});
	return { categories, noticeMin: noticeMin };
}

/** This year in China. */
export function thisYear() {
	return Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4));
}
