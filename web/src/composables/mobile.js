// mobile.js - whether the window is phone-sized (under 768 px), kept up to date.
import { ref, onMounted, onBeforeUnmount } from 'vue';

export function useIsMobile() {
	const mq = window.matchMedia('(max-width: 767px)');
	const isMobile = ref(mq.matches);
	const on = (e) => {
		isMobile.value = e.matches;
	};
	onMounted(() => mq.addEventListener('change', on));
	onBeforeUnmount(() => mq.removeEventListener('change', on));
	return isMobile;
}
