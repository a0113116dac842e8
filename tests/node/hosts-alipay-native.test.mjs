// examples/alipay-native, the way a native Alipay project uses the package: node_modules/miniapp-sdk
// required as `miniapp-sdk/alipay` (the Rust core through wasm2js: the logic layer has no
// WebAssembly engine), in the simulator's alipay-logic profile, against the local emulator.
// - Stock logic layer (no secure random source): MPServerless anonymous authorize + a db call, and an
//   Authing password login with RSA done by my.rsa (encryptFunction); the SDK's own RSA/SM2 fail
//   closed with NO_ENTROPY.
// - With crypto.getRandomValues (what an Alipay Worker has): the SDK's own SM2 and RSA logins.
// - miniapp-sdk/alipay-serverless: the MPServerless-only build (no RSA/SM2 code).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, hostSim, tmpDir, emulatorWithUsers, emulatorCounts, loopback, launchMiniProgram, DEV_ENDPOINT, installSdkInto } from './hosts-support.mjs';

const EXAMPLE = path.join(ROOT, 'examples', 'alipay-native');
const USER = { username: 'alipay-demo', password: 'Alipay-Demo-密码-1', phone: '13900005555' };

let emu;
let project;

test.before(async () => {
  emu = await emulatorWithUsers([USER]);
  project = path.join(tmpDir('mp-alipay-native-'), 'project');
  fs.cpSync(EXAMPLE, project, { recursive: true, filter: (src) => !/[\\/]node_modules$/.test(src) });
  // `npm install` of "file:../../pkg", done offline. Alipay resolves npm packages from node_modules.
  installSdkInto(project);
  const cfg = path.join(project, 'config.js');
  fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace(DEV_ENDPOINT, emu.url));
}, { timeout: 15 * 60_000 });
test.after(() => emu && emu.stop());

function boot(t, options = {}) {
  const sim = hostSim.createHost({ profile: 'alipay-logic', packageRoot: project, responder: loopback(), login: hostSim.platformLogin(emu.url, { platform: 'my' }), ...options });
  t.after(() => sim.close());
  return sim;
}

test('stock Alipay logic layer: anonymous authorize + db call + RSA password login through my.rsa; own RSA/SM2 fail closed', async (t) => {
  const sim = boot(t);
  assert.equal(sim.evaluate('typeof WebAssembly + typeof MYWebAssembly + typeof crypto + typeof globalThis'), 'undefinedundefinedundefinedundefined');
  const before = await emulatorCounts(emu, USER.username);
  const { page, loaded } = launchMiniProgram(sim);
  const result = await loaded;
  assert.equal(result.ok, true, JSON.stringify(result.steps));
  assert.equal(page.data.status, 'done');
  const after = await emulatorCounts(emu, USER.username);
  assert.equal(after.logins, before.logins + 1, 'the emulator recorded the password login');
  assert.equal(after.todos, before.todos + 1, 'the emulator stored the document');
  assert.equal(sim.stats.rsaCalls, 1, 'my.rsa encrypted the password');
  assert.deepEqual(sim.stats.instantiate, [], 'no wasm file: wasm2js');

  for (const type of ['sm2', 'rsa']) {
    const [err] = await page.loginWithSdkCrypto(type);
    assert.equal(err && err.code, 'NO_ENTROPY', JSON.stringify(err));
    assert.match(err.message, /Alipay's logic layer has no secure random source/);
  }
  assert.equal((await emulatorCounts(emu, USER.username)).logins, after.logins, 'nothing was sent');
  assert.equal(sim.stats.mathRandomCalls, 0);
});

test("with crypto.getRandomValues (an Alipay Worker's source): the SDK's own SM2 and RSA password logins", async (t) => {
  const sim = boot(t, { crypto: true });
  const before = await emulatorCounts(emu, USER.username);
  const { page, loaded } = launchMiniProgram(sim);
  assert.equal((await loaded).ok, true);
  for (const type of ['sm2', 'rsa']) {
    const [err, state] = await page.loginWithSdkCrypto(type);
    assert.equal(err, null, JSON.stringify(err));
    assert.ok(state.access_token, type);
  }
  assert.equal((await emulatorCounts(emu, USER.username)).logins, before.logins + 3);
  assert.ok(sim.stats.randomRequests.length >= 2, 'crypto.getRandomValues fed both encryptions');
  assert.equal(sim.stats.mathRandomCalls, 0);
});

test('miniapp-sdk/alipay-serverless: MPServerless only (no Authing, no RSA/SM2), anonymous authorize + db call', async (t) => {
  const sim = boot(t);
  const sdk = sim.require('miniapp-sdk/alipay-serverless');
  assert.equal(typeof sdk.MPServerless, 'function');
  assert.equal(sdk.Authing, undefined);
  const before = await emulatorCounts(emu, USER.username);
  const mp = new sdk.MPServerless(sim.my, { appId: 'dev-app', spaceId: 'dev-space', clientSecret: 'dev-secret', endpoint: emu.url });
  const auth = await mp.user.authorize({ authType: 'anonymous' });
  assert.notEqual(auth.success, false, JSON.stringify(auth));
  assert.ok((await mp.db.collection('todos').insertOne({ title: 'serverless-only' })).result);
  assert.equal((await emulatorCounts(emu, USER.username)).todos, before.todos + 1);
  const full = fs.statSync(path.join(ROOT, 'pkg', 'alipay.js')).size;
  const small = fs.statSync(path.join(ROOT, 'pkg', 'alipay-serverless.js')).size;
  assert.ok(small < full * 0.6, `alipay-serverless.js (${small} B) is much smaller than alipay.js (${full} B)`);
  assert.equal(sim.stats.mathRandomCalls, 0);
});
