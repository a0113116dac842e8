// Differential test: the official @alicloud/mpserverless-sdk@3.1.5 and ours, each in its own
// simulated realm (WeChat and Alipay profiles) with the same pinned clock and the same scripted
// gateway, make the same calls; every request must be byte-identical (URL, body: method, params,
// token, timestamp; signature; token header), every upload form identical, every result equal.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { realm, load, pinClock, scriptedGateway, plain, codePackage, SECRET, SPACE, ENDPOINT } from './mpserverless-gateway.mjs';

/** A file in the code package, so both realms upload the same path (temp paths are random). */
function photo() {
  const p = path.join(codePackage(), 'assets', 'photo.png');
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, 'PNGDATA');
  return 'assets/photo.png';
}

/** Callback-style getFileInfo / getImageInfo as the platforms have them (3.1.5 needs both). */
function fileApis(type = 'png') {
  const later = (o, res) => setTimeout(() => { if (o.success) o.success(res); if (o.complete) o.complete(res); }, 1);
  return {
    getFileInfo: (o) => later(o, { size: 7, errMsg: 'getFileInfo:ok' }),
    getImageInfo: (o) => later(o, { width: 1, height: 1, type, path: o.src, errMsg: 'getImageInfo:ok' }),
  };
}

function platformApi(sim) {
  return sim.profile === 'alipay-logic'
    ? { request: sim.my.request, uploadFile: sim.my.uploadFile, getAuthCode: sim.my.getAuthCode, ...fileApis() }
    : { request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login, ...fileApis() };
}

async function scenario(t, profile, which) {
  const gw = scriptedGateway();
  const sim = realm(t, profile, { responder: gw.responder });
  const clock = pinClock(sim);
  const MPServerless = load(sim, which);
  const D = sim.global.Date;
  const mps = new MPServerless(platformApi(sim), { appId: 'APPID', spaceId: SPACE, clientSecret: SECRET, endpoint: ENDPOINT });
  const results = [];
  const step = async (name, fn) => {
    clock.tick(1);
    results.push([name, plain(await fn())]);
  };
  await step('authorize anonymous', () => mps.user.authorize({ authType: 'anonymous' }));
  await step('getInfo', () => mps.user.getInfo());
  await step('invoke', () => mps.function.invoke('hello', { x: '中文', n: 1.5, d: new D(0), nested: { b: 1, a: [1, null, 'é/"\\'] }, u: undefined }));
  await step('invoke no args', () => mps.function.invoke('hello'));
  const books = mps.db.collection('books');
  await step('find', () => books.find({ title: 'a', n: { $gt: 1 }, 10: 'x', when: new D(86400000) }, { limit: 10, skip: 0, sort: { title: 1 }, projection: { title: 1 } }));
  await step('find no args', () => books.find());
  await step('findOne', () => books.findOne({ _id: 'id1' }));
  await step('count', () => books.count({}));
  await step('distinct', () => books.distinct('title', { n: 1 }));
  await step('aggregate', () => books.aggregate([{ $match: { n: 1 } }, { $group: { _id: '$title', total: { $sum: 1 } } }], { allowDiskUse: true }));
  await step('insertOne', () => books.insertOne({ title: 'b', tags: ['x'], nested: { z: 1, y: null } }));
  await step('insertMany', () => books.insertMany([{ t: 1 }, { t: 2 }]));
  await step('updateOne', () => books.updateOne({ _id: 'id1' }, { $set: { t: 3 } }, { upsert: true }));
  await step('updateMany', () => books.updateMany({}, { $inc: { n: 1 } }));
  await step('replaceOne', () => books.replaceOne({ _id: 'id1' }, { t: 4 }));
  await step('findOneAndUpdate', () => books.findOneAndUpdate({ _id: 'id1' }, { $set: { t: 5 } }, { returnNewDocument: true, sort: { t: -1 } }));
  await step('findOneAndReplace', () => books.findOneAndReplace({ _id: 'id1' }, { t: 6 }));
  await step('findOneAndDelete', () => books.findOneAndDelete({ _id: 'id1' }));
  await step('deleteOne', () => books.deleteOne({ _id: 'id1' }));
  await step('deleteMany', () => books.deleteMany({ t: { $lt: 0 } }));
  clock.tick(1);
  const tx = await mps.db.startTransaction();
  results.push(['startTransaction', tx.id]);
  await step('tx insertOne', () => tx.collection('books').insertOne({ t: 7 }));
  await step('tx updateOne', () => tx.collection('todos').updateOne({ t: 7 }, { $set: { t: 8 } }));
  await step('tx commit', () => tx.commit());
  await step('deleteFile', () => mps.file.deleteFile('fid'));
  await step('file info', () => mps.file.info(['a', 'b'], { maxAge: 60 }));
  await step('uploadFile', () => mps.file.uploadFile({ filePath: photo(), meta: { owner: 'me' }, headers: { contentDisposition: 'inline' } }));
  gw.state.invalidateNext = 1; // the session expires server-side: renew once and retry
  await step('invoke after expiry', () => mps.function.invoke('hello', { again: true }));
  const provider = profile === 'alipay-logic' ? 'alipay_openapi' : 'wechat_openapi';
  await step('authorize provider', () => mps.user.authorize({ authProvider: provider }));
  await step('getInfo after provider', () => mps.user.getInfo());
  await step('count after provider', () => books.count({ n: 1 }));
  assert.deepEqual(gw.state.problems, [], `${which}: every signature and token header verified`);
  return { log: gw.state.log, uploads: gw.state.uploads, results, logins: sim.stats.logins };
}

for (const profile of ['wechat-ios', 'alipay-logic']) {
  test(`${profile}: official 3.1.5 and ours send the same envelopes and return the same results`, async (t) => {
    const official = await scenario(t, profile, 'official');
    const ours = await scenario(t, profile, 'ours');
    assert.equal(ours.log.length, official.log.length, 'same number of requests');
    assert.ok(official.log.length >= 30);
    for (let i = 0; i < official.log.length; i++) {
      const o = official.log[i];
      const u = ours.log[i];
      const what = `request ${i} (${o.body.method} ${o.body.params || ''})`;
      assert.equal(u.url, o.url, what);
      assert.equal(u.raw, o.raw, `${what}: body byte-identical`);
      assert.equal(u.sign, o.sign, `${what}: signature`);
      assert.equal(u.tokenHeader, o.tokenHeader, `${what}: x-basement-token`);
      assert.equal(u.contentType, o.contentType, `${what}: content-type`);
    }
    assert.deepEqual(ours.uploads.map(({ url, formData, field, filePath }) => ({ url, formData, field, filePath })),
      official.uploads.map(({ url, formData, field, filePath }) => ({ url, formData, field, filePath })));
    assert.deepEqual(ours.uploads.map((u) => u.header['x-oss-server-side-encrpytion']), official.uploads.map((u) => u.header['x-oss-server-side-encrpytion']));
    assert.deepEqual(ours.results, official.results);
    assert.equal(ours.logins, official.logins);
    // The renewal: refused call, re-authorization, retry with the new token and the same params.
    const methods = official.log.map((e) => e.body.method);
    const retry = methods.lastIndexOf('serverless.function.runtime.invoke');
    assert.deepEqual(methods.slice(retry - 2, retry + 1), ['serverless.function.runtime.invoke', 'serverless.auth.user.anonymousAuthorize', 'serverless.function.runtime.invoke']);
  });
}

// The rest of 3.1.5's surface: the collection-level transaction chain, the two upload RPCs on
// their own, `wrap`, and `setDebugFlag` with the `logger` option (which must not change a byte).
async function remainder(t, profile, which) {
  const gw = scriptedGateway();
  const sim = realm(t, profile, { responder: gw.responder });
  const clock = pinClock(sim);
  const MPServerless = load(sim, which);
  const lines = [];
  const logger = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) logger[level] = (...args) => lines.push([level, args]);
  const mps = new MPServerless(platformApi(sim), { appId: 'APPID', spaceId: SPACE, clientSecret: SECRET, endpoint: ENDPOINT, logger });
  const results = [];
  const step = async (name, fn) => {
    clock.tick(1);
    results.push([name, plain(await fn())]);
  };
  results.push(['debug before', mps.debug]);
  await step('authorize anonymous', () => mps.user.authorize({ authType: 'anonymous' }));
  const quiet = lines.length;
  mps.setDebugFlag(true);
  results.push(['debug on', mps.debug, mps.logger === logger]);
  const todos = mps.db.collection('todos');
  await step('chain transaction', () => todos.transaction());
  await step('chain insertOne', () => todos.insertOne({ t: 1 }));
  await step('chain findOne', () => todos.findOne({ t: 1 }));
  results.push(['chain collection() returns the same object', todos.collection('books') === todos]);
  await step('chain updateOne other collection', () => todos.updateOne({ t: 1 }, { $set: { t: 2 } }, { upsert: true }));
  await step('chain commit', () => todos.commit());
  const notes = mps.db.collection('notes');
  await step('chain 2 transaction', () => notes.transaction());
  await step('chain 2 deleteOne', () => notes.deleteOne({ t: 2 }));
  await step('chain 2 rollback', () => notes.rollback());
  await step('plain collection after', () => mps.db.collection('todos').count({}));
  await step('oss sign', () => mps.file.getOSSUploadOptionsFromPath('dir/sub/photo.png', 'avatars', 7, '/a/b.png'));
  await step('oss sign bare', () => mps.file.getOSSUploadOptionsFromPath('photo.jpg'));
  await step('oss report', () => mps.file.reportOSSUpload('fid', 'image/png'));
  await step('oss report bare', () => mps.file.reportOSSUpload('fid'));
  const provider = profile === 'alipay-logic' ? 'alipay_openapi' : 'wechat_openapi';
  await step('authorize provider (debug on)', () => mps.user.authorize({ authProvider: provider }));
  await step('invoke (debug on)', () => mps.function.invoke('hello', { a: 1 }));
  mps.setDebugFlag(false);
  const loud = lines.length;
  await step('invoke (debug off)', () => mps.function.invoke('hello', { a: 2 }));
  results.push(['debug off', mps.debug, lines.length === loud]);
  // wrap: the official helper over a callback API, failures resolved too, `headers` from `header`.
  const calls = [];
  const api = (o) => { calls.push(Object.keys(o)); setTimeout(() => o.complete(o.fail ? { errMsg: 'x:fail', header: { h: 1 } } : { ok: o.n }), 1); };
  const wrapped = mps.wrap(api);
  results.push(['wrap ok', plain(await wrapped({ n: 1 }))]);
  results.push(['wrap fail resolves', plain(await wrapped({ fail: true }))]);
  results.push(['wrap args', plain(calls)]);
  assert.deepEqual(gw.state.problems, [], `${which}: every signature and token header verified`);
  return { log: gw.state.log, results, lines, quiet, loud };
}

/** Every secret value the gateway saw or minted: tokens, signatures, the login code, the client secret, OSS credentials. */
function secretsOf(log) {
  const out = new Set([SECRET, 'SIG', 'STS']);
  for (const e of log) {
    if (e.sign) out.add(e.sign);
    if (e.body.token) out.add(e.body.token);
    const p = e.body.params ? JSON.parse(e.body.params) : {};
    if (p.authCode) out.add(p.authCode);
  }
  for (let n = 1; n <= 4; n++) out.add(`tok-${n}`);
  return [...out];
}

for (const profile of ['wechat-ios', 'alipay-logic']) {
  test(`${profile}: the collection transaction chain, the OSS RPCs, wrap and debug lines match 3.1.5 on the wire`, async (t) => {
    const official = await remainder(t, profile, 'official');
    const ours = await remainder(t, profile, 'ours');
    assert.equal(ours.log.length, official.log.length, 'same number of requests');
    for (let i = 0; i < official.log.length; i++) {
      const o = official.log[i];
      const u = ours.log[i];
      const what = `request ${i} (${o.body.method} ${o.body.params || ''})`;
      assert.equal(u.url, o.url, what);
      assert.equal(u.raw, o.raw, `${what}: body byte-identical`);
      assert.equal(u.sign, o.sign, `${what}: signature`);
      assert.equal(u.tokenHeader, o.tokenHeader, `${what}: x-basement-token`);
    }
    assert.deepEqual(ours.results, official.results);
    const params = official.log.map((e) => e.body.params && JSON.parse(e.body.params));
    assert.deepEqual(params.filter((p) => p && p.command && /Transaction$/.test(p.command)), [
      { collection: 'todos', options: {}, command: 'startTransaction' },
      { collection: 'books', transactionId: 'tx-1', options: {}, command: 'commitTransaction' },
      { collection: 'notes', options: {}, command: 'startTransaction' },
      { collection: 'notes', transactionId: 'tx-1', options: {}, command: 'abortTransaction' },
    ]);
    assert.deepEqual(params.filter((p) => p && p.env), [
      { env: 'public', filename: 'photo.png', size: 7, targetPath: 'avatars', fileId: '/a/b.png' },
      { env: 'public', filename: 'photo.jpg' },
    ]);
    // Debug lines: none before the flag or after it is cleared; while it is on, ours never carry a
    // secret (3.1.5 logs the token, the signature, the login code and the access token as they are).
    for (const run of [official, ours]) {
      assert.equal(run.quiet, 0, 'no line before setDebugFlag(true)');
      assert.ok(run.loud > 10, `lines while the flag is on (${run.loud})`);
    }
    const text = (run) => JSON.stringify(run.lines);
    const secrets = secretsOf(ours.log);
    assert.deepEqual(secrets.filter((s) => text(ours).includes(s)), [], 'no secret in our debug lines');
    assert.ok(secrets.some((s) => text(official).includes(s)), '3.1.5 logs secrets (what the redaction is for)');
    assert.match(text(ours), /serverless\.db\.default\.execute/, 'our lines name the requests');
    assert.match(text(ours), /\[redacted\]/);
  });
}
