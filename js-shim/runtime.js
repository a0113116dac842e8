// What the client facades share: the loaded core plus the host adapter for this platform.
import { loadCore, loadWasm, configure } from './loader.js';
import { detectPlatform, createHost } from './hosts/index.js';
import { sdkError } from './errors.js';

/**
 * Resolves `{glue, host, platform}`. Options: `{platform?, host?, wasmPath?, requireEntropy?}`.
 * With `requireEntropy` (the Authing client, `init()`), a host without a secure random source is
 * refused; the serverless client, which does no public-key crypto, loads without one.
 */
export async function runtime(options) {
  const opts = options || {};
  if (opts.wasmPath) configure({ wasmPath: opts.wasmPath });
  const platform = opts.host ? (opts.host.platform || 'custom') : detectPlatform(opts.platform);
  const host = opts.host || createHost(platform);
  if (!host || typeof host.request !== 'function') throw sdkError('HOST_MISSING', 'the host has no request function');
  const glue = opts.requireEntropy === false ? await loadWasm() : await loadCore(host);
  return { glue, host, platform };
}
