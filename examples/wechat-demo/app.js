// A WeChat mini-program that uses miniapp-sdk exactly as an app would. `npm run demo` runs it in the
// host simulator against the local emulator; it also opens in WeChat DevTools (build npm first).
App({
  globalData: {},
});
