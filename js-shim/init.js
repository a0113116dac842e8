// `init()` of the entries with the full core API (`miniapp-sdk`, `miniapp-sdk/auth`): the low-level
// Core, loaded and seeded from the host's secure random source (fails closed: NO_ENTROPY).
import { Core, isSeeded, seedEntropy } from 'miniapp-core-glue';
import { runtime } from './runtime.js';
import { hostFor } from './hosts/index.js';
import { sdkError, messageOf } from './errors.js';

/** Host bytes per seed: src/crypto/rng.rs `RESEED_BYTES`, which .ci/build.mjs reads into the define. */
/* global __MINIAPP_SEED_BYTES__ */
const SEED_BYTES = __MINIAPP_SEED_BYTES__;

/** The host's secure random bytes for the seed; rejects with NO_ENTROPY (fail closed). */
async function seedBytes(host) {
  if (!host || typeof host.getRandomValues !== 'function') {
    throw sdkError('NO_ENTROPY', 'this host has no secure random source (WeChat needs base library 2.15.0 for wx.getRandomValues, which plugins do not have; Alipay has none in the logic layer). The SDK refuses to run without one.');
  }
  try {
    const bytes = await host.getRandomValues(SEED_BYTES);
    return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  } catch (e) {
    throw sdkError('NO_ENTROPY', 'the secure random source failed: ' + messageOf(e));
  }
}

/**
 * Loads the SDK core for this platform and seeds it from the host's secure random source (a host
 * without one is refused). Options: `{wasmPath?, platform?, host?}`; `host` replaces the platform
 * adapter (see the Host interface). Resolves to `{core, host, platform}`.
 */
export async function init(options) {
  const o = options || {};
  let early = null;
  const onLoadStart = (h) => {
    early = seedBytes(h);
    early.catch(() => {}); // awaited below, unless the load fails first
  };
  const { host, platform } = await runtime({ host: o.host || hostFor(o.platform), wasmPath: o.wasmPath, onLoadStart });
  if (!isSeeded()) {
    const bytes = await (early || seedBytes(host));
    try {
      seedEntropy(bytes);
    } catch (e) {
      throw sdkError('NO_ENTROPY', messageOf(e));
    }
  }
  return { core: new Core(host), host, platform };
}
