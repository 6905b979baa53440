// main.js - starts the zhibu web app: Element Plus, pinia, i18n, the router, and the API client's session handlers.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import './styles.css';
import App from './App.vue';
import { router } from './router/index.js';
import { i18n } from './i18n/index.js';
import { setAuthHandlers } from './api/client.js';
import { useSessionStore } from './stores/session.js';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(i18n);
app.use(ElementPlus);
app.use(router);

// The API client tells us when the session is gone or the account must be finished first.
setAuthHandlers({
	unauthorized(message) {
		const s = useSessionStore();
		const cur = router.currentRoute.value;
		s.clear(message);
		if (cur.name !== 'login') {
			router.replace({ name: 'login', query: cur.fullPath && cur.fullPath !== '/' ? { redirect: cur.fullPath } : {} });
		}
	},
	passwordChange() {
		const s = useSessionStore();
		if (s.user) s.user.must_change_password = true;
		router.replace({ name: 'password' });
	},
	totpEnrolment() {
		const s = useSessionStore();
		if (s.user) s.user.must_enrol_totp = true;
		router.replace({ name: 'totp' });
	},
});

app.mount('#app');
