'use strict';
// WebAssembly engine feature gates, implemented with wabt (npm `wabt`, 1.0.39). Used by the
// simulated WXWebAssembly engine and by the build-gate tests.
//
//   mvp    = Wasm 1.0 + mutable-globals: what iOS WeChat's engine is assumed to accept (reference §1.3).
//   modern = wabt's defaults (mutable-globals, sat-float-to-int, sign-ext, SIMD, multi-value,
//            bulk-memory, reference-types): a current V8 such as Android WeChat.
const crypto = require('node:crypto');
const path = require('node:path');

let wabtPromise = null;
function wabt() {
  if (!wabtPromise) {
    const load = require(require.resolve('wabt', { paths: [path.resolve(__dirname, '..', '..')] }));
    wabtPromise = load();
  }
  return wabtPromise;
}

// Every feature flag wabt 1.0.39 knows; each profile sets all of them explicitly, because wabt's own
// defaults enable several post-MVP features.
const ALL_FEATURES = [
  'exceptions', 'mutable_globals', 'sat_float_to_int', 'sign_extension', 'simd', 'threads', 'function_references',
  'multi_value', 'tail_call', 'bulk_memory', 'reference_types', 'annotations', 'code_metadata', 'gc', 'memory64',
  'multi_memory', 'extended_const', 'relaxed_simd',
];

function profileOf(enabled) {
  const f = {};
  for (const k of ALL_FEATURES) f[k] = enabled.includes(k);
  return Object.freeze(f);
}

const FEATURE_PROFILES = Object.freeze({
  mvp: profileOf(['mutable_globals']),
  modern: profileOf(['mutable_globals', 'sat_float_to_int', 'sign_extension', 'simd', 'multi_value', 'bulk_memory', 'reference_types']),
});

/** Resolves a profile name or an explicit feature object to a complete wabt feature object. */
function featuresOf(profile) {
  if (typeof profile === 'string') {
    const f = FEATURE_PROFILES[profile];
    if (!f) throw new Error(`unknown wasm feature profile "${profile}" (expected ${Object.keys(FEATURE_PROFILES).join(', ')})`);
    return f;
  }
  return profileOf(ALL_FEATURES.filter((k) => profile && profile[k]));
}

const cache = new Map();

/**
 * Reads and validates `bytes` with only the features of `profile` enabled.
 * Resolves `{ok: true}` or `{ok: false, error: '<wabt diagnostics>'}`; never rejects on invalid input.
 */
async function validateWasm(bytes, profile = 'mvp') {
  const features = featuresOf(profile);
  // An exact-length copy: wabt reads the whole underlying ArrayBuffer of a view (a pooled Buffer
  // would hand it unrelated bytes).
  const buf = new Uint8Array(bytes.byteLength);
  buf.set(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  const key = crypto.createHash('sha256').update(buf).update(JSON.stringify(features)).digest('hex');
  if (cache.has(key)) return cache.get(key);
  const w = await wabt();
  let result;
  let mod = null;
  try {
    mod = w.readWasm(buf, { readDebugNames: false, check: true, ...features });
    mod.validate();
    result = { ok: true };
  } catch (e) {
    result = { ok: false, error: String(e && e.message ? e.message : e) };
  } finally {
    if (mod) mod.destroy();
  }
  cache.set(key, result);
  return result;
}

/** Names of the features that are individually required: each one, disabled alone from `modern`, fails validation. */
async function requiredFeatures(bytes) {
  const out = [];
  const base = FEATURE_PROFILES.modern;
  for (const k of ALL_FEATURES.filter((f) => base[f] && f !== 'mutable_globals')) {
    const r = await validateWasm(bytes, { ...base, [k]: false });
    if (!r.ok) out.push(k);
  }
  return out;
}

/** Assembles WebAssembly text (all features enabled) to a binary Buffer: for small test modules. */
async function watToWasm(text) {
  const w = await wabt();
  const mod = w.parseWat('test.wat', text, featuresOf('modern'));
  try {
    mod.resolveNames();
    mod.validate();
    return Buffer.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

module.exports = { ALL_FEATURES, FEATURE_PROFILES, featuresOf, validateWasm, requiredFeatures, watToWasm };
