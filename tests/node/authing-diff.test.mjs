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
import { ROOT, hostSim, require, rsaDecrypt, sm2 as smCrypto } from './_helpers.mjs';
import { addImagePicker, startEmulator } from './authing-support.mjs';
import { HOST, SM2_KEYS, codePackage, comparable, officialEncryptFunction, server } from './authing-diff-support.mjs';

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
