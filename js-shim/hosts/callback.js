// The one promisifier of the package: mini-program callback APIs (`api({...args, success, fail,
// complete})`) as Promises, for the host adapters and the MPServerless platform functions alike.

/** A failure reported through `complete` or `success` (wx `errMsg: 'x:fail …'`, Alipay `error: N`). */
function isFailure(res) {
  return !!res && typeof res === 'object' &&
    ((typeof res.errMsg === 'string' && /:fail/.test(res.errMsg)) || (res.error != null && typeof res.error !== 'object' && !!parseInt(res.error, 10)));
}

/**
 * One Error per platform failure, `errMsg` and `message` both `<name>:fail …` (wx failures keep
 * their own errMsg; Alipay's `{error: N, errorMessage}` becomes `<name>:fail error N …`). A timeout
 * carries `kind: 'timeout'`, which the core reads as a structured kind (it never classifies by the
 * text): wx / tt / dd report `<name>:fail timeout`, Alipay error 13.
 */
function platformFailure(name, err) {
  const o = err && typeof err === 'object' ? err : null;
  // Alipay: 13 is a timeout; 12 a network error; 19 an HTTP error (see reference §7).
  const n = o && parseInt(o.error, 10);
  const detail = o && (o.errorMessage || o.message);
  const wx = o && typeof o.errMsg === 'string';
  const msg = wx ? o.errMsg
    : n ? name + ':fail ' + (n === 13 ? 'timeout' : 'error ' + n) + (detail ? ' ' + detail : '')
      : name + ':fail ' + (o && typeof o.message === 'string' ? o.message : String(err));
  const e = new Error(msg);
  e.errMsg = msg;
  if (wx ? /timeout/i.test(msg) : n === 13) e.kind = 'timeout';
  return e;
}

/**
 * Calls the callback-style platform API `fn` (named `name` in errors) once and settles on the
 * first of success / fail / complete (mocks and old base libraries call only `complete`); a
 * Promise return value (uni-app / Taro wrappers) is honoured too. Never resolves with a failure,
 * except that `recover` may turn a failure into a result (Alipay reports HTTP errors as failures
 * that carry the body). Resolves `{}` for an empty success.
 */
export function callApi(name, fn, thisArg, args, recover) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const end = (failed, value) => {
      if (settled) return;
      settled = true;
      if (!failed && !isFailure(value)) return resolve(value || {});
      const r = recover && recover(value);
      if (r) resolve(r);
      else reject(platformFailure(name, value));
    };
    const ok = (res) => end(false, res);
    const fail = (err) => end(true, err);
    let ret;
    try {
      ret = fn.call(thisArg, Object.assign({}, args, { success: ok, fail, complete: ok }));
    } catch (e) {
      return fail(e);
    }
    if (ret && typeof ret.then === 'function') ret.then(ok, fail);
  });
}

/** `.then(done)`: a platform call whose result is nothing (storage writes). */
export const done = () => undefined;

/** Copies a Uint8Array out of whatever a random-bytes API returned. */
export function toBytes(value) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value && ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError('random source returned ' + typeof value);
}

/** `getRandomValues(length)` over a Web Crypto object, in the 65,536-byte chunks it accepts per call. */
export function cryptoRandom(c) {
  return async (length) => {
    const out = new Uint8Array(length);
    for (let off = 0; off < length; off += 65536) c.getRandomValues(out.subarray(off, off + 65536));
    return out;
  };
}
