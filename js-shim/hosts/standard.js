// Host adapter for standard JS runtimes: browsers (XMLHttpRequest, localStorage) and Node
// (http/https via process.getBuiltinModule, in-memory storage). No `fetch` and no static
// `require`, so the bundle stays loadable by mini-program npm builds.
import { cryptoRandom } from './callback.js';

function nodeBuiltin(name) {
  return typeof process !== 'undefined' && process && typeof process.getBuiltinModule === 'function'
    ? process.getBuiltinModule(name) : undefined;
}

/** The adapters' failure of a request that got no response: `request:fail <why>`. */
const requestFailure = (why) => new Error('request:fail ' + why);

function xhrRequest(req) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(req.method, req.url);
    x.timeout = req.timeout;
    for (const k of Object.keys(req.header || {})) x.setRequestHeader(k, req.header[k]);
    x.onload = () => {
      const header = {};
      for (const line of x.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const i = line.indexOf(':');
        if (i > 0) header[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ statusCode: x.status, data: x.responseText, header });
    };
    x.onerror = () => reject(requestFailure('network error'));
    x.ontimeout = () => reject(requestFailure('timeout'));
    x.send(req.data === undefined ? null : req.data);
  });
}

function nodeRequest(req) {
  return new Promise((resolve, reject) => {
    const url = new (nodeBuiltin('url').URL)(req.url);
    const mod = nodeBuiltin(url.protocol === 'https:' ? 'https' : 'http');
    const body = req.data === undefined ? undefined : Buffer.from(req.data, 'utf8');
    const headers = Object.assign({}, req.header);
    if (body) headers['content-length'] = String(body.length);
    const r = mod.request(url, { method: req.method, headers, timeout: req.timeout }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const header = {};
        for (const k of Object.keys(res.headers)) header[k] = String(res.headers[k]);
        resolve({ statusCode: res.statusCode, data: Buffer.concat(chunks).toString('utf8'), header });
      });
      res.on('error', (e) => reject(requestFailure(e.message)));
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', (e) => reject(requestFailure(e.message)));
    if (body) r.write(body);
    r.end();
  });
}

/** In-memory stand-in for localStorage (Node). */
function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => { m.set(k, v); }, removeItem: (k) => { m.delete(k); } };
}

/** Host storage over a localStorage-shaped object: values are kept as JSON text. */
function storageOf(ls) {
  return {
    getStorage: async (k) => { const v = ls.getItem(k); return v === null ? undefined : JSON.parse(v); },
    setStorage: async (k, v) => { ls.setItem(k, JSON.stringify(v)); },
    removeStorage: async (k) => { ls.removeItem(k); },
  };
}

export function standardHost(g) {
  const isBrowser = typeof g.XMLHttpRequest === 'function';
  const storage = storageOf(isBrowser && g.localStorage ? g.localStorage : memoryStorage());
  const host = Object.assign({ platform: isBrowser ? 'browser' : 'node', request: isBrowser ? xhrRequest : nodeRequest }, storage);
  if (isBrowser) {
    const c = g.crypto;
    if (c && typeof c.getRandomValues === 'function') host.getRandomValues = cryptoRandom(c);
  } else if ('crypto' in g) {
    // Node's `crypto` global is a lazy getter whose first read loads the Web Crypto modules
    // (~2.5 ms): read it at the first request for bytes (init()'s seed, an encryption), not when
    // the adapter is built, so a client that never encrypts never loads them.
    host.getRandomValues = (length) => cryptoRandom(g.crypto)(length);
  }
  return host;
}

/** Reads the bytes behind a file path (Node) or URL (browser). */
export function standardByteLoader(g) {
  if (typeof g.XMLHttpRequest === 'function') {
    return (url) => new Promise((resolve, reject) => {
      const x = new XMLHttpRequest();
      x.open('GET', url);
      x.responseType = 'arraybuffer';
      x.onload = () => (x.status >= 200 && x.status < 300 ? resolve(x.response) : reject(new Error('HTTP ' + x.status + ' loading ' + url)));
      x.onerror = () => reject(new Error('network error loading ' + url));
      x.send();
    });
  }
  const fs = nodeBuiltin('fs');
  if (fs) return async (path) => fs.readFileSync(path);
  return null;
}
