// tasks.test.mjs - responsibility lists: push-down to branches, progress with evidence, roll-up, acceptance, findings in the to-do, xlsx round trip, scope, versions, the demo's 2022 list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, sec1, sec2, member, orgs, root, v1, v2, v3;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n% tasks evidence\n');
const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

async function login(username) {
	const c = new Client(srv.base);
	const r = await c.login(username, DEMO_PASSWORD);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

async function grantOrg(c) {
	const me = (await ok(c.get('/api/v1/session'))).user;
	const g = (me.grants || me.roles)[0];
	return orgs.find((o) => o.id === (g.org_id ?? g.org?.id));
}

before(async () => {
	srv = await startServer({}, { demo: true });
	township = await login('township');
	sec1 = await login('secretary1');
	sec2 = await login('secretary2');
	member = await login('member');
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
	v1 = await grantOrg(sec1);
	v2 = await grantOrg(sec2);
	v3 = orgs.find((o) => (o.kind === 'branch' || o.kind === 'general_branch') && o.id !== v1.id && o.id !== v2.id);
	assert.ok(v1 && v2 && v3 && v1.id !== v2.id);
});
after(async () => { await srv.stop(); });

let list2023, source, pushed;

test('the township pushes one item down to three branches at once; each gets a linked item in its own list', async () => {
	list2023 = await ok(township.post('/api/v1/tasks/lists', { org_id: root.id, year: 2023 }), 201);
	assert.equal(list2023.year, 2023);
	// a second list for the same org and year is refused
	assert.equal((await township.post('/api/v1/tasks/lists', { org_id: root.id, year: 2023 })).status, 409);
	source = await ok(township.post(`/api/v1/tasks/lists/${list2023.id}/items`, {
		title: '开展主题教育专题学习', start_on: '2023-01-01', due_on: '2023-03-31', weight: 10,
		criteria: '每个支部至少组织2次专题学习',
	}), 201);
	assert.equal(source.code, '1');
	assert.equal(source.status, 'not_started');
	const r = await ok(township.post(`/api/v1/tasks/items/${source.id}/push`, { org_ids: [v1.id, v2.id, v3.id] }), 201);
	assert.equal(r.items.length, 3);
	pushed = {};
	for (const it of r.items) {
		assert.equal(it.answers_item_id, source.id);
		assert.equal(it.answers.code, '1');
		assert.equal(it.year, 2023);
		assert.equal(it.due_on, '2023-03-31');
		pushed[it.list_org_id] = it;
	}
	assert.deepEqual(Object.keys(pushed).map(Number).sort(), [v1.id, v2.id, v3.id].sort());
	assert.equal(r.item.answered_by.length, 3);
	assert.equal(r.item.can_accept, true);
	// each branch now has its 2023 list holding the item
	const lists = (await ok(sec1.get('/api/v1/tasks/lists?year=2023'))).items;
	assert.equal(lists.length, 1);
	assert.equal(lists[0].org_id, v1.id);
	// pushing again to a branch that already answers it, or outside the list's org, is refused whole
	const again = await township.post(`/api/v1/tasks/items/${source.id}/push`, { org_ids: [v1.id, orgs.find((o) => o.kind === 'party_group' && o.parent_id === v2.id)?.id ?? v1.id] });
	assert.equal(again.status, 400, again.text);
	assert.ok(again.body.error.fields.org_ids);
	// a secretary cannot see the township's list at all
	assert.equal((await sec1.post(`/api/v1/tasks/items/${source.id}/push`, { org_ids: [v1.id] })).status, 404);
});

test('a branch reports progress with evidence; the township item rolls up; bad reports name the field', async () => {
	const mine = pushed[v1.id];
	const f = await sec1.upload(v1.id, '学习记录.pdf', PDF);
	assert.ok(f.status === 201 || f.status === 200, f.text);
	const r = await ok(sec1.post(`/api/v1/tasks/items/${mine.id}/progress`, {
		reported_on: today, progress: 60, text: '已组织1次专题学习', files: [f.body.id],
	}), 201);
	assert.equal(r.item.progress, 60);
	assert.equal(r.item.status, 'in_progress');
	assert.equal(r.item.progress_source, 'reported');
	assert.equal(r.item.reports.length, 1);
	assert.equal(r.item.reports[0].files.length, 1);
	assert.equal(r.item.reports[0].files[0].id, f.body.id);
	// the township's item is the mean of its three answers: (60 + 0 + 0) / 3 = 20
	const src = await ok(township.get(`/api/v1/tasks/items/${source.id}`));
	assert.equal(src.progress, 20);
	assert.equal(src.progress_source, 'rollup');
	assert.equal(src.status, 'in_progress');
	// reporting on a rolled-up item is refused
	let bad = await township.post(`/api/v1/tasks/items/${source.id}/progress`, { reported_on: today, progress: 50, text: 'x' });
	assert.equal(bad.status, 400);
	assert.ok(bad.body.error.fields.progress);
	// above 100
	bad = await sec1.post(`/api/v1/tasks/items/${mine.id}/progress`, { reported_on: today, progress: 120, text: '超额' });
	assert.equal(bad.status, 400);
	assert.ok(bad.body.error.fields.progress);
	// backwards without a reason, then with one
	bad = await sec1.post(`/api/v1/tasks/items/${mine.id}/progress`, { reported_on: today, progress: 40, text: '重新核定' });
	assert.equal(bad.status, 400);
	assert.match(bad.body.error.fields.reason, /原因/);
	const back = await ok(sec1.post(`/api/v1/tasks/items/${mine.id}/progress`, {
		reported_on: today, progress: 40, text: '重新核定', reason: '一次学习不符合要求，不计入',
	}), 201);
	assert.equal(back.item.progress, 40);
	// another branch's secretary cannot report on it (not even see it)
	assert.equal((await sec2.post(`/api/v1/tasks/items/${mine.id}/progress`, { reported_on: today, progress: 90, text: 'x' })).status, 404);
	// the history has every change with before and after
	const h = await ok(sec1.get(`/api/v1/tasks/items/${mine.id}/history`));
	assert.ok(h.items.length >= 3);
	const prog = h.items.filter((e) => e.action === 'progress');
	assert.equal(prog.length, 2);
	assert.equal(prog[0].before.progress, 60);
	assert.equal(prog[0].after.progress, 40);
});

test('only the township accepts, only a done item, with the version read; 100% without acceptance stays done', async () => {
	const mine = pushed[v1.id];
	const done = await ok(sec1.post(`/api/v1/tasks/items/${mine.id}/progress`, { reported_on: today, progress: 100, text: '完成2次专题学习' }), 201);
	assert.equal(done.item.status, 'done');
	assert.equal(done.item.status_label, '已完成');
	// the branch cannot accept its own item
	const self = await sec1.post(`/api/v1/tasks/items/${mine.id}/accept`, { version: done.item.version });
	assert.equal(self.status, 403);
	assert.ok(self.body.error.fields.status);
	// an item not done cannot be accepted
	const open = await township.post(`/api/v1/tasks/items/${pushed[v2.id].id}/accept`, { version: pushed[v2.id].version });
	assert.equal(open.status, 400);
	assert.ok(open.body.error.fields.status);
	// a stale version: 409 with the current row
	const stale = await township.post(`/api/v1/tasks/items/${mine.id}/accept`, { version: done.item.version - 1 });
	assert.equal(stale.status, 409);
	assert.equal(stale.body.error.current.version, done.item.version);
	const acc = await ok(township.post(`/api/v1/tasks/items/${mine.id}/accept`, { version: done.item.version, note: '材料齐全' }));
	assert.equal(acc.status, 'accepted');
	assert.equal(acc.accepted_on, today);
	// nothing more is reported on an accepted item
	const more = await sec1.post(`/api/v1/tasks/items/${mine.id}/progress`, { reported_on: today, progress: 100, text: 'x' });
	assert.equal(more.status, 400);
	// the township item is still in progress: the other two branches have not finished
	const src = await ok(township.get(`/api/v1/tasks/items/${source.id}`));
	assert.equal(src.status, 'in_progress');
	assert.equal(src.progress, 33);
});

test('overdue items and late rectifications appear in the to-do inbox, scoped', async () => {
	const todo = await ok(township.get('/api/v1/todo?subject=task'));
	const overdue = todo.items.filter((i) => i.finding === 'overdue' && i.subject === 'task');
	assert.ok(overdue.some((i) => i.link === `/tasks/items/${pushed[v2.id].id}`), JSON.stringify(overdue.slice(0, 3)));
	assert.ok(!overdue.some((i) => i.link === `/tasks/items/${pushed[v1.id].id}`), 'an accepted item is not overdue');
	assert.ok(todo.items.some((i) => i.finding === 'rectification_overdue'), 'the demo rectification is late');
	const mine = await ok(sec2.get('/api/v1/todo?subject=task'));
	const inV2 = new Set(orgs.filter((o) => o.path.startsWith(v2.path)).map((o) => o.id));
	assert.ok(mine.items.some((i) => i.link === `/tasks/items/${pushed[v2.id].id}`));
	assert.ok(mine.items.every((i) => inV2.has(i.org_id)));
	// the branch status counts the task findings too
	const st = await ok(township.get(`/api/v1/compliance/status?org=${v2.id}&subject=task`));
	assert.notEqual(st.items[0].status, 'green', JSON.stringify(st.items[0]));
});

test('validation names the field: due before start, absurd weight, unknown parent; a stale update is 409', async () => {
	const bad = await township.post(`/api/v1/tasks/lists/${list2023.id}/items`, {
		title: '测试', start_on: '2023-05-01', due_on: '2023-04-01', weight: 5000, parent_id: 999999,
	});
	assert.equal(bad.status, 400);
	assert.match(bad.body.error.fields.due_on, /完成时限/);
	assert.ok(bad.body.error.fields.weight);
	const cur = await ok(township.get(`/api/v1/tasks/items/${source.id}`));
	const upd = await ok(township.put(`/api/v1/tasks/items/${source.id}`, { version: cur.version, title: '开展主题教育专题学习（修订）' }));
	assert.equal(upd.version, cur.version + 1);
	const stale = await township.put(`/api/v1/tasks/items/${source.id}`, { version: cur.version, title: '旧版本' });
	assert.equal(stale.status, 409);
	assert.equal(stale.body.error.current.title, '开展主题教育专题学习（修订）');
});

test('split, move and archive keep the tree and the roll-up right', async () => {
	const it = await ok(township.post(`/api/v1/tasks/lists/${list2023.id}/items`, { title: '阵地建设', due_on: today }), 201);
	assert.equal(it.code, '2');
	const sp = await ok(township.post(`/api/v1/tasks/items/${it.id}/split`, {
		version: it.version, parts: [{ title: '更新党员活动室', weight: 3 }, { title: '更新公开栏', weight: 1 }],
	}));
	assert.deepEqual(sp.children.map((c) => c.code), ['2.1', '2.2']);
	assert.equal(sp.progress_source, 'rollup');
	await ok(township.post(`/api/v1/tasks/items/${sp.children[0].id}/progress`, { reported_on: today, progress: 100, text: '已完成' }), 201);
	let parent = await ok(township.get(`/api/v1/tasks/items/${it.id}`));
	assert.equal(parent.progress, 75);	// (3*100 + 1*0) / 4
	// a move under its own child is refused
	const cyc = await township.post(`/api/v1/tasks/items/${it.id}/move`, { version: parent.version, parent_id: sp.children[1].id });
	assert.equal(cyc.status, 400);
	assert.ok(cyc.body.error.fields.parent_id);
	// archive the unfinished child: the parent is done
	const c2 = await ok(township.get(`/api/v1/tasks/items/${sp.children[1].id}`));
	await ok(township.post(`/api/v1/tasks/items/${c2.id}/archive`, { version: c2.version, reason: '并入其他任务' }));
	parent = await ok(township.get(`/api/v1/tasks/items/${it.id}`));
	assert.equal(parent.progress, 100);
	assert.equal(parent.status, 'done');
	// move the child to the top, first
	const c1 = await ok(township.get(`/api/v1/tasks/items/${sp.children[0].id}`));
	const mv = await ok(township.post(`/api/v1/tasks/items/${c1.id}/move`, { version: c1.version, parent_id: null, position: 0 }));
	assert.equal(mv.parent_id, null);
	const l = await ok(township.get(`/api/v1/tasks/lists/${list2023.id}`));
	assert.equal(l.items_tree[0].id, c1.id);
	assert.ok(!l.items_tree.some((x) => x.id === c2.id), 'archived items are hidden by default');
});

async function uploadSheet(client, path, body, type) {
	return client.raw('POST', path, body, type);
}

test('xlsx round trip: import by code updates instead of duplicating; errors refuse the whole file', async () => {
	const l = await ok(sec2.get('/api/v1/tasks/lists?year=2023'));
	const list = l.items[0];
	assert.equal(list.org_id, v2.id);
	const before = (await ok(sec2.get(`/api/v1/tasks/lists/${list.id}`))).items_tree;
	// a CSV with a new top item, a sub-item of it, and the pushed item's code with the same fields
	const csv = '编号,任务/事项,责任单位,责任人,开始日期,完成时限,权重,完成标准\n'
		+ `2,组织党员志愿服务,${v2.name},,2023-04-01,2023-06-30,5,每季度1次\n`
		+ '2.1,清理村内环境卫生,,,2023/4/1,2023年5月31日,,\n';
	let r = await uploadSheet(sec2, `/api/v1/tasks/lists/${list.id}/import?dry_run=1`, csv, 'text/csv');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual([r.body.created, r.body.updated], [2, 0]);
	assert.equal((await ok(sec2.get(`/api/v1/tasks/lists/${list.id}`))).items_tree.length, before.length, 'a dry run writes nothing');
	r = await uploadSheet(sec2, `/api/v1/tasks/lists/${list.id}/import`, csv, 'text/csv');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.created, 2);
	let tree = (await ok(sec2.get(`/api/v1/tasks/lists/${list.id}`))).items_tree;
	assert.equal(tree.length, before.length + 2);
	const sub = tree.find((x) => x.code === '2.1');
	assert.equal(sub.due_on, '2023-05-31');
	assert.equal(sub.parent_id, tree.find((x) => x.code === '2').id);
	// export, then import the exported file: nothing new, nothing changed
	const x = await sec2.bytes(`/api/v1/tasks/lists/${list.id}/export`);
	assert.equal(x.status, 200);
	assert.match(x.headers.get('content-type'), /spreadsheetml/);
	assert.equal(x.body.subarray(0, 2).toString(), 'PK');
	r = await uploadSheet(sec2, `/api/v1/tasks/lists/${list.id}/import`, x.body, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual([r.body.created, r.body.updated, r.body.unchanged], [0, 0, tree.length]);
	// a changed title by code updates that item
	r = await uploadSheet(sec2, `/api/v1/tasks/lists/${list.id}/import`, '编号,任务/事项\n2,组织党员志愿服务活动\n', 'text/csv');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual([r.body.created, r.body.updated], [0, 1]);
	tree = (await ok(sec2.get(`/api/v1/tasks/lists/${list.id}`))).items_tree;
	assert.equal(tree.length, before.length + 2);
	assert.equal(tree.find((x) => x.code === '2').title, '组织党员志愿服务活动');
	// one bad row refuses everything, naming rows and fields
	r = await uploadSheet(sec2, `/api/v1/tasks/lists/${list.id}/import`,
		'编号,任务/事项,完成时限,开始日期,权重\n3,新事项,2023-05-01,2023-06-01,\n4.1,无上级,,,\n5,,,,-3\n', 'text/csv');
	assert.equal(r.status, 400, r.text);
	const rows = r.body.error.rows;
	assert.deepEqual(rows.map((e) => e.row), [2, 3, 4]);
	assert.ok(rows[0].errors.due_on);
	assert.ok(rows[1].errors.code);
	assert.ok(rows[2].errors.title && rows[2].errors.weight);
	assert.equal((await ok(sec2.get(`/api/v1/tasks/lists/${list.id}`))).items_tree.length, before.length + 2);
});

test('scope: a secretary sees only its own branch; members read, do not write', async () => {
	const l2 = (await ok(sec2.get('/api/v1/tasks/lists?year=2023'))).items[0];
	assert.equal((await sec1.get(`/api/v1/tasks/lists/${l2.id}`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/tasks/items/${pushed[v2.id].id}`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/tasks/items/${pushed[v2.id].id}/history`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/tasks/board?org=${v2.id}&year=2023`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/tasks/lists?org=${v2.id}`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/tasks/lists/${l2.id}/export`)).status, 404);
	const r = await member.get(`/api/v1/tasks/items/${pushed[v1.id].id}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.can_write, false);
	assert.equal((await member.post(`/api/v1/tasks/items/${pushed[v1.id].id}/progress`, { reported_on: today, progress: 10, text: 'x' })).status, 403);
});

test('the demo 2022 list: overview by branch and by task, a board, my items, one item\'s history', async () => {
	const ov = await ok(township.get('/api/v1/tasks/overview?year=2022'));
	assert.ok(ov.by_branch.length >= 20, `lists: ${ov.by_branch.length}`);
	const town = ov.by_branch.find((b) => b.org_id === root.id);
	assert.ok(town && town.items >= 13);
	assert.ok(ov.by_branch.some((b) => b.light === 'red'), 'someone is overdue');
	assert.ok(ov.by_branch.some((b) => b.light === 'green'), 'most branches finished');
	assert.ok(ov.by_branch.every((b) => b.progress >= 0 && b.progress <= 100));
	const pushedTasks = ov.by_task.filter((t) => t.branches > 0);
	assert.equal(pushedTasks.length, 3);
	assert.ok(pushedTasks.every((t) => t.branches >= 20));
	assert.ok(pushedTasks.some((t) => t.branches_overdue > 0));
	const accepted = ov.by_task.filter((t) => t.status === 'accepted');
	assert.ok(accepted.length >= 3);
	assert.ok(ov.by_task.some((t) => t.status === 'done'), '100% without acceptance stays done');
	const board = await ok(sec1.get('/api/v1/tasks/board?year=2022'));
	assert.equal(board.org_id, v1.id);
	assert.ok(board.totals.items >= 4);
	assert.ok(board.columns.accepted.length >= 1);
	const my = await ok(sec1.get('/api/v1/tasks/my'));
	assert.ok(my.items.every((i) => i.status !== 'accepted'));
	const one = board.columns.accepted[0];
	const h = await ok(sec1.get(`/api/v1/tasks/items/${one.id}/history`));
	assert.deepEqual(h.items.map((e) => e.action).reverse().slice(0, 1), ['create']);
	assert.ok(h.items.some((e) => e.action === 'accept'));
	// the supervision with its late rectification, and the branch completes it
	const todo = await ok(township.get('/api/v1/todo?subject=task'));
	const late = todo.items.find((i) => i.finding === 'rectification_overdue');
	const itemId = Number(late.link.split('/').pop());
	const item = await ok(township.get(`/api/v1/tasks/items/${itemId}`));
	const sup = item.supervisions[0];
	assert.equal(sup.rating_label, '一般');
	assert.equal(sup.rectification.overdue, true);
	const fixed = await ok(township.post(`/api/v1/tasks/rectifications/${sup.rectification.id}/complete`, {
		version: sup.rectification.version, outcome: '已补齐公开明细', done_on: today,
	}));
	assert.equal(fixed.supervisions[0].rectification.done_on, today);
	const after2 = await ok(township.get('/api/v1/todo?subject=task'));
	assert.ok(!after2.items.some((i) => i.finding === 'rectification_overdue'));
});
