// WeChat "构建 npm" (miniprogram-ci packNpm, offline) on a fixture project that depends on the
// built package; the resulting miniprogram_npm is then run in the simulator (reference §1.6, §8 item 16).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, PKG, hostSim, tmpDir, sm2, rsaDecrypt, rsaSpkiPem, echo, packNpm } from './_helpers.mjs';

const FIXTURE = path.join(ROOT, 'tests', 'host-sim', 'fixtures', 'wechat-project');

let project;
let packed;

test.before(async () => {
  project = path.join(tmpDir('mp-packnpm-'), 'project');
  fs.cpSync(FIXTURE, project, { recursive: true });
  // npm install, offline: the built package as node_modules/miniapp-sdk
  fs.cpSync(PKG, path.join(project, 'node_modules', 'miniapp-sdk'), { recursive: true });
  packed = await packNpm(project);
}, { timeout: 150_000 });

test('packNpm copies the miniprogram_dist directory, wasm.br included', () => {
  assert.equal(packed.ok, true, packed.error);
  for (const f of ['index.js', 'core.wasm.br', 'mpserverless.js']) {
    assert.ok(packed.files.includes(`miniprogram_npm/miniapp-sdk/${f}`), `miniprogram_npm/miniapp-sdk/${f} in ${JSON.stringify(packed.files)}`);
  }
  // One core per code package: the split cores (serverless-only, auth-only) are not copied.
  assert.deepEqual(packed.files.filter((f) => /core-(serverless|auth)\.wasm/.test(f)), [], 'only the full core is in the code package');
  // The loader reads only the .wasm.br: the raw modules stay out of the code package.
  assert.deepEqual(packed.files.filter((f) => f.endsWith('.wasm')), [], 'no raw .wasm in the code package');
  const out = path.join(project, 'miniprogram_npm', 'miniapp-sdk');
  assert.ok(fs.readFileSync(path.join(out, 'core.wasm.br')).equals(fs.readFileSync(path.join(PKG, 'miniprogram_dist', 'core.wasm.br'))), 'wasm copied byte for byte');
  const shipped = fs.readdirSync(path.join(PKG, 'miniprogram_dist')).sort();
  const copied = packed.files.filter((f) => f.startsWith('miniprogram_npm/miniapp-sdk/')).map((f) => f.slice('miniprogram_npm/miniapp-sdk/'.length));
  for (const f of shipped) assert.ok(copied.includes(f) || copied.includes(f.replace(/\.js$/, '.js')), `${f} copied`);
});

test('the packNpm output runs in the simulator from its default path (iOS profile)', async (t) => {
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: project, responder: echo });
  t.after(() => sim.close());
  const page = sim.require('/pages/index/index.js');
  const keys = sm2().generateKeyPairHex();
  const cipher = await page.encrypt('sm2', keys.publicKey, 'packnpm-密码');
  assert.equal(sm2().doDecrypt(cipher, keys.privateKey, 1), 'packnpm-密码');
  assert.equal(rsaDecrypt(await page.encrypt('rsa', rsaSpkiPem(), 'packnpm-rsa')), 'packnpm-rsa');
  assert.deepEqual(sim.stats.instantiate.map((r) => [r.path, r.ok]), [['/miniprogram_npm/miniapp-sdk/core.wasm.br', true]], 'the exact packNpm path, once');
  assert.equal(sim.stats.mathRandomCalls, 0);
});
