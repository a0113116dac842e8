// Fault injection through the real platform APIs of the simulated WeChat realm (wx.request,
// wx.getStorage/setStorage/removeStorage, wx.login), below both public facades (Authing and
// MPServerless): the platforms' real fail shapes (WeChat errMsg/errno, Alipay error numbers),
// callbacks that throw synchronously, never fire, fire twice or fire fail after success, bodies
// that are empty, HTML, truncated JSON, huge or of the wrong type, 5xx, storage failures and
// corrupted stored login states, and out-of-order completions.
//
// The promise checked after every fault: the public call settles (a watchdog fails the test on a
// hang) with a typed error — an `[error, undefined]` tuple with a string `code` and a non-empty
// `message` (Authing), or an MPServerlessError with `code`/`type`/`message` (MPServerless) — and
// the very next call on the same instance succeeds (the wasm instance did not trap, nothing is
// poisoned). The sim-bridge suite covers the same classes at the raw `Host` level; this one goes
// through the platform adapters and the facades.
import test from 'node:test';
import assert from 'node:assert/strict';
import { hostSim, rsaSpkiPem, codePackage } from './_helpers.mjs';
import { realm, load, scriptedGateway, plain, SECRET, SPACE, ENDPOINT } from './mpserverless-gateway.mjs';

const HOST = 'https://auth.example';
const OPTS = { appId: 'app1', userPoolId: 'pool1', host: HOST };
const KEY = 'authing:app1:login-state';
const json = (body, statusCode = 200) => ({ statusCode, data: JSON.stringify(body), header: { 'content-type': 'application/json' } });

/** A scripted Authing server: tokens name the user they were issued to. */
function authingServer() {
  const state = { refreshes: 0 };
  const responder = (req) => {
    const p = req.url.slice(HOST.length).split('?')[0];
    if (p === '/api/v3/system') return json({ rsa: { publicKey: rsaSpkiPem() }, sm2: { publicKey: '04' + 'ab'.repeat(64) } });
    if (p === '/api/v3/signin') {
      const user = JSON.parse(req.body).passwordPayload.username;
      return json({ statusCode: 200, message: '', data: { access_token: 'AT-' + user, id_token: 'IT-' + user, refresh_token: 'RT-' + user, expires_in: 3600, token_type: 'Bearer' } });
    }
    if (p === '/oidc/token') {
      state.refreshes++;
      return json({ access_token: 'AT-refreshed', id_token: 'IT-refreshed', refresh_token: 'RT-refreshed', expires_in: 3600, token_type: 'Bearer' });
    }
    if (p === '/api/v3/get-profile') return json({ statusCode: 200, message: '', data: { userId: 'u1', token: req.header.authorization } });
    return json({ statusCode: 200, message: 'ok' });
  };
  return { responder, state };
}

/**
 * Wraps `api[name]` (a callback-style platform function) so queued faults replace or distort the
 * next calls. Faults: {fail: obj}, 'throw', 'never', 'twice' (success twice, different data),
 * 'success-then-fail', 'fail-then-success', {success: res} (a fabricated success), {delay: ms}.
 */
function faulty(sim, api, name) {
  const real = api[name];
  const queue = [];
  const later = (fn) => setTimeout(fn, 1);
  api[name] = function (o) {
    const f = queue.shift();
    if (f === undefined) return real.call(this, o);
    const R = sim.realm;
    const failObj = (x) => Object.assign(new R.Object(), x);
    if (f === 'throw') throw new R.TypeError(`${name}: parameter error (simulated synchronous throw)`);
    if (f === 'never') return undefined;
    if (f.fail) { later(() => { o.fail && o.fail(failObj(f.fail)); o.complete && o.complete(failObj(f.fail)); }); return undefined; }
    if (f.success) { later(() => { o.success && o.success(f.success(R)); o.complete && o.complete(f.success(R)); }); return undefined; }
    if (f.delay) { setTimeout(() => real.call(this, o), f.delay); return undefined; }
    const wrap = (onFirst) => real.call(this, { ...o, success: (r) => onFirst('success', r), fail: (e) => onFirst('fail', e), complete: undefined });
    if (f === 'twice') return wrap((kind, r) => { o[kind](r); const again = Object.assign(new R.Object(), r); again.data = 'SECOND'; again.statusCode = 500; o[kind](again); });
    if (f === 'success-then-fail') return wrap((kind, r) => { o[kind](r); o.fail && o.fail(failObj({ errMsg: `${name}:fail late duplicate` })); });
    if (f === 'fail-then-success') return wrap((kind, r) => { o.fail(failObj({ errMsg: `${name}:fail interrupted` })); o[kind](r); });
    throw new Error('unknown fault ' + JSON.stringify(f));
  };
  return { inject: (...faults) => queue.push(...faults), pending: () => queue.length };
}

/** Settles within `ms` (real time) or fails the test: no public call may hang. */
function watchdog(promise, label, ms = 8000) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`HANG: ${label} did not settle in ${ms} ms`)), ms); }),
  ]);
}

const counters = { injected: 0, survived: 0 };
process.on('exit', () => {
  if (counters.injected) console.log(`# faults-host: ${counters.injected} faults injected, ${counters.survived} survived (typed error or correct result, and the next call worked)`);
});

/** Asserts an Authing tuple error with a string code and a non-empty message. */
function tupleError(r, label, codes) {
  assert.ok(Array.isArray(r) && r.length === 2, `${label}: a tuple`);
  assert.equal(r[1], undefined, `${label}: no data with an error`);
  const e = r[0];
  assert.ok(e && typeof e === 'object', `${label}: an error object, got ${JSON.stringify(r)}`);
  assert.equal(typeof e.code, 'string', `${label}: code`);
  assert.ok(typeof e.message === 'string' && e.message.length > 0, `${label}: message`);
  if (codes) assert.ok(codes.includes(e.code), `${label}: code ${e.code} (${e.message}) not in ${codes}`);
  return e;
}

function bootAuthing(t) {
  const server = authingServer();
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: codePackage(), responder: server.responder, login: () => 'WXCODE', timeScale: 0.02 });
  t.after(() => sim.close());
  const { Authing } = sim.require('miniapp-sdk');
  const faults = {};
  for (const n of ['request', 'getStorage', 'setStorage', 'removeStorage', 'login']) faults[n] = faulty(sim, sim.wx, n);
  return { sim, server, faults, authing: new Authing(OPTS), Authing };
}


const login = (a, user = 'bob') => a.loginByPassword({ passwordPayload: { username: user, password: 'pw-' + user } });

async function survives(label, authing, call, codes) {
  counters.injected++;
  const r = await watchdog(call(), label);
  if (r[0] !== null) tupleError(r, label, codes);
  // The next call on the same instance works.
  const ok = await watchdog(login(authing), label + ' → next call');
  assert.equal(ok[0], null, `${label}: the next call failed: ${JSON.stringify(ok[0])}`);
  assert.equal(ok[1].access_token, 'AT-bob');
  const info = await watchdog(authing.getUserInfo(), label + ' → getUserInfo');
  assert.equal(info[0], null, `${label}: getUserInfo after: ${JSON.stringify(info[0])}`);
  counters.survived++;
  return r;
}

const HTML = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
const respond = (statusCode, data, header = { 'content-type': 'text/html' }) => ({ success: (R) => Object.assign(new R.Object(), { statusCode, data, header, errMsg: 'request:ok' }) });

/** Request faults: [label, fault, expected codes (undefined: success allowed)]. */
const REQUEST_FAULTS = [
  ['wx fail timeout', { fail: { errMsg: 'request:fail timeout', errno: 5 } }, ['HOST_REJECTED', 'TIMEOUT']],
  ['wx fail connection reset', { fail: { errMsg: 'request:fail -101:net::ERR_CONNECTION_RESET', errno: 600001 } }, ['HOST_REJECTED']],
  ['wx fail domain list', { fail: { errMsg: 'request:fail url not in domain list', errno: 600002 } }, ['HOST_REJECTED']],
  ['wx fail ssl', { fail: { errMsg: 'request:fail ssl hand shake error' } }, ['HOST_REJECTED']],
  ['wx fail interrupted (iOS)', { fail: { errMsg: 'request:fail interrupted' } }, ['HOST_REJECTED']],
  ['fail with a bare string', { fail: 'request:fail' }, ['HOST_REJECTED']],
  ['alipay-shaped fail (error 12)', { fail: { error: 12, errorMessage: '网络出错' } }, ['HOST_REJECTED']],
  ['synchronous throw', 'throw', ['HOST_REJECTED', 'HOST_THREW']],
  ['callback never fires', 'never', ['TIMEOUT']],
  ['success twice', 'twice', undefined],
  ['success then fail', 'success-then-fail', undefined],
  ['fail then success', 'fail-then-success', ['HOST_REJECTED']],
  ['empty body 200', respond(200, ''), ['BAD_RESPONSE']],
  ['HTML 200', respond(200, HTML), ['BAD_RESPONSE']],
  ['HTML 502', respond(502, HTML), ['BAD_RESPONSE', 'SERVER']],
  ['HTML 503 empty', respond(503, ''), ['BAD_RESPONSE', 'SERVER']],
  ['500 JSON error', respond(500, '{"statusCode":500,"message":"Internal Server Error"}'), ['SERVER']],
  ['truncated JSON', respond(200, '{"statusCode":200,"message":"","data":{"access_token":"AT-x","expi'), ['BAD_RESPONSE']],
  ['JSON array', respond(200, '[1,2,3]'), ['BAD_RESPONSE']],
  ['JSON string', respond(200, '"ok"'), ['BAD_RESPONSE']],
  ['data is a number', respond(200, 42), ['HOST_BAD_VALUE', 'BAD_RESPONSE']],
  ['data is a boolean', respond(200, true), ['HOST_BAD_VALUE', 'BAD_RESPONSE']],
  ['data is null', respond(200, null), ['BAD_RESPONSE']],
  ['data is an object without token', { success: (R) => Object.assign(new R.Object(), { statusCode: 200, data: R.JSON.parse('{"statusCode":200,"data":{"nothing":1}}'), header: {} }) }, ['BAD_RESPONSE']],
  ['statusCode missing', { success: (R) => Object.assign(new R.Object(), { data: '{}', errMsg: 'request:ok' }) }, ['HOST_BAD_VALUE']],
  ['statusCode is text', respond('200', '{}'), ['HOST_BAD_VALUE']],
  ['success(undefined)', { success: () => undefined }, ['HOST_BAD_VALUE', 'HOST_REJECTED']],
  ['huge HTML 503 (3 MB)', respond(503, '<html>' + 'x'.repeat(3 << 20) + '</html>'), ['BAD_RESPONSE', 'SERVER']],
  ['huge truncated JSON (3 MB)', respond(200, '{"statusCode":200,"data":{"access_token":"' + 'y'.repeat(3 << 20)), ['BAD_RESPONSE']],
  ['invalid UTF-8 bytes as ArrayBuffer', { success: (R) => { const u = new R.Uint8Array([0xff, 0xfe, 0x7b, 0xc3]); return Object.assign(new R.Object(), { statusCode: 200, data: u.buffer, header: {} }); } }, ['BAD_RESPONSE']],
];

test('Authing: every request fault is a typed tuple error and the next call works', async (t) => {
  const { faults, authing, sim } = bootAuthing(t);
  for (const [label, fault, codes] of REQUEST_FAULTS) {
    faults.request.inject(fault);
    const r = await survives(label, authing, () => login(authing, 'eve'), codes);
    if (codes === undefined) assert.equal(r[0], null, `${label}: the first completion wins`);
    assert.equal(faults.request.pending(), 0, label);
  }
  // A huge but valid answer is processed (4 MB profile).
  faults.request.inject(respond(200, JSON.stringify({ statusCode: 200, message: '', data: { userId: 'u1', blob: 'z'.repeat(4 << 20) } })));
  counters.injected++;
  const big = await watchdog(authing.getUserInfo(), 'huge profile');
  assert.equal(big[0], null);
  assert.equal(big[1].blob.length, 4 << 20);
  counters.survived++;
  assert.equal(sim.stats.mathRandomCalls, 0);
});

test('Authing: the same faults hit the refresh path (expired token, refresh token stored)', async (t) => {
  const { faults, authing, sim, server, Authing } = bootAuthing(t);
  const expire = () => {
    const s = JSON.parse(sim.storage.get(KEY));
    s.expires_at = Date.now() - 1000;
    sim.storage.set(KEY, JSON.stringify(s));
  };
  for (const [label, fault, codes] of REQUEST_FAULTS.filter(([l]) => !/huge/.test(l))) {
    // Automatic refresh (a fresh instance each time: a failed automatic refresh backs off 30 s).
    const fresh = new Authing(OPTS);
    assert.equal((await login(fresh))[0], null);
    expire();
    faults.request.inject(fault);
    const r = await survives('auto refresh: ' + label, fresh, () => fresh.getLoginState(), codes && [...codes, 'NOT_LOGGED_IN', 'SERVER']);
    if (r[0] === null) assert.ok(r[1].access_token === 'AT-refreshed', label);
    assert.equal(faults.request.pending(), 0, label);
    // Explicit refreshToken() on the long-lived instance.
    assert.equal((await login(authing))[0], null);
    expire();
    faults.request.inject(fault);
    await survives('refreshToken: ' + label, authing, () => authing.refreshToken(), codes && [...codes, 'NOT_LOGGED_IN', 'SERVER']);
    assert.equal(faults.request.pending(), 0, label);
    // Whatever happened, the stored state is an object or absent, never torn.
    const raw = sim.storage.get(KEY);
    if (raw !== undefined) assert.equal(typeof JSON.parse(raw), 'object', label);
  }
  assert.ok(server.state.refreshes > 0);
});

test('Authing: storage failures and corrupted stored login states', async (t) => {
  const { faults, authing, sim } = bootAuthing(t);
  const storageFaults = [
    ['setStorage fail (quota)', 'setStorage', { fail: { errMsg: 'setStorage:fail exceed storage max size 10MB' } }, () => login(authing, 'eve'), ['STORAGE']],
    ['setStorage throws', 'setStorage', 'throw', () => login(authing, 'eve'), ['STORAGE']],
    ['setStorage never answers', 'setStorage', 'never', () => login(authing, 'eve'), ['STORAGE', 'TIMEOUT']],
    ['getStorage fail (internal)', 'getStorage', { fail: { errMsg: 'getStorage:fail internal error' } }, () => authing.getLoginState(), ['STORAGE']],
    ['getStorage throws', 'getStorage', 'throw', () => authing.getUserInfo(), ['STORAGE']],
    ['getStorage never answers', 'getStorage', 'never', () => authing.getLoginState(), ['STORAGE', 'TIMEOUT']],
    ['getStorage answers twice', 'getStorage', 'twice', () => authing.getLoginState(), undefined],
    ['removeStorage fail', 'removeStorage', { fail: { errMsg: 'removeStorage:fail internal error' } }, () => authing.logout(), ['STORAGE']],
    ['login fail (wx.login)', 'login', { fail: { errMsg: 'login:fail system error' } }, () => authing.loginByCode({ extIdpConnidentifier: 'wx' }), ['HOST_REJECTED']],
    ['login never answers', 'login', 'never', () => authing.loginByCode({ extIdpConnidentifier: 'wx' }), ['HOST_REJECTED', 'TIMEOUT']],
    ['login returns no code', 'login', { success: (R) => Object.assign(new R.Object(), { errMsg: 'login:ok' }) }, () => authing.loginByCode({ extIdpConnidentifier: 'wx' }), ['HOST_BAD_VALUE', 'HOST_REJECTED']],
  ];
  for (const [label, api, fault, call, codes] of storageFaults) {
    faults[api].inject(fault);
    await survives(label, authing, call, codes);
  }
  const corrupt = [
    ['a string', '"garbage"'], ['a number', '42'], ['an array', '[1,2]'], ['null', 'null'], ['true', 'true'],
    ['empty object', '{}'], ['token is a number', '{"access_token":5,"expires_at":99999999999999}'],
    ['expires_at is text', '{"access_token":"AT","expires_at":"tomorrow"}'],
    ['expires_at NaN-as-null, no JWT', '{"access_token":"not-a-jwt","expires_at":null}'],
    ['nested garbage', '{"access_token":{"a":[1,{"b":null}]},"refresh_token":[],"expires_at":1e308}'],
    ['refresh_token only, expired', '{"refresh_token":"RT-bob","expires_at":1}'],
    ['JSON text stored as a string', JSON.stringify(JSON.stringify({ access_token: 'AT', expires_at: 9e15 }))],
    ['bad JWT payload', '{"access_token":"eyJ.eyJleHAiOiJ4In0.sig","expires_at":null}'],
  ];
  for (const [label, raw] of corrupt) {
    sim.storage.set(KEY, raw);
    for (const m of ['getLoginState', 'getUserInfo', 'refreshToken', 'logout']) {
      await survives(`stored state ${label} / ${m}`, authing, () => authing[m](), ['NOT_LOGGED_IN', 'SERVER', 'BAD_RESPONSE', 'HOST_REJECTED']);
      sim.storage.set(KEY, raw);
    }
  }
  // Storage holding text the platform cannot even decode (the simulator's getStorage then fails).
  sim.storage.set(KEY, '{"trunc');
  await survives('undecodable stored value', authing, () => authing.getLoginState(), ['STORAGE', 'NOT_LOGGED_IN']);
});

test('Authing: out-of-order completions pair each answer with its call', async (t) => {
  const { faults, authing } = bootAuthing(t);
  const users = Array.from({ length: 12 }, (_, i) => 'user' + i);
  // Later calls are answered first.
  for (let i = 0; i < users.length; i++) faults.request.inject({ delay: (users.length - i) * 15 });
  const results = await watchdog(Promise.all(users.map((u) => login(authing, u))), 'out-of-order logins');
  results.forEach((r, i) => {
    assert.equal(r[0], null);
    assert.equal(r[1].access_token, 'AT-' + users[i], 'each call gets its own answer');
  });
  counters.injected += users.length;
  counters.survived += users.length;
});

test('Authing: a custom adapter that misbehaves (non-Promise, throw, never, settle twice)', async (t) => {
  const { sim, Authing, server } = bootAuthing(t);
  const R = sim.realm;
  const mode = { request: 'ok' };
  const store = new Map();
  const adapter = {
    platform: 'custom',
    callTimeoutMs: 100,
    getRandomValues: (n) => R.Promise.resolve(new R.Uint8Array(n).fill(7)),
    request(req) {
      const real = () => R.Promise.resolve(server.responder({ url: req.url, body: req.data, header: Object.fromEntries(Object.entries(req.header).map(([k, v]) => [k.toLowerCase(), v])) }));
      switch (mode.request) {
        case 'ok': return real();
        case 'non-promise': return { statusCode: 200, data: '{}' };
        case 'string': return 'request sent';
        case 'throw': throw new R.Error('adapter exploded');
        case 'never': return new R.Promise(() => {});
        case 'twice': return { then(ok, bad) { real().then(ok); ok({ statusCode: 500, data: 'second' }); bad(new R.Error('third')); } };
        case 'reject-undefined': return R.Promise.reject(undefined);
        default: throw new Error(mode.request);
      }
    },
    login: () => R.Promise.resolve('code'),
    getStorage: (k) => R.Promise.resolve(store.get(k)),
    setStorage: (k, v) => { store.set(k, v); return R.Promise.resolve(); },
    removeStorage: (k) => { store.delete(k); return R.Promise.resolve(); },
  };
  const authing = new Authing({ ...OPTS, adapter });
  for (const [m, codes] of [['non-promise', ['HOST_NOT_PROMISE']], ['string', ['HOST_NOT_PROMISE']], ['throw', ['HOST_THREW']], ['never', ['TIMEOUT']], ['twice', undefined], ['reject-undefined', ['HOST_REJECTED']]]) {
    mode.request = m;
    counters.injected++;
    const r = await watchdog(login(authing), 'adapter ' + m);
    if (codes) tupleError(r, 'adapter ' + m, codes);
    mode.request = 'ok';
    const ok = await watchdog(login(authing), 'adapter ' + m + ' → next');
    assert.equal(ok[0], null, JSON.stringify(ok[0]));
    counters.survived++;
  }
});

// ---- MPServerless --------------------------------------------------------------------------------

function bootServerless(t, options = {}) {
  const gw = scriptedGateway();
  const sim = realm(t, 'wechat-ios', { responder: gw.responder, timeScale: 0.02, ...options });
  const MPServerless = load(sim, 'ours');
  const api = { request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login };
  const faults = { request: faulty(sim, api, 'request'), getAuthCode: faulty(sim, api, 'getAuthCode') };
  const mps = new MPServerless(api, { appId: 'APPID', spaceId: SPACE, clientSecret: SECRET, endpoint: ENDPOINT, timeout: 5000 });
  return { gw, sim, mps, faults };
}

async function mpsOutcome(promise, label) {
  try {
    return { value: await watchdog(promise, label) };
  } catch (e) {
    if (e && /^HANG/.test(e.message)) throw e;
    return { error: e };
  }
}

function assertMpsError(sim, e, label, codes) {
  assert.ok(e instanceof sim.realm.Error, `${label}: a realm Error, got ${e}`);
  assert.equal(e.name, 'MPServerlessError', label);
  assert.equal(typeof e.code, 'string', label);
  assert.equal(typeof e.type, 'string', label);
  assert.ok(e.message, label);
  if (codes) assert.ok(codes.includes(e.code), `${label}: code ${e.code} (${e.message}) not in ${codes}`);
}

// A JSON object reply without `error` is decoded as the official 3.1.5 decoder does (its fields
// become the result): the gateway never sends one, and refusing it would break compatibility.
const MPS_MAY_RESOLVE = new Set(['data is an object without token', '500 JSON error', 'statusCode is text']);

test('MPServerless: every request fault rejects with an MPServerlessError and the next call works', async (t) => {
  const { sim, mps, faults, gw } = bootServerless(t);
  await mps.user.authorize({ authType: 'anonymous' });
  const mpsFaults = [
    ...REQUEST_FAULTS.filter(([l]) => !/huge/.test(l)),
    ['alipay-shaped timeout (error 13)', { fail: { error: 13, errorMessage: '超时' } }, ['TIMEOUT']],
    ['alipay-shaped 502 with body (error 19)', { fail: { error: 19, errorMessage: 'http status error', status: 502, data: HTML } }, ['NETWORK_ERROR', 'GATEWAY_ERROR']],
    ['huge 503 (3 MB)', respond(503, 'x'.repeat(3 << 20)), ['GATEWAY_ERROR']],
    ['401 HTML', respond(401, HTML), undefined],
  ];
  for (const [label, fault, codes] of mpsFaults) {
    faults.request.inject(fault);
    counters.injected++;
    const out = await mpsOutcome(mps.function.invoke('echo', { label }), label);
    if (codes && !MPS_MAY_RESOLVE.has(label)) {
      assert.ok(out.error, `${label}: expected an error, resolved ${JSON.stringify(plain(out.value))}`);
      assertMpsError(sim, out.error, label, [...codes, 'NETWORK_ERROR', 'TIMEOUT', 'BAD_RESPONSE', 'GATEWAY_ERROR', 'HOST_BAD_VALUE', 'HOST_REJECTED', 'HOST_THREW']);
    } else if (out.error) {
      assertMpsError(sim, out.error, label);
    } else if (!MPS_MAY_RESOLVE.has(label)) {
      assert.deepEqual(plain(out.value.result.echo), { label }, label);
    }
    assert.equal(faults.request.pending(), 0, label);
    const next = await mpsOutcome(mps.function.invoke('echo', { after: label }), label + ' → next');
    assert.ok(!next.error, `${label}: the next call failed: ${next.error && next.error.message}`);
    assert.deepEqual(plain(next.value.result.echo), { after: label });
    counters.survived++;
  }
  assert.deepEqual(gw.state.problems, []);
});

test('MPServerless: faults during authorization and re-authorization do not poison the client', async (t) => {
  const { sim, mps, faults, gw } = bootServerless(t);
  for (const [label, fault] of [['fail', { fail: { errMsg: 'request:fail timeout', errno: 5 } }], ['never', 'never'], ['html', respond(200, HTML)], ['throw', 'throw']]) {
    faults.request.inject(fault);
    counters.injected++;
    const out = await mpsOutcome(mps.user.authorize({ authType: 'anonymous' }), 'authorize ' + label);
    assert.ok(out.error, label);
    assertMpsError(sim, out.error, 'authorize ' + label);
    assert.deepEqual(plain(await watchdog(mps.user.authorize({ authType: 'anonymous' }), 'authorize again')), { success: true });
    // Token invalidated, and the re-authorization request itself faults.
    gw.state.invalidateNext = 1;
    faults.request.inject(undefined, fault); // the call goes through, its re-authorization faults
    const renew = await mpsOutcome(mps.function.invoke('echo', 1), 'renew ' + label);
    if (renew.error) assertMpsError(sim, renew.error, 'renew ' + label);
    const next = await mpsOutcome(mps.function.invoke('echo', 2), 'after renew ' + label);
    assert.ok(!next.error, `after renew ${label}: ${next.error && next.error.message}`);
    counters.survived++;
  }
  for (const [label, fault] of [['getAuthCode fail', { fail: { errMsg: 'login:fail auth deny' } }], ['getAuthCode throws', 'throw'], ['getAuthCode never', 'never']]) {
    faults.getAuthCode.inject(fault);
    counters.injected++;
    const out = await mpsOutcome(mps.user.authorize({ authProvider: 'wechat_openapi' }), label);
    assert.ok(out.error, label);
    assertMpsError(sim, out.error, label, ['LOGIN_FAILED', 'TIMEOUT']);
    assert.deepEqual(plain(await watchdog(mps.user.authorize({ authProvider: 'wechat_openapi' }), label + ' again')), { success: true });
    counters.survived++;
  }
  assert.deepEqual(gw.state.problems, []);
});

test('MPServerless: out-of-order completions pair each answer with its call', async (t) => {
  const { mps, faults } = bootServerless(t, { timeScale: 1 });
  await mps.user.authorize({ authType: 'anonymous' });
  const n = 24;
  for (let i = 0; i < n; i++) faults.request.inject({ delay: (n - i) * 8 });
  const results = await watchdog(Promise.all(Array.from({ length: n }, (_, i) => mps.function.invoke('echo', { i }))), 'out-of-order invokes');
  results.forEach((r, i) => assert.deepEqual(plain(r.result.echo), { i }));
  counters.injected += n;
  counters.survived += n;
});

// ---- light fuzzing of the wasm boundary: random JSON-ish arguments to every facade method ---------

function prng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}
function randomArg(rnd, depth = 0) {
  const r = rnd();
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  if (r < 0.1) return undefined;
  if (r < 0.2) return null;
  if (r < 0.3) return pick([0, -1, 1e308, NaN, Infinity, 2 ** 53 + 1, 0.5]);
  if (r < 0.45) return pick(['', 'x', '😀'.repeat(50), '\u0000', '\ud800', 'a'.repeat(5000), '{"a":', '13800000000', 'wx']);
  if (r < 0.5) return pick([true, false]);
  if (r < 0.55) return /^x/i;
  if (r < 0.7 && depth < 4) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomArg(rnd, depth + 1));
  if (depth < 4) {
    const keys = ['passwordPayload', 'passCodePayload', 'options', 'username', 'password', 'phone', 'phoneNumber', 'passCode', 'channel', 'extIdpConnidentifier', 'code', 'newPassword', 'oldPassword', 'passwordEncryptType', 'scope', 'nickname', 'authType', 'authProvider', '$regex', 'a.b', '__proto__', 'constructor'];
    const o = {};
    for (let i = Math.floor(rnd() * 5); i > 0; i--) o[pick(keys)] = randomArg(rnd, depth + 1);
    return o;
  }
  return 'leaf';
}

test('wasm boundary fuzz: random arguments to every facade method never reject, hang or trap', async (t) => {
  const { authing } = bootAuthing(t);
  const { sim, mps } = bootServerless(t);
  await mps.user.authorize({ authType: 'anonymous' });
  const rnd = prng(Number(process.env.MINIAPP_FUZZ_SEED || 42));
  const ITER = Number(process.env.MINIAPP_NODE_FUZZ_ITERS || 400);
  const authingMethods = ['getLoginState', 'loginByCode', 'loginByPassword', 'sendSms', 'loginByPassCode', 'refreshToken', 'getPhone', 'updatePassword', 'getUserInfo', 'updateUserInfo', 'logout'];
  const books = () => mps.db.collection(randomArg(rnd));
  const mpsCalls = [
    (a, b) => mps.user.authorize(a), (a) => mps.user.getInfo(a), (a, b) => mps.function.invoke(a, b),
    (a, b) => books().find(a, b), (a, b) => books().insertOne(a, b), (a, b) => books().updateMany(a, b),
    (a, b) => books().aggregate(a, b), (a, b) => books().distinct(a, b), (a) => mps.file.deleteFile(a),
    (a, b) => mps.file.info(a, b), (a) => mps.file.uploadFile(a), (a, b) => mps.network.forward(a, b),
  ];
  let calls = 0;
  for (let i = 0; i < ITER; i++) {
    const m = authingMethods[i % authingMethods.length];
    const r = await watchdog(Promise.resolve().then(() => authing[m](randomArg(rnd))), `authing.${m}`);
    assert.ok(Array.isArray(r) && r.length === 2 && (r[0] === null || (typeof r[0].code === 'string' && r[0].message)), `authing.${m}: ${JSON.stringify(r)}`);
    const out = await mpsOutcome(Promise.resolve().then(() => mpsCalls[i % mpsCalls.length](randomArg(rnd), randomArg(rnd))), 'mps fuzz ' + i);
    if (out.error && out.error.name !== 'MPServerlessError') throw new Error(`mps fuzz ${i} (call ${i % mpsCalls.length}): ${out.error.name}: ${out.error.message}\n${out.error.stack}`);
    if (out.error) assertMpsError(sim, out.error, 'mps fuzz ' + i);
    calls += 2;
  }
  // Still alive and correct after all of it.
  assert.equal((await login(authing))[0], null);
  await mps.user.authorize({ authType: 'anonymous' });
  assert.deepEqual(plain((await mps.function.invoke('echo', { end: 1 })).result.echo), { end: 1 });
  console.log(`# wasm boundary fuzz: ${calls} facade calls with random arguments, all settled with a result or a typed error`);
});
