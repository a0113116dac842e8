//! RSA PKCS#1 v1.5 password encryption, as `@authing/miniapp-jsencrypt` does it.
//!
//! Output: standard base64 of the full-length ciphertext (jsencrypt sometimes drops a leading zero
//! byte; servers accept both). Accepted key forms: SPKI PEM (`BEGIN PUBLIC KEY`), PKCS#1 PEM
//! (`BEGIN RSA PUBLIC KEY`, which jsencrypt mis-parses), and either body as bare base64 or hex DER.
//!
//! Only the public-key operation is needed, so this is done directly rather than through the `rsa`
//! crate: the DER is read by [`super::der`], the type-2 padding is built here, and `m^e mod n` is
//! a left-to-right square-and-multiply over the bits of the public exponent in Montgomery form
//! ([`super::monty`]; for e = 65537: 16 squarings and one multiplication). The sequence of
//! operations depends only on the public exponent, and each Montgomery operation is constant-time,
//! so timing does not depend on the message (the password). The Montgomery parameters (R² mod n)
//! are computed once per key and cached with the key text.

use super::encoding::{base64_decode, base64_encode, hex_decode};
use super::key_cache::LastKey;
use super::monty::{self, Modulus};
use super::rng::OpRng;
use crate::error::Error;
use rand_core::Rng;
use zeroize::Zeroizing;

/// Smallest and largest accepted modulus sizes, in bits.
pub const MIN_MODULUS_BITS: usize = 512;
/// See [`MIN_MODULUS_BITS`].
pub const MAX_MODULUS_BITS: usize = 8192;
/// Largest accepted public exponent (the `rsa` crate's bound).
const MAX_PUBLIC_EXPONENT: u64 = (1 << 33) - 1;
/// PKCS#1 v1.5 overhead: `00 02`, at least 8 padding bytes, `00`.
const PADDING_OVERHEAD: usize = 11;

/// A parsed and validated RSA public key, ready for encryption.
#[derive(Clone, Debug)]
pub struct RsaPublicKey {
    /// The modulus `n` with its Montgomery constants.
    modulus: Modulus,
    /// The public exponent: odd, 3 ..= 2^33 - 1.
    e: u64,
    /// Byte length of `n`, the length of every ciphertext.
    k: usize,
}

impl RsaPublicKey {
    /// Builds a key from the big-endian modulus and exponent, checking both.
    ///
    /// # Errors
    /// [`Error::Crypto`] when the modulus is even or outside 512 ..= 8192 bits, or the exponent is
    /// even, below 3 or above 2^33 - 1.
    pub fn from_components(modulus: &[u8], exponent: &[u8]) -> Result<Self, Error> {
        let n = trim_leading_zeros(modulus);
        let bits = match n.first() {
            Some(top) => n.len().saturating_sub(1).saturating_mul(8).saturating_add(8 - top.leading_zeros() as usize),
            None => 0,
        };
        if !(MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&bits) {
            return Err(Error::Crypto(format!(
                "RSA modulus is {bits} bits; {MIN_MODULUS_BITS} to {MAX_MODULUS_BITS} bits are supported"
            )));
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(Error::Crypto("RSA modulus is even".into()));
        }
        let e = trim_leading_zeros(exponent);
        let e = if e.len() <= 8 { e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)) } else { u64::MAX };
        if !(3..=MAX_PUBLIC_EXPONENT).contains(&e) || e & 1 == 0 {
            return Err(Error::Crypto("RSA public exponent must be odd and between 3 and 2^33 - 1".into()));
        }
        Ok(RsaPublicKey { modulus: Modulus::new(n), e, k: n.len() })
    }

    /// Size of the modulus (and of every ciphertext) in bytes.
    pub fn size(&self) -> usize {
        self.k
    }

    /// The raw RSA function `em^e mod n` on a `k`-byte big-endian input below `n`; returns `k`
    /// big-endian bytes, or `None` when `em` has the wrong length or is not below `n`.
    fn raw_encrypt(&self, em: &[u8]) -> Option<Vec<u8>> {
        if em.len() != self.k {
            return None;
        }
        let m = monty::from_be(em, self.modulus.len());
        if !monty::less_than(&m, self.modulus.n()) {
            return None;
        }
        Some(monty::to_be(&self.modulus.pow(&m, self.e), self.k))
    }
}

fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

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
    let (n, e) = super::der::rsa_public_key(&der)
        .ok_or_else(|| Error::Crypto("RSA public key is neither SPKI nor PKCS#1 DER".into()))?;
    RsaPublicKey::from_components(n, e)
}

/// Fills `dest` with nonzero random bytes (the PKCS#1 v1.5 padding string).
fn fill_nonzero(dest: &mut [u8], rng: &mut OpRng) {
    rng.fill_bytes(dest);
    for b in dest.iter_mut() {
        while *b == 0 {
            let mut one = [0u8; 1];
            rng.fill_bytes(&mut one);
            let [byte] = one;
            *b = byte;
        }
    }
}

/// Encrypts `plaintext` (UTF-8) with PKCS#1 v1.5 and returns standard base64.
///
/// # Errors
/// [`Error::Crypto`] when the message is too long for the key.
pub fn encrypt(key: &RsaPublicKey, plaintext: &str, rng: &mut OpRng) -> Result<String, Error> {
    let msg = plaintext.as_bytes();
    let k = key.k;
    if msg.len().saturating_add(PADDING_OVERHEAD) > k {
        return Err(Error::Crypto("password is too long for the RSA key".into()));
    }
    // EM = 00 02 PS 00 M, |PS| = k - |M| - 3 >= 8. Wiped on drop, as the `rsa` crate does.
    let mut em = Zeroizing::new(Vec::with_capacity(k));
    em.extend_from_slice(&[0, 2]);
    em.resize(k - msg.len() - 1, 0);
    if let Some(ps) = em.get_mut(2..) {
        fill_nonzero(ps, rng);
    }
    em.push(0);
    em.extend_from_slice(msg);
    let cipher = key.raw_encrypt(&em).ok_or_else(|| Error::Crypto("RSA encryption failed".into()))?;
    Ok(base64_encode(&cipher))
}

thread_local! {
    /// The last key parsed by [`encrypt_password`]: parsing includes computing R² mod n.
    static LAST_KEY: LastKey<RsaPublicKey> = const { LastKey::new() };
}

/// Parses `public_key` (or takes it from the one-entry cache) and encrypts `plaintext` with it.
///
/// # Errors
/// See [`parse_public_key`] and [`encrypt`].
pub fn encrypt_password(public_key: &str, plaintext: &str, rng: &mut OpRng) -> Result<String, Error> {
    let key = LAST_KEY.with(|cache| cache.get_or_parse(public_key, parse_public_key))?;
    encrypt(&key, plaintext, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pkcs1::der::asn1::UintRef;
    use pkcs1::der::Encode;
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
    use rsa::traits::PublicKeyParts;
    use rsa::{BigUint, Pkcs1v15Encrypt, RsaPrivateKey};

    const PRIVATE: &str = include_str!("../../tests/fixtures/rsa-2048-private.pem");
    const SPKI: &str = include_str!("../../tests/fixtures/rsa-2048-spki.pem");
    const PKCS1: &str = include_str!("../../tests/fixtures/rsa-2048-pkcs1.pem");
    const PRIVATE_1024: &str = include_str!("../../tests/fixtures/rsa-1024-private.pem");
    const PRIVATE_3072: &str = include_str!("../../tests/fixtures/rsa-3072-private.pem");
    const PRIVATE_4096: &str = include_str!("../../tests/fixtures/rsa-4096-private.pem");
    const PRIVATE_E3: &str = include_str!("../../tests/fixtures/rsa-2048-e3-private.pem");

    fn decrypt_with(private: &str, b64: &str) -> String {
        let key = RsaPrivateKey::from_pkcs8_pem(private).unwrap();
        let bytes = base64_decode(b64, "c").unwrap();
        assert_eq!(bytes.len(), key.size(), "full-length ciphertext");
        String::from_utf8(key.decrypt(Pkcs1v15Encrypt, &bytes).unwrap()).unwrap()
    }

    fn decrypt(b64: &str) -> String {
        decrypt_with(PRIVATE, b64)
    }

    fn spki_of(private: &str) -> String {
        spki_of_key(&RsaPrivateKey::from_pkcs8_pem(private).unwrap())
    }

    fn spki_of_key(private: &RsaPrivateKey) -> String {
        private.to_public_key().to_public_key_pem(LineEnding::LF).unwrap()
    }

    fn body_of(pem: &str) -> String {
        pem.lines().filter(|l| !l.starts_with("-----")).collect()
    }

    /// PKCS#1 `RSAPublicKey` DER of arbitrary (possibly invalid) components, as hex.
    fn pkcs1_hex(n: &[u8], e: &[u8]) -> String {
        let der = pkcs1::RsaPublicKey { modulus: UintRef::new(n).unwrap(), public_exponent: UintRef::new(e).unwrap() }
            .to_der()
            .unwrap();
        crate::hex::hex_lower(&der)
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
        let hex = crate::hex::hex_lower(&der);
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
            assert_eq!(err.code(), crate::ErrorCode::Crypto, "{bad:?}: {err}");
        }
        let long = "x".repeat(246);
        let err = encrypt_password(SPKI, &long, &mut rng).unwrap_err();
        assert_eq!(err.to_string(), "crypto error: password is too long for the RSA key");
        assert!(encrypt_password(SPKI, &"x".repeat(245), &mut rng).is_ok());
    }

    #[test]
    fn known_answers_for_1024_to_4096_bit_keys_and_e_3() {
        for (private, bits) in
            [(PRIVATE_1024, 1024), (PRIVATE, 2048), (PRIVATE_3072, 3072), (PRIVATE_4096, 4096), (PRIVATE_E3, 2048)]
        {
            let spki = spki_of(private);
            let key = parse_public_key(&spki).unwrap();
            assert_eq!(key.size() * 8, bits);
            for (i, msg) in ["", "pw", "密码 pässword 123", &"y".repeat(bits / 8 - 11)].iter().enumerate() {
                let mut rng = OpRng::from_test_seed([i as u8 + 40; 32]);
                let c = encrypt_password(&spki, msg, &mut rng).unwrap();
                assert_eq!(c.len(), bits / 8 / 3 * 4 + if (bits / 8) % 3 == 0 { 0 } else { 4 });
                assert_eq!(decrypt_with(private, &c), *msg, "{bits}-bit key, message {i}");
            }
            let mut rng = OpRng::from_test_seed([7; 32]);
            let err = encrypt_password(&spki, &"y".repeat(bits / 8 - 10), &mut rng).unwrap_err();
            assert_eq!(err.to_string(), "crypto error: password is too long for the RSA key");
        }
        let e3 = RsaPrivateKey::from_pkcs8_pem(PRIVATE_E3).unwrap();
        assert_eq!(e3.e(), &BigUint::from(3u8));
    }

    #[test]
    fn invalid_moduli_and_exponents_are_rejected() {
        let private = RsaPrivateKey::from_pkcs8_pem(PRIVATE).unwrap();
        let n = private.n().to_bytes_be();
        let mut even = n.clone();
        *even.last_mut().unwrap() &= 0xfe;
        let small = [0xffu8; 63]; // 504 bits, odd
        let huge = {
            let mut h = vec![0xffu8; 1025]; // 8200 bits, odd
            h[0] = 0x01;
            h
        };
        let cases: [(&[u8], &[u8], &str); 8] = [
            (&even, &[1, 0, 1], "RSA modulus is even"),
            (&small, &[1, 0, 1], "RSA modulus is 504 bits; 512 to 8192 bits are supported"),
            (&huge, &[1, 0, 1], "RSA modulus is 8193 bits; 512 to 8192 bits are supported"),
            (&[0], &[1, 0, 1], "RSA modulus is 0 bits; 512 to 8192 bits are supported"),
            (&n, &[1], "RSA public exponent must be odd and between 3 and 2^33 - 1"),
            (&n, &[0], "RSA public exponent must be odd and between 3 and 2^33 - 1"),
            (&n, &[1, 0, 0], "RSA public exponent must be odd and between 3 and 2^33 - 1"),
            (&n, &[2, 0, 0, 0, 1], "RSA public exponent must be odd and between 3 and 2^33 - 1"),
        ];
        let mut rng = OpRng::from_test_seed([4; 32]);
        for (modulus, e, message) in cases {
            let err = encrypt_password(&pkcs1_hex(modulus, e), "pw", &mut rng).unwrap_err();
            assert_eq!(err.to_string(), format!("crypto error: {message}"), "{e:?}");
        }
        // Largest exponent accepted, and 512-bit / 8192-bit moduli accepted.
        assert!(parse_public_key(&pkcs1_hex(&n, &[1, 0xff, 0xff, 0xff, 0xff])).is_ok());
        let mut n512 = vec![0xffu8; 64];
        n512[0] = 0xc5;
        assert_eq!(parse_public_key(&pkcs1_hex(&n512, &[3])).unwrap().size(), 64);
        let mut n8192 = vec![0xffu8; 1024];
        n8192[0] = 0x80;
        assert_eq!(parse_public_key(&pkcs1_hex(&n8192, &[1, 0, 1])).unwrap().size(), 1024);
    }

    #[test]
    fn raw_rsa_matches_num_bigint_modpow_for_random_messages() {
        let mut seed_rng = OpRng::from_test_seed([77; 32]);
        for private in [PRIVATE_1024, PRIVATE, PRIVATE_E3, PRIVATE_3072, PRIVATE_4096] {
            let private = RsaPrivateKey::from_pkcs8_pem(private).unwrap();
            let key = parse_public_key(&spki_of_key(&private)).unwrap();
            let k = key.size();
            for round in 0..12 {
                let mut m = vec![0u8; k];
                seed_rng.fill_bytes(&mut m);
                // Full-size values just below n too, plus small edge values.
                match round {
                    0 => m.fill(0),
                    1 => {
                        m.fill(0);
                        *m.last_mut().unwrap() = 1;
                    }
                    2 => {
                        m = (private.n() - BigUint::from(1u8)).to_bytes_be();
                    }
                    _ => m[0] %= private.n().to_bytes_be()[0],
                }
                let ours = key.raw_encrypt(&m).unwrap();
                let expected = BigUint::from_bytes_be(&m).modpow(private.e(), private.n()).to_bytes_be();
                let mut padded = vec![0u8; k - expected.len()];
                padded.extend_from_slice(&expected);
                assert_eq!(ours, padded, "round {round}");
            }
            // Out of range: n itself, and the wrong length.
            assert!(key.raw_encrypt(&private.n().to_bytes_be()).is_none());
            assert!(key.raw_encrypt(&vec![0u8; k - 1]).is_none());
        }
    }

    #[test]
    fn spki_with_another_algorithm_is_rejected_and_the_cache_follows_the_key_text() {
        // A P-256 SPKI is not an RSA key.
        let ec = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf24w4EHAKuRsdC61wky2axT63td7\
                  lzMtY0WMdtltPkK4EqTyEFK7fdFbT1+nDGAcN5FZJz4cctMeCx6sXOozLA==";
        let err = parse_public_key(ec).unwrap_err();
        assert_eq!(err.to_string(), "crypto error: RSA public key is neither SPKI nor PKCS#1 DER");
        let mut rng = OpRng::from_test_seed([5; 32]);
        let other = spki_of(PRIVATE_1024);
        for _ in 0..2 {
            assert_eq!(decrypt(&encrypt_password(SPKI, "a", &mut rng).unwrap()), "a");
            assert_eq!(decrypt_with(PRIVATE_1024, &encrypt_password(&other, "b", &mut rng).unwrap()), "b");
        }
    }
}
