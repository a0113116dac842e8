// Where the local emulator listens and its default development tenant (see tests/emulator).
// `npm run demo` rewrites `endpoint` in its copy of the project with the port it started.
module.exports = {
  endpoint: 'http://127.0.0.1:8787',
  authing: { appId: 'dev-app', userPoolId: 'dev-pool', wechatIdentity: 'dev-wechat' },
  mpserverless: { appId: 'dev-app', spaceId: 'dev-space', clientSecret: 'dev-secret' },
};
