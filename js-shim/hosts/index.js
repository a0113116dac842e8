// Builds the host adapter for the platform the SDK runs on (see platform.js for which one that is).
import { wechatLikeHost } from './wechat.js';
import { alipayHost } from './alipay.js';
import { standardHost } from './standard.js';
import { cryptoRandom } from './callback.js';
import { detectPlatform, globalObject, platformGlobal } from '../platform.js';

/**
 * uni-app outside WeChat/Douyin (its own runtimes): `uni` has the wx-shaped request/login/storage
 * APIs. Random bytes come from `crypto.getRandomValues` when the runtime has it.
 */
function uniHost(uni, c) {
  const host = wechatLikeHost(uni, 'uni');
  if (!host.getRandomValues && c && typeof c.getRandomValues === 'function') host.getRandomValues = cryptoRandom(c);
  return host;
}

/** The realm's Web Crypto object, if any; read only where an adapter needs it (see standard.js). */
const webCrypto = () => (typeof crypto !== 'undefined' ? crypto : undefined);

/** The adapter for `platform`, a value of detectPlatform(). */
function createHost(platform) {
  switch (platform) {
    case 'wx':
    case 'tt': return wechatLikeHost(platformGlobal(platform), platform);
    case 'uni': return uniHost(platformGlobal('uni'), webCrypto());
    case 'alipay': return alipayHost(platformGlobal('my'), webCrypto());
    default: return standardHost(globalObject());
  }
}

/** The adapter of the platform this realm runs on (`wanted`: 'wx' or 'tt' when both exist); its `platform` names it. */
export function hostFor(wanted) {
  return createHost(detectPlatform(wanted));
}
