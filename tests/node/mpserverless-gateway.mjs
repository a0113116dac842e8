// Shared pieces of the mpserverless-*.test.mjs suites (not a test file itself): realms with our
// package and the official @alicloud/mpserverless-sdk@3.1.5, a deterministic scripted gateway that
// verifies every signature, the local emulator, and the API document's examples.
import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { ROOT, PKG, hostSim, tmpDir } from './_helpers.mjs';
import { startEmulator as startSharedEmulator } from './_emulator.mjs';

export const SECRET = 'test-client-secret';
export const SPACE = 'SPACE-1';
export const ENDPOINT = 'https://api.example.com';
export const OFFICIAL_DIST = path.join(ROOT, 'node_modules', '@alicloud', 'mpserverless-sdk', 'dist', 'index.js');

let root = null;
/**
 * One code package for every realm: our WeChat build at miniprogram_npm/miniapp-sdk (as WeChat's
 * npm build lays it out), our Alipay build at node_modules/miniapp-sdk, and the official 3.1.5
 * bundle at miniprogram_npm/@alicloud/mpserverless-sdk (its `miniprogram` entry is `dist/`).
 */
export function codePackage() {
  if (!root) {
    root = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir('mp-mps-') });
    const nm = path.join(root, 'node_modules', 'miniapp-sdk');
    fs.mkdirSync(nm, { recursive: true });
    for (const f of ['alipay-serverless.js', 'mpserverless.js']) fs.copyFileSync(path.join(PKG, f), path.join(nm, f));
    const official = path.join(root, 'miniprogram_npm', '@alicloud', 'mpserverless-sdk');
    fs.mkdirSync(official, { recursive: true });
    fs.copyFileSync(OFFICIAL_DIST, path.join(official, 'index.js'));
  }
  return root;
}

/** Which module a realm loads for each implementation. */
export const MODULES = {
  official: '@alicloud/mpserverless-sdk',
  ours: { 'wechat-ios': 'miniapp-sdk/mpserverless', 'alipay-logic': 'miniapp-sdk/alipay-serverless' },
};

/** Babel's interop, as the mini-program compilers apply it to `import X from 'y'`. */
export function importDefault(mod) {
  return mod && mod.__esModule ? mod.default : mod;
}

export function realm(t, profile, options = {}) {
  const sim = hostSim.createHost({ profile, packageRoot: codePackage(), ...options });
  if (t) t.after(() => sim.close());
  return sim;
}

/** Loads an implementation in the realm: 'official' or 'ours'. */
export function load(sim, which) {
  const id = which === 'official' ? MODULES.official : MODULES.ours[sim.profile];
  return importDefault(sim.require(id));
}

/** Pins the realm's clock (so both implementations sign the same timestamps). */
export function pinClock(sim, start = 1700000000000) {
  let now = start;
  sim.global.Date.now = () => now;
  return { tick: (ms = 1) => { now += ms; } };
}

/** The reference's string to sign, recomputed from a received body. */
export function expectedSign(body, secret = SECRET) {
  const parts = [];
  for (const k of ['method', 'params', 'spaceId', 'timestamp', 'token', 'userId']) {
    if (body[k]) parts.push(`${k}=${body[k]}`);
  }
  return createHmac('md5', secret).update(parts.join('&'), 'utf8').digest('hex');
}

function reply(data, extraHeaders = {}) {
  return { statusCode: 200, data: JSON.stringify({ success: true, data }), header: { 'content-type': 'application/json', 'request-id': 'rid-1', ...extraHeaders } };
}

export function gatewayError(code, message, statusCode = 200) {
  return { statusCode, data: JSON.stringify({ success: false, error: { code, message } }), header: { 'content-type': 'application/json' } };
}

const DB_DATA = {
  find: { affectedDocs: 1, result: [{ _id: 'id1', title: 'a', at: '2024-01-02T03:04:05.000Z', n: { b: 1, a: 2 } }] },
  findOne: { affectedDocs: 1, result: { _id: 'id1', title: 'a', at: '2024-01-02T03:04:05.000Z' } },
  count: { affectedDocs: 2, result: 2 },
  distinct: { affectedDocs: 2, result: ['a', 'b'] },
  aggregate: { affectedDocs: 1, result: [{ _id: 'a', total: 3 }] },
  insertOne: { affectedDocs: 1, result: 'id1' },
  insertMany: { affectedDocs: 2, result: { 0: 'id1', 1: 'id2' } },
  startTransaction: { affectedDocs: 0, transactionId: 'tx-1' },
};

/**
 * A deterministic gateway: every request's signature and token header are checked (a mismatch is
 * a test failure, recorded in `state.problems`), auth calls mint `tok-1`, `tok-2`, ..., and each
 * method answers fixed data. `state.invalidateNext` makes the next n authenticated calls fail with
 * GATEWAY_INVALID_TOKEN; `state.override(req, body)` may answer instead.
 */
export function scriptedGateway({ secret = SECRET } = {}) {
  const state = { n: 0, tokens: new Set(), log: [], uploads: [], problems: [], invalidateNext: 0, override: null };
  const responder = async (req) => {
    if (req.file) {
      state.uploads.push({ url: req.url, formData: Object.fromEntries(Object.entries(req.formData).map(([k, v]) => [k, String(v)])), header: req.header, field: req.file.field, filePath: req.file.filePath, bytes: req.file.bytes.length });
      return { statusCode: 204, data: '', header: {} };
    }
    const body = JSON.parse(req.body);
    const entry = { url: req.url, raw: req.body, body, sign: req.header['x-serverless-sign'], tokenHeader: req.header['x-basement-token'], contentType: req.header['content-type'] };
    state.log.push(entry);
    if (entry.sign !== expectedSign(body, secret)) state.problems.push(`bad signature on ${body.method}`);
    if ((body.token || undefined) !== entry.tokenHeader) state.problems.push(`token header differs from body on ${body.method}`);
    if (state.override) {
      const r = await state.override(req, body);
      if (r) return r;
    }
    const params = body.params === undefined ? {} : JSON.parse(body.params);
    if (body.method === 'serverless.auth.user.anonymousAuthorize' || body.method === 'serverless.auth.user.authorize') {
      const token = `tok-${++state.n}`;
      state.tokens.add(token);
      return reply({ accessToken: token, expiresInSecond: 600 });
    }
    if (state.invalidateNext > 0) {
      state.invalidateNext--;
      state.tokens.delete(body.token);
    }
    if (!state.tokens.has(body.token)) return gatewayError('GATEWAY_INVALID_TOKEN', 'token is invalid');
    switch (body.method) {
      case 'serverless.auth.user.getProfileInfo': return reply({ spaceId: body.spaceId, userId: 'u-1' });
      case 'serverless.function.runtime.invoke': return reply({ echo: params.functionArgs, at: '2024-01-02T03:04:05.000Z' });
      case 'serverless.db.default.execute': return reply(DB_DATA[params.command] || { affectedDocs: 1, result: null });
      case 'serverless.file.resource.generateProximalSign':
        return reply({ id: 'fid', ossPath: `${body.spaceId}/fid.png`, host: 'oss.example.com', policy: 'POL', signature: 'SIG', accessKeyId: 'AK', securityToken: 'STS', cdnDomain: 'cdn.example.com' });
      case 'serverless.file.resource.report': return reply(null);
      case 'serverless.file.resource.delete': return reply([{ success: true, fileId: params.id }]);
      case 'serverless.file.resource.info': return reply([{ fileId: params.id, size: 3 }]);
      default: return gatewayError('InvalidParameter.MethodNotFound', 'no such method');
    }
  };
  return { responder, state };
}

/** Plain data of a realm value: Dates as {$date}, realm objects and arrays as Node ones. */
export function plain(v) {
  if (Object.prototype.toString.call(v) === '[object Date]') return { $date: v.toISOString() };
  if (Array.isArray(v)) return Array.from(v, plain);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = plain(v[k]);
    return out;
  }
  return v;
}

// ---- the local emulator --------------------------------------------------------------------------

/** Starts the emulator (built first when needed) on a free port; stops it after the test. Resolves `{url, stop}`. */
export async function startEmulator(t, extraArgs = []) {
  const emu = await startSharedEmulator({ args: extraArgs, waitForKeys: false });
  if (t) t.after(() => emu.stop());
  return emu;
}

/**
 * Sends realm requests to the emulator over loopback HTTP. The SDKs build the OSS upload URL as
 * `https://` + host (reference §10.7), and the emulator's host is `127.0.0.1:PORT/__oss`: served
 * over plain HTTP here, as a local proxy would.
 */
export function emulatorResponder() {
  const send = hostSim.loopbackResponder();
  return (req) => send({ ...req, url: req.url.replace(/^https:\/\/(127\.0\.0\.1|localhost)([:/])/, 'http://$1$2') });
}

