//! `POST /api/v3/send-sms` and SMS code verification (the rules are
//! [`super::passcode`]'s). Nothing is sent anywhere: the admin API
//! (`GET /__admin/sms`) is the inbox.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use rusqlite::{params, Connection};
use serde_json::{json, Value};

use super::passcode::{self, Recipient};
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
            let (interval, ttl) = (state.cfg.sms_interval_ms, state.cfg.code_ttl_ms);
            state
                .store
                .tx(move |tx| {
                    let to = Recipient::Phone { phone: &phone, country_code: &cc };
                    passcode::issue(tx, &pool, &to, &channel, interval, ttl)
                })
                .await?;
            tracing::info!("sms code issued");
            Ok(ok_message("发送成功"))
        }
        .await,
    )
}

/// Verifies and consumes an SMS code (see [`passcode::consume`]).
pub fn consume_code(
    conn: &Connection,
    pool: &str,
    phone: &str,
    cc: &str,
    channel: &str,
    code: &str,
) -> ApiResult<Result<(), ApiError>> {
    passcode::consume(conn, pool, &Recipient::Phone { phone, country_code: cc }, channel, code)
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
