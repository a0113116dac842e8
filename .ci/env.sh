# Shared environment for the setup, test, demo and bench scripts. Source it.
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# Pinned tool versions: the wasm-bindgen CLI must equal the wasm-bindgen crate (Cargo.toml: =0.2.130).
export WASM_BINDGEN_VERSION=0.2.130
export WASM_PACK_VERSION=0.15.1
