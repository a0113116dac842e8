// The MPServerless-compatible client facade: `new MPServerless(platformApi, config)`, API-compatible
// with @alicloud/mpserverless-sdk 3.1.5 (user, db, function, file), wire-compatible envelopes.
//
// Split of work: this file checks the constructor arguments, promisifies the platform functions
// once (wx shape {statusCode, data, header} and my shape {status, data, headers}), serialises caller
// values with JSON.stringify (so their key order is the caller's; RegExp values are encoded as
// {$regex, $options} instead of being lost), and decodes replies into the official result shapes.
// The Rust core (ServerlessClient, one `call(method, args)` entry point) builds and signs every envelope, keeps the session, renews it
// once on an invalid token, and classifies errors.
import { runtime } from './runtime.js';
import { makeError } from './errors.js';

const DEFAULT_LOGIN_TIMEOUT_MS = 10000;

/** A real Error shaped like the core's: `{name: 'MPServerlessError', code, type, message}`. */
function mpError(code, type, message, extra) {
  return makeError('MPServerlessError', message, Object.assign({ code, type }, extra));
}

function invalid(field, reason) {
  return mpError('ValidationFailed', 'validation', 'invalid argument `' + field + '`: ' + reason, { sdkCode: 'INVALID_ARGUMENT', field });
}

const isRegExp = (v) => Object.prototype.toString.call(v) === '[object RegExp]';
const isPlainObject = (v) => Object.prototype.toString.call(v) === '[object Object]';

// MongoDB understands i, m, s, x (and u); JS-only flags (g, y, d) mean nothing to a query.
const mongoFlags = (re) => re.flags.split('').filter((f) => 'imsu'.indexOf(f) >= 0).join('');

/**
 * Replaces RegExp values by MongoDB's `{$regex, $options}` (3.1.5 sends `{}` and 2.x drops the key,
 * widening the query). `{$regex: /x/i}` becomes `{$regex: 'x', $options: 'i'}`. Everything else,
 * key order included, is left for JSON.stringify exactly as the official package serialises it.
 */
function encodeValue(v) {
  if (isRegExp(v)) {
    const flags = mongoFlags(v);
    return flags ? { $regex: v.source, $options: flags } : { $regex: v.source };
  }
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v !== null && typeof v === 'object' && typeof v.toJSON !== 'function') {
    const out = {};
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (k === '$regex' && isRegExp(x)) {
        out.$regex = x.source;
        const flags = mongoFlags(x);
        if (flags && !Object.prototype.hasOwnProperty.call(v, '$options')) out.$options = flags;
      } else {
        out[k] = encodeValue(x);
      }
    }
    return out;
  }
  return v;
}

/** JSON text of a caller value (undefined stays undefined: the key is omitted, as JSON drops it). */
function toJson(field, value) {
  if (value === undefined) return undefined;
  let text;
  try {
    text = JSON.stringify(encodeValue(value));
  } catch (e) {
    throw invalid(field, field + ' cannot be serialised to JSON: ' + (e && e.message));
  }
  return text;
}

// ---- reply decoding (the 3.x decoder, reference §6.2) ------------------------------------------

function decodeBody(text) {
  let body = typeof text === 'string' ? JSON.parse(text) : text;
  if (body && typeof body === 'object' && 'data' in body) {
    const d = body.data;
    if (d == null) body.result = null;
    else if (Number(d.affectedDocs) === d.affectedDocs) body = Object.assign({}, body, d);
    else if (isPlainObject(d)) body.result = Object.assign({}, d);
    else if (Array.isArray(d)) body.result = d.slice(0);
    else body.result = d;
    delete body.data;
  }
  return body;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** DB results: ISO-8601 strings become Dates, recursively (the official JSONDecoder). */
function reviveDates(v) {
  if (typeof v === 'string') return ISO_DATE.test(v) && !isNaN(Date.parse(v)) ? new Date(v) : v;
  if (Array.isArray(v)) return v.map(reviveDates);
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = reviveDates(v[k]);
    return out;
  }
  return v;
}

// ---- platform functions --------------------------------------------------------------------------

/** A failure reported through `complete` or `success` (wx `errMsg: 'x:fail …'`, Alipay `error: N`). */
function failureIn(res) {
  if (!res || typeof res !== 'object') return null;
  if (typeof res.errMsg === 'string' && /:fail/.test(res.errMsg)) return res;
  if (res.error !== undefined && res.error !== null && typeof res.error !== 'object' && parseInt(res.error, 10)) return res;
  return null;
}

/**
 * One Error per platform failure, its message normalised; a timeout carries `kind: 'timeout'`, which
 * the core reads as a structured kind (it never classifies by the text).
 */
function platformFailure(name, err) {
  let msg;
  let timeout = false;
  if (err && typeof err === 'object' && typeof err.errMsg === 'string') {
    msg = err.errMsg;
    timeout = /timeout/i.test(msg); // wx / tt / dd report `request:fail timeout`
  } else if (err && typeof err === 'object' && err.error !== undefined && parseInt(err.error, 10)) {
    const n = parseInt(err.error, 10);
    const detail = err.errorMessage || err.message || '';
    // Alipay: 13 is a timeout; 12 a network error; 19 an HTTP error (see reference §7).
    timeout = n === 13;
    msg = name + ':fail ' + (timeout ? 'timeout' : 'error ' + n) + (detail ? ' ' + detail : '');
  } else if (err instanceof Error || (err && typeof err.message === 'string')) msg = name + ':fail ' + err.message;
  else msg = name + ':fail ' + String(err);
  const e = new Error(msg);
  e.errMsg = msg;
  if (timeout) e.kind = 'timeout';
  return e;
}

/**
 * Calls a callback-style platform API once and settles on the first of success / fail / complete
 * (mocks and old bases call only `complete`, as the official SDK relies on); a Promise return value
 * (uni-app / Taro wrappers) is honoured too. Never resolves with a failure, except that `recover`
 * may turn a failure into a result (Alipay reports HTTP errors as failures that carry the body).
 */
function callPlatform(name, fn, thisArg, args, recover) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const failed = (err) => {
      const r = recover && recover(err);
      if (r) resolve(r);
      else reject(platformFailure(name, err));
    };
    const ok = (res) => {
      if (settled) return;
      settled = true;
      const f = failureIn(res);
      if (f) failed(f);
      else resolve(res || {});
    };
    const fail = (err) => {
      if (settled) return;
      settled = true;
      failed(err);
    };
    let ret;
    try {
      ret = fn.call(thisArg, Object.assign({}, args, { success: ok, fail, complete: ok }));
    } catch (e) {
      fail(e);
      return;
    }
    if (ret && typeof ret.then === 'function') ret.then(ok, fail);
  });
}

/** An Alipay HTTP error (error 19 / non-2xx) that still carries status and body is a response. */
const httpErrorWithBody = (err) =>
  err && typeof err === 'object' && Number(err.status || err.statusCode) >= 100 && err.data !== undefined ? err : null;

function normaliseResponse(res) {
  const status = res.statusCode !== undefined ? res.statusCode : res.status;
  return { statusCode: Number(status), data: res.data, header: res.header || res.headers || {} };
}

/** The Host object the core talks to, over the platform functions passed to the constructor. */
function platformHost(api) {
  const request = api.request || api.httpRequest;
  const login = api.getAuthCode || api.login;
  return {
    platform: 'mpserverless',
    callTimeoutMs: DEFAULT_LOGIN_TIMEOUT_MS,
    request(req) {
      // Both `header` (wx) and `headers` (my) are passed, as the official SDK does.
      return callPlatform('request', request, api, {
        url: req.url, method: req.method, data: req.data, header: req.header, headers: req.header,
        dataType: 'text', responseType: 'text', timeout: req.timeout,
      }, httpErrorWithBody).then(normaliseResponse);
    },
    uploadFile(req) {
      return callPlatform('uploadFile', api.uploadFile, api, {
        url: req.url, filePath: req.filePath, name: req.name, fileName: req.name, fileType: 'image',
        formData: req.formData, header: req.header, timeout: req.timeout,
      }).then(normaliseResponse);
    },
    login() {
      return callPlatform('getAuthCode', login, api, { scopes: 'auth_base' }).then((res) => res.authCode || res.code);
    },
  };
}

function detectedPlatform() {
  /* global dd, wx, my */
  const nonEmpty = (o) => o && typeof o === 'object' && Object.keys(o).length > 0;
  if (typeof dd !== 'undefined' && nonEmpty(dd)) return 'dingtalk';
  if (typeof wx !== 'undefined' && nonEmpty(wx)) return 'wechat';
  if (typeof my !== 'undefined' && nonEmpty(my)) return 'alipay';
  return undefined;
}

const PROVIDER_OF = { alipay: 'alipay_openapi', wechat: 'wechat_openapi', dingtalk: 'dingtalk_openapi' };

// ---- the client ------------------------------------------------------------------------------------

/** db commands and the names of their positional arguments, which precede `options`. */
const DB_ARGS = {
  find: 'query', findOne: 'query', count: 'query', distinct: 'key query', aggregate: 'pipeline', insertOne: 'doc',
  insertMany: 'docs', updateOne: 'filter update', updateMany: 'filter update', replaceOne: 'filter doc',
  findOneAndUpdate: 'filter update', findOneAndReplace: 'filter replacement', findOneAndDelete: 'filter',
  deleteOne: 'filter', deleteMany: 'filter',
};

function dbResult(reply) {
  return reviveDates(decodeBody(reply.body));
}

/** `db.collection(name)`: every command of the reference; inside a transaction when `tx` is given. */
function makeCollection(owner, name, tx) {
  const coll = {};
  for (const command of Object.keys(DB_ARGS)) {
    const names = DB_ARGS[command].split(' ');
    coll[command] = function () {
      const a = arguments;
      return owner._call(async (core) => {
        if (tx) tx._checkOpen();
        const args = names.map((field, i) => toJson(field, a[i]));
        const options = toJson('options', a[names.length]);
        return dbResult(await core.call('db', [name, tx ? tx.id : undefined, command, options].concat(args)));
      });
    };
  }
  return coll;
}

/** A transaction (3.x `db.startTransaction()`): collection ops carry its id; commit or rollback once. */
class Transaction {
  constructor(owner, id) {
    this._owner = owner;
    this.id = id;
    this.status = 'init';
    this._collection = undefined;
  }

  collection(name) {
    this._collection = name;
    return makeCollection(this._owner, name, this);
  }

  _checkOpen() {
    if (this.status === 'commit' || this.status === 'rollback') {
      throw mpError('TransactionError', 'validation', 'transaction already ' + this.status, { sdkCode: 'INVALID_ARGUMENT' });
    }
  }

  _finish(status, command) {
    return this._owner._call(async (core) => {
      this._checkOpen();
      this.status = status;
      return dbResult(await core.call('db', [this._collection, this.id, command]));
    });
  }

  commit() {
    return this._finish('commit', 'commitTransaction');
  }

  rollback() {
    return this._finish('rollback', 'abortTransaction');
  }
}

function joinIds(field, ids) {
  if (Array.isArray(ids) && ids.every((x) => typeof x === 'string')) return ids.join(',');
  if (typeof ids === 'string') return ids;
  throw invalid(field, field + ' should be a string or an array of strings');
}

function str(v, field) {
  if (v === undefined || v === null) return undefined;
  try {
    return String(v);
  } catch (e) {
    // e.g. an object without a prototype: a ValidationFailed error, not a raw TypeError
    throw invalid(field || 'options', 'value cannot be converted to a string');
  }
}

/**
 * `new MPServerless(platformApi, {appId, spaceId, clientSecret, endpoint, timeout?})`.
 * platformApi: `{request, uploadFile, getAuthCode | login, getFileInfo?, getImageInfo?}` of `my` / `wx`
 * (or the whole `my` / `wx` object). Throws at once, naming what is missing.
 */
export class MPServerless {
  constructor(platformApi, config) {
    const api = platformApi;
    if (!api || (typeof api !== 'object' && typeof api !== 'function')) {
      throw mpError('HOST_MISSING', 'platform', 'MPServerless: the first argument must be the platform API: my, wx, or {request, uploadFile, getAuthCode, getFileInfo, getImageInfo}', { sdkCode: 'HOST_MISSING' });
    }
    const missing = [];
    if (typeof (api.request || api.httpRequest) !== 'function') missing.push('request');
    if (typeof api.uploadFile !== 'function') missing.push('uploadFile');
    if (typeof api.getAuthCode !== 'function' && typeof api.login !== 'function') missing.push('getAuthCode (or login)');
    for (const opt of ['getFileInfo', 'getImageInfo']) {
      if (api[opt] !== undefined && api[opt] !== null && typeof api[opt] !== 'function') missing.push(opt + ' (not a function)');
    }
    if (missing.length) {
      throw mpError('HOST_MISSING', 'platform',
        'MPServerless: platformApi is missing ' + missing.join(', ') + ' (pass e.g. {request: wx.request, uploadFile: wx.uploadFile, getAuthCode: wx.login})',
        { sdkCode: 'HOST_MISSING', missing });
    }
    if (!config || typeof config !== 'object') throw invalid('config', 'config must be an object');
    let appId = config.appId;
    if (appId && typeof appId === 'object') appId = appId[detectedPlatform()];
    for (const [field, value] of [['appId', appId], ['spaceId', config.spaceId], ['clientSecret', config.clientSecret], ['endpoint', config.endpoint]]) {
      if (value === undefined || value === null || value === '') throw invalid(field, field + ' is required');
      if (typeof value !== 'string') throw invalid(field, field + ' must be a string');
    }
    this._api = api;
    this._configJson = JSON.stringify({
      appId, spaceId: config.spaceId, clientSecret: config.clientSecret, endpoint: config.endpoint,
      timeout: config.timeout, isvAppId: config.isvAppId,
    });
    this._wasmPath = config.wasmPath;
    this._core = null;
    this.version = '0.1.0';

    const self = this;
    this.user = {
      /** `{authType: 'anonymous'}` or `{authProvider: 'alipay_openapi' | 'wechat_openapi'}` → `{success}`. */
      authorize(options) {
        return self._call(async (core) => ({ success: await core.call('authorize', [toJson('options', options)]) }));
      },
      getInfo(options) {
        return self._call(async (core) => decodeBody((await core.call('getInfo', [options ? toJson('options', options) : undefined])).body));
      },
    };
    this.db = {
      collection(name) {
        return makeCollection(self, name);
      },
      startTransaction() {
        return self._call(async (core) => new Transaction(self, (await core.call('startTransaction', [])).transactionId));
      },
    };
    this.function = {
      invoke(functionTarget, functionArgs) {
        return self._call(async (core) => {
          if (typeof functionTarget !== 'string') throw invalid('functionTarget', 'functionTarget should be a non-empty string');
          if (typeof functionArgs === 'number' && isNaN(functionArgs)) throw invalid('functionArgs', 'functionArgs should not be NaN');
          const reply = await core.call('invoke', [functionTarget, toJson('functionArgs', functionArgs)]);
          return Object.assign({}, decodeBody(reply.body), { requestId: reply.requestId });
        });
      },
    };
    this.file = {
      uploadFile(options) {
        return self._call((core) => self._upload(core, options));
      },
      deleteFile(fileId) {
        return self._call(async (core) => decodeBody((await core.call('deleteFile', [joinIds('fileId', fileId)])).body));
      },
      info(fileIds, options) {
        return self._call(async (core) => {
          const body = decodeBody((await core.call('fileInfo', [joinIds('fileIds', fileIds), options ? toJson('options', options) : undefined])).body);
          return (body && body.result) || [];
        });
      },
    };
    this.network = {
      forward(method, params) {
        return self._call(async (core) => decodeBody((await core.call('forward', [str(method || '', 'method'), toJson('params', params)])).body));
      },
    };
  }

  /** 3.x `init()`: anonymous with `{authType: 'anonymous'}`, else the platform's provider. */
  init(options) {
    if (options && (options.authType === 'anonymous' || options.authorType === 'anonymous')) {
      return this.user.authorize({ authType: 'anonymous' });
    }
    const provider = PROVIDER_OF[detectedPlatform()] || (this._api.getAuthCode ? 'alipay_openapi' : 'wechat_openapi');
    return this.user.authorize({ authProvider: provider });
  }

  /** Kept for compatibility; the client does not log. */
  setDebugFlag() {}

  /** Loads the core once (a failed load is retried on the next call). */
  _client() {
    if (!this._core) {
      this._core = runtime({ host: platformHost(this._api), requireEntropy: false, wasmPath: this._wasmPath })
        .then(({ glue, host }) => new glue.ServerlessClient(host, this._configJson))
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

  async _upload(core, options) {
    if (!options || typeof options !== 'object') throw invalid('options', 'uploadFile options should be an object');
    const filePath = options.filePath;
    if (typeof filePath !== 'string' || !filePath) throw invalid('filePath', 'filePath is required');
    const api = this._api;
    let size = typeof options.fileSize === 'string' ? parseInt(options.fileSize, 10) : options.fileSize;
    if (!size && typeof api.getFileInfo === 'function') {
      try {
        const info = await callPlatform('getFileInfo', api.getFileInfo, api, { filePath, apFilePath: filePath });
        if (info.size) size = info.size;
      } catch (e) { /* size stays unknown, as in 3.x when getFileInfo is absent */ }
    }
    let detectedType;
    if (!options.extension && typeof api.getImageInfo === 'function') {
      try {
        detectedType = (await callPlatform('getImageInfo', api.getImageInfo, api, { src: filePath })).type;
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
    return JSON.parse(await core.call('uploadFile', [JSON.stringify(plan)]));
  }
}

export default MPServerless;
