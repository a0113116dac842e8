//! `loginByCode` (§6.2): the `signin-by-mobile` body with a fresh platform login code.

use super::config::Platform;
use super::outcome::Failure;
use crate::json::{Json, Obj};

/// Validates the input: `extIdpConnidentifier` must be a non-empty string (the official SDK sends
/// the request anyway and lets the server refuse it).
///
/// # Errors
/// `INVALID_ARGUMENT` naming the field.
pub fn check(input: &Obj) -> Result<(), Failure> {
    if input.get_str("extIdpConnidentifier").is_some_and(|s| !s.trim().is_empty()) {
        Ok(())
    } else {
        Err(Failure::invalid("extIdpConnidentifier is required"))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(text: &str) -> Obj {
        Json::parse(text).unwrap().as_obj().unwrap().clone()
    }

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
}
