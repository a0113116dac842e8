// The Host the MPServerless core talks to, over the platform functions an app passes to
// `new MPServerless(platformApi, …)`: wx shape `{statusCode, data, header}` and my shape
// `{status, data, headers}` alike, as @alicloud/mpserverless-sdk 3.1.5 accepts them.
// Calls without their own timeout (login) are bounded by the core's default, 10 s
// (src/wasm/host_js.rs DEFAULT_CALL_TIMEOUT_MS, as 3.1.5's login timeout): no callTimeoutMs here.
import { callApi } from './callback.js';

/** An Alipay HTTP error (error 19 / non-2xx) that still carries status and body is a response. */
const httpErrorWithBody = (err) =>
  err && typeof err === 'object' && Number(err.status || err.statusCode) >= 100 && err.data !== undefined ? err : null;

function normaliseResponse(res) {
  const status = res.statusCode !== undefined ? res.statusCode : res.status;
  return { statusCode: Number(status), data: res.data, header: res.header || res.headers || {} };
}

/** The Host over `api` (`{request | httpRequest, uploadFile, getAuthCode | login}`, checked by the constructor). */
export function platformApiHost(api) {
  const request = api.request || api.httpRequest;
  const login = api.getAuthCode || api.login;
  return {
    platform: 'mpserverless',
    request(req) {
      // Both `header` (wx) and `headers` (my) are passed, as the official SDK does.
      return callApi('request', request, api, {
        url: req.url, method: req.method, data: req.data, header: req.header, headers: req.header,
        dataType: 'text', responseType: 'text', timeout: req.timeout,
      }, httpErrorWithBody).then(normaliseResponse);
    },
    uploadFile(req) {
      return callApi('uploadFile', api.uploadFile, api, {
        url: req.url, filePath: req.filePath, name: req.name, fileName: req.name, fileType: 'image',
        formData: req.formData, header: req.header, timeout: req.timeout,
      }).then(normaliseResponse);
    },
    login() {
      return callApi('getAuthCode', login, api, { scopes: 'auth_base' }).then((res) => res.authCode || res.code);
    },
  };
}
