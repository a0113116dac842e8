#!/usr/bin/env node
// Size report of issue 8: every artifact of pkg/ (full, auth-only, serverless-only, wasm2js
// fallback, JS glue) raw / gzip -9 / brotli q11 against its budget (tests/bench/budgets.json), beside
// the official JavaScript packages plus the crypto libraries they need (bundled and minified by
// esbuild, as an app build would ship them), and the share of WeChat's 2 MB main-package limit.
//
//   node tests/bench/size-report.mjs [--pkg DIR] [--json FILE] [--top N (size-profile entries, default 12)]
//
// It ends with the size profile (by crate and by function) of the full and serverless-only cores.
//
// Expected artifacts that are not built yet print as "missing". To add an artifact, add an entry to
// budgets.json; the gate (tests/node/size-budget.test.mjs) reads the same file.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const BUDGETS = JSON.parse(fs.readFileSync(path.join(HERE, 'budgets.json'), 'utf8'));
const WECHAT_LIMIT = BUDGETS.miniprogram.limit;

export function sizes(buf) {
  return {
    raw: buf.length,
    gzip: zlib.gzipSync(buf, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
  };
}

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * Measures every budgeted artifact of `pkgDir`. Returns
 * { artifacts: [{id, label, file|null, sizes|null, budget, over: [metric...], required}], unbudgeted: [relpath], miniprogram: {...} }.
 */
export function measurePackage(pkgDir = path.join(ROOT, 'pkg'), budgets = BUDGETS) {
  const covered = new Set();
  const artifacts = budgets.artifacts.map((a) => {
    const rel = a.paths.find((p) => fs.existsSync(path.join(pkgDir, p)));
    a.paths.forEach((p) => covered.add(p));
    if (!rel) return { ...a, file: null, sizes: null, over: [] };
    const s = sizes(fs.readFileSync(path.join(pkgDir, rel)));
    const over = Object.entries(a.budget).filter(([m, max]) => s[m] > max).map(([m]) => m);
    return { ...a, file: rel, sizes: s, over };
  });
  // Any .wasm (or wasm2js output) in the package that no entry covers: growth nobody decided on.
  const mp = budgets.miniprogram.dir;
  const unbudgeted = walk(pkgDir).map((f) => path.relative(pkgDir, f).split(path.sep).join('/'))
    .filter((r) => /\.wasm$|wasm2js|\.w2j\./.test(r) && !covered.has(r) && !r.startsWith(mp + '/'));
  const mpFiles = walk(path.join(pkgDir, mp));
  const mpRaw = mpFiles.reduce((n, f) => n + fs.statSync(f).size, 0);
  const miniprogram = {
    dir: mp, raw: mpRaw, budget: budgets.miniprogram.budget.raw, over: mpRaw > budgets.miniprogram.budget.raw,
    share: mpRaw / WECHAT_LIMIT,
    files: mpFiles.map((f) => ({ file: path.relative(pkgDir, f), raw: fs.statSync(f).size })),
  };
  return { artifacts, unbudgeted, miniprogram };
}

/** Minified bundles of the official packages and crypto libraries, measured like ours. */
export async function peerSizes() {
  const esbuild = (await import('esbuild')).default;
  const nm = path.join(ROOT, 'node_modules');
  const bundle = (contents, extra = {}) => Buffer.from(esbuild.buildSync({
    stdin: { contents, resolveDir: HERE, loader: 'js' }, bundle: true, minify: true, format: 'cjs', platform: 'browser', target: 'es2017',
    write: false, logLevel: 'silent', legalComments: 'none', nodePaths: [nm], ...extra,
  }).outputFiles[0].contents);
  const file = (p) => fs.readFileSync(path.join(nm, p));
  const taroExternal = { external: ['@tarojs/taro'] };
  const peers = [
    ['@authing/miniapp-taro 5.1.18 dist/bundle-taro.js (as published, minified; @tarojs/taro external)', file('@authing/miniapp-taro/dist/bundle-taro.js')],
    ['@alicloud/mpserverless-sdk 3.1.5 dist/index.js (as published, minified)', file('@alicloud/mpserverless-sdk/dist/index.js')],
    ['jsencrypt 3.5.4 enc() (what @authing/miniapp-jsencrypt wraps)', bundle("const {JSEncrypt}=require('jsencrypt');module.exports=(t,k)=>{const e=new JSEncrypt();e.setPublicKey(k);return e.encrypt(t)};")],
    ['sm-crypto 0.5.8 sm2 (what @authing/miniapp-sm2encrypt wraps, + jsbn)', bundle("module.exports=require('sm-crypto/src/sm2').doEncrypt;")],
    ['sm-crypto-v2 1.15.1 sm2 (+ @noble)', bundle("module.exports=require('sm-crypto-v2').sm2.doEncrypt;")],
    ['gm-crypto 0.1.12 SM2 (+ buffer, jsbn)', bundle("module.exports=require('gm-crypto').SM2.encrypt;")],
    ['node-forge 1.4.3 pki.publicKeyFromPem + rsa (with what pki pulls in)', bundle("const f=require('node-forge/lib/forge');require('node-forge/lib/rsa');require('node-forge/lib/pki');module.exports=(t,k)=>f.pki.publicKeyFromPem(k).encrypt(t);")],
    ['official Authing stack: miniapp-taro + jsencrypt + sm-crypto sm2 (one bundle)', bundle("exports.A=require('@authing/miniapp-taro').Authing;const {JSEncrypt}=require('jsencrypt');exports.r=(t,k)=>{const e=new JSEncrypt();e.setPublicKey(k);return e.encrypt(t)};exports.s=require('sm-crypto/src/sm2').doEncrypt;", taroExternal)],
  ];
  return peers.map(([label, buf]) => ({ label, sizes: sizes(buf) }));
}

const kb = (n) => (n === undefined ? '' : n.toLocaleString('en-US'));

async function main() {
  const argv = process.argv.slice(2);
  const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
  const pkgDir = path.resolve(opt('--pkg', path.join(ROOT, 'pkg')));
  const m = measurePackage(pkgDir);
  const peers = await peerSizes();
  const head = ['what', 'file', 'raw', 'gzip -9', 'brotli q11', 'budget', 'status', 'share of 2 MB'];
  const out = [];
  for (const a of m.artifacts) {
    const budget = Object.entries(a.budget).map(([k, v]) => `${k} <= ${kb(v)}`).join(', ');
    if (!a.sizes) { out.push(['ours: ' + a.label, a.paths[0], '', '', '', budget, a.required ? 'MISSING (required)' : 'missing', '']); continue; }
    out.push(['ours: ' + a.label, a.file, kb(a.sizes.raw), kb(a.sizes.gzip), kb(a.sizes.brotli), budget, a.over.length ? `OVER (${a.over.join(', ')})` : 'ok', `${(100 * a.sizes.raw / WECHAT_LIMIT).toFixed(2)}%`]);
  }
  for (const r of m.unbudgeted) out.push(['ours: UNBUDGETED artifact', r, '', '', '', 'none', 'add it to budgets.json', '']);
  out.push(['ours: everything WeChat copies (miniprogram_dist/)', m.miniprogram.files.map((f) => `${f.file.replace(/^miniprogram_dist\//, '')} ${kb(f.raw)}`).join(' + '), kb(m.miniprogram.raw), '', '', `raw <= ${kb(m.miniprogram.budget)}`, m.miniprogram.over ? 'OVER' : 'ok', `${(100 * m.miniprogram.share).toFixed(2)}%`]);
  for (const p of peers) out.push(['peer: ' + p.label, '', kb(p.sizes.raw), kb(p.sizes.gzip), kb(p.sizes.brotli), '', '', `${(100 * p.sizes.raw / WECHAT_LIMIT).toFixed(2)}%`]);
  console.log(`Sizes in bytes; pkg: ${pkgDir}; WeChat main-package limit ${kb(WECHAT_LIMIT)} B (the share column uses raw bytes of the file as shipped).`);
  console.log('| ' + head.join(' | ') + ' |');
  console.log('|---|---|---:|---:|---:|---|---|---:|');
  for (const r of out) console.log('| ' + r.join(' | ') + ' |');
  // Where the bytes go, for the full and the serverless-only artifacts: the top crates and functions
  // of the wasm (tests/bench/size-profile.mjs) and the bytes each source file puts into the JS entry
  // (tests/bench/js-profile.mjs).
  const top = Number(opt('--top', 12));
  const printed = (what, make, format) => ['full', 'serverless'].flatMap((v) => {
    try {
      const p = make(v);
      console.log('\n' + format(p, top).join('\n'));
      return [p];
    } catch (e) {
      console.log(`\n${what} [${v}]: unavailable: ${e.message}`);
      return [];
    }
  });
  const { profile, formatProfile } = await import('./size-profile.mjs');
  const profiles = printed('size profile', profile, formatProfile);
  const { jsProfile, formatJsProfile } = await import('./js-profile.mjs');
  const jsProfiles = printed('JS profile', jsProfile, formatJsProfile);
  const j = opt('--json', null);
  if (j) fs.writeFileSync(j, JSON.stringify({ ...m, peers, profiles: profiles.map(({ functions, ...p }) => ({ ...p, functions: functions.slice(0, 50) })), jsProfiles }, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
