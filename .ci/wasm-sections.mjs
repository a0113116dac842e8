// Minimal wasm binary helpers for the build and its gates: list sections and drop exports of a
// given kind (iOS WeChat cannot export wasm globals).

export function readU32(bytes, pos) {
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

export function writeU32(n) {
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

export function readName(bytes, pos) {
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
      if (bytes[pos] === 0) {
        const [ti] = readU32(bytes, pos + 1);
        funcHasI64.push(types[ti]);
        if (types[ti]) found.push('import ' + mod + '.' + name);
      }
      pos = skipImportDesc(bytes, pos);
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

/** Short, unique JS-safe names: a..z, A..Z, then a0..Z0, a1.. (never a reserved word). */
function shortName(i) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return i < letters.length ? letters[i] : letters[i % letters.length] + (Math.floor(i / letters.length) - 1);
}

/** The position after one import's descriptor (its kind byte at `pos`). */
export function skipImportDesc(bytes, pos) {
  const kind = bytes[pos++];
  const limits = (p) => { const flag = bytes[p++]; [, p] = readU32(bytes, p); if (flag & 1) [, p] = readU32(bytes, p); return p; };
  if (kind === 0) return readU32(bytes, pos)[1]; // func: type index
  if (kind === 1) return limits(pos + 1); // table: reftype + limits
  if (kind === 2) return limits(pos); // memory: limits
  if (kind === 3) return pos + 2; // global: valtype + mut
  throw new Error('unknown import kind ' + kind);
}

const encodeName = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([Buffer.from(writeU32(b.length)), b]); };

/**
 * Renames every import (module and field) and every export except `keep` to short names, so the
 * glue's import object and `wasm.x` calls shrink; an import named in `alias` gets the short name of
 * the import it is an alias of. Returns the module and the maps old -> new.
 */
export function minifyNames(bytes, keep = ['memory'], alias = {}) {
  const secs = sections(bytes);
  const modules = {}; const imports = {}; const exports = {};
  const rebuilt = [];
  let last = 0;
  let n = 0;
  const imp = secs.find((s) => s.id === 2);
  if (imp) {
    let [count, pos] = readU32(bytes, imp.bodyStart);
    const parts = [Buffer.from(writeU32(count))];
    for (let i = 0; i < count; i++) {
      let mod; let field;
      [mod, pos] = readName(bytes, pos);
      [field, pos] = readName(bytes, pos);
      const descEnd = skipImportDesc(bytes, pos);
      if (!(mod in modules)) modules[mod] = shortName(Object.keys(modules).length);
      const canonical = alias[field] || field;
      if (!(canonical in imports)) imports[canonical] = shortName(n++);
      imports[field] = imports[canonical];
      parts.push(encodeName(modules[mod]), encodeName(imports[field]), Buffer.from(bytes.subarray(pos, descEnd)));
      pos = descEnd;
    }
    const body = Buffer.concat(parts);
    rebuilt.push(Buffer.from(bytes.subarray(last, imp.start)), Buffer.from([2]), Buffer.from(writeU32(body.length)), body);
    last = imp.end;
  }
  const exp = secs.find((s) => s.id === 7);
  if (exp) {
    let [count, pos] = readU32(bytes, exp.bodyStart);
    const parts = [Buffer.from(writeU32(count))];
    let m = 0;
    for (let i = 0; i < count; i++) {
      let name;
      [name, pos] = readName(bytes, pos);
      const [, after] = readU32(bytes, pos + 1);
      let short = name;
      if (!keep.includes(name)) {
        do short = shortName(m++); while (keep.includes(short));
        exports[name] = short;
      }
      parts.push(encodeName(short), Buffer.from(bytes.subarray(pos, after)));
      pos = after;
    }
    const body = Buffer.concat(parts);
    rebuilt.push(Buffer.from(bytes.subarray(last, exp.start)), Buffer.from([7]), Buffer.from(writeU32(body.length)), body);
    last = exp.end;
  }
  rebuilt.push(Buffer.from(bytes.subarray(last)));
  return { bytes: Buffer.concat(rebuilt), modules, imports, exports };
}
