// Entry of the serverless-only artifacts (no RSA/SM2 code): `miniapp-sdk/serverless`.
import { MPServerless } from './mpserverless.js';
import { configure, defaultWasmPath } from './loader.js';

export { MPServerless, configure, defaultWasmPath };
export default MPServerless;
export const version = '0.1.0';
