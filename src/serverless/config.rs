//! Client configuration: the second argument of `new MPServerless(platformApi, config)` (reference §1.2).

use crate::error::Error;
use crate::json::{Json, Obj};
use crate::secret::ClientSecret;

/// Default request timeout: the official `'5s'`.
pub const DEFAULT_TIMEOUT_MS: u32 = 5_000;

/// `x-serverless-ua` value of this SDK (same format as the official `pkg_name:…;ver:…;`).
pub const USER_AGENT: &str = concat!("pkg_name:miniapp-sdk;ver:", env!("CARGO_PKG_VERSION"), ";");

/// A validated client configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mini-program app id, sent as `clientIdentifier`.
    pub app_id: String,
    /// Service space id (`spaceId` body field).
    pub space_id: String,
    /// HMAC key.
    pub client_secret: ClientSecret,
    /// Gateway base URL; requests go to `{endpoint}/client`.
    pub endpoint: String,
    /// Request timeout in milliseconds.
    pub timeout_ms: u32,
    /// ISV app id added to authorize params when set (3.x).
    pub isv_app_id: Option<String>,
}

fn required_string(obj: &Obj, field: &'static str) -> Result<String, Error> {
    match obj.get(field) {
        Some(Json::String(s)) if !s.is_empty() => Ok(s.clone()),
        None | Some(Json::Null) | Some(Json::String(_)) => Err(Error::invalid(field, format!("{field} is required"))),
        Some(_) => Err(Error::invalid(field, format!("{field} must be a string"))),
    }
}

/// The official timeout rules: a number is milliseconds; a string containing `ms` is `parseInt`
/// milliseconds; a string containing `s` is `parseInt` seconds; anything else is 5000.
pub fn parse_timeout(v: Option<&Json>) -> u32 {
    let clamp = |ms: f64| -> Option<u32> {
        (ms.is_finite() && ms >= 1.0).then(|| if ms > f64::from(u32::MAX) { u32::MAX } else { ms as u32 })
    };
    let parsed = match v {
        Some(Json::Number(n)) => n.as_f64().and_then(clamp),
        Some(Json::String(s)) if super::contains_str(s, "ms") => parse_int(s).and_then(clamp),
        Some(Json::String(s)) if s.contains('s') => parse_int(s).and_then(|n| clamp(n * 1000.0)),
        _ => None,
    };
    parsed.unwrap_or(DEFAULT_TIMEOUT_MS)
}

/// JS `parseInt(s, 10)` for non-negative values: leading whitespace, then digits. As `f64`, exact
/// below 2^53 and capped at 1e300 (any value past `u32::MAX` ms clamps alike): no `u64` parsing,
/// whose 64-bit arithmetic wasm2js expands into 32-bit halves.
fn parse_int(s: &str) -> Option<f64> {
    let t = s.trim_start().trim_start_matches('+');
    let mut digits = t.bytes().take_while(u8::is_ascii_digit).peekable();
    digits.peek()?;
    Some(digits.fold(0.0, |n, d| (n * 10.0 + f64::from(d - b'0')).min(1e300)))
}

impl Config {
    /// Parses and validates the JSON text of the config object; the error names the missing field.
    pub fn from_json(text: &str) -> Result<Config, Error> {
        let v = Json::parse(text).map_err(|_| Error::invalid("config", "must be an object"))?;
        let Json::Object(obj) = v else {
            return Err(Error::invalid("config", "must be an object"));
        };
        let app_id = required_string(&obj, "appId")?;
        let space_id = required_string(&obj, "spaceId")?;
        let client_secret = ClientSecret::new(required_string(&obj, "clientSecret")?);
        let endpoint = required_string(&obj, "endpoint")?;
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(Error::invalid("endpoint", "endpoint must be an http(s) URL"));
        }
        let isv_app_id = match obj.get("isvAppId") {
            Some(Json::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        Ok(Config {
            app_id,
            space_id,
            client_secret,
            endpoint,
            timeout_ms: parse_timeout(obj.get("timeout")),
            isv_app_id,
        })
    }

    /// `{endpoint}/client`, as the official SDK builds it (no trailing-slash normalisation).
    pub fn client_url(&self) -> String {
        format!("{}/client", self.endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn j(text: &str) -> Json {
        Json::parse(text).unwrap()
    }

    #[test]
    fn timeout_follows_the_official_rules() {
        assert_eq!(parse_timeout(None), 5000);
        assert_eq!(parse_timeout(Some(&j(r#"40000"#))), 40000);
        assert_eq!(parse_timeout(Some(&j(r#""300ms""#))), 300);
        assert_eq!(parse_timeout(Some(&j(r#""5s""#))), 5000);
        assert_eq!(parse_timeout(Some(&j(r#""12s""#))), 12000);
        assert_eq!(parse_timeout(Some(&j(r#""abc""#))), 5000);
        assert_eq!(parse_timeout(Some(&j(r#"" +7s""#))), 7000);
        assert_eq!(parse_timeout(Some(&j(r#""0ms""#))), 5000);
        assert_eq!(parse_timeout(Some(&j(r#""99999999999999999999999ms""#))), u32::MAX);
        assert_eq!(parse_timeout(Some(&j(&format!(r#""{}s""#, "9".repeat(400))))), u32::MAX);
        assert_eq!(parse_timeout(Some(&j(r#"-1"#))), 5000);
        assert_eq!(parse_timeout(Some(&j(r#"true"#))), 5000);
    }

    #[test]
    fn each_missing_field_is_named() {
        let full = json!({"appId": "a", "spaceId": "s", "clientSecret": "c", "endpoint": "https://e"});
        assert!(Config::from_json(&full.to_string()).is_ok());
        for field in ["appId", "spaceId", "clientSecret", "endpoint"] {
            let mut v = full.clone();
            v.as_object_mut().map(|o| o.remove(field));
            let err = Config::from_json(&v.to_string()).unwrap_err();
            assert_eq!(err, Error::invalid(field, format!("{field} is required")));
        }
        let err = Config::from_json(r#"{"appId":1}"#).unwrap_err();
        assert_eq!(err, Error::invalid("appId", "appId must be a string"));
        assert!(Config::from_json("[]").is_err());
        assert!(Config::from_json(
            &json!({"appId": "a", "spaceId": "s", "clientSecret": "c", "endpoint": "ftp://e"}).to_string()
        )
        .is_err());
    }

    #[test]
    fn client_url_appends_client() {
        let c = Config::from_json(r#"{"appId":"a","spaceId":"s","clientSecret":"c","endpoint":"http://127.0.0.1:1"}"#)
            .unwrap();
        assert_eq!(c.client_url(), "http://127.0.0.1:1/client");
        assert_eq!(c.timeout_ms, 5000);
        assert!(!format!("{c:?}").contains("\"c\""));
    }
}
