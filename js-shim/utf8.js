// UTF-8 TextEncoder/TextDecoder stand-ins for hosts that lack them (WeChat and Alipay logic
// layers). Module-local: nothing is written to the host's globals. Only what the wasm-bindgen glue
// uses: `new TextEncoder().encode(string)` and `new TextDecoder(label, options).decode(bytes?)`.

export class Utf8Encoder {
  /** UTF-8 bytes of `String(input)`; lone surrogates become U+FFFD, as TextEncoder does. */
  encode(input = '') {
    const s = String(input);
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.codePointAt(i);
      if (c > 0xffff) i++;
      else if (c >> 11 === 0x1b) c = 0xfffd; // 0xd800..0xdfff: a lone surrogate
      if (c < 0x80) out.push(c);
      else {
        const n = c < 0x800 ? 1 : c < 0x10000 ? 2 : 3; // continuation bytes
        out.push((0xff80 >> n) & 0xff | c >> 6 * n);
        for (let k = n; k--;) out.push(0x80 | (c >> 6 * k) & 63);
      }
    }
    return new Uint8Array(out);
  }
}

export class Utf8Decoder {
  /**
   * Text of `bytes` (a Uint8Array; none gives ''). The glue decodes only what Rust hands out, which
   * is always valid UTF-8 (a BOM is kept, as with `ignoreBOM: true`); a byte that cannot start a
   * sequence decodes to U+FFFD.
   */
  decode(bytes) {
    let out = '';
    if (!bytes) return out;
    // The ASCII prefix (all of most JSON the core hands out) in whole chunks, no per-byte work;
    // the rest byte by byte.
    let i = 0;
    while (i < bytes.length && bytes[i] < 0x80) i++;
    for (let j = 0; j < i; j += 4096) out += String.fromCharCode.apply(null, bytes.subarray(j, Math.min(i, j + 4096)));
    const chunk = [];
    while (i < bytes.length) {
      let c = bytes[i++];
      if (c > 0x7f) {
        const n = c > 0xef ? 3 : c > 0xdf ? 2 : 1;
        if (c < 0xc0) c = 0xfffd;
        else {
          c &= 0x3f >> n;
          for (let k = 0; k < n; k++) c = c << 6 | (bytes[i++] & 63);
          if (c > 0xffff) { c -= 0x10000; chunk.push(0xd800 | c >> 10); c = 0xdc00 | c & 1023; }
        }
      }
      chunk.push(c);
      if (chunk.length > 4096) { out += String.fromCharCode.apply(null, chunk); chunk.length = 0; }
    }
    return out + String.fromCharCode.apply(null, chunk);
  }
}
