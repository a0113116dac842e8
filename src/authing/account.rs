//! The account methods of 5.1.18 that post the caller's object to one endpoint: `sendEmailCode`,
//! the bind / update email and phone flows, the delete-account pair and `decryptData`. Each is a
//! row of [`FLOWS`]: its JS name, endpoint, whether it needs the access token, and the fields the
//! SDK checks before any request (the official SDK checks none and lets the server refuse).

use super::config::Platform;
use super::outcome::Failure;
use super::password::EncryptType;
use crate::json::{Json, Obj};

/// One account flow.
pub struct Flow {
    /// The JS method name.
    pub method: &'static str,
    /// The endpoint.
    pub path: &'static str,
    /// Whether the request carries `Authorization` (and so needs a login).
    pub token: bool,
    /// Fields that must be non-empty.
    pub required: &'static [&'static str],
}

/// The flows, in the official bundle's order.
pub const FLOWS: &[Flow] = &[
    Flow { method: "sendEmailCode", path: "/api/v3/send-email", token: false, required: &["email"] },
    Flow { method: "bindEmail", path: "/api/v3/bind-email", token: true, required: &["email", "passCode"] },
    Flow {
        method: "updateEmailRequest",
        path: "/api/v3/verify-update-email-request",
        token: true,
        required: &["verifyMethod"],
    },
    Flow { method: "updateEmail", path: "/api/v3/update-email", token: true, required: &["updateEmailToken"] },
    Flow { method: "bindPhone", path: "/api/v3/bind-phone", token: true, required: &["phoneNumber", "passCode"] },
    Flow {
        method: "updatePhoneRequest",
        path: "/api/v3/verify-update-phone-request",
        token: true,
        required: &["verifyMethod"],
    },
    Flow { method: "updatePhone", path: "/api/v3/update-phone", token: true, required: &["updatePhoneToken"] },
    Flow {
        method: "deleteAccountRequest",
        path: "/api/v3/verify-delete-account-request",
        token: true,
        required: &["verifyMethod"],
    },
    Flow { method: "deleteAccount", path: "/api/v3/delete-account", token: true, required: &["deleteAccountToken"] },
];

/// The flow of a JS method name.
pub fn flow(method: &str) -> Option<&'static Flow> {
    FLOWS.iter().find(|f| f.method == method)
}

/// Checks the required fields of `flow` in `input`.
///
/// # Errors
/// `INVALID_ARGUMENT` naming the first missing field.
pub fn check(flow: &Flow, input: &Obj) -> Result<(), Failure> {
    match flow.required.iter().find(|k| input.get_str(k).is_none_or(|s| s.trim().is_empty())) {
        Some(k) => Err(Failure::invalid(format!("{k} is required"))),
        None => Ok(()),
    }
}

/// The password of a `deleteAccountRequest` to encrypt, and how: `passwordPayload.password` when
/// `passwordPayload.passwordEncryptType` is `rsa` or `sm2` (the official SDK sends it as given).
///
/// # Errors
/// `INVALID_ARGUMENT` for an unknown encryption type.
pub fn delete_password(input: &Obj) -> Result<Option<(EncryptType, String)>, Failure> {
    let Some(payload) = input.get_obj("passwordPayload") else { return Ok(None) };
    let Some(kind) = EncryptType::from_option(payload.get("passwordEncryptType"))? else { return Ok(None) };
    match payload.get_str("password") {
        Some(p) => Ok(Some((kind, p.to_string()))),
        None => Err(Failure::invalid("passwordPayload.password is required")),
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

/// Fields `decryptData` checks.
pub const DECRYPT_REQUIRED: Flow =
    Flow { method: "decryptData", path: "", token: false, required: &["extIdpConnidentifier", "encryptedData", "iv"] };

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
        let f = flow("bindPhone").unwrap();
        assert_eq!(check(f, &obj(r#"{"phoneNumber":"1"}"#)).unwrap_err().message, "passCode is required");
        assert!(check(f, &obj(r#"{"phoneNumber":"1","passCode":"2"}"#)).is_ok());
        assert!(flow("nope").is_none());
        assert_eq!(FLOWS.iter().filter(|f| !f.token).count(), 1);
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
