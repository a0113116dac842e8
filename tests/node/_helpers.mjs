// Shared helpers of the node:test suites (not a test file itself).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { installedPackage } from './_installed.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The build output (`node .ci/build.mjs`): what gets packed. Suites test PKG, the installed copy. */
export const BUILT_PKG = path.join(ROOT, 'pkg');
export const require = createRequire(import.meta.url);
export const hostSim = require('../host-sim/index.cjs');
export const FIXTURES = path.join(ROOT, 'tests', 'fixtures');

/** The suites test the built package; they never build it. */
export function assertPkgBuilt() {
  const needed = ['index.js', 'index.mjs', 'index.d.ts', 'package.json', 'core.wasm', 'core.wasm.br', 'miniprogram_dist/index.js', 'miniprogram_dist/core.wasm.br'];
  const missing = needed.filter((f) => !fs.existsSync(path.join(BUILT_PKG, f)));
  if (missing.length) {
    throw new Error(`pkg/ is not built (missing ${missing.join(', ')}). Run \`node .ci/build.mjs\` first; the tests do not build it.`);
  }
}
assertPkgBuilt();

/**
 * The package as a user receives it (see _installed.mjs): `{dir, tarball, shasum, files}` of the
 * tarball of pkg/ installed by npm into a fresh project. PKG is its node_modules/miniapp-sdk.
 */
export const INSTALLED = installedPackage(BUILT_PKG, path.join(ROOT, 'target', 'npm-pack'));
export const PKG = INSTALLED.dir;

const tmpDirs = [];
process.on('exit', () => { for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true }); });

export function tmpDir(prefix = 'mp-test-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

let sharedPackage = null;
/** A code package with pkg/miniprogram_dist laid out at /miniprogram_npm/miniapp-sdk/ (shared, read-only). */
export function codePackage() {
  if (!sharedPackage) sharedPackage = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir('mp-codepkg-') });
  return sharedPackage;
}

let rawWasmPackage = null;
/**
 * The code package plus the raw .wasm files copied from the pkg/ root (miniprogram_dist ships only
 * the .wasm.br): for the tests of the host's raw-.wasm path (shared, read-only).
 */
export function codePackageWithRawWasm() {
  if (!rawWasmPackage) {
    rawWasmPackage = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir('mp-codepkg-raw-') });
    for (const f of fs.readdirSync(PKG).filter((n) => n.endsWith('.wasm'))) {
      fs.copyFileSync(path.join(PKG, f), path.join(rawWasmPackage, 'miniprogram_npm', 'miniapp-sdk', f));
    }
  }
  return rawWasmPackage;
}

/** Echo responder: `{statusCode: 200, data: 'echo:' + url}`. */
export const echo = async (req) => ({ statusCode: 200, data: 'echo:' + req.url, header: { 'content-type': 'text/plain' } });

/**
 * A fresh simulated realm with the SDK required from the code package. `t` (a node:test context)
 * closes the realm after the test.
 */
export function boot(t, simOptions = {}) {
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: codePackage(), responder: echo, ...simOptions });
  if (t) t.after(() => sim.close());
  const sdk = sim.require(simOptions.requireId || 'miniapp-sdk');
  return { sim, sdk };
}

/** Awaits a rejection and returns the rejection value (fails if it resolves). */
export async function rejection(promise) {
  try {
    const v = await promise;
    throw Object.assign(new Error('expected a rejection, got a value: ' + JSON.stringify(v)), { notRejected: true });
  } catch (e) {
    if (e && e.notRejected) throw e;
    return e;
  }
}

export const rsaPrivatePem = () => fs.readFileSync(path.join(FIXTURES, 'rsa-2048-private.pem'), 'utf8');
export const rsaSpkiPem = () => fs.readFileSync(path.join(FIXTURES, 'rsa-2048-spki.pem'), 'utf8');
export const rsaPkcs1Pem = () => fs.readFileSync(path.join(FIXTURES, 'rsa-2048-pkcs1.pem'), 'utf8');

/** RSA PKCS#1 v1.5 decryption with node-forge (Node's crypto refuses PKCS#1 v1.5 private decryption). */
export function rsaDecrypt(b64) {
  const forge = require('node-forge');
  const key = forge.pki.privateKeyFromPem(rsaPrivatePem());
  return forge.util.decodeUtf8(key.decrypt(forge.util.decode64(b64), 'RSAES-PKCS1-V1_5'));
}

export const sm2 = () => require('sm-crypto').sm2;

/**
 * Runs WeChat's real packNpm (miniprogram-ci, offline: tests/host-sim/pack-npm.cjs) on `project`
 * and resolves its result JSON, written beside the project.
 */
export async function packNpm(project) {
  const resultFile = path.join(project, '..', 'packnpm-result.json');
  try {
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'tests', 'host-sim', 'pack-npm.cjs'), project, resultFile], { timeout: 120_000, maxBuffer: 64 << 20 });
  } catch (e) {
    if (!fs.existsSync(resultFile)) throw new Error('packNpm did not finish: ' + e.message);
  }
  return JSON.parse(fs.readFileSync(resultFile, 'utf8'));
}
