// Shared helper of the browser suites (not a test file itself): Debian's headless Chromium driven
// by playwright-core, allowed to reach nothing but the emulator over http on loopback (the console
// works offline by construction); anything else is refused and recorded in `external`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** A node:test `skip` value: false, or why the browser suites cannot run here. */
export const noChromium = !fs.existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;

/**
 * Launches it with a fresh profile. Resolves `{context, page, external, pageErrors, close()}`:
 * `external` lists refused off-loopback URLs, `pageErrors` uncaught page errors and console errors.
 */
export async function loopbackChromium({ viewport = { width: 1280, height: 800 }, timeoutMs = 60_000 } = {}) {
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport,
    timeout: 60_000,
  });
  const external = [];
  const pageErrors = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if ((u.hostname === '127.0.0.1' || u.hostname === 'localhost') && u.protocol === 'http:') return route.continue();
    external.push(u.href);
    return route.abort();
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack || e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push('console: ' + m.text()); });
  const close = async () => {
    try { await context.close(); } catch { /* already closed */ }
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, page, external, pageErrors, close };
}
