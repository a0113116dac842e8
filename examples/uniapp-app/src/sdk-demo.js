// What the page runs on load: MPServerless anonymous authorize + one db call, then an Authing
// password login, reported in storage ('miniapp-sdk-demo') and returned.
// On mp-alipay vite.config.js aliases this import to miniapp-sdk/alipay (wasm2js): the same API.
import { Authing, MPServerless, configure } from 'miniapp-sdk'
import config from './sdk-config.js'
import { myRsaEncryptor } from './my-rsa.js'

const PLATFORM = process.env.UNI_PLATFORM
// Where vite.config.js put the wasm. The mp-alipay wasm2js build has no wasm file.
if (PLATFORM === 'mp-weixin') configure({ wasmPath: '/sdk/core.wasm.br' })
if (PLATFORM === 'h5') configure({ wasmPath: '/sdk/core.wasm' })

/* global wx, my, uni */
function platformApi() {
  if (PLATFORM === 'mp-alipay') return my
  if (PLATFORM === 'mp-weixin') return wx
  // H5: uni's web APIs (uni.request etc. are compiled to named imports, so pass functions, not uni).
  return { request: (o) => uni.request(o), uploadFile: (o) => uni.uploadFile(o), login: (o) => uni.login(o) }
}

export async function runDemo() {
  const endpoint = PLATFORM === 'h5' ? window.location.origin : config.endpoint
  const steps = []
  const step = async (name, fn, ok) => {
    try {
      const value = await fn()
      steps.push({ name, ok: ok(value), value })
    } catch (e) {
      steps.push({ name, ok: false, error: String((e && e.message) || e) })
    }
  }

  const mp = new MPServerless(platformApi(), Object.assign({ endpoint }, config.mpserverless))
  await step('mpserverless.authorize', () => mp.user.authorize({ authType: 'anonymous' }), (r) => !!r && r.success !== false)
  await step('mpserverless.db.insertOne', () => mp.db.collection('todos').insertOne({ title: 'from uni-app ' + PLATFORM, platform: PLATFORM, at: Date.now() }),
    (r) => !!r && r.success !== false && !!r.result)

  // Stock Alipay logic layer: RSA through my.rsa (see my-rsa.js). Elsewhere the SDK's own SM2 / RSA.
  const rsa = PLATFORM === 'mp-alipay' ? myRsaEncryptor(my, endpoint) : null
  const authing = new Authing(Object.assign({ host: endpoint }, config.authing, rsa ? { encryptFunction: rsa.encryptFunction } : {}))
  const encrypt = PLATFORM === 'h5' ? 'rsa' : PLATFORM === 'mp-weixin' ? 'sm2' : 'rsa'
  await step('authing.loginByPassword(' + encrypt + ')', async () => {
    if (rsa) await rsa.prepare(config.user.password)
    return authing.loginByPassword({ passwordPayload: { account: config.user.account, password: config.user.password }, options: { passwordEncryptType: encrypt } })
  }, (r) => Array.isArray(r) && !r[0] && !!r[1] && !!r[1].access_token)

  const result = { env: PLATFORM, ok: steps.every((s) => s.ok), steps: steps.map((s) => ({ name: s.name, ok: s.ok, error: s.error || (s.ok ? undefined : JSON.stringify(s.value)) })) }
  uni.setStorageSync('miniapp-sdk-demo', result)
  return result
}
