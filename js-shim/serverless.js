// Entry of the serverless-only artifacts (no RSA/SM2 code): `miniapp-sdk/serverless`.
import { MPServerless } from './mpserverless/client.js';
import { configure, defaultWasmPath } from './loader.js';
import { version } from './version.js';

export { MPServerless, configure, defaultWasmPath, version };
export default MPServerless;
