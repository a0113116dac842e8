// The issue-14 target table (tests/bench/budgets.json "targets"), evaluated from one bench run:
// every row prints its measured value, its target and MET / NOT MET with the margin; a row whose
// section did not run (e.g. `--only node`) prints "not measured in this run".
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { BUDGETS, ROOT } from './size-report.mjs';

const median = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function sizeOf(file, metric) {
  const buf = fs.readFileSync(file);
  return metric === 'brotli' ? zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length : buf.length;
}

/** The measured value of a ratio row, or null when its section did not run. */
function ratio(id, r) {
  const cold = (k) => (r.cold && r.cold[k] ? median(r.cold[k].map((x) => x.total_ms)) : null);
  const ops = (res, k) => res && res[k] && res[k].median;
  const per = (k) => (r.scenario && r.scenario[k] ? 1000 / r.scenario[k].median : null);
  const div = (a, b) => (a && b ? a / b : null);
  switch (id) {
    case 'cold-rsa': return div(cold('ours:rsa'), cold('jsencrypt:rsa'));
    case 'cold-sm2': return div(cold('ours:sm2'), cold('jsencrypt:rsa'));
    case 'sm2-node': return div(ops(r.node, 'sm2:ours:ours'), ops(r.node, 'sm2:sm-crypto-v2:prepared'));
    case 'sm2-chromium': return div(ops(r.browser, 'sm2:ours:ours'), ops(r.browser, 'sm2:sm-crypto-v2:prepared'));
    case 'serverless-alipay': return div(per('serverless:ours:alipay'), per('serverless:official:alipay'));
    case 'authing-alipay': return div(per('authing:ours:alipay-worker'), per('authing:ours:no-avatar'));
    default: throw new Error(`unknown target row ${id}`);
  }
}

/**
 * Rows for the bench table: {bench, impl: 'MET'|'NOT MET'|'n/a', note}.
 * `r`: {pkgDir, node, browser (ops/s results), cold (samples), scenario (ops/s results)}.
 */
export function targetRows(r) {
  return BUDGETS.targets.rows.map((t) => {
    if (t.kind === 'size') {
      const file = path.join(r.pkgDir, t.file);
      if (!fs.existsSync(file)) return { bench: t.label, impl: 'NOT MET', note: `${t.file} missing from ${r.pkgDir}` };
      const v = sizeOf(file, t.metric);
      const max = t.maxOfficial ? fs.statSync(path.join(ROOT, 'node_modules', t.maxOfficial)).size : t.max;
      const ok = v <= max;
      return { bench: t.label, impl: ok ? 'MET' : 'NOT MET', note: `${v} B (${kb(v)}) vs target <= ${max} B (${kb(max)}${t.maxOfficial ? ', the official package' : ''}): ${ok ? `${kb(max - v)} under` : `${kb(v - max)} (${(100 * (v - max) / max).toFixed(0)}%) over`}` };
    }
    const v = ratio(t.id, r);
    if (v === null) return { bench: t.label, impl: 'n/a', note: 'not measured in this run' };
    if (t.kind === 'measured') return { bench: t.label, impl: 'MET', note: `measured: ${v.toFixed(2)}${t.unit} (target: measured and printed)` };
    const ok = t.max !== undefined ? v <= t.max : v >= t.min;
    const goal = t.max !== undefined ? `<= ${t.max.toFixed(2)}` : `>= ${t.min.toFixed(2)}`;
    const gap = t.max !== undefined ? v - t.max : t.min - v;
    return { bench: t.label, impl: ok ? 'MET' : 'NOT MET', note: `${v.toFixed(2)}${t.unit} vs target ${goal}${ok ? '' : `: ${t.max !== undefined ? 'over' : 'short'} by ${gap.toFixed(2)}`}` };
  });
}
