// Unaligned memory accesses as calls, for the wasm2js input only (the shipped .wasm is untouched).
//
// wasm2js writes every access whose alignment hint is below the natural one as byte operations at
// its site: an unaligned i64.store becomes eight HEAP8 stores with shifts, ~150 bytes of JS for 3
// bytes of wasm. LLVM emits such accesses when it moves values whose payload starts at an odd
// offset (byte-tagged enums, `Option<String>` niches copied field by field). This pass replaces each
// by `i32.const offset; call $helper`, six small helper functions appended to the module (byte
// loads/stores written once), so the JS carries the byte code once. wasm2js -Oz does not inline
// them back: binaryen inlines at -Oz only functions of one caller or of size <= 2.
import { readName, readU32, sections, skipImportDesc, writeU32 } from './wasm-sections.mjs';

const skipLeb = (b, p) => { while (b[p++] & 0x80); return p; };

function sleb32(n) {
  const out = [];
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40)) { out.push(byte); return out; }
    out.push(byte | 0x80);
  }
}

const vec = (items) => [...writeU32(items.length), ...items.flat()];

// Helper functions, in this order after the module's own: [params, results, body].
// Loads take (address, offset); stores take (address, value, offset).
const I32 = 0x7f;
const I64 = 0x7e;
const HELPERS = ['L32', 'L16', 'L64', 'S32', 'S16', 'S64'];
function helperBodies(idx) {
  const call = (name) => [0x10, ...writeU32(idx[name])];
  const addr = [0x20, 0, 0x20, 1, 0x6a, 0x21, 0]; // p = p + o
  const byteAt = (k) => [0x20, 0, 0x2d, 0, k]; // i32.load8_u offset=k
  const orShifted = (k) => [...byteAt(k), 0x41, 8 * k, 0x74, 0x72]; // | byte << 8k
  const storeAddr = [0x20, 0, 0x20, 2, 0x6a, 0x21, 0];
  const storeByte = (k) => [0x20, 0, 0x20, 1, ...(k ? [0x41, 8 * k, 0x76] : []), 0x3a, 0, k]; // i32.store8 offset=k (v >>> 8k)
  return {
    L32: [[I32, I32], [I32], [...addr, ...byteAt(0), ...orShifted(1), ...orShifted(2), ...orShifted(3)]],
    L16: [[I32, I32], [I32], [...addr, ...byteAt(0), ...orShifted(1)]],
    // lo | hi << 32, the halves read by L32
    L64: [[I32, I32], [I64], [0x20, 0, 0x20, 1, ...call('L32'), 0xad, 0x20, 0, 0x20, 1, 0x41, 4, 0x6a, ...call('L32'), 0xad, 0x42, 32, 0x86, 0x84]],
    S32: [[I32, I32, I32], [], [...storeAddr, ...storeByte(0), ...storeByte(1), ...storeByte(2), ...storeByte(3)]],
    S16: [[I32, I32, I32], [], [...storeAddr, ...storeByte(0), ...storeByte(1)]],
    // S32 of the low half at o, of the high half at o + 4
    S64: [[I32, I64, I32], [], [0x20, 0, 0x20, 1, 0xa7, 0x20, 2, ...call('S32'), 0x20, 0, 0x20, 1, 0x42, 32, 0x88, 0xa7, 0x20, 2, 0x41, 4, 0x6a, ...call('S32')]],
  };
}

// opcode -> [helper, natural log2 alignment below which it is replaced, code before the call, code after]
// (i64 accesses at 4-byte alignment stay: wasm2js splits them into aligned i32 halves).
const WRAP = [0xa7];
const SIGN16 = [0x41, 16, 0x74, 0x41, 16, 0x75];
const REPLACE = {
  0x28: ['L32', 2, [], []], // i32.load
  0x29: ['L64', 2, [], []], // i64.load
  0x2e: ['L16', 1, [], SIGN16], // i32.load16_s
  0x2f: ['L16', 1, [], []], // i32.load16_u
  0x32: ['L16', 1, [], [...SIGN16, 0xac]], // i64.load16_s
  0x33: ['L16', 1, [], [0xad]], // i64.load16_u
  0x34: ['L32', 2, [], [0xac]], // i64.load32_s
  0x35: ['L32', 2, [], [0xad]], // i64.load32_u
  0x36: ['S32', 2, [], []], // i32.store
  0x37: ['S64', 2, [], []], // i64.store
  0x3b: ['S16', 1, [], []], // i32.store16
  0x3d: ['S16', 1, WRAP, []], // i64.store16
  0x3e: ['S32', 2, WRAP, []], // i64.store32
};

const BLOCK_VALTYPES = new Set([0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

/** Rewrites one function body's instructions; returns [bytes, replaced count]. */
function rewriteBody(b, start, end, idx) {
  const out = [];
  let pos = start;
  let [groups, p] = readU32(b, pos);
  for (let i = 0; i < groups; i++) { [, p] = readU32(b, p); p++; }
  out.push(...b.subarray(pos, p));
  pos = p;
  let replaced = 0;
  while (pos < end) {
    const at = pos;
    const op = b[pos++];
    if (op >= 0x28 && op <= 0x3e) {
      const [align, afterAlign] = readU32(b, pos);
      if (align & 0x40) throw new Error('multi-memory memarg: not expected in an MVP module');
      const [offset, afterOffset] = readU32(b, afterAlign);
      pos = afterOffset;
      const r = REPLACE[op];
      if (r && align < r[1]) {
        out.push(...r[2], ...[0x41, ...sleb32(offset)], 0x10, ...writeU32(idx[r[0]]), ...r[3]);
        replaced++;
        continue;
      }
    } else if (op === 0x02 || op === 0x03 || op === 0x04) {
      pos = BLOCK_VALTYPES.has(b[pos]) ? pos + 1 : skipLeb(b, pos);
    } else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) {
      pos = skipLeb(b, pos);
    } else if (op === 0x0e) {
      let [n, q] = readU32(b, pos);
      for (let i = 0; i <= n; i++) q = skipLeb(b, q);
      pos = q;
    } else if (op === 0x11) {
      pos = skipLeb(b, skipLeb(b, pos));
    } else if (op === 0x1c) {
      const [n, q] = readU32(b, pos);
      pos = q + n;
    } else if (op === 0x3f || op === 0x40 || op === 0xd0) {
      pos += 1;
    } else if (op === 0x41 || op === 0x42) {
      pos = skipLeb(b, pos);
    } else if (op === 0x43) {
      pos += 4;
    } else if (op === 0x44) {
      pos += 8;
    } else if (op === 0xfc) {
      const [sub, q] = readU32(b, pos);
      pos = q;
      if (sub === 8) pos = skipLeb(b, pos) + 1;
      else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) pos = skipLeb(b, pos);
      else if (sub === 10) pos += 2;
      else if (sub === 11) pos += 1;
      else if (sub === 12 || sub === 14) pos = skipLeb(b, skipLeb(b, pos));
      else if (sub > 7) throw new Error(`unknown 0xfc instruction ${sub}`);
    } else if (!(op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1 || (op >= 0x45 && op <= 0xc4))) {
      throw new Error(`unknown opcode 0x${op.toString(16)} at byte ${at}`);
    }
    for (let i = at; i < pos; i++) out.push(b[i]);
  }
  if (pos !== end) throw new Error('function body overran its size');
  return [out, replaced];
}

function countFuncImports(b, imp) {
  if (!imp) return 0;
  let [n, pos] = readU32(b, imp.bodyStart);
  let funcs = 0;
  for (let i = 0; i < n; i++) {
    [, pos] = readName(b, pos); // module
    [, pos] = readName(b, pos); // field
    if (b[pos] === 0) funcs++;
    pos = skipImportDesc(b, pos);
  }
  return funcs;
}

/** The module with unaligned accesses turned into helper calls, and how many were replaced. */
export function callUnaligned(bytes) {
  const b = bytes;
  const secs = sections(b);
  const sec = (id) => secs.find((s) => s.id === id);
  const types = sec(1);
  const funcs = sec(3);
  const code = sec(10);
  if (!types || !funcs || !code) throw new Error('module without type, function or code section');
  const [typeCount] = readU32(b, types.bodyStart);
  const [funcCount, funcList] = readU32(b, funcs.bodyStart);
  const first = countFuncImports(b, sec(2)) + funcCount;
  const idx = Object.fromEntries(HELPERS.map((h, i) => [h, first + i]));
  const bodies = helperBodies(idx);

  const [n, codeStart] = readU32(b, code.bodyStart);
  let pos = codeStart;
  let replaced = 0;
  const newBodies = [];
  for (let i = 0; i < n; i++) {
    const [size, start] = readU32(b, pos);
    const [body, k] = rewriteBody(b, start, start + size, idx);
    replaced += k;
    newBodies.push([...writeU32(body.length), ...body]);
    pos = start + size;
  }
  for (const h of HELPERS) {
    const body = [0, ...bodies[h][2], 0x0b]; // no locals beyond the params
    newBodies.push([...writeU32(body.length), ...body]);
  }
  const typeEntries = HELPERS.map((h) => [0x60, ...vec(bodies[h][0].map((t) => [t])), ...vec(bodies[h][1].map((t) => [t]))]);
  const section = (id, body) => Buffer.from([id, ...writeU32(body.length), ...body]);
  const typeBody = [...writeU32(typeCount + HELPERS.length), ...b.subarray(readU32(b, types.bodyStart)[1], types.end), ...typeEntries.flat()];
  const funcBody = [...writeU32(funcCount + HELPERS.length), ...b.subarray(funcList, funcs.end), ...HELPERS.flatMap((_, i) => writeU32(typeCount + i))];
  const codeBody = [...writeU32(n + HELPERS.length), ...newBodies.flat()];
  const replacedSections = { 1: section(1, typeBody), 3: section(3, funcBody), 10: section(10, codeBody) };
  const parts = [Buffer.from(b.subarray(0, 8))];
  for (const s of secs) parts.push(replacedSections[s.id] || Buffer.from(b.subarray(s.start, s.end)));
  return { bytes: Buffer.concat(parts), replaced };
}
