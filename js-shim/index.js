// Public entry of the miniapp-sdk package: both clients, the loader and `init`.
import { configure, defaultWasmPath } from './loader.js';
import { init } from './init.js';
import { Authing, LoginByCodeConnection, LoginByPhoneCodeConnection, PlatformsMenu } from './authing.js';
import { MPServerless } from './mpserverless/client.js';
import { version } from './version.js';

export { configure, defaultWasmPath, init, Authing, LoginByCodeConnection, LoginByPhoneCodeConnection, PlatformsMenu, MPServerless, version };
