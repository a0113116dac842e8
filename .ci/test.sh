#!/usr/bin/env bash
# Every test of the project, in the order CI runs them. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/env.sh
started=$(date +%s)
phase() { printf '\n=== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

phase "rustfmt"
cargo fmt --all -- --check
phase "clippy (host)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
phase "clippy (wasm32)"
cargo clippy -p miniapp-sdk --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings
for split in serverless auth; do
  cargo clippy -p miniapp-sdk --target wasm32-unknown-unknown --no-default-features --features "$split" --all-targets --quiet -- -D warnings
done
phase "gate: getrandom only through our backend (the host-seeded DRBG), one rand_core"
# getrandom 0.3/0.4 call the custom backend of src/crypto/rng.rs (`getrandom_backend="custom"`);
# 0.2 has no such hook, and the `wasm_js` / `js` features read crypto.getRandomValues (not on WeChat).
graph=$(cargo tree -p miniapp-sdk --target wasm32-unknown-unknown -e normal,features --prefix none)
if grep -Eq '^getrandom v0\.[12]\.' <<<"$graph" || grep -Eq '^getrandom feature "(wasm_js|js)"' <<<"$graph"; then
  echo "getrandom must reach randomness only through the SDK's custom backend: no getrandom 0.1/0.2, no wasm_js/js feature" >&2
  exit 1
fi
if [ "$(grep -E '^rand_core v' <<<"$graph" | sort -u | wc -l)" -gt 1 ]; then
  echo "more than one rand_core version in the wasm graph" >&2
  exit 1
fi
phase "gate: no Apple-framework crate in the emulator's macOS dependency graph (the cross build cannot link one)"
node .ci/build-emulator.mjs --gate
phase "cargo test (each crate with its own features)"
# Not `--workspace`: the emulator turns on serde_json's `preserve_order`, and feature unification
# would test the SDK with a serde_json the package does not ship (src/json.rs has a test that fails
# if it leaks in).
cargo test -p miniapp-sdk --quiet
cargo test -p miniapp-emulator --quiet
phase "package build"
node .ci/build.mjs
phase "wasm-pack browser tests (headless chromium)"
wasm-pack --log-level warn test --headless --chrome
phase "node suites (host simulator, gates, packNpm)"
node --test tests/node/
phase "all tests passed in $(( $(date +%s) - started )) s"
