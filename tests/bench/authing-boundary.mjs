#!/usr/bin/env node
// Focused micro-bench of the Authing wasm boundary (issue 17): time per call of
// getUserInfo(flags) and updateUserInfo(profile), the argument crossing in and the `[error, data]`
// tuple crossing out, in the host simulator (wechat-ios realm, in-process responder, no crypto).
// Used to compare JSON text against serde-wasm-bindgen values at the boundary; compare rows of one
// run only (timings depend on the machine and its load).
//
//   node tests/bench/authing-boundary.mjs [ROOT]   (ROOT holds pkg/ and tests/host-sim; default: this repo)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
const hostSim = require(path.join(ROOT, 'tests', 'host-sim', 'index.cjs'));
const HOST = 'https://auth.example';
const TOKEN = { access_token: 'AT', id_token: 'IT', refresh_token: 'RT', expires_in: 3600, token_type: 'Bearer', scope: 'openid offline_access' };
const CUSTOM = { a: 1, b: [1, 2, 3], c: 'x'.repeat(40) };
const PROFILE = { userId: 'u1', username: 'bench', nickname: 'Bench', photo: 'https://cdn.example.test/a.png', phone: '13800000000', email: 'b@example.test', customData: CUSTOM, identities: [{ provider: 'wechat', openid: 'o'.repeat(28) }] };
const json = (body) => ({ statusCode: 200, data: JSON.stringify(body), header: { 'content-type': 'application/json' } });
const responder = (req) => json(req.url.startsWith(HOST + '/api/v3/signin') ? { statusCode: 200, message: '', data: TOKEN } : { statusCode: 200, message: '', data: PROFILE });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'authing-boundary-'));
const root = hostSim.layoutCodePackage({ pkgDir: path.join(ROOT, 'pkg'), root: tmp });
const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: root, responder, login: () => 'WXCODE' });
const authing = new (sim.require('miniapp-sdk').Authing)({ appId: 'app1', userPoolId: 'pool1', host: HOST });
const [loginError] = await authing.loginByPassword({ passwordPayload: { username: 'u', password: 'p' } });
if (loginError) throw new Error(JSON.stringify(loginError));

const CASES = {
  'getUserInfo(flags)': () => authing.getUserInfo({ withCustomData: true, withIdentities: true }),
  'updateUserInfo(profile)': () => authing.updateUserInfo({ nickname: 'n', customData: CUSTOM, address: 'somewhere' }),
};
const CALLS = 2000;
for (const [name, call] of Object.entries(CASES)) {
  for (let i = 0; i < 300; i++) {
    const [error] = await call();
    if (error) throw new Error(`${name}: ${JSON.stringify(error)}`);
  }
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) await call();
    rounds.push(Number(process.hrtime.bigint() - t0) / 1e3 / CALLS);
  }
  rounds.sort((x, y) => x - y);
  console.log(`${name}: median ${rounds[2].toFixed(1)} us/call (min ${rounds[0].toFixed(1)}, max ${rounds[4].toFixed(1)}; 5 x ${CALLS} calls)`);
}
sim.close();
fs.rmSync(tmp, { recursive: true, force: true });
