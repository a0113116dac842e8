// The local emulator (tests/emulator) and its development tenant. The tests rewrite `endpoint` in
// the built output with the port they started; on H5 the page's own origin is used (the test server
// proxies the API to the emulator, which sends no CORS headers).
export default {
  endpoint: 'http://127.0.0.1:8787',
  authing: { appId: 'dev-app', userPoolId: 'dev-pool' },
  mpserverless: { appId: 'dev-app', spaceId: 'dev-space', clientSecret: 'dev-secret' },
  user: { account: 'taro-demo', password: 'Taro-Demo-密码-1' },
}
