// The built package in the simulated WeChat logic layer (reference §8 items 1-12, 17-21, 23).
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { boot, codePackageWithRawWasm, rejection, rsaDecrypt, rsaSpkiPem, rsaPkcs1Pem, sm2, echo } from './_helpers.mjs';

const NPM_WASM = '/miniprogram_npm/miniapp-sdk/core.wasm.br';

/** The SdkError shape of every rejection, as a realm Error. */
function assertSdkError(sim, e, code, message) {
  assert.ok(e instanceof sim.realm.Error, 'a real Error of the mini-program realm');
  assert.equal(e.name, 'SdkError');
  assert.equal(e.code, code, `code of: ${e.message}`);
  if (message) assert.match(e.message, message);
}

test('wechat-ios: require from the code package, init, ping awaits wx.request, no Math.random', async (t) => {
  const { sim, sdk } = boot(t);
  for (const name of ['TextEncoder', 'TextDecoder', 'crypto', 'fetch', 'URL', 'queueMicrotask', 'WebAssembly']) {
    assert.equal(sim.evaluate(`typeof ${name}`), 'undefined', `${name} must be absent for the test to mean anything`);
  }
  assert.equal(typeof sdk.init, 'function');
  assert.equal(typeof sdk.version, 'string');
  const { core, platform, host } = await sdk.init();
  assert.equal(platform, 'wx');
  assert.equal(host.platform, 'wx');
  assert.deepEqual(sim.stats.instantiate.map((r) => [r.path, r.ok]), [[NPM_WASM, true]], 'default path, one instantiate');
  assert.deepEqual(sim.stats.randomRequests, [48], 'seeded from wx.getRandomValues');
  const res = await core.ping('https://api.example.com/ping?x=1');
  assert.deepEqual({ ...res }, { statusCode: 200, data: 'echo:https://api.example.com/ping?x=1' });
  const req = sim.stats.requests[0];
  assert.equal(req.method, 'GET');
  assert.equal(req.url, 'https://api.example.com/ping?x=1');
  assert.equal(req.dataType, 'text', 'the adapter asks wx.request not to parse JSON');
  assert.equal(sim.stats.mathRandomCalls, 0);
  assert.deepEqual(sim.stats.callbackErrors, []);
  assert.equal(sim.pendingTimers(), 0, 'the bridge cleared its timeout timer');
});

test('wx.request JSON bodies come back as the raw text', async (t) => {
  const { sdk } = boot(t, { responder: async () => ({ statusCode: 404, data: '{"code":404,"message":"nope"}' }) });
  const { core } = await sdk.init();
  const res = await core.ping('https://api.example.com/json');
  assert.equal(res.statusCode, 404);
  assert.equal(res.data, '{"code":404,"message":"nope"}');
});

test('SM2 password encryption decrypts with sm-crypto (C1C3C2), fresh entropy per call', async (t) => {
  const { sim, sdk } = boot(t);
  const { core } = await sdk.init();
  const keys = sm2().generateKeyPairHex();
  const password = 'pa55-密码-🔑';
  const c1 = await core.encryptPassword('sm2', keys.publicKey, password);
  const c2 = await core.encryptPassword('sm2', keys.publicKey, password);
  assert.match(c1, /^[0-9a-f]+$/);
  assert.notEqual(c1.slice(0, 2), '04', 'no 04 prefix');
  assert.notEqual(c1, c2, 'randomised');
  assert.equal(sm2().doDecrypt(c1, keys.privateKey, 1), password);
  assert.equal(sm2().doDecrypt(c2, keys.privateKey, 1), password);
  assert.deepEqual(sim.stats.randomRequests, [48, 48, 48], 'reseeded from the host before each encryption');
  assert.equal(sim.stats.mathRandomCalls, 0);
});

test('RSA password encryption (SPKI and PKCS#1 PEM) decrypts with node-forge', async (t) => {
  const { sim, sdk } = boot(t);
  const { core } = await sdk.init();
  for (const pem of [rsaSpkiPem(), rsaPkcs1Pem()]) {
    const c = await core.encryptPassword('rsa', pem, 'hunter2-密码');
    assert.equal(Buffer.from(c, 'base64').length, 256, 'one 2048-bit block, base64');
    assert.equal(rsaDecrypt(c), 'hunter2-密码');
  }
  assert.equal(sim.stats.mathRandomCalls, 0);
});

test('wechat-plugin (no wx.getRandomValues): init rejects NO_ENTROPY with a clear message', async (t) => {
  const { sim, sdk } = boot(t, { profile: 'wechat-plugin' });
  const e = await rejection(sdk.init());
  assertSdkError(sim, e, 'NO_ENTROPY', /secure random source/);
  assert.match(e.message, /wx\.getRandomValues/);
  assert.match(e.message, /plugins/);
  assert.equal(sim.stats.mathRandomCalls, 0, 'no weak fallback');
});

test('fail closed: all-zero or failing entropy rejects NO_ENTROPY', async (t) => {
  const zeros = boot(t, { randomSource: (n) => Buffer.alloc(n) });
  assertSdkError(zeros.sim, await rejection(zeros.sdk.init()), 'NO_ENTROPY');
  const failing = boot(t, { randomSource: () => { throw new Error('entropy device busy'); } });
  const e = await rejection(failing.sdk.init());
  assertSdkError(failing.sim, e, 'NO_ENTROPY', /secure random source failed: getRandomValues:fail entropy device busy/);
  // Entropy that fails only after init: the operation fails, never falls back.
  let calls = 0;
  const later = boot(t, { randomSource: (n) => { if (++calls > 1) throw new Error('gone'); return randomBytes(n); } });
  const { core } = await later.sdk.init();
  const ee = await rejection(core.encryptPassword('sm2', sm2().generateKeyPairHex().publicKey, 'x'));
  assertSdkError(later.sim, ee, 'NO_ENTROPY', /gone/);
  assert.equal(later.sim.stats.mathRandomCalls + zeros.sim.stats.mathRandomCalls + failing.sim.stats.mathRandomCalls, 0);
});

test('both code-package path forms load (leading slash or not, .wasm.br or .wasm)', async (t) => {
  for (const wasmPath of ['/miniprogram_npm/miniapp-sdk/core.wasm.br', 'miniprogram_npm/miniapp-sdk/core.wasm.br', '/miniprogram_npm/miniapp-sdk/core.wasm', 'miniprogram_npm/miniapp-sdk/core.wasm']) {
    // The raw .wasm is not in miniprogram_dist: it is copied from the pkg/ root for this test.
    const { sim, sdk } = boot(t, { packageRoot: codePackageWithRawWasm() });
    const { core } = await sdk.init({ wasmPath });
    assert.deepEqual(sim.stats.instantiate.map((r) => [r.path, r.ok]), [[wasmPath, true]]);
    assert.equal((await core.ping('https://x.test/' + encodeURIComponent(wasmPath))).statusCode, 200);
  }
});

test('bad wasm paths reject WASM_LOAD naming the path, after one retry', async (t) => {
  for (const [wasmPath, why] of [['/miniprogram_npm/miniapp-sdk/missing.wasm.br', /load wasm failed/], ['../outside/core.wasm.br', /escapes the code package/]]) {
    const { sim, sdk } = boot(t);
    const e = await rejection(sdk.init({ wasmPath }));
    assertSdkError(sim, e, 'WASM_LOAD', why);
    assert.ok(e.message.includes(wasmPath));
    assert.equal(e.wasmPath, wasmPath);
    assert.equal(sim.stats.instantiate.length, 2, 'retried once');
  }
});

// The futures queue schedules with Promise.then on every host (js-shim/mp-shim.js shadows the
// glue's globalThis): the host's queueMicrotask, when it has one, is never called.
test('works with and without queueMicrotask, and schedules with Promise.then either way', async (t) => {
  for (const withQm of [false, true]) {
    const { sim, sdk } = boot(t, { queueMicrotask: withQm });
    let used = 0;
    if (withQm) {
      const orig = sim.global.queueMicrotask;
      sim.global.queueMicrotask = function queueMicrotask(cb) { used++; return orig(cb); };
    }
    const { core } = await sdk.init();
    const keys = sm2().generateKeyPairHex();
    assert.equal(sm2().doDecrypt(await core.encryptPassword('sm2', keys.publicKey, 'qm'), keys.privateKey, 1), 'qm');
    assert.equal((await core.ping('https://x.test/qm')).data, 'echo:https://x.test/qm');
    if (withQm) assert.equal(used, 0, 'wasm-bindgen-futures did not use the host queueMicrotask');
    else assert.equal(sim.evaluate('typeof queueMicrotask'), 'undefined');
  }
});

test('no FinalizationRegistry or WeakRef: loads, runs, explicit free() works', async (t) => {
  const { sim, sdk } = boot(t, { weakRefs: false });
  assert.equal(sim.evaluate('typeof FinalizationRegistry + typeof WeakRef'), 'undefinedundefined');
  const { core } = await sdk.init();
  assert.equal((await core.ping('https://x.test/g')).statusCode, 200);
  core.free();
  assert.throws(() => core.ping('https://x.test/after-free'), /null pointer|freed|moved/i, 'a freed core cannot be used');
  const again = (await sdk.init()).core;
  assert.equal((await again.ping('https://x.test/again')).statusCode, 200);
});

test('no globalThis (Alipay simulator / old iOS JavaScriptCore): loads and runs', async (t) => {
  const { sim, sdk } = boot(t, { globalThis: false, weakRefs: false });
  assert.equal(sim.evaluate('typeof globalThis + typeof self + typeof window + typeof global'), 'undefinedundefinedundefinedundefined');
  const { core } = await sdk.init();
  assert.equal((await core.ping('https://x.test/g')).statusCode, 200);
  const keys = sm2().generateKeyPairHex();
  assert.equal(sm2().doDecrypt(await core.encryptPassword('sm2', keys.publicKey, 'nogt'), keys.privateKey, 1), 'nogt');
});

test('wechat-android (modern engine) and devtools (WebAssembly + WXWebAssembly) use the path API', async (t) => {
  const android = boot(t, { profile: 'wechat-android' });
  assert.equal((await (await android.sdk.init()).core.ping('https://x.test/a')).statusCode, 200);
  const dev = boot(t, { profile: 'devtools' });
  const { core, platform } = await dev.sdk.init();
  assert.equal(platform, 'wx');
  assert.equal((await core.ping('https://x.test/d')).statusCode, 200);
  assert.deepEqual(dev.sim.stats.instantiate.map((r) => [r.path, r.ok]), [[NPM_WASM, true]]);
  assert.equal(dev.sim.stats.standardWasmCalls, 0, 'the standard WebAssembly API was not used');
});

test('WXWebAssembly resolving a bare Instance (as its typings say) is accepted', async (t) => {
  const { sim, sdk } = boot(t, { instantiateResult: 'instance' });
  const { core } = await sdk.init();
  assert.equal((await core.ping('https://x.test/bare')).statusCode, 200);
  assert.equal(sim.stats.instantiate.length, 1);
});

test('init is single-flight and retries a transient instantiate rejection', async (t) => {
  const once = boot(t);
  once.sim.failNextInstantiate(1);
  const [a, b] = await Promise.all([once.sdk.init(), once.sdk.init()]);
  assert.equal(once.sim.stats.instantiate.length, 2, 'one failure + one retry, shared by both callers');
  assert.equal(once.sim.stats.instantiate[0].ok, false);
  assert.equal(once.sim.stats.instantiate[1].ok, true);
  assert.equal((await a.core.ping('https://x.test/1')).statusCode, 200);
  assert.equal((await b.core.ping('https://x.test/2')).statusCode, 200);

  const twice = boot(t);
  twice.sim.failNextInstantiate(2);
  const e = await rejection(twice.sdk.init());
  assertSdkError(twice.sim, e, 'WASM_LOAD', /transient/);
  const { core } = await twice.sdk.init();
  assert.equal((await core.ping('https://x.test/3')).statusCode, 200, 'a failed load can be retried');
  assert.deepEqual(twice.sim.stats.instantiate.map((r) => r.ok), [false, false, true]);
});

test('UTF-8 across the boundary: CJK, emoji, lone surrogates via the polyfill', async (t) => {
  const text = '中文テスト한국어 😀👨‍👩‍👧 \u00e9 \u0000 end';
  const { sim, sdk } = boot(t, { responder: async (req) => ({ statusCode: 200, data: req.url.endsWith('/lone') ? 'a\ud800b\udc00c' : text }) });
  const { core } = await sdk.init();
  assert.equal((await core.ping('https://x.test/u')).data, text);
  assert.equal((await core.ping('https://x.test/lone')).data, 'a\ufffdb\ufffdc', 'lone surrogates become U+FFFD');
  await core.ping('https://x.test/路径/😀/\ud83d');
  assert.equal(sim.stats.requests.at(-1).url, 'https://x.test/路径/😀/\ufffd');
});

test('20 concurrent calls with out-of-order host responses all resolve to their own result', async (t) => {
  const pending = [];
  let arrivedAll;
  const allArrived = new Promise((r) => { arrivedAll = r; });
  const { sim, sdk } = boot(t, {
    responder: (req) => new Promise((resolve) => {
      pending.push({ req, resolve });
      if (pending.length === 20) arrivedAll();
    }),
  });
  const { core } = await sdk.init();
  const calls = Array.from({ length: 20 }, (_, i) => core.ping(`https://x.test/${i}`));
  await allArrived;
  // answer in a scrambled order: 7, 14, 1, 8, ... (i * 7 mod 20 is a permutation)
  for (let k = 0; k < 20; k++) {
    const p = pending[(k * 7) % 20];
    const i = Number(p.req.url.split('/').pop());
    p.resolve({ statusCode: 200 + i, data: `body-${i}` });
    await new Promise((r) => setImmediate(r));
  }
  const results = await Promise.all(calls);
  results.forEach((r, i) => assert.deepEqual({ ...r }, { statusCode: 200 + i, data: `body-${i}` }));
  assert.equal(sim.pendingTimers(), 0, 'every per-call timeout was cleared');
  assert.deepEqual(sim.stats.callbackErrors, []);
});

test('alipay-logic: no wasm engine → WASM_LOAD with a clear message', async (t) => {
  const { sim, sdk } = boot(t, { profile: 'alipay-logic' });
  const e = await rejection(sdk.init({ wasmPath: '/sdk/core.wasm.br' }));
  assertSdkError(sim, e, 'WASM_LOAD', /no WebAssembly engine/);
  assert.equal(sim.stats.mathRandomCalls, 0);
});

test('echo responder sanity: the simulator answers what the test expects', async () => {
  assert.deepEqual(await echo({ url: 'u' }), { statusCode: 200, data: 'echo:u', header: { 'content-type': 'text/plain' } });
});
