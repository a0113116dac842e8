// Alipay logic layer: no secure random source, so the SDK refuses its own RSA/SM2 encryption
// (NO_ENTROPY). my.rsa is Alipay's native RSA (PKCS#1 v1.5, the platform's own randomness), but it
// is asynchronous while Authing's encryptFunction is synchronous: encrypt the password with my.rsa
// before the login, and let encryptFunction hand over that ciphertext.
export function myRsaEncryptor(my, endpoint) {
  const ready = new Map()
  const call = (api, args) => new Promise((resolve, reject) => api(Object.assign({}, args, { success: resolve, fail: reject })))
  return {
    /** Pass as `new Authing({encryptFunction})`; used with passwordEncryptType 'rsa'. */
    encryptFunction(plainText, publicKey) {
      const cipher = ready.get(publicKey + '\n' + plainText)
      if (!cipher) throw new Error('call prepare(password) before the login: my.rsa is asynchronous')
      ready.delete(publicKey + '\n' + plainText)
      return cipher
    },
    /** Fetches the user pool's RSA key and encrypts `plainText` with my.rsa. */
    async prepare(plainText) {
      const res = await call(my.request, { url: endpoint + '/api/v3/system', method: 'GET', dataType: 'json' })
      const system = typeof res.data === 'string' ? JSON.parse(res.data) : res.data
      const publicKey = system && system.rsa && system.rsa.publicKey
      if (!publicKey) throw new Error('the server published no RSA key')
      const key = publicKey.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
      const out = await call(my.rsa, { action: 'encrypt', text: plainText, key })
      ready.set(publicKey + '\n' + plainText, out.text)
    },
  }
}
