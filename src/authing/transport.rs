//! Requests and responses as the official SDK's `helpers/request.ts` shapes them (protocol §2).
//!
//! - Headers: the caller's, then `x-authing-request-from` and `x-authing-sdk-version`.
//! - Bodies: JSON text, or `application/x-www-form-urlencoded` with `encodeURIComponent` escaping,
//!   exactly what `wx.request` makes of a data object; GET data becomes the query string.
//! - Classification (§2.3): the HTTP status is ignored and the body decides, with three URL
//!   intercepts (`/api/v3/system`, `/oidc/token`, `/oidc/token/revocation`); otherwise
//!   `statusCode === 200` succeeds with `data || body`.

use crate::error::{Error, ServerBody};
use crate::host::{HttpRequest, HttpResponse, Method};
use crate::json::{Json, Obj};

/// `x-authing-request-from`.
pub const REQUEST_FROM: &str = "sdk-miniapp";
/// `x-authing-sdk-version`: the protocol level this SDK speaks (the official package's version).
pub const SDK_VERSION: &str = "5.1.18";
/// The platform default of `wx.request` (the official SDK passes no timeout).
pub const TIMEOUT_MS: u32 = 60_000;
/// Content type of the two OIDC form posts (lower-case key, as sent).
pub const FORM: &str = "application/x-www-form-urlencoded";

/// How a response is judged (the URL intercepts of §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `GET /api/v3/system`: success iff the body has `rsa` or `sm2`.
    System,
    /// `POST /oidc/token`: success iff the body has `access_token` or `id_token`.
    Token,
    /// `POST /oidc/token/revocation`: always a success.
    Revocation,
    /// Every other endpoint: success iff `statusCode === 200`, value `data || body`.
    Api,
}

/// Builds a request with the caller's headers followed by the two SDK headers.
pub fn request(method: Method, url: String, headers: &[(&str, &str)], body: Option<String>) -> HttpRequest {
    let mut all: Vec<(String, String)> = headers.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
    for (k, v) in [("x-authing-request-from", REQUEST_FROM), ("x-authing-sdk-version", SDK_VERSION)] {
        match all.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => all.push((k.to_string(), v.to_string())),
        }
    }
    HttpRequest { method, url, headers: all, body, timeout_ms: TIMEOUT_MS }
}

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` is percent-encoded as
/// UTF-8 with upper-case hex.
pub fn encode_uri_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
            out.push(char::from(HEX.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0')));
        }
    }
    out
}

/// `k=v&k=v` with both sides through [`encode_uri_component`].
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_uri_component(k), encode_uri_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The text `wx.request` puts in a query string or form body for a data value.
fn scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Null => "null".to_string(),
        other => other.to_text(),
    }
}

/// The query string `wx.request` builds from a GET data object (insertion order).
pub fn query_of(data: &Obj) -> String {
    let texts: Vec<(String, String)> = data.iter().map(|(k, v)| (k.to_string(), scalar_text(v))).collect();
    let pairs: Vec<(&str, &str)> = texts.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form_encode(&pairs)
}

/// Judges a response as §2.3 does, with two differences: a body that is not a JSON object is a
/// `BAD_RESPONSE` with a message (the official SDK returns the raw text as the "error"), and
/// error objects always carry a `message` (see [`super::outcome`]).
pub fn classify(kind: Kind, res: &HttpResponse) -> Result<Json, Error> {
    let parsed = Json::parse(&res.body).ok();
    let body = match parsed {
        Some(Json::Object(o)) => o,
        // Revocation succeeds whatever comes back (an empty body is the classic answer).
        _ if kind == Kind::Revocation => return Ok(parsed.unwrap_or(Json::Null)),
        _ => return Err(not_an_object(res)),
    };
    match kind {
        Kind::System if body.truthy("rsa") || body.truthy("sm2") => Ok(Json::Object(body)),
        Kind::Token if body.truthy("access_token") || body.truthy("id_token") => Ok(Json::Object(body)),
        Kind::Revocation => Ok(Json::Object(body)),
        Kind::System | Kind::Token => Err(server_error(res.status, body)),
        Kind::Api => {
            if body.get("statusCode").and_then(Json::as_f64) == Some(200.0) {
                match body.get("data") {
                    Some(data) if data.truthy() => Ok(data.clone()),
                    _ => Ok(Json::Object(body)),
                }
            } else {
                Err(server_error(res.status, body))
            }
        }
    }
}

fn not_an_object(res: &HttpResponse) -> Error {
    let text = res.body.trim();
    let snippet: String = text.chars().take(120).collect();
    let message = if text.is_empty() {
        format!("the server answered HTTP {} with an empty body", res.status)
    } else {
        format!("the server answered HTTP {} with a body that is not a JSON object: {snippet}", res.status)
    };
    bad_response(Some(res.status), message, None)
}

/// An error answered by the server (`SERVER`): its body object is kept whole, the message is its
/// best one (`message`, OIDC's `error_description`, `error`, v2's `msg`, `errmsg`).
pub fn server_error(status: u16, body: Obj) -> Error {
    // The statusCode is printed through the JSON writer (core's float formatting costs wasm size).
    let message = ["message", "error_description", "error", "msg", "errmsg"]
        .iter()
        .find_map(|k| body.get_str(k).filter(|s| !s.trim().is_empty()))
        .map(str::to_string)
        .unwrap_or_else(|| match body.get("statusCode").filter(|c| c.as_f64().is_some()) {
            Some(code) => format!("request failed with statusCode {}", code.to_text()),
            None => format!("request failed (HTTP {status})"),
        });
    Error::Server { status, api_code: None, message, body: Some(ServerBody(body)) }
}

/// A response that does not follow the protocol (`BAD_RESPONSE`), keeping the body if it is an
/// object.
pub fn bad_response(status: Option<u16>, message: impl Into<String>, body: Option<Obj>) -> Error {
    Error::BadResponse { status, message: message.into(), body: body.map(ServerBody) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: vec![], body: body.into() }
    }

    #[test]
    fn sdk_headers_come_last_and_override_same_named_keys() {
        let r = request(Method::Post, "u".into(), &[("x-authing-app-id", "a"), ("x-authing-sdk-version", "0")], None);
        assert_eq!(
            r.headers,
            vec![
                ("x-authing-app-id".to_string(), "a".to_string()),
                ("x-authing-sdk-version".to_string(), SDK_VERSION.to_string()),
                ("x-authing-request-from".to_string(), REQUEST_FROM.to_string()),
            ]
        );
        assert_eq!(r.timeout_ms, 60_000);
    }

    #[test]
    fn form_encoding_is_encode_uri_component() {
        assert_eq!(
            form_encode(&[("grant_type", "refresh_token"), ("redirect_uri", ""), ("refresh_token", "a+b/c=d é~*'()!")]),
            "grant_type=refresh_token&redirect_uri=&refresh_token=a%2Bb%2Fc%3Dd%20%C3%A9~*'()!"
        );
    }

    #[test]
    fn get_data_becomes_a_query_string_with_booleans_as_text() {
        let data = Json::parse(r#"{"withCustomData":false,"n":3,"s":"a b"}"#).unwrap();
        assert_eq!(query_of(data.as_obj().unwrap()), "withCustomData=false&n=3&s=a%20b");
    }

    // §2.3: the HTTP status is ignored; `statusCode === 200` in the body decides; `data || body`.
    #[test]
    fn v3_envelopes_succeed_on_status_code_200_whatever_the_http_status() {
        assert_eq!(
            classify(Kind::Api, &res(500, r#"{"statusCode":200,"data":{"a":1}}"#)).unwrap().to_text(),
            r#"{"a":1}"#
        );
        // Falsy data -> the whole envelope (send-sms, update-password).
        let env = r#"{"statusCode":200,"message":"ok","data":null}"#;
        assert_eq!(classify(Kind::Api, &res(200, env)).unwrap().to_text(), env);
        let err = classify(Kind::Api, &res(200, r#"{"statusCode":400,"message":"bad"}"#)).unwrap_err();
        assert_eq!(
            crate::authing::outcome::error_json(&err).to_text(),
            r#"{"statusCode":400,"message":"bad","code":"SERVER"}"#
        );
    }

    #[test]
    fn url_intercepts_judge_system_token_and_revocation_bodies() {
        assert!(classify(Kind::System, &res(200, r#"{"rsa":{"publicKey":"k"}}"#)).is_ok());
        // An enveloped system answer is an error, as in the official SDK.
        assert!(classify(Kind::System, &res(200, r#"{"statusCode":200,"data":{"rsa":{}}}"#)).is_err());
        assert!(classify(Kind::Token, &res(400, r#"{"id_token":"x"}"#)).is_ok());
        assert_eq!(
            classify(Kind::Token, &res(400, r#"{"error":"invalid_grant"}"#)).unwrap_err().code(),
            crate::ErrorCode::Server
        );
        assert_eq!(classify(Kind::Revocation, &res(500, "")).unwrap(), Json::Null);
        assert!(classify(Kind::Revocation, &res(200, "<html>")).is_ok());
    }

    #[test]
    fn non_json_bodies_are_bad_responses_with_a_message() {
        let f = classify(Kind::Api, &res(502, "<html>Bad Gateway</html>")).unwrap_err();
        assert_eq!(
            crate::authing::outcome::error_json(&f).to_text(),
            r#"{"message":"the server answered HTTP 502 with a body that is not a JSON object: <html>Bad Gateway</html>","statusCode":502,"code":"BAD_RESPONSE"}"#
        );
        let f = classify(Kind::Token, &res(200, "null")).unwrap_err();
        assert_eq!(f.code(), crate::ErrorCode::BadResponse);
        assert_eq!(
            crate::authing::outcome::message(&classify(Kind::Api, &res(204, "")).unwrap_err()),
            "the server answered HTTP 204 with an empty body"
        );
    }
}
