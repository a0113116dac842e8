// Size of the JSON workload (src/lib.rs) as a wasm32 cdylib, built both ways: the SDK's Json
// (src/json.rs, serde_json without preserve_order) and serde_json's Value with preserve_order.
// Same release profile as the SDK (opt-level z, fat LTO, abort), then wasm-opt -Oz and brotli q11,
// as .ci/build.mjs does. Prints one table row per model.
//   node tests/bench/json-model/size.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const target = path.join(root, 'target', 'json-model-bench');
const wasmOpt = path.join(root, 'node_modules', '.bin', 'wasm-opt');
const brotli = (buf) => zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

console.log('| model | wasm after wasm-opt -Oz | brotli q11 |');
console.log('|---|---:|---:|');
for (const [label, features] of [['src/json.rs Json', []], ['serde_json Value + preserve_order', ['--features', 'value']]]) {
  execFileSync('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown', '--manifest-path', path.join(here, 'Cargo.toml'), ...features], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CARGO_TARGET_DIR: target },
  });
  const raw = path.join(target, 'wasm32-unknown-unknown', 'release', 'json_model_bench.wasm');
  const opt = path.join(target, `opt-${features.length ? 'value' : 'json'}.wasm`);
  execFileSync(wasmOpt, [raw, '-o', opt, '-Oz', '--enable-bulk-memory', '--enable-sign-ext', '--enable-nontrapping-float-to-int', '--strip-debug', '--strip-producers']);
  const bytes = fs.readFileSync(opt);
  console.log(`| ${label} | ${bytes.length} | ${brotli(bytes)} |`);
}
