// The Authing-compatible client: `new Authing({appId, host, userPoolId, encryptFunction?, platform?})`,
// a drop-in for @authing/miniapp-wx / -taro / -uniapp 5.1.18. The protocol lives in the Rust core
// (AuthingCore); this facade validates options, loads the core once per instance, picks the avatar
// image, and turns everything into `[error, data]` tuples. No method rejects or throws.
import { AuthingCore } from 'miniapp-core-glue';
import { runtime } from './runtime.js';
import { hostFor } from './hosts/index.js';
import { callApi } from './hosts/callback.js';
import { authingPlatform, wxShapedApi } from './platform.js';
import { sdkError, messageOf } from './errors.js';

const DEFAULT_HOST = 'https://core.authing.cn';

function invalid(message) {
  return sdkError('INVALID_ARGUMENT', message);
}

/** The constructor's INVALID_ARGUMENT error: `new Authing(options): <message>`. */
const badOption = (message) => invalid('new Authing(options): ' + message);

/**
 * The host rule: `http://` or `https://` (any case), something after it but slashes, no whitespace
 * anywhere. It is checked here because the constructor is synchronous and must throw at once, while
 * the core loads lazily (WXWebAssembly instantiates asynchronously only); the core's
 * `Config::new` (src/authing/config.rs) applies the same rule to the config this facade hands it,
 * as its own contract. tests/node/authing-facade.test.mjs proves the two agree: every host the
 * constructor accepts, the core accepts at the first call, and vice versa.
 */
function isHttpUrl(host) {
  const h = host.trim();
  const m = /^https?:\/\/(.*)$/i.exec(h);
  return !!m && m[1].replace(/\/+$/, '') !== '' && !/\s/.test(h);
}

function checkOptions(options) {
  if (!options || typeof options !== 'object') throw badOption('options must be an object');
  const str = (k, required) => {
    const v = options[k];
    if (v === undefined || v === null || v === '') {
      if (required) throw badOption(k + ' is required');
      return;
    }
    if (typeof v !== 'string' || !v.trim()) throw badOption(k + ' must be a non-empty string');
  };
  str('appId', true);
  str('userPoolId', true);
  str('host', false);
  if (options.host && !isHttpUrl(options.host)) {
    throw badOption('host must be an http(s) URL, got "' + options.host + '"');
  }
  if (options.platform !== undefined && options.platform !== null && options.platform !== '' &&
      options.platform !== 'wx' && options.platform !== 'tt') {
    throw badOption('platform must be "wx" or "tt"');
  }
  if (options.encryptFunction !== undefined && options.encryptFunction !== null && typeof options.encryptFunction !== 'function') {
    throw badOption('encryptFunction must be a function');
  }
}

/** `{message, code}` for a failure of the JS layer itself (never thrown to the app). */
function errorData(e, fallbackCode) {
  const message = messageOf(e);
  const out = { message: message && message !== 'undefined' ? message : 'unknown error', code: (e && typeof e.code === 'string' && e.code) || fallbackCode || 'UNKNOWN' };
  if (e && typeof e.statusCode === 'number') out.statusCode = e.statusCode;
  return out;
}

/** The core's tuple text → `[error, undefined]` or `[null, data]`. */
function settle(text) {
  const pair = JSON.parse(text);
  return pair[0] ? [pair[0], undefined] : [null, pair[1]];
}

/** JSON text of a method argument; `undefined` and non-objects reach the core, which rejects them with a message. */
function encode(value) {
  if (value === undefined) return 'null';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  } catch (e) {
    throw invalid('the argument cannot be serialised to JSON: ' + messageOf(e));
  }
}

/** A frozen enum whose members are their own names (`names` space-separated). */
function selfNamed(names) {
  const e = {};
  for (const n of names.split(' ')) e[n] = n;
  return Object.freeze(e);
}

/** The runtime enums the official bundle exports beside `Authing` (same members). */
export const PlatformsMenu = selfNamed('wx tt');
export const LoginByCodeConnection = selfNamed('wechat_mini_program_code douyin_mini_program_code');
export const LoginByPhoneCodeConnection = selfNamed('wechat_mini_program_code_and_phone douyin_mini_program_code_and_phone');

/** Methods that post the caller's object (the core checks and sends it), defined below the class. */
const ENCODED = ('loginByCode loginByPassword sendSms loginByPassCode getPhone updatePassword updateUserInfo ' +
  'loginByPhone sendEmailCode bindEmail updateEmailRequest updateEmail bindPhone updatePhoneRequest updatePhone ' +
  'deleteAccountRequest deleteAccount bindWxByCode bindPlatformByCode decryptData getPublicKey').split(' ');

export class Authing {
  /**
   * Options as the official package: `{appId, userPoolId, host?, platform?, encryptFunction?}`,
   * plus SDK extensions `adapter` (a Host object replacing the platform adapter) and `wasmPath`.
   * Throws an SdkError (code INVALID_ARGUMENT) for missing or malformed options.
   */
  constructor(options) {
    checkOptions(options);
    const platform = options.platform || authingPlatform();
    this.options = Object.assign({}, options, { host: options.host || DEFAULT_HOST, platform });
    this.encryptFunction = options.encryptFunction;
    this._loading = null;
    this._host = null;
    this._hostPlatform = null;
  }

  _core() {
    if (!this._loading) {
      const o = this.options;
      this._loading = Promise.resolve()
        .then(() => runtime({ host: o.adapter || hostFor(o.platform), wasmPath: o.wasmPath }))
        .then(({ host, platform }) => {
          this._host = host;
          this._hostPlatform = platform;
          const config = JSON.stringify({ appId: o.appId, userPoolId: o.userPoolId, host: o.host, platform: o.platform });
          return new AuthingCore(host, config, typeof this.encryptFunction === 'function' ? this.encryptFunction : undefined);
        })
        .catch((e) => {
          this._loading = null; // a failed load can be retried by the next call
          throw e;
        });
    }
    return this._loading;
  }

  /** `core.call(method, input)`: `input` is the argument's JSON text, or undefined for none. */
  async _call(method, input) {
    try {
      const core = await this._core();
      return settle(await core.call(method, input));
    } catch (e) {
      return [errorData(e), undefined];
    }
  }

  getUserInfo(data) {
    if (data === undefined) return this._call('getUserInfo');
    return this._encoded('getUserInfo', data);
  }

  /** As the official: resolves the saved state itself (not a tuple); `[error, undefined]` if it cannot be saved. */
  async saveLoginState(loginState) {
    const [error, state] = await this._encoded('saveLoginState', loginState);
    return error ? [error, undefined] : state;
  }

  /** As the official: resolves a fresh platform login code as a plain string, `''` when the platform refuses one. */
  async getLoginCode() {
    const [error, code] = await this._call('getLoginCode');
    return error ? '' : code;
  }

  /** Picks one image (album or camera), uploads it and sets it as the user's photo. */
  async updateAvatar() {
    try {
      const core = await this._core();
      const gate = settle(await core.call('checkLogin'));
      if (gate[0]) return gate;
      let filePath;
      try {
        filePath = await this._chooseImage();
      } catch (e) {
        return [errorData(e, 'HOST_REJECTED'), undefined];
      }
      return settle(await core.call('updateAvatar', filePath));
    } catch (e) {
      return [errorData(e), undefined];
    }
  }

  async _chooseImage() {
    const host = this._host;
    if (host && typeof host.chooseImage === 'function') {
      const picked = await host.chooseImage();
      if (typeof picked === 'string' && picked) return picked;
      throw sdkError('HOST_BAD_VALUE', 'chooseImage did not resolve a file path');
    }
    const api = wxShapedApi(this._hostPlatform);
    if (!api) throw sdkError('HOST_MISSING', 'updateAvatar needs chooseMedia or chooseImage, which this host does not have');
    const base = { count: 1, sourceType: ['album', 'camera'], sizeType: ['original'] };
    const res = typeof api.chooseMedia === 'function'
      ? await callApi('chooseMedia', api.chooseMedia, api, Object.assign({ mediaType: ['image'] }, base))
      : await callApi('chooseImage', api.chooseImage, api, base);
    const file = res && res.tempFiles && res.tempFiles[0];
    const path = (file && (file.tempFilePath || file.path)) || (res && res.tempFilePaths && res.tempFilePaths[0]);
    if (typeof path !== 'string' || !path) throw sdkError('HOST_BAD_VALUE', 'the image picker returned no file');
    return path;
  }

  _encoded(method, data) {
    let text;
    try {
      text = encode(data);
    } catch (e) {
      return Promise.resolve([errorData(e), undefined]);
    }
    return this._call(method, text);
  }
}

/** Methods without an argument (`getLoginState` resolves `[null, LoginState]` while logged in, refreshed shortly before it expires). */
const PLAIN = 'getLoginState refreshToken logout clearLoginState'.split(' ');

// One definition per kind instead of one method each (the minified entry is ~250 B smaller).
const define = (method, value) => Object.defineProperty(Authing.prototype, method, { value, writable: true, configurable: true });
for (const method of ENCODED) define(method, function (data) { return this._encoded(method, data); });
for (const method of PLAIN) define(method, function () { return this._call(method); });
