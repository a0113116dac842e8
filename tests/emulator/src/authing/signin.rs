//! `POST /api/v3/signin` (PASSWORD, PASSCODE) and
//! `POST /api/v3/signin-by-mobile` (WeChat / Douyin mini-program codes).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value};

use super::token::{self, TokenContext};
use super::users::{self, Field, LoginAttempt, NewUser, User};
use super::{email, ok_data, password, require_app, respond, sms};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, opt_bool, opt_obj, opt_str, parse_object, req_obj, req_str, RawBody};
use crate::platform::{self, CodeError};

fn locked(retry_secs: i64) -> ApiError {
    ApiError::forbidden(format!(
        "Account is locked after too many wrong passwords, try again in {retry_secs} s or sign in another way."
    ))
    .with_api_code(2005)
}

fn wrong_credentials() -> ApiError {
    ApiError::forbidden("Account not exists or password is incorrect.").with_api_code(2333)
}

struct LoginOptions {
    scope: String,
    auto_register: bool,
    encrypt_type: Option<String>,
}

fn login_options(m: &Map<String, Value>) -> ApiResult<LoginOptions> {
    let Some(o) = opt_obj(m, "options")? else {
        return Ok(LoginOptions { scope: token::normalise_scope(None)?, auto_register: false, encrypt_type: None });
    };
    Ok(LoginOptions {
        scope: token::normalise_scope(opt_str(o, "scope")?)?,
        auto_register: opt_bool(o, "autoRegister")?.unwrap_or(false),
        encrypt_type: opt_str(o, "passwordEncryptType")?.map(str::to_string),
    })
}

/// Decrypts a password according to `passwordEncryptType` (none/rsa/sm2).
pub async fn decrypt_password(state: &AppState, encrypt_type: Option<&str>, value: &str) -> ApiResult<String> {
    let failed = || ApiError::bad_request("password decryption failed").with_api_code(2003);
    match encrypt_type {
        None | Some("none") | Some("") => Ok(value.to_string()),
        Some("rsa") => state.keyring().await?.rsa_decrypt(value).ok_or_else(failed),
        Some("sm2") => state.keyring().await?.sm2_decrypt(value).ok_or_else(failed),
        Some(_) => Err(ApiError::bad_request("passwordEncryptType must be one of none, rsa, sm2")),
    }
}

pub async fn signin(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            require_app(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let opts = login_options(&m)?;
            let connection = req_str(&m, "connection")?;
            let attempt = attempt_of(&m, connection, &opts);
            let result = match connection {
                "PASSWORD" => password_login(&state, &m, opts, &attempt).await,
                "PASSCODE" => passcode_login(&state, &m, opts, &attempt).await,
                _ => return Err(ApiError::bad_request("connection must be PASSWORD or PASSCODE")),
            };
            match result {
                Ok(tokens) => Ok(ok_data(tokens)),
                Err(e) => {
                    record_failure(&state, attempt, &e).await;
                    Err(e)
                }
            }
        }
        .await,
    )
}

/// What the login history records of a sign-in request (read leniently: a
/// malformed field is reported by the handler itself).
fn attempt_of(m: &Map<String, Value>, connection: &str, opts: &LoginOptions) -> LoginAttempt {
    let first_str = |payload: &str, keys: &[&str]| -> Option<String> {
        let p = m.get(payload)?.as_object()?;
        keys.iter().find_map(|k| p.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string))
    };
    match connection {
        "PASSWORD" => LoginAttempt {
            connection: connection.into(),
            detail: Some(opts.encrypt_type.clone().filter(|t| !t.is_empty()).unwrap_or_else(|| "none".into())),
            account: first_str("passwordPayload", &["account", "username", "email", "phone"]),
        },
        "PASSCODE" => LoginAttempt {
            connection: connection.into(),
            detail: None,
            account: first_str("passCodePayload", &["phone", "email"]),
        },
        other => LoginAttempt {
            connection: other.chars().take(64).collect(),
            detail: m.get("extIdpConnidentifier").and_then(Value::as_str).map(|s| s.chars().take(64).collect()),
            account: None,
        },
    }
}

/// Records a failed sign-in in the login history (best effort: the
/// caller's error is what the client gets either way).
async fn record_failure(state: &AppState, attempt: LoginAttempt, err: &ApiError) {
    let pool = state.cfg.user_pool_id.clone();
    let message = err.message.clone();
    let recorded = state
        .store
        .tx(move |tx| {
            let user = match &attempt.account {
                Some(a) => users::find_by_account(tx, &pool, a)?,
                None => None,
            };
            users::record_login_event(tx, &pool, user.as_ref().map(|u| u.id.as_str()), &attempt, false, Some(&message))
        })
        .await;
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "could not record a failed sign-in");
    }
}

fn classify_account(account: &str) -> Field {
    if account.contains('@') {
        Field::Email
    } else if account.len() >= 5 && account.bytes().all(|c| c.is_ascii_digit()) {
        Field::Phone
    } else {
        Field::Username
    }
}

async fn password_login(
    state: &AppState,
    m: &Map<String, Value>,
    opts: LoginOptions,
    attempt: &LoginAttempt,
) -> ApiResult<Value> {
    let payload = req_obj(m, "passwordPayload")?;
    let sent = req_str(payload, "password")?;
    let lookup: (Option<Field>, String) = if let Some(a) = opt_str(payload, "account")? {
        (None, a.to_string())
    } else if let Some(u) = opt_str(payload, "username")? {
        (Some(Field::Username), u.to_string())
    } else if let Some(e) = opt_str(payload, "email")? {
        (Some(Field::Email), e.to_string())
    } else if let Some(p) = opt_str(payload, "phone")? {
        (Some(Field::Phone), p.to_string())
    } else {
        return Err(ApiError::bad_request("passwordPayload needs one of account, username, email, phone"));
    };
    if lookup.1.is_empty() || lookup.1.len() > 256 {
        return Err(ApiError::bad_request("account must be 1..256 characters"));
    }
    let plain = decrypt_password(state, opts.encrypt_type.as_deref(), sent).await?;
    let pool = state.cfg.user_pool_id.clone();
    let (field, value) = lookup.clone();
    let found = state
        .store
        .call(move |conn| match field {
            None => users::find_by_account(conn, &pool, &value),
            Some(f) => users::find_by(conn, &pool, f, &value),
        })
        .await?;
    let user = match found {
        Some(u) => {
            let Some(hash) = u.password_hash.clone() else {
                return Err(wrong_credentials());
            };
            check_not_locked(state, &u.id).await?;
            if !password::verify_password(hash, plain).await {
                return Err(wrong_credentials());
            }
            u
        }
        None if opts.auto_register => {
            password::check_new_password(&plain)?;
            let hash = password::hash_password(plain).await?;
            let (field, value) = lookup;
            let field = field.unwrap_or_else(|| classify_account(&value));
            let mut new = NewUser { password_hash: Some(hash), ..Default::default() };
            match field {
                Field::Username => new.username = Some(value),
                Field::Email => new.email = Some(value),
                Field::Phone => {
                    new.phone = Some(value);
                    new.phone_country_code = Some("+86".into());
                }
            }
            let pool = state.cfg.user_pool_id.clone();
            state.store.tx(move |tx| users::create(tx, &pool, new)).await?
        }
        None => return Err(wrong_credentials()),
    };
    finish_login(state, user, opts.scope, attempt.clone()).await
}

/// Brute-force throttle: refuses password logins of an account with `login_fail_limit` failed
/// password attempts since its last successful login within the last `login_lock_ms`.
async fn check_not_locked(state: &AppState, user_id: &str) -> ApiResult<()> {
    let limit = state.cfg.login_fail_limit;
    if limit == 0 {
        return Ok(());
    }
    let window = state.cfg.login_lock_ms;
    let since = crate::util::now_ms().saturating_sub(window);
    let id = user_id.to_string();
    let (failures, oldest) = state.store.call(move |conn| users::recent_password_failures(conn, &id, since)).await?;
    if failures >= limit {
        let retry_ms = oldest.saturating_add(window).saturating_sub(crate::util::now_ms()).max(1000);
        return Err(locked((retry_ms + 999) / 1000));
    }
    Ok(())
}

/// Records the login (count, last login, history) and issues tokens.
async fn finish_login(state: &AppState, user: User, scope: String, attempt: LoginAttempt) -> ApiResult<Value> {
    let st = state.clone();
    let iss = token::issuer(state);
    let pool = state.cfg.user_pool_id.clone();
    state
        .store
        .tx(move |tx| {
            users::record_login(tx, &user.id)?;
            users::record_login_event(tx, &pool, Some(&user.id), &attempt, true, None)?;
            let fresh = users::load(tx, &user.id)?.unwrap_or(user);
            token::issue(tx, &TokenContext::new(&st, &iss), &fresh, &scope, None)
        })
        .await
}

enum PassCodeLogin {
    Phone(String, String),
    Email(String),
}

async fn passcode_login(
    state: &AppState,
    m: &Map<String, Value>,
    opts: LoginOptions,
    attempt: &LoginAttempt,
) -> ApiResult<Value> {
    let payload = req_obj(m, "passCodePayload")?;
    let code = req_str(payload, "passCode")?.to_string();
    let by = match (opt_str(payload, "phone")?.filter(|p| !p.is_empty()), opt_str(payload, "email")?) {
        (Some(p), _) => {
            let cc = opt_str(payload, "phoneCountryCode")?.filter(|s| !s.is_empty()).unwrap_or("+86").to_string();
            PassCodeLogin::Phone(p.to_string(), cc)
        }
        (None, Some(e)) if !e.is_empty() => PassCodeLogin::Email(e.to_string()),
        _ => return Err(ApiError::bad_request("passCodePayload needs phone or email")),
    };
    let pool = state.cfg.user_pool_id.clone();
    let auto_register = opts.auto_register;
    let outcome = state
        .store
        .tx(move |tx| {
            let (verified, field, value) = match &by {
                PassCodeLogin::Phone(phone, cc) => {
                    (sms::consume_code(tx, &pool, phone, cc, "CHANNEL_LOGIN", &code)?, Field::Phone, phone)
                }
                PassCodeLogin::Email(e) => {
                    (email::consume_code(tx, &pool, e, "CHANNEL_LOGIN", &code)?, Field::Email, e)
                }
            };
            if let Err(e) = verified {
                return Ok(Err(e));
            }
            match users::find_by(tx, &pool, field, value)? {
                Some(u) => Ok(Ok(u)),
                None if auto_register => {
                    let new = match by {
                        PassCodeLogin::Phone(phone, cc) => {
                            NewUser { phone: Some(phone), phone_country_code: Some(cc), ..Default::default() }
                        }
                        PassCodeLogin::Email(e) => NewUser { email: Some(e), ..Default::default() },
                    };
                    Ok(Ok(users::create(tx, &pool, new)?))
                }
                None => Ok(Err(ApiError::forbidden("用户不存在").with_api_code(2004))),
            }
        })
        .await?;
    finish_login(state, outcome?, opts.scope, attempt.clone()).await
}

pub fn code_error(which: &str, e: CodeError) -> ApiError {
    let (errcode, text) = e.describe();
    ApiError::bad_request(format!("{which}: {text} (errcode {errcode})")).with_api_code(2002)
}

struct MobileRequest {
    provider: &'static str,
    platform: &'static str,
    login_code: String,
    phone_code: Option<String>,
}

fn code_of(o: &Map<String, Value>, key: &str) -> ApiResult<String> {
    Ok(req_str(o, key)?.to_string())
}

fn parse_mobile(state: &AppState, m: &Map<String, Value>) -> ApiResult<MobileRequest> {
    let connection = req_str(m, "connection")?;
    let ident = req_str(m, "extIdpConnidentifier")?;
    let (provider, platform, expected) = match connection {
        "wechat_mini_program_code" | "wechat_mini_program_code_and_phone" => {
            ("wechat", platform::WX, &state.cfg.wechat_idp)
        }
        "douyin_mini_program_code" | "douyin_mini_program_code_and_phone" => {
            ("douyin", platform::TT, &state.cfg.douyin_idp)
        }
        _ => {
            return Err(ApiError::bad_request(
                "connection must be one of wechat_mini_program_code, wechat_mini_program_code_and_phone, douyin_mini_program_code, douyin_mini_program_code_and_phone",
            ))
        }
    };
    if ident != expected.as_str() {
        return Err(
            ApiError::not_found(format!("identity source {ident} not found for {connection}")).with_api_code(2000)
        );
    }
    let (login_code, phone_code) = match connection {
        "wechat_mini_program_code" => (code_of(req_obj(m, "wechatMiniProgramCodePayload")?, "code")?, None),
        "wechat_mini_program_code_and_phone" => {
            let p = req_obj(m, "wechatMiniProgramCodeAndPhonePayload")?;
            (code_of(req_obj(p, "wxLoginInfo")?, "code")?, Some(code_of(req_obj(p, "wxPhoneInfo")?, "code")?))
        }
        "douyin_mini_program_code" => (code_of(req_obj(m, "douyinMiniProgramCodePayload")?, "code")?, None),
        _ => {
            let p = req_obj(m, "douyinMiniProgramCodeAndPhonePayload")?;
            (code_of(req_obj(p, "loginParams")?, "code")?, Some(code_of(req_obj(p, "phoneParams")?, "encryptedData")?))
        }
    };
    Ok(MobileRequest { provider, platform, login_code, phone_code })
}

pub async fn signin_by_mobile(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            require_app(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let opts = login_options(&m)?;
            let req = parse_mobile(&state, &m)?;
            let ident = req_str(&m, "extIdpConnidentifier")?.to_string();
            let attempt = attempt_of(&m, req_str(&m, "connection")?, &opts);
            match mobile_login(&state, req, ident, opts, attempt.clone()).await {
                Ok(tokens) => Ok(ok_data(tokens)),
                Err(e) => {
                    record_failure(&state, attempt, &e).await;
                    Err(e)
                }
            }
        }
        .await,
    )
}

async fn mobile_login(
    state: &AppState,
    req: MobileRequest,
    ident: String,
    opts: LoginOptions,
    attempt: LoginAttempt,
) -> ApiResult<Value> {
    let pool = state.cfg.user_pool_id.clone();
    let user = state
        .store
        .tx(move |tx| {
            let openid = match platform::consume_code(tx, req.platform, platform::KIND_LOGIN, &req.login_code)? {
                Ok(info) => info.subject,
                Err(e) => return Ok(Err(code_error("login code", e))),
            };
            let phone = match &req.phone_code {
                None => None,
                Some(c) => match platform::consume_code(tx, req.platform, platform::KIND_PHONE, c)? {
                    Ok(info) => info.phone,
                    Err(e) => return Ok(Err(code_error("phone code", e))),
                },
            };
            resolve_mobile_user(tx, &pool, req.provider, &ident, &openid, phone).map(Ok)
        })
        .await??;
    finish_login(state, user, opts.scope, attempt).await
}

fn resolve_mobile_user(
    conn: &rusqlite::Connection,
    pool: &str,
    provider: &str,
    ident: &str,
    openid: &str,
    phone: Option<String>,
) -> ApiResult<User> {
    if let Some(uid) = users::find_identity(conn, pool, provider, ident, openid)? {
        if let Some(mut u) = users::load(conn, &uid)? {
            if let (None, Some(p)) = (&u.phone, &phone) {
                if users::find_by(conn, pool, Field::Phone, p)?.is_none() {
                    u.phone = Some(p.clone());
                    u.phone_country_code = Some("+86".into());
                    users::save(conn, &u)?;
                }
            }
            return Ok(u);
        }
    }
    if let Some(p) = &phone {
        if let Some(u) = users::find_by(conn, pool, Field::Phone, p)? {
            users::link_identity(conn, pool, provider, ident, openid, &u.id)?;
            return Ok(u);
        }
    }
    let u = users::create(
        conn,
        pool,
        NewUser { phone_country_code: phone.as_ref().map(|_| "+86".to_string()), phone, ..Default::default() },
    )?;
    users::link_identity(conn, pool, provider, ident, openid, &u.id)?;
    Ok(u)
}
