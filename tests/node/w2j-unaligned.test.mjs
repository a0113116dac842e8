// .ci/w2j-unaligned.mjs, the build step that turns unaligned memory accesses into helper calls
// before wasm2js: the rewritten module must compute exactly what the original computes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { callUnaligned } from '../../.ci/w2j-unaligned.mjs';
import { hostSim } from './_helpers.mjs';

// Every access the pass replaces, at an odd address with a non-zero offset, plus aligned ones
// (and an unaligned f64, which it leaves) that must stay.
const OPS = [
  ['i32.load offset=3 align=1', 'i32', 'load'],
  ['i64.load offset=5 align=1', 'i64', 'load'],
  ['i64.load offset=6 align=2', 'i64', 'load'],
  ['i32.load16_s offset=1 align=1', 'i32', 'load'],
  ['i32.load16_u offset=1 align=1', 'i32', 'load'],
  ['i64.load16_s offset=3 align=1', 'i64', 'load'],
  ['i64.load16_u offset=3 align=1', 'i64', 'load'],
  ['i64.load32_s offset=2 align=2', 'i64', 'load'],
  ['i64.load32_u offset=7 align=1', 'i64', 'load'],
  ['i32.store offset=3 align=1', 'i32', 'store'],
  ['i64.store offset=5 align=1', 'i64', 'store'],
  ['i32.store16 offset=1 align=1', 'i32', 'store'],
  ['i64.store16 offset=9 align=1', 'i64', 'store'],
  ['i64.store32 offset=2 align=2', 'i64', 'store'],
];
const KEPT = [
  ['i32.load offset=4', 'i32', 'load'],
  ['i64.load offset=8 align=4', 'i64', 'load'],
  ['f64.load offset=1 align=1', 'f64', 'load'],
];

function wat(ops) {
  const fns = ops.map(([op, t, kind], i) => kind === 'load'
    ? `(func (export "f${i}") (param $p i32) (result ${t}) (${op} (local.get $p)))`
    : `(func (export "f${i}") (param $p i32) (param $v ${t}) (${op} (local.get $p) (local.get $v)))`);
  return `(module (memory (export "memory") 1) ${fns.join('\n')})`;
}

async function instances(ops) {
  const bytes = await hostSim.watToWasm(wat(ops));
  const { bytes: rewritten, replaced } = callUnaligned(bytes);
  const make = async (b) => (await WebAssembly.instantiate(b)).instance.exports;
  return { original: await make(bytes), rewritten: await make(rewritten), replaced };
}

const fill = (mem) => { const m = new Uint8Array(mem.buffer); for (let i = 0; i < 256; i++) m[i] = (i * 167 + 13) & 255; return m; };

test('every replaced access reads and writes what the original does, at every address near a boundary', async () => {
  const { original, rewritten, replaced } = await instances(OPS);
  assert.equal(replaced, OPS.length);
  const values = { i32: [0, -1, 0x12345678, -0x7edcba99], i64: [0n, -1n, 0x0123456789abcdefn, -0x7edcba9876543210n] };
  for (let i = 0; i < OPS.length; i++) {
    const [op, t, kind] = OPS[i];
    for (let addr = 0; addr < 12; addr++) {
      for (const v of kind === 'store' ? values[t] : [undefined]) {
        const a = fill(original.memory); const b = fill(rewritten.memory);
        const ra = original[`f${i}`](addr, v); const rb = rewritten[`f${i}`](addr, v);
        assert.deepEqual(rb, ra, `${op} at ${addr}`);
        assert.deepEqual(b.subarray(0, 64), a.subarray(0, 64), `${op} at ${addr} (${v}): memory`);
      }
    }
  }
});

test('aligned accesses, and float ones, are left alone', async () => {
  const { original, rewritten, replaced } = await instances(KEPT);
  assert.equal(replaced, 0);
  fill(original.memory); fill(rewritten.memory);
  for (let i = 0; i < KEPT.length; i++) assert.deepEqual(rewritten[`f${i}`](16), original[`f${i}`](16));
});
