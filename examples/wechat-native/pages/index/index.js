// After 构建 npm the package is at miniprogram_npm/miniapp-sdk with its wasm: no wasmPath needed
// (the default is /miniprogram_npm/miniapp-sdk/core.wasm.br). wx.getRandomValues feeds RSA/SM2.
const { Authing, MPServerless } = require('miniapp-sdk');
const config = require('../../config.js');

const mpServerless = new MPServerless(wx, Object.assign({ endpoint: config.endpoint }, config.mpserverless));
const authing = new Authing(Object.assign({ host: config.endpoint }, config.authing));

async function step(steps, name, run, ok) {
  try {
    const value = await run();
    steps.push({ name, ok: ok(value), detail: ok(value) ? undefined : JSON.stringify(value) });
  } catch (e) {
    steps.push({ name, ok: false, detail: String((e && e.message) || e) });
  }
}

Page({
  data: { status: 'running', steps: [] },
  onLoad() {
    return this.runDemo();
  },
  /** MPServerless anonymous authorize + one db call, then an Authing password login (SM2). */
  async runDemo() {
    const steps = [];
    await step(steps, 'mpserverless.authorize', () => mpServerless.user.authorize({ authType: 'anonymous' }), (r) => !!r && r.success !== false);
    await step(steps, 'mpserverless.db.insertOne', () => mpServerless.db.collection('todos').insertOne({ title: 'from wechat-native', at: Date.now() }), (r) => !!r && r.success !== false && !!r.result);
    await step(steps, 'authing.loginByPassword(sm2)', () => authing.loginByPassword({
      passwordPayload: { account: config.user.account, password: config.user.password },
      options: { passwordEncryptType: 'sm2' },
    }), (r) => !r[0] && !!r[1] && !!r[1].access_token);
    const ok = steps.every((s) => s.ok);
    this.setData({ status: ok ? 'done' : 'failed', steps });
    return { ok, steps };
  },
});
