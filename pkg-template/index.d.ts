// Typings of the main entry (`miniapp-sdk`, `miniapp-sdk/authing`, `miniapp-sdk/alipay`): both clients and the loader.
export type { SdkError, HostRequest, HostUpload, HostResponse, Host, HostPlatform, InitOptions, Core } from './common';
export { init, configure, defaultWasmPath, version } from './common';
export * from './authing';
export { MPServerless } from './mpserverless';
export type {
  PlatformApi, PlatformFunction, MPServerlessConfig, MPServerlessError, AuthorizeOptions, Collection, Db, Transaction,
  UploadFileOptions, UploadFileResult,
} from './mpserverless';
