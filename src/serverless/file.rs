//! `file.uploadFile`, `file.deleteFile`, `file.info` (reference §8.4), sans-I/O.
//!
//! Upload: `generateProximalSign` → multipart POST to the OSS host → `report` (unless OSS calls
//! back). Differences from 3.1.5 (defect fixes): every extension of the path whitelist is accepted
//! as `extension` (3.1.5 rejects `webp`/`bmp` reported by `getImageInfo`), the extension falls back
//! to the file path when the platform has no `getImageInfo`, `http://` hosts of a local gateway are
//! kept, the upload's own `timeout` option is honoured and a failed upload is reported.

use super::envelope::{json_str, Reply};
use crate::error::Error;
use crate::host::UploadRequest;
use serde_json::{Map, Value};

/// RPC: signed OSS upload policy.
pub const METHOD_SIGN: &str = "serverless.file.resource.generateProximalSign";
/// RPC: report a finished upload.
pub const METHOD_REPORT: &str = "serverless.file.resource.report";
/// RPC: delete files.
pub const METHOD_DELETE: &str = "serverless.file.resource.delete";
/// RPC: file info.
pub const METHOD_INFO: &str = "serverless.file.resource.info";
/// Default upload timeout (the platforms' own default).
pub const DEFAULT_UPLOAD_TIMEOUT_MS: u32 = 60_000;

/// File extensions 3.x accepts in the file path (`D` in `@alicloud/mp-file-service`).
pub const EXTENSIONS: [&str; 30] = [
    "jpg", "jpeg", "png", "gif", "webp", "bmp", "wbmp", "svg", "image", "audio", "au", "mp2", "mp3", "3gpp", "mp4",
    "mpeg", "flv", "avi", "video", "wmv", "mpg", "mpga", "pdf", "xls", "xlsx", "doc", "docx", "ppt", "pptx", "txt",
];

/// `mime/lite` `getType` for the whitelisted extensions, as 3.x computes the upload Content-Type.
pub fn mime(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "svg" => "image/svg+xml",
        "au" => "audio/basic",
        "mp2" | "mp3" | "mpga" => "audio/mpeg",
        "3gpp" => "video/3gpp",
        "mp4" => "video/mp4",
        "mpeg" | "mpg" => "video/mpeg",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "txt" => "text/plain",
        _ => return None,
    })
}

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
fn opt_str(o: &Map<String, Value>, key: &'static str) -> Result<Option<String>, &'static str> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(key),
    }
}

/// An optional non-negative integer member no greater than `max`.
fn opt_int(o: &Map<String, Value>, key: &'static str, max: u64) -> Result<Option<u64>, &'static str> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_u64().filter(|n| *n <= max).map(Some).ok_or(key),
        Some(_) => Err(key),
    }
}

impl UploadOptions {
    /// Reads the options from their JSON text: unknown members are ignored, `null` is absent. The
    /// error text is what follows `uploadFile options are invalid: `.
    pub fn from_json(text: &str) -> Result<UploadOptions, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        UploadOptions::from_value(&v).map_err(|key| format!("invalid type or value of `{key}`"))
    }

    fn from_value(v: &Value) -> Result<UploadOptions, &'static str> {
        let Value::Object(o) = v else { return Err("options") };
        let headers = match o.get("headers") {
            None | Some(Value::Null) => None,
            Some(Value::Object(h)) => Some(UploadHeaders {
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
            Some(Value::Array(pairs)) => {
                for pair in pairs {
                    match pair.as_array().map(Vec::as_slice) {
                        Some([Value::String(k), Value::String(v)]) => meta.push((k.clone(), v.clone())),
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
        let v = Value::deserialize(d)?;
        UploadOptions::from_value(&v)
            .map_err(|key| <D::Error as serde::de::Error>::custom(format!("invalid type or value of `{key}`")))
    }
}

/// A validated upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadPlan {
    /// Local path.
    pub file_path: String,
    /// Extension in effect (lowercase, no dot), if any.
    pub extension: Option<String>,
    /// Its MIME type, if known.
    pub content_type: Option<&'static str>,
    /// Params of `generateProximalSign`.
    pub sign_params: String,
}

fn normalise_ext(ext: &str) -> String {
    ext.trim_start_matches('.').to_ascii_lowercase()
}

/// The path as 3.x reads it: everything up to the last `://` stripped.
fn strip_scheme(path: &str) -> &str {
    super::rfind_str(path, "://").map_or(path, |i| path.get(i + 3..).unwrap_or(""))
}

/// Validates the options and builds the sign params.
pub fn plan_upload(o: &UploadOptions) -> Result<UploadPlan, Error> {
    let file_path = match o.file_path.as_deref() {
        Some(p) if !p.is_empty() => p.to_string(),
        _ => return Err(Error::invalid("filePath", "filePath is required")),
    };
    let bare = strip_scheme(&file_path);
    let path_ext = normalise_ext(bare.rsplit('.').next().unwrap_or(""));
    if !EXTENSIONS.contains(&path_ext.as_str()) {
        return Err(Error::invalid("filePath", format!("files of type \"{path_ext}\" are not supported")));
    }
    let extension = match o.extension.as_deref().filter(|e| !e.is_empty()) {
        Some(e) => {
            let e = normalise_ext(e);
            if !EXTENSIONS.contains(&e.as_str()) {
                return Err(Error::invalid(
                    "extension",
                    format!("extension should be one of {}", EXTENSIONS.join(", ")),
                ));
            }
            e
        }
        None => o
            .detected_type
            .as_deref()
            .map(normalise_ext)
            .filter(|t| EXTENSIONS.contains(&t.as_str()))
            .unwrap_or(path_ext),
    };
    if let Some(env) = o.env.as_deref() {
        if env != "public" {
            return Err(Error::invalid("env", "env should be \"public\""));
        }
    }
    if let Some(cp) = o.cloud_path.as_deref() {
        if !cp.starts_with('/') {
            return Err(Error::invalid("cloudPath", "cloudPath should start with \"/\""));
        }
    }
    let filename = bare.rsplit('/').next().unwrap_or(bare);
    let mut p = format!("{{\"env\":\"public\",\"filename\":{}", json_str(filename));
    if let Some(size) = o.file_size {
        p.push_str(&format!(",\"size\":{size}"));
    }
    if let Some(t) = o.path.as_deref().filter(|t| !t.is_empty()) {
        p.push_str(&format!(",\"targetPath\":{}", json_str(t)));
    }
    if let Some(id) = o.cloud_path.as_deref().filter(|c| !c.is_empty()) {
        p.push_str(&format!(",\"fileId\":{}", json_str(id)));
    }
    p.push('}');
    let content_type = mime(&extension);
    Ok(UploadPlan { file_path, extension: Some(extension), content_type, sign_params: p })
}

/// The policy `generateProximalSign` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignData {
    /// File id.
    pub id: String,
    /// Object key (`ossPath`).
    pub oss_path: String,
    /// OSS host (`https://` is prefixed unless it has a scheme).
    pub host: String,
    /// Upload policy.
    pub policy: String,
    /// Policy signature.
    pub signature: String,
    /// `OSSAccessKeyId`.
    pub access_key_id: String,
    /// STS token, if any.
    pub security_token: Option<String>,
    /// CDN domain of the public URL.
    pub cdn_domain: String,
    /// OSS callback URL, if the gateway wants OSS to report the upload itself.
    pub oss_callback_url: Option<String>,
}

fn with_scheme(host: &str) -> String {
    if host.starts_with("https://") || host.starts_with("http://") {
        host.trim_end_matches('/').to_string()
    } else {
        format!("https://{host}")
    }
}

/// Reads the sign reply's `data`.
pub fn parse_sign(reply: &Reply) -> Result<SignData, Error> {
    let data = reply.json.get("data").filter(|d| d.is_object()).unwrap_or(&reply.json);
    let s = |k: &str| data.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let need = |k: &str| s(k).ok_or_else(|| Error::BadResponse(format!("generateProximalSign reply has no {k}")));
    Ok(SignData {
        id: need("id")?,
        oss_path: need("ossPath")?,
        host: need("host")?,
        policy: need("policy")?,
        signature: need("signature")?,
        access_key_id: need("accessKeyId")?,
        security_token: s("securityToken"),
        cdn_domain: need("cdnDomain")?,
        oss_callback_url: s("ossCallbackUrl"),
    })
}

/// The multipart upload to OSS, form fields in 3.x order.
pub fn upload_request(plan: &UploadPlan, sign: &SignData, o: &UploadOptions, space_id: &str) -> UploadRequest {
    let mut form: Vec<(String, String)> = vec![("success_action_status".into(), "200".into())];
    // JS object assignment: an existing key keeps its position and takes the new value.
    fn set(form: &mut Vec<(String, String)>, k: &str, v: String) {
        match form.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v,
            None => form.push((k.to_string(), v)),
        }
    }
    if let Some(h) = &o.headers {
        let mapped = [
            ("Expires", &h.expires),
            ("Cache-Control", &h.cache_control),
            ("Content-Type", &h.content_type),
            ("Content-Encoding", &h.content_encoding),
            ("Content-Disposition", &h.content_disposition),
        ];
        for (k, v) in mapped {
            if let Some(v) = v {
                set(&mut form, k, v.clone());
            }
        }
    }
    set(&mut form, "Cache-Control", "max-age=2592000".into());
    if let Some(t) = &sign.security_token {
        set(&mut form, "x-oss-security-token", t.clone());
    }
    if let Some(cb) = &sign.oss_callback_url {
        let body = format!("{{\"fileId\":{},\"spaceId\":{}}}", json_str(&sign.id), json_str(space_id));
        let callback = format!(
            "{{\"callbackUrl\":{},\"callbackBody\":{},\"callbackBodyType\":\"application/json\"}}",
            json_str(cb),
            json_str(&body)
        );
        use base64ct::Encoding;
        set(&mut form, "callback", base64ct::Base64::encode_string(callback.as_bytes()));
    }
    for (k, v) in &o.meta {
        set(&mut form, &format!("x-oss-meta-{k}"), v.clone());
    }
    set(&mut form, "key", sign.oss_path.clone());
    set(&mut form, "policy", sign.policy.clone());
    set(&mut form, "Signature", sign.signature.clone());
    set(&mut form, "OSSAccessKeyId", sign.access_key_id.clone());

    let mut headers = vec![("X-OSS-server-side-encrpytion".to_string(), "AES256".to_string())];
    if let Some(ct) = plan.content_type {
        headers.push(("Content-Type".into(), ct.into()));
    }
    UploadRequest {
        url: with_scheme(&sign.host),
        file_path: plan.file_path.clone(),
        name: "file".into(),
        form,
        headers,
        timeout_ms: o.timeout.filter(|t| *t > 0).unwrap_or(DEFAULT_UPLOAD_TIMEOUT_MS),
    }
}

/// Params of `report`: `{"id"[,"contentType"]}`.
pub fn report_params(id: &str, content_type: Option<&str>) -> String {
    match content_type {
        Some(ct) => format!("{{\"id\":{},\"contentType\":{}}}", json_str(id), json_str(ct)),
        None => format!("{{\"id\":{}}}", json_str(id)),
    }
}

/// The result of `uploadFile`: `{"fileUrl","filePath","fileId"}`.
pub fn upload_result(sign: &SignData) -> String {
    let url = format!("{}/{}", with_scheme(&sign.cdn_domain), sign.oss_path);
    format!(
        "{{\"fileUrl\":{},\"filePath\":{},\"fileId\":{}}}",
        json_str(&url),
        json_str(&sign.oss_path),
        json_str(&sign.id)
    )
}

/// Params of `deleteFile`: `{"id": ids}` (several ids comma-joined by the facade).
pub fn delete_params(id: &str) -> Result<String, Error> {
    if id.is_empty() {
        return Err(Error::invalid("fileId", "fileId should be a non-empty string"));
    }
    Ok(format!("{{\"id\":{}}}", json_str(id)))
}

/// Params of `info`: `{"id":"a,b", ...options}`.
pub fn info_params(ids: &str, options: Option<&str>) -> Result<String, Error> {
    if ids.is_empty() {
        return Err(Error::invalid("fileIds", "fileIds should be a non-empty string or array"));
    }
    let mut out = format!("{{\"id\":{}", json_str(ids));
    if let Some(o) = options {
        match serde_json::from_str::<Value>(o) {
            Ok(Value::Object(m)) if m.is_empty() => {}
            Ok(Value::Object(_)) => {
                // Splice the caller's members after `id`, keeping their text (and order) as is.
                let inner = o.trim().trim_start_matches('{').trim_end_matches('}');
                out.push(',');
                out.push_str(inner);
            }
            _ => return Err(Error::invalid("options", "options should be an object")),
        }
    }
    out.push('}');
    Ok(out)
}

/// Upload failures (non-2xx from OSS) as gateway-style errors.
pub fn check_upload_status(status: u16) -> Result<(), Error> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(Error::Server {
            status,
            api_code: Some("UPLOAD_FAILED".into()),
            message: format!("file upload answered HTTP {status}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(path: &str) -> UploadOptions {
        UploadOptions { file_path: Some(path.into()), ..Default::default() }
    }

    #[test]
    fn sign_params_follow_3x() {
        let mut o = opts("wxfile://tmp_abc.png");
        o.file_size = Some(1234);
        let p = plan_upload(&o).unwrap();
        assert_eq!(p.sign_params, r#"{"env":"public","filename":"tmp_abc.png","size":1234}"#);
        assert_eq!(p.extension.as_deref(), Some("png"));
        assert_eq!(p.content_type, Some("image/png"));
        o.path = Some("avatars".into());
        o.cloud_path = Some("/a/b.png".into());
        assert_eq!(
            plan_upload(&o).unwrap().sign_params,
            r#"{"env":"public","filename":"tmp_abc.png","size":1234,"targetPath":"avatars","fileId":"/a/b.png"}"#
        );
        // No size known (no getFileInfo): the key is omitted, as JSON drops `undefined`.
        assert_eq!(
            plan_upload(&opts("http://tmp/x/y.jpg")).unwrap().sign_params,
            r#"{"env":"public","filename":"y.jpg"}"#
        );
    }

    // Defect fix: webp/bmp reported by getImageInfo are accepted (3.1.5 rejects them).
    #[test]
    fn webp_and_bmp_are_accepted() {
        for (ext, ct) in [("webp", "image/webp"), ("bmp", "image/bmp"), (".WEBP", "image/webp")] {
            let mut o = opts("wxfile://tmp_1.png");
            o.extension = Some(ext.into());
            assert_eq!(plan_upload(&o).unwrap().content_type, Some(ct));
            let mut o = opts("wxfile://tmp_1.webp");
            o.detected_type = Some(ext.into());
            assert_eq!(plan_upload(&o).unwrap().content_type, Some(ct));
        }
    }

    // Defect fix: without getImageInfo the extension comes from the path; a detected type outside the
    // whitelist (WeChat's "unknown", "tiff") falls back to it too.
    #[test]
    fn extension_falls_back_to_the_path() {
        let p = plan_upload(&opts("wxfile://tmp_1.pdf")).unwrap();
        assert_eq!((p.extension.as_deref(), p.content_type), (Some("pdf"), Some("application/pdf")));
        let mut o = opts("wxfile://tmp_1.jpg");
        o.detected_type = Some("unknown".into());
        assert_eq!(plan_upload(&o).unwrap().content_type, Some("image/jpeg"));
    }

    #[test]
    fn bad_upload_options_are_refused() {
        let inv = |f: &'static str, r: &str| Error::invalid(f, r.to_string());
        assert_eq!(plan_upload(&UploadOptions::default()).unwrap_err(), inv("filePath", "filePath is required"));
        assert_eq!(
            plan_upload(&opts("wxfile://tmp_1.exe")).unwrap_err(),
            inv("filePath", "files of type \"exe\" are not supported")
        );
        let mut o = opts("a.png");
        o.extension = Some("exe".into());
        assert_eq!(plan_upload(&o).unwrap_err().code(), "INVALID_ARGUMENT");
        let mut o = opts("a.png");
        o.env = Some("private".into());
        assert_eq!(plan_upload(&o).unwrap_err(), inv("env", "env should be \"public\""));
        let mut o = opts("a.png");
        o.cloud_path = Some("x.png".into());
        assert_eq!(plan_upload(&o).unwrap_err(), inv("cloudPath", "cloudPath should start with \"/\""));
    }

    fn sign(callback: Option<&str>, host: &str) -> SignData {
        SignData {
            id: "fid".into(),
            oss_path: "space/p.png".into(),
            host: host.into(),
            policy: "POL".into(),
            signature: "SIG".into(),
            access_key_id: "AK".into(),
            security_token: Some("STS".into()),
            cdn_domain: "cdn.example.com".into(),
            oss_callback_url: callback.map(str::to_string),
        }
    }

    #[test]
    fn upload_form_follows_3x_order() {
        let mut o = opts("wxfile://tmp_1.png");
        o.headers = Some(UploadHeaders {
            cache_control: Some("no-cache".into()),
            content_disposition: Some("inline".into()),
            ..Default::default()
        });
        o.meta = vec![("b".into(), "2".into()), ("a".into(), "1".into())];
        let plan = plan_upload(&o).unwrap();
        let up = upload_request(&plan, &sign(Some("https://cb"), "bucket.oss.example.com"), &o, "S");
        assert_eq!(up.url, "https://bucket.oss.example.com");
        assert_eq!(up.name, "file");
        let keys: Vec<&str> = up.form.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "success_action_status",
                "Cache-Control",
                "Content-Disposition",
                "x-oss-security-token",
                "callback",
                "x-oss-meta-b",
                "x-oss-meta-a",
                "key",
                "policy",
                "Signature",
                "OSSAccessKeyId"
            ]
        );
        assert_eq!(up.form.get(1).map(|(_, v)| v.as_str()), Some("max-age=2592000"));
        use base64ct::Encoding;
        let cb = up.form.iter().find(|(k, _)| k == "callback").map(|(_, v)| v.clone()).unwrap();
        let decoded = String::from_utf8(base64ct::Base64::decode_vec(&cb).unwrap()).unwrap();
        assert_eq!(
            decoded,
            r#"{"callbackUrl":"https://cb","callbackBody":"{\"fileId\":\"fid\",\"spaceId\":\"S\"}","callbackBodyType":"application/json"}"#
        );
        assert_eq!(
            up.headers,
            vec![
                ("X-OSS-server-side-encrpytion".to_string(), "AES256".to_string()),
                ("Content-Type".to_string(), "image/png".to_string())
            ]
        );
        assert_eq!(up.timeout_ms, DEFAULT_UPLOAD_TIMEOUT_MS);
        // A local (http://) host is kept as is.
        assert_eq!(
            upload_request(&plan, &sign(None, "http://127.0.0.1:9/oss/"), &o, "S").url,
            "http://127.0.0.1:9/oss"
        );
    }

    #[test]
    fn report_result_delete_info() {
        assert_eq!(report_params("fid", Some("image/png")), r#"{"id":"fid","contentType":"image/png"}"#);
        assert_eq!(report_params("fid", None), r#"{"id":"fid"}"#);
        assert_eq!(
            upload_result(&sign(None, "h")),
            r#"{"fileUrl":"https://cdn.example.com/space/p.png","filePath":"space/p.png","fileId":"fid"}"#
        );
        assert_eq!(delete_params("a,b").unwrap(), r#"{"id":"a,b"}"#);
        assert!(delete_params("").is_err());
        assert_eq!(info_params("a,b", None).unwrap(), r#"{"id":"a,b"}"#);
        assert_eq!(info_params("a", Some(r#"{"maxAge":60}"#)).unwrap(), r#"{"id":"a","maxAge":60}"#);
        assert_eq!(info_params("a", Some("{}")).unwrap(), r#"{"id":"a"}"#);
        assert!(info_params("a", Some("[]")).is_err());
        assert!(check_upload_status(204).is_ok());
        assert_eq!(check_upload_status(403).unwrap_err().to_string(), "file upload answered HTTP 403");
    }
}
