// Taro 4 build configuration. What matters for miniapp-sdk:
// - weapp: copy the SDK's brotli wasm into the output (Taro bundles node_modules JS but never copies
//   their wasm); the app passes wasmPath '/sdk/core.wasm.br'. The `to` is relative to the project
//   root, so it repeats the per-platform outputRoot.
// - h5: copy the plain core.wasm (a static server does not set Content-Encoding: br); wasmPath '/sdk/core.wasm'.
// - alipay: the logic layer has no WebAssembly engine: alias the package to its wasm2js build
//   (same API, no wasm file to copy).
const path = require('path')
const { defineConfig } = require('@tarojs/cli')

const env = process.env.TARO_ENV
const sdkDir = path.dirname(require.resolve('miniapp-sdk/package.json'))
const wasmCopy = {
  weapp: [{ from: path.join(sdkDir, 'core.wasm.br'), to: 'dist/weapp/sdk/core.wasm.br' }],
  h5: [{ from: path.join(sdkDir, 'core.wasm'), to: 'dist/h5/sdk/core.wasm' }],
}[env] || []

module.exports = defineConfig(async () => ({
  projectName: 'miniapp-sdk-taro-app',
  date: '2026-11-22',
  designWidth: 750,
  deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
  sourceRoot: 'src',
  outputRoot: `dist/${env}`,
  plugins: [],
  defineConstants: {},
  alias: env === 'alipay' ? { 'miniapp-sdk$': 'miniapp-sdk/alipay' } : {},
  copy: { patterns: wasmCopy, options: {} },
  framework: 'react',
  compiler: { type: 'webpack5', prebundle: { enable: false } },
  cache: { enable: false },
  mini: { postcss: { pxtransform: { enable: true, config: {} }, cssModules: { enable: false } } },
  h5: { publicPath: '/', staticDirectory: 'static', router: { mode: 'hash' } },
}))
