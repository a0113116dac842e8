//! MPServerless users and sessions: anonymous and provider (Alipay /
//! WeChat) authorization, token checks with the documented lifetime
//! (10 minutes fresh, extended to 30 minutes by every call), and
//! `getProfileInfo`. Tokens are stored as SHA-256 hashes.

use rusqlite::{params, OptionalExtension};
use serde_json::{json, Map, Value};

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{opt_str, req_str};
use crate::platform::{self, CodeError};
use crate::util;

#[derive(Debug, Clone)]
pub struct Session {
    pub space_id: String,
    pub user_id: String,
    pub auth_type: String,
    pub oauth_user_id: Option<String>,
}

pub fn invalid_token(msg: &str) -> ApiError {
    ApiError::new(401, "GATEWAY_INVALID_TOKEN", msg)
}

async fn create_session(
    state: &AppState,
    user_id: String,
    auth_type: &'static str,
    oauth_user_id: Option<String>,
) -> ApiResult<Value> {
    let token = util::random_token();
    let hash = util::sha256_hex(&token);
    let space = state.cfg.space_id.clone();
    let ttl = state.cfg.session_ttl_ms;
    state
        .store
        .tx(move |tx| {
            let now = util::now_ms();
            tx.execute(
                "INSERT INTO sl_sessions (token_hash, space_id, user_id, auth_type, oauth_user_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![hash, space, user_id, auth_type, oauth_user_id, now, now + ttl],
            )?;
            Ok(())
        })
        .await?;
    Ok(json!({"accessToken": token, "expiresInSecond": ttl / 1000}))
}

fn check_client_identifier(p: &Map<String, Value>) -> ApiResult<()> {
    if let Some(c) = opt_str(p, "clientIdentifier")? {
        if c.len() > 128 {
            return Err(ApiError::bad_request("clientIdentifier is too long"));
        }
    }
    opt_str(p, "isvAppId")?;
    Ok(())
}

/// `serverless.auth.user.anonymousAuthorize`: a new random identity each time.
pub async fn anonymous(state: &AppState, p: &Map<String, Value>) -> ApiResult<Value> {
    check_client_identifier(p)?;
    create_session(state, util::object_id(), "anonymous", None).await
}

/// `serverless.auth.user.authorize` with a platform code.
pub async fn authorize(state: &AppState, p: &Map<String, Value>) -> ApiResult<Value> {
    check_client_identifier(p)?;
    let (provider, plat) = match req_str(p, "authProvider")? {
        "alipay_openapi" => ("alipay_openapi", platform::MY),
        "wechat_openapi" => ("wechat_openapi", platform::WX),
        "dingtalk_openapi" => {
            return Err(ApiError::bad_request("authProvider dingtalk_openapi is not supported by the emulator"))
        }
        _ => {
            return Err(ApiError::bad_request(
                "authProvider should be one of alipay_openapi, wechat_openapi, dingtalk_openapi",
            ))
        }
    };
    let code = req_str(p, "authCode")?.to_string();
    let space = state.cfg.space_id.clone();
    let found = state
        .store
        .tx(move |tx| {
            let subject = match platform::consume_code(tx, plat, platform::KIND_LOGIN, &code)? {
                Ok(info) => info.subject,
                Err(e) => return Ok(Err(e)),
            };
            let existing: Option<String> = tx
                .query_row(
                    "SELECT user_id FROM sl_users WHERE space_id = ?1 AND provider = ?2 AND oauth_user_id = ?3",
                    params![space, provider, subject],
                    |r| r.get(0),
                )
                .optional()?;
            let user_id = match existing {
                Some(u) => u,
                None => {
                    let u = util::object_id();
                    tx.execute(
                        "INSERT INTO sl_users (space_id, provider, oauth_user_id, user_id, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![space, provider, subject, u, util::now_ms()],
                    )?;
                    u
                }
            };
            Ok(Ok((user_id, subject)))
        })
        .await?;
    let (user_id, subject) = found.map_err(|e| {
        let msg = match e {
            CodeError::Invalid => "authCode is invalid",
            CodeError::Used => "authCode has been used",
            CodeError::Expired => "authCode has expired",
        };
        ApiError::new(400, "InvalidParameter.InvalidAuthCode", msg)
    })?;
    create_session(state, user_id, provider, Some(subject)).await
}

/// Resolves a live session and slides its expiry to now + 30 min.
pub async fn authenticate(state: &AppState, token: &str) -> ApiResult<Session> {
    let hash = util::sha256_hex(token);
    let extend = state.cfg.session_extend_ms;
    let space = state.cfg.space_id.clone();
    state
        .store
        .tx(move |tx| {
            let row = tx
                .query_row(
                    "SELECT user_id, auth_type, oauth_user_id, expires_at FROM sl_sessions
                     WHERE token_hash = ?1 AND space_id = ?2",
                    params![hash, space],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, Option<String>>(2)?,
                            r.get::<_, i64>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((user_id, auth_type, oauth_user_id, expires_at)) = row else {
                return Err(invalid_token("token is invalid"));
            };
            let now = util::now_ms();
            if now >= expires_at {
                return Err(invalid_token("token has expired"));
            }
            tx.execute(
                "UPDATE sl_sessions SET expires_at = ?2 WHERE token_hash = ?1",
                params![hash, (now + extend).max(expires_at)],
            )?;
            Ok(Session { space_id: space, user_id, auth_type, oauth_user_id })
        })
        .await
}

/// `serverless.auth.user.getProfileInfo`
pub fn profile(s: &Session) -> Value {
    let mut m = Map::new();
    m.insert("spaceId".into(), json!(s.space_id));
    m.insert("userId".into(), json!(s.user_id));
    if let Some(o) = &s.oauth_user_id {
        m.insert("oAuthUserId".into(), json!(o));
    }
    m.insert("authType".into(), json!(s.auth_type));
    Value::Object(m)
}
