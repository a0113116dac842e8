//! RSA PKCS#1 v1.5 password encryption, as `@authing/miniapp-jsencrypt` does it.
//!
//! Output: standard base64 of the full-length ciphertext (jsencrypt sometimes drops a leading zero
//! byte; servers accept both). Accepted key forms: SPKI PEM (`BEGIN PUBLIC KEY`), PKCS#1 PEM
//! (`BEGIN RSA PUBLIC KEY`, which jsencrypt mis-parses), and either body as bare base64 or hex DER.

use super::encoding::{base64_decode, base64_encode, hex_decode};
use super::rng::OpRng;
use crate::error::Error;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Encrypt, RsaPublicKey};

/// Parses an RSA public key in any of the accepted forms.
///
/// # Errors
/// [`Error::Crypto`] naming the problem; never a garbage key.
pub fn parse_public_key(text: &str) -> Result<RsaPublicKey, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::Crypto("RSA public key is empty".into()));
    }
    let der = if text.starts_with("-----BEGIN") {
        let body: String = text.lines().filter(|l| !l.trim_start().starts_with("-----")).collect();
        base64_decode(&body, "RSA public key")?
    } else if text.len() % 2 == 0 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex_decode(text, "RSA public key")?
    } else {
        base64_decode(text, "RSA public key")?
    };
    RsaPublicKey::from_public_key_der(&der)
        .or_else(|_| RsaPublicKey::from_pkcs1_der(&der))
        .map_err(|_| Error::Crypto("RSA public key is neither SPKI nor PKCS#1 DER".into()))
}

/// Encrypts `plaintext` (UTF-8) with PKCS#1 v1.5 and returns standard base64.
///
/// # Errors
/// [`Error::Crypto`] when the message is too long for the key.
pub fn encrypt(key: &RsaPublicKey, plaintext: &str, rng: &mut OpRng) -> Result<String, Error> {
    let cipher = key.encrypt(rng, Pkcs1v15Encrypt, plaintext.as_bytes()).map_err(|e| match e {
        rsa::Error::MessageTooLong => Error::Crypto("password is too long for the RSA key".into()),
        _ => Error::Crypto("RSA encryption failed".into()),
    })?;
    Ok(base64_encode(&cipher))
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
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::RsaPrivateKey;

    const PRIVATE: &str = include_str!("../../tests/fixtures/rsa-2048-private.pem");
    const SPKI: &str = include_str!("../../tests/fixtures/rsa-2048-spki.pem");
    const PKCS1: &str = include_str!("../../tests/fixtures/rsa-2048-pkcs1.pem");

    fn decrypt(b64: &str) -> String {
        let key = RsaPrivateKey::from_pkcs8_pem(PRIVATE).unwrap();
        let bytes = base64_decode(b64, "c").unwrap();
        String::from_utf8(key.decrypt(Pkcs1v15Encrypt, &bytes).unwrap()).unwrap()
    }

    fn body_of(pem: &str) -> String {
        pem.lines().filter(|l| !l.starts_with("-----")).collect()
    }

    #[test]
    fn every_accepted_key_form_round_trips_with_cjk_text() {
        let forms = [SPKI.to_string(), PKCS1.to_string(), body_of(SPKI), body_of(PKCS1)];
        for (i, form) in forms.iter().enumerate() {
            let mut rng = OpRng::from_test_seed([i as u8 + 1; 32]);
            let c = encrypt_password(form, "密码 pässword 123", &mut rng).unwrap();
            assert_eq!(c.len(), 344, "2048-bit ciphertext is 256 bytes, 344 base64 chars");
            assert_eq!(decrypt(&c), "密码 pässword 123");
        }
    }

    #[test]
    fn hex_der_keys_are_accepted() {
        let der = base64_decode(&body_of(SPKI), "k").unwrap();
        let hex = super::super::encoding::hex_lower(&der);
        let mut rng = OpRng::from_test_seed([9; 32]);
        assert_eq!(decrypt(&encrypt_password(&hex, "pw", &mut rng).unwrap()), "pw");
    }

    #[test]
    fn padding_is_randomised_by_the_rng() {
        let (mut a, mut b) = (OpRng::from_test_seed([1; 32]), OpRng::from_test_seed([2; 32]));
        assert_ne!(encrypt_password(SPKI, "pw", &mut a).unwrap(), encrypt_password(SPKI, "pw", &mut b).unwrap());
    }

    #[test]
    fn bad_keys_and_long_messages_fail_with_clear_errors() {
        let mut rng = OpRng::from_test_seed([3; 32]);
        for bad in ["", "   ", "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----", "aGVsbG8=", "04abcdef"] {
            let err = encrypt_password(bad, "pw", &mut rng).unwrap_err();
            assert_eq!(err.code(), "CRYPTO", "{bad:?}: {err}");
        }
        let long = "x".repeat(246);
        let err = encrypt_password(SPKI, &long, &mut rng).unwrap_err();
        assert_eq!(err.to_string(), "crypto error: password is too long for the RSA key");
        assert!(encrypt_password(SPKI, &"x".repeat(245), &mut rng).is_ok());
    }
}
