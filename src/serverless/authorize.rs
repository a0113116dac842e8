//! `user.authorize` options and the authorize RPC params (reference §4).
//!
//! Precedence (API document): `authType: 'anonymous'` wins; otherwise `authProvider`
//! (`alipay_openapi`, `wechat_openapi`, or 3.x's `dingtalk_openapi`) is required.

use super::config::Config;
use super::envelope::json_str;
use crate::error::Error;
use crate::json::Json;

/// RPC method of the anonymous flow.
pub const METHOD_ANONYMOUS: &str = "serverless.auth.user.anonymousAuthorize";
/// RPC method of the provider flow.
pub const METHOD_PROVIDER: &str = "serverless.auth.user.authorize";
/// RPC method of `user.getInfo`.
pub const METHOD_PROFILE: &str = "serverless.auth.user.getProfileInfo";
/// The accepted `authProvider` values.
pub const PROVIDERS: [&str; 3] = ["alipay_openapi", "wechat_openapi", "dingtalk_openapi"];
/// Options used when `authorize()` is called without any (the official default).
pub const DEFAULT_OPTIONS: &str = r#"{"authType":"","authProvider":"alipay_openapi"}"#;

/// Which flow authorizes the session (and re-authorizes it when the token goes bad).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthKind {
    /// `serverless.auth.user.anonymousAuthorize`: a fresh anonymous identity.
    Anonymous,
    /// Platform login code, then `serverless.auth.user.authorize` with this provider.
    Provider(String),
}

/// Parsed `authorize` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthOptions {
    /// The flow to run.
    pub kind: AuthKind,
    /// `options.authType` as given (`None` when absent): the official skip rule compares it.
    pub auth_type: Option<String>,
    /// The options' JSON text as the caller passed them (sent again by `getInfo`).
    pub json: String,
}

/// Parses and validates `authorize` options (JSON text; `None` = called without options).
pub fn parse_options(json: Option<&str>) -> Result<AuthOptions, Error> {
    let text = json.unwrap_or(DEFAULT_OPTIONS);
    let v = Json::parse(text).map_err(|_| Error::invalid("options", "options must be an object"))?;
    let Json::Object(obj) = v else {
        return Err(Error::invalid("options", "options must be an object"));
    };
    let auth_type = match obj.get("authType") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) if s == "anonymous" || s.is_empty() => Some(s.clone()),
        Some(_) => return Err(Error::invalid("authType", "authType should be one of \"anonymous\", \"\"")),
    };
    let provider = match obj.get("authProvider") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) if PROVIDERS.contains(&s.as_str()) => Some(s.clone()),
        Some(_) => {
            return Err(Error::invalid(
                "authProvider",
                "authProvider should be one of alipay_openapi, wechat_openapi, dingtalk_openapi",
            ))
        }
    };
    let kind = if auth_type.as_deref() == Some("anonymous") {
        AuthKind::Anonymous
    } else {
        match provider {
            Some(p) => AuthKind::Provider(p),
            None => {
                return Err(Error::invalid("authProvider", "authProvider is required unless authType is \"anonymous\""))
            }
        }
    };
    Ok(AuthOptions { kind, auth_type, json: text.to_string() })
}

fn push_isv(out: &mut String, cfg: &Config) {
    if let Some(isv) = &cfg.isv_app_id {
        out.push_str(",\"isvAppId\":");
        out.push_str(&json_str(isv));
    }
}

/// Params of the anonymous RPC: `{"clientIdentifier":appId[,"isvAppId"]}`.
pub fn anonymous_params(cfg: &Config) -> String {
    let mut out = format!("{{\"clientIdentifier\":{}", json_str(&cfg.app_id));
    push_isv(&mut out, cfg);
    out.push('}');
    out
}

/// Params of the provider RPC: `{"authProvider","clientIdentifier","authCode"[,"isvAppId"]}`.
pub fn provider_params(cfg: &Config, provider: &str, code: &str) -> String {
    let mut out = format!(
        "{{\"authProvider\":{},\"clientIdentifier\":{},\"authCode\":{}",
        json_str(provider),
        json_str(&cfg.app_id),
        json_str(code)
    );
    push_isv(&mut out, cfg);
    out.push('}');
    out
}

/// Params of `getProfileInfo` (3.x): `{"authType":"anonymous"}` for an anonymous session, else the
/// caller's options, else the options of the last successful authorize, else `{}`.
pub fn profile_params(current_auth_type: Option<&str>, options: Option<&str>, stored: Option<&str>) -> String {
    if let Some(t) = current_auth_type.filter(|t| !t.is_empty()) {
        return format!("{{\"authType\":{}}}", json_str(t));
    }
    options.or(stored).unwrap_or("{}").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(isv: Option<&str>) -> Config {
        let mut c =
            Config::from_json(r#"{"appId":"wx123","spaceId":"S","clientSecret":"c","endpoint":"https://e"}"#).unwrap();
        c.isv_app_id = isv.map(str::to_string);
        c
    }

    // API document: "如果同时指定了authProvider和authType，authType配置优先".
    #[test]
    fn anonymous_auth_type_wins_over_provider() {
        let o = parse_options(Some(r#"{"authProvider":"wechat_openapi","authType":"anonymous"}"#)).unwrap();
        assert_eq!(o.kind, AuthKind::Anonymous);
        let o = parse_options(Some(r#"{"authType":"anonymous"}"#)).unwrap();
        assert_eq!(o.kind, AuthKind::Anonymous);
    }

    // "如果没有设置authType，则必须设置authProvider".
    #[test]
    fn provider_is_required_without_anonymous() {
        let o = parse_options(Some(r#"{"authProvider":"alipay_openapi"}"#)).unwrap();
        assert_eq!(o.kind, AuthKind::Provider("alipay_openapi".into()));
        assert_eq!(o.auth_type, None);
        assert_eq!(
            parse_options(Some("{}")).unwrap_err(),
            Error::invalid("authProvider", "authProvider is required unless authType is \"anonymous\"")
        );
        assert_eq!(parse_options(Some(r#"{"authType":""}"#)).unwrap_err().code(), crate::ErrorCode::InvalidArgument);
        assert_eq!(
            parse_options(Some(r#"{"authProvider":"qq_openapi"}"#)).unwrap_err(),
            Error::invalid(
                "authProvider",
                "authProvider should be one of alipay_openapi, wechat_openapi, dingtalk_openapi"
            )
        );
        assert_eq!(
            parse_options(Some(r#"{"authType":"password"}"#)).unwrap_err(),
            Error::invalid("authType", "authType should be one of \"anonymous\", \"\"")
        );
        assert_eq!(parse_options(Some("null")).unwrap_err(), Error::invalid("options", "options must be an object"));
    }

    // Without options the official default applies: {authType:"", authProvider:"alipay_openapi"}.
    #[test]
    fn no_options_use_the_official_default() {
        let o = parse_options(None).unwrap();
        assert_eq!(o.kind, AuthKind::Provider("alipay_openapi".into()));
        assert_eq!(o.auth_type.as_deref(), Some(""));
        assert_eq!(o.json, DEFAULT_OPTIONS);
    }

    #[test]
    fn params_match_the_reference_key_order() {
        assert_eq!(anonymous_params(&cfg(None)), r#"{"clientIdentifier":"wx123"}"#);
        assert_eq!(anonymous_params(&cfg(Some("isv"))), r#"{"clientIdentifier":"wx123","isvAppId":"isv"}"#);
        assert_eq!(
            provider_params(&cfg(None), "wechat_openapi", "CODE"),
            r#"{"authProvider":"wechat_openapi","clientIdentifier":"wx123","authCode":"CODE"}"#
        );
    }

    #[test]
    fn profile_params_follow_3x() {
        assert_eq!(profile_params(Some("anonymous"), Some(r#"{"x":1}"#), None), r#"{"authType":"anonymous"}"#);
        assert_eq!(profile_params(Some(""), Some(r#"{"x":1}"#), Some("{}")), r#"{"x":1}"#);
        assert_eq!(
            profile_params(Some(""), None, Some(r#"{"authProvider":"wechat_openapi"}"#)),
            r#"{"authProvider":"wechat_openapi"}"#
        );
        assert_eq!(profile_params(None, None, None), "{}");
    }
}
