//! miniapp-sdk core: Authing- and MPServerless-compatible clients for mini-programs.
//!
//! The core is sans-I/O: request builders and response parsers are plain functions, and every
//! effect (HTTP, login codes, storage, clock, secure random bytes) goes through the [`host::Host`]
//! trait. The wasm boundary lives only in [`wasm`] (compiled for `wasm32` only), so everything else
//! builds and tests natively with `cargo test`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]
#![warn(missing_docs)]

#[cfg(feature = "auth")]
pub mod authing;
pub mod base64;
pub mod clock;
#[cfg(feature = "auth")]
pub mod crypto;
pub mod error;
pub mod hex;
pub mod host;
pub mod json;
pub mod retry;
pub mod secret;
#[cfg(feature = "serverless")]
pub mod serverless;
pub mod single_flight;

#[cfg(test)]
pub mod fake_host;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorCode, HostError, HostErrorKind};
