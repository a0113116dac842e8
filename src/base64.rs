//! Base64 (RFC 4648): standard alphabet with padding, and the URL-safe alphabet without it (JWT
//! segments), decoded strictly (no stray characters, canonical padding and trailing bits).
//!
//! Written here instead of `base64ct`: its constant-time decoder is ~3.5 KB of wasm across the
//! variants used. What passes through here is not secret material whose timing matters (public
//! keys, ciphertext, OSS policies, the public claims of a JWT). The tests compare it with base64ct.

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let v = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            let c = if i <= chunk.len() { STANDARD.get(((v >> (18 - 6 * i)) & 63) as usize) } else { None };
            out.push(c.map_or('=', |c| char::from(*c)));
        }
    }
    out
}

fn value(c: u8, url: bool) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' if !url => 62,
        b'/' if !url => 63,
        b'-' if url => 62,
        b'_' if url => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes standard padded base64 (`url = false`) or URL-safe unpadded base64 (`url = true`).
pub fn decode(text: &str, url: bool) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let body = if url {
        bytes
    } else {
        let pad = bytes.iter().rev().take_while(|c| **c == b'=').count();
        if bytes.len() % 4 != 0 || pad > 2 {
            return None;
        }
        bytes.get(..bytes.len() - pad)?
    };
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in body {
        acc = (acc << 6) | value(c, url)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be zero (one canonical spelling per byte string).
    (acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64ct::{Base64, Base64UrlUnpadded, Encoding};

    #[test]
    fn encodes_and_decodes_as_base64ct() {
        for len in 0..70usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 53 + len * 7) as u8).collect();
            let std = Base64::encode_string(&data);
            assert_eq!(encode(&data), std);
            assert_eq!(decode(&std, false), Some(data.clone()));
            let url = Base64UrlUnpadded::encode_string(&data);
            assert_eq!(decode(&url, true), Some(data));
        }
    }

    #[test]
    fn accepts_and_rejects_what_base64ct_does() {
        let samples = [
            "aGVsbG8=",
            "aGVsbG8",
            "aGVsbA==",
            "aGVsbG8h",
            "",
            "QQ==",
            "QR==",
            "QUI=",
            "QUJ=",
            "eyJleHAiOjE3MDAwMDM2MDB9",
        ];
        let mut cases = 0;
        for s in samples {
            for i in 0..=s.len() {
                for c in ["", "=", "-", "_", "+", "/", "A", "!", " ", "==", "A="] {
                    let m = format!("{}{}{}", &s[..i], c, &s[i..]);
                    assert_eq!(decode(&m, false), Base64::decode_vec(&m).ok(), "standard {m:?}");
                    assert_eq!(decode(&m, true), Base64UrlUnpadded::decode_vec(&m).ok(), "url {m:?}");
                    cases += 1;
                }
            }
        }
        assert!(cases > 800);
    }
}
