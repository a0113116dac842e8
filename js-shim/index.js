// Public entry of the miniapp-sdk package.
import { loadCore, configure, defaultWasmPath } from './loader.js';
import { detectPlatform, createHost } from './hosts/index.js';
import { sdkError } from './errors.js';

export { configure, defaultWasmPath };
export const version = '0.1.0';

/**
 * Loads the SDK core for this platform. Options: `{wasmPath?, platform?, host?}`; `host` replaces
 * the platform adapter (see the Host interface). Resolves to `{core, host, platform}`.
 */
export async function init(options) {
  const opts = options || {};
  if (opts.wasmPath) configure({ wasmPath: opts.wasmPath });
  const platform = opts.host ? (opts.host.platform || 'custom') : detectPlatform(opts.platform);
  const host = opts.host || createHost(platform);
  if (!host || typeof host.request !== 'function') throw sdkError('HOST_MISSING', 'the host has no request function');
  const glue = await loadCore(host);
  return { core: new glue.Core(host), host, platform };
}
