// This SDK's 17 extra Authing methods end to end against the emulator (WeChat realm, Douyin where
// the path differs), including the error paths: wrong code, conflict, deleted account.
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

async function signedIn(t) {
  seq++;
  const u = { username: `ours-acct-${seq}`, password: `Initial#${seq}pw` };
  await emu.admin('POST', '/__admin/users', u);
  const mp = miniProgram(t);
  const [error] = await mp.authing.loginByPassword({ passwordPayload: { account: u.username, password: u.password }, options: { scope: SCOPE } });
  assert.equal(error, null, JSON.stringify(error));
  return { ...mp, u };
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
