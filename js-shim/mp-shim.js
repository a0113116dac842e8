// Lexical stand-ins for the globals wasm-bindgen's glue expects: `WebAssembly`, `TextEncoder`,
// `TextDecoder`. The build prepends `import {...} from './mp-shim.js'` to the glue, so the glue sees
// these bindings instead of (possibly missing) host globals. Nothing is written to the host's
// global object, so other libraries that probe `typeof WebAssembly` are unaffected.
import { Utf8Encoder, Utf8Decoder } from './utf8.js';

/** A code-package path (WeChat/Douyin/Alipay) or URL/file path (browser/Node) of the wasm file. */
export class WasmPath {
  constructor(path) { this.path = path; }
}

/** `{kind, api}` when `api` is a wasm engine (has `instantiate`). */
const engineOf = (kind, api) => (api && typeof api.instantiate === 'function' ? { kind, api } : null);

/** Which wasm engine this host has: WXWebAssembly, TTWebAssembly, MYWebAssembly or standard WebAssembly. */
export function hostWasm() {
  return engineOf('wx', typeof WXWebAssembly !== 'undefined' && WXWebAssembly) ||
    // Douyin: TTWebAssembly (base library 2.34.0.0; .wasm.br from 2.92.0.0), same path-only contract.
    engineOf('tt', typeof TTWebAssembly !== 'undefined' && TTWebAssembly) ||
    engineOf('my', typeof MYWebAssembly !== 'undefined' && MYWebAssembly) ||
    engineOf('std', typeof WebAssembly !== 'undefined' && WebAssembly);
}

let byteLoader = null;
/** Sets how standard-WebAssembly hosts read the bytes behind a WasmPath. */
export function setByteLoader(fn) { byteLoader = fn; }

/** What the loader and the facade below say when no engine of hostWasm() exists. */
export const NO_ENGINE = 'this host has no WebAssembly engine (no WXWebAssembly, TTWebAssembly, MYWebAssembly or WebAssembly)';

/** The glue's `WebAssembly`: only `instantiate`, which resolves `{instance, module}` on every host. */
const facade = {
  async instantiate(source, imports) {
    const h = hostWasm();
    if (!h) throw new Error(NO_ENGINE);
    let r;
    if (source instanceof WasmPath) {
      if (h.kind !== 'std') r = await h.api.instantiate(source.path, imports);
      else if (!byteLoader) throw new Error('no way to read ' + source.path + ' on this host');
      else r = await h.api.instantiate(await byteLoader(source.path), imports);
    } else if (h.kind !== 'std') {
      throw new TypeError(h.kind + ' hosts only instantiate wasm from a code-package path');
    } else {
      r = await h.api.instantiate(source, imports);
    }
    // WeChat resolves {instance, module} (its typings say Instance), a standard engine an Instance
    // for a Module: accept both.
    return r && r.instance ? r : { instance: r, module: undefined };
  },
};
export { facade as WebAssembly };

function nativeGlobal(name) {
  try {
    if (typeof globalThis !== 'undefined' && globalThis[name]) return globalThis[name];
  } catch (e) { /* host without globalThis */ }
  return undefined;
}

export const TextEncoder = nativeGlobal('TextEncoder') || Utf8Encoder;
export const TextDecoder = (() => {
  const D = nativeGlobal('TextDecoder');
  // Some hosts ship a decoder whose decode() with no argument throws; the glue calls exactly that.
  try { if (D) { new D('utf-8', { ignoreBOM: true, fatal: true }).decode(); return D; } } catch (e) { /* fall through */ }
  return Utf8Decoder;
})();

/** The glue's URL/Request loading path is never used: the loader always passes a WasmPath. */
export function unsupportedLoad() {
  throw new Error('miniapp-sdk loads its wasm from a path, not from a URL request');
}

// The glue's one read of `globalThis` is `js_sys::global()`, and its one use is wasm-bindgen-futures
// looking for `queueMicrotask` (the core's Rust code reads no global). Shadowed lexically by an
// empty object, on every host alike (the Alipay logic layer and old iOS JavaScriptCore have no
// `globalThis` anyway): the futures queue schedules with `Promise.then`, which in Node costs
// 0.03 ms on first use instead of 0.21 and 0.9 us per task instead of 3.8 (Node's queueMicrotask
// wraps every callback in an AsyncResource).
const glueGlobal = {};
export { glueGlobal as globalThis };
