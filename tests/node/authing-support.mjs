// Shared helpers of the authing-*.test.mjs suites (not a test file itself): the emulator process,
// the WeChat-native examples (tests/fixtures/examples/authing-wechat/), and loopback routing for
// the simulator.
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, PKG, hostSim, tmpDir } from './_helpers.mjs';
import { startEmulator as startSharedEmulator } from './_emulator.mjs';

/** The WeChat-native example files: `init.js` and one `<method>.js` page per method. */
export const EXAMPLES_DIR = path.join(FIXTURES, 'examples', 'authing-wechat');

let sharedPackage = null;
/** A code package with pkg/miniprogram_dist at /miniprogram_npm/miniapp-sdk/ (shared by a suite, read-only). */
export function codePackageFor() {
  if (!sharedPackage) sharedPackage = hostSim.layoutCodePackage({ pkgDir: PKG, root: tmpDir('authing-pkg-') });
  return sharedPackage;
}

/**
 * Starts the emulator (built first when needed) on a free port with a fresh data directory; stops it
 * after the test. Resolves `{base, admin(method, path, body), platformCode(route, body)}`.
 */
export async function startEmulator(t, args = []) {
  const emu = await startSharedEmulator({ args, waitForKeys: false });
  t.after(() => emu.stop());
  return { base: emu.url, admin: emu.admin, platformCode: (route, body = {}) => emu.admin('POST', route, body).then((r) => r.code) };
}

/**
 * A simulator responder sending requests to the emulator: URLs on `publicHost` (the document's
 * `https://my-authing-app.example.com`) are rewritten to the emulator's loopback address, as a
 * DNS entry would. Every request is appended to `log`.
 */
export function routedResponder(publicHost, base, log = []) {
  const loopback = hostSim.loopbackResponder();
  return (req) => {
    log.push(req);
    return loopback({ ...req, url: req.url.startsWith(publicHost) ? base + req.url.slice(publicHost.length) : req.url });
  };
}

/**
 * The WeChat-native example of `name` (`init` or a method): our own app code, written as for
 * @authing/miniapp-wx (its import lines included). A missing file throws: the suites fail.
 */
export function wechatExample(name) {
  return fs.readFileSync(path.join(EXAMPLES_DIR, name + '.js'), 'utf8');
}

/**
 * The examples' import lines, changed for this package: `@authing/miniapp-wx` becomes
 * `miniapp-sdk`; the encryption add-ons are not needed (the SDK encrypts in Rust), so their two
 * imports become one `const encryptFunction = undefined`. Nothing else of the code is touched.
 */
export function changeImportLines(code) {
  let encryptImports = 0;
  const lines = code.split('\n').map((line) => {
    if (/^import \{ Authing \} from '@authing\/miniapp-wx'\s*$/.test(line)) return "const { Authing } = require('miniapp-sdk')";
    if (/^import \{ encryptFunction \} from '@authing\/miniapp-(jsencrypt|sm2encrypt)'\s*$/.test(line)) {
      return encryptImports++ === 0 ? 'const encryptFunction = undefined' : '';
    }
    return line;
  });
  if (lines.some((l) => /^\s*import\s/.test(l))) throw new Error('an import line was not changed:\n' + code);
  return lines.join('\n');
}

const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** The twelve methods of the API document. */
export const DOCUMENTED_METHODS = ['getLoginState', 'loginByCode', 'loginByPassword', 'sendSms', 'loginByPassCode', 'refreshToken', 'getPhone',
  'updatePassword', 'getUserInfo', 'updateAvatar', 'updateUserInfo', 'logout'];

/**
 * Wraps the instance's methods so every result they resolve is recorded: `{method, length, error,
 * data}` for an `[error, data]` pair, `{method, plain}` for the plain values (saveLoginState, getLoginCode).
 */
export function recordResults(authing, results, methods = DOCUMENTED_METHODS) {
  for (const m of methods) {
    const orig = authing[m];
    authing[m] = async function (...args) {
      const r = await orig.apply(this, args);
      if (Array.isArray(r)) results.push({ method: m, length: r.length, error: r[0] === null ? null : clone(r[0]), data: clone(r[1]) });
      else results.push({ method: m, plain: clone(r) });
      return r;
    };
  }
}

/** A 1×1 PNG. */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');

/** Adds the picker APIs the simulator lacks: `wx.chooseMedia` / `wx.chooseImage` resolve one temp image. */
export function addImagePicker(sim, calls = []) {
  const pick = (api) => (o) => {
    calls.push({ api, options: JSON.parse(JSON.stringify(o, (k, v) => (typeof v === 'function' ? undefined : v))) });
    const filePath = sim.addTempFile(PNG, 'png');
    const res = api === 'chooseMedia'
      ? { tempFiles: [{ tempFilePath: filePath, size: PNG.length, fileType: 'image' }], type: 'image', errMsg: 'chooseMedia:ok' }
      : { tempFilePaths: [filePath], tempFiles: [{ path: filePath, size: PNG.length }], errMsg: 'chooseImage:ok' };
    setTimeout(() => { if (o.success) o.success(res); if (o.complete) o.complete(res); }, 0);
  };
  sim.wx.chooseMedia = pick('chooseMedia');
  sim.wx.chooseImage = pick('chooseImage');
}
