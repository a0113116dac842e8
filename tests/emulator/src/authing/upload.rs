//! `POST /api/v2/upload?folder=…` (multipart, part `file`, unauthenticated,
//! v2 envelope `{code, message, data:{key, url}}`) and `GET /files/{key}`
//! which serves the stored file back.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, parse_multipart, RawBody};
use crate::store::{extension_of, mime_for_ext};
use crate::util;

fn v2_error(e: ApiError) -> Response {
    Json(json!({"code": e.status, "message": e.message})).into_response()
}

fn folder_of(query: Option<String>) -> ApiResult<String> {
    let q: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let folder =
        q.iter().rev().find(|(k, _)| k == "folder").map(|(_, v)| v.clone()).unwrap_or_else(|| "avatar".to_string());
    if folder.is_empty()
        || folder.len() > 64
        || !folder.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return Err(ApiError::bad_request("folder must be 1..64 of [A-Za-z0-9_-]"));
    }
    Ok(folder)
}

pub async fn upload(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: RawBody,
) -> Response {
    match upload_inner(&state, query, &headers, body).await {
        Ok(r) => r,
        Err(e) => v2_error(e),
    }
}

async fn upload_inner(
    state: &AppState,
    query: Option<String>,
    headers: &HeaderMap,
    body: RawBody,
) -> ApiResult<Response> {
    let folder = folder_of(query)?;
    let bytes = body_bytes(body)?;
    let parts = parse_multipart(headers, bytes)
        .await
        .map_err(|m| ApiError::bad_request(format!("request must be multipart/form-data with a file part: {m}")))?;
    let part = parts
        .into_iter()
        .find(|p| p.name == "file")
        .ok_or_else(|| ApiError::bad_request("multipart part named file is required"))?;
    if part.data.len() > state.cfg.max_upload_bytes {
        return Err(ApiError::too_large("file is too large"));
    }
    if part.data.is_empty() {
        return Err(ApiError::bad_request("file is empty"));
    }
    let ext = part.file_name.as_deref().and_then(extension_of).unwrap_or_else(|| "jpg".to_string());
    let content_type = match part.content_type {
        Some(c) if c != "application/octet-stream" && c.len() < 128 && !c.contains(['\r', '\n']) => c,
        _ => mime_for_ext(&ext).to_string(),
    };
    let id = util::object_id();
    let key = format!("{folder}/{id}.{ext}");
    let size = i64::try_from(part.data.len()).unwrap_or(i64::MAX);
    state.store.write_body(&id, part.data.to_vec()).await?;
    let k = key.clone();
    state
        .store
        .tx(move |tx| {
            tx.execute(
                "INSERT INTO uploads (key, file_id, content_type, size, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![k, id, content_type, size, util::now_ms()],
            )?;
            Ok(())
        })
        .await?;
    let url = format!("{}/files/{key}", state.base_url);
    Ok(Json(json!({"code": 200, "message": "上传成功", "data": {"key": key, "url": url}})).into_response())
}

pub async fn serve(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let found = async {
        let k = key.clone();
        let row = state
            .store
            .call(move |conn| {
                Ok(conn
                    .query_row("SELECT file_id, content_type FROM uploads WHERE key = ?1", params![k], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })
                    .optional()?)
            })
            .await?;
        let Some((id, ctype)) = row else {
            return Ok(None);
        };
        Ok::<_, ApiError>(state.store.read_body(&id).await?.map(|b| (b, ctype)))
    }
    .await;
    match found {
        Ok(Some((bytes, ctype))) => ([(header::CONTENT_TYPE, ctype)], bytes).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, Json(json!({"code": 404, "message": "file not found"}))).into_response(),
        Err(e) => v2_error(e),
    }
}
