//! Tokens: HS256-signed JWT access and id tokens with expiry (access tokens
//! are also recorded by `jti` so they can be revoked), opaque refresh tokens
//! stored as SHA-256 hashes and rotated on every use (a reused, already
//! rotated refresh token revokes its whole family). `/oidc/token` and
//! `/oidc/token/revocation` live here too.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::users::{self, User};
use super::{header, oidc_error};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, RawBody};
use crate::util;

pub const DEFAULT_SCOPE: &str = "openid profile";

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub scope: String,
    pub userpool_id: String,
}

#[derive(Debug, Serialize)]
struct IdClaims<'a> {
    sub: &'a str,
    aud: &'a str,
    iss: &'a str,
    iat: i64,
    exp: i64,
    name: Option<&'a Value>,
    nickname: Option<&'a Value>,
    picture: Option<&'a Value>,
    preferred_username: Option<&'a str>,
    email: Option<&'a str>,
    phone_number: Option<&'a str>,
    updated_at: String,
}

pub struct TokenContext<'a> {
    pub secret: &'a [u8],
    pub issuer: &'a str,
    pub app_id: &'a str,
    pub access_ttl_s: i64,
    pub refresh_ttl_ms: i64,
}

impl<'a> TokenContext<'a> {
    pub fn new(state: &'a AppState, issuer: &'a str) -> Self {
        Self {
            secret: &state.secrets.jwt,
            issuer,
            app_id: &state.cfg.app_id,
            access_ttl_s: state.cfg.access_token_ttl_s,
            refresh_ttl_ms: state.cfg.refresh_token_ttl_ms,
        }
    }
}

pub fn issuer(state: &AppState) -> String {
    format!("{}/oidc", state.base_url)
}

/// Normalises a requested scope (space separated, default `openid profile`).
pub fn normalise_scope(scope: Option<&str>) -> ApiResult<String> {
    let s = scope.unwrap_or(DEFAULT_SCOPE).trim();
    if s.len() > 1024 {
        return Err(ApiError::bad_request("scope is too long"));
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.is_empty() {
        return Ok(DEFAULT_SCOPE.to_string());
    }
    Ok(parts.join(" "))
}

fn has_scope(scope: &str, want: &str) -> bool {
    scope.split_whitespace().any(|s| s == want)
}

/// Issues access (+ id, + refresh if `offline_access`) tokens and records them.
pub fn issue(
    conn: &Connection,
    ctx: &TokenContext<'_>,
    user: &User,
    scope: &str,
    family: Option<&str>,
) -> ApiResult<Value> {
    let now = util::now_s();
    let exp = now + ctx.access_ttl_s;
    let jti = util::random_hex(16);
    let claims = AccessClaims {
        sub: user.id.clone(),
        aud: ctx.app_id.to_string(),
        iss: ctx.issuer.to_string(),
        iat: now,
        exp,
        jti: jti.clone(),
        scope: scope.to_string(),
        userpool_id: user.pool_id.clone(),
    };
    let key = EncodingKey::from_secret(ctx.secret);
    let access =
        encode(&Header::new(Algorithm::HS256), &claims, &key).map_err(|_| ApiError::internal("cannot sign token"))?;
    conn.execute(
        "INSERT INTO access_tokens (jti, user_id, app_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![jti, user.id, ctx.app_id, exp * 1000],
    )?;
    let mut out = serde_json::Map::new();
    out.insert("access_token".into(), json!(access));
    if has_scope(scope, "openid") {
        let id_claims = IdClaims {
            sub: &user.id,
            aud: ctx.app_id,
            iss: ctx.issuer,
            iat: now,
            exp,
            name: user.profile.get("name"),
            nickname: user.profile.get("nickname"),
            picture: user.profile.get("photo"),
            preferred_username: user.username.as_deref(),
            email: user.email.as_deref(),
            phone_number: user.phone.as_deref(),
            updated_at: util::iso8601(user.updated_at),
        };
        let id = encode(&Header::new(Algorithm::HS256), &id_claims, &key)
            .map_err(|_| ApiError::internal("cannot sign token"))?;
        out.insert("id_token".into(), json!(id));
    }
    if has_scope(scope, "offline_access") {
        let rt = util::random_token();
        let family = family.map(str::to_string).unwrap_or_else(|| util::random_hex(12));
        let now_ms = util::now_ms();
        conn.execute(
            "INSERT INTO refresh_tokens (token_hash, family, user_id, app_id, scope, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![util::sha256_hex(&rt), family, user.id, ctx.app_id, scope, now_ms, now_ms + ctx.refresh_ttl_ms],
        )?;
        out.insert("refresh_token".into(), json!(rt));
    }
    out.insert("expires_in".into(), json!(ctx.access_ttl_s));
    out.insert("token_type".into(), json!("Bearer"));
    out.insert("scope".into(), json!(scope));
    Ok(Value::Object(out))
}

fn decode_claims(secret: &[u8], app_id: &str, token: &str, check_exp: bool) -> Option<AccessClaims> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&[app_id]);
    v.leeway = 0;
    // Expiry is judged on the emulator's clock (settable by tests), not the crate's system time.
    v.validate_exp = false;
    if !check_exp {
        v.required_spec_claims.remove("exp");
    }
    let claims = decode::<AccessClaims>(token, &DecodingKey::from_secret(secret), &v).ok()?.claims;
    (!check_exp || claims.exp >= util::now_s()).then_some(claims)
}

fn not_logged_in() -> ApiError {
    ApiError::unauthorized("尚未登录，无权限访问此请求").with_api_code(2020)
}

/// Resolves `Authorization` (raw token or `Bearer <token>`) to a live user.
pub async fn require_user(state: &AppState, h: &HeaderMap) -> ApiResult<User> {
    let raw = header(h, "authorization").unwrap_or("");
    let token = raw.strip_prefix("Bearer ").or_else(|| raw.strip_prefix("bearer ")).unwrap_or(raw).trim().to_string();
    if token.is_empty() {
        return Err(not_logged_in());
    }
    let claims = decode_claims(&state.secrets.jwt, &state.cfg.app_id, &token, true).ok_or_else(not_logged_in)?;
    if claims.userpool_id != state.cfg.user_pool_id {
        return Err(not_logged_in());
    }
    state
        .store
        .call(move |conn| {
            let live: Option<Option<i64>> = conn
                .query_row(
                    "SELECT revoked_at FROM access_tokens WHERE jti = ?1 AND user_id = ?2",
                    params![claims.jti, claims.sub],
                    |r| r.get(0),
                )
                .optional()?;
            match live {
                Some(None) => users::load(conn, &claims.sub)?.ok_or_else(not_logged_in),
                _ => Err(not_logged_in()),
            }
        })
        .await
}

fn parse_form(bytes: &[u8]) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

fn invalid_grant() -> ApiError {
    ApiError::new(400, "invalid_grant", "grant request is invalid")
}

/// `POST /oidc/token` with `grant_type=refresh_token`.
pub async fn token(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    match token_inner(&state, &h, body).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => oidc_error(e),
    }
}

async fn token_inner(state: &AppState, h: &HeaderMap, body: RawBody) -> ApiResult<Value> {
    let bytes = body_bytes(body)?;
    let form = parse_form(&bytes);
    let app = header(h, "x-authing-app-id")
        .filter(|s| !s.is_empty())
        .or(form.get("client_id").map(String::as_str).filter(|s| !s.is_empty()));
    match app {
        None => return Err(ApiError::new(400, "invalid_client", "x-authing-app-id header or client_id is required")),
        Some(a) if a != state.cfg.app_id => {
            return Err(ApiError::new(400, "invalid_client", "client authentication failed"))
        }
        Some(_) => {}
    }
    match form.get("grant_type").map(String::as_str) {
        None | Some("") => return Err(ApiError::new(400, "invalid_request", "grant_type is required")),
        Some("refresh_token") => {}
        Some(_) => {
            return Err(ApiError::new(400, "unsupported_grant_type", "only grant_type=refresh_token is supported"))
        }
    }
    let rt = form
        .get("refresh_token")
        .filter(|s| !s.is_empty())
        .cloned()
        .ok_or_else(|| ApiError::new(400, "invalid_request", "refresh_token is required"))?;
    let iss = issuer(state);
    let st = state.clone();
    state
        .store
        .tx(move |tx| {
            let ctx = TokenContext::new(&st, &iss);
            let hash = util::sha256_hex(&rt);
            let row = tx
                .query_row(
                    "SELECT family, user_id, app_id, scope, expires_at, rotated_at, revoked_at
                     FROM refresh_tokens WHERE token_hash = ?1",
                    params![hash],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, i64>(4)?,
                            r.get::<_, Option<i64>>(5)?,
                            r.get::<_, Option<i64>>(6)?,
                        ))
                    },
                )
                .optional()?;
            let Some((family, user_id, app_id, scope, expires_at, rotated, revoked)) = row else {
                return Err(invalid_grant());
            };
            let now = util::now_ms();
            if rotated.is_some() {
                // reuse of a rotated token: revoke the whole family
                tx.execute(
                    "UPDATE refresh_tokens SET revoked_at = ?2 WHERE family = ?1 AND revoked_at IS NULL",
                    params![family, now],
                )?;
                // committed, then reported
                return Ok(Err(invalid_grant()));
            }
            if revoked.is_some() || expires_at <= now || app_id != ctx.app_id {
                return Err(invalid_grant());
            }
            let user = users::load(tx, &user_id)?.ok_or_else(invalid_grant)?;
            tx.execute("UPDATE refresh_tokens SET rotated_at = ?2 WHERE token_hash = ?1", params![hash, now])?;
            issue(tx, &ctx, &user, &scope, Some(&family)).map(Ok)
        })
        .await?
}

/// `POST /oidc/token/revocation`: revokes an access or refresh token.
/// RFC 7009: unknown tokens are not an error; the answer is an empty 200.
pub async fn revocation(State(state): State<AppState>, body: RawBody) -> Response {
    let bytes = match body_bytes(body) {
        Ok(b) => b,
        Err(e) => return oidc_error(e),
    };
    let form = parse_form(&bytes);
    let Some(token) = form.get("token").filter(|s| !s.is_empty()).cloned() else {
        return oidc_error(ApiError::new(400, "invalid_request", "token is required"));
    };
    if let Some(client) = form.get("client_id") {
        if !client.is_empty() && *client != state.cfg.app_id {
            return oidc_error(ApiError::new(400, "invalid_client", "unknown client_id"));
        }
    }
    let claims = decode_claims(&state.secrets.jwt, &state.cfg.app_id, &token, false);
    let r = state
        .store
        .tx(move |tx| {
            let now = util::now_ms();
            if let Some(c) = claims {
                tx.execute(
                    "UPDATE access_tokens SET revoked_at = ?2 WHERE jti = ?1 AND revoked_at IS NULL",
                    params![c.jti, now],
                )?;
            } else {
                tx.execute(
                    "UPDATE refresh_tokens SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
                    params![util::sha256_hex(&token), now],
                )?;
            }
            Ok(())
        })
        .await;
    match r {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => oidc_error(e),
    }
}
