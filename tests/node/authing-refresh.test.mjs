// Automatic refresh in the simulated WeChat realm against the emulator: a token close to expiry is
// refreshed once, however many calls wait on it, and an expired access token is recovered with the
// stored refresh token instead of forcing a new login. Time passes by moving the emulator's clock
// and the device's together, never by waiting: nothing depends on how loaded the machine is.
import test from 'node:test';
import assert from 'node:assert/strict';
import { hostSim } from './_helpers.mjs';
import { codePackageFor, routedResponder, startEmulator } from './authing-support.mjs';

const HOST = 'https://auth.example';

test('concurrent calls near expiry share one refresh; an expired token is refreshed, not lost',
  { timeout: 15 * 60_000 }, async (t) => {
    // 10-min tokens: the refresh margin is the last 5 min.
    const emu = await startEmulator(t, ['--access-token-ttl-secs', '600']);
    const cfg = await emu.admin('GET', '/__admin/config');
    await emu.admin('POST', '/__admin/users', { username: 'rita', password: 'pw-刷新' });
    const log = [];
    const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: codePackageFor(), responder: routedResponder(HOST, emu.base, log), clockOffsetMs: 0 });
    let elapsed = 0;
    const pass = async (ms) => {
      elapsed += ms;
      sim.setClockOffset(elapsed);
      await emu.admin('POST', '/__admin/clock', { advanceMs: ms });
    };
    t.after(() => sim.close());
    const { Authing } = sim.require('miniapp-sdk');
    const authing = new Authing({ appId: cfg.authing.appId, userPoolId: cfg.authing.userPoolId, host: HOST });
    const [e0, first] = await authing.loginByPassword({ passwordPayload: { username: 'rita', password: 'pw-刷新' }, options: { scope: 'openid profile offline_access' } });
    assert.equal(e0, null, JSON.stringify(e0));
    assert.equal(first.expires_in, 600);

    const count = (p) => log.filter((r) => r.url === HOST + p).length;
    const [e1] = await authing.getUserInfo();
    assert.equal(e1, null);
    assert.equal(count('/oidc/token'), 0, 'a fresh token is not refreshed');

    await pass(301_000); // 4 min 59 s left: inside the margin
    const results = await Promise.all([authing.getUserInfo(), authing.getUserInfo({}), authing.getLoginState(), authing.updateUserInfo({ nickname: 'r' }), authing.refreshToken()]);
    for (const [err] of results) assert.equal(err, null, JSON.stringify(err));
    assert.equal(count('/oidc/token'), 1, 'one refresh for five concurrent calls');
    const [, state] = await authing.getLoginState();
    assert.notEqual(state.access_token, first.access_token);
    const profiles = log.filter((r) => r.url.includes('/api/v3/get-profile') || r.url.includes('update-profile')).slice(1);
    assert.ok(profiles.every((r) => r.header.authorization === state.access_token), 'the waiting calls used the new token');

    // Let the access token expire: the next call refreshes instead of failing.
    await pass(601_000);
    const [e2, user] = await authing.getUserInfo();
    assert.equal(e2, null, JSON.stringify(e2));
    assert.equal(user.username, 'rita');
    assert.equal(count('/oidc/token'), 2);
  });
