//! The account methods of 5.1.18 that post the caller's object to one endpoint: `sendEmailCode`,
//! the bind / update email and phone flows, the delete-account pair and `decryptData`. Each is a
//! [`Flow`] constant (listed with its JS name in [`FLOWS`], by which src/wasm/authing_js.rs picks
//! it): its endpoint, whether it needs the access token, the
//! fields the SDK checks before any request (the official SDK checks none and lets the server
//! refuse) and what it does besides posting.

use super::config::Platform;
use super::password::EncryptType;
use crate::error::Error;
use crate::json::{Json, Obj};

/// One account flow.
pub struct Flow {
    /// The endpoint.
    pub path: &'static str,
    /// Whether the request carries `Authorization` (and so needs a login).
    pub token: bool,
    /// Fields that must be non-empty.
    pub required: &'static [&'static str],
    /// What the flow does besides posting the input.
    pub effect: Effect,
}

/// What a flow does besides posting the input.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Effect {
    /// Nothing.
    None,
    /// Encrypts `passwordPayload.password` when asked (`deleteAccountRequest`).
    EncryptPassword,
    /// Forgets the stored state once the server agreed (`deleteAccount`).
    ForgetState,
}

const fn flow(path: &'static str, required: &'static [&'static str]) -> Flow {
    Flow { path, token: true, required, effect: Effect::None }
}

/// `sendEmailCode`.
pub const SEND_EMAIL_CODE: Flow = Flow { token: false, ..flow("/api/v3/send-email", &["email"]) };
/// `bindEmail`.
pub const BIND_EMAIL: Flow = flow("/api/v3/bind-email", &["email", "passCode"]);
/// `updateEmailRequest`.
pub const UPDATE_EMAIL_REQUEST: Flow = flow("/api/v3/verify-update-email-request", &["verifyMethod"]);
/// `updateEmail`.
pub const UPDATE_EMAIL: Flow = flow("/api/v3/update-email", &["updateEmailToken"]);
/// `bindPhone`.
pub const BIND_PHONE: Flow = flow("/api/v3/bind-phone", &["phoneNumber", "passCode"]);
/// `updatePhoneRequest`.
pub const UPDATE_PHONE_REQUEST: Flow = flow("/api/v3/verify-update-phone-request", &["verifyMethod"]);
/// `updatePhone`.
pub const UPDATE_PHONE: Flow = flow("/api/v3/update-phone", &["updatePhoneToken"]);
/// `deleteAccountRequest`.
pub const DELETE_ACCOUNT_REQUEST: Flow =
    Flow { effect: Effect::EncryptPassword, ..flow("/api/v3/verify-delete-account-request", &["verifyMethod"]) };
/// `deleteAccount`.
pub const DELETE_ACCOUNT: Flow =
    Flow { effect: Effect::ForgetState, ..flow("/api/v3/delete-account", &["deleteAccountToken"]) };

/// The flows by JS name, in the official bundle's order.
pub const FLOWS: [(&str, &Flow); 9] = [
    ("sendEmailCode", &SEND_EMAIL_CODE),
    ("bindEmail", &BIND_EMAIL),
    ("updateEmailRequest", &UPDATE_EMAIL_REQUEST),
    ("updateEmail", &UPDATE_EMAIL),
    ("bindPhone", &BIND_PHONE),
    ("updatePhoneRequest", &UPDATE_PHONE_REQUEST),
    ("updatePhone", &UPDATE_PHONE),
    ("deleteAccountRequest", &DELETE_ACCOUNT_REQUEST),
    ("deleteAccount", &DELETE_ACCOUNT),
];

/// Checks the required fields of `flow` in `input`.
///
/// # Errors
/// `INVALID_ARGUMENT` naming the first missing field.
pub fn check(flow: &Flow, input: &Obj) -> Result<(), Error> {
    match flow.required.iter().find(|k| input.get_str(k).is_none_or(|s| s.trim().is_empty())) {
        Some(k) => Err(Error::invalid(k, format!("{k} is required"))),
        None => Ok(()),
    }
}

/// The password of a `deleteAccountRequest` to encrypt, and how: `passwordPayload.password` when
/// `passwordPayload.passwordEncryptType` is `rsa` or `sm2` (the official SDK sends it as given).
///
/// # Errors
/// `INVALID_ARGUMENT` for an unknown encryption type.
pub fn delete_password(input: &Obj) -> Result<Option<(EncryptType, String)>, Error> {
    let Some(payload) = input.get_obj("passwordPayload") else { return Ok(None) };
    let Some(kind) = EncryptType::from_option(payload.get("passwordEncryptType"))? else { return Ok(None) };
    match payload.get_str("password") {
        Some(p) => Ok(Some((kind, p.to_string()))),
        None => Err(Error::invalid("passwordPayload.password", "passwordPayload.password is required")),
    }
}

/// The input with `passwordPayload.password` replaced by `cipher`.
pub fn with_cipher(mut input: Obj, cipher: String) -> Obj {
    if let Some(Json::Object(payload)) = input.get_mut("passwordPayload") {
        payload.set("password", Json::String(cipher));
    }
    input
}

/// `decryptData`'s endpoint.
pub fn decrypt_path(platform: Platform) -> &'static str {
    match platform {
        Platform::Wx => "/api/v3/decrypt-wechat-miniprogram-data",
        Platform::Tt => "/api/v3/decrypt-douyin-miniprogram-data",
    }
}

/// Fields `decryptData` checks (its endpoint depends on the platform, see [`decrypt_path`]).
pub const DECRYPT_REQUIRED: Flow = Flow { token: false, ..flow("", &["extIdpConnidentifier", "encryptedData", "iv"]) };

/// The social bind endpoint: `bindWxByCode` always binds WeChat; `bindPlatformByCode` binds the
/// platform the SDK runs on.
pub fn bind_path(platform: Platform) -> &'static str {
    match platform {
        Platform::Wx => "/connections/social/wechat-miniprogram/bind",
        Platform::Tt => "/connections/social/douyin-miniprogram/bind",
    }
}

/// The social bind body: `{code: <fresh login code>, ...input}` (a `code` of the caller's wins,
/// in first place, as the spread does).
pub fn bind_body(input: &Obj, code: &str) -> Obj {
    let mut out = Obj::new().with("code", Json::str(code));
    for (k, v) in input.iter() {
        out.set(k, v.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::json::test_obj as obj;

    #[test]
    fn checks_name_the_first_missing_field() {
        let f = &BIND_PHONE;
        assert_eq!(
            check(f, &obj(r#"{"phoneNumber":"1"}"#)).unwrap_err(),
            Error::invalid("passCode", "passCode is required")
        );
        assert!(check(f, &obj(r#"{"phoneNumber":"1","passCode":"2"}"#)).is_ok());
        assert_eq!(FLOWS.iter().filter(|(_, f)| !f.token).count(), 1);
        assert_eq!(FLOWS.iter().filter(|(_, f)| f.effect != Effect::None).count(), 2);
    }

    #[test]
    fn delete_account_passwords_are_encrypted_only_when_asked() {
        assert_eq!(delete_password(&obj(r#"{"passwordPayload":{"password":"p"}}"#)).unwrap(), None);
        let input =
            obj(r#"{"verifyMethod":"PASSWORD","passwordPayload":{"password":"p","passwordEncryptType":"rsa"}}"#);
        assert_eq!(delete_password(&input).unwrap(), Some((EncryptType::Rsa, "p".to_string())));
        assert_eq!(
            with_cipher(input, "C".into()).to_text(),
            r#"{"verifyMethod":"PASSWORD","passwordPayload":{"password":"C","passwordEncryptType":"rsa"}}"#
        );
        assert!(delete_password(&obj(r#"{"passwordPayload":{"passwordEncryptType":"x","password":"p"}}"#)).is_err());
    }

    #[test]
    fn bind_bodies_put_the_code_first_and_let_the_caller_override_it() {
        assert_eq!(
            bind_body(&obj(r#"{"extIdpConnidentifier":"w"}"#), "c1").to_text(),
            r#"{"code":"c1","extIdpConnidentifier":"w"}"#
        );
        assert_eq!(bind_body(&obj(r#"{"iv":"I","code":"mine"}"#), "c1").to_text(), r#"{"code":"mine","iv":"I"}"#);
    }
}
