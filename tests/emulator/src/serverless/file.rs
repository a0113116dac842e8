//! The file flow: `generateProximalSign` (an OSS-style POST policy signed
//! by the emulator), the OSS-style form upload endpoint `POST /__oss`,
//! `report`, `delete`, `info`, and `GET /__oss/{ossPath}` serving bodies.
//! The SDK builds URLs as `https://` + host; the emulator's host is
//! `127.0.0.1:PORT/__oss`, so the host simulator maps that to plain HTTP.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};
use sha2::Sha256;

use super::session::Session;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{opt_str, opt_u64, parse_multipart, req_str, RawBody};
use crate::store::{extension_of, mime_for_ext};
use crate::util;

pub const ACCESS_KEY_ID: &str = "emulator";
const POLICY_TTL_MS: i64 = 15 * 60 * 1000;
const MAX_IDS: usize = 50;

pub fn oss_host(state: &AppState) -> String {
    format!("{}/__oss", state.authority)
}

fn policy_signature(secret: &[u8], policy_b64: &str) -> String {
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(policy_b64.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn sanitize_segments(path: &str) -> ApiResult<String> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segs.is_empty() || segs.len() > 16 || path.len() > 512 {
        return Err(ApiError::bad_request("invalid path"));
    }
    for s in &segs {
        if *s == "." || *s == ".." || !s.bytes().all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c)) {
            return Err(ApiError::bad_request("path segments may only contain [A-Za-z0-9._-]"));
        }
    }
    Ok(segs.join("/"))
}

/// `serverless.file.resource.generateProximalSign`
pub async fn generate_proximal_sign(state: &AppState, s: &Session, p: &Map<String, Value>) -> ApiResult<Value> {
    if let Some(env) = opt_str(p, "env")? {
        if env != "public" {
            return Err(ApiError::bad_request("env must be public"));
        }
    }
    let filename = req_str(p, "filename")?.to_string();
    if filename.len() > 255 {
        return Err(ApiError::bad_request("filename is too long"));
    }
    let size = opt_u64(p, "size")?.unwrap_or(0);
    let max = state.cfg.max_upload_bytes as u64;
    if size > max {
        return Err(ApiError::new(400, "InvalidParameter.FileTooLarge", format!("size exceeds {max} bytes")));
    }
    let ext = extension_of(&filename);
    let new_id = util::object_id();
    let leaf = match &ext {
        Some(e) => format!("{new_id}.{e}"),
        None => new_id.clone(),
    };
    let oss_path = match (opt_str(p, "fileId")?, opt_str(p, "targetPath")?) {
        (Some(cloud), _) if !cloud.is_empty() => {
            if !cloud.starts_with('/') {
                return Err(ApiError::bad_request("cloudPath must start with /"));
            }
            sanitize_segments(cloud)?
        }
        (_, Some(target)) if !target.is_empty() => format!("{}/{leaf}", sanitize_segments(target)?),
        _ => format!("{}/{leaf}", s.space_id),
    };
    let space = s.space_id.clone();
    let user = s.user_id.clone();
    let path = oss_path.clone();
    let fname = filename.clone();
    let id = state
        .store
        .tx(move |tx| {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT id FROM sl_files WHERE oss_path = ?1 AND space_id = ?2",
                    params![path, space],
                    |r| r.get(0),
                )
                .optional()?;
            match existing {
                Some(id) => {
                    tx.execute(
                        "UPDATE sl_files SET filename = ?2, declared_size = ?3 WHERE id = ?1",
                        params![id, fname, i64::try_from(size).unwrap_or(i64::MAX)],
                    )?;
                    Ok(id)
                }
                None => {
                    tx.execute(
                        "INSERT INTO sl_files (id, space_id, oss_path, filename, declared_size, status, user_id, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)",
                        params![new_id, space, path, fname, i64::try_from(size).unwrap_or(i64::MAX), user, util::now_ms()],
                    )?;
                    Ok(new_id)
                }
            }
        })
        .await?;
    let policy_json = json!({
        "expiration": util::iso8601(util::now_ms() + POLICY_TTL_MS),
        "conditions": [
            ["content-length-range", 0, max],
            ["eq", "$key", oss_path],
        ]
    });
    let policy = base64::engine::general_purpose::STANDARD.encode(policy_json.to_string());
    let signature = policy_signature(&state.secrets.oss, &policy);
    Ok(json!({
        "id": id,
        "ossPath": oss_path,
        "host": oss_host(state),
        "policy": policy,
        "signature": signature,
        "accessKeyId": ACCESS_KEY_ID,
        "cdnDomain": oss_host(state),
    }))
}

fn file_url(state: &AppState, oss_path: &str) -> String {
    format!("https://{}/{oss_path}", oss_host(state))
}

/// `serverless.file.resource.report`
pub async fn report(state: &AppState, s: &Session, p: &Map<String, Value>) -> ApiResult<Value> {
    let id = req_str(p, "id")?.to_string();
    let ctype = opt_str(p, "contentType")?.map(str::to_string);
    if let Some(c) = &ctype {
        if c.len() > 128 || c.contains(['\r', '\n']) {
            return Err(ApiError::bad_request("invalid contentType"));
        }
    }
    let space = s.space_id.clone();
    let path = state
        .store
        .tx(move |tx| {
            let row: Option<(String, String)> = tx
                .query_row(
                    "SELECT oss_path, status FROM sl_files WHERE id = ?1 AND space_id = ?2",
                    params![id, space],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((path, status)) = row else {
                return Err(ApiError::new(404, "InvalidParameter.FileNotFound", "file does not exist"));
            };
            if status == "pending" {
                return Err(ApiError::new(400, "InvalidParameter.FileNotUploaded", "the file has not been uploaded"));
            }
            tx.execute(
                "UPDATE sl_files SET status = 'reported', content_type = COALESCE(?2, content_type) WHERE id = ?1",
                params![id, ctype],
            )?;
            Ok(path)
        })
        .await?;
    Ok(json!({"fileUrl": file_url(state, &path)}))
}

fn split_ids(p: &Map<String, Value>) -> ApiResult<Vec<String>> {
    let raw = match p.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ApiError::bad_request("id must be a string"))?
            .join(","),
        _ => return Err(ApiError::bad_request("id is required")),
    };
    let ids: Vec<String> = raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if ids.is_empty() {
        return Err(ApiError::bad_request("id is required"));
    }
    if ids.len() > MAX_IDS {
        return Err(ApiError::bad_request(format!("at most {MAX_IDS} ids per call")));
    }
    Ok(ids)
}

struct FileRow {
    id: String,
    oss_path: String,
    size: Option<i64>,
    content_type: Option<String>,
    status: String,
    created_at: i64,
}

/// Finds a file by id or by its URL (`https://host/__oss/<ossPath>`).
fn lookup(conn: &Connection, space: &str, key: &str) -> ApiResult<Option<FileRow>> {
    let by_path = key.split_once("/__oss/").map(|(_, p)| p.split(['?', '#']).next().unwrap_or("").to_string());
    let sql = if by_path.is_some() {
        "SELECT id, oss_path, size, content_type, status, created_at FROM sl_files WHERE oss_path = ?1 AND space_id = ?2"
    } else {
        "SELECT id, oss_path, size, content_type, status, created_at FROM sl_files WHERE id = ?1 AND space_id = ?2"
    };
    let k = by_path.unwrap_or_else(|| key.to_string());
    Ok(conn
        .query_row(sql, params![k, space], |r| {
            Ok(FileRow {
                id: r.get(0)?,
                oss_path: r.get(1)?,
                size: r.get(2)?,
                content_type: r.get(3)?,
                status: r.get(4)?,
                created_at: r.get(5)?,
            })
        })
        .optional()?)
}

/// `serverless.file.resource.delete`: per-id results, as documented.
pub async fn delete(state: &AppState, s: &Session, p: &Map<String, Value>) -> ApiResult<Value> {
    let ids = split_ids(p)?;
    let space = s.space_id.clone();
    let (results, removed) = state
        .store
        .tx(move |tx| {
            let mut results = Vec::new();
            let mut removed = Vec::new();
            for key in ids {
                match lookup(tx, &space, &key)? {
                    Some(f) => {
                        tx.execute("DELETE FROM sl_files WHERE id = ?1", params![f.id])?;
                        results.push(json!({"success": true, "fileId": key}));
                        removed.push(f.id);
                    }
                    None => results.push(json!({
                        "success": false,
                        "fileId": key,
                        "errorCode": "ParamInvalid",
                        "errorMessage": "file does not exist",
                    })),
                }
            }
            Ok((results, removed))
        })
        .await?;
    for id in removed {
        state.store.remove_body(&id).await?;
    }
    Ok(Value::Array(results))
}

/// `serverless.file.resource.info`
pub async fn info(state: &AppState, s: &Session, p: &Map<String, Value>) -> ApiResult<Value> {
    let ids = split_ids(p)?;
    if let Some(m) = p.get("maxAge") {
        if crate::json::as_u64(m).is_none() {
            return Err(ApiError::bad_request("maxAge must be a non-negative integer"));
        }
    }
    let space = s.space_id.clone();
    let st = state.clone();
    state
        .store
        .call(move |conn| {
            let mut out = Vec::new();
            for key in ids {
                match lookup(conn, &space, &key)? {
                    Some(f) if f.status != "pending" => out.push(json!({
                        "fileId": f.id,
                        "url": file_url(&st, &f.oss_path),
                        "ossPath": f.oss_path,
                        "size": f.size,
                        "contentType": f.content_type,
                        "createdAt": util::iso8601(f.created_at),
                    })),
                    _ => out.push(json!({
                        "fileId": key,
                        "errorCode": "ParamInvalid",
                        "errorMessage": "file does not exist",
                    })),
                }
            }
            Ok(Value::Array(out))
        })
        .await
}

// ---------- the OSS-style endpoint ----------

fn oss_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{code}</Code>\n  <Message>{}</Message>\n  <RequestId>{}</RequestId>\n  <HostId>127.0.0.1</HostId>\n</Error>\n",
        xml_escape(message),
        util::request_id()
    );
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

struct OssForm {
    fields: Vec<(String, String)>,
    file: Option<Vec<u8>>,
}

impl OssForm {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn too_large() -> Response {
    oss_error(StatusCode::BAD_REQUEST, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
}

fn malformed() -> Response {
    oss_error(
        StatusCode::BAD_REQUEST,
        "MalformedPOSTRequest",
        "The body of your POST request is not well-formed multipart/form-data.",
    )
}

/// `POST /__oss`: verifies the policy and signature, stores the body.
pub async fn oss_upload(State(state): State<AppState>, headers: HeaderMap, body: RawBody) -> Response {
    let bytes = match body {
        Ok(b) => b,
        Err(rej) if rej.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
        Err(_) => return malformed(),
    };
    let Ok(parts) = parse_multipart(&headers, bytes).await else {
        return malformed();
    };
    let mut form = OssForm { fields: Vec::new(), file: None };
    for p in parts {
        if p.name == "file" {
            if p.data.len() > state.cfg.max_upload_bytes {
                return too_large();
            }
            form.file = Some(p.data.to_vec());
        } else {
            match String::from_utf8(p.data.to_vec()) {
                Ok(v) => form.fields.push((p.name, v)),
                Err(_) => return oss_error(StatusCode::BAD_REQUEST, "InvalidArgument", "form fields must be UTF-8"),
            }
        }
    }
    match oss_store(&state, form).await {
        Ok(r) => r,
        Err(r) => r,
    }
}

async fn oss_store(state: &AppState, form: OssForm) -> Result<Response, Response> {
    let denied = |m: &str| oss_error(StatusCode::FORBIDDEN, "AccessDenied", m);
    if form.get("OSSAccessKeyId") != Some(ACCESS_KEY_ID) {
        return Err(oss_error(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        ));
    }
    let policy = form.get("policy").ok_or_else(|| denied("Invalid according to Policy: policy is missing."))?;
    let signature = form.get("Signature").unwrap_or("");
    let expected = policy_signature(&state.secrets.oss, policy);
    if expected.is_empty() || !util::ct_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(oss_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        ));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(policy.as_bytes())
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .ok_or_else(|| denied("Invalid Policy: policy is not valid base64 JSON."))?;
    let expiration = decoded.get("expiration").and_then(Value::as_str).unwrap_or("");
    if expiration <= util::iso8601(util::now_ms()).as_str() {
        return Err(denied("Invalid according to Policy: Policy expired."));
    }
    let mut want_key: Option<String> = None;
    let mut max_len: u64 = 0;
    for c in decoded.get("conditions").and_then(Value::as_array).into_iter().flatten() {
        if let Some(a) = c.as_array() {
            match (a.first().and_then(Value::as_str), a.get(1), a.get(2)) {
                (Some("eq"), Some(Value::String(k)), Some(Value::String(v))) if k == "$key" => {
                    want_key = Some(v.clone())
                }
                (Some("content-length-range"), _, Some(m)) => max_len = m.as_u64().unwrap_or(0),
                _ => {}
            }
        }
    }
    let key =
        form.get("key").ok_or_else(|| oss_error(StatusCode::BAD_REQUEST, "InvalidArgument", "key is required"))?;
    if want_key.as_deref() != Some(key) {
        return Err(denied("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\"]"));
    }
    let body = form
        .file
        .clone()
        .ok_or_else(|| oss_error(StatusCode::BAD_REQUEST, "InvalidArgument", "the file field is required"))?;
    if body.len() as u64 > max_len {
        return Err(oss_error(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size.",
        ));
    }
    let k = key.to_string();
    let space = state.cfg.space_id.clone();
    let row: Option<(String, String)> = state
        .store
        .call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, filename FROM sl_files WHERE oss_path = ?1 AND space_id = ?2",
                    params![k, space],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
        })
        .await
        .map_err(|_| oss_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "storage error"))?;
    let (id, filename) = row.ok_or_else(|| denied("No upload was signed for this key."))?;
    let ctype = match form.get("Content-Type") {
        Some(c) if !c.is_empty() && c.len() < 128 && !c.contains(['\r', '\n']) => c.to_string(),
        _ => mime_for_ext(&extension_of(&filename).unwrap_or_default()).to_string(),
    };
    let size = i64::try_from(body.len()).unwrap_or(i64::MAX);
    let internal = |_| oss_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "storage error");
    state.store.write_body(&id, body).await.map_err(internal)?;
    let fid = id.clone();
    state
        .store
        .tx(move |tx| {
            tx.execute(
                "UPDATE sl_files SET status = CASE status WHEN 'pending' THEN 'uploaded' ELSE status END,
                        size = ?2, content_type = ?3, uploaded_at = ?4 WHERE id = ?1",
                params![fid, size, ctype, util::now_ms()],
            )?;
            Ok(())
        })
        .await
        .map_err(internal)?;
    let status = match form.get("success_action_status") {
        Some("200") => StatusCode::OK,
        Some("201") => {
            let xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse>\n  <Bucket>emulator</Bucket>\n  <Location>{}</Location>\n  <Key>{}</Key>\n</PostResponse>\n",
                xml_escape(&file_url(state, key)),
                xml_escape(key)
            );
            return Ok((StatusCode::CREATED, [(header::CONTENT_TYPE, "application/xml")], xml).into_response());
        }
        _ => StatusCode::NO_CONTENT,
    };
    Ok(status.into_response())
}

/// `GET /__oss/{ossPath}`
pub async fn oss_get(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    let space = state.cfg.space_id.clone();
    let row = state
        .store
        .call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, content_type FROM sl_files WHERE oss_path = ?1 AND space_id = ?2 AND status != 'pending'",
                    params![path, space],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
                )
                .optional()?)
        })
        .await;
    let (id, ctype) = match row {
        Ok(Some(r)) => r,
        Ok(None) => return oss_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist."),
        Err(_) => return oss_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "storage error"),
    };
    match state.store.read_body(&id).await {
        Ok(Some(b)) => {
            ([(header::CONTENT_TYPE, ctype.unwrap_or_else(|| "application/octet-stream".into()))], b).into_response()
        }
        Ok(None) => oss_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist."),
        Err(_) => oss_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "storage error"),
    }
}
