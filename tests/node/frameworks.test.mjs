// examples/taro-app (Taro 4.2.1, React, webpack5) and examples/uniapp-app (uni-app Vue 3 + Vite) built
// by the frameworks' own CLIs for WeChat, Alipay and H5, then run:
// - mini-program builds: the built app.js + page in the host simulator (App/Page/Component stubs, the
//   platform's page lifecycle), WeChat builds on wechat-ios with the wasm copied to the documented path
//   (/sdk/core.wasm.br), Alipay builds on alipay-logic with the wasm2js build (alias miniapp-sdk →
//   miniapp-sdk/alipay, RSA through my.rsa);
// - H5 builds: served on loopback (API paths proxied to the emulator) and opened in headless Chromium
//   with standard WebAssembly (/sdk/core.wasm).
// Each page, on load, does an MPServerless anonymous authorize + a db insert and an Authing password
// login; the test checks the page's rendered status, its stored report and the emulator's records.
// `npm install` runs only when an example's package.json / package-lock.json changed (hash marker).
// The frameworks' runtimes call Math.random for element ids, so these realms allow (and count) it.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, hostSim, emulatorWithUsers, emulatorCounts, copyWithEndpoint, loopback, launchMiniProgram, until,
  storedReport, npmInstallCached, projectBin, serveH5, runInChromium, installSdkInto,
} from './hosts-support.mjs';
import { PKG } from './_helpers.mjs';

const TARO = path.join(ROOT, 'examples', 'taro-app');
const UNI = path.join(ROOT, 'examples', 'uniapp-app');
const USERS = {
  taro: { username: 'taro-demo', password: 'Taro-Demo-密码-1', phone: '13900006666' },
  uni: { username: 'uni-demo', password: 'Uni-Demo-密码-1', phone: '13900007777' },
};

const TARGETS = [
  { fw: 'taro', name: 'Taro weapp', dir: TARO, build: ['taro', ['build', '--type', 'weapp']], out: 'dist/weapp', profile: 'wechat-ios', wasm: 'sdk/core.wasm.br' },
  { fw: 'taro', name: 'Taro alipay', dir: TARO, build: ['taro', ['build', '--type', 'alipay']], out: 'dist/alipay', profile: 'alipay-logic', wasm: null },
  { fw: 'taro', name: 'Taro h5', dir: TARO, build: ['taro', ['build', '--type', 'h5']], out: 'dist/h5', h5: true, wasm: 'sdk/core.wasm' },
  { fw: 'uni', name: 'uni-app mp-weixin', dir: UNI, build: ['uni', ['build', '-p', 'mp-weixin']], out: 'dist/build/mp-weixin', profile: 'wechat-ios', wasm: 'sdk/core.wasm.br' },
  { fw: 'uni', name: 'uni-app mp-alipay', dir: UNI, build: ['uni', ['build', '-p', 'mp-alipay']], out: 'dist/build/mp-alipay', profile: 'alipay-logic', wasm: null },
  { fw: 'uni', name: 'uni-app h5', dir: UNI, build: ['uni', ['build', '-p', 'h5']], out: 'dist/build/h5', h5: true, wasm: 'sdk/core.wasm' },
];

let emu;

test.before(async () => {
  const [e] = await Promise.all([emulatorWithUsers(Object.values(USERS)), (async () => {
    // One at a time: each install takes ~45 s and most of the 2 cores.
    await npmInstallCached(TARO);
    await npmInstallCached(UNI);
    // The package as npm installs it from the tarball, not the symlink to pkg/ of `file:../../pkg`.
    installSdkInto(TARO);
    installSdkInto(UNI);
  })()]);
  emu = e;
}, { timeout: 20 * 60_000 });
test.after(() => emu && emu.stop());

function filesUnder(dir) {
  return fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

/** A page report: Taro stores it as is; uni-app H5 wraps it as {type, data}. */
function unwrap(report) {
  return report && report.steps ? report : report && report.data;
}

for (const target of TARGETS) {
  test(`${target.name}: built by the framework CLI, the wasm at the documented path, the page logs in`, async (t) => {
    const out = path.join(target.dir, target.out);
    fs.rmSync(out, { recursive: true, force: true });
    await projectBin(target.dir, target.build[0], target.build[1], { NODE_ENV: 'production' });
    const files = filesUnder(out);
    const sdkWasm = path.join(PKG, target.wasm ? path.basename(target.wasm) : 'core.wasm');
    if (target.wasm) {
      assert.ok(files.includes(target.wasm), `${target.wasm} in ${target.out}: ${files.join(', ')}`);
      assert.ok(fs.readFileSync(path.join(out, target.wasm)).equals(fs.readFileSync(sdkWasm)), 'byte-identical to the package file');
    } else {
      assert.deepEqual(files.filter((f) => /\.wasm(\.br)?$/.test(f)), [], 'the Alipay build carries no wasm file');
      assert.ok(files.some((f) => f.endsWith('.js') && /kind:"js",api:null/.test(fs.readFileSync(path.join(out, f), 'utf8'))), 'the wasm2js core (miniapp-sdk/alipay) is bundled');
    }

    const user = USERS[target.fw];
    const before = await emulatorCounts(emu, user.username);
    let report;
    if (target.h5) {
      const server = await serveH5(out, emu.url);
      t.after(() => server.close());
      const r = await runInChromium(server.url + '/');
      assert.equal(r.status, 'done', r.logs.join('\n'));
      assert.equal(r.wasm, 'object', 'a standard WebAssembly engine');
      assert.ok(server.served.includes('/' + target.wasm), `the page loaded /${target.wasm}: ${server.served.join(', ')}`);
      report = unwrap(JSON.parse(r.report));
    } else {
      const root = copyWithEndpoint(out, emu.url, 'mp-fw-');
      const sim = hostSim.createHost({
        profile: target.profile, packageRoot: root, responder: loopback(), allowMathRandom: true,
        login: hostSim.platformLogin(emu.url, { platform: target.profile === 'alipay-logic' ? 'my' : 'wx' }),
      });
      t.after(() => sim.close());
      const { page } = launchMiniProgram(sim);
      report = unwrap(await until(() => storedReport(sim), 90_000, 'the page report'));
      await until(() => JSON.stringify(page.data).includes('"done"'), 10_000, 'the page to render "done"');
      if (target.wasm) {
        assert.deepEqual(sim.stats.instantiate.map((r) => [r.path, r.ok]), [['/' + target.wasm, true]], 'WXWebAssembly from the documented wasmPath');
      } else {
        assert.deepEqual(sim.stats.instantiate, []);
        assert.equal(sim.stats.rsaCalls, 1, 'RSA through my.rsa');
      }
    }
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.steps.map((s) => s.ok), [true, true, true]);
    const after = await emulatorCounts(emu, user.username);
    assert.equal(after.logins, before.logins + 1, 'the emulator recorded the password login');
    assert.equal(after.todos, before.todos + 1, 'the emulator stored the document');
  }, { timeout: 10 * 60_000 });
}
