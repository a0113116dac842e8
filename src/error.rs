//! The one error model of the core: [`Error`] and its stable [`ErrorCode`].
//!
//! Every failure, whatever its source (host callback, network, server, crypto, bad input), becomes an
//! [`Error`] with an [`ErrorCode`]; both clients present it from there (Authing as the `[error, data]`
//! tuple's object, `authing::outcome`; MPServerless as `{code, type}`, `serverless::errors`), and the
//! wasm boundary turns it into a JS `Error` with a stable `code` (see `wasm::error_js`). Codes are an
//! enum, compared as values, never as text. Messages never contain secrets: they are built from static text, field
//! names and server-provided messages only. A server's body, kept whole for the app (Authing returns it
//! as the error object), may echo user data: [`ServerBody`]'s Debug does not print it.

use crate::json::Obj;
use core::fmt;

/// The stable codes of the SDK (`error.code` in JS, see the README's error tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// `INVALID_ARGUMENT`: a missing or malformed argument or option.
    InvalidArgument,
    /// `SERVER`: the server answered an error.
    Server,
    /// `BAD_RESPONSE`: an answer that breaks the protocol.
    BadResponse,
    /// `CRYPTO`: a bad public key or a failed encryption.
    Crypto,
    /// `NO_ENTROPY`: no secure random source.
    NoEntropy,
    /// `NOT_LOGGED_IN`: no usable login state or session.
    NotLoggedIn,
    /// `STORAGE`: the host's storage failed.
    Storage,
    /// `HOST_MISSING`: the host lacks a function.
    HostMissing,
    /// `HOST_THREW`: a host function threw.
    HostThrew,
    /// `HOST_NOT_PROMISE`: a host function returned no Promise.
    HostNotPromise,
    /// `HOST_REJECTED`: a host function failed.
    HostRejected,
    /// `TIMEOUT`: a host function timed out or never answered.
    Timeout,
    /// `HOST_BAD_VALUE`: a host function resolved a value of the wrong shape.
    HostBadValue,
}

impl ErrorCode {
    /// The code as JS sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::Server => "SERVER",
            ErrorCode::BadResponse => "BAD_RESPONSE",
            ErrorCode::Crypto => "CRYPTO",
            ErrorCode::NoEntropy => "NO_ENTROPY",
            ErrorCode::NotLoggedIn => "NOT_LOGGED_IN",
            ErrorCode::Storage => "STORAGE",
            ErrorCode::HostMissing => "HOST_MISSING",
            ErrorCode::HostThrew => "HOST_THREW",
            ErrorCode::HostNotPromise => "HOST_NOT_PROMISE",
            ErrorCode::HostRejected => "HOST_REJECTED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::HostBadValue => "HOST_BAD_VALUE",
        }
    }
}

/// What went wrong with a host capability (a JS callback injected by the shim).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostErrorKind {
    /// The host does not provide the function at all.
    Missing,
    /// The function threw synchronously.
    Threw,
    /// The function returned something that is not a Promise (or thenable).
    NotPromise,
    /// The returned Promise rejected (for wx/my: the `fail` callback).
    Rejected,
    /// The returned Promise did not settle in time.
    Timeout,
    /// The value it resolved with has the wrong shape.
    BadValue,
}

impl HostErrorKind {
    /// Stable code for this kind.
    pub fn code(self) -> ErrorCode {
        match self {
            HostErrorKind::Missing => ErrorCode::HostMissing,
            HostErrorKind::Threw => ErrorCode::HostThrew,
            HostErrorKind::NotPromise => ErrorCode::HostNotPromise,
            HostErrorKind::Rejected => ErrorCode::HostRejected,
            HostErrorKind::Timeout => ErrorCode::Timeout,
            HostErrorKind::BadValue => ErrorCode::HostBadValue,
        }
    }
}

/// A failure of one host capability, e.g. `request` rejected with `request:fail timeout`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// Which capability failed (`request`, `uploadFile`, `login`, `getStorage`, ...).
    pub capability: &'static str,
    /// How it failed.
    pub kind: HostErrorKind,
    /// Human-readable detail (from `Error.message`, `errMsg`, or a description of the value).
    pub detail: String,
}

impl HostError {
    /// Builds a host error.
    pub fn new(capability: &'static str, kind: HostErrorKind, detail: impl Into<String>) -> Self {
        HostError { capability, kind, detail: detail.into() }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            HostErrorKind::Missing => "is not provided by the host",
            HostErrorKind::Threw => "threw",
            HostErrorKind::NotPromise => "did not return a Promise",
            HostErrorKind::Rejected => "failed",
            HostErrorKind::Timeout => "timed out",
            HostErrorKind::BadValue => "returned an unexpected value",
        };
        if self.detail.is_empty() {
            write!(f, "host function `{}` {}", self.capability, what)
        } else {
            write!(f, "host function `{}` {}: {}", self.capability, what, self.detail)
        }
    }
}

/// The JSON object a server answered with an error, kept whole. Debug shows only that there is one:
/// bodies may echo user data.
#[derive(Clone, PartialEq)]
pub struct ServerBody(pub Obj);

impl fmt::Debug for ServerBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerBody(..)")
    }
}

/// Every error the core can produce.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A host capability failed (network failure, timeout, missing function...).
    #[error("{0}")]
    Host(HostError),
    /// A host capability failed and the client reports it with a fixed message instead of the
    /// details (the official Authing SDK's `get wx login code error`); the code is the failure's.
    #[error("{message}")]
    HostWithMessage {
        /// How the capability failed.
        kind: HostErrorKind,
        /// The message shown.
        message: &'static str,
    },
    /// The caller passed something invalid.
    #[error("invalid argument `{field}`: {reason}")]
    InvalidArgument {
        /// The offending argument or option name.
        field: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The server answered with an error envelope or an error status.
    #[error("{message}")]
    Server {
        /// HTTP status code.
        status: u16,
        /// The service's own error code, when it gave one.
        api_code: Option<String>,
        /// The service's message, or a description of the status.
        message: String,
        /// The server's body, when the client keeps it (Authing hands it to the app).
        body: Option<ServerBody>,
    },
    /// The server answered something that cannot be parsed as the protocol says.
    #[error("unexpected response: {message}")]
    BadResponse {
        /// HTTP status, when the answer had one worth reporting.
        status: Option<u16>,
        /// What is wrong with the answer.
        message: String,
        /// The answer's body, when it was an object the client keeps.
        body: Option<ServerBody>,
    },
    /// Encryption or key parsing failed.
    #[error("crypto error: {0}")]
    Crypto(String),
    /// No secure random source, or it has not been seeded: crypto refuses to run.
    #[error("no secure random source: {0}")]
    NoEntropy(String),
    /// The operation needs a logged-in user; the message says which state is missing (the official
    /// Authing SDK's texts are kept verbatim).
    #[error("{0}")]
    NotLoggedIn(&'static str),
    /// Stored state could not be read or written.
    #[error("storage error: {0}")]
    Storage(String),
}

impl Error {
    /// Stable, documented error code (`error.code` in JS is its [`ErrorCode::as_str`]).
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Host(h) => h.kind.code(),
            Error::HostWithMessage { kind, .. } => kind.code(),
            Error::InvalidArgument { .. } => ErrorCode::InvalidArgument,
            Error::Server { .. } => ErrorCode::Server,
            Error::BadResponse { .. } => ErrorCode::BadResponse,
            Error::Crypto(_) => ErrorCode::Crypto,
            Error::NoEntropy(_) => ErrorCode::NoEntropy,
            Error::NotLoggedIn(_) => ErrorCode::NotLoggedIn,
            Error::Storage(_) => ErrorCode::Storage,
        }
    }

    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument { field, reason: reason.into() }
    }

    /// A [`Error::BadResponse`] with no status or body.
    pub fn bad_response(message: impl Into<String>) -> Self {
        Error::BadResponse { status: None, message: message.into(), body: None }
    }
}

impl From<HostError> for Error {
    fn from(e: HostError) -> Self {
        Error::Host(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_error_messages_name_the_capability_and_the_failure() {
        let e = Error::from(HostError::new("request", HostErrorKind::Rejected, "request:fail timeout"));
        assert_eq!(e.to_string(), "host function `request` failed: request:fail timeout");
        assert_eq!(e.code(), ErrorCode::HostRejected);
        let e = Error::from(HostError::new("login", HostErrorKind::Missing, ""));
        assert_eq!(e.to_string(), "host function `login` is not provided by the host");
        assert_eq!(e.code(), ErrorCode::HostMissing);
    }

    #[test]
    fn every_variant_has_a_distinct_code() {
        let all = [
            Error::invalid("appId", "must not be empty"),
            Error::Server { status: 400, api_code: None, message: "x".into(), body: None },
            Error::bad_response("x"),
            Error::Crypto("x".into()),
            Error::NoEntropy("x".into()),
            Error::NotLoggedIn("x"),
            Error::Storage("x".into()),
        ];
        let mut codes: Vec<_> = all.iter().map(|e| e.code().as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
