// Host adapter for Alipay (`my`). Its logic layer has no secure random API: getRandomValues uses a
// real crypto.getRandomValues when the host has one (a Worker); otherwise it rejects (NO_ENTROPY).
import { callApi, cryptoRandom, done } from './callback.js';

export const ALIPAY_NO_ENTROPY = "Alipay's logic layer has no secure random source (no crypto.getRandomValues and no my.getRandomValues), " +
  'so RSA/SM2 password encryption is refused. Use an encryptFunction backed by my.rsa for RSA, or run the SDK where ' +
  'crypto.getRandomValues exists (an Alipay Worker)';

export function alipayHost(my, cryptoObj) {
  const call = (name, args) => callApi(name, my[name], my, args);
  const host = {
    platform: 'alipay',
    request(req) {
      return call('request', {
        url: req.url, method: req.method, headers: req.header, data: req.data, timeout: req.timeout, dataType: 'text',
      }).then((res) => ({ statusCode: res.status, data: res.data, header: res.headers }));
    },
    uploadFile(req) {
      return call('uploadFile', {
        url: req.url, filePath: req.filePath, fileName: req.name, fileType: 'image', formData: req.formData, header: req.header,
      }).then((res) => ({ statusCode: res.statusCode, data: res.data, header: res.header }));
    },
    login() {
      return call('getAuthCode', { scopes: 'auth_base' }).then((res) => res.authCode);
    },
    getStorage(key) {
      return call('getStorage', { key }).then((res) => (res.data === null ? undefined : res.data));
    },
    setStorage(key, value) {
      return call('setStorage', { key, data: value }).then(done);
    },
    removeStorage(key) {
      return call('removeStorage', { key }).then(done);
    },
  };
  // Fail closed, with a message that says what to do on Alipay (never Math.random).
  host.getRandomValues = cryptoObj && typeof cryptoObj.getRandomValues === 'function' ? cryptoRandom(cryptoObj)
    : () => Promise.reject(new Error(ALIPAY_NO_ENTROPY));
  return host;
}
