// Host adapter for WeChat (`wx`) and Douyin (`tt`), whose request/login/storage APIs share a shape.
import { callApi, done, toBytes } from './callback.js';

const MAX_RANDOM_CHUNK = 1048576; // wx.getRandomValues length cap

export function wechatLikeHost(api, platform) {
  const call = (name, args) => callApi(name, api[name], api, args);
  const response = (res) => ({ statusCode: res.statusCode, data: res.data, header: res.header });
  const host = {
    platform,
    request(req) {
      return call('request', {
        url: req.url,
        method: req.method,
        header: req.header,
        data: req.data,
        timeout: req.timeout,
        dataType: 'text', // any value but 'json': the core parses bodies itself
        responseType: 'text',
      }).then(response);
    },
    uploadFile(req) {
      return call('uploadFile', {
        url: req.url, filePath: req.filePath, name: req.name, formData: req.formData, header: req.header, timeout: req.timeout,
      }).then(response);
    },
    login() {
      return call('login', {}).then((res) => res.code);
    },
    getStorage(key) {
      return call('getStorage', { key, encrypt: false }).then(
        (res) => res.data,
        (err) => {
          // A missing key is "fail data not found" on wx and tt: that is an empty result, not an error.
          if (err && typeof err.errMsg === 'string' && /not found|not exist/i.test(err.errMsg)) return undefined;
          throw err;
        },
      );
    },
    setStorage(key, value) {
      return call('setStorage', { key, data: value, encrypt: false }).then(done);
    },
    removeStorage(key) {
      return call('removeStorage', { key }).then(done);
    },
  };
  if (typeof api.getRandomValues === 'function') {
    host.getRandomValues = async (length) => {
      const out = new Uint8Array(length);
      for (let off = 0; off < length; off += MAX_RANDOM_CHUNK) {
        const n = Math.min(MAX_RANDOM_CHUNK, length - off);
        const res = await call('getRandomValues', { length: n });
        out.set(toBytes(res.randomValues).subarray(0, n), off);
      }
      return out;
    };
  }
  return host;
}
