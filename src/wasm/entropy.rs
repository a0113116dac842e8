//! The JS face of the module's DRBG ([`crate::crypto::rng`]): seeding from `init()`.

use crate::crypto::rng;
use wasm_bindgen::prelude::*;

/// Seeds (or reseeds) the DRBG with host bytes. `init()` (js-shim/init.js) calls this with
/// `wx.getRandomValues`/`crypto.getRandomValues` output (of [`rng::RESEED_BYTES`] bytes, which
/// .ci/build.mjs reads into init.js).
///
/// # Errors
/// `NO_ENTROPY` when fewer than 32 bytes are given or they are all zero.
#[wasm_bindgen(js_name = seedEntropy)]
pub fn seed_entropy(bytes: &[u8]) -> Result<(), JsValue> {
    rng::seed(bytes).map_err(|e| super::error_js::to_js(&e))
}

/// Whether the DRBG has been seeded.
#[wasm_bindgen(js_name = isSeeded)]
pub fn is_seeded() -> bool {
    rng::is_seeded()
}
