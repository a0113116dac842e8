'use strict';
// Whole-scenario benchmark through the host simulator (tests/host-sim) with an in-process
// responder (no network, no sockets): the twelve Authing methods, and MPServerless authorize +
// 100 db calls, run with ours and with the official packages under the *same* scenario code
// (the SDK is a drop-in: only the constructor's source differs).
//
// The official packages are loaded into the simulated realm as WeChat's npm build would ship them:
//   @authing/miniapp-taro 5.1.18: ESM importing @tarojs/taro, bundled by esbuild to CJS with
//     @tarojs/taro mapped to the realm's wx (Taro's API is wx's in a WeChat build); its RSA
//     encryptFunction is jsencrypt, which is what @authing/miniapp-jsencrypt wraps.
//   @alicloud/mpserverless-sdk 3.1.5: its dist/index.js (UMD) as is.
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');
const hostSim = require('../host-sim/index.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const RSA_PEM = fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', 'rsa-2048-spki.pem'), 'utf8');
const SM2_PUB = JSON.parse(fs.readFileSync(path.join(__dirname, 'sm2-key.json'), 'utf8')).publicKey;
const AUTHING_HOST = 'https://bench-authing.example.test';
const SERVERLESS_ENDPOINT = 'https://bench-serverless.example.test';

// ---- in-process responder: just enough of both servers for the happy path -----------------------
let tokenSeq = 0;
function tokens() {
  tokenSeq++;
  return { access_token: 'at-' + tokenSeq, id_token: 'id-' + tokenSeq, refresh_token: 'rt-' + tokenSeq, expires_in: 1209600, token_type: 'Bearer', scope: 'openid profile offline_access' };
}
const USER = { userId: 'u1', username: 'bench', nickname: 'Bench', photo: 'https://cdn.example.test/a.png', phone: '13800000000', email: 'b@example.test', customData: {} };
const json = (data) => ({ statusCode: 200, data: JSON.stringify(data), header: { 'content-type': 'application/json' } });

function authing(req) {
  const u = new URL(req.url);
  switch (u.pathname) {
    case '/api/v3/system': return json({ rsa: { publicKey: RSA_PEM }, sm2: { publicKey: SM2_PUB } });
    case '/api/v3/signin':
    case '/api/v3/signin-by-mobile': return json({ statusCode: 200, message: 'ok', data: tokens() });
    case '/oidc/token': return json(tokens());
    case '/oidc/token/revocation': return { statusCode: 200, data: '', header: {} };
    case '/api/v3/send-sms':
    case '/api/v3/update-password': return json({ statusCode: 200, message: 'ok', requestId: 'r' });
    case '/api/v3/get-profile':
    case '/api/v3/update-profile': return json({ statusCode: 200, message: 'ok', data: USER });
    case '/api/v3/get-wechat-miniprogram-phone':
      return json({ statusCode: 200, data: { errcode: 0, errmsg: 'ok', phone_info: { phoneNumber: '+8613800000000', purePhoneNumber: '13800000000', countryCode: '86', watermark: { timestamp: 1, appid: 'wxapp' } } } });
    case '/api/v2/upload': return json({ code: 200, message: 'ok', data: { key: 'avatar/a.png', url: 'https://cdn.example.test/avatar/a.png' } });
    default: return { statusCode: 404, data: JSON.stringify({ statusCode: 404, message: 'no route ' + u.pathname }), header: {} };
  }
}

function serverless(req) {
  const body = JSON.parse(typeof req.body === 'string' ? req.body : Buffer.from(req.body).toString('utf8'));
  const res = (data) => ({ statusCode: 200, data: JSON.stringify({ success: true, data }), header: { 'content-type': 'application/json', 'request-id': 'req-1' } });
  if (/^serverless\.auth\.user\.(anonymousAuthorize|authorize)$/.test(body.method)) return res({ accessToken: 'tok-' + (++tokenSeq), expiresInSecond: 600 });
  if (body.method === 'serverless.db.default.execute') {
    const p = JSON.parse(body.params);
    return res({ affectedDocs: 1, result: [{ _id: '5f0000000000000000000001', title: 'book', n: p.query && p.query.n, createdAt: '2026-01-01T00:00:00.000Z' }] });
  }
  return res(null);
}

const responder = async (req) => (req.url.startsWith(SERVERLESS_ENDPOINT) ? serverless(req) : authing(req));

// ---- code package --------------------------------------------------------------------------------
function officialFiles(tmp) {
  const taroShim = path.join(tmp, 'taro-shim.js');
  fs.writeFileSync(taroShim, 'export default wx;\n');
  const entry = path.join(tmp, 'authing-entry.js');
  fs.writeFileSync(entry, `export { Authing } from '@authing/miniapp-taro';\nimport { JSEncrypt } from 'jsencrypt';\n` +
    `// @authing/miniapp-jsencrypt's encryptFunction: a new JSEncrypt and key per call\n` +
    `export const rsaEncrypt = (t, pk) => { const e = new JSEncrypt({}); e.setPublicKey(pk); return e.encrypt(t).toString(); };\n`);
  const out = esbuild.buildSync({
    entryPoints: [entry], bundle: true, format: 'cjs', platform: 'neutral', target: 'es2017', minify: true, write: false,
    alias: { '@tarojs/taro': taroShim }, mainFields: ['browser', 'module', 'main'], nodePaths: [path.join(ROOT, 'node_modules')], logLevel: 'error',
  });
  return {
    'official/authing.js': out.outputFiles[0].text,
    'official/mpserverless.js': fs.readFileSync(path.join(ROOT, 'node_modules', '@alicloud', 'mpserverless-sdk', 'dist', 'index.js'), 'utf8'),
  };
}

function makePackage(pkgDir, tmp) {
  return hostSim.layoutCodePackage({ pkgDir, root: path.join(tmp, 'codepkg'), files: officialFiles(tmp) });
}

function newSim(packageRoot, official, options = {}) {
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot, responder, ...options });
  const wx = sim.global.wx || sim.global.my;
  const avatar = sim.addTempFile(Buffer.alloc(2048, 7), 'png');
  const pick = () => Promise.resolve(sim.evaluate(`({ tempFiles: [{ tempFilePath: ${JSON.stringify(avatar)}, path: ${JSON.stringify(avatar)}, size: 2048, fileType: 'image' }], tempFilePaths: [${JSON.stringify(avatar)}], errMsg: 'ok' })`));
  const withCallbacks = (fn) => (o) => { const p = fn(); if (o && (o.success || o.complete)) { p.then((r) => { if (o.success) o.success(r); if (o.complete) o.complete(r); }); return undefined; } return p; };
  wx.chooseMedia = withCallbacks(pick);
  wx.chooseImage = withCallbacks(pick);
  // jsencrypt (the official RSA add-on) seeds from Math.random, which the simulator forbids to
  // prove the SDK never uses it; give the official packages a working one.
  if (official) sim.evaluate('Math.random = function () { return this.r = ((this.r || 12345) * 16807) % 2147483647 / 2147483647; }.bind({})');
  return sim;
}

// ---- the scenarios (same code for both implementations) ------------------------------------------
async function authingScenario(Authing, encryptFunction, { avatar = true } = {}) {
  const opts = { appId: 'bench-app', userPoolId: 'bench-pool', host: AUTHING_HOST };
  if (encryptFunction) opts.encryptFunction = encryptFunction;
  const a = new Authing(opts);
  const check = (name, [err]) => { if (err && name !== 'getLoginState') throw new Error(`${name} failed: ${JSON.stringify(err)}`); };
  check('getLoginState', await a.getLoginState());
  check('loginByCode', await a.loginByCode({ extIdpConnidentifier: 'bench-wx' }));
  check('loginByPassword', await a.loginByPassword({ passwordPayload: { password: 'P@ssw0rd-16bytes', username: 'bench' }, options: { passwordEncryptType: 'rsa' } }));
  check('sendSms', await a.sendSms({ phoneNumber: '13800000000', channel: 'CHANNEL_LOGIN' }));
  check('loginByPassCode', await a.loginByPassCode({ passCodePayload: { passCode: '1234', phone: '13800000000' } }));
  check('refreshToken', await a.refreshToken());
  check('getPhone', await a.getPhone({ extIdpConnidentifier: 'bench-wx', code: 'PHONECODE' }));
  check('updatePassword', await a.updatePassword({ newPassword: 'N3w-P@ssw0rd', oldPassword: 'P@ssw0rd-16bytes', passwordEncryptType: 'rsa' }));
  check('getUserInfo', await a.getUserInfo());
  if (avatar) check('updateAvatar', await a.updateAvatar());
  check('updateUserInfo', await a.updateUserInfo({ nickname: 'Bench 2' }));
  check('logout', await a.logout());
}

async function serverlessScenario(MPServerless, wx, authProvider = 'wechat_openapi') {
  const s = new MPServerless(wx, { appId: 'wxbench', spaceId: 'SPACE-1', clientSecret: 'bench-secret', endpoint: SERVERLESS_ENDPOINT });
  const auth = await s.user.authorize({ authProvider });
  if (!auth || !auth.success) throw new Error('authorize failed: ' + JSON.stringify(auth));
  for (let i = 0; i < 100; i++) {
    const r = await s.db.collection('books').find({ n: i }, { limit: 10 });
    if (!r || !r.success) throw new Error('db.find failed: ' + JSON.stringify(r));
  }
}

/** Probes whether a constructor is implemented (the placeholders throw "not implemented"). */
function implemented(Ctor, args) {
  try { new Ctor(...args); return true; } catch (e) { if (/not implemented/i.test(String(e && e.message))) return false; return true; }
}

/**
 * Returns the scenario cases for the harness: [{id, fn, async:true}] plus notes for rows that
 * cannot run yet. Each fn runs one whole scenario in a realm prepared once (SDK already loaded).
 */
function scenarioCases({ pkgDir, tmp }) {
  const root = makePackage(pkgDir, tmp);
  const notes = {};
  const cases = [];
  const sims = [];
  const officialSim = newSim(root, true);
  sims.push(officialSim);
  const off = officialSim.require('/official/authing.js');
  const OffServerless = officialSim.require('/official/mpserverless.js');
  cases.push({ id: 'authing:official', async: true, fn: () => authingScenario(off.Authing, off.rsaEncrypt) });
  cases.push({ id: 'serverless:official', async: true, fn: () => serverlessScenario(OffServerless.default || OffServerless, officialSim.global.wx) });

  const oursSim = newSim(root, false);
  sims.push(oursSim);
  const sdk = oursSim.require('miniapp-sdk');
  const wx = oursSim.global.wx;
  if (typeof sdk.Authing === 'function' && implemented(sdk.Authing, [{ appId: 'bench-app', userPoolId: 'bench-pool', host: AUTHING_HOST }])) {
    cases.push({ id: 'authing:ours', async: true, fn: () => authingScenario(sdk.Authing) });
    // The twin of the Alipay Authing case below (which has no image picker), for its ratio.
    cases.push({ id: 'authing:ours:no-avatar', async: true, fn: () => authingScenario(sdk.Authing, undefined, { avatar: false }) });
  } else notes['authing:ours'] = 'n/a: not built yet';
  let Srv = sdk.MPServerless;
  if (typeof Srv !== 'function') { try { Srv = oursSim.require('miniapp-sdk/mpserverless'); Srv = Srv.MPServerless || Srv.default || Srv; } catch { Srv = null; } }
  if (typeof Srv === 'function' && implemented(Srv, [wx, { appId: 'wxbench', spaceId: 'SPACE-1', clientSecret: 'bench-secret', endpoint: SERVERLESS_ENDPOINT }])) {
    cases.push({ id: 'serverless:ours', async: true, fn: () => serverlessScenario(Srv, wx) });
  } else notes['serverless:ours'] = 'n/a: not built yet';
  alipayCases({ pkgDir, tmp, cases, notes, sims });
  return { cases, notes, close: () => sims.forEach((s) => s.close()) };
}

/**
 * The Alipay logic layer (profile alipay-logic: `my`, no wasm engine, so our core runs as wasm2js):
 *   serverless:official:alipay / serverless:ours:alipay: the official 3.1.5 (its dist as is) and our
 *     alipay-serverless.js, MPServerless authorize (alipay_openapi) + 100 db calls;
 *   authing:ours:alipay-worker: our alipay.js, the Authing methods with the SDK's own RSA, in a realm
 *     with a Worker-like `crypto.getRandomValues` (the stock logic layer has no secure source); eleven
 *     of the twelve: updateAvatar is left out because the Alipay host adapter has no image picker
 *     (HOST_MISSING), so it is compared with authing:ours:no-avatar (the same eleven in wechat-ios).
 */
function alipayCases({ pkgDir, tmp, cases, notes, sims }) {
  const root = path.join(tmp, 'alipay-codepkg');
  const dir = path.join(root, 'node_modules', 'miniapp-sdk');
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(root, 'official'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'node_modules', '@alicloud', 'mpserverless-sdk', 'dist', 'index.js'), path.join(root, 'official', 'mpserverless.js'));
  const have = (f) => fs.existsSync(path.join(pkgDir, f)) && (fs.copyFileSync(path.join(pkgDir, f), path.join(dir, f)), true);
  const offSim = newSim(root, true, { profile: 'alipay-logic' });
  sims.push(offSim);
  const Off = offSim.require('/official/mpserverless.js');
  cases.push({ id: 'serverless:official:alipay', async: true, fn: () => serverlessScenario(Off.default || Off, offSim.global.my, 'alipay_openapi') });
  if (have('alipay-serverless.js')) {
    const sim = newSim(root, false, { profile: 'alipay-logic' });
    sims.push(sim);
    const { MPServerless } = sim.require('miniapp-sdk/alipay-serverless.js');
    cases.push({ id: 'serverless:ours:alipay', async: true, fn: () => serverlessScenario(MPServerless, sim.global.my, 'alipay_openapi') });
  } else notes['serverless:ours:alipay'] = 'n/a: pkg/alipay-serverless.js not built';
  if (have('alipay.js')) {
    const sim = newSim(root, false, { profile: 'alipay-logic', crypto: true });
    sims.push(sim);
    const { Authing } = sim.require('miniapp-sdk/alipay.js');
    cases.push({ id: 'authing:ours:alipay-worker', async: true, fn: () => authingScenario(Authing, undefined, { avatar: false }) });
  } else notes['authing:ours:alipay-worker'] = 'n/a: pkg/alipay.js not built';
}

module.exports = { scenarioCases, authingScenario, serverlessScenario, responder };
