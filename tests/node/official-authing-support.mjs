// Shared setup of the suites that run the official @authing/miniapp-taro@5.1.18, unmodified, in the
// host simulator against the local emulator (official-authing.test.mjs: the twelve documented
// methods; official-authing-account.test.mjs: the other seventeen). Not a test file itself.
//
// How the package runs: the published file is an ES module (`import Taro from "@tarojs/taro"` ...
// `export{...}`). The mini-program build (Taro's webpack) turns that into a CommonJS module; here the
// two module-syntax statements are rewritten the same way and every other byte is the published
// file's (asserted in official-authing.test.mjs). `@tarojs/taro` is a stand-in that forwards to the
// simulated `wx` (or `tt` in the Douyin profile), as Taro's mini-program runtime does. The optional
// RSA/SM2 add-ons (@authing/miniapp-jsencrypt and @authing/miniapp-sm2encrypt) are not installed:
// `encryptFunction` is what they wrap, jsencrypt's PKCS#1 v1.5 and sm-crypto's
// `sm2.doEncrypt(pw, key, 1)`, run on the host side of the realm.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './_emulator.mjs';

const require = createRequire(import.meta.url);
/** Every test is bounded (the emulator is local; a hang is a failure, not a stall). */
export const BOUNDED = { timeout: 60_000 };
export const hostSim = require('../host-sim/index.cjs');
const JSEncrypt = require('jsencrypt');
const { sm2 } = require('sm-crypto');

export const OFFICIAL = path.join(ROOT, 'node_modules', '@authing', 'miniapp-taro', 'dist', 'bundle-taro.js');
export const OFFICIAL_VERSION = '5.1.18';
export const APP_ID = 'dev-app';
export const POOL = 'dev-pool';
export const IDP = 'dev-wechat';
export const DOUYIN_IDP = 'dev-douyin';

// ---- the code package ------------------------------------------------------------------------------

export const IMPORT_LINE = 'import Taro from "@tarojs/taro";';
export const EXPORT_RE = /export\{([^}]*)\};?\s*$/;

/** The published ES module as the mini-program build emits it: a CommonJS module, same code. */
export function toCommonJs(src) {
  assert.ok(src.startsWith(IMPORT_LINE + '\n'), 'the bundle starts with its one import');
  const m = EXPORT_RE.exec(src);
  assert.ok(m, 'the bundle ends with its one export clause');
  const exportsList = m[1].split(',').map((s) => {
    const [local, exported] = s.trim().split(/\s+as\s+/);
    return `${JSON.stringify(exported || local)}: ${local}`;
  });
  const body = src.slice(IMPORT_LINE.length, m.index);
  return {
    body,
    code: '"use strict";' // ES modules are strict code
      + 'var Taro = (function (m) { return m && m.__esModule ? m["default"] : m; })(require("@tarojs/taro"));'
      + body
      + `module.exports = { ${exportsList.join(', ')} };\n`,
  };
}

/**
 * `@tarojs/taro` stand-in. Taro's mini-program runtime (processApis) exposes each host API as
 * `Taro.<name>`: synchronous ones as is, asynchronous ones promisified (the caller's callbacks are
 * still called). Here each forwards to the simulated `wx`.
 */
const TARO_STAND_IN = `'use strict';
var SYNC = /Sync$|^(on|off)[A-Z]|^create\\w*Context$|^get\\w*Manager$/;
var Taro = {};
var host = typeof wx !== 'undefined' ? wx : tt;
Object.keys(host).forEach(function (name) {
  var api = host[name];
  if (typeof api !== 'function') { Taro[name] = api; return; }
  if (SYNC.test(name)) { Taro[name] = function () { return host[name].apply(host, arguments); }; return; }
  Taro[name] = function (options) {
    options = options || {};
    var opts = Object.assign({}, options);
    var task;
    var p = new Promise(function (resolve, reject) {
      opts.success = function (res) { if (options.success) options.success(res); resolve(res); };
      opts.fail = function (err) { if (options.fail) options.fail(err); reject(err); };
      opts.complete = function (res) { if (options.complete) options.complete(res); };
      task = host[name](opts);
    });
    // Callback-style callers ignore the promise; do not report its rejection as unhandled.
    p.catch(function () {});
    if (task && typeof task === 'object') Object.keys(task).forEach(function (k) { p[k] = task[k]; });
    return p;
  };
});
module.exports = Taro;
`;

let packageRoot = null;
export function codePackage() {
  if (!packageRoot) {
    packageRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'official-authing-'));
    const write = (rel, content) => {
      fs.mkdirSync(path.dirname(path.join(packageRoot, rel)), { recursive: true });
      fs.writeFileSync(path.join(packageRoot, rel), content);
    };
    write('app.json', JSON.stringify({ pages: ['pages/index/index'] }));
    write('miniprogram_npm/@authing/miniapp-taro/index.js', toCommonJs(fs.readFileSync(OFFICIAL, 'utf8')).code);
    write('miniprogram_npm/@tarojs/taro/index.js', TARO_STAND_IN);
  }
  return packageRoot;
}

// ---- the realm ---------------------------------------------------------------------------------------

export const AVATAR = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('official authing avatar')]);

/** Realm-side async API in WeChat's convention: callbacks when given, else a realm Promise. */
function realmAsync(sim, opts, make) {
  const o = opts || {};
  const p = new sim.realm.Promise((resolve, reject) => setImmediate(() => {
    try { resolve(sim.realm.JSON.parse(JSON.stringify(make(o)))); } catch (e) { reject(e); }
  }));
  if (['success', 'fail', 'complete'].some((k) => typeof o[k] === 'function')) {
    p.then((r) => { if (o.success) o.success(r); if (o.complete) o.complete(r); }, (e) => { if (o.fail) o.fail(e); if (o.complete) o.complete(e); });
    return undefined;
  }
  return p;
}

/**
 * `wx.chooseImage` (updateAvatar needs it; the simulator has no media APIs): the user picks one
 * photo, a temp file the simulator's `wx.uploadFile` can read.
 */
export function installChooseImage(sim, chosen) {
  (sim.wx || sim.tt).chooseImage = (opts) => realmAsync(sim, opts, (o) => {
    chosen.push(o);
    const p = sim.addTempFile(AVATAR, 'png');
    return { tempFilePaths: [p], tempFiles: [{ path: p, size: AVATAR.length }], errMsg: 'chooseImage:ok' };
  });
}

export const rsaEncrypt = (password, publicKey) => {
  const e = new JSEncrypt();
  e.setPublicKey(publicKey);
  const out = e.encrypt(password);
  assert.equal(typeof out, 'string', 'jsencrypt encrypted the password');
  return out;
};
export const sm2Encrypt = (password, publicKey) => sm2.doEncrypt(password, publicKey, 1);

/** Removes the code package (call once, in the suite's `after`). */
export function removeCodePackage() {
  if (packageRoot) fs.rmSync(packageRoot, { recursive: true, force: true });
  packageRoot = null;
}


/**
 * One mini-program: a realm with the official package loaded and an `Authing` instance talking to
 * the emulator at `emuUrl`. `profile` 'douyin' runs it in the Douyin realm (the package detects tt).
 */
export function officialMiniProgram(t, emuUrl, { encryptFunction, user = 'u-' + t.name.replace(/\W+/g, '-'), profile = 'wechat-ios' } = {}) {
  const platform = profile === 'douyin' ? 'tt' : 'wx';
  const sim = hostSim.createHost({
    profile,
    packageRoot: codePackage(),
    responder: hostSim.loopbackResponder(),
    login: hostSim.platformLogin(emuUrl, { platform, user }),
  });
  t.after(() => sim.close());
  const chosen = [];
  installChooseImage(sim, chosen);
  const { Authing } = sim.require('@authing/miniapp-taro');
  // The document's init, with the emulator's tenant.
  const authing = new Authing({ appId: APP_ID, host: emuUrl, userPoolId: POOL, encryptFunction });
  return { sim, authing, chosen, user };
}

/** Requests the official package sent, as `{method, path, header, body}`. */
export const sentTo = (sim, emuUrl) => sim.stats.requests.map((r) => ({ method: r.method, path: r.url.slice(emuUrl.length), header: r.header, body: r.body }));

/** A documented LoginState, fresh. */
export function assertLoginState(state, { refresh = true, scope } = {}) {
  assert.ok(state && typeof state === 'object', 'a LoginState');
  for (const k of ['access_token', 'id_token', 'scope', 'token_type']) assert.equal(typeof state[k], 'string', k);
  assert.ok(state.access_token.split('.').length === 3, 'access_token is a JWT');
  assert.ok(state.id_token.split('.').length === 3, 'id_token is a JWT');
  assert.ok(Number(state.expires_in) > 0, 'expires_in');
  assert.ok(state.expires_at > Date.now(), 'expires_at in the future');
  assert.ok(Math.abs(state.expires_at - Date.now() - state.expires_in * 1000) < 60_000, 'expires_at = now + expires_in');
  assert.match(state.token_type, /^bearer$/i);
  assert.ok(state.scope.split(' ').includes('openid'));
  if (scope) assert.equal(state.scope, scope);
  if (refresh) assert.equal(typeof state.refresh_token, 'string', 'refresh_token (offline_access)');
  else assert.equal(state.refresh_token, undefined);
}

export const SCOPE = 'openid profile offline_access';

/** Plain data of realm values (realm arrays and objects are not Node's, for deepStrictEqual). */
export const plain = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** The id token's claims (the emulator's HS256 JWTs; the SDK never verifies them). */
export const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
