// What the differential tests against the official @authing/miniapp-taro 5.1.18 share: the
// scripted server, the code package holding both SDKs, and the comparable form of a request.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { PKG, ROOT, hostSim, tmpDir, require, rsaSpkiPem, rsaDecrypt, sm2 as smCrypto } from './_helpers.mjs';

export const HOST = 'https://auth.example';
const OFFICIAL = path.join(ROOT, 'node_modules', '@authing', 'miniapp-taro', 'dist', 'bundle-taro.js');
export const SM2_KEYS = smCrypto().generateKeyPairHex();
export const TOKEN = { access_token: 'AT', id_token: 'IT', refresh_token: 'RT', expires_in: 1209600, token_type: 'Bearer', scope: 'openid profile offline_access' };

// The official add-ons' encryptFunction, reproduced with the libraries they vendor.
export function officialEncryptFunction(plainText, publicKey) {
  if (/^-----BEGIN/.test(publicKey)) {
    const forge = require('node-forge');
    return forge.util.encode64(forge.pki.publicKeyFromPem(publicKey).encrypt(forge.util.encodeUtf8(plainText), 'RSAES-PKCS1-V1_5'));
  }
  return smCrypto().doEncrypt(plainText, publicKey, 1);
}

/** Endpoints of the account methods: each answers a plain success envelope. */
const ACCOUNT_PATHS = new Set(['/api/v3/send-email', '/api/v3/bind-email', '/api/v3/verify-update-email-request', '/api/v3/update-email',
  '/api/v3/bind-phone', '/api/v3/verify-update-phone-request', '/api/v3/update-phone', '/api/v3/verify-delete-account-request',
  '/api/v3/delete-account', '/api/v3/decrypt-wechat-miniprogram-data', '/api/v3/decrypt-douyin-miniprogram-data',
  '/connections/social/wechat-miniprogram/bind', '/connections/social/douyin-miniprogram/bind']);

/** A scripted Authing server: the same answers for both SDKs. */
export function server(req) {
  const p = req.url.slice(HOST.length).split('?')[0];
  const json = (body, statusCode = 200) => ({ statusCode, data: JSON.stringify(body), header: { 'content-type': 'application/json' } });
  switch (p) {
    case '/api/v3/system': return json({ rsa: { publicKey: rsaSpkiPem() }, sm2: { publicKey: SM2_KEYS.publicKey } });
    case '/api/v3/signin':
    case '/api/v3/signin-by-mobile': return json({ statusCode: 200, message: '', data: TOKEN });
    case '/oidc/token': return json({ ...TOKEN, access_token: 'AT2', refresh_token: 'RT2' });
    case '/oidc/token/revocation': return { statusCode: 200, data: '', header: {} };
    case '/api/v3/send-sms': return json({ statusCode: 200, message: '发送成功', requestId: 'r1' });
    case '/api/v3/update-password': return json({ statusCode: 200, message: '操作成功', requestId: 'r2' });
    case '/api/v3/get-profile':
    case '/api/v3/update-profile': return json({ statusCode: 200, message: '', data: { userId: 'u1', username: 'bob', photo: 'https://f/a.png' } });
    case '/api/v3/get-wechat-miniprogram-phone':
      return json({ statusCode: 200, message: '', data: { errcode: 0, errmsg: 'ok', phone_info: { phoneNumber: '+8613800000000', purePhoneNumber: '13800000000', countryCode: '86', watermark: { timestamp: 1700000000, appid: 'wx1' } } } });
    case '/api/v2/upload': return json({ code: 200, message: '上传成功', data: { key: 'avatar/a.png', url: 'https://f/a.png' } });
    default:
      if (ACCOUNT_PATHS.has(p)) return json({ statusCode: 200, message: '', data: { ok: true, path: p } });
      return json({ statusCode: 404, message: 'no route ' + p });
  }
}

/** A code package with this SDK, the official bundle (as CommonJS) and the @tarojs/taro stand-in. */
export function codePackage() {
  const official = esbuild.transformSync(fs.readFileSync(OFFICIAL, 'utf8'), { format: 'cjs', target: 'es2017' }).code;
  const taro = [
    '// Stand-in for @tarojs/taro on WeChat: every API forwards to the global `wx`.',
    "const names = ['request', 'uploadFile', 'login', 'getStorage', 'setStorage', 'removeStorage', 'clearStorage', 'chooseImage', 'getUserProfile', 'checkSession', 'scanCode', 'getSystemInfo'];",
    'const Taro = {};',
    'names.forEach((n) => { Taro[n] = function (o) { return wx[n](o); }; });',
    'module.exports = Taro;',
  ].join('\n');
  return hostSim.layoutCodePackage({
    pkgDir: PKG,
    root: tmpDir('authing-diff-'),
    files: {
      'miniprogram_npm/@authing/miniapp-taro/index.js': official,
      'miniprogram_npm/@tarojs/taro/index.js': taro,
    },
  });
}

const SM2_HEX = /^[0-9a-f]+$/;

/** Replaces a password ciphertext by `<sm2|rsa:plaintext>` after checking its format. */
function decrypted(kind, cipher) {
  if (kind === 'sm2') {
    assert.match(cipher, SM2_HEX, 'SM2: lowercase hex');
    assert.ok(!cipher.startsWith('04') || cipher.length % 2 === 0);
    const plain = smCrypto().doDecrypt(cipher, SM2_KEYS.privateKey, 1);
    assert.equal(cipher.length, 2 * (64 + 32 + Buffer.byteLength(plain)), 'SM2: C1 (64 bytes, no 04) ‖ C3 (32) ‖ C2');
    return `<sm2:${plain}>`;
  }
  assert.match(cipher, /^[A-Za-z0-9+/]+=*$/, 'RSA: base64');
  return `<rsa:${rsaDecrypt(cipher)}>`;
}

/** The comparable form of a request: ciphertexts decrypted, the SDK version header left out. */
export function comparable(req) {
  const header = { ...req.header };
  delete header['x-authing-sdk-version'];
  // The simulator's wx.request appends `?` for an empty GET data object (getUserInfo({})); the
  // official SDK passes `{}`, this SDK builds the URL itself. A trailing `?` names the same resource.
  const out = { method: req.method, url: req.url.replace(/\?$/, ''), header };
  if (req.file) {
    delete header['content-type']; // multipart boundary
    out.file = { field: req.file.field, bytes: Buffer.from(req.file.bytes).toString('hex') };
    out.formData = req.formData || {};
    return out;
  }
  let body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : String(req.body);
  if (body && /\/api\/v3\/(signin|update-password)$/.test(req.url)) {
    const json = JSON.parse(body);
    const kind = json.options ? json.options.passwordEncryptType : json.passwordEncryptType;
    if (kind === 'rsa' || kind === 'sm2') {
      if (json.passwordPayload) json.passwordPayload.password = decrypted(kind, json.passwordPayload.password);
      else json.newPassword = decrypted(kind, json.newPassword);
      body = JSON.stringify(json);
    }
  }
  out.body = body;
  return out;
}

