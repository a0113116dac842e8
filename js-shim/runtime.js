// What the client facades share: the loaded core plus the host adapter it talks to.
import { loadCore, loadWasm, configure } from './loader.js';
import { sdkError } from './errors.js';

/**
 * Resolves `{glue, host, platform}`. Options: `{host, wasmPath?, requireEntropy?}`; `host` is the
 * adapter (the platform's, from hosts/index.js `hostFor`, or the app's own). With `requireEntropy`
 * (the Authing client, `init()`), a host without a secure random source is refused; the
 * serverless client, which does no public-key crypto, loads without one. The detection of the
 * platform stays with the callers that need it, so the serverless-only bundle carries no adapter.
 */
export async function runtime(options) {
  const opts = options || {};
  if (opts.wasmPath) configure({ wasmPath: opts.wasmPath });
  const host = opts.host;
  if (!host || typeof host.request !== 'function') throw sdkError('HOST_MISSING', 'the host has no request function');
  const glue = opts.requireEntropy === false ? await loadWasm() : await loadCore(host);
  return { glue, host, platform: host.platform || 'custom' };
}
