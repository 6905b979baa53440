// session.js - the logged-in user (GET /api/v1/session), the actions they may take, and the message shown at login.
import { defineStore } from 'pinia';
import { setCsrfToken } from '../api/client.js';
import * as sessionApi from '../api/session.js';

export const useSessionStore = defineStore('session', {
	state: () => ({
		user: null, // SessionUser, or null when nobody is logged in
		loaded: false, // whoami has answered once
		loginMessage: '', // why the user is (back) on the login page
	}),
	getters: {
		loggedIn: (s) => !!s.user,
		actions: (s) => new Set((s.user && s.user.actions) || []),
		mustChangePassword: (s) => !!(s.user && s.user.must_change_password),
		mustEnrolTotp: (s) => !!(s.user && s.user.must_enrol_totp),
	},
	actions: {
		can(action) {
			return this.actions.has(action);
		},
		/** Take a SessionInfo answer (login, whoami, password change, TOTP confirm). */
		take(info) {
			if (info && info.user) {
				this.user = info.user;
				if (info.csrf_token) setCsrfToken(info.csrf_token);
			}
			this.loaded = true;
		},
		/** Ask the server who we are; a 401 just means nobody is logged in. */
		async load() {
			try {
				this.take(await sessionApi.whoami({ silent401: true }));
			} catch (e) {
				if (e.status !== 401) throw e;
				this.user = null;
				this.loaded = true;
			}
		},
		async login(username, password, totp) {
			this.take(await sessionApi.login(username, password, totp));
			this.loginMessage = '';
		},
		async logout() {
			try {
				await sessionApi.logout();
			} catch {
				/* already gone: nothing to undo */
			}
			this.clear('');
		},
		clear(message) {
			this.user = null;
			this.loaded = true;
			this.loginMessage = message || '';
			setCsrfToken('');
		},
	},
});
