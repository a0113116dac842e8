// Browser tests of the emulator's console (tests/emulator/console, served at /__console/): headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core) opens the page of a fresh emulator,
// runs SDK methods in the playground (the package's browser build, pkg/index.mjs + core.wasm) and
// checks what the panels show. Every request must stay on loopback (the page works offline).
// Screenshots go to tests/node/out/ (git-ignored); CONSOLE_SCREENSHOT=update also refreshes the
// README's tests/emulator/console/screenshot.png.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, PKG, assertPkgBuilt } from './_helpers.mjs';
import { startEmulator } from './_emulator.mjs';
import { loopbackChromium, noChromium } from './_chromium.mjs';

const OUT = path.join(ROOT, 'tests', 'node', 'out');
const README_SHOT = path.join(ROOT, 'tests', 'emulator', 'console', 'screenshot.png');
const STEP_MS = 60_000;
// A 16x16 red PNG (the demo's).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGklEQVR4nGP4z8BAEhrVMKphVMOohsGqAQCZUv8Bpl8/UwAAAABJRU5ErkJggg==', 'base64');
const ALICE = { username: 'alice', password: 'alice-Pässwort-1', nickname: 'Alice' };
const SMS_PHONE = '13900000001';

const skip = noChromium;

describe('emulator console in headless Chromium', { skip, timeout: 15 * 60_000 }, () => {
  let emu;
  let browser;
  let context;
  let page;
  let external = [];
  let pageErrors = [];
  const shots = [];

  async function shot(name, options = {}) {
    fs.mkdirSync(OUT, { recursive: true });
    const file = path.join(OUT, `console-${name}.png`);
    await page.screenshot({ path: file, ...options });
    shots.push(file);
    console.log(`screenshot: ${path.relative(process.cwd(), file)}`);
    return file;
  }

  /** Selects a playground method, sets its argument, runs it; resolves what the call shows. */
  async function run(client, method, arg, { file } = {}) {
    await page.click(`#pg-methods button[data-client="${client}"][data-method="${method}"]`);
    if (arg !== undefined) await page.fill('#pg-arg', JSON.stringify(arg, null, 2));
    else if (await page.isEnabled('#pg-arg')) await page.click('#pg-default');
    if (file) await page.setInputFiles('#pg-file-input', file);
    const seq = await page.evaluate(() => {
      const a = document.querySelector('#pg-log article.call');
      return a ? Number(a.dataset.seq) : 0;
    });
    await page.click('#pg-run');
    const sel = `#pg-log article.call[data-seq="${seq + 1}"]`;
    await page.waitForSelector(`${sel}:not([data-status="running"])`, { timeout: STEP_MS });
    return page.$eval(sel, (a) => ({
      status: a.dataset.status,
      result: (a.querySelector('.result-body') || {}).textContent || '',
      exchanges: [...a.querySelectorAll('details.exchange')].map((d) => ({
        url: d.dataset.url,
        status: Number(d.dataset.status),
        method: d.querySelector('summary .m').textContent,
        reqBody: d.querySelector('.req-body').textContent,
        resBody: d.querySelector('.res-body').textContent,
      })),
    }));
  }

  const seenTokens = new Set();
  /** The tokens the SDK keeps in localStorage (remembered across the whole run). */
  async function storedTokens() {
    const text = await page.evaluate(() => Object.keys(localStorage).map((k) => localStorage.getItem(k)).join('\n'));
    for (const m of text.matchAll(/"(access_token|refresh_token|id_token)":"([^"]+)"/g)) seenTokens.add(m[2]);
    return [...seenTokens];
  }

  /** Neither the page (collapsed details included) nor /__admin/sessions holds a whole token. */
  async function assertNoTokenShown() {
    const tokens = await storedTokens();
    const sessions = JSON.stringify(await emu.admin('GET', '/__admin/sessions'));
    const pageText = await page.evaluate(() => document.body.textContent);
    for (const t of tokens) {
      assert.ok(!sessions.includes(t), '/__admin/sessions must not contain a token');
      assert.ok(!pageText.includes(t), 'the page must not show a whole token');
    }
  }

  function assertOk(call, what) {
    assert.equal(call.status, 'ok', `${what} failed: ${call.result}\n${JSON.stringify(call.exchanges, null, 1)}`);
  }

  before(async () => {
    assertPkgBuilt();
    emu = await startEmulator({ args: ['--sms-interval-secs', '0', '--sdk-dir', PKG] });
    browser = await loopbackChromium({ timeoutMs: STEP_MS });
    ({ context, page, external, pageErrors } = browser);
    await emu.admin('POST', '/__admin/users', ALICE);
    await page.goto(emu.url + '/', { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready]');
  }, { timeout: 15 * 60_000 });

  after(async () => {
    if (browser) await browser.close();
    if (emu) await emu.stop();
    if (shots.length) console.log(`console screenshots:\n${shots.map((s) => '  ' + s).join('\n')}`);
  });

  test('the console is served at / and lists the seeded user', async () => {
    assert.match(page.url(), /\/__console\/$/);
    await page.waitForSelector('#users .user[data-user="alice"]');
    assert.equal(await page.isHidden('#pg-sdk'), true, 'the SDK package is available to the playground');
    assert.match(await page.textContent('#tenant'), /dev-app/);
  });

  test('sign in through the playground with SM2 and see the login in the users panel', { timeout: 3 * STEP_MS }, async () => {
    const call = await run('authing', 'loginByPassword', {
      passwordPayload: { account: ALICE.username, password: ALICE.password },
      options: { passwordEncryptType: 'sm2', scope: 'openid profile offline_access' },
    });
    assertOk(call, 'loginByPassword (sm2)');
    const system = call.exchanges.find((e) => e.url === '/api/v3/system');
    const signin = call.exchanges.find((e) => e.url === '/api/v3/signin');
    assert.ok(system && system.status === 200, 'the SDK fetched the SM2 key: ' + JSON.stringify(call.exchanges));
    assert.ok(signin && signin.status === 200 && signin.method === 'POST', JSON.stringify(call.exchanges));
    assert.match(signin.reqBody, /"passwordEncryptType": "sm2"/);
    assert.match(signin.reqBody, /"password": "[0-9a-f]{192,}"/, 'the password travels as SM2 ciphertext (C1C3C2 hex)');
    assert.ok(!signin.reqBody.includes(ALICE.password) && !call.result.includes(ALICE.password));
    assert.match(call.result, /"access_token": "[^"]{10}…\(redacted/);

    const line = await page.waitForSelector('#users .user[data-user="alice"] .login.ok');
    assert.match(await line.textContent(), /PASSWORD \(sm2\)/);
    assert.match(await page.textContent('#users .user[data-user="alice"]'), /1 login\b/);

    // The admin API recorded the same, and nothing on the page or in /__admin/sessions holds a whole token.
    const users = await emu.admin('GET', '/__admin/users');
    const alice = users.find((u) => u.username === 'alice');
    assert.equal(alice.loginHistory[0].success, true);
    assert.equal(alice.loginHistory[0].connection, 'PASSWORD');
    assert.equal(alice.loginHistory[0].detail, 'sm2');
    assert.ok(!JSON.stringify(users).includes('$argon2'), 'no password hash is listed');
    assert.ok((await storedTokens()).length >= 2, 'the SDK stored its login state in localStorage');
    await page.click('#refresh');
    await page.waitForSelector('#sessions table');
    await assertNoTokenShown();
    await shot('1-sm2-login', { fullPage: true });
  });

  test('sendSms, read the code in the SMS inbox panel, loginByPassCode with it', { timeout: 3 * STEP_MS }, async () => {
    const sent = await run('authing', 'sendSms', { phoneNumber: SMS_PHONE, channel: 'CHANNEL_LOGIN' });
    assertOk(sent, 'sendSms');
    assert.ok(sent.exchanges.some((e) => e.url === '/api/v3/send-sms' && e.status === 200));
    const cell = await page.waitForSelector(`#sms tr[data-phone="${SMS_PHONE}"] .sms-code`);
    const code = (await cell.textContent()).trim();
    assert.match(code, /^\d{6}$/);
    const inbox = await emu.admin('GET', `/__admin/sms?phone=${SMS_PHONE}`);
    assert.equal(inbox[0].code, code, 'the panel shows the code the emulator sent');

    const login = await run('authing', 'loginByPassCode', {
      passCodePayload: { phone: SMS_PHONE, passCode: code },
      options: { autoRegister: true, scope: 'openid profile' },
    });
    assertOk(login, 'loginByPassCode');
    const signin = login.exchanges.find((e) => e.url === '/api/v3/signin');
    assert.match(signin.reqBody, /"connection": "PASSCODE"/);
    const line = await page.waitForSelector(`#users .user[data-user="${SMS_PHONE}"] .login.ok`);
    assert.match(await line.textContent(), /PASSCODE/);
    await page.waitForSelector(`#sms tr[data-phone="${SMS_PHONE}"] .tag.used`);
    await shot('2-sms-passcode', { fullPage: true });
  });

  test('the email inbox panel shows sendEmailCode codes, and marks them used', { timeout: 3 * STEP_MS }, async () => {
    const email = 'console-inbox@example.com';
    const post = (p, headers, body) => fetch(emu.url + p, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then((r) => r.json());
    const sent = await post('/api/v3/send-email', { 'x-authing-userpool-id': 'dev-pool' }, { email, channel: 'CHANNEL_LOGIN' });
    assert.equal(sent.statusCode, 200, JSON.stringify(sent));
    const cell = await page.waitForSelector(`#email tr[data-email="${email}"] .sms-code`);
    const code = (await cell.textContent()).trim();
    assert.match(code, /^\d{6}$/);
    assert.equal((await emu.admin('GET', `/__admin/email?email=${email}`))[0].code, code, 'the panel shows the code the emulator sent');
    assert.match(await page.textContent('#email h2'), /Email inbox \(\d+\)/);
    const signin = await post('/api/v3/signin', { 'x-authing-app-id': 'dev-app' }, { connection: 'PASSCODE', passCodePayload: { email, passCode: code }, options: { autoRegister: true } });
    assert.equal(signin.statusCode, 200, JSON.stringify(signin));
    await page.waitForSelector(`#email tr[data-email="${email}"] .tag.used`);
    await shot('2b-email-inbox', { fullPage: true });
  });

  test('updateAvatar uploads a PNG that the files panel shows', { timeout: 3 * STEP_MS }, async () => {
    const relogin = await run('authing', 'loginByPassword', {
      passwordPayload: { account: ALICE.username, password: ALICE.password },
      options: { passwordEncryptType: 'sm2' },
    });
    assertOk(relogin, 'loginByPassword');
    const call = await run('authing', 'updateAvatar', undefined, { file: { name: 'avatar.png', mimeType: 'image/png', buffer: PNG } });
    assertOk(call, 'updateAvatar');
    const upload = call.exchanges.find((e) => e.url.startsWith('/api/v2/upload'));
    assert.ok(upload && upload.status === 200, JSON.stringify(call.exchanges));
    assert.match(upload.reqBody, /avatar|file/);
    assert.ok(call.exchanges.some((e) => e.url === '/api/v3/update-profile' && e.status === 200), JSON.stringify(call.exchanges));

    await page.waitForSelector('#files .file[data-source="authing"] img');
    await page.waitForFunction(() => {
      const img = document.querySelector('#files .file[data-source="authing"] img');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: STEP_MS });
    const size = await page.$eval('#files .file[data-source="authing"] img', (img) => [img.naturalWidth, img.naturalHeight]);
    assert.deepEqual(size, [16, 16]);
    // The new photo is the user's avatar in the users panel too.
    await page.waitForFunction(() => {
      const img = document.querySelector('#users .user[data-user="alice"] .avatar img');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: STEP_MS });
    await shot('3-avatar', { fullPage: true });
  });

  test('MPServerless from the playground: authorize, db, function, file upload', { timeout: 5 * STEP_MS }, async () => {
    assertOk(await run('mpserverless', 'user.authorize', { authProvider: 'wechat_openapi' }), 'user.authorize');
    const insert = await run('mpserverless', 'db', { collection: 'todos', command: 'insertOne', args: [{ title: 'from the console', done: false }] });
    assertOk(insert, 'db insertOne');
    assert.ok(insert.exchanges.some((e) => e.url === '/client' && e.status === 200));
    assert.match(insert.exchanges.find((e) => e.url === '/client').reqBody, /serverless\.db\.default\.execute/);
    const echo = await run('mpserverless', 'function.invoke', { name: 'echo', args: { hello: 'console' } });
    assertOk(echo, 'function.invoke');
    assert.match(echo.result, /console/);
    const up = await run('mpserverless', 'file.uploadFile', {}, { file: { name: 'photo.png', mimeType: 'image/png', buffer: PNG } });
    assertOk(up, 'file.uploadFile');
    assert.ok(up.exchanges.some((e) => e.url === '/__oss' && e.status < 300), JSON.stringify(up.exchanges));
    assertOk(await run('mpserverless', 'file.info', { fileIds: ['$lastFileId'] }), 'file.info');

    await page.waitForFunction(() => {
      const img = document.querySelector('#files .file[data-source="mpserverless"] img');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: STEP_MS });
    await page.click('#collections button[data-collection="todos"]');
    await page.waitForFunction(() => /from the console/.test(document.querySelector('#collections').textContent), null, { timeout: STEP_MS });
    await page.waitForSelector('#sessions td .tag.active');
    await shot('4-mpserverless', { fullPage: true });
  });

  test('every playground method runs to a result (no exception escapes the page)', { timeout: 5 * STEP_MS }, async () => {
    const names = await page.$$eval('#pg-methods button', (bs) => bs.map((b) => [b.dataset.client, b.dataset.method]));
    assert.equal(names.filter(([c]) => c === 'authing').length, 12, 'the twelve Authing methods');
    // The defaults, in an order where each can succeed.
    const order = [['authing', 'sendSms'], ['authing', 'loginByPassCode'], ['authing', 'getLoginState'], ['authing', 'getUserInfo'],
      ['authing', 'updateUserInfo'], ['authing', 'refreshToken'], ['authing', 'getPhone'], ['authing', 'loginByCode'], ['authing', 'logout'],
      ['mpserverless', 'user.getInfo'], ['mpserverless', 'file.deleteFile']];
    for (const [client, method] of order) {
      const call = await run(client, method);
      assertOk(call, `${client}.${method} with its default argument`);
      await storedTokens();
      if (method === 'getUserInfo') {
        const headers = await page.$eval('#pg-log article.call details.exchange[data-url^="/api/v3/get-profile"] pre.headers', (p) => p.textContent);
        assert.match(headers, /authorization: [^\n]{10}…\(redacted/i, 'the Authorization header is shortened');
      }
    }
    // updatePassword (SM2-encrypted new password), there and back.
    assertOk(await run('authing', 'loginByPassword', { passwordPayload: { account: ALICE.username, password: ALICE.password }, options: { passwordEncryptType: 'rsa' } }), 'loginByPassword (rsa)');
    for (const [oldPassword, newPassword] of [[ALICE.password, ALICE.password + '-2'], [ALICE.password + '-2', ALICE.password]]) {
      const call = await run('authing', 'updatePassword', { oldPassword, newPassword, passwordEncryptType: 'sm2' });
      assertOk(call, 'updatePassword');
      assert.ok(!call.exchanges.some((e) => e.reqBody.includes(oldPassword)), 'plaintext passwords are hidden in the log');
    }
    assert.deepEqual(pageErrors, [], 'no page errors');
  });

  test('without a built package the playground says to build it first', { timeout: 2 * STEP_MS }, async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-console-nosdk-'));
    const other = await startEmulator({ args: ['--sdk-dir', empty], waitForKeys: false });
    const p = await context.newPage();
    try {
      p.on('pageerror', (e) => pageErrors.push(String(e && e.stack || e)));
      await p.goto(other.url + '/__console/', { waitUntil: 'load' });
      await p.waitForSelector('#pg-sdk:not([hidden])');
      assert.match(await p.textContent('#pg-sdk'), /npm run build/);
      assert.equal(await p.isDisabled('#pg-run'), true);
      await p.waitForSelector('#users[data-loaded]');
    } finally {
      await p.close();
      await other.stop();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('overview screenshot (the README image) and nothing left loopback', { timeout: 2 * STEP_MS }, async () => {
    const call = await run('authing', 'loginByPassword', {
      passwordPayload: { account: ALICE.username, password: ALICE.password },
      options: { passwordEncryptType: 'sm2', scope: 'openid profile offline_access' },
    });
    assertOk(call, 'loginByPassword');
    await page.click('#refresh');
    await page.click('#pg-log article.call[data-method="loginByPassword"] details.exchange[data-url="/api/v3/signin"] summary');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    const file = await shot('overview');
    if (process.env.CONSOLE_SCREENSHOT === 'update') {
      fs.copyFileSync(file, README_SHOT);
      console.log(`updated ${path.relative(process.cwd(), README_SHOT)}`);
    }
    await assertNoTokenShown();
    assert.deepEqual(external, [], 'the console requested nothing off loopback');
    assert.deepEqual(pageErrors, [], 'no page errors');
  });
});
