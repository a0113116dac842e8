//! `sendSms` (§6.4) and `loginByPassCode` (§6.5) bodies.

use crate::error::Error;
use crate::json::{Json, Obj};

/// Mainland China, the default country code of both methods.
pub const DEFAULT_COUNTRY_CODE: &str = "+86";

/// The `send-sms` body: the input with `phoneCountryCode` defaulted to `+86` (set in place when the
/// key exists with a falsy value, else appended, as `data.phoneCountryCode = ... || '+86'` does).
///
/// # Errors
/// `INVALID_ARGUMENT` when `phoneNumber` is missing or empty.
pub fn send_sms_body(mut input: Obj) -> Result<Obj, Error> {
    if input.get_str("phoneNumber").is_none_or(|p| p.trim().is_empty()) {
        return Err(Error::invalid("phoneNumber", "phoneNumber is required"));
    }
    if !input.truthy("phoneCountryCode") {
        input.set("phoneCountryCode", Json::str(DEFAULT_COUNTRY_CODE));
    }
    Ok(input)
}

/// The `signin` body of a pass-code login: `{...data, connection: 'PASSCODE'}`, with
/// `passCodePayload.phoneCountryCode` defaulted to `+86` when a phone is given (email logins are
/// left alone). No encryption, whatever `options.passwordEncryptType` says.
///
/// # Errors
/// `INVALID_ARGUMENT` when `passCodePayload` is not an object.
pub fn pass_code_body(mut input: Obj) -> Result<Obj, Error> {
    match input.get_mut("passCodePayload") {
        Some(Json::Object(payload)) => {
            if payload.truthy("phone") && !payload.truthy("phoneCountryCode") {
                payload.set("phoneCountryCode", Json::str(DEFAULT_COUNTRY_CODE));
            }
        }
        _ => return Err(Error::invalid("passCodePayload", "passCodePayload is required")),
    }
    input.set("connection", Json::str("PASSCODE"));
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::json::test_obj as obj;

    #[test]
    fn send_sms_defaults_the_country_code() {
        let b = send_sms_body(obj(r#"{"phoneNumber":"13800000000","channel":"CHANNEL_LOGIN"}"#)).unwrap();
        assert_eq!(b.to_text(), r#"{"phoneNumber":"13800000000","channel":"CHANNEL_LOGIN","phoneCountryCode":"+86"}"#);
        let b = send_sms_body(obj(r#"{"phoneCountryCode":"","phoneNumber":"1"}"#)).unwrap();
        assert_eq!(b.to_text(), r#"{"phoneCountryCode":"+86","phoneNumber":"1"}"#);
        let b = send_sms_body(obj(r#"{"phoneNumber":"1","phoneCountryCode":"+1"}"#)).unwrap();
        assert_eq!(b.to_text(), r#"{"phoneNumber":"1","phoneCountryCode":"+1"}"#);
        assert_eq!(
            crate::authing::outcome::message(&send_sms_body(obj(r#"{"channel":"CHANNEL_LOGIN"}"#)).unwrap_err()),
            "phoneNumber is required"
        );
    }

    #[test]
    fn pass_code_bodies() {
        let b = pass_code_body(obj(
            r#"{"passCodePayload":{"passCode":"1234","phone":"138"},"options":{"scope":"openid"}}"#,
        ))
        .unwrap();
        assert_eq!(
            b.to_text(),
            r#"{"passCodePayload":{"passCode":"1234","phone":"138","phoneCountryCode":"+86"},"options":{"scope":"openid"},"connection":"PASSCODE"}"#
        );
        let b = pass_code_body(obj(r#"{"passCodePayload":{"passCode":"1","email":"a@b"}}"#)).unwrap();
        assert_eq!(b.to_text(), r#"{"passCodePayload":{"passCode":"1","email":"a@b"},"connection":"PASSCODE"}"#);
        assert!(pass_code_body(obj(r#"{"passCodePayload":"x"}"#)).is_err());
    }
}
