//! The DER an RSA public key comes in: SPKI (`SubjectPublicKeyInfo` with `rsaEncryption`) or
//! PKCS#1 `RSAPublicKey`, read strictly (definite minimal lengths, minimal non-negative INTEGERs,
//! nothing trailing).
//!
//! Hand-written instead of the `spki`/`pkcs1`/`der` crates: two fixed structures need ~100 lines,
//! where the crates' generic decoders cost ~10 KB of wasm. The tests check it against those
//! crates (dev-dependencies) on valid and mangled keys.

/// `rsaEncryption` (1.2.840.113549.1.1.1), the content octets of its OBJECT IDENTIFIER.
const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;

/// A reader over DER bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// One TLV with tag `tag`: its content.
    fn tlv(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (&t, rest) = self.0.split_first()?;
        if t != tag {
            return None;
        }
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            // Long form: 1 to 4 length bytes, no leading zero, and only for lengths >= 128.
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return None;
            }
            let (bytes, tail) = rest.split_at_checked(n)?;
            rest = tail;
            if bytes.first() == Some(&0) {
                return None;
            }
            let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len < 0x80 {
                return None;
            }
            len
        };
        let (content, tail) = rest.split_at_checked(len)?;
        self.0 = tail;
        Some(content)
    }

    /// A non-negative, minimally encoded INTEGER: its magnitude without the sign byte.
    fn uint(&mut self) -> Option<&'a [u8]> {
        let c = self.tlv(INTEGER)?;
        match c {
            [] => None,
            [b, ..] if b & 0x80 != 0 => None,
            [0, b, ..] if b & 0x80 == 0 => None,
            [0, rest @ ..] if !rest.is_empty() => Some(rest),
            _ => Some(c),
        }
    }

    /// `Some(())` when nothing is left.
    fn end(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }
}

/// One whole structure `SEQUENCE { ... }` and nothing after it: a reader over its content.
fn sequence(der: &[u8]) -> Option<Reader<'_>> {
    let mut r = Reader(der);
    let content = r.tlv(SEQUENCE)?;
    r.end()?;
    Some(Reader(content))
}

/// PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
fn pkcs1(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut r = sequence(der)?;
    let n = r.uint()?;
    let e = r.uint()?;
    r.end()?;
    Some((n, e))
}

/// SPKI: `SEQUENCE { SEQUENCE { OID rsaEncryption, NULL or absent }, BIT STRING (RSAPublicKey) }`.
/// `Err(())` when it is SPKI of another algorithm (not to be read as PKCS#1 either).
fn spki(der: &[u8]) -> Option<Result<&[u8], ()>> {
    let mut r = sequence(der)?;
    let mut alg = Reader(r.tlv(SEQUENCE)?);
    let oid = alg.tlv(OID)?;
    let params_ok = match alg.0 {
        [] => true,
        _ => alg.tlv(NULL)?.is_empty() && alg.end().is_some(),
    };
    let bits = r.tlv(BIT_STRING)?;
    r.end()?;
    if oid != RSA_ENCRYPTION_OID || !params_ok {
        return Some(Err(()));
    }
    match bits {
        [0, key @ ..] => Some(Ok(key)),
        _ => Some(Err(())),
    }
}

/// The (modulus, exponent) magnitudes of an SPKI or PKCS#1 RSA public key, big-endian.
pub fn rsa_public_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    match spki(der) {
        Some(Ok(key)) => pkcs1(key),
        Some(Err(())) => None,
        None => pkcs1(der),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::encoding::base64_decode;
    use pkcs1::der::asn1::{AnyRef, Null};
    use pkcs1::der::Decode;
    use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

    /// The oracle: what the `spki` / `pkcs1` crates read from the same bytes.
    fn crates(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
        let key = if let Ok(spki) = SubjectPublicKeyInfoRef::try_from(der) {
            if spki.algorithm.oid != RSA || spki.algorithm.parameters.is_some_and(|p| p != AnyRef::from(Null)) {
                return None;
            }
            pkcs1::RsaPublicKey::from_der(spki.subject_public_key.as_bytes()?).ok()?
        } else {
            pkcs1::RsaPublicKey::from_der(der).ok()?
        };
        Some((key.modulus.as_bytes().to_vec(), key.public_exponent.as_bytes().to_vec()))
    }

    fn ours(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        rsa_public_key(der).map(|(n, e)| (n.to_vec(), e.to_vec()))
    }

    fn der_of(pem: &str) -> Vec<u8> {
        base64_decode(&pem.lines().filter(|l| !l.starts_with("-----")).collect::<String>(), "k").unwrap()
    }

    #[test]
    fn reads_what_the_crates_read_from_valid_and_mangled_keys() {
        let keys = [
            der_of(include_str!("../../tests/fixtures/rsa-2048-spki.pem")),
            der_of(include_str!("../../tests/fixtures/rsa-2048-pkcs1.pem")),
            // P-256 SPKI: not RSA.
            base64_decode(
                "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf24w4EHAKuRsdC61wky2axT63td7\
                 lzMtY0WMdtltPkK4EqTyEFK7fdFbT1+nDGAcN5FZJz4cctMeCx6sXOozLA==",
                "k",
            )
            .unwrap(),
        ];
        assert!(ours(&keys[0]).is_some() && ours(&keys[0]) == ours(&keys[1]));
        let mut cases = 0;
        for key in &keys {
            let mut check = |bytes: &[u8]| {
                assert_eq!(ours(bytes), crates(bytes), "{bytes:02x?}");
                cases += 1;
            };
            check(key);
            for cut in 0..key.len().min(40) {
                check(&key[..cut]);
            }
            let mut extended = key.clone();
            extended.push(0);
            check(&extended);
            // Every byte of the headers (and a few of the body), each replaced by a handful of values.
            for i in (0..key.len().min(48)).chain([key.len() / 2, key.len() - 1]) {
                for v in [0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x30, 0x7f, 0x80, 0x81, 0x82, 0x83, 0xff] {
                    let mut m = key.clone();
                    m[i] = v;
                    check(&m);
                }
            }
        }
        assert!(cases > 1500);
    }

    #[test]
    fn integers_must_be_minimal_and_non_negative() {
        let pkcs1 = |n: &[u8], e: &[u8]| {
            let mut body = vec![INTEGER, n.len() as u8];
            body.extend_from_slice(n);
            body.extend_from_slice(&[INTEGER, e.len() as u8]);
            body.extend_from_slice(e);
            let mut der = vec![SEQUENCE, body.len() as u8];
            der.extend_from_slice(&body);
            der
        };
        for (n, e) in [
            (&[0x00, 0x80, 0x01][..], &[0x03][..]),
            (&[0x00, 0x01], &[0x03]),
            (&[0x81], &[0x03]),
            (&[], &[0x03]),
            (&[0x7f], &[0x00]),
        ] {
            let der = pkcs1(n, e);
            assert_eq!(ours(&der), crates(&der), "{n:02x?} {e:02x?}");
        }
        assert_eq!(ours(&pkcs1(&[0x00, 0x80, 0x01], &[0x03])), Some((vec![0x80, 0x01], vec![0x03])));
        assert_eq!(ours(&pkcs1(&[0x00, 0x01], &[0x03])), None);
    }
}
