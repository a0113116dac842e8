// Loads the wasm core once per JS realm (single-flight, one retry on a transient instantiate
// failure), from a path with a sensible default per host. The facades import the glue's classes
// themselves (a namespace object of the glue would be bundled otherwise); init.js seeds.
import initGlue from 'miniapp-core-glue';
import { NO_ENGINE, setByteLoader } from './mp-shim.js';
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
  // iOS WeChat has intermittent instantiate failures: one retry before giving up.
  for (let attempt = 0; ; attempt++) {
    try {
      return await initGlue({ module_or_path: source(path) });
    } catch (e) {
      if (attempt) throw sdkError('WASM_LOAD', 'could not load the SDK wasm from "' + path + '": ' + messageOf(e), { wasmPath: path });
    }
  }
}

async function load() {
  const wasm = engine();
  if (!wasm) {
    throw sdkError('WASM_LOAD', NO_ENGINE + ': use the wasm2js build, miniapp-sdk/alipay (or miniapp-sdk/alipay-serverless)');
  }
  const path = wasm.kind === 'js' ? '(wasm2js)' : config.wasmPath || defaultWasmPath(wasm.kind);
  if (!path) throw sdkError('INVALID_ARGUMENT', 'pass wasmPath: the URL or path where ' + WASM_FILE + '.wasm is served on this host');
  if (wasm.kind === 'std') setByteLoader(standardByteLoader(globalObject()));
  await instantiate(path);
}

/**
 * Loads the wasm core once per JS realm. A failed load can be retried by calling again.
 * `onStart`, if given, runs when this call starts the load (init() asks the host for its seed
 * bytes then, so on phones wx.getRandomValues and WXWebAssembly.instantiate are in flight together).
 */
export function loadWasm(onStart) {
  if (!loading) {
    if (onStart) onStart();
    loading = load().catch((e) => {
      loading = null;
      throw e;
    });
  }
  return loading;
}
