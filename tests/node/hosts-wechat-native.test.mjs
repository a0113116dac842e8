// examples/wechat-native, the way a native WeChat project uses the package: npm install, then
// "构建 npm" (miniprogram-ci packNpm, offline) → miniprogram_npm/miniapp-sdk with its wasm; then the
// project's own app.js and page run in the simulator (App/Page lifecycle) against the local emulator:
// MPServerless anonymous authorize + a db call, Authing password login (SM2).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, hostSim, tmpDir, emulatorWithUsers, emulatorCounts, loopback, launchMiniProgram, DEV_ENDPOINT, installSdkInto } from './hosts-support.mjs';
import { packNpm } from './_helpers.mjs';

const EXAMPLE = path.join(ROOT, 'examples', 'wechat-native');
const USER = { username: 'native-demo', password: 'Native-Demo-密码-1', phone: '13900004444' };

let emu;
let project;
let packed;

test.before(async () => {
  emu = await emulatorWithUsers([USER]);
  project = path.join(tmpDir('mp-wechat-native-'), 'project');
  fs.cpSync(EXAMPLE, project, { recursive: true, filter: (src) => !/[\\/](node_modules|miniprogram_npm)$/.test(src) });
  // `npm install` of "file:../../pkg", done offline: the built package as node_modules/miniapp-sdk.
  installSdkInto(project);
  packed = await packNpm(project);
  const cfg = path.join(project, 'config.js');
  fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace(DEV_ENDPOINT, emu.url));
}, { timeout: 15 * 60_000 });
test.after(() => emu && emu.stop());

test('packNpm builds the example: miniprogram_npm/miniapp-sdk with index.js and core.wasm.br', () => {
  assert.equal(packed.ok, true, packed.error);
  for (const f of ['index.js', 'core.wasm.br']) assert.ok(packed.files.includes(`miniprogram_npm/miniapp-sdk/${f}`), `${f} in ${JSON.stringify(packed.files)}`);
});

for (const profile of ['wechat-ios', 'wechat-android']) {
  test(`the example's pages run in the simulator (${profile}): anonymous authorize + db call + SM2 password login`, async (t) => {
    const before = await emulatorCounts(emu, USER.username);
    const sim = hostSim.createHost({ profile, packageRoot: project, responder: loopback(), login: hostSim.platformLogin(emu.url) });
    t.after(() => sim.close());
    const { page, loaded } = launchMiniProgram(sim);
    const result = await loaded;
    assert.equal(result.ok, true, JSON.stringify(result.steps));
    assert.equal(page.data.status, 'done');
    const after = await emulatorCounts(emu, USER.username);
    assert.equal(after.logins, before.logins + 1, 'the emulator recorded the password login');
    assert.equal(after.todos, before.todos + 1, 'the emulator stored the document');
    assert.deepEqual(sim.stats.instantiate.map((r) => [r.path, r.ok]), [['/miniprogram_npm/miniapp-sdk/core.wasm.br', true]], 'default packNpm path, no wasmPath');
    assert.ok(sim.stats.randomRequests.length >= 1, 'wx.getRandomValues fed SM2');
    assert.equal(sim.stats.mathRandomCalls, 0);
  });
}
