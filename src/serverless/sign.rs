//! HMAC-MD5 request signing of the gateway (`x-serverless-sign`), protocol reference §3.
//!
//! The string to sign is `k=v` pairs of the fixed field set `method, params, spaceId, timestamp,
//! token, userId` (already in JS default sort order), falsy values skipped, joined by `&`, with no
//! escaping. `params` is the exact JSON text sent in the body: sign what you send.

use super::md5::hmac_md5;
use crate::hex::hex_lower;

/// The signed fields of one request. `None` and empty strings are skipped, as JS skips falsy values.
#[derive(Debug, Clone, Copy)]
pub struct SignFields<'a> {
    /// RPC method, e.g. `serverless.db.default.execute`.
    pub method: &'a str,
    /// The JSON text of the params, exactly as sent.
    pub params: Option<&'a str>,
    /// Service space id.
    pub space_id: &'a str,
    /// `Date.now()` at signing time.
    pub timestamp: u64,
    /// Access token (authenticated calls only).
    pub token: Option<&'a str>,
}

/// The string the signature covers.
pub fn string_to_sign(f: &SignFields<'_>) -> String {
    let ts = crate::json::text::uint_text(f.timestamp);
    // Sorted by UTF-16 code units, as `Object.keys(fields).sort()`: method < params < spaceId <
    // timestamp < token (< userId, which the mini-program client never sends).
    let pairs: [(&str, Option<&str>); 5] = [
        ("method", Some(f.method)),
        ("params", f.params),
        ("spaceId", Some(f.space_id)),
        ("timestamp", if f.timestamp == 0 { None } else { Some(ts.as_str()) }),
        ("token", f.token),
    ];
    let mut out = String::new();
    for (k, v) in pairs {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// Lowercase hex HMAC-MD5 of `message` keyed with the UTF-8 bytes of `secret` (not base64-decoded).
pub fn hmac_md5_hex(secret: &str, message: &str) -> String {
    hex_lower(&hmac_md5(secret.as_bytes(), message.as_bytes()))
}

/// Signs the fields: `x-serverless-sign` header value.
pub fn sign(secret: &str, f: &SignFields<'_>) -> String {
    hmac_md5_hex(secret, &string_to_sign(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-client-secret";

    // Golden vectors of mpserverless-protocol.md §3 (the first reproduced by the real 3.1.5 SDK with
    // Date.now pinned; all re-verified with Node crypto's createHmac('md5')).
    #[test]
    fn reference_vectors_string_to_sign_and_signature() {
        let cases: [(SignFields<'_>, &str, &str); 5] = [
            (
                SignFields {
                    method: "serverless.auth.user.anonymousAuthorize",
                    params: Some(r#"{"clientIdentifier":"APPID"}"#),
                    space_id: "SPACE-1",
                    timestamp: 1_700_000_000_000,
                    token: None,
                },
                r#"method=serverless.auth.user.anonymousAuthorize&params={"clientIdentifier":"APPID"}&spaceId=SPACE-1&timestamp=1700000000000"#,
                "eac791ea1945848044d1ae5d00b57594",
            ),
            (
                SignFields {
                    method: "serverless.auth.user.anonymousAuthorize",
                    params: Some("{}"),
                    space_id: "SPACE-1",
                    timestamp: 1_700_000_000_000,
                    token: None,
                },
                "method=serverless.auth.user.anonymousAuthorize&params={}&spaceId=SPACE-1&timestamp=1700000000000",
                "b3b626721e56a349d40d73e5dfa3e94c",
            ),
            (
                SignFields {
                    method: "serverless.auth.user.authorize",
                    params: Some(r#"{"authProvider":"wechat_openapi","clientIdentifier":"wx123","authCode":"CODE"}"#),
                    space_id: "SPACE-1",
                    timestamp: 1_700_000_000_001,
                    token: None,
                },
                r#"method=serverless.auth.user.authorize&params={"authProvider":"wechat_openapi","clientIdentifier":"wx123","authCode":"CODE"}&spaceId=SPACE-1&timestamp=1700000000001"#,
                "a58b98a1bfc10f9522bc35749f08eab8",
            ),
            (
                SignFields {
                    method: "serverless.function.runtime.invoke",
                    params: Some(r#"{"functionTarget":"hello","functionArgs":{"x":"中文","n":1}}"#),
                    space_id: "SPACE-1",
                    timestamp: 1_700_000_000_002,
                    token: Some("tok1"),
                },
                r#"method=serverless.function.runtime.invoke&params={"functionTarget":"hello","functionArgs":{"x":"中文","n":1}}&spaceId=SPACE-1&timestamp=1700000000002&token=tok1"#,
                "1b432d97e002f94dc35bf7b675f63d37",
            ),
            (
                SignFields {
                    method: "serverless.db.default.execute",
                    params: Some(r#"{"collection":"books","query":{},"options":{},"command":"count"}"#),
                    space_id: "SPACE-1",
                    timestamp: 1_700_000_000_003,
                    token: Some("tok1"),
                },
                r#"method=serverless.db.default.execute&params={"collection":"books","query":{},"options":{},"command":"count"}&spaceId=SPACE-1&timestamp=1700000000003&token=tok1"#,
                "29954c42c2b9ba4e98500918670d4b62",
            ),
        ];
        for (fields, expected_string, expected_sig) in cases {
            assert_eq!(string_to_sign(&fields), expected_string);
            assert_eq!(sign(SECRET, &fields), expected_sig, "{expected_string}");
        }
    }

    // Falsy fields are skipped: no token on auth calls, no params when there are none.
    #[test]
    fn missing_and_empty_fields_are_skipped() {
        let f = SignFields { method: "m", params: None, space_id: "s", timestamp: 5, token: Some("") };
        assert_eq!(string_to_sign(&f), "method=m&spaceId=s&timestamp=5");
    }

    // The secret is used as UTF-8 text even when it looks like base64.
    #[test]
    fn secret_is_not_decoded() {
        assert_eq!(hmac_md5_hex("", ""), "74e6f7298a9c2d168935f58c001bad88");
        assert_ne!(hmac_md5_hex("YWJj", "x"), hmac_md5_hex("abc", "x"));
    }
}
