// Shared helpers of hosts-*.test.mjs and frameworks.test.mjs (not a test file itself): the emulator
// with a seeded user, endpoint rewriting in built output, a mini-program page lifecycle driver for
// the host simulator, cached `npm install` of the example projects, and an H5 server + headless
// Chromium driver.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { ROOT, PKG, hostSim, tmpDir, require } from './_helpers.mjs';
import { startEmulator } from './_emulator.mjs';

export { ROOT, hostSim, tmpDir, startEmulator };
/** The endpoint the example projects are written against; the tests replace it with the emulator's. */
export const DEV_ENDPOINT = 'http://127.0.0.1:8787';
export const DEMO_KEY = 'miniapp-sdk-demo';

/** Starts the emulator and creates `users` ({username, password, phone}). */
export async function emulatorWithUsers(users) {
  const emu = await startEmulator();
  for (const u of users) await emu.admin('POST', '/__admin/users', u);
  return emu;
}

/** What the emulator recorded: login count of a user and the number of documents in `todos`. */
export async function emulatorCounts(emu, username) {
  const users = await emu.admin('GET', '/__admin/users');
  const user = users.find((u) => u.username === username);
  const todos = (await emu.admin('GET', '/__admin/collections')).find((c) => c.name === 'todos');
  return { logins: user ? user.loginHistory.length : -1, todos: todos ? todos.count : -1 };
}

/** Copies `dir` to a fresh temp dir with DEV_ENDPOINT replaced by `url` in every .js file. */
export function copyWithEndpoint(dir, url, prefix = 'mp-built-') {
  const out = tmpDir(prefix);
  fs.cpSync(dir, out, { recursive: true, dereference: true });
  for (const f of fs.readdirSync(out, { recursive: true })) {
    const p = path.join(out, String(f));
    if (!p.endsWith('.js') || !fs.statSync(p).isFile()) continue;
    const src = fs.readFileSync(p, 'utf8');
    if (src.includes(DEV_ENDPOINT)) fs.writeFileSync(p, src.split(DEV_ENDPOINT).join(url));
  }
  return out;
}

/** The simulated network: loopback only, https://127.0.0.1 mapped to http:// as in run-demo. */
export function loopback() {
  const send = hostSim.loopbackResponder();
  return (req) => send(Object.assign({}, req, { url: req.url.replace(/^https:\/\/(127\.0\.0\.1|localhost)([:/])/, 'http://$1$2') }));
}

/**
 * Registers stubs of the mini-program globals (App, Page, Component, getApp, getCurrentPages) in the
 * realm, requires `/app.js` as the platform does, launches the app, requires the page module and
 * drives its lifecycle (created/attached → onLoad → onShow → onReady), as WeChat/Alipay would for
 * the first page. Works for native pages (Page), Taro (Page from createPageConfig) and uni-app
 * (Component-based pages on WeChat, Page on Alipay). Returns `{app, page, def, kind}`.
 */
export function launchMiniProgram(sim, { page = 'pages/index/index', query = {} } = {}) {
  const G = sim.global;
  let appDef = null;
  let current = null;
  const defs = {};
  let app = null;
  let pages = [];
  G.App = (d) => { appDef = d; };
  G.Page = (d) => { defs[current] = { kind: 'page', def: d }; };
  G.Component = (d) => { defs[current] = { kind: 'component', def: d }; };
  G.getApp = () => app;
  G.getCurrentPages = () => pages;
  if (sim.my && typeof sim.my.canIUse !== 'function') sim.my.canIUse = (n) => typeof sim.my[String(n).split('.')[0]] !== 'undefined';
  current = 'app';
  sim.require('/app.js');
  if (!appDef) throw new Error('app.js did not call App()');
  app = Object.assign({}, appDef);
  const launch = { path: page, query, scene: 1001 };
  if (typeof app.onLaunch === 'function') app.onLaunch.call(app, launch);
  if (typeof app.onShow === 'function') app.onShow.call(app, launch);
  current = page;
  sim.require('/' + page + '.js');
  if (!defs[page]) throw new Error(`${page}.js did not call Page() or Component()`);
  const { kind, def } = defs[page];
  const inst = kind === 'page' ? Object.assign({}, def) : Object.assign({}, def.methods || {}, { properties: {}, is: page });
  inst.data = JSON.parse(JSON.stringify(def.data || {}));
  Object.assign(inst, { route: page, __route__: page, options: query });
  inst.setData = (d, cb) => { Object.assign(inst.data, d); if (typeof cb === 'function') setTimeout(cb, 0); };
  inst.selectComponent = () => null;
  inst.selectAllComponents = () => [];
  inst.triggerEvent = () => {};
  inst.createSelectorQuery = () => null;
  inst.getOpenerEventChannel = () => ({ emit() {}, on() {}, off() {} });
  pages = [inst];
  const lifetimes = (kind === 'component' && def.lifetimes) || {};
  for (const h of ['created', 'attached']) {
    const fn = lifetimes[h] || (kind === 'component' ? def[h] : undefined);
    if (typeof fn === 'function') fn.call(inst);
  }
  const loaded = inst.onLoad.call(inst, query);
  const show = (def.pageLifetimes && def.pageLifetimes.show) || inst.onShow;
  if (typeof show === 'function') show.call(inst);
  const ready = lifetimes.ready || inst.onReady;
  if (typeof ready === 'function') ready.call(inst);
  return { app, page: inst, def, kind, loaded };
}

/** Polls until `fn()` returns a truthy value (or throws after `ms`). */
export async function until(fn, ms = 60000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The demo report a framework page stores under DEMO_KEY (sim.storage holds JSON text). */
export function storedReport(sim) {
  return sim.storage.has(DEMO_KEY) ? JSON.parse(sim.storage.get(DEMO_KEY)) : null;
}

// ---- npm install of the example projects, cached by a hash of package.json + package-lock.json --

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out = (out + d).slice(-20000); });
    child.stderr.on('data', (d) => { out = (out + d).slice(-20000); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd}) exited ${code}:\n${out}`))));
  });
}

function installHash(dir) {
  const h = crypto.createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) {
    const p = path.join(dir, f);
    h.update(f + '\0' + (fs.existsSync(p) ? fs.readFileSync(p) : '') + '\0');
  }
  return h.digest('hex');
}

/**
 * `npm install` in an example project unless node_modules/.npm-install-hash matches its
 * package.json + package-lock.json (npm 11 runs no install scripts; none are needed).
 */
export async function npmInstallCached(dir) {
  const marker = path.join(dir, 'node_modules', '.npm-install-hash');
  const want = installHash(dir);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want && fs.existsSync(path.join(dir, 'node_modules', 'miniapp-sdk'))) return false;
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: process.env });
  fs.writeFileSync(marker, installHash(dir));
  return true;
}

/**
 * Puts the package as npm installs it from the packed tarball (_installed.mjs) at
 * `project`/node_modules/miniapp-sdk, replacing what is there (the examples' `file:../../pkg`
 * dependency is a symlink to the build output, which would test pkg/ in place instead).
 */
export function installSdkInto(project) {
  const dest = path.join(project, 'node_modules', 'miniapp-sdk');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.cpSync(PKG, dest, { recursive: true });
}

/** Runs a project's own CLI from its node_modules/.bin. */
export function projectBin(dir, bin, args, env = {}) {
  return run(path.join(dir, 'node_modules', '.bin', bin), args, { cwd: dir, env: { ...process.env, ...env } });
}

// ---- H5 ------------------------------------------------------------------------------------------

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/**
 * Serves a built H5 app from `dir` on loopback; any path that is not a file is proxied to the
 * emulator (it sends no CORS headers, so the page calls its own origin). Resolves `{url, close, served}`.
 */
export function serveH5(dir, emulatorUrl) {
  const target = new URL(emulatorUrl);
  const served = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    let file = path.join(dir, decodeURIComponent(u.pathname));
    if (u.pathname === '/' ) file = path.join(dir, 'index.html');
    if (file.startsWith(dir) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      served.push(u.pathname);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      fs.createReadStream(file).pipe(res);
      return;
    }
    const p = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    p.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    req.pipe(p);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ url: `http://127.0.0.1:${server.address().port}`, served, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) });
  }));
}

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Opens `url` in headless Chromium (fresh user-data dir) and waits for the page's #sdk-status to
 * leave "running". Resolves `{status, logs, report}`; `report` is the DEMO_KEY entry of localStorage.
 */
export async function runInChromium(url, { timeoutMs = 60000 } = {}) {
  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const logs = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(url);
    const status = await page.waitForFunction(() => {
      const el = document.querySelector('#sdk-status');
      const t = el && el.textContent.trim();
      return t && t !== 'running' ? t : null;
    }, null, { timeout: timeoutMs, polling: 100 }).then((h) => h.jsonValue(), async (e) => {
      const html = await page.content().catch(() => '');
      throw new Error(`${e.message}\nbrowser console:\n${logs.join('\n')}\npage:\n${html.slice(0, 2000)}`);
    });
    const report = await page.evaluate((k) => localStorage.getItem(k), DEMO_KEY);
    const wasm = await page.evaluate(() => typeof WebAssembly);
    return { status, logs, report, wasm };
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}
