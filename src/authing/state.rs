//! The login state in platform storage (protocol §3), readable and writable by both this SDK and the
//! official one.
//!
//! Key `authing:<appId>:login-state`; value: the token object exactly as the server returned it
//! (extra keys kept, key order kept) plus `expires_at` = `expires_in * 1000 + now` in ms, a number.
//! The official SDK writes `NaN` (stored as `null`) when the server omits `expires_in`, which makes
//! the state read as expired forever; this SDK falls back to the `exp` claim of the token, then to
//! Authing's default lifetime.

use crate::json::{Json, Obj};
use crate::secret::{AccessToken, RefreshToken};

/// Authing's default access-token lifetime (14 days), used only when neither `expires_in` nor a
/// JWT `exp` claim says otherwise.
pub const DEFAULT_LIFETIME_S: f64 = 1_209_600.0;
/// Refresh this long before expiry (at most half the token's lifetime).
pub const REFRESH_MARGIN_MS: f64 = 300_000.0;

/// The storage key of the login state.
pub fn state_key(app_id: &str) -> String {
    ["authing", app_id, "login-state"].join(":")
}

/// A stored login state.
#[derive(Clone, PartialEq)]
pub struct LoginState(pub Obj);

impl core::fmt::Debug for LoginState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("LoginState").field(&self.0).finish()
    }
}

impl LoginState {
    /// `expires_at` in ms, when it is a finite number. If it is missing or not a number (states
    /// the official SDK wrote without `expires_in`), the access token's JWT `exp` is used.
    pub fn expires_at(&self) -> Option<f64> {
        match self.0.get("expires_at").and_then(Json::as_f64).filter(|f| f.is_finite()) {
            Some(at) => Some(at),
            None => self.0.get_str("access_token").and_then(jwt_exp_ms),
        }
    }

    /// Whether the expiry is the server's time (a JWT `exp`, for states stored without a finite
    /// `expires_at`) rather than the device's (`expires_in` counted from the device clock).
    pub fn expiry_is_server_time(&self) -> bool {
        self.0.get("expires_at").and_then(Json::as_f64).is_none_or(|f| !f.is_finite())
    }

    /// Whether the state is still valid at `now` (`expires_at > now`, strictly, as the official
    /// SDK tests it).
    pub fn is_valid(&self, now: f64) -> bool {
        self.expires_at().is_some_and(|at| at > now)
    }

    /// Whether it is time to refresh: within [`REFRESH_MARGIN_MS`] (capped at half the lifetime
    /// given by `expires_in`) of expiry, or past it.
    pub fn refresh_due(&self, now: f64) -> bool {
        let Some(at) = self.expires_at() else { return true };
        let margin = match lifetime_s(&self.0) {
            Some(life) => REFRESH_MARGIN_MS.min(life * 500.0),
            None => REFRESH_MARGIN_MS,
        };
        now >= at - margin
    }

    /// The access token, when present and non-empty.
    pub fn access_token(&self) -> Option<AccessToken> {
        self.0.get_str("access_token").filter(|t| !t.is_empty()).map(AccessToken::new)
    }

    /// The refresh token, when present and non-empty.
    pub fn refresh_token(&self) -> Option<RefreshToken> {
        self.0.get_str("refresh_token").filter(|t| !t.is_empty()).map(RefreshToken::new)
    }

    /// The state as the app sees it.
    pub fn to_json(&self) -> Json {
        Json::Object(self.0.clone())
    }
}

/// `expires_in` in seconds: a positive finite number, or a numeric string (JS `1e3 * "3600"`
/// coerces it the same way).
fn lifetime_s(token: &Obj) -> Option<f64> {
    let v = match token.get("expires_in")? {
        Json::Number(n) => n.as_f64()?,
        // Parsed by the JSON reader rather than `str::parse` (which pulls core's float parser in).
        Json::String(s) => Json::parse(s.trim()).ok()?.as_f64()?,
        _ => return None,
    };
    (v.is_finite() && v > 0.0).then_some(v)
}

/// The state to store for a token response received at device time `now`: the response itself,
/// with `expires_at` set (in place when the server sent one, as `{...res, expires_at}` does).
/// `expires_at` is device time; a JWT `exp` (server time) is moved by `server_offset_ms`
/// (server minus device, see [`crate::clock`]).
pub fn build_state(mut token: Obj, now: f64, server_offset_ms: f64) -> LoginState {
    let expires_at = match lifetime_s(&token) {
        Some(life) => life * 1000.0 + now,
        None => token
            .get_str("access_token")
            .and_then(jwt_exp_ms)
            .or_else(|| token.get_str("id_token").and_then(jwt_exp_ms))
            .map_or(DEFAULT_LIFETIME_S * 1000.0 + now, |exp| exp - server_offset_ms),
    };
    token.set("expires_at", Json::from_f64(expires_at));
    LoginState(token)
}

/// The `exp` claim of a JWT, in ms. No signature check: it only schedules refreshes.
pub fn jwt_exp_ms(token: &str) -> Option<f64> {
    jwt_seconds(token, "exp").map(|exp| exp * 1000.0)
}

/// A numeric-date claim (`exp`, `iat`) of a JWT, in seconds, when positive and finite.
pub fn jwt_seconds(token: &str, claim: &str) -> Option<f64> {
    let payload = token.split('.').nth(1)?;
    let bytes = crate::base64::decode(payload.trim_end_matches('='), true)?;
    let claims = Json::parse(core::str::from_utf8(&bytes).ok()?).ok()?;
    let secs = claims.get(claim)?.as_f64()?;
    (secs.is_finite() && secs > 0.0).then_some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::json::test_obj as obj;

    // eyJhbGciOiJub25lIn0 . {"exp":1700003600} . (no signature)
    const JWT: &str = "eyJhbGciOiJub25lIn0.eyJleHAiOjE3MDAwMDM2MDB9.";

    #[test]
    fn the_key_matches_the_official_sdk() {
        assert_eq!(state_key("62e2"), "authing:62e2:login-state");
    }

    #[test]
    fn expires_at_is_expires_in_ms_plus_now_appended_after_the_server_fields() {
        let st = build_state(
            obj(r#"{"access_token":"a","expires_in":1209600,"token_type":"Bearer"}"#),
            1_700_000_000_000.0,
            0.0,
        );
        assert_eq!(
            st.to_json().to_text(),
            r#"{"access_token":"a","expires_in":1209600,"token_type":"Bearer","expires_at":1701209600000}"#
        );
        // A server-sent expires_at is replaced in place.
        let st = build_state(obj(r#"{"expires_at":1,"access_token":"a","expires_in":"60"}"#), 1000.0, 0.0);
        assert_eq!(st.to_json().to_text(), r#"{"expires_at":61000,"access_token":"a","expires_in":"60"}"#);
    }

    #[test]
    fn a_missing_expires_in_falls_back_to_the_jwt_exp_then_the_default() {
        let st = build_state(obj(&format!(r#"{{"access_token":"{JWT}"}}"#)), 1_700_000_000_000.0, 0.0);
        assert_eq!(st.expires_at(), Some(1_700_003_600_000.0));
        let st = build_state(obj(r#"{"access_token":"opaque"}"#), 1000.0, 0.0);
        assert_eq!(st.expires_at(), Some(1_209_600_000.0 + 1000.0));
    }

    #[test]
    fn a_jwt_exp_is_moved_into_device_time_and_its_iat_is_readable() {
        // The server runs 20 min behind the device: its exp is 20 min later on the device clock.
        let st = build_state(obj(&format!(r#"{{"access_token":"{JWT}"}}"#)), 1_700_000_000_000.0, -1_200_000.0);
        assert_eq!(st.expires_at(), Some(1_700_004_800_000.0));
        assert!(!st.expiry_is_server_time());
        // {"iat":1700000000}
        assert_eq!(jwt_seconds("x.eyJpYXQiOjE3MDAwMDAwMDB9.", "iat"), Some(1_700_000_000.0));
        assert_eq!(jwt_seconds(JWT, "iat"), None);
    }

    #[test]
    fn states_the_official_sdk_wrote_with_nan_recover_through_the_jwt() {
        let st = LoginState(obj(&format!(r#"{{"access_token":"{JWT}","expires_at":null}}"#)));
        assert!(st.is_valid(1_700_000_000_000.0));
        assert!(st.expiry_is_server_time());
        let st = LoginState(obj(r#"{"access_token":"opaque","expires_at":null}"#));
        assert!(!st.is_valid(0.0));
    }

    #[test]
    fn validity_is_strict_and_refresh_is_due_inside_the_margin() {
        let st = LoginState(obj(r#"{"access_token":"a","expires_in":3600,"expires_at":1000000}"#));
        assert!(st.is_valid(999_999.0) && !st.is_valid(1_000_000.0));
        assert!(!st.refresh_due(1_000_000.0 - 300_001.0));
        assert!(st.refresh_due(1_000_000.0 - 300_000.0));
        // A 60 s token refreshes in its last 30 s, not always.
        let short = LoginState(obj(r#"{"access_token":"a","expires_in":60,"expires_at":100000}"#));
        assert!(!short.refresh_due(69_999.0) && short.refresh_due(70_000.0));
    }

    #[test]
    fn tokens_are_read_only_when_non_empty() {
        let st = LoginState(obj(r#"{"access_token":"","refresh_token":"r"}"#));
        assert!(st.access_token().is_none());
        assert_eq!(st.refresh_token().unwrap().secret(), "r");
        assert!(!format!("{st:?}").contains('r') || !format!("{st:?}").contains("\"r\""));
    }

    #[test]
    fn malformed_jwts_give_no_expiry() {
        for t in ["", "a", "a.b", "a.!!!.c", "a.bnVsbA.c", "a.eyJleHAiOiJ4In0.c"] {
            assert_eq!(jwt_exp_ms(t), None, "{t}");
        }
    }
}
