// The official package's known defects (reference §7 and §12), each shown on @alicloud/mpserverless-sdk
// 3.1.5 and fixed in ours, through the same simulated WeChat host and scripted gateway.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rejection } from './_helpers.mjs';
import { realm, load, scriptedGateway, plain, SECRET, SPACE, ENDPOINT } from './mpserverless-gateway.mjs';

const CONFIG = { appId: 'APPID', spaceId: SPACE, clientSecret: SECRET, endpoint: ENDPOINT };

function both(t, { api = (sim) => ({ request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login }) } = {}) {
  return ['official', 'ours'].map((which) => {
    const gw = scriptedGateway();
    const sim = realm(t, 'wechat-ios', { responder: gw.responder });
    const MPServerless = load(sim, which);
    return { which, gw, sim, mps: new MPServerless(api(sim), CONFIG) };
  });
}

const anon = (mps) => mps.user.authorize({ authType: 'anonymous' });
const lastParams = (gw) => JSON.parse(gw.state.log[gw.state.log.length - 1].body.params);

test('RegExp values in queries: 3.1.5 sends {} (matching anything), ours sends {$regex, $options}', async (t) => {
  const [official, ours] = both(t);
  for (const { mps, sim } of [official, ours]) {
    await anon(mps);
    await mps.db.collection('books').find({ title: new sim.global.RegExp('^harry', 'i'), tag: { $regex: new sim.global.RegExp('x/y') } });
  }
  assert.deepEqual(lastParams(official.gw).query, { title: {}, tag: { $regex: {} } });
  assert.deepEqual(lastParams(ours.gw).query, { title: { $regex: '^harry', $options: 'i' }, tag: { $regex: 'x\\/y' } });
});

test('a second authorize(): 3.1.5 resolves undefined, ours {success: true} (same session, no request)', async (t) => {
  const [official, ours] = both(t);
  for (const { mps } of [official, ours]) {
    await mps.user.authorize({ authType: '', authProvider: 'wechat_openapi' });
  }
  assert.equal(await official.mps.user.authorize({ authType: '', authProvider: 'wechat_openapi' }), undefined);
  assert.deepEqual(plain(await ours.mps.user.authorize({ authType: '', authProvider: 'wechat_openapi' })), { success: true });
  assert.equal(ours.gw.state.log.length, 1);
});

test('a failed login: 3.1.5 fails every later call, ours recovers on the next one', async (t) => {
  const [official, ours] = both(t);
  for (const { gw, mps } of [official, ours]) {
    await anon(mps);
    // The session expires and the re-authorization hits a network failure once.
    gw.state.invalidateNext = 1;
    let failAuth = true;
    gw.state.override = (req, body) => {
      if (failAuth && body.method.includes('anonymousAuthorize')) {
        failAuth = false;
        throw new Error('network down');
      }
      return null;
    };
    await rejection(mps.function.invoke('f'));
  }
  // The network is back. 3.1.5 keeps rejecting with the stale failure (its pendingRequest stays rejected).
  const stale = [];
  for (let i = 0; i < 2; i++) stale.push(await rejection(official.mps.function.invoke('f')));
  assert.equal(stale[0], stale[1], 'the same rejected authorization, again and again');
  assert.match(String(stale[0].error && stale[0].error.message), /request:fail network down/);
  const sentAfter = official.gw.state.log.length;
  await rejection(official.mps.function.invoke('f'));
  assert.equal(official.gw.state.log.length, sentAfter, '3.1.5 does not even try any more');
  const res = await ours.mps.function.invoke('f');
  assert.equal(res.success, true);
});

function withFileApis(imageType) {
  return (sim) => ({
    request: sim.wx.request, uploadFile: sim.wx.uploadFile, getAuthCode: sim.wx.login,
    getFileInfo: (o) => setTimeout(() => { o.success && o.success({ size: 3 }); o.complete && o.complete({ size: 3 }); }, 1),
    ...(imageType ? { getImageInfo: (o) => setTimeout(() => { const r = { type: imageType }; o.success && o.success(r); o.complete && o.complete(r); }, 1) } : {}),
  });
}

test('webp and bmp images: 3.1.5 rejects the type getImageInfo reports, ours uploads them', async (t) => {
  for (const type of ['webp', 'bmp']) {
    const [official, ours] = both(t, { api: withFileApis(type) });
    for (const { mps } of [official, ours]) await anon(mps);
    const e = await rejection(official.mps.file.uploadFile({ filePath: official.sim.addTempFile(Buffer.from('img'), type) }));
    assert.equal(e.code, 'ValidationFailed');
    const up = await ours.mps.file.uploadFile({ filePath: ours.sim.addTempFile(Buffer.from('img'), type) });
    assert.equal(up.fileId, 'fid');
    assert.deepEqual(lastParams(ours.gw), { id: 'fid', contentType: `image/${type}` });
  }
});

test('upload without getImageInfo (the Alipay example passes none): 3.1.5 throws a TypeError, ours uploads', async (t) => {
  const [official, ours] = both(t, { api: withFileApis(null) });
  for (const { mps } of [official, ours]) await anon(mps);
  const e = await rejection(official.mps.file.uploadFile({ filePath: official.sim.addTempFile(Buffer.from('img'), 'jpg') }));
  assert.equal(e.name, 'TypeError');
  const up = await ours.mps.file.uploadFile({ filePath: ours.sim.addTempFile(Buffer.from('img'), 'jpg') });
  assert.equal(up.fileUrl, `https://cdn.example.com/${SPACE}/fid.png`);
  assert.deepEqual(lastParams(ours.gw), { id: 'fid', contentType: 'image/jpeg' }, 'the type comes from the path');
  assert.equal(ours.gw.state.uploads.length, 1);
});
