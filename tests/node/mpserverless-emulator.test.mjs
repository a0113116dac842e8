// Alipay and WeChat app code written as for the official package (tests/fixtures/examples/), run in
// the host simulator's Alipay and WeChat profiles against the local emulator with only the import
// line changed, each followed by a db round trip, a function call and a file upload.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, hostSim } from './_helpers.mjs';
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
