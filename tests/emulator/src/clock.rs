//! The emulator's clock, as tests see and set it: `GET /__admin/clock` reads it,
//! `POST /__admin/clock` moves it (`{"advanceMs": n}` adds to the offset, `{"offsetMs": n}` sets
//! it, `{"nowMs": t}` sets the time itself), and every response carries it in a `Date` header
//! (IMF-fixdate, as real servers send), so clients can learn the server's time from any answer.

use std::time::{Duration, UNIX_EPOCH};

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{body_bytes, parse_object, RawBody};
use crate::util;

pub fn router() -> Router<AppState> {
    Router::new().route("/__admin/clock", get(read).post(set))
}

fn view() -> Value {
    json!({"nowMs": util::now_ms(), "offsetMs": util::clock_offset_ms()})
}

async fn read() -> Json<Value> {
    Json(view())
}

async fn set(body: RawBody) -> Response {
    match apply(body) {
        Ok(()) => Json(view()).into_response(),
        Err(e) => crate::admin::error_response(e),
    }
}

fn apply(body: RawBody) -> ApiResult<()> {
    let m = parse_object(&body_bytes(body)?)?;
    let int = |key: &str| -> ApiResult<Option<i64>> {
        match m.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| ApiError::bad_request(format!("{key} must be an integer"))),
        }
    };
    let offset = match (int("advanceMs")?, int("offsetMs")?, int("nowMs")?) {
        (Some(d), None, None) => util::clock_offset_ms().saturating_add(d),
        (None, Some(o), None) => o,
        (None, None, Some(t)) => t.saturating_sub(util::now_ms() - util::clock_offset_ms()),
        _ => return Err(ApiError::bad_request("give exactly one of advanceMs, offsetMs, nowMs")),
    };
    util::set_clock_offset_ms(offset);
    Ok(())
}

/// `Date: <IMF-fixdate>` of the emulator's clock on every response.
pub async fn stamp_date(mut res: Response) -> Response {
    let ms = u64::try_from(util::now_ms()).unwrap_or(0);
    let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(ms));
    if let Ok(v) = HeaderValue::from_str(&date) {
        res.headers_mut().insert(header::DATE, v);
    }
    res
}
