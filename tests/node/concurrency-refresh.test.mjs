// 1,000 concurrent calls while the token expires: exactly one refresh (Authing, `POST /oidc/token`)
// or one re-authorization (MPServerless), every call succeeds with the new token, and the stored
// login state is whole (no lost or torn state). Each client is run twice: against a scripted server
// in the simulator (deterministic counts, slow answers so that every call piles up on the renewal),
// and against the real emulator over loopback (refresh-token rotation: a second refresh with the
// rotated token would revoke the whole family, so a duplicate refresh cannot go unnoticed). The
// emulator run never waits for the wall clock: the emulator's clock and the device's are moved
// forward, first together (the token and the session expire), then the emulator's alone (the
// server rejects tokens the device still holds valid, and the device's timestamps are 10 min
// behind: the rejected-in-flight and the clock-correction paths, 1,000 calls at a time).
import test from 'node:test';
import assert from 'node:assert/strict';
import { hostSim, codePackage, rsaSpkiPem } from './_helpers.mjs';
import { startEmulator, buildEmulator } from './_emulator.mjs';
import { realm, load, scriptedGateway, plain, SECRET, SPACE, ENDPOINT } from './mpserverless-gateway.mjs';

const N = Number(process.env.MINIAPP_CONCURRENCY_CALLS || 1000);
const HOST = 'https://auth.example';
const KEY = 'authing:app1:login-state';
const json = (body) => ({ statusCode: 200, data: JSON.stringify(body), header: { 'content-type': 'application/json' } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test(`Authing (scripted): ${N} concurrent calls on an expired token → exactly one refresh`, async (t) => {
  const seen = { refresh: 0, profileTokens: new Map(), signin: 0 };
  const responder = async (req) => {
    const p = req.url.slice(HOST.length).split('?')[0];
    if (p === '/api/v3/system') return json({ rsa: { publicKey: rsaSpkiPem() } });
    if (p === '/api/v3/signin') {
      seen.signin++;
      return json({ statusCode: 200, data: { access_token: 'AT-0', id_token: 'IT-0', refresh_token: 'RT-0', expires_in: 3600, token_type: 'Bearer' } });
    }
    if (p === '/oidc/token') {
      seen.refresh++;
      assert.match(req.body, /refresh_token=RT-0/);
      await sleep(50); // slow: every call arrives while the refresh is in flight
      return json({ access_token: 'AT-1', id_token: 'IT-1', refresh_token: 'RT-1', expires_in: 3600, token_type: 'Bearer', scope: 'openid offline_access' });
    }
    if (p === '/api/v3/get-profile') {
      const tok = req.header.authorization;
      seen.profileTokens.set(tok, (seen.profileTokens.get(tok) || 0) + 1);
      return json({ statusCode: 200, data: { userId: 'u1' } });
    }
    return json({ statusCode: 404, message: 'no route ' + p });
  };
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: codePackage(), responder });
  t.after(() => sim.close());
  const { Authing } = sim.require('miniapp-sdk');
  const authing = new Authing({ appId: 'app1', userPoolId: 'pool1', host: HOST });
  assert.equal((await authing.loginByPassword({ passwordPayload: { username: 'bob', password: 'pw' }, options: { scope: 'openid offline_access' } }))[0], null);
  // The token expires.
  const s = JSON.parse(sim.storage.get(KEY));
  s.expires_at = Date.now() - 1;
  sim.storage.set(KEY, JSON.stringify(s));

  const methods = ['getUserInfo', 'getLoginState', 'getUserInfo', 'refreshToken'];
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: N }, (_, i) => authing[methods[i % methods.length]]()));
  const ms = Date.now() - started;
  const failures = results.filter((r) => r[0] !== null);
  assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of ${N} calls failed`);
  assert.equal(seen.refresh, 1, 'exactly one refresh');
  assert.deepEqual([...seen.profileTokens.keys()], ['AT-1'], 'every profile call used the new token');
  for (const [i, r] of results.entries()) {
    if (methods[i % methods.length] !== 'getUserInfo') assert.equal(r[1].access_token, 'AT-1');
  }
  const stored = JSON.parse(sim.storage.get(KEY));
  assert.equal(stored.access_token, 'AT-1');
  assert.equal(stored.id_token, 'IT-1');
  assert.equal(stored.refresh_token, 'RT-1');
  assert.ok(stored.expires_at > Date.now() + 3500_000, 'expires_at belongs to the new token');
  console.log(`# concurrency (Authing, scripted): ${N} calls in ${ms} ms → ${seen.refresh} refresh, ${failures.length} failures, state ${stored.access_token}/${stored.refresh_token}`);
});

test(`MPServerless (scripted): ${N} concurrent calls on a revoked session → exactly one re-authorization`, async (t) => {
  const gw = scriptedGateway();
  const sim = realm(t, 'wechat-ios', { responder: gw.responder });
  const MPServerless = load(sim, 'ours');
  const mps = new MPServerless({ request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login }, { appId: 'APPID', spaceId: SPACE, clientSecret: SECRET, endpoint: ENDPOINT });
  await mps.user.authorize({ authType: 'anonymous' });
  // The session expires on the server: every call with tok-1 is refused from now on.
  gw.state.tokens.clear();
  const slowAuth = gw.state;
  slowAuth.override = async (req, body) => { if (/Authorize$/.test(body.method)) await sleep(50); return null; };
  const started = Date.now();
  const results = await Promise.allSettled(Array.from({ length: N }, (_, i) => mps.function.invoke('echo', { i })));
  const ms = Date.now() - started;
  const rejected = results.filter((r) => r.status === 'rejected');
  assert.deepEqual(rejected.slice(0, 3).map((r) => r.reason.message), [], `${rejected.length} of ${N} calls failed`);
  results.forEach((r, i) => assert.deepEqual(plain(r.value.result.echo), { i }));
  const auths = gw.state.log.filter((e) => e.body.method === 'serverless.auth.user.anonymousAuthorize').length;
  assert.equal(auths, 2, 'the initial authorization and exactly one re-authorization');
  const retried = gw.state.log.filter((e) => e.body.token === 'tok-2').length;
  assert.equal(retried, N, 'each call retried once with the new token');
  assert.deepEqual(gw.state.problems, []);
  console.log(`# concurrency (MPServerless, scripted): ${N} calls in ${ms} ms → ${auths - 1} re-authorization, ${rejected.length} failures`);
});

test(`Authing + MPServerless against the emulator: ${N} concurrent calls while the token/session expires`, { timeout: 240_000 }, async (t) => {
  await buildEmulator();
  // 10-min tokens and sessions: nothing expires by itself while the test runs, however loaded the machine.
  const emu = await startEmulator({ args: ['--access-token-ttl-secs', '600', '--session-ttl-secs', '600', '--session-extend-secs', '600'] });
  t.after(() => emu.stop());
  const log = [];
  const loopback = hostSim.loopbackResponder();
  const sim = hostSim.createHost({
    profile: 'wechat-ios', packageRoot: codePackage(), login: hostSim.platformLogin(emu.url), clockOffsetMs: 0,
    responder: (req) => { log.push({ url: req.url, body: req.body }); return loopback(req); },
  });
  t.after(() => sim.close());
  const { Authing, MPServerless } = sim.require('miniapp-sdk');
  await emu.admin('POST', '/__admin/users', { username: 'carol', password: 'Carol-pw-123' });
  const authing = new Authing({ appId: 'dev-app', userPoolId: 'dev-pool', host: emu.url });
  const [e0, st0] = await authing.loginByPassword({ passwordPayload: { username: 'carol', password: 'Carol-pw-123' }, options: { scope: 'openid profile offline_access' } });
  assert.equal(e0, null, JSON.stringify(e0));
  // A 60 s request timeout instead of the default 5 s: this test is about single-flight, and on a
  // loaded 2-core CI machine the last of 1000 queued requests to the debug emulator can wait > 5 s.
  const mps = new MPServerless({ request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login }, { appId: 'dev-app', spaceId: 'dev-space', clientSecret: 'dev-secret', endpoint: emu.url, timeout: '60s' });
  await mps.user.authorize({ authType: 'anonymous' });
  // Ten minutes and a second pass on both clocks: the access token and the gateway session expire.
  sim.setClockOffset(601_000);
  await emu.admin('POST', '/__admin/clock', { advanceMs: 601_000 });

  const round = async (what) => {
    const before = log.length;
    const started = sim.global.Date.now();
    const t0 = Date.now();
    const [authResults, mpsResults] = await Promise.all([
      Promise.all(Array.from({ length: N }, (_, i) => (i % 2 ? authing.getUserInfo() : authing.getLoginState()))),
      Promise.allSettled(Array.from({ length: N }, (_, i) => mps.function.invoke('echo', { i }))),
    ]);
    const ms = Date.now() - t0;
    const sent = log.slice(before);
    const refreshes = sent.filter((r) => r.url.endsWith('/oidc/token')).length;
    const reauths = sent.filter((r) => r.body && r.body.includes('serverless.auth.user.anonymousAuthorize')).length;
    const authFailures = authResults.filter((r) => r[0] !== null);
    const mpsFailures = mpsResults.filter((r) => r.status === 'rejected');
    assert.deepEqual(authFailures.slice(0, 2).map((r) => r[0]), [], `${what}: ${authFailures.length} Authing calls failed`);
    assert.deepEqual(mpsFailures.slice(0, 2).map((r) => r.reason.message), [], `${what}: ${mpsFailures.length} MPServerless calls failed`);
    assert.equal(refreshes, 1, `${what}: exactly one refresh`);
    assert.equal(reauths, 1, `${what}: exactly one re-authorization`);
    mpsResults.forEach((r, i) => assert.deepEqual(plain(r.value.result), { i }));
    console.log(`# concurrency (emulator, ${what}): ${N} Authing + ${N} MPServerless calls in ${ms} ms → ${refreshes} refresh, ${reauths} re-authorization, ${sent.length} requests, ${authFailures.length + mpsFailures.length} failures`);
    return started;
  };

  const started = await round('both clocks +10 min');
  // The stored state is the refreshed one, whole, and the rotated refresh token still works
  // (a duplicate refresh would have revoked the family).
  const stored = JSON.parse(sim.storage.get('authing:dev-app:login-state'));
  assert.notEqual(stored.access_token, st0.access_token);
  assert.notEqual(stored.refresh_token, st0.refresh_token);
  assert.ok(stored.id_token && stored.expires_at > started, `expires_at ${stored.expires_at} vs start ${started}`);

  // Only the server's clock moves on: the device holds its token valid, the server rejects it in
  // flight, and the device's timestamps fall out of the gateway's window.
  await emu.admin('POST', '/__admin/clock', { advanceMs: 601_000 });
  await round('server clock another +10 min');
  const [e2, st2] = await authing.refreshToken();
  assert.equal(e2, null, 'the rotated refresh token is still valid: ' + JSON.stringify(e2));
  assert.ok(st2.access_token);
});
