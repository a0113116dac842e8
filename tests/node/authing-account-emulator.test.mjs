// This SDK's 17 extra Authing methods end to end against the emulator (WeChat realm, Douyin where
// the path differs), including the error paths: wrong code, expired pass code and verify token
// (the emulator's clock moved with POST /__admin/clock, never a sleep), reused token, conflict,
// deleted account.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PKG, hostSim, tmpDir } from './_helpers.mjs';
import { buildEmulator, startEmulator } from './_emulator.mjs';

const APP_ID = 'dev-app';
const POOL = 'dev-pool';
const SCOPE = 'openid profile offline_access';
let emu;
let root;
before(async () => {
  await buildEmulator();
  emu = await startEmulator({ args: ['--sms-interval-secs', '0'] });
  root = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir('authing-account-emu-'), files: {} });
}, { timeout: 15 * 60_000 });
after(async () => {
  if (emu) await emu.stop();
});

let seq = 0;
function miniProgram(t, { profile = 'wechat-ios', user = `ours-${++seq}` } = {}) {
  const platform = profile === 'douyin' ? 'tt' : 'wx';
  const sim = hostSim.createHost({ profile, packageRoot: root, responder: hostSim.loopbackResponder(), login: hostSim.platformLogin(emu.url, { platform, user }) });
  t.after(() => sim.close());
  const { Authing } = sim.require('miniapp-sdk');
  return { sim, user, authing: new Authing({ appId: APP_ID, userPoolId: POOL, host: emu.url, platform }) };
}

async function signedIn(t, opts) {
  seq++;
  const u = { username: `ours-acct-${seq}`, password: `Initial#${seq}pw` };
  u.created = await emu.admin('POST', '/__admin/users', u);
  const mp = miniProgram(t, opts);
  const [error] = await mp.authing.loginByPassword({ passwordPayload: { account: u.username, password: u.password }, options: { scope: SCOPE } });
  assert.equal(error, null, JSON.stringify(error));
  return { ...mp, u };
}

const uniquePhone = () => `1350000${String(++seq).padStart(4, '0')}`;
const latestEmail = async (email) => (await emu.admin('GET', `/__admin/email?email=${encodeURIComponent(email)}`))[0].code;
const latestSms = async (phone) => (await emu.admin('GET', `/__admin/sms?phone=${phone}`))[0].code;
/** Moves the emulator's clock forward (every later answer's `Date` says so too). */
const advance = (ms) => emu.admin('POST', '/__admin/clock', { advanceMs: ms });

/** A server refusal as this SDK reports it: `[{code: 'SERVER', statusCode, message, ...}, undefined]`. */
function assertRefused([error, data], statusCode, message) {
  assert.ok(error, 'an error');
  assert.equal(data, undefined);
  assert.equal(error.code, 'SERVER', JSON.stringify(error));
  assert.equal(error.statusCode, statusCode, JSON.stringify(error));
  if (message) assert.match(error.message, message);
}

for (const profile of ['wechat-ios', 'douyin']) {
  test(`loginByPhone (${profile}) signs in the user of the vouched phone; a used code is refused`, { timeout: 60_000 }, async (t) => {
    const phone = `1360000${String(++seq).padStart(4, '0')}`;
    const seeded = await emu.admin('POST', '/__admin/users', { username: `ours-phone-${seq}`, phone, password: 'Passw0rd!' });
    const { authing, user } = miniProgram(t, { profile });
    const args = async () => {
      if (profile === 'douyin') {
        const pc = await emu.admin('POST', '/__platform/tt/phone-code', { user, phoneNumber: phone });
        return { extIdpConnidentifier: 'dev-douyin', miniProgramCodeAndPhonePayload: { phoneParams: { encryptedData: pc.encryptedData, iv: pc.iv } }, options: { scope: SCOPE } };
      }
      const pc = await emu.admin('POST', '/__platform/wx/phone-code', { user, phoneNumber: phone });
      return { extIdpConnidentifier: 'dev-wechat', wechatMiniProgramCodeAndPhonePayload: { wxPhoneInfo: { code: pc.code } }, options: { scope: SCOPE } };
    };
    const first = await args();
    const [error, state] = await authing.loginByPhone(first);
    assert.equal(error, null, JSON.stringify(error));
    assert.equal(typeof state.access_token, 'string');
    const [, info] = await authing.getUserInfo();
    assert.equal(info.userId, seeded.userId);
    // Logged out, the same (used) phone code is refused by the server.
    await authing.clearLoginState();
    const [reused, none] = await authing.loginByPhone(first);
    assert.ok(reused, 'a used phone code is refused');
    assert.equal(none, undefined);
    assert.equal(reused.code, 'SERVER');
  });
}

test('sendEmailCode and bindEmail: a wrong code is refused, the right one binds, a taken address conflicts', { timeout: 60_000 }, async (t) => {
  const { authing } = await signedIn(t);
  const email = `ours-${seq}@example.com`;
  const [e1] = await authing.sendEmailCode({ email, channel: 'CHANNEL_BIND_EMAIL' });
  assert.equal(e1, null, JSON.stringify(e1));
  const [wrong] = await authing.bindEmail({ email, passCode: '000000x' });
  assert.equal(wrong && wrong.code, 'SERVER');
  const code = (await emu.admin('GET', `/__admin/email?email=${encodeURIComponent(email)}`))[0].code;
  const [e2] = await authing.bindEmail({ email, passCode: code });
  assert.equal(e2, null, JSON.stringify(e2));
  const [, info] = await authing.getUserInfo();
  assert.equal(info.email, email);
  const other = await signedIn(t);
  await other.authing.sendEmailCode({ email, channel: 'CHANNEL_BIND_EMAIL' });
  const code2 = (await emu.admin('GET', `/__admin/email?email=${encodeURIComponent(email)}`))[0].code;
  const [conflict] = await other.authing.bindEmail({ email, passCode: code2 });
  assert.ok(conflict, 'an address another user holds is refused');
});

test('deleteAccountRequest (RSA-encrypted password) and deleteAccount: the state is cleared, the account gone', { timeout: 60_000 }, async (t) => {
  const { authing, u } = await signedIn(t);
  const [wrong] = await authing.deleteAccountRequest({ verifyMethod: 'PASSWORD', passwordPayload: { password: 'wrong' } });
  assert.equal(wrong && wrong.code, 'SERVER');
  const [e1, verified] = await authing.deleteAccountRequest({ verifyMethod: 'PASSWORD', passwordPayload: { password: u.password, passwordEncryptType: 'rsa' } });
  assert.equal(e1, null, JSON.stringify(e1));
  assert.equal(typeof verified.deleteAccountToken, 'string');
  const [e2] = await authing.deleteAccount({ deleteAccountToken: verified.deleteAccountToken });
  assert.equal(e2, null, JSON.stringify(e2));
  const [gone] = await authing.getLoginState();
  assert.equal(gone.code, 'NOT_LOGGED_IN', 'the deleted user\'s state is cleared');
  const again = miniProgram(t);
  const [refused] = await again.authing.loginByPassword({ passwordPayload: { account: u.username, password: u.password } });
  assert.ok(refused, 'the deleted account cannot sign in');
});

test('sendEmailCode and bindEmail: an expired pass code is refused', { timeout: 60_000 }, async (t) => {
  const { authing } = await signedIn(t);
  const email = `ours-expired-${seq}@example.com`;
  await authing.sendEmailCode({ email, channel: 'CHANNEL_BIND_EMAIL' });
  const code = await latestEmail(email);
  await advance(301_000); // --code-ttl-secs 300
  assertRefused(await authing.bindEmail({ email, passCode: code }), 400);
  const [, info] = await authing.getUserInfo();
  assert.equal(info.email ?? null, null, 'nothing bound');
});

test('updateEmailRequest and updateEmail: wrong codes refused, the token works once, an expired token is refused, a taken address conflicts',
  { timeout: 60_000 }, async (t) => {
    const { authing } = await signedIn(t);
    const email = `ours-upd-${seq}@example.com`;
    await authing.sendEmailCode({ email, channel: 'CHANNEL_BIND_EMAIL' });
    assert.equal((await authing.bindEmail({ email, passCode: await latestEmail(email) }))[0], null);
    const request = async (newEmail, { wrongNew = false, wrongOld = false } = {}) => {
      await authing.sendEmailCode({ email: newEmail, channel: 'CHANNEL_UPDATE_EMAIL' });
      const newCode = wrongNew ? '000000x' : await latestEmail(newEmail);
      await authing.sendEmailCode({ email, channel: 'CHANNEL_UPDATE_EMAIL' });
      const oldCode = wrongOld ? '000000x' : await latestEmail(email);
      return authing.updateEmailRequest({ verifyMethod: 'EMAIL_PASSCODE', emailPassCodePayload: { newEmail, newEmailPassCode: newCode, oldEmail: email, oldEmailPassCode: oldCode } });
    };
    const next = `ours-upd-${seq}-new@example.com`;
    assertRefused(await request(next, { wrongNew: true }), 400);
    assertRefused(await request(next, { wrongOld: true }), 400);

    // expired: the token's lifetime passes on the emulator's clock
    const [e1, stale] = await request(next);
    assert.equal(e1, null, JSON.stringify(e1));
    assert.ok(stale.tokenExpiresIn > 0);
    await advance((stale.tokenExpiresIn + 1) * 1000);
    assertRefused(await authing.updateEmail({ updateEmailToken: stale.updateEmailToken }), 400, /expired/);

    const [e2, verified] = await request(next);
    assert.equal(e2, null, JSON.stringify(e2));
    const [e3, updated] = await authing.updateEmail({ updateEmailToken: verified.updateEmailToken });
    assert.equal(e3, null, JSON.stringify(e3));
    assert.equal(updated.success, true);
    assert.equal((await authing.getUserInfo())[1].email, next);
    assertRefused(await authing.updateEmail({ updateEmailToken: verified.updateEmailToken }), 400, /already been used/);

    // conflict: another user holds the address asked for
    const taken = `ours-taken-${seq}@example.com`;
    await emu.admin('POST', '/__admin/users', { username: `ours-holder-${seq}`, email: taken, password: 'Passw0rd!' });
    await authing.sendEmailCode({ email: taken, channel: 'CHANNEL_UPDATE_EMAIL' });
    const takenCode = await latestEmail(taken);
    await authing.sendEmailCode({ email: next, channel: 'CHANNEL_UPDATE_EMAIL' });
    assertRefused(await authing.updateEmailRequest({ verifyMethod: 'EMAIL_PASSCODE', emailPassCodePayload: { newEmail: taken, newEmailPassCode: takenCode, oldEmail: next, oldEmailPassCode: await latestEmail(next) } }), 409);
  });

test('bindPhone, updatePhoneRequest and updatePhone: wrong code, conflict, expired and reused tokens are refused', { timeout: 60_000 }, async (t) => {
  const { authing } = await signedIn(t);
  const taken = uniquePhone();
  await emu.admin('POST', '/__admin/users', { username: `ours-phone-holder-${seq}`, phone: taken, password: 'Passw0rd!' });
  await authing.sendSms({ phoneNumber: taken, channel: 'CHANNEL_BIND_PHONE' });
  assertRefused(await authing.bindPhone({ phoneNumber: taken, passCode: await latestSms(taken) }), 409);

  const phone = uniquePhone();
  await authing.sendSms({ phoneNumber: phone, channel: 'CHANNEL_BIND_PHONE' });
  assertRefused(await authing.bindPhone({ phoneNumber: phone, passCode: '000000x' }), 400);
  const [e1, bound] = await authing.bindPhone({ phoneNumber: phone, passCode: await latestSms(phone) });
  assert.equal(e1, null, JSON.stringify(e1));
  assert.equal(bound.success, true);
  assert.equal((await authing.getUserInfo())[1].phone, phone);

  const request = async (newPhone, { wrongNew = false } = {}) => {
    await authing.sendSms({ phoneNumber: newPhone, channel: 'CHANNEL_BIND_PHONE' });
    const newCode = wrongNew ? '000000x' : await latestSms(newPhone);
    await authing.sendSms({ phoneNumber: phone, channel: 'CHANNEL_UNBIND_PHONE' });
    const oldCode = await latestSms(phone);
    return authing.updatePhoneRequest({ verifyMethod: 'PHONE_PASSCODE', phonePassCodePayload: { newPhoneNumber: newPhone, newPhonePassCode: newCode, oldPhoneNumber: phone, oldPhonePassCode: oldCode } });
  };
  const next = uniquePhone();
  assertRefused(await request(next, { wrongNew: true }), 400);
  assertRefused(await request(taken), 409);
  const [e2, stale] = await request(next);
  assert.equal(e2, null, JSON.stringify(e2));
  await advance((stale.tokenExpiresIn + 1) * 1000);
  assertRefused(await authing.updatePhone({ updatePhoneToken: stale.updatePhoneToken }), 400, /expired/);
  const [e3, verified] = await request(next);
  assert.equal(e3, null, JSON.stringify(e3));
  const [e4, updated] = await authing.updatePhone({ updatePhoneToken: verified.updatePhoneToken });
  assert.equal(e4, null, JSON.stringify(e4));
  assert.equal(updated.success, true);
  assert.equal((await authing.getUserInfo())[1].phone, next);
  assertRefused(await authing.updatePhone({ updatePhoneToken: verified.updatePhoneToken }), 400, /already been used/);
  assertRefused(await authing.updatePhone({ updatePhoneToken: 'not-a-token' }), 400);
});

test('deleteAccount: an expired token is refused; once deleted, the account\'s tokens fail everywhere', { timeout: 60_000 }, async (t) => {
  const { authing, u } = await signedIn(t);
  const [e0, state] = await authing.getLoginState();
  assert.equal(e0, null);
  const [e1, stale] = await authing.deleteAccountRequest({ verifyMethod: 'PASSWORD', passwordPayload: { password: u.password, passwordEncryptType: 'sm2' } });
  assert.equal(e1, null, JSON.stringify(e1));
  await advance((stale.tokenExpiresIn + 1) * 1000);
  assertRefused(await authing.deleteAccount({ deleteAccountToken: stale.deleteAccountToken }), 400, /expired/);
  assert.equal((await authing.getLoginState())[0], null, 'a refused deletion keeps the state');

  const [e2, verified] = await authing.deleteAccountRequest({ verifyMethod: 'PASSWORD', passwordPayload: { password: u.password } });
  assert.equal(e2, null, JSON.stringify(e2));
  assert.equal((await authing.deleteAccount({ deleteAccountToken: verified.deleteAccountToken }))[0], null);
  const users = await emu.admin('GET', '/__admin/users');
  assert.ok(!users.some((x) => x.userId === u.created.userId), 'the user is gone');

  // The deleted user's saved tokens: the access token is refused (the refresh token too, so no
  // retry succeeds), and so is every token-bearing account call.
  const revived = miniProgram(t);
  const saved = await revived.authing.saveLoginState(state);
  assert.equal(saved.access_token, state.access_token);
  const [gone, none] = await revived.authing.getUserInfo();
  assert.ok(gone, 'getUserInfo with the deleted user\'s tokens fails');
  assert.equal(none, undefined);
  // 401, then the one refresh this SDK tries is refused too: the documented NOT_LOGGED_IN.
  assert.equal(gone.code, 'NOT_LOGGED_IN', JSON.stringify(gone));
  assert.equal(gone.message, 'refresh_token has expired, please login again');
  // Without a refresh token stored, the server's 401 itself.
  const { refresh_token: _rt, ...accessOnly } = state;
  await revived.authing.saveLoginState(accessOnly);
  assertRefused(await revived.authing.getUserInfo(), 401);
  await revived.authing.saveLoginState(state);
  const [refresh] = await revived.authing.refreshToken();
  assert.ok(refresh, 'the refresh token is gone');
  for (const [name, arg] of [['bindEmail', { email: 'x@example.com', passCode: '1' }], ['deleteAccount', { deleteAccountToken: verified.deleteAccountToken }], ['updateUserInfo', { nickname: 'x' }]]) {
    await revived.authing.saveLoginState(state);
    const [error, data] = await revived.authing[name](arg);
    assert.ok(error, `${name} with the deleted user's tokens fails`);
    assert.equal(data, undefined);
  }
  const raw = await fetch(`${emu.url}/api/v3/get-profile`, { headers: { 'x-authing-userpool-id': POOL, authorization: state.access_token } }).then((r) => r.json());
  assert.equal(raw.statusCode, 401, JSON.stringify(raw));
});

for (const profile of ['wechat-ios', 'douyin']) {
  const platform = profile === 'douyin' ? 'tt' : 'wx';
  const idp = profile === 'douyin' ? 'dev-douyin' : 'dev-wechat';
  const method = profile === 'douyin' ? 'bindPlatformByCode' : 'bindWxByCode';

  test(`${method} (${profile}): a wrong code is refused, the identity joins the user, another user's bind conflicts`, { timeout: 60_000 }, async (t) => {
    const user = `ours-binder-${profile}-${seq + 1}`;
    const me = await signedIn(t, { profile, user });
    assertRefused(await me.authing[method]({ extIdpConnidentifier: idp, code: 'not-a-code' }), 400);
    const [e1, data] = await me.authing[method]({ extIdpConnidentifier: idp });
    assert.equal(e1, null, JSON.stringify(e1));
    const { openid } = await emu.admin('GET', `/__platform/identity?platform=${platform}&user=${user}`);
    assert.ok(data.identities.some((i) => i.userIdInIdp === openid), JSON.stringify(data.identities));
    const [again] = await me.authing.bindPlatformByCode({});
    assert.equal(again, null, 'binding the same identity again is a no-op');
    if (profile === 'douyin') {
      // bindWxByCode always names the WeChat identity: a Douyin login code is not a WeChat one.
      assertRefused(await me.authing.bindWxByCode({}), 400);
    }
    const other = await signedIn(t, { profile, user });
    assertRefused(await other.authing[method]({}), 409, /already bound/);
    // signing in with this device's platform code finds the binder
    const fresh = miniProgram(t, { profile, user });
    assert.equal((await fresh.authing.loginByCode({ extIdpConnidentifier: idp }))[0], null);
    assert.equal((await fresh.authing.getUserInfo())[1].userId, me.u.created.userId);
  });

  test(`decryptData (${profile}): the platform's open data; a used code and another code's key are refused`, { timeout: 60_000 }, async (t) => {
    const user = `ours-decrypt-${profile}`;
    const { authing } = miniProgram(t, { profile, user });
    const code = await authing.getLoginCode();
    const { encryptedData, iv } = await emu.admin('POST', `/__platform/${platform}/encrypted-data`, { code, data: { nickName: '小程序用户' } });
    const [error, data] = await authing.decryptData({ extIdpConnidentifier: idp, encryptedData, iv, code });
    assert.equal(error, null, JSON.stringify(error));
    const { openid } = await emu.admin('GET', `/__platform/identity?platform=${platform}&user=${user}`);
    assert.equal(data.openId, openid);
    assert.equal(data.nickName, '小程序用户');
    assert.equal(typeof data.watermark.appid, 'string');
    assertRefused(await authing.decryptData({ extIdpConnidentifier: idp, encryptedData, iv, code }), 400);
    assertRefused(await authing.decryptData({ extIdpConnidentifier: idp, encryptedData, iv, code: await authing.getLoginCode() }), 400);
    const [missing] = await authing.decryptData({ extIdpConnidentifier: idp, iv, code });
    assert.ok(missing, 'encryptedData missing');
  });
}
