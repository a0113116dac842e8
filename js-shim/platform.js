// The one platform detector of the package: which mini-program globals this JS realm has, and what
// each client concludes from them. Nothing else in js-shim reads `wx`, `tt`, `my`, `dd` or `uni`
// to decide where it runs (the host adapters receive the object they wrap).
/* global wx, tt, my, dd, uni */

/** The realm's global object (globalThis, else self / global), or `{}`. */
export function globalObject() {
  if (typeof globalThis !== 'undefined') return globalThis;
  if (typeof self !== 'undefined') return self;
  if (typeof global !== 'undefined') return global;
  return {};
}

/**
 * The mini-program global `name` (`wx`, `tt`, `my`, `dd`, `uni`), or undefined. Read as free
 * identifiers behind `typeof` (a missing one is no ReferenceError, and mini-program runtimes inject
 * them as module-wrapper arguments that `globalThis` does not show).
 */
export function platformGlobal(name) {
  const read = GLOBALS[name];
  return (read && read()) || undefined;
}

const GLOBALS = {
  wx: () => typeof wx !== 'undefined' && wx,
  tt: () => typeof tt !== 'undefined' && tt,
  my: () => typeof my !== 'undefined' && my,
  dd: () => typeof dd !== 'undefined' && dd,
  uni: () => typeof uni !== 'undefined' && uni,
};

/**
 * The first `[global, answer]` of `order` whose global passes `test`, as its answer. Every question
 * below is this one walk with its own order and test: they differ only where the official packages,
 * whose behaviour each client keeps, differ.
 */
function first(order, test) {
  for (const [name, answer] of order) {
    const api = platformGlobal(name);
    if (api && test(api)) return answer;
  }
  return undefined;
}

/**
 * Whether `api` can carry the SDK's requests. A function, not `wx.request` inline: uni-app's H5
 * build rewrites `wx.x`/`uni.x` member reads to its own imports while `window.wx` is `{}` there.
 */
const usable = (api) => typeof api.request === 'function';

// uni-app outside WeChat/Douyin (its own runtimes, Alipay included) is driven through `uni`.
const HOSTS = [['tt', 'tt'], ['wx', 'wx'], ['uni', 'uni'], ['my', 'alipay']];

/**
 * The host adapter for this realm: 'wx', 'tt', 'uni', 'alipay', 'browser' or 'node'. `wanted`
 * ('wx' or 'tt') is taken when that platform is usable.
 */
export function detectPlatform(wanted) {
  const forced = (wanted === 'wx' || wanted === 'tt') && first([[wanted, wanted]], usable);
  // `uni` only where neither wx nor tt exists at all: on WeChat/Douyin builds uni wraps them.
  const order = platformGlobal('wx') || platformGlobal('tt') ? HOSTS.filter(([n]) => n !== 'uni') : HOSTS;
  return forced || first(order, usable) || (typeof globalObject().XMLHttpRequest === 'function' ? 'browser' : 'node');
}

/**
 * The wx-shaped API object (chooseMedia, chooseImage) on host `kind`: its own for 'wx' and 'tt',
 * else `uni`, else `wx` (the Authing client's avatar picker; Alipay's `my` pickers differ in shape).
 */
export function wxShapedApi(kind) {
  return ((kind === 'wx' || kind === 'tt') && platformGlobal(kind)) || platformGlobal('uni') || platformGlobal('wx');
}

/** Authing's protocol platform, as @authing/miniapp-* 5.1.18 picks it: 'tt' when `tt.getSystemInfo` exists, else 'wx'. */
export function authingPlatform() {
  return first([['tt', 'tt']], (api) => typeof api.getSystemInfo !== 'undefined') || 'wx';
}

/**
 * The platform as @alicloud/mpserverless-sdk 3.1.5 names it (for `appId: {alipay, wechat, dingtalk}`
 * and `init()`'s provider): the first non-empty `dd`, `wx`, `my` object; undefined elsewhere.
 */
export function serverlessPlatform() {
  return first([['dd', 'dingtalk'], ['wx', 'wechat'], ['my', 'alipay']], (api) => typeof api === 'object' && Object.keys(api).length > 0);
}
