//! The gateway's request signature (reference §3): the truthy fields among
//! `method, params, spaceId, timestamp, token, userId`, sorted by name,
//! joined as `k=v` with `&`, HMAC-MD5 keyed by the UTF-8 client secret,
//! lowercase hex. `params` is the raw JSON string exactly as received.

use hmac::{Hmac, Mac};
use md5::Md5;

use crate::util::ct_eq;

pub struct Fields<'a> {
    pub method: &'a str,
    pub params: Option<&'a str>,
    pub space_id: &'a str,
    pub timestamp: i64,
    pub token: Option<&'a str>,
    pub user_id: Option<&'a str>,
}

pub fn string_to_sign(f: &Fields<'_>) -> String {
    let ts = f.timestamp.to_string();
    // already in sorted key order
    let pairs: [(&str, Option<&str>); 6] = [
        ("method", Some(f.method)),
        ("params", f.params),
        ("spaceId", Some(f.space_id)),
        ("timestamp", (f.timestamp != 0).then_some(ts.as_str())),
        ("token", f.token),
        ("userId", f.user_id),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| v.filter(|s| !s.is_empty()).map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn sign(secret: &str, message: &str) -> String {
    let mut mac = match <Hmac<Md5> as Mac>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this branch is unreachable in practice
        Err(_) => return String::new(),
    };
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub fn verify(secret: &str, f: &Fields<'_>, signature: &str) -> bool {
    let expected = sign(secret, &string_to_sign(f));
    !expected.is_empty() && ct_eq(expected.as_bytes(), signature.trim().to_ascii_lowercase().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-client-secret";

    /// method, params, timestamp, token, expected signature
    type Vector = (&'static str, Option<&'static str>, i64, Option<&'static str>, &'static str);

    /// The golden vectors of mpserverless-protocol.md §3.
    #[test]
    fn reference_vectors() {
        let cases: [Vector; 5] = [
            (
                "serverless.auth.user.anonymousAuthorize",
                Some(r#"{"clientIdentifier":"APPID"}"#),
                1_700_000_000_000,
                None,
                "eac791ea1945848044d1ae5d00b57594",
            ),
            (
                "serverless.auth.user.anonymousAuthorize",
                Some("{}"),
                1_700_000_000_000,
                None,
                "b3b626721e56a349d40d73e5dfa3e94c",
            ),
            (
                "serverless.auth.user.authorize",
                Some(r#"{"authProvider":"wechat_openapi","clientIdentifier":"wx123","authCode":"CODE"}"#),
                1_700_000_000_001,
                None,
                "a58b98a1bfc10f9522bc35749f08eab8",
            ),
            (
                "serverless.function.runtime.invoke",
                Some(r#"{"functionTarget":"hello","functionArgs":{"x":"中文","n":1}}"#),
                1_700_000_000_002,
                Some("tok1"),
                "1b432d97e002f94dc35bf7b675f63d37",
            ),
            (
                "serverless.db.default.execute",
                Some(r#"{"collection":"books","query":{},"options":{},"command":"count"}"#),
                1_700_000_000_003,
                Some("tok1"),
                "29954c42c2b9ba4e98500918670d4b62",
            ),
        ];
        for (method, params, ts, token, want) in cases {
            let f = Fields { method, params, space_id: "SPACE-1", timestamp: ts, token, user_id: None };
            assert_eq!(sign(SECRET, &string_to_sign(&f)), want, "{method}");
            assert!(verify(SECRET, &f, want));
            assert!(verify(SECRET, &f, &want.to_ascii_uppercase()));
            assert!(!verify("other-secret", &f, want));
        }
    }

    #[test]
    fn string_to_sign_skips_falsy_fields() {
        let f = Fields { method: "m", params: None, space_id: "s", timestamp: 5, token: Some(""), user_id: Some("u") };
        assert_eq!(string_to_sign(&f), "method=m&spaceId=s&timestamp=5&userId=u");
    }
}
