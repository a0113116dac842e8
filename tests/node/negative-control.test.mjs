// Negative controls (reference §6.2, §8 item 14): the SDK built the default wasm-pack way must fail
// in the simulator exactly as it fails on devices, or the simulator proves nothing. The default
// build is made once by tests/host-sim/negative-control.mjs and cached under target/negative-control.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { hostSim, codePackage, tmpDir, rejection, PKG, require, echo } from './_helpers.mjs';
import { ensureNegativeControl } from '../host-sim/negative-control.mjs';

const acorn6 = require('acorn6');
let nc;
test.before(async () => { nc = await ensureNegativeControl(); }, { timeout: 600_000 });

/** A code package with the default-feature wasm-bindgen module as the SDK's core.wasm(.br). */
function packageWithDefaultWasm() {
  const root = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir('mp-negctl-') });
  const dir = path.join(root, 'miniprogram_npm', 'miniapp-sdk');
  const bytes = fs.readFileSync(nc.bgWasm);
  fs.writeFileSync(path.join(dir, 'core.wasm'), bytes);
  fs.writeFileSync(path.join(dir, 'core.wasm.br'), zlib.brotliCompressSync(bytes));
  return root;
}

/** Stub imports for every function import of `bytes` (enough to link, not to run). */
function stubImports(sim, bytes) {
  const imports = {};
  for (const imp of WebAssembly.Module.imports(new WebAssembly.Module(bytes))) {
    imports[imp.module] = imports[imp.module] || {};
    if (imp.kind === 'function') imports[imp.module][imp.name] = sim.evaluate('(function () {})');
  }
  return imports;
}

test('raw wasm-bindgen glue: packNpm\'s parser rejects it (ES2020 syntax)', () => {
  const src = fs.readFileSync(nc.glue, 'utf8');
  assert.ok(src.includes('import.meta.url'), 'default --target web glue loads by URL');
  assert.throws(() => acorn6.parse(src, { sourceType: 'module', locations: true, allowHashBang: true }), /Unexpected token/);
});

test('raw glue bundled to CommonJS: require() fails with TextDecoder is not defined', (t) => {
  const root = tmpDir('mp-naive-');
  fs.mkdirSync(path.join(root, 'sdk'));
  fs.copyFileSync(nc.naiveCjs, path.join(root, 'sdk', 'index.js'));
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root });
  t.after(() => sim.close());
  assert.throws(() => sim.require('/sdk/index.js'), (e) => e.name === 'ReferenceError' && e.message === 'TextDecoder is not defined');
  // On a host that has TextDecoder (DevTools-like), the same bundle loads: the failure is the missing global.
  const dev = hostSim.createHost({ profile: 'devtools', packageRoot: root });
  t.after(() => dev.close());
  dev.global.TextDecoder = TextDecoder;
  dev.global.TextEncoder = TextEncoder;
  assert.equal(typeof dev.require('/sdk/index.js').default, 'function');
});

test('default-feature wasm: "invalid wasm file" on the iOS MVP engine, valid on the modern engine', async (t) => {
  const bytes = fs.readFileSync(nc.bgWasm);
  const raw = fs.readFileSync(nc.rawWasm);
  for (const b of [bytes, raw]) {
    assert.equal((await hostSim.validateWasm(b, 'mvp')).ok, false);
    assert.equal((await hostSim.validateWasm(b, 'modern')).ok, true);
  }
  const needed = await hostSim.requiredFeatures(raw);
  for (const f of ['reference_types', 'bulk_memory', 'sat_float_to_int', 'sign_extension']) assert.ok(needed.includes(f), `default build needs ${f}`);

  const root = packageWithDefaultWasm();
  const ios = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root });
  t.after(() => ios.close());
  const e = await rejection(ios.global.WXWebAssembly.instantiate('/miniprogram_npm/miniapp-sdk/core.wasm.br', stubImports(ios, bytes)));
  assert.equal(String(e), 'CompileError: invalid wasm file');
  assert.ok(e instanceof ios.realm.WebAssembly.CompileError);

  // Even an engine with every feature refuses it on iOS: it exports wasm globals.
  const iosModern = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root, wasmFeatures: 'modern' });
  t.after(() => iosModern.close());
  const g = await rejection(iosModern.global.WXWebAssembly.instantiate('miniprogram_npm/miniapp-sdk/core.wasm.br', stubImports(iosModern, bytes)));
  assert.match(g.message, /exporting Global is not supported on iOS \(exports .*__abort_handler/);

  const android = hostSim.createHost({ profile: 'wechat-android', packageRoot: root });
  t.after(() => android.close());
  const ok = await android.global.WXWebAssembly.instantiate('/miniprogram_npm/miniapp-sdk/core.wasm.br', stubImports(android, bytes));
  assert.ok(ok.instance.exports.memory);
  assert.ok(ok.instance.exports.__wbindgen_externrefs, 'externref glue');
});

test('the shipped loader with the default-feature wasm: init rejects WASM_LOAD "invalid wasm file" (after a retry)', async (t) => {
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: packageWithDefaultWasm(), responder: echo });
  t.after(() => sim.close());
  const e = await rejection(sim.require('miniapp-sdk').init());
  assert.equal(e.code, 'WASM_LOAD');
  assert.match(e.message, /invalid wasm file/);
  assert.equal(sim.stats.instantiate.length, 2);
});

test('bytes handed to WXWebAssembly.instantiate are rejected', async (t) => {
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: codePackage() });
  t.after(() => sim.close());
  const bytes = fs.readFileSync(path.join(PKG, 'core.wasm'));
  const u8 = new sim.realm.Uint8Array(bytes.length);
  u8.set(bytes);
  for (const src of [u8, u8.buffer]) {
    const e = await rejection(sim.global.WXWebAssembly.instantiate(src, {}));
    assert.equal(e.name, 'TypeError');
    assert.match(e.message, /first argument must be a string/);
  }
  // What the default glue's init(bytes) does on a WeChat host without WebAssembly.
  assert.equal(sim.evaluate('typeof WebAssembly'), 'undefined');
});
