// What the client facades share: the loaded core plus the host adapter it talks to.
import { loadWasm, configure } from './loader.js';
import { sdkError } from './errors.js';

/**
 * Loads the core and resolves `{host, platform}`. Options: `{host, wasmPath?, onLoadStart?}`; `host`
 * is the adapter (the platform's, from hosts/index.js `hostFor`, or the app's own); `onLoadStart(host)`
 * runs when this call starts the load (see loader.js `loadWasm`). Seeding is init()'s
 * (init.js): the clients load without a secure random source (the serverless client does no
 * public-key crypto; the Authing core asks the host for bytes when it encrypts). The detection of
 * the platform stays with the callers that need it, so the serverless-only bundle carries no adapter.
 */
export async function runtime(options) {
  const opts = options || {};
  if (opts.wasmPath) configure({ wasmPath: opts.wasmPath });
  const host = opts.host;
  if (!host || typeof host.request !== 'function') throw sdkError('HOST_MISSING', 'the host has no request function');
  await loadWasm(opts.onLoadStart && (() => opts.onLoadStart(host)));
  return { host, platform: host.platform || 'custom' };
}
