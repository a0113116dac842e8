//! The signed-in user's account: bind an email or a phone (`bind-email`,
//! `bind-phone`), change them in two steps through a verify token
//! (`verify-update-{email,phone}-request` then `update-{email,phone}`), and
//! delete the account (`verify-delete-account-request` then `delete-account`).
//!
//! Pass-code channels: bind email `CHANNEL_BIND_EMAIL`; update email
//! `CHANNEL_UPDATE_EMAIL` (new and old address); bind phone and the new phone
//! of an update `CHANNEL_BIND_PHONE`, the old phone `CHANNEL_UNBIND_PHONE`;
//! delete account `CHANNEL_DELETE_ACCOUNT` (SMS or email). A user who has an
//! email (phone) proves the old one too when changing it.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use rusqlite::{params, Connection};
use serde_json::{json, Map, Value};

use super::email::req_email;
use super::passcode::{self, Recipient, Ticket};
use super::signin::decrypt_password;
use super::token::require_user;
use super::users::{self, Field, User};
use super::verify_token::{self, Purpose};
use super::{ok_data, password, require_pool, respond, sms};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, opt_obj, opt_str, parse_object, req_obj, req_str, RawBody};

/// The pool header, the JSON body and the signed-in user, in that order.
async fn signed_in(state: &AppState, h: &HeaderMap, body: RawBody) -> ApiResult<(Map<String, Value>, User)> {
    require_pool(state, h)?;
    let m = parse_object(&body_bytes(body)?)?;
    let user = require_user(state, h).await?;
    Ok((m, user))
}

fn success() -> Response {
    ok_data(json!({"success": true}))
}

fn gone() -> ApiError {
    ApiError::unauthorized("user no longer exists").with_api_code(2020)
}

fn taken(what: &str) -> ApiError {
    ApiError::conflict(format!("{what} is already bound to another user")).with_api_code(2026)
}

/// Refuses `value` for `field` when another user of the pool holds it.
fn check_free(conn: &Connection, pool: &str, me: &str, field: Field, value: &str, what: &str) -> ApiResult<()> {
    match users::find_by(conn, pool, field, value)? {
        Some(other) if other.id != me => Err(taken(what)),
        _ => Ok(()),
    }
}

fn phone_arg(m: &Map<String, Value>, key: &str) -> ApiResult<String> {
    let p = req_str(m, key)?;
    if !sms::valid_phone(p) {
        return Err(ApiError::bad_request(format!("{key} must be 5..20 digits")).with_api_code(2001));
    }
    Ok(p.to_string())
}

fn country_arg(m: &Map<String, Value>, key: &str) -> ApiResult<String> {
    let cc = opt_str(m, key)?.filter(|s| !s.is_empty()).unwrap_or("+86");
    if !sms::valid_country_code(cc) {
        return Err(ApiError::bad_request(format!("{key} must look like +86")));
    }
    Ok(cc.to_string())
}

/// One pass code a request presents: where it was sent, its channel, the code.
struct Proof {
    to: Address,
    channel: &'static str,
    code: String,
}

enum Address {
    Phone(String, String),
    Email(String),
}

impl Proof {
    fn phone(phone: String, cc: String, channel: &'static str, code: &str) -> Self {
        Proof { to: Address::Phone(phone, cc), channel, code: code.to_string() }
    }
    fn email(email: &str, channel: &'static str, code: &str) -> Self {
        Proof { to: Address::Email(email.to_string()), channel, code: code.to_string() }
    }
}

/// Checks every proof; spends them only if all pass. `Ok(Err(_))`: a failed
/// check whose attempt counter must still be committed.
fn verify_all(conn: &Connection, pool: &str, proofs: &[Proof]) -> ApiResult<Result<(), ApiError>> {
    let mut tickets: Vec<Ticket> = Vec::new();
    for p in proofs {
        let to = match &p.to {
            Address::Phone(phone, cc) => Recipient::Phone { phone, country_code: cc },
            Address::Email(e) => Recipient::Email(e),
        };
        match passcode::check(conn, pool, &to, p.channel, &p.code)? {
            Ok(t) => tickets.push(t),
            Err(e) => return Ok(Err(e)),
        }
    }
    for t in tickets {
        t.spend(conn)?;
    }
    Ok(Ok(()))
}

/// Binds the address `proof_of` reads from the body (its code checked) to the
/// signed-in user, who has none of that kind yet.
async fn bind(
    state: AppState,
    h: HeaderMap,
    body: RawBody,
    proof_of: fn(&Map<String, Value>) -> ApiResult<Proof>,
) -> Response {
    respond(
        async {
            let (m, user) = signed_in(&state, &h, body).await?;
            let proof = proof_of(&m)?;
            let pool = state.cfg.user_pool_id.clone();
            state
                .store
                .tx(move |tx| {
                    let mut u = users::load(tx, &user.id)?.ok_or_else(gone)?;
                    let (field, what, value, has) = match &proof.to {
                        Address::Email(e) => (Field::Email, "email", e.clone(), u.email.is_some()),
                        Address::Phone(p, _) => (Field::Phone, "phone", p.clone(), u.phone.is_some()),
                    };
                    if has {
                        return Ok(Err(ApiError::bad_request(format!(
                            "the user already has a {what}; change it with verify-update-{what}-request"
                        ))
                        .with_api_code(2001)));
                    }
                    check_free(tx, &pool, &u.id, field, &value, what)?;
                    if let Err(e) = verify_all(tx, &pool, std::slice::from_ref(&proof))? {
                        return Ok(Err(e));
                    }
                    match proof.to {
                        Address::Email(e) => u.email = Some(e),
                        Address::Phone(p, cc) => {
                            u.phone = Some(p);
                            u.phone_country_code = Some(cc);
                        }
                    }
                    users::save(tx, &u)?;
                    Ok(Ok(()))
                })
                .await??;
            Ok(success())
        }
        .await,
    )
}

/// `POST /api/v3/bind-email` `{email, passCode}`.
pub async fn bind_email(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    bind(state, h, body, |m| Ok(Proof::email(req_email(m, "email")?, "CHANNEL_BIND_EMAIL", req_str(m, "passCode")?)))
        .await
}

/// `POST /api/v3/bind-phone` `{phoneNumber, passCode, phoneCountryCode?}`.
pub async fn bind_phone(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    bind(state, h, body, |m| {
        let (phone, cc) = (phone_arg(m, "phoneNumber")?, country_arg(m, "phoneCountryCode")?);
        Ok(Proof::phone(phone, cc, "CHANNEL_BIND_PHONE", req_str(m, "passCode")?))
    })
    .await
}

fn require_method(m: &Map<String, Value>, allowed: &[&str]) -> ApiResult<String> {
    let v = req_str(m, "verifyMethod")?;
    if !allowed.contains(&v) {
        return Err(ApiError::bad_request(format!("verifyMethod must be {}", allowed.join(" or "))));
    }
    Ok(v.to_string())
}

/// Runs the proofs and issues a verify token carrying `payload`.
async fn issue_token(
    state: &AppState,
    user: User,
    purpose: Purpose,
    payload: Value,
    proofs: Vec<Proof>,
    check: impl FnOnce(&Connection, &str, &User) -> ApiResult<()> + Send + 'static,
) -> ApiResult<(String, i64)> {
    let pool = state.cfg.user_pool_id.clone();
    let ttl = state.cfg.verify_token_ttl_ms;
    state
        .store
        .tx(move |tx| {
            let u = users::load(tx, &user.id)?.ok_or_else(gone)?;
            check(tx, &pool, &u)?;
            if let Err(e) = verify_all(tx, &pool, &proofs)? {
                return Ok(Err(e));
            }
            verify_token::issue(tx, &pool, &u.id, purpose, &payload, ttl).map(Ok)
        })
        .await?
}

/// `POST /api/v3/verify-update-email-request`
/// `{verifyMethod:"EMAIL_PASSCODE", emailPassCodePayload:{newEmail, newEmailPassCode, oldEmail?, oldEmailPassCode?}}`.
pub async fn update_email_request(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            let (m, user) = signed_in(&state, &h, body).await?;
            require_method(&m, &["EMAIL_PASSCODE"])?;
            let p = req_obj(&m, "emailPassCodePayload")?;
            let new_email = req_email(p, "newEmail")?.to_string();
            let mut proofs = vec![Proof::email(&new_email, "CHANNEL_UPDATE_EMAIL", req_str(p, "newEmailPassCode")?)];
            if let Some(current) = &user.email {
                let old = req_email(p, "oldEmail")?;
                if old != current {
                    return Err(ApiError::bad_request("oldEmail is not the user's email").with_api_code(2001));
                }
                proofs.push(Proof::email(old, "CHANNEL_UPDATE_EMAIL", req_str(p, "oldEmailPassCode")?));
            }
            if user.email.as_deref() == Some(new_email.as_str()) {
                return Err(ApiError::bad_request("newEmail is the user's current email").with_api_code(2001));
            }
            let payload = json!({"email": new_email});
            let check = move |tx: &Connection, pool: &str, u: &User| {
                check_free(tx, pool, &u.id, Field::Email, &new_email, "email")
            };
            let (token, secs) = issue_token(&state, user, Purpose::UpdateEmail, payload, proofs, check).await?;
            Ok(ok_data(json!({"updateEmailToken": token, "tokenExpiresIn": secs})))
        }
        .await,
    )
}

/// `POST /api/v3/verify-update-phone-request`
/// `{verifyMethod:"PHONE_PASSCODE", phonePassCodePayload:{newPhoneNumber, newPhonePassCode, newPhoneCountryCode?, old…?}}`.
pub async fn update_phone_request(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            let (m, user) = signed_in(&state, &h, body).await?;
            require_method(&m, &["PHONE_PASSCODE"])?;
            let p = req_obj(&m, "phonePassCodePayload")?;
            let new_phone = phone_arg(p, "newPhoneNumber")?;
            let new_cc = country_arg(p, "newPhoneCountryCode")?;
            let mut proofs = vec![Proof::phone(
                new_phone.clone(),
                new_cc.clone(),
                "CHANNEL_BIND_PHONE",
                req_str(p, "newPhonePassCode")?,
            )];
            if let Some(current) = &user.phone {
                let old = phone_arg(p, "oldPhoneNumber")?;
                if &old != current {
                    return Err(ApiError::bad_request("oldPhoneNumber is not the user's phone").with_api_code(2001));
                }
                let old_cc = country_arg(p, "oldPhoneCountryCode")?;
                proofs.push(Proof::phone(old, old_cc, "CHANNEL_UNBIND_PHONE", req_str(p, "oldPhonePassCode")?));
            }
            if user.phone.as_deref() == Some(new_phone.as_str()) {
                return Err(ApiError::bad_request("newPhoneNumber is the user's current phone").with_api_code(2001));
            }
            let payload = json!({"phone": new_phone, "phoneCountryCode": new_cc});
            let check = move |tx: &Connection, pool: &str, u: &User| {
                check_free(tx, pool, &u.id, Field::Phone, &new_phone, "phone")
            };
            let (token, secs) = issue_token(&state, user, Purpose::UpdatePhone, payload, proofs, check).await?;
            Ok(ok_data(json!({"updatePhoneToken": token, "tokenExpiresIn": secs})))
        }
        .await,
    )
}

/// Applies a verify token: `apply` changes the user from the token's payload.
async fn redeem(
    state: &AppState,
    h: &HeaderMap,
    body: RawBody,
    purpose: Purpose,
    apply: impl FnOnce(&Connection, &str, User, Value) -> ApiResult<()> + Send + 'static,
) -> ApiResult<Response> {
    let (m, user) = signed_in(state, h, body).await?;
    let token = req_str(&m, purpose.field())?.to_string();
    let pool = state.cfg.user_pool_id.clone();
    state
        .store
        .tx(move |tx| {
            let payload = verify_token::consume(tx, &pool, &user.id, purpose, &token)?;
            let u = users::load(tx, &user.id)?.ok_or_else(gone)?;
            apply(tx, &pool, u, payload)
        })
        .await?;
    Ok(success())
}

fn payload_str(payload: &Value, key: &str) -> ApiResult<String> {
    payload.get(key).and_then(Value::as_str).map(str::to_string).ok_or_else(|| ApiError::internal("bad verify token"))
}

/// `POST /api/v3/update-email` `{updateEmailToken}`.
pub async fn update_email(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        redeem(&state, &h, body, Purpose::UpdateEmail, |tx, pool, mut u, payload| {
            let email = payload_str(&payload, "email")?;
            check_free(tx, pool, &u.id, Field::Email, &email, "email")?;
            u.email = Some(email);
            users::save(tx, &u)
        })
        .await,
    )
}

/// `POST /api/v3/update-phone` `{updatePhoneToken}`.
pub async fn update_phone(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        redeem(&state, &h, body, Purpose::UpdatePhone, |tx, pool, mut u, payload| {
            let phone = payload_str(&payload, "phone")?;
            check_free(tx, pool, &u.id, Field::Phone, &phone, "phone")?;
            u.phone = Some(phone);
            u.phone_country_code = Some(payload_str(&payload, "phoneCountryCode")?);
            users::save(tx, &u)
        })
        .await,
    )
}

/// `POST /api/v3/verify-delete-account-request` `{verifyMethod, phonePassCodePayload? |
/// emailPassCodePayload? | passwordPayload?}`; the password is decrypted per
/// `passwordPayload.passwordEncryptType` as at sign-in.
pub async fn delete_account_request(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(
        async {
            let (m, user) = signed_in(&state, &h, body).await?;
            let method = require_method(&m, &["PHONE_PASSCODE", "EMAIL_PASSCODE", "PASSWORD"])?;
            let not_yours = |what: &str| ApiError::bad_request(format!("{what} is not the user's")).with_api_code(2001);
            let proofs = match method.as_str() {
                "PHONE_PASSCODE" => {
                    let p = req_obj(&m, "phonePassCodePayload")?;
                    let phone = phone_arg(p, "phoneNumber")?;
                    if user.phone.as_deref() != Some(phone.as_str()) {
                        return Err(not_yours("phoneNumber"));
                    }
                    let cc = country_arg(p, "phoneCountryCode")?;
                    vec![Proof::phone(phone, cc, "CHANNEL_DELETE_ACCOUNT", req_str(p, "passCode")?)]
                }
                "EMAIL_PASSCODE" => {
                    let p = req_obj(&m, "emailPassCodePayload")?;
                    let email = req_email(p, "email")?;
                    if user.email.as_deref() != Some(email) {
                        return Err(not_yours("email"));
                    }
                    vec![Proof::email(email, "CHANNEL_DELETE_ACCOUNT", req_str(p, "passCode")?)]
                }
                _ => {
                    let p = req_obj(&m, "passwordPayload")?;
                    let sent = req_str(p, "password")?;
                    let encrypt_type = opt_str(p, "passwordEncryptType")?
                        .or(opt_obj(&m, "options")?.map(|o| opt_str(o, "passwordEncryptType")).transpose()?.flatten());
                    let plain = decrypt_password(&state, encrypt_type, sent).await?;
                    let ok = match user.password_hash.clone() {
                        Some(hash) => password::verify_password(hash, plain).await,
                        None => false,
                    };
                    if !ok {
                        return Err(ApiError::forbidden("密码不正确").with_api_code(2006));
                    }
                    Vec::new()
                }
            };
            let (token, secs) =
                issue_token(&state, user, Purpose::DeleteAccount, json!({}), proofs, |_, _, _| Ok(())).await?;
            Ok(ok_data(json!({"deleteAccountToken": token, "tokenExpiresIn": secs})))
        }
        .await,
    )
}

/// `POST /api/v3/delete-account` `{deleteAccountToken}`: the user, its
/// identities, access and refresh tokens and verify tokens are removed (its
/// login history stays, no longer naming the user).
pub async fn delete_account(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    respond(redeem(&state, &h, body, Purpose::DeleteAccount, |tx, _, u, _| remove_user(tx, &u.id)).await)
}

pub fn remove_user(conn: &Connection, id: &str) -> ApiResult<()> {
    for sql in [
        "DELETE FROM identities WHERE user_id = ?1",
        "DELETE FROM access_tokens WHERE user_id = ?1",
        "DELETE FROM refresh_tokens WHERE user_id = ?1",
        "DELETE FROM verify_tokens WHERE user_id = ?1",
        "UPDATE login_events SET user_id = NULL WHERE user_id = ?1",
        "DELETE FROM users WHERE id = ?1",
    ] {
        conn.execute(sql, params![id])?;
    }
    Ok(())
}
