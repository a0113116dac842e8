//! SM2 public-key encryption of passwords, as `@authing/miniapp-sm2encrypt` (sm-crypto, cipher
//! mode 1) does it: C1C3C2 order, lowercase hex, without the leading `04` of C1.
//!
//! Accepted key forms: uncompressed `04‖x‖y` hex (130 digits), the same without `04` (128 digits,
//! which the official add-on crashes on), and compressed `02`/`03‖x` hex (66 digits).

use super::encoding::{hex_decode, hex_lower};
use super::rng::OpRng;
use crate::error::Error;
use sm2::pke::{EncryptingKey, Mode};
use sm2::PublicKey;

/// Parses an SM2 public key from hex.
///
/// # Errors
/// [`Error::Crypto`] when the text is not hex of a point on the SM2 curve.
pub fn parse_public_key(text: &str) -> Result<PublicKey, Error> {
    let text = text.trim();
    let mut bytes = hex_decode(text, "SM2 public key")?;
    if bytes.len() == 64 {
        bytes.insert(0, 0x04);
    }
    match (bytes.len(), bytes.first()) {
        (65, Some(0x04)) | (33, Some(0x02 | 0x03)) => {}
        _ => {
            return Err(Error::Crypto(format!(
                "SM2 public key must be 04-prefixed (130 hex digits), bare x||y (128) or compressed (66), got {} hex digits",
                text.len()
            )))
        }
    }
    PublicKey::from_sec1_bytes(&bytes).map_err(|_| Error::Crypto("SM2 public key is not a point on the curve".into()))
}

/// Encrypts `plaintext` (UTF-8) and returns C1C3C2 lowercase hex without the `04` prefix.
///
/// # Errors
/// [`Error::Crypto`] if encryption fails.
pub fn encrypt(key: &PublicKey, plaintext: &str, rng: &mut OpRng) -> Result<String, Error> {
    let ek = EncryptingKey::new_with_mode(*key, Mode::C1C3C2);
    let cipher = ek.encrypt(rng, plaintext.as_bytes()).map_err(|_| Error::Crypto("SM2 encryption failed".into()))?;
    match cipher.split_first() {
        Some((0x04, rest)) => Ok(hex_lower(rest)),
        _ => Err(Error::Crypto("SM2 ciphertext has an unexpected C1 encoding".into())),
    }
}

/// Parses `public_key` and encrypts `plaintext` with it.
///
/// # Errors
/// See [`parse_public_key`] and [`encrypt`].
pub fn encrypt_password(public_key: &str, plaintext: &str, rng: &mut OpRng) -> Result<String, Error> {
    encrypt(&parse_public_key(public_key)?, plaintext, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm2::pke::DecryptingKey;
    use sm2::SecretKey;

    fn keypair(seed: u8) -> (SecretKey, String) {
        let sk = SecretKey::from_slice(&[seed; 32]).unwrap();
        let pk = hex_lower(&sk.public_key().to_sec1_bytes());
        (sk, pk)
    }

    fn decrypt(sk: &SecretKey, cipher_hex: &str) -> String {
        let mut bytes = hex_decode(cipher_hex, "c").unwrap();
        bytes.insert(0, 0x04);
        let dk = DecryptingKey::new_with_mode(sk.to_nonzero_scalar(), Mode::C1C3C2);
        String::from_utf8(dk.decrypt(&bytes).unwrap()).unwrap()
    }

    #[test]
    fn prefixed_bare_and_compressed_keys_round_trip() {
        let (sk, pk) = keypair(7);
        assert_eq!(pk.len(), 130);
        let full = sk.public_key().to_sec1_bytes();
        let (x, y_last) = (&full[1..33], full[64]);
        let compressed = format!("{:02x}{}", 2 + (y_last & 1), hex_lower(x));
        for form in [pk.clone(), pk[2..].to_string(), pk.to_uppercase(), compressed] {
            let mut rng = OpRng::from_test_seed([1; 32]);
            let c = encrypt_password(&form, "口令 pass", &mut rng).unwrap();
            // C1 (64 bytes without 04) + C3 (32) + C2 (len of UTF-8 plaintext), as lowercase hex.
            assert_eq!(c.len(), 2 * (64 + 32 + "口令 pass".len()));
            assert_eq!(c, c.to_lowercase());
            assert_eq!(decrypt(&sk, &c), "口令 pass");
        }
    }

    #[test]
    fn bad_keys_fail_with_clear_errors() {
        let mut rng = OpRng::from_test_seed([2; 32]);
        let off_curve = format!("04{}", "11".repeat(64));
        for bad in ["", "zz", "04abcd", off_curve.as_str(), &"05".repeat(65)] {
            let err = encrypt_password(bad, "pw", &mut rng).unwrap_err();
            assert_eq!(err.code(), "CRYPTO", "{bad:?}: {err}");
        }
    }
}
