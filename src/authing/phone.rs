//! `getPhone` (§6.7): WeChat's phone-number button code (or Douyin's encrypted phone data)
//! exchanged for the user's phone number.

use super::config::Platform;
use super::transport::bad_response;
use crate::error::Error;
use crate::json::{Json, Obj};

/// The endpoint for the platform.
pub fn path(platform: Platform) -> &'static str {
    match platform {
        Platform::Wx => "/api/v3/get-wechat-miniprogram-phone",
        Platform::Tt => "/api/v3/decrypt-douyin-miniprogram-phone",
    }
}

/// Checks the input with the official SDK's messages: WeChat needs `code` and
/// `extIdpConnidentifier`; Douyin needs `extIdpConnidentifier` (its `code` is a fresh `tt.login`
/// code the client adds).
///
/// # Errors
/// `INVALID_ARGUMENT`.
pub fn check(input: &Obj, platform: Platform) -> Result<(), Error> {
    match platform {
        Platform::Wx if !(input.truthy("code") && input.truthy("extIdpConnidentifier")) => {
            Err(Error::invalid("code", "code or extIdpConnidentifier is required"))
        }
        Platform::Tt if !input.truthy("extIdpConnidentifier") => {
            Err(Error::invalid("extIdpConnidentifier", "extIdpConnidentifier is required"))
        }
        _ => Ok(()),
    }
}

/// The body: a copy of the input (extra keys forwarded), with Douyin's `code` overridden.
pub fn body(input: &Obj, login_code: Option<&str>) -> Obj {
    let mut out = input.clone();
    if let Some(code) = login_code {
        out.set("code", Json::str(code));
    }
    out
}

/// The success value: `phone_info` of the response data.
///
/// # Errors
/// `BAD_RESPONSE` (keeping the data) when there is no `phone_info`.
pub fn phone_info(data: Json) -> Result<Json, Error> {
    match data.get("phone_info") {
        Some(info) if info.truthy() => Ok(info.clone()),
        _ => {
            let body = data.as_obj().cloned();
            let why =
                body.as_ref().and_then(|b| b.get_str("errmsg").filter(|m| !m.is_empty() && *m != "ok")).map_or_else(
                    || "the server answered without phone_info".to_string(),
                    |m| format!("the server answered without phone_info: {m}"),
                );
            Err(bad_response(None, why, body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::json::test_obj as obj;

    #[test]
    fn checks_and_bodies() {
        assert_eq!(
            crate::authing::outcome::message(&check(&obj(r#"{"code":"c"}"#), Platform::Wx).unwrap_err()),
            "code or extIdpConnidentifier is required"
        );
        assert!(check(&obj(r#"{"extIdpConnidentifier":"dy"}"#), Platform::Tt).is_ok());
        assert_eq!(
            crate::authing::outcome::message(&check(&obj("{}"), Platform::Tt).unwrap_err()),
            "extIdpConnidentifier is required"
        );
        let input = obj(r#"{"extIdpConnidentifier":"dy","code":"old","encryptedData":"PE","iv":"PI"}"#);
        assert_eq!(
            body(&input, Some("t1")).to_text(),
            r#"{"extIdpConnidentifier":"dy","code":"t1","encryptedData":"PE","iv":"PI"}"#
        );
    }

    #[test]
    fn phone_info_or_a_bad_response() {
        let ok = Json::parse(r#"{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"+86138"}}"#).unwrap();
        assert_eq!(phone_info(ok).unwrap().to_text(), r#"{"phoneNumber":"+86138"}"#);
        let f = phone_info(Json::parse(r#"{"errcode":40029,"errmsg":"invalid code"}"#).unwrap()).unwrap_err();
        assert_eq!(
            crate::authing::outcome::error_json(&f).to_text(),
            r#"{"errcode":40029,"errmsg":"invalid code","message":"the server answered without phone_info: invalid code","code":"BAD_RESPONSE"}"#
        );
    }
}
