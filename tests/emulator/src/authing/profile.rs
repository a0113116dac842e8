//! Logged-in endpoints (`get-profile`, `update-profile`, `update-password`)
//! and the phone-number endpoints (`get-wechat-miniprogram-phone`,
//! `decrypt-douyin-miniprogram-phone`).

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::signin::decrypt_password;
use super::token::require_user;
use super::users::{self, DtoFlags, Field};
use super::{ok_data, ok_message, password, require_pool, respond};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, opt_str, parse_object, req_str, RawBody};
use crate::platform::{self, CodeError};
use crate::util;

fn flag(q: &[(String, String)], name: &str) -> ApiResult<bool> {
    match q.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str()) {
        None | Some("false") | Some("") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::bad_request(format!("{name} must be true or false"))),
    }
}

pub async fn get_profile(State(state): State<AppState>, h: HeaderMap, RawQuery(query): RawQuery) -> Response {
    respond(
        async {
            require_pool(&state, &h)?;
            let q: Vec<(String, String)> =
                form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
            let flags = DtoFlags {
                with_custom_data: flag(&q, "withCustomData")?,
                with_identities: flag(&q, "withIdentities")?,
                with_department_ids: flag(&q, "withDepartmentIds")?,
            };
            let user = require_user(&state, &h).await?;
            let dto = state.store.call(move |conn| users::dto(conn, &user, &flags)).await?;
            Ok(ok_data(dto))
        }
        .await,
    )
}

pub async fn update_profile(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            require_pool(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let user = require_user(&state, &h).await?;
            let mut updates: Vec<(String, Value)> = Vec::new();
            let mut new_username: Option<Option<String>> = None;
            for (k, v) in &m {
                if k == "username" {
                    match v {
                        Value::Null => new_username = Some(None),
                        Value::String(s) if !s.is_empty() && s.len() <= 128 => new_username = Some(Some(s.clone())),
                        _ => return Err(ApiError::bad_request("username must be a 1..128 character string")),
                    }
                } else if k == "customData" {
                    if !v.is_object() {
                        return Err(ApiError::bad_request("customData must be an object"));
                    }
                    updates.push((k.clone(), v.clone()));
                } else if users::PROFILE_FIELDS.contains(&k.as_str()) {
                    match v {
                        Value::Null => updates.push((k.clone(), Value::Null)),
                        Value::String(s) if s.len() <= 4096 => {
                            if k == "gender" && !["M", "F", "U"].contains(&s.as_str()) {
                                return Err(ApiError::bad_request("gender must be M, F or U"));
                            }
                            updates.push((k.clone(), v.clone()))
                        }
                        _ => return Err(ApiError::bad_request(format!("{k} must be a string"))),
                    }
                } else {
                    return Err(ApiError::bad_request(format!("unknown profile field: {k}")));
                }
            }
            let pool = state.cfg.user_pool_id.clone();
            let dto = state
                .store
                .tx(move |tx| {
                    let mut u = users::load(tx, &user.id)?
                        .ok_or_else(|| ApiError::unauthorized("user no longer exists").with_api_code(2020))?;
                    if let Some(name) = new_username {
                        if let Some(n) = &name {
                            if let Some(other) = users::find_by(tx, &pool, Field::Username, n)? {
                                if other.id != u.id {
                                    return Err(ApiError::conflict("username already exists").with_api_code(2026));
                                }
                            }
                        }
                        u.username = name;
                    }
                    for (k, v) in updates {
                        if v.is_null() {
                            u.profile.remove(&k);
                        } else {
                            u.profile.insert(k, v);
                        }
                    }
                    users::save(tx, &u)?;
                    let fresh = users::load(tx, &u.id)?.unwrap_or(u);
                    users::dto(
                        tx,
                        &fresh,
                        &DtoFlags { with_custom_data: true, with_identities: false, with_department_ids: false },
                    )
                })
                .await?;
            Ok(ok_data(dto))
        }
        .await,
    )
}

/// `oldPassword` is compared in plaintext and only `newPassword` is
/// decrypted, as the SDK sends it.
pub async fn update_password(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            require_pool(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let user = require_user(&state, &h).await?;
            let new_sent = req_str(&m, "newPassword")?;
            let old = opt_str(&m, "oldPassword")?.unwrap_or("").to_string();
            let enc = opt_str(&m, "passwordEncryptType")?;
            let new_plain = decrypt_password(&state, enc, new_sent).await?;
            password::check_new_password(&new_plain)?;
            if let Some(hash) = user.password_hash.clone() {
                if old.is_empty() || !password::verify_password(hash, old).await {
                    return Err(ApiError::forbidden("旧密码不正确").with_api_code(2006));
                }
            }
            let hash = password::hash_password(new_plain).await?;
            state
                .store
                .tx(move |tx| {
                    let mut u = users::load(tx, &user.id)?
                        .ok_or_else(|| ApiError::unauthorized("user no longer exists").with_api_code(2020))?;
                    u.password_hash = Some(hash);
                    users::save(tx, &u)
                })
                .await?;
            Ok(ok_message("操作成功"))
        }
        .await,
    )
}

fn phone_info(state: &AppState, phone: &str) -> Value {
    json!({
        "errcode": 0,
        "errmsg": "ok",
        "phone_info": {
            "phoneNumber": format!("+86{phone}"),
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": {"timestamp": util::now_s(), "appid": state.cfg.wx_appid},
        }
    })
}

fn phone_code_error(e: CodeError) -> ApiError {
    let (errcode, text) = e.describe();
    ApiError::bad_request(format!("{text} (errcode {errcode})")).with_api_code(2002)
}

async fn consume_phone(state: &AppState, platform: &'static str, code: String) -> ApiResult<String> {
    state
        .store
        .tx(move |tx| {
            Ok(match platform::consume_code(tx, platform, platform::KIND_PHONE, &code)? {
                Ok(info) => info.phone.ok_or_else(|| ApiError::internal("phone code without phone")),
                Err(e) => Err(phone_code_error(e)),
            })
        })
        .await?
}

pub async fn wechat_phone(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            require_pool(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let ident = req_str(&m, "extIdpConnidentifier")?;
            if ident != state.cfg.wechat_idp {
                return Err(ApiError::not_found(format!("identity source {ident} not found")).with_api_code(2000));
            }
            let code = req_str(&m, "code")?.to_string();
            let phone = consume_phone(&state, platform::WX, code).await?;
            Ok(ok_data(phone_info(&state, &phone)))
        }
        .await,
    )
}

/// Douyin: `code` is a fresh `tt.login` code, `encryptedData` the emulator's
/// phone code from `/__platform/tt/phone-code`.
pub async fn douyin_phone(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            require_pool(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let ident = req_str(&m, "extIdpConnidentifier")?;
            if ident != state.cfg.douyin_idp {
                return Err(ApiError::not_found(format!("identity source {ident} not found")).with_api_code(2000));
            }
            let encrypted = req_str(&m, "encryptedData")?.to_string();
            let phone = consume_phone(&state, platform::TT, encrypted).await?;
            Ok(ok_data(phone_info(&state, &phone)))
        }
        .await,
    )
}
