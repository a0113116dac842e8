//! `POST /connections/social/wechat-miniprogram/bind` and
//! `POST /connections/social/douyin-miniprogram/bind` (`bindWxByCode`,
//! `bindPlatformByCode`): links the platform identity a fresh login code
//! names to the signed-in user. Body `{code, iv?, encryptedData?, rawData?,
//! extIdpConnidentifier?}` (the identity source defaults to the configured
//! one). Refused with 409 when the identity belongs to another user or the
//! user already has another identity of that source; binding the same one
//! again is a no-op.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::signin::code_error;
use super::token::require_user;
use super::users::{self, DtoFlags};
use super::{ok_data, require_pool, respond};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, opt_str, parse_object, req_str, RawBody};
use crate::platform;

async fn bind(
    state: AppState,
    h: HeaderMap,
    body: RawBody,
    provider: &'static str,
    platform: &'static str,
) -> Response {
    respond(
        async {
            require_pool(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let code = req_str(&m, "code")?.to_string();
            for k in ["iv", "encryptedData", "rawData"] {
                opt_str(&m, k)?;
            }
            let configured = if platform == platform::TT { &state.cfg.douyin_idp } else { &state.cfg.wechat_idp };
            let ident = match opt_str(&m, "extIdpConnidentifier")?.filter(|s| !s.is_empty()) {
                None => configured.clone(),
                Some(i) if i == configured.as_str() => i.to_string(),
                Some(i) => {
                    return Err(ApiError::not_found(format!("identity source {i} not found")).with_api_code(2000))
                }
            };
            let user = require_user(&state, &h).await?;
            let pool = state.cfg.user_pool_id.clone();
            let dto = state
                .store
                .tx(move |tx| -> ApiResult<Result<_, ApiError>> {
                    let openid = match platform::consume_code(tx, platform, platform::KIND_LOGIN, &code)? {
                        Ok(info) => info.subject,
                        Err(e) => return Ok(Err(code_error("login code", e))),
                    };
                    match users::find_identity(tx, &pool, provider, &ident, &openid)? {
                        Some(owner) if owner != user.id => {
                            return Ok(Err(ApiError::conflict(format!(
                                "this {provider} account is already bound to another user"
                            ))
                            .with_api_code(2026)))
                        }
                        Some(_) => {}
                        None => {
                            if users::has_identity_of(tx, &user.id, provider, &ident)? {
                                return Ok(Err(ApiError::conflict(format!(
                                    "the user is already bound to another {provider} account"
                                ))
                                .with_api_code(2026)));
                            }
                            users::link_identity(tx, &pool, provider, &ident, &openid, &user.id)?;
                        }
                    }
                    let flags = DtoFlags { with_custom_data: false, with_identities: true, with_department_ids: false };
                    Ok(Ok(users::dto(tx, &user, &flags)?))
                })
                .await??;
            Ok(ok_data(dto))
        }
        .await,
    )
}

pub async fn bind_wechat(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    bind(state, h, body, "wechat", platform::WX).await
}

pub async fn bind_douyin(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    bind(state, h, body, "douyin", platform::TT).await
}
