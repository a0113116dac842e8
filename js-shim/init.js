// `init()` of the entries with the full core API (`miniapp-sdk`, `miniapp-sdk/auth`): the low-level
// Core, loaded and seeded from the host's secure random source.
import { Core, isSeeded, seedBytes, seedEntropy } from 'miniapp-core-glue';
import { runtime } from './runtime.js';
import { hostFor } from './hosts/index.js';
import { sdkError, messageOf } from './errors.js';

/** Seeds the core's random generator from `host`. Fails closed (NO_ENTROPY): crypto never runs on a weak or missing source. */
async function seed(host) {
  if (!host || typeof host.getRandomValues !== 'function') {
    throw sdkError('NO_ENTROPY', 'this host has no secure random source (WeChat needs base library 2.15.0 for wx.getRandomValues, which plugins do not have; Alipay has none in the logic layer). The SDK refuses to run without one.');
  }
  let bytes;
  try {
    bytes = await host.getRandomValues(seedBytes());
  } catch (e) {
    throw sdkError('NO_ENTROPY', 'the secure random source failed: ' + messageOf(e));
  }
  try {
    seedEntropy(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  } catch (e) {
    throw sdkError('NO_ENTROPY', messageOf(e));
  }
}

/**
 * Loads the SDK core for this platform and seeds it from the host's secure random source (a host
 * without one is refused). Options: `{wasmPath?, platform?, host?}`; `host` replaces the platform
 * adapter (see the Host interface). Resolves to `{core, host, platform}`.
 */
export async function init(options) {
  const o = options || {};
  const { host, platform } = await runtime({ host: o.host || hostFor(o.platform), wasmPath: o.wasmPath });
  if (!isSeeded()) await seed(host);
  return { core: new Core(host), host, platform };
}
