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

function readName(bytes, pos) {
  const [len, start] = readU32(bytes, pos);
  return [Buffer.from(bytes.subarray(start, start + len)).toString('utf8'), start + len];
}

/**
 * Names of imported and exported functions whose signature has an i64 parameter or result.
 * wasm2js legalizes those into i32 pairs, which the unmodified glue cannot call.
 */
export function i64Boundary(bytes) {
  const secs = sections(bytes);
  const body = (id) => secs.find((s) => s.id === id);
  const types = [];
  const t = body(1);
  if (t) {
    let [n, pos] = readU32(bytes, t.bodyStart);
    for (let i = 0; i < n; i++) {
      if (bytes[pos++] !== 0x60) throw new Error('unexpected type form');
      let params; [params, pos] = readU32(bytes, pos);
      const p = Array.from(bytes.subarray(pos, pos + params)); pos += params;
      let results; [results, pos] = readU32(bytes, pos);
      const r = Array.from(bytes.subarray(pos, pos + results)); pos += results;
      types.push(p.concat(r).includes(0x7e));
    }
  }
  const funcHasI64 = [];
  const found = [];
  const imp = body(2);
  if (imp) {
    let [n, pos] = readU32(bytes, imp.bodyStart);
    for (let i = 0; i < n; i++) {
      let mod, name; [mod, pos] = readName(bytes, pos); [name, pos] = readName(bytes, pos);
      const kind = bytes[pos++];
      if (kind === 0) {
        let ti; [ti, pos] = readU32(bytes, pos);
        funcHasI64.push(types[ti]);
        if (types[ti]) found.push('import ' + mod + '.' + name);
      } else if (kind === 1) { pos += 1; const flags = bytes[pos++]; [, pos] = readU32(bytes, pos); if (flags & 1) [, pos] = readU32(bytes, pos); }
      else if (kind === 2) { const flags = bytes[pos++]; [, pos] = readU32(bytes, pos); if (flags & 1) [, pos] = readU32(bytes, pos); }
      else if (kind === 3) { pos += 2; }
    }
  }
  const fn = body(3);
  if (fn) {
    let [n, pos] = readU32(bytes, fn.bodyStart);
    for (let i = 0; i < n; i++) { let ti; [ti, pos] = readU32(bytes, pos); funcHasI64.push(types[ti]); }
  }
  const exp = body(7);
  if (exp) {
    let [n, pos] = readU32(bytes, exp.bodyStart);
    for (let i = 0; i < n; i++) {
      let name; [name, pos] = readName(bytes, pos);
      const kind = bytes[pos++];
      let idx; [idx, pos] = readU32(bytes, pos);
      if (kind === 0 && funcHasI64[idx]) found.push('export ' + name);
    }
  }
  return found;
}
