//! `logout`: revocation, then forgetting the state.

use super::*;

#[test]
fn logout_revokes_the_access_token_then_removes_the_state() {
    let c = client(server);
    log_in(&c);
    assert_eq!(tuple(run(c.logout())), "[null,true]");
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/oidc/token/revocation",
        &[("content-type", "application/x-www-form-urlencoded")],
        Some("client_id=app1&token=AT"),
    );
    assert!(stored(&c).is_none());
    // Logged out already: no request, still [null, true].
    assert_eq!(tuple(run(c.logout())), "[null,true]");
    assert_eq!(requests(&c).len(), 1);
}

#[test]
fn logout_with_an_expired_state_just_forgets_it() {
    let c = client(server);
    store(&c, r#"{"access_token":"AT","expires_at":1}"#);
    assert_eq!(tuple(run(c.logout())), "[null,true]");
    assert!(requests(&c).is_empty() && stored(&c).is_none());
}

#[test]
fn logout_on_a_network_failure_keeps_the_state_and_reports_it() {
    let c = client(fails);
    log_in(&c);
    assert_eq!(tuple(run(c.logout())), NETWORK_FAILURE);
    assert!(stored(&c).is_some());
}

#[test]
fn logout_whatever_the_revocation_answers() {
    fn html(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(500, "<html>oops</html>")
    }
    let c = client(html);
    log_in(&c);
    assert_eq!(tuple(run(c.logout())), "[null,true]");
    assert!(stored(&c).is_none());
}

#[test]
fn a_refresh_finishing_after_a_logout_does_not_bring_the_state_back() {
    let c = client(server);
    log_in(&c);
    c.host().yield_requests.set(true);
    let futs: Vec<Call<'_>> = vec![Box::pin(c.refresh_token()), Box::pin(c.logout())];
    let outs = join_all(futs);
    assert_eq!(tuple(outs[1].clone()), "[null,true]");
    assert_eq!(
        tuple(outs[0].clone()),
        r#"[{"message":"the login state changed while the token was being refreshed","code":"NOT_LOGGED_IN"},null]"#
    );
    assert!(stored(&c).is_none());
}
