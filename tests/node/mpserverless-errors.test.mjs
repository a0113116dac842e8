// Every error path of the MPServerless client, in the simulated WeChat realm, with the exact result:
// a realm Error named MPServerlessError with {code, type, message} (and statusCode for the gateway).
import test from 'node:test';
import assert from 'node:assert/strict';
import { rejection } from './_helpers.mjs';
import { realm, load, scriptedGateway, gatewayError, plain, SECRET, SPACE, ENDPOINT } from './mpserverless-gateway.mjs';

const CONFIG = { appId: 'APPID', spaceId: SPACE, clientSecret: SECRET, endpoint: ENDPOINT };

function setup(t, { profile = 'wechat-ios', config = {}, api, sim: simOptions = {} } = {}) {
  const gw = scriptedGateway();
  const sim = realm(t, profile, { responder: gw.responder, ...simOptions });
  const MPServerless = load(sim, 'ours');
  const platform = api ? api(sim) : { request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login };
  const mps = new MPServerless(platform, { ...CONFIG, ...config });
  return { gw, sim, mps, MPServerless };
}

function assertError(sim, e, expected) {
  assert.ok(e instanceof sim.realm.Error, `a real Error of the realm: ${e && e.message}`);
  assert.equal(e.name, 'MPServerlessError');
  const got = {};
  for (const k of Object.keys(expected)) got[k] = e[k];
  assert.deepEqual(got, expected);
}

const anon = (mps) => mps.user.authorize({ authType: 'anonymous' });

test('constructor: missing platform functions and config fields are named at once', (t) => {
  const { sim, MPServerless } = setup(t);
  const syncError = (fn) => { try { fn(); } catch (e) { return e; } throw new Error('did not throw'); };
  let e = syncError(() => new MPServerless({ request: sim.wx.request }, CONFIG));
  assertError(sim, e, {
    code: 'HOST_MISSING', type: 'platform',
    message: 'MPServerless: platformApi is missing uploadFile, getAuthCode (or login) (pass e.g. {request: wx.request, uploadFile: wx.uploadFile, getAuthCode: wx.login})',
  });
  assert.deepEqual(plain(e.missing), ['uploadFile', 'getAuthCode (or login)']);
  e = syncError(() => new MPServerless({ uploadFile() {}, login() {} }, CONFIG));
  assert.equal(e.message, 'MPServerless: platformApi is missing request (pass e.g. {request: wx.request, uploadFile: wx.uploadFile, getAuthCode: wx.login})');
  e = syncError(() => new MPServerless({ request() {}, uploadFile() {}, login() {}, getImageInfo: 'no' }, CONFIG));
  assert.match(e.message, /missing getImageInfo \(not a function\)/);
  e = syncError(() => new MPServerless(undefined, CONFIG));
  assert.equal(e.code, 'HOST_MISSING');
  for (const field of ['appId', 'spaceId', 'clientSecret', 'endpoint']) {
    const config = { ...CONFIG };
    delete config[field];
    e = syncError(() => new MPServerless(sim.wx, config));
    assertError(sim, e, { code: 'ValidationFailed', type: 'validation', message: `invalid argument \`${field}\`: ${field} is required` });
  }
  e = syncError(() => new MPServerless(sim.wx, { ...CONFIG, spaceId: 42 }));
  assert.equal(e.message, 'invalid argument `spaceId`: spaceId must be a string');
  // The whole wx object and the optional functions' absence are fine; nothing is sent.
  new MPServerless(sim.wx, CONFIG);
  assert.equal(sim.stats.requests.length, 0);
});

test('a call before authorize: UnauthorizedError, nothing sent', async (t) => {
  const { sim, mps } = setup(t);
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'UnauthorizedError', type: 'unauthorized', message: 'not authorized: call user.authorize() first', sdkCode: 'NOT_LOGGED_IN' });
  assert.equal(sim.stats.requests.length, 0);
});

test('gateway errors keep the gateway code and message', async (t) => {
  const { gw, sim, mps } = setup(t);
  await anon(mps);
  gw.state.override = (req, body) => body.method.includes('db') && gatewayError('DatabaseError.DuplicateKey', 'duplicate key', 200);
  assertError(sim, await rejection(mps.db.collection('books').insertOne({ a: 1 })), { code: 'DatabaseError.DuplicateKey', type: 'gateway', message: 'duplicate key', statusCode: 200, sdkCode: 'SERVER' });
  gw.state.override = () => ({ statusCode: 500, data: 'oops', header: {} });
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'GATEWAY_ERROR', type: 'gateway', message: 'gateway answered HTTP 500', statusCode: 500 });
  gw.state.override = () => ({ statusCode: 404, data: JSON.stringify({ success: false, error: { code: 'FunctionNotFound', message: 'no f' } }), header: {} });
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'FunctionNotFound', type: 'gateway', message: 'no f', statusCode: 404 });
  gw.state.override = () => ({ statusCode: 200, data: '<html>', header: {} });
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'BAD_RESPONSE', type: 'gateway', message: 'unexpected response: the gateway reply is not JSON' });
});

test('network failure and timeouts (default 5 s, or the configured one)', async (t) => {
  const { gw, sim, mps } = setup(t, { sim: { timeScale: 0.01 } });
  await anon(mps);
  gw.state.override = () => { throw new Error('connection refused'); };
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'NETWORK_ERROR', type: 'network', message: 'host function `request` failed: request:fail connection refused', sdkCode: 'HOST_REJECTED' });
  gw.state.override = () => new Promise(() => {}); // never answers
  const started = Date.now();
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'TIMEOUT', type: 'timeout', message: 'host function `request` timed out: request:fail timeout' });
  assert.ok(Date.now() - started >= 45, '5000 ms at timeScale 0.01');
  assert.ok(Date.now() - started < 2000);
  const short = setup(t, { config: { timeout: '20ms' } });
  await anon(short.mps);
  short.gw.state.override = () => new Promise(() => {});
  const t0 = Date.now();
  assertError(short.sim, await rejection(short.mps.function.invoke('f')), { code: 'TIMEOUT', type: 'timeout' });
  assert.ok(Date.now() - t0 < 1000, 'the configured 20 ms applied');
});

test('Alipay-style failures: error 13 is a timeout, others network errors; complete-only platforms work', async (t) => {
  const calls = [];
  const { sim, mps } = setup(t, {
    profile: 'alipay-logic',
    api: (s) => ({
      request(o) {
        calls.push(o);
        if (calls.length === 1) return s.my.request(o);
        const fail = calls.length === 2 ? { error: 13, errorMessage: '请求超时' } : { error: 12, errorMessage: '网络出错' };
        setTimeout(() => o.complete(fail), 1); // only `complete`, as 3.x relies on
        return undefined;
      },
      uploadFile: s.my.uploadFile,
      getAuthCode: s.my.getAuthCode,
    }),
  });
  await anon(mps);
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'TIMEOUT', type: 'timeout', message: 'host function `request` timed out: request:fail timeout 请求超时' });
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'NETWORK_ERROR', type: 'network', message: 'host function `request` failed: request:fail error 12 网络出错' });
});

test('bad input is refused before anything is sent', async (t) => {
  const { sim, mps } = setup(t);
  const v = (field, reason) => ({ code: 'ValidationFailed', type: 'validation', message: `invalid argument \`${field}\`: ${reason}` });
  assertError(sim, await rejection(mps.user.authorize({})), v('authProvider', 'authProvider is required unless authType is "anonymous"'));
  assertError(sim, await rejection(mps.user.authorize({ authProvider: 'qq_openapi' })), v('authProvider', 'authProvider should be one of alipay_openapi, wechat_openapi, dingtalk_openapi'));
  assertError(sim, await rejection(mps.user.authorize({ authType: 'guest' })), v('authType', 'authType should be one of "anonymous", ""'));
  await anon(mps);
  const sent = sim.stats.requests.length;
  const books = mps.db.collection('books');
  assertError(sim, await rejection(mps.function.invoke('')), v('functionTarget', 'functionTarget should be a non-empty string'));
  assertError(sim, await rejection(mps.function.invoke('f', null)), v('functionArgs', 'functionArgs should not be null'));
  assertError(sim, await rejection(books.updateOne({}, {})), v('update', 'update should not be an empty object'));
  assertError(sim, await rejection(books.insertMany([])), v('docs', 'docs should not be empty'));
  assertError(sim, await rejection(books.insertOne({ 'a.b': 1 })), v('doc', 'doc should not contain illegal character'));
  assertError(sim, await rejection(books.count()), v('query', 'query is required'));
  assertError(sim, await rejection(books.find({}, { limit: -1 })), v('limit', 'options.limit field type is invalid'));
  const loop = {};
  loop.self = loop;
  const e = await rejection(books.find(loop));
  assert.equal(e.code, 'ValidationFailed');
  assert.match(e.message, /^invalid argument `query`: query cannot be serialised to JSON/);
  assertError(sim, await rejection(mps.db.collection('').find()), v('collection', 'collection name is required'));
  assertError(sim, await rejection(mps.file.uploadFile({})), v('filePath', 'filePath is required'));
  assertError(sim, await rejection(mps.file.uploadFile({ filePath: 'wxfile://tmp_1.exe' })), v('filePath', 'files of type "exe" are not supported'));
  assertError(sim, await rejection(mps.file.uploadFile({ filePath: 'wxfile://tmp_1.png', cloudPath: 'x' })), v('cloudPath', 'cloudPath should start with "/"'));
  assertError(sim, await rejection(mps.file.deleteFile(7)), v('fileId', 'fileId should be a string or an array of strings'));
  assert.equal(sim.stats.requests.length, sent, 'nothing sent');
});

test('transactions: refused commands and a second commit are TransactionErrors', async (t) => {
  const { sim, mps } = setup(t);
  await anon(mps);
  const tx = await mps.db.startTransaction();
  assert.equal(tx.id, 'tx-1');
  assertError(sim, await rejection(tx.collection('books').find({})), { code: 'TransactionError', type: 'validation', message: 'invalid argument `transaction`: transaction not support action [find]' });
  await tx.commit();
  assertError(sim, await rejection(tx.commit()), { code: 'TransactionError', type: 'validation', message: 'transaction already commit' });
  assertError(sim, await rejection(tx.rollback()), { code: 'TransactionError', message: 'transaction already commit' });
});

test('invalid token twice: one renewal, then the gateway error', async (t) => {
  const { gw, sim, mps } = setup(t);
  await anon(mps);
  gw.state.override = (req, body) => body.method === 'serverless.function.runtime.invoke' && gatewayError('GATEWAY_INVALID_TOKEN', 'token is invalid');
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'GATEWAY_INVALID_TOKEN', type: 'gateway', message: 'token is invalid' });
  assert.deepEqual(gw.state.log.map((e) => e.body.method), [
    'serverless.auth.user.anonymousAuthorize', 'serverless.function.runtime.invoke',
    'serverless.auth.user.anonymousAuthorize', 'serverless.function.runtime.invoke',
  ]);
});

test('a failed login is LOGIN_FAILED and does not poison later calls', async (t) => {
  let fail = true;
  const { sim, mps } = setup(t, { sim: { login: async () => { if (fail) throw new Error('user cancelled'); return 'CODE'; } } });
  assertError(sim, await rejection(mps.user.authorize({ authProvider: 'wechat_openapi' })), { code: 'LOGIN_FAILED', type: 'platform', message: 'host function `login` failed: login:fail user cancelled' });
  assertError(sim, await rejection(mps.function.invoke('f')), { code: 'UnauthorizedError' });
  fail = false;
  assert.deepEqual(plain(await mps.user.authorize({ authProvider: 'wechat_openapi' })), { success: true });
  assert.equal((await mps.function.invoke('f')).success, true);
});

test('a failed upload is UPLOAD_FAILED', async (t) => {
  const gw = scriptedGateway();
  // The OSS host answers 403; the gateway answers as usual.
  const { sim, mps } = setup(t, { sim: { responder: (req) => (req.file ? { statusCode: 403, data: '<Error><Code>AccessDenied</Code></Error>', header: {} } : gw.responder(req)) } });
  await anon(mps);
  const filePath = sim.addTempFile(Buffer.from('x'), 'png');
  assertError(sim, await rejection(mps.file.uploadFile({ filePath })), { code: 'UPLOAD_FAILED', type: 'gateway', message: 'file upload answered HTTP 403', statusCode: 403 });
  assert.deepEqual(gw.state.log.map((e) => e.body.method).slice(-1), ['serverless.file.resource.generateProximalSign'], 'no report after a failed upload');
});

test('the collection chain and the OSS RPCs: misuse is refused before a request', async (t) => {
  const { sim, mps } = setup(t);
  await anon(mps);
  const sent = sim.stats.requests.length;
  const todos = mps.db.collection('todos');
  assertError(sim, await rejection(todos.commit()), { code: 'TransactionError', type: 'validation', message: 'no transaction: call transaction() first' });
  assertError(sim, await rejection(todos.rollback()), { code: 'TransactionError', message: 'no transaction: call transaction() first' });
  assertError(sim, await rejection(mps.file.getOSSUploadOptionsFromPath(7)), { code: 'ValidationFailed', message: 'invalid argument `path`: path should be a string' });
  assertError(sim, await rejection(mps.file.getOSSUploadOptionsFromPath('a.png', '', 1.5)), { code: 'ValidationFailed', message: 'invalid argument `size`: size should be a whole number of bytes' });
  assertError(sim, await rejection(mps.file.getOSSUploadOptionsFromPath('a.png', '', 'big')), { code: 'ValidationFailed', message: 'invalid argument `size`: size should be a whole number of bytes' });
  for (const id of ['', 7, undefined]) {
    assertError(sim, await rejection(mps.file.reportOSSUpload(id)), { code: 'ValidationFailed', message: 'invalid argument `id`: id should be a non-empty string' });
  }
  assert.equal(sim.stats.requests.length, sent, 'nothing sent');
  // A chain refuses multi-document commands and a second start, and ends once.
  assert.equal(await todos.transaction(), 'tx-1');
  assertError(sim, await rejection(todos.transaction()), { code: 'TransactionError', message: 'transaction already started' });
  assertError(sim, await rejection(todos.updateMany({}, { $set: { a: 1 } })), { code: 'TransactionError', message: 'invalid argument `transaction`: transaction not support action [updateMany]' });
  await todos.rollback();
  assertError(sim, await rejection(todos.findOne({})), { code: 'TransactionError', message: 'transaction already rollback' });
  assertError(sim, await rejection(todos.commit()), { code: 'TransactionError', message: 'transaction already rollback' });
  // A new chain may start after the end of the last one.
  assert.equal(await todos.transaction(), 'tx-1');
});
