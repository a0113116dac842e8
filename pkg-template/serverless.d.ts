// Typings of the serverless-only entries (`miniapp-sdk/serverless`, `miniapp-sdk/alipay-serverless`):
// the MPServerless client (also the default export) and the loader's configure.
export { configure, defaultWasmPath, version } from './common';
export * from './mpserverless';
export { default } from './mpserverless';
