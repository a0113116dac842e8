// The official @alicloud/mpserverless-sdk@3.1.5, unmodified, in the host simulator's WeChat and
// Alipay realms against the local emulator: authorization (anonymous and the platform's own
// provider), user.getInfo, every db command and transactions, function.invoke and the file calls.
// This is how we know the emulator speaks the real gateway protocol.
//
// The published dist/index.js is a UMD CommonJS bundle; it is copied byte for byte where each
// platform's npm build puts it (WeChat: miniprogram_npm/@alicloud/mpserverless-sdk/, from its
// `miniprogram: "dist"` field; Alipay: node_modules/@alicloud/mpserverless-sdk/) and constructed by a
// page that follows the API document (shared/reference/api-mpserverless.md), passing the platform's
// APIs. The simulator has no getFileInfo/getImageInfo (3.1.5's upload needs both): the tests add
// them to the realm's wx/my, answering for the simulator's temp files.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { ROOT, buildEmulator, startEmulator } from './_emulator.mjs';
import { plain } from './mpserverless-gateway.mjs';

const require = createRequire(import.meta.url);
/** Every test is bounded (the emulator is local; a hang is a failure, not a stall). */
const BOUNDED = { timeout: 60_000 };
const hostSim = require('../host-sim/index.cjs');

const OFFICIAL_DIR = path.join(ROOT, 'node_modules', '@alicloud', 'mpserverless-sdk');
const OFFICIAL_DIST = path.join(OFFICIAL_DIR, 'dist', 'index.js');
const SPACE = 'dev-space';
const SECRET = 'dev-secret';

// ---- the code package ------------------------------------------------------------------------------

/** Pages written from the API document's init snippets (the emulator's console values filled in). */
const PAGES = {
  wechat: `const MPServerless = require('@alicloud/mpserverless-sdk');
module.exports = function create(endpoint) {
  return new MPServerless({
    uploadFile: wx.uploadFile,
    request: wx.request,
    getAuthCode: wx.login,
    getFileInfo: wx.getFileInfo,
    getImageInfo: wx.getImageInfo,
  }, {
    appId: 'wx0000000000devapp',
    spaceId: '${SPACE}',
    clientSecret: '${SECRET}',
    endpoint: endpoint,
  });
};
`,
  // The document's Alipay init (its import compiled as the Alipay IDE does), plus getFileInfo and
  // getImageInfo: without getImageInfo 3.1.5 cannot upload (a defect of the document's example).
  alipay: `var _mod = require('@alicloud/mpserverless-sdk');
var MPServerless = _mod && _mod.__esModule ? _mod['default'] : _mod;
module.exports = function create(endpoint) {
  return new MPServerless({
    uploadFile: my.uploadFile,
    request: my.request,
    getAuthCode: my.getAuthCode,
    getFileInfo: my.getFileInfo,
    getImageInfo: my.getImageInfo,
  }, {
    appId: '2021000000000000',
    spaceId: '${SPACE}',
    clientSecret: '${SECRET}',
    endpoint: endpoint,
  });
};
`,
};

let packageRoot = null;
function codePackage() {
  if (!packageRoot) {
    packageRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'official-mps-'));
    const write = (rel, content) => {
      fs.mkdirSync(path.dirname(path.join(packageRoot, rel)), { recursive: true });
      fs.writeFileSync(path.join(packageRoot, rel), content);
    };
    const dist = fs.readFileSync(OFFICIAL_DIST);
    write('app.json', JSON.stringify({ pages: ['pages/index/index'] }));
    write('miniprogram_npm/@alicloud/mpserverless-sdk/index.js', dist);
    write('node_modules/@alicloud/mpserverless-sdk/package.json', fs.readFileSync(path.join(OFFICIAL_DIR, 'package.json')));
    write('node_modules/@alicloud/mpserverless-sdk/dist/index.js', dist);
    write('pages/mps-wechat.js', PAGES.wechat);
    write('pages/mps-alipay.js', PAGES.alipay);
  }
  return packageRoot;
}

// ---- the realm ---------------------------------------------------------------------------------------

const PROFILES = [
  { profile: 'wechat-ios', platform: 'wechat', api: 'wx', provider: 'wechat_openapi' },
  { profile: 'alipay-logic', platform: 'alipay', api: 'my', provider: 'alipay_openapi' },
];

/** The simulator answers over loopback; the SDK's OSS URLs are `https://127.0.0.1:PORT/…` (served over http). */
function emulatorResponder() {
  const send = hostSim.loopbackResponder();
  return (req) => send({ ...req, url: req.url.replace(/^https:\/\/(127\.0\.0\.1|localhost)([:/])/, 'http://$1$2') });
}

function imageType(bytes) {
  if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  return null;
}

/**
 * getFileInfo / getImageInfo for the realm's `api` object, in the platform's shapes (WeChat
 * `{size, digest, errMsg}` / `{width, height, path, orientation, type, errMsg}`; Alipay
 * `{size, digest}` / `{width, height, path, orientation, type}`, failures `{error, errorMessage}`).
 */
function installFileApis(sim, apiName, files) {
  const api = sim.global[apiName];
  const wechat = apiName === 'wx';
  const later = (o, ok, value) => {
    const v = sim.realm.JSON.parse(JSON.stringify(value));
    setImmediate(() => {
      if (ok && o.success) o.success(v);
      if (!ok && o.fail) o.fail(v);
      if (o.complete) o.complete(v);
    });
  };
  api.getFileInfo = (opts) => {
    const o = opts || {};
    const p = wechat ? o.filePath : o.apFilePath;
    const bytes = files.get(p);
    if (!bytes) return later(o, false, wechat ? { errMsg: 'getFileInfo:fail file not found' } : { error: 12, errorMessage: 'file not found' });
    const digest = createHash(o.digestAlgorithm === 'sha1' ? 'sha1' : 'md5').update(bytes).digest('hex');
    return later(o, true, wechat ? { size: bytes.length, digest, errMsg: 'getFileInfo:ok' } : { size: bytes.length, digest });
  };
  api.getImageInfo = (opts) => {
    const o = opts || {};
    const bytes = files.get(o.src);
    const type = bytes && imageType(bytes);
    if (!type) return later(o, false, wechat ? { errMsg: 'getImageInfo:fail file not found or not an image' } : { error: 15, errorMessage: 'not an image' });
    const info = { width: 1, height: 1, path: o.src, orientation: 'up', type };
    return later(o, true, wechat ? { ...info, errMsg: 'getImageInfo:ok' } : info);
  };
}

let emu;
before(async () => {
  await buildEmulator();
  emu = await startEmulator({ waitForKeys: false });
}, { timeout: 15 * 60_000 });
after(async () => {
  if (emu) await emu.stop();
  if (packageRoot) fs.rmSync(packageRoot, { recursive: true, force: true });
});

/** One mini-program: a realm, the document's page constructing the official client. */
function miniProgram(t, { profile, platform, api }, { user } = {}) {
  const sim = hostSim.createHost({
    profile,
    packageRoot: codePackage(),
    responder: emulatorResponder(),
    login: hostSim.platformLogin(emu.url, { platform: api === 'my' ? 'my' : 'wx', user }),
  });
  t.after(() => sim.close());
  const files = new Map();
  installFileApis(sim, api, files);
  const addFile = (bytes, ext) => {
    const p = sim.addTempFile(bytes, ext);
    files.set(p, Buffer.from(bytes));
    return p;
  };
  const mps = sim.require(`/pages/mps-${platform}.js`)(emu.url);
  return { sim, mps, addFile };
}


/** The RPCs the realm sent: `{method, params, token, header}`. */
const rpcs = (sim) => sim.stats.requests.filter((r) => r.url === `${emu.url}/client`).map((r) => {
  const body = JSON.parse(r.body);
  return { method: body.method, params: body.params === undefined ? undefined : JSON.parse(body.params), token: body.token, header: r.header };
});

async function rejection(promise) {
  try {
    const v = await promise;
    assert.fail('expected a rejection, got ' + JSON.stringify(plain(v)));
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    return e;
  }
}

const OBJECT_ID = /^[0-9a-f]{24}$/;

// ---- tests ---------------------------------------------------------------------------------------------

test('the realms load the published 3.1.5 file byte for byte', BOUNDED, () => {
  assert.equal(JSON.parse(fs.readFileSync(path.join(OFFICIAL_DIR, 'package.json'), 'utf8')).version, '3.1.5');
  const dist = fs.readFileSync(OFFICIAL_DIST);
  for (const rel of ['miniprogram_npm/@alicloud/mpserverless-sdk/index.js', 'node_modules/@alicloud/mpserverless-sdk/dist/index.js']) {
    assert.ok(fs.readFileSync(path.join(codePackage(), rel)).equals(dist), rel);
  }
});

for (const p of PROFILES) {
  test(`${p.profile}: user.authorize anonymous and ${p.provider}; user.getInfo`, BOUNDED, async (t) => {
    const { sim, mps } = miniProgram(t, p, { user: `mps-${p.platform}` });
    // Not authorized yet: the SDK refuses locally.
    const unauth = await rejection(mps.user.getInfo());
    assert.match(String(unauth.message), /授权|authoriz/i);

    assert.deepEqual(plain(await mps.user.authorize({ authType: 'anonymous' })), { success: true });
    const anon = await mps.user.getInfo();
    assert.equal(anon.success, true);
    assert.equal(anon.result.spaceId, SPACE);
    assert.equal(typeof anon.result.userId, 'string');
    assert.equal(anon.result.oAuthUserId, undefined);
    assert.deepEqual(rpcs(sim).at(-1).params, { authType: 'anonymous' });
    // Anonymous authorization is a new identity each time.
    assert.deepEqual(plain(await mps.user.authorize({ authType: 'anonymous' })), { success: true });
    assert.notEqual((await mps.user.getInfo()).result.userId, anon.result.userId);

    // The platform's provider: the login code comes from the platform stand-in.
    const logins = sim.stats.logins;
    assert.deepEqual(plain(await mps.user.authorize({ authProvider: p.provider })), { success: true });
    assert.equal(sim.stats.logins, logins + 1, `one ${p.api} login code`);
    const auth = rpcs(sim).at(-1);
    assert.equal(auth.method, 'serverless.auth.user.authorize');
    assert.equal(auth.params.authProvider, p.provider);
    assert.equal(typeof auth.params.authCode, 'string');
    assert.equal(auth.token, undefined);
    const me = await mps.user.getInfo();
    assert.equal(me.success, true);
    assert.equal(me.result.spaceId, SPACE);
    const { openid } = await emu.admin('GET', `/__platform/identity?platform=${p.api}&user=mps-${p.platform}`);
    assert.equal(me.result.oAuthUserId, openid);
    // The same platform user is the same serverless user.
    assert.deepEqual(plain(await mps.user.authorize({ authProvider: p.provider })), { success: true });
    assert.equal((await mps.user.getInfo()).result.userId, me.result.userId);

    // 3.x init(): the platform's provider by default, anonymous on request.
    assert.deepEqual(plain(await mps.init()), { success: true });
    assert.equal(rpcs(sim).at(-1).params.authProvider, p.provider);
    assert.deepEqual(plain(await mps.init({ authType: 'anonymous' })), { success: true });
    assert.equal(rpcs(sim).at(-1).method, 'serverless.auth.user.anonymousAuthorize');

    for (const r of rpcs(sim)) {
      assert.equal(r.header['content-type'], 'application/json');
      assert.match(r.header['x-serverless-sign'], /^[0-9a-f]{32}$/);
      assert.equal(r.header['x-basement-token'], r.token);
    }
    assert.equal(sim.stats.mathRandomCalls, 0);
    assert.deepEqual(sim.stats.callbackErrors, []);
  });

  test(`${p.profile}: every db command`, BOUNDED, async (t) => {
    const { sim, mps } = miniProgram(t, p);
    await mps.user.authorize({ authType: 'anonymous' });
    const tag = `db-${p.platform}`;
    const todos = mps.db.collection('todos');
    const at = new sim.global.Date('2024-01-02T03:04:05.000Z');

    const one = await todos.insertOne({ tag, title: 'a', n: 1, tags: ['x', '中文'], at });
    assert.equal(one.success, true);
    assert.equal(one.affectedDocs, 1);
    assert.match(one.result, OBJECT_ID);
    const idA = one.result;

    const many = await todos.insertMany([{ tag, title: 'b', n: 2, group: 'g1' }, { tag, title: 'c', n: 3, group: 'g1' }, { tag, title: 'd', n: 4, group: 'g2' }]);
    assert.equal(many.success, true);
    assert.equal(many.affectedDocs, 3);
    assert.deepEqual(Object.keys(many.result), ['0', '1', '2']);
    for (const id of Object.values(many.result)) assert.match(id, OBJECT_ID);

    const found = await todos.find({ tag }, { sort: { n: -1 }, limit: 3, skip: 1, projection: { title: 1, n: 1 } });
    assert.equal(found.success, true);
    assert.deepEqual(plain(found.result).map(({ title, n }) => [title, n]), [['c', 3], ['b', 2], ['a', 1]]);
    assert.ok(plain(found.result).every((d) => !('tag' in d) && OBJECT_ID.test(d._id)), 'projection');
    const byQuery = await todos.find({ tag, n: { $gte: 2, $lt: 4 }, group: { $in: ['g1'] } });
    assert.deepEqual(plain(byQuery.result).map((d) => d.title).sort(), ['b', 'c']);

    const fo = await todos.findOne({ _id: idA });
    assert.equal(fo.success, true);
    assert.equal(fo.result.title, 'a');
    assert.deepEqual(plain(fo.result.at), { $date: '2024-01-02T03:04:05.000Z' }, 'dates round-trip (ISO string → Date)');
    assert.deepEqual(plain(fo.result.tags), ['x', '中文']);
    assert.equal((await todos.findOne({ tag, title: 'nobody' })).result, null);

    assert.equal((await todos.count({ tag })).result, 4);
    assert.equal((await todos.count({ tag, group: 'g1' })).result, 2);

    const distinct = await todos.distinct('group', { tag });
    assert.equal(distinct.success, true);
    assert.deepEqual(plain(distinct.result).sort(), ['g1', 'g2']);

    const agg = await todos.aggregate([
      { $match: { tag, group: { $exists: true } } },
      { $group: { _id: '$group', total: { $sum: '$n' }, count: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    assert.equal(agg.success, true);
    assert.deepEqual(plain(agg.result), [{ _id: 'g1', total: 5, count: 2 }, { _id: 'g2', total: 4, count: 1 }]);

    const u1 = await todos.updateOne({ _id: idA }, { $set: { done: true }, $inc: { n: 10 }, $push: { tags: 'y' } });
    assert.equal(u1.success, true);
    assert.deepEqual(plain(u1.result), { matchedCount: 1, modifiedCount: 1, upsertedId: null });
    assert.equal((await todos.findOne({ _id: idA })).result.n, 11);

    const um = await todos.updateMany({ tag, group: 'g1' }, { $set: { flag: 1 } });
    assert.deepEqual(plain(um.result), { matchedCount: 2, modifiedCount: 2, upsertedId: null });

    const up = await todos.updateOne({ tag, title: 'e' }, { $set: { n: 5 } }, { upsert: true });
    assert.equal(up.result.matchedCount, 0);
    assert.match(up.result.upsertedId, OBJECT_ID);
    assert.equal((await todos.findOne({ _id: up.result.upsertedId })).result.title, 'e');

    const rep = await todos.replaceOne({ tag, title: 'd' }, { tag, title: 'd2', n: 40 });
    assert.deepEqual(plain(rep.result), { matchedCount: 1, modifiedCount: 1, upsertedId: null });
    const d2 = (await todos.findOne({ tag, title: 'd2' })).result;
    assert.equal(d2.group, undefined, 'replaced, not merged');

    const fau = await todos.findOneAndUpdate({ tag, title: 'b' }, { $set: { n: 20 } }, { returnNewDocument: true });
    assert.equal(fau.success, true);
    assert.equal(fau.result.n, 20);
    const fauOld = await todos.findOneAndUpdate({ tag, title: 'b' }, { $set: { n: 21 } });
    assert.equal(fauOld.result.n, 20, 'the document before the update by default');

    const far = await todos.findOneAndReplace({ tag, title: 'c' }, { tag, title: 'c2', n: 30 });
    assert.equal(far.success, true);
    assert.equal(far.result.title, 'c');
    assert.equal((await todos.count({ tag, title: 'c2' })).result, 1);

    const fad = await todos.findOneAndDelete({ tag, title: 'c2' }, { projection: { title: 1 } });
    assert.equal(fad.result.title, 'c2');
    assert.equal((await todos.count({ tag, title: 'c2' })).result, 0);

    const del1 = await todos.deleteOne({ tag, title: 'd2' });
    assert.deepEqual(plain(del1.result), { deletedCount: 1 });
    const delMany = await todos.deleteMany({ tag });
    assert.deepEqual(plain(delMany.result), { deletedCount: 3 });
    assert.equal((await todos.count({ tag })).result, 0);

    // Server errors reach the caller as the gateway's {code, message}.
    const missing = await rejection(mps.db.collection('no_such_collection').findOne({}));
    assert.equal(missing.code, 'DatabaseError.CollectionNotFound');
    const badOp = await rejection(todos.find({ n: { $bogus: 1 } }));
    assert.equal(badOp.code, 'InvalidParameter.InvalidQuery');

    const commands = rpcs(sim).filter((r) => r.method === 'serverless.db.default.execute').map((r) => r.params.command);
    for (const c of ['find', 'findOne', 'insertOne', 'insertMany', 'updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'count', 'aggregate', 'distinct', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'replaceOne']) {
      assert.ok(commands.includes(c), c);
    }
    assert.equal(sim.stats.mathRandomCalls, 0);
  });

  test(`${p.profile}: transactions: startTransaction, writes visible inside only, commit; rollback`, BOUNDED, async (t) => {
    const { sim, mps } = miniProgram(t, p);
    await mps.user.authorize({ authType: 'anonymous' });
    const tag = `tx-${p.platform}`;
    const books = mps.db.collection('books');
    const seeded = (await books.insertOne({ tag, title: 'seed', n: 1 })).result;

    const tx = await mps.db.startTransaction();
    assert.equal(typeof tx.id, 'string');
    assert.ok(tx.id.length > 0);
    const ins = await tx.collection('books').insertOne({ tag, title: 'in-tx', n: 2 });
    assert.equal(ins.success, true);
    assert.match(ins.result, OBJECT_ID);
    assert.equal((await tx.collection('books').findOne({ _id: ins.result })).result.title, 'in-tx', 'own write visible');
    assert.equal((await books.findOne({ _id: ins.result })).result, null, 'not visible outside before commit');
    const upd = await tx.collection('books').updateOne({ _id: seeded }, { $inc: { n: 1 } });
    assert.equal(upd.result.matchedCount, 1);
    const fau = await tx.collection('books').findOneAndUpdate({ _id: seeded }, { $inc: { n: 1 } }, { returnNewDocument: true });
    assert.equal(fau.result.n, 3);
    // The client refuses the commands transactions do not support.
    const refused = await rejection(Promise.resolve().then(() => tx.collection('books').find({ tag })));
    assert.match(String(refused.message), /transaction/i);
    const commit = await tx.commit();
    assert.equal(commit.success, true);
    assert.equal((await books.findOne({ _id: ins.result })).result.title, 'in-tx');
    assert.equal((await books.findOne({ _id: seeded })).result.n, 3);
    const again = await rejection(tx.commit());
    assert.match(String(again.message), /already/);

    const tx2 = await mps.db.startTransaction();
    assert.notEqual(tx2.id, tx.id);
    const gone = await tx2.collection('books').insertOne({ tag, title: 'rolled-back' });
    assert.equal(gone.success, true);
    await tx2.collection('books').deleteOne({ _id: seeded });
    await tx2.collection('books').replaceOne({ _id: ins.result }, { tag, title: 'replaced' });
    const rb = await tx2.rollback();
    assert.equal(rb.success, true);
    assert.equal((await books.count({ tag, title: 'rolled-back' })).result, 0);
    assert.equal((await books.count({ tag })).result, 2);
    assert.equal((await books.findOne({ _id: ins.result })).result.title, 'in-tx');

    const sentTx = rpcs(sim).filter((r) => r.params && r.params.transactionId);
    assert.ok(sentTx.some((r) => r.params.command === 'commitTransaction'));
    assert.ok(sentTx.some((r) => r.params.command === 'abortTransaction'));
    await books.deleteMany({ tag });
  });

  test(`${p.profile}: function.invoke of every built-in function`, BOUNDED, async (t) => {
    const { sim, mps } = miniProgram(t, p, { user: `fn-${p.platform}` });
    await mps.user.authorize({ authProvider: p.provider });
    const echo = await mps.function.invoke('echo', { x: '中文', n: 1, nested: { a: [1, 2] } });
    assert.equal(echo.success, true);
    assert.deepEqual(plain(echo.result), { x: '中文', n: 1, nested: { a: [1, 2] } });
    assert.equal(typeof echo.requestId, 'string');
    assert.ok(echo.requestId.length > 0);
    assert.deepEqual(plain((await mps.function.invoke('hello', { name: 'Ada' })).result), { message: 'hello, Ada' });
    assert.deepEqual(plain((await mps.function.invoke('hello')).result), { message: 'hello, world' });
    const who = await mps.function.invoke('whoami');
    assert.equal(who.result.spaceId, SPACE);
    assert.equal(who.result.userId, (await mps.user.getInfo()).result.userId);
    assert.equal(who.result.requestId, who.requestId);
    assert.equal((await mps.function.invoke('sum', { numbers: [1, 2, 3.5] })).result.sum, 6.5);
    const time = await mps.function.invoke('time');
    assert.equal(Object.prototype.toString.call(time.result.now), '[object String]');
    assert.ok(Math.abs(Date.parse(time.result.now) - Date.now()) < 60_000);
    const failed = await rejection(mps.function.invoke('fail', { message: 'boom' }));
    assert.equal(failed.code, 'FunctionExecuteError');
    assert.match(failed.message, /boom/);
    const unknown = await rejection(mps.function.invoke('no-such-function'));
    assert.equal(unknown.code, 'FunctionNotFound');
    const calls = rpcs(sim).filter((r) => r.method === 'serverless.function.runtime.invoke');
    assert.deepEqual(calls[0].params, { functionTarget: 'echo', functionArgs: { x: '中文', n: 1, nested: { a: [1, 2] } } });
  });

  test(`${p.profile}: file.uploadFile, info, deleteFile`, BOUNDED, async (t) => {
    const { sim, mps, addFile } = miniProgram(t, p);
    await mps.user.authorize({ authType: 'anonymous' });
    const bytes = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(`official mps ${p.platform} 中文`)]);
    const filePath = addFile(bytes, 'png');
    const up = await mps.file.uploadFile({ filePath });
    assert.deepEqual(Object.keys(up), ['fileUrl', 'filePath', 'fileId']);
    assert.equal(typeof up.fileId, 'string');
    assert.ok(up.fileUrl.startsWith(`https://${emu.url.slice('http://'.length)}/__oss/`), up.fileUrl);
    assert.ok(up.fileUrl.endsWith('/' + up.filePath));
    // What went over the wire: sign, then the OSS form POST, then report.
    const methods = rpcs(sim).map((r) => r.method);
    assert.deepEqual(methods.slice(-2), ['serverless.file.resource.generateProximalSign', 'serverless.file.resource.report']);
    const sign = rpcs(sim).at(-2).params;
    assert.equal(sign.size, bytes.length, 'getFileInfo gave the size');
    assert.equal(sign.env, 'public');
    const upload = sim.stats.uploads.at(-1);
    assert.equal(upload.file.field, 'file');
    assert.equal(upload.formData.key, up.filePath);
    assert.equal(rpcs(sim).at(-1).params.contentType, 'image/png');

    const served = await fetch(up.fileUrl.replace(/^https:/, 'http:'));
    assert.equal(served.status, 200);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);

    const info = await mps.file.info(up.fileId);
    assert.equal(info.length, 1);
    assert.equal(info[0].fileId, up.fileId);
    assert.equal(info[0].size, bytes.length);

    // A second file, then info on both, then delete one and both.
    const second = await mps.file.uploadFile({ filePath: addFile(Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.from('jpeg-ish')]), 'jpg') });
    const both = await mps.file.info([up.fileId, second.fileId]);
    assert.deepEqual(plain(both).map((f) => f.fileId).sort(), [up.fileId, second.fileId].sort());

    // The optional upload fields: cloudPath (fileId), path (targetPath), meta and headers (OSS form).
    const third = await mps.file.uploadFile({
      filePath: addFile(bytes, 'png'), cloudPath: `/official/${p.platform}/fixed.png`, meta: { owner: 'test' },
      headers: { cacheControl: 'no-cache', contentDisposition: 'inline' },
    });
    const thirdSign = rpcs(sim).at(-2).params;
    assert.equal(thirdSign.fileId, `/official/${p.platform}/fixed.png`);
    assert.equal(sim.stats.uploads.at(-1).formData['x-oss-meta-owner'], 'test');
    assert.deepEqual(Buffer.from(await (await fetch(third.fileUrl.replace(/^https:/, 'http:'))).arrayBuffer()), bytes);
    const withMaxAge = await mps.file.info(third.fileId, { maxAge: 60 });
    assert.equal(rpcs(sim).at(-1).params.maxAge, 60);
    assert.equal(withMaxAge[0].fileId, third.fileId);
    assert.equal((await mps.file.deleteFile(third.fileId)).success, true);

    const del = await mps.file.deleteFile(up.fileId);
    assert.equal(del.success, true);
    assert.deepEqual(plain(del.result), [{ success: true, fileId: up.fileId }]);
    const afterDelete = await fetch(up.fileUrl.replace(/^https:/, 'http:'));
    assert.equal(afterDelete.status, 404);
    await afterDelete.arrayBuffer();
    const delBoth = await mps.file.deleteFile(`${second.fileId},${up.fileId}`);
    assert.equal(delBoth.success, true);
    const items = plain(delBoth.result);
    assert.deepEqual(items.find((i) => i.fileId === second.fileId), { success: true, fileId: second.fileId });
    assert.equal(items.find((i) => i.fileId === up.fileId).success, false, 'already deleted');
    assert.equal(sim.stats.mathRandomCalls, 0);
    assert.deepEqual(sim.stats.callbackErrors, []);
  });
}

test('wechat-ios: an expired session is renewed once by the SDK (GATEWAY_INVALID_TOKEN → authorize again)', BOUNDED, async (t) => {
  const short = await startEmulator({ args: ['--session-ttl-secs', '1', '--session-extend-secs', '1'], waitForKeys: false });
  t.after(() => short.stop());
  const sim = hostSim.createHost({ profile: 'wechat-ios', packageRoot: codePackage(), responder: emulatorResponder(), login: hostSim.platformLogin(short.url, { platform: 'wx', user: 'renew' }) });
  t.after(() => sim.close());
  installFileApis(sim, 'wx', new Map());
  const mps = sim.require('/pages/mps-wechat.js')(short.url);
  assert.deepEqual(plain(await mps.user.authorize({ authProvider: 'wechat_openapi' })), { success: true });
  const first = await mps.user.getInfo();
  await short.admin('POST', '/__admin/clock', { advanceMs: 1500 }); // the session expires, no waiting
  const fn = await mps.function.invoke('echo', { a: 1 });
  assert.deepEqual(plain(fn.result), { a: 1 });
  const methods = sim.stats.requests.map((r) => JSON.parse(r.body).method);
  assert.deepEqual(methods, [
    'serverless.auth.user.authorize',
    'serverless.auth.user.getProfileInfo',
    'serverless.function.runtime.invoke', // GATEWAY_INVALID_TOKEN
    'serverless.auth.user.authorize',
    'serverless.function.runtime.invoke',
  ]);
  assert.equal((await mps.user.getInfo()).result.userId, first.result.userId, 'the same WeChat user');
});

// Behaviour of the official package that is wrong or surprising, pinned here so our client's
// authors see it (the package version is pinned, so these stay true).
test('observed 3.1.5 defects', BOUNDED, async (t) => {
  const p = PROFILES[0];
  const { sim, mps, addFile } = miniProgram(t, p);
  await mps.user.authorize({ authType: 'anonymous' });
  const tag = 'defects';
  await mps.db.collection('books').insertOne({ tag, title: 'Regex Me' });

  // A RegExp query value is serialized as {} (matches nothing here; widens nothing either).
  const re = await mps.db.collection('books').find({ tag, title: new sim.global.RegExp('^regex', 'i') });
  assert.deepEqual(rpcs(sim).at(-1).params.query, { tag, title: {} });
  assert.deepEqual(plain(re.result), []);

  // In a transaction every tx.collection(name) is the same object: the last name wins.
  const tx = await mps.db.startTransaction();
  const books = tx.collection('books');
  tx.collection('todos');
  await books.insertOne({ tag, title: 'meant for books' });
  assert.equal(rpcs(sim).at(-1).params.collection, 'todos', 'the insert went to todos');
  // Refused commands throw synchronously instead of rejecting.
  assert.throws(() => books.find({}), /transaction/i);
  await tx.rollback();

  // Without getImageInfo (the document's Alipay example passes none) uploadFile cannot work.
  const MPServerless = sim.require('@alicloud/mpserverless-sdk');
  const bare = new MPServerless({ request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login }, { appId: 'wx0000000000devapp', spaceId: SPACE, clientSecret: SECRET, endpoint: emu.url });
  await bare.user.authorize({ authType: 'anonymous' });
  const err = await rejection(bare.file.uploadFile({ filePath: addFile(Buffer.from('89504e470d0a1a0a', 'hex'), 'png') }));
  assert.ok(err instanceof sim.realm.TypeError || err.name === 'TypeError', String(err));
  await mps.db.collection('books').deleteMany({ tag });
});
