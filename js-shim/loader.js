// Loads and seeds the wasm core once per JS realm (single-flight, one retry on a transient
// instantiate failure), from a path with a sensible default per host.
import initGlue, * as glue from 'miniapp-core-glue';
import { setByteLoader } from './mp-shim.js';
import { WASM_FILE, engine, source } from 'miniapp-core-source';
import { standardByteLoader } from './hosts/standard.js';
import { globalObject } from './platform.js';
import { sdkError, messageOf } from './errors.js';

export const PACKAGE_NAME = 'miniapp-sdk';

let config = {};
let loading = null;

/** Sets load options before first use: `{wasmPath}`. */
export function configure(options) {
  if (loading && options && options.wasmPath && options.wasmPath !== config.wasmPath) {
    throw sdkError('INVALID_ARGUMENT', 'wasmPath must be set before the SDK is first used');
  }
  config = Object.assign({}, config, options);
}

/** Where the wasm is, by host: code-package path on WeChat/Douyin, package directory on Node. */
export function defaultWasmPath(kind) {
  if (kind === 'wx' || kind === 'tt' || kind === 'my') return '/miniprogram_npm/' + PACKAGE_NAME + '/' + WASM_FILE + '.wasm.br';
  if (typeof __dirname !== 'undefined' && typeof process !== 'undefined' && process.versions && process.versions.node) {
    return __dirname + '/' + WASM_FILE + '.wasm';
  }
  return undefined;
}

async function instantiate(path) {
  try {
    await initGlue({ module_or_path: source(path) });
  } catch (first) {
    // iOS WeChat has intermittent instantiate failures: retry once before giving up.
    try {
      await initGlue({ module_or_path: source(path) });
    } catch (second) {
      throw sdkError('WASM_LOAD', 'could not load the SDK wasm from "' + path + '": ' + messageOf(second), { wasmPath: path });
    }
  }
}

/** Host bytes per seed: src/crypto/rng.rs `RESEED_BYTES`, which .ci/build.mjs reads into the define. */
/* global __MINIAPP_SEED_BYTES__ */
const SEED_BYTES = __MINIAPP_SEED_BYTES__;

/** The host's secure random bytes for the seed; rejects with NO_ENTROPY (fail closed). */
async function seedBytes(host) {
  if (!host || typeof host.getRandomValues !== 'function') {
    throw sdkError('NO_ENTROPY', 'this host has no secure random source (WeChat needs base library 2.15.0 for wx.getRandomValues, which plugins do not have; Alipay has none in the logic layer). The SDK refuses to run without one.');
  }
  try {
    const bytes = await host.getRandomValues(SEED_BYTES);
    return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  } catch (e) {
    throw sdkError('NO_ENTROPY', 'the secure random source failed: ' + messageOf(e));
  }
}

async function load() {
  const wasm = engine();
  if (!wasm) {
    throw sdkError('WASM_LOAD', 'this host has no WebAssembly engine (no WXWebAssembly, TTWebAssembly, MYWebAssembly or WebAssembly): use the wasm2js build, miniapp-sdk/alipay (or miniapp-sdk/alipay-serverless)');
  }
  const path = wasm.kind === 'js' ? '(wasm2js)' : config.wasmPath || defaultWasmPath(wasm.kind);
  if (!path) throw sdkError('INVALID_ARGUMENT', 'pass wasmPath: the URL or path where ' + WASM_FILE + '.wasm is served on this host');
  if (wasm.kind === 'std') setByteLoader(standardByteLoader(globalObject()));
  await instantiate(path);
  return glue;
}

/** Loads the wasm core once per JS realm. A failed load can be retried by calling again. */
export function loadWasm() {
  if (!loading) {
    loading = load().catch((e) => {
      loading = null;
      throw e;
    });
  }
  return loading;
}

/**
 * Loads the core and seeds its random generator from `host`'s secure source. Fails closed
 * (NO_ENTROPY) when the host has none: crypto never runs on a weak or missing source. When this
 * call starts the load, the bytes are asked for at once, so on phones the two host calls
 * (wx.getRandomValues, WXWebAssembly.instantiate) are in flight together.
 */
export async function loadCore(host) {
  const early = loading ? null : seedBytes(host);
  if (early) early.catch(() => {}); // awaited below, unless the load fails first
  const g = await loadWasm();
  if (typeof g.isSeeded !== 'function') throw sdkError('INVALID_ARGUMENT', 'this build has no password encryption (serverless-only artifact)');
  if (!g.isSeeded()) {
    const bytes = await (early || seedBytes(host));
    try {
      g.seedEntropy(bytes);
    } catch (e) {
      throw sdkError('NO_ENTROPY', messageOf(e));
    }
  }
  return g;
}
