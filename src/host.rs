//! The host seam: everything the core needs from the platform, in one trait.
//!
//! The JS shim implements it over `wx`/`my`/`tt`/browser APIs (see `wasm::host_js`); native tests
//! implement it with in-memory fakes. There is no `Send` bound: JS values are `!Send` and the wasm
//! core is single-threaded.

use crate::error::HostError;
use core::future::Future;

/// An HTTP method the SDK uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
}

impl Method {
    /// The method as it goes on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One HTTP request, exactly as it should go on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL, query string included.
    pub url: String,
    /// Headers in the order they are set.
    pub headers: Vec<(String, String)>,
    /// Body text (JSON or form-encoded), if any.
    pub body: Option<String>,
    /// Give up after this many milliseconds.
    pub timeout_ms: u32,
}

// Bodies and headers carry passwords and tokens: Debug shows only the shape.
impl core::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &redact_query(&self.url))
            .field("headers", &self.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().map(String::len))
            .finish()
    }
}

/// An HTTP response as the host reports it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Response headers (names as the host gives them).
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
}

impl core::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpResponse").field("status", &self.status).field("body_len", &self.body.len()).finish()
    }
}

impl HttpResponse {
    /// First header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A multipart file upload through the host (`wx.uploadFile` and friends).
#[derive(Clone, PartialEq, Eq)]
pub struct UploadRequest {
    /// Absolute URL.
    pub url: String,
    /// Local file path on the device (`wxfile://…`, `http://tmp/…`).
    pub file_path: String,
    /// Multipart field name of the file.
    pub name: String,
    /// Extra form fields, in order.
    pub form: Vec<(String, String)>,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Give up after this many milliseconds.
    pub timeout_ms: u32,
}

impl core::fmt::Debug for UploadRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UploadRequest")
            .field("url", &redact_query(&self.url))
            .field("file_path", &self.file_path)
            .field("name", &self.name)
            .field("form", &self.form.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .finish()
    }
}

/// Keeps the path of a URL and drops its query string (which may carry codes or tokens).
fn redact_query(url: &str) -> &str {
    url.split_once('?').map_or(url, |(path, _)| path)
}

/// Everything the core needs from the platform.
pub trait Host {
    /// Sends an HTTP request (`wx.request`). Resolves for every HTTP status; fails only when no
    /// response arrived.
    fn request(&self, req: HttpRequest) -> impl Future<Output = Result<HttpResponse, HostError>>;
    /// Uploads a local file as multipart form data (`wx.uploadFile`).
    fn upload_file(&self, req: UploadRequest) -> impl Future<Output = Result<HttpResponse, HostError>>;
    /// A fresh platform login code (`wx.login`, `tt.login`, `my.getAuthCode`).
    fn login_code(&self) -> impl Future<Output = Result<String, HostError>>;
    /// Reads a stored value as JSON text; `None` when the key is absent. (The JS bridge stores
    /// JSON values natively, e.g. objects with `wx.setStorage`, so state written by the official
    /// JS SDKs reads back as the same JSON.)
    fn storage_get(&self, key: &str) -> impl Future<Output = Result<Option<String>, HostError>>;
    /// Stores a value given as JSON text (the bridge parses it and stores the JS value).
    fn storage_set(&self, key: &str, value: &str) -> impl Future<Output = Result<(), HostError>>;
    /// Removes a stored key (absent keys are not an error).
    fn storage_remove(&self, key: &str) -> impl Future<Output = Result<(), HostError>>;
    /// Wall-clock time in milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
    /// `len` bytes from the platform's cryptographically secure source. Never a weak fallback.
    fn random_bytes(&self, len: usize) -> impl Future<Output = Result<Vec<u8>, HostError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_bodies_query_strings_and_header_values() {
        let req = HttpRequest {
            method: Method::Post,
            url: "https://x.example/oidc/token?code=SECRETCODE".into(),
            headers: vec![("authorization".into(), "Bearer SECRETTOKEN".into())],
            body: Some("{\"password\":\"SECRETPW\"}".into()),
            timeout_ms: 5000,
        };
        let dbg = format!("{req:?}");
        assert!(!dbg.contains("SECRET"), "{dbg}");
        assert!(dbg.contains("https://x.example/oidc/token"));
        assert!(dbg.contains("authorization"));
        let res = HttpResponse { status: 200, headers: vec![], body: "{\"access_token\":\"SECRETTOKEN\"}".into() };
        assert!(!format!("{res:?}").contains("SECRET"));
    }

    #[test]
    fn header_lookup_ignores_case() {
        let res = HttpResponse {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: String::new(),
        };
        assert_eq!(res.header("content-type"), Some("application/json"));
        assert_eq!(res.header("x-missing"), None);
    }
}
