// Declarations every entry of miniapp-sdk shares: the error of the JS layer, the Host interface a
// platform adapter implements, and the loader (configure, defaultWasmPath, init, version). Each
// entry's .d.ts re-exports the part its JavaScript exports.

/** Every error raised or returned by the SDK: a real Error with a stable code. */
export interface SdkError extends Error {
  name: 'SdkError';
  /** Stable code: HOST_MISSING, HOST_THREW, HOST_NOT_PROMISE, HOST_REJECTED, TIMEOUT, HOST_BAD_VALUE,
   * INVALID_ARGUMENT, SERVER, BAD_RESPONSE, CRYPTO, NO_ENTROPY, NOT_LOGGED_IN, STORAGE, WASM_LOAD. */
  code: string;
  statusCode?: number;
  /** For host errors: which host function failed. */
  capability?: string;
}

export interface HostRequest {
  method: 'GET' | 'POST';
  url: string;
  header: Record<string, string>;
  data?: string;
  timeout: number;
}

export interface HostUpload {
  url: string;
  filePath: string;
  name: string;
  formData: Record<string, string>;
  header: Record<string, string>;
  timeout: number;
}

export interface HostResponse {
  statusCode: number;
  data: string | object;
  header?: Record<string, string>;
}

/** Platform capabilities the core awaits; every function returns a Promise. */
export interface Host {
  platform?: string;
  request(req: HostRequest): Promise<HostResponse>;
  uploadFile?(req: HostUpload): Promise<HostResponse>;
  login?(): Promise<string>;
  getStorage?(key: string): Promise<unknown>;
  setStorage?(key: string, value: unknown): Promise<void>;
  removeStorage?(key: string): Promise<void>;
  /** Cryptographically secure bytes. Without it the SDK refuses to start (NO_ENTROPY). */
  getRandomValues?(length: number): Promise<Uint8Array | ArrayBuffer>;
  /** Bound on a host call that never settles, in ms (default 10000). */
  callTimeoutMs?: number;
}

/** The host adapter the SDK picked (`custom`: an adapter without a `platform` of its own). */
export type HostPlatform = 'wx' | 'tt' | 'uni' | 'alipay' | 'browser' | 'node' | 'custom';

export interface InitOptions {
  /** Where the wasm is. Defaults: `/miniprogram_npm/miniapp-sdk/core.wasm.br` on WeChat and Douyin, the package directory on Node; required in browsers, Taro and uni-app. */
  wasmPath?: string;
  /** Force `wx` or `tt` when both exist. */
  platform?: 'wx' | 'tt';
  /** Replace the platform adapter. */
  host?: Host;
}

/** Low-level core bound to a host. */
export interface Core {
  /** GET `url` through the host's request: checks the adapter end to end. */
  ping(url: string): Promise<{ statusCode: number; data: string }>;
  /** Encrypts a password as Authing's add-ons do (RSA PKCS#1 v1.5 base64, or SM2 C1C3C2 hex without 04). */
  encryptPassword(kind: 'rsa' | 'sm2', publicKey: string, plaintext: string): Promise<string>;
  free(): void;
}

export function init(options?: InitOptions): Promise<{ core: Core; host: Host; platform: HostPlatform | string }>;
export function configure(options: { wasmPath?: string }): void;
/** Where the wasm is by default for a wasm engine kind: WeChat/Douyin/Alipay code-package path, else the package directory on Node. */
export function defaultWasmPath(kind?: 'wx' | 'tt' | 'my' | 'std'): string | undefined;
export const version: string;

