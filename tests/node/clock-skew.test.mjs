// A phone whose clock is wrong (+20 min, -20 min, +1 day, -1 day), in the WeChat and the Alipay
// profiles, against the emulator: MPServerless authorize, db and function calls and the Authing
// password login, getUserInfo and refreshToken all succeed. The first signed MPServerless call is
// refused for its timestamp (the emulator accepts ±10 min), corrected from the answer's `Date` and
// sent once more; every later call is signed in the server's time at once. With the clock right,
// nothing is retried and the device's own time is signed.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PKG, hostSim, tmpDir } from './_helpers.mjs';
import { startEmulator } from './_emulator.mjs';

const CASES = [['right', 0], ['+20 min', 20 * 60_000], ['-20 min', -20 * 60_000], ['+1 day', 86_400_000], ['-1 day', -86_400_000]];
const PROFILES = {
  'wechat-ios': { id: 'miniapp-sdk', platform: 'wx', api: (sim) => ({ request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login }) },
  'alipay-logic': { id: 'miniapp-sdk/alipay.js', platform: 'my', api: (sim) => sim.my },
};
const USER = { username: 'tilda', password: 'Tilda-pw-1' };

let emu;
let root;
test.before(async () => {
  emu = await startEmulator({ args: ['--auto-create-collections'] });
  await emu.admin('POST', '/__admin/users', USER);
  root = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir('mp-skew-') });
  const nm = path.join(root, 'node_modules', 'miniapp-sdk');
  fs.mkdirSync(nm, { recursive: true });
  fs.copyFileSync(path.join(PKG, 'alipay.js'), path.join(nm, 'alipay.js'));
}, { timeout: 15 * 60_000 });
test.after(() => emu && emu.stop());

for (const [profile, { id, platform, api }] of Object.entries(PROFILES)) {
  for (const [label, offset] of CASES) {
    test(`${profile}, device clock ${label}: MPServerless and Authing calls succeed`, async (t) => {
      const log = [];
      const loopback = hostSim.loopbackResponder();
      const sim = hostSim.createHost({
        profile, packageRoot: root, clockOffsetMs: offset, login: hostSim.platformLogin(emu.url, { platform }),
        responder: (req) => { log.push(req); return loopback(req); },
      });
      t.after(() => sim.close());
      assert.ok(Math.abs(sim.evaluate('Date.now()') - Date.now() - offset) < 1000, 'the realm clock is off');
      const { Authing, MPServerless } = sim.require(id);

      const mps = new MPServerless(api(sim), { appId: 'dev-app', spaceId: 'dev-space', clientSecret: 'dev-secret', endpoint: emu.url });
      const auth = await mps.user.authorize({ authType: 'anonymous' });
      assert.equal(auth.success, true);
      const coll = `skew_${profile.replace(/\W/g, '')}_${offset < 0 ? 'm' : 'p'}${Math.abs(offset)}`;
      const ins = await mps.db.collection(coll).insertOne({ label });
      assert.equal(ins.success, true);
      const found = await mps.db.collection(coll).find({ label });
      assert.equal(found.result.length, 1);
      const fn = await mps.function.invoke('echo', { label });
      assert.equal(fn.result.label, label);
      const signed = log.filter((r) => r.url.endsWith('/client')).map((r) => JSON.parse(r.body));
      const serverNow = Date.now();
      if (offset === 0) {
        assert.equal(signed.length, 4, 'a right clock: no retry');
      } else {
        assert.equal(signed.length, 5, 'one rejected timestamp, corrected and retried once');
        assert.ok(Math.abs(signed[0].timestamp - serverNow - offset) < 60_000, 'the first call signs the device time');
        assert.equal(signed[1].method, signed[0].method, 'the retry is the same call');
      }
      for (const b of signed.slice(offset === 0 ? 0 : 1)) assert.ok(Math.abs(b.timestamp - serverNow) < 60_000, `${b.method} signed in server time`);

      const authing = new Authing({ appId: 'dev-app', userPoolId: 'dev-pool', host: emu.url });
      const [e1, st1] = await authing.loginByPassword({ passwordPayload: USER, options: { scope: 'openid profile offline_access' } });
      assert.equal(e1, null, JSON.stringify(e1));
      const [e2, user] = await authing.getUserInfo();
      assert.equal(e2, null, JSON.stringify(e2));
      assert.equal(user.username, USER.username);
      const [e3, st3] = await authing.refreshToken();
      assert.equal(e3, null, JSON.stringify(e3));
      assert.notEqual(st3.access_token, st1.access_token);
      const [e4] = await authing.getUserInfo();
      assert.equal(e4, null, JSON.stringify(e4));
      assert.equal(log.filter((r) => r.url.endsWith('/oidc/token')).length, 1, 'no refresh beyond the asked one');
      console.log(`# clock skew ${profile} ${label}: ${signed.length} signed MPServerless requests for 4 calls`);
    });
  }
}
