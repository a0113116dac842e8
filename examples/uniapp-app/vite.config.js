// uni-app (Vite) build configuration. What matters for miniapp-sdk:
// - mp-weixin: the SDK's brotli wasm is emitted into the output at sdk/core.wasm.br (uni bundles
//   node_modules JS into common/vendor.js but never copies their wasm); the app passes wasmPath
//   '/sdk/core.wasm.br'. (Copying it into src/static/sdk/ works too: static/ is copied verbatim.)
// - h5: the plain core.wasm at sdk/core.wasm (static servers do not set Content-Encoding: br).
// - mp-alipay: no WebAssembly engine in the logic layer: alias the package to its wasm2js build.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { defineConfig } from 'vite'
import uni from '@dcloudio/vite-plugin-uni'

const require = createRequire(import.meta.url)
const platform = process.env.UNI_PLATFORM
const sdkDir = path.dirname(require.resolve('miniapp-sdk/package.json'))
const wasm = { 'mp-weixin': ['core.wasm.br', 'sdk/core.wasm.br'], h5: ['core.wasm', 'sdk/core.wasm'] }[platform]

function miniappSdkWasm() {
  return {
    name: 'miniapp-sdk-wasm',
    generateBundle() {
      if (wasm) this.emitFile({ type: 'asset', fileName: wasm[1], source: fs.readFileSync(path.join(sdkDir, wasm[0])) })
    },
  }
}

export default defineConfig({
  plugins: [uni(), miniappSdkWasm()],
  resolve: { alias: platform === 'mp-alipay' ? [{ find: /^miniapp-sdk$/, replacement: 'miniapp-sdk/alipay' }] : [] },
})
