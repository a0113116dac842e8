//! The OSS side of an upload: the policy `generateProximalSign` returns, the multipart form posted
//! to the OSS host (fields in 3.x order), and the upload's result.

use super::options::UploadOptions;
use super::params::UploadPlan;
use crate::error::Error;
use crate::host::UploadRequest;
use crate::json::Json;
use crate::serverless::envelope::{json_str, Reply};

/// Default upload timeout (the platforms' own default).
pub const DEFAULT_UPLOAD_TIMEOUT_MS: u32 = 60_000;

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
    let s = |k: &str| data.get(k).and_then(Json::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let need = |k: &str| s(k).ok_or_else(|| Error::bad_response(format!("generateProximalSign reply has no {k}")));
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
        set(&mut form, "callback", crate::base64::encode(callback.as_bytes()));
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

/// Upload failures (non-2xx from OSS) as gateway-style errors.
pub fn check_upload_status(status: u16) -> Result<(), Error> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(Error::Server {
            status,
            api_code: Some("UPLOAD_FAILED".into()),
            message: format!("file upload answered HTTP {status}"),
            body: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serverless::file::{plan_upload, UploadHeaders};

    fn opts(path: &str) -> UploadOptions {
        UploadOptions { file_path: Some(path.into()), ..Default::default() }
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
    fn result_and_upload_status() {
        assert_eq!(
            upload_result(&sign(None, "h")),
            r#"{"fileUrl":"https://cdn.example.com/space/p.png","filePath":"space/p.png","fileId":"fid"}"#
        );
        assert!(check_upload_status(204).is_ok());
        assert_eq!(check_upload_status(403).unwrap_err().to_string(), "file upload answered HTTP 403");
    }
}
