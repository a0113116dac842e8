//! What every Authing method resolves to: `[null, data]` or `[error, undefined]`.
//!
//! Authing methods fail with the core's one [`Error`]; this module only presents it. The error
//! object is what the app sees. It is built here, in Rust, so its exact shape is pinned by native
//! tests:
//!
//! - a server error keeps every field of the server's body (`statusCode`, `apiCode`, `requestId`,
//!   `error`, `error_description`, ...), exactly as the official SDK returns it (the body travels in
//!   [`Error::Server`] / [`Error::BadResponse`], see `transport::server_error`);
//! - `message` is always a non-empty string (the official SDK returns OIDC errors without one);
//! - `statusCode` is added from the HTTP status when the body has none (OIDC errors);
//! - `code` is the SDK's stable error code (`SERVER`, `NOT_LOGGED_IN`, `HOST_REJECTED`, ...).

use crate::error::Error;
use crate::json::{Json, Obj};

/// The message an app sees: an invalid argument's reason and a bad response's description as they
/// are (Authing's texts are whole sentences), otherwise the core's message; never empty.
pub fn message(e: &Error) -> String {
    let message = match e {
        Error::InvalidArgument { reason, .. } => reason.clone(),
        Error::BadResponse { message, .. } => message.clone(),
        other => other.to_string(),
    };
    if message.trim().is_empty() {
        "unknown error".to_string()
    } else {
        message
    }
}

/// The error object handed to the app.
pub fn error_json(e: &Error) -> Json {
    let (status, body) = match e {
        Error::Server { status, body, .. } => (Some(*status), body),
        Error::BadResponse { status, body, .. } => (*status, body),
        _ => (None, &None),
    };
    let mut obj = body.as_ref().map(|b| Obj::clone(&b.0)).unwrap_or_default();
    if obj.get_str("message").is_none_or(|m| m.is_empty()) {
        obj.set("message", Json::str(message(e)));
    }
    if let Some(status) = status {
        if !obj.contains("statusCode") {
            obj.set("statusCode", Json::from_f64(f64::from(status)));
        }
    }
    obj.set("code", Json::str(e.code().as_str()));
    Json::Object(obj)
}

/// The JSON text of the `[error, data]` tuple (`null` stands for `undefined` on the error side; the
/// JS facade turns it back).
pub fn tuple_text(result: &Result<Json, Error>) -> String {
    let pair = match result {
        Ok(data) => Json::Array(vec![Json::Null, data.clone()]),
        Err(e) => Json::Array(vec![error_json(e), Json::Null]),
    };
    pair.to_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::authing::transport::server_error;
    use crate::error::HostErrorKind;
    use crate::json::test_obj as obj;

    #[test]
    fn v3_error_bodies_are_kept_whole_and_gain_a_code() {
        let e = server_error(
            200,
            obj(
                r#"{"statusCode":403,"apiCode":2333,"message":"Account not exists or password is incorrect.","requestId":"r1"}"#,
            ),
        );
        assert_eq!(
            tuple_text(&Err(e)),
            r#"[{"statusCode":403,"apiCode":2333,"message":"Account not exists or password is incorrect.","requestId":"r1","code":"SERVER"},null]"#
        );
    }

    #[test]
    fn oidc_errors_gain_a_message_and_the_http_status() {
        let e = server_error(400, obj(r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#));
        assert_eq!(
            error_json(&e).to_text(),
            r#"{"error":"invalid_grant","error_description":"grant request is invalid","message":"grant request is invalid","statusCode":400,"code":"SERVER"}"#
        );
        let e = server_error(400, obj(r#"{"error":"invalid_grant"}"#));
        assert_eq!(message(&e), "invalid_grant");
        let e = server_error(500, obj(r#"{"statusCode":500,"message":""}"#));
        assert_eq!(
            error_json(&e).to_text(),
            r#"{"statusCode":500,"message":"request failed with statusCode 500","code":"SERVER"}"#
        );
    }

    #[test]
    fn local_failures_and_successes() {
        assert_eq!(
            tuple_text(&Err(Error::NotLoggedIn("Token has expired, please login again"))),
            r#"[{"message":"Token has expired, please login again","code":"NOT_LOGGED_IN"},null]"#
        );
        assert_eq!(
            tuple_text(&Err(Error::invalid("appId", "appId is required"))),
            r#"[{"message":"appId is required","code":"INVALID_ARGUMENT"},null]"#
        );
        assert_eq!(tuple_text(&Ok(Json::Bool(true))), "[null,true]");
        assert_eq!(message(&Error::invalid("x", "  ")), "unknown error");
    }

    #[test]
    fn core_errors_keep_their_code_and_message() {
        let e = Error::Crypto("bad key".into());
        assert_eq!(error_json(&e).to_text(), r#"{"message":"crypto error: bad key","code":"CRYPTO"}"#);
        let e = Error::HostWithMessage { kind: HostErrorKind::Timeout, message: "get wx login code error" };
        assert_eq!(error_json(&e).to_text(), r#"{"message":"get wx login code error","code":"TIMEOUT"}"#);
    }

    #[test]
    fn debug_does_not_print_server_bodies() {
        let e = server_error(400, obj(r#"{"message":"m","email":"someone@example.com"}"#));
        assert!(!format!("{e:?}").contains("someone@example.com"), "{e:?}");
    }
}
