// Build gates on the built package (reference §7.1 step 4-6, §8 items 14, 15, 24).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { INSTALLED, PKG, ROOT, require, hostSim, tmpDir } from './_helpers.mjs';

const DIST = path.join(PKG, 'miniprogram_dist');
const acorn6 = require('acorn6');
const pkgJson = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));

const wasmFiles = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.wasm')).map((f) => path.join(dir, f));
const distJs = () => fs.readdirSync(DIST).filter((f) => f.endsWith('.js')).map((f) => path.join(DIST, f));

// The exact options miniprogram-ci's packNpm ("构建 npm") passes to acorn, checked against its source below.
const PACKNPM_ACORN_OPTIONS = { sourceType: 'module', locations: true, allowHashBang: true };

test('every shipped .wasm validates with all post-MVP features disabled (except mutable-globals)', async () => {
  const files = [...wasmFiles(PKG), ...wasmFiles(DIST)];
  assert.ok(files.some((f) => path.basename(f) === 'core.wasm'), 'core.wasm is shipped');
  for (const f of files) {
    const r = await hostSim.validateWasm(fs.readFileSync(f), 'mvp');
    assert.equal(r.ok, true, `${path.relative(ROOT, f)}: ${r.error}`);
    assert.deepEqual(await hostSim.requiredFeatures(fs.readFileSync(f)), [], 'needs no post-MVP feature');
  }
  const all = hostSim.FEATURE_PROFILES.mvp;
  assert.deepEqual(Object.keys(all).filter((k) => all[k]), ['mutable_globals'], 'the gate really disables every other feature');
});

test('the gate itself rejects a post-MVP module (sign-extension)', async () => {
  const bytes = await hostSim.watToWasm('(module (func (export "f") (param i32) (result i32) local.get 0 i32.extend8_s))');
  assert.equal((await hostSim.validateWasm(bytes, 'mvp')).ok, false);
  assert.equal((await hostSim.validateWasm(bytes, 'modern')).ok, true);
});

test('shipped wasm exports no globals and no tables; .br files decompress to the .wasm next to them', () => {
  for (const f of [...wasmFiles(PKG), ...wasmFiles(DIST)]) {
    const bytes = fs.readFileSync(f);
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(bytes));
    assert.deepEqual(exports.filter((e) => e.kind === 'global' || e.kind === 'table'), [], path.relative(ROOT, f));
    assert.ok(exports.some((e) => e.kind === 'memory'));
    const br = f + '.br';
    assert.ok(fs.existsSync(br), `${path.relative(ROOT, br)} exists`);
    assert.ok(zlib.brotliDecompressSync(fs.readFileSync(br)).equals(bytes), `${path.relative(ROOT, br)} matches`);
  }
});

test('packNpm parses with acorn 6.4.2 using exactly these options', () => {
  const packnpm = fs.readFileSync(require.resolve('miniprogram-ci/dist/modules/corecompiler/original/npm/packnpm.js'), 'utf8');
  assert.ok(packnpm.includes('acorn.parse(e,{sourceType:"module",locations:!0,allowHashBang:!0'), 'packNpm still calls acorn.parse with {sourceType:"module", locations, allowHashBang} (update the gate if this changes)');
  const ciAcorn = require(require.resolve('acorn', { paths: [path.dirname(require.resolve('miniprogram-ci/dist/modules/corecompiler/original/npm/packnpm.js'))] }));
  assert.equal(ciAcorn.version, '6.4.2');
  assert.equal(acorn6.version, '6.4.2');
  // acorn 6 defaults to ecmaVersion 9 (ES2018) and rejects ES2019+ syntax such as ?. and catch {}
  for (const modern of ['a?.b', 'a ?? b', 'try {} catch {}', 'class A { x = 1 }', '1n']) {
    assert.throws(() => acorn6.parse(modern, PACKNPM_ACORN_OPTIONS), /Unexpected|Identifier directly after number|Unexpected character/, modern);
  }
});

test('miniprogram_dist JS parses with acorn 6 (packNpm options and ecmaVersion 2017) and uses no forbidden APIs', () => {
  const files = distJs();
  assert.ok(files.some((f) => path.basename(f) === 'index.js'));
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    const name = path.relative(ROOT, f);
    const ast = acorn6.parse(src, PACKNPM_ACORN_OPTIONS);
    acorn6.parse(src, { ecmaVersion: 2017, sourceType: 'script', allowHashBang: true });
    for (const forbidden of ['import.meta', 'fetch(', 'eval(', 'new Function', 'new URL(', 'document.']) {
      assert.ok(!src.includes(forbidden), `${name} contains ${forbidden}`);
    }
    // Self-contained CommonJS: no import/export statements, no dynamic import(), no require() of anything.
    const requires = [];
    const walk = (node) => {
      if (!node || typeof node.type !== 'string') return;
      if (/^(Import|Export)/.test(node.type)) requires.push(node.type);
      if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'require') {
        requires.push('require(' + (node.arguments[0] && node.arguments[0].value) + ')');
      }
      for (const key of Object.keys(node)) {
        const v = node[key];
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v.type === 'string') walk(v);
      }
    };
    walk(ast);
    const relative = requires.filter((r) => /^require\(\.\/[\w.-]+\)$/.test(r) && fs.existsSync(path.join(DIST, r.slice(10, -1).replace(/(\.js)?$/, '.js'))));
    assert.deepEqual(requires.filter((r) => !relative.includes(r)), [], `${name} must not depend on modules outside miniprogram_dist`);
    assert.match(src, /module\.exports\s*=|exports\.\w+\s*=/, `${name} is CommonJS`);
  }
});

test('main/miniprogram entries are identical CommonJS bundles', () => {
  assert.ok(fs.readFileSync(path.join(PKG, 'index.js')).equals(fs.readFileSync(path.join(DIST, 'index.js'))));
});

test('package.json: main/module/types/exports/miniprogram point at existing files', () => {
  assert.equal(pkgJson.name, 'miniapp-sdk');
  assert.equal(pkgJson.miniprogram, 'miniprogram_dist');
  for (const key of ['main', 'module', 'types']) {
    assert.equal(typeof pkgJson[key], 'string', key);
    assert.ok(fs.existsSync(path.join(PKG, pkgJson[key])), `${key}: ${pkgJson[key]}`);
  }
  assert.ok(fs.statSync(path.join(PKG, pkgJson.miniprogram)).isDirectory());
  assert.ok(fs.existsSync(path.join(PKG, pkgJson.miniprogram, 'index.js')), 'miniprogram_dist/index.js (packNpm entry)');
  const targets = [];
  const collect = (v) => { if (typeof v === 'string') targets.push(v); else if (v && typeof v === 'object') Object.values(v).forEach(collect); };
  collect(pkgJson.exports);
  assert.ok(pkgJson.exports['.'], 'exports["."]');
  assert.equal(Object.keys(pkgJson.exports['.'])[0], 'types', 'types condition first');
  for (const tgt of targets) assert.ok(fs.existsSync(path.join(PKG, tgt)), `exports target ${tgt}`);
  for (const f of pkgJson.files || []) assert.ok(fs.existsSync(path.join(PKG, f)), `files entry ${f}`);
});

test('the packed tarball ships a README for app developers, both licence texts and the version of Cargo.toml', () => {
  for (const f of ['README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'package.json']) assert.ok(INSTALLED.files.includes(f), `${f} in the tarball: ${INSTALLED.files.join(', ')}`);
  assert.equal(pkgJson.license, 'MIT OR Apache-2.0');
  assert.match(fs.readFileSync(path.join(PKG, 'LICENSE-MIT'), 'utf8'), /^MIT License\n[\s\S]*Permission is hereby granted, free of charge/);
  const apache = fs.readFileSync(path.join(PKG, 'LICENSE-APACHE'), 'utf8');
  assert.match(apache, /Apache License\s+Version 2\.0, January 2004/);
  assert.match(apache, /END OF TERMS AND CONDITIONS/, 'the whole Apache text');
  const readme = fs.readFileSync(path.join(PKG, 'README.md'), 'utf8');
  for (const s of ['npm install', '构建 npm', "require('miniapp-sdk/alipay')", 'wasmPath', 'loginByPassword']) assert.ok(readme.includes(s), `README mentions ${s}`);
  const cargo = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8').match(/\[package\][^[]*?\nversion = "([^"]+)"/)[1];
  assert.equal(pkgJson.version, cargo, 'package.json version = Cargo.toml [package] version');
  assert.ok(INSTALLED.tarball.endsWith(`miniapp-sdk-${cargo}.tgz`), INSTALLED.tarball);
});

test('Node resolves the package through its exports (require and import)', async () => {
  const root = tmpDir('mp-resolve-');
  fs.mkdirSync(path.join(root, 'node_modules'));
  fs.symlinkSync(PKG, path.join(root, 'node_modules', 'miniapp-sdk'), 'dir');
  fs.writeFileSync(path.join(root, 'probe.cjs'), "const s = require('miniapp-sdk'); process.stdout.write(JSON.stringify([typeof s.init, typeof s.configure, s.version]));");
  fs.writeFileSync(path.join(root, 'probe.mjs'), "import * as s from 'miniapp-sdk'; process.stdout.write(JSON.stringify([typeof s.init, typeof s.configure, s.version]));");
  const expected = JSON.stringify(['function', 'function', pkgJson.version]);
  assert.equal(execFileSync(process.execPath, ['probe.cjs'], { cwd: root, encoding: 'utf8' }), expected);
  // The CJS entry marks itself as compiled ESM for bundlers' default-import interop (as esbuild's
  // wrapper did), without listing the marker among its exports.
  fs.writeFileSync(path.join(root, 'marker.cjs'), "const s = require('miniapp-sdk'); process.stdout.write(JSON.stringify([s.__esModule, Object.keys(s).includes('__esModule')]));");
  assert.equal(execFileSync(process.execPath, ['marker.cjs'], { cwd: root, encoding: 'utf8' }), '[true,false]');
  assert.equal(execFileSync(process.execPath, ['probe.mjs'], { cwd: root, encoding: 'utf8' }), expected,
    'Node ESM import: exports["."] lists "node" (→ index.js, CJS) before "import", and the minified neutral-platform CJS bundle has no named exports cjs-module-lexer can detect');
});

test('index.d.ts compiles with tsc --strict, and misuse is a type error', () => {
  const root = tmpDir('mp-tsc-');
  fs.mkdirSync(path.join(root, 'node_modules'));
  fs.symlinkSync(PKG, path.join(root, 'node_modules', 'miniapp-sdk'), 'dir');
  const tsconfig = { compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2017', lib: ['es2017'], types: [], skipLibCheck: false } };
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify(tsconfig));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.writeFileSync(path.join(root, 'good.ts'), `
import { init, configure, defaultWasmPath, version } from 'miniapp-sdk';
import type { Host, HostRequest, HostResponse, SdkError } from 'miniapp-sdk';
const host: Host = {
  request: async (req: HostRequest): Promise<HostResponse> => ({ statusCode: 200, data: req.url }),
  getRandomValues: async (n: number) => new Uint8Array(n),
  callTimeoutMs: 1000,
};
configure({ wasmPath: '/miniprogram_npm/miniapp-sdk/core.wasm.br' });
const p: string | undefined = defaultWasmPath('wx');
const v: string = version;
async function main(): Promise<string> {
  const { core } = await init({ host, wasmPath: '/x/core.wasm.br' });
  const r = await core.ping('https://x');
  const n: number = r.statusCode;
  const s: string = r.data;
  try { return await core.encryptPassword('sm2', '04ab', 'pw'); } catch (e) { const err = e as SdkError; return err.code + n + s + p + v; }
}
void main;
`);
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const compile = (file) => {
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (e) {
      return String(e.stdout) + String(e.stderr);
    } finally {
      void file;
    }
  };
  assert.equal(compile('good.ts'), '', 'good.ts compiles');
  fs.writeFileSync(path.join(root, 'bad.ts'), `
import { init } from 'miniapp-sdk';
async function bad() { const { core } = await init(); await core.encryptPassword('aes', 'k', 'pw'); const n: string = (await core.ping('u')).statusCode; return n; }
void bad;
`);
  const out = compile('bad.ts');
  assert.match(out, /bad\.ts.*error TS2345.*"aes"/s, 'a wrong kind is rejected');
  assert.match(out, /error TS2322/, 'statusCode is a number');
});

test('package size budget: SDK JS + core.wasm.br in the main package ≤ 300 KB (limit 2 MB)', () => {
  const size = (f) => fs.statSync(path.join(DIST, f)).size;
  const total = size('index.js') + size('core.wasm.br');
  assert.ok(total <= 300 * 1024, `index.js + core.wasm.br = ${total} B`);
  // The raw module ships at the package root only (the mini-program loader reads the .br).
  const brRatio = size('core.wasm.br') / fs.statSync(path.join(PKG, 'core.wasm')).size;
  assert.ok(brRatio < 0.6, `brotli q11 ratio ${brRatio.toFixed(2)}`);
});
