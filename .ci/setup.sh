#!/usr/bin/env bash
# Idempotent machine setup: installs only what is missing or at the wrong version.
#   - Rust: the wasm32-unknown-unknown target, clippy and rustfmt
#   - wasm-bindgen-cli (pinned to the crate's version) and wasm-pack, from crates.io
#   - Debian's chromium and chromium-driver (browser tests)
#   - node packages from package-lock.json (npm ci), re-run only when the lockfile changes
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/env.sh

say() { printf 'setup: %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for c in clippy rustfmt; do
  rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  # Not --locked: the registry mirror here lacks one crate version its lockfile pins (webpki-roots).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION (a few minutes)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked --force
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing chromium and chromium-driver from Debian"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Cargo's build cache: a fresh clone links target/ to one cache directory per machine, so the
# dependencies (axum, SQLite, RustCrypto...) compile once per machine rather than once per clone.
# MINIAPP_TARGET_CACHE= (empty) keeps a private target/.
cache="${MINIAPP_TARGET_CACHE-$HOME/.cache/miniapp-sdk/target}"
if [ -n "$cache" ] && [ ! -e target ]; then
  mkdir -p "$cache"
  ln -s "$cache" target
  say "target/ -> $cache (shared build cache)"
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.setup-lock-hash ] || [ "$(cat node_modules/.setup-lock-hash)" != "$lock_hash" ]; then
  say "installing node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.setup-lock-hash
fi
say "ready"
