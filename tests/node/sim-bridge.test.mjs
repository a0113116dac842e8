// The async host bridge with a custom host (init({host})) in the simulated iOS realm: every way a
// host callback can misbehave becomes a typed SdkError, and the next call still works (no trap,
// no poisoned state).
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { boot, rejection, sm2 } from './_helpers.mjs';

/**
 * A custom host whose request behaviour is switched by `state.mode`. Values are created in the
 * realm, as a host adapter running there would create them.
 */
function customHost(sim, extra = {}) {
  const R = sim.realm;
  const state = { mode: 'ok', calls: 0 };
  const host = {
    platform: 'custom',
    callTimeoutMs: 200,
    getRandomValues: (n) => R.Promise.resolve(bytes(sim, randomBytes(n))),
    request(req) {
      state.calls++;
      switch (state.mode) {
        case 'ok': return R.Promise.resolve({ statusCode: 200, data: 'ok:' + req.url, header: { 'x-a': 'b' } });
        case 'thenable': return { then(resolve) { resolve({ statusCode: 203, data: 'thenable' }); } };
        case 'throw': throw new R.Error('sync boom');
        case 'not-promise': return { statusCode: 200, data: 'not a promise' };
        case 'undefined': return undefined;
        case 'reject': return R.Promise.reject({ errMsg: 'request:fail timeout' });
        case 'reject-error': return R.Promise.reject(new R.TypeError('network down'));
        case 'never': return new R.Promise(() => {});
        case 'status-99': return R.Promise.resolve({ statusCode: 99, data: '' });
        case 'status-text': return R.Promise.resolve({ statusCode: '200', data: '' });
        case 'status-frac': return R.Promise.resolve({ statusCode: 200.5, data: '' });
        case 'null': return R.Promise.resolve(null);
        case 'data-number': return R.Promise.resolve({ statusCode: 200, data: 42 });
        case 'data-object': return R.Promise.resolve({ statusCode: 200, data: { a: [1, '二'] } });
        case 'data-arraybuffer': return R.Promise.resolve({ statusCode: 200, data: bytes(sim, Buffer.from('bytes-体')).buffer });
        default: throw new Error('unknown mode ' + state.mode);
      }
    },
    ...extra,
  };
  return { host, state };
}

function bytes(sim, buf) {
  const u = new sim.realm.Uint8Array(buf.length);
  u.set(buf);
  return u;
}

function assertSdkError(sim, e, code, message) {
  assert.ok(e instanceof sim.realm.Error, 'a real Error');
  assert.equal(e.name, 'SdkError');
  assert.equal(e.code, code, `code of: ${e.message}`);
  if (message) assert.match(e.message, message);
}

test('request faults map to typed errors and the next call still works', async (t) => {
  // timeScale: realm timers run 50x faster, so the request timeout (5 s + 1 s grace) fires in ~120 ms.
  const { sim, sdk } = boot(t, { timeScale: 0.02 });
  const { host, state } = customHost(sim);
  const { core, platform } = await sdk.init({ host });
  assert.equal(platform, 'custom');
  let n = 0;
  const okAfter = async (label) => {
    state.mode = 'ok';
    const url = `https://x.test/${label}/${++n}`;
    assert.deepEqual({ ...(await core.ping(url)) }, { statusCode: 200, data: 'ok:' + url }, `call after ${label}`);
  };
  const cases = [
    ['throw', 'HOST_THREW', /host function `request` threw: sync boom/],
    ['not-promise', 'HOST_NOT_PROMISE', /did not return a Promise: it returned object/],
    ['undefined', 'HOST_NOT_PROMISE', /it returned undefined/],
    ['reject', 'HOST_REJECTED', /host function `request` failed: request:fail timeout/],
    ['reject-error', 'HOST_REJECTED', /network down/],
    ['never', 'TIMEOUT', /host function `request` timed out: no answer within 6000 ms/],
    ['status-99', 'HOST_BAD_VALUE', /statusCode is not an HTTP status/],
    ['status-text', 'HOST_BAD_VALUE', /statusCode/],
    ['status-frac', 'HOST_BAD_VALUE', /statusCode/],
    ['null', 'HOST_BAD_VALUE', /expected an object/],
    ['data-number', 'HOST_BAD_VALUE', /data is neither text nor an object/],
  ];
  for (const [mode, code, message] of cases) {
    state.mode = mode;
    const started = Date.now();
    const e = await rejection(core.ping('https://x.test/' + mode));
    assertSdkError(sim, e, code, message);
    assert.equal(e.capability, 'request', mode);
    if (mode === 'never') assert.ok(Date.now() - started < 3000, 'the timeout fired (scaled)');
    await okAfter(mode);
  }
  assert.equal(sim.pendingTimers(), 0, 'no timer left behind');
  assert.equal(sim.stats.mathRandomCalls, 0);
});

test('request missing at call time → HOST_MISSING; missing at init → HOST_MISSING', async (t) => {
  const { sim, sdk } = boot(t);
  const { host, state } = customHost(sim);
  const { core } = await sdk.init({ host });
  const saved = host.request;
  delete host.request;
  const e = await rejection(core.ping('https://x.test/missing'));
  assertSdkError(sim, e, 'HOST_MISSING', /host function `request` is not provided by the host/);
  host.request = 'not a function';
  assertSdkError(sim, await rejection(core.ping('https://x.test/missing2')), 'HOST_MISSING');
  host.request = saved;
  state.mode = 'ok';
  assert.equal((await core.ping('https://x.test/back')).data, 'ok:https://x.test/back');

  const fresh = boot(t);
  const noRequest = { getRandomValues: customHost(fresh.sim).host.getRandomValues };
  assertSdkError(fresh.sim, await rejection(fresh.sdk.init({ host: noRequest })), 'HOST_MISSING', /request/);
});

test('thenables and non-text bodies are accepted', async (t) => {
  const { sim, sdk } = boot(t);
  const { host, state } = customHost(sim);
  const { core } = await sdk.init({ host });
  state.mode = 'thenable';
  assert.deepEqual({ ...(await core.ping('https://x.test/t')) }, { statusCode: 203, data: 'thenable' });
  state.mode = 'data-object';
  assert.deepEqual(JSON.parse((await core.ping('https://x.test/o')).data), { a: [1, '二'] });
  state.mode = 'data-arraybuffer';
  assert.equal((await core.ping('https://x.test/b')).data, 'bytes-体');
});

test('argument errors are INVALID_ARGUMENT and do not poison the core', async (t) => {
  const { sim, sdk } = boot(t);
  const { host } = customHost(sim);
  const { core } = await sdk.init({ host });
  assertSdkError(sim, await rejection(core.ping('')), 'INVALID_ARGUMENT', /url/);
  const keys = sm2().generateKeyPairHex();
  assertSdkError(sim, await rejection(core.encryptPassword('aes', keys.publicKey, 'x')), 'INVALID_ARGUMENT', /kind/);
  const bad = await rejection(core.encryptPassword('sm2', 'zz-not-a-key', 'x'));
  assert.ok(['INVALID_ARGUMENT', 'CRYPTO'].includes(bad.code), bad.code);
  const badRsa = await rejection(core.encryptPassword('rsa', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', 'x'));
  assert.ok(['INVALID_ARGUMENT', 'CRYPTO'].includes(badRsa.code), badRsa.code);
  assert.equal(sm2().doDecrypt(await core.encryptPassword('sm2', keys.publicKey, 'still works'), keys.privateKey, 1), 'still works');
  assert.equal((await core.ping('https://x.test/ok')).statusCode, 200);
});

test('entropy faults during an operation are NO_ENTROPY (fail closed) and recoverable', async (t) => {
  const { sim, sdk } = boot(t);
  const mode = { rv: 'ok' };
  const good = (n) => sim.realm.Promise.resolve(bytes(sim, randomBytes(n)));
  const { host } = customHost(sim, {
    callTimeoutMs: 200,
    getRandomValues(n) {
      switch (mode.rv) {
        case 'ok': return good(n);
        case 'never': return new sim.realm.Promise(() => {});
        case 'short': return sim.realm.Promise.resolve(bytes(sim, randomBytes(8)));
        case 'zeros': return sim.realm.Promise.resolve(bytes(sim, Buffer.alloc(n)));
        case 'string': return sim.realm.Promise.resolve('0123456789abcdef0123456789abcdef0123456789abcdef');
        case 'reject': return sim.realm.Promise.reject({ errMsg: 'getRandomValues:fail system error' });
        default: throw new Error(mode.rv);
      }
    },
  });
  const { core } = await sdk.init({ host });
  const keys = sm2().generateKeyPairHex();
  for (const [rv, message] of [['never', /timed out: no answer within 200 ms/], ['short', /asked for 48 bytes, got 8/], ['zeros', /./], ['string', /Uint8Array or ArrayBuffer/], ['reject', /getRandomValues:fail system error/]]) {
    mode.rv = rv;
    const started = Date.now();
    const e = await rejection(core.encryptPassword('sm2', keys.publicKey, 'pw'));
    assertSdkError(sim, e, 'NO_ENTROPY', message);
    if (rv === 'never') assert.ok(Date.now() - started < 2000, 'callTimeoutMs bounds getRandomValues');
    mode.rv = 'ok';
    assert.equal(sm2().doDecrypt(await core.encryptPassword('sm2', keys.publicKey, 'pw-' + rv), keys.privateKey, 1), 'pw-' + rv);
  }
  delete host.getRandomValues;
  assertSdkError(sim, await rejection(core.encryptPassword('sm2', keys.publicKey, 'pw')), 'NO_ENTROPY', /no secure random source/);
  assert.equal(sim.stats.mathRandomCalls, 0);
  assert.equal(sim.pendingTimers(), 0);
});
