// Douyin (tt): the package as Douyin's npm build lays it out (miniprogram_npm/miniapp-sdk, from the
// package's "miniprogram" directory), loaded with TTWebAssembly (base library 2.34.0.0; .wasm.br from
// 2.92.0.0) and seeded by tt.getRandomValues (2.87.0), in the simulator's `douyin` profile, against
// the local emulator: MPServerless anonymous authorize + a db call, Authing password login (SM2 and
// RSA) and a Douyin code login (douyin_mini_program_code).
import test from 'node:test';
import assert from 'node:assert/strict';
import { hostSim, tmpDir, emulatorWithUsers, emulatorCounts, loopback } from './hosts-support.mjs';

const USER = { username: 'douyin-demo', password: 'Douyin-Demo-密码-1', phone: '13900003333' };
let emu;

test.before(async () => { emu = await emulatorWithUsers([USER]); }, { timeout: 15 * 60_000 });
test.after(() => emu && emu.stop());

function boot(t) {
  const root = hostSim.layoutCodePackage({ root: tmpDir('mp-douyin-') });
  const sim = hostSim.createHost({ profile: 'douyin', packageRoot: root, responder: loopback(), login: hostSim.platformLogin(emu.url, { platform: 'tt' }) });
  t.after(() => sim.close());
  return { sim, sdk: sim.require('miniapp-sdk') };
}

test('the douyin profile is a tt host: TTWebAssembly, tt.getRandomValues, no wx and no WebAssembly', (t) => {
  const { sim } = boot(t);
  assert.equal(sim.evaluate('typeof tt + typeof tt.getSystemInfo + typeof tt.getRandomValues + typeof TTWebAssembly'), 'objectfunctionfunctionobject');
  assert.equal(sim.evaluate('typeof wx + typeof WXWebAssembly + typeof WebAssembly + typeof my'), 'undefinedundefinedundefinedundefined');
});

test('Douyin: MPServerless anonymous authorize + db call, Authing password logins (SM2, RSA) and a tt code login', async (t) => {
  const { sim, sdk } = boot(t);
  const before = await emulatorCounts(emu, USER.username);
  const config = await emu.admin('GET', '/__admin/config');

  const mp = new sdk.MPServerless(sim.tt, { appId: 'dev-app', spaceId: 'dev-space', clientSecret: 'dev-secret', endpoint: emu.url });
  const auth = await mp.user.authorize({ authType: 'anonymous' });
  assert.notEqual(auth.success, false, JSON.stringify(auth));
  const inserted = await mp.db.collection('todos').insertOne({ title: 'from douyin', at: Date.now() });
  assert.ok(inserted.result, JSON.stringify(inserted));

  const authing = new sdk.Authing({ appId: 'dev-app', userPoolId: 'dev-pool', host: emu.url });
  for (const passwordEncryptType of ['sm2', 'rsa']) {
    const [err, state] = await authing.loginByPassword({ passwordPayload: { account: USER.username, password: USER.password }, options: { passwordEncryptType } });
    assert.equal(err, null, JSON.stringify(err));
    assert.ok(state.access_token, passwordEncryptType);
  }
  await authing.logout();
  const [codeErr, codeState] = await authing.loginByCode({ extIdpConnidentifier: config.authing.douyinExtIdpConnidentifier, douyinMiniProgramCodePayload: { encryptedData: '', iv: '' } });
  assert.equal(codeErr, null, JSON.stringify(codeErr));
  assert.ok(codeState.access_token);

  const after = await emulatorCounts(emu, USER.username);
  assert.equal(after.logins, before.logins + 2, 'two password logins recorded by the emulator');
  assert.equal(after.todos, before.todos + 1);
  assert.deepEqual(sim.stats.instantiate.map((r) => [r.path, r.ok]), [['/miniprogram_npm/miniapp-sdk/core.wasm.br', true]], 'TTWebAssembly, default path, once');
  assert.ok(sim.stats.randomRequests.length >= 2, 'tt.getRandomValues fed both encryptions');
  assert.ok(sim.stats.logins >= 1, 'tt.login was called for the code login');
  assert.equal(sim.stats.mathRandomCalls, 0);
});
