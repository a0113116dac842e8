// Shared helper of the node:test suites (not a test file itself): builds and runs the local
// emulator (tests/emulator, crate `miniapp-emulator`) on a free loopback port with a temporary
// data directory.
//
//   import { buildEmulator, startEmulator } from './_emulator.mjs';
//   before(() => buildEmulator(), { timeout: 15 * 60_000 });   // cargo build, a no-op when up to date
//   const emu = await startEmulator({ args: ['--sms-interval-secs', '0'] });
//   emu.url;                                  // http://127.0.0.1:PORT
//   await emu.admin('GET', '/__admin/sms');    // JSON helper for the admin API and stand-ins
//   await emu.stop();                         // SIGTERM, waits for exit, removes the data dir
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cargoTargetDir } from '../../.ci/cargo-target.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The binary `cargo build -p miniapp-emulator` produces (override with MINIAPP_EMULATOR_BIN). */
export const EMULATOR_BIN = process.env.MINIAPP_EMULATOR_BIN || path.join(cargoTargetDir(ROOT), 'debug', 'miniapp-emulator');

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

let building = null;
/**
 * `cargo build -p miniapp-emulator` (debug), once per process; cargo makes it a no-op when the
 * binary is up to date. Skipped when MINIAPP_EMULATOR_BIN names a prebuilt binary. Put it in a
 * `before` hook with a generous timeout: a cold build takes minutes.
 */
export function buildEmulator() {
  if (process.env.MINIAPP_EMULATOR_BIN) return Promise.resolve(EMULATOR_BIN);
  if (!building) {
    building = new Promise((resolve, reject) => {
      const cargo = process.env.CARGO || 'cargo';
      const env = { ...process.env, PATH: `${path.join(os.homedir(), '.cargo', 'bin')}${path.delimiter}${process.env.PATH || ''}` };
      const child = spawn(cargo, ['build', '--quiet', '-p', 'miniapp-emulator'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000); });
      child.on('error', (e) => reject(new Error(`cannot run ${cargo}: ${e.message}`)));
      child.on('exit', (code) => {
        if (code === 0 && fs.existsSync(EMULATOR_BIN)) resolve(EMULATOR_BIN);
        else reject(new Error(`cargo build -p miniapp-emulator failed (exit ${code}):\n${stderr}`));
      });
    });
    building.catch(() => { building = null; });
  }
  return building;
}

/**
 * Starts `miniapp-emulator --port 0 --data-dir <tmp> ...args`. Resolves once it listens and (unless
 * `waitForKeys: false`) once `/api/v3/system` serves both password-encryption keys, which the
 * emulator generates in the background on a fresh data directory.
 *
 * Options: `args` (extra CLI flags), `dataDir` (default: a fresh temp dir, removed by stop()),
 * `build` (default true: buildEmulator() first), `waitForKeys` (true), `startTimeoutMs` (30 s),
 * `keysTimeoutMs` (120 s), `env` (extra environment), `log` ('capture' | 'inherit').
 *
 * Returns `{url, dataDir, child, stop(), admin(method, path, body?), stderr()}`; `admin` sends JSON
 * to the emulator and throws on HTTP ≥ 400.
 */
export async function startEmulator({ args = [], dataDir, build = true, waitForKeys = true, startTimeoutMs = 30000, keysTimeoutMs = 120000, env = {}, log = 'capture' } = {}) {
  if (build) await buildEmulator();
  if (!fs.existsSync(EMULATOR_BIN)) throw new Error(`${EMULATOR_BIN} does not exist: cargo build -p miniapp-emulator`);
  const ownDir = !dataDir;
  const dir = dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-emu-'));
  const child = spawn(EMULATOR_BIN, ['--port', '0', '--data-dir', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-50000);
    if (log === 'inherit') process.stderr.write(d);
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => { running.delete(child); resolve({ code, signal }); }));

  let stopped = null;
  const stop = () => {
    if (!stopped) {
      stopped = (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
      })();
    }
    return stopped;
  };

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the emulator did not print its address in ${startTimeoutMs} ms:\n${stderr}`)), startTimeoutMs);
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`the emulator exited (${code ?? signal}) before listening:\n${stderr}`)); });
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    child.stdout.resume();
    if (waitForKeys) await waitForSystemKeys(url, keysTimeoutMs);
  } catch (e) {
    await stop();
    throw e;
  }

  const admin = async (method, p, body) => {
    const res = await fetch(url + p, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${p} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return { url, dataDir: dir, child, stop, admin, stderr: () => stderr };
}

/** Polls `GET /api/v3/system` until it returns the RSA and SM2 public keys. */
async function waitForSystemKeys(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url + '/api/v3/system', { signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())) });
      const body = await res.json();
      if (body && body.rsa && typeof body.rsa.publicKey === 'string' && body.sm2 && typeof body.sm2.publicKey === 'string') return body;
      last = JSON.stringify(body);
    } catch (e) {
      last = String(e && e.message);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the emulator's /api/v3/system did not serve its keys in ${timeoutMs} ms (last: ${last})`);
}
