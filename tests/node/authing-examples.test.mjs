// Every WeChat-native (微信原生小程序) example page (tests/fixtures/examples/authing-wechat/, our
// own app code written as for @authing/miniapp-wx, one page per method of the API document) runs
// in the simulator's WeChat profile against the emulator with only its import line changed, and
// resolves `[null, data]` with the documented fields. The same holds for the pages of the 17 other
// methods (tests/fixtures/examples/authing-account/, one per method, the README's examples), run
// as one user's story: phone login, state cleared and saved, email and phone bound and changed,
// WeChat identity linked, open data decrypted, account deleted.
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
  DOCUMENTED_METHODS, EXAMPLES_DIR, addImagePicker, changeImportLines, recordResults, routedResponder, startEmulator, wechatExample,
} from './authing-support.mjs';
import { FIXTURES } from './_helpers.mjs';

const ACCOUNT_DIR = path.join(FIXTURES, 'examples', 'authing-account');
const ACCOUNT_METHODS = ['clearLoginState', 'saveLoginState', 'getLoginCode', 'getPublicKey', 'loginByPhone', 'sendEmailCode', 'bindEmail',
  'updateEmailRequest', 'updateEmail', 'bindPhone', 'updatePhoneRequest', 'updatePhone', 'deleteAccountRequest', 'deleteAccount',
  'bindWxByCode', 'bindPlatformByCode', 'decryptData'];
const accountExample = (m) => fs.readFileSync(path.join(ACCOUNT_DIR, m + '.js'), 'utf8');

const EXAMPLE_HOST = 'https://my-authing-app.example.com';
const EMULATOR_ARGS = ['--app-id', 'AUTHING_APP_ID', '--user-pool-id', '62e221xxxxxxxxxxx7037a39', '--wechat-idp', 'AUTHING_EXT_IDP_CONN_IDENTIFIER'];
const PHONE = '18800008888';
const METHODS = DOCUMENTED_METHODS;

/**
 * A WeChat code package whose pages are the examples: `run(method, code, event)` lays out
 * pages/<method>-<n>/index.js = the init example + `code`, loads it, calls the page's `method`
 * with `this` the page (its `data`/`setData` shared by the pages, as the two-step flows need) and
 * returns the one SDK result it recorded. `sdk` is the first page's instance, for the checks.
 */
function exampleApp(t, emu, { login, tmpPrefix }) {
  const initCode = changeImportLines(wechatExample('init'));
  const root = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir(tmpPrefix) });
  const log = [];
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root, responder: routedResponder(EXAMPLE_HOST, emu.base, log), login });
  t.after(() => sim.close());
  const pages = [];
  sim.global.Page = (o) => { pages.push(o); };
  const data = {};
  const app = { sim, log, data, sdk: null };
  let n = 0;
  app.run = async (method, code, event) => {
    const file = `pages/${method}-${n++}/index.js`;
    fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), `${initCode}\n${code}\nmodule.exports = { authing }\n`);
    const before = pages.length;
    const exported = sim.require('/' + file);
    app.sdk = app.sdk || exported.authing;
    assert.equal(pages.length, before + 1, `${method}: the example registers a Page`);
    const results = [];
    recordResults(exported.authing, results, [...METHODS, ...ACCOUNT_METHODS]);
    const page = pages[before];
    page.data = data;
    page.setData = (o) => Object.assign(data, o);
    await page[method](event);
    assert.equal(results.length, 1, `${method}: one SDK call`);
    return results[0];
  };
  return app;
}

/** The example code of `method` with the placeholders of `substitutions` filled in. */
function filled(code, substitutions = {}) {
  for (const [from, to] of Object.entries(substitutions)) code = code.split(from).join(to);
  return code;
}

/** A `[null, data]` result's data. */
function dataOf(method, r) {
  assert.equal(r.length, 2, `${method}: a tuple`);
  assert.equal(r.error, null, `${method}: ${JSON.stringify(r.error)}`);
  return r.data;
}

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

    const { sim, log, run: runPage } = exampleApp(t, emu, { login: hostSim.platformLogin(emu.base), tmpPrefix: 'authing-examples-' });
    const picks = [];
    addImagePicker(sim, picks);
    // What WeChat resolves for the app's own call in the loginByCode example.
    sim.wx.getUserProfile = () => Promise.resolve({ userInfo: { nickName: '微信用户' }, encryptedData: 'ZW5jcnlwdGVkRGF0YQ==', iv: 'aXYxMjM0NTY3ODkwMTIzNA==', errMsg: 'getUserProfile:ok' });
    const run = async (method, event, substitutions) => dataOf(method, await runPage(method, filled(wechatExample(method), substitutions), event));

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

test('there is a WeChat-native example page for each of the 17 other methods, each calling it once', () => {
  assert.equal(ACCOUNT_METHODS.length, 17);
  assert.equal(new Set([...METHODS, ...ACCOUNT_METHODS]).size, 29);
  assert.deepEqual(fs.readdirSync(ACCOUNT_DIR).sort(), ACCOUNT_METHODS.map((m) => m + '.js').sort());
  for (const m of ACCOUNT_METHODS) {
    const code = accountExample(m);
    assert.ok(code.includes(`async ${m} (`), m);
    assert.equal(code.split(`authing.${m}(`).length, 2, `${m}: one call`);
  }
});

test('the README lists all 29 methods and shows a call of each of the 17', () => {
  const readme = fs.readFileSync(path.join(FIXTURES, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- authing:start -->'), readme.indexOf('<!-- authing:end -->'));
  assert.ok(section.length > 1000);
  for (const m of METHODS) assert.ok(section.includes('`' + m + '`'), m);
  for (const m of ACCOUNT_METHODS) assert.match(section, new RegExp(`await authing\\.${m}\\(`), m);
  assert.match(section, /\(29\/29\)/);
});

test('every example of the 17 other methods runs in the WeChat profile against the emulator, one user\'s story',
  { timeout: 15 * 60_000 }, async (t) => {
    const emu = await startEmulator(t, [...EMULATOR_ARGS, '--sms-interval-secs', '0']);
    await emu.admin('POST', '/__admin/users', { username: 'USER_NAME', password: 'USER_PASSWORD' });
    // Two WeChat accounts on this phone: the first signs up by phone, the second is linked later.
    const logins = { first: hostSim.platformLogin(emu.base, { user: 'example-first' }), second: hostSim.platformLogin(emu.base, { user: 'example-second' }) };
    let device = 'first';
    const app = exampleApp(t, emu, { login: (...args) => logins[device](...args), tmpPrefix: 'authing-account-examples-' });
    const { sim, log, data } = app;
    /** Runs the example page of `method` (of the twelve's folder with `dir: 'wechat'`); its data, or the plain value. */
    async function run(method, { event, substitutions, dir = 'account' } = {}) {
      const r = await app.run(method, filled(dir === 'account' ? accountExample(method) : wechatExample(method), substitutions), event);
      return 'plain' in r ? r.plain : dataOf(method, r);
    }
    const latestEmail = async (email, channel) => (await emu.admin('GET', `/__admin/email?email=${encodeURIComponent(email)}`)).find((m) => m.channel === channel).code;
    const latestSms = async (phone, channel) => (await emu.admin('GET', `/__admin/sms?phone=${phone}`)).find((m) => m.channel === channel).code;

    const system = await fetch(emu.base + '/api/v3/system').then((r) => r.json());
    assert.equal(await run('getPublicKey'), system.rsa.publicKey);

    // loginByPhone: the phone-number button's code for a phone nobody has yet signs a new user up
    const PHONE0 = '13600006666';
    const phoneCode = await emu.platformCode('/__platform/wx/phone-code', { user: 'example-first', phoneNumber: PHONE0 });
    const byPhone = await run('loginByPhone', { event: { detail: { code: phoneCode } } });
    assertLoginState(byPhone, 'loginByPhone');
    assert.equal((await app.sdk.getUserInfo())[1].phone, PHONE0);
    assert.equal(await run('clearLoginState'), true);
    assert.equal((await app.sdk.getLoginState())[0].code, 'NOT_LOGGED_IN');
    data.tokenSet = { ...byPhone, expires_at: undefined };
    const saved = await run('saveLoginState');
    assertLoginState(saved, 'saveLoginState');
    assert.equal((await app.sdk.getLoginState())[1].access_token, byPhone.access_token);
    assert.equal(await run('clearLoginState'), true);

    // the account flows, as USER_NAME (no email, no phone yet)
    assertLoginState(await run('loginByPassword', { dir: 'wechat' }), 'loginByPassword');
    const me = (await app.sdk.getUserInfo())[1];
    assert.equal(me.username, 'USER_NAME');
    const EMAIL = 'YOUR_EMAIL@example.com';
    const NEW_EMAIL = 'NEW_EMAIL@example.com';
    assert.equal(typeof (await run('sendEmailCode')), 'object');
    assert.equal((await run('bindEmail', { substitutions: { EMAIL_PASS_CODE: await latestEmail(EMAIL, 'CHANNEL_BIND_EMAIL') } })).success, true);
    assert.equal((await app.sdk.getUserInfo())[1].email, EMAIL);
    await run('sendEmailCode', { substitutions: { CHANNEL_BIND_EMAIL: 'CHANNEL_UPDATE_EMAIL' } });
    await run('sendEmailCode', { substitutions: { CHANNEL_BIND_EMAIL: 'CHANNEL_UPDATE_EMAIL', [EMAIL]: NEW_EMAIL } });
    const verified = await run('updateEmailRequest', { substitutions: {
      NEW_EMAIL_PASS_CODE: await latestEmail(NEW_EMAIL, 'CHANNEL_UPDATE_EMAIL'),
      OLD_EMAIL_PASS_CODE: await latestEmail(EMAIL, 'CHANNEL_UPDATE_EMAIL'),
    } });
    assert.equal(typeof verified.updateEmailToken, 'string');
    assert.equal(data.updateEmailToken, verified.updateEmailToken);
    assert.equal((await run('updateEmail')).success, true);
    assert.equal((await app.sdk.getUserInfo())[1].email, NEW_EMAIL);

    const PHONE1 = '13900009999';
    const PHONE2 = '13700007777';
    const phones = { '139xxxx9999': PHONE1, '137xxxx7777': PHONE2 };
    await app.sdk.sendSms({ phoneNumber: PHONE1, channel: 'CHANNEL_BIND_PHONE' });
    assert.equal((await run('bindPhone', { substitutions: { ...phones, SMS_PASS_CODE: await latestSms(PHONE1, 'CHANNEL_BIND_PHONE') } })).success, true);
    assert.equal((await app.sdk.getUserInfo())[1].phone, PHONE1);
    await app.sdk.sendSms({ phoneNumber: PHONE2, channel: 'CHANNEL_BIND_PHONE' });
    await app.sdk.sendSms({ phoneNumber: PHONE1, channel: 'CHANNEL_UNBIND_PHONE' });
    const phoneToken = await run('updatePhoneRequest', { substitutions: {
      ...phones,
      NEW_SMS_PASS_CODE: await latestSms(PHONE2, 'CHANNEL_BIND_PHONE'),
      OLD_SMS_PASS_CODE: await latestSms(PHONE1, 'CHANNEL_UNBIND_PHONE'),
    } });
    assert.equal(data.updatePhoneToken, phoneToken.updatePhoneToken);
    assert.equal((await run('updatePhone')).success, true);
    assert.equal((await app.sdk.getUserInfo())[1].phone, PHONE2);

    // the second WeChat account (the first one is the phone user's now) joins USER_NAME
    device = 'second';
    const linked = await run('bindWxByCode');
    const { openid } = await emu.admin('GET', '/__platform/identity?platform=wx&user=example-second');
    assert.ok(linked.identities.some((i) => i.userIdInIdp === openid), JSON.stringify(linked.identities));
    assert.ok((await run('bindPlatformByCode')).identities.some((i) => i.userIdInIdp === openid), 'the same identity again: a no-op');

    const code = await run('getLoginCode');
    assert.equal(typeof code, 'string');
    assert.equal(data.loginCode, code);
    const open = await emu.admin('POST', '/__platform/wx/encrypted-data', { code, data: { nickName: '微信用户' } });
    const decrypted = await run('decryptData', { event: { detail: { encryptedData: open.encryptedData, iv: open.iv } } });
    assert.equal(decrypted.openId, openid);
    assert.equal(decrypted.nickName, '微信用户');

    assert.equal(typeof (await run('deleteAccountRequest')).deleteAccountToken, 'string');
    assert.equal((await run('deleteAccount')).success, true);
    assert.equal((await app.sdk.getLoginState())[0].code, 'NOT_LOGGED_IN', 'the state went with the account');
    assert.ok(!(await emu.admin('GET', '/__admin/users')).some((u) => u.userId === me.userId), 'USER_NAME is gone');

    assert.ok(log.every((r) => r.url.startsWith(EXAMPLE_HOST + '/')), 'every request went to the examples\' host');
    assert.equal(sim.stats.mathRandomCalls, 0, 'Math.random is never called');
  });
