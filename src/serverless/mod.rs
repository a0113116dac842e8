//! The MPServerless-compatible serverless client (protocol of `@alicloud/mpserverless-sdk` 3.1.5).
//!
//! - [`config`]: the constructor's config (required fields, timeout rules).
//! - [`sign`]: HMAC-MD5 request signing, checked against the reference's golden vectors.
//! - [`md5`]: MD5 and HMAC-MD5 themselves (checked against the md-5 and hmac crates).
//! - [`envelope`]: the signed `POST {endpoint}/client` request and the gateway reply.
//! - [`authorize`]: authorize options (precedence), authorize and profile params.
//! - [`db`], [`function`], [`file`]: per-module params, validation and flows.
//! - [`client`]: [`Client`], generic over [`crate::host::Host`]: session, single-flight
//!   authorization, one renewal and retry on an invalid token.
//! - [`errors`]: the `{code, type}` apps see.
//!
//! Caller values (queries, documents, function args) arrive as JSON text serialised by the JS
//! facade with `JSON.stringify`, so their key order is the caller's; the core validates them and
//! splices the text into the params, and signs exactly the text it sends. Replies go back as raw
//! text, which the facade decodes into the official result shapes.

pub mod authorize;
pub mod client;
pub mod config;
pub mod db;
pub mod envelope;
pub mod errors;
pub mod file;
pub mod function;
pub mod md5;
pub mod sign;

pub use client::Client;
pub use config::Config;

/// Byte offset of the last occurrence of `needle` in `hay`. A plain byte scan: the inputs are short,
/// and it keeps the generic two-way string searcher out of the wasm.
pub(crate) fn rfind_str(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).rev().find(|&i| h.get(i..i + n.len()) == Some(n))
}

/// Whether `needle` occurs in `hay` (`str::contains`, see [`rfind_str`]).
pub(crate) fn contains_str(hay: &str, needle: &str) -> bool {
    rfind_str(hay, needle).is_some()
}

#[cfg(test)]
mod tests;
