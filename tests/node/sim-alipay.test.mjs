// The wasm2js build (pkg/alipay.js) in the simulated Alipay logic layer: `my`, no wasm engine, no
// secure random source and no globalThis (reference §2, §8 items 12 and 23).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomFillSync } from 'node:crypto';
import { PKG, hostSim, tmpDir, rejection, sm2, echo } from './_helpers.mjs';

let root = null;
function alipayPackage() {
  if (!root) {
    root = tmpDir('mp-alipay-');
    const dir = path.join(root, 'node_modules', 'miniapp-sdk');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(PKG, 'alipay.js'), path.join(dir, 'alipay.js'));
  }
  return root;
}

function boot(t, opts = {}) {
  const sim = hostSim.createHost({ profile: 'alipay-logic', packageRoot: alipayPackage(), responder: echo, ...opts });
  t.after(() => sim.close());
  return { sim, sdk: sim.require('miniapp-sdk/alipay.js') };
}

/** A host as a Worker bridge would provide it: request plus a secure random source. */
function workerLikeHost(sim) {
  const R = sim.realm;
  return {
    platform: 'alipay',
    request: (req) => R.Promise.resolve({ statusCode: 200, data: 'worker:' + req.url }),
    getRandomValues: (n) => { const u = new R.Uint8Array(n); randomFillSync(u); return R.Promise.resolve(u); },
  };
}

test('alipay.js loads without any wasm engine and fails closed without a random source', async (t) => {
  const { sim, sdk } = boot(t);
  assert.equal(sim.evaluate('typeof WebAssembly + typeof MYWebAssembly + typeof globalThis'), 'undefinedundefinedundefined');
  assert.equal(typeof sdk.init, 'function');
  const e = await rejection(sdk.init());
  assert.equal(e.name, 'SdkError');
  assert.equal(e.code, 'NO_ENTROPY');
  assert.match(e.message, /Alipay/);
  assert.equal(sim.stats.mathRandomCalls, 0);
  assert.deepEqual(sim.stats.instantiate, [], 'no file instantiate on Alipay');
});

for (const withGlobalThis of [true, false]) {
  test(`alipay.js with a secure host source works (globalThis ${withGlobalThis ? 'present' : 'absent, as in the Alipay logic layer'})`, async (t) => {
    const { sim, sdk } = boot(t, { globalThis: withGlobalThis });
    const { core } = await sdk.init({ host: workerLikeHost(sim) });
    assert.equal((await core.ping('https://x.test/a')).data, 'worker:https://x.test/a');
    const keys = sm2().generateKeyPairHex();
    assert.equal(sm2().doDecrypt(await core.encryptPassword('sm2', keys.publicKey, '支付宝'), keys.privateKey, 1), '支付宝');
    assert.equal(sim.stats.mathRandomCalls, 0);
  });
}
