// Debug lines of the MPServerless client (3.1.5 `setDebugFlag(true)` with the `logger` option):
// the platform calls the core makes, through the app's logger, with every secret redacted. 3.1.5
// logs the signed request (token, signature), the authorize reply (access token) and the login
// code as they are; these lines name the same steps with those values replaced by REDACTED. The
// client secret never reaches a line (it is only ever a signing key, not sent).

const REDACTED = '[redacted]';
/** Header, body and params members that carry a secret. */
const SECRET_KEY = /^(x-serverless-sign|x-basement-token|x-oss-security-token|(access|refresh|security)?token|authcode|clientsecret|signature)$/i;

/** A copy of `v` with secret members replaced; JSON text inside (body, params) is redacted too. */
export function redact(v) {
  if (typeof v === 'string') {
    if (!/^[{[]/.test(v)) return v;
    try {
      return JSON.stringify(redact(JSON.parse(v)));
    } catch (e) {
      return v;
    }
  }
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = SECRET_KEY.test(k) && v[k] != null && v[k] !== '' ? REDACTED : redact(v[k]);
    return out;
  }
  return v;
}

/**
 * The core's Host with debug lines: `log()` is the logger in effect (the empty logger while the
 * flag is off, so nothing is computed or written then).
 */
export function debugHost(host, log) {
  const on = () => log() !== EMPTY_LOGGER;
  // 3.1.5's lines: 'request encode data' <request>, 'completed request' <response>, 'request error'.
  const traced = (what, fn) => function (req) {
    if (on()) log().info(what + ' encode data', redact(req));
    return fn.call(host, req).then((res) => {
      if (on()) log().info('completed ' + what, redact(res));
      return res;
    }, (err) => {
      if (on()) log().error(what + ' error', err && err.message ? err.message : String(err));
      throw err;
    });
  };
  return Object.assign({}, host, {
    request: traced('request', host.request),
    uploadFile: traced('uploadFile', host.uploadFile),
    login() {
      return host.login().then((code) => {
        if (on()) log().info('[UserService]Request authcode is ' + REDACTED);
        return code;
      });
    },
  });
}

/** 3.x's `emptyLogger`: the logger while debugging is off. */
const noop = () => {};
export const EMPTY_LOGGER = { log: noop, info: noop, warn: noop, error: noop, debug: noop };
