#!/usr/bin/env node
// Where the wasm bytes go: code size per crate (and the biggest functions) from a module that still
// has its name section, e.g. target/mp/full/lowered.wasm (the build's pre-`-Oz` intermediate).
// Sizes are before wasm-opt -Oz, so use them to rank, not to add up to the shipped size.
//   node tests/bench/wasm-top.mjs target/mp/full/lowered.wasm [--top 25]
import fs from 'node:fs';

const file = process.argv[2];
const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 25;
if (!file) { console.error('usage: wasm-top.mjs FILE.wasm [--top N]'); process.exit(2); }
const b = fs.readFileSync(file);
let o = 8;
const leb = () => { let r = 0, s = 0, x; do { x = b[o++]; r += (x & 127) * 2 ** s; s += 7; } while (x & 128); return r; };
const str = () => { const n = leb(); const s = b.subarray(o, o + n).toString('utf8'); o += n; return s; };
let imported = 0; const bodies = []; const names = new Map(); const sections = [];
while (o < b.length) {
  const id = b[o++]; const size = leb(); const end = o + size;
  if (id === 2) { // imports: count function imports so code indices line up with names
    for (let n = leb(); n > 0; n--) { str(); str(); const kind = b[o++];
      if (kind === 0) { leb(); imported++; } else if (kind === 1) { o++; const f = leb(); leb(); if (f & 1) leb(); }
      else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 3) { o += 2; } else if (kind === 4) { o++; leb(); } }
  } else if (id === 10) {
    for (let n = leb(), i = 0; i < n; i++) { const sz = leb(); bodies.push(sz); o += sz; }
  } else if (id === 0) {
    const name = str();
    if (name === 'name') {
      while (o < end) { const sub = b[o++]; const len = leb(); const e2 = o + len;
        if (sub === 1) for (let n = leb(); n > 0; n--) { const idx = leb(); names.set(idx, str()); }
        o = e2; }
    }
    sections.push([`custom:${name}`, size]);
  }
  if (id !== 0) sections.push([id, size]);
  o = end;
}
if (!names.size) { console.error(`${file} has no function names (name section): use a pre-wasm-opt intermediate`); process.exit(1); }
function crateOf(n) {
  if (n.startsWith('_R')) { const v0 = /C[sm]?[A-Za-z0-9]*_(\d+)([A-Za-z_][A-Za-z0-9_]*)/.exec(n) || /C(\d+)([A-Za-z_][A-Za-z0-9_]*)/.exec(n); if (v0) return v0[2].slice(0, Number(v0[1])); }
  let m = /^_ZN(\d+)(.*)/.exec(n);
  if (m) { let name = m[2].slice(0, Number(m[1])); if (name.startsWith('_$LT$')) { const inner = /_\$LT\$([A-Za-z0-9_]+)/.exec(name); name = '<' + (inner ? inner[1] : '?'); } return name; }
  m = /^<?([A-Za-z_][A-Za-z0-9_]*)::/.exec(n.replace(/^<+/, ''));
  return m ? m[1] : n.startsWith('__wbg') || n.startsWith('__wbindgen') ? 'wasm-bindgen' : '(other)';
}
const perCrate = new Map(); const fns = [];
bodies.forEach((sz, i) => { const n = names.get(i + imported) || `func${i + imported}`; const c = crateOf(n); perCrate.set(c, (perCrate.get(c) || 0) + sz); fns.push([sz, n]); });
const total = bodies.reduce((a, x) => a + x, 0);
console.log(`${file}: ${b.length} B, code ${total} B in ${bodies.length} functions; sections ${sections.map(([k, v]) => `${k}=${v}`).join(' ')}`);
console.log('| crate (first path segment) | code bytes | share |\n|---|---:|---:|');
for (const [c, v] of [...perCrate].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`| ${c} | ${v} | ${(100 * v / total).toFixed(1)}% |`);
console.log(`\n| biggest functions | bytes |\n|---|---:|`);
for (const [sz, n] of fns.sort((x, y) => y[0] - x[0]).slice(0, top)) console.log(`| ${n.length > 110 ? n.slice(0, 110) + '…' : n} | ${sz} |`);
