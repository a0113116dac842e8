// Differential test against the official @authing/miniapp-taro 5.1.18: the same scenario runs in
// two simulated WeChat realms, one with this SDK and one with the official bundle (its
// `@tarojs/taro` import answered by a stand-in forwarding to the simulated `wx`), against the same
// scripted server. The requests must be identical: method, URL, headers (but the SDK version) and
// body. Password ciphertexts differ by construction (random padding / k), so they are compared
// after decryption (SM2 with sm-crypto, mode 1; RSA with node-forge), and their formats are checked.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { PKG, ROOT, hostSim, tmpDir, require, rsaSpkiPem, rsaDecrypt, sm2 as smCrypto } from './_helpers.mjs';
import { addImagePicker, startEmulator } from './authing-support.mjs';

const HOST = 'https://auth.example';
const OFFICIAL = path.join(ROOT, 'node_modules', '@authing', 'miniapp-taro', 'dist', 'bundle-taro.js');
const SM2_KEYS = smCrypto().generateKeyPairHex();
const TOKEN = { access_token: 'AT', id_token: 'IT', refresh_token: 'RT', expires_in: 1209600, token_type: 'Bearer', scope: 'openid profile offline_access' };

// The official add-ons' encryptFunction, reproduced with the libraries they vendor.
function officialEncryptFunction(plainText, publicKey) {
  if (/^-----BEGIN/.test(publicKey)) {
    const forge = require('node-forge');
    return forge.util.encode64(forge.pki.publicKeyFromPem(publicKey).encrypt(forge.util.encodeUtf8(plainText), 'RSAES-PKCS1-V1_5'));
  }
  return smCrypto().doEncrypt(plainText, publicKey, 1);
}

/** A scripted Authing server: the same answers for both SDKs. */
function server(req) {
  const p = req.url.slice(HOST.length).split('?')[0];
  const json = (body, statusCode = 200) => ({ statusCode, data: JSON.stringify(body), header: { 'content-type': 'application/json' } });
  switch (p) {
    case '/api/v3/system': return json({ rsa: { publicKey: rsaSpkiPem() }, sm2: { publicKey: SM2_KEYS.publicKey } });
    case '/api/v3/signin':
    case '/api/v3/signin-by-mobile': return json({ statusCode: 200, message: '', data: TOKEN });
    case '/oidc/token': return json({ ...TOKEN, access_token: 'AT2', refresh_token: 'RT2' });
    case '/oidc/token/revocation': return { statusCode: 200, data: '', header: {} };
    case '/api/v3/send-sms': return json({ statusCode: 200, message: '发送成功', requestId: 'r1' });
    case '/api/v3/update-password': return json({ statusCode: 200, message: '操作成功', requestId: 'r2' });
    case '/api/v3/get-profile':
    case '/api/v3/update-profile': return json({ statusCode: 200, message: '', data: { userId: 'u1', username: 'bob', photo: 'https://f/a.png' } });
    case '/api/v3/get-wechat-miniprogram-phone':
      return json({ statusCode: 200, message: '', data: { errcode: 0, errmsg: 'ok', phone_info: { phoneNumber: '+8613800000000', purePhoneNumber: '13800000000', countryCode: '86', watermark: { timestamp: 1700000000, appid: 'wx1' } } } });
    case '/api/v2/upload': return json({ code: 200, message: '上传成功', data: { key: 'avatar/a.png', url: 'https://f/a.png' } });
    default: return json({ statusCode: 404, message: 'no route ' + p });
  }
}

/** A code package with this SDK, the official bundle (as CommonJS) and the @tarojs/taro stand-in. */
function codePackage() {
  const official = esbuild.transformSync(fs.readFileSync(OFFICIAL, 'utf8'), { format: 'cjs', target: 'es2017' }).code;
  const taro = [
    '// Stand-in for @tarojs/taro on WeChat: every API forwards to the global `wx`.',
    "const names = ['request', 'uploadFile', 'login', 'getStorage', 'setStorage', 'removeStorage', 'clearStorage', 'chooseImage', 'getUserProfile', 'checkSession', 'scanCode', 'getSystemInfo'];",
    'const Taro = {};',
    'names.forEach((n) => { Taro[n] = function (o) { return wx[n](o); }; });',
    'module.exports = Taro;',
  ].join('\n');
  return hostSim.layoutCodePackage({
    pkgDir: PKG,
    root: tmpDir('authing-diff-'),
    files: {
      'miniprogram_npm/@authing/miniapp-taro/index.js': official,
      'miniprogram_npm/@tarojs/taro/index.js': taro,
    },
  });
}

/** Runs the scenario with `Authing` from `moduleId`; resolves `{requests, results}`. */
async function scenario(t, root, moduleId, options, responder = server) {
  const requests = [];
  const sim = hostSim.createHost({
    profile: 'wechat-ios',
    packageRoot: root,
    responder: (req) => { requests.push(req); return responder(req); },
    login: () => 'WXCODE',
  });
  t.after(() => sim.close());
  addImagePicker(sim);
  const { Authing } = sim.require(moduleId);
  const a = new Authing({ appId: 'app1', userPoolId: 'pool1', host: HOST, ...options });
  const results = [];
  const call = async (name, ...args) => {
    const r = await a[name](...args);
    results.push([name, r[0] === null ? null : JSON.parse(JSON.stringify(r[0])), r[1] === undefined ? undefined : JSON.parse(JSON.stringify(r[1]))]);
  };
  await call('getLoginState');
  await call('loginByPassword', { passwordPayload: { password: 'p@ss 密码', username: 'bob' }, options: { scope: 'openid profile offline_access' } });
  await call('getUserInfo');
  await call('getUserInfo', { withIdentities: true, withCustomData: false });
  await call('getUserInfo', {});
  await call('updateUserInfo', { nickname: '昵称', address: 'a&b=c', gender: 'F', customData: { n: 1, s: 'x' } });
  await call('refreshToken');
  await call('sendSms', { phoneNumber: '13800000000', channel: 'CHANNEL_LOGIN' });
  await call('sendSms', { phoneNumber: '2025550100', phoneCountryCode: '+1', channel: 'CHANNEL_RESET_PASSWORD' });
  await call('getPhone', { extIdpConnidentifier: 'my-wx', code: 'PHONECODE' });
  await call('updatePassword', { newPassword: 'new', oldPassword: 'old' });
  await call('updatePassword', { newPassword: '新密码 sm2', oldPassword: 'old', passwordEncryptType: 'sm2' });
  await call('updatePassword', { newPassword: 'новый rsa', oldPassword: 'old', passwordEncryptType: 'rsa' });
  await call('updateAvatar');
  await call('logout');
  await call('loginByPassCode', { passCodePayload: { passCode: '1234', phone: '13800000000' }, options: { scope: 'openid' } });
  await call('loginByPassCode', { passCodePayload: { passCode: '5678', email: 'a@b.c' } });
  await call('logout');
  await call('loginByCode', { extIdpConnidentifier: 'my-wx', wechatMiniProgramCodePayload: { encryptedData: 'ED', iv: 'IV' }, options: { scope: 'openid profile offline_access' } });
  await call('loginByCode', { extIdpConnidentifier: 'my-wx' });
  await call('logout');
  await call('loginByCode', { extIdpConnidentifier: 'my-wx' });
  await call('logout');
  await call('loginByPassword', { passwordPayload: { password: '口令 sm2', account: 'bob' }, options: { passwordEncryptType: 'sm2' } });
  await call('loginByPassword', { passwordPayload: { password: '口令 rsa', email: 'a@b.c' }, options: { passwordEncryptType: 'rsa', scope: 'openid' } });
  await call('logout');
  assert.equal(sim.stats.mathRandomCalls, 0);
  return { requests, results };
}

const SM2_HEX = /^[0-9a-f]+$/;

/** Replaces a password ciphertext by `<sm2|rsa:plaintext>` after checking its format. */
function decrypted(kind, cipher) {
  if (kind === 'sm2') {
    assert.match(cipher, SM2_HEX, 'SM2: lowercase hex');
    assert.ok(!cipher.startsWith('04') || cipher.length % 2 === 0);
    const plain = smCrypto().doDecrypt(cipher, SM2_KEYS.privateKey, 1);
    assert.equal(cipher.length, 2 * (64 + 32 + Buffer.byteLength(plain)), 'SM2: C1 (64 bytes, no 04) ‖ C3 (32) ‖ C2');
    return `<sm2:${plain}>`;
  }
  assert.match(cipher, /^[A-Za-z0-9+/]+=*$/, 'RSA: base64');
  return `<rsa:${rsaDecrypt(cipher)}>`;
}

/** The comparable form of a request: ciphertexts decrypted, the SDK version header left out. */
function comparable(req) {
  const header = { ...req.header };
  delete header['x-authing-sdk-version'];
  // The simulator's wx.request appends `?` for an empty GET data object (getUserInfo({})); the
  // official SDK passes `{}`, this SDK builds the URL itself. A trailing `?` names the same resource.
  const out = { method: req.method, url: req.url.replace(/\?$/, ''), header };
  if (req.file) {
    delete header['content-type']; // multipart boundary
    out.file = { field: req.file.field, bytes: Buffer.from(req.file.bytes).toString('hex') };
    out.formData = req.formData || {};
    return out;
  }
  let body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : String(req.body);
  if (body && /\/api\/v3\/(signin|update-password)$/.test(req.url)) {
    const json = JSON.parse(body);
    const kind = json.options ? json.options.passwordEncryptType : json.passwordEncryptType;
    if (kind === 'rsa' || kind === 'sm2') {
      if (json.passwordPayload) json.passwordPayload.password = decrypted(kind, json.passwordPayload.password);
      else json.newPassword = decrypted(kind, json.newPassword);
      body = JSON.stringify(json);
    }
  }
  out.body = body;
  return out;
}

test('this SDK and @authing/miniapp-taro 5.1.18 send identical requests', async (t) => {
  const root = codePackage();
  const ours = await scenario(t, root, 'miniapp-sdk', {});
  const theirs = await scenario(t, root, '@authing/miniapp-taro', { encryptFunction: officialEncryptFunction });
  const a = ours.requests.map(comparable);
  const b = theirs.requests.map(comparable);
  assert.equal(a.length, b.length, 'request count');
  for (let i = 0; i < a.length; i++) assert.deepEqual(a[i], b[i], `request #${i + 1} (${b[i].method} ${b[i].url})`);
  assert.ok(a.length >= 25, `the scenario covers the protocol (${a.length} requests)`);
  // The only header that may differ is the SDK version; ours keeps the official value.
  assert.deepEqual(ours.requests.map((r) => r.header['x-authing-sdk-version']), theirs.requests.map((r) => r.header['x-authing-sdk-version']));

  // Same successes and same data, except the clock-derived expires_at and the errors' extra `code`.
  assert.equal(ours.results.length, theirs.results.length);
  for (let i = 0; i < ours.results.length; i++) {
    const [name, errA, dataA] = ours.results[i];
    const [, errB, dataB] = theirs.results[i];
    assert.equal(errA === null, errB === null, `${name} #${i}: ${JSON.stringify(errA)} vs ${JSON.stringify(errB)}`);
    const strip = (d) => (d && typeof d === 'object' ? { ...d, expires_at: typeof d.expires_at } : d);
    assert.deepEqual(strip(dataA), strip(dataB), `${name} #${i}`);
  }
  // getLoginState before any login: both report an error (ours with a readable message).
  assert.deepEqual(ours.results[0][1], { message: 'login state not found, please login', code: 'NOT_LOGGED_IN' });
  assert.deepEqual(theirs.results[0][1], { message: '{"errMsg":"getStorage:fail data not found"}' });
});

test('with platform "tt" both send the Douyin connection, payload and phone endpoint', async (t) => {
  const root = codePackage();
  const douyin = (req) => (req.url.endsWith('/api/v3/decrypt-douyin-miniprogram-phone') ? server({ ...req, url: HOST + '/api/v3/get-wechat-miniprogram-phone' }) : server(req));
  const run = async (moduleId, options) => {
    const requests = [];
    const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root, responder: (r) => { requests.push(r); return douyin(r); }, login: () => 'TTCODE' });
    t.after(() => sim.close());
    const { Authing } = sim.require(moduleId);
    const a = new Authing({ appId: 'app1', userPoolId: 'pool1', host: HOST, platform: 'tt', ...options });
    const out = [];
    out.push(await a.loginByCode({ extIdpConnidentifier: 'dy', douyinMiniProgramCodePayload: { encryptedData: 'E', iv: 'I' }, options: { scope: 'openid' } }));
    out.push(await a.getPhone({ extIdpConnidentifier: 'dy', encryptedData: 'PE', iv: 'PI' }));
    out.push(await a.logout());
    for (const [err] of out) assert.equal(err, null, `${moduleId}: ${JSON.stringify(err)}`);
    return requests.map(comparable);
  };
  const ours = await run('miniapp-sdk', {});
  const theirs = await run('@authing/miniapp-taro', {});
  assert.deepEqual(ours, theirs);
  assert.equal(ours[0].body, '{"connection":"douyin_mini_program_code","extIdpConnidentifier":"dy","douyinMiniProgramCodePayload":{"encryptedData":"E","iv":"I","code":"TTCODE"},"options":{"scope":"openid"}}');
  assert.equal(ours[1].url, HOST + '/api/v3/decrypt-douyin-miniprogram-phone');
});

test('SM2 and RSA ciphertexts of this SDK decrypt with sm-crypto (mode 1) and node-forge, CJK and emoji as UTF-8', async (t) => {
  const root = codePackage();
  const { requests } = await scenario(t, root, 'miniapp-sdk', {});
  const sent = requests.filter((r) => /\/api\/v3\/(signin|update-password)$/.test(r.url)).map((r) => JSON.parse(r.body));
  const sm2Login = sent.find((b) => b.options && b.options.passwordEncryptType === 'sm2');
  assert.equal(smCrypto().doDecrypt(sm2Login.passwordPayload.password, SM2_KEYS.privateKey, 1), '口令 sm2');
  const rsaUpdate = sent.find((b) => b.passwordEncryptType === 'rsa');
  assert.equal(rsaUpdate.newPassword.length, 344, 'full-length 2048-bit RSA ciphertext');
  assert.equal(rsaDecrypt(rsaUpdate.newPassword), 'новый rsa');

  // Emoji: UTF-8 (f0 9f 98 80), where jsencrypt would send CESU-8 (ed a0 bd ed b8 80).
  const emoji = async (kind) => {
    const reqs = [];
    const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root, responder: (r) => { reqs.push(r); return server(r); }, login: () => 'C' });
    t.after(() => sim.close());
    const { Authing } = sim.require('miniapp-sdk');
    const a = new Authing({ appId: 'app1', userPoolId: 'pool1', host: HOST });
    const [err] = await a.loginByPassword({ passwordPayload: { password: 'a😀', username: 'u' }, options: { passwordEncryptType: kind } });
    assert.equal(err, null);
    return JSON.parse(reqs.find((r) => r.url.endsWith('/api/v3/signin')).body).passwordPayload.password;
  };
  const forge = require('node-forge');
  const key = forge.pki.privateKeyFromPem(fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', 'rsa-2048-private.pem'), 'utf8'));
  const rsaBytes = Buffer.from(key.decrypt(forge.util.decode64(await emoji('rsa')), 'RSAES-PKCS1-V1_5'), 'binary');
  assert.equal(rsaBytes.toString('hex'), '61f09f9880');
  assert.equal(smCrypto().doDecrypt(await emoji('sm2'), SM2_KEYS.privateKey, 1), 'a😀');
});

test('the emulator accepts the ciphertexts of both SDKs (RSA and SM2, CJK passwords)',
  { timeout: 15 * 60_000 }, async (t) => {
    const emu = await startEmulator(t);
    const cfg = await emu.admin('GET', '/__admin/config');
    const root = codePackage();
    const routed = (req) => hostSim.loopbackResponder()({ ...req, url: req.url.replace(HOST, emu.base) });
    for (const [i, [moduleId, options]] of [['miniapp-sdk', {}], ['@authing/miniapp-taro', { encryptFunction: officialEncryptFunction }]].entries()) {
      const password = `密码-${i}-口令`;
      await emu.admin('POST', '/__admin/users', { username: `user${i}`, password });
      const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root, responder: routed, login: hostSim.platformLogin(emu.base) });
      t.after(() => sim.close());
      const { Authing } = sim.require(moduleId);
      const a = new Authing({ appId: cfg.authing.appId, userPoolId: cfg.authing.userPoolId, host: HOST, ...options });
      for (const kind of ['rsa', 'sm2']) {
        const [err, state] = await a.loginByPassword({ passwordPayload: { password, username: `user${i}` }, options: { passwordEncryptType: kind } });
        assert.equal(err, null, `${moduleId} ${kind}: ${JSON.stringify(err)}`);
        assert.equal(typeof state.access_token, 'string');
      }
      const [bad] = await a.loginByPassword({ passwordPayload: { password: 'wrong', username: `user${i}` }, options: { passwordEncryptType: 'sm2' } });
      assert.equal(bad.statusCode, 403, `${moduleId}: a wrong password is refused`);
    }
  });
