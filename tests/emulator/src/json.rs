//! Request-body parsing and typed field access that never panics: every
//! malformed input becomes an `ApiError` with a precise message.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

/// The raw body as handlers receive it (a rejection is turned into an error
/// envelope by the handler instead of axum's plain-text answer).
pub type RawBody = Result<Bytes, BytesRejection>;

pub fn body_bytes(body: RawBody) -> ApiResult<Bytes> {
    body.map_err(|rej| {
        if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large("request body is too large")
        } else {
            ApiError::bad_request("cannot read the request body")
        }
    })
}

/// Parses a JSON object body.
pub fn parse_object(bytes: &[u8]) -> ApiResult<Map<String, Value>> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::bad_request("request body must be a JSON object"));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_request("request body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!("malformed JSON body: {e}"))),
    }
}

pub fn opt_str<'a>(m: &'a Map<String, Value>, key: &str) -> ApiResult<Option<&'a str>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be a string"))),
    }
}

/// A required, non-empty string.
pub fn req_str<'a>(m: &'a Map<String, Value>, key: &str) -> ApiResult<&'a str> {
    match opt_str(m, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ApiError::bad_request(format!("{key} is required"))),
    }
}

pub fn opt_obj<'a>(m: &'a Map<String, Value>, key: &str) -> ApiResult<Option<&'a Map<String, Value>>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be an object"))),
    }
}

pub fn req_obj<'a>(m: &'a Map<String, Value>, key: &str) -> ApiResult<&'a Map<String, Value>> {
    opt_obj(m, key)?.ok_or_else(|| ApiError::bad_request(format!("{key} is required")))
}

pub fn opt_bool(m: &Map<String, Value>, key: &str) -> ApiResult<Option<bool>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be a boolean"))),
    }
}

/// A non-negative integer (JSON numbers such as `3.0` are accepted).
pub fn opt_u64(m: &Map<String, Value>, key: &str) -> ApiResult<Option<u64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            as_u64(v).map(Some).ok_or_else(|| ApiError::bad_request(format!("{key} must be a non-negative integer")))
        }
    }
}

pub fn as_u64(v: &Value) -> Option<u64> {
    if let Some(u) = v.as_u64() {
        return Some(u);
    }
    let f = v.as_f64()?;
    if f >= 0.0 && f.fract() == 0.0 && f < 9.0e15 {
        // exact for integers below 2^53
        Some(f as u64)
    } else {
        None
    }
}

/// One part of a `multipart/form-data` body.
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// Parses a fully-read multipart body (the body is read completely first,
/// so an early error never leaves the client writing into a closed socket).
pub async fn parse_multipart(headers: &axum::http::HeaderMap, body: Bytes) -> Result<Vec<Part>, String> {
    let ctype = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or("content-type must be multipart/form-data")?;
    let boundary =
        multer::parse_boundary(ctype).map_err(|_| "content-type must be multipart/form-data with a boundary")?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                if parts.len() >= 64 {
                    return Err("too many multipart fields".into());
                }
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                let content_type = field.content_type().map(|m| m.to_string());
                let data = field.bytes().await.map_err(|_| "malformed multipart body")?;
                parts.push(Part { name, file_name, content_type, data });
            }
            Ok(None) => return Ok(parts),
            Err(_) => return Err("malformed multipart body".into()),
        }
    }
}
