'use strict';
// Offline mini-program host simulator (reference §6.2 / §8): a Node `vm` realm that looks like the
// WeChat / Alipay logic layer to code loaded into it. See README.md in this directory.
const vm = require('node:vm');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const http = require('node:http');
const crypto = require('node:crypto');
const { validateWasm } = require('./wasm-gate.cjs');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PKG_NAME = 'miniapp-sdk';
const RANDOM_MAX = 1048576; // wx.getRandomValues length cap (base lib 2.15.0 doc)

/**
 * Profiles. `engine`: which wasm API the logic layer has. `features`: the wabt feature profile its
 * engine accepts. `noGlobalExports`: iOS cannot export WXWebAssembly.Global.
 */
const PROFILES = Object.freeze({
  'wechat-ios': { api: 'wx', os: 'ios', engine: 'wx', features: 'mvp', noGlobalExports: true, exposeGlobal: false, randomValues: true, standardWebAssembly: false, globalThis: true },
  'wechat-android': { api: 'wx', os: 'android', engine: 'wx', features: 'modern', noGlobalExports: false, exposeGlobal: true, randomValues: true, standardWebAssembly: false, globalThis: true },
  // Mini-program plugins: WXWebAssembly exists (2.18.1) but wx.getRandomValues is "不支持".
  'wechat-plugin': { api: 'wx', os: 'ios', engine: 'wx', features: 'mvp', noGlobalExports: true, exposeGlobal: false, randomValues: false, standardWebAssembly: false, globalThis: true },
  // WeChat DevTools: Chromium, with both the standard WebAssembly and WXWebAssembly.
  devtools: { api: 'wx', os: 'devtools', engine: 'wx', features: 'modern', noGlobalExports: false, exposeGlobal: true, randomValues: true, standardWebAssembly: true, globalThis: true },
  // Alipay logic layer: `my`, no wasm engine (MYWebAssembly is Worker-only), no secure random, no globalThis.
  'alipay-logic': { api: 'my', os: 'ios', engine: null, features: 'mvp', noGlobalExports: true, exposeGlobal: false, randomValues: false, standardWebAssembly: false, globalThis: false },
  // Douyin (tt) mini-program on iOS: TTWebAssembly (base lib 2.34.0.0; .wasm.br from 2.92.0.0; "iOS 不支持 SIMD
  // 等提案特性" → MVP here), tt.getRandomValues (2.87.0, async, 1..1048576 bytes), wx-shaped request/login/storage.
  douyin: { api: 'tt', os: 'ios', engine: 'tt', features: 'mvp', noGlobalExports: true, exposeGlobal: false, randomValues: true, standardWebAssembly: false, globalThis: true },
});

// Names WeChat's module wrapper (`define(path, function(require, module, exports, window, ...))`)
// shadows with undefined parameters in every module of the logic layer.
const WX_SHADOWED = ['window', 'document', 'frames', 'self', 'location', 'navigator', 'localStorage', 'history', 'Caches', 'screen', 'alert', 'confirm', 'prompt', 'XMLHttpRequest', 'WebSocket', 'Reporter', 'webkit', 'WeixinJSCore'];

/** Copies `pkgDir/miniprogram_dist` into `<root>/miniprogram_npm/<name>/`, as WeChat "构建 npm" would. */
function layoutCodePackage({ pkgDir = path.join(REPO_ROOT, 'pkg'), root, name = PKG_NAME, files = {} } = {}) {
  const dist = path.join(pkgDir, 'miniprogram_dist');
  if (!fs.existsSync(path.join(dist, 'index.js'))) {
    throw new Error(`${dist}/index.js is missing: build the package first (node .ci/build.mjs)`);
  }
  const dir = root || fs.mkdtempSync(path.join(os.tmpdir(), 'mp-codepkg-'));
  const dest = path.join(dir, 'miniprogram_npm', name);
  fs.mkdirSync(dest, { recursive: true });
  fs.cpSync(dist, dest, { recursive: true });
  if (!files['app.json']) files = { 'app.json': JSON.stringify({ pages: ['pages/index/index'] }), ...files };
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return dir;
}

/** A responder that sends requests over real HTTP, to loopback addresses only (tests stay offline). */
function loopbackResponder({ allowHosts = ['127.0.0.1', 'localhost', '[::1]'] } = {}) {
  return (req) => new Promise((resolve, reject) => {
    let u;
    try { u = new URL(req.url); } catch { reject(new Error('invalid url')); return; }
    if (u.protocol !== 'http:' || !allowHosts.includes(u.hostname)) {
      reject(new Error(`url not in domain list: ${req.url} (the simulator only reaches loopback hosts)`));
      return;
    }
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(String(req.body), 'utf8');
    const headers = { ...req.header };
    if (body) headers['content-length'] = String(body.length);
    const r = http.request(u, { method: req.method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const header = {};
        for (const [k, v] of Object.entries(res.headers)) header[k] = Array.isArray(v) ? v.join(', ') : String(v);
        resolve({ statusCode: res.statusCode, data: Buffer.concat(chunks), header });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    if (body) r.write(body);
    r.end();
  });
}

/**
 * A `login` option that asks the local emulator's platform stand-in for a code:
 * `POST {baseUrl}/__platform/{wx|tt}/login` with `{user}` → `{code}` (Alipay: `/__platform/my/getAuthCode` → `{authCode}`).
 */
function platformLogin(baseUrl, { platform = 'wx', user } = {}) {
  const route = platform === 'my' ? '/__platform/my/getAuthCode' : `/__platform/${platform}/login`;
  const send = loopbackResponder();
  return async () => {
    const res = await send({ method: 'POST', url: baseUrl.replace(/\/$/, '') + route, header: { 'content-type': 'application/json' }, body: JSON.stringify(user ? { user } : {}) });
    const text = res.data.toString('utf8');
    if (res.statusCode !== 200) throw new Error(`login stand-in answered ${res.statusCode}: ${text}`);
    const json = JSON.parse(text);
    return json.code || json.authCode;
  };
}

function multipart(formData, file) {
  const boundary = '----miniprogramsim' + crypto.randomBytes(8).toString('hex');
  const parts = [];
  for (const [k, v] of Object.entries(formData || {})) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.field}"; filename="${path.posix.basename(file.filePath)}"\r\ncontent-type: application/octet-stream\r\n\r\n`));
  parts.push(file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Creates a simulated logic-layer realm. Options:
 * - profile: 'wechat-ios' | 'wechat-android' | 'wechat-plugin' | 'devtools' | 'alipay-logic' | 'douyin'
 * - crypto (false): a realm `crypto.getRandomValues` (what an Alipay Worker or a browser-like runtime has)
 * - packageRoot: directory of the code package (what WXWebAssembly paths and `require` resolve in)
 * - queueMicrotask (false), globalThis (profile), weakRefs (true: FinalizationRegistry/WeakRef present)
 * - wasmFeatures: 'mvp' | 'modern' | wabt feature object (profile default); noGlobalExports (profile)
 * - instantiateResult: 'pair' ({instance, module}, default, what devices resolve) | 'instance' (bare Instance)
 * - responder(req) → {statusCode, data, header} | Promise; `loopbackResponder()` for a real local server
 * - login() → code | {code} | Promise; `platformLogin(baseUrl)` for the emulator's stand-in
 * - randomSource(length) → bytes (default node CSPRNG); randomValues: force wx.getRandomValues on/off
 * - sdkVersion ('3.4.0'), timeScale (1: realm timers run at ms × timeScale), console ('capture' | 'inherit')
 * - allowEval (false: eval / new Function throw, as in WeChat); allowMathRandom (false: Math.random throws)
 * - clockOffsetMs: the device clock runs this many ms off (realm `Date.now()` and `new Date()`);
 *   `sim.setClockOffset(ms)` moves it later. Without the option the realm's Date is untouched.
 */
function createHost(options = {}) {
  const profileName = options.profile || 'wechat-ios';
  const profile = PROFILES[profileName];
  if (!profile) throw new Error(`unknown profile "${profileName}" (expected ${Object.keys(PROFILES).join(', ')})`);
  const packageRoot = options.packageRoot ? fs.realpathSync(options.packageRoot) : null;
  const features = options.wasmFeatures || profile.features;
  const noGlobalExports = options.noGlobalExports !== undefined ? options.noGlobalExports : profile.noGlobalExports;
  const hasRandom = options.randomValues !== undefined ? options.randomValues : profile.randomValues;
  const keepGlobalThis = options.globalThis !== undefined ? options.globalThis : profile.globalThis;
  const timeScale = options.timeScale === undefined ? 1 : options.timeScale;
  const instantiateResult = options.instantiateResult || 'pair';

  const stats = {
    mathRandomCalls: 0,
    instantiate: [], // {path, ok, error}
    standardWasmCalls: 0, // devtools: calls to the standard WebAssembly API
    requests: [],
    uploads: [],
    randomRequests: [], // lengths asked of wx.getRandomValues
    logins: 0,
    callbackErrors: [], // exceptions thrown by realm callbacks (WeChat reports them, does not crash)
  };
  const logs = [];
  const timers = new Map();
  const faults = []; // queued instantiate faults
  const storage = new Map();
  const tempFiles = new Map();
  let closed = false;

  const context = vm.createContext({}, {
    name: `mini-program ${profileName}`,
    codeGeneration: { strings: !!options.allowEval, wasm: true },
  });
  const run = (code) => vm.runInContext(code, context);
  // The realm's own intrinsics: values handed to realm code are made from these, as a host would.
  const R = run('({ Promise, Error, TypeError, RangeError, Object, Array, JSON, Uint8Array, ArrayBuffer, WebAssembly })');
  const RWA = R.WebAssembly;
  // The engine behind WXWebAssembly: the realm's own, captured before the global is removed/wrapped.
  const engine = { compile: RWA.compile, instantiate: RWA.instantiate, moduleExports: RWA.Module.exports };
  const g = run('this');

  const realmError = (Ctor, message, extra) => {
    const e = new Ctor(message);
    if (extra) Object.assign(e, extra);
    return e;
  };
  const failObj = (errMsg, extra) => { const o = new R.Object(); o.errMsg = errMsg; if (extra) Object.assign(o, extra); return o; };
  const toRealm = (value) => (value === undefined ? undefined : R.JSON.parse(JSON.stringify(value)));
  const toRealmBytes = (buf) => { const u = new R.Uint8Array(buf.length); u.set(buf); return u; };
  /** A realm Promise settled by the main-realm async function `fn`. */
  const realmAsync = (fn) => new R.Promise((resolve, reject) => { Promise.resolve().then(fn).then(resolve, reject); });
  /** Mimics host asynchrony: callbacks and results arrive on a later macrotask. */
  const hostTick = () => new Promise((r) => setImmediate(r));
  const guard = (fn, ...args) => {
    if (typeof fn !== 'function') return;
    try { fn(...args); } catch (e) {
      stats.callbackErrors.push(e);
      logs.push({ level: 'error', args: ['callback threw:', e] });
    }
  };

  // ---- console ----------------------------------------------------------------------------------
  const con = new R.Object();
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    con[level] = (...args) => {
      logs.push({ level, args });
      if (options.console === 'inherit') console[level === 'debug' ? 'log' : level]('[sim]', ...args);
    };
  }
  g.console = con;

  // ---- timers (real hosts have them; the bridge bounds host calls with setTimeout) --------------
  let nextTimer = 1;
  const addTimer = (repeat) => function (fn, ms, ...args) {
    if (typeof fn !== 'function') throw realmError(R.TypeError, 'callback must be a function');
    const id = nextTimer++;
    const delay = Math.max(0, (Number(ms) || 0) * timeScale);
    const fire = () => {
      if (!repeat) timers.delete(id);
      guard(fn, ...args);
    };
    timers.set(id, repeat ? setInterval(fire, Math.max(1, delay)) : setTimeout(fire, delay));
    return id;
  };
  const clear = (id) => { const t = timers.get(id); if (t) { clearTimeout(t); clearInterval(t); timers.delete(id); } };
  g.setTimeout = addTimer(false);
  g.setInterval = addTimer(true);
  g.clearTimeout = clear;
  g.clearInterval = clear;

  // ---- the device clock (phones have wrong clocks) ----------------------------------------------
  // The realm's Date, shifted: Date.now() and new Date() read the machine clock plus the offset.
  const setClockOffset = options.clockOffsetMs === undefined ? null : run(`(function () {
    var RealDate = this.Date, realNow = RealDate.now, offset = 0;
    var ShiftedDate = function Date() {
      var a = Array.prototype.slice.call(arguments);
      if (!new.target) return new RealDate(realNow.call(RealDate) + offset).toString();
      return a.length ? Reflect.construct(RealDate, a, new.target) : new RealDate(realNow.call(RealDate) + offset);
    };
    ShiftedDate.prototype = RealDate.prototype;
    Object.defineProperty(RealDate.prototype, 'constructor', { value: ShiftedDate, writable: true, configurable: true });
    ShiftedDate.now = function now() { return realNow.call(RealDate) + offset; };
    ShiftedDate.parse = RealDate.parse;
    ShiftedDate.UTC = RealDate.UTC;
    this.Date = ShiftedDate;
    return function (ms) { offset = Number(ms) || 0; };
  })`).call(g);
  if (setClockOffset) setClockOffset(options.clockOffsetMs);

  // ---- Math.random throws and counts ------------------------------------------------------------
  run('Math').random = function random() {
    stats.mathRandomCalls++;
    // Framework runtimes (Taro, uni-app) use Math.random for element ids: allowMathRandom lets them
    // run; the calls are still counted.
    if (options.allowMathRandom) return crypto.randomInt(0, 2 ** 47) / 2 ** 47;
    throw realmError(R.Error, 'Math.random is forbidden in this simulated host (the SDK must use the host CSPRNG)');
  };

  // ---- code-package paths -------------------------------------------------------------------------
  /** Resolves a code-package path (leading slash or not) to an absolute file path, or throws. */
  function packagePath(p) {
    if (!packageRoot) throw realmError(R.Error, 'no code package (packageRoot) configured in the simulator');
    if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.includes('\\') || p.includes('\0')) {
      throw realmError(R.Error, `not a code-package path: ${p}`);
    }
    const rel = path.posix.normalize(p.replace(/^\/+/, ''));
    if (rel === '..' || rel.startsWith('../') || path.posix.isAbsolute(rel)) {
      throw realmError(R.Error, `path escapes the code package: ${p}`);
    }
    const abs = path.join(packageRoot, rel);
    let real;
    try { real = fs.realpathSync(abs); } catch { return abs; }
    if (real !== packageRoot && !real.startsWith(packageRoot + path.sep)) throw realmError(R.Error, `path escapes the code package: ${p}`);
    return real;
  }

  // ---- WXWebAssembly ------------------------------------------------------------------------------
  async function wxInstantiate(p, imports) {
    const record = { path: p, ok: false, error: null };
    stats.instantiate.push(record);
    try {
      await hostTick();
      if (typeof p !== 'string') {
        throw realmError(R.TypeError, 'WXWebAssembly.instantiate: first argument must be a string (a code-package path to a .wasm or .wasm.br file)');
      }
      if (!/\.wasm(\.br)?$/.test(p)) throw realmError(R.TypeError, `WXWebAssembly.instantiate: only .wasm and .wasm.br files can be loaded: ${p}`);
      const file = packagePath(p);
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        throw realmError(R.Error, `WXWebAssembly.instantiate: load wasm failed: ${p} is not a file in the code package`);
      }
      if (faults.length) {
        const f = faults.shift();
        throw realmError(R.Error, f);
      }
      let bytes = fs.readFileSync(file);
      if (p.endsWith('.br')) {
        try { bytes = zlib.brotliDecompressSync(bytes); } catch (e) {
          throw realmError(RWA.CompileError, 'invalid wasm file', { simDetail: 'brotli: ' + e.message });
        }
      }
      const check = await validateWasm(bytes, features);
      if (!check.ok) throw realmError(RWA.CompileError, 'invalid wasm file', { simDetail: check.error });
      const module = await engine.compile.call(RWA, toRealmBytes(bytes));
      if (noGlobalExports) {
        const globals = engine.moduleExports(module).filter((e) => e.kind === 'global').map((e) => e.name);
        if (globals.length) {
          throw realmError(RWA.LinkError, `WXWebAssembly: exporting Global is not supported on iOS (exports ${globals.join(', ')})`);
        }
      }
      const instance = await engine.instantiate.call(RWA, module, imports);
      record.ok = true;
      if (instantiateResult === 'instance') return instance;
      const res = new R.Object();
      res.instance = instance;
      res.module = module;
      return res;
    } catch (e) {
      record.error = e;
      throw e;
    }
  }

  if (profile.engine === 'wx' || profile.engine === 'tt') {
    const WX = new R.Object();
    WX.instantiate = function instantiate(p, imports) { return realmAsync(() => wxInstantiate(p, imports)); };
    WX.Memory = RWA.Memory;
    WX.Table = RWA.Table;
    if (profile.exposeGlobal) WX.Global = RWA.Global;
    WX.CompileError = RWA.CompileError;
    WX.LinkError = RWA.LinkError;
    WX.RuntimeError = RWA.RuntimeError;
    g[profile.engine === 'tt' ? 'TTWebAssembly' : 'WXWebAssembly'] = WX;
  }
  if (profile.standardWebAssembly) {
    // DevTools: the standard API is there too; count its use so tests can prove the SDK took the path API.
    for (const k of ['instantiate', 'compile', 'validate', 'instantiateStreaming', 'compileStreaming']) {
      const orig = RWA[k];
      if (typeof orig !== 'function') continue;
      RWA[k] = function (...args) { stats.standardWasmCalls++; return orig.apply(this, args); };
    }
    for (const k of ['Module', 'Instance']) {
      const Orig = RWA[k];
      RWA[k] = new Proxy(Orig, { construct(t, args, nt) { stats.standardWasmCalls++; return Reflect.construct(t, args, nt); } });
    }
  } else {
    delete g.WebAssembly;
  }

  // ---- callback-style APIs ------------------------------------------------------------------------
  /**
   * WeChat's async API convention: callbacks if any of success/fail/complete is given, otherwise a
   * Promise (when `promiseStyle`). `impl` resolves the success object or throws the fail object.
   */
  function asyncApi(name, opts, impl, promiseStyle = true) {
    const o = opts || {};
    // Failures always reach fail/reject as `{errMsg: '<name>:fail ...'}`, as on devices.
    const p = (async () => { await hostTick(); return impl(o); })().catch((e) => { throw asFail(name, e); });
    const hasCallback = ['success', 'fail', 'complete'].some((k) => typeof o[k] === 'function');
    if (hasCallback || !promiseStyle) {
      p.then((res) => { guard(o.success, res); guard(o.complete, res); }, (err) => { guard(o.fail, err); guard(o.complete, err); });
      return undefined;
    }
    return new R.Promise((resolve, reject) => p.then(resolve, reject));
  }
  const asFail = (api, e) => (e && typeof e === 'object' && typeof e.errMsg === 'string' ? e : failObj(`${api}:fail ${e && e.message ? e.message : e}`));

  function queryString(data) {
    return Object.entries(data).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : v)}`).join('&');
  }

  /** Normalises a request as wx.request would send it. */
  function outgoing(api, o) {
    const method = String(o.method || 'GET').toUpperCase();
    const header = {};
    for (const [k, v] of Object.entries(o.header || o.headers || {})) header[k.toLowerCase()] = String(v);
    let url = o.url;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw failObj(`${api}:fail invalid url "${url}"`);
    let body;
    const data = o.data;
    if (data !== undefined && data !== null) {
      if (typeof data === 'string') body = data;
      else if (data instanceof R.ArrayBuffer || data instanceof ArrayBuffer) body = Buffer.from(new Uint8Array(data));
      else if (method === 'GET') url += (url.includes('?') ? '&' : '?') + queryString(data);
      else if ((header['content-type'] || '').includes('x-www-form-urlencoded')) body = queryString(data);
      else body = JSON.stringify(data);
    }
    if (body !== undefined && !header['content-type']) header['content-type'] = 'application/json';
    return { method, url, header, body };
  }

  async function respond(req, ms, api) {
    const responder = options.responder;
    if (typeof responder !== 'function') throw failObj(`${api}:fail no responder configured in the simulator`);
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(failObj(`${api}:fail timeout`, { errno: 5 })), ms * timeScale); });
    try {
      return await Promise.race([Promise.resolve().then(() => responder(req)), timeout]);
    } catch (e) {
      throw asFail(api, e);
    } finally {
      clearTimeout(timer);
    }
  }

  const bodyText = (data) => (typeof data === 'string' ? data : Buffer.isBuffer(data) || data instanceof Uint8Array ? Buffer.from(data).toString('utf8') : data === undefined || data === null ? '' : JSON.stringify(data));

  function wxRequest(opts) {
    const o = opts || {};
    let aborted = null;
    const task = new R.Object();
    task.abort = () => { if (aborted) aborted(); };
    task.onHeadersReceived = () => {};
    task.offHeadersReceived = () => {};
    asyncApi('request', o, async () => {
      const req = outgoing('request', o);
      req.dataType = o.dataType === undefined ? 'json' : o.dataType;
      req.responseType = o.responseType || 'text';
      stats.requests.push(req);
      const abort = new Promise((_, reject) => { aborted = () => reject(failObj('request:fail abort')); });
      const res = await Promise.race([respond(req, o.timeout || 60000, 'request'), abort]);
      const status = Number(res.statusCode);
      let data;
      if (req.responseType === 'arraybuffer') {
        const b = Buffer.isBuffer(res.data) ? res.data : Buffer.from(bodyText(res.data), 'utf8');
        data = toRealmBytes(b).buffer;
      } else {
        const text = bodyText(res.data);
        data = text;
        if (req.dataType === 'json') { try { data = R.JSON.parse(text); } catch { data = text; } }
      }
      const out = new R.Object();
      out.data = data;
      out.statusCode = status;
      out.header = toRealm(res.header || {});
      out.cookies = new R.Array();
      out.errMsg = 'request:ok';
      return out;
    }, false);
    return task;
  }

  function wxUploadFile(opts) {
    const o = opts || {};
    const task = new R.Object();
    task.abort = () => {};
    task.onProgressUpdate = () => {};
    asyncApi('uploadFile', o, async () => {
      const req = outgoing('uploadFile', { url: o.url, method: 'POST', header: o.header });
      const fp = o.filePath;
      let bytes = tempFiles.get(fp);
      if (!bytes && typeof fp === 'string' && packageRoot && !/^[a-z]+:/i.test(fp)) {
        try { bytes = fs.readFileSync(packagePath(fp)); } catch { bytes = undefined; }
      }
      if (!bytes) throw failObj(`uploadFile:fail file not found: ${fp}`);
      req.formData = { ...(o.formData || {}) };
      req.file = { field: o.name || o.fileName || 'file', filePath: fp, bytes };
      if (options.responderMultipart !== false) {
        const mp = multipart(req.formData, req.file);
        req.body = mp.body;
        req.header['content-type'] = mp.contentType;
      }
      stats.uploads.push(req);
      const res = await respond(req, o.timeout || 60000, 'uploadFile');
      const out = new R.Object();
      out.data = bodyText(res.data);
      out.statusCode = Number(res.statusCode);
      out.errMsg = 'uploadFile:ok';
      return out;
    }, false);
    return task;
  }

  let loginCount = 0;
  async function doLogin() {
    stats.logins++;
    const r = options.login ? await options.login() : `sim-code-${++loginCount}`;
    const code = typeof r === 'string' ? r : r && (r.code || r.authCode);
    if (!code) throw new Error('login returned no code');
    return code;
  }

  function randomBytes(length) {
    if (options.randomSource) return Buffer.from(options.randomSource(length));
    return crypto.randomBytes(length);
  }

  function storageApis(api, missingAsNull) {
    return {
      getStorage: (o) => asyncApi('getStorage', o, (x) => {
        if (!storage.has(x.key)) {
          if (missingAsNull) { const out = new R.Object(); out.data = null; return out; }
          throw failObj(`getStorage:fail data not found`);
        }
        const out = new R.Object();
        out.data = R.JSON.parse(storage.get(x.key));
        out.errMsg = 'getStorage:ok';
        return out;
      }),
      setStorage: (o) => asyncApi('setStorage', o, (x) => {
        if (typeof x.key !== 'string' || !x.key) throw failObj('setStorage:fail parameter error: key should be a non-empty string');
        storage.set(x.key, JSON.stringify(x.data === undefined ? null : x.data));
        return failObj('setStorage:ok');
      }),
      removeStorage: (o) => asyncApi('removeStorage', o, (x) => { storage.delete(x.key); return failObj('removeStorage:ok'); }),
      clearStorage: (o) => asyncApi('clearStorage', o, () => { storage.clear(); return failObj('clearStorage:ok'); }),
      getStorageSync: (key) => (storage.has(key) ? R.JSON.parse(storage.get(key)) : ''),
      setStorageSync: (key, data) => { storage.set(key, JSON.stringify(data === undefined ? null : data)); },
      removeStorageSync: (key) => { storage.delete(key); },
    };
  }

  const sdkVersion = options.sdkVersion || '3.4.0';
  if (profile.api === 'wx' || profile.api === 'tt') {
    const wx = new R.Object();
    Object.assign(wx, storageApis('wx', false));
    wx.request = wxRequest;
    wx.uploadFile = wxUploadFile;
    wx.login = (o) => asyncApi('login', o, async () => {
      let code;
      try { code = await doLogin(); } catch (e) { throw asFail('login', e); }
      const out = new R.Object(); out.code = code; out.errMsg = 'login:ok'; return out;
    });
    if (hasRandom) {
      wx.getRandomValues = (o) => asyncApi('getRandomValues', o, (x) => {
        const n = x.length;
        stats.randomRequests.push(n);
        if (!Number.isInteger(n) || n < 1 || n > RANDOM_MAX) {
          throw failObj(`getRandomValues:fail invalid length ${n}: must be an integer in [1, ${RANDOM_MAX}]`);
        }
        const bytes = randomBytes(n);
        const out = new R.Object();
        out.randomValues = toRealmBytes(bytes).buffer;
        out.errMsg = 'getRandomValues:ok';
        return out;
      });
    }
    wx.getAppBaseInfo = () => toRealm({ SDKVersion: sdkVersion, version: '8.0.50', language: 'zh_CN', enableDebug: false, theme: 'light', host: { env: 'WeChat' } });
    wx.getDeviceInfo = () => toRealm({ platform: profile.os, system: profile.os === 'ios' ? 'iOS 17.5' : profile.os === 'android' ? 'Android 14' : 'Windows 10', brand: 'sim', model: 'sim' });
    wx.getSystemInfoSync = () => toRealm({ SDKVersion: sdkVersion, platform: profile.os, version: '8.0.50' });
    if (profile.api === 'tt') {
      // Douyin: the official Authing package detects tt by the existence of tt.getSystemInfo.
      wx.getSystemInfoSync = () => toRealm({ SDKVersion: sdkVersion, platform: profile.os, appName: 'Douyin', version: '30.0.0' });
      wx.getSystemInfo = (o) => asyncApi('getSystemInfo', o, () => wx.getSystemInfoSync());
      delete wx.getAppBaseInfo;
      delete wx.getDeviceInfo;
    }
    g[profile.api] = wx;
    // WeChat's (and Douyin's) logic layer has a `global` object; uni-app's runtime writes to it.
    // (`globalThis: false` simulates a host with no global accessor at all: no `global` either.)
    if (keepGlobalThis) g.global = g;
  } else if (profile.api === 'my') {
    const my = new R.Object();
    Object.assign(my, storageApis('my', true));
    // Alipay's sync storage APIs take an object: my.setStorageSync({key, data}), getStorageSync({key}) → {data}.
    my.setStorageSync = (o) => { storage.set(o.key, JSON.stringify(o.data === undefined ? null : o.data)); };
    my.getStorageSync = (o) => toRealm({ data: storage.has(o.key) ? JSON.parse(storage.get(o.key)) : null });
    my.removeStorageSync = (o) => { storage.delete(o.key); };
    my.request = (opts) => {
      const o = opts || {};
      const task = new R.Object();
      task.abort = () => {};
      asyncApi('request', o, async () => {
        const req = outgoing('request', o);
        req.dataType = o.dataType === undefined ? 'json' : o.dataType;
        stats.requests.push(req);
        const res = await respond(req, o.timeout || 30000, 'request');
        const text = bodyText(res.data);
        let data = text;
        if (req.dataType === 'json') {
          try { data = R.JSON.parse(text); } catch { throw failObj('request:fail JSON parse error', { error: 12 }); }
        }
        const out = new R.Object();
        out.data = data;
        out.status = Number(res.statusCode);
        out.headers = toRealm(res.header || {});
        return out;
      }, false);
      return task;
    };
    my.getAuthCode = (o) => asyncApi('getAuthCode', o, async () => {
      let code;
      try { code = await doLogin(); } catch (e) { throw asFail('getAuthCode', e); }
      const out = new R.Object(); out.authCode = code; return out;
    });
    my.uploadFile = wxUploadFile;
    my.getSystemInfoSync = () => toRealm({ platform: profile.os, version: '10.6.0', SDKVersion: sdkVersion, app: 'alipay' });
    // my.rsa: native RSA (PKCS#1 v1.5) with the platform's own randomness; `key` is a PEM or its bare
    // base64 body. encrypt → {text: base64}; decrypt (private key) → {text}.
    my.rsa = (o) => asyncApi('rsa', o, (x) => {
      stats.rsaCalls = (stats.rsaCalls || 0) + 1;
      const body = String(x.key || '').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
      const pem = (kind) => `-----BEGIN ${kind}-----\n${body.replace(/(.{64})/g, '$1\n')}\n-----END ${kind}-----\n`;
      const out = new R.Object();
      try {
        if (x.action === 'encrypt') {
          out.text = crypto.publicEncrypt({ key: pem('PUBLIC KEY'), padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from(String(x.text), 'utf8')).toString('base64');
        } else if (x.action === 'decrypt') {
          out.text = crypto.privateDecrypt({ key: pem('PRIVATE KEY'), padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from(String(x.text), 'base64')).toString('utf8');
        } else {
          throw new Error('action must be encrypt or decrypt');
        }
      } catch (e) {
        throw failObj(`rsa:fail ${e.message}`, { error: 3 });
      }
      return out;
    });
    g.my = my;
  }
  if (options.crypto) {
    // A standard crypto.getRandomValues (synchronous, ≤ 65536 bytes), as an Alipay Worker has.
    const c = new R.Object();
    c.getRandomValues = (arr) => {
      if (!arr || typeof arr.byteLength !== 'number') throw realmError(R.TypeError, 'crypto.getRandomValues: argument must be an integer typed array');
      if (arr.byteLength > 65536) throw realmError(R.Error, 'QuotaExceededError: crypto.getRandomValues: at most 65536 bytes');
      stats.randomRequests.push(arr.byteLength);
      const bytes = randomBytes(arr.byteLength);
      new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).set(bytes);
      return arr;
    };
    g.crypto = c;
  }

  // ---- optional globals ---------------------------------------------------------------------------
  if (options.queueMicrotask) {
    run(`(function () {
      var P = Promise;
      globalThis.queueMicrotask = function queueMicrotask(cb) {
        if (typeof cb !== 'function') throw new TypeError('queueMicrotask: callback must be a function');
        P.resolve().then(function () { cb(); });
      };
    })()`);
  }
  if (options.weakRefs === false) {
    delete g.FinalizationRegistry;
    delete g.WeakRef;
  }
  if (!keepGlobalThis) run('delete globalThis');

  // ---- mini-program require -----------------------------------------------------------------------
  // Alipay's logic layer has a `navigator` (userAgent; Taro's Alipay runtime reads it at start-up).
  const shadowed = profile.api === 'my' ? WX_SHADOWED.filter((n) => n !== 'navigator') : WX_SHADOWED;
  if (profile.api === 'my') g.navigator = toRealm({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AlipayClient/10.6.0', swuserAgent: 'AlipayClient/10.6.0' });
  const moduleCache = new Map();
  function resolveModule(id, fromDir) {
    if (typeof id !== 'string' || !id) throw realmError(R.Error, `require: invalid module id ${id}`);
    const candidates = (base) => {
      const out = [base, base + '.js'];
      try {
        const main = JSON.parse(fs.readFileSync(path.join(packageRoot, base, 'package.json'), 'utf8')).main;
        if (typeof main === 'string') out.push(path.posix.join(base, main), path.posix.join(base, main) + '.js');
      } catch { /* no package.json */ }
      out.push(path.posix.join(base, 'index.js'));
      return out;
    };
    let bases;
    if (id.startsWith('/')) bases = [path.posix.normalize(id)];
    else if (id.startsWith('./') || id.startsWith('../')) bases = [path.posix.join(fromDir, id)];
    else {
      // a package from miniprogram_npm (searched from the requiring directory up to the root),
      // then, as WeChat also allows, a path relative to the requiring file.
      // Alipay resolves npm packages from node_modules.
      const npmDirs = profile.api === 'my' ? ['node_modules', 'miniprogram_npm'] : ['miniprogram_npm'];
      bases = [];
      for (let d = fromDir; ; d = path.posix.dirname(d)) {
        for (const n of npmDirs) bases.push(path.posix.join(d, n, id));
        if (d === '/') break;
      }
      bases.push(path.posix.join(fromDir, id));
    }
    for (const b of bases) {
      if (b.startsWith('/..')) continue;
      for (const c of candidates(b)) {
        if (!c.endsWith('.js')) continue;
        const abs = path.join(packageRoot, c);
        if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return c;
      }
    }
    throw realmError(R.Error, `module "${id}" is not defined (required from ${fromDir})`);
  }

  function load(id, fromDir) {
    if (!packageRoot) throw realmError(R.Error, 'no code package (packageRoot) configured in the simulator');
    const rel = resolveModule(id, fromDir);
    if (moduleCache.has(rel)) return moduleCache.get(rel).exports;
    const source = fs.readFileSync(path.join(packageRoot, rel), 'utf8');
    const wrapper = `(function (require, module, exports, ${shadowed.join(', ')}) {${source}\n})`;
    const fn = new vm.Script(wrapper, { filename: rel }).runInContext(context);
    const module = run('({ exports: {} })');
    moduleCache.set(rel, module);
    const dir = path.posix.dirname(rel);
    const req = function require(child) { return load(child, dir); };
    try {
      fn.call(module.exports, req, module, module.exports);
    } catch (e) {
      moduleCache.delete(rel);
      throw e;
    }
    return module.exports;
  }

  const sim = {
    profile: profileName,
    options: { ...options, features, noGlobalExports },
    context,
    /** The realm's global object (usable even when the realm's `globalThis` binding was removed). */
    global: g,
    realm: R,
    wx: g.wx,
    my: g.my,
    tt: g.tt,
    stats,
    logs,
    storage,
    /** Requires a module as a mini-program page at the package root would (`miniapp-sdk`, `/x/y.js`, `./x`). */
    require: (id) => load(id, '/'),
    /** Runs a script in the realm and returns its completion value. */
    evaluate: (code, filename = 'sim-eval.js') => new vm.Script(code, { filename }).runInContext(context),
    /** Makes the next `count` WXWebAssembly.instantiate calls reject (transient device failure). */
    failNextInstantiate(count = 1, message = 'WXWebAssembly.instantiate: load wasm failed (simulated transient failure)') {
      for (let i = 0; i < count; i++) faults.push(message);
    },
    /** Registers a temp file for uploadFile; returns its `wxfile://` path. */
    addTempFile(bytes, ext = 'bin') {
      const p = `wxfile://tmp_${crypto.randomBytes(6).toString('hex')}.${ext}`;
      tempFiles.set(p, Buffer.from(bytes));
      return p;
    },
    pendingTimers: () => timers.size,
    /** Sets the device clock's offset (ms); needs the `clockOffsetMs` option. */
    setClockOffset(ms) {
      if (!setClockOffset) throw new Error('setClockOffset needs the clockOffsetMs option of createHost');
      setClockOffset(ms);
    },
    /** Clears realm timers. Call in test teardown. */
    close() {
      if (closed) return;
      closed = true;
      for (const t of timers.values()) { clearTimeout(t); clearInterval(t); }
      timers.clear();
    },
  };
  return sim;
}

const gate = require('./wasm-gate.cjs');

module.exports = {
  createHost, layoutCodePackage, loopbackResponder, platformLogin, PROFILES, REPO_ROOT, PKG_NAME, RANDOM_MAX,
  validateWasm: gate.validateWasm, requiredFeatures: gate.requiredFeatures, watToWasm: gate.watToWasm, FEATURE_PROFILES: gate.FEATURE_PROFILES,
};
