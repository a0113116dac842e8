// `init()` of the entries with the full core API (`miniapp-sdk`, `miniapp-sdk/auth`).
import { runtime } from './runtime.js';
import { hostFor } from './hosts/index.js';

/**
 * Loads the SDK core for this platform and seeds it from the host's secure random source.
 * Options: `{wasmPath?, platform?, host?}`; `host` replaces the platform adapter (see the Host
 * interface). Resolves to `{core, host, platform}`.
 */
export async function init(options) {
  const o = options || {};
  const { glue, host, platform } = await runtime({ host: o.host || hostFor(o.platform), wasmPath: o.wasmPath, requireEntropy: true });
  return { core: new glue.Core(host), host, platform };
}
