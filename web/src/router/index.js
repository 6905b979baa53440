// index.js - the routes of the app and the guard that sends users to login, password change or TOTP enrolment first.
import { createRouter, createWebHistory } from 'vue-router';
import { useSessionStore } from '../stores/session.js';

import AppLayout from '../layout/AppLayout.vue';
import LoginView from '../views/auth/LoginView.vue';
import PasswordView from '../views/auth/PasswordView.vue';
import TotpView from '../views/auth/TotpView.vue';
import HomeView from '../views/home/HomeView.vue';
import NotFoundView from '../views/home/NotFoundView.vue';

// meta: title (i18n key), action (needed to open the page), parent (route name shown
// before it in the breadcrumbs), orgFilter (a click in the org tree filters this page).
const routes = [
	{ path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'login.title' } },
	{ path: '/password', name: 'password', component: PasswordView, meta: { title: 'password.title', bare: true } },
	{ path: '/totp', name: 'totp', component: TotpView, meta: { title: 'totp.title', bare: true } },
	{
		path: '/',
		component: AppLayout,
		children: [
			{ path: '', name: 'home', component: HomeView, meta: { title: 'menu.home' } },
			{
				path: 'orgs',
				name: 'orgs',
				component: () => import('../views/orgs/OrgsView.vue'),
				meta: { title: 'menu.orgs', action: 'org.read', orgFilter: true },
			},
			{
				path: 'people',
				name: 'people',
				component: () => import('../views/people/PeopleList.vue'),
				meta: { title: 'menu.people', action: 'person.read', orgFilter: true },
			},
			{
				path: 'people/new',
				name: 'person-new',
				component: () => import('../views/people/PersonForm.vue'),
				meta: { title: 'person.newTitle', action: 'person.write', parent: 'people' },
			},
			{
				path: 'people/import',
				name: 'person-import',
				component: () => import('../views/people/ImportView.vue'),
				meta: { title: 'import.title', action: 'person.write', parent: 'people' },
			},
			{
				path: 'people/:id(\\d+)',
				name: 'person',
				component: () => import('../views/people/PersonDetail.vue'),
				meta: { title: 'person.detailTitle', action: 'person.read', parent: 'people' },
			},
			{
				path: 'people/:id(\\d+)/edit',
				name: 'person-edit',
				component: () => import('../views/people/PersonForm.vue'),
				meta: { title: 'person.editTitle', action: 'person.write', parent: 'people' },
			},
			{
				path: 'structure',
				name: 'structure',
				component: () => import('../views/people/StructureView.vue'),
				meta: { title: 'menu.structure', action: 'person.read', orgFilter: true },
			},
			{
				path: 'ledgers/reserves',
				name: 'reserves',
				component: () => import('../views/ledgers/ReservesView.vue'),
				meta: { title: 'menu.reserves', action: 'ledger.read', group: 'menu.ledgers', orgFilter: true },
			},
			{
				path: 'ledgers/graduates',
				name: 'graduates',
				component: () => import('../views/ledgers/GraduatesView.vue'),
				meta: { title: 'menu.graduates', action: 'ledger.read', group: 'menu.ledgers', orgFilter: true },
			},
			{
				path: 'ledgers/due',
				name: 'due',
				component: () => import('../views/ledgers/DueView.vue'),
				meta: { title: 'menu.due', action: 'ledger.read', group: 'menu.ledgers', orgFilter: true },
			},
			{
				path: 'ledgers/terms',
				name: 'terms',
				component: () => import('../views/ledgers/TermsView.vue'),
				meta: { title: 'menu.terms', action: 'ledger.read', group: 'menu.ledgers', orgFilter: true },
			},
			{
				path: 'ledgers/rules',
				name: 'ledger-rules',
				component: () => import('../views/ledgers/RulesView.vue'),
				meta: { title: 'menu.ledgerRules', action: 'ledger.read', group: 'menu.ledgers' },
			},
			{
				path: 'meetings',
				name: 'meetings',
				component: () => import('../views/meetings/MeetingsView.vue'),
				meta: { title: 'mtg.menu.meetings', action: 'meeting.read', group: 'mtg.menu.group', orgFilter: true },
			},
			{
				path: 'meetings/new',
				name: 'meeting-new',
				component: () => import('../views/meetings/MeetingForm.vue'),
				meta: { title: 'mtg.newTitle', action: 'meeting.write', parent: 'meetings' },
			},
			{
				path: 'meetings/:id(\\d+)',
				name: 'meeting',
				component: () => import('../views/meetings/MeetingDetail.vue'),
				meta: { title: 'mtg.detailTitle', action: 'meeting.read', parent: 'meetings' },
			},
			{
				path: 'meetings/:id(\\d+)/edit',
				name: 'meeting-edit',
				component: () => import('../views/meetings/MeetingForm.vue'),
				meta: { title: 'mtg.editTitle', action: 'meeting.write', parent: 'meetings' },
			},
			{
				path: 'meetings/:id(\\d+)/correct',
				name: 'meeting-correct',
				component: () => import('../views/meetings/MeetingForm.vue'),
				meta: { title: 'mtg.correctTitle', action: 'meeting.write', parent: 'meetings' },
			},
			{
				path: 'compliance',
				name: 'compliance',
				component: () => import('../views/meetings/ComplianceView.vue'),
				meta: { title: 'mtg.menu.compliance', action: 'meeting.read', group: 'mtg.menu.group', orgFilter: true },
			},
			{
				path: 'todo',
				name: 'todo',
				component: () => import('../views/meetings/TodoView.vue'),
				meta: { title: 'mtg.menu.todo', action: 'meeting.read', group: 'mtg.menu.group' },
			},
			{
				path: 'rules',
				name: 'meeting-rules',
				component: () => import('../views/meetings/RulesView.vue'),
				meta: { title: 'mtg.menu.rules', action: 'meeting.read', group: 'mtg.menu.group' },
			},
			{
				path: 'trainings',
				name: 'trainings',
				component: () => import('../views/training/TrainingsView.vue'),
				meta: { title: 'trn.menu.classes', action: 'training.read', group: 'trn.menu.group' },
			},
			{
				path: 'trainings/coverage',
				name: 'coverage',
				component: () => import('../views/training/CoverageView.vue'),
				meta: { title: 'trn.menu.coverage', action: 'training.read', group: 'trn.menu.group', orgFilter: true },
			},
			{
				path: 'trainings/:id(\\d+)',
				name: 'training',
				component: () => import('../views/training/TrainingDetail.vue'),
				meta: { title: 'trn.detailTitle', action: 'training.read', parent: 'trainings' },
			},
			{
				path: 'admin/users',
				name: 'users',
				component: () => import('../views/admin/UsersView.vue'),
				meta: { title: 'menu.users', action: 'user.admin', group: 'menu.admin' },
			},
			{
				path: 'admin/policy',
				name: 'policy',
				component: () => import('../views/admin/PolicyView.vue'),
				meta: { title: 'menu.policy', action: 'policy.admin', group: 'menu.admin' },
			},
			{
				path: 'admin/audit',
				name: 'audit',
				component: () => import('../views/admin/AuditView.vue'),
				meta: { title: 'menu.audit', action: 'audit.read', group: 'menu.admin' },
			},
			{
				path: 'admin/dicts',
				name: 'dicts',
				component: () => import('../views/admin/DictsView.vue'),
				meta: { title: 'menu.dicts', action: 'dict.write', group: 'menu.admin' },
			},
			{ path: 'forbidden', name: 'forbidden', component: NotFoundView, props: { kind: 'forbidden' }, meta: { title: 'notFound.forbiddenTitle' } },
			{ path: ':pathMatch(.*)*', name: 'not-found', component: NotFoundView, meta: { title: 'notFound.title' } },
		],
	},
];

export const router = createRouter({
	history: createWebHistory('/'),
	routes,
	scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach(async (to) => {
	const s = useSessionStore();
	if (!s.loaded) {
		try {
			await s.load();
		} catch (e) {
			s.clear(e.message);
		}
	}
	if (to.meta.public) {
		if (s.loggedIn && to.name === 'login') return { name: 'home' };
		return true;
	}
	if (!s.loggedIn) {
		return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
	}
	if (s.mustChangePassword && to.name !== 'password') return { name: 'password' };
	if (!s.mustChangePassword && s.mustEnrolTotp && to.name !== 'totp' && to.name !== 'password') return { name: 'totp' };
	if (to.meta.action && !s.can(to.meta.action)) return { name: 'forbidden' };
	return true;
});
