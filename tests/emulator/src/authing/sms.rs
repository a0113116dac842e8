//! `POST /api/v3/send-sms` and SMS code verification. Codes are 6 digits,
//! valid for 5 minutes, single use, invalidated after 5 wrong attempts; one
//! SMS per phone and channel per minute. Nothing is sent anywhere: the
//! admin API (`GET /__admin/sms`) is the inbox.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use super::{ok_message, require_pool, respond};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, opt_str, parse_object, req_str, RawBody};
use crate::util;

pub const CHANNELS: &[&str] = &[
    "CHANNEL_LOGIN",
    "CHANNEL_REGISTER",
    "CHANNEL_RESET_PASSWORD",
    "CHANNEL_BIND_PHONE",
    "CHANNEL_UNBIND_PHONE",
    "CHANNEL_BIND_MFA",
    "CHANNEL_VERIFY_MFA",
    "CHANNEL_UNBIND_MFA",
    "CHANNEL_COMPLETE_PHONE",
    "CHANNEL_IDENTITY_VERIFICATION",
    "CHANNEL_DELETE_ACCOUNT",
];

const MAX_ATTEMPTS: i64 = 5;

pub fn valid_phone(p: &str) -> bool {
    (5..=20).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())
}

pub fn valid_country_code(c: &str) -> bool {
    c.len() >= 2 && c.len() <= 5 && c.starts_with('+') && c[1..].bytes().all(|b| b.is_ascii_digit())
}

pub async fn send_sms(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            require_pool(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let phone = req_str(&m, "phoneNumber")?.to_string();
            if !valid_phone(&phone) {
                return Err(ApiError::bad_request("phoneNumber must be 5..20 digits").with_api_code(2001));
            }
            let channel = req_str(&m, "channel")?.to_string();
            if !CHANNELS.contains(&channel.as_str()) {
                return Err(ApiError::bad_request(format!("channel must be one of {}", CHANNELS.join(", "))));
            }
            let cc = opt_str(&m, "phoneCountryCode")?.filter(|s| !s.is_empty()).unwrap_or("+86").to_string();
            if !valid_country_code(&cc) {
                return Err(ApiError::bad_request("phoneCountryCode must look like +86"));
            }
            let pool = state.cfg.user_pool_id.clone();
            let interval = state.cfg.sms_interval_ms;
            let ttl = state.cfg.code_ttl_ms;
            state
                .store
                .tx(move |tx| {
                    let now = util::now_ms();
                    let last: Option<i64> = tx
                        .query_row(
                            "SELECT MAX(sent_at) FROM sms_codes
                             WHERE pool_id = ?1 AND phone = ?2 AND phone_country_code = ?3 AND channel = ?4",
                            params![pool, phone, cc, channel],
                            |r| r.get(0),
                        )
                        .optional()?
                        .flatten();
                    if let Some(t) = last {
                        if now - t < interval {
                            return Err(ApiError::new(
                                429,
                                "TooManyRequests",
                                "每个手机号同一 Channel 在一分钟内只能发送一次",
                            )
                            .with_api_code(2080));
                        }
                    }
                    tx.execute(
                        "INSERT INTO sms_codes (pool_id, phone, phone_country_code, channel, code, sent_at, expires_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![pool, phone, cc, channel, util::random_digits(6), now, now + ttl],
                    )?;
                    Ok(())
                })
                .await?;
            tracing::info!("sms code issued");
            Ok(ok_message("发送成功"))
        }
        .await,
    )
}

/// Verifies and consumes a code. `Ok(Err(_))` is a verification failure whose
/// bookkeeping (attempt counter) must still be committed.
pub fn consume_code(
    conn: &Connection,
    pool: &str,
    phone: &str,
    cc: &str,
    channel: &str,
    code: &str,
) -> ApiResult<Result<(), ApiError>> {
    let now = util::now_ms();
    let row = conn
        .query_row(
            "SELECT id, code, attempts FROM sms_codes
             WHERE pool_id = ?1 AND phone = ?2 AND phone_country_code = ?3 AND channel = ?4
               AND used_at IS NULL AND expires_at > ?5
             ORDER BY id DESC LIMIT 1",
            params![pool, phone, cc, channel, now],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)),
        )
        .optional()?;
    let Some((id, expected, attempts)) = row else {
        return Ok(Err(ApiError::bad_request("验证码已失效，请重新获取").with_api_code(2001)));
    };
    if attempts >= MAX_ATTEMPTS {
        return Ok(Err(ApiError::bad_request("验证码已失效，请重新获取").with_api_code(2001)));
    }
    if !util::ct_eq(expected.as_bytes(), code.as_bytes()) {
        conn.execute("UPDATE sms_codes SET attempts = attempts + 1 WHERE id = ?1", params![id])?;
        return Ok(Err(ApiError::bad_request("验证码不正确").with_api_code(2001)));
    }
    conn.execute("UPDATE sms_codes SET used_at = ?2 WHERE id = ?1", params![id, now])?;
    Ok(Ok(()))
}

/// The inbox for the admin API, newest first.
pub fn inbox(conn: &Connection, pool: &str, phone: Option<&str>) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare(
        "SELECT phone, phone_country_code, channel, code, sent_at, expires_at, used_at
         FROM sms_codes WHERE pool_id = ?1 AND (?2 IS NULL OR phone = ?2)
         ORDER BY id DESC LIMIT 500",
    )?;
    let rows = stmt.query_map(params![pool, phone], |r| {
        Ok(json!({
            "phone": r.get::<_, String>(0)?,
            "phoneCountryCode": r.get::<_, String>(1)?,
            "channel": r.get::<_, String>(2)?,
            "code": r.get::<_, String>(3)?,
            "sentAt": util::iso8601(r.get::<_, i64>(4)?),
            "expiresAt": util::iso8601(r.get::<_, i64>(5)?),
            "used": r.get::<_, Option<i64>>(6)?.is_some(),
        }))
    })?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r?);
    }
    Ok(out)
}
