//! Server key material, generated once and kept in the `kv` table:
//! the RSA and SM2 password-encryption keys published by `/api/v3/system`,
//! the JWT signing secret and the OSS policy signing secret.

use base64::Engine;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};
use sm2::pke::DecryptingKey;

use crate::error::{ApiError, ApiResult};
use crate::store::{kv_get, kv_get_or_insert, Store};
use crate::util;

/// Symmetric secrets, cheap to create, loaded before the server listens.
pub struct Secrets {
    pub jwt: Vec<u8>,
    pub oss: Vec<u8>,
}

impl Secrets {
    pub fn load(store: &Store) -> Result<Self, String> {
        let conn = rusqlite::Connection::open(store.db_path()).map_err(|e| e.to_string())?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| e.to_string())?;
        let jwt = kv_get_or_insert(&conn, "jwt_secret", &util::random_hex(32)).map_err(|e| e.to_string())?;
        let oss = kv_get_or_insert(&conn, "oss_secret", &util::random_hex(32)).map_err(|e| e.to_string())?;
        Ok(Self {
            jwt: hex::decode(jwt).map_err(|e| e.to_string())?,
            oss: hex::decode(oss).map_err(|e| e.to_string())?,
        })
    }
}

/// Asymmetric password-encryption keys (RSA generation is slow in debug
/// builds, so they are created lazily on a blocking thread).
pub struct KeyRing {
    rsa: RsaPrivateKey,
    pub rsa_public_pem: String,
    sm2: DecryptingKey,
    pub sm2_public_hex: String,
}

impl KeyRing {
    pub async fn load_or_create(store: &Store) -> ApiResult<Self> {
        let existing =
            store.call(|conn| Ok((kv_get(conn, "rsa_private_pkcs8")?, kv_get(conn, "sm2_private_hex")?))).await?;
        let (rsa_pem, sm2_hex) = match existing {
            (Some(r), Some(s)) => (r, s),
            (r, s) => {
                let fresh = tokio::task::spawn_blocking(move || -> ApiResult<(String, String)> {
                    let rsa_pem = match r {
                        Some(r) => r,
                        None => generate_rsa()?,
                    };
                    let sm2_hex = match s {
                        Some(s) => s,
                        None => generate_sm2(),
                    };
                    Ok((rsa_pem, sm2_hex))
                })
                .await
                .map_err(|_| ApiError::internal("key generation failed"))??;
                store
                    .call(move |conn| {
                        let r = kv_get_or_insert(conn, "rsa_private_pkcs8", &fresh.0)?;
                        let s = kv_get_or_insert(conn, "sm2_private_hex", &fresh.1)?;
                        Ok((r, s))
                    })
                    .await?
            }
        };
        Self::from_stored(&rsa_pem, &sm2_hex)
    }

    fn from_stored(rsa_pem: &str, sm2_hex: &str) -> ApiResult<Self> {
        let rsa =
            RsaPrivateKey::from_pkcs8_pem(rsa_pem).map_err(|_| ApiError::internal("stored RSA key is unreadable"))?;
        let rsa_public_pem = rsa
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| ApiError::internal("cannot encode RSA public key"))?;
        let sm2_bytes = hex::decode(sm2_hex).map_err(|_| ApiError::internal("stored SM2 key is unreadable"))?;
        let sm2 = DecryptingKey::from_slice(&sm2_bytes).map_err(|_| ApiError::internal("stored SM2 key is invalid"))?;
        let sm2_public_hex = hex::encode(sm2.encrypting_key().to_sec1_bytes());
        Ok(Self { rsa, rsa_public_pem, sm2, sm2_public_hex })
    }

    /// PKCS#1 v1.5 decryption of a base64 ciphertext. JSEncrypt sometimes
    /// emits a ciphertext one byte short; it is left-padded like OpenSSL does.
    pub fn rsa_decrypt(&self, b64: &str) -> Option<String> {
        let cleaned: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
        let mut ct = base64::engine::general_purpose::STANDARD
            .decode(cleaned.as_bytes())
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(cleaned.trim_end_matches('=')))
            .ok()?;
        let k = rsa::traits::PublicKeyParts::size(&self.rsa);
        if ct.is_empty() || ct.len() > k {
            return None;
        }
        if ct.len() < k {
            let mut padded = vec![0u8; k - ct.len()];
            padded.extend_from_slice(&ct);
            ct = padded;
        }
        let plain = self.rsa.decrypt(Pkcs1v15Encrypt, &ct).ok()?;
        util::decode_utf8_or_cesu8(&plain)
    }

    /// SM2 C1C3C2 decryption of a hex ciphertext. The SDKs send C1 without
    /// its `04` prefix; a ciphertext that already carries it is accepted too.
    pub fn sm2_decrypt(&self, hex_ct: &str) -> Option<String> {
        let raw = hex::decode(hex_ct.trim()).ok()?;
        if raw.is_empty() {
            return None;
        }
        let mut prefixed = Vec::with_capacity(raw.len() + 1);
        prefixed.push(0x04);
        prefixed.extend_from_slice(&raw);
        let plain = self
            .sm2
            .decrypt(&prefixed)
            .ok()
            .or_else(|| (raw[0] == 0x04).then(|| self.sm2.decrypt(&raw).ok()).flatten())?;
        String::from_utf8(plain).ok()
    }
}

fn generate_rsa() -> ApiResult<String> {
    let mut rng = rand::rngs::OsRng;
    let key = RsaPrivateKey::new(&mut rng, 2048).map_err(|_| ApiError::internal("RSA key generation failed"))?;
    let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|_| ApiError::internal("RSA key encoding failed"))?;
    Ok(pem.to_string())
}

fn generate_sm2() -> String {
    loop {
        let bytes = util::random_bytes::<32>();
        if DecryptingKey::from_slice(&bytes).is_ok() {
            return hex::encode(bytes);
        }
    }
}
