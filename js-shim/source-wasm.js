// How the wasm builds obtain the core: WXWebAssembly/TTWebAssembly/MYWebAssembly/WebAssembly from a file path.
import { WasmPath, hostWasm } from './mp-shim.js';

/** The wasm file of this artifact (`core` or `core-serverless`), set by the build. */
export const WASM_FILE = typeof __MINIAPP_WASM_FILE__ !== 'undefined' ? __MINIAPP_WASM_FILE__ : 'core';
export const needsEngine = true;
export function engine() { return hostWasm(); }
export function source(path) { return new WasmPath(path); }
