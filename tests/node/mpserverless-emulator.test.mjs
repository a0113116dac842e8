// Alipay and WeChat app code written as for the official package (tests/fixtures/examples/), run in
// the host simulator's Alipay and WeChat profiles against the local emulator with only the import
// line changed, each followed by a db round trip, a function call and a file upload.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, hostSim, rejection } from './_helpers.mjs';
import { realm, codePackage, startEmulator, emulatorResponder, plain } from './mpserverless-gateway.mjs';

// The examples: our own app code in tests/fixtures/examples/mpserverless/, written as an app of
// the official package would be (its import line included). A missing file fails the suite.
const EXAMPLE_DIR = path.join(FIXTURES, 'examples', 'mpserverless');
const example = (name) => fs.readFileSync(path.join(EXAMPLE_DIR, name + '.js'), 'utf8');

const IMPORTS = {
  alipay: ["import MPServerless from '@alicloud/mpserverless-sdk';", "import MPServerless from 'miniapp-sdk/alipay-serverless';"],
  wechat: ["const MPServerless = require('/sdk/mpserverless.js');", "const MPServerless = require('miniapp-sdk/mpserverless');"],
};

/**
 * The page a developer writes from the examples: the init file and the authorize file of one
 * platform. Edits, each asserted below: the import line, and the console values the examples leave
 * empty (spaceId, clientSecret, endpoint). What the harness adds around them is what a mini-program
 * compiler or the page adds: ESM interop, and an async function for the authorize step's `await`.
 */
function examplePage(platform, endpoint) {
  const init = example(platform + '-init');
  const authorize = example(platform + '-authorize');
  const [officialImport, ourImport] = IMPORTS[platform];
  assert.ok(init.includes(officialImport), `${platform}-init.js imports the official package`);
  const edited = init
    .replace(officialImport, ourImport)
    .replace(/spaceId: '[^']*'/, "spaceId: 'dev-space'")
    .replace(/clientSecret: '[^']*'/, "clientSecret: 'dev-secret'")
    .replace(/endpoint: '[^']*',/, `endpoint: '${endpoint}',`);
  const changed = init.split('\n').filter((line, i) => line !== edited.split('\n')[i]);
  assert.deepEqual(changed.map((l) => l.trim().split(/[ :(]/)[0]), [platform === 'alipay' ? 'import' : 'const', 'spaceId', 'clientSecret', 'endpoint']);
  const compiled = edited.replace(/^import (\w+) from '([^']+)';$/m, "var $1 = _interopRequireDefault(require('$2'));");
  return [
    'function _interopRequireDefault(m) { return m && m.__esModule ? m.default : m; }',
    compiled,
    'module.exports = (async function () {',
    authorize,
    '  return { mpServerless: mpServerless, res: res };',
    '})();',
  ].join('\n');
}

async function roundTrips(sim, mps, emulatorUrl, label) {
  // db round trip, RegExp query included (3.1.5 sends {} for it)
  const books = mps.db.collection('books');
  const title = `round-trip-${label}`;
  const ins = await books.insertOne({ title, tags: ['a', '中文'], n: 1, at: new sim.global.Date('2024-01-02T03:04:05.000Z') });
  assert.equal(ins.success, true);
  assert.equal(ins.affectedDocs, 1);
  assert.equal(typeof ins.result, 'string');
  const id = ins.result;
  const one = await books.findOne({ _id: id });
  assert.equal(one.result.title, title);
  assert.deepEqual(plain(one.result.at), { $date: '2024-01-02T03:04:05.000Z' }, 'ISO strings come back as Dates');
  const upd = await books.updateOne({ _id: id }, { $set: { n: 2 } });
  assert.equal(upd.success, true);
  const found = await books.find({ title: new sim.global.RegExp(`^ROUND-trip-${label}$`, 'i') }, { limit: 5 });
  assert.deepEqual(plain(found.result.map((d) => [d._id, d.n])), [[id, 2]], 'the RegExp query matched');
  assert.equal((await books.count({ title })).result, 1);
  assert.equal((await books.deleteOne({ _id: id })).success, true);
  assert.equal((await books.count({ title })).result, 0);

  // function call
  const fn = await mps.function.invoke('echo', { x: '中文', n: 1 });
  assert.equal(fn.success, true);
  assert.deepEqual(plain(fn.result), { x: '中文', n: 1 });
  assert.equal(typeof fn.requestId, 'string');

  // file upload, read back, delete
  const bytes = Buffer.from(`\x89PNG fake image of ${label}`);
  const filePath = sim.addTempFile(bytes, 'png');
  const up = await mps.file.uploadFile({ filePath });
  assert.deepEqual(Object.keys(up), ['fileUrl', 'filePath', 'fileId']);
  const res = await fetch(up.fileUrl.replace(/^https:/, 'http:'));
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
  const info = await mps.file.info(up.fileId);
  assert.equal(info.length, 1);
  const del = await mps.file.deleteFile(up.fileId);
  assert.equal(del.success, true);
  const me = await mps.user.getInfo();
  assert.equal(me.success, true);
  assert.equal(me.result.spaceId, 'dev-space');
  assert.ok(emulatorUrl);
}

for (const [platform, profile, loginPlatform] of [['alipay', 'alipay-logic', 'my'], ['wechat', 'wechat-ios', 'wx']]) {
  test(`${platform}: the example runs against the emulator (profile ${profile}), then db, function and file`, async (t) => {
    const emu = await startEmulator(t);
    const sim = realm(t, profile, { responder: emulatorResponder(), login: hostSim.platformLogin(emu.url, { platform: loginPlatform }) });
    const page = `pages/mps-example-${platform}.js`;
    fs.mkdirSync(path.join(codePackage(), 'pages'), { recursive: true });
    fs.writeFileSync(path.join(codePackage(), page), examplePage(platform, emu.url));
    const { mpServerless, res } = await sim.require('/' + page);
    assert.deepEqual(plain(res), { success: true });
    assert.ok(sim.logs.some((l) => l.level === 'log' && l.args[0] === 'authorized'), 'the example logged its success');
    assert.equal(sim.stats.logins, 1, `one ${loginPlatform} login code`);
    const auth = JSON.parse(sim.stats.requests[0].body);
    assert.equal(auth.method, 'serverless.auth.user.authorize');
    assert.equal(JSON.parse(auth.params).authProvider, `${platform}_openapi`);
    await roundTrips(sim, mpServerless, emu.url, platform);
    assert.equal(sim.stats.mathRandomCalls, 0);
    assert.deepEqual(sim.stats.callbackErrors, []);
  });
}

test('anonymous authorization and an expired session renewed against the emulator', async (t) => {
  const emu = await startEmulator(t, ['--session-ttl-secs', '1', '--session-extend-secs', '1']);
  const sim = realm(t, 'wechat-ios', { responder: emulatorResponder() });
  const MPServerless = sim.require('miniapp-sdk/mpserverless');
  const mps = new MPServerless(sim.wx, { appId: 'wx-app', spaceId: 'dev-space', clientSecret: 'dev-secret', endpoint: emu.url });
  assert.deepEqual(plain(await mps.user.authorize({ authType: 'anonymous' })), { success: true });
  const first = await mps.user.getInfo();
  await emu.admin('POST', '/__admin/clock', { advanceMs: 1500 }); // the session expires server-side, no waiting
  const fn = await mps.function.invoke('echo', { a: 1 });
  assert.deepEqual(plain(fn.result), { a: 1 });
  const methods = sim.stats.requests.map((r) => JSON.parse(r.body).method);
  assert.deepEqual(methods, [
    'serverless.auth.user.anonymousAuthorize',
    'serverless.auth.user.getProfileInfo',
    'serverless.function.runtime.invoke', // refused: GATEWAY_INVALID_TOKEN
    'serverless.auth.user.anonymousAuthorize',
    'serverless.function.runtime.invoke',
  ]);
  const second = await mps.user.getInfo();
  assert.notEqual(second.result.userId, first.result.userId, 'anonymous renewal is a new identity (reference §4.2)');
});

// 3.1.5's remainder against the emulator, as an app of the official package uses it: the
// collection-level transaction chain (commit visible, rollback not, misuse refused before a
// request), an upload made of the two OSS RPCs and `wrap(uploadFile)`, and debug lines that name
// the requests without a secret.
test('wechat: the collection chain, the OSS RPCs with wrap(uploadFile), and debug lines against the emulator', async (t) => {
  const emu = await startEmulator(t);
  const sim = realm(t, 'wechat-ios', { responder: emulatorResponder() });
  const MPServerless = sim.require('miniapp-sdk/mpserverless');
  const lines = [];
  const log = (...args) => lines.push(args);
  const logger = { log, info: log, warn: log, error: log, debug: log };
  const mps = new MPServerless(sim.wx, { appId: 'wx-app', spaceId: 'dev-space', clientSecret: 'dev-secret', endpoint: emu.url, logger });
  await mps.user.authorize({ authType: 'anonymous' });
  assert.equal(lines.length, 0, 'no line before setDebugFlag(true)');
  mps.setDebugFlag(true);
  const sent = () => sim.stats.requests.length;

  // Commit: both writes, in two collections of one chain, appear together.
  const todos = mps.db.collection('todos');
  const id = await todos.transaction();
  assert.equal(typeof id, 'string');
  await todos.insertOne({ t: 1 });
  await todos.collection('books').insertOne({ b: 1 });
  assert.equal((await mps.db.collection('todos').count({ t: 1 })).result, 0, 'not visible before commit');
  const done = await todos.commit();
  assert.equal(done.success, true);
  assert.equal((await mps.db.collection('todos').count({ t: 1 })).result, 1);
  assert.equal((await mps.db.collection('books').count({ b: 1 })).result, 1);
  // After the end of the chain, and with no chain: TransactionErrors, nothing sent.
  const before = sent();
  for (const p of [todos.insertOne({ t: 2 }), todos.commit(), todos.rollback(), mps.db.collection('users').commit()]) {
    const e = await rejection(p);
    assert.equal(e.code, 'TransactionError', e.message);
  }
  assert.equal(sent(), before, 'refused locally');
  // Rollback: nothing stays; a multi-document command is refused inside the chain.
  const notes = mps.db.collection('todos');
  await notes.transaction();
  await notes.deleteOne({ t: 1 });
  assert.equal((await rejection(notes.find({}))).code, 'TransactionError');
  await notes.rollback();
  assert.equal((await mps.db.collection('todos').count({ t: 1 })).result, 1, 'the rolled-back delete left the document');

  // An upload from its parts: sign, the OSS form through wrap(wx.uploadFile), report.
  const bytes = Buffer.from('\x89PNG parts');
  const filePath = sim.addTempFile(bytes, 'png');
  const sign = await mps.file.getOSSUploadOptionsFromPath('dir/e2e.png', 'avatars', bytes.length);
  assert.equal(sign.success, true);
  const o = sign.result;
  assert.match(o.ossPath, /^avatars\/[0-9a-f]+\.png$/);
  assert.equal((await rejection(mps.file.reportOSSUpload(o.id, 'image/png'))).code, 'InvalidParameter.FileNotUploaded', 'no report before the upload');
  const up = await mps.wrap(sim.wx.uploadFile)({
    url: 'https://' + o.host, filePath, name: 'file',
    formData: { success_action_status: '200', key: o.ossPath, policy: o.policy, Signature: o.signature, OSSAccessKeyId: o.accessKeyId },
  });
  assert.equal(up.statusCode, 200, JSON.stringify(plain(up)));
  assert.equal(await mps.file.reportOSSUpload(o.id, 'image/png'), undefined);
  const [info] = await mps.file.info(o.id);
  assert.equal(info.fileId, o.id);
  const res = await fetch(`${emu.url}/__oss/${o.ossPath}`);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
  assert.equal(res.headers.get('content-type'), 'image/png');
  const missing = await rejection(mps.file.reportOSSUpload('5f00000000000000000000ff'));
  assert.equal(missing.code, 'InvalidParameter.FileNotFound');

  // Debug lines: the requests are named; no token, signature or client secret is in them.
  mps.setDebugFlag(false);
  const quiet = lines.length;
  await mps.db.collection('todos').count({});
  assert.equal(lines.length, quiet, 'no line after setDebugFlag(false)');
  const text = JSON.stringify(lines);
  assert.match(text, /serverless\.file\.resource\.report/);
  const secrets = new Set(['dev-secret', o.signature]);
  for (const r of sim.stats.requests) {
    if (r.header && r.header['x-serverless-sign']) secrets.add(r.header['x-serverless-sign']);
    try { const b = JSON.parse(r.body); if (b.token) secrets.add(b.token); } catch (e) { /* the OSS form */ }
  }
  assert.ok(secrets.size > 10);
  assert.deepEqual([...secrets].filter((s) => text.includes(s)), []);
});
