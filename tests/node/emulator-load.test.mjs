// The emulator under load and faults, over loopback:
//
// 1. An open-loop load run at a fixed rate (MINIAPP_LOAD_RATE requests/s, default 200, for
//    MINIAPP_LOAD_SECS, default 4 s) mixing Authing (system keys, password sign-in, profile) and
//    signed MPServerless gateway calls (insertOne, find, function invoke): no errors, p50/p99 printed.
// 2. kill -9 in the middle of a write stream (gateway inserts and admin user creations from 8
//    concurrent writers), restart on the same data directory: every acknowledged write is there.
// 3. Throttles: SMS resend within the interval → 429 TooManyRequests; 5 wrong SMS codes burn the
//    code; repeated wrong passwords lock the account's password logins (403/2005).
// 4. Signature replay: the same signed request replayed inside the ±600 s window is accepted (the
//    protocol has no nonce; the signature covers the timestamp), outside it → TimestampExpired;
//    a tampered body under an old signature → SignatureDoesNotMatch.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { buildEmulator, startEmulator } from './_emulator.mjs';

const RATE = Number(process.env.MINIAPP_LOAD_RATE || 400);
const SECS = Number(process.env.MINIAPP_LOAD_SECS || 4);
const SPACE = 'dev-space';
const SECRET = 'dev-secret';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP request over loopback: resolves {status, body (parsed when JSON), ms}. */
function send(base, method, p, { body, headers = {}, form } = {}) {
  const url = new URL(base + p);
  const payload = form !== undefined ? form : body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const h = { ...headers };
  if (payload !== undefined) {
    h['content-type'] = h['content-type'] || (form !== undefined ? 'application/x-www-form-urlencoded' : 'application/json');
    h['content-length'] = Buffer.byteLength(payload);
  }
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, body: parsed, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A signed gateway call, built as the SDK builds it (envelope key order, HMAC-MD5 over sorted fields). */
function gatewayBody(method, params, token, timestamp = Date.now()) {
  const paramsText = params === undefined ? undefined : JSON.stringify(params);
  const fields = { method, params: paramsText, spaceId: SPACE, timestamp, token };
  const toSign = ['method', 'params', 'spaceId', 'timestamp', 'token'].filter((k) => fields[k]).map((k) => `${k}=${fields[k]}`).join('&');
  const sign = createHmac('md5', SECRET).update(toSign, 'utf8').digest('hex');
  const body = { spaceId: SPACE, method };
  if (paramsText !== undefined) body.params = paramsText;
  if (token) body.token = token;
  body.timestamp = timestamp;
  const headers = { 'x-serverless-sign': sign };
  if (token) headers['x-basement-token'] = token;
  return { body: JSON.stringify(body), headers };
}

const gateway = (base, method, params, token, timestamp) => send(base, 'POST', '/client', gatewayBody(method, params, token, timestamp));

async function anonymousToken(base) {
  const r = await gateway(base, 'serverless.auth.user.anonymousAuthorize', {});
  assert.equal(r.body.success, true, JSON.stringify(r.body));
  return r.body.data.accessToken;
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

test('load, kill -9, throttles and replay against the emulator', { timeout: 15 * 60_000 }, async (t) => {
  await buildEmulator();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-load-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  let emu = await startEmulator({ dataDir, args: ['--auto-create-collections'] });
  t.after(() => emu.stop());
  const base = () => emu.url;

  await t.test(`open-loop load at ${RATE} req/s for ${SECS} s`, async () => {
    await emu.admin('POST', '/__admin/users', { username: 'loaduser', password: 'Load-pw-123' });
    const token = await anonymousToken(base());
    const signin = await send(base(), 'POST', '/api/v3/signin', { headers: { 'x-authing-app-id': 'dev-app' }, body: { connection: 'PASSWORD', passwordPayload: { username: 'loaduser', password: 'Load-pw-123' } } });
    assert.equal(signin.body.statusCode, 200, JSON.stringify(signin.body));
    const access = signin.body.data.access_token;
    const mix = [
      () => send(base(), 'GET', '/api/v3/system'),
      () => send(base(), 'GET', '/api/v3/get-profile', { headers: { 'x-authing-userpool-id': 'dev-pool', authorization: access } }),
      () => gateway(base(), 'serverless.db.default.execute', { collection: 'load', command: 'insertOne', doc: { at: Date.now(), pad: 'x'.repeat(64) } }, token),
      () => gateway(base(), 'serverless.db.default.execute', { collection: 'load', command: 'find', query: {}, options: { limit: 10 } }, token),
      () => gateway(base(), 'serverless.function.runtime.invoke', { functionTarget: 'echo', functionArgs: { n: 1 } }, token),
      () => gateway(base(), 'serverless.db.default.execute', { collection: 'load', command: 'count', query: {} }, token),
      () => gateway(base(), 'serverless.function.runtime.invoke', { functionTarget: 'hello', functionArgs: { name: 'load' } }, token),
      () => gateway(base(), 'serverless.auth.user.getProfileInfo', {}, token),
    ];
    const total = RATE * SECS;
    const interval = 1000 / RATE;
    const results = [];
    const errors = [];
    const inflight = new Set();
    let maxInflight = 0;
    const started = Date.now();
    for (let i = 0; i < total; i++) {
      const due = started + i * interval;
      const wait = due - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const p = mix[i % mix.length]().then((r) => {
        const ok = r.status === 200 && (r.body.success === true || r.body.statusCode === 200 || (r.body.rsa && r.body.sm2));
        if (!ok) errors.push({ status: r.status, body: r.body });
        results.push(r.ms);
      }, (e) => errors.push({ error: e.message }));
      inflight.add(p);
      p.finally(() => inflight.delete(p));
      maxInflight = Math.max(maxInflight, inflight.size);
    }
    await Promise.all(inflight);
    const secs = (Date.now() - started) / 1000;
    console.log(`# load: ${results.length} requests in ${secs.toFixed(2)} s = ${(results.length / secs).toFixed(0)} req/s (target ${RATE}), ${errors.length} errors, latency p50 ${pct(results, 0.5).toFixed(1)} ms p99 ${pct(results, 0.99).toFixed(1)} ms max ${Math.max(...results).toFixed(1)} ms, max in flight ${maxInflight}`);
    assert.deepEqual(errors.slice(0, 3), [], `${errors.length} errors`);
    assert.equal(results.length, total);
    assert.ok(secs < SECS * 1.5 + 2, `the emulator kept up with ${RATE} req/s (took ${secs.toFixed(1)} s)`);
  });

  await t.test('kill -9 during a write stream, restart: no acknowledged write lost', async () => {
    const token = await anonymousToken(base());
    const ackedDocs = [];
    const ackedUsers = [];
    let stop = false;
    let attempted = 0;
    let failedInFlight = 0;
    const writer = async (w) => {
      for (let i = 0; !stop; i++) {
        attempted++;
        try {
          if (i % 5 === 4) {
            const name = `crash-w${w}-${i}`;
            const r = await send(base(), 'POST', '/__admin/users', { body: { username: name, password: 'Crash-pw-123' } });
            if (r.status === 201) ackedUsers.push(name);
          } else {
            const key = `w${w}-${i}`;
            const r = await gateway(base(), 'serverless.db.default.execute', { collection: 'crash', command: 'insertOne', doc: { key } }, token);
            if (r.body && r.body.success === true) ackedDocs.push({ key, id: r.body.data.result });
          }
        } catch {
          failedInFlight++; // the request the kill cut off: never acknowledged
          return;
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    await new Promise((r) => setTimeout(r, 1500));
    const pid = emu.child.pid;
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    stop = true;
    await Promise.all(writers);
    await new Promise((r) => emu.child.exitCode !== null || emu.child.signalCode !== null ? r() : emu.child.once('exit', r));
    assert.equal(emu.child.signalCode, 'SIGKILL');
    const restartStarted = Date.now();
    emu = await startEmulator({ dataDir, args: ['--auto-create-collections'] });
    const restartMs = Date.now() - restartStarted;
    // Sessions survive a restart too (stored in SQLite); use a fresh one anyway.
    const token2 = await anonymousToken(base());
    const found = await gateway(base(), 'serverless.db.default.execute', { collection: 'crash', command: 'find', query: {}, options: { limit: 500, skip: 0 } }, token2);
    const all = [];
    for (let skip = 0; ; skip += 500) {
      const page = skip === 0 ? found : await gateway(base(), 'serverless.db.default.execute', { collection: 'crash', command: 'find', query: {}, options: { limit: 500, skip } }, token2);
      assert.equal(page.body.success, true, JSON.stringify(page.body));
      all.push(...page.body.data.result);
      if (page.body.data.result.length < 500) break;
    }
    const byKey = new Map(all.map((d) => [d.key, d._id]));
    const lostDocs = ackedDocs.filter((d) => byKey.get(d.key) !== d.id);
    const users = new Set((await emu.admin('GET', '/__admin/users')).map((u) => u.username));
    const lostUsers = ackedUsers.filter((u) => !users.has(u));
    console.log(`# crash: kill -9 after ${ackedDocs.length + ackedUsers.length} acknowledged writes (${ackedDocs.length} inserts, ${ackedUsers.length} users; ${attempted} attempted, ${failedInFlight} cut off in flight), restart in ${restartMs} ms: ${lostDocs.length + lostUsers.length} acknowledged writes lost, ${all.length - ackedDocs.length} unacknowledged inserts also present`);
    assert.ok(ackedDocs.length > 50, 'the stream was running when killed');
    assert.deepEqual(lostDocs, []);
    assert.deepEqual(lostUsers, []);
    assert.ok(Date.now() - killedAt < 120_000);
  });

  await t.test('throttles: SMS resend, SMS code brute force, wrong passwords', async () => {
    const sms = (phone) => send(base(), 'POST', '/api/v3/send-sms', { headers: { 'x-authing-userpool-id': 'dev-pool' }, body: { phoneNumber: phone, channel: 'CHANNEL_LOGIN' } });
    const first = await sms('13900000001');
    assert.equal(first.body.statusCode, 200, JSON.stringify(first.body));
    const again = await sms('13900000001');
    assert.equal(again.body.statusCode, 429, JSON.stringify(again.body));
    assert.equal(again.body.apiCode, 2080);
    assert.equal((await sms('13900000002')).body.statusCode, 200, 'another phone is not throttled');
    // SMS code brute force: 5 wrong codes burn the code, the right one is then refused.
    const [{ code }] = await emu.admin('GET', '/__admin/sms?phone=13900000001');
    const passcode = (c) => send(base(), 'POST', '/api/v3/signin', { headers: { 'x-authing-app-id': 'dev-app' }, body: { connection: 'PASSCODE', passCodePayload: { phone: '13900000001', passCode: c }, options: { autoRegister: true } } });
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) assert.notEqual((await passcode(wrong)).body.statusCode, 200);
    const burnt = await passcode(code);
    assert.notEqual(burnt.body.statusCode, 200, 'the code is burnt after 5 wrong tries: ' + JSON.stringify(burnt.body));
    // Wrong passwords: refused with the same answer as an unknown account, each costing an argon2id
    // verification; after 5 in a row (--login-fail-limit, within --login-lock-secs) the account's
    // password logins are locked (403, apiCode 2005), even with the right password.
    await emu.admin('POST', '/__admin/users', { username: 'victim', password: 'Right-pw-123' });
    const pw = (u, p) => send(base(), 'POST', '/api/v3/signin', { headers: { 'x-authing-app-id': 'dev-app' }, body: { connection: 'PASSWORD', passwordPayload: { username: u, password: p } } });
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await pw('victim', 'guess-' + i)).body);
    const perGuessMs = (Date.now() - started) / 5;
    const nobody = (await pw('nobody-here', 'guess')).body;
    assert.ok(answers.every((b) => b.statusCode === 403 && b.message === answers[0].message && b.apiCode === answers[0].apiCode), JSON.stringify(answers));
    assert.equal(nobody.message, answers[0].message, 'an unknown user gets the same answer');
    const lockedOut = (await pw('victim', 'Right-pw-123')).body;
    assert.equal(lockedOut.statusCode, 403, JSON.stringify(lockedOut));
    assert.equal(lockedOut.apiCode, 2005, 'the 6th attempt meets the lock: ' + JSON.stringify(lockedOut));
    // A successful login resets the count: 4 wrong, right, 4 wrong, right.
    await emu.admin('POST', '/__admin/users', { username: 'careless', password: 'Right-pw-456' });
    for (const round of [1, 2]) {
      for (let i = 0; i < 4; i++) assert.equal((await pw('careless', 'oops-' + i)).body.apiCode, answers[0].apiCode);
      assert.equal((await pw('careless', 'Right-pw-456')).body.statusCode, 200, 'round ' + round);
    }
    console.log(`# throttles: SMS resend → 429/2080; 5 wrong SMS codes burn the code; wrong passwords refused alike at ${perGuessMs.toFixed(0)} ms each, locked (2005) after 5`);
  });

  await t.test('signature replay and the ±600 s timestamp window', async () => {
    const token = await anonymousToken(base());
    const call = gatewayBody('serverless.function.runtime.invoke', { functionTarget: 'echo', functionArgs: { replay: 1 } }, token);
    const post = (c) => send(base(), 'POST', '/client', c);
    assert.equal((await post(call)).body.success, true);
    // Inside the window a byte-identical replay is accepted: the protocol has no nonce (the
    // official gateway behaves the same way), so replay protection is the window itself.
    assert.equal((await post(call)).body.success, true, 'replay inside the window accepted (documented)');
    for (const skewS of [-601, 601, -3600, 86400]) {
      const r = await post(gatewayBody('serverless.function.runtime.invoke', { functionTarget: 'echo', functionArgs: {} }, token, Date.now() + skewS * 1000));
      assert.equal(r.body.success, false);
      assert.equal(r.body.error.code, 'InvalidParameter.TimestampExpired', `skew ${skewS} s: ${JSON.stringify(r.body)}`);
    }
    for (const skewS of [-590, 590]) {
      const r = await post(gatewayBody('serverless.function.runtime.invoke', { functionTarget: 'echo', functionArgs: {} }, token, Date.now() + skewS * 1000));
      assert.equal(r.body.success, true, `skew ${skewS} s is inside the window`);
    }
    // A captured request replayed with a fresh timestamp but the old signature, or with changed params.
    const old = JSON.parse(call.body);
    const refreshed = { ...call, body: JSON.stringify({ ...old, timestamp: Date.now() }) };
    assert.equal((await post(refreshed)).body.error.code, 'InvalidParameter.SignatureDoesNotMatch');
    const tampered = { ...call, body: JSON.stringify({ ...old, params: JSON.stringify({ functionTarget: 'echo', functionArgs: { replay: 2 } }) }) };
    assert.equal((await post(tampered)).body.error.code, 'InvalidParameter.SignatureDoesNotMatch');
    console.log('# replay: identical replay inside ±600 s accepted (no nonce in the protocol); ±601 s and beyond → TimestampExpired; re-timestamped or tampered → SignatureDoesNotMatch');
  });
  agent.destroy();
});
