#!/usr/bin/env node
// Size profile of a JS entry (issue 14): the bytes each source file contributes to the bundle, from
// esbuild's metafile of the build's own ESM options (.ci/build.mjs wasmEntryOptions) over the glue
// the last build wrote (target/mp/<variant>/js/core.js). The bytes are esbuild's minified output
// before terser, so the column ranks weight; the shipped entry is a few percent smaller.
//
//   node tests/bench/js-profile.mjs [--variant full|serverless|auth] [--top N]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { VARIANTS, wasmEntryOptions } from '../../.ci/build.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `{variant, entry, bytes, inputs: [{file, bytes}]}`, largest input first; throws before a build. */
export function jsProfile(variant) {
  const v = VARIANTS.find((x) => x.name === variant);
  if (!v) throw new Error(`no variant ${variant}`);
  const glue = path.join(ROOT, 'target', 'mp', variant, 'js', 'core.js');
  if (!fs.existsSync(glue)) throw new Error(`${glue} is missing: run node .ci/build.mjs`);
  const r = esbuild.buildSync({ ...wasmEntryOptions(v), format: 'esm', metafile: true, write: false, outfile: path.join(ROOT, 'target', 'mp', 'js-profile.mjs') });
  const [out] = Object.values(r.metafile.outputs);
  const inputs = Object.entries(out.inputs).map(([file, i]) => ({ file: path.relative(ROOT, path.resolve(ROOT, file)), bytes: i.bytesInOutput }))
    .filter((i) => i.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  return { variant, entry: v.entry, bytes: out.bytes, inputs };
}

export function formatJsProfile(p, top = 12) {
  const lines = [`JS profile [${p.variant}]: ${p.entry}, ${p.bytes} B from esbuild before terser, by source file`, '| source | bytes | share |', '|---|---:|---:|'];
  for (const i of p.inputs.slice(0, top)) lines.push(`| ${i.file} | ${i.bytes} | ${(100 * i.bytes / p.bytes).toFixed(1)}% |`);
  const rest = p.inputs.slice(top);
  if (rest.length) lines.push(`| ${rest.length} more | ${rest.reduce((n, i) => n + i.bytes, 0)} | |`);
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
  console.log(formatJsProfile(jsProfile(opt('--variant', 'full')), Number(opt('--top', 40))).join('\n'));
}
