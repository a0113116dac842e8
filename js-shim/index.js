// Public entry of the miniapp-sdk package.
import { configure, defaultWasmPath } from './loader.js';
import { runtime } from './runtime.js';
import { Authing } from './authing.js';
import { MPServerless } from './mpserverless.js';

export { configure, defaultWasmPath, Authing, MPServerless };
export const version = '0.1.0';

/**
 * Loads the SDK core for this platform and seeds it from the host's secure random source.
 * Options: `{wasmPath?, platform?, host?}`; `host` replaces the platform adapter (see the Host
 * interface). Resolves to `{core, host, platform}`.
 */
export async function init(options) {
  const { glue, host, platform } = await runtime(Object.assign({}, options, { requireEntropy: true }));
  return { core: new glue.Core(host), host, platform };
}
