'use strict';
// Node only (kept out of adapters.cjs, which is also bundled for Chromium).
const { PASSWORD } = require('./adapters.cjs');

/** Node only: OpenSSL through node:crypto, the native reference for RSA (not available in mini-programs). */
function nodeCryptoAdapter() {
  const crypto = require('node:crypto');
  const pad = { padding: crypto.constants.RSA_PKCS1_PADDING };
  const data = Buffer.from(PASSWORD, 'utf8');
  return {
    alg: 'rsa',
    prepared: (key) => { const k = crypto.createPublicKey(key.rsaPem); return () => crypto.publicEncrypt({ key: k, ...pad }, data).toString('base64'); },
    oneshot: (key) => () => crypto.publicEncrypt({ key: key.rsaPem, ...pad }, data).toString('base64'),
  };
}

module.exports = { nodeCryptoAdapter };
