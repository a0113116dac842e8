#!/usr/bin/env node
// Negative control: the SDK built the DEFAULT wasm-pack way (Rust's default wasm32 target features,
// `wasm-bindgen --target web` without the mini-program options, no shim, no lowering). It must fail
// in the simulator the way it fails on devices. Built once into target/negative-control/ (git-ignored)
// and reused; pass --rebuild (or set NEGATIVE_CONTROL_REBUILD=1) to force a rebuild.
//
//   node tests/host-sim/negative-control.mjs            # build if missing, print the artifact paths
//   import { ensureNegativeControl } from './negative-control.mjs'
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const OUT = path.join(ROOT, 'target', 'negative-control');
const STAMP = path.join(OUT, 'stamp.json');

function rustcVersion() {
  return execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim();
}

function artifacts() {
  return {
    dir: OUT,
    /** cargo output with Rust's default wasm32 features (reference-types, multivalue, bulk-memory...). */
    rawWasm: path.join(OUT, 'wasm32-unknown-unknown', 'release', 'miniapp_sdk.wasm'),
    /** wasm-bindgen --target web output: the module a default wasm-pack build ships. */
    bgWasm: path.join(OUT, 'bindgen', 'core_bg.wasm'),
    /** the raw ESM glue wasm-bindgen emits. */
    glue: path.join(OUT, 'bindgen', 'core.js'),
    /** the raw glue bundled to CommonJS (no downlevel, no shim), as a naive mini-program port would. */
    naiveCjs: path.join(OUT, 'naive-cjs', 'index.js'),
  };
}

/** Builds the negative-control artifacts unless a build for this rustc is cached. Returns their paths. */
export async function ensureNegativeControl({ rebuild = process.env.NEGATIVE_CONTROL_REBUILD === '1', log = (m) => process.stderr.write(m + '\n') } = {}) {
  const a = artifacts();
  const rustc = rustcVersion();
  let stamp = null;
  try { stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8')); } catch { /* no cache */ }
  const cached = stamp && stamp.rustc === rustc && [a.rawWasm, a.bgWasm, a.glue, a.naiveCjs].every((f) => fs.existsSync(f));
  if (cached && !rebuild) return { ...a, cached: true };

  const started = Date.now();
  log('negative-control: cargo build with default wasm32 target features (one-time, ~1 min)...');
  // CARGO_ENCODED_RUSTFLAGS takes precedence over RUSTFLAGS and over .cargo/config.toml
  // [target.wasm32-unknown-unknown].rustflags, so no target-feature flag reaches rustc: this is Rust's
  // default feature set. Only the RNG backend cfg stays (getrandom 0.4 refuses to compile for
  // wasm32-unknown-unknown without a backend; it changes no wasm feature). Flags are 0x1f-separated.
  const env = { ...process.env, CARGO_TARGET_DIR: OUT, CARGO_ENCODED_RUSTFLAGS: ['--cfg', 'getrandom_backend="custom"'].join('\x1f') };
  delete env.RUSTFLAGS;
  execFileSync('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'miniapp-sdk'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  fs.rmSync(path.join(OUT, 'bindgen'), { recursive: true, force: true });
  execFileSync('wasm-bindgen', [a.rawWasm, '--out-dir', path.join(OUT, 'bindgen'), '--out-name', 'core', '--target', 'web'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const esbuild = await import(path.join(ROOT, 'node_modules', 'esbuild', 'lib', 'main.js'));
  fs.rmSync(path.dirname(a.naiveCjs), { recursive: true, force: true });
  esbuild.default.buildSync({ entryPoints: [a.glue], bundle: true, format: 'cjs', platform: 'neutral', outfile: a.naiveCjs, logLevel: 'silent' });
  fs.writeFileSync(STAMP, JSON.stringify({ rustc, builtAt: new Date().toISOString() }, null, 2));
  log(`negative-control: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ...a, cached: false };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureNegativeControl({ rebuild: process.argv.includes('--rebuild') || undefined }).then(
    (a) => console.log(JSON.stringify(a, null, 2)),
    (e) => { console.error(e.stderr ? String(e.stderr) : e); process.exit(1); },
  );
}
