//! Which answers mean "the access token was rejected in flight": the server refused the request
//! before acting on it, so it may be sent again with a refreshed token (see
//! [`super::client::AuthingClient`]).
//!
//! - V3 APIs: `{"statusCode":401,"apiCode":2020,...}` (`尚未登录，无权限访问此请求`), at HTTP 200 or 401;
//! - OIDC resource errors: `{"error":"invalid_token",...}` (RFC 6750 §3.1), at HTTP 401;
//! - any error answered with HTTP 401.

use crate::error::{Error, ServerBody};
use crate::json::Json;

/// Authing's `apiCode` for "not logged in / token invalid".
pub const API_CODE_NOT_LOGGED_IN: f64 = 2020.0;

/// Whether `f` is the server refusing the access token.
pub fn token_rejected(e: &Error) -> bool {
    let Error::Server { status, body, .. } = e else { return false };
    if *status == 401 {
        return true;
    }
    let Some(ServerBody(body)) = body else { return false };
    let number = |key: &str| match body.get(key) {
        Some(Json::String(s)) => Json::parse(s.trim()).ok().and_then(|n| n.as_f64()),
        Some(other) => other.as_f64(),
        None => None,
    };
    number("apiCode") == Some(API_CODE_NOT_LOGGED_IN)
        || number("statusCode") == Some(401.0)
        || body.get_str("error") == Some("invalid_token")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status: u16, body: &str) -> Error {
        crate::authing::transport::server_error(status, Json::parse(body).unwrap().as_obj().unwrap().clone())
    }

    #[test]
    fn the_v3_oidc_and_http_forms_of_a_rejected_token_are_recognised() {
        assert!(token_rejected(&server(
            200,
            r#"{"statusCode":401,"apiCode":2020,"message":"尚未登录，无权限访问此请求"}"#
        )));
        assert!(token_rejected(&server(200, r#"{"statusCode":400,"apiCode":"2020"}"#)));
        assert!(token_rejected(&server(200, r#"{"statusCode":"401","message":"x"}"#)));
        assert!(token_rejected(&server(401, r#"{"error":"invalid_token","error_description":"expired"}"#)));
        assert!(token_rejected(&server(400, r#"{"error":"invalid_token"}"#)));
        assert!(token_rejected(&server(401, r#"{"message":"whatever"}"#)));
    }

    #[test]
    fn other_failures_are_not_token_rejections() {
        assert!(!token_rejected(&server(200, r#"{"statusCode":403,"apiCode":2333,"message":"no"}"#)));
        assert!(!token_rejected(&server(400, r#"{"error":"invalid_grant"}"#)));
        assert!(!token_rejected(&server(200, r#"{"statusCode":500,"apiCode":2020.5}"#)));
        assert!(!token_rejected(&Error::NotLoggedIn("Token has expired, please login again")));
        assert!(!token_rejected(&crate::authing::transport::bad_response(Some(401), "not json", None)));
    }
}
