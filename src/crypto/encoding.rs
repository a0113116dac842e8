//! Hex decoding and base64 helpers for key and ciphertext formats (hex encoding is the crate's
//! [`crate::hex`]).

use crate::error::Error;

/// Decodes hex (either case). `what` names the input in the error.
pub fn hex_decode(text: &str, what: &str) -> Result<Vec<u8>, Error> {
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return Err(Error::Crypto(format!("{what}: odd number of hex digits")));
    }
    bytes
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => match (nibble(*hi), nibble(*lo)) {
                (Some(h), Some(l)) => Ok((h << 4) | l),
                _ => Err(Error::Crypto(format!("{what}: not hex"))),
            },
            _ => Err(Error::Crypto(format!("{what}: not hex"))),
        })
        .collect()
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    crate::base64::encode(bytes)
}

/// Decodes standard base64, ignoring ASCII whitespace (PEM bodies are wrapped).
pub fn base64_decode(text: &str, what: &str) -> Result<Vec<u8>, Error> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    crate::base64::decode(&compact, false).ok_or_else(|| Error::Crypto(format!("{what}: not base64")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_errors() {
        assert_eq!(hex_decode(&crate::hex::hex_lower(&[0x00, 0xab, 0xff]), "k").unwrap(), vec![0, 0xab, 0xff]);
        assert_eq!(hex_decode("00ABff", "k").unwrap(), vec![0, 0xab, 0xff]);
        assert!(hex_decode("abc", "k").is_err());
        assert!(hex_decode("zz", "k").is_err());
        assert!(hex_decode("é1", "k").is_err());
    }

    #[test]
    fn base64_round_trip_and_whitespace() {
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(base64_decode("aGVs\nbG8=", "k").unwrap(), b"hello");
        assert!(base64_decode("!!!", "k").is_err());
    }
}
