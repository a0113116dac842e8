//! MPServerless gateway emulation: `POST /client` with the signed JSON
//! envelope (reference §2-3), always HTTP 200 with `{success, data}` or
//! `{success:false, error:{code, message}}` and a `request-id` header.

mod aggregate;
pub mod db;
pub mod docstore;
mod file;
pub mod function;
mod query;
mod session;
mod sign;
pub mod tx;
mod update;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, opt_str, parse_object, req_str, RawBody};
use crate::util;

pub fn router(state: &AppState) -> Router<AppState> {
    let upload_limit = state.cfg.max_upload_bytes + 64 * 1024;
    Router::new()
        .route("/client", post(client))
        .route("/__oss", post(file::oss_upload).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/__oss/", post(file::oss_upload).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/__oss/{*path}", get(file::oss_get))
}

/// The gateway's failure envelope (HTTP 200) with a fresh request id, in the body's `requestId`
/// and the `request-id` header, as the real gateway answers.
pub fn error_response(e: ApiError) -> Response {
    let rid = util::request_id();
    with_request_id(error_envelope(e, &rid), &rid)
}

/// `{"success":false,"error":{"code","message"},"requestId"}`.
fn error_envelope(e: ApiError, rid: &str) -> Response {
    Json(json!({"success": false, "error": {"code": e.code, "message": e.message}, "requestId": rid})).into_response()
}

fn with_request_id(mut resp: Response, rid: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(rid) {
        resp.headers_mut().insert("request-id", v);
    }
    resp
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

pub async fn client(State(state): State<AppState>, h: HeaderMap, body: RawBody) -> Response {
    let rid = util::request_id();
    let resp = match handle(&state, &h, body, &rid).await {
        Ok(data) => Json(json!({"success": true, "data": data})).into_response(),
        Err(e) => {
            if e.status >= 500 {
                tracing::warn!(code = %e.code, "gateway request failed");
            }
            error_envelope(e, &rid)
        }
    };
    with_request_id(resp, &rid)
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidParameter", msg)
}

async fn handle(state: &AppState, h: &HeaderMap, body: RawBody, rid: &str) -> ApiResult<Value> {
    let m = parse_object(&body_bytes(body)?)?;
    let space_id = req_str(&m, "spaceId")?;
    let method = req_str(&m, "method")?;
    let timestamp = match m.get("timestamp") {
        Some(Value::Number(n)) => {
            n.as_i64().filter(|t| *t > 0).ok_or_else(|| invalid("timestamp must be a positive integer (ms)"))?
        }
        None | Some(Value::Null) => return Err(invalid("timestamp is required")),
        Some(_) => return Err(invalid("timestamp must be a positive integer (ms)")),
    };
    let params_raw = match m.get("params") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(invalid("params must be a JSON-encoded string")),
    };
    let token = opt_str(&m, "token")?;
    let user_id = opt_str(&m, "userId")?;
    if space_id != state.cfg.space_id {
        return Err(ApiError::new(404, "InvalidParameter.SpaceNotFound", format!("space {space_id} does not exist")));
    }
    let signature = header(h, "x-serverless-sign").unwrap_or("");
    if signature.is_empty() {
        return Err(ApiError::new(
            403,
            "InvalidParameter.SignatureDoesNotMatch",
            "x-serverless-sign header is required",
        ));
    }
    let fields = sign::Fields { method, params: params_raw, space_id, timestamp, token, user_id };
    if !sign::verify(&state.cfg.client_secret, &fields, signature) {
        return Err(ApiError::new(
            403,
            "InvalidParameter.SignatureDoesNotMatch",
            "the request signature does not match",
        ));
    }
    let skew = (util::now_ms() - timestamp).abs();
    if skew > state.cfg.timestamp_window_ms {
        return Err(ApiError::new(
            403,
            "InvalidParameter.TimestampExpired",
            "timestamp is outside the accepted window; check the device clock",
        ));
    }
    let params: Map<String, Value> = match params_raw {
        None => Map::new(),
        Some(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(o)) => o,
            Ok(_) => return Err(invalid("params must encode a JSON object")),
            Err(e) => return Err(invalid(format!("params is not valid JSON: {e}"))),
        },
    };

    match method {
        "serverless.auth.user.anonymousAuthorize" => return session::anonymous(state, &params).await,
        "serverless.auth.user.authorize" => return session::authorize(state, &params).await,
        _ => {}
    }

    let token = token.filter(|t| !t.is_empty()).ok_or_else(|| session::invalid_token("token is required"))?;
    match header(h, "x-basement-token") {
        Some(t) if t == token => {}
        Some(_) => return Err(session::invalid_token("x-basement-token does not match token")),
        None => return Err(session::invalid_token("x-basement-token header is required")),
    }
    let s = session::authenticate(state, token).await?;
    match method {
        "serverless.auth.user.getProfileInfo" => Ok(session::profile(&s)),
        "serverless.db.default.execute" => db::execute(state, &s, params).await,
        "serverless.function.runtime.invoke" => {
            let target = req_str(&params, "functionTarget")?;
            let args = params.get("functionArgs").cloned().unwrap_or_else(|| json!({}));
            let ctx = function::Context { session: &s, request_id: rid };
            state.functions.invoke(&ctx, target, &args)
        }
        "serverless.file.resource.generateProximalSign" => file::generate_proximal_sign(state, &s, &params).await,
        "serverless.file.resource.report" => file::report(state, &s, &params).await,
        "serverless.file.resource.delete" => file::delete(state, &s, &params).await,
        "serverless.file.resource.info" => file::info(state, &s, &params).await,
        _ => Err(ApiError::new(404, "InvalidParameter.MethodNotFound", format!("method {method} is not supported"))),
    }
}
