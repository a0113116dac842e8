// What .ci/build.mjs's slimGlue changed in the wasm-bindgen glue, pinned by behaviour: strings
// cross as UTF-8 both ways (the host realms have no TextEncoder: the shim's Utf8Encoder; Node:
// its own), and every edit still finds its pattern in the glue this wasm-bindgen writes.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { boot, PKG, ROOT, require } from './_helpers.mjs';
import { patchGlue, slimGlue, trimGlue } from '../../.ci/build.mjs';

// ASCII, 2-, 3- and 4-byte UTF-8 and a lone surrogate (which both encoders write as U+FFFD).
const TEXT = 'a é 张三 😀 \ud800 end';
const SENT = TEXT.replace('\ud800', '\ufffd');

test('non-ASCII strings reach the host and come back intact in a realm without TextEncoder', async (t) => {
  const { sim, sdk } = boot(t);
  assert.equal(sim.evaluate('typeof TextEncoder'), 'undefined');
  const { core } = await sdk.init();
  const res = await core.ping('https://x.test/' + TEXT);
  assert.equal(res.data, 'echo:https://x.test/' + SENT);
});

test('non-ASCII strings reach the host and come back intact with Node\'s TextEncoder', async () => {
  const sdk = require(path.join(PKG, 'index.js'));
  const urls = [];
  const host = {
    request: async (req) => { urls.push(req.url); return { statusCode: 200, data: 'echo:' + req.url, header: { 'x-non-string': 1 } }; },
    getRandomValues: async (n) => webcrypto.getRandomValues(new Uint8Array(n)),
  };
  const { core } = await sdk.init({ host });
  const res = await core.ping('https://x.test/' + TEXT);
  assert.deepEqual(urls, ['https://x.test/' + SENT]);
  assert.equal(res.data, 'echo:https://x.test/' + SENT);
});

test('slimGlue finds each of its patterns in the glue of every variant and leaves no catch import passing `arguments`', () => {
  for (const v of ['full', 'serverless', 'auth']) {
    const file = path.join(ROOT, 'target', 'mp', v, 'bindgen', 'core.js');
    const glue = slimGlue(trimGlue(patchGlue(fs.readFileSync(file, 'utf8'))));
    assert.doesNotMatch(glue, /arguments\); \}/, v);
    assert.doesNotMatch(glue, /\.detached/, v);
    assert.equal((glue.match(/__wbg_static_accessor_\w+: function\(\) \{\n {12}return 0;/g) || []).length, 3, v);
  }
});

test('a config only the core refuses rejects every call with the same ValidationFailed (the constructor of the core cannot throw)', async () => {
  const { MPServerless } = require(path.join(PKG, 'index.js'));
  let sent = 0;
  const api = { request: (o) => { sent++; o.success({ statusCode: 200, data: '{}', header: {} }); }, uploadFile() {}, getAuthCode() {} };
  const mp = new MPServerless(api, { appId: 'a', spaceId: 's', clientSecret: 'c', endpoint: 'ftp://api.example' });
  for (let i = 0; i < 2; i++) {
    const e = await mp.user.authorize({ authType: 'anonymous' }).then(() => null, (err) => err);
    assert.ok(e instanceof Error, 'rejects');
    assert.equal(e.name, 'MPServerlessError');
    assert.equal(e.code, 'ValidationFailed');
    assert.match(e.message, /endpoint must be an http\(s\) URL/);
  }
  assert.equal(sent, 0, 'nothing is sent');
});
