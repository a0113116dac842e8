//! The Authing-compatible auth client (protocol of `@authing/miniapp-*` 5.1.18).
//!
//! Sans-I/O where it matters: request bodies, URLs, headers and response classification are plain
//! functions ([`transport`], [`code`], [`password`], [`sms`], [`phone`], [`profile`], [`avatar`],
//! [`token`], [`state`]); [`client::AuthingClient`] sequences them over a [`crate::host::Host`]
//! in typed methods, one per JS method, whose arguments [`args`] reads from the boundary's text
//! (the JS name picks the method in src/wasm/authing_js.rs, not here). Results are `Result<Json, Error>` (the core's one [`crate::error::Error`]); [`outcome::tuple_text`] renders the `[error, data]` tuple
//! the JS facade resolves with.

pub mod account;
pub mod args;
pub mod avatar;
pub mod client;
pub mod code;
pub mod config;
pub mod outcome;
pub mod password;
pub mod phone;
pub mod profile;
pub mod rejected;
pub mod sms;
pub mod state;
pub mod token;
pub mod transport;

#[cfg(test)]
mod tests;

pub use crate::json::{Json, Obj};
pub use client::AuthingClient;
pub use config::{Config, Platform};
pub use outcome::tuple_text;
