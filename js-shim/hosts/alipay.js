// Host adapter for Alipay (`my`). Its logic layer has no secure random API, so getRandomValues is
// only offered when the host really has one (a Worker's crypto); otherwise the SDK fails closed.
import { callApi, toBytes } from './callback.js';

export function alipayHost(my, cryptoObj) {
  const host = {
    platform: 'alipay',
    request(req) {
      return callApi(my.request, my, {
        url: req.url, method: req.method, headers: req.header, data: req.data, timeout: req.timeout, dataType: 'text',
      }).then((res) => ({ statusCode: res.status, data: res.data, header: res.headers }));
    },
    uploadFile(req) {
      return callApi(my.uploadFile, my, {
        url: req.url, filePath: req.filePath, fileName: req.name, fileType: 'image', formData: req.formData, header: req.header,
      }).then((res) => ({ statusCode: res.statusCode, data: res.data, header: res.header }));
    },
    login() {
      return callApi(my.getAuthCode, my, { scopes: 'auth_base' }).then((res) => res.authCode);
    },
    getStorage(key) {
      return callApi(my.getStorage, my, { key }).then((res) => (res.data === null ? undefined : res.data));
    },
    setStorage(key, value) {
      return callApi(my.setStorage, my, { key, data: value }).then(() => undefined);
    },
    removeStorage(key) {
      return callApi(my.removeStorage, my, { key }).then(() => undefined);
    },
  };
  if (cryptoObj && typeof cryptoObj.getRandomValues === 'function') {
    host.getRandomValues = async (length) => toBytes(cryptoObj.getRandomValues(new Uint8Array(length)));
  }
  return host;
}
