// `npm run demo` is the main job: its scripted walk must keep succeeding end to end. Runs the demo
// runner with --once against a fresh emulator (free port, temporary data directory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, assertPkgBuilt } from './_helpers.mjs';

test('the demo walks both clients through their whole API with every call succeeding', { timeout: 20 * 60_000 }, () => {
  assertPkgBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-demo-data-'));
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'examples', 'run-demo.mjs'), '--once', '--port', '0'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, MINIAPP_EMULATOR_DATA: dataDir }, timeout: 19 * 60_000,
    });
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 0, out);
    const steps = out.split('\n').filter((l) => /^[✔✘] /.test(l));
    assert.ok(steps.length >= 20, `expected the whole walk, got ${steps.length} steps:\n${out}`);
    assert.deepEqual(steps.filter((l) => l.startsWith('✘')), [], out);
    for (const name of ['user.authorize', 'insertOne', 'function.invoke', 'file.uploadFile', 'sendSms', 'loginByPassCode',
      'loginByPassword (RSA)', 'loginByPassword (SM2)', 'getUserInfo', 'updateUserInfo', 'updateAvatar', 'refreshToken',
      'getPhone', 'updatePassword', 'loginByCode', 'loginByPhone', 'sendEmailCode', 'bindEmail', 'email bound', 'logout']) {
      assert.ok(steps.some((l) => l.includes(name)), `the walk has no ${name} step:\n${out}`);
    }
    assert.match(out, /Math\.random calls: 0/);
    assert.doesNotMatch(out, /Pässwörd-密码-1/, 'the transcript must not print the password');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
