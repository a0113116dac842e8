//! `uploadFile` options as the facade passes them (JSON, camelCase keys).

use crate::json::{Json, Obj};

/// `headers` option of `uploadFile` (strings, normalised by the facade).
#[derive(Debug, Default, Clone)]
pub struct UploadHeaders {
    /// `Expires`
    pub expires: Option<String>,
    /// `Cache-Control` (overridden by the forced `max-age=2592000`, as in 3.x)
    pub cache_control: Option<String>,
    /// `Content-Type`
    pub content_type: Option<String>,
    /// `Content-Encoding`
    pub content_encoding: Option<String>,
    /// `Content-Disposition`
    pub content_disposition: Option<String>,
}

/// `uploadFile` options as the facade passes them (JSON, camelCase keys).
#[derive(Debug, Default, Clone)]
pub struct UploadOptions {
    /// Local file path (required).
    pub file_path: Option<String>,
    /// Size in bytes (caller's `fileSize`, or `getFileInfo`).
    pub file_size: Option<u64>,
    /// Caller's `extension`.
    pub extension: Option<String>,
    /// `getImageInfo().type`, when the platform has it and it succeeded.
    pub detected_type: Option<String>,
    /// Must be `public` when given.
    pub env: Option<String>,
    /// OSS headers.
    pub headers: Option<UploadHeaders>,
    /// `x-oss-meta-*` pairs, in the caller's order.
    pub meta: Vec<(String, String)>,
    /// Target file id / path (3.1.5+); must start with `/`.
    pub cloud_path: Option<String>,
    /// Target directory (`targetPath`).
    pub path: Option<String>,
    /// Upload timeout in ms.
    pub timeout: Option<u32>,
}

/// An optional string member (`null` = absent); `Err` names a member of another type.
fn opt_str(o: &Obj, key: &'static str) -> Result<Option<String>, &'static str> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(key),
    }
}

/// An optional non-negative integer member no greater than `max`.
fn opt_int(o: &Obj, key: &'static str, max: u64) -> Result<Option<u64>, &'static str> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n.as_u64().filter(|n| *n <= max).map(Some).ok_or(key),
        Some(_) => Err(key),
    }
}

impl UploadOptions {
    /// Reads the options from their JSON text: unknown members are ignored, `null` is absent. The
    /// error text is what follows `uploadFile options are invalid: `.
    pub fn from_json(text: &str) -> Result<UploadOptions, String> {
        let v = Json::parse(text).map_err(|e| e.to_string())?;
        UploadOptions::from_value(&v).map_err(|key| format!("invalid type or value of `{key}`"))
    }

    fn from_value(v: &Json) -> Result<UploadOptions, &'static str> {
        let Json::Object(o) = v else { return Err("options") };
        let headers = match o.get("headers") {
            None | Some(Json::Null) => None,
            Some(Json::Object(h)) => Some(UploadHeaders {
                expires: opt_str(h, "expires")?,
                cache_control: opt_str(h, "cacheControl")?,
                content_type: opt_str(h, "contentType")?,
                content_encoding: opt_str(h, "contentEncoding")?,
                content_disposition: opt_str(h, "contentDisposition")?,
            }),
            Some(_) => return Err("headers"),
        };
        let mut meta = Vec::new();
        match o.get("meta") {
            None => {}
            Some(Json::Array(pairs)) => {
                for pair in pairs {
                    match pair.as_array().map(Vec::as_slice) {
                        Some([Json::String(k), Json::String(v)]) => meta.push((k.clone(), v.clone())),
                        _ => return Err("meta"),
                    }
                }
            }
            Some(_) => return Err("meta"),
        }
        Ok(UploadOptions {
            file_path: opt_str(o, "filePath")?,
            file_size: opt_int(o, "fileSize", u64::MAX)?,
            extension: opt_str(o, "extension")?,
            detected_type: opt_str(o, "detectedType")?,
            env: opt_str(o, "env")?,
            headers,
            meta,
            cloud_path: opt_str(o, "cloudPath")?,
            path: opt_str(o, "path")?,
            timeout: opt_int(o, "timeout", u64::from(u32::MAX))?.and_then(|t| u32::try_from(t).ok()),
        })
    }
}

// Kept for callers that deserialise the options with serde (the fuzz tests); the wasm reads them
// with `UploadOptions::from_json`, which needs no derive machinery.
impl<'de> serde::Deserialize<'de> for UploadOptions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<UploadOptions, D::Error> {
        let v = Json::deserialize(d)?;
        UploadOptions::from_value(&v)
            .map_err(|key| <D::Error as serde::de::Error>::custom(format!("invalid type or value of `{key}`")))
    }
}
