//! The one error type of the core and its stable codes.
//!
//! Every failure, whatever its source (host callback, network, server, crypto, bad input), becomes an
//! [`Error`]; the wasm boundary turns it into a JS `Error` with a stable `code`
//! (see `wasm::error_js`). Messages never contain secrets: they are built from static text, field
//! names and server-provided messages only.

use core::fmt;

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
    /// Stable code for this kind, as seen by JS (`error.code`).
    pub fn code(self) -> &'static str {
        match self {
            HostErrorKind::Missing => "HOST_MISSING",
            HostErrorKind::Threw => "HOST_THREW",
            HostErrorKind::NotPromise => "HOST_NOT_PROMISE",
            HostErrorKind::Rejected => "HOST_REJECTED",
            HostErrorKind::Timeout => "TIMEOUT",
            HostErrorKind::BadValue => "HOST_BAD_VALUE",
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

/// Every error the core can produce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A host capability failed (network failure, timeout, missing function...).
    #[error("{0}")]
    Host(HostError),
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
    },
    /// The server answered something that cannot be parsed as the protocol says.
    #[error("unexpected response: {0}")]
    BadResponse(String),
    /// Encryption or key parsing failed.
    #[error("crypto error: {0}")]
    Crypto(String),
    /// No secure random source, or it has not been seeded: crypto refuses to run.
    #[error("no secure random source: {0}")]
    NoEntropy(String),
    /// The operation needs a logged-in user.
    #[error("not logged in")]
    NotLoggedIn,
    /// Stored state could not be read or written.
    #[error("storage error: {0}")]
    Storage(String),
}

impl Error {
    /// Stable, documented error code (`error.code` in JS).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Host(h) => h.kind.code(),
            Error::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Error::Server { .. } => "SERVER",
            Error::BadResponse(_) => "BAD_RESPONSE",
            Error::Crypto(_) => "CRYPTO",
            Error::NoEntropy(_) => "NO_ENTROPY",
            Error::NotLoggedIn => "NOT_LOGGED_IN",
            Error::Storage(_) => "STORAGE",
        }
    }

    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument { field, reason: reason.into() }
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
        assert_eq!(e.code(), "HOST_REJECTED");
        let e = Error::from(HostError::new("login", HostErrorKind::Missing, ""));
        assert_eq!(e.to_string(), "host function `login` is not provided by the host");
        assert_eq!(e.code(), "HOST_MISSING");
    }

    #[test]
    fn every_variant_has_a_distinct_code() {
        let all = [
            Error::invalid("appId", "must not be empty"),
            Error::Server { status: 400, api_code: None, message: "x".into() },
            Error::BadResponse("x".into()),
            Error::Crypto("x".into()),
            Error::NoEntropy("x".into()),
            Error::NotLoggedIn,
            Error::Storage("x".into()),
        ];
        let mut codes: Vec<_> = all.iter().map(Error::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
