// The console's traffic panel and data snapshots, in headless Chromium, with the demo as the
// client: `npm run demo`'s walk runs against its emulator (left running, as the demo does without
// --once); the console's traffic log shows the demo's calls newest first, filters by service, and
// opens a call's decoded request and answer with passwords, tokens and codes redacted. Then a
// snapshot exported after the demo (POST /__admin/export) is imported into a fresh emulator, whose
// console shows the same users, documents and files. Screenshots go to tests/node/out/;
// CONSOLE_SCREENSHOT=update also refreshes tests/emulator/console/traffic.png (the README's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, assertPkgBuilt, tmpDir } from './_helpers.mjs';
import { buildEmulator, startEmulator } from './_emulator.mjs';
import { loopbackChromium, noChromium } from './_chromium.mjs';

const OUT = path.join(ROOT, 'tests', 'node', 'out');
const README_SHOT = path.join(ROOT, 'tests', 'emulator', 'console', 'traffic.png');
// The demo's password (examples/wechat-demo); it must never be shown.
const DEMO_PASSWORD = 'Pässwörd-密码-1';
const skip = noChromium;

let browser;
let page;
let demo;
let demoUrl;
let fresh;
let external;
let pageErrors;
const failedLoads = [];

/** Runs the demo without --once; resolves its emulator's URL once the walk is done. */
function startDemo(dataDir) {
  const child = spawn(process.execPath, [path.join(ROOT, 'examples', 'run-demo.mjs'), '--port', '0'], {
    cwd: ROOT, env: { ...process.env, MINIAPP_EMULATOR_DATA: dataDir, NO_COLOR: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.on('exit', () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } });
  let out = '';
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not finish its walk in 5 min:\n${out}`)), 5 * 60_000);
    const onData = (d) => {
      out += d;
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
      const m = /the emulator keeps running: (http:\/\/127\.0\.0\.1:\d+)/.exec(plain);
      if (m) { clearTimeout(timer); resolve({ url: m[1], transcript: plain }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the demo exited (${code}):\n${out}`)); });
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { url, stop: async () => { try { process.kill(-child.pid, 'SIGINT'); } catch { /* gone */ } await exited; } };
}

async function shot(name, options = {}) {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `console-${name}.png`);
  await page.screenshot({ path: file, ...options });
  console.log(`screenshot: ${path.relative(process.cwd(), file)}`);
  return file;
}

async function adminGet(base, p) {
  const res = await fetch(base + p);
  assert.equal(res.status, 200, p);
  return res.json();
}

/** What the console shows of a data set: users, documents and files, read from the page. */
async function consoleView(base) {
  await page.goto(base + '/', { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready]');
  await page.waitForSelector('#users[data-loaded] .user');
  const users = await page.$$eval('#users .user', (els) => els.map((e) => [e.dataset.user, e.dataset.userId]).sort());
  const files = await page.$$eval('#files .file', (els) => els.map((e) => `${e.dataset.source} ${e.dataset.key}`).sort());
  const colls = await page.$$eval('#collections .colls button', (els) => els.map((e) => e.textContent).sort());
  const docs = {};
  for (const c of colls) {
    const name = c.replace(/ \(\d+\)$/, '');
    if (c.endsWith('(0)')) continue;
    await page.click(`#collections button[data-collection="${name}"]`);
    await page.waitForSelector(`#collections button.selected[data-collection="${name}"]`);
    await page.waitForSelector('#collections pre.doc');
    docs[name] = await page.$$eval('#collections pre.doc', (els) => els.map((e) => e.textContent).sort());
    await page.click(`#collections button[data-collection="${name}"]`);
  }
  return { users, files, colls, docs };
}

before(async () => {
  if (skip) return;
  assertPkgBuilt();
  await buildEmulator();
  demo = startDemo(tmpDir('console-traffic-demo-'));
  ({ url: demoUrl } = await demo.url);
  browser = await loopbackChromium({ viewport: { width: 1280, height: 900 } });
  ({ page, external, pageErrors } = browser);
  page.on('requestfailed', (r) => failedLoads.push(r.url()));
}, { timeout: 15 * 60_000 });

after(async () => {
  if (browser) await browser.close();
  if (demo) await demo.stop();
  if (fresh) await fresh.stop();
});

test('the traffic log shows the demo\'s calls, filters by service and redacts what it opens', { skip, timeout: 5 * 60_000 }, async () => {
  await page.goto(demoUrl + '/', { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready]');
  await page.waitForSelector('#traffic[data-loaded] tr.entry');
  const api = await adminGet(demoUrl, '/__admin/traffic');
  const rows = await page.$$eval('#traffic tr.entry', (els) => els.map((e) => ({ id: Number(e.dataset.id), service: e.dataset.service, path: e.dataset.path, gateway: e.dataset.gateway })));
  assert.ok(rows.length >= 20, `the demo's walk makes 20+ requests, the panel shows ${rows.length}`);
  // The page's own image loads (avatars, file thumbnails from /files and /__oss) are client
  // requests too and may arrive after the panel's last poll.
  const newestShown = rows[0].id;
  assert.deepEqual(rows.map((r) => r.id), api.entries.filter((e) => e.id <= newestShown).map((e) => e.id), 'the panel lists the log newest first');
  assert.ok(rows.every((r, i) => i === 0 || r.id < rows[i - 1].id));
  for (const p of ['/api/v3/signin', '/api/v3/get-profile', '/oidc/token', '/api/v2/upload']) {
    assert.ok(rows.some((r) => r.path === p), `no ${p} row`);
  }
  for (const g of ['serverless.auth.user.anonymousAuthorize', 'serverless.db.default.execute', 'serverless.function.runtime.invoke']) {
    assert.ok(rows.some((r) => r.gateway === g), `no ${g} row`);
  }
  assert.ok(rows.every((r) => !r.path.startsWith('/__admin') && !r.path.startsWith('/__console')), 'the console\'s own calls are not logged');
  const ua = await page.textContent('#traffic tbody');
  assert.match(ua, /serverless\.db\.default\.execute/);

  // Filter by service.
  await page.click('#traffic .traffic-filter button[data-service="mpserverless"]');
  const mps = await page.$$eval('#traffic tr.entry', (els) => els.map((e) => e.dataset.service));
  assert.ok(mps.length > 0 && mps.every((s) => s === 'mpserverless'), JSON.stringify(mps));
  await page.click('#traffic .traffic-filter button[data-service="authing"]');
  const auth = await page.$$eval('#traffic tr.entry', (els) => els.map((e) => e.dataset.service));
  assert.ok(auth.length > 0 && auth.every((s) => s === 'authing'));
  await page.click('#traffic .traffic-filter button[data-service="all"]');
  assert.equal((await page.$$('#traffic tr.entry')).length, rows.length);

  // Open a password sign-in, a refresh and a gateway call: decoded, redacted.
  const signin = api.entries.find((e) => e.path === '/api/v3/signin' && /passwordPayload/.test(e.requestBody || ''));
  assert.ok(signin, 'the demo signs in with a password');
  await page.click(`#traffic tr.entry[data-id="${signin.id}"]`);
  const req = await page.textContent(`#traffic tr.detail[data-id="${signin.id}"] .req-body`);
  const res = await page.textContent(`#traffic tr.detail[data-id="${signin.id}"] .res-body`);
  assert.match(req, /"passwordPayload"/);
  assert.match(res, /"access_token": "[^"]{10}…\(redacted/, res);
  const execute = api.entries.find((e) => e.gatewayMethod === 'serverless.db.default.execute');
  await page.click(`#traffic tr.entry[data-id="${execute.id}"]`);
  const gw = await page.textContent(`#traffic tr.detail[data-id="${execute.id}"] .req-body`);
  assert.match(gw, /"params": \{\n\s+"collection"/, 'the gateway params are decoded');
  assert.match(gw, /"token": "[^"]*…\(redacted/);
  const headers = await page.textContent(`#traffic tr.detail[data-id="${execute.id}"] pre.headers`);
  assert.match(headers, /x-serverless-ua: pkg_name:miniapp-sdk/);
  assert.match(await page.textContent(`#traffic tr.entry[data-id="${execute.id}"] td.ua`), /miniapp-sdk/, 'the client column names the SDK');
  const phone = api.entries.find((e) => e.path === '/api/v3/get-wechat-miniprogram-phone');
  await page.click(`#traffic tr.entry[data-id="${phone.id}"]`);
  assert.match(await page.textContent(`#traffic tr.detail[data-id="${phone.id}"] .req-body`), /"code": "[^"]{10}…\(redacted, 32 chars\)"/, 'a getPhoneNumber code is shortened');
  const passCode = api.entries.find((e) => e.path === '/api/v3/signin' && /passCodePayload/.test(e.requestBody || ''));
  await page.click(`#traffic tr.entry[data-id="${passCode.id}"]`);
  assert.match(await page.textContent(`#traffic tr.detail[data-id="${passCode.id}"] .req-body`), /"passCode": "…\(redacted\)"/, 'an SMS code is hidden');
  const oldPassword = api.entries.find((e) => e.path === '/api/v3/update-password');
  await page.click(`#traffic tr.entry[data-id="${oldPassword.id}"]`);
  assert.match(await page.textContent(`#traffic tr.detail[data-id="${oldPassword.id}"] .req-body`), /"oldPassword": "••••••"/);

  // Nothing secret on the page, collapsed rows included: no password, token or code.
  const secrets = new Set([DEMO_PASSWORD]);
  for (const e of api.entries) {
    for (const text of [e.requestBody, e.responseBody]) {
      for (const m of String(text || '').matchAll(/"(access_token|refresh_token|id_token|accessToken|refreshToken|token|authCode|passCode|code)"\s*:\s*"([^"]*\d[^"]{4,})"/g)) secrets.add(m[2]);
      for (const m of String(text || '').matchAll(/(?:^|&)(refresh_token|token|code)=([^&]{6,})/g)) secrets.add(decodeURIComponent(m[2]));
    }
  }
  assert.ok(secrets.size > 5, `the demo's traffic carries tokens and codes (${secrets.size})`);
  // The SMS inbox panel shows SMS codes on purpose; the traffic panel shows none of them, and
  // the page as a whole shows no token and no password.
  const trafficText = await page.textContent('#traffic');
  for (const s of secrets) assert.ok(!trafficText.includes(s), `the traffic panel shows a secret: ${s.slice(0, 6)}…`);
  const pageText = await page.evaluate(() => document.body.textContent);
  for (const s of secrets) if (s.length > 12) assert.ok(!pageText.includes(s), `the page shows a secret: ${s.slice(0, 6)}…`);

  // The README image: the log with one gateway call opened.
  for (const e of [signin, phone, passCode, oldPassword]) await page.click(`#traffic tr.entry[data-id="${e.id}"]`);
  assert.equal((await page.$$('#traffic tr.detail')).length, 1);
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, 'console-traffic.png');
  await (await page.$('#traffic')).screenshot({ path: file });
  console.log(`screenshot: ${path.relative(process.cwd(), file)}`);
  if (process.env.CONSOLE_SCREENSHOT === 'update') fs.copyFileSync(file, README_SHOT);
  assert.deepEqual(external, [], 'every request stays on loopback');
  assert.deepEqual(pageErrors, []);
});

test('a snapshot exported after the demo shows the same users, documents and files in a fresh emulator', { skip, timeout: 5 * 60_000 }, async () => {
  const snap = path.join(tmpDir('console-traffic-snap-'), 'snapshot');
  const res = await fetch(demoUrl + '/__admin/export', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dir: snap }) });
  assert.equal(res.status, 200, await res.text());
  const before = await consoleView(demoUrl);
  assert.ok(before.users.length >= 1 && before.files.length >= 2 && Object.keys(before.docs).length >= 1, JSON.stringify(before));
  const adminBefore = { users: await adminGet(demoUrl, '/__admin/users'), files: await adminGet(demoUrl, '/__admin/files') };
  await page.goto('about:blank');
  await demo.stop();
  demo = null;

  fresh = await startEmulator({ args: ['--import', snap], waitForKeys: false });
  const afterView = await consoleView(fresh.url);
  assert.deepEqual(afterView, before);
  const users = await adminGet(fresh.url, '/__admin/users');
  assert.deepEqual(users.map((u) => [u.userId, u.username, u.phone, u.hasPassword]), adminBefore.users.map((u) => [u.userId, u.username, u.phone, u.hasPassword]));
  const files = await adminGet(fresh.url, '/__admin/files');
  assert.equal(files.uploads.length + files.serverless.length, adminBefore.files.uploads.length + adminBefore.files.serverless.length);
  await shot('imported');
  // A profile photo is stored as the absolute URL it was uploaded to (as Authing stores it), so the
  // demo's avatar still points at the demo's port, which is closed now: that image alone fails.
  const demoPort = new URL(demoUrl).port;
  assert.ok(failedLoads.every((u) => new URL(u).port === demoPort), JSON.stringify(failedLoads));
  assert.deepEqual(pageErrors.filter((e) => !(failedLoads.length && /ERR_CONNECTION_REFUSED/.test(e))), []);
});
