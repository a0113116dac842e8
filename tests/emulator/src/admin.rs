//! Inspection API for tests, the demo, the console and local development
//! (loopback only): tenant config, users with their login history, the SMS
//! inbox, sessions and tokens (redacted), collections and documents,
//! uploaded files, and a full reset. Nothing here ever returns a password
//! hash or a whole token.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::params;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::authing::users::{self, DtoFlags, NewUser};
use crate::authing::{self, hash_password};
use crate::cli::Config;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, opt_obj, opt_str, parse_object, req_str, RawBody};
use crate::serverless::db::valid_collection_name;
use crate::store::{Store, DATA_TABLES};
use crate::util;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__admin/config", get(config))
        .route("/__admin/users", get(list_users).post(create_user))
        .route("/__admin/sms", get(sms_inbox))
        .route("/__admin/email", get(email_inbox))
        .route("/__admin/reset", post(reset))
        .route("/__admin/export", post(export))
        .route("/__admin/collections", get(list_collections).post(create_collection))
        .route("/__admin/collections/{name}/documents", get(list_documents))
        .route("/__admin/logins", get(list_logins))
        .route("/__admin/sessions", get(list_sessions))
        .route("/__admin/files", get(list_files))
}

/// Entries of a user's login history included in `GET /__admin/users`.
const HISTORY_PER_USER: i64 = 20;
/// Rows per list endpoint (newest first).
const LIST_LIMIT: i64 = 200;

/// A `limit` query value, clamped to `1..=max`.
fn limit_of(q: &HashMap<String, String>, default: i64, max: i64) -> ApiResult<i64> {
    match q.get("limit") {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .map(|n| n.min(max))
            .ok_or_else(|| ApiError::bad_request("limit must be a positive integer")),
    }
}

/// The first characters of a secret identifier, enough to tell rows apart.
pub fn redact(secret: &str) -> String {
    let head: String = secret.chars().take(8).collect();
    format!("{head}…")
}

/// `active`, `expired`, `revoked` (or `rotated`) at `now`.
fn token_status(now: i64, expires_at: i64, revoked_at: Option<i64>, rotated_at: Option<i64>) -> &'static str {
    if revoked_at.is_some() {
        "revoked"
    } else if rotated_at.is_some() {
        "rotated"
    } else if expires_at <= now {
        "expired"
    } else {
        "active"
    }
}

/// `{"error":{"code","message"}}` with the error's HTTP status.
pub fn error_response(e: ApiError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(json!({"error": {"code": e.code, "message": e.message}}))).into_response()
}

fn respond(r: ApiResult<(StatusCode, Value)>) -> Response {
    match r {
        Ok((s, v)) => (s, Json(v)).into_response(),
        Err(e) => error_response(e),
    }
}

/// Creates the configured collections (first start and after a reset).
pub async fn ensure_collections(store: &Store, cfg: &Config) -> ApiResult<()> {
    let space = cfg.space_id.clone();
    let names = cfg.collections.clone();
    for n in &names {
        if !valid_collection_name(n) {
            return Err(ApiError::bad_request(format!("invalid collection name: {n}")));
        }
    }
    store
        .tx(move |tx| {
            for n in names {
                tx.execute(
                    "INSERT OR IGNORE INTO sl_collections (space_id, name, created_at) VALUES (?1, ?2, ?3)",
                    params![space, n, util::now_ms()],
                )?;
            }
            Ok(())
        })
        .await
}

async fn config(State(state): State<AppState>) -> Response {
    let c = &state.cfg;
    Json(json!({
        "baseUrl": state.base_url,
        "authing": {
            "host": state.base_url,
            "appId": c.app_id,
            "userPoolId": c.user_pool_id,
            "wechatExtIdpConnidentifier": c.wechat_idp,
            "douyinExtIdpConnidentifier": c.douyin_idp,
            "wxAppId": c.wx_appid,
        },
        "mpserverless": {
            "endpoint": state.base_url,
            "spaceId": c.space_id,
            "clientSecret": c.client_secret,
            "ossHost": format!("{}/__oss", state.authority),
        },
    }))
    .into_response()
}

async fn list_users(State(state): State<AppState>) -> Response {
    let pool = state.cfg.user_pool_id.clone();
    respond(
        state
            .store
            .call(move |conn| {
                let flags = DtoFlags { with_custom_data: true, with_identities: true, with_department_ids: false };
                let mut out = Vec::new();
                for u in users::list(conn, &pool)? {
                    let mut dto = users::dto(conn, &u, &flags)?;
                    if let Some(m) = dto.as_object_mut() {
                        m.insert("hasPassword".into(), json!(u.password_hash.is_some()));
                        m.insert(
                            "loginHistory".into(),
                            Value::Array(users::login_history(conn, &u.id, HISTORY_PER_USER)?),
                        );
                    }
                    out.push(dto);
                }
                Ok((StatusCode::OK, Value::Array(out)))
            })
            .await,
    )
}

async fn create_user(State(state): State<AppState>, body: RawBody) -> Response {
    respond(
        async {
            let m = parse_object(&body_bytes(body)?)?;
            let new = new_user(&m).await?;
            let pool = state.cfg.user_pool_id.clone();
            let dto = state
                .store
                .tx(move |tx| {
                    let u = users::create(tx, &pool, new)?;
                    users::dto(
                        tx,
                        &u,
                        &DtoFlags { with_custom_data: true, with_identities: true, with_department_ids: false },
                    )
                })
                .await?;
            Ok((StatusCode::CREATED, dto))
        }
        .await,
    )
}

/// A user from its JSON description (`POST /__admin/users`, seed files): `username`, `email`,
/// `phone`, `phoneCountryCode`, `password` (hashed here), `nickname`, `name`, `photo`, `customData`.
pub async fn new_user(m: &serde_json::Map<String, Value>) -> ApiResult<NewUser> {
    let username = opt_str(m, "username")?.filter(|s| !s.is_empty()).map(str::to_string);
    let email = opt_str(m, "email")?.filter(|s| !s.is_empty()).map(str::to_string);
    let phone = opt_str(m, "phone")?.filter(|s| !s.is_empty()).map(str::to_string);
    let cc = opt_str(m, "phoneCountryCode")?.unwrap_or("+86").to_string();
    let password = opt_str(m, "password")?.map(str::to_string);
    if username.is_none() && email.is_none() && phone.is_none() {
        return Err(ApiError::bad_request("one of username, email, phone is required"));
    }
    if let Some(p) = &phone {
        if !authing_phone_ok(p) {
            return Err(ApiError::bad_request("phone must be 5..20 digits"));
        }
    }
    let mut profile = serde_json::Map::new();
    for key in ["nickname", "name", "photo"] {
        if let Some(v) = opt_str(m, key)? {
            profile.insert(key.into(), json!(v));
        }
    }
    if let Some(cd) = opt_obj(m, "customData")? {
        profile.insert("customData".into(), Value::Object(cd.clone()));
    }
    let password_hash = match password {
        Some(p) if !p.is_empty() => Some(hash_password(p).await?),
        _ => None,
    };
    Ok(NewUser { username, email, phone_country_code: phone.as_ref().map(|_| cc), phone, password_hash, profile })
}

fn authing_phone_ok(p: &str) -> bool {
    (5..=20).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())
}

async fn sms_inbox(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let pool = state.cfg.user_pool_id.clone();
    let phone = q.get("phone").cloned();
    respond(
        state
            .store
            .call(move |conn| Ok((StatusCode::OK, Value::Array(authing::sms_inbox(conn, &pool, phone.as_deref())?))))
            .await,
    )
}

async fn email_inbox(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let pool = state.cfg.user_pool_id.clone();
    let email = q.get("email").cloned();
    respond(
        state
            .store
            .call(move |conn| Ok((StatusCode::OK, Value::Array(authing::email_inbox(conn, &pool, email.as_deref())?))))
            .await,
    )
}

async fn reset(State(state): State<AppState>) -> Response {
    respond(
        async {
            wipe(&state).await?;
            Ok((StatusCode::OK, json!({"ok": true})))
        }
        .await,
    )
}

/// Wipes every user, code, session, document and file, and recreates the configured collections
/// (`POST /__admin/reset`, `--seed`).
pub async fn wipe(state: &AppState) -> ApiResult<()> {
    state.txs.abort_all();
    state
        .store
        .tx(|tx| {
            for t in DATA_TABLES {
                tx.execute(&format!("DELETE FROM {t}"), [])?;
            }
            Ok(())
        })
        .await?;
    state.store.remove_all_bodies().await?;
    ensure_collections(&state.store, &state.cfg).await
}

/// `POST /__admin/export` (body `{"dir": "..."}`, optional when the emulator was started with
/// `--export-on-exit DIR`): writes a data snapshot (src/snapshot.rs) and answers what it holds.
/// A JSON content type is required, so a web page cannot trigger it with a simple form post.
async fn export(State(state): State<AppState>, headers: axum::http::HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            let json_ct = headers
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
            let bytes = body_bytes(body)?;
            let dir = if bytes.iter().all(u8::is_ascii_whitespace) {
                None
            } else if !json_ct {
                return Err(ApiError::bad_request("the body must be JSON (content-type: application/json)"));
            } else {
                opt_str(&parse_object(&bytes)?, "dir")?.filter(|d| !d.is_empty()).map(std::path::PathBuf::from)
            };
            let dir = dir.or_else(|| state.cfg.export_on_exit.clone()).ok_or_else(|| {
                ApiError::bad_request("dir is required (or start the emulator with --export-on-exit DIR)")
            })?;
            let summary = crate::snapshot::export(&state.store, dir).await?;
            Ok((StatusCode::OK, summary.to_json()))
        }
        .await,
    )
}

async fn list_collections(State(state): State<AppState>) -> Response {
    let space = state.cfg.space_id.clone();
    respond(
        state
            .store
            .call(move |conn| {
                let mut stmt = conn.prepare(
                    "SELECT c.name, (SELECT COUNT(*) FROM sl_docs d WHERE d.space_id = c.space_id AND d.collection = c.name)
                     FROM sl_collections c WHERE c.space_id = ?1 ORDER BY c.name",
                )?;
                let rows = stmt.query_map(params![space], |r| {
                    Ok(json!({"name": r.get::<_, String>(0)?, "count": r.get::<_, i64>(1)?}))
                })?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(r?);
                }
                Ok((StatusCode::OK, Value::Array(out)))
            })
            .await,
    )
}

async fn create_collection(State(state): State<AppState>, body: RawBody) -> Response {
    respond(
        async {
            let m = parse_object(&body_bytes(body)?)?;
            let name = req_str(&m, "name")?.to_string();
            if !valid_collection_name(&name) {
                return Err(ApiError::bad_request("name must match [A-Za-z_][A-Za-z0-9_-]{0,63}"));
            }
            let space = state.cfg.space_id.clone();
            state
                .store
                .tx(move |tx| {
                    tx.execute(
                        "INSERT OR IGNORE INTO sl_collections (space_id, name, created_at) VALUES (?1, ?2, ?3)",
                        params![space, name, util::now_ms()],
                    )?;
                    Ok((StatusCode::CREATED, json!({"name": name})))
                })
                .await
        }
        .await,
    )
}

/// `GET /__admin/logins[?limit=]`: every sign-in attempt of the pool, newest
/// first, including failures naming no known user.
async fn list_logins(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let pool = state.cfg.user_pool_id.clone();
    respond(
        async {
            let limit = limit_of(&q, LIST_LIMIT, 1000)?;
            state
                .store
                .call(move |conn| Ok((StatusCode::OK, Value::Array(users::recent_logins(conn, &pool, limit)?))))
                .await
        }
        .await,
    )
}

/// `GET /__admin/sessions`: Authing access and refresh tokens and
/// MPServerless sessions, newest first, identified only by a redacted prefix
/// of their id or hash.
async fn list_sessions(State(state): State<AppState>) -> Response {
    let space = state.cfg.space_id.clone();
    respond(
        state
            .store
            .call(move |conn| {
                let now = util::now_ms();
                let mut access = Vec::new();
                let mut stmt = conn.prepare(
                    "SELECT jti, user_id, app_id, expires_at, revoked_at FROM access_tokens
                     ORDER BY rowid DESC LIMIT ?1",
                )?;
                let rows = stmt.query_map(params![LIST_LIMIT], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                    ))
                })?;
                for row in rows {
                    let (jti, user, app, exp, revoked) = row?;
                    access.push(json!({
                        "id": redact(&jti),
                        "userId": user,
                        "appId": app,
                        "expiresAt": util::iso8601(exp),
                        "revokedAt": revoked.map(util::iso8601),
                        "status": token_status(now, exp, revoked, None),
                    }));
                }
                let mut refresh = Vec::new();
                let mut stmt = conn.prepare(
                    "SELECT token_hash, family, user_id, app_id, scope, created_at, expires_at, rotated_at, revoked_at
                     FROM refresh_tokens ORDER BY created_at DESC, rowid DESC LIMIT ?1",
                )?;
                let rows = stmt.query_map(params![LIST_LIMIT], |r| {
                    Ok((
                        (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                        (r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                        (
                            r.get::<_, i64>(5)?,
                            r.get::<_, i64>(6)?,
                            r.get::<_, Option<i64>>(7)?,
                            r.get::<_, Option<i64>>(8)?,
                        ),
                    ))
                })?;
                for row in rows {
                    let ((hash, family, user), (app, scope), (created, exp, rotated, revoked)) = row?;
                    refresh.push(json!({
                        "id": redact(&hash),
                        "family": redact(&family),
                        "userId": user,
                        "appId": app,
                        "scope": scope,
                        "createdAt": util::iso8601(created),
                        "expiresAt": util::iso8601(exp),
                        "rotatedAt": rotated.map(util::iso8601),
                        "revokedAt": revoked.map(util::iso8601),
                        "status": token_status(now, exp, revoked, rotated),
                    }));
                }
                let mut serverless = Vec::new();
                let mut stmt = conn.prepare(
                    "SELECT token_hash, user_id, auth_type, oauth_user_id, created_at, expires_at FROM sl_sessions
                     WHERE space_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![space, LIST_LIMIT], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                })?;
                for row in rows {
                    let (hash, user, auth, oauth, created, exp) = row?;
                    serverless.push(json!({
                        "id": redact(&hash),
                        "userId": user,
                        "authType": auth,
                        "oAuthUserId": oauth,
                        "createdAt": util::iso8601(created),
                        "expiresAt": util::iso8601(exp),
                        "status": token_status(now, exp, None, None),
                    }));
                }
                Ok((
                    StatusCode::OK,
                    json!({
                        "authing": {"accessTokens": access, "refreshTokens": refresh},
                        "serverless": serverless,
                    }),
                ))
            })
            .await,
    )
}

/// `GET /__admin/collections/{name}/documents[?limit=&skip=]`: documents,
/// newest first.
async fn list_documents(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let space = state.cfg.space_id.clone();
    respond(
        async {
            if !valid_collection_name(&name) {
                return Err(ApiError::bad_request("invalid collection name"));
            }
            let limit = limit_of(&q, 50, 500)?;
            let skip = match q.get("skip") {
                None => 0,
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| ApiError::bad_request("skip must be >= 0"))?,
            };
            state
                .store
                .call(move |conn| {
                    let exists: bool = conn.query_row(
                        "SELECT EXISTS(SELECT 1 FROM sl_collections WHERE space_id = ?1 AND name = ?2)",
                        params![space, name],
                        |r| r.get(0),
                    )?;
                    if !exists {
                        return Err(ApiError::not_found(format!("collection {name} does not exist")));
                    }
                    let total: i64 = conn.query_row(
                        "SELECT COUNT(*) FROM sl_docs WHERE space_id = ?1 AND collection = ?2",
                        params![space, name],
                        |r| r.get(0),
                    )?;
                    let mut stmt = conn.prepare(
                        "SELECT body FROM sl_docs WHERE space_id = ?1 AND collection = ?2
                         ORDER BY seq DESC LIMIT ?3 OFFSET ?4",
                    )?;
                    let rows = stmt.query_map(params![space, name, limit, skip], |r| r.get::<_, String>(0))?;
                    let mut docs = Vec::new();
                    for row in rows {
                        let body = row?;
                        docs.push(serde_json::from_str::<Value>(&body).unwrap_or(Value::String(body)));
                    }
                    Ok((
                        StatusCode::OK,
                        json!({"name": name, "total": total, "skip": skip, "limit": limit, "documents": docs}),
                    ))
                })
                .await
        }
        .await,
    )
}

/// `GET /__admin/files`: Authing uploads (`/api/v2/upload`) and MPServerless
/// files, newest first, with the URL each is served at.
async fn list_files(State(state): State<AppState>) -> Response {
    let space = state.cfg.space_id.clone();
    let base = state.base_url.clone();
    respond(
        state
            .store
            .call(move |conn| {
                let mut uploads = Vec::new();
                let mut stmt = conn.prepare(
                    "SELECT key, content_type, size, created_at FROM uploads ORDER BY created_at DESC, rowid DESC
                     LIMIT ?1",
                )?;
                let rows = stmt.query_map(params![LIST_LIMIT], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
                })?;
                for row in rows {
                    let (key, ctype, size, created) = row?;
                    uploads.push(json!({
                        "key": key,
                        "url": format!("{base}/files/{key}"),
                        "contentType": ctype,
                        "size": size,
                        "createdAt": util::iso8601(created),
                    }));
                }
                let mut serverless = Vec::new();
                let mut stmt = conn.prepare(
                    "SELECT id, oss_path, filename, declared_size, size, content_type, status, user_id, created_at,
                            uploaded_at
                     FROM sl_files WHERE space_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![space, LIST_LIMIT], |r| {
                    Ok((
                        (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                        (r.get::<_, i64>(3)?, r.get::<_, Option<i64>>(4)?, r.get::<_, Option<String>>(5)?),
                        (
                            r.get::<_, String>(6)?,
                            r.get::<_, String>(7)?,
                            r.get::<_, i64>(8)?,
                            r.get::<_, Option<i64>>(9)?,
                        ),
                    ))
                })?;
                for row in rows {
                    let ((id, path, filename), (declared, size, ctype), (status, user, created, uploaded)) = row?;
                    let ctype = ctype.or_else(|| {
                        crate::store::extension_of(&path).map(|e| crate::store::mime_for_ext(&e).to_string())
                    });
                    serverless.push(json!({
                        "id": id,
                        "ossPath": path,
                        "filename": filename,
                        "declaredSize": declared,
                        "size": size,
                        "contentType": ctype,
                        "status": status,
                        "userId": user,
                        "createdAt": util::iso8601(created),
                        "uploadedAt": uploaded.map(util::iso8601),
                        "url": (status != "pending").then(|| format!("{base}/__oss/{path}")),
                    }));
                }
                Ok((StatusCode::OK, json!({"uploads": uploads, "serverless": serverless})))
            })
            .await,
    )
}
