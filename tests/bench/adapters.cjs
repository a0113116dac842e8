'use strict';
// The JavaScript peers of the encrypt benchmark, behind one shape, for Node (required directly)
// and headless Chromium (bundled by esbuild into browser-bundle.js). Each adapter is a factory:
// calling it loads the library; `prepared()` / `oneshot()` return a synchronous encrypt function.
//   prepared: the public key is parsed once, only encrypt is timed
//   one-shot: parse + encrypt per call, which is what the Authing add-ons do on every login

const PASSWORD = 'P@ssw0rd-16bytes';

const ADAPTERS = {
  'sm-crypto': () => {
    const { sm2 } = require('sm-crypto');
    return { alg: 'sm2', prepared: null, oneshot: (key) => () => sm2.doEncrypt(PASSWORD, key.sm2Public, 1) };
  },
  'sm-crypto-v2': () => {
    const { sm2 } = require('sm-crypto-v2');
    return {
      alg: 'sm2',
      prepared: (key) => { const p = sm2.precomputePublicKey(key.sm2Public); return () => sm2.doEncrypt(PASSWORD, p, 1); },
      oneshot: (key) => () => sm2.doEncrypt(PASSWORD, key.sm2Public, 1),
    };
  },
  'gm-crypto': () => {
    const { SM2 } = require('gm-crypto');
    const opts = { mode: SM2.constants.C1C3C2, inputEncoding: 'utf8', outputEncoding: 'hex' };
    return { alg: 'sm2', prepared: null, oneshot: (key) => () => SM2.encrypt(PASSWORD, key.sm2Public, opts) };
  },
  jsencrypt: () => {
    const mod = require('jsencrypt');
    const JSEncrypt = mod.JSEncrypt || mod.default || mod;
    return {
      alg: 'rsa',
      prepared: (key) => { const e = new JSEncrypt(); e.setPublicKey(key.rsaPem); return () => e.encrypt(PASSWORD); },
      // As @authing/miniapp-jsencrypt's encryptFunction: a new instance and key per call.
      oneshot: (key) => () => { const e = new JSEncrypt({}); e.setPublicKey(key.rsaPem); return e.encrypt(PASSWORD); },
    };
  },
  'node-forge': () => {
    const forge = require('node-forge');
    const enc = (k) => forge.util.encode64(k.encrypt(forge.util.encodeUtf8(PASSWORD), 'RSAES-PKCS1-V1_5'));
    return {
      alg: 'rsa',
      prepared: (key) => { const k = forge.pki.publicKeyFromPem(key.rsaPem); return () => enc(k); },
      oneshot: (key) => () => enc(forge.pki.publicKeyFromPem(key.rsaPem)),
    };
  },
};

// Our key cache holds one entry keyed by the exact text; alternating two spellings of the same key
// (SM2 hex lower/upper case, RSA PEM with/without a trailing blank line) defeats it, which is what a
// one-off login costs. Call i of an "uncached" benchmark uses spelling i % 2.
const KEY_SPELLINGS = {
  sm2: (key, i) => (i & 1 ? key.sm2Public.toUpperCase() : key.sm2Public),
  rsa: (key, i) => (i & 1 ? key.rsaPem.trim() + '\n\n' : key.rsaPem),
};

module.exports = { ADAPTERS, PASSWORD, KEY_SPELLINGS };
