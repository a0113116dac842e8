// Typings of the auth-only entries (`miniapp-sdk/auth`, `miniapp-sdk/alipay-auth`): the Authing client and the loader.
export type { SdkError, HostRequest, HostUpload, HostResponse, Host, HostPlatform, InitOptions, Core } from './common';
export { init, configure, defaultWasmPath, version } from './common';
export * from './authing';
