//! The request envelope (reference §2) and the gateway reply (reference §6), sans-I/O.
//!
//! Every RPC is `POST {endpoint}/client` with the JSON body
//! `{"spaceId","method","params"(JSON text),"token"?,"timestamp"}` in that key order (as 3.1.5 emits
//! it) and the headers `Content-Type`, `x-basement-token`?, `x-serverless-ua`, `x-serverless-sign`.

use super::config::{Config, USER_AGENT};
use super::sign::{sign, SignFields};
use crate::error::Error;
use crate::host::{HttpRequest, HttpResponse, Method};
use crate::json::Json;

/// Gateway codes that mean "the session token is invalid or expired" (reference §5).
pub const INVALID_TOKEN_CODES: [&str; 2] = ["GATEWAY_INVALID_TOKEN", "InvalidParameter.InvalidToken"];

/// JSON text of a string (JS `JSON.stringify(s)` for any Rust string).
pub fn json_str(s: &str) -> String {
    let mut out = String::new();
    crate::json::text::write_str(s, &mut out);
    out
}

/// `Date.now()` as the integer the body and signature carry.
pub fn timestamp(now_ms: f64) -> u64 {
    if now_ms.is_finite() && now_ms >= 1.0 {
        now_ms.floor() as u64
    } else {
        0
    }
}

/// Builds the signed HTTP request of one RPC.
pub fn build_request(cfg: &Config, method: &str, params: Option<&str>, token: Option<&str>, ts: u64) -> HttpRequest {
    let mut body = String::with_capacity(96 + params.map_or(0, |p| p.len() * 2));
    body.push_str("{\"spaceId\":");
    body.push_str(&json_str(&cfg.space_id));
    body.push_str(",\"method\":");
    body.push_str(&json_str(method));
    if let Some(p) = params {
        body.push_str(",\"params\":");
        body.push_str(&json_str(p));
    }
    if let Some(t) = token {
        body.push_str(",\"token\":");
        body.push_str(&json_str(t));
    }
    body.push_str(",\"timestamp\":");
    body.push_str(&crate::json::text::uint_text(ts));
    body.push('}');

    let signature =
        sign(cfg.client_secret.secret(), &SignFields { method, params, space_id: &cfg.space_id, timestamp: ts, token });
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    if let Some(t) = token {
        headers.push(("x-basement-token".to_string(), t.to_string()));
    }
    headers.push(("x-serverless-ua".to_string(), USER_AGENT.to_string()));
    headers.push(("x-serverless-sign".to_string(), signature));
    HttpRequest { method: Method::Post, url: cfg.client_url(), headers, body: Some(body), timeout_ms: cfg.timeout_ms }
}

/// A successful gateway reply: the raw body text (decoded into the official result shape by the JS
/// facade, so key order and values are exactly the server's), its parsed JSON for the fields the
/// core reads, and the `request-id` header.
#[derive(Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Raw body text.
    pub body: String,
    /// The parsed body.
    pub json: Json,
    /// `request-id` response header.
    pub request_id: Option<String>,
}

// The body carries session tokens (authorize replies) and user data: Debug shows only the shape.
impl core::fmt::Debug for Reply {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl Reply {
    /// `body.data.<key>` (or `body.<key>`) as a non-empty string.
    pub fn data_str(&self, key: &str) -> Option<&str> {
        let from_data = self.json.get("data").and_then(|d| d.get(key)).and_then(Json::as_str);
        from_data.or_else(|| self.json.get(key).and_then(Json::as_str)).filter(|s| !s.is_empty())
    }
}

/// Classifies a gateway reply. A JSON body whose `error` is an object is a gateway error (whatever
/// the status, as the official decoder does); a non-JSON or error-less body with status ≥ 400 is a
/// gateway error without a code; a non-JSON 2xx body is a bad response.
pub fn parse_reply(res: HttpResponse) -> Result<Reply, Error> {
    let request_id = res.header("request-id").map(str::to_string);
    let json = match Json::parse(&res.body) {
        Ok(v) => v,
        Err(_) if res.status >= 400 => {
            return Err(Error::Server {
                status: res.status,
                api_code: None,
                message: format!("gateway answered HTTP {}", res.status),
                body: None,
            })
        }
        Err(_) => return Err(Error::bad_response("the gateway reply is not JSON")),
    };
    // Every gateway reply is an envelope object; a bare array, string or number is not a result.
    if !json.is_object() && res.status < 400 {
        return Err(Error::bad_response("the gateway reply is not a JSON object"));
    }
    if let Some(Json::Object(err)) = json.get("error") {
        let api_code = match err.get("code") {
            Some(Json::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Json::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let message = match err.get("message") {
            Some(Json::String(s)) if !s.is_empty() => s.clone(),
            _ => api_code.clone().unwrap_or_else(|| "gateway error".into()),
        };
        return Err(Error::Server { status: res.status, api_code, message, body: None });
    }
    if res.status >= 400 {
        return Err(Error::Server {
            status: res.status,
            api_code: None,
            message: format!("gateway answered HTTP {}", res.status),
            body: None,
        });
    }
    Ok(Reply { status: res.status, body: res.body, json, request_id })
}

/// Whether this error means the session token must be renewed: the two gateway codes, or HTTP 401.
pub fn is_invalid_token(e: &Error) -> bool {
    match e {
        Error::Server { status, api_code, .. } => {
            *status == 401 || api_code.as_deref().is_some_and(|c| INVALID_TOKEN_CODES.contains(&c))
        }
        _ => false,
    }
}

/// Gateway codes that mean "the signed timestamp is outside the accepted window" (the emulator's;
/// the real gateway's code is not documented, reference §3).
pub const TIMESTAMP_REJECTED_CODES: [&str; 1] = ["InvalidParameter.TimestampExpired"];

/// Whether the gateway refused the request for its timestamp (before acting on it).
pub fn is_timestamp_rejected(e: &Error) -> bool {
    matches!(e, Error::Server { api_code: Some(c), .. } if TIMESTAMP_REJECTED_CODES.contains(&c.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config::from_json(r#"{"appId":"APPID","spaceId":"SPACE-1","clientSecret":"test-client-secret","endpoint":"https://api.example.com"}"#)
            .unwrap()
    }

    // Reference §2 example: the anonymous authorize envelope of 3.1.5, byte for byte.
    #[test]
    fn anonymous_authorize_envelope_matches_the_reference() {
        let req = build_request(
            &cfg(),
            "serverless.auth.user.anonymousAuthorize",
            Some(r#"{"clientIdentifier":"APPID"}"#),
            None,
            1_700_000_000_000,
        );
        assert_eq!(req.url, "https://api.example.com/client");
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.body.as_deref(),
            Some(
                r#"{"spaceId":"SPACE-1","method":"serverless.auth.user.anonymousAuthorize","params":"{\"clientIdentifier\":\"APPID\"}","timestamp":1700000000000}"#
            )
        );
        let h: Vec<(&str, &str)> = req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            h,
            vec![
                ("Content-Type", "application/json"),
                ("x-serverless-ua", USER_AGENT),
                ("x-serverless-sign", "eac791ea1945848044d1ae5d00b57594"),
            ]
        );
        assert_eq!(req.timeout_ms, 5000);
    }

    // Authenticated calls carry the token in the body (before timestamp) and in x-basement-token.
    #[test]
    fn authenticated_envelope_carries_the_token_twice() {
        let params = r#"{"collection":"books","query":{},"options":{},"command":"count"}"#;
        let req = build_request(&cfg(), "serverless.db.default.execute", Some(params), Some("tok1"), 1_700_000_000_003);
        assert_eq!(
            req.body.as_deref(),
            Some(
                r#"{"spaceId":"SPACE-1","method":"serverless.db.default.execute","params":"{\"collection\":\"books\",\"query\":{},\"options\":{},\"command\":\"count\"}","token":"tok1","timestamp":1700000000003}"#
            )
        );
        assert_eq!(req.headers.get(1), Some(&("x-basement-token".to_string(), "tok1".to_string())));
        assert_eq!(
            req.headers.last(),
            Some(&("x-serverless-sign".to_string(), "29954c42c2b9ba4e98500918670d4b62".to_string()))
        );
    }

    fn res(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: vec![("Request-Id".into(), "rid-1".into())], body: body.into() }
    }

    #[test]
    fn replies_are_classified_as_the_official_decoder_does() {
        let ok = parse_reply(res(200, r#"{"success":true,"data":{"accessToken":"t"}}"#)).unwrap();
        assert_eq!(ok.data_str("accessToken"), Some("t"));
        assert_eq!(ok.request_id.as_deref(), Some("rid-1"));

        let err = parse_reply(res(200, r#"{"success":false,"error":{"code":"DB_ERROR","message":"boom"}}"#));
        assert_eq!(
            err.unwrap_err(),
            Error::Server { status: 200, api_code: Some("DB_ERROR".into()), message: "boom".into(), body: None }
        );
        let err = parse_reply(res(500, "oops")).unwrap_err();
        assert_eq!(
            err,
            Error::Server { status: 500, api_code: None, message: "gateway answered HTTP 500".into(), body: None }
        );
        let err = parse_reply(res(502, r#"{"success":false}"#)).unwrap_err();
        assert_eq!(
            err,
            Error::Server { status: 502, api_code: None, message: "gateway answered HTTP 502".into(), body: None }
        );
        assert_eq!(parse_reply(res(200, "<html>")).unwrap_err(), Error::bad_response("the gateway reply is not JSON"));
        // `error: null` is not an error object (typeof null is "object", but the decoder reads no code).
        assert!(parse_reply(res(200, r#"{"success":true,"error":null,"data":1}"#)).is_ok());
    }

    #[test]
    fn invalid_token_detection() {
        for code in INVALID_TOKEN_CODES {
            assert!(is_invalid_token(&Error::Server {
                status: 200,
                api_code: Some(code.into()),
                message: String::new(),
                body: None,
            }));
        }
        assert!(is_invalid_token(&Error::Server { status: 401, api_code: None, message: String::new(), body: None }));
        assert!(!is_invalid_token(&Error::Server {
            status: 200,
            api_code: Some("X".into()),
            message: String::new(),
            body: None
        }));
        assert!(!is_invalid_token(&Error::NotLoggedIn("x")));
    }
}
