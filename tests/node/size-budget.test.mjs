// CI size gate (issue 8): every artifact of pkg/ must stay within its budget in
// tests/bench/budgets.json, and pkg/ must not gain a .wasm that no budget covers. Raising a budget
// is a reviewed edit of that one file. Absent optional artifacts (not built yet) are skipped.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measurePackage, BUDGETS } from '../bench/size-report.mjs';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'pkg');
if (!fs.existsSync(path.join(PKG, 'index.js'))) throw new Error('pkg/ is not built: run `node .ci/build.mjs` first; the tests do not build it.');
const report = measurePackage(PKG, BUDGETS);

for (const a of report.artifacts) {
  const limits = Object.entries(a.budget).map(([k, v]) => `${k} <= ${v} B`).join(', ');
  test(`size budget: ${a.label} (${limits})`, (t) => {
    if (!a.sizes) {
      assert.ok(!a.required, `required artifact missing from pkg/: one of ${a.paths.join(', ')}`);
      t.skip(`not built yet (looked for ${a.paths.join(', ')})`);
      return;
    }
    for (const [metric, max] of Object.entries(a.budget)) {
      assert.ok(a.sizes[metric] <= max,
        `${a.file}: ${metric} ${a.sizes[metric]} B exceeds the budget of ${max} B by ${a.sizes[metric] - max} B. ` +
        'Shrink it, or raise the budget in tests/bench/budgets.json with the reason in "why" (a visible decision).');
    }
  });
}

test('size budget: no unbudgeted wasm artifact in pkg/', () => {
  assert.deepEqual(report.unbudgeted, [], `pkg/ has wasm artifacts no budget covers: ${report.unbudgeted.join(', ')}; add them to tests/bench/budgets.json`);
});

test(`size budget: everything WeChat copies (${BUDGETS.miniprogram.dir}/) <= ${BUDGETS.miniprogram.budget.raw} B`, () => {
  const m = report.miniprogram;
  assert.ok(!m.over, `${m.dir}/ is ${m.raw} B (${(100 * m.share).toFixed(1)}% of the 2 MB main-package limit), over its budget of ${m.budget} B: ` +
    m.files.map((f) => `${f.file} ${f.raw}`).join(', '));
});
