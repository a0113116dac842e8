//! The module-wide DRBG, seeded only from the host's secure source.

use crate::crypto::{Drbg, OpRng};
use crate::error::{Error, HostError, HostErrorKind};
use crate::host::Host;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;

/// Bytes requested from the host for each seed or reseed.
pub const RESEED_BYTES: usize = 48;

thread_local! {
    static DRBG: RefCell<Drbg> = const { RefCell::new(Drbg::new()) };
}

/// Seeds (or reseeds) the DRBG with host bytes. The loader calls this with
/// `wx.getRandomValues`/`crypto.getRandomValues` output before any other call.
///
/// # Errors
/// `NO_ENTROPY` when fewer than 32 bytes are given or they are all zero.
#[wasm_bindgen(js_name = seedEntropy)]
pub fn seed_entropy(bytes: &[u8]) -> Result<(), JsValue> {
    reseed(bytes).map_err(|e| super::error_js::to_js(&e))
}

/// Whether the DRBG has been seeded.
#[wasm_bindgen(js_name = isSeeded)]
pub fn is_seeded() -> bool {
    DRBG.with(|d| d.borrow().is_seeded())
}

fn reseed(bytes: &[u8]) -> Result<(), Error> {
    DRBG.with(|d| d.borrow_mut().reseed(bytes))
}

/// Awaits fresh host entropy, mixes it in, and forks a one-operation RNG.
///
/// # Errors
/// `NO_ENTROPY` when the host's source fails or gives too little; the DRBG is never used unseeded.
pub async fn fresh_rng(host: &impl Host) -> Result<OpRng, Error> {
    let bytes = host.random_bytes(RESEED_BYTES).await.map_err(|e| match e.kind {
        HostErrorKind::Missing => Error::NoEntropy(
            "the host has no secure random source (wx.getRandomValues needs base library 2.15.0 and is not available in plugins)"
                .into(),
        ),
        _ => Error::NoEntropy(HostError::to_string(&e)),
    })?;
    reseed(&bytes)?;
    DRBG.with(|d| d.borrow_mut().fork())
}
