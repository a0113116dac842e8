#!/usr/bin/env node
// Size profile of the shipped wasm, by crate and by function (issue 14): where the code bytes go.
//
// The shipped core.min.wasm has no names. The build keeps the linker's output, which still has its
// name section, as target/mp/<variant>/named.wasm; this script runs that module through the build's
// own steps (lowering, wasm-bindgen, wasm-opt -Oz with MVP features) with names kept (-g,
// --keep-debug) into target/mp/<variant>/profile.wasm (cached until named.wasm changes), then reads
// its name and code sections. No extra tool: twiggy would need a cargo install (minutes on this
// machine) and it reads the same two sections; the function names are demangled here (Rust legacy
// `_ZN` and the crate of v0 `_R` symbols). `-g` changes wasm-opt's output by ~0.1% (printed as the
// difference to the shipped core.opt.wasm), so the profile ranks weight; it is not a byte-exact map.
//
//   node tests/bench/size-profile.mjs [--variant full|serverless|auth] [--top N] [--json FILE]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOWERING_FLAGS } from '../../.ci/build.mjs';
import { sections } from '../../.ci/wasm-sections.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

/** Builds (or reuses) the names-bearing -Oz module of a variant; throws when the build left no named.wasm. */
export function profileModule(variant) {
  const dir = path.join(ROOT, 'target', 'mp', variant);
  const named = path.join(dir, 'named.wasm');
  const out = path.join(dir, 'profile.wasm');
  if (!fs.existsSync(named)) throw new Error(`${named} is missing: run node .ci/build.mjs`);
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(named).mtimeMs) return out;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'size-profile-'));
  try {
    const run = (cmd, args) => execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    run(bin('wasm-opt'), [named, '-o', path.join(tmp, 'lowered.wasm'), ...LOWERING_FLAGS, '-g']);
    run('wasm-bindgen', [path.join(tmp, 'lowered.wasm'), '--out-dir', tmp, '--out-name', 'core', '--target', 'web',
      '--omit-default-module-path', '--encode-into', 'never', '--keep-debug']);
    run(bin('wasm-opt'), [path.join(tmp, 'core_bg.wasm'), '-o', out, '-Oz', '--mvp-features', '--enable-mutable-globals', '--strip-producers', '-g']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

/** Code body sizes and function names of a module: [{name, bytes}], plus section sizes. */
export function readFunctions(b) {
  let o = 0;
  const leb = () => { let r = 0, s = 0, x; do { x = b[o++]; r += (x & 127) * 2 ** s; s += 7; } while (x & 128); return r; };
  const str = () => { const n = leb(); const s = b.subarray(o, o + n).toString('utf8'); o += n; return s; };
  let imported = 0;
  const bodies = [];
  const names = new Map();
  const sizes = {};
  for (const { id, bodyStart, end } of sections(b)) {
    o = bodyStart;
    sizes[id] = end - bodyStart;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        str(); str();
        const kind = b[o++];
        if (kind === 0) { leb(); imported++; } else if (kind === 1) { o++; if (leb() & 1) leb(); leb(); } else if (kind === 2) { if (leb() & 1) leb(); leb(); } else if (kind === 3) o += 2;
      }
    } else if (id === 10) {
      for (let n = leb(); n > 0; n--) { const sz = leb(); bodies.push(sz); o += sz; }
    } else if (id === 0 && str() === 'name') {
      while (o < end) {
        const sub = b[o++];
        const e2 = leb() + o;
        if (sub === 1) for (let n = leb(); n > 0; n--) { const idx = leb(); names.set(idx, str()); }
        o = e2;
      }
    }
  }
  return { functions: bodies.map((bytes, i) => ({ name: names.get(i + imported) || `func${i + imported}`, bytes })), sections: sizes, named: names.size > 0 };
}

const ESC = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };

/**
 * Demangles a Rust legacy symbol (`_ZN...E`). rustc's name section mostly holds names demangled
 * already (`a::b::h0123...`, v0 `a[0123...]::b`): their hash suffixes and crate disambiguators go.
 */
export function demangle(sym) {
  const m = /^_ZN(.*)E$/.exec(sym);
  if (!m) return sym.replace(/\[[0-9a-f]{16}\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
  const parts = [];
  let s = m[1];
  while (s.length) {
    const n = /^(\d+)/.exec(s);
    if (!n) return sym;
    const len = Number(n[1]);
    parts.push(s.slice(n[1].length, n[1].length + len));
    s = s.slice(n[1].length + len);
  }
  if (parts.length > 1 && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  return parts.map((p) => p.replace(/^_\$/, '$')
    .replace(/\$([A-Z]{1,2}|u[0-9a-f]+)\$/g, (all, e) => (e[0] === 'u' ? String.fromCodePoint(parseInt(e.slice(1), 16)) : ESC[e] || all))
    .replace(/\.\./g, '::')).join('::');
}

/** The crate a function's bytes are charged to: the self type's crate of `<X as Trait>` impls, else the first path segment. */
export function crateOf(sym) {
  if (/^func\d+$/.test(sym)) return '(unnamed)';
  if (/^__wbg|^__wbindgen|^wasm_bindgen::/.test(sym) || /^[a-z_0-9]+$/.test(sym)) return 'wasm-bindgen (glue, export shims)';
  if (sym.startsWith('_R')) {
    const v0 = /C[s][A-Za-z0-9]*_(\d+)([A-Za-z_][A-Za-z0-9_]*)/.exec(sym) || /C(\d+)([A-Za-z_][A-Za-z0-9_]*)/.exec(sym);
    return v0 ? v0[2].slice(0, Number(v0[1])) : '(other)';
  }
  const d = demangle(sym);
  const impl = /^<(?:&(?:mut )?|\*(?:const|mut) |\[)*(?:dyn )?([A-Za-z_][A-Za-z0-9_]*)::/.exec(d);
  if (impl) return impl[1];
  const trait = /^<[^<>]*? as ([A-Za-z_][A-Za-z0-9_]*)::/.exec(d);
  if (trait) return trait[1];
  const first = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(d);
  return first ? first[1] : '(other)';
}

/** core/alloc/std are split by module (core::fmt, core::panicking, ...): the usual removable weight. */
function groupOf(sym) {
  const c = crateOf(sym);
  if (!['core', 'alloc', 'std'].includes(c)) return c;
  const d = demangle(sym);
  const m = new RegExp(`(?:^|<|&|as )${c}::([a-z_0-9]+)`).exec(d);
  return m ? `${c}::${m[1]}` : c;
}

/** The profile of one variant: {file, total, shippedCode, functions: [{name, crate, bytes}], crates: [{crate, bytes, count}]}. */
export function profile(variant) {
  const file = profileModule(variant);
  const { functions, named } = readFunctions(fs.readFileSync(file));
  if (!named) throw new Error(`${file} has no name section`);
  const shipped = path.join(ROOT, 'target', 'mp', variant, 'core.opt.wasm');
  const shippedCode = fs.existsSync(shipped) ? readFunctions(fs.readFileSync(shipped)).functions.reduce((a, f) => a + f.bytes, 0) : null;
  const fns = functions.map((f) => ({ name: demangle(f.name), crate: groupOf(f.name), bytes: f.bytes })).sort((a, b) => b.bytes - a.bytes);
  const by = new Map();
  for (const f of fns) { const e = by.get(f.crate) || { crate: f.crate, bytes: 0, count: 0 }; e.bytes += f.bytes; e.count++; by.set(f.crate, e); }
  return { variant, file: path.relative(ROOT, file), total: fns.reduce((a, f) => a + f.bytes, 0), shippedCode, functions: fns, crates: [...by.values()].sort((a, b) => b.bytes - a.bytes) };
}

const short = (s, n = 100) => (s.length > n ? s.slice(0, n) + '…' : s).replace(/\|/g, '\\|');

/** Markdown lines of a profile's top crates and functions. */
export function formatProfile(p, top = 25) {
  const pct = (v) => `${(100 * v / p.total).toFixed(1)}%`;
  const lines = [`size profile [${p.variant}]: ${p.file}, code ${p.total} B in ${p.functions.length} functions` +
    (p.shippedCode === null ? '' : ` (shipped core.opt.wasm: ${p.shippedCode} B of code; the -g build differs by ${p.total - p.shippedCode} B)`)];
  lines.push('| crate (core/alloc/std by module) | code bytes | share | functions |', '|---|---:|---:|---:|');
  for (const c of p.crates.slice(0, top)) lines.push(`| ${c.crate} | ${c.bytes} | ${pct(c.bytes)} | ${c.count} |`);
  lines.push('', '| function | crate | bytes |', '|---|---|---:|');
  for (const f of p.functions.slice(0, top)) lines.push(`| ${short(f.name)} | ${f.crate} | ${f.bytes} |`);
  return lines;
}

function main() {
  const argv = process.argv.slice(2);
  const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
  const variants = opt('--variant', 'full,serverless,auth').split(',');
  const top = Number(opt('--top', 25));
  const all = variants.map(profile);
  for (const p of all) console.log(formatProfile(p, top).join('\n') + '\n');
  const j = opt('--json', null);
  if (j) fs.writeFileSync(j, JSON.stringify(all, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
