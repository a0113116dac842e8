//! Verify tokens: what `verify-update-email-request`, `verify-update-phone-request`
//! and `verify-delete-account-request` hand out once the user proved control
//! (pass codes or password). A token is opaque (256 bits, stored as SHA-256),
//! bound to the user and the purpose, carries what the second step applies
//! (the new email or phone), expires after `--verify-token-ttl-secs` and is
//! single use.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::util;

#[derive(Clone, Copy)]
pub enum Purpose {
    UpdateEmail,
    UpdatePhone,
    DeleteAccount,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::UpdateEmail => "update_email",
            Purpose::UpdatePhone => "update_phone",
            Purpose::DeleteAccount => "delete_account",
        }
    }

    /// The request field that carries the token.
    pub fn field(self) -> &'static str {
        match self {
            Purpose::UpdateEmail => "updateEmailToken",
            Purpose::UpdatePhone => "updatePhoneToken",
            Purpose::DeleteAccount => "deleteAccountToken",
        }
    }
}

/// Issues a token; returns it with its lifetime in seconds (`tokenExpiresIn`).
pub fn issue(
    conn: &Connection,
    pool: &str,
    user_id: &str,
    purpose: Purpose,
    payload: &Value,
    ttl_ms: i64,
) -> ApiResult<(String, i64)> {
    let token = util::random_token();
    let now = util::now_ms();
    conn.execute(
        "INSERT INTO verify_tokens (token_hash, pool_id, user_id, purpose, payload, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![util::sha256_hex(&token), pool, user_id, purpose.as_str(), payload.to_string(), now, now + ttl_ms],
    )?;
    Ok((token, ttl_ms / 1000))
}

/// Uses up a token of `user_id` for `purpose`; returns its payload.
pub fn consume(conn: &Connection, pool: &str, user_id: &str, purpose: Purpose, token: &str) -> ApiResult<Value> {
    let field = purpose.field();
    let hash = util::sha256_hex(token);
    let row = conn
        .query_row(
            "SELECT payload, expires_at, used_at FROM verify_tokens
             WHERE token_hash = ?1 AND pool_id = ?2 AND user_id = ?3 AND purpose = ?4",
            params![hash, pool, user_id, purpose.as_str()],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<i64>>(2)?)),
        )
        .optional()?;
    let Some((payload, expires_at, used_at)) = row else {
        return Err(ApiError::bad_request(format!("{field} is invalid")).with_api_code(2001));
    };
    if used_at.is_some() {
        return Err(ApiError::bad_request(format!("{field} has already been used")).with_api_code(2001));
    }
    let now = util::now_ms();
    if now >= expires_at {
        return Err(ApiError::bad_request(format!("{field} has expired, request a new one")).with_api_code(2001));
    }
    conn.execute("UPDATE verify_tokens SET used_at = ?2 WHERE token_hash = ?1", params![hash, now])?;
    Ok(serde_json::from_str(&payload)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_single_use_bound_to_user_and_purpose_and_expire() {
        let conn = crate::store::memory_connection();
        let (t, secs) = issue(&conn, "pool", "u1", Purpose::UpdateEmail, &json!({"email": "a@b.co"}), 60_000).unwrap();
        assert_eq!(secs, 60);
        assert!(consume(&conn, "pool", "u2", Purpose::UpdateEmail, &t).is_err(), "another user");
        assert!(consume(&conn, "pool", "u1", Purpose::DeleteAccount, &t).is_err(), "another purpose");
        assert_eq!(consume(&conn, "pool", "u1", Purpose::UpdateEmail, &t).unwrap(), json!({"email": "a@b.co"}));
        let again = consume(&conn, "pool", "u1", Purpose::UpdateEmail, &t).unwrap_err();
        assert!(again.message.contains("already been used"), "{}", again.message);
        let (old, _) = issue(&conn, "pool", "u1", Purpose::UpdatePhone, &json!({}), -1).unwrap();
        let expired = consume(&conn, "pool", "u1", Purpose::UpdatePhone, &old).unwrap_err();
        assert!(expired.message.contains("expired"), "{}", expired.message);
    }
}
