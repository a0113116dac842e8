// The local emulator (tests/emulator) and its development tenant; the tests rewrite `endpoint`.
module.exports = {
  endpoint: 'http://127.0.0.1:8787',
  authing: { appId: 'dev-app', userPoolId: 'dev-pool' },
  mpserverless: { appId: 'dev-app', spaceId: 'dev-space', clientSecret: 'dev-secret' },
  user: { account: 'alipay-demo', password: 'Alipay-Demo-密码-1' },
};
