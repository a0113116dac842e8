// The `WebAssembly` stand-in for wasm2js builds: "instantiating" the translated module calls its
// factory with the glue's imports. TextEncoder/TextDecoder come from the same place as for wasm.
export { TextEncoder, TextDecoder, unsupportedLoad, globalThis } from './mp-shim.js';

class Module {
  constructor(factory) { this.factory = factory; }
}

class Instance {
  constructor(module, imports) {
    const factory = module instanceof Module ? module.factory : module;
    this.exports = factory(imports);
  }
}

const facade = {
  Module,
  Instance,
  instantiate(source, imports) {
    const module = source instanceof Module ? source : new Module(source);
    return Promise.resolve({ instance: new Instance(module, imports), module });
  },
};
export { facade as WebAssembly };
