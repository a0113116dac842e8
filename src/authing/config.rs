//! Client options: `{appId, userPoolId, host?, platform?}`.

use crate::error::Error;
use crate::json::{Json, Obj};

/// The default host of the official SDK.
pub const DEFAULT_HOST: &str = "https://core.authing.cn";

/// Which mini-program platform's protocol variant to speak (§4.1): connections, payload field
/// names, phone endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// WeChat (`wx`).
    Wx,
    /// Douyin (`tt`).
    Tt,
}

impl Platform {
    /// `wx` or `tt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Wx => "wx",
            Platform::Tt => "tt",
        }
    }
}

/// Validated client options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Authing application id (`x-authing-app-id`, part of the storage keys).
    pub app_id: String,
    /// User pool id (`x-authing-userpool-id`).
    pub user_pool_id: String,
    /// Base URL without trailing slashes.
    pub host: String,
    /// Protocol platform.
    pub platform: Platform,
}

impl Config {
    /// Builds a config. `host` defaults to `https://core.authing.cn`; trailing slashes are removed
    /// (the official SDK would request `https://h//api/...`).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for an empty `appId`/`userPoolId`, a host that is not an http(s) URL, or
    /// a platform other than `wx`/`tt`.
    pub fn new(app_id: &str, user_pool_id: &str, host: Option<&str>, platform: Option<&str>) -> Result<Config, Error> {
        if app_id.trim().is_empty() {
            return Err(Error::invalid("appId", "appId is required"));
        }
        if user_pool_id.trim().is_empty() {
            return Err(Error::invalid("userPoolId", "userPoolId is required"));
        }
        let host = match host.map(str::trim).filter(|h| !h.is_empty()) {
            None => DEFAULT_HOST.to_string(),
            Some(h) => {
                let lower = h.to_ascii_lowercase();
                let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or("");
                if rest.trim_end_matches('/').is_empty() || h.chars().any(char::is_whitespace) {
                    return Err(Error::invalid("host", format!("host must be an http(s) URL, got \"{h}\"")));
                }
                h.trim_end_matches('/').to_string()
            }
        };
        let platform = match platform {
            None | Some("") | Some("wx") => Platform::Wx,
            Some("tt") => Platform::Tt,
            Some(other) => {
                return Err(Error::invalid("platform", format!("platform must be \"wx\" or \"tt\", got \"{other}\"")))
            }
        };
        Ok(Config { app_id: app_id.to_string(), user_pool_id: user_pool_id.to_string(), host, platform })
    }

    /// Builds a config from the JSON options object the JS facade passes.
    ///
    /// # Errors
    /// As [`Config::new`], and when the text is not a JSON object.
    pub fn from_json(text: &str) -> Result<Config, Error> {
        let opts = match Json::parse(text) {
            Ok(Json::Object(o)) => o,
            _ => return Err(Error::invalid("options", "options must be an object")),
        };
        let field = |o: &Obj, k: &'static str| -> Result<Option<String>, Error> {
            match o.get(k) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::invalid(k, format!("{k} must be a string"))),
            }
        };
        let app_id = field(&opts, "appId")?.unwrap_or_default();
        let pool = field(&opts, "userPoolId")?.unwrap_or_default();
        let host = field(&opts, "host")?;
        let platform = field(&opts, "platform")?;
        Config::new(&app_id, &pool, host.as_deref(), platform.as_deref())
    }

    /// `host + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.host, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_defaults_and_trailing_slashes_are_removed() {
        let c = Config::new("app", "pool", None, None).unwrap();
        assert_eq!((c.host.as_str(), c.platform), (DEFAULT_HOST, Platform::Wx));
        let c = Config::new("app", "pool", Some("https://a.example//"), Some("tt")).unwrap();
        assert_eq!(c.url("/api/v3/signin"), "https://a.example/api/v3/signin");
        assert_eq!(c.platform, Platform::Tt);
        let c = Config::new("app", "pool", Some("http://127.0.0.1:8080/base/"), None).unwrap();
        assert_eq!(c.host, "http://127.0.0.1:8080/base");
    }

    #[test]
    fn bad_options_are_rejected_with_a_message() {
        let err = |r: Result<Config, Error>| crate::authing::outcome::error_json(&r.unwrap_err()).to_text();
        assert_eq!(
            err(Config::new("", "p", None, None)),
            r#"{"message":"appId is required","code":"INVALID_ARGUMENT"}"#
        );
        assert_eq!(
            err(Config::new("a", " ", None, None)),
            r#"{"message":"userPoolId is required","code":"INVALID_ARGUMENT"}"#
        );
        assert_eq!(
            err(Config::new("a", "p", Some("core.authing.cn"), None)),
            r#"{"message":"host must be an http(s) URL, got \"core.authing.cn\"","code":"INVALID_ARGUMENT"}"#
        );
        assert!(Config::new("a", "p", Some("https://"), None).is_err());
        assert!(Config::new("a", "p", None, Some("my")).is_err());
        assert_eq!(
            err(Config::from_json(r#"{"appId":1,"userPoolId":"p"}"#)),
            r#"{"message":"appId must be a string","code":"INVALID_ARGUMENT"}"#
        );
        assert!(Config::from_json("[]").is_err());
        let c = Config::from_json(r#"{"appId":"a","userPoolId":"p","host":null,"encryptFunction":{}}"#).unwrap();
        assert_eq!(c.host, DEFAULT_HOST);
    }
}
