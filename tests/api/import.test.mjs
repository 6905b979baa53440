// import.test.mjs - Excel/CSV import and export of people: dry run, errors and the error sheet, commit, round trip, masking, limits, scope, progress, the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, DEMO_PASSWORD, backend } from './lib.mjs';

const FIX = 'tests/fixtures/sheets';
const HEADERS = ['姓名', '性别', '民族', '出生日期', '身份证号', '联系电话', '学历', '政治面貌', '入党时间', '转正时间', '所在支部'];
const CHINESE = /[\u4e00-\u9fa5]/;

let srv, work, township, secretary1, secretary2, reviewer, orgs, hongqi;
const byName = (name) => orgs.find((o) => o.name === name);
const count = (sql) => Number(srv.sql(sql));
const people = () => count('SELECT COUNT(*) FROM people');
const audits = () => count('SELECT COUNT(*) FROM audit_log');

/** A valid 18-character ID number (GB 11643) for a birth date and sex. */
function idnum(birth, male, seq, region = '152921') {
	const n = (seq % 499) * 2 + (male ? 1 : 0);
	const body = region + birth.replaceAll('-', '') + String(n).padStart(3, '0');
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
	return body + '10X98765432'[sum % 11];
}

const gb18030 = (text) => {
	const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(text, 'utf8') });
	assert.equal(r.status, 0, String(r.stderr));
	return r.stdout;
};
const withBom = (text) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
const csv = (rows) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\r\n') + '\r\n';

/** POST the raw file as the body, like the web app's fetch(url, {body: file}). */
async function upload(c, path, bytes, type = 'application/octet-stream') {
	const res = await fetch(c.base + path, {
		method: 'POST', body: bytes,
		headers: { 'content-type': type, cookie: c.cookie, 'x-csrf-token': c.csrf },
	});
	const text = await res.text();
	let body = null;
	try { body = JSON.parse(text); } catch { body = null; }
	return { status: res.status, body, text, headers: res.headers };
}

/*
 * Send only the headers of a POST declaring `length` body bytes, and read the
 * answer: a body over the limit is refused before it is sent (fetch would fail
 * writing a body the server no longer reads).
 */
function declareOnly(c, path, length, type = 'application/octet-stream') {
	return new Promise((ok, fail) => {
		const u = new URL(c.base + path);
		const q = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers: {
			cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': type, 'content-length': String(length) } }, (rs) => {
			let body = '';
			rs.on('data', (d) => { body += d; });
			rs.on('end', () => ok({ status: rs.statusCode, body: JSON.parse(body) }));
		});
		q.on('error', fail);
		q.flushHeaders();
	});
}

async function download(c, path) {
	const res = await fetch(c.base + path, { headers: { cookie: c.cookie } });
	const buf = Buffer.from(await res.arrayBuffer());
	let body = null;
	try { body = JSON.parse(buf.toString('utf8')); } catch { body = null; }
	return { status: res.status, buf, body, headers: res.headers };
}

/* Reads an xlsx with Python's zipfile (no spreadsheet library needed): sheets, cells, formula count. */
const XLSX_PY = String.raw`
import sys, json, zipfile, re
import xml.etree.ElementTree as ET
M = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
sheets = [s.get('name') for s in ET.fromstring(z.read('xl/workbook.xml')).iter(M + 'sheet')]
sst = []
if 'xl/sharedStrings.xml' in names:
    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).iter(M + 'si'):
        sst.append(''.join(t.text or '' for t in si.iter(M + 't')))
out = {'sheets': sheets, 'data': []}
for i in range(len(sheets)):
    x = z.read('xl/worksheets/sheet%d.xml' % (i + 1)).decode('utf-8')
    rows = {}
    for c in ET.fromstring(x).iter(M + 'c'):
        t = c.get('t') or 'n'
        v = c.find(M + 'v')
        if t == 's':
            val = sst[int(v.text)]
        elif t == 'inlineStr':
            val = ''.join(tt.text or '' for tt in c.iter(M + 't'))
        else:
            val = v.text if v is not None else None
        m = re.match(r'([A-Z]+)(\d+)$', c.get('r'))
        rows.setdefault(m.group(2), {})[m.group(1)] = {'v': val, 't': t, 'f': c.find(M + 'f') is not None}
    out['data'].append({'rows': rows, 'formulas': len(re.findall(r'<f[ >]', x))})
print(json.dumps(out, ensure_ascii=False))
`;

function readXlsx(buf) {
	const file = join(work, `x${Date.now()}${Math.random()}.xlsx`);
	writeFileSync(file, buf);
	const r = spawnSync('/usr/bin/python3', ['-c', XLSX_PY, file], { encoding: 'utf8' });
	rmSync(file, { force: true });
	assert.equal(r.status, 0, r.stderr);
	return JSON.parse(r.stdout);
}

const cell = (x, sheet, ref) => {
	const m = /^([A-Z]+)(\d+)$/.exec(ref);
	return x.data[sheet].rows[m[2]]?.[m[1]];
};

async function login(username) {
	const c = new Client(srv.base);
	const r = await c.login(username, DEMO_PASSWORD);
	assert.equal(r.status, 200, r.text);
	return c;
}

/* The errors of an answer as comparable "row|column|reason" lines. */
const errLines = (body) => body.errors.map((e) => `${e.row}|${e.column}|${e.reason}`);

before(async () => {
	work = mkdtempSync(join(tmpdir(), 'zhibu-import-'));
	srv = await startServer({ ZHIBU_FILES: join(work, 'files') }, { demo: true });
	township = await login('township');
	secretary1 = await login('secretary1');
	secretary2 = await login('secretary2');
	reviewer = await login('reviewer');
	let r = await township.get('/api/v1/orgs?format=flat&page_size=200');
	assert.equal(r.status, 200, r.text);
	orgs = r.body.items;
	// the roster fixture's branches, under a new general branch
	r = await township.post('/api/v1/orgs', { parent_id: 1, name: '红旗村党总支', kind: 'general_branch', category: 'village' });
	assert.equal(r.status, 201, r.text);
	hongqi = r.body.id;
	for (const name of ['第一党支部', '第二党支部', '第三党支部']) {
		r = await township.post('/api/v1/orgs', { parent_id: hongqi, name, kind: 'branch', category: 'village' });
		assert.equal(r.status, 201, r.text);
	}
});

after(async () => {
	await srv?.stop();
	if (work) rmSync(work, { recursive: true, force: true });
});

test('the template has the Chinese headers, an example row that is refused, and the allowed values', async () => {
	const r = await download(township, '/api/v1/imports/people/template');
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /spreadsheetml/);
	assert.match(r.headers.get('content-disposition'), /attachment; .*filename\*=UTF-8''%E4%BA%BA%E5%91%98/);
	const x = readXlsx(r.buf);
	assert.deepEqual(x.sheets, ['人员信息', '说明']);
	assert.deepEqual(HEADERS.map((_, i) => cell(x, 0, String.fromCharCode(65 + i) + '1').v), HEADERS);
	assert.equal(cell(x, 0, 'A2').v, '张三');
	assert.equal(cell(x, 0, 'E2').v, '110101199001010015');
	const help = Object.values(x.data[1].rows).flatMap((row) => Object.values(row).map((c) => c.v));
	for (const label of ['男', '女', '汉族', '蒙古族', '大学本科', '中共党员', '中共预备党员']) assert.ok(help.includes(label), label);
	// imported as is, the example row is named and nothing would be added
	const up = await upload(township, '/api/v1/imports/people?dry_run=1', r.buf);
	assert.equal(up.status, 200, up.text);
	assert.equal(up.body.total, 1);
	assert.equal(up.body.added, 0);
	assert.equal(up.body.error_rows, 1);
	assert.equal(up.body.errors[0].row, 2);
	assert.match(up.body.errors[0].reason, /示例行/);
	// the dictionaries as drop-down lists on the people sheet
	const file = join(work, 'template.xlsx');
	writeFileSync(file, r.buf);
	const sheet = spawnSync('/usr/bin/python3', ['-c', 'import sys,zipfile;print(zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").decode())', file], { encoding: 'utf8' });
	assert.match(sheet.stdout, /<dataValidation type="list"[^>]*><formula1>"男,女"<\/formula1>/);
	assert.match(sheet.stdout, /<formula1>"中共党员,中共预备党员,/);
});

/* The roster as the fixture holds it, fixed: a 政治面貌 column added and the schooling in dictionary words. */
function fixedRoster() {
	return [
		['红旗村党总支党员花名册'],
		['序号', '姓名', '身份证号码（必填）', '性别', '出生年月', '民族', '联系电话', '学历', '入党时间', '转正 日期', '所在支部', '政治面貌', '备注'],
		['1', '张伟', '370102198503050113', '男', '1985-03-05', '汉族', '13800138000', '大学本科', '2010-07-01', '2011年7月1日', '第一党支部', '中共党员', ''],
		['2', '李秀英', '370102197211200226', '女', '1972-11-20', '汉族', '13912345678', '高中', '2010/7/1', '2011年7月2日', '第一党支部', '中共党员', '调入\n2019年'],
		['3', '王芳', '37010219900131032X', '女', '1990-01-31', '回族', '13700000001', '大学专科', '2015.6.30', '2016年6月30日', '第二党支部', '中共党员', '说"明",含逗号'],
		[''],
		['4', '刘洋', '370102196802290417', '男', '1968-02-29', '满族', '13600000002', '初中及以下', '1995年7月1日', '1996年7月1日', '第二党支部', '中共党员', ''],
		['5', '陈静', '370102200012310523', '女', '2000-12-31', '汉族', '13500000003', '研究生', '20210701', '', '第一党支部', '中共预备党员', '预备党员'],
		['6', '杨磊', '370102195506150618', '男', '1955-06', '蒙古族', '0531-88886666', '初中及以下', '1980年3月', '1981年3月1日', '第三党支部', '中共党员', ''],
		['7', '赵敏', '370102198808080727', '女', '1988-08-08', '汉', '13300000005', '大学本科', '２０１２－０５－０４', '2013年5月4日', '第三党支部', '中共党员', '=1+2'],
	];
}

let rosterDry;

test('dry run of a real-looking xlsx roster: every mistake by row, column and reason, nothing written', async () => {
	const before = { people: people(), audit: audits() };
	const r = await upload(township, `/api/v1/imports/people?dry_run=1&org_id=${hongqi}`, readFileSync(`${FIX}/roster.xlsx`),
		'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
	assert.equal(r.status, 200, r.text);
	rosterDry = r.body;
	assert.match(r.body.token, /^[0-9a-f]{32}$/);
	assert.equal(r.body.file, 'xlsx');
	assert.equal(r.body.total, 7);
	assert.equal(r.body.added + r.body.updated + r.body.unchanged + r.body.error_rows, 7);
	assert.equal(r.body.error_rows, 7);	// no 政治面貌 column: every new person needs one
	const lines = errLines(r.body);
	assert.ok(lines.includes('3||缺少“政治面貌”列：新增人员须填写政治面貌'), lines.join('\n'));
	assert.ok(lines.some((l) => /^7\|H\|学历“初中”无法识别，应为：研究生、/.test(l)), lines.join('\n'));
	assert.ok(lines.some((l) => /^8\|H\|学历“硕士研究生”无法识别/.test(l)));
	assert.ok(lines.some((l) => /^9\|H\|学历“小学”无法识别/.test(l)));
	// rules about 入党/转正 are not piled on while 政治面貌 is missing
	assert.ok(!lines.some((l) => /只有/.test(l)), lines.join('\n'));
	const e = r.body.errors.find((x) => x.row === 7 && x.column === 'H');
	assert.deepEqual({ header: e.header, field: e.field, value: e.value }, { header: '学历', field: 'education', value: '初中' });
	for (const x of r.body.errors) assert.match(x.reason, CHINESE);
	assert.deepEqual({ people: people(), audit: audits() }, before);
});

test('the error sheet is the same sheet with a 错误原因 column, and re-checks to the same errors', async () => {
	const r = await download(township, `/api/v1/imports/people/errors?token=${rosterDry.token}`);
	assert.equal(r.status, 200, r.buf.toString());
	assert.match(r.headers.get('content-disposition'), /filename\*=UTF-8''%E5%AF%BC%E5%85%A5%E9%94%99%E8%AF%AF\.xlsx/);
	const x = readXlsx(r.buf);
	// the sheet as it was: title row, header row, the people, every cell where it stood
	assert.equal(cell(x, 0, 'A1').v, '红旗村党总支党员花名册');
	assert.equal(cell(x, 0, 'C2').v, '身份证号码（必填）');
	assert.equal(cell(x, 0, 'B3').v, '张伟');
	assert.equal(cell(x, 0, 'C3').v, '370102198503050113');
	assert.equal(cell(x, 0, 'N10').v, '=1+2');	// text, not a formula
	assert.equal(x.data[0].formulas, 0);
	// the reasons in the first column after the widest row (N: 14 columns)
	assert.equal(cell(x, 0, 'O2').v, '错误原因');
	assert.match(cell(x, 0, 'O3').v, /政治面貌/);
	assert.match(cell(x, 0, 'O7').v, /学历：学历“初中”无法识别/);
	assert.equal(cell(x, 0, 'O6'), undefined);	// the empty row stays empty
	// uploaded again (as the user would after fixing nothing), it gives the same errors
	const again = await upload(township, `/api/v1/imports/people?dry_run=1&org_id=${hongqi}`, r.buf);
	assert.equal(again.status, 200, again.text);
	assert.deepEqual(errLines(again.body), errLines(rosterDry));
	// someone else's token is a missing one
	const other = await download(secretary2, `/api/v1/imports/people/errors?token=${rosterDry.token}`);
	assert.equal(other.status, 404);
});

test('CSV in UTF-8, UTF-8 with BOM and GB18030 read alike; fixed, the roster commits with its dates and labels', async () => {
	const rows = fixedRoster();
	rows[3][3] = '男';	// a mistake: 李秀英's number says woman
	const text = csv(rows);
	const answers = [];
	for (const [bytes, kind] of [[Buffer.from(text), 'CSV（UTF-8）'], [withBom(text), 'CSV（UTF-8，带 BOM）'], [gb18030(text), 'CSV（GB18030）']]) {
		const r = await upload(township, `/api/v1/imports/people?dry_run=1&org_id=${hongqi}`, bytes, 'text/csv');
		assert.equal(r.status, 200, r.text);
		assert.match(r.body.file, /^CSV/, kind);
		answers.push(r.body);
	}
	assert.deepEqual(errLines(answers[1]), errLines(answers[0]));
	assert.deepEqual(errLines(answers[2]), errLines(answers[0]));
	assert.deepEqual(errLines(answers[0]), ['4|C|身份证号中的性别与所填性别不一致']);
	assert.equal(answers[0].added, 6);

	// commit the GB18030 upload: refused for its one bad row, nothing written
	const before = { people: people(), audit: audits() };
	let c = await township.post('/api/v1/imports/people/commit', { token: answers[2].token });
	assert.equal(c.status, 400, c.text);
	assert.equal(c.body.error.code, 'validation_failed');
	assert.match(c.body.error.message, /第4行/);
	assert.equal(c.body.errors[0].row, 4);
	assert.equal(c.body.committed, false);
	assert.deepEqual({ people: people(), audit: audits() }, before);

	// fixed and committed
	const good = gb18030(csv(fixedRoster()));
	const dry = await upload(township, `/api/v1/imports/people?dry_run=1&org_id=${hongqi}`, good, 'application/vnd.ms-excel');
	assert.equal(dry.status, 200, dry.text);
	assert.deepEqual([dry.body.added, dry.body.updated, dry.body.unchanged, dry.body.error_rows], [7, 0, 0, 0], dry.text);
	c = await township.post('/api/v1/imports/people/commit', { token: dry.body.token });
	assert.equal(c.status, 200, c.text);
	assert.deepEqual([c.body.added, c.body.committed], [7, true]);
	assert.equal(people(), before.people + 7);
	// one audit row for the import with its counts, beside one per person
	const imp = JSON.parse(srv.sql("SELECT after_json FROM audit_log WHERE entity = 'import' ORDER BY seq DESC LIMIT 1"));
	assert.deepEqual([imp.total, imp.added, imp.updated, imp.unchanged, imp.source], [7, 7, 0, 0, dry.body.token]);
	assert.equal(count("SELECT COUNT(*) FROM audit_log WHERE entity = 'person' AND action = 'create'") >= 7, true);
	// the values as people typed them
	const get = async (id) => (await township.get(`/api/v1/people?q=${id}&status=all`)).body.items[0];
	const li = await get('370102197211200226');
	assert.deepEqual([li.name, li.gender, li.joined_on, li.full_member_on, li.org_name], ['李秀英', 'female', '2010-07-01', '2011-07-02', '第一党支部']);
	const yang = await get('370102195506150618');
	assert.deepEqual([yang.birth_date, yang.joined_on, yang.ethnicity_label, yang.education_label], ['1955-06-15', '1980-03-01', '蒙古族', '初中及以下']);
	const zhao = await get('370102198808080727');
	assert.deepEqual([zhao.joined_on, zhao.ethnicity_label], ['2012-05-04', '汉族']);
	const chen = await get('370102200012310523');
	assert.deepEqual([chen.political_status, chen.full_member_on], ['probationary', null]);
	// the same file again changes nothing
	const again = await upload(township, `/api/v1/imports/people?dry_run=1&org_id=${hongqi}`, good);
	assert.deepEqual([again.body.added, again.body.updated, again.body.unchanged], [0, 0, 7]);
	// and a committed token cannot be committed twice
	c = await township.post('/api/v1/imports/people/commit', { token: dry.body.token });
	assert.equal(c.status, 409);
	// an edited row is an update of that person only
	const rows2 = fixedRoster();
	rows2[2][6] = '13800138999';
	const upd = await upload(township, `/api/v1/imports/people?org_id=${hongqi}`, Buffer.from(csv(rows2)));
	assert.equal(upd.status, 200, upd.text);
	assert.deepEqual([upd.body.added, upd.body.updated, upd.body.unchanged, upd.body.committed], [0, 1, 6, true]);
	assert.equal((await get('370102198503050113')).phone_masked, '138****8999');
});

test('one bad row among good ones imports nothing and names the row', async () => {
	const org = byName('团结村党支部').id;
	const rows = [HEADERS];
	for (let i = 0; i < 5; i++) {
		const birth = `198${i}-0${i + 1}-1${i}`;
		rows.push([`测试${i}`, '男', '汉族', birth, idnum(birth, true, 300 + i), '13900000000', '高中', '群众', '', '', '团结村党支部']);
	}
	const bad = rows[4][4];
	rows[4][4] = bad.slice(0, 17) + (bad[17] === '1' ? '2' : '1');	// a wrong check character on row 5
	const before = { people: people(), audit: audits() };
	const r = await upload(township, `/api/v1/imports/people?org_id=${org}`, Buffer.from(csv(rows)));
	assert.equal(r.status, 400, r.text);
	assert.match(r.body.error.message, /第5行等 1 行有错误，未导入任何数据/);
	assert.deepEqual(errLines(r.body), ['5|E|身份证号校验位错误']);
	assert.equal(r.body.added, 4);	// what would have been added
	assert.deepEqual({ people: people(), audit: audits() }, before);
	// a number given twice in one file is named too
	rows[4][4] = rows[2][4];
	const dup = await upload(township, `/api/v1/imports/people?dry_run=1&org_id=${org}`, Buffer.from(csv(rows)));
	assert.deepEqual(errLines(dup.body), ['5|E|与第3行的身份证号重复']);
});

test('an unmasked export re-imports unchanged; it is audited with its reason and row count', async () => {
	const total = (await township.get('/api/v1/people?org=1&page_size=1')).body.total;
	let r = await download(township, '/api/v1/exports/people?org=1&unmask=1');
	assert.equal(r.status, 400);
	assert.ok(r.body.error.fields.reason);
	r = await download(reviewer, '/api/v1/exports/people?org=1&unmask=1&reason=核对名册');
	assert.equal(r.status, 403);	// reads people, may not unmask them
	const before = audits();
	r = await download(township, `/api/v1/exports/people?org=1&unmask=1&reason=${encodeURIComponent('核对名册')}`);
	assert.equal(r.status, 200, r.buf.toString());
	assert.equal(r.headers.get('x-export-rows'), String(total));
	assert.match(r.headers.get('content-disposition'), /filename\*=UTF-8''%E4%BA%BA%E5%91%98%E5%90%8D%E5%86%8C\.xlsx/);
	assert.equal(audits(), before + 1);
	const a = JSON.parse(srv.sql("SELECT after_json FROM audit_log WHERE entity = 'export' ORDER BY seq DESC LIMIT 1"));
	assert.deepEqual([a.rows, a.unmasked, a.reason, a.query.org], [total, true, '核对名册', '1']);
	assert.equal(srv.sql("SELECT action FROM audit_log WHERE entity = 'export' ORDER BY seq DESC LIMIT 1"), 'export_unmasked');
	const x = readXlsx(r.buf);
	assert.deepEqual(HEADERS.map((_, i) => cell(x, 0, String.fromCharCode(65 + i) + '1').v), HEADERS);
	assert.equal(Object.keys(x.data[0].rows).length, total + 1);
	assert.match(cell(x, 0, 'E2').v, /^\d{17}[\dX]$/);
	assert.equal(cell(x, 0, 'E2').t, 'inlineStr');	// text, not a number that loses digits
	// party groups share names: they are written with their parent so they read back
	const labels = Object.values(x.data[0].rows).map((row) => row.K?.v);
	assert.ok(labels.some((l) => /^[^/]+\/第一党小组$/.test(l)), 'a party group labelled with its parent');
	const re = await upload(township, '/api/v1/imports/people?dry_run=1', r.buf);
	assert.equal(re.status, 200, re.text);
	assert.deepEqual([re.body.total, re.body.added, re.body.updated, re.body.unchanged, re.body.error_rows], [total, 0, 0, total, 0], JSON.stringify(re.body.errors.slice(0, 3)));
});

test('a masked export shows masked numbers, is audited, and cannot be imported back', async () => {
	const org = byName('巴音敖包嘎查党支部').id;
	const total = (await township.get(`/api/v1/people?org=${org}&page_size=1`)).body.total;
	const r = await download(secretary1, `/api/v1/exports/people?org=${org}&gender=female`);
	assert.equal(r.status, 200);
	const n = Number(r.headers.get('x-export-rows'));
	assert.ok(n > 0 && n < total);
	const a = JSON.parse(srv.sql("SELECT after_json FROM audit_log WHERE entity = 'export' ORDER BY seq DESC LIMIT 1"));
	assert.deepEqual([a.rows, a.unmasked, a.query.gender], [n, false, 'female']);
	assert.equal(srv.sql("SELECT username FROM audit_log WHERE entity = 'export' ORDER BY seq DESC LIMIT 1"), 'secretary1');
	const x = readXlsx(r.buf);
	for (const [num, row] of Object.entries(x.data[0].rows)) {
		if (num === '1') continue;
		assert.match(row.E.v, /^\d{4}\*{10}\d{3}[\dX]$/);
		assert.equal(row.B.v, '女');
		if (row.F) assert.match(row.F.v, /\*\*\*\*/);
	}
	const re = await upload(secretary1, '/api/v1/imports/people?dry_run=1', r.buf);
	assert.equal(re.status, 200);
	assert.equal(re.body.error_rows, n);
	assert.match(re.body.errors[0].reason, /打码/);
	// bad filters answer as GET /people does
	assert.equal((await download(secretary1, '/api/v1/exports/people?gender=x')).status, 400);
	assert.equal((await download(secretary1, `/api/v1/exports/people?org=${byName('乌兰哈达嘎查党支部').id}`)).status, 404);
});

test('formula-like text is stored as text and exported as a string cell, never a formula', async () => {
	const org = byName('新丰村党支部').id;
	const evil = "=cmd|' /C calc'!A0";
	const rows = [HEADERS, [evil, '男', '汉族', '1991-02-03', idnum('1991-02-03', true, 77), '', '', '群众', '', '', '新丰村党支部'],
		['@SUM(1+1)', '女', '汉族', '1992-02-03', idnum('1992-02-03', false, 78), '', '', '群众', '', '', '新丰村党支部']];
	const up = await upload(township, `/api/v1/imports/people?org_id=${org}`, Buffer.from(csv(rows)));
	assert.equal(up.status, 200, up.text);
	assert.equal(up.body.added, 2);
	const listed = await township.get(`/api/v1/people?org=${org}&q=${encodeURIComponent('cmd')}`);
	assert.equal(listed.body.items[0].name, evil);
	// a name typed with a space through the API is the same name to an import
	const spaced = await township.post('/api/v1/people', { org_id: org, name: '王 芳', gender: 'female', ethnicity: '01',
		birth_date: '1990-03-04', id_number: idnum('1990-03-04', false, 79), political_status: 'masses' });
	assert.equal(spaced.status, 201, spaced.text);
	let r = await download(township, `/api/v1/exports/people?org=${org}&q=${encodeURIComponent('cmd')}`);
	let x = readXlsx(r.buf);
	assert.equal(x.data[0].formulas, 0);
	assert.deepEqual(cell(x, 0, 'A2'), { v: evil, t: 'inlineStr', f: false });
	// the whole branch, unmasked, comes back unchanged, formula-like names and all
	r = await download(township, `/api/v1/exports/people?org=${org}&unmask=1&reason=${encodeURIComponent('核对')}`);
	assert.equal(r.status, 200);
	x = readXlsx(r.buf);
	assert.equal(x.data[0].formulas, 0);
	const names = Object.values(x.data[0].rows).map((row) => row.A.v);
	for (const n of [evil, '@SUM(1+1)', '王 芳']) assert.ok(names.includes(n), n);
	const re = await upload(township, '/api/v1/imports/people?dry_run=1', r.buf);
	assert.deepEqual([re.body.unchanged, re.body.error_rows], [Number(r.headers.get('x-export-rows')), 0], re.text);
});

test('files that are not what they say, and files past the limits, are refused with the reason', async () => {
	const before = people();
	let r = await upload(township, '/api/v1/imports/people?dry_run=1', readFileSync(`${FIX}/renamed_png.xlsx`));
	assert.equal(r.status, 400);
	assert.equal(r.body.error.message, '这是图片文件（PNG），不是表格');
	r = await upload(township, '/api/v1/imports/people?dry_run=1', readFileSync(`${FIX}/zipbomb.xlsx`));
	assert.equal(r.status, 400);
	assert.match(r.body.error.message, /压缩炸弹/);
	r = await upload(township, '/api/v1/imports/people?dry_run=1', readFileSync(`${FIX}/billion_laughs.xlsx`));
	assert.equal(r.status, 400);
	assert.match(r.body.error.message, /DOCTYPE/);
	r = await upload(township, '/api/v1/imports/people?dry_run=1', readFileSync(`${FIX}/utf16.csv`));
	assert.equal(r.status, 400);
	assert.match(r.body.error.message, /UTF-16/);
	r = await upload(township, '/api/v1/imports/people?dry_run=1', Buffer.from('备注\n随便写点什么\n'));
	assert.equal(r.status, 400);
	assert.match(r.body.error.message, /未找到表头/);
	r = await upload(township, '/api/v1/imports/people?dry_run=1', Buffer.from('姓名,性别\n张三,男\n'));
	assert.equal(r.status, 400);
	assert.match(r.body.error.message, /缺少“身份证号”列/);
	r = await upload(township, '/api/v1/imports/people?dry_run=1', Buffer.alloc(0));
	assert.equal(r.status, 400);
	r = await upload(township, '/api/v1/imports/people?dry_run=1', JSON.stringify({ a: 1 }), 'application/json');
	assert.equal(r.status, 400);
	assert.match(r.body.error.message, /请求体/);
	// more rows than the cap: 413 with the limit named
	const many = '姓名,身份证号,备注\n' + ',,x\n'.repeat(100001);
	r = await upload(township, '/api/v1/imports/people?dry_run=1', Buffer.from(many));
	assert.equal(r.status, 413);
	assert.match(r.body.error.message, /行数超过 100000 行上限/);
	// over 1 MB (the API's usual cap) is fine on the upload route: read to the end (notes only)...
	const big = Buffer.from(HEADERS.join(',') + ',备注\n' + (',,,,,,,,,,,' + 'x'.repeat(60) + '\n').repeat(40000));
	assert.ok(big.length > 2 << 20);
	r = await upload(township, '/api/v1/imports/people?dry_run=1', big);
	assert.deepEqual([r.status, r.body.error.message], [400, '第 1 行表头之后没有数据行']);
	// ...but not elsewhere
	r = await declareOnly(township, '/api/v1/people', big.length, 'application/json');
	assert.deepEqual([r.status, r.body.error.message], [413, '请求体过大']);
	// past 20 MB: 413 before the body is read, naming the limit
	r = await declareOnly(township, '/api/v1/imports/people?dry_run=1', (20 << 20) + 1);
	assert.equal(r.status, 413);
	assert.equal(r.body.error.message, '上传的文件超过 20 MB 上限');
	assert.equal(people(), before);
});

test('scope: a secretary imports only into the own branch', async () => {
	const own = byName('巴音敖包嘎查党支部'), other = byName('乌兰哈达嘎查党支部');
	// a row naming another branch's org is an error; so is a person registered there
	const stranger = (await township.get(`/api/v1/people?org=${other.id}&page_size=1`)).body.items[0];
	const plain = await township.post(`/api/v1/people/${stranger.id}/unmask`, { reason: '测试导入范围', fields: ['id_number'] });
	assert.equal(plain.status, 200, plain.text);
	const rows = [HEADERS,
		['新人甲', '男', '汉族', '1990-05-06', idnum('1990-05-06', true, 401), '', '', '群众', '', '', other.name],
		[stranger.name, stranger.gender_label, stranger.ethnicity_label, stranger.birth_date, plain.body.id_number, '', '', '群众', '', '', own.name],
		['新人乙', '女', '汉族', '1990-05-07', idnum('1990-05-07', false, 402), '', '', '群众', '', '', own.name]];
	let r = await upload(secretary1, '/api/v1/imports/people?dry_run=1', Buffer.from(csv(rows)));
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(errLines(r.body), [
		`2|K|组织“${other.name}”不存在，或不在您的管理范围内`,
		'3|E|该身份证号已登记，其所属组织不在您的管理范围内',
	]);
	assert.equal(r.body.added, 1);
	// the org_id must be one the caller may write in
	r = await upload(secretary1, `/api/v1/imports/people?dry_run=1&org_id=${other.id}`, Buffer.from(csv(rows)));
	assert.equal(r.status, 404);
	r = await upload(reviewer, '/api/v1/imports/people?dry_run=1', Buffer.from(csv(rows)));
	assert.equal(r.status, 403);
	// with the own branch as org_id, the org column may stay empty
	const one = [HEADERS, ['新人丙', '', '汉族', '', idnum('1993-03-03', true, 403), '', '', '群众', '', '', '']];
	r = await upload(secretary1, `/api/v1/imports/people?dry_run=1&org_id=${own.id}`, Buffer.from(csv(one)));
	assert.deepEqual([r.body.added, r.body.error_rows], [1, 0], r.text);
	// someone else's token answers 404 everywhere
	r = await secretary2.post('/api/v1/imports/people/commit', { token: r.body.token });
	assert.equal(r.status, 404);
});

test('progress can be polled while a dry run runs, with a token the client chose', async () => {
	const org = byName('团结村党支部').id;
	// enough rows to take a few seconds: PostgreSQL checks fewer rows per second
	const lines = [HEADERS.join(',')];
	for (let i = 0; i < (backend === 'postgres' ? 4000 : 30000); i++) {
		const birth = `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 9}`;
		lines.push(`人员${i},,汉族,,${idnum(birth, i % 2 === 0, i % 499, String(150100 + (i % 97)))},,,群众,,,`);
	}
	const token = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
	const run = upload(township, `/api/v1/imports/people?dry_run=1&org_id=${org}&token=${token}`, Buffer.from(lines.join('\n')));
	const seen = [];
	let last;
	for (let i = 0; i < 2000; i++) {
		last = await township.get(`/api/v1/imports/${token}/progress`);
		if (last.status === 200) {
			seen.push(last.body);
			if (last.body.finished) break;
		}
		await new Promise((ok) => setTimeout(ok, 20));
	}
	const r = await run;
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.token, token);
	assert.ok(seen.some((p) => !p.finished && p.phase === 'checking' && p.done > 0 && p.percent < 100), JSON.stringify(seen.slice(0, 5)));
	const fin = (await township.get(`/api/v1/imports/${token}/progress`)).body;
	assert.deepEqual([fin.finished, fin.done, fin.percent], [true, r.body.total, 100]);
	assert.equal((await secretary1.get(`/api/v1/imports/${token}/progress`)).status, 404);
	// the same token cannot be taken twice
	const again = await upload(township, `/api/v1/imports/people?dry_run=1&token=${token}`, Buffer.from(lines.slice(0, 2).join('\n')));
	assert.equal(again.status, 409);
});

test('CLI: import prints every error by row and column, commits as "cli"; export masks unless told why', async () => {
	const file = join(work, 'cli.csv');
	const rows = [HEADERS,
		['命令行甲', '男', '汉族', '1980-01-02', idnum('1980-01-02', true, 451), '13811112222', '高中', '群众', '', '', '新丰村党支部'],
		['命令行乙', '女', '汉族', '1980-13-02', idnum('1981-01-02', false, 452), '', '', '群众', '', '', '新丰村党支部']];
	writeFileSync(file, gb18030(csv(rows)));
	let r = srv.cli(['import', 'people', file, '--dry-run']);
	assert.equal(r.status, 1, r.stderr);
	assert.match(r.stdout, /第3行 列D（出生日期）：出生日期“1980-13-02”：/);
	assert.match(r.stdout, /CSV（GB18030）：共 2 行，新增 1，更新 0，不变 0，有错误 1 行/);
	rows[2][3] = '';
	writeFileSync(file, gb18030(csv(rows)));
	const before = people();
	// the list's total is kept by the server until the next write; the CLI writes from another process
	const listed = async () => (await township.get('/api/v1/people?org=1&page=1&status=all')).body.total;
	const shown = await listed();
	assert.equal(await listed(), shown);
	r = srv.cli(['import', 'people', file]);
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /新增 2/);
	assert.equal(people(), before + 2);
	assert.equal(await listed(), shown + 2);
	assert.equal(srv.sql("SELECT username FROM audit_log WHERE entity = 'import' ORDER BY seq DESC LIMIT 1"), 'cli');

	const out = join(work, 'team.xlsx');
	r = srv.cli(['export', 'team', '--org', '1', '-o', out, '--date', '2022-12-31']);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /已导出 69 人/);
	let x = readXlsx(readFileSync(out));
	assert.match(cell(x, 0, 'E2').v, /\*{10}/);
	assert.equal(JSON.parse(srv.sql("SELECT after_json FROM audit_log WHERE entity = 'export' ORDER BY seq DESC LIMIT 1")).rows, 69);
	r = srv.cli(['export', 'reserves', '--org', '1', '-o', out, '--unmask']);
	assert.equal(r.status, 2);
	r = srv.cli(['export', 'reserves', '--org', '1', '-o', out, '--unmask', '--reason', '后备干部核对']);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /已导出 31 人/);
	x = readXlsx(readFileSync(out));
	assert.match(cell(x, 0, 'E2').v, /^\d{17}[\dX]$/);
	const a = JSON.parse(srv.sql("SELECT after_json FROM audit_log WHERE entity = 'export' ORDER BY seq DESC LIMIT 1"));
	assert.deepEqual([a.kind, a.rows, a.unmasked, a.reason], ['reserves', 31, true, '后备干部核对']);
	r = srv.cli(['export', 'people', '--org', '1', '-o', join(work, 'all.xlsx')]);
	assert.equal(r.status, 0, r.stderr);
	r = srv.cli(['import', 'people', join(work, 'all.xlsx'), '--dry-run']);
	assert.equal(r.status, 1);	// masked numbers
	assert.match(r.stdout, /打码/);
});
