//! `loginByPassword` (§6.3) and `updatePassword` (§6.8) bodies, and the public-key lookup (§8.1).

use super::transport::bad_response;
use crate::error::Error;
use crate::json::{Json, Obj};

/// How a password is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncryptType {
    /// RSA PKCS#1 v1.5, base64.
    Rsa,
    /// SM2 C1C3C2, lowercase hex without `04`.
    Sm2,
}

impl EncryptType {
    /// `rsa` / `sm2`: the key under which `/api/v3/system` lists the public key.
    pub fn as_str(self) -> &'static str {
        match self {
            EncryptType::Rsa => "rsa",
            EncryptType::Sm2 => "sm2",
        }
    }

    /// Reads a `passwordEncryptType` value. Absent, falsy and `"none"` mean plaintext (as in the
    /// official SDK); anything other than `rsa`/`sm2` is rejected before any request (the official
    /// SDK would fetch the keys and fail with "get public key error: {}").
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for an unknown type.
    pub fn from_option(v: Option<&Json>) -> Result<Option<EncryptType>, Error> {
        match v {
            None => Ok(None),
            Some(v) if !v.truthy() => Ok(None),
            Some(Json::String(s)) if s == "none" => Ok(None),
            Some(Json::String(s)) if s == "rsa" => Ok(Some(EncryptType::Rsa)),
            Some(Json::String(s)) if s == "sm2" => Ok(Some(EncryptType::Sm2)),
            Some(_) => {
                Err(Error::invalid("passwordEncryptType", "passwordEncryptType must be \"none\", \"rsa\" or \"sm2\""))
            }
        }
    }
}

/// The public key of `kind` in a `/api/v3/system` body (top level, no envelope).
///
/// # Errors
/// `BAD_RESPONSE` with the official SDK's message when it is not a string.
pub fn public_key_of(system: &Json, kind: EncryptType) -> Result<String, Error> {
    match system.get(kind.as_str()).and_then(|k| k.get("publicKey")) {
        Some(Json::String(pk)) if !pk.trim().is_empty() => Ok(pk.clone()),
        _ => Err(bad_response(
            None,
            format!("publicKey of {} is not a string, please contact the administrator", kind.as_str()),
            None,
        )),
    }
}

/// Validated `loginByPassword` input: the payload's password and the requested encryption.
pub struct PasswordLogin {
    /// The caller's object, as given.
    pub input: Obj,
    /// `options.passwordEncryptType`.
    pub encrypt: Option<EncryptType>,
}

impl PasswordLogin {
    /// Checks the input.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when `passwordPayload.password` is not a string, or for an unknown
    /// encryption type.
    pub fn parse(input: Obj) -> Result<PasswordLogin, Error> {
        if input.get_obj("passwordPayload").and_then(|p| p.get_str("password")).is_none() {
            return Err(Error::invalid("passwordPayload.password", "passwordPayload.password is required"));
        }
        let encrypt = EncryptType::from_option(input.get_obj("options").and_then(|o| o.get("passwordEncryptType")))?;
        Ok(PasswordLogin { input, encrypt })
    }

    /// The password as given.
    pub fn password(&self) -> &str {
        self.input.get_obj("passwordPayload").and_then(|p| p.get_str("password")).unwrap_or_default()
    }

    /// `{...data, connection: 'PASSWORD'}` with the password replaced by `cipher` when encrypted.
    /// The caller's object is not mutated (the official SDK writes the ciphertext into it).
    pub fn body(&self, cipher: Option<String>) -> Obj {
        let mut body = self.input.clone();
        if let (Some(cipher), Some(Json::Object(payload))) = (cipher, body.get_mut("passwordPayload")) {
            payload.set("password", Json::String(cipher));
        }
        body.set("connection", Json::str("PASSWORD"));
        body
    }
}

/// Validated `updatePassword` input.
pub struct PasswordUpdate {
    /// The caller's object, as given.
    pub input: Obj,
    /// `passwordEncryptType`.
    pub encrypt: Option<EncryptType>,
}

impl PasswordUpdate {
    /// Checks the input.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when `newPassword` is not a string, or for an unknown encryption type.
    pub fn parse(input: Obj) -> Result<PasswordUpdate, Error> {
        if input.get_str("newPassword").is_none() {
            return Err(Error::invalid("newPassword", "newPassword is required"));
        }
        let encrypt = EncryptType::from_option(input.get("passwordEncryptType"))?;
        Ok(PasswordUpdate { input, encrypt })
    }

    /// The new password as given.
    pub fn new_password(&self) -> &str {
        self.input.get_str("newPassword").unwrap_or_default()
    }

    /// The input with `newPassword` replaced by `cipher`. `oldPassword` stays plaintext, as the
    /// official SDK sends it and the server expects it.
    pub fn body(&self, cipher: Option<String>) -> Obj {
        let mut body = self.input.clone();
        if let Some(cipher) = cipher {
            body.set("newPassword", Json::String(cipher));
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::json::test_obj as obj;

    #[test]
    fn connection_is_forced_and_the_ciphertext_replaces_the_password_in_place() {
        let l = PasswordLogin::parse(obj(
            r#"{"connection":"X","passwordPayload":{"password":"p","username":"bob"},"options":{"passwordEncryptType":"rsa"}}"#,
        ))
        .unwrap();
        assert_eq!(l.encrypt, Some(EncryptType::Rsa));
        assert_eq!(
            l.body(Some("C".into())).to_text(),
            r#"{"connection":"PASSWORD","passwordPayload":{"password":"C","username":"bob"},"options":{"passwordEncryptType":"rsa"}}"#
        );
        assert_eq!(l.password(), "p");
    }

    #[test]
    fn encrypt_types() {
        for (v, t) in [("\"none\"", None), ("\"\"", None), ("null", None), ("\"sm2\"", Some(EncryptType::Sm2))] {
            assert_eq!(EncryptType::from_option(Some(&Json::parse(v).unwrap())).unwrap(), t);
        }
        assert!(EncryptType::from_option(Some(&Json::str("RSA"))).is_err());
    }

    #[test]
    fn public_keys_are_read_from_the_top_level() {
        let sys = Json::parse(r#"{"rsa":{"publicKey":"K"},"sm2":{"publicKey":3}}"#).unwrap();
        assert_eq!(public_key_of(&sys, EncryptType::Rsa).unwrap(), "K");
        assert_eq!(
            crate::authing::outcome::message(&public_key_of(&sys, EncryptType::Sm2).unwrap_err()),
            "publicKey of sm2 is not a string, please contact the administrator"
        );
    }
}
