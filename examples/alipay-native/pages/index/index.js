// miniapp-sdk/alipay: the same Rust core translated to JavaScript (wasm2js), because Alipay's logic
// layer has no WebAssembly engine. No wasm file, no wasmPath. (miniapp-sdk/alipay-serverless is the
// smaller MPServerless-only build.)
const { Authing, MPServerless } = require('miniapp-sdk/alipay');
const config = require('../../config.js');
const { myRsaEncryptor } = require('../../my-rsa.js');

const mpServerless = new MPServerless(my, Object.assign({ endpoint: config.endpoint }, config.mpserverless));
const rsa = myRsaEncryptor(config.endpoint);
// RSA through my.rsa (stock logic layer). Without encryptFunction the SDK encrypts itself, which needs
// crypto.getRandomValues (an Alipay Worker); otherwise it fails closed with NO_ENTROPY.
const authing = new Authing(Object.assign({ host: config.endpoint, encryptFunction: rsa.encryptFunction }, config.authing));
const authingOwnCrypto = new Authing(Object.assign({ host: config.endpoint }, config.authing));

async function step(steps, name, run, ok) {
  try {
    const value = await run();
    steps.push({ name, ok: ok(value), detail: ok(value) ? undefined : JSON.stringify(value) });
  } catch (e) {
    steps.push({ name, ok: false, detail: String((e && e.message) || e) });
  }
}

const loggedIn = (r) => !r[0] && !!r[1] && !!r[1].access_token;

Page({
  data: { status: 'running', steps: [] },
  onLoad() {
    return this.runDemo();
  },
  /** MPServerless anonymous authorize + one db call, then an Authing password login (RSA via my.rsa). */
  async runDemo() {
    const steps = [];
    await step(steps, 'mpserverless.authorize', () => mpServerless.user.authorize({ authType: 'anonymous' }), (r) => !!r && r.success !== false);
    await step(steps, 'mpserverless.db.insertOne', () => mpServerless.db.collection('todos').insertOne({ title: 'from alipay-native', at: Date.now() }), (r) => !!r && r.success !== false && !!r.result);
    await step(steps, 'authing.loginByPassword(rsa via my.rsa)', async () => {
      await rsa.prepare(config.user.password);
      return authing.loginByPassword({
        passwordPayload: { account: config.user.account, password: config.user.password },
        options: { passwordEncryptType: 'rsa' },
      });
    }, loggedIn);
    const ok = steps.every((s) => s.ok);
    this.setData({ status: ok ? 'done' : 'failed', steps });
    return { ok, steps };
  },
  /** The SDK's own RSA/SM2 (needs crypto.getRandomValues; NO_ENTROPY on a stock logic layer). */
  loginWithSdkCrypto(passwordEncryptType) {
    return authingOwnCrypto.loginByPassword({
      passwordPayload: { account: config.user.account, password: config.user.password },
      options: { passwordEncryptType },
    });
  },
});
