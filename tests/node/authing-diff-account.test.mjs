// Differential test of the 17 methods beyond the twelve against the official
// @authing/miniapp-taro 5.1.18: the same calls, logged out and logged in, run in two simulated
// WeChat realms (and a Douyin-configured pair for the paths that differ) against the same scripted
// server; the requests (headers but the SDK version), the storage writes (key, value, the call
// during which they happen) and the ok/error outcomes must be identical. The documented
// differences are asserted as such: deleteAccount clears our stored state, and the official
// package caches platform login codes under `authing:<appId>:<platform>-login-code` (this SDK
// stores no code).
import test from 'node:test';
import assert from 'node:assert/strict';
import { hostSim } from './_helpers.mjs';
import { HOST, TOKEN, codePackage, comparable, officialEncryptFunction, server } from './authing-diff-support.mjs';

const PHONE_WX = { extIdpConnidentifier: 'my-wx', wechatMiniProgramCodeAndPhonePayload: { wxPhoneInfo: { code: 'PHONECODE' }, wxLoginInfo: { iv: 'IV', encryptedData: 'ED' } }, options: { scope: 'openid' } };
const PHONE_TT = { extIdpConnidentifier: 'dy', miniProgramCodeAndPhonePayload: { phoneParams: { encryptedData: 'PE', iv: 'PI' } } };
const DECRYPT = { extIdpConnidentifier: 'my-wx', encryptedData: 'ED', iv: 'IV', code: 'C' };

const STATE_KEY = 'authing:app1:login-state';
const CODE_KEY = /^authing:app1:(wx|tt)-login-code$/;

/** A stored value in comparable form: the login state's `expires_at` checked, then left out. */
function storedValue(key, json) {
  const v = JSON.parse(json);
  if (key === STATE_KEY && v && typeof v === 'object') {
    assert.equal(typeof v.expires_at, 'number', 'expires_at is stored as a number');
    assert.ok(Math.abs(v.expires_at - Date.now() - v.expires_in * 1000) < 60_000, 'expires_at = now + expires_in (ms)');
    return { ...v, expires_at: '<now + expires_in>' };
  }
  return v;
}

/** Records every storage write of the realm as `[call, op, key, value?]`, `call` the method running. */
function recordWrites(sim, current) {
  const writes = [];
  const st = sim.storage;
  const [set, del, clear] = [st.set.bind(st), st.delete.bind(st), st.clear.bind(st)];
  st.set = (k, v) => { writes.push([current(), 'set', k, storedValue(k, v)]); return set(k, v); };
  st.delete = (k) => { writes.push([current(), 'remove', k]); return del(k); };
  st.clear = () => { writes.push([current(), 'clear']); return clear(); };
  return writes;
}

async function run(t, root, moduleId, options, calls) {
  const requests = [];
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root, responder: (r) => { requests.push(r); return server(r); }, login: () => 'LOGINCODE' });
  t.after(() => sim.close());
  let current = 'constructor';
  const writes = recordWrites(sim, () => current);
  const { Authing } = sim.require(moduleId);
  const a = new Authing({ appId: 'app1', userPoolId: 'pool1', host: HOST, ...options });
  const outcomes = [];
  for (const [i, [name, ...args]] of calls.entries()) {
    current = `#${i} ${name}`;
    const r = await a[name](...args);
    const plain = name === 'saveLoginState' || name === 'getLoginCode';
    const ok = plain ? !Array.isArray(r) : r[0] === null;
    const data = plain ? r : r[1];
    const strip = (d) => (d && typeof d === 'object' ? JSON.parse(JSON.stringify({ ...d, expires_at: typeof d.expires_at })) : d);
    outcomes.push([name, ok, ok ? strip(data) : undefined]);
  }
  // The official constructor's wx.login settles later; let every pending write land.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return { requests: requests.map(comparable), outcomes, writes, Authing };
}

/**
 * The storage writes of both runs are the same, but for the documented differences: the official
 * package's login-code cache (it must be there, and ours must never touch it) and the removals of
 * the state listed in `oursOnly` (deleteAccount clearing it).
 */
function assertSameWrites(ours, theirs, oursOnly = []) {
  const isCode = (w) => CODE_KEY.test(w[2] || '');
  assert.deepEqual(ours.writes.filter(isCode), [], 'this SDK stores no login code');
  assert.ok(theirs.writes.some((w) => isCode(w) && w[1] === 'set' && w[3] === 'LOGINCODE'), 'the official package caches its login code (documented)');
  const theirsCompared = theirs.writes.filter((w) => !isCode(w));
  const extra = ours.writes.filter((w) => oursOnly.some((o) => JSON.stringify(o) === JSON.stringify(w)));
  assert.deepEqual(extra, oursOnly, 'the documented extra writes happen');
  const oursCompared = ours.writes.filter((w) => !extra.includes(w));
  assert.deepEqual(oursCompared, theirsCompared);
  return oursCompared;
}

const LOGGED_OUT = [
  ['clearLoginState'],
  ['getLoginCode'],
  ['getPublicKey', 'rsa'],
  ['sendEmailCode', { email: 'a@b.c', channel: 'CHANNEL_BIND_EMAIL' }],
  ['decryptData', DECRYPT],
  ['bindEmail', { email: 'a@b.c', passCode: '1234' }],
  ['updateEmailRequest', { verifyMethod: 'EMAIL_PASSCODE', emailPassCodePayload: { newEmail: 'n@b.c', newEmailPassCode: '1' } }],
  ['updateEmail', { updateEmailToken: 'UET' }],
  ['bindPhone', { phoneNumber: '13800000000', passCode: '1234' }],
  ['updatePhoneRequest', { verifyMethod: 'PHONE_PASSCODE', phonePassCodePayload: { newPhoneNumber: '13900000000', newPhonePassCode: '1' } }],
  ['updatePhone', { updatePhoneToken: 'UPT' }],
  ['deleteAccountRequest', { verifyMethod: 'PASSWORD', passwordPayload: { password: 'p' } }],
  ['bindWxByCode', { extIdpConnidentifier: 'my-wx' }],
  ['bindPlatformByCode', { extIdpConnidentifier: 'my-wx' }],
  ['deleteAccount', { deleteAccountToken: 'DAT' }], // last: ours then forgets the state (see below)
];

test('the 17 methods send and store what @authing/miniapp-taro 5.1.18 does, logged out and logged in', async (t) => {
  const root = codePackage();
  const calls = [
    ...LOGGED_OUT,
    ['loginByPhone', PHONE_WX],
    ['loginByPhone', PHONE_WX], // a valid stored state: returned without a request
    ...LOGGED_OUT.slice(2),
    ['saveLoginState', TOKEN],
    ['clearLoginState'],
  ];
  const ours = await run(t, root, 'miniapp-sdk', {}, calls);
  const theirs = await run(t, root, '@authing/miniapp-taro', { encryptFunction: officialEncryptFunction }, calls);
  assert.equal(ours.requests.length, theirs.requests.length, 'request count');
  for (let i = 0; i < ours.requests.length; i++) assert.deepEqual(ours.requests[i], theirs.requests[i], `request #${i + 1}`);
  assert.ok(ours.requests.some((r) => r.url === HOST + '/api/v3/signin-by-mobile'));
  assert.equal(ours.requests.filter((r) => r.url === HOST + '/api/v3/signin-by-mobile').length, 1);
  // Logged out, the token-bearing methods send nothing: 3 requests (system, send-email, decrypt).
  assert.deepEqual(ours.requests.slice(0, 3).map((r) => r.url.slice(HOST.length)), ['/api/v3/system', '/api/v3/send-email', '/api/v3/decrypt-wechat-miniprogram-data']);
  assert.deepEqual(ours.outcomes.map(([n, ok]) => [n, ok]), theirs.outcomes.map(([n, ok]) => [n, ok]));
  for (let i = 0; i < ours.outcomes.length; i++) assert.deepEqual(ours.outcomes[i], theirs.outcomes[i], `outcome #${i}`);
  assert.equal(ours.outcomes[1][2], 'LOGINCODE');
  const deleted = calls.map(([n], i) => (n === 'deleteAccount' ? i : -1)).filter((i) => i >= 0).pop();
  const writes = assertSameWrites(ours, theirs, [[`#${deleted} deleteAccount`, 'remove', STATE_KEY]]);
  const stored = { ...TOKEN, expires_at: '<now + expires_in>' };
  const login = calls.findIndex(([n]) => n === 'loginByPhone');
  const saved = calls.findIndex(([n]) => n === 'saveLoginState');
  assert.deepEqual(writes.filter((w) => w[0] === `#${login} loginByPhone`), [[`#${login} loginByPhone`, 'set', STATE_KEY, stored]]);
  assert.deepEqual(writes.filter((w) => w[0] === `#${saved} saveLoginState`), [[`#${saved} saveLoginState`, 'set', STATE_KEY, stored]]);
  assert.deepEqual(writes.filter((w) => w[0] === `#${saved + 1} clearLoginState`), [[`#${saved + 1} clearLoginState`, 'remove', STATE_KEY]]);
});

test('deleteAccount clears our stored state (a documented difference); the official keeps it', async (t) => {
  const root = codePackage();
  const calls = [['loginByPhone', PHONE_WX], ['deleteAccount', { deleteAccountToken: 'DAT' }], ['getLoginState']];
  const ours = await run(t, root, 'miniapp-sdk', {}, calls);
  const theirs = await run(t, root, '@authing/miniapp-taro', {}, calls);
  assert.deepEqual(ours.requests, theirs.requests);
  assertSameWrites(ours, theirs, [['#1 deleteAccount', 'remove', STATE_KEY]]);
  assert.deepEqual(ours.outcomes.map(([, ok]) => ok), [true, true, false]);
  assert.deepEqual(theirs.outcomes.map(([, ok]) => ok), [true, true, true]);
});

test('with platform "tt": the Douyin phone login, social bind and decrypt paths', async (t) => {
  const root = codePackage();
  const calls = [['loginByPhone', PHONE_TT], ['bindPlatformByCode', {}], ['bindWxByCode', {}], ['decryptData', DECRYPT]];
  const ours = await run(t, root, 'miniapp-sdk', { platform: 'tt' }, calls);
  const theirs = await run(t, root, '@authing/miniapp-taro', { platform: 'tt' }, calls);
  assert.deepEqual(ours.requests, theirs.requests);
  assert.deepEqual(ours.outcomes, theirs.outcomes);
  const writes = assertSameWrites(ours, theirs);
  assert.deepEqual(writes.filter((w) => w[0] === '#0 loginByPhone').map((w) => w.slice(1, 3)), [['set', STATE_KEY]]);
  assert.deepEqual(ours.requests.map((r) => r.url.slice(HOST.length)), ['/api/v3/signin-by-mobile', '/connections/social/douyin-miniprogram/bind', '/connections/social/wechat-miniprogram/bind', '/api/v3/decrypt-douyin-miniprogram-data']);
  assert.equal(ours.requests[0].body, '{"connection":"douyin_mini_program_code_and_phone","extIdpConnidentifier":"dy","douyinMiniProgramCodeAndPhonePayload":{"loginParams":{"encryptedData":"","iv":"","code":"LOGINCODE"},"phoneParams":{"encryptedData":"PE","iv":"PI"}}}');
});

test('the runtime enums have the official members', async (t) => {
  const root = codePackage();
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root, responder: server });
  t.after(() => sim.close());
  const ours = sim.require('miniapp-sdk');
  const theirs = sim.require('@authing/miniapp-taro');
  for (const name of ['LoginByCodeConnection', 'LoginByPhoneCodeConnection', 'PlatformsMenu']) {
    assert.deepEqual({ ...ours[name] }, { ...theirs[name] }, name);
  }
});
