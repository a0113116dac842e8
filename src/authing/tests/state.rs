//! `getLoginState`: the stored state read back, and its error paths.

use super::*;

#[test]
fn get_login_state_returns_the_stored_object_exactly_without_any_request() {
    let c = client(server);
    // As the official SDK stores it (extra keys, its own order).
    let official = r#"{"scope":"openid","access_token":"AT","expires_in":3600,"x":1,"expires_at":1700003600000}"#;
    store(&c, official);
    assert_eq!(tuple(run(c.get_login_state())), format!("[null,{official}]"));
    assert!(requests(&c).is_empty());
}

#[test]
fn get_login_state_error_paths() {
    let c = client(server);
    assert_eq!(
        tuple(run(c.get_login_state())),
        r#"[{"message":"login state not found, please login","code":"NOT_LOGGED_IN"},null]"#
    );
    // Expired (strictly: expires_at == now is expired) and no refresh token: the official message, state kept.
    store(&c, r#"{"access_token":"AT","expires_at":1700000000000}"#);
    assert_eq!(
        tuple(run(c.get_login_state())),
        r#"[{"message":"login state has expired, please login again","code":"NOT_LOGGED_IN"},null]"#
    );
    assert!(stored(&c).is_some());
    store(&c, r#""garbage""#);
    assert_eq!(
        tuple(run(c.get_login_state())),
        r#"[{"message":"login state is unreadable, please login again","code":"NOT_LOGGED_IN"},null]"#
    );
    *fake(&c).storage_fails.borrow_mut() = Some("getStorage:fail system error".into());
    assert_eq!(
        tuple(run(c.get_login_state())),
        r#"[{"message":"storage error: host function `getStorage` failed: getStorage:fail system error","code":"STORAGE"},null]"#
    );
    assert!(requests(&c).is_empty());
}
