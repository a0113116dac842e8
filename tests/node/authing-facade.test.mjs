// The Authing facade in the simulated WeChat realm: constructor validation, platform detection,
// login-state interoperability with the official package, and the exact `[error, undefined]` tuple of
// each error path (methods resolve, never reject or throw).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { PKG, ROOT, hostSim, tmpDir, rsaSpkiPem } from './_helpers.mjs';
import { addImagePicker } from './authing-support.mjs';

const HOST = 'https://auth.example';
const KEY = 'authing:app1:login-state';
const OPTS = { appId: 'app1', userPoolId: 'pool1', host: HOST };
const TOKEN = { access_token: 'AT', id_token: 'IT', refresh_token: 'RT', expires_in: 3600, token_type: 'Bearer', scope: 'openid offline_access' };
const json = (body, statusCode = 200) => ({ statusCode, data: JSON.stringify(body), header: { 'content-type': 'application/json' } });

function ok(req) {
  const p = req.url.slice(HOST.length).split('?')[0];
  if (p === '/api/v3/system') return json({ rsa: { publicKey: rsaSpkiPem() }, sm2: { publicKey: '04' + 'ab'.repeat(64) } });
  if (p === '/api/v3/signin' || p === '/api/v3/signin-by-mobile') return json({ statusCode: 200, message: '', data: TOKEN });
  if (p === '/api/v3/get-profile') return json({ statusCode: 200, message: '', data: { userId: 'u1' } });
  return json({ statusCode: 200, message: 'ok' });
}

let root = null;
function codePackage() {
  if (!root) {
    const official = esbuild.transformSync(fs.readFileSync(path.join(ROOT, 'node_modules/@authing/miniapp-taro/dist/bundle-taro.js'), 'utf8'), { format: 'cjs', target: 'es2017' }).code;
    root = hostSim.layoutCodePackage({
      pkgDir: PKG,
      root: tmpDir('authing-facade-'),
      files: {
        'miniprogram_npm/@authing/miniapp-taro/index.js': official,
        'miniprogram_npm/@tarojs/taro/index.js': "const T = {}; ['request','uploadFile','login','getStorage','setStorage','removeStorage','chooseImage'].forEach((n) => { T[n] = (o) => wx[n](o); }); module.exports = T;",
      },
    });
  }
  return root;
}

function boot(t, { responder = ok, profile = 'wechat-ios', options = {}, ...rest } = {}) {
  const requests = [];
  const sim = hostSim.createHost({ profile, packageRoot: codePackage(), responder: (r) => { requests.push(r); return responder(r); }, login: () => 'WXCODE', ...rest });
  t.after(() => sim.close());
  const { Authing } = sim.require('miniapp-sdk');
  return { sim, requests, Authing, authing: new Authing({ ...OPTS, ...options }) };
}

/** The tuple as plain data, asserting it is `[error, undefined]`. */
async function failure(promise) {
  const r = await promise;
  assert.equal(r.length, 2);
  assert.equal(r[1], undefined);
  assert.notEqual(r[0], null);
  return JSON.parse(JSON.stringify(r[0]));
}

test('the constructor validates its options and throws an SdkError', (t) => {
  const { Authing } = boot(t);
  const thrown = (o) => { try { new Authing(o); } catch (e) { return { name: e.name, code: e.code, message: e.message }; } return null; };
  assert.deepEqual(thrown(undefined), { name: 'SdkError', code: 'INVALID_ARGUMENT', message: 'new Authing(options): options must be an object' });
  assert.deepEqual(thrown({ userPoolId: 'p' }), { name: 'SdkError', code: 'INVALID_ARGUMENT', message: 'new Authing(options): appId is required' });
  assert.deepEqual(thrown({ appId: 'a' }), { name: 'SdkError', code: 'INVALID_ARGUMENT', message: 'new Authing(options): userPoolId is required' });
  assert.deepEqual(thrown({ appId: 'a', userPoolId: 'p', host: 'core.authing.cn' }), { name: 'SdkError', code: 'INVALID_ARGUMENT', message: 'new Authing(options): host must be an http(s) URL, got "core.authing.cn"' });
  assert.deepEqual(thrown({ appId: 'a', userPoolId: 'p', platform: 'my' }), { name: 'SdkError', code: 'INVALID_ARGUMENT', message: 'new Authing(options): platform must be "wx" or "tt"' });
  assert.deepEqual(thrown({ appId: 'a', userPoolId: 'p', encryptFunction: 'rsa' }), { name: 'SdkError', code: 'INVALID_ARGUMENT', message: 'new Authing(options): encryptFunction must be a function' });
  const a = new Authing({ appId: 'a', userPoolId: 'p' });
  assert.equal(a.options.host, 'https://core.authing.cn');
  assert.equal(a.options.platform, 'wx');
});

test('the constructor and the core agree on which hosts are http(s) URLs: no host passes one and fails the other', async (t) => {
  const { Authing } = boot(t);
  const HOSTS = [
    'https://a b', 'https://a\tb', 'http://', 'https://', 'https:///', 'ftp://x', 'core.authing.cn', '//x', 'https:/x', '  ',
    'https://x', 'HTTPS://X.example', 'http://127.0.0.1:8787', 'https://x/', 'https://x///', ' https://x ', 'https://x/base',
  ];
  for (const host of HOSTS) {
    let constructed = null;
    try { constructed = new Authing({ ...OPTS, host }); } catch (e) { assert.equal(e.code, 'INVALID_ARGUMENT', host); }
    // What the core says about the same host: a valid instance whose options are swapped before the
    // core loads (the facade hands them over at the first call).
    const probe = new Authing(OPTS);
    probe.options.host = host.trim() === '' ? HOST : host;
    const [error] = await probe.getLoginState();
    const coreRejects = !!error && error.code === 'INVALID_ARGUMENT' && /host must be an http\(s\) URL/.test(error.message);
    if (host.trim() === '') {
      assert.equal(constructed, null, 'a blank host is refused by the constructor (the core would take the default)');
      continue;
    }
    assert.equal(constructed === null, coreRejects, `${JSON.stringify(host)}: constructor ${constructed ? 'accepts' : 'rejects'}, core ${coreRejects ? 'rejects' : 'accepts'} (${error && error.message})`);
    if (constructed) {
      const [e2] = await constructed.getLoginState();
      assert.ok(!e2 || e2.code !== 'INVALID_ARGUMENT', `${JSON.stringify(host)}: accepted, then refused at the first call: ${e2 && e2.message}`);
    }
  }
});

test('the platform is detected as the official package detects it: tt when tt.getSystemInfo exists', (t) => {
  const { sim, Authing } = boot(t);
  sim.global.tt = { getSystemInfo() {} };
  assert.equal(new Authing(OPTS).options.platform, 'tt');
  assert.equal(new Authing({ ...OPTS, platform: 'wx' }).options.platform, 'wx');
  delete sim.global.tt;
  assert.equal(new Authing(OPTS).options.platform, 'wx');
});

test('a host with a trailing slash is requested without a double slash', async (t) => {
  const { authing, requests } = boot(t, { options: { host: HOST + '/' } });
  await authing.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } });
  assert.equal(requests[0].url, HOST + '/api/v3/signin');
});

test('the login state is shared with the official package, in both directions', async (t) => {
  const { sim, authing, requests } = boot(t);
  const { Authing: Official } = sim.require('@authing/miniapp-taro');
  const official = new Official(OPTS);
  const [e1, theirs] = await official.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } });
  assert.equal(e1, null);
  assert.deepEqual(JSON.parse(sim.storage.get(KEY)), JSON.parse(JSON.stringify(theirs)));
  const [e2, read] = await authing.getLoginState();
  assert.equal(e2, null);
  assert.deepEqual(JSON.parse(JSON.stringify(read)), JSON.parse(JSON.stringify(theirs)), 'ours reads the official state as is');
  // Ours logs in; the official package reads and uses that state.
  const before = requests.length;
  const [, mine] = await authing.loginByPassCode({ passCodePayload: { passCode: '1', email: 'a@b.c' } });
  assert.equal(typeof mine.expires_at, 'number');
  const [e3, seen] = await official.getLoginState();
  assert.equal(e3, null);
  assert.deepEqual(JSON.parse(JSON.stringify(seen)), JSON.parse(JSON.stringify(mine)));
  const [e4] = await official.getUserInfo();
  assert.equal(e4, null);
  assert.equal(requests.slice(before).pop().header.authorization, 'AT');
});

test('a state the official package stored without expires_in (NaN) is recovered from the JWT exp', async (t) => {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const jwt = 'eyJhbGciOiJub25lIn0.' + Buffer.from(JSON.stringify({ exp })).toString('base64url') + '.';
  const noExpiresIn = (req) => (req.url.endsWith('/api/v3/signin') ? json({ statusCode: 200, message: '', data: { access_token: jwt, token_type: 'Bearer' } }) : ok(req));
  const { sim, authing } = boot(t, { responder: noExpiresIn });
  const { Authing: Official } = sim.require('@authing/miniapp-taro');
  const official = new Official(OPTS);
  await official.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } });
  assert.equal(JSON.parse(sim.storage.get(KEY)).expires_at, null, 'NaN stored as null');
  assert.deepEqual(JSON.parse(JSON.stringify((await official.getLoginState())[0])), { message: 'login state has expired, please login again' });
  const [err, state] = await authing.getLoginState();
  assert.equal(err, null);
  assert.equal(state.access_token, jwt);
  // Our own login without expires_in stores the JWT exp.
  await authing.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } });
  assert.equal(JSON.parse(sim.storage.get(KEY)).expires_at, exp * 1000);
});

test('error paths resolve the exact tuple', async (t) => {
  // Network failure.
  let a = boot(t, { responder: () => { throw new Error('connect ECONNREFUSED 10.0.0.1:443'); } }).authing;
  assert.deepEqual(await failure(a.sendSms({ phoneNumber: '1', channel: 'CHANNEL_LOGIN' })),
    { message: 'host function `request` failed: request:fail connect ECONNREFUSED 10.0.0.1:443', code: 'HOST_REJECTED' });
  // A body that is not JSON (gateway page).
  a = boot(t, { responder: () => ({ statusCode: 502, data: '<html>502 Bad Gateway</html>', header: {} }) }).authing;
  assert.deepEqual(await failure(a.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } })),
    { message: 'the server answered HTTP 502 with a body that is not a JSON object: <html>502 Bad Gateway</html>', statusCode: 502, code: 'BAD_RESPONSE' });
  // 4xx in the envelope, and a 5xx HTTP status with an envelope.
  a = boot(t, { responder: () => json({ statusCode: 403, apiCode: 2333, message: 'Account not exists or password is incorrect.', requestId: 'r1' }) }).authing;
  assert.deepEqual(await failure(a.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } })),
    { statusCode: 403, apiCode: 2333, message: 'Account not exists or password is incorrect.', requestId: 'r1', code: 'SERVER' });
  a = boot(t, { responder: () => json({ statusCode: 500, message: 'Internal Server Error' }, 500) }).authing;
  assert.deepEqual(await failure(a.sendSms({ phoneNumber: '1', channel: 'CHANNEL_LOGIN' })), { statusCode: 500, message: 'Internal Server Error', code: 'SERVER' });
  // OIDC errors gain a message.
  const b = boot(t, { responder: (r) => (r.url.endsWith('/oidc/token') ? json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400) : ok(r)) });
  await b.authing.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } });
  assert.deepEqual(await failure(b.authing.refreshToken()),
    { error: 'invalid_grant', error_description: 'grant request is invalid', message: 'grant request is invalid', statusCode: 400, code: 'SERVER' });
});

test('expired state, missing login and storage failures', async (t) => {
  const { sim, authing, requests } = boot(t);
  assert.deepEqual(await failure(authing.getLoginState()), { message: 'login state not found, please login', code: 'NOT_LOGGED_IN' });
  sim.storage.set(KEY, JSON.stringify({ access_token: 'AT', expires_in: 3600, expires_at: Date.now() - 1000 }));
  assert.deepEqual(await failure(authing.getLoginState()), { message: 'login state has expired, please login again', code: 'NOT_LOGGED_IN' });
  assert.deepEqual(await failure(authing.getUserInfo()), { message: 'Token has expired, please login again', code: 'NOT_LOGGED_IN' });
  assert.deepEqual(await failure(authing.updatePassword({ newPassword: 'n', oldPassword: 'o' })), { message: 'Token has expired, please login again', code: 'NOT_LOGGED_IN' });
  assert.deepEqual(await failure(authing.refreshToken()), { message: 'refresh_token must not be empty', code: 'NOT_LOGGED_IN' });
  assert.equal(requests.length, 0);
  sim.wx.getStorage = (o) => setTimeout(() => o.fail({ errMsg: 'getStorage:fail internal error' }), 0);
  assert.deepEqual(await failure(authing.getLoginState()),
    { message: 'storage error: host function `getStorage` failed: getStorage:fail internal error', code: 'STORAGE' });
});

test('bad keys, failing encryptFunctions and a missing random source are tuples, never rejections', async (t) => {
  const badKey = (r) => (r.url.endsWith('/api/v3/system') ? json({ sm2: { publicKey: 'zz' } }) : ok(r));
  let { authing } = boot(t, { responder: badKey });
  const sm2Login = { passwordPayload: { password: 'p', username: 'u' }, options: { passwordEncryptType: 'sm2' } };
  assert.deepEqual(await failure(authing.loginByPassword(sm2Login)), { message: 'crypto error: SM2 public key: not hex', code: 'CRYPTO' });
  ({ authing } = boot(t, { options: { encryptFunction: () => { throw new TypeError("Cannot read properties of null (reading 'multiply')"); } } }));
  assert.deepEqual(await failure(authing.loginByPassword(sm2Login)),
    { message: "crypto error: encryptFunction threw: Cannot read properties of null (reading 'multiply')", code: 'CRYPTO' });
  ({ authing } = boot(t, { options: { encryptFunction: () => 'false' } }));
  assert.deepEqual(await failure(authing.loginByPassword(sm2Login)),
    { message: 'crypto error: encryptFunction failed (it returned an empty string or "false")', code: 'CRYPTO' });
  // A plugin has no wx.getRandomValues: encryption fails closed, plaintext logins still work.
  const plugin = boot(t, { profile: 'wechat-plugin' });
  assert.deepEqual(await failure(plugin.authing.loginByPassword(sm2Login)),
    { message: 'no secure random source: the host has no secure random source (wx.getRandomValues needs base library 2.15.0 and is not available in plugins)', code: 'NO_ENTROPY' });
  const [err] = await plugin.authing.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } });
  assert.equal(err, null);
});

test('bad arguments and a failed wasm load are tuples too', async (t) => {
  const { authing, Authing } = boot(t);
  assert.deepEqual(await failure(authing.loginByCode()), { message: 'loginByCode options must be an object', code: 'INVALID_ARGUMENT' });
  assert.deepEqual(await failure(authing.getPhone({ code: 'c' })), { message: 'code or extIdpConnidentifier is required', code: 'INVALID_ARGUMENT' });
  const cyclic = { passwordPayload: { password: 'p' } };
  cyclic.self = cyclic;
  const e = await failure(authing.loginByPassword(cyclic));
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.match(e.message, /^the argument cannot be serialised to JSON: /);
  const { Authing: Fresh } = boot(t);
  const broken = new Fresh({ ...OPTS, wasmPath: '/missing/core.wasm' });
  const w = await failure(broken.getLoginState());
  assert.equal(w.code, 'WASM_LOAD');
  assert.match(w.message, /^could not load the SDK wasm from "\/missing\/core\.wasm"/);
  assert.equal(typeof Authing, 'function');
});

test('updateAvatar: picks an image only when logged in, and a cancelled picker is a tuple', async (t) => {
  const { sim, authing, requests } = boot(t);
  const picks = [];
  addImagePicker(sim, picks);
  assert.deepEqual(await failure(authing.updateAvatar()), { message: 'Token has expired, please login again', code: 'NOT_LOGGED_IN' });
  assert.equal(picks.length, 0, 'no picker while logged out');
  await authing.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } });
  sim.wx.chooseMedia = (o) => setTimeout(() => o.fail({ errMsg: 'chooseMedia:fail cancel' }), 0);
  assert.deepEqual(await failure(authing.updateAvatar()), { message: 'chooseMedia:fail cancel', code: 'HOST_REJECTED' });
  assert.ok(!requests.some((r) => r.url.includes('/api/v2/upload')));
  const upload = (r) => (r.url.includes('/api/v2/upload') ? json({ code: 200, message: 'ok', data: { key: 'k', url: 'https://f/k.png' } }) : ok(r));
  const again = boot(t, { responder: upload });
  addImagePicker(again.sim, picks);
  await again.authing.loginByPassword({ passwordPayload: { password: 'p', username: 'u' } });
  const [err, data] = await again.authing.updateAvatar();
  assert.equal(err, null);
  assert.deepEqual(JSON.parse(JSON.stringify(data)), { code: 200, message: 'ok', data: { key: 'k', url: 'https://f/k.png' } });
  assert.deepEqual(picks.pop().options.mediaType, ['image'], 'images only, no videos');
});
