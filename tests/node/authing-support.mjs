// Shared helpers of the authing-*.test.mjs suites (not a test file itself): the emulator process,
// the WeChat-native examples of the API document, and loopback routing for the simulator.
import fs from 'node:fs';
import path from 'node:path';
import { PKG, ROOT, hostSim, tmpDir } from './_helpers.mjs';
import { startEmulator as startSharedEmulator } from './_emulator.mjs';

export const API_DOC = path.resolve(ROOT, '..', 'shared', 'reference', 'api-authing-miniapp.md');

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
 * The WeChat-native (微信原生小程序) TypeScript blocks of the API document, in order:
 * `[{section, code}]`, `section` being the nearest `### ` / `## ` heading.
 */
export function wechatExamples(mdPath = API_DOC) {
  const lines = fs.readFileSync(mdPath, 'utf8').split('\n');
  const out = [];
  let section = '';
  let inTab = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^#{2,3} /.test(line)) section = line.replace(/^#+ /, '').trim();
    if (line.trim() === '::: tab 微信原生小程序') { inTab = true; continue; }
    if (inTab && /^:::\s*$/.test(line.trim())) { inTab = false; continue; }
    if (inTab && /^``` ?typescript/.test(line.trim())) {
      const code = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i].trim()); i++) code.push(lines[i]);
      out.push({ section, code: code.join('\n') });
    }
  }
  return out;
}

/**
 * The document's import lines, changed for this package: `@authing/miniapp-wx` becomes
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

/** Wraps the instance's methods so every `[error, data]` they resolve is recorded as `{method, length, error, data}`. */
export function recordResults(authing, results) {
  const methods = ['getLoginState', 'loginByCode', 'loginByPassword', 'sendSms', 'loginByPassCode', 'refreshToken', 'getPhone',
    'updatePassword', 'getUserInfo', 'updateAvatar', 'updateUserInfo', 'logout'];
  for (const m of methods) {
    const orig = authing[m];
    authing[m] = async function (...args) {
      const r = await orig.apply(this, args);
      results.push({ method: m, length: r.length, error: r[0] === null ? null : clone(r[0]), data: clone(r[1]) });
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
