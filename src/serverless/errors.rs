//! How core errors look to MPServerless apps: `{code, message}` plus a `type`.
//!
//! Apps written for the official package compare `error.code` with the gateway's codes
//! (`GATEWAY_INVALID_TOKEN`, ...) and with `ValidationFailed` / `UnauthorizedError` /
//! `TransactionError`, so those keep their official names. Failures the official package threw as
//! bare `Error('request:fail …')` or Alipay error numbers get stable codes of their own.

use crate::error::{Error, HostErrorKind};

/// The message of a call that needs a session (`code` `UnauthorizedError`).
pub const NOT_AUTHORIZED: &str = "not authorized: call user.authorize() first";
/// `type` of a network failure (`code` `NETWORK_ERROR`).
pub const TYPE_NETWORK: &str = "network";
/// `type` of a timeout (`code` `TIMEOUT`).
pub const TYPE_TIMEOUT: &str = "timeout";
/// `type` of an error reported by the gateway (`code` is the gateway's own, or `GATEWAY_ERROR`).
pub const TYPE_GATEWAY: &str = "gateway";
/// `type` of bad input (`code` `ValidationFailed` or `TransactionError`).
pub const TYPE_VALIDATION: &str = "validation";
/// `type` of a call that needs a session (`code` `UnauthorizedError`).
pub const TYPE_UNAUTHORIZED: &str = "unauthorized";
/// `type` of a platform function that misbehaved (missing, threw, bad value) or a failed login.
pub const TYPE_PLATFORM: &str = "platform";

/// The `code` and `type` an app sees for this error.
pub fn classify(e: &Error) -> (String, &'static str) {
    match e {
        Error::Host(h) if h.capability == "login" => ("LOGIN_FAILED".into(), TYPE_PLATFORM),
        Error::Host(h) => match h.kind {
            HostErrorKind::Timeout => ("TIMEOUT".into(), TYPE_TIMEOUT),
            HostErrorKind::Rejected => ("NETWORK_ERROR".into(), TYPE_NETWORK),
            other => (other.code().as_str().into(), TYPE_PLATFORM),
        },
        Error::Server { api_code: Some(code), .. } => (code.clone(), TYPE_GATEWAY),
        Error::Server { api_code: None, .. } => ("GATEWAY_ERROR".into(), TYPE_GATEWAY),
        Error::BadResponse { .. } => ("BAD_RESPONSE".into(), TYPE_GATEWAY),
        Error::InvalidArgument { field: "transaction", .. } => ("TransactionError".into(), TYPE_VALIDATION),
        Error::InvalidArgument { .. } => ("ValidationFailed".into(), TYPE_VALIDATION),
        Error::NotLoggedIn(_) => ("UnauthorizedError".into(), TYPE_UNAUTHORIZED),
        other => (other.code().as_str().into(), TYPE_PLATFORM),
    }
}

/// The message an app sees: the gateway's text for gateway errors, otherwise the core's.
pub fn message(e: &Error) -> String {
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::HostError;

    #[test]
    fn every_error_path_has_a_stable_code_and_type() {
        let host = |cap, kind, detail: &str| Error::Host(HostError::new(cap, kind, detail));
        let cases = [
            // The kind decides, not the text: the bridge reports a platform timeout as `Timeout`.
            (host("request", HostErrorKind::Timeout, "request:fail timeout"), "TIMEOUT", TYPE_TIMEOUT),
            (host("request", HostErrorKind::Rejected, "request:fail timeout"), "NETWORK_ERROR", TYPE_NETWORK),
            (host("request", HostErrorKind::Timeout, "no answer"), "TIMEOUT", TYPE_TIMEOUT),
            (
                host("request", HostErrorKind::Rejected, "request:fail connection refused"),
                "NETWORK_ERROR",
                TYPE_NETWORK,
            ),
            (host("uploadFile", HostErrorKind::Rejected, "uploadFile:fail"), "NETWORK_ERROR", TYPE_NETWORK),
            (host("request", HostErrorKind::Missing, ""), "HOST_MISSING", TYPE_PLATFORM),
            (host("login", HostErrorKind::Rejected, "getAuthCode:fail"), "LOGIN_FAILED", TYPE_PLATFORM),
            (
                Error::Server { status: 200, api_code: Some("DB_ERROR".into()), message: "m".into(), body: None },
                "DB_ERROR",
                TYPE_GATEWAY,
            ),
            (
                Error::Server { status: 500, api_code: None, message: "m".into(), body: None },
                "GATEWAY_ERROR",
                TYPE_GATEWAY,
            ),
            (Error::bad_response("x"), "BAD_RESPONSE", TYPE_GATEWAY),
            (Error::invalid("filePath", "x"), "ValidationFailed", TYPE_VALIDATION),
            (Error::invalid("transaction", "x"), "TransactionError", TYPE_VALIDATION),
            (Error::NotLoggedIn(NOT_AUTHORIZED), "UnauthorizedError", TYPE_UNAUTHORIZED),
        ];
        for (err, code, ty) in cases {
            assert_eq!(classify(&err), (code.to_string(), ty), "{err:?}");
        }
        assert_eq!(message(&Error::NotLoggedIn(NOT_AUTHORIZED)), "not authorized: call user.authorize() first");
        assert_eq!(
            message(&Error::Server { status: 200, api_code: None, message: "gw says".into(), body: None }),
            "gw says"
        );
    }
}
