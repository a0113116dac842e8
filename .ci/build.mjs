#!/usr/bin/env node
// Builds pkg/: the npm package, whose wasm runs on iOS WeChat (Wasm 1.0 + mutable-globals).
//
//   cargo build without reference-types and multivalue (see WASM_RUSTFLAGS)
//   -> wasm-opt lowering of bulk-memory/sign-ext/nontrapping-fptoint + --strip-target-features
//   -> wasm-bindgen --target web --omit-default-module-path --encode-into never (slab glue)
//   -> wasm-opt -Oz with MVP features only -> drop exported globals -> core.wasm + core.wasm.br
//   -> glue patched to import the mp-shim, bundled with js-shim/ by esbuild to CJS + ESM at ES2017
//   -> the same wasm, unaligned accesses as helper calls, through binaryen's wasm2js for hosts
//      without WebAssembly (alipay*.js), then terser
// Three variants: full (Authing + MPServerless), serverless-only (no RSA/SM2 code) and auth-only.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { cargoTargetDir } from './cargo-target.mjs';
import { dropExports, i64Boundary, minifyNames } from './wasm-sections.mjs';
import { callUnaligned } from './w2j-unaligned.mjs';
import { extractSegments, injectSegments } from './w2j-data.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'target', 'mp');
const pkg = path.join(root, 'pkg');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(cmd, args, env) {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
}

function step(name, fn) {
  const t = Date.now();
  process.stdout.write(`build: ${name}...\n`);
  const r = fn();
  process.stdout.write(`build: ${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  return r;
}

// iOS WeChat rejects post-MVP features. Disabling reference-types also makes wasm-bindgen emit
// heap-slab glue instead of an externref table; bulk-memory, sign-ext and nontrapping-fptoint,
// which the precompiled std still contains, are lowered by wasm-opt below. Set here rather than in
// .cargo/config.toml so that `wasm-pack test` in Chrome keeps the default features (wasm-bindgen
// cannot process a reference-types-less module before the lowering step).
// `getrandom_backend="custom"`: getrandom's backend is the SDK's DRBG (as in .cargo/config.toml,
// which RUSTFLAGS replaces).
export const WASM_RUSTFLAGS = '-C target-feature=-reference-types,-multivalue --cfg getrandom_backend="custom"';

/**
 * `--remap-path-prefix` for each crates.io source directory of this machine: panic locations of
 * dependencies are written as `talc-4.4.3/src/talc.rs` instead of
 * `/root/.cargo/registry/src/index.crates.io-<hash>/talc-4.4.3/src/talc.rs`, so the wasm does not
 * carry the build machine's home path (core-serverless.wasm -408 B, alipay-serverless.js -544 B).
 * std's `/rustc/<commit>/library/...` paths come precompiled and stay.
 */
export function remapFlags() {
  const src = path.join(process.env.CARGO_HOME || path.join(os.homedir(), '.cargo'), 'registry', 'src');
  const dirs = fs.existsSync(src) ? fs.readdirSync(src).filter((d) => !/\s/.test(d)) : [];
  return dirs.map((d) => ` --remap-path-prefix=${path.join(src, d)}/=`).join('');
}

export const LOWERING_FLAGS = [
  '--enable-bulk-memory', '--enable-bulk-memory-opt', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', '--enable-call-indirect-overlong',
  '--signext-lowering', '--llvm-memory-copy-fill-lowering', '--llvm-nontrapping-fptoint-lowering', '--strip-target-features',
];

export const GLUE_IMPORT = "import { WebAssembly, TextEncoder, TextDecoder, unsupportedLoad, globalThis } from './mp-shim-entry.js';\n";

/** Makes the wasm-bindgen web glue load through the mp-shim (no global writes, no fetch). */
export function patchGlue(src) {
  if (src.includes('import.meta')) throw new Error('glue still references import.meta: was --omit-default-module-path passed?');
  // The loader always passes a WasmPath, so the glue's Response/Request branches are dead; their
  // `typeof Response` probes also make Node load undici at startup (cold start 42 ms -> 11 ms).
  return GLUE_IMPORT + src
    .replace(/\bfetch\(/g, 'unsupportedLoad(')
    .replace(/typeof Response === 'function'/g, 'false')
    .replace(/typeof Request === 'function'/g, 'false');
}

/**
 * Import functions of the glue whose code is identical (wasm-bindgen emits one per Rust-side
 * binding, e.g. two `new Promise` and two `.length` getters): keeps the first and returns
 * `{glue, alias}`, alias mapping each dropped import name to the kept one (minifyNames gives both
 * the same wasm import name).
 */
export function dedupeImports(glue) {
  const start = glue.indexOf('const import0 = {');
  const end = glue.indexOf('\n    };\n', start);
  if (start < 0 || end < 0) throw new Error('glue has no `const import0 = {...}` block');
  const block = glue.slice(start, end);
  const entries = block.split(/\n(?=        [\w$]+: )/).slice(1);
  const seen = new Map();
  const alias = {};
  const kept = [];
  for (const e of entries) {
    const [, name, body] = e.match(/^        ([\w$]+): ([\s\S]*)$/);
    if (seen.has(body)) alias[name] = seen.get(body);
    else { seen.set(body, name); kept.push(e); }
  }
  const head = block.split(/\n(?=        [\w$]+: )/)[0];
  return { glue: glue.slice(0, start) + [head, ...kept].join('\n') + glue.slice(end), alias };
}

/** Applies minifyNames' maps to the glue: import-object keys, the module key and `wasm.x` calls. */
export function renameGlue(glue, { modules, imports, exports }, alias = {}) {
  let out = glue;
  for (const [from, to] of Object.entries(modules)) {
    const key = JSON.stringify(from);
    if (!out.includes(key + ':')) throw new Error(`glue has no import module ${key}`);
    out = out.split(key + ':').join(JSON.stringify(to) + ':');
  }
  const swap = (re, name, to) => {
    const next = out.replace(re, (m, pre) => pre + to);
    if (next === out) throw new Error(`glue does not reference wasm name ${name}: re-check the name minification`);
    out = next;
  };
  const esc = (s) => s.replace(/[$]/g, '\\$&');
  for (const [from, to] of Object.entries(imports)) if (!(from in alias)) swap(new RegExp(`(^|[\\s,{])${esc(from)}(?=:)`, 'gm'), from, to);
  for (const [from, to] of Object.entries(exports)) out = out.replace(new RegExp(`(\\bwasm\\.)${esc(from)}\\b`, 'g'), (m, pre) => pre + to);
  const short = new Set(['memory', ...Object.values(exports)]);
  const stale = [...out.matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1]).filter((n) => !short.has(n));
  if (stale.length) throw new Error(`glue calls wasm exports the module does not have: ${[...new Set(stale)].join(', ')}`);
  return out;
}

/**
 * Drops glue the loader never reaches: initSync (the loader instantiates asynchronously) and the
 * deprecated-argument and string/URL branches of the init function (the loader always passes
 * `{module_or_path}` with a WasmPath, or the wasm2js factory).
 */
export function trimGlue(glue) {
  const edits = [
    [/export \{ initSync, __wbg_init as default \};/, 'export { __wbg_init as default };'],
    [/if \(module_or_path !== undefined\) \{\s*if \(Object\.getPrototypeOf\(module_or_path\) === Object\.prototype\) \{\s*\(\{module_or_path\} = module_or_path\)\s*\} else \{\s*console\.warn\([^\n]*\)\s*\}\s*\}/,
      '({module_or_path} = module_or_path);'],
    [/if \(typeof module_or_path === 'string' \|\| \(false && module_or_path instanceof Request\) \|\| \(typeof URL === 'function' && module_or_path instanceof URL\)\) \{\s*module_or_path = unsupportedLoad\(module_or_path\);\s*\}/,
      ''],
  ];
  let out = glue;
  // One no-op stand-in and one constructor call for the four FinalizationRegistry instances.
  const registry = /\(typeof FinalizationRegistry === 'undefined'\)\s*\? \{ register: \(\) => \{\}, unregister: \(\) => \{\} \}\s*: new FinalizationRegistry\(/g;
  if (!registry.test(out)) throw new Error('glue FinalizationRegistry pattern not found');
  out = out.replace(registry, 'newRegistry(') + "\nfunction newRegistry(f) {\n    return typeof FinalizationRegistry === 'undefined' ? { register() {}, unregister() {} } : new FinalizationRegistry(f);\n}\n";
  for (const [re, to] of edits) {
    const next = out.replace(re, to);
    if (next === out) throw new Error(`glue pattern not found: ${re}`);
    out = next;
  }
  return out;
}

/**
 * Glue the SDK's own use makes smaller without changing what it does (index.js 33 160 -> 31 893 B
 * on 2026-12-08, each edit's share in brackets; tests/node/glue-slim.test.mjs pins them):
 * - the `catch` imports: `handleError(f)` wraps `f` once instead of every import passing
 *   `arguments` (-226 B);
 * - `js_sys::global()`: the glue's `globalThis` is the mp-shim's empty object, always an object, so
 *   the `self`/`window`/`global` fallbacks are never reached (they become one `0` import, -257 B);
 * - (passStringToWasm0 keeps wasm-bindgen's ASCII loop and realloc/encodeInto for the rest: one
 *   TextEncoder.encode per string was -421 B but slowed the MPServerless scenario in the Alipay
 *   realm, whose only encoder is the shim's JS one, 14.7/14.9 -> 16.4/15.8 ms in two interleaved
 *   runs on 2026-12-08);
 * - the cached DataView is renewed whenever the memory's buffer changed (grown: detached, or
 *   wasm2js: replaced, where `detached` stays false), one comparison instead of the `detached`
 *   probes (-52 B);
 * - AuthingCore and ServerlessClient lose `free()`/`Symbol.dispose`: the facades keep them
 *   private and never free them (FinalizationRegistry does); `Core`, which `init()` hands to
 *   apps, keeps both (-312 B);
 * - methods with several string arguments no longer free the ones already passed when a later
 *   one throws in TextEncoder.encode (a Symbol, a throwing toString): the facades pass strings,
 *   and an app's bad `encryptPassword` argument still throws, leaking only those bytes (-122 B);
 * - `instanceof WebAssembly.Instance` after instantiate: both shims resolve `{instance, module}`,
 *   so the mp-shim needs no Instance/Module getters (-178 B).
 */
export function slimGlue(glue) {
  let out = glue;
  const edit = (re, to, what) => {
    const next = out.replace(re, to);
    if (next === out) throw new Error(`glue pattern not found (${what}): re-check slimGlue against this wasm-bindgen`);
    out = next;
  };
  edit(/: function\(\) \{ return handleError\((function \([^)]*\) \{\n[\s\S]*?\n        \}), arguments\); \},/g, ': handleError($1),', 'handleError imports');
  edit(/function handleError\(f, args\) \{\n    try \{\n        return f\.apply\(this, args\);\n    \} catch \(e\) \{\n        (wasm\.[\w$]+)\(addHeapObject\(e\)\);\n    \}\n\}/,
    'function handleError(f) {\n    return (...args) => {\n        try {\n            return f(...args);\n        } catch (e) {\n            $1(addHeapObject(e));\n        }\n    };\n}', 'handleError');
  edit(/(__wbg_static_accessor_GLOBAL_THIS_\w+: function\(\) \{\n)            const ret = typeof globalThis === 'undefined' \? undefined : globalThis;\n            return isLikeNone\(ret\) \? 0 : addHeapObject\(ret\);/,
    '$1            return addHeapObject(globalThis);', 'GLOBAL_THIS accessor');
  edit(/(__wbg_static_accessor_(?:GLOBAL|SELF|WINDOW)_[0-9a-f]+: function\(\) \{\n)            const ret = typeof \w+ === 'undefined' \? undefined : \w+;\n            return isLikeNone\(ret\) \? 0 : addHeapObject\(ret\);/g,
    '$1            return 0;', 'global fallbacks');
  edit(/cachedDataViewMemory0\.buffer\.detached === true \|\| \(cachedDataViewMemory0\.buffer\.detached === undefined && (cachedDataViewMemory0\.buffer !== wasm\.memory\.buffer)\)/,
    '$1', 'DataView cache');
  // Both shims' WebAssembly.instantiate resolve `{instance, module}` (mp-shim.js, w2j-shim.js).
  edit(/const instance = await WebAssembly\.instantiate\(module, imports\);\n\n        if \(instance instanceof WebAssembly\.Instance\) \{\n            return \{ instance, module \};\n        \} else \{\n            return instance;\n        \}/,
    'return await WebAssembly.instantiate(module, imports);', 'Instance probe');
  // Only the variants with such a method (the serverless-only glue has none).
  if (/\} catch \(e\) \{\n            if \(ptr1\)/.test(out)) edit(/        let (ptr0, len0[^;]*);\n        try \{\n([\s\S]*?)\n        \} catch \(e\) \{\n(?:            if \(ptr\d\) \{[^\n]*\}\n)+            throw e;\n        \}\n/g,
    '        let $1;\n$2\n', 'string-argument cleanup');
  for (const cls of ['AuthingCore', 'ServerlessClient'].filter((c) => out.includes(`export class ${c} {`))) {
    edit(new RegExp(`(export class ${cls} \\{\\n)    __destroy_into_raw\\(\\) \\{[\\s\\S]*?\\n    \\}\\n    free\\(\\) \\{[\\s\\S]*?\\n    \\}\\n`), '$1', `${cls}.free`);
    edit(new RegExp(`\\nif \\(Symbol\\.dispose\\) ${cls}\\.prototype\\[Symbol\\.dispose\\] = ${cls}\\.prototype\\.free;\\n`), '\n', `${cls} dispose`);
  }
  return out;
}

function brotli(buf) {
  return zlib.brotliCompressSync(buf, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  });
}

/** The artifacts: each is a cargo feature set, a wasm file, a JS entry and a wasm2js twin. */
export const VARIANTS = [
  { name: 'full', cargo: [], wasmFile: 'core', entry: 'index.js', out: 'index', w2j: 'alipay' },
  { name: 'serverless', cargo: ['--no-default-features', '--features', 'serverless'], wasmFile: 'core-serverless', entry: 'serverless.js', out: 'serverless', w2j: 'alipay-serverless' },
  { name: 'auth', cargo: ['--no-default-features', '--features', 'auth'], wasmFile: 'core-auth', entry: 'auth.js', out: 'auth', w2j: 'alipay-auth' },
];

/** Turns binaryen's wasm2js ES module into `export default function (imports) { ... }`. */
export function makeFactory(w2jSource) {
  const cut = w2jSource.indexOf('var retasmFunc');
  if (cut < 0) throw new Error('unexpected wasm2js output: no retasmFunc');
  const body = w2jSource.slice(0, cut).replace(/^import \* as .*$/gm, '');
  return body + '\nexport default function (imports) { return asmFunc(imports); }\n';
}

/**
 * wasm2js grows memory by allocating a new ArrayBuffer without detaching the old one; the glue
 * refreshes its cached views only when byteLength is 0, so they must compare buffers instead.
 */
export function patchGlueForW2j(glue) {
  const patched = glue.replace(/(cached[A-Za-z0-9]+Memory0)\.byteLength === 0/g, '$1.buffer !== wasm.memory.buffer');
  if (patched === glue) throw new Error('glue memory-cache pattern not found: re-check the wasm2js memory-growth patch');
  return patched.replace("from './mp-shim-entry.js'", "from './w2j-shim-entry.js'");
}

/** The package version: Cargo.toml's `[package] version`, the one place it is written. */
export function packageVersion() {
  const toml = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
  const m = toml.match(/\[package\][^[]*?\nversion = "([^"]+)"/);
  if (!m) throw new Error('Cargo.toml has no [package] version');
  return m[1];
}

/**
 * Host bytes per seed, src/crypto/rng.rs `RESEED_BYTES` (its one definition): init() asks the host
 * for them when it starts the load, before the core exists to say how many.
 */
export function seedBytes() {
  const m = fs.readFileSync(path.join(root, 'src', 'crypto', 'rng.rs'), 'utf8').match(/\npub const RESEED_BYTES: usize = (\d+);/);
  if (!m) throw new Error('src/crypto/rng.rs has no `pub const RESEED_BYTES: usize = N;`');
  return Number(m[1]);
}

function esbuildCommon(entry, alias, define) {
  return {
    entryPoints: [path.join(root, 'js-shim', entry)],
    bundle: true,
    target: 'es2017',
    platform: 'neutral',
    minify: true,
    legalComments: 'none',
    // Private members (`_x`, and the glue's `__wbg_ptr`/`__destroy_into_raw`) get short names. Never
    // matches wasm export/import names (`wasm.x` calls use `__wbindgen_*`/short names, not `_x`).
    mangleProps: /^(_[a-zA-Z]|__wbg_ptr$|__destroy_into_raw$)/,
    alias,
    define: { ...define, __MINIAPP_VERSION__: JSON.stringify(packageVersion()), __MINIAPP_SEED_BYTES__: String(seedBytes()) },
    logLevel: 'warning',
  };
}

/** esbuild's options for the entry of variant `v` on a wasm engine (the glue in target/mp/<variant>/js/). */
export function wasmEntryOptions(v) {
  return esbuildCommon(v.entry, {
    'miniapp-core-glue': path.join(out, v.name, 'js', 'core.js'),
    'miniapp-core-source': path.join(root, 'js-shim', 'source-wasm.js'),
  }, { __MINIAPP_WASM_FILE__: JSON.stringify(v.wasmFile) });
}

/**
 * terser over an esbuild entry, in place (index.js -509 B, serverless.js -421 B on 2026-12-08, and
 * -636 B more on index.js with unsafe_arrows);
 * the CommonJS annotation `0&&(module.exports={...})`, dead code to a minifier but what lets
 * Node's ESM loader see the named exports, is kept as it is.
 */
function terserEntry(file, tmp, options = ['--compress', 'passes=3,unsafe_arrows=true,toplevel=true,hoist_funs=true', '--mangle'], asModule = file.endsWith('.mjs')) {
  const src = fs.readFileSync(file, 'utf8');
  const tail = src.match(/0&&\(module\.exports=\{[^}]*\}\);\n?$/);
  fs.writeFileSync(tmp, tail ? src.slice(0, tail.index) : src);
  // unsafe_arrows: function expressions that use neither `this` nor `arguments` become arrows
  // (-636 B on index.js); none of the SDK's is called with `new` or has its prototype read.
  // toplevel: the CJS entry's top-level bindings are module-local too (every host wraps a CommonJS
  // file in a function), so terser may inline and drop them as it does in module mode; with
  // hoist_funs and a third pass: index.js -534 B, serverless.js -383 B, auth.js -498 B, index.mjs
  // -72 B (2026-12-08).
  const min = execFileSync(bin('terser'), [tmp, ...(asModule ? ['--module'] : []), '--ecma', '2017', ...options],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  fs.writeFileSync(file, min + (tail ? '\n' + tail[0] : '\n'));
}

/**
 * The CommonJS entry from the minified ESM one: the same code, its closing `export{a as X,...}` as
 * `module.exports={X:a,...}` plus a non-enumerable `__esModule`, as esbuild's CJS wrapper sets it
 * (bundlers' interop), under "use strict" (terser minified it as a module). Node's ESM loader reads
 * the named exports off that object literal, so esbuild's __export/__copyProps/__toCommonJS getters
 * and the `0&&(module.exports=...)` annotation are not needed (index.js -420 B, serverless.js -528 B, auth.js -575 B on 2026-12-08). The
 * exports are classes, functions and constants, so plain properties equal the getters.
 */
export function cjsFromEsm(mjs) {
  const m = mjs.match(/export\{([^}]*)\};?\s*$/);
  if (!m) throw new Error('minified ESM entry does not end with one export{...} statement');
  const props = m[1].split(',').map((s) => {
    const [local, name = local] = s.trim().split(' as ');
    if (!/^[\w$]+$/.test(local) || !/^[\w$]+$/.test(name)) throw new Error(`unexpected export clause ${s}`);
    return `${name}:${local}`;
  });
  return `"use strict";${mjs.slice(0, m.index)}module.exports={${props.join(',')}};Object.defineProperty(module.exports,"__esModule",{value:!0});\n`;
}

function buildVariant(v, report) {
  const dir = path.join(out, v.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'bindgen'), { recursive: true });
  step(`[${v.name}] cargo build (wasm32, release)`, () => run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'miniapp-sdk', ...v.cargo], { RUSTFLAGS: WASM_RUSTFLAGS + remapFlags() }));
  const raw = path.join(cargoTargetDir(root), 'wasm32-unknown-unknown', 'release', 'miniapp_sdk.wasm');
  // A copy that still has its name section, for the size profile (tests/bench/size-profile.mjs).
  fs.copyFileSync(raw, path.join(dir, 'named.wasm'));
  const lowered = path.join(dir, 'lowered.wasm');
  step(`[${v.name}] wasm-opt lowering`, () => run(bin('wasm-opt'), [raw, '-o', lowered, ...LOWERING_FLAGS]));
  step(`[${v.name}] wasm-bindgen`, () => run('wasm-bindgen', [lowered, '--out-dir', path.join(dir, 'bindgen'), '--out-name', 'core', '--target', 'web',
    '--omit-default-module-path', '--encode-into', 'never']));
  step(`[${v.name}] wasm-opt -Oz (MVP features)`, () => run(bin('wasm-opt'), [path.join(dir, 'bindgen', 'core_bg.wasm'), '-o', path.join(dir, 'core.opt.wasm'), '-Oz',
    '--mvp-features', '--enable-mutable-globals', '--strip-debug', '--strip-producers']));
  packageVariant(v, report);
}

/** Everything after wasm-opt, from target/mp/<variant>/{core.opt.wasm,bindgen/core.js} (`--js-only` reruns just this). */
function packageVariant(v, report) {
  const dir = path.join(out, v.name);
  const { bytes: unexported, dropped } = dropExports(fs.readFileSync(path.join(dir, 'core.opt.wasm')), 'global');
  // Short import/export names: the glue's import object and `wasm.x` calls shrink by ~2.6 KB (the
  // wasm by as much); wasm2js below translates this same module, so both glues use one map.
  const deduped = dedupeImports(slimGlue(trimGlue(patchGlue(fs.readFileSync(path.join(dir, 'bindgen', 'core.js'), 'utf8')))));
  const names = minifyNames(unexported, ['memory'], deduped.alias);
  const wasm = names.bytes;
  const optimised = path.join(dir, 'core.min.wasm');
  fs.writeFileSync(optimised, wasm);
  const br = brotli(wasm);
  // Node and browsers load the raw .wasm from the package root; WeChat's npm build copies only
  // miniprogram_dist/, whose loader reads the .wasm.br alone, so the raw copy stays out of it.
  fs.writeFileSync(path.join(pkg, `${v.wasmFile}.wasm`), wasm);
  // WeChat's npm build copies all of miniprogram_dist/ into the code package: only the full core
  // goes there (one core per app); the split cores are for bundlers that copy the file they use.
  const dirs = v.name === 'full' ? [pkg, path.join(pkg, 'miniprogram_dist')] : [pkg];
  for (const d of dirs) fs.writeFileSync(path.join(d, `${v.wasmFile}.wasm.br`), br);

  // JS for hosts with a wasm engine.
  const js = path.join(dir, 'js');
  fs.mkdirSync(js, { recursive: true });
  const glue = renameGlue(deduped.glue, names, deduped.alias);
  fs.writeFileSync(path.join(js, 'core.js'), glue);
  fs.writeFileSync(path.join(js, 'mp-shim-entry.js'), `export * from ${JSON.stringify(path.join(root, 'js-shim', 'mp-shim.js'))};\n`);
  const wasmOpts = wasmEntryOptions(v);
  step(`[${v.name}] esbuild (ESM, ES2017)`, () => {
    esbuild.buildSync({ ...wasmOpts, format: 'esm', outfile: path.join(pkg, `${v.out}.mjs`) });
  });
  step(`[${v.name}] terser (ESM entry; the CJS entry from it)`, () => {
    terserEntry(path.join(pkg, `${v.out}.mjs`), path.join(dir, `pre-terser-${v.out}.mjs`));
    fs.writeFileSync(path.join(pkg, `${v.out}.js`), cjsFromEsm(fs.readFileSync(path.join(pkg, `${v.out}.mjs`), 'utf8')));
  });
  if (v.name === 'full') fs.copyFileSync(path.join(pkg, `${v.out}.js`), path.join(pkg, 'miniprogram_dist', `${v.out}.js`));

  // wasm2js twin for hosts without one (Alipay's logic layer).
  const boundary = i64Boundary(wasm);
  if (boundary.length) throw new Error(`i64 crosses the JS boundary (${boundary.join(', ')}): wasm2js would need an adapter`);
  const w2jRaw = path.join(dir, 'w2j.raw.mjs');
  // Unaligned accesses become helper calls first (.ci/w2j-unaligned.mjs): wasm2js would expand each
  // into byte operations at its site (alipay.js -14.1 KB, alipay-serverless.js -4.2 KB on 2026-12-07).
  const w2jInput = path.join(dir, 'w2j-input.wasm');
  fs.writeFileSync(w2jInput, callUnaligned(wasm).bytes);
  step(`[${v.name}] wasm2js -Oz`, () => run(bin('wasm2js'), [w2jInput, '-Oz', '-o', w2jRaw]));
  const factoryRaw = path.join(dir, 'factory.raw.mjs');
  // Data segments as byte literals put in after minification (.ci/w2j-data.mjs).
  const { source: factorySource, segments } = extractSegments(makeFactory(fs.readFileSync(w2jRaw, 'utf8')));
  fs.writeFileSync(factoryRaw, factorySource);
  // terser before esbuild's bundling minifier: its compressor folds wasm2js's statement-per-op
  // output further (alipay-serverless.js -7.0 KB on 2026-12-07; esbuild alone, then terser over the
  // whole bundle, measured -6.0 KB).
  step(`[${v.name}] terser (wasm2js factory)`, () => run(bin('terser'), [factoryRaw, '--module', '--ecma', '2017',
    '--compress', 'passes=2', '--mangle', '-o', path.join(js, 'factory.mjs')]));
  fs.writeFileSync(path.join(js, 'core-w2j.js'), patchGlueForW2j(glue));
  fs.writeFileSync(path.join(js, 'w2j-shim-entry.js'), `export * from ${JSON.stringify(path.join(root, 'js-shim', 'w2j-shim.js'))};\n`);
  const w2jOpts = esbuildCommon(v.entry, {
    'miniapp-core-glue': path.join(js, 'core-w2j.js'),
    'miniapp-core-source': path.join(root, 'js-shim', 'source-w2j.js'),
    'miniapp-core-factory': path.join(js, 'factory.mjs'),
  }, { __MINIAPP_WASM_FILE__: JSON.stringify(v.wasmFile) });
  step(`[${v.name}] esbuild wasm2js bundle`, () => {
    esbuild.buildSync({ ...w2jOpts, platform: 'node', format: 'cjs', outfile: path.join(pkg, `${v.w2j}.js`) });
    esbuild.buildSync({ ...w2jOpts, format: 'esm', outfile: path.join(pkg, `${v.w2j}.mjs`) });
    for (const f of [`${v.w2j}.js`, `${v.w2j}.mjs`]) {
      // terser's compressor once more over the whole bundle, without mangling (which re-expands the
      // factory): alipay-serverless.js -1.7 KB; then the data literals. Never as a module, also for
      // the .mjs: module mode inlines `engine()` of source-w2j.js, whose `{kind:"js",api:null}` the
      // framework tests look for in an app's build (+125 B on the .mjs).
      terserEntry(path.join(pkg, f), path.join(dir, `pre-terser-${f}`), ['--compress', 'unsafe_arrows=true'], false);
      fs.writeFileSync(path.join(pkg, f), injectSegments(fs.readFileSync(path.join(pkg, f), 'utf8'), segments));
    }
  });
  const size = (f) => fs.statSync(path.join(pkg, f)).size;
  report.push(`${v.name}: ${v.wasmFile}.wasm ${wasm.length} B, .br ${br.length} B; ${v.out}.js ${size(`${v.out}.js`)} B; ${v.w2j}.js ${size(`${v.w2j}.js`)} B (brotli ${brotli(fs.readFileSync(path.join(pkg, `${v.w2j}.js`))).length} B); dropped globals: ${dropped.join(', ') || 'none'}`);
}

function main() {
  const started = Date.now();
  // --js-only: keep target/mp/<variant>/{core.opt.wasm,bindgen} and redo the packaging (no cargo).
  const jsOnly = process.argv.includes('--js-only');
  fs.rmSync(pkg, { recursive: true, force: true });
  fs.mkdirSync(path.join(pkg, 'miniprogram_dist'), { recursive: true });
  const report = [];
  for (const v of VARIANTS) (jsOnly ? packageVariant : buildVariant)(v, report);
  // Files only: pkg-template/emulator/ holds the emulator's npm packages (.ci/build-emulator.mjs), not the SDK's.
  for (const e of fs.readdirSync(path.join(root, 'pkg-template'), { withFileTypes: true })) {
    if (!e.isFile()) continue;
    const f = e.name;
    fs.copyFileSync(path.join(root, 'pkg-template', f), path.join(pkg, f));
    // WeChat's npm build copies only the miniprogram directory: give it the CommonJS entries too.
    if (f.endsWith('.js')) fs.copyFileSync(path.join(root, 'pkg-template', f), path.join(pkg, 'miniprogram_dist', f));
  }
  // The licence texts (the package is `MIT OR Apache-2.0`) come from the repository root.
  for (const f of ['LICENSE-MIT', 'LICENSE-APACHE']) fs.copyFileSync(path.join(root, f), path.join(pkg, f));
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'pkg-template', 'package.json'), 'utf8'));
  if (manifest.version) throw new Error('pkg-template/package.json must not carry a version: it comes from Cargo.toml');
  const { name, ...rest } = manifest;
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version: packageVersion(), ...rest }, null, 2) + '\n');
  for (const line of report) console.log(`build: ${line}`);
  console.log(`build: pkg/ written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
