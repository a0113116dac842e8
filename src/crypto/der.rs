//! The DER an RSA public key comes in: SPKI (`SubjectPublicKeyInfo` with `rsaEncryption`) or
//! PKCS#1 `RSAPublicKey`, read with the `spki` / `pkcs1` crates.

use pkcs1::der::asn1::{AnyRef, Null};
use pkcs1::der::Decode;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

/// `rsaEncryption` (PKCS#1), the SPKI algorithm of an RSA public key.
const RSA_ENCRYPTION_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Reads SPKI DER (`rsaEncryption`) or PKCS#1 `RSAPublicKey` DER.
fn parse_der(der: &[u8]) -> Option<pkcs1::RsaPublicKey<'_>> {
    if let Ok(spki) = SubjectPublicKeyInfoRef::try_from(der) {
        if spki.algorithm.oid != RSA_ENCRYPTION_OID {
            return None;
        }
        // The parameters must be NULL (RFC 8017); an absent field is tolerated.
        if spki.algorithm.parameters.is_some_and(|p| p != AnyRef::from(Null)) {
            return None;
        }
        return pkcs1::RsaPublicKey::from_der(spki.subject_public_key.as_bytes()?).ok();
    }
    pkcs1::RsaPublicKey::from_der(der).ok()
}

/// The (modulus, exponent) magnitudes of an SPKI or PKCS#1 RSA public key, big-endian.
pub fn rsa_public_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let k = parse_der(der)?;
    Some((k.modulus.as_bytes(), k.public_exponent.as_bytes()))
}
