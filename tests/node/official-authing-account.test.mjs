// The official @authing/miniapp-taro@5.1.18, unmodified, against the local emulator: each of the
// seventeen public methods beyond the API document's twelve succeeds (WeChat realm, and the Douyin
// realm where the official package takes another path), and the emulator's error paths reach the
// package as its ErrorData. Setup shared with official-authing.test.mjs (official-authing-support.mjs).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildEmulator, startEmulator } from './_emulator.mjs';
import {
  BOUNDED, APP_ID, POOL, IDP, DOUYIN_IDP, OFFICIAL_VERSION, removeCodePackage, officialMiniProgram, sentTo,
  assertLoginState, SCOPE, plain,
} from './official-authing-support.mjs';

let emu;
before(async () => {
  await buildEmulator();
  emu = await startEmulator({ args: ['--sms-interval-secs', '0'] });
}, { timeout: 15 * 60_000 });
after(async () => {
  if (emu) await emu.stop();
  removeCodePackage();
});

const miniProgram = (t, opts) => officialMiniProgram(t, emu.url, opts);
const lastSent = (sim, prefix) => sentTo(sim, emu.url).filter((r) => r.path.startsWith(prefix)).pop();
const STATE_KEY = `authing:${APP_ID}:login-state`;

let seq = 0;
/** A fresh user seeded through the admin API, signed in with the official loginByPassword. */
async function signedIn(t, fields = {}, opts = {}) {
  seq++;
  const u = { username: `acct-${seq}`, password: `Initial#${seq}pw`, ...fields };
  u.created = await emu.admin('POST', '/__admin/users', u);
  const mp = miniProgram(t, opts);
  const [error, state] = await mp.authing.loginByPassword({ passwordPayload: { account: u.username, password: u.password }, options: { scope: SCOPE } });
  assert.equal(error, null, JSON.stringify(error));
  return { ...mp, u, state };
}

const uniquePhone = () => `1370000${String(++seq).padStart(4, '0')}`;
const latestEmail = async (email) => (await emu.admin('GET', `/__admin/email?email=${encodeURIComponent(email)}`))[0].code;
const latestSms = async (phone) => (await emu.admin('GET', `/__admin/sms?phone=${phone}`))[0].code;

/** The documented ErrorData of a server refusal. */
function assertRefused(error, data, statusCode) {
  assert.ok(error, 'an error');
  assert.equal(data, undefined);
  assert.equal(error.statusCode, statusCode, JSON.stringify(error));
  assert.equal(typeof error.message, 'string');
}

/** The standard headers the official package adds, and the signed-in headers. */
function assertSignedInRequest(req, state) {
  assert.equal(req.method, 'POST');
  assert.equal(req.header['x-authing-userpool-id'], POOL);
  assert.equal(req.header.authorization, state.access_token, 'raw access token, no Bearer');
  assert.equal(req.header['x-authing-request-from'], 'sdk-miniapp');
  assert.equal(req.header['x-authing-sdk-version'], OFFICIAL_VERSION);
}

test('clearLoginState, saveLoginState, getLoginCode, getPublicKey', BOUNDED, async (t) => {
  const { sim, authing, state } = await signedIn(t);
  assertLoginState(state);
  const before = sim.stats.requests.length;

  const [e1, cleared] = await authing.clearLoginState();
  assert.equal(e1, null);
  assert.equal(cleared, true);
  assert.equal(sim.storage.get(STATE_KEY), undefined);
  const [noState] = await authing.getLoginState();
  assert.ok(noState, 'no login state after clearLoginState');

  // saveLoginState resolves the plain state (not a tuple) with expires_at recomputed
  const saved = await authing.saveLoginState({ ...plain(state), expires_at: 1 });
  assert.ok(!Array.isArray(saved));
  assert.equal(saved.access_token, state.access_token);
  assert.ok(Math.abs(saved.expires_at - Date.now() - state.expires_in * 1000) < 60_000);
  const [e2, again] = await authing.getLoginState();
  assert.equal(e2, null);
  assert.equal(again.access_token, state.access_token);
  assert.equal(sim.stats.requests.length, before, 'no request for the local three');

  // getLoginCode: a fresh wx.login code, live at the platform stand-in
  const code = await authing.getLoginCode();
  assert.equal(typeof code, 'string');
  assert.ok(code.length > 8);
  const enc = await emu.admin('POST', '/__platform/wx/encrypted-data', { code });
  assert.equal(typeof enc.encryptedData, 'string');

  // getPublicKey: the keys of /api/v3/system
  const system = await fetch(`${emu.url}/api/v3/system`).then((r) => r.json());
  const [e3, rsa] = await authing.getPublicKey('rsa');
  assert.equal(e3, null);
  assert.equal(rsa, system.rsa.publicKey);
  assert.match(rsa, /^-----BEGIN PUBLIC KEY-----/);
  const [e4, sm2] = await authing.getPublicKey('sm2');
  assert.equal(e4, null);
  assert.equal(sm2, system.sm2.publicKey);
  const req = lastSent(sim, '/api/v3/system');
  assert.equal(req.method, 'GET');
});

for (const profile of ['wechat-ios', 'douyin']) {
  test(`loginByPhone (${profile}): finds the user holding the vouched phone, or creates one`, BOUNDED, async (t) => {
    const phone = uniquePhone();
    const seeded = await emu.admin('POST', '/__admin/users', { username: `phone-${seq}`, phone, password: 'Passw0rd!' });
    const login = async (number, user) => {
      const { sim, authing } = miniProgram(t, { profile, user });
      let args;
      if (profile === 'douyin') {
        const pc = await emu.admin('POST', '/__platform/tt/phone-code', { user, phoneNumber: number });
        args = { extIdpConnidentifier: DOUYIN_IDP, miniProgramCodeAndPhonePayload: { phoneParams: { encryptedData: pc.encryptedData, iv: pc.iv } }, options: { scope: SCOPE } };
      } else {
        const pc = await emu.admin('POST', '/__platform/wx/phone-code', { user, phoneNumber: number });
        args = { extIdpConnidentifier: IDP, wechatMiniProgramCodeAndPhonePayload: { wxPhoneInfo: { code: pc.code } }, options: { scope: SCOPE } };
      }
      const [error, state] = await authing.loginByPhone(args);
      assert.equal(error, null, JSON.stringify(error));
      assertLoginState(state, { scope: SCOPE });
      const body = JSON.parse(lastSent(sim, '/api/v3/signin-by-mobile').body);
      assert.equal(body.connection, profile === 'douyin' ? 'douyin_mini_program_code_and_phone' : 'wechat_mini_program_code_and_phone');
      const [e2, info] = await authing.getUserInfo();
      assert.equal(e2, null, JSON.stringify(e2));
      return info;
    };
    const found = await login(phone, `lbp-${profile}-${seq}`);
    assert.equal(found.userId, seeded.userId, 'found by phone');
    const other = uniquePhone();
    const created = await login(other, `lbp-new-${profile}-${seq}`);
    assert.notEqual(created.userId, seeded.userId);
    assert.equal(created.phone, other, 'created with the phone');
    // A used phone code is refused, as the ErrorData of the package.
    const { authing } = miniProgram(t, { profile, user: 'lbp-reuse' });
    const pc = profile === 'douyin'
      ? await emu.admin('POST', '/__platform/tt/phone-code', { phoneNumber: other })
      : await emu.admin('POST', '/__platform/wx/phone-code', { phoneNumber: other });
    const args = profile === 'douyin'
      ? { extIdpConnidentifier: DOUYIN_IDP, miniProgramCodeAndPhonePayload: { phoneParams: { encryptedData: pc.encryptedData, iv: pc.iv } } }
      : { extIdpConnidentifier: IDP, wechatMiniProgramCodeAndPhonePayload: { wxPhoneInfo: { code: pc.code } } };
    const [ok1] = await authing.loginByPhone(args);
    assert.equal(ok1, null);
    await authing.clearLoginState();
    const [reused, none] = await authing.loginByPhone(args);
    assertRefused(reused, none, 400);
  });
}

test('sendEmailCode, bindEmail, updateEmailRequest, updateEmail', BOUNDED, async (t) => {
  const { sim, authing, state } = await signedIn(t);
  const email = `official-${seq}@example.com`;
  const [e1, sent] = await authing.sendEmailCode({ email, channel: 'CHANNEL_BIND_EMAIL' });
  assert.equal(e1, null, JSON.stringify(e1));
  assert.equal(typeof sent, 'object');
  const req = lastSent(sim, '/api/v3/send-email');
  assert.equal(req.header['x-authing-userpool-id'], POOL);
  assert.deepEqual(JSON.parse(req.body), { email, channel: 'CHANNEL_BIND_EMAIL' });

  const [wrong, none] = await authing.bindEmail({ email, passCode: '000000x' });
  assertRefused(wrong, none, 400);
  const [e2, bound] = await authing.bindEmail({ email, passCode: await latestEmail(email) });
  assert.equal(e2, null, JSON.stringify(e2));
  assert.equal(bound.success, true);
  assertSignedInRequest(lastSent(sim, '/api/v3/bind-email'), state);
  let [, info] = await authing.getUserInfo();
  assert.equal(info.email, email);

  // update: prove the new and the old address, then redeem the token
  const newEmail = `official-${seq}-new@example.com`;
  await authing.sendEmailCode({ email: newEmail, channel: 'CHANNEL_UPDATE_EMAIL' });
  const newCode = await latestEmail(newEmail);
  await authing.sendEmailCode({ email, channel: 'CHANNEL_UPDATE_EMAIL' });
  const oldCode = await latestEmail(email);
  const [e3, verified] = await authing.updateEmailRequest({
    verifyMethod: 'EMAIL_PASSCODE',
    emailPassCodePayload: { newEmail, newEmailPassCode: newCode, oldEmail: email, oldEmailPassCode: oldCode },
  });
  assert.equal(e3, null, JSON.stringify(e3));
  assert.equal(typeof verified.updateEmailToken, 'string');
  assert.ok(verified.tokenExpiresIn > 0);
  assertSignedInRequest(lastSent(sim, '/api/v3/verify-update-email-request'), state);
  const [e4, updated] = await authing.updateEmail({ updateEmailToken: verified.updateEmailToken });
  assert.equal(e4, null, JSON.stringify(e4));
  assert.equal(updated.success, true);
  assert.deepEqual(JSON.parse(lastSent(sim, '/api/v3/update-email').body), { updateEmailToken: verified.updateEmailToken });
  [, info] = await authing.getUserInfo();
  assert.equal(info.email, newEmail);
  // the token is single use
  const [reused, none2] = await authing.updateEmail({ updateEmailToken: verified.updateEmailToken });
  assertRefused(reused, none2, 400);
});

test('bindPhone, updatePhoneRequest, updatePhone; conflict when another user holds the phone', BOUNDED, async (t) => {
  const { sim, authing, state } = await signedIn(t);
  const taken = uniquePhone();
  await emu.admin('POST', '/__admin/users', { username: `holder-${seq}`, phone: taken, password: 'Passw0rd!' });
  await authing.sendSms({ phoneNumber: taken, channel: 'CHANNEL_BIND_PHONE' });
  const [conflict, none] = await authing.bindPhone({ phoneNumber: taken, passCode: await latestSms(taken) });
  assertRefused(conflict, none, 409);

  const phone = uniquePhone();
  await authing.sendSms({ phoneNumber: phone, channel: 'CHANNEL_BIND_PHONE' });
  const [e1, bound] = await authing.bindPhone({ phoneNumber: phone, passCode: await latestSms(phone) });
  assert.equal(e1, null, JSON.stringify(e1));
  assert.equal(bound.success, true);
  const req = lastSent(sim, '/api/v3/bind-phone');
  assertSignedInRequest(req, state);
  assert.equal(JSON.parse(req.body).phoneCountryCode, undefined, 'the official adds no +86 here');

  const newPhone = uniquePhone();
  await authing.sendSms({ phoneNumber: newPhone, channel: 'CHANNEL_BIND_PHONE' });
  const newCode = await latestSms(newPhone);
  await authing.sendSms({ phoneNumber: phone, channel: 'CHANNEL_UNBIND_PHONE' });
  const oldCode = await latestSms(phone);
  const [e2, verified] = await authing.updatePhoneRequest({
    verifyMethod: 'PHONE_PASSCODE',
    phonePassCodePayload: { newPhoneNumber: newPhone, newPhonePassCode: newCode, oldPhoneNumber: phone, oldPhonePassCode: oldCode },
  });
  assert.equal(e2, null, JSON.stringify(e2));
  assert.equal(typeof verified.updatePhoneToken, 'string');
  assertSignedInRequest(lastSent(sim, '/api/v3/verify-update-phone-request'), state);
  const [e3, updated] = await authing.updatePhone({ updatePhoneToken: verified.updatePhoneToken });
  assert.equal(e3, null, JSON.stringify(e3));
  assert.equal(updated.success, true);
  const [, info] = await authing.getUserInfo();
  assert.equal(info.phone, newPhone);
  const [bogus, none2] = await authing.updatePhone({ updatePhoneToken: 'not-a-token' });
  assertRefused(bogus, none2, 400);
});

test('deleteAccountRequest, deleteAccount: the account and its tokens are gone', BOUNDED, async (t) => {
  const { sim, authing, state, u } = await signedIn(t);
  const [wrong, none] = await authing.deleteAccountRequest({ verifyMethod: 'PASSWORD', passwordPayload: { password: 'wrong' } });
  assertRefused(wrong, none, 403);
  const [e1, verified] = await authing.deleteAccountRequest({ verifyMethod: 'PASSWORD', passwordPayload: { password: u.password } });
  assert.equal(e1, null, JSON.stringify(e1));
  assert.equal(typeof verified.deleteAccountToken, 'string');
  assertSignedInRequest(lastSent(sim, '/api/v3/verify-delete-account-request'), state);
  const [e2, deleted] = await authing.deleteAccount({ deleteAccountToken: verified.deleteAccountToken });
  assert.equal(e2, null, JSON.stringify(e2));
  assert.equal(deleted.success, true);
  assertSignedInRequest(lastSent(sim, '/api/v3/delete-account'), state);
  // 5.1.18 keeps the deleted user's state stored; the server refuses its token
  assert.ok(sim.storage.get(STATE_KEY), 'the official package did not clear the state');
  const [gone, none2] = await authing.getUserInfo();
  assertRefused(gone, none2, 401);
  const [again, none3] = await authing.deleteAccount({ deleteAccountToken: verified.deleteAccountToken });
  assertRefused(again, none3, 401);
  const [relogin, none4] = await authing.loginByPassword({ passwordPayload: { account: u.username, password: u.password } });
  assert.ok(relogin);
  assert.equal(none4, undefined);
  const users = await emu.admin('GET', '/__admin/users');
  assert.ok(!users.some((x) => x.userId === u.created.userId));
});

for (const profile of ['wechat-ios', 'douyin']) {
  test(`bindWxByCode / bindPlatformByCode (${profile}): the platform identity joins the signed-in user`, BOUNDED, async (t) => {
    const platform = profile === 'douyin' ? 'tt' : 'wx';
    const user = `binder-${profile}-${seq + 1}`;
    const { sim, authing, state } = await signedIn(t, {}, { profile, user });
    const method = profile === 'douyin' ? 'bindPlatformByCode' : 'bindWxByCode';
    const [e1, data] = await authing[method]({ extIdpConnidentifier: profile === 'douyin' ? DOUYIN_IDP : IDP });
    assert.equal(e1, null, JSON.stringify(e1));
    const path = profile === 'douyin' ? '/connections/social/douyin-miniprogram/bind' : '/connections/social/wechat-miniprogram/bind';
    const req = lastSent(sim, path);
    assertSignedInRequest(req, state);
    assert.equal(typeof JSON.parse(req.body).code, 'string', 'a fresh login code');
    const { openid } = await emu.admin('GET', `/__platform/identity?platform=${platform}&user=${user}`);
    assert.ok(data.identities.some((i) => i.userIdInIdp === openid), JSON.stringify(data.identities));
    if (profile === 'wechat-ios') {
      // bindPlatformByCode on WeChat takes the same path
      const [e2] = await authing.bindPlatformByCode({});
      assert.equal(e2, null, JSON.stringify(e2));
      assert.ok(lastSent(sim, '/connections/social/wechat-miniprogram/bind'));
    }
    // another user of the same device account: conflict
    const other = await signedIn(t, {}, { profile, user });
    const [conflict, none] = await other.authing[method]({});
    assertRefused(conflict, none, 409);
    // signing in with the platform code now finds the binder
    const fresh = miniProgram(t, { profile, user });
    const [e3] = await fresh.authing.loginByCode({ extIdpConnidentifier: profile === 'douyin' ? DOUYIN_IDP : IDP });
    assert.equal(e3, null, JSON.stringify(e3));
    const [, info] = await fresh.authing.getUserInfo();
    const [, mine] = await authing.getUserInfo();
    assert.equal(info.userId, mine.userId);
  });

  test(`decryptData (${profile}): open data encrypted with the session key of getLoginCode's code`, BOUNDED, async (t) => {
    const platform = profile === 'douyin' ? 'tt' : 'wx';
    const user = `decrypt-${profile}`;
    const { sim, authing } = miniProgram(t, { profile, user });
    const extIdpConnidentifier = profile === 'douyin' ? DOUYIN_IDP : IDP;
    const code = await authing.getLoginCode();
    const { encryptedData, iv } = await emu.admin('POST', `/__platform/${platform}/encrypted-data`, { code, data: { nickName: '小程序用户' } });
    const [error, data] = await authing.decryptData({ extIdpConnidentifier, encryptedData, iv, code });
    assert.equal(error, null, JSON.stringify(error));
    const { openid } = await emu.admin('GET', `/__platform/identity?platform=${platform}&user=${user}`);
    assert.equal(data.openId, openid);
    assert.equal(data.nickName, '小程序用户');
    assert.equal(typeof data.watermark.appid, 'string');
    const req = lastSent(sim, profile === 'douyin' ? '/api/v3/decrypt-douyin-miniprogram-data' : '/api/v3/decrypt-wechat-miniprogram-data');
    assert.equal(req.header['x-authing-userpool-id'], POOL);
    assert.equal(req.header.authorization, undefined, 'no login gate, no token');
    assert.deepEqual(JSON.parse(req.body), { extIdpConnidentifier, encryptedData, iv, code });
    // the code is single use; another code's key does not open the data
    const [reused, none] = await authing.decryptData({ extIdpConnidentifier, encryptedData, iv, code });
    assertRefused(reused, none, 400);
    const [wrongKey, none2] = await authing.decryptData({ extIdpConnidentifier, encryptedData, iv, code: await authing.getLoginCode() });
    assertRefused(wrongKey, none2, 400);
  });
}
