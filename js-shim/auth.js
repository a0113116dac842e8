// Entry of the auth-only artifacts (no MPServerless code): `miniapp-sdk/auth`.
import { Authing } from './authing.js';
import { configure, defaultWasmPath } from './loader.js';
import { runtime } from './runtime.js';

export { Authing, configure, defaultWasmPath };
export const version = '0.1.0';

/** As the main entry's `init`: loads the core and seeds it from the host's secure random source. */
export async function init(options) {
  const { glue, host, platform } = await runtime(Object.assign({}, options, { requireEntropy: true }));
  return { core: new glue.Core(host), host, platform };
}
