// Minimal wasm binary helpers for the build and its gates: list sections and drop exports of a
// given kind (iOS WeChat cannot export wasm globals).

function readU32(bytes, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    if (b === undefined) throw new Error('truncated LEB128');
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result >>> 0, pos];
    shift += 7;
    if (shift > 28) throw new Error('LEB128 too long');
  }
}

function writeU32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sections(bytes) {
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a wasm module');
  const out = [];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, start] = readU32(bytes, pos + 1);
    out.push({ id, start: pos, bodyStart: start, end: start + size });
    pos = start + size;
  }
  return out;
}

const KIND = { func: 0, table: 1, memory: 2, global: 3 };

/** Returns a copy of the module without exports of `kind` (e.g. 'global'), and the names dropped. */
export function dropExports(bytes, kind) {
  const want = KIND[kind];
  const exp = sections(bytes).find((s) => s.id === 7);
  if (!exp) return { bytes, dropped: [] };
  let [count, pos] = readU32(bytes, exp.bodyStart);
  const kept = [];
  const dropped = [];
  let keptCount = 0;
  for (let i = 0; i < count; i++) {
    const entryStart = pos;
    const [len, nameStart] = readU32(bytes, pos);
    const name = Buffer.from(bytes.subarray(nameStart, nameStart + len)).toString('utf8');
    const k = bytes[nameStart + len];
    const [, after] = readU32(bytes, nameStart + len + 1);
    if (k === want) dropped.push(name);
    else { kept.push(bytes.subarray(entryStart, after)); keptCount++; }
    pos = after;
  }
  const body = Buffer.concat([Buffer.from(writeU32(keptCount)), ...kept.map((b) => Buffer.from(b))]);
  const section = Buffer.concat([Buffer.from([7]), Buffer.from(writeU32(body.length)), body]);
  return {
    bytes: Buffer.concat([Buffer.from(bytes.subarray(0, exp.start)), section, Buffer.from(bytes.subarray(exp.end))]),
    dropped,
  };
}
