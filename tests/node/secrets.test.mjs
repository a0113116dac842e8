// Secrets never leak: a full scenario of both clients against the emulator (logging at `trace`),
// with successes and failures, and then a grep of everything captured — the realm console, the
// emulator's stdout and stderr, and every error message and error object the app received — for
// the password (old and new), the access/id/refresh tokens, the SMS code, the platform login codes,
// the MPServerless session token and the clientSecret. (Rust Debug output of the request and
// response structs is checked by `debug_output_of_a_full_scenario_has_no_secrets` in
// tests/fuzz_parsers.rs.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { hostSim, codePackage } from './_helpers.mjs';
import { buildEmulator, startEmulator } from './_emulator.mjs';

const PASSWORD = 'Pw-Secret-7731';
const NEW_PASSWORD = 'Pw-Secret-8842-new';
const CLIENT_SECRET = 'cs-Secret-f00dfeed';

test('no secret in logs, console output or error messages of a full scenario', { timeout: 240_000 }, async (t) => {
  await buildEmulator();
  const emu = await startEmulator({ args: ['--client-secret', CLIENT_SECRET, '--sms-interval-secs', '0'], env: { MINIAPP_EMULATOR_LOG: 'trace' } });
  t.after(() => emu.stop());
  let stdout = '';
  emu.child.stdout.on('data', (d) => { stdout += d; });

  const secrets = new Set([PASSWORD, NEW_PASSWORD, CLIENT_SECRET]);
  const loginCodes = [];
  const platformLogin = hostSim.platformLogin(emu.url);
  const loopback = hostSim.loopbackResponder();
  const sim = hostSim.createHost({
    profile: 'wechat-ios', packageRoot: codePackage(),
    login: async () => { const c = await platformLogin(); loginCodes.push(typeof c === 'string' ? c : c.code); return c; },
    responder: async (req) => {
      const res = await loopback(req);
      // Every session token the gateway hands out is a secret too.
      try {
        const b = JSON.parse(typeof res.data === 'string' ? res.data : Buffer.from(res.data).toString('utf8'));
        if (b && b.data && typeof b.data.accessToken === 'string') secrets.add(b.data.accessToken);
      } catch { /* not JSON */ }
      return res;
    },
  });
  t.after(() => sim.close());
  const { Authing, MPServerless } = sim.require('miniapp-sdk');
  const errors = [];
  const note = (r) => { if (Array.isArray(r) && r[0]) errors.push(JSON.stringify(r[0]), String(r[0].message)); return r; };
  const addState = (s) => { if (s) for (const k of ['access_token', 'id_token', 'refresh_token']) if (s[k]) secrets.add(s[k]); };

  await emu.admin('POST', '/__admin/users', { username: 'dora', phone: '13700000001', password: PASSWORD });
  const authing = new Authing({ appId: 'dev-app', userPoolId: 'dev-pool', host: emu.url });
  for (const type of ['none', 'rsa', 'sm2']) {
    const [e, s] = note(await authing.loginByPassword({ passwordPayload: { username: 'dora', password: PASSWORD }, options: { passwordEncryptType: type, scope: 'openid profile offline_access' } }));
    assert.equal(e, null, JSON.stringify(e));
    addState(s);
  }
  note(await authing.loginByPassword({ passwordPayload: { username: 'dora', password: PASSWORD + 'x' } })); // wrong
  note(await authing.sendSms({ phoneNumber: '13700000001', channel: 'CHANNEL_LOGIN' }));
  const [{ code: sms }] = await emu.admin('GET', '/__admin/sms?phone=13700000001');
  secrets.add(sms);
  note(await authing.loginByPassCode({ passCodePayload: { phone: '13700000001', passCode: String((Number(sms) + 1) % 1e6).padStart(6, '0') } })); // wrong code
  const [e1, s1] = note(await authing.loginByPassCode({ passCodePayload: { phone: '13700000001', passCode: sms }, options: { scope: 'openid profile offline_access' } }));
  assert.equal(e1, null, JSON.stringify(e1));
  addState(s1);
  note(await authing.loginByPassCode({ passCodePayload: { phone: '13700000001', passCode: sms } })); // reused code
  const [e2, s2] = note(await authing.refreshToken());
  assert.equal(e2, null, JSON.stringify(e2));
  addState(s2);
  note(await authing.getUserInfo());
  note(await authing.updatePassword({ oldPassword: PASSWORD + 'wrong', newPassword: NEW_PASSWORD, passwordEncryptType: 'sm2' }));
  note(await authing.updatePassword({ oldPassword: PASSWORD, newPassword: NEW_PASSWORD, passwordEncryptType: 'rsa' }));
  note(await authing.logout()); // loginByCode returns a still-valid state without logging in
  const [e3, s3] = note(await authing.loginByCode({ extIdpConnidentifier: 'dev-wechat', options: { scope: 'openid offline_access' } }));
  assert.equal(e3, null, JSON.stringify(e3));
  addState(s3);
  note(await authing.logout());
  note(await authing.getUserInfo()); // logged out
  note(await authing.refreshToken()); // no state
  // A revoked refresh token, sent again (stored state restored by hand).
  sim.storage.set('authing:dev-app:login-state', JSON.stringify({ ...s3, expires_at: 1 }));
  note(await authing.getLoginState());
  note(await authing.refreshToken());

  const mps = new MPServerless({ request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login }, { appId: 'dev-app', spaceId: 'dev-space', clientSecret: CLIENT_SECRET, endpoint: emu.url });
  const mpsCall = async (p) => { try { return await p; } catch (e) { errors.push(String(e && e.message), JSON.stringify(e), String(e && e.stack)); return e; } };
  await mpsCall(mps.function.invoke('echo', {})); // before authorize
  await mpsCall(mps.user.authorize({ authProvider: 'wechat_openapi' }));
  await mpsCall(mps.user.authorize({ authType: 'anonymous' }));
  await mpsCall(mps.function.invoke('echo', { a: 1 }));
  await mpsCall(mps.function.invoke('fail', { a: 1 }));
  await mpsCall(mps.db.collection('nope').find({}));
  await mpsCall(mps.db.collection('books').insertOne({ title: 't' }));
  const bad = new MPServerless({ request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login }, { appId: 'dev-app', spaceId: 'dev-space', clientSecret: CLIENT_SECRET + '-wrong', endpoint: emu.url });
  await mpsCall(bad.user.authorize({ authType: 'anonymous' })); // signature mismatch
  for (const c of loginCodes) secrets.add(c);

  // Every log line is in once the emulator has exited and its pipes have closed.
  const closed = new Promise((r) => (emu.child.exitCode === null ? emu.child.once('close', r) : r()));
  await emu.stop();
  await closed;
  const consoleText = sim.logs.map((l) => l.args.map((a) => { try { return typeof a === 'string' ? a : JSON.stringify(a) + ' ' + String(a && a.stack); } catch { return String(a); } }).join(' ')).join('\n');
  const captured = { 'realm console': consoleText, 'emulator stdout': stdout, 'emulator stderr': emu.stderr(), 'error messages': errors.join('\n') };
  assert.ok(errors.length >= 10, 'the scenario produced errors to inspect');
  assert.ok(emu.stderr().length > 1000, 'the emulator logged at trace level');
  assert.ok(loginCodes.length >= 2 && secrets.size >= 12, `secrets collected: ${secrets.size}, login codes ${JSON.stringify(loginCodes)}`);
  const leaks = [];
  for (const [where, text] of Object.entries(captured)) {
    for (const s of secrets) if (s && s.length >= 6 && text.includes(s)) leaks.push(`${where} contains ${s.slice(0, 4)}…`);
  }
  console.log(`# secrets: ${secrets.size} secrets grepped in ${Object.entries(captured).map(([k, v]) => `${k} (${v.length} chars)`).join(', ')}: ${leaks.length} leaks`);
  assert.deepEqual(leaks, []);
});
