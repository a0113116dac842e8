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

/** Which platform this is: 'wx', 'tt', 'alipay', 'browser' or 'node'. `wanted` forces wx or tt. */
export function detectPlatform(wanted) {
  if (wanted === 'wx' && typeof wx !== 'undefined') return 'wx';
  if (wanted === 'tt' && typeof tt !== 'undefined') return 'tt';
  if (typeof tt !== 'undefined' && tt && typeof tt.request === 'function') return 'tt';
  if (typeof wx !== 'undefined' && wx && typeof wx.request === 'function') return 'wx';
  if (typeof my !== 'undefined' && my && typeof my.request === 'function') return 'alipay';
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
