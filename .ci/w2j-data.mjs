// wasm2js writes the module's data segments as base64 strings (4 characters per 3 bytes) and a
// decoder. Most of the data is text (messages, JSON keys, method names), so the wasm2js builds carry
// each segment as a JS string literal of its bytes instead (U+0000-U+00FF, one character per byte:
// printable ASCII as itself, a few escapes, other bytes as the raw character) and copy it with
// charCodeAt. The literals are put in after minification, since the minifiers would rewrite raw
// control and non-ASCII characters as 4-character escapes.

const B64_CALL = /base64DecodeToExistingUint8Array\(bufferView, (\d+), "([A-Za-z0-9+/=]*)"\);/g;
const B64_DECODER = /var base64ReverseLookup = [\s\S]*?\n {2}function base64DecodeToExistingUint8Array\(uint8Array, offset, b64\) \{[\s\S]*?\n {2}\}\n/;
const placeholder = (i) => `@@W2J_SEGMENT_${i}@@`;

// std's source paths (`/rustc/<commit>/library/core/src/cell/lazy.rs`), which only panic locations
// use: a panic in this build reaches no hook output (wasm32-unknown-unknown has no stderr) and
// ends in a trap, so their text is never seen. They are left out (the memory stays zero there,
// still valid UTF-8): ~600-900 B per build.
const STD_PATH = /\/rustc\/[0-9a-f]{40}\/library\/[\w/.-]+?\.rs/g;

/** The parts of a segment outside std's source paths: [[offset within it, bytes]...]. */
function withoutStdPaths(bytes) {
  const text = bytes.toString('latin1');
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(STD_PATH)) {
    if (m.index > at) parts.push([at, bytes.subarray(at, m.index)]);
    at = m.index + m[0].length;
  }
  if (at < bytes.length) parts.push([at, bytes.subarray(at)]);
  return parts;
}

/** Replaces the base64 segments of a wasm2js module by placeholders; returns the source and the segments' bytes. */
export function extractSegments(source) {
  if (!B64_DECODER.test(source)) throw new Error('wasm2js output has no base64 segment decoder: re-check .ci/w2j-data.mjs');
  const segments = [];
  const out = source
    .replace(B64_DECODER, 'function copySegment(view, offset, s) {\n    for (var i = 0; i < s.length; i++) view[offset + i] = s.charCodeAt(i);\n  }\n')
    .replace(B64_CALL, (m, offset, b64) => withoutStdPaths(Buffer.from(b64, 'base64')).map(([at, bytes]) => {
      segments.push(bytes);
      return `copySegment(bufferView, ${Number(offset) + at}, "${placeholder(segments.length - 1)}");`;
    }).join('\n  '));
  if (out.includes('base64DecodeToExistingUint8Array')) throw new Error('a base64 segment was not replaced');
  return { source: out, segments };
}

/** A JS string literal whose char codes are the bytes (valid in strict code and in ES2017). */
export function byteLiteral(bytes) {
  let s = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) s += '\\"';
    else if (b === 0x5c) s += '\\\\';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x0d) s += '\\r';
    // `\0` before a digit would be a legacy octal escape, a syntax error in strict code.
    else if (b === 0) s += bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39 ? '\\x00' : '\\0';
    else s += String.fromCharCode(b); // raw: controls other than CR/LF and U+007F-U+00FF are allowed in literals
  }
  return s + '"';
}

/** Puts the segments' literals in place of their placeholders in a bundle (each exactly once). */
export function injectSegments(bundle, segments) {
  let out = bundle;
  segments.forEach((bytes, i) => {
    const parts = out.split(new RegExp(`["'\`]${placeholder(i)}["'\`]`));
    if (parts.length !== 2) throw new Error(`segment placeholder ${i} occurs ${parts.length - 1} times in the bundle`);
    out = parts[0] + byteLiteral(bytes) + parts[1];
  });
  return out;
}
