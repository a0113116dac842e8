//! Authing v3 emulation: the endpoints the mini-program SDK 5.x calls.
//!
//! Every `/api/v3/*` answer is HTTP 200 with the business status in
//! `statusCode`; errors carry `requestId` (and `apiCode` where Authing
//! defines one). `/oidc/*` errors use the OAuth `{error, error_description}`
//! shape with HTTP 400. `/api/v2/upload` uses the v2 `{code, message, data}`.

mod account;
mod decrypt;
mod email;
mod passcode;
mod password;
mod profile;
mod signin;
mod sms;
mod social;
mod system;
mod token;
mod upload;
pub mod users;
mod verify_token;

pub use email::inbox as email_inbox;
pub use password::hash_password;
pub use sms::inbox as sms_inbox;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};

pub fn router(state: &AppState) -> Router<AppState> {
    let upload_limit = state.cfg.max_upload_bytes + 64 * 1024;
    Router::new()
        .route("/api/v3/system", get(system::system))
        .route("/api/v3/signin", post(signin::signin))
        .route("/api/v3/signin-by-mobile", post(signin::signin_by_mobile))
        .route("/oidc/token", post(token::token))
        .route("/oidc/token/revocation", post(token::revocation))
        .route("/api/v3/send-sms", post(sms::send_sms))
        .route("/api/v3/get-profile", get(profile::get_profile))
        .route("/api/v3/update-profile", post(profile::update_profile))
        .route("/api/v3/update-password", post(profile::update_password))
        .route("/api/v3/get-wechat-miniprogram-phone", post(profile::wechat_phone))
        .route("/api/v3/decrypt-douyin-miniprogram-phone", post(profile::douyin_phone))
        .route("/api/v3/send-email", post(email::send_email))
        .route("/api/v3/bind-email", post(account::bind_email))
        .route("/api/v3/verify-update-email-request", post(account::update_email_request))
        .route("/api/v3/update-email", post(account::update_email))
        .route("/api/v3/bind-phone", post(account::bind_phone))
        .route("/api/v3/verify-update-phone-request", post(account::update_phone_request))
        .route("/api/v3/update-phone", post(account::update_phone))
        .route("/api/v3/verify-delete-account-request", post(account::delete_account_request))
        .route("/api/v3/delete-account", post(account::delete_account))
        .route("/api/v3/decrypt-wechat-miniprogram-data", post(decrypt::wechat))
        .route("/api/v3/decrypt-douyin-miniprogram-data", post(decrypt::douyin))
        .route("/connections/social/wechat-miniprogram/bind", post(social::bind_wechat))
        .route("/connections/social/douyin-miniprogram/bind", post(social::bind_douyin))
        .route("/api/v2/upload", post(upload::upload).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/files/{*key}", get(upload::serve))
}

/// `{"statusCode":200,"message":"","data":…}`
pub fn ok_data(data: Value) -> Response {
    Json(json!({"statusCode": 200, "message": "", "data": data})).into_response()
}

/// `{"statusCode":200,"message":…,"requestId":…}` (no `data`).
pub fn ok_message(message: &str) -> Response {
    Json(json!({
        "statusCode": 200,
        "message": message,
        "requestId": crate::util::request_id()
    }))
    .into_response()
}

/// The v3 error envelope, HTTP 200.
pub fn error_response(e: ApiError) -> Response {
    let mut body = json!({
        "statusCode": e.status,
        "message": e.message,
        "requestId": crate::util::request_id(),
    });
    if let (Some(code), Some(obj)) = (e.api_code, body.as_object_mut()) {
        obj.insert("apiCode".into(), json!(code));
    }
    Json(body).into_response()
}

/// The OAuth error envelope, HTTP 400 (500 for internal faults).
pub fn oidc_error(e: ApiError) -> Response {
    let status = if e.status >= 500 { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::BAD_REQUEST };
    let code = if e.code.starts_with("invalid_") || e.code.starts_with("unsupported_") || e.code == "server_error" {
        e.code.clone()
    } else if e.status >= 500 {
        "server_error".to_string()
    } else {
        "invalid_request".to_string()
    };
    (status, Json(json!({"error": code, "error_description": e.message}))).into_response()
}

pub fn respond(r: ApiResult<Response>) -> Response {
    r.unwrap_or_else(error_response)
}

pub fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// `x-authing-app-id` must name the configured application.
pub fn require_app(state: &AppState, h: &HeaderMap) -> ApiResult<()> {
    match header(h, "x-authing-app-id") {
        None | Some("") => Err(ApiError::bad_request("x-authing-app-id header is required").with_api_code(2000)),
        Some(id) if id == state.cfg.app_id => Ok(()),
        Some(_) => Err(ApiError::not_found("application not found").with_api_code(2000)),
    }
}

/// `x-authing-userpool-id` must name the configured user pool.
pub fn require_pool(state: &AppState, h: &HeaderMap) -> ApiResult<()> {
    match header(h, "x-authing-userpool-id") {
        None | Some("") => Err(ApiError::bad_request("x-authing-userpool-id header is required").with_api_code(2000)),
        Some(id) if id == state.cfg.user_pool_id => Ok(()),
        Some(_) => Err(ApiError::not_found("user pool not found").with_api_code(2000)),
    }
}
