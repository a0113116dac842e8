// Every WeChat-native (微信原生小程序) example page (tests/fixtures/examples/authing-wechat/, our
// own app code written as for @authing/miniapp-wx, one page per method of the API document) runs
// in the simulator's WeChat profile against the emulator with only its import line changed, and
// resolves `[null, data]` with the documented fields.
//
// The emulator runs with the examples' placeholder ids (AUTHING_APP_ID, 62e221xxxxxxxxxxx7037a39,
// AUTHING_EXT_IDP_CONN_IDENTIFIER) and the simulator routes their host
// (https://my-authing-app.example.com) to it, so the init example runs as written. The only other
// substitutions are values a developer must fill in: the phone `188xxxx8888` (not a number) and the
// SMS code `xxxx` (read from the emulator's SMS inbox).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PKG, hostSim, tmpDir } from './_helpers.mjs';
import {
  EXAMPLES_DIR, addImagePicker, changeImportLines, recordResults, routedResponder, startEmulator, wechatExample,
} from './authing-support.mjs';

const EXAMPLE_HOST = 'https://my-authing-app.example.com';
const EMULATOR_ARGS = ['--app-id', 'AUTHING_APP_ID', '--user-pool-id', '62e221xxxxxxxxxxx7037a39', '--wechat-idp', 'AUTHING_EXT_IDP_CONN_IDENTIFIER'];
const PHONE = '18800008888';
const METHODS = ['getLoginState', 'loginByCode', 'loginByPassword', 'sendSms', 'loginByPassCode', 'refreshToken', 'getPhone',
  'updatePassword', 'getUserInfo', 'updateAvatar', 'updateUserInfo', 'logout'];

function assertLoginState(s, label) {
  assert.equal(typeof s, 'object', label);
  for (const k of ['access_token', 'id_token', 'scope', 'token_type']) assert.equal(typeof s[k], 'string', `${label}: ${k}`);
  assert.equal(typeof s.expires_in, 'number', `${label}: expires_in`);
  assert.equal(typeof s.expires_at, 'number', `${label}: expires_at`);
  assert.ok(s.expires_at > Date.now() + 60_000, `${label}: expires_at is in ms, in the future`);
  assert.ok(Math.abs(s.expires_at - (Date.now() + s.expires_in * 1000)) < 120_000, `${label}: expires_at = expires_in * 1000 + now`);
}

test('there is a WeChat-native example page for each of the twelve methods, and the init example', () => {
  const files = fs.readdirSync(EXAMPLES_DIR).sort();
  assert.deepEqual(files, ['init.js', ...METHODS.map((m) => m + '.js')].sort());
  for (const m of METHODS) assert.ok(wechatExample(m).includes(`async ${m} (`), m);
  assert.ok(wechatExample('init').includes('new Authing('));
});

test('every WeChat-native example runs in the WeChat profile against the emulator and returns [null, data]',
  { timeout: 15 * 60_000 }, async (t) => {
    const emu = await startEmulator(t, EMULATOR_ARGS);
    await emu.admin('POST', '/__admin/users', { username: 'USER_NAME', password: 'USER_PASSWORD' });
    await emu.admin('POST', '/__admin/users', { phone: PHONE, password: 'USER_OLD_PASSWORD' });

    const initCode = changeImportLines(wechatExample('init'));
    const root = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir('authing-examples-') });
    const log = [];
    const sim = hostSim.createHost({
      profile: 'wechat-ios',
      packageRoot: root,
      responder: routedResponder(EXAMPLE_HOST, emu.base, log),
      login: hostSim.platformLogin(emu.base),
    });
    t.after(() => sim.close());
    const picks = [];
    addImagePicker(sim, picks);
    // What WeChat resolves for the app's own call in the loginByCode example.
    sim.wx.getUserProfile = () => Promise.resolve({ userInfo: { nickName: '微信用户' }, encryptedData: 'ZW5jcnlwdGVkRGF0YQ==', iv: 'aXYxMjM0NTY3ODkwMTIzNA==', errMsg: 'getUserProfile:ok' });
    const pages = [];
    sim.global.Page = (o) => { pages.push(o); };

    let n = 0;
    /** Lays out pages/<method>/index.js = the init example + the method's example, loads it, runs it. */
    async function run(method, event, substitutions = {}) {
      let code = wechatExample(method);
      for (const [from, to] of Object.entries(substitutions)) code = code.split(from).join(to);
      const file = `pages/${method}-${n++}/index.js`;
      fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), `${initCode}\n${code}\nmodule.exports = { authing }\n`);
      const before = pages.length;
      const exported = sim.require('/' + file);
      assert.equal(pages.length, before + 1, `${method}: the example registers a Page`);
      const results = [];
      recordResults(exported.authing, results);
      await pages[before][method](event);
      assert.equal(results.length, 1, `${method}: one SDK call`);
      const [r] = results;
      assert.equal(r.length, 2, `${method}: a tuple`);
      assert.equal(r.error, null, `${method}: ${JSON.stringify(r.error)}`);
      return r.data;
    }

    const login = await run('loginByPassword');
    assertLoginState(login, 'loginByPassword (sm2)');
    assert.equal(typeof login.refresh_token, 'string', 'offline_access gives a refresh token');
    assert.deepEqual(await run('getLoginState'), login);

    const user = await run('getUserInfo');
    assert.equal(typeof user.userId, 'string');
    assert.equal(user.username, 'USER_NAME');
    const updated = await run('updateUserInfo');
    assert.equal(updated.address, 'YOUR_ADDRESS');

    const avatar = await run('updateAvatar');
    assert.equal(avatar.code, 200);
    assert.equal(typeof avatar.message, 'string');
    assert.equal(typeof avatar.data.key, 'string');
    assert.match(avatar.data.url, /^https?:\/\//);
    assert.deepEqual(picks.map((p) => p.api), ['chooseMedia']);
    assert.equal((await run('getUserInfo')).photo, avatar.data.url, 'the uploaded avatar became the photo');

    const refreshed = await run('refreshToken');
    assertLoginState(refreshed, 'refreshToken');
    assert.notEqual(refreshed.access_token, login.access_token);
    assert.equal(await run('logout'), true);

    const sms = await run('sendSms', undefined, { '188xxxx8888': PHONE });
    assert.equal(sms.statusCode, 200);
    assert.equal(typeof sms.message, 'string');
    const inbox = await emu.admin('GET', `/__admin/sms?phone=${PHONE}`);
    const code = inbox.filter((m) => m.channel === 'CHANNEL_LOGIN').map((m) => m.code).pop();
    assert.ok(code, 'the emulator received the SMS');
    assertLoginState(await run('loginByPassCode', undefined, { '188xxxx8888': PHONE, "passCode: 'xxxx'": `passCode: '${code}'` }), 'loginByPassCode');

    const pw = await run('updatePassword');
    assert.equal(pw.statusCode, 200);
    assert.equal(typeof pw.message, 'string');
    // The SM2 ciphertext decrypted server-side: the new password works.
    const check = await fetch(emu.base + '/api/v3/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-authing-app-id': 'AUTHING_APP_ID' },
      body: JSON.stringify({ connection: 'PASSWORD', passwordPayload: { phone: PHONE, password: 'USER_NEW_PASSWORD' } }),
    }).then((r) => r.json());
    assert.equal(check.statusCode, 200, JSON.stringify(check));
    assert.equal(await run('logout'), true);

    assertLoginState(await run('loginByCode'), 'loginByCode');
    const phoneCode = await emu.platformCode('/__platform/wx/phone-code');
    const phone = await run('getPhone', { detail: { code: phoneCode } });
    for (const k of ['countryCode', 'phoneNumber', 'purePhoneNumber']) assert.equal(typeof phone[k], 'string', k);
    assert.equal(typeof phone.watermark.appid, 'string');
    assert.equal(typeof phone.watermark.timestamp, 'number');
    assert.equal(await run('logout'), true);

    assert.ok(log.length > 0 && log.every((r) => r.url.startsWith(EXAMPLE_HOST + '/')), 'every request went to the examples\' host');
    assert.equal(sim.stats.mathRandomCalls, 0, 'Math.random is never called');
  });
