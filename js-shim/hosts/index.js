// Picks the host adapter for the platform the SDK runs on.
import { wechatLikeHost } from './wechat.js';
import { alipayHost } from './alipay.js';
import { standardHost } from './standard.js';

export function globalObject() {
  if (typeof globalThis !== 'undefined') return globalThis;
  if (typeof self !== 'undefined') return self;
  if (typeof global !== 'undefined') return global;
  return {};
}

/**
 * Whether `api` is a usable platform object. A function, not `wx.request` inline: uni-app's H5
 * build rewrites `wx.x`/`uni.x` member reads to its own imports while `window.wx` is `{}` there.
 */
function usable(api) {
  return !!api && typeof api.request === 'function';
}

/** Which platform this is: 'wx', 'tt', 'alipay', 'browser' or 'node'. `wanted` forces wx or tt. */
export function detectPlatform(wanted) {
  if (wanted === 'wx' && typeof wx !== 'undefined' && usable(wx)) return 'wx';
  if (wanted === 'tt' && typeof tt !== 'undefined' && usable(tt)) return 'tt';
  if (typeof tt !== 'undefined' && usable(tt)) return 'tt';
  if (typeof wx !== 'undefined' && usable(wx)) return 'wx';
  if (typeof my !== 'undefined' && usable(my)) return 'alipay';
  return typeof globalObject().XMLHttpRequest === 'function' ? 'browser' : 'node';
}

export function createHost(platform) {
  switch (platform) {
    case 'wx': return wechatLikeHost(wx, 'wx');
    case 'tt': return wechatLikeHost(tt, 'tt');
    case 'alipay': return alipayHost(my, typeof crypto !== 'undefined' ? crypto : undefined);
    default: return standardHost(globalObject());
  }
}
