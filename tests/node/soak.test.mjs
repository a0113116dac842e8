// Soak: many calls through both facades in one simulated realm (one wasm instance), mixing
// successes, server errors, malformed bodies and host failures, in concurrent batches. After the
// run, the wasm linear memory and the glue's live heap-slab handle count are back at their
// post-warm-up baseline (printed).
//
//   node --test tests/node/soak.test.mjs                                  # 5,000 calls (npm test)
//   MINIAPP_SOAK_CALLS=100000 node --test tests/node/soak.test.mjs        # the long run
//
// How the figures are reached, without changing the package: the wasm memory through the instance
// that WXWebAssembly.instantiate resolves (wrapped in the simulator); the handle count through a
// test-only copy of the code package whose bundle gets one appended accessor reading the
// wasm-bindgen slab (`heap` array and `heap_next` free-list head, found by the shape of
// `addHeapObject`): live = slots − free-list length.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PKG, hostSim, tmpDir, rsaSpkiPem } from './_helpers.mjs';
import { scriptedGateway, SECRET, SPACE, ENDPOINT } from './mpserverless-gateway.mjs';

const CALLS = Number(process.env.MINIAPP_SOAK_CALLS || 5000);
const BATCH = 50;
const HOST = 'https://auth.example';

/** A code package whose bundle exposes `__soakDiag()` (heap slab statistics). */
function instrumentedPackage() {
  const root = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir('soak-pkg-') });
  const file = path.join(root, 'miniprogram_npm', 'miniapp-sdk', 'index.js');
  const src = fs.readFileSync(file, 'utf8');
  // wasm-bindgen's addHeapObject: `function f(o){ if (heap_next === heap.length) heap.push(heap.length + 1); ...`
  const m = /function [\w$]+\([\w$]+\)\{([\w$]+)===([\w$]+)\.length&&\2\.push\(\2\.length\+1\);/.exec(src);
  assert.ok(m, 'the heap-slab allocator of the wasm-bindgen glue was not found in the bundle (minifier or glue changed?)');
  const [, next, heap] = m;
  const diag = `;module.exports.__soakDiag=function(){var free=0,i=${next};while(i<${heap}.length&&free<=${heap}.length){free++;i=${heap}[i];}return{slots:${heap}.length,free:free,live:${heap}.length-free};};`;
  fs.writeFileSync(file, src + diag);
  return root;
}

const json = (body, statusCode = 200) => ({ statusCode, data: JSON.stringify(body), header: { 'content-type': 'application/json' } });

test(`soak: ${CALLS} calls, wasm memory and live handles return to baseline`, { timeout: Math.max(120_000, CALLS * 20) }, async (t) => {
  const gw = scriptedGateway();
  let n = 0;
  const authing = (req) => {
    const p = req.url.slice(HOST.length).split('?')[0];
    n++;
    if (n % 13 === 0) return { statusCode: 502, data: '<html>bad gateway</html>', header: {} };
    if (n % 17 === 0) return json({ statusCode: 2333, message: 'server says no' });
    if (n % 19 === 0) throw new Error('ECONNRESET');
    if (p === '/api/v3/system') return json({ rsa: { publicKey: rsaSpkiPem() }, sm2: { publicKey: '04' + 'ab'.repeat(64) } });
    if (p === '/api/v3/signin') return json({ statusCode: 200, data: { access_token: 'AT', id_token: 'IT', refresh_token: 'RT', expires_in: 3600 } });
    if (p === '/api/v3/get-profile') return json({ statusCode: 200, data: { userId: 'u1', nickname: '名'.repeat(n % 200) } });
    return json({ statusCode: 200, message: 'ok' });
  };
  const sim = hostSim.createHost({
    profile: 'wechat-ios', packageRoot: instrumentedPackage(), login: () => 'WXCODE',
    responder: (req) => (req.url.startsWith(HOST) ? authing(req) : req.url.startsWith('https://x.test/') ? { statusCode: 200, data: 'pong', header: {} } : gw.responder(req)),
  });
  t.after(() => sim.close());
  let instance = null;
  const WX = sim.global.WXWebAssembly;
  const instantiate = WX.instantiate;
  WX.instantiate = (p, imports) => instantiate(p, imports).then((r) => { instance = r.instance || r; return r; });

  const sdk = sim.require('miniapp-sdk');
  const reserved = sdk.__soakDiag().live; // slots the glue pre-fills (undefined, null, true, false, padding)
  const a = new sdk.Authing({ appId: 'app1', userPoolId: 'pool1', host: HOST });
  const mps = new sdk.MPServerless({ request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login }, { appId: 'APPID', spaceId: SPACE, clientSecret: SECRET, endpoint: ENDPOINT });
  const { core } = await sdk.init();

  const ops = [
    () => a.getUserInfo(),
    () => a.getLoginState(),
    () => a.loginByPassword({ passwordPayload: { username: 'bob', password: 'pw' } }),
    () => a.updateUserInfo({ nickname: 'x' }),
    () => a.sendSms({ phoneNumber: '13800000000', channel: 'CHANNEL_LOGIN' }),
    () => a.loginByCode({ extIdpConnidentifier: 'wx' }),
    () => mps.function.invoke('echo', { k: 'v'.repeat(50) }).catch((e) => e),
    () => mps.db.collection('books').find({ title: /^h/i }, { limit: 5 }).catch((e) => e),
    () => mps.db.collection('books').insertOne({ a: 1 }).catch((e) => e),
    () => mps.function.invoke('').catch((e) => e), // validation error
    () => core.ping('https://x.test/' + n).catch((e) => e),
    () => core.ping('').catch((e) => e), // INVALID_ARGUMENT
  ];
  let done = 0;
  const outcomes = { ok: 0, error: 0 };
  const runCalls = async (count) => {
    for (let i = 0; i < count; i += BATCH) {
      const batch = [];
      for (let j = 0; j < BATCH && i + j < count; j++) batch.push(ops[(done + j) % ops.length]());
      const rs = await Promise.all(batch);
      for (const r of rs) {
        if (Array.isArray(r) ? r[0] !== null : r instanceof sim.realm.Error) outcomes.error++;
        else outcomes.ok++;
      }
      done += batch.length;
    }
  };
  await mps.user.authorize({ authType: 'anonymous' });
  await a.loginByPassword({ passwordPayload: { username: 'bob', password: 'pw' } });

  const diag = () => ({ memory: instance.exports.memory.buffer.byteLength, ...sdk.__soakDiag() });
  const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

  await runCalls(Math.min(1200, CALLS)); // warm-up: the allocator reaches its working set
  await settle();
  const base = diag();
  const started = Date.now();
  await runCalls(CALLS);
  await settle();
  const after = diag();
  const secs = (Date.now() - started) / 1000;
  console.log(`# soak: ${CALLS} calls in ${secs.toFixed(1)} s (${Math.round(CALLS / secs)} calls/s; ${outcomes.ok} ok, ${outcomes.error} typed errors)`);
  console.log(`# soak: wasm memory ${base.memory} → ${after.memory} bytes; live handles ${base.live - reserved} → ${after.live - reserved} (plus ${reserved} slots the glue reserves; slab ${base.slots} → ${after.slots} slots)`);
  assert.ok(outcomes.ok > 0 && outcomes.error > 0, 'both paths exercised');
  assert.equal(after.live, base.live, 'the glue holds no more JS values than after warm-up');
  assert.equal(after.memory, base.memory, 'wasm linear memory did not grow');
  assert.equal(sim.stats.mathRandomCalls, 0);
  assert.deepEqual(gw.state.problems, []);
  // Still working afterwards.
  assert.equal((await a.getUserInfo()).length, 2);
  assert.equal((await core.ping('https://x.test/final')).statusCode, 200);
});
