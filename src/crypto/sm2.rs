//! SM2 public-key encryption of passwords, as `@authing/miniapp-sm2encrypt` (sm-crypto, cipher
//! mode 1) does it: C1C3C2 order, lowercase hex, without the leading `04` of C1.
//!
//! Accepted key forms: uncompressed `04‖x‖y` hex (130 digits), the same without `04` (128 digits,
//! which the official add-on crashes on), and compressed `02`/`03‖x` hex (66 digits).

use super::encoding::hex_decode;
use super::key_cache::LastKey;
use super::rng::OpRng;
use super::sm2_table::{affine_pair, FixedBase};
use super::sm3::Sm3;
use crate::error::Error;
use crate::hex::hex_lower;
use sm2::elliptic_curve::{Generate, NonZeroScalar};
use sm2::{AffinePoint, Sm2};

/// A parsed SM2 public key. After its first use it builds a fixed-base table (see
/// [`super::sm2_table`]), so a key used again (a retried login, a password change, a benchmark)
/// encrypts about four times as fast, while a one-off login does not pay for the table.
pub struct Sm2Key {
    base: FixedBase,
}

impl core::fmt::Debug for Sm2Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sm2Key").field("table", &self.base.has_table()).finish_non_exhaustive()
    }
}

thread_local! {
    /// The generator `G`, with the same build-on-second-use table as the keys.
    static GENERATOR: FixedBase = FixedBase::new(&AffinePoint::GENERATOR);
}

/// Parses an SM2 public key from hex.
///
/// # Errors
/// [`Error::Crypto`] when the text is not hex of a point on the SM2 curve.
pub fn parse_public_key(text: &str) -> Result<Sm2Key, Error> {
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
    // The point from x and the parity of y (02/03, or the parity of the given y), then, for an
    // uncompressed key, the given y must be the curve's: off-curve encodings and coordinates
    // >= p are rejected, and the identity has no such encoding. Done on the tables' field
    // arithmetic rather than through `PublicKey::from_sec1_bytes` (whose SEC1/DER plumbing, and
    // the crate's decompression and inversion, cost ~7 KB of wasm). The SM2 cofactor is 1, so any
    // such point is in the prime-order group and no `[h]P` check is needed.
    let not_on_curve = || Error::Crypto("SM2 public key is not a point on the curve".into());
    let (x, y) = (bytes.get(1..33).unwrap_or_default(), bytes.get(33..).unwrap_or_default());
    let y_is_odd = match bytes.first() {
        Some(0x03) => true,
        Some(0x04) => y.last().is_some_and(|b| b & 1 == 1),
        _ => false,
    };
    let x: [u8; 32] = x.try_into().map_err(|_| not_on_curve())?;
    let (base, curve_y) = FixedBase::from_x(&x, y_is_odd).ok_or_else(not_on_curve)?;
    if !y.is_empty() && curve_y != y {
        return Err(not_on_curve());
    }
    Ok(Sm2Key { base })
}

/// Tries before giving up on an all-zero key stream (probability about 2^-256 per try).
const MAX_TRIES: usize = 4;

/// Encrypts `plaintext` (UTF-8) per GB/T 32918.4 with SM3 and returns C1C3C2 lowercase hex
/// without the `04` prefix of C1, as sm-crypto's `doEncrypt(msg, key, 1)` does.
///
/// # Errors
/// [`Error::Crypto`] for an empty plaintext (the standard's key-stream check cannot hold).
pub fn encrypt(key: &Sm2Key, plaintext: &str, rng: &mut OpRng) -> Result<String, Error> {
    let msg = plaintext.as_bytes();
    if msg.is_empty() {
        return Err(Error::Crypto("SM2 cannot encrypt an empty password".into()));
    }
    for _ in 0..MAX_TRIES {
        let Ok(k) = NonZeroScalar::<Sm2>::try_generate_from_rng(rng);
        if let Some(cipher) = encrypt_with_k(key, msg, &k)? {
            return Ok(cipher);
        }
    }
    Err(Error::Crypto("SM2 encryption failed: the key stream stayed all zero".into()))
}

/// Steps A2-A8 for one ephemeral `k`: the C1C3C2 hex, or `None` when the key stream is all zero
/// (the caller draws another `k`).
fn encrypt_with_k(key: &Sm2Key, msg: &[u8], k: &NonZeroScalar<Sm2>) -> Result<Option<String>, Error> {
    // A2-A4: C1 = [k]G, (x2, y2) = [k]P; both made affine with one inversion.
    let (c1, shared) = (GENERATOR.with(|g| g.mul(k)), key.base.mul(k));
    let Some([c1_x, c1_y, x2, y2]) = affine_pair(&c1, &shared) else {
        return Err(Error::Crypto("SM2 point multiplication gave the identity".into()));
    };
    // A5-A6: t = KDF(x2 || y2, klen); C2 = M xor t; retry if t is all zero.
    let mut c2 = msg.to_vec();
    for (counter, block) in (1u32..).zip(c2.chunks_mut(32)) {
        let t = Sm3::new().update(&x2).update(&y2).update(&counter.to_be_bytes()).finalize();
        block.iter_mut().zip(t.iter()).for_each(|(c, t)| *c ^= t);
    }
    if c2 == msg {
        return Ok(None);
    }
    // A7: C3 = SM3(x2 || M || y2).
    let c3 = Sm3::new().update(&x2).update(msg).update(&y2).finalize();
    let mut out = Vec::with_capacity(2 * c1_x.len() + c3.len() + c2.len());
    out.extend_from_slice(&c1_x);
    out.extend_from_slice(&c1_y);
    out.extend_from_slice(&c3);
    out.extend_from_slice(&c2);
    Ok(Some(hex_lower(&out)))
}

thread_local! {
    /// The last key used: keeping it is what lets its fixed-base table pay off.
    static LAST_KEY: LastKey<Sm2Key> = const { LastKey::new() };
}

/// Encrypts `plaintext` with the key in `public_key`, parsing it only when it differs from the
/// last key used.
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
    use sm2::pke::{DecryptingKey, EncryptingKey, Mode};
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
            assert_eq!(err.code(), crate::ErrorCode::Crypto, "{bad:?}: {err}");
        }
    }

    #[test]
    fn accepts_exactly_the_keys_the_sm2_crate_accepts() {
        let (sk, _) = keypair(5);
        let full = sk.public_key().to_sec1_bytes().to_vec();
        let mut compressed = vec![2 + (full[64] & 1)];
        compressed.extend_from_slice(&full[1..33]);
        let mut cases = vec![full.clone(), compressed.clone()];
        for (key, positions) in [(&full, [1usize, 16, 32, 33, 50, 64]), (&compressed, [0, 1, 2, 16, 31, 32])] {
            for i in positions {
                for v in [0x00u8, 0x01, 0x7f, 0x80, 0xfe, 0xff] {
                    let mut m = key.clone();
                    m[i] = v;
                    cases.push(m);
                }
                let mut m = key.clone();
                m[i] ^= 1;
                cases.push(m);
            }
        }
        // Coordinates at or above p.
        cases.push([&[4u8][..], &[0xff; 64]].concat());
        cases.push([&[2u8][..], &[0xff; 32]].concat());
        for bytes in cases {
            let ours = parse_public_key(&hex_lower(&bytes)).is_ok();
            let theirs = sm2::PublicKey::from_sec1_bytes(&bytes).is_ok();
            assert_eq!(ours, theirs, "{}", hex_lower(&bytes));
        }
    }

    #[test]
    fn ciphertexts_equal_the_sm2_crates_for_the_same_randomness_with_and_without_the_table() {
        let (sk, pk) = keypair(9);
        let key = parse_public_key(&pk).unwrap();
        let reference = EncryptingKey::new_with_mode(sk.public_key(), Mode::C1C3C2);
        for (i, msg) in
            ["p", "口令 pass", &"x".repeat(31), &"y".repeat(32), &"z".repeat(33), &"w".repeat(200)].iter().enumerate()
        {
            let seed = [i as u8 + 40; 32];
            let expected = reference.encrypt(&mut OpRng::from_test_seed(seed), msg.as_bytes()).unwrap();
            assert_eq!(expected.first(), Some(&0x04));
            let expected = hex_lower(&expected[1..]);
            // First use: the generic ladder; from the second on: the fixed-base table.
            for _ in 0..3 {
                assert_eq!(encrypt(&key, msg, &mut OpRng::from_test_seed(seed)).unwrap(), expected, "{msg:?}");
            }
            assert_eq!(decrypt(&sk, &expected), *msg);
        }
        assert!(format!("{key:?}").contains("table: true"));
    }

    // The published example of GM/T 0003.5-2012 Annex C on the recommended curve: private key,
    // message "encryption standard" and ephemeral k fixed, the ciphertext known. It pins our
    // encryption to the standard, not to the `sm2` crate (which the test above compares with).
    #[test]
    fn the_standards_known_answer_vector_with_a_fixed_k() {
        use sm2::elliptic_curve::ops::Reduce;
        use sm2::{Scalar, U256};
        let sk = SecretKey::from_slice(
            &hex_decode("3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8", "d").unwrap(),
        )
        .unwrap();
        let pk = hex_lower(&sk.public_key().to_sec1_bytes());
        assert_eq!(
            pk,
            "0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020\
             ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
        );
        let k = U256::from_be_hex("59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21");
        let k = NonZeroScalar::new(<Scalar as Reduce<U256>>::reduce(&k)).into_option().unwrap();
        let expected = "04ebfc718e8d1798620432268e77feb6415e2ede0e073c0f4f640ecd2e149a73\
                        e858f9d81e5430a57b36daab8f950a3c64e6ee6a63094d99283aff767e124df0\
                        59983c18f809e262923c53aec295d30383b54e39d609d160afcb1908d0bd8766\
                        21886ca989ca9c7d58087307ca93092d651efa";
        let key = parse_public_key(&pk).unwrap();
        // Three times: the ladder on first use, the fixed-base tables after.
        for _ in 0..3 {
            assert_eq!(encrypt_with_k(&key, b"encryption standard", &k).unwrap().as_deref(), Some(expected));
        }
        assert_eq!(decrypt(&sk, expected), "encryption standard");
    }

    #[test]
    fn fresh_randomness_gives_fresh_ciphertexts_and_the_key_cache_follows_the_key_text() {
        let (sk_a, pk_a) = keypair(3);
        let (sk_b, pk_b) = keypair(4);
        let mut rng = OpRng::from_test_seed([5; 32]);
        let mut seen = std::collections::HashSet::new();
        for pk in [&pk_a, &pk_b, &pk_a, &pk_a, &pk_b] {
            let c = encrypt_password(pk, "pw", &mut rng).unwrap();
            let sk = if pk == &pk_a { &sk_a } else { &sk_b };
            assert_eq!(decrypt(sk, &c), "pw");
            assert!(seen.insert(c), "a ciphertext repeated");
        }
    }

    #[test]
    fn an_empty_password_is_refused() {
        let (_, pk) = keypair(6);
        let err = encrypt_password(&pk, "", &mut OpRng::from_test_seed([1; 32])).unwrap_err();
        assert_eq!(err.to_string(), "crypto error: SM2 cannot encrypt an empty password");
    }
}
