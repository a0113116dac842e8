// Panels of the console (users, SMS and email inboxes, files, sessions, collections) and the small DOM and
// formatting helpers the playground shares. Every value from the server is inserted as text,
// never as HTML.

/** `h('div', {class: 'x', onclick}, child, 'text', …)`: an element with attributes and children. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** JSON from the emulator; throws with the server's message on HTTP ≥ 400. */
export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
  if (!res.ok) {
    const msg = json && json.error && json.error.message ? json.error.message : `HTTP ${res.status}`;
    throw Object.assign(new Error(msg), { status: res.status, body: json });
  }
  return json;
}

const pad = (n) => String(n).padStart(2, '0');
/** `HH:MM:SS` (local time) of an ISO date. */
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
/** `12 s ago`, `in 4 min`. */
export function fmtRelative(iso) {
  if (!iso) return '';
  const s = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  const a = Math.abs(s);
  if (a < 3) return 'just now';
  const t = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86400 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return s < 0 ? `${t} ago` : `in ${t}`;
}
export function fmtSize(n) {
  if (typeof n !== 'number') return '';
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
}
const short = (id) => (typeof id === 'string' && id.length > 10 ? id.slice(0, 8) + '…' : id || '');

// ---- redaction (the playground shows what the SDK sent; secrets are shortened) ------------------

const SECRET_KEY = /(^|[_-])token$|Token$|^token$|secret|authorization|cookie|signature$/i;
const PASSWORD_KEY = /^(password|oldPassword|newPassword)$/i;
// One-time codes (SMS pass codes, wx.login / my.getAuthCode codes, OAuth codes). A value without a
// digit is an error code ("InvalidParameter", "DatabaseError.DuplicateKey"), shown as it is.
const CODE_KEY = /^(code|passCode|authCode|phoneCode|verifyCode)$/i;

export function redactValue(v) {
  if (typeof v !== 'string') return v;
  if (v.length <= 12) return '…(redacted)';
  return v.slice(0, 10) + '…(redacted, ' + v.length + ' chars)';
}

/** A copy of `v` with token-like values shortened and plaintext passwords hidden. */
export function redactDeep(v, key) {
  if (key !== undefined && typeof v === 'string') {
    if (SECRET_KEY.test(key)) return redactValue(v);
    // Ciphertexts (RSA/SM2) are long: show them; a short value is a plaintext password.
    if (PASSWORD_KEY.test(key) && v.length < 64) return '••••••';
    if (CODE_KEY.test(key) && /\d/.test(v)) return redactValue(v);
  }
  if (Array.isArray(v)) return v.map((x) => redactDeep(x));
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = redactDeep(v[k], k);
    return out;
  }
  return v;
}

/** Headers with authorization and token values shortened. */
export function redactHeaders(headers) {
  const out = {};
  for (const k of Object.keys(headers || {})) out[k] = SECRET_KEY.test(k) ? redactValue(String(headers[k])) : headers[k];
  return out;
}

/** A request or response body for display: JSON pretty-printed, forms decoded, secrets redacted. */
export function showBody(body) {
  if (body === undefined || body === null || body === '') return '(empty)';
  if (typeof body !== 'string') return JSON.stringify(redactDeep(body), null, 2);
  const t = body.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try { return JSON.stringify(redactDeep(JSON.parse(t)), null, 2); } catch { /* not JSON */ }
  }
  if (/^[\w.%-]+=[^&]*(&[\w.%-]+=[^&]*)*$/.test(t)) {
    const form = {};
    for (const [k, v] of new URLSearchParams(t)) form[k] = v;
    return 'form: ' + JSON.stringify(redactDeep(form), null, 2);
  }
  return t.length > 4000 ? t.slice(0, 4000) + '…' : t;
}

export const pretty = (v) => JSON.stringify(redactDeep(v), null, 2);

// ---- panels ---------------------------------------------------------------------------------------

/** Keys of `<details>` the user opened, kept across re-renders. */
const openDetails = new Set();
function keptDetails(key, summary, ...body) {
  const d = h('details', { open: openDetails.has(key) }, h('summary', null, summary), ...body);
  d.addEventListener('toggle', () => (d.open ? openDetails.add(key) : openDetails.delete(key)));
  return d;
}

const sameOriginLoopback = (url) => /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url || '') || (url || '').startsWith('/');

function avatar(u, label) {
  // Only images the emulator serves: the default Authing avatar is on the Internet (offline page).
  if (u.photo && sameOriginLoopback(u.photo)) return h('div', { class: 'avatar' }, h('img', { src: u.photo, alt: '' }));
  return h('div', { class: 'avatar' }, (label || '?').slice(0, 1).toUpperCase());
}

function loginLine(e) {
  const method = e.connection + (e.detail ? ` (${e.detail})` : '');
  return h('li', { class: 'login ' + (e.success ? 'ok' : 'fail'), title: e.at },
    h('span', { class: 'mark' }, e.success ? '✔' : '✘'),
    h('span', { class: 'mono' }, fmtTime(e.at)),
    h('span', { class: 'method' }, method),
    e.account ? h('span', { class: 'hint' }, e.account) : null,
    !e.success && e.message ? h('span', { class: 'msg' }, '— ' + e.message) : null);
}

export function renderUsers(root, users) {
  if (!users.length) return [h('p', { class: 'empty' }, 'No users yet: seed one (POST /__admin/users) or sign in with autoRegister.')];
  return users.slice().reverse().map((u) => {
    const label = u.username || u.phone || u.email || u.userId;
    const contact = [u.username && u.phone ? u.phone : null, u.email && u.email !== label ? u.email : null].filter(Boolean);
    const history = u.loginHistory || [];
    const ids = (u.identities || []).map((i) => `${i.provider} ${i.extIdpId} ${short(i.userIdInIdp)}`);
    return h('div', { class: 'user', dataset: { user: label, userId: u.userId } },
      avatar(u, label),
      h('div', null,
        h('div', null,
          h('span', { class: 'name' }, label), ' ',
          u.nickname ? h('span', { class: 'hint' }, `“${u.nickname}” `) : null,
          contact.length ? h('span', { class: 'meta' }, contact.join(' · ') + ' ') : null,
          h('span', { class: 'meta mono', title: u.userId }, short(u.userId))),
        h('div', { class: 'meta' },
          `${u.loginsCount || 0} login${u.loginsCount === 1 ? '' : 's'}`,
          u.lastLogin ? ` · last ${fmtTime(u.lastLogin)} (${fmtRelative(u.lastLogin)})` : '',
          u.hasPassword ? ' · password' : '',
          ` · created ${fmtTime(u.createdAt)}`),
        ids.length ? h('div', { class: 'ids' }, 'identities: ', ids.join(', ')) : null,
        history.length ? h('ul', { class: 'logins' }, history.slice(0, 3).map(loginLine)) : null,
        history.length > 3 ? keptDetails('hist:' + u.userId, `${history.length - 3} earlier`, h('ul', { class: 'logins' }, history.slice(3).map(loginLine))) : null,
        Object.keys(u.customData || {}).length ? h('div', { class: 'meta mono' }, 'customData ' + JSON.stringify(u.customData)) : null));
  });
}

function codeStatus(m) {
  if (m.used) return 'used';
  return new Date(m.expiresAt).getTime() <= Date.now() ? 'expired' : 'active';
}

/** An inbox of pass codes (SMS or email), newest first; `use` offers a login with an active login code. */
function inboxTable(inbox, { to, recipient, dataset, onUse }) {
  return h('table', null,
    h('thead', null, h('tr', null, [to, 'channel', 'code', 'sent', 'status', ''].map((t) => h('th', null, t)))),
    h('tbody', null, inbox.slice(0, 20).map((m) => {
      const st = codeStatus(m);
      return h('tr', { dataset: { ...dataset(m), channel: m.channel } },
        h('td', { class: 'mono' }, recipient(m)),
        h('td', { class: 'mono' }, m.channel.replace(/^CHANNEL_/, '')),
        h('td', null, h('code', { class: 'sms-code' }, m.code)),
        h('td', { title: m.sentAt }, fmtTime(m.sentAt)),
        h('td', null, h('span', { class: 'tag ' + st }, st)),
        h('td', null, onUse && st === 'active' && m.channel === 'CHANNEL_LOGIN'
          ? h('button', { type: 'button', class: 'link', title: 'loginByPassCode with this code', onclick: () => onUse(m) }, 'use')
          : null));
    })));
}

export function renderSms(root, inbox, onUse) {
  if (!inbox.length) return [h('p', { class: 'empty' }, 'No SMS sent yet: run sendSms in the playground.')];
  return [inboxTable(inbox, { to: 'phone', recipient: (m) => `${m.phoneCountryCode || ''} ${m.phone}`, dataset: (m) => ({ phone: m.phone }), onUse })];
}

/** The email inbox (`/__admin/email`): codes of sendEmailCode, for bindEmail, updateEmail, email sign-in. */
export function renderEmail(root, inbox) {
  if (!inbox.length) return [h('p', { class: 'empty' }, 'No email sent yet: sendEmailCode (POST /api/v3/send-email) puts its codes here.')];
  return [inboxTable(inbox, { to: 'email', recipient: (m) => m.email, dataset: (m) => ({ email: m.email }) })];
}

export function renderFiles(root, files) {
  const cards = [];
  for (const f of files.uploads || []) {
    cards.push({ source: 'authing', name: f.key, url: f.url, type: f.contentType, size: f.size, at: f.createdAt, status: 'uploaded' });
  }
  for (const f of files.serverless || []) {
    cards.push({ source: 'mpserverless', name: f.ossPath, url: f.url, type: f.contentType, size: f.size ?? f.declaredSize, at: f.uploadedAt || f.createdAt, status: f.status, id: f.id });
  }
  cards.sort((a, b) => String(b.at).localeCompare(String(a.at)));
  if (!cards.length) return [h('p', { class: 'empty' }, 'No files: run updateAvatar or file.uploadFile in the playground.')];
  return [h('div', { class: 'files' }, cards.map((c) => h('div', { class: 'file', dataset: { source: c.source, key: c.name }, title: c.name },
    h('div', { class: 'thumb' }, c.url && /^image\//.test(c.type || '')
      ? h('img', { src: c.url, alt: c.name, loading: 'lazy' })
      : h('span', { class: 'hint' }, c.status === 'pending' ? 'pending' : (c.type || 'file'))),
    h('div', { class: 'cap' }, c.url ? h('a', { href: c.url, target: '_blank', rel: 'noopener' }, c.name.split('/').pop()) : c.name.split('/').pop()),
    h('div', { class: 'hint' }, `${c.source} · ${fmtSize(c.size)} · ${fmtTime(c.at)}`))))];
}

function tokenTable(title, rows, cols) {
  if (!rows.length) return [h('h3', null, title + ' (0)')];
  const counts = {};
  for (const r of rows) counts[r.status] = (counts[r.status] || 0) + 1;
  const summary = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
  return [h('h3', null, `${title} (${summary})`), h('table', null,
    h('thead', null, h('tr', null, cols.map(([label]) => h('th', null, label)))),
    h('tbody', null, rows.slice(0, 8).map((r) => h('tr', null, cols.map(([, f]) => h('td', { class: 'mono' }, f(r)))))))];
}

const statusTag = (r) => h('span', { class: 'tag ' + r.status }, r.status);

export function renderSessions(root, s) {
  const a = s.authing || {};
  return [
    ...tokenTable('Authing access tokens', a.accessTokens || [], [['jti', (r) => r.id], ['user', (r) => short(r.userId)], ['expires', (r) => fmtRelative(r.expiresAt)], ['', statusTag]]),
    ...tokenTable('Authing refresh tokens', a.refreshTokens || [], [['hash', (r) => r.id], ['family', (r) => r.family], ['user', (r) => short(r.userId)], ['created', (r) => fmtTime(r.createdAt)], ['', statusTag]]),
    ...tokenTable('MPServerless sessions', s.serverless || [], [['hash', (r) => r.id], ['user', (r) => short(r.userId)], ['auth', (r) => r.authType], ['expires', (r) => fmtRelative(r.expiresAt)], ['', statusTag]]),
    h('p', { class: 'hint' }, 'Tokens are shown by a prefix of their id or SHA-256 hash only; the emulator stores no refresh token or session token in clear.'),
  ];
}

export function renderCollections(root, list, selected, docs, onSelect) {
  const out = [h('div', { class: 'colls' }, list.map((c) => h('button', {
    type: 'button', class: c.name === selected ? 'selected' : null, dataset: { collection: c.name }, onclick: () => onSelect(c.name),
  }, `${c.name} (${c.count})`)))];
  if (!selected) out.push(h('p', { class: 'hint' }, 'Pick a collection to see its newest documents.'));
  else if (docs) {
    if (!docs.documents.length) out.push(h('p', { class: 'empty' }, `${selected} is empty.`));
    else {
      out.push(h('p', { class: 'hint' }, `${docs.total} document${docs.total === 1 ? '' : 's'}, newest first${docs.total > docs.documents.length ? ` (first ${docs.documents.length})` : ''}`));
      for (const d of docs.documents) out.push(h('pre', { class: 'doc' }, JSON.stringify(d, null, 2)));
    }
  }
  return out;
}
