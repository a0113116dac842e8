//! `POST /api/v3/decrypt-wechat-miniprogram-data` and
//! `POST /api/v3/decrypt-douyin-miniprogram-data` (`decryptData`):
//! `{extIdpConnidentifier, encryptedData, iv, code}`, `code` a fresh login
//! code (single use) whose session key encrypted the data (see
//! `crate::open_data`). Malformed `encryptedData` / `iv` are refused before
//! the code is spent. Answers the decrypted object; the watermark's appid
//! must be the mini-program's.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::signin::code_error;
use super::{ok_data, require_pool, respond};
use crate::app::AppState;
use crate::error::ApiError;
use crate::json::{body_bytes, parse_object, req_str, RawBody};
use crate::open_data::{self, OpenDataError};
use crate::platform;

fn data_error(e: OpenDataError) -> ApiError {
    let (errcode, text) = e.describe();
    ApiError::bad_request(format!("{text} (errcode {errcode})")).with_api_code(2002)
}

async fn decrypt(state: AppState, h: HeaderMap, body: RawBody, platform: &'static str) -> Response {
    respond(
        async {
            require_pool(&state, &h)?;
            let m = parse_object(&body_bytes(body)?)?;
            let ident = req_str(&m, "extIdpConnidentifier")?;
            let configured = if platform == platform::TT { &state.cfg.douyin_idp } else { &state.cfg.wechat_idp };
            if ident != configured.as_str() {
                return Err(ApiError::not_found(format!("identity source {ident} not found")).with_api_code(2000));
            }
            let encrypted = req_str(&m, "encryptedData")?;
            let iv = req_str(&m, "iv")?;
            let code = req_str(&m, "code")?.to_string();
            let sealed = open_data::Sealed::parse(encrypted, iv).map_err(data_error)?;
            let spent = code.clone();
            state
                .store
                .tx(move |tx| platform::consume_code(tx, platform, platform::KIND_LOGIN, &spent))
                .await?
                .map_err(|e| code_error("login code", e))?;
            let key = open_data::session_key(&state.secrets.jwt, platform, &code);
            let data = sealed.open(&key).map_err(data_error)?;
            let appid = data.get("watermark").and_then(|w| w.get("appid")).and_then(Value::as_str);
            if appid != Some(platform::app_for(&state, platform).as_str()) {
                return Err(
                    ApiError::bad_request("watermark appid does not match the mini-program").with_api_code(2002)
                );
            }
            Ok(ok_data(Value::Object(data)))
        }
        .await,
    )
}

pub async fn wechat(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    decrypt(state, h, body, platform::WX).await
}

pub async fn douyin(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    decrypt(state, h, body, platform::TT).await
}
