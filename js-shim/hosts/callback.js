// Promisify a mini-program callback API once: `api({...args, success, fail})`. Rejects with the
// platform's failure object (which carries errMsg); never resolves on failure.
export function callApi(fn, thisArg, args) {
  return new Promise((resolve, reject) => {
    const opts = Object.assign({}, args, { success: resolve, fail: reject });
    fn.call(thisArg, opts);
  });
}

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
