//! Small helpers shared by every module: clocks, random identifiers, hashing.

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::OnceLock;

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How far the emulator's clock is ahead of the machine's (ms); set by tests through
/// `POST /__admin/clock`, so expiries can be reached without sleeping.
static CLOCK_OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// Milliseconds since the Unix epoch, on the emulator's (settable) clock.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis().saturating_add(clock_offset_ms())
}

/// The emulator clock's offset from the machine clock, in ms.
pub fn clock_offset_ms() -> i64 {
    CLOCK_OFFSET_MS.load(Ordering::Relaxed)
}

/// Sets the emulator clock's offset from the machine clock, in ms.
pub fn set_clock_offset_ms(offset: i64) {
    CLOCK_OFFSET_MS.store(offset, Ordering::Relaxed);
}

/// Seconds since the Unix epoch.
pub fn now_s() -> i64 {
    now_ms() / 1000
}

/// `yyyy-MM-ddTHH:mm:ss.SSSZ`, the date format MPServerless clients decode.
pub fn iso8601(ms: i64) -> String {
    match chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => "1970-01-01T00:00:00.000Z".to_string(),
    }
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// Random lowercase hex string of `n` bytes of entropy.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A 256-bit opaque token, URL-safe base64 without padding.
pub fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// Random decimal string of `digits` digits (SMS codes).
pub fn random_digits(digits: usize) -> String {
    let mut out = String::with_capacity(digits);
    while out.len() < digits {
        let b = random_bytes::<1>()[0];
        // rejection sampling keeps the digits uniform
        if b < 250 {
            out.push(char::from(b'0' + (b % 10)));
        }
    }
    out
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A MongoDB-style ObjectId: 4 bytes of seconds, 5 random bytes fixed per
/// process, 3 bytes of a counter; 24 lowercase hex characters.
pub fn object_id() -> String {
    static PROCESS: OnceLock<[u8; 5]> = OnceLock::new();
    static COUNTER: OnceLock<AtomicU32> = OnceLock::new();
    let process = PROCESS.get_or_init(random_bytes::<5>);
    let counter = COUNTER.get_or_init(|| {
        let r = random_bytes::<4>();
        AtomicU32::new(u32::from_be_bytes(r) & 0x00ff_ffff)
    });
    let c = counter.fetch_add(1, Ordering::Relaxed) & 0x00ff_ffff;
    let secs = u32::try_from(now_s().max(0)).unwrap_or(u32::MAX);
    let mut b = [0u8; 12];
    b[..4].copy_from_slice(&secs.to_be_bytes());
    b[4..9].copy_from_slice(process);
    b[9..].copy_from_slice(&c.to_be_bytes()[1..]);
    hex::encode(b)
}

pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Request ids in the style of the services (32 hex chars).
pub fn request_id() -> String {
    random_hex(16)
}

/// Constant-time comparison of two byte strings.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Decodes CESU-8 (UTF-8 with surrogate pairs encoded separately), which the
/// vendored JSEncrypt produces for characters outside the BMP. Plain UTF-8 is
/// returned unchanged; anything else is `None`.
pub fn decode_utf8_or_cesu8(bytes: &[u8]) -> Option<String> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(s.to_string());
    }
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b0 = bytes[i];
        let (cp, len) = if b0 < 0x80 {
            (u32::from(b0), 1)
        } else if b0 & 0xe0 == 0xc0 && i + 1 < bytes.len() {
            ((u32::from(b0 & 0x1f) << 6) | u32::from(bytes[i + 1] & 0x3f), 2)
        } else if b0 & 0xf0 == 0xe0 && i + 2 < bytes.len() {
            ((u32::from(b0 & 0x0f) << 12) | (u32::from(bytes[i + 1] & 0x3f) << 6) | u32::from(bytes[i + 2] & 0x3f), 3)
        } else if b0 & 0xf8 == 0xf0 && i + 3 < bytes.len() {
            (
                (u32::from(b0 & 0x07) << 18)
                    | (u32::from(bytes[i + 1] & 0x3f) << 12)
                    | (u32::from(bytes[i + 2] & 0x3f) << 6)
                    | u32::from(bytes[i + 3] & 0x3f),
                4,
            )
        } else {
            return None;
        };
        if cp > 0xffff {
            let v = cp - 0x10000;
            units.push(0xd800 | u16::try_from(v >> 10).ok()?);
            units.push(0xdc00 | u16::try_from(v & 0x3ff).ok()?);
        } else {
            units.push(u16::try_from(cp).ok()?);
        }
        i += len;
    }
    String::from_utf16(&units).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_unique_and_well_formed() {
        let a = object_id();
        let b = object_id();
        assert!(is_object_id(&a) && is_object_id(&b));
        assert_ne!(a, b);
    }

    #[test]
    fn cesu8_astral_characters_decode() {
        // "😀" as CESU-8: ED A0 BD ED B8 80
        let bytes = [0x61, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80];
        assert_eq!(decode_utf8_or_cesu8(&bytes).as_deref(), Some("a😀"));
        assert_eq!(decode_utf8_or_cesu8("中文".as_bytes()).as_deref(), Some("中文"));
        assert_eq!(decode_utf8_or_cesu8(&[0xff]), None);
    }

    #[test]
    fn digits_have_requested_length() {
        let d = random_digits(6);
        assert_eq!(d.len(), 6);
        assert!(d.bytes().all(|c| c.is_ascii_digit()));
    }
}
