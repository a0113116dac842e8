//! What every Authing method resolves to: `[null, data]` or `[error, undefined]`.
//!
//! The error object is what the app sees. It is built here, in Rust, so its exact shape is pinned by
//! native tests:
//!
//! - a server error keeps every field of the server's body (`statusCode`, `apiCode`, `requestId`,
//!   `error`, `error_description`, ...), exactly as the official SDK returns it;
//! - `message` is always a non-empty string (the official SDK returns OIDC errors without one);
//! - `statusCode` is added from the HTTP status when the body has none (OIDC errors);
//! - `code` is the SDK's stable error code (`SERVER`, `NOT_LOGGED_IN`, `HOST_REJECTED`, ...).

use crate::error::{Error, ErrorCode};
use crate::json::{Json, Obj};

/// A failed Authing call.
#[derive(Clone, PartialEq)]
pub struct Failure {
    /// Stable error code.
    pub code: ErrorCode,
    /// Human-readable message; never empty.
    pub message: String,
    /// HTTP status, for responses that had one.
    pub status: Option<u16>,
    /// The server's (or the upload's) body, when it was a JSON object.
    pub body: Option<Obj>,
}

// Bodies may echo user data: Debug shows the code and message only.
impl core::fmt::Debug for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Failure").field("code", &self.code).field("message", &self.message).finish()
    }
}

impl Failure {
    /// A local failure with a fixed message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure { code, message: non_empty(message.into()), status: None, body: None }
    }

    /// `NOT_LOGGED_IN` with the given message (the official SDK's texts are kept verbatim).
    pub fn not_logged_in(message: &str) -> Failure {
        Failure::new(ErrorCode::NotLoggedIn, message)
    }

    /// `INVALID_ARGUMENT` with the given message.
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure::new(ErrorCode::InvalidArgument, message)
    }

    /// An error answered by the server: its body object is kept whole.
    pub fn server(status: u16, body: Obj) -> Failure {
        // The statusCode is printed through the JSON writer (core's float formatting costs wasm size).
        let message =
            message_of(&body).unwrap_or_else(|| match body.get("statusCode").filter(|c| c.as_f64().is_some()) {
                Some(code) => format!("request failed with statusCode {}", code.to_text()),
                None => format!("request failed (HTTP {status})"),
            });
        Failure { code: ErrorCode::Server, message, status: Some(status), body: Some(body) }
    }

    /// A response that does not follow the protocol (`BAD_RESPONSE`), keeping the body if it is an
    /// object.
    pub fn bad_response(status: Option<u16>, message: impl Into<String>, body: Option<Obj>) -> Failure {
        Failure { code: ErrorCode::BadResponse, message: non_empty(message.into()), status, body }
    }

    /// Replaces the message, keeping everything else.
    pub fn with_message(mut self, message: &str) -> Failure {
        self.message = non_empty(message.to_string());
        self
    }

    /// The error object handed to the app.
    pub fn to_json(&self) -> Json {
        let mut obj = self.body.clone().unwrap_or_default();
        if obj.get_str("message").is_none_or(|m| m.is_empty()) {
            obj.set("message", Json::str(self.message.clone()));
        }
        if let Some(status) = self.status {
            if !obj.contains("statusCode") {
                obj.set("statusCode", Json::from_f64(f64::from(status)));
            }
        }
        obj.set("code", Json::str(self.code.as_str()));
        Json::Object(obj)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let status = match &e {
            Error::Server { status, .. } => Some(*status),
            _ => None,
        };
        Failure { code: e.code(), message: non_empty(e.to_string()), status, body: None }
    }
}

/// The best message in an error body: `message`, then OIDC's `error_description`, then `error`,
/// then v2's `msg`.
fn message_of(body: &Obj) -> Option<String> {
    ["message", "error_description", "error", "msg", "errmsg"]
        .iter()
        .find_map(|k| body.get_str(k).filter(|s| !s.trim().is_empty()))
        .map(str::to_string)
}

fn non_empty(message: String) -> String {
    if message.trim().is_empty() {
        "unknown error".to_string()
    } else {
        message
    }
}

/// The JSON text of the `[error, data]` tuple (`null` stands for `undefined` on the error side; the
/// JS facade turns it back).
pub fn tuple_text(result: &Result<Json, Failure>) -> String {
    let pair = match result {
        Ok(data) => Json::Array(vec![Json::Null, data.clone()]),
        Err(f) => Json::Array(vec![f.to_json(), Json::Null]),
    };
    pair.to_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::json::test_obj as obj;

    #[test]
    fn v3_error_bodies_are_kept_whole_and_gain_a_code() {
        let f = Failure::server(
            200,
            obj(
                r#"{"statusCode":403,"apiCode":2333,"message":"Account not exists or password is incorrect.","requestId":"r1"}"#,
            ),
        );
        assert_eq!(
            tuple_text(&Err(f)),
            r#"[{"statusCode":403,"apiCode":2333,"message":"Account not exists or password is incorrect.","requestId":"r1","code":"SERVER"},null]"#
        );
    }

    #[test]
    fn oidc_errors_gain_a_message_and_the_http_status() {
        let f =
            Failure::server(400, obj(r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#));
        assert_eq!(
            f.to_json().to_text(),
            r#"{"error":"invalid_grant","error_description":"grant request is invalid","message":"grant request is invalid","statusCode":400,"code":"SERVER"}"#
        );
        let f = Failure::server(400, obj(r#"{"error":"invalid_grant"}"#));
        assert_eq!(f.message, "invalid_grant");
        let f = Failure::server(500, obj(r#"{"statusCode":500,"message":""}"#));
        assert_eq!(
            f.to_json().to_text(),
            r#"{"statusCode":500,"message":"request failed with statusCode 500","code":"SERVER"}"#
        );
    }

    #[test]
    fn local_failures_and_successes() {
        assert_eq!(
            tuple_text(&Err(Failure::not_logged_in("Token has expired, please login again"))),
            r#"[{"message":"Token has expired, please login again","code":"NOT_LOGGED_IN"},null]"#
        );
        assert_eq!(tuple_text(&Ok(Json::Bool(true))), "[null,true]");
        assert_eq!(Failure::new(ErrorCode::Crypto, "  ").message, "unknown error");
    }

    #[test]
    fn core_errors_convert_with_their_code() {
        let f = Failure::from(Error::Crypto("bad key".into()));
        assert_eq!(f.to_json().to_text(), r#"{"message":"crypto error: bad key","code":"CRYPTO"}"#);
    }
}
