//! Stand-ins for the mini-program platforms: they mint the codes that
//! `wx.login`, `tt.login`, `my.getAuthCode` and the phone-number button
//! return on a real device. A code is bound to a stable per-user id
//! (openid / Alipay user id), is single use and expires (default 5 min).
//! Codes are stored hashed.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::admin::error_response;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, opt_str, parse_object, RawBody};
use crate::util;

pub const WX: &str = "wx";
pub const TT: &str = "tt";
pub const MY: &str = "my";
pub const KIND_LOGIN: &str = "login";
pub const KIND_PHONE: &str = "phone";

pub const DEFAULT_USER: &str = "default-user";
pub const DEFAULT_PHONE: &str = "13800000000";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__platform/wx/login", post(wx_login))
        .route("/__platform/tt/login", post(tt_login))
        .route("/__platform/my/getAuthCode", post(my_auth_code))
        .route("/__platform/wx/phone-code", post(wx_phone_code))
        .route("/__platform/tt/phone-code", post(tt_phone_code))
        .route("/__platform/wx/encrypted-data", post(wx_encrypted_data))
        .route("/__platform/tt/encrypted-data", post(tt_encrypted_data))
        .route("/__platform/identity", get(identity))
}

/// The stable id a platform gives `user` (an opaque device/user label).
pub fn subject_for(platform: &str, app: &str, user: &str) -> String {
    let digest = Sha256::digest(format!("{platform}|{app}|{user}").as_bytes());
    match platform {
        MY => {
            // Alipay user ids: 2088 followed by 12 digits
            let n = u64::from_be_bytes([
                digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
            ]);
            format!("2088{:012}", n % 1_000_000_000_000)
        }
        TT => format!("_000{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..21])),
        _ => format!("o{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..21])),
    }
}

#[derive(Debug)]
pub struct CodeInfo {
    pub subject: String,
    pub phone: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CodeError {
    Invalid,
    Used,
    Expired,
}

impl CodeError {
    /// WeChat's wording and errcode for the failure.
    pub fn describe(&self) -> (i64, &'static str) {
        match self {
            CodeError::Invalid => (40029, "invalid code"),
            CodeError::Used => (40163, "code been used"),
            CodeError::Expired => (40029, "invalid code, code expired"),
        }
    }
}

pub fn mint_code(
    conn: &Connection,
    platform: &str,
    kind: &str,
    subject: &str,
    phone: Option<&str>,
    ttl_ms: i64,
) -> ApiResult<String> {
    let code = util::random_hex(16);
    let now = util::now_ms();
    conn.execute(
        "INSERT INTO platform_codes (code_hash, platform, kind, subject, phone, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![util::sha256_hex(&code), platform, kind, subject, phone, now, now + ttl_ms],
    )?;
    Ok(code)
}

/// Consumes a code: it must exist for this platform and kind, be unused and unexpired.
pub fn consume_code(
    conn: &Connection,
    platform: &str,
    kind: &str,
    code: &str,
) -> ApiResult<Result<CodeInfo, CodeError>> {
    let hash = util::sha256_hex(code);
    let row = conn
        .query_row(
            "SELECT subject, phone, expires_at, used_at FROM platform_codes
             WHERE code_hash = ?1 AND platform = ?2 AND kind = ?3",
            params![hash, platform, kind],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((subject, phone, expires_at, used_at)) = row else {
        return Ok(Err(CodeError::Invalid));
    };
    if used_at.is_some() {
        return Ok(Err(CodeError::Used));
    }
    let now = util::now_ms();
    if now >= expires_at {
        return Ok(Err(CodeError::Expired));
    }
    conn.execute("UPDATE platform_codes SET used_at = ?2 WHERE code_hash = ?1", params![hash, now])?;
    Ok(Ok(CodeInfo { subject, phone }))
}

/// The user a login code was issued to, if it exists for this platform and has not expired
/// (used or not: the session it opened keeps its key).
pub fn code_subject(conn: &Connection, platform: &str, code: &str) -> ApiResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT subject FROM platform_codes
             WHERE code_hash = ?1 AND platform = ?2 AND kind = ?3 AND expires_at > ?4",
            params![util::sha256_hex(code), platform, KIND_LOGIN, util::now_ms()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Optional JSON body `{user?, phoneNumber?}`; an empty body is fine.
fn parse_optional(body: RawBody) -> ApiResult<Map<String, Value>> {
    let bytes = body_bytes(body)?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Map::new());
    }
    parse_object(&bytes)
}

fn user_of(m: &Map<String, Value>) -> ApiResult<String> {
    let user = opt_str(m, "user")?.unwrap_or(DEFAULT_USER);
    if user.is_empty() || user.len() > 128 {
        return Err(ApiError::bad_request("user must be 1..128 characters"));
    }
    Ok(user.to_string())
}

fn phone_of(m: &Map<String, Value>) -> ApiResult<String> {
    let phone = opt_str(m, "phoneNumber")?.unwrap_or(DEFAULT_PHONE);
    if phone.len() < 5 || phone.len() > 20 || !phone.bytes().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::bad_request("phoneNumber must be 5..20 digits"));
    }
    Ok(phone.to_string())
}

async fn mint(
    state: &AppState,
    platform: &'static str,
    kind: &'static str,
    subject: String,
    phone: Option<String>,
) -> ApiResult<String> {
    let ttl = state.cfg.code_ttl_ms;
    state.store.tx(move |tx| mint_code(tx, platform, kind, &subject, phone.as_deref(), ttl)).await
}

pub fn app_for(state: &AppState, platform: &str) -> String {
    match platform {
        WX => state.cfg.wx_appid.clone(),
        _ => state.cfg.app_id.clone(),
    }
}

async fn wx_login(State(state): State<AppState>, body: RawBody) -> Response {
    let r = async {
        let m = parse_optional(body)?;
        let subject = subject_for(WX, &app_for(&state, WX), &user_of(&m)?);
        let code = mint(&state, WX, KIND_LOGIN, subject, None).await?;
        Ok::<_, ApiError>(json!({"code": code, "errMsg": "login:ok"}))
    }
    .await;
    respond(r)
}

async fn tt_login(State(state): State<AppState>, body: RawBody) -> Response {
    let r = async {
        let m = parse_optional(body)?;
        let subject = subject_for(TT, &app_for(&state, TT), &user_of(&m)?);
        let code = mint(&state, TT, KIND_LOGIN, subject, None).await?;
        Ok::<_, ApiError>(json!({
            "code": code,
            "anonymousCode": util::random_hex(16),
            "isLogin": true,
            "errMsg": "login:ok"
        }))
    }
    .await;
    respond(r)
}

async fn my_auth_code(State(state): State<AppState>, body: RawBody) -> Response {
    let r = async {
        let m = parse_optional(body)?;
        let subject = subject_for(MY, &app_for(&state, MY), &user_of(&m)?);
        let code = mint(&state, MY, KIND_LOGIN, subject, None).await?;
        Ok::<_, ApiError>(json!({
            "authCode": code,
            "authErrorScopes": {},
            "authSuccessScopes": ["auth_base"]
        }))
    }
    .await;
    respond(r)
}

/// The `code` of `<button open-type="getPhoneNumber">` (`e.detail.code`).
async fn wx_phone_code(State(state): State<AppState>, body: RawBody) -> Response {
    let r = async {
        let m = parse_optional(body)?;
        let subject = subject_for(WX, &app_for(&state, WX), &user_of(&m)?);
        let phone = phone_of(&m)?;
        let code = mint(&state, WX, KIND_PHONE, subject, Some(phone)).await?;
        Ok::<_, ApiError>(json!({"code": code, "errMsg": "getPhoneNumber:ok"}))
    }
    .await;
    respond(r)
}

/// Douyin's phone button yields `{encryptedData, iv}`; in the emulator the
/// `encryptedData` is a single-use phone code like WeChat's.
async fn tt_phone_code(State(state): State<AppState>, body: RawBody) -> Response {
    let r = async {
        let m = parse_optional(body)?;
        let subject = subject_for(TT, &app_for(&state, TT), &user_of(&m)?);
        let phone = phone_of(&m)?;
        let code = mint(&state, TT, KIND_PHONE, subject, Some(phone)).await?;
        Ok::<_, ApiError>(json!({
            "encryptedData": code,
            "iv": util::random_hex(8),
            "errMsg": "getPhoneNumber:ok"
        }))
    }
    .await;
    respond(r)
}

/// `{code, data?}` → `{encryptedData, iv}`: what `wx.getUserInfo` (`tt.getUserInfo`) returns to
/// the user whose session `code` (a login code of this platform) opened: the user's open data
/// (`openId`, profile fields, `data`'s fields) and the watermark, encrypted with the code's
/// session key (see `open_data`).
async fn encrypted_data(state: AppState, platform: &'static str, body: RawBody) -> Response {
    let r = async {
        let m = parse_object(&body_bytes(body)?)?;
        let code = crate::json::req_str(&m, "code")?.to_string();
        let extra = crate::json::opt_obj(&m, "data")?.cloned().unwrap_or_default();
        let lookup = code.clone();
        let subject = state
            .store
            .call(move |conn| code_subject(conn, platform, &lookup))
            .await?
            .ok_or_else(|| ApiError::bad_request("code is not a live login code of this platform"))?;
        let mut info = json!({
            "nickName": "Emulator User",
            "gender": 0,
            "language": "zh_CN",
            "city": "",
            "province": "",
            "country": "",
            "avatarUrl": "",
        });
        if let Some(obj) = info.as_object_mut() {
            obj.extend(extra);
            obj.insert("openId".into(), json!(subject));
            obj.insert("watermark".into(), json!({"appid": app_for(&state, platform), "timestamp": util::now_s()}));
        }
        let key = crate::open_data::session_key(&state.secrets.jwt, platform, &code);
        let (encrypted, iv) = crate::open_data::encrypt(&key, info.to_string().as_bytes());
        Ok::<_, ApiError>(json!({"encryptedData": encrypted, "iv": iv, "errMsg": "getUserInfo:ok"}))
    }
    .await;
    respond(r)
}

async fn wx_encrypted_data(State(state): State<AppState>, body: RawBody) -> Response {
    encrypted_data(state, WX, body).await
}

async fn tt_encrypted_data(State(state): State<AppState>, body: RawBody) -> Response {
    encrypted_data(state, TT, body).await
}

/// `GET /__platform/identity?platform=wx&user=alice` → the stable id.
async fn identity(
    State(state): State<AppState>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let platform = match q.get("platform").map(String::as_str).unwrap_or(WX) {
        WX => WX,
        TT => TT,
        MY => MY,
        _ => {
            return error_response(ApiError::bad_request("platform must be wx, tt or my"));
        }
    };
    let user = q.get("user").map(String::as_str).unwrap_or(DEFAULT_USER);
    let id = subject_for(platform, &app_for(&state, platform), user);
    Json(json!({"platform": platform, "user": user, "openid": id})).into_response()
}

fn respond(r: ApiResult<Value>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => error_response(e),
    }
}
