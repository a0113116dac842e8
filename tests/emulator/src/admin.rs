//! Inspection API for tests, the demo and local development (loopback only):
//! tenant config, users, the SMS inbox, collections, and a full reset.

use axum::extract::{Query, State};
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
        .route("/__admin/reset", post(reset))
        .route("/__admin/collections", get(list_collections).post(create_collection))
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
                    out.push(users::dto(conn, &u, &flags)?);
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
            let username = opt_str(&m, "username")?.filter(|s| !s.is_empty()).map(str::to_string);
            let email = opt_str(&m, "email")?.filter(|s| !s.is_empty()).map(str::to_string);
            let phone = opt_str(&m, "phone")?.filter(|s| !s.is_empty()).map(str::to_string);
            let cc = opt_str(&m, "phoneCountryCode")?.unwrap_or("+86").to_string();
            let password = opt_str(&m, "password")?.map(str::to_string);
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
                if let Some(v) = opt_str(&m, key)? {
                    profile.insert(key.into(), json!(v));
                }
            }
            if let Some(cd) = opt_obj(&m, "customData")? {
                profile.insert("customData".into(), Value::Object(cd.clone()));
            }
            let password_hash = match password {
                Some(p) if !p.is_empty() => Some(hash_password(p).await?),
                _ => None,
            };
            let pool = state.cfg.user_pool_id.clone();
            let dto = state
                .store
                .tx(move |tx| {
                    let u = users::create(
                        tx,
                        &pool,
                        NewUser {
                            username,
                            email,
                            phone_country_code: phone.as_ref().map(|_| cc),
                            phone,
                            password_hash,
                            profile,
                        },
                    )?;
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

fn authing_phone_ok(p: &str) -> bool {
    (5..=20).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())
}

async fn sms_inbox(
    State(state): State<AppState>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let pool = state.cfg.user_pool_id.clone();
    let phone = q.get("phone").cloned();
    respond(
        state
            .store
            .call(move |conn| Ok((StatusCode::OK, Value::Array(authing::sms_inbox(conn, &pool, phone.as_deref())?))))
            .await,
    )
}

async fn reset(State(state): State<AppState>) -> Response {
    respond(
        async {
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
            ensure_collections(&state.store, &state.cfg).await?;
            Ok((StatusCode::OK, json!({"ok": true})))
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
