// Spec-shaped UTF-8 TextEncoder/TextDecoder for hosts that lack them (WeChat and Alipay logic
// layers). Module-local: nothing is written to the host's globals.

export class Utf8Encoder {
  get encoding() { return 'utf-8'; }
  encode(input) {
    const s = input === undefined ? '' : String(input);
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
        else c = 0xfffd;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        c = 0xfffd; // lone surrogate
      }
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }
}

export class Utf8Decoder {
  constructor(label, options) {
    const l = label === undefined ? 'utf-8' : String(label).toLowerCase();
    if (l !== 'utf-8' && l !== 'utf8') throw new RangeError('only utf-8 is supported');
    this.fatal = !!(options && options.fatal);
    this.ignoreBOM = !!(options && options.ignoreBOM);
  }
  get encoding() { return 'utf-8'; }
  decode(input) {
    if (input === undefined) return '';
    const b = input instanceof Uint8Array ? input
      : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
        : new Uint8Array(input);
    let i = 0;
    if (!this.ignoreBOM && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
    let out = '';
    const chunk = [];
    const bad = () => {
      if (this.fatal) throw new TypeError('The encoded data was not valid utf-8');
      return 0xfffd;
    };
    while (i < b.length) {
      const c = b[i];
      let cp;
      let need = 0;
      let min = 0;
      if (c < 0x80) { cp = c; } else if (c >= 0xc2 && c <= 0xdf) { cp = c & 31; need = 1; min = 0x80; } else if (c >= 0xe0 && c <= 0xef) { cp = c & 15; need = 2; min = 0x800; } else if (c >= 0xf0 && c <= 0xf4) { cp = c & 7; need = 3; min = 0x10000; } else { cp = bad(); }
      i++;
      let ok = true;
      for (let k = 0; k < need; k++) {
        const n = b[i];
        if (n === undefined || (n & 0xc0) !== 0x80) { ok = false; break; }
        cp = (cp << 6) | (n & 63);
        i++;
      }
      if (need && (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) cp = bad();
      if (cp >= 0x10000) { cp -= 0x10000; chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023)); } else chunk.push(cp);
      if (chunk.length > 4096) { out += String.fromCharCode.apply(null, chunk); chunk.length = 0; }
    }
    return out + String.fromCharCode.apply(null, chunk);
  }
}
