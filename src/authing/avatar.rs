//! `updateAvatar` (§6.10): upload the picked image, then set it as the profile photo.

use super::transport::{bad_response, server_error, TIMEOUT_MS};
use crate::error::Error;
use crate::host::{HttpResponse, UploadRequest};
use crate::json::Json;

/// The upload path (a v2 endpoint, unauthenticated, as in the official SDK).
pub const UPLOAD_PATH: &str = "/api/v2/upload?folder=avatar";

/// `wx.uploadFile({url, name: 'file', filePath})`: no headers, no form fields.
pub fn upload_request(url: String, file_path: &str) -> UploadRequest {
    UploadRequest {
        url,
        file_path: file_path.to_string(),
        name: "file".to_string(),
        form: Vec::new(),
        headers: Vec::new(),
        timeout_ms: TIMEOUT_MS,
    }
}

/// Parses the upload answer `{code: 200, message, data: {key, url}}` and returns it with the URL.
///
/// # Errors
/// `SERVER` (keeping the body) when `code` is a number other than 200, `BAD_RESPONSE` when the
/// body is not JSON or has no `data.url` (the official SDK fails with `{"message":"{}"}`).
pub fn parse_upload(res: &HttpResponse) -> Result<(Json, String), Error> {
    let parsed = match Json::parse(&res.body) {
        Ok(v @ Json::Object(_)) => v,
        _ => {
            return Err(bad_response(
                Some(res.status),
                format!("the avatar upload answered HTTP {} with a body that is not a JSON object", res.status),
                None,
            ))
        }
    };
    if let Some(url) = parsed.get("data").and_then(|d| d.get("url")).and_then(Json::as_str).filter(|u| !u.is_empty()) {
        let url = url.to_string();
        return Ok((parsed, url));
    }
    let body = parsed.as_obj().cloned().unwrap_or_default();
    match body.get("code").and_then(Json::as_f64) {
        // The v2 status lives in `code`; it becomes the error's `statusCode`.
        Some(code) if code != 200.0 => {
            let status = if (100.0..=599.0).contains(&code) && code.fract() == 0.0 { code as u16 } else { res.status };
            Err(server_error(status, body))
        }
        _ => Err(bad_response(Some(res.status), "the avatar upload answered without data.url", Some(body))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: vec![], body: body.into() }
    }

    #[test]
    fn upload_answers() {
        let (v, url) =
            parse_upload(&res(200, r#"{"code":200,"message":"ok","data":{"key":"k","url":"https://f/x.jpg"}}"#))
                .unwrap();
        assert_eq!((url.as_str(), v.get("message").and_then(Json::as_str)), ("https://f/x.jpg", Some("ok")));
        let f = parse_upload(&res(200, r#"{"code":500,"message":"too big"}"#)).unwrap_err();
        assert_eq!(
            crate::authing::outcome::error_json(&f).to_text(),
            r#"{"code":"SERVER","message":"too big","statusCode":500}"#
        );
        assert_eq!(
            parse_upload(&res(413, "Request Entity Too Large")).unwrap_err().code(),
            crate::ErrorCode::BadResponse
        );
        assert_eq!(
            crate::authing::outcome::message(&parse_upload(&res(200, r#"{"code":200,"data":{}}"#)).unwrap_err()),
            "the avatar upload answered without data.url"
        );
    }
}
