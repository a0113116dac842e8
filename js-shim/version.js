// The package version. Its one source is Cargo.toml's `[package] version` (which the core's
// `x-serverless-ua` also carries): .ci/build.mjs defines __MINIAPP_VERSION__ from it and writes it
// into pkg/package.json.
/* global __MINIAPP_VERSION__ */
export const version = __MINIAPP_VERSION__;
