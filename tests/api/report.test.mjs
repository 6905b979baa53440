// report.test.mjs - the annual report drafted from the records: the demo's 2022 figures equal the seed's, a record changes a figure, edits survive regeneration as versions (409 when stale), the .docx opens in LibreOffice with the figures in it, HTML, CLI, tables, dashboard and scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, sec1, reviewer, orgs, root, v1, other;

async function login(username, password = DEMO_PASSWORD) {
	const c = new Client(srv.base);
	const r = await c.login(username, password);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

const annual = (c, org, year = 2022) => ok(c.get(`/api/v1/reports/annual?org=${org}&year=${year}`));
const section = (d, key) => d.sections.find((s) => s.key === key);

/* The text of a .docx: LibreOffice to PDF and pdftotext when both exist, else document.xml's runs. */
function docxText(bytes) {
	const dir = mkdtempSync(join(tmpdir(), 'zhibu-docx-'));
	try {
		const file = join(dir, 'r.docx');
		writeFileSync(file, bytes);
		const so = spawnSync('soffice', ['--headless', '--convert-to', 'pdf', '--outdir', dir, file],
			{ env: { ...process.env, HOME: dir }, encoding: 'utf8', timeout: 120000 });
		const pdf = join(dir, 'r.pdf');
		if (so.status === 0 && existsSync(pdf)) {
			const info = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
			const txt = spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
			if (txt.status === 0)
				return { via: 'pdf', text: txt.stdout.replace(/\s+/g, ''), info: info.stdout || '' };
			return { via: 'pdf-only', text: null, info: '' };
		}
		const x = spawnSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' });
		assert.equal(x.status, 0, 'the .docx is a zip with word/document.xml');
		return { via: 'xml', text: x.stdout.replace(/<[^>]+>/g, ''), info: '' };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

before(async () => {
	srv = await startServer({}, { demo: true });
	township = await login('township');
	sec1 = await login('secretary1');
	reviewer = await login('reviewer');
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
	const me = (await ok(sec1.get('/api/v1/session'))).user;
	const g = (me.grants || me.roles || [])[0];
	v1 = orgs.find((o) => o.id === (g.org_id ?? g.org?.id));
	other = orgs.find((o) => o.kind === 'branch' && o.id !== v1.id && !o.path.startsWith(v1.path));
});
after(async () => { await srv.stop(); });

test('the 2022 report of the demo township: every figure equals the seed', async () => {
	const d = await annual(township, root.id);
	const f = d.figures;
	assert.equal(d.title, '2022年党组织书记抓基层党建及述责述廉述职报告');
	assert.equal(f.party_orgs.value, 20);
	assert.equal(f.strongest_banner.value, 1);
	assert.equal(f.strongest_township.value, 8);
	assert.equal(f.team_born_1980s.value, 10);
	assert.equal(f.team_born_1990s.value, 1);
	assert.equal(f.team_college_or_above.value, 15);
	assert.equal(f.selected_graduates.value, 2);
	assert.equal(f.reserve_cadres.value, 31);
	assert.equal(f.orgs_fully_trained.value, 20);
	assert.equal(f.training_classes.value, 2);
	assert.equal(f.training_sessions.value, 6);
	assert.equal(f.deeds_done.value, 200);
	assert.equal(f.honours['优秀党务工作者'].value, 20);
	assert.equal(f.honours['优秀共产党员'].value, 10);
	assert.equal(f.honours['十星级文明户'].value, 2);
	assert.equal(f.honours['文明家庭'].value, 10);
	assert.equal(f.honours['最美家庭'].value, 5);
	assert.deepEqual(d.values.honours, { 优秀共产党员: 10, 优秀党务工作者: 20, 十星级文明户: 2, 文明家庭: 10, 最美家庭: 5 });
	// every figure says how it was counted and where its records are
	for (const [k, v] of Object.entries(f)) {
		const list = k === 'honours' ? Object.values(v) : [v];
		for (const x of list) {
			assert.ok(Number.isInteger(x.value), k);
			assert.ok(x.formula && x.formula.length > 4, `${k} formula`);
			assert.match(x.link, /^\/[a-z]/, `${k} link`);
		}
	}
	assert.match(f.team_born_1980s.link, /position=two_committees.*as_of=2022-12-31.*born_from=1980&born_to=1989/);
	assert.match(f.deeds_done.link, /^\/deeds\?status=done&from=2022-01-01&to=2022-12-31/);
	assert.match(f.orgs_fully_trained.link, /^\/trainings\/coverage\?org=\d+&year=2022$/);
});

test('the draft has the seed\'s structure and links each number to its records', async () => {
	const d = await annual(township, root.id);
	assert.deepEqual(d.sections.map((s) => s.key),
		['opening', 'duty_org', 'duty_team', 'duty_study', 'duty_mechanism', 'problems', 'next_steps']);
	assert.equal(section(d, 'duty_org').part, '一、履职情况');
	assert.equal(section(d, 'problems').part, '二、存在的问题');
	assert.equal(section(d, 'next_steps').part, '三、下一步工作思路');
	assert.deepEqual(d.sections.filter((s) => s.level === 2).map((s) => s.heading.slice(0, 3)), ['（一）', '（二）', '（三）', '（四）']);
	const team = section(d, 'duty_team');
	assert.match(team.text, /\{\{reserve_cadres\}\}/);
	assert.match(team.rendered, /现有80后成员10人，90后成员1人，大专及以上学历15人/);
	assert.match(team.rendered, /选调生2名/);
	assert.match(team.rendered, /共储备后备干部31人/);
	const segs = team.paragraphs.flat();
	const rc = segs.find((s) => s.figure === 'reserve_cadres');
	assert.equal(rc.text, '31');
	assert.equal(rc.link, d.figures.reserve_cadres.link);
	assert.match(section(d, 'duty_org').rendered, /旗级“最强党支部”1个，镇级“最强党支部”8个/);
	assert.match(section(d, 'duty_study').rendered, /20个党组织党员的培训全覆盖/);
	assert.match(section(d, 'duty_study').rendered, /2期6场次/);
	assert.match(section(d, 'duty_study').rendered, /共计办实事200项/);
	assert.match(section(d, 'duty_mechanism').rendered, /“优秀党务工作者”20名/);
	assert.match(section(d, 'duty_mechanism').rendered, /“最美家庭”5个/);
	assert.ok(section(d, 'duty_mechanism').paragraphs.flat().some((s) => s.figure === 'honours.优秀党务工作者' && /^\/honours\/register\?year=2022/.test(s.link)));
	// the problems come from the year's findings and weak branches, each number linked
	const pr = section(d, 'problems');
	assert.match(pr.rendered, /^一是/);
	assert.ok(pr.paragraphs.flat().some((s) => s.figure && s.figure.startsWith('findings_')), pr.rendered);
	assert.ok(section(d, 'next_steps').text.length > 100);
});

test('edits are versions; regenerating refreshes figures in edited text and keeps the wording; 409 when stale', async () => {
	const wording = '我们把后备干部台账建起来了，共储备后备干部{{reserve_cadres}}人，另外手工统计了99名志愿者。';
	let s = await ok(township.put(`/api/v1/reports/annual/sections/duty_team?org=${root.id}&year=2022`, { text: wording, version: 0 }));
	assert.equal(s.version, 1);
	assert.equal(s.edited, true);
	assert.equal(s.rendered, '我们把后备干部台账建起来了，共储备后备干部31人，另外手工统计了99名志愿者。');
	// a second writer who read version 0 is refused with the current section
	const stale = await township.put(`/api/v1/reports/annual/sections/duty_team?org=${root.id}&year=2022`, { text: '别的写法', version: 0 });
	assert.equal(stale.status, 409, stale.text);
	// bad input changes nothing
	const bad = await township.put(`/api/v1/reports/annual/sections/duty_team?org=${root.id}&year=2022`, { text: '', version: 1, colour: 'red' });
	assert.equal(bad.status, 400);
	assert.ok(bad.body.error.fields.colour);
	assert.equal((await township.put(`/api/v1/reports/annual/sections/nope?org=${root.id}&year=2022`, { text: 'x', version: 0 })).status, 404);

	// a record changes: one more reserve cadre in 2022
	const have = new Set((await ok(township.get(`/api/v1/people?org=${root.id}&flag=reserve_cadre&as_of=2022-12-31&status=all&page_size=200`))).items.map((p) => p.id));
	const people = (await ok(township.get(`/api/v1/people?org=${root.id}&page_size=200`))).items.filter((p) => !have.has(p.id));
	let added = false;
	for (const p of people) {
		const r = await township.post(`/api/v1/people/${p.id}/flags`, { flag: 'reserve_cadre', started_on: '2022-06-01' });
		if (r.status === 201 || r.status === 200) { added = true; break; }
	}
	assert.ok(added, 'a reserve cadre was added');
	const d = await annual(township, root.id);
	assert.equal(d.figures.reserve_cadres.value, 32);
	const team = section(d, 'duty_team');
	assert.equal(team.edited, true);
	assert.equal(team.rendered, '我们把后备干部台账建起来了，共储备后备干部32人，另外手工统计了99名志愿者。');
	assert.match(team.generated, /\{\{reserve_cadres\}\}/);
	// an unedited section is the fresh draft
	assert.equal(section(d, 'duty_study').edited, false);
	assert.equal(section(d, 'duty_study').text, section(d, 'duty_study').generated);
	// another year and another org are untouched
	assert.equal(section(await annual(township, root.id, 2023), 'duty_team').edited, false);

	// second edit, then the history, then handing it back to the draft
	s = await ok(township.put(`/api/v1/reports/annual/sections/duty_team?org=${root.id}&year=2022`, { text: wording + '再补一句。', version: 1 }));
	assert.equal(s.version, 2);
	const v = await ok(township.get(`/api/v1/reports/annual/sections/duty_team/versions?org=${root.id}&year=2022`));
	assert.deepEqual(v.items.map((x) => x.version), [2, 1]);
	assert.equal(v.items[1].text, wording);
	assert.equal(v.items[0].by, 'township');
	s = await ok(township.put(`/api/v1/reports/annual/sections/duty_team?org=${root.id}&year=2022`, { reset: true, version: 2 }));
	assert.equal(s.edited, false);
	assert.equal(s.version, 3);
	assert.match(s.rendered, /共储备后备干部32人/);
	assert.match(s.rendered, /现有80后成员10人/);
});

test('the .docx opens in LibreOffice and carries the figures; A4 pages numbered "— N —"', async () => {
	const r = await township.bytes(`/api/v1/reports/annual.docx?org=${root.id}&year=2022`);
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /wordprocessingml/);
	assert.match(r.headers.get('content-disposition'), /attachment/);
	assert.equal(r.body.subarray(0, 2).toString(), 'PK');
	const { via, text, info } = docxText(r.body);
	assert.ok(text, `text from ${via}`);
	assert.match(text, /2022年党组织书记抓基层党建及述责述廉述职报告/);
	assert.match(text, /一、履职情况/);
	assert.match(text, /二、存在的问题/);
	assert.match(text, /三、下一步工作思路/);
	for (const s of ['全镇20个党组织', '旗级“最强党支部”1个', '镇级“最强党支部”8个', '80后成员10人', '90后成员1人',
		'大专及以上学历15人', '选调生2名', '后备干部32人', '20个党组织党员的培训全覆盖', '2期6场次', '办实事200项',
		'“优秀党务工作者”20名', '“优秀共产党员”10名', '“十星级文明户”2个', '“文明家庭”10个', '“最美家庭”5个'])
		assert.ok(text.includes(s), `${s} in the document (${via})`);
	if (via === 'pdf') {
		assert.match(info, /A4/);
		assert.match(text, /—1—/);
		assert.match(text, /—2—/);
	}
	const html = await township.get(`/api/v1/reports/annual.html?org=${root.id}&year=2022`);
	assert.equal(html.status, 200);
	assert.match(html.headers.get('content-type'), /text\/html/);
	assert.match(html.text, /<h1>2022年党组织书记抓基层党建及述责述廉述职报告<\/h1>/);
	assert.match(html.text, /data-figure="deeds_done">200</);
	assert.match(html.text, /@page\{size:A4/);
});

test('the CLI writes the same report', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'zhibu-cli-report-'));
	try {
		const out = join(dir, 'r.docx');
		const r = srv.cli(['report', 'annual', '--org', String(root.id), '--year', '2022', '-o', out]);
		assert.equal(r.status, 0, r.stderr);
		const { text } = docxText(readFileSync(out));
		assert.ok(text.includes('办实事200项'));
		assert.equal(srv.cli(['report', 'annual', '--org', String(root.id), '-o', out]).status, 2);
		assert.equal(srv.cli(['report', 'annual', '--org', '999999', '--year', '2022', '-o', out]).status, 1);
		const t = srv.cli(['report', 'tables', '--org', String(root.id), '--year', '2022', '-o', join(dir, 't.xlsx')]);
		assert.equal(t.status, 0, t.stderr);
		assert.equal(readFileSync(join(dir, 't.xlsx')).subarray(0, 2).toString(), 'PK');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('scope: a secretary reads and edits their own branch only; discipline reads but does not edit', async () => {
	assert.equal((await sec1.get(`/api/v1/reports/annual?org=${root.id}&year=2022`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/reports/annual?org=${other.id}&year=2022`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/reports/annual.docx?org=${other.id}&year=2022`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/reports/tables.xlsx?org=${other.id}&year=2022`)).status, 404);
	assert.equal((await sec1.get(`/api/v1/dashboard?org=${other.id}`)).status, 404);
	assert.equal((await sec1.put(`/api/v1/reports/annual/sections/opening?org=${other.id}&year=2022`, { text: 'x', version: 0 })).status, 404);
	const mine = await annual(sec1, v1.id);
	assert.equal(mine.org_id, v1.id);
	assert.ok(mine.figures.party_orgs.value >= 1 && mine.figures.party_orgs.value < 20);
	assert.ok(mine.figures.deeds_done.value < 200);
	await ok(sec1.put(`/api/v1/reports/annual/sections/opening?org=${v1.id}&year=2022`, { text: '本支部的开头。', version: 0 }));
	assert.equal((await reviewer.put(`/api/v1/reports/annual/sections/opening?org=${v1.id}&year=2022`, { text: 'x', version: 1 })).status, 403);
	assert.equal((await new Client(srv.base).get(`/api/v1/reports/annual?org=${root.id}&year=2022`)).status, 401);
	// the township's report is not changed by the branch's edit
	assert.equal(section(await annual(township, root.id), 'opening').edited, false);
});

test('statistical tables: an .xlsx with one sheet per table', async () => {
	const r = await township.bytes(`/api/v1/reports/tables.xlsx?org=${root.id}&year=2022`);
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /spreadsheetml/);
	const dir = mkdtempSync(join(tmpdir(), 'zhibu-xlsx-'));
	try {
		writeFileSync(join(dir, 't.xlsx'), r.body);
		const wb = spawnSync('unzip', ['-p', join(dir, 't.xlsx'), 'xl/workbook.xml'], { encoding: 'utf8' }).stdout;
		for (const name of ['班子结构', '组织生活', '培训', '办实事', '三务公开', '考评', '评先评优'])
			assert.ok(wb.includes(name), `sheet ${name}`);
		const strings = spawnSync('unzip', ['-p', join(dir, 't.xlsx'), 'xl/sharedStrings.xml'], { encoding: 'utf8' }).stdout;
		assert.ok(strings.includes('合计'));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('dashboard: every panel with links, figures that agree with the report', async () => {
	// speed is measured in bench/, not here
	const d = await ok(township.get(`/api/v1/dashboard?org=${root.id}&from=2022-01-01&to=2022-12-31`));
	for (const p of ['members', 'team', 'meetings', 'training', 'tasks', 'deeds', 'disclosure', 'evaluation', 'honours', 'status'])
		assert.ok(d.panels[p], `panel ${p}`);
	assert.equal(d.panels.deeds.done, 200);
	assert.equal(d.panels.deeds.by_month.reduce((n, m) => n + m.value, 0), 200);
	assert.ok(d.panels.deeds.by_month.every((m) => m.link.startsWith('/deeds?')));
	assert.equal(d.panels.honours.items.reduce((n, h) => n + h.value, 0), 47);
	assert.equal(d.panels.training.orgs_fully_trained, 20);
	assert.ok(Array.isArray(d.panels.meetings.findings_by_period));
	assert.ok(d.panels.meetings.by_month.length > 0 && d.panels.meetings.by_month.every((m) => /^2022-\d\d$/.test(m.month) && m.link));
	assert.ok(d.panels.members.total > 0);
	assert.ok(d.panels.disclosure.denominator > 0);
	assert.equal(d.panels.team.born_1980s.value, 10);
	assert.ok(d.panels.status.items.length >= 20);
	assert.ok(d.panels.status.items.every((b) => ['green', 'yellow', 'red'].includes(b.status) && b.link));
	// each branch carries its three most severe reasons and the count of all of them: the same
	// findings, branch by branch, as the full status judged on the same day
	const full = await ok(township.get(`/api/v1/compliance/status?org=${root.id}&date=2022-12-31`));
	const SEV = { high: 2, medium: 1, low: 0 };
	let capped = 0;
	for (const b of d.panels.status.items) {
		const f = full.items.find((x) => x.org_id === b.org_id);
		assert.ok(f, `${b.name} is in the full status`);
		assert.equal(b.status, f.status, b.name);
		assert.equal(b.reasons_total, f.reasons.length, b.name);
		assert.equal(b.reasons.length, Math.min(3, f.reasons.length), b.name);
		assert.ok(b.reasons.every((r, i) => i === 0 || SEV[b.reasons[i - 1].severity] >= SEV[r.severity]), `${b.name}: most severe first`);
		assert.equal(b.link, `/todo?org=${b.org_id}&date=2022-12-31`);
		capped += f.reasons.length > 3;
	}
	assert.ok(capped > 0, 'the demo has a branch with more than three reasons');
	// the meetings panel counts the meeting findings of that day by period
	const meetingFindings = full.items.flatMap((b) => b.reasons).filter((r) => r.subject === 'meeting').length;
	assert.equal(d.panels.meetings.findings_by_period.reduce((n, p) => n + p.value, 0), meetingFindings);
	assert.ok(d.panels.members.items.every((m) => m.link.startsWith('/people?')));
	const bad = await township.get(`/api/v1/dashboard?org=${root.id}&from=2022-13-01`);
	assert.equal(bad.status, 400);
});
