//! Authing users: storage, lookup and the `UserDto` the API returns.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::util;

pub const DEFAULT_PHOTO: &str = "https://files.authing.co/authing-console/default-user-avatar.png";

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub pool_id: String,
    pub username: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub phone_country_code: Option<String>,
    pub password_hash: Option<String>,
    pub profile: Map<String, Value>,
    pub created_at: i64,
    pub updated_at: i64,
    pub logins_count: i64,
    pub last_login: Option<i64>,
}

const COLUMNS: &str = "id, pool_id, username, email, phone, phone_country_code, password_hash, \
                       profile, created_at, updated_at, logins_count, last_login";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let profile: String = r.get(7)?;
    Ok(User {
        id: r.get(0)?,
        pool_id: r.get(1)?,
        username: r.get(2)?,
        email: r.get(3)?,
        phone: r.get(4)?,
        phone_country_code: r.get(5)?,
        password_hash: r.get(6)?,
        profile: match serde_json::from_str(&profile) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        },
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
        logins_count: r.get(10)?,
        last_login: r.get(11)?,
    })
}

pub fn load(conn: &Connection, id: &str) -> ApiResult<Option<User>> {
    Ok(conn.query_row(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"), params![id], from_row).optional()?)
}

#[derive(Clone, Copy)]
pub enum Field {
    Username,
    Email,
    Phone,
}

impl Field {
    fn column(self) -> &'static str {
        match self {
            Field::Username => "username",
            Field::Email => "email",
            Field::Phone => "phone",
        }
    }
}

pub fn find_by(conn: &Connection, pool: &str, field: Field, value: &str) -> ApiResult<Option<User>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM users WHERE pool_id = ?1 AND {} = ?2", field.column()),
            params![pool, value],
            from_row,
        )
        .optional()?)
}

/// `account` matches a username, an email or a phone number.
pub fn find_by_account(conn: &Connection, pool: &str, account: &str) -> ApiResult<Option<User>> {
    for f in [Field::Username, Field::Email, Field::Phone] {
        if let Some(u) = find_by(conn, pool, f, account)? {
            return Ok(Some(u));
        }
    }
    Ok(None)
}

pub fn list(conn: &Connection, pool: &str) -> ApiResult<Vec<User>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM users WHERE pool_id = ?1 ORDER BY created_at, id"))?;
    let rows = stmt.query_map(params![pool], from_row)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r?);
    }
    Ok(out)
}

#[derive(Default)]
pub struct NewUser {
    pub username: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub phone_country_code: Option<String>,
    pub password_hash: Option<String>,
    pub profile: Map<String, Value>,
}

pub fn check_unique(conn: &Connection, pool: &str, new: &NewUser) -> ApiResult<()> {
    if let Some(u) = &new.username {
        if find_by(conn, pool, Field::Username, u)?.is_some() {
            return Err(ApiError::conflict("username already exists").with_api_code(2026));
        }
    }
    if let Some(e) = &new.email {
        if find_by(conn, pool, Field::Email, e)?.is_some() {
            return Err(ApiError::conflict("email already exists").with_api_code(2026));
        }
    }
    if let Some(p) = &new.phone {
        if find_by(conn, pool, Field::Phone, p)?.is_some() {
            return Err(ApiError::conflict("phone already exists").with_api_code(2026));
        }
    }
    Ok(())
}

pub fn create(conn: &Connection, pool: &str, new: NewUser) -> ApiResult<User> {
    check_unique(conn, pool, &new)?;
    let id = util::object_id();
    let now = util::now_ms();
    conn.execute(
        "INSERT INTO users (id, pool_id, username, email, phone, phone_country_code, password_hash,
                            profile, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            id,
            pool,
            new.username,
            new.email,
            new.phone,
            new.phone_country_code,
            new.password_hash,
            Value::Object(new.profile).to_string(),
            now
        ],
    )?;
    load(conn, &id)?.ok_or_else(|| ApiError::internal("user vanished after insert"))
}

pub fn record_login(conn: &Connection, id: &str) -> ApiResult<()> {
    conn.execute(
        "UPDATE users SET logins_count = logins_count + 1, last_login = ?2 WHERE id = ?1",
        params![id, util::now_ms()],
    )?;
    Ok(())
}

/// One sign-in attempt as the login history records it.
#[derive(Debug, Clone, Default)]
pub struct LoginAttempt {
    /// `PASSWORD`, `PASSCODE`, `wechat_mini_program_code`, ...
    pub connection: String,
    /// e.g. the `passwordEncryptType` of a password sign-in.
    pub detail: Option<String>,
    /// The account the caller named (username, email or phone), if any.
    pub account: Option<String>,
}

/// Login events kept per user pool (older ones are pruned).
const LOGIN_EVENTS_KEPT: i64 = 10_000;

fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Appends a sign-in attempt (successful or not) to the login history.
/// Failed PASSWORD attempts of a user after `since_ms` and after its last successful login, with
/// the time of the oldest of them (the lock lifts when it leaves the window).
pub fn recent_password_failures(conn: &Connection, user_id: &str, since_ms: i64) -> ApiResult<(u32, i64)> {
    let (count, oldest): (i64, Option<i64>) = conn.query_row(
        "SELECT COUNT(*), MIN(at) FROM login_events
         WHERE user_id = ?1 AND connection = 'PASSWORD' AND success = 0 AND at > ?2
           AND at > COALESCE((SELECT MAX(at) FROM login_events WHERE user_id = ?1 AND success = 1), 0)",
        params![user_id, since_ms],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((u32::try_from(count).unwrap_or(u32::MAX), oldest.unwrap_or(since_ms)))
}

pub fn record_login_event(
    conn: &Connection,
    pool: &str,
    user_id: Option<&str>,
    attempt: &LoginAttempt,
    success: bool,
    message: Option<&str>,
) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO login_events (pool_id, user_id, account, connection, detail, success, message, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            pool,
            user_id,
            attempt.account.as_deref().map(|a| clip(a, 256)),
            clip(&attempt.connection, 64),
            attempt.detail.as_deref().map(|d| clip(d, 64)),
            success,
            message.map(|m| clip(m, 200)),
            util::now_ms()
        ],
    )?;
    conn.execute(
        "DELETE FROM login_events WHERE pool_id = ?1 AND id <=
            (SELECT id FROM login_events WHERE pool_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        params![pool, LOGIN_EVENTS_KEPT],
    )?;
    Ok(())
}

fn login_event_json(r: &Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "at": util::iso8601(r.get::<_, i64>(0)?),
        "userId": r.get::<_, Option<String>>(1)?,
        "account": r.get::<_, Option<String>>(2)?,
        "connection": r.get::<_, String>(3)?,
        "detail": r.get::<_, Option<String>>(4)?,
        "success": r.get::<_, bool>(5)?,
        "message": r.get::<_, Option<String>>(6)?,
    }))
}

const LOGIN_EVENT_COLUMNS: &str = "at, user_id, account, connection, detail, success, message";

/// A user's sign-in attempts, newest first.
pub fn login_history(conn: &Connection, user_id: &str, limit: i64) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LOGIN_EVENT_COLUMNS} FROM login_events WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![user_id, limit], login_event_json)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The pool's sign-in attempts (including those naming no known user), newest first.
pub fn recent_logins(conn: &Connection, pool: &str, limit: i64) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LOGIN_EVENT_COLUMNS} FROM login_events WHERE pool_id = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![pool, limit], login_event_json)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub fn save(conn: &Connection, u: &User) -> ApiResult<()> {
    conn.execute(
        "UPDATE users SET username = ?2, email = ?3, phone = ?4, phone_country_code = ?5,
                password_hash = ?6, profile = ?7, updated_at = ?8 WHERE id = ?1",
        params![
            u.id,
            u.username,
            u.email,
            u.phone,
            u.phone_country_code,
            u.password_hash,
            Value::Object(u.profile.clone()).to_string(),
            util::now_ms()
        ],
    )?;
    Ok(())
}

pub fn identities(conn: &Connection, user_id: &str) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare(
        "SELECT provider, ext_idp_conn, openid, created_at FROM identities WHERE user_id = ?1
         ORDER BY created_at",
    )?;
    let rows = stmt.query_map(params![user_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (provider, conn_id, openid, created) = row?;
        out.push(json!({
            "identityId": util::sha256_hex(&format!("{provider}|{conn_id}|{openid}"))[..24].to_string(),
            "extIdpId": conn_id,
            "provider": provider,
            "type": "openid",
            "userIdInIdp": openid,
            "originConnIds": [conn_id],
            "createdAt": util::iso8601(created),
        }));
    }
    Ok(out)
}

pub fn find_identity(
    conn: &Connection,
    pool: &str,
    provider: &str,
    ext_idp_conn: &str,
    openid: &str,
) -> ApiResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT user_id FROM identities
             WHERE pool_id = ?1 AND provider = ?2 AND ext_idp_conn = ?3 AND openid = ?4",
            params![pool, provider, ext_idp_conn, openid],
            |r| r.get(0),
        )
        .optional()?)
}

/// Whether the user has an identity of this provider and source.
pub fn has_identity_of(conn: &Connection, user_id: &str, provider: &str, ext_idp_conn: &str) -> ApiResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM identities WHERE user_id = ?1 AND provider = ?2 AND ext_idp_conn = ?3 LIMIT 1",
            params![user_id, provider, ext_idp_conn],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub fn link_identity(
    conn: &Connection,
    pool: &str,
    provider: &str,
    ext_idp_conn: &str,
    openid: &str,
    user_id: &str,
) -> ApiResult<()> {
    conn.execute(
        "INSERT OR IGNORE INTO identities (pool_id, provider, ext_idp_conn, openid, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![pool, provider, ext_idp_conn, openid, user_id, util::now_ms()],
    )?;
    Ok(())
}

/// Profile fields `update-profile` accepts (all strings except `customData`).
pub const PROFILE_FIELDS: &[&str] = &[
    "name",
    "nickname",
    "photo",
    "externalId",
    "birthdate",
    "country",
    "province",
    "city",
    "address",
    "streetAddress",
    "postalCode",
    "gender",
    "givenName",
    "familyName",
    "middleName",
    "preferredUsername",
    "profile",
    "website",
    "zoneinfo",
    "locale",
    "formatted",
    "region",
    "company",
];

pub struct DtoFlags {
    pub with_custom_data: bool,
    pub with_identities: bool,
    pub with_department_ids: bool,
}

pub fn dto(conn: &Connection, u: &User, flags: &DtoFlags) -> ApiResult<Value> {
    let p = |k: &str| u.profile.get(k).cloned().unwrap_or(Value::Null);
    let mut m = Map::new();
    m.insert("userId".into(), json!(u.id));
    m.insert("createdAt".into(), json!(util::iso8601(u.created_at)));
    m.insert("updatedAt".into(), json!(util::iso8601(u.updated_at)));
    m.insert("userPoolId".into(), json!(u.pool_id));
    m.insert("status".into(), json!("Activated"));
    m.insert("username".into(), json!(u.username));
    m.insert("email".into(), json!(u.email));
    m.insert("emailVerified".into(), json!(false));
    m.insert("phone".into(), json!(u.phone));
    m.insert("phoneCountryCode".into(), json!(u.phone_country_code));
    m.insert("phoneVerified".into(), json!(u.phone.is_some()));
    for f in PROFILE_FIELDS {
        m.insert((*f).into(), p(f));
    }
    if m.get("photo").is_none_or(Value::is_null) {
        m.insert("photo".into(), json!(DEFAULT_PHOTO));
    }
    if m.get("gender").is_none_or(Value::is_null) {
        m.insert("gender".into(), json!("U"));
    }
    m.insert("loginsCount".into(), json!(u.logins_count));
    m.insert("lastLogin".into(), json!(u.last_login.map(util::iso8601)));
    m.insert("userSourceType".into(), json!("register"));
    m.insert("passwordLastSetAt".into(), Value::Null);
    if flags.with_identities {
        m.insert("identities".into(), Value::Array(identities(conn, &u.id)?));
    }
    if flags.with_custom_data {
        m.insert("customData".into(), u.profile.get("customData").cloned().unwrap_or_else(|| json!({})));
    }
    if flags.with_department_ids {
        m.insert("departmentIds".into(), json!([]));
    }
    Ok(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(connection: &str, detail: Option<&str>, account: Option<&str>) -> LoginAttempt {
        LoginAttempt {
            connection: connection.into(),
            detail: detail.map(str::to_string),
            account: account.map(str::to_string),
        }
    }

    #[test]
    fn login_history_records_attempts_newest_first() {
        let conn = crate::store::memory_connection();
        let u = create(&conn, "pool", NewUser { username: Some("alice".into()), ..Default::default() }).unwrap();
        let bob = create(&conn, "pool", NewUser { username: Some("bob".into()), ..Default::default() }).unwrap();
        let pw = attempt("PASSWORD", Some("sm2"), Some("alice"));
        record_login_event(
            &conn,
            "pool",
            Some(&u.id),
            &pw,
            false,
            Some("Account not exists or password is incorrect."),
        )
        .unwrap();
        record_login_event(&conn, "pool", Some(&u.id), &pw, true, None).unwrap();
        record_login_event(&conn, "pool", Some(&bob.id), &attempt("PASSCODE", None, Some("13800000000")), true, None)
            .unwrap();
        record_login_event(&conn, "pool", None, &attempt("PASSWORD", None, Some("nobody")), false, Some("x")).unwrap();
        record_login_event(&conn, "other", None, &attempt("PASSWORD", None, Some("elsewhere")), false, None).unwrap();

        let h = login_history(&conn, &u.id, 10).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0]["success"], json!(true));
        assert_eq!(h[0]["connection"], json!("PASSWORD"));
        assert_eq!(h[0]["detail"], json!("sm2"));
        assert_eq!(h[0]["account"], json!("alice"));
        assert_eq!(h[1]["success"], json!(false));
        assert_eq!(h[1]["message"], json!("Account not exists or password is incorrect."));
        assert!(h[0]["at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(login_history(&conn, &u.id, 1).unwrap().len(), 1);

        let all = recent_logins(&conn, "pool", 10).unwrap();
        assert_eq!(all.len(), 4, "other pools are not listed");
        assert_eq!(all[0]["account"], json!("nobody"));
        assert_eq!(all[0]["userId"], Value::Null);
    }

    #[test]
    fn login_history_clips_long_values() {
        let conn = crate::store::memory_connection();
        let long = "密".repeat(300);
        record_login_event(&conn, "pool", None, &attempt("PASSWORD", None, Some(&long)), false, Some(&long)).unwrap();
        let e = &recent_logins(&conn, "pool", 1).unwrap()[0];
        assert!(e["account"].as_str().unwrap().len() <= 256 + '…'.len_utf8());
        assert!(e["message"].as_str().unwrap().len() <= 200 + '…'.len_utf8());
    }
}
