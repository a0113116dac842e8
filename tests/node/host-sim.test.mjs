// Self-tests of the host simulator: the fidelity rules of reference §6.2 hold before the SDK
// scenarios rely on them.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { hostSim, codePackage, codePackageWithRawWasm, tmpDir, rejection, PKG } from './_helpers.mjs';

const { createHost, loopbackResponder, platformLogin, layoutCodePackage, RANDOM_MAX, watToWasm } = hostSim;
// The raw module, copied from the pkg/ root (miniprogram_dist ships only the .wasm.br).
const WASM = '/miniprogram_npm/miniapp-sdk/core.wasm';

function sim(t, opts = {}) {
  const s = createHost({ profile: 'wechat-ios', packageRoot: codePackage(), ...opts });
  t.after(() => s.close());
  return s;
}

/** Calls a wx callback-style API; resolves {ok, res} from success/fail, checking complete also fires. */
function callback(api, args) {
  return new Promise((resolve) => {
    let outcome = null;
    api({ ...args, success: (res) => { outcome = { ok: true, res }; }, fail: (res) => { outcome = { ok: false, res }; }, complete: (res) => resolve({ ...outcome, complete: res }) });
  });
}

async function server(t, handler) {
  const srv = http.createServer(handler);
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => srv.close(r)));
  return `http://127.0.0.1:${srv.address().port}`;
}

test('realm globals per profile match the logic layer', (t) => {
  const missing = ['TextEncoder', 'TextDecoder', 'crypto', 'fetch', 'URL', 'queueMicrotask', 'WebAssembly', 'require', 'process', 'Buffer', 'MYWebAssembly'];
  const ios = sim(t);
  for (const name of missing) assert.equal(ios.evaluate(`typeof ${name}`), 'undefined', name);
  for (const name of ['WXWebAssembly', 'wx', 'setTimeout', 'clearTimeout', 'console', 'globalThis', 'FinalizationRegistry', 'WeakRef']) {
    assert.notEqual(ios.evaluate(`typeof ${name}`), 'undefined', name);
  }
  assert.deepEqual([...ios.evaluate('Object.keys(WXWebAssembly).sort()')], ['CompileError', 'LinkError', 'Memory', 'RuntimeError', 'Table', 'instantiate']);
  for (const absent of ['compile', 'validate', 'Module', 'Instance', 'Global', 'instantiateStreaming']) {
    assert.equal(ios.evaluate(`typeof WXWebAssembly.${absent}`), 'undefined', absent);
  }
  const android = sim(t, { profile: 'wechat-android' });
  assert.equal(android.evaluate('typeof WXWebAssembly.Global'), 'function');
  assert.equal(android.evaluate('typeof wx.getRandomValues'), 'function');
  const plugin = sim(t, { profile: 'wechat-plugin' });
  assert.equal(plugin.evaluate('typeof wx.getRandomValues'), 'undefined');
  assert.equal(plugin.evaluate('typeof WXWebAssembly.instantiate'), 'function');
  const dev = sim(t, { profile: 'devtools' });
  assert.equal(dev.evaluate('typeof WebAssembly.instantiate + typeof WXWebAssembly.instantiate'), 'functionfunction');
  const ali = sim(t, { profile: 'alipay-logic' });
  for (const name of ['globalThis', 'WebAssembly', 'WXWebAssembly', 'MYWebAssembly', 'crypto', 'wx']) assert.equal(ali.evaluate(`typeof ${name}`), 'undefined', name);
  assert.equal(ali.evaluate('typeof my.request + typeof my.getAuthCode + typeof my.getRandomValues'), 'functionfunctionundefined');
  const bare = sim(t, { globalThis: false, weakRefs: false, queueMicrotask: true });
  assert.equal(bare.evaluate('typeof globalThis + typeof FinalizationRegistry + typeof WeakRef + typeof queueMicrotask'), 'undefinedundefinedundefinedfunction');
});

test('Math.random throws and is counted; eval and new Function are forbidden', (t) => {
  const s = sim(t);
  assert.throws(() => s.evaluate('Math.random()'), /Math\.random is forbidden/);
  assert.throws(() => s.evaluate('Math.random()'), /forbidden/);
  assert.equal(s.stats.mathRandomCalls, 2);
  assert.throws(() => s.evaluate('eval("1 + 1")'), (e) => e.name === 'EvalError');
  assert.throws(() => s.evaluate('new Function("return 1")'), (e) => e.name === 'EvalError');
});

test('WXWebAssembly.instantiate accepts only code-package paths to existing wasm files', async (t) => {
  const s = sim(t, { packageRoot: codePackageWithRawWasm() });
  const WX = s.global.WXWebAssembly;
  const bytes = fs.readFileSync(path.join(PKG, 'core.wasm'));
  const asArray = new s.realm.Uint8Array(bytes.length);
  asArray.set(bytes);
  for (const bad of [asArray, asArray.buffer, { path: WASM }, undefined]) {
    const e = await rejection(WX.instantiate(bad, {}));
    assert.equal(e.name, 'TypeError');
    assert.match(e.message, /first argument must be a string/);
  }
  assert.match((await rejection(WX.instantiate('/miniprogram_npm/miniapp-sdk/index.js', {}))).message, /only \.wasm and \.wasm\.br/);
  assert.match((await rejection(WX.instantiate('/nope/core.wasm', {}))).message, /load wasm failed/);
  for (const escape of ['../core.wasm', '/../core.wasm', 'miniprogram_npm/../../x/core.wasm']) {
    assert.match((await rejection(WX.instantiate(escape, {}))).message, /escapes the code package/, escape);
  }
  assert.match((await rejection(WX.instantiate('http://127.0.0.1/core.wasm', {}))).message, /not a code-package path/);
  // A valid module with missing imports gets past the path rules and fails at link time.
  const link = await rejection(WX.instantiate(WASM, {}));
  assert.notEqual(link.message, 'invalid wasm file');
  assert.equal(s.stats.instantiate.filter((r) => r.ok).length, 0);
});

test('WXWebAssembly decompresses .br, validates features, refuses global exports on iOS, resolves {instance, module}', async (t) => {
  const root = tmpDir();
  const withGlobal = await watToWasm('(module (global (export "g") i32 (i32.const 7)) (func (export "f") (result i32) i32.const 42))');
  // one sign-extension instruction (post-MVP)
  const signExt = await watToWasm('(module (func (export "f") (result i32) i32.const 42 i32.extend8_s))');
  fs.writeFileSync(path.join(root, 'g.wasm'), withGlobal);
  fs.writeFileSync(path.join(root, 'g.wasm.br'), zlib.brotliCompressSync(withGlobal));
  fs.writeFileSync(path.join(root, 's.wasm'), signExt);
  fs.writeFileSync(path.join(root, 'junk.wasm.br'), Buffer.from('not brotli'));
  const ios = sim(t, { packageRoot: root });
  const android = sim(t, { profile: 'wechat-android', packageRoot: root });
  const iosGlobal = await rejection(ios.global.WXWebAssembly.instantiate('g.wasm.br', {}));
  assert.match(iosGlobal.message, /exporting Global is not supported on iOS/);
  const sx = await rejection(ios.global.WXWebAssembly.instantiate('/s.wasm', {}));
  assert.equal(String(sx), 'CompileError: invalid wasm file');
  assert.match(sx.simDetail, /opcode|sign|0xc0/i);
  assert.equal(String(await rejection(ios.global.WXWebAssembly.instantiate('/junk.wasm.br', {}))), 'CompileError: invalid wasm file');
  for (const p of ['/g.wasm.br', 'g.wasm', '/s.wasm']) {
    const res = await android.global.WXWebAssembly.instantiate(p, {});
    assert.deepEqual(Object.keys(res).sort(), ['instance', 'module']);
    assert.equal(res.instance.exports.f(), 42);
  }
  const bare = sim(t, { profile: 'wechat-android', packageRoot: root, instantiateResult: 'instance' });
  const inst = await bare.global.WXWebAssembly.instantiate('g.wasm', {});
  assert.equal(inst.exports.f(), 42);
  assert.equal(inst.exports.g.value, 7);
  assert.ok(inst instanceof bare.realm.WebAssembly.Instance);
});

test('failNextInstantiate injects transient failures', async (t) => {
  const root = tmpDir();
  fs.writeFileSync(path.join(root, 'f.wasm'), await watToWasm('(module (func (export "f") (result i32) i32.const 1))'));
  const s = sim(t, { packageRoot: root });
  s.failNextInstantiate(1);
  assert.match((await rejection(s.global.WXWebAssembly.instantiate('f.wasm', {}))).message, /transient/);
  assert.equal((await s.global.WXWebAssembly.instantiate('f.wasm', {})).instance.exports.f(), 1);
});

test('wx.getRandomValues: async, callback and Promise styles, 1 MiB cap, fail callback', async (t) => {
  const s = sim(t);
  const wx = s.wx;
  let sync = true;
  const pending = callback(wx.getRandomValues, { length: 32 });
  sync = false;
  const cb = await pending;
  assert.equal(sync, false);
  assert.equal(cb.ok, true);
  assert.ok(cb.res.randomValues instanceof s.realm.ArrayBuffer, 'a realm ArrayBuffer');
  assert.equal(cb.res.randomValues.byteLength, 32);
  assert.equal(cb.res.errMsg, 'getRandomValues:ok');
  const p = wx.getRandomValues({ length: RANDOM_MAX });
  assert.ok(p instanceof s.realm.Promise, 'Promise style without callbacks');
  const big = new Uint8Array((await p).randomValues);
  assert.equal(big.length, RANDOM_MAX);
  assert.ok(big.some((b) => b !== 0));
  const a = new Uint8Array((await wx.getRandomValues({ length: 32 })).randomValues);
  const b = new Uint8Array((await wx.getRandomValues({ length: 32 })).randomValues);
  assert.notDeepEqual(a, b);
  for (const length of [RANDOM_MAX + 1, 0, -1, 1.5, undefined]) {
    const r = await callback(wx.getRandomValues, { length });
    assert.equal(r.ok, false, String(length));
    assert.match(r.res.errMsg, /^getRandomValues:fail/);
  }
  assert.match((await rejection(wx.getRandomValues({ length: RANDOM_MAX + 1 }))).errMsg, /getRandomValues:fail/);
  assert.equal(s.stats.mathRandomCalls, 0);
});

test('wx.request: responder, dataType json vs text, arraybuffer, timeout, no responder', async (t) => {
  const responder = async (req) => {
    if (req.url.endsWith('/slow')) return new Promise(() => {});
    return { statusCode: 201, data: JSON.stringify({ echo: req.body || null, method: req.method }), header: { 'X-Test': '1' } };
  };
  const s = sim(t, { responder, timeScale: 0.01 });
  const json = await callback(s.wx.request, { url: 'https://api.test/a', method: 'post', data: { a: 1 } });
  assert.equal(json.ok, true);
  assert.equal(json.res.statusCode, 201);
  assert.deepEqual({ ...json.res.data }, { echo: '{"a":1}', method: 'POST' });
  assert.equal(json.res.errMsg, 'request:ok');
  assert.equal(s.stats.requests[0].header['content-type'], 'application/json');
  const text = await callback(s.wx.request, { url: 'https://api.test/a', dataType: 'text' });
  assert.equal(typeof text.res.data, 'string');
  assert.equal(text.res.data, '{"echo":null,"method":"GET"}');
  const ab = await callback(s.wx.request, { url: 'https://api.test/a', responseType: 'arraybuffer' });
  assert.ok(ab.res.data instanceof s.realm.ArrayBuffer);
  const q = await callback(s.wx.request, { url: 'https://api.test/q', data: { x: 'a b' } });
  assert.equal(q.ok, true);
  assert.equal(s.stats.requests.at(-1).url, 'https://api.test/q?x=a%20b');
  const slow = await callback(s.wx.request, { url: 'https://api.test/slow', timeout: 1000 });
  assert.equal(slow.ok, false);
  assert.equal(slow.res.errMsg, 'request:fail timeout');
  assert.equal(s.wx.request({ url: 'https://api.test/a' }) instanceof s.realm.Promise, false, 'request returns a RequestTask, not a Promise');
  const none = sim(t);
  const r = await callback(none.wx.request, { url: 'https://api.test/a' });
  assert.equal(r.ok, false);
  assert.match(r.res.errMsg, /request:fail/);
});

test('wx.request and wx.uploadFile reach a real loopback server; other hosts are refused', async (t) => {
  const seen = [];
  const base = await server(t, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, n: seen.length }));
    });
  });
  const s = sim(t, { responder: loopbackResponder() });
  const r = await callback(s.wx.request, { url: base + '/api/x?y=1', method: 'POST', data: '{"k":"v"}', header: { 'Content-Type': 'application/json' } });
  assert.equal(r.ok, true, r.res && r.res.errMsg);
  assert.deepEqual({ ...r.res.data }, { ok: true, n: 1 });
  assert.equal(r.res.header['content-type'], 'application/json');
  assert.deepEqual(seen[0], { method: 'POST', url: '/api/x?y=1', type: 'application/json', body: '{"k":"v"}' });
  const filePath = s.addTempFile(Buffer.from('FILE-BYTES'), 'png');
  const up = await callback(s.wx.uploadFile, { url: base + '/upload', filePath, name: 'file', formData: { a: 'b' } });
  assert.equal(up.ok, true, up.res && up.res.errMsg);
  assert.equal(typeof up.res.data, 'string');
  assert.match(seen[1].type, /^multipart\/form-data; boundary=/);
  assert.match(seen[1].body, /name="a"\r\n\r\nb\r\n/);
  assert.match(seen[1].body, /name="file"; filename="tmp_[0-9a-f]+\.png"[\s\S]*FILE-BYTES/);
  const far = await callback(s.wx.request, { url: 'http://93.184.216.34/' });
  assert.equal(far.ok, false);
  assert.match(far.res.errMsg, /url not in domain list/);
  assert.equal(seen.length, 2);
});

test('wx.login is pluggable and can use the emulator stand-in POST /__platform/wx/login', async (t) => {
  const dflt = sim(t);
  const a = await dflt.wx.login();
  assert.match(a.code, /^sim-code-\d+$/);
  assert.equal(a.errMsg, 'login:ok');
  const bodies = [];
  const base = await server(t, (req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      bodies.push({ url: req.url, method: req.method, body });
      if (req.url !== '/__platform/wx/login') { res.statusCode = 404; res.end('{}'); return; }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ code: 'emu-code-' + bodies.length, errMsg: 'login:ok' }));
    });
  });
  const s = sim(t, { login: platformLogin(base, { user: 'alice' }) });
  const r = await callback(s.wx.login, {});
  assert.equal(r.ok, true);
  assert.equal(r.res.code, 'emu-code-1');
  assert.deepEqual(bodies[0], { url: '/__platform/wx/login', method: 'POST', body: '{"user":"alice"}' });
  const failing = sim(t, { login: async () => { throw new Error('no network'); } });
  const f = await callback(failing.wx.login, {});
  assert.equal(f.ok, false);
  assert.equal(f.res.errMsg, 'login:fail no network');
  assert.equal(failing.stats.logins, 1);
});

test('wx storage APIs: set/get/remove, missing key fails "data not found"', async (t) => {
  const s = sim(t);
  await s.wx.setStorage({ key: 'k', data: { a: [1, 2] } });
  assert.deepEqual(JSON.parse(JSON.stringify((await s.wx.getStorage({ key: 'k' })).data)), { a: [1, 2] });
  await s.wx.removeStorage({ key: 'k' });
  const e = await rejection(s.wx.getStorage({ key: 'k' }));
  assert.equal(e.errMsg, 'getStorage:fail data not found');
  assert.equal(s.wx.getStorageSync('k'), '');
});

test('mini-program require: npm lookup, absolute and relative paths, shadowed browser globals, cache', (t) => {
  const root = tmpDir();
  layoutCodePackage({ pkgDir: PKG, root, files: {
    'utils/a.js': "var b = require('./b'); module.exports = { b: b, win: typeof window, self: typeof self, doc: typeof document, dirname: typeof __dirname, wx: typeof wx };",
    'utils/b.js': 'exports.n = (exports.n || 0) + 1; exports.same = {};',
    'pages/index/index.js': "module.exports = require('../../utils/a.js').b === require('/utils/b');",
    'bad.js': "require('not-a-package');",
  } });
  const s = sim(t, { packageRoot: root });
  const a = s.require('/utils/a.js');
  assert.deepEqual({ ...a, b: undefined }, { b: undefined, win: 'undefined', self: 'undefined', doc: 'undefined', dirname: 'undefined', wx: 'object' });
  assert.equal(s.require('pages/index/index.js'), true);
  assert.equal(s.require('/utils/b').n, 1, 'evaluated once');
  assert.equal(typeof s.require('miniapp-sdk').init, 'function');
  assert.equal(s.require('miniapp-sdk'), s.require('/miniprogram_npm/miniapp-sdk/index.js'));
  assert.throws(() => s.require('bad.js'), /module "not-a-package" is not defined/);
  assert.throws(() => s.require('../outside.js'), /is not defined/);
});

test('realm timers: setTimeout fires, timeScale shortens, close() clears', async (t) => {
  const s = sim(t, { timeScale: 0.01 });
  const t0 = Date.now();
  await new Promise((resolve) => s.global.setTimeout(resolve, 1000));
  assert.ok(Date.now() - t0 < 500);
  const id = s.global.setTimeout(() => { throw new Error('must not run'); }, 100000);
  assert.equal(typeof id, 'number');
  assert.equal(s.pendingTimers(), 1);
  s.close();
  assert.equal(s.pendingTimers(), 0);
});
