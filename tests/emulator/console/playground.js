// The playground: runs each method of both clients of the SDK's browser build (served by the
// emulator at /__console/sdk/) with an editable JSON argument, and shows every HTTP exchange the SDK
// made through this page's host (method, URL, headers with secrets shortened, body, status, answer).
import { h, api, pretty, showBody, redactHeaders, fmtTime, fmtSize } from './panels.js';

const SDK = '/__console/sdk/';
const PLATFORM_USER = 'console-user';
const STORAGE_PREFIX = 'miniapp-console:';
const MAX_CALLS = 25;
const PHONE = '13800000000';

/** Every runnable method: client, name, default argument (null: none), what it does. */
function methods(c) {
  const wechatIdp = (c && c.authing.wechatExtIdpConnidentifier) || 'dev-wechat';
  const scope = 'openid profile offline_access';
  return [
    { client: 'authing', name: 'getLoginState', arg: null, doc: 'the stored login state (refreshed shortly before it expires)' },
    { client: 'authing', name: 'loginByCode', arg: { extIdpConnidentifier: wechatIdp, wechatMiniProgramCodePayload: { encryptedData: '', iv: '' }, options: { scope } }, doc: 'signs in with a wx.login code (this page asks the emulator\'s WeChat stand-in for one)' },
    { client: 'authing', name: 'loginByPassword', arg: { passwordPayload: { account: 'alice', password: 'alice-password-1' }, options: { passwordEncryptType: 'sm2', scope, autoRegister: true } }, doc: 'passwordEncryptType none, rsa or sm2: the core encrypts with the key from /api/v3/system' },
    { client: 'authing', name: 'sendSms', arg: { phoneNumber: PHONE, channel: 'CHANNEL_LOGIN' }, doc: 'the code lands in the SMS inbox panel' },
    { client: 'authing', name: 'loginByPassCode', arg: { passCodePayload: { phone: PHONE, passCode: '$sms:' + PHONE }, options: { scope, autoRegister: true } }, doc: 'signs in with an SMS code ("use" in the inbox fills it in)' },
    { client: 'authing', name: 'refreshToken', arg: null, doc: 'rotates the refresh token (needs scope offline_access)' },
    { client: 'authing', name: 'getPhone', arg: { extIdpConnidentifier: wechatIdp, code: '$wx.phoneCode' }, doc: 'the phone number behind a getPhoneNumber button code' },
    { client: 'authing', name: 'updatePassword', arg: { oldPassword: 'alice-password-1', newPassword: 'alice-password-2', passwordEncryptType: 'sm2' }, doc: 'newPassword is encrypted, oldPassword sent as given' },
    { client: 'authing', name: 'getUserInfo', arg: { withCustomData: true, withIdentities: true }, doc: 'the signed-in user\'s profile' },
    { client: 'authing', name: 'updateUserInfo', arg: { nickname: 'Console user', customData: { plan: 'pro' } }, doc: 'whitelisted profile fields and customData' },
    { client: 'authing', name: 'logout', arg: null, doc: 'revokes the tokens and clears the stored state' },
    { client: 'authing', name: 'updateAvatar', arg: null, file: true, doc: 'uploads the image (chooseImage of this page\'s host) and sets it as the photo' },
    { client: 'mpserverless', name: 'user.authorize', arg: { authProvider: 'wechat_openapi' }, doc: '{authProvider: "wechat_openapi"} (a wx.login code from the stand-in) or {authType: "anonymous"}' },
    { client: 'mpserverless', name: 'user.getInfo', arg: null, doc: 'the gateway session\'s user' },
    { client: 'mpserverless', name: 'db', arg: { collection: 'todos', command: 'insertOne', args: [{ title: 'try the console', done: false }] }, doc: 'db.collection(collection)[command](...args): find, insertOne, updateOne, aggregate, …' },
    { client: 'mpserverless', name: 'function.invoke', arg: { name: 'echo', args: { hello: 'world' } }, doc: 'built-ins: echo hello whoami sum time fail' },
    { client: 'mpserverless', name: 'file.uploadFile', arg: { headers: { contentDisposition: 'inline' } }, file: true, doc: 'options as in 3.x (filePath is the chosen image)' },
    { client: 'mpserverless', name: 'file.info', arg: { fileIds: ['$lastFileId'] }, doc: 'metadata of uploaded files' },
    { client: 'mpserverless', name: 'file.deleteFile', arg: { fileId: '$lastFileId' }, doc: 'deletes uploaded files' },
  ];
}

// ---- HTTP through XMLHttpRequest, logged ----------------------------------------------------------

/** Loopback URLs of this emulator go to this page's origin (the OSS stand-in is addressed with https). */
export function mapUrl(url) {
  const m = /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/.*)?$/.exec(url);
  if (!m) return url;
  const port = m[2] ? m[2].slice(1) : '';
  if (port === location.port) return location.origin + (m[3] || '/');
  return url.replace(/^https:/, 'http:');
}

function xhr({ method, url, headers, body, timeout }) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, url);
    if (timeout) x.timeout = timeout;
    for (const k of Object.keys(headers || {})) {
      if (body instanceof FormData && k.toLowerCase() === 'content-type') continue; // the browser sets the boundary
      x.setRequestHeader(k, headers[k]);
    }
    x.onload = () => {
      const header = {};
      for (const line of x.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const i = line.indexOf(':');
        if (i > 0) header[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ statusCode: x.status, data: x.responseText, header });
    };
    x.onerror = () => reject(new Error('network error'));
    x.ontimeout = () => reject(new Error('timeout'));
    x.send(body === undefined ? null : body);
  });
}

/** A generated 64×64 PNG, used when no file is chosen. */
function samplePng() {
  const c = document.createElement('canvas');
  c.width = c.height = 64;
  const g = c.getContext('2d');
  const grad = g.createLinearGradient(0, 0, 64, 64);
  grad.addColorStop(0, '#2457c5');
  grad.addColorStop(1, '#22a06b');
  g.fillStyle = grad;
  g.fillRect(0, 0, 64, 64);
  g.fillStyle = '#fff';
  g.font = 'bold 22px sans-serif';
  g.textAlign = 'center';
  g.fillText('SDK', 32, 40);
  return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
}

/** `name: value` lines, secrets shortened. */
function headerLines(headers) {
  const r = redactHeaders(headers || {});
  const keys = Object.keys(r);
  return keys.length ? keys.map((k) => `${k}: ${r[k]}`).join('\n') : '(no headers)';
}

function callbacks(promise, o, name) {
  promise.then((res) => {
    if (o.success) o.success(res);
    if (o.complete) o.complete(res);
  }, (e) => {
    const err = { errMsg: name + ':fail ' + (e && e.message) };
    if (o.fail) o.fail(err);
    if (o.complete) o.complete(err);
  });
}

export class Playground {
  constructor(config, { onCallDone } = {}) {
    this.config = config;
    this.onCallDone = onCallDone || (() => {});
    this.methods = methods(config);
    this.selected = null;
    this.current = null;
    this.sdk = null;
    this.authing = null;
    this.mp = null;
    this.temps = new Map();
    this.tempSeq = 0;
    this.lastFileId = null;
    this.edited = new Map();
    this.seq = 0;
  }

  mount() {
    const $ = (s) => document.querySelector(s);
    this.el = { methods: $('#pg-methods'), title: $('#pg-title'), doc: $('#pg-doc'), arg: $('#pg-arg'), file: $('#pg-file'), fileInput: $('#pg-file-input'), fileHint: $('#pg-file-hint'), run: $('#pg-run'), status: $('#pg-status'), log: $('#pg-log'), sdk: $('#pg-sdk') };
    const groups = [['authing', 'Authing'], ['mpserverless', 'MPServerless']];
    this.el.methods.replaceChildren(...groups.map(([client, label]) => h('div', { class: 'group' }, h('span', null, label),
      this.methods.filter((m) => m.client === client).map((m) => h('button', { type: 'button', dataset: { method: m.name, client: m.client }, onclick: () => this.select(m) }, m.name)))));
    this.el.run.addEventListener('click', () => this.run());
    this.el.arg.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.run(); });
    this.el.arg.addEventListener('input', () => this.selected && this.edited.set(this.key(this.selected), this.el.arg.value));
    this.el.fileInput.addEventListener('change', () => {
      const f = this.el.fileInput.files[0];
      this.el.fileHint.textContent = f ? `${f.name}, ${fmtSize(f.size)}` : 'no file chosen: a generated 64×64 PNG is used';
    });
    document.querySelector('#pg-default').addEventListener('click', () => {
      if (!this.selected || this.running) return;
      this.edited.delete(this.key(this.selected));
      this.select(this.selected);
    });
    document.querySelector('#pg-clear').addEventListener('click', () => this.el.log.replaceChildren());
    document.querySelector('#pg-forget').addEventListener('click', () => this.forget());
    this.select(this.methods.find((m) => m.name === 'loginByPassword'));
    this.checkSdk();
  }

  key(m) { return m.client + '.' + m.name; }

  select(m) {
    if (this.running) return;
    this.selected = m;
    for (const b of this.el.methods.querySelectorAll('button')) b.classList.toggle('selected', b.dataset.method === m.name && b.dataset.client === m.client);
    this.el.title.textContent = `${m.client === 'authing' ? 'authing' : 'mpServerless'}.${m.name === 'db' ? 'db.collection(…)[command]' : m.name}(${m.arg === null ? '' : 'arg'})`;
    this.el.doc.textContent = m.doc;
    const edited = this.edited.get(this.key(m));
    this.el.arg.disabled = m.arg === null;
    this.el.arg.value = m.arg === null ? '(no argument)' : edited !== undefined ? edited : JSON.stringify(m.arg, null, 2);
    this.el.arg.rows = Math.max(3, Math.min(15, this.el.arg.value.split('\n').length + 1));
    this.el.file.hidden = !m.file;
  }

  /** Fills loginByPassCode with an SMS from the inbox. */
  usePassCode(sms) {
    const m = this.methods.find((x) => x.name === 'loginByPassCode');
    const arg = { passCodePayload: { phone: sms.phone, passCode: sms.code }, options: { scope: 'openid profile offline_access', autoRegister: true } };
    if (sms.phoneCountryCode && sms.phoneCountryCode !== '+86') arg.passCodePayload.phoneCountryCode = sms.phoneCountryCode;
    this.edited.set(this.key(m), JSON.stringify(arg, null, 2));
    this.select(m);
  }

  async checkSdk() {
    try {
      const s = await api('GET', SDK);
      this.sdkStatus = s;
    } catch (e) {
      this.sdkStatus = { available: false };
      this.el.sdk.hidden = false;
      this.el.sdk.replaceChildren(h('b', null, 'Build the package first: '), h('code', null, 'npm run build'),
        ' (or ', h('code', null, 'node .ci/build.mjs'), ') in the workspace, then reload. ',
        h('span', { class: 'hint' }, 'The emulator serves the built pkg/ directory here (flag --sdk-dir).'));
      this.el.run.disabled = true;
    }
  }

  /** Drops the clients and the SDK's stored login state. */
  forget() {
    for (const k of Object.keys(localStorage)) if (k.startsWith(STORAGE_PREFIX)) localStorage.removeItem(k);
    this.authing = null;
    this.mp = null;
    this.lastFileId = null;
    this.el.status.textContent = 'new clients: login state cleared';
  }

  // ---- host -----------------------------------------------------------------------------------

  /** Records one exchange in the running call. */
  async exchange(entry, send) {
    const ex = Object.assign({ started: performance.now() }, entry);
    const call = this.current;
    if (call) call.exchanges.push(ex);
    try {
      const res = await send();
      ex.status = res.statusCode;
      ex.resHeaders = res.header;
      ex.resBody = res.data;
      return res;
    } catch (e) {
      ex.error = e && e.message;
      throw e;
    } finally {
      ex.ms = Math.round(performance.now() - ex.started);
      if (call) this.renderCall(call);
    }
  }

  request(req) {
    const url = mapUrl(req.url);
    return this.exchange({ method: req.method || 'GET', url, reqHeaders: req.header, reqBody: req.data },
      () => xhr({ method: req.method || 'GET', url, headers: req.header, body: req.data === undefined || req.data === null ? undefined : (typeof req.data === 'string' ? req.data : JSON.stringify(req.data)), timeout: req.timeout }));
  }

  upload(req) {
    const t = this.temps.get(req.filePath);
    if (!t) return Promise.reject(new Error('unknown filePath ' + req.filePath));
    const url = mapUrl(req.url);
    const form = new FormData();
    const fields = Object.assign({}, req.formData);
    for (const k of Object.keys(fields)) form.append(k, fields[k]);
    const fileName = req.filePath.split('/').pop();
    form.append(req.name || 'file', t.blob, fileName);
    const shown = Object.assign({}, fields, { [req.name || 'file']: `(file ${fileName}, ${t.blob.type || 'application/octet-stream'}, ${t.blob.size} bytes)` });
    return this.exchange({ method: 'POST', url, reqHeaders: Object.assign({ 'content-type': 'multipart/form-data' }, req.header), reqBody: shown, multipart: true },
      () => xhr({ method: 'POST', url, headers: req.header, body: form, timeout: req.timeout }));
  }

  /** wx.login as the emulator's WeChat stand-in answers it (logged as a host exchange). */
  platformLogin() {
    const body = JSON.stringify({ user: PLATFORM_USER });
    return this.exchange({ method: 'POST', url: location.origin + '/__platform/wx/login', reqHeaders: { 'content-type': 'application/json' }, reqBody: body, host: 'wx.login stand-in' },
      () => xhr({ method: 'POST', url: '/__platform/wx/login', headers: { 'content-type': 'application/json' }, body }))
      .then((res) => {
        const code = JSON.parse(res.data).code;
        if (!code) throw new Error('the stand-in returned no code');
        return code;
      });
  }

  async pickImage() {
    const f = this.el.fileInput.files[0];
    const blob = f || await samplePng();
    const ext = ((f && /\.([A-Za-z0-9]{1,8})$/.exec(f.name)) || [])[1] || (blob.type.split('/')[1] || 'png');
    const path = `wxfile://tmp_console_${++this.tempSeq}.${ext.toLowerCase()}`;
    this.temps.set(path, { blob, name: f ? f.name : 'sample.png' });
    return path;
  }

  host() {
    const self = this;
    return {
      platform: 'browser',
      request: (req) => self.request(req),
      uploadFile: (req) => self.upload(req),
      login: () => self.platformLogin(),
      chooseImage: () => self.pickImage(),
      getStorage: async (k) => { const v = localStorage.getItem(STORAGE_PREFIX + k); return v === null ? undefined : JSON.parse(v); },
      setStorage: async (k, v) => { localStorage.setItem(STORAGE_PREFIX + k, JSON.stringify(v)); },
      removeStorage: async (k) => { localStorage.removeItem(STORAGE_PREFIX + k); },
      getRandomValues: async (n) => {
        const out = new Uint8Array(n);
        for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
        return out;
      },
    };
  }

  /** The mini-program platform functions MPServerless takes (wx shape, callback style). */
  platformApi() {
    const self = this;
    return {
      request(o) { callbacks(self.request({ url: o.url, method: o.method, header: o.header || o.headers, data: o.data, timeout: o.timeout }), o, 'request'); },
      uploadFile(o) { callbacks(self.upload({ url: o.url, filePath: o.filePath, name: o.name, formData: o.formData, header: o.header, timeout: o.timeout }), o, 'uploadFile'); },
      login(o) { callbacks(self.platformLogin().then((code) => ({ code, errMsg: 'login:ok' })), o, 'login'); },
      getFileInfo(o) {
        const t = self.temps.get(o.filePath);
        callbacks(t ? Promise.resolve({ size: t.blob.size, errMsg: 'getFileInfo:ok' }) : Promise.reject(new Error('no such file')), o, 'getFileInfo');
      },
      getImageInfo(o) {
        const t = self.temps.get(o.src);
        const type = t && /^image\//.test(t.blob.type) ? t.blob.type.slice(6).replace('jpeg', 'jpg') : null;
        callbacks(type ? Promise.resolve({ type, errMsg: 'getImageInfo:ok' }) : Promise.reject(new Error('not an image')), o, 'getImageInfo');
      },
    };
  }

  async clients() {
    if (!this.sdk) {
      this.sdk = await import(SDK + 'index.mjs');
      this.sdk.configure({ wasmPath: SDK + 'core.wasm' });
    }
    const c = this.config;
    if (!this.authing) {
      this.authing = new this.sdk.Authing({
        appId: c.authing.appId, userPoolId: c.authing.userPoolId, host: location.origin, platform: 'wx',
        adapter: this.host(), wasmPath: SDK + 'core.wasm',
      });
    }
    if (!this.mp) {
      this.mp = new this.sdk.MPServerless(this.platformApi(), {
        appId: c.authing.wxAppId || 'console', spaceId: c.mpserverless.spaceId, clientSecret: c.mpserverless.clientSecret,
        endpoint: location.origin, wasmPath: SDK + 'core.wasm',
      });
    }
    return { authing: this.authing, mp: this.mp };
  }

  async resolve(v) {
    if (typeof v === 'string') {
      if (v === '$wx.phoneCode') return (await api('POST', '/__platform/wx/phone-code', { user: PLATFORM_USER })).code;
      if (v === '$lastFileId') {
        if (!this.lastFileId) throw new Error('$lastFileId: no file uploaded yet (run file.uploadFile first)');
        return this.lastFileId;
      }
      const m = /^\$sms:(\d{5,20})$/.exec(v);
      if (m) {
        const sms = (await api('GET', '/__admin/sms?phone=' + m[1])).find((x) => !x.used);
        if (!sms) throw new Error(`${v}: no unused SMS for ${m[1]} (run sendSms first)`);
        return sms.code;
      }
      return v;
    }
    if (Array.isArray(v)) return Promise.all(v.map((x) => this.resolve(x)));
    if (v && typeof v === 'object') {
      const out = {};
      for (const k of Object.keys(v)) out[k] = await this.resolve(v[k]);
      return out;
    }
    return v;
  }

  async invoke(m, arg) {
    const { authing, mp } = await this.clients();
    if (m.client === 'authing') {
      const tuple = m.arg === null ? await authing[m.name]() : await authing[m.name](arg);
      return { ok: Array.isArray(tuple) && !tuple[0], value: tuple };
    }
    let value;
    switch (m.name) {
      case 'user.authorize': value = await mp.user.authorize(arg); break;
      case 'user.getInfo': value = await mp.user.getInfo(); break;
      case 'db': {
        if (!arg || typeof arg.collection !== 'string' || typeof arg.command !== 'string') throw new Error('db needs {collection, command, args: [...]}');
        const coll = mp.db.collection(arg.collection);
        if (typeof coll[arg.command] !== 'function') throw new Error('unknown db command ' + arg.command);
        value = await coll[arg.command](...(Array.isArray(arg.args) ? arg.args : []));
        break;
      }
      case 'function.invoke': value = await mp.function.invoke(arg && arg.name, arg && arg.args); break;
      case 'file.uploadFile': {
        value = await mp.file.uploadFile(Object.assign({}, arg, { filePath: await this.pickImage() }));
        const id = value && (value.fileId || value.id || (value.result && (value.result.fileId || value.result.id)));
        if (id) this.lastFileId = id;
        break;
      }
      case 'file.info': value = await mp.file.info(arg && arg.fileIds, arg && arg.options); break;
      case 'file.deleteFile': value = await mp.file.deleteFile(arg && arg.fileId); break;
      default: throw new Error('unknown method ' + m.name);
    }
    return { ok: !(value && value.success === false), value };
  }

  async run() {
    const m = this.selected;
    if (!m || this.running) return;
    let arg;
    if (m.arg !== null) {
      try {
        arg = JSON.parse(this.el.arg.value);
      } catch (e) {
        this.el.status.textContent = 'the argument is not valid JSON: ' + e.message;
        return;
      }
    }
    this.running = true;
    this.el.run.disabled = true;
    this.el.status.textContent = 'running…';
    const call = { seq: ++this.seq, method: m.name, client: m.client, started: performance.now(), at: new Date().toISOString(), exchanges: [], status: 'running' };
    this.current = call;
    this.renderCall(call);
    try {
      if (arg !== undefined) arg = await this.resolve(arg);
      call.arg = arg;
      const r = await this.invoke(m, arg);
      call.status = r.ok ? 'ok' : 'err';
      call.result = r.value;
    } catch (e) {
      call.status = 'err';
      call.result = e && typeof e === 'object'
        ? Object.assign({ name: e.name, message: e.message }, e.code ? { code: e.code } : {}, e.type ? { type: e.type } : {}, e.statusCode ? { statusCode: e.statusCode } : {})
        : { message: String(e) };
    } finally {
      call.ms = Math.round(performance.now() - call.started);
      this.current = null;
      this.running = false;
      this.el.run.disabled = false;
      this.el.status.textContent = `${m.name}: ${call.status === 'ok' ? 'ok' : 'failed'} in ${call.ms} ms, ${call.exchanges.length} HTTP exchange${call.exchanges.length === 1 ? '' : 's'}`;
      this.renderCall(call);
      this.onCallDone(call);
    }
  }

  renderExchange(ex) {
    const path = ex.url.startsWith(location.origin) ? ex.url.slice(location.origin.length) : ex.url;
    const st = ex.error ? h('span', { class: 'st err' }, ex.error) : ex.status === undefined ? h('span', { class: 'st' }, '…') : h('span', { class: 'st' + (ex.status >= 400 ? ' err' : '') }, String(ex.status));
    return h('details', { class: 'exchange', dataset: { url: path, status: ex.status ?? '' } },
      h('summary', null, h('span', { class: 'm' }, ex.method), ' ', path, ' ', st, ex.ms !== undefined ? ` ${ex.ms} ms` : '', ex.host ? h('span', { class: 'hint' }, ` (${ex.host})`) : null),
      h('div', { class: 'io' },
        h('div', { class: 'req' }, h('h4', null, 'Request'), h('pre', { class: 'headers' }, headerLines(ex.reqHeaders)), h('pre', { class: 'req-body' }, showBody(ex.reqBody))),
        h('div', { class: 'res' }, h('h4', null, 'Response'), h('pre', { class: 'headers' }, ex.resHeaders ? headerLines(ex.resHeaders) : '—'), h('pre', { class: 'res-body' }, ex.error ? ex.error : showBody(ex.resBody)))));
  }

  renderCall(call) {
    const label = (call.client === 'authing' ? 'authing.' : 'mpServerless.') + call.method;
    const badge = call.status === 'running' ? h('span', { class: 'badge muted' }, 'running') : h('span', { class: 'badge' + (call.status === 'ok' ? '' : ' err') }, call.status === 'ok' ? 'ok' : 'error');
    const el = h('article', { class: 'call ' + call.status, dataset: { seq: call.seq, method: call.method, client: call.client, status: call.status } },
      h('header', null, h('b', null, label), badge, call.ms !== undefined ? h('span', { class: 'ms' }, `${call.ms} ms`) : null, h('time', { datetime: call.at }, fmtTime(call.at)),
        h('span', { class: 'hint' }, `${call.exchanges.length} HTTP`)),
      call.arg !== undefined ? h('details', null, h('summary', null, 'Argument'), h('pre', null, pretty(call.arg))) : null,
      h('div', { class: 'exchanges' }, call.exchanges.map((ex) => this.renderExchange(ex))),
      call.result !== undefined ? h('details', { open: true, class: 'result' }, h('summary', null, 'Result'), h('pre', { class: 'result-body' }, pretty(call.result))) : null);
    if (call.el && call.el.isConnected) {
      // keep the exchanges the user opened
      const open = new Set([...call.el.querySelectorAll('details.exchange[open]')].map((d) => [...d.parentNode.children].indexOf(d)));
      [...el.querySelectorAll('details.exchange')].forEach((d, i) => { if (open.has(i)) d.open = true; });
      call.el.replaceWith(el);
    } else {
      // only the newest call shows its result open
      for (const d of this.el.log.querySelectorAll('details.result[open]')) d.open = false;
      this.el.log.prepend(el);
      while (this.el.log.children.length > MAX_CALLS) this.el.log.lastChild.remove();
    }
    call.el = el;
  }
}
