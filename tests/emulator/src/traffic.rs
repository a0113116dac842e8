//! The traffic log: every request a client sent to the emulator's services (Authing, MPServerless,
//! the file hosts and the platform stand-ins; not the console's and admin API's own calls), kept in
//! memory in a ring buffer of the newest [`CAPACITY`] entries and served newest first at
//! `GET /__admin/traffic` for the console's traffic panel.
//!
//! An entry holds what the client sent and what it got: method, path, the MPServerless gateway
//! method, status, time, duration, user agent, request headers, and the first [`BODY_CAP`] bytes of
//! textual bodies (multipart and binary bodies are described by type and size). The bodies are kept
//! as received, in memory only; the console redacts passwords, tokens, codes and secrets when it
//! shows them (`console/panels.js`, the one redaction of the console).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::{json, Map, Value};

use crate::app::AppState;
use crate::util;

/// Entries kept (the oldest is dropped first).
pub const CAPACITY: usize = 500;
/// Bytes of each request and response body kept.
pub const BODY_CAP: usize = 16 * 1024;

#[derive(Default)]
pub struct TrafficLog {
    entries: Mutex<VecDeque<Value>>,
    next_id: AtomicU64,
}

impl TrafficLog {
    fn push(&self, mut entry: Map<String, Value>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        entry.insert("id".into(), json!(id));
        let mut q = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if q.len() >= CAPACITY {
            q.pop_front();
        }
        q.push_back(Value::Object(entry));
    }

    /// Newest first, at most `limit`, optionally one service's alone.
    fn newest(&self, service: Option<&str>, limit: usize) -> Vec<Value> {
        let q = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        q.iter()
            .rev()
            .filter(|e| service.is_none_or(|s| e.get("service").and_then(Value::as_str) == Some(s)))
            .take(limit)
            .cloned()
            .collect()
    }

    fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/__admin/traffic", get(list)).route("/__admin/traffic", delete(clear))
}

/// `GET /__admin/traffic[?service=authing|mpserverless|platform&limit=]`
async fn list(State(state): State<AppState>, Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    let limit = q.get("limit").and_then(|v| v.parse::<usize>().ok()).unwrap_or(CAPACITY).clamp(1, CAPACITY);
    let service = q.get("service").map(String::as_str).filter(|s| !s.is_empty() && *s != "all");
    Json(json!({"capacity": CAPACITY, "entries": state.traffic.newest(service, limit)})).into_response()
}

async fn clear(State(state): State<AppState>) -> Response {
    state.traffic.clear();
    Json(json!({"ok": true})).into_response()
}

/// The service a path belongs to; `None` for the console and the admin API, which are not logged.
fn service_of(path: &str) -> Option<&'static str> {
    if path.starts_with("/__admin") || path.starts_with("/__console") || path == "/" || path == "/favicon.ico" {
        None
    } else if path.starts_with("/api/") || path.starts_with("/oidc/") || path.starts_with("/files/") {
        Some("authing")
    } else if path.starts_with("/client") || path.starts_with("/__oss") {
        Some("mpserverless")
    } else if path.starts_with("/__platform/") {
        Some("platform")
    } else {
        Some("other")
    }
}

fn textual(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else { return true };
    let ct = ct.to_ascii_lowercase();
    ct.starts_with("text/") || ct.contains("json") || ct.starts_with("application/x-www-form-urlencoded")
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// What the handler read of the request body, the first `BODY_CAP` bytes of it kept.
#[derive(Default)]
struct Captured {
    head: Vec<u8>,
    total: usize,
}

/// A body for display: the text of a textual body, else its type and size.
fn describe(content_type: Option<&str>, head: &[u8], total: usize) -> Value {
    if total == 0 {
        return Value::Null;
    }
    if !textual(content_type) {
        return json!(format!("({} bytes of {})", total, content_type.unwrap_or("binary data")));
    }
    let mut text = String::from_utf8_lossy(head).into_owned();
    if total > head.len() {
        text.push_str(&format!("… ({total} bytes in all)"));
    }
    Value::String(text)
}

/// The MPServerless gateway method (`serverless.db.default.execute`, ...) of a `/client` body.
fn gateway_method(path: &str, body: &[u8]) -> Option<String> {
    if path != "/client" {
        return None;
    }
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("method").and_then(Value::as_str).map(str::to_string)
}

/// Middleware recording each client request and its answer (mounted in `app::router`).
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(service) = service_of(req.uri().path()) else {
        return next.run(req).await;
    };
    let started = Instant::now();
    let at = util::iso8601(util::now_ms());
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let mut headers = Map::new();
    for (k, v) in req.headers() {
        headers.insert(k.as_str().to_string(), json!(String::from_utf8_lossy(v.as_bytes())));
    }
    let user_agent = header_str(req.headers(), header::USER_AGENT).map(str::to_string);
    let req_ct = header_str(req.headers(), header::CONTENT_TYPE).map(str::to_string);

    // Tee the request body as the handler reads it: nothing is buffered ahead of the handler,
    // so body limits and streaming uploads behave exactly as without the log.
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (parts, body) = req.into_parts();
    let sink = captured.clone();
    let tee = body.into_data_stream().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            let mut c = sink.lock().unwrap_or_else(|p| p.into_inner());
            c.total += bytes.len();
            let room = BODY_CAP.saturating_sub(c.head.len());
            c.head.extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
        chunk
    });
    let resp = next.run(Request::from_parts(parts, Body::from_stream(tee))).await;

    let (resp_parts, resp_body) = resp.into_parts();
    let resp_ct = header_str(&resp_parts.headers, header::CONTENT_TYPE).map(str::to_string);
    let exact = resp_body.size_hint().exact();
    let (resp_body, answer) = match exact {
        Some(n) if n as usize <= BODY_CAP && textual(resp_ct.as_deref()) => {
            match axum::body::to_bytes(resp_body, BODY_CAP).await {
                Ok(bytes) => {
                    let shown = describe(resp_ct.as_deref(), &bytes, bytes.len());
                    (Body::from(bytes), shown)
                }
                Err(_) => (Body::from(Bytes::new()), json!("(the answer could not be read)")),
            }
        }
        Some(n) => (resp_body, describe(resp_ct.as_deref().or(Some("data")), &[], n as usize)),
        None => (resp_body, json!("(streamed answer)")),
    };
    let (req_head, req_total) = {
        let c = captured.lock().unwrap_or_else(|p| p.into_inner());
        (c.head.clone(), c.total)
    };
    let mut entry = Map::new();
    entry.insert("at".into(), json!(at));
    entry.insert("service".into(), json!(service));
    entry.insert("method".into(), json!(method));
    entry.insert("path".into(), json!(path));
    entry.insert("query".into(), json!(query));
    entry.insert("gatewayMethod".into(), json!(gateway_method(&path, &req_head)));
    entry.insert("status".into(), json!(resp_parts.status.as_u16()));
    entry.insert("durationMs".into(), json!((started.elapsed().as_secs_f64() * 1e4).round() / 10.0));
    entry.insert("userAgent".into(), json!(user_agent));
    entry.insert("requestHeaders".into(), Value::Object(headers));
    entry.insert("requestContentType".into(), json!(req_ct));
    entry.insert("requestBytes".into(), json!(req_total));
    entry.insert("requestBody".into(), describe(req_ct.as_deref(), &req_head, req_total));
    entry.insert("responseContentType".into(), json!(resp_ct));
    entry.insert("responseBody".into(), answer);
    state.traffic.push(entry);
    Response::from_parts(resp_parts, resp_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_buffer_keeps_the_newest_entries() {
        let log = TrafficLog::default();
        for i in 0..CAPACITY + 10 {
            let mut e = Map::new();
            e.insert("service".into(), json!(if i % 2 == 0 { "authing" } else { "mpserverless" }));
            e.insert("n".into(), json!(i));
            log.push(e);
        }
        let all = log.newest(None, usize::MAX);
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0]["n"], json!(CAPACITY + 9));
        assert_eq!(all[CAPACITY - 1]["n"], json!(10));
        let auth = log.newest(Some("authing"), 3);
        assert_eq!(auth.len(), 3);
        assert!(auth.iter().all(|e| e["service"] == "authing"));
        log.clear();
        assert!(log.newest(None, 10).is_empty());
    }

    #[test]
    fn bodies_are_text_or_described() {
        assert_eq!(describe(Some("application/json"), b"{\"a\":1}", 7), json!("{\"a\":1}"));
        assert_eq!(describe(Some("image/png"), b"", 120), json!("(120 bytes of image/png)"));
        assert_eq!(describe(Some("text/plain"), b"abc", 10), json!("abc… (10 bytes in all)"));
        assert_eq!(describe(None, b"", 0), Value::Null);
        assert_eq!(service_of("/__admin/users"), None);
        assert_eq!(service_of("/client"), Some("mpserverless"));
        assert_eq!(service_of("/api/v3/signin"), Some("authing"));
        assert_eq!(
            gateway_method("/client", br#"{"method":"serverless.db.default.execute"}"#).as_deref(),
            Some("serverless.db.default.execute")
        );
    }
}
