// The whole API of both clients, in the order a real app would call it.
const { Authing, MPServerless } = require('miniapp-sdk');
const config = require('../../config.js');

const authing = new Authing({
  appId: config.authing.appId,
  host: config.endpoint,
  userPoolId: config.authing.userPoolId,
});

const mpServerless = new MPServerless({
  uploadFile: wx.uploadFile,
  request: wx.request,
  getAuthCode: wx.login,
  getFileInfo: wx.getFileInfo,
  getImageInfo: wx.getImageInfo,
}, {
  appId: config.mpserverless.appId,
  spaceId: config.mpserverless.spaceId,
  clientSecret: config.mpserverless.clientSecret,
  endpoint: config.endpoint,
});

// Local development only: the emulator's admin API and platform stand-ins play the parts of the SMS
// the user reads and of the phone-number button's code.
function dev(method, path, data) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: config.endpoint + path, method, data,
      success: (res) => (res.statusCode < 300 ? resolve(res.data) : reject(new Error(path + ': HTTP ' + res.statusCode))),
      fail: reject,
    });
  });
}

function pickImage() {
  return new Promise((resolve, reject) => {
    wx.chooseMedia({ count: 1, mediaType: ['image'], success: (res) => resolve(res.tempFiles[0].tempFilePath), fail: reject });
  });
}

const stamp = String(Date.now());
const user = { username: 'demo' + stamp, password: 'Pässwörd-密码-1', phone: '139' + stamp.slice(-8), email: 'demo' + stamp + '@example.com' };

// Each step: [title, run]. `run` resolves the SDK's own result: an [error, data] tuple for Authing,
// the response object for MPServerless.
function steps() {
  let todoId;
  return [
    ['MPServerless user.authorize({authType: "anonymous"})', () => mpServerless.user.authorize({ authType: 'anonymous' })],
    ['MPServerless db todos.insertOne', async () => {
      const res = await mpServerless.db.collection('todos').insertOne({ title: 'try miniapp-sdk', done: false, owner: user.username });
      todoId = res.result;
      return res;
    }],
    ['MPServerless db todos.find({owner})', () => mpServerless.db.collection('todos').find({ owner: user.username })],
    ['MPServerless db todos.updateOne({_id}, {$set: {done: true}})', () => mpServerless.db.collection('todos').updateOne({ _id: todoId }, { $set: { done: true } })],
    ['MPServerless function.invoke("echo")', () => mpServerless.function.invoke('echo', { hello: '世界' })],
    ['MPServerless file.uploadFile', async () => mpServerless.file.uploadFile({ filePath: await pickImage(), headers: { contentDisposition: 'inline' } })],
    ['(dev) seed a user in the emulator', async () => [null, await dev('POST', '/__admin/users', { username: user.username, password: user.password, phone: user.phone })]],
    ['Authing sendSms({channel: "CHANNEL_LOGIN"})', () => authing.sendSms({ phoneNumber: user.phone, channel: 'CHANNEL_LOGIN' })],
    ['Authing loginByPassCode (code read from the emulator inbox)', async () => {
      const inbox = await dev('GET', '/__admin/sms');
      const sms = inbox.find((m) => m.phone === user.phone);
      return authing.loginByPassCode({ passCodePayload: { phone: user.phone, passCode: sms && sms.code }, options: { scope: 'openid profile offline_access' } });
    }],
    ['Authing loginByPassword (RSA)', () => authing.loginByPassword({
      passwordPayload: { account: user.username, password: user.password },
      options: { passwordEncryptType: 'rsa', scope: 'openid profile offline_access' },
    })],
    ['Authing loginByPassword (SM2)', () => authing.loginByPassword({
      passwordPayload: { account: user.username, password: user.password },
      options: { passwordEncryptType: 'sm2', scope: 'openid profile offline_access' },
    })],
    ['Authing getLoginState', () => authing.getLoginState()],
    ['Authing getUserInfo', () => authing.getUserInfo()],
    ['Authing updateUserInfo({nickname})', () => authing.updateUserInfo({ nickname: '演示用户' })],
    ['Authing updateAvatar', () => authing.updateAvatar()],
    ['Authing refreshToken', () => authing.refreshToken()],
    ['Authing getPhone (code from the phone-number button stand-in)', async () => {
      const { code } = await dev('POST', '/__platform/wx/phone-code', { phoneNumber: user.phone });
      return authing.getPhone({ extIdpConnidentifier: config.authing.wechatIdentity, code });
    }],
    ['Authing updatePassword', () => authing.updatePassword({ oldPassword: user.password, newPassword: user.password + '!', passwordEncryptType: 'sm2' })],
    ['Authing logout', () => authing.logout()],
    ['Authing getLoginState (after logout: an error is expected)', async () => {
      const [error] = await authing.getLoginState();
      return error ? [null, { loggedOut: true, message: error.message }] : [{ message: 'still logged in after logout' }];
    }],
    ['Authing loginByCode (a fresh wx.login code)', () => authing.loginByCode({ extIdpConnidentifier: config.authing.wechatIdentity, wechatMiniProgramCodePayload: { encryptedData: '', iv: '' }, options: { scope: 'openid profile offline_access' } })],
    ['Authing logout', () => authing.logout()],
    ['Authing loginByPhone (code from the phone-number button stand-in)', async () => {
      const { code } = await dev('POST', '/__platform/wx/phone-code', { phoneNumber: user.phone });
      return authing.loginByPhone({ extIdpConnidentifier: config.authing.wechatIdentity, wechatMiniProgramCodeAndPhonePayload: { wxPhoneInfo: { code } }, options: { scope: 'openid profile offline_access' } });
    }],
    ['Authing sendEmailCode({channel: "CHANNEL_BIND_EMAIL"})', () => authing.sendEmailCode({ email: user.email, channel: 'CHANNEL_BIND_EMAIL' })],
    ['Authing bindEmail (code read from the emulator email inbox)', async () => {
      const inbox = await dev('GET', '/__admin/email');
      const mail = inbox.find((m) => m.email === user.email);
      return authing.bindEmail({ email: user.email, passCode: mail && mail.code });
    }],
    ['Authing getUserInfo (email bound)', async () => {
      const [error, info] = await authing.getUserInfo();
      if (error) return [error];
      return info.email === user.email ? [null, info] : [{ message: 'email not bound: ' + info.email }];
    }],
    ['Authing logout', () => authing.logout()],
  ];
}

/** Whether a step's result is a success: a tuple without error, or a response without failure. */
function succeeded(result) {
  if (Array.isArray(result)) return !result[0];
  return !!result && result.success !== false;
}

Page({
  data: { transcript: [] },
  steps,
  succeeded,
  async runAll() {
    const transcript = [];
    for (const [title, run] of steps()) {
      const t = Date.now();
      let result;
      try { result = await run(); } catch (e) { result = [e]; }
      transcript.push({ title, ok: succeeded(result), ms: Date.now() - t });
      this.setData({ transcript });
    }
  },
});
