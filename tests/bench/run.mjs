#!/usr/bin/env node
// The benchmark command of issue 8 (`npm run bench`, or `node tests/bench/run.mjs` on a built pkg/).
// One run, one process (plus fresh child processes for cold-start samples, a cargo-built native
// binary and one headless Chromium), one table: SM2 and RSA password encryption (ours in wasm,
// the npm peers, native Rust / node:crypto as the ceiling), cold start, the whole host-simulator
// scenario against the official packages, and the encrypt benchmarks again in Chromium.
//
// Options: --secs S (per round, default 1)  --rounds N (default 5)  --cold N (samples, default 7)
//          --quick (0.3 s x 3 rounds, 3 cold samples)  --only node,native,cold,scenario,browser
//          --pkg DIR (a built package, default pkg/)  --json FILE (raw results)
// Throughput rows are medians of interleaved rounds after a warm-up; cold rows are medians of
// fresh processes. Timings depend on the machine and its load: compare rows of one run only.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const { measure, median } = require('./harness.cjs');
const { ADAPTERS, PASSWORD, KEY_SPELLINGS } = require('./adapters.cjs');
const { nodeCryptoAdapter } = require('./node-crypto.cjs');
const { targetRows } = await import('./targets.mjs');

// ---- options ------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def; };
const quick = argv.includes('--quick');
const SECS = Number(opt('--secs', quick ? 0.3 : 1));
const ROUNDS = Number(opt('--rounds', quick ? 3 : 5));
const COLD = Number(opt('--cold', quick ? 3 : 7));
const ONLY = new Set(opt('--only', 'native,node,cold,scenario,browser').split(','));
const PKG = path.resolve(opt('--pkg', path.join(ROOT, 'pkg')));
const JSON_OUT = opt('--json', null);
const KEY = {
  rsaPem: fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', 'rsa-2048-spki.pem'), 'utf8'),
  sm2Public: JSON.parse(fs.readFileSync(path.join(HERE, 'sm2-key.json'), 'utf8')).publicKey,
};
const log = (...a) => process.stderr.write('bench: ' + a.join(' ') + '\n');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-bench-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const rows = []; // {section, bench, impl, mode, median, min, max, unit, note}
const raw = { options: { SECS, ROUNDS, COLD, PKG }, node: process.version, cpus: os.cpus().length, loadavg: os.loadavg() };
const row = (r) => rows.push(r);
const fromStat = (s) => ({ median: s.median, min: s.min, max: s.max });

if (!fs.existsSync(path.join(PKG, 'index.js'))) {
  console.error(`bench: ${PKG}/index.js is missing: build the package first (node .ci/build.mjs)`);
  process.exit(1);
}

// ---- throughput cases (shared by Node; the browser builds its own in the page) ------------------
const JS_CASES = [
  ['sm2', 'sm-crypto', 'oneshot'], ['sm2', 'sm-crypto-v2', 'prepared'], ['sm2', 'sm-crypto-v2', 'oneshot'], ['sm2', 'gm-crypto', 'oneshot'],
  ['rsa', 'jsencrypt', 'prepared'], ['rsa', 'jsencrypt', 'oneshot'], ['rsa', 'node-forge', 'prepared'], ['rsa', 'node-forge', 'oneshot'],
];
const MODE = {
  oneshot: 'key parsed per call', prepared: 'key pre-parsed',
  ours: 'per call: host entropy + encrypt; parsed key cached by its text',
  uncached: 'per call: host entropy + parse + encrypt (two spellings of the key alternate, so the cache misses)',
};
// The uncached rows alternate two spellings of one key (KEY_SPELLINGS in adapters.cjs) so that our
// key cache misses. Peers that parse per call are compared with them, pre-parsed ones with the
// cached rows.

function uncachedCases(core, key, pw) {
  return ['sm2', 'rsa'].map((alg) => {
    let i = 0;
    return { id: `${alg}:ours:uncached`, async: true, fn: () => core.encryptPassword(alg, KEY_SPELLINGS[alg](key, i++), pw) };
  });
}

// ---- native Rust ceiling -------------------------------------------------------------------------
let native = null;
if (ONLY.has('native')) {
  log('native: cargo build --release --example bench_native (opt-level 3 for the host binary)');
  const cfg = ['--config', 'profile.release.opt-level=3'];
  const b = spawnSync('cargo', ['build', '--quiet', '--release', '--example', 'bench_native', ...cfg], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (b.status === 0) {
    const dir = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: ROOT, encoding: 'utf8' })).target_directory;
    const out = execFileSync(path.join(dir, 'release', 'examples', 'bench_native'), ['--secs', String(SECS), '--rounds', String(ROUNDS)], { encoding: 'utf8' });
    native = JSON.parse(out.trim().split('\n').pop());
    raw.native = native;
  } else log('native: build failed, rows skipped');
}

// ---- Node throughput -----------------------------------------------------------------------------
let nodeRes = null;
if (ONLY.has('node')) {
  log(`node: loading ${PKG}`);
  const sdk = require(PKG);
  const { core, host } = await sdk.init();
  const cases = [
    { id: 'sm2:ours:ours', async: true, fn: () => core.encryptPassword('sm2', KEY.sm2Public, PASSWORD) },
    { id: 'rsa:ours:ours', async: true, fn: () => core.encryptPassword('rsa', KEY.rsaPem, PASSWORD) },
    ...uncachedCases(core, KEY, PASSWORD),
    { id: 'split:host.getRandomValues(48):entropy', async: true, fn: () => host.getRandomValues(48) },
  ];
  for (const [alg, name, mode] of JS_CASES) {
    const a = ADAPTERS[name]();
    cases.push({ id: `${alg}:${name}:${mode}`, fn: a[mode](KEY) });
  }
  const nc = nodeCryptoAdapter();
  cases.push({ id: 'rsa:node:crypto (OpenSSL):prepared', fn: nc.prepared(KEY) }, { id: 'rsa:node:crypto (OpenSSL):oneshot', fn: nc.oneshot(KEY) });
  // Interop sanity: our SM2 output must decrypt with sm-crypto (cipher mode 1).
  const ct = await core.encryptPassword('sm2', KEY.sm2Public, PASSWORD);
  const priv = JSON.parse(fs.readFileSync(path.join(HERE, 'sm2-key.json'), 'utf8')).privateKey;
  if (require('sm-crypto').sm2.doDecrypt(ct, priv, 1) !== PASSWORD) throw new Error('our SM2 ciphertext does not decrypt with sm-crypto');
  log(`node: ${cases.length} cases x ${ROUNDS} rounds x ${SECS} s (interleaved)`);
  nodeRes = await measure(cases, { secs: SECS, rounds: ROUNDS, onRound: (i, n) => log(`node: round ${i}/${n}`) });
  raw.nodeThroughput = nodeRes;
}

function throughputRows(section, res, nativeCeil) {
  for (const alg of ['sm2', 'rsa']) {
    const ours = res[`${alg}:ours:ours`];
    const oursUncached = res[`${alg}:ours:uncached`] || ours;
    const bench = alg === 'sm2' ? 'SM2 encrypt, 16 B password (C1C3C2)' : 'RSA-2048 PKCS#1 v1.5 encrypt, 16 B';
    for (const [id, s] of Object.entries(res)) {
      const [a, impl, mode] = id.split(':').length === 4 ? [id.split(':')[0], id.split(':')[1] + ':' + id.split(':')[2], id.split(':')[3]] : id.split(':');
      if (a !== alg) continue;
      const isOurs = impl === 'ours';
      const mine = mode === 'oneshot' ? oursUncached : ours;
      row({ section, bench, impl: isOurs ? 'ours (wasm)' : impl, mode: MODE[mode] || mode, ...fromStat(s), unit: 'ops/s',
        note: isOurs ? '' : mine ? `ours = ${(mine.median / s.median).toFixed(2)}x (vs our ${mine === ours ? 'cached' : 'uncached'} row)` : '' });
    }
    if (nativeCeil && ours) {
      const n = nativeCeil[`${alg}_encrypt_password`];
      if (n) row({ section, bench, impl: 'native Rust (x86-64, same crates, opt-level 3)', mode: 'encrypt_password, key cached (no bridge)', ...n, unit: 'ops/s', note: `ours = ${(100 * ours.median / n.median).toFixed(0)}% of native` });
    }
  }
}
if (nodeRes) {
  throughputRows('node', nodeRes, native);
  const e = nodeRes['split:host.getRandomValues(48):entropy'];
  row({ section: 'node', bench: 'per-call split of ours', impl: 'host.getRandomValues(48) through the bridge', mode: 'entropy alone', ...fromStat(e), unit: 'ops/s', note: `${(1e6 / e.median).toFixed(1)} us per call` });
}
if (native) {
  for (const [k, label] of [['rsa_parse', 'RSA SPKI PEM parse + Montgomery setup'], ['rsa_encrypt_prepared', 'RSA encrypt, key pre-parsed'], ['sm2_parse', 'SM2 hex key parse'], ['sm2_encrypt_prepared', 'SM2 encrypt, key pre-parsed'], ['drbg_reseed_fork', 'DRBG reseed + fork']]) {
    if (native[k]) row({ section: 'native', bench: 'per-call split (native Rust)', impl: label, mode: '', ...native[k], unit: 'ops/s', note: `${(1e6 / native[k].median).toFixed(1)} us per call` });
  }
}

// ---- cold start ----------------------------------------------------------------------------------
if (ONLY.has('cold')) {
  const impls = [['ours', 'rsa'], ['ours', 'sm2'], ['jsencrypt', 'rsa'], ['node-forge', 'rsa'], ['node:crypto', 'rsa'], ['sm-crypto', 'sm2'], ['sm-crypto-v2', 'sm2'], ['gm-crypto', 'sm2']];
  const samples = Object.fromEntries(impls.map(([i, a]) => [`${i}:${a}`, []]));
  log(`cold: ${COLD} fresh processes per implementation (interleaved)`);
  for (let s = 0; s < COLD; s++) {
    for (const [impl, alg] of impls) {
      const out = execFileSync(process.execPath, [path.join(HERE, 'cold.cjs'), impl, alg, PKG], { encoding: 'utf8' });
      samples[`${impl}:${alg}`].push(JSON.parse(out));
    }
  }
  raw.cold = samples;
  const ref = median(samples['jsencrypt:rsa'].map((x) => x.total_ms));
  for (const [k, v] of Object.entries(samples)) {
    const [impl, alg] = k.split(':').length === 3 ? ['node:crypto', 'rsa'] : k.split(':');
    const tot = v.map((x) => x.total_ms);
    row({ section: 'node cold', bench: `load + first ${alg.toUpperCase()} encrypt (fresh process)`, impl: impl === 'ours' ? 'ours (wasm)' : impl,
      mode: impl === 'ours' ? `require+init ${median(v.map((x) => x.load_ms)).toFixed(1)} + 1st ${median(v.map((x) => x.first_ms)).toFixed(1)} ms` : `require ${median(v.map((x) => x.load_ms)).toFixed(1)} + 1st ${median(v.map((x) => x.first_ms)).toFixed(1)} ms`,
      median: median(tot), min: Math.min(...tot), max: Math.max(...tot), unit: 'ms', note: `${(median(tot) / ref).toFixed(2)}x jsencrypt` });
  }
}

// ---- whole scenario through the host simulator -----------------------------------------------------
if (ONLY.has('scenario')) {
  const { scenarioCases } = require('./scenario.cjs');
  const sc = scenarioCases({ pkgDir: PKG, tmp });
  log(`scenario: ${sc.cases.map((c) => c.id).join(', ')}`);
  const sRounds = Math.max(3, ROUNDS);
  const res = await measure(sc.cases, { secs: SECS, rounds: sRounds, warmup: SECS });
  sc.close();
  raw.scenario = { res, notes: sc.notes };
  for (const [kind, label] of [['authing', 'Authing: the twelve methods, RSA passwords'], ['serverless', 'MPServerless: authorize + 100 db.find']]) {
    const off = res[`${kind}:official`];
    const ours = res[`${kind}:ours`];
    const offName = kind === 'authing' ? '@authing/miniapp-taro 5.1.18 + jsencrypt' : '@alicloud/mpserverless-sdk 3.1.5';
    const ms = (s) => ({ median: 1000 / s.median, min: 1000 / s.max, max: 1000 / s.min });
    if (off) row({ section: 'scenario (host-sim)', bench: label, impl: offName, mode: 'wechat-ios realm, in-process responder', ...ms(off), unit: 'ms/scenario', note: '' });
    if (ours) row({ section: 'scenario (host-sim)', bench: label, impl: 'ours (wasm)', mode: 'same scenario code', ...ms(ours), unit: 'ms/scenario', note: off ? `ratio ours/official = ${(off.median / ours.median).toFixed(2)}` : '' });
    else row({ section: 'scenario (host-sim)', bench: label, impl: 'ours (wasm)', mode: 'same scenario code', median: NaN, unit: 'ms/scenario', note: sc.notes[`${kind}:ours`] || 'n/a' });
  }
  // The Alipay logic layer (no wasm engine: our core as wasm2js), see alipayCases in scenario.cjs.
  const ms = (s) => ({ median: 1000 / s.median, min: 1000 / s.max, max: 1000 / s.min });
  const alipay = [
    ['serverless:official:alipay', 'MPServerless: authorize + 100 db.find', '@alicloud/mpserverless-sdk 3.1.5', 'alipay-logic realm', null],
    ['serverless:ours:alipay', 'MPServerless: authorize + 100 db.find', 'ours (wasm2js, alipay-serverless.js)', 'alipay-logic realm', 'serverless:official:alipay'],
    ['authing:ours:no-avatar', 'Authing: eleven methods (all but updateAvatar), RSA passwords', 'ours (wasm)', 'wechat-ios realm', null],
    ['authing:ours:alipay-worker', 'Authing: eleven methods (all but updateAvatar), RSA passwords', 'ours (wasm2js, alipay.js)', 'alipay-logic realm + Worker-like crypto', 'authing:ours:no-avatar'],
  ];
  for (const [id, label, impl, mode, vs] of alipay) {
    const s = res[id];
    if (!s) { row({ section: 'scenario (host-sim)', bench: label, impl, mode, median: NaN, unit: 'ms/scenario', note: sc.notes[id] || 'n/a' }); continue; }
    const ref = vs && res[vs];
    row({ section: 'scenario (host-sim)', bench: label, impl, mode, ...ms(s), unit: 'ms/scenario', note: ref ? `time ${(ref.median / s.median).toFixed(2)}x ${vs.startsWith('authing') ? 'ours in wechat-ios (wasm)' : 'official'}` : '' });
  }
}

// ---- headless Chromium -------------------------------------------------------------------------------
if (ONLY.has('browser')) {
  try {
    const res = await browserBench();
    raw.browser = res;
    throughputRows('chromium', res, null);
  } catch (e) {
    log('browser: failed: ' + (e && e.stack || e));
    row({ section: 'chromium', bench: 'encrypt benchmarks', impl: '-', mode: '', median: NaN, unit: '', note: 'n/a: ' + String(e && e.message || e).split('\n')[0] });
  }
}

async function browserBench() {
  const esbuild = require('esbuild');
  const { chromium } = require('playwright-core');
  const bundle = esbuild.buildSync({
    stdin: { contents: "const { ADAPTERS, KEY_SPELLINGS } = require('./adapters.cjs'); const { measure } = require('./harness.cjs'); globalThis.BENCH = { ADAPTERS, KEY_SPELLINGS, measure };", resolveDir: HERE, loader: 'js' },
    bundle: true, format: 'iife', platform: 'browser', target: 'es2020', write: false, logLevel: 'error', nodePaths: [path.join(ROOT, 'node_modules')],
    define: { global: 'globalThis' },
  }).outputFiles[0].text;
  const files = {
    '/': { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>bench</title><script src="/adapters.js"></script>' },
    '/adapters.js': { type: 'text/javascript', body: bundle },
    '/pkg/index.mjs': { type: 'text/javascript', body: fs.readFileSync(path.join(PKG, 'index.mjs')) },
    '/pkg/core.wasm': { type: 'application/wasm', body: fs.readFileSync(path.join(PKG, 'core.wasm')) },
  };
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  const browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'chromium-')), {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = browser.pages()[0] || await browser.newPage();
    await page.route('**/*', (route) => {
      const u = new URL(route.request().url());
      const f = u.hostname === 'bench.localhost' && files[u.pathname];
      return f ? route.fulfill({ status: 200, contentType: f.type, body: f.body }) : route.abort();
    });
    page.on('console', (m) => { if (m.type() === 'error') log('browser console: ' + m.text()); });
    await page.goto('http://bench.localhost/');
    log(`browser: ${await page.evaluate(() => navigator.userAgent)}`);
    return await page.evaluate(async ({ key, pw, jsCases, secs, rounds }) => {
      const sdk = await import('/pkg/index.mjs');
      const { core } = await sdk.init({ wasmPath: '/pkg/core.wasm' });
      const cases = [
        { id: 'sm2:ours:ours', async: true, fn: () => core.encryptPassword('sm2', key.sm2Public, pw) },
        { id: 'rsa:ours:ours', async: true, fn: () => core.encryptPassword('rsa', key.rsaPem, pw) },
      ];
      for (const alg of ['sm2', 'rsa']) {
        let i = 0;
        cases.push({ id: `${alg}:ours:uncached`, async: true, fn: () => core.encryptPassword(alg, globalThis.BENCH.KEY_SPELLINGS[alg](key, i++), pw) });
      }
      for (const [alg, name, mode] of jsCases) cases.push({ id: `${alg}:${name}:${mode}`, fn: globalThis.BENCH.ADAPTERS[name]()[mode](key) });
      return globalThis.BENCH.measure(cases, { secs, rounds });
    }, { key: KEY, pw: PASSWORD, jsCases: JS_CASES, secs: SECS, rounds: ROUNDS });
  } finally {
    await browser.close();
  }
}

// ---- targets (issue 8), as rows of the same table ----------------------------------------------------------
function target(label, ok, detail) { row({ section: 'target', bench: label, impl: ok === null ? 'n/a' : ok ? 'MET' : 'NOT MET', mode: '', median: NaN, unit: '', note: detail }); }
if (nodeRes) {
  const m = (id) => nodeRes[id] && nodeRes[id].median;
  const sm2 = m('sm2:ours:ours'), rsa = m('rsa:ours:ours');
  const sm2u = m('sm2:ours:uncached'), rsau = m('rsa:ours:uncached');
  target('SM2 >= 10x sm-crypto', sm2u >= 10 * m('sm2:sm-crypto:oneshot'), `${(sm2u / m('sm2:sm-crypto:oneshot')).toFixed(1)}x, both parsing per call (cached: ${(sm2 / m('sm2:sm-crypto:oneshot')).toFixed(1)}x)`);
  target('SM2 >= sm-crypto-v2 (pre-parsed key)', sm2 >= m('sm2:sm-crypto-v2:prepared'), `${(sm2 / m('sm2:sm-crypto-v2:prepared')).toFixed(2)}x (ours cached)`);
  target('RSA >= 1.5x jsencrypt', rsau >= 1.5 * m('rsa:jsencrypt:oneshot') && rsa >= 1.5 * m('rsa:jsencrypt:prepared'), `${(rsau / m('rsa:jsencrypt:oneshot')).toFixed(2)}x both parsing per call, ${(rsa / m('rsa:jsencrypt:prepared')).toFixed(2)}x both pre-parsed`);
  if (native) {
    target('SM2 >= 40% of native Rust', sm2 >= 0.4 * native.sm2_encrypt_password.median, `${(100 * sm2 / native.sm2_encrypt_password.median).toFixed(0)}%`);
    target('RSA >= 40% of native Rust', rsa >= 0.4 * native.rsa_encrypt_password.median, `${(100 * rsa / native.rsa_encrypt_password.median).toFixed(0)}%`);
  }
}
if (raw.cold) {
  const tot = (k) => median(raw.cold[k].map((x) => x.total_ms));
  const worst = Math.max(tot('ours:rsa'), tot('ours:sm2'));
  target('cold start <= jsencrypt load + first encrypt', worst <= tot('jsencrypt:rsa'), `ours ${tot('ours:rsa').toFixed(1)} (RSA) / ${tot('ours:sm2').toFixed(1)} (SM2) ms vs ${tot('jsencrypt:rsa').toFixed(1)} ms`);
}
if (raw.scenario) {
  for (const kind of ['authing', 'serverless']) {
    const off = raw.scenario.res[`${kind}:official`], ours = raw.scenario.res[`${kind}:ours`];
    target(`${kind} scenario time ratio <= 1.0`, ours && off ? off.median / ours.median <= 1 : null, ours && off ? (off.median / ours.median).toFixed(2) : raw.scenario.notes[`${kind}:ours`]);
  }
}

// ---- issue 14's target table (tests/bench/budgets.json "targets") ---------------------------------------
for (const t of targetRows({ pkgDir: PKG, node: nodeRes, browser: raw.browser, cold: raw.cold, scenario: raw.scenario && raw.scenario.res })) {
  row({ section: 'target (issue 14)', bench: t.bench, impl: t.impl, mode: '', median: NaN, unit: '', note: t.note });
}

// ---- the table -----------------------------------------------------------------------------------------
const fmt = (v) => (Number.isNaN(v) || v === undefined ? '' : v >= 100 ? Math.round(v).toString() : v.toFixed(1));
const head = ['section', 'benchmark', 'implementation', 'mode', 'median', 'min-max', 'unit', 'comparison'];
const body = rows.map((r) => [r.section, r.bench, r.impl, r.mode, fmt(r.median), r.min === undefined || Number.isNaN(r.median) ? '' : `${fmt(r.min)}-${fmt(r.max)}`, r.unit, r.note]);
console.log(`miniapp-sdk benchmarks: ${ROUNDS} rounds x ${SECS} s, cold ${COLD} samples; node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), load avg ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| ' + head.join(' | ') + ' |');
console.log('|' + head.map((_, i) => (i >= 4 && i <= 5 ? '---:' : '---')).join('|') + '|');
for (const b of body) console.log('| ' + b.join(' | ') + ' |');
if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify({ ...raw, rows }, null, 2));
process.exit(0);
