// The MPServerless-compatible client: `new MPServerless(platformApi, config)`, API-compatible with
// @alicloud/mpserverless-sdk 3.1.5 (user, db, function, file, network), wire-compatible envelopes.
//
// Split of work: this class checks the constructor arguments and hands each call to the Rust core
// (ServerlessClient, one `call(method, args)` entry point), which builds and signs every envelope,
// keeps the session, renews it once on an invalid token, and classifies errors. The codec
// (./codec.js) turns caller values into JSON text and replies into the official shapes; the
// platform functions become the core's Host in ../hosts/platform-api.js; db and transactions are
// in ./db.js.
import { ServerlessClient } from 'miniapp-core-glue';
import { runtime } from '../runtime.js';
import { mpError, mpInvalid } from '../errors.js';
import { callApi } from '../hosts/callback.js';
import { platformApiHost } from '../hosts/platform-api.js';
import { serverlessPlatform } from '../platform.js';
import { toJson, joinIds, str, decodeBody } from './codec.js';
import { makeCollection, Transaction } from './db.js';
import { debugHost, EMPTY_LOGGER } from './debug.js';
import { version } from '../version.js';

const PROVIDER_OF = { alipay: 'alipay_openapi', wechat: 'wechat_openapi', dingtalk: 'dingtalk_openapi' };

/**
 * `new MPServerless(platformApi, {appId, spaceId, clientSecret, endpoint, timeout?, isvAppId?, logger?})`.
 * platformApi: `{request, uploadFile, getAuthCode | login, getFileInfo?, getImageInfo?}` of `my` / `wx`
 * (or the whole `my` / `wx` object). Throws at once, naming what is missing.
 */
export class MPServerless {
  constructor(platformApi, config) {
    const api = platformApi;
    if (!api || (typeof api !== 'object' && typeof api !== 'function')) {
      throw mpError('HOST_MISSING', 'platform', 'MPServerless: the first argument must be the platform API: my, wx, or {request, uploadFile, getAuthCode, getFileInfo, getImageInfo}', { sdkCode: 'HOST_MISSING' });
    }
    const fn = (v) => typeof v === 'function';
    const missing = [
      [fn(api.request || api.httpRequest), 'request'],
      [fn(api.uploadFile), 'uploadFile'],
      [fn(api.getAuthCode) || fn(api.login), 'getAuthCode (or login)'],
      ...['getFileInfo', 'getImageInfo'].map((opt) => [api[opt] == null || fn(api[opt]), opt + ' (not a function)']),
    ].filter(([ok]) => !ok).map(([, what]) => what);
    if (missing.length) {
      throw mpError('HOST_MISSING', 'platform',
        'MPServerless: platformApi is missing ' + missing.join(', ') + ' (pass e.g. {request: wx.request, uploadFile: wx.uploadFile, getAuthCode: wx.login})',
        { sdkCode: 'HOST_MISSING', missing });
    }
    if (!config || typeof config !== 'object') throw mpInvalid('config', 'config must be an object');
    let appId = config.appId;
    if (appId && typeof appId === 'object') appId = appId[serverlessPlatform()];
    for (const [field, value] of [['appId', appId], ['spaceId', config.spaceId], ['clientSecret', config.clientSecret], ['endpoint', config.endpoint]]) {
      if (value === undefined || value === null || value === '') throw mpInvalid(field, field + ' is required');
      if (typeof value !== 'string') throw mpInvalid(field, field + ' must be a string');
    }
    this._api = api;
    this._configJson = JSON.stringify({
      appId, spaceId: config.spaceId, clientSecret: config.clientSecret, endpoint: config.endpoint,
      timeout: config.timeout, isvAppId: config.isvAppId,
    });
    this._wasmPath = config.wasmPath;
    this._debug = false;
    this._logger = config.logger || EMPTY_LOGGER;
    this._core = null;
    this.version = version;

    const self = this;
    this.user = {
      /** `{authType: 'anonymous'}` or `{authProvider: 'alipay_openapi' | 'wechat_openapi'}` → `{success}`. */
      authorize(options) {
        return self._call(async (core) => ({ success: await core.call('authorize', { options: toJson('options', options) }) }));
      },
      getInfo(options) {
        return self._body('getInfo', () => ({ options: options ? toJson('options', options) : undefined }));
      },
    };
    this.db = {
      collection(name) {
        return makeCollection(self, name);
      },
      startTransaction() {
        return self._call(async (core) => new Transaction(self, (await core.call('startTransaction', {})).transactionId));
      },
    };
    this.function = {
      invoke(functionTarget, functionArgs) {
        return self._call(async (core) => {
          if (typeof functionTarget !== 'string') throw mpInvalid('functionTarget', 'functionTarget should be a non-empty string');
          if (typeof functionArgs === 'number' && isNaN(functionArgs)) throw mpInvalid('functionArgs', 'functionArgs should not be NaN');
          const reply = await core.call('invoke', { target: functionTarget, args: toJson('functionArgs', functionArgs) });
          return Object.assign({}, decodeBody(reply.body), { requestId: reply.requestId });
        });
      },
    };
    this.file = {
      uploadFile(options) {
        return self._call((core) => self._upload(core, options));
      },
      deleteFile(fileId) {
        return self._body('deleteFile', () => ({ ids: joinIds('fileId', fileId) }));
      },
      /** 3.x: the sign RPC of an upload alone; resolves the decoded body (`result` = the OSS form data). */
      getOSSUploadOptionsFromPath(path, targetPath, size, cloudPath) {
        return self._body('ossSign', () => {
          if (typeof path !== 'string') throw mpInvalid('path', 'path should be a string');
          const bytes = size === undefined || size === null ? undefined : str(size, 'size');
          return { path, targetPath: targetPath ? str(targetPath, 'targetPath') : undefined, size: bytes, cloudPath: cloudPath ? str(cloudPath, 'cloudPath') : undefined };
        });
      },
      /** 3.x: the report RPC of an upload alone; resolves undefined (the core refuses an id that is not a non-empty string). */
      reportOSSUpload(id, contentType) {
        return self._call(async (core) => {
          await core.call('ossReport', { id, contentType: contentType ? str(contentType, 'contentType') : undefined });
        });
      },
      info(fileIds, options) {
        return self._body('fileInfo', () => ({ ids: joinIds('fileIds', fileIds), options: options ? toJson('options', options) : undefined }))
          .then((body) => (body && body.result) || []);
      },
    };
    this.network = {
      forward(method, params) {
        return self._body('forward', () => ({ method: str(method || '', 'method'), params: toJson('params', params) }));
      },
    };
  }

  /** 3.x `init()`: anonymous with `{authType: 'anonymous'}`, else the platform's provider. */
  init(options) {
    if (options && (options.authType === 'anonymous' || options.authorType === 'anonymous')) {
      return this.user.authorize({ authType: 'anonymous' });
    }
    const provider = PROVIDER_OF[serverlessPlatform()] || (this._api.getAuthCode ? 'alipay_openapi' : 'wechat_openapi');
    return this.user.authorize({ authProvider: provider });
  }

  /**
   * 3.x: debug lines (each platform call the client makes, secrets redacted) go to the `logger`
   * option while the flag is truthy.
   */
  setDebugFlag(flag) {
    this._debug = flag;
  }

  get debug() {
    return this._debug;
  }

  /** The logger in effect: the `logger` option while debugging, else one that drops every line. */
  get logger() {
    return this._debug ? this._logger : EMPTY_LOGGER;
  }

  /**
   * 3.x's public helper: `wrap(api)(args)` calls a callback-style platform API with `args` plus a
   * `complete` callback and resolves with what `complete` receives (failures included, never
   * rejecting), `headers` copied from `header`. The client itself settles calls differently
   * (../hosts/callback.js, which rejects on failure).
   */
  wrap(fn) {
    return (args) => new Promise((resolve) => {
      fn(Object.assign(args, {
        complete(res) {
          const r = res === undefined ? {} : res;
          r.headers = r.headers || r.header;
          return resolve(r);
        },
      }));
    });
  }

  /** Loads the core once (a failed load is retried on the next call). */
  _client() {
    if (!this._core) {
      const host = debugHost(platformApiHost(this._api), () => this.logger);
      this._core = runtime({ host, wasmPath: this._wasmPath })
        .then((r) => new ServerlessClient(r.host, this._configJson))
        .catch((e) => {
          this._core = null;
          throw e;
        });
    }
    return this._core;
  }

  _call(fn) {
    return this._client().then(fn);
  }

  /** `core.call(method, args())` with the reply's body decoded (`args` throwing rejects, after the core loaded). */
  _body(method, args) {
    return this._call(async (core) => decodeBody((await core.call(method, args())).body));
  }

  async _upload(core, options) {
    if (!options || typeof options !== 'object') throw mpInvalid('options', 'uploadFile options should be an object');
    const filePath = options.filePath;
    if (typeof filePath !== 'string' || !filePath) throw mpInvalid('filePath', 'filePath is required');
    const api = this._api;
    let size = typeof options.fileSize === 'string' ? parseInt(options.fileSize, 10) : options.fileSize;
    if (!size && typeof api.getFileInfo === 'function') {
      try {
        const info = await callApi('getFileInfo', api.getFileInfo, api, { filePath, apFilePath: filePath });
        if (info.size) size = info.size;
      } catch (e) { /* size stays unknown, as in 3.x when getFileInfo is absent */ }
    }
    let detectedType;
    if (!options.extension && typeof api.getImageInfo === 'function') {
      try {
        detectedType = (await callApi('getImageInfo', api.getImageInfo, api, { src: filePath })).type;
      } catch (e) { /* not an image: the extension comes from the path */ }
    }
    const headers = options.headers && typeof options.headers === 'object' ? options.headers : undefined;
    const meta = options.meta && typeof options.meta === 'object' ? Object.keys(options.meta).map((k) => [k, String(options.meta[k])]) : [];
    const plan = {
      filePath,
      fileSize: typeof size === 'number' && isFinite(size) && size >= 0 ? Math.floor(size) : undefined,
      extension: str(options.extension),
      detectedType: typeof detectedType === 'string' ? detectedType : undefined,
      env: str(options.env),
      headers: headers && {
        expires: str(headers.expires), cacheControl: str(headers.cacheControl), contentType: str(headers.contentType),
        contentEncoding: str(headers.contentEncoding), contentDisposition: str(headers.contentDisposition),
      },
      meta,
      cloudPath: str(options.cloudPath),
      path: str(options.path),
      timeout: typeof options.timeout === 'number' && options.timeout > 0 ? Math.floor(options.timeout) : undefined,
    };
    return JSON.parse(await core.call('uploadFile', { plan: JSON.stringify(plan) }));
  }
}

export default MPServerless;
