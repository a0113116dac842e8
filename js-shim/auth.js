// Entry of the auth-only artifacts (no MPServerless code): `miniapp-sdk/auth`.
import { Authing, LoginByCodeConnection, LoginByPhoneCodeConnection, PlatformsMenu } from './authing.js';
import { configure, defaultWasmPath } from './loader.js';
import { init } from './init.js';
import { version } from './version.js';

export { Authing, LoginByCodeConnection, LoginByPhoneCodeConnection, PlatformsMenu, configure, defaultWasmPath, init, version };
