'use strict';
// Throughput harness shared by Node and headless Chromium: warm-up, then `rounds` interleaved
// rounds of `secs` seconds per case (so a burst of load from other processes hits every case
// alike), reporting the median and the min–max of the per-round rates. Async cases (our
// encryptPassword, which awaits host entropy) are awaited one at a time, as a user would.

const now = () => performance.now();

async function rate(fn, isAsync, secs) {
  const deadline = secs * 1000;
  const t0 = now();
  let n = 0;
  for (;;) {
    if (isAsync) await fn(); else fn();
    n++;
    const e = now() - t0;
    if (e >= deadline) return n / (e / 1000);
  }
}

const median = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };

/**
 * cases: [{ id, fn, async? }] → { [id]: { median, min, max, rounds } } in ops/s.
 * `warmup` seconds per case first (JIT tier-up, wasm tier-up, SM2 table build).
 */
async function measure(cases, { secs = 1, rounds = 5, warmup = 0.3, onRound } = {}) {
  for (const c of cases) await rate(c.fn, !!c.async, warmup);
  const r = Object.fromEntries(cases.map((c) => [c.id, []]));
  for (let i = 0; i < rounds; i++) {
    for (const c of cases) r[c.id].push(await rate(c.fn, !!c.async, secs));
    if (onRound) onRound(i + 1, rounds);
  }
  const out = {};
  for (const [id, v] of Object.entries(r)) out[id] = { median: median(v), min: Math.min(...v), max: Math.max(...v), rounds: v };
  return out;
}

module.exports = { measure, median, rate };
