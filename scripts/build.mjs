#!/usr/bin/env node
// Builds pkg/: the npm package, whose wasm runs on iOS WeChat (Wasm 1.0 + mutable-globals).
//
//   cargo build without reference-types and multivalue (see WASM_RUSTFLAGS)
//   -> wasm-opt lowering of bulk-memory/sign-ext/nontrapping-fptoint + --strip-target-features
//   -> wasm-bindgen --target web --omit-default-module-path --encode-into never (slab glue)
//   -> wasm-opt -Oz with MVP features only -> drop exported globals -> core.wasm + core.wasm.br
//   -> glue patched to import the mp-shim, bundled with js-shim/ by esbuild to CJS + ESM at ES2017.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { dropExports } from './wasm-sections.mjs';

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
export const WASM_RUSTFLAGS = '-C target-feature=-reference-types,-multivalue';

export const LOWERING_FLAGS = [
  '--enable-bulk-memory', '--enable-bulk-memory-opt', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', '--enable-call-indirect-overlong',
  '--signext-lowering', '--llvm-memory-copy-fill-lowering', '--llvm-nontrapping-fptoint-lowering', '--strip-target-features',
];

export const GLUE_IMPORT = "import { WebAssembly, TextEncoder, TextDecoder, unsupportedLoad } from './mp-shim-entry.js';\n";

/** Makes the wasm-bindgen web glue load through the mp-shim (no global writes, no fetch). */
export function patchGlue(src) {
  if (src.includes('import.meta')) throw new Error('glue still references import.meta: was --omit-default-module-path passed?');
  return GLUE_IMPORT + src.replace(/\bfetch\(/g, 'unsupportedLoad(');
}

function brotli(buf) {
  return zlib.brotliCompressSync(buf, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  });
}

function main() {
  const started = Date.now();
  fs.mkdirSync(path.join(out, 'bindgen'), { recursive: true });
  step('cargo build (wasm32, release)', () => run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'miniapp-sdk'], { RUSTFLAGS: WASM_RUSTFLAGS }));
  const raw = path.join(root, 'target', 'wasm32-unknown-unknown', 'release', 'miniapp_sdk.wasm');
  const lowered = path.join(out, 'lowered.wasm');
  step('wasm-opt lowering', () => run(bin('wasm-opt'), [raw, '-o', lowered, ...LOWERING_FLAGS]));
  step('wasm-bindgen', () => run('wasm-bindgen', [lowered, '--out-dir', path.join(out, 'bindgen'), '--out-name', 'core', '--target', 'web',
    '--omit-default-module-path', '--encode-into', 'never']));
  const bg = path.join(out, 'bindgen', 'core_bg.wasm');
  const optimised = path.join(out, 'core.opt.wasm');
  step('wasm-opt -Oz (MVP features)', () => run(bin('wasm-opt'), [bg, '-o', optimised, '-Oz', '--mvp-features', '--enable-mutable-globals', '--strip-debug', '--strip-producers']));
  const { bytes: wasm, dropped } = dropExports(fs.readFileSync(optimised), 'global');

  fs.rmSync(pkg, { recursive: true, force: true });
  fs.mkdirSync(path.join(pkg, 'miniprogram_dist'), { recursive: true });
  const br = brotli(wasm);
  for (const dir of [pkg, path.join(pkg, 'miniprogram_dist')]) {
    fs.writeFileSync(path.join(dir, 'core.wasm'), wasm);
    fs.writeFileSync(path.join(dir, 'core.wasm.br'), br);
  }

  const glueDir = path.join(out, 'js');
  fs.rmSync(glueDir, { recursive: true, force: true });
  fs.mkdirSync(glueDir, { recursive: true });
  fs.writeFileSync(path.join(glueDir, 'core.js'), patchGlue(fs.readFileSync(path.join(out, 'bindgen', 'core.js'), 'utf8')));
  fs.writeFileSync(path.join(glueDir, 'mp-shim-entry.js'), `export * from ${JSON.stringify(path.join(root, 'js-shim', 'mp-shim.js'))};\n`);
  const common = {
    entryPoints: [path.join(root, 'js-shim', 'index.js')],
    bundle: true,
    target: 'es2017',
    platform: 'neutral',
    minify: true,
    legalComments: 'none',
    alias: { 'miniapp-core-glue': path.join(glueDir, 'core.js') },
    logLevel: 'warning',
  };
  step('esbuild (CJS + ESM, ES2017)', () => {
    esbuild.buildSync({ ...common, format: 'cjs', outfile: path.join(pkg, 'index.js') });
    esbuild.buildSync({ ...common, format: 'esm', outfile: path.join(pkg, 'index.mjs') });
  });
  fs.copyFileSync(path.join(pkg, 'index.js'), path.join(pkg, 'miniprogram_dist', 'index.js'));
  for (const f of fs.readdirSync(path.join(root, 'pkg-template'))) {
    fs.copyFileSync(path.join(root, 'pkg-template', f), path.join(pkg, f));
    // WeChat's npm build copies only the miniprogram directory: give it the CommonJS entries too.
    if (f.endsWith('.js')) fs.copyFileSync(path.join(root, 'pkg-template', f), path.join(pkg, 'miniprogram_dist', f));
  }

  const cjs = fs.statSync(path.join(pkg, 'index.js')).size;
  console.log(`build: dropped exported globals: ${dropped.join(', ') || '(none)'}`);
  console.log(`build: core.wasm ${wasm.length} B, core.wasm.br ${br.length} B, index.js ${cjs} B (gzip ${zlib.gzipSync(fs.readFileSync(path.join(pkg, 'index.js'))).length} B)`);
  console.log(`build: pkg/ written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
