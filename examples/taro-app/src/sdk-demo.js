// What the page runs on load: MPServerless anonymous authorize + one db call, then an Authing
// password login, reported in storage ('miniapp-sdk-demo') and returned.
import Taro from '@tarojs/taro'
// On Alipay config/index.js aliases this import to miniapp-sdk/alipay (wasm2js): the same API.
import { Authing, MPServerless, configure } from 'miniapp-sdk'
import config from './sdk-config'
import { myRsaEncryptor } from './my-rsa'

const ENV = process.env.TARO_ENV
// Where config/index.js copied the wasm. Alipay's wasm2js build has no wasm file.
if (ENV === 'weapp') configure({ wasmPath: '/sdk/core.wasm.br' })
if (ENV === 'h5') configure({ wasmPath: '/sdk/core.wasm' })

/* global wx, my */
function platformApi() {
  if (ENV === 'alipay') return my
  if (ENV === 'weapp') return wx
  // H5: Taro's web APIs (Taro.request etc. are compiled to named imports, so pass functions, not Taro).
  return { request: (o) => Taro.request(o), uploadFile: (o) => Taro.uploadFile(o), login: (o) => Taro.login(o) }
}

export async function runDemo() {
  const endpoint = ENV === 'h5' ? window.location.origin : config.endpoint
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
  await step('mpserverless.db.insertOne', () => mp.db.collection('todos').insertOne({ title: 'from taro ' + ENV, platform: ENV, at: Date.now() }),
    (r) => !!r && r.success !== false && !!r.result)

  // Stock Alipay logic layer: RSA through my.rsa (see my-rsa.js). Elsewhere the SDK's own SM2 / RSA.
  const rsa = ENV === 'alipay' ? myRsaEncryptor(my, endpoint) : null
  const authing = new Authing(Object.assign({ host: endpoint }, config.authing, rsa ? { encryptFunction: rsa.encryptFunction } : {}))
  const encrypt = ENV === 'weapp' ? 'sm2' : 'rsa'
  await step('authing.loginByPassword(' + encrypt + ')', async () => {
    if (rsa) await rsa.prepare(config.user.password)
    return authing.loginByPassword({ passwordPayload: { account: config.user.account, password: config.user.password }, options: { passwordEncryptType: encrypt } })
  }, (r) => Array.isArray(r) && !r[0] && !!r[1] && !!r[1].access_token)

  const result = { env: ENV, ok: steps.every((s) => s.ok), steps: steps.map((s) => ({ name: s.name, ok: s.ok, error: s.error || (s.ok ? undefined : JSON.stringify(s.value)) })) }
  Taro.setStorageSync('miniapp-sdk-demo', result)
  return result
}
