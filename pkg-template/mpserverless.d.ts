// Typings of the MPServerless-compatible client (`miniapp-sdk/mpserverless`), API-compatible with
// @alicloud/mpserverless-sdk 3.1.5.

/** A mini-program callback-style API (`wx.request`, `my.getAuthCode`, ...). */
export type PlatformFunction = (options: Record<string, any>) => any;

/**
 * The platform functions, checked at construction: `request`, `uploadFile` and `getAuthCode` (or
 * `login`, e.g. `wx.login`) are required; `getFileInfo` and `getImageInfo` are optional. The whole
 * `my` / `wx` object works too.
 */
export interface PlatformApi {
  request?: PlatformFunction;
  /** 3.x alias of `request`. */
  httpRequest?: PlatformFunction;
  uploadFile: PlatformFunction;
  getAuthCode?: PlatformFunction;
  login?: PlatformFunction;
  getFileInfo?: PlatformFunction;
  getImageInfo?: PlatformFunction;
  [key: string]: any;
}

export interface MPServerlessConfig {
  /** Mini-program app id (3.x also accepts `{alipay, wechat, dingtalk}`, picked by platform). */
  appId: string | { alipay?: string; wechat?: string; dingtalk?: string };
  spaceId: string;
  clientSecret: string;
  /** Gateway URL, e.g. `https://api.next.bspapp.com`; requests go to `{endpoint}/client`. */
  endpoint: string;
  /** Milliseconds, or `'300ms'` / `'5s'`. Default 5000. */
  timeout?: number | string;
  isvAppId?: string;
  /** Where the SDK's wasm is served on this host (defaults per platform). */
  wasmPath?: string;
  /** Receives the debug lines while `setDebugFlag(true)` is in effect (secrets redacted). */
  logger?: Logger;
  /** Accepted and ignored, as by 3.1.5 (which never sends it). */
  userId?: string;
}

/** The 3.x logger shape: `console` fits. */
export interface Logger {
  log(...args: any[]): void;
  info(...args: any[]): void;
  warn(...args: any[]): void;
  error(...args: any[]): void;
  debug(...args: any[]): void;
}

/** Every rejection: a real `Error` with a stable `code` (`{code, message}` as apps already handle). */
export interface MPServerlessError extends Error {
  name: 'MPServerlessError';
  /**
   * `NETWORK_ERROR` | `TIMEOUT` | the gateway's own code (e.g. `GATEWAY_INVALID_TOKEN`, `DB_ERROR`) or
   * `GATEWAY_ERROR` / `BAD_RESPONSE` / `UPLOAD_FAILED` | `ValidationFailed` | `TransactionError` |
   * `UnauthorizedError` | `LOGIN_FAILED` | `HOST_MISSING` (constructor) | other `HOST_*` codes.
   */
  code: string;
  type: 'network' | 'timeout' | 'gateway' | 'validation' | 'unauthorized' | 'platform';
  /** The core's generic code (`HOST_REJECTED`, `SERVER`, `INVALID_ARGUMENT`, ...). */
  sdkCode?: string;
  /** HTTP status, for gateway errors. */
  statusCode?: number;
}

export interface AuthorizeOptions {
  /** `'anonymous'` wins over `authProvider`. */
  authType?: 'anonymous' | '';
  /** Required unless `authType` is `'anonymous'`. */
  authProvider?: 'alipay_openapi' | 'wechat_openapi' | 'dingtalk_openapi';
}

/** The decoded gateway body: `data` becomes `result` (DB replies spread `affectedDocs`). */
export interface Result<T = any> {
  success: boolean;
  result?: T;
  affectedDocs?: number;
  [key: string]: any;
}

export interface UserInfo {
  spaceId: string;
  userId: string;
  oAuthUserId?: string;
}

export interface User {
  /** Resolves `{success}` (never `undefined`, unlike 3.1.5 on a repeated call). */
  authorize(options?: AuthorizeOptions): Promise<{ success: boolean }>;
  getInfo(options?: Record<string, any>): Promise<Result<UserInfo>>;
}

export interface FindOptions {
  limit?: number;
  skip?: number;
  maxTimeMS?: number;
  sort?: Record<string, 1 | -1>;
  projection?: Record<string, 0 | 1>;
  hint?: Record<string, any>;
  [key: string]: any;
}

/** A query: plain values, operators, and `RegExp` values (sent as `{$regex, $options}`). */
export type Query = Record<string, any>;
export type Document = Record<string, any>;

export interface Collection {
  find(query?: Query, options?: FindOptions): Promise<Result<Document[]>>;
  findOne(query?: Query, options?: FindOptions): Promise<Result<Document | null>>;
  count(query: Query, options?: { limit?: number; skip?: number; maxTimeMS?: number }): Promise<Result<number>>;
  distinct(key: string, query: Query, options?: Record<string, any>): Promise<Result<any[]>>;
  aggregate(pipeline: Record<string, any>[], options?: Record<string, any>): Promise<Result<Document[]>>;
  insertOne(doc: Document, options?: Record<string, any>): Promise<Result<string>>;
  insertMany(docs: Document[], options?: Record<string, any>): Promise<Result<Record<string, string>>>;
  updateOne(filter: Query, update: Record<string, any>, options?: { upsert?: boolean }): Promise<Result>;
  updateMany(filter: Query, update: Record<string, any>, options?: { upsert?: boolean }): Promise<Result>;
  replaceOne(filter: Query, doc: Document, options?: { upsert?: boolean }): Promise<Result>;
  findOneAndUpdate(
    filter: Query,
    update: Record<string, any>,
    options?: { maxTimeMS?: number; sort?: Record<string, 1 | -1>; upsert?: boolean; projection?: Record<string, 0 | 1>; returnNewDocument?: boolean },
  ): Promise<Result<Document | null>>;
  findOneAndReplace(
    filter: Query,
    replacement: Document,
    options?: { maxTimeMS?: number; sort?: Record<string, 1 | -1>; upsert?: boolean; projection?: Record<string, 0 | 1> },
  ): Promise<Result<Document | null>>;
  findOneAndDelete(
    filter: Query,
    options?: { maxTimeMS?: number; sort?: Record<string, 1 | -1>; projection?: Record<string, any> },
  ): Promise<Result<Document | null>>;
  deleteOne(filter: Query, options?: Record<string, any>): Promise<Result>;
  deleteMany(filter: Query, options?: Record<string, any>): Promise<Result>;
  /** Switches the collection the next commands (and an open chain's commit) address; returns this object. */
  collection(name: string): Collection;
  /**
   * 3.x's collection-level chain: starts a transaction on this collection and resolves its id; the
   * later commands of this object carry it (multi-document commands are refused) until `commit()`
   * or `rollback()`.
   */
  transaction(): Promise<string>;
  commit(): Promise<Result>;
  rollback(): Promise<Result>;
}

/** A transaction: findOne, insertOne, updateOne, replaceOne, deleteOne and findOneAnd* only. */
export interface Transaction {
  readonly id: string;
  readonly status: 'init' | 'commit' | 'rollback';
  collection(name: string): Collection;
  commit(): Promise<Result>;
  rollback(): Promise<Result>;
}

export interface Db {
  collection(name: string): Collection;
  startTransaction(): Promise<Transaction>;
}

export interface FunctionService {
  /** Resolves `{success, result, requestId}`. */
  invoke<T = any>(functionTarget: string, functionArgs?: any): Promise<Result<T> & { requestId?: string }>;
}

export interface UploadFileOptions {
  filePath: string;
  fileSize?: number | string;
  /** Any extension of the whitelist, with or without a dot (`webp`, `.bmp`, `pdf`, ...). */
  extension?: string;
  env?: 'public';
  /** Upload timeout in ms (default 60000). */
  timeout?: number;
  headers?: { cacheControl?: string; contentDisposition?: string; contentEncoding?: string; contentType?: string; expires?: string };
  meta?: Record<string, string | number>;
  /** Target file id, starting with `/` (3.1.5+). */
  cloudPath?: string;
  /** Target directory. */
  path?: string;
}

export interface UploadFileResult {
  fileUrl: string;
  filePath: string;
  fileId: string;
}

export interface FileService {
  uploadFile(options: UploadFileOptions): Promise<UploadFileResult>;
  /** One id, or several (comma-joined or an array). */
  deleteFile(fileId: string | string[]): Promise<Result<Array<{ success: boolean; fileId: string; errorCode?: string; errorMessage?: string }>>>;
  info(fileIds: string | string[], options?: { maxAge?: number }): Promise<any[]>;
  /** 3.x: the sign RPC of an upload alone (`path`'s last segment is the file name); resolves the decoded body. */
  getOSSUploadOptionsFromPath(path: string, targetPath?: string, size?: number, cloudPath?: string): Promise<Result<OSSUploadOptions>>;
  /** 3.x: reports a finished OSS upload; resolves undefined. */
  reportOSSUpload(id: string, contentType?: string): Promise<void>;
}

/** The gateway's OSS form data for one upload. */
export interface OSSUploadOptions {
  id: string;
  host: string;
  ossPath?: string;
  policy?: string;
  signature?: string;
  accessKeyId?: string;
  securityToken?: string;
  cdnDomain?: string;
  ossCallbackUrl?: string;
  [key: string]: any;
}

export interface Network {
  /** Any authenticated RPC. */
  forward(method: string, params?: any): Promise<Result>;
}

export declare class MPServerless {
  /** Throws at once (code `HOST_MISSING` / `ValidationFailed`) naming what is missing. No I/O. */
  constructor(platformApi: PlatformApi, config: MPServerlessConfig);
  readonly version: string;
  readonly user: User;
  readonly db: Db;
  readonly function: FunctionService;
  readonly file: FileService;
  readonly network: Network;
  /** 3.x: `{authType: 'anonymous'}` → anonymous, else the platform's provider. */
  init(options?: { authType?: 'anonymous'; authorType?: 'anonymous' }): Promise<{ success: boolean }>;
  /** Debug lines (each platform call, secrets redacted) go to the `logger` option while `flag` is truthy. */
  setDebugFlag(flag: boolean): void;
  readonly debug: boolean;
  /** The `logger` option while debugging, else a logger that drops every line. */
  readonly logger: Logger;
  /** 3.x helper: `wrap(api)(args)` resolves with what `api` passes to `complete` (failures too), `headers` from `header`. */
  wrap(fn: PlatformFunction): (args: Record<string, any>) => Promise<any>;
}

export default MPServerless;
