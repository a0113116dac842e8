//! Validation of an upload and the params of the file RPCs, as JSON text in 3.x key order.

use super::mime::{mime, EXTENSIONS};
use super::options::UploadOptions;
use crate::error::Error;
use crate::json::Json;
use crate::serverless::envelope::json_str;

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
    crate::serverless::rfind_str(path, "://").map_or(path, |i| path.get(i + 3..).unwrap_or(""))
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
    let size = o.file_size.map(crate::json::text::uint_text);
    let p = sign_params(bare, size.as_deref(), o.path.as_deref(), o.cloud_path.as_deref());
    let content_type = mime(&extension);
    Ok(UploadPlan { file_path, extension: Some(extension), content_type, sign_params: p })
}

/// Params of `generateProximalSign` as 3.x `getOSSUploadOptionsFromPath(path, targetPath, size,
/// cloudPath)` builds them: `{"env":"public","filename":<last segment of path>[,"size"][,"targetPath"][,"fileId"]}`
/// (empty `targetPath` / `cloudPath` are left out, as 3.x tests them for truthiness).
/// `size` is the decimal text of the byte count (checked by the caller).
pub fn sign_params(path: &str, size: Option<&str>, target_path: Option<&str>, cloud_path: Option<&str>) -> String {
    let filename = path.rsplit('/').next().unwrap_or(path);
    let mut p = String::from("{\"env\":\"public\",\"filename\":");
    p.push_str(&json_str(filename));
    if let Some(size) = size {
        p.push_str(",\"size\":");
        p.push_str(size);
    }
    if let Some(t) = target_path.filter(|t| !t.is_empty()) {
        p.push_str(",\"targetPath\":");
        p.push_str(&json_str(t));
    }
    if let Some(id) = cloud_path.filter(|c| !c.is_empty()) {
        p.push_str(",\"fileId\":");
        p.push_str(&json_str(id));
    }
    p.push('}');
    p
}

/// Params of `report`: `{"id"[,"contentType"]}`.
pub fn report_params(id: &str, content_type: Option<&str>) -> String {
    match content_type {
        Some(ct) => format!("{{\"id\":{},\"contentType\":{}}}", json_str(id), json_str(ct)),
        None => format!("{{\"id\":{}}}", json_str(id)),
    }
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
        match Json::parse(o) {
            Ok(Json::Object(m)) if m.is_empty() => {}
            Ok(Json::Object(_)) => {
                // Splice the caller's members after `id`, keeping their text (and order) as is:
                // only the object's own braces go (it parsed as an object, so they are there).
                let trimmed = o.trim();
                let inner = trimmed.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(trimmed);
                out.push(',');
                out.push_str(inner);
            }
            _ => return Err(Error::invalid("options", "options should be an object")),
        }
    }
    out.push('}');
    Ok(out)
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
        assert_eq!(plan_upload(&o).unwrap_err().code(), crate::ErrorCode::InvalidArgument);
        let mut o = opts("a.png");
        o.env = Some("private".into());
        assert_eq!(plan_upload(&o).unwrap_err(), inv("env", "env should be \"public\""));
        let mut o = opts("a.png");
        o.cloud_path = Some("x.png".into());
        assert_eq!(plan_upload(&o).unwrap_err(), inv("cloudPath", "cloudPath should start with \"/\""));
    }

    // Nested options end in several `}`: only the object's own closing brace is cut before the
    // members are spliced after `id` (they were all stripped, sending and signing broken JSON).
    #[test]
    fn info_params_keep_nested_options_whole() {
        let nested = r#"{"image":{"resize":{"w":100}},"maxAge":60}"#;
        let p = info_params("a", Some(nested)).unwrap();
        assert_eq!(p, r#"{"id":"a","image":{"resize":{"w":100}},"maxAge":60}"#);
        let p = info_params("a", Some(r#" {"x":{"y":{}}} "#)).unwrap();
        assert_eq!(p, r#"{"id":"a","x":{"y":{}}}"#);
        assert!(Json::parse(&p).is_ok());
    }

    #[test]
    fn report_delete_info() {
        assert_eq!(report_params("fid", Some("image/png")), r#"{"id":"fid","contentType":"image/png"}"#);
        assert_eq!(report_params("fid", None), r#"{"id":"fid"}"#);
        assert_eq!(delete_params("a,b").unwrap(), r#"{"id":"a,b"}"#);
        assert!(delete_params("").is_err());
        assert_eq!(info_params("a,b", None).unwrap(), r#"{"id":"a,b"}"#);
        assert_eq!(info_params("a", Some(r#"{"maxAge":60}"#)).unwrap(), r#"{"id":"a","maxAge":60}"#);
        assert_eq!(info_params("a", Some("{}")).unwrap(), r#"{"id":"a"}"#);
        assert!(info_params("a", Some("[]")).is_err());
    }
}
