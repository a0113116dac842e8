//! Password encryption (RSA PKCS#1 v1.5 and SM2) and the deterministic random bit generator that
//! feeds them from the host's secure source.

mod chacha;
mod der;
pub mod encoding;
mod key_cache;
mod monty;
pub mod rng;
pub mod rsa;
pub mod sm2;
mod sm2_field;
mod sm2_table;
mod sm3;

pub use rng::{fresh_rng, Drbg, OpRng};
