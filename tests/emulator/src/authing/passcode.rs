//! One-time pass codes, sent by SMS (`sms_codes`) or email (`email_codes`):
//! 6 digits, valid for `--code-ttl-secs`, single use, burnt after 5 wrong
//! attempts; one code per recipient and channel per `--sms-interval-secs`.
//! Both media share this machinery; only the table and the columns naming
//! the recipient differ.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use crate::error::{ApiError, ApiResult};
use crate::util;

const MAX_ATTEMPTS: i64 = 5;

/// Who a code is sent to.
pub enum Recipient<'a> {
    Phone { phone: &'a str, country_code: &'a str },
    Email(&'a str),
}

impl Recipient<'_> {
    fn table(&self) -> &'static str {
        match self {
            Recipient::Phone { .. } => "sms_codes",
            Recipient::Email(_) => "email_codes",
        }
    }

    /// `(column, value)` pairs that select this recipient's codes of `channel` in `pool`.
    fn key(&self, pool: &str, channel: &str) -> Vec<(&'static str, SqlValue)> {
        let mut k = vec![("pool_id", SqlValue::from(pool.to_string()))];
        match self {
            Recipient::Phone { phone, country_code } => {
                k.push(("phone", SqlValue::from(phone.to_string())));
                k.push(("phone_country_code", SqlValue::from(country_code.to_string())));
            }
            Recipient::Email(email) => k.push(("email", SqlValue::from(email.to_string()))),
        }
        k.push(("channel", SqlValue::from(channel.to_string())));
        k
    }

    fn noun(&self) -> &'static str {
        match self {
            Recipient::Phone { .. } => "手机号",
            Recipient::Email(_) => "邮箱",
        }
    }
}

/// `col1 = ?1 AND col2 = ?2 …` for the key columns.
fn where_clause(key: &[(&'static str, SqlValue)]) -> String {
    key.iter().enumerate().map(|(i, (c, _))| format!("{c} = ?{}", i + 1)).collect::<Vec<_>>().join(" AND ")
}

/// Issues a new code (refused with 429 inside the resend interval).
pub fn issue(
    conn: &Connection,
    pool: &str,
    to: &Recipient<'_>,
    channel: &str,
    interval_ms: i64,
    ttl_ms: i64,
) -> ApiResult<()> {
    let key = to.key(pool, channel);
    let n = key.len();
    let now = util::now_ms();
    let last: Option<i64> = conn
        .query_row(
            &format!("SELECT MAX(sent_at) FROM {} WHERE {}", to.table(), where_clause(&key)),
            params_from_iter(key.iter().map(|(_, v)| v)),
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if let Some(t) = last {
        if now - t < interval_ms {
            return Err(ApiError::new(
                429,
                "TooManyRequests",
                format!("每个{}同一 Channel 在一分钟内只能发送一次", to.noun()),
            )
            .with_api_code(2080));
        }
    }
    let columns: Vec<&str> = key.iter().map(|(c, _)| *c).chain(["code", "sent_at", "expires_at"]).collect();
    let placeholders: Vec<String> = (1..=n + 3).map(|i| format!("?{i}")).collect();
    let mut values: Vec<SqlValue> = key.into_iter().map(|(_, v)| v).collect();
    values.extend([SqlValue::from(util::random_digits(6)), SqlValue::from(now), SqlValue::from(now + ttl_ms)]);
    conn.execute(
        &format!("INSERT INTO {} ({}) VALUES ({})", to.table(), columns.join(", "), placeholders.join(", ")),
        params_from_iter(values.iter()),
    )?;
    Ok(())
}

/// A code that passed [`check`]; [`Ticket::spend`] marks it used.
#[must_use]
pub struct Ticket {
    table: &'static str,
    id: i64,
}

impl Ticket {
    pub fn spend(self, conn: &Connection) -> ApiResult<()> {
        conn.execute(&format!("UPDATE {} SET used_at = ?2 WHERE id = ?1", self.table), [self.id, util::now_ms()])?;
        Ok(())
    }
}

/// Verifies a code without using it up (a flow needing several codes spends
/// them only when all passed). `Ok(Err(_))` is a verification failure whose
/// bookkeeping (attempt counter) must still be committed.
pub fn check(
    conn: &Connection,
    pool: &str,
    to: &Recipient<'_>,
    channel: &str,
    code: &str,
) -> ApiResult<Result<Ticket, ApiError>> {
    let key = to.key(pool, channel);
    let n = key.len();
    let mut values: Vec<SqlValue> = key.iter().map(|(_, v)| v.clone()).collect();
    values.push(SqlValue::from(util::now_ms()));
    let table = to.table();
    let row = conn
        .query_row(
            &format!(
                "SELECT id, code, attempts FROM {table} WHERE {} AND used_at IS NULL AND expires_at > ?{}
                 ORDER BY id DESC LIMIT 1",
                where_clause(&key),
                n + 1
            ),
            params_from_iter(values.iter()),
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
        conn.execute(&format!("UPDATE {table} SET attempts = attempts + 1 WHERE id = ?1"), [id])?;
        return Ok(Err(ApiError::bad_request("验证码不正确").with_api_code(2001)));
    }
    Ok(Ok(Ticket { table, id }))
}

/// Verifies and uses up a code ([`check`] then [`Ticket::spend`]).
pub fn consume(
    conn: &Connection,
    pool: &str,
    to: &Recipient<'_>,
    channel: &str,
    code: &str,
) -> ApiResult<Result<(), ApiError>> {
    Ok(match check(conn, pool, to, channel, code)? {
        Ok(ticket) => Ok(ticket.spend(conn)?),
        Err(e) => Err(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latest(conn: &Connection, table: &str) -> String {
        conn.query_row(&format!("SELECT code FROM {table} ORDER BY id DESC LIMIT 1"), [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn email_and_sms_codes_follow_the_same_rules() {
        let conn = crate::store::memory_connection();
        let phone = Recipient::Phone { phone: "13800000000", country_code: "+86" };
        let email = Recipient::Email("a@example.com");
        for (to, table) in [(&phone, "sms_codes"), (&email, "email_codes")] {
            issue(&conn, "pool", to, "CHANNEL_LOGIN", 60_000, 300_000).unwrap();
            let again = issue(&conn, "pool", to, "CHANNEL_LOGIN", 60_000, 300_000).unwrap_err();
            assert_eq!(again.status, 429);
            let code = latest(&conn, table);
            // another channel does not accept it
            assert!(consume(&conn, "pool", to, "CHANNEL_BIND_EMAIL", &code).unwrap().is_err());
            assert!(consume(&conn, "pool", to, "CHANNEL_LOGIN", "000000x").unwrap().is_err());
            consume(&conn, "pool", to, "CHANNEL_LOGIN", &code).unwrap().unwrap();
            // single use
            assert!(consume(&conn, "pool", to, "CHANNEL_LOGIN", &code).unwrap().is_err());
        }
    }

    #[test]
    fn five_wrong_attempts_burn_an_email_code() {
        let conn = crate::store::memory_connection();
        let to = Recipient::Email("b@example.com");
        issue(&conn, "pool", &to, "CHANNEL_LOGIN", 0, 300_000).unwrap();
        let code = latest(&conn, "email_codes");
        for _ in 0..MAX_ATTEMPTS {
            assert!(consume(&conn, "pool", &to, "CHANNEL_LOGIN", "wrong").unwrap().is_err());
        }
        assert!(consume(&conn, "pool", &to, "CHANNEL_LOGIN", &code).unwrap().is_err());
    }

    #[test]
    fn expired_codes_are_refused() {
        let conn = crate::store::memory_connection();
        let to = Recipient::Email("c@example.com");
        issue(&conn, "pool", &to, "CHANNEL_LOGIN", 0, -1).unwrap();
        let code = latest(&conn, "email_codes");
        assert!(consume(&conn, "pool", &to, "CHANNEL_LOGIN", &code).unwrap().is_err());
    }
}
