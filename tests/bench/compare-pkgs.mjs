#!/usr/bin/env node
// Compares built package variants in one process, interleaved (for build-flag experiments):
//   node tests/bench/compare-pkgs.mjs [--secs S] [--rounds N] name=DIR name=DIR ...
// Prints core.wasm raw/brotli bytes and our SM2/RSA encryptPassword ops/s (median [min-max]) per variant.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const { measure } = require('./harness.cjs');
const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv.splice(i, 2)[1] : d; };
const secs = Number(opt('--secs', 1)), rounds = Number(opt('--rounds', 5));
const rsaPem = fs.readFileSync(path.join(HERE, '..', 'fixtures', 'rsa-2048-spki.pem'), 'utf8');
const sm2 = JSON.parse(fs.readFileSync(path.join(HERE, 'sm2-key.json'), 'utf8')).publicKey;
const pw = 'P@ssw0rd-16bytes';
const cases = [], sizes = {};
for (const a of argv) {
  const [name, dir] = a.split('=');
  const { core } = await require(path.resolve(dir)).init();
  sizes[name] = [fs.statSync(path.join(dir, 'core.wasm')).size, fs.statSync(path.join(dir, 'core.wasm.br')).size];
  cases.push({ id: `${name} sm2`, async: true, fn: () => core.encryptPassword('sm2', sm2, pw) });
  cases.push({ id: `${name} rsa`, async: true, fn: () => core.encryptPassword('rsa', rsaPem, pw) });
}
const r = await measure(cases, { secs, rounds });
console.log('| variant | core.wasm | .br | SM2 ops/s | RSA ops/s |\n|---|---:|---:|---:|---:|');
const f = (s) => `${s.median.toFixed(0)} [${s.min.toFixed(0)}-${s.max.toFixed(0)}]`;
for (const name of Object.keys(sizes)) console.log(`| ${name} | ${sizes[name][0]} | ${sizes[name][1]} | ${f(r[`${name} sm2`])} | ${f(r[`${name} rsa`])} |`);
