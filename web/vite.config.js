// vite.config.js - builds the zhibu web app into web/dist; the dev server proxies /api to a running `zhibu serve`.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
	plugins: [vue()],
	// Everything is served from this origin: the CSP is default-src 'self', so no CDN and no inline script.
	base: '/',
	build: {
		outDir: 'dist',
		emptyOutDir: true,
		assetsDir: 'assets',
		chunkSizeWarningLimit: 1500,
		// No modulepreload polyfill: it would be the only inline-looking helper, and every target browser has modulepreload.
		modulePreload: { polyfill: false },
		rollupOptions: {
			output: {
				manualChunks: {
					vendor: ['vue', 'vue-router', 'pinia', 'vue-i18n'],
					'element-plus': ['element-plus', '@element-plus/icons-vue'],
					echarts: ['echarts/core', 'echarts/charts', 'echarts/components', 'echarts/renderers'],
				},
			},
		},
	},
	define: {
		// vue-i18n: the JIT message compiler (no eval, safe under the CSP); drop the legacy API and devtools.
		__VUE_I18N_FULL_INSTALL__: false,
		__VUE_I18N_LEGACY_API__: false,
		__INTLIFY_PROD_DEVTOOLS__: false,
		__INTLIFY_JIT_COMPILATION__: true,
		__INTLIFY_DROP_MESSAGE_COMPILER__: false,
		__VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
	},
	server: {
		host: '127.0.0.1',
		port: 5173,
		proxy: {
			'/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
		},
	},
});
