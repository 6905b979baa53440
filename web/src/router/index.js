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
	// 群众诉求: public request pages (no login)
	{ path: '/public/request', name: 'public-request', component: () => import('../views/public/RequestSubmit.vue'), meta: { public: true, title: 'pubreq.title' } },
	{ path: '/public/request/:code', name: 'public-track', component: () => import('../views/public/RequestTrack.vue'), meta: { public: true, title: 'pubreq.trackPageTitle' } },
	// 三务公开: public disclosure pages (no login)
	{ path: '/public/disclosures', name: 'public-disclosures', component: () => import('../views/public/DisclosureList.vue'), meta: { public: true, title: 'pub.title' } },
	{ path: '/public/disclosures/verify', name: 'public-verify-help', component: () => import('../views/public/DisclosureVerifyHelp.vue'), meta: { public: true, title: 'pub.help.title' } },
	{ path: '/public/disclosures/:id(\\d+)', name: 'public-disclosure', component: () => import('../views/public/DisclosurePage.vue'), meta: { public: true, title: 'pub.pageTitle' } },
	// 评先评优: public notices (公示) and the objection form (no login)
	{ path: '/public/honours', name: 'public-honours', component: () => import('../views/public/HonourNotices.vue'), meta: { public: true, title: 'honpub.title' } },
	{ path: '/public/honours/:id(\\d+)', name: 'public-honour', component: () => import('../views/public/HonourNotice.vue'), meta: { public: true, title: 'honpub.title' } },
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
				path: 'trainings/study',
				name: 'study',
				component: () => import('../views/training/StudyView.vue'),
				meta: { title: 'study.title', action: 'person.read', group: 'trn.menu.group', orgFilter: true },
			},
			{
				path: 'trainings/:id(\\d+)',
				name: 'training',
				component: () => import('../views/training/TrainingDetail.vue'),
				meta: { title: 'trn.detailTitle', action: 'training.read', parent: 'trainings' },
			},
			// 责任清单 (tasks): overview, lists, one list's tree, one item, my items, a branch board
			{
				path: 'tasks/overview',
				name: 'task-overview',
				component: () => import('../views/tasks/OverviewView.vue'),
				meta: { title: 'task.menu.overview', action: 'task.read', group: 'task.menu.group' },
			},
			{
				path: 'tasks',
				name: 'tasks',
				component: () => import('../views/tasks/TaskListsView.vue'),
				meta: { title: 'task.menu.lists', action: 'task.read', group: 'task.menu.group', orgFilter: true },
			},
			{
				path: 'tasks/lists/:id(\\d+)',
				name: 'task-list',
				component: () => import('../views/tasks/TaskListView.vue'),
				meta: { title: 'task.listPage', action: 'task.read', parent: 'tasks' },
			},
			{
				path: 'tasks/items/:id(\\d+)',
				name: 'task-item',
				component: () => import('../views/tasks/TaskItemView.vue'),
				meta: { title: 'task.itemPage', action: 'task.read', parent: 'tasks' },
			},
			{
				path: 'tasks/my',
				name: 'task-my',
				component: () => import('../views/tasks/MyTasksView.vue'),
				meta: { title: 'task.menu.my', action: 'task.read', group: 'task.menu.group' },
			},
			{
				path: 'tasks/board',
				name: 'task-board',
				component: () => import('../views/tasks/BoardView.vue'),
				meta: { title: 'task.menu.board', action: 'task.read', group: 'task.menu.group', orgFilter: true },
			},
			// 党建+网格: grids, households, visits, requests and deeds
			{
				path: 'grids',
				name: 'grids',
				component: () => import('../views/grid/GridsView.vue'),
				meta: { title: 'grid.menu.grids', action: 'grid.read', group: 'grid.menu.group', orgFilter: true },
			},
			{
				path: 'grids/:id(\\d+)',
				name: 'grid',
				component: () => import('../views/grid/GridDetail.vue'),
				meta: { title: 'grid.detailTitle', action: 'grid.read', parent: 'grids' },
			},
			{
				path: 'households/:id(\\d+)',
				name: 'household',
				component: () => import('../views/grid/HouseholdDetail.vue'),
				meta: { title: 'grid.hh.detailTitle', action: 'grid.read', parent: 'grids' },
			},
			{
				path: 'visits/new',
				name: 'visit-new',
				component: () => import('../views/grid/VisitForm.vue'),
				meta: { title: 'grid.menu.visit', action: 'grid.read', group: 'grid.menu.group' },
			},
			{
				path: 'grid/silent',
				name: 'silent',
				component: () => import('../views/grid/SilentView.vue'),
				meta: { title: 'grid.menu.silent', action: 'grid.read', group: 'grid.menu.group', orgFilter: true },
			},
			{
				path: 'deeds',
				name: 'deeds',
				component: () => import('../views/grid/DeedsView.vue'),
				meta: { title: 'deed.menu.deeds', action: 'deed.read', group: 'grid.menu.group', orgFilter: true },
			},
			{
				path: 'deeds/new',
				name: 'deed-new',
				component: () => import('../views/grid/DeedForm.vue'),
				meta: { title: 'deed.newTitle', action: 'deed.write', parent: 'deeds' },
			},
			{
				path: 'deeds/stats',
				name: 'deed-stats',
				component: () => import('../views/grid/DeedStats.vue'),
				meta: { title: 'deed.menu.stats', action: 'deed.read', group: 'grid.menu.group', orgFilter: true },
			},
			{
				path: 'deeds/settings',
				name: 'deed-settings',
				component: () => import('../views/grid/DeedSettings.vue'),
				meta: { title: 'deed.settings.title', action: 'deed.read', parent: 'deeds' },
			},
			{
				path: 'deeds/:id(\\d+)',
				name: 'deed',
				component: () => import('../views/grid/DeedDetail.vue'),
				meta: { title: 'deed.detailTitle', action: 'deed.read', parent: 'deeds' },
			},
			// 三务公开: disclosures of the branches, their review steps, and the supervision platform
			{
				path: 'disclosures',
				name: 'disclosures',
				component: () => import('../views/disclosure/DisclosuresView.vue'),
				meta: { title: 'dis.menu.list', action: 'disclosure.read', group: 'dis.menu.group', orgFilter: true },
			},
			{
				path: 'disclosures/new',
				name: 'disclosure-new',
				component: () => import('../views/disclosure/DisclosureForm.vue'),
				meta: { title: 'dis.newTitle', action: 'disclosure.write', parent: 'disclosures' },
			},
			{
				path: 'disclosures/:id(\\d+)',
				name: 'disclosure',
				component: () => import('../views/disclosure/DisclosureDetail.vue'),
				meta: { title: 'dis.detailTitle', action: 'disclosure.read', parent: 'disclosures' },
			},
			{
				path: 'disclosures/:id(\\d+)/edit',
				name: 'disclosure-edit',
				component: () => import('../views/disclosure/DisclosureForm.vue'),
				meta: { title: 'dis.editTitle', action: 'disclosure.write', parent: 'disclosures' },
			},
			{
				path: 'disclosures/:id(\\d+)/correct',
				name: 'disclosure-correct',
				component: () => import('../views/disclosure/DisclosureForm.vue'),
				meta: { title: 'dis.correctTitle', action: 'disclosure.write', parent: 'disclosures' },
			},
			{
				path: 'disclosure/catalog',
				name: 'disclosure-catalog',
				component: () => import('../views/disclosure/CatalogView.vue'),
				meta: { title: 'dis.menu.catalog', action: 'disclosure.read', group: 'dis.menu.group' },
			},
			{
				path: 'disclosure/supervision',
				name: 'disclosure-supervision',
				component: () => import('../views/disclosure/SupervisionView.vue'),
				meta: { title: 'dis.menu.supervision', action: 'disclosure.read', group: 'dis.menu.group' },
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
			// 评先评优: rounds, nominations, review, notice and objections; the register
			{
				path: 'honours',
				name: 'honours',
				component: () => import('../views/honours/RoundsView.vue'),
				meta: { title: 'hon.menu.rounds', action: 'honour.read', group: 'hon.menu.group' },
			},
			{
				path: 'honours/rounds/:id(\\d+)',
				name: 'honour-round',
				component: () => import('../views/honours/RoundDetail.vue'),
				meta: { title: 'hon.roundTitle', action: 'honour.read', parent: 'honours' },
			},
			{
				path: 'honours/register',
				name: 'honour-register',
				component: () => import('../views/honours/RegisterView.vue'),
				meta: { title: 'hon.menu.register', action: 'honour.read', group: 'hon.menu.group' },
			},
			// 支部考评 (eval): rounds and rankings, a branch's sheet, comparison, schemes, strongest-branch designations, weak and lax branches
			{ path: 'eval/rounds', name: 'eval-rounds', component: () => import('../views/eval/RoundsView.vue'), meta: { title: 'ev.menu.rounds', action: 'eval.read', group: 'ev.menu.group' } },
			{ path: 'eval/rounds/:id(\\d+)', name: 'eval-round', component: () => import('../views/eval/RoundDetail.vue'), meta: { title: 'ev.roundTitle', action: 'eval.read', parent: 'eval-rounds' } },
			{ path: 'eval/entries/:id(\\d+)', name: 'eval-entry', component: () => import('../views/eval/EntryView.vue'), meta: { title: 'ev.entryTitle', action: 'eval.read', parent: 'eval-rounds' } },
			{ path: 'eval/branch', name: 'eval-branch', component: () => import('../views/eval/BranchView.vue'), meta: { title: 'ev.menu.branch', action: 'eval.read', group: 'ev.menu.group' } },
			{ path: 'eval/compare', name: 'eval-compare', component: () => import('../views/eval/CompareView.vue'), meta: { title: 'ev.compareTitle', action: 'eval.read', parent: 'eval-rounds' } },
			{ path: 'eval/schemes', name: 'eval-schemes', component: () => import('../views/eval/SchemesView.vue'), meta: { title: 'ev.menu.schemes', action: 'eval.read', group: 'ev.menu.group' } },
			{ path: 'eval/designations', name: 'eval-designations', component: () => import('../views/eval/DesignationsView.vue'), meta: { title: 'ev.menu.designations', action: 'eval.read', group: 'ev.menu.group' } },
			{ path: 'eval/weak', name: 'eval-weak', component: () => import('../views/eval/WeakView.vue'), meta: { title: 'ev.menu.weak', action: 'eval.read', group: 'ev.menu.group' } },
			{ path: 'eval/weak/:id(\\d+)', name: 'eval-weak-detail', component: () => import('../views/eval/WeakDetail.vue'), meta: { title: 'ev.weakTitle', action: 'eval.read', parent: 'eval-weak' } },
			// h11: the dashboard and the annual duty report
			{ path: 'dashboard', name: 'dashboard', component: () => import('../views/dashboard/DashboardView.vue'), meta: { title: 'dash.title', action: 'report.read' } },
			{ path: 'report', name: 'report', component: () => import('../views/report/ReportView.vue'), meta: { title: 'rpt.title', action: 'report.read' } },
			// 党员管理 (members): joining pipeline and record, dues, transfers and floating members (the findings link to /members/joining/<id>, /members/dues/arrears?org=, /members/transfers/<id>)
			{ path: 'members/joining', name: 'member-pipeline', component: () => import('../views/members/PipelineView.vue'), meta: { title: 'mem.menu.pipeline', action: 'member.read', group: 'mem.menu.group' } },
			{ path: 'members/joining/:id(\\d+)', name: 'member-joining', component: () => import('../views/members/JoiningView.vue'), meta: { title: 'mem.joiningTitle', action: 'member.read', parent: 'member-pipeline' } },
			{ path: 'members/dues/people/:id(\\d+)', name: 'member-dues-person', component: () => import('../views/members/DuesPerson.vue'), meta: { title: 'mem.profile', action: 'dues.read', parent: 'member-dues' } },
			{ path: 'members/dues/:tab(arrears|payments|summary|reductions|rules)?', name: 'member-dues', component: () => import('../views/members/DuesView.vue'), meta: { title: 'mem.menu.dues', action: 'dues.read', group: 'mem.menu.group' } },
			{ path: 'members/transfers', name: 'member-transfers', component: () => import('../views/members/TransfersView.vue'), meta: { title: 'mem.menu.transfers', action: 'member.read', group: 'mem.menu.group' } },
			{ path: 'members/transfers/:id(\\d+)', name: 'member-transfer', component: () => import('../views/members/TransferDetail.vue'), meta: { title: 'mem.transferTitle', action: 'member.read', parent: 'member-transfers' } },
			{ path: 'members/floating', name: 'member-floating', component: () => import('../views/members/TransfersView.vue'), meta: { title: 'mem.menu.floating', action: 'member.read', group: 'mem.menu.group' } },
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
