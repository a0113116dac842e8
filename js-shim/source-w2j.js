// How the wasm2js builds obtain the core: the same Rust code translated to JavaScript by binaryen's
// wasm2js, for hosts with no WebAssembly engine (Alipay's logic layer). No file is loaded.
import factory from 'miniapp-core-factory';

export const WASM_FILE = 'core';
export const needsEngine = false;
export function engine() { return { kind: 'js', api: null }; }
export function source() { return factory; }
