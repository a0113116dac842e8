//! `POST /api/v3/send-email` and email code verification, with the same
//! rules as SMS codes ([`super::passcode`]). Nothing is sent anywhere: the
//! admin API (`GET /__admin/email`) is the inbox.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use rusqlite::{params, Connection};
use serde_json::{json, Value};

use super::passcode::{self, Recipient};
use super::{ok_message, require_pool, respond};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, parse_object, req_str, RawBody};
use crate::util;

pub const CHANNELS: &[&str] = &[
    "CHANNEL_LOGIN",
    "CHANNEL_REGISTER",
    "CHANNEL_RESET_PASSWORD",
    "CHANNEL_VERIFY_EMAIL_LINK",
    "CHANNEL_UPDATE_EMAIL",
    "CHANNEL_BIND_EMAIL",
    "CHANNEL_UNBIND_EMAIL",
    "CHANNEL_VERIFY_MFA",
    "CHANNEL_UNLOCK_ACCOUNT",
    "CHANNEL_COMPLETE_EMAIL",
    "CHANNEL_DELETE_ACCOUNT",
];

/// A plausible address: `local@domain.tld`, at most 254 characters, no spaces.
pub fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else { return false };
    e.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A required, well-formed `key` of `m` (the address, as given).
pub fn req_email<'a>(m: &'a serde_json::Map<String, Value>, key: &str) -> ApiResult<&'a str> {
    let e = req_str(m, key)?;
    if !valid_email(e) {
        return Err(ApiError::bad_request(format!("{key} is not a valid email address")).with_api_code(2001));
    }
    Ok(e)
}

pub async fn send_email(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            require_pool(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let email = req_email(&m, "email")?.to_string();
            let channel = req_str(&m, "channel")?.to_string();
            if !CHANNELS.contains(&channel.as_str()) {
                return Err(ApiError::bad_request(format!("channel must be one of {}", CHANNELS.join(", "))));
            }
            let pool = state.cfg.user_pool_id.clone();
            let (interval, ttl) = (state.cfg.sms_interval_ms, state.cfg.code_ttl_ms);
            state
                .store
                .tx(move |tx| passcode::issue(tx, &pool, &Recipient::Email(&email), &channel, interval, ttl))
                .await?;
            tracing::info!("email code issued");
            Ok(ok_message("发送成功"))
        }
        .await,
    )
}

/// Verifies and consumes an email code (see [`passcode::consume`]).
pub fn consume_code(
    conn: &Connection,
    pool: &str,
    email: &str,
    channel: &str,
    code: &str,
) -> ApiResult<Result<(), ApiError>> {
    passcode::consume(conn, pool, &Recipient::Email(email), channel, code)
}

/// The inbox for the admin API, newest first.
pub fn inbox(conn: &Connection, pool: &str, email: Option<&str>) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare(
        "SELECT email, channel, code, sent_at, expires_at, used_at
         FROM email_codes WHERE pool_id = ?1 AND (?2 IS NULL OR email = ?2)
         ORDER BY id DESC LIMIT 500",
    )?;
    let rows = stmt.query_map(params![pool, email], |r| {
        Ok(json!({
            "email": r.get::<_, String>(0)?,
            "channel": r.get::<_, String>(1)?,
            "code": r.get::<_, String>(2)?,
            "sentAt": util::iso8601(r.get::<_, i64>(3)?),
            "expiresAt": util::iso8601(r.get::<_, i64>(4)?),
            "used": r.get::<_, Option<i64>>(5)?.is_some(),
        }))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn email_addresses() {
        for ok in ["a@b.co", "first.last+tag@example.com.cn"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in ["", "a", "@b.co", "a@b", "a@.b", "a@b.", "a b@c.d", "a@b@c.d"] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
