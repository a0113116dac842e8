'use strict';
// One cold-start sample, in a fresh `node` process (run.mjs spawns this several times):
//   ours: require(pkg) + init() (wasm read, compile, instantiate, seeding from host entropy)
//         + first core.encryptPassword
//   JS:   require(library) + first one-shot encrypt
// Usage: node cold.cjs <impl> <alg> <pkgDir>. Prints one JSON line: {load_ms, first_ms, total_ms}.
const t0 = performance.now();
const fs = require('node:fs');
const path = require('node:path');
const [impl, alg, pkgDir] = process.argv.slice(2);
const here = __dirname;
const key = {
  rsaPem: fs.readFileSync(path.join(here, '..', 'fixtures', 'rsa-2048-spki.pem'), 'utf8'),
  sm2Public: JSON.parse(fs.readFileSync(path.join(here, 'sm2-key.json'), 'utf8')).publicKey,
};
const tKeys = performance.now(); // key files are read before timing starts; excluded below

(async () => {
  let load, first;
  if (impl === 'ours') {
    const s = performance.now();
    const sdk = require(pkgDir);
    const { core } = await sdk.init();
    load = performance.now() - s;
    const f = performance.now();
    await core.encryptPassword(alg, alg === 'rsa' ? key.rsaPem : key.sm2Public, 'P@ssw0rd-16bytes');
    first = performance.now() - f;
  } else {
    const { ADAPTERS } = require('./adapters.cjs');
    const { nodeCryptoAdapter } = require('./node-crypto.cjs');
    const s = performance.now();
    const a = impl === 'node:crypto' ? nodeCryptoAdapter() : ADAPTERS[impl]();
    const enc = a.oneshot(key);
    load = performance.now() - s;
    const f = performance.now();
    enc();
    first = performance.now() - f;
  }
  process.stdout.write(JSON.stringify({ load_ms: load, first_ms: first, total_ms: load + first, keys_ms: tKeys - t0 }) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
