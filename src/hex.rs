//! Lowercase hex, the one encoder for the crate: the MPServerless signature (HMAC-MD5) and the SM2
//! ciphertext.

/// Lowercase hex of `bytes`.
pub fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Both nibbles are < 16, so from_digit always succeeds.
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0x0f), 16).unwrap_or('0'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_is_two_lowercase_digits() {
        assert_eq!(hex_lower(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(hex_lower(&[]), "");
        let all: Vec<u8> = (0..=255).collect();
        let hex = hex_lower(&all);
        assert_eq!(hex.len(), 512);
        for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
            assert_eq!(pair, format!("{i:02x}").as_bytes());
        }
    }
}
