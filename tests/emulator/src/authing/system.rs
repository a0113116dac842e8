//! `GET /api/v3/system`: the password-encryption public keys, top level.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::respond;
use crate::app::AppState;

pub async fn system(State(state): State<AppState>) -> Response {
    respond(
        async {
            let keys = state.keyring().await?;
            Ok(Json(json!({
                "rsa": {"publicKey": keys.rsa_public_pem},
                "sm2": {"publicKey": keys.sm2_public_hex},
                "version": {"server": "miniapp-emulator", "console": "miniapp-emulator", "login": "miniapp-emulator"},
                "publicIps": [],
            }))
            .into_response())
        }
        .await,
    )
}
