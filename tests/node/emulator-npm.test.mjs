// The emulator's npm distribution, as a developer with only Node gets it: the release script builds
// the host platform's package (`--host-only`, the dev-profile binary the other suites build: this
// checks the packaging, the cross builds are checked by the release script itself), the launcher
// and platform tarballs are installed into a fresh project, and `npx miniapp-emulator --port 0`
// serves the SDK's login and db calls. Ctrl-C/SIGTERM reaches the binary through the launcher
// (--export-on-exit writes its snapshot), and a missing platform package is named in the error.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ROOT, tmpDir } from './_helpers.mjs';
import { buildEmulator } from './_emulator.mjs';
import { codePackage, realm, emulatorResponder, plain } from './mpserverless-gateway.mjs';

const NPM_ENV = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const key = `${process.platform}-${process.arch}`;

function sh(cmd, args, cwd, timeout = 10 * 60_000) {
  const r = spawnSync(cmd, args, { cwd, env: NPM_ENV, encoding: 'utf8', timeout });
  return { status: r.status, out: `${r.stdout || ''}${r.stderr || ''}`, stdout: r.stdout || '', stderr: r.stderr || '' };
}

/** A fresh project with the given tarballs installed (offline: nothing comes from a registry). */
function project(tarballs) {
  const dir = tmpDir('emu-npm-project-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'emu-npm-project', private: true, version: '1.0.0' }));
  const r = sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], dir);
  assert.equal(r.status, 0, `npm install failed:\n${r.out}`);
  return dir;
}

/** Starts `argv` in its own process group; resolves the first stdout line and the ms it took. */
function startServer(argv, cwd) {
  const t0 = process.hrtime.bigint();
  const child = spawn(argv[0], argv.slice(1), { cwd, env: NPM_ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const first = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no output within 60 s:\n${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) { clearTimeout(timer); resolve({ line: out.slice(0, nl), ms: Number(process.hrtime.bigint() - t0) / 1e6 }); }
    });
    exited.then((e) => { clearTimeout(timer); reject(new Error(`exited (${e.code ?? e.signal}) before printing:\n${stderr}`)); });
  });
  const kill = (signal) => { try { process.kill(-child.pid, signal); } catch { /* gone */ } };
  process.on('exit', () => kill('SIGKILL'));
  return { child, first, exited, kill, stderr: () => stderr };
}

async function waitForKeys(url) {
  for (let i = 0; i < 600; i++) {
    try {
      const body = await (await fetch(url + '/api/v3/system')).json();
      if (body && body.rsa && body.rsa.publicKey) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the emulator did not publish its keys within 2 minutes');
}

let dist;
test.before(async () => {
  await buildEmulator();
  dist = tmpDir('emu-npm-dist-');
  const r = sh(process.execPath, [path.join(ROOT, '.ci', 'build-emulator.mjs'), '--host-only', '--profile', 'dev', '--no-measure', '--out', dist], ROOT);
  assert.equal(r.status, 0, r.out);
}, { timeout: 20 * 60_000 });

test('the release script writes the launcher and the host platform package', () => {
  const report = JSON.parse(fs.readFileSync(path.join(dist, 'report.json'), 'utf8'));
  assert.equal(report.platforms.length, 1);
  const p = report.platforms[0];
  assert.equal(p.key, key);
  assert.match(p.ran, /^natively \(--version, start, GET \/__admin\/config\)$/);
  assert.ok(fs.existsSync(path.join(dist, p.tarball)), p.tarball);
  const pkg = JSON.parse(fs.readFileSync(path.join(dist, 'packages', key, 'package.json'), 'utf8'));
  assert.deepEqual([pkg.name, pkg.os, pkg.cpu], [`@miniapp-emulator/${key}`, [process.platform], [process.arch]]);
  const launcher = JSON.parse(fs.readFileSync(path.join(dist, 'packages', 'miniapp-emulator', 'package.json'), 'utf8'));
  assert.equal(launcher.name, 'miniapp-emulator');
  assert.deepEqual(launcher.bin, { 'miniapp-emulator': 'bin/miniapp-emulator.js' });
  assert.deepEqual(Object.keys(launcher.optionalDependencies).sort(),
    ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-x64'].map((k) => `@miniapp-emulator/${k}`));
  assert.ok(Object.values(launcher.optionalDependencies).every((v) => v === launcher.version));
});

test('from a fresh project: npx miniapp-emulator --port 0 serves the SDK\'s login and db call', { timeout: 10 * 60_000 }, async (t) => {
  const report = JSON.parse(fs.readFileSync(path.join(dist, 'report.json'), 'utf8'));
  const dir = project([path.join(dist, report.launcher.tarball), path.join(dist, report.platforms[0].tarball)]);
  const data = path.join(dir, 'emulator-data');
  const snap = path.join(dir, 'snapshot');

  const version = sh('npx', ['--no-install', 'miniapp-emulator', '--version'], dir);
  assert.equal(version.status, 0, version.out);
  assert.match(version.stdout.trim(), new RegExp(`^miniapp-emulator ${report.version.replace(/\./g, '\\.')}$`));

  const server = startServer(['npx', '--no-install', 'miniapp-emulator', '--port', '0', '--data-dir', data, '--export-on-exit', snap], dir);
  t.after(() => server.kill('SIGKILL'));
  const { line, ms } = await server.first;
  const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
  assert.ok(m, `first line: ${line}`);
  const url = m[1];
  t.diagnostic(`npx miniapp-emulator: first line after ${ms.toFixed(0)} ms`);
  await waitForKeys(url);

  const admin = (p, body) => fetch(url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await admin('/__admin/users', { username: 'npm-user', password: 'npm-pass-1' })).status, 201);

  const sim = realm(t, 'wechat-ios', { responder: emulatorResponder() });
  const { Authing } = sim.require('miniapp-sdk');
  const authing = new Authing({ appId: 'dev-app', userPoolId: 'dev-pool', host: url.replace('http:', 'https:') });
  const [err, login] = await authing.loginByPassword({ passwordPayload: { username: 'npm-user', password: 'npm-pass-1' } });
  assert.equal(err, null, JSON.stringify(err));
  assert.equal(typeof login.access_token, 'string');

  const MPServerless = sim.require('miniapp-sdk/mpserverless');
  const mps = new MPServerless(sim.wx, { appId: 'wx-app', spaceId: 'dev-space', clientSecret: 'dev-secret', endpoint: url });
  assert.deepEqual(plain(await mps.user.authorize({ authType: 'anonymous' })), { success: true });
  const ins = await mps.db.collection('books').insertOne({ title: 'from npx' });
  assert.equal(ins.success, true, JSON.stringify(plain(ins)));
  const found = await mps.db.collection('books').find({ title: 'from npx' });
  assert.deepEqual(plain(found.result.map((d) => d.title)), ['from npx']);

  // Ctrl-C (SIGINT to the process group, as a terminal sends it): the binary stops gracefully and
  // writes its --export-on-exit snapshot.
  server.kill('SIGINT');
  const exit = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
  assert.notEqual(exit, 'timeout', 'the emulator did not stop within 30 s of Ctrl-C');
  const manifest = JSON.parse(fs.readFileSync(path.join(snap, 'snapshot.json'), 'utf8'));
  assert.equal(manifest.tables.users, 1);
  assert.equal(manifest.tables.sl_docs, 1);
});

test('without the platform package the launcher names the missing platform', { timeout: 5 * 60_000 }, () => {
  const report = JSON.parse(fs.readFileSync(path.join(dist, 'report.json'), 'utf8'));
  const dir = project([path.join(dist, report.launcher.tarball)]);
  const r = sh('npx', ['--no-install', 'miniapp-emulator', '--version'], dir);
  assert.equal(r.status, 1, r.out);
  assert.match(r.stderr, new RegExp(`@miniapp-emulator/${key} \\(the ${key} binary\\) is not installed`));
});
