//! One error type for every handler. Each service renders it in its own
//! envelope (Authing `{statusCode,…}`, OIDC `{error,…}`, MPServerless
//! `{success:false,error:{code,message}}`, admin `{error:{code,message}}`).

use std::fmt;

#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP-like status (also Authing's `statusCode`).
    pub status: u16,
    /// Machine-readable code (MPServerless `error.code`, OIDC `error`).
    pub code: String,
    /// Authing `apiCode`, when the service defines one.
    pub api_code: Option<u32>,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { status, code: code.into(), api_code: None, message: message.into() }
    }

    pub fn with_api_code(mut self, api_code: u32) -> Self {
        self.api_code = Some(api_code);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameter", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "Unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFound", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "Conflict", message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(413, "InvalidParameter.BodyTooLarge", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::DatabaseBusy || f.code == rusqlite::ErrorCode::DatabaseLocked {
                return ApiError::new(
                    409,
                    "DatabaseError.WriteConflict",
                    "the data is locked by a running transaction, retry later",
                );
            }
        }
        tracing::error!(error = %e, "sqlite error");
        ApiError::internal("internal storage error")
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        tracing::error!(error = %e, "io error");
        ApiError::internal("internal storage error")
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        tracing::error!(error = %e, "json serialisation error");
        ApiError::internal("internal serialisation error")
    }
}
