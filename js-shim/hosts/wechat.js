// Host adapter for WeChat (`wx`) and Douyin (`tt`), whose request/login/storage APIs share a shape.
import { callApi, toBytes } from './callback.js';

const MAX_RANDOM_CHUNK = 1048576; // wx.getRandomValues length cap

export function wechatLikeHost(api, platform) {
  const host = {
    platform,
    request(req) {
      return callApi('request', api.request, api, {
        url: req.url,
        method: req.method,
        header: req.header,
        data: req.data,
        timeout: req.timeout,
        dataType: 'text', // any value but 'json': the core parses bodies itself
        responseType: 'text',
      }).then((res) => ({ statusCode: res.statusCode, data: res.data, header: res.header }));
    },
    uploadFile(req) {
      return callApi('uploadFile', api.uploadFile, api, {
        url: req.url, filePath: req.filePath, name: req.name, formData: req.formData, header: req.header, timeout: req.timeout,
      }).then((res) => ({ statusCode: res.statusCode, data: res.data, header: res.header }));
    },
    login() {
      return callApi('login', api.login, api, {}).then((res) => res.code);
    },
    getStorage(key) {
      return callApi('getStorage', api.getStorage, api, { key, encrypt: false }).then(
        (res) => res.data,
        (err) => {
          // A missing key is "fail data not found" on wx and tt: that is an empty result, not an error.
          if (err && typeof err.errMsg === 'string' && /not found|not exist/i.test(err.errMsg)) return undefined;
          throw err;
        },
      );
    },
    setStorage(key, value) {
      return callApi('setStorage', api.setStorage, api, { key, data: value, encrypt: false }).then(() => undefined);
    },
    removeStorage(key) {
      return callApi('removeStorage', api.removeStorage, api, { key }).then(() => undefined);
    },
  };
  if (typeof api.getRandomValues === 'function') {
    host.getRandomValues = async (length) => {
      const out = new Uint8Array(length);
      for (let off = 0; off < length; off += MAX_RANDOM_CHUNK) {
        const n = Math.min(MAX_RANDOM_CHUNK, length - off);
        const res = await callApi('getRandomValues', api.getRandomValues, api, { length: n });
        out.set(toBytes(res.randomValues).subarray(0, n), off);
      }
      return out;
    };
  }
  return host;
}
