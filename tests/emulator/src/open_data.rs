//! WeChat-style encrypted open data (`wx.getUserInfo`'s and `tt.getUserInfo`'s
//! `encryptedData` / `iv`): AES-128-CBC with PKCS#7 padding, the key being
//! the session key of the user's login code, `encryptedData` and `iv` in
//! base64, the plaintext a JSON object with a `watermark: {appid, timestamp}`.
//!
//! The emulator's session key of a login code is HMAC-SHA256(server secret,
//! platform | code) cut to 16 bytes: the platform stand-in encrypts with it
//! (`/__platform/{wx,tt}/encrypted-data`) and the Authing decrypt endpoints
//! recompute it from the code they are given.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type Enc = cbc::Encryptor<aes::Aes128>;
type Dec = cbc::Decryptor<aes::Aes128>;

pub fn session_key(secret: &[u8], platform: &str, code: &str) -> [u8; 16] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(format!("session_key|{platform}|{code}").as_bytes());
    let full = mac.finalize().into_bytes();
    let mut key = [0u8; 16];
    key.copy_from_slice(&full[..16]);
    key
}

/// `(encryptedData, iv)`, both base64.
pub fn encrypt(key: &[u8; 16], plaintext: &[u8]) -> (String, String) {
    let iv = crate::util::random_bytes::<16>();
    let ct = Enc::new(key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    (STANDARD.encode(ct), STANDARD.encode(iv))
}

/// Why open data could not be decrypted, with WeChat's error codes.
#[derive(Debug, PartialEq, Eq)]
pub enum OpenDataError {
    /// -41002: the iv is not 16 bytes of base64.
    BadIv,
    /// -41003: not base64, not whole blocks, bad padding, or not a JSON object.
    BadData,
}

impl OpenDataError {
    pub fn describe(&self) -> (i64, &'static str) {
        match self {
            OpenDataError::BadIv => (-41002, "iv is illegal"),
            OpenDataError::BadData => (-41003, "aes decrypt failed"),
        }
    }
}

/// A well-formed `(encryptedData, iv)`: base64, whole AES blocks, a 16-byte iv.
pub struct Sealed {
    ct: Vec<u8>,
    iv: [u8; 16],
}

impl Sealed {
    pub fn parse(encrypted_b64: &str, iv_b64: &str) -> Result<Self, OpenDataError> {
        let iv: [u8; 16] =
            STANDARD.decode(iv_b64.trim()).ok().and_then(|v| v.try_into().ok()).ok_or(OpenDataError::BadIv)?;
        let ct = STANDARD.decode(encrypted_b64.trim()).map_err(|_| OpenDataError::BadData)?;
        if ct.is_empty() || ct.len() % 16 != 0 {
            return Err(OpenDataError::BadData);
        }
        Ok(Self { ct, iv })
    }

    /// The JSON object inside, if `key` opens it.
    pub fn open(&self, key: &[u8; 16]) -> Result<serde_json::Map<String, serde_json::Value>, OpenDataError> {
        let plain = Dec::new(key.into(), &self.iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(&self.ct)
            .map_err(|_| OpenDataError::BadData)?;
        match serde_json::from_slice(&plain) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            _ => Err(OpenDataError::BadData),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decrypt(
        key: &[u8; 16],
        data: &str,
        iv: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>, OpenDataError> {
        Sealed::parse(data, iv)?.open(key)
    }

    #[test]
    fn round_trip_and_failures() {
        let key = session_key(b"secret", "wx", "code-1");
        assert_ne!(key, session_key(b"secret", "wx", "code-2"));
        assert_ne!(key, session_key(b"secret", "tt", "code-1"));
        let (data, iv) = encrypt(&key, br#"{"openId":"o1","watermark":{"appid":"wx1","timestamp":1}}"#);
        let m = decrypt(&key, &data, &iv).unwrap();
        assert_eq!(m["openId"], "o1");
        let other = session_key(b"secret", "wx", "code-2");
        assert_eq!(decrypt(&other, &data, &iv).err(), Some(OpenDataError::BadData));
        assert_eq!(decrypt(&key, &data, "AAAA").err(), Some(OpenDataError::BadIv));
        assert_eq!(decrypt(&key, "not base64!", &iv).err(), Some(OpenDataError::BadData));
        assert_eq!(decrypt(&key, "", &iv).err(), Some(OpenDataError::BadData));
        assert_eq!(decrypt(&key, "AAAA", &iv).err(), Some(OpenDataError::BadData));
        // An independent vector (openssl enc -aes-128-cbc -K 00..0f -iv 0f..00 of {"a":1}).
        let key: [u8; 16] = std::array::from_fn(|i| i as u8);
        let m = decrypt(&key, "m6h0U6ISydTuCdhYw0DM0Q==", "Dw4NDAsKCQgHBgUEAwIBAA==").unwrap();
        assert_eq!(serde_json::Value::Object(m), serde_json::json!({"a": 1}));
    }
}
