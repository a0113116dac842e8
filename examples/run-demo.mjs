#!/usr/bin/env node
// `npm run demo`: starts the local emulator (Authing + MPServerless) on loopback with its SQLite
// store in ./.emulator-data, loads examples/wechat-demo into the simulated WeChat host (iOS profile:
// WXWebAssembly, no WebAssembly/TextDecoder/crypto/fetch, Math.random forbidden) and walks both
// clients through their whole API, printing each call, its time and its result. Then it leaves the
// emulator and its console running until Ctrl-C.  Flags: --once (exit after the walk; used by tests),
// --port N (default 8787, or MINIAPP_EMULATOR_PORT; falls back to a free port when taken).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { createHost, layoutCodePackage, loopbackResponder, platformLogin } = require('../tests/host-sim/index.cjs');

const args = process.argv.slice(2);
const once = args.includes('--once');
const portArg = args.includes('--port') ? args[args.indexOf('--port') + 1] : process.env.MINIAPP_EMULATOR_PORT || '8787';
const dataDir = process.env.MINIAPP_EMULATOR_DATA || path.join(ROOT, '.emulator-data');
const color = process.stdout.isTTY ? (c, s) => `\x1b[${c}m${s}\x1b[0m` : (_c, s) => s;
const say = (s) => process.stdout.write(s + '\n');

function buildEmulator() {
  say(color(2, 'demo: building the emulator (cargo build -p miniapp-emulator; minutes the first time)...'));
  const t = Date.now();
  const ticker = setInterval(() => process.stdout.write(color(2, '.')), 5000);
  const r = spawnSync('cargo', ['build', '--quiet', '-p', 'miniapp-emulator'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  clearInterval(ticker);
  if (r.status !== 0) throw new Error('cargo build -p miniapp-emulator failed');
  say(color(2, `demo: emulator built in ${((Date.now() - t) / 1000).toFixed(1)} s`));
  return path.join(ROOT, 'target', 'debug', 'miniapp-emulator');
}

/** Starts the emulator and resolves its URL once it prints `listening on ...`. */
function startEmulator(bin, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--port', String(port), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error('the emulator did not start within 30 s')); }, 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, url: m[1] }); }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => { clearTimeout(timer); reject(Object.assign(new Error(`emulator exited (${code}): ${err.trim().split('\n').pop() || ''}`), { stderr: err })); });
  });
}

async function waitForKeys(url) {
  // A fresh data directory generates its RSA and SM2 keys in the background.
  for (let i = 0; i < 240; i++) {
    try {
      const res = await fetch(url + '/api/v3/system');
      if (res.ok) { const body = await res.json(); if (body.rsa && body.sm2) return; }
    } catch { /* not yet */ }
    if (i === 4) process.stdout.write(color(2, 'demo: waiting for the emulator to generate its RSA and SM2 keys'));
    if (i > 4) process.stdout.write(color(2, '.'));
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the emulator did not publish its keys within 2 minutes');
}

// A 16x16 PNG (red square): the image the simulated user "picks" in wx.chooseMedia.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGklEQVR4nGP4z8BAEhrVMKphVMOohsGqAQCZUv8Bpl8/UwAAAABJRU5ErkJggg==', 'base64');

function summarize(result) {
  const text = JSON.stringify(result, (k, v) => {
    if (typeof v === 'string' && /token|password|secret/i.test(k)) return v.slice(0, 6) + '…(redacted)';
    return v;
  });
  return text && text.length > 160 ? text.slice(0, 157) + '...' : text;
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'pkg', 'miniprogram_dist', 'index.js'))) throw new Error('pkg/ is not built: run `npm run demo` (it builds first)');
  const bin = buildEmulator();
  let emu;
  try {
    emu = await startEmulator(bin, portArg);
  } catch (e) {
    if (String(portArg) === '0') throw e;
    say(color(33, `demo: port ${portArg} is not available (${e.message}); using a free port`));
    emu = await startEmulator(bin, 0);
  }
  const stop = () => { try { emu.child.kill('SIGTERM'); } catch { /* gone */ } };
  process.on('exit', stop);
  say(`demo: emulator at ${color(1, emu.url)} (data in ${path.relative(process.cwd(), dataDir) || dataDir})`);
  await waitForKeys(emu.url);

  // The mini-program's code package: the example project + the SDK as WeChat's npm build lays it out.
  const pkgRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-demo-'));
  fs.cpSync(path.join(ROOT, 'examples', 'wechat-demo'), pkgRoot, { recursive: true });
  layoutCodePackage({ root: pkgRoot });
  const cfgPath = path.join(pkgRoot, 'config.js');
  fs.writeFileSync(cfgPath, fs.readFileSync(cfgPath, 'utf8').replace("'http://127.0.0.1:8787'", JSON.stringify(emu.url)));

  // The emulator's OSS stand-in answers plain HTTP on loopback where the real OSS is https: the
  // simulated network maps https://127.0.0.1 to http://, as a local TLS terminator would.
  const loopback = loopbackResponder();
  const responder = (req) => loopback(Object.assign({}, req, { url: req.url.replace(/^https:\/\/(127\.0\.0\.1|localhost)([:/])/, 'http://$1$2') }));
  const sim = createHost({ profile: 'wechat-ios', packageRoot: pkgRoot, responder, login: platformLogin(emu.url) });
  sim.wx.chooseMedia = (o) => {
    const tempFilePath = sim.addTempFile(PNG, 'png');
    setTimeout(() => o.success && o.success({ type: 'image', tempFiles: [{ tempFilePath, size: PNG.length, fileType: 'image' }], errMsg: 'chooseMedia:ok' }), 0);
  };
  let page;
  sim.global.App = () => {};
  sim.global.Page = (def) => { page = def; };
  sim.require('/app.js');
  sim.require('/pages/index/index.js');

  say(`demo: walking both clients in the simulated WeChat iOS host\n`);
  let failed = 0;
  const started = Date.now();
  for (const [title, run] of page.steps()) {
    const t = Date.now();
    let result;
    try { result = await run(); } catch (e) { result = [{ message: e && e.message, code: e && e.code }]; }
    const ok = page.succeeded(result);
    if (!ok) failed++;
    const ms = String(Date.now() - t).padStart(5);
    say(`${ok ? color(32, '✔') : color(31, '✘')} ${ms} ms  ${title}`);
    say(color(2, `            ${summarize(result)}`));
  }
  say(`\ndemo: ${page.steps().length - failed} of ${page.steps().length} calls succeeded in ${((Date.now() - started) / 1000).toFixed(1)} s; Math.random calls: ${sim.stats.mathRandomCalls}`);
  sim.close();
  fs.rmSync(pkgRoot, { recursive: true, force: true });
  if (once) { stop(); process.exit(failed ? 1 : 0); }
  say(`demo: the emulator keeps running: ${color(1, emu.url)}  console: ${color(1, emu.url + '/')}  (Ctrl-C to stop)`);
  process.on('SIGINT', () => { stop(); process.exit(failed ? 1 : 0); });
  emu.child.on('exit', () => process.exit(failed ? 1 : 0));
}

main().catch((e) => { console.error(color(31, 'demo failed: ' + (e && e.stack || e))); process.exit(1); });
