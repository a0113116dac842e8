//! `loginByCode` (§6.2) and `loginByPhone`: the `signin-by-mobile` bodies with a fresh platform
//! login code.

use super::config::Platform;
use crate::error::Error;
use crate::json::{Json, Obj};

/// Validates the input: `extIdpConnidentifier` must be a non-empty string (the official SDK sends
/// the request anyway and lets the server refuse it).
///
/// # Errors
/// `INVALID_ARGUMENT` naming the field.
pub fn check(input: &Obj) -> Result<(), Error> {
    if input.get_str("extIdpConnidentifier").is_some_and(|s| !s.trim().is_empty()) {
        Ok(())
    } else {
        Err(Error::invalid("extIdpConnidentifier", "extIdpConnidentifier is required"))
    }
}

/// `{connection, extIdpConnidentifier, <platform>MiniProgramCodePayload: {encryptedData, iv, code},
/// options}` in this order; `encryptedData`/`iv` default to `""`; `connection` defaults per
/// platform; `options` only when given.
pub fn body(input: &Obj, platform: Platform, code: &str) -> Obj {
    let (payload_key, default_connection) = match platform {
        Platform::Wx => ("wechatMiniProgramCodePayload", "wechat_mini_program_code"),
        Platform::Tt => ("douyinMiniProgramCodePayload", "douyin_mini_program_code"),
    };
    let given = input.get_obj(payload_key);
    let field = |k: &str| match given.and_then(|p| p.get(k)) {
        Some(v) if v.truthy() => v.clone(),
        _ => Json::str(""),
    };
    let payload =
        Obj::new().with("encryptedData", field("encryptedData")).with("iv", field("iv")).with("code", Json::str(code));
    let connection = match input.get("connection") {
        Some(c) if c.truthy() => c.clone(),
        _ => Json::str(default_connection),
    };
    let mut out = Obj::new().with("connection", connection);
    if let Some(ident) = input.get("extIdpConnidentifier") {
        out.set("extIdpConnidentifier", ident.clone());
    }
    out.set(payload_key, Json::Object(payload));
    if let Some(options) = input.get("options") {
        out.set("options", options.clone());
    }
    out
}

/// The `loginByPhone` payload the app gave: `wechatMiniProgramCodeAndPhonePayload`, else
/// `miniProgramCodeAndPhonePayload` (the official SDK reads `wxPhoneInfo` from either).
fn phone_payload<'a>(input: &'a Obj, key: &str) -> Option<&'a Json> {
    let pick = |name: &str| input.get_obj(name).and_then(|p| p.get(key)).filter(|v| v.truthy());
    pick("wechatMiniProgramCodeAndPhonePayload").or_else(|| pick("miniProgramCodeAndPhonePayload"))
}

/// Validates `loginByPhone` input with the official SDK's messages: `extIdpConnidentifier`, and
/// `wxPhoneInfo.code` (WeChat) or `miniProgramCodeAndPhonePayload.phoneParams` (Douyin).
///
/// # Errors
/// `INVALID_ARGUMENT`.
pub fn check_phone(input: &Obj, platform: Platform) -> Result<(), Error> {
    check(input)?;
    match platform {
        Platform::Wx
            if !phone_payload(input, "wxPhoneInfo").is_some_and(|p| p.get("code").is_some_and(Json::truthy)) =>
        {
            Err(Error::invalid("wxPhoneInfo.code", "wxPhoneInfo.code is required"))
        }
        Platform::Tt if !input.get_obj("miniProgramCodeAndPhonePayload").is_some_and(|p| p.truthy("phoneParams")) => {
            Err(Error::invalid("loginParams", "loginParams is required"))
        }
        _ => Ok(()),
    }
}

/// The `loginByPhone` body, in the official key order: WeChat
/// `{connection, extIdpConnidentifier, wechatMiniProgramCodeAndPhonePayload: {wxPhoneInfo,
/// wxLoginInfo: {encryptedData, iv, code}}, options}`; Douyin `{connection, extIdpConnidentifier,
/// douyinMiniProgramCodeAndPhonePayload: {loginParams: {encryptedData: "", iv: "", code},
/// phoneParams: {encryptedData, iv}}, options}`.
pub fn phone_body(input: &Obj, platform: Platform, code: &str) -> Obj {
    let text = |o: Option<&Obj>, k: &str| match o.and_then(|o| o.get(k)) {
        Some(v) if v.truthy() => v.clone(),
        _ => Json::str(""),
    };
    let (connection, key, payload) = match platform {
        Platform::Wx => {
            let login = input.get_obj("wechatMiniProgramCodeAndPhonePayload").and_then(|p| p.get_obj("wxLoginInfo"));
            let info = Obj::new().with("encryptedData", text(login, "encryptedData")).with("iv", text(login, "iv"));
            let payload = Obj::new()
                .with("wxPhoneInfo", phone_payload(input, "wxPhoneInfo").cloned().unwrap_or(Json::Null))
                .with("wxLoginInfo", Json::Object(info.with("code", Json::str(code))));
            ("wechat_mini_program_code_and_phone", "wechatMiniProgramCodeAndPhonePayload", payload)
        }
        Platform::Tt => {
            let phone = input.get_obj("miniProgramCodeAndPhonePayload").and_then(|p| p.get_obj("phoneParams"));
            let login =
                Obj::new().with("encryptedData", Json::str("")).with("iv", Json::str("")).with("code", Json::str(code));
            let params = Obj::new().with("encryptedData", text(phone, "encryptedData")).with("iv", text(phone, "iv"));
            let payload = Obj::new().with("loginParams", Json::Object(login)).with("phoneParams", Json::Object(params));
            ("douyin_mini_program_code_and_phone", "douyinMiniProgramCodeAndPhonePayload", payload)
        }
    };
    let mut out = Obj::new().with("connection", Json::str(connection));
    if let Some(ident) = input.get("extIdpConnidentifier") {
        out.set("extIdpConnidentifier", ident.clone());
    }
    out.set(key, Json::Object(payload));
    if let Some(options) = input.get("options") {
        out.set("options", options.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::json::test_obj as obj;

    #[test]
    fn wechat_body_in_the_official_key_order() {
        let input = obj(
            r#"{"options":{"scope":"openid profile offline_access"},"wechatMiniProgramCodePayload":{"iv":"IV","encryptedData":"ED"},"extIdpConnidentifier":"my-wx"}"#,
        );
        assert_eq!(
            body(&input, Platform::Wx, "c1").to_text(),
            r#"{"connection":"wechat_mini_program_code","extIdpConnidentifier":"my-wx","wechatMiniProgramCodePayload":{"encryptedData":"ED","iv":"IV","code":"c1"},"options":{"scope":"openid profile offline_access"}}"#
        );
    }

    #[test]
    fn douyin_body_and_defaults() {
        let input = obj(r#"{"extIdpConnidentifier":"dy","connection":"","wechatMiniProgramCodePayload":{"iv":"x"}}"#);
        assert_eq!(
            body(&input, Platform::Tt, "t1").to_text(),
            r#"{"connection":"douyin_mini_program_code","extIdpConnidentifier":"dy","douyinMiniProgramCodePayload":{"encryptedData":"","iv":"","code":"t1"}}"#
        );
        assert!(check(&obj(r#"{"extIdpConnidentifier":""}"#)).is_err());
    }

    #[test]
    fn phone_login_bodies_and_checks() {
        let wx = obj(
            r#"{"extIdpConnidentifier":"w","wechatMiniProgramCodeAndPhonePayload":{"wxPhoneInfo":{"code":"P"}},"options":{"scope":"openid"}}"#,
        );
        assert_eq!(
            phone_body(&wx, Platform::Wx, "c1").to_text(),
            r#"{"connection":"wechat_mini_program_code_and_phone","extIdpConnidentifier":"w","wechatMiniProgramCodeAndPhonePayload":{"wxPhoneInfo":{"code":"P"},"wxLoginInfo":{"encryptedData":"","iv":"","code":"c1"}},"options":{"scope":"openid"}}"#
        );
        let tt = obj(
            r#"{"extIdpConnidentifier":"d","miniProgramCodeAndPhonePayload":{"phoneParams":{"encryptedData":"E","iv":"I"}}}"#,
        );
        assert_eq!(
            phone_body(&tt, Platform::Tt, "t1").to_text(),
            r#"{"connection":"douyin_mini_program_code_and_phone","extIdpConnidentifier":"d","douyinMiniProgramCodeAndPhonePayload":{"loginParams":{"encryptedData":"","iv":"","code":"t1"},"phoneParams":{"encryptedData":"E","iv":"I"}}}"#
        );
        assert!(check_phone(&tt, Platform::Tt).is_ok() && check_phone(&wx, Platform::Wx).is_ok());
        assert_eq!(
            crate::authing::outcome::message(&check_phone(&tt, Platform::Wx).unwrap_err()),
            "wxPhoneInfo.code is required"
        );
        assert_eq!(
            crate::authing::outcome::message(&check_phone(&wx, Platform::Tt).unwrap_err()),
            "loginParams is required"
        );
        assert_eq!(
            crate::authing::outcome::message(&check_phone(&obj("{}"), Platform::Wx).unwrap_err()),
            "extIdpConnidentifier is required"
        );
    }
}
