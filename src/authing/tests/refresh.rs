//! `refreshToken` and the automatic refresh: single flight, back-off, recovery.

use super::*;

#[test]
fn refresh_token_posts_the_form_and_keeps_the_refresh_token_the_response_lacks() {
    let c = client(server);
    log_in(&c);
    let expected = r#"{"access_token":"AT2","id_token":"IT2","expires_in":7200,"token_type":"Bearer","scope":"openid","refresh_token":"RT","expires_at":1700007200000}"#;
    assert_eq!(tuple(run(c.refresh_token())), format!("[null,{expected}]"));
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/oidc/token",
        &[("content-type", "application/x-www-form-urlencoded"), ("x-authing-app-id", APP)],
        Some("grant_type=refresh_token&redirect_uri=&refresh_token=RT"),
    );
    assert_eq!(stored(&c).as_deref(), Some(expected));
}

#[test]
fn refresh_token_error_paths() {
    let c = client(server);
    assert_eq!(
        tuple(run(c.refresh_token())),
        r#"[{"message":"refresh_token has expired, please login again","code":"NOT_LOGGED_IN"},null]"#
    );
    store(&c, r#"{"access_token":"AT","expires_at":1800000000000}"#);
    assert_eq!(
        tuple(run(c.refresh_token())),
        r#"[{"message":"refresh_token must not be empty","code":"NOT_LOGGED_IN"},null]"#
    );
    fn invalid_grant(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(400, r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#)
    }
    let c = client(invalid_grant);
    log_in(&c);
    let before = stored(&c);
    assert_eq!(
        tuple(run(c.refresh_token())),
        r#"[{"error":"invalid_grant","error_description":"grant request is invalid","message":"grant request is invalid","statusCode":400,"code":"SERVER"},null]"#
    );
    assert_eq!(stored(&c), before, "a failed refresh leaves the state alone");
}

#[test]
fn an_expired_access_token_is_refreshed_instead_of_forcing_a_new_login() {
    let c = client(server);
    store(&c, r#"{"access_token":"AT","refresh_token":"RT","expires_in":3600,"expires_at":1699999999000}"#);
    let out = tuple(run(c.get_user_info(None)));
    assert!(out.starts_with(r#"[null,{"userId":"u1""#), "{out}");
    let reqs = requests(&c);
    assert_eq!(reqs.len(), 2);
    assert!(reqs[0].url.ends_with("/oidc/token"));
    assert_eq!(reqs[1].headers[1], ("Authorization".to_string(), "AT2".to_string()));
}

#[test]
fn a_token_close_to_expiry_is_refreshed_once_however_many_calls_wait_on_it() {
    let c = client(server);
    // Four minutes left: inside the five-minute margin.
    store(&c, r#"{"access_token":"AT","refresh_token":"RT","expires_in":3600,"expires_at":1700000240000}"#);
    c.host().yield_requests.set(true);
    let futs: Vec<Call<'_>> = vec![
        Box::pin(c.get_user_info(None)),
        Box::pin(c.update_user_info(obj(r#"{"nickname":"n"}"#))),
        Box::pin(c.get_login_state()),
        Box::pin(c.refresh_token()),
    ];
    let outs = join_all(futs);
    assert!(outs.iter().all(Result::is_ok), "{outs:?}");
    let reqs = requests(&c);
    let refreshes = reqs.iter().filter(|r| r.url.ends_with("/oidc/token")).count();
    assert_eq!(refreshes, 1);
    for r in reqs.iter().filter(|r| r.url.contains("profile")) {
        assert!(r.headers.contains(&("Authorization".to_string(), "AT2".to_string())));
    }
}

#[test]
fn a_failed_automatic_refresh_falls_back_to_the_valid_token_backs_off_and_does_not_poison_later_calls() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static REFRESH_FAILS: AtomicBool = AtomicBool::new(true);
    fn flaky(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.url.ends_with("/oidc/token") && REFRESH_FAILS.load(Ordering::SeqCst) {
            return Err(HostError::new("request", HostErrorKind::Timeout, "no answer within 61000 ms"));
        }
        server(req)
    }
    let c = client(flaky);
    store(&c, r#"{"access_token":"AT","refresh_token":"RT","expires_in":3600,"expires_at":1700000240000}"#);
    assert!(run(c.get_user_info(None)).is_ok());
    assert!(run(c.get_user_info(None)).is_ok());
    let urls: Vec<String> = requests(&c).iter().map(|r| path_of(&r.url).to_string()).collect();
    // One refresh attempt, then 30 s of backoff; both profile calls used the still-valid token.
    assert_eq!(urls.iter().filter(|u| u.as_str() == "/oidc/token").count(), 1, "{urls:?}");
    REFRESH_FAILS.store(false, Ordering::SeqCst);
    fake(&c).now.set(NOW + 31_000.0);
    assert!(run(c.get_user_info(None)).is_ok());
    assert_eq!(requests(&c).iter().filter(|r| r.url.ends_with("/oidc/token")).count(), 2);
    assert!(stored(&c).unwrap().contains("AT2"));
}

#[test]
fn a_new_login_lifts_the_back_off_of_a_failed_automatic_refresh() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static REFRESH_FAILS: AtomicBool = AtomicBool::new(true);
    // 40 s tokens: the refresh margin is half the lifetime (20 s), shorter than the 30 s back-off.
    fn short_lived(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        match path_of(&req.url) {
            "/api/v3/signin" => FakeHost::reply(
                200,
                r#"{"statusCode":200,"message":"","data":{"access_token":"AT","id_token":"IT","refresh_token":"RT","expires_in":40,"token_type":"Bearer","scope":"openid offline_access"}}"#,
            ),
            "/oidc/token" if REFRESH_FAILS.load(Ordering::SeqCst) => {
                Err(HostError::new("request", HostErrorKind::Rejected, "request:fail timeout"))
            }
            _ => server(req),
        }
    }
    let c = client(short_lived);
    let login = r#"{"passwordPayload":{"password":"pw","username":"u"}}"#;
    assert!(run(c.login_by_password(obj(login))).is_ok());
    fake(&c).now.set(NOW + 25_000.0); // 15 s left: refresh due
    assert!(run(c.get_user_info(None)).is_ok(), "the failed refresh falls back to the valid token");
    REFRESH_FAILS.store(false, Ordering::SeqCst);
    assert!(run(c.login_by_password(obj(login))).is_ok());
    fake(&c).now.set(NOW + 50_000.0); // 15 s left again, still inside the old 30 s back-off
    assert!(run(c.get_user_info(None)).is_ok());
    let refreshes = requests(&c).iter().filter(|r| r.url.ends_with("/oidc/token")).count();
    assert_eq!(refreshes, 2, "the fresh login's tokens are refreshed without waiting out the old back-off");
    assert!(stored(&c).unwrap().contains("AT2"));
}
